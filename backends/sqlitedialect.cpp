#include "sqlitedialect.h"

#include <QFileInfo>
#include <QSqlDriver>
#include <QSqlQuery>
#include <QUrl>

#include <sqlite3.h>

#include "sqlitesearch.h"

SqliteDialect::SqliteDialect(QString path, bool readOnly, int busyTimeoutMs)
    : m_path(std::move(path))
    , m_readOnly(readOnly)
    , m_busyTimeoutMs(busyTimeoutMs)
{
}

StoreError SqliteDialect::connect(const QString &connectionName)
{
    const QFileInfo file(m_path);
    if (!file.exists())
        return {StoreError::Code::NotFound, QStringLiteral("no such file: %1").arg(m_path)};
    if (file.isDir())
        return {StoreError::Code::NotFound, QStringLiteral("%1 is a directory, not a SQLite file").arg(m_path)};
    if (!file.isReadable())
        return {StoreError::Code::PermissionDenied, QStringLiteral("%1 is not readable by this user").arg(m_path)};

    // A URI with mode=rw/ro: SQLite then never creates the file, even if it vanished since
    // the check above. The path is percent-encoded so '?', '#' and '%' stay part of it.
    const QString uri = QStringLiteral("file:")
        + QString::fromLatin1(QUrl::toPercentEncoding(file.absoluteFilePath(), "/"))
        + (m_readOnly ? QStringLiteral("?mode=ro") : QStringLiteral("?mode=rw"));
    QSqlDatabase db = QSqlDatabase::addDatabase(QStringLiteral("QSQLITE"), connectionName);
    db.setDatabaseName(uri);
    QString options = QStringLiteral("QSQLITE_OPEN_URI;QSQLITE_BUSY_TIMEOUT=%1").arg(m_busyTimeoutMs);
    if (m_readOnly)
        options += QStringLiteral(";QSQLITE_OPEN_READONLY");
    db.setConnectOptions(options);
    if (!db.open())
        return mapError(db.lastError(), QStringLiteral("opening"));

    const QVariant handle = db.driver()->handle();
    if (!handle.isValid() || qstrcmp(handle.typeName(), "sqlite3*") != 0)
        return {StoreError::Code::QueryFailed, QStringLiteral("%1: the SQLite driver gave no handle").arg(m_path)};
    sqlite3 *raw = *static_cast<sqlite3 *const *>(handle.constData());
    if (!raw)
        return {StoreError::Code::QueryFailed, QStringLiteral("%1: the SQLite driver gave no handle").arg(m_path)};
    const int rc = SqliteSearch::registerFunctions(raw, &m_tally);
    if (rc != SQLITE_OK) {
        return {StoreError::Code::QueryFailed,
                QStringLiteral("%1: cannot register the search functions (%2)").arg(m_path, QString::fromUtf8(sqlite3_errstr(rc)))};
    }
    {
        QMutexLocker lock(&m_handleMutex);
        m_handle = raw;
    }
    if (m_readOnly) {
        // Belt and braces on top of SQLITE_OPEN_READONLY: no statement may write.
        QSqlQuery q(db);
        q.exec(QStringLiteral("PRAGMA query_only = 1"));
    }
    return {};
}

void SqliteDialect::interrupt()
{
    QMutexLocker lock(&m_handleMutex);
    if (m_handle)
        sqlite3_interrupt(m_handle);
}

void SqliteDialect::disconnect()
{
    QMutexLocker lock(&m_handleMutex);
    m_handle = nullptr;
}

Outcome<QStringList> SqliteDialect::tableNames(QSqlDatabase &db) const
{
    QSqlQuery q(db);
    q.setForwardOnly(true);
    if (!q.exec(QStringLiteral("SELECT name FROM sqlite_master WHERE type IN ('table', 'view') ORDER BY name")))
        return mapError(q.lastError(), QStringLiteral("listing tables"));
    QStringList names;
    while (q.next())
        names << q.value(0).toString();
    if (q.lastError().isValid())
        return mapError(q.lastError(), QStringLiteral("listing tables"));
    return names;
}

