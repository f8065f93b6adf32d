// The Redis store's pure parts: the RESP2 reader/writer, the value decoder (JSON, pickles
// made by Python — never executed — msgpack and foreign values), and the redis:// URL forms.
// No server needed.
#include <QDateTime>
#include <QTest>

#include "redisstore.h"
#include "redisvalue.h"
#include "respclient.h"
#include "storeopener.h"
#include "storeurl.h"

using Parsed = CouchDocument::Parsed;

class TestRedisValue : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void shouldReadEveryReplyType_data();
    void shouldReadEveryReplyType();
    void shouldWaitForMoreAtEveryCutOfAReply();
    void shouldRefuseHostileReplies_data();
    void shouldRefuseHostileReplies();
    void shouldWriteCommandsBinarySafe();
    void shouldReadJsonMetaLikeCouchDocuments();
    void shouldReadPickledMetaWithoutRunningIt();
    void shouldReadADatetimePickledByDjangosCache();
    void shouldTellCeleryAndDjangoCacheKeysFromOthers_data();
    void shouldTellCeleryAndDjangoCacheKeysFromOthers();
    void shouldSayWhyAValueIsNotAResult_data();
    void shouldSayWhyAValueIsNotAResult();
    void shouldParseRedisUrls_data();
    void shouldParseRedisUrls();
    void shouldRefuseBadRedisUrls_data();
    void shouldRefuseBadRedisUrls();
    void shouldMaskRedisPasswords();
};

void TestRedisValue::shouldReadEveryReplyType_data()
{
    QTest::addColumn<QByteArray>("bytes");
    QTest::addColumn<int>("type");
    QTest::addColumn<QByteArray>("text");
    QTest::addColumn<qint64>("integer");
    QTest::addColumn<int>("items");
    using T = RespValue::Type;
    QTest::newRow("simple") << QByteArray("+OK\r\n") << int(T::Simple) << QByteArray("OK") << qint64(0) << 0;
    QTest::newRow("error") << QByteArray("-WRONGPASS invalid\r\n") << int(T::Error) << QByteArray("WRONGPASS invalid") << qint64(0) << 0;
    QTest::newRow("a line with lone CRs: it ends at CR LF") << QByteArray("+a\rb\r\r\n") << int(T::Simple) << QByteArray("a\rb\r")
                                                           << qint64(0) << 0;
    QTest::newRow("integer") << QByteArray(":-42\r\n") << int(T::Integer) << QByteArray() << qint64(-42) << 0;
    QTest::newRow("bulk") << QByteArray("$5\r\nhe\r\nl\r\n") << int(T::Bulk) << QByteArray("he\r\nl") << qint64(0) << 0;
    QTest::newRow("empty bulk") << QByteArray("$0\r\n\r\n") << int(T::Bulk) << QByteArray("") << qint64(0) << 0;
    QTest::newRow("binary bulk") << QByteArray("$3\r\n\x80\x00\xff\r\n", 9) << int(T::Bulk) << QByteArray("\x80\x00\xff", 3) << qint64(0) << 0;
    QTest::newRow("nil bulk") << QByteArray("$-1\r\n") << int(T::Nil) << QByteArray() << qint64(0) << 0;
    QTest::newRow("nil array") << QByteArray("*-1\r\n") << int(T::Nil) << QByteArray() << qint64(0) << 0;
    QTest::newRow("scan reply") << QByteArray("*2\r\n$2\r\n17\r\n*2\r\n$1\r\na\r\n$-1\r\n") << int(T::Array) << QByteArray()
                                << qint64(0) << 2;
}

