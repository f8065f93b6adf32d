#pragma once

#include "serverdialect.h"

/// MariaDB and MySQL through Qt's QMYSQL driver.
///
/// URL: mysql://user[:password]@host[:port]/database (also mariadb://), options
/// ?unix_socket=/path, ?ssl_ca=…, ?ssl_cert=…, ?ssl_key=… (TLS), ?ssl=1 (refuse to work over
/// an unencrypted connection). It logs in with the URL's password (makeStoreFactory() puts
/// StoreOptions::passwordFor() there). Write "127.0.0.1", not "localhost", for TCP: the client library
/// maps "localhost" to its default socket. Connect, read and write time-outs are set.
///
/// The session runs in READ COMMITTED (no gap locks held against inserting workers during a
/// purge; each statement sees the rows committed before it), with time_zone +00:00.
/// datetime(6) values are naive UTC (Django USE_TZ=True).
///
/// Search is the Django admin's on MySQL: `col LIKE pattern` with the column's collation
/// (case- and, for *_general_ci/*_unicode_ci, accent-insensitive), plus the term's
/// JSON-escaped forms for the decoded search.
///
/// Used on the thread that called connect(); interrupt() is thread-safe (KILL QUERY from a
/// short-lived second connection).
class MysqlDialect final : public ServerDialect
{
public:
    MysqlDialect(StoreUrl url, bool readOnly);

    /// "MariaDB", or "MySQL" once connected to a MySQL server.
    QString engineName() const override { return m_serverName; }
    QString location() const override;

    StoreError connect(const QString &connectionName) override;

    QString quote(const QString &identifier) const override;
    QString searchPredicate(const SearchColumn &column, const QString &term, QVariantList *values) const override;
    QString containsPredicate(const QString &column, const QString &part, bool binaryColumn,
                              QVariantList *values) const override;
    QString batchDeleteSql(const QString &table, const QString &idColumn, const QString &where,
                           const QString &order) const override;
    QString dateSelect(const QString &column) const override;
    QString scannedSelect(const QString &columns, const QString &table, const QString &where) const override;
    QString prefixExpression(const QString &expression, int chars) const override;
    QString truncatedDate(const QString &column, TimeBucket bucket) const override;
    QString secondsBetween(const QString &from, const QString &to) const override;
    QString minuteNumber(const QString &column) const override;
    QString integerList(const QString &expression) const override;
    QString binaryAsText(const QString &column) const override;
    QString estimatedRowsSql() const override;
    QString beginWriteSql() const override { return QStringLiteral("START TRANSACTION"); }
    int maxBoundValues() const override { return 1000; }
    StoreError mapError(const QSqlError &error, const QString &what) const override;

    static constexpr int connectTimeoutSeconds = 5;
    /// A statement whose answer takes longer than this fails (the client library retries a
    /// read once more, so the effective limit is about twice this).
    static constexpr int readTimeoutSeconds = 300;

private:
    QSqlDatabase addConnection(const QString &connectionName) const override;
    QString cancelSql(qint64 sessionId) const override;
    QString catalogSql() const override;
    SqlColumn catalogColumn(const QSqlQuery &row) const override;
    StoreError connectError(const QSqlError &error, qint64 elapsedMs) const;
    QString hostPort() const;

    QString m_serverName = QStringLiteral("MariaDB");
};