Outcome<QVector<SqlColumn>> SqliteDialect::columns(QSqlDatabase &db, const QString &table) const
{
    QSqlQuery q(db);
    q.setForwardOnly(true);
    // The table-valued forms of the pragmas take the name as a bound value.
    if (!q.prepare(QStringLiteral("SELECT c.name, c.type, EXISTS(SELECT 1 FROM pragma_index_list(?) AS l, "
                                  "pragma_index_info(l.name) AS i WHERE i.seqno = 0 AND i.name = c.name) "
                                  "FROM pragma_table_info(?) AS c")))
        return mapError(q.lastError(), QStringLiteral("reading the columns of %1").arg(table));
    q.addBindValue(table);
    q.addBindValue(table);
    if (!q.exec())
        return mapError(q.lastError(), QStringLiteral("reading the columns of %1").arg(table));
    QVector<SqlColumn> result;
    while (q.next()) {
        SqlColumn column;
        column.name = q.value(0).toString();
        column.type = q.value(1).toString().toLower();
        column.leadsIndex = q.value(2).toBool();
        result.append(column);
    }
    if (q.lastError().isValid())
        return mapError(q.lastError(), QStringLiteral("reading the columns of %1").arg(table));
    return result;
}

Outcome<SqlCatalog> SqliteDialect::catalog(QSqlDatabase &db, const QStringList &tables) const
{
    // A local file: the pragmas cost no round trip.
    SqlCatalog catalog;
    auto names = tableNames(db);
    if (!names)
        return names.error();
    catalog.tables = *names;
    for (const QString &table : tables) {
        if (!catalog.tables.contains(table))
            continue;
        auto cols = columns(db, table);
        if (!cols)
            return cols.error();
        catalog.columns.insert(table, *cols);
    }
    return catalog;
}

QString SqliteDialect::searchPredicate(const SearchColumn &column, const QString &term, QVariantList *values) const
{
    // Both functions take the term as it is and fold it themselves.
    *values << term;
    return (column.decodeJson ? QStringLiteral("stalk_icontains_json(") : QStringLiteral("stalk_icontains("))
        + column.expression + QStringLiteral(", ?)");
}

QString SqliteDialect::exceptionPredicate(const ExceptionColumns &columns, const ExceptionFilter &filter,
                                         QVariantList *values) const
{
    // SqliteSearch's function runs ValueDecoder::exceptionOf() and the filter on each row it is
    // asked about: one reading per row, whatever the names and fingerprints.
    *values << filter.key();
    return QStringLiteral("%1(%2, %3, %4, %5, ?)")
        .arg(columns.rawPickle ? QStringLiteral("stalk_pickle_exception_is") : QStringLiteral("stalk_exception_is"),
             columns.result, columns.contentType, columns.contentEncoding, columns.traceback);
}

QString SqliteDialect::batchDeleteSql(const QString &table, const QString &idColumn, const QString &where,
                                      const QString &order) const
{
    return QStringLiteral("DELETE FROM %1 WHERE %2 IN (SELECT %2 FROM %1%3 ORDER BY %4 LIMIT ?)")
        .arg(table, idColumn, where, order);
}

QString SqliteDialect::prefixExpression(const QString &expression, int chars) const
{
    return QStringLiteral("substr(%1, 1, %2)").arg(expression).arg(chars);
}

QString SqliteDialect::binaryAsText(const QString &column) const
{
    return QStringLiteral("CAST(%1 AS TEXT)").arg(column);
}

bool SqliteDialect::connectionIsReadOnly() const
{
    QMutexLocker lock(&m_handleMutex);
    return m_handle && sqlite3_db_readonly(m_handle, "main") == 1;
}

