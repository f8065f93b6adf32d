#pragma once

#include <memory>

#include <QJsonObject>
#include <QPalette>
#include <QProcessEnvironment>
#include <QSqlDatabase>
#include <QSqlQuery>
#include <QString>
#include <QtGlobal>
#include <QStringList>
#include <QVariantList>
#include <QVariantMap>

class QJsonValue;
class QProcess;
class QTemporaryDir;

/// Helpers the suites share: the fixture databases (STALK_FIXTURES), expectations.json, and a
/// separate SQLite connection to look at what a test left on disk. Test code only; any
/// thread that owns the objects it uses.
namespace TestSupport {

/// The folder the fixture databases were written to (STALK_FIXTURES), or empty.
QString fixturesDir();

/// True when fixturesDir() holds READY (written last), django.sqlite3 and expectations.json.
bool haveFixtures();

/// expectations.json (computed with the real Django admin/ORM), or an empty object.
QJsonObject expectations();

/// The strings of a JSON array, in their order.
QStringList stringList(const QJsonValue &value);

/// The strings of a JSON array, sorted.
QStringList sortedStringList(const QJsonValue &value);

/// A writable copy of fixture `name` (from fromDir, fixturesDir() when empty) at `target`,
/// replacing a file there; empty on failure. Tests never change the fixtures themselves.
QString copyFixture(const QString &name, const QString &target, const QString &fromDir = {});

/// A writable copy of fixture `name` in dir, under the same name; empty on failure.
QString copyFixture(const QTemporaryDir &dir, const QString &name);

/// tools/servers/live_writer.py (STALK_<ENGINE>_LIVE_WRITER) in a process of its own: a real
/// Celery worker writing results while a test purges. Its output lines: READY, OLD [ids],
/// WRITING, DONE [ids]. Killed when destroyed before it finished.
class LiveWriter final
{
public:
    LiveWriter();
    ~LiveWriter();
    Q_DISABLE_COPY_MOVE(LiveWriter)

    /// Starts /usr/bin/python3 writer with the arguments; false when it did not start.
    bool start(const QString &writer, const QStringList &arguments);
    /// Waits until its output holds marker (6 min at most); false when it ended first.
    bool waitFor(const QByteArray &marker);
    bool isRunning() const;
    /// Waits for its end: its exit code, -1 when it crashed or did not end within a minute.
    int finish();
    /// What it printed so far (for failure messages).
    const QByteArray &output() const { return m_out; }
    /// The task ids of its line "TAG [json list]" (TAG "DONE" or "OLD").
    QStringList ids(const QByteArray &tag) const;

private:
    std::unique_ptr<QProcess> m_process;
    QByteArray m_out;
};

/// A dark palette (Breeze Dark-like) for checking that widgets follow the palette.
QPalette darkPalette();

/// Writes results as a worker would, through Celery's own result backend code
/// (/usr/bin/python3, Celery's backend for backendUrl: redis://…/DB, cache+memcached://…/,
/// result_extended on). Each step is "started:TASK_ID" (Backend.mark_as_started) or
/// "done:TASK_ID" (Backend.mark_as_done, result 42) or "group:GROUP_ID:TASK_ID,TASK_ID…"
/// (GroupResult(GROUP_ID, [AsyncResult…]).save()). Empty on success, else what went wrong.
/// backendUrl "stalk_redis_tasks" writes through the fixture writer's app instead
/// (tools/fixtures/redis/stalk_redis_tasks.py, on PYTHONPATH in `environment`, configured by its
/// STALK_* variables there: e.g. django-celery-results' CacheBackend over a DatabaseCache).
QString writeThroughCelery(const QString &backendUrl, const QStringList &steps,
                           const QProcessEnvironment &environment = QProcessEnvironment::systemEnvironment());

/// A connection of its own to an SQLite file, as another process would have: to check what
/// is on disk or to write as an outside writer would. Values are always bound.
///
/// Owns its QSqlDatabase connection name (removed in the destructor); use on one thread.
class SqliteConnection final
{
    Q_DISABLE_COPY_MOVE(SqliteConnection)
public:
    enum class Mode { ReadWrite, ReadOnly };

    explicit SqliteConnection(const QString &path, Mode mode = Mode::ReadWrite);
    ~SqliteConnection();

