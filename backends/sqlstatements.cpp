#include "sqlstatements.h"

#include "jsonescape.h"

#include <QRegularExpression>

#include <algorithm>
#include <limits>
#include <utility>

namespace {

const QString kAnd = QStringLiteral(" AND ");

QString placeholders(qsizetype count)
{
    QStringList marks;
    marks.reserve(count);
    for (qsizetype i = 0; i < count; ++i)
        marks << QStringLiteral("?");
    return marks.join(QStringLiteral(", "));
}

} // namespace

// --- SqlClause -------------------------------------------------------------------------------

void SqlClause::add(const QString &fragment, const QVariantList &fragmentValues)
{
    if (!sql.isEmpty())
        sql += kAnd;
    sql += fragment;
    values += fragmentValues;
}

void SqlClause::add(const SqlClause &other)
{
    if (!other.sql.isEmpty())
        add(other.sql, other.values);
}

QString SqlClause::where() const
{
    return sql.isEmpty() ? QString() : QStringLiteral(" WHERE ") + sql;
}

// --- names and values ------------------------------------------------------------------------

SqlStatements::SqlStatements(const SqlDialect &dialect, SqlLayout layout, QTimeZone wallClock)
    : m_dialect(&dialect)
    , m_layout(std::move(layout))
    , m_wallClock(std::move(wallClock))
{
}

QString SqlStatements::table() const
{
    return m_layout.table.isEmpty() ? QString() : m_dialect->quote(m_layout.table);
}

QString SqlStatements::groupTable() const
{
    return m_layout.groupTable.isEmpty() ? QString() : m_dialect->quote(m_layout.groupTable);
}

QString SqlStatements::column(Field field) const
{
    const QString name = m_layout.column(field);
    return name.isEmpty() ? QString() : m_dialect->quote(name);
}

QVariant SqlStatements::dateValue(const QDateTime &utc, int extraMicroseconds) const
{
    if (!m_wallClock.isValid())
        return m_dialect->dateValue(utc, m_layout.dateStyle, extraMicroseconds);
    // USE_TZ=False: the column holds the wall clock of the zone, so compare with that.
    const QDateTime local = utc.toTimeZone(m_wallClock);
    return m_dialect->dateValue(QDateTime(local.date(), local.time(), Qt::UTC), m_layout.dateStyle, extraMicroseconds);
}

qint64 SqlStatements::readRowId(const QVariant &stored, QString *problem)
{
    switch (stored.typeId()) {
    case QMetaType::LongLong:
    case QMetaType::Int:
    case QMetaType::UInt:
    case QMetaType::Long:
    case QMetaType::Short:
    case QMetaType::UShort:
        return stored.toLongLong();
    case QMetaType::ULongLong:
    case QMetaType::ULong:
        if (stored.toULongLong() <= quint64(std::numeric_limits<qint64>::max()))
            return stored.toLongLong();
        break;
    default:
        if (!stored.isNull()) {
            // Text that is exactly a number: an engine returning ids as text.
            bool ok = false;
            const qint64 id = stored.toString().toLongLong(&ok);
            if (ok && id >= 0 && QString::number(id) == stored.toString())
                return id;
        }
        break;
    }
    if (problem) {
        *problem = stored.isNull() ? QStringLiteral("NULL is not an id: this row cannot be opened or deleted by id")
                                   : QStringLiteral("'%1' is not an integer id: this row cannot be opened or deleted by id")
                                         .arg(stored.toString().left(64));
    }
    return -1;
}

QDateTime SqlStatements::readDate(const QVariant &stored, QString *problem) const
{
    return fromWallClock(m_dialect->readDate(stored, problem));
}

QDateTime SqlStatements::fromWallClock(const QDateTime &naive) const
{
    if (!m_wallClock.isValid() || !naive.isValid())
        return naive;
    return QDateTime(naive.date(), naive.time(), m_wallClock).toUTC();
}

// --- clauses ---------------------------------------------------------------------------------

void SqlStatements::addSetFilter(SqlClause &clause, Field field, const QStringList &values, bool unindexed) const
{
    if (values.isEmpty())
        return;
    bool wantNull = false;
    QVariantList bound;
    for (const QString &v : values) {
        if (v.isNull())
            wantNull = true;
        else
            bound << v;
    }
    if (!m_layout.has(field)) {
        // A field the schema lacks is NULL in every row.
        if (!wantNull)
            clause.add(QStringLiteral("0 = 1"));
        return;
    }
    const QString name = unindexed ? QStringLiteral("+") + column(field) : column(field);
    QStringList parts;
    if (!bound.isEmpty())
        parts << QStringLiteral("%1 IN (%2)").arg(name, placeholders(bound.size()));
    if (wantNull)
        parts << QStringLiteral("%1 IS NULL").arg(name);
    clause.add(QStringLiteral("(") + parts.join(QStringLiteral(" OR ")) + QStringLiteral(")"), bound);
}

void SqlStatements::addSearchTerm(SqlClause &clause, const QString &term) const
{
    // Django admin search: the term must match at least one search field. It goes in as a
    // bound value only; the predicate comes from the dialect.
    struct SearchField
    {
        Field field;
        bool decodeJson;
    };
    static const SearchField searchFields[] = {
        {Field::TaskId, false}, {Field::TaskName, false}, {Field::Status, false},
        {Field::Args, true},    {Field::Kwargs, true},
    };
    QStringList parts;
    QVariantList values;
    for (const SearchField &sf : searchFields) {
        if (!m_layout.has(sf.field))
            continue;
        SearchColumn searched;
        searched.expression = column(sf.field);
        if (m_layout.binaryText && (sf.field == Field::Args || sf.field == Field::Kwargs))
            searched.expression = m_dialect->binaryAsText(searched.expression);
        searched.decodeJson = sf.decodeJson;
        searched.caseInsensitive = m_layout.caseInsensitive.contains(sf.field);
        searched.trigramIndexed = m_layout.trigramIndexed.contains(sf.field);
        parts << m_dialect->searchPredicate(searched, term, &values);
    }
    clause.add(QStringLiteral("(") + parts.join(QStringLiteral(" OR ")) + QStringLiteral(")"), values);
}

SqlClause SqlStatements::filter(const TaskQuery &query, Skip skip, Field unindexed) const
{
    SqlClause clause;
    const QStringList terms = query.searchTerms();
    for (const QString &term : terms)
        addSearchTerm(clause, term);
    if (skip != Skip::Statuses)
        addSetFilter(clause, Field::Status, query.statuses, unindexed == Field::Status);
    if (skip != Skip::TaskNames)
        addSetFilter(clause, Field::TaskName, query.taskNames, unindexed == Field::TaskName);
    if (skip != Skip::Workers)
        addSetFilter(clause, Field::Worker, query.workers, unindexed == Field::Worker);
    if (skip != Skip::PeriodicTaskNames)
        addSetFilter(clause, Field::PeriodicTaskName, query.periodicTaskNames);
    addExceptionFilter(clause, query.exceptionFilter());
    if (query.doneAfter.isValid())
        clause.add(QStringLiteral("%1 >= ?").arg(column(Field::DateDone)), {dateValue(query.doneAfter)});
    if (query.doneBefore.isValid())
        clause.add(QStringLiteral("%1 < ?").arg(column(Field::DateDone)), {dateValue(query.doneBefore)});
    return clause;
}

