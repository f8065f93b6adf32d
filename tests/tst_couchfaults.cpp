// Faults a real CouchDB will not produce on demand: time-outs, 5xx then success, 4xx
// sentences, truncated bodies, connections reset mid-page, TLS failures, interrupts.
// They come from a scripted HTTP server on a loopback QTcpServer (FakeCouch), which also
// plays a small CouchDB (_all_docs key ranges, _changes with opaque string sequences) so
// the whole CouchStore runs against it.
#include <QDateTime>
#include <QElapsedTimer>
#include <QEventLoop>
#include <QFile>
#include <QHash>
#include <QHostAddress>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QJsonValue>
#include <QList>
#include <QMap>
#include <QMetaObject>
#include <QNetworkAccessManager>
#include <QSet>
#include <QSslKey>
#include <QSslServer>
#include <QSslSocket>
#include <QStringList>
#include <QTcpServer>
#include <QTcpSocket>
#include <QTemporaryDir>
#include <QTest>
#include <QThread>
#include <QUrl>
#include <QUrlQuery>
#include <QVector>

#include <atomic>

#include "couchclient.h"
#include "couchstore.h"
#include "httpwire.h"
#include "purger.h"
#include "storeurl.h"

namespace {

// A self-signed certificate for 127.0.0.1 (valid until 2125) and its key, for the TLS tests.
const char serverCertificate[] = R"(-----BEGIN CERTIFICATE-----
MIIDHDCCAgSgAwIBAgIUe8SU8sov7RuzFtWOrH4qUDUVvnkwDQYJKoZIhvcNAQEL
BQAwFDESMBAGA1UEAwwJMTI3LjAuMC4xMCAXDTI2MTEyMTIxMDM1OFoYDzIxMjYx
MDI4MjEwMzU4WjAUMRIwEAYDVQQDDAkxMjcuMC4wLjEwggEiMA0GCSqGSIb3DQEB
AQUAA4IBDwAwggEKAoIBAQC6eAndPRx2ckWEKAd+CotERY5tIKHqzbKUGf9m2d40
3pQ24kNVTlmXUh7b5wRm9mEshCX/dm76vmlAbGGnB6GdTVoi8iTJMxt5nPxFX68Q
KxLWkiLU/NlgINIzLIFNeh/fZFqXpO9XvHBrM8+NIYt/Tukh3xbdMzM0GPoeQJkW
noc2uD0v4sX3tWtEJE4wdpMkevPOR6x59HmpAvVlIXYTJc1PZq0I7fRd9UyqQQ6+
+/JH0xtzOuZ/PaQyasRBxaUNqG/qK6YSfy5HNPNuQGFtluJFsNZTP0XBToOcc972
3J+yyy7iznu7I74AqWFbXvnU407FqoN9zJHozpdow4jZAgMBAAGjZDBiMB0GA1Ud
DgQWBBQ/3kPEZxsAY+E65TJ5BrWtwf3rijAfBgNVHSMEGDAWgBQ/3kPEZxsAY+E6
5TJ5BrWtwf3rijAPBgNVHRMBAf8EBTADAQH/MA8GA1UdEQQIMAaHBH8AAAEwDQYJ
KoZIhvcNAQELBQADggEBAKKWbxxG5TTOmsaY5W8ZDftqm4IY8muqkSIiLaVtqC/U
ZZKIatlBcXnojLPsbhXSlCKtFQKGUY3Ipf3Uh+NJCpoQAQd4GpDZykO0+J/L4Xv6
n59LlNYiAVGth7n/rLctG5yjwhPlOfrn3FpVirgd1UJAbAGSn4kgUVX9kUezklDV
bpQJHOdBZDS+snnepLY/hziFIJaAW/47CbUxVtZUGAo959536yQMRbxWHzPkpPzW
YVSWrB8Y85L+k/cU0jZZQpL7TRp3MyzhDM5fM3XxBbO9TqOGj6lGn+8vYj4Y7ymy
jqMUng7Jo+htPxBdmetEPxDZpgSzloN26NTdy/y3/1o=
-----END CERTIFICATE-----
)";
const char serverKey[] = R"(-----BEGIN PRIVATE KEY-----
MIIEvQIBADANBgkqhkiG9w0BAQEFAASCBKcwggSjAgEAAoIBAQC6eAndPRx2ckWE
KAd+CotERY5tIKHqzbKUGf9m2d403pQ24kNVTlmXUh7b5wRm9mEshCX/dm76vmlA
bGGnB6GdTVoi8iTJMxt5nPxFX68QKxLWkiLU/NlgINIzLIFNeh/fZFqXpO9XvHBr
M8+NIYt/Tukh3xbdMzM0GPoeQJkWnoc2uD0v4sX3tWtEJE4wdpMkevPOR6x59Hmp
AvVlIXYTJc1PZq0I7fRd9UyqQQ6++/JH0xtzOuZ/PaQyasRBxaUNqG/qK6YSfy5H
NPNuQGFtluJFsNZTP0XBToOcc9723J+yyy7iznu7I74AqWFbXvnU407FqoN9zJHo
zpdow4jZAgMBAAECggEAKxRyiveEbOUHpHmvCXKcLEC5oAKrBdlSCZ9b/0IUcTh/
G5L4pWu9jRU+5eUggj0nxCYftT6Cc1GsdWLUyMcdkn79dRdmYkl5boZTTh/GDUE2
T/ZhL73e5rOOfJ4qnWC6nlzMBT7owOdbPZkxuVRnqxjrCZVF7gLXMJEYsAaSl8PR
FRcaKPmquno4kBBH1sDKBWqFPE0A56/Uv7ZzlvVcHgIsHhvpJuUms0jzYzZhwKGr
t7ufnylYDqW0rTmJ3vfPwuv0lrISgrKbuLfyvk1ITepo+DwDpcr/U/I3x7NT5qSo
j7thRRo8n2sj/vdz1zKKcQG8tOywgYPOWmAiJTejEQKBgQDrI/F5MHAKbxiFLmEw
iBjsUUCMF6WPVB9Tw1QAPch8OWkc+6Affn4tSSnemUJSPtLOOoLImwTLqvQIpbZN
Uw9U9FBVTpQdFkUS/beosb9cTW82MSaOGsuAyMOely3CV6TEZAkL15CQ3fw7X/0t
wyApZzSqr1u02r0dXb/8oanH7QKBgQDLAsL9r4uO4LyiR7ooCdhfLv6BxXC9Yzqj
RphdIRwFtqpgJWFbDrwJ01nIHT17RTaTmjeQj7p9GN6K2JD5P6v4TTjMkU0E7D9F
9OfWL+YZ4oxKw+yi6rdqS6+BJeMXBqZ2ruE67SeJRzzKQ43fUMluDMxAUgCaBEH1
/Fj5EPUPHQKBgBoaHFUSnm1aFcO6+Uj04qdhAaRLf7JgaTXYKfv438eCa/uupwC3
/vOx+nbeVnFgze/cqOXx519gc8R9+LWusbYBhOVjWqe78CECjx+n05FAe0btv9To
foymPKjfKVI4fm7al/J7lG2wZq6EoksxLOHLthn4a1qxKWsYHBbEL1+lAoGAUh5l
3dR6sWr7IvG8vaFt4uLRlJDXT+SpvY4658ES4sTHGmlEfl7xdVAHC0m4qvqOXxqM
y284Uo4SxztfOVOmLqSeCzHjY9Bkr9mnRh7OBz563Wtvd19WnirLbYRz3caU44FO
HlX8Hi2wy2iUJPc648dNf98r2yFJxUU0gFt5pYkCgYEAyjuf0ronNf1cx7+mRgtn
Lrw3XRhWZYJMqH5yt3u0XCu4Y4xvGZl4vV50rJTwrK4/2glOXJCSXHYNM7SiqMSf
HENsbDpuhUImK1XiATVFqxcWpUxfN9578xgeExLpGPKXI5IQD2Or9oJzjP2df2FG
AIgKECIp2z74Ey5ZAeOalUg=
-----END PRIVATE KEY-----
)";

