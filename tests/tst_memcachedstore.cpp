// MemcachedStore against a real memcached (Debian's 1.6, on loopback, started by
// tools/servers/with_memcached.sh) holding results written by real Celery 5.2.6 workers: Celery's
// own cache backend (cache+memcached://, JSON through python-memcached) and django-celery-results'
// CacheBackend over Django's PyMemcacheCache (":1:" keys, pickles). The expectations were computed
// by upstream's own code (AsyncResult(id).state, backend.get_task_meta) in
// tools/fixtures/redis/make_redis_fixtures.py, independently of Stalk.
//
// Two more servers hold the two-server data sets (a client spreading keys by hash): Celery's cache
// backend with cache+memcached://S2;S3/ (pylibmc) and the CacheBackend over Django's PyLibMCCache
// with LOCATION [S2, S3] (pickles pylibmc zlib-compressed above 1024 bytes).
//
// Environment: STALK_MEMCACHED_URL (memcached://127.0.0.1:PORT), STALK_MEMCACHED_MULTI_URL
// (memcached://127.0.0.1:PORT2;127.0.0.1:PORT3), STALK_MEMCACHED_EXPECTATIONS.
// The tests that delete run last, each on keys no later test reads; cleanupTestCase() puts
// every key of the shared servers back as initTestCase() found it (value, flags, TTL), so a
// second run against the same server (test.sh's sanitizer stage) reads the same data sets.
#include <QDateTime>
#include <QElapsedTimer>
#include <QHostAddress>
#include <QJsonObject>
#include <QJsonValue>
#include <QMap>
#include <QProcess>
#include <QSet>
#include <QStringList>
#include <QTcpServer>
#include <QTcpSocket>
#include <QTest>
#include <QThread>
#include <QVector>

#include "memcachedsnapshot.h"
#include "memcachedstore.h"
#include "storeurl.h"
#include "storechecks.h"
#include "testsupport.h"

namespace {

using TestSupport::jsonOfText;
using TestSupport::sorted;
using TestSupport::stringsOf;

/// A free TCP port on 127.0.0.1 (asked of the kernel, then released).
int freeLoopbackPort()
{
    QTcpServer probe;
    return probe.listen(QHostAddress::LocalHost) ? probe.serverPort() : 0;
}

/// A memcached of the test's own (Debian's, on a free loopback port), for what the shared
/// server must not go through: being killed, running without its LRU crawler. Stopped when
/// it goes out of scope.
class PrivateMemcached
{
public:
    /// Starts it with the extra options; the answer says why it did not start.
    QString start(const QStringList &extra = {})
    {
        m_port = freeLoopbackPort();
        QStringList args{QStringLiteral("-l"), QStringLiteral("127.0.0.1"), QStringLiteral("-p"), QString::number(m_port),
                         QStringLiteral("-U"), QStringLiteral("0"), QStringLiteral("-u"),
                         qEnvironmentVariable("USER", QStringLiteral("root"))};
        m_process.reset(new QProcess);
        m_process->start(QStringLiteral("memcached"), args + extra);
        if (m_port == 0 || !m_process->waitForStarted(5000))
            return QStringLiteral("memcached did not start (tools/install-deps.sh test installs it)");
        for (int i = 0; i < 100; ++i) {
            QTcpSocket s;
            s.connectToHost(QHostAddress::LocalHost, quint16(m_port));
            if (s.waitForConnected(100))
                return QString();
            QThread::msleep(50);
        }
        return QStringLiteral("memcached did not listen");
    }
    QString url() const { return QStringLiteral("memcached://127.0.0.1:%1").arg(m_port); }
    int port() const { return m_port; }
    /// Sends raw protocol text and returns the answer up to `until`.
    QByteArray send(const QByteArray &text, const QByteArray &until = "\r\n") const
    {
        return MemcachedSnapshot::raw(m_port, text, until);
    }
    void kill() { m_process.reset(); }

private:
    struct Stop
    {
        void operator()(QProcess *p) const
        {
            p->kill();
            p->waitForFinished(5000);
            delete p;
        }
    };
    std::unique_ptr<QProcess, Stop> m_process;
    int m_port = 0;
};

} // namespace

class TestMemcachedStore : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase();
    void shouldParseMetaRepliesAndMetadumps();
    void shouldReadTheUrlForms_data();
    void shouldReadTheUrlForms();
    void shouldOpenEveryDataSetAndDescribeIt_data();
    void shouldOpenEveryDataSetAndDescribeIt();
    void shouldReadEveryResultAsUpstreamDoes_data();
    void shouldReadEveryResultAsUpstreamDoes();
    void shouldListSavedGroupsAsUpstreamReadsThem_data();
    void shouldListSavedGroupsAsUpstreamReadsThem();
    void shouldCountAndSearchLikeUpstream_data();
    void shouldCountAndSearchLikeUpstream();
    void shouldReadCeleryAndDjangoKeysWithoutAPrefix();
    void shouldSayWhenTheServerRefusesToListItsKeys();
    void shouldStopInOneSentenceWhenTheServerDies();
    void shouldReadEachServersShareAndInflateCompressedValues();
    void shouldNameTheServerThatDiesAmongSeveral();
    void shouldKeepAKeyRewrittenBetweenListingAndDeleting();
    void shouldDeleteSelectedRowsOnly();
    void shouldPreviewAndPurgeExactlyTheExpired();
    void shouldPurgeEachKeyOnItsOwnServer();
    void shouldAnswerTheCommandLine();
    void shouldFollowOtherClientsOnRefresh_data();
    void shouldFollowOtherClientsOnRefresh();
    void cleanupTestCase();