QString SqliteDialect::dateText(const QDateTime &utc, DateTextStyle style, int extraMicroseconds)
{
    const QDateTime t = utc.toUTC();
    QString text = t.toString(QStringLiteral("yyyy-MM-dd HH:mm:ss"));
    const int micro = t.time().msec() * 1000 + qBound(0, extraMicroseconds, 999);
    // Python's str(datetime) omits the fraction exactly when microsecond == 0.
    if (style == DateTextStyle::SqlAlchemy || micro != 0)
        text += QStringLiteral(".%1").arg(micro, 6, 10, QLatin1Char('0'));
    return text;
}

QString SqliteDialect::truncatedDate(const QString &column, TimeBucket bucket) const
{
    const char *format = bucket == TimeBucket::Minute ? "%Y-%m-%d %H:%M:00"
        : bucket == TimeBucket::Hour                  ? "%Y-%m-%d %H:00:00"
                                                      : "%Y-%m-%d 00:00:00";
    return QStringLiteral("strftime('%1', %2)").arg(QLatin1String(format), column);
}

QString SqliteDialect::secondsBetween(const QString &from, const QString &to) const
{
    // julianday() keeps milliseconds only. Whole seconds from strftime('%s') and the fractions
    // as stored ("…:SS.ffffff": the text from its 20th character; an offset or 'Z' after it
    // reads as 0, its digits only up to the sign), subtracted apart so that no double holds
    // a whole epoch plus microseconds.
    const auto whole = [](const QString &column) {
        return QStringLiteral("CAST(strftime('%s', %1) AS INTEGER)").arg(column);
    };
    const auto fraction = [](const QString &column) {
        return QStringLiteral("CASE WHEN substr(%1, 20, 1) = '.' THEN CAST(substr(%1, 20) AS REAL) ELSE 0.0 END")
            .arg(column);
    };
    return QStringLiteral("((%1 - %2) + (%3 - %4))").arg(whole(to), whole(from), fraction(to), fraction(from));
}

QString SqliteDialect::minuteNumber(const QString &column) const
{
    // strftime('%s') reads every form readDate() does (a 'T', an offset, 'Z'), but rounds the
    // fraction to milliseconds first (59.9999 s is the next minute): the fraction is cut from
    // the text (the digits after the 20th character's '.', an offset kept). Integer division
    // then cuts to the minute (dates after 1970).
    return QStringLiteral("(CAST(strftime('%s', CASE WHEN substr(%1, 20, 1) = '.' THEN substr(%1, 1, 19) || "
                          "ltrim(substr(%1, 21), '0123456789') ELSE %1 END) AS INTEGER) / 60)")
        .arg(column);
}

QString SqliteDialect::integerList(const QString &expression) const
{
    return QStringLiteral("group_concat(%1)").arg(expression);
}

QVariant SqliteDialect::dateValue(const QDateTime &utc, DateTextStyle style, int extraMicroseconds) const
{
    return dateText(utc, style, extraMicroseconds);
}

namespace {

bool digits(QStringView s, qsizetype from, qsizetype count, int *value)
{
    if (from + count > s.size())
        return false;
    int v = 0;
    for (qsizetype i = from; i < from + count; ++i) {
        const char16_t c = s[i].unicode();
        if (c < u'0' || c > u'9')
            return false;
        v = v * 10 + (c - u'0');
    }
    *value = v;
    return true;
}

} // namespace

