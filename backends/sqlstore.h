#pragma once

#include "resultstore.h"
#include "sqldialect.h"
#include "djangocachetable.h"
#include "seekpager.h"
#include "sqliteplanner.h"
#include "sqllayout.h"
#include "sqlstatements.h"

#include <QSqlQuery>
#include <QString>
#include <QVariantList>

#include <atomic>
#include <functional>
#include <memory>
#include <optional>

/// A ResultStore over SQL tables: django-celery-results (taskresult + groupresult) or Celery's
/// own celery_taskmeta (+ celery_tasksetmeta). The work is divided:
///   SqlDialect     what differs between engines: connecting, catalog, SQL fragments, errors;
///   SqlLayout      which tables and columns hold the fields, detected at open();
///   SqlStatements  every statement's text and bound values, from those two (pure);
///   SqlitePlanner  SQLite's own plans (pages of filters and searches, the purge cursor);
///   SqlStore       opens the connection, detects the layout, runs the statements (in short
///                  write transactions for deletes) and reads their rows.
///
/// Thread rules as ResultStore: created anywhere, then open() and every other call on one
/// thread; interrupt() from any thread. Owns its connection (a unique QSqlDatabase name,
/// removed in the destructor).
class SqlStore final : public ResultStore, private SqlRunner
{
public:
    /// On SQLite, the most expired rows a narrowed purge batch reads per row it may delete
    /// (purgeTasksByDate()): the write lock is never held for a scan of every expired row.
    static constexpr int narrowedScanFactor = 8;

    SqlStore(std::unique_ptr<SqlDialect> dialect, StoreOptions options);
    ~SqlStore() override;
    SqlStore(const SqlStore &) = delete;
    SqlStore &operator=(const SqlStore &) = delete;

    /// A store for a SQLite file.
    static std::unique_ptr<SqlStore> sqlite(const QString &path, const StoreOptions &options = {},
                                            int busyTimeoutMs = ::defaultBusyTimeoutMs);

    StoreError open() override;
    StoreInfo info() const override { return m_info; }

    Outcome<qint64> count(const TaskQuery &query) override;
    /// On PostgreSQL and MariaDB, for a search without set filters: the count and the four
    /// facets from one statement (SqlStatements::facetTally()), the facets kept for the next
    /// facets() call (see m_keptFacets). Elsewhere count().
    Outcome<qint64> countBeforeFacets(const TaskQuery &query) override;
    /// Unfiltered queries only: SQLite's rowid span (two b-tree probes; over-counts only by
    /// ids lost in the middle), else the engine's statistics (estimatedTotal()); -1 otherwise.
    Outcome<qint64> estimateCount(const TaskQuery &query) override;
    Outcome<QVector<TaskResult>> fetchPage(const TaskQuery &query, qint64 offset, int limit,
                                           RowDetail detail = RowDetail::Summary) override;
    Outcome<QVector<TaskResult>> fetchQuickMatches(const TaskQuery &query, int limit) override;
    Outcome<TaskResult> fetchOne(qint64 rowId) override;
    Outcome<TaskResult> fetchByTaskId(const QString &taskId) override;
    Outcome<Facets> facets(const TaskQuery &query) override;
    Outcome<StatusHistory> statusHistory(const TaskQuery &query, TimeBucket bucket) override;
    Outcome<RuntimeTable> runtimes(const TaskQuery &query) override;
    Outcome<FailureTable> failures(const TaskQuery &query) override;
    Outcome<QVector<TaskGroup>> groups(const TaskQuery &query, int limit) override;
    Outcome<QVector<TaskGroup>> groupsOf(const QString &taskId) override;
    Outcome<QVector<TaskResult>> fetchByTaskIds(const QStringList &taskIds) override;
    Outcome<PurgePreview> previewPurge(const PurgeCriteria &criteria) override;
    Outcome<DeleteBatch> purgeBatch(const PurgeCriteria &criteria, int batchSize) override;
    Outcome<DeleteBatch> deleteRows(const QVector<qint64> &rowIds) override;
    /// A Django DatabaseCache table re-reads what other clients changed into its index
    /// (DjangoCacheTable::refresh()); Celery's tables are read on every call: only the rows
    /// found for an exception filter (findExceptionRows()) are found again.
    StoreError refresh() override;
    void interrupt() override;
    /// Thread-safe: SQLite's stalk_tally() counter while a search scans.
    qint64 searchProgress() const override;