private:
    QJsonObject dataSet(const QString &name) const { return m_expect.value(name).toObject(); }
    static bool isDjango(const QString &name) { return name.startsWith(QLatin1String("dj")); }
    static bool isMulti(const QString &name) { return name == QLatin1String("multimemcached") || name == QLatin1String("djpylibmc"); }
    /// The URL that reads one data set: Celery's keys (?keyprefix=) or Django's (?keyprefix=:1:).
    QString urlOf(const QString &name) const
    {
        return (isMulti(name) ? m_multi : m_url) + (isDjango(name) ? QStringLiteral("?keyprefix=:1:") : QStringLiteral("?keyprefix="));
    }
    /// The ports of the servers a memcached:// URL names.
    static QVector<int> portsOf(const QString &url)
    {
        QVector<int> ports;
        const Outcome<StoreUrl> parsed = StoreUrl::parse(url);
        for (const StoreUrl::Server &s : parsed->servers)
            ports.append(s.port);
        return ports;
    }
    /// The task ids of a data set's results on one server ("127.0.0.1:PORT"), as the fixture writer found them.
    QStringList idsOn(const QString &name, const QString &server) const
    {
        QStringList ids;
        for (const QJsonValue &v : dataSet(name).value(QLatin1String("celery")).toArray()) {
            if (v.toObject().value(QLatin1String("server")).toString() == server)
                ids.append(v.toObject().value(QLatin1String("task_id")).toString());
        }
        return ids;
    }
    std::unique_ptr<ResultStore> openStore(const QString &url) const
    {
        const Outcome<StoreFactory> factory = makeStoreFactory(url);
        if (!factory)
            return nullptr;
        std::unique_ptr<ResultStore> store = (*factory)();
        const StoreError e = store->open();
        if (e) {
            qWarning() << e.message;
            return nullptr;
        }
        return store;
    }
    QStringList expiredBefore(const QString &name, const QString &cutoff) const
    {
        for (const QJsonValue &v : dataSet(name).value(QLatin1String("expired")).toArray()) {
            if (v.toObject().value(QLatin1String("cutoff")).toString() == cutoff)
                return stringsOf(v.toObject().value(QLatin1String("task_ids")).toArray());
        }
        return {};
    }
    /// Whether the key is in the shared server (a meta get).
    bool exists(const QString &key) const { return MemcachedSnapshot::exists(StoreUrl::parse(m_url)->port, key); }

    QString m_url;
    QString m_multi;
    QJsonObject m_expect;
    QMap<int, QVector<MemcachedSnapshot::Key>> m_saved; // port -> its keys as initTestCase() found them
};

void TestMemcachedStore::cleanupTestCase()
{
    for (auto it = m_saved.cbegin(); it != m_saved.cend(); ++it) {
        const QByteArray refused = MemcachedSnapshot::restore(it.key(), it.value());
        QVERIFY2(refused.isEmpty(), refused.constData());
        QCOMPARE(MemcachedSnapshot::take(it.key()).size(), it.value().size());
    }
}

void TestMemcachedStore::initTestCase()
{
    STALK_SERVER_URL(url, "STALK_MEMCACHED_URL", "tools/servers/with_memcached.sh");
    STALK_SERVER_URL(multi, "STALK_MEMCACHED_MULTI_URL", "tools/servers/with_memcached.sh");
    m_url = url;
    m_multi = multi;
    m_expect = TestSupport::jsonObjectOfFileIn("STALK_MEMCACHED_EXPECTATIONS");
    QVERIFY2(!m_expect.isEmpty(), "STALK_MEMCACHED_EXPECTATIONS must name the fixture writer's JSON");
    for (const QString &name : {QStringLiteral("memcached"), QStringLiteral("djmemcached"), QStringLiteral("multimemcached"),
                                QStringLiteral("djpylibmc")})
        QVERIFY2(dataSet(name).value(QLatin1String("counts")).toObject().value(QLatin1String("total")).toInt() > 10, qPrintable(name));
    QCOMPARE(portsOf(m_multi).size(), 2);
    for (int port : portsOf(m_url) + portsOf(m_multi)) {
        m_saved.insert(port, MemcachedSnapshot::take(port));
        QVERIFY2(m_saved.value(port).size() >= 10, qPrintable(QStringLiteral("%1: %2").arg(port).arg(m_saved.value(port).size())));
    }
}