/// A scripted HTTP/1.1 server on 127.0.0.1. The handler answers each parsed request on
/// its socket (or does something rude to it). Lives on the test thread.
class FakeCouch final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(FakeCouch)
public:
    using Handler = std::function<void(QTcpSocket *, const HttpRequest &)>;
    explicit FakeCouch(bool tls = false, QObject *parent = nullptr) : QObject(parent)
    {
        if (tls) {
            auto *server = new QSslServer(this);
            QSslConfiguration config = QSslConfiguration::defaultConfiguration();
            config.setLocalCertificate(QSslCertificate(QByteArray(serverCertificate)));
            config.setPrivateKey(QSslKey(QByteArray(serverKey), QSsl::Rsa));
            server->setSslConfiguration(config);
            m_server = server;
        } else {
            m_server = new QTcpServer(this);
        }
        // Emitted once a connection is usable (after the TLS handshake, for TLS).
        connect(m_server, &QTcpServer::pendingConnectionAvailable, this, [this] {
            while (QTcpSocket *s = m_server->nextPendingConnection()) {
                s->setParent(this);
                connect(s, &QTcpSocket::readyRead, this, [this, s] { onRead(s); });
                connect(s, &QTcpSocket::disconnected, s, &QObject::deleteLater);
            }
        });
        if (!m_server->listen(QHostAddress::LocalHost))
            qFatal("cannot listen on 127.0.0.1");
    }
    quint16 port() const { return m_server->serverPort(); }
    void setHandler(Handler h) { m_handler = std::move(h); }
    /// Answer any bytes at all (e.g. a TLS ClientHello) with these, then close.
    QByteArray rawAnswer;
    QList<HttpRequest> requests;
    QVector<qint64> arrivals; // ms since construction, per request
    QElapsedTimer clock{};

    static void reply(QTcpSocket *s, int status, const QByteArray &body)
    {
        s->write(httpResponse(status, body));
        s->disconnectFromHost();
    }
    static void replyJson(QTcpSocket *s, int status, const QJsonObject &o)
    {
        reply(s, status, QJsonDocument(o).toJson(QJsonDocument::Compact));
    }

private:
    void onRead(QTcpSocket *s)
    {
        QByteArray &buf = m_buffers[s];
        buf += s->readAll();
        if (!rawAnswer.isEmpty()) {
            requests.append(HttpRequest());
            s->write(rawAnswer);
            s->disconnectFromHost();
            return;
        }
        HttpRequest r;
        if (!parseHttpRequest(buf, &r))
            return;
        m_buffers.remove(s);
        if (!clock.isValid())
            clock.start();
        requests.append(r);
        arrivals.append(clock.elapsed());
        if (m_handler)
            m_handler(s, r);
    }

    QTcpServer *m_server = nullptr;
    QHash<QTcpSocket *, QByteArray> m_buffers;
    Handler m_handler;
};

/// A tiny CouchDB on top of FakeCouch: /, /db, _all_docs (key ranges, limit, include_docs)
/// and _changes with string sequences, as CouchDB 3 writes them.
struct MiniCouch
{
    QMap<QString, QJsonObject> docs;
    QString seq = QStringLiteral("5-g1AAAAB");
    QJsonArray pendingChanges; // served once by the next _changes
    QString nextSeq;
    QStringList sinceSeen;
    QStringList bulkSeen;
    QSet<QString> alwaysConflicting;
    bool sawSkip = false;