    /// The engine's statistics estimate of the table's row count (PostgreSQL pg_class.reltuples,
    /// MySQL information_schema.TABLES.TABLE_ROWS): instant on huge tables where COUNT(*) is
    /// slow, but approximate and maybe stale. -1 when the engine has none (SQLite) or no
    /// statistics were gathered yet.
    Outcome<qint64> estimatedTotal();

    /// The layout found by open(), for tests and diagnostics.
    const SqlLayout &layout() const { return m_statements.layout(); }
    /// The statements built for that layout, for tests and diagnostics.
    const SqlStatements &statements() const { return m_statements; }

private:
    QSqlDatabase database() const;
    void closeConnection();
    StoreError checkOpen() const;
    /// checkOpen(), then findExceptionRows() and the query's own limits (TaskQuery::searchError()).
    StoreError checkOpen(const TaskQuery &query);
    /// Where the dialect has no exception predicate (the servers) and an exception filter
    /// narrows: reads the rows that may hold a match (SqlStatements::exceptionCandidates()),
    /// keeps the ids of those whose ValueDecoder::exceptionOf() the filter matches, and hands
    /// them to the statements (SqlStatements::setExceptionRows()). Once per filter until
    /// refresh(): a purge deletes among the rows found when it was previewed, never a row
    /// written since.
    StoreError findExceptionRows(const ExceptionFilter &filter);
    StoreError refuseWrites(const QString &what) const;

    // open(): find the tables and their layout, then describe them.
    StoreError detect();
    /// No Celery table (or ?table= names a cache table): a Django DatabaseCache table holding
    /// django-celery-results' CacheBackend rows, read through m_cache; else `notFound`.
    StoreError detectCacheTable(QSqlDatabase &db, const SqlCatalog &catalog, const QString &named, const StoreError &notFound);
    Outcome<QString> findTable(const QStringList &tables) const;
    void detectGroupTable(const SqlCatalog &catalog, SqlLayout *layout);
    static void detectIndexes(const SqlCatalog &catalog, SqlLayout *layout);
    /// The StoreInfo of the detected layout (a write-protected file makes the store read-only).
    Outcome<StoreInfo> describe(const QStringList &tables, const QVector<SqlColumn> &columns);
    Outcome<QString> describeSchema(const QStringList &tables, const QVector<SqlColumn> &columns);
    /// The note saying that task names, arguments and workers are not stored, when so.
    Outcome<QString> extendedNote();

    // Running statements (SqlRunner: what SqlitePlanner runs through).
    /// Runs the statement; each one is logged to stalk.sql with its duration.
    Outcome<QSqlQuery> run(const SqlStatement &statement, const QString &what);
    Outcome<QSqlQuery> execute(const SqlStatement &statement, const QString &what);
    /// run(), then onto the first row; *found is false when there is none.
    Outcome<QSqlQuery> runToFirstRow(const SqlStatement &statement, const QString &what, bool *found);
    Outcome<qint64> scalar(const SqlStatement &statement, const QString &what) override;
    StoreError forEachRow(const SqlStatement &statement, const QString &what,
                          const std::function<void(const QSqlQuery &)> &onRow) override;
    /// Reads a page statement's rows; with `matching` set, the window count its rows carry
    /// after their fields (-1 when no row came back past offset 0, so it cannot tell); with
    /// `keys`, the value each row carries there.
    Outcome<QVector<TaskResult>> readPage(const SqlStatement &statement, qint64 offset, int limit, RowDetail detail,
                                          qint64 *matching = nullptr, QVariantList *keys = nullptr) override;
    quint64 statementsRun() const override { return m_statementsRun; }
    /// Runs statements in one write transaction, rolling back on any failure.
    StoreError inTransaction(const QString &what, const std::function<StoreError()> &work);

