// Stalk's design document (_design/stalk, backends/couchdesign) and `stalk couch-index`
// against a real CouchDB-compatible server (pouchdb-server on loopback, started by
// tools/couchdb/with_couchdb.sh): created only when asked, reported absent / up to date /
// outdated, an outdated one replaced, removed, a foreign one (no stalk_version: another tool's)
// neither replaced nor removed, refused to a user who is not an admin (the
// server's own 401) and on a 403 (injected: pouchdb-server answers every refused design
// document write with 401), never written read-only; and its views, run by the server's
// JavaScript, emit exactly what the stored documents hold.
//
// The documents are the fixture database's (written by a real Celery worker, see
// tools/couchdb/make_couch_fixtures.py), copied with their revisions into "stalk_design",
// plus a few foreign and broken ones the views must skip.
//
// Environment: STALK_COUCH_URL (http://admin:secret@127.0.0.1:PORT), STALK_COUCH_DB, STALK_BIN.
#include <QFile>
#include <QHostAddress>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QJsonValue>
#include <QMap>
#include <QNetworkAccessManager>
#include <QNetworkRequest>
#include <QProcess>
#include <QProcessEnvironment>
#include <QStringList>
#include <QTcpServer>
#include <QTcpSocket>
#include <QTest>
#include <QUrl>

#include "couchclient.h"
#include "couchhttp.h"
#include "couchdesign.h"
#include "couchviews.h"
#include "timeparse.h"
#include "storeurl.h"
#include "testsupport.h"

namespace {

const CouchClient::Query includeDocs{{QStringLiteral("include_docs"), QStringLiteral("true")}};

using State = CouchDesign::Status::State;

struct Run
{
    int exitCode = -1;
    QString out;
    QString err;
};

/// Sends every PUT of _design/stalk to a loopback server that answers 403 as CouchDB does
/// (a validate_doc_update's {forbidden: …}); everything else goes to the real server.
class ForbiddingManager final : public QNetworkAccessManager
{
public:
    explicit ForbiddingManager(quint16 port, QObject *parent = nullptr) : QNetworkAccessManager(parent), m_port(port) { }

protected:
    QNetworkReply *createRequest(Operation op, const QNetworkRequest &request, QIODevice *data) override
    {
        // CouchClient sends every verb as a custom request.
        const QByteArray verb = request.attribute(QNetworkRequest::CustomVerbAttribute).toByteArray();
        if ((op == PutOperation || verb == "PUT") && request.url().path().endsWith(QLatin1String("/_design/stalk"))) {
            QNetworkRequest redirected = request;
            QUrl url = request.url();
            url.setPort(m_port);
            redirected.setUrl(url);
            return QNetworkAccessManager::createRequest(op, redirected, data);
        }
        return QNetworkAccessManager::createRequest(op, request, data);
    }

private:
    quint16 m_port;
};

/// What the views emit for a meta's date_done: dateKey() of the instant and microseconds
/// Stalk's own parser reads (naive = UTC, offsets moved to UTC), or [null] for anything it
/// does not read as a date (missing, null, not text, not one of its forms).
QJsonArray expectedDateKey(const QJsonValue &done)
{
    if (!done.isString())
        return QJsonArray{QJsonValue()};
    int micros = 0;
    const QDateTime t = TimeParse::parseTimestamp(done.toString(), nullptr, &micros);
    return t.isValid() ? CouchViews::dateKey(t, micros) : QJsonArray{QJsonValue()};
}

} // namespace

class TestCouchDesign : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void initTestCase();
    void init();
    void shouldShowTheDesignDocumentInTheReadme();
    void shouldReportAbsentThenCreateOnlyWhenAsked();
    void shouldEmitWhatTheStoredDocumentsHold();
    void shouldReadEveryDateAsStalkDoes();
    void shouldReplaceAnOutdatedDesignDocument();
    void shouldRemoveTheDesignDocument();
    void shouldNeverReplaceOrRemoveAForeignDesignDocument();
    void shouldNeverWriteReadOnly();
    void shouldSayWhenTheUserIsNotAnAdmin();
    void shouldSayWhenTheServerForbidsTheWrite();
    void shouldSumTheBuildOfThisDatabaseOnly_data();
    void shouldSumTheBuildOfThisDatabaseOnly();

private:
    CouchReply http(const QByteArray &verb, const QString &path, const QByteArray &body = QByteArray(),
                    const CouchClient::Query &query = {});
    Outcome<CouchDesign::Status> status();
    Run stalk(const QStringList &arguments);
    QString url(const QString &user = QStringLiteral("admin:secret")) const;

    CouchConfig m_base;
    QString m_server; ///< host:port
    const QString m_db = QStringLiteral("stalk_design");
};

