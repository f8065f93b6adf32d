#pragma once

#include "resultstore.h"
#include "sqldialect.h"
#include "sqllayout.h"
#include "taskquery.h"

#include <QDateTime>
#include <QHash>
#include <QString>
#include <QTimeZone>
#include <QVariant>
#include <QVariantList>
#include <QVector>

/// A WHERE condition and its bound values, in placeholder order. Plain value type.
struct SqlClause
{
    QString sql; ///< conditions joined by AND; empty = every row
    QVariantList values;

    /// ANDs a condition (a fragment with its own placeholders) to the clause.
    void add(const QString &fragment, const QVariantList &fragmentValues = {});
    void add(const SqlClause &other);
    /// " WHERE …", or empty for every row.
    QString where() const;
};

/// One statement as SqlStore runs it: the text, the values bound to its placeholders in
/// order, and for a statement that reads result rows (page(), row()) the Field each selected
/// column fills, in order. Empty when there is nothing to run. Plain value type.
struct SqlStatement
{
    QString sql;
    QVariantList values;
    QVector<Field> fields;

    bool isEmpty() const { return sql.isEmpty(); }
};

/// Where a purge walking the date_done index stopped: date_done (as the dialect's
/// dateSelect() renders it, so that it compares exactly with the stored value) and id of the
/// last row it deleted in that order — or, for a batch that ended at a date boundary, that
/// date alone: every row before it is gone, none at it. Plain value type.
struct SqlPurgeCursor
{
    QVariant dateDone;
    qint64 rowId = -1; ///< -1: nothing deleted yet, start at the oldest row
    bool beforeDate = false; ///< only the rows before dateDone are gone (rowId unused)

    static SqlPurgeCursor before(const QVariant &dateDone) { return {dateDone, -1, true}; }
    bool isValid() const { return rowId >= 0 || beforeDate; }
};

/// A row's place in a query's order: its sort value as stored (selected by seekPage()) and
/// its id. Plain value type.
struct SqlPageKey
{
    QVariant sortValue;
    qint64 rowId = -1; ///< -1: no row

    bool isValid() const { return rowId >= 0; }
};

/// Where a keyset page starts: after the row `after` (or at the first row of the order when
/// it is invalid), `skip` rows further, in the query's order or, with `reverse`, in the
/// opposite order (the rows before `after`, nearest first). With `atValue`, at the first row
/// whose sort value is after.sortValue instead (after.rowId unused; NULL is a value there);
/// with `inValue`, among the rows whose sort value is after.sortValue alone (one run of equal
/// values, in id order; after.rowId unused). Plain value type.
struct SqlSeek
{
    SqlPageKey after;
    bool reverse = false;
    qint64 skip = 0;
    bool atValue = false;
    bool inValue = false;
};

/// Every statement SqlStore runs on the results and group tables, built from the dialect's
/// fragments (quoting, search predicates, date values, batch deletes) and the SqlLayout
/// detected at open: the tables, the columns, the date style and the time zone of naive
/// dates. Pure: it holds no connection and runs nothing, so tst_sqlstatements checks text and
/// bound values without a database. Every user value is bound, never spliced into the text.
///
/// Which statement to run is decided elsewhere: SqlStore for every engine, SqlitePlanner for
/// SQLite's own plans (whose statements are built here as well).
///
/// Plain value type; the dialect must outlive it. Its const functions are thread-safe.
class SqlStatements final
{
public:
    /// Which set filter a facet leaves out (each facet ignores its own filter).
    enum class Skip { Nothing, Statuses, TaskNames, Workers, PeriodicTaskNames };
    /// How a page reads its rows: as the engine plans it, or by scanning the table (SQLite's
    /// NOT INDEXED: no index at all, rows in rowid order).
    enum class Access { Planned, Scan };

    /// `wallClock`: valid when the layout's naive dates are local times of that zone
    /// (Django's USE_TZ=False); invalid for UTC.
    SqlStatements(const SqlDialect &dialect, SqlLayout layout, QTimeZone wallClock = QTimeZone());

