#include <QTest>

#include <QProcess>

#include <QCryptographicHash>
#include <QDir>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QRegularExpression>
#include <QSet>
#include <QTemporaryDir>

#include <atomic>
#include <future>
#include <thread>

#include <sqlite3.h>

#include "couchindex.h"
#include "purger.h"
#include "sqlitedialect.h"
#include "sqlitesearch.h"
#include "sqlstore.h"
#include "storechecks.h"
#include "storeurl.h"
#include "testsupport.h"

Q_DECLARE_METATYPE(StoreError::Code)
Q_DECLARE_METATYPE(StoreInfo::Layout)

namespace {

const QString kGroups = QStringLiteral("django_celery_results_groupresult");

using TestSupport::Counts;
using TestSupport::countsOf;
using TestSupport::criteriaFor;
using TestSupport::micros;
using TestSupport::sorted;
using TestSupport::stringList;
using TestSupport::taskIdsOf;

/// Runs SQL on a file with the SQLite C API, outside Stalk's code paths.
bool execRaw(const QString &path, const QString &sql, QString *error = nullptr)
{
    sqlite3 *db = nullptr;
    if (sqlite3_open_v2(path.toUtf8().constData(), &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, nullptr)
        != SQLITE_OK) {
        if (error)
            *error = QString::fromUtf8(sqlite3_errmsg(db));
        sqlite3_close(db);
        return false;
    }
    char *message = nullptr;
    const int rc = sqlite3_exec(db, sql.toUtf8().constData(), nullptr, nullptr, &message);
    if (rc != SQLITE_OK && error)
        *error = QString::fromUtf8(message ? message : "?");
    sqlite3_free(message);
    sqlite3_close(db);
    return rc == SQLITE_OK;
}

/// The first column of every row of a query, as text (NULL as a null QString).
QStringList selectRaw(const QString &path, const QString &sql)
{
    QStringList out;
    sqlite3 *db = nullptr;
    if (sqlite3_open_v2(path.toUtf8().constData(), &db, SQLITE_OPEN_READONLY, nullptr) != SQLITE_OK) {
        sqlite3_close(db);
        return {QStringLiteral("<open failed>")};
    }
    sqlite3_stmt *stmt = nullptr;
    if (sqlite3_prepare_v2(db, sql.toUtf8().constData(), -1, &stmt, nullptr) == SQLITE_OK) {
        while (sqlite3_step(stmt) == SQLITE_ROW) {
            const auto *text = reinterpret_cast<const char *>(sqlite3_column_text(stmt, 0));
            out << (text ? QString::fromUtf8(text) : QString());
        }
    } else {
        out << QStringLiteral("<prepare failed: %1>").arg(QString::fromUtf8(sqlite3_errmsg(db)));
    }
    sqlite3_finalize(stmt);
    sqlite3_close(db);
    return out;
}

/// Grows the fixture's task table 40-fold (the same dates again: ids no longer follow time,
/// and the id tiebreak is exercised).
bool growFortyFold(const QString &path, QString *error)
{
    const QString t = QStringLiteral("django_celery_results_taskresult");
    QString grow = QStringLiteral("CREATE TEMP TABLE c AS SELECT * FROM %1;").arg(t);
    for (int i = 0; i < 40; ++i) {
        grow += QStringLiteral("UPDATE c SET id = id + (SELECT MAX(id) FROM %1), task_id = task_id || '-%2';"
                               "INSERT INTO %1 SELECT * FROM c;")
                    .arg(t)
                    .arg(i);
    }
    return execRaw(path, grow, error);
}

} // namespace

/// SqlStore on SQLite against the real fixture files (written by a real Celery worker and
/// django-celery-results), always on copies in a temporary directory.
class TestSqlStore : public QObject
{
    Q_OBJECT

private:
    QString fixture(const QString &name) const { return m_fixtures + u'/' + name; }
    /// A private, writable copy of a fixture file.
    QString copyOf(const QString &name);
    QString tempPath(const QString &name) const { return m_tmp.filePath(QStringLiteral("%1-%2").arg(m_serial).arg(name)); }
    std::unique_ptr<SqlStore> openCopy(const QString &name, StoreOptions options = {});
    /// An open store on a copy of django.sqlite3 grown forty-fold (growFortyFold()), its path
    /// in *path; null on failure.
    std::unique_ptr<SqlStore> openGrownCopy(QString *path);
    QStringList remainingTaskIds(const QString &path, const QString &table = QStringLiteral("django_celery_results_taskresult"),
                                 const QString &key = QStringLiteral("task_id"));
    /// Fresh readings of the task ids and group ids left in a django-celery-results file.
    TestSupport::ReadTable tasksIn(const QString &path)
    {
        return [this, path] { return remainingTaskIds(path); };
    }
    TestSupport::ReadTable groupsIn(const QString &path)
    {
        return [this, path] { return remainingTaskIds(path, kGroups, QStringLiteral("group_id")); };
    }
    /// A small django-celery-results file whose rows cross dates around the cutoffs (to the
    /// microsecond, and NULL) with statuses and task names (NULL and "" included).
    QString expiryFile(bool dateDoneIndexed);

    QString m_fixtures;
    QJsonObject m_expect;
    QTemporaryDir m_tmp;
    int m_serial = 0;

private Q_SLOTS:
    void initTestCase();

    void shouldPageAFilterAlikeWhicheverIndexItWalks_data();
    void shouldPageAFilterAlikeWhicheverIndexItWalks();
    void shouldPageASearchAlikeWhicheverPlanReadsIt_data();
    void shouldPageASearchAlikeWhicheverPlanReadsIt();
    void shouldTallyASearchsCountAndFacetsInOneScan_data();
    void shouldTallyASearchsCountAndFacetsInOneScan();
    void shouldFindQuickMatchesByTaskIdPrefix();
    void shouldDetectEveryFixture_data();
    void shouldDetectEveryFixture();
    void shouldCountAndFacetLikeDjango();
    void shouldCountFacetsWithoutTheirOwnFilter();
    void shouldOrderLikeTheAdmin();
    void shouldSortByEveryFieldWithIdTiebreak_data();
    void shouldSortByEveryFieldWithIdTiebreak();
    void shouldPageDeepOffsetsConsistently();
    void shouldSearchLikeExpectations_data();
    void shouldSearchLikeExpectations();
    void shouldFilterBySetsAndDates();
    void shouldKeepDatabaseIntactUnderInjection_data();
    void shouldKeepDatabaseIntactUnderInjection();
    void shouldReturnSummaryAndFullRows();
    void shouldFetchByIdAndTaskId();
    void shouldParseStoredDates_data();
    void shouldParseStoredDates();
    void shouldRenderCutoffsLikeTheWriter_data();
    void shouldRenderCutoffsLikeTheWriter();
    void shouldMatchSearchTextLikeTheSqlFunction_data();
    void shouldMatchSearchTextLikeTheSqlFunction();

    void shouldPurgeExactlyUpstreamsExpiredSet_data();
    void shouldPurgeExactlyUpstreamsExpiredSet();
    void shouldPurgeOnlyNarrowedRowsAndNoGroups();
    void shouldPurgeANarrowedSetInBatchesAcrossEqualDates();
    void shouldPurgeInBatchesAcrossEqualDates();
    void shouldExpireExactlyTheRowsTheRuleMatches_data();
    void shouldExpireExactlyTheRowsTheRuleMatches();
    void shouldPassTheRowsANarrowedPurgeKeepsInWindows();
    void shouldDeleteExactlyTheGivenRows();
    void shouldRefuseDeletesWhenReadOnly();

    void shouldReadCeleryTaskMetaAsBase64Pickle();
    void shouldListSavedGroupsAsStored_data();
    void shouldListSavedGroupsAsStored();
    void shouldPurgeCeleryTaskMetaLikeCelery_data();
    void shouldPurgeCeleryTaskMetaLikeCelery();

    void shouldReadTheTableNamedInOptions();
    void shouldOpenPathsWithUrlCharacters();
    void shouldReportNonCeleryDatabase();
    void shouldReportEmptyFileAsNotCelery();
    void shouldReportRandomBytesAsCorrupt();
    void shouldReportMissingFileWithoutCreatingIt();
    void shouldReportLockedDatabase();
    void shouldReportDamagedDatabaseMidQuery();
    void shouldSurviveNullsEverywhere();
    void shouldCarryFiveMegabyteTraceback();
    void shouldSurviveInvalidUtf8();
    void shouldKeepMalformedJsonAsStored();
    void shouldCancelLongQueryOnInterrupt();
    void shouldRefuseASearchOfTooManyWordsClearly();
    void shouldReportATextIdAsAnUnreadableRow();
};

void TestSqlStore::initTestCase()
{
    QLocale::setDefault(QLocale::c());
    m_fixtures = qEnvironmentVariable("STALK_FIXTURES");
    if (m_fixtures.isEmpty() || !QFile::exists(fixture(QStringLiteral("expectations.json"))))
        QFAIL("STALK_FIXTURES must name the directory of fixture databases (tools/fixtures/make_fixtures.sh)");
    QFile file(fixture(QStringLiteral("expectations.json")));
    QVERIFY(file.open(QIODevice::ReadOnly));
    QJsonParseError error;
    m_expect = QJsonDocument::fromJson(file.readAll(), &error).object();
    QVERIFY2(error.error == QJsonParseError::NoError, qPrintable(error.errorString()));
    QVERIFY(m_tmp.isValid());
}

QString TestSqlStore::copyOf(const QString &name)
{
    const QString target = m_tmp.filePath(QStringLiteral("%1-%2").arg(++m_serial).arg(name));
    if (!QFile::copy(fixture(name), target))
        return {};
    QFile::setPermissions(target, QFile::ReadOwner | QFile::WriteOwner);
    return target;
}

std::unique_ptr<SqlStore> TestSqlStore::openGrownCopy(QString *path)
{
    *path = copyOf(QStringLiteral("django.sqlite3"));
    QString error;
    if (path->isEmpty() || !growFortyFold(*path, &error)) {
        qWarning("cannot grow the copy: %s", qPrintable(error));
        return nullptr;
    }
    auto store = SqlStore::sqlite(*path, {});
    if (store->open().isError())
        return nullptr;
    return store;
}

std::unique_ptr<SqlStore> TestSqlStore::openCopy(const QString &name, StoreOptions options)
{
    const QString path = copyOf(name);
    if (path.isEmpty())
        return nullptr;
    auto store = SqlStore::sqlite(path, options);
    if (store->open())
        return nullptr;
    return store;
}

QStringList TestSqlStore::remainingTaskIds(const QString &path, const QString &table, const QString &key)
{
    return sorted(selectRaw(path, QStringLiteral("SELECT %1 FROM %2").arg(key, table)));
}

// --- detection -------------------------------------------------------------------------------

// A filter that matches many rows makes the page walk the date_done index (SQLite, "+column"
// keeps the filter's index out); a rare one reads the filter's index. The rows must be the
// same either way.
void TestSqlStore::shouldPageAFilterAlikeWhicheverIndexItWalks_data()
{
    QTest::addColumn<QString>("column");
    QTest::addColumn<QString>("sqlValues"); // for the reference statement (fixed literals)
    QTest::addColumn<QStringList>("values");
    QTest::addColumn<int>("offset");
    QTest::addColumn<int>("limit");
    const QStringList all{QStringLiteral("SUCCESS"), QStringLiteral("FAILURE"), QStringLiteral("RETRY"),
                          QStringLiteral("REVOKED"), QStringLiteral("STARTED")};
    const QString allSql = QStringLiteral("'SUCCESS','FAILURE','RETRY','REVOKED','STARTED'");
    QTest::newRow("every status, first page") << "status" << allSql << all << 0 << 200;
    QTest::newRow("every status, later page") << "status" << allSql << all << 450 << 50;
    QTest::newRow("SUCCESS") << "status" << "'SUCCESS'" << QStringList{QStringLiteral("SUCCESS")} << 0 << 200;
    QTest::newRow("FAILURE") << "status" << "'FAILURE'" << QStringList{QStringLiteral("FAILURE")} << 0 << 200;
    QTest::newRow("rare") << "status" << "'REVOKED'" << QStringList{QStringLiteral("REVOKED")} << 0 << 200;
}