void TestMemcachedStore::shouldParseMetaRepliesAndMetadumps()
{
    using namespace MemcachedProto;
    const QByteArray replies = "VA 2 t-1 f16 c7\r\nab\r\nEN\r\nHD\r\nEX\r\nCLIENT_ERROR bad data chunk\r\nVA 5 f1\r\nab";
    qsizetype pos = 0;
    MetaReply r;
    QCOMPARE(parseMetaReply(replies, &pos, &r), ParseStatus::Complete);
    QCOMPARE(r.code, QByteArray("VA"));
    QCOMPARE(r.value, QByteArray("ab"));
    QCOMPARE(r.ttl, qint64(-1));
    QCOMPARE(r.flags, 16u);
    QCOMPARE(r.cas, quint64(7));
    for (const char *code : {"EN", "HD", "EX"}) {
        QCOMPARE(parseMetaReply(replies, &pos, &r), ParseStatus::Complete);
        QCOMPARE(r.code, QByteArray(code));
    }
    QCOMPARE(parseMetaReply(replies, &pos, &r), ParseStatus::Complete);
    QVERIFY(r.isError());
    QCOMPARE(parseMetaReply(replies, &pos, &r), ParseStatus::Incomplete); // 5 bytes announced, 2 there
    pos = 0;
    QCOMPARE(parseMetaReply("XX what\r\n", &pos, &r), ParseStatus::Invalid);

    QStringList keys;
    bool end = false;
    QString error;
    pos = 0;
    const QByteArray dump = "key=%3A1%3Acelery-task-meta-a exp=-1 la=1 cas=2 fetch=no cls=1 size=70\n"
                            "key=celery-task-meta-Zo%C3%AB exp=17 la=1 cas=3 fetch=no cls=1 size=70\nEND\r\n";
    QCOMPARE(parseMetadump(dump.left(40), &pos, &keys, &end, &error), ParseStatus::Incomplete);
    QCOMPARE(parseMetadump(dump, &pos, &keys, &end, &error), ParseStatus::Complete);
    QVERIFY(end);
    QCOMPARE(keys, (QStringList{QStringLiteral(":1:celery-task-meta-a"), QStringLiteral("celery-task-meta-Zoë")}));
    pos = 0;
    QCOMPARE(parseMetadump("CLIENT_ERROR lru crawler disabled\r\n", &pos, &keys, &end, &error), ParseStatus::Invalid);
    QCOMPARE(error, QStringLiteral("CLIENT_ERROR lru crawler disabled"));
}

void TestMemcachedStore::shouldReadTheUrlForms_data()
{
    QTest::addColumn<QString>("url");
    QTest::addColumn<QString>("error"); // empty: it opens
    QTest::newRow("memcached://") << QStringLiteral("memcached://HOSTPORT") << QString();
    QTest::newRow("Celery's cache+memcached://…/") << QStringLiteral("cache+memcached://HOSTPORT/") << QString();
    // Celery's list (';'), Django's LOCATION string (';' or ','): every server is read.
    QTest::newRow("Celery's server list") << QStringLiteral("cache+memcached://MULTI/") << QString();
    QTest::newRow("Django's ',' list") << QStringLiteral("memcached://MULTICOMMA") << QString();
    QTest::newRow("a server twice") << QStringLiteral("memcached://HOSTPORT;HOSTPORT")
                                    << QStringLiteral("names the memcached server 127.0.0.1:");
    QTest::newRow("an empty server") << QStringLiteral("memcached://HOSTPORT;;127.0.0.1:1") << QStringLiteral("has no host");
    QTest::newRow("a bad port in the list") << QStringLiteral("memcached://HOSTPORT;127.0.0.1:x") << QStringLiteral("\"x\" is not a port");
    QTest::newRow("a password, several servers") << QStringLiteral("memcached://u:secret@MULTI") << QStringLiteral("has no login");
    QTest::newRow("a database") << QStringLiteral("memcached://HOSTPORT/2") << QStringLiteral("memcached has no databases");
    QTest::newRow("a password") << QStringLiteral("memcached://u:secret@HOSTPORT") << QStringLiteral("has no login");
}

void TestMemcachedStore::shouldReadTheUrlForms()
{
    QFETCH(QString, url);
    QFETCH(QString, error);
    const QString multi = m_multi.mid(qstrlen("memcached://"));
    url.replace(QLatin1String("MULTICOMMA"), QString(multi).replace(u';', u','));
    url.replace(QLatin1String("MULTI"), multi);
    url.replace(QLatin1String("HOSTPORT"), m_url.mid(qstrlen("memcached://")));
    const Outcome<StoreFactory> factory = makeStoreFactory(url);
    if (!error.isEmpty()) {
        QVERIFY(!factory);
        QVERIFY2(factory.error().message.contains(error) && !factory.error().message.contains(QLatin1String("secret")),
                 qPrintable(factory.error().message));
        return;
    }
    QVERIFY2(factory.ok(), qPrintable(factory.error().message));
    auto store = (*factory)();
    QVERIFY(!store->open());
    QCOMPARE(store->info().layout, StoreInfo::Layout::Redis); // the key-value layout
}

