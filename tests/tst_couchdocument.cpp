// Pure decoding of Celery CouchBackend documents (backends/couchdocument.h).
// The sample documents are copied from what Celery 5.2.6's real CouchBackend wrote into
// pouchdb-server (tools/couchdb/make_couch_fixtures.py), plus hand-made broken ones.
#include <QDateTime>
#include <QElapsedTimer>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QJsonValue>
#include <QStringList>
#include <QTest>

#include "couchdocument.h"
#include "couchindex.h"
#include "resultstore.h"
#include "taskquery.h"

using Parsed = CouchDocument::Parsed;
Q_DECLARE_METATYPE(Parsed::Kind)

namespace {

// {"_id": id, "_rev": "1-abc", "value": <valueJson as a JSON string>}
QByteArray celeryDoc(const QString &id, const QByteArray &valueJson)
{
    QJsonObject doc{{QStringLiteral("_id"), id},
                    {QStringLiteral("_rev"), QStringLiteral("1-abc")},
                    {QStringLiteral("value"), QString::fromUtf8(valueJson)}};
    return QJsonDocument(doc).toJson(QJsonDocument::Compact);
}


extern const QByteArray failureMeta;

} // namespace

class TestCouchDocument : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void shouldClassifyDocuments_data();
    void shouldClassifyDocuments();
    void shouldDecodeEveryFieldOfAnExtendedFailure();
    void shouldDecodeAPlainStartedDocument();
    void shouldDecodeSavedGroups();
    void shouldReadDateDoneAsCeleryWritesIt_data();
    void shouldReadDateDoneAsCeleryWritesIt();
    void shouldNoteProblemsButKeepTheRow_data();
    void shouldNoteProblemsButKeepTheRow();
    void shouldHonourAGlobalKeyPrefix_data();
    void shouldHonourAGlobalKeyPrefix();
    void shouldWriteCompactJsonForScalars_data();
    void shouldWriteCompactJsonForScalars();
    void shouldSearchArgumentsAsJsonAndAsPython_data();
    void shouldSearchArgumentsAsJsonAndAsPython();
    void shouldKeepNumbersQtCannotHoldAsStored_data();
    void shouldKeepNumbersQtCannotHoldAsStored();
    void shouldNotMistakeTextForAKeptNumber_data();
    void shouldNotMistakeTextForAKeptNumber();
    void shouldReadAMillionKeptNumbersInLinearTime();
    void shouldPreviewAnObjectResultAsTheFullReadWritesIt_data();
    void shouldPreviewAnObjectResultAsTheFullReadWritesIt();
    void shouldCutAPreviewAtTheFirstMemberPastItsLength_data();
    void shouldCutAPreviewAtTheFirstMemberPastItsLength();
    void shouldReadRepeatedTextsOfManyDocumentsApart();
};

namespace {
// Exactly as Celery 5.2.6 + result_extended wrote it (ASCII-escaped by json.dumps).
const QByteArray failureMeta = R"({"status": "FAILURE", "result": {"exc_type": "ValueError", "exc_message": ["Zo\u00eb failed \u2639"], "exc_module": "builtins"}, "traceback": "Traceback (most recent call last):\n  File \"/usr/lib/python3/dist-packages/celery/app/trace.py\", line 451, in trace_task\n    R = retval = fun(*args, **kwargs)\nValueError: Zo\u00eb failed \u2639\n", "children": [], "date_done": "2025-01-20T12:42:00+02:00", "name": "stalk_couch_tasks.fail", "args": ["Zo\u00eb failed \u2639"], "kwargs": {}, "worker": "alpha@stalk", "retries": 0, "queue": "celery", "task_id": "78a71a3b-d2a0-495e-9f31-eeb6088360c7"})";
} // namespace

