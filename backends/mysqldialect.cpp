#include "mysqldialect.h"

#include <algorithm>

#include <QElapsedTimer>
#include <QSqlQuery>

#include "jsonescape.h"
#include "sqlitedialect.h"

namespace {

/// MySQL's LIKE escape character, given explicitly: the default '\' depends on sql_mode
/// (NO_BACKSLASH_ESCAPES).
constexpr char16_t likeEscape = u'!';

} // namespace

MysqlDialect::MysqlDialect(StoreUrl url, bool readOnly)
    : ServerDialect(std::move(url), readOnly)
{
}

QString MysqlDialect::hostPort() const
{
    const QString socket = m_url.options.value(QStringLiteral("unix_socket"));
    if (!socket.isEmpty())
        return socket;
    const QString host = m_url.host.isEmpty() ? QStringLiteral("localhost") : m_url.host;
    const int port = m_url.port > 0 ? m_url.port : 3306;
    return host.contains(u':') ? QStringLiteral("[%1]:%2").arg(host).arg(port) : QStringLiteral("%1:%2").arg(host).arg(port);
}

QString MysqlDialect::location() const
{
    return hostPort() + u'/' + m_url.database;
}

QSqlDatabase MysqlDialect::addConnection(const QString &connectionName) const
{
    QSqlDatabase db = QSqlDatabase::addDatabase(QStringLiteral("QMYSQL"), connectionName);
    if (!m_url.host.isEmpty())
        db.setHostName(m_url.host);
    if (m_url.port > 0)
        db.setPort(m_url.port);
    if (!m_url.user.isEmpty())
        db.setUserName(m_url.user);
    if (!m_url.password.isEmpty())
        db.setPassword(m_url.password);
    db.setDatabaseName(m_url.database);
    QStringList options{QStringLiteral("MYSQL_OPT_CONNECT_TIMEOUT=%1").arg(connectTimeoutSeconds),
                        QStringLiteral("MYSQL_OPT_READ_TIMEOUT=%1").arg(readTimeoutSeconds),
                        QStringLiteral("MYSQL_OPT_WRITE_TIMEOUT=%1").arg(readTimeoutSeconds)};
    const QString socket = m_url.options.value(QStringLiteral("unix_socket"));
    if (!socket.isEmpty())
        options << QStringLiteral("UNIX_SOCKET=") + socket;
    for (const auto &[key, option] : {std::pair{"ssl_ca", "SSL_CA"}, std::pair{"ssl_cert", "SSL_CERT"},
                                      std::pair{"ssl_key", "SSL_KEY"}, std::pair{"ssl_capath", "SSL_CAPATH"}}) {
        const QString value = m_url.options.value(QLatin1String(key));
        if (!value.isEmpty() && !value.contains(u';'))
            options << QLatin1String(option) + u'=' + value;
    }
    db.setConnectOptions(options.join(u';'));
    return db;
}

StoreError MysqlDialect::connect(const QString &connectionName)
{
    QSqlDatabase db = addConnection(connectionName);
    QElapsedTimer clock;
    clock.start();
    if (!db.open())
        return connectError(db.lastError(), clock.elapsed());
    QSqlQuery q(db);
    const QString what = QStringLiteral("preparing the session");
    for (const char *sql : {"SET NAMES utf8mb4", "SET SESSION TRANSACTION ISOLATION LEVEL READ COMMITTED",
                            "SET time_zone = '+00:00'",
                            // GROUP_CONCAT's 1 MB default cuts the minutes of a failure part of
                            // ~110,000 results (SqlStatements::failureParts()).
                            "SET SESSION group_concat_max_len = 4294967295"}) {
        if (!q.exec(QLatin1String(sql)))
            return mapError(q.lastError(), what);
    }
    if (m_readOnly && !q.exec(QStringLiteral("SET SESSION TRANSACTION READ ONLY")))
        return mapError(q.lastError(), what);
    // ?ssl=1: TLS is required. Qt's QMYSQL has no ssl-mode option (TLS starts when an ssl_ca/
    // ssl_cert/ssl_key is given), so the session is checked instead: no cipher, no session.
    const QString ssl = m_url.options.value(QStringLiteral("ssl")).trimmed().toLower();
    if (ssl == QLatin1String("1") || ssl == QLatin1String("true") || ssl == QLatin1String("required")
        || ssl == QLatin1String("require") || ssl == QLatin1String("yes")) {
        if (!q.exec(QStringLiteral("SHOW SESSION STATUS LIKE 'Ssl_cipher'")))
            return mapError(q.lastError(), what);
        const QString cipher = q.next() ? q.value(1).toString() : QString();
        if (cipher.isEmpty()) {
            return {StoreError::Code::ConnectionFailed,
                    QStringLiteral("cannot connect to %1 at %2: TLS is required (?ssl=1) but the connection is not "
                                   "encrypted (give ?ssl_ca=… and check that the server offers TLS)")
                        .arg(m_serverName, hostPort())};
        }
    }
    if (!q.exec(QStringLiteral("SELECT CONNECTION_ID(), VERSION()")) || !q.next())
        return mapError(q.lastError(), what);
    const qint64 id = q.value(0).toLongLong();
    if (!q.value(1).toString().contains(QLatin1String("MariaDB"), Qt::CaseInsensitive))
        m_serverName = QStringLiteral("MySQL");
    setSessionId(id);
    return {};
}

