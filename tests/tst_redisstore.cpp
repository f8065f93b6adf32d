// RedisStore against a real redis-server (Debian's, on loopback, started by
// tools/servers/with_redis.sh) holding results written by real Celery 5.2.6 workers through
// Celery's own RedisBackend: four data sets (JSON and pickle serializers, result_extended on
// and off, a global key prefix, keys with and without a TTL). The expectations were computed
// by upstream's own code (AsyncResult(id).state, backend.get_task_meta) in
// tools/fixtures/redis/make_redis_fixtures.py, independently of Stalk.
//
// Environment: STALK_REDIS_URL (redis://:PASSWORD@127.0.0.1:PORT), STALK_REDIS_SOCKET,
// STALK_REDIS_EXPECTATIONS. Tests that delete work on a copy in database 15 (DUMP/RESTORE).
// django-celery-results' CacheBackend over Django's DatabaseCache is read in a SQLite file
// (with_redis.sh) and, when their wrappers run, on PostgreSQL and MariaDB
// (STALK_PG_DBCACHE_URL / _EXPECTATIONS, STALK_MYSQL_DBCACHE_URL / _EXPECTATIONS); tests that
// write work on a copy (a file, or a table beside stalk_cache on the server).
#include <QAbstractItemModelTester>
#include <QDateTime>
#include <QDeadlineTimer>
#include <QElapsedTimer>
#include <QFile>
#include <QHostAddress>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QJsonValue>
#include <QList>
#include <QMap>
#include <QProcess>
#include <QProcessEnvironment>
#include <QScopeGuard>
#include <QSemaphore>
#include <QSignalSpy>
#include <QSqlDatabase>
#include <QSqlError>
#include <QSqlQuery>
#include <QStandardPaths>
#include <QStringList>
#include <QTcpServer>
#include <QTcpSocket>
#include <QTemporaryDir>
#include <QTest>
#include <QThread>
#include <QTimer>
#include <QVector>

#include "aggregates.h"
#include "couchindex.h"
#include "purger.h"
#include "taskresultmodel.h"
#include "redisstore.h"
#include "storechecks.h"
#include "storeopener.h"
#include "storeurl.h"
#include "testsupport.h"
#include "valuedecoder.h"

namespace {

using TestSupport::jsonOfText;
using TestSupport::sorted;
using TestSupport::stringsOf;
using TestSupport::taskIdsOf;

constexpr int scratchDb = 15;

/// The DatabaseCache data sets: the SQLite file with_redis.sh writes, and the tables on the
/// servers with_postgres.sh and with_mariadb.sh write (their expectations' "dbcache").
struct DbCacheSet
{
    const char *name;
    const char *engine;   ///< StoreInfo::engine begins with it
    const char *variable; ///< the expectations file's variable
    const char *wrapper;
    const char *live; ///< the wrapper's STALK_<ENGINE> of _LIVE_WRITER, _BROKER, _WORKDIR; null: none
};
constexpr DbCacheSet dbCacheSets[] = {
    {"dbcache", "SQLite", "STALK_REDIS_EXPECTATIONS", "tools/servers/with_redis.sh", nullptr},
    {"pg-dbcache", "PostgreSQL", "STALK_PG_DBCACHE_EXPECTATIONS", "tools/servers/with_postgres.sh", "STALK_PG"},
    {"mysql-dbcache", "MariaDB", "STALK_MYSQL_DBCACHE_EXPECTATIONS", "tools/servers/with_mariadb.sh", "STALK_MYSQL"},
};

/// One data row per DatabaseCache data set, in column "name".
void addDbCacheRows()
{
    for (const DbCacheSet &set : dbCacheSets)
        QTest::newRow(set.name) << QString::fromLatin1(set.name);
}

/// A redis-server of the test's own (Debian's, on a free loopback port, no persistence), for
/// what the shared server must not go through: being killed, running as a cluster node,
/// keyspace notifications, TLS.
class PrivateRedis
{
public:
    /// TlsClientCertificates: TLS, and clients must show a certificate the server's CA
    /// signed (redis-server's default, tls-auth-clients yes): its own, in the tests.
    enum class Transport { Tcp, Tls, TlsClientCertificates };
    ~PrivateRedis()
    {
        m_process.kill();
        m_process.waitForFinished(5000);
    }
    /// Starts it with the extra arguments; the answer says why it did not start. With Tls it
    /// listens on a TLS port only, with a self-signed certificate for 127.0.0.1 that openssl
    /// makes in dir() (caFile()); clients need no certificate of their own.
    QString start(const QStringList &extra = {}, Transport transport = Transport::Tcp)
    {
        const QString server = QStandardPaths::findExecutable(QStringLiteral("redis-server"));
        if (server.isEmpty())
            return QStringLiteral("redis-server is not installed (tools/install-deps.sh test)");
        QTcpServer probe;
        if (!probe.listen(QHostAddress::LocalHost))
            return QStringLiteral("no free port");
        m_endpoint.port = probe.serverPort();
        probe.close();
        QStringList listen{QStringLiteral("--port"), QString::number(m_endpoint.port)};
        if (transport != Transport::Tcp) {
            if (const QString why = makeCertificate(); !why.isEmpty())
                return why;
            const bool clients = transport == Transport::TlsClientCertificates;
            m_endpoint.tls = true;
            m_endpoint.caFile = caFile();
            m_endpoint.certFile = clients ? caFile() : QString();
            m_endpoint.keyFile = clients ? keyFile() : QString();
            listen = QStringList{QStringLiteral("--port"), QStringLiteral("0"), QStringLiteral("--tls-port"), QString::number(m_endpoint.port),
                                 QStringLiteral("--tls-cert-file"), caFile(), QStringLiteral("--tls-key-file"), keyFile(),
                                 QStringLiteral("--tls-ca-cert-file"), caFile(), QStringLiteral("--tls-auth-clients"),
                                 clients ? QStringLiteral("yes") : QStringLiteral("no")};
        }
        m_process.setProgram(server);
        m_process.setArguments(listen
                               + QStringList{QStringLiteral("--bind"), QStringLiteral("127.0.0.1"), QStringLiteral("--save"), QString(),
                                             QStringLiteral("--appendonly"), QStringLiteral("no"), QStringLiteral("--dir"), m_dir.path()}
                               + extra);
        m_process.setProcessChannelMode(QProcess::ForwardedErrorChannel);
        m_process.setStandardOutputFile(m_dir.filePath(QStringLiteral("server.log")));
        m_process.start();
        if (!m_process.waitForStarted(5000))
            return m_process.errorString();
        QDeadlineTimer deadline(10000);
        while (!deadline.hasExpired()) {
            RedisConnection c(m_endpoint);
            if (!c.connect().isError())
                return QString();
            if (m_process.state() != QProcess::Running)
                return QStringLiteral("redis-server stopped at once");
            QThread::msleep(20); // polling the server's start, not waiting for a result
        }
        return QStringLiteral("redis-server did not answer within 10 s");
    }
    /// How clients reach it (TLS trusting caFile() when started so).
    const RedisEndpoint &endpoint() const { return m_endpoint; }
    /// Its URL for database db, as Celery and Stalk take it (rediss:// with ssl_cert_reqs and
    /// ssl_ca_certs when it speaks TLS).
    QString url(int db) const
    {
        if (!m_endpoint.tls)
            return QStringLiteral("redis://127.0.0.1:%1/%2").arg(m_endpoint.port).arg(db);
        return QStringLiteral("rediss://127.0.0.1:%1/%2?ssl_cert_reqs=required&ssl_ca_certs=%3").arg(m_endpoint.port).arg(db).arg(caFile())
            + (m_endpoint.certFile.isEmpty() ? QString() : QStringLiteral("&ssl_certfile=%1&ssl_keyfile=%2").arg(caFile(), keyFile()));
    }
    /// The self-signed certificate of a TLS server (PEM), its own CA.
    QString caFile() const { return m_dir.filePath(QStringLiteral("cert.pem")); }
    /// Its private key (PEM).
    QString keyFile() const { return m_dir.filePath(QStringLiteral("key.pem")); }
    QString dir() const { return m_dir.path(); }
    void kill()
    {
        m_process.kill();
        m_process.waitForFinished(5000);
    }

private:
    /// cert.pem and key.pem in dir(): a P-256 key and a certificate for 127.0.0.1 (its
    /// subjectAltName, which Qt checks), valid for a day.
    QString makeCertificate() const
    {
        const QString openssl = QStandardPaths::findExecutable(QStringLiteral("openssl"));
        if (openssl.isEmpty())
            return QStringLiteral("openssl is not installed (tools/install-deps.sh test)");
        QProcess req;
        req.setProcessChannelMode(QProcess::MergedChannels);
        req.start(openssl, {QStringLiteral("req"), QStringLiteral("-x509"), QStringLiteral("-newkey"), QStringLiteral("ec"),
                            QStringLiteral("-pkeyopt"), QStringLiteral("ec_paramgen_curve:prime256v1"), QStringLiteral("-nodes"),
                            QStringLiteral("-keyout"), keyFile(), QStringLiteral("-out"), caFile(),
                            QStringLiteral("-days"), QStringLiteral("1"), QStringLiteral("-subj"), QStringLiteral("/CN=127.0.0.1"),
                            QStringLiteral("-addext"), QStringLiteral("subjectAltName=IP:127.0.0.1")});
        if (!req.waitForFinished(30000) || req.exitStatus() != QProcess::NormalExit || req.exitCode() != 0)
            return QStringLiteral("openssl req failed: ") + QString::fromLocal8Bit(req.readAll());
        return QString();
    }

    QTemporaryDir m_dir;
    QProcess m_process;
    RedisEndpoint m_endpoint;
};

/// A stand-in for faults no real server produces on demand (a cluster proxy's MOVED): on its
/// own thread, with blocking sockets, it answers each command with answer(COMMAND NAME).
class FakeRedis final : public QThread
{
public:
    explicit FakeRedis(std::function<QByteArray(const QByteArray &)> answer) : m_answer(std::move(answer)) { }
    ~FakeRedis() override
    {
        requestInterruption();
        wait();
    }
    quint16 listen()
    {
        start();
        m_ready.acquire();
        return m_port;
    }

protected:
    void run() override
    {
        QTcpServer server;
        server.listen(QHostAddress::LocalHost);
        m_port = server.serverPort();
        m_ready.release();
        // Every connection is served (a store has two: its own and its loader's), in turn.
        std::vector<std::pair<std::unique_ptr<QTcpSocket>, QByteArray>> clients;
        while (!isInterruptionRequested()) {
            if (server.waitForNewConnection(10))
                clients.emplace_back(server.nextPendingConnection(), QByteArray());
            for (auto &[socket, buffer] : clients) {
                if (socket->state() != QAbstractSocket::ConnectedState || !socket->waitForReadyRead(10))
                    continue;
                buffer += socket->readAll();
                qsizetype pos = 0;
                RespValue command;
                while (Resp::parse(buffer, &pos, &command) == Resp::ParseStatus::Complete && !command.items.isEmpty())
                    socket->write(m_answer(command.items.at(0).text.toUpper()));
                buffer.remove(0, pos);
                socket->waitForBytesWritten(1000);
            }
        }
    }

private:
    std::function<QByteArray(const QByteArray &)> m_answer;
    QSemaphore m_ready;
    quint16 m_port = 0;
};

/// How many SCANs the server ran since it started (INFO commandstats).
/// How often the server ran `command` (lower case), from INFO commandstats; -1 on failure.
qint64 commandCalls(const RedisEndpoint &endpoint, const QByteArray &command)
{
    RedisConnection c(endpoint);
    if (c.connect().isError())
        return -1;
    const Outcome<RespValue> info = c.call({"INFO", "commandstats"});
    if (!info)
        return -1;
    const QByteArray prefix = "cmdstat_" + command + ":calls=";
    for (const QByteArray &line : info->text.split('\n')) {
        if (line.startsWith(prefix))
            return line.mid(prefix.size(), line.indexOf(',') - prefix.size()).toLongLong();
    }
    return 0;
}

qint64 scanCalls(const RedisEndpoint &endpoint)
{
    return commandCalls(endpoint, "scan");
}

/// A store's status in the index of task id (empty: not there), with no round trip.
QString indexedStatus(ResultStore &store, const QString &taskId)
{
    const Outcome<QVector<TaskResult>> rows = store.fetchByTaskIds({taskId});
    return rows && !rows->isEmpty() ? rows->constFirst().status : QString();
}

/// A Celery meta as the JSON serializer writes it, with a result of resultBytes characters.
QByteArray celeryMeta(const QByteArray &taskId, qsizetype resultBytes = 1)
{
    return R"({"status": "SUCCESS", "result": ")" + QByteArray(resultBytes, 'x') + R"(", "traceback": null, )"
        + R"("children": [], "date_done": "2026-01-02T03:04:05.123456", "task_id": ")" + taskId + "\"}";
}

} // namespace

/// Skips the running test when the data set's server did not run, naming its wrapper; fails
/// instead under STALK_REQUIRE_SERVERS=1 (as STALK_SERVER_URL).
#define REQUIRE_DATA_SET(name)                                                                       \
    do {                                                                                             \
        const QString missing = missingDataSet(name);                                                \
        if (!missing.isEmpty()) {                                                                    \
            if (qEnvironmentVariableIntValue("STALK_REQUIRE_SERVERS") == 1)                          \
                QFAIL(qPrintable(QStringLiteral("STALK_REQUIRE_SERVERS=1 but ") + missing));         \
            QSKIP(qPrintable(missing));                                                              \
        }                                                                                            \
    } while (false)

class TestRedisStore : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void initTestCase();
    void shouldOpenEveryDataSetAndDescribeIt_data();
    void shouldOpenEveryDataSetAndDescribeIt();
    void shouldReadEveryResultAsUpstreamDoes_data();
    void shouldReadEveryResultAsUpstreamDoes();
    void shouldCountAndFacetLikeUpstream_data();
    void shouldCountAndFacetLikeUpstream();
    void shouldCountFacetsWithoutTheirOwnFilter();
    void shouldFilterBySetsAndDates();
    void shouldSearchWithDjangoSemantics_data();
    void shouldSearchWithDjangoSemantics();
    void shouldOrderByDateDoneNewestFirst();
    void shouldReturnSummaryAndFullRows();
    void shouldGiveTheSameRowIdsInEveryStore();
    void shouldOpenThroughTheFactoryTheSocketAndThePrefix();
    void shouldReadCeleryAndDjangoCacheKeysWithoutAPrefix();
    void shouldReadEveryResultOverTlsAsOverTcp_data();
    void shouldReadEveryResultOverTlsAsOverTcp();
    void shouldCheckTheTlsServersCertificate_data();
    void shouldCheckTheTlsServersCertificate();
    void shouldCountOverTlsFromTheCommandLine();
    void shouldDescribeADjangoDatabaseCacheTable_data();
    void shouldDescribeADjangoDatabaseCacheTable();
    void shouldPurgeADjangoDatabaseCacheTable_data();
    void shouldPurgeADjangoDatabaseCacheTable();
    void shouldPurgeCacheTableRowsPastTheirDjangoExpiry_data();
    void shouldPurgeCacheTableRowsPastTheirDjangoExpiry();
    void shouldPurgeACacheTableWhileARealWorkerWrites_data();
    void shouldPurgeACacheTableWhileARealWorkerWrites();
    void shouldRefuseCacheExpiryWhereKeysExpireByTtl();
    void shouldPickTheCacheTableByNameBesideCeleryTables();
    void shouldLoadIncrementally();
    void shouldReportEachFailureInOneSentence_data();
    void shouldReportEachFailureInOneSentence();
    void shouldLetThePromptAskForARedisPassword();
    void shouldTimeOutOnAServerThatNeverAnswers();
    void shouldSayThatRedisClusterIsNotSupported();
    void shouldStopInOneSentenceWhenTheServerDiesWhileLoading();
    void shouldReadATenMegabyteValue();
    void shouldReadAgainTheResultPreviewsTheIndexCut();
    void shouldDescribeKeysThatAreNotCeleryResults();
    void shouldListTasksAndGroupsInOneScanWalk_data();
    void shouldListTasksAndGroupsInOneScanWalk();
    void shouldPreviewAndPurgeExactlyTheExpired_data();
    void shouldPreviewAndPurgeExactlyTheExpired();
    void shouldRecheckAKeyChangedSincePreview();
    void shouldPurgeBySearchAndExceptionWhatTheQueryMatches_data();
    void shouldPurgeBySearchAndExceptionWhatTheQueryMatches();
    void shouldDeleteSelectedRowsOnly();
    void shouldRefuseDeletesWhenReadOnly();
    void shouldShowRowsAndPurgeThroughTheWindowsModel();
    void shouldFollowOtherClientsOnRefresh();
    void shouldFollowOtherClientsOnRefreshOfACacheTable_data();
    void shouldFollowOtherClientsOnRefreshOfACacheTable();
    void shouldTellWhichNotifyFlagsDeliverEveryChange_data();
    void shouldTellWhichNotifyFlagsDeliverEveryChange();
    void shouldFollowKeyspaceNotificationsWithoutAScan_data();
    void shouldFollowKeyspaceNotificationsWithoutAScan();
    void shouldShowLiveChangesInTheWindowsModelWithoutAScan();
    void shouldFallBackToARescanWhenTheSubscriberIsKilled();
    void shouldNotSubscribeForOneShotCommands();
    void shouldRescanOnAServerWithoutNotifications();
    void shouldOpenWithoutNotificationsWhenConfigGetIsRefused();
    void shouldListSavedGroupsAsUpstreamReadsThem_data();
    void shouldListSavedGroupsAsUpstreamReadsThem();
    void shouldListAGroupSavedByCeleryAfterOpen();
    void shouldAnswerEveryCommandOfTheCommandLine();

