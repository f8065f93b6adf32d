// CouchStore against the answers of a CouchDB 3 cluster: the real pouchdb-server
// (tools/couchdb/with_couchdb.sh) behind a loopback proxy (ClusterProxy) that forwards every
// request and rewrites only what a clustered CouchDB 3 answers differently, checked against
// the same server read directly, in both modes (?index=full and ?index=views).
//
// The shapes, each as its source shows it:
//  - sequences are opaque strings "N-g1AAAA…" (N a sum over shards, the tail base64url):
//    every `seq`, `last_seq` and `update_seq` (db info, _changes, _all_docs and views) becomes
//    a new such string, one per answer, so the same position has many texts and N is not
//    monotonic (apache/couchdb#748: "last_seq" differs between calls, "treat the _changes
//    token as opaque"; #4549: the form "330-g1AAAABS…"; apache/pouchdb#3271: a row's `seq` and
//    `last_seq` for the same point encode differently). The proxy maps them back when the
//    client sends one as `since=`, and answers any other `since` with CouchDB's 400.
//  - _changes rows come shard by shard, not in sequence order, and a feed may rewind and
//    send changes before the `since` again (CouchDB 2.1 docs, api/database/changes: "results
//    returned by _changes are partially ordered"; Cloudant's note quoted on user@couchdb,
//    2017-12: "might include changes that were made before the change indicated by the
//    sequence identifier"; apache/couchdb#3711 and #3794 on feeds rewinding when shard copies
//    move or are missing): the proxy sends each answer's rows round robin over four shards
//    and, every third _changes request, asks the server from 12 sequences before the client's
//    `since`.
//  - 202 Accepted instead of 201 (or 200 for a DELETE) when the write quorum is not met, the
//    body unchanged (apache/couchdb src/chttpd/src/chttpd_db.erl: `{accepted, Results}` ->
//    202 for _bulk_docs, `{accepted, NewRev}` -> 202 for a document; cloudant/fabric 2.0.0
//    release notes; metricq/aiocouch#49: "responses are exactly the same whether it responds
//    with 201 or 202"): every _bulk_docs, document and design document write.
//  - a view build (only when a test asks, buildMs): CouchDB answers the first request of a
//    new design document's view once the views are built, minutes on a large database, with
//    no byte before; meanwhile GET /_active_tasks lists one "indexer" task per shard, the
//    database named "shards/<range>/<db>.<time>", with changes_done and total_changes, for
//    server admins only (401 otherwise), and GET /<db>/_design/<ddoc>/_info says
//    "updater_running": true (docs.couchdb.org api/server/common /_active_tasks and
//    api/ddoc/common /{db}/_design/{ddoc}/_info; couch_index_updater.erl). pouchdb-server's
//    are stubs ([] and "Not implemented."), so the proxy answers both itself.
//  - `"offset": null` in _all_docs answers to `keys` (apache/couchdb#1648, #1085, CouchDB
//    2.2+), `instance_start_time` "0" in the database's info (fabric_db_info.erl), and the
//    welcome of a CouchDB 3 server at / (docs.couchdb.org api/server/common).
//
// Data: the fixture's documents, written by Celery 5.2.6's own CouchBackend
// (tools/couchdb/make_couch_fixtures.py), copied with their revisions; live changes are
// written by Celery's CouchBackend too (TestSupport::writeThroughCelery).
//
// Environment: STALK_COUCH_URL (http://admin:secret@127.0.0.1:PORT), STALK_COUCH_DB,
// STALK_COUCH_EXPECTATIONS, STALK_BIN.
#include <QElapsedTimer>
#include <QFile>
#include <QHostAddress>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QNetworkRequest>
#include <QPointer>
#include <QProcess>
#include <QRandomGenerator>
#include <QRegularExpression>
#include <QSet>
#include <QTcpServer>
#include <QTcpSocket>
#include <QTest>
#include <QThread>
#include <QTimer>
#include <QUrlQuery>

#include <array>
#include <atomic>
#include <memory>
#include <thread>

#include "couchclient.h"
#include "couchdesign.h"
#include "couchhttp.h"
#include "couchstore.h"
#include "couchviews.h"
#include "httpwire.h"
#include "purger.h"
#include "storeurl.h"
#include "testsupport.h"

namespace {

/// A CouchDB 3 cluster's answers in front of a real server (see the top of the file). Lives
/// on the thread it was made on; the counters are read from any thread.
class ClusterProxy final : public QObject
{
public:
    explicit ClusterProxy(const QUrl &upstream) : m_upstream(upstream)
    {
        connect(&m_server, &QTcpServer::pendingConnectionAvailable, this, [this] {
            while (QTcpSocket *s = m_server.nextPendingConnection()) {
                s->setParent(this);
                connect(s, &QTcpSocket::readyRead, this, [this, s] { onRead(s); });
                connect(s, &QTcpSocket::disconnected, this, [this, s] {
                    m_buffers.remove(s);
                    s->deleteLater();
                });
            }
        });
        if (!m_server.listen(QHostAddress::LocalHost))
            qFatal("cannot listen on 127.0.0.1");
    }
    quint16 port() const { return m_server.serverPort(); }

    std::atomic<int> rewindEvery{3}; ///< every Nth _changes request rewinds (0: never)
    static constexpr qint64 rewindBy = 12;

    std::atomic<int> tokens{0};      ///< opaque sequences handed out
    std::atomic<int> sinceMapped{0}; ///< `since` tokens taken back
    std::atomic<int> sinceRefused{0}; ///< `since` values that were no token of ours (400)
    std::atomic<int> rewinds{0};
    std::atomic<int> replayed{0};    ///< rows sent again after a rewind (at or before `since`)
    std::atomic<int> reordered{0};   ///< _changes answers whose rows left sequence order
    std::atomic<int> accepted{0};    ///< writes answered 202
    std::atomic<int> nullOffsets{0};

    /// A view build (see the top): the next view request of buildDatabase is answered
    /// buildMs after it came; until then _active_tasks and _info tell the build (unless
    /// buildSilent: a server that says nothing). buildDatabase is set before buildMs.
    QString buildDatabase;
    std::atomic<int> buildMs{0};
    std::atomic<bool> buildSilent{false};
    std::atomic<bool> refuseTasks{false}; ///< _active_tasks answers 401 (not a server admin)
    std::atomic<int> tasksAsked{0};
    static constexpr qint64 shardChanges[2] = {500, 700};

private:
    struct Exchange
    {
        HttpRequest request;
        qint64 since = -1; ///< the client's `since`, as the server's sequence
    };

