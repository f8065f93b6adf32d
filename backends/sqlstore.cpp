#include "sqlstore.h"

#include <algorithm>
#include <limits>
#include <utility>

#include <QAtomicInteger>
#include <QElapsedTimer>
#include <QHash>
#include <QSet>
#include <QSqlDatabase>
#include <QSqlQuery>
#include <QTimeZone>

#include "sqlitedialect.h"
#include "valuedecoder.h"
#include "stalklog.h"

using Skip = SqlStatements::Skip;

namespace {

QString newConnectionName()
{
    static QAtomicInteger<quint64> counter;
    return QStringLiteral("stalk-sql-%1").arg(counter.fetchAndAddRelaxed(1) + 1);
}

QString textOf(const QVariant &v)
{
    return SqlStatements::readText(v);
}

StoreError noCutoff()
{
    return StoreError(StoreError::Code::QueryFailed, QStringLiteral("a purge needs a cutoff date"));
}

} // namespace

SqlStore::SqlStore(std::unique_ptr<SqlDialect> dialect, StoreOptions options)
    : m_dialect(std::move(dialect))
    , m_options(std::move(options))
    , m_connection(newConnectionName())
    , m_statements(*m_dialect, SqlLayout())
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

qint64 SqlStore::searchProgress() const
{
    const std::atomic<qint64> *tally = m_dialect->searchTally();
    return tally ? tally->load(std::memory_order_relaxed) : -1;
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

StoreError SqlStore::checkOpen(const TaskQuery &query)
{
    if (StoreError e = checkOpen())
        return e;
    if (StoreError e = query.searchError())
        return e;
    return findExceptionRows(query.exceptionFilter());
}

StoreError SqlStore::findExceptionRows(const ExceptionFilter &filter)
{
    if (filter.isEmpty() || m_statements.filtersExceptions() || m_statements.hasExceptionRows(filter))
        return {};
    QElapsedTimer timer;
    timer.start();
    const SqlStatement statement = m_statements.exceptionCandidates(filter);
    const int withheld = int(statement.fields.size()); // 1: the traceback was left out
    QVector<qint64> ids;
    QHash<qint64, TaskResult> unread; // tracebacks left out of results that named none
    qint64 candidates = 0;
    StoreError e = forEachRow(statement, QStringLiteral("reading the exceptions of results"), [&](const QSqlQuery &q) {
        ++candidates;
        TaskResult row = readRow(q, statement.fields, RowDetail::Full);
        if (row.rowId < 0)
            return;
        const ValueDecoder::ExceptionInfo info =
            ValueDecoder::exceptionOf(row.result, row.contentType, row.contentEncoding, row.traceback);
        if (info.isValid() || q.value(withheld).toInt() != 1) {
            if (filter.matches(info))
                ids << row.rowId;
        } else {
            unread.insert(row.rowId, std::move(row));
        }
    });
    if (e)
        return e;
    const QVector<qint64> unreadIds(unread.keyBegin(), unread.keyEnd());
    for (qsizetype i = 0; i < unreadIds.size() && !e; i += m_statements.rowsPerDelete()) {
        const SqlStatement statement = m_statements.tracebacks(unreadIds.mid(i, m_statements.rowsPerDelete()));
        e = forEachRow(statement, QStringLiteral("reading tracebacks"), [&](const QSqlQuery &q) {
            const TaskResult row = readRow(q, statement.fields, RowDetail::Full);
            const TaskResult &read = unread[row.rowId];
            if (filter.matches(
                    ValueDecoder::exceptionOf(read.result, read.contentType, read.contentEncoding, row.traceback)))
                ids << row.rowId;
        });
    }
    if (e)
        return e;
    qCDebug(lcSql).noquote() << QStringLiteral("exception filter: %1 of %2 results read match %3 (%4 tracebacks "
                                               "read after), in %5")
                                    .arg(ids.size())
                                    .arg(candidates)
                                    .arg(filter.key())
                                    .arg(unreadIds.size())
                                    .arg(StalkLog::elapsed(timer));
    m_statements.setExceptionRows(filter, std::move(ids));
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

// --- running statements ----------------------------------------------------------------------

Outcome<QSqlQuery> SqlStore::run(const SqlStatement &statement, const QString &what)
{
    QElapsedTimer timer;
    timer.start();
    auto q = execute(statement, what);
    if (!lcSql().isDebugEnabled())
        return q;
    // The statement's text with its placeholders, never the bound values; the head of a
    // long one (an exception filter's ids). Only built when it is logged.
    constexpr qsizetype logged = 4000;
    QString text = statement.sql.simplified();
    if (text.size() > logged)
        text = text.left(logged) + QStringLiteral("… (%1 characters)").arg(text.size());
    qCDebug(lcSql).noquote() << what << (q ? QStringLiteral("ran in") : QStringLiteral("failed after"))
                             << StalkLog::elapsed(timer) << "with" << statement.values.size() << "bound values:" << text;
    return q;
}

Outcome<QSqlQuery> SqlStore::execute(const SqlStatement &statement, const QString &what)
{
    ++m_statementsRun;
    QSqlDatabase db = database();
    QSqlQuery q(db);
    q.setForwardOnly(true);
    if (statement.values.isEmpty()) {
        // Not prepared: PostgreSQL cannot PREPARE transaction control (BEGIN, COMMIT).
        if (!q.exec(statement.sql))
            return m_dialect->mapError(q.lastError(), what);
        return q;
    }
    if (!q.prepare(statement.sql))
        return m_dialect->mapError(q.lastError(), what);
    for (const QVariant &v : statement.values)
        q.addBindValue(v);
    if (!q.exec())
        return m_dialect->mapError(q.lastError(), what);
    return q;
}

Outcome<QSqlQuery> SqlStore::runToFirstRow(const SqlStatement &statement, const QString &what, bool *found)
{
    auto q = run(statement, what);
    if (!q)
        return q;
    *found = q.value().next();
    if (!*found && q.value().lastError().isValid())
        return m_dialect->mapError(q.value().lastError(), what);
    return q;
}

Outcome<qint64> SqlStore::scalar(const SqlStatement &statement, const QString &what)
{
    bool found = false;
    auto q = runToFirstRow(statement, what, &found);
    if (!q)
        return q.error();
    if (!found)
        return qint64(0);
    const qint64 v = q.value().value(0).toLongLong();
    q.value().finish();
    return v;
}

StoreError SqlStore::forEachRow(const SqlStatement &statement, const QString &what,
                                const std::function<void(const QSqlQuery &)> &onRow)
{
    auto q = run(statement, what);
    if (!q)
        return q.error();
    while (q.value().next())
        onRow(*q);
    if (q.value().lastError().isValid())
        return m_dialect->mapError(q.value().lastError(), what);
    q.value().finish();
    return {};
}

StoreError SqlStore::inTransaction(const QString &what, const std::function<StoreError()> &work)
{
    // Every write goes through here: a search's kept count and facets may be wrong after it.
    if (m_planner)
        m_planner->forgetTally();
    m_keptFacets.reset();
    {
        auto begin = run({m_dialect->beginWriteSql(), {}, {}}, what);
        if (!begin)
            return begin.error();
    }
    StoreError error = work();
    if (!error) {
        auto commit = run({m_dialect->commitSql(), {}, {}}, what);
        if (commit)
            return {};
        error = commit.error();
    }
    // Whatever failed (a lock, an interrupt, a damaged page), nothing of this batch stays.
    run({m_dialect->rollbackSql(), {}, {}}, what);
    return error;
}

TaskResult SqlStore::readRow(const QSqlQuery &query, const QVector<Field> &fields, RowDetail detail) const
{
    const bool binaryResult = m_statements.layout().binaryResult;
    TaskResult r;
    r.complete = detail == RowDetail::Full;
    for (int i = 0; i < fields.size(); ++i) {
        const QVariant v = query.value(i);
        const Field f = fields[i];
        QString problem;
        switch (f) {
        case Field::RowId: r.rowId = SqlStatements::readRowId(v, &problem); break;
        case Field::TaskId: r.taskId = textOf(v); break;
        case Field::TaskName: r.taskName = textOf(v); break;
        case Field::PeriodicTaskName: r.periodicTaskName = textOf(v); break;
        case Field::Status: r.status = textOf(v); break;
        case Field::Worker: r.worker = textOf(v); break;
        case Field::Args: r.args = textOf(v); break;
        case Field::Kwargs: r.kwargs = textOf(v); break;
        case Field::Result:
            if (binaryResult && !v.isNull()) {
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
        case Field::DateCreated: r.dateCreated = m_statements.readDate(v, &problem); break;
        case Field::DateStarted: r.dateStarted = m_statements.readDate(v, &problem); break;
        case Field::DateDone: r.dateDone = m_statements.readDate(v, &problem); break;
        case Field::GroupId: r.groupId = textOf(v); break;
        case Field::ParentId: r.parentId = textOf(v); break;
        case Field::Queue: r.queue = textOf(v); break;
        case Field::Retries: r.retries = v.isNull() ? -1 : v.toInt(); break;
        case Field::Hidden: r.hidden = v.toBool(); break;
        case Field::Expires: break; // SQL rows have no TTL
        case Field::FieldCount: break;
        }
        if (!problem.isEmpty())
            r.problems << fieldName(f) + QStringLiteral(": ") + problem;
    }
    if (binaryResult) {
        r.contentType = QStringLiteral("application/x-python-pickle");
        r.contentEncoding = QStringLiteral("binary");
    }
    return r;
}

Outcome<QVector<TaskResult>> SqlStore::readPage(const SqlStatement &statement, qint64 offset, int limit,
                                                RowDetail detail, qint64 *matching, QVariantList *keys)
{
    const QString what = QStringLiteral("reading results");
    auto q = run(statement, what);
    if (!q)
        return q.error();
    QVector<TaskResult> rows;
    rows.reserve(limit); // growing would copy every row read so far
    qint64 n = 0; // no row: nothing matches (at offset 0)
    while (q.value().next()) {
        rows.append(readRow(*q, statement.fields, detail));
        if (matching)
            n = q.value().value(int(statement.fields.size())).toLongLong();
        if (keys)
            keys->append(q.value().value(int(statement.fields.size())));
    }
    if (q.value().lastError().isValid())
        return m_dialect->mapError(q.value().lastError(), what);
    if (matching)
        *matching = offset == 0 || !rows.isEmpty() ? n : -1;
    return rows;
}

// --- open and schema detection ---------------------------------------------------------------

StoreError SqlStore::open()
{
    if (m_opened)
        return {};
    QElapsedTimer timer;
    timer.start();
    // A failed attempt leaves nothing behind, so open() may simply be called again.
    StoreError e = m_dialect->connect(m_connection);
    if (!e)
        e = detect();
    if (e) {
        closeConnection();
        qCInfo(lcSql).noquote() << "cannot open" << m_dialect->engineName() << m_dialect->location() << "after"
                                << StalkLog::elapsed(timer) << "-" << e.message;
        return e;
    }
    m_opened = true;
    qCInfo(lcSql).noquote() << "opened" << m_dialect->engineName() << m_dialect->location() << "in"
                            << StalkLog::elapsed(timer) << "-" << QStringLiteral("%1 (%2)").arg(m_info.tableName, m_info.schema);
    return {};
}

StoreError SqlStore::detect()
{
    QSqlDatabase db = database();
    // One catalog read for every table Stalk may use: on a server, one round trip.
    QStringList wanted{SqlTables::djangoTasks, SqlTables::djangoGroups, SqlTables::taskMeta, SqlTables::taskSetMeta};
    if (!m_options.table.isEmpty() && !wanted.contains(m_options.table))
        wanted << m_options.table;
    const auto catalog = m_dialect->catalog(db, wanted);
    if (!catalog)
        return catalog.error();
    const QStringList &tables = catalog->tables;
    const auto table = findTable(tables);
    if (!table) // a ?table= that is not there stays that one sentence
        return m_options.table.isEmpty() ? detectCacheTable(db, *catalog, QString(), table.error()) : table.error();
    const QVector<SqlColumn> columns = catalog->columns.value(*table);
    if (!m_options.table.isEmpty() && DjangoCacheTable::isCacheTable(columns))
        return detectCacheTable(db, *catalog, *table, StoreError());
    SqlLayout layout;
    if (!detectSqlLayout(*table, columns, &layout)) {
        return {StoreError::Code::NotCelery,
                QStringLiteral("%1 in %2 is not a Celery result table (it lacks id, task_id, status, result or date_done)")
                    .arg(*table, m_dialect->location())};
    }
    detectGroupTable(*catalog, &layout);
    detectIndexes(*catalog, &layout);
    QTimeZone wallClock;
    if (!m_options.timeZone.isEmpty() && layout.naiveDates)
        wallClock = QTimeZone(m_options.timeZone.toUtf8());
    m_statements = SqlStatements(*m_dialect, layout, wallClock);
    SqlRunner &runner = *this;
    m_planner = m_dialect->steersIndexWithUnaryPlus() ? std::make_unique<SqlitePlanner>(m_statements, runner, m_dialect->searchTally()) : nullptr;
    m_pager = m_planner ? nullptr : std::make_unique<SeekPager>(m_statements, runner);
    auto info = describe(tables, columns);
    if (!info)
        return info.error();
    m_info = *info;
    return {};
}

StoreError SqlStore::detectCacheTable(QSqlDatabase &db, const SqlCatalog &catalog, const QString &named, const StoreError &notFound)
{
    QString table = named;
    if (table.isEmpty()) {
        // Django names the table as the cache's LOCATION wants: look at every table's columns.
        const auto all = m_dialect->catalog(db, catalog.tables);
        if (!all)
            return all.error();
        for (const QString &t : std::as_const(all->tables)) {
            if (DjangoCacheTable::isCacheTable(all->columns.value(t))) {
                table = t;
                break;
            }
        }
        if (table.isEmpty())
            return StoreError(notFound.code, notFound.message + QStringLiteral(", or a Django DatabaseCache table (cache_key, value, expires)"));
    }
    m_cache = std::make_unique<DjangoCacheTable>(*m_dialect, m_connection, table, m_options);
    if (StoreError e = m_cache->open()) {
        m_cache.reset();
        return e;
    }
    m_info = m_cache->info();
    if (!m_options.readOnly && m_dialect->connectionIsReadOnly())
        m_info.readOnly = true;
    return {};
}

Outcome<StoreInfo> SqlStore::describe(const QStringList &tables, const QVector<SqlColumn> &columns)
{
    const SqlLayout &layout = m_statements.layout();
    StoreInfo info;
    info.layout = layout.kind;
    info.engine = m_dialect->engineName();
    info.location = m_dialect->location();
    info.tableName = layout.table;
    info.fields = layout.fields();
    info.hasGroups = !layout.groupTable.isEmpty();
    if (!m_options.readOnly && m_dialect->connectionIsReadOnly()) {
        // A write-protected file: SQLite fell back to reading. Say so now rather than fail
        // at the first delete.
        m_options.readOnly = true;
        info.note = QStringLiteral("%1 is not writable: opened read-only").arg(info.location);
    }
    info.readOnly = m_options.readOnly;
    const auto schema = describeSchema(tables, columns);
    if (!schema)
        return schema.error();
    info.schema = *schema;
    const auto note = extendedNote();
    if (!note)
        return note.error();
    if (!note->isEmpty())
        info.note = info.note.isEmpty() ? *note : info.note + QStringLiteral("; ") + *note;
    return info;
}

Outcome<QString> SqlStore::findTable(const QStringList &tables) const
{
    const QString &table = m_options.table;
    if (!table.isEmpty()) {
        if (!tables.contains(table))
            return StoreError(StoreError::Code::NotCelery, QStringLiteral("no table %1 in %2").arg(table, m_dialect->location()));
        return table;
    }
    if (tables.contains(SqlTables::djangoTasks))
        return SqlTables::djangoTasks;
    if (tables.contains(SqlTables::taskMeta))
        return SqlTables::taskMeta;
    return StoreError(StoreError::Code::NotCelery, QStringLiteral("no Celery result tables in %1: looked for %2 and %3")
                                                       .arg(m_dialect->location(), SqlTables::djangoTasks, SqlTables::taskMeta));
}

void SqlStore::detectGroupTable(const SqlCatalog &catalog, SqlLayout *layout)
{
    const QString groupTable = layout->kind == StoreInfo::Layout::DjangoCeleryResults ? SqlTables::djangoGroups
                                                                                        : SqlTables::taskSetMeta;
    if (!catalog.tables.contains(groupTable))
        return;
    bool hasId = false, hasDate = false, hasResult = false, hasType = false, hasEncoding = false;
    QString key;
    for (const SqlColumn &c : catalog.columns.value(groupTable)) {
        hasId = hasId || c.name == QLatin1String("id");
        hasDate = hasDate || c.name == QLatin1String("date_done");
        hasResult = hasResult || c.name == QLatin1String("result");
        hasType = hasType || c.name == QLatin1String("content_type");
        hasEncoding = hasEncoding || c.name == QLatin1String("content_encoding");
        if (c.name == QLatin1String("group_id") || c.name == QLatin1String("taskset_id"))
            key = c.name;
    }
    if (hasId && hasDate) {
        layout->groupTable = groupTable;
        layout->groupDateDone = QStringLiteral("date_done");
        if (hasResult && !key.isEmpty()) {
            layout->groupKey = key;
            layout->groupResult = QStringLiteral("result");
            layout->groupContentType = hasType && hasEncoding;
        }
    }
}

void SqlStore::detectIndexes(const SqlCatalog &catalog, SqlLayout *layout)
{
    // A purge batch walks the date_done index when there is one (purgeTasksByDate()): each
    // batch then reads only the rows it deletes, and the last one does not scan every younger
    // row looking for more (in id order it would: nothing bounds the search).
    const auto leadsIndex = [&catalog](const QString &table, const QString &column) {
        const QVector<SqlColumn> columns = catalog.columns.value(table);
        return std::any_of(columns.cbegin(), columns.cend(),
                           [&column](const SqlColumn &c) { return c.name == column && c.leadsIndex; });
    };
    layout->dateDoneIndexed = leadsIndex(layout->table, layout->column(Field::DateDone));
    if (!layout->groupTable.isEmpty())
        layout->groupDateDoneIndexed = leadsIndex(layout->groupTable, layout->groupDateDone);
}

Outcome<QString> SqlStore::describeSchema(const QStringList &tables, const QVector<SqlColumn> &columns)
{
    const SqlLayout &layout = m_statements.layout();
    if (layout.kind != StoreInfo::Layout::DjangoCeleryResults) {
        return layout.has(Field::TaskName)
            ? QStringLiteral("Celery database backend (%1 with result_extended columns)").arg(layout.table)
            : QStringLiteral("Celery database backend (%1 without result_extended columns)").arg(layout.table);
    }
    QStringList migrations;
    if (tables.contains(QStringLiteral("django_migrations"))) {
        const StoreError e = forEachRow(SqlStatements::djangoMigrations(), QStringLiteral("reading django_migrations"),
                                        [&migrations](const QSqlQuery &q) { migrations << q.value(0).toString(); });
        if (e)
            return e;
    }
    return describeDjangoSchema(migrations, columns);
}

Outcome<QString> SqlStore::extendedNote()
{
    const SqlLayout &layout = m_statements.layout();
    if (!layout.has(Field::TaskName)) {
        return QStringLiteral("this schema has no task_name column: task names, arguments and workers are "
                              "not stored (the Celery app ran without result_extended when the table was made)");
    }
    // EXISTS stops at the first hit, and "task_name IS NOT NULL" can use the task_name index,
    // so this stays instant on millions of rows; one statement, one round trip.
    const QString what = QStringLiteral("reading %1").arg(layout.table);
    auto named = scalar(m_statements.anyValue(Field::TaskName), what);
    if (!named)
        return named.error();
    if (*named != 1) // 0: no rows; 2: some task name
        return QString();
    return QStringLiteral("task_name is NULL in every row: the Celery app runs without "
                          "result_extended, so task names, arguments and workers are not stored");
}

// --- reading ---------------------------------------------------------------------------------

Outcome<qint64> SqlStore::count(const TaskQuery &query)
{
    if (m_cache)
        return m_cache->count(query);
    if (StoreError e = checkOpen(query))
        return e;
    QElapsedTimer timer;
    timer.start();
    auto counted = [&]() -> Outcome<qint64> {
        if (m_planner) {
            if (const auto scanned = m_planner->takeScanCount(query))
                return *scanned;
        }
        auto matching = scalar(m_statements.count(query), QStringLiteral("counting results"));
        if (matching && m_pager)
            m_pager->counted(query, *matching);
        return matching;
    }();
    qCDebug(lcSql).noquote() << "count:" << (counted ? QString::number(*counted) : counted.error().message) << "in"
                             << StalkLog::elapsed(timer);
    return counted;
}

Outcome<qint64> SqlStore::countBeforeFacets(const TaskQuery &query)
{
    m_keptFacets.reset();
    // SQLite keeps its own tally (SqlitePlanner); the cache table has no SQL to group by.
    if (m_cache || m_planner || !SqlStatements::tallies(query))
        return count(query);
    if (StoreError e = checkOpen(query))
        return e;
    QElapsedTimer timer;
    timer.start();
    const std::optional<WholeFirstPage> page = std::exchange(m_wholeFirstPage, std::nullopt);
    const bool pageHeldAll = page && page->query == SqlStatements::tallyKey(query)
        && page->afterStatement == m_statementsRun;
    auto tallied = !pageHeldAll ? tally(query)
        : page->ids.isEmpty()   ? Outcome<Tally>(Tally())
                                : tally(query, m_statements.idsIn(page->ids));
    qCDebug(lcSql).noquote() << "count and facets:"
                             << (tallied ? QString::number(tallied->matching) : tallied.error().message) << "in"
                             << StalkLog::elapsed(timer);
    if (!tallied)
        return tallied.error();
    if (m_pager)
        m_pager->counted(query, tallied->matching);
    m_keptFacets = KeptFacets{SqlStatements::tallyKey(query), std::move(tallied->facets)};
    return tallied->matching;
}

Outcome<qint64> SqlStore::estimateCount(const TaskQuery &query)
{
    if (m_cache)
        return m_cache->estimateCount(query);
    if (StoreError e = checkOpen(query))
        return e;
    if (!query.isUnfiltered())
        return qint64(-1);
    if (!m_planner)
        return estimatedTotal();
    const auto span = m_planner->rowIdSpan();
    if (!span)
        return span.error();
    return std::max<qint64>(*span, 0);
}

Outcome<qint64> SqlStore::estimatedTotal()
{
    if (StoreError e = checkOpen())
        return e;
    const SqlStatement statement = m_statements.estimatedRows();
    if (statement.isEmpty())
        return qint64(-1);
    auto estimate = scalar(statement, QStringLiteral("reading table statistics"));
    if (!estimate)
        return estimate.error();
    if (m_pager)
        m_pager->estimated(*estimate);
    return *estimate < 0 ? qint64(-1) : *estimate;
}

Outcome<QVector<TaskResult>> SqlStore::fetchPage(const TaskQuery &query, qint64 offset, int limit, RowDetail detail)
{
    if (m_cache)
        return m_cache->fetchPage(query, offset, limit, detail);
    if (StoreError e = checkOpen(query))
        return e;
    if (limit <= 0)
        return QVector<TaskResult>();
    offset = qMax<qint64>(0, offset);
    QElapsedTimer timer;
    timer.start();
    auto rows = [&]() -> Outcome<QVector<TaskResult>> {
        if (m_planner)
            return m_planner->fetchPage(query, offset, limit, detail);
        if (m_pager && m_statements.canSeek(query))
            return m_pager->fetchPage(query, offset, limit, detail);
        return readPage(m_statements.page(query, m_statements.filter(query), offset, limit, detail), offset, limit,
                        detail);
    }();
    m_wholeFirstPage.reset();
    if (!m_planner && rows && offset == 0 && rows->size() < limit && limit <= m_statements.rowsPerDelete()
        && SqlStatements::tallies(query)) {
        QVector<qint64> ids;
        for (const TaskResult &row : *rows)
            ids << row.rowId;
        if (std::none_of(ids.cbegin(), ids.cend(), [](qint64 id) { return id < 0; }))
            m_wholeFirstPage = WholeFirstPage{SqlStatements::tallyKey(query), ids, m_statementsRun};
    }
    qCDebug(lcSql).noquote() << QStringLiteral("page at %1, limit %2:").arg(offset).arg(limit)
                             << (rows ? QStringLiteral("%1 rows").arg(rows->size()) : rows.error().message) << "in"
                             << StalkLog::elapsed(timer);
    return rows;
}

Outcome<QVector<TaskResult>> SqlStore::fetchQuickMatches(const TaskQuery &query, int limit)
{
    if (m_cache)
        return m_cache->fetchQuickMatches(query, limit);
    if (StoreError e = checkOpen(query))
        return e;
    const SqlStatement statement = m_statements.quickMatches(query, limit);
    if (statement.isEmpty())
        return QVector<TaskResult>();
    return readPage(statement, 0, limit, RowDetail::Summary);
}

Outcome<TaskResult> SqlStore::fetchRow(Field key, const QVariant &value, const QString &what, const QString &missing)
{
    if (StoreError e = checkOpen())
        return e;
    const SqlStatement statement = m_statements.row(key, value);
    bool found = false;
    auto q = runToFirstRow(statement, what, &found);
    if (!q)
        return q.error();
    if (!found)
        return StoreError(StoreError::Code::NotFound, missing);
    TaskResult row = readRow(*q, statement.fields, RowDetail::Full);
    q.value().finish();
    return row;
}

Outcome<TaskResult> SqlStore::fetchOne(qint64 rowId)
{
    if (m_cache)
        return m_cache->fetchOne(rowId);
    return fetchRow(Field::RowId, rowId, QStringLiteral("reading row %1").arg(rowId),
                    QStringLiteral("row %1 is no longer in %2").arg(rowId).arg(m_dialect->location()));
}

Outcome<TaskResult> SqlStore::fetchByTaskId(const QString &taskId)
{
    if (m_cache)
        return m_cache->fetchByTaskId(taskId);
    return fetchRow(Field::TaskId, taskId, QStringLiteral("reading task %1").arg(taskId),
                    QStringLiteral("no result for task %1 in %2").arg(taskId, m_dialect->location()));
}

// --- saved groups ----------------------------------------------------------------------------

StoreError SqlStore::checkGroups() const
{
    if (StoreError e = checkOpen())
        return e;
    const SqlLayout &layout = m_statements.layout();
    if (layout.groupTable.isEmpty()) {
        return StoreError(StoreError::Code::Unsupported,
                          QStringLiteral("%1 has no saved groups: this schema has no %2 table")
                              .arg(m_dialect->location(), layout.kind == StoreInfo::Layout::DjangoCeleryResults
                                                              ? SqlTables::djangoGroups
                                                              : SqlTables::taskSetMeta));
    }
    if (!m_statements.readsGroups()) {
        return StoreError(StoreError::Code::Unsupported,
                          QStringLiteral("%1 in %2 lacks a group id or result column: its groups cannot be read")
                              .arg(layout.groupTable, m_dialect->location()));
    }
    return {};
}

TaskGroup SqlStore::readGroup(const QSqlQuery &query) const
{
    TaskGroup group;
    group.groupId = textOf(query.value(0));
    QString problem;
    group.dateDone = m_statements.readDate(query.value(1), &problem);
    const QVariant result = query.value(2);
    if (m_statements.layout().binaryResult) { // celery_tasksetmeta: a pickle BLOB
        if (result.isNull())
            group.problem = QStringLiteral("the group's result is NULL");
        else
            TaskGroups::readPickledMembers(result.typeId() == QMetaType::QByteArray ? result.toByteArray()
                                                                                   : result.toString().toLatin1(),
                                           &group);
    } else if (m_statements.layout().groupContentType) {
        TaskGroups::readMembers(textOf(result), textOf(query.value(3)), textOf(query.value(4)), &group);
    } else {
        TaskGroups::readMembers(textOf(result), QStringLiteral("application/json"), QStringLiteral("utf-8"), &group);
    }
    if (!problem.isEmpty() && group.problem.isEmpty())
        group.problem = QStringLiteral("date_done: ") + problem;
    return group;
}

Outcome<QVector<TaskGroup>> SqlStore::readGroups(const SqlStatement &statement, const QString &what,
                                                 const std::function<bool(const TaskGroup &)> &keep)
{
    QVector<TaskGroup> groups;
    const StoreError e = forEachRow(statement, what, [&](const QSqlQuery &q) {
        TaskGroup group = readGroup(q);
        if (!keep || keep(group))
            groups << std::move(group);
    });
    if (e)
        return e;
    TaskGroups::sortNewestFirst(groups); // the stored order of naive text dates may not be UTC's
    return groups;
}

Outcome<QVector<TaskGroup>> SqlStore::groups(const TaskQuery &query, int limit)
{
    if (m_cache)
        return m_cache->groups(query, limit);
    if (StoreError e = checkGroups())
        return e;
    return readGroups(m_statements.groups(query, limit), QStringLiteral("reading saved groups"));
}

Outcome<QVector<TaskGroup>> SqlStore::groupsOf(const QString &taskId)
{
    if (m_cache)
        return m_cache->groupsOf(taskId);
    if (StoreError e = checkGroups())
        return e;
    // The statement narrows the groups (a LIKE on JSON) or lists them all (pickles): the
    // members decide.
    return readGroups(m_statements.groupsListing(taskId), QStringLiteral("finding the group of %1").arg(taskId),
                      [&taskId](const TaskGroup &group) { return group.memberIds.contains(taskId); });
}

Outcome<QVector<TaskResult>> SqlStore::fetchByTaskIds(const QStringList &taskIds)
{
    if (m_cache)
        return m_cache->fetchByTaskIds(taskIds);
    if (StoreError e = checkOpen())
        return e;
    QVector<TaskResult> rows;
    const int batch = qMax(1, m_statements.rowsPerDelete());
    for (qsizetype from = 0; from < taskIds.size(); from += batch) {
        const SqlStatement statement = m_statements.rowsByTaskIds(taskIds.mid(from, batch));
        const StoreError e = forEachRow(statement, QStringLiteral("reading the members' results"),
                                        [&](const QSqlQuery &q) { rows << readRow(q, statement.fields, RowDetail::Summary); });
        if (e)
            return e;
    }
    return rows;
}

Outcome<QVector<FacetValue>> SqlStore::facet(const TaskQuery &query, Field field, Skip skip)
{
    QVector<FacetValue> values;
    if (!m_statements.layout().has(field))
        return values;
    const StoreError e = forEachRow(m_statements.facet(query, field, skip),
                                    QStringLiteral("counting %1 values").arg(fieldName(field)), [&values](const QSqlQuery &q) {
                                        values.append({textOf(q.value(0)), q.value(1).toLongLong()});
                                    });
    if (e)
        return e;
    // In the column's order, as the engine sorts it: where the facet counted the query's own
    // rows (no filter of its field left out), those are the runs of that order.
    if (m_pager && m_statements.filter(query, skip).sql == m_statements.filter(query).sql)
        m_pager->runsCounted(query, field, values);
    // Most frequent first; ties stay in the column's order.
    std::stable_sort(values.begin(), values.end(),
                     [](const FacetValue &a, const FacetValue &b) { return a.count > b.count; });
    return values;
}

Outcome<SqlStore::Tally> SqlStore::tally(const TaskQuery &query, const SqlClause &within)
{
    Tally tally;
    QVector<FacetValue> *const into[] = {&tally.facets.statuses, &tally.facets.taskNames, &tally.facets.workers,
                                         &tally.facets.periodicTaskNames};
    const StoreError e = forEachRow(m_statements.facetTally(query, within), QStringLiteral("searching"),
                                    [&](const QSqlQuery &q) {
                                        const int facet = q.value(0).toInt();
                                        const qint64 n = q.value(2).toLongLong();
                                        if (facet >= 0 && size_t(facet) < std::size(into))
                                            into[facet]->append({textOf(q.value(1)), n});
                                        else
                                            tally.matching = n;
                                    });
    if (e)
        return e;
    return tally;
}

Outcome<Facets> SqlStore::facets(const TaskQuery &query)
{
    if (m_cache)
        return m_cache->facets(query);
    if (StoreError e = checkOpen(query))
        return e;
    // A search without set filters: every facet counts the same rows, one scan for all.
    const std::optional<KeptFacets> kept = std::exchange(m_keptFacets, std::nullopt);
    if (SqlStatements::tallies(query)) {
        if (m_planner)
            return m_planner->tallyFacets(query);
        if (kept && kept->query == SqlStatements::tallyKey(query))
            return kept->facets;
        auto tallied = tally(query);
        if (!tallied)
            return tallied.error();
        return std::move(tallied->facets);
    }
    // An interrupt that lands between two statements (when the engine has nothing to cut
    // short) still ends the call before the next one.
    m_facetsInterrupted.store(false);
    const StoreError interrupted(StoreError::Code::Cancelled, QStringLiteral("interrupted"));
    const std::pair<Field, Skip> fields[] = {{Field::Status, Skip::Statuses},
                                             {Field::TaskName, Skip::TaskNames},
                                             {Field::Worker, Skip::Workers},
                                             {Field::PeriodicTaskName, Skip::PeriodicTaskNames}};
    Facets f;
    QVector<FacetValue> *const into[] = {&f.statuses, &f.taskNames, &f.workers, &f.periodicTaskNames};
    for (size_t i = 0; i < std::size(fields); ++i) {
        if (i > 0 && m_facetsInterrupted.load())
            return interrupted;
        auto values = facet(query, fields[i].first, fields[i].second);
        if (!values)
            return values.error();
        *into[i] = *values;
    }
    return f;
}

// --- aggregates ------------------------------------------------------------------------------

Outcome<StatusHistory> SqlStore::statusHistory(const TaskQuery &query, TimeBucket bucket)
{
    if (m_cache)
        return m_cache->statusHistory(query, bucket);
    if (StoreError e = checkOpen(query))
        return e;
    StatusHistoryBuilder builder(bucket);
    const StoreError e = forEachRow(m_statements.statusHistory(query, bucket),
                                    QStringLiteral("counting results by %1").arg(timeBucketName(bucket)),
                                    [this, &builder](const QSqlQuery &q) {
                                        builder.add(m_statements.readDate(q.value(0), nullptr), textOf(q.value(1)),
                                                    q.value(2).toLongLong());
                                    });
    if (e)
        return e;
    return builder.history();
}

Outcome<RuntimeTable> SqlStore::runtimes(const TaskQuery &query)
{
    if (m_cache)
        return m_cache->runtimes(query);
    if (StoreError e = checkOpen(query))
        return e;
    const std::optional<Runtime::Basis> basis = runtimeBasis(m_info.fields);
    if (!basis)
        return noRuntimeBasis(m_info.schema);
    RuntimeTableBuilder builder(*basis);
    const StoreError e = forEachRow(m_statements.runtimes(query, *basis), QStringLiteral("computing runtimes"),
                                    [&builder](const QSqlQuery &q) {
                                        const QString task = textOf(q.value(0));
                                        const qint64 count = q.value(1).toLongLong();
                                        const double seconds = q.value(3).toDouble();
                                        builder.addRanked(task, count, q.value(2).toLongLong(), seconds);
                                        builder.addHalfRanked(task, count,
                                                              q.value(4).toInt() ? RuntimeHalf::Recent
                                                                                 : RuntimeHalf::Earlier,
                                                              q.value(5).toLongLong(), seconds);
                                    });
    if (e)
        return e;
    return builder.table();
}

Outcome<FailureTable> SqlStore::failures(const TaskQuery &query)
{
    if (m_cache)
        return m_cache->failures(query);
    // The builder reads each distinct result's exception anyway: it keeps the wanted types
    // itself, on every engine, and the statement groups what the other filters select.
    TaskQuery grouped = query;
    grouped.exceptions.clear();
    grouped.fingerprints.clear();
    if (StoreError e = checkOpen(grouped))
        return e;
    // One GROUP BY; each part brings its results' minutes for the trend (failureParts()).
    FailureTableBuilder builder(query.exceptionFilter());
    const SqlStatement statement = m_statements.failureParts(grouped);
    const int n = int(statement.fields.size());
    qint64 cut = 0;
    const StoreError e = forEachRow(statement, QStringLiteral("grouping failures"),
                                    [this, &builder, &statement, n, &cut](const QSqlQuery &q) {
                                        const FailureTableBuilder::MinuteCounts minutes =
                                            m_statements.readMinutes(q.value(n + 4));
                                        qint64 listed = 0;
                                        for (const qint64 count : minutes)
                                            listed += count;
                                        cut += listed == q.value(n + 3).toLongLong() ? 0 : 1;
                                        builder.add(readRow(q, statement.fields, RowDetail::Full),
                                                    q.value(n).toLongLong(),
                                                    m_statements.readDate(q.value(n + 1), nullptr),
                                                    m_statements.readDate(q.value(n + 2), nullptr), &minutes);
                                    });
    if (e)
        return e;
    if (cut > 0) // an engine's limit on an aggregate's text (MariaDB: max_allowed_packet)
        qCWarning(lcSql).noquote() << QStringLiteral("failures: the list of minutes of %1 grouped parts came back "
                                                     "incomplete; their groups' trend does not count all their results")
                                          .arg(cut);
    FailureTable table = builder.table();
    qCDebug(lcSql).noquote() << QStringLiteral("failures: %1 groups from %2 grouped parts, %3 distinct results decoded")
                                    .arg(table.groups.size())
                                    .arg(table.partsRead)
                                    .arg(table.resultsDecoded);
    return table;
}

// --- purging ---------------------------------------------------------------------------------

Outcome<PurgePreview> SqlStore::previewPurge(const PurgeCriteria &criteria)
{
    if (m_cache)
        return m_cache->previewPurge(criteria);
    if (StoreError e = checkOpen())
        return e;
    if (StoreError e = cacheExpiryError(m_info, criteria))
        return e;
    if (StoreError e = findExceptionRows(criteria.exceptionFilter()))
        return e;
    if (!criteria.cutoff.isValid())
        return noCutoff();
    PurgePreview preview;
    const StoreError e = forEachRow(m_statements.expiredByStatus(criteria), QStringLiteral("counting expired results"),
                                    [&preview](const QSqlQuery &q) {
                                        const qint64 n = q.value(1).toLongLong();
                                        preview.byStatus[textOf(q.value(0))] += n;
                                        preview.total += n;
                                    });
    if (e)
        return e;
    if (m_statements.purgesGroups(criteria)) {
        auto groups = scalar(m_statements.expiredGroupCount(criteria), QStringLiteral("counting expired groups"));
        if (!groups)
            return groups.error();
        preview.groups = *groups;
    }
    return preview;
}

Outcome<DeleteBatch> SqlStore::purgeBatch(const PurgeCriteria &criteria, int batchSize)
{
    if (m_cache)
        return m_cache->purgeBatch(criteria, batchSize);
    if (StoreError e = cacheExpiryError(m_info, criteria))
        return e;
    const QString what = QStringLiteral("deleting expired results");
    if (StoreError e = refuseWrites(what))
        return e;
    if (StoreError e = findExceptionRows(criteria.exceptionFilter()))
        return e;
    if (!criteria.cutoff.isValid())
        return noCutoff();
    batchSize = qMax(1, batchSize);
    DeleteBatch batch;
    batch.excludedWriters = m_dialect->writeLocksWholeDatabase();
    // Along the date_done index when there is one: each batch reads only the rows it
    // deletes, from where the last one ended, so the last batch does not pass every younger
    // row looking for more, and a narrowed purge passes the rows it keeps once in all.
    const bool walkDates = m_statements.layout().dateDoneIndexed;
    const StoreError error = inTransaction(what, [&]() -> StoreError {
        bool tasksLeft = false;
        const StoreError e = walkDates ? purgeTasksByDate(criteria, batchSize, &batch.tasks, &tasksLeft)
                                       : deleteBatch(m_statements.deleteExpired(criteria, batchSize),
                                                     m_statements.anyExpired(criteria), batchSize, what, &batch.tasks,
                                                     &tasksLeft);
        if (e)
            return e;
        bool groupsLeft = false;
        if (!tasksLeft && m_statements.purgesGroups(criteria)) {
            // In the room the tasks left.
            const qint64 room = batchSize - batch.tasks;
            const StoreError g = deleteBatch(m_statements.deleteExpiredGroups(criteria, room),
                                             m_statements.anyExpiredGroups(criteria), room,
                                             QStringLiteral("deleting expired groups"), &batch.groups, &groupsLeft);
            if (g)
                return g;
        }
        batch.finished = !tasksLeft && !groupsLeft;
        batch.movedOn = batch.tasks == 0 && tasksLeft;
        return {};
    });
    if (error)
        return error;
    if (walkDates)
        m_purgeCommitted = m_purgeWorking;
    return batch;
}

namespace {

QString purgeKey(const PurgeCriteria &criteria)
{
    return criteria.cutoff.toString(Qt::ISODateWithMs) + u'|' + QString::number(criteria.cutoffExtraMicroseconds) + u'|'
        + criteria.statuses.join(u'\x1f') + u'|' + criteria.taskNames.join(u'\x1f') + u'|'
        + criteria.workers.join(u'\x1f') + u'|' + criteria.periodicTaskNames.join(u'\x1f') + u'|'
        + criteria.doneAfter.toString(Qt::ISODateWithMs) + u'|' + criteria.exceptionFilter().key() + u'|'
        + criteria.search;
}

} // namespace

StoreError SqlStore::purgeTasksByDate(const PurgeCriteria &criteria, int batchSize, qint64 *deleted, bool *tasksLeft)
{
    const QString what = QStringLiteral("deleting expired results");
    const QString key = purgeKey(criteria);
    m_purgeWorking = m_purgeCommitted;
    const SqlPurgeCursor after = m_purgeCommitted.criteria == key ? m_purgeCommitted.position : SqlPurgeCursor();
    SqlPurgeCursor end;
    if (m_dialect->writeLocksWholeDatabase()) {
        // SQLite: one statement, whose RETURNING tells where the batch ended. Its commits
        // (syncs) dominate a batch, so a second statement per batch would mean smaller
        // batches within the same lock time: 10-20% slower at 30,000 rows.
        // A narrowed purge keeps rows, and a rare match (a search) would have one statement
        // read every expired row under the write lock that shuts the workers out: it reads
        // a window of at most narrowedScanFactor x batchSize expired rows instead (their
        // end found in the date_done index alone), and moves on past it.
        SqlPurgeCursor window;
        bool beyondWindow = false;
        if (criteria.isNarrowed()) {
            const qint64 scan = qint64(batchSize) * narrowedScanFactor;
            const StoreError e = forEachRow(m_statements.purgeBatchEnd(criteria.datesOnly(), after,
                                                                       int(std::min<qint64>(scan, std::numeric_limits<int>::max()))),
                                            what, [&](const QSqlQuery &q) {
                                                if (window.isValid())
                                                    beyondWindow = true;
                                                else
                                                    window = {q.value(0), q.value(1).toLongLong()};
                                            });
            if (e)
                return e;
        }
        const StoreError e = forEachRow(
            m_statements.deleteExpiredByDate(criteria, after, batchSize, window), what, [&](const QSqlQuery &q) {
                ++*deleted;
                const QVariant doneAt = q.value(0);
                const qint64 rowId = q.value(1).toLongLong();
                // RETURNING gives the rows in no promised order: keep the last in (date_done, id).
                const int order = end.isValid() ? QString::compare(doneAt.toString(), end.dateDone.toString()) : 1;
                if (order > 0 || (order == 0 && rowId > end.rowId))
                    end = {doneAt, rowId};
            });
        if (e)
            return e;
        if (end.isValid())
            m_purgeWorking = {key, end};
        if (*deleted >= batchSize) {
            auto any = scalar(m_statements.anyExpiredAfter(criteria, end.isValid() ? end : after), what);
            if (!any)
                return any.error();
            *tasksLeft = *any != 0;
        } else if (window.isValid()) {
            // Every match of the window is gone: the next batch starts after it.
            m_purgeWorking = {key, window};
            *tasksLeft = beyondWindow;
        }
        return {};
    }
    // The servers: the date of the batch's last row first, read from the date_done index
    // alone (PostgreSQL's holds no id, so a probe naming id reads every row's heap tuple),
    // then one plain range delete of the dates before it (no ORDER BY … LIMIT in the DELETE,
    // which MariaDB plans as a filesort). The batch ends at that date boundary, so the next
    // starts with no id either; only a run of equal dates is cut by id.
    QVariant endDate;
    bool fewerLeft = true;
    StoreError e = forEachRow(m_statements.purgeBatchEndDate(criteria, after, batchSize), what,
                              [&](const QSqlQuery &q) {
                                  endDate = q.value(0);
                                  fewerLeft = false;
                              });
    if (e)
        return e;
    if (fewerLeft) {
        auto del = run(m_statements.deleteExpiredBetween(criteria, after, SqlPurgeCursor()), what);
        if (!del)
            return del.error();
        *deleted = qMax(0, del->numRowsAffected());
        return {};
    }
    SqlPurgeCursor from = after;
    if (!(after.isValid() && endDate == after.dateDone)) {
        auto del = run(m_statements.deleteExpiredBefore(criteria, after, endDate), what);
        if (!del)
            return del.error();
        *deleted = qMax(0, del->numRowsAffected());
        from = SqlPurgeCursor::before(endDate);
        m_purgeWorking = {key, from};
        *tasksLeft = true;
        if (*deleted > 0)
            return {};
    }
    // The batch's rows all share one date: cut that run by id.
    return cutByKey(criteria, from, batchSize, key, deleted, tasksLeft);
}

StoreError SqlStore::cutByKey(const PurgeCriteria &criteria, const SqlPurgeCursor &after, int batchSize,
                              const QString &key, qint64 *deleted, bool *tasksLeft)
{
    const QString what = QStringLiteral("deleting expired results");
    SqlPurgeCursor end;
    *tasksLeft = false;
    const StoreError e = forEachRow(m_statements.purgeBatchEnd(criteria, after, batchSize), what,
                                    [&](const QSqlQuery &q) {
                                        if (end.isValid())
                                            *tasksLeft = true;
                                        else
                                            end = {q.value(0), q.value(1).toLongLong()};
                                    });
    if (e)
        return e;
    auto del = run(m_statements.deleteExpiredBetween(criteria, after, end), what);
    if (!del)
        return del.error();
    *deleted = qMax(0, del->numRowsAffected());
    if (end.isValid())
        m_purgeWorking = {key, end};
    return {};
}

StoreError SqlStore::deleteBatch(const SqlStatement &del, const SqlStatement &any, qint64 limit, const QString &what,
                                 qint64 *deleted, bool *left)
{
    if (limit > 0) {
        auto q = run(del, what);
        if (!q)
            return q.error();
        *deleted = qMax(0, q->numRowsAffected());
    }
    if (*deleted >= limit) {
        auto more = scalar(any, what);
        if (!more)
            return more.error();
        *left = *more != 0;
    }
    return {};
}

StoreError SqlStore::refresh()
{
    m_statements.clearExceptionRows();
    if (m_pager)
        m_pager->refresh();
    return m_cache ? m_cache->refresh() : StoreError();
}

Outcome<DeleteBatch> SqlStore::deleteRows(const QVector<qint64> &rowIds)
{
    if (m_cache)
        return m_cache->deleteRows(rowIds);
    const QString what = QStringLiteral("deleting selected results");
    if (StoreError e = refuseWrites(what))
        return e;
    DeleteBatch batch;
    batch.finished = true;
    batch.excludedWriters = m_dialect->writeLocksWholeDatabase();
    QVector<qint64> ids;
    QSet<qint64> seen;
    for (qint64 id : rowIds) {
        if (!seen.contains(id)) {
            seen.insert(id);
            ids.append(id);
        }
    }
    if (ids.isEmpty())
        return batch;
    const int chunk = m_statements.rowsPerDelete();
    const StoreError error = inTransaction(what, [&]() -> StoreError {
        for (qsizetype from = 0; from < ids.size(); from += chunk) {
            auto del = run(m_statements.deleteRows(ids.mid(from, chunk)), what);
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