CouchReply TestCouchDesign::http(const QByteArray &verb, const QString &path, const QByteArray &body,
                                 const CouchClient::Query &query)
{
    return couchRequest(m_base, verb, path, body, query);
}

Outcome<CouchDesign::Status> TestCouchDesign::status()
{
    CouchConfig config = m_base;
    config.database = m_db;
    CouchClient client(config);
    return CouchDesign::wait([&](CouchDesign::Callback done) { CouchDesign::readStatus(client, std::move(done)); });
}

Run TestCouchDesign::stalk(const QStringList &arguments)
{
    QProcess process;
    QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    env.remove(QStringLiteral("STALK_PASSWORD"));
    process.setProcessEnvironment(env);
    process.start(qEnvironmentVariable("STALK_BIN"), QStringList{QStringLiteral("couch-index")} + arguments);
    process.closeWriteChannel();
    Run run;
    if (!process.waitForFinished(60000))
        return run;
    run.exitCode = process.exitCode();
    run.out = QString::fromUtf8(process.readAllStandardOutput());
    run.err = QString::fromUtf8(process.readAllStandardError());
    return run;
}

QString TestCouchDesign::url(const QString &user) const
{
    return QStringLiteral("http://%1@%2/%3").arg(user, m_server, m_db);
}

void TestCouchDesign::initTestCase()
{
    STALK_SERVER_URL(serverUrl, "STALK_COUCH_URL", "tools/couchdb/with_couchdb.sh");
    QVERIFY2(!qEnvironmentVariableIsEmpty("STALK_BIN"), "STALK_BIN names the stalk binary");
    const Outcome<CouchConfig> c = CouchConfig::fromUrl(StoreUrl::parse(serverUrl).value());
    QVERIFY2(c.ok(), qPrintable(c.error().message));
    m_base = *c;
    m_server = m_base.hostPort();

    // The Celery-written fixture documents, with their revisions, into a database of our own.
    const QString source = qEnvironmentVariable("STALK_COUCH_DB", QStringLiteral("stalk"));
    const CouchReply all = http("GET", QLatin1Char('/') + source + QStringLiteral("/_all_docs"), {}, includeDocs);
    QVERIFY2(all.ok(), qPrintable(all.error.message));
    QJsonArray docs;
    for (const QJsonValue &row : all.json.object().value(QLatin1String("rows")).toArray())
        docs.append(row.toObject().value(QLatin1String("doc")));
    QVERIFY(docs.size() > 10);
    QVERIFY(docs.first().isObject());
    // What the views must skip: another application's document, broken values (the fixture
    // adds a group, foreign documents and a foreign _design/stalk, which init() removes).
    const auto add = [&docs](const QString &id, const QJsonValue &value) {
        QJsonObject doc{{QStringLiteral("_id"), id}, {QStringLiteral("_rev"), QStringLiteral("1-0123456789abcdef0123456789abcdef")}};
        if (!value.isUndefined())
            doc.insert(QStringLiteral("value"), value);
        docs.append(doc);
    };
    add(QStringLiteral("invoice-42"), QStringLiteral(R"({"status": "SUCCESS", "date_done": "2025-01-01T00:00:00"})"));
    add(QStringLiteral("celery-task-meta-not-json"), QStringLiteral("{status: SUCCESS"));
    add(QStringLiteral("celery-task-meta-null"), QStringLiteral("null"));
    add(QStringLiteral("celery-task-meta-number"), 42);
    add(QStringLiteral("celery-task-meta-no-value"), QJsonValue::Undefined);
    http("DELETE", QLatin1Char('/') + m_db);
    QVERIFY(http("PUT", QLatin1Char('/') + m_db).ok());
    const CouchReply bulk = http("POST", QLatin1Char('/') + m_db + QStringLiteral("/_bulk_docs"),
                                 QJsonDocument(QJsonObject{{QStringLiteral("docs"), docs}, {QStringLiteral("new_edits"), false}}).toJson(QJsonDocument::Compact));
    QVERIFY2(bulk.ok(), qPrintable(bulk.error.message));
}

void TestCouchDesign::init()
{
    // Every test starts without the design document.
    const Outcome<CouchDesign::Status> now = status();
    QVERIFY2(now.ok(), qPrintable(now.error().message));
    if (now->state != State::Absent)
        QVERIFY(http("DELETE", QStringLiteral("/%1/_design/stalk").arg(m_db), {}, {{QStringLiteral("rev"), now->rev}}).ok());
}

