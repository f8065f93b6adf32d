#pragma once

#include <QJsonObject>
#include <QString>
#include <QStringList>

/// One measured case, run in a child process (`stalk-bench --child --case NAME …`) so that
/// its peak RSS is its own. Main thread only; needs a QCoreApplication.
namespace Cases {

struct Config
{
    QString db;       ///< the cached database
    QString workDir;  ///< scratch space for purge copies
    qint64 rows = 0;
    int runs = 5;
    int purgeRuns = 3;
    // Server cases: db is the generated SQLite file the rows are loaded from.
    QString engine;     ///< "postgres" / "mariadb" (ServerDb::engine())
    QString serverUrl;  ///< the wrapper's URL (STALK_PG_URL / STALK_MYSQL_URL)
    int capSeconds = 120; ///< a case still running after this stops and says how far it got
    bool jumpIndexes = false; ///< --jump-indexes: the README's advised indexes added after each load
};

/// Every SQLite case, in report order.
QStringList sqliteCases();
/// Every PostgreSQL/MariaDB case, in report order.
QStringList serverCases();
/// Every CouchDB case, in report order.
QStringList couchCases();

/// Runs a case; the object holds stalk_ms/floor_ms arrays, their medians, extras, the
/// longest GUI-thread stall and the process's peak RSS. On failure: {"error": "..."}.
QJsonObject run(const QString &name, const Config &config);

/// Runs a server case on the database ServerDb::load() filled (config.engine, serverUrl).
QJsonObject runServer(const QString &name, const Config &config);

/// CouchDB cases: the server URL (http://user:pass@host:port), a database name to fill.
QJsonObject runCouch(const QString &name, const QString &serverUrl, const QString &database, qint64 docs, int runs);

/// Makes sure the CouchDB database holds `docs` generated Celery documents (created once
/// per server). Returns an empty string or what failed.
QString ensureCouchData(const QString &serverUrl, const QString &database, qint64 docs);
/// Writes Stalk's design document into the database unless it is there and up to date, and
/// waits while the server builds its views (*builtMs: how long that took). Error text or empty.
QString ensureCouchViews(const QString &serverUrl, const QString &database, double *builtMs);

/// Every Redis case, in report order.
QStringList redisCases();
/// Redis cases: a redis:// URL naming the database to fill.
QJsonObject runRedis(const QString &name, const QString &url, qint64 docs, int runs);
/// Makes sure the Redis database holds exactly `docs` generated Celery results, written as
/// Celery's RedisBackend writes them (SETEX celery-task-meta-<id> 86400 <meta JSON>).
QString ensureRedisData(const QString &url, qint64 docs);

} // namespace Cases
