#include "serverdb.h"

#include <cstdio>

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QProcess>
#include <QProcessEnvironment>
#include <QSqlError>
#include <QSqlQuery>
#include <QSqlRecord>
#include <QUuid>

#include <sqlite3.h>

#include "benchutil.h"
#include "storeurl.h"

namespace {

/// The tables loaded and their columns, in the order of the exported files.
struct Table
{
    const char *name;
    const char *columns;
};
const Table kTables[] = {
    {"django_celery_results_taskresult",
     "id, task_id, status, content_type, content_encoding, result, date_done, traceback, meta, task_args, "
     "task_kwargs, task_name, worker, date_created, periodic_task_name"},
    {"django_celery_results_groupresult", "id, group_id, date_created, date_done, content_type, content_encoding, result"},
    {"django_migrations", "id, app, name, applied"},
};

QString tsvPath(const QString &sqlitePath, const Table &table)
{
    return sqlitePath + QStringLiteral(".%1.tsv").arg(QLatin1String(table.name));
}

QString schemaPath(const ServerDb::Engine &engine)
{
    return QStringLiteral(STALK_BENCH_SCHEMA_DIR "/%1.sql").arg(engine.name);
}

/// COPY's text format (and LOAD DATA's default): \N for NULL; backslash, tab, newline and
/// carriage return escaped with a backslash.
void appendField(QByteArray &line, const unsigned char *v, int n)
{
    if (!v) {
        line += "\\N";
        return;
    }
    for (int i = 0; i < n; ++i) {
        switch (v[i]) {
        case '\\': line += "\\\\"; break;
        case '\t': line += "\\t"; break;
        case '\n': line += "\\n"; break;
        case '\r': line += "\\r"; break;
        default: line += char(v[i]);
        }
    }
}

QString exportTable(sqlite3 *db, const Table &table, const QString &to)
{
    QFile out(to);
    if (!out.open(QIODevice::WriteOnly | QIODevice::Truncate))
        return QStringLiteral("cannot write %1").arg(to);
    sqlite3_stmt *stmt = nullptr;
    const QByteArray sql = QStringLiteral("SELECT %1 FROM %2 ORDER BY id")
                               .arg(QLatin1String(table.columns), QLatin1String(table.name))
                               .toUtf8();
    if (sqlite3_prepare_v2(db, sql.constData(), -1, &stmt, nullptr) != SQLITE_OK)
        return QString::fromUtf8(sqlite3_errmsg(db));
    QByteArray line;
    int rc;
    while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
        line.clear();
        for (int c = 0; c < sqlite3_column_count(stmt); ++c) {
            if (c)
                line += '\t';
            appendField(line, sqlite3_column_text(stmt, c), sqlite3_column_bytes(stmt, c));
        }
        line += '\n';
        out.write(line);
    }
    sqlite3_finalize(stmt);
    if (rc != SQLITE_DONE)
        return QString::fromUtf8(sqlite3_errmsg(db));
    return out.flush() ? QString() : QStringLiteral("cannot write %1").arg(to);
}

/// Runs the engine's own client with `script` on its standard input; elapsed ms, or -1 with
/// *error set to what it printed.
double runClient(const ServerDb::Engine &engine, const StoreUrl &url, const QString &database, const QByteArray &script,
                 QString *error)
{
    QProcess client;
    QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    QStringList args;
    QString program;
    if (engine.isPostgres()) {
        program = QStringLiteral("psql");
        env.insert(QStringLiteral("PGPASSWORD"), url.password);
        env.insert(QStringLiteral("PGTZ"), QStringLiteral("UTC")); // the generator's dates are UTC
        args << QStringLiteral("-X") << QStringLiteral("-q") << QStringLiteral("-v") << QStringLiteral("ON_ERROR_STOP=1")
             << QStringLiteral("-h") << url.host << QStringLiteral("-p") << QString::number(url.port)
             << QStringLiteral("-U") << url.user << QStringLiteral("-d") << database;
    } else {
        program = QStringLiteral("mariadb");
        env.insert(QStringLiteral("MYSQL_PWD"), url.password);
        args << QStringLiteral("--no-defaults") << QStringLiteral("--local-infile=1") << QStringLiteral("--batch")
             << QStringLiteral("-h") << url.host << QStringLiteral("-P") << QString::number(url.port)
             << QStringLiteral("-u") << url.user << database;
    }
    client.setProcessEnvironment(env);
    const double t0 = Bench::nowMs();
    client.start(program, args);
    if (!client.waitForStarted(30000)) {
        *error = QStringLiteral("cannot start %1: %2").arg(program, client.errorString());
        return -1;
    }
    client.write(script);
    client.closeWriteChannel();
    client.waitForFinished(-1);
    const double ms = Bench::nowMs() - t0;
    if (client.exitStatus() != QProcess::NormalExit || client.exitCode() != 0) {
        *error = QStringLiteral("%1 failed: %2").arg(program, QString::fromLocal8Bit(client.readAllStandardError()).trimmed());
        return -1;
    }
    return ms;
}

