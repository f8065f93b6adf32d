#pragma once

#include "couchdocument.h"
#include "couchindex.h"
#include "resultstore.h"

/// Rules shared by the stores over an in-memory index (CouchStore, RedisStore, DjangoCacheTable).
///
/// One batch of a purge over a store's in-memory index (CouchStore, RedisStore): the expired
/// task results first and, once none is left, the expired group results; the batch is
/// finished when neither is left. The one home of that order for both stores.
///   pending(bool groups, int limit): at most `limit` of what is left to delete, in the
///     store's own form of a key (a container with isEmpty()); read under the store's lock.
///   remove(bool groups, keys) -> Outcome<qint64>: deletes them, each re-checked by the store
///     against the criteria at the moment it is deleted, and says how many went.
/// The caller checks for an interruption afterwards and updates its StoreInfo.
template <typename Pending, typename Remove>
Outcome<DeleteBatch> purgeIndexBatch(int batchSize, const Pending &pending, const Remove &remove)
{
    DeleteBatch batch;
    const int limit = qMax(1, batchSize);
    for (const bool groups : {false, true}) {
        const auto keys = pending(groups, limit);
        if (keys.isEmpty())
            continue;
        const Outcome<qint64> n = remove(groups, keys);
        if (!n)
            return n.error();
        (groups ? batch.groups : batch.tasks) = *n;
        break; // groups only once no task is left
    }
    batch.finished = pending(false, 1).isEmpty() && pending(true, 1).isEmpty();
    return batch;
}

/// Whether a document re-read at the moment of deleting still qualifies for a purge batch of
/// tasks (groups false) or of groups: the remove() re-check of purgeIndexBatch().
inline bool stillExpired(const PurgeCriteria &criteria, bool groups, const CouchDocument::Parsed &p)
{
    using Kind = CouchDocument::Parsed::Kind;
    return groups ? p.kind == Kind::Group && criteria.matchesGroup(p.groupDateDone)
                  : p.kind == Kind::Task && criteria.matches(p.task) && CouchIndex::matchesNarrowing(p.task, criteria);
}

/// Delete Selected over an in-memory index (RedisStore, DjangoCacheTable), in two steps so a
/// store can read the index under its lock and delete without it:
///   indexKeysOfRows(): the keys of the rows still indexed;
///   deleteSelectedKeys(): remove(keys) -> Outcome<qint64> deletes each key that is still a
///     Celery task result, whatever its dates, and says how many went.
inline QStringList indexKeysOfRows(const CouchIndex &index, const QVector<qint64> &rowIds)
{
    QStringList keys;
    for (qint64 rowId : rowIds) {
        const qint64 slot = index.slotOfRow(rowId);
        if (slot >= 0)
            keys.append(index.docId(slot));
    }
    return keys;
}

template <typename Remove>
Outcome<DeleteBatch> deleteSelectedKeys(const QStringList &keys, const Remove &remove)
{
    DeleteBatch batch;
    batch.finished = true;
    if (keys.isEmpty())
        return batch;
    const Outcome<qint64> n = remove(keys);
    if (!n)
        return n.error();
    batch.tasks = *n;
    return batch;
}

/// The fields of a Celery meta read from a key-value store (Redis, a Django cache), which
/// also knows each key's expiry: task name, arguments, worker, retries and queue only when
/// some result has them (result_extended).
inline FieldSet keyValueMetaFields(const CouchIndex &index)
{
    FieldSet fields{Field::RowId, Field::TaskId,   Field::Status,  Field::Result,   Field::Traceback,
                    Field::Meta,  Field::DateDone, Field::GroupId, Field::ParentId, Field::Expires};
    if (index.anyExtended()) {
        for (Field f : {Field::TaskName, Field::Args, Field::Kwargs, Field::Worker, Field::Retries, Field::Queue})
            fields.insert(f);
    }
    return fields;
}
