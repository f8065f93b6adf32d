#pragma once

#include "serverdialect.h"

/// PostgreSQL through Qt's QPSQL driver (libpq).
///
/// URL: postgresql://user[:password]@host[:port]/database with options ?sslmode=…,
/// ?sslrootcert=…, ?schema=… (search_path), ?host=/socket/dir. It logs in with the URL's
/// password (makeStoreFactory() puts StoreOptions::passwordFor() there); without one, libpq's
/// own PGPASSWORD / ~/.pgpass apply. The session runs in UTC
/// with connect_timeout and TCP keepalives set, so a dead host fails instead of hanging.
///
/// Search follows the Django admin on PostgreSQL (UPPER(col::text) LIKE UPPER(pattern)) with
/// the term also as lower/upper case and in its JSON-escaped forms, which finds "Zoë" in
/// "Zo\u00eb" without decoding (a cast of stored text to json could abort the whole query on
/// one malformed row).
///
/// Used on the thread that called connect(); interrupt() is thread-safe (it cancels the
/// running statement with pg_cancel_backend from a short-lived second connection).
class PostgresDialect final : public ServerDialect
{
public:
    PostgresDialect(StoreUrl url, bool readOnly);

    QString engineName() const override { return QStringLiteral("PostgreSQL"); }
    QString location() const override;

    StoreError connect(const QString &connectionName) override;

    QString searchPredicate(const SearchColumn &column, const QString &term, QVariantList *values) const override;
    QString batchDeleteSql(const QString &table, const QString &idColumn, const QString &where,
                           const QString &order) const override;
    QString dateSelect(const QString &column) const override;
    bool nullsSortLow() const override { return false; }
    bool hasGroupingSets() const override { return true; }
    QString scannedSelect(const QString &columns, const QString &table, const QString &where) const override;
    QString prefixExpression(const QString &expression, int chars) const override;
    QString truncatedDate(const QString &column, TimeBucket bucket) const override;
    QString secondsBetween(const QString &from, const QString &to) const override;
    QString minuteNumber(const QString &column) const override;
    QString integerList(const QString &expression) const override;
    QString binaryAsText(const QString &column) const override;
    QString estimatedRowsSql() const override;
    QString beginWriteSql() const override { return QStringLiteral("BEGIN"); }
    int maxBoundValues() const override { return 1000; }
    StoreError mapError(const QSqlError &error, const QString &what) const override;

    /// Seconds libpq waits for the server to answer a connection attempt.
    static constexpr int connectTimeoutSeconds = 5;
    /// statement_timeout of the session: a statement running longer fails as Cancelled.
    static constexpr int statementTimeoutSeconds = 300;

private:
    QSqlDatabase addConnection(const QString &connectionName) const override;
    /// The server's notices on this connection go to lcSql (off by default).
    static void routeNoticesToLog(const QSqlDatabase &db);
    QString cancelSql(qint64 sessionId) const override;
    QString catalogSql() const override;
    SqlColumn catalogColumn(const QSqlQuery &row) const override;
    StoreError connectError(const QSqlError &error) const;
    QString hostPort() const;

};
