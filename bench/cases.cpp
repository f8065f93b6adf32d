#include "cases.h"

#include <algorithm>
#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <numeric>
#include <vector>

#include <malloc.h>
#include <signal.h>
#include <sys/resource.h>
#include <unistd.h>

#include <QDir>
#include <QEventLoop>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QNetworkRequest>
#include <QProcess>
#include <QTimeZone>
#include <QTimer>
#include <QUrl>
#include <QUrlQuery>

#include <sqlite3.h>

#include "benchutil.h"
#include "couchclient.h"
#include "couchdesign.h"
#include "generator.h"
#include "purger.h"
#include "redisstore.h"
#include "serverdb.h"
#include "sqlfloor.h"
#include "sqlitewriter.h"
#include "sqlstore.h"
#include "storeurl.h"
#include "taskresultmodel.h"

namespace {

using Bench::nowMs;

/// Bytes the process's heap holds for the program (every malloc arena, mmapped blocks too).
qint64 heapInUse()
{
    const struct mallinfo2 m = mallinfo2();
    return qint64(m.uordblks) + qint64(m.hblkhd);
}

/// CPU time the process used so far, every thread, user and system (ms).
double processCpuMs()
{
    struct rusage u = {};
    getrusage(RUSAGE_SELF, &u);
    return (double(u.ru_utime.tv_sec + u.ru_stime.tv_sec) * 1000.0)
        + (double(u.ru_utime.tv_usec + u.ru_stime.tv_usec) / 1000.0);
}

/// Measures the longest gap between ticks of a 2 ms timer on the calling (GUI) thread's
/// event loop: how long the event loop could not run. Reported minus the tick interval.
class StallMonitor final
{
public:
    StallMonitor()
    {
        m_timer.setTimerType(Qt::PreciseTimer);
        m_timer.setInterval(interval);
        QObject::connect(&m_timer, &QTimer::timeout, &m_timer, [this] { tick(); });
    }
    void start()
    {
        m_max = 0;
        m_start = m_last = nowMs();
        m_maxEnd = 0;
        m_timer.start();
    }
    /// When the longest stall ended, in ms since start(): what it lines up with.
    double longestEndedAt() const { return m_maxEnd; }
    double stop()
    {
        tick();
        m_timer.stop();
        return std::max(0.0, m_max - interval);
    }
    static constexpr int interval = 2;

private:
    void tick()
    {
        const double now = nowMs();
        if (now - m_last > m_max) {
            m_max = now - m_last;
            m_maxEnd = now - m_start;
        }
        m_last = now;
    }
    QTimer m_timer;
    double m_start = 0;
    double m_last = 0;
    double m_max = 0;
    double m_maxEnd = 0;
};

/// A TaskResultModel as the window uses it, with the times its signals arrived (ms since
/// begin()).
class Session final
{
public:
    explicit Session(StoreFactory factory) : m_factory(std::move(factory))
    {
        TaskResultModel *m = &m_model;
        QObject::connect(m, &TaskResultModel::opened, m, [this] { stamp(m_opened); });
        QObject::connect(m, &TaskResultModel::countChanged, m, [this](qint64 matching, qint64) {
            stamp(m_count);
            m_matching = matching;
        });
        QObject::connect(m, &TaskResultModel::countStateChanged, m, [this](const CountState &state) {
            if (state.kind() == CountState::Kind::Estimated)
                stamp(m_estimate);
        });
        QObject::connect(m, &QAbstractItemModel::modelReset, m, [this] { stamp(m_reset); });
        QObject::connect(m, &TaskResultModel::facetsChanged, m, [this] { stamp(m_facets); });
        QObject::connect(m, &TaskResultModel::busyChanged, m, [this](bool busy) { m_busy = busy; });
        QObject::connect(m, &TaskResultModel::failed, m, [this](const StoreError &e) {
            m_failed = true;
            m_error = e.message;
        });
    }

    TaskResultModel &model() { return m_model; }
    void begin()
    {
        m_t0 = nowMs();
        m_opened = m_count = m_estimate = m_reset = m_facets = -1;
        m_failed = false;
    }
    double since() const { return nowMs() - m_t0; }
    double opened() const { return m_opened; }
    double counted() const { return m_count; }
    /// When a figure first stood on screen: the estimate, or the exact count if it came first.
    double figureShown() const
    {
        if (m_estimate < 0)
            return m_count;
        return m_count < 0 ? m_estimate : std::min(m_estimate, m_count);
    }
    double facetsAt() const { return m_facets; }
    qint64 matching() const { return m_matching; }
    bool failed() const { return m_failed; }
    QString error() const { return m_error; }

    bool loaded(int row)
    {
        return row >= 0 && row < m_model.rowCount()
            && m_model.data(m_model.index(row, 0), TaskResultModel::LoadedRole).toBool();
    }
    /// The first rows of the current (reset) query are on screen, or it has none. The model
    /// shows page 0 before the exact count arrives, so rows alone are the measure; an empty
    /// answer is known once the count (or a short page 0) says so.
    bool firstRowsShown()
    {
        if (m_reset < 0)
            return false;
        if (m_model.rowCount() > 0)
            return loaded(0);
        return m_count >= 0 || m_model.isCountExact();
    }
    /// Facets in, nothing outstanding, and no index still loading in the background (a
    /// CouchDB store opened incrementally answers from a partial index until then).
    bool idle() const { return m_facets >= 0 && !m_busy && !m_model.isLoading(); }

    /// Waits (running the event loop) until done() holds, at most timeoutMs (-1: waitCapMs);
    /// false on failure or timeout (error() then says "stopped after N s").
    bool waitFor(const std::function<bool()> &done, int timeoutMs = -1)
    {
        if (timeoutMs < 0)
            timeoutMs = waitCapMs;
        if (done())
            return true;
        QEventLoop loop;
        auto check = [&] {
            if (m_failed || done())
                loop.quit();
        };
        TaskResultModel *m = &m_model;
        QObject::connect(m, &QAbstractItemModel::modelReset, &loop, check);
        QObject::connect(m, &QAbstractItemModel::dataChanged, &loop, check);
        QObject::connect(m, &QAbstractItemModel::rowsInserted, &loop, check);
        QObject::connect(m, &TaskResultModel::countChanged, &loop, check);
        QObject::connect(m, &TaskResultModel::facetsChanged, &loop, check);
        QObject::connect(m, &TaskResultModel::busyChanged, &loop, check);
        QObject::connect(m, &TaskResultModel::failed, &loop, check);
        QObject::connect(m, &TaskResultModel::loadingChanged, &loop, check);
        QTimer::singleShot(timeoutMs, &loop, [&loop] { loop.exit(1); });
        loop.exec();
        if (!m_failed && !done())
            m_error = QStringLiteral("stopped after %1 s").arg(timeoutMs / 1000);
        return !m_failed && done();
    }

    /// The longest a wait may take: 30 min, or the cap of a server case (--cap).
    static inline int waitCapMs = 30 * 60 * 1000;

    /// Opens the store and waits until the first page, the count and the facets are in.
    bool openAndSettle()
    {
        begin();
        m_model.setStoreFactory(m_factory);
        return waitFor([this] { return firstRowsShown() && idle(); });
    }

private:
    void stamp(double &slot)
    {
        if (slot < 0)
            slot = since();
    }

    StoreFactory m_factory;
    TaskResultModel m_model;
    double m_t0 = 0;
    double m_opened = -1, m_count = -1, m_estimate = -1, m_reset = -1, m_facets = -1;
    qint64 m_matching = -1;
    bool m_busy = false;
    bool m_failed = false;
    QString m_error;
};

/// Figures of one case: the main series (stalk, floor), named extra series, single facts.
struct Figures
{
    std::vector<double> stalk;
    std::vector<double> floor;
    std::vector<double> stall;
    std::map<QString, std::vector<double>> series;
    QJsonObject facts;
    QString error;
    double idleStall = -1; ///< the same monitor over 1 s of an idle event loop: the machine's noise