QString MysqlDialect::cancelSql(qint64 sessionId) const
{
    return QStringLiteral("KILL QUERY %1").arg(sessionId);
}

QString MysqlDialect::catalogSql() const
{
    // The index leaders as one derived table of the schema's index columns: an EXISTS per
    // column row re-read STATISTICS each time (~220 ms per open against ~2 ms).
    return QStringLiteral("SELECT 0, TABLE_NAME, NULL, NULL, NULL, 0, 0, 0 FROM information_schema.TABLES "
                          "WHERE TABLE_SCHEMA = DATABASE() "
                          "UNION ALL "
                          "SELECT 1, c.TABLE_NAME, c.COLUMN_NAME, c.COLUMN_TYPE, c.COLLATION_NAME, c.ORDINAL_POSITION, "
                          "c.IS_NULLABLE = 'NO', s.n IS NOT NULL "
                          "FROM information_schema.COLUMNS c LEFT JOIN (SELECT DISTINCT TABLE_NAME AS t, COLUMN_NAME AS n "
                          "FROM information_schema.STATISTICS WHERE TABLE_SCHEMA = DATABASE() AND SEQ_IN_INDEX = 1) s "
                          "ON s.t = c.TABLE_NAME AND s.n = c.COLUMN_NAME "
                          "WHERE c.TABLE_SCHEMA = DATABASE() "
                          "AND c.TABLE_NAME IN (?, ?, ?, ?, ?) "
                          "ORDER BY 1, 2, 6");
}

SqlColumn MysqlDialect::catalogColumn(const QSqlQuery &q) const
{
    const auto text = [&q](int i) {
        const QVariant v = q.value(i);
        return v.typeId() == QMetaType::QByteArray ? QString::fromUtf8(v.toByteArray()) : v.toString();
    };
    SqlColumn column;
    column.name = text(2);
    column.type = text(3).toLower();
    column.caseInsensitive = text(4).endsWith(QLatin1String("_ci"), Qt::CaseInsensitive);
    column.notNull = q.value(6).toInt() != 0;
    column.leadsIndex = q.value(7).toInt() != 0;
    return column;
}

QString MysqlDialect::quote(const QString &identifier) const
{
    QString q = identifier;
    q.replace(u'`', QStringLiteral("``"));
    return u'`' + q + u'`';
}

QString MysqlDialect::searchPredicate(const SearchColumn &column, const QString &term, QVariantList *values) const
{
    // Django's icontains on MySQL: "col LIKE %s", compared with the column's collation; for
    // args/kwargs also the JSON-escaped term in its three cases (\u00e9 and \u00c9 differ).
    // Under a case-insensitive collation, forms that differ only by ASCII case match the same
    // rows, and so does an escaped form equal to the term: "fetch_feed" is one LIKE per column.
    QStringList forms{SqlSearchText::likeContains(term, likeEscape)};
    if (column.decodeJson) {
        const QStringList variants = SqlSearchText::caseVariants(term);
        for (const QString &v : variants)
            forms << SqlSearchText::likeContains(JsonEscape::escaped(v, JsonEscape::Mode::Ascii), likeEscape);
    }
    const QStringList patterns = SqlSearchText::distinctPatterns(forms, column.caseInsensitive);
    QStringList parts;
    for (const QString &p : patterns) {
        *values << p;
        parts << QStringLiteral("%1 LIKE ? ESCAPE '!'").arg(column.expression);
    }
    return parts.size() == 1 ? parts.first() : QStringLiteral("(") + parts.join(QStringLiteral(" OR ")) + QStringLiteral(")");
}

