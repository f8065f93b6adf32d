#include <QAbstractItemModelTester>
#include <QFile>
#include <QJsonArray>
#include <QJsonObject>
#include <QLocale>
#include <QMutex>
#include <QPersistentModelIndex>
#include <QSignalSpy>
#include <QSqlDatabase>
#include <QSqlError>
#include <QSemaphore>
#include <QSqlQuery>
#include <QTemporaryDir>
#include <QTest>

#include "fakestore.h"
#include "storeurl.h"
#include "taskresultmodel.h"
#include "testsupport.h"
#include "valuedecoder.h"

namespace {

using TestSupport::copyFixture;
using TestSupport::expectations;
using TestSupport::haveFixtures;
using TestSupport::stringList;

StoreFactory sqliteFactory(const QString &path)
{
    Outcome<StoreFactory> factory = makeStoreFactory(QStringLiteral("sqlite:///") + path);
    return factory ? *factory : StoreFactory();
}

/// Another connection to the same file, as another process writing results would have.
using External = TestSupport::SqliteConnection;

const QString taskTable = QStringLiteral("django_celery_results_taskresult");
const QString copyColumns = QStringLiteral(
    "status, content_type, content_encoding, result, date_done, traceback, meta, task_args, task_kwargs, "
    "task_name, worker, date_created, periodic_task_name");

// ---------------------------------------------------------------------------------------
// Model helpers.

/// Asks every row (which requests the pages) and says whether all are loaded.
bool allLoaded(const TaskResultModel &model)
{
    for (int row = 0; row < model.rowCount(); ++row) {
        if (!model.data(model.index(row, 0), TaskResultModel::LoadedRole).toBool())
            return false;
    }
    return true;
}

QStringList column(const TaskResultModel &model, int role, int col = 0)
{
    QStringList values;
    for (int row = 0; row < model.rowCount(); ++row)
        values.append(model.data(model.index(row, col), role).toString());
    return values;
}

QStringList sorted(QStringList list)
{
    list.sort();
    return list;
}

/// The states a countStateChanged spy saw that satisfy `pick`.
template<typename Pick>
int statesWhere(const QSignalSpy &states, Pick pick)
{
    int n = 0;
    for (const QList<QVariant> &args : states)
        n += pick(args.at(0).value<CountState>()) ? 1 : 0;
    return n;
}

QMap<QString, qint64> facetMap(const QVector<FacetValue> &values)
{
    QMap<QString, qint64> map;
    for (const FacetValue &v : values)
        map.insert(v.value.isNull() ? QString(QLatin1String("")) : v.value, v.count);
    return map;
}

QMap<QString, qint64> countMap(const QJsonValue &value)
{
    QMap<QString, qint64> map;
    const QJsonObject object = value.toObject();
    for (auto it = object.begin(); it != object.end(); ++it)
        map.insert(it.key(), it.value().toInteger());
    return map;
}

// ---------------------------------------------------------------------------------------
// The in-memory store for faults and timing the real one will not produce on demand.

using TestSupport::FakeControl;
using TestSupport::fakeFactory;

/// A fake store of 500 rows whose quick matches are quickIds.
std::shared_ptr<FakeControl> quickMatchStore(const QVector<qint64> &quickIds)
{
    auto control = std::make_shared<FakeControl>();
    control->rows = 500;
    control->ignoreInterrupt = true;
    control->quickIds = quickIds;
    return control;
}

/// Opens the model on the fake store; true once its first count came.
bool openOnFake(TaskResultModel &model, const std::shared_ptr<FakeControl> &control)
{
    QSignalSpy counts(&model, &TaskResultModel::countChanged);
    model.setStoreFactory(fakeFactory(control));
    return counts.wait(10000);
}

/// Opens the model on the fake store and waits until it settles; then holds the store's
/// pages and searches for `term`, returning once the quick matches are shown.
void searchWithPagesHeld(TaskResultModel &model, const std::shared_ptr<FakeControl> &control, const QString &term)
{
    QSignalSpy counts(&model, &TaskResultModel::countChanged);
    QSignalSpy facets(&model, &TaskResultModel::facetsChanged);
    model.setStoreFactory(fakeFactory(control));
    QTRY_COMPARE(counts.count(), 1);
    QTRY_COMPARE(facets.count(), 1); // settled: nothing outstanding
    control->setBlockPages(true);
    TaskQuery query;
    query.search = term;
    model.setQuery(query);
    QTRY_VERIFY(model.isShowingQuickMatches());
}

} // namespace

/// TaskResultModel against the real SqlStore on fixture copies, plus a fake store for faults.
class TestTaskResultModel final : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void initTestCase();

    // Real SqlStore.
    void shouldShowEveryRowInDefaultOrder();
    void shouldFilterByStatus_data();
    void shouldFilterByStatus();
    void shouldSearchWithStalkSemantics_data();
    void shouldSearchWithStalkSemantics();
    void shouldShowOnlyTheLastOfTwoQuickQueries();
    void shouldEmitFacetsForTheQuery();
    void shouldFetchDetail();
    void shouldGrowWithoutResetOnRefresh();
    void shouldShrinkWithoutResetOnRefresh();
    void shouldSortByColumn();
    void shouldFailOnNonCeleryDatabase();
    void shouldReportColumnAvailabilityFromSchema();
    void shouldBoundThePageCache();
    void shouldShowOtherLayouts_data();
    void shouldShowOtherLayouts();

    // Fake store: faults and timing.
    void shouldShowPlaceholdersUntilThePageArrives();
    void shouldShowFirstPageBeforeTheCount_data();
    void shouldShowFirstPageBeforeTheCount();
    void shouldKeepFirstRowsWhenTheCountFails();
    void shouldShowQuickMatchesThenInsertTheRestAroundThem();
    void shouldResetWhenQuickMatchesAreNotOnTheFirstPage();
    void shouldServePagesBeforeFacets();
    void shouldSayFacetsArePendingUntilTheNewQuerysArrive();
    void shouldShowARefreshsFacetsThoughANewerRefreshCame();
    void shouldServeADetailBeforeFacets();
    void shouldDropAnswersOfAnInterruptedQuery();
    void shouldDropAnswersOfAQueryThatIgnoredInterrupt();
    void shouldReportOpenFailure();
    void shouldReportCountFailure();
    void shouldCountTheTotalOnlyWhenItMayHaveChanged();
    void shouldKeepOldRowsUntilTheNewQueryCounts();
    void shouldNotRetryAFailedPageUntilRefresh();
    void shouldFormatRuntimeAndDates();
    void shouldDestroyTheStoreOnTheWorkerThread();
    void shouldRefreshWhileTheStoreLoadsThenSettle();
    void shouldMapColumnsAndHeaders();
    void shouldSayTheCountIsOnItsWayOnlyWhenTheRowsChange();

    // Requests: one reply type, from the model's worker.
    void shouldAnswerARequestWithTheValueOrTheError();
    void shouldDropTheReplyOfACancelledRequestAndInterruptIt();
    void shouldNotDeliverToAReceiverThatIsGone();
    void shouldHoldAWholeStoreRequestWhileTheStoreLoads();
    void shouldDecodeOffTheGuiThreadAndDropStaleReplies();
};

void TestTaskResultModel::initTestCase()
{
    QLocale::setDefault(QLocale::c());
}

void TestTaskResultModel::shouldShowEveryRowInDefaultOrder()
{
    STALK_REQUIRE_FIXTURES();
    const QJsonObject expected = expectations();
    QTemporaryDir dir;
    const QString path = copyFixture(dir, QStringLiteral("django.sqlite3"));
    TaskResultModel model;
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    QSignalSpy opened(&model, &TaskResultModel::opened);
    QSignalSpy counts(&model, &TaskResultModel::countChanged);
    QSignalSpy busy(&model, &TaskResultModel::busyChanged);
    model.setStoreFactory(sqliteFactory(path));
    QVERIFY(opened.wait(10000));
    QVERIFY(model.isOpen());
    QCOMPARE(model.storeInfo().layout, StoreInfo::Layout::DjangoCeleryResults);
    const int total = expected.value(QStringLiteral("counts")).toObject().value(QStringLiteral("total")).toInt();
    QTRY_COMPARE(model.rowCount(), total);
    QTRY_COMPARE(counts.count(), 1); // a short first page may come first
    QCOMPARE(counts.first().at(0).toLongLong(), total);
    QCOMPARE(counts.first().at(1).toLongLong(), total);
    QTRY_VERIFY(allLoaded(model));
    QCOMPARE(column(model, TaskResultModel::TaskIdRole), stringList(expected.value(QStringLiteral("order_default"))));
    // The same through the display role of the Task ID column and TaskResultRole.
    QCOMPARE(model.data(model.index(0, TaskResultModel::TaskIdColumn)).toString(),
             model.data(model.index(0, 0), TaskResultModel::TaskIdRole).toString());
    const TaskResult first = model.data(model.index(0, 0), TaskResultModel::TaskResultRole).value<TaskResult>();
    QCOMPARE(first.taskId, model.data(model.index(0, 0), TaskResultModel::TaskIdRole).toString());
    QCOMPARE(model.data(model.index(0, 0), TaskResultModel::RowIdRole).toLongLong(), first.rowId);
    QCOMPARE(model.rowOfRowId(first.rowId), 0);
    QVERIFY(model.cachedRow(0));
    QCOMPARE(model.cachedRow(0)->taskId, first.taskId);
    QCOMPARE(model.data(model.index(0, TaskResultModel::DateDoneColumn), TaskResultModel::RawValueRole).toDateTime(),
             first.dateDone);
    QTRY_VERIFY(!busy.isEmpty() && !busy.last().first().toBool());
    QVERIFY(busy.first().first().toBool());
}