void TestRedisValue::shouldReadEveryReplyType()
{
    QFETCH(QByteArray, bytes);
    QFETCH(int, type);
    QFETCH(QByteArray, text);
    QFETCH(qint64, integer);
    QFETCH(int, items);
    const QByteArray twice = bytes + bytes; // replies follow each other (pipelining)
    qsizetype pos = 0;
    for (int k = 0; k < 2; ++k) {
        RespValue v;
        QCOMPARE(Resp::parse(twice, &pos, &v), Resp::ParseStatus::Complete);
        QCOMPARE(int(v.type), type);
        QCOMPARE(v.text, text);
        QCOMPARE(v.integer, integer);
        QCOMPARE(int(v.items.size()), items);
    }
    QCOMPARE(pos, twice.size());
}

void TestRedisValue::shouldWaitForMoreAtEveryCutOfAReply()
{
    const QByteArray reply("*3\r\n$4\r\nabcd\r\n:7\r\n*1\r\n+O\rK\r\n");
    for (qsizetype cut = 0; cut < reply.size(); ++cut) {
        qsizetype pos = 0;
        RespValue v;
        QCOMPARE(Resp::parse(reply.left(cut), &pos, &v), Resp::ParseStatus::Incomplete);
        QCOMPARE(pos, qsizetype(0));
    }
}

void TestRedisValue::shouldRefuseHostileReplies_data()
{
    QTest::addColumn<QByteArray>("bytes");
    QTest::newRow("not RESP (a TLS server)") << QByteArray("\x15\x03\x01\x00\x02\x02\x46", 7);
    QTest::newRow("HTTP") << QByteArray("HTTP/1.1 400 Bad Request\r\n");
    QTest::newRow("bulk longer than Redis allows") << QByteArray("$999999999999\r\n");
    QTest::newRow("negative bulk") << QByteArray("$-2\r\n");
    QTest::newRow("bulk not ending where it says") << QByteArray("$2\r\nabcd\r\n");
    QTest::newRow("integer not a number") << QByteArray(":12x\r\n");
    QTest::newRow("huge array") << QByteArray("*999999999999\r\n");
    QByteArray deep;
    for (int i = 0; i < 100; ++i)
        deep += "*1\r\n";
    QTest::newRow("nested 100 deep") << deep + ":1\r\n";
}

void TestRedisValue::shouldRefuseHostileReplies()
{
    QFETCH(QByteArray, bytes);
    qsizetype pos = 0;
    RespValue v;
    QString why;
    QCOMPARE(Resp::parse(bytes, &pos, &v, &why), Resp::ParseStatus::Invalid);
    QVERIFY(!why.isEmpty());
}

void TestRedisValue::shouldWriteCommandsBinarySafe()
{
    QCOMPARE(Resp::command({"GET", QByteArray("k\r\n\0", 4)}), QByteArray("*2\r\n$3\r\nGET\r\n$4\r\nk\r\n\0\r\n", 23));
    // What we write, we read back as an array of the same bulk strings.
    const QByteArray c = Resp::command({"SET", "celery-task-meta-x", "{\"status\": \"SUCCESS\"}"});
    qsizetype pos = 0;
    RespValue v;
    QCOMPARE(Resp::parse(c, &pos, &v), Resp::ParseStatus::Complete);
    QCOMPARE(v.items.size(), 3);
    QCOMPARE(v.items.at(2).text, QByteArray("{\"status\": \"SUCCESS\"}"));
}