void TestSqlStore::shouldPageAFilterAlikeWhicheverIndexItWalks()
{
    QFETCH(QString, column);
    QFETCH(QString, sqlValues);
    QFETCH(QStringList, values);
    QFETCH(int, offset);
    QFETCH(int, limit);
    const QString path = copyOf(QStringLiteral("django.sqlite3"));
    QVERIFY(!path.isEmpty());
    const QString t = QStringLiteral("django_celery_results_taskresult");
    QString error;
    QVERIFY2(growFortyFold(path, &error), qPrintable(error));
    auto store = SqlStore::sqlite(path, {});
    QVERIFY(!store->open().isError());
    TaskQuery q;
    q.statuses = values;
    const auto rows = store->fetchPage(q, offset, limit);
    QVERIFY2(rows.ok(), qPrintable(rows.error().message));
    const QStringList expected = selectRaw(
        path, QStringLiteral("SELECT task_id FROM %1 WHERE %2 IN (%3) ORDER BY date_done DESC, id DESC LIMIT %4 OFFSET %5")
                  .arg(t, column, sqlValues)
                  .arg(limit)
                  .arg(offset));
    QVERIFY(!expected.isEmpty());
    QCOMPARE(taskIdsOf(*rows), expected);
}

void TestSqlStore::shouldPageASearchAlikeWhicheverPlanReadsIt_data()
{
    QTest::addColumn<QString>("term");
    QTest::addColumn<int>("offset");
    // Rare (one row: the index walk would read them all, so the table is scanned), dense
    // (the probe holds the page), in between, and nothing.
    QTest::newRow("one task id") << "-17" << 0;
    QTest::newRow("one task id, later page") << "-17" << 200;
    QTest::newRow("dense status") << "SUCCESS" << 0;
    QTest::newRow("dense status, deep page") << "SUCCESS" << 5000;
    QTest::newRow("some failures") << "FAILURE" << 0;
    QTest::newRow("some failures, later page") << "FAILURE" << 300;
    QTest::newRow("nothing") << "no-such-text-anywhere" << 0;
}

void TestSqlStore::shouldPageASearchAlikeWhicheverPlanReadsIt()
{
    QFETCH(QString, term);
    QFETCH(int, offset);
    QString path;
    auto store = openGrownCopy(&path);
    QVERIFY(store);
    // "-17" alone matches the 340 copies suffixed -17; with the first task id, exactly one.
    TaskQuery q;
    if (term == QLatin1String("-17")) {
        const QStringList first = selectRaw(path, QStringLiteral("SELECT task_id FROM django_celery_results_taskresult "
                                                                 "WHERE task_id LIKE '%-17' ORDER BY id LIMIT 1"));
        QCOMPARE(first.size(), 1);
        q.search = first.first();
    } else {
        q.search = term;
    }
    const auto rows = store->fetchPage(q, offset, 200);
    QVERIFY2(rows.ok(), qPrintable(rows.error().message));
    // Asked right after the page, as the model does: a scan's count comes with the page.
    const auto matching = store->count(q);
    QVERIFY(matching.ok());
    // The same search with a date range that changes nothing: the engine's own plan.
    TaskQuery reference = q;
    reference.doneBefore = QDateTime(QDate(2200, 1, 1), QTime(0, 0), QTimeZone::utc());
    const auto expected = store->fetchPage(reference, offset, 200);
    QVERIFY2(expected.ok(), qPrintable(expected.error().message));
    QCOMPARE(taskIdsOf(*rows), taskIdsOf(*expected));
    QCOMPARE(*matching, *store->count(reference));
    QCOMPARE(*store->count(q), *matching); // and again, counted
    QCOMPARE(qint64(rows->size()), std::clamp<qint64>(*matching - offset, 0, 200));
    if (term != QLatin1String("no-such-text-anywhere") && offset == 0)
        QVERIFY(!rows->isEmpty());
}

void TestSqlStore::shouldTallyASearchsCountAndFacetsInOneScan_data()
{
    QTest::addColumn<QString>("term");
    QTest::addColumn<bool>("pageFirst");
    // The page's scan tallies (a rare term), the count does (a dense one: the probe holds the
    // page), the facets alone do (no page or count asked first), and nothing matches.
    QTest::newRow("rare, page first") << "-17" << true;
    QTest::newRow("dense, page first") << "SUCCESS" << true;
    QTest::newRow("some failures, facets alone") << "FAILURE" << false;
    QTest::newRow("nothing") << "no-such-text-anywhere" << true;
}

void TestSqlStore::shouldTallyASearchsCountAndFacetsInOneScan()
{
    QFETCH(QString, term);
    QFETCH(bool, pageFirst);
    QString path;
    auto store = openGrownCopy(&path);
    QVERIFY(store);
    TaskQuery q;
    q.search = term;
    if (pageFirst) {
        QVERIFY(store->fetchPage(q, 0, 200).ok());
        QVERIFY(store->count(q).ok());
    }
    const auto facets = store->facets(q);
    QVERIFY2(facets.ok(), qPrintable(facets.error().message));
    QCOMPARE(store->searchProgress(), qint64(-1)); // no scan running now
    // Each facet value's count is the count of the search narrowed to that value (a set
    // filter: counted by plain COUNT(*), not by the tally), and they add up to the search's.
    const qint64 matching = *store->count(q);
    TestSupport::verifyTalliedFacets(*store, q, *facets, matching);
    if (QTest::currentTestFailed())
        return;
    // A delete by this store between the count and the facets: the facets see it.
    const auto rows = store->fetchPage(q, 0, 1);
    QVERIFY(rows.ok());
    if (rows->isEmpty())
        return;
    QVERIFY(store->count(q).ok());
    QVERIFY(store->deleteRows({rows->first().rowId}).ok());
    const auto facetsAfter = store->facets(q);
    QVERIFY(facetsAfter.ok());
    qint64 after = 0;
    for (const FacetValue &v : facetsAfter->statuses)
        after += v.count;
    QCOMPARE(after, matching - 1);
}

void TestSqlStore::shouldFindQuickMatchesByTaskIdPrefix()
{
    const QString path = copyOf(QStringLiteral("django.sqlite3"));
    QVERIFY(!path.isEmpty());
    auto store = SqlStore::sqlite(path, {});
    QVERIFY(!store->open().isError());
    const QStringList ids = selectRaw(path, QStringLiteral("SELECT task_id FROM django_celery_results_taskresult "
                                                           "ORDER BY id LIMIT 1"));
    QCOMPARE(ids.size(), 1);
    const QString prefix = ids.first().left(8);

    for (const QString &term : {prefix, prefix.toUpper()}) {
        TaskQuery q;
        q.search = term;
        const auto quick = store->fetchQuickMatches(q, 200);
        QVERIFY2(quick.ok(), qPrintable(quick.error().message));
        QVERIFY(taskIdsOf(*quick).contains(ids.first()));
        // Every quick row is a row of the full answer, in the same order.
        const auto full = store->fetchPage(q, 0, 1000);
        QVERIFY(full.ok());
        const QStringList all = taskIdsOf(*full);
        qsizetype at = -1;
        for (const QString &id : taskIdsOf(*quick)) {
            const qsizetype next = all.indexOf(id);
            QVERIFY2(next > at, qPrintable(id));
            at = next;
        }
        // Other filters hold for quick rows as for the page.
        TaskQuery narrowed = q;
        narrowed.statuses = {QStringLiteral("NO-SUCH-STATUS")};
        QVERIFY(store->fetchQuickMatches(narrowed, 200)->isEmpty());
    }
    // No shortcut for a short term, several terms, or non-ASCII.
    for (const QString &search : {prefix.left(2), prefix + QStringLiteral(" add"), QStringLiteral("Zoë-abc")}) {
        TaskQuery q;
        q.search = search;
        const auto quick = store->fetchQuickMatches(q, 200);
        QVERIFY(quick.ok());
        QVERIFY2(quick->isEmpty(), qPrintable(search));
    }
}

void TestSqlStore::shouldDetectEveryFixture_data()
{
    QTest::addColumn<QString>("file");
    QTest::addColumn<StoreInfo::Layout>("layout");
    QTest::addColumn<QString>("table");
    QTest::addColumn<QString>("schemaMentions");
    QTest::addColumn<bool>("hasGroups");
    QTest::addColumn<QList<int>>("present");
    QTest::addColumn<QList<int>>("absent");
    QTest::addColumn<QString>("noteMentions");

    using F = Field;
    using L = StoreInfo::Layout;
    auto fields = [](std::initializer_list<Field> list) {
        QList<int> out;
        for (Field f : list)
            out << int(f);
        return out;
    };
    const QString django = QStringLiteral("django_celery_results_taskresult");
    QTest::newRow("django 2.4") << "django.sqlite3" << L::DjangoCeleryResults << django
                                << "0011_taskresult_periodic_task_name" << true
                                << fields({F::RowId, F::TaskId, F::TaskName, F::PeriodicTaskName, F::Worker, F::Args,
                                           F::Kwargs, F::Result, F::Traceback, F::Meta, F::DateCreated, F::DateDone})
                                << fields({F::DateStarted, F::Hidden, F::Retries, F::Queue}) << "";
    QTest::newRow("plain (no result_extended)")
        << "plain.sqlite3" << L::DjangoCeleryResults << django << "0011" << true
        << fields({F::TaskName, F::Worker, F::DateCreated}) << fields({F::DateStarted, F::Hidden})
        << "without result_extended";
    QTest::newRow("legacy 1.0") << "legacy_v1.sqlite3" << L::DjangoCeleryResults << django << "hidden" << false
                                << fields({F::Hidden, F::TaskId, F::Meta})
                                << fields({F::Worker, F::DateCreated, F::PeriodicTaskName, F::DateStarted}) << "";
    QTest::newRow("legacy 191") << "legacy_191.sqlite3" << L::DjangoCeleryResults << django << "varchar(191)" << true
                                << fields({F::Worker, F::DateCreated, F::TaskName})
                                << fields({F::PeriodicTaskName, F::Hidden, F::DateStarted}) << "";
    QTest::newRow("2.6") << "v26.sqlite3" << L::DjangoCeleryResults << django << "2.6" << true
                         << fields({F::DateStarted, F::PeriodicTaskName, F::Worker}) << fields({F::Hidden}) << "";
    QTest::newRow("celery_taskmeta") << "taskmeta.sqlite3" << L::CeleryTaskMeta << "celery_taskmeta"
                                     << "with result_extended" << true
                                     << fields({F::TaskId, F::TaskName, F::Args, F::Kwargs, F::Worker, F::Retries,
                                                F::Queue, F::Result, F::Traceback, F::DateDone, F::ContentEncoding})
                                     << fields({F::Meta, F::DateCreated, F::PeriodicTaskName}) << "";
    QTest::newRow("celery_taskmeta, extended columns all NULL")
        << "taskmeta_nullext.sqlite3" << L::CeleryTaskMeta << "celery_taskmeta" << "with result_extended" << true
        << fields({F::TaskName, F::Args, F::Worker}) << fields({F::Meta}) << "without result_extended";
    QTest::newRow("celery_taskmeta plain")
        << "taskmeta_plain.sqlite3" << L::CeleryTaskMeta << "celery_taskmeta" << "without result_extended" << true
        << fields({F::TaskId, F::Result, F::DateDone}) << fields({F::TaskName, F::Args, F::Worker}) << "result_extended";
}