void TestCouchDesign::shouldShowTheDesignDocumentInTheReadme()
{
    QFile readme(QFINDTESTDATA("../README.md"));
    QVERIFY(readme.open(QIODevice::ReadOnly));
    const QByteArray text = readme.readAll();
    QVERIFY2(text.contains("```json\n" + CouchDesign::documentText() + "```\n"),
             "README.md shows CouchDesign::documentText() exactly, in a ```json block");
    QVERIFY(!QJsonDocument::fromJson(CouchDesign::documentText()).isNull());
}

void TestCouchDesign::shouldReportAbsentThenCreateOnlyWhenAsked()
{
    Run run = stalk({url()});
    QCOMPARE(run.exitCode, 0);
    QCOMPARE(run.out, QStringLiteral("absent: _design/stalk in database 'stalk_design' does not exist\n"));
    QCOMPARE(status()->state, State::Absent); // asking wrote nothing

    run = stalk({url(), QStringLiteral("--create")});
    QCOMPARE(run.exitCode, 0);
    QCOMPARE(run.out, QStringLiteral("created: _design/stalk in database 'stalk_design' (version 2)\n"));
    QCOMPARE(run.err, QString());
    const Outcome<CouchDesign::Status> created = status();
    QCOMPARE(created->state, State::UpToDate);
    QCOMPARE(created->storedVersion, CouchDesign::version);

    run = stalk({url()});
    QCOMPARE(run.exitCode, 0);
    QCOMPARE(run.out, QStringLiteral("up-to-date: _design/stalk in database 'stalk_design' is up to date (version 2)\n"));
    run = stalk({url(), QStringLiteral("--create")});
    QCOMPARE(run.exitCode, 0);
    QCOMPARE(run.out, QStringLiteral("up-to-date: _design/stalk in database 'stalk_design' is up to date (version 2); "
                                     "nothing written\n"));
    QCOMPARE(status()->rev, created->rev);
}

void TestCouchDesign::shouldEmitWhatTheStoredDocumentsHold()
{
    QCOMPARE(stalk({url(), QStringLiteral("--create")}).exitCode, 0);

    // Expected: what each Celery document's value holds, parsed here by Qt.
    const CouchReply all = http("GET", QLatin1Char('/') + m_db + QStringLiteral("/_all_docs"), {}, includeDocs);
    QVERIFY(all.ok());
    const QStringList views{QStringLiteral("by_date"), QStringLiteral("by_status"), QStringLiteral("by_task_name"),
                            QStringLiteral("by_worker")};
    const QStringList fields{QString(), QStringLiteral("status"), QStringLiteral("name"), QStringLiteral("worker")};
    QMap<QString, QStringList> expected; // view -> "id key" lines
    QMap<QString, int> statusCounts;
    int celery = 0;
    for (const QJsonValue &row : all.json.object().value(QLatin1String("rows")).toArray()) {
        const QJsonObject doc = row.toObject().value(QLatin1String("doc")).toObject();
        const QString id = doc.value(QLatin1String("_id")).toString();
        const QJsonValue value = doc.value(QLatin1String("value"));
        if (!id.startsWith(QLatin1String("celery-task-meta-")) || !value.isString())
            continue;
        // What Stalk's index takes for a Celery result (CouchDocument): a JSON object whose
        // status is a non-empty string.
        const QJsonDocument meta = QJsonDocument::fromJson(value.toString().toUtf8());
        const QJsonValue status = meta.object().value(QLatin1String("status"));
        if (!meta.isObject() || !status.isString() || status.toString().isEmpty())
            continue;
        ++celery;
        const QJsonObject m = meta.object();
        // date_done as CouchViews::dateKey() writes the instant Stalk reads from it.
        const QJsonArray done = expectedDateKey(m.value(QLatin1String("date_done")));
        const auto orNull = [&m](const char *field) {
            const QJsonValue v = m.value(QLatin1String(field));
            return v.isUndefined() ? QJsonValue() : v;
        };
        const QJsonArray emittedValue{orNull("status"), orNull("name"), orNull("worker")};
        for (int i = 0; i < views.size(); ++i) {
            QJsonArray key;
            if (!fields.at(i).isEmpty()) {
                const QJsonValue v = m.value(fields.at(i));
                key.append(v.isUndefined() ? QJsonValue() : v);
            }
            for (const QJsonValue &part : done)
                key.append(part);
            key.append(id); // every key is one document's
            expected[views.at(i)] << id + u' ' + QString::fromUtf8(QJsonDocument(key).toJson(QJsonDocument::Compact))
                    + u' ' + QString::fromUtf8(QJsonDocument(emittedValue).toJson(QJsonDocument::Compact));
        }
        ++statusCounts[m.value(QLatin1String("status")).toString()];
    }
    QVERIFY2(celery >= 15, qPrintable(QString::number(celery)));
    QVERIFY(statusCounts.size() > 1);

    // Actual: the server ran the JavaScript.
    for (const QString &view : views) {
        const CouchReply reply = http("GET", QStringLiteral("/%1/_design/stalk/_view/%2").arg(m_db, view), {},
                                      {{QStringLiteral("reduce"), QStringLiteral("false")}});
        QVERIFY2(reply.ok(), qPrintable(reply.error.message));
        QStringList emitted;
        for (const QJsonValue &row : reply.json.object().value(QLatin1String("rows")).toArray()) {
            const QJsonObject r = row.toObject();
            emitted << r.value(QLatin1String("id")).toString() + u' '
                    + QString::fromUtf8(QJsonDocument(r.value(QLatin1String("key")).toArray()).toJson(QJsonDocument::Compact))
                    + u' '
                    + QString::fromUtf8(QJsonDocument(r.value(QLatin1String("value")).toArray()).toJson(QJsonDocument::Compact));
        }
        QStringList want = expected.value(view);
        std::sort(emitted.begin(), emitted.end());
        std::sort(want.begin(), want.end());
        QCOMPARE(emitted, want);
    }
    // The _count reduce, grouped by the first key element: the status facet.
    const CouchReply grouped = http("GET", QStringLiteral("/%1/_design/stalk/_view/by_status").arg(m_db), {},
                                    {{QStringLiteral("group_level"), QStringLiteral("1")}});
    QVERIFY(grouped.ok());
    QMap<QString, int> counted;
    for (const QJsonValue &row : grouped.json.object().value(QLatin1String("rows")).toArray()) {
        const QJsonObject r = row.toObject();
        counted[r.value(QLatin1String("key")).toArray().at(0).toString()] = r.value(QLatin1String("value")).toInt();
    }
    QCOMPARE(counted, statusCounts);
}

