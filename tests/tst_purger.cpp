#include <QDir>
#include <QFile>
#include <QJsonArray>
#include <QJsonObject>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>

#include "fakestore.h"
#include "purger.h"
#include "storeurl.h"
#include "taskresultmodel.h"
#include "testsupport.h"

namespace {

/// A separate connection, as another process would have, to check what is on disk.
class Inspector final
{
public:
    explicit Inspector(const QString &path) : m_db(path) { }

    bool isOpen() const { return m_db.isOpen(); }
    QStringList strings(const QString &sql) const { return m_db.strings(sql); }
    QStringList taskIds() const { return strings(QStringLiteral("SELECT task_id FROM django_celery_results_taskresult")); }
    QStringList groupIds() const { return strings(QStringLiteral("SELECT group_id FROM django_celery_results_groupresult")); }
    QVector<qint64> rowIds() const
    {
        QVector<qint64> ids;
        for (const QString &id : strings(QStringLiteral("SELECT id FROM django_celery_results_taskresult")))
            ids.append(id.toLongLong());
        std::sort(ids.begin(), ids.end());
        return ids;
    }

private:
    TestSupport::SqliteConnection m_db;
};

using TestSupport::copyFixture;
using TestSupport::expectations;
using TestSupport::haveFixtures;
// expectations.json lists are compared with sorted database contents.
QStringList stringList(const QJsonValue &value)
{
    return TestSupport::sortedStringList(value);
}

QStringList minus(QStringList a, const QStringList &b)
{
    for (const QString &s : b)
        a.removeAll(s);
    a.sort();
    return a;
}

/// The criteria for an expectations cutoff ("2025-02-01T14:16:15.000001Z"): QDateTime keeps
/// the milliseconds, cutoffExtraMicroseconds the rest, so the set is exactly upstream's.
PurgeCriteria criteriaOf(const QJsonObject &expired)
{
    const QString text = expired.value(QStringLiteral("cutoff")).toString();
    PurgeCriteria criteria;
    criteria.cutoff = QDateTime::fromString(text, Qt::ISODateWithMs).toUTC();
    const qsizetype dot = text.indexOf(QLatin1Char('.'));
    if (dot >= 0) {
        const QString fraction = text.mid(dot + 1).remove(QLatin1Char('Z'));
        if (fraction.size() > 3)
            criteria.cutoffExtraMicroseconds = fraction.mid(3, 3).leftJustified(3, QLatin1Char('0')).toInt();
    }
    return criteria;
}

/// The expired set that deletes the most while leaving some rows.
QJsonObject biggestPartialExpiry()
{
    const QJsonObject all = expectations();
    const int total = all.value(QStringLiteral("counts")).toObject().value(QStringLiteral("total")).toInt();
    QJsonObject best;
    int bestSize = -1;
    for (const QJsonValue &v : all.value(QStringLiteral("expired")).toArray()) {
        const int size = v.toObject().value(QStringLiteral("task_ids")).toArray().size();
        if (size < total && size > bestSize) {
            best = v.toObject();
            bestSize = size;
        }
    }
    return best;
}

StoreFactory sqliteFactory(const QString &path)
{
    Outcome<StoreFactory> factory = makeStoreFactory(QStringLiteral("sqlite:///") + path);
    return factory ? *factory : StoreFactory();
}

/// Opens the model on the factory's store and waits until it answered (opened or failed).
bool openModel(TaskResultModel &model, const StoreFactory &factory)
{
    QSignalSpy opened(&model, &TaskResultModel::opened);
    QSignalSpy failed(&model, &TaskResultModel::failed);
    model.setStoreFactory(factory);
    for (int i = 0; i < 200 && opened.isEmpty() && failed.isEmpty(); ++i)
        opened.wait(100);
    return !opened.isEmpty();
}

// The in-memory store for faults the real one will not produce on demand.
using TestSupport::FakeStore;

} // namespace