void TestSqlStore::shouldDetectEveryFixture()
{
    QFETCH(QString, file);
    QFETCH(StoreInfo::Layout, layout);
    QFETCH(QString, table);
    QFETCH(QString, schemaMentions);
    QFETCH(bool, hasGroups);
    QFETCH(QList<int>, present);
    QFETCH(QList<int>, absent);
    QFETCH(QString, noteMentions);

    const QString path = copyOf(file);
    QVERIFY(!path.isEmpty());
    auto store = SqlStore::sqlite(path);
    const StoreError error = store->open();
    QVERIFY2(!error, qPrintable(error.message));
    const StoreInfo info = store->info();
    QCOMPARE(info.layout, layout);
    QCOMPARE(info.engine, QStringLiteral("SQLite"));
    QCOMPARE(info.location, path);
    QCOMPARE(info.tableName, table);
    QVERIFY2(info.schema.contains(schemaMentions), qPrintable(info.schema));
    QCOMPARE(info.hasGroups, hasGroups);
    QCOMPARE(info.readOnly, false);
    for (int f : present)
        QVERIFY2(info.fields.contains(Field(f)), qPrintable(fieldName(Field(f))));
    for (int f : absent)
        QVERIFY2(!info.fields.contains(Field(f)), qPrintable(fieldName(Field(f))));
    if (noteMentions.isEmpty())
        QVERIFY2(info.note.isEmpty(), qPrintable(info.note));
    else
        QVERIFY2(info.note.contains(noteMentions), qPrintable(info.note));

    // Every row is there and reads without a problem.
    const auto count = store->count({});
    QVERIFY2(count.ok(), qPrintable(count.error().message));
    QCOMPARE(QString::number(*count), selectRaw(path, QStringLiteral("SELECT count(*) FROM %1").arg(table)).value(0));
    QVERIFY(*count > 0);
    const auto rows = store->fetchPage({}, 0, 100, RowDetail::Full);
    QVERIFY2(rows.ok(), qPrintable(rows.error().message));
    for (const TaskResult &r : *rows)
        QVERIFY2(r.problems.isEmpty(), qPrintable(r.problems.join(u'\n')));
}

// --- reading ---------------------------------------------------------------------------------

void TestSqlStore::shouldCountAndFacetLikeDjango()
{
    auto store = openCopy(QStringLiteral("django.sqlite3"));
    QVERIFY(store);
    TestSupport::verifyCountsAndFacets(*store, m_expect[QStringLiteral("counts")].toObject());
}

void TestSqlStore::shouldCountFacetsWithoutTheirOwnFilter()
{
    auto store = openCopy(QStringLiteral("django.sqlite3"));
    QVERIFY(store);
    TestSupport::verifyFacetsIgnoreTheirOwnFilter(*store);
}

void TestSqlStore::shouldOrderLikeTheAdmin()
{
    auto store = openCopy(QStringLiteral("django.sqlite3"));
    QVERIFY(store);
    TestSupport::verifyDefaultOrder(*store, stringList(m_expect[QStringLiteral("order_default")]));
}

void TestSqlStore::shouldSortByEveryFieldWithIdTiebreak_data()
{
    QTest::addColumn<QString>("file");
    QTest::addColumn<int>("field");
    QTest::addColumn<bool>("ascending");
    for (const char *file : {"django.sqlite3", "v26.sqlite3", "taskmeta.sqlite3"}) {
        for (Field f : {Field::RowId, Field::TaskId, Field::TaskName, Field::PeriodicTaskName, Field::Status,
                        Field::Worker, Field::DateCreated, Field::DateStarted, Field::DateDone, Field::Queue}) {
            for (bool asc : {true, false}) {
                QTest::addRow("%s %s %s", file, qPrintable(fieldName(f)), asc ? "asc" : "desc")
                    << QString::fromLatin1(file) << int(f) << asc;
            }
        }
    }
}

void TestSqlStore::shouldSortByEveryFieldWithIdTiebreak()
{
    QFETCH(QString, file);
    QFETCH(int, field);
    QFETCH(bool, ascending);
    const QString path = copyOf(file);
    auto store = SqlStore::sqlite(path);
    QVERIFY(!store->open());
    const QString table = store->info().tableName;
    const QString column = store->layout().column(Field(field));

    TaskQuery q;
    q.sortField = Field(field);
    q.sortOrder = ascending ? Qt::AscendingOrder : Qt::DescendingOrder;
    const auto rows = store->fetchPage(q, 0, 1000);
    QVERIFY2(rows.ok(), qPrintable(rows.error().message));

    // Reference order from SQLite itself, written independently; a field the schema lacks
    // sorts by id alone.
    const QString dir = ascending ? QStringLiteral("ASC") : QStringLiteral("DESC");
    const QString order = column.isEmpty() ? QStringLiteral("id %1").arg(dir)
                                           : QStringLiteral("\"%1\" %2, id %2").arg(column, dir);
    const QStringList expected = selectRaw(path, QStringLiteral("SELECT task_id FROM %1 ORDER BY %2").arg(table, order));
    QCOMPARE(taskIdsOf(*rows), expected);
    TestSupport::verifyPagesMatchTheWhole(*store, q, expected);
    if (QTest::currentTestFailed())
        return;
    // The id tiebreak really runs in the same direction.
    for (int i = 1; i < rows->size(); ++i) {
        const TaskResult &a = rows->at(i - 1);
        const TaskResult &b = rows->at(i);
        if (Field(field) == Field::RowId || column.isEmpty())
            QVERIFY(ascending ? a.rowId < b.rowId : a.rowId > b.rowId);
    }
}

void TestSqlStore::shouldPageDeepOffsetsConsistently()
{
    const QString path = copyOf(QStringLiteral("django.sqlite3"));
    // 20,000 more rows, several sharing each date_done, so the id tiebreak matters.
    QString error;
    QVERIFY2(execRaw(path, QStringLiteral(
                               "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c WHERE x < 20000) "
                               "INSERT INTO django_celery_results_taskresult (task_id, status, content_type, "
                               "content_encoding, date_done, date_created, task_name) "
                               "SELECT 'bulk-' || x, 'SUCCESS', 'application/json', 'utf-8', "
                               "printf('2024-06-%02d 00:00:00', 1 + x % 28), '2024-06-01 00:00:00', 'bulk.task' FROM c"),
                     &error),
             qPrintable(error));
    auto store = SqlStore::sqlite(path);
    QVERIFY(!store->open());
    for (bool ascending : {false, true}) {
        TaskQuery q;
        q.sortOrder = ascending ? Qt::AscendingOrder : Qt::DescendingOrder;
        const QString dir = ascending ? QStringLiteral("ASC") : QStringLiteral("DESC");
        for (qint64 offset : {0, 1, 9999, 15000, 19990, 20049}) {
            const auto page = store->fetchPage(q, offset, 25);
            QVERIFY2(page.ok(), qPrintable(page.error().message));
            const QStringList expected = selectRaw(
                path, QStringLiteral("SELECT task_id FROM django_celery_results_taskresult ORDER BY date_done %1, id %1 "
                                     "LIMIT 25 OFFSET %2")
                          .arg(dir)
                          .arg(offset));
            QCOMPARE(taskIdsOf(*page), expected);
        }
        const auto beyond = store->fetchPage(q, 20050, 25);
        QVERIFY(beyond.ok());
        QVERIFY(beyond->isEmpty());
    }
}

void TestSqlStore::shouldSearchLikeExpectations_data()
{
    QTest::addColumn<QString>("term");
    QTest::addColumn<QStringList>("adminIds");
    QTest::addColumn<QStringList>("decodedIds");
    const QJsonArray searches = m_expect[QStringLiteral("search")].toArray();
    QVERIFY(!searches.isEmpty());
    int i = 0;
    for (const QJsonValue &v : searches) {
        const QJsonObject o = v.toObject();
        QTest::addRow("%d: %s", i++, qPrintable(o[QStringLiteral("term")].toString()))
            << o[QStringLiteral("term")].toString() << sorted(stringList(o[QStringLiteral("task_ids")]))
            << sorted(stringList(o[QStringLiteral("decoded_task_ids")]));
    }
}

void TestSqlStore::shouldSearchLikeExpectations()
{
    QFETCH(QString, term);
    QFETCH(QStringList, adminIds);
    QFETCH(QStringList, decodedIds);
    auto store = openCopy(QStringLiteral("django.sqlite3"));
    QVERIFY(store);
    TestSupport::verifySearch(*store, term, adminIds, decodedIds);
}

void TestSqlStore::shouldFilterBySetsAndDates()
{
    auto store = openCopy(QStringLiteral("django.sqlite3"));
    QVERIFY(store);
    const qint64 nullOrNightly = TestSupport::verifySetAndDateFilters(*store);
    if (QTest::currentTestFailed())
        return;
    TaskQuery onlyNull;
    onlyNull.periodicTaskNames = {QString()};
    QCOMPARE(*store->count(onlyNull), nullOrNightly - 1);

    // The plain fixture has NULL task names everywhere: {NULL} matches all, a name none.
    auto plain = openCopy(QStringLiteral("plain.sqlite3"));
    QVERIFY(plain);
    TaskQuery nullName;
    nullName.taskNames = {QString()};
    QCOMPARE(*plain->count(nullName), *plain->count({}));
    TaskQuery someName;
    someName.taskNames = {QStringLiteral("proj.tasks.add")};
    QCOMPARE(*plain->count(someName), qint64(0));
    // A field the schema lacks is NULL everywhere (legacy 1.0 has no worker).
    auto legacy = openCopy(QStringLiteral("legacy_v1.sqlite3"));
    QVERIFY(legacy);
    TaskQuery workerQuery;
    workerQuery.workers = {QStringLiteral("alpha@stalk-fixtures")};
    QCOMPARE(*legacy->count(workerQuery), qint64(0));
    workerQuery.workers = {QString()};
    QCOMPARE(*legacy->count(workerQuery), *legacy->count({}));
}

void TestSqlStore::shouldKeepDatabaseIntactUnderInjection_data()
{
    QTest::addColumn<QString>("text");
    QTest::newRow("quote or") << "x' OR '1'='1";
    QTest::newRow("drop table") << "'; DROP TABLE django_celery_results_taskresult; --";
    QTest::newRow("double quote drop") << "\"; DROP TABLE django_celery_results_taskresult; --";
    QTest::newRow("delete") << "') OR 1=1); DELETE FROM django_celery_results_taskresult; --";
    QTest::newRow("wildcards") << "%_%";
    QTest::newRow("backslash") << "\\' \\\" \\\\";
    QTest::newRow("nul") << QString::fromUtf8("a\0b", 3);
}

void TestSqlStore::shouldKeepDatabaseIntactUnderInjection()
{
    QFETCH(QString, text);
    const QString path = copyOf(QStringLiteral("django.sqlite3"));
    auto store = SqlStore::sqlite(path);
    QVERIFY(!store->open());
    const qint64 before = *store->count({});

    TaskQuery q;
    q.search = text;
    q.statuses = {text};
    q.taskNames = {text, QString()};
    q.workers = {text};
    q.periodicTaskNames = {text};
    q.sortField = Field::TaskName;
    QVERIFY(store->count(q).ok());
    QCOMPARE(*store->count(q), qint64(0));
    QVERIFY(store->fetchPage(q, 0, 10).ok());
    QVERIFY(store->facets(q).ok());
    QVERIFY(store->fetchByTaskId(text).error().code == StoreError::Code::NotFound);
    TaskQuery searchOnly;
    searchOnly.search = text;
    QVERIFY(store->count(searchOnly).ok());
    const auto quick = store->fetchQuickMatches(searchOnly, 10);
    QVERIFY2(quick.ok(), qPrintable(quick.error().message));
    QVERIFY(quick->isEmpty());

    PurgeCriteria narrowed = criteriaFor(QStringLiteral("2024-01-01T00:00:00Z"));
    narrowed.statuses = {text};
    narrowed.taskNames = {text};
    QVERIFY(store->previewPurge(narrowed).ok());
    const auto batch = store->purgeBatch(narrowed, 100);
    QVERIFY(batch.ok());
    QCOMPARE(batch->tasks, qint64(0));

    QCOMPARE(*store->count({}), before);
    QCOMPARE(selectRaw(path, QStringLiteral("SELECT count(*) FROM sqlite_master WHERE name = "
                                            "'django_celery_results_taskresult'")),
             QStringList{QStringLiteral("1")});
    QCOMPARE(selectRaw(path, QStringLiteral("SELECT count(*) FROM django_celery_results_taskresult")),
             QStringList{QString::number(before)});
}

void TestSqlStore::shouldReturnSummaryAndFullRows()
{
    const QString path = copyOf(QStringLiteral("django.sqlite3"));
    const QString longArgs = QStringLiteral("\"(%1)\"").arg(QString(1000, u'é'));
    QVERIFY(execRaw(path, QStringLiteral("UPDATE django_celery_results_taskresult SET task_args = '%1', "
                                         "result = '%2' WHERE id = 1")
                              .arg(longArgs, QString(3000, u'r'))));
    auto store = SqlStore::sqlite(path);
    QVERIFY(!store->open());
    TestSupport::verifySummaryAndFullRows(*store, longArgs);
}