void TestCouchDocument::shouldClassifyDocuments_data()
{
    QTest::addColumn<QByteArray>("json");
    QTest::addColumn<Parsed::Kind>("kind");
    QTest::addColumn<QString>("reason");

    const QString task = QStringLiteral("celery-task-meta-5ea7");
    QTest::newRow("celery success") << celeryDoc(task, R"({"status": "SUCCESS", "result": 42, "traceback": null, "children": [], "date_done": "2025-01-04T10:07:00", "task_id": "5ea7"})")
                                    << Parsed::Kind::Task << "";
    QTest::newRow("celery failure") << celeryDoc(QStringLiteral("celery-task-meta-78a71a3b-d2a0-495e-9f31-eeb6088360c7"), failureMeta)
                                    << Parsed::Kind::Task << "";
    QTest::newRow("custom state") << celeryDoc(task, R"({"status": "PROGRESS", "result": {"done": 3}, "task_id": "5ea7"})")
                                  << Parsed::Kind::Task << "";
    QTest::newRow("saved group") << celeryDoc(QStringLiteral("celery-taskset-meta-5a9b"), R"({"result": [["5a9b", null], [[["bb50", null], null]]]})")
                                 << Parsed::Kind::Group << "";
    QTest::newRow("design document") << QByteArray(R"({"_id": "_design/stalk", "views": {}})") << Parsed::Kind::Foreign
                                     << "design document";
    QTest::newRow("other key") << QByteArray(R"({"_id": "app-settings", "theme": "dark"})") << Parsed::Kind::Foreign
                               << "not a Celery key";
    QTest::newRow("other key with a status") << celeryDoc(QStringLiteral("zzz"), R"({"status": "SUCCESS"})")
                                             << Parsed::Kind::Foreign << "not a Celery key";
    QTest::newRow("bare prefix") << celeryDoc(QStringLiteral("celery-task-meta-"), R"({"status": "SUCCESS"})")
                                 << Parsed::Kind::Foreign << "not a Celery key";
    QTest::newRow("value missing") << QByteArray(R"({"_id": "celery-task-meta-x", "other": 1})") << Parsed::Kind::Foreign
                                   << "no 'value' field";
    QTest::newRow("value a number") << QByteArray(R"({"_id": "celery-task-meta-x", "value": 12})") << Parsed::Kind::Foreign
                                    << "'value' is not a string";
    QTest::newRow("value an object") << QByteArray(R"({"_id": "celery-task-meta-x", "value": {"status": "SUCCESS"}})")
                                     << Parsed::Kind::Foreign << "'value' is not a string";
    QTest::newRow("value not JSON") << celeryDoc(task, "this is { not json") << Parsed::Kind::Foreign << "'value' is not JSON";
    QTest::newRow("value truncated") << celeryDoc(task, R"({"status": "SUCC)") << Parsed::Kind::Foreign << "'value' is not JSON";
    QTest::newRow("value an array") << celeryDoc(task, "[1, 2, 3]") << Parsed::Kind::Foreign << "'value' is not a JSON object";
    QTest::newRow("value a scalar") << celeryDoc(task, "42") << Parsed::Kind::Foreign << "'value' is not a JSON object";
    QTest::newRow("no status") << celeryDoc(task, R"({"result": 1, "task_id": "x"})") << Parsed::Kind::Foreign
                               << "'value' has no 'status'";
    QTest::newRow("status not a string") << celeryDoc(task, R"({"status": 3})") << Parsed::Kind::Foreign
                                         << "not a state name";
    QTest::newRow("group without result") << celeryDoc(QStringLiteral("celery-taskset-meta-g"), R"({"x": 1})")
                                          << Parsed::Kind::Foreign << "not a saved group";
    QTest::newRow("document not JSON") << QByteArray("{\"_id\": \"celery-task-meta-x\", \"value\": \"{") << Parsed::Kind::Foreign
                                       << "the document is not JSON";
    QTest::newRow("document an array") << QByteArray("[]") << Parsed::Kind::Foreign << "not a JSON object";
}

void TestCouchDocument::shouldClassifyDocuments()
{
    QFETCH(QByteArray, json);
    QFETCH(Parsed::Kind, kind);
    QFETCH(QString, reason);
    const Parsed p = CouchDocument::parse(json);
    QCOMPARE(p.kind, kind);
    if (kind == Parsed::Kind::Foreign) {
        QVERIFY2(p.reason.contains(reason), qPrintable(p.reason));
        QCOMPARE(p.task, TaskResult());
    } else {
        QVERIFY(p.reason.isEmpty());
    }
}