/// The deletion engine: batches, cancel, progress, errors; PurgeJob's requests on a model's
/// worker, and its signals.
class TestPurger final : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void initTestCase();

    // Fault injection (fake store).
    void shouldReportDeletedSoFarWhenABatchFails();
    void shouldReportDeletedSoFarWhenDeleteRowsFails();
    void shouldStopBetweenBatchesWhenCancelled();
    void shouldNotTouchTheStoreWhenCancelledBeforeStart();
    void shouldSplitDeleteRowsIntoBatches();
    void shouldSizeAdaptiveBatchesTowardTheTargetDuration_data();
    void shouldSizeAdaptiveBatchesTowardTheTargetDuration();
    void shouldGrowAdaptiveBatchesOnAFastStore();
    void shouldGrowBatchesEndingJustShortOfTheirSize();

    // Real SqlStore on fixture copies.
    void shouldDeleteExactlyTheExpiredSet_data();
    void shouldDeleteExactlyTheExpiredSet();
    void shouldWorkWithBatchSizeOne();
    void shouldLeaveUndeletedRowsWhenCancelledMidway();
    void shouldDeleteExactlyTheGivenRows();
    void shouldFinishJobOnceWithSummary();
    void shouldFinishJobWithOpenError();
    void shouldCancelJobRightAfterStart();
};

void TestPurger::initTestCase()
{
    qRegisterMetaType<PurgeSummary>();
}

void TestPurger::shouldReportDeletedSoFarWhenABatchFails()
{
    FakeStore store(100);
    store.control().failOnBatch = 3;
    Purger purger(store);
    purger.setBatchSize(10);
    QVector<qint64> progress;
    purger.setProgressCallback([&](qint64 done, qint64) { progress.append(done); });
    PurgeCriteria criteria;
    criteria.cutoff = QDateTime(QDate(2025, 2, 1), QTime(0, 0), Qt::UTC);
    const PurgeSummary summary = purger.purge(criteria, 100);
    QCOMPARE(summary.error.code, StoreError::Code::Locked);
    QCOMPARE(summary.batches, 2);
    QCOMPARE(summary.tasksDeleted, 20);
    QCOMPARE(store.control().remainingRowIds().size(), 80);
    QCOMPARE(summary.expected, 100);
    QVERIFY(!summary.cancelled);
    QCOMPARE(progress, (QVector<qint64>{10, 20}));
    QVERIFY(summary.longestBatchMs <= summary.elapsedMs);
}

void TestPurger::shouldReportDeletedSoFarWhenDeleteRowsFails()
{
    FakeStore store(10);
    store.control().failOnBatch = 3;
    Purger purger(store);
    purger.setBatchSize(2);
    const PurgeSummary summary = purger.deleteRows({1, 2, 3, 4, 5, 6, 7, 8});
    QCOMPARE(summary.error.code, StoreError::Code::Locked);
    QCOMPARE(summary.batches, 2);
    QCOMPARE(summary.tasksDeleted, 4);
    QCOMPARE(store.control().remainingRowIds(), (QVector<qint64>{5, 6, 7, 8, 9, 10}));
}

void TestPurger::shouldStopBetweenBatchesWhenCancelled()
{
    FakeStore store(100);
    Purger purger(store);
    purger.setBatchSize(7);
    QVector<qint64> progress;
    purger.setProgressCallback([&](qint64 done, qint64 expected) {
        QCOMPARE(expected, 100);
        progress.append(done);
        if (progress.size() == 2)
            purger.cancel();
    });
    const PurgeSummary summary = purger.purge(PurgeCriteria(), 100);
    QVERIFY(summary.cancelled);
    QVERIFY(!summary.error.isError());
    QCOMPARE(summary.batches, 2);
    QCOMPARE(summary.tasksDeleted, 14);
    QCOMPARE(store.control().remainingRowIds().size(), 86);
    QCOMPARE(progress, (QVector<qint64>{7, 14}));
}

void TestPurger::shouldNotTouchTheStoreWhenCancelledBeforeStart()
{
    FakeStore store(5);
    Purger purger(store);
    purger.cancel();
    const PurgeSummary summary = purger.purge(PurgeCriteria(), 5);
    QVERIFY(summary.cancelled);
    QCOMPARE(summary.batches, 0);
    QCOMPARE(summary.tasksDeleted, 0);
    QCOMPARE(store.control().batchesSeen, 0);
    QCOMPARE(store.control().remainingRowIds().size(), 5);
}