void TestRedisValue::shouldReadJsonMetaLikeCouchDocuments()
{
    const QByteArray value = R"({"status": "SUCCESS", "result": 5, "traceback": null, "children": [],
        "date_done": "2025-01-02T03:04:05.123456", "task_id": "t-1", "name": "proj.add", "args": [2, 3],
        "kwargs": {}, "worker": "w@h", "retries": 0, "queue": "celery"})";
    const Parsed p = RedisValue::parse(QStringLiteral("app:celery-task-meta-t-1"), value, QStringLiteral("app:"));
    QCOMPARE(p.kind, Parsed::Kind::Task);
    QCOMPARE(RedisValue::sniff(value), RedisValue::Encoding::Json);
    // The same answer CouchDocument gives for the same meta text (one decoder for both).
    const Parsed couch = CouchDocument::parseParts(QStringLiteral("app:celery-task-meta-t-1"), QString(),
                                                   CouchDocument::ValueKind::String, value, QStringLiteral("app:"));
    QCOMPARE(p.task, couch.task);
    QCOMPARE(p.task.taskName, QStringLiteral("proj.add"));
    QCOMPARE(p.task.dateDone, QDateTime(QDate(2025, 1, 2), QTime(3, 4, 5, 123), Qt::UTC));
    const Parsed group = RedisValue::parse(QStringLiteral("celery-taskset-meta-g-1"), R"({"result": [["g-1", null], []]})", QString());
    QCOMPARE(group.kind, Parsed::Kind::Group);
    QCOMPARE(group.groupId, QStringLiteral("g-1"));
    QVERIFY(group.groupMembers.isEmpty()); // a saved group without members
    QVERIFY2(group.groupProblem.isEmpty(), qPrintable(group.groupProblem));
}

void TestRedisValue::shouldReadPickledMetaWithoutRunningIt()
{
    // pickle.dumps(meta, protocol=4) of what Celery's RedisBackend writes with
    // result_serializer='pickle' for a failed task (the exception instance itself).
    const QByteArray value = QByteArray::fromHex(
        "8004952b010000000000007d94288c06737461747573948c074641494c555245948c06726573756c74948c086275696c74696e73948c0a56"
        "616c75654572726f729493948c095a6fc3ab20626f6f6d94859452948c0974726163656261636b948c2454726163656261636b202e2e2e0a"
        "56616c75654572726f723a205a6fc3ab20626f6f6d0a948c086368696c6472656e945d948c09646174655f646f6e65948c1a323032352d30"
        "312d30325430333a30343a30352e313233343536948c077461736b5f6964948c056162632d31948c046e616d65948c0970726f6a2e666169"
        "6c948c0461726773948c045a6fc3ab944b0186948c066b7761726773947d948c04666c61679488738c06776f726b6572948c03774068948c"
        "0772657472696573944b008c057175657565948c0663656c65727994752e");
    QCOMPARE(RedisValue::sniff(value), RedisValue::Encoding::Pickle);
    const Parsed p = RedisValue::parse(QStringLiteral("celery-task-meta-abc-1"), value, QString());
    QCOMPARE(p.kind, Parsed::Kind::Task);
    const TaskResult &t = p.task;
    QVERIFY2(t.problems.isEmpty(), qPrintable(t.problems.join(u';')));
    QCOMPARE(t.taskId, QStringLiteral("abc-1"));
    QCOMPARE(t.status, QStringLiteral("FAILURE"));
    QCOMPARE(t.taskName, QStringLiteral("proj.fail"));
    QCOMPARE(t.worker, QStringLiteral("w@h"));
    QCOMPARE(t.queue, QStringLiteral("celery"));
    QCOMPARE(t.retries, 0);
    QCOMPARE(t.args, QStringLiteral("[\"Zoë\", 1]"));
    QCOMPARE(t.kwargs, QStringLiteral("{\"flag\": true}"));
    QCOMPARE(t.result, QStringLiteral("{\"exc_type\": \"ValueError\", \"exc_message\": [\"Zoë boom\"], \"exc_module\": \"builtins\"}"));
    QVERIFY(t.traceback.endsWith(QStringLiteral("ValueError: Zoë boom\n")));
    QCOMPARE(t.meta, QStringLiteral("{\"children\": []}"));
    QCOMPARE(t.dateDone, QDateTime(QDate(2025, 1, 2), QTime(3, 4, 5, 123), Qt::UTC));
    QVERIFY(p.extended);
}

