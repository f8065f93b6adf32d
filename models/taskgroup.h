#pragma once

#include "storeerror.h"
#include "taskresult.h"

#include <QByteArray>
#include <QDateTime>
#include <QHash>
#include <QMap>
#include <QMetaType>
#include <QString>
#include <QStringList>
#include <QVector>

class ResultStore;
struct PyValue;
struct TaskQuery;

/// One saved group: a django-celery-results GroupResult row, a row of Celery's
/// celery_tasksetmeta, or a `celery-taskset-meta-<id>` document or key (GroupResult.save()).
/// Plain value type.
struct TaskGroup
{
    QString groupId;
    QDateTime dateDone;    ///< UTC; invalid when not stored
    QStringList memberIds; ///< the member task ids in stored order (GroupResult.results)
    QString problem;       ///< why the members could not be read; empty when fine

    friend bool operator==(const TaskGroup &a, const TaskGroup &b)
    {
        return a.groupId == b.groupId && a.dateDone == b.dateDone && a.memberIds == b.memberIds
            && a.problem == b.problem;
    }
};

Q_DECLARE_METATYPE(TaskGroup)

/// Groups with the stored results of their members: what the window's Groups view lists.
/// Plain value type.
struct GroupListing
{
    QVector<TaskGroup> groups;        ///< newest first
    QHash<QString, TaskResult> rows;  ///< task id -> its stored (summary) row; absent = not stored

    /// The statuses of a group's members (status -> count; "" for a NULL status), with the
    /// members whose result is not stored counted in *missing.
    QMap<QString, qint64> statusesOf(const TaskGroup &group, qint64 *missing) const;
};

Q_DECLARE_METATYPE(GroupListing)

// The rules every store shares for saved groups: how a stored group names its members, how a
// task's meta names its children, in which order groups are listed. Pure; any thread.
namespace TaskGroups {

/// How many groups a listing holds at most unless asked otherwise.
inline constexpr int defaultLimit = 500;

/// The members of a saved group's stored value: GroupResult.as_tuple() as JSON
/// (`[["<group id>", parent], [[["<task id>", parent], null], …]]`, what django-celery-results
/// and the key-value backends store, also inside `{"result": …}`), the same tuple pickled, or
/// a pickled GroupResult object (celery_tasksetmeta's PickleType; read by PickleReader, never
/// unpickled). A member that is itself a group is listed by its group id. Fills groupId (when
/// the value names it), memberIds and problem.
void readMembers(const PyValue &value, TaskGroup *group);
/// readMembers() of stored text with its content type and encoding (encoding "binary":
/// base64 of the serialized bytes).
void readMembers(const QString &stored, const QString &contentType, const QString &contentEncoding,
                 TaskGroup *group);
/// readMembers() of raw pickle bytes (celery_tasksetmeta's result column).
void readPickledMembers(const QByteArray &pickle, TaskGroup *group);

/// The task ids a task's meta lists as its children (django-celery-results' meta column:
/// `{"children": [[["<id>", parent], null], …]}`), in stored order; a child group by its id.
QStringList childrenOf(const QString &meta);

/// Newest first (groups without a date last), then by group id: every store's order.
void sortNewestFirst(QVector<TaskGroup> &groups);
/// The query's date range (doneAfter/doneBefore) holds the group's date_done; a group without
/// a date is kept only when the range is open.
bool inDateRange(const TaskQuery &query, const TaskGroup &group);

/// The store's groups of the query (ResultStore::groups()), with the stored rows of all
/// their members read by one ResultStore::fetchByTaskIds() call. Runs on the store's thread.
Outcome<GroupListing> list(ResultStore &store, const TaskQuery &query, int limit = defaultLimit);
/// The groups listing a task (ResultStore::groupsOf()) with their members' rows, as list().
Outcome<GroupListing> listing(ResultStore &store, const QString &taskId);

} // namespace TaskGroups