void TestPurger::shouldSplitDeleteRowsIntoBatches()
{
    FakeStore store(10);
    Purger purger(store);
    purger.setBatchSize(3);
    QVector<qint64> progress;
    purger.setProgressCallback([&](qint64 done, qint64 expected) {
        QCOMPARE(expected, 7);
        progress.append(done);
    });
    // 42 does not exist: handled, not counted as deleted.
    const PurgeSummary summary = purger.deleteRows({2, 4, 6, 8, 10, 42, 1});
    QVERIFY(!summary.error.isError());
    QCOMPARE(summary.batches, 3);
    QCOMPARE(summary.tasksDeleted, 6);
    QCOMPARE(summary.expected, 7);
    QCOMPARE(progress, (QVector<qint64>{3, 6, 7}));
    QCOMPARE(store.control().remainingRowIds(), (QVector<qint64>{3, 5, 7, 9}));
}

void TestPurger::shouldSizeAdaptiveBatchesTowardTheTargetDuration_data()
{
    QTest::addColumn<int>("current");
    QTest::addColumn<qint64>("rows");
    QTest::addColumn<qint64>("elapsedMs");
    QTest::addColumn<int>("expected");
    const int t = Purger::targetBatchMs;
    QTest::newRow("on target: unchanged") << 1000 << qint64(1000) << qint64(t) << 1000;
    QTest::newRow("twice too slow: halved") << 1000 << qint64(1000) << qint64(2 * t) << 500;
    QTest::newRow("ten times too fast: at most doubled") << 1000 << qint64(1000) << qint64(t / 10) << 2000;
    QTest::newRow("0 ms: doubled") << 1000 << qint64(1000) << qint64(0) << 2000;
    QTest::newRow("very slow: the floor") << 1000 << qint64(1000) << qint64(100 * t) << Purger::minAdaptiveBatch;
    QTest::newRow("fast at the ceiling: the ceiling") << Purger::maxAdaptiveBatch << qint64(Purger::maxAdaptiveBatch)
                                                      << qint64(1) << Purger::maxAdaptiveBatch;
}

void TestPurger::shouldSizeAdaptiveBatchesTowardTheTargetDuration()
{
    QFETCH(int, current);
    QFETCH(qint64, rows);
    QFETCH(qint64, elapsedMs);
    QFETCH(int, expected);
    QCOMPARE(Purger::nextBatchSize(current, rows, elapsedMs), expected);
}

void TestPurger::shouldGrowAdaptiveBatchesOnAFastStore()
{
    // The fake answers in well under a millisecond: sizes double from the first batch.
    FakeStore store(20000);
    Purger purger(store);
    QCOMPARE(purger.batchSize(), 0); // adaptive unless set
    QVector<qint64> done;
    purger.setProgressCallback([&](qint64 n, qint64) { done.append(n); });
    const PurgeSummary summary = purger.purge(PurgeCriteria(), 20000);
    QCOMPARE(summary.error.message, QString());
    QCOMPARE(summary.tasksDeleted, qint64(20000));
    QVERIFY(store.control().remainingRowIds().isEmpty());
    QVERIFY(done.size() >= 2);
    QCOMPARE(done.first(), qint64(Purger::firstAdaptiveBatch));
    QVERIFY(done.size() < 20000 / Purger::firstAdaptiveBatch); // it grew
    QCOMPARE(done.last(), qint64(20000));
}

void TestPurger::shouldGrowBatchesEndingJustShortOfTheirSize()
{
    // A server's batch ends before the date of its last row, so it deletes a row or so fewer
    // than asked; the sizes grow all the same (they stayed at the first batch's 500 before).
    auto control = std::make_shared<TestSupport::FakeControl>();
    control->rows = 20000;
    control->purgeShortBy = 1;
    FakeStore store(control);
    Purger purger(store);
    QVector<qint64> done;
    purger.setProgressCallback([&](qint64 n, qint64) { done.append(n); });
    const PurgeSummary summary = purger.purge(PurgeCriteria(), 20000);
    QCOMPARE(summary.error.message, QString());
    QCOMPARE(summary.tasksDeleted, qint64(20000));
    QCOMPARE(done.first(), qint64(Purger::firstAdaptiveBatch - 1));
    QVERIFY2(done.size() < 20000 / Purger::firstAdaptiveBatch, qPrintable(QString::number(done.size())));
}

