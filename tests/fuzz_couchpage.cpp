// libFuzzer target: CouchPage::parseAllDocs(), the single-pass reader of `_all_docs` pages.
// What it accepts, Qt's JSON parser accepts too and reads to the same rows (its contract:
// the index loader falls back to the DOM only when the reader says no).
// Seeds: tests/fuzz/corpus/couchpage/ (`_all_docs` answers over documents Celery wrote).
#include <cstddef>
#include <cstdint>

#include <QByteArray>
#include <QJsonDocument>
#include <QJsonParseError>

#include "couchpage.h"
#include "fuzzcheck.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    // A copy: parseAllDocs() keeps offsets into the body, as the loader keeps its reply.
    const QByteArray body(reinterpret_cast<const char *>(data), qsizetype(size));
    QVector<CouchPage::Row> rows;
    if (!CouchPage::parseAllDocs(body, &rows))
        return 0;

    QJsonParseError error;
    const QJsonDocument dom = QJsonDocument::fromJson(body, &error);
    FUZZ_CHECK(error.error == QJsonParseError::NoError,
               QStringLiteral("parseAllDocs() accepted what Qt refuses: %1 at %2").arg(error.errorString()).arg(error.offset));
    const QVector<CouchPage::Row> expected = CouchPage::rowsFromJson(dom.object());
    FUZZ_CHECK(rows.size() == expected.size(), QStringLiteral("%1 rows, the DOM has %2").arg(rows.size()).arg(expected.size()));
    QByteArray scratch;
    for (qsizetype i = 0; i < rows.size(); ++i) {
        const CouchPage::Row &r = rows.at(i);
        const CouchPage::Row &e = expected.at(i);
        const QString where = QStringLiteral("row %1: ").arg(i);
        FUZZ_CHECK(r.id == e.id && r.id.isNull() == e.id.isNull(), where + "id differs from the DOM's");
        FUZZ_CHECK(r.hasDoc == e.hasDoc, where + "hasDoc differs from the DOM's");
        FUZZ_CHECK(r.docId == e.docId && r.docId.isNull() == e.docId.isNull(), where + "_id differs from the DOM's");
        FUZZ_CHECK(r.rev == e.rev && r.rev.isNull() == e.rev.isNull(), where + "_rev differs from the DOM's");
        FUZZ_CHECK(r.valueKind == e.valueKind, where + "the value's kind differs from the DOM's");
        FUZZ_CHECK(CouchPage::valueText(body, r, scratch) == e.value, where + "the value's text differs from the DOM's");
    }
    return 0;
}
