#include "taskgroup.h"

#include "picklereader.h"
#include "pythonliteral.h"
#include "resultstore.h"
#include "taskquery.h"

#include <QSet>

#include <algorithm>

namespace {

using T = PyValue::Type;

bool isSequence(const PyValue &v)
{
    return v.type == T::List || v.type == T::Tuple;
}

/// What one stored result reference is: its id, and for a group its members' references.
struct Ref
{
    QString id;
    const PyValue *children = nullptr; ///< a group's list of members; null for a task
    bool ok = false;
};

/// A reference in any of the shapes Celery stores: as_tuple() (`[[id, parent], children]`,
/// children null for a task), a pickled GroupResult/AsyncResult object (directly, or through
/// celery.app.base._unpickle_appattr("GroupResult", (id, results)) as an app-bound class
/// pickles), or `{"result": …}` around either.
Ref refOf(const PyValue &v)
{
    Ref ref;
    if (v.type == T::Dict) {
        if (const PyValue *inner = v.dictValue(QStringLiteral("result")))
            return refOf(*inner);
        return ref;
    }
    if (isSequence(v)) {
        if (v.items.size() != 2 || !isSequence(v.items[0]) || v.items[0].items.empty()
            || v.items[0].items[0].type != T::Str)
            return ref;
        ref.id = v.items[0].items[0].text;
        ref.children = isSequence(v.items[1]) ? &v.items[1] : nullptr;
        ref.ok = true;
        return ref;
    }
    if (v.type != T::Object)
        return ref;
    QString cls = v.text.section(u'.', -1);
    const std::vector<PyValue> *args = &v.items;
    if (cls == QLatin1String("_unpickle_appattr") && args->size() == 2 && (*args)[0].type == T::Str
        && isSequence((*args)[1])) {
        cls = (*args)[0].text;
        args = &(*args)[1].items;
    }
    if (args->empty() || (*args)[0].type != T::Str)
        return ref;
    if (cls.endsWith(QLatin1String("GroupResult"))) {
        ref.id = (*args)[0].text;
        ref.children = args->size() > 1 && isSequence((*args)[1]) ? &(*args)[1] : nullptr;
        ref.ok = ref.children != nullptr;
    } else if (cls.endsWith(QLatin1String("Result"))) { // AsyncResult, EagerResult
        ref.id = (*args)[0].text;
        ref.ok = true;
    }
    return ref;
}

/// The ids of a list of references, in order; *bad counts those that are none.
QStringList idsOf(const PyValue &list, int *bad)
{
    QStringList ids;
    for (const PyValue &item : list.items) {
        const Ref ref = refOf(item);
        if (ref.ok)
            ids << ref.id;
        else
            ++*bad;
    }
    return ids;
}

} // namespace

QMap<QString, qint64> GroupListing::statusesOf(const TaskGroup &group, qint64 *missing) const
{
    QMap<QString, qint64> statuses;
    qint64 absent = 0;
    for (const QString &id : group.memberIds) {
        const auto row = rows.constFind(id);
        if (row == rows.cend())
            ++absent;
        else
            ++statuses[row->status.isNull() ? QString(QLatin1String("")) : row->status];
    }
    if (missing)
        *missing = absent;
    return statuses;
}