void TestPurger::shouldDeleteExactlyTheExpiredSet_data()
{
    QTest::addColumn<int>("index");
    QTest::addColumn<int>("batchSize");
    if (!haveFixtures()) {
        QTest::newRow("no-fixtures") << -1 << 3;
        return;
    }
    const QJsonArray expired = expectations().value(QStringLiteral("expired")).toArray();
    for (int i = 0; i < expired.size(); ++i) {
        const QString cutoff = expired[i].toObject().value(QStringLiteral("cutoff")).toString();
        QTest::newRow(qPrintable(cutoff + QStringLiteral(" batches of 3"))) << i << 3;
        QTest::newRow(qPrintable(cutoff + QStringLiteral(" adaptive batches"))) << i << 0;
    }
}

void TestPurger::shouldDeleteExactlyTheExpiredSet()
{
    STALK_REQUIRE_FIXTURES();
    QFETCH(int, index);
    QFETCH(int, batchSize);
    const QJsonObject expired = expectations().value(QStringLiteral("expired")).toArray().at(index).toObject();
    QTemporaryDir dir;
    const QString path = copyFixture(dir, QStringLiteral("django.sqlite3"));
    QVERIFY(!path.isEmpty());

    QStringList tasksBefore;
    QStringList groupsBefore;
    {
        Inspector db(path);
        QVERIFY(db.isOpen());
        tasksBefore = db.taskIds();
        groupsBefore = db.groupIds();
    }
    const QStringList expiredTasks = stringList(expired.value(QStringLiteral("task_ids")));
    const QStringList expiredGroups = stringList(expired.value(QStringLiteral("group_ids")));

    std::unique_ptr<ResultStore> store = sqliteFactory(path)();
    QVERIFY(store);
    QCOMPARE(store->open().message, QString());
    const PurgeCriteria criteria = criteriaOf(expired);
    QVERIFY(criteria.cutoff.isValid());

    Purger purger(*store);
    purger.setBatchSize(batchSize);
    QVector<qint64> progress;
    purger.setProgressCallback([&](qint64 done, qint64 expected) {
        QCOMPARE(expected, qint64(expiredTasks.size()));
        progress.append(done);
    });
    const PurgeSummary summary = purger.purge(criteria, expiredTasks.size());
    QCOMPARE(summary.error.message, QString());
    QVERIFY(!summary.cancelled);
    QCOMPARE(summary.tasksDeleted, qint64(expiredTasks.size()));
    QCOMPARE(summary.groupsDeleted, qint64(expiredGroups.size()));
    if (batchSize > 0)
        QVERIFY(summary.batches >= (expiredTasks.size() + batchSize - 1) / batchSize);
    QVERIFY(std::is_sorted(progress.cbegin(), progress.cend()));
    QCOMPARE(progress.size(), summary.batches);
    if (!progress.isEmpty())
        QCOMPARE(progress.last(), summary.tasksDeleted);
    store.reset();

    Inspector db(path);
    QCOMPARE(db.taskIds(), minus(tasksBefore, expiredTasks));
    QCOMPARE(db.groupIds(), minus(groupsBefore, expiredGroups));
}

