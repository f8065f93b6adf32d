#pragma once

#include "aggregates.h"
#include "storeerror.h"
#include "taskgroup.h"
#include "taskquery.h"
#include "taskresult.h"

#include <QMap>
#include <QVector>

#include <functional>
#include <memory>

/// What an opened store holds.
struct StoreInfo
{
    enum class Layout {
        DjangoCeleryResults, ///< django_celery_results_taskresult (+ groupresult)
        CeleryTaskMeta,      ///< Celery's SQLAlchemy celery_taskmeta (+ celery_tasksetmeta)
        CouchDb,             ///< Celery CouchBackend documents
        Redis,               ///< Celery RedisBackend keys
        DjangoCache,         ///< django-celery-results CacheBackend rows in a Django DatabaseCache table
    };
    Layout layout = Layout::DjangoCeleryResults;
    QString engine;       ///< "SQLite", "PostgreSQL", "MariaDB", "CouchDB", "Redis"
    QString location;     ///< the URL or path, without any password — for titles and messages
    QString tableName;    ///< the results table (SQL) or database (CouchDB)
    QString schema;       ///< human summary: "django-celery-results 2.4 (migration 0011)"
    FieldSet fields;      ///< fields the schema has; others are unavailable, not errors
    bool hasGroups = false;   ///< a GroupResult/taskset table (or documents) exists
    bool readOnly = false;    ///< opened read-only: every delete fails with PermissionDenied
    /// Each entry carries Django's own cache expiry, past which Django's cache reads it as
    /// missing (a DatabaseCache table, a FileBasedCache directory): PurgeCriteria::cacheExpired
    /// works here. Not on servers that expire keys by TTL themselves (Redis, memcached).
    bool hasCacheExpiry = false;
    QString note;         ///< anything the user should know ("task_name is NULL in every row: the app runs without result_extended")
};

Q_DECLARE_METATYPE(StoreInfo)

/// What a purge would delete: counts per status, plus expired groups.
struct PurgePreview
{
    qint64 total = 0;                ///< task results
    QMap<QString, qint64> byStatus;  ///< status -> count, sums to total
    qint64 groups = 0;               ///< expired GroupResults (0 when narrowed or absent)
    /// Task results the narrowing selects that are past their Django cache expiry at the
    /// criteria's cacheNow (PurgeCriteria::cacheExpiredOnly()), whether or not the criteria
    /// asks for them: with cacheExpired they are all among total. 0 on stores without a cache
    /// expiry or without cacheNow.
    qint64 cacheExpired = 0;
};

Q_DECLARE_METATYPE(PurgePreview)

/// One batch of a purge or of a delete-by-id.
struct DeleteBatch
{
    qint64 tasks = 0;
    qint64 groups = 0;
    bool finished = false; ///< nothing expired is left (for purges)
    /// Nothing deleted, yet not finished: the batch passed rows the purge keeps (a narrowed
    /// purge reads the expired rows in bounded windows) and the next one starts after them.
    bool movedOn = false;
    /// The batch's transaction kept every other writer out of the whole store while it ran
    /// (SQLite's database-wide write lock), so the Purger lets them in between batches
    /// (Purger::lockBurstMs); false where writers only wait for the rows deleted.
    bool excludedWriters = false;
    /// Of tasks, those deleted as past their Django cache expiry (PurgeCriteria::cacheExpired).
    qint64 cacheExpired = 0;
};

/// Why a store refuses a purge that asks for the entries past their Django cache expiry
/// (PurgeCriteria::cacheExpired) — one sentence per kind of store — or no error when it has
/// such an expiry (StoreInfo::hasCacheExpiry) or the purge does not ask.
inline StoreError cacheExpiryError(const StoreInfo &info, const PurgeCriteria &criteria)
{
    if (!criteria.cacheExpired || info.hasCacheExpiry)
        return {};
    QString why;
    switch (info.layout) {
    case StoreInfo::Layout::DjangoCeleryResults:
        why = QStringLiteral("django-celery-results' tables keep no cache expiry: a result there expires by its "
                             "date done alone");
        break;
    case StoreInfo::Layout::CeleryTaskMeta:
        why = QStringLiteral("Celery's celery_taskmeta table keeps no cache expiry: a result there expires by its "
                             "date done alone");
        break;
    case StoreInfo::Layout::CouchDb:
        why = QStringLiteral("CouchDB documents keep no cache expiry: a result there expires by its date done alone");
        break;
    case StoreInfo::Layout::Redis:
    case StoreInfo::Layout::DjangoCache:
        why = QStringLiteral("%1 expires its keys by their TTL itself, so none is kept past its expiry")
                  .arg(info.engine.isEmpty() ? QStringLiteral("the server") : info.engine);
        break;
    }
    return StoreError(StoreError::Code::Unsupported, why);
}