void TestMemcachedStore::shouldOpenEveryDataSetAndDescribeIt_data()
{
    QTest::addColumn<QString>("name");
    QTest::newRow("memcached") << QStringLiteral("memcached");
    QTest::newRow("djmemcached") << QStringLiteral("djmemcached");
    QTest::newRow("multimemcached (two servers)") << QStringLiteral("multimemcached");
    QTest::newRow("djpylibmc (two servers, compressed)") << QStringLiteral("djpylibmc");
}

void TestMemcachedStore::shouldOpenEveryDataSetAndDescribeIt()
{
    QFETCH(QString, name);
    const QJsonObject set = dataSet(name);
    auto store = openStore(urlOf(name));
    QVERIFY(store);
    const StoreInfo info = store->info();
    QCOMPARE(info.engine, QStringLiteral("memcached"));
    QVERIFY2(info.schema.startsWith(isDjango(name)
                                        ? QLatin1String("django-celery-results CacheBackend keys (Django's cache) under \":1:\"")
                                        : QLatin1String("Celery cache backend keys")),
             qPrintable(info.schema));
    QVERIFY2(info.schema.contains(QLatin1String("memcached 1.")), qPrintable(info.schema));
    QVERIFY2(info.schema.contains(isMulti(name) ? QLatin1String("on 2 servers") : QLatin1String("memcached 1.")), qPrintable(info.schema));
    QVERIFY2(info.schema.contains(isDjango(name) ? QLatin1String("values: pickle") : QLatin1String("values: JSON")),
             qPrintable(info.schema));
    for (Field f : {Field::TaskName, Field::Args, Field::Kwargs, Field::Worker, Field::Queue, Field::Expires})
        QVERIFY(info.fields.contains(f));
    QVERIFY(info.hasGroups);
    QCOMPARE(store->loadedCount(), qint64(set.value(QLatin1String("counts")).toObject().value(QLatin1String("total")).toInt()));
}

void TestMemcachedStore::shouldReadEveryResultAsUpstreamDoes_data()
{
    shouldOpenEveryDataSetAndDescribeIt_data();
}

void TestMemcachedStore::shouldListSavedGroupsAsUpstreamReadsThem_data()
{
    shouldOpenEveryDataSetAndDescribeIt_data();
}

void TestMemcachedStore::shouldListSavedGroupsAsUpstreamReadsThem()
{
    // GroupResult.save() through Celery's cache backend (JSON) and Django's cache (pickle).
    QFETCH(QString, name);
    auto store = openStore(urlOf(name));
    QVERIFY(store);
    TestSupport::verifyGroupsAsUpstreamReadThem(*store, dataSet(name).value(QLatin1String("saved_groups")).toArray());
}

void TestMemcachedStore::shouldReadEveryResultAsUpstreamDoes()
{
    QFETCH(QString, name);
    auto store = openStore(urlOf(name));
    QVERIFY(store);
    for (const QJsonValue &v : dataSet(name).value(QLatin1String("celery")).toArray()) {
        const QJsonObject e = v.toObject();
        const QString id = e.value(QLatin1String("task_id")).toString();
        const Outcome<TaskResult> row = store->fetchByTaskId(id);
        QVERIFY2(row.ok(), qPrintable(id + QStringLiteral(": ") + row.error().message));
        // memcached's TTL (mg … t): result_expires, one day.
        TestSupport::verifyRowAsUpstreamReadIt(*row, e, qEnvironmentVariable("STALK_MEMCACHED_EXPECTATIONS"));
        if (QTest::currentTestFailed())
            return;
    }
}

void TestMemcachedStore::shouldCountAndSearchLikeUpstream_data()
{
    shouldOpenEveryDataSetAndDescribeIt_data();
}

void TestMemcachedStore::shouldCountAndSearchLikeUpstream()
{
    QFETCH(QString, name);
    auto store = openStore(urlOf(name));
    QVERIFY(store);
    QVERIFY(store->facets(TaskQuery()).ok());
    TestSupport::verifyCountsAndSearchesAsUpstream(*store, dataSet(name));
}

void TestMemcachedStore::shouldReadCeleryAndDjangoKeysWithoutAPrefix()
{
    auto store = openStore(m_url);
    QVERIFY(store);
    const int total = dataSet(QStringLiteral("memcached")).value(QLatin1String("counts")).toObject().value(QLatin1String("total")).toInt()
        + dataSet(QStringLiteral("djmemcached")).value(QLatin1String("counts")).toObject().value(QLatin1String("total")).toInt();
    QCOMPARE(*store->count(TaskQuery()), qint64(total));
    const QString schema = store->info().schema;
    QVERIFY2(schema.contains(QLatin1String("Celery cache backend keys")) && schema.contains(QLatin1String("under \":1:\"")),
             qPrintable(schema));
    // By task id under either prefix.
    for (const QString &name : {QStringLiteral("memcached"), QStringLiteral("djmemcached")}) {
        const QString id = dataSet(name).value(QLatin1String("celery")).toArray().at(0).toObject().value(QLatin1String("task_id")).toString();
        QVERIFY(store->fetchByTaskId(id).ok());
    }
}