void TestPurger::shouldWorkWithBatchSizeOne()
{
    STALK_REQUIRE_FIXTURES();
    const QJsonObject expired = biggestPartialExpiry();
    const QStringList expiredTasks = stringList(expired.value(QStringLiteral("task_ids")));
    QTemporaryDir dir;
    const QString path = copyFixture(dir, QStringLiteral("django.sqlite3"));
    QStringList before;
    {
        Inspector db(path);
        before = db.taskIds();
    }
    std::unique_ptr<ResultStore> store = sqliteFactory(path)();
    QVERIFY(store);
    QCOMPARE(store->open().message, QString());
    PurgeCriteria criteria = criteriaOf(expired);
    criteria.includeGroups = false;
    Purger purger(*store);
    purger.setBatchSize(1);
    qint64 last = 0;
    int calls = 0;
    purger.setProgressCallback([&](qint64 done, qint64) {
        QVERIFY(done >= last);
        QVERIFY(done - last <= 1);
        last = done;
        ++calls;
    });
    const PurgeSummary summary = purger.purge(criteria, expiredTasks.size());
    QCOMPARE(summary.error.message, QString());
    QCOMPARE(summary.tasksDeleted, qint64(expiredTasks.size()));
    QCOMPARE(summary.groupsDeleted, 0);
    QVERIFY(summary.batches >= expiredTasks.size());
    QCOMPARE(calls, summary.batches);
    store.reset();
    Inspector db(path);
    QCOMPARE(db.taskIds(), minus(before, expiredTasks));
}

void TestPurger::shouldLeaveUndeletedRowsWhenCancelledMidway()
{
    STALK_REQUIRE_FIXTURES();
    const QJsonObject expired = biggestPartialExpiry();
    const QStringList expiredTasks = stringList(expired.value(QStringLiteral("task_ids")));
    QVERIFY2(expiredTasks.size() >= 5, "the fixture needs a few expired rows for this test");
    QTemporaryDir dir;
    const QString path = copyFixture(dir, QStringLiteral("django.sqlite3"));
    QStringList before;
    {
        Inspector db(path);
        before = db.taskIds();
    }
    std::unique_ptr<ResultStore> store = sqliteFactory(path)();
    QVERIFY(store);
    QCOMPARE(store->open().message, QString());
    PurgeCriteria criteria = criteriaOf(expired);
    Purger purger(*store);
    purger.setBatchSize(2);
    int calls = 0;
    purger.setProgressCallback([&](qint64, qint64) {
        if (++calls == 2)
            purger.cancel();
    });
    const PurgeSummary summary = purger.purge(criteria, expiredTasks.size());
    QVERIFY(summary.cancelled);
    QVERIFY(!summary.error.isError());
    QCOMPARE(summary.batches, 2);
    QCOMPARE(summary.tasksDeleted, 4);
    store.reset();

    Inspector db(path);
    const QStringList after = db.taskIds();
    const QStringList gone = minus(before, after);
    QCOMPARE(qint64(gone.size()), summary.tasksDeleted);
    // Only expired rows went; every other row is still there.
    for (const QString &id : gone)
        QVERIFY2(expiredTasks.contains(id), qPrintable(id));
    QCOMPARE(minus(before, expiredTasks), minus(after, expiredTasks));
}

void TestPurger::shouldDeleteExactlyTheGivenRows()
{
    STALK_REQUIRE_FIXTURES();
    QTemporaryDir dir;
    const QString path = copyFixture(dir, QStringLiteral("django.sqlite3"));
    QVector<qint64> ids;
    {
        Inspector db(path);
        ids = db.rowIds();
    }
    QVERIFY(ids.size() >= 6);
    const QVector<qint64> doomed{ids[0], ids[2], ids[ids.size() - 1], 999999999};
    std::unique_ptr<ResultStore> store = sqliteFactory(path)();
    QVERIFY(store);
    QCOMPARE(store->open().message, QString());
    Purger purger(*store);
    purger.setBatchSize(2);
    const PurgeSummary summary = purger.deleteRows(doomed);
    QCOMPARE(summary.error.message, QString());
    QCOMPARE(summary.batches, 2);
    QCOMPARE(summary.tasksDeleted, 3);
    QCOMPARE(summary.expected, 4);
    store.reset();

    Inspector db(path);
    QVector<qint64> expected = ids;
    expected.removeAll(ids[0]);
    expected.removeAll(ids[2]);
    expected.removeAll(ids[ids.size() - 1]);
    QCOMPARE(db.rowIds(), expected);
}

