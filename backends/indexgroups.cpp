#include "indexgroups.h"

#include "taskquery.h"

void IndexGroups::insert(const CouchDocument::Parsed &p)
{
    Entry entry;
    entry.group.groupId = p.groupId;
    entry.group.dateDone = p.groupDateDone;
    entry.group.memberIds = p.groupMembers;
    entry.group.problem = p.groupProblem;
    entry.rev = p.rev;
    m_entries.insert(p.docId, std::move(entry));
}

QVector<TaskGroup> IndexGroups::groups(const TaskQuery &query, int limit) const
{
    QVector<TaskGroup> groups;
    for (const Entry &e : m_entries) {
        if (TaskGroups::inDateRange(query, e.group))
            groups.append(e.group);
    }
    TaskGroups::sortNewestFirst(groups);
    if (limit >= 0 && groups.size() > limit)
        groups.resize(limit);
    return groups;
}

QVector<TaskGroup> IndexGroups::groupsOf(const QString &taskId) const
{
    QVector<TaskGroup> groups;
    for (const Entry &e : m_entries) {
        if (e.group.memberIds.contains(taskId))
            groups.append(e.group);
    }
    TaskGroups::sortNewestFirst(groups);
    return groups;
}

QVector<qint64> indexSlotsByTaskIds(const CouchIndex &index, const QStringList &keyPrefixes, const QStringList &taskIds)
{
    QVector<qint64> found;
    const QLatin1String taskPrefix(CouchDocument::taskPrefix);
    for (const QString &id : taskIds) {
        for (const QString &prefix : keyPrefixes) {
            const qint64 slot = index.slotOf(prefix + taskPrefix + id);
            if (slot >= 0) {
                found.append(slot);
                break;
            }
        }
    }
    return found;
}

QVector<TaskResult> indexRowsByTaskIds(const CouchIndex &index, const QStringList &keyPrefixes, const QStringList &taskIds)
{
    QVector<TaskResult> rows;
    for (qint64 slot : indexSlotsByTaskIds(index, keyPrefixes, taskIds))
        rows.append(index.summaryRow(slot));
    return rows;
}
