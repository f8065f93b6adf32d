#include "cli.h"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <csignal>
#include <cstdio>
#include <limits>
#include <memory>
#include <mutex>
#include <optional>
#include <thread>

#include <termios.h>
#include <unistd.h>

#include <QDateTime>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QUrl>

#include "cliargs.h"
#include "clioutput.h"
#include "couchdesign.h"
#include "displaytext.h"
#include "passwordkeyring.h"
#include "purger.h"
#include "querycommand.h"
#include "stalklog.h"
#include "statusbreakdown.h"
#include "storeopener.h"
#include "storeurl.h"
#include "taskgroup.h"
#include "taskresultjson.h"
#include "timeparse.h"

#ifndef STALK_VERSION
#define STALK_VERSION "0.1.0"
#endif

namespace Cli {

namespace {

// ---------------------------------------------------------------------------------------------
// Options and help

CliOption flag(const QString &name, const QString &help, QChar shortName = {})
{
    CliOption option;
    option.name = name;
    option.shortName = shortName;
    option.help = help;
    return option;
}

CliOption valued(const QString &name, const QString &valueName, const QString &help,
                 bool repeatable = false)
{
    CliOption option;
    option.name = name;
    option.valueName = valueName;
    option.help = help;
    option.repeatable = repeatable;
    return option;
}

QVector<CliOption> filterOptions()
{
    return {
        valued(QStringLiteral("search"), QStringLiteral("TEXT"),
               QStringLiteral("every word (or \"quoted phrase\") occurs in task id, task name, status, args or kwargs")),
        valued(QStringLiteral("task-name"), QStringLiteral("NAME"),
               QStringLiteral("only this task name ('' = none recorded)"), true),
        valued(QStringLiteral("status"), QStringLiteral("STATE"),
               QStringLiteral("only this state: SUCCESS, FAILURE, RETRY, REVOKED, STARTED, …"), true),
        valued(QStringLiteral("worker"), QStringLiteral("NAME"),
               QStringLiteral("only this worker ('' = none recorded)"), true),
        valued(QStringLiteral("periodic-task"), QStringLiteral("NAME"),
               QStringLiteral("only this periodic task ('' = not periodic)"), true),
        valued(QStringLiteral("exception"), QStringLiteral("TYPE"),
               QStringLiteral("only results whose exception (as failures reads it) is TYPE: ValueError, "
                              "builtins.ValueError, proj.billing.PaymentDeclined"),
               true),
        valued(QStringLiteral("fingerprint"), QStringLiteral("TEXT"),
               QStringLiteral("only results whose exception message has this fingerprint (failures' "
                              "\"fingerprint\"; '' = no message); with --task-name, --exception and --status: one group"),
               true),
        valued(QStringLiteral("done-after"), QStringLiteral("TIMESTAMP"),
               QStringLiteral("only date_done at or after TIMESTAMP")),
        valued(QStringLiteral("done-before"), QStringLiteral("TIMESTAMP"),
               QStringLiteral("only date_done before TIMESTAMP")),
    };
}

CliOption decodeOption()
{
    return flag(QStringLiteral("decode"),
                QStringLiteral("JSON only: also task_args_decoded, task_kwargs_decoded, result_decoded (readable text)"));
}

const QString verboseHelp =
    QStringLiteral("log connections, statements, requests and purge batches with their durations to standard error");

/// Whether an argument before the command (or the window's URL) is --verbose.
bool isVerboseFlag(const QString &argument)
{
    return argument == u"--verbose" || argument == u"-v";
}

QVector<CliOption> commonOptions()
{
    return {
        flag(QStringLiteral("read-only"), QStringLiteral("open the store read-only: nothing can be deleted")),
        flag(QStringLiteral("keyring"),
             QStringLiteral("log in with the password the window stored in the system keyring (URL without one)")),
        flag(QStringLiteral("verbose"), verboseHelp, u'v'),
        flag(QStringLiteral("help"), QStringLiteral("show this help"), u'h'),
    };
}

const QString urlHelp = QStringLiteral(
    "URL:\n"
    "  sqlite:///relative/path.sqlite3   a SQLite file relative to the working directory\n"
    "  sqlite:////absolute/path.sqlite3  a SQLite file by absolute path\n"
    "  db+sqlite:///…                    Celery's result_backend spelling, also accepted\n"
    "  path/to/file.sqlite3              a bare path names a SQLite file too\n"
    "  …?readonly=1                      open read-only (like --read-only)\n"
    "  postgresql://user:pass@host:5432/db   PostgreSQL (also postgres://, db+postgresql://)\n"
    "  mysql://user:pass@host:3306/db        MySQL/MariaDB (also mariadb://, db+mysql://)\n"
    "  couchdb://user:pass@host:5984/container  CouchDB, Celery's form (default container\n"
    "                                        'default'); couchdbs://, http://, https:// too\n"
    "  redis://:pass@host:6379/0              Celery's Redis result backend (also rediss://,\n"
    "                                        redis+socket:///path/redis.sock; ?keyprefix=)\n"
    "  memcached://host:11211                memcached (also cache+memcached://host:11211/;\n"
    "                                        several servers: memcached://h1:11211;h2:11211)\n"
    "  file:///path/to/django/cache/dir      a Django FileBasedCache directory\n"
    "  A SQL database may hold django-celery-results tables, Celery's celery_taskmeta or\n"
    "  a Django DatabaseCache table (?table=NAME picks it). Redis, memcached and the\n"
    "  cache directory hold Celery's result keys or django-celery-results' CacheBackend's.\n"
    "  A password may come from the URL, from STALK_PASSWORD, or from a prompt: when the\n"
    "  URL names a user but no password and the server rejects the login, stalk asks\n"
    "  \"Password for USER@HOST:PORT:\" on a terminal (not echoed) and tries once more;\n"
    "  without a terminal on standard input it fails (status 1) and says how to pass it.\n"
    "  With --keyring, the password the window stored in the system keyring for that\n"
    "  scheme://USER@HOST:PORT is used; without --keyring stalk never reads the keyring.\n"
    "  Passwords are shown as *** in messages and never printed.\n");

const QString filterHelp = QStringLiteral(
    "FILTERS combine with AND; a repeated filter matches any of its values.\n"
    "TIMESTAMP: ISO 8601, UTC unless an offset is given: 2025-02-01, 2025-02-01T10:00,\n"
    "  2025-02-01T10:00:00Z, 2025-02-01 10:00:00.123456+02:00.\n");

const QString exitHelp = QStringLiteral(
    "Exit status: 0 success, 1 failure (one line on standard error), 2 usage error.\n");

struct Command
{
    QString name;
    QString synopsis;
    QString summary;
    QString description;
    QStringList positionals; ///< required, in order: "URL", "TASK_ID"
    QVector<CliOption> options;
    int (*run)(const CliArguments &arguments, const CliConsole &console);
};

int runCount(const CliArguments &arguments, const CliConsole &console);
int runList(const CliArguments &arguments, const CliConsole &console);
int runShow(const CliArguments &arguments, const CliConsole &console);
int runStats(const CliArguments &arguments, const CliConsole &console);
int runRuntimes(const CliArguments &arguments, const CliConsole &console);
int runFailures(const CliArguments &arguments, const CliConsole &console);
int runGroups(const CliArguments &arguments, const CliConsole &console);
int runPurge(const CliArguments &arguments, const CliConsole &console);
int runCouchIndex(const CliArguments &arguments, const CliConsole &console);

const QVector<Command> &commands()
{
    static const QVector<Command> list = [] {
        QVector<Command> all;

        all.append({QStringLiteral("count"), QStringLiteral("URL [FILTERS]"),
                    QStringLiteral("print the number of matching results"),
                    QStringLiteral("Prints the number of results that match the filters (all results without\n"
                                   "filters) as a bare integer.\n"),
                    {QStringLiteral("URL")}, filterOptions() + commonOptions(), &runCount});

        QVector<CliOption> listOptions = filterOptions();
        listOptions << valued(QStringLiteral("limit"), QStringLiteral("N"),
                              QStringLiteral("print at most N results (default 100; 0 = all, streamed)"))
                    << valued(QStringLiteral("format"), QStringLiteral("FORMAT"),
                              QStringLiteral("table (default), csv, json or jsonl"))
                    << valued(QStringLiteral("fields"), QStringLiteral("A,B,C"),
                              QStringLiteral("table and csv: these columns, in this order (stored column names)"))
                    << flag(QStringLiteral("no-header"), QStringLiteral("table and csv: no header line"))
                    << decodeOption();
        all.append({QStringLiteral("list"),
                    QStringLiteral("URL [FILTERS] [--limit N] [--format table|csv|json|jsonl] [--fields A,B,C] [--no-header] [--decode]"),
                    QStringLiteral("print matching results, newest first"),
                    QStringLiteral(
                        "Prints matching results, newest date_done first.\n"
                        "  table  aligned columns date_done (UTC), status, task_name, task_id, worker,\n"
                        "         fitted to the terminal's width ('-' = NULL)\n"
                        "  csv    RFC 4180 (CRLF line ends) with a header row, every field\n"
                        "  json   an array of objects;  jsonl  one object per line\n"
                        "Objects and CSV columns use the stored column names: id, task_id, task_name,\n"
                        "periodic_task_name, status, worker, task_args, task_kwargs, result, traceback,\n"
                        "meta, content_type, content_encoding, date_created, date_started, date_done\n"
                        "(+ group_id, parent_id, queue, retries, hidden when the schema has them).\n"
                        "Text is exactly what is stored (task_args is a JSON string holding a Python\n"
                        "repr); dates are ISO 8601 UTC with 'Z' (millisecond precision); NULL or a\n"
                        "column the schema lacks is null (empty in CSV). \"problems\" lists what could not\n"
                        "be read, when anything. --decode adds readable text as task_args_decoded,\n"
                        "task_kwargs_decoded (the Python literal: \"(1, 'Zoë')\") and result_decoded\n"
                        "(pretty JSON, \"ValueError: …\" for exceptions; pickles are never unpickled).\n"
                        "With --limit 0 rows are fetched page by page, so memory stays flat on millions\n"
                        "of rows. --fields task_id,status,date_done picks the table's or the CSV's columns\n"
                        "(any of the names above; one the schema lacks shows as NULL); --no-header drops\n"
                        "their header line.\n"),
                    {QStringLiteral("URL")}, listOptions + commonOptions(), &runList});

        all.append({QStringLiteral("show"), QStringLiteral("URL TASK_ID [--decode]"),
                    QStringLiteral("print one result in full, as JSON"),
                    QStringLiteral("Prints the result with Celery task id TASK_ID as an indented JSON object (the\n"
                                   "same keys as `list --format json`, --decode as there). Exits 1 when there is no\n"
                                   "such result.\n"),
                    {QStringLiteral("URL"), QStringLiteral("TASK_ID")}, QVector<CliOption>{decodeOption()} + commonOptions(),
                    &runShow});

        const CliOption aggregateFormat = valued(QStringLiteral("format"), QStringLiteral("FORMAT"),
                                                 QStringLiteral("table (default), csv or json"));
        QVector<CliOption> statsOptions = filterOptions();
        statsOptions << aggregateFormat
                     << valued(QStringLiteral("by"), QStringLiteral("BUCKET"),
                               QStringLiteral("count by time instead: minute, hour or day of date_done (UTC)"));
        all.append({QStringLiteral("stats"), QStringLiteral("URL [--by minute|hour|day] [FILTERS] [--format table|csv|json]"),
                    QStringLiteral("count results by status, task name, worker and periodic task, or by time"),
                    QStringLiteral(
                        "Prints the number of matching results, then counts by status, task_name,\n"
                        "worker and periodic_task_name (most frequent first). In JSON:\n"
                        "  {\"total\": N, \"status\": {\"SUCCESS\": n, …}, \"task_name\": {…}, \"worker\": {…},\n"
                        "   \"periodic_task_name\": {…}}\n"
                        "where the key \"\" counts NULL, and a field the schema lacks is null. In CSV\n"
                        "(RFC 4180, CRLF): a header field,value,count, a row total,,N, then one row per\n"
                        "count (the empty value counts NULL; a field the schema lacks has no rows).\n"
                        "\n"
                        "With --by minute|hour|day: the matching results per UTC bucket of date_done, by\n"
                        "status, one record per bucket in time order from the first bucket holding a\n"
                        "result to the last, empty buckets included (results without a date_done are in\n"
                        "none). In JSON an array of\n"
                        "  {\"start\": \"2025-02-01T10:00:00Z\", \"FAILURE\": n, \"SUCCESS\": n, …, \"total\": n}\n"
                        "with every status counted anywhere as a key of every record (\"\" = NULL); in CSV\n"
                        "the same columns under a header row.\n"),
                    {QStringLiteral("URL")}, statsOptions + commonOptions(), &runStats});

        all.append({QStringLiteral("runtimes"), QStringLiteral("URL [FILTERS] [--format table|csv|json]"),
                    QStringLiteral("runtime percentiles per task name"),
                    QStringLiteral(
                        "Prints, per task_name, how many matching results have a runtime and its p50,\n"
                        "p95, p99 and maximum in seconds. A runtime is date_done - date_started where\n"
                        "the schema has date_started (basis \"started\"; a row without one counts from\n"
                        "date_created), else date_done - date_created (basis \"created\"), of SUCCESS and\n"
                        "FAILURE results only; percentiles by the nearest-rank method (the value at\n"
                        "rank ceil(p/100 * count), always a measured runtime). In JSON an array of\n"
                        "  {\"task_name\": …, \"count\": n, \"p50\": s, \"p95\": s, \"p99\": s, \"max\": s,\n"
                        "   \"basis\": \"started\", \"p95_earlier\": s, \"p95_recent\": s, \"p95_grew\": false}\n"
                        "by task name (null = not recorded). The trend: p95_earlier and p95_recent are\n"
                        "the p95 of the older and the newer half of a task's runtimes by date_done (then\n"
                        "id; null unless each half holds 20 or more); p95_grew is true when the newer one\n"
                        "is 1.5 times the older or more. The table adds it as p95_trend (\"▲ 3.2×\" where\n"
                        "it grew); the CSV leaves it out. A schema with neither date (celery_taskmeta,\n"
                        "CouchDB, Redis) has no runtimes: exit 1 with one sentence.\n"),
                    {QStringLiteral("URL")}, filterOptions() + QVector<CliOption>{aggregateFormat} + commonOptions(),
                    &runRuntimes});

        QVector<CliOption> failureOptions = filterOptions();
        failureOptions << valued(QStringLiteral("limit"), QStringLiteral("N"),
                                 QStringLiteral("print the N largest groups (default 0 = all)"))
                       << aggregateFormat;
        all.append({QStringLiteral("failures"), QStringLiteral("URL [FILTERS] [--exception TYPE] [--format table|csv|json] [--limit N]"),
                    QStringLiteral("failures grouped by task name, exception and message"),
                    QStringLiteral(
                        "Prints the matching FAILURE results (--status chooses other states, e.g.\n"
                        "--status FAILURE --status RETRY) grouped by task_name, exception type and\n"
                        "message fingerprint, largest group first. The exception is read from the\n"
                        "stored result (exc_type/exc_module/exc_message of JSON or pickled results;\n"
                        "pickles are never unpickled), else from the traceback's exception line. The\n"
                        "fingerprint is the message with quoted values, UUIDs, hex and numbers masked\n"
                        "('<str>', '<uuid>', '<hex>', '<num>'). In JSON an array of\n"
                        "  {\"task_name\": …, \"exception\": \"ValueError\", \"exception_module\": \"builtins\",\n"
                        "   \"message\": …, \"fingerprint\": …, \"count\": n, \"first_seen\": \"…Z\",\n"
                        "   \"last_seen\": \"…Z\", \"workers\": [\"w1\", …], \"statuses\": {\"FAILURE\": n},\n"
                        "   \"trend\": {\"bucket\": \"hour\", \"step\": 1, \"start\": \"…Z\", \"counts\": [0, 3, …]}}\n"
                        "(message: the group's most frequent; null exception = none could be read;\n"
                        "first/last_seen: date_done, ISO UTC; trend: results per point, each `step`\n"
                        "buckets long from `start` on, on one axis for all groups from the earliest\n"
                        "first_seen to the latest last_seen, at most 60 points). In CSV (no trend)\n"
                        "workers and statuses are that JSON text. --exception keeps the groups of\n"
                        "that type (repeatable), --fingerprint those of that fingerprint; the results of\n"
                        "one group are those of its --task-name, --exception module.Type and\n"
                        "--fingerprint, with --status for each of its statuses.\n"),
                    {QStringLiteral("URL")}, failureOptions + commonOptions(), &runFailures});

        QVector<CliOption> groupOptions;
        for (const CliOption &option : filterOptions()) {
            if (option.name == u"done-after" || option.name == u"done-before")
                groupOptions << option;
        }
        groupOptions << valued(QStringLiteral("task"), QStringLiteral("TASK_ID"),
                               QStringLiteral("the groups that list this task instead (whatever their date)"))
                     << valued(QStringLiteral("limit"), QStringLiteral("N"),
                               QStringLiteral("print the N newest groups (default %1; 0 = all)").arg(TaskGroups::defaultLimit))
                     << aggregateFormat;
        all.append({QStringLiteral("groups"),
                    QStringLiteral("URL [--done-after TIMESTAMP] [--done-before TIMESTAMP] [--task TASK_ID] [--limit N] "
                                   "[--format table|csv|json]"),
                    QStringLiteral("saved groups with their members' statuses"),
                    QStringLiteral(
                        "Prints the saved groups (GroupResult.save(): django-celery-results' GroupResult\n"
                        "rows, Celery's celery_tasksetmeta) whose date_done is in the range, newest\n"
                        "first, each with its members in stored order and their statuses, read from the\n"
                        "members' stored results (pickles are never unpickled). In JSON an array of\n"
                        "  {\"group_id\": …, \"date_done\": \"…Z\", \"members\": [\"<task id>\", …],\n"
                        "   \"statuses\": {\"SUCCESS\": n, …}, \"not_stored\": n, \"problem\": null}\n"
                        "(not_stored: members without a stored result, expired or deleted; \"\" counts a\n"
                        "NULL status; problem: why the members could not be read). In CSV members and\n"
                        "statuses are that JSON text; the table shows the member count. --task lists\n"
                        "the groups that name that task id among their members. A store without saved\n"
                        "groups (django-celery-results 1.x) exits 1 with one sentence.\n"),
                    {QStringLiteral("URL")}, groupOptions + commonOptions(), &runGroups});

        QVector<CliOption> purgeOptions{
            valued(QStringLiteral("older-than"), QStringLiteral("DURATION"),
                   QStringLiteral("cutoff = now - DURATION: 3600, 3600s, 90m, 12h, 1d, 2w")),
            valued(QStringLiteral("before"), QStringLiteral("TIMESTAMP"), QStringLiteral("cutoff = TIMESTAMP")),
            flag(QStringLiteral("cache-expired"),
                 QStringLiteral("also delete results past their Django cache expiry (DatabaseCache, FileBasedCache)")),
            valued(QStringLiteral("status"), QStringLiteral("STATE"), QStringLiteral("only delete results in this state"), true),
            valued(QStringLiteral("task-name"), QStringLiteral("NAME"),
                   QStringLiteral("only delete results of this task ('' = none recorded)"), true),
            flag(QStringLiteral("dry-run"), QStringLiteral("print what would be deleted and delete nothing")),
            flag(QStringLiteral("yes"), QStringLiteral("do not ask for confirmation (needed when not on a terminal)"), u'y'),
            valued(QStringLiteral("batch-size"), QStringLiteral("N"),
                   QStringLiteral("rows per delete transaction (default: sized to keep each one near %1 ms, "
                                  "%2 ms on servers)")
                       .arg(Purger::targetBatchMs)
                       .arg(Purger::rowLockTargetBatchMs)),
        };
        // The FILTERS a purge can narrow by, as count and list spell them; --done-before is
        // recognised (hidden) so that the refusal can say why (see runPurge).
        for (const CliOption &option : filterOptions()) {
            if (option.name == u"status" || option.name == u"task-name")
                continue;
            CliOption narrowing = option;
            narrowing.hidden = option.name == u"done-before";
            purgeOptions.insert(purgeOptions.size() - 3, narrowing); // before --dry-run, --yes, --batch-size
        }
        all.append({QStringLiteral("purge"),
                    QStringLiteral("URL (--older-than DURATION | --before TIMESTAMP) [--cache-expired] [--status STATE] [--task-name NAME] [--worker NAME] "
                                   "[--periodic-task NAME] [--done-after TIMESTAMP] [--search TEXT] [--exception TYPE] "
                                   "[--dry-run] [--yes]"),
                    QStringLiteral("delete expired results, in batches"),
                    QStringLiteral(
                        "Deletes what Celery's own cleanup deletes: every result whose date_done is\n"
                        "before the cutoff, whatever its status, and expired group results (unless the\n"
                        "purge is narrowed: by --status, --task-name, --worker, --periodic-task,\n"
                        "--exception or --fingerprint, each repeatable as in count and list, by\n"
                        "--search TEXT, whose every term must occur as in count and list, or by\n"
                        "--done-after TIMESTAMP, which keeps what finished before it; `purge --dry-run`\n"
                        "with filters counts what `count` with the same filters and --done-before\n"
                        "CUTOFF counts).\n"
                        "The cutoff is fixed once, at start. Deletion runs in short transactions, each\n"
                        "sized to take about %1 ms on SQLite, whose transactions lock out every writer,\n"
                        "and about %2 ms on PostgreSQL and MariaDB, where only the deleted rows are\n"
                        "locked (or of --batch-size rows); Ctrl+C stops after the current batch (exit 1)\n"
                        "and what was deleted so far is printed. With --yes nothing is counted first.\n"
                        "Progress goes to standard error on a terminal.\n"
                        "\n"
                        "  --dry-run prints   N results would be deleted (n STATUS, …) (+ G groups)\n"
                        "  a purge prints     deleted N results (and G groups)\n"
                        "With --worker, --periodic-task, --done-after, --search, --exception or\n"
                        "--fingerprint, both name the narrowing filters:\n"
                        "the dry run's line ends with \", narrowed by --status FAILURE --worker w1\n"
                        "--done-after 2025-01-10T00:00:00.000Z\" and the question below says \"(narrowed\n"
                        "by …)\" after the cutoff.\n"
                        "\n"
                        "Without --yes, stalk asks \"Delete N results older than CUTOFF from URL? [y/N]\"\n"
                        "when standard input is a terminal, and otherwise refuses with exit status 2 (a\n"
                        "usage error: add --yes in scripts and cron jobs) before touching the store. Answering\n"
                        "anything but y/yes deletes nothing (exit 1). With --read-only a purge fails\n"
                        "(exit 1); --dry-run still works. --done-before is refused (exit 2): the cutoff\n"
                        "is --before. With --exception or --fingerprint on PostgreSQL and MariaDB, the\n"
                        "results named are found once, before the first batch: one written later is\n"
                        "never deleted.\n"
                        "\n"
                        "--cache-expired also deletes the results past their Django cache expiry, on a\n"
                        "Django DatabaseCache table or a FileBasedCache directory (django-celery-results'\n"
                        "CacheBackend): those Django's own cache already reads as missing (Celery then\n"
                        "says PENDING), as Django decides it: expires < now, now fixed once at start.\n"
                        "They go with those the cutoff selects (either rule deletes); the filters narrow\n"
                        "both, so --status FAILURE --cache-expired keeps every SUCCESS. With\n"
                        "--cache-expired the cutoff may be left out: then only those go. Saved groups go\n"
                        "by the cutoff alone. Both lines then end with the count among them, before any\n"
                        "\", narrowed by …\":\n"
                        "  N results would be deleted (n STATUS, …) (+ G groups) (C past their cache expiry)\n"
                        "  deleted N results (and G groups) (C past their cache expiry)\n"
                        "Other stores keep no such expiry (Redis and memcached expire keys by their TTL\n"
                        "themselves): there --cache-expired is refused (exit 2) with the reason.\n"
                        "\n"
                        "DURATION: a whole number with an optional unit: s, m, h, d (24 h) or w;\n"
                        "  3600 = 3600s = 60m = 1h. No signs, fractions, or compound forms.\n"
                        "TIMESTAMP fractions are kept to the microsecond, as Celery stores dates; digits\n"
                        "beyond microseconds are dropped (never rounded up).\n")
                        .arg(Purger::targetBatchMs)
                        .arg(Purger::rowLockTargetBatchMs),
                    {QStringLiteral("URL")}, purgeOptions + commonOptions(), &runPurge});

        all.append({QStringLiteral("couch-index"), QStringLiteral("URL [--create | --remove]"),
                    QStringLiteral("show, create or remove the Stalk index (_design/stalk) of a CouchDB database"),
                    QStringLiteral(
                        "Says whether the CouchDB database holds Stalk's design document _design/stalk\n"
                        "(views over Celery's documents by date_done, status, task name and worker, each\n"
                        "with a _count reduce) and whether it is the version this stalk writes:\n"
                        "  absent: …   up-to-date: …   outdated: …   foreign: …\n"
                        "(foreign: a _design/stalk without stalk_version, which Stalk did not write).\n"
                        "Nothing is written without --create or --remove:\n"
                        "  --create  writes the design document, or replaces an outdated one\n"
                        "            (created: …, replaced: …; up-to-date: … when nothing was written)\n"
                        "  --remove  deletes it (removed: …; absent: … when there was none)\n"
                        "A foreign one is never replaced or removed: both print foreign: … and exit 1.\n"
                        "Writing design documents needs an admin of the database (or of the server);\n"
                        "another user gets one sentence saying so (exit 1). With --read-only (or\n"
                        "?readonly=1) --create and --remove fail (exit 1) before anything is sent.\n"),
                    {QStringLiteral("URL")},
                    QVector<CliOption>{flag(QStringLiteral("create"), QStringLiteral("write (or replace an outdated) _design/stalk")),
                                       flag(QStringLiteral("remove"), QStringLiteral("delete _design/stalk"))}
                        + commonOptions(),
                    &runCouchIndex});
        return all;
    }();
    return list;
}

const Command *findCommand(const QString &name)
{
    for (const Command &command : commands()) {
        if (command.name == name)
            return &command;
    }
    return nullptr;
}

QStringList commandNames()
{
    QStringList names;
    for (const Command &command : commands())
        names << command.name;
    return names;
}

QString globalHelp()
{
    QString help = QStringLiteral(
        "Usage: stalk [--read-only] [-v] [URL]  open the window (the demo database without a URL)\n"
        "       stalk COMMAND URL [OPTIONS]     work on a Celery result store from the command line\n"
        "\n"
        "Stalk browses, searches and purges Celery task results (django-celery-results tables or\n"
        "Celery's celery_taskmeta).\n"
        "\n"
        "Commands:\n");
    for (const Command &command : commands())
        help += QStringLiteral("  stalk %1 %2\n      %3\n").arg(command.name, command.synopsis, command.summary);
    help += QStringLiteral(
        "\n"
        "FILTERS: --search TEXT  --task-name NAME  --status STATE  --worker NAME\n"
        "         --periodic-task NAME  --exception TYPE  --fingerprint TEXT\n"
        "         --done-after TIMESTAMP  --done-before TIMESTAMP\n"
        "         (--task-name, --status, --worker, --periodic-task, --exception and --fingerprint\n"
        "         may repeat)\n"
        "DURATION: 3600, 3600s, 90m, 12h, 1d, 2w\n"
        "\n"
        "Options:\n"
        "      --read-only  open the store read-only (also for the window)\n"
        "      --keyring    log in with the password the window stored in the system keyring\n"
        "  -v, --verbose    %1 (also for the window)\n"
        "  -h, --help       this help; `stalk COMMAND --help` explains a command\n"
        "      --version    print the version\n"
        "\n").arg(verboseHelp);
    help += urlHelp + u'\n' + filterHelp + u'\n' + exitHelp;
    return help;
}

QString commandHelp(const Command &command)
{
    QString help = QStringLiteral("Usage: stalk %1 %2\n\n").arg(command.name, command.synopsis);
    help += command.description + QStringLiteral("\nOptions:\n") + formatOptionHelp(command.options);
    help += u'\n' + urlHelp;
    if (command.name != u"show" && command.name != u"couch-index")
        help += u'\n' + filterHelp;
    help += u'\n' + exitHelp;
    return help;
}

// ---------------------------------------------------------------------------------------------
// Errors

int usageError(const CliConsole &console, const QString &command, const QString &message)
{
    const QString prefix = command.isEmpty() ? QStringLiteral("stalk") : QStringLiteral("stalk ") + command;
    console.err(QStringLiteral("%1: %2\nTry '%1 --help' for more information.\n").arg(prefix, DisplayText::sentence(message)));
    return ExitUsage;
}

int failure(const CliConsole &console, const QString &message)
{
    console.err(QStringLiteral("stalk: %1\n").arg(DisplayText::sentence(message)));
    return ExitFailure;
}

// ---------------------------------------------------------------------------------------------
// Shared command steps

/// Reads one line from the terminal on stdin with echo off, after writing prompt to stderr.
/// *answered is false on end of input or Ctrl+C (nothing typed). The password is never echoed
/// or printed.
QString readPassword(const CliConsole &console, const QString &prompt, bool *answered)
{
    // Echo off before the prompt appears, so nothing typed in answer is ever shown.
    termios saved{};
    const bool restore = ::tcgetattr(STDIN_FILENO, &saved) == 0;
    if (restore) {
        termios quiet = saved;
        quiet.c_lflag &= ~static_cast<tcflag_t>(ECHO);
        quiet.c_lflag |= ECHONL;
        ::tcsetattr(STDIN_FILENO, TCSANOW, &quiet);
    }
    console.err(prompt);
    console.flush();
    QByteArray line;
    *answered = false;
    for (;;) {
        const int c = std::fgetc(stdin);
        if (c == EOF)
            break;
        if (c == '\n') {
            *answered = true;
            break;
        }
        line.append(static_cast<char>(c));
    }
    if (restore)
        ::tcsetattr(STDIN_FILENO, TCSANOW, &saved);
    if (line.endsWith('\r'))
        line.chop(1);
    if (!*answered && !line.isEmpty())
        *answered = true; // the last line without a newline
    if (!restore)
        console.err(QStringLiteral("\n"));
    QString password = QString::fromLocal8Bit(line);
    line.fill('\0');
    return password;
}

/// An opened store and how to name it in messages.
struct OpenedStore
{
    std::unique_ptr<ResultStore> store;
    QString display; ///< the URL without a password
    int status = ExitSuccess;
};

bool readOnlyRequested(const CliArguments &arguments)
{
    return arguments.has(QStringLiteral("read-only"));
}

/// With --keyring, puts the password the window stored in the system keyring for the URL's
/// account (PasswordKeyring::keyFor()) into options, when the URL has none. False, after one
/// line on stderr and with *status set, when the keyring has none or cannot be reached.
bool readKeyring(const CliArguments &arguments, const StoreOpener &opener, StoreOptions *options,
                 const CliConsole &console, int *status)
{
    if (!arguments.has(QStringLiteral("keyring")) || !opener.url() || !opener.url()->password.isEmpty())
        return true;
    const QString key = PasswordKeyring::keyFor(*opener.url());
    if (key.isEmpty())
        return true; // SQLite: no password to read
    const PasswordKeyring::Answer answer = PasswordKeyring::readNow(key);
    switch (answer.status) {
    case PasswordKeyring::Answer::Status::Done:
        options->password = answer.password;
        return true;
    case PasswordKeyring::Answer::Status::NotFound:
        *status = failure(console, QStringLiteral("cannot open %1: --keyring: the system keyring holds no password for %2 "
                                                  "(the window stores one when \"Remember in the system keyring\" is ticked)")
                                       .arg(opener.displayString(), key));
        return false;
    case PasswordKeyring::Answer::Status::Unavailable:
        break;
    }
    *status = failure(console, QStringLiteral("cannot open %1: --keyring: %2").arg(opener.displayString(), answer.message));
    return false;
}

/// store.open(). While it waits on something the server reports on (ResultStore::openingNote():
/// CouchDB building Stalk's views, minutes on a large database), the note goes to standard
/// error on a terminal, rewritten in place on one line; nothing elsewhere (cron).
StoreError openTellingTheWait(const CliConsole &console, ResultStore &store)
{
    if (!CliConsole::stderrIsTerminal())
        return store.open();
    std::mutex mutex;
    std::condition_variable wake;
    bool done = false;
    qsizetype shown = 0; // characters of the line on the terminal
    // The main thread writes nothing to standard error while open() runs.
    std::thread watcher([&] {
        QString last;
        std::unique_lock<std::mutex> lock(mutex);
        while (!wake.wait_for(lock, std::chrono::milliseconds(250), [&] { return done; })) {
            const QString note = store.openingNote();
            if (note.isEmpty() || note == last)
                continue;
            last = note;
            const QString line = QStringLiteral("stalk: ") + DisplayText::sentence(note);
            console.err(QLatin1Char('\r') + line.leftJustified(shown));
            shown = line.size();
        }
    });
    const StoreError error = store.open();
    {
        std::lock_guard<std::mutex> lock(mutex);
        done = true;
    }
    wake.notify_all();
    watcher.join();
    if (shown > 0)
        console.err(QStringLiteral("\n"));
    return error;
}

OpenedStore openStore(const QString &command, const CliArguments &arguments, const CliConsole &console)
{
    const QString url = arguments.positionals.at(0);
    OpenedStore opened;
    StoreOptions options;
    options.readOnly = readOnlyRequested(arguments);
    StoreOpener opener(url, options);
    opened.display = opener.displayString();
    if (!readKeyring(arguments, opener, &options, console, &opened.status))
        return opened;
    if (!options.password.isEmpty())
        opener = StoreOpener(url, options); // the keyring's: no prompt when the server rejects it

    Outcome<StoreFactory> factory = opener.factory();
    if (!factory) {
        if (factory.error().code == StoreError::Code::InvalidUrl) {
            opened.status = usageError(console, command, factory.error().message);
        } else {
            opened.status = failure(console, QStringLiteral("cannot open %1: %2").arg(opened.display, factory.error().message));
        }
        return opened;
    }
    // The factory's store, unopened; false (status set) when it makes none.
    auto makeStore = [&] {
        if (factory)
            opened.store = (*factory)();
        if (!opened.store) {
            opened.status = failure(console, QStringLiteral("cannot open %1: no store for this URL").arg(opened.display));
            return false;
        }
        // One-shot commands never refresh: no live updates (Redis: no subscriber connection).
        opened.store->setFollowChanges(false);
        return true;
    };
    if (!makeStore())
        return opened;
    StoreError error = openTellingTheWait(console, *opened.store);
    if (opener.canAskForPassword(error)) {
        // The URL names a user but no password: ask on a terminal, once.
        opened.store.reset();
        if (!CliConsole::stdinIsTerminal()) {
            opened.status = failure(console, QStringLiteral("cannot open %1: %2; standard input is not a terminal, so "
                                                            "stalk cannot ask for the password: put it in the URL "
                                                            "(scheme://USER:PASSWORD@HOST:PORT/…) or set STALK_PASSWORD")
                                                 .arg(opened.display, error.message));
            return opened;
        }
        bool answered = false;
        options.password = readPassword(console, QStringLiteral("Password for %1: ").arg(opener.url()->account()),
                                        &answered);
        if (!answered) {
            opened.status = failure(console, QStringLiteral("cannot open %1: %2 (no password was typed)")
                                                 .arg(opened.display, error.message));
            return opened;
        }
        factory = StoreOpener(url, options).factory();
        options.password.fill(u'\0');
        options.password.clear();
        if (!makeStore())
            return opened;
        error = openTellingTheWait(console, *opened.store);
    }
    if (error) {
        opened.store.reset();
        opened.status = failure(console, QStringLiteral("cannot open %1: %2").arg(opened.display, error.message));
    }
    return opened;
}

/// '' on the command line stands for NULL (a null QString in the query).
QStringList nullable(const QStringList &values)
{
    QStringList mapped;
    for (const QString &value : values)
        mapped << (value.isEmpty() ? QString() : value);
    return mapped;
}

/// Fills query from the FILTERS; returns an error sentence or an empty string.
QString buildQuery(const CliArguments &arguments, TaskQuery *query)
{
    query->search = arguments.value(QStringLiteral("search"));
    if (const StoreError error = query->searchError())
        return QStringLiteral("--search: %1").arg(error.message);
    query->taskNames = nullable(arguments.all(QStringLiteral("task-name")));
    query->statuses = nullable(arguments.all(QStringLiteral("status")));
    query->workers = nullable(arguments.all(QStringLiteral("worker")));
    query->periodicTaskNames = nullable(arguments.all(QStringLiteral("periodic-task")));
    query->exceptions = arguments.all(QStringLiteral("exception"));
    query->fingerprints = arguments.all(QStringLiteral("fingerprint"));
    for (const auto &[option, target] : {std::pair{QStringLiteral("done-after"), &query->doneAfter},
                                         std::pair{QStringLiteral("done-before"), &query->doneBefore}}) {
        if (!arguments.has(option))
            continue;
        QString error;
        *target = TimeParse::parseTimestamp(arguments.value(option), &error);
        if (!target->isValid())
            return QStringLiteral("--%1: %2").arg(option, error);
    }
    query->sortField = Field::DateDone;
    query->sortOrder = Qt::DescendingOrder;
    return {};
}

/// `--limit N` (a whole number >= 0, 0 = all) into *limit, left as it is without the option;
/// returns an error sentence or an empty string.
QString readLimit(const CliArguments &arguments, qint64 *limit)
{
    if (!arguments.has(QStringLiteral("limit")))
        return {};
    bool ok = false;
    const QString text = arguments.value(QStringLiteral("limit"));
    *limit = text.toLongLong(&ok);
    if (!ok || *limit < 0 || text.startsWith(u'+'))
        return QStringLiteral("--limit: '%1' is not a whole number >= 0 (0 = all)").arg(text);
    return {};
}

// ---------------------------------------------------------------------------------------------
// count

int runCount(const CliArguments &arguments, const CliConsole &console)
{
    TaskQuery query;
    if (const QString error = buildQuery(arguments, &query); !error.isEmpty())
        return usageError(console, QStringLiteral("count"), error);
    OpenedStore opened = openStore(QStringLiteral("count"), arguments, console);
    if (!opened.store)
        return opened.status;
    const Outcome<qint64> total = opened.store->count(query);
    if (!total)
        return failure(console, QStringLiteral("cannot count results in %1: %2").arg(opened.display, total.error().message));
    console.out(QString::number(*total) + u'\n');
    return ExitSuccess;
}

// ---------------------------------------------------------------------------------------------
// list

int runList(const CliArguments &arguments, const CliConsole &console)
{
    const QString command = QStringLiteral("list");
    TaskQuery query;
    if (const QString error = buildQuery(arguments, &query); !error.isEmpty())
        return usageError(console, command, error);

    qint64 limit = 100;
    if (const QString error = readLimit(arguments, &limit); !error.isEmpty())
        return usageError(console, command, error);

    const std::optional<RowWriter::Format> chosen = arguments.has(QStringLiteral("format"))
        ? RowWriter::formatNamed(arguments.value(QStringLiteral("format")))
        : RowWriter::Format::Table;
    if (!chosen)
        return usageError(console, command,
                          QStringLiteral("--format: '%1' is not one of table, csv, json, jsonl")
                              .arg(arguments.value(QStringLiteral("format"))));
    const RowWriter::Format format = *chosen;

    RowWriter::Options options;
    options.maxWidth = CliConsole::terminalColumns();
    options.decoded = arguments.has(QStringLiteral("decode"));
    const bool json = format == RowWriter::Format::Json || format == RowWriter::Format::JsonLines;
    if (options.decoded && !json)
        return usageError(console, command, QStringLiteral("--decode needs --format json or jsonl"));
    options.header = !arguments.has(QStringLiteral("no-header"));
    if (!options.header && json)
        return usageError(console, command, QStringLiteral("--no-header needs --format table or csv"));
    if (arguments.has(QStringLiteral("fields"))) {
        if (json)
            return usageError(console, command, QStringLiteral("--fields needs --format table or csv"));
        for (const QString &name : arguments.value(QStringLiteral("fields")).split(u',')) {
            Field field;
            if (!fieldFromName(name.trimmed(), &field)) {
                QStringList names;
                for (int i = 0; i < int(Field::FieldCount); ++i)
                    names << fieldName(Field(i));
                return usageError(console, command, QStringLiteral("--fields: '%1' is not one of %2")
                                                        .arg(name.trimmed(), names.join(QStringLiteral(", "))));
            }
            options.columns << field;
        }
    }

    OpenedStore opened = openStore(command, arguments, console);
    if (!opened.store)
        return opened.status;

    const std::unique_ptr<RowWriter> writer
        = RowWriter::create(format, [&console](const QString &text) { console.out(text); },
                            outputFields(opened.store->info()), options);
    // Pages of complete rows keep memory flat whatever --limit is.
    constexpr int pageSize = RowWriter::pageRows;
    qint64 offset = 0;
    writer->begin();
    while (limit == 0 || offset < limit) {
        const int want = limit == 0 ? pageSize : int(std::min<qint64>(pageSize, limit - offset));
        const Outcome<QVector<TaskResult>> page = opened.store->fetchPage(query, offset, want, RowDetail::Full);
        if (!page) {
            console.flush();
            return failure(console, QStringLiteral("cannot list results in %1: %2 (after %3 rows)")
                                        .arg(opened.display, page.error().message, QString::number(offset)));
        }
        if (!page->isEmpty())
            writer->writePage(*page);
        offset += page->size();
        if (console.outputFailed())
            return ExitFailure; // the reader went away (`| head`): nothing more to say
        if (page->size() < want)
            break;
    }
    writer->end();
    console.flush();

    // On a terminal, say when the default limit hid rows.
    if (format == RowWriter::Format::Table && limit > 0 && offset == limit && CliConsole::stdoutIsTerminal()) {
        const Outcome<qint64> total = opened.store->count(query);
        if (total && *total > offset) {
            console.err(QStringLiteral("(showing the newest %1 of %2 results; --limit 0 shows all)\n")
                            .arg(QString::number(offset), QString::number(*total)));
        }
    }
    return console.outputFailed() ? ExitFailure : ExitSuccess;
}

// ---------------------------------------------------------------------------------------------
// show

int runShow(const CliArguments &arguments, const CliConsole &console)
{
    const QString taskId = arguments.positionals.at(1);
    OpenedStore opened = openStore(QStringLiteral("show"), arguments, console);
    if (!opened.store)
        return opened.status;
    const Outcome<TaskResult> row = opened.store->fetchByTaskId(taskId);
    if (!row) {
        if (row.error().code == StoreError::Code::NotFound)
            return failure(console, QStringLiteral("no result with task id %1 in %2").arg(taskId, opened.display));
        return failure(console, QStringLiteral("cannot read task %1 from %2: %3")
                                    .arg(taskId, opened.display, row.error().message));
    }
    console.out(resultJsonText(*row, outputFields(opened.store->info()), true,
                               arguments.has(QStringLiteral("decode"))));
    return ExitSuccess;
}

// ---------------------------------------------------------------------------------------------
// stats

struct FacetSection
{
    QString key;  ///< the field name, also the JSON key
    bool available = true;
    QVector<FacetValue> values;
};

/// Facets count each field without its own filter (for the window's checkboxes); stats wants
/// the counts of matching results, so keep only the values the filter allows.
QVector<FacetValue> narrowed(QVector<FacetValue> values, const QStringList &filter)
{
    if (!filter.isEmpty()) {
        values.erase(std::remove_if(values.begin(), values.end(),
                                    [&filter](const FacetValue &v) {
                                        return std::none_of(filter.begin(), filter.end(), [&v](const QString &f) {
                                            return f.isNull() ? v.value.isNull() : (!v.value.isNull() && f == v.value);
                                        });
                                    }),
                     values.end());
    }
    std::sort(values.begin(), values.end(), [](const FacetValue &a, const FacetValue &b) {
        if (a.count != b.count)
            return a.count > b.count;
        return a.value < b.value;
    });
    return values;
}

/// The FILTERS and `--format` (table, csv or json) of an aggregate command; a usage error's
/// sentence, or an empty string.
QString readAggregateArguments(const CliArguments &arguments, TaskQuery *query, CliRecords::Format *format)
{
    if (const QString error = buildQuery(arguments, query); !error.isEmpty())
        return error;
    *format = CliRecords::Format::Table;
    if (!arguments.has(QStringLiteral("format")))
        return {};
    const QString name = arguments.value(QStringLiteral("format"));
    const std::optional<CliRecords::Format> named = CliRecords::formatNamed(name);
    if (!named)
        return QStringLiteral("--format: '%1' is not one of table, csv, json").arg(name);
    *format = *named;
    return {};
}

/// `stats --by`: one record per bucket (start, a count per status, total).
int printStatusHistory(const StatusHistory &history, CliRecords::Format format, const CliConsole &console)
{
    // A custom state named like the record's own keys cannot be a key beside them.
    QStringList statuses = history.statuses;
    statuses.removeAll(QStringLiteral("start"));
    statuses.removeAll(QStringLiteral("total"));
    CliRecords records;
    records.columns << QStringLiteral("start") << statuses << QStringLiteral("total");
    for (const StatusBucket &bucket : history.buckets) {
        QVector<QJsonValue> row{TimeParse::formatTimestamp(bucket.start)};
        for (const QString &status : statuses)
            row << double(bucket.counts.value(status));
        row << double(bucket.total);
        records.rows << row;
    }
    if (format == CliRecords::Format::Table && statuses.contains(QString(QStringLiteral(""))))
        records.columns[statuses.indexOf(QStringLiteral("")) + 1] = QStringLiteral("(none)");
    console.out(records.text(format));
    return ExitSuccess;
}

int runStats(const CliArguments &arguments, const CliConsole &console)
{
    const QString command = QStringLiteral("stats");
    TaskQuery query;
    CliRecords::Format format;
    if (const QString error = readAggregateArguments(arguments, &query, &format); !error.isEmpty())
        return usageError(console, command, error);
    const bool json = format == CliRecords::Format::Json;
    const bool csv = format == CliRecords::Format::Csv;
    std::optional<TimeBucket> bucket;
    if (arguments.has(QStringLiteral("by"))) {
        bucket = timeBucketNamed(arguments.value(QStringLiteral("by")));
        if (!bucket)
            return usageError(console, command, QStringLiteral("--by: '%1' is not one of minute, hour, day")
                                                    .arg(arguments.value(QStringLiteral("by"))));
    }

    OpenedStore opened = openStore(command, arguments, console);
    if (!opened.store)
        return opened.status;
    if (bucket) {
        const Outcome<StatusHistory> history = opened.store->statusHistory(query, *bucket);
        if (!history)
            return failure(console, QStringLiteral("cannot count results by %1 in %2: %3")
                                        .arg(timeBucketName(*bucket), opened.display, history.error().message));
        return printStatusHistory(*history, format, console);
    }
    const Outcome<qint64> total = opened.store->count(query);
    if (!total)
        return failure(console, QStringLiteral("cannot count results in %1: %2").arg(opened.display, total.error().message));
    const Outcome<Facets> facets = opened.store->facets(query);
    if (!facets)
        return failure(console, QStringLiteral("cannot count by status, task name and worker in %1: %2")
                                    .arg(opened.display, facets.error().message));

    const StoreInfo info = opened.store->info();
    const QVector<FacetSection> sections{
        {fieldName(Field::Status), info.fields.contains(Field::Status), narrowed(facets->statuses, query.statuses)},
        {fieldName(Field::TaskName), info.fields.contains(Field::TaskName), narrowed(facets->taskNames, query.taskNames)},
        {fieldName(Field::Worker), info.fields.contains(Field::Worker), narrowed(facets->workers, query.workers)},
        {fieldName(Field::PeriodicTaskName), info.fields.contains(Field::PeriodicTaskName),
         narrowed(facets->periodicTaskNames, query.periodicTaskNames)},
    };

    if (json) {
        QJsonObject object;
        object.insert(QStringLiteral("total"), *total);
        for (const FacetSection &section : sections) {
            if (!section.available) {
                object.insert(section.key, QJsonValue(QJsonValue::Null));
                continue;
            }
            QJsonObject counts;
            for (const FacetValue &value : section.values)
                counts.insert(value.value.isNull() ? QStringLiteral("") : value.value, value.count);
            object.insert(section.key, counts);
        }
        console.out(QString::fromUtf8(QJsonDocument(object).toJson(QJsonDocument::Indented)));
        return ExitSuccess;
    }
    if (csv) {
        // One row per count, as list's CSV: RFC 4180, CRLF. NULL is the empty value, as the
        // key "" in JSON; a field the schema lacks has no rows.
        QString text = QStringLiteral("field,value,count\r\ntotal,,%1\r\n").arg(*total);
        for (const FacetSection &section : sections) {
            for (const FacetValue &value : section.values)
                text += QStringLiteral("%1,%2,%3\r\n").arg(section.key, csvField(value.value), QString::number(value.count));
        }
        console.out(text);
        return ExitSuccess;
    }

    QString text = QStringLiteral("total  %1\n").arg(*total);
    for (const FacetSection &section : sections) {
        text += u'\n';
        if (!section.available) {
            text += QStringLiteral("%1: not recorded by this schema\n").arg(section.key);
            continue;
        }
        QStringList names;
        int nameWidth = int(section.key.size());
        int countWidth = 5;
        for (const FacetValue &value : section.values) {
            names << (value.value.isNull() ? QStringLiteral("(none)")
                                           : DisplayText::value(value.value, DisplayText::maxColumns));
            nameWidth = std::max(nameWidth, DisplayText::width(names.constLast()));
            countWidth = std::max(countWidth, int(QString::number(value.count).size()));
        }
        text += section.key.leftJustified(nameWidth + 2) + QStringLiteral("count").rightJustified(countWidth) + u'\n';
        for (qsizetype i = 0; i < section.values.size(); ++i) {
            text += DisplayText::padded(names.at(i), nameWidth + 2)
                + QString::number(section.values.at(i).count).rightJustified(countWidth) + u'\n';
        }
    }
    if (!info.note.isEmpty())
        text += QStringLiteral("\nnote: %1\n").arg(DisplayText::sentence(info.note));
    console.out(text);
    return ExitSuccess;
}

// ---------------------------------------------------------------------------------------------
// runtimes

int runRuntimes(const CliArguments &arguments, const CliConsole &console)
{
    const QString command = QStringLiteral("runtimes");
    TaskQuery query;
    CliRecords::Format format;
    if (const QString error = readAggregateArguments(arguments, &query, &format); !error.isEmpty())
        return usageError(console, command, error);

    OpenedStore opened = openStore(command, arguments, console);
    if (!opened.store)
        return opened.status;
    const Outcome<RuntimeTable> table = opened.store->runtimes(query);
    if (!table)
        return failure(console, QStringLiteral("cannot compute runtimes in %1: %2").arg(opened.display, table.error().message));

    CliRecords records;
    records.columns = QStringList{QStringLiteral("task_name"), QStringLiteral("count"), QStringLiteral("p50"),
                                  QStringLiteral("p95"), QStringLiteral("p99"), QStringLiteral("max"),
                                  QStringLiteral("basis"), QStringLiteral("p95_earlier"), QStringLiteral("p95_recent"),
                                  QStringLiteral("p95_grew"), QStringLiteral("p95_trend")};
    // The trend (TaskRuntimes' halves) came after the CSV's columns were fixed: JSON gets the
    // two p95s and the verdict, the table a mark people read ("▲ 3.2×"), the CSV stays as it was.
    enum { EarlierColumn = 7, RecentColumn, GrewColumn, TrendColumn };
    records.onlyIn = {{EarlierColumn, {CliRecords::Format::Json}},
                      {RecentColumn, {CliRecords::Format::Json}},
                      {GrewColumn, {CliRecords::Format::Json}},
                      {TrendColumn, {CliRecords::Format::Table}}};
    const QString basis = runtimeBasisName(table->basis);
    const auto optional = [](const std::optional<double> &value) { return value ? QJsonValue(*value) : QJsonValue(); };
    for (const TaskRuntimes &task : table->tasks) {
        records.rows << QVector<QJsonValue>{task.taskName.isNull() ? QJsonValue() : QJsonValue(task.taskName),
                                            double(task.count), task.p50, task.p95, task.p99, task.max, basis,
                                            optional(task.p95Earlier), optional(task.p95Recent), task.p95Grew(),
                                            optional(task.p95Ratio())};
    }
    // People read "1.23 s" (TimeParse::formatRuntime(), as the window's Runtime column); scripts
    // get seconds from json and csv.
    records.display = [](int column, const QJsonValue &value) {
        if (column >= 2 && column <= 5)
            return TimeParse::formatRuntime(qint64(value.toDouble() * 1000));
        if (column == TrendColumn)
            return value.isNull() ? QStringLiteral("-") : TaskRuntimes::p95RatioText(value.toDouble());
        if (value.isNull())
            return QStringLiteral("(none)");
        return value.isString() ? DisplayText::value(value.toString(), DisplayText::maxColumns)
                                : QString::number(value.toInteger());
    };
    console.out(records.text(format));
    return ExitSuccess;
}

// ---------------------------------------------------------------------------------------------
// failures

/// Counts by status as the records' JSON object (status -> n; "" = NULL), in key order.
QJsonObject statusCounts(const QMap<QString, qint64> &counts)
{
    QJsonObject object;
    for (auto it = counts.cbegin(); it != counts.cend(); ++it)
        object.insert(it.key(), double(it.value()));
    return object;
}

/// The table's text of a record value of failures and groups: an array as "a, b", counts as
/// "FAILURE 3, RETRY 1", null as "-" (json and csv print the JSON itself).
QString aggregateCell(const QJsonValue &value)
{
    QStringList parts;
    if (value.isArray()) {
        for (const QJsonValue &item : value.toArray())
            parts << item.toString();
    } else if (value.isObject()) {
        const QJsonObject object = value.toObject();
        for (auto it = object.begin(); it != object.end(); ++it)
            parts << (it.key().isEmpty() ? QStringLiteral("(none)") : it.key()) + u' ' + QString::number(it.value().toInteger());
    } else if (value.isNull()) {
        return QStringLiteral("-");
    } else if (value.isDouble()) {
        return QString::number(value.toInteger());
    } else {
        return DisplayText::value(value.toString(), DisplayText::maxColumns);
    }
    return DisplayText::value(parts.join(QStringLiteral(", ")), DisplayText::maxColumns);
}

/// `failures`: one record per group (the contract's keys), at most `limit` (0 = all).
int printFailures(const FailureTable &table, qint64 limit, CliRecords::Format format,
                  const CliConsole &console)
{
    CliRecords records;
    records.columns = QStringList{QStringLiteral("task_name"), QStringLiteral("exception"), QStringLiteral("exception_module"),
                                  QStringLiteral("message"),   QStringLiteral("fingerprint"), QStringLiteral("count"),
                                  QStringLiteral("first_seen"), QStringLiteral("last_seen"), QStringLiteral("workers"),
                                  QStringLiteral("statuses")};
    // JSON only: the CSV and the table keep their columns.
    const bool withTrend = format == CliRecords::Format::Json;
    if (withTrend)
        records.columns << QStringLiteral("trend");
    const auto text = [](const QString &s) { return s.isNull() ? QJsonValue() : QJsonValue(s); };
    const auto date = [](const QDateTime &d) { return d.isValid() ? QJsonValue(TimeParse::formatTimestamp(d)) : QJsonValue(); };
    for (const FailureGroup &group : table.groups) {
        if (limit > 0 && records.rows.size() >= limit)
            break;
        const QJsonObject statuses = statusCounts(group.statuses);
        records.rows << QVector<QJsonValue>{text(group.taskName), text(group.exception), text(group.exceptionModule),
                                            text(group.message), text(group.fingerprint), double(group.count),
                                            date(group.firstSeen), date(group.lastSeen),
                                            QJsonArray::fromStringList(group.workers), statuses};
        if (withTrend) {
            QJsonArray counts;
            for (const qint64 n : group.trend)
                counts.append(double(n));
            records.rows.last() << QJsonObject{{QStringLiteral("bucket"), timeBucketName(table.trend.bucket)},
                                               {QStringLiteral("step"), table.trend.step},
                                               {QStringLiteral("start"), date(table.trend.start)},
                                               {QStringLiteral("counts"), counts}};
        }
    }
    // The table: workers as "w1, w2", statuses as "FAILURE 3, RETRY 1" (json and csv: JSON).
    records.display = [](int, const QJsonValue &value) { return aggregateCell(value); };
    console.out(records.text(format));
    return ExitSuccess;
}

int runFailures(const CliArguments &arguments, const CliConsole &console)
{
    const QString command = QStringLiteral("failures");
    TaskQuery query;
    CliRecords::Format format;
    if (const QString error = readAggregateArguments(arguments, &query, &format); !error.isEmpty())
        return usageError(console, command, error);
    if (query.statuses.isEmpty())
        query.statuses = defaultFailureStatuses();
    qint64 limit = 0;
    if (const QString error = readLimit(arguments, &limit); !error.isEmpty())
        return usageError(console, command, error);

    OpenedStore opened = openStore(command, arguments, console);
    if (!opened.store)
        return opened.status;
    const Outcome<FailureTable> table = opened.store->failures(query);
    if (!table)
        return failure(console, QStringLiteral("cannot group failures in %1: %2").arg(opened.display, table.error().message));
    return printFailures(*table, limit, format, console);
}

// ---------------------------------------------------------------------------------------------
// groups

int runGroups(const CliArguments &arguments, const CliConsole &console)
{
    const QString command = QStringLiteral("groups");
    TaskQuery query;
    CliRecords::Format format;
    if (const QString error = readAggregateArguments(arguments, &query, &format); !error.isEmpty())
        return usageError(console, command, error);
    qint64 limit = TaskGroups::defaultLimit;
    if (const QString error = readLimit(arguments, &limit); !error.isEmpty())
        return usageError(console, command, error);
    const QString taskId = arguments.value(QStringLiteral("task"));
    if (arguments.has(QStringLiteral("task")) && taskId.trimmed().isEmpty())
        return usageError(console, command, QStringLiteral("--task: give a task id"));

    OpenedStore opened = openStore(command, arguments, console);
    if (!opened.store)
        return opened.status;
    const int storeLimit = limit == 0 || limit > std::numeric_limits<int>::max() ? std::numeric_limits<int>::max() : int(limit);
    const Outcome<GroupListing> listing = taskId.isEmpty() ? TaskGroups::list(*opened.store, query, storeLimit)
                                                           : TaskGroups::listing(*opened.store, taskId);
    if (!listing)
        return failure(console, QStringLiteral("cannot read saved groups in %1: %2").arg(opened.display, listing.error().message));

    CliRecords records;
    records.columns = QStringList{QStringLiteral("group_id"), QStringLiteral("date_done"), QStringLiteral("members"),
                                  QStringLiteral("statuses"), QStringLiteral("not_stored"), QStringLiteral("problem")};
    for (const TaskGroup &group : listing->groups) {
        qint64 missing = 0;
        const QJsonObject statuses = statusCounts(listing->statusesOf(group, &missing));
        records.rows << QVector<QJsonValue>{
            group.groupId,
            group.dateDone.isValid() ? QJsonValue(TimeParse::formatTimestamp(group.dateDone)) : QJsonValue(),
            QJsonArray::fromStringList(group.memberIds), statuses, double(missing),
            group.problem.isEmpty() ? QJsonValue() : QJsonValue(group.problem)};
    }
    // The table: the member count, statuses as "FAILURE 1, SUCCESS 2" (json and csv: JSON).
    records.display = [](int, const QJsonValue &value) {
        return value.isArray() ? QString::number(value.toArray().size()) : aggregateCell(value);
    };
    console.out(records.text(format));
    return ExitSuccess;
}

// ---------------------------------------------------------------------------------------------
// purge

std::atomic<Purger *> activePurger{nullptr};

void onInterrupt(int)
{
    // Async-signal-safe only: an atomic store and write(2).
    if (Purger *purger = activePurger.load())
        purger->cancel();
    static const char message[] = "\nstalk: stopping after the current batch (Ctrl+C again aborts at once)\n";
    const ssize_t written = ::write(STDERR_FILENO, message, sizeof message - 1);
    Q_UNUSED(written)
}

/// Installs the Ctrl+C handler for the lifetime of a purge; the second Ctrl+C kills as usual.
class InterruptGuard final
{
public:
    explicit InterruptGuard(Purger &purger)
    {
        activePurger.store(&purger);
        struct sigaction action{};
        action.sa_handler = &onInterrupt;
        sigemptyset(&action.sa_mask);
        action.sa_flags = SA_RESETHAND;
        sigaction(SIGINT, &action, &m_previous);
    }
    ~InterruptGuard()
    {
        sigaction(SIGINT, &m_previous, nullptr);
        activePurger.store(nullptr);
    }
    Q_DISABLE_COPY_MOVE(InterruptGuard)

private:
    struct sigaction m_previous{};
};

bool askConfirmation(const CliConsole &console, const QString &question)
{
    console.err(DisplayText::sentence(question) + QStringLiteral(" [y/N] "));
    char line[64] = {};
    if (!std::fgets(line, sizeof line, stdin))
        return false;
    const QString answer = QString::fromLocal8Bit(line).trimmed().toLower();
    return answer == u"y" || answer == u"yes";
}

/// Every filter narrowing criteria, as the command line spells them, when it is narrowed by
/// more than --status and --task-name; empty otherwise, so that what a purge narrowed by
/// those alone prints stays as it was.
QString narrowingText(const PurgeCriteria &criteria)
{
    if (criteria.workers.isEmpty() && criteria.periodicTaskNames.isEmpty() && !criteria.doneAfter.isValid()
        && criteria.searchTerms().isEmpty() && criteria.exceptionFilter().isEmpty())
        return {};
    TaskQuery narrowing;
    narrowing.statuses = criteria.statuses;
    narrowing.taskNames = criteria.taskNames;
    narrowing.workers = criteria.workers;
    narrowing.periodicTaskNames = criteria.periodicTaskNames;
    narrowing.doneAfter = criteria.doneAfter;
    narrowing.search = criteria.search;
    narrowing.exceptions = criteria.exceptions;
    narrowing.fingerprints = criteria.fingerprints;
    return DisplayText::sentence(QueryCommand::shellCommandLine(QueryCommand::filterArguments(narrowing)));
}

/// What `purge --cache-expired` adds to its lines: " (N past their cache expiry)"; nothing without it.
QString cacheExpiredText(bool cacheExpired, qint64 count)
{
    return cacheExpired ? QStringLiteral(" (%1 past their cache expiry)").arg(count) : QString();
}

int runPurge(const CliArguments &arguments, const CliConsole &console)
{
    const QString command = QStringLiteral("purge");
    // Upstream's expiry, narrowed by the FILTERS of count and list (purgeCriteriaFor()); the
    // upper date bound is the cutoff itself.
    if (arguments.has(QStringLiteral("done-before"))) {
        return usageError(console, command,
                          QStringLiteral("--done-before cannot narrow a purge: a purge deletes what Celery's cleanup "
                                         "deletes (date_done before the cutoff); the cutoff is --before TIMESTAMP"));
    }

    const bool hasOlderThan = arguments.has(QStringLiteral("older-than"));
    const bool hasBefore = arguments.has(QStringLiteral("before"));
    const bool cacheExpired = arguments.has(QStringLiteral("cache-expired"));
    if (hasOlderThan && hasBefore)
        return usageError(console, command, QStringLiteral("give either --older-than or --before, not both"));
    if (!hasOlderThan && !hasBefore && !cacheExpired) {
        return usageError(console, command,
                          QStringLiteral("missing the cutoff: give --older-than DURATION or --before TIMESTAMP, or --cache-expired "
                                         "on a Django cache (a DatabaseCache table, a FileBasedCache directory)"));
    }
    // One "now" for the cutoff and the cache expiry alike.
    const QDateTime now = QDateTime::currentDateTimeUtc();
    QDateTime cutoff;
    int cutoffExtraMicroseconds = 0;
    QString error;
    if (hasOlderThan) {
        qint64 seconds = 0;
        if (!TimeParse::parseDuration(arguments.value(QStringLiteral("older-than")), &seconds, &error))
            return usageError(console, command, QStringLiteral("--older-than: %1").arg(error));
        cutoff = now.addSecs(-seconds);
    } else if (hasBefore) {
        cutoff = TimeParse::parseTimestamp(arguments.value(QStringLiteral("before")), &error, &cutoffExtraMicroseconds);
        if (!cutoff.isValid())
            return usageError(console, command, QStringLiteral("--before: %1").arg(error));
    }
    // The same FILTERS as count and list, read by the same code, mapped by the window's rule.
    TaskQuery query;
    if (const QString filterError = buildQuery(arguments, &query); !filterError.isEmpty())
        return usageError(console, command, filterError);
    const Outcome<PurgeCriteria> narrowed = purgeCriteriaFor(query, cutoff);
    if (!narrowed)
        return usageError(console, command, narrowed.error().message);
    PurgeCriteria criteria = *narrowed;
    criteria.cutoffExtraMicroseconds = cutoffExtraMicroseconds;
    // Celery's cleanup deletes expired groups too; a narrowed purge still keeps them
    // (PurgeCriteria::includesGroups()).
    criteria.includeGroups = true;
    criteria.cacheExpired = cacheExpired;
    if (cacheExpired)
        criteria.cacheNow = now;
    const QString narrowing = narrowingText(criteria);

    int batchSize = 0; // adaptive
    if (arguments.has(QStringLiteral("batch-size"))) {
        bool ok = false;
        const QString text = arguments.value(QStringLiteral("batch-size"));
        batchSize = text.toInt(&ok);
        if (!ok || batchSize < 1 || batchSize > 1000000 || text.startsWith(u'+'))
            return usageError(console, command, QStringLiteral("--batch-size: '%1' is not a number from 1 to 1000000").arg(text));
    }

    const bool dryRun = arguments.has(QStringLiteral("dry-run"));
    const bool yes = arguments.has(QStringLiteral("yes"));
    // Decided before the store is touched: a script without --yes must fail the same way
    // whether or not anything has expired yet.
    if (!dryRun && !yes && !CliConsole::stdinIsTerminal()) {
        return usageError(console, command,
                          QStringLiteral("refusing to delete without --yes: standard input is not a terminal"));
    }

    const bool readOnly = readOnlyRequested(arguments);
    OpenedStore opened = openStore(command, arguments, console);
    if (!opened.store)
        return opened.status;
    // Known once the store is open: a SQL URL may hold a Django DatabaseCache table.
    if (StoreError e = cacheExpiryError(opened.store->info(), criteria))
        return usageError(console, command, QStringLiteral("--cache-expired: %1").arg(e.message));
    if (!dryRun && (readOnly || opened.store->info().readOnly)) {
        return failure(console, QStringLiteral("cannot purge %1: permission denied: the store was opened read-only%2")
                                    .arg(opened.display, readOnly ? QStringLiteral(" (--read-only)") : QString()));
    }

    // With --yes nothing is counted first: the operator has confirmed, and on a server at
    // production size the count alone takes seconds. -1: not known.
    qint64 expected = -1;
    if (dryRun || !yes) {
        const Outcome<PurgePreview> preview = opened.store->previewPurge(criteria);
        if (!preview)
            return failure(console, QStringLiteral("cannot count expired results in %1: %2")
                                        .arg(opened.display, preview.error().message));

        if (dryRun) {
            QString line = QStringLiteral("%1 results would be deleted").arg(preview->total);
            if (preview->total > 0)
                line += QStringLiteral(" (%1)").arg(statusBreakdown(preview->byStatus));
            line += QStringLiteral(" (+ %1 groups)").arg(preview->groups);
            line += cacheExpiredText(cacheExpired, preview->cacheExpired);
            if (!narrowing.isEmpty())
                line += QStringLiteral(", narrowed by ") + narrowing;
            console.out(line + u'\n');
            return ExitSuccess;
        }

        if (preview->total == 0 && preview->groups == 0) {
            console.out(QStringLiteral("deleted 0 results (and 0 groups)%1\n").arg(cacheExpiredText(cacheExpired, 0)));
            return ExitSuccess;
        }

        const QString groups = preview->groups > 0 ? QStringLiteral(" (and %1 groups)").arg(preview->groups) : QString();
        QString which = QStringLiteral("older than %1").arg(TimeParse::formatTimestamp(criteria.cutoff));
        if (cacheExpired) {
            const QString past = QStringLiteral("past their cache expiry (%1)").arg(preview->cacheExpired);
            which = criteria.cutoff.isValid() ? which + QStringLiteral(" or ") + past : past;
        }
        const QString question = QStringLiteral("Delete %1 results%2 %3%4 from %5?")
                                     .arg(QString::number(preview->total), groups, which,
                                          narrowing.isEmpty() ? QString() : QStringLiteral(" (narrowed by %1)").arg(narrowing),
                                          opened.display);
        if (!askConfirmation(console, question)) {
            console.err(QStringLiteral("stalk: purge cancelled: nothing was deleted\n"));
            return ExitFailure;
        }
        expected = preview->total;
    }

    Purger purger(*opened.store);
    purger.setBatchSize(batchSize);
    const bool showProgress = CliConsole::stderrIsTerminal();
    bool progressShown = false;
    if (showProgress) {
        purger.setProgressCallback([&console, &progressShown](qint64 done, qint64 expected) {
            if (expected < 0) {
                console.err(QStringLiteral("\rdeleting: %1 results").arg(done));
            } else {
                const int percent = expected > 0 ? int(std::min<qint64>(100, done * 100 / expected)) : 100;
                console.err(QStringLiteral("\rdeleting: %1 of %2 results (%3%)")
                                .arg(QString::number(done), QString::number(expected), QString::number(percent)));
            }
            progressShown = true;
        });
    }
    PurgeSummary summary;
    {
        const InterruptGuard guard(purger);
        summary = purger.purge(criteria, expected);
    }
    if (progressShown)
        console.err(QStringLiteral("\n"));

    console.out(QStringLiteral("deleted %1 results (and %2 groups)%3\n")
                    .arg(QString::number(summary.tasksDeleted), QString::number(summary.groupsDeleted),
                         cacheExpiredText(cacheExpired, summary.cacheExpiredDeleted)));
    console.flush();
    // "N of M expired results deleted", or "N expired results deleted" when M was not counted.
    const QString deletedSoFar = QStringLiteral("%1%2 expired results deleted")
                                     .arg(QString::number(summary.tasksDeleted),
                                          summary.expected < 0 ? QString()
                                                               : QStringLiteral(" of %1").arg(summary.expected));
    if (summary.cancelled || summary.error.code == StoreError::Code::Cancelled)
        return failure(console, QStringLiteral("purge of %1 interrupted: %2").arg(opened.display, deletedSoFar));
    if (summary.error) {
        return failure(console, QStringLiteral("purge of %1 stopped: %2 (%3)")
                                    .arg(opened.display, summary.error.message, deletedSoFar));
    }
    return ExitSuccess;
}

// ---------------------------------------------------------------------------------------------
// couch-index

int runCouchIndex(const CliArguments &arguments, const CliConsole &console)
{
    const QString command = QStringLiteral("couch-index");
    const bool create = arguments.has(QStringLiteral("create"));
    const bool remove = arguments.has(QStringLiteral("remove"));
    if (create && remove)
        return usageError(console, command, QStringLiteral("give either --create or --remove, not both"));

    const QString url = arguments.positionals.at(0);
    StoreOptions options;
    StoreOpener opener(url, options);
    int status = ExitSuccess;
    if (!readKeyring(arguments, opener, &options, console, &status))
        return status;
    if (!opener.url())
        return usageError(console, command, opener.url().error().message);
    const StoreUrl &parsed = *opener.url();
    if (parsed.scheme != StoreUrl::Scheme::CouchDb) {
        return usageError(console, command, QStringLiteral("%1 is not a CouchDB database: the Stalk index is a CouchDB "
                                                           "design document")
                                                .arg(opener.displayString()));
    }
    const bool readOnly = readOnlyRequested(arguments) || parsed.asksReadOnly();
    if ((create || remove) && readOnly) {
        return failure(console, QStringLiteral("cannot %1 %2 in %3: permission denied: the store was opened read-only%4")
                                    .arg(create ? QStringLiteral("create") : QStringLiteral("remove"),
                                         CouchDesign::documentId(), opener.displayString(),
                                         readOnlyRequested(arguments) ? QStringLiteral(" (--read-only)") : QString()));
    }
    const Outcome<CouchConfig> config = CouchConfig::fromUrl(options.login(parsed));
    if (!config)
        return usageError(console, command, config.error().message);

    CouchClient client(*config);
    const Outcome<CouchDesign::Status> current =
        CouchDesign::wait([&](CouchDesign::Callback done) { CouchDesign::readStatus(client, std::move(done)); });
    if (!current)
        return failure(console, QStringLiteral("cannot read %1: %2").arg(opener.displayString(), current.error().message));

    using State = CouchDesign::Status::State;
    const State was = current->state;
    const QString sentence = CouchDesign::describe(*current);
    // A foreign _design/stalk (another tool's) is never written over or removed: its status
    // line, and exit 1 with the reason when --create or --remove asked for a change.
    const bool foreign = was == State::Foreign;
    if ((!create && !remove) || (create && was == State::UpToDate) || (remove && was == State::Absent) || foreign) {
        const QString unchanged = create ? QStringLiteral("; nothing written")
            : remove                     ? QStringLiteral("; nothing removed")
                                         : QString();
        console.out(QStringLiteral("%1: %2%3\n").arg(CouchDesign::keyword(was), sentence, unchanged));
        if (foreign && (create || remove)) {
            return failure(console, CouchDesign::foreignRefusal(*current, create ? QStringLiteral("create")
                                                                                  : QStringLiteral("remove"))
                                        .message);
        }
        return ExitSuccess;
    }
    const Outcome<CouchDesign::Status> after = CouchDesign::wait([&](CouchDesign::Callback done) {
        if (create)
            CouchDesign::write(client, *current, std::move(done));
        else
            CouchDesign::erase(client, *current, std::move(done));
    });
    if (!after)
        return failure(console, after.error().message);
    if (remove) {
        console.out(QStringLiteral("removed: %1 from database '%2'\n").arg(CouchDesign::documentId(), current->database));
    } else if (was == State::Absent) {
        console.out(QStringLiteral("created: %1 in database '%2' (version %3)\n")
                        .arg(CouchDesign::documentId(), current->database)
                        .arg(CouchDesign::version));
    } else {
        console.out(QStringLiteral("replaced: %1 in database '%2' (version %3, was %4)\n")
                        .arg(CouchDesign::documentId(), current->database)
                        .arg(CouchDesign::version)
                        .arg(current->storedVersion));
    }
    return ExitSuccess;
}

// ---------------------------------------------------------------------------------------------
// Dispatch

/// Qt's own GUI options that QApplication takes out of argv: how many values follow,
/// or -1 when the argument is not one of them.
int qtGuiOptionValues(const QString &argument)
{
    static const QStringList withValue{
        QStringLiteral("platform"), QStringLiteral("platformpluginpath"), QStringLiteral("platformtheme"),
        QStringLiteral("plugin"), QStringLiteral("qwindowgeometry"), QStringLiteral("qwindowtitle"),
        QStringLiteral("qwindowicon"), QStringLiteral("style"), QStringLiteral("stylesheet"),
        QStringLiteral("session"), QStringLiteral("display"), QStringLiteral("geometry"),
        QStringLiteral("title"), QStringLiteral("name")};
    static const QStringList flags{QStringLiteral("reverse"), QStringLiteral("nograb"),
                                   QStringLiteral("dograb"), QStringLiteral("sync"),
                                   QStringLiteral("widgetcount")};
    QString name = argument;
    if (name.startsWith(QLatin1String("--")))
        name.remove(0, 2);
    else if (name.startsWith(u'-'))
        name.remove(0, 1);
    else
        return -1;
    if (name.contains(u'='))
        return withValue.contains(name.section(u'=', 0, 0)) ? 0 : -1;
    if (withValue.contains(name))
        return 1;
    if (flags.contains(name))
        return 0;
    return -1;
}

bool looksLikeLocation(const QString &word)
{
    return word.contains(QLatin1String("://")) || word.contains(u'/') || word.contains(u'.')
        || word.startsWith(QLatin1String("sqlite:")) || QFileInfo::exists(word);
}

int runCommand(const Command &command, const QStringList &arguments, const CliConsole &console)
{
    const CliArguments parsed = parseCliArguments(arguments, command.options);
    const bool wantsHelp = parsed.has(QStringLiteral("help"))
        || (!parsed.error.isEmpty()
            && (arguments.contains(QStringLiteral("--help")) || arguments.contains(QStringLiteral("-h"))));
    if (wantsHelp) {
        console.out(commandHelp(command));
        return ExitSuccess;
    }
    if (!parsed.error.isEmpty())
        return usageError(console, command.name, parsed.error);
    if (parsed.has(QStringLiteral("verbose")))
        StalkLog::enableVerbose();
    if (parsed.positionals.size() < command.positionals.size()) {
        return usageError(console, command.name,
                          QStringLiteral("missing %1 (stalk %2 %3)")
                              .arg(command.positionals.at(parsed.positionals.size()), command.name, command.synopsis));
    }
    if (parsed.positionals.size() > command.positionals.size()) {
        return usageError(console, command.name,
                          QStringLiteral("unexpected argument '%1'").arg(parsed.positionals.at(command.positionals.size())));
    }
    return command.run(parsed, console);
}

} // namespace

QString windowUnavailableReason(const QStringList &arguments)
{
#if !STALK_GUI
    Q_UNUSED(arguments)
    return QStringLiteral("cannot open the window: this stalk was built without it (STALK_GUI=OFF); "
                          "commands work: stalk list URL, stalk --help");
#elif defined(Q_OS_LINUX)
    for (const char *variable : {"DISPLAY", "WAYLAND_DISPLAY", "QT_QPA_PLATFORM"}) {
        if (!qEnvironmentVariableIsEmpty(variable))
            return {};
    }
    for (const QString &argument : arguments) {
        if (argument == u"-platform" || argument == u"--platform" || argument.startsWith(QLatin1String("-platform="))
            || argument.startsWith(QLatin1String("--platform=")))
            return {};
    }
    return QStringLiteral("cannot open the window: no display (DISPLAY and WAYLAND_DISPLAY are not set); "
                          "commands work without one: stalk list URL, stalk --help");
#else
    Q_UNUSED(arguments)
    return {};
#endif
}

QStringList argumentsFrom(int argc, char **argv)
{
    QStringList arguments;
    for (int i = 1; i < argc; ++i)
        arguments << QString::fromLocal8Bit(argv[i]);
    return arguments;
}

QString versionText()
{
    return QStringLiteral("stalk %1 (Qt %2)").arg(QStringLiteral(STALK_VERSION), QString::fromLatin1(qVersion()));
}

Route route(const QStringList &arguments)
{
    Route window;
    window.kind = Route::Kind::Window;
    QStringList positionals;
    for (qsizetype i = 0; i < arguments.size(); ++i) {
        const QString &argument = arguments.at(i);
        if (argument == u"--read-only") {
            window.readOnly = true;
            continue;
        }
        if (isVerboseFlag(argument)) {
            window.verbose = true;
            continue;
        }
        if (const int values = qtGuiOptionValues(argument); values >= 0) {
            i += values;
            continue;
        }
        if (argument.startsWith(u'-') && argument != u"-")
            return {}; // --help, --version or a usage error: run() says which
        positionals << argument;
    }
    if (positionals.isEmpty())
        return window;
    const QString &first = positionals.constFirst();
    if (positionals.size() == 1 && !findCommand(first) && first != u"help" && looksLikeLocation(first)) {
        // A desktop launcher (Exec=stalk %u) may pass a local file as a file: URL; a directory
        // stays a file:/// URL (a Django FileBasedCache).
        const QUrl fileUrl(first);
        window.url = fileUrl.isLocalFile() && !QFileInfo(fileUrl.toLocalFile()).isDir() ? fileUrl.toLocalFile() : first;
        return window;
    }
    return {};
}

int run(const QStringList &arguments)
{
    const CliConsole console;
    bool readOnly = false;
    bool keyring = false;
    bool verbose = false;
    qsizetype i = 0;
    for (; i < arguments.size(); ++i) {
        const QString &argument = arguments.at(i);
        if (argument == u"--help" || argument == u"-h") {
            console.out(globalHelp());
            return ExitSuccess;
        }
        if (argument == u"--version") {
            console.out(versionText() + u'\n');
            return ExitSuccess;
        }
        if (argument == u"--read-only") {
            readOnly = true;
            continue;
        }
        if (argument == u"--keyring") {
            keyring = true;
            continue;
        }
        if (isVerboseFlag(argument)) {
            verbose = true;
            continue;
        }
        if (argument.startsWith(u'-') && argument != u"-") {
            const QString name = argument.section(u'=', 0, 0);
            return usageError(console, {},
                              QStringLiteral("unknown option '%1' (options go after the command: stalk COMMAND URL [OPTIONS])")
                                  .arg(name));
        }
        break;
    }
    if (i >= arguments.size())
        return usageError(console, {}, QStringLiteral("missing command"));

    const QString word = arguments.at(i);
    QStringList rest = arguments.mid(i + 1);
    if (word == u"help") {
        if (rest.isEmpty()) {
            console.out(globalHelp());
            return ExitSuccess;
        }
        if (const Command *command = findCommand(rest.constFirst())) {
            console.out(commandHelp(*command));
            return ExitSuccess;
        }
    }
    const Command *command = findCommand(word == u"help" ? rest.constFirst() : word);
    if (!command) {
        const QString unknown = word == u"help" ? rest.constFirst() : word;
        if (word != u"help" && looksLikeLocation(word)) {
            // `stalk URL extra…`: the window takes one URL and nothing else.
            return usageError(console, {},
                              QStringLiteral("unexpected argument '%1' after the URL (the window takes one URL; "
                                             "commands go first: stalk COMMAND URL)")
                                  .arg(rest.value(0)));
        }
        const QString suggestion = suggestClosest(unknown, commandNames());
        return usageError(console, {},
                          QStringLiteral("unknown command '%1'%2 (commands: %3)")
                              .arg(unknown,
                                   suggestion.isEmpty() ? QString() : QStringLiteral("; did you mean '%1'?").arg(suggestion),
                                   commandNames().join(QStringLiteral(", "))));
    }
    if (readOnly)
        rest.prepend(QStringLiteral("--read-only"));
    if (keyring)
        rest.prepend(QStringLiteral("--keyring"));
    if (verbose)
        rest.prepend(QStringLiteral("--verbose"));
    return runCommand(*command, rest, console);
}

} // namespace Cli
