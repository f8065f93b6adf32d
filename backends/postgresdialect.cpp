#include "postgresdialect.h"

#include <dlfcn.h>

#include <QSqlDriver>
#include <QSqlQuery>

#include "jsonescape.h"
#include "sqlitedialect.h"

namespace {

/// A libpq conninfo value, single-quoted when it holds spaces or quotes.
QString conninfoValue(const QString &value)
{
    if (!value.isEmpty() && !value.contains(u' ') && !value.contains(u'\'') && !value.contains(u'\\'))
        return value;
    QString v = value;
    v.replace(u'\\', QStringLiteral("\\\\"));
    v.replace(u'\'', QStringLiteral("\\'"));
    return u'\'' + v + u'\'';
}

} // namespace

PostgresDialect::PostgresDialect(StoreUrl url, bool readOnly)
    : ServerDialect(std::move(url), readOnly)
{
}

QString PostgresDialect::hostPort() const
{
    QString host = m_url.options.value(QStringLiteral("host"), m_url.host);
    if (host.isEmpty())
        host = QStringLiteral("localhost");
    const int port = m_url.port > 0 ? m_url.port : 5432;
    return host.contains(u':') ? QStringLiteral("[%1]:%2").arg(host).arg(port) : QStringLiteral("%1:%2").arg(host).arg(port);
}

QString PostgresDialect::location() const
{
    const QString database = m_url.database.isEmpty() ? m_url.user : m_url.database;
    return hostPort() + u'/' + database;
}

QSqlDatabase PostgresDialect::addConnection(const QString &connectionName) const
{
    QSqlDatabase db = QSqlDatabase::addDatabase(QStringLiteral("QPSQL"), connectionName);
    const QString host = m_url.options.value(QStringLiteral("host"), m_url.host);
    if (!host.isEmpty())
        db.setHostName(host);
    if (m_url.port > 0)
        db.setPort(m_url.port);
    if (!m_url.user.isEmpty())
        db.setUserName(m_url.user);
    if (!m_url.password.isEmpty())
        db.setPassword(m_url.password);
    if (!m_url.database.isEmpty())
        db.setDatabaseName(m_url.database);
    // libpq keywords; QPSQL turns ';' into the spaces of a conninfo string. Keepalives make
    // a host that vanished mid-query fail within about a minute instead of hanging.
    QStringList options{QStringLiteral("connect_timeout=%1").arg(connectTimeoutSeconds),
                        QStringLiteral("keepalives=1"), QStringLiteral("keepalives_idle=30"),
                        QStringLiteral("keepalives_interval=10"), QStringLiteral("keepalives_count=3"),
                        QStringLiteral("application_name=stalk")};
    for (const char *key : {"sslmode", "sslrootcert", "sslcert", "sslkey", "target_session_attrs"}) {
        const QString value = m_url.options.value(QLatin1String(key));
        if (!value.isEmpty())
            options << QLatin1String(key) + u'=' + conninfoValue(value);
    }
    db.setConnectOptions(options.join(u';'));
    return db;
}

namespace {

/// libpq's notice processor: what the server says outside any answer ("WARNING: terminating
/// connection because of crash of another server process", a FATAL while idle) goes to
/// lcSql, not to standard error as libpq's default one does.
void logNotice(void *, const char *message)
{
    qCWarning(lcSql, "PostgreSQL: %s", message);
}

} // namespace

void PostgresDialect::routeNoticesToLog(const QSqlDatabase &db)
{
    // QPSQL hands out its PGconn; libpq is already loaded by the driver, so ask it for
    // PQsetNoticeProcessor rather than linking it a second time.
    const QVariant handle = db.driver()->handle();
    // PGconn is libpq's typedef of struct pg_conn; Qt registers the pointer under either name.
    if (qstrcmp(handle.typeName(), "PGconn*") != 0 && qstrcmp(handle.typeName(), "pg_conn*") != 0)
        return;
    void *connection = *static_cast<void *const *>(handle.data());
    using NoticeProcessor = void (*)(void *, const char *);
    using SetNoticeProcessor = NoticeProcessor (*)(void *, NoticeProcessor, void *);
    static const auto setNoticeProcessor = [] {
        void *libpq = dlopen("libpq.so.5", RTLD_LAZY | RTLD_NOLOAD);
        return libpq ? reinterpret_cast<SetNoticeProcessor>(dlsym(libpq, "PQsetNoticeProcessor")) : nullptr;
    }();
    if (connection && setNoticeProcessor)
        setNoticeProcessor(connection, &logNotice, nullptr);
}