void TestTaskResultModel::shouldFilterByStatus_data()
{
    QTest::addColumn<QString>("status");
    QTest::addColumn<int>("count");
    if (!haveFixtures()) {
        QTest::newRow("no-fixtures") << QString() << 0;
        return;
    }
    const QJsonObject statuses =
        expectations().value(QStringLiteral("counts")).toObject().value(QStringLiteral("status")).toObject();
    for (auto it = statuses.begin(); it != statuses.end(); ++it)
        QTest::newRow(qPrintable(it.key())) << it.key() << it.value().toInt();
}

void TestTaskResultModel::shouldFilterByStatus()
{
    STALK_REQUIRE_FIXTURES();
    QFETCH(QString, status);
    QFETCH(int, count);
    QTemporaryDir dir;
    const QString path = copyFixture(dir, QStringLiteral("django.sqlite3"));
    TaskResultModel model;
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    const int total = expectations().value(QStringLiteral("counts")).toObject().value(QStringLiteral("total")).toInt();
    model.setStoreFactory(sqliteFactory(path));
    QTRY_COMPARE(model.rowCount(), total);

    QSignalSpy counts(&model, &TaskResultModel::countChanged);
    QSignalSpy resets(&model, &TaskResultModel::modelReset);
    TaskQuery query;
    query.statuses = QStringList{status};
    model.setQuery(query);
    QCOMPARE(model.query(), query);
    QVERIFY(counts.wait(10000));
    QCOMPARE(model.rowCount(), count);
    QCOMPARE(counts.last().at(0).toLongLong(), count);
    QCOMPARE(counts.last().at(1).toLongLong(), total);
    QCOMPARE(resets.count(), 1);
    QTRY_VERIFY(allLoaded(model));
    const QStringList statuses = column(model, Qt::DisplayRole, TaskResultModel::StatusColumn);
    QCOMPARE(statuses.count(status), count);
}

void TestTaskResultModel::shouldSearchWithStalkSemantics_data()
{
    QTest::addColumn<QString>("term");
    QTest::addColumn<QStringList>("taskIds");
    if (!haveFixtures()) {
        QTest::newRow("no-fixtures") << QString() << QStringList();
        return;
    }
    const QJsonArray searches = expectations().value(QStringLiteral("search")).toArray();
    for (const QJsonValue &v : searches) {
        const QJsonObject search = v.toObject();
        const QString term = search.value(QStringLiteral("term")).toString();
        QTest::newRow(qPrintable(term.isEmpty() ? QStringLiteral("(empty)") : term))
            << term << sorted(stringList(search.value(QStringLiteral("decoded_task_ids"))));
    }
}

void TestTaskResultModel::shouldSearchWithStalkSemantics()
{
    STALK_REQUIRE_FIXTURES();
    QFETCH(QString, term);
    QFETCH(QStringList, taskIds);
    QTemporaryDir dir;
    const QString path = copyFixture(dir, QStringLiteral("django.sqlite3"));
    TaskResultModel model;
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    QSignalSpy opened(&model, &TaskResultModel::opened);
    TaskQuery query;
    query.search = term;
    model.setQuery(query); // before open: used once the store is open
    QSignalSpy counts(&model, &TaskResultModel::countChanged);
    model.setStoreFactory(sqliteFactory(path));
    QVERIFY(opened.wait(10000));
    QTRY_COMPARE(counts.count(), 1);
    QCOMPARE(model.rowCount(), taskIds.size());
    QTRY_VERIFY(allLoaded(model));
    QCOMPARE(sorted(column(model, TaskResultModel::TaskIdRole)), taskIds);
}

void TestTaskResultModel::shouldShowOnlyTheLastOfTwoQuickQueries()
{
    STALK_REQUIRE_FIXTURES();
    const QJsonObject statuses =
        expectations().value(QStringLiteral("counts")).toObject().value(QStringLiteral("status")).toObject();
    QTemporaryDir dir;
    const QString path = copyFixture(dir, QStringLiteral("django.sqlite3"));
    TaskResultModel model;
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    model.setStoreFactory(sqliteFactory(path));
    QSignalSpy counts(&model, &TaskResultModel::countChanged);
    QTRY_COMPARE(counts.count(), 1);
    counts.clear();

    TaskQuery failures;
    failures.statuses = QStringList{QStringLiteral("FAILURE")};
    TaskQuery successes;
    successes.statuses = QStringList{QStringLiteral("SUCCESS")};
    model.setQuery(failures);
    model.setQuery(successes);
    const int expected = statuses.value(QStringLiteral("SUCCESS")).toInt();
    QVERIFY(expected != statuses.value(QStringLiteral("FAILURE")).toInt());
    QTRY_COMPARE(model.rowCount(), expected);
    QTRY_VERIFY(allLoaded(model));
    for (const QList<QVariant> &args : std::as_const(counts))
        QCOMPARE(args.at(0).toLongLong(), expected);
    QCOMPARE(column(model, Qt::DisplayRole, TaskResultModel::StatusColumn).count(QStringLiteral("SUCCESS")), expected);
}

void TestTaskResultModel::shouldEmitFacetsForTheQuery()
{
    STALK_REQUIRE_FIXTURES();
    const QJsonObject counts = expectations().value(QStringLiteral("counts")).toObject();
    QTemporaryDir dir;
    const QString path = copyFixture(dir, QStringLiteral("django.sqlite3"));
    TaskResultModel model;
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    QSignalSpy facetsSpy(&model, &TaskResultModel::facetsChanged);
    model.setStoreFactory(sqliteFactory(path));
    QVERIFY(facetsSpy.wait(10000));
    const Facets facets = facetsSpy.last().first().value<Facets>();
    QCOMPARE(facetMap(facets.statuses), countMap(counts.value(QStringLiteral("status"))));
    QCOMPARE(facetMap(facets.taskNames), countMap(counts.value(QStringLiteral("task_name"))));
    QCOMPARE(facetMap(facets.workers), countMap(counts.value(QStringLiteral("worker"))));
    QCOMPARE(facetMap(facets.periodicTaskNames), countMap(counts.value(QStringLiteral("periodic_task_name"))));

    // A status filter narrows the other facets but not its own.
    TaskQuery query;
    query.statuses = QStringList{QStringLiteral("FAILURE")};
    model.setQuery(query);
    QVERIFY(facetsSpy.wait(10000));
    const Facets narrowed = facetsSpy.last().first().value<Facets>();
    QCOMPARE(facetMap(narrowed.statuses), countMap(counts.value(QStringLiteral("status"))));
    qint64 failures = 0;
    for (const FacetValue &v : narrowed.workers)
        failures += v.count;
    QCOMPARE(failures, counts.value(QStringLiteral("status")).toObject().value(QStringLiteral("FAILURE")).toInteger());
}

void TestTaskResultModel::shouldFetchDetail()
{
    STALK_REQUIRE_FIXTURES();
    QTemporaryDir dir;
    const QString path = copyFixture(dir, QStringLiteral("django.sqlite3"));
    TaskResultModel model;
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    model.setStoreFactory(sqliteFactory(path));
    QTRY_VERIFY(model.rowCount() > 0);
    QTRY_VERIFY(model.data(model.index(0, 0), TaskResultModel::LoadedRole).toBool());
    const TaskResult summary = model.data(model.index(0, 0), TaskResultModel::TaskResultRole).value<TaskResult>();
    QVERIFY(!summary.complete);

    QSignalSpy ready(&model, &TaskResultModel::detailReady);
    QSignalSpy failedSpy(&model, &TaskResultModel::detailFailed);
    model.requestDetail(summary.rowId);
    QVERIFY(ready.wait(10000));
    const TaskResult detail = ready.first().first().value<TaskResult>();
    QVERIFY(detail.complete);
    QCOMPARE(detail.rowId, summary.rowId);
    QCOMPARE(detail.taskId, summary.taskId);
    QCOMPARE(detail.status, summary.status);

    model.requestDetail(987654321);
    QVERIFY(failedSpy.wait(10000));
    QCOMPARE(failedSpy.first().at(0).toLongLong(), 987654321);
    QCOMPARE(failedSpy.first().at(1).value<StoreError>().code, StoreError::Code::NotFound);
}

void TestTaskResultModel::shouldGrowWithoutResetOnRefresh()
{
    STALK_REQUIRE_FIXTURES();
    QTemporaryDir dir;
    const QString path = copyFixture(dir, QStringLiteral("django.sqlite3"));
    TaskResultModel model;
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    model.setStoreFactory(sqliteFactory(path));
    QSignalSpy counts(&model, &TaskResultModel::countChanged);
    QVERIFY(counts.wait(10000));
    const int before = model.rowCount();
    QTRY_VERIFY(allLoaded(model));
    const QStringList idsBefore = column(model, TaskResultModel::TaskIdRole);

    // Nothing changed: no row moves, nothing is reset.
    QSignalSpy resets(&model, &TaskResultModel::modelReset);
    QSignalSpy inserted(&model, &TaskResultModel::rowsInserted);
    QSignalSpy removed(&model, &TaskResultModel::rowsRemoved);
    QSignalSpy changed(&model, &TaskResultModel::dataChanged);
    model.refresh();
    QVERIFY(counts.wait(10000));
    QTRY_VERIFY(!changed.isEmpty());
    QCOMPARE(model.rowCount(), before);
    QCOMPARE(resets.count(), 0);
    QCOMPARE(inserted.count(), 0);
    QCOMPARE(column(model, TaskResultModel::TaskIdRole), idsBefore);

    // Another process writes a newer result.
    {
        External db(path);
        QCOMPARE(db.exec(QStringLiteral("INSERT INTO %1 (task_id, %2) SELECT 'external-1', %3 FROM %1 LIMIT 1")
                             .arg(taskTable, copyColumns,
                                  QString(copyColumns).replace(QStringLiteral("date_done"),
                                                               QStringLiteral("'2025-06-01 00:00:00'")))),
                 QString());
    }
    changed.clear();
    model.refresh();
    QTRY_COMPARE(model.rowCount(), before + 1);
    QCOMPARE(resets.count(), 0);
    QCOMPARE(removed.count(), 0);
    QCOMPARE(inserted.count(), 1);
    QCOMPARE(inserted.first().at(1).toInt(), before);
    QCOMPARE(inserted.first().at(2).toInt(), before);
    // Newest first: the rows below shift by one once the page is read again.
    QTRY_COMPARE(model.data(model.index(0, 0), TaskResultModel::TaskIdRole).toString(), QStringLiteral("external-1"));
    QVERIFY(!changed.isEmpty());
    QTRY_VERIFY(allLoaded(model));
    QCOMPARE(column(model, TaskResultModel::TaskIdRole).mid(1), idsBefore);
}