QByteArray quoted(const QString &path)
{
    return '\'' + QFile::encodeName(path).replace('\'', "''") + '\'';
}

} // namespace

ServerDb::Engine ServerDb::engine(const QString &name)
{
    if (name == QLatin1String("postgres") || name == QLatin1String("pg"))
        return {QStringLiteral("postgres"), QStringLiteral("STALK_PG_URL"), QStringLiteral("QPSQL")};
    if (name == QLatin1String("mariadb") || name == QLatin1String("mysql"))
        return {QStringLiteral("mariadb"), QStringLiteral("STALK_MYSQL_URL"), QStringLiteral("QMYSQL")};
    return {};
}

QString ServerDb::benchUrl(const QString &serverUrl)
{
    const int slash = serverUrl.lastIndexOf(QLatin1Char('/'));
    return serverUrl.left(slash + 1) + QStringLiteral("stalk_bench");
}

QString ServerDb::exportRows(const QString &sqlitePath)
{
    const QString marker = sqlitePath + QStringLiteral(".tsv.complete");
    if (QFileInfo::exists(marker) && QFileInfo(marker).lastModified() >= QFileInfo(sqlitePath).lastModified())
        return {};
    sqlite3 *db = nullptr;
    if (sqlite3_open_v2(QFile::encodeName(sqlitePath).constData(), &db, SQLITE_OPEN_READONLY, nullptr) != SQLITE_OK) {
        sqlite3_close(db);
        return QStringLiteral("cannot open %1").arg(sqlitePath);
    }
    std::fprintf(stderr, "exporting %s for the servers' bulk load (once; cached)\n", qPrintable(sqlitePath));
    QString error;
    for (const Table &table : kTables) {
        error = exportTable(db, table, tsvPath(sqlitePath, table));
        if (!error.isEmpty())
            break;
    }
    sqlite3_close(db);
    if (!error.isEmpty())
        return error;
    QFile f(marker);
    return f.open(QIODevice::WriteOnly) ? QString() : QStringLiteral("cannot write %1").arg(marker);
}

ServerDb::Load ServerDb::load(const Engine &engine, const QString &serverUrl, const QString &sqlitePath, bool jumpIndexes)
{
    Load result;
    const Outcome<StoreUrl> url = StoreUrl::parse(serverUrl);
    if (!url) {
        result.error = url.error().message;
        return result;
    }
    QFile schemaFile(schemaPath(engine));
    if (!schemaFile.open(QIODevice::ReadOnly)) {
        result.error = QStringLiteral("cannot read %1").arg(schemaFile.fileName());
        return result;
    }
    const QByteArray schema = schemaFile.readAll();
    const QByteArray marker = "-- stalk-bench: rows are loaded here";
    const qsizetype split = schema.indexOf(marker);
    const QByteArray tables = split < 0 ? schema : schema.left(split);
    const QByteArray keys = split < 0 ? QByteArray() : schema.mid(split);

    // A fresh database each time (the purge cases reload it).
    QByteArray create;
    if (engine.isPostgres())
        create = "DROP DATABASE IF EXISTS stalk_bench;\nCREATE DATABASE stalk_bench;\n";
    else
        create = "DROP DATABASE IF EXISTS stalk_bench;\nCREATE DATABASE stalk_bench CHARACTER SET utf8mb4;\n";
    if (runClient(engine, *url, url->database, create, &result.error) < 0
        || runClient(engine, *url, QStringLiteral("stalk_bench"), tables, &result.error) < 0)
        return result;

    QByteArray copy;
    for (const Table &table : kTables) {
        const QString file = tsvPath(sqlitePath, table);
        if (engine.isPostgres()) {
            copy += QByteArray("\\copy ") + table.name + " (" + table.columns + ") FROM " + quoted(file) + "\n";
        } else {
            // Keys are checked as rows arrive (unique_checks stays on: the set is the real one).
            copy += QByteArray("LOAD DATA LOCAL INFILE ") + quoted(file) + " INTO TABLE " + table.name
                + " CHARACTER SET utf8mb4 (" + table.columns + ");\n";
        }
    }
    result.copyMs = runClient(engine, *url, QStringLiteral("stalk_bench"), copy, &result.error);
    if (result.copyMs < 0)
        return result;

    // Keys and indexes (PostgreSQL), sequences past the loaded ids, and the statistics
    // autovacuum / InnoDB would gather soon after such a load anyway.
    QByteArray after = keys;
    if (jumpIndexes) {
        QFile advised(QStringLiteral(STALK_BENCH_JUMP_INDEXES_DIR "/%1-jump-indexes.sql")
                          .arg(engine.isPostgres() ? QStringLiteral("postgresql") : QStringLiteral("mariadb")));
        if (!advised.open(QIODevice::ReadOnly)) {
            result.error = QStringLiteral("cannot read %1").arg(advised.fileName());
            return result;
        }
        after += advised.readAll();
    }
    if (engine.isPostgres()) {
        for (const Table &table : kTables) {
            after += QByteArray("SELECT setval('") + table.name + "_id_seq', (SELECT COALESCE(MAX(id), 1) FROM "
                + table.name + "));\n";
        }
        after += "VACUUM ANALYZE;\n";
    } else {
        for (const Table &table : kTables)
            after += QByteArray("ANALYZE TABLE ") + table.name + ";\n";
    }
    result.indexMs = runClient(engine, *url, QStringLiteral("stalk_bench"), after, &result.error);
    return result;
}