void TestCouchDocument::shouldDecodeEveryFieldOfAnExtendedFailure()
{
    const Parsed p = CouchDocument::parse(celeryDoc(QStringLiteral("celery-task-meta-78a71a3b-d2a0-495e-9f31-eeb6088360c7"), failureMeta));
    QCOMPARE(p.kind, Parsed::Kind::Task);
    QCOMPARE(p.rev, QStringLiteral("1-abc"));
    QVERIFY(p.extended);
    const TaskResult &t = p.task;
    QCOMPARE(t.rowId, -1);
    QCOMPARE(t.taskId, QStringLiteral("78a71a3b-d2a0-495e-9f31-eeb6088360c7"));
    QCOMPARE(t.status, QStringLiteral("FAILURE"));
    QCOMPARE(t.taskName, QStringLiteral("stalk_couch_tasks.fail"));
    QCOMPARE(t.worker, QStringLiteral("alpha@stalk"));
    QCOMPARE(t.queue, QStringLiteral("celery"));
    QCOMPARE(t.retries, 0);
    // args/kwargs are real JSON in CouchDB; the \u escapes are decoded.
    QCOMPARE(t.args, QStringLiteral("[\"Zoë failed ☹\"]"));
    QCOMPARE(t.kwargs, QStringLiteral("{}"));
    const QJsonObject result = QJsonDocument::fromJson(t.result.toUtf8()).object();
    QCOMPARE(result.value(QLatin1String("exc_type")).toString(), QStringLiteral("ValueError"));
    QCOMPARE(result.value(QLatin1String("exc_message")).toArray().at(0).toString(), QStringLiteral("Zoë failed ☹"));
    QVERIFY(t.traceback.startsWith(QLatin1String("Traceback (most recent call last):\n")));
    QVERIFY(t.traceback.endsWith(QStringLiteral("ValueError: Zoë failed ☹\n")));
    QCOMPARE(t.meta, QStringLiteral("{\"children\":[]}"));
    QCOMPARE(t.dateDone, QDateTime(QDate(2025, 1, 20), QTime(10, 42), Qt::UTC));
    QVERIFY(t.groupId.isNull());
    QVERIFY(t.parentId.isNull());
    QCOMPARE(t.contentType, QStringLiteral("application/json"));
    QCOMPARE(t.contentEncoding, QStringLiteral("utf-8"));
    QVERIFY(t.complete);
    QVERIFY2(t.problems.isEmpty(), qPrintable(t.problems.join(u';')));
}

void TestCouchDocument::shouldDecodeAPlainStartedDocument()
{
    // backend.mark_as_started() without a request: no result_extended keys, date_done null.
    const Parsed p = CouchDocument::parse(celeryDoc(
        QStringLiteral("celery-task-meta-5ea7ed00-0000-4000-8000-000000000002"),
        R"({"status": "STARTED", "result": {"pid": 4242, "hostname": "alpha@stalk"}, "traceback": null, "children": [], "date_done": null, "group_id": "g1", "parent_id": "p1", "task_id": "5ea7ed00-0000-4000-8000-000000000002"})"));
    QCOMPARE(p.kind, Parsed::Kind::Task);
    QVERIFY(!p.extended);
    QCOMPARE(p.task.status, QStringLiteral("STARTED"));
    QVERIFY(p.task.taskName.isNull());
    QVERIFY(p.task.args.isNull());
    QVERIFY(p.task.kwargs.isNull());
    QVERIFY(p.task.worker.isNull());
    QVERIFY(p.task.traceback.isNull());
    QCOMPARE(p.task.retries, -1);
    QVERIFY(!p.task.dateDone.isValid());
    QCOMPARE(p.task.groupId, QStringLiteral("g1"));
    QCOMPARE(p.task.parentId, QStringLiteral("p1"));
    QCOMPARE(QJsonDocument::fromJson(p.task.result.toUtf8()).object().value(QLatin1String("pid")).toInt(), 4242);
    QVERIFY(p.task.problems.isEmpty());
}

void TestCouchDocument::shouldDecodeSavedGroups()
{
    const Parsed p = CouchDocument::parse(celeryDoc(
        QStringLiteral("celery-taskset-meta-5a9b2d32-364e-4ab9-b969-32dc1704c0bd"),
        R"({"result": [["5a9b2d32-364e-4ab9-b969-32dc1704c0bd", null], [[["bb500c2e", null], null]]]})"));
    QCOMPARE(p.kind, Parsed::Kind::Group);
    QCOMPARE(p.groupId, QStringLiteral("5a9b2d32-364e-4ab9-b969-32dc1704c0bd"));
    QVERIFY(!p.groupDateDone.isValid()); // Celery 5.2 saves groups without a date
    QCOMPARE(p.groupMembers, QStringList{QStringLiteral("bb500c2e")});
    QVERIFY2(p.groupProblem.isEmpty(), qPrintable(p.groupProblem));
    const Parsed dated = CouchDocument::parse(celeryDoc(QStringLiteral("celery-taskset-meta-g"),
                                                        R"({"result": [], "date_done": "2025-01-02T03:04:05"})"));
    QCOMPARE(dated.groupDateDone, QDateTime(QDate(2025, 1, 2), QTime(3, 4, 5), Qt::UTC));
    // A 'result' that is no GroupResult tuple: still a group, its members described as unreadable.
    QVERIFY(dated.groupMembers.isEmpty());
    QVERIFY2(dated.groupProblem.contains(QLatin1String("not a GroupResult")), qPrintable(dated.groupProblem));
}