    void onRead(QTcpSocket *s)
    {
        QByteArray &buffer = m_buffers[s];
        buffer += s->readAll();
        Exchange x;
        if (!parseHttpRequest(buffer, &x.request))
            return;
        m_buffers.remove(s);
        if (answerBuild(s, x.request))
            return;
        // A view request while the build runs waits for its end (its answer is the server's).
        const bool isView = x.request.path().startsWith('/' + buildDatabase.toUtf8() + "/_design/stalk/_view/");
        if (isView && buildMs.load() > 0) {
            m_buildLength = buildMs.exchange(0);
            m_build.start();
        }
        const qint64 holdMs = isView && isBuilding() ? m_buildLength - m_build.elapsed() : 0;
        bool malformed = false;
        const QByteArray target = upstreamTarget(&x, &malformed);
        if (malformed) {
            ++sinceRefused;
            s->write(httpResponse(
                400, R"({"error":"bad_request","reason":"Malformed sequence supplied in 'since' parameter."})"));
            s->disconnectFromHost();
            return;
        }
        QNetworkRequest request(QUrl::fromEncoded(m_upstream.toEncoded() + target, QUrl::StrictMode));
        for (const auto &[name, value] : std::as_const(x.request.headers)) {
            const QByteArray lower = name.toLower();
            if (lower != "host" && lower != "content-length" && lower != "connection" && lower != "accept-encoding")
                request.setRawHeader(name, value);
        }
        request.setTransferTimeout(0);
        QNetworkReply *reply = m_net.sendCustomRequest(request, x.request.method, x.request.body);
        // A client gone (a store closed mid-longpoll): its request goes too, so that no
        // longpoll pouchdb-server holds open takes one of the manager's connections.
        connect(s, &QTcpSocket::disconnected, reply, &QNetworkReply::abort);
        QElapsedTimer started;
        started.start();
        connect(reply, &QNetworkReply::finished, this,
                [this, reply, x, holdMs, started, socket = QPointer<QTcpSocket>(s)] {
            reply->deleteLater();
            const QVariant statusAttr = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute);
            int status = statusAttr.isValid() ? statusAttr.toInt() : 502;
            QByteArray body = reply->readAll();
            if (statusAttr.isValid())
                clusterAnswer(x, &status, &body);
            // Precise: a coarse timer (Qt's default from 2 s on) may fire 5% early.
            QTimer::singleShot(qMax<qint64>(0, holdMs - started.elapsed()), Qt::PreciseTimer, this, [socket, status, body] {
                if (socket) {
                    socket->write(httpResponse(status, body));
                    socket->disconnectFromHost();
                }
            });
        });
    }

    bool isBuilding() const { return m_build.isValid() && m_build.elapsed() < m_buildLength; }

    /// _active_tasks, and the design document's _info while a build runs: true when answered.
    bool answerBuild(QTcpSocket *s, const HttpRequest &r)
    {
        const bool telling = isBuilding() && !buildSilent.load();
        QByteArray body;
        int status = 200;
        if (r.path() == "/_active_tasks") {
            ++tasksAsked;
            if (refuseTasks.load()) {
                status = 401;
                body = R"({"error":"unauthorized","reason":"You are not a server admin."})";
            } else {
                body = QJsonDocument(telling ? activeTasks() : QJsonArray()).toJson(QJsonDocument::Compact);
            }
        } else if (telling && r.path() == '/' + buildDatabase.toUtf8() + "/_design/stalk/_info") {
            body = R"({"name":"stalk","view_index":{"updater_running":true,"compact_running":false,)"
                   R"("waiting_clients":1,"waiting_commit":false,"language":"javascript","purge_seq":0,)"
                   R"("update_seq":0,"signature":"5b1e6f0d6c1a4d1fbd3c2f1b8e0a9c7d",)"
                   R"("sizes":{"file":24765,"external":0,"active":0}}})";
        } else {
            return false;
        }
        s->write(httpResponse(status, body));
        s->disconnectFromHost();
        return true;
    }

    /// What CouchDB 3 lists while it builds the views on two shards: each shard's task, plus
    /// tasks Stalk must not count (another design document, another database, a compaction).
    QJsonArray activeTasks() const
    {
        const double part = double(m_build.elapsed()) / double(qMax<qint64>(1, m_buildLength));
        const auto task = [](const QString &database, const QString &design, qint64 done, qint64 total) {
            return QJsonObject{{QStringLiteral("node"), QStringLiteral("couchdb@127.0.0.1")},
                               {QStringLiteral("pid"), QStringLiteral("<0.1234.0>")},
                               {QStringLiteral("process_status"), QStringLiteral("waiting")},
                               {QStringLiteral("changes_done"), done},
                               {QStringLiteral("database"), database},
                               {QStringLiteral("design_document"), design},
                               {QStringLiteral("indexer_pid"), QStringLiteral("<0.1235.0>")},
                               {QStringLiteral("progress"), total > 0 ? int(done * 100 / total) : 0},
                               {QStringLiteral("started_on"), 1764950000},
                               {QStringLiteral("total_changes"), total},
                               {QStringLiteral("type"), QStringLiteral("indexer")},
                               {QStringLiteral("updated_on"), 1764950010}};
        };
        const QString design = CouchDesign::documentId();
        QJsonArray tasks;
        const QStringList ranges{QStringLiteral("00000000-7fffffff"), QStringLiteral("80000000-ffffffff")};
        for (int i = 0; i < 2; ++i) {
            const QString shard = QStringLiteral("shards/%1/%2.1764949999").arg(ranges.at(i), buildDatabase);
            tasks.append(task(shard, design, qint64(part * double(shardChanges[i])), shardChanges[i]));
        }
        tasks.append(task(QStringLiteral("shards/00000000-7fffffff/%1.1764949999").arg(buildDatabase),
                          QStringLiteral("_design/other"), 1, 9000));
        tasks.append(task(QStringLiteral("shards/00000000-7fffffff/%1_other.1764949999").arg(buildDatabase), design,
                          2, 8000));
        QJsonObject compaction{{QStringLiteral("type"), QStringLiteral("database_compaction")},
                               {QStringLiteral("database"), QStringLiteral("shards/00000000-7fffffff/%1.1764949999")
                                                                .arg(buildDatabase)},
                               {QStringLiteral("changes_done"), 3},
                               {QStringLiteral("total_changes"), 7000}};
        tasks.append(compaction);
        return tasks;
    }