    const SqlLayout &layout() const { return m_layout; }
    /// The results table, quoted.
    QString table() const;
    /// The column of a field, quoted; empty when the schema lacks it.
    QString column(Field field) const;

    /// A UTC instant as the engine compares it with stored dates (in the wall clock when the
    /// stored dates are naive local times), plus 0-999 microseconds.
    QVariant dateValue(const QDateTime &utc, int extraMicroseconds = 0) const;
    /// A stored date as UTC (the inverse of dateValue()); invalid for NULL, and with *problem
    /// set when the value is not a date.
    QDateTime readDate(const QVariant &stored, QString *problem) const;
    /// A stored id as the row's id; -1 with *problem set when it is not an integer (text
    /// such as 'abc' in a column declared without integer affinity, or NULL): such a row is
    /// listed and counted, but cannot be opened or deleted by id.
    static qint64 readRowId(const QVariant &stored, QString *problem);

    // --- clauses -----------------------------------------------------------------------------

    /// The query's search terms, set filters and date range. `unindexed`: a set-filter field
    /// written as "+column", which keeps its index out of SQLite's plan.
    SqlClause filter(const TaskQuery &query, Skip skip = Skip::Nothing, Field unindexed = Field::FieldCount) const;
    /// Whether filter() can narrow by the query's exception types inside the engine
    /// (SqlDialect::exceptionPredicate(): SQLite). Elsewhere it narrows them to the ids the
    /// store found (setExceptionRows()).
    bool filtersExceptions() const;
    /// Where filtersExceptions() is false (the servers): the rows that may hold one of these
    /// exceptions, a superset the store narrows by ValueDecoder::exceptionOf(): a base64
    /// pickle, or the last dotted part of a name (raw and in the two ways Python's json
    /// escapes it) anywhere in the traceback or the result (as text, or as a pickle's bytes),
    /// each test SqlDialect::containsPredicate(). Rows of (id, result, content type, content
    /// encoding, traceback: those the schema has) as `fields`, then 1 where the traceback was
    /// left out (NULL) because a text result names "exc_type" (else 0): read it with
    /// tracebacks() when the result turns out to hold no exception.
    /// Without names (fingerprints only), every row is a candidate.
    SqlStatement exceptionCandidates(const ExceptionFilter &filter) const;
    /// Rows of (id, traceback) of these ids (at most rowsPerDelete()).
    SqlStatement tracebacks(const QVector<qint64> &ids) const;
    /// The ids of the rows whose exception `filter` matches, found by the store through
    /// exceptionCandidates(): filter() and expired() narrow a query's exception filter to them.
    /// Kept until clearExceptionRows(). Not thread-safe: called by the store on its thread.
    void setExceptionRows(const ExceptionFilter &filter, QVector<qint64> ids);
    bool hasExceptionRows(const ExceptionFilter &filter) const;
    void clearExceptionRows() { m_exceptionRows.clear(); }
    /// PurgeCriteria::matches() in SQL: date_done < cutoff (rendered as the writer renders
    /// dates, so text comparisons are exact to the microsecond), narrowed by status and task
    /// name. NULL dates never satisfy it. unindexedFilters: the narrowing columns as "+column".
    SqlClause expired(const PurgeCriteria &criteria, bool unindexedFilters = false) const;
    /// " ORDER BY" the query's sort field, ties by id in the same direction; `prefix` qualifies
    /// the columns ("r.").
    QString orderBy(const TaskQuery &query, const QString &prefix = QString()) const;
    /// date_done against a value read from the table as stored (not a UTC instant, which
    /// dateValue() renders): From is >=, Below is <, BelowOrNull adds NULL, Null ignores it.
    enum class DoneRange { From, Below, BelowOrNull, Null };
    SqlClause doneRange(DoneRange range, const QVariant &stored = QVariant()) const;

    // --- reading -----------------------------------------------------------------------------