    TaskResult readRow(const QSqlQuery &query, const QVector<Field> &fields, RowDetail detail) const;
    /// A row of SqlStatements::groups() / groupsListing() as a group with its members.
    TaskGroup readGroup(const QSqlQuery &query) const;
    /// The groups statement's rows read by readGroup(), those `keep` accepts (all without
    /// one), newest first: what groups() and groupsOf() share once checkGroups() passed.
    Outcome<QVector<TaskGroup>> readGroups(const SqlStatement &statement, const QString &what,
                                           const std::function<bool(const TaskGroup &)> &keep = {});
    /// Why groups cannot be listed here (no group table, or one without its columns); no
    /// error when they can.
    StoreError checkGroups() const;
    Outcome<TaskResult> fetchRow(Field key, const QVariant &value, const QString &what, const QString &missing);
    Outcome<QVector<FacetValue>> facet(const TaskQuery &query, Field field, SqlStatements::Skip skip);
    /// A search's count and facets on a server, by one facetTally() statement.
    struct Tally
    {
        qint64 matching = 0;
        Facets facets;
    };
    Outcome<Tally> tally(const TaskQuery &query, const SqlClause &within = SqlClause());
    /// Runs `del`, a batch delete of at most `limit` rows (none when limit <= 0); when it
    /// deleted that many, asks `any` whether rows to delete are left.
    StoreError deleteBatch(const SqlStatement &del, const SqlStatement &any, qint64 limit, const QString &what,
                           qint64 *deleted, bool *left);
    /// The tasks of one purge batch along the date_done index, inside the batch's write
    /// transaction: finds where the batch of batchSize rows after the cursor ends, deletes
    /// that range, and tells whether expired results follow it.
    StoreError purgeTasksByDate(const PurgeCriteria &criteria, int batchSize, qint64 *deleted, bool *tasksLeft);
    /// A server's batch by (date_done, id) key: finds the batchSize-th row after `after`,
    /// deletes up to it (included) and moves the working cursor of purge `key` there.
    StoreError cutByKey(const PurgeCriteria &criteria, const SqlPurgeCursor &after, int batchSize, const QString &key,
                        qint64 *deleted, bool *tasksLeft);

    std::unique_ptr<SqlDialect> m_dialect;
    StoreOptions m_options;
    QString m_connection;
    bool m_opened = false;
    SqlStatements m_statements;
    /// SQLite's plans; null on the engines that plan with statistics.
    std::unique_ptr<SqlitePlanner> m_planner;
    /// The servers' keyset pages; null where m_planner is not.
    std::unique_ptr<SeekPager> m_pager;
    StoreInfo m_info;
    /// Set when the table is a Django DatabaseCache: every call goes to it.
    std::unique_ptr<DjangoCacheTable> m_cache;
    quint64 m_statementsRun = 0;
    /// Where the last batch of a purge along the date_done index ended, and which purge.
    struct PurgeCursor
    {
        QString criteria; ///< purgeKey() of the purge
        SqlPurgeCursor position;
    };
    PurgeCursor m_purgeCommitted; ///< as of the last committed batch
    PurgeCursor m_purgeWorking;   ///< moved by purgeTasksByDate(), committed with its batch
    /// The facets countBeforeFacets() tallied on a server, under SqlStatements::tallyKey() of
    /// its query. The validity rule (servers have no PRAGMA data_version to tell other
    /// clients' commits): they answer only the next facets() call, and only for the same
    /// query — the model's count and facets of one generation then describe the same rows,
    /// of one moment; every other facets() call, the next countBeforeFacets() and every write
    /// of this store drop them, so a refresh (a new generation) reads the table again.
    struct KeptFacets
    {
        TaskQuery query;
        Facets facets;
    };
    std::optional<KeptFacets> m_keptFacets;
    /// A server's first page of a search that held every match (fewer rows than asked): its
    /// ids, and statementsRun() when it was read. A countBeforeFacets() of the same query
    /// right after it (no statement run since: the model asks page 0, then the count) tallies
    /// those rows alone, by id, instead of scanning the table again; like SQLite's scan
    /// count, that count is of the page's moment.
    struct WholeFirstPage
    {
        TaskQuery query; ///< SqlStatements::tallyKey()
        QVector<qint64> ids;
        quint64 afterStatement = 0;
    };
    std::optional<WholeFirstPage> m_wholeFirstPage;
    /// Set by interrupt() (any thread); facets() stops between its statements.
    std::atomic<bool> m_facetsInterrupted{false};
};
