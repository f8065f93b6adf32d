#pragma once

#include "couchdocument.h"
#include "couchindex.h"
#include "taskgroup.h"

#include <QMap>
#include <QString>
#include <QStringList>
#include <QVector>

struct TaskQuery;

/// The saved groups (`celery-taskset-meta-<id>` documents or keys) a store over an in-memory
/// index keeps beside its CouchIndex (CouchStore, KeyValueStore, DjangoCacheTable): key -> the
/// group with its members, read once when the key was (CouchDocument::Parsed::groupMembers,
/// TaskGroups::readMembers()), and its CouchDB revision. The one home of how these stores
/// answer ResultStore::groups(), groupsOf() and fetchByTaskIds() from memory.
///
/// Plain value type, not thread-safe: used under its store's lock.
class IndexGroups final
{
public:
    struct Entry
    {
        TaskGroup group;
        QString rev; ///< CouchDB's _rev; empty for a key-value store
    };

    /// A Kind::Group parse of `key` (its docId), replacing any earlier one.
    void insert(const CouchDocument::Parsed &p);
    void remove(const QString &key) { m_entries.remove(key); }
    void clear() { m_entries.clear(); }
    bool contains(const QString &key) const { return m_entries.contains(key); }
    bool isEmpty() const { return m_entries.isEmpty(); }
    qsizetype size() const { return m_entries.size(); }
    /// key -> entry, in key order (what purges walk).
    const QMap<QString, Entry> &entries() const { return m_entries; }

    /// ResultStore::groups(): in the query's date range, newest first, at most limit.
    QVector<TaskGroup> groups(const TaskQuery &query, int limit) const;
    /// ResultStore::groupsOf(): the groups listing taskId among their members, newest first.
    QVector<TaskGroup> groupsOf(const QString &taskId) const;

private:
    QMap<QString, Entry> m_entries;
};

/// The slot of each task id's row: stored under the first of keyPrefixes that holds it (key =
/// prefix + "celery-task-meta-" + id); ids with no live row are left out.
QVector<qint64> indexSlotsByTaskIds(const CouchIndex &index, const QStringList &keyPrefixes, const QStringList &taskIds);
/// ResultStore::fetchByTaskIds() from an index alone: the Summary row (CouchIndex::summaryRow())
/// of each slot indexSlotsByTaskIds() finds.
QVector<TaskResult> indexRowsByTaskIds(const CouchIndex &index, const QStringList &keyPrefixes, const QStringList &taskIds);