    SqlStatement count(const TaskQuery &query) const;
    /// The values of one field with their counts, in the column's ascending order as the
    /// engine sorts it (its collation; NULL where the engine puts it): the store ranks them
    /// by count, and the runs of the query's order by that column are these (SeekPager).
    SqlStatement facet(const TaskQuery &query, Field field, Skip skip) const;
    /// The query's results grouped by date_done cut to `bucket` (SqlDialect::truncatedDate())
    /// and status: rows of (bucket start as stored, status, count). With a wall clock (naive
    /// local dates) it groups by minute, whatever `bucket`: the store converts each minute to
    /// UTC and StatusHistoryBuilder regroups them (a zone's offset is whole minutes).
    SqlStatement statusHistory(const TaskQuery &query, TimeBucket bucket) const;
    /// The runtimes of the query's results, date_done − the basis column in seconds (TaskResult::
    /// runtime()'s rule: SUCCESS and FAILURE, both dates present, not negative), ranked per task
    /// name by window functions; only the rows at Percentile::nearestRank() of each percent and
    /// the maximum, and those at the nearest rank of TaskRuntimes::trendPercent within the older
    /// or newer half by date_done then id: rows of (task name, count, rank, seconds, half (0 =
    /// older, 1 = newer), rank within the half), by task name and rank.
    SqlStatement runtimes(const TaskQuery &query, Runtime::Basis basis) const;
    /// The query's results grouped by every column a failure group reads (task name, status,
    /// worker, result, traceback, content type and encoding, those the schema has): rows of
    /// those columns (as `fields`, for SqlStore::readRow()), then COUNT(*), MIN and MAX of
    /// date_done, COUNT(date_done) and the minute of each of those dated results as one list
    /// (SqlDialect::integerList() of minuteNumber(); readMinutes() reads it), for the groups'
    /// trend: the grouping is not split by time. Each distinct stored result comes back once
    /// per task, status and worker, however many rows hold it; the traceback is NULL where a
    /// text result names "exc_type" (the exception is read from the result there).
    SqlStatement failureParts(const TaskQuery &query) const;
    /// failureParts()' list of minutes as results per minute (its start in UTC, ms since the
    /// epoch; a wall clock's minute converted to UTC); empty for NULL. Stops at the first item
    /// that is not a decimal.
    FailureTableBuilder::MinuteCounts readMinutes(const QVariant &stored) const;
    /// One page of the rows matching `clause` in the query's order, as a late row lookup: the
    /// ids of the page come from the sort order alone, then only their rows are read. With
    /// countMatching, each row also carries the number of rows matching `clause` (a window
    /// count, free on a scan) in the column after its fields.
    SqlStatement page(const TaskQuery &query, const SqlClause &clause, qint64 offset, int limit, RowDetail detail,
                      Access access = Access::Planned, bool countMatching = false) const;
    /// True when seekPage() can read the query's pages: its sort column can be compared as
    /// the order compares it (not args or result, whose long text MariaDB sorts by a prefix).
    bool canSeek(const TaskQuery &query) const;
    /// A keyset page: the rows matching the query after seek.after in the order seek tells,
    /// seek.skip rows on; no OFFSET walk from the first row. Each row carries its sort value as
    /// stored (for the next seek) in the column after its fields. Its rows come in the order
    /// read (reversed with seek.reverse). Only when canSeek().
    SqlStatement seekPage(const TaskQuery &query, const SqlSeek &seek, int limit, RowDetail detail) const;
    /// seekPage()'s first page among the rows of the query's order up to the sort value
    /// `boundary` (it included, NULLs where the engine sorts them): a prefix of the order, so
    /// the query's first page when it holds `limit` rows (SearchProbe's probe, `boundary`
    /// from sortValues()). Only when canSeek() and the query is sorted by a column.
    SqlStatement pageThrough(const TaskQuery &query, const QVariant &boundary, int limit, RowDetail detail) const;
    /// True when the dialect has a form that keeps a sort from walking an index
    /// (SqlDialect::scannedSelect()), so that scannedPage() can be built.
    bool hasScannedPage() const;
    /// seekPage()'s first page from the matches found by a scan of the table and then sorted,
    /// never by walking the sort index: for a search whose matches are too rare for a walk.
    /// Only when canSeek() and hasScannedPage().
    SqlStatement scannedPage(const TaskQuery &query, int limit, RowDetail detail) const;
    /// True when sortValues() walks an index that holds the sort column alone: the query is
    /// sorted by date_done, an index leads with it, and it filters by nothing but date_done.
    bool canWalkSortIndex(const TaskQuery &query) const;
    /// The sort values (as seekPage() selects them) of `limit` rows from `skip` in the query's
    /// order (reversed with `reverse`), from the sort column alone: without the id tiebreak
    /// the engine walks its index without reading the table (a PostgreSQL index holds no id).
    /// Only when canWalkSortIndex().
    SqlStatement sortValues(const TaskQuery &query, bool reverse, qint64 skip, int limit) const;
    /// The number of rows matching the query whose sort value comes before `value` in the
    /// query's order (reversed with `reverse`); one range of the sort column's index. Only
    /// when canWalkSortIndex().
    SqlStatement countBeforeValue(const TaskQuery &query, const QVariant &value, bool reverse) const;
    /// The first rows of the query whose task id starts with its one search term (as typed,
    /// or lower-cased), through the unique task_id index; empty when the query has no such
    /// term (several terms, fewer than 3 characters, anything but printable ASCII).
    SqlStatement quickMatches(const TaskQuery &query, int limit) const;
    /// The complete row whose `key` column equals `value`.
    SqlStatement row(Field key, const QVariant &value) const;
    /// Whether any row of the results table matches `clause` (EXISTS: stops at the first).
    SqlStatement exists(const SqlClause &clause = SqlClause()) const;
    /// In one statement: 2 when a row has a value (not NULL) in the field's column, 1 when
    /// there are rows but none has, 0 for an empty table (each EXISTS stops at the first).
    SqlStatement anyValue(Field field) const;
    /// The django_celery_results migrations applied, by name.
    static SqlStatement djangoMigrations();
    /// MAX(id) - MIN(id) + 1 from two b-tree probes.
    SqlStatement rowIdSpan() const;
    /// The engine's statistics estimate of the table's row count; empty when it keeps none.
    SqlStatement estimatedRows() const;
    /// The number of rows matching `clause`, counting no further than `bound`.
    SqlStatement countUpTo(const SqlClause &clause, qint64 bound) const;
    /// The date_done of the newest dated row at least `ids` ids below the largest id (two
    /// b-tree probes), as seekPage() selects a date: about `ids` rows into the newest-first
    /// order where ids grow with time, as Celery writes them.
    SqlStatement dateBelowNewestIds(qint64 ids) const;
    /// SQLite's search tally: one scan of the table (each match counted by stalk_tally()
    /// as it is found) that answers a search's count and every facet at once — rows of
    /// (1, count, status, task name, worker, periodic task name), one per combination — and,
    /// with pageLimit > 0, the rowids of its first page newest first — rows of (0, rowid),
    /// after the groups (the matches then go through a materialized CTE). Only for a query
    /// without set filters (each facet then counts the same rows).
    SqlStatement searchTally(const TaskQuery &query, int pageLimit) const;
    /// True for a search without set filters: each facet then counts the same rows, so its
    /// count and facets come from one statement (searchTally(), facetTally()).
    static bool tallies(const TaskQuery &query);
    /// The query as a tally is kept under: its order changes neither the count nor a facet.
    static TaskQuery tallyKey(TaskQuery query);
    /// The servers' tally: a query's count and its four facets in one statement, so one scan
    /// of a search — rows of (facet, value, count), facet 0-3 being status, task name, worker
    /// and periodic task name (those the schema has) ordered as facet() orders each, then
    /// (4, NULL, count of every match). PostgreSQL groups the matches by GROUPING SETS; other
    /// engines group them by all four columns in a derived table (one row per combination, a
    /// few thousand in practice), then by facet and value. Only for a query without set
    /// filters (each facet then counts the same rows). `within` narrows the rows further
    /// (idsIn(): the rows of a first page that held every match).
    SqlStatement facetTally(const TaskQuery &query, const SqlClause &within = SqlClause()) const;
    /// The rows whose rowid is one of these (SQLite; a page read by searchTally()'s rowids).
    SqlClause rowIdsIn(const QVector<qint64> &rowIds) const;
    /// The rows whose id is one of these (at most rowsPerDelete()).
    SqlClause idsIn(const QVector<qint64> &ids) const;
    /// SQLite's PRAGMA data_version: changes when another connection commits.
    static SqlStatement dataVersion();
    /// Stored text as a QString that keeps NULL (a null QString) apart from '' (empty).
    static QString readText(const QVariant &stored);

