// CouchStore's incremental opening and live feed against a real CouchDB-compatible server
// (pouchdb-server 4.2.0 on loopback, started by tools/couchdb/with_couchdb.sh): a database
// of 5,000 Celery-format documents (written here with _bulk_docs into its own database,
// "stalk_live"), loaded in pages in the background while the first rows are already
// answered, then kept current by the _changes longpoll.
//
// Determinism without sleeps: the store's network manager holds the loader's second
// _all_docs page until the test opens a gate, so "first rows before the index is
// complete" is a fact, not a race.
//
// Environment: STALK_COUCH_URL (http://admin:secret@127.0.0.1:PORT).
#include <QAbstractItemModelTester>
#include <QDateTime>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QJsonValue>
#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QSemaphore>
#include <QSignalSpy>
#include <QTest>

#include <thread>

#include "couchclient.h"
#include "couchhttp.h"
#include "couchstore.h"
#include "taskresultmodel.h"
#include "storeurl.h"
#include "testsupport.h"

namespace {

constexpr int documentCount = 5000;
constexpr int expiredCount = 2500; // date_done in January 2025; the rest in March 2025

/// Holds the n-th _all_docs request (on the store's network thread) until released.
class GatedManager final : public QNetworkAccessManager
{
public:
    GatedManager(std::shared_ptr<QSemaphore> gate, int holdAt) : m_gate(std::move(gate)), m_holdAt(holdAt) { }

protected:
    QNetworkReply *createRequest(Operation op, const QNetworkRequest &request, QIODevice *data) override
    {
        if (request.url().path().endsWith(QLatin1String("/_all_docs")) && ++m_seen == m_holdAt) {
            // The safety time-out only keeps a broken test from hanging forever.
            m_gate->tryAcquire(1, 60000);
        }
        return QNetworkAccessManager::createRequest(op, request, data);
    }

private:
    std::shared_ptr<QSemaphore> m_gate;
    int m_holdAt;
    int m_seen = 0;
};

QString statusOf(int i)
{
    static const char *const statuses[] = {"SUCCESS", "FAILURE", "RETRY", "REVOKED"};
    return QString::fromLatin1(statuses[i % 4]);
}

/// A document exactly as Celery 5.2's CouchBackend writes it (result_extended = True).
QJsonObject celeryDocument(const QString &taskId, const QString &status, const QString &dateDone)
{
    const QJsonObject meta{{QStringLiteral("status"), status},
                           {QStringLiteral("result"), status == QLatin1String("SUCCESS") ? QJsonValue(42) : QJsonValue()},
                           {QStringLiteral("traceback"), QJsonValue()},
                           {QStringLiteral("children"), QJsonArray()},
                           {QStringLiteral("date_done"), dateDone},
                           {QStringLiteral("task_id"), taskId},
                           {QStringLiteral("name"), QStringLiteral("live.add")},
                           {QStringLiteral("args"), QJsonArray{QString::fromUtf8("Zoë"), 3}},
                           {QStringLiteral("kwargs"), QJsonObject{{QStringLiteral("flag"), true}}},
                           {QStringLiteral("worker"), QStringLiteral("w1@live")},
                           {QStringLiteral("retries"), 0},
                           {QStringLiteral("queue"), QStringLiteral("celery")}};
    return {{QStringLiteral("_id"), QStringLiteral("celery-task-meta-") + taskId},
            {QStringLiteral("value"), QString::fromUtf8(QJsonDocument(meta).toJson(QJsonDocument::Compact))}};
}

} // namespace

class TestCouchLive : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void initTestCase();
    void shouldAnswerTheFirstRowsBeforeTheIndexIsComplete();
    void shouldWaitForTheWholeIndexBeforeAPurgeDecides();
    void shouldShowRowsWhileLoadingThenTheExactCountInTheModel();
    void shouldSeeANewResultThroughTheLongpollFeed();
    void shouldStopLoadingWhenClosedMidway();
    void shouldMatchArgumentsInTheirPythonForm_data();
    void shouldMatchArgumentsInTheirPythonForm();

private:
    CouchReply http(const QByteArray &verb, const QString &path, const QByteArray &body = QByteArray());
    CouchConfig config() const;
    std::unique_ptr<CouchStore> gatedStore(const std::shared_ptr<QSemaphore> &gate) const;

    CouchConfig m_base;
    const QString m_db = QStringLiteral("stalk_live");
};

CouchReply TestCouchLive::http(const QByteArray &verb, const QString &path, const QByteArray &body)
{
    return couchRequest(m_base, verb, path, body);
}

CouchConfig TestCouchLive::config() const
{
    CouchConfig c = m_base;
    c.database = m_db;
    c.timeoutMs = 20000;
    c.pageSize = 100; // 50 pages: the index is read in many steps
    return c;
}

std::unique_ptr<CouchStore> TestCouchLive::gatedStore(const std::shared_ptr<QSemaphore> &gate) const
{
    auto store = std::make_unique<CouchStore>(config());
    store->setNetworkAccessManagerFactory([gate] { return new GatedManager(gate, 2); });
    store->setIncrementalOpen(true);
    return store;
}