StoreError PostgresDialect::connect(const QString &connectionName)
{
    QSqlDatabase db = addConnection(connectionName);
    if (!db.open())
        return connectError(db.lastError());
    routeNoticesToLog(db);

    QSqlQuery q(db);
    // Stored timestamptz values are rendered in UTC, naive timestamps (celery_taskmeta) are
    // taken as UTC; both compare with Stalk's UTC parameters.
    if (!q.exec(QStringLiteral("SET TIME ZONE 'UTC'")))
        return mapError(q.lastError(), QStringLiteral("preparing the session"));
    // A bound on any one statement, as MySQL's read timeout: a window or CLI never waits
    // forever; interrupt() cancels sooner.
    if (!q.exec(QStringLiteral("SET statement_timeout = '%1s'").arg(statementTimeoutSeconds)))
        return mapError(q.lastError(), QStringLiteral("preparing the session"));
    if (m_readOnly && !q.exec(QStringLiteral("SET default_transaction_read_only = on")))
        return mapError(q.lastError(), QStringLiteral("preparing the session"));
    const QString schema = m_url.options.value(QStringLiteral("schema"));
    if (!schema.isEmpty()) {
        q.prepare(QStringLiteral("SELECT set_config('search_path', quote_ident(?), false)"));
        q.addBindValue(schema);
        if (!q.exec())
            return mapError(q.lastError(), QStringLiteral("selecting the schema %1").arg(schema));
    }
    if (!q.exec(QStringLiteral("SELECT pg_backend_pid()")) || !q.next())
        return mapError(q.lastError(), QStringLiteral("preparing the session"));
    setSessionId(q.value(0).toLongLong());
    return {};
}

QString PostgresDialect::cancelSql(qint64 sessionId) const
{
    return QStringLiteral("SELECT pg_cancel_backend(%1)").arg(sessionId);
}