bool SqlStatements::filtersExceptions() const
{
    QVariantList values;
    return !m_dialect->exceptionPredicate(ExceptionColumns(), ExceptionFilter(), &values).isEmpty();
}

void SqlStatements::addExceptionFilter(SqlClause &clause, const ExceptionFilter &filter) const
{
    if (filter.isEmpty())
        return;
    const auto columnOrNull = [this](Field field) {
        return m_layout.has(field) ? column(field) : QStringLiteral("NULL");
    };
    ExceptionColumns columns;
    columns.result = columnOrNull(Field::Result);
    columns.contentType = columnOrNull(Field::ContentType);
    columns.contentEncoding = columnOrNull(Field::ContentEncoding);
    columns.traceback = columnOrNull(Field::Traceback);
    columns.rawPickle = m_layout.binaryResult;
    QVariantList values;
    if (const QString predicate = m_dialect->exceptionPredicate(columns, filter, &values); !predicate.isEmpty()) {
        clause.add(predicate, values);
        return;
    }
    // The ids the store found. They are numbers read from the id column and written here by
    // QString::number(), never user text: spliced, because a server binds at most 65,535
    // values to a statement. None found yet (a store that did not ask): no row.
    const auto rows = m_exceptionRows.constFind(filter.key());
    if (rows == m_exceptionRows.cend() || rows->isEmpty()) {
        clause.add(QStringLiteral("0 = 1"));
        return;
    }
    QString list;
    list.reserve(rows->size() * 9);
    for (const qint64 id : *rows) {
        if (!list.isEmpty())
            list += u',';
        list += QString::number(id);
    }
    clause.add(QStringLiteral("%1 IN (%2)").arg(column(Field::RowId), list));
}

SqlStatement SqlStatements::exceptionCandidates(const ExceptionFilter &filter) const
{
    // The last dotted part of a name is in the text exceptionOf() reads it from, whichever it
    // is: a JSON exc_type (as Python's json writes it: raw, or \uXXXX for non-ASCII; quotes
    // and backslashes escaped), a pickled class's name (UTF-8), a traceback's last line.
    QStringList parts;
    for (const QString &name : filter.names) {
        const QString type = name.mid(name.lastIndexOf(u'.') + 1);
        for (const QString &part : {type, JsonEscape::escaped(type, JsonEscape::Mode::ControlOnly),
                                    JsonEscape::escaped(type, JsonEscape::Mode::Ascii)}) {
            if (!part.isEmpty() && !parts.contains(part))
                parts << part;
        }
    }
    SqlStatement s;
    QStringList any;
    if (filter.names.isEmpty()) {
        any << QStringLiteral("1 = 1"); // fingerprints alone: any row may hold a match
    } else {
        // Cheapest first: a base64 pickle, then the traceback (NULL but in failures), the result.
        if (m_layout.has(Field::ContentEncoding)) {
            any << QStringLiteral("%1 = ?").arg(column(Field::ContentEncoding));
            s.values << QStringLiteral("binary");
        }
        for (const Field field : {Field::Traceback, Field::Result}) {
            if (!m_layout.has(field))
                continue;
            for (const QString &part : std::as_const(parts))
                any << m_dialect->containsPredicate(column(field), part,
                                                    field == Field::Result && m_layout.binaryResult, &s.values);
        }
        if (any.isEmpty())
            any << QStringLiteral("0 = 1");
    }
    // A text result naming exc_type holds the exception (almost always): its traceback, the
    // longest column, is read only when the result turns out not to (tracebacks()).
    QVariantList selectValues;
    const bool withholds = m_layout.has(Field::Result) && m_layout.has(Field::Traceback) && !m_layout.binaryResult;
    const QString named = withholds ? m_dialect->containsPredicate(column(Field::Result), QStringLiteral("exc_type"),
                                                                   false, &selectValues)
                                    : QString();
    QStringList columns;
    for (const Field f : {Field::RowId, Field::Result, Field::ContentType, Field::ContentEncoding, Field::Traceback}) {
        if (!m_layout.has(f))
            continue;
        s.fields << f;
        if (f == Field::Traceback && withholds)
            columns << QStringLiteral("CASE WHEN %1 THEN NULL ELSE %2 END").arg(named, column(f));
        else
            columns << column(f);
    }
    columns << (withholds ? QStringLiteral("CASE WHEN %1 THEN 1 ELSE 0 END").arg(named) : QStringLiteral("0"));
    if (withholds)
        selectValues << selectValues.constFirst();
    s.values = selectValues + s.values;
    s.sql = QStringLiteral("SELECT %1 FROM %2 WHERE %3")
                .arg(columns.join(QStringLiteral(", ")), table(), any.join(QStringLiteral(" OR ")));
    return s;
}

SqlStatement SqlStatements::tracebacks(const QVector<qint64> &ids) const
{
    const SqlClause clause = idsIn(ids);
    return {QStringLiteral("SELECT %1, %2 FROM %3%4")
                .arg(column(Field::RowId), column(Field::Traceback), table(), clause.where()),
            clause.values,
            {Field::RowId, Field::Traceback}};
}

void SqlStatements::setExceptionRows(const ExceptionFilter &filter, QVector<qint64> ids)
{
    std::sort(ids.begin(), ids.end());
    m_exceptionRows.insert(filter.key(), std::move(ids));
}

bool SqlStatements::hasExceptionRows(const ExceptionFilter &filter) const
{
    return m_exceptionRows.contains(filter.key());
}

SqlClause SqlStatements::expired(const PurgeCriteria &criteria, bool unindexedFilters) const
{
    // Upstream get_all_expired(): date_done < cutoff, whatever the status. On SQLite the
    // dialect renders the cutoff exactly as the writer (Django/SQLAlchemy) would, because the
    // comparison is between TEXT values.
    SqlClause clause;
    clause.add(QStringLiteral("%1 < ?").arg(column(Field::DateDone)),
               {dateValue(criteria.cutoff, criteria.cutoffExtraMicroseconds)});
    if (criteria.doneAfter.isValid())
        clause.add(QStringLiteral("%1 >= ?").arg(column(Field::DateDone)), {dateValue(criteria.doneAfter)});
    addSetFilter(clause, Field::Status, criteria.statuses, unindexedFilters);
    addSetFilter(clause, Field::TaskName, criteria.taskNames, unindexedFilters);
    addSetFilter(clause, Field::Worker, criteria.workers, unindexedFilters);
    addSetFilter(clause, Field::PeriodicTaskName, criteria.periodicTaskNames, unindexedFilters);
    // The search and the exceptions as filter() writes them for the same query, so a purge
    // by the window's query deletes what its count counted.
    const QStringList terms = criteria.searchTerms();
    for (const QString &term : terms)
        addSearchTerm(clause, term);
    addExceptionFilter(clause, criteria.exceptionFilter());
    return clause;
}

SqlClause SqlStatements::expiredAfter(const PurgeCriteria &criteria, const SqlPurgeCursor &after) const
{
    // The narrowing filters' own indexes stay out: the plan walks the date_done index.
    SqlClause clause = expired(criteria, m_dialect->steersIndexWithUnaryPlus());
    if (after.beforeDate)
        clause.add(QStringLiteral("%1 >= ?").arg(column(Field::DateDone)), {after.dateDone});
    else if (after.isValid())
        clause.add(keyRange(column(Field::DateDone), u'>', false), {after.dateDone, after.dateDone, after.rowId});
    return clause;
}