void TestSqlStore::shouldFetchByIdAndTaskId()
{
    auto store = openCopy(QStringLiteral("django.sqlite3"));
    QVERIFY(store);
    const QString taskId = QStringLiteral("0a31d0ae-8110-5b24-8280-e4143344ad20");
    const auto row = store->fetchByTaskId(taskId);
    QVERIFY2(row.ok(), qPrintable(row.error().message));
    QCOMPARE(row->taskId, taskId);
    QCOMPARE(row->status, QStringLiteral("FAILURE"));
    QCOMPARE(row->dateDone, QDateTime(QDate(2025, 1, 1), QTime(0, 0), Qt::UTC));
    QVERIFY(row->traceback.contains(QLatin1String("Traceback")));
    QVERIFY(row->complete);
    QCOMPARE(row->contentType, QStringLiteral("application/json"));
    QCOMPARE(*store->fetchOne(row->rowId), *row);

    const auto missing = store->fetchByTaskId(QStringLiteral("no-such-task"));
    QCOMPARE(missing.error().code, StoreError::Code::NotFound);
    QVERIFY(missing.error().message.contains(QLatin1String("no-such-task")));
    QCOMPARE(store->fetchOne(987654).error().code, StoreError::Code::NotFound);
}

void TestSqlStore::shouldParseStoredDates_data()
{
    QTest::addColumn<QString>("text");
    QTest::addColumn<QDateTime>("expected");
    const QDate d(2025, 2, 1);
    QTest::newRow("django whole second") << "2025-02-01 14:16:15" << QDateTime(d, QTime(14, 16, 15), Qt::UTC);
    QTest::newRow("django micro") << "2025-02-01 14:16:15.598241" << QDateTime(d, QTime(14, 16, 15, 598), Qt::UTC);
    QTest::newRow("T separator") << "2025-02-01T14:16:15.5" << QDateTime(d, QTime(14, 16, 15, 500), Qt::UTC);
    QTest::newRow("Z") << "2025-02-01T14:16:15Z" << QDateTime(d, QTime(14, 16, 15), Qt::UTC);
    QTest::newRow("offset") << "2025-02-01 16:16:15+02:00" << QDateTime(d, QTime(14, 16, 15), Qt::UTC);
    QTest::newRow("negative offset") << "2025-02-01T09:16:15.000001-0500" << QDateTime(d, QTime(14, 16, 15), Qt::UTC);
    QTest::newRow("no seconds") << "2025-02-01 14:16" << QDateTime(d, QTime(14, 16), Qt::UTC);
    QTest::newRow("date only") << "2025-02-01" << QDateTime(d, QTime(0, 0), Qt::UTC);
    QTest::newRow("not a date") << "31/02/2025" << QDateTime();
    QTest::newRow("impossible day") << "2025-02-31 00:00:00" << QDateTime();
    QTest::newRow("impossible hour") << "2025-02-01 25:00:00" << QDateTime();
    QTest::newRow("trailing junk") << "2025-02-01 14:16:15 junk" << QDateTime();
    QTest::newRow("empty") << "" << QDateTime();
}

void TestSqlStore::shouldParseStoredDates()
{
    QFETCH(QString, text);
    QFETCH(QDateTime, expected);
    bool ok = false;
    const QDateTime parsed = SqliteDialect::parseDateText(text, &ok);
    QCOMPARE(ok, expected.isValid());
    QCOMPARE(parsed, expected);
    if (ok)
        QCOMPARE(parsed.timeSpec(), Qt::UTC);
}

void TestSqlStore::shouldRenderCutoffsLikeTheWriter_data()
{
    QTest::addColumn<QString>("iso");
    QTest::addColumn<QString>("django");
    QTest::addColumn<QString>("sqlalchemy");
    QTest::newRow("whole") << "2025-02-01T14:16:15Z" << "2025-02-01 14:16:15" << "2025-02-01 14:16:15.000000";
    QTest::newRow("micro") << "2025-02-01T14:16:15.000001Z" << "2025-02-01 14:16:15.000001"
                           << "2025-02-01 14:16:15.000001";
    QTest::newRow("milli") << "2025-02-14T12:00:00.500000Z" << "2025-02-14 12:00:00.500000"
                           << "2025-02-14 12:00:00.500000";
    QTest::newRow("both") << "2025-01-19T17:26:40.598241Z" << "2025-01-19 17:26:40.598241"
                          << "2025-01-19 17:26:40.598241";
}

void TestSqlStore::shouldRenderCutoffsLikeTheWriter()
{
    QFETCH(QString, iso);
    QFETCH(QString, django);
    QFETCH(QString, sqlalchemy);
    const PurgeCriteria c = criteriaFor(iso);
    QCOMPARE(SqliteDialect::dateText(c.cutoff, DateTextStyle::Django, c.cutoffExtraMicroseconds), django);
    QCOMPARE(SqliteDialect::dateText(c.cutoff, DateTextStyle::SqlAlchemy, c.cutoffExtraMicroseconds), sqlalchemy);
    // Local time in, UTC text out.
    QCOMPARE(SqliteDialect::dateText(c.cutoff.toOffsetFromUtc(3600), DateTextStyle::Django, c.cutoffExtraMicroseconds),
             django);
}

void TestSqlStore::shouldMatchSearchTextLikeTheSqlFunction_data()
{
    QTest::addColumn<QByteArray>("haystack");
    QTest::addColumn<QString>("term");
    QTest::addColumn<bool>("decode");
    QTest::addColumn<bool>("expected");
    QTest::newRow("ascii case") << QByteArray("proj.Tasks.ADD") << "tasks.add" << false << true;
    QTest::newRow("ascii miss") << QByteArray("proj.tasks.add") << "echo" << false << false;
    QTest::newRow("unicode case") << QByteArray("\"ÉCOLE\"") << QString::fromUtf8("école") << false << true;
    QTest::newRow("kelvin sign folds to k") << QByteArray("\xE2\x84\xAA" "elvin") << "kelvin" << false << true;
    QTest::newRow("long s folds to s") << QByteArray("\xC5\xBF" "ome") << "SOME" << false << true;
    QTest::newRow("escaped not raw") << QByteArray("\"('Zo\\u00eb',)\"") << QString::fromUtf8("zoë") << false << false;
    QTest::newRow("escaped decoded") << QByteArray("\"('Zo\\u00eb',)\"") << QString::fromUtf8("ZOË") << true << true;
    QTest::newRow("escaped raw still") << QByteArray("\"('Zo\\u00eb',)\"") << "zo\\u00EB" << true << true;
    QTest::newRow("surrogate pair") << QByteArray("\"\\ud83d\\ude80 launch\"") << QString::fromUtf8("🚀") << true
                                    << true;
    QTest::newRow("lone surrogate") << QByteArray("\"\\ud83d x\"") << "x" << true << true;
    QTest::newRow("bad escape kept") << QByteArray("\"\\uZZZZ\\q\"") << "\\uzzzz\\q" << true << true;
    QTest::newRow("json quote") << QByteArray("\"{'a': \\\"b\\\"}\"") << "'a': \"b\"" << true << true;
    QTest::newRow("invalid utf-8") << QByteArray("ab\xff\xfe" "cd") << "cd" << true << true;
    QTest::newRow("invalid utf-8 unicode term") << QByteArray("ab\xff\xfe" "cd") << QString::fromUtf8("é") << true
                                                << false;
    QTest::newRow("percent literal") << QByteArray("100%") << "0%" << false << true;
    QTest::newRow("underscore literal") << QByteArray("abc") << "_" << false << false;
    QTest::newRow("empty term") << QByteArray("x") << "" << false << true;
    QTest::newRow("null haystack") << QByteArray() << "" << false << false;
}

void TestSqlStore::shouldMatchSearchTextLikeTheSqlFunction()
{
    QFETCH(QByteArray, haystack);
    QFETCH(QString, term);
    QFETCH(bool, decode);
    QFETCH(bool, expected);
    QCOMPARE(SqliteSearch::matches(haystack, term, decode), expected);
}

// --- purging ---------------------------------------------------------------------------------

void TestSqlStore::shouldPurgeExactlyUpstreamsExpiredSet_data()
{
    QTest::addColumn<QString>("cutoff");
    QTest::addColumn<QStringList>("expiredTasks");
    QTest::addColumn<QStringList>("expiredGroups");
    QTest::addColumn<int>("batchSize");
    const QJsonArray expired = m_expect[QStringLiteral("expired")].toArray();
    QVERIFY(!expired.isEmpty());
    for (int batch : {1, 7, 1000}) {
        for (const QJsonValue &v : expired) {
            const QJsonObject o = v.toObject();
            QTest::addRow("%s batch %d", qPrintable(o[QStringLiteral("cutoff")].toString()), batch)
                << o[QStringLiteral("cutoff")].toString() << sorted(stringList(o[QStringLiteral("task_ids")]))
                << sorted(stringList(o[QStringLiteral("group_ids")])) << batch;
        }
    }
}

void TestSqlStore::shouldPurgeExactlyUpstreamsExpiredSet()
{
    QFETCH(QString, cutoff);
    QFETCH(QStringList, expiredTasks);
    QFETCH(QStringList, expiredGroups);
    QFETCH(int, batchSize);
    const QString path = copyOf(QStringLiteral("django.sqlite3"));
    auto store = SqlStore::sqlite(path);
    QVERIFY(!store->open());
    TestSupport::verifyPurgeInBatches(*store, criteriaFor(cutoff), batchSize, expiredTasks, expiredGroups, tasksIn(path),
                                      groupsIn(path));
}

void TestSqlStore::shouldPurgeOnlyNarrowedRowsAndNoGroups()
{
    const QString path = copyOf(QStringLiteral("django.sqlite3"));
    auto store = SqlStore::sqlite(path);
    QVERIFY(!store->open());
    PurgeCriteria criteria = criteriaFor(QStringLiteral("2025-02-14T12:00:00.500000Z"));
    criteria.statuses = {QStringLiteral("FAILURE"), QStringLiteral("REVOKED")};
    criteria.taskNames = {QStringLiteral("proj.billing.charge_invoice"), QStringLiteral("proj.mail.send_welcome"),
                          QStringLiteral("proj.tasks.parse_amount")};
    const QStringList expected = sorted(selectRaw(
        path, QStringLiteral("SELECT task_id FROM django_celery_results_taskresult WHERE date_done < "
                             "'2025-02-14 12:00:00.500000' AND status IN ('FAILURE', 'REVOKED') AND task_name IN "
                             "('proj.billing.charge_invoice', 'proj.mail.send_welcome', 'proj.tasks.parse_amount')")));
    TestSupport::verifyNarrowedPurge(*store, criteria, expected, tasksIn(path), groupsIn(path));
}

void TestSqlStore::shouldPurgeANarrowedSetInBatchesAcrossEqualDates()
{
    // 41 rows share every date_done: batches that stop inside a run of equal dates must go
    // on after the right row (the cursor is date_done and id), neither skipping nor repeating.
    const QString path = copyOf(QStringLiteral("django.sqlite3"));
    QString error;
    QVERIFY2(growFortyFold(path, &error), qPrintable(error));
    const QString t = QStringLiteral("django_celery_results_taskresult");
    const QString expiredFailures = QStringLiteral("date_done < '2025-02-14 12:00:00.500000' AND status = 'FAILURE'");
    const QStringList expected =
        sorted(selectRaw(path, QStringLiteral("SELECT task_id FROM %1 WHERE %2").arg(t, expiredFailures)));
    QVERIFY(expected.size() >= 40);
    const QStringList kept =
        sorted(selectRaw(path, QStringLiteral("SELECT task_id FROM %1 WHERE NOT (%2)").arg(t, expiredFailures)));

    auto store = SqlStore::sqlite(path);
    QVERIFY(!store->open());
    PurgeCriteria criteria = criteriaFor(QStringLiteral("2025-02-14T12:00:00.500000Z"));
    criteria.statuses = {QStringLiteral("FAILURE")};
    qint64 deleted = 0;
    int batches = 0;
    for (; batches < 1000; ++batches) {
        const auto batch = store->purgeBatch(criteria, 7);
        QVERIFY2(batch.ok(), qPrintable(batch.error().message));
        QVERIFY(batch->tasks <= 7);
        deleted += batch->tasks;
        if (batch->finished)
            break;
    }
    QCOMPARE(deleted, qint64(expected.size()));
    QVERIFY(batches >= (expected.size() - 1) / 7);
    QCOMPARE(sorted(selectRaw(path, QStringLiteral("SELECT task_id FROM %1").arg(t))), kept);
    QCOMPARE(store->previewPurge(criteria)->total, qint64(0));
}