QString PostgresDialect::catalogSql() const
{
    // pg_catalog, not information_schema: a CLI's connection is a new backend with cold
    // caches, and information_schema's views took 36-46 ms there against 19 ms for this
    // statement (PostgreSQL 15). It lists the same rows information_schema.tables and
    // .columns list (what the user may see: owner, or any table or column privilege), the
    // column types as their data_type and character_maximum_length say them (format_type()
    // of a pg_catalog type, a domain's base type, 'ARRAY', 'USER-DEFINED'); tst_serverstore
    // compares the two over Django's tables and the shapes that differ (domains, arrays, enums,
    // views, dropped columns). The two index tests read pg_index, indexes
    // without a predicate only: the trigram test, a valid index whose key holds the column
    // with a pg_trgm operator class; the leading test, an index whose first key is the column
    // itself (indkey[0] is 0 for an expression).
    return QStringLiteral(
        "WITH rel AS (SELECT c.oid, c.relname, c.relowner FROM pg_class c "
        "WHERE c.relnamespace = (SELECT oid FROM pg_namespace WHERE nspname = current_schema()) "
        "AND c.relkind IN ('r', 'v', 'f', 'p') AND (pg_has_role(c.relowner, 'USAGE') "
        "OR has_table_privilege(c.oid, 'SELECT, INSERT, UPDATE, DELETE, TRUNCATE, REFERENCES, TRIGGER') "
        "OR has_any_column_privilege(c.oid, 'SELECT, INSERT, UPDATE, REFERENCES'))) "
        "SELECT 0, relname::text, NULL::text, NULL::text, NULL::int, 0, false, false, false FROM rel "
        "UNION ALL "
        "SELECT 1, r.relname::text, a.attname::text, "
        "CASE WHEN t.typtype = 'd' THEN CASE WHEN bt.typelem <> 0 AND bt.typlen = -1 THEN 'ARRAY' "
        "WHEN bt.typnamespace = 'pg_catalog'::regnamespace THEN format_type(t.typbasetype, NULL) "
        "ELSE 'USER-DEFINED' END "
        "WHEN t.typelem <> 0 AND t.typlen = -1 THEN 'ARRAY' "
        "WHEN t.typnamespace = 'pg_catalog'::regnamespace THEN format_type(a.atttypid, NULL) "
        "ELSE 'USER-DEFINED' END, "
        "CASE WHEN (CASE WHEN t.typtype = 'd' THEN t.typbasetype ELSE a.atttypid END) IN (1042, 1043) "
        "AND (CASE WHEN t.typtype = 'd' THEN t.typtypmod ELSE a.atttypmod END) >= 0 "
        "THEN (CASE WHEN t.typtype = 'd' THEN t.typtypmod ELSE a.atttypmod END) - 4 END, "
        "a.attnum::int, EXISTS("
        "SELECT 1 FROM pg_index x CROSS JOIN LATERAL unnest(x.indkey::int2[], x.indclass::oid[]) AS k(attnum, opclass) "
        "JOIN pg_opclass o ON o.oid = k.opclass "
        "WHERE x.indrelid = r.oid AND k.attnum = a.attnum AND x.indisvalid AND x.indpred IS NULL "
        "AND o.opcname IN ('gin_trgm_ops', 'gist_trgm_ops')), "
        "a.attnotnull OR (t.typtype = 'd' AND t.typnotnull), EXISTS("
        "SELECT 1 FROM pg_index x WHERE x.indrelid = r.oid AND x.indkey[0] = a.attnum AND x.indpred IS NULL) "
        "FROM rel r JOIN pg_attribute a ON a.attrelid = r.oid AND a.attnum > 0 AND NOT a.attisdropped "
        "JOIN pg_type t ON t.oid = a.atttypid LEFT JOIN pg_type bt ON t.typtype = 'd' AND bt.oid = t.typbasetype "
        "WHERE r.relname IN (?, ?, ?, ?, ?) AND (pg_has_role(r.relowner, 'USAGE') "
        "OR has_column_privilege(r.oid, a.attnum, 'SELECT, INSERT, UPDATE, REFERENCES')) "
        "ORDER BY 1, 2, 6");
}

SqlColumn PostgresDialect::catalogColumn(const QSqlQuery &q) const
{
    SqlColumn column;
    column.name = q.value(2).toString();
    QString type = q.value(3).toString().toLower();
    if (type == QLatin1String("character varying"))
        type = QStringLiteral("varchar");
    else if (type == QLatin1String("timestamp with time zone"))
        type = QStringLiteral("timestamptz");
    if (!q.value(4).isNull())
        type += QStringLiteral("(%1)").arg(q.value(4).toInt());
    column.type = type;
    column.trigramIndexed = q.value(6).toBool();
    column.notNull = q.value(7).toBool();
    column.leadsIndex = q.value(8).toBool();
    return column;
}

QString PostgresDialect::searchPredicate(const SearchColumn &column, const QString &term, QVariantList *values) const
{
    // Django's icontains on PostgreSQL: UPPER("col"::text) LIKE UPPER(%s), '\' escaping. The
    // term's lower- and upper-case forms join it for letters beyond ASCII, which the UPPER of
    // a C-locale database leaves alone, and for args/kwargs its JSON-escaped forms (\u00e9 and
    // \u00c9 differ by case). UPPER folds ASCII letters itself (any locale but a Turkic one),
    // so forms differing only there are one pattern: "fetch_feed" is one pattern per column.
    const QStringList variants = SqlSearchText::caseVariants(term);
    QStringList forms;
    for (const QString &v : variants)
        forms << SqlSearchText::likeContains(v, u'\\');
    if (column.decodeJson) {
        for (const QString &v : variants)
            forms << SqlSearchText::likeContains(JsonEscape::escaped(v, JsonEscape::Mode::Ascii), u'\\');
    }
    const QStringList patterns = SqlSearchText::distinctPatterns(forms, true);
    for (const QString &p : patterns)
        *values << p;
    if (column.trigramIndexed) {
        // The form a pg_trgm index serves: ILIKE folds case with lower() where UPPER folds
        // with upper(), the same but for a few letters whose cases are not each other's
        // (dotless ı, long ſ, the Kelvin sign). README "Search".
        QStringList parts;
        for (qsizetype i = 0; i < patterns.size(); ++i)
            parts << QStringLiteral("%1 ILIKE ?").arg(column.expression);
        return QStringLiteral("(") + parts.join(QStringLiteral(" OR ")) + QStringLiteral(")");
    }
    // LIKE ANY takes no ESCAPE clause: the default escape character '\' is the one used.
    if (patterns.size() == 1)
        return QStringLiteral("UPPER(CAST(%1 AS text)) LIKE UPPER(?)").arg(column.expression);
    QStringList marks;
    for (qsizetype i = 0; i < patterns.size(); ++i)
        marks << QStringLiteral("UPPER(?)");
    return QStringLiteral("(UPPER(CAST(%1 AS text)) LIKE ANY (ARRAY[%2]))")
        .arg(column.expression, marks.join(QStringLiteral(", ")));
}