SqlClause SqlStatements::expiredGroups(const PurgeCriteria &criteria) const
{
    SqlClause clause;
    clause.add(QStringLiteral("%1 < ?").arg(m_dialect->quote(m_layout.groupDateDone)),
               {dateValue(criteria.cutoff, criteria.cutoffExtraMicroseconds)});
    return clause;
}

SqlClause SqlStatements::doneRange(DoneRange range, const QVariant &stored) const
{
    const QString date = column(Field::DateDone);
    SqlClause clause;
    switch (range) {
    case DoneRange::From: clause.add(QStringLiteral("%1 >= ?").arg(date), {stored}); break;
    case DoneRange::Below: clause.add(QStringLiteral("%1 < ?").arg(date), {stored}); break;
    case DoneRange::BelowOrNull: clause.add(QStringLiteral("(%1 < ? OR %1 IS NULL)").arg(date), {stored}); break;
    case DoneRange::Null: clause.add(QStringLiteral("%1 IS NULL").arg(date)); break;
    }
    return clause;
}

QString SqlStatements::orderBy(const TaskQuery &query, const QString &prefix) const
{
    const QString dir = query.sortOrder == Qt::AscendingOrder ? QStringLiteral(" ASC") : QStringLiteral(" DESC");
    const QString id = prefix + column(Field::RowId) + dir;
    // A field this schema lacks is NULL everywhere: the order is the id order.
    if (query.sortField == Field::RowId || !m_layout.has(query.sortField))
        return QStringLiteral(" ORDER BY ") + id;
    return QStringLiteral(" ORDER BY ") + prefix + column(query.sortField) + dir + QStringLiteral(", ") + id;
}

// --- reading ---------------------------------------------------------------------------------

QString SqlStatements::selectList(RowDetail detail, const QString &prefix, QVector<Field> *fields) const
{
    static const Field order[] = {
        Field::RowId,       Field::TaskId,      Field::TaskName,        Field::PeriodicTaskName,
        Field::Status,      Field::Worker,      Field::Args,            Field::Kwargs,
        Field::Result,      Field::Traceback,   Field::Meta,            Field::ContentType,
        Field::ContentEncoding, Field::DateCreated, Field::DateStarted, Field::DateDone,
        Field::GroupId,     Field::ParentId,    Field::Retries,         Field::Queue,
        Field::Hidden,
    };
    QStringList items;
    fields->clear();
    for (Field f : order) {
        if (!m_layout.has(f))
            continue;
        if (detail == RowDetail::Summary && (f == Field::Traceback || f == Field::Meta))
            continue;
        QString item = prefix + column(f);
        if (m_layout.binaryText && (f == Field::Args || f == Field::Kwargs))
            item = m_dialect->binaryAsText(item); // so a preview never cuts a character in half
        if (f == Field::DateCreated || f == Field::DateStarted || f == Field::DateDone)
            item = m_dialect->dateSelect(item);
        if (detail == RowDetail::Summary && (f == Field::Args || f == Field::Kwargs || f == Field::Result)) {
            // A pickle is base64-encoded afterwards: 3 bytes become 4 characters.
            const int chars = (f == Field::Result && m_layout.binaryResult) ? ResultStore::previewChars / 4 * 3
                                                                             : ResultStore::previewChars;
            item = m_dialect->prefixExpression(item, chars);
        }
        items << item;
        fields->append(f);
    }
    return items.join(QStringLiteral(", "));
}

SqlStatement SqlStatements::count(const TaskQuery &query) const
{
    const SqlClause clause = filter(query);
    return {QStringLiteral("SELECT COUNT(*) FROM %1%2").arg(table(), clause.where()), clause.values, {}};
}

SqlStatement SqlStatements::facet(const TaskQuery &query, Field field, Skip skip) const
{
    const SqlClause clause = filter(query, skip);
    return {QStringLiteral("SELECT %1, COUNT(*) FROM %2%3 GROUP BY %1 ORDER BY %1")
                .arg(column(field), table(), clause.where()),
            clause.values,
            {}};
}

SqlStatement SqlStatements::statusHistory(const TaskQuery &query, TimeBucket bucket) const
{
    const SqlClause clause = filter(query);
    const QString start = m_dialect->truncatedDate(column(Field::DateDone),
                                                   m_wallClock.isValid() ? TimeBucket::Minute : bucket);
    // Grouped by the expression's position: PostgreSQL and MariaDB would otherwise need the
    // whole expression repeated, and SQLite accepts both.
    return {QStringLiteral("SELECT %1, %2, COUNT(*) FROM %3%4 GROUP BY 1, 2")
                .arg(start, column(Field::Status), table(), clause.where()),
            clause.values,
            {}};
}

SqlStatement SqlStatements::runtimes(const TaskQuery &query, Runtime::Basis basis) const
{
    // TaskResult::runtime(): from date_started, else (a row without one) from date_created.
    QString from = column(basis == Runtime::Basis::Started ? Field::DateStarted : Field::DateCreated);
    if (basis == Runtime::Basis::Started && !column(Field::DateCreated).isEmpty())
        from = QStringLiteral("COALESCE(%1, %2)").arg(from, column(Field::DateCreated));
    const QString done = column(Field::DateDone);
    SqlClause clause = filter(query);
    const QStringList statuses = runtimeStatuses();
    QStringList marks;
    QVariantList values;
    for (const QString &status : statuses) {
        marks << QStringLiteral("?");
        values << status;
    }
    clause.add(QStringLiteral("%1 IN (%2)").arg(column(Field::Status), marks.join(QStringLiteral(", "))), values);
    clause.add(QStringLiteral("%1 IS NOT NULL").arg(done));
    const QString taskName = column(Field::TaskName).isEmpty() ? QStringLiteral("NULL") : column(Field::TaskName);

    // Percentile::nearestRank() in SQL: k is the rank of percent p among n values when
    // k·100 ≥ p·n > (k−1)·100 (k = ceil(p·n/100); ranks start at 1, so p·n > 0 picks rank 1
    // at the smallest n). Integer comparisons only: no engine-specific division or CEIL.
    QStringList ranks{QStringLiteral("k = n")};
    for (const int percent : Percentile::percents)
        ranks << QStringLiteral("(k * 100 >= %1 * n AND (k - 1) * 100 < %1 * n)").arg(percent);
    // The halves (TaskRuntimes' trend rule): h = 0 for the older ceil(n/2) runtimes by date_done
    // then id, 1 for the newer. A runtime's rank within its half, kh, comes from the same pass
    // as k (one sort by runtime, not a third): c counts the newer-half runtimes up to k, so kh
    // is c in the newer half and k − c in the older (ROWS frames: exact whatever the ties; the
    // two windows are the same, so every engine computes them in one pass). A half holds m =
    // (n ± n mod 2)/2 runtimes (+ for the older), so its nearest rank of p is compared doubled:
    // kh·200 ≥ p·2m > (kh−1)·200, integers again.
    const QString halfDoubled = QStringLiteral("(n + (1 - 2 * h) * (n % 2))");
    ranks << QStringLiteral("(kh * 200 >= %1 * %2 AND (kh - 1) * 200 < %1 * %2)")
                 .arg(QString::number(TaskRuntimes::trendPercent), halfDoubled);
    const QString id = column(Field::RowId);
    const QString byRuntime = QStringLiteral("OVER (PARTITION BY t ORDER BY d ROWS UNBOUNDED PRECEDING)");
    const QString sql = QStringLiteral(
                            "SELECT t, n, k, d, h, kh FROM ("
                            "SELECT t, n, k, d, h, CASE WHEN h = 1 THEN c ELSE k - c END AS kh FROM ("
                            "SELECT t, n, d, h, COUNT(*) %1 AS k, SUM(h) %1 AS c FROM ("
                            "SELECT t, d, COUNT(*) OVER (PARTITION BY t) AS n, "
                            "CASE WHEN 2 * ROW_NUMBER() OVER (PARTITION BY t ORDER BY o%2) > COUNT(*) OVER (PARTITION BY t) + 1 "
                            "THEN 1 ELSE 0 END AS h FROM ("
                            "SELECT %3 AS t, %4 AS d, %5 AS o%6 FROM %7%8) s WHERE d >= 0) r) x) y "
                            "WHERE %9 ORDER BY t, k")
                            .arg(byRuntime, id.isEmpty() ? QString() : QStringLiteral(", i"), taskName,
                                 m_dialect->secondsBetween(from, done), done,
                                 id.isEmpty() ? QString() : QStringLiteral(", %1 AS i").arg(id), table(),
                                 clause.where(), ranks.join(QStringLiteral(" OR ")));
    return {sql, clause.values, {}};
}

