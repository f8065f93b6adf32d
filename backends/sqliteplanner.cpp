#include "sqliteplanner.h"

#include <algorithm>
#include <map>
#include <cmath>
#include <utility>

#include <QSqlQuery>

using Access = SqlStatements::Access;
using DoneRange = SqlStatements::DoneRange;

SqlitePlanner::SqlitePlanner(const SqlStatements &statements, SqlRunner &runner, std::atomic<qint64> *tallyCounter)
    : m_statements(statements)
    , m_runner(runner)
    , m_tallyCounter(tallyCounter)
{
}

bool SearchProbe::applies(const SqlStatements &statements, const TaskQuery &query)
{
    return statements.layout().dateDoneIndexed && !query.searchTerms().isEmpty() && query.sortField == Field::DateDone
        && query.sortOrder == Qt::DescendingOrder && query.statuses.isEmpty() && query.taskNames.isEmpty()
        && query.workers.isEmpty() && query.periodicTaskNames.isEmpty() && query.exceptionFilter().isEmpty()
        && !query.doneAfter.isValid() && !query.doneBefore.isValid();
}

qint64 SearchProbe::windowFor(qint64 rows)
{
    constexpr qint64 minProbe = 2000, maxProbe = 20000;
    return std::clamp<qint64>(rows / 64, minProbe, maxProbe);
}

bool SearchProbe::scanBeatsWalk(qint64 needed, qint64 probed, qint64 found, qint64 rows)
{
    const double walk = found > 0 ? double(needed) * double(probed) / double(found) : HUGE_VAL;
    return walk * 1.5 >= double(rows);
}

Outcome<qint64> SqlitePlanner::rowIdSpan()
{
    return m_runner.scalar(m_statements.rowIdSpan(), QStringLiteral("estimating"));
}

Outcome<QVector<TaskResult>> SqlitePlanner::readPage(const TaskQuery &query, const SqlClause &clause, qint64 offset,
                                                     int limit, RowDetail detail, Access access, qint64 *matching)
{
    return m_runner.readPage(m_statements.page(query, clause, offset, limit, detail, access, matching != nullptr), offset,
                             limit, detail, matching);
}

// --- pages -----------------------------------------------------------------------------------

Outcome<QVector<TaskResult>> SqlitePlanner::fetchPage(const TaskQuery &query, qint64 offset, int limit, RowDetail detail)
{
    if (SearchProbe::applies(m_statements, query))
        return searchPage(query, offset, limit, detail);
    const Outcome<Field> unindexed = pageWalksSortIndex(query, offset, limit);
    if (!unindexed)
        return unindexed.error();
    return readPage(query, m_statements.filter(query, SqlStatements::Skip::Nothing, *unindexed), offset, limit, detail);
}

Outcome<Field> SqlitePlanner::pageWalksSortIndex(const TaskQuery &query, qint64 offset, int limit)
{
    constexpr Field none = Field::FieldCount;
    const SqlLayout &layout = m_statements.layout();
    if (query.sortField != Field::DateDone || !layout.has(Field::DateDone) || !query.searchTerms().isEmpty()
        || query.doneAfter.isValid() || query.doneBefore.isValid() || !query.periodicTaskNames.isEmpty()
        || !query.exceptionFilter().isEmpty())
        return none;
    Field field = none;
    int filters = 0;
    const std::pair<Field, const QStringList *> sets[] = {
        {Field::Status, &query.statuses}, {Field::TaskName, &query.taskNames}, {Field::Worker, &query.workers}};
    for (const auto &[f, values] : sets) {
        if (!values->isEmpty()) {
            ++filters;
            field = f;
        }
    }
    // Two filters: the probe below could itself read many rows; leave it to the engine.
    if (filters != 1 || !layout.has(field))
        return none;
    // Walking the date_done index reads about (offset + limit) * N / M rows (N rows, M
    // matching, spread over time); the filter's index reads M rows and sorts them. Walk when
    // M > sqrt((offset + limit) * N), which a probe bounded to that many index entries tells:
    // either way the cost stays near sqrt((offset + limit) * N), never a full walk for a rare
    // value. N is the rowid span (two b-tree probes, O(log n)).
    const auto span = rowIdSpan();
    if (!span)
        return span.error().code == StoreError::Code::Cancelled ? Outcome<Field>(span.error()) : none;
    if (*span <= 0)
        return none;
    const qint64 bound = qint64(std::ceil(std::sqrt(double(offset + limit) * double(*span)))) + 1;
    const auto matching = m_runner.scalar(m_statements.countUpTo(m_statements.filter(query), bound),
                                          QStringLiteral("estimating"));
    if (!matching)
        return matching.error().code == StoreError::Code::Cancelled ? Outcome<Field>(matching.error()) : none;
    if (*matching < bound)
        return none;
    return field;
}