void TestMemcachedStore::shouldSayWhenTheServerRefusesToListItsKeys()
{
    PrivateMemcached server;
    const QString why = server.start({QStringLiteral("-o"), QStringLiteral("no_lru_crawler")});
    if (!why.isEmpty())
        QFAIL(qPrintable(why));
    const QByteArray meta = R"({"status": "SUCCESS", "result": 3, "traceback": null, "children": [], "date_done": "2025-01-02T03:04:05", "task_id": "t1"})";
    QVERIFY(server.send("set celery-task-meta-t1 16 0 " + QByteArray::number(meta.size()) + "\r\n" + meta + "\r\n").startsWith("STORED"));
    auto store = (*makeStoreFactory(server.url()))();
    const StoreError e = store->open();
    QVERIFY(e.isError());
    QVERIFY2(e.message.contains(QLatin1String("cannot list its keys")) && e.message.contains(QLatin1String("lru crawler disabled")),
             qPrintable(e.message));
    // By task id it still answers.
    auto byId = (*makeStoreFactory(server.url()))();
    const Outcome<TaskResult> t = byId->fetchByTaskId(QStringLiteral("t1"));
    QVERIFY2(t.ok(), qPrintable(t.error().message));
    QCOMPARE(t->status, QStringLiteral("SUCCESS"));
}

void TestMemcachedStore::shouldStopInOneSentenceWhenTheServerDies()
{
    PrivateMemcached server;
    const QString why = server.start();
    if (!why.isEmpty())
        QFAIL(qPrintable(why));
    const QByteArray meta = R"({"status": "SUCCESS", "result": 3, "traceback": null, "children": [], "date_done": "2025-01-02T03:04:05", "task_id": "t1"})";
    QVERIFY(server.send("set celery-task-meta-t1 16 0 " + QByteArray::number(meta.size()) + "\r\n" + meta + "\r\n").startsWith("STORED"));
    auto store = (*makeStoreFactory(server.url()))();
    QVERIFY(!store->open());
    QCOMPARE(*store->count(TaskQuery()), qint64(1));
    server.kill();
    const auto rows = store->fetchPage(TaskQuery(), 0, 10, RowDetail::Full);
    QVERIFY(!rows.ok());
    QVERIFY2(rows.error().message.startsWith(QLatin1String("memcached at 127.0.0.1:")) && !rows.error().message.contains(u'\n'),
             qPrintable(rows.error().message));
    // Nothing listens any more: refused, in one sentence.
    auto again = (*makeStoreFactory(server.url()))();
    const StoreError e = again->open();
    QVERIFY2(e.message.contains(QLatin1String("refused the connection (is memcached running there?)")), qPrintable(e.message));
}

void TestMemcachedStore::shouldReadEachServersShareAndInflateCompressedValues()
{
    // The fixture's clients hashed the keys over both servers; pylibmc compressed the long
    // pickles (flags 1|8). Each server opened alone shows exactly its share, the two together
    // everything (shouldCountAndSearchLikeUpstream), compressed values read as upstream read them.
    const QVector<int> ports = portsOf(m_multi);
    for (const QString &name : {QStringLiteral("multimemcached"), QStringLiteral("djpylibmc")}) {
        qint64 shares = 0;
        for (int port : ports) {
            const QStringList ids = idsOn(name, QStringLiteral("127.0.0.1:%1").arg(port));
            QVERIFY2(!ids.isEmpty(), qPrintable(QStringLiteral("%1: no key on server %2").arg(name).arg(port)));
            auto one = openStore(QStringLiteral("memcached://127.0.0.1:%1%2").arg(port).arg(isDjango(name) ? "?keyprefix=:1:" : "?keyprefix="));
            QVERIFY(one);
            QCOMPARE(*one->count(TaskQuery()), qint64(ids.size()));
            shares += ids.size();
        }
        QCOMPARE(shares, qint64(dataSet(name).value(QLatin1String("celery")).toArray().size()));
    }
    QVector<QJsonObject> compressed;
    for (const QJsonValue &v : dataSet(QStringLiteral("djpylibmc")).value(QLatin1String("celery")).toArray()) {
        const QJsonObject e = v.toObject();
        QVERIFY(e.value(QLatin1String("flags")).toInt() & MemcachedProto::flagPickle);
        if (e.value(QLatin1String("flags")).toInt() & MemcachedProto::flagZlib)
            compressed.append(e);
    }
    QVERIFY2(compressed.size() >= 2, "pylibmc should have compressed the long results");
    auto store = openStore(urlOf(QStringLiteral("djpylibmc")));
    QVERIFY(store);
    QVERIFY2(!store->info().note.contains(QLatin1String("not a Celery result")), qPrintable(store->info().note));
    bool longEcho = false;
    for (const QJsonObject &e : std::as_const(compressed)) {
        const Outcome<TaskResult> row = store->fetchByTaskId(e.value(QLatin1String("task_id")).toString());
        QVERIFY2(row.ok(), qPrintable(row.error().message));
        QCOMPARE(row->status, e.value(QLatin1String("status")).toString());
        longEcho = longEcho || row->result.contains(QLatin1String("line 299: Z"));
    }
    QVERIFY2(longEcho, "the 300-line result should be among the compressed values");

    // What cannot be inflated is listed, with the reason, and never read as a result.
    using namespace MemcachedProto;
    MetaReply cut;
    cut.flags = flagPickle | flagZlib;
    cut.value = QByteArray("x\x9c\xcb\x48\xcd", 5);
    QByteArray value;
    QString why;
    QVERIFY(!decodeValue(cut, &value, &why));
    QVERIFY2(why.contains(QLatin1String("client flags 9")) && why.contains(QLatin1String("cut short")), qPrintable(why));
    cut.flags = flagPickle;
    QVERIFY(decodeValue(cut, &value, &why));
    QCOMPARE(value, cut.value);
}