void TestCouchLive::initTestCase()
{
    STALK_SERVER_URL(url, "STALK_COUCH_URL", "tools/couchdb/with_couchdb.sh");
    const Outcome<CouchConfig> c = CouchConfig::fromUrl(StoreUrl::parse(url).value());
    QVERIFY2(c.ok(), qPrintable(c.error().message));
    m_base = *c;

    http("DELETE", QLatin1Char('/') + m_db);
    const CouchReply created = http("PUT", QLatin1Char('/') + m_db);
    QVERIFY2(created.ok(), qPrintable(created.error.message));
    for (int chunk = 0; chunk < documentCount; chunk += 1000) {
        QJsonArray docs;
        for (int i = chunk; i < chunk + 1000; ++i) {
            const bool expired = i % 2 == 0;
            const QString date = expired ? QStringLiteral("2025-01-%1T10:00:00.000000").arg(1 + i % 28, 2, 10, QLatin1Char('0'))
                                         : QStringLiteral("2025-03-%1T10:00:00.000000").arg(1 + i % 28, 2, 10, QLatin1Char('0'));
            docs.append(celeryDocument(QStringLiteral("live-%1").arg(i, 5, 10, QLatin1Char('0')), statusOf(i), date));
        }
        const CouchReply posted = http("POST", QLatin1Char('/') + m_db + QStringLiteral("/_bulk_docs"),
                                       QJsonDocument(QJsonObject{{QStringLiteral("docs"), docs}}).toJson(QJsonDocument::Compact));
        QVERIFY2(posted.ok(), qPrintable(posted.error.message));
    }
    // One foreign document: never counted, listed in the store's note.
    QVERIFY(http("PUT", QLatin1Char('/') + m_db + QStringLiteral("/_design/live"), R"({"views":{}})").ok());
}

void TestCouchLive::shouldAnswerTheFirstRowsBeforeTheIndexIsComplete()
{
    auto gate = std::make_shared<QSemaphore>();
    auto store = gatedStore(gate);
    const StoreError opened = store->open();
    QVERIFY2(!opened.isError(), qPrintable(opened.message));

    // The loader is held before its second page: exactly one page is indexed.
    QVERIFY(store->isLoading());
    QCOMPARE(store->loadedCount(), 100);
    QCOMPARE(*store->count(TaskQuery()), 100);
    const auto rows = store->fetchPage(TaskQuery(), 0, 50);
    QVERIFY2(rows.ok(), qPrintable(rows.error().message));
    QCOMPARE(rows->size(), 50);
    const auto facets = store->facets(TaskQuery());
    QVERIFY(facets.ok());
    qint64 byStatus = 0;
    for (const FacetValue &v : facets->statuses)
        byStatus += v.count;
    QCOMPARE(byStatus, 100);

    gate->release();
    const StoreError loaded = store->waitUntilLoaded();
    QVERIFY2(!loaded.isError(), qPrintable(loaded.message));
    QVERIFY(!store->isLoading());
    QCOMPARE(store->loadedCount(), documentCount);
    QCOMPARE(*store->count(TaskQuery()), documentCount);
    TaskQuery failures;
    failures.statuses = {QStringLiteral("FAILURE")};
    QCOMPARE(*store->count(failures), documentCount / 4);
}

void TestCouchLive::shouldWaitForTheWholeIndexBeforeAPurgeDecides()
{
    auto gate = std::make_shared<QSemaphore>();
    auto store = gatedStore(gate);
    QVERIFY(!store->open().isError());
    QVERIFY(store->isLoading());
    // Opened from another thread while previewPurge() runs (or before it starts): either
    // way the preview must cover the whole database, never the 100 rows indexed now.
    std::thread opener([gate] { gate->release(); });
    PurgeCriteria criteria;
    criteria.cutoff = QDateTime(QDate(2025, 2, 1), QTime(0, 0), Qt::UTC);
    const Outcome<PurgePreview> preview = store->previewPurge(criteria);
    opener.join();
    QVERIFY2(preview.ok(), qPrintable(preview.error().message));
    QCOMPARE(preview->total, expiredCount);
    QVERIFY(!store->isLoading());
}