// --- Floor -----------------------------------------------------------------------------------

ServerDb::Floor::~Floor()
{
    close();
}

bool ServerDb::Floor::open(const Engine &engine, const QString &urlText, QString *error)
{
    close();
    const Outcome<StoreUrl> url = StoreUrl::parse(urlText);
    if (!url) {
        *error = url.error().message;
        return false;
    }
    m_name = QStringLiteral("bench-floor-") + QUuid::createUuid().toString(QUuid::WithoutBraces);
    QSqlDatabase db = QSqlDatabase::addDatabase(engine.driver, m_name);
    db.setHostName(url->host);
    db.setPort(url->port);
    db.setUserName(url->user);
    db.setPassword(url->password);
    db.setDatabaseName(url->database);
    if (!db.open()) {
        *error = db.lastError().text();
        return false;
    }
    if (engine.isPostgres())
        exec(QStringLiteral("SET TIME ZONE 'UTC'"));
    return true;
}

void ServerDb::Floor::close()
{
    if (m_name.isEmpty())
        return;
    {
        QSqlDatabase db = QSqlDatabase::database(m_name, false);
        db.close();
    }
    QSqlDatabase::removeDatabase(m_name);
    m_name.clear();
}

double ServerDb::Floor::time(const QString &sql, const QVariantList &values, qint64 *rowsOut)
{
    const double t0 = Bench::nowMs();
    QSqlQuery q(QSqlDatabase::database(m_name, false));
    q.setForwardOnly(true);
    bool ok = q.prepare(sql);
    for (const QVariant &v : values)
        q.addBindValue(v);
    ok = ok && q.exec();
    qint64 rows = 0;
    volatile qsizetype sink = 0;
    while (ok && q.next()) {
        const int n = q.record().count();
        for (int c = 0; c < n; ++c)
            sink += q.value(c).toString().size();
        ++rows;
    }
    if (!ok) {
        m_error = q.lastError().text();
        return -1;
    }
    if (rowsOut)
        *rowsOut = rows;
    return Bench::nowMs() - t0;
}

qint64 ServerDb::Floor::scalar(const QString &sql, const QVariantList &values)
{
    QSqlQuery q(QSqlDatabase::database(m_name, false));
    q.setForwardOnly(true);
    bool ok = q.prepare(sql);
    for (const QVariant &v : values)
        q.addBindValue(v);
    if (!ok || !q.exec() || !q.next()) {
        m_error = q.lastError().text();
        return -1;
    }
    return q.value(0).toLongLong();
}

bool ServerDb::Floor::exec(const QString &sql)
{
    QSqlQuery q(QSqlDatabase::database(m_name, false));
    if (!q.exec(sql)) {
        m_error = q.lastError().text();
        return false;
    }
    return true;
}

QString ServerDb::Floor::plan(const QString &sql, const QVariantList &values)
{
    QSqlQuery q(QSqlDatabase::database(m_name, false));
    q.setForwardOnly(true);
    bool ok = q.prepare(QStringLiteral("EXPLAIN ") + sql);
    for (const QVariant &v : values)
        q.addBindValue(v);
    if (!ok || !q.exec())
        return q.lastError().text();
    QStringList lines;
    while (q.next()) {
        QStringList cells;
        for (int c = 0; c < q.record().count(); ++c)
            cells << q.value(c).toString();
        lines << cells.join(QLatin1Char(' '));
    }
    return lines.join(QStringLiteral(" | "));
}