void TestMemcachedStore::shouldNameTheServerThatDiesAmongSeveral()
{
    PrivateMemcached first, second;
    for (PrivateMemcached *server : {&first, &second}) {
        const QString why = server->start();
        if (!why.isEmpty())
            QFAIL(qPrintable(why));
    }
    int n = 0;
    for (PrivateMemcached *server : {&first, &second}) {
        const QByteArray id = "t" + QByteArray::number(++n);
        const QByteArray meta = R"({"status": "SUCCESS", "result": 3, "traceback": null, "children": [], "date_done": "2025-01-02T03:04:05", "task_id": ")"
                                + id + "\"}";
        QVERIFY(server->send("set celery-task-meta-" + id + " 16 0 " + QByteArray::number(meta.size()) + "\r\n" + meta + "\r\n")
                    .startsWith("STORED"));
    }
    const QString url = QStringLiteral("memcached://127.0.0.1:%1;127.0.0.1:%2").arg(first.port()).arg(second.port());
    const QString dead = QStringLiteral("memcached at 127.0.0.1:%1 ").arg(second.port());
    auto store = (*makeStoreFactory(url))();
    QVERIFY(!store->open());
    QCOMPARE(*store->count(TaskQuery()), qint64(2));
    QCOMPARE(store->fetchByTaskId(QStringLiteral("t2"))->status, QStringLiteral("SUCCESS"));
    second.kill();
    QElapsedTimer clock;
    clock.start();
    auto verifyNamed = [&dead](const StoreError &e) {
        QVERIFY2(e.isError() && e.message.startsWith(dead) && e.message.contains(QLatin1String("one of the 2 memcached servers"))
                     && !e.message.contains(u'\n'),
                 qPrintable(e.message));
    };
    // Reading, deleting and re-scanning all stop in one sentence naming the server.
    verifyNamed(store->fetchPage(TaskQuery(), 0, 10, RowDetail::Full).error());
    PurgeCriteria criteria;
    criteria.cutoff = QDateTime(QDate(2030, 1, 1), QTime(0, 0), Qt::UTC);
    verifyNamed(store->purgeBatch(criteria, 100).error());
    QVERIFY(first.send("mg celery-task-meta-t1 v\r\n").startsWith("VA")); // nothing deleted on the live one
    verifyNamed(store->refresh());
    // Opening again: refused, and nothing shown as if it were everything.
    auto again = (*makeStoreFactory(url))();
    const StoreError e = again->open();
    verifyNamed(e);
    QVERIFY2(e.message.contains(QLatin1String("refused the connection")), qPrintable(e.message));
    QVERIFY2(clock.elapsed() < 20000, qPrintable(QString::number(clock.elapsed())));
    // The live one alone still opens.
    auto alone = (*makeStoreFactory(QStringLiteral("memcached://127.0.0.1:%1").arg(first.port())))();
    QVERIFY(!alone->open());
    QCOMPARE(*alone->count(TaskQuery()), qint64(1));
}