    /// The request as the server gets it: a `since` token back to the server's sequence,
    /// or further back (a rewind).
    QByteArray upstreamTarget(Exchange *x, bool *malformed)
    {
        const QByteArray &target = x->request.target;
        const int q = target.indexOf('?');
        if (q < 0 || !x->request.path().endsWith("/_changes"))
            return target;
        QUrlQuery query(QString::fromLatin1(target.mid(q + 1)));
        const QString since = query.queryItemValue(QStringLiteral("since"), QUrl::FullyDecoded);
        if (since.isEmpty() || since == QLatin1String("0") || since == QLatin1String("now"))
            return target;
        const auto it = m_sequences.constFind(since);
        if (it == m_sequences.constEnd()) {
            *malformed = true;
            return {};
        }
        ++sinceMapped;
        x->since = it->toInteger();
        qint64 asked = x->since;
        const int every = rewindEvery.load();
        if (every > 0 && ++m_changesRequests % every == 0 && asked > 0) {
            asked = qMax<qint64>(0, asked - rewindBy);
            ++rewinds;
        }
        query.removeAllQueryItems(QStringLiteral("since"));
        query.addQueryItem(QStringLiteral("since"), QString::number(asked));
        return x->request.path() + '?' + query.toString(QUrl::FullyEncoded).toLatin1();
    }

    /// A new opaque text for the server's sequence `seq`.
    QString token(const QJsonValue &seq, int lead)
    {
        // "N-g1AAAA…": N the sum of the shards' sequences, then term_to_binary's base64url.
        // Here N is the server's sequence plus `lead` plus up to 2: a `last_seq` leads the
        // rows' (#4549: 333 where the last row said 330), so the rows after a `last_seq`
        // have smaller N than it, and the same point has many texts.
        QByteArray tail(30, Qt::Uninitialized);
        for (char &c : tail)
            c = char(m_random.bounded(256));
        const QByteArray opaque = tail.toBase64(QByteArray::Base64UrlEncoding | QByteArray::OmitTrailingEquals);
        const QString text = QStringLiteral("%1-g1AAAA%2")
                                 .arg(seq.toInteger() + lead + m_random.bounded(3))
                                 .arg(QString::fromLatin1(opaque));
        m_sequences.insert(text, seq);
        ++tokens;
        return text;
    }

    void clusterAnswer(const Exchange &x, int *status, QByteArray *body)
    {
        const HttpRequest &r = x.request;
        const QList<QByteArray> parts = r.path().split('/'); // "", db, doc…
        if (r.path() == "/") {
            *body = R"({"couchdb":"Welcome","version":"3.4.2","git_sha":"6e5ad2a5c",)"
                    R"("uuid":"9ddf59457dbb8772316cf06fc5e5a2e4",)"
                    R"("features":["access-ready","partitioned","pluggable-storage-engines","reshard","scheduler"],)"
                    R"("vendor":{"name":"The Apache Software Foundation"}})";
            return;
        }
        const QJsonDocument json = QJsonDocument::fromJson(*body);
        const bool write = (r.method == "POST" && parts.value(2) == "_bulk_docs")
            || ((r.method == "PUT" || r.method == "DELETE") && parts.size() >= 3);
        if (write && (*status == 201 || *status == 200)
            && (json.isArray() || json.object().value(QLatin1String("ok")).toBool())) {
            *status = 202;
            ++accepted;
            return;
        }
        if (!json.isObject() || *status != 200)
            return;
        QJsonObject o = json.object();
        const bool changes = parts.value(2) == "_changes";
        const bool info = r.method == "GET" && parts.size() == 2 && !parts.at(1).startsWith('_');
        const bool keys = parts.value(2) == "_all_docs"
            && (r.method == "POST" ? QJsonDocument::fromJson(r.body).object().contains(QLatin1String("keys"))
                                   : !r.query(QStringLiteral("keys")).isEmpty());
        if (!changes && !info && !keys && !o.contains(QLatin1String("update_seq")))
            return; // sent as the server wrote it
        for (const char *field : {"update_seq", "last_seq"}) {
            if (o.contains(QLatin1String(field)))
                o.insert(QLatin1String(field), token(o.value(QLatin1String(field)), 3));
        }
        if (changes)
            o.insert(QStringLiteral("results"), shardOrder(o.value(QLatin1String("results")).toArray(), x.since));
        if (info)
            o.insert(QStringLiteral("instance_start_time"), QStringLiteral("0"));
        if (keys) {
            o.insert(QStringLiteral("offset"), QJsonValue::Null);
            ++nullOffsets;
        }
        *body = QJsonDocument(o).toJson(QJsonDocument::Compact);
    }

    /// _changes rows as a coordinator merges them: shard by shard, each row's seq a token.
    QJsonArray shardOrder(const QJsonArray &rows, qint64 since)
    {
        QVector<QJsonArray> shards(4);
        QJsonArray sent; // the server's order, with the tokens
        for (const QJsonValue &v : rows) {
            QJsonObject row = v.toObject();
            if (since >= 0 && row.value(QLatin1String("seq")).toInteger() <= since)
                ++replayed;
            const QByteArray id = row.value(QLatin1String("id")).toString().toUtf8();
            row.insert(QStringLiteral("seq"), token(row.value(QLatin1String("seq")), 0));
            shards[qChecksum(id) % shards.size()].append(row);
            sent.append(row);
        }
        QJsonArray merged;
        const int first = m_answers++ % shards.size();
        for (qsizetype i = 0; merged.size() < rows.size(); ++i) {
            for (qsizetype k = 0; k < shards.size(); ++k) {
                const QJsonArray &shard = shards.at((first + k) % shards.size());
                if (i < shard.size())
                    merged.append(shard.at(i));
            }
        }
        if (merged != sent)
            ++reordered;
        return merged;
    }

    QUrl m_upstream;
    QTcpServer m_server;
    QNetworkAccessManager m_net;
    QHash<QTcpSocket *, QByteArray> m_buffers;
    QHash<QString, QJsonValue> m_sequences; ///< token -> the server's sequence
    QRandomGenerator m_random{16};
    int m_changesRequests = 0;
    int m_answers = 0;
    QElapsedTimer m_build;    ///< since the build's view request came
    qint64 m_buildLength = 0; ///< ms
};

