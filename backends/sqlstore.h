#pragma once

#include "resultstore.h"
#include "sqldialect.h"
#include "sqllayout.h"

#include <QSqlQuery>
#include <QString>
#include <QTimeZone>
#include <QVariantList>

#include <atomic>
#include <memory>

/// A ResultStore over SQL tables: django-celery-results (taskresult + groupresult) or Celery's
/// own celery_taskmeta (+ celery_tasksetmeta). Engine differences live in the SqlDialect,
/// table/column differences in the SqlLayout detected at open(); this class only assembles
/// statements from them, with every user value bound, never spliced.
///
/// Thread rules as ResultStore: created anywhere, then open() and every other call on one
/// thread; interrupt() from any thread. Owns its connection (a unique QSqlDatabase name,
/// removed in the destructor).
class SqlStore final : public ResultStore
{
public:
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
    Outcome<QVector<TaskResult>> fetchPage(const TaskQuery &query, qint64 offset, int limit,
                                           RowDetail detail = RowDetail::Summary) override;
    Outcome<TaskResult> fetchOne(qint64 rowId) override;
    Outcome<TaskResult> fetchByTaskId(const QString &taskId) override;
    Outcome<Facets> facets(const TaskQuery &query) override;
    Outcome<PurgePreview> previewPurge(const PurgeCriteria &criteria) override;
    Outcome<DeleteBatch> purgeBatch(const PurgeCriteria &criteria, int batchSize) override;
    Outcome<DeleteBatch> deleteRows(const QVector<qint64> &rowIds) override;
    void interrupt() override;

    /// The engine's statistics estimate of the table's row count (PostgreSQL pg_class.reltuples,
    /// MySQL information_schema.TABLES.TABLE_ROWS): instant on huge tables where COUNT(*) is
    /// slow, but approximate and maybe stale. -1 when the engine has none (SQLite) or no
    /// statistics were gathered yet.
    /// Unfiltered queries only: SQLite's rowid span (two b-tree probes; over-counts only by
    /// ids lost in the middle), else the engine's statistics; -1 otherwise.
    Outcome<qint64> estimateCount(const TaskQuery &query) override;
    Outcome<QVector<TaskResult>> fetchQuickMatches(const TaskQuery &query, int limit) override;
    Outcome<qint64> estimatedTotal();
    /// MAX(id) - MIN(id) + 1: an upper bound of the row count from two b-tree probes.
    Outcome<qint64> rowIdSpan();

    /// The layout found by open(), for tests and diagnostics.
    const SqlLayout &layout() const { return m_layout; }


private:
    /// A WHERE fragment and its bound values, in order.
    struct Clause
    {
        QString sql;
        QVariantList values;
        void add(const QString &fragment, const QVariantList &fragmentValues = {});
        QString where() const;
    };
    enum class Skip { Nothing, Statuses, TaskNames, Workers, PeriodicTaskNames };

    QSqlDatabase database() const;
    void closeConnection();
    Outcome<QSqlQuery> run(const QString &sql, const QVariantList &values, const QString &what);
    StoreError checkOpen() const;
    StoreError refuseWrites(const QString &what) const;
    StoreError detect();

