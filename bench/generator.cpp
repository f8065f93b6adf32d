#include "generator.h"

#include <cstdio>
#include <cstring>
#include <string>
#include <vector>

#include <QDir>
#include <QFile>
#include <QFileInfo>

#include <sqlite3.h>

#include "benchutil.h"

namespace {

// Schema of django-celery-results 2.4.0 on SQLite, copied from `sqlite3 django.sqlite3 .schema`
// of a database made by Django 3.2's real `manage.py migrate` (tools/fixtures).
const char *const kSchema[] = {
    R"(CREATE TABLE IF NOT EXISTS "django_migrations" ("id" integer NOT NULL PRIMARY KEY AUTOINCREMENT, "app" varchar(255) NOT NULL, "name" varchar(255) NOT NULL, "applied" datetime NOT NULL))",
    R"(CREATE TABLE IF NOT EXISTS "django_celery_results_groupresult" ("id" integer NOT NULL PRIMARY KEY AUTOINCREMENT, "group_id" varchar(255) NOT NULL UNIQUE, "date_created" datetime NOT NULL, "date_done" datetime NOT NULL, "content_type" varchar(128) NOT NULL, "content_encoding" varchar(64) NOT NULL, "result" text NULL))",
    R"(CREATE TABLE IF NOT EXISTS "django_celery_results_chordcounter" ("id" integer NOT NULL PRIMARY KEY AUTOINCREMENT, "sub_tasks" text NOT NULL, "count" integer unsigned NOT NULL CHECK ("count" >= 0), "group_id" varchar(255) NOT NULL UNIQUE))",
    R"(CREATE INDEX "django_cele_date_cr_bd6c1d_idx" ON "django_celery_results_groupresult" ("date_created"))",
    R"(CREATE INDEX "django_cele_date_do_caae0e_idx" ON "django_celery_results_groupresult" ("date_done"))",
    R"(CREATE TABLE IF NOT EXISTS "django_celery_results_taskresult" ("id" integer NOT NULL PRIMARY KEY AUTOINCREMENT, "task_id" varchar(255) NOT NULL UNIQUE, "status" varchar(50) NOT NULL, "content_type" varchar(128) NOT NULL, "content_encoding" varchar(64) NOT NULL, "result" text NULL, "date_done" datetime NOT NULL, "traceback" text NULL, "meta" text NULL, "task_args" text NULL, "task_kwargs" text NULL, "task_name" varchar(255) NULL, "worker" varchar(100) NULL, "date_created" datetime NOT NULL, "periodic_task_name" varchar(255) NULL))",
};
// Built after the bulk insert (much faster; the result is the same index, only more compact
// than one grown row by row).
const char *const kIndexes[] = {
    R"(CREATE INDEX "django_cele_task_na_08aec9_idx" ON "django_celery_results_taskresult" ("task_name"))",
    R"(CREATE INDEX "django_cele_status_9b6201_idx" ON "django_celery_results_taskresult" ("status"))",
    R"(CREATE INDEX "django_cele_worker_d54dd8_idx" ON "django_celery_results_taskresult" ("worker"))",
    R"(CREATE INDEX "django_cele_date_cr_f04a50_idx" ON "django_celery_results_taskresult" ("date_created"))",
    R"(CREATE INDEX "django_cele_date_do_f59aad_idx" ON "django_celery_results_taskresult" ("date_done"))",
};
const char *const kMigrations[] = {
    "0001_initial", "0002_add_task_name_args_kwargs", "0003_auto_20181106_1101", "0004_auto_20190516_0412",
    "0005_taskresult_worker", "0006_taskresult_date_created", "0007_remove_taskresult_hidden",
    "0008_chordcounter", "0009_groupresult", "0010_remove_duplicate_indices",
    "0011_taskresult_periodic_task_name",
};

/// splitmix64: small, fast, deterministic.
class Rng
{
public:
    explicit Rng(quint64 seed) : m_state(seed) { }
    quint64 next()
    {
        quint64 z = (m_state += 0x9e3779b97f4a7c15ULL);
        z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
        z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
        return z ^ (z >> 31);
    }
    /// Uniform in [0, n).
    quint64 below(quint64 n) { return next() % n; }
    double unit() { return double(next() >> 11) / double(1ULL << 53); }

private:
    quint64 m_state;
};

std::vector<std::string> makeTaskNames()
{
    // ~40 long dotted paths; "reconcile" is in exactly two of them (the name-word search).
    const char *apps[] = {"acme.billing.invoices", "acme.billing.payments", "acme.crm.contacts", "acme.crm.sync",
                          "acme.reports.daily", "acme.reports.exports", "acme.notifications.email",
                          "acme.notifications.push", "acme.inventory.stock", "acme.search.indexing"};
    const char *verbs[] = {"send_invoice_reminders", "refresh_materialized_views", "import_partner_feed",
                           "recompute_customer_segments"};
    std::vector<std::string> names;
    for (const char *app : apps) {
        for (const char *verb : verbs)
            names.push_back(std::string(app) + ".tasks." + verb);
    }
    names[5] = "acme.billing.payments.tasks.reconcile_gateway_settlements";
    names[13] = "acme.crm.sync.tasks.reconcile_duplicate_accounts";
    return names;
}

std::string uuid4(Rng &rng)
{
    const quint64 a = rng.next(), b = rng.next();
    unsigned char bytes[16];
    std::memcpy(bytes, &a, 8);
    std::memcpy(bytes + 8, &b, 8);
    bytes[6] = (bytes[6] & 0x0f) | 0x40;
    bytes[8] = (bytes[8] & 0x3f) | 0x80;
    char out[37];
    std::snprintf(out, sizeof out, "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x", bytes[0],
                  bytes[1], bytes[2], bytes[3], bytes[4], bytes[5], bytes[6], bytes[7], bytes[8], bytes[9], bytes[10],
                  bytes[11], bytes[12], bytes[13], bytes[14], bytes[15]);
    return out;
}

/// Django's str(datetime) on SQLite: "YYYY-MM-DD HH:MM:SS[.ffffff]" (fraction omitted when 0).
std::string djangoDate(qint64 microsSinceFirstDay)
{
    static const qint64 firstDayDays = 20089; // 2025-01-01 as days since 1970-01-01
    const qint64 totalSec = microsSinceFirstDay / 1000000;
    const int micro = int(microsSinceFirstDay % 1000000);
    qint64 days = firstDayDays + totalSec / 86400;
    const int secOfDay = int(totalSec % 86400);
    // civil_from_days (Howard Hinnant)
    days += 719468;
    const qint64 era = days / 146097;
    const unsigned doe = unsigned(days - era * 146097);
    const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    const qint64 y0 = qint64(yoe) + era * 400;
    const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    const unsigned mp = (5 * doy + 2) / 153;
    const unsigned d = doy - (153 * mp + 2) / 5 + 1;
    const unsigned m = mp < 10 ? mp + 3 : mp - 9;
    const qint64 y = y0 + (m <= 2);
    char out[64];
    if (micro == 0) {
        std::snprintf(out, sizeof out, "%04lld-%02u-%02u %02d:%02d:%02d", static_cast<long long>(y), m, d,
                      secOfDay / 3600, secOfDay / 60 % 60, secOfDay % 60);
    } else {
        std::snprintf(out, sizeof out, "%04lld-%02u-%02u %02d:%02d:%02d.%06d", static_cast<long long>(y), m, d,
                      secOfDay / 3600, secOfDay / 60 % 60, secOfDay % 60, micro);
    }
    return out;
}

const char *const kWords[] = {"alpha", "bravo", "charlie", "delta", "echo", "foxtrot", "golf", "hotel",
                              "india", "juliet", "kilo", "lima", "mike", "november", "oscar", "papa"};

/// A JSON result of 50..2000 bytes, as Celery's json serializer writes it.
std::string successResult(Rng &rng)
{
    const size_t target = 50 + rng.below(1951);
    std::string s = "{\"ok\": true, \"processed\": " + std::to_string(rng.below(100000)) + ", \"items\": [";
    bool first = true;
    while (s.size() + 40 < target) {
        if (!first)
            s += ", ";
        first = false;
        s += "{\"id\": " + std::to_string(rng.below(1000000)) + ", \"tag\": \"" + kWords[rng.below(16)] + "\"}";
    }
    s += "]}";
    return s;
}

std::string traceback(Rng &rng, const std::string &taskName, const std::string &message)
{
    const size_t target = 1024 + rng.below(2048);
    std::string s = "Traceback (most recent call last):\n"
                    "  File \"/usr/lib/python3/dist-packages/celery/app/trace.py\", line 451, in trace_task\n"
                    "    R = retval = fun(*args, **kwargs)\n"
                    "                 ^^^^^^^^^^^^^^^^^^^^\n"
                    "  File \"/usr/lib/python3/dist-packages/celery/app/trace.py\", line 734, in __protected_call__\n"
                    "    return self.run(*args, **kwargs)\n";
    std::string path = taskName.substr(0, taskName.rfind('.'));
    for (char &c : path) {
        if (c == '.')
            c = '/';
    }
    int line = 10;
    while (s.size() + 200 < target) {
        line += int(rng.below(90)) + 1;
        s += "  File \"/srv/app/" + path + ".py\", line " + std::to_string(line) + ", in " + kWords[rng.below(16)]
            + "_step\n    result = client." + kWords[rng.below(16)] + "(payload, timeout=30)\n";
    }
    s += "ValueError: " + message + "\n";
    return s;
}

/// A Python repr of an args tuple, as a JSON string (what Celery writes into task_args).
std::string argsJson(Rng &rng, bool withArgsWord)
{
    std::string repr = "(";
    repr += std::to_string(rng.below(1000000));
    repr += ", 'customer-" + std::to_string(rng.below(50000)) + "'";
    if (withArgsWord)
        repr += std::string(", 'sku-") + Generator::Facts::argsWord + "-" + std::to_string(rng.below(1000)) + "'";
    const int extra = int(rng.below(4));
    for (int i = 0; i < extra; ++i)
        repr += std::string(", '") + kWords[rng.below(16)] + "'";
    repr += ")";
    return "\"" + repr + "\"";
}

std::string kwargsJson(Rng &rng)
{
    switch (rng.below(3)) {
    case 0: return "\"{}\"";
    case 1: return "\"{'priority': " + std::to_string(rng.below(10)) + "}\"";
    default: return "\"{'dry_run': False, 'batch': " + std::to_string(rng.below(500)) + "}\"";
    }
}

QString sqliteError(sqlite3 *db, const char *what)
{
    return QStringLiteral("%1: %2").arg(QString::fromUtf8(what), QString::fromUtf8(sqlite3_errmsg(db)));
}

bool exec(sqlite3 *db, const char *sql, QString *error)
{
    char *message = nullptr;
    if (sqlite3_exec(db, sql, nullptr, nullptr, &message) != SQLITE_OK) {
        *error = QStringLiteral("%1: %2").arg(QString::fromUtf8(sql).left(80), QString::fromUtf8(message));
        sqlite3_free(message);
        return false;
    }
    return true;
}

QString generate(const QString &path, qint64 rows)
{
    QFile::remove(path);
    sqlite3 *db = nullptr;
    if (sqlite3_open(QFile::encodeName(path).constData(), &db) != SQLITE_OK) {
        const QString e = sqliteError(db, "open");
        sqlite3_close(db);
        return e;
    }
    QString error;
    auto fail = [&](const QString &e) {
        sqlite3_close(db);
        QFile::remove(path);
        return e;
    };
    if (!exec(db, "PRAGMA journal_mode=OFF; PRAGMA synchronous=OFF; PRAGMA cache_size=-524288", &error))
        return fail(error);
    for (const char *ddl : kSchema) {
        if (!exec(db, ddl, &error))
            return fail(error);
    }
    if (!exec(db, "BEGIN", &error))
        return fail(error);
    {
        sqlite3_stmt *m = nullptr;
        sqlite3_prepare_v2(db, "INSERT INTO django_migrations(app, name, applied) VALUES('django_celery_results', ?, '2024-06-01 10:00:00.000000')", -1, &m, nullptr);
        for (const char *name : kMigrations) {
            sqlite3_bind_text(m, 1, name, -1, SQLITE_STATIC);
            sqlite3_step(m);
            sqlite3_reset(m);
        }
        sqlite3_finalize(m);
    }

    sqlite3_stmt *ins = nullptr;
    if (sqlite3_prepare_v2(db,
                           "INSERT INTO django_celery_results_taskresult(task_id, status, content_type, "
                           "content_encoding, result, date_done, traceback, meta, task_args, task_kwargs, task_name, "
                           "worker, date_created, periodic_task_name) VALUES(?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
                           -1, &ins, nullptr)
        != SQLITE_OK)
        return fail(sqliteError(db, "prepare insert"));

    Rng rng(0x57A1CULL ^ quint64(rows));
    const std::vector<std::string> names = makeTaskNames();
    std::vector<std::string> workers;
    for (int i = 1; i <= 8; ++i)
        workers.push_back("celery@worker-" + std::to_string(i) + ".prod.acme.internal");
    const char *periodic[] = {"nightly-billing-run", "hourly-crm-sync", "daily-report-export"};
    const qint64 spanMicros = qint64(Generator::Facts::days) * 86400LL * 1000000LL;
    const double t0 = Bench::nowMs();

    for (qint64 i = 0; i < rows; ++i) {
        const std::string taskId = uuid4(rng);
        // Task names are skewed like real workloads: a few busy tasks, a long tail.
        const size_t nameIndex = rng.unit() < 0.5 ? size_t(rng.below(8)) : size_t(rng.below(names.size()));
        const std::string &name = names[nameIndex];
        const std::string &worker = workers[rng.below(workers.size())];
        const quint64 roll = rng.below(1000);
        const char *status = roll < 900 ? "SUCCESS" : roll < 950 ? "FAILURE" : roll < 970 ? "STARTED"
                                                                 : roll < 990 ? "RETRY" : "REVOKED";
        // Rows are written roughly in date order (ids follow time), with a little jitter.
        qint64 done = qint64(double(i) / double(rows) * double(spanMicros)) + qint64(rng.below(300000000));
        if (done >= spanMicros)
            done = spanMicros - 1;
        if (rng.below(1000) == 0)
            done -= done % 1000000; // str(datetime) drops a zero fraction
        const qint64 created = std::max<qint64>(0, done - qint64(10000 + rng.below(120000000)));
        std::string result;
        std::string tb;
        bool hasTraceback = false;
        if (std::strcmp(status, "SUCCESS") == 0) {
            result = successResult(rng);
        } else if (std::strcmp(status, "FAILURE") == 0) {
            const std::string message = std::string("upstream returned 502 for ") + kWords[rng.below(16)];
            result = "{\"exc_type\": \"ValueError\", \"exc_message\": [\"" + message + "\"], \"exc_module\": \"builtins\"}";
            tb = traceback(rng, name, message);
            hasTraceback = true;
        } else if (std::strcmp(status, "STARTED") == 0) {
            result = "{\"pid\": " + std::to_string(1000 + rng.below(60000)) + ", \"hostname\": \"" + worker + "\"}";
        } else if (std::strcmp(status, "RETRY") == 0) {
            result = "{\"exc_type\": \"ConnectionError\", \"exc_message\": [\"timed out\"], \"exc_module\": \"builtins\"}";
            tb = traceback(rng, name, "timed out");
            hasTraceback = true;
        } else {
            result = "{\"exc_type\": \"TaskRevokedError\", \"exc_message\": [\"revoked\"], \"exc_module\": \"celery.exceptions\"}";
        }
        const std::string args = argsJson(rng, rng.below(200) == 0);
        const std::string kwargs = kwargsJson(rng);
        const std::string doneText = djangoDate(done);
        const std::string createdText = djangoDate(created);

        sqlite3_bind_text(ins, 1, taskId.c_str(), int(taskId.size()), SQLITE_STATIC);
        sqlite3_bind_text(ins, 2, status, -1, SQLITE_STATIC);
        sqlite3_bind_text(ins, 3, "application/json", -1, SQLITE_STATIC);
        sqlite3_bind_text(ins, 4, "utf-8", -1, SQLITE_STATIC);
        sqlite3_bind_text(ins, 5, result.c_str(), int(result.size()), SQLITE_STATIC);
        sqlite3_bind_text(ins, 6, doneText.c_str(), int(doneText.size()), SQLITE_STATIC);
        if (hasTraceback)
            sqlite3_bind_text(ins, 7, tb.c_str(), int(tb.size()), SQLITE_STATIC);
        else
            sqlite3_bind_null(ins, 7);
        sqlite3_bind_text(ins, 8, "{\"children\": []}", -1, SQLITE_STATIC);
        sqlite3_bind_text(ins, 9, args.c_str(), int(args.size()), SQLITE_STATIC);
        sqlite3_bind_text(ins, 10, kwargs.c_str(), int(kwargs.size()), SQLITE_STATIC);
        sqlite3_bind_text(ins, 11, name.c_str(), int(name.size()), SQLITE_STATIC);
        sqlite3_bind_text(ins, 12, worker.c_str(), int(worker.size()), SQLITE_STATIC);
        sqlite3_bind_text(ins, 13, createdText.c_str(), int(createdText.size()), SQLITE_STATIC);
        if (rng.below(10) == 0)
            sqlite3_bind_text(ins, 14, periodic[rng.below(3)], -1, SQLITE_STATIC);
        else
            sqlite3_bind_null(ins, 14);
        if (sqlite3_step(ins) != SQLITE_DONE) {
            sqlite3_finalize(ins);
            return fail(sqliteError(db, "insert"));
        }
        sqlite3_reset(ins);

        if ((i + 1) % 200000 == 0) {
            if (!exec(db, "COMMIT; BEGIN", &error)) {
                sqlite3_finalize(ins);
                return fail(error);
            }
            std::fprintf(stderr, "\r  %lld / %lld rows (%.0f s)", static_cast<long long>(i + 1),
                         static_cast<long long>(rows), (Bench::nowMs() - t0) / 1000.0);
        }
    }
    sqlite3_finalize(ins);

    // GroupResults: one per 1000 task results, spread over the same 60 days.
    sqlite3_stmt *group = nullptr;
    sqlite3_prepare_v2(db,
                       "INSERT INTO django_celery_results_groupresult(group_id, date_created, date_done, "
                       "content_type, content_encoding, result) VALUES(?,?,?,'application/json','utf-8',?)",
                       -1, &group, nullptr);
    const qint64 groups = std::max<qint64>(1, rows / 1000);
    for (qint64 g = 0; g < groups; ++g) {
        const std::string id = uuid4(rng);
        const qint64 done = qint64(double(g) / double(groups) * double(spanMicros));
        const std::string doneText = djangoDate(done);
        const std::string result = "[[\"" + uuid4(rng) + "\", null], [\"" + uuid4(rng) + "\", null]]";
        sqlite3_bind_text(group, 1, id.c_str(), -1, SQLITE_TRANSIENT);
        sqlite3_bind_text(group, 2, doneText.c_str(), -1, SQLITE_TRANSIENT);
        sqlite3_bind_text(group, 3, doneText.c_str(), -1, SQLITE_TRANSIENT);
        sqlite3_bind_text(group, 4, result.c_str(), -1, SQLITE_TRANSIENT);
        sqlite3_step(group);
        sqlite3_reset(group);
    }
    sqlite3_finalize(group);
    if (!exec(db, "COMMIT", &error))
        return fail(error);
    std::fprintf(stderr, "\r  %lld rows inserted (%.0f s); indexing…\n", static_cast<long long>(rows),
                 (Bench::nowMs() - t0) / 1000.0);
    for (const char *ddl : kIndexes) {
        if (!exec(db, ddl, &error))
            return fail(error);
    }
    // No ANALYZE: Django never runs it, so real databases have no sqlite_stat1 either.
    sqlite3_close(db);
    return {};
}

} // namespace

QString Generator::pathFor(const QString &dir, qint64 rows)
{
    return QDir(dir).filePath(QStringLiteral("stalk-bench-%1.sqlite3").arg(Bench::rowsLabel(rows)));
}

QString Generator::ensure(const QString &dir, qint64 rows)
{
    const QString path = pathFor(dir, rows);
    // A ".complete" marker is written last, so an interrupted generation is redone.
    const QString marker = path + QStringLiteral(".complete");
    if (QFileInfo::exists(path) && QFileInfo::exists(marker))
        return {};
    if (!QDir().mkpath(dir))
        return QStringLiteral("cannot create %1").arg(dir);
    std::fprintf(stderr, "generating %s (%lld rows, once; cached)\n", qPrintable(path), static_cast<long long>(rows));
    const QString tmp = path + QStringLiteral(".partial");
    const QString error = generate(tmp, rows);
    if (!error.isEmpty())
        return error;
    QFile::remove(path);
    if (!QFile::rename(tmp, path))
        return QStringLiteral("cannot rename %1 to %2").arg(tmp, path);
    QFile f(marker);
    if (!f.open(QIODevice::WriteOnly))
        return QStringLiteral("cannot write %1").arg(marker);
    f.write("generator v1\n");
    return {};
}
