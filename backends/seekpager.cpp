#include "seekpager.h"

#include <algorithm>

#include <QSqlQuery>

SeekPager::SeekPager(const SqlStatements &statements, SqlRunner &runner)
    : m_statements(statements)
    , m_runner(runner)
{
}

void SeekPager::forget(const TaskQuery &query)
{
    m_query = query;
    m_keys.clear();
    m_total = -1;
}

void SeekPager::counted(const TaskQuery &query, qint64 total)
{
    // Keys found before the first count stay: the rows they came from are this count's.
    if (query != m_query || (m_total >= 0 && total != m_total))
        forget(query);
    m_total = total;
    // Runs that add up to another count are of other rows (written since, or before).
    if (SqlStatements::tallyKey(query) == m_runsQuery)
        m_runs.removeIf([total](decltype(m_runs)::iterator runs) { return totalOf(runs.value()) != total; });
}

void SeekPager::runsCounted(const TaskQuery &query, Field field, const QVector<FacetValue> &runs)
{
    const TaskQuery key = SqlStatements::tallyKey(query);
    if (key != m_runsQuery) {
        m_runs.clear();
        m_runsQuery = key;
    }
    m_runs.insert(field, runs);
}

bool SeekPager::runPlan(const TaskQuery &query, qint64 offset, int limit, Plan *p) const
{
    if (SqlStatements::tallyKey(query) != m_runsQuery)
        return false;
    const auto found = m_runs.constFind(query.sortField);
    if (found == m_runs.cend())
        return false;
    const QVector<FacetValue> &runs = *found;
    const qint64 total = totalOf(runs);
    if (offset >= total || (m_total >= 0 && total != m_total))
        return false;
    // The runs come in the column's ascending order; a descending order is its exact mirror
    // (NULL included: each engine puts it at the other end).
    const bool ascending = query.sortOrder == Qt::AscendingOrder;
    qint64 before = 0;
    for (qsizetype i = 0; i < runs.size(); ++i) {
        const FacetValue &run = runs.at(ascending ? i : runs.size() - 1 - i);
        if (offset < before + run.count) {
            if (run.count >= p->cost)
                return false;
            const QVariant value = run.value.isNull() ? QVariant() : QVariant(run.value);
            SqlSeek seek;
            seek.after = {value, -1};
            seek.skip = offset - before;
            seek.inValue = true;
            *p = {seek, limit, run.count};
            return true;
        }
        before += run.count;
    }
    return false;
}

Outcome<QVector<TaskResult>> SeekPager::readRun(const TaskQuery &query, const Plan &p, RowDetail detail,
                                               QVariantList *keys)
{
    auto read = m_runner.readPage(m_statements.seekPage(query, p.seek, p.limit, detail), p.seek.skip, p.limit, detail,
                                  nullptr, keys);
    if (!read || read->size() == p.limit || read->isEmpty() || read->constLast().rowId < 0)
        return read;
    // The run ends inside the page: the rest comes after its last row, in the query's order.
    QVector<TaskResult> rows = std::move(read).value();
    SqlSeek rest;
    rest.after = {keys->constLast(), rows.constLast().rowId};
    QVariantList more;
    auto next = m_runner.readPage(m_statements.seekPage(query, rest, p.limit - int(rows.size()), detail), 0,
                                  p.limit - int(rows.size()), detail, nullptr, &more);
    if (!next)
        return next;
    rows += *next;
    *keys += more;
    return rows;
}

SeekPager::Plan SeekPager::fromEnd(qint64 offset, int limit) const
{
    // From the first row.
    Plan best;
    best.seek.skip = offset;
    best.limit = limit;
    best.cost = offset;
    // Backward from the last row.
    if (m_total > offset) {
        const qint64 end = std::min<qint64>(offset + limit, m_total);
        const qint64 cost = m_total - end;
        if (cost < best.cost)
            best = {{SqlPageKey(), true, cost}, int(end - offset), cost};
    }
    return best;
}

SeekPager::Plan SeekPager::plan(qint64 offset, int limit) const
{
    Plan best = fromEnd(offset, limit);
    // Forward from the nearest key before the page.
    auto before = m_keys.lowerBound(offset);
    if (before != m_keys.begin()) {
        --before;
        const qint64 cost = offset - before.key() - 1;
        if (cost < best.cost)
            best = {{before.value(), false, cost}, limit, cost};
    }
    // Backward from the nearest key after the page.
    const auto after = m_keys.lowerBound(offset + limit);
    if (after != m_keys.end()) {
        const qint64 cost = after.key() - (offset + limit);
        if (cost < best.cost)
            best = {{after.value(), true, cost}, limit, cost};
    }
    return best;
}

Outcome<bool> SeekPager::walk(const TaskQuery &query, Plan &p)
{
    // The sort values at positions [skip - back, skip] of the end's order: the last is the
    // page's first row's, those before it that equal it are rows of that value before the page.
    const qint64 skip = p.seek.skip;
    const int back = int(std::min<qint64>(skip, walkBack));
    QVariantList values;
    const StoreError e = m_runner.forEachRow(m_statements.sortValues(query, p.seek.reverse, skip - back, back + 1),
                                             QStringLiteral("reading the sort values before a page"),
                                             [&](const QSqlQuery &q) { values << q.value(0); });
    if (e)
        return e;
    if (values.size() != back + 1)
        return false;
    const QVariant value = values.constLast();
    const auto same = [&](const QVariant &v) { return v.isNull() == value.isNull() && v.toString() == value.toString(); };
    qint64 ahead = std::count_if(values.cbegin(), values.cend() - 1, same);
    if (ahead == back && back < skip) {
        // The value's run starts before the values read: count the rows before it instead.
        auto before = m_runner.scalar(m_statements.countBeforeValue(query, value, p.seek.reverse),
                                      QStringLiteral("counting the rows before a page"));
        if (!before)
            return before.error();
        if (*before > skip)
            return false;
        ahead = skip - *before;
    }
    p.seek.after = {value, -1};
    p.seek.atValue = true;
    p.seek.skip = ahead;
    return true;
}