/// Runs a ClusterProxy on its own thread: a CouchStore call blocks the calling thread while
/// its network thread talks to the server.
class ProxyHost final
{
public:
    explicit ProxyHost(const QUrl &upstream)
    {
        m_thread.start();
        m_anchor.moveToThread(&m_thread);
        QMetaObject::invokeMethod(&m_anchor, [this, upstream] { m_proxy = new ClusterProxy(upstream); },
                                  Qt::BlockingQueuedConnection);
    }
    ~ProxyHost()
    {
        QMetaObject::invokeMethod(&m_anchor, [this] { delete m_proxy; }, Qt::BlockingQueuedConnection);
        m_thread.quit();
        m_thread.wait();
    }
    Q_DISABLE_COPY_MOVE(ProxyHost)
    ClusterProxy *operator->() const { return m_proxy; }

private:
    QThread m_thread;
    QObject m_anchor;
    ClusterProxy *m_proxy = nullptr;
};

} // namespace

class TestCouchCluster : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void initTestCase();
    void init() { (*m_proxy)->rewindEvery.store(3); }
    void cleanupTestCase();
    void shouldAnswerAsTheServerDoes_data();
    void shouldAnswerAsTheServerDoes();
    void shouldFollowChangesThroughRewinds();
    void shouldPurgeExactlyTheExpiredSet_data();
    void shouldPurgeExactlyTheExpiredSet();
    void shouldWriteTheDesignDocumentOnAccepted();
    void shouldWaitForTheServerToBuildTheViews_data();
    void shouldWaitForTheServerToBuildTheViews();
    void shouldTellTheBuildOnATerminalOnly();

private:
    /// A copy of the fixture database with its revisions, with Stalk's design document when
    /// asked (the fixture's own _design/stalk is a foreign one, left out).
    void makeDatabase(const QString &db, bool withDesign);
    CouchConfig config(const QString &db, bool throughCluster, CouchConfig::Index index) const;
    std::unique_ptr<CouchStore> open(const QString &db, bool throughCluster, CouchConfig::Index index,
                                     bool incremental = false);
    QSet<QString> documentIds(const QString &db);
    QVector<TaskQuery> queries() const;
    /// The fixture's Celery results (expectations).
    qint64 total() const
    {
        return m_expect.value(QLatin1String("counts")).toObject().value(QLatin1String("total")).toInt();
    }
    void compareAnswers(CouchStore &direct, CouchStore &cluster);
    void comparePages(CouchStore &direct, CouchStore &cluster, TaskQuery query);

    CouchConfig m_base;
    QString m_source;
    QJsonObject m_expect;
    std::unique_ptr<ProxyHost> m_proxy;
};

void TestCouchCluster::initTestCase()
{
    STALK_SERVER_URL(serverUrl, "STALK_COUCH_URL", "tools/couchdb/with_couchdb.sh");
    const Outcome<CouchConfig> c = CouchConfig::fromUrl(StoreUrl::parse(serverUrl).value());
    QVERIFY2(c.ok(), qPrintable(c.error().message));
    m_base = *c;
    m_base.pageSize = 7; // loads, catch-ups and feeds cross many request ends
    m_base.timeoutMs = 15000;
    m_source = qEnvironmentVariable("STALK_COUCH_DB", QStringLiteral("stalk"));
    QFile expectations(qEnvironmentVariable("STALK_COUCH_EXPECTATIONS"));
    QVERIFY2(expectations.open(QIODevice::ReadOnly), "STALK_COUCH_EXPECTATIONS names the fixture's expectations");
    m_expect = QJsonDocument::fromJson(expectations.readAll()).object();
    QVERIFY(m_expect.value(QLatin1String("celery")).toArray().size() >= 10);
    m_proxy = std::make_unique<ProxyHost>(m_base.server);
    makeDatabase(QStringLiteral("cluster"), true);
}

void TestCouchCluster::cleanupTestCase()
{
    for (const char *db : {"cluster", "cluster_live", "cluster_design", "cluster_purge_a", "cluster_purge_b",
                           "cluster_build"})
        couchRequest(m_base, "DELETE", QLatin1Char('/') + QLatin1String(db));
    m_proxy.reset();
}

void TestCouchCluster::makeDatabase(const QString &db, bool withDesign)
{
    couchRequest(m_base, "DELETE", QLatin1Char('/') + db);
    QVERIFY(couchRequest(m_base, "PUT", QLatin1Char('/') + db).ok());
    const CouchReply all = couchRequest(m_base, "GET", QLatin1Char('/') + m_source + QStringLiteral("/_all_docs"), {},
                                {{QStringLiteral("include_docs"), QStringLiteral("true")}});
    QVERIFY2(all.ok(), qPrintable(all.error.message));
    QJsonArray docs;
    for (const QJsonValue &row : all.json.object().value(QLatin1String("rows")).toArray()) {
        const QJsonObject doc = row.toObject().value(QLatin1String("doc")).toObject();
        if (doc.value(QLatin1String("_id")).toString() != CouchDesign::documentId())
            docs.append(doc);
    }
    const QJsonObject body{{QStringLiteral("docs"), docs}, {QStringLiteral("new_edits"), false}};
    const CouchReply copied = couchRequest(m_base, "POST", QLatin1Char('/') + db + QStringLiteral("/_bulk_docs"),
                                   QJsonDocument(body).toJson(QJsonDocument::Compact));
    QVERIFY2(copied.ok(), qPrintable(copied.error.message));
    if (withDesign)
        QVERIFY(couchRequest(m_base, "PUT", QStringLiteral("/%1/%2").arg(db, CouchDesign::documentId()),
                             CouchDesign::documentText())
                    .ok());
}

CouchConfig TestCouchCluster::config(const QString &db, bool throughCluster, CouchConfig::Index index) const
{
    CouchConfig c = m_base;
    c.database = db;
    c.index = index;
    if (throughCluster)
        c.server.setPort((*m_proxy)->port());
    return c;
}

std::unique_ptr<CouchStore> TestCouchCluster::open(const QString &db, bool throughCluster, CouchConfig::Index index,
                                                   bool incremental)
{
    auto store = std::make_unique<CouchStore>(config(db, throughCluster, index));
    store->setIncrementalOpen(incremental);
    store->setFeedTimeoutMs(1000); // short polls: the feed meets the proxy's rewinds often
    const StoreError e = store->open();
    if (e.isError()) {
        qWarning("%s: %s", throughCluster ? "through the cluster" : "directly", qPrintable(e.message));
        return nullptr;
    }
    return store;
}