    bool isOpen() const { return m_open; }
    /// The connection itself, for a QSqlQuery of the test's own.
    QSqlDatabase database() const;
    /// Why it did not open (empty when it did).
    QString openError() const { return m_openError; }

    /// Runs sql; the error text, empty when it worked.
    QString exec(const QString &sql, const QVariantList &values = {}) const;
    /// Runs sql and hands back the query positioned before its first row (a warning is
    /// printed when it fails).
    QSqlQuery query(const QString &sql, const QVariantList &values = {}) const;
    /// The first column of every row, sorted; {"SQL ERROR: …"} when the query fails.
    QStringList strings(const QString &sql, const QVariantList &values = {}) const;
    /// The first row as column name -> value; empty when there is none.
    QVariantMap firstRow(const QString &sql, const QVariantList &values = {}) const;

private:
    QString m_name;
    bool m_open = false;
    QString m_openError;
};

/// Adds two task names of 60 SUCCESS results each to the django-celery-results table `table`
/// of an open connection (SQLite, PostgreSQL or MariaDB), for the runtimes' trend: copies of
/// one stored SUCCESS result with new task ids and dates in March 2025, after every fixture's.
/// A hand-made shape, not Celery's: no fixture task has the 40 results a comparison of halves
/// needs. date_done steps by a second (four results of each task share the middle one: the
/// ids split them), date_created 0.5 s before date_started, and date_started (where the
/// table has it) the runtime before date_done:
///   - runtimeTrendGrown ("proj.tasks.slower"): the older 30 ran 1.00–1.29 s, the newer 30
///     4.00–4.29 s;
///   - runtimeTrendSteady ("proj.tasks.steady"): both halves ran 2.00–2.29 s, shuffled.
/// The error text, empty when it worked.
QString addRuntimeTrendTasks(const QSqlDatabase &db, const QString &table);
inline const char *const runtimeTrendGrown = "proj.tasks.slower";
inline const char *const runtimeTrendSteady = "proj.tasks.steady";

/// An unopened connection (QPSQL or QMYSQL) named `name` to `database` on the server of a
/// StoreUrl (a template, so that this library needs no backends), for a test's own SQL.
template<typename Url>
QSqlDatabase serverConnection(const Url &url, const QString &database, const QString &name)
{
    QSqlDatabase db = QSqlDatabase::addDatabase(
        url.scheme == Url::Scheme::PostgreSql ? QStringLiteral("QPSQL") : QStringLiteral("QMYSQL"), name);
    db.setHostName(url.host);
    db.setPort(url.port);
    db.setUserName(url.user);
    db.setPassword(url.password);
    db.setDatabaseName(database);
    return db;
}

/// The messages of one logging category (e.g. "stalk.sql", "stalk.couch") logged while it
/// lives, that category's debug output switched on; other messages go on as before.
class LogCapture final
{
public:
    explicit LogCapture(const char *category);
    ~LogCapture();
    Q_DISABLE_COPY_MOVE(LogCapture)

    /// The lines captured since the last take().
    static QStringList take();

private:
    QtMessageHandler m_previous = nullptr;
};

} // namespace TestSupport

/// QFAILs (never skips) the running test when the fixture databases are missing.
/// Declares `url` from the environment variable `variable` (a test server started by
/// `wrapper`). When it is unset the test fails under STALK_REQUIRE_SERVERS=1 (test.sh, CI)
/// and is skipped otherwise.
#define STALK_SERVER_URL(url, variable, wrapper)                                                    \
    const QString url = qEnvironmentVariable(variable);                                             \
    if (url.isEmpty()) {                                                                            \
        if (qEnvironmentVariableIntValue("STALK_REQUIRE_SERVERS") == 1)                             \
            QFAIL("STALK_REQUIRE_SERVERS=1 but " variable " is not set: run under " wrapper);       \
        QSKIP(variable " is not set: run under " wrapper);                                          \
    }

#define STALK_REQUIRE_FIXTURES()                                                                    \
    do {                                                                                            \
        if (!TestSupport::haveFixtures())                                                           \
            QFAIL("STALK_FIXTURES does not point at the fixture databases (tools/fixtures)");      \
    } while (false)
