#pragma once

#include "taskresult.h"

#include <QByteArray>
#include <QDateTime>
#include <QJsonObject>
#include <QString>
#include <QStringList>

struct TaskGroup;

/// Decoding of the documents Celery's CouchBackend writes (FORMATS.md §2):
///   {"_id": "celery-task-meta-<task_id>", "_rev": "…", "value": "<meta as JSON TEXT>"}
///   {"_id": "celery-taskset-meta-<group_id>", "value": "{\"result\": …}"}   (GroupResult.save())
/// Anything else is "not a Celery result" with a reason. Pure functions: no I/O, any thread.
namespace CouchDocument {

inline constexpr char taskPrefix[] = "celery-task-meta-";
inline constexpr char groupPrefix[] = "celery-taskset-meta-";

/// What one document turned out to be.
struct Parsed
{
    enum class Kind { Task, Group, Foreign };
    Kind kind = Kind::Foreign;
    QString docId;
    QString rev;
    /// Kind::Task: the complete result (rowId left at -1; the store assigns it).
    TaskResult task;
    /// Kind::Task: the meta had result_extended keys (name/args/kwargs/worker…).
    bool extended = false;
    /// Kind::Group: the group id and its date_done (invalid: none; Celery 5.2 writes none).
    QString groupId;
    QDateTime groupDateDone;
    /// Kind::Group: its member task ids in stored order (TaskGroups::readMembers()), and why
    /// they could not be read (empty when fine).
    QStringList groupMembers;
    QString groupProblem;
    /// Kind::Foreign: why this is not a Celery result ("'value' is not JSON: …").
    QString reason;
};

/// How much of a task's meta parse() decodes.
enum class Detail {
    Full,  ///< everything: fetchOne, pages of complete rows, the _changes feed
    /// What CouchIndex keeps (the index loader): `result` only as a prefix of its compact
    /// JSON that is at least ResultStore::previewChars + 1 characters long (the whole text
    /// when shorter), so its preview is the same; no `meta` (children); complete = false.
    Index,
};

/// The form of a document's `value` member.
enum class ValueKind { Missing, String, NotString };

/// Classifies a document by its id alone: Task, Group or Foreign (design documents and
/// other keys). Used for the keys-only listing of documents outside Celery's key ranges.
/// keyPrefix: Celery >= 5.3's global_keyprefix, written before "celery-task-meta-".
/// A design document's id ("_design/…"): an application's views, or Stalk's index.
bool isDesignId(const QString &docId);
Parsed::Kind kindOfId(const QString &docId, QString *reason = nullptr, const QString &keyPrefix = QString());

/// Parses one document object (as `_all_docs?include_docs=true`, `_changes` or GET return it).
Parsed parse(const QJsonObject &doc, const QString &keyPrefix = QString());
/// Parses a document given by its parts (as CouchPage reads them from a page): its _id and
/// _rev, and `value` (kind; for ValueKind::String its text as UTF-8). The same result as
/// parse() on the document object, for Detail::Full.
Parsed parseParts(const QString &docId, const QString &rev, ValueKind valueKind, const QByteArray &valueUtf8,
                  const QString &keyPrefix = QString(), Detail detail = Detail::Full);
/// Same, from the document's JSON bytes; unparsable bytes are Foreign with a reason.
Parsed parse(const QByteArray &json, const QString &keyPrefix = QString());

/// Sets a Kind::Group parse's groupMembers and groupProblem from TaskGroups::readMembers()'
/// reading of its value (the one member reader every store shares).
void takeGroupMembers(const TaskGroup &read, Parsed *p);

/// Celery's date_done: naive UTC ISO before Celery 5.5 ("2025-05-01T10:00:00.123456",
/// fraction omitted when zero), ISO with an offset since 5.5. Returns UTC, or an invalid
/// QDateTime when the text is not such a date.
QDateTime parseDateDone(const QString &text);

/// Any JSON value as compact JSON text (scalars too: 42, "text", null).
QString compactJson(const QJsonValue &value);

} // namespace CouchDocument