private:
    struct Run
    {
        int exitCode = -1;
        QString out;
        QString err;
    };
    /// The real `stalk` binary (STALK_BIN), stdin closed (no terminal).
    static Run stalk(const QStringList &args);
    QJsonObject dataSet(const QString &name) const { return m_expect.value(name).toObject(); }
    /// Empty when the data set was written, else why not (its variable and wrapper).
    QString missingDataSet(const QString &name) const;
    RedisConfig config(int db, const QString &keyPrefix = QString()) const;
    /// A store's configuration as the tests read data sets: url's, with the key prefix, in
    /// small SCAN batches.
    static RedisConfig configFor(const QString &url, const QString &keyPrefix);
    /// A data set's store: Redis, or Django's DatabaseCache in a SQLite file ("file") or on a
    /// server ("url"), read-only.
    std::unique_ptr<ResultStore> openStore(const QString &dataSetName);
    std::unique_ptr<RedisStore> openScratch(const QString &dataSetName, StoreOptions options = {});
    /// A raw connection to a database, outside the store's code paths.
    std::unique_ptr<RedisConnection> raw(int db) const;
    /// Copies a data set's keys (values and TTLs) into the scratch database, emptied first
    /// unless adding.
    void copyToScratch(const QString &dataSetName, bool adding = false);
    /// Copies a data set's keys (values and TTLs, DUMP/RESTORE) into the database `to` has
    /// selected: on the shared server, or on a private one.
    void copyDataSet(const QString &dataSetName, RedisConnection &to) const;
    /// Task ids (or group ids) whose keys are in the scratch database now.
    QStringList scratchIds(const char *kindPrefix, const QString &keyPrefix) const;
    TestSupport::FixtureSample sample(const QJsonObject &set) const;
    /// A writable copy of a DatabaseCache data set.
    struct CacheCopy
    {
        QString storeUrl; ///< what the store opens
        QString raw;      ///< the SQLite file, or the server's URL: for rawSql()
        QString table;    ///< the cache table in it
    };
    /// A SQLite file `copy` in m_tmp, or a table `copy` beside stalk_cache on the server
    /// (opened with ?table=; dropCacheCopy() drops it).
    CacheCopy cacheCopy(const QString &name, const QString &copy) const;
    static void dropCacheCopy(const CacheCopy &copy);
    /// The copy's store, writable and open; null when it did not open (a warning says why).
    static std::unique_ptr<ResultStore> openCopy(const CacheCopy &copy);
    /// The keys of a cache table under Django's ":1:" and a Celery kind prefix, minus both; sorted.
    static QStringList cacheIds(const CacheCopy &copy, const char *kind);
    /// Runs SQL (';'-separated) outside the store's code paths on a SQLite file or on a server
    /// URL's database; the first column of each row, or the error alone.
    static QStringList rawSql(const QString &target, const QString &sql);
    QTemporaryDir m_tmp;

    QString m_url;
    QJsonObject m_expect;
};

RedisConfig TestRedisStore::config(int db, const QString &keyPrefix) const
{
    return configFor(m_url + QStringLiteral("/%1").arg(db), keyPrefix);
}

RedisConfig TestRedisStore::configFor(const QString &url, const QString &keyPrefix)
{
    RedisConfig c = RedisConfig::fromUrl(StoreUrl::parse(url).value()).value();
    c.keyPrefix = keyPrefix;
    c.scanCount = 10; // small batches: the SCAN cursor and pipelining are exercised on 20 keys
    return c;
}

QString TestRedisStore::missingDataSet(const QString &name) const
{
    if (m_expect.contains(name))
        return QString();
    for (const DbCacheSet &set : dbCacheSets) {
        if (name == QLatin1String(set.name))
            return QStringLiteral("%1 is not set: run under %2").arg(QLatin1String(set.variable), QLatin1String(set.wrapper));
    }
    return QStringLiteral("no data set %1 in STALK_REDIS_EXPECTATIONS").arg(name);
}

std::unique_ptr<ResultStore> TestRedisStore::openStore(const QString &name)
{
    const QJsonObject set = dataSet(name);
    std::unique_ptr<ResultStore> store;
    if (set.value(QLatin1String("file")).isString())
        store = (*makeStoreFactory(QStringLiteral("sqlite:///%1?readonly=1").arg(set.value(QLatin1String("file")).toString())))();
    else if (set.value(QLatin1String("url")).isString())
        store = (*makeStoreFactory(set.value(QLatin1String("url")).toString() + QStringLiteral("?readonly=1")))();
    else
        store = std::make_unique<RedisStore>(config(set.value(QLatin1String("db")).toInt(),
                                                    set.value(QLatin1String("keyprefix")).toString()));
    const StoreError e = store->open();
    if (e.isError())
        qWarning("open failed: %s", qPrintable(e.message));
    return e.isError() ? nullptr : std::move(store);
}

std::unique_ptr<RedisStore> TestRedisStore::openScratch(const QString &name, StoreOptions options)
{
    auto store = std::make_unique<RedisStore>(config(scratchDb, dataSet(name).value(QLatin1String("keyprefix")).toString()),
                                              options);
    const StoreError e = store->open();
    if (e.isError())
        qWarning("open failed: %s", qPrintable(e.message));
    return e.isError() ? nullptr : std::move(store);
}

std::unique_ptr<RedisConnection> TestRedisStore::raw(int db) const
{
    auto c = std::make_unique<RedisConnection>(config(db).endpoint);
    const StoreError e = c->connect();
    if (e.isError())
        qWarning("raw connection failed: %s", qPrintable(e.message));
    return c;
}

void TestRedisStore::copyToScratch(const QString &name, bool adding)
{
    auto to = raw(scratchDb);
    if (!adding)
        QVERIFY(to->call({"FLUSHDB"}).ok());
    copyDataSet(name, *to);
}

void TestRedisStore::copyDataSet(const QString &name, RedisConnection &to) const
{
    auto from = raw(dataSet(name).value(QLatin1String("db")).toInt());
    QByteArray cursor = "0";
    do {
        const Outcome<RespValue> scan = from->call({"SCAN", cursor, "COUNT", "100"});
        QVERIFY(scan.ok());
        cursor = scan->items.at(0).text;
        for (const RespValue &key : scan->items.at(1).items) {
            const Outcome<QVector<RespValue>> dump = from->pipeline({{"DUMP", key.text}, {"PTTL", key.text}});
            QVERIFY(dump.ok());
            const qint64 ttl = qMax<qint64>(0, dump->at(1).integer);
            const Outcome<RespValue> restored = to.call({"RESTORE", key.text, QByteArray::number(ttl), dump->at(0).text});
            QVERIFY(restored.ok() && !restored->isError());
        }
    } while (cursor != "0");
}

QStringList TestRedisStore::scratchIds(const char *kindPrefix, const QString &keyPrefix) const
{
    auto c = raw(scratchDb);
    const QByteArray prefix = (keyPrefix + QLatin1String(kindPrefix)).toUtf8();
    QStringList ids;
    QByteArray cursor = "0";
    do {
        const Outcome<RespValue> scan = c->call({"SCAN", cursor, "MATCH", prefix + '*', "COUNT", "100"});
        if (!scan)
            return {};
        cursor = scan->items.at(0).text;
        for (const RespValue &key : scan->items.at(1).items)
            ids.append(QString::fromUtf8(key.text.mid(prefix.size())));
    } while (cursor != "0");
    return sorted(ids);
}

/// What the shared store checks filter by in this fixture (as the CouchDB suite's).
TestSupport::FixtureSample TestRedisStore::sample(const QJsonObject &set) const
{
    TestSupport::FixtureSample s;
    s.status = QStringLiteral("SUCCESS"); // on both workers (every FAILURE is alpha's)
    s.worker = QStringLiteral("alpha@stalk");
    s.taskNames = {QStringLiteral("stalk_redis_tasks.add"), QStringLiteral("stalk_redis_tasks.echo")};
    QVector<QDateTime> dates;
    for (const QJsonValue &v : set.value(QLatin1String("celery")).toArray()) {
        const QJsonObject e = v.toObject();
        const QString done = e.value(QLatin1String("date_done")).toString();
        if (e.value(QLatin1String("worker")).toString() == s.worker && !done.isEmpty()
            && s.taskNames.contains(e.value(QLatin1String("task_name")).toString()))
            dates.append(QDateTime::fromString(done, Qt::ISODateWithMs));
    }
    std::sort(dates.begin(), dates.end());
    if (dates.size() >= 4) {
        s.doneAfter = dates.at(1);
        s.doneBefore = dates.at(dates.size() - 2);
    }
    s.hasPeriodicTasks = false; // Celery's meta has no periodic_task_name
    return s;
}

void TestRedisStore::initTestCase()
{
    STALK_SERVER_URL(url, "STALK_REDIS_URL", "tools/servers/with_redis.sh");
    m_url = url;
    m_expect = TestSupport::jsonObjectOfFileIn("STALK_REDIS_EXPECTATIONS");
    QVERIFY2(!m_expect.isEmpty(), "STALK_REDIS_EXPECTATIONS must name the fixture writer's JSON");
    for (const DbCacheSet &set : dbCacheSets) {
        if (!m_expect.contains(QLatin1String(set.name)) && !qEnvironmentVariableIsEmpty(set.variable))
            m_expect.insert(QLatin1String(set.name), TestSupport::jsonObjectOfFileIn(set.variable).value(QLatin1String("dbcache")));
    }
    for (const QString &name : {QStringLiteral("json"), QStringLiteral("plain"), QStringLiteral("pickle"), QStringLiteral("prefixed"),
                                QStringLiteral("django")})
        QVERIFY2(dataSet(name).value(QLatin1String("counts")).toObject().value(QLatin1String("total")).toInt() > 10, qPrintable(name));
}

void TestRedisStore::shouldOpenEveryDataSetAndDescribeIt_data()
{
    QTest::addColumn<QString>("name");
    for (const char *name : {"json", "plain", "pickle", "prefixed", "django"})
        QTest::newRow(name) << QString::fromLatin1(name);
}

void TestRedisStore::shouldOpenEveryDataSetAndDescribeIt()
{
    QFETCH(QString, name);
    const QJsonObject set = dataSet(name);
    auto store = openStore(name);
    QVERIFY(store);
    const StoreInfo info = store->info();
    QCOMPARE(info.layout, StoreInfo::Layout::Redis);
    QCOMPARE(info.engine, QStringLiteral("Redis"));
    QCOMPARE(info.tableName, QStringLiteral("db %1").arg(set.value(QLatin1String("db")).toInt()));
    QVERIFY2(!info.location.contains(QLatin1String("secret")), qPrintable(info.location));
    // Whose keys: Celery's RedisBackend, or django-celery-results' CacheBackend through Django's cache.
    QVERIFY2(info.schema.startsWith(set.value(QLatin1String("keyprefix")).toString() == QLatin1String(":1:")
                                        ? QLatin1String("django-celery-results CacheBackend keys (Django's cache) under \":1:\"")
                                        : QLatin1String("Celery RedisBackend keys")),
             qPrintable(info.schema));
    QVERIFY2(info.schema.contains(set.value(QLatin1String("serializer")).toString() == QLatin1String("pickle")
                                      ? QLatin1String("values: pickle")
                                      : QLatin1String("values: JSON")),
             qPrintable(info.schema));
    const bool extended = set.value(QLatin1String("extended")).toBool();
    for (Field f : {Field::TaskName, Field::Args, Field::Kwargs, Field::Worker, Field::Queue})
        QCOMPARE(info.fields.contains(f), extended);
    for (Field f : {Field::TaskId, Field::Status, Field::Result, Field::Traceback, Field::DateDone, Field::GroupId, Field::Expires})
        QVERIFY(info.fields.contains(f));
    QVERIFY(!info.fields.contains(Field::PeriodicTaskName));
    QVERIFY(info.hasGroups);
    QCOMPARE(info.note.contains(QLatin1String("without result_extended")), !extended);
    QCOMPARE(store->loadedCount(), qint64(set.value(QLatin1String("counts")).toObject().value(QLatin1String("total")).toInt()));
    QVERIFY(!store->isLoading());
}

void TestRedisStore::shouldReadEveryResultAsUpstreamDoes_data()
{
    shouldOpenEveryDataSetAndDescribeIt_data();
    addDbCacheRows();
}

void TestRedisStore::shouldReadEveryResultAsUpstreamDoes()
{
    QFETCH(QString, name);
    REQUIRE_DATA_SET(name);
    auto store = openStore(name);
    QVERIFY(store);
    const QJsonArray celery = dataSet(name).value(QLatin1String("celery")).toArray();
    for (const QJsonValue &v : celery) {
        const QJsonObject e = v.toObject();
        const QString id = e.value(QLatin1String("task_id")).toString();
        const Outcome<TaskResult> row = store->fetchByTaskId(id);
        QVERIFY2(row.ok(), qPrintable(id + QStringLiteral(": ") + row.error().message));
        TestSupport::verifyRowAsUpstreamReadIt(*row, e, qEnvironmentVariable("STALK_REDIS_EXPECTATIONS"));
        if (QTest::currentTestFailed())
            return;
    }
}

void TestRedisStore::shouldCountAndFacetLikeUpstream_data()
{
    shouldReadEveryResultAsUpstreamDoes_data();
}

void TestRedisStore::shouldCountAndFacetLikeUpstream()
{
    QFETCH(QString, name);
    REQUIRE_DATA_SET(name);
    auto store = openStore(name);
    QVERIFY(store);
    TestSupport::verifyCountsAndFacets(*store, dataSet(name).value(QLatin1String("counts")).toObject(),
                                       sample(dataSet(name)));
}

void TestRedisStore::shouldCountFacetsWithoutTheirOwnFilter()
{
    auto store = openStore(QStringLiteral("json"));
    QVERIFY(store);
    TestSupport::verifyFacetsIgnoreTheirOwnFilter(*store, sample(dataSet(QStringLiteral("json"))));
}

void TestRedisStore::shouldFilterBySetsAndDates()
{
    for (const QString &name : {QStringLiteral("json"), QStringLiteral("pickle")}) {
        auto store = openStore(name);
        QVERIFY(store);
        const TestSupport::FixtureSample s = sample(dataSet(name));
        QVERIFY2(s.doneAfter.isValid(), "the fixture needs 4 dated add/echo rows on alpha@stalk");
        const qint64 nullOrNightly = TestSupport::verifySetAndDateFilters(*store, s);
        if (QTest::currentTestFailed())
            return;
        QCOMPARE(nullOrNightly, *store->count(TaskQuery())); // no periodic task anywhere
    }
}

void TestRedisStore::shouldSearchWithDjangoSemantics_data()
{
    QTest::addColumn<QString>("name");
    QTest::addColumn<QString>("term");
    QTest::addColumn<QStringList>("ids");
    for (const char *name : {"json", "pickle", "prefixed", "django", "dbcache", "pg-dbcache", "mysql-dbcache"}) {
        if (!missingDataSet(QString::fromLatin1(name)).isEmpty())
            QTest::newRow(name) << QString::fromLatin1(name) << QString() << QStringList(); // skips, or fails
        for (const QJsonValue &v : dataSet(QString::fromLatin1(name)).value(QLatin1String("search")).toArray()) {
            const QJsonObject o = v.toObject();
            const QString term = o.value(QLatin1String("term")).toString();
            QTest::addRow("%s %s", name, qPrintable(term))
                << QString::fromLatin1(name) << term << stringsOf(o.value(QLatin1String("task_ids")).toArray());
        }
    }
}

void TestRedisStore::shouldSearchWithDjangoSemantics()
{
    QFETCH(QString, name);
    QFETCH(QString, term);
    QFETCH(QStringList, ids);
    REQUIRE_DATA_SET(name);
    auto store = openStore(name);
    QVERIFY(store);
    TestSupport::verifySearch(*store, term, ids, ids);
}

void TestRedisStore::shouldOrderByDateDoneNewestFirst()
{
    // The admin's order, date_done descending; undated results last, ties by row id (the
    // hash of the key) descending — as on CouchDB.
    struct Row
    {
        QDateTime done;
        qint64 rowId;
        QString taskId;
    };
    for (const QString &name : {QStringLiteral("json"), QStringLiteral("pickle")}) {
        QVector<Row> rows;
        for (const QJsonValue &v : dataSet(name).value(QLatin1String("celery")).toArray()) {
            const QJsonObject e = v.toObject();
            const QString done = e.value(QLatin1String("date_done")).toString();
            rows.append({done.isEmpty() ? QDateTime() : QDateTime::fromString(done, Qt::ISODateWithMs),
                         CouchIndex::rowIdFor(e.value(QLatin1String("key")).toString()),
                         e.value(QLatin1String("task_id")).toString()});
        }
        std::sort(rows.begin(), rows.end(), [](const Row &a, const Row &b) {
            if (a.done.isValid() != b.done.isValid())
                return a.done.isValid();
            if (a.done != b.done)
                return a.done > b.done;
            return a.rowId > b.rowId;
        });
        QStringList expected;
        for (const Row &r : std::as_const(rows))
            expected.append(r.taskId);
        auto store = openStore(name);
        QVERIFY(store);
        TestSupport::verifyDefaultOrder(*store, expected);
    }
}

void TestRedisStore::shouldReturnSummaryAndFullRows()
{
    auto store = openStore(QStringLiteral("json"));
    QVERIFY(store);
    TaskQuery q;
    q.sortField = Field::RowId;
    const auto summary = store->fetchPage(q, 0, 100);
    const auto full = store->fetchPage(q, 0, 100, RowDetail::Full);
    QVERIFY(summary.ok() && full.ok());
    QCOMPARE(summary->size(), full->size());
    for (qsizetype i = 0; i < summary->size(); ++i) {
        const TaskResult &s = summary->at(i), &f = full->at(i);
        QCOMPARE(s.rowId, f.rowId);
        QCOMPARE(s.taskId, f.taskId);
        QVERIFY(!s.complete);
        QVERIFY(f.complete);
        QCOMPARE(s.status, f.status);
        QCOMPARE(s.dateDone, f.dateDone);
        QCOMPARE(s.result, f.result.left(ResultStore::previewChars));
        QCOMPARE(s.args, f.args.left(ResultStore::previewChars));
        // Details on demand: the summary has no traceback, the full row and fetchOne do.
        QVERIFY(s.traceback.isNull());
        const Outcome<TaskResult> one = store->fetchOne(s.rowId);
        QVERIFY(one.ok());
        QVERIFY(f.expires.isValid()); // read with the values; a page row has none
        QVERIFY(!s.expires.isValid());
        QVERIFY(qAbs(one->expires.msecsTo(f.expires)) < 5000); // the same TTL, read twice
        TaskResult same = *one;
        same.expires = f.expires;
        QCOMPARE(same, f);
    }
}

