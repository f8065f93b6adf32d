#include "sqlstore.h"

#include <algorithm>
#include <cmath>
#include <utility>

#include <QAtomicInteger>
#include <QSet>
#include <QSqlDatabase>
#include <QSqlQuery>

#include "sqlitedialect.h"

namespace {

QString newConnectionName()
{
    static QAtomicInteger<quint64> counter;
    return QStringLiteral("stalk-sql-%1").arg(counter.fetchAndAddRelaxed(1) + 1);
}

/// Stored text as a QString that keeps NULL (null QString) apart from "" (empty, not null).
QString textOf(const QVariant &v)
{
    if (v.isNull())
        return {};
    QString s = v.typeId() == QMetaType::QByteArray ? QString::fromUtf8(v.toByteArray()) : v.toString();
    if (s.isNull())
        s = QLatin1String("");
    return s;
}

const QString kAnd = QStringLiteral(" AND ");

} // namespace

// ---------------------------------------------------------------------------------------------

void SqlStore::Clause::add(const QString &fragment, const QVariantList &fragmentValues)
{
    if (!sql.isEmpty())
        sql += kAnd;
    sql += fragment;
    values += fragmentValues;
}

QString SqlStore::Clause::where() const
{
    return sql.isEmpty() ? QString() : QStringLiteral(" WHERE ") + sql;
}

// ---------------------------------------------------------------------------------------------

SqlStore::SqlStore(std::unique_ptr<SqlDialect> dialect, StoreOptions options)
    : m_dialect(std::move(dialect))
    , m_options(std::move(options))
    , m_connection(newConnectionName())
{
    Q_ASSERT(m_dialect);
}

SqlStore::~SqlStore()
{
    closeConnection();
}

void SqlStore::closeConnection()
{
    m_dialect->disconnect();
    m_opened = false;
    if (QSqlDatabase::contains(m_connection)) {
        {
            QSqlDatabase db = QSqlDatabase::database(m_connection, false);
            db.close();
        } // the last QSqlDatabase copy must be gone before removeDatabase()
        QSqlDatabase::removeDatabase(m_connection);
    }
}

std::unique_ptr<SqlStore> SqlStore::sqlite(const QString &path, const StoreOptions &options, int busyTimeoutMs)
{
    return std::make_unique<SqlStore>(std::make_unique<SqliteDialect>(path, options.readOnly, busyTimeoutMs),
                                      options);
}

QSqlDatabase SqlStore::database() const
{
    return QSqlDatabase::database(m_connection, false);
}

void SqlStore::interrupt()
{
    m_facetsInterrupted.store(true);
    m_dialect->interrupt();
}

StoreError SqlStore::checkOpen() const
{
    if (!m_opened)
        return {StoreError::Code::QueryFailed, QStringLiteral("%1 is not open").arg(m_dialect->location())};
    return {};
}

StoreError SqlStore::refuseWrites(const QString &what) const
{
    if (StoreError e = checkOpen())
        return e;
    if (m_options.readOnly) {
        return {StoreError::Code::PermissionDenied,
                QStringLiteral("%1 is open read-only: %2 is not allowed").arg(m_dialect->location(), what)};
    }
    return {};
}

Outcome<QSqlQuery> SqlStore::run(const QString &sql, const QVariantList &values, const QString &what)
{
    ++m_statements;
    QSqlDatabase db = database();
    QSqlQuery q(db);
    q.setForwardOnly(true);
    if (values.isEmpty()) {
        // Not prepared: PostgreSQL cannot PREPARE transaction control (BEGIN, COMMIT).
        if (!q.exec(sql))
            return m_dialect->mapError(q.lastError(), what);
        return q;
    }
    if (!q.prepare(sql))
        return m_dialect->mapError(q.lastError(), what);
    for (const QVariant &v : values)
        q.addBindValue(v);
    if (!q.exec())
        return m_dialect->mapError(q.lastError(), what);
    return q;
}

Outcome<qint64> SqlStore::scalar(const QString &sql, const QVariantList &values, const QString &what)
{
    auto q = run(sql, values, what);
    if (!q)
        return q.error();
    if (!q.value().next()) {
        if (q.value().lastError().isValid())
            return m_dialect->mapError(q.value().lastError(), what);
        return qint64(0);
    }
    const qint64 v = q.value().value(0).toLongLong();
    q.value().finish();
    return v;
}

// --- open and schema detection ---------------------------------------------------------------

StoreError SqlStore::open()
{
    if (m_opened)
        return {};
    // A failed attempt leaves nothing behind, so open() may simply be called again.
    if (StoreError e = m_dialect->connect(m_connection)) {
        closeConnection();
        return e;
    }
    if (StoreError e = detect()) {
        closeConnection();
        return e;
    }
    m_opened = true;
    return {};
}

