#pragma once

#include <QSqlDatabase>
#include <QString>
#include <QStringList>
#include <QVariantList>

/// The benchmark's PostgreSQL and MariaDB side: a database of its own on the server the
/// wrappers started (tools/servers/with_*.sh), with the django-celery-results 2.4 schema of
/// bench/schema/*.sql, filled with the generator's rows through the engine's bulk path. Any
/// thread; synchronous.
namespace ServerDb {

/// One server engine: its name on the command line, the wrapper's variable, Qt's driver.
struct Engine
{
    QString name;    ///< "postgres" or "mariadb"
    QString envVar;  ///< STALK_PG_URL / STALK_MYSQL_URL
    QString driver;  ///< QPSQL / QMYSQL
    bool isPostgres() const { return name == QLatin1String("postgres"); }
};

/// "postgres" / "mariadb" (also "pg", "mysql"); an empty name for anything else.
Engine engine(const QString &name);

/// The URL of the benchmark's own database (stalk_bench) on the server of `serverUrl`.
QString benchUrl(const QString &serverUrl);

/// What a load took.
struct Load
{
    QString error;
    double copyMs = -1;  ///< the rows through COPY / LOAD DATA
    double indexMs = -1; ///< keys and indexes built after the COPY (PostgreSQL), ANALYZE
};

/// The generator's rows of `sqlitePath` as one tab-separated file per table (PostgreSQL's
/// COPY text format, which is also LOAD DATA's default), written once next to it and reused.
/// Returns an empty string or what failed.
QString exportRows(const QString &sqlitePath);

/// (Re)creates the database stalk_bench on the server of `serverUrl` and loads the exported
/// rows of `sqlitePath` into it: psql's \copy (COPY FROM STDIN) on PostgreSQL, the mariadb
/// client's LOAD DATA LOCAL INFILE on MariaDB.
/// With jumpIndexes, the indexes resources/sql/<engine>-jump-indexes.sql advises are added
/// after the load (their build time is in indexMs).
Load load(const Engine &engine, const QString &serverUrl, const QString &sqlitePath, bool jumpIndexes = false);

/// The floor on a server: statements through Qt's driver for the engine on a connection of
/// its own, forward-only, every column of every row read as text; nothing of Stalk's.
/// One thread. Owns its connection.
class Floor final
{
public:
    Floor() = default;
    ~Floor();
    Floor(const Floor &) = delete;
    Floor &operator=(const Floor &) = delete;

    bool open(const Engine &engine, const QString &url, QString *error);
    void close();
    /// Elapsed ms, or -1 on error (lastError()). rowsOut gets the row count.
    double time(const QString &sql, const QVariantList &values = {}, qint64 *rowsOut = nullptr);
    /// The first column of the first row as a number, -1 on error.
    qint64 scalar(const QString &sql, const QVariantList &values = {});
    /// Runs a statement whose rows are not wanted; false on error.
    bool exec(const QString &sql);
    QString lastError() const { return m_error; }
    /// The engine's EXPLAIN of a statement, its lines joined with " | ".
    QString plan(const QString &sql, const QVariantList &values = {});

private:
    QString m_name;
    QString m_error;
};

} // namespace ServerDb