void TestTaskResultModel::shouldShrinkWithoutResetOnRefresh()
{
    STALK_REQUIRE_FIXTURES();
    const QStringList order = stringList(expectations().value(QStringLiteral("order_default")));
    QTemporaryDir dir;
    const QString path = copyFixture(dir, QStringLiteral("django.sqlite3"));
    TaskResultModel model;
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    model.setStoreFactory(sqliteFactory(path));
    QTRY_COMPARE(model.rowCount(), order.size());
    QTRY_VERIFY(allLoaded(model));
    {
        External db(path);
        QCOMPARE(db.exec(QStringLiteral("DELETE FROM %1 WHERE task_id IN ('%2', '%3')").arg(taskTable, order[1], order[2])),
                 QString());
    }
    QSignalSpy resets(&model, &TaskResultModel::modelReset);
    QSignalSpy removed(&model, &TaskResultModel::rowsRemoved);
    model.refresh();
    QTRY_COMPARE(model.rowCount(), order.size() - 2);
    QCOMPARE(resets.count(), 0);
    QCOMPARE(removed.count(), 1);
    QCOMPARE(removed.first().at(1).toInt(), order.size() - 2);
    QCOMPARE(removed.first().at(2).toInt(), order.size() - 1);
    QStringList expected = order;
    expected.removeAt(2);
    expected.removeAt(1);
    QTRY_COMPARE(column(model, TaskResultModel::TaskIdRole), expected);
}

void TestTaskResultModel::shouldSortByColumn()
{
    STALK_REQUIRE_FIXTURES();
    const QStringList order = stringList(expectations().value(QStringLiteral("order_default")));
    QTemporaryDir dir;
    const QString path = copyFixture(dir, QStringLiteral("django.sqlite3"));
    TaskResultModel model;
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    model.setStoreFactory(sqliteFactory(path));
    QTRY_COMPARE(model.rowCount(), order.size());

    model.sort(TaskResultModel::TaskIdColumn, Qt::AscendingOrder);
    QCOMPARE(model.query().sortField, Field::TaskId);
    QCOMPARE(model.query().sortOrder, Qt::AscendingOrder);
    QTRY_VERIFY(allLoaded(model));
    QTRY_COMPARE(column(model, TaskResultModel::TaskIdRole), sorted(order));

    model.sort(TaskResultModel::DateDoneColumn, Qt::AscendingOrder);
    QCOMPARE(model.query().sortField, Field::DateDone);
    QTRY_VERIFY(allLoaded(model));
    // Ascending date_done (ties by row id): check the dates themselves.
    QDateTime previous;
    for (int row = 0; row < model.rowCount(); ++row) {
        const QDateTime done = model.data(model.index(row, TaskResultModel::DateDoneColumn),
                                          TaskResultModel::RawValueRole).toDateTime();
        QVERIFY(done.isValid());
        QVERIFY2(!previous.isValid() || previous <= done, qPrintable(QString::number(row)));
        previous = done;
    }
    QCOMPARE(sorted(column(model, TaskResultModel::TaskIdRole)), sorted(order));

    // Runtime is computed: nothing to push down, the query stays.
    const TaskQuery before = model.query();
    model.sort(TaskResultModel::RuntimeColumn, Qt::DescendingOrder);
    QCOMPARE(model.query(), before);
}

void TestTaskResultModel::shouldFailOnNonCeleryDatabase()
{
    QTemporaryDir dir;
    const QString path = dir.filePath(QStringLiteral("other.sqlite3"));
    {
        External db(path);
        QCOMPARE(db.exec(QStringLiteral("CREATE TABLE invoices (id INTEGER PRIMARY KEY, amount REAL)")), QString());
    }
    TaskResultModel model;
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    QSignalSpy failedSpy(&model, &TaskResultModel::failed);
    QSignalSpy opened(&model, &TaskResultModel::opened);
    model.setStoreFactory(sqliteFactory(path));
    QVERIFY(failedSpy.wait(10000));
    QCOMPARE(failedSpy.first().first().value<StoreError>().code, StoreError::Code::NotCelery);
    QVERIFY(!failedSpy.first().first().value<StoreError>().message.isEmpty());
    QCOMPARE(opened.count(), 0);
    QVERIFY(!model.isOpen());
    QCOMPARE(model.rowCount(), 0);
}

void TestTaskResultModel::shouldReportColumnAvailabilityFromSchema()
{
    STALK_REQUIRE_FIXTURES();
    QTemporaryDir dir;
    {
        const QString path = copyFixture(dir, QStringLiteral("django.sqlite3"));
        TaskResultModel model;
        QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
        QSignalSpy opened(&model, &TaskResultModel::opened);
        model.setStoreFactory(sqliteFactory(path));
        QVERIFY(opened.wait(10000));
        QVERIFY(model.isColumnAvailable(TaskResultModel::TaskNameColumn));
        QVERIFY(model.isColumnAvailable(TaskResultModel::PeriodicTaskColumn));
        QVERIFY(model.isColumnAvailable(TaskResultModel::WorkerColumn));
        QVERIFY(!model.isColumnAvailable(TaskResultModel::DateStartedColumn)); // 2.4: no date_started
        QVERIFY(model.isColumnAvailable(TaskResultModel::RuntimeColumn));     // from date_created
        QVERIFY(!model.isColumnAvailable(TaskResultModel::ColumnCount));
        QTRY_VERIFY(model.rowCount() > 0 && allLoaded(model));
        // Runtime shows for tasks that finished (SUCCESS, FAILURE) wherever date_created and
        // date_done are both there and in order; a STARTED, RETRY or REVOKED row has none.
        int withRuntime = 0;
        int unfinished = 0;
        for (int row = 0; row < model.rowCount(); ++row) {
            const QVariant ms = model.data(model.index(row, TaskResultModel::RuntimeColumn), TaskResultModel::RawValueRole);
            const TaskResult r = model.data(model.index(row, 0), TaskResultModel::TaskResultRole).value<TaskResult>();
            const bool finished = r.status == QLatin1String("SUCCESS") || r.status == QLatin1String("FAILURE");
            unfinished += finished ? 0 : 1;
            const bool known = finished && r.dateCreated.isValid() && r.dateCreated <= r.dateDone;
            QCOMPARE(ms.isValid(), known);
            if (known) {
                ++withRuntime;
                QCOMPARE(ms.toLongLong(), r.dateCreated.msecsTo(r.dateDone));
                QVERIFY(!model.data(model.index(row, TaskResultModel::RuntimeColumn)).toString().isEmpty());
            } else {
                QVERIFY(model.data(model.index(row, TaskResultModel::RuntimeColumn)).toString().isEmpty());
            }
        }
        QVERIFY(withRuntime > 0);
        QVERIFY(unfinished > 0);
    }
    {
        const QString path = copyFixture(dir, QStringLiteral("v26.sqlite3"));
        TaskResultModel model;
        QSignalSpy opened(&model, &TaskResultModel::opened);
        model.setStoreFactory(sqliteFactory(path));
        QVERIFY(opened.wait(10000));
        QVERIFY(model.isColumnAvailable(TaskResultModel::DateStartedColumn));
    }
    {
        const QString path = copyFixture(dir, QStringLiteral("legacy_v1.sqlite3"));
        TaskResultModel model;
        QSignalSpy opened(&model, &TaskResultModel::opened);
        model.setStoreFactory(sqliteFactory(path));
        QVERIFY(opened.wait(10000));
        QVERIFY(!model.isColumnAvailable(TaskResultModel::WorkerColumn));
        QVERIFY(!model.isColumnAvailable(TaskResultModel::DateCreatedColumn));
        QVERIFY(model.headerData(TaskResultModel::WorkerColumn, Qt::Horizontal, Qt::ToolTipRole).isValid());
    }
}