StoreError SqlStore::detect()
{
    QSqlDatabase db = database();
    const QString where = m_dialect->location();
    auto tables = m_dialect->tableNames(db);
    if (!tables)
        return tables.error();

    QString table = m_options.table;
    if (!table.isEmpty()) {
        if (!tables->contains(table)) {
            return {StoreError::Code::NotCelery, QStringLiteral("no table %1 in %2").arg(table, where)};
        }
    } else if (tables->contains(SqlTables::djangoTasks)) {
        table = SqlTables::djangoTasks;
    } else if (tables->contains(SqlTables::taskMeta)) {
        table = SqlTables::taskMeta;
    } else {
        return {StoreError::Code::NotCelery,
                QStringLiteral("no Celery result tables in %1: looked for %2 and %3")
                    .arg(where, SqlTables::djangoTasks, SqlTables::taskMeta)};
    }

    auto columns = m_dialect->columns(db, table);
    if (!columns)
        return columns.error();
    SqlLayout layout;
    if (!detectSqlLayout(table, *columns, &layout)) {
        return {StoreError::Code::NotCelery,
                QStringLiteral("%1 in %2 is not a Celery result table (it lacks id, task_id, status, result or date_done)")
                    .arg(table, where)};
    }

    const QString groupTable = layout.kind == StoreInfo::Layout::DjangoCeleryResults ? SqlTables::djangoGroups
                                                                                       : SqlTables::taskSetMeta;
    if (tables->contains(groupTable)) {
        auto groupColumns = m_dialect->columns(db, groupTable);
        if (!groupColumns)
            return groupColumns.error();
        bool hasId = false, hasDate = false;
        for (const SqlColumn &c : *groupColumns) {
            hasId = hasId || c.name == QLatin1String("id");
            hasDate = hasDate || c.name == QLatin1String("date_done");
        }
        if (hasId && hasDate) {
            layout.groupTable = groupTable;
            layout.groupDateDone = QStringLiteral("date_done");
        }
    }

    m_layout = layout;
    m_wallClock = QTimeZone();
    if (!m_options.timeZone.isEmpty() && layout.naiveDates)
        m_wallClock = QTimeZone(m_options.timeZone.toUtf8());
    m_table = m_dialect->quote(layout.table);
    m_groupTable = layout.groupTable.isEmpty() ? QString() : m_dialect->quote(layout.groupTable);

    // A purge batch walks the date_done index when there is one (deleteExpiredByDate()):
    // each batch then reads only the rows it deletes, and the last one does not scan every
    // younger row looking for more (in id order it would: nothing bounds the search).
    auto dateIndexed = m_dialect->hasIndexLedBy(db, layout.table, layout.column(Field::DateDone));
    if (!dateIndexed)
        return dateIndexed.error();
    m_dateDoneIndexed = *dateIndexed;
    m_groupPurgeOrder = m_dialect->quote(QStringLiteral("id"));
    if (!layout.groupTable.isEmpty()) {
        auto groupIndexed = m_dialect->hasIndexLedBy(db, layout.groupTable, layout.groupDateDone);
        if (!groupIndexed)
            return groupIndexed.error();
        if (*groupIndexed)
            m_groupPurgeOrder = m_dialect->quote(layout.groupDateDone);
    }

    StoreInfo info;
    info.layout = layout.kind;
    info.engine = m_dialect->engineName();
    info.location = where;
    info.tableName = layout.table;
    info.fields = layout.fields();
    info.hasGroups = !layout.groupTable.isEmpty();
    if (!m_options.readOnly && m_dialect->connectionIsReadOnly()) {
        // A write-protected file: SQLite fell back to reading. Say so now rather than fail
        // at the first delete.
        m_options.readOnly = true;
        info.note = QStringLiteral("%1 is not writable: opened read-only").arg(where);
    }
    info.readOnly = m_options.readOnly;

    if (layout.kind == StoreInfo::Layout::DjangoCeleryResults) {
        QStringList migrations;
        if (tables->contains(QStringLiteral("django_migrations"))) {
            auto q = run(QStringLiteral("SELECT name FROM django_migrations WHERE app = ? ORDER BY name"),
                         {QStringLiteral("django_celery_results")}, QStringLiteral("reading django_migrations"));
            if (!q)
                return q.error();
            while (q.value().next())
                migrations << q.value().value(0).toString();
            if (q.value().lastError().isValid())
                return m_dialect->mapError(q.value().lastError(), QStringLiteral("reading django_migrations"));
        }
        info.schema = describeDjangoSchema(migrations, *columns);
    } else {
        info.schema = layout.has(Field::TaskName)
            ? QStringLiteral("Celery database backend (%1 with result_extended columns)").arg(layout.table)
            : QStringLiteral("Celery database backend (%1 without result_extended columns)").arg(layout.table);
    }

    auto addNote = [&info](const QString &note) {
        info.note = info.note.isEmpty() ? note : info.note + QStringLiteral("; ") + note;
    };
    if (layout.has(Field::TaskName)) {
        // EXISTS stops at the first hit, and "task_name IS NOT NULL" can use the task_name index,
        // so this stays instant on millions of rows.
        auto anyRow = scalar(QStringLiteral("SELECT EXISTS(SELECT 1 FROM %1)").arg(m_table), {},
                             QStringLiteral("reading %1").arg(layout.table));
        if (!anyRow)
            return anyRow.error();
        if (*anyRow) {
            auto named = scalar(QStringLiteral("SELECT EXISTS(SELECT 1 FROM %1 WHERE %2 IS NOT NULL)")
                                    .arg(m_table, col(Field::TaskName)),
                                {}, QStringLiteral("reading %1").arg(layout.table));
            if (!named)
                return named.error();
            if (!*named) {
                addNote(QStringLiteral("task_name is NULL in every row: the Celery app runs without "
                                           "result_extended, so task names, arguments and workers are not stored"));
            }
        }
    } else {
        addNote(QStringLiteral("this schema has no task_name column: task names, arguments and workers are "
                               "not stored (the Celery app ran without result_extended when the table was made)"));
    }
    m_info = info;
    return {};
}

// --- statement pieces ------------------------------------------------------------------------