void TestRedisValue::shouldReadADatetimePickledByDjangosCache()
{
    // protocol 2, date_done a datetime.datetime (Django's cache pickles the meta as it is).
    const QByteArray value = QByteArray::fromHex(
        "80027d7100285806000000737461747573710158070000005355434345535371025806000000726573756c7471037d710458010000006e71"
        "054b0173580900000074726163656261636b71064e58080000006368696c6472656e71075d71085809000000646174655f646f6e65710963"
        "6461746574696d650a6461746574696d650a710a635f636f646563730a656e636f64650a710b580c00000007c3a9010203040501c3a07871"
        "0c58060000006c6174696e31710d86710e52710f85711052711158070000007461736b5f6964711258050000006162632d327113752e");
    const Parsed p = RedisValue::parse(QStringLiteral("celery-task-meta-abc-2"), value, QString());
    QCOMPARE(p.kind, Parsed::Kind::Task);
    QVERIFY2(p.task.problems.isEmpty(), qPrintable(p.task.problems.join(u';')));
    QCOMPARE(p.task.dateDone, QDateTime(QDate(2025, 1, 2), QTime(3, 4, 5, 123), Qt::UTC));
    QCOMPARE(p.task.result, QStringLiteral("{\"n\": 1}"));
    QVERIFY(p.task.taskName.isNull());
    QVERIFY(!p.extended);
}

void TestRedisValue::shouldTellCeleryAndDjangoCacheKeysFromOthers_data()
{
    QTest::addColumn<QString>("key");
    QTest::addColumn<bool>("read");
    QTest::addColumn<QString>("prefix");
    QTest::addColumn<bool>("django");
    QTest::newRow("Celery's task") << "celery-task-meta-abc" << true << "" << false;
    QTest::newRow("Celery's group") << "celery-taskset-meta-abc" << true << "" << false;
    QTest::newRow("Django's default") << ":1:celery-task-meta-abc" << true << ":1:" << true;
    QTest::newRow("Django's group") << ":1:celery-taskset-meta-g" << true << ":1:" << true;
    QTest::newRow("KEY_PREFIX and VERSION") << "shop:12:celery-task-meta-abc" << true << "shop:12:" << true;
    QTest::newRow("KEY_PREFIX with a colon") << "a:b:3:celery-task-meta-abc" << true << "a:b:3:" << true;
    QTest::newRow("a global prefix") << "stalk:celery-task-meta-abc" << false << "" << false;
    QTest::newRow("no version") << "shop::celery-task-meta-abc" << false << "" << false;
    QTest::newRow("a version that is no number") << ":v1:celery-task-meta-abc" << false << "" << false;
    QTest::newRow("not Celery's") << ":1:session-abc" << false << "" << false;
}

void TestRedisValue::shouldTellCeleryAndDjangoCacheKeysFromOthers()
{
    QFETCH(QString, key);
    QFETCH(bool, read);
    QFETCH(QString, prefix);
    QFETCH(bool, django);
    const QString got = RedisValue::defaultKeyPrefix(key);
    QCOMPARE(!got.isNull(), read);
    if (!read)
        return;
    QCOMPARE(got, prefix);
    QCOMPARE(RedisValue::isDjangoCachePrefix(got), django);
    QCOMPARE(RedisValue::parse(key, QByteArrayLiteral("{\"status\": \"SUCCESS\", \"result\": 1}"), got).kind,
             key.contains(QLatin1String("taskset")) ? Parsed::Kind::Group : Parsed::Kind::Task);
}