void TestRedisStore::shouldGiveTheSameRowIdsInEveryStore()
{
    auto a = openStore(QStringLiteral("json"));
    auto b = openStore(QStringLiteral("json"));
    QVERIFY(a && b);
    const auto ra = a->fetchPage(TaskQuery(), 0, 100);
    const auto rb = b->fetchPage(TaskQuery(), 0, 100);
    QVERIFY(ra.ok() && rb.ok());
    QCOMPARE(*ra, *rb);
    for (const TaskResult &t : *ra)
        QCOMPARE(t.rowId, CouchIndex::rowIdFor(QStringLiteral("celery-task-meta-") + t.taskId));
}

void TestRedisStore::shouldOpenThroughTheFactoryTheSocketAndThePrefix()
{
    const qint64 total = dataSet(QStringLiteral("prefixed")).value(QLatin1String("counts")).toObject().value(QLatin1String("total")).toInt();
    const QString password = StoreUrl::parse(m_url)->password;
    const QStringList urls = {
        m_url + QStringLiteral("/4?keyprefix=stalk:"),
        QStringLiteral("redis+socket://:%1@%2?virtual_host=4&keyprefix=stalk%3A")
            .arg(password, qEnvironmentVariable("STALK_REDIS_SOCKET")),
    };
    for (const QString &url : urls) {
        const StoreOpener opener(url);
        QVERIFY2(!opener.displayString().contains(password), qPrintable(opener.displayString()));
        const Outcome<StoreFactory> factory = opener.factory();
        QVERIFY2(factory.ok(), qPrintable(factory.error().message));
        std::unique_ptr<ResultStore> store = (*factory)();
        const StoreError e = store->open();
        QVERIFY2(!e.isError(), qPrintable(url + u' ' + e.message));
        QCOMPARE(*store->count(TaskQuery()), total);
        QVERIFY(!store->info().location.contains(password));
    }
    // Without the prefix database 4 holds no Celery result Stalk can see: one sentence says so.
    const Outcome<StoreFactory> bare = makeStoreFactory(m_url + QStringLiteral("/4"));
    QVERIFY(bare.ok());
    const StoreError e = (*bare)()->open();
    QCOMPARE(e.code, StoreError::Code::NotCelery);
    QVERIFY2(e.message.contains(QLatin1String("?keyprefix=")), qPrintable(e.message));
    QVERIFY2(!e.message.contains(password), qPrintable(e.message));
}

void TestRedisStore::shouldReadEveryResultOverTlsAsOverTcp_data()
{
    shouldOpenEveryDataSetAndDescribeIt_data();
}

void TestRedisStore::shouldReadEveryResultOverTlsAsOverTcp()
{
    // The data set's keys copied into a private TLS-only server, read through rediss://
    // trusting its self-signed certificate (ssl_ca_certs): the same description, rows, values,
    // facets and groups as the shared server's over plain TCP, and every result as upstream
    // reads it.
    QFETCH(QString, name);
    const QJsonObject set = dataSet(name);
    const int db = set.value(QLatin1String("db")).toInt();
    PrivateRedis server;
    const QString why = server.start({}, PrivateRedis::Transport::Tls);
    QVERIFY2(why.isEmpty(), qPrintable(why));
    {
        RedisEndpoint endpoint = server.endpoint();
        endpoint.database = db;
        RedisConnection to(endpoint);
        QVERIFY(!to.connect().isError());
        copyDataSet(name, to);
        if (QTest::currentTestFailed())
            return;
    }
    auto plain = openStore(name);
    QVERIFY(plain);
    RedisStore tls(configFor(server.url(db), set.value(QLatin1String("keyprefix")).toString()));
    const StoreError opened = tls.open();
    QVERIFY2(!opened.isError(), qPrintable(opened.message));
    QVERIFY2(tls.info().location.startsWith(QLatin1String("rediss://127.0.0.1:")), qPrintable(tls.info().location));
    QCOMPARE(tls.info().schema, plain->info().schema);
    QCOMPARE(tls.info().tableName, plain->info().tableName);
    QVERIFY(tls.info().fields == plain->info().fields);
    QCOMPARE(tls.loadedCount(), qint64(set.value(QLatin1String("counts")).toObject().value(QLatin1String("total")).toInt()));
    QCOMPARE(*tls.count(TaskQuery()), *plain->count(TaskQuery()));
    QVERIFY(*tls.facets(TaskQuery()) == *plain->facets(TaskQuery()));
    QCOMPARE(*tls.groups(TaskQuery(), 500), *plain->groups(TaskQuery(), 500));
    // Complete rows (values read again on demand), in row order; the TTLs were copied, and
    // read a moment apart.
    const auto complete = [](ResultStore &store) {
        TaskQuery byRow;
        byRow.sortField = Field::RowId;
        return store.fetchPage(byRow, 0, 1000, RowDetail::Full).value();
    };
    const QVector<TaskResult> overTls = complete(tls), overTcp = complete(*plain);
    QCOMPARE(overTls.size(), overTcp.size());
    for (qsizetype i = 0; i < overTls.size(); ++i) {
        QCOMPARE(overTls.at(i).taskId, overTcp.at(i).taskId);
        QVERIFY(qAbs(overTls.at(i).expires.secsTo(overTcp.at(i).expires)) <= 5);
        TaskResult same = overTls.at(i);
        same.expires = overTcp.at(i).expires;
        QCOMPARE(same, overTcp.at(i));
    }
    for (const QJsonValue &v : set.value(QLatin1String("celery")).toArray()) {
        const QJsonObject e = v.toObject();
        const Outcome<TaskResult> row = tls.fetchByTaskId(e.value(QLatin1String("task_id")).toString());
        QVERIFY2(row.ok(), qPrintable(row.error().message));
        TestSupport::verifyRowAsUpstreamReadIt(*row, e, qEnvironmentVariable("STALK_REDIS_EXPECTATIONS"));
        if (QTest::currentTestFailed())
            return;
    }
}

void TestRedisStore::shouldCheckTheTlsServersCertificate_data()
{
    // {PORT}, {CA} and {KEY} stand for the server's port, certificate and key files; "refused" is
    // the one sentence (empty: the store opens).
    QTest::addColumn<bool>("clientCertificates"); // the server asks for one (tls-auth-clients yes)
    QTest::addColumn<QString>("url");
    QTest::addColumn<QString>("refused");
    const QString selfSigned = QStringLiteral("the TLS handshake with Redis at 127.0.0.1:{PORT} failed: The certificate is self-signed, and untrusted");
    QTest::newRow("required by default") << false << QStringLiteral("rediss://127.0.0.1:{PORT}/0") << selfSigned;
    QTest::newRow("required") << false << QStringLiteral("rediss://127.0.0.1:{PORT}/0?ssl_cert_reqs=required") << selfSigned;
    // Python's ssl (Celery's redis-py) verifies a server's certificate with CERT_OPTIONAL too:
    // "In client mode, CERT_OPTIONAL has the same meaning as CERT_REQUIRED".
    QTest::newRow("optional") << false << QStringLiteral("rediss://127.0.0.1:{PORT}/0?ssl_cert_reqs=optional") << selfSigned;
    QTest::newRow("none") << false << QStringLiteral("rediss://127.0.0.1:{PORT}/0?ssl_cert_reqs=none") << QString();
    QTest::newRow("trusted") << false << QStringLiteral("rediss://127.0.0.1:{PORT}/0?ssl_ca_certs={CA}") << QString();
    QTest::newRow("trusted, required") << false << QStringLiteral("rediss://127.0.0.1:{PORT}/0?ssl_cert_reqs=required&ssl_ca_certs={CA}") << QString();
    // Qt checks that the certificate names the host of the URL (it names 127.0.0.1 only);
    // redis-py 4.3 does not unless ssl_check_hostname is set.
    QTest::newRow("trusted, another host name")
        << false << QStringLiteral("rediss://localhost:{PORT}/0?ssl_ca_certs={CA}")
        << QStringLiteral("the TLS handshake with Redis at localhost:{PORT} failed: The host name did not match any of the valid hosts for this certificate");
    QTest::newRow("client certificate asked, none given")
        << true << QStringLiteral("rediss://127.0.0.1:{PORT}/0?ssl_ca_certs={CA}")
        << QStringLiteral("Redis at 127.0.0.1:{PORT} closed the connection while waiting for a reply (does it require a TLS client "
                          "certificate? add ssl_certfile=FILE and ssl_keyfile=FILE)");
    QTest::newRow("client certificate given") << true << QStringLiteral("rediss://127.0.0.1:{PORT}/0?ssl_ca_certs={CA}&ssl_certfile={CA}&ssl_keyfile={KEY}")
                                              << QString();
}

void TestRedisStore::shouldCheckTheTlsServersCertificate()
{
    QFETCH(bool, clientCertificates);
    QFETCH(QString, url);
    QFETCH(QString, refused);
    PrivateRedis server;
    const QString why = server.start({}, clientCertificates ? PrivateRedis::Transport::TlsClientCertificates : PrivateRedis::Transport::Tls);
    QVERIFY2(why.isEmpty(), qPrintable(why));
    {
        RedisConnection c(server.endpoint());
        QVERIFY(!c.connect().isError());
        QVERIFY(c.call({"SET", "celery-task-meta-tls", celeryMeta("tls")}).ok());
    }
    const QString port = QString::number(server.endpoint().port);
    url.replace(QLatin1String("{PORT}"), port).replace(QLatin1String("{CA}"), server.caFile()).replace(QLatin1String("{KEY}"), server.keyFile());
    const Outcome<StoreFactory> factory = makeStoreFactory(url);
    QVERIFY2(factory.ok(), qPrintable(factory.error().message));
    std::unique_ptr<ResultStore> store = (*factory)();
    const StoreError e = store->open();
    if (refused.isEmpty()) {
        QVERIFY2(!e.isError(), qPrintable(e.message));
        QCOMPARE(*store->count(TaskQuery()), qint64(1));
        return;
    }
    QCOMPARE(e.code, StoreError::Code::ConnectionFailed);
    QCOMPARE(e.message, refused.replace(QLatin1String("{PORT}"), port));
}

void TestRedisStore::shouldCountOverTlsFromTheCommandLine()
{
    if (qEnvironmentVariable("STALK_BIN").isEmpty())
        QSKIP("STALK_BIN is not set (CTest sets it)");
    PrivateRedis server;
    const QString why = server.start({}, PrivateRedis::Transport::Tls);
    QVERIFY2(why.isEmpty(), qPrintable(why));
    {
        RedisConnection to(server.endpoint());
        QVERIFY(!to.connect().isError());
        copyDataSet(QStringLiteral("json"), to);
        if (QTest::currentTestFailed())
            return;
    }
    const QJsonObject counts = dataSet(QStringLiteral("json")).value(QLatin1String("counts")).toObject();
    const QString url = server.url(0);
    Run r = stalk({QStringLiteral("count"), url});
    QVERIFY2(r.exitCode == 0, qPrintable(r.err));
    QCOMPARE(r.out, QStringLiteral("%1\n").arg(counts.value(QLatin1String("total")).toInt()));
    r = stalk({QStringLiteral("count"), url, QStringLiteral("--status"), QStringLiteral("FAILURE")});
    QVERIFY2(r.exitCode == 0, qPrintable(r.err));
    QCOMPARE(r.out.trimmed().toLongLong(), qint64(counts.value(QLatin1String("status")).toObject().value(QLatin1String("FAILURE")).toInt()));
    // Without the certificate: exit 1 and the store's sentence on one line.
    r = stalk({QStringLiteral("count"), QStringLiteral("rediss://127.0.0.1:%1/0").arg(server.endpoint().port)});
    QCOMPARE(r.exitCode, 1);
    QVERIFY2(r.out.isEmpty(), qPrintable(r.out));
    QVERIFY2(r.err.startsWith(QStringLiteral("stalk: cannot open rediss://127.0.0.1:%1/0: the TLS handshake with Redis at 127.0.0.1:%1 failed: "
                                             "The certificate is self-signed, and untrusted")
                                  .arg(server.endpoint().port))
                 && r.err.count(u'\n') == 1,
             qPrintable(r.err));
}

void TestRedisStore::shouldReadCeleryAndDjangoCacheKeysWithoutAPrefix()
{
    const QJsonObject django = dataSet(QStringLiteral("django"));
    const qint64 djangoTotal = django.value(QLatin1String("counts")).toObject().value(QLatin1String("total")).toInt();
    const qint64 celeryTotal = dataSet(QStringLiteral("json")).value(QLatin1String("counts")).toObject().value(QLatin1String("total")).toInt();
    auto open = [this](const QString &url) -> std::unique_ptr<ResultStore> {
        const Outcome<StoreFactory> factory = makeStoreFactory(url);
        if (!factory)
            return nullptr;
        std::unique_ptr<ResultStore> store = (*factory)();
        const StoreError e = store->open();
        if (e.isError())
            qWarning("%s: %s", qPrintable(url), qPrintable(e.message));
        return e.isError() ? nullptr : std::move(store);
    };
    // Django's cache alone, no ?keyprefix=: its keys are found, and the status bar says whose.
    std::unique_ptr<ResultStore> store = open(m_url + QStringLiteral("/%1").arg(django.value(QLatin1String("db")).toInt()));
    QVERIFY(store);
    QCOMPARE(*store->count(TaskQuery()), djangoTotal);
    QVERIFY2(store->info().schema.startsWith(QLatin1String("django-celery-results CacheBackend keys (Django's cache) under \":1:\" (Redis")),
             qPrintable(store->info().schema));
    for (const QJsonValue &v : django.value(QLatin1String("celery")).toArray()) {
        const QJsonObject e = v.toObject();
        const Outcome<TaskResult> row = store->fetchByTaskId(e.value(QLatin1String("task_id")).toString());
        QVERIFY2(row.ok(), qPrintable(row.error().message));
        QCOMPARE(row->status, e.value(QLatin1String("state")).toString());
    }
    const Outcome<TaskResult> missing = store->fetchByTaskId(QStringLiteral("no-such-task"));
    QCOMPARE(missing.error().code, StoreError::Code::NotFound);
    QVERIFY2(missing.error().message.contains(QLatin1String(":1:celery-task-meta-no-such-task")), qPrintable(missing.error().message));

    // Both in one database: both read, each under its prefix; ?keyprefix= picks one.
    copyToScratch(QStringLiteral("json"));
    copyToScratch(QStringLiteral("django"), true);
    const QString scratch = m_url + QStringLiteral("/%1").arg(scratchDb);
    store = open(scratch);
    QVERIFY(store);
    QCOMPARE(*store->count(TaskQuery()), celeryTotal + djangoTotal);
    QVERIFY2(store->info().schema.startsWith(
                 QLatin1String("Celery RedisBackend keys and django-celery-results CacheBackend keys (Django's cache) under \":1:\"")),
             qPrintable(store->info().schema));
    store = open(scratch + QStringLiteral("?keyprefix=:1:"));
    QVERIFY(store);
    QCOMPARE(*store->count(TaskQuery()), djangoTotal);
    QVERIFY2(store->info().schema.startsWith(QLatin1String("django-celery-results CacheBackend keys")), qPrintable(store->info().schema));
    store = open(scratch + QStringLiteral("?keyprefix="));
    QVERIFY(store);
    QCOMPARE(*store->count(TaskQuery()), celeryTotal);
    QVERIFY2(store->info().schema.startsWith(QLatin1String("Celery RedisBackend keys (Redis")), qPrintable(store->info().schema));

    // The command line: a failure pickled by Django's cache reads as upstream rebuilds it.
    if (qEnvironmentVariable("STALK_BIN").isEmpty())
        return;
    const QString url = m_url + QStringLiteral("/%1").arg(django.value(QLatin1String("db")).toInt());
    Run r = stalk({QStringLiteral("count"), url});
    QCOMPARE(r.exitCode, 0);
    QCOMPARE(r.out.trimmed().toLongLong(), djangoTotal);
    for (const QJsonValue &v : django.value(QLatin1String("celery")).toArray()) {
        const QJsonObject e = v.toObject();
        if (e.value(QLatin1String("status")).toString() != QLatin1String("FAILURE"))
            continue;
        r = stalk({QStringLiteral("show"), url, e.value(QLatin1String("task_id")).toString(), QStringLiteral("--decode")});
        QCOMPARE(r.exitCode, 0);
        const QJsonObject shown = QJsonDocument::fromJson(r.out.toUtf8()).object();
        QCOMPARE(shown.value(QLatin1String("result_decoded")).toString().section(u'\n', 0, 0), e.value(QLatin1String("result")).toString());
        QCOMPARE(shown.value(QLatin1String("date_done")).toString(), e.value(QLatin1String("date_done")).toString());
        QVERIFY2(shown.value(QLatin1String("traceback")).toString().contains(QLatin1String("ValueError")), qPrintable(r.out));
    }
}