void TestSqlStore::shouldPurgeInBatchesAcrossEqualDates()
{
    const QString path = copyOf(QStringLiteral("django.sqlite3"));
    auto store = SqlStore::sqlite(path);
    QVERIFY(!store->open());
    TestSupport::verifyPurgeAcrossEqualDates(
        *store,
        [&](const QStringList &statements) {
            QString error;
            for (const QString &sql : statements) {
                if (!execRaw(path, sql, &error))
                    return error;
            }
            return QString();
        },
        tasksIn(path), groupsIn(path));
}

QString TestSqlStore::expiryFile(bool dateDoneIndexed)
{
    const QString path = m_tmp.filePath(dateDoneIndexed ? QStringLiteral("expiry-indexed.sqlite3") : QStringLiteral("expiry.sqlite3"));
    if (QFile::exists(path))
        return path;
    // Django writes str(datetime): six fraction digits unless the microsecond is 0.
    const QStringList dates{QStringLiteral("2025-02-13 12:00:00.500000"), QStringLiteral("2025-02-14 11:59:59.999999"),
                            QStringLiteral("2025-02-14 12:00:00"),        QStringLiteral("2025-02-14 12:00:00.000001"),
                            QStringLiteral("2025-02-14 12:00:00.499999"), QStringLiteral("2025-02-14 12:00:00.500000"),
                            QStringLiteral("2025-02-14 12:00:00.500001"), QStringLiteral("2025-02-14 12:00:00.500499"),
                            QStringLiteral("2025-02-14 12:00:00.500500"), QStringLiteral("2025-02-14 12:00:00.501000"),
                            QStringLiteral("2025-02-14 12:00:01"),        QStringLiteral("2025-02-15 00:00:00"),
                            QString()};
    const QStringList statuses{QStringLiteral("SUCCESS"), QStringLiteral("FAILURE"), QStringLiteral("REVOKED"),
                               QStringLiteral("STARTED"), QString(), QLatin1String("")};
    const QStringList names{QStringLiteral("proj.a"), QStringLiteral("proj.b"), QString(), QLatin1String("")};
    auto literal = [](const QString &v) { return v.isNull() ? QStringLiteral("NULL") : u'\'' + v + u'\''; };
    QString sql = QStringLiteral(
        "CREATE TABLE django_celery_results_taskresult (id integer PRIMARY KEY, task_id varchar(255), status varchar(50), "
        "content_type varchar(128), content_encoding varchar(64), result text, date_done datetime, traceback text, "
        "meta text, task_args text, task_kwargs text, task_name varchar(255), worker varchar(100), "
        "date_created datetime, periodic_task_name varchar(255));"
        "CREATE TABLE django_celery_results_groupresult (id integer PRIMARY KEY, group_id varchar(255), "
        "date_created datetime, date_done datetime, content_type varchar(128), content_encoding varchar(64), result text);");
    if (dateDoneIndexed) {
        sql += QStringLiteral("CREATE INDEX taskresult_date_done ON django_celery_results_taskresult (date_done);"
                              "CREATE INDEX groupresult_date_done ON django_celery_results_groupresult (date_done);");
    }
    int n = 0;
    for (const QString &date : dates) {
        for (const QString &status : statuses) {
            for (const QString &name : names) {
                ++n;
                // Workers w1, w2 and NULL; periodic tasks p, "" and NULL (a period of 5
                // against the 4 names and 6 statuses, so every combination occurs).
                const QString worker = n % 3 == 0 ? QString() : QStringLiteral("w%1").arg(n % 3);
                const QString periodic = n % 5 == 0 ? QStringLiteral("p") : n % 5 == 1 ? QLatin1String("") : QString();
                sql += QStringLiteral("INSERT INTO django_celery_results_taskresult (id, task_id, status, content_type, "
                                      "content_encoding, result, date_done, task_name, worker, periodic_task_name) "
                                      "VALUES (%1, 't-%1', %2, 'application/json', 'utf-8', 'null', %3, %4, %5, %6);")
                           .arg(n)
                           .arg(literal(status), literal(date), literal(name), literal(worker), literal(periodic));
            }
        }
    }
    // Groups a millisecond or more away from every cutoff (their rule reads milliseconds).
    const QStringList groupDates{QStringLiteral("2025-01-01 00:00:00"), QStringLiteral("2025-02-14 11:00:00.250000"),
                                 QStringLiteral("2025-02-14 13:00:00"), QString()};
    for (int g = 0; g < groupDates.size(); ++g) {
        sql += QStringLiteral("INSERT INTO django_celery_results_groupresult (id, group_id, date_done) VALUES (%1, 'g-%1', %2);")
                   .arg(g + 1)
                   .arg(literal(groupDates[g]));
    }
    QString error;
    if (!execRaw(path, sql, &error)) {
        qWarning("%s", qPrintable(error));
        return {};
    }
    return path;
}

void TestSqlStore::shouldExpireExactlyTheRowsTheRuleMatches_data()
{
    QTest::addColumn<bool>("dateDoneIndexed");
    QTest::addColumn<QString>("cutoff");
    QTest::addColumn<QStringList>("statuses");
    QTest::addColumn<QStringList>("taskNames");
    QTest::addColumn<QStringList>("workers");
    QTest::addColumn<QStringList>("periodicTaskNames");
    QTest::addColumn<QString>("doneAfter"); // "" = none
    const QStringList cutoffs{QStringLiteral("2025-02-14T12:00:00Z"),        QStringLiteral("2025-02-14T12:00:00.000001Z"),
                              QStringLiteral("2025-02-14T12:00:00.500000Z"), QStringLiteral("2025-02-14T12:00:00.500001Z"),
                              QStringLiteral("2025-02-14T12:00:00.500500Z"), QStringLiteral("2025-02-14T12:00:00.999999Z"),
                              QStringLiteral("2025-02-13T00:00:00Z"),        QStringLiteral("2100-01-01T00:00:00Z")};
    const QVector<std::pair<QStringList, QStringList>> narrowings{
        {{}, {}},
        {{QStringLiteral("FAILURE"), QStringLiteral("REVOKED")}, {}},
        {{QString()}, {}},
        {{QLatin1String("")}, {}},
        {{}, {QStringLiteral("proj.a")}},
        {{}, {QString(), QLatin1String("")}},
        {{QStringLiteral("SUCCESS")}, {QStringLiteral("proj.b"), QString()}},
    };
    // The window's Delete Selected on "all matching" narrows by worker, periodic task and a
    // "done after" date too (purgeCriteriaFor()).
    struct Further
    {
        QStringList workers, periodicTaskNames;
        QString doneAfter;
    };
    const QVector<Further> furthers{
        {{}, {}, QString()},
        {{QStringLiteral("w1")}, {}, QString()},
        {{QString(), QStringLiteral("w2")}, {QStringLiteral("p"), QString()}, QString()},
        {{}, {QLatin1String("")}, QStringLiteral("2025-02-14T12:00:00.500Z")},
        {{QStringLiteral("w2")}, {}, QStringLiteral("2025-02-14T00:00:00Z")},
    };
    for (bool indexed : {true, false}) {
        for (const QString &cutoff : cutoffs) {
            for (int k = 0; k < narrowings.size(); ++k) {
                for (int f = 0; f < furthers.size(); ++f) {
                    if (f > 0 && k % 2 == 1)
                        continue; // enough combinations
                    QTest::addRow("%s %s narrowing %d.%d", indexed ? "date walk" : "id order", qPrintable(cutoff), k, f)
                        << indexed << cutoff << narrowings[k].first << narrowings[k].second << furthers[f].workers
                        << furthers[f].periodicTaskNames << furthers[f].doneAfter;
                }
            }
        }
    }
}

// The one expiry rule, PurgeCriteria::matches(), against its SQL form on a real file: the
// clause selects exactly the rows the rule accepts (given the stored microseconds), the
// rule on a row's milliseconds alone (as CouchIndex holds it) is never more eager, and the
// store previews and purges exactly the clause's rows.
void TestSqlStore::shouldExpireExactlyTheRowsTheRuleMatches()
{
    QFETCH(bool, dateDoneIndexed);
    QFETCH(QString, cutoff);
    QFETCH(QStringList, statuses);
    QFETCH(QStringList, taskNames);
    QFETCH(QStringList, workers);
    QFETCH(QStringList, periodicTaskNames);
    QFETCH(QString, doneAfter);
    const QString source = expiryFile(dateDoneIndexed);
    QVERIFY(!source.isEmpty());
    const QString path = m_tmp.filePath(QStringLiteral("expiry-copy-%1.sqlite3").arg(++m_serial));
    QVERIFY(QFile::copy(source, path));
    PurgeCriteria criteria = criteriaFor(cutoff);
    criteria.statuses = statuses;
    criteria.taskNames = taskNames;
    criteria.workers = workers;
    criteria.periodicTaskNames = periodicTaskNames;
    if (!doneAfter.isEmpty())
        criteria.doneAfter = QDateTime::fromString(doneAfter, Qt::ISODateWithMs);
    auto store = SqlStore::sqlite(path);
    QVERIFY(!store->open());
    QCOMPARE(store->layout().dateDoneIndexed, dateDoneIndexed);

    const TestSupport::SqliteConnection raw(path, TestSupport::SqliteConnection::Mode::ReadOnly);
    QVERIFY2(raw.isOpen(), qPrintable(raw.openError()));
    const SqlClause clause = store->statements().expired(criteria);
    const QStringList bySql = raw.strings(QStringLiteral("SELECT task_id FROM django_celery_results_taskresult") + clause.where(),
                                          clause.values);
    QStringList dateText;
    QSqlQuery dates = raw.query(QStringLiteral("SELECT ifnull(date_done, '') FROM django_celery_results_taskresult ORDER BY id"));
    while (dates.next())
        dateText << dates.value(0).toString();
    TaskQuery byId;
    byId.sortField = Field::RowId;
    byId.sortOrder = Qt::AscendingOrder;
    const auto rows = store->fetchPage(byId, 0, 1000, RowDetail::Full);
    QVERIFY2(rows.ok(), qPrintable(rows.error().message));
    QCOMPARE(rows->size(), dateText.size());
    QStringList byRule, byRuleOnMilliseconds, all;
    CouchIndex index;
    for (int i = 0; i < rows->size(); ++i) {
        const TaskResult &row = rows->at(i);
        bool ok = false;
        const qint64 us = micros(dateText[i], &ok);
        if (criteria.matches(row, ok ? int(us % 1000) : PurgeCriteria::unknownMicroseconds))
            byRule << row.taskId;
        if (criteria.matches(row))
            byRuleOnMilliseconds << row.taskId;
        all << row.taskId;
        index.upsert(row.taskId, QStringLiteral("1-x"), row);
    }
    byRule.sort();
    byRuleOnMilliseconds.sort();
    QCOMPARE(bySql, byRule);
    for (const QString &id : std::as_const(byRuleOnMilliseconds))
        QVERIFY2(bySql.contains(id), qPrintable(id));
    if (criteria.cutoffExtraMicroseconds == 0) // then milliseconds decide exactly
        QCOMPARE(byRuleOnMilliseconds, bySql);
    QStringList byIndex;
    for (qint64 slot : index.expired(criteria))
        byIndex << index.docId(slot);
    // No CouchDB or Redis document records a periodic task name: the index reads NULL.
    if (criteria.periodicTaskNames.isEmpty())
        QCOMPARE(sorted(byIndex), byRuleOnMilliseconds);

    // Groups: their rule, and kept whenever the purge is narrowed.
    QStringList groupsLeft;
    qint64 groupsExpired = 0;
    QSqlQuery groups = raw.query(QStringLiteral("SELECT group_id, date_done FROM django_celery_results_groupresult"));
    while (groups.next()) {
        QString problem;
        const QDateTime done = store->statements().readDate(groups.value(1), &problem);
        if (criteria.matchesGroup(done))
            ++groupsExpired;
        else
            groupsLeft << groups.value(0).toString();
    }

    const auto preview = store->previewPurge(criteria);
    QVERIFY2(preview.ok(), qPrintable(preview.error().message));
    QCOMPARE(preview->total, qint64(bySql.size()));
    QCOMPARE(preview->groups, groupsExpired);
    QStringList left = all;
    for (const QString &id : bySql)
        left.removeOne(id);
    TestSupport::verifyPurgeLeaves(*store, criteria, sorted(left), sorted(groupsLeft), tasksIn(path), groupsIn(path));
}