    void add(const QString &name, double v) { series[name].push_back(v); }
    QJsonObject toJson(qint64 rssStartKb) const
    {
        QJsonObject o;
        if (!error.isEmpty())
            o.insert(QStringLiteral("error"), error);
        o.insert(QStringLiteral("stalk_ms"), Bench::toJson(stalk));
        o.insert(QStringLiteral("floor_ms"), Bench::toJson(floor));
        const double s = Bench::median(stalk), f = Bench::median(floor);
        o.insert(QStringLiteral("stalk"), s);
        o.insert(QStringLiteral("floor"), f);
        o.insert(QStringLiteral("ratio"), s >= 0 && f > 0 ? s / f : -1.0);
        // The median of the runs' longest stalls (like every other figure), and the worst.
        o.insert(QStringLiteral("stall_ms"), stall.empty() ? -1.0 : Bench::median(stall));
        o.insert(QStringLiteral("stall_max_ms"), stall.empty() ? -1.0 : *std::max_element(stall.begin(), stall.end()));
        o.insert(QStringLiteral("idle_stall_ms"), idleStall);
        o.insert(QStringLiteral("loadavg_end"), Bench::loadAverage());
        QJsonObject extra = facts;
        for (const auto &[name, values] : series) {
            extra.insert(name, Bench::median(values));
            extra.insert(name + QStringLiteral("_runs"), Bench::toJson(values));
        }
        o.insert(QStringLiteral("extra"), extra);
        o.insert(QStringLiteral("rss_start_kb"), rssStartKb);
        o.insert(QStringLiteral("rss_peak_kb"), Bench::procStatusKb("VmHWM"));
        return o;
    }
};

const QString kTable = QString::fromLatin1(SqlFloor::table);

/// The runtimes cases' floor, hand-written for every engine: each task's SUCCESS/FAILURE
/// runtimes (`seconds`: the engine's date_done - date_created in seconds) ranked, the rows at
/// p50, p95, p99 and the max kept; withTrend also ranks each half by date_done (the p95
/// trend), counted in the same window pass as the store does.
QString runtimesFloorSql(const QString &seconds, bool withTrend)
{
    const QString ranks = QStringLiteral("WHERE k = n OR (k * 100 >= 50 * n AND (k - 1) * 100 < 50 * n) "
                                         "OR (k * 100 >= 95 * n AND (k - 1) * 100 < 95 * n) "
                                         "OR (k * 100 >= 99 * n AND (k - 1) * 100 < 99 * n)");
    if (!withTrend) {
        return QStringLiteral("SELECT t, n, k, d FROM (SELECT t, d, ROW_NUMBER() OVER (PARTITION BY t ORDER BY d) AS k, "
                              "COUNT(*) OVER (PARTITION BY t) AS n FROM (SELECT task_name AS t, %1 AS d FROM %2 "
                              "WHERE status IN ('SUCCESS', 'FAILURE')) s WHERE d >= 0) r %3 ORDER BY t, k")
            .arg(seconds, kTable, ranks);
    }
    return QStringLiteral("SELECT t, n, k, d, h, kh FROM (SELECT t, n, k, d, h, "
                          "CASE WHEN h = 1 THEN c ELSE k - c END AS kh FROM (SELECT t, n, d, h, "
                          "COUNT(*) OVER (PARTITION BY t ORDER BY d ROWS UNBOUNDED PRECEDING) AS k, "
                          "SUM(h) OVER (PARTITION BY t ORDER BY d ROWS UNBOUNDED PRECEDING) AS c FROM ("
                          "SELECT t, d, COUNT(*) OVER (PARTITION BY t) AS n, CASE WHEN 2 * ROW_NUMBER() OVER "
                          "(PARTITION BY t ORDER BY o, i) > COUNT(*) OVER (PARTITION BY t) + 1 THEN 1 ELSE 0 END AS h "
                          "FROM (SELECT task_name AS t, %1 AS d, date_done AS o, id AS i FROM %2 "
                          "WHERE status IN ('SUCCESS', 'FAILURE')) s WHERE d >= 0) r) x) y "
                          "%3 OR (kh * 200 >= 95 * (n + (1 - 2 * h) * (n % 2)) "
                          "AND (kh - 1) * 200 < 95 * (n + (1 - 2 * h) * (n % 2))) ORDER BY t, k")
        .arg(seconds, kTable, ranks);
}
const QString kOrder = QStringLiteral(" ORDER BY date_done DESC, id DESC");

QString pageSql(const QString &where)
{
    return QStringLiteral("SELECT %1 FROM %2%3%4 LIMIT 200").arg(SqlFloor::summaryColumns(), kTable, where, kOrder);
}

/// The page at an offset (bound, after the values `where` binds), found by its ids first (late
/// row lookup), in the order `sort DESC, id DESC`.
QString lateLookupSql(const QString &where = QString(), const QString &sort = QStringLiteral("date_done"))
{
    return QStringLiteral("SELECT %1 FROM (SELECT id FROM %2%3 ORDER BY %4 DESC, id DESC LIMIT 200 OFFSET ?) AS k "
                          "JOIN %2 AS r ON r.id = k.id ORDER BY r.%4 DESC, r.id DESC")
        .arg(SqlFloor::summaryColumns(QStringLiteral("r.")), kTable, where, sort);
}

/// The same page, plain OFFSET.
QString offsetPageSql(const QString &where = QString(), const QString &sort = QStringLiteral("date_done"))
{
    return QStringLiteral("SELECT %1 FROM %2%3 ORDER BY %4 DESC, id DESC LIMIT 200 OFFSET ?")
        .arg(SqlFloor::summaryColumns(), kTable, where, sort);
}

/// Stalk's search predicate for one term, written out (SqlStatements builds the same).
QString stalkPredicate()
{
    return QStringLiteral(" WHERE (stalk_icontains(task_id, ?) OR stalk_icontains(task_name, ?) OR "
                          "stalk_icontains(status, ?) OR stalk_icontains_json(task_args, ?) OR "
                          "stalk_icontains_json(task_kwargs, ?))");
}

/// The Django admin's own predicate on SQLite (icontains = LIKE '%term%').
QString likePredicate()
{
    return QStringLiteral(" WHERE (task_id LIKE ? OR task_name LIKE ? OR status LIKE ? OR task_args LIKE ? OR "
                          "task_kwargs LIKE ?)");
}

QVariantList times5(const QVariant &v)
{
    return {v, v, v, v, v};
}

/// Asks the model for `row` as a view scrolled there would, and waits until it is loaded:
/// the time goes to fig->stalk and the longest GUI-thread stall meanwhile to fig->stall.
/// False (fig->error set) when it never loads.
bool timeVisit(Session &s, int row, Figures *fig)
{
    StallMonitor stall;
    stall.start();
    s.begin();
    s.model().data(s.model().index(row, 0), TaskResultModel::LoadedRole);
    if (!s.waitFor([&] { return s.loaded(row); })) {
        fig->error = s.error();
        return false;
    }
    fig->stalk.push_back(s.since());
    fig->stall.push_back(stall.stop());
    return true;
}

/// Opens a fresh store from factory (the whole index of an index-backed store), timed into
/// fig->stalk; the store is gone again when this returns. False (fig->error set) on failure.
bool timeStoreOpen(const StoreFactory &factory, Figures *fig)
{
    const qint64 heapBefore = heapInUse();
    const qint64 rssBefore = Bench::procStatusKb("VmRSS");
    std::unique_ptr<ResultStore> store = factory();
    const double t0 = nowMs(), cpu0 = processCpuMs();
    if (StoreError e = store->open()) {
        fig->error = e.message;
        return false;
    }
    fig->stalk.push_back(nowMs() - t0);
    // The CPU the load took on all threads: over the cores, the least time it can take here.
    fig->add(QStringLiteral("index_cpu_ms"), processCpuMs() - cpu0);
    // What the open store keeps (its index), per result: the heap in use and the resident
    // set while it lives, over the same before the store was made.
    const Outcome<qint64> rows = store->count(TaskQuery());
    if (rows && *rows > 0) {
        fig->add(QStringLiteral("index_heap_bytes_per_row"), double(heapInUse() - heapBefore) / double(*rows));
        fig->add(QStringLiteral("index_rss_bytes_per_row"),
                 double(Bench::procStatusKb("VmRSS") - rssBefore) * 1024.0 / double(*rows));
    }
    return true;
}

/// Opens the store in the session's model and times its first rows into fig->stalk, with
/// the stall monitor started (it keeps running for the caller). False (fig->error set) when
/// they never show.
bool timeFirstRows(Session &s, const StoreFactory &factory, StallMonitor &stall, Figures *fig)
{
    stall.start();
    s.begin();
    s.model().setStoreFactory(factory);
    if (!s.waitFor([&] { return s.firstRowsShown(); })) {
        fig->error = s.error();
        return false;
    }
    fig->stalk.push_back(s.since());
    return true;
}

/// jump_middle / jump_last: a settled model (switched to `query` and settled again, when one is
/// given: the time until its facets were on screen goes to fig's stalk_facets_ms), then that
/// row visited (timed into fig); returns the offset of the row's page, or -1 (fig->error set).
qint64 timeJump(const StoreFactory &factory, const QString &name, Figures *fig, const TaskQuery *query = nullptr)
{
    Session s(factory);
    if (!s.openAndSettle()) {
        fig->error = s.error();
        return -1;
    }
    if (query) {
        s.begin();
        s.model().setQuery(*query);
        if (!s.waitFor([&] { return s.firstRowsShown() && s.idle(); })) {
            fig->error = QStringLiteral("query failed: ") + s.error();
            return -1;
        }
        fig->add(QStringLiteral("stalk_facets_ms"), s.facetsAt());
    }
    const int rows = s.model().rowCount();
    const int target = name == QLatin1String("jump_last") ? rows - 1 : rows / 2;
    if (!timeVisit(s, target, fig))
        return -1;
    return qint64(target) / TaskResultModel::pageSize * TaskResultModel::pageSize;
}

/// Opens the session's store and waits until it settled; false (fig->error set) when it fails.
bool settle(Session &s, Figures *fig)
{
    if (s.openAndSettle())
        return true;
    fig->error = QStringLiteral("open failed: ") + s.error();
    return false;
}

/// Issue 13 item 3, one run: a search no index helps (`term`, a word no searched column
/// holds) on a settled model, until everything it puts on screen is there (rows, the exact
/// count, the facets). False (fig->error set) when it fails.
bool timeSettledSearch(const StoreFactory &factory, const QString &term, Figures *fig)
{
    fig->facts.insert(QStringLiteral("term"), term);
    TaskQuery query;
    query.search = term;
    Session s(factory);
    if (!settle(s, fig))
        return false;
    StallMonitor stall;
    stall.start();
    s.begin();
    s.model().setQuery(query);
    if (!s.waitFor([&] { return s.firstRowsShown() && s.counted() >= 0 && s.idle(); })) {
        fig->error = QStringLiteral("query failed: ") + s.error();
        return false;
    }
    fig->stalk.push_back(s.since());
    fig->stall.push_back(stall.stop());
    fig->add(QStringLiteral("stalk_count_ms"), s.counted());
    fig->add(QStringLiteral("stalk_facets_ms"), s.facetsAt());
    fig->facts.insert(QStringLiteral("matching"), s.matching());
    return true;
}

void noteSettledSearch(const QString &term, Figures *fig)
{
    fig->facts.insert(QStringLiteral("note"),
                      QStringLiteral("'%1' (%2 matches): count on screen at %3 ms, facets at %4 ms; floor = one "
                                     "bare scan (SELECT COUNT(*) … WHERE the same predicate)")
                          .arg(term)
                          .arg(fig->facts.value(QStringLiteral("matching")).toInteger())
                          .arg(Bench::median(fig->series[QStringLiteral("stalk_count_ms")]), 0, 'f', 1)
                          .arg(Bench::median(fig->series[QStringLiteral("stalk_facets_ms")]), 0, 'f', 1));
}

/// Measures the time from a trigger on an open, settled model to its first page: the
/// query's own first page (stalk), and the first rows on screen (first_rows_ms: earlier when
/// a search shows its quick task-id matches while the first page is read).
void measureQuery(const StoreFactory &factory, const TaskQuery &query, int runs, Figures *fig)
{
    for (int i = 0; i < runs; ++i) {
        Session s(factory);
        if (!settle(s, fig))
            return;
        StallMonitor stall;
        stall.start();
        s.begin();
        s.model().setQuery(query);
        if (!s.waitFor([&] { return s.firstRowsShown(); })) {
            fig->error = QStringLiteral("query failed: ") + s.error();
            return;
        }
        fig->add(QStringLiteral("first_rows_ms"), s.since());
        fig->add(QStringLiteral("quick_rows"), s.model().isShowingQuickMatches() ? s.model().rowCount() : 0);
        if (!s.waitFor([&] { return !s.model().isShowingQuickMatches(); })) {
            fig->error = QStringLiteral("query failed: ") + s.error();
            return;
        }
        fig->stalk.push_back(s.since());
        s.waitFor([&] { return s.idle(); });
        fig->add(QStringLiteral("stalk_count_ms"), s.counted()); // the exact count, later
        fig->add(QStringLiteral("stalk_facets_ms"), s.facetsAt());
        fig->stall.push_back(stall.stop());
        fig->facts.insert(QStringLiteral("matching"), s.matching());
        if (i == 0)
            fig->facts.insert(QStringLiteral("rss_peak_first_run_kb"), Bench::procStatusKb("VmHWM"));
    }
}

/// The longest stall of an idle event loop over one second: what the machine's scheduler
/// alone costs (on a loaded, shared machine this is far from zero).
double idleStallMs()
{
    StallMonitor stall;
    QEventLoop loop;
    QTimer::singleShot(1000, &loop, &QEventLoop::quit);
    stall.start();
    loop.exec();
    return stall.stop();
}

/// The average rows per transaction of the last measured purge run.
qint64 summaryRowsPerBatch(const Figures &fig)
{
    const auto it = fig.series.find(QStringLiteral("rows_per_batch"));
    return it == fig.series.end() || it->second.empty() ? -1 : qint64(it->second.back());
}

/// A copy of the database, written through to the disk before it is measured: otherwise the
/// first commit's fsync would also flush the gigabytes the copy left dirty in the page cache
/// (180 ms for the first 500-row batch at 1M, where the batches after it take 10 ms).
QString copyDb(const QString &from, const QString &workDir, const QString &name)
{
    const QString to = QDir(workDir).filePath(name);
    QFile::remove(to);
    std::error_code ec;
    std::filesystem::copy_file(QFile::encodeName(from).toStdString(), QFile::encodeName(to).toStdString(), ec);
    if (ec)
        return QString();
    QFile file(to);
    if (!file.open(QIODevice::ReadWrite) || ::fsync(file.handle()) != 0)
        return QString();
    return to;
}

/// The criteria of the purge cases: the oldest half of the generated rows.
PurgeCriteria benchPurgeCriteria()
{
    PurgeCriteria criteria;
    criteria.cutoff = QDateTime(QDate(2025, 1, 31), QTime(0, 0), QTimeZone::utc());
    return criteria;
}

void removeDb(const QString &path)
{
    for (const char *suffix : {"", "-wal", "-shm", "-journal"})
        QFile::remove(path + QLatin1String(suffix));
}

/// One run of purge_writer: the `purge` case's deletion through the command line's engine
/// (Purger::purge() on a SqlStore, what `stalk purge` runs) on a fresh copy in `journalMode`,
/// with tools/sqlite_writer.py storing a result every 50 ms meanwhile (withWriter) or alone.
/// Purge time to fig->stalk (with the writer) or fig->floor (alone); the writer's figures to
/// the writer_* series.
bool purgeWithWriterRun(const Cases::Config &config, const QString &journalMode, bool withWriter, qint64 expected,
                        Figures *fig)
{
    const QString copy = copyDb(config.db, config.workDir, QStringLiteral("purge-writer.sqlite3"));
    if (copy.isEmpty()) {
        fig->error = QStringLiteral("cannot copy the database to ") + config.workDir;
        return false;
    }
    const auto fail = [&](const QString &error) {
        fig->error = error;
        removeDb(copy);
        return false;
    };
    {
        SqlFloor f;
        QString error;
        if (!f.open(copy, false, &error))
            return fail(error);
        if (f.time(QStringLiteral("PRAGMA journal_mode = ") + journalMode, {}) < 0)
            return fail(f.lastError());
    }
    std::unique_ptr<SqlStore> store = SqlStore::sqlite(copy);
    if (const StoreError e = store->open())
        return fail(e.message);
    SqliteWriterProcess writer;
    QString error;
    if (withWriter && !writer.start(copy, &error))
        return fail(error);
    Purger purger(*store);
    const double t0 = nowMs();
    const PurgeSummary summary = purger.purge(benchPurgeCriteria(), expected);
    const double ms = nowMs() - t0;
    const QString prefix = withWriter ? QStringLiteral("writer_run_") : QStringLiteral("alone_");
    fig->add(prefix + QStringLiteral("longest_txn_ms"), double(summary.longestBatchMs));
    fig->add(prefix + QStringLiteral("batches"), summary.batches);
    if (summary.error.isError())
        return fail(summary.error.message);
    if (summary.tasksDeleted != expected)
        return fail(QStringLiteral("deleted %1 of %2 expired rows").arg(summary.tasksDeleted).arg(expected));
    (withWriter ? fig->stalk : fig->floor).push_back(ms);
    if (withWriter) {
        const SqliteWriterProcess::Summary w = writer.stop();
        if (!w.ok)
            return fail(QStringLiteral("the writer printed no summary: ") + QString::fromUtf8(w.json));
        fig->add(QStringLiteral("writer_longest_wait_ms"), w.longestWaitMs);
        fig->add(QStringLiteral("writer_median_wait_ms"), w.medianWaitMs);
        fig->add(QStringLiteral("writer_failed"), double(w.failed));
        fig->add(QStringLiteral("writer_waits_over_1s"), double(w.waitsOver1s));
        fig->add(QStringLiteral("writer_written"), double(w.written));
        // Every result the writer stored is still there (it wrote nothing expired).
        store.reset();
        SqlFloor f;
        if (!f.open(copy, false, &error))
            return fail(error);
        const qint64 kept = f.scalar(QStringLiteral("SELECT COUNT(*) FROM %1 WHERE task_id LIKE 'live-%'").arg(kTable));
        if (kept != w.written)
            return fail(QStringLiteral("the writer stored %1 results, %2 are left").arg(w.written).arg(kept));
    }
    store.reset();
    removeDb(copy);
    return true;
}

} // namespace

QStringList Cases::sqliteCases()
{
    return {QStringLiteral("first_page"),       QStringLiteral("count"),
            QStringLiteral("facets"),           QStringLiteral("stats_by_hour"),
            QStringLiteral("runtimes"),         QStringLiteral("failures"),
            QStringLiteral("filter_task"),
            QStringLiteral("filter_status"),    QStringLiteral("search_id_prefix"),
            QStringLiteral("search_name_word"), QStringLiteral("search_args_word"),
            QStringLiteral("search_rare_settled"), QStringLiteral("select_all_delete"),
            QStringLiteral("jump_middle"),      QStringLiteral("jump_last"),
            QStringLiteral("jump_while_busy"),  QStringLiteral("purge"),
            QStringLiteral("purge_writer"),     QStringLiteral("purge_writer_wal"),
            QStringLiteral("browse_rss")};
}