void TestCouchDesign::shouldReadEveryDateAsStalkDoes()
{
    // Dates the server's JavaScript must turn into the same instant Stalk's own parser reads
    // (TimeParse::parseTimestamp(), the reading of every store), or into [null] where Stalk
    // reads none: a purge by the views selects by these keys.
    const QStringList dates{
        QStringLiteral("2025-05-01T10:00:00.123456"),      // Celery < 5.5: naive UTC
        QStringLiteral("2025-05-01T10:00:00"),             // whole second: no fraction
        QStringLiteral("2025-05-01T10:00:00.123456+00:00"), // Celery >= 5.5
        QStringLiteral("2025-05-01T01:30:00.5+02:00"),     // across midnight, a short fraction
        QStringLiteral("2024-12-31T23:59:59.999999-05:30"), // across a year, minutes in the offset
        QStringLiteral("2024-02-29T12:00:00.123456789"),   // a leap day, nine digits (cut to six)
        QStringLiteral("2025-05-01T10:00:00Z"), QStringLiteral("2025-05-01t10:00:00z"),
        QStringLiteral("2025-05-01 10:00:00"), QStringLiteral("2025-05-01T10:00"),
        QStringLiteral("2025-05-01"), QStringLiteral("2025-05-01T10:00:00+0200"), QStringLiteral("2025-05-01T10:00:00+02"),
        QStringLiteral("2025-05-01T10:00:00+18:00"), QStringLiteral(" 2025-05-01T10:00:00\t"), // trimmed, as Stalk does
        QStringLiteral("2025-05-01T10:00:00,25"),
        // Not dates to Stalk: none may get a date key.
        QStringLiteral("2025-02-30T10:00:00"), QStringLiteral("2023-02-29T10:00:00"), QStringLiteral("2025-05-01T24:00:00"),
        QStringLiteral("2025-05-01T10:60:00"), QStringLiteral("2025-05-01T10:00:60"),
        QStringLiteral("2025-05-01T10:00:00+19:00"), QStringLiteral("2025-05-01T10:00:00+02:60"),
        QStringLiteral("2025-05-01+02:00"), QStringLiteral("2025-13-01T10:00:00"), QStringLiteral("2025-5-1T10:00:00"),
        QStringLiteral("2025-05-01T10:00:00."), QStringLiteral("0000-01-01T00:00:00"), QStringLiteral("yesterday"),
        QString()};
    QJsonArray docs;
    QMap<QString, QJsonValue> written; // doc id -> date_done
    const auto add = [&](const QString &id, const QJsonValue &done) {
        QJsonObject meta{{QStringLiteral("status"), QStringLiteral("SUCCESS")}, {QStringLiteral("task_id"), id}};
        if (!done.isUndefined())
            meta.insert(QStringLiteral("date_done"), done);
        docs.append(QJsonObject{{QStringLiteral("_id"), QStringLiteral("celery-task-meta-") + id},
                                {QStringLiteral("value"), QString::fromUtf8(QJsonDocument(meta).toJson(QJsonDocument::Compact))}});
        written.insert(QStringLiteral("celery-task-meta-") + id, done);
    };
    for (qsizetype i = 0; i < dates.size(); ++i)
        add(QStringLiteral("date-%1").arg(i, 2, 10, QLatin1Char('0')), dates.at(i));
    add(QStringLiteral("date-null"), QJsonValue());
    add(QStringLiteral("date-missing"), QJsonValue::Undefined);
    add(QStringLiteral("date-number"), 1746093600);
    const QString db = m_db + QStringLiteral("_dates");
    http("DELETE", QLatin1Char('/') + db);
    QVERIFY(http("PUT", QLatin1Char('/') + db).ok());
    QVERIFY(http("POST", QLatin1Char('/') + db + QStringLiteral("/_bulk_docs"),
                 QJsonDocument(QJsonObject{{QStringLiteral("docs"), docs}}).toJson(QJsonDocument::Compact))
                .ok());
    QJsonObject design = QJsonDocument::fromJson(CouchDesign::documentText()).object();
    QVERIFY(http("PUT", QStringLiteral("/%1/_design/stalk").arg(db), QJsonDocument(design).toJson(QJsonDocument::Compact)).ok());

    const CouchReply reply = http("GET", QStringLiteral("/%1/_design/stalk/_view/by_date").arg(db), {},
                                  {{QStringLiteral("reduce"), QStringLiteral("false")}});
    QVERIFY2(reply.ok(), qPrintable(reply.error.message));
    const QJsonArray rows = reply.json.object().value(QLatin1String("rows")).toArray();
    QCOMPARE(rows.size(), written.size());
    int dated = 0;
    QJsonArray previous;
    for (const QJsonValue &row : rows) {
        const QJsonObject r = row.toObject();
        const QString id = r.value(QLatin1String("id")).toString();
        QJsonArray key = r.value(QLatin1String("key")).toArray();
        QVERIFY2(written.contains(id), qPrintable(id));
        QCOMPARE(key.last(), QJsonValue(id));
        key.removeLast();
        QVERIFY2(key == expectedDateKey(written.value(id)),
                 qPrintable(QStringLiteral("%1: %2 emitted %3").arg(id, written.value(id).toString(),
                                                                     QString::fromUtf8(QJsonDocument(key).toJson(QJsonDocument::Compact)))));
        dated += key.at(0).isNull() ? 0 : 1;
        // The server's order is the instants' (the texts have one fixed form).
        if (!previous.isEmpty() && !previous.at(0).isNull()) {
            int a = 0;
            int b = 0;
            const QDateTime before = CouchViews::dateOfKey(previous, &a);
            const QDateTime after = CouchViews::dateOfKey(key, &b);
            QVERIFY2(before < after || (before == after && a <= b), qPrintable(id));
        }
        previous = key;
    }
    QCOMPARE(dated, 16);
    http("DELETE", QLatin1Char('/') + db);
}