TestRedisStore::CacheCopy TestRedisStore::cacheCopy(const QString &name, const QString &copy) const
{
    const QJsonObject set = dataSet(name);
    const QString url = set.value(QLatin1String("url")).toString();
    if (url.isEmpty()) {
        const QString to = m_tmp.filePath(copy + QStringLiteral(".sqlite3"));
        QFile::remove(to);
        QFile::copy(set.value(QLatin1String("file")).toString(), to);
        QFile(to).setPermissions(QFileDevice::ReadOwner | QFileDevice::WriteOwner);
        return {QStringLiteral("sqlite:///") + to, to, QStringLiteral("stalk_cache")};
    }
    const bool pg = StoreUrl::parse(url)->scheme == StoreUrl::Scheme::PostgreSql;
    const QStringList made = rawSql(url, QStringLiteral("DROP TABLE IF EXISTS %1;").arg(copy)
                                             + (pg ? QStringLiteral("CREATE TABLE %1 (LIKE stalk_cache INCLUDING ALL);")
                                                   : QStringLiteral("CREATE TABLE %1 LIKE stalk_cache;"))
                                                   .arg(copy)
                                             + QStringLiteral("INSERT INTO %1 SELECT * FROM stalk_cache").arg(copy));
    if (!made.isEmpty())
        qWarning("copying stalk_cache failed: %s", qPrintable(made.join(u';')));
    return {url + QStringLiteral("?table=") + copy, url, copy};
}

void TestRedisStore::dropCacheCopy(const CacheCopy &copy)
{
    if (copy.raw.contains(QLatin1String("://")))
        rawSql(copy.raw, QStringLiteral("DROP TABLE IF EXISTS %1").arg(copy.table));
}

std::unique_ptr<ResultStore> TestRedisStore::openCopy(const CacheCopy &copy)
{
    auto factory = makeStoreFactory(copy.storeUrl);
    if (!factory) {
        qWarning("%s: %s", qPrintable(copy.storeUrl), qPrintable(factory.error().message));
        return nullptr;
    }
    std::unique_ptr<ResultStore> store = (*factory)();
    if (const StoreError e = store->open()) {
        qWarning("open failed: %s", qPrintable(e.message));
        return nullptr;
    }
    return store;
}

QStringList TestRedisStore::cacheIds(const CacheCopy &copy, const char *kind)
{
    const QString prefix = QStringLiteral(":1:") + QLatin1String(kind);
    QStringList out;
    for (const QString &key : rawSql(copy.raw, QStringLiteral("SELECT cache_key FROM %1 WHERE cache_key LIKE '%2%'").arg(copy.table, prefix)))
        out.append(key.mid(prefix.size()));
    return sorted(out);
}

QStringList TestRedisStore::rawSql(const QString &target, const QString &sql)
{
    QStringList out;
    {
        QSqlDatabase db;
        if (target.contains(QLatin1String("://"))) {
            const StoreUrl u = StoreUrl::parse(target).value();
            db = TestSupport::serverConnection(u, u.database, QStringLiteral("raw"));
        } else {
            db = QSqlDatabase::addDatabase(QStringLiteral("QSQLITE"), QStringLiteral("raw"));
            db.setDatabaseName(target);
        }
        if (!db.open()) {
            out = QStringList{QStringLiteral("cannot open %1: %2").arg(target, db.lastError().text())};
        } else {
            for (const QString &statement : sql.split(u';', Qt::SkipEmptyParts)) {
                QSqlQuery q(db);
                if (!q.exec(statement)) {
                    out = QStringList{q.lastError().text()};
                    break;
                }
                while (q.isSelect() && q.next())
                    out.append(q.value(0).toString());
            }
        }
        db.close();
    }
    QSqlDatabase::removeDatabase(QStringLiteral("raw"));
    return out;
}

void TestRedisStore::shouldDescribeADjangoDatabaseCacheTable_data()
{
    QTest::addColumn<QString>("name");
    QTest::addColumn<QString>("engine");
    for (const DbCacheSet &set : dbCacheSets)
        QTest::newRow(set.name) << QString::fromLatin1(set.name) << QString::fromLatin1(set.engine);
}

void TestRedisStore::shouldDescribeADjangoDatabaseCacheTable()
{
    QFETCH(QString, name);
    QFETCH(QString, engine);
    REQUIRE_DATA_SET(name);
    const QJsonObject set = dataSet(name);
    auto store = openStore(name);
    QVERIFY(store);
    const StoreInfo info = store->info();
    QCOMPARE(info.layout, StoreInfo::Layout::DjangoCache);
    QVERIFY2(info.engine.startsWith(engine), qPrintable(info.engine));
    QCOMPARE(info.tableName, QStringLiteral("stalk_cache"));
    QVERIFY2(!info.location.contains(QLatin1String("secret")), qPrintable(info.location));
    QVERIFY2(info.schema.startsWith(QLatin1String("django-celery-results CacheBackend rows (Django's DatabaseCache stalk_cache, keys under \":1:\")")),
             qPrintable(info.schema));
    for (Field f : {Field::TaskName, Field::Args, Field::Kwargs, Field::Worker, Field::Queue, Field::Expires})
        QVERIFY(info.fields.contains(f));
    QVERIFY(info.hasGroups);
    QVERIFY(info.readOnly);
    QCOMPARE(*store->count(TaskQuery()), qint64(set.value(QLatin1String("counts")).toObject().value(QLatin1String("total")).toInt()));
    QCOMPARE(store->deleteRows({0}).error().code, StoreError::Code::PermissionDenied);
    // Pages: every page of the whole listing, each way of seeking, holds what one read of
    // everything holds, and that is upstream's set of task ids.
    const auto whole = store->fetchPage(TaskQuery(), 0, 1000);
    QVERIFY2(whole.ok(), qPrintable(whole.error().message));
    QStringList expectedIds;
    for (const QJsonValue &v : set.value(QLatin1String("celery")).toArray())
        expectedIds.append(v.toObject().value(QLatin1String("task_id")).toString());
    QCOMPARE(sorted(taskIdsOf(*whole)), sorted(expectedIds));
    TestSupport::verifyPagesMatchTheWhole(*store, TaskQuery(), taskIdsOf(*whole));
    if (QTest::currentTestFailed())
        return;
    // `stalk stats --by` goes to the cache table's index, never to SQL of a results table.
    const auto history = store->statusHistory(TaskQuery(), TimeBucket::Day);
    QVERIFY2(history.ok(), qPrintable(history.error().message));
    QVERIFY(!history->buckets.isEmpty());
    // So does `stalk failures`: every FAILURE row of the set lands in one group.
    TaskQuery failed;
    failed.statuses = {QStringLiteral("FAILURE")};
    const auto failures = store->failures(failed);
    QVERIFY2(failures.ok(), qPrintable(failures.error().message));
    qint64 grouped = 0;
    for (const FailureGroup &g : failures->groups)
        grouped += g.count;
    const int expectedFailures = set.value(QLatin1String("counts")).toObject().value(QLatin1String("status")).toObject()
                                     .value(QLatin1String("FAILURE")).toInt();
    QVERIFY(expectedFailures > 0);
    QCOMPARE(grouped, qint64(expectedFailures));
}

void TestRedisStore::shouldPurgeADjangoDatabaseCacheTable_data()
{
    QTest::addColumn<QString>("name");
    QTest::addColumn<QString>("cutoff");
    QTest::addColumn<QStringList>("expired");
    QTest::addColumn<int>("batchSize");
    for (const DbCacheSet &set : dbCacheSets) {
        const QString name = QString::fromLatin1(set.name);
        if (!missingDataSet(name).isEmpty())
            QTest::newRow(set.name) << name << QString() << QStringList() << 1; // skips, or fails
        int k = 0;
        for (const QJsonValue &v : dataSet(name).value(QLatin1String("expired")).toArray()) {
            const QJsonObject o = v.toObject();
            const int batch = (k++ % 2 == 0) ? 1 : 4;
            QTest::addRow("%s before %s by %d", set.name, qPrintable(o.value(QLatin1String("cutoff")).toString()), batch)
                << name << o.value(QLatin1String("cutoff")).toString() << stringsOf(o.value(QLatin1String("task_ids")).toArray()) << batch;
        }
    }
}

void TestRedisStore::shouldPurgeADjangoDatabaseCacheTable()
{
    QFETCH(QString, name);
    QFETCH(QString, cutoff);
    QFETCH(QStringList, expired);
    QFETCH(int, batchSize);
    REQUIRE_DATA_SET(name);
    const CacheCopy copy = cacheCopy(name, QStringLiteral("stalk_cache_purge"));
    const auto drop = qScopeGuard([&copy] { dropCacheCopy(copy); });
    std::unique_ptr<ResultStore> store = openCopy(copy);
    QVERIFY(store);
    QCOMPARE(cacheIds(copy, CouchDocument::taskPrefix).size(), dataSet(name).value(QLatin1String("celery")).toArray().size());
    // Celery 5.2 saves groups without date_done: they never expire (as upstream's cleanup).
    TestSupport::verifyPurgeInBatches(*store, TestSupport::criteriaFor(cutoff), batchSize, expired, {},
                                      [&] { return cacheIds(copy, CouchDocument::taskPrefix); },
                                      [&] { return cacheIds(copy, CouchDocument::groupPrefix); });
    if (QTest::currentTestFailed())
        return;
    // Delete Selected: one row, by its row id; nothing else goes.
    const QStringList before = cacheIds(copy, CouchDocument::taskPrefix);
    if (before.isEmpty())
        return;
    const Outcome<TaskResult> row = store->fetchByTaskId(before.constFirst());
    QVERIFY2(row.ok(), qPrintable(row.error().message));
    const Outcome<DeleteBatch> deleted = store->deleteRows({row->rowId});
    QVERIFY2(deleted.ok(), qPrintable(deleted.error().message));
    QCOMPARE(deleted->tasks, qint64(1));
    QCOMPARE(cacheIds(copy, CouchDocument::taskPrefix), before.mid(1));
    QCOMPARE(store->fetchByTaskId(before.constFirst()).error().code, StoreError::Code::NotFound);
    store.reset(); // before the copy is dropped
}

void TestRedisStore::shouldPurgeCacheTableRowsPastTheirDjangoExpiry_data()
{
    QTest::addColumn<QString>("name");
    addDbCacheRows();
}

void TestRedisStore::shouldPurgeCacheTableRowsPastTheirDjangoExpiry()
{
    // Rows aged with Django's own touch() in a copy; Django's own has_key() says which are
    // missing; `expires` is what Stalk compares (TestSupport::verifyCacheExpiredPurge()).
    QFETCH(QString, name);
    REQUIRE_DATA_SET(name);
    const CacheCopy copy = cacheCopy(name, QStringLiteral("stalk_cache_expiry"));
    const auto drop = qScopeGuard([&copy] { dropCacheCopy(copy); });
    // A cutoff that expires some results by date done and keeps others.
    const QJsonObject set = dataSet(name);
    const int total = set.value(QLatin1String("counts")).toObject().value(QLatin1String("total")).toInt();
    QString cutoff;
    QStringList expiredBefore;
    for (const QJsonValue &v : set.value(QLatin1String("expired")).toArray()) {
        const QStringList ids = stringsOf(v.toObject().value(QLatin1String("task_ids")).toArray());
        if (ids.size() >= 2 && ids.size() <= total - 8) {
            cutoff = v.toObject().value(QLatin1String("cutoff")).toString();
            expiredBefore = ids;
        }
    }
    QVERIFY2(!cutoff.isEmpty(), "no cutoff of the data set splits it");
    const TestSupport::DjangoCacheTarget cache{QStringLiteral(STALK_CACHEEXPIRY_EXPECTED), QStringLiteral(STALK_REDIS_TASKS_DIR),
                                               QStringLiteral("db"), copy.raw, copy.table};
    TestSupport::verifyCacheExpiredPurge([&copy] { return openCopy(copy); }, cache, set.value(QLatin1String("celery")).toArray(),
                                         cutoff, expiredBefore, [&copy] { return cacheIds(copy, CouchDocument::taskPrefix); });
}

void TestRedisStore::shouldPurgeACacheTableWhileARealWorkerWrites_data()
{
    QTest::addColumn<QString>("name");
    QTest::addColumn<QString>("live");
    for (const DbCacheSet &set : dbCacheSets) {
        if (set.live)
            QTest::newRow(set.name) << QString::fromLatin1(set.name) << QString::fromLatin1(set.live);
    }
}

void TestRedisStore::shouldPurgeACacheTableWhileARealWorkerWrites()
{
    // A real Celery worker keeps writing through django-celery-results' CacheBackend into a
    // copy of the DatabaseCache table (tools/servers/live_writer.py --cache-table) while the
    // purge engine of the window and `stalk purge` deletes what was expired before it began.
    QFETCH(QString, name);
    QFETCH(QString, live);
    REQUIRE_DATA_SET(name);
    const QString writer = qEnvironmentVariable(qPrintable(live + QStringLiteral("_LIVE_WRITER")));
    if (writer.isEmpty()) {
        if (qEnvironmentVariableIntValue("STALK_REQUIRE_SERVERS") == 1)
            QFAIL(qPrintable(live + QStringLiteral("_LIVE_WRITER is not set")));
        QSKIP("no live writer (run under tools/servers/with_*.sh)");
    }
    const QJsonObject set = dataSet(name);
    const QString cutoff = QStringLiteral("2025-02-01T00:00:00Z");
    QStringList expired;
    for (const QJsonValue &v : set.value(QLatin1String("expired")).toArray()) {
        if (v.toObject().value(QLatin1String("cutoff")).toString() == cutoff)
            expired = stringsOf(v.toObject().value(QLatin1String("task_ids")).toArray());
    }
    QVERIFY2(!expired.isEmpty(), qPrintable(QStringLiteral("no expired set for ") + cutoff));
    const CacheCopy copy = cacheCopy(name, QStringLiteral("stalk_cache_live"));
    const auto drop = qScopeGuard([&copy] { dropCacheCopy(copy); });

    // 300 more expired results, stored by the CacheBackend before the worker starts and dated
    // 2025-01-01 through it: the purge then takes many batches while the worker writes.
    TestSupport::LiveWriter writing;
    QVERIFY(writing.start(writer, {QStringLiteral("--server-url"), copy.raw, QStringLiteral("--cache-table"), copy.table,
                                   QStringLiteral("--old"), QStringLiteral("300"), QStringLiteral("--old-date"),
                                   QStringLiteral("2025-01-01T00:00:00"), QStringLiteral("--waves"), QStringLiteral("8"),
                                   QStringLiteral("--per-wave"), QStringLiteral("10"), QStringLiteral("--broker"),
                                   qEnvironmentVariable(qPrintable(live + QStringLiteral("_LIVE_BROKER"))), QStringLiteral("--workdir"),
                                   qEnvironmentVariable(qPrintable(live + QStringLiteral("_LIVE_WORKDIR")))}));
    QVERIFY2(writing.waitFor("READY\n"), writing.output().constData()); // nothing sent to the worker yet
    const QStringList old = writing.ids("OLD");
    QCOMPARE(old.size(), 300);
    QStringList before = old;
    for (const QJsonValue &v : set.value(QLatin1String("celery")).toArray())
        before.append(v.toObject().value(QLatin1String("task_id")).toString());
    QCOMPARE(cacheIds(copy, CouchDocument::taskPrefix), sorted(before));
    std::unique_ptr<ResultStore> store = openCopy(copy);
    QVERIFY(store);
    const PurgeCriteria criteria = TestSupport::criteriaFor(cutoff);
    const Outcome<PurgePreview> preview = store->previewPurge(criteria);
    QVERIFY2(preview.ok(), qPrintable(preview.error().message));
    QCOMPARE(preview->total, qint64(old.size() + expired.size()));

    QVERIFY2(writing.waitFor("WRITING\n"), writing.output().constData()); // the worker stored a first wave
    QVERIFY(writing.isRunning());
    Purger purger(*store);
    purger.setBatchSize(5);
    const PurgeSummary summary = purger.purge(criteria, preview->total);
    QVERIFY2(!summary.error.isError(), qPrintable(summary.error.message));
    QCOMPARE(summary.tasksDeleted, preview->total);
    const bool overlapped = writing.isRunning();
    QVERIFY2(writing.waitFor("DONE "), writing.output().constData());
    QCOMPARE(writing.finish(), 0); // every task the worker ran succeeded and was read back
    const QStringList written = writing.ids("DONE");
    QCOMPARE(written.size(), 80);
    if (!overlapped)
        qWarning("the worker finished before the purge did: the overlap was shorter than planned");

    // Exactly what was expired before is gone; every result the worker wrote is there, final.
    QStringList kept = before;
    for (const QStringList &gone : {old, expired}) {
        for (const QString &id : gone)
            QVERIFY2(kept.removeOne(id), qPrintable(id));
    }
    QCOMPARE(cacheIds(copy, CouchDocument::taskPrefix), sorted(kept + written));
    QVERIFY(!store->refresh().isError());
    QCOMPARE(*store->count(TaskQuery()), qint64(kept.size() + written.size()));
    const Outcome<QVector<TaskResult>> rows = store->fetchByTaskIds(written);
    QVERIFY2(rows.ok(), qPrintable(rows.error().message));
    QCOMPARE(rows->size(), written.size());
    for (const TaskResult &row : *rows)
        QVERIFY2(row.status == QLatin1String("SUCCESS") && row.taskName == QLatin1String("proj.tasks.add"), qPrintable(row.taskId));
    QCOMPARE(store->previewPurge(criteria)->total, qint64(0));
    store.reset(); // before the copy is dropped
}