void TestTaskResultModel::shouldBoundThePageCache()
{
    STALK_REQUIRE_FIXTURES();
    QTemporaryDir dir;
    const QString path = copyFixture(dir, QStringLiteral("django.sqlite3"));
    {
        // 50 fixture rows x 420 copies with new ids and task_ids: 21,050 rows, 106 pages, well
        // past the cache bound. (50k rows work as well, but QAbstractItemModelTester's full
        // walk on every change makes the test take half a minute.)
        External db(path);
        QCOMPARE(db.exec(QStringLiteral("INSERT INTO %1 (task_id, %2) "
                                        "SELECT printf('gen-%d-%s', n, task_id), %2 FROM %1, "
                                        "(WITH RECURSIVE c(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM c WHERE n < 420) "
                                        "SELECT n FROM c)")
                             .arg(taskTable, copyColumns)),
                 QString());
    }
    const int total = 50 * 421;
    TaskResultModel model;
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    QSignalSpy counts(&model, &TaskResultModel::countChanged);
    model.setStoreFactory(sqliteFactory(path));
    QVERIFY(counts.wait(20000));
    QCOMPARE(model.rowCount(), total);
    QCOMPARE(counts.first().at(0).toLongLong(), total);

    const int pages = TaskResultModel::maxCachedPages + 36;
    QSignalSpy changed(&model, &TaskResultModel::dataChanged);
    for (int page = 0; page < pages; ++page) {
        const QModelIndex index = model.index(page * TaskResultModel::pageSize + 7, TaskResultModel::TaskIdColumn);
        while (!model.data(index, TaskResultModel::LoadedRole).toBool())
            QVERIFY(changed.wait(10000));
        const QString taskId = model.data(index).toString();
        QVERIFY(!taskId.isEmpty() && taskId != QStringLiteral("…"));
        QCOMPARE(model.data(index, TaskResultModel::TaskIdRole).toString(), taskId);
    }
    int cachedRows = 0;
    for (int row = 0; row < model.rowCount(); ++row)
        cachedRows += model.cachedRow(row) ? 1 : 0;
    QVERIFY2(cachedRows <= TaskResultModel::maxCachedPages * TaskResultModel::pageSize, qPrintable(QString::number(cachedRows)));
    QVERIFY(cachedRows >= TaskResultModel::pageSize);
    // Least recently used first: the early pages went (page 0 stays: the model tester keeps
    // reading row 0), the last one stays.
    const int early = TaskResultModel::pageSize + 3;
    QVERIFY(!model.cachedRow(early));
    QVERIFY(model.cachedRow((pages - 1) * TaskResultModel::pageSize));
    // An evicted row comes back on demand.
    QVERIFY(!model.data(model.index(early, 0), TaskResultModel::LoadedRole).toBool());
    QTRY_VERIFY(model.data(model.index(early, 0), TaskResultModel::LoadedRole).toBool());
}

void TestTaskResultModel::shouldShowOtherLayouts_data()
{
    QTest::addColumn<QString>("fixture");
    QTest::addColumn<QString>("table");
    QTest::addColumn<bool>("hasTaskName");
    QTest::newRow("plain") << QStringLiteral("plain.sqlite3") << taskTable << false;
    QTest::newRow("taskmeta") << QStringLiteral("taskmeta.sqlite3") << QStringLiteral("celery_taskmeta") << true;
    QTest::newRow("taskmeta_plain") << QStringLiteral("taskmeta_plain.sqlite3") << QStringLiteral("celery_taskmeta") << false;
    QTest::newRow("legacy_v1") << QStringLiteral("legacy_v1.sqlite3") << taskTable << true;
    QTest::newRow("legacy_191") << QStringLiteral("legacy_191.sqlite3") << taskTable << true;
    QTest::newRow("v26") << QStringLiteral("v26.sqlite3") << taskTable << true;
}

void TestTaskResultModel::shouldShowOtherLayouts()
{
    STALK_REQUIRE_FIXTURES();
    QFETCH(QString, fixture);
    QFETCH(QString, table);
    QFETCH(bool, hasTaskName);
    QTemporaryDir dir;
    const QString path = copyFixture(dir, fixture);
    QVERIFY(!path.isEmpty());
    qint64 rows = -1;
    {
        const External db(path);
        QVERIFY(db.isOpen());
        QSqlQuery query = db.query(QStringLiteral("SELECT COUNT(*) FROM %1").arg(table));
        QVERIFY(query.next());
        rows = query.value(0).toLongLong();
    }
    QVERIFY(rows > 0);

    TaskResultModel model;
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    QSignalSpy failedSpy(&model, &TaskResultModel::failed);
    model.setStoreFactory(sqliteFactory(path));
    QTRY_COMPARE(model.rowCount(), int(rows));
    QTRY_VERIFY(allLoaded(model));
    QCOMPARE(failedSpy.count(), 0);
    QCOMPARE(model.storeInfo().tableName.contains(table), true);
    QStringList ids = column(model, TaskResultModel::TaskIdRole);
    ids.removeDuplicates();
    QCOMPARE(ids.size(), int(rows));
    // Every cell renders (NULL dates, NULL names, pickled results included).
    int withTaskName = 0;
    for (int row = 0; row < model.rowCount(); ++row) {
        for (int c = 0; c < TaskResultModel::ColumnCount; ++c) {
            const QModelIndex index = model.index(row, c);
            QVERIFY(model.data(index).toString() != QStringLiteral("…"));
            model.data(index, Qt::ToolTipRole);
            model.data(index, TaskResultModel::RawValueRole);
        }
        withTaskName += model.data(model.index(row, TaskResultModel::TaskNameColumn)).toString().isEmpty() ? 0 : 1;
    }
    QCOMPARE(withTaskName > 0, hasTaskName);
}

void TestTaskResultModel::shouldShowPlaceholdersUntilThePageArrives()
{
    auto control = std::make_shared<FakeControl>();
    control->blockPages = true;
    // Page 0 comes (the count follows it on the worker); every later page sticks in the store.
    control->blockFromOffset = TaskResultModel::pageSize;
    control->ignoreInterrupt = true;
    TaskResultModel model;
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    QSignalSpy counts(&model, &TaskResultModel::countChanged);
    model.setStoreFactory(fakeFactory(control));
    QVERIFY(counts.wait(10000));
    QCOMPARE(model.rowCount(), control->rows);
    const QModelIndex row = model.index(TaskResultModel::pageSize + 3, 1);
    const QModelIndex last = model.index(model.rowCount() - 1, TaskResultModel::TaskIdColumn);
    QSignalSpy changed(&model, &TaskResultModel::dataChanged);
    for (int i = 0; i < 5; ++i) {
        QCOMPARE(model.data(row).toString(), QStringLiteral("…"));
        QCOMPARE(model.data(row, TaskResultModel::LoadedRole).toBool(), false);
        QVERIFY(!model.data(row, TaskResultModel::TaskResultRole).isValid());
        QCOMPARE(model.data(last, TaskResultModel::LoadedRole).toBool(), false);
    }
    // The view asked for page 1; it is stuck in the store (page 2 waits behind it).
    QTRY_COMPARE(control->blockedNow(), 1);
    control->release();
    QTRY_VERIFY(model.data(row, TaskResultModel::LoadedRole).toBool());
    QTRY_VERIFY(model.data(last, TaskResultModel::LoadedRole).toBool());
    QCOMPARE(model.data(last).toString(), QStringLiteral("task-00001"));
    QVERIFY(changed.count() >= 2);
    const int lastPage = (model.rowCount() - 1) / TaskResultModel::pageSize;
    bool sawLastPage = false;
    for (const QList<QVariant> &args : std::as_const(changed)) {
        const QModelIndex from = args.at(0).value<QModelIndex>();
        const QModelIndex to = args.at(1).value<QModelIndex>();
        if (from.row() == lastPage * TaskResultModel::pageSize) {
            sawLastPage = true;
            QCOMPARE(to.row(), model.rowCount() - 1);
            QCOMPARE(to.column(), TaskResultModel::ColumnCount - 1);
        }
    }
    QVERIFY(sawLastPage);
    // Each page was read once, however often the view asked.
    QCOMPARE(control->pageCalls(0), 1);
    QCOMPARE(control->pageCalls(qint64(lastPage) * TaskResultModel::pageSize), 1);
}

void TestTaskResultModel::shouldShowFirstPageBeforeTheCount_data()
{
    QTest::addColumn<int>("rows");
    QTest::addColumn<qint64>("estimate");
    QTest::addColumn<int>("provisional");
    QTest::newRow("no estimate") << 450 << qint64(-1) << TaskResultModel::pageSize;
    QTest::newRow("estimate above") << 450 << qint64(600) << 600;
    QTest::newRow("estimate below page") << 450 << qint64(10) << TaskResultModel::pageSize;
    QTest::newRow("page not full") << 50 << qint64(-1) << 50;
}

void TestTaskResultModel::shouldShowFirstPageBeforeTheCount()
{
    QFETCH(int, rows);
    QFETCH(qint64, estimate);
    QFETCH(int, provisional);
    auto control = std::make_shared<FakeControl>();
    control->rows = rows;
    control->estimate = estimate;
    control->blockCounts = true; // a slow exact count (a search's full scan)
    control->ignoreInterrupt = true;
    TaskResultModel model;
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    QSignalSpy counts(&model, &TaskResultModel::countChanged);
    QSignalSpy states(&model, &TaskResultModel::countStateChanged);
    model.setStoreFactory(fakeFactory(control));
    // The first rows are on screen while the count is still stuck in the store.
    QTRY_VERIFY(model.rowCount() > 0 && model.data(model.index(0, 0), TaskResultModel::LoadedRole).toBool());
    QTRY_COMPARE(control->blockedNow(), 1);
    QCOMPARE(counts.count(), 0);
    QCOMPARE(statesWhere(states, [](const CountState &c) { return c.estimated; }), estimate >= 0 ? 1 : 0);
    QCOMPARE(model.countState().kind(), estimate >= 0 ? CountState::Kind::Estimated : CountState::Kind::Unknown);
    if (estimate >= 0)
        QCOMPARE(model.countState().matching, estimate);
    QCOMPARE(model.rowCount(), provisional);
    QVERIFY(!model.isCountExact());
    QCOMPARE(model.data(model.index(0, TaskResultModel::TaskIdColumn)).toString(),
             QStringLiteral("task-%1").arg(rows, 5, 10, QLatin1Char('0')));

    // The exact count corrects the row count in place: no reset, the selection survives.
    const QPersistentModelIndex selected(model.index(5, TaskResultModel::TaskIdColumn));
    const QString selectedId = selected.data().toString();
    QSignalSpy resets(&model, &QAbstractItemModel::modelAboutToBeReset);
    control->release();
    QVERIFY(counts.wait(10000));
    QCOMPARE(counts.count(), 1);
    QCOMPARE(counts.at(0).at(0).toLongLong(), qint64(rows));
    QCOMPARE(model.rowCount(), rows);
    QVERIFY(model.isCountExact());
    QCOMPARE(model.countState().kind(), CountState::Kind::Exact);
    QCOMPARE(model.countState().matching, qint64(rows));
    QCOMPARE(resets.count(), 0);
    QVERIFY(selected.isValid());
    QCOMPARE(selected.row(), 5);
    QCOMPARE(selected.data().toString(), selectedId);
    // Every row is readable up to the exact end.
    const QModelIndex last = model.index(model.rowCount() - 1, TaskResultModel::TaskIdColumn);
    model.data(last);
    QTRY_COMPARE(model.data(last).toString(), QStringLiteral("task-00001"));
}