QSet<QString> TestCouchCluster::documentIds(const QString &db)
{
    QSet<QString> ids;
    const CouchReply all = couchRequest(m_base, "GET", QStringLiteral("/%1/_all_docs").arg(db));
    for (const QJsonValue &row : all.json.object().value(QLatin1String("rows")).toArray())
        ids.insert(row.toObject().value(QLatin1String("id")).toString());
    return ids;
}

QVector<TaskQuery> TestCouchCluster::queries() const
{
    const QJsonObject counts = m_expect.value(QLatin1String("counts")).toObject();
    QVector<TaskQuery> out{TaskQuery()};
    TaskQuery q;
    q.statuses = {QStringLiteral("FAILURE")};
    out.append(q);
    q = TaskQuery();
    q.taskNames = {counts.value(QLatin1String("task_name")).toObject().keys().constLast()};
    q.statuses = {QStringLiteral("SUCCESS"), QStringLiteral("FAILURE")};
    out.append(q);
    q = TaskQuery();
    q.workers = {counts.value(QLatin1String("worker")).toObject().keys().constLast()};
    q.doneAfter = QDateTime(QDate(2025, 1, 15), QTime(0, 0), Qt::UTC);
    out.append(q);
    q = TaskQuery();
    q.doneBefore = QDateTime(QDate(2025, 2, 1), QTime(0, 0), Qt::UTC);
    out.append(q);
    q = TaskQuery();
    q.search = QStringLiteral("add"); // the views leave a search to the index: it loads through the cluster
    out.append(q);
    return out;
}

void TestCouchCluster::comparePages(CouchStore &direct, CouchStore &cluster, TaskQuery query)
{
    // Every order a view gives, both ways (the index answers them too).
    using CouchViews::View;
    const std::array views{View::ByDate, View::ByStatus, View::ByTaskName, View::ByWorker};
    for (int sort = 0; sort < 8; ++sort) {
        query.sortField = CouchViews::fieldOf(views.at(sort / 2));
        query.sortOrder = sort % 2 ? Qt::AscendingOrder : Qt::DescendingOrder;
        QVector<TaskResult> walked[2];
        CouchStore *stores[2] = {&direct, &cluster};
        for (int s = 0; s < 2; ++s) {
            for (qint64 offset = 0;; offset += 5) { // page after page, as the window scrolls
                const Outcome<QVector<TaskResult>> page = stores[s]->fetchPage(query, offset, 5);
                QVERIFY2(page.ok(), qPrintable(page.error().message));
                walked[s] += *page;
                if (page->size() < 5)
                    break;
            }
        }
        QCOMPARE(walked[1], walked[0]);
        const Outcome<QVector<TaskResult>> jump = cluster.fetchPage(query, walked[0].size() / 2, 3);
        QVERIFY(jump.ok());
        QCOMPARE(*jump, walked[0].mid(walked[0].size() / 2, 3));
    }
}

void TestCouchCluster::compareAnswers(CouchStore &direct, CouchStore &cluster)
{
    const QVector<TaskQuery> all = queries();
    for (qsizetype i = 0; i < all.size(); ++i) {
        const TaskQuery &q = all.at(i);
        const QByteArray at = "query " + QByteArray::number(i);
        const Outcome<qint64> want = direct.count(q);
        const Outcome<qint64> got = cluster.count(q);
        QVERIFY2(got.ok(), at + ": " + got.error().message.toUtf8());
        QVERIFY2(*got == *want, at + ": " + QByteArray::number(*got) + " != " + QByteArray::number(*want));
        QVERIFY2(i > 0 || *got == total(), at);
        const Outcome<Facets> facets = cluster.facets(q);
        QVERIFY2(facets.ok(), at);
        QVERIFY2(*facets == *direct.facets(q), at);
        const Outcome<StatusHistory> history = cluster.statusHistory(q, TimeBucket::Day);
        QVERIFY2(history.ok(), at);
        QVERIFY2(history->buckets == direct.statusHistory(q, TimeBucket::Day)->buckets, at);
        comparePages(direct, cluster, q);
        if (QTest::currentTestFailed())
            return;
    }
    // A row's details, a saved group and its members, the failures.
    const Outcome<QVector<TaskResult>> some = direct.fetchPage(TaskQuery(), 0, 3);
    QVERIFY(some.ok() && some->size() == 3);
    for (const TaskResult &row : *some) {
        const Outcome<TaskResult> one = cluster.fetchOne(row.rowId);
        QVERIFY2(one.ok(), qPrintable(one.error().message));
        QCOMPARE(*one, *direct.fetchOne(row.rowId));
    }
    const Outcome<QVector<TaskGroup>> groups = cluster.groups(TaskQuery(), 500);
    QVERIFY(groups.ok());
    QVERIFY(!groups->isEmpty());
    QCOMPARE(*groups, *direct.groups(TaskQuery(), 500));
    const Outcome<FailureTable> failures = cluster.failures(TaskQuery());
    QVERIFY(failures.ok());
    QCOMPARE(failures->groups.size(), direct.failures(TaskQuery())->groups.size());
    // What Delete Expired would delete, at every cutoff of the expectations.
    for (const QJsonValue &v : m_expect.value(QLatin1String("expired")).toArray()) {
        PurgeCriteria criteria;
        criteria.cutoff = QDateTime::fromString(v.toObject().value(QLatin1String("cutoff")).toString(), Qt::ISODate);
        const Outcome<PurgePreview> got = cluster.previewPurge(criteria);
        const Outcome<PurgePreview> want = direct.previewPurge(criteria);
        QVERIFY2(got.ok(), qPrintable(got.error().message));
        QCOMPARE(got->total, want->total);
        QCOMPARE(got->byStatus, want->byStatus);
        QCOMPARE(got->groups, want->groups);
    }
}

void TestCouchCluster::shouldAnswerAsTheServerDoes_data()
{
    QTest::addColumn<CouchConfig::Index>("index");
    QTest::newRow("index=full") << CouchConfig::Index::Full;
    QTest::newRow("index=views") << CouchConfig::Index::Views;
}