void TestCouchLive::shouldShowRowsWhileLoadingThenTheExactCountInTheModel()
{
    auto gate = std::make_shared<QSemaphore>();
    const CouchConfig c = config();
    TaskResultModel model;
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    QSignalSpy loading(&model, &TaskResultModel::loadingChanged);
    QSignalSpy counts(&model, &TaskResultModel::countChanged);
    QSignalSpy infos(&model, &TaskResultModel::storeInfoChanged);
    model.setStoreFactory([c, gate]() -> std::unique_ptr<ResultStore> {
        auto store = std::make_unique<CouchStore>(c);
        store->setNetworkAccessManagerFactory([gate] { return new GatedManager(gate, 2); });
        return store;
    });

    // The first page is shown while the store is still loading (the gate is closed).
    QTRY_COMPARE(model.rowCount(), 100);
    QTRY_VERIFY(model.isLoading());
    QCOMPARE(model.loadedCount(), 100);
    QVERIFY(!loading.isEmpty());
    QCOMPARE(loading.last().at(0).toBool(), true);
    QTRY_VERIFY(model.data(model.index(0, TaskResultModel::TaskIdColumn), TaskResultModel::LoadedRole).toBool());
    QVERIFY(model.data(model.index(0, TaskResultModel::TaskIdColumn)).toString().startsWith(QLatin1String("live-")));

    // Released: the model keeps refreshing while loading, then settles on the exact count.
    gate->release();
    QTRY_VERIFY_WITH_TIMEOUT(!model.isLoading(), 30000);
    QCOMPARE(model.rowCount(), documentCount);
    QCOMPARE(model.loadedCount(), documentCount);
    QCOMPARE(loading.last().at(0).toBool(), false);
    QCOMPARE(loading.last().at(1).toLongLong(), documentCount);
    QCOMPARE(counts.last().at(0).toLongLong(), documentCount);
    // The design document is read last (outside Celery's key ranges): the model's info
    // learnt about it after opened().
    QTRY_VERIFY(!infos.isEmpty());
    QTRY_VERIFY2(model.storeInfo().note.contains(QLatin1String("_design/live")), qPrintable(model.storeInfo().note));
}

void TestCouchLive::shouldSeeANewResultThroughTheLongpollFeed()
{
    CouchStore store(config());
    store.setIncrementalOpen(true);
    store.setFeedTimeoutMs(1000); // short polls: the feed also survives empty answers
    QVERIFY(!store.open().isError());
    QVERIFY(!store.waitUntilLoaded().isError());
    QTRY_VERIFY(store.isFeedRunning());
    const qint64 before = *store.count(TaskQuery());

    const QJsonObject doc = celeryDocument(QStringLiteral("arrived-live"), QStringLiteral("FAILURE"),
                                           QStringLiteral("2025-04-01T00:00:00.000000"));
    const CouchReply put = http("PUT", QStringLiteral("/%1/celery-task-meta-arrived-live").arg(m_db),
                                QJsonDocument(doc).toJson(QJsonDocument::Compact));
    QVERIFY2(put.ok(), qPrintable(put.error.message));

    // count() does not catch up itself while the feed runs: only the longpoll brings it.
    QTRY_COMPARE_WITH_TIMEOUT(*store.count(TaskQuery()), before + 1, 15000);
    QVERIFY(store.isFeedRunning());
    QCOMPARE(store.fetchByTaskId(QStringLiteral("arrived-live"))->status, QStringLiteral("FAILURE"));

    // And a deletion.
    const QString rev = put.json.object().value(QLatin1String("rev")).toString();
    QVERIFY(http("DELETE", QStringLiteral("/%1/celery-task-meta-arrived-live?rev=%2").arg(m_db, rev)).ok());
    QTRY_COMPARE_WITH_TIMEOUT(*store.count(TaskQuery()), before, 15000);
}

void TestCouchLive::shouldStopLoadingWhenClosedMidway()
{
    // Closing the window while the index loads: the store goes away with its loader and
    // feed mid-request, on their own thread, without waiting for the rest of the database.
    for (int round = 0; round < 3; ++round) {
        auto gate = std::make_shared<QSemaphore>();
        auto store = gatedStore(gate);
        QVERIFY(!store->open().isError());
        QCOMPARE(store->loadedCount(), 100);
        gate->release();
        store.reset();
    }
    // The database is untouched and a new store reads it whole.
    CouchStore store(config());
    QVERIFY(!store.open().isError());
    QCOMPARE(*store.count(TaskQuery()), documentCount);
}

void TestCouchLive::shouldMatchArgumentsInTheirPythonForm_data()
{
    QTest::addColumn<QString>("term");
    QTest::addColumn<qint64>("expected");
    // Every document has args ["Zoë", 3] and kwargs {"flag": true}.
    QTest::newRow("json args") << QString::fromUtf8("[\"Zoë\", 3]") << qint64(documentCount);
    QTest::newRow("python args") << QString::fromUtf8("('Zoë', 3)") << qint64(documentCount);
    QTest::newRow("python kwargs") << QStringLiteral("{'flag': True}") << qint64(documentCount);
    QTest::newRow("json kwargs") << QStringLiteral("{\"flag\": true}") << qint64(documentCount);
    QTest::newRow("neither") << QStringLiteral("('Zoe',") << qint64(0);
}

void TestCouchLive::shouldMatchArgumentsInTheirPythonForm()
{
    QFETCH(QString, term);
    QFETCH(qint64, expected);
    CouchStore store(config());
    QVERIFY(!store.open().isError());
    TaskQuery q;
    q.search = term;
    QCOMPARE(*store.count(q), expected);
}

QTEST_GUILESS_MAIN(TestCouchLive)
#include "tst_couchlive.moc"
