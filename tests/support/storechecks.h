#pragma once

#include <QDateTime>
#include <QJsonArray>
#include <QJsonObject>
#include <QJsonValue>
#include <QMap>
#include <QString>
#include <QStringList>
#include <QVector>

#include <functional>
#include <memory>

#include "resultstore.h"
#include "taskquery.h"

/// Helpers for the store suites (SQLite, PostgreSQL, MariaDB) that compare Stalk's answers
/// with expectations.json and with the database read independently. Pure functions.
namespace TestSupport {

/// Facet values and their counts; NULL as a null QString.
using Counts = QMap<QString, qint64>;

QStringList sorted(QStringList list);
/// The JSON object in the file an environment variable names (a fixture writer's
/// expectations); empty when it cannot be read.
QJsonObject jsonObjectOfFileIn(const char *variable);
/// The strings of a JSON array.
QStringList stringsOf(const QJsonArray &array);
/// Purges in batches until finished: how many results went; -1 (and a warning) on an error.
qint64 purgeAll(ResultStore &store, const PurgeCriteria &criteria, int batchSize);
/// JSON text of any value (scalars too) as a QJsonValue, for comparing meaning, not spelling;
/// Undefined when it is not JSON.
QJsonValue jsonOfText(const QString &text);

/// "YYYY-MM-DD[ T]HH:MM:SS[.ffffff][Z]" as microseconds since the epoch (UTC): an independent
/// reading of stored dates and cutoffs, so purge expectations do not reuse Stalk's text logic.
qint64 micros(const QString &text, bool *ok);

/// An ISO cutoff with up to 6 fraction digits as PurgeCriteria (QDateTime + extra microseconds).
PurgeCriteria criteriaFor(const QString &iso);

Counts countsOf(const QVector<FacetValue> &values);
Counts countsOf(const QJsonObject &object);

QStringList taskIdsOf(const QVector<TaskResult> &rows);

/// A complete row (fetchByTaskId) against one "celery" entry of the key-value fixture writer's
/// expectations (tools/fixtures/redis/make_redis_fixtures.py: upstream's AsyncResult(id).state
/// and get_task_meta(id)): status, names, ids, retries, dates, traceback, the result (an
/// exception as "Type: message"), args/kwargs, and its expiry, which the writer read as a TTL
/// just before writing expectationsFile (within 2 minutes). Reports through QtTest.
void verifyRowAsUpstreamReadIt(const TaskResult &t, const QJsonObject &expected, const QString &expectationsFile);

/// The key-value fixture writer's "counts" (total, per status) and "search" (each term's task
/// ids, searched as the admin does) against the store. Reports through QtTest.
void verifyCountsAndSearchesAsUpstream(ResultStore &store, const QJsonObject &dataSet);

/// The store's saved groups (ResultStore::groups(), groupsOf(), TaskGroups::list()) against
/// tests/groups_expected.py's reading of the stored rows at `url` (a SQL store's URL): every
/// group newest first with its members in stored order and date_done to the millisecond, each
/// member's group, the members' statuses from their rows, a date range that keeps only the
/// middle groups, and a task in no group. A schema without a group table: one sentence, no
/// groups. Reports through QtTest.
void verifyGroupsAsStored(ResultStore &store, const QString &url);
/// tests/groups_expected.py's reading of the stored rows at `url`: {"groups": null} without a
/// group table, else "groups", "task_groups" and "statuses" (see the script). Reports a
/// failed run through QtTest (the object is then empty).
QJsonObject expectedGroups(const QString &url);

/// The store's saved groups (`celery-taskset-meta-<id>` keys or documents; TaskGroups::list(),
/// groupsOf(), fetchByTaskIds()) against the fixture writer's `saved_groups`: each group as
/// Celery's backend.get_group_meta() read it back (group_id, members in order, date_done or
/// null) with its members' stored statuses. Reports through QtTest.
void verifyGroupsAsUpstreamReadThem(ResultStore &store, const QJsonArray &savedGroups);

// ---- What the checks filter by (CouchDB: its own fixture) ---------------------------------

/// The names and dates the checks filter by, and how a store's data legitimately differ from
/// the SQL fixtures'. The defaults are the SQL fixtures' (tools/fixtures); the CouchDB suite
/// passes its fixture's names (tools/couchdb).
struct FixtureSample
{
    /// A status found on `worker` and on other workers too.
    QString status = QStringLiteral("FAILURE");
    QString worker = QStringLiteral("alpha@stalk-fixtures");
    /// Task names with rows on `worker` in [doneAfter, doneBefore).
    QStringList taskNames = {QStringLiteral("proj.tasks.add"), QStringLiteral("proj.tasks.echo")};
    QDateTime doneAfter = QDateTime(QDate(2025, 1, 15), QTime(1, 5), Qt::UTC); ///< a row sits exactly here (SQLite)
    QDateTime doneBefore = QDateTime(QDate(2025, 2, 5), QTime(2, 32, 30), Qt::UTC); ///< and here
    /// False: the store has no periodic task field; its facet must be empty (CouchDB).
    bool hasPeriodicTasks = true;
};

// The checks both store suites run, each on its own store. They report through QtTest
// (QVERIFY/QCOMPARE return from the check only: call them last, or test
// QTest::currentTestFailed() after them).

/// Total, facets (values, counts, NULL as its own value, most frequent first) and expired
/// groups equal expectations.json's "counts".
void verifyCountsAndFacets(ResultStore &store, const QJsonObject &counts, const FixtureSample &sample = {});
/// Each facet of a filtered query ignores its own filter and honours the others.
void verifyFacetsIgnoreTheirOwnFilter(ResultStore &store, const FixtureSample &sample = {});
/// The facets of a search without set filters (a tally): each value's count is the count of
/// the search narrowed to that value (a set filter, which no tally answers), most frequent
/// first, and each facet adds up to `matching`.
void verifyTalliedFacets(ResultStore &store, const TaskQuery &query, const Facets &facets, qint64 matching);
/// Status, periodic task (NULL included), task name, worker and date-range filters count
/// and page what the unfiltered rows say they should. Returns the count of rows whose
/// periodic task is NULL or nightly-cleanup (more than 1), -1 on failure.
qint64 verifySetAndDateFilters(ResultStore &store, const FixtureSample &sample = {});
/// The default order is the admin's (expected), whole and page by page.
void verifyDefaultOrder(ResultStore &store, const QStringList &expected);
/// Pages of 3 rows of `query`, read backward from the last (after a count), forward, and by
/// jumps (middle, next, previous, second, last), are the slices of `whole` (its task ids in
/// order, read at once and checked by the caller): pages sought from kept keys, from either
/// end or by OFFSET equal the OFFSET pages, also where equal sort values or NULLs straddle a
/// page boundary.
void verifyPagesMatchTheWhole(ResultStore &store, const TaskQuery &query, const QStringList &whole);
/// A search finds exactly decodedIds, everything the admin finds, and counts them.
void verifySearch(ResultStore &store, const QString &term, const QStringList &adminIds,
                  const QStringList &decodedIds);
/// Summary rows are the full rows cut to previews; the first row (by id) holds longArgs.
void verifySummaryAndFullRows(ResultStore &store, const QString &longArgs);

/// What other clients do after a key-value store opened shows after refresh(), not before:
/// change(steps, deletedTaskId) writes the steps through Celery (TestSupport::writeThroughCelery():
/// "started:<newTaskId>" and "done:" the fixture's STARTED task, 5ea7ed00-…-000000000002) and
/// deletes the key of deletedTaskId (a SUCCESS row) as another client; its answer is empty or
/// what went wrong. The new row appears, the deleted one goes, the STARTED one is SUCCESS;
/// then the new task finishes (change({"done:<newTaskId>"}, {})) and shows SUCCESS.
using ChangeKeys = std::function<QString(const QStringList &steps, const QString &deletedTaskId)>;
void verifyRefreshFollowsOtherClients(ResultStore &store, const QString &newTaskId, const ChangeKeys &change);

// --- Purge checks (SQLite and the servers) ---------------------------------------------------
// Each suite reads its tables with its own raw connection, outside Stalk's code paths.

/// A fresh reading of what a table holds (its ids, or its row count), sorted.
using ReadTable = std::function<QStringList()>;

/// The keys of "key|date_done" lines (dates as micros() reads them, empty for NULL) whose
/// date_done is not before the cutoff: what upstream's purge leaves. Sorted.
QStringList keysNotExpired(const QStringList &keyAndDate, const QString &cutoffIso);

/// previewPurge() counts exactly expiredTasks (its status breakdown sums up) and
/// expiredGroups; purgeBatch() in batches of batchSize deletes exactly those, no batch above
/// its size, groups only once no expired task is left; a last batch and a preview find nothing.
void verifyPurgeInBatches(ResultStore &store, const PurgeCriteria &criteria, int batchSize,
                          const QStringList &expiredTasks, const QStringList &expiredGroups, const ReadTable &tasks,
                          const ReadTable &groups);
/// A purge narrowed by status and task name previews and deletes exactly `expected` (the
/// suite's own SQL), one row per batch, with only the criteria's statuses and no group.
void verifyNarrowedPurge(ResultStore &store, const PurgeCriteria &criteria, const QStringList &expected,
                         const ReadTable &tasks, const ReadTable &groups);
/// previewPurge() counts every task but tasksLeft; purgeBatch() in batches of 4 finishes and
/// leaves exactly tasksLeft and groupsLeft.
void verifyPurgeLeaves(ResultStore &store, const PurgeCriteria &criteria, const QStringList &tasksLeft,
                       const QStringList &groupsLeft, const ReadTable &tasks, const ReadTable &groups);

/// Runs SQL statements on the store's database outside Stalk; an error's text, or empty.
using RunSql = std::function<QString(const QStringList &statements)>;

/// Batches that end inside a run of equal date_done values go on after the right row. Twice,
/// ten django-celery-results rows are written with runSql, all done at one instant older
/// than every fixture row (five FAILURE, five SUCCESS, interleaved), plus one a microsecond
/// later, at the cutoff: purges in batches of 3 (all statuses, then narrowed to FAILURE)
/// delete exactly the expired ones and touch nothing younger (verifyPurgeInBatches()).
void verifyPurgeAcrossEqualDates(ResultStore &store, const RunSql &runSql, const ReadTable &tasks,
                                 const ReadTable &groups);

/// Where tests/cacheexpiry_expected.py (script, run with PYTHONPATH tasksDir) ages and reads a
/// Django cache with Django's own code: kind "file" (target: a FileBasedCache directory) or
/// "db" (table: a DatabaseCache table in target, a SQLite file or a server URL).
struct DjangoCacheTarget
{
    QString script;
    QString tasksDir;
    QString kind;
    QString target;
    QString table;
};
/// The helper's command ("age", "rewrite", "missing") on args; its JSON output, or Undefined
/// (and a warning) when it failed.
QJsonValue runDjangoCacheHelper(const DjangoCacheTarget &cache, const QString &command, const QStringList &args);

/// `purge --cache-expired` on a writable copy of a Django cache store written by real workers
/// (celery: the writer's expectations; expiredBefore: the task ids upstream expires by
/// date_done at cutoff). Entries are aged with Django's own touch(); Django's own reading
/// ("missing") is the expectation: the preview counts them (also when not asked, and the
/// narrowing and the fixed "now" apply), a purge narrowed by status deletes exactly its
/// share, an entry rewritten after the preview survives, and with a cutoff the purge takes
/// the union — every deletion checked against storedIds() (the store read without Stalk)
/// and nothing Django reads as missing left. open() opens the copy (after aging: the
/// stores read expiries at open). Reports through QtTest.
void verifyCacheExpiredPurge(const std::function<std::unique_ptr<ResultStore>()> &open, const DjangoCacheTarget &cache,
                             const QJsonArray &celery, const QString &cutoff, const QStringList &expiredBefore,
                             const ReadTable &storedIds);

} // namespace TestSupport