QVariant SqlStore::dateParam(const QDateTime &utc, int extraMicroseconds) const
{
    if (!m_wallClock.isValid())
        return m_dialect->dateValue(utc, m_layout.dateStyle, extraMicroseconds);
    // USE_TZ=False: the column holds the wall clock of the zone, so compare with that.
    const QDateTime local = utc.toTimeZone(m_wallClock);
    return m_dialect->dateValue(QDateTime(local.date(), local.time(), Qt::UTC), m_layout.dateStyle, extraMicroseconds);
}

QDateTime SqlStore::dateOf(const QVariant &stored, QString *problem) const
{
    const QDateTime naive = m_dialect->readDate(stored, problem);
    if (!m_wallClock.isValid() || !naive.isValid())
        return naive;
    return QDateTime(naive.date(), naive.time(), m_wallClock).toUTC();
}

QString SqlStore::col(Field field) const
{
    const QString name = m_layout.column(field);
    return name.isEmpty() ? QString() : m_dialect->quote(name);
}

void SqlStore::addSetFilter(Clause &clause, Field field, const QStringList &values, bool unindexed) const
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
    const QString column = unindexed ? QStringLiteral("+") + col(field) : col(field);
    QStringList parts;
    if (!bound.isEmpty()) {
        QStringList marks;
        marks.reserve(bound.size());
        for (qsizetype i = 0; i < bound.size(); ++i)
            marks << QStringLiteral("?");
        parts << QStringLiteral("%1 IN (%2)").arg(column, marks.join(QStringLiteral(", ")));
    }
    if (wantNull)
        parts << QStringLiteral("%1 IS NULL").arg(column);
    clause.add(QStringLiteral("(") + parts.join(QStringLiteral(" OR ")) + QStringLiteral(")"), bound);
}

SqlStore::Clause SqlStore::filterClause(const TaskQuery &query, Skip skip, Field unindexed) const
{
    Clause clause;
    // Django admin search: every term must match at least one search field. The term goes in
    // as a bound value only; the predicate comes from the dialect.
    struct SearchField
    {
        Field field;
        bool decodeJson;
    };
    static const SearchField searchFields[] = {
        {Field::TaskId, false}, {Field::TaskName, false}, {Field::Status, false},
        {Field::Args, true},    {Field::Kwargs, true},
    };
    const QStringList terms = query.searchTerms();
    for (const QString &term : terms) {
        QStringList parts;
        QVariantList values;
        for (const SearchField &sf : searchFields) {
            if (!m_layout.has(sf.field))
                continue;
            QString column = col(sf.field);
            if (m_layout.binaryText && (sf.field == Field::Args || sf.field == Field::Kwargs))
                column = m_dialect->binaryAsText(column);
            parts << m_dialect->searchPredicate(column, sf.decodeJson);
            values << m_dialect->searchValues(term, sf.decodeJson);
        }
        clause.add(QStringLiteral("(") + parts.join(QStringLiteral(" OR ")) + QStringLiteral(")"), values);
    }
    if (skip != Skip::Statuses)
        addSetFilter(clause, Field::Status, query.statuses, unindexed == Field::Status);
    if (skip != Skip::TaskNames)
        addSetFilter(clause, Field::TaskName, query.taskNames, unindexed == Field::TaskName);
    if (skip != Skip::Workers)
        addSetFilter(clause, Field::Worker, query.workers, unindexed == Field::Worker);
    if (skip != Skip::PeriodicTaskNames)
        addSetFilter(clause, Field::PeriodicTaskName, query.periodicTaskNames);
    if (query.doneAfter.isValid()) {
        clause.add(QStringLiteral("%1 >= ?").arg(col(Field::DateDone)),
                   {dateParam(query.doneAfter)});
    }
    if (query.doneBefore.isValid()) {
        clause.add(QStringLiteral("%1 < ?").arg(col(Field::DateDone)),
                   {dateParam(query.doneBefore)});
    }
    return clause;
}

QString SqlStore::orderBy(const TaskQuery &query, const QString &prefix) const
{
    const QString dir = query.sortOrder == Qt::AscendingOrder ? QStringLiteral(" ASC") : QStringLiteral(" DESC");
    const QString id = prefix + col(Field::RowId) + dir;
    // A field this schema lacks is NULL everywhere: the order is the id order.
    if (query.sortField == Field::RowId || !m_layout.has(query.sortField))
        return QStringLiteral(" ORDER BY ") + id;
    return QStringLiteral(" ORDER BY ") + prefix + col(query.sortField) + dir + QStringLiteral(", ") + id;
}

QString SqlStore::selectList(RowDetail detail, const QString &prefix, QVector<Field> *fields) const
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
        QString column = prefix + col(f);
        if (m_layout.binaryText && (f == Field::Args || f == Field::Kwargs))
            column = m_dialect->binaryAsText(column); // so a preview never cuts a character in half
        if (f == Field::DateCreated || f == Field::DateStarted || f == Field::DateDone)
            column = m_dialect->dateSelect(column);
        if (detail == RowDetail::Summary) {
            if (f == Field::Traceback || f == Field::Meta)
                continue;
            if (f == Field::Args || f == Field::Kwargs || f == Field::Result) {
                // A pickle is base64-encoded afterwards: 3 bytes become 4 characters.
                const int chars = (f == Field::Result && m_layout.binaryResult) ? previewChars / 4 * 3 : previewChars;
                items << m_dialect->prefixExpression(column, chars);
                fields->append(f);
                continue;
            }
        }
        items << column;
        fields->append(f);
    }
    return items.join(QStringLiteral(", "));
}