    bool serve(QTcpSocket *s, const HttpRequest &r)
    {
        const QByteArray path = r.path();
        if (r.target.contains("skip="))
            sawSkip = true;
        if (path == "/") {
            FakeCouch::replyJson(s, 200, {{QStringLiteral("couchdb"), QStringLiteral("Welcome")},
                                          {QStringLiteral("version"), QStringLiteral("3.3.3")}});
        } else if (path == "/results") {
            FakeCouch::replyJson(s, 200, {{QStringLiteral("db_name"), QStringLiteral("results")},
                                          {QStringLiteral("update_seq"), seq},
                                          {QStringLiteral("doc_count"), docs.size()}});
        } else if (path == "/results/_all_docs") {
            const QString start = QJsonDocument::fromJson(("[" + r.query(QStringLiteral("startkey")) + "]").toUtf8()).array().at(0).toString();
            const QJsonValue endValue = QJsonDocument::fromJson(("[" + r.query(QStringLiteral("endkey")) + "]").toUtf8()).array().at(0);
            const bool inclusiveEnd = r.query(QStringLiteral("inclusive_end")) != QLatin1String("false");
            const int limit = r.query(QStringLiteral("limit")).isEmpty() ? 1 << 30 : r.query(QStringLiteral("limit")).toInt();
            const bool includeDocs = r.query(QStringLiteral("include_docs")) == QLatin1String("true");
            QJsonArray rows;
            for (auto it = docs.lowerBound(start); it != docs.end() && rows.size() < limit; ++it) {
                if (endValue.isString()) {
                    const int c = it.key().compare(endValue.toString());
                    if (c > 0 || (c == 0 && !inclusiveEnd))
                        break;
                }
                QJsonObject row{{QStringLiteral("id"), it.key()}, {QStringLiteral("key"), it.key()}};
                if (includeDocs)
                    row.insert(QStringLiteral("doc"), it.value());
                rows.append(row);
            }
            FakeCouch::replyJson(s, 200, {{QStringLiteral("total_rows"), docs.size()}, {QStringLiteral("rows"), rows}});
        } else if (path == "/results/_bulk_docs" && r.method == "POST") {
            // Deletes with _rev checks, as CouchDB does: a stale _rev is a conflict.
            QJsonArray answers;
            for (const QJsonValue &v : QJsonDocument::fromJson(r.body).object().value(QLatin1String("docs")).toArray()) {
                const QJsonObject d = v.toObject();
                const QString id = d.value(QLatin1String("_id")).toString();
                bulkSeen.append(id);
                if (!docs.contains(id)) {
                    answers.append(QJsonObject{{QStringLiteral("id"), id}, {QStringLiteral("error"), QStringLiteral("not_found")}});
                } else if (alwaysConflicting.contains(id)
                           || docs.value(id).value(QLatin1String("_rev")) != d.value(QLatin1String("_rev"))) {
                    answers.append(QJsonObject{{QStringLiteral("id"), id},
                                               {QStringLiteral("error"), QStringLiteral("conflict")},
                                               {QStringLiteral("reason"), QStringLiteral("Document update conflict.")}});
                } else {
                    docs.remove(id);
                    answers.append(QJsonObject{{QStringLiteral("ok"), true}, {QStringLiteral("id"), id}, {QStringLiteral("rev"), QStringLiteral("9-d")}});
                }
            }
            FakeCouch::reply(s, 201, QJsonDocument(answers).toJson(QJsonDocument::Compact));
        } else if (path.startsWith("/results/") && !path.startsWith("/results/_")) {
            const QString id = QUrl::fromPercentEncoding(path.mid(int(qstrlen("/results/"))));
            if (docs.contains(id))
                FakeCouch::replyJson(s, 200, docs.value(id));
            else
                FakeCouch::reply(s, 404, R"({"error":"not_found","reason":"deleted"})");
        } else if (path == "/results/_changes") {
            sinceSeen.append(r.query(QStringLiteral("since")));
            QJsonArray results = pendingChanges;
            pendingChanges = QJsonArray();
            if (!nextSeq.isEmpty()) {
                seq = nextSeq;
                nextSeq.clear();
            }
            FakeCouch::replyJson(s, 200, {{QStringLiteral("results"), results}, {QStringLiteral("last_seq"), seq}});
        } else {
            return false;
        }
        return true;
    }

    static QJsonObject celeryDoc(const QString &id, const QString &status, const QString &date)
    {
        QJsonObject meta{{QStringLiteral("status"), status},
                         {QStringLiteral("result"), 1},
                         {QStringLiteral("traceback"), QJsonValue::Null},
                         {QStringLiteral("children"), QJsonArray()},
                         {QStringLiteral("date_done"), date},
                         {QStringLiteral("task_id"), id}};
        return {{QStringLiteral("_id"), QStringLiteral("celery-task-meta-") + id},
                {QStringLiteral("_rev"), QStringLiteral("1-a")},
                {QStringLiteral("value"), QString::fromUtf8(QJsonDocument(meta).toJson(QJsonDocument::Compact))}};
    }

    void fill(int n)
    {
        for (int i = 0; i < n; ++i) {
            const QJsonObject d = celeryDoc(QStringLiteral("t%1").arg(i, 3, 10, QLatin1Char('0')), QStringLiteral("SUCCESS"),
                                            QStringLiteral("2025-01-%1T10:00:00").arg(1 + i % 28, 2, 10, QLatin1Char('0')));
            docs.insert(d.value(QLatin1String("_id")).toString(), d);
        }
        docs.insert(QStringLiteral("_design/app"), {{QStringLiteral("_id"), QStringLiteral("_design/app")}});
    }
};

/// Runs a FakeCouch on its own thread: a CouchStore call blocks the calling thread while
/// its network thread talks to the server, so the server must not share the test thread.
class FakeHost final
{
public:
    explicit FakeHost(bool tls = false)
    {
        m_thread.start();
        m_anchor.moveToThread(&m_thread);
        QMetaObject::invokeMethod(&m_anchor, [this, tls] { m_fake = new FakeCouch(tls); }, Qt::BlockingQueuedConnection);
    }
    ~FakeHost()
    {
        QMetaObject::invokeMethod(&m_anchor, [this] { delete m_fake; }, Qt::BlockingQueuedConnection);
        m_thread.quit();
        m_thread.wait();
    }
    FakeCouch *operator->() const { return m_fake; }
    FakeCouch &operator*() const { return *m_fake; }

private:
    QThread m_thread;
    QObject m_anchor;
    FakeCouch *m_fake = nullptr;
};

/// Counts the requests made through it: proves the injected manager is the one used.
class CountingManager final : public QNetworkAccessManager
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(CountingManager)
public:
    explicit CountingManager(QObject *parent = nullptr) : QNetworkAccessManager(parent) { }
    static std::atomic_int created;

protected:
    QNetworkReply *createRequest(Operation op, const QNetworkRequest &request, QIODevice *data) override
    {
        ++created;
        return QNetworkAccessManager::createRequest(op, request, data);
    }
};

std::atomic_int CountingManager::created{0};