QDateTime SqliteDialect::parseDateText(QStringView text, bool *ok)
{
    *ok = false;
    const QStringView s = text.trimmed();
    int y = 0, mo = 0, d = 0, h = 0, mi = 0, sec = 0;
    if (!digits(s, 0, 4, &y) || s.size() < 10 || s[4] != u'-' || !digits(s, 5, 2, &mo) || s[7] != u'-'
        || !digits(s, 8, 2, &d)) {
        return {};
    }
    const QDate date(y, mo, d);
    if (!date.isValid())
        return {};
    qsizetype i = 10;
    int msec = 0;
    int offsetSeconds = 0;
    if (i < s.size()) {
        if ((s[i] != u' ' && s[i] != u'T') || !digits(s, i + 1, 2, &h) || i + 3 >= s.size() || s[i + 3] != u':'
            || !digits(s, i + 4, 2, &mi)) {
            return {};
        }
        i += 6;
        if (i < s.size() && s[i] == u':') {
            if (!digits(s, i + 1, 2, &sec))
                return {};
            i += 3;
        }
        if (i < s.size() && (s[i] == u'.' || s[i] == u',')) {
            ++i;
            int n = 0;
            int frac = 0;
            while (i < s.size() && s[i].isDigit()) {
                if (n < 3)
                    frac = frac * 10 + s[i].digitValue();
                ++n;
                ++i;
            }
            if (n == 0)
                return {};
            for (int k = n; k < 3; ++k)
                frac *= 10;
            msec = frac;
        }
        if (i < s.size()) {
            if (s[i] == u'Z' || s[i] == u'z') {
                ++i;
            } else if (s[i] == u'+' || s[i] == u'-') {
                const int sign = s[i] == u'-' ? -1 : 1;
                int oh = 0, om = 0;
                if (!digits(s, i + 1, 2, &oh))
                    return {};
                i += 3;
                if (i < s.size() && s[i] == u':')
                    ++i;
                if (i < s.size()) {
                    if (!digits(s, i, 2, &om))
                        return {};
                    i += 2;
                }
                offsetSeconds = sign * (oh * 3600 + om * 60);
            }
        }
        if (i != s.size())
            return {};
    }
    const QTime time(h, mi, sec, msec);
    if (!time.isValid())
        return {};
    QDateTime dt(date, time, Qt::UTC);
    dt = dt.addSecs(-offsetSeconds);
    *ok = true;
    return dt;
}

QDateTime SqliteDialect::readDate(const QVariant &stored, QString *problem) const
{
    if (stored.isNull())
        return {};
    bool ok = false;
    const QString text = stored.typeId() == QMetaType::QByteArray ? QString::fromUtf8(stored.toByteArray())
                                                                  : stored.toString();
    QDateTime dt = parseDateText(text, &ok);
    if (!ok) {
        if (problem)
            *problem = QStringLiteral("'%1' is not a date").arg(text.left(64));
        return {};
    }
    return dt;
}

StoreError SqliteDialect::mapError(const QSqlError &error, const QString &what) const
{
    bool numeric = false;
    const int native = error.nativeErrorCode().toInt(&numeric);
    const int code = numeric ? (native & 0xff) : -1;
    const QString detail = error.databaseText().isEmpty() ? error.text() : error.databaseText();
    switch (code) {
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
        return {StoreError::Code::Locked,
                QStringLiteral("database is locked: %1 (another connection holds a lock longer than the %2 s busy timeout)")
                    .arg(m_path)
                    .arg(m_busyTimeoutMs / 1000.0)};
    case SQLITE_NOTADB:
        return {StoreError::Code::Corrupt, QStringLiteral("%1 is not a SQLite database").arg(m_path)};
    case SQLITE_CORRUPT:
        return {StoreError::Code::Corrupt,
                QStringLiteral("%1 is damaged (%2) while %3").arg(m_path, detail, what)};
    case SQLITE_INTERRUPT:
        return {StoreError::Code::Cancelled, QStringLiteral("%1 was cancelled").arg(what)};
    case SQLITE_READONLY:
        return {StoreError::Code::PermissionDenied,
                QStringLiteral("%1 is read-only: %2 is not possible (%3)").arg(m_path, what, detail)};
    case SQLITE_PERM:
    case SQLITE_AUTH:
        return {StoreError::Code::PermissionDenied, QStringLiteral("%1: permission denied while %2 (%3)").arg(m_path, what, detail)};
    case SQLITE_CANTOPEN:
        return {StoreError::Code::NotFound, QStringLiteral("cannot open %1 (%2)").arg(m_path, detail)};
    default:
        break;
    }
    return {StoreError::Code::QueryFailed, QStringLiteral("%1 failed on %2: %3").arg(what, m_path, detail)};
}