void TestMemcachedStore::shouldKeepAKeyRewrittenBetweenListingAndDeleting()
{
    // Celery's keys, the first expired one rewritten by a real client (pymemcache, as a worker
    // re-storing the result would) after the store listed it: with a date_done of today it no
    // longer qualifies, so the purge (which re-reads each key with its CAS and deletes with
    // "md KEY C<cas>") keeps it and deletes the others.
    const QString name = QStringLiteral("memcached");
    const QStringList expired = expiredBefore(name, QStringLiteral("2025-01-15T00:00:00Z"));
    QVERIFY(expired.size() >= 2);
    auto store = openStore(urlOf(name));
    QVERIFY(store);
    PurgeCriteria criteria;
    criteria.cutoff = QDateTime(QDate(2025, 1, 15), QTime(0, 0), Qt::UTC);
    QCOMPARE(store->previewPurge(criteria)->total, qint64(expired.size()));
    const QString rewritten = QStringLiteral("celery-task-meta-") + expired.constFirst();
    QProcess python;
    python.start(QStringLiteral("/usr/bin/python3"),
                 {QStringLiteral("-c"),
                  QStringLiteral("import datetime, json, sys\n"
                                 "from pymemcache.client.base import Client\n"
                                 "c = Client(('127.0.0.1', int(sys.argv[1])))\n"
                                 "v, cas = c.gets(sys.argv[2])\n"
                                 "meta = json.loads(v)\n"
                                 "meta['date_done'] = datetime.datetime.utcnow().isoformat()\n"
                                 "assert c.cas(sys.argv[2], json.dumps(meta).encode(), cas, expire=86400, flags=16)\n"),
                  QString::number(StoreUrl::parse(m_url)->port), rewritten});
    QVERIFY(python.waitForFinished(30000));
    QVERIFY2(python.exitCode() == 0, python.readAllStandardError().constData());
    const Outcome<DeleteBatch> batch = store->purgeBatch(criteria, 1000);
    QVERIFY2(batch.ok(), qPrintable(batch.error().message));
    QCOMPARE(batch->tasks, qint64(expired.size() - 1));
    QVERIFY(exists(rewritten));
    for (const QString &id : expired.mid(1))
        QVERIFY2(!exists(QStringLiteral("celery-task-meta-") + id), qPrintable(id));
    QCOMPARE(store->previewPurge(criteria)->total, qint64(0));
}

void TestMemcachedStore::shouldDeleteSelectedRowsOnly()
{
    const QString name = QStringLiteral("djmemcached");
    auto store = openStore(urlOf(name));
    QVERIFY(store);
    TaskQuery q;
    q.sortField = Field::RowId;
    const auto rows = store->fetchPage(q, 0, 2);
    QVERIFY(rows.ok() && rows->size() == 2);
    const qint64 before = *store->count(TaskQuery());
    const Outcome<DeleteBatch> batch = store->deleteRows({rows->at(0).rowId, rows->at(1).rowId});
    QVERIFY2(batch.ok(), qPrintable(batch.error().message));
    QCOMPARE(batch->tasks, qint64(2));
    QCOMPARE(*store->count(TaskQuery()), before - 2);
    for (const TaskResult &t : *rows)
        QVERIFY(!exists(QStringLiteral(":1:celery-task-meta-") + t.taskId));
    auto reopened = openStore(urlOf(name));
    QCOMPARE(*reopened->count(TaskQuery()), before - 2);
}

void TestMemcachedStore::shouldPreviewAndPurgeExactlyTheExpired()
{
    const QString name = QStringLiteral("djmemcached");
    auto store = openStore(urlOf(name));
    QVERIFY(store);
    // Rows deleted by shouldDeleteSelectedRowsOnly are gone from upstream's answer too.
    QStringList all;
    for (const QJsonValue &v : dataSet(name).value(QLatin1String("celery")).toArray()) {
        const QString id = v.toObject().value(QLatin1String("task_id")).toString();
        if (exists(QStringLiteral(":1:celery-task-meta-") + id))
            all.append(id);
    }
    QStringList expired;
    for (const QString &id : expiredBefore(name, QStringLiteral("2025-02-01T00:00:00Z"))) {
        if (all.contains(id))
            expired.append(id);
    }
    PurgeCriteria criteria;
    criteria.cutoff = QDateTime(QDate(2025, 2, 1), QTime(0, 0), Qt::UTC);
    QCOMPARE(store->previewPurge(criteria)->total, qint64(expired.size()));
    QCOMPARE(TestSupport::purgeAll(*store, criteria, 3), qint64(expired.size()));
    for (const QString &id : all)
        QCOMPARE(exists(QStringLiteral(":1:celery-task-meta-") + id), !expired.contains(id));
}

void TestMemcachedStore::shouldPurgeEachKeyOnItsOwnServer()
{
    // The two-server Django set (compressed values among them): the purge reads each key with
    // its CAS and deletes it on the server that listed it; the others stay on theirs.
    const QString name = QStringLiteral("djpylibmc");
    auto store = openStore(urlOf(name));
    QVERIFY(store);
    const QStringList expired = expiredBefore(name, QStringLiteral("2025-02-01T00:00:00Z"));
    QVERIFY(expired.size() >= 3);
    PurgeCriteria criteria;
    criteria.cutoff = QDateTime(QDate(2025, 2, 1), QTime(0, 0), Qt::UTC);
    QCOMPARE(store->previewPurge(criteria)->total, qint64(expired.size()));
    QCOMPARE(TestSupport::purgeAll(*store, criteria, 2), qint64(expired.size()));
    QSet<QString> homesOfDeleted;
    for (const QJsonValue &v : dataSet(name).value(QLatin1String("celery")).toArray()) {
        const QJsonObject e = v.toObject();
        const QString id = e.value(QLatin1String("task_id")).toString();
        const int home = e.value(QLatin1String("server")).toString().section(u':', 1).toInt();
        QCOMPARE(MemcachedSnapshot::exists(home, QStringLiteral(":1:celery-task-meta-") + id), !expired.contains(id));
        if (expired.contains(id))
            homesOfDeleted.insert(e.value(QLatin1String("server")).toString());
    }
    QCOMPARE(homesOfDeleted.size(), 2); // deleted on both servers
    QCOMPARE(*openStore(urlOf(name))->count(TaskQuery()),
             qint64(dataSet(name).value(QLatin1String("celery")).toArray().size() - expired.size()));
}

