// stalk-bench: Stalk's performance benchmark (issue 6). Generates cached django-celery-results
// SQLite databases and measures every case through Stalk's own code path and, in the same
// run, the engine floor. Each case runs in a child process, so its peak RSS is its own.

#include <algorithm>
#include <cstdio>

#include <QCommandLineParser>
#include <QCoreApplication>
#include <QDir>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QStandardPaths>
#include <QThread>
#include <QUrl>

#include "benchutil.h"
#include "cases.h"
#include "generator.h"
#include "serverdb.h"

namespace {

/// The CouchDB sizes: one database each (stalk_bench for 100k, as before sizes; stalk_bench_1m …),
/// written once per server; PouchDB takes hours to build the views of 1M documents.
constexpr qint64 maxCouchDocs = 1000000;
QString couchBenchDatabase(qint64 docs)
{
    return docs == 100000 ? QStringLiteral("stalk_bench") : QStringLiteral("stalk_bench_") + Bench::rowsLabel(docs).toLower();
}

/// The Redis sizes: 10M values would need a 15 GB server.
constexpr qint64 maxRedisKeys = 1000000;

/// The database of the server with_redis.sh starts (STALK_REDIS_URL) that holds the data set
/// of this many keys, or empty: 9 for 100k, 10 for 1M, 11 for any other, so the two usual
/// data sets are written once each.
QString redisBenchUrl(qint64 keys)
{
    const QString base = qEnvironmentVariable("STALK_REDIS_URL");
    const int db = keys == 100000 ? 9 : (keys == 1000000 ? 10 : 11);
    return base.isEmpty() ? QString() : base + QLatin1Char('/') + QString::number(db);
}

struct Target
{
    QString text; ///< what the issue asks for this case at this size ("" = no target)
    bool met = true;
};

double num(const QJsonObject &o, const char *key)
{
    return o.value(QLatin1String(key)).toDouble(-1);
}
double extra(const QJsonObject &o, const char *key)
{
    const QJsonValue v = o.value(QStringLiteral("extra")).toObject().value(QLatin1String(key));
    return v.isBool() ? double(v.toBool()) : v.toDouble(-1);
}

/// A PostgreSQL or MariaDB record (its store is the engine's name): issue 17's targets apply;
/// CouchDB and Redis have targets of their own.
bool isServer(const QString &store)
{
    return store != QLatin1String("sqlite") && store != QLatin1String("couchdb") && store != QLatin1String("redis");
}

/// Issue 17's targets on PostgreSQL and MariaDB, from 1M rows up.
Target serverTargetFor(const QString &name, qint64 rows, const QJsonObject &r)
{
    Target t;
    QStringList parts;
    auto need = [&](const QString &text, bool ok) {
        parts << text;
        t.met = t.met && ok;
    };
    const double stalk = num(r, "stalk"), ratio = num(r, "ratio");
    if (rows >= 1000000) {
        if (name == QLatin1String("first_page") || name.startsWith(QLatin1String("jump_")))
            need(QStringLiteral("<100 ms"), stalk >= 0 && stalk < 100);
        else if (name == QLatin1String("search_page"))
            need(QStringLiteral("≤1.5× floor"), ratio >= 0 && ratio <= 1.5);
        else if (name == QLatin1String("count_search") || name == QLatin1String("facets"))
            need(QStringLiteral("≤1.2× floor"), ratio >= 0 && ratio <= 1.2);
        else if (name == QLatin1String("stats_by_hour") || name == QLatin1String("runtimes")
                 || name == QLatin1String("failures"))
            need(QStringLiteral("≤1.5× bare SQL"), ratio >= 0 && ratio <= 1.5); // issue 14, as on SQLite
    }
    if (name == QLatin1String("purge")) {
        if (rows >= 1000000)
            need(QStringLiteral("≤1.3× bare DELETE"), ratio >= 0 && ratio <= 1.3 && !extra(r, "stopped"));
        const double wait = extra(r, "writer_longest_wait_ms");
        need(QStringLiteral("writer waits ≤100 ms"), wait >= 0 && wait <= 100 && extra(r, "writer_failed") == 0);
    }
    if (r.contains(QLatin1String("error")))
        t.met = false;
    t.text = parts.join(QStringLiteral(", "));
    return t;
}

/// The targets (median of the runs). Size-specific targets apply from 1M rows up;
/// the GUI-thread stall and RSS targets apply everywhere.
Target targetFor(const QString &name, qint64 rows, const QJsonObject &r, const QJsonObject &firstPage100k)
{
    Target t;
    QStringList parts;
    auto need = [&](const QString &text, bool ok) {
        parts << text;
        t.met = t.met && ok;
    };
    const double stalk = num(r, "stalk"), ratio = num(r, "ratio"), stall = num(r, "stall_ms");
    const bool big = rows >= 1000000;
    if (name == QLatin1String("first_page") && big) {
        need(QStringLiteral("<100 ms"), stalk >= 0 && stalk < 100);
        if (rows >= 10000000 && !firstPage100k.isEmpty())
            need(QStringLiteral("≤1.5× 100k"), stalk <= 1.5 * num(firstPage100k, "stalk"));
    } else if (name == QLatin1String("count") && big) {
        need(QStringLiteral("figure <50 ms"), stalk >= 0 && stalk < 50);
    } else if ((name == QLatin1String("filter_task") || name == QLatin1String("filter_status")) && big) {
        need(QStringLiteral("<50 ms"), stalk >= 0 && stalk < 50);
    } else if ((name == QLatin1String("stats_by_hour") || name == QLatin1String("runtimes")
                || name == QLatin1String("failures"))
               && big) {
        need(QStringLiteral("≤1.5× bare SQL"), ratio >= 0 && ratio <= 1.5); // issue 14
    } else if (name == QLatin1String("search_rare_settled")) {
        // Issue 13 item 3: rows, exact count and facets on screen within 1.5× one bare scan.
        if (big)
            need(QStringLiteral("≤1.5× bare scan"), ratio >= 0 && ratio <= 1.5);
    } else if (name.startsWith(QLatin1String("search_")) && big) {
        need(QStringLiteral("≤1.2× floor"), ratio >= 0 && ratio <= 1.2);
        if (name == QLatin1String("search_id_prefix")) {
            // The first rows on screen (the task ids starting with the term, by index).
            const double first = extra(r, "first_rows_ms");
            need(QStringLiteral("first rows <20 ms"), first >= 0 && first < 20);
        }
    } else if (name.startsWith(QLatin1String("jump_")) && big) {
        // jump_while_busy: the same target, asked right after the first rows appear.
        need(QStringLiteral("<100 ms"), stalk >= 0 && stalk < 100);
    } else if (name == QLatin1String("purge") && big) {
        need(QStringLiteral("≤2× floor"), ratio >= 0 && ratio <= 2.0);
        need(QStringLiteral("txn ≤100 ms"), extra(r, "longest_txn_ms") >= 0 && extra(r, "longest_txn_ms") <= 100);
    } else if (name.startsWith(QLatin1String("purge_writer"))) {
        // Issue 11: a worker with Django's 5 s timeout never fails and waits at most ~1 s.
        need(QStringLiteral("writer never fails"), extra(r, "writer_failed_total") == 0);
        const double wait = extra(r, "writer_longest_wait_max_ms");
        need(QStringLiteral("writer waits ≤1 s"), wait >= 0 && wait <= 1000);
    } else if (name == QLatin1String("browse_rss")) {
        need(QStringLiteral("RSS <200 MB"), num(r, "rss_peak_kb") >= 0 && num(r, "rss_peak_kb") < 200 * 1024);
    } else if (name == QLatin1String("couch_index")) {
        need(QStringLiteral("≤1.3× HTTP"), ratio >= 0 && ratio <= 1.3);
        need(QStringLiteral("RSS <300 MB"), num(r, "rss_peak_kb") >= 0 && num(r, "rss_peak_kb") < 300 * 1024);
    } else if (name == QLatin1String("couch_views_first_rows")) {
        need(QStringLiteral("<1 s"), stalk >= 0 && stalk < 1000);
    } else if (name.startsWith(QLatin1String("couch_views_"))) {
        need(QStringLiteral("≤1.5× floor"), ratio >= 0 && ratio <= 1.5);
    } else if (name.startsWith(QLatin1String("couch_search")) || name.startsWith(QLatin1String("couch_filter"))
               || name.startsWith(QLatin1String("redis_search")) || name.startsWith(QLatin1String("redis_filter"))) {
        need(QStringLiteral("<50 ms"), stalk >= 0 && stalk < 50);
    } else if (name == QLatin1String("redis_index")) {
        need(QStringLiteral("≤1.3× SCAN+MGET"), ratio >= 0 && ratio <= 1.3);
        need(QStringLiteral("RSS <300 MB"), num(r, "rss_peak_kb") >= 0 && num(r, "rss_peak_kb") < 300 * 1024);
    } else if (name == QLatin1String("redis_first_rows")) {
        need(QStringLiteral("<200 ms"), stalk >= 0 && stalk < 200);
    }
    if ((name.startsWith(QLatin1String("couch_")) && name != QLatin1String("couch_index"))
        || (name.startsWith(QLatin1String("redis_")) && name != QLatin1String("redis_index"))) {
        // Peak RSS of one open (later runs in the same process re-open the store).
        const double first = extra(r, "rss_peak_first_run_kb");
        const double rss = first >= 0 ? first : num(r, "rss_peak_kb");
        need(QStringLiteral("RSS <300 MB"), rss >= 0 && rss < 300 * 1024);
    }
    if (stall >= 0)
        need(QStringLiteral("stall ≤30 ms"), stall <= 30);
    if (r.contains(QLatin1String("error")))
        t.met = false;
    t.text = parts.join(QStringLiteral(", "));
    return t;
}

QString fmt(double v, int decimals = 1)
{
    return v < 0 ? QStringLiteral("-") : QString::number(v, 'f', decimals);
}

/// Runs one case in a child process and returns its JSON (or {"error": …}).
QJsonObject runChild(const QStringList &args)
{
    QProcess child;
    child.setProcessChannelMode(QProcess::ForwardedErrorChannel);
    child.start(QCoreApplication::applicationFilePath(), args);
    if (!child.waitForFinished(-1) || child.exitStatus() != QProcess::NormalExit || child.exitCode() != 0) {
        return {{QStringLiteral("error"), QStringLiteral("child failed (exit %1): %2")
                                              .arg(child.exitCode())
                                              .arg(QString::fromLocal8Bit(child.readAllStandardOutput().right(300)))}};
    }
    const QList<QByteArray> lines = child.readAllStandardOutput().trimmed().split('\n');
    const QJsonDocument doc = QJsonDocument::fromJson(lines.isEmpty() ? QByteArray() : lines.last());
    if (!doc.isObject())
        return {{QStringLiteral("error"), QStringLiteral("child printed no JSON")}};
    return doc.object();
}

void printTable(const QJsonArray &results)
{
    const QString header = QStringLiteral("%1 %2 %3 %4 %5 %6 %7  %8 %9")
                               .arg(QStringLiteral("rows"), -5)
                               .arg(QStringLiteral("case"), -22)
                               .arg(QStringLiteral("stalk ms"), 10)
                               .arg(QStringLiteral("floor ms"), 10)
                               .arg(QStringLiteral("ratio"), 7)
                               .arg(QStringLiteral("stall ms"), 9)
                               .arg(QStringLiteral("RSS MB"), 7)
                               .arg(QStringLiteral("met?"), -5)
                               .arg(QStringLiteral("target"));
    std::printf("%s\n%s\n", qPrintable(header), qPrintable(QString(header.size() + 10, QLatin1Char('-'))));
    for (const QJsonValue &v : results) {
        const QJsonObject r = v.toObject();
        const QString met = r.value(QStringLiteral("target")).toString().isEmpty()
            ? QStringLiteral("-")
            : (r.value(QStringLiteral("met")).toBool() ? QStringLiteral("yes") : QStringLiteral("NO"));
        const QString store = r.value(QStringLiteral("store")).toString();
        const bool server = isServer(store);
        const QString label = (server ? store + QLatin1Char(' ') : QString()) + r.value(QStringLiteral("case")).toString();
        std::printf("%s\n", qPrintable(QStringLiteral("%1 %2 %3 %4 %5 %6 %7  %8 %9")
                                           .arg(r.value(QStringLiteral("size")).toString(), -5)
                                           .arg(label, -22)
                                           .arg(fmt(num(r, "stalk")), 10)
                                           .arg(fmt(num(r, "floor")), 10)
                                           .arg(fmt(num(r, "ratio"), 2), 7)
                                           .arg(fmt(num(r, "stall_ms")), 9)
                                           .arg(fmt(num(r, "rss_peak_kb") / 1024.0, 0), 7)
                                           .arg(met, -5)
                                           .arg(r.value(QStringLiteral("target")).toString())));
        if (r.contains(QLatin1String("error")))
            std::printf("      error: %s\n", qPrintable(r.value(QStringLiteral("error")).toString()));
        // A server case's own lines (load, purge with the writer, the whole command line).
        const QString note = r.value(QStringLiteral("extra")).toObject().value(QStringLiteral("note")).toString();
        for (const QString &line : note.split(QLatin1Char('\n'), Qt::SkipEmptyParts))
            std::printf("      %s\n", qPrintable(line));
        const double firstRows = extra(r, "first_rows_ms");
        if (firstRows >= 0 && extra(r, "quick_rows") > 0) {
            std::printf("      first rows on screen: %s ms (%s task ids starting with the term, by index; the page above "
                        "then inserts the other matches around them)\n",
                        qPrintable(fmt(firstRows)), qPrintable(fmt(extra(r, "quick_rows"), 0)));
        }
        const double indexHeap = extra(r, "index_heap_bytes_per_row");
        if (indexHeap > 0) {
            std::printf("      the open store keeps %s bytes per result on the heap (%s bytes of RSS)\n",
                        qPrintable(fmt(indexHeap, 0)), qPrintable(fmt(extra(r, "index_rss_bytes_per_row"), 0)));
        }
        const double indexCpu = extra(r, "index_cpu_ms");
        if (indexCpu > 0) {
            const int cores = std::max(1, QThread::idealThreadCount());
            std::printf("      building the index took %s ms of CPU over all threads: at least %s ms on these %d cores "
                        "(%s× floor)\n",
                        qPrintable(fmt(indexCpu)), qPrintable(fmt(indexCpu / cores)), cores,
                        qPrintable(num(r, "floor") > 0 ? fmt(indexCpu / cores / num(r, "floor"), 2) : QStringLiteral("-")));
        }
        const double bulkOnly = extra(r, "floor_without_view_update_ms");
        if (bulkOnly > 0) {
            std::printf("      %s results deleted; the bare deletion before the views take it in: %s ms (Stalk %s× it)\n",
                        qPrintable(QString::number(qint64(extra(r, "deleted")))), qPrintable(fmt(bulkOnly)),
                        qPrintable(fmt(num(r, "stalk") / bulkOnly, 2)));
        }
        const double storePage = extra(r, "store_page_ms");
        if (storePage > 0 && num(r, "floor") > 0 && storePage < num(r, "stalk")) {
            std::printf("      the store's own page: %s ms (%s× floor); the rest is the model's per-page hand-over "
                        "(previews, worker thread → GUI thread)\n",
                        qPrintable(fmt(storePage)), qPrintable(fmt(storePage / num(r, "floor"), 2)));
        }
        if (!server && r.value(QStringLiteral("case")).toString().startsWith(QLatin1String("purge_writer"))) {
            std::printf("      %s journal, `stalk purge` (stalk ms) with a writer (Python sqlite3, 5 s timeout, a result "
                        "every 50 ms): longest wait %s ms (worst run %s ms), %s failed writes, %s results stored; the "
                        "same purge alone (floor ms): %s ms\n",
                        qPrintable(r.value(QStringLiteral("extra")).toObject().value(QStringLiteral("journal_mode")).toString()),
                        qPrintable(fmt(extra(r, "writer_longest_wait_ms"))),
                        qPrintable(fmt(extra(r, "writer_longest_wait_max_ms"))),
                        qPrintable(fmt(extra(r, "writer_failed_total"), 0)), qPrintable(fmt(extra(r, "writer_written"), 0)),
                        qPrintable(fmt(num(r, "floor"))));
        }
        const double batched = extra(r, "floor_batched_ms");
        if (batched > 0) {
            // One DELETE holds the write lock for its whole run; the batched floor is what
            // transactions of Stalk's size cost in bare SQL on this engine and disk.
            std::printf("      batched floor (bare SQL, %s rows per transaction): %s ms, longest transaction %s ms; "
                        "Stalk = %s× it\n",
                        qPrintable(fmt(extra(r, "rows_per_batch"), 0)), qPrintable(fmt(batched)),
                        qPrintable(fmt(extra(r, "floor_batched_longest_txn_ms"))),
                        qPrintable(fmt(num(r, "stalk") / batched, 2)));
        }
    }
}

qint64 parseRows(const QString &text)
{
    QString t = text.trimmed().toLower();
    qint64 factor = 1;
    if (t.endsWith(QLatin1Char('k'))) {
        factor = 1000;
        t.chop(1);
    } else if (t.endsWith(QLatin1Char('m'))) {
        factor = 1000000;
        t.chop(1);
    }
    bool ok = false;
    const qint64 n = t.toLongLong(&ok);
    return ok && n > 0 ? n * factor : -1;
}

} // namespace