void TestTaskResultModel::shouldShowQuickMatchesThenInsertTheRestAroundThem()
{
    TaskResultModel model;
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    // The search's page 0 is held in the store: the quick matches show meanwhile. Rows 480,
    // 470 and 305 are at positions 20, 30 and 195 of the answer: all on page 0.
    QSignalSpy states(&model, &TaskResultModel::countStateChanged);
    const auto control = quickMatchStore({480, 470, 305});
    searchWithPagesHeld(model, control, QStringLiteral("task-004"));
    if (QTest::currentTestFailed())
        return;
    QSignalSpy counts(&model, &TaskResultModel::countChanged);
    QCOMPARE(statesWhere(states, [](const CountState &c) { return c.quickMatches >= 0; }), 1);
    QCOMPARE(model.countState().kind(), CountState::Kind::QuickMatches);
    QCOMPARE(model.countState().quickMatches, 3);
    QCOMPARE(model.rowCount(), 3);
    QCOMPARE(model.data(model.index(0, TaskResultModel::TaskIdColumn)).toString(), QStringLiteral("task-00480"));
    QCOMPARE(model.data(model.index(2, TaskResultModel::TaskIdColumn)).toString(), QStringLiteral("task-00305"));
    QVERIFY(model.data(model.index(1, 0), TaskResultModel::LoadedRole).toBool());
    QVERIFY(!model.isCountExact());

    // Page 0 arrives: the other rows are inserted around the quick ones, which keep their
    // identity (a selection on one survives, no reset).
    const QPersistentModelIndex selected(model.index(1, TaskResultModel::TaskIdColumn));
    QSignalSpy resets(&model, &QAbstractItemModel::modelAboutToBeReset);
    control->release();
    QTRY_VERIFY(!model.isShowingQuickMatches());
    QCOMPARE(model.countState().quickMatches, -1);
    QTRY_COMPARE(counts.count(), 1);
    QCOMPARE(model.countState().kind(), CountState::Kind::Exact);
    QCOMPARE(resets.count(), 0);
    QVERIFY(selected.isValid());
    QCOMPARE(selected.row(), 30);
    QCOMPARE(selected.data().toString(), QStringLiteral("task-00470"));
    QCOMPARE(model.rowCount(), 500);
    QVERIFY(model.isCountExact());
    for (int row : {0, 19, 20, 21, 194, 195, 199}) {
        QCOMPARE(model.data(model.index(row, TaskResultModel::TaskIdColumn)).toString(),
                 QStringLiteral("task-%1").arg(500 - row, 5, 10, QLatin1Char('0')));
    }
    const QModelIndex last = model.index(499, TaskResultModel::TaskIdColumn);
    model.data(last);
    QTRY_COMPARE(model.data(last).toString(), QStringLiteral("task-00001"));
}

void TestTaskResultModel::shouldResetWhenQuickMatchesAreNotOnTheFirstPage()
{
    TaskResultModel model;
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    // Row 10 is at position 490: not on page 0.
    const auto control = quickMatchStore({480, 10});
    searchWithPagesHeld(model, control, QStringLiteral("task-0"));
    if (QTest::currentTestFailed())
        return;
    QSignalSpy counts(&model, &TaskResultModel::countChanged);
    QCOMPARE(model.rowCount(), 2);
    QSignalSpy resets(&model, &QAbstractItemModel::modelAboutToBeReset);
    control->release();
    QTRY_VERIFY(!model.isShowingQuickMatches());
    QCOMPARE(resets.count(), 1);
    QTRY_COMPARE(counts.count(), 1);
    QCOMPARE(model.rowCount(), 500);
    QCOMPARE(model.data(model.index(0, TaskResultModel::TaskIdColumn)).toString(), QStringLiteral("task-00500"));
}

void TestTaskResultModel::shouldKeepFirstRowsWhenTheCountFails()
{
    auto control = std::make_shared<FakeControl>();
    control->estimate = 5000;
    control->countError = StoreError(StoreError::Code::QueryFailed, QStringLiteral("count failed"));
    TaskResultModel model;
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    QSignalSpy failed(&model, &TaskResultModel::failed);
    model.setStoreFactory(fakeFactory(control));
    QVERIFY(failed.wait(10000));
    // The rows read stay; the estimated rest goes.
    QCOMPARE(model.rowCount(), TaskResultModel::pageSize);
    QVERIFY(model.isCountExact());
    QVERIFY(model.data(model.index(0, 0), TaskResultModel::LoadedRole).toBool());
    QVERIFY(model.data(model.index(TaskResultModel::pageSize - 1, 0), TaskResultModel::LoadedRole).toBool());
}

void TestTaskResultModel::shouldServePagesBeforeFacets()
{
    auto control = std::make_shared<FakeControl>();
    control->rows = 1000;
    control->blockFacets = true; // slow facets (a search's scans)
    TaskResultModel model;
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    QSignalSpy counts(&model, &TaskResultModel::countChanged);
    QSignalSpy facets(&model, &TaskResultModel::facetsChanged);
    QSignalSpy failedSpy(&model, &TaskResultModel::failed);
    model.setStoreFactory(fakeFactory(control));
    QVERIFY(counts.wait(10000));
    QTRY_COMPARE(control->blockedNow(), 1); // facets running
    // A jump to the last row interrupts the facets; the page comes first.
    const QModelIndex last = model.index(model.rowCount() - 1, TaskResultModel::TaskIdColumn);
    model.data(last);
    QTRY_VERIFY(model.data(last, TaskResultModel::LoadedRole).toBool());
    QCOMPARE(model.data(last).toString(), QStringLiteral("task-00001"));
    QCOMPARE(facets.count(), 0);
    // Then the facets run again, and answer once released.
    QTRY_COMPARE(control->blockedNow(), 1);
    {
        QMutexLocker locker(&control->mutex);
        QVERIFY(control->facetsCalls >= 2);
    }
    control->release();
    QTRY_COMPARE(facets.count(), 1);
    QCOMPARE(failedSpy.count(), 0);
    QTRY_VERIFY(!model.data(model.index(0, 0), TaskResultModel::LoadedRole).isNull());
}

void TestTaskResultModel::shouldShowARefreshsFacetsThoughANewerRefreshCame()
{
    // A store loading a million rows refreshes faster than it counts facets (an index's
    // facet count cannot be cut short): each refresh's facets still describe the query shown.
    auto control = std::make_shared<FakeControl>();
    control->rows = 450;
    TaskResultModel model;
    QSignalSpy facets(&model, &TaskResultModel::facetsChanged);
    model.setStoreFactory(fakeFactory(control));
    QTRY_COMPARE(facets.count(), 1);
    {
        QMutexLocker locker(&control->mutex);
        control->blockFacets = true;
        control->ignoreInterrupt = true;
    }
    model.refresh();
    QTRY_COMPARE(control->blockedNow(), 1);
    model.refresh(); // the counting refresh is stale now
    control->release();
    QTRY_COMPARE(facets.count(), 3); // the stale refresh's, then the newer one's
    QTest::qWait(100);
    QCOMPARE(facets.count(), 3);

    // A refresh of an earlier query is not shown for the new one.
    {
        QMutexLocker locker(&control->mutex);
        control->released = false;
    }
    model.refresh();
    QTRY_COMPARE(control->blockedNow(), 1);
    TaskQuery failures;
    failures.statuses = {QStringLiteral("FAILURE")};
    model.setQuery(failures);
    control->release();
    QTRY_COMPARE(facets.count(), 4);
    QTest::qWait(100);
    QCOMPARE(facets.count(), 4);
    QCOMPARE(facets.last().first().value<Facets>().statuses, (QVector<FacetValue>{{QStringLiteral("FAILURE"), 150}}));
    QVERIFY(!model.areFacetsPending());
}

void TestTaskResultModel::shouldSayFacetsArePendingUntilTheNewQuerysArrive()
{
    auto control = std::make_shared<FakeControl>();
    control->rows = 450;
    TaskResultModel model;
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    QSignalSpy counts(&model, &TaskResultModel::countChanged);
    QSignalSpy facets(&model, &TaskResultModel::facetsChanged);
    QSignalSpy pending(&model, &TaskResultModel::facetsPendingChanged);
    model.setStoreFactory(fakeFactory(control));
    QTRY_COMPARE(facets.count(), 1);
    QVERIFY(!model.areFacetsPending()); // a store just opened has no earlier facets to stand for
    QCOMPARE(pending.count(), 0);

    // A new query: pending at once, still pending once its count is in, until its facets come.
    {
        QMutexLocker locker(&control->mutex);
        control->blockFacets = true;
    }
    TaskQuery failures;
    failures.statuses = {QStringLiteral("FAILURE")};
    model.setQuery(failures);
    QVERIFY(model.areFacetsPending());
    QTRY_COMPARE(counts.count(), 2);
    QTRY_COMPARE(control->blockedNow(), 1);
    QVERIFY(model.areFacetsPending());
    // Another sort order matches the same rows: nothing new to count.
    TaskQuery sorted = failures;
    sorted.sortOrder = Qt::AscendingOrder;
    model.setQuery(sorted);
    QCOMPARE(pending.count(), 1);
    control->release();
    QTRY_COMPARE(facets.count(), 2);
    QVERIFY(!model.areFacetsPending());
    QCOMPARE(facets.last().first().value<Facets>().statuses,
             (QVector<FacetValue>{{QStringLiteral("FAILURE"), 150}}));

    // Closing the store while facets are on their way leaves nothing pending.
    {
        QMutexLocker locker(&control->mutex);
        control->released = false;
    }
    model.setQuery(TaskQuery());
    QVERIFY(model.areFacetsPending());
    QTRY_COMPARE(control->blockedNow(), 1);
    model.close();
    QVERIFY(!model.areFacetsPending());
    QCOMPARE(facets.count(), 2);
    control->release();
}