QJsonObject Cases::run(const QString &name, const Config &config)
{
    const qint64 rssStart = Bench::procStatusKb("VmRSS");
    Figures fig;
    fig.idleStall = idleStallMs();
    const Outcome<StoreFactory> made = makeStoreFactory(config.db);
    if (!made)
        return {{QStringLiteral("error"), made.error().message}};
    const StoreFactory factory = *made;
    SqlFloor floor;
    QString error;
    if (!floor.open(config.db, true, &error))
        return {{QStringLiteral("error"), error}};
    const int runs = std::max(1, config.runs);

    if (name == QLatin1String("first_page") || name == QLatin1String("count")) {
        const bool count = name == QLatin1String("count");
        for (int i = 0; i < runs; ++i) {
            Session s(factory);
            StallMonitor stall;
            stall.start();
            s.begin();
            s.model().setStoreFactory(factory);
            // "count": a figure on screen (the estimate, else the exact count); the exact
            // count's own time is recorded as stalk_count_ms.
            if (!s.waitFor([&] { return count ? s.figureShown() >= 0 : s.firstRowsShown(); })) {
                fig.error = s.error();
                break;
            }
            fig.stalk.push_back(count ? s.figureShown() : s.since());
            fig.add(QStringLiteral("stalk_open_ms"), s.opened());
            s.waitFor([&] { return s.counted() >= 0; });
            fig.add(QStringLiteral("stalk_count_ms"), s.counted());
            s.waitFor([&] { return s.idle(); });
            fig.add(QStringLiteral("stalk_facets_ms"), s.facetsAt());
            fig.stall.push_back(stall.stop());

            // Floor: open a connection, then the first page (or the count), as bare SQL.
            SqlFloor f;
            const double t0 = nowMs();
            if (!f.open(config.db, false, &error)) {
                fig.error = error;
                break;
            }
            const double ms = count ? f.time(QStringLiteral("SELECT COUNT(*) FROM %1").arg(kTable), {})
                                    : f.time(pageSql(QString()), {});
            fig.floor.push_back(ms < 0 ? -1 : nowMs() - t0);
        }
        fig.facts.insert(QStringLiteral("plan_page"), floor.plan(pageSql(QString()), {}));
        fig.facts.insert(QStringLiteral("plan_count"), floor.plan(QStringLiteral("SELECT COUNT(*) FROM %1").arg(kTable), {}));
    } else if (name == QLatin1String("facets")) {
        std::unique_ptr<ResultStore> store = factory();
        if (StoreError e = store->open())
            return {{QStringLiteral("error"), e.message}};
        for (int i = 0; i < runs; ++i) {
            double t0 = nowMs();
            const Outcome<Facets> facets = store->facets(TaskQuery());
            fig.stalk.push_back(nowMs() - t0);
            if (!facets) {
                fig.error = facets.error().message;
                break;
            }
            t0 = nowMs();
            const Outcome<qint64> n = store->count(TaskQuery());
            fig.add(QStringLiteral("store_count_ms"), nowMs() - t0);
            double total = 0;
            for (const char *column : {"status", "task_name", "worker", "periodic_task_name"}) {
                total += floor.time(QStringLiteral("SELECT %1, COUNT(*) FROM %2 GROUP BY %1 ORDER BY COUNT(*) DESC, %1")
                                        .arg(QLatin1String(column), kTable),
                                    {});
            }
            fig.floor.push_back(total);
            fig.facts.insert(QStringLiteral("task_names"), facets->taskNames.size());
        }
        fig.facts.insert(QStringLiteral("plan_task_name"),
                         floor.plan(QStringLiteral("SELECT task_name, COUNT(*) FROM %1 GROUP BY task_name").arg(kTable), {}));
    } else if (name == QLatin1String("stats_by_hour") || name == QLatin1String("runtimes")) {
        // The store's aggregate against the bare SQL of the same aggregate (hand-written).
        const bool history = name == QLatin1String("stats_by_hour");
        std::unique_ptr<ResultStore> store = factory();
        if (StoreError e = store->open())
            return {{QStringLiteral("error"), e.message}};
        const QString seconds = QStringLiteral("(julianday(date_done) - julianday(date_created)) * 86400.0");
        const QString bare = history
            ? QStringLiteral("SELECT strftime('%Y-%m-%d %H:00:00', date_done), status, COUNT(*) FROM %1 GROUP BY 1, 2")
                  .arg(kTable)
            : runtimesFloorSql(seconds, true);
        // The ranking without the halves (the p95 trend): what the trend adds to the floor.
        const QString bareWithoutTrend = runtimesFloorSql(seconds, false);
        for (int i = 0; i < runs; ++i) {
            const double t0 = nowMs();
            qint64 groups = 0;
            if (history) {
                const Outcome<StatusHistory> h = store->statusHistory(TaskQuery(), TimeBucket::Hour);
                if (!h) {
                    fig.error = h.error().message;
                    break;
                }
                groups = h->buckets.size();
            } else {
                const Outcome<RuntimeTable> r = store->runtimes(TaskQuery());
                if (!r) {
                    fig.error = r.error().message;
                    break;
                }
                groups = r->tasks.size();
            }
            fig.stalk.push_back(nowMs() - t0);
            fig.floor.push_back(floor.time(bare, {}));
            if (!history)
                fig.add(QStringLiteral("floor_without_trend_ms"), floor.time(bareWithoutTrend, {}));
            fig.facts.insert(history ? QStringLiteral("buckets") : QStringLiteral("task_names"), groups);
        }
        fig.facts.insert(QStringLiteral("plan_floor"), floor.plan(bare, {}));
    } else if (name == QLatin1String("failures")) {
        // The store's grouping (SQL GROUP BY, then each distinct result decoded once) against
        // the bare SQL of the same GROUP BY without the trend, hand-written; beside it the bare
        // SQL with the trend as the store reads it (each part's minutes as one list) and as a
        // GROUP BY key (date_done's day: parts split by time), what the trend adds either way.
        std::unique_ptr<ResultStore> store = factory();
        if (StoreError e = store->open())
            return {{QStringLiteral("error"), e.message}};
        TaskQuery query;
        query.statuses = {QStringLiteral("FAILURE")};
        const QString parts = QStringLiteral(
                                  "SELECT task_name, status, worker, result, CASE WHEN result LIKE '%\"exc_type\"%' "
                                  "THEN NULL ELSE traceback END, content_type, content_encoding, COUNT(*), "
                                  "MIN(date_done), MAX(date_done)%2 FROM %1 WHERE status = 'FAILURE' GROUP BY 1, 2, 3, 4, 5, 6, 7%3")
                                  .arg(kTable);
        const QString bare = parts.arg(QString(), QString());
        const QString bareWithMinutes =
            parts.arg(QStringLiteral(", COUNT(date_done), group_concat(CAST(strftime('%s', CASE WHEN substr(date_done, 20, 1) = '.' "
                                     "THEN substr(date_done, 1, 19) || ltrim(substr(date_done, 21), '0123456789') "
                                     "ELSE date_done END) AS INTEGER) / 60)"),
                      QString());
        const QString bareByDay = parts.arg(QStringLiteral(", strftime('%Y-%m-%d 00:00:00', date_done)"), QStringLiteral(", 11"));
        for (int i = 0; i < runs; ++i) {
            const double t0 = nowMs();
            const Outcome<FailureTable> table = store->failures(query);
            if (!table) {
                fig.error = table.error().message;
                break;
            }
            fig.stalk.push_back(nowMs() - t0);
            fig.floor.push_back(floor.time(bare, {}));
            fig.add(QStringLiteral("floor_trend_minutes_ms"), floor.time(bareWithMinutes, {}));
            fig.add(QStringLiteral("floor_trend_by_day_ms"), floor.time(bareByDay, {}));
            fig.facts.insert(QStringLiteral("groups"), qint64(table->groups.size()));
            fig.facts.insert(QStringLiteral("parts_read"), table->partsRead);
            fig.facts.insert(QStringLiteral("results_decoded"), table->resultsDecoded);
        }
        fig.facts.insert(QStringLiteral("plan_floor"), floor.plan(bare, {}));
    } else if (name == QLatin1String("filter_task") || name == QLatin1String("filter_status")) {
        const bool byTask = name == QLatin1String("filter_task");
        TaskQuery query;
        const QString column = byTask ? QStringLiteral("task_name") : QStringLiteral("status");
        const QString value = byTask ? QString::fromLatin1(Generator::Facts::filterTaskName) : QStringLiteral("FAILURE");
        if (byTask)
            query.taskNames = {value};
        else
            query.statuses = {value};
        measureQuery(factory, query, runs, &fig);
        const QString where = QStringLiteral(" WHERE %1 = ?").arg(column);
        // The floor is the faster of the engine's own plan and the date_done index walk.
        const QString viaDate = QStringLiteral("SELECT %1 FROM %2 INDEXED BY django_cele_date_do_f59aad_idx%3%4 LIMIT 200")
                                    .arg(SqlFloor::summaryColumns(), kTable, where, kOrder);
        for (int i = 0; i < runs; ++i) {
            const double a = floor.time(pageSql(where), {value});
            const double b = floor.time(viaDate, {value});
            fig.add(QStringLiteral("floor_default_plan_ms"), a);
            fig.add(QStringLiteral("floor_date_index_ms"), b);
            fig.floor.push_back(std::min(a, b));
            fig.add(QStringLiteral("floor_count_ms"),
                    floor.time(QStringLiteral("SELECT COUNT(*) FROM %1%2").arg(kTable, where), {value}));
        }
        fig.facts.insert(QStringLiteral("plan_page"), floor.plan(pageSql(where), {value}));
    } else if (name == QLatin1String("search_rare_settled")) {
        // Issue 13 item 3: a search no index helps, on a settled model, until everything it
        // puts on screen is there (rows, the exact count, the facets). Floor: one bare scan
        // of the same predicate (SELECT COUNT(*), every row read once).
        const QString term = QString::fromLatin1(Generator::Facts::rareWord);
        for (int i = 0; i < runs; ++i) {
            if (!timeSettledSearch(factory, term, &fig))
                break;
            fig.floor.push_back(floor.time(
                QStringLiteral("SELECT COUNT(*) FROM %1 NOT INDEXED%2").arg(kTable, stalkPredicate()), times5(term)));
        }
        noteSettledSearch(term, &fig);
    } else if (name == QLatin1String("select_all_delete")) {
        // Issue 13 item 1: Select All then Delete Selected on a settled model. The dialog
        // fixes the set (purgeCriteriaFor) and asks the model's worker for its count and
        // breakdown (previewPurge); measured here without the widgets: the time until the
        // real count is ready, and the GUI thread's longest stall meanwhile. Floor: the bare
        // GROUP BY status of the same set.
        for (int i = 0; i < runs; ++i) {
            Session s(factory);
            if (!settle(s, &fig))
                break;
            StallMonitor stall;
            stall.start();
            const double t0 = nowMs();
            const QDateTime bound = QDateTime::currentDateTimeUtc();
            const Outcome<PurgeCriteria> criteria = purgeCriteriaFor(s.model().query(), bound);
            if (!criteria) {
                fig.error = criteria.error().message;
                break;
            }
            qint64 total = -1;
            QString failure;
            QObject receiver;
            QEventLoop loop;
            s.model().previewPurge(*criteria, &receiver, [&](const Reply<PurgePreview> &reply) {
                total = reply ? reply->total : 0;
                if (!reply)
                    failure = reply.error().message;
                loop.quit();
            });
            QTimer::singleShot(Session::waitCapMs, &loop, [&] {
                failure = QStringLiteral("stopped after %1 s").arg(Session::waitCapMs / 1000);
                loop.quit();
            });
            if (total < 0)
                loop.exec();
            if (!failure.isEmpty()) {
                fig.error = failure;
                break;
            }
            fig.stalk.push_back(nowMs() - t0);
            fig.stall.push_back(stall.stop());
            fig.facts.insert(QStringLiteral("count"), total);
            fig.floor.push_back(floor.time(
                QStringLiteral("SELECT status, COUNT(*) FROM %1 WHERE date_done < ? GROUP BY status").arg(kTable),
                {bound.toString(QStringLiteral("yyyy-MM-dd HH:mm:ss.zzz000"))}));
        }
        fig.facts.insert(QStringLiteral("note"),
                         QStringLiteral("the dialog's count (%1 results) ready; floor = the bare GROUP BY status of the "
                                        "same set")
                             .arg(fig.facts.value(QStringLiteral("count")).toInteger()));
    } else if (name.startsWith(QLatin1String("search_"))) {
        QString term;
        if (name == QLatin1String("search_id_prefix")) {
            QByteArray id;
            floor.time(QStringLiteral("SELECT task_id FROM %1 WHERE id = ?").arg(kTable), {config.rows / 2}, nullptr, &id);
            term = QString::fromLatin1(id.left(8));
        } else if (name == QLatin1String("search_name_word")) {
            term = QString::fromLatin1(Generator::Facts::nameWord);
        } else {
            term = QString::fromLatin1(Generator::Facts::argsWord);
        }
        fig.facts.insert(QStringLiteral("term"), term);
        TaskQuery query;
        query.search = term;
        measureQuery(factory, query, runs, &fig);
        {
            // The same first page straight from the store, no model or threads: what the
            // query itself costs Stalk (store_page_ms) apart from handing rows to the window.
            std::unique_ptr<ResultStore> store = factory();
            if (!store->open().isError()) {
                // One unmeasured read first: the floor's connection is warm too.
                store->fetchPage(query, 0, TaskResultModel::pageSize, RowDetail::Summary);
                for (int i = 0; i < runs; ++i) {
                    const double t0 = nowMs();
                    const auto rows = store->fetchPage(query, 0, TaskResultModel::pageSize, RowDetail::Summary);
                    fig.add(QStringLiteral("store_page_ms"), rows ? nowMs() - t0 : -1);
                }
            }
        }
        const QString like = QLatin1Char('%') + term + QLatin1Char('%');
        for (int i = 0; i < runs; ++i) {
            // The engine's own plan (walk the date_done index, test each row) and a full
            // scan then sort; the floor is the faster (a store could choose either).
            const double walk = floor.time(pageSql(stalkPredicate()), times5(term));
            const double scan = floor.time(QStringLiteral("SELECT %1 FROM %2 NOT INDEXED%3%4 LIMIT 200")
                                               .arg(SqlFloor::summaryColumns(), kTable, stalkPredicate(), kOrder),
                                           times5(term));
            fig.add(QStringLiteral("floor_index_walk_ms"), walk);
            fig.add(QStringLiteral("floor_scan_sort_ms"), scan);
            fig.floor.push_back(std::min(walk, scan));
            fig.add(QStringLiteral("floor_count_ms"),
                    floor.time(QStringLiteral("SELECT COUNT(*) FROM %1%2").arg(kTable, stalkPredicate()), times5(term)));
            fig.add(QStringLiteral("floor_like_page_ms"), floor.time(pageSql(likePredicate()), times5(like)));
            fig.add(QStringLiteral("floor_like_count_ms"),
                    floor.time(QStringLiteral("SELECT COUNT(*) FROM %1%2").arg(kTable, likePredicate()), times5(like)));
            if (name == QLatin1String("search_id_prefix")) {
                // What an index can do for a task-id prefix (a range on the unique index).
                QString upper = term;
                upper[upper.size() - 1] = QChar(upper.at(upper.size() - 1).unicode() + 1);
                fig.add(QStringLiteral("floor_id_index_ms"),
                        floor.time(pageSql(QStringLiteral(" WHERE task_id >= ? AND task_id < ?")), {term, upper}));
            }
        }
        fig.facts.insert(QStringLiteral("plan_page"), floor.plan(pageSql(stalkPredicate()), times5(term)));
    } else if (name == QLatin1String("jump_middle") || name == QLatin1String("jump_last")) {
        for (int i = 0; i < runs; ++i) {
            const qint64 offset = timeJump(factory, name, &fig);
            if (offset < 0)
                break;
            const QString late = lateLookupSql();
            const QString naive = offsetPageSql();
            const double a = floor.time(late, {offset});
            const double b = floor.time(naive, {offset});
            fig.add(QStringLiteral("floor_late_lookup_ms"), a);
            fig.add(QStringLiteral("floor_naive_offset_ms"), b);
            fig.floor.push_back(std::min(a, b));
            if (i == 0)
                fig.facts.insert(QStringLiteral("plan_late_lookup"), floor.plan(late, {offset}));
        }
    } else if (name == QLatin1String("jump_while_busy")) {
        // The user opens the database and drags to the end at once: the page request
        // queues behind whatever the worker is doing (count, facets).
        for (int i = 0; i < runs; ++i) {
            Session s(factory);
            s.begin();
            s.model().setStoreFactory(factory);
            if (!s.waitFor([&] { return s.firstRowsShown(); })) {
                fig.error = s.error();
                break;
            }
            const int target = s.model().rowCount() - 1;
            if (!timeVisit(s, target, &fig))
                break;
            const QString late = lateLookupSql();
            fig.floor.push_back(floor.time(late, {qint64(target) / TaskResultModel::pageSize * TaskResultModel::pageSize}));
            s.waitFor([&] { return s.idle(); });
        }
    } else if (name == QLatin1String("purge")) {
        const QString cutoffText = QString::fromLatin1(Generator::Facts::purgeCutoff);
        const qint64 expected = floor.scalar(QStringLiteral("SELECT COUNT(*) FROM %1 WHERE date_done < ?").arg(kTable), {cutoffText});
        fig.facts.insert(QStringLiteral("expected"), expected);
        floor.close();
        const PurgeCriteria criteria = benchPurgeCriteria();
        for (int i = 0; i < std::max(1, config.purgeRuns); ++i) {
            const QString copy = copyDb(config.db, config.workDir, QStringLiteral("purge-stalk.sqlite3"));
            if (copy.isEmpty()) {
                fig.error = QStringLiteral("cannot copy the database to ") + config.workDir;
                break;
            }
            {
                const Outcome<StoreFactory> copyFactory = makeStoreFactory(copy);
                Session s(*copyFactory); // the window, open on the same database while it purges
                if (!s.openAndSettle()) {
                    fig.error = s.error();
                    break;
                }
                PurgeJob job(&s.model()); // on the window's worker, with its store
                PurgeSummary summary;
                bool done = false;
                QEventLoop loop;
                QObject::connect(&job, &PurgeJob::finished, &loop, [&](const PurgeSummary &sum) {
                    summary = sum;
                    done = true;
                    loop.quit();
                });
                // progress() is emitted after each committed batch: the gaps between them are
                // the batches' durations as the window sees them.
                std::vector<double> gaps;
                double lastProgress = -1;
                QObject::connect(&job, &PurgeJob::progress, &loop, [&] {
                    const double now = nowMs();
                    if (lastProgress >= 0)
                        gaps.push_back(now - lastProgress);
                    lastProgress = now;
                });
                StallMonitor stall;
                stall.start();
                const double t0 = nowMs();
                lastProgress = t0;
                job.startPurge(criteria, expected);
                if (!done)
                    loop.exec();
                fig.stalk.push_back(nowMs() - t0);
                fig.stall.push_back(stall.stop());
                fig.add(QStringLiteral("longest_txn_ms"), double(summary.longestBatchMs));
                fig.add(QStringLiteral("batches"), summary.batches);
                if (!gaps.empty()) {
                    std::sort(gaps.begin(), gaps.end());
                    fig.add(QStringLiteral("batch_median_ms"), Bench::median(gaps));
                    fig.add(QStringLiteral("batch_p95_ms"), gaps[size_t(double(gaps.size() - 1) * 0.95)]);
                    fig.add(QStringLiteral("batches_over_100ms"),
                            double(std::count_if(gaps.begin(), gaps.end(), [](double g) { return g > 100; })));
                }
                fig.facts.insert(QStringLiteral("deleted"), summary.tasksDeleted);
                fig.add(QStringLiteral("rows_per_batch"), summary.batches > 0 ? double(summary.tasksDeleted) / summary.batches : -1);
                fig.facts.insert(QStringLiteral("groups_deleted"), summary.groupsDeleted);
                if (summary.error.isError())
                    fig.error = summary.error.message;
            }
            QFile::remove(copy);

            const QString bare = copyDb(config.db, config.workDir, QStringLiteral("purge-floor.sqlite3"));
            SqlFloor f;
            if (!f.open(bare, false, &error)) {
                fig.error = error;
                break;
            }
            const double t0 = nowMs();
            f.time(QStringLiteral("DELETE FROM %1 WHERE date_done < ?").arg(kTable), {cutoffText});
            f.time(QStringLiteral("DELETE FROM %1 WHERE date_done < ?").arg(QLatin1String(SqlFloor::groupTable)), {cutoffText});
            const double ms = nowMs() - t0;
            fig.floor.push_back(ms);
            fig.add(QStringLiteral("floor_txn_ms"), ms);
            f.close();
            QFile::remove(bare);

            // The batched floor: the same work in bare SQL, in transactions of the size Stalk's
            // batches had on average, deleting in the same (date_done index) order. What short
            // transactions cost on this engine and disk, whoever runs them.
            const qint64 rowsPerTxn = summaryRowsPerBatch(fig);
            const QString batched = copyDb(config.db, config.workDir, QStringLiteral("purge-batched.sqlite3"));
            SqlFloor b;
            if (rowsPerTxn > 0 && b.open(batched, false, &error)) {
                const QString del = QStringLiteral("DELETE FROM %1 WHERE id IN (SELECT id FROM %1 WHERE date_done < ? "
                                                   "ORDER BY date_done LIMIT ?)")
                                        .arg(kTable);
                double longest = 0;
                const double b0 = nowMs();
                for (;;) {
                    const double a = nowMs();
                    b.time(QStringLiteral("BEGIN IMMEDIATE"), {});
                    const bool ok = b.time(del, {cutoffText, rowsPerTxn}) >= 0;
                    const qint64 n = sqlite3_changes(b.handle());
                    b.time(QStringLiteral("COMMIT"), {});
                    longest = std::max(longest, nowMs() - a);
                    if (!ok || n < rowsPerTxn)
                        break;
                }
                b.time(QStringLiteral("DELETE FROM %1 WHERE date_done < ?").arg(QLatin1String(SqlFloor::groupTable)),
                       {cutoffText});
                fig.add(QStringLiteral("floor_batched_ms"), nowMs() - b0);
                fig.add(QStringLiteral("floor_batched_longest_txn_ms"), longest);
                fig.facts.insert(QStringLiteral("floor_batched_rows_per_txn"), rowsPerTxn);
                b.close();
            }
            QFile::remove(batched);
            if (!fig.error.isEmpty())
                break;
        }
    } else if (name == QLatin1String("purge_writer") || name == QLatin1String("purge_writer_wal")) {
        // A Celery worker storing results (Python's sqlite3, Django's 5 s busy timeout, one
        // every 50 ms) while `stalk purge` deletes the oldest half: its longest wait and its
        // failures (lost results), and the purge time against the same purge alone.
        const QString journalMode = name.endsWith(QLatin1String("_wal")) ? QStringLiteral("wal") : QStringLiteral("delete");
        const qint64 expected = floor.scalar(QStringLiteral("SELECT COUNT(*) FROM %1 WHERE date_done < ?").arg(kTable),
                                             {QString::fromLatin1(Generator::Facts::purgeCutoff)});
        floor.close();
        fig.facts.insert(QStringLiteral("expected"), expected);
        fig.facts.insert(QStringLiteral("journal_mode"), journalMode);
        for (int i = 0; i < std::max(1, config.purgeRuns); ++i) {
            if (!purgeWithWriterRun(config, journalMode, false, expected, &fig)
                || !purgeWithWriterRun(config, journalMode, true, expected, &fig))
                break;
        }
        const auto waits = fig.series.find(QStringLiteral("writer_longest_wait_ms"));
        if (waits != fig.series.end())
            fig.facts.insert(QStringLiteral("writer_longest_wait_max_ms"),
                             *std::max_element(waits->second.begin(), waits->second.end()));
        const auto failures = fig.series.find(QStringLiteral("writer_failed"));
        if (failures != fig.series.end())
            fig.facts.insert(QStringLiteral("writer_failed_total"),
                             std::accumulate(failures->second.begin(), failures->second.end(), 0.0));
    } else if (name == QLatin1String("browse_rss")) {
        // Open, then visit 200 pages spread over the whole table (more than the page cache
        // holds), waiting for each as a user dragging the scroll bar would.
        Session s(factory);
        if (!s.openAndSettle())
            return {{QStringLiteral("error"), s.error()}};
        const int rows = s.model().rowCount();
        constexpr int visits = 200;
        for (int i = 0; i < visits && rows > 0; ++i) {
            const int row = int(qint64(rows - 1) * i / (visits - 1));
            // One stall figure per visit: the table's stall is their median, the worst is in
            // stall_max_ms and how many exceeded 30 ms in visits_stalled_over_30ms.
            if (!timeVisit(s, row, &fig))
                break;
        }
        fig.facts.insert(QStringLiteral("pages_visited"), int(fig.stalk.size()));
        fig.facts.insert(QStringLiteral("visits_stalled_over_30ms"),
                         int(std::count_if(fig.stall.begin(), fig.stall.end(), [](double v) { return v > 30; })));
    } else {
        return {{QStringLiteral("error"), QStringLiteral("unknown case ") + name}};
    }
    return fig.toJson(rssStart);
}