void TestRedisValue::shouldSayWhyAValueIsNotAResult_data()
{
    QTest::addColumn<QString>("key");
    QTest::addColumn<QByteArray>("value");
    QTest::addColumn<QString>("reason");
    QTest::newRow("other key") << QStringLiteral("session:1") << QByteArray("{}") << QStringLiteral("not a Celery key");
    QTest::newRow("other prefix") << QStringLiteral("celery-task-meta-x") << QByteArray("{}") << QStringLiteral("not a Celery key");
    QTest::newRow("not JSON") << QStringLiteral("app:celery-task-meta-x") << QByteArray("{oops") << QStringLiteral("the value is not JSON");
    QTest::newRow("no status") << QStringLiteral("app:celery-task-meta-x") << QByteArray("{\"result\": 1}")
                               << QStringLiteral("the value has no 'status'");
    QTest::newRow("msgpack") << QStringLiteral("app:celery-task-meta-x") << QByteArray("\x81\xa6status\xa7SUCCESS", 16)
                             << QStringLiteral("the value is msgpack");
    QTest::newRow("bad pickle") << QStringLiteral("app:celery-task-meta-x") << QByteArray("\x80\x04garbage", 9)
                                << QStringLiteral("the pickled value cannot be read");
    QTest::newRow("pickled list") << QStringLiteral("app:celery-task-meta-x") << QByteArray::fromHex("80045d942e")
                                  << QStringLiteral("the pickled value is not a dict");
    // A pickle that would run code if unpickled: read as data, never called.
    QTest::newRow("os.system pickle") << QStringLiteral("app:celery-task-meta-x")
                                      << QByteArray("\x80\x02" "cos\nsystem\nq\x00X\x02\x00\x00\x00idq\x01\x85q\x02Rq\x03.", 31)
                                      << QStringLiteral("the pickled value is not a dict");
    QTest::newRow("empty") << QStringLiteral("app:celery-task-meta-x") << QByteArray() << QStringLiteral("the value is empty");
    QTest::newRow("binary") << QStringLiteral("app:celery-task-meta-x") << QByteArray("\x01\x02", 2)
                            << QStringLiteral("the value is neither JSON, a pickle nor msgpack");
}

void TestRedisValue::shouldSayWhyAValueIsNotAResult()
{
    QFETCH(QString, key);
    QFETCH(QByteArray, value);
    QFETCH(QString, reason);
    const Parsed p = RedisValue::parse(key, value, QStringLiteral("app:"));
    QCOMPARE(p.kind, Parsed::Kind::Foreign);
    QVERIFY2(p.reason.startsWith(reason), qPrintable(p.reason));
}

void TestRedisValue::shouldParseRedisUrls_data()
{
    QTest::addColumn<QString>("url");
    QTest::addColumn<QString>("where");
    QTest::addColumn<int>("db");
    QTest::addColumn<bool>("tls");
    QTest::addColumn<QString>("user");
    QTest::addColumn<QString>("password");
    QTest::addColumn<QString>("keyPrefix");
    QTest::newRow("defaults") << "redis://" << "127.0.0.1:6379" << 0 << false << "" << "" << "";
    QTest::newRow("Celery's form") << "redis://:s%40cret@cache.example:6380/2" << "cache.example:6380" << 2 << false << ""
                                   << "s@cret" << "";
    QTest::newRow("ACL user") << "redis://app:pw@10.0.0.1/1" << "10.0.0.1:6379" << 1 << false << "app" << "pw" << "";
    QTest::newRow("IPv6") << "redis://[::1]:7000/3" << "[::1]:7000" << 3 << false << "" << "" << "";
    QTest::newRow("TLS") << "rediss://:pw@h:6390/0?ssl_cert_reqs=required" << "h:6390" << 0 << true << "" << "pw" << "";
    QTest::newRow("socket") << "redis+socket:///run/redis/redis.sock?virtual_host=5" << "/run/redis/redis.sock" << 5
                            << false << "" << "" << "";
    QTest::newRow("socket with password") << "redis+socket://:pw@/tmp/r.sock" << "/tmp/r.sock" << 0 << false << "" << "pw" << "";
    QTest::newRow("key prefix") << "redis://h/1?keyprefix=myapp%3A" << "h:6379" << 1 << false << "" << "" << "myapp:";
    QTest::newRow("Django's prefix") << "redis://h/1?keyprefix=:1:" << "h:6379" << 1 << false << "" << "" << ":1:";
}