void TestCouchCluster::shouldAnswerAsTheServerDoes()
{
    QFETCH(CouchConfig::Index, index);
    const int tokensBefore = (*m_proxy)->tokens.load();
    const int sinceBefore = (*m_proxy)->sinceMapped.load();
    auto direct = open(QStringLiteral("cluster"), false, index);
    auto cluster = open(QStringLiteral("cluster"), true, index);
    QVERIFY(direct && cluster);
    QCOMPARE(cluster->usesServerViews(), index == CouchConfig::Index::Views);

    const StoreInfo want = direct->info();
    const StoreInfo got = cluster->info();
    QCOMPARE(got.engine, want.engine);
    QCOMPARE(got.tableName, want.tableName);
    QCOMPARE(got.fields, want.fields);
    QCOMPARE(got.hasGroups, want.hasGroups);
    QCOMPARE(got.note, want.note);
    QVERIFY2(got.schema.contains(QLatin1String("CouchDB 3.4.2")), qPrintable(got.schema));

    compareAnswers(*direct, *cluster);
    if (QTest::currentTestFailed())
        return;
    // Through the cluster, every sequence Stalk read was an opaque string, and it sent back
    // only such strings: the index's catch-ups (full) and its load for the search (views).
    QVERIFY((*m_proxy)->tokens.load() > tokensBefore);
    QVERIFY((*m_proxy)->sinceMapped.load() > sinceBefore);
    QCOMPARE((*m_proxy)->sinceRefused.load(), 0);
    if (index == CouchConfig::Index::Views)
        QVERIFY((*m_proxy)->nullOffsets.load() > 0); // pages' documents read with `keys`
}

void TestCouchCluster::shouldFollowChangesThroughRewinds()
{
    const QString db = QStringLiteral("cluster_live");
    makeDatabase(db, true);
    auto direct = open(db, false, CouchConfig::Index::Full, true);
    auto cluster = open(db, true, CouchConfig::Index::Full, true);
    auto views = open(db, true, CouchConfig::Index::Views);
    QVERIFY(direct && cluster && views);
    QVERIFY(!direct->waitUntilLoaded().isError());
    QVERIFY(!cluster->waitUntilLoaded().isError());
    QTRY_VERIFY(direct->isFeedRunning() && cluster->isFeedRunning());
    TaskQuery everything;
    everything.sortField = Field::TaskId;
    // Catch-ups (F5) that the cluster answers with rows already applied, shard by shard, a
    // few times: nothing changes. (pouchdb-server holds an idle longpoll past its `timeout`,
    // so the feed alone would poll too seldom.)
    const auto replays = [this, &cluster] {
        const int rewinds = (*m_proxy)->rewinds.load();
        const int replayed = (*m_proxy)->replayed.load();
        const auto done = [&] {
            return (*m_proxy)->rewinds.load() >= rewinds + 2 && (*m_proxy)->replayed.load() > replayed;
        };
        for (int i = 0; i < 20 && !done(); ++i)
            QVERIFY(!cluster->refresh().isError());
        QVERIFY(done());
    };
    replays();
    const qint64 before = *direct->count(TaskQuery());
    QCOMPARE(*cluster->count(TaskQuery()), before);
    QCOMPARE(*cluster->fetchPage(everything, 0, 100000), *direct->fetchPage(everything, 0, 100000));

    // Real Celery writes through its CouchBackend (directly to the server): two results done,
    // one started, then it is done too; one fixture result is deleted. No rewind meanwhile:
    // the changes come once, in the feed's answers only (count() does not catch up while a
    // feed runs), each answer's rows out of order and the `since` it follows leading them.
    (*m_proxy)->rewindEvery.store(0);
    const int reordered = (*m_proxy)->reordered.load();
    QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    env.insert(QStringLiteral("PYTHONPATH"), QStringLiteral(STALK_COUCH_TOOLS));
    QUrl backend = m_base.server;
    backend.setScheme(QStringLiteral("couchdb"));
    backend.setUserName(m_base.user);
    backend.setPassword(m_base.password);
    backend.setPath(QLatin1Char('/') + db);
    const QString written = TestSupport::writeThroughCelery(
        backend.toString(), {QStringLiteral("done:c1u57e40-0000-4000-8000-000000000001"),
                             QStringLiteral("started:c1u57e40-0000-4000-8000-000000000002"),
                             QStringLiteral("done:c1u57e40-0000-4000-8000-000000000003"),
                             QStringLiteral("done:c1u57e40-0000-4000-8000-000000000002")},
        env);
    QVERIFY2(written.isEmpty(), qPrintable(written));
    const QJsonObject goneResult = m_expect.value(QLatin1String("celery")).toArray().at(0).toObject();
    const QString gone = goneResult.value(QLatin1String("id")).toString();
    const CouchReply doc = couchRequest(m_base, "GET", QStringLiteral("/%1/%2").arg(db, gone));
    QVERIFY(couchRequest(m_base, "DELETE", QStringLiteral("/%1/%2").arg(db, gone), {},
                 {{QStringLiteral("rev"), doc.json.object().value(QLatin1String("_rev")).toString()}})
                .ok());
    QTRY_COMPARE_WITH_TIMEOUT(*direct->count(TaskQuery()), before + 2, 20000);
    QTRY_COMPARE_WITH_TIMEOUT(*cluster->fetchPage(everything, 0, 100000), *direct->fetchPage(everything, 0, 100000),
                              20000);
    const Outcome<TaskResult> finished = cluster->fetchByTaskId(QStringLiteral("c1u57e40-0000-4000-8000-000000000002"));
    QVERIFY(finished.ok());
    QCOMPARE(finished->status, QStringLiteral("SUCCESS"));
    QCOMPARE(cluster->fetchByTaskId(goneResult.value(QLatin1String("task_id")).toString()).error().code,
             StoreError::Code::NotFound);
    QCOMPARE(*views->count(TaskQuery()), before + 2);
    QVERIFY(cluster->isFeedRunning());

    // Rewinds again, now over the new, changed and deleted documents: the index stays equal.
    (*m_proxy)->rewindEvery.store(3);
    replays();
    QCOMPARE(*cluster->fetchPage(everything, 0, 100000), *direct->fetchPage(everything, 0, 100000));
    QCOMPARE(*cluster->facets(TaskQuery()), *direct->facets(TaskQuery()));
    QCOMPARE(cluster->info().note, direct->info().note);
    QVERIFY((*m_proxy)->reordered.load() > reordered);
    QCOMPARE((*m_proxy)->sinceRefused.load(), 0);
}