Outcome<QVector<TaskResult>> SqlitePlanner::searchPage(const TaskQuery &query, qint64 offset, int limit,
                                                       RowDetail detail)
{
    // SearchProbe's plan. The probe is the rows dated from D on (see below).
    const SqlClause clause = m_statements.filter(query);
    const auto span = rowIdSpan();
    if (!span)
        return span.error();
    const qint64 probe = SearchProbe::windowFor(*span);
    if (*span <= 2 * probe)
        return readPage(query, clause, offset, limit, detail);
    // "date_done >= D" selects a prefix of this order for any D (NULLs, last when newest
    // first, are outside it). D is the date of the row `probe` ids below the newest, two
    // b-tree probes: about `probe` rows where ids grow with time, as Celery writes them;
    // any other D is still a correct, only less apt, probe.
    QVariant boundary;
    const StoreError e = m_runner.forEachRow(m_statements.dateBelowNewestIds(probe), QStringLiteral("reading results"),
                                             [&boundary](const QSqlQuery &q) { boundary = q.value(0); });
    if (e)
        return e;
    if (boundary.isNull())
        return readPage(query, clause, offset, limit, detail);

    SqlClause bounded = clause;
    bounded.add(m_statements.doneRange(DoneRange::From, boundary));
    auto rows = readPage(query, bounded, offset, limit, detail);
    if (!rows || rows->size() == limit)
        return rows;
    // Matches in the probe: exactly offset + rows when it returned some (or offset is 0),
    // else at most offset.
    const bool exact = !rows->isEmpty() || offset == 0;
    const qint64 found = offset + rows->size();
    const Access rest = SearchProbe::scanBeatsWalk(offset + limit, probe, found, *span) ? Access::Scan
                                                                                       : Access::Planned;
    if (exact && rest == Access::Scan && offset == 0)
        return scanWithTally(query, limit, detail);
    if (exact)
        return walkBelowProbe(query, clause, boundary, std::move(rows).value(), limit, rest, detail);
    return readPage(query, clause, offset, limit, detail, rest);
}

Outcome<QVector<TaskResult>> SqlitePlanner::scanWithTally(const TaskQuery &query, int limit, RowDetail detail)
{
    // A scan reads every row anyway: the page's rowids, the count and the facets come from
    // the same pass, then only the page's rows are read (by rowid).
    QVector<qint64> ids;
    if (StoreError e = runTally(query, limit, &ids))
        return e;
    auto page = ids.isEmpty() ? Outcome<QVector<TaskResult>>(QVector<TaskResult>())
                              : readPage(query, m_statements.rowIdsIn(ids), 0, limit, detail);
    if (page)
        m_scanCount = {query, m_tally->matching, m_runner.statementsRun()};
    return page;
}

Outcome<QVector<TaskResult>> SqlitePlanner::walkBelowProbe(const TaskQuery &query, const SqlClause &clause,
                                                           const QVariant &boundary, QVector<TaskResult> page,
                                                           int limit, Access access, RowDetail detail)
{
    // Go on below the probe instead of reading it again: the page's other rows are the first
    // matches there (a range of the index), then among NULL dates (last).
    SqlClause below = clause;
    below.add(m_statements.doneRange(DoneRange::Below, boundary));
    auto more = readPage(query, below, 0, limit - int(page.size()), detail, access);
    if (!more)
        return more.error();
    page += *more;
    if (page.size() < limit) {
        SqlClause undated = clause;
        undated.add(m_statements.doneRange(DoneRange::Null));
        auto last = readPage(query, undated, 0, limit - int(page.size()), detail);
        if (!last)
            return last.error();
        page += *last;
    }
    return page;
}