int main(int argc, char **argv)
{
    QCoreApplication app(argc, argv);
    QCoreApplication::setApplicationName(QStringLiteral("stalk-bench"));

    QCommandLineParser parser;
    parser.setApplicationDescription(QStringLiteral(
        "Stalk's benchmark: generates django-celery-results SQLite databases (100k and 1M rows; 10M "
        "with --huge), measures each case through Stalk's backends and TaskResultModel and, in the same "
        "run, the engine floor (bare SQL through the SQLite C API), and prints a table (or JSON). "
        "With STALK_COUCH_URL set, also measures the CouchDB store with 100k documents."));
    parser.addHelpOption();
    const QString defaultDir = QDir::home().filePath(QStringLiteral(".cache/stalk-bench"));
    QCommandLineOption dataDir(QStringLiteral("data-dir"), QStringLiteral("Where generated databases are cached (default %1).").arg(defaultDir),
                               QStringLiteral("dir"), defaultDir);
    QCommandLineOption sizes(QStringLiteral("sizes"), QStringLiteral("Comma-separated row counts (default 100k,1M)."),
                             QStringLiteral("list"), QStringLiteral("100k,1M"));
    QCommandLineOption huge(QStringLiteral("huge"), QStringLiteral("Also 10M rows (~19 GB; ~4 min to generate)."));
    QCommandLineOption runs(QStringLiteral("runs"), QStringLiteral("Runs per case; the median is reported (default 5)."),
                            QStringLiteral("n"), QStringLiteral("5"));
    QCommandLineOption purgeRuns(QStringLiteral("purge-runs"), QStringLiteral("Runs of the purge case (each copies the database twice; default 3)."),
                                 QStringLiteral("n"), QStringLiteral("3"));
    QCommandLineOption only(QStringLiteral("cases"),
                            QStringLiteral("Comma-separated case names (default: all): %1; CouchDB: %2, or 'couch' for all of them; Redis: %3, or 'redis'.")
                                .arg(Cases::sqliteCases().join(QLatin1Char(',')), Cases::couchCases().join(QLatin1Char(',')),
                                     Cases::redisCases().join(QLatin1Char(','))),
                            QStringLiteral("list"));
    QCommandLineOption json(QStringLiteral("json"), QStringLiteral("Write every figure as JSON to this file ('-' = stdout, instead of the table)."),
                            QStringLiteral("file"));
    QCommandLineOption engines(QStringLiteral("engines"),
                               QStringLiteral("Comma-separated engines (default sqlite): sqlite, postgres, mariadb. The servers are "
                                              "the ones of $STALK_PG_URL / $STALK_MYSQL_URL (run through "
                                              "tools/servers/with_postgres.sh / with_mariadb.sh); the bench makes its own database "
                                              "stalk_bench there. The servers take 1M rows at most unless --huge (10M, PostgreSQL)."),
                               QStringLiteral("list"), QStringLiteral("sqlite"));
    QCommandLineOption serverRuns(QStringLiteral("server-runs"),
                                  QStringLiteral("Runs per server case (default 3; a purge runs once)."), QStringLiteral("n"),
                                  QStringLiteral("3"));
    QCommandLineOption cap(QStringLiteral("cap"),
                           QStringLiteral("Seconds a server case may run before it stops and says how far it got (default 120)."),
                           QStringLiteral("s"), QStringLiteral("120"));
    QCommandLineOption jumpIndexes(QStringLiteral("jump-indexes"),
                                   QStringLiteral("Server cases: also add the indexes resources/sql/<engine>-jump-indexes.sql "
                                                  "advises (the README's \"Pages on the servers\") after each load."));
    QCommandLineOption noCouch(QStringLiteral("no-couch"), QStringLiteral("Skip the CouchDB part even when STALK_COUCH_URL is set."));
    QCommandLineOption child(QStringLiteral("child"), QStringLiteral("Internal: run one case and print its JSON."));
    QCommandLineOption caseName(QStringLiteral("case"), QStringLiteral("Internal: the case to run."), QStringLiteral("name"));
    QCommandLineOption db(QStringLiteral("db"), QStringLiteral("Internal: the database of the case."), QStringLiteral("path"));
    QCommandLineOption rowsOpt(QStringLiteral("rows"), QStringLiteral("Internal: its row count."), QStringLiteral("n"));
    QCommandLineOption engineOpt(QStringLiteral("engine"), QStringLiteral("Internal: the server engine of the case."),
                                 QStringLiteral("name"));
    parser.addOptions({dataDir, sizes, huge, runs, purgeRuns, only, json, engines, serverRuns, cap, jumpIndexes, noCouch, child,
                       caseName, db, rowsOpt, engineOpt});
    parser.process(app);

    const int runCount = std::max(1, parser.value(runs).toInt());

    if (parser.isSet(child)) {
        const QString name = parser.value(caseName);
        QJsonObject result;
        if (name.startsWith(QLatin1String("redis_"))) {
            result = Cases::runRedis(name, redisBenchUrl(parser.value(rowsOpt).toLongLong()),
                                     parser.value(rowsOpt).toLongLong(), runCount);
        } else if (name.startsWith(QLatin1String("couch_"))) {
            result = Cases::runCouch(name, qEnvironmentVariable("STALK_COUCH_URL"),
                                     couchBenchDatabase(parser.value(rowsOpt).toLongLong()),
                                     parser.value(rowsOpt).toLongLong(), runCount);
        } else if (parser.isSet(engineOpt)) {
            Cases::Config config;
            config.db = parser.value(db);
            config.rows = parser.value(rowsOpt).toLongLong();
            config.runs = runCount;
            config.engine = parser.value(engineOpt);
            config.serverUrl = qEnvironmentVariable(qPrintable(ServerDb::engine(config.engine).envVar));
            config.capSeconds = std::max(1, parser.value(cap).toInt());
            config.jumpIndexes = parser.isSet(jumpIndexes);
            result = Cases::runServer(name, config);
        } else {
            Cases::Config config;
            config.db = parser.value(db);
            config.workDir = parser.value(dataDir);
            config.rows = parser.value(rowsOpt).toLongLong();
            config.runs = runCount;
            config.purgeRuns = std::max(1, parser.value(purgeRuns).toInt());
            result = Cases::run(name, config);
        }
        std::printf("%s\n", QJsonDocument(result).toJson(QJsonDocument::Compact).constData());
        std::fflush(stdout);
        return 0;
    }

    QList<qint64> rowCounts;
    for (const QString &s : parser.value(sizes).split(QLatin1Char(','), Qt::SkipEmptyParts)) {
        const qint64 n = parseRows(s);
        if (n < 0) {
            std::fprintf(stderr, "bad size: %s\n", qPrintable(s));
            return 2;
        }
        rowCounts << n;
    }
    if (parser.isSet(huge) && !rowCounts.contains(10000000))
        rowCounts << 10000000;
    QStringList cases = Cases::sqliteCases();
    if (parser.isSet(only))
        cases = parser.value(only).split(QLatin1Char(','), Qt::SkipEmptyParts);
    const QStringList engineNames = parser.value(engines).split(QLatin1Char(','), Qt::SkipEmptyParts);
    QList<ServerDb::Engine> servers;
    for (const QString &name : engineNames) {
        if (name == QLatin1String("sqlite"))
            continue;
        const ServerDb::Engine e = ServerDb::engine(name);
        if (e.name.isEmpty()) {
            std::fprintf(stderr, "unknown engine: %s (sqlite, postgres, mariadb)\n", qPrintable(name));
            return 2;
        }
        if (qEnvironmentVariableIsEmpty(qPrintable(e.envVar))) {
            std::fprintf(stderr, "--engines %s needs %s: run through tools/servers/with_%s.sh\n", qPrintable(e.name),
                         qPrintable(e.envVar), qPrintable(e.name));
            return 2;
        }
        servers << e;
    }
    const bool withSqlite = engineNames.contains(QStringLiteral("sqlite"));

    QJsonArray results;
    QJsonObject firstPage100k;
    auto record = [&](QJsonObject r, const QString &name, qint64 rows, const QString &store) {
        r.insert(QStringLiteral("case"), name);
        r.insert(QStringLiteral("rows"), rows);
        r.insert(QStringLiteral("size"), Bench::rowsLabel(rows));
        r.insert(QStringLiteral("store"), store);
        if (name == QLatin1String("first_page") && rows == 100000 && store == QLatin1String("sqlite"))
            firstPage100k = r;
        const bool server = isServer(store);
        const Target t = server ? serverTargetFor(name, rows, r) : targetFor(name, rows, r, firstPage100k);
        r.insert(QStringLiteral("target"), t.text);
        r.insert(QStringLiteral("met"), t.met);
        results.append(r);
        std::fprintf(stderr, "  %-5s %-22s stalk %8s ms  floor %8s ms\n", qPrintable(Bench::rowsLabel(rows)),
                     qPrintable(server ? store + QLatin1Char(' ') + name : name), qPrintable(fmt(num(r, "stalk"))), qPrintable(fmt(num(r, "floor"))));
    };

    // The server part: the generated rows loaded once per engine and size (the purge case
    // reloads them), then every server case in a child process, as for SQLite.
    auto runServerCases = [&](const ServerDb::Engine &engine, qint64 rows, const QString &sqlitePath) {
        const QString serverUrl = qEnvironmentVariable(qPrintable(engine.envVar));
        QString error = ServerDb::exportRows(sqlitePath);
        ServerDb::Load load;
        if (error.isEmpty()) {
            std::fprintf(stderr, "loading %s rows into %s…\n", qPrintable(Bench::rowsLabel(rows)), qPrintable(engine.name));
            load = ServerDb::load(engine, serverUrl, sqlitePath, parser.isSet(jumpIndexes));
            error = load.error;
        }
        QJsonObject loaded{{QStringLiteral("stalk"), -1}, {QStringLiteral("floor"), -1}, {QStringLiteral("ratio"), -1}};
        if (!error.isEmpty()) {
            loaded.insert(QStringLiteral("error"), error);
        } else {
            const QString how = engine.isPostgres() ? QStringLiteral("COPY FROM STDIN through psql's \\copy")
                                                    : QStringLiteral("LOAD DATA LOCAL INFILE through the mariadb client");
            QString after = engine.isPostgres() ? QStringLiteral("keys and indexes, then VACUUM ANALYZE")
                                                : QStringLiteral("ANALYZE TABLE (keys built during the load)");
            if (parser.isSet(jumpIndexes))
                after += QStringLiteral(", with the advised jump indexes");
            loaded.insert(QStringLiteral("extra"),
                          QJsonObject{{QStringLiteral("copy_ms"), load.copyMs},
                                      {QStringLiteral("index_ms"), load.indexMs},
                                      {QStringLiteral("note"), QStringLiteral("%1: %2 s; %3: %4 s")
                                                                   .arg(how, QString::number(load.copyMs / 1000.0, 'f', 1), after,
                                                                        QString::number(load.indexMs / 1000.0, 'f', 1))}});
        }
        record(loaded, QStringLiteral("load"), rows, engine.name);
        if (!error.isEmpty())
            return;
        for (const QString &name : Cases::serverCases()) {
            if (parser.isSet(only) && !cases.contains(name))
                continue;
            std::fprintf(stderr, "running %s %s on %s rows…\n", qPrintable(engine.name), qPrintable(name),
                         qPrintable(Bench::rowsLabel(rows)));
            QStringList args{QStringLiteral("--child"), QStringLiteral("--case"), name,
                             QStringLiteral("--engine"), engine.name, QStringLiteral("--db"), sqlitePath,
                             QStringLiteral("--rows"), QString::number(rows),
                             QStringLiteral("--runs"), parser.value(serverRuns),
                             QStringLiteral("--cap"), parser.value(cap)};
            if (parser.isSet(jumpIndexes))
                args << QStringLiteral("--jump-indexes");
            const QJsonObject r = runChild(args);
            record(r, name, rows, engine.name);
        }
    };

    for (qint64 rows : rowCounts) {
        const QString dir = parser.value(dataDir);
        const QString error = Generator::ensure(dir, rows);
        if (!error.isEmpty()) {
            std::fprintf(stderr, "cannot generate %lld rows: %s\n", static_cast<long long>(rows), qPrintable(error));
            return 1;
        }
        for (const QString &name : cases) {
            if (!withSqlite || !Cases::sqliteCases().contains(name))
                continue; // a CouchDB or Redis case (below), or "couch"/"redis" for all of them
            std::fprintf(stderr, "running %s on %s rows…\n", qPrintable(name), qPrintable(Bench::rowsLabel(rows)));
            const QJsonObject r = runChild({QStringLiteral("--child"), QStringLiteral("--case"), name,
                                            QStringLiteral("--db"), Generator::pathFor(dir, rows),
                                            QStringLiteral("--rows"), QString::number(rows),
                                            QStringLiteral("--runs"), QString::number(runCount),
                                            QStringLiteral("--purge-runs"), parser.value(purgeRuns),
                                            QStringLiteral("--data-dir"), dir});
            record(r, name, rows, QStringLiteral("sqlite"));
        }
        for (const ServerDb::Engine &engine : servers) {
            if (rows > 10000000 || (rows > 1000000 && !(parser.isSet(huge) && engine.isPostgres()))) {
                std::fprintf(stderr, "skipping %s rows on %s (the servers take 1M rows; 10M on PostgreSQL with --huge)\n",
                             qPrintable(Bench::rowsLabel(rows)), qPrintable(engine.name));
                continue;
            }
            runServerCases(engine, rows, Generator::pathFor(dir, rows));
        }
    }

    QString couchNote;
    const QString couchUrl = qEnvironmentVariable("STALK_COUCH_URL");
    if (parser.isSet(noCouch)) {
        couchNote = QStringLiteral("CouchDB part skipped (--no-couch)");
    } else if (couchUrl.isEmpty()) {
        couchNote = QStringLiteral("CouchDB part skipped: STALK_COUCH_URL is not set (run through tools/couchdb/with_couchdb.sh)");
    } else {
        QStringList notes;
        for (const qint64 docs : std::as_const(rowCounts)) {
            if (docs > maxCouchDocs) {
                notes << QStringLiteral("%1 documents skipped (at most 1M)").arg(Bench::rowsLabel(docs));
                continue;
            }
            const QString database = couchBenchDatabase(docs);
            const QString error = Cases::ensureCouchData(couchUrl, database, docs);
            // Beyond 100k only when asked by name: pouchdb-server builds views at ~300 documents
            // a second, one view at a time: hours for 1M, and Node needs a larger heap for it
            // (NODE_OPTIONS=--max-old-space-size=16384).
            const bool anyViewsCase = parser.isSet(only) ? cases.contains(QStringLiteral("couch"))
                    || std::any_of(cases.cbegin(), cases.cend(), [](const QString &c) { return c.startsWith(QLatin1String("couch_views_")); })
                                                         : docs <= 100000;
            double builtMs = -1;
            const QString viewsError = error.isEmpty() && anyViewsCase ? Cases::ensureCouchViews(couchUrl, database, &builtMs)
                                                                       : QString();
            if (!error.isEmpty()) {
                notes << QStringLiteral("CouchDB part failed: ") + error;
                break;
            }
            if (!viewsError.isEmpty())
                notes << QStringLiteral("CouchDB views failed (their cases skipped): ") + viewsError;
            if (anyViewsCase)
                notes << QStringLiteral("CouchDB: _design/stalk up to date in %1; its four views answered after %2 s (the server "
                                        "builds them once, on the first request)")
                             .arg(database)
                             .arg(builtMs / 1000.0, 0, 'f', 1);
            for (const QString &name : Cases::couchCases()) {
                if (parser.isSet(only) && !cases.contains(name) && !cases.contains(QStringLiteral("couch")))
                    continue;
                if (name.startsWith(QLatin1String("couch_views_")) && (!anyViewsCase || !viewsError.isEmpty()))
                    continue;
                std::fprintf(stderr, "running %s on %lld documents…\n", qPrintable(name), static_cast<long long>(docs));
                const QJsonObject r = runChild({QStringLiteral("--child"), QStringLiteral("--case"), name,
                                                QStringLiteral("--rows"), QString::number(docs),
                                                QStringLiteral("--runs"), QString::number(runCount)});
                record(r, name, docs, QStringLiteral("couchdb"));
            }
        }
        couchNote = notes.join(QLatin1Char('\n'));
    }

    QString redisNote;
    const bool anyRedisCase = !parser.isSet(only) || cases.contains(QStringLiteral("redis"))
        || std::any_of(cases.cbegin(), cases.cend(), [](const QString &c) { return c.startsWith(QLatin1String("redis_")); });
    if (qEnvironmentVariableIsEmpty("STALK_REDIS_URL")) {
        redisNote = QStringLiteral("Redis part skipped: STALK_REDIS_URL is not set (run through tools/servers/with_redis.sh)");
    } else if (anyRedisCase) {
        QStringList skipped;
        for (const qint64 keys : std::as_const(rowCounts)) {
            if (keys > maxRedisKeys) {
                skipped << QString::number(keys);
                continue;
            }
            const QString error = Cases::ensureRedisData(redisBenchUrl(keys), keys);
            if (!error.isEmpty()) {
                redisNote = QStringLiteral("Redis part failed: ") + error;
                break;
            }
            for (const QString &name : Cases::redisCases()) {
                if (parser.isSet(only) && !cases.contains(name) && !cases.contains(QStringLiteral("redis")))
                    continue;
                std::fprintf(stderr, "running %s on %lld keys…\n", qPrintable(name), static_cast<long long>(keys));
                const QJsonObject r = runChild({QStringLiteral("--child"), QStringLiteral("--case"), name,
                                                QStringLiteral("--rows"), QString::number(keys),
                                                QStringLiteral("--runs"), QString::number(runCount)});
                record(r, name, keys, QStringLiteral("redis"));
            }
        }
        if (!skipped.isEmpty() && redisNote.isEmpty())
            redisNote = QStringLiteral("Redis part: %1 keys skipped (at most 1M: a server holds them all in memory)")
                            .arg(skipped.join(QStringLiteral(", ")));
    }

    QJsonObject all;
    all.insert(QStringLiteral("runs"), runCount);
    all.insert(QStringLiteral("redis_note"), redisNote);
    all.insert(QStringLiteral("results"), results);
    all.insert(QStringLiteral("couch_note"), couchNote);
    all.insert(QStringLiteral("note"),
               QStringLiteral("medians of the runs; ms unless named otherwise; stall = longest gap of a 2 ms "
                              "GUI-thread timer minus 2 ms; RSS = the case's process VmHWM"));
    if (parser.isSet(json)) {
        const QByteArray text = QJsonDocument(all).toJson(QJsonDocument::Indented);
        if (parser.value(json) == QLatin1String("-")) {
            std::fwrite(text.constData(), 1, size_t(text.size()), stdout);
            return 0;
        }
        QFile f(parser.value(json));
        if (!f.open(QIODevice::WriteOnly) || f.write(text) != text.size()) {
            std::fprintf(stderr, "cannot write %s\n", qPrintable(parser.value(json)));
            return 1;
        }
    }
    printTable(results);
    if (!couchNote.isEmpty())
        std::printf("%s\n", qPrintable(couchNote));
    if (!redisNote.isEmpty())
        std::printf("%s\n", qPrintable(redisNote));
    return 0;
}