void TestCouchCluster::shouldPurgeExactlyTheExpiredSet_data()
{
    QTest::addColumn<CouchConfig::Index>("index");
    QTest::addColumn<QDateTime>("cutoff");
    QTest::addColumn<QStringList>("expired");
    for (const QJsonValue &v : m_expect.value(QLatin1String("expired")).toArray()) {
        const QJsonObject o = v.toObject();
        const QString cutoff = o.value(QLatin1String("cutoff")).toString();
        if (cutoff.startsWith(QLatin1String("2025-01")))
            continue; // three cutoffs are enough here (tst_couchstore has all)
        for (CouchConfig::Index index : {CouchConfig::Index::Full, CouchConfig::Index::Views})
            QTest::addRow("%s %s", index == CouchConfig::Index::Full ? "full" : "views", qPrintable(cutoff))
                << index << QDateTime::fromString(cutoff, Qt::ISODate)
                << TestSupport::stringList(o.value(QLatin1String("task_ids")));
    }
}

void TestCouchCluster::shouldPurgeExactlyTheExpiredSet()
{
    QFETCH(CouchConfig::Index, index);
    QFETCH(QDateTime, cutoff);
    QFETCH(QStringList, expired);
    // Twins: one purged directly, one through the cluster.
    const QString directDb = QStringLiteral("cluster_purge_a");
    const QString clusterDb = QStringLiteral("cluster_purge_b");
    makeDatabase(directDb, true);
    makeDatabase(clusterDb, true);
    auto direct = open(directDb, false, index);
    auto cluster = open(clusterDb, true, index);
    QVERIFY(direct && cluster);
    const qint64 total = *direct->count(TaskQuery());
    const int acceptedBefore = (*m_proxy)->accepted.load();

    PurgeCriteria criteria;
    criteria.cutoff = cutoff;
    const Outcome<PurgePreview> preview = cluster->previewPurge(criteria);
    QVERIFY2(preview.ok(), qPrintable(preview.error().message));
    QCOMPARE(preview->total, qint64(expired.size()));
    QCOMPARE(preview->byStatus, direct->previewPurge(criteria)->byStatus);

    PurgeSummary summaries[2];
    CouchStore *stores[2] = {direct.get(), cluster.get()};
    for (int s = 0; s < 2; ++s) {
        Purger purger(*stores[s]);
        purger.setBatchSize(3);
        summaries[s] = purger.purge(criteria, preview->total);
        QVERIFY2(!summaries[s].error.isError(), qPrintable(summaries[s].error.message));
    }
    QCOMPARE(summaries[1].tasksDeleted, qint64(expired.size()));
    QCOMPARE(summaries[1].tasksDeleted, summaries[0].tasksDeleted);
    QCOMPARE(summaries[1].groupsDeleted, summaries[0].groupsDeleted);
    QVERIFY(!summaries[1].cancelled);
    if (!expired.isEmpty())
        QVERIFY((*m_proxy)->accepted.load() > acceptedBefore); // every _bulk_docs was a 202

    // On the server: exactly the expired results are gone, everything else is there.
    const QSet<QString> left = documentIds(clusterDb);
    QCOMPARE(left, documentIds(directDb));
    for (const QJsonValue &v : m_expect.value(QLatin1String("celery")).toArray()) {
        const QString id = v.toObject().value(QLatin1String("task_id")).toString();
        QVERIFY2(left.contains(QStringLiteral("celery-task-meta-") + id) != expired.contains(id), qPrintable(id));
    }
    QCOMPARE(*cluster->count(TaskQuery()), total - expired.size());
    QCOMPARE(cluster->previewPurge(criteria)->total, 0);
}

void TestCouchCluster::shouldWriteTheDesignDocumentOnAccepted()
{
    // Created, found up to date, used and removed through the cluster, every write a 202.
    const QString db = QStringLiteral("cluster_design");
    makeDatabase(db, false);
    const int acceptedBefore = (*m_proxy)->accepted.load();
    CouchClient client(config(db, true, CouchConfig::Index::Auto));
    const Outcome<CouchDesign::Status> absent
        = CouchDesign::wait([&](auto done) { CouchDesign::readStatus(client, done); });
    QVERIFY2(absent.ok(), qPrintable(absent.error().message));
    QCOMPARE(absent->state, CouchDesign::Status::State::Absent);
    const Outcome<CouchDesign::Status> created
        = CouchDesign::wait([&](auto done) { CouchDesign::write(client, *absent, done); });
    QVERIFY2(created.ok(), qPrintable(created.error().message));
    QCOMPARE(created->state, CouchDesign::Status::State::UpToDate);
    QCOMPARE((*m_proxy)->accepted.load(), acceptedBefore + 1);
    auto views = open(db, true, CouchConfig::Index::Auto);
    QVERIFY(views && views->usesServerViews());
    QCOMPARE(*views->count(TaskQuery()), total());
    const Outcome<CouchDesign::Status> removed
        = CouchDesign::wait([&](auto done) { CouchDesign::erase(client, *created, done); });
    QVERIFY2(removed.ok(), qPrintable(removed.error().message));
    QCOMPARE(removed->state, CouchDesign::Status::State::Absent);
    QCOMPARE((*m_proxy)->accepted.load(), acceptedBefore + 2);

    // The command line through the cluster: `couch-index --create` and `count` as directly.
    auto run = [](const QStringList &arguments, int *exitCode) {
        QProcess process;
        process.start(qEnvironmentVariable("STALK_BIN"), arguments);
        if (!process.waitForFinished(60000))
            return QByteArray("did not finish");
        *exitCode = process.exitCode();
        return process.readAllStandardOutput() + process.readAllStandardError();
    };
    auto url = [this, db](bool throughCluster) {
        const CouchConfig c = config(db, throughCluster, CouchConfig::Index::Auto);
        return QStringLiteral("couchdb://%1:%2@%3/%4").arg(c.user, c.password, c.hostPort(), db);
    };
    QVERIFY2(!qEnvironmentVariableIsEmpty("STALK_BIN"), "STALK_BIN names the stalk binary");
    int code = -1;
    const QByteArray createdLine = run({QStringLiteral("couch-index"), url(true), QStringLiteral("--create")}, &code);
    QCOMPARE(code, 0);
    QVERIFY2(createdLine.startsWith("created: _design/stalk in database 'cluster_design'"), createdLine);
    QCOMPARE((*m_proxy)->accepted.load(), acceptedBefore + 3);
    const QByteArray throughCluster = run({QStringLiteral("count"), url(true)}, &code);
    QCOMPARE(code, 0);
    QCOMPARE(throughCluster, run({QStringLiteral("count"), url(false)}, &code));
}

void TestCouchCluster::shouldWaitForTheServerToBuildTheViews_data()
{
    QTest::addColumn<bool>("silent");
    QTest::addColumn<bool>("admin");
    QTest::newRow("an admin sees the shards' tasks") << false << true;
    QTest::newRow("a database admin sees updater_running only") << false << false;
    QTest::newRow("a server that says nothing") << true << true;
}