void SeekPager::refresh()
{
    m_runs.clear();
    m_estimatedRows = -2;
    m_probeWindow = -1;
    m_probeBoundary.clear();
}

Outcome<QVector<TaskResult>> SeekPager::probedFirstPage(const TaskQuery &query, int limit, RowDetail detail,
                                                      QVariantList *keys)
{
    // The engine's statistics tell the table's size (PostgreSQL: -1 before the first ANALYZE).
    if (m_estimatedRows == -2) {
        const auto rows = m_runner.scalar(m_statements.estimatedRows(), QStringLiteral("estimating"));
        if (!rows)
            return rows.error();
        m_estimatedRows = *rows;
    }
    const qint64 rows = m_estimatedRows;
    const qint64 window = SearchProbe::windowFor(rows);
    const SqlStatement planned = m_statements.seekPage(query, SqlSeek(), limit, detail);
    if (rows <= 2 * window)
        return m_runner.readPage(planned, 0, limit, detail, nullptr, keys);
    // The probe: the page among the rows dated from D on (a range of the index; on PostgreSQL
    // with the NULL dates, first in this order), D the date of the row `window` ids below
    // the newest: about `window` rows, and any D is still a prefix of the order.
    if (m_probeWindow != window) {
        QVariantList boundary;
        const StoreError e = m_runner.forEachRow(m_statements.dateBelowNewestIds(window),
                                                 QStringLiteral("reading the date a search's probe ends at"),
                                                 [&boundary](const QSqlQuery &q) { boundary << q.value(0); });
        if (e)
            return e;
        m_probeWindow = window;
        m_probeBoundary = boundary.isEmpty() ? QVariant() : boundary.constFirst();
    }
    if (!m_probeBoundary.isValid())
        return m_runner.readPage(planned, 0, limit, detail, nullptr, keys);
    auto probed = m_runner.readPage(m_statements.pageThrough(query, m_probeBoundary, limit, detail), 0, limit, detail,
                                    nullptr, keys);
    if (!probed || probed->size() == limit)
        return probed;
    keys->clear();
    const bool scan = SearchProbe::scanBeatsWalk(limit, window, probed->size(), rows);
    return m_runner.readPage(scan ? m_statements.scannedPage(query, limit, detail) : planned, 0, limit, detail,
                             nullptr, keys);
}

Outcome<QVector<TaskResult>> SeekPager::fetchPage(const TaskQuery &query, qint64 offset, int limit, RowDetail detail)
{
    if (query != m_query)
        forget(query);
    Plan p = plan(offset, limit);
    if (p.cost >= walkFrom && runPlan(query, offset, limit, &p)) {
        QVariantList keys;
        auto read = readRun(query, p, detail, &keys);
        if (!read)
            return read;
        if (read->isEmpty()) {
            // The run no longer reaches the page (rows went since it was counted): the paths
            // below, which need no runs.
            m_runs.remove(query.sortField);
            return fetchPage(query, offset, limit, detail);
        }
        return kept(offset, std::move(read).value(), keys);
    }
    if (p.cost >= walkFrom && m_statements.canWalkSortIndex(query)) {
        Plan walked = fromEnd(offset, limit);
        auto ok = walk(query, walked);
        if (!ok)
            return ok.error();
        if (*ok) {
            p = walked;
        } else if (walked.seek.reverse) {
            // Fewer rows than the count said: read from the first row, as below.
            forget(query);
            return fetchPage(query, offset, limit, detail);
        }
    }
    QVariantList keys;
    const bool probed = offset == 0 && m_statements.hasScannedPage() && SearchProbe::applies(m_statements, query);
    auto read = probed ? probedFirstPage(query, limit, detail, &keys)
                       : m_runner.readPage(m_statements.seekPage(query, p.seek, p.limit, detail), offset, p.limit,
                                           detail, nullptr, &keys);
    if (!read)
        return read;
    QVector<TaskResult> rows = std::move(read).value();
    if (p.seek.reverse) {
        if (rows.size() < p.limit) {
            // Fewer rows than the positions promised: the rows moved under the keys. Read
            // from the first row instead, and find keys again from there.
            forget(query);
            return fetchPage(query, offset, limit, detail);
        }
        std::reverse(rows.begin(), rows.end());
        std::reverse(keys.begin(), keys.end());
    } else if (rows.size() < limit && (offset == 0 || !rows.isEmpty())) {
        m_total = offset + rows.size();
    }
    return kept(offset, std::move(rows), keys);
}

QVector<TaskResult> SeekPager::kept(qint64 offset, QVector<TaskResult> rows, const QVariantList &keys)
{
    if (m_keys.size() + 2 > maxKeys)
        m_keys.clear();
    if (!rows.isEmpty()) {
        // Only rows with an id can be sought after (an id that is not an integer cannot).
        if (rows.constFirst().rowId >= 0)
            m_keys.insert(offset, {keys.constFirst(), rows.constFirst().rowId});
        if (rows.constLast().rowId >= 0)
            m_keys.insert(offset + rows.size() - 1, {keys.constLast(), rows.constLast().rowId});
    }
    return rows;
}
