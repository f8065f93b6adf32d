// libFuzzer target: CouchDocument, the reader of the documents Celery's CouchBackend writes.
// The input is read twice: as a whole document ({"_id", "_rev", "value"}), and as the meta
// text of a task and of a group document. The index loader's single-pass path
// (Detail::Index) must read a task's meta as the DOM path (Detail::Full) does, except that
// it keeps only a preview of the result and no children.
// Seeds: tests/fuzz/corpus/couchdocument/ (documents and their meta texts, written by Celery).
#include <cstddef>
#include <cstdint>

#include <QByteArray>
#include <QString>

#include "couchdocument.h"
#include "fuzzcheck.h"
#include "resultstore.h"

namespace {

using CouchDocument::Detail;
using CouchDocument::Parsed;
using CouchDocument::ValueKind;

void checkIndexMatchesFull(const QString &docId, const QByteArray &meta)
{
    const Parsed full = CouchDocument::parseParts(docId, QStringLiteral("1-a"), ValueKind::String, meta);
    Parsed index = CouchDocument::parseParts(docId, QStringLiteral("1-a"), ValueKind::String, meta, QString(), Detail::Index);
    FUZZ_CHECK(index.kind == full.kind, QStringLiteral("Index reads kind %1, Full %2 (%3)")
                                            .arg(int(index.kind)).arg(int(full.kind)).arg(full.reason + index.reason));
    FUZZ_CHECK(index.reason == full.reason, QStringLiteral("Index: '%1', Full: '%2'").arg(index.reason, full.reason));
    FUZZ_CHECK(index.groupId == full.groupId && index.groupDateDone == full.groupDateDone, "the group differs");
    if (full.kind != Parsed::Kind::Task)
        return;
    FUZZ_CHECK(index.extended == full.extended, "extended differs");
    // The index keeps a prefix of the result at least one character longer than a preview.
    const QString &preview = index.task.result;
    FUZZ_CHECK(full.task.result.startsWith(preview), QStringLiteral("Index result '%1' is no prefix of '%2'")
                                                         .arg(preview.left(300), full.task.result.left(300)));
    FUZZ_CHECK(preview.size() == full.task.result.size() || preview.size() > ResultStore::previewChars,
               QStringLiteral("Index result is cut to %1 characters").arg(preview.size()));
    FUZZ_CHECK(!index.task.complete, "an Index task says it is complete");
    index.task.result = full.task.result;
    index.task.meta = full.task.meta;
    index.task.complete = full.task.complete;
    FUZZ_CHECK(index.task == full.task,
               QStringLiteral("Index and Full read different tasks: args '%1'/'%2' kwargs '%3'/'%4' done %5/%6 "
                              "retries %7/%8 problems '%9'/'%10'")
                   .arg(index.task.args, full.task.args, index.task.kwargs, full.task.kwargs,
                        index.task.dateDone.toString(Qt::ISODateWithMs), full.task.dateDone.toString(Qt::ISODateWithMs))
                   .arg(index.task.retries).arg(full.task.retries)
                   .arg(index.task.problems.join(u'|'), full.task.problems.join(u'|')));
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const QByteArray bytes(reinterpret_cast<const char *>(data), qsizetype(size));

    const Parsed document = CouchDocument::parse(bytes);
    FUZZ_CHECK(document.kind != Parsed::Kind::Foreign || !document.reason.isEmpty(), "Foreign without a reason");
    CouchDocument::parse(bytes, QStringLiteral("prefix-"));

    checkIndexMatchesFull(QStringLiteral("celery-task-meta-0b7e1bd6-3f3c-5a52-b3a6-6f3b0f2d8c11"), bytes);
    checkIndexMatchesFull(QStringLiteral("celery-taskset-meta-1d0f0a4e-7a8b-4a43-9b53-4c8b1a1e2f00"), bytes);
    return 0;
}