void TestRedisStore::shouldRefuseCacheExpiryWhereKeysExpireByTtl()
{
    // Redis expires its keys by their TTL itself: nothing is kept past its expiry to delete.
    REQUIRE_DATA_SET(QStringLiteral("json"));
    auto store = openStore(QStringLiteral("json"));
    QVERIFY(store);
    QVERIFY(!store->info().hasCacheExpiry);
    PurgeCriteria criteria = TestSupport::criteriaFor(QStringLiteral("2025-02-01T00:00:00Z"));
    criteria.cacheExpired = true;
    criteria.cacheNow = QDateTime::currentDateTimeUtc();
    const Outcome<PurgePreview> preview = store->previewPurge(criteria);
    QCOMPARE(preview.error().code, StoreError::Code::Unsupported);
    QVERIFY2(preview.error().message.contains(QLatin1String("TTL")), qPrintable(preview.error().message));
    QCOMPARE(store->purgeBatch(criteria, 10).error().code, StoreError::Code::Unsupported);
    if (qEnvironmentVariable("STALK_BIN").isEmpty())
        return;
    const QString url = m_url + QStringLiteral("/%1").arg(dataSet(QStringLiteral("json")).value(QLatin1String("db")).toInt());
    const Run r = stalk({QStringLiteral("purge"), url, QStringLiteral("--older-than"), QStringLiteral("1d"),
                         QStringLiteral("--cache-expired"), QStringLiteral("--dry-run")});
    QCOMPARE(r.exitCode, 2);
    QVERIFY2(r.err.startsWith(QLatin1String("stalk purge: --cache-expired: Redis expires its keys by their TTL itself")),
             qPrintable(r.err));
    QCOMPARE(r.out, QString());
}

void TestRedisStore::shouldPickTheCacheTableByNameBesideCeleryTables()
{
    // django-celery-results' tables (the main SQLite fixture) and the cache table in one file.
    const QString fixtures = qEnvironmentVariable("STALK_FIXTURES");
    if (!QFile::exists(fixtures + QStringLiteral("/django.sqlite3")))
        QSKIP("STALK_FIXTURES has no django.sqlite3");
    const QString file = m_tmp.filePath(QStringLiteral("both.sqlite3"));
    QFile::remove(file);
    QVERIFY(QFile::copy(fixtures + QStringLiteral("/django.sqlite3"), file));
    QFile(file).setPermissions(QFileDevice::ReadOwner | QFileDevice::WriteOwner);
    const QStringList made = rawSql(file, QStringLiteral("ATTACH '%1' AS c; CREATE TABLE stalk_cache AS SELECT * FROM c.stalk_cache")
                                                    .arg(dataSet(QStringLiteral("dbcache")).value(QLatin1String("file")).toString()));
    QVERIFY2(made.isEmpty(), qPrintable(made.join(u';')));
    const qint64 total = dataSet(QStringLiteral("dbcache")).value(QLatin1String("counts")).toObject().value(QLatin1String("total")).toInt();
    std::unique_ptr<ResultStore> store = (*makeStoreFactory(QStringLiteral("sqlite:///") + file))();
    QVERIFY(!store->open().isError());
    QCOMPARE(store->info().layout, StoreInfo::Layout::DjangoCeleryResults);
    store = (*makeStoreFactory(QStringLiteral("sqlite:///%1?table=stalk_cache").arg(file)))();
    QVERIFY(!store->open().isError());
    QCOMPARE(store->info().layout, StoreInfo::Layout::DjangoCache);
    QCOMPARE(*store->count(TaskQuery()), total);
    // Neither: one sentence naming what was looked for.
    const QString none = m_tmp.filePath(QStringLiteral("none.sqlite3"));
    QFile::remove(none);
    QVERIFY(rawSql(none, QStringLiteral("CREATE TABLE t (a integer)")).isEmpty());
    store = (*makeStoreFactory(QStringLiteral("sqlite:///") + none))();
    const StoreError e = store->open();
    QCOMPARE(e.code, StoreError::Code::NotCelery);
    QVERIFY2(e.message.contains(QLatin1String("Django DatabaseCache table")), qPrintable(e.message));
    // The command line reads it too.
    if (qEnvironmentVariable("STALK_BIN").isEmpty())
        return;
    const Run r = stalk({QStringLiteral("count"), QStringLiteral("sqlite:///%1?table=stalk_cache").arg(file)});
    QCOMPARE(r.exitCode, 0);
    QCOMPARE(r.out.trimmed().toLongLong(), total);
}

void TestRedisStore::shouldLoadIncrementally()
{
    const QJsonObject set = dataSet(QStringLiteral("json"));
    RedisStore store(config(set.value(QLatin1String("db")).toInt()));
    store.setIncrementalOpen(true);
    QVERIFY(!store.open().isError());
    // open() returned with the first rows; what is indexed so far is consistent.
    const Outcome<qint64> early = store.count(TaskQuery());
    QVERIFY(early.ok());
    QVERIFY(*early > 0);
    QVERIFY(!store.waitUntilLoaded().isError());
    QVERIFY(!store.isLoading());
    const qint64 total = set.value(QLatin1String("counts")).toObject().value(QLatin1String("total")).toInt();
    QCOMPARE(*store.count(TaskQuery()), total);
    QCOMPARE(store.loadedCount(), total);
}

void TestRedisStore::shouldReportEachFailureInOneSentence_data()
{
    QTest::addColumn<QString>("url");
    QTest::addColumn<StoreError::Code>("code");
    QTest::addColumn<QString>("says");
    const StoreUrl base = StoreUrl::parse(m_url).value();
    const QString hostPort = QStringLiteral("127.0.0.1:%1").arg(base.port);
    QTcpServer closed; // a port nothing listens on
    QVERIFY(closed.listen(QHostAddress::LocalHost));
    const quint16 closedPort = closed.serverPort();
    closed.close();
    QTest::newRow("no password") << QStringLiteral("redis://%1/1").arg(hostPort) << StoreError::Code::AuthenticationFailed
                                 << QStringLiteral("requires a password (NOAUTH)");
    QTest::newRow("wrong password") << QStringLiteral("redis://:nope@%1/1").arg(hostPort)
                                    << StoreError::Code::AuthenticationFailed << QStringLiteral("rejected the user name or password");
    QTest::newRow("wrong user") << QStringLiteral("redis://someone:%1@%2/1").arg(base.password, hostPort)
                                << StoreError::Code::AuthenticationFailed << QStringLiteral("rejected the user name or password");
    QTest::newRow("refused") << QStringLiteral("redis://127.0.0.1:%1/0").arg(closedPort) << StoreError::Code::ConnectionFailed
                             << QStringLiteral("refused the connection");
    QTest::newRow("no such database") << QStringLiteral("redis://:%1@%2/99").arg(base.password, hostPort)
                                      << StoreError::Code::NotFound << QStringLiteral("has no database 99");
    QTest::newRow("TLS to a plain port") << QStringLiteral("rediss://:%1@%2/1?timeout=1").arg(base.password, hostPort)
                                         << StoreError::Code::ConnectionFailed << QStringLiteral("TLS");
    QTest::newRow("no socket") << QStringLiteral("redis+socket:///nonexistent/redis.sock") << StoreError::Code::NotFound
                               << QStringLiteral("no Redis socket at /nonexistent/redis.sock");
}

void TestRedisStore::shouldReportEachFailureInOneSentence()
{
    QFETCH(QString, url);
    QFETCH(StoreError::Code, code);
    QFETCH(QString, says);
    const Outcome<StoreFactory> factory = makeStoreFactory(url);
    QVERIFY2(factory.ok(), qPrintable(factory.error().message));
    QElapsedTimer timer;
    timer.start();
    const StoreError e = (*factory)()->open();
    QVERIFY(timer.elapsed() < 15000); // never a hang
    QCOMPARE(e.code, code);
    QVERIFY2(e.message.contains(says), qPrintable(e.message));
    QVERIFY2(!e.message.contains(u'\n'), qPrintable(e.message));
    QVERIFY2(!e.message.contains(QStringLiteral("stalk-redis-secret")), qPrintable(e.message));
}

void TestRedisStore::shouldLetThePromptAskForARedisPassword()
{
    // Redis has no user name by default: a refused login of redis://host may ask.
    const StoreUrl base = StoreUrl::parse(m_url).value();
    const QString url = QStringLiteral("redis://127.0.0.1:%1/1").arg(base.port);
    qunsetenv("STALK_PASSWORD");
    const StoreOpener opener(url);
    const StoreError e = (*opener.factory())()->open();
    QCOMPARE(e.code, StoreError::Code::AuthenticationFailed);
    QVERIFY(opener.canAskForPassword(e));
    QCOMPARE(opener.url()->account(), QStringLiteral("127.0.0.1:%1").arg(base.port));
    // The password typed into the prompt opens it.
    StoreOptions typed;
    typed.password = base.password;
    const StoreOpener again(url, typed);
    QVERIFY(!again.canAskForPassword(e));
    const StoreError ok = (*again.factory())()->open();
    QVERIFY2(!ok.isError(), qPrintable(ok.message));
}

void TestRedisStore::shouldTimeOutOnAServerThatNeverAnswers()
{
    // The kernel completes the connection to a listening socket that nobody accepts or reads.
    QTcpServer silent;
    QVERIFY(silent.listen(QHostAddress::LocalHost));
    const Outcome<StoreFactory> factory = makeStoreFactory(QStringLiteral("redis://:S3cret@127.0.0.1:%1/0?timeout=1").arg(silent.serverPort()));
    QVERIFY(factory.ok());
    QElapsedTimer timer;
    timer.start();
    const StoreError e = (*factory)()->open();
    QVERIFY2(timer.elapsed() < 5000, qPrintable(QString::number(timer.elapsed())));
    QCOMPARE(e.code, StoreError::Code::ConnectionFailed);
    QVERIFY2(e.message.contains(QLatin1String("did not answer within 1 s")), qPrintable(e.message));
    QVERIFY(!e.message.contains(QLatin1String("S3cret")));
}

void TestRedisStore::shouldSayThatRedisClusterIsNotSupported()
{
    // A real cluster node (its INFO says cluster_enabled:1) …
    PrivateRedis node;
    const QString why = node.start({QStringLiteral("--cluster-enabled"), QStringLiteral("yes"), QStringLiteral("--cluster-config-file"),
                                    node.dir() + QStringLiteral("/nodes.conf")});
    QVERIFY2(why.isEmpty(), qPrintable(why));
    const QString sentence = QStringLiteral("Redis Cluster is not supported yet");
    {
        const Outcome<StoreFactory> factory = makeStoreFactory(QStringLiteral("redis://127.0.0.1:%1").arg(node.endpoint().port));
        QVERIFY(factory.ok());
        const StoreError e = (*factory)()->open();
        QCOMPARE(e.code, StoreError::Code::Unsupported);
        QVERIFY2(e.message.contains(sentence), qPrintable(e.message));
    }
    // … and a MOVED reply from something that does not say it is one (a proxy in front of a
    // cluster): one sentence, and the connection is not used again.
    FakeRedis proxy([](const QByteArray &command) -> QByteArray {
        if (command == "PING")
            return "+PONG\r\n";
        if (command == "INFO") {
            const QByteArray info = "redis_version:7.0.15\r\ncluster_enabled:0\r\n";
            return '$' + QByteArray::number(info.size()) + "\r\n" + info + "\r\n";
        }
        if (command == "DBSIZE")
            return ":3\r\n";
        return "-MOVED 3999 127.0.0.1:6381\r\n";
    });
    const quint16 port = proxy.listen();
    const Outcome<StoreFactory> factory = makeStoreFactory(QStringLiteral("redis://127.0.0.1:%1/0?timeout=5").arg(port));
    QVERIFY(factory.ok());
    const StoreError e = (*factory)()->open();
    QCOMPARE(e.code, StoreError::Code::Unsupported);
    QVERIFY2(e.message.contains(sentence), qPrintable(e.message));
    QVERIFY2(!e.message.contains(u'\n'), qPrintable(e.message));
}

void TestRedisStore::shouldStopInOneSentenceWhenTheServerDiesWhileLoading()
{
    PrivateRedis server;
    const QString why = server.start();
    QVERIFY2(why.isEmpty(), qPrintable(why));
    {
        RedisConnection c(server.endpoint());
        QVERIFY(!c.connect().isError());
        QVector<QList<QByteArray>> sets;
        for (int i = 0; i < 20000; ++i) {
            const QByteArray id = "task-" + QByteArray::number(i);
            sets.append({"SET", "celery-task-meta-" + id, celeryMeta(id)});
        }
        QVERIFY(c.pipeline(sets).ok());
    }
    RedisConfig config = RedisConfig::fromUrl(StoreUrl::parse(QStringLiteral("redis://127.0.0.1:%1/0?timeout=5").arg(server.endpoint().port)).value()).value();
    config.scanCount = 10; // about 2000 round trips: still loading when the server goes
    RedisStore store(config);
    store.setIncrementalOpen(true);
    QVERIFY(!store.open().isError());
    // Hold every client where it is, so that the loader is certainly in the middle, then kill.
    {
        RedisConnection c(server.endpoint());
        QVERIFY(!c.connect().isError());
        QVERIFY(c.call({"CLIENT", "PAUSE", "10000", "ALL"}).ok());
    }
    QVERIFY(store.isLoading());
    server.kill();

    QElapsedTimer timer;
    timer.start();
    const StoreError e = store.waitUntilLoaded();
    QVERIFY2(timer.elapsed() < 8000, qPrintable(QString::number(timer.elapsed())));
    QCOMPARE(e.code, StoreError::Code::ConnectionFailed);
    QVERIFY2(e.message.contains(QLatin1String("closed the connection")), qPrintable(e.message));
    QVERIFY2(!e.message.contains(QLatin1String("TLS")), qPrintable(e.message));
    QVERIFY(!store.isLoading());
    // Every later call answers at once with a sentence; a purge deletes nothing.
    PurgeCriteria all;
    all.cutoff = QDateTime::currentDateTimeUtc();
    for (const StoreError &later : {store.count(TaskQuery()).error(), store.facets(TaskQuery()).error(),
                                    store.purgeBatch(all, 100).error()}) {
        QCOMPARE(later.code, StoreError::Code::ConnectionFailed);
        QVERIFY2(!later.message.contains(u'\n'), qPrintable(later.message));
    }
}

void TestRedisStore::shouldReadATenMegabyteValue()
{
    copyToScratch(QStringLiteral("json"));
    auto c = raw(scratchDb);
    const qsizetype tenMb = 10 * 1024 * 1024;
    QVERIFY(c->pipeline({{"SET", "celery-task-meta-big", celeryMeta("big", tenMb)},
                         {"SET", "celery-task-meta-big-garbage", QByteArray(tenMb, '{')}})
                .ok());
    auto store = openScratch(QStringLiteral("json"));
    QVERIFY(store);
    const qint64 total = dataSet(QStringLiteral("json")).value(QLatin1String("counts")).toObject().value(QLatin1String("total")).toInt();
    QCOMPARE(*store->count(TaskQuery()), total + 1);
    QVERIFY(store->foreignKeys().value(QStringLiteral("celery-task-meta-big-garbage")).startsWith(QLatin1String("the value is not JSON")));

    TaskQuery big;
    big.search = QStringLiteral("big");
    const Outcome<QVector<TaskResult>> page = store->fetchPage(big, 0, 10);
    QVERIFY(page.ok());
    QCOMPARE(page->size(), 1);
    QVERIFY2(page->first().result.size() < 10000, qPrintable(QString::number(page->first().result.size()))); // the index keeps a preview
    const Outcome<TaskResult> whole = store->fetchByTaskId(QStringLiteral("big"));
    QVERIFY2(whole.ok(), qPrintable(whole.error().message));
    QCOMPARE(whole->result.size(), tenMb + 2); // the JSON string, quotes included
    const Outcome<QVector<TaskResult>> full = store->fetchPage(big, 0, 10, RowDetail::Full);
    QVERIFY(full.ok());
    QCOMPARE(full->first().result.size(), tenMb + 2);
}

void TestRedisStore::shouldReadAgainTheResultPreviewsTheIndexCut()
{
    copyToScratch(QStringLiteral("json"));
    auto c = raw(scratchDb);
    const auto meta = [](const QByteArray &taskId, const QByteArray &status, const QByteArray &result) {
        return R"({"status": ")" + status + R"(", "result": ")" + result + R"(", "traceback": null, "children": [], )"
            + R"("date_done": "2026-01-02T03:04:05.123456", "task_id": ")" + taskId + "\"}";
    };
    QByteArray counted; // "0000 0001 0002 …": any cut shows where it was made
    for (int i = 0; i < 80; ++i)
        counted += QByteArray::number(i).rightJustified(4, '0') + ' ';
    QVERIFY(c->pipeline({{"SET", "celery-task-meta-cut-long", meta("cut-long", "SUCCESS", counted)},
                         {"SET", "celery-task-meta-cut-short", meta("cut-short", "SUCCESS", "tiny")}})
                .ok());
    auto store = std::make_unique<RedisStore>(config(scratchDb), StoreOptions{});
    store->setFollowChanges(false); // rewrites below stay unseen until refresh()
    const StoreError opened = store->open();
    QVERIFY2(!opened, qPrintable(opened.message));

    TaskQuery q;
    q.search = QStringLiteral("cut-");
    q.sortField = Field::TaskId;
    q.sortOrder = Qt::AscendingOrder;
    const auto page = [&] {
        const Outcome<QVector<TaskResult>> rows = store->fetchPage(q, 0, 10);
        [&] { QVERIFY2(rows.ok(), qPrintable(rows.error().message)); }();
        return rows.ok() ? *rows : QVector<TaskResult>();
    };
    const QString whole = QLatin1Char('"') + QString::fromLatin1(counted) + QLatin1Char('"');
    QVector<TaskResult> rows = page();
    QCOMPARE(TestSupport::taskIdsOf(rows), QStringList({QStringLiteral("cut-long"), QStringLiteral("cut-short")}));
    // A Summary row holds the first 200 characters whatever the index keeps; a short result whole.
    QCOMPARE(rows.at(0).result, whole.left(ResultStore::previewChars));
    QCOMPARE(rows.at(1).result, QStringLiteral("\"tiny\""));
    const Outcome<QVector<TaskResult>> members = store->fetchByTaskIds({QStringLiteral("cut-long")});
    QVERIFY(members.ok());
    QCOMPARE(members->size(), 1);
    QCOMPARE(members->first().result, whole.left(ResultStore::previewChars));
    // Sorted by result, the long one (a quote, then a digit) comes before "tiny".
    TaskQuery byResult = q;
    byResult.sortField = Field::Result;
    QCOMPARE(TestSupport::taskIdsOf(*store->fetchPage(byResult, 0, 10)),
             QStringList({QStringLiteral("cut-long"), QStringLiteral("cut-short")}));

    // Rewritten with the same status: the page shows the value as it is now.
    const QByteArray other = QByteArray(300, 'z');
    QVERIFY(c->call({"SET", "celery-task-meta-cut-long", meta("cut-long", "SUCCESS", other)}).ok());
    rows = page();
    QCOMPARE(rows.at(0).result, (QLatin1Char('"') + QString::fromLatin1(other)).left(ResultStore::previewChars));
    // Rewritten as a FAILURE the index has not read: no FAILURE's text beside the indexed
    // SUCCESS, only what the index kept of the result it indexed.
    QVERIFY(c->call({"SET", "celery-task-meta-cut-long", meta("cut-long", "FAILURE", other)}).ok());
    rows = page();
    QCOMPARE(rows.at(0).status, QStringLiteral("SUCCESS"));
    QVERIFY2(!rows.at(0).result.isEmpty() && rows.at(0).result.size() < ResultStore::previewChars
                 && whole.startsWith(rows.at(0).result),
             qPrintable(rows.at(0).result));
    // Gone since: the page still answers from the index, as for any key deleted behind it.
    QVERIFY(c->call({"DEL", "celery-task-meta-cut-long"}).ok());
    rows = page();
    QCOMPARE(rows.size(), 2);
    QVERIFY(whole.startsWith(rows.at(0).result));
    QVERIFY(!store->refresh());
    QCOMPARE(TestSupport::taskIdsOf(page()), QStringList({QStringLiteral("cut-short")}));
}