void TestCouchDocument::shouldReadDateDoneAsCeleryWritesIt_data()
{
    QTest::addColumn<QString>("text");
    QTest::addColumn<QDateTime>("expected");
    const QDateTime ten(QDate(2025, 5, 1), QTime(10, 0), Qt::UTC);
    QTest::newRow("naive with microseconds (Celery < 5.5)") << "2025-05-01T10:00:00.123456" << ten.addMSecs(123);
    QTest::newRow("naive without fraction") << "2025-05-01T10:00:00" << ten;
    QTest::newRow("offset +02:00 (Celery >= 5.5)") << "2025-05-01T12:00:00+02:00" << ten;
    QTest::newRow("offset +00:00") << "2025-05-01T10:00:00+00:00" << ten;
    QTest::newRow("offset with fraction") << "2025-05-01T05:30:00.5-04:30" << ten.addMSecs(500);
    QTest::newRow("offset crossing a day") << "2025-02-01T01:30:00+02:00"
                                           << QDateTime(QDate(2025, 1, 31), QTime(23, 30), Qt::UTC);
    QTest::newRow("Z") << "2025-05-01T10:00:00Z" << ten;
    QTest::newRow("garbage") << "31/02/2025" << QDateTime();
    QTest::newRow("impossible date") << "2025-02-30T10:00:00" << QDateTime();
    QTest::newRow("empty") << "" << QDateTime();
}

void TestCouchDocument::shouldReadDateDoneAsCeleryWritesIt()
{
    QFETCH(QString, text);
    QFETCH(QDateTime, expected);
    const QDateTime got = CouchDocument::parseDateDone(text);
    QCOMPARE(got.isValid(), expected.isValid());
    if (expected.isValid()) {
        QCOMPARE(got, expected);
        QCOMPARE(got.timeSpec(), Qt::UTC);
    }
}

void TestCouchDocument::shouldNoteProblemsButKeepTheRow_data()
{
    QTest::addColumn<QByteArray>("meta");
    QTest::addColumn<QString>("problem");
    QTest::newRow("date not a date") << QByteArray(R"({"status": "SUCCESS", "task_id": "t1", "date_done": "31/02/2025"})")
                                     << "date_done: '31/02/2025' is not a date";
    QTest::newRow("date a number") << QByteArray(R"({"status": "SUCCESS", "task_id": "t1", "date_done": 1700000000})")
                                   << "date_done: 1700000000 is not a date";
    QTest::newRow("task_id differs from the key") << QByteArray(R"({"status": "SUCCESS", "task_id": "other"})")
                                                  << "differs from the document key";
}

void TestCouchDocument::shouldNoteProblemsButKeepTheRow()
{
    QFETCH(QByteArray, meta);
    QFETCH(QString, problem);
    const Parsed p = CouchDocument::parse(celeryDoc(QStringLiteral("celery-task-meta-t1"), meta));
    QCOMPARE(p.kind, Parsed::Kind::Task);
    QCOMPARE(p.task.status, QStringLiteral("SUCCESS"));
    QCOMPARE(p.task.problems.size(), 1);
    QVERIFY2(p.task.problems.first().contains(problem), qPrintable(p.task.problems.first()));
}

void TestCouchDocument::shouldHonourAGlobalKeyPrefix_data()
{
    // Celery >= 5.3: result_backend_transport_options={'global_keyprefix': 'myapp:'}.
    QTest::addColumn<QString>("docId");
    QTest::addColumn<Parsed::Kind>("kind");
    QTest::addColumn<QString>("id");
    QTest::newRow("prefixed task") << "myapp:celery-task-meta-t1" << Parsed::Kind::Task << "t1";
    QTest::newRow("prefixed group") << "myapp:celery-taskset-meta-g1" << Parsed::Kind::Group << "g1";
    QTest::newRow("another app's task") << "celery-task-meta-t1" << Parsed::Kind::Foreign << "";
    QTest::newRow("other prefix") << "other:celery-task-meta-t1" << Parsed::Kind::Foreign << "";
}

void TestCouchDocument::shouldHonourAGlobalKeyPrefix()
{
    QFETCH(QString, docId);
    QFETCH(Parsed::Kind, kind);
    QFETCH(QString, id);
    const QByteArray meta = kind == Parsed::Kind::Group ? QByteArray(R"({"result": []})")
                                                        : QByteArray(R"({"status": "SUCCESS", "task_id": "t1"})");
    const Parsed p = CouchDocument::parse(celeryDoc(docId, meta), QStringLiteral("myapp:"));
    QCOMPARE(p.kind, kind);
    if (kind == Parsed::Kind::Task) {
        QCOMPARE(p.task.taskId, id);
        QVERIFY(p.task.problems.isEmpty());
    } else if (kind == Parsed::Kind::Group) {
        QCOMPARE(p.groupId, id);
    } else {
        QCOMPARE(p.reason, QStringLiteral("not a Celery key"));
    }
}