SqlStatement SqlStatements::failureParts(const TaskQuery &query) const
{
    const SqlClause clause = filter(query);
    QVector<Field> fields;
    QStringList columns, positions;
    QVariantList values;
    for (const Field f : {Field::TaskName, Field::Status, Field::Worker, Field::Result, Field::Traceback,
                          Field::ContentType, Field::ContentEncoding}) {
        if (column(f).isEmpty())
            continue;
        fields << f;
        columns << column(f);
        positions << QString::number(positions.size() + 1);
        // A traceback is read only where the result may hold no exception (ValueDecoder::
        // exceptionOf() looks at it last): tracebacks that differ (line numbers, frames) would
        // otherwise split one stored exception into a part per row. Text results only: a
        // pickle's bytes are not compared with LIKE on every engine.
        if (f == Field::Traceback && !column(Field::Result).isEmpty() && !m_layout.binaryResult) {
            columns.last() = QStringLiteral("CASE WHEN %1 LIKE ? THEN NULL ELSE %2 END")
                                 .arg(column(Field::Result), column(Field::Traceback));
            values << QStringLiteral("%\"exc_type\"%");
        }
    }
    const QString done = column(Field::DateDone);
    // The trend's minutes ride along as a list per part rather than as a GROUP BY key: a key
    // would split each part by time (the bench's 1M rows: 42,992 parts instead of 5,092, each
    // read with its result and traceback), where a list is one short number per result.
    return {QStringLiteral("SELECT %1, COUNT(*), MIN(%2), MAX(%2), COUNT(%2), %3 FROM %4%5 GROUP BY %6")
                .arg(columns.join(QStringLiteral(", ")), done, m_dialect->integerList(m_dialect->minuteNumber(done)),
                     table(), clause.where(), positions.join(QStringLiteral(", "))),
            values + clause.values,
            fields};
}

FailureTableBuilder::MinuteCounts SqlStatements::readMinutes(const QVariant &stored) const
{
    FailureTableBuilder::MinuteCounts minutes;
    const QString text = stored.toString();
    const QChar *c = text.constData(), *end = c + text.size();
    while (c != end) {
        qint64 minute = 0;
        const QChar *digits = c;
        const bool negative = *c == u'-';
        if (negative)
            ++c;
        for (; c != end && c->unicode() >= '0' && c->unicode() <= '9' && c - digits < 16; ++c)
            minute = minute * 10 + (c->unicode() - '0');
        if (c == digits + (negative ? 1 : 0) || (c != end && *c != u','))
            break;
        ++minutes[negative ? -minute : minute];
        if (c != end)
            ++c; // the comma
    }
    // Minutes since the epoch to UTC milliseconds; a wall clock's minute through its zone (once
    // per distinct minute).
    FailureTableBuilder::MinuteCounts utc;
    utc.reserve(minutes.size());
    for (auto it = minutes.cbegin(); it != minutes.cend(); ++it) {
        const qint64 ms = it.key() * 60 * 1000;
        utc[m_wallClock.isValid() ? fromWallClock(QDateTime::fromMSecsSinceEpoch(ms, QTimeZone::utc())).toMSecsSinceEpoch()
                                  : ms] += it.value();
    }
    return utc;
}

SqlStatement SqlStatements::page(const TaskQuery &query, const SqlClause &clause, qint64 offset, int limit,
                                 RowDetail detail, Access access, bool countMatching) const
{
    // Late row lookup: the inner SELECT walks only ids in sort order, which an index on the
    // sort column (it holds the rowid) answers without touching the table, so skipping
    // OFFSET rows costs index steps, not row reads. Only the LIMIT surviving ids are then
    // joined back to fetch their columns. A plain "SELECT cols … LIMIT ? OFFSET ?" would read
    // and discard every skipped row: jumping to row 500,000 of 1M would read 500,000 rows.
    SqlStatement s;
    const QString r = QStringLiteral("r.");
    const QString id = column(Field::RowId);
    const QString from = access == Access::Scan ? table() + QStringLiteral(" NOT INDEXED") : table();
    const QString counted = countMatching ? QStringLiteral(", COUNT(*) OVER () AS n") : QString();
    QString select = selectList(detail, r, &s.fields);
    if (countMatching)
        select += QStringLiteral(", k.n");
    s.sql = QStringLiteral("SELECT %1 FROM (SELECT %2%8 FROM %3%4%5 LIMIT ? OFFSET ?) AS k "
                           "JOIN %7 AS r ON r.%2 = k.%2%6")
                .arg(select, id, from, clause.where(), orderBy(query), orderBy(query, r), table(), counted);
    s.values = clause.values;
    s.values << limit << offset;
    return s;
}

bool SqlStatements::canSeek(const TaskQuery &query) const
{
    return query.sortField != Field::Args && query.sortField != Field::Result && query.sortField != Field::Kwargs
        && query.sortField != Field::Traceback && query.sortField != Field::Meta;
}

QString SqlStatements::keyRange(const QString &sort, QChar direction, bool includeKey) const
{
    // "sort <= v AND (sort < v OR id < i)" rather than a row value "(sort, id) < (v, i)": its
    // first half is a plain range of the sort column's index on every engine (MariaDB does
    // not range-scan row values), the second only filters the few rows equal to v.
    return QStringLiteral("%1 %2= ? AND (%1 %2 ? OR %3 %2%4 ?)")
        .arg(sort, QString(direction), column(Field::RowId), includeKey ? QStringLiteral("=") : QString());
}

bool SqlStatements::nullsFirst(const TaskQuery &query, bool reverse) const
{
    const bool ascending = (query.sortOrder == Qt::AscendingOrder) != reverse;
    // A NOT NULL column needs no NULL arm: an OR there would keep PostgreSQL from walking the
    // index in order (it would read every row after the key and sort them).
    return ascending == m_dialect->nullsSortLow() || m_layout.notNull.contains(query.sortField);
}