void TestCouchDesign::shouldReplaceAnOutdatedDesignDocument()
{
    // What an older Stalk would have written: version 0, other views.
    const QByteArray old = R"({"language": "javascript", "stalk_version": 0, "views": {"by_date": {"map": "function (doc) { emit(doc._id, null); }", "reduce": "_count"}}})";
    QVERIFY(http("PUT", QStringLiteral("/%1/_design/stalk").arg(m_db), old).ok());
    const Outcome<CouchDesign::Status> before = status();
    QCOMPARE(before->state, State::Outdated);
    QCOMPARE(before->storedVersion, 0);

    Run run = stalk({url()});
    QCOMPARE(run.exitCode, 0);
    QCOMPARE(run.out, QStringLiteral("outdated: _design/stalk in database 'stalk_design' is outdated (version 0; this "
                                     "Stalk writes version 2)\n"));
    run = stalk({url(), QStringLiteral("--create")});
    QCOMPARE(run.exitCode, 0);
    QCOMPARE(run.out, QStringLiteral("replaced: _design/stalk in database 'stalk_design' (version 2, was 0)\n"));
    const Outcome<CouchDesign::Status> after = status();
    QCOMPARE(after->state, State::UpToDate);
    QVERIFY(after->rev != before->rev);

    // The current version with its views edited by hand is outdated too.
    QJsonObject edited = QJsonDocument::fromJson(CouchDesign::documentText()).object();
    edited.insert(QStringLiteral("_rev"), after->rev);
    edited.insert(QStringLiteral("views"), QJsonObject{});
    QVERIFY(http("PUT", QStringLiteral("/%1/_design/stalk").arg(m_db), QJsonDocument(edited).toJson()).ok());
    QCOMPARE(status()->state, State::Outdated);
}