void TestSqlStore::shouldPassTheRowsANarrowedPurgeKeepsInWindows()
{
    // A purge narrowed to one rare match (a search for one task id) on SQLite, whose write
    // lock shuts every worker out: no batch reads more than narrowedScanFactor rows per row
    // it may delete, so batches that delete nothing move on, and exactly the match goes.
    const QString path = copyOf(QStringLiteral("django.sqlite3"));
    auto store = SqlStore::sqlite(path);
    QVERIFY(!store->open());
    const TestSupport::SqliteConnection raw(path, TestSupport::SqliteConnection::Mode::ReadOnly);
    QVERIFY2(raw.isOpen(), qPrintable(raw.openError()));
    const QStringList before = raw.strings(
        QStringLiteral("SELECT task_id FROM django_celery_results_taskresult ORDER BY task_id"), {});
    // The newest finished result: every other expired row comes before it in the walk.
    const QStringList newest = raw.strings(QStringLiteral("SELECT task_id FROM django_celery_results_taskresult "
                                                          "WHERE date_done IS NOT NULL ORDER BY date_done DESC, id DESC LIMIT 1"),
                                           {});
    QCOMPARE(newest.size(), 1);
    const qint64 expired = raw.strings(QStringLiteral("SELECT task_id FROM django_celery_results_taskresult "
                                                      "WHERE date_done IS NOT NULL"),
                                       {})
                               .size();
    QVERIFY(expired > 4 * SqlStore::narrowedScanFactor);
    TaskQuery q;
    q.search = newest.first();
    const Outcome<PurgeCriteria> criteria = purgeCriteriaFor(q, QDateTime(QDate(2100, 1, 1), QTime(0, 0), Qt::UTC));
    QVERIFY(criteria.ok());
    QCOMPARE(store->previewPurge(*criteria)->total, 1);

    // The first batch of one row reads the oldest narrowedScanFactor rows: none is the match.
    const Outcome<DeleteBatch> first = store->purgeBatch(*criteria, 1);
    QVERIFY2(first.ok(), qPrintable(first.error().message));
    QCOMPARE(first->tasks, 0);
    QVERIFY(first->movedOn && !first->finished);

    Purger purger(*store);
    purger.setBatchSize(1);
    const PurgeSummary summary = purger.purge(*criteria, 1);
    QVERIFY2(!summary.error.isError(), qPrintable(summary.error.message));
    QCOMPARE(summary.tasksDeleted, 1);
    // Every window of the rest but the last deleted nothing, and was one batch.
    QVERIFY2(summary.batches >= (expired - SqlStore::narrowedScanFactor) / SqlStore::narrowedScanFactor,
             qPrintable(QString::number(summary.batches)));
    QStringList left = before;
    left.removeOne(newest.first());
    QCOMPARE(raw.strings(QStringLiteral("SELECT task_id FROM django_celery_results_taskresult ORDER BY task_id"), {}), left);
}

void TestSqlStore::shouldDeleteExactlyTheGivenRows()
{
    const QString path = copyOf(QStringLiteral("django.sqlite3"));
    auto store = SqlStore::sqlite(path);
    QVERIFY(!store->open());
    const QStringList before = remainingTaskIds(path);
    const QStringList doomed = selectRaw(path, QStringLiteral("SELECT task_id FROM django_celery_results_taskresult "
                                                              "WHERE id IN (3, 14, 50)"));
    QCOMPARE(doomed.size(), 3);
    const auto batch = store->deleteRows({3, 14, 14, 50, 987654});
    QVERIFY2(batch.ok(), qPrintable(batch.error().message));
    QCOMPARE(batch->tasks, qint64(3));
    QCOMPARE(batch->groups, qint64(0));
    QStringList left = before;
    for (const QString &id : doomed)
        left.removeOne(id);
    QCOMPARE(remainingTaskIds(path), left);
    QCOMPARE(store->fetchOne(14).error().code, StoreError::Code::NotFound);

    // More ids than one statement may bind.
    QVector<qint64> many;
    for (qint64 id = 1; id <= 3000; ++id)
        many << id;
    const auto all = store->deleteRows(many);
    QVERIFY2(all.ok(), qPrintable(all.error().message));
    QCOMPARE(all->tasks, qint64(left.size()));
    QCOMPARE(*store->count({}), qint64(0));
    QCOMPARE(store->deleteRows({}).value().tasks, qint64(0));
}

void TestSqlStore::shouldRefuseDeletesWhenReadOnly()
{
    const QString path = copyOf(QStringLiteral("django.sqlite3"));
    QFile f(path);
    QVERIFY(f.open(QIODevice::ReadOnly));
    const QByteArray hashBefore = QCryptographicHash::hash(f.readAll(), QCryptographicHash::Sha256);
    f.close();

    StoreOptions options;
    options.readOnly = true;
    auto store = SqlStore::sqlite(path, options);
    QVERIFY(!store->open());
    QVERIFY(store->info().readOnly);
    const qint64 before = *store->count({});
    const PurgeCriteria criteria = criteriaFor(QStringLiteral("2100-01-01T00:00:00Z"));
    QVERIFY(store->previewPurge(criteria).ok()); // reading is fine
    QCOMPARE(store->previewPurge(criteria)->total, before);
    const auto purge = store->purgeBatch(criteria, 100);
    QCOMPARE(purge.error().code, StoreError::Code::PermissionDenied);
    QVERIFY2(purge.error().message.contains(QLatin1String("read-only")), qPrintable(purge.error().message));
    QCOMPARE(store->deleteRows({1, 2}).error().code, StoreError::Code::PermissionDenied);
    QCOMPARE(*store->count({}), before);

    QVERIFY(f.open(QIODevice::ReadOnly));
    QCOMPARE(QCryptographicHash::hash(f.readAll(), QCryptographicHash::Sha256), hashBefore);

    // ?readonly=1 in the URL does the same through the factory.
    const auto factory = makeStoreFactory(QStringLiteral("sqlite:///%1?readonly=1").arg(path));
    QVERIFY(factory.ok());
    auto viaUrl = (*factory)();
    QVERIFY(!viaUrl->open());
    QVERIFY(viaUrl->info().readOnly);
    QCOMPARE(viaUrl->deleteRows({1}).error().code, StoreError::Code::PermissionDenied);
    QCOMPARE(selectRaw(path, QStringLiteral("SELECT count(*) FROM django_celery_results_taskresult")).value(0),
             QString::number(before));
}

// --- celery_taskmeta -------------------------------------------------------------------------

void TestSqlStore::shouldReadCeleryTaskMetaAsBase64Pickle()
{
    const QString path = copyOf(QStringLiteral("taskmeta.sqlite3"));
    auto store = SqlStore::sqlite(path);
    QVERIFY(!store->open());
    const auto row = store->fetchByTaskId(QStringLiteral("218aa114-3539-583b-be9f-acf5f1a33a75"));
    QVERIFY2(row.ok(), qPrintable(row.error().message));
    QCOMPARE(row->contentEncoding, QStringLiteral("binary"));
    QCOMPARE(row->contentType, QStringLiteral("application/x-python-pickle"));
    const QByteArray pickle = QByteArray::fromBase64(row->result.toLatin1());
    QCOMPARE(QString::fromLatin1(pickle.toHex()),
             selectRaw(path, QStringLiteral("SELECT lower(hex(result)) FROM celery_taskmeta WHERE task_id = "
                                            "'218aa114-3539-583b-be9f-acf5f1a33a75'"))
                 .value(0));
    QCOMPARE(quint8(pickle.at(0)), quint8(0x80)); // PROTO opcode
    QCOMPARE(row->taskName, QStringLiteral("proj.tasks.echo"));
    QVERIFY(row->args.contains(QLatin1String("Zo\\u00eb")));
    QCOMPARE(row->worker, QStringLiteral("alpha@stalk-fixtures"));
    QCOMPARE(row->queue, QStringLiteral("celery"));
    QCOMPARE(row->retries, 0);
    QCOMPARE(row->dateDone, QDateTime(QDate(2025, 1, 11), QTime(12, 48, 45), Qt::UTC));

    // The decoded search works on JSON bytes too.
    TaskQuery q;
    q.search = QString::fromUtf8("zoë");
    QVERIFY(*store->count(q) >= 1);

    const auto page = store->fetchPage({}, 0, 100);
    QVERIFY(page.ok());
    QCOMPARE(page->size(), 50);
    for (const TaskResult &r : *page) {
        QVERIFY(r.result.size() <= ResultStore::previewChars);
        QCOMPARE(r.contentEncoding, QStringLiteral("binary"));
    }
    const auto facets = store->facets({});
    QVERIFY(facets.ok());
    QCOMPARE(countsOf(facets->statuses), countsOf(m_expect[QStringLiteral("counts")].toObject()[QStringLiteral("status")].toObject()));
    QVERIFY(facets->periodicTaskNames.isEmpty());
}

void TestSqlStore::shouldPurgeCeleryTaskMetaLikeCelery_data()
{
    QTest::addColumn<QString>("file");
    QTest::addColumn<QString>("cutoff");
    const QJsonArray expired = m_expect[QStringLiteral("expired")].toArray();
    for (const char *file : {"taskmeta.sqlite3", "taskmeta_plain.sqlite3", "taskmeta_nullext.sqlite3"}) {
        for (const QJsonValue &v : expired) {
            const QString cutoff = v.toObject()[QStringLiteral("cutoff")].toString();
            QTest::addRow("%s %s", file, qPrintable(cutoff)) << QString::fromLatin1(file) << cutoff;
        }
    }
}

void TestSqlStore::shouldPurgeCeleryTaskMetaLikeCelery()
{
    QFETCH(QString, file);
    QFETCH(QString, cutoff);
    const QString path = copyOf(file);
    // Expected sets by comparing microsecond values, independent of text rendering.
    auto keysAndDates = [&](const QString &table, const QString &key) {
        return selectRaw(path, QStringLiteral("SELECT %1 || '|' || ifnull(date_done, '') FROM %2").arg(key, table));
    };
    const QString tasks = QStringLiteral("celery_taskmeta"), groups = QStringLiteral("celery_tasksetmeta");
    const QString groupKey = QStringLiteral("taskset_id");
    const QStringList tasksLeft = TestSupport::keysNotExpired(keysAndDates(tasks, QStringLiteral("task_id")), cutoff);
    const QStringList groupsLeft = TestSupport::keysNotExpired(keysAndDates(groups, groupKey), cutoff);
    auto store = SqlStore::sqlite(path);
    QVERIFY(!store->open());
    TestSupport::verifyPurgeLeaves(*store, criteriaFor(cutoff), tasksLeft, groupsLeft,
                                   [&] { return remainingTaskIds(path, tasks); },
                                   [&] { return remainingTaskIds(path, groups, groupKey); });
}

// --- bad inputs ------------------------------------------------------------------------------

void TestSqlStore::shouldListSavedGroupsAsStored_data()
{
    QTest::addColumn<QString>("file");
    QTest::addColumn<bool>("pickleGroups");
    for (const char *file : {"django.sqlite3", "plain.sqlite3", "v26.sqlite3", "legacy_191.sqlite3", "legacy_v1.sqlite3",
                             "taskmeta.sqlite3", "taskmeta_nullext.sqlite3", "taskmeta_plain.sqlite3"})
        QTest::addRow("%s", file) << QString::fromLatin1(file) << false;
    // django-celery-results with result_serializer='pickle' stores base64 of the pickled
    // as_tuple(), content_encoding 'binary': the same groups rewritten so by Python's pickle.
    QTest::addRow("django.sqlite3 pickled") << QStringLiteral("django.sqlite3") << true;
}