void serveOr404(MiniCouch &mini, QTcpSocket *s, const HttpRequest &r)
{
    if (!mini.serve(s, r))
        FakeCouch::reply(s, 404, R"({"error":"not_found","reason":"missing"})");
}

} // namespace

class TestCouchFaults : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void shouldTimeOutAndRetryThenReport();
    void shouldRetryServerErrorsWithBackoffUntilSuccess();
    void shouldNeverRetryClientErrors_data();
    void shouldNeverRetryClientErrors();
    void shouldRetryATruncatedBodyThenReportIt();
    void shouldResumeAfterAConnectionResetMidPage();
    void shouldReportTlsErrorsNeverIgnoreThem();
    void shouldRejectAnUntrustedCertificate();
    void shouldTrustACertificateFromCafile();
    void shouldSendBasicAuthFromTheUrl();
    void shouldLogInAgainWhenTheSessionExpires();
    void shouldPassOpaqueSequencesBack();
    void shouldCatchUpItselfWhileTheLiveFeedIsDown();
    void shouldRecheckConflictsDuringAPurge();
    void shouldReadOnlyKeysWithTheGlobalPrefix();
    void shouldAbortTheRunningRequestOnInterrupt();
    void shouldUseTheInjectedNetworkManager();
    void shouldParseCouchUrls_data();
    void shouldParseCouchUrls();
    void shouldLogInWithAPasswordFromElsewhereWhenTheUrlHasNone();

private:
    /// What the product makes of a URL: StoreUrl::parse(), then CouchConfig::fromUrl().
    static Outcome<CouchConfig> configFromUrl(const QString &text)
    {
        const Outcome<StoreUrl> url = StoreUrl::parse(text);
        if (!url)
            return url.error();
        return CouchConfig::fromUrl(*url);
    }
    CouchConfig configFor(quint16 port, const QString &scheme = QStringLiteral("http")) const
    {
        CouchConfig c;
        c.server.setScheme(scheme);
        c.server.setHost(QStringLiteral("127.0.0.1"));
        c.server.setPort(port);
        c.user = QStringLiteral("admin");
        c.password = QStringLiteral("s3cret:x");
        c.database = QStringLiteral("results");
        c.timeoutMs = 5000;
        c.maxAttempts = 3;
        c.backoffMs = 40;
        c.pageSize = 4;
        return c;
    }
    static CouchReply get(CouchClient &client, const QString &path)
    {
        QEventLoop loop;
        CouchReply out;
        client.get(path, {}, [&](const CouchReply &r) {
            out = r;
            loop.quit();
        });
        loop.exec();
        return out;
    }
};

void TestCouchFaults::shouldTimeOutAndRetryThenReport()
{
    FakeHost fake;
    QList<QTcpSocket *> held; // answered never
    fake->setHandler([&](QTcpSocket *s, const HttpRequest &) { held.append(s); });
    CouchConfig c = configFor(fake->port());
    c.timeoutMs = 150;
    c.maxAttempts = 4; // a time-out is retried once only, whatever maxAttempts says
    CouchClient client(c);
    const CouchReply r = get(client, QStringLiteral("/"));
    QCOMPARE(r.error.code, StoreError::Code::ConnectionFailed);
    QCOMPARE(r.error.message, QStringLiteral("no reply from 127.0.0.1:%1 within 0.15 s").arg(fake->port()));
    QCOMPARE(fake->requests.size(), 2); // one retry
    QCOMPARE(client.pendingCount(), 0);
}

void TestCouchFaults::shouldRetryServerErrorsWithBackoffUntilSuccess()
{
    FakeHost fake;
    fake->setHandler([&](QTcpSocket *s, const HttpRequest &) {
        if (fake->requests.size() < 3)
            FakeCouch::reply(s, fake->requests.size() == 1 ? 500 : 503, R"({"error":"unknown","reason":"boom"})");
        else
            FakeCouch::reply(s, 200, R"({"version":"3.3.3"})");
    });
    CouchClient client(configFor(fake->port()));
    const CouchReply r = get(client, QStringLiteral("/"));
    QVERIFY2(r.ok(), qPrintable(r.error.message));
    QCOMPARE(r.json.object().value(QLatin1String("version")).toString(), QStringLiteral("3.3.3"));
    QCOMPARE(fake->requests.size(), 3);
    // Backoff: 40 ms, then 80 ms (a lower bound only: the order of events, not a timing target).
    QVERIFY(fake->arrivals[1] - fake->arrivals[0] >= 40);
    QVERIFY(fake->arrivals[2] - fake->arrivals[1] >= 80);

    // Always 500: the last error is reported with CouchDB's reason.
    FakeHost broken;
    broken->setHandler([](QTcpSocket *s, const HttpRequest &) { FakeCouch::reply(s, 500, R"({"error":"unknown","reason":"boom"})"); });
    CouchClient client2(configFor(broken->port()));
    const CouchReply r2 = get(client2, QStringLiteral("/"));
    QCOMPARE(r2.error.code, StoreError::Code::QueryFailed);
    QCOMPARE(r2.error.message, QStringLiteral("server error 500 from 127.0.0.1:%1: unknown: boom").arg(broken->port()));
    QCOMPARE(broken->requests.size(), 3);
}

void TestCouchFaults::shouldNeverRetryClientErrors_data()
{
    QTest::addColumn<int>("status");
    QTest::addColumn<StoreError::Code>("code");
    QTest::addColumn<QString>("sentence");
    QTest::newRow("401") << 401 << StoreError::Code::AuthenticationFailed << "credentials rejected by 127.0.0.1:%1";
    QTest::newRow("403") << 403 << StoreError::Code::PermissionDenied
                         << "user 'admin' may not read database 'results' on 127.0.0.1:%1";
    QTest::newRow("404") << 404 << StoreError::Code::NotFound << "database 'results' not found on 127.0.0.1:%1";
}

void TestCouchFaults::shouldNeverRetryClientErrors()
{
    QFETCH(int, status);
    QFETCH(StoreError::Code, code);
    QFETCH(QString, sentence);
    FakeHost fake;
    MiniCouch mini;
    int dbRequests = 0;
    fake->setHandler([&](QTcpSocket *s, const HttpRequest &r) {
        if (r.path() == "/results") {
            ++dbRequests;
            FakeCouch::reply(s, status, R"({"error":"x","reason":"y"})");
            return;
        }
        mini.serve(s, r);
    });
    CouchStore store(configFor(fake->port()));
    const StoreError e = store.open();
    QCOMPARE(e.code, code);
    QCOMPARE(e.message, sentence.arg(fake->port()));
    QVERIFY(!e.message.contains(QLatin1String("s3cret")));
    QCOMPARE(dbRequests, 1);
}