// --- PostgreSQL and MariaDB ------------------------------------------------------------------

namespace {

/// The bare search predicate on a server for one term: one test per column (PostgreSQL's
/// ILIKE; MariaDB's LIKE, case-insensitive under the tables' utf8mb4_general_ci).
QString serverLikePredicate(const ServerDb::Engine &engine)
{
    return QStringLiteral(" WHERE (task_id %1 ? OR task_name %1 ? OR status %1 ? OR task_args %1 ? OR task_kwargs %1 ?)")
        .arg(engine.isPostgres() ? QStringLiteral("ILIKE") : QStringLiteral("LIKE"));
}

/// The purge cutoff as the engine reads a literal (timestamptz needs the offset).
QString serverCutoff(const ServerDb::Engine &engine)
{
    return QString::fromLatin1(Generator::Facts::purgeCutoff) + (engine.isPostgres() ? QStringLiteral("+00") : QString());
}

/// One run of the `stalk` command line (STALK_CLI). After capSeconds it gets SIGINT, as from
/// Ctrl+C (a purge then completes the batch in flight, prints what it deleted and exits 1).
struct CliRun
{
    double ms = -1;
    bool stopped = false; ///< still running at the cap
    int exitCode = -1;
    QString output;       ///< stdout and stderr
};

CliRun runStalk(const QStringList &args, int capSeconds)
{
    CliRun run;
    QProcess p;
    p.setProcessChannelMode(QProcess::MergedChannels);
    const double t0 = nowMs();
    p.start(QStringLiteral(STALK_CLI), args);
    if (!p.waitForStarted(30000)) {
        run.output = p.errorString();
        return run;
    }
    if (!p.waitForFinished(capSeconds * 1000) && p.state() != QProcess::NotRunning) {
        run.stopped = true;
        ::kill(pid_t(p.processId()), SIGINT);
        if (!p.waitForFinished(120000)) {
            p.kill();
            p.waitForFinished(-1);
        }
    }
    run.ms = nowMs() - t0;
    run.exitCode = p.exitStatus() == QProcess::NormalExit ? p.exitCode() : -1;
    run.output = QString::fromLocal8Bit(p.readAll()).trimmed();
    return run;
}

/// "longest wait X ms, F failed writes, W results stored" of a writer's summary.
QString writerText(const SqliteWriterProcess::Summary &w)
{
    return QStringLiteral("writer: longest wait %1 ms, %2 failed writes, %3 results stored")
        .arg(QString::number(w.longestWaitMs, 'f', 0))
        .arg(w.failed)
        .arg(w.written);
}

/// One purge on a server with the writer storing a result every 50 ms on its own connection:
/// `purge` runs it and returns elapsed ms (or -1, *error set); whether it was stopped at the
/// cap; the writer's summary. Checks afterwards that every result the writer stored is there.
struct ServerPurge
{
    double ms = -1;
    bool stopped = false;
    qint64 deleted = -1;
    SqliteWriterProcess::Summary writer;
    QString error;
};

ServerPurge purgeWithServerWriter(ServerDb::Floor &floor, const QString &url, const QString &cutoff, qint64 expected,
                                  const std::function<double(bool *stopped, QString *error)> &purge)
{
    ServerPurge r;
    SqliteWriterProcess writer;
    if (!writer.start(url, &r.error))
        return r;
    r.ms = purge(&r.stopped, &r.error);
    r.writer = writer.stop();
    if (!r.writer.ok) {
        r.error = QStringLiteral("the writer printed no summary: ") + QString::fromUtf8(r.writer.json);
        return r;
    }
    const qint64 left = floor.scalar(QStringLiteral("SELECT COUNT(*) FROM %1 WHERE date_done < ?").arg(kTable), {cutoff});
    r.deleted = expected - left;
    const qint64 kept = floor.scalar(QStringLiteral("SELECT COUNT(*) FROM %1 WHERE task_id LIKE 'live-%'").arg(kTable));
    if (kept != r.writer.written)
        r.error = QStringLiteral("the writer stored %1 results, %2 are left").arg(r.writer.written).arg(kept);
    else if (r.error.isEmpty() && !r.stopped && left != 0)
        r.error = QStringLiteral("%1 expired results are left").arg(left);
    return r;
}

/// "stopped after N s (d of e rows, r rows/s)" or "".
QString stoppedText(const ServerPurge &p, qint64 expected)
{
    if (!p.stopped)
        return {};
    return QStringLiteral("stopped after %1 s (%2 of %3 rows, %4 rows/s)")
        .arg(QString::number(p.ms / 1000.0, 'f', 0))
        .arg(p.deleted)
        .arg(expected)
        .arg(QString::number(p.ms > 0 ? double(p.deleted) / (p.ms / 1000.0) : 0, 'f', 0));
}

/// The purge case: one bare DELETE (+ groups), then, on a reloaded database, `stalk purge
/// --yes`, each with the writer running. The bare DELETE is bounded by the server's own
/// statement timeout at the cap (it then rolls back: 0 rows).
void serverPurgeCase(const ServerDb::Engine &engine, const Cases::Config &config, const QString &url, Figures *fig)
{
    const QString cutoff = serverCutoff(engine);
    QString error;
    ServerDb::Floor floor;
    auto reopen = [&] { return floor.open(engine, url, &error); };
    auto reload = [&] {
        floor.close();
        const ServerDb::Load load = ServerDb::load(engine, config.serverUrl, config.db, config.jumpIndexes);
        fig->add(QStringLiteral("reload_ms"), load.copyMs + load.indexMs);
        error = load.error;
        return load.error.isEmpty() && reopen();
    };
    // Both purges start on a database just loaded the same way: right after a load the server
    // is still writing it out (PostgreSQL's checkpoint, InnoDB's page flushing), which slowed
    // whichever purge came right after it (PostgreSQL, two runs: the bare DELETE took 2.4 s
    // after the other cases had run, 4.4 s right after the load).
    if (!reload()) {
        fig->error = error.isEmpty() ? floor.lastError() : error;
        return;
    }
    const qint64 expected = floor.scalar(QStringLiteral("SELECT COUNT(*) FROM %1 WHERE date_done < ?").arg(kTable), {cutoff});
    fig->facts.insert(QStringLiteral("expected"), expected);

    const int capMs = config.capSeconds * 1000;
    floor.exec(engine.isPostgres() ? QStringLiteral("SET statement_timeout = %1").arg(capMs)
                                   : QStringLiteral("SET SESSION max_statement_time = %1").arg(config.capSeconds));
    const ServerPurge bare = purgeWithServerWriter(floor, url, cutoff, expected, [&](bool *stopped, QString *err) {
        const double t0 = nowMs();
        const bool ok = floor.time(QStringLiteral("DELETE FROM %1 WHERE date_done < ?").arg(kTable), {cutoff}) >= 0
            && floor.time(QStringLiteral("DELETE FROM %1 WHERE date_done < ?").arg(QLatin1String(SqlFloor::groupTable)), {cutoff}) >= 0;
        const double ms = nowMs() - t0;
        if (!ok && ms >= capMs * 0.95)
            *stopped = true;
        else if (!ok)
            *err = floor.lastError();
        return ms;
    });
    floor.exec(engine.isPostgres() ? QStringLiteral("SET statement_timeout = 0") : QStringLiteral("SET SESSION max_statement_time = 0"));
    if (!bare.error.isEmpty()) {
        fig->error = QStringLiteral("bare DELETE: ") + bare.error;
        return;
    }
    fig->floor.push_back(bare.ms);
    QStringList notes;
    notes << QStringLiteral("one bare DELETE (floor): %1; %2")
                 .arg(bare.stopped ? QStringLiteral("stopped after %1 s (0 rows: the statement rolled back)")
                                         .arg(QString::number(bare.ms / 1000.0, 'f', 0))
                                   : QStringLiteral("%1 rows").arg(bare.deleted),
                      writerText(bare.writer));
    fig->add(QStringLiteral("floor_writer_longest_wait_ms"), bare.writer.longestWaitMs);
    fig->add(QStringLiteral("floor_writer_failed"), double(bare.writer.failed));

    if (!reload()) {
        fig->error = error.isEmpty() ? floor.lastError() : error;
        return;
    }
    CliRun cli;
    const ServerPurge stalk = purgeWithServerWriter(floor, url, cutoff, expected, [&](bool *stopped, QString *err) {
        cli = runStalk({QStringLiteral("purge"), url, QStringLiteral("--before"), QStringLiteral("2025-01-31T00:00:00Z"),
                        QStringLiteral("--yes")},
                       config.capSeconds);
        *stopped = cli.stopped;
        if (!cli.stopped && cli.exitCode != 0)
            *err = QStringLiteral("stalk purge failed (exit %1): %2").arg(cli.exitCode).arg(cli.output.right(300));
        return cli.ms;
    });
    if (!stalk.error.isEmpty()) {
        fig->error = QStringLiteral("stalk purge: ") + stalk.error;
        return;
    }
    fig->stalk.push_back(stalk.ms);
    notes << QStringLiteral("`stalk purge --yes`: %1; %2")
                 .arg(stalk.stopped ? stoppedText(stalk, expected) : QStringLiteral("%1 rows").arg(stalk.deleted),
                      writerText(stalk.writer));
    fig->add(QStringLiteral("writer_longest_wait_ms"), stalk.writer.longestWaitMs);
    fig->add(QStringLiteral("writer_failed"), double(stalk.writer.failed));
    fig->facts.insert(QStringLiteral("deleted"), stalk.deleted);
    fig->facts.insert(QStringLiteral("stopped"), stalk.stopped);
    fig->facts.insert(QStringLiteral("note"), notes.join(QStringLiteral("\n")));
}

} // namespace