void TestCouchDocument::shouldWriteCompactJsonForScalars_data()
{
    QTest::addColumn<QJsonValue>("value");
    QTest::addColumn<QString>("text");
    QTest::newRow("int") << QJsonValue(42) << "42";
    QTest::newRow("string") << QJsonValue(QStringLiteral("Zoë \"q\"")) << "\"Zoë \\\"q\\\"\"";
    QTest::newRow("null") << QJsonValue(QJsonValue::Null) << "null";
    QTest::newRow("bool") << QJsonValue(true) << "true";
    QTest::newRow("object") << QJsonValue(QJsonObject{{QStringLiteral("a"), 1}}) << "{\"a\":1}";
    QTest::newRow("undefined") << QJsonValue(QJsonValue::Undefined) << QString();
}

void TestCouchDocument::shouldWriteCompactJsonForScalars()
{
    QFETCH(QJsonValue, value);
    QFETCH(QString, text);
    const QString got = CouchDocument::compactJson(value);
    QCOMPARE(got, text);
    QCOMPARE(got.isNull(), text.isNull());
}

void TestCouchDocument::shouldSearchArgumentsAsJsonAndAsPython_data()
{
    // The SQL stores hold Celery's argsrepr/kwargsrepr (Python literals); the documents hold
    // JSON. The index matches both, so a search finds the same tasks on either store.
    QTest::addColumn<QString>("args");
    QTest::addColumn<QString>("kwargs");
    QTest::addColumn<QString>("term");
    QTest::addColumn<bool>("found");
    QTest::newRow("json form") << QString::fromUtf8("[\"Zoë\"]") << "{}" << QString::fromUtf8("[\"zoë\"]") << true;
    QTest::newRow("one-tuple") << QString::fromUtf8("[\"Zoë\"]") << "{}" << QString::fromUtf8("('Zoë',)") << true;
    QTest::newRow("tuple") << QString::fromUtf8("[\"Zoë\",3,null]") << "{}" << QString::fromUtf8("('Zoë',") << true;
    QTest::newRow("None") << QString::fromUtf8("[\"Zoë\",3,null]") << "{}" << "None)" << true;
    QTest::newRow("nested list stays a list") << "[[1,2]]" << "{}" << "([1, 2],)" << true;
    QTest::newRow("kwargs dict") << "[]" << "{\"flag\":true,\"n\":1.5}" << "{'flag': True," << true;
    QTest::newRow("empty args") << "[]" << "{}" << "()" << true;
    QTest::newRow("not in either form") << QString::fromUtf8("[\"Zoë\"]") << "{}" << "('Zoe'," << false;
    QTest::newRow("no literal without a value") << "[]" << "{}" << "True" << false;
}

void TestCouchDocument::shouldSearchArgumentsAsJsonAndAsPython()
{
    QFETCH(QString, args);
    QFETCH(QString, kwargs);
    QFETCH(QString, term);
    QFETCH(bool, found);
    TaskResult t;
    t.taskId = QStringLiteral("abc");
    t.status = QStringLiteral("SUCCESS");
    t.taskName = QStringLiteral("proj.add");
    t.args = args;
    t.kwargs = kwargs;
    CouchIndex index;
    index.upsert(QStringLiteral("celery-task-meta-abc"), QStringLiteral("1-a"), t);
    TaskQuery q;
    q.search = term;
    QCOMPARE(index.count(q), found ? 1 : 0);
}

// Python's json writes NaN, Infinity and -Infinity, and integers and exponents of any size;
// Qt's parser refuses the first ones and rounds integers beyond 64 bits. The documents are
// read all the same, every number exactly as stored.
void TestCouchDocument::shouldKeepNumbersQtCannotHoldAsStored_data()
{
    QTest::addColumn<QByteArray>("number");
    const QByteArray big400 = '1' + QByteArray(399, '7');
    QTest::newRow("NaN") << QByteArray("NaN");
    QTest::newRow("Infinity") << QByteArray("Infinity");
    QTest::newRow("-Infinity") << QByteArray("-Infinity");
    QTest::newRow("1e400") << QByteArray("1e400");
    QTest::newRow("-1E+400") << QByteArray("-1E+400");
    QTest::newRow("1e-400") << QByteArray("1e-400");
    QTest::newRow("21 digits") << QByteArray("123456789012345678901");
    QTest::newRow("10**30") << QByteArray("1000000000000000000000000000000");
    QTest::newRow("2**63") << QByteArray("9223372036854775808");
    QTest::newRow("-2**63-1") << QByteArray("-9223372036854775809");
    QTest::newRow("400 digits") << big400;
}