QString MysqlDialect::containsPredicate(const QString &column, const QString &part, bool binaryColumn,
                                       QVariantList *values) const
{
    // Under a case-insensitive collation POSITION compares letter by letter through it: over
    // 1M results 10.4 s where the same search of the bytes took 1.4 s. An ASCII part has the
    // same bytes in every character set, so bytes find it exactly; another part keeps the
    // collation's search (a superset of the bytes' in any case).
    const bool ascii = std::all_of(part.cbegin(), part.cend(), [](QChar c) { return c.unicode() < 0x80; });
    if (binaryColumn || !ascii)
        return SqlDialect::containsPredicate(column, part, binaryColumn, values);
    *values << part;
    return QStringLiteral("LOCATE(?, BINARY %1) > 0").arg(column);
}

QString MysqlDialect::batchDeleteSql(const QString &table, const QString &idColumn, const QString &where,
                                     const QString &order) const
{
    Q_UNUSED(idColumn)
    // MySQL/MariaDB refuse LIMIT inside an IN subquery; a single-table DELETE takes
    // ORDER BY … LIMIT itself and re-checks the condition on every row it deletes.
    return QStringLiteral("DELETE FROM %1%2 ORDER BY %3 LIMIT ?").arg(table, where, order);
}

QString MysqlDialect::dateSelect(const QString &column) const
{
    return QStringLiteral("DATE_FORMAT(%1, '%Y-%m-%d %H:%i:%s.%f')").arg(column);
}

QString MysqlDialect::truncatedDate(const QString &column, TimeBucket bucket) const
{
    const char *format = bucket == TimeBucket::Minute ? "%Y-%m-%d %H:%i:00.000000"
        : bucket == TimeBucket::Hour                  ? "%Y-%m-%d %H:00:00.000000"
                                                      : "%Y-%m-%d 00:00:00.000000";
    return QStringLiteral("DATE_FORMAT(%1, '%2')").arg(column, QLatin1String(format));
}

QString MysqlDialect::secondsBetween(const QString &from, const QString &to) const
{
    // 1e6 is a DOUBLE literal: a DECIMAL divisor would keep only div_precision_increment (4) digits.
    return QStringLiteral("(TIMESTAMPDIFF(MICROSECOND, %1, %2) / 1e6)").arg(from, to);
}

QString MysqlDialect::minuteNumber(const QString &column) const
{
    // Arithmetic on the value as stored: no session time zone involved (UNIX_TIMESTAMP() would
    // read a DATETIME in it).
    return QStringLiteral("TIMESTAMPDIFF(MINUTE, '1970-01-01 00:00:00', %1)").arg(column);
}

QString MysqlDialect::integerList(const QString &expression) const
{
    // Up to the session's group_concat_max_len, which connect() raises from 1 MB.
    return QStringLiteral("GROUP_CONCAT(%1)").arg(expression);
}

QString MysqlDialect::scannedSelect(const QString &columns, const QString &table, const QString &where) const
{
    // USE INDEX FOR ORDER BY () ("use no index") leaves the sort to a filesort after a scan
    // of the table, where the optimizer would otherwise walk the sort column's index through
    // every row. The derived table is merged into the statement around it, the hint with it.
    return QStringLiteral("SELECT %1 FROM %2 USE INDEX FOR ORDER BY ()%3").arg(columns, table, where);
}

QString MysqlDialect::estimatedRowsSql() const
{
    return QStringLiteral("SELECT TABLE_ROWS FROM information_schema.TABLES WHERE TABLE_SCHEMA = DATABASE() "
                          "AND TABLE_NAME = ?");
}

QString MysqlDialect::prefixExpression(const QString &expression, int chars) const
{
    return QStringLiteral("SUBSTRING(%1, 1, %2)").arg(expression).arg(chars);
}

QString MysqlDialect::binaryAsText(const QString &column) const
{
    return QStringLiteral("CONVERT(%1 USING utf8mb4)").arg(column);
}