/// Which columns a page row carries. Summary rows have args/result cut to previewChars and
/// no traceback/meta; Full rows are complete (the command line's list uses them).
enum class RowDetail { Summary, Full };

/// Access to one Celery result store (a SQL table pair, a CouchDB database).
///
/// Thread rules: a store is created on any thread, then open() and every other call happen
/// on one thread — the one that called open(). The only exception is interrupt(), which
/// may be called from any thread to abort the call running right now (it then returns
/// StoreError::Code::Cancelled). Use one store per thread; a factory makes more.
///
/// All calls are synchronous; callers keep them off the GUI thread.
class ResultStore
{
public:
    virtual ~ResultStore() = default;

    /// Connects and detects the schema. Every other call requires a successful open().
    virtual StoreError open() = 0;
    virtual StoreInfo info() const = 0;

    virtual Outcome<qint64> count(const TaskQuery &query) = 0;
    /// count(), for a caller that asks facets() of the same query right after (the window's
    /// model does, once per generation): a store that answers both in one pass may do so
    /// here and keep the facets for that call, so they describe the same rows as the count.
    /// A plain count() (the command line's) stays as cheap as it was.
    virtual Outcome<qint64> countBeforeFacets(const TaskQuery &query) { return count(query); }

    /// Rows [offset, offset + limit) of the query's order.
    virtual Outcome<QVector<TaskResult>> fetchPage(const TaskQuery &query, qint64 offset, int limit,
                                                   RowDetail detail = RowDetail::Summary)
        = 0;

    /// One complete row by the store's key; NotFound when it is gone.
    virtual Outcome<TaskResult> fetchOne(qint64 rowId) = 0;
    /// One complete row by Celery task id; NotFound when there is none.
    virtual Outcome<TaskResult> fetchByTaskId(const QString &taskId) = 0;

    virtual Outcome<Facets> facets(const TaskQuery &query) = 0;

    virtual Outcome<PurgePreview> previewPurge(const PurgeCriteria &criteria) = 0;
    /// Deletes at most batchSize expired task results (then expired groups, once no task
    /// result is left) in one short transaction.
    virtual Outcome<DeleteBatch> purgeBatch(const PurgeCriteria &criteria, int batchSize) = 0;
    /// Deletes exactly these rows (those still present) in one short transaction.
    virtual Outcome<DeleteBatch> deleteRows(const QVector<qint64> &rowIds) = 0;

    /// Reads what other clients changed since open() (or the last refresh) into what count(),
    /// fetchPage() and facets() answer from, for a store that answers from an index it keeps
    /// (CouchDB: the _changes feed; Redis, memcached: a re-scan of the keys). The window's
    /// refresh (F5, auto-refresh) calls it through StoreWorker::count(); stores that read the
    /// database on every call have nothing to do. Returns at once while the index is loading.
    virtual StoreError refresh() { return {}; }

    /// Thread-safe: abort the running call, if any.
    virtual void interrupt() { }
    /// Thread-safe: while a call scans for a search's matches, how many it has found so far
    /// ("searching… 123 matches so far"); -1 when none is scanning or the store cannot tell.
    virtual qint64 searchProgress() const { return -1; }
    /// Thread-safe: while open() waits on something slow that the server reports on (CouchDB
    /// building Stalk's views), one sentence saying what and how far ("the server is
    /// building the views of _design/stalk: 45% (…)"); empty otherwise.
    virtual QString openingNote() const { return QString(); }

    // Incremental opening (additive; stores that read everything in open() ignore it).
    // A store that must build an in-memory index (CouchDB) may, when asked before open(),
    // return from open() once the first rows are indexed and keep reading the rest in the
    // background. Meanwhile count(), fetchPage() and facets() answer from what is indexed so
    // far (consistent with each other at any one moment, growing over time), while
    // previewPurge() and purgeBatch() wait for the complete index (a purge never decides on
    // a partial one). Callers that need the complete answer call waitUntilLoaded().