QString PostgresDialect::batchDeleteSql(const QString &table, const QString &idColumn, const QString &where,
                                        const QString &order) const
{
    // The rows are locked as they are picked; rows a worker is writing right now are skipped
    // (and taken by a later batch) instead of waited for.
    return QStringLiteral("DELETE FROM %1 WHERE %2 = ANY(ARRAY(SELECT %2 FROM %1%3 ORDER BY %4 LIMIT ? "
                          "FOR UPDATE SKIP LOCKED))")
        .arg(table, idColumn, where, order);
}

QString PostgresDialect::dateSelect(const QString &column) const
{
    // The session time zone is UTC (connect()), so timestamptz renders as UTC.
    return QStringLiteral("to_char(%1, 'YYYY-MM-DD HH24:MI:SS.US')").arg(column);
}

QString PostgresDialect::truncatedDate(const QString &column, TimeBucket bucket) const
{
    return dateSelect(QStringLiteral("date_trunc('%1', %2)").arg(timeBucketName(bucket), column));
}

QString PostgresDialect::secondsBetween(const QString &from, const QString &to) const
{
    return QStringLiteral("CAST(EXTRACT(EPOCH FROM (%1 - %2)) AS double precision)").arg(to, from);
}

QString PostgresDialect::minuteNumber(const QString &column) const
{
    // A timestamptz's epoch is the instant's; a timestamp's is its value read as UTC.
    return QStringLiteral("CAST(floor(EXTRACT(EPOCH FROM %1) / 60) AS bigint)").arg(column);
}

QString PostgresDialect::integerList(const QString &expression) const
{
    return QStringLiteral("string_agg(CAST(%1 AS text), ',')").arg(expression);
}

QString PostgresDialect::scannedSelect(const QString &columns, const QString &table, const QString &where) const
{
    // OFFSET 0 keeps the subquery from being pulled up into the statement around it: the
    // planner finds its rows by a (parallel) scan and the ORDER BY outside sorts them, where
    // it would otherwise walk the sort column's index backward through every row.
    return QStringLiteral("SELECT %1 FROM %2%3 OFFSET 0").arg(columns, table, where);
}

QString PostgresDialect::estimatedRowsSql() const
{
    // reltuples is -1 until the table was first vacuumed or analyzed (PostgreSQL 14+).
    return QStringLiteral("SELECT reltuples::bigint FROM pg_class WHERE oid = to_regclass(quote_ident(?))");
}

QString PostgresDialect::prefixExpression(const QString &expression, int chars) const
{
    return QStringLiteral("substr(%1, 1, %2)").arg(expression).arg(chars);
}

QString PostgresDialect::binaryAsText(const QString &column) const
{
    return QStringLiteral("convert_from(%1, 'UTF8')").arg(column);
}