StoreError MysqlDialect::connectError(const QSqlError &error, qint64 elapsedMs) const
{
    const int code = error.nativeErrorCode().toInt();
    const QString text = errorDetail(error);
    const QString where = QStringLiteral("cannot connect to MariaDB/MySQL at %1").arg(hostPort());
    switch (code) {
    case 1045: // ER_ACCESS_DENIED_ERROR
    case 1698: // ER_ACCESS_DENIED_NO_PASSWORD_ERROR
        return {StoreError::Code::AuthenticationFailed,
                QStringLiteral("%1: access denied for user \"%2\" (wrong password?)").arg(where, m_url.user)};
    case 1044: // ER_DBACCESS_DENIED_ERROR
        return {StoreError::Code::PermissionDenied,
                QStringLiteral("%1: user \"%2\" may not use the database \"%3\"").arg(where, m_url.user, m_url.database)};
    case 1049: // ER_BAD_DB_ERROR
        return {StoreError::Code::NotFound, QStringLiteral("%1: the database \"%2\" does not exist").arg(where, m_url.database)};
    case 2026: // CR_SSL_CONNECTION_ERROR
        return {StoreError::Code::ConnectionFailed, QStringLiteral("%1: TLS failed (%2)").arg(where, text)};
    case 2005: // CR_UNKNOWN_HOST
        return {StoreError::Code::NotFound, QStringLiteral("%1: the host name cannot be resolved").arg(where)};
    case 2013: // CR_SERVER_LOST: connected, but no greeting (a port that is not MySQL, a hung server)
        if (text.contains(QLatin1String("system error: 110")) || elapsedMs >= connectTimeoutSeconds * 1000 - 500) {
            return {StoreError::Code::ConnectionFailed,
                    QStringLiteral("%1: no answer within %2 s (connect timeout)").arg(where).arg(connectTimeoutSeconds)};
        }
        return {StoreError::Code::ConnectionFailed,
                QStringLiteral("%1: the server closed the connection during the handshake (%2)").arg(where, text)};
    case 2002: // CR_CONNECTION_ERROR (socket)
    case 2003: // CR_CONN_HOST_ERROR
        // With a connect timeout the client connects non-blocking and often reports only
        // errno 115 (EINPROGRESS), whether refused or timed out: the elapsed time tells.
        if (text.contains(QLatin1String("(110)")) || text.contains(QLatin1String("timed out"), Qt::CaseInsensitive)
            || elapsedMs >= connectTimeoutSeconds * 1000 - 500) {
            return {StoreError::Code::ConnectionFailed,
                    QStringLiteral("%1: no answer within %2 s (connect timeout)").arg(where).arg(connectTimeoutSeconds)};
        }
        return {StoreError::Code::ConnectionFailed,
                QStringLiteral("%1: the connection was refused (is the server running and listening there?)").arg(where)};
    default:
        break;
    }
    return {StoreError::Code::ConnectionFailed, QStringLiteral("%1: %2").arg(where, text)};
}

StoreError MysqlDialect::mapError(const QSqlError &error, const QString &what) const
{
    const int code = error.nativeErrorCode().toInt();
    const QString detail = errorDetail(error);
    const QString where = location();
    switch (code) {
    case 1317: // ER_QUERY_INTERRUPTED
    case 3024: // ER_QUERY_TIMEOUT (MySQL max_execution_time)
    case 1969: // ER_STATEMENT_TIMEOUT (MariaDB max_statement_time)
        return {StoreError::Code::Cancelled, QStringLiteral("%1 was cancelled").arg(what)};
    case 1205: // ER_LOCK_WAIT_TIMEOUT
    case 1213: // ER_LOCK_DEADLOCK
        return {StoreError::Code::Locked, QStringLiteral("%1 failed on %2: a lock conflict (%3)").arg(what, where, detail)};
    case 1142: // ER_TABLEACCESS_DENIED_ERROR
    case 1044:
    case 1045:
    case 1792: { // ER_CANT_EXECUTE_IN_READ_ONLY_TRANSACTION
        const auto denied = code == 1045 ? StoreError::Code::AuthenticationFailed : StoreError::Code::PermissionDenied;
        return {denied, QStringLiteral("%1: permission denied while %2 (%3)").arg(where, what, detail)};
    }
    case 2006: // CR_SERVER_GONE_ERROR
    case 2013: // CR_SERVER_LOST
        return {StoreError::Code::ConnectionFailed, QStringLiteral("the connection to %1 at %2 was lost while %3 (%4)")
                                                        .arg(m_serverName, hostPort(), what, detail)};
    default:
        break;
    }
    return {StoreError::Code::QueryFailed, QStringLiteral("%1 failed on %2: %3").arg(what, where, detail)};
}