TaskResult SqlStore::readRow(const QSqlQuery &query, const QVector<Field> &fields, RowDetail detail) const
{
    TaskResult r;
    r.complete = detail == RowDetail::Full;
    for (int i = 0; i < fields.size(); ++i) {
        const QVariant v = query.value(i);
        const Field f = fields[i];
        QString problem;
        switch (f) {
        case Field::RowId: r.rowId = v.toLongLong(); break;
        case Field::TaskId: r.taskId = textOf(v); break;
        case Field::TaskName: r.taskName = textOf(v); break;
        case Field::PeriodicTaskName: r.periodicTaskName = textOf(v); break;
        case Field::Status: r.status = textOf(v); break;
        case Field::Worker: r.worker = textOf(v); break;
        case Field::Args: r.args = textOf(v); break;
        case Field::Kwargs: r.kwargs = textOf(v); break;
        case Field::Result:
            if (m_layout.binaryResult && !v.isNull()) {
                const QByteArray bytes = v.typeId() == QMetaType::QByteArray ? v.toByteArray() : v.toString().toUtf8();
                r.result = QString::fromLatin1(bytes.toBase64());
            } else {
                r.result = textOf(v);
            }
            break;
        case Field::Traceback: r.traceback = textOf(v); break;
        case Field::Meta: r.meta = textOf(v); break;
        case Field::ContentType: r.contentType = textOf(v); break;
        case Field::ContentEncoding: r.contentEncoding = textOf(v); break;
        case Field::DateCreated: r.dateCreated = dateOf(v, &problem); break;
        case Field::DateStarted: r.dateStarted = dateOf(v, &problem); break;
        case Field::DateDone: r.dateDone = dateOf(v, &problem); break;
        case Field::GroupId: r.groupId = textOf(v); break;
        case Field::ParentId: r.parentId = textOf(v); break;
        case Field::Queue: r.queue = textOf(v); break;
        case Field::Retries: r.retries = v.isNull() ? -1 : v.toInt(); break;
        case Field::Hidden: r.hidden = v.toBool(); break;
        case Field::FieldCount: break;
        }
        if (!problem.isEmpty())
            r.problems << fieldName(f) + QStringLiteral(": ") + problem;
    }
    if (m_layout.binaryResult) {
        r.contentType = QStringLiteral("application/x-python-pickle");
        r.contentEncoding = QStringLiteral("binary");
    }
    return r;
}

// --- reading ---------------------------------------------------------------------------------

Outcome<qint64> SqlStore::count(const TaskQuery &query)
{
    if (StoreError e = checkOpen())
        return e;
    if (m_scanCount.matching >= 0 && m_scanCount.afterStatement == m_statements && m_scanCount.query == query) {
        const qint64 matching = m_scanCount.matching;
        m_scanCount = ScanCount();
        return matching;
    }
    const Clause clause = filterClause(query, Skip::Nothing);
    return scalar(QStringLiteral("SELECT COUNT(*) FROM %1%2").arg(m_table, clause.where()), clause.values,
                  QStringLiteral("counting results"));
}

Outcome<qint64> SqlStore::estimateCount(const TaskQuery &query)
{
    if (StoreError e = checkOpen())
        return e;
    if (!query.isUnfiltered())
        return qint64(-1);
    if (!m_dialect->steersIndexWithUnaryPlus())
        return estimatedTotal();
    const auto span = rowIdSpan();
    if (!span)
        return span.error();
    return std::max<qint64>(*span, 0);
}

Outcome<qint64> SqlStore::rowIdSpan()
{
    // Two separate subqueries: "SELECT MAX(id) - MIN(id)" in one select would scan.
    return scalar(QStringLiteral("SELECT (SELECT MAX(%1) FROM %2) - (SELECT MIN(%1) FROM %2) + 1")
                      .arg(col(Field::RowId), m_table),
                  {}, QStringLiteral("estimating"));
}

Outcome<qint64> SqlStore::estimatedTotal()
{
    if (StoreError e = checkOpen())
        return e;
    const QString sql = m_dialect->estimatedRowsSql();
    if (sql.isEmpty())
        return qint64(-1);
    auto estimate = scalar(sql, {m_layout.table}, QStringLiteral("reading table statistics"));
    if (!estimate)
        return estimate.error();
    return *estimate < 0 ? qint64(-1) : *estimate;
}

Outcome<Field> SqlStore::pageWalksSortIndex(const TaskQuery &query, qint64 offset, int limit)
{
    constexpr Field none = Field::FieldCount;
    if (!m_dialect->steersIndexWithUnaryPlus() || query.sortField != Field::DateDone || !m_layout.has(Field::DateDone)
        || !query.searchTerms().isEmpty() || query.doneAfter.isValid() || query.doneBefore.isValid()
        || !query.periodicTaskNames.isEmpty())
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
    if (filters != 1 || !m_layout.has(field))
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
    const Clause clause = filterClause(query, Skip::Nothing);
    QVariantList values = clause.values;
    values << bound;
    const auto matching = scalar(QStringLiteral("SELECT COUNT(*) FROM (SELECT 1 FROM %1%2 LIMIT ?)")
                                     .arg(m_table, clause.where()),
                                 values, QStringLiteral("estimating"));
    if (!matching)
        return matching.error().code == StoreError::Code::Cancelled ? Outcome<Field>(matching.error()) : none;
    if (*matching < bound)
        return none;
    return field;
}

