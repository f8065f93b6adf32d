#pragma once

#include "sqldialect.h"
#include "storeurl.h"

#include <QMutex>

/// What the client/server dialects (PostgreSQL, MariaDB/MySQL) share: the URL with the
/// password to log in with (see StoreOptions::passwordFor()), dates exchanged as UTC text with
/// microseconds, and interrupt(), which cancels the running statement from a short-lived
/// second connection using the session id the subclass records at connect().
///
/// Used on the thread that called connect(); interrupt() is thread-safe.
class ServerDialect : public SqlDialect
{
public:
    void interrupt() final;
    void disconnect() final;
    QVariant dateValue(const QDateTime &utc, DateTextStyle style, int extraMicroseconds = 0) const final;
    QDateTime readDate(const QVariant &stored, QString *problem) const final;
    Outcome<QStringList> tableNames(QSqlDatabase &db) const final;
    Outcome<QVector<SqlColumn>> columns(QSqlDatabase &db, const QString &table) const final;
    Outcome<bool> hasIndexLedBy(QSqlDatabase &db, const QString &table, const QString &column) const final;

protected:
    ServerDialect(StoreUrl url, bool readOnly);

    /// Adds (not opens) a connection with this URL's parameters.
    virtual QSqlDatabase addConnection(const QString &connectionName) const = 0;
    /// The statement that cancels what the session `sessionId` runs (a number the server gave).
    virtual QString cancelSql(qint64 sessionId) const = 0;
    /// The catalog query listing the tables of the connected database, one name per row.
    virtual QString tableNamesSql() const = 0;
    /// The catalog query listing a table's columns (the table name bound), name first.
    virtual QString columnsSql() const = 0;
    /// The catalog query giving a row when an index of the table (bound first) has the column
    /// (bound second) as its first column.
    virtual QString indexLedBySql() const = 0;
    /// A row of columnsSql() as the lower-case type text SqlLayout detects schemas by.
    virtual QString columnType(const QSqlQuery &row) const = 0;
    /// Records the connected session's id (0: none) for interrupt().
    void setSessionId(qint64 id);
    /// The server's own words for an error, on one line.
    static QString errorDetail(const QSqlError &error);

    StoreUrl m_url;
    bool m_readOnly = false;

private:
    mutable QMutex m_sessionMutex;
    qint64 m_sessionId = 0; ///< guarded by m_sessionMutex; 0 when not connected
};