void TestRedisStore::shouldDescribeKeysThatAreNotCeleryResults()
{
    copyToScratch(QStringLiteral("json"));
    auto c = raw(scratchDb);
    const QByteArray notText("celery-task-meta-\xff\xfe-not-text");
    // Written by the test: other applications' keys and broken values under Celery's prefix.
    const QVector<QList<QByteArray>> foreign = {
        {"SET", "session:abc", "{\"status\": \"SUCCESS\"}"},
        {"SET", "celery-task-meta-not-json", "this is { not json"},
        {"SET", "celery-task-meta-no-status", "{\"result\": 1, \"task_id\": \"x\"}"},
        {"SET", "celery-task-meta-msgpack", QByteArray("\x82\xa6status\xa7SUCCESS\xa7task_id\xa1x", 25)},
        {"SET", "celery-task-meta-bad-pickle", QByteArray("\x80\x04\x95garbage", 10)},
        {"HSET", "celery-task-meta-a-hash", "status", "SUCCESS"},
        // A Celery-shaped value under a name that is not UTF-8 (Celery's never are): its
        // QString would name another key, which a delete or a detail would then reach.
        {"SET", notText, R"({"status": "SUCCESS", "result": 1, "task_id": "x", "date_done": "2020-01-01T00:00:00"})"},
    };
    QVERIFY(c->pipeline(foreign).ok());
    auto store = openScratch(QStringLiteral("json"));
    QVERIFY(store);
    const QMap<QString, QString> keys = store->foreignKeys();
    QVERIFY2(keys.value(QStringLiteral("celery-task-meta-not-json")).startsWith(QLatin1String("the value is not JSON")),
             qPrintable(keys.value(QStringLiteral("celery-task-meta-not-json"))));
    QCOMPARE(keys.value(QStringLiteral("celery-task-meta-no-status")), QStringLiteral("the value has no 'status'"));
    QVERIFY(keys.value(QStringLiteral("celery-task-meta-msgpack")).contains(QLatin1String("msgpack")));
    QVERIFY(keys.value(QStringLiteral("celery-task-meta-bad-pickle")).startsWith(QLatin1String("the pickled value cannot be read")));
    QVERIFY(!keys.contains(QStringLiteral("session:abc"))); // never even read: outside Celery's prefixes
    QCOMPARE(keys.value(QString::fromUtf8(notText)), QStringLiteral("its name is not UTF-8 text, which a Celery key's always is"));
    QVERIFY2(store->info().note.startsWith(QLatin1String("5 keys are not Celery results: ")), qPrintable(store->info().note));
    const qint64 total = dataSet(QStringLiteral("json")).value(QLatin1String("counts")).toObject().value(QLatin1String("total")).toInt();
    QCOMPARE(*store->count(TaskQuery()), total);

    // Purging everything leaves every one of them, and deleting them by task id is refused.
    PurgeCriteria all;
    all.cutoff = QDateTime(QDate(2100, 1, 1), QTime(0, 0), Qt::UTC);
    bool finished = false;
    for (int i = 0; i < 50 && !finished; ++i) {
        const auto batch = store->purgeBatch(all, 7);
        QVERIFY2(batch.ok(), qPrintable(batch.error().message));
        finished = batch->finished;
    }
    QVERIFY(finished);
    for (const char *key : {"session:abc", "celery-task-meta-not-json", "celery-task-meta-no-status", "celery-task-meta-msgpack",
                            "celery-task-meta-bad-pickle", "celery-task-meta-a-hash"})
        QCOMPARE(c->call({"EXISTS", key})->integer, qint64(1));
    QCOMPARE(c->call({"EXISTS", notText})->integer, qint64(1));
    QCOMPARE(store->fetchByTaskId(QStringLiteral("a-hash")).error().code, StoreError::Code::NotFound);
}

void TestRedisStore::shouldListTasksAndGroupsInOneScanWalk_data()
{
    QTest::addColumn<QString>("name");
    QTest::newRow("Celery's keys") << QStringLiteral("json");
    QTest::newRow("a global key prefix") << QStringLiteral("prefixed");
}

void TestRedisStore::shouldListTasksAndGroupsInOneScanWalk()
{
    // A SCAN walk costs the server a pass over its whole keyspace: the load lists task and
    // group keys in one, and the glob's other matches are never read.
    QFETCH(QString, name);
    PrivateRedis server; // its own INFO commandstats: no other test's SCANs
    const QString why = server.start({});
    QVERIFY2(why.isEmpty(), qPrintable(why));
    RedisConnection c(server.endpoint());
    QVERIFY(!c.connect().isError());
    copyDataSet(name, c);
    if (QTest::currentTestFailed())
        return;
    const QJsonObject set = dataSet(name);
    const QByteArray prefix = set.value(QLatin1String("keyprefix")).toString().toUtf8();
    const QByteArray celeryShaped = R"({"status": "SUCCESS", "result": 1, "task_id": "x", "date_done": "2020-01-01T00:00:00"})";
    // Matched by "<prefix>celery-task*-meta-*", yet neither kind's key.
    QVERIFY(c.pipeline({{"SET", prefix + "celery-taskfoo-meta-x", celeryShaped},
                        {"SET", prefix + "celery-task-result-meta-x", celeryShaped}})
                .ok());
    // One bare walk over the database, as many SCANs as the store's COUNT makes.
    RedisConfig config = configFor(server.url(0), QString::fromUtf8(prefix));
    qint64 walk = 0;
    QByteArray cursor = "0";
    do {
        const Outcome<RespValue> r = c.call({"SCAN", cursor, "COUNT", QByteArray::number(config.scanCount)});
        QVERIFY(r && r->items.size() == 2);
        cursor = r->items.at(0).text;
        ++walk;
    } while (cursor != "0");
    const qint64 before = scanCalls(server.endpoint());

    RedisStore store(config);
    QVERIFY(!store.open().isError());
    QCOMPARE(scanCalls(server.endpoint()) - before, walk);
    QCOMPARE(*store.count(TaskQuery()), qint64(set.value(QLatin1String("counts")).toObject().value(QLatin1String("total")).toInt()));
    const auto groups = store.groups(TaskQuery(), 500);
    QVERIFY(groups.ok());
    QCOMPARE(groups->size(), set.value(QLatin1String("saved_groups")).toArray().size());
    QVERIFY(!groups->isEmpty());
    QVERIFY2(store.foreignKeys().isEmpty(), qPrintable(QStringList(store.foreignKeys().keys()).join(u' ')));
}

void TestRedisStore::shouldPreviewAndPurgeExactlyTheExpired_data()
{
    QTest::addColumn<QString>("name");
    QTest::addColumn<QString>("cutoff");
    QTest::addColumn<QStringList>("expired");
    QTest::addColumn<int>("batchSize");
    int k = 0;
    for (const char *name : {"json", "plain", "pickle", "prefixed", "django"}) {
        for (const QJsonValue &v : dataSet(QString::fromLatin1(name)).value(QLatin1String("expired")).toArray()) {
            const QJsonObject o = v.toObject();
            const int batch = (k++ % 3 == 0) ? 1 : 4;
            QTest::addRow("%s before %s by %d", name, qPrintable(o.value(QLatin1String("cutoff")).toString()), batch)
                << QString::fromLatin1(name) << o.value(QLatin1String("cutoff")).toString()
                << stringsOf(o.value(QLatin1String("task_ids")).toArray()) << batch;
        }
    }
}

void TestRedisStore::shouldPreviewAndPurgeExactlyTheExpired()
{
    QFETCH(QString, name);
    QFETCH(QString, cutoff);
    QFETCH(QStringList, expired);
    QFETCH(int, batchSize);
    copyToScratch(name);
    auto store = openScratch(name);
    QVERIFY(store);
    const QString prefix = dataSet(name).value(QLatin1String("keyprefix")).toString();
    // Celery 5.2 saves groups without date_done: they never expire (as upstream's cleanup).
    TestSupport::verifyPurgeInBatches(
        *store, TestSupport::criteriaFor(cutoff), batchSize, expired, {},
        [&] { return scratchIds(CouchDocument::taskPrefix, prefix); },
        [&] { return scratchIds(CouchDocument::groupPrefix, prefix); });
    if (QTest::currentTestFailed())
        return;
    // A key keeps its TTL until it goes: the survivors still expire as Celery set them.
    const QJsonArray celery = dataSet(name).value(QLatin1String("celery")).toArray();
    auto c = raw(scratchDb);
    for (const QJsonValue &v : celery) {
        const QJsonObject e = v.toObject();
        if (expired.contains(e.value(QLatin1String("task_id")).toString()))
            continue;
        const qint64 ttl = c->call({"TTL", e.value(QLatin1String("key")).toString().toUtf8()})->integer;
        QCOMPARE(ttl > 0, e.value(QLatin1String("ttl")).toInt() > 0);
    }
}

void TestRedisStore::shouldRecheckAKeyChangedSincePreview()
{
    copyToScratch(QStringLiteral("json"));
    auto store = openScratch(QStringLiteral("json"));
    QVERIFY(store);
    const PurgeCriteria criteria = TestSupport::criteriaFor(QStringLiteral("2025-02-01T00:00:00Z"));
    const QStringList expired = stringsOf(dataSet(QStringLiteral("json")).value(QLatin1String("expired")).toArray()
                                              .at(1).toObject().value(QLatin1String("task_ids")).toArray());
    QVERIFY(expired.size() >= 3);
    QCOMPARE(store->previewPurge(criteria)->total, qint64(expired.size()));
    // After the preview, a worker writes one of them again (a newer date_done), as Celery's
    // SET would: it is no longer expired and must survive.
    auto c = raw(scratchDb);
    const QByteArray key = "celery-task-meta-" + expired.first().toUtf8();
    const QByteArray old = c->call({"GET", key})->text;
    QJsonObject meta = QJsonDocument::fromJson(old).object();
    meta.insert(QStringLiteral("date_done"), QStringLiteral("2025-02-20T10:00:00"));
    QVERIFY(c->call({"SET", key, QJsonDocument(meta).toJson(QJsonDocument::Compact), "KEEPTTL"}).ok());
    qint64 deleted = 0;
    bool finished = false;
    for (int i = 0; i < 50 && !finished; ++i) {
        const auto batch = store->purgeBatch(criteria, 100);
        QVERIFY2(batch.ok(), qPrintable(batch.error().message));
        deleted += batch->tasks;
        finished = batch->finished;
    }
    QCOMPARE(deleted, qint64(expired.size() - 1));
    QCOMPARE(c->call({"EXISTS", key})->integer, qint64(1));
    QStringList left = expired;
    left.removeFirst();
    for (const QString &id : std::as_const(left))
        QVERIFY(!scratchIds(CouchDocument::taskPrefix, QString()).contains(id));
}

void TestRedisStore::shouldPurgeBySearchAndExceptionWhatTheQueryMatches_data()
{
    QTest::addColumn<QString>("name");
    QTest::newRow("json") << QStringLiteral("json");
    QTest::newRow("pickle") << QStringLiteral("pickle"); // the exception read from a pickle
}

void TestRedisStore::shouldPurgeBySearchAndExceptionWhatTheQueryMatches()
{
    // Select All + Delete with a search or an exception filter, `stalk purge --search
    // --exception`: exactly what the query counts goes, each key re-checked when deleted.
    QFETCH(QString, name);
    copyToScratch(name);
    auto store = openScratch(name);
    QVERIFY(store);
    const QStringList before = scratchIds(CouchDocument::taskPrefix, QString());
    const QDateTime bound(QDate(2100, 1, 1), QTime(0, 0), Qt::UTC);
    const auto idsOf = [&store](const TaskQuery &q) { return TestSupport::taskIdsOf(*store->fetchPage(q, 0, 1000)); };
    const auto purge = [&store](const PurgeCriteria &criteria) -> qint64 {
        qint64 deleted = 0;
        bool finished = false;
        for (int i = 0; i < 50 && !finished; ++i) {
            const auto batch = store->purgeBatch(criteria, 1);
            if (!batch.ok())
                return -1;
            deleted += batch->tasks;
            finished = batch->finished;
        }
        return deleted;
    };

    // fail("boom") and fail("Zoë failed ☹"): ValueError, read from JSON or from a pickle.
    TaskQuery byException;
    byException.exceptions = {QStringLiteral("ValueError")};
    const QStringList failed = idsOf(byException);
    QCOMPARE(failed.size(), 2);
    // "Zoë": echo("Zoë") and that second failure.
    TaskQuery bySearch;
    bySearch.search = QStringLiteral("ZOË");
    const QStringList searched = idsOf(bySearch);
    QCOMPARE(searched.size(), 2);
    QStringList survivors = before;

    if (name == u"json") {
        // echo("Zoë") is written again without the term after the preview: it stays.
        const QString echo = failed.contains(searched.at(0)) ? searched.at(1) : searched.at(0);
        const Outcome<PurgeCriteria> criteria = purgeCriteriaFor(bySearch, bound);
        QCOMPARE(store->previewPurge(*criteria)->total, 2);
        auto c = raw(scratchDb);
        const QByteArray key = "celery-task-meta-" + echo.toUtf8();
        QByteArray value = c->call({"GET", key})->text;
        QVERIFY2(value.contains("Zo\\u00eb"), value.constData());
        value.replace("Zo\\u00eb", "Ann");
        QVERIFY(c->call({"SET", key, value, "KEEPTTL"}).ok());
        QCOMPARE(purge(*criteria), 1);
        survivors.removeOne(failed.contains(searched.at(0)) ? searched.at(0) : searched.at(1));
        QCOMPARE(scratchIds(CouchDocument::taskPrefix, QString()), survivors);
        QCOMPARE(c->call({"EXISTS", key})->integer, qint64(1));
    }

    const Outcome<PurgeCriteria> criteria = purgeCriteriaFor(byException, bound);
    QVERIFY(criteria.ok() && !criteria->includesGroups());
    const qint64 left = *store->count(byException);
    QCOMPARE(store->previewPurge(*criteria)->total, left);
    QCOMPARE(purge(*criteria), left);
    for (const QString &id : failed)
        survivors.removeOne(id);
    QCOMPARE(scratchIds(CouchDocument::taskPrefix, QString()), survivors);
    QCOMPARE(*store->count(byException), 0);
    QCOMPARE(*store->count(TaskQuery()), qint64(survivors.size()));
}

void TestRedisStore::shouldDeleteSelectedRowsOnly()
{
    copyToScratch(QStringLiteral("pickle"));
    auto store = openScratch(QStringLiteral("pickle"));
    QVERIFY(store);
    const auto rows = store->fetchPage(TaskQuery(), 0, 3);
    QVERIFY(rows.ok() && rows->size() == 3);
    const QStringList before = scratchIds(CouchDocument::taskPrefix, QString());
    const auto batch = store->deleteRows({rows->at(0).rowId, rows->at(2).rowId, 4242424242});
    QVERIFY2(batch.ok(), qPrintable(batch.error().message));
    QCOMPARE(batch->tasks, qint64(2));
    QStringList expected = before;
    expected.removeOne(rows->at(0).taskId);
    expected.removeOne(rows->at(2).taskId);
    QCOMPARE(scratchIds(CouchDocument::taskPrefix, QString()), expected);
    QCOMPARE(*store->count(TaskQuery()), qint64(expected.size()));
    QCOMPARE(store->fetchOne(rows->at(0).rowId).error().code, StoreError::Code::NotFound);
}

void TestRedisStore::shouldRefuseDeletesWhenReadOnly()
{
    copyToScratch(QStringLiteral("json"));
    StoreOptions options;
    options.readOnly = true;
    auto store = openScratch(QStringLiteral("json"), options);
    QVERIFY(store);
    QVERIFY(store->info().readOnly);
    const auto rows = store->fetchPage(TaskQuery(), 0, 1);
    QCOMPARE(store->deleteRows({rows->at(0).rowId}).error().code, StoreError::Code::PermissionDenied);
    QCOMPARE(store->purgeBatch(TestSupport::criteriaFor(QStringLiteral("2100-01-01T00:00:00Z")), 10).error().code,
             StoreError::Code::PermissionDenied);
    const qint64 total = dataSet(QStringLiteral("json")).value(QLatin1String("counts")).toObject().value(QLatin1String("total")).toInt();
    QCOMPARE(qint64(scratchIds(CouchDocument::taskPrefix, QString()).size()), total);
}