    // --- saved groups ------------------------------------------------------------------------

    /// The group table can be listed (SqlLayout::groupKey and groupResult were found).
    bool readsGroups() const { return !m_layout.groupKey.isEmpty(); }
    /// The saved groups whose date_done is in the query's date range, newest first, at most
    /// `limit`: rows of (group id, date_done as dateSelect() renders it, result[, content_type,
    /// content_encoding] where the table has them). Only when readsGroups().
    SqlStatement groups(const TaskQuery &query, int limit) const;
    /// The saved groups whose stored result may list `taskId`, in groups()'s columns: those
    /// whose text result holds the id quoted (a LIKE, for an id of letters, digits and '-'
    /// only), or every group (pickled results, other ids); the caller keeps those whose
    /// members name it. Only when readsGroups().
    SqlStatement groupsListing(const QString &taskId) const;
    /// Summary rows whose task id is one of these (at most rowsPerDelete(); none for no id).
    SqlStatement rowsByTaskIds(const QStringList &taskIds) const;

    // --- purging and deleting ----------------------------------------------------------------

    /// Expired group results go with this purge: included, and there is a group table.
    bool purgesGroups(const PurgeCriteria &criteria) const;
    /// Expired results counted by status.
    SqlStatement expiredByStatus(const PurgeCriteria &criteria) const;
    SqlStatement expiredGroupCount(const PurgeCriteria &criteria) const;
    /// Deletes at most batchSize expired results, in id order.
    SqlStatement deleteExpired(const PurgeCriteria &criteria, int batchSize) const;
    SqlStatement anyExpired(const PurgeCriteria &criteria) const;
    /// Deletes at most batchSize expired results after `after` in (date_done, id) order and
    /// returns the date_done (as stored) and id of each: SQLite's one statement per batch.
    SqlStatement deleteExpiredByDate(const PurgeCriteria &criteria, const SqlPurgeCursor &after, int batchSize,
                                     const SqlPurgeCursor &upTo = SqlPurgeCursor()) const;
    SqlStatement anyExpiredAfter(const PurgeCriteria &criteria, const SqlPurgeCursor &after) const;
    /// Where the next batch of a purge walking the date_done index ends: the expired results
    /// after `after` in (date_done, id) order, from the batchSize-th on, at most two rows of
    /// (date_done as the dialect's dateSelect() renders it, id). The first is the batch's last
    /// row; a second says more follow. No row: fewer than batchSize are left.
    SqlStatement purgeBatchEnd(const PurgeCriteria &criteria, const SqlPurgeCursor &after, int batchSize) const;
    /// The date_done (as dateSelect() renders it) of the batchSize-th expired result after
    /// `after` in date_done order, read from the date_done index alone (no id in it, so
    /// PostgreSQL answers index-only and InnoDB from the index it walks). No row: fewer than
    /// batchSize are left.
    SqlStatement purgeBatchEndDate(const PurgeCriteria &criteria, const SqlPurgeCursor &after, int batchSize) const;
    /// Deletes the expired results after `after` whose date_done is before `endDate`.
    SqlStatement deleteExpiredBefore(const PurgeCriteria &criteria, const SqlPurgeCursor &after,
                                     const QVariant &endDate) const;
    /// Deletes the expired results after `after` up to `upTo` (included; every one left when
    /// `upTo` is not valid), in one range of the date_done index.
    SqlStatement deleteExpiredBetween(const PurgeCriteria &criteria, const SqlPurgeCursor &after,
                                      const SqlPurgeCursor &upTo) const;
    /// Deletes at most `limit` expired group results, along the date_done index when there
    /// is one, else in id order.
    SqlStatement deleteExpiredGroups(const PurgeCriteria &criteria, qint64 limit) const;
    SqlStatement anyExpiredGroups(const PurgeCriteria &criteria) const;
    /// Deletes the rows with these ids (at most rowsPerDelete() of them).
    SqlStatement deleteRows(const QVector<qint64> &ids) const;
    int rowsPerDelete() const;

private:
    /// A naive value read as UTC (as the dialect reads it) to the instant it is in the wall
    /// clock's zone; unchanged without a wall clock.
    QDateTime fromWallClock(const QDateTime &naive) const;
    /// The select list for a detail level, each column qualified by `prefix`; *fields gets
    /// the Field each selected column fills.
    QString selectList(RowDetail detail, const QString &prefix, QVector<Field> *fields) const;
    /// `key` IN (the ids, bound); nothing for no id.
    static SqlClause idsIn(const QString &key, const QVector<qint64> &ids);
    void addSetFilter(SqlClause &clause, Field field, const QStringList &values, bool unindexed = false) const;
    void addSearchTerm(SqlClause &clause, const QString &term) const;
    void addExceptionFilter(SqlClause &clause, const ExceptionFilter &filter) const;
    /// The expired results after `after` in (date_done, id) order, written so that every
    /// engine reads them as one range of the date_done index (MariaDB does not for a row
    /// comparison); the narrowing filters as "+column" where the dialect steers with it.
    SqlClause expiredAfter(const PurgeCriteria &criteria, const SqlPurgeCursor &after) const;
    SqlClause expiredGroups(const PurgeCriteria &criteria) const;
    QString groupTable() const;
    /// The rows after `key` in the query's order (reversed: before it), NULLs where the
    /// engine sorts them.
    SqlClause after(const TaskQuery &query, const SqlPageKey &key, bool reverse) const;
    /// The rows whose sort value is `value` or after it in the query's order (reversed:
    /// before it), or with `inclusive` false only those after it; NULLs where the engine
    /// sorts them, NULL itself a value.
    SqlClause fromValue(const TaskQuery &query, const QVariant &value, bool reverse, bool inclusive) const;
    /// The rows whose sort value is `value` (NULL included: IS NULL).
    SqlClause atValue(const TaskQuery &query, const QVariant &value) const;
    /// Whether the query's order (reversed with `reverse`) puts NULL sort values first; a NOT
    /// NULL column has none, and counts as first (no NULL arm needed after a value).
    bool nullsFirst(const TaskQuery &query, bool reverse) const;
    /// True when the query's order has a sort column of its own before the id tiebreak.
    bool isSorted(const TaskQuery &query) const;
    /// The sort column, or NULL when the order is by id alone.
    QString sortColumn(const TaskQuery &query) const;
    /// A page as a late row lookup: `keys` is a SELECT of the page's ids and sort values (as
    /// id and s, in `order`), `values` its bound values; each row carries its sort value as
    /// seekPage() selects it after its fields.
    SqlStatement keyedPage(const TaskQuery &order, const QString &keys, QVariantList values, RowDetail detail) const;
    /// keyedPage() of the rows matching `clause` in `order`, `limit` of them from `skip`.
    SqlStatement keyedPage(const TaskQuery &order, const SqlClause &clause, int limit, qint64 skip,
                           RowDetail detail) const;
    /// The sort column as seekPage() selects it, from `key`: dates as text with microseconds,
    /// bound back unchanged.
    QString selectedSortValue(const TaskQuery &query, const QString &key) const;
    /// The rows past a key (sort value v, id i) in one direction ('>' or '<'; with includeKey
    /// the key's row too), as one range of the sort column's index on every engine. Its three
    /// placeholders are bound with v, v, i.
    QString keyRange(const QString &sort, QChar direction, bool includeKey) const;


    const SqlDialect *m_dialect;
    SqlLayout m_layout;
    QTimeZone m_wallClock;
    QHash<QString, QVector<qint64>> m_exceptionRows; ///< ExceptionFilter::key() -> sorted ids
};