StoreError PostgresDialect::connectError(const QSqlError &error) const
{
    const QString text = error.databaseText().isEmpty() ? error.text() : error.databaseText();
    const QString where = QStringLiteral("cannot connect to PostgreSQL at %1").arg(hostPort());
    const QString database = m_url.database.isEmpty() ? m_url.user : m_url.database;
    if (text.contains(QLatin1String("Connection refused"))) {
        return {StoreError::Code::ConnectionFailed,
                QStringLiteral("%1: the connection was refused (is the server running and listening there?)").arg(where)};
    }
    if (text.contains(QLatin1String("timeout expired")) || text.contains(QLatin1String("timed out"))) {
        return {StoreError::Code::ConnectionFailed,
                QStringLiteral("%1: no answer within %2 s (connect timeout)").arg(where).arg(connectTimeoutSeconds)};
    }
    if (text.contains(QLatin1String("password authentication failed"))
        || text.contains(QLatin1String("no password supplied")) || text.contains(QLatin1String("authentication failed"))) {
        const bool noPassword = text.contains(QLatin1String("no password supplied"));
        return {StoreError::Code::AuthenticationFailed,
                noPassword ? QStringLiteral("%1: the server wants a password for user \"%2\" (put it in the URL, "
                                            "STALK_PASSWORD or ~/.pgpass)").arg(where, m_url.user)
                           : QStringLiteral("%1: authentication failed for user \"%2\"").arg(where, m_url.user)};
    }
    if (text.contains(QLatin1String("does not exist")) && text.contains(QLatin1String("database"))) {
        return {StoreError::Code::NotFound, QStringLiteral("%1: the database \"%2\" does not exist").arg(where, database)};
    }
    if (text.contains(QLatin1String("SSL"))) {
        return {StoreError::Code::ConnectionFailed, QStringLiteral("%1: TLS failed (%2)").arg(where, text.simplified())};
    }
    if (text.contains(QLatin1String("could not translate host name"))) {
        return {StoreError::Code::NotFound, QStringLiteral("%1: the host name cannot be resolved").arg(where)};
    }
    if (text.contains(QLatin1String("pg_hba.conf")) || text.contains(QLatin1String("permission denied"))) {
        return {StoreError::Code::PermissionDenied, QStringLiteral("%1: the server does not let user \"%2\" in (%3)")
                                                        .arg(where, m_url.user, text.simplified())};
    }
    return {StoreError::Code::ConnectionFailed, QStringLiteral("%1: %2").arg(where, text.simplified())};
}

StoreError PostgresDialect::mapError(const QSqlError &error, const QString &what) const
{
    const QString state = error.nativeErrorCode();
    const QString detail = errorDetail(error);
    const QString where = location();
    if (state == QLatin1String("57014") && detail.contains(QLatin1String("statement timeout"))) {
        return {StoreError::Code::Cancelled, QStringLiteral("%1 on %2 took longer than %3 s and was stopped (statement_timeout)")
                                                 .arg(what, where).arg(statementTimeoutSeconds)};
    }
    if (state == QLatin1String("57014"))
        return {StoreError::Code::Cancelled, QStringLiteral("%1 was cancelled").arg(what)};
    if (state == QLatin1String("55P03") || state == QLatin1String("40P01") || state == QLatin1String("40001"))
        return {StoreError::Code::Locked, QStringLiteral("%1 failed on %2: a lock conflict (%3)").arg(what, where, detail)};
    if (state == QLatin1String("42501") || state == QLatin1String("25006") || state.startsWith(QLatin1String("28"))) {
        const auto code = state == QLatin1String("28P01") ? StoreError::Code::AuthenticationFailed // invalid_password
                                                          : StoreError::Code::PermissionDenied;
        return {code, QStringLiteral("%1: permission denied while %2 (%3)").arg(where, what, detail)};
    }
    if (state.startsWith(QLatin1String("08")) || state == QLatin1String("57P01")
        || error.type() == QSqlError::ConnectionError || detail.contains(QLatin1String("server closed the connection"))
        || detail.contains(QLatin1String("no connection to the server"))) {
        return {StoreError::Code::ConnectionFailed, QStringLiteral("the connection to PostgreSQL at %1 was lost while %2 (%3)")
                                                        .arg(hostPort(), what, detail)};
    }
    return {StoreError::Code::QueryFailed, QStringLiteral("%1 failed on %2: %3").arg(what, where, detail)};
}