void TestCouchDesign::shouldRemoveTheDesignDocument()
{
    QCOMPARE(stalk({url(), QStringLiteral("--create")}).exitCode, 0);
    Run run = stalk({url(), QStringLiteral("--remove")});
    QCOMPARE(run.exitCode, 0);
    QCOMPARE(run.out, QStringLiteral("removed: _design/stalk from database 'stalk_design'\n"));
    QCOMPARE(status()->state, State::Absent);
    QCOMPARE(http("GET", QStringLiteral("/%1/_design/stalk").arg(m_db)).httpStatus, 404);
    run = stalk({url(), QStringLiteral("--remove")});
    QCOMPARE(run.exitCode, 0);
    QCOMPARE(run.out, QStringLiteral("absent: _design/stalk in database 'stalk_design' does not exist; nothing removed\n"));
}

void TestCouchDesign::shouldNeverReplaceOrRemoveAForeignDesignDocument()
{
    // Another tool's _design/stalk (the fixture writer's, say): no stalk_version.
    const QByteArray foreign = R"({"language": "javascript", "views": {"all": {"map": "function (doc) { emit(doc._id, null); }"}}})";
    const QString path = QStringLiteral("/%1/_design/stalk").arg(m_db);
    QVERIFY(http("PUT", path, foreign).ok());
    const CouchReply stored = http("GET", path);
    QVERIFY(stored.ok());
    const Outcome<CouchDesign::Status> before = status();
    QCOMPARE(before->state, State::Foreign);

    Run run = stalk({url()});
    QCOMPARE(run.exitCode, 0);
    QCOMPARE(run.out, QStringLiteral("foreign: _design/stalk in database 'stalk_design' was not written by Stalk\n"));
    QCOMPARE(run.err, QString());

    const QString refusal = QStringLiteral("stalk: cannot %1 _design/stalk in database 'stalk_design': it was not written "
                                           "by Stalk (it has no stalk_version), and Stalk never replaces or removes a "
                                           "design document it did not write\n");
    run = stalk({url(), QStringLiteral("--create")});
    QCOMPARE(run.exitCode, 1);
    QCOMPARE(run.out, QStringLiteral("foreign: _design/stalk in database 'stalk_design' was not written by Stalk; "
                                     "nothing written\n"));
    QCOMPARE(run.err, refusal.arg(QStringLiteral("create")));
    run = stalk({url(), QStringLiteral("--remove")});
    QCOMPARE(run.exitCode, 1);
    QCOMPARE(run.out, QStringLiteral("foreign: _design/stalk in database 'stalk_design' was not written by Stalk; "
                                     "nothing removed\n"));
    QCOMPARE(run.err, refusal.arg(QStringLiteral("remove")));

    // The library refuses too (the window's path), without a request.
    CouchConfig config = m_base;
    config.database = m_db;
    CouchClient client(config);
    for (const bool remove : {false, true}) {
        int pendingAfterCall = -1;
        const Outcome<CouchDesign::Status> answer = CouchDesign::wait([&](CouchDesign::Callback done) {
            if (remove)
                CouchDesign::erase(client, *before, std::move(done));
            else
                CouchDesign::write(client, *before, std::move(done));
            pendingAfterCall = client.pendingCount();
        });
        QCOMPARE(pendingAfterCall, 0);
        QVERIFY(!answer.ok());
        QCOMPARE(answer.error().code, StoreError::Code::PermissionDenied);
        QVERIFY2(answer.error().message.contains(QLatin1String("it was not written by Stalk")),
                 qPrintable(answer.error().message));
    }

    // Untouched: the same revision and body.
    const CouchReply after = http("GET", path);
    QVERIFY(after.ok());
    QCOMPARE(after.json, stored.json);
    QCOMPARE(status()->state, State::Foreign);
}