SqlClause SqlStatements::after(const TaskQuery &query, const SqlPageKey &key, bool reverse) const
{
    const bool ascending = (query.sortOrder == Qt::AscendingOrder) != reverse;
    const QString cmp = ascending ? QStringLiteral(">") : QStringLiteral("<");
    const QString id = column(Field::RowId);
    SqlClause clause;
    if (query.sortField == Field::RowId || !m_layout.has(query.sortField)) {
        clause.add(QStringLiteral("%1 %2 ?").arg(id, cmp), {key.rowId});
        return clause;
    }
    const QString sort = column(query.sortField);
    // NULL compares as nothing: where this order puts NULLs (each engine its own way),
    // they are added or kept apart explicitly.
    const bool nullsFirst = this->nullsFirst(query, reverse);
    if (key.sortValue.isNull()) {
        const QString among = QStringLiteral("(%1 IS NULL AND %2 %3 ?)").arg(sort, id, cmp);
        clause.add(nullsFirst ? QStringLiteral("(%1 OR %2 IS NOT NULL)").arg(among, sort) : among, {key.rowId});
    } else {
        const QString ranged = keyRange(sort, ascending ? u'>' : u'<', false);
        clause.add(nullsFirst ? QStringLiteral("(%1)").arg(ranged) : QStringLiteral("((%1) OR %2 IS NULL)").arg(ranged, sort),
                   {key.sortValue, key.sortValue, key.rowId});
    }
    return clause;
}

SqlClause SqlStatements::fromValue(const TaskQuery &query, const QVariant &value, bool reverse, bool inclusive) const
{
    const bool ascending = (query.sortOrder == Qt::AscendingOrder) != reverse;
    const QString sort = column(query.sortField);
    const bool nullsFirst = this->nullsFirst(query, reverse);
    SqlClause clause;
    if (value.isNull()) {
        // NULL is a value of its own at one end of the order: from it on is everything (NULLs
        // first) or the NULLs alone (NULLs last); past it, the values (first) or nothing (last).
        if (nullsFirst && !inclusive)
            clause.add(QStringLiteral("%1 IS NOT NULL").arg(sort));
        else if (!nullsFirst)
            clause.add(inclusive ? QStringLiteral("%1 IS NULL").arg(sort) : QStringLiteral("0 = 1"));
        return clause;
    }
    const QString ranged = QStringLiteral("%1 %2%3 ?").arg(sort, ascending ? QStringLiteral(">") : QStringLiteral("<"),
                                                           inclusive ? QStringLiteral("=") : QString());
    clause.add(nullsFirst ? ranged : QStringLiteral("(%1 OR %2 IS NULL)").arg(ranged, sort), {value});
    return clause;
}

SqlClause SqlStatements::atValue(const TaskQuery &query, const QVariant &value) const
{
    const QString sort = column(query.sortField);
    SqlClause clause;
    if (value.isNull())
        clause.add(QStringLiteral("%1 IS NULL").arg(sort));
    else
        clause.add(QStringLiteral("%1 = ?").arg(sort), {value});
    return clause;
}

QString SqlStatements::selectedSortValue(const TaskQuery &query, const QString &key) const
{
    if (query.sortField == Field::DateDone || query.sortField == Field::DateCreated
        || query.sortField == Field::DateStarted)
        return m_dialect->dateSelect(key); // as text with microseconds, bound back unchanged
    return key;
}

SqlStatement SqlStatements::seekPage(const TaskQuery &query, const SqlSeek &seek, int limit, RowDetail detail) const
{
    Q_ASSERT(canSeek(query));
    SqlClause clause = filter(query);
    if (seek.inValue && isSorted(query))
        clause.add(atValue(query, seek.after.sortValue));
    else if (seek.atValue && isSorted(query))
        clause.add(fromValue(query, seek.after.sortValue, seek.reverse, true));
    else if (seek.after.isValid())
        clause.add(after(query, seek.after, seek.reverse));
    TaskQuery order = query;
    if (seek.reverse)
        order.sortOrder = query.sortOrder == Qt::AscendingOrder ? Qt::DescendingOrder : Qt::AscendingOrder;
    return keyedPage(order, clause, limit, seek.skip, detail);
}

SqlStatement SqlStatements::pageThrough(const TaskQuery &query, const QVariant &boundary, int limit,
                                        RowDetail detail) const
{
    Q_ASSERT(canSeek(query) && isSorted(query));
    SqlClause clause = filter(query);
    clause.add(fromValue(query, boundary, true, true));
    return keyedPage(query, clause, limit, 0, detail);
}

bool SqlStatements::hasScannedPage() const
{
    return !m_dialect->scannedSelect(column(Field::RowId), table(), QString()).isEmpty();
}

SqlStatement SqlStatements::scannedPage(const TaskQuery &query, int limit, RowDetail detail) const
{
    Q_ASSERT(canSeek(query) && hasScannedPage());
    const SqlClause clause = filter(query);
    // The engine finds the matches by scanning the table (in parallel where it can), then
    // sorts only them: the dialect's form keeps the ORDER BY from walking the sort index.
    QString columns = column(Field::RowId);
    if (isSorted(query))
        columns += QStringLiteral(", ") + column(query.sortField);
    QVariantList values = clause.values;
    values << limit;
    return keyedPage(query,
                     QStringLiteral("SELECT %1, %2 AS s FROM (%3) AS m%4 LIMIT ?")
                         .arg(column(Field::RowId), sortColumn(query),
                              m_dialect->scannedSelect(columns, table(), clause.where()), orderBy(query)),
                     values, detail);
}

bool SqlStatements::isSorted(const TaskQuery &query) const
{
    return query.sortField != Field::RowId && m_layout.has(query.sortField);
}

QString SqlStatements::sortColumn(const TaskQuery &query) const
{
    return isSorted(query) ? column(query.sortField) : QStringLiteral("NULL");
}

SqlStatement SqlStatements::keyedPage(const TaskQuery &order, const SqlClause &clause, int limit, qint64 skip,
                                      RowDetail detail) const
{
    QVariantList values = clause.values;
    values << limit << skip;
    return keyedPage(order,
                     QStringLiteral("SELECT %1, %2 AS s FROM %3%4%5 LIMIT ? OFFSET ?")
                         .arg(column(Field::RowId), sortColumn(order), table(), clause.where(), orderBy(order)),
                     values, detail);
}

SqlStatement SqlStatements::keyedPage(const TaskQuery &order, const QString &keys, QVariantList values,
                                      RowDetail detail) const
{
    // Late row lookup as page(): `keys` reads ids and sort values only, then only the page's
    // rows are read.
    SqlStatement s;
    const QString r = QStringLiteral("r.");
    const QString id = column(Field::RowId);
    const QString key = isSorted(order) ? selectedSortValue(order, QStringLiteral("k.s")) : QStringLiteral("k.s");
    s.sql = QStringLiteral("SELECT %1, %2 FROM (%3) AS k JOIN %4 AS r ON r.%5 = k.%5%6")
                .arg(selectList(detail, r, &s.fields), key, keys, table(), id, orderBy(order, r));
    s.values = std::move(values);
    return s;
}