QStringList Cases::serverCases()
{
    return {QStringLiteral("first_page"),   QStringLiteral("jump_middle"),  QStringLiteral("jump_last"),
            QStringLiteral("jump_middle_by_task"), QStringLiteral("jump_middle_failures"),
            QStringLiteral("search_page"),  QStringLiteral("count_search"), QStringLiteral("facets"),
            QStringLiteral("search_rare_settled"), QStringLiteral("stats_by_hour"), QStringLiteral("runtimes"),
            QStringLiteral("failures"), QStringLiteral("count_exception"), QStringLiteral("purge")};
}

QJsonObject Cases::runServer(const QString &name, const Config &config)
{
    const qint64 rssStart = Bench::procStatusKb("VmRSS");
    const ServerDb::Engine engine = ServerDb::engine(config.engine);
    const QString url = ServerDb::benchUrl(config.serverUrl);
    Figures fig;
    fig.idleStall = idleStallMs();
    const Outcome<StoreFactory> made = makeStoreFactory(url);
    if (!made)
        return {{QStringLiteral("error"), made.error().message}};
    const StoreFactory factory = *made;
    ServerDb::Floor floor;
    QString error;
    if (!floor.open(engine, url, &error))
        return {{QStringLiteral("error"), error}};
    const int runs = std::max(1, config.runs);
    Session::waitCapMs = config.capSeconds * 1000;
    const QString term = QString::fromLatin1(Generator::Facts::nameWord);
    TaskQuery search;
    search.search = term;
    const QString like = QLatin1Char('%') + term + QLatin1Char('%');

    if (name == QLatin1String("first_page")) {
        for (int i = 0; i < runs; ++i) {
            Session s(factory);
            StallMonitor stall;
            if (!timeFirstRows(s, factory, stall, &fig))
                break;
            s.waitFor([&] { return s.idle(); });
            fig.add(QStringLiteral("stalk_count_ms"), s.counted());
            fig.add(QStringLiteral("stalk_facets_ms"), s.facetsAt());
            fig.stall.push_back(stall.stop());
            // Floor: a connection of its own, then the first page.
            ServerDb::Floor f;
            const double t0 = nowMs();
            const bool ok = f.open(engine, url, &error) && f.time(pageSql(QString())) >= 0;
            fig.floor.push_back(ok ? nowMs() - t0 : -1);
        }
        fig.facts.insert(QStringLiteral("plan_page"), floor.plan(pageSql(QString())));
    } else if (name == QLatin1String("jump_middle") || name == QLatin1String("jump_last")) {
        for (int i = 0; i < runs; ++i) {
            const qint64 offset = timeJump(factory, name, &fig);
            if (offset < 0)
                break;
            const double a = floor.time(lateLookupSql(), {offset});
            const double b = floor.time(offsetPageSql(), {offset});
            fig.add(QStringLiteral("floor_late_lookup_ms"), a);
            fig.add(QStringLiteral("floor_naive_offset_ms"), b);
            fig.floor.push_back(a < 0 ? b : b < 0 ? a : std::min(a, b));
        }
    } else if (name == QLatin1String("jump_middle_by_task") || name == QLatin1String("jump_middle_failures")) {
        // Issue 17's "any page" for another sort column (task name, a run of ~25,000 rows per
        // name here) and for a filter (FAILURE, ~5% of the rows) sorted by date_done.
        TaskQuery query;
        QString where, sort = QStringLiteral("date_done");
        QVariantList values;
        if (name == QLatin1String("jump_middle_by_task")) {
            query.sortField = Field::TaskName;
            query.sortOrder = Qt::DescendingOrder;
            sort = QStringLiteral("task_name");
        } else {
            query.statuses = {QStringLiteral("FAILURE")};
            where = QStringLiteral(" WHERE status = ?");
            values = {QStringLiteral("FAILURE")};
        }
        const QString late = lateLookupSql(where, sort);
        const QString naive = offsetPageSql(where, sort);
        for (int i = 0; i < runs; ++i) {
            const qint64 offset = timeJump(factory, name, &fig, &query);
            if (offset < 0)
                break;
            const double a = floor.time(late, values + QVariantList{offset});
            const double b = floor.time(naive, values + QVariantList{offset});
            fig.add(QStringLiteral("floor_late_lookup_ms"), a);
            fig.add(QStringLiteral("floor_naive_offset_ms"), b);
            fig.floor.push_back(a < 0 ? b : b < 0 ? a : std::min(a, b));
            if (i == 0)
                fig.facts.insert(QStringLiteral("plan_late_lookup"), floor.plan(late, values + QVariantList{offset}));
        }
        // The jump sorted by task name goes through the runs the facets counted (SeekPager),
        // which the window reads for every query, before any jump: their cost, said apart.
        if (name == QLatin1String("jump_middle_by_task")) {
            fig.facts.insert(QStringLiteral("note"),
                             QStringLiteral("the query's facets (4 GROUP BYs, the runs of each task name among them) "
                                            "on screen %1 ms after it, before the jump (median)")
                                 .arg(Bench::median(fig.series[QStringLiteral("stalk_facets_ms")]), 0, 'f', 1));
        }
    } else if (name == QLatin1String("search_page")) {
        fig.facts.insert(QStringLiteral("term"), term);
        measureQuery(factory, search, runs, &fig);
        const QString searchPage = pageSql(serverLikePredicate(engine));
        for (int i = 0; i < runs; ++i) {
            // Floor: the page on a connection in the state of the store's when the search is
            // typed: it has read the first page, and never this statement, whose first plan
            // on a connection reads the catalog (PostgreSQL: ~3 ms of a ~10 ms page). The
            // same page on the long-lived connection, planned before, is beside it.
            ServerDb::Floor fresh;
            const bool ok = fresh.open(engine, url, &error) && fresh.time(pageSql(QString())) >= 0;
            fig.floor.push_back(ok ? fresh.time(searchPage, times5(like)) : -1);
            fig.add(QStringLiteral("floor_planned_before_ms"), floor.time(searchPage, times5(like)));
        }
        fig.facts.insert(QStringLiteral("note"),
                         QStringLiteral("floor on a connection that ran it before (planned once already): %1 ms")
                             .arg(Bench::median(fig.series[QStringLiteral("floor_planned_before_ms")]), 0, 'f', 1));
        fig.facts.insert(QStringLiteral("plan_page"), floor.plan(searchPage, times5(like)));
    } else if (name == QLatin1String("count_search")) {
        fig.facts.insert(QStringLiteral("term"), term);
        std::unique_ptr<ResultStore> store = factory();
        if (const StoreError e = store->open())
            return {{QStringLiteral("error"), e.message}};
        const QString countSql = QStringLiteral("SELECT COUNT(*) FROM %1%2").arg(kTable, serverLikePredicate(engine));
        for (int i = 0; i < runs; ++i) {
            double t0 = nowMs();
            const Outcome<qint64> n = store->count(search);
            fig.stalk.push_back(nowMs() - t0);
            if (!n) {
                fig.error = n.error().message;
                break;
            }
            fig.facts.insert(QStringLiteral("matching"), *n);
            fig.floor.push_back(floor.time(countSql, times5(like)));
            // The whole command line, as a cron job or a script runs it.
            const CliRun cli = runStalk({QStringLiteral("count"), url, QStringLiteral("--search"), term}, config.capSeconds);
            fig.add(QStringLiteral("cli_ms"), cli.exitCode == 0 ? cli.ms : -1);
        }
        fig.facts.insert(QStringLiteral("note"),
                         QStringLiteral("`stalk count --search %1` (the whole process): %2 ms")
                             .arg(term, QString::number(Bench::median(fig.series[QStringLiteral("cli_ms")]), 'f', 1)));
        fig.facts.insert(QStringLiteral("plan_count"), floor.plan(countSql, times5(like)));
    } else if (name == QLatin1String("count_exception")) {
        // `--exception ValueError` on a server: the rows that may hold it read and decoded by
        // Stalk's reader, then COUNT(*) of their ids; a new store each run, so that the rows
        // are found every time. Floor: one bare scan for the JSON text a person would grep for.
        TaskQuery query;
        query.exceptions = {QStringLiteral("ValueError")};
        const QString countSql = QStringLiteral("SELECT COUNT(*) FROM %1 WHERE result LIKE ?").arg(kTable);
        const QVariantList pattern{QStringLiteral("%\"exc_type\": \"ValueError\"%")};
        for (int i = 0; i < runs; ++i) {
            std::unique_ptr<ResultStore> store = factory();
            if (const StoreError e = store->open())
                return {{QStringLiteral("error"), e.message}};
            const double t0 = nowMs();
            const Outcome<qint64> n = store->count(query);
            fig.stalk.push_back(nowMs() - t0);
            if (!n) {
                fig.error = n.error().message;
                break;
            }
            fig.facts.insert(QStringLiteral("matching"), *n);
            fig.floor.push_back(floor.time(countSql, pattern));
            const CliRun cli = runStalk({QStringLiteral("count"), url, QStringLiteral("--exception"), QStringLiteral("ValueError")},
                                        config.capSeconds);
            fig.add(QStringLiteral("cli_ms"), cli.exitCode == 0 ? cli.ms : -1);
        }
        fig.facts.insert(QStringLiteral("note"),
                         QStringLiteral("`stalk count --exception ValueError` (the whole process): %1 ms")
                             .arg(QString::number(Bench::median(fig.series[QStringLiteral("cli_ms")]), 'f', 1)));
    } else if (name == QLatin1String("facets")) {
        std::unique_ptr<ResultStore> store = factory();
        if (const StoreError e = store->open())
            return {{QStringLiteral("error"), e.message}};
        for (int i = 0; i < runs; ++i) {
            const double t0 = nowMs();
            const Outcome<Facets> facets = store->facets(TaskQuery());
            fig.stalk.push_back(nowMs() - t0);
            if (!facets) {
                fig.error = facets.error().message;
                break;
            }
            double total = 0;
            for (const char *column : {"status", "task_name", "worker", "periodic_task_name"}) {
                total += floor.time(QStringLiteral("SELECT %1, COUNT(*) FROM %2 GROUP BY %1 ORDER BY COUNT(*) DESC, %1")
                                        .arg(QLatin1String(column), kTable));
            }
            fig.floor.push_back(total);
        }
    } else if (name == QLatin1String("search_rare_settled")) {
        // Issue 13 item 3 on a server. Floor: one bare scan of the same predicate. Also the
        // bare statements of the window's path before the tally (the page, COUNT(*), the
        // four GROUP BYs), to compare with.
        const QString rare = QString::fromLatin1(Generator::Facts::rareWord);
        const QVariantList rareLike = times5(QLatin1Char('%') + rare + QLatin1Char('%'));
        const QString where = serverLikePredicate(engine);
        for (int i = 0; i < runs; ++i) {
            if (!timeSettledSearch(factory, rare, &fig))
                break;
            fig.floor.push_back(floor.time(QStringLiteral("SELECT COUNT(*) FROM %1%2").arg(kTable, where), rareLike));
            fig.add(QStringLiteral("floor_page_ms"), floor.time(pageSql(where), rareLike));
            double groups = 0;
            for (const char *column : {"status", "task_name", "worker", "periodic_task_name"}) {
                groups += floor.time(QStringLiteral("SELECT %1, COUNT(*) FROM %2%3 GROUP BY %1 ORDER BY COUNT(*) DESC, %1")
                                         .arg(QLatin1String(column), kTable, where),
                                     rareLike);
            }
            fig.add(QStringLiteral("floor_four_group_bys_ms"), groups);
        }
        noteSettledSearch(rare, &fig);
        fig.facts.insert(QStringLiteral("plan_page"), floor.plan(pageSql(where), rareLike));
    } else if (name == QLatin1String("stats_by_hour") || name == QLatin1String("runtimes")
               || name == QLatin1String("failures")) {
        // Issue 14 on a server: the store's aggregate against the bare SQL of the same
        // aggregate in the engine's own dialect (hand-written, as the SQLite cases' floors).
        std::unique_ptr<ResultStore> store = factory();
        if (const StoreError e = store->open())
            return {{QStringLiteral("error"), e.message}};
        const bool pg = engine.isPostgres();
        const QString seconds = pg ? QStringLiteral("EXTRACT(EPOCH FROM date_done - date_created)")
                                   : QStringLiteral("TIMESTAMPDIFF(MICROSECOND, date_created, date_done) / 1000000.0");
        QString bare;
        if (name == QLatin1String("stats_by_hour")) {
            bare = QStringLiteral("SELECT %1, status, COUNT(*) FROM %2 GROUP BY 1, 2")
                       .arg(pg ? QStringLiteral("date_trunc('hour', date_done)")
                               : QStringLiteral("DATE_FORMAT(date_done, '%Y-%m-%d %H:00:00')"),
                            kTable);
        } else if (name == QLatin1String("runtimes")) {
            bare = runtimesFloorSql(seconds, true);
        } else {
            bare = QStringLiteral("SELECT task_name, status, worker, result, CASE WHEN result LIKE '%\"exc_type\"%' "
                                  "THEN NULL ELSE traceback END, content_type, content_encoding, COUNT(*), "
                                  "MIN(date_done), MAX(date_done) FROM %1 WHERE status = 'FAILURE' GROUP BY 1, 2, 3, 4, 5, 6, 7")
                       .arg(kTable);
        }
        TaskQuery failures;
        failures.statuses = {QStringLiteral("FAILURE")};
        for (int i = 0; i < runs; ++i) {
            const double t0 = nowMs();
            qint64 groups = -1;
            QString error;
            if (name == QLatin1String("stats_by_hour")) {
                const Outcome<StatusHistory> h = store->statusHistory(TaskQuery(), TimeBucket::Hour);
                if (h)
                    groups = h->buckets.size();
                else
                    error = h.error().message;
            } else if (name == QLatin1String("runtimes")) {
                const Outcome<RuntimeTable> r = store->runtimes(TaskQuery());
                if (r)
                    groups = r->tasks.size();
                else
                    error = r.error().message;
            } else {
                const Outcome<FailureTable> f = store->failures(failures);
                if (f) {
                    groups = f->groups.size();
                    fig.facts.insert(QStringLiteral("parts_read"), f->partsRead);
                    fig.facts.insert(QStringLiteral("results_decoded"), f->resultsDecoded);
                } else {
                    error = f.error().message;
                }
            }
            if (!error.isEmpty()) {
                fig.error = error;
                break;
            }
            fig.stalk.push_back(nowMs() - t0);
            fig.floor.push_back(floor.time(bare));
            if (name == QLatin1String("runtimes"))
                fig.add(QStringLiteral("floor_without_trend_ms"), floor.time(runtimesFloorSql(seconds, false)));
            fig.facts.insert(name == QLatin1String("stats_by_hour") ? QStringLiteral("buckets")
                                 : name == QLatin1String("runtimes") ? QStringLiteral("task_names")
                                                                     : QStringLiteral("groups"),
                             groups);
        }
        fig.facts.insert(QStringLiteral("plan_floor"), floor.plan(bare));
    } else if (name == QLatin1String("purge")) {
        floor.close();
        serverPurgeCase(engine, config, url, &fig);
    } else {
        return {{QStringLiteral("error"), QStringLiteral("unknown case ") + name}};
    }
    return fig.toJson(rssStart);
}