void TestCouchDesign::shouldNeverWriteReadOnly()
{
    Run run = stalk({url(), QStringLiteral("--create"), QStringLiteral("--read-only")});
    QCOMPARE(run.exitCode, 1);
    QCOMPARE(run.out, QString());
    QCOMPARE(run.err, QStringLiteral("stalk: cannot create _design/stalk in http://admin:***@%1/stalk_design: permission "
                                     "denied: the store was opened read-only (--read-only)\n").arg(m_server));
    run = stalk({url() + QStringLiteral("?readonly=1"), QStringLiteral("--create")});
    QCOMPARE(run.exitCode, 1);
    QCOMPARE(status()->state, State::Absent);

    QCOMPARE(stalk({url(), QStringLiteral("--create")}).exitCode, 0);
    run = stalk({url(), QStringLiteral("--remove"), QStringLiteral("--read-only")});
    QCOMPARE(run.exitCode, 1);
    QCOMPARE(status()->state, State::UpToDate);
    // Reading the status is allowed read-only.
    QCOMPARE(stalk({url(), QStringLiteral("--read-only")}).exitCode, 0);
}

void TestCouchDesign::shouldSayWhenTheUserIsNotAnAdmin()
{
    // A user the server knows, who may read the database but is no admin: pouchdb-server
    // (like CouchDB) refuses its design document writes with 401.
    const QByteArray user = R"({"name": "reader", "password": "pw", "roles": [], "type": "user"})";
    const CouchReply made = http("PUT", QStringLiteral("/_users/org.couchdb.user:reader"), user);
    QVERIFY2(made.ok() || made.httpStatus == 409, qPrintable(made.error.message));

    QCOMPARE(stalk({url(QStringLiteral("reader:pw"))}).exitCode, 0); // reading is allowed
    Run run = stalk({url(QStringLiteral("reader:pw")), QStringLiteral("--create")});
    QCOMPARE(run.exitCode, 1);
    QCOMPARE(run.out, QString());
    QCOMPARE(run.err, QStringLiteral("stalk: cannot create _design/stalk in database 'stalk_design': permission denied: "
                                     "only an admin of the database (or of the server) may write design documents, "
                                     "and user 'reader' is not one\n"));
    QCOMPARE(status()->state, State::Absent);

    QCOMPARE(stalk({url(), QStringLiteral("--create")}).exitCode, 0);
    run = stalk({url(QStringLiteral("reader:pw")), QStringLiteral("--remove")});
    QCOMPARE(run.exitCode, 1);
    QVERIFY2(run.err.startsWith(QLatin1String("stalk: cannot remove _design/stalk in database 'stalk_design': "
                                              "permission denied: only an admin")),
             qPrintable(run.err));
    QCOMPARE(status()->state, State::UpToDate);
}

void TestCouchDesign::shouldSayWhenTheServerForbidsTheWrite()
{
    // CouchDB answers 403 when a validate_doc_update forbids the write; pouchdb-server lets
    // admins past validation, so the 403 comes from a loopback stand-in for that one request.
    QTcpServer forbidding;
    QVERIFY(forbidding.listen(QHostAddress::LocalHost));
    connect(&forbidding, &QTcpServer::newConnection, &forbidding, [&forbidding] {
        QTcpSocket *socket = forbidding.nextPendingConnection();
        connect(socket, &QTcpSocket::readyRead, socket, [socket] {
            socket->readAll();
            const QByteArray body = R"({"error":"forbidden","reason":"design documents are managed by the operations team"})";
            socket->write("HTTP/1.1 403 Forbidden\r\nContent-Type: application/json\r\nContent-Length: "
                          + QByteArray::number(body.size()) + "\r\nConnection: close\r\n\r\n" + body);
            socket->disconnectFromHost();
        });
    });
    CouchConfig config = m_base;
    config.database = m_db;
    CouchClient client(config);
    ForbiddingManager manager(forbidding.serverPort());
    client.setNetworkAccessManager(&manager);
    bool read = false;
    const Outcome<CouchDesign::Status> answer = CouchDesign::wait([&](CouchDesign::Callback done) {
        CouchDesign::readStatus(client, [&, done](const Outcome<CouchDesign::Status> &current) {
            read = current.ok();
            if (read)
                CouchDesign::write(client, *current, done);
            else
                done(current);
        });
    });
    QVERIFY(read);
    QVERIFY(!answer.ok());
    QCOMPARE(answer.error().code, StoreError::Code::PermissionDenied);
    QCOMPARE(answer.error().message,
             QStringLiteral("cannot create _design/stalk in database 'stalk_design': permission denied: only an admin of "
                            "the database (or of the server) may write design documents, and user 'admin' is not one"));
    QCOMPARE(status()->state, State::Absent);
}

