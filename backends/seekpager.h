#pragma once

#include "resultstore.h"
#include "sqliteplanner.h"
#include "sqlstatements.h"
#include "taskquery.h"

#include <QMap>
#include <QVector>

/// Pages of the servers (PostgreSQL, MariaDB) read by keyset instead of OFFSET: it keeps the
/// keys (sort value and id) of the first and last row of every page it read for the current
/// query, and reads a page from the nearest of: the first row, a kept key before the page
/// (forward), a kept key after it (backward), or the last row (backward, when the query's
/// count is known). A next or previous page then costs its own rows; a far jump costs the
/// rows between the page and the nearer end or kept key, never more than half the rows.
///
/// A far jump where the sort column's index can be walked alone (SqlStatements::
/// canWalkSortIndex(): date_done, unfiltered or by date only) costs index steps instead of
/// row reads: the sort value at the page's first row comes from a walk of the index from the
/// nearer end (which reads no table row even where the index holds no id, as on PostgreSQL),
/// the rows before it that share its value are counted, and the page is read from the first
/// row with that value, that many rows on. Row numbers stay exact.
///
/// A search's first page follows SearchProbe's plan where the dialect can keep a sort from
/// walking an index (SqlStatements::hasScannedPage()): the page among the rows dated from
/// about `window` ids below the newest on (pageThrough()), else by the walk or by a scan of
/// the table (scannedPage()), whichever the probe's matches say costs less. The engine's own plan
/// would walk the date_done index through every row for a word no row holds.
///
/// A far jump in an order by a column of few values (status, task name, worker, periodic
/// task name) goes through the run of the value that holds the page, where the rows of each
/// value are known (runsCounted(): the facet of that column, which the window reads for every
/// query, in the column's order as the engine sorts it): the page is read among that value's
/// rows alone, in id order (SqlSeek::inValue: one range of an index on (column, id), or the
/// run's rows sorted), and a page that runs past the value goes on by keyset from its last
/// row. It costs one run at most, however deep the page. The runs are those of the moment
/// they were counted: rows written since move the page by as many rows at most, never leave
/// a gap or a repeat inside it (it starts at a row of that value and goes on in the order);
/// a run that no longer reaches the page, or a count of the query that differs from the
/// runs' total, falls back to the paths above.
///
/// The keys hold while the rows do: a count of the query that differs from the one known
/// (rows came or went) forgets them, as does another query.
///
/// Owned by one SqlStore and used on its thread.
class SeekPager final
{
public:
    /// Both must outlive the pager.
    SeekPager(const SqlStatements &statements, SqlRunner &runner);
    SeekPager(const SeekPager &) = delete;
    SeekPager &operator=(const SeekPager &) = delete;

    /// Only for a query SqlStatements::canSeek().
    Outcome<QVector<TaskResult>> fetchPage(const TaskQuery &query, qint64 offset, int limit, RowDetail detail);
    /// The query's count, just read.
    void counted(const TaskQuery &query, qint64 total);
    /// The statistics' estimate of the table's rows, just read (ResultStore::estimatedTotal()):
    /// the search probe then needs not read it.
    void estimated(qint64 rows) { m_estimatedRows = rows; }
    /// The rows of each value of `field` among the query's matches (whatever its order), in
    /// the column's ascending order as the engine sorts it, just read: a far jump sorted by
    /// that field goes through them (see above) until refresh(), another query, or a count of
    /// the query that differs from their total.
    void runsCounted(const TaskQuery &query, Field field, const QVector<FacetValue> &runs);
    /// Forgets what the search probe read once per store (the table's estimated size and
    /// the probe's boundary date) and the runs: ResultStore::refresh().
    void refresh();

    /// Keys kept at most (two per page read); beyond that they are forgotten and found again.
    static constexpr int maxKeys = 4096;
    /// A jump that would skip this many rows or more walks the sort index instead, where it can.
    static constexpr qint64 walkFrom = 1000;
    /// Sort values read before the page's first row to count the rows that share its value;
    /// a longer run of one value is counted by a statement of its own.
    static constexpr int walkBack = 256;

private:
    /// The cheapest way to the rows [offset, offset + limit): which seek, how many rows, and
    /// the position of the first row the statement returns.
    struct Plan
    {
        SqlSeek seek;
        int limit = 0;
        qint64 cost = 0; ///< rows skipped
    };
    Plan plan(qint64 offset, int limit) const;
    /// A search's first page by SearchProbe's plan (see above), each row's key in *keys.
    Outcome<QVector<TaskResult>> probedFirstPage(const TaskQuery &query, int limit, RowDetail detail,
                                                 QVariantList *keys);
    /// From the first row, or backward from the last when the count is known and it is nearer.
    Plan fromEnd(qint64 offset, int limit) const;
    /// Turns an end's plan into a seek from the sort value at its first row (see above);
    /// false when the rows are fewer than the plan expects (they moved), or on an error.
    Outcome<bool> walk(const TaskQuery &query, Plan &p);
    void forget(const TaskQuery &query);
    /// Turns *p into a seek inside the run of equal sort values that holds the page at
    /// `offset`, costing the run's rows, when the runs of the query's order are known, agree
    /// with its count, and that run is shorter than p->cost; false (*p unchanged) otherwise.
    bool runPlan(const TaskQuery &query, qint64 offset, int limit, Plan *p) const;
    /// Reads a runPlan()'s page: the run's rows, then past its end by keyset from its last row.
    /// Fewer rows than the plan's limit only at the end of the rows.
    Outcome<QVector<TaskResult>> readRun(const TaskQuery &query, const Plan &p, RowDetail detail, QVariantList *keys);
    /// Keeps the keys of the first and last of the rows read from `offset`, and hands them back.
    QVector<TaskResult> kept(qint64 offset, QVector<TaskResult> rows, const QVariantList &keys);

    const SqlStatements &m_statements;
    SqlRunner &m_runner;
    TaskQuery m_query;
    QMap<qint64, SqlPageKey> m_keys; ///< by row number in m_query's order
    qint64 m_total = -1; ///< m_query's count, -1 when not known
    /// runsCounted()'s runs by field, for the rows of m_runsQuery (SqlStatements::tallyKey()).
    QMap<Field, QVector<FacetValue>> m_runs;
    TaskQuery m_runsQuery;
    /// The search probe's facts, read at its first use until refresh(): the statistics'
    /// row estimate (-2 = not read), and the date `m_probeWindow` ids below the newest (null
    /// = not read, or no rows). Stale ones cost speed, never rows: any boundary date starts
    /// a prefix of the order, whatever was written since.
    qint64 m_estimatedRows = -2;
    qint64 m_probeWindow = -1;
    QVariant m_probeBoundary;
};