void TestTaskResultModel::shouldServeADetailBeforeFacets()
{
    auto control = std::make_shared<FakeControl>();
    control->rows = 1000;
    control->blockFacets = true; // slow facets (seconds on 10M rows)
    TaskResultModel model;
    QSignalSpy counts(&model, &TaskResultModel::countChanged);
    QSignalSpy facets(&model, &TaskResultModel::facetsChanged);
    QSignalSpy details(&model, &TaskResultModel::detailReady);
    model.setStoreFactory(fakeFactory(control));
    QVERIFY(counts.wait(10000));
    QTRY_COMPARE(control->blockedNow(), 1); // facets running
    // A clicked row's detail interrupts them and is answered first.
    model.requestDetail(500);
    QTRY_COMPARE(details.count(), 1);
    QCOMPARE(details.at(0).at(0).value<TaskResult>().rowId, qint64(500));
    QCOMPARE(facets.count(), 0);
    // The facets run again afterwards, and answer once released.
    QTRY_COMPARE(control->blockedNow(), 1);
    control->release();
    QTRY_COMPARE(facets.count(), 1);
}

void TestTaskResultModel::shouldDropAnswersOfAnInterruptedQuery()
{
    auto control = std::make_shared<FakeControl>();
    TaskResultModel model;
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    QSignalSpy counts(&model, &TaskResultModel::countChanged);
    QSignalSpy failedSpy(&model, &TaskResultModel::failed);
    model.setStoreFactory(fakeFactory(control));
    QVERIFY(counts.wait(10000));
    counts.clear();

    TaskQuery slow;
    slow.search = QStringLiteral("slow");
    model.setQuery(slow);
    QTRY_COMPARE(control->blockedNow(), 1);
    TaskQuery failures;
    failures.statuses = QStringList{QStringLiteral("FAILURE")};
    model.setQuery(failures); // interrupts the slow count
    QTRY_COMPARE(model.rowCount(), control->rows / 3);
    QTRY_VERIFY(allLoaded(model));
    QTRY_COMPARE(counts.count(), 1); // the rows may come first
    QCOMPARE(counts.first().at(0).toLongLong(), control->rows / 3);
    QVERIFY(control->interrupts >= 1);
    QCOMPARE(failedSpy.count(), 0); // the cancelled call is not an error
    QCOMPARE(column(model, Qt::DisplayRole, TaskResultModel::StatusColumn).count(QStringLiteral("FAILURE")),
             control->rows / 3);
}

void TestTaskResultModel::shouldDropAnswersOfAQueryThatIgnoredInterrupt()
{
    auto control = std::make_shared<FakeControl>();
    control->ignoreInterrupt = true;
    TaskResultModel model;
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    QSignalSpy counts(&model, &TaskResultModel::countChanged);
    QSignalSpy busy(&model, &TaskResultModel::busyChanged);
    model.setStoreFactory(fakeFactory(control));
    QVERIFY(counts.wait(10000));
    QTRY_VERIFY(!busy.isEmpty() && !busy.last().first().toBool());
    counts.clear();

    TaskQuery slow;
    slow.search = QStringLiteral("slow");
    model.setQuery(slow);
    QTRY_COMPARE(control->blockedNow(), 1);
    QVERIFY(busy.last().first().toBool());
    TaskQuery failures;
    failures.statuses = QStringList{QStringLiteral("FAILURE")};
    model.setQuery(failures);
    // Several more queries queue up behind the stuck call; only the last one is worked on.
    TaskQuery successes;
    successes.statuses = QStringList{QStringLiteral("SUCCESS")};
    model.setQuery(successes);
    model.setQuery(failures);
    const int callsBefore = control->countCallsNow();
    control->release(); // the slow count now answers, late: its answer must not show
    QTRY_COMPARE(counts.count(), 1);
    QCOMPARE(counts.first().at(0).toLongLong(), control->rows / 3);
    QCOMPARE(model.rowCount(), control->rows / 3);
    QTRY_VERIFY(allLoaded(model));
    QTRY_VERIFY(!busy.last().first().toBool());
    QCOMPARE(counts.count(), 1);
    // The two superseded queries were skipped without touching the store (one count for
    // the matching rows and one for the total per query that ran).
    QVERIFY2(control->countCallsNow() - callsBefore <= 2, qPrintable(QString::number(control->countCallsNow() - callsBefore)));
}

void TestTaskResultModel::shouldReportOpenFailure()
{
    auto control = std::make_shared<FakeControl>();
    control->openError = StoreError(StoreError::Code::Locked, QStringLiteral("database is locked: fake"));
    TaskResultModel model;
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    QSignalSpy failedSpy(&model, &TaskResultModel::failed);
    QSignalSpy busy(&model, &TaskResultModel::busyChanged);
    model.setStoreFactory(fakeFactory(control));
    QVERIFY(failedSpy.wait(10000));
    QCOMPARE(failedSpy.first().first().value<StoreError>().code, StoreError::Code::Locked);
    QVERIFY(!model.isOpen());
    QCOMPARE(model.rowCount(), 0);
    QCOMPARE(busy.count(), 2);
    QVERIFY(!busy.last().first().toBool());
    QSignalSpy detailFailed(&model, &TaskResultModel::detailFailed);
    model.requestDetail(1);
    QCOMPARE(detailFailed.count(), 1);

    // A factory that makes nothing fails too.
    model.setStoreFactory([] { return std::unique_ptr<ResultStore>(); });
    QVERIFY(failedSpy.wait(10000));
    QVERIFY(!model.isOpen());
}

void TestTaskResultModel::shouldReportCountFailure()
{
    auto control = std::make_shared<FakeControl>();
    TaskResultModel model;
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    QSignalSpy counts(&model, &TaskResultModel::countChanged);
    QSignalSpy failedSpy(&model, &TaskResultModel::failed);
    model.setStoreFactory(fakeFactory(control));
    QVERIFY(counts.wait(10000));
    QCOMPARE(model.rowCount(), control->rows);
    {
        QMutexLocker locker(&control->mutex);
        control->countError = StoreError(StoreError::Code::QueryFailed, QStringLiteral("no such column: foo"));
    }
    TaskQuery query;
    query.statuses = QStringList{QStringLiteral("FAILURE")};
    model.setQuery(query);
    QVERIFY(failedSpy.wait(10000));
    QCOMPARE(failedSpy.first().first().value<StoreError>().code, StoreError::Code::QueryFailed);
    // The old query's rows are not passed off as the new query's: what stays is the new
    // query's first page, read before its count failed.
    QCOMPARE(model.rowCount(), control->rows / 3);
    for (int row = 0; row < model.rowCount(); ++row)
        QCOMPARE(model.data(model.index(row, TaskResultModel::StatusColumn)).toString(), QStringLiteral("FAILURE"));
}

void TestTaskResultModel::shouldCountTheTotalOnlyWhenItMayHaveChanged()
{
    auto control = std::make_shared<FakeControl>();
    TaskResultModel model;
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    QSignalSpy counts(&model, &TaskResultModel::countChanged);
    model.setStoreFactory(fakeFactory(control));
    QVERIFY(counts.wait(10000));
    QCOMPARE(control->countCallsNow(), 1); // unfiltered: the matching count is the total

    TaskQuery failures;
    failures.statuses = QStringList{QStringLiteral("FAILURE")};
    model.setQuery(failures);
    QVERIFY(counts.wait(10000));
    QCOMPARE(counts.last().at(0).toLongLong(), control->rows / 3);
    QCOMPARE(counts.last().at(1).toLongLong(), control->rows);
    QCOMPARE(control->countCallsNow(), 2); // the total was reused

    // Rows came in: a refresh counts both again.
    {
        QMutexLocker locker(&control->mutex);
        control->rows += 30;
    }
    model.refresh();
    QVERIFY(counts.wait(10000));
    QCOMPARE(control->countCallsNow(), 4);
    QCOMPARE(counts.last().at(0).toLongLong(), control->rows / 3);
    QCOMPARE(counts.last().at(1).toLongLong(), control->rows);
    QCOMPARE(model.rowCount(), control->rows / 3);
}