void TestSqlStore::shouldListSavedGroupsAsStored()
{
    QFETCH(QString, file);
    QFETCH(bool, pickleGroups);
    const QString path = copyOf(file);
    QVERIFY(!path.isEmpty());
    if (pickleGroups) {
        QProcess python;
        python.start(QStringLiteral("/usr/bin/python3"),
                     {QStringLiteral("-c"),
                      QStringLiteral("import base64, json, pickle, sqlite3, sys\n"
                                     "c = sqlite3.connect(sys.argv[1])\n"
                                     "def tup(v): return tuple(tup(x) for x in v) if isinstance(v, list) else v\n"
                                     "for i, r in c.execute('SELECT id, result FROM django_celery_results_groupresult').fetchall():\n"
                                     "    b = base64.b64encode(pickle.dumps(tup(json.loads(r)))).decode()\n"
                                     "    c.execute(\"UPDATE django_celery_results_groupresult SET result = ?, "
                                     "content_type = 'application/x-python-serialize', content_encoding = 'binary' "
                                     "WHERE id = ?\", (b, i))\n"
                                     "c.commit()\n"),
                      path});
        QVERIFY(python.waitForFinished(60000));
        QVERIFY2(python.exitCode() == 0, python.readAllStandardError().constData());
    }
    auto store = SqlStore::sqlite(path);
    QVERIFY2(!store->open(), "open");
    TestSupport::verifyGroupsAsStored(*store, QStringLiteral("sqlite:///") + path);
}

void TestSqlStore::shouldReadTheTableNamedInOptions()
{
    // One file holding both layouts: Django's table wins by default, ?table= picks the other.
    const QString path = copyOf(QStringLiteral("django.sqlite3"));
    QVERIFY(execRaw(path, QStringLiteral("ATTACH '%1' AS tm; CREATE TABLE celery_taskmeta AS SELECT * FROM "
                                         "tm.celery_taskmeta; DELETE FROM celery_taskmeta WHERE id > 10;")
                              .arg(fixture(QStringLiteral("taskmeta.sqlite3")))));
    auto byDefault = SqlStore::sqlite(path);
    QVERIFY(!byDefault->open());
    QCOMPARE(byDefault->info().tableName, QStringLiteral("django_celery_results_taskresult"));
    QCOMPARE(*byDefault->count({}), qint64(50));

    const auto factory = makeStoreFactory(QStringLiteral("sqlite:///%1?table=celery_taskmeta").arg(path));
    QVERIFY(factory.ok());
    auto chosen = (*factory)();
    const StoreError e = chosen->open();
    QVERIFY2(!e, qPrintable(e.message));
    QCOMPARE(chosen->info().tableName, QStringLiteral("celery_taskmeta"));
    QCOMPARE(chosen->info().layout, StoreInfo::Layout::CeleryTaskMeta);
    QVERIFY(!chosen->info().hasGroups); // no celery_tasksetmeta in this file
    QCOMPARE(*chosen->count({}), qint64(10));

    StoreOptions options;
    options.table = QStringLiteral("celery_taskmeta");
    auto viaOptions = SqlStore::sqlite(path, options);
    QVERIFY(!viaOptions->open());
    QCOMPARE(*viaOptions->count({}), qint64(10));
}

void TestSqlStore::shouldOpenPathsWithUrlCharacters()
{
    // The file is opened through a SQLite URI; '?', '#', '%' and non-ASCII stay part of the path.
    const QString dir = m_tmp.filePath(QString::fromUtf8("odd ä #?%25 dir"));
    QVERIFY(QDir().mkpath(dir));
    const QString path = dir + QStringLiteral("/db?x=1#frag.sqlite3");
    QVERIFY(QFile::copy(fixture(QStringLiteral("django.sqlite3")), path));
    QFile::setPermissions(path, QFile::ReadOwner | QFile::WriteOwner);
    auto store = SqlStore::sqlite(path);
    const StoreError e = store->open();
    QVERIFY2(!e, qPrintable(e.message));
    QCOMPARE(*store->count({}), qint64(50));
    QCOMPARE(store->deleteRows({1}).value().tasks, qint64(1));
    QCOMPARE(selectRaw(path, QStringLiteral("SELECT count(*) FROM django_celery_results_taskresult")).value(0),
             QStringLiteral("49"));
    const QStringList entries = QDir(dir).entryList(QDir::Files);
    QCOMPARE(entries, QStringList{QStringLiteral("db?x=1#frag.sqlite3")}); // no stray file created
}

void TestSqlStore::shouldReportNonCeleryDatabase()
{
    const QString path = tempPath(QStringLiteral("other.sqlite3"));
    QVERIFY(execRaw(path, QStringLiteral("CREATE TABLE auth_user (id INTEGER PRIMARY KEY, name TEXT);"
                                         "INSERT INTO auth_user (name) VALUES ('x');")));
    auto store = SqlStore::sqlite(path);
    const StoreError e = store->open();
    QCOMPARE(e.code, StoreError::Code::NotCelery);
    QCOMPARE(e.message, QStringLiteral("no Celery result tables in %1: looked for django_celery_results_taskresult "
                                       "and celery_taskmeta, or a Django DatabaseCache table (cache_key, value, expires)")
                            .arg(path));
    QCOMPARE(store->count({}).error().code, StoreError::Code::QueryFailed); // not open

    // A table named like Celery's but without its columns.
    const QString fake = tempPath(QStringLiteral("fake.sqlite3"));
    QVERIFY(execRaw(fake, QStringLiteral("CREATE TABLE celery_taskmeta (id INTEGER PRIMARY KEY, x TEXT);")));
    auto fakeStore = SqlStore::sqlite(fake);
    QCOMPARE(fakeStore->open().code, StoreError::Code::NotCelery);

    // An explicit table that is not there.
    StoreOptions options;
    options.table = QStringLiteral("no_such_table");
    auto explicitStore = SqlStore::sqlite(copyOf(QStringLiteral("django.sqlite3")), options);
    const StoreError missingTable = explicitStore->open();
    QCOMPARE(missingTable.code, StoreError::Code::NotCelery);
    QVERIFY(missingTable.message.contains(QLatin1String("no_such_table")));
}

void TestSqlStore::shouldReportEmptyFileAsNotCelery()
{
    const QString path = tempPath(QStringLiteral("empty.sqlite3"));
    QFile f(path);
    QVERIFY(f.open(QIODevice::WriteOnly));
    f.close();
    auto store = SqlStore::sqlite(path);
    const StoreError e = store->open();
    QCOMPARE(e.code, StoreError::Code::NotCelery);
    QVERIFY2(e.message.startsWith(QStringLiteral("no Celery result tables in %1").arg(path)), qPrintable(e.message));
    QCOMPARE(QFileInfo(path).size(), qint64(0)); // still empty: nothing was written
}

void TestSqlStore::shouldReportRandomBytesAsCorrupt()
{
    const QString path = tempPath(QStringLiteral("random.sqlite3"));
    QFile f(path);
    QVERIFY(f.open(QIODevice::WriteOnly));
    QByteArray bytes;
    quint32 x = 2463534242u;
    for (int i = 0; i < 8192; ++i) {
        x ^= x << 13;
        x ^= x >> 17;
        x ^= x << 5;
        bytes.append(char(x & 0xff));
    }
    f.write(bytes);
    f.close();
    auto store = SqlStore::sqlite(path);
    const StoreError e = store->open();
    QCOMPARE(e.code, StoreError::Code::Corrupt);
    QCOMPARE(e.message, QStringLiteral("%1 is not a SQLite database").arg(path));
}

void TestSqlStore::shouldReportMissingFileWithoutCreatingIt()
{
    const QString path = tempPath(QStringLiteral("missing.sqlite3"));
    auto store = SqlStore::sqlite(path);
    const StoreError e = store->open();
    QCOMPARE(e.code, StoreError::Code::NotFound);
    QVERIFY2(e.message.contains(path), qPrintable(e.message));
    QVERIFY(!QFile::exists(path));
    StoreOptions ro;
    ro.readOnly = true;
    QCOMPARE(SqlStore::sqlite(path, ro)->open().code, StoreError::Code::NotFound);
    QVERIFY(!QFile::exists(path));
    // A directory is not a database file either.
    QCOMPARE(SqlStore::sqlite(m_tmp.path())->open().code, StoreError::Code::NotFound);
}

void TestSqlStore::shouldReportLockedDatabase()
{
    const QString path = copyOf(QStringLiteral("django.sqlite3"));
    QVERIFY(execRaw(path, QStringLiteral("PRAGMA journal_mode = DELETE")));
    // Open before the lock is taken, to see a lock during a query too.
    auto early = SqlStore::sqlite(path, {}, 100);
    QVERIFY(!early->open());

    sqlite3 *holder = nullptr;
    QCOMPARE(sqlite3_open_v2(path.toUtf8().constData(), &holder, SQLITE_OPEN_READWRITE, nullptr), SQLITE_OK);
    QCOMPARE(sqlite3_exec(holder, "BEGIN EXCLUSIVE; DELETE FROM django_celery_results_taskresult WHERE id = 1;",
                          nullptr, nullptr, nullptr),
             SQLITE_OK);

    auto store = SqlStore::sqlite(path, {}, 100);
    const StoreError e = store->open();
    QCOMPARE(e.code, StoreError::Code::Locked);
    QVERIFY2(e.message.contains(QLatin1String("locked")) && e.message.contains(path), qPrintable(e.message));

    const auto count = early->count({});
    QCOMPARE(count.error().code, StoreError::Code::Locked);
    const auto purge = early->purgeBatch(criteriaFor(QStringLiteral("2100-01-01T00:00:00Z")), 10);
    QCOMPARE(purge.error().code, StoreError::Code::Locked);
    QCOMPARE(early->deleteRows({2}).error().code, StoreError::Code::Locked);

    QCOMPARE(sqlite3_exec(holder, "ROLLBACK;", nullptr, nullptr, nullptr), SQLITE_OK);
    sqlite3_close(holder);

    // Once released, everything works and nothing was half-deleted.
    QCOMPARE(*early->count({}), qint64(50));
    QVERIFY(!store->open());
    const auto batch = early->deleteRows({2});
    QVERIFY(batch.ok());
    QCOMPARE(batch->tasks, qint64(1));
}

void TestSqlStore::shouldReportDamagedDatabaseMidQuery()
{
    const QString path = copyOf(QStringLiteral("django.sqlite3"));
    // Grow the table over many pages, then overwrite everything after the first pages.
    QVERIFY(execRaw(path, QStringLiteral(
                              "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c WHERE x < 3000) "
                              "INSERT INTO django_celery_results_taskresult (task_id, status, content_type, "
                              "content_encoding, date_done, date_created, task_args) SELECT 'bulk-' || x, 'SUCCESS', "
                              "'application/json', 'utf-8', '2025-01-01 00:00:00', '2025-01-01 00:00:00', "
                              "hex(randomblob(300)) FROM c")));
    QFile f(path);
    QVERIFY(f.open(QIODevice::ReadWrite));
    const qint64 size = f.size();
    QVERIFY(size > 200000);
    QVERIFY(f.seek(size / 3));
    QByteArray junk(int(size / 2), '\xA5');
    for (int i = 0; i < junk.size(); i += 97)
        junk[i] = char(i);
    f.write(junk);
    f.close();

    auto store = SqlStore::sqlite(path);
    // The schema pages are intact, so the damage shows only once a query reaches it.
    const StoreError openError = store->open();
    QVERIFY2(!openError, qPrintable(openError.message));
    TaskQuery q;
    q.search = QStringLiteral("nothing-like-this");
    const auto count = store->count(q);
    QVERIFY(!count.ok());
    QCOMPARE(count.error().code, StoreError::Code::Corrupt);
    QVERIFY2(count.error().message.contains(path), qPrintable(count.error().message));
    QVERIFY(!store->fetchPage(q, 0, 100, RowDetail::Full).ok());
    QVERIFY(!store->purgeBatch(criteriaFor(QStringLiteral("2100-01-01T00:00:00Z")), 5000).ok());
}