void TestCouchDesign::shouldSumTheBuildOfThisDatabaseOnly_data()
{
    // GET /_active_tasks as CouchDB lists a build: one indexer task per shard of the
    // database; progressFromTasks() counts those of _design/stalk on "celery" only.
    QTest::addColumn<QByteArray>("tasks");
    QTest::addColumn<bool>("building");
    QTest::addColumn<qint64>("done");
    QTest::addColumn<qint64>("total");
    QTest::addColumn<QString>("sentence");
    const QByteArray shard0 = R"({"type":"indexer","design_document":"_design/stalk","database":"shards/00000000-7fffffff/celery.1764949999","changes_done":250,"total_changes":1000})";
    const QByteArray shard1 = R"({"type":"indexer","design_document":"_design/stalk","database":"shards/80000000-ffffffff/celery.1764949999","changes_done":1499,"total_changes":2000})";
    QTest::newRow("none") << QByteArray("[]") << false << qint64(-1) << qint64(-1) << QString();
    QTest::newRow("two shards") << "[" + shard0 + "," + shard1 + "]" << true << qint64(1749) << qint64(3000)
                                << QStringLiteral("the server is building the views of _design/stalk: 58% (1,749 of 3,000 changes)");
    QTest::newRow("one database, not clustered")
        << QByteArray(R"([{"type":"indexer","design_document":"_design/stalk","database":"celery","changes_done":0,"total_changes":40}])")
        << true << qint64(0) << qint64(40) << QStringLiteral("the server is building the views of _design/stalk: 0% (0 of 40 changes)");
    QTest::newRow("others' tasks")
        << QByteArray(R"([{"type":"indexer","design_document":"_design/other","database":"shards/00000000-7fffffff/celery.1764949999","changes_done":1,"total_changes":2},)"
                      R"({"type":"indexer","design_document":"_design/stalk","database":"shards/00000000-7fffffff/celery_old.1764949999","changes_done":1,"total_changes":2},)"
                      R"({"type":"indexer","design_document":"_design/stalk","database":"shards/00000000-7fffffff/xcelery.1764949999","changes_done":1,"total_changes":2},)"
                      R"({"type":"indexer","design_document":"_design/stalk","database":"celery.1764949999","changes_done":1,"total_changes":2},)"
                      R"({"type":"view_compaction","design_document":"_design/stalk","database":"shards/00000000-7fffffff/celery.1764949999"},)"
                      R"({"type":"database_compaction","database":"celery","changes_done":1,"total_changes":2}])")
        << false << qint64(-1) << qint64(-1) << QString();
    QTest::newRow("a shard without figures") << "[" + shard0 + R"(,{"type":"indexer","design_document":"_design/stalk","database":"shards/80000000-ffffffff/celery.1764949999"}])"
                                             << true << qint64(-1) << qint64(-1)
                                             << QStringLiteral("the server is building the views of _design/stalk");
    QTest::newRow("not a list") << QByteArray(R"({"error":"unauthorized"})") << false << qint64(-1) << qint64(-1) << QString();
}

void TestCouchDesign::shouldSumTheBuildOfThisDatabaseOnly()
{
    QFETCH(QByteArray, tasks);
    QFETCH(bool, building);
    QFETCH(qint64, done);
    QFETCH(qint64, total);
    QFETCH(QString, sentence);
    const CouchDesign::BuildProgress p = CouchDesign::progressFromTasks(QStringLiteral("celery"), QJsonDocument::fromJson(tasks));
    QCOMPARE(p.building, building);
    QCOMPARE(p.changesDone, done);
    QCOMPARE(p.totalChanges, total);
    if (building)
        QCOMPARE(CouchDesign::describe(p), sentence);

    // _info: CouchDB's view_index.updater_running; pouchdb-server's stub says nothing.
    QCOMPARE(CouchDesign::updaterRunning(QJsonDocument::fromJson(R"({"name":"stalk","view_index":{"updater_running":true}})")),
             std::optional<bool>(true));
    QCOMPARE(CouchDesign::updaterRunning(QJsonDocument::fromJson(R"({"name":"stalk","view_index":{"updater_running":false}})")),
             std::optional<bool>(false));
    QCOMPARE(CouchDesign::updaterRunning(QJsonDocument::fromJson(R"({"name":"stalk","view_index":"Not implemented."})")),
             std::nullopt);
}

QTEST_GUILESS_MAIN(TestCouchDesign)
#include "tst_couchdesign.moc"