bool SqlStore::searchMayScan(const TaskQuery &query) const
{
    return m_dialect->steersIndexWithUnaryPlus() && m_dateDoneIndexed && !query.searchTerms().isEmpty()
        && query.sortField == Field::DateDone && query.sortOrder == Qt::DescendingOrder && query.statuses.isEmpty()
        && query.taskNames.isEmpty() && query.workers.isEmpty() && query.periodicTaskNames.isEmpty()
        && !query.doneAfter.isValid() && !query.doneBefore.isValid();
}

Outcome<QVector<TaskResult>> SqlStore::fetchPage(const TaskQuery &query, qint64 offset, int limit, RowDetail detail)
{
    if (StoreError e = checkOpen())
        return e;
    if (limit <= 0)
        return QVector<TaskResult>();
    offset = qMax<qint64>(0, offset);

    if (!searchMayScan(query)) {
        const Outcome<Field> unindexed = pageWalksSortIndex(query, offset, limit);
        if (!unindexed)
            return unindexed.error();
        return readPage(query, filterClause(query, Skip::Nothing, *unindexed), m_table, offset, limit, detail);
    }

    // A search tests every row it reads, and no index answers "contains". Walking the date
    // index newest first (the engine's own plan) reads about (offset + limit) / density rows
    // and stops; for a rare term (a task id, 1 row in a million) that is every row, each
    // fetched out of order, about 1.5× a plain scan of the table followed by a sort. So probe
    // first: the newest rows, about `probe` of them, through the index. When they hold the
    // page, that is the answer (every earlier match lies in them). Otherwise their matches
    // tell the density, and the cheaper plan reads the page: the walk, or the scan.
    const Clause clause = filterClause(query, Skip::Nothing);
    const QString id = col(Field::RowId);
    const auto span = rowIdSpan();
    if (!span)
        return span.error();
    constexpr qint64 minProbe = 2000, maxProbe = 20000;
    const qint64 probe = std::clamp<qint64>(*span / 64, minProbe, maxProbe);
    QString from = m_table;
    if (*span > 2 * probe) {
        // "date_done >= D" selects a prefix of this order for any D (NULLs, last when newest
        // first, are outside it). D is the date of the row `probe` ids below the newest, two
        // b-tree probes: about `probe` rows where ids grow with time, as Celery writes them;
        // any other D is still a correct, only less apt, probe.
        auto q = run(QStringLiteral("SELECT %1 FROM %2 WHERE %3 <= (SELECT MAX(%3) FROM %2) - ? AND %1 IS NOT NULL "
                                    "ORDER BY %3 DESC LIMIT 1")
                         .arg(col(Field::DateDone), m_table, id),
                     {probe}, QStringLiteral("reading results"));
        if (!q)
            return q.error();
        QVariant boundary;
        if (q.value().next())
            boundary = q.value().value(0);
        q.value().finish();
        if (!boundary.isNull()) {
            const QString date = col(Field::DateDone);
            Clause bounded = clause;
            bounded.add(QStringLiteral("%1 >= ?").arg(date), {boundary});
            auto rows = readPage(query, bounded, m_table, offset, limit, detail);
            if (!rows || rows->size() == limit)
                return rows;
            // Matches in the probe: exactly offset + rows when it returned some (or offset is
            // 0), else at most offset.
            const bool exact = !rows->isEmpty() || offset == 0;
            const qint64 found = offset + rows->size();
            // Rows the walk would read to reach the page, against the table: a walk step
            // (index entry + an out-of-order row) costs about 1.5 scan steps.
            const double walk = found > 0 ? double(offset + limit) * double(probe) / double(found) : HUGE_VAL;
            const QString rest = walk * 1.5 >= double(*span) ? m_table + QStringLiteral(" NOT INDEXED") : m_table;
            if (exact && rest != m_table && offset == 0) {
                // A scan reads every row anyway: the rest of the page, below the probe (NULL
                // dates last), and the count of all matches come from the same pass.
                QVector<TaskResult> page = *rows;
                Clause below = clause;
                below.add(QStringLiteral("(%1 < ? OR %1 IS NULL)").arg(date), {boundary});
                qint64 belowMatching = -1;
                auto more = readPage(query, below, rest, 0, limit - int(page.size()), detail, &belowMatching);
                if (!more)
                    return more.error();
                page += *more;
                if (belowMatching >= 0)
                    m_scanCount = {query, qint64(rows->size()) + belowMatching, m_statements};
                return page;
            }
            if (exact) {
                // Go on below the probe instead of reading it again: the page's other rows are
                // the first matches there (a range of the index), then among NULL dates (last).
                QVector<TaskResult> page = *rows;
                Clause below = clause;
                below.add(QStringLiteral("%1 < ?").arg(date), {boundary});
                auto more = readPage(query, below, rest, 0, limit - int(page.size()), detail);
                if (!more)
                    return more.error();
                page += *more;
                if (page.size() < limit) {
                    Clause undated = clause;
                    undated.add(QStringLiteral("%1 IS NULL").arg(date));
                    auto last = readPage(query, undated, m_table, 0, limit - int(page.size()), detail);
                    if (!last)
                        return last.error();
                    page += *last;
                }
                return page;
            }
            from = rest;
        }
    }
    return readPage(query, clause, from, offset, limit, detail);
}