void TestCouchDocument::shouldKeepNumbersQtCannotHoldAsStored()
{
    QFETCH(QByteArray, number);
    const QString n = QString::fromLatin1(number);
    const QString id = QStringLiteral("5ea7ed00-0000-4000-8000-00000000f10a");
    const QByteArray meta = R"({"status": "SUCCESS", "result": )" + number + R"(, "traceback": null, "children": [)" + number
        + R"(], "date_done": "2025-01-04T10:07:00.250000", "name": "t.add", "args": [)" + number + R"(, "NaN"], "kwargs": {"x": [)"
        + number + R"(]}, "worker": "w1", "retries": 0, "task_id": ")" + id.toLatin1() + R"("})";
    const QString key = QStringLiteral("celery-task-meta-") + id;
    const Parsed p = CouchDocument::parse(celeryDoc(key, meta));
    QCOMPARE(p.kind, Parsed::Kind::Task);
    QVERIFY(p.reason.isEmpty());
    const TaskResult &t = p.task;
    QCOMPARE(t.taskId, id);
    QCOMPARE(t.status, QStringLiteral("SUCCESS"));
    QCOMPARE(t.result, n);
    QCOMPARE(t.args, QStringLiteral("[%1,\"NaN\"]").arg(n));
    QCOMPARE(t.kwargs, QStringLiteral("{\"x\":[%1]}").arg(n));
    QCOMPARE(t.meta, QStringLiteral("{\"children\":[%1]}").arg(n));
    QCOMPARE(t.taskName, QStringLiteral("t.add"));
    QCOMPARE(t.retries, 0);
    QVERIFY2(t.problems.isEmpty(), qPrintable(t.problems.join(u';')));
    // The expiry rule sees its date.
    QCOMPARE(t.dateDone, QDateTime(QDate(2025, 1, 4), QTime(10, 7, 0, 250), Qt::UTC));
    PurgeCriteria expired;
    expired.cutoff = QDateTime(QDate(2025, 2, 1), QTime(0, 0), Qt::UTC);
    QVERIFY(expired.matches(t));

    // The index loader reads the same row (its result a preview's prefix).
    const Parsed index = CouchDocument::parseParts(key, QStringLiteral("1-abc"), CouchDocument::ValueKind::String, meta,
                                                   QString(), CouchDocument::Detail::Index);
    QCOMPARE(index.kind, Parsed::Kind::Task);
    QCOMPARE(index.task.dateDone, t.dateDone);
    QCOMPARE(index.task.args, t.args);
    QVERIFY(t.result.startsWith(index.task.result));
    QVERIFY(index.task.result.size() >= qMin<qsizetype>(t.result.size(), ResultStore::previewChars + 1));

    // The same tokens in a list result, and as the date: a problem, not a lost row.
    const Parsed list = CouchDocument::parse(celeryDoc(key, R"({"status": "FAILURE", "result": [1, )" + number
                                                                 + R"(, {"k": )" + number + R"(}], "date_done": )" + number + "}"));
    QCOMPARE(list.kind, Parsed::Kind::Task);
    QCOMPARE(list.task.result, QStringLiteral("[1,%1,{\"k\":%1}]").arg(n));
    QVERIFY(!list.task.dateDone.isValid());
    QCOMPARE(list.task.problems, QStringList{QStringLiteral("date_done: %1 is not a date").arg(n)});
}

void TestCouchDocument::shouldNotMistakeTextForAKeptNumber_data()
{
    QTest::addColumn<QByteArray>("meta");
    QTest::addColumn<Parsed::Kind>("kind");
    QTest::addColumn<QString>("result"); // Task: t.result; Foreign: the reason
    QTest::newRow("strings holding the tokens stay strings")
        << QByteArray(R"({"status": "SUCCESS", "result": ["NaN", "1e400", "Infinity", NaN]})") << Parsed::Kind::Task
        << R"(["NaN","1e400","Infinity",NaN])";
    QTest::newRow("escaped quotes before a token")
        << QByteArray(R"({"status": "SUCCESS", "result": ["a\"", NaN, "\\", Infinity]})") << Parsed::Kind::Task
        << R"(["a\"",NaN,"\\",Infinity])";
    QTest::newRow("noncharacters in the text")
        << QByteArray("{\"status\": \"SUCCESS\", \"result\": [\"\xef\xb7\x90NaN\xef\xb7\x90\", \"\\ufdd1x\\uFDD2\", NaN]}")
        << Parsed::Kind::Task << QString::fromUtf8("[\"\xef\xb7\x90NaN\xef\xb7\x90\",\"\xef\xb7\x91x\xef\xb7\x92\",NaN]");
    QTest::newRow("a status that is NaN") << QByteArray(R"({"status": NaN, "result": 1})") << Parsed::Kind::Foreign
                                          << "'status' that is not a state name";
    QTest::newRow("not a token: NaNa") << QByteArray(R"({"status": "SUCCESS", "result": NaNa})") << Parsed::Kind::Foreign
                                       << "'value' is not JSON";
    QTest::newRow("not a token: nan") << QByteArray(R"({"status": "SUCCESS", "result": nan})") << Parsed::Kind::Foreign
                                      << "'value' is not JSON";
    QTest::newRow("not a number: 01") << QByteArray(R"({"status": "SUCCESS", "result": 0123456789012345678901})")
                                      << Parsed::Kind::Foreign << "'value' is not JSON";
    QTest::newRow("a token in a key's place") << QByteArray(R"({"status": "SUCCESS", NaN: 1})") << Parsed::Kind::Foreign
                                              << "'value' is not JSON";
}