void TestRedisStore::shouldShowRowsAndPurgeThroughTheWindowsModel()
{
    // The window's path: TaskResultModel opens its own store (incrementally, on its worker
    // thread) from the factory of a URL; Delete Expired is a PurgeJob on that model.
    copyToScratch(QStringLiteral("pickle"));
    const QJsonObject set = dataSet(QStringLiteral("pickle"));
    const qint64 total = set.value(QLatin1String("counts")).toObject().value(QLatin1String("total")).toInt();
    const Outcome<StoreFactory> factory = makeStoreFactory(m_url + QStringLiteral("/%1").arg(scratchDb));
    QVERIFY(factory.ok());
    TaskResultModel model;
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    QSignalSpy opened(&model, &TaskResultModel::opened);
    model.setStoreFactory(*factory);
    QVERIFY(opened.wait(30000));
    QTRY_COMPARE_WITH_TIMEOUT(qint64(model.rowCount()), total, 30000);
    QCOMPARE(model.storeInfo().layout, StoreInfo::Layout::Redis);

    const QString cutoff = QStringLiteral("2025-02-01T00:00:00Z");
    QStringList expired;
    for (const QJsonValue &v : set.value(QLatin1String("expired")).toArray()) {
        if (v.toObject().value(QLatin1String("cutoff")).toString() == cutoff)
            expired = stringsOf(v.toObject().value(QLatin1String("task_ids")).toArray());
    }
    QVERIFY(expired.size() > 2);
    PurgeJob job(&model);
    QSignalSpy finished(&job, &PurgeJob::finished);
    job.startPurge(TestSupport::criteriaFor(cutoff), expired.size());
    QVERIFY(finished.wait(30000));
    const PurgeSummary summary = finished.first().first().value<PurgeSummary>();
    QVERIFY2(!summary.error.isError(), qPrintable(summary.error.message));
    QCOMPARE(summary.tasksDeleted, qint64(expired.size()));
    QStringList left;
    for (const QJsonValue &v : set.value(QLatin1String("celery")).toArray()) {
        const QString id = v.toObject().value(QLatin1String("task_id")).toString();
        if (!expired.contains(id))
            left.append(id);
    }
    QCOMPARE(scratchIds(CouchDocument::taskPrefix, QString()), sorted(left));
    QSignalSpy counted(&model, &TaskResultModel::countChanged);
    model.refresh(); // as the window does once a purge finished
    QVERIFY(counted.wait(30000));
    QCOMPARE(counted.constLast().at(0).toLongLong(), total - expired.size());
    QTRY_COMPARE_WITH_TIMEOUT(qint64(model.rowCount()), total - expired.size(), 30000);

    // F5 reaches the store through the StoreWorker's count, which re-scans: a result a worker
    // wrote after open shows as a row.
    const QString written = TestSupport::writeThroughCelery(m_url + QStringLiteral("/%1").arg(scratchDb),
                                                            {QStringLiteral("done:f5e5f5e5-0000-4000-8000-000000000004")});
    QVERIFY2(written.isEmpty(), qPrintable(written));
    counted.clear();
    model.refresh();
    QVERIFY(counted.wait(30000));
    QCOMPARE(counted.constLast().at(0).toLongLong(), total - expired.size() + 1);
    QTRY_COMPARE_WITH_TIMEOUT(qint64(model.rowCount()), total - expired.size() + 1, 30000);
}

void TestRedisStore::shouldFollowOtherClientsOnRefresh()
{
    // Written through Celery's own RedisBackend, deleted by a raw client (storechecks).
    copyToScratch(QStringLiteral("json"));
    auto store = openScratch(QStringLiteral("json"));
    QVERIFY(store);
    TestSupport::verifyRefreshFollowsOtherClients(
        *store, QStringLiteral("f5e5f5e5-0000-4000-8000-000000000003"), [this](const QStringList &steps, const QString &deleted) {
            const QString written = TestSupport::writeThroughCelery(m_url + QStringLiteral("/%1").arg(scratchDb), steps);
            if (!written.isEmpty() || deleted.isEmpty())
                return written;
            const Outcome<RespValue> del = raw(scratchDb)->call({"DEL", "celery-task-meta-" + deleted.toUtf8()});
            return del.ok() && del->integer == 1 ? QString() : QStringLiteral("DEL of %1 failed").arg(deleted);
        });
}

void TestRedisStore::shouldFollowOtherClientsOnRefreshOfACacheTable_data()
{
    QTest::addColumn<QString>("name");
    addDbCacheRows();
}

void TestRedisStore::shouldFollowOtherClientsOnRefreshOfACacheTable()
{
    // A real worker's CacheBackend (the fixture writer's app: django-celery-results over
    // Django's DatabaseCache in the copy) writes after open(), a raw client deletes a row; the
    // window's F5 reaches refresh() through SqlStore, which hands it to the cache table.
    QFETCH(QString, name);
    REQUIRE_DATA_SET(name);
    const CacheCopy copy = cacheCopy(name, QStringLiteral("stalk_cache_refresh"));
    const auto drop = qScopeGuard([&copy] { dropCacheCopy(copy); });
    std::unique_ptr<ResultStore> store = openCopy(copy);
    QVERIFY(store);
    QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    env.insert(QStringLiteral("PYTHONPATH"), QStringLiteral(STALK_REDIS_TASKS_DIR));
    env.insert(QStringLiteral("STALK_BROKER"), QStringLiteral("memory://"));
    env.insert(QStringLiteral("STALK_BACKEND"), QStringLiteral("unused")); // the CacheBackend replaces it
    env.insert(QStringLiteral("STALK_DJANGO_DBCACHE"), copy.raw);
    env.insert(QStringLiteral("STALK_DJANGO_DBCACHE_TABLE"), copy.table);
    TestSupport::verifyRefreshFollowsOtherClients(
        *store, QStringLiteral("f5e5f5e5-0000-4000-8000-000000000012"), [&](const QStringList &steps, const QString &deleted) {
            const QString written = TestSupport::writeThroughCelery(QStringLiteral("stalk_redis_tasks"), steps, env);
            if (!written.isEmpty() || deleted.isEmpty())
                return written;
            const QStringList del =
                rawSql(copy.raw, QStringLiteral("DELETE FROM %1 WHERE cache_key = ':1:celery-task-meta-%2'").arg(copy.table, deleted));
            return del.join(u';');
        });
    if (QTest::currentTestFailed())
        return;

    // The window's F5: TaskResultModel's own store, on its worker thread, refreshed as the
    // window refreshes; a result a worker wrote since shows as a row.
    const qint64 before = *store->count(TaskQuery());
    const Outcome<StoreFactory> factory = makeStoreFactory(copy.storeUrl);
    QVERIFY(factory.ok());
    TaskResultModel model;
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    QSignalSpy opened(&model, &TaskResultModel::opened);
    model.setStoreFactory(*factory);
    QVERIFY(opened.wait(30000));
    QTRY_COMPARE_WITH_TIMEOUT(qint64(model.rowCount()), before, 30000);
    QCOMPARE(model.storeInfo().layout, StoreInfo::Layout::DjangoCache);
    const QString written =
        TestSupport::writeThroughCelery(QStringLiteral("stalk_redis_tasks"), {QStringLiteral("done:f5e5f5e5-0000-4000-8000-000000000013")}, env);
    QVERIFY2(written.isEmpty(), qPrintable(written));
    QSignalSpy counted(&model, &TaskResultModel::countChanged);
    model.refresh();
    QVERIFY(counted.wait(30000));
    QCOMPARE(counted.constLast().at(0).toLongLong(), before + 1);
    QTRY_COMPARE_WITH_TIMEOUT(qint64(model.rowCount()), before + 1, 30000);
    store.reset(); // before the copy is dropped
}

void TestRedisStore::shouldTellWhichNotifyFlagsDeliverEveryChange_data()
{
    QTest::addColumn<QByteArray>("flags");
    QTest::addColumn<bool>("evictions");
    QTest::addColumn<int>("channel");
    QTest::addColumn<QString>("missing");
    using C = KeyspaceEvents::Channel;
    QTest::newRow("KEA") << QByteArray("KEA") << true << int(C::Keyspace) << QString();
    QTest::newRow("EA") << QByteArray("EA") << true << int(C::Keyevent) << QString();
    QTest::newRow("K$gx, no evictions") << QByteArray("K$gx") << false << int(C::Keyspace) << QString();
    QTest::newRow("K$gx, evictions") << QByteArray("K$gx") << true << int(C::None) << QStringLiteral("no e");
    QTest::newRow("Kgx") << QByteArray("Kgx") << false << int(C::None) << QStringLiteral("no $");
    QTest::newRow("E$x") << QByteArray("E$x") << false << int(C::None) << QStringLiteral("no g");
    QTest::newRow("Ex: expiries only") << QByteArray("Ex") << false << int(C::None) << QStringLiteral("no $");
    QTest::newRow("A without K or E") << QByteArray("A") << false << int(C::None) << QStringLiteral("no K or E");
    QTest::newRow("empty") << QByteArray() << false << int(C::None) << QStringLiteral("no K or E");
}

void TestRedisStore::shouldTellWhichNotifyFlagsDeliverEveryChange()
{
    QFETCH(QByteArray, flags);
    QFETCH(bool, evictions);
    QFETCH(int, channel);
    QFETCH(QString, missing);
    const KeyspaceEvents e = KeyspaceEvents::of(flags, evictions);
    QCOMPARE(int(e.channel), channel);
    QVERIFY2(missing.isEmpty() ? e.missing.isEmpty() : e.missing.contains(missing), qPrintable(e.missing));
}

void TestRedisStore::shouldFollowKeyspaceNotificationsWithoutAScan_data()
{
    QTest::addColumn<QString>("flags");
    QTest::addColumn<QString>("channels");
    QTest::addColumn<QString>("over"); // how the store (and so its subscriber) reaches the server
    QTest::newRow("keyspace") << QStringLiteral("KEA") << QStringLiteral("keyspace channels") << QStringLiteral("TCP");
    QTest::newRow("keyevent") << QStringLiteral("Eg$x") << QStringLiteral("keyevent channels") << QStringLiteral("TCP");
    QTest::newRow("keyspace, unix socket") << QStringLiteral("KEA") << QStringLiteral("keyspace channels") << QStringLiteral("socket");
    // A server with a TLS port only: Celery writes through rediss:// too, and a subscriber
    // that did not speak TLS would never receive a message.
    QTest::newRow("keyspace, TLS") << QStringLiteral("KEA") << QStringLiteral("keyspace channels") << QStringLiteral("TLS");
}

void TestRedisStore::shouldFollowKeyspaceNotificationsWithoutAScan()
{
    // The operator's choice at the server's start, not Stalk's: Stalk never runs CONFIG SET.
    QFETCH(QString, flags);
    QFETCH(QString, channels);
    QFETCH(QString, over);
    const bool socket = over == QLatin1String("socket");
    PrivateRedis server;
    const QString path = server.dir() + QStringLiteral("/redis.sock");
    const QString why = server.start({QStringLiteral("--notify-keyspace-events"), flags, QStringLiteral("--unixsocket"), path,
                                      QStringLiteral("--unixsocketperm"), QStringLiteral("700")},
                                     over == QLatin1String("TLS") ? PrivateRedis::Transport::Tls : PrivateRedis::Transport::Tcp);
    QVERIFY2(why.isEmpty(), qPrintable(why));
    const QString url = server.url(3);
    const QString storeUrl = socket ? QStringLiteral("redis+socket://%1?virtual_host=3").arg(path) : url;
    auto celery = [&url](const QStringList &steps) { return TestSupport::writeThroughCelery(url, steps); };
    const QString done = QStringLiteral("11111111-0000-4000-8000-000000000001");
    const QString fresh = QStringLiteral("11111111-0000-4000-8000-000000000002");
    const QString brief = QStringLiteral("11111111-0000-4000-8000-000000000003");
    QString written = celery({QStringLiteral("done:") + done});
    QVERIFY2(written.isEmpty(), qPrintable(written));

    RedisStore store(RedisConfig::fromUrl(StoreUrl::parse(storeUrl).value()).value());
    store.setIncrementalOpen(true);
    QVERIFY(!store.open().isError());
    QVERIFY(store.isLive());
    QCOMPARE(store.info().location.startsWith(QLatin1String("redis+socket:")), socket);
    QCOMPARE(store.info().location.startsWith(QLatin1String("rediss:")), over == QLatin1String("TLS"));
    QVERIFY2(store.info().note.contains(QStringLiteral("Live updates: keyspace notifications")), qPrintable(store.info().note));
    QVERIFY2(store.info().note.contains(channels), qPrintable(store.info().note));
    QCOMPARE(*store.count(TaskQuery()), qint64(1));
    // An incremental open returns before the load's last SCAN.
    QVERIFY(!store.waitUntilLoaded().isError());
    const qint64 scans = scanCalls(server.endpoint());
    QVERIFY(scans > 0); // the load's

    // Another database's key is no change of this store's.
    RedisConnection other(server.endpoint());
    QVERIFY(!other.connect().isError());
    QVERIFY(other.pipeline({{"SELECT", "4"}, {"SET", "celery-task-meta-elsewhere", celeryMeta("elsewhere")}}).ok());

    // A new result (Celery's own mark_as_started) appears with no refresh at all.
    written = celery({QStringLiteral("started:") + fresh});
    QVERIFY2(written.isEmpty(), qPrintable(written));
    QTRY_COMPARE_WITH_TIMEOUT(indexedStatus(store, fresh), QStringLiteral("STARTED"), 10000);
    QCOMPARE(*store.count(TaskQuery()), qint64(2));
    // Rewritten: the started one finishes.
    written = celery({QStringLiteral("done:") + fresh});
    QVERIFY2(written.isEmpty(), qPrintable(written));
    QTRY_COMPARE_WITH_TIMEOUT(indexedStatus(store, fresh), QStringLiteral("SUCCESS"), 10000);
    // A final result written again by another client (Celery itself never overwrites a
    // SUCCESS): Celery's value with another status, its TTL kept.
    RedisConnection raw(server.endpoint());
    QVERIFY(!raw.connect().isError());
    const QByteArray doneKey = "celery-task-meta-" + done.toUtf8();
    const Outcome<QVector<RespValue>> value = raw.pipeline({{"SELECT", "3"}, {"GET", doneKey}});
    QVERIFY(value.ok() && value->at(1).text.contains("\"status\": \"SUCCESS\""));
    QByteArray revoked = value->at(1).text;
    revoked.replace("\"status\": \"SUCCESS\"", "\"status\": \"REVOKED\"");
    QVERIFY(raw.call({"SET", doneKey, revoked, "KEEPTTL"}).ok());
    QTRY_COMPARE_WITH_TIMEOUT(indexedStatus(store, done), QStringLiteral("REVOKED"), 10000);

    // A key with a short TTL (Celery's value, result_expires as a worker sets it) expires.
    written = celery({QStringLiteral("done:") + brief});
    QVERIFY2(written.isEmpty(), qPrintable(written));
    QVERIFY(raw.call({"PEXPIRE", "celery-task-meta-" + brief.toUtf8(), "1500"}).ok());
    QTRY_COMPARE_WITH_TIMEOUT(indexedStatus(store, brief), QStringLiteral("SUCCESS"), 10000);
    QTRY_COMPARE_WITH_TIMEOUT(indexedStatus(store, brief), QString(), 15000);
    // A deleted key goes.
    const Outcome<RespValue> del = raw.call({"DEL", "celery-task-meta-" + fresh.toUtf8()});
    QVERIFY(del.ok() && del->integer == 1);
    QTRY_COMPARE_WITH_TIMEOUT(indexedStatus(store, fresh), QString(), 10000);
    QCOMPARE(*store.count(TaskQuery()), qint64(1));

    // F5 with live updates on reads the keys named since, lists nothing.
    QVERIFY(!store.refresh().isError());
    QCOMPARE(*store.count(TaskQuery()), qint64(1));
    QCOMPARE(scanCalls(server.endpoint()), scans);
    QVERIFY(store.isLive());
    // And Stalk changed nothing of the server's configuration.
    const Outcome<RespValue> config = raw.call({"CONFIG", "GET", "notify-keyspace-events"});
    QVERIFY(config.ok() && config->items.size() == 2);
    QVERIFY2(config->items.at(1).text.contains(flags.at(0).toLatin1()), config->items.at(1).text.constData());
}

void TestRedisStore::shouldShowLiveChangesInTheWindowsModelWithoutAScan()
{
    // The window's path: its model's store on the worker thread, refreshed as auto-refresh does.
    PrivateRedis server;
    const QString why = server.start({QStringLiteral("--notify-keyspace-events"), QStringLiteral("KEA")});
    QVERIFY2(why.isEmpty(), qPrintable(why));
    const QString url = QStringLiteral("redis://127.0.0.1:%1/0").arg(server.endpoint().port);
    QString written = TestSupport::writeThroughCelery(url, {QStringLiteral("done:44444444-0000-4000-8000-000000000001")});
    QVERIFY2(written.isEmpty(), qPrintable(written));
    const Outcome<StoreFactory> factory = makeStoreFactory(url);
    QVERIFY(factory.ok());
    TaskResultModel model;
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    QSignalSpy opened(&model, &TaskResultModel::opened);
    model.setStoreFactory(*factory);
    QVERIFY(opened.wait(30000));
    QTRY_COMPARE_WITH_TIMEOUT(model.rowCount(), 1, 30000);
    QTRY_VERIFY_WITH_TIMEOUT(model.storeInfo().note.contains(QStringLiteral("Live updates: keyspace notifications")), 10000);
    // The load's SCANs may still be running behind the first rows.
    QTRY_VERIFY_WITH_TIMEOUT(!model.isLoading(), 30000);
    const qint64 scans = scanCalls(server.endpoint());

    QTimer autoRefresh;
    QObject::connect(&autoRefresh, &QTimer::timeout, &model, &TaskResultModel::refresh);
    autoRefresh.start(300);
    written = TestSupport::writeThroughCelery(url, {QStringLiteral("done:44444444-0000-4000-8000-000000000002"),
                                                    QStringLiteral("started:44444444-0000-4000-8000-000000000003")});
    QVERIFY2(written.isEmpty(), qPrintable(written));
    QTRY_COMPARE_WITH_TIMEOUT(model.rowCount(), 3, 15000);
    autoRefresh.stop();
    QCOMPARE(scanCalls(server.endpoint()), scans);
}