void TestRedisValue::shouldParseRedisUrls()
{
    QFETCH(QString, url);
    QFETCH(QString, where);
    QFETCH(int, db);
    QFETCH(bool, tls);
    QFETCH(QString, user);
    QFETCH(QString, password);
    QFETCH(QString, keyPrefix);
    const Outcome<StoreUrl> parsed = StoreUrl::parse(url);
    QVERIFY2(parsed.ok(), qPrintable(parsed.error().message));
    QCOMPARE(parsed->scheme, StoreUrl::Scheme::Redis);
    const Outcome<RedisConfig> c = RedisConfig::fromUrl(*parsed);
    QVERIFY2(c.ok(), qPrintable(c.error().message));
    QCOMPARE(c->endpoint.where(), where);
    QCOMPARE(c->endpoint.database, db);
    QCOMPARE(c->endpoint.tls, tls);
    QCOMPARE(c->endpoint.user, user);
    QCOMPARE(c->endpoint.password, password);
    QCOMPARE(c->keyPrefix, keyPrefix);
    // Without ?keyprefix= both Celery's and Django's cache keys are read; with it, only its own.
    QCOMPARE(c->defaultPrefixes, !url.contains(QLatin1String("keyprefix=")));
    QVERIFY(makeStoreFactory(*parsed).ok());
}

void TestRedisValue::shouldRefuseBadRedisUrls_data()
{
    QTest::addColumn<QString>("url");
    QTest::addColumn<QString>("says");
    QTest::newRow("database not a number") << "redis://:pw@h/cache" << "is not a Redis database number";
    QTest::newRow("TLS option without TLS") << "redis://h/0?ssl_cert_reqs=none" << "needs rediss://";
    QTest::newRow("client certificate without TLS") << "redis://h/0?ssl_certfile=/c.pem" << "ssl_certfile needs rediss://";
    QTest::newRow("client key without its certificate") << "rediss://h/0?ssl_keyfile=/k.pem" << "ssl_keyfile needs ssl_certfile";
    QTest::newRow("bad cert reqs") << "rediss://h/0?ssl_cert_reqs=maybe" << "use required, optional or none";
    QTest::newRow("socket without path") << "redis+socket://" << "it names no socket";
    QTest::newRow("unknown variant") << "redis+sentinel://h:26379" << "unknown scheme";
    QTest::newRow("bad port") << "redis://:pw@h:99999/0" << "is not a port number";
}

void TestRedisValue::shouldRefuseBadRedisUrls()
{
    QFETCH(QString, url);
    QFETCH(QString, says);
    const Outcome<StoreFactory> factory = makeStoreFactory(url);
    QVERIFY(!factory.ok());
    QCOMPARE(factory.error().code, StoreError::Code::InvalidUrl);
    QVERIFY2(factory.error().message.contains(says), qPrintable(factory.error().message));
}

void TestRedisValue::shouldMaskRedisPasswords()
{
    const StoreUrl url = StoreUrl::parse(QStringLiteral("redis://:S3cret@h:6379/1")).value();
    QCOMPARE(url.displayString(), QStringLiteral("redis://:***@h:6379/1"));
    QCOMPARE(url.withoutPassword(), QStringLiteral("redis://h:6379/1"));
    QCOMPARE(url.account(), QStringLiteral("h:6379"));
    const StoreUrl typed = StoreUrl::parse(QStringLiteral("redis://h/1")).value().withPassword(QStringLiteral("p w"));
    QCOMPARE(typed.password, QStringLiteral("p w"));
    QCOMPARE(typed.displayString(), QStringLiteral("redis://:***@h/1"));
    const Outcome<RedisConfig> c = RedisConfig::fromUrl(typed);
    QCOMPARE(c->endpoint.password, QStringLiteral("p w"));
    QVERIFY(!c->location.contains(QLatin1String("p w")));
    const StoreOpener socket(QStringLiteral("redis+socket://:S3cret@/tmp/r.sock"));
    QVERIFY2(!socket.displayString().contains(QLatin1String("S3cret")), qPrintable(socket.displayString()));
}

QTEST_APPLESS_MAIN(TestRedisValue)
#include "tst_redisvalue.moc"