void TestPurger::shouldFinishJobOnceWithSummary()
{
    STALK_REQUIRE_FIXTURES();
    const QJsonObject expired = biggestPartialExpiry();
    const QStringList expiredTasks = stringList(expired.value(QStringLiteral("task_ids")));
    QTemporaryDir dir;
    const QString path = copyFixture(dir, QStringLiteral("django.sqlite3"));
    PurgeCriteria criteria = criteriaOf(expired);

    TaskResultModel model;
    QVERIFY(openModel(model, sqliteFactory(path)));
    PurgeJob job(&model);
    QSignalSpy progress(&job, &PurgeJob::progress);
    QSignalSpy finished(&job, &PurgeJob::finished);
    job.startPurge(criteria, expiredTasks.size());
    QVERIFY(job.isRunning());
    QVERIFY(finished.wait(20000));
    QCOMPARE(finished.count(), 1);
    QVERIFY(!job.isRunning());
    const PurgeSummary summary = finished.first().first().value<PurgeSummary>();
    QCOMPARE(summary.error.message, QString());
    QCOMPARE(summary.tasksDeleted, qint64(expiredTasks.size()));
    QCOMPARE(summary.expected, qint64(expiredTasks.size()));
    QVERIFY(progress.count() >= 1);
    QCOMPARE(progress.last().at(0).toLongLong(), summary.tasksDeleted);
    // Nothing more arrives once the loop has drained what the thread posted.
    QCoreApplication::processEvents();
    QCOMPARE(finished.count(), 1);

    // The job can be run again: a delete of two rows.
    QVector<qint64> ids;
    {
        Inspector db(path);
        ids = db.rowIds();
    }
    QVERIFY(ids.size() >= 2);
    job.startDelete({ids[0], ids[1]});
    QVERIFY(finished.wait(20000));
    QCOMPARE(finished.count(), 2);
    QCOMPARE(finished.last().first().value<PurgeSummary>().tasksDeleted, 2);
    Inspector db(path);
    QCOMPARE(db.rowIds().size(), ids.size() - 2);
}

void TestPurger::shouldFinishJobWithOpenError()
{
    QTemporaryDir dir;
    const QString path = dir.filePath(QStringLiteral("not-a-database.sqlite3"));
    {
        QFile file(path);
        QVERIFY(file.open(QIODevice::WriteOnly));
        file.write(QByteArray(4096, 'x'));
    }
    const StoreFactory factory = sqliteFactory(path);
    QVERIFY(factory);
    TaskResultModel model;
    QVERIFY(!openModel(model, factory)); // the model's store could not be opened
    PurgeJob job(&model);
    QSignalSpy finished(&job, &PurgeJob::finished);
    job.startDelete({1, 2, 3});
    QVERIFY(finished.wait(20000));
    QCOMPARE(finished.count(), 1);
    const PurgeSummary summary = finished.first().first().value<PurgeSummary>();
    QVERIFY(summary.error.isError());
    QCOMPARE(summary.tasksDeleted, 0);
    QCOMPARE(summary.batches, 0);
}

void TestPurger::shouldCancelJobRightAfterStart()
{
    STALK_REQUIRE_FIXTURES();
    const QJsonObject expired = biggestPartialExpiry();
    QTemporaryDir dir;
    const QString path = copyFixture(dir, QStringLiteral("django.sqlite3"));
    QStringList before;
    {
        Inspector db(path);
        before = db.taskIds();
    }
    PurgeCriteria criteria = criteriaOf(expired);
    TaskResultModel model;
    QVERIFY(openModel(model, sqliteFactory(path)));
    PurgeJob job(&model);
    QSignalSpy finished(&job, &PurgeJob::finished);
    job.startPurge(criteria, 0);
    job.cancel(); // before the worker has run its first batch
    QVERIFY(finished.wait(20000));
    QCOMPARE(finished.count(), 1);
    const PurgeSummary summary = finished.first().first().value<PurgeSummary>();
    QVERIFY(!summary.error.isError());
    Inspector db(path);
    // Whatever happened, the summary says exactly what is gone.
    QCOMPARE(qint64(minus(before, db.taskIds()).size()), summary.tasksDeleted);
    if (summary.batches == 0)
        QVERIFY(summary.cancelled);
}

QTEST_GUILESS_MAIN(TestPurger)
#include "tst_purger.moc"