void TestRedisStore::shouldFallBackToARescanWhenTheSubscriberIsKilled()
{
    PrivateRedis server;
    const QString why = server.start({QStringLiteral("--notify-keyspace-events"), QStringLiteral("KEA")});
    QVERIFY2(why.isEmpty(), qPrintable(why));
    const QString url = QStringLiteral("redis://127.0.0.1:%1/0").arg(server.endpoint().port);
    const QString first = QStringLiteral("22222222-0000-4000-8000-000000000001");
    const QString later = QStringLiteral("22222222-0000-4000-8000-000000000002");
    QString written = TestSupport::writeThroughCelery(url, {QStringLiteral("done:") + first});
    QVERIFY2(written.isEmpty(), qPrintable(written));
    RedisStore store(RedisConfig::fromUrl(StoreUrl::parse(url).value()).value());
    QVERIFY(!store.open().isError());
    QVERIFY(store.isLive());

    RedisConnection raw(server.endpoint());
    QVERIFY(!raw.connect().isError());
    const Outcome<RespValue> killed = raw.call({"CLIENT", "KILL", "TYPE", "pubsub"});
    QVERIFY(killed.ok());
    QCOMPARE(killed->integer, qint64(1));
    QTRY_VERIFY_WITH_TIMEOUT(!store.isLive(), 5000);
    const QString note = store.info().note;
    QVERIFY2(note.contains(QStringLiteral("Re-scan on refresh: the keyspace notification connection was lost")), qPrintable(note));
    QVERIFY2(!note.contains(QStringLiteral("Live updates")), qPrintable(note));

    // The store itself goes on; F5 re-scans and finds what the feed no longer reports.
    written = TestSupport::writeThroughCelery(url, {QStringLiteral("done:") + later});
    QVERIFY2(written.isEmpty(), qPrintable(written));
    const qint64 scans = scanCalls(server.endpoint());
    QCOMPARE(*store.count(TaskQuery()), qint64(1));
    QVERIFY(!store.refresh().isError());
    QCOMPARE(*store.count(TaskQuery()), qint64(2));
    QCOMPARE(indexedStatus(store, later), QStringLiteral("SUCCESS"));
    QVERIFY(scanCalls(server.endpoint()) > scans);

    // That refresh also subscribed again: the next change arrives without a re-scan.
    QVERIFY(store.isLive());
    const QString noteAgain = store.info().note;
    QVERIFY2(noteAgain.contains(QStringLiteral("Live updates")) && !noteAgain.contains(QStringLiteral("Re-scan on refresh")),
             qPrintable(noteAgain));
    const QString third = QStringLiteral("22222222-0000-4000-8000-000000000003");
    const qint64 scansLive = scanCalls(server.endpoint());
    written = TestSupport::writeThroughCelery(url, {QStringLiteral("done:") + third});
    QVERIFY2(written.isEmpty(), qPrintable(written));
    QTRY_COMPARE_WITH_TIMEOUT(*store.count(TaskQuery()), qint64(3), 10000);
    QVERIFY(!store.refresh().isError());
    QCOMPARE(indexedStatus(store, third), QStringLiteral("SUCCESS"));
    QCOMPARE(scanCalls(server.endpoint()), scansLive);

    // Notifications turned off on the server meanwhile: the next loss leaves a re-scan on
    // refresh, saying why, and refreshes keep re-scanning without trying again.
    QVERIFY(raw.call({"CONFIG", "SET", "notify-keyspace-events", ""}).ok());
    QCOMPARE(raw.call({"CLIENT", "KILL", "TYPE", "pubsub"})->integer, qint64(1));
    QTRY_VERIFY_WITH_TIMEOUT(!store.isLive(), 5000);
    QVERIFY(!store.refresh().isError());
    QVERIFY(!store.isLive());
    QVERIFY2(store.info().note.contains(QStringLiteral("Re-scan on refresh: notify-keyspace-events is empty")),
             qPrintable(store.info().note));
    const qint64 scansOff = scanCalls(server.endpoint());
    QVERIFY(!store.refresh().isError());
    QVERIFY(scanCalls(server.endpoint()) > scansOff);
}

void TestRedisStore::shouldNotSubscribeForOneShotCommands()
{
    if (qEnvironmentVariable("STALK_BIN").isEmpty())
        QSKIP("STALK_BIN is not set (run through CTest)");
    PrivateRedis server;
    const QString why = server.start({QStringLiteral("--notify-keyspace-events"), QStringLiteral("KEA")});
    QVERIFY2(why.isEmpty(), qPrintable(why));
    const QString url = QStringLiteral("redis://127.0.0.1:%1/0").arg(server.endpoint().port);
    const QString written =
        TestSupport::writeThroughCelery(url, {QStringLiteral("done:33333333-0000-4000-8000-000000000001")});
    QVERIFY2(written.isEmpty(), qPrintable(written));
    const qint64 before = commandCalls(server.endpoint(), "psubscribe");
    QCOMPARE(before, qint64(0));
    // A store that does not follow changes reads what the server offers, and no more.
    RedisStore store(RedisConfig::fromUrl(StoreUrl::parse(url).value()).value());
    store.setFollowChanges(false);
    QVERIFY(!store.open().isError());
    QVERIFY(!store.isLive());
    QVERIFY2(store.info().note.contains(QStringLiteral("Live updates")), qPrintable(store.info().note));
    QCOMPARE(*store.count(TaskQuery()), qint64(1));
    // The command line's one-shot commands: no subscriber connection either.
    for (const QStringList &args : {QStringList{QStringLiteral("count"), url},
                                    QStringList{QStringLiteral("stats"), url},
                                    QStringList{QStringLiteral("purge"), url, QStringLiteral("--before"),
                                                QStringLiteral("2000-01-01"), QStringLiteral("--dry-run")}}) {
        const Run run = stalk(args);
        QVERIFY2(run.exitCode == 0, qPrintable(args.join(u' ') + QStringLiteral(": ") + run.err));
        // stats' note says what the window would get.
        if (args.constFirst() == QLatin1String("stats"))
            QVERIFY2(run.out.contains(QStringLiteral("Live updates: keyspace notifications")), qPrintable(run.out));
    }
    QCOMPARE(commandCalls(server.endpoint(), "psubscribe"), qint64(0));
    // The window's store still subscribes.
    RedisStore live(RedisConfig::fromUrl(StoreUrl::parse(url).value()).value());
    QVERIFY(!live.open().isError());
    QVERIFY(live.isLive());
    QCOMPARE(commandCalls(server.endpoint(), "psubscribe"), qint64(1));
}

void TestRedisStore::shouldRescanOnAServerWithoutNotifications()
{
    // The shared server runs with notify-keyspace-events empty (Redis' default).
    copyToScratch(QStringLiteral("json"));
    auto store = openScratch(QStringLiteral("json"));
    QVERIFY(store);
    QVERIFY(!store->isLive());
    const QString note = store->info().note;
    QVERIFY2(note.contains(QStringLiteral("Re-scan on refresh: notify-keyspace-events is empty on this server.")), qPrintable(note));
    const RedisEndpoint endpoint = config(scratchDb).endpoint;
    const qint64 scans = scanCalls(endpoint);
    QVERIFY(!store->refresh().isError());
    QVERIFY(scanCalls(endpoint) > scans);
}

void TestRedisStore::shouldOpenWithoutNotificationsWhenConfigGetIsRefused()
{
    PrivateRedis server;
    const QString why = server.start({QStringLiteral("--notify-keyspace-events"), QStringLiteral("KEA")});
    QVERIFY2(why.isEmpty(), qPrintable(why));
    const QString url = QStringLiteral("redis://127.0.0.1:%1/0").arg(server.endpoint().port);
    QString written = TestSupport::writeThroughCelery(url, {QStringLiteral("done:33333333-0000-4000-8000-000000000001")});
    QVERIFY2(written.isEmpty(), qPrintable(written));
    {
        RedisConnection admin(server.endpoint());
        QVERIFY(!admin.connect().isError());
        const Outcome<RespValue> acl = admin.call({"ACL", "SETUSER", "reader", "on", ">reader-secret", "~*", "&*", "+@all", "-config"});
        QVERIFY(acl.ok() && !acl->isError());
    }
    RedisStore store(RedisConfig::fromUrl(StoreUrl::parse(QStringLiteral("redis://reader:reader-secret@127.0.0.1:%1/0")
                                                              .arg(server.endpoint().port)).value()).value());
    const StoreError opened = store.open();
    QVERIFY2(!opened.isError(), qPrintable(opened.message));
    QCOMPARE(*store.count(TaskQuery()), qint64(1));
    QVERIFY(!store.isLive());
    const QString note = store.info().note;
    QVERIFY2(note.contains(QStringLiteral("Re-scan on refresh: the server refused CONFIG GET notify-keyspace-events (NOPERM")),
             qPrintable(note));
}

void TestRedisStore::shouldListSavedGroupsAsUpstreamReadsThem_data()
{
    QTest::addColumn<QString>("name");
    for (const char *name : {"json", "plain", "pickle", "prefixed", "django"})
        QTest::newRow(name) << QString::fromLatin1(name);
    addDbCacheRows();
}

void TestRedisStore::shouldListSavedGroupsAsUpstreamReadsThem()
{
    // The workers' group(...).apply_async() saved with GroupResult.save() through each backend
    // (JSON, pickle, a global prefix, Django's cache in Redis and in a DatabaseCache table).
    QFETCH(QString, name);
    REQUIRE_DATA_SET(name);
    auto store = openStore(name);
    QVERIFY(store);
    TestSupport::verifyGroupsAsUpstreamReadThem(*store, dataSet(name).value(QLatin1String("saved_groups")).toArray());
}

void TestRedisStore::shouldListAGroupSavedByCeleryAfterOpen()
{
    copyToScratch(QStringLiteral("json"));
    auto store = openScratch(QStringLiteral("json"));
    QVERIFY(store);
    const QString done = QStringLiteral("9a9a9a9a-0000-4000-8000-000000000001");
    const QString absent = QStringLiteral("9a9a9a9a-0000-4000-8000-000000000002");
    const QString groupId = QStringLiteral("9a9a9a9a-0000-4000-8000-0000000000ff");
    const QString written = TestSupport::writeThroughCelery(
        m_url + QStringLiteral("/%1").arg(scratchDb),
        {QStringLiteral("done:") + done, QStringLiteral("group:%1:%2,%3").arg(groupId, done, absent)});
    QVERIFY2(written.isEmpty(), qPrintable(written));
    QVERIFY(!store->groupsOf(done)->size()); // not read yet: answered from memory
    QVERIFY(!store->refresh().isError());
    const auto listed = TaskGroups::listing(*store, done);
    QVERIFY2(listed, qPrintable(listed.error().message));
    QCOMPARE(listed->groups.size(), 1);
    const TaskGroup &g = listed->groups.constFirst();
    QCOMPARE(g.groupId, groupId);
    QCOMPARE(g.memberIds, (QStringList{done, absent}));
    QVERIFY(!g.dateDone.isValid()); // Celery 5.2 saves no date_done
    qint64 missing = -1;
    QCOMPARE(listed->statusesOf(g, &missing), (QMap<QString, qint64>{{QStringLiteral("SUCCESS"), 1}}));
    QCOMPARE(missing, qint64(1));
    QCOMPARE(store->groupsOf(absent)->size(), 1);
    const auto all = store->groups(TaskQuery(), 100);
    QVERIFY(all);
    QCOMPARE(all->size(), dataSet(QStringLiteral("json")).value(QLatin1String("saved_groups")).toArray().size() + 1);
}

TestRedisStore::Run TestRedisStore::stalk(const QStringList &args)
{
    QProcess process;
    process.setProgram(qEnvironmentVariable("STALK_BIN"));
    process.setArguments(args);
    QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    env.remove(QStringLiteral("STALK_PASSWORD"));
    process.setProcessEnvironment(env);
    process.start();
    process.closeWriteChannel();
    Run run;
    if (!process.waitForFinished(60000))
        return run;
    run.exitCode = process.exitStatus() == QProcess::NormalExit ? process.exitCode() : -2;
    run.out = QString::fromUtf8(process.readAllStandardOutput());
    run.err = QString::fromUtf8(process.readAllStandardError());
    return run;
}

void TestRedisStore::shouldAnswerEveryCommandOfTheCommandLine()
{
    if (qEnvironmentVariable("STALK_BIN").isEmpty())
        QSKIP("STALK_BIN is not set (CTest sets it)");
    copyToScratch(QStringLiteral("json"));
    const QJsonObject set = dataSet(QStringLiteral("json"));
    const QJsonObject counts = set.value(QLatin1String("counts")).toObject();
    const QString url = m_url + QStringLiteral("/%1").arg(scratchDb);
    const QString password = StoreUrl::parse(m_url)->password;

    Run r = stalk({QStringLiteral("count"), url, QStringLiteral("--status"), QStringLiteral("FAILURE")});
    QCOMPARE(r.exitCode, 0);
    QCOMPARE(r.out.trimmed().toLongLong(), qint64(counts.value(QLatin1String("status")).toObject().value(QLatin1String("FAILURE")).toInt()));

    r = stalk({QStringLiteral("list"), url, QStringLiteral("--limit"), QStringLiteral("0"), QStringLiteral("--format"), QStringLiteral("jsonl")});
    QCOMPARE(r.exitCode, 0);
    const QStringList lines = r.out.split(u'\n', Qt::SkipEmptyParts);
    QCOMPARE(lines.size(), counts.value(QLatin1String("total")).toInt());
    QStringList listed;
    for (const QString &line : lines)
        listed.append(QJsonDocument::fromJson(line.toUtf8()).object().value(QLatin1String("task_id")).toString());
    QStringList all;
    for (const QJsonValue &v : set.value(QLatin1String("celery")).toArray())
        all.append(v.toObject().value(QLatin1String("task_id")).toString());
    QCOMPARE(sorted(listed), sorted(all));

    const QJsonObject failure = [&] {
        for (const QJsonValue &v : set.value(QLatin1String("celery")).toArray()) {
            if (v.toObject().value(QLatin1String("status")).toString() == QLatin1String("FAILURE"))
                return v.toObject();
        }
        return QJsonObject();
    }();
    r = stalk({QStringLiteral("show"), url, failure.value(QLatin1String("task_id")).toString(), QStringLiteral("--decode")});
    QCOMPARE(r.exitCode, 0);
    const QJsonObject shown = QJsonDocument::fromJson(r.out.toUtf8()).object();
    QCOMPARE(shown.value(QLatin1String("result_decoded")).toString().section(u'\n', 0, 0),
             failure.value(QLatin1String("result")).toString());
    QVERIFY(shown.value(QLatin1String("traceback")).toString().contains(QLatin1String("ValueError")));
    QVERIFY2(shown.value(QLatin1String("expires")).toString().endsWith(u'Z'), qPrintable(r.out)); // the key's TTL

    r = stalk({QStringLiteral("show"), url, QStringLiteral("no-such-task")});
    QCOMPARE(r.exitCode, 1);
    QVERIFY2(r.err.startsWith(QLatin1String("stalk: no result with task id no-such-task")) && !r.err.contains(password), qPrintable(r.err));

    r = stalk({QStringLiteral("stats"), url, QStringLiteral("--format"), QStringLiteral("json")});
    QCOMPARE(r.exitCode, 0);
    QVERIFY2(r.out.contains(QLatin1String("\"SUCCESS\"")), qPrintable(r.out));

    QStringList expired;
    for (const QJsonValue &v : set.value(QLatin1String("expired")).toArray()) {
        if (v.toObject().value(QLatin1String("cutoff")).toString() == QLatin1String("2025-02-01T00:00:00Z"))
            expired = stringsOf(v.toObject().value(QLatin1String("task_ids")).toArray());
    }
    r = stalk({QStringLiteral("purge"), url, QStringLiteral("--before"), QStringLiteral("2025-02-01"), QStringLiteral("--dry-run")});
    QCOMPARE(r.exitCode, 0);
    QVERIFY2(r.out.startsWith(QStringLiteral("%1 results would be deleted").arg(expired.size())), qPrintable(r.out));
    r = stalk({QStringLiteral("purge"), url, QStringLiteral("--before"), QStringLiteral("2025-02-01")});
    QCOMPARE(r.exitCode, 2); // no terminal, no --yes: refused before touching anything
    QCOMPARE(qint64(scratchIds(CouchDocument::taskPrefix, QString()).size()), qint64(all.size()));
    r = stalk({QStringLiteral("purge"), url, QStringLiteral("--before"), QStringLiteral("2025-02-01"), QStringLiteral("--yes"),
               QStringLiteral("--batch-size"), QStringLiteral("3")});
    QCOMPARE(r.exitCode, 0);
    QCOMPARE(r.out.trimmed(), QStringLiteral("deleted %1 results (and 0 groups)").arg(expired.size()));
    QStringList left = all;
    for (const QString &id : std::as_const(expired))
        left.removeOne(id);
    QCOMPARE(scratchIds(CouchDocument::taskPrefix, QString()), sorted(left));

    // The password: not given, no terminal: one sentence that says where to put it, exit 1.
    r = stalk({QStringLiteral("count"), QStringLiteral("redis://127.0.0.1:%1/%2").arg(StoreUrl::parse(m_url)->port).arg(scratchDb)});
    QCOMPARE(r.exitCode, 1);
    QVERIFY2(r.err.contains(QLatin1String("requires a password")) && r.err.count(u'\n') == 1, qPrintable(r.err));
}

QTEST_GUILESS_MAIN(TestRedisStore)
#include "tst_redisstore.moc"