void TestSqlStore::shouldSurviveNullsEverywhere()
{
    // The same columns without NOT NULL, so that every column can be NULL.
    const QString path = tempPath(QStringLiteral("nulls.sqlite3"));
    QVERIFY(execRaw(path, QStringLiteral(
                              "CREATE TABLE django_celery_results_taskresult (id integer PRIMARY KEY, task_id varchar(255), "
                              "status varchar(50), content_type varchar(128), content_encoding varchar(64), result text, "
                              "date_done datetime, traceback text, meta text, task_args text, task_kwargs text, "
                              "task_name varchar(255), worker varchar(100), date_created datetime, "
                              "periodic_task_name varchar(255));"
                              "INSERT INTO django_celery_results_taskresult (id) VALUES (1);"
                              "INSERT INTO django_celery_results_taskresult (id, task_id, status, date_done, date_created) "
                              "VALUES (2, 't2', 'SUCCESS', '31/02/2025', 12345);"
                              "INSERT INTO django_celery_results_taskresult (id, task_id, status, date_done, task_args) "
                              "VALUES (3, '', '', '2025-01-01 00:00:00', '');")));
    auto store = SqlStore::sqlite(path);
    QVERIFY(!store->open());
    QVERIFY(store->info().note.isEmpty() || store->info().note.contains(QLatin1String("result_extended")));
    TaskQuery q;
    q.sortField = Field::RowId;
    q.sortOrder = Qt::AscendingOrder;
    for (RowDetail detail : {RowDetail::Summary, RowDetail::Full}) {
        const auto rows = store->fetchPage(q, 0, 10, detail);
        QVERIFY2(rows.ok(), qPrintable(rows.error().message));
        QCOMPARE(rows->size(), 3);
        const TaskResult &nulls = rows->at(0);
        QCOMPARE(nulls.rowId, qint64(1));
        QVERIFY(nulls.taskId.isNull());
        QVERIFY(nulls.status.isNull());
        QVERIFY(nulls.args.isNull());
        QVERIFY(nulls.result.isNull());
        QVERIFY(!nulls.dateDone.isValid());
        QVERIFY(nulls.problems.isEmpty());
        const TaskResult &bad = rows->at(1);
        QVERIFY(!bad.dateDone.isValid());
        QCOMPARE(bad.problems.size(), 2);
        QVERIFY2(bad.problems.at(0).startsWith(QLatin1String("date_created: '12345'")), qPrintable(bad.problems.at(0)));
        QCOMPARE(bad.problems.at(1), QStringLiteral("date_done: '31/02/2025' is not a date"));
        const TaskResult &empty = rows->at(2);
        QVERIFY(!empty.taskId.isNull() && empty.taskId.isEmpty());
        QVERIFY(!empty.args.isNull() && empty.args.isEmpty());
    }
    QVERIFY(store->fetchOne(1).ok());
    TaskQuery search;
    search.search = QStringLiteral("t");
    QCOMPARE(*store->count(search), qint64(1));
    QVERIFY(store->facets({}).ok());
    TaskQuery nullStatus;
    nullStatus.statuses = {QString()};
    QCOMPARE(*store->count(nullStatus), qint64(1));
    const auto preview = store->previewPurge(criteriaFor(QStringLiteral("2100-01-01T00:00:00Z")));
    QVERIFY(preview.ok());
}

void TestSqlStore::shouldCarryFiveMegabyteTraceback()
{
    const QString path = copyOf(QStringLiteral("django.sqlite3"));
    QVERIFY(execRaw(path, QStringLiteral("UPDATE django_celery_results_taskresult SET traceback = "
                                         "'Traceback (most recent call last):' || replace(hex(zeroblob(2621440)), '00', "
                                         "'ab') || char(10) || 'ValueError: boom', result = hex(zeroblob(1000000)) "
                                         "WHERE id = 14")));
    auto store = SqlStore::sqlite(path);
    QVERIFY(!store->open());
    const auto page = store->fetchPage({}, 0, 100);
    QVERIFY(page.ok());
    for (const TaskResult &r : *page) {
        QVERIFY(r.traceback.isNull());
        QVERIFY(r.result.size() <= ResultStore::previewChars);
    }
    const auto one = store->fetchOne(14);
    QVERIFY(one.ok());
    QVERIFY(one->traceback.size() > 5 * 1000 * 1000);
    QVERIFY(one->traceback.endsWith(QLatin1String("ValueError: boom")));
    QCOMPARE(one->result.size(), qsizetype(2000000));
}

void TestSqlStore::shouldSurviveInvalidUtf8()
{
    const QString path = copyOf(QStringLiteral("django.sqlite3"));
    QVERIFY(execRaw(path, QStringLiteral("UPDATE django_celery_results_taskresult SET "
                                         "task_args = CAST(X'22284162FFFE43C3A92922' AS TEXT), "
                                         "task_name = CAST(X'70726F6AC3' AS TEXT), "
                                         "result = CAST(X'80FF00' AS TEXT) WHERE id = 3")));
    auto store = SqlStore::sqlite(path);
    QVERIFY(!store->open());
    const auto row = store->fetchOne(3);
    QVERIFY2(row.ok(), qPrintable(row.error().message));
    QVERIFY(!row->args.isNull());
    QVERIFY(row->args.startsWith(QLatin1String("\"(Ab")));
    for (const QString &term : {QStringLiteral("Ab"), QString::fromUtf8("é"), QStringLiteral("\\u"),
                                QString::fromUtf8("\xEF\xBF\xBD")}) {
        TaskQuery q;
        q.search = term;
        const auto count = store->count(q);
        QVERIFY2(count.ok(), qPrintable(count.error().message));
    }
    TaskQuery ab;
    ab.search = QStringLiteral("ab\xFF"); // Latin-1 ÿ, not in the row
    QVERIFY(store->count(ab).ok());
    TaskQuery found;
    found.search = QStringLiteral("(ab");
    QVERIFY(*store->count(found) >= 1);
    QVERIFY(store->facets({}).ok());
    QVERIFY(store->fetchPage({}, 0, 100, RowDetail::Full).ok());
}

void TestSqlStore::shouldKeepMalformedJsonAsStored()
{
    const QString path = copyOf(QStringLiteral("django.sqlite3"));
    QVERIFY(execRaw(path, QStringLiteral("UPDATE django_celery_results_taskresult SET result = '{\"broken', "
                                         "task_args = '\"(\\u00', task_kwargs = '\\ud83d', meta = '[[[' WHERE id = 4")));
    auto store = SqlStore::sqlite(path);
    QVERIFY(!store->open());
    const auto row = store->fetchOne(4);
    QVERIFY(row.ok());
    QCOMPARE(row->result, QStringLiteral("{\"broken"));
    QCOMPARE(row->args, QStringLiteral("\"(\\u00"));
    QCOMPARE(row->kwargs, QStringLiteral("\\ud83d"));
    QCOMPARE(row->meta, QStringLiteral("[[["));
    TaskQuery q;
    q.search = QStringLiteral("\\u00");
    QVERIFY(*store->count(q) >= 1);
    q.search = QStringLiteral("(\\u00");
    QCOMPARE(*store->count(q), qint64(1));
}

void TestSqlStore::shouldCancelLongQueryOnInterrupt()
{
    const QString path = copyOf(QStringLiteral("django.sqlite3"));
    QVERIFY(execRaw(path, QStringLiteral(
                              "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c WHERE x < 150000) "
                              "INSERT INTO django_celery_results_taskresult (task_id, status, content_type, "
                              "content_encoding, date_done, date_created, task_args, task_kwargs) SELECT 'bulk-' || x, "
                              "'SUCCESS', 'application/json', 'utf-8', '2025-01-01 00:00:00', '2025-01-01 00:00:00', "
                              "hex(randomblob(300)), hex(randomblob(100)) FROM c")));

    std::atomic<SqlStore *> shared{nullptr};
    std::atomic_bool done{false};
    std::promise<void> interrupting;
    std::future<void> stoppedInterrupting = interrupting.get_future();
    StoreError openError;
    StoreError result;
    int attempts = 0;
    std::thread worker([&] {
        // Opened, used and destroyed on this thread, as the contract requires.
        auto store = SqlStore::sqlite(path);
        openError = store->open();
        shared = store.get();
        TaskQuery q;
        q.search = QStringLiteral("no-such-text-anywhere");
        while (!openError && attempts < 1000) {
            ++attempts;
            const auto count = store->count(q);
            if (!count.ok()) {
                result = count.error();
                break;
            }
        }
        done = true;
        stoppedInterrupting.wait(); // the main thread no longer touches the store
        // After a cancellation the store still works.
        if (result.code == StoreError::Code::Cancelled) {
            const auto after = store->count({});
            if (!after.ok() || *after != 150050)
                result = StoreError(StoreError::Code::QueryFailed, QStringLiteral("store unusable after interrupt"));
        }
    });
    // Keep interrupting until the worker's query gives up; an interrupt that lands between
    // two queries has no effect, so one is not enough.
    QTRY_VERIFY_WITH_TIMEOUT(([&] {
                                 if (SqlStore *s = shared.load())
                                     s->interrupt();
                                 return done.load();
                             }()),
                             120000);
    interrupting.set_value();
    worker.join();
    QVERIFY2(!openError, qPrintable(openError.message));
    QCOMPARE(result.code, StoreError::Code::Cancelled);
    QVERIFY(attempts < 1000);
}

void TestSqlStore::shouldRefuseASearchOfTooManyWordsClearly()
{
    auto store = openCopy(QStringLiteral("django.sqlite3"));
    QVERIFY(store);
    QStringList words;
    for (int i = 0; i < 999; ++i)
        words << QStringLiteral("w%1").arg(i);
    TaskQuery tooMany;
    tooMany.search = words.join(u' ');
    for (const StoreError &error : {store->count(tooMany).error(), store->fetchPage(tooMany, 0, 50, RowDetail::Summary).error(),
                                    store->facets(tooMany).error()}) {
        QCOMPARE(error.code, StoreError::Code::QueryFailed);
        QVERIFY2(error.message.contains(QStringLiteral("at most %1").arg(TaskQuery::maxSearchTerms)),
                 qPrintable(error.message));
    }
    // As many as allowed run, on this engine's statement limits.
    TaskQuery most;
    most.search = words.mid(0, TaskQuery::maxSearchTerms).join(u' ');
    const auto count = store->count(most);
    QVERIFY2(count.ok(), qPrintable(count.error().message));
    QCOMPARE(*count, 0);
    const auto page = store->fetchPage(most, 0, 50, RowDetail::Summary);
    QVERIFY2(page.ok(), qPrintable(page.error().message));
    QVERIFY(store->facets(most).ok());
}

void TestSqlStore::shouldReportATextIdAsAnUnreadableRow()
{
    // A table whose id is declared "int" (no rowid alias) holds a text id.
    const QString path = copyOf(QStringLiteral("django.sqlite3"));
    QVERIFY(execRaw(path, QStringLiteral("ALTER TABLE django_celery_results_taskresult RENAME TO original")));
    QVERIFY(execRaw(path, QStringLiteral("CREATE TABLE django_celery_results_taskresult AS SELECT * FROM original WHERE 0")));
    QVERIFY(execRaw(path, QStringLiteral("INSERT INTO django_celery_results_taskresult SELECT * FROM original")));
    QVERIFY(execRaw(path, QStringLiteral("INSERT INTO django_celery_results_taskresult SELECT * FROM original LIMIT 1")));
    QVERIFY(execRaw(path, QStringLiteral("UPDATE django_celery_results_taskresult SET id = 'abc', task_id = 'task-abc' "
                                         "WHERE rowid = (SELECT MAX(rowid) FROM django_celery_results_taskresult)")));
    auto store = SqlStore::sqlite(path);
    QVERIFY(!store->open());
    const auto count = store->count({});
    QVERIFY(count.ok());
    const auto page = store->fetchPage({}, 0, 1000, RowDetail::Full);
    QVERIFY(page.ok());
    QCOMPARE(qint64(page->size()), *count); // listed and counted alike
    int unreadable = 0;
    for (const TaskResult &row : *page) {
        if (row.taskId != u"task-abc")
            continue;
        ++unreadable;
        QCOMPARE(row.rowId, qint64(-1)); // never id 0: a delete by id must not reach another row
        QVERIFY2(row.problems.join(u' ').contains(QLatin1String("'abc' is not an integer id")),
                 qPrintable(row.problems.join(u' ')));
    }
    QCOMPARE(unreadable, 1);
    const auto byTaskId = store->fetchByTaskId(QStringLiteral("task-abc"));
    QVERIFY(byTaskId.ok());
    QCOMPARE(byTaskId->rowId, qint64(-1));
    QVERIFY(!byTaskId->problems.isEmpty());
}

QTEST_GUILESS_MAIN(TestSqlStore)
#include "tst_sqlstore.moc"