void TestMemcachedStore::shouldAnswerTheCommandLine()
{
    if (qEnvironmentVariable("STALK_BIN").isEmpty())
        QSKIP("STALK_BIN is not set (CTest sets it)");
    auto run = [](const QStringList &args) {
        QProcess p;
        p.start(qEnvironmentVariable("STALK_BIN"), args);
        p.closeWriteChannel();
        p.waitForFinished(60000);
        return std::make_tuple(p.exitCode(), QString::fromUtf8(p.readAllStandardOutput()), QString::fromUtf8(p.readAllStandardError()));
    };
    // Celery's own form of the URL, Celery's keys only.
    const QString url = QStringLiteral("cache+memcached://%1/?keyprefix=").arg(m_url.mid(qstrlen("memcached://")));
    auto store = openStore(url);
    QVERIFY(store);
    const qint64 total = *store->count(TaskQuery());
    TaskQuery failures;
    failures.statuses = QStringList{QStringLiteral("FAILURE")};
    const qint64 failed = *store->count(failures);
    auto [code, out, err] = run({QStringLiteral("count"), url});
    QCOMPARE(code, 0);
    QCOMPARE(out.trimmed().toLongLong(), total);
    std::tie(code, out, err) = run({QStringLiteral("count"), url, QStringLiteral("--status"), QStringLiteral("FAILURE")});
    QCOMPARE(out.trimmed().toLongLong(), failed);
    std::tie(code, out, err) = run({QStringLiteral("list"), url, QStringLiteral("--limit"), QStringLiteral("0"), QStringLiteral("--format"),
                                    QStringLiteral("jsonl")});
    QCOMPARE(code, 0);
    QCOMPARE(qint64(out.split(u'\n', Qt::SkipEmptyParts).size()), total);
    // Everything left is from February on: a purge before 2025-02-15 deletes what the store previews.
    PurgeCriteria criteria;
    criteria.cutoff = QDateTime(QDate(2025, 2, 15), QTime(0, 0), Qt::UTC);
    const qint64 doomed = store->previewPurge(criteria)->total;
    std::tie(code, out, err) = run({QStringLiteral("purge"), url, QStringLiteral("--before"), QStringLiteral("2025-02-15"), QStringLiteral("--yes")});
    QCOMPARE(code, 0);
    QCOMPARE(out.trimmed(), QStringLiteral("deleted %1 results (and 0 groups)").arg(doomed));
    std::tie(code, out, err) = run({QStringLiteral("count"), url});
    QCOMPARE(out.trimmed().toLongLong(), total - doomed);
}

void TestMemcachedStore::shouldFollowOtherClientsOnRefresh_data()
{
    QTest::addColumn<QString>("name");
    QTest::newRow("one server") << QStringLiteral("memcached");
    QTest::newRow("two servers") << QStringLiteral("multimemcached");
}

void TestMemcachedStore::shouldFollowOtherClientsOnRefresh()
{
    // Celery's own cache backend (cache+memcached://, python-memcached or pylibmc over two
    // servers) writes, a raw client deletes (storechecks); refresh() lists with one metadump a
    // server. cleanupTestCase() puts the rewritten and the deleted key back; the new one is
    // deleted here.
    QFETCH(QString, name);
    auto store = openStore(urlOf(name));
    QVERIFY(store);
    const QString servers = (isMulti(name) ? m_multi : m_url).mid(qstrlen("memcached://"));
    const QVector<int> ports = portsOf(isMulti(name) ? m_multi : m_url);
    auto remove = [ports](const QString &taskId) { // on whichever server the client hashed it to
        bool removed = false;
        for (int port : ports)
            removed = MemcachedSnapshot::raw(port, "md celery-task-meta-" + taskId.toUtf8() + "\r\n").startsWith("HD") || removed;
        return removed;
    };
    const QString fresh = QStringLiteral("f5e5f5e5-0000-4000-8000-000000000005");
    TestSupport::verifyRefreshFollowsOtherClients(*store, fresh, [&](const QStringList &steps, const QString &deleted) {
        const QString written = TestSupport::writeThroughCelery(QStringLiteral("cache+memcached://%1/").arg(servers), steps);
        if (!written.isEmpty() || deleted.isEmpty())
            return written;
        return remove(deleted) ? QString() : QStringLiteral("md of %1 failed").arg(deleted);
    });
    QVERIFY(remove(fresh));
}

QTEST_GUILESS_MAIN(TestMemcachedStore)
#include "tst_memcachedstore.moc"