Outcome<QVector<TaskResult>> SqlStore::fetchQuickMatches(const TaskQuery &query, int limit)
{
    if (StoreError e = checkOpen())
        return e;
    QVector<TaskResult> none;
    const QStringList terms = query.searchTerms();
    // One term that could start a task id: printable ASCII, no quote or wildcard trouble
    // (the range below is on the raw bytes), at least 3 characters so that the range is narrow.
    if (terms.size() != 1 || limit <= 0)
        return none;
    const QString term = terms.first();
    if (term.size() < 3)
        return none;
    for (const QChar c : term) {
        if (c.unicode() <= 0x20 || c.unicode() >= 0x7e)
            return none;
    }
    // The rows whose task id starts with the term (as typed, or in lower case: Celery's
    // UUIDs), through the unique task_id index: a range, a few index steps. The whole query
    // clause is applied as well, so every row returned is a row of the full answer.
    const auto upperBound = [](QString prefix) {
        prefix[prefix.size() - 1] = QChar(prefix.at(prefix.size() - 1).unicode() + 1);
        return prefix;
    };
    const QString taskId = col(Field::TaskId);
    const QString range = QStringLiteral("(%1 >= ? AND %1 < ?)").arg(taskId);
    Clause clause;
    const QString lower = term.toLower();
    if (lower == term) {
        clause.add(range, {term, upperBound(term)});
    } else {
        clause.add(QStringLiteral("(%1 OR %1)").arg(range), {term, upperBound(term), lower, upperBound(lower)});
    }
    const Clause full = filterClause(query, Skip::Nothing);
    clause.add(full.sql, full.values);
    return readPage(query, clause, m_table, 0, limit, RowDetail::Summary);
}

Outcome<QVector<TaskResult>> SqlStore::readPage(const TaskQuery &query, const Clause &clause, const QString &from,
                                                qint64 offset, int limit, RowDetail detail, qint64 *matching)
{
    QVector<TaskResult> rows;
    QVector<Field> fields;
    const QString r = QStringLiteral("r.");
    const QString id = col(Field::RowId);
    // Late row lookup: the inner SELECT walks only ids in sort order, which an index on the
    // sort column (it holds the rowid) answers without touching the table, so skipping
    // OFFSET rows costs index steps, not row reads. Only the LIMIT surviving ids are then
    // joined back to fetch their columns. A plain "SELECT cols … LIMIT ? OFFSET ?" would read
    // and discard every skipped row: jumping to row 500,000 of 1M would read 500,000 rows.
    const QString counted = matching ? QStringLiteral(", COUNT(*) OVER () AS n") : QString();
    QString select = selectList(detail, r, &fields);
    if (matching)
        select += QStringLiteral(", k.n");
    const QString sql = QStringLiteral("SELECT %1 FROM (SELECT %2%8 FROM %3%4%5 LIMIT ? OFFSET ?) AS k "
                                       "JOIN %7 AS r ON r.%2 = k.%2%6")
                            .arg(select, id, from, clause.where(), orderBy(query, QString()), orderBy(query, r), m_table,
                                 counted);
    QVariantList values = clause.values;
    values << limit << offset;
    auto q = run(sql, values, QStringLiteral("reading results"));
    if (!q)
        return q.error();
    rows.reserve(limit);
    qint64 n = 0; // no row: nothing matches (at offset 0)
    while (q.value().next()) {
        rows.append(readRow(*q, fields, detail));
        if (matching)
            n = q.value().value(int(fields.size())).toLongLong();
    }
    if (q.value().lastError().isValid())
        return m_dialect->mapError(q.value().lastError(), QStringLiteral("reading results"));
    if (matching)
        *matching = offset == 0 || !rows.isEmpty() ? n : -1;
    return rows;
}

Outcome<TaskResult> SqlStore::fetchWhere(const QString &column, const QVariant &value, const QString &what,
                                         const QString &missing)
{
    if (StoreError e = checkOpen())
        return e;
    QVector<Field> fields;
    const QString sql = QStringLiteral("SELECT %1 FROM %2 WHERE %3 = ?")
                            .arg(selectList(RowDetail::Full, QString(), &fields), m_table, column);
    auto q = run(sql, {value}, what);
    if (!q)
        return q.error();
    if (!q.value().next()) {
        if (q.value().lastError().isValid())
            return m_dialect->mapError(q.value().lastError(), what);
        return StoreError(StoreError::Code::NotFound, missing);
    }
    TaskResult row = readRow(*q, fields, RowDetail::Full);
    q.value().finish();
    return row;
}

Outcome<TaskResult> SqlStore::fetchOne(qint64 rowId)
{
    return fetchWhere(col(Field::RowId), rowId, QStringLiteral("reading row %1").arg(rowId),
                      QStringLiteral("row %1 is no longer in %2").arg(rowId).arg(m_dialect->location()));
}

Outcome<TaskResult> SqlStore::fetchByTaskId(const QString &taskId)
{
    return fetchWhere(col(Field::TaskId), taskId, QStringLiteral("reading task %1").arg(taskId),
                      QStringLiteral("no result for task %1 in %2").arg(taskId, m_dialect->location()));
}

Outcome<QVector<FacetValue>> SqlStore::facet(const TaskQuery &query, Field field, Skip skip)
{
    QVector<FacetValue> values;
    if (!m_layout.has(field))
        return values;
    const Clause clause = filterClause(query, skip);
    const QString column = col(field);
    const QString sql = QStringLiteral("SELECT %1, COUNT(*) FROM %2%3 GROUP BY %1 ORDER BY COUNT(*) DESC, %1")
                            .arg(column, m_table, clause.where());
    const QString what = QStringLiteral("counting %1 values").arg(fieldName(field));
    auto q = run(sql, clause.values, what);
    if (!q)
        return q.error();
    while (q.value().next())
        values.append({textOf(q.value().value(0)), q.value().value(1).toLongLong()});
    if (q.value().lastError().isValid())
        return m_dialect->mapError(q.value().lastError(), what);
    return values;
}