// --- CouchDB ---------------------------------------------------------------------------------

namespace {

/// Blocking HTTP calls with a local event loop (this is the benchmark's main thread; the
/// store under test runs its own network thread). Used to fill the database and as the
/// floor: the same _all_docs pages with nothing but HTTP.
class Http final
{
public:
    explicit Http(const QString &serverUrl)
    {
        QUrl url(serverUrl);
        m_auth = "Basic " + (url.userName() + QLatin1Char(':') + url.password()).toUtf8().toBase64();
        url.setUserInfo(QString());
        url.setPath(QString());
        m_base = url;
    }
    struct Reply
    {
        int status = 0;
        QByteArray body;
        QString error;
    };
    Reply call(const QByteArray &verb, const QString &path, const QUrlQuery &query = {}, const QByteArray &body = {})
    {
        QUrl url = m_base;
        url.setPath(path);
        url.setQuery(query);
        QNetworkRequest request(url);
        request.setRawHeader("Authorization", m_auth);
        request.setHeader(QNetworkRequest::ContentTypeHeader, QStringLiteral("application/json"));
        QNetworkReply *reply = m_nam.sendCustomRequest(request, verb, body);
        QEventLoop loop;
        QObject::connect(reply, &QNetworkReply::finished, &loop, &QEventLoop::quit);
        if (!reply->isFinished())
            loop.exec();
        Reply r;
        r.status = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
        r.body = reply->readAll();
        if (reply->error() != QNetworkReply::NoError && r.status == 0)
            r.error = reply->errorString();
        reply->deleteLater();
        return r;
    }

private:
    QNetworkAccessManager m_nam;
    QByteArray m_auth;
    QUrl m_base;
};

QString jsonKey(const QString &key)
{
    return QString::fromUtf8(QJsonDocument(QJsonArray{key}).toJson(QJsonDocument::Compact).mid(1).chopped(1));
}

/// The Celery key ranges paged as CouchStore pages them (startkey = last id, limit 1000),
/// bodies read and nothing parsed but the last id. Returns ms and the rows seen.
double fetchAllPagesBare(Http &http, const QString &database, qint64 *rowsOut)
{
    const double t0 = nowMs();
    qint64 rows = 0;
    const QString high(QChar(0xfff0));
    for (const QString &prefix : {QStringLiteral("celery-task-meta-"), QStringLiteral("celery-taskset-meta-")}) {
        QString cursor;
        for (;;) {
            QUrlQuery q;
            q.addQueryItem(QStringLiteral("include_docs"), QStringLiteral("true"));
            q.addQueryItem(QStringLiteral("startkey"), QString::fromUtf8(QUrl::toPercentEncoding(jsonKey(cursor.isNull() ? prefix : cursor))));
            q.addQueryItem(QStringLiteral("endkey"), QString::fromUtf8(QUrl::toPercentEncoding(jsonKey(prefix + high))));
            q.addQueryItem(QStringLiteral("limit"), QStringLiteral("1000"));
            const Http::Reply r = http.call("GET", QLatin1Char('/') + database + QStringLiteral("/_all_docs"), q);
            if (r.status != 200)
                return -1;
            const int n = int(r.body.count("\"key\":"));
            rows += n;
            if (n < 1000)
                break;
            const qsizetype at = r.body.lastIndexOf("{\"id\":\"");
            if (at < 0)
                break;
            const qsizetype from = at + 7;
            cursor = QString::fromUtf8(r.body.mid(from, r.body.indexOf('"', from) - from));
            --rows; // the next page starts at this row again
        }
    }
    if (rowsOut)
        *rowsOut = rows;
    return nowMs() - t0;
}

/// An index-backed store (CouchDB, Redis) opened through the model: the first rows on screen,
/// then the whole index; floor() measures the engine's own first batch.
void measureFirstRows(const StoreFactory &factory, int runs, Figures *fig, const std::function<double()> &floor)
{
    for (int i = 0; i < runs; ++i) {
        Session s(factory);
        StallMonitor stall;
        if (!timeFirstRows(s, factory, stall, fig))
            break;
        fig->add(QStringLiteral("stalk_open_ms"), s.opened());
        s.waitFor([&] { return s.idle(); });
        // The whole index through the model: loading over, the last refresh answered.
        fig->add(QStringLiteral("stalk_index_complete_ms"), s.since());
        fig->facts.insert(QStringLiteral("rows_when_complete"), s.model().rowCount());
        fig->stall.push_back(stall.stop());
        fig->add(QStringLiteral("stall_ended_at_ms"), stall.longestEndedAt());
        if (i == 0)
            fig->facts.insert(QStringLiteral("rss_peak_first_run_kb"), Bench::procStatusKb("VmHWM"));
        fig->floor.push_back(floor());
    }
}

/// Celery metas with the same mix as the SQLite generator, as Celery's CouchBackend and
/// RedisBackend write them (result_extended keys included, date_done naive UTC ISO):
/// deterministic, one after another.
class MetaGenerator final
{
public:
    QJsonObject next(QString *idOut)
    {
        auto next = [this] { return random(); };
        const quint64 a = next(), b = next();
        *idOut = QStringLiteral("%1-%2-4%3-%4-%5")
                               .arg(a & 0xffffffffULL, 8, 16, QLatin1Char('0'))
                               .arg((a >> 32) & 0xffff, 4, 16, QLatin1Char('0'))
                               .arg((a >> 48) & 0xfff, 3, 16, QLatin1Char('0'))
                               .arg(0x8000 | (b & 0x3fff), 4, 16, QLatin1Char('0'))
                               .arg((b >> 16) & 0xffffffffffffULL, 12, 16, QLatin1Char('0'));
        const QString &id = *idOut;
        const quint64 roll = next() % 1000;
        const QString status = roll < 900 ? QStringLiteral("SUCCESS") : roll < 950 ? QStringLiteral("FAILURE")
                             : roll < 970 ? QStringLiteral("STARTED") : roll < 990 ? QStringLiteral("RETRY")
                                          : QStringLiteral("REVOKED");
        QJsonObject meta;
        meta.insert(QStringLiteral("status"), status);
        if (status == QLatin1String("SUCCESS")) {
            QJsonArray items;
            const int n = 1 + int(next() % 60);
            for (int k = 0; k < n; ++k)
                items.append(QJsonObject{{QStringLiteral("id"), qint64(next() % 1000000)}, {QStringLiteral("tag"), QStringLiteral("alpha")}});
            meta.insert(QStringLiteral("result"), QJsonObject{{QStringLiteral("ok"), true}, {QStringLiteral("items"), items}});
            meta.insert(QStringLiteral("traceback"), QJsonValue());
        } else {
            meta.insert(QStringLiteral("result"), QJsonObject{{QStringLiteral("exc_type"), QStringLiteral("ValueError")},
                                                               {QStringLiteral("exc_message"), QJsonArray{QStringLiteral("upstream returned 502")}},
                                                               {QStringLiteral("exc_module"), QStringLiteral("builtins")}});
            meta.insert(QStringLiteral("traceback"), status == QLatin1String("FAILURE")
                            ? QStringLiteral("Traceback (most recent call last):\n") + QString(int(1000 + next() % 2000), QLatin1Char('x'))
                            : QJsonValue());
        }
        meta.insert(QStringLiteral("children"), QJsonArray());
        const QDateTime done_ = m_first.addMSecs(qint64(next() % (60ULL * 86400000ULL)));
        meta.insert(QStringLiteral("date_done"), status == QLatin1String("STARTED") ? QJsonValue()
                                                                                 : QJsonValue(done_.toString(QStringLiteral("yyyy-MM-ddTHH:mm:ss.zzz000"))));
        meta.insert(QStringLiteral("task_id"), id);
        meta.insert(QStringLiteral("name"), m_names.at(int(next() % quint64(m_names.size()))));
        QJsonArray args{qint64(next() % 1000000), QStringLiteral("customer-%1").arg(next() % 50000)};
        if (next() % 200 == 0)
            args.append(QStringLiteral("sku-quokka-%1").arg(next() % 1000));
        meta.insert(QStringLiteral("args"), args);
        meta.insert(QStringLiteral("kwargs"), QJsonObject{{QStringLiteral("priority"), qint64(next() % 10)}});
        meta.insert(QStringLiteral("worker"), QStringLiteral("celery@worker-%1.prod.acme.internal").arg(1 + next() % 8));
        meta.insert(QStringLiteral("retries"), 0);
        meta.insert(QStringLiteral("queue"), QStringLiteral("celery"));
        return meta;
    }

private:
    quint64 random()
    {
        quint64 z = (m_state += 0x9e3779b97f4a7c15ULL);
        z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
        z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
        return z ^ (z >> 31);
    }
    quint64 m_state = 0xC0FFEEULL;
    const QStringList m_names = {QStringLiteral("acme.billing.invoices.tasks.send_invoice_reminders"),
                                 QStringLiteral("acme.billing.payments.tasks.reconcile_gateway_settlements"),
                                 QStringLiteral("acme.crm.sync.tasks.import_partner_feed"),
                                 QStringLiteral("acme.reports.daily.tasks.refresh_materialized_views"),
                                 QStringLiteral("acme.notifications.email.tasks.recompute_customer_segments"),
                                 QStringLiteral("acme.search.indexing.tasks.import_partner_feed")};
    const QDateTime m_first{QDate(2025, 1, 1), QTime(0, 0), QTimeZone::utc()};
};

/// The store's URL; `index` is its ?index= (full: every document in memory, views: the
/// server's _design/stalk).
QString couchStoreUrl(const QString &serverUrl, const QString &database, const QString &index)
{
    QUrl url(serverUrl);
    return QStringLiteral("couchdb://%1:%2@%3:%4/%5?index=%6")
        .arg(url.userName(), url.password(), url.host())
        .arg(url.port(5984))
        .arg(database, index);
}

/// A view request's query: these parameters, JSON values encoded for the URL.
QUrlQuery viewQuery(const QVector<QPair<QString, QString>> &items)
{
    QUrlQuery q;
    for (const auto &[key, value] : items)
        q.addQueryItem(key, QString::fromUtf8(QUrl::toPercentEncoding(value)));
    return q;
}

QString viewPath(const QString &database, const QString &view)
{
    return QStringLiteral("/%1/_design/stalk/_view/%2").arg(database, view);
}

/// couch_views_purge: the results of the data set's first day (1/60 of it) deleted by the
/// store's purge batches through the views, against the bare deletion of the same documents
/// (their ids from the view, their revisions, one _bulk_docs, then the view read again, which
/// brings it up to date); each time the documents are written back afterwards, so the data
/// set stays whole.
void measureCouchViewsPurge(ResultStore &store, Http &http, const QString &database, int runs, Figures *fig)
{
    PurgeCriteria criteria;
    criteria.cutoff = QDateTime(QDate(2025, 1, 2), QTime(0, 0), QTimeZone::utc());
    const QUrlQuery expiredRange = viewQuery({{QStringLiteral("startkey"), QStringLiteral("[\"\"]")},
                                              {QStringLiteral("endkey"), QStringLiteral("[\"2025-01-01\",\"23\",\"59\",\"59.999999\",{}]")},
                                              {QStringLiteral("reduce"), QStringLiteral("false")}});
    // What is deleted, to write back: the documents without their revisions.
    QUrlQuery withDocs = expiredRange;
    withDocs.addQueryItem(QStringLiteral("include_docs"), QStringLiteral("true"));
    QJsonArray saved;
    for (const QJsonValue &row : QJsonDocument::fromJson(http.call("GET", viewPath(database, QStringLiteral("by_date")), withDocs).body)
                                     .object()
                                     .value(QLatin1String("rows"))
                                     .toArray()) {
        QJsonObject doc = row.toObject().value(QLatin1String("doc")).toObject();
        doc.remove(QStringLiteral("_rev"));
        saved.append(doc);
    }
    fig->facts.insert(QStringLiteral("expired"), saved.size());
    const auto restore = [&] {
        http.call("POST", QStringLiteral("/%1/_bulk_docs").arg(database), {},
                  QJsonDocument(QJsonObject{{QStringLiteral("docs"), saved}}).toJson(QJsonDocument::Compact));
        // The views take them in again now, not during the next timing.
        http.call("GET", viewPath(database, QStringLiteral("by_date")), viewQuery({{QStringLiteral("limit"), QStringLiteral("0")}}));
        for (const QString &view : {QStringLiteral("by_status"), QStringLiteral("by_task_name"), QStringLiteral("by_worker")})
            http.call("GET", viewPath(database, view), viewQuery({{QStringLiteral("limit"), QStringLiteral("0")}}));
    };
    for (int i = 0; i < runs; ++i) {
        // Floor: the ids from the view, their revisions, one _bulk_docs deleting them all.
        double t0 = nowMs();
        QJsonArray keys;
        for (const QJsonValue &row : QJsonDocument::fromJson(http.call("GET", viewPath(database, QStringLiteral("by_date")), expiredRange).body)
                                         .object()
                                         .value(QLatin1String("rows"))
                                         .toArray())
            keys.append(row.toObject().value(QLatin1String("id")));
        const Http::Reply revs = http.call("POST", QStringLiteral("/%1/_all_docs").arg(database), {},
                                           QJsonDocument(QJsonObject{{QStringLiteral("keys"), keys}}).toJson(QJsonDocument::Compact));
        QJsonArray deletions;
        for (const QJsonValue &row : QJsonDocument::fromJson(revs.body).object().value(QLatin1String("rows")).toArray()) {
            const QJsonObject o = row.toObject();
            deletions.append(QJsonObject{{QStringLiteral("_id"), o.value(QLatin1String("id"))},
                                         {QStringLiteral("_rev"), o.value(QLatin1String("value")).toObject().value(QLatin1String("rev"))},
                                         {QStringLiteral("_deleted"), true}});
        }
        http.call("POST", QStringLiteral("/%1/_bulk_docs").arg(database), {},
                  QJsonDocument(QJsonObject{{QStringLiteral("docs"), deletions}}).toJson(QJsonDocument::Compact));
        const double deletedAt = nowMs() - t0;
        // Then the views brought up to date with the deletions: what the purge's last look at
        // the range (is anything expired left?) waits for, and every later view request would.
        http.call("GET", viewPath(database, QStringLiteral("by_date")), expiredRange);
        fig->floor.push_back(nowMs() - t0);
        fig->add(QStringLiteral("floor_without_view_update_ms"), deletedAt);
        restore();

        // Stalk: the purge's batches (Purger's first batch size) until finished.
        t0 = nowMs();
        qint64 deleted = 0;
        for (;;) {
            const Outcome<DeleteBatch> batch = store.purgeBatch(criteria, Purger::defaultBatchSize);
            if (!batch) {
                fig->error = batch.error().message;
                restore();
                return;
            }
            deleted += batch->tasks;
            if (batch->finished)
                break;
        }
        fig->stalk.push_back(nowMs() - t0);
        fig->facts.insert(QStringLiteral("deleted"), deleted);
        restore();
    }
}

/// The views mode's cases (couch_views_*), each against the bare view requests that answer it.
void runCouchViews(const QString &name, const StoreFactory &factory, Http &http, const QString &database, int runs,
                   Figures *fig)
{
    const QString date = QStringLiteral("by_date");
    if (name == QLatin1String("couch_views_first_rows")) {
        // Open through the model: nothing to load, the first page is one view request with
        // its documents. Floor: that request bare.
        measureFirstRows(factory, runs, fig, [&] {
            const double t0 = nowMs();
            http.call("GET", viewPath(database, date),
                      viewQuery({{QStringLiteral("startkey"), QStringLiteral("[{}]")}, {QStringLiteral("endkey"), QStringLiteral("[]")},
                                 {QStringLiteral("descending"), QStringLiteral("true")}, {QStringLiteral("reduce"), QStringLiteral("false")},
                                 {QStringLiteral("include_docs"), QStringLiteral("true")}, {QStringLiteral("limit"), QStringLiteral("200")}}));
            return nowMs() - t0;
        });
        return;
    }
    if (name == QLatin1String("couch_views_filter_status")) {
        TaskQuery query;
        query.statuses = {QStringLiteral("FAILURE")};
        measureQuery(factory, query, runs, fig);
        // Floor: the status's first page of the view with its documents, bare.
        for (int i = 0; i < runs; ++i) {
            const double t0 = nowMs();
            http.call("GET", viewPath(database, QStringLiteral("by_status")),
                      viewQuery({{QStringLiteral("startkey"), QStringLiteral("[\"FAILURE\",{}]")},
                                 {QStringLiteral("endkey"), QStringLiteral("[\"FAILURE\"]")}, {QStringLiteral("descending"), QStringLiteral("true")},
                                 {QStringLiteral("reduce"), QStringLiteral("false")}, {QStringLiteral("include_docs"), QStringLiteral("true")},
                                 {QStringLiteral("limit"), QStringLiteral("200")}}));
            fig->floor.push_back(nowMs() - t0);
        }
        return;
    }
    // The store's own calls on an opened store, against the bare requests behind them.
    std::unique_ptr<ResultStore> store = factory();
    if (StoreError e = store->open()) {
        fig->error = e.message;
        return;
    }
    if (name == QLatin1String("couch_views_purge")) {
        measureCouchViewsPurge(*store, http, database, runs, fig);
        return;
    }
    PurgeCriteria criteria;
    criteria.cutoff = QDateTime(QDate(2025, 1, 31), QTime(0, 0), QTimeZone::utc()); // half of the 60 days
    for (int i = 0; i < runs; ++i) {
        double t0 = nowMs();
        if (name == QLatin1String("couch_views_count")) {
            const Outcome<qint64> n = store->count(TaskQuery());
            fig->stalk.push_back(nowMs() - t0);
            fig->facts.insert(QStringLiteral("matching"), n ? *n : -1);
            t0 = nowMs();
            http.call("GET", viewPath(database, date), viewQuery({}));
        } else if (name == QLatin1String("couch_views_facets")) {
            const Outcome<Facets> f = store->facets(TaskQuery());
            fig->stalk.push_back(nowMs() - t0);
            if (!f)
                fig->error = f.error().message;
            t0 = nowMs();
            for (const QString &view : {QStringLiteral("by_status"), QStringLiteral("by_task_name"), QStringLiteral("by_worker")})
                http.call("GET", viewPath(database, view), viewQuery({{QStringLiteral("group_level"), QStringLiteral("1")}}));
        } else {
            const Outcome<PurgePreview> preview = store->previewPurge(criteria);
            fig->stalk.push_back(nowMs() - t0);
            if (!preview) {
                fig->error = preview.error().message;
                return;
            }
            fig->facts.insert(QStringLiteral("expired"), preview->total);
            // Floor: the statuses, then one reduce per status over its expired dates.
            t0 = nowMs();
            const Http::Reply statuses = http.call("GET", viewPath(database, QStringLiteral("by_status")),
                                                   viewQuery({{QStringLiteral("group_level"), QStringLiteral("1")}}));
            for (const QJsonValue &row : QJsonDocument::fromJson(statuses.body).object().value(QLatin1String("rows")).toArray()) {
                const QString status = row.toObject().value(QLatin1String("key")).toArray().at(0).toString();
                http.call("GET", viewPath(database, QStringLiteral("by_status")),
                          viewQuery({{QStringLiteral("startkey"), QStringLiteral("[\"%1\",\"\"]").arg(status)},
                                     {QStringLiteral("endkey"), QStringLiteral("[\"%1\",\"2025-01-30\",\"23\",\"59\",\"59.999999\",{}]").arg(status)}}));
            }
        }
        fig->floor.push_back(nowMs() - t0);
    }
    fig->facts.insert(QStringLiteral("rss_peak_first_run_kb"), Bench::procStatusKb("VmHWM"));
}

} // namespace