bool SqlStatements::canWalkSortIndex(const TaskQuery &query) const
{
    TaskQuery others = query;
    others.doneAfter = QDateTime();
    others.doneBefore = QDateTime();
    return query.sortField == Field::DateDone && m_layout.has(Field::DateDone) && m_layout.dateDoneIndexed
        && others.isUnfiltered();
}

SqlStatement SqlStatements::sortValues(const TaskQuery &query, bool reverse, qint64 skip, int limit) const
{
    Q_ASSERT(canWalkSortIndex(query));
    const SqlClause clause = filter(query);
    const bool ascending = (query.sortOrder == Qt::AscendingOrder) != reverse;
    const QString dir = ascending ? QStringLiteral(" ASC") : QStringLiteral(" DESC");
    // The inner SELECT names the bare column, so that the engine renders only the rows kept,
    // not every row it skips.
    return {QStringLiteral("SELECT %1 FROM (SELECT %2 AS s FROM %3%4 ORDER BY %2%5 LIMIT ? OFFSET ?) AS k "
                           "ORDER BY k.s%5")
                .arg(selectedSortValue(query, QStringLiteral("k.s")), column(query.sortField), table(),
                     clause.where(), dir),
            clause.values + QVariantList{limit, skip},
            {}};
}

SqlStatement SqlStatements::countBeforeValue(const TaskQuery &query, const QVariant &value, bool reverse) const
{
    Q_ASSERT(canWalkSortIndex(query));
    SqlClause clause = filter(query);
    clause.add(fromValue(query, value, !reverse, false));
    return {QStringLiteral("SELECT COUNT(*) FROM %1%2").arg(table(), clause.where()), clause.values, {}};
}

SqlStatement SqlStatements::quickMatches(const TaskQuery &query, int limit) const
{
    const QStringList terms = query.searchTerms();
    // One term that could start a task id: printable ASCII, no quote or wildcard trouble
    // (the range below is on the raw bytes), at least 3 characters so that the range is narrow.
    if (terms.size() != 1 || limit <= 0)
        return {};
    const QString term = terms.first();
    if (term.size() < 3)
        return {};
    for (const QChar c : term) {
        if (c.unicode() <= 0x20 || c.unicode() >= 0x7e)
            return {};
    }
    // The rows whose task id starts with the term (as typed, or in lower case: Celery's
    // UUIDs), through the unique task_id index: a range, a few index steps. The whole query
    // clause is applied as well, so every row returned is a row of the full answer.
    const auto upperBound = [](QString prefix) {
        prefix[prefix.size() - 1] = QChar(prefix.at(prefix.size() - 1).unicode() + 1);
        return prefix;
    };
    const QString range = QStringLiteral("(%1 >= ? AND %1 < ?)").arg(column(Field::TaskId));
    SqlClause clause;
    const QString lower = term.toLower();
    if (lower == term)
        clause.add(range, {term, upperBound(term)});
    else
        clause.add(QStringLiteral("(%1 OR %1)").arg(range), {term, upperBound(term), lower, upperBound(lower)});
    clause.add(filter(query));
    return page(query, clause, 0, limit, RowDetail::Summary);
}

SqlStatement SqlStatements::row(Field key, const QVariant &value) const
{
    SqlStatement s;
    s.sql = QStringLiteral("SELECT %1 FROM %2 WHERE %3 = ?")
                .arg(selectList(RowDetail::Full, QString(), &s.fields), table(), column(key));
    s.values = {value};
    return s;
}

SqlStatement SqlStatements::exists(const SqlClause &clause) const
{
    return {QStringLiteral("SELECT EXISTS(SELECT 1 FROM %1%2)").arg(table(), clause.where()), clause.values, {}};
}

SqlStatement SqlStatements::anyValue(Field field) const
{
    return {QStringLiteral("SELECT CASE WHEN EXISTS(SELECT 1 FROM %1 WHERE %2 IS NOT NULL) THEN 2 "
                           "WHEN EXISTS(SELECT 1 FROM %1) THEN 1 ELSE 0 END")
                .arg(table(), column(field)),
            {},
            {}};
}

SqlStatement SqlStatements::djangoMigrations()
{
    return {QStringLiteral("SELECT name FROM django_migrations WHERE app = ? ORDER BY name"),
            {QStringLiteral("django_celery_results")},
            {}};
}

SqlStatement SqlStatements::rowIdSpan() const
{
    // Two separate subqueries: "SELECT MAX(id) - MIN(id)" in one select would scan.
    return {QStringLiteral("SELECT (SELECT MAX(%1) FROM %2) - (SELECT MIN(%1) FROM %2) + 1").arg(column(Field::RowId), table()),
            {},
            {}};
}

SqlStatement SqlStatements::estimatedRows() const
{
    const QString sql = m_dialect->estimatedRowsSql();
    if (sql.isEmpty())
        return {};
    return {sql, {m_layout.table}, {}};
}

SqlStatement SqlStatements::countUpTo(const SqlClause &clause, qint64 bound) const
{
    SqlStatement s{QStringLiteral("SELECT COUNT(*) FROM (SELECT 1 FROM %1%2 LIMIT ?)").arg(table(), clause.where()),
                   clause.values,
                   {}};
    s.values << bound;
    return s;
}

SqlStatement SqlStatements::dateBelowNewestIds(qint64 ids) const
{
    // The date as the dialect renders it to be bound back unchanged (text with microseconds).
    return {QStringLiteral("SELECT %4 FROM %2 WHERE %3 <= (SELECT MAX(%3) FROM %2) - ? AND %1 IS NOT NULL "
                           "ORDER BY %3 DESC LIMIT 1")
                .arg(column(Field::DateDone), table(), column(Field::RowId), m_dialect->dateSelect(column(Field::DateDone))),
            {ids},
            {}};
}

SqlStatement SqlStatements::searchTally(const TaskQuery &query, int pageLimit) const
{
    const SqlClause clause = filter(query);
    const auto columnOrNull = [this](Field field) {
        const QString c = column(field);
        return c.isEmpty() ? QStringLiteral("NULL") : c;
    };
    const QString columns = QStringLiteral("%1 AS s, %2 AS t, %3 AS w, %4 AS p")
                                .arg(columnOrNull(Field::Status), columnOrNull(Field::TaskName),
                                     columnOrNull(Field::Worker), columnOrNull(Field::PeriodicTaskName));
    const QString where = QStringLiteral("%1 NOT INDEXED WHERE stalk_tally(%2)")
                              .arg(table(), clause.sql.isEmpty() ? QStringLiteral("1") : clause.sql);
    QVariantList values = clause.values;
    if (pageLimit <= 0) {
        // One scan (NOT INDEXED: no index helps a search), grouped as it goes.
        return {QStringLiteral("SELECT 1, COUNT(*), s, t, w, p FROM (SELECT %1 FROM %2) GROUP BY s, t, w, p")
                    .arg(columns, where),
                values,
                {}};
    }
    // MATERIALIZED: the matches are found once, by one scan, and both parts read them there.
    QString sql = QStringLiteral("WITH m AS MATERIALIZED (SELECT rowid AS r, %1 AS i, %2 AS d, %3 FROM %4) "
                                 "SELECT 1, COUNT(*), s, t, w, p FROM m GROUP BY s, t, w, p "
                                 "UNION ALL SELECT 0, r, NULL, NULL, NULL, NULL FROM "
                                 "(SELECT r FROM m ORDER BY d DESC, i DESC LIMIT ?)")
                      .arg(column(Field::RowId), columnOrNull(Field::DateDone), columns, where);
    values << pageLimit;
    return {sql, values, {}};
}