Outcome<Facets> SqlStore::facets(const TaskQuery &query)
{
    if (StoreError e = checkOpen())
        return e;
    Facets f;
    // An interrupt that lands between two statements (when the engine has nothing to cut
    // short) still ends the call before the next one.
    m_facetsInterrupted.store(false);
    const StoreError interrupted(StoreError::Code::Cancelled, QStringLiteral("interrupted"));
    auto statuses = facet(query, Field::Status, Skip::Statuses);
    if (!statuses)
        return statuses.error();
    if (m_facetsInterrupted.load())
        return interrupted;
    auto names = facet(query, Field::TaskName, Skip::TaskNames);
    if (!names)
        return names.error();
    if (m_facetsInterrupted.load())
        return interrupted;
    auto workers = facet(query, Field::Worker, Skip::Workers);
    if (!workers)
        return workers.error();
    if (m_facetsInterrupted.load())
        return interrupted;
    auto periodic = facet(query, Field::PeriodicTaskName, Skip::PeriodicTaskNames);
    if (!periodic)
        return periodic.error();
    f.statuses = *statuses;
    f.taskNames = *names;
    f.workers = *workers;
    f.periodicTaskNames = *periodic;
    return f;
}

// --- purging ---------------------------------------------------------------------------------

SqlStore::Clause SqlStore::expiredClause(const PurgeCriteria &criteria, bool unindexedFilters) const
{
    // Upstream get_all_expired(): date_done < cutoff, whatever the status. On SQLite the
    // dialect renders the cutoff exactly as the writer (Django/SQLAlchemy) would, because the
    // comparison is between TEXT values.
    Clause clause;
    clause.add(QStringLiteral("%1 < ?").arg(col(Field::DateDone)),
               {dateParam(criteria.cutoff, criteria.cutoffExtraMicroseconds)});
    addSetFilter(clause, Field::Status, criteria.statuses, unindexedFilters);
    addSetFilter(clause, Field::TaskName, criteria.taskNames, unindexedFilters);
    return clause;
}

bool SqlStore::groupsIncluded(const PurgeCriteria &criteria) const
{
    return criteria.includeGroups && !criteria.isNarrowed() && !m_groupTable.isEmpty();
}

Outcome<PurgePreview> SqlStore::previewPurge(const PurgeCriteria &criteria)
{
    if (StoreError e = checkOpen())
        return e;
    if (!criteria.cutoff.isValid())
        return StoreError(StoreError::Code::QueryFailed, QStringLiteral("a purge needs a cutoff date"));
    PurgePreview preview;
    const Clause clause = expiredClause(criteria);
    const QString what = QStringLiteral("counting expired results");
    auto q = run(QStringLiteral("SELECT %1, COUNT(*) FROM %2%3 GROUP BY %1").arg(col(Field::Status), m_table, clause.where()),
                 clause.values, what);
    if (!q)
        return q.error();
    while (q.value().next()) {
        const qint64 n = q.value().value(1).toLongLong();
        preview.byStatus[textOf(q.value().value(0))] += n;
        preview.total += n;
    }
    if (q.value().lastError().isValid())
        return m_dialect->mapError(q.value().lastError(), what);
    if (groupsIncluded(criteria)) {
        auto groups = scalar(QStringLiteral("SELECT COUNT(*) FROM %1 WHERE %2 < ?")
                                 .arg(m_groupTable, m_dialect->quote(m_layout.groupDateDone)),
                             {dateParam(criteria.cutoff, criteria.cutoffExtraMicroseconds)},
                             QStringLiteral("counting expired groups"));
        if (!groups)
            return groups.error();
        preview.groups = *groups;
    }
    return preview;
}

StoreError SqlStore::inTransaction(const QString &what, const std::function<StoreError()> &work)
{
    {
        auto begin = run(m_dialect->beginWriteSql(), {}, what);
        if (!begin)
            return begin.error();
    }
    StoreError error = work();
    if (!error) {
        auto commit = run(m_dialect->commitSql(), {}, what);
        if (commit)
            return {};
        error = commit.error();
    }
    // Whatever failed (a lock, an interrupt, a damaged page), nothing of this batch stays.
    run(m_dialect->rollbackSql(), {}, what);
    return error;
}

QString SqlStore::purgeKey(const PurgeCriteria &criteria)
{
    return criteria.cutoff.toString(Qt::ISODateWithMs) + u'|' + QString::number(criteria.cutoffExtraMicroseconds) + u'|'
        + criteria.statuses.join(u'\x1f') + u'|' + criteria.taskNames.join(u'\x1f');
}