namespace TaskGroups {

void readMembers(const PyValue &value, TaskGroup *group)
{
    const Ref ref = refOf(value);
    if (!ref.ok || !ref.children) {
        group->problem = QStringLiteral("the stored group is not a GroupResult (GroupResult.as_tuple() or a pickled "
                                        "GroupResult)");
        return;
    }
    if (group->groupId.isEmpty())
        group->groupId = ref.id;
    int bad = 0;
    group->memberIds = idsOf(*ref.children, &bad);
    if (bad > 0)
        group->problem = bad == 1 ? QStringLiteral("1 member of the stored group names no task id")
                                  : QStringLiteral("%1 members of the stored group name no task id").arg(bad);
}

void readPickledMembers(const QByteArray &pickle, TaskGroup *group)
{
    const PickleReader::Result read = PickleReader::read(pickle);
    if (!read.ok) {
        group->problem = QStringLiteral("the stored group is not a readable pickle: %1").arg(read.error);
        return;
    }
    readMembers(read.value, group);
}

void readMembers(const QString &stored, const QString &contentType, const QString &contentEncoding, TaskGroup *group)
{
    if (stored.isNull()) {
        group->problem = QStringLiteral("the group's result is NULL");
        return;
    }
    if (contentEncoding == QLatin1String("binary")) {
        const auto bytes = QByteArray::fromBase64Encoding(QStringView(stored).trimmed().toLatin1(),
                                                          QByteArray::AbortOnBase64DecodingErrors);
        if (!bytes) {
            group->problem = QStringLiteral("the group's binary result is not base64");
        } else if (PickleReader::looksLikePickle(*bytes)) {
            readPickledMembers(*bytes, group);
        } else {
            group->problem = QStringLiteral("the group's result is stored as %1, which Stalk cannot read")
                                 .arg(contentType.isEmpty() ? QStringLiteral("binary") : contentType);
        }
        return;
    }
    const PyLiteral::ParseResult parsed = PyLiteral::parseJson(stored);
    if (!parsed.ok) {
        group->problem = QStringLiteral("the group's result is not JSON: %1").arg(parsed.error);
        return;
    }
    readMembers(parsed.value, group);
}

QStringList childrenOf(const QString &meta)
{
    if (meta.isEmpty())
        return {};
    const PyLiteral::ParseResult parsed = PyLiteral::parseJson(meta);
    if (!parsed.ok || parsed.value.type != T::Dict)
        return {};
    const PyValue *children = parsed.value.dictValue(QStringLiteral("children"));
    if (!children || !isSequence(*children))
        return {};
    int bad = 0;
    return idsOf(*children, &bad);
}

void sortNewestFirst(QVector<TaskGroup> &groups)
{
    std::sort(groups.begin(), groups.end(), [](const TaskGroup &a, const TaskGroup &b) {
        if (a.dateDone.isValid() != b.dateDone.isValid())
            return a.dateDone.isValid();
        if (a.dateDone != b.dateDone)
            return a.dateDone > b.dateDone;
        return a.groupId < b.groupId;
    });
}

bool inDateRange(const TaskQuery &query, const TaskGroup &group)
{
    if (!group.dateDone.isValid())
        return !query.doneAfter.isValid() && !query.doneBefore.isValid();
    return (!query.doneAfter.isValid() || group.dateDone >= query.doneAfter)
        && (!query.doneBefore.isValid() || group.dateDone < query.doneBefore);
}

namespace {

Outcome<GroupListing> withRows(ResultStore &store, QVector<TaskGroup> groups)
{
    GroupListing listing;
    listing.groups = std::move(groups);
    QStringList ids;
    QSet<QString> seen;
    for (const TaskGroup &group : std::as_const(listing.groups)) {
        for (const QString &id : group.memberIds) {
            if (!seen.contains(id)) {
                seen.insert(id);
                ids << id;
            }
        }
    }
    auto rows = store.fetchByTaskIds(ids);
    if (!rows)
        return rows.error();
    for (const TaskResult &row : std::as_const(*rows))
        listing.rows.insert(row.taskId, row);
    return listing;
}

} // namespace

Outcome<GroupListing> list(ResultStore &store, const TaskQuery &query, int limit)
{
    auto groups = store.groups(query, limit);
    if (!groups)
        return groups.error();
    return withRows(store, std::move(*groups));
}

Outcome<GroupListing> listing(ResultStore &store, const QString &taskId)
{
    auto groups = store.groupsOf(taskId);
    if (!groups)
        return groups.error();
    return withRows(store, std::move(*groups));
}

} // namespace TaskGroups