void TestCouchFaults::shouldRetryATruncatedBodyThenReportIt()
{
    FakeHost fake;
    bool healAfterFirst = true;
    fake->setHandler([&](QTcpSocket *s, const HttpRequest &) {
        const QByteArray body = R"({"version":"3.3.3","vendor":{"name":"The Apache Software Foundation"}})";
        if (healAfterFirst && fake->requests.size() > 1) {
            FakeCouch::reply(s, 200, body);
            return;
        }
        // Announce the whole body, send half, close.
        s->write(httpResponse(200, body.left(body.size() / 2), body.size()));
        s->disconnectFromHost();
    });
    CouchClient client(configFor(fake->port()));
    const CouchReply healed = get(client, QStringLiteral("/"));
    QVERIFY2(healed.ok(), qPrintable(healed.error.message));
    QCOMPARE(fake->requests.size(), 2);

    healAfterFirst = false;
    fake->requests.clear();
    const CouchReply broken = get(client, QStringLiteral("/"));
    QCOMPARE(broken.error.code, StoreError::Code::ConnectionFailed);
    QVERIFY2(broken.error.message.contains(QStringLiteral("127.0.0.1:%1").arg(fake->port())), qPrintable(broken.error.message));
    QVERIFY2(broken.error.message.contains(QLatin1String("closed the connection before the reply was complete"))
                 || broken.error.message.contains(QLatin1String("incomplete or invalid JSON")),
             qPrintable(broken.error.message));
    QCOMPARE(fake->requests.size(), 3);
}

