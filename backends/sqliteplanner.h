#pragma once

#include "resultstore.h"
#include "sqlstatements.h"
#include "taskquery.h"

#include <QVector>

#include <atomic>
#include <functional>
#include <optional>

class QSqlQuery;

/// What a plan needs from the store that runs its statements (SqlStore implements it).
class SqlRunner
{
public:
    /// Runs a statement whose answer is one number (0 when it gives no row).
    virtual Outcome<qint64> scalar(const SqlStatement &statement, const QString &what) = 0;
    /// Runs a statement and hands each row it gives to onRow.
    virtual StoreError forEachRow(const SqlStatement &statement, const QString &what,
                                  const std::function<void(const QSqlQuery &)> &onRow) = 0;
    /// Runs a SqlStatements::page() statement (at most `limit` rows from `offset`) and reads
    /// its rows; with `matching` set, also the window count the statement carries (-1 when it
    /// cannot tell); with `keys` set, the value each row carries after its fields
    /// (SqlStatements::seekPage()'s sort value), one per row.
    virtual Outcome<QVector<TaskResult>> readPage(const SqlStatement &statement, qint64 offset, int limit,
                                                  RowDetail detail, qint64 *matching = nullptr,
                                                  QVariantList *keys = nullptr) = 0;
    /// Statements run so far: tells whether anything ran since a remembered answer.
    virtual quint64 statementsRun() const = 0;

protected:
    ~SqlRunner() = default;
};

/// The plan of a search's page where no index answers "contains", one rule for SqlitePlanner
/// (SQLite) and SeekPager (PostgreSQL, MariaDB): the engine's own plan walks the date_done index newest
/// first, testing each row, and reads about (offset + limit) / density rows; for a rare term
/// (a task id, 1 row in a million) that is every row, each fetched out of order, about 1.5×
/// a plain scan of the table followed by a sort. So the newest rows are probed first; when
/// they hold the page, that is the answer (every earlier match lies in them), otherwise
/// their matches tell the density, and the cheaper of the walk and the scan reads the page.
namespace SearchProbe {
/// True for a search alone (no set filter, no date range), newest first, with a date_done index.
bool applies(const SqlStatements &statements, const TaskQuery &query);
/// The newest rows a probe reads in a table of about `rows` rows; a table of at most twice
/// as many is read as the engine plans.
qint64 windowFor(qint64 rows);
/// Whether the rest of the page costs less by scanning the table (about `rows` rows) than
/// by walking the index on, `needed` matches being wanted after a probe of `probed` rows
/// found `found`: the walk would read about needed × probed / found rows, each step an index
/// entry and a row fetched out of order, about 1.5 scan steps.
bool scanBeatsWalk(qint64 needed, qint64 probed, qint64 found, qint64 rows);
} // namespace SearchProbe

/// The plans SQLite needs because it plans without statistics, each decided from a cheap
/// probe of the table itself (SqlStatements builds every statement, a SqlRunner runs them):
///
/// - a page of a filter on a common value walks the date_done index, testing each row; on a
///   rare value it reads the value's own index and sorts (pageWalksSortIndex());
/// - a page of a search probes the newest rows through the date_done index first, then goes
///   on down the index or scans the table once, whichever costs less for the term's density
///   (searchPage(), by SearchProbe's rule); a scan reads the page, the count and every
///   facet in the same pass (searchTally()), and count() and facets() take them instead of
///   scanning again (takeScanCount(), tallyFacets());
/// - the facets of any search without set filters come from one scan together
///   (tallyFacets()), not one scan each.
///
/// Owned by one SqlStore and used on its thread.
class SqlitePlanner final
{
public:
    /// All three must outlive the planner; `tallyCounter` is the connection's stalk_tally()
    /// counter (SqlDialect::searchTally()).
    SqlitePlanner(const SqlStatements &statements, SqlRunner &runner, std::atomic<qint64> *tallyCounter);
    SqlitePlanner(const SqlitePlanner &) = delete;
    SqlitePlanner &operator=(const SqlitePlanner &) = delete;

    Outcome<QVector<TaskResult>> fetchPage(const TaskQuery &query, qint64 offset, int limit, RowDetail detail);
    /// The number of rows matching `query` that the scan reading its first page counted, when
    /// it is asked right after that page (the model asks page 0, then the count); once.
    std::optional<qint64> takeScanCount(const TaskQuery &query);
    /// The facets of such a search, taken from the kept tally when nothing was written since
    /// (once), else from a new one.
    Outcome<Facets> tallyFacets(const TaskQuery &query);
    /// Forgets the kept tally: the store itself wrote (which PRAGMA data_version, telling
    /// other connections' commits, does not show).
    void forgetTally() { m_tally.reset(); }
    /// MAX(id) - MIN(id) + 1: an upper bound of the row count from two b-tree probes (it
    /// over-counts only by ids lost in the middle).
    Outcome<qint64> rowIdSpan();

private:
    /// A search's count and facets from one scan, and when it ran.
    struct Tally
    {
        TaskQuery query; ///< sorted by default: the order changes neither
        qint64 matching = 0;
        Facets facets;
        qint64 dataVersion = -1;
    };
    /// Runs searchTally() (with the first page's rowids when pageLimit > 0, into *pageIds)
    /// and keeps it as m_tally.
    StoreError runTally(const TaskQuery &query, int pageLimit, QVector<qint64> *pageIds);
    /// The kept tally of the query when nothing was written since; else nullptr.
    const Tally *keptTally(const TaskQuery &query);
    /// A search's first page by one scan that also tallies its count and facets.
    Outcome<QVector<TaskResult>> scanWithTally(const TaskQuery &query, int limit, RowDetail detail);
    /// A search's count learnt by the scan that read its first page.
    struct ScanCount
    {
        TaskQuery query;
        qint64 matching = -1;
        quint64 afterStatement = 0;
    };

    /// For a page sorted by date_done with one set filter: the filter's field when walking
    /// the date_done index and testing each row is cheaper than reading every match through
    /// the filter's index and sorting them; Field::FieldCount otherwise.
    Outcome<Field> pageWalksSortIndex(const TaskQuery &query, qint64 offset, int limit);
    Outcome<QVector<TaskResult>> searchPage(const TaskQuery &query, qint64 offset, int limit, RowDetail detail);
    /// The rest of a search's page (`page`: the probe's matches) below the probe's boundary,
    /// then among NULL dates.
    Outcome<QVector<TaskResult>> walkBelowProbe(const TaskQuery &query, const SqlClause &clause,
                                                const QVariant &boundary, QVector<TaskResult> page, int limit,
                                                SqlStatements::Access access, RowDetail detail);
    Outcome<QVector<TaskResult>> readPage(const TaskQuery &query, const SqlClause &clause, qint64 offset, int limit,
                                          RowDetail detail, SqlStatements::Access access = SqlStatements::Access::Planned,
                                          qint64 *matching = nullptr);

    const SqlStatements &m_statements;
    SqlRunner &m_runner;
    ScanCount m_scanCount;
    std::optional<Tally> m_tally;
    std::atomic<qint64> *m_tallyCounter = nullptr;
};