void TestCouchDocument::shouldNotMistakeTextForAKeptNumber()
{
    QFETCH(QByteArray, meta);
    QFETCH(Parsed::Kind, kind);
    QFETCH(QString, result);
    const QString key = QStringLiteral("celery-task-meta-t1");
    const Parsed p = CouchDocument::parse(celeryDoc(key, meta));
    QCOMPARE(p.kind, kind);
    if (kind == Parsed::Kind::Task) {
        QCOMPARE(p.task.result, result);
        const Parsed index = CouchDocument::parseParts(key, QStringLiteral("1-abc"), CouchDocument::ValueKind::String, meta,
                                                       QString(), CouchDocument::Detail::Index);
        QCOMPARE(index.task.result, result);
    } else {
        QVERIFY2(p.reason.contains(result), qPrintable(p.reason));
    }
}

void TestCouchDocument::shouldPreviewAnObjectResultAsTheFullReadWritesIt_data()
{
    // The index reads an object result member by member as it validates the meta, and
    // writes its preview from those members (Qt's key order) without walking it again.
    QTest::addColumn<QByteArray>("meta");
    QByteArray items;
    for (int i = 0; i < 60; ++i)
        items += (i ? "," : "") + QByteArray(R"({"tag": "alpha", "id": )") + QByteArray::number(i * 7919) + "}";
    QTest::newRow("keys in order") << QByteArray(R"({"status": "SUCCESS", "result": {"a": 1, "b": [2, 3], "c": "x"}})");
    QTest::newRow("keys out of order, nested too")
        << QByteArray(R"({"status": "SUCCESS", "result": {"z": {"y": 1, "b": 2}, "a": [{"k": 1, "c": 2}], "m": null}})");
    QTest::newRow("a long result cut at a member boundary")
        << QByteArray(R"({"status": "SUCCESS", "result": {"ok": true, "items": [)" + items + "]}}");
    QTest::newRow("a long first member")
        << QByteArray(R"({"status": "SUCCESS", "result": {"text": ")" + QByteArray(600, 'q') + R"(", "a": 1}})");
    QTest::newRow("duplicate keys: Qt keeps the last")
        << QByteArray(R"({"status": "SUCCESS", "result": {"b": 1, "a": 2, "b": 3}})");
    QTest::newRow("escaped and non-ASCII keys")
        << QByteArray(R"({"status": "SUCCESS", "result": {"\u00e9t\u00e9": 1, "a\"b": 2, "Zo\u00eb": 3, "a": 4, "\u0041": 5}})");
    QTest::newRow("empty object") << QByteArray(R"({"status": "SUCCESS", "result": {}})");
    QTest::newRow("an object result, then a later scalar one")
        << QByteArray(R"({"status": "SUCCESS", "result": {"b": 1, "a": 2}, "result": 7})");
    QTest::newRow("a scalar result, then a later object one")
        << QByteArray(R"({"status": "SUCCESS", "result": 7, "result": {"b": 1, "a": 2}})");
    QTest::newRow("two object results: the last counts")
        << QByteArray(R"({"status": "SUCCESS", "result": {"b": 1, "a": 2}, "result": {"d": 3, "c": 4}})");
    QTest::newRow("an exception")
        << QByteArray(R"({"status": "FAILURE", "result": {"exc_type": "ValueError", "exc_message": ["bad"], "exc_module": "builtins"}})");
}