void TestTaskResultModel::shouldKeepOldRowsUntilTheNewQueryCounts()
{
    auto control = std::make_shared<FakeControl>();
    control->ignoreInterrupt = true;
    TaskResultModel model;
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    QSignalSpy counts(&model, &TaskResultModel::countChanged);
    model.setStoreFactory(fakeFactory(control));
    QVERIFY(counts.wait(10000));
    QTRY_VERIFY(model.data(model.index(0, 0), TaskResultModel::LoadedRole).toBool());
    const QString firstId = model.data(model.index(0, 0), TaskResultModel::TaskIdRole).toString();

    // The same query again is no work at all.
    const int calls = control->countCallsNow();
    model.setQuery(model.query());
    QCoreApplication::processEvents();
    QCOMPARE(control->countCallsNow(), calls);

    QSignalSpy resets(&model, &TaskResultModel::modelReset);
    TaskQuery slow;
    slow.search = QStringLiteral("slow");
    control->setBlockPages(true);
    model.setQuery(slow);
    QTRY_COMPARE(control->blockedNow(), 1);
    // While the new query reads its first page (its count waits behind it), the old rows
    // stay as they were...
    QCOMPARE(model.rowCount(), control->rows);
    QCOMPARE(model.data(model.index(0, 0), TaskResultModel::TaskIdRole).toString(), firstId);
    // ...also across a refresh asked meanwhile.
    model.refresh();
    QCOMPARE(resets.count(), 0);
    control->release();
    QVERIFY(counts.wait(10000));
    QCOMPARE(resets.count(), 1);
    QCOMPARE(model.query(), slow);
    QTRY_VERIFY(allLoaded(model));
    QCOMPARE(resets.count(), 1);
}

void TestTaskResultModel::shouldNotRetryAFailedPageUntilRefresh()
{
    auto control = std::make_shared<FakeControl>();
    control->pageError = StoreError(StoreError::Code::Corrupt, QStringLiteral("database disk image is malformed"));
    TaskResultModel model;
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    QSignalSpy failedSpy(&model, &TaskResultModel::failed);
    QSignalSpy counts(&model, &TaskResultModel::countChanged);
    model.setStoreFactory(fakeFactory(control));
    QVERIFY(counts.wait(10000));
    QTRY_COMPARE(failedSpy.count(), 1);
    QCOMPARE(failedSpy.first().first().value<StoreError>().code, StoreError::Code::Corrupt);
    for (int i = 0; i < 10; ++i)
        QCOMPARE(model.data(model.index(0, 0), TaskResultModel::LoadedRole).toBool(), false);
    QCoreApplication::processEvents();
    QCOMPARE(control->pageCalls(0), 1);

    {
        QMutexLocker locker(&control->mutex);
        control->pageError = StoreError();
    }
    model.refresh();
    QTRY_VERIFY(model.data(model.index(0, 0), TaskResultModel::LoadedRole).toBool());
    QCOMPARE(model.rowCount(), control->rows);
}

void TestTaskResultModel::shouldFormatRuntimeAndDates()
{
    auto control = std::make_shared<FakeControl>();
    TaskResultModel model;
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    model.setStoreFactory(fakeFactory(control));
    QTRY_COMPARE(model.rowCount(), control->rows);
    QTRY_VERIFY(model.data(model.index(1, 0), TaskResultModel::LoadedRole).toBool());
    // Row 0 is id 450 (even: 125 s), row 1 is id 449 (odd: 1.23 s).
    QCOMPARE(model.data(model.index(0, TaskResultModel::RuntimeColumn)).toString(), QStringLiteral("2 min 5 s"));
    QCOMPARE(model.data(model.index(0, TaskResultModel::RuntimeColumn), TaskResultModel::RawValueRole).toLongLong(), 125000);
    QCOMPARE(model.data(model.index(1, TaskResultModel::RuntimeColumn)).toString(), QStringLiteral("1.23 s"));
    QCOMPARE(model.data(model.index(1, TaskResultModel::RuntimeColumn), TaskResultModel::RawValueRole).toLongLong(), 1230);
    QVERIFY(!model.data(model.index(1, TaskResultModel::DateStartedColumn)).toString().size());

    const TaskResult row = model.data(model.index(1, 0), TaskResultModel::TaskResultRole).value<TaskResult>();
    QCOMPARE(model.data(model.index(1, TaskResultModel::DateCreatedColumn), TaskResultModel::RawValueRole).toDateTime(),
             row.dateCreated);
    QSignalSpy headers(&model, &TaskResultModel::headerDataChanged);
    QSignalSpy changed(&model, &TaskResultModel::dataChanged);
    model.setShowUtc(true);
    QVERIFY(model.showUtc());
    QCOMPARE(headers.count(), 1);
    QCOMPARE(changed.count(), 1);
    QVERIFY(model.headerData(TaskResultModel::DateDoneColumn, Qt::Horizontal).toString().endsWith(QStringLiteral("(UTC)")));
    QVERIFY(!model.headerData(TaskResultModel::StatusColumn, Qt::Horizontal).toString().contains(QStringLiteral("UTC")));
    // 2025-01-01 + 449 min = 07:29:00, done 1.23 s later: seconds are shown.
    const QString done = model.data(model.index(1, TaskResultModel::DateDoneColumn)).toString();
    QVERIFY2(done.contains(QStringLiteral("07:29:01")), qPrintable(done));
    QVERIFY2(done.contains(QStringLiteral("2025")) || done.contains(QStringLiteral("25")), qPrintable(done));
    model.setShowUtc(false);
    QVERIFY(!model.headerData(TaskResultModel::DateDoneColumn, Qt::Horizontal).toString().contains(QStringLiteral("UTC")));

    // Previews are the decoder's one-liners; tooltips say more.
    QCOMPARE(model.data(model.index(1, TaskResultModel::ResultColumn)).toString(),
             ValueDecoder::decodeResult(row.result, row.contentType, row.contentEncoding).summary);
    QCOMPARE(model.data(model.index(1, TaskResultModel::ArgsColumn)).toString(),
             ValueDecoder::decodeArguments(row.args).summary);
    QVERIFY(model.data(model.index(1, TaskResultModel::ResultColumn), Qt::ToolTipRole).toString().size()
            >= model.data(model.index(1, TaskResultModel::ResultColumn)).toString().size());
    QCOMPARE(model.data(model.index(1, TaskResultModel::ArgsColumn), TaskResultModel::RawValueRole).toString(), row.args);
}

void TestTaskResultModel::shouldRefreshWhileTheStoreLoadsThenSettle()
{
    auto control = std::make_shared<FakeControl>();
    control->setLoading(true, 100);
    TaskResultModel model;
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    QSignalSpy loading(&model, &TaskResultModel::loadingChanged);
    QSignalSpy resets(&model, &QAbstractItemModel::modelReset);
    model.setStoreFactory(fakeFactory(control));

    // The first rows show while the store still loads.
    QTRY_COMPARE(model.rowCount(), 100);
    QTRY_VERIFY(model.isLoading());
    QVERIFY(control->incrementalAsked);
    QCOMPARE(loading.last().at(0).toBool(), true);
    const int resetsAfterOpen = resets.count();

    // More rows are indexed: the model refreshes by itself, keeping rows in place.
    control->setLoading(true, 300);
    QTRY_COMPARE(model.rowCount(), 300);
    QTRY_COMPARE(model.loadedCount(), 300);
    QVERIFY(model.isLoading());

    // Loading ends: one more refresh brings the complete count and ends the cycle.
    control->setLoading(false, 450);
    QTRY_COMPARE(model.rowCount(), 450);
    QTRY_VERIFY(!model.isLoading());
    QCOMPARE(model.loadedCount(), 450);
    QCOMPARE(loading.last().at(0).toBool(), false);
    QCOMPARE(loading.last().at(1).toLongLong(), 450);
    QCOMPARE(resets.count(), resetsAfterOpen);
}

void TestTaskResultModel::shouldDestroyTheStoreOnTheWorkerThread()
{
    auto control = std::make_shared<FakeControl>();
    {
        TaskResultModel model;
        QSignalSpy opened(&model, &TaskResultModel::opened);
        model.setStoreFactory(fakeFactory(control));
        QVERIFY(opened.wait(10000));
        QVERIFY(control->creatorThread != QThread::currentThreadId());
        // Destroyed with a page request stuck in the store: interrupt frees it.
        control->setBlockPages(true);
        model.refresh();
        QTRY_COMPARE(control->blockedNow(), 1);
    }
    QVERIFY(control->destroyedOnWorkerThread);

    auto second = std::make_shared<FakeControl>();
    TaskResultModel model;
    QSignalSpy opened(&model, &TaskResultModel::opened);
    model.setStoreFactory(fakeFactory(second));
    QVERIFY(opened.wait(10000));
    QSignalSpy resets(&model, &TaskResultModel::modelReset);
    QTRY_COMPARE(model.rowCount(), second->rows);
    model.close();
    QVERIFY(!model.isOpen());
    QCOMPARE(model.rowCount(), 0);
    QTRY_VERIFY(second->destroyedOnWorkerThread);
}

void TestTaskResultModel::shouldMapColumnsAndHeaders()
{
    TaskResultModel model;
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    QCOMPARE(model.columnCount(), int(TaskResultModel::ColumnCount));
    QCOMPARE(model.rowCount(), 0);
    QCOMPARE(TaskResultModel::columnField(TaskResultModel::StatusColumn), Field::Status);
    QCOMPARE(TaskResultModel::columnField(TaskResultModel::PeriodicTaskColumn), Field::PeriodicTaskName);
    QCOMPARE(TaskResultModel::columnField(TaskResultModel::DateStartedColumn), Field::DateStarted);
    QCOMPARE(TaskResultModel::columnField(TaskResultModel::RuntimeColumn), Field::FieldCount);
    QCOMPARE(TaskResultModel::columnField(TaskResultModel::ResultColumn), Field::Result);
    const QStringList labels{QStringLiteral("Status"),       QStringLiteral("Task name"),    QStringLiteral("Task ID"),
                             QStringLiteral("Worker"),       QStringLiteral("Periodic task"), QStringLiteral("Date done"),
                             QStringLiteral("Date created"), QStringLiteral("Date started"), QStringLiteral("Runtime"),
                             QStringLiteral("Args"),         QStringLiteral("Result")};
    for (int c = 0; c < TaskResultModel::ColumnCount; ++c)
        QCOMPARE(model.headerData(c, Qt::Horizontal).toString(), labels.at(c));
    // Nothing open: nothing to fetch, and no crash.
    TaskQuery query;
    query.search = QStringLiteral("x");
    model.setQuery(query);
    model.refresh();
    QCOMPARE(model.rowCount(), 0);
    QCOMPARE(model.query(), query);
}