    QString col(Field field) const;
    /// A UTC instant as the engine compares it with stored dates (in the wall clock of
    /// StoreOptions::timeZone when the stored dates are naive local times).
    QVariant dateParam(const QDateTime &utc, int extraMicroseconds = 0) const;
    /// A stored date as UTC (the inverse of dateParam).
    QDateTime dateOf(const QVariant &stored, QString *problem) const;
    /// unindexed: a set-filter field written as "+column" so that its index stays out of
    /// the plan (see pageWalksSortIndex()).
    Clause filterClause(const TaskQuery &query, Skip skip, Field unindexed = Field::FieldCount) const;
    void addSetFilter(Clause &clause, Field field, const QStringList &values, bool unindexed = false) const;
    /// For a page of a query sorted by date_done with one set filter (SQLite): the filter's
    /// field when walking the date_done index and testing each row is cheaper than reading
    /// every match through the filter's index and sorting them; Field::FieldCount otherwise.
    Outcome<Field> pageWalksSortIndex(const TaskQuery &query, qint64 offset, int limit);
    /// True for a search (alone, newest first, on an engine that plans without statistics
    /// and a date_done index) whose page may be read better by scanning the table than by
    /// walking the index (see fetchPage()).
    bool searchMayScan(const TaskQuery &query) const;
    /// One page: the ids matching `clause` in the query's order, read from `from` (the table,
    /// maybe with an index hint), then their rows (late row lookup).
    /// With matching set, the statement also counts every row matching `clause` (a window
    /// count: free on a scan, which reads every row anyway) into *matching.
    /// One batch of a purge that walks the date_done index (SQLite): see purgeBatch().
    StoreError deleteExpiredByDate(const PurgeCriteria &criteria, int batchSize, DeleteBatch *batch, bool *tasksLeft);
    Outcome<QVector<TaskResult>> readPage(const TaskQuery &query, const Clause &clause, const QString &from,
                                          qint64 offset, int limit, RowDetail detail, qint64 *matching = nullptr);
    /// unindexedFilters: status and task name written as "+column" (their indexes stay out).
    Clause expiredClause(const PurgeCriteria &criteria, bool unindexedFilters = false) const;
    bool groupsIncluded(const PurgeCriteria &criteria) const;
    QString orderBy(const TaskQuery &query, const QString &prefix) const;

    /// The select list for a detail level, and the Field each selected column fills.
    QString selectList(RowDetail detail, const QString &prefix, QVector<Field> *fields) const;
    TaskResult readRow(const QSqlQuery &query, const QVector<Field> &fields, RowDetail detail) const;
    Outcome<TaskResult> fetchWhere(const QString &column, const QVariant &value, const QString &what,
                                   const QString &missing);
    Outcome<QVector<FacetValue>> facet(const TaskQuery &query, Field field, Skip skip);
    Outcome<qint64> scalar(const QString &sql, const QVariantList &values, const QString &what);
    /// Runs statements in one write transaction, rolling back on any failure.
    StoreError inTransaction(const QString &what, const std::function<StoreError()> &work);

    std::unique_ptr<SqlDialect> m_dialect;
    StoreOptions m_options;
    QString m_connection;
    bool m_opened = false;
    SqlLayout m_layout;
    StoreInfo m_info;
    QString m_table;      ///< quoted
    QString m_groupTable; ///< quoted; empty when absent
    bool m_dateDoneIndexed = false; ///< an index leads with date_done (known on SQLite only)
    /// Statements run so far (run()): tells whether anything ran since a remembered answer.
    quint64 m_statements = 0;
    /// A search's count learnt by the scan that read its first page; count() answers with it
    /// when it is the very next call for the same query (the model asks page 0, then count).
    struct ScanCount
    {
        TaskQuery query;
        qint64 matching = -1;
        quint64 afterStatement = 0;
    };
    ScanCount m_scanCount;
    /// Where the last purge batch stopped in date_done order (date walk only): the next batch
    /// starts after it, so the rows a narrowed purge keeps are walked once, not by every batch.
    struct PurgeCursor
    {
        QString criteria; ///< purgeKey() of the purge it belongs to
        QVariant dateDone;
        qint64 rowId = -1;
    };
    PurgeCursor m_purgeCursor;
    static QString purgeKey(const PurgeCriteria &criteria);
    QString m_groupPurgeOrder; ///< the order group purge batches delete in: an indexed date_done, else the id
    QTimeZone m_wallClock; ///< valid when naive stored dates are local times of this zone
    /// Set by interrupt() (any thread); facets() stops between its statements.
    std::atomic<bool> m_facetsInterrupted{false};
};
