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
    Outcome<SqlCatalog> catalog(QSqlDatabase &db, const QStringList &tables) const final;

protected:
    ServerDialect(StoreUrl url, bool readOnly);

    /// Adds (not opens) a connection with this URL's parameters.
    virtual QSqlDatabase addConnection(const QString &connectionName) const = 0;
    /// The statement that cancels what the session `sessionId` runs (a number the server gave).
    virtual QString cancelSql(qint64 sessionId) const = 0;
    /// Tables whose columns catalogSql() lists: its placeholders, bound with the names asked
    /// for (empty names for the rest). catalog() asks for more tables in several round trips.
    static constexpr int catalogTables = 5;
    /// The one catalog query of catalog(): rows (0, table name) for every table of the
    /// connected database, then rows (1, table, column, …) for the columns of the tables bound,
    /// in declaration order within each table.
    virtual QString catalogSql() const = 0;
    /// A column row of catalogSql() as a SqlColumn (the type as lower-case text, as SqlLayout
    /// detects schemas by).
    virtual SqlColumn catalogColumn(const QSqlQuery &row) const = 0;
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