void TestCouchDocument::shouldPreviewAnObjectResultAsTheFullReadWritesIt()
{
    QFETCH(QByteArray, meta);
    const QString key = QStringLiteral("celery-task-meta-t1");
    const Parsed full = CouchDocument::parseParts(key, QStringLiteral("1-abc"), CouchDocument::ValueKind::String, meta);
    const Parsed index = CouchDocument::parseParts(key, QStringLiteral("1-abc"), CouchDocument::ValueKind::String, meta,
                                                   QString(), CouchDocument::Detail::Index);
    QVERIFY2(full.kind == Parsed::Kind::Task, qPrintable(full.reason));
    QCOMPARE(index.kind, Parsed::Kind::Task);
    const QString &whole = full.task.result;
    const QString &preview = index.task.result;
    QVERIFY2(whole.startsWith(preview), qPrintable(preview + QStringLiteral(" is no prefix of ") + whole));
    QVERIFY(preview.size() >= qMin<qsizetype>(whole.size(), ResultStore::previewChars + 1));
}

void TestCouchDocument::shouldCutAPreviewAtTheFirstMemberPastItsLength_data()
{
    // A list of one-character strings: each member is `"c"` and a comma, 3 + the character's
    // UTF-16 code units, so the first k members reach previewChars + 1 code units when
    // k (3 + units) does. The index counts code units from UTF-8 bytes of every length.
    QTest::addColumn<QString>("character");
    QTest::newRow("ASCII, 1 byte") << QStringLiteral("a");
    QTest::newRow("2 bytes") << QStringLiteral("é");
    QTest::newRow("3 bytes") << QStringLiteral("€");
    QTest::newRow("4 bytes, a surrogate pair") << QStringLiteral("😀");
}

void TestCouchDocument::shouldCutAPreviewAtTheFirstMemberPastItsLength()
{
    QFETCH(QString, character);
    QByteArray list;
    for (int i = 0; i < 300; ++i)
        list += (i ? ", \"" : "\"") + character.toUtf8() + '"';
    const QByteArray meta = R"({"status": "SUCCESS", "result": [)" + list + "]}";
    const QString key = QStringLiteral("celery-task-meta-t1");
    const Parsed full = CouchDocument::parseParts(key, QString(), CouchDocument::ValueKind::String, meta);
    const Parsed index = CouchDocument::parseParts(key, QString(), CouchDocument::ValueKind::String, meta, QString(),
                                                   CouchDocument::Detail::Index);
    QCOMPARE(index.kind, Parsed::Kind::Task);
    const qsizetype member = 3 + character.size();
    const qsizetype members = (ResultStore::previewChars + 1 + member - 1) / member;
    QCOMPARE(index.task.result, full.task.result.left(members * member));
}

void TestCouchDocument::shouldReadRepeatedTextsOfManyDocumentsApart()
{
    // Status, task name, worker and queue are shared between documents holding the same text
    // (a small cache per thread, by hash): 500 texts in turn, more than it keeps, and again
    // in another order, each document must read its own.
    for (int round = 0; round < 2; ++round) {
        for (int i = 0; i < 1000; ++i) {
            const int n = round == 0 ? i % 500 : (i * 7) % 500;
            const QByteArray meta = QStringLiteral(R"({"status": "S%1", "result": null, "name": "tasks.t%1",)"
                                                   R"( "worker": "w%1@host", "queue": "q%1"})").arg(n).toUtf8();
            const Parsed p = CouchDocument::parseParts(QStringLiteral("celery-task-meta-%1").arg(i), QString(),
                                                       CouchDocument::ValueKind::String, meta, QString(),
                                                       CouchDocument::Detail::Index);
            QCOMPARE(p.kind, Parsed::Kind::Task);
            QCOMPARE(p.task.status, QStringLiteral("S%1").arg(n));
            QCOMPARE(p.task.taskName, QStringLiteral("tasks.t%1").arg(n));
            QCOMPARE(p.task.worker, QStringLiteral("w%1@host").arg(n));
            QCOMPARE(p.task.queue, QStringLiteral("q%1").arg(n));
        }
    }
}

void TestCouchDocument::shouldReadAMillionKeptNumbersInLinearTime()
{
    // A hostile meta: every value a token Qt cannot hold. Writing them back must not be
    // quadratic (the store's decoding thread would be stuck for hours).
    QByteArray list = "[";
    QString expected = QStringLiteral("[");
    for (int i = 0; i < 1'000'000; ++i) {
        list += i ? ", NaN" : "NaN";
        expected += i ? QStringLiteral(",NaN") : QStringLiteral("NaN");
    }
    list += ']';
    expected += QLatin1Char(']');
    QElapsedTimer clock;
    clock.start();
    const Parsed p = CouchDocument::parse(celeryDoc(QStringLiteral("celery-task-meta-t1"),
                                                    R"({"status": "SUCCESS", "result": )" + list + "}"));
    qInfo("a meta of a million NaN read in %lld ms", clock.elapsed());
    QCOMPARE(p.kind, Parsed::Kind::Task);
    QCOMPARE(p.task.result, expected);
}

QTEST_APPLESS_MAIN(TestCouchDocument)
#include "tst_couchdocument.moc"
