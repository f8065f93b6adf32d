#pragma once

#include "resultstore.h"

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