QStringList Cases::couchCases()
{
    return {QStringLiteral("couch_first_rows"), QStringLiteral("couch_index"), QStringLiteral("couch_search_id_prefix"),
            QStringLiteral("couch_search_args_word"), QStringLiteral("couch_filter_status"),
            QStringLiteral("couch_views_first_rows"), QStringLiteral("couch_views_count"), QStringLiteral("couch_views_facets"),
            QStringLiteral("couch_views_filter_status"), QStringLiteral("couch_views_purge_preview"),
            QStringLiteral("couch_views_purge")};
}

QString Cases::ensureCouchViews(const QString &serverUrl, const QString &database, double *builtMs)
{
    // The design document the store reads, written as `stalk couch-index --create` writes it.
    CouchConfig config;
    QUrl url(serverUrl);
    config.server = QUrl(QStringLiteral("http://%1:%2").arg(url.host()).arg(url.port(5984)));
    config.user = url.userName();
    config.password = url.password();
    config.database = database;
    CouchClient client(config);
    const Outcome<CouchDesign::Status> now
        = CouchDesign::wait([&](CouchDesign::Callback done) { CouchDesign::readStatus(client, std::move(done)); });
    if (!now)
        return now.error().message;
    if (now->state != CouchDesign::Status::State::UpToDate) {
        const Outcome<CouchDesign::Status> written
            = CouchDesign::wait([&](CouchDesign::Callback done) { CouchDesign::write(client, *now, std::move(done)); });
        if (!written)
            return written.error().message;
    }
    // The server builds the views on the first request (no time-out here): once per server.
    Http http(serverUrl);
    const double t0 = nowMs();
    for (const QString &view : {QStringLiteral("by_date"), QStringLiteral("by_status"), QStringLiteral("by_task_name"),
                                QStringLiteral("by_worker")}) {
        const Http::Reply r = http.call("GET", viewPath(database, view), viewQuery({{QStringLiteral("limit"), QStringLiteral("0")}}));
        if (r.status != 200)
            return QStringLiteral("view %1 failed (HTTP %2): %3").arg(view).arg(r.status).arg(QString::fromUtf8(r.body.left(200)));
    }
    if (builtMs)
        *builtMs = nowMs() - t0;
    return {};
}