StoreError SqlStore::deleteExpiredByDate(const PurgeCriteria &criteria, int batchSize, DeleteBatch *batch,
                                         bool *tasksLeft)
{
    const QString what = QStringLiteral("deleting expired results");
    const QString date = col(Field::DateDone);
    const QString id = col(Field::RowId);
    const QString key = purgeKey(criteria);
    // Walk the date_done index (a narrowing filter's own index would read every row of that
    // status or task name per batch), from where the last batch of this purge stopped.
    const auto remaining = [&] {
        Clause clause = expiredClause(criteria, true);
        if (m_purgeCursor.criteria == key && m_purgeCursor.rowId >= 0)
            clause.add(QStringLiteral("(%1, %2) > (?, ?)").arg(date, id), {m_purgeCursor.dateDone, m_purgeCursor.rowId});
        return clause;
    };
    const Clause clause = remaining();
    // RETURNING (SQLite 3.35+; this path is SQLite's) tells where the batch ended.
    const QString sql = m_dialect->batchDeleteSql(m_table, id, clause.where(), date + QStringLiteral(", ") + id)
        + QStringLiteral(" RETURNING %1, %2").arg(date, id);
    QVariantList values = clause.values;
    values << batchSize;
    auto del = run(sql, values, what);
    if (!del)
        return del.error();
    PurgeCursor last{key, QVariant(), -1};
    while (del.value().next()) {
        ++batch->tasks;
        const QVariant doneAt = del.value().value(0);
        const qint64 rowId = del.value().value(1).toLongLong();
        const int order = last.rowId < 0 ? 1 : QString::compare(doneAt.toString(), last.dateDone.toString());
        if (order > 0 || (order == 0 && rowId > last.rowId)) {
            last.dateDone = doneAt;
            last.rowId = rowId;
        }
    }
    if (del.value().lastError().isValid())
        return m_dialect->mapError(del.value().lastError(), what);
    del.value().finish();
    if (last.rowId >= 0)
        m_purgeCursor = last;
    if (batch->tasks >= batchSize) {
        const Clause left = remaining();
        auto any = scalar(QStringLiteral("SELECT EXISTS(SELECT 1 FROM %1%2)").arg(m_table, left.where()), left.values, what);
        if (!any)
            return any.error();
        *tasksLeft = *any != 0;
    }
    return {};
}

Outcome<DeleteBatch> SqlStore::purgeBatch(const PurgeCriteria &criteria, int batchSize)
{
    const QString what = QStringLiteral("deleting expired results");
    if (StoreError e = refuseWrites(what))
        return e;
    if (!criteria.cutoff.isValid())
        return StoreError(StoreError::Code::QueryFailed, QStringLiteral("a purge needs a cutoff date"));
    batchSize = qMax(1, batchSize);
    DeleteBatch batch;
    // A batch that rolls back leaves the cursor where it was.
    const PurgeCursor cursorBefore = m_purgeCursor;

    const StoreError error = inTransaction(what, [&]() -> StoreError {
        bool tasksLeft = false;
        if (m_dateDoneIndexed) {
            if (StoreError e = deleteExpiredByDate(criteria, batchSize, &batch, &tasksLeft))
                return e;
        } else {
            const Clause clause = expiredClause(criteria);
            QVariantList values = clause.values;
            values << batchSize;
            auto del = run(m_dialect->batchDeleteSql(m_table, col(Field::RowId), clause.where(), col(Field::RowId)), values,
                           what);
            if (!del)
                return del.error();
            batch.tasks = qMax(0, del->numRowsAffected());
            if (batch.tasks >= batchSize) {
                auto left = scalar(QStringLiteral("SELECT EXISTS(SELECT 1 FROM %1%2)").arg(m_table, clause.where()),
                                   clause.values, what);
                if (!left)
                    return left.error();
                tasksLeft = *left != 0;
            }
        }
        bool groupsLeft = false;
        if (!tasksLeft && groupsIncluded(criteria)) {
            const QString groupWhere = QStringLiteral(" WHERE %1 < ?").arg(m_dialect->quote(m_layout.groupDateDone));
            const QVariant cutoff = dateParam(criteria.cutoff, criteria.cutoffExtraMicroseconds);
            const qint64 room = batchSize - batch.tasks;
            if (room > 0) {
                auto gdel = run(m_dialect->batchDeleteSql(m_groupTable, m_dialect->quote(QStringLiteral("id")), groupWhere,
                                                          m_groupPurgeOrder),
                                {cutoff, room}, QStringLiteral("deleting expired groups"));
                if (!gdel)
                    return gdel.error();
                batch.groups = qMax(0, gdel->numRowsAffected());
            }
            if (batch.groups >= room) {
                auto left = scalar(QStringLiteral("SELECT EXISTS(SELECT 1 FROM %1%2)").arg(m_groupTable, groupWhere),
                                   {cutoff}, QStringLiteral("deleting expired groups"));
                if (!left)
                    return left.error();
                groupsLeft = *left != 0;
            }
        }
        batch.finished = !tasksLeft && !groupsLeft;
        return {};
    });
    if (error) {
        m_purgeCursor = cursorBefore;
        return error;
    }
    return batch;
}

Outcome<DeleteBatch> SqlStore::deleteRows(const QVector<qint64> &rowIds)
{
    const QString what = QStringLiteral("deleting selected results");
    if (StoreError e = refuseWrites(what))
        return e;
    DeleteBatch batch;
    batch.finished = true;
    QVector<qint64> ids;
    {
        QSet<qint64> seen;
        for (qint64 id : rowIds) {
            if (!seen.contains(id)) {
                seen.insert(id);
                ids.append(id);
            }
        }
    }
    if (ids.isEmpty())
        return batch;
    const int chunk = m_dialect->maxBoundValues();
    const StoreError error = inTransaction(what, [&]() -> StoreError {
        for (qsizetype from = 0; from < ids.size(); from += chunk) {
            const qsizetype n = qMin<qsizetype>(chunk, ids.size() - from);
            QStringList marks;
            QVariantList values;
            for (qsizetype i = 0; i < n; ++i) {
                marks << QStringLiteral("?");
                values << ids[from + i];
            }
            auto del = run(QStringLiteral("DELETE FROM %1 WHERE %2 IN (%3)")
                               .arg(m_table, col(Field::RowId), marks.join(QStringLiteral(", "))),
                           values, what);
            if (!del)
                return del.error();
            batch.tasks += qMax(0, del->numRowsAffected());
        }
        return {};
    });
    if (error)
        return error;
    return batch;
}