bool SqlStatements::tallies(const TaskQuery &query)
{
    return !query.searchTerms().isEmpty() && query.statuses.isEmpty() && query.taskNames.isEmpty()
        && query.workers.isEmpty() && query.periodicTaskNames.isEmpty() && query.exceptionFilter().isEmpty();
}

TaskQuery SqlStatements::tallyKey(TaskQuery query)
{
    query.sortField = TaskQuery().sortField;
    query.sortOrder = TaskQuery().sortOrder;
    return query;
}

SqlStatement SqlStatements::facetTally(const TaskQuery &query, const SqlClause &within) const
{
    SqlClause clause = filter(query);
    clause.add(within);
    const Field fields[] = {Field::Status, Field::TaskName, Field::Worker, Field::PeriodicTaskName};
    const QString total = QString::number(std::size(fields));
    QStringList columns;
    QStringList facets;
    for (size_t i = 0; i < std::size(fields); ++i) {
        if (!m_layout.has(fields[i]))
            continue;
        const QString c = column(fields[i]);
        columns << c;
        facets << QString::number(i);
    }
    // Each facet as facet() orders it: most frequent first, ties by value in the engine's
    // collation (where NULL goes is the engine's, as there).
    const QString order = QStringLiteral(" ORDER BY 1, 3 DESC, 2");
    if (columns.isEmpty()) {
        return {QStringLiteral("SELECT %1, NULL, COUNT(*) FROM %2%3").arg(total, table(), clause.where()),
                clause.values,
                {}};
    }
    if (m_dialect->hasGroupingSets()) {
        // One pass over the matches, grouped by each column alone and by nothing (the count).
        // In a set's rows the other columns are NULL: COALESCE picks the grouped one.
        QStringList which, sets;
        for (qsizetype i = 0; i < columns.size(); ++i) {
            which << QStringLiteral("WHEN GROUPING(%1) = 0 THEN %2").arg(columns[i], facets[i]);
            sets << QStringLiteral("(%1)").arg(columns[i]);
        }
        sets << QStringLiteral("()");
        const QString value = columns.size() == 1 ? columns.first()
                                                  : QStringLiteral("COALESCE(%1)").arg(columns.join(QStringLiteral(", ")));
        return {QStringLiteral("SELECT CASE %1 ELSE %2 END, %3, COUNT(*) FROM %4%5 GROUP BY GROUPING SETS (%6)%7")
                    .arg(which.join(u' '), total, value, table(), clause.where(), sets.join(QStringLiteral(", ")),
                         order),
                clause.values,
                {}};
    }
    // No GROUPING SETS (MariaDB): the matches grouped by every combination once (a derived
    // table read once: MariaDB would materialize a CTE again for each reference), each
    // combination repeated for every facet by a join with the facets' numbers, then summed
    // by the engine per facet and value, in the column's collation (so values that a
    // case-insensitive column holds in two spellings count as one, as facet() counts them).
    QStringList numbers, cases;
    for (qsizetype i = 0; i < columns.size(); ++i) {
        numbers << QStringLiteral("SELECT %1 AS f").arg(facets[i]);
        cases << QStringLiteral("WHEN %1 THEN c.%2").arg(facets[i], columns[i]);
    }
    numbers << QStringLiteral("SELECT %1").arg(total);
    const QString grouped = columns.join(QStringLiteral(", "));
    return {QStringLiteral("SELECT k.f, CASE k.f %1 END, SUM(c.n) FROM (SELECT %2, COUNT(*) AS n FROM %3%4 GROUP BY %2) "
                           "AS c CROSS JOIN (%5) AS k GROUP BY 1, 2%6")
                .arg(cases.join(u' '), grouped, table(), clause.where(), numbers.join(QStringLiteral(" UNION ALL ")),
                     order),
            clause.values,
            {}};
}

SqlClause SqlStatements::rowIdsIn(const QVector<qint64> &rowIds) const
{
    return idsIn(table() + QStringLiteral(".rowid"), rowIds);
}

SqlClause SqlStatements::idsIn(const QVector<qint64> &ids) const
{
    return idsIn(column(Field::RowId), ids);
}

SqlClause SqlStatements::idsIn(const QString &key, const QVector<qint64> &ids)
{
    SqlClause clause;
    if (ids.isEmpty()) {
        clause.add(QStringLiteral("1 = 0"));
        return clause;
    }
    QVariantList values;
    for (qint64 id : ids)
        values << id;
    clause.add(QStringLiteral("%1 IN (%2)").arg(key, placeholders(ids.size())), values);
    return clause;
}

SqlStatement SqlStatements::dataVersion()
{
    return {QStringLiteral("PRAGMA data_version"), {}, {}};
}

QString SqlStatements::readText(const QVariant &stored)
{
    if (stored.isNull())
        return {};
    QString s = stored.typeId() == QMetaType::QByteArray ? QString::fromUtf8(stored.toByteArray()) : stored.toString();
    if (s.isNull())
        s = QLatin1String("");
    return s;
}

// --- purging and deleting --------------------------------------------------------------------

bool SqlStatements::purgesGroups(const PurgeCriteria &criteria) const
{
    return criteria.includesGroups() && !m_layout.groupTable.isEmpty();
}

SqlStatement SqlStatements::expiredByStatus(const PurgeCriteria &criteria) const
{
    const SqlClause clause = expired(criteria);
    return {QStringLiteral("SELECT %1, COUNT(*) FROM %2%3 GROUP BY %1").arg(column(Field::Status), table(), clause.where()),
            clause.values,
            {}};
}

SqlStatement SqlStatements::expiredGroupCount(const PurgeCriteria &criteria) const
{
    const SqlClause clause = expiredGroups(criteria);
    return {QStringLiteral("SELECT COUNT(*) FROM %1%2").arg(groupTable(), clause.where()), clause.values, {}};
}

SqlStatement SqlStatements::deleteExpired(const PurgeCriteria &criteria, int batchSize) const
{
    const SqlClause clause = expired(criteria);
    const QString id = column(Field::RowId);
    SqlStatement s{m_dialect->batchDeleteSql(table(), id, clause.where(), id), clause.values, {}};
    s.values << batchSize;
    return s;
}

SqlStatement SqlStatements::anyExpired(const PurgeCriteria &criteria) const
{
    return exists(expired(criteria));
}

SqlStatement SqlStatements::deleteExpiredByDate(const PurgeCriteria &criteria, const SqlPurgeCursor &after,
                                                int batchSize, const SqlPurgeCursor &upTo) const
{
    SqlClause clause = expiredAfter(criteria, after);
    if (upTo.isValid())
        clause.add(keyRange(column(Field::DateDone), u'<', true), {upTo.dateDone, upTo.dateDone, upTo.rowId});
    const QString date = column(Field::DateDone);
    const QString id = column(Field::RowId);
    // RETURNING (SQLite 3.35+; this plan is SQLite's) tells where the batch ended.
    SqlStatement s{m_dialect->batchDeleteSql(table(), id, clause.where(), date + QStringLiteral(", ") + id)
                       + QStringLiteral(" RETURNING %1, %2").arg(date, id),
                   clause.values,
                   {}};
    s.values << batchSize;
    return s;
}