std::optional<qint64> SqlitePlanner::takeScanCount(const TaskQuery &query)
{
    if (m_scanCount.matching < 0 || m_scanCount.afterStatement != m_runner.statementsRun() || m_scanCount.query != query)
        return std::nullopt;
    const qint64 matching = m_scanCount.matching;
    m_scanCount = ScanCount();
    return matching;
}

// --- a search's count and facets in one scan ------------------------------------------------

namespace {

/// One facet from the tally's groups, as SqlStatements::facet() orders it: most frequent
/// first, then by value as SQLite sorts text (NULL first, then UTF-8 bytes).
class FacetTotals
{
public:
    void add(const QVariant &stored, qint64 count)
    {
        const QString text = SqlStatements::readText(stored);
        m_counts[{!text.isNull(), text.toUtf8()}] += count;
    }
    QVector<FacetValue> values() const
    {
        QVector<FacetValue> out;
        out.reserve(qsizetype(m_counts.size()));
        for (const auto &[key, count] : m_counts)
            out.append({key.first ? QString::fromUtf8(key.second) : QString(), count});
        std::stable_sort(out.begin(), out.end(),
                         [](const FacetValue &a, const FacetValue &b) { return a.count > b.count; });
        return out;
    }

private:
    std::map<std::pair<bool, QByteArray>, qint64> m_counts;
};

} // namespace

StoreError SqlitePlanner::runTally(const TaskQuery &query, int pageLimit, QVector<qint64> *pageIds)
{
    m_tally.reset();
    const auto version = m_runner.scalar(m_statements.dataVersion(), QStringLiteral("reading results"));
    if (!version)
        return version.error();
    // The counter says "searching… N matches so far" while the scan runs, and nothing after.
    struct Counting
    {
        std::atomic<qint64> *counter;
        explicit Counting(std::atomic<qint64> *c) : counter(c) { if (counter) counter->store(0); }
        ~Counting() { if (counter) counter->store(-1); }
    } counting(m_tallyCounter);
    const SqlLayout &layout = m_statements.layout();
    const Field fields[] = {Field::Status, Field::TaskName, Field::Worker, Field::PeriodicTaskName};
    FacetTotals totals[std::size(fields)];
    Tally tally;
    tally.query = SqlStatements::tallyKey(query);
    tally.dataVersion = *version;
    const StoreError e = m_runner.forEachRow(m_statements.searchTally(query, pageLimit), QStringLiteral("searching"),
                                             [&](const QSqlQuery &q) {
                                                 if (q.value(0).toInt() == 0) {
                                                     if (pageIds)
                                                         pageIds->append(q.value(1).toLongLong());
                                                     return;
                                                 }
                                                 const qint64 n = q.value(1).toLongLong();
                                                 tally.matching += n;
                                                 for (size_t i = 0; i < std::size(fields); ++i)
                                                     totals[i].add(q.value(int(i) + 2), n);
                                             });
    if (e)
        return e;
    QVector<FacetValue> *const into[] = {&tally.facets.statuses, &tally.facets.taskNames, &tally.facets.workers,
                                         &tally.facets.periodicTaskNames};
    for (size_t i = 0; i < std::size(fields); ++i) {
        if (layout.has(fields[i]))
            *into[i] = totals[i].values();
    }
    m_tally = std::move(tally);
    return {};
}

const SqlitePlanner::Tally *SqlitePlanner::keptTally(const TaskQuery &query)
{
    if (!m_tally || m_tally->query != SqlStatements::tallyKey(query))
        return nullptr;
    const auto version = m_runner.scalar(m_statements.dataVersion(), QStringLiteral("reading results"));
    if (!version || *version != m_tally->dataVersion) {
        m_tally.reset();
        return nullptr;
    }
    return &*m_tally;
}

Outcome<Facets> SqlitePlanner::tallyFacets(const TaskQuery &query)
{
    if (!keptTally(query)) {
        if (StoreError e = runTally(query, 0, nullptr))
            return e;
    }
    Facets facets = std::move(m_tally->facets);
    m_tally.reset(); // once: the next facets (a refresh) read the table again
    return facets;
}
