#pragma once

#include <algorithm>

#include "couchdocument.h"
#include "couchindex.h"
#include "resultstore.h"

/// Rules shared by the stores over an in-memory index (CouchStore, RedisStore, DjangoCacheTable).
///
/// The parts of a purge over an in-memory index, in the order they go: the task results past
/// their Django cache expiry (PurgeCriteria::cacheExpired; counted apart in
/// DeleteBatch::cacheExpired), then the other task results the criteria select, then — once
/// no task result is left — the expired group results.
enum class IndexPurgePart { CacheExpired, Tasks, Groups };

/// One batch of a purge over a store's in-memory index (CouchStore, KeyValueStore,
/// DjangoCacheTable): the first part (IndexPurgePart) with anything left; the batch is finished
/// when no part has. The one home of that order for every such store.
///   pending(IndexPurgePart part, int limit): at most `limit` of what is left to delete in that
///     part, in the store's own form of a key (a container with isEmpty()); read under the
///     store's lock.
///   remove(IndexPurgePart part, keys) -> Outcome<qint64>: deletes them, each re-checked by
///     the store (stillExpired()) at the moment it is deleted, and says how many went.
/// The caller checks for an interruption afterwards and updates its StoreInfo.
template <typename Pending, typename Remove>
Outcome<DeleteBatch> purgeIndexBatch(int batchSize, const Pending &pending, const Remove &remove)
{
    DeleteBatch batch;
    const int limit = qMax(1, batchSize);
    const IndexPurgePart parts[] = {IndexPurgePart::CacheExpired, IndexPurgePart::Tasks, IndexPurgePart::Groups};
    for (const IndexPurgePart part : parts) {
        const auto keys = pending(part, limit);
        if (keys.isEmpty())
            continue;
        const Outcome<qint64> n = remove(part, keys);
        if (!n)
            return n.error();
        (part == IndexPurgePart::Groups ? batch.groups : batch.tasks) = *n;
        if (part == IndexPurgePart::CacheExpired) {
            batch.cacheExpired = *n;
            // Every one rewritten since (a fresh expiry): the next batch goes on to the other
            // parts, rather than the Purger taking an empty batch for the end.
            batch.movedOn = *n == 0;
        }
        break; // one part a batch; groups only once no task is left
    }
    batch.finished = std::all_of(std::cbegin(parts), std::cend(parts),
                                 [&pending](IndexPurgePart part) { return pending(part, 1).isEmpty(); });
    batch.movedOn = batch.movedOn && !batch.finished;
    return batch;
}

/// Whether a document re-read at the moment of deleting still qualifies for its part of a
/// purge batch: the remove() re-check of purgeIndexBatch(). A task result past its cache
/// expiry is left to the CacheExpired part (so that part counts every one of them).
inline bool stillExpired(const PurgeCriteria &criteria, IndexPurgePart part, const CouchDocument::Parsed &p)
{
    using Kind = CouchDocument::Parsed::Kind;
    if (part == IndexPurgePart::Groups)
        return p.kind == Kind::Group && criteria.matchesGroup(p.groupDateDone);
    if (p.kind != Kind::Task || !criteria.matches(p.task) || !CouchIndex::matchesNarrowing(p.task, criteria))
        return false;
    return criteria.isCacheExpired(p.task.expires) == (part == IndexPurgePart::CacheExpired);
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