void TestCouchFaults::shouldResumeAfterAConnectionResetMidPage()
{
    FakeHost fake;
    MiniCouch mini;
    mini.fill(30);
    int pages = 0;
    QStringList startKeys;
    fake->setHandler([&](QTcpSocket *s, const HttpRequest &r) {
        if (r.path() == "/results/_all_docs" && r.query(QStringLiteral("include_docs")) == QLatin1String("true")) {
            startKeys.append(r.query(QStringLiteral("startkey")));
            // The third page request dies half-way through its body with a TCP reset.
            if (++pages == 3) {
                s->write(httpResponse(200, QByteArray(R"({"total_rows":31,"rows":[{"id":"celery-task-meta-t0)"), 5000));
                s->flush();
                s->abort();
                return;
            }
        }
        serveOr404(mini, s, r);
    });
    CouchStore store(configFor(fake->port()));
    const StoreError e = store.open();
    QVERIFY2(!e.isError(), qPrintable(e.message));
    QCOMPARE(*store.count(TaskQuery()), 30);
    QVERIFY(!mini.sawSkip);
    // The failed page was asked again from the same key: nothing skipped, nothing repeated.
    QCOMPARE(startKeys.at(2), startKeys.at(3));
    QCOMPARE(store.foreignDocuments().keys(), QStringList{QStringLiteral("_design/app")});
    QStringList ids;
    const auto rows = store.fetchPage(TaskQuery(), 0, 100);
    QVERIFY(rows.ok());
    for (const TaskResult &t : *rows)
        ids.append(t.taskId);
    QCOMPARE(QSet<QString>(ids.cbegin(), ids.cend()).size(), 30);
}

void TestCouchFaults::shouldReportTlsErrorsNeverIgnoreThem()
{
    if (!QSslSocket::supportsSsl())
        QSKIP("no TLS backend in this Qt");
    // A plain-HTTP server spoken to over TLS: the handshake fails and says so.
    FakeHost fake;
    fake->rawAnswer = httpResponse(400, "{}");
    const Outcome<CouchConfig> c = configFromUrl(QStringLiteral("couchdbs://admin:pw@127.0.0.1:%1/results").arg(fake->port()));
    QVERIFY(c.ok());
    QCOMPARE(c->server.scheme(), QStringLiteral("https"));
    CouchConfig config = *c;
    config.timeoutMs = 3000;
    CouchStore store(config);
    const StoreError e = store.open();
    QCOMPARE(e.code, StoreError::Code::ConnectionFailed);
    QVERIFY2(e.message.startsWith(QStringLiteral("TLS error with 127.0.0.1:%1").arg(fake->port())), qPrintable(e.message));
    QCOMPARE(fake->requests.size(), 1); // a TLS failure is not retried
}

void TestCouchFaults::shouldRejectAnUntrustedCertificate()
{
    if (!QSslSocket::supportsSsl())
        QSKIP("no TLS backend in this Qt");
    FakeHost fake(true);
    fake->setHandler([](QTcpSocket *s, const HttpRequest &) { FakeCouch::reply(s, 200, R"({"version":"1"})"); });
    CouchConfig c = configFor(fake->port(), QStringLiteral("https"));
    CouchClient client(c);
    const CouchReply r = get(client, QStringLiteral("/"));
    QCOMPARE(r.error.code, StoreError::Code::ConnectionFailed);
    QVERIFY2(r.error.message.startsWith(QStringLiteral("TLS error with 127.0.0.1:%1: ").arg(fake->port())),
             qPrintable(r.error.message));
    QVERIFY2(r.error.message.contains(QLatin1String("self signed"), Qt::CaseInsensitive)
                 || r.error.message.contains(QLatin1String("self-signed"), Qt::CaseInsensitive),
             qPrintable(r.error.message));
    QCOMPARE(fake->requests.size(), 0); // nothing was sent over the untrusted connection
}

void TestCouchFaults::shouldTrustACertificateFromCafile()
{
    if (!QSslSocket::supportsSsl())
        QSKIP("no TLS backend in this Qt");
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    QFile ca(dir.filePath(QStringLiteral("ca.pem")));
    QVERIFY(ca.open(QIODevice::WriteOnly));
    ca.write(serverCertificate);
    ca.close();
    FakeHost fake(true);
    fake->setHandler([](QTcpSocket *s, const HttpRequest &) { FakeCouch::reply(s, 200, R"({"version":"1"})"); });
    const Outcome<CouchConfig> c = configFromUrl(
        QStringLiteral("couchdbs://u:p@127.0.0.1:%1/results?cafile=%2").arg(fake->port()).arg(ca.fileName()));
    QVERIFY2(c.ok(), qPrintable(c.error().message));
    QCOMPARE(c->caCertificates.size(), 1);
    CouchClient client(*c);
    const CouchReply r = get(client, QStringLiteral("/"));
    QVERIFY2(r.ok(), qPrintable(r.error.message));
    QCOMPARE(fake->requests.size(), 1);

    const Outcome<CouchConfig> bad = configFromUrl(
        QStringLiteral("couchdbs://127.0.0.1/results?cafile=%1").arg(dir.filePath(QStringLiteral("missing.pem"))));
    QVERIFY(!bad.ok());
    QCOMPARE(bad.error().code, StoreError::Code::InvalidUrl);
}

void TestCouchFaults::shouldSendBasicAuthFromTheUrl()
{
    FakeHost fake;
    fake->setHandler([](QTcpSocket *s, const HttpRequest &) { FakeCouch::reply(s, 200, R"({"version":"1"})"); });
    const Outcome<CouchConfig> c = configFromUrl(
        QStringLiteral("couchdb://ad%40min:p%3Ass@127.0.0.1:%1/my%24db").arg(fake->port()));
    QVERIFY(c.ok());
    QCOMPARE(c->database, QStringLiteral("my$db"));
    CouchClient client(*c);
    QVERIFY(get(client, QStringLiteral("/")).ok());
    QCOMPARE(fake->requests.first().header("Authorization"), "Basic " + QByteArray("ad@min:p:ss").toBase64());
    QVERIFY(!c->displayString().contains(QLatin1String("p:ss")));
    QVERIFY(!c->displayString().contains(QLatin1String("p%3Ass")));
}

void TestCouchFaults::shouldLogInAgainWhenTheSessionExpires()
{
    FakeHost fake;
    int logins = 0;
    bool expiredOnce = false;
    fake->setHandler([&](QTcpSocket *s, const HttpRequest &r) {
        if (r.method == "POST" && r.path() == "/_session") {
            ++logins;
            s->write("HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nConnection: close\r\n"
                     "Set-Cookie: AuthSession=session" + QByteArray::number(logins) + "; Path=/; HttpOnly\r\n"
                     "Content-Length: 11\r\n\r\n{\"ok\":true}");
            s->disconnectFromHost();
            return;
        }
        if (!expiredOnce) {
            expiredOnce = true;
            FakeCouch::reply(s, 401, R"({"error":"unauthorized","reason":"session expired"})");
            return;
        }
        FakeCouch::reply(s, 200, R"({"version":"1"})");
    });
    CouchConfig c = configFor(fake->port());
    c.auth = CouchConfig::Auth::Cookie;
    CouchClient client(c);
    const CouchReply r = get(client, QStringLiteral("/"));
    QVERIFY2(r.ok(), qPrintable(r.error.message));
    QCOMPARE(logins, 2);
    QCOMPARE(fake->requests.size(), 4); // login, GET (401), login, GET
    const HttpRequest &login = fake->requests.at(0);
    const QJsonObject credentials = QJsonDocument::fromJson(login.body).object();
    QCOMPARE(credentials.value(QLatin1String("name")).toString(), QStringLiteral("admin"));
    QCOMPARE(credentials.value(QLatin1String("password")).toString(), QStringLiteral("s3cret:x"));
    const HttpRequest &last = fake->requests.at(3);
    QCOMPARE(last.header("Cookie"), QByteArray("AuthSession=session2"));
    QVERIFY(last.header("Authorization").isEmpty());

    // A rejected login is a sentence, and is not retried.
    FakeHost refusing;
    refusing->setHandler([](QTcpSocket *s, const HttpRequest &) {
        FakeCouch::reply(s, 401, R"({"error":"unauthorized","reason":"Name or password is incorrect."})");
    });
    CouchConfig rc = configFor(refusing->port());
    rc.auth = CouchConfig::Auth::Cookie;
    CouchClient rejected(rc);
    const CouchReply no = get(rejected, QStringLiteral("/"));
    QCOMPARE(no.error.code, StoreError::Code::AuthenticationFailed);
    QCOMPARE(no.error.message, QStringLiteral("credentials rejected by 127.0.0.1:%1").arg(refusing->port()));
    QCOMPARE(refusing->requests.size(), 1);
}

void TestCouchFaults::shouldPassOpaqueSequencesBack()
{
    FakeHost fake;
    MiniCouch mini;
    mini.fill(5);
    fake->setHandler([&](QTcpSocket *s, const HttpRequest &r) { serveOr404(mini, s, r); });
    CouchStore store(configFor(fake->port()));
    QVERIFY(!store.open().isError());
    QCOMPARE(*store.count(TaskQuery()), 5);
    QCOMPARE(mini.sinceSeen, QStringList{QStringLiteral("5-g1AAAAB")});

    // A change arrives: a new FAILURE, and one old result deleted.
    const QJsonObject added = MiniCouch::celeryDoc(QStringLiteral("new"), QStringLiteral("FAILURE"), QStringLiteral("2025-03-01T00:00:00+01:00"));
    mini.pendingChanges = QJsonArray{
        QJsonObject{{QStringLiteral("seq"), QStringLiteral("6-g1AAAAC")}, {QStringLiteral("id"), added.value(QLatin1String("_id"))}, {QStringLiteral("doc"), added}},
        QJsonObject{{QStringLiteral("seq"), QStringLiteral("7-g1AAAAD")}, {QStringLiteral("id"), QStringLiteral("celery-task-meta-t000")}, {QStringLiteral("deleted"), true}},
    };
    mini.nextSeq = QStringLiteral("7-g1AAAAD");
    QCOMPARE(*store.count(TaskQuery()), 5);
    TaskQuery failures;
    failures.statuses = {QStringLiteral("FAILURE")};
    QCOMPARE(*store.count(failures), 1);
    QCOMPARE(mini.sinceSeen.last(), QStringLiteral("7-g1AAAAD"));
    const auto rows = store.fetchPage(failures, 0, 10);
    QCOMPARE(rows->first().dateDone, QDateTime(QDate(2025, 2, 28), QTime(23, 0), Qt::UTC));
}

void TestCouchFaults::shouldCatchUpItselfWhileTheLiveFeedIsDown()
{
    FakeHost fake;
    MiniCouch mini;
    mini.fill(5);
    std::atomic_int feedPolls{0};
    fake->setHandler([&](QTcpSocket *s, const HttpRequest &r) {
        if (r.path() == "/results/_changes" && r.query(QStringLiteral("feed")) == QLatin1String("longpoll")) {
            ++feedPolls;
            FakeCouch::reply(s, 500, R"({"error":"unknown","reason":"feed down"})");
            return;
        }
        serveOr404(mini, s, r);
    });
    CouchStore store(configFor(fake->port()));
    store.setIncrementalOpen(true);
    store.setFeedRetryMs(60000); // stays down for the rest of the test
    QVERIFY(!store.open().isError());
    QVERIFY(!store.waitUntilLoaded().isError());
    QCOMPARE(*store.count(TaskQuery()), 5);
    // The longpoll failed after its retries: the store knows its feed is down.
    QTRY_VERIFY(feedPolls.load() >= 3 && !store.isFeedRunning());

    // Meanwhile count() catches up itself, from the sequence read at open.
    const QJsonObject added = MiniCouch::celeryDoc(QStringLiteral("new"), QStringLiteral("FAILURE"), QStringLiteral("2025-03-01T00:00:00"));
    mini.pendingChanges = QJsonArray{QJsonObject{{QStringLiteral("seq"), QStringLiteral("6-g1AAAAC")},
                                                 {QStringLiteral("id"), added.value(QLatin1String("_id"))},
                                                 {QStringLiteral("doc"), added}}};
    mini.nextSeq = QStringLiteral("6-g1AAAAC");
    QCOMPARE(*store.count(TaskQuery()), 6);
    QVERIFY(!mini.sinceSeen.isEmpty());
    QCOMPARE(mini.sinceSeen.last(), QStringLiteral("5-g1AAAAB"));
}

void TestCouchFaults::shouldRecheckConflictsDuringAPurge()
{
    FakeHost fake;
    MiniCouch mini;
    for (int i = 0; i < 10; ++i) {
        const QJsonObject d = MiniCouch::celeryDoc(QStringLiteral("t%1").arg(i), QStringLiteral("SUCCESS"),
                                                   QStringLiteral("2025-01-%1T10:00:00").arg(i + 1, 2, 10, QLatin1Char('0')));
        mini.docs.insert(d.value(QLatin1String("_id")).toString(), d);
    }
    fake->setHandler([&](QTcpSocket *s, const HttpRequest &r) { serveOr404(mini, s, r); });
    CouchStore store(configFor(fake->port()));
    QVERIFY(!store.open().isError());

    // Behind the store's back (no _changes entry): t1 is rewritten with a new date (no
    // longer expired), t2 is rewritten but still expired, t5 conflicts forever.
    auto rewrite = [&](const QString &id, const QString &date) {
        QJsonObject d = MiniCouch::celeryDoc(id, QStringLiteral("SUCCESS"), date);
        d.insert(QStringLiteral("_rev"), QStringLiteral("2-b"));
        mini.docs.insert(d.value(QLatin1String("_id")).toString(), d);
    };
    rewrite(QStringLiteral("t1"), QStringLiteral("2030-01-01T00:00:00"));
    rewrite(QStringLiteral("t2"), QStringLiteral("2025-01-03T11:00:00"));
    mini.alwaysConflicting.insert(QStringLiteral("celery-task-meta-t5"));

    PurgeCriteria criteria;
    criteria.cutoff = QDateTime(QDate(2025, 2, 1), QTime(0, 0), Qt::UTC);
    QCOMPARE(store.previewPurge(criteria)->total, 10);
    Purger purger(store);
    purger.setBatchSize(4);
    const PurgeSummary summary = purger.purge(criteria, 10);
    QVERIFY2(!summary.error.isError(), qPrintable(summary.error.message));
    QCOMPARE(summary.tasksDeleted, 8); // all but t1 (re-checked: not expired) and t5 (conflicts)
    QVERIFY(mini.docs.contains(QStringLiteral("celery-task-meta-t1")));
    QVERIFY(mini.docs.contains(QStringLiteral("celery-task-meta-t5")));
    QVERIFY(!mini.docs.contains(QStringLiteral("celery-task-meta-t2")));
    QCOMPARE(mini.docs.size(), 2);
    // t5 was tried twice (batch, then once after the re-check), never again.
    QCOMPARE(mini.bulkSeen.count(QStringLiteral("celery-task-meta-t5")), 2);
    QCOMPARE(mini.bulkSeen.count(QStringLiteral("celery-task-meta-t1")), 1);
    QCOMPARE(*store.count(TaskQuery()), 2);
    QCOMPARE(store.fetchByTaskId(QStringLiteral("t1"))->dateDone, QDateTime(QDate(2030, 1, 1), QTime(0, 0), Qt::UTC));
}

void TestCouchFaults::shouldReadOnlyKeysWithTheGlobalPrefix()
{
    FakeHost fake;
    MiniCouch mini;
    mini.fill(5); // un-prefixed: another app's results in the same database
    for (int i = 0; i < 3; ++i) {
        QJsonObject d = MiniCouch::celeryDoc(QStringLiteral("p%1").arg(i), QStringLiteral("FAILURE"), QStringLiteral("2025-01-01T00:00:00"));
        d.insert(QStringLiteral("_id"), QStringLiteral("myapp:celery-task-meta-p%1").arg(i));
        mini.docs.insert(d.value(QLatin1String("_id")).toString(), d);
    }
    fake->setHandler([&](QTcpSocket *s, const HttpRequest &r) { serveOr404(mini, s, r); });
    const Outcome<CouchConfig> c = configFromUrl(QStringLiteral("couchdb://127.0.0.1:%1/results?keyprefix=myapp%3A").arg(fake->port()));
    QVERIFY(c.ok());
    QCOMPARE(c->keyPrefix, QStringLiteral("myapp:"));
    CouchStore store(*c);
    QVERIFY(!store.open().isError());
    QCOMPARE(*store.count(TaskQuery()), 3);
    QCOMPARE(store.foreignDocuments().size(), 6); // 5 un-prefixed results + the design document
    const Outcome<TaskResult> p1 = store.fetchByTaskId(QStringLiteral("p1"));
    QVERIFY2(p1.ok(), qPrintable(p1.error().message));
    QCOMPARE(p1->status, QStringLiteral("FAILURE"));
    QCOMPARE(p1->taskId, QStringLiteral("p1"));
}

void TestCouchFaults::shouldAbortTheRunningRequestOnInterrupt()
{
    FakeHost fake;
    MiniCouch mini;
    mini.fill(3);
    CouchStore *target = nullptr;
    QList<QTcpSocket *> held;
    fake->setHandler([&](QTcpSocket *s, const HttpRequest &r) {
        if (r.path() == "/results/_changes") {
            // Hang, and interrupt the store from this (another) thread meanwhile.
            held.append(s);
            target->interrupt();
            return;
        }
        serveOr404(mini, s, r);
    });
    CouchConfig c = configFor(fake->port());
    c.timeoutMs = 60000; // only the interrupt can end the wait
    CouchStore store(c);
    target = &store;
    QVERIFY(!store.open().isError());
    const Outcome<qint64> n = store.count(TaskQuery());
    QVERIFY(!n.ok());
    QCOMPARE(n.error().code, StoreError::Code::Cancelled);
    // The next call runs normally.
    fake->setHandler([&](QTcpSocket *s, const HttpRequest &r) { serveOr404(mini, s, r); });
    QCOMPARE(*store.count(TaskQuery()), 3);
}

void TestCouchFaults::shouldUseTheInjectedNetworkManager()
{
    FakeHost fake;
    MiniCouch mini;
    mini.fill(6);
    fake->setHandler([&](QTcpSocket *s, const HttpRequest &r) { serveOr404(mini, s, r); });
    CountingManager::created = 0;
    CouchStore store(configFor(fake->port()));
    store.setNetworkAccessManagerFactory([] { return new CountingManager; });
    QVERIFY(!store.open().isError());
    QCOMPARE(CountingManager::created.load(), fake->requests.size());
    QVERIFY(CountingManager::created.load() >= 4);
}

void TestCouchFaults::shouldParseCouchUrls_data()
{
    QTest::addColumn<QString>("url");
    QTest::addColumn<QString>("server");
    QTest::addColumn<QString>("database");
    QTest::addColumn<QString>("display");
    QTest::newRow("celery default") << "couchdb://127.0.0.1" << "http://127.0.0.1:5984" << "default"
                                    << "couchdb://127.0.0.1:5984/default";
    QTest::newRow("container") << "couchdb://u:pw@h:1234/results/" << "http://h:1234" << "results" << "couchdb://u@h:1234/results";
    QTest::newRow("tls") << "couchdbs://u:pw@h/r" << "https://h:6984" << "r" << "couchdbs://u@h:6984/r";
    QTest::newRow("https") << "https://h:443/r" << "https://h:443" << "r" << "couchdbs://h:443/r";
    QTest::newRow("http") << "http://h/r" << "http://h:5984" << "r" << "couchdb://h:5984/r";
    QTest::newRow("cookie auth") << "couchdb://u:pw@h/r?auth=cookie" << "http://h:5984" << "r" << "couchdb://u@h:5984/r";
    QTest::newRow("unknown auth") << "couchdb://u:pw@h/r?auth=kerberos" << "" << "" << "";
    QTest::newRow("not couch") << "redis://h/0" << "" << "" << "";
    QTest::newRow("no host") << "couchdb:///x" << "http://localhost:5984" << "x" << "couchdb://localhost:5984/x";
    QTest::newRow("slash in database") << "couchdb://h/my%2Fdb" << "" << "" << "";
}

void TestCouchFaults::shouldParseCouchUrls()
{
    QFETCH(QString, url);
    QFETCH(QString, server);
    QFETCH(QString, database);
    QFETCH(QString, display);
    const Outcome<CouchConfig> c = configFromUrl(url);
    if (server.isEmpty()) {
        QVERIFY(!c.ok());
        QCOMPARE(c.error().code, StoreError::Code::InvalidUrl);
        return;
    }
    QVERIFY2(c.ok(), qPrintable(c.error().message));
    QCOMPARE(c->server.toString(), server);
    QCOMPARE(c->database, database);
    QCOMPARE(c->displayString(), display);
}

void TestCouchFaults::shouldLogInWithAPasswordFromElsewhereWhenTheUrlHasNone()
{
    // StoreOptions::passwordFor(): the URL's password, else the given one, else STALK_PASSWORD.
    FakeHost fake;
    MiniCouch mini;
    mini.fill(2);
    fake->setHandler([&](QTcpSocket *s, const HttpRequest &r) { serveOr404(mini, s, r); });
    const auto loginWith = [&fake](const QString &url, const QString &given) {
        fake->requests.clear();
        StoreOptions options;
        options.password = given;
        const Outcome<StoreFactory> factory = makeStoreFactory(url.arg(fake->port()), options);
        if (!factory)
            return QByteArray("no factory: ") + factory.error().message.toUtf8();
        const StoreError e = (*factory)()->open();
        if (e)
            return QByteArray("not opened: ") + e.message.toUtf8();
        return QByteArray::fromBase64(fake->requests.first().header("Authorization").mid(6));
    };
    const QString withoutPassword = QStringLiteral("couchdb://admin@127.0.0.1:%1/results");
    qputenv("STALK_PASSWORD", "from-env");
    QCOMPARE(loginWith(QStringLiteral("couchdb://admin:in%40url@127.0.0.1:%1/results"), QStringLiteral("typed")),
             QByteArray("admin:in@url"));
    QCOMPARE(loginWith(withoutPassword, QStringLiteral("typed:p@ss")), QByteArray("admin:typed:p@ss"));
    QCOMPARE(loginWith(withoutPassword, QString()), QByteArray("admin:from-env"));
    qunsetenv("STALK_PASSWORD");
}

QTEST_GUILESS_MAIN(TestCouchFaults)
#include "tst_couchfaults.moc"