void TestTaskResultModel::shouldSayTheCountIsOnItsWayOnlyWhenTheRowsChange()
{
    auto control = std::make_shared<FakeControl>();
    TaskResultModel model;
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    QVERIFY(openOnFake(model, control));
    QSignalSpy counts(&model, &TaskResultModel::countChanged);
    CountState expected;
    expected.matching = 450;
    expected.total = 450;
    QCOMPARE(model.countState().kind(), CountState::Kind::Exact);
    QVERIFY(model.countState() == expected);

    // Another filter: the figure shown is the previous query's until the new count comes.
    const auto holdCounts = [&control] {
        QMutexLocker locker(&control->mutex);
        control->blockCounts = true;
        control->released = false;
    };
    holdCounts();
    QSignalSpy states(&model, &TaskResultModel::countStateChanged);
    TaskQuery failures;
    failures.statuses = {QStringLiteral("FAILURE")};
    model.setQuery(failures);
    QCOMPARE(states.count(), 1);
    QCOMPARE(model.countState().kind(), CountState::Kind::Counting);
    expected.counting = true;
    QVERIFY(model.countState() == expected);
    QTRY_COMPARE(control->blockedNow(), 1);
    control->release();
    QVERIFY(counts.wait(10000));
    expected.counting = false;
    expected.matching = 150;
    QVERIFY(model.countState() == expected);

    // Another order of the same rows: the count shown stays right, nothing is "counting".
    holdCounts();
    states.clear();
    model.sort(TaskResultModel::TaskIdColumn, Qt::AscendingOrder);
    QCOMPARE(states.count(), 0);
    QVERIFY(model.countState() == expected);
    control->release();
    QVERIFY(counts.wait(10000));

    // Closing forgets it.
    model.close();
    QCOMPARE(model.countState().kind(), CountState::Kind::Unknown);
    QVERIFY(model.countState() == CountState());
}

void TestTaskResultModel::shouldAnswerARequestWithTheValueOrTheError()
{
    auto control = std::make_shared<FakeControl>();
    control->rows = 30;
    TaskResultModel model;
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    QVERIFY(openOnFake(model, control));
    QObject receiver;
    std::optional<Reply<qint64>> answer;
    const auto count = [](ResultStore &store) { return store.count(TaskQuery()); };
    const auto keep = [&answer](const Reply<qint64> &reply) { answer = reply; };

    // The value, from the model's store.
    RequestId id = model.request<qint64>(&receiver, count, keep);
    QVERIFY(id != 0);
    QVERIFY(!answer); // never from inside request()
    QTRY_VERIFY(answer.has_value());
    QVERIFY(answer->ok());
    QCOMPARE(answer->requestId(), id);
    QCOMPARE(**answer, qint64(30));

    // The store's error: its code to branch on and its sentence to show.
    {
        QMutexLocker locker(&control->mutex);
        control->countError = StoreError(StoreError::Code::Locked, QStringLiteral("database is locked: fake"));
    }
    answer.reset();
    id = model.request<qint64>(&receiver, count, keep);
    QTRY_VERIFY(answer.has_value());
    QVERIFY(!answer->ok());
    QCOMPARE(answer->requestId(), id);
    QCOMPARE(answer->error().code, StoreError::Code::Locked);
    QCOMPARE(answer->error().message, QStringLiteral("database is locked: fake"));

    // The typed requests answer the same way.
    std::optional<Reply<PurgePreview>> preview;
    PurgeCriteria criteria;
    criteria.cutoff = QDateTime::currentDateTimeUtc();
    model.previewPurge(criteria, &receiver, [&preview](const Reply<PurgePreview> &reply) { preview = reply; });
    QTRY_VERIFY(preview.has_value());
    QVERIFY(preview->ok());
    QCOMPARE((*preview)->total, qint64(30)); // every fake row is expired

    // A closed store: an error, never a call on some other store.
    model.close();
    answer.reset();
    model.request<qint64>(&receiver, count, keep);
    QTRY_VERIFY(answer.has_value());
    QCOMPARE(answer->error().code, StoreError::Code::QueryFailed);
    QCOMPARE(answer->error().message, QStringLiteral("No database is open"));
}

void TestTaskResultModel::shouldDropTheReplyOfACancelledRequestAndInterruptIt()
{
    auto control = std::make_shared<FakeControl>();
    TaskResultModel model;
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    QSignalSpy facets(&model, &TaskResultModel::facetsChanged);
    QVERIFY(openOnFake(model, control));
    QTRY_COMPARE(facets.count(), 1); // the model's own calls are done
    {
        QMutexLocker locker(&control->mutex);
        control->blockFacets = true;
    }
    QObject receiver;
    int stale = 0;
    const RequestId first = model.requestFacets(TaskQuery(), &receiver, [&stale](const Reply<Facets> &) { ++stale; });
    QTRY_COMPARE(control->blockedNow(), 1);
    const int interruptsBefore = control->interrupts;
    model.cancelRequest(first); // the inputs changed: interrupt the call, drop its reply
    QTRY_COMPARE(control->blockedNow(), 0);
    QCOMPARE(control->interrupts, interruptsBefore + 1);

    {
        QMutexLocker locker(&control->mutex);
        control->blockFacets = false;
    }
    std::optional<Reply<Facets>> latest;
    const RequestId second
        = model.requestFacets(TaskQuery(), &receiver, [&latest](const Reply<Facets> &reply) { latest = reply; });
    QTRY_VERIFY(latest.has_value());
    QVERIFY(latest->ok());
    QCOMPARE(latest->requestId(), second);
    QCoreApplication::processEvents();
    QCOMPARE(stale, 0);
}

void TestTaskResultModel::shouldNotDeliverToAReceiverThatIsGone()
{
    auto control = std::make_shared<FakeControl>();
    TaskResultModel model;
    QVERIFY(openOnFake(model, control));
    int delivered = 0;
    auto *gone = new QObject;
    model.request<qint64>(gone, [](ResultStore &store) { return store.count(TaskQuery()); },
                          [&delivered](const Reply<qint64> &) { ++delivered; });
    delete gone; // a dialog closed before its preview came
    QObject receiver;
    std::optional<Reply<qint64>> after;
    model.request<qint64>(&receiver, [](ResultStore &store) { return store.count(TaskQuery()); },
                          [&after](const Reply<qint64> &reply) { after = reply; });
    QTRY_VERIFY(after.has_value()); // replies come in order: the first one was dropped by now
    QCOMPARE(delivered, 0);
}

void TestTaskResultModel::shouldHoldAWholeStoreRequestWhileTheStoreLoads()
{
    // A purge preview needs the whole index: while a CouchDB store is still reading it, the
    // preview waits behind the model's own calls instead of blocking them.
    auto control = std::make_shared<FakeControl>();
    control->setLoading(true, 100);
    TaskResultModel model;
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    QVERIFY(openOnFake(model, control));
    QVERIFY(model.isLoading());
    QObject receiver;
    std::optional<Reply<PurgePreview>> preview;
    PurgeCriteria criteria;
    criteria.cutoff = QDateTime::currentDateTimeUtc();
    model.previewPurge(criteria, &receiver, [&preview](const Reply<PurgePreview> &reply) { preview = reply; });
    const int counted = control->countCallsNow();
    QTRY_VERIFY(control->countCallsNow() > counted + 1); // the loading refreshes go on
    QVERIFY(!preview.has_value());
    control->setLoading(false, 450);
    QTRY_VERIFY(preview.has_value());
    QVERIFY(preview->ok());
    QTRY_VERIFY(!model.isLoading());
}

void TestTaskResultModel::shouldDecodeOffTheGuiThreadAndDropStaleReplies()
{
    TaskResultModel model; // decoding needs no store
    QObject receiver;
    // A large value: a result of 100,000 JSON objects.
    QString result = QStringLiteral("[");
    for (int i = 0; i < 100'000; ++i)
        result += QStringLiteral("%1{\"i\": %2, \"name\": \"item-%2\"}").arg(i ? QStringLiteral(", ") : QString()).arg(i);
    result += QLatin1Char(']');

    QSemaphore gate;
    int staleReplies = 0;
    const RequestId stale = model.decode<QString>(
        &receiver,
        [&gate, result] {
            gate.acquire(); // held until the test has moved on
            return ValueDecoder::decodeResult(result, QStringLiteral("application/json"), QStringLiteral("utf-8")).text;
        },
        [&staleReplies](const Reply<QString> &) { ++staleReplies; });
    // decode() returned while the work waits on the gate: it never ran on this thread.
    model.cancelRequest(stale); // another row was selected

    struct Decoded
    {
        Qt::HANDLE thread = nullptr;
        qsizetype size = 0;
    };
    std::optional<Reply<Decoded>> latest;
    model.decode<Decoded>(
        &receiver,
        [result] {
            const auto decoded = ValueDecoder::decodeResult(result, QStringLiteral("application/json"), QStringLiteral("utf-8"));
            return Decoded{QThread::currentThreadId(), decoded.text.size()};
        },
        [&latest](const Reply<Decoded> &reply) { latest = reply; });
    gate.release();
    QTRY_VERIFY_WITH_TIMEOUT(latest.has_value(), 60'000);
    QVERIFY(latest->ok());
    QVERIFY((*latest)->thread != QThread::currentThreadId());
    QVERIFY((*latest)->size > result.size()); // pretty-printed
    QCoreApplication::processEvents();
    QCOMPARE(staleReplies, 0);
}

QTEST_GUILESS_MAIN(TestTaskResultModel)
#include "tst_taskresultmodel.moc"