    /// Set before open(): true = open() may return before the index is complete.
    virtual void setIncrementalOpen(bool /*incremental*/) { }
    /// Set before open(): false = no live updates between refreshes (Redis keyspace
    /// notifications: no subscriber connection, no thread), for a one-shot command that
    /// never refreshes. info().note still says what a live store would get.
    virtual void setFollowChanges(bool /*follow*/) { }
    /// Thread-safe: the store is still reading its index in the background.
    virtual bool isLoading() const { return false; }
    /// Thread-safe: how many documents/rows are indexed so far; -1 when the store keeps no index.
    virtual qint64 loadedCount() const { return -1; }
    /// Blocks until the background reading finished; its error if it failed; Cancelled on
    /// interrupt(). Returns at once for stores that are never loading.
    virtual StoreError waitUntilLoaded() { return {}; }

    /// A fast approximate row count of the query (additive): O(log n) or statistics, never a
    /// scan; -1 when the store has none for this query. count() gives the exact figure.
    virtual Outcome<qint64> estimateCount(const TaskQuery & /*query*/) { return qint64(-1); }

    /// Rows of a search that an index finds at once (a task-id prefix: the term pasted from
    /// a log), in the query's order, at most `limit` (additive). Every row returned matches
    /// the whole query; rows may be missing (the full search finds them). Empty when the
    /// store has no such shortcut for this query. Shown while fetchPage() reads the real
    /// first page, which for a rare term is a scan of every row.
    virtual Outcome<QVector<TaskResult>> fetchQuickMatches(const TaskQuery & /*query*/, int /*limit*/)
    {
        return QVector<TaskResult>();
    }

    // Aggregates (additive), computed by the store over the results matching the query: SQL
    // GROUP BY and window functions, or one walk over the CouchDB/Redis index. The rules that
    // turn the groups into the answer (buckets, percentiles) live in models/aggregates.h.

    /// Results per bucket of date_done, by status (`stalk stats --by`).
    virtual Outcome<StatusHistory> statusHistory(const TaskQuery & /*query*/, TimeBucket /*bucket*/)
    {
        return StoreError(StoreError::Code::Unsupported,
                          QStringLiteral("%1 cannot count results by time").arg(info().engine));
    }
    /// Runtime percentiles per task name (`stalk runtimes`). The default answers for stores
    /// whose schema records no start (CouchDB, Redis: only date_done): noRuntimeBasis().
    virtual Outcome<RuntimeTable> runtimes(const TaskQuery & /*query*/)
    {
        if (!runtimeBasis(info().fields))
            return noRuntimeBasis(info().schema);
        return StoreError(StoreError::Code::Unsupported,
                          QStringLiteral("%1 cannot compute runtimes").arg(info().engine));
    }

    /// The query's results grouped by task name, exception type and message fingerprint
    /// (`stalk failures`; FailureTableBuilder's rules). The caller chooses the statuses.
    virtual Outcome<FailureTable> failures(const TaskQuery & /*query*/)
    {
        return StoreError(StoreError::Code::Unsupported,
                          QStringLiteral("%1 cannot group failures").arg(info().engine));
    }

    // Saved groups (additive): GroupResult rows, celery_tasksetmeta, celery-taskset-meta-<id>.
    // Their members come from TaskGroups::readMembers(); their statuses from the task rows
    // (fetchByTaskIds()); TaskGroups::list() composes the two.

    /// Saved groups, newest first (TaskGroups::sortNewestFirst()), at most `limit`, whose
    /// date_done is in the query's date range (its other filters do not apply to groups).
    virtual Outcome<QVector<TaskGroup>> groups(const TaskQuery & /*query*/, int /*limit*/)
    {
        return noGroups();
    }
    /// The saved groups that list this task id among their members (usually one).
    virtual Outcome<QVector<TaskGroup>> groupsOf(const QString & /*taskId*/) { return noGroups(); }
    /// Summary rows of the results with these task ids, those stored (in any order; an id
    /// with no result is left out). The default asks fetchByTaskId() for each; SQL stores
    /// read them by one statement per batch of bound values.
    virtual Outcome<QVector<TaskResult>> fetchByTaskIds(const QStringList &taskIds)
    {
        QVector<TaskResult> rows;
        for (const QString &id : taskIds) {
            auto row = fetchByTaskId(id);
            if (row)
                rows << *row;
            else if (row.error().code != StoreError::Code::NotFound)
                return row.error();
        }
        return rows;
    }

    /// How many characters of args/result a Summary row keeps.
    static constexpr int previewChars = 200;

protected:
    /// The sentence of a store that cannot list saved groups.
    StoreError noGroups() const
    {
        return StoreError(StoreError::Code::Unsupported,
                          QStringLiteral("%1 cannot list saved groups yet").arg(info().engine));
    }
};

/// Makes a new, unopened store for the same location. Called on the thread that will use
/// the store; safe to call from several threads.
using StoreFactory = std::function<std::unique_ptr<ResultStore>()>;