SqlStatement SqlStatements::anyExpiredAfter(const PurgeCriteria &criteria, const SqlPurgeCursor &after) const
{
    return exists(expiredAfter(criteria, after));
}

SqlStatement SqlStatements::purgeBatchEnd(const PurgeCriteria &criteria, const SqlPurgeCursor &after,
                                          int batchSize) const
{
    const SqlClause clause = expiredAfter(criteria, after);
    const QString date = column(Field::DateDone);
    const QString id = column(Field::RowId);
    SqlStatement s{QStringLiteral("SELECT %1, %2 FROM %3%4 ORDER BY %5, %2 LIMIT 2 OFFSET ?")
                       .arg(m_dialect->dateSelect(date), id, table(), clause.where(), date),
                   clause.values,
                   {}};
    s.values << qMax(0, batchSize - 1);
    return s;
}

SqlStatement SqlStatements::purgeBatchEndDate(const PurgeCriteria &criteria, const SqlPurgeCursor &after,
                                              int batchSize) const
{
    const SqlClause clause = expiredAfter(criteria, after);
    const QString date = column(Field::DateDone);
    // Rendered once, after the LIMIT: in the select list of the scan, PostgreSQL renders
    // every row it skips (79 ms instead of 13 ms for 50,000 rows).
    SqlStatement s{QStringLiteral("SELECT %1 FROM (SELECT %2 FROM %3%4 ORDER BY %2 LIMIT 1 OFFSET ?) AS batch_end")
                       .arg(m_dialect->dateSelect(date), date, table(), clause.where()),
                   clause.values,
                   {}};
    s.values << qMax(0, batchSize - 1);
    return s;
}

SqlStatement SqlStatements::deleteExpiredBefore(const PurgeCriteria &criteria, const SqlPurgeCursor &after,
                                                const QVariant &endDate) const
{
    SqlClause clause = expiredAfter(criteria, after);
    clause.add(QStringLiteral("%1 < ?").arg(column(Field::DateDone)), {endDate});
    return {QStringLiteral("DELETE FROM %1%2").arg(table(), clause.where()), clause.values, {}};
}

SqlStatement SqlStatements::deleteExpiredBetween(const PurgeCriteria &criteria, const SqlPurgeCursor &after,
                                                 const SqlPurgeCursor &upTo) const
{
    SqlClause clause = expiredAfter(criteria, after);
    if (upTo.isValid()) {
        clause.add(keyRange(column(Field::DateDone), u'<', true), {upTo.dateDone, upTo.dateDone, upTo.rowId});
    }
    return {QStringLiteral("DELETE FROM %1%2").arg(table(), clause.where()), clause.values, {}};
}

SqlStatement SqlStatements::deleteExpiredGroups(const PurgeCriteria &criteria, qint64 limit) const
{
    const SqlClause clause = expiredGroups(criteria);
    const QString order = m_dialect->quote(m_layout.groupDateDoneIndexed ? m_layout.groupDateDone : QStringLiteral("id"));
    SqlStatement s{m_dialect->batchDeleteSql(groupTable(), m_dialect->quote(QStringLiteral("id")), clause.where(), order),
                   clause.values,
                   {}};
    s.values << limit;
    return s;
}

SqlStatement SqlStatements::anyExpiredGroups(const PurgeCriteria &criteria) const
{
    const SqlClause clause = expiredGroups(criteria);
    return {QStringLiteral("SELECT EXISTS(SELECT 1 FROM %1%2)").arg(groupTable(), clause.where()), clause.values, {}};
}

namespace {

/// The select list of a group listing.
QString groupColumns(const SqlDialect &dialect, const SqlLayout &layout)
{
    QStringList columns{dialect.quote(layout.groupKey), dialect.dateSelect(dialect.quote(layout.groupDateDone)),
                        dialect.quote(layout.groupResult)};
    if (layout.groupContentType)
        columns << dialect.quote(QStringLiteral("content_type")) << dialect.quote(QStringLiteral("content_encoding"));
    return columns.join(QStringLiteral(", "));
}

} // namespace

SqlStatement SqlStatements::groups(const TaskQuery &query, int limit) const
{
    const QString date = m_dialect->quote(m_layout.groupDateDone);
    SqlClause clause;
    if (query.doneAfter.isValid())
        clause.add(QStringLiteral("%1 >= ?").arg(date), {dateValue(query.doneAfter)});
    if (query.doneBefore.isValid())
        clause.add(QStringLiteral("%1 < ?").arg(date), {dateValue(query.doneBefore)});
    SqlStatement s{QStringLiteral("SELECT %1 FROM %2%3 ORDER BY %4 DESC, %5 LIMIT ?")
                       .arg(groupColumns(*m_dialect, m_layout), groupTable(), clause.where(), date,
                            m_dialect->quote(m_layout.groupKey)),
                   clause.values, {}};
    s.values << qMax(0, limit);
    return s;
}

SqlStatement SqlStatements::groupsListing(const QString &taskId) const
{
    static const QRegularExpression plainId(QStringLiteral("^[A-Za-z0-9-]+$"));
    SqlClause clause;
    // A pickled group (encoding "binary": base64 text) never holds the id as written.
    const QString pattern = QStringLiteral("%\"%1\"%").arg(taskId);
    const QString result = m_dialect->quote(m_layout.groupResult);
    if (!m_layout.binaryResult && plainId.match(taskId).hasMatch() && m_layout.groupContentType)
        clause.add(QStringLiteral("(%1 LIKE ? OR %2 = ?)").arg(result, m_dialect->quote(QStringLiteral("content_encoding"))),
                   {pattern, QStringLiteral("binary")});
    else if (!m_layout.binaryResult && plainId.match(taskId).hasMatch())
        clause.add(QStringLiteral("%1 LIKE ?").arg(result), {pattern});
    return {QStringLiteral("SELECT %1 FROM %2%3").arg(groupColumns(*m_dialect, m_layout), groupTable(), clause.where()),
            clause.values, {}};
}

SqlStatement SqlStatements::rowsByTaskIds(const QStringList &taskIds) const
{
    Q_ASSERT(taskIds.size() <= rowsPerDelete());
    SqlStatement s;
    QString where = QStringLiteral("1 = 0");
    if (!taskIds.isEmpty()) {
        where = QStringLiteral("%1 IN (%2)").arg(column(Field::TaskId), placeholders(taskIds.size()));
        for (const QString &id : taskIds)
            s.values << id;
    }
    s.sql = QStringLiteral("SELECT %1 FROM %2 WHERE %3").arg(selectList(RowDetail::Summary, QString(), &s.fields), table(), where);
    return s;
}

SqlStatement SqlStatements::deleteRows(const QVector<qint64> &ids) const
{
    Q_ASSERT(ids.size() <= rowsPerDelete());
    SqlStatement s{QStringLiteral("DELETE FROM %1 WHERE %2 IN (%3)").arg(table(), column(Field::RowId), placeholders(ids.size())),
                   {},
                   {}};
    for (qint64 id : ids)
        s.values << id;
    return s;
}

int SqlStatements::rowsPerDelete() const
{
    return m_dialect->maxBoundValues();
}