void TestCouchCluster::shouldWaitForTheServerToBuildTheViews()
{
    // The first view request of ?index=views is held as CouchDB holds it while it builds
    // the views of a large database: 3 time-outs long, no byte meanwhile. Told that the
    // build runs, the store waits and says how far it is; told nothing, it gives up after
    // one time-out, as for any silent request.
    QFETCH(bool, silent);
    QFETCH(bool, admin);
    const QString db = QStringLiteral("cluster_build");
    makeDatabase(db, true);
    ClusterProxy &proxy = *m_proxy->operator->();
    proxy.buildDatabase = db;
    proxy.buildSilent.store(silent);
    proxy.refuseTasks.store(!admin);
    proxy.tasksAsked.store(0);
    constexpr int timeoutMs = 800, buildMs = 3 * timeoutMs;
    proxy.buildMs.store(buildMs);

    CouchConfig c = config(db, true, CouchConfig::Index::Views);
    c.timeoutMs = timeoutMs;
    // The store lives on its own thread (open() blocks it); this one reads openingNote(),
    // as the window's status bar does.
    std::atomic<CouchStore *> published{nullptr};
    std::atomic<bool> opened{false}, released{false};
    StoreError error;
    Outcome<qint64> count = qint64(-1);
    bool usedViews = false;
    QElapsedTimer clock;
    clock.start();
    qint64 openMs = -1;
    std::thread owner([&] {
        CouchStore store(c);
        store.setBuildPollMs(100);
        published.store(&store);
        error = store.open();
        openMs = clock.elapsed();
        if (!error) {
            usedViews = store.usesServerViews();
            count = store.count(TaskQuery());
        }
        opened.store(true);
        while (!released.load())
            QThread::msleep(5);
    });
    QStringList notes;
    while (!opened.load()) {
        if (CouchStore *store = published.load()) {
            const QString note = store->openingNote();
            if (!note.isEmpty() && (notes.isEmpty() || notes.constLast() != note))
                notes << note;
        }
        QThread::msleep(20);
    }
    released.store(true);
    owner.join();

    if (silent) {
        QVERIFY(error.isError());
        QCOMPARE(error.code, StoreError::Code::ConnectionFailed);
        QVERIFY2(error.message.contains(QLatin1String("does not say that it is building the views")),
                 qPrintable(error.message));
        QVERIFY2(openMs < buildMs, qPrintable(QString::number(openMs)));
        QVERIFY(notes.isEmpty());
        return;
    }
    QVERIFY2(!error, qPrintable(error.message));
    QVERIFY(usedViews);
    QVERIFY2(openMs >= buildMs, qPrintable(QString::number(openMs)));
    QVERIFY2(count.ok(), qPrintable(count.error().message));
    QCOMPARE(*count, total());
    QVERIFY(!notes.isEmpty());
    if (!admin) {
        QCOMPARE(notes, QStringList{QStringLiteral("the server is building the views of _design/stalk")});
        QCOMPARE(proxy.tasksAsked.load(), 1); // refused once, not asked again
        return;
    }
    // Only this database's shards of _design/stalk count: 500 + 700 changes.
    static const QRegularExpression figures(
        QStringLiteral("^the server is building the views of _design/stalk: (\\d+)% \\(([0-9,]+) of 1,200 changes\\)$"));
    int lastPercent = -1;
    for (const QString &note : std::as_const(notes)) {
        const QRegularExpressionMatch m = figures.match(note);
        QVERIFY2(m.hasMatch(), qPrintable(note));
        QVERIFY2(m.captured(1).toInt() >= lastPercent, qPrintable(notes.join(QLatin1Char('\n'))));
        lastPercent = m.captured(1).toInt();
    }
    QVERIFY2(notes.size() >= 3, qPrintable(notes.join(QLatin1Char('\n'))));
}

void TestCouchCluster::shouldTellTheBuildOnATerminalOnly()
{
    // `stalk count` while the server builds the views: on a terminal (script(1) gives it
    // one) standard error shows how far the server is, rewritten in place; without one
    // (cron), the output is only the count, as when nothing is built.
    QVERIFY2(!qEnvironmentVariableIsEmpty("STALK_BIN"), "STALK_BIN names the stalk binary");
    const QString db = QStringLiteral("cluster_build");
    makeDatabase(db, true);
    ClusterProxy &proxy = *m_proxy->operator->();
    proxy.buildDatabase = db;
    proxy.buildSilent.store(false);
    proxy.refuseTasks.store(false);
    const auto url = [this, db](bool throughCluster) {
        const CouchConfig c = config(db, throughCluster, CouchConfig::Index::Views);
        return QStringLiteral("couchdb://%1:%2@%3/%4?index=views").arg(c.user, c.password, c.hostPort(), db);
    };
    const auto run = [](const QString &program, const QStringList &arguments, QByteArray *err) {
        QProcess process;
        process.start(program, arguments);
        if (!process.waitForFinished(60000))
            return QByteArray("did not finish");
        if (err)
            *err = process.readAllStandardError();
        return process.readAllStandardOutput();
    };
    const QString stalk = qEnvironmentVariable("STALK_BIN");
    QByteArray err;
    const QByteArray direct = run(stalk, {QStringLiteral("count"), url(false)}, &err);
    QVERIFY2(err.isEmpty(), err.constData());
    QVERIFY(!direct.trimmed().isEmpty());

    proxy.buildMs.store(3500);
    const QByteArray cron = run(stalk, {QStringLiteral("count"), url(true)}, &err);
    QCOMPARE(cron, direct);
    QVERIFY2(err.isEmpty(), err.constData());

    proxy.buildMs.store(3500);
    const QString command = QStringLiteral("'%1' count '%2'").arg(stalk, url(true));
    const QByteArray terminal = run(QStringLiteral("script"), {QStringLiteral("-qec"), command, QStringLiteral("/dev/null")}, nullptr);
    QVERIFY2(terminal.contains("\rstalk: the server is building the views of _design/stalk: "), terminal.constData());
    QVERIFY2(terminal.contains(" of 1,200 changes)"), terminal.constData());
    QVERIFY2(terminal.endsWith(direct.trimmed() + "\r\n"), terminal.constData());
}

QTEST_GUILESS_MAIN(TestCouchCluster)
#include "tst_couchcluster.moc"