QString Cases::ensureCouchData(const QString &serverUrl, const QString &database, qint64 docs)
{
    Http http(serverUrl);
    const QString path = QLatin1Char('/') + database;
    Http::Reply info = http.call("GET", path);
    if (info.status == 200) {
        const qint64 have = QJsonDocument::fromJson(info.body).object().value(QLatin1String("doc_count")).toInteger();
        if (have >= docs)
            return {};
        http.call("DELETE", path);
    } else if (info.status == 0) {
        return QStringLiteral("cannot reach %1: %2").arg(QUrl(serverUrl).toDisplayString(QUrl::RemovePassword), info.error);
    }
    Http::Reply created = http.call("PUT", path);
    if (created.status != 201 && created.status != 202)
        return QStringLiteral("cannot create database %1 (HTTP %2)").arg(database).arg(created.status);
    std::fprintf(stderr, "writing %lld Celery documents to CouchDB database %s (once per server)\n",
                 static_cast<long long>(docs), qPrintable(database));
    MetaGenerator generator;
    constexpr int batch = 2000;
    for (qint64 done = 0; done < docs;) {
        QJsonArray array;
        for (int i = 0; i < batch && done < docs; ++i, ++done) {
            QString id;
            const QJsonObject meta = generator.next(&id);
            array.append(QJsonObject{{QStringLiteral("_id"), QStringLiteral("celery-task-meta-") + id},
                                     {QStringLiteral("value"), QString::fromUtf8(QJsonDocument(meta).toJson(QJsonDocument::Compact))}});
        }
        const Http::Reply r = http.call("POST", path + QStringLiteral("/_bulk_docs"), {},
                                        QJsonDocument(QJsonObject{{QStringLiteral("docs"), array}}).toJson(QJsonDocument::Compact));
        if (r.status != 201 && r.status != 200)
            return QStringLiteral("_bulk_docs failed (HTTP %1): %2").arg(r.status).arg(QString::fromUtf8(r.body.left(200)));
        std::fprintf(stderr, "\r  %lld / %lld documents", static_cast<long long>(done), static_cast<long long>(docs));
    }
    std::fprintf(stderr, "\n");
    return {};
}

QJsonObject Cases::runCouch(const QString &name, const QString &serverUrl, const QString &database, qint64 docs, int runs)
{
    const qint64 rssStart = Bench::procStatusKb("VmRSS");
    Figures fig;
    fig.idleStall = idleStallMs();
    const bool views = name.startsWith(QLatin1String("couch_views_"));
    const Outcome<StoreFactory> made
        = makeStoreFactory(couchStoreUrl(serverUrl, database, views ? QStringLiteral("views") : QStringLiteral("full")));
    if (!made)
        return {{QStringLiteral("error"), made.error().message}};
    const StoreFactory factory = *made;
    Http http(serverUrl);
    runs = std::max(1, runs);
    fig.facts.insert(QStringLiteral("documents"), docs);

    if (views) {
        runCouchViews(name, factory, http, database, runs, &fig);
    } else if (name == QLatin1String("couch_index")) {
        for (int i = 0; i < runs; ++i) {
            if (!timeStoreOpen(factory, &fig))
                break;
            qint64 rows = 0;
            fig.floor.push_back(fetchAllPagesBare(http, database, &rows));
            fig.facts.insert(QStringLiteral("http_rows"), rows);
        }
    } else if (name == QLatin1String("couch_first_rows")) {
        // Floor: the first _all_docs page of 200 documents.
        measureFirstRows(factory, runs, &fig, [&] {
            QUrlQuery q;
            q.addQueryItem(QStringLiteral("include_docs"), QStringLiteral("true"));
            q.addQueryItem(QStringLiteral("startkey"), QString::fromUtf8(QUrl::toPercentEncoding(jsonKey(QStringLiteral("celery-task-meta-")))));
            q.addQueryItem(QStringLiteral("limit"), QStringLiteral("200"));
            const double t0 = nowMs();
            http.call("GET", QLatin1Char('/') + database + QStringLiteral("/_all_docs"), q);
            return nowMs() - t0;
        });
    } else {
        TaskQuery query;
        if (name == QLatin1String("couch_filter_status")) {
            query.statuses = {QStringLiteral("FAILURE")};
        } else if (name == QLatin1String("couch_search_args_word")) {
            query.search = QStringLiteral("quokka");
        } else {
            const Http::Reply r = http.call("GET", QLatin1Char('/') + database + QStringLiteral("/_all_docs"),
                                            QUrlQuery{{QStringLiteral("skip"), QString::number(docs / 2)}, {QStringLiteral("limit"), QStringLiteral("1")}});
            const QJsonArray rows = QJsonDocument::fromJson(r.body).object().value(QLatin1String("rows")).toArray();
            query.search = rows.isEmpty() ? QStringLiteral("0000")
                                          : rows.at(0).toObject().value(QLatin1String("id")).toString().mid(17, 8);
        }
        fig.facts.insert(QStringLiteral("term"), query.search);
        // One open per run is 100k documents over HTTP; keep it to two runs at most.
        measureQuery(factory, query, std::min(runs, 2), &fig);
    }
    return fig.toJson(rssStart);
}

// ---- Redis -------------------------------------------------------------------------------

namespace {

/// A connection to database `db` of the server at url (redis://:pw@host:port).
std::unique_ptr<RedisConnection> redisConnection(const QString &url, StoreError *error)
{
    const Outcome<StoreUrl> parsed = StoreUrl::parse(url);
    const Outcome<RedisConfig> config = parsed ? RedisConfig::fromUrl(*parsed) : Outcome<RedisConfig>(parsed.error());
    if (!config) {
        *error = config.error();
        return nullptr;
    }
    auto c = std::make_unique<RedisConnection>(config->endpoint);
    *error = c->connect();
    return c;
}

/// The floor of the index: every Celery key's value over a bare connection, SCAN COUNT 1000,
/// pipelined as the store does (each SCAN's reply answered at once with the next SCAN and
/// the MGET of its keys, the previous MGET's reply read after), no decoding.
double scanAndMgetBare(RedisConnection &c, qint64 *keysOut)
{
    const double t0 = nowMs();
    qint64 keys = 0;
    const auto scan = [](const QByteArray &cursor) {
        return QList<QByteArray>{"SCAN", cursor, "MATCH", "celery-task-meta-*", "COUNT", "1000"};
    };
    bool scanning = !c.sendCommands({scan("0")});
    bool pending = false;
    while (scanning || pending) {
        bool mget = false;
        if (scanning) {
            const Outcome<QVector<RespValue>> r = c.replies(1);
            if (!r || r->constFirst().type != RespValue::Type::Array || r->constFirst().items.size() != 2)
                break;
            const QByteArray cursor = r->constFirst().items.at(0).text;
            QList<QByteArray> get{"MGET"};
            for (const RespValue &k : r->constFirst().items.at(1).items)
                get.append(k.text);
            keys += get.size() - 1;
            scanning = cursor != "0";
            mget = get.size() > 1;
            QVector<QList<QByteArray>> next;
            if (scanning)
                next.append(scan(cursor));
            if (mget)
                next.append(get);
            if (!next.isEmpty() && c.sendCommands(next))
                break;
        }
        if (pending && !c.replies(1))
            break;
        pending = mget;
    }
    if (keysOut)
        *keysOut = keys;
    return nowMs() - t0;
}

} // namespace

QStringList Cases::redisCases()
{
    return {QStringLiteral("redis_first_rows"), QStringLiteral("redis_index"), QStringLiteral("redis_search_args_word"),
            QStringLiteral("redis_filter_status")};
}

QString Cases::ensureRedisData(const QString &url, qint64 docs)
{
    StoreError error;
    std::unique_ptr<RedisConnection> c = redisConnection(url, &error);
    if (error)
        return error.message;
    const Outcome<RespValue> size = c->call({"DBSIZE"});
    if (!size)
        return size.error().message;
    if (size->integer == docs)
        return {};
    std::fprintf(stderr, "writing %lld Celery results to Redis (%s) as Celery's RedisBackend does (once per server)\n",
                 static_cast<long long>(docs), qPrintable(StoreUrl::parse(url)->displayString()));
    if (!c->call({"FLUSHDB"}))
        return QStringLiteral("FLUSHDB failed");
    MetaGenerator generator;
    constexpr int batch = 2000;
    for (qint64 done = 0; done < docs;) {
        QVector<QList<QByteArray>> commands;
        for (int i = 0; i < batch && done < docs; ++i, ++done) {
            QString id;
            const QJsonObject meta = generator.next(&id);
            // SETEX with result_expires' default, one day (the TTL Celery gives each result).
            commands.append({"SETEX", "celery-task-meta-" + id.toUtf8(), "86400", QJsonDocument(meta).toJson(QJsonDocument::Compact)});
        }
        const Outcome<QVector<RespValue>> r = c->pipeline(commands);
        if (!r)
            return r.error().message;
        std::fprintf(stderr, "\r  %lld / %lld keys", static_cast<long long>(done), static_cast<long long>(docs));
    }
    std::fprintf(stderr, "\n");
    return {};
}

QJsonObject Cases::runRedis(const QString &name, const QString &url, qint64 docs, int runs)
{
    const qint64 rssStart = Bench::procStatusKb("VmRSS");
    Figures fig;
    fig.idleStall = idleStallMs();
    const Outcome<StoreFactory> made = makeStoreFactory(url);
    if (!made)
        return {{QStringLiteral("error"), made.error().message}};
    const StoreFactory factory = *made;
    StoreError error;
    std::unique_ptr<RedisConnection> bare = redisConnection(url, &error);
    if (error)
        return {{QStringLiteral("error"), error.message}};
    runs = std::max(1, runs);
    fig.facts.insert(QStringLiteral("keys"), docs);

    if (name == QLatin1String("redis_index")) {
        for (int i = 0; i < runs; ++i) {
            if (!timeStoreOpen(factory, &fig))
                break;
            qint64 keys = 0;
            fig.floor.push_back(scanAndMgetBare(*bare, &keys));
            fig.facts.insert(QStringLiteral("bare_keys"), keys);
        }
    } else if (name == QLatin1String("redis_first_rows")) {
        // Floor: one SCAN batch and its values.
        measureFirstRows(factory, runs, &fig, [&] {
            const double t0 = nowMs();
            const Outcome<RespValue> scan = bare->call({"SCAN", "0", "MATCH", "celery-task-meta-*", "COUNT", "1000"});
            if (scan && scan->items.size() == 2) {
                QList<QByteArray> mget{"MGET"};
                for (const RespValue &k : scan->items.at(1).items)
                    mget.append(k.text);
                if (mget.size() > 1)
                    bare->call(mget);
            }
            return nowMs() - t0;
        });
    } else {
        TaskQuery query;
        if (name == QLatin1String("redis_filter_status"))
            query.statuses = {QStringLiteral("FAILURE")};
        else
            query.search = QStringLiteral("quokka");
        fig.facts.insert(QStringLiteral("term"), query.search);
        measureQuery(factory, query, std::min(runs, 2), &fig);
    }
    return fig.toJson(rssStart);
}
