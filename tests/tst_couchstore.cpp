// CouchStore against a real CouchDB-compatible server (pouchdb-server 4.2.0 on loopback,
// started by tools/couchdb/with_couchdb.sh) holding documents written by a real Celery
// 5.2.6 worker through Celery's own CouchBackend, plus hand-made foreign documents.
// The expectations were computed in Python by the fixture writer, independently of Stalk.
//
// Environment: STALK_COUCH_URL (http://admin:secret@127.0.0.1:PORT), STALK_COUCH_DB
// (default "stalk"), STALK_COUCH_EXPECTATIONS. Tests that delete work on copies.
#include <QDateTime>
#include <QFile>
#include <QFileInfo>
#include <QHostAddress>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QJsonValue>
#include <QMap>
#include <QProcess>
#include <QProcessEnvironment>
#include <QSignalSpy>
#include <QStringList>
#include <QTcpServer>
#include <QTest>
#include <QVariant>
#include <QVector>

#include "couchclient.h"
#include "couchhttp.h"
#include "couchindex.h"
#include "couchstore.h"
#include "purger.h"
#include "storechecks.h"
#include "taskresultmodel.h"
#include "storeurl.h"
#include "testsupport.h"

namespace {

using TestSupport::sorted;
using TestSupport::taskIdsOf;

QStringList toStrings(const QJsonArray &a)
{
    QStringList out;
    for (const QJsonValue &v : a)
        out.append(v.toString());
    return out;
}

} // namespace

class TestCouchStore : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void initTestCase();
    void shouldOpenAndDescribeTheDatabase();
    void shouldOpenThroughTheStoreFactory();
    void shouldListForeignDocumentsWithReasons();
    void shouldListSavedGroupsAsUpstreamReadsThem();
    void shouldCountAndFacetLikeThePythonReader();
    void shouldCountFacetsWithoutTheirOwnFilter();
    void shouldSearchWithDjangoSemantics_data();
    void shouldSearchWithDjangoSemantics();
    void shouldFilterByFacetsAndDates();
    void shouldFilterBySetsAndDates();
    void shouldOrderByDateDoneNewestFirst();
    void shouldSortEveryColumnWithStableTies_data();
    void shouldSortEveryColumnWithStableTies();
    void shouldPageWithoutGapsOrRepeats();
    void shouldFetchCompleteRowsOnlyOnDemand();
    void shouldReturnSummaryAndFullRows();
    void shouldGiveTheSameRowIdsInEveryStore();
    void shouldReportAMissingDatabase();
    void shouldReportRejectedCredentials();
    void shouldReportARefusedConnection();
    void shouldLogInWithASessionCookie();
    void shouldPreviewAndPurgeExactlyTheExpired_data();
    void shouldPreviewAndPurgeExactlyTheExpired();
    void shouldSeeNewChangedAndDeletedResultsLive();
    void shouldRecheckAConflictBeforeDeleting();
    void shouldNotDeleteARowThatStoppedBeingACeleryResult();
    void shouldRefuseDeletesWhenReadOnly();
    void shouldPurgeBySearchAndExceptionWhatTheQueryMatches();
    void shouldDeleteSelectedRowsThroughAPurgeJob();
    void shouldReadAndPurgeResultsWithNumbersQtCannotHold();

private:
    CouchConfig config(const QString &database) const;
    CouchReply http(const QByteArray &verb, const QString &path, const QByteArray &body = QByteArray(),
                    const CouchClient::Query &query = {});
    QString copyDatabase();
    QJsonObject getDoc(const QString &db, const QString &docId);
    std::unique_ptr<CouchStore> openStore(const QString &db, StoreOptions options = {});
    TestSupport::FixtureSample sample() const;
    QJsonObject celeryDocument(int index) const;

    CouchConfig m_base;
    QJsonObject m_expect;
    QString m_db;
    int m_copies = 0;
};

CouchConfig TestCouchStore::config(const QString &database) const
{
    CouchConfig c = m_base;
    c.database = database;
    c.timeoutMs = 10000;
    c.pageSize = 7; // small pages: paging is exercised on the small fixture
    return c;
}

CouchReply TestCouchStore::http(const QByteArray &verb, const QString &path, const QByteArray &body,
                                const CouchClient::Query &query)
{
    return couchRequest(m_base, verb, path, body, query);
}

QString TestCouchStore::copyDatabase()
{
    // A copy with the same revisions (new_edits: false), so deleting tests stay independent.
    const QString name = QStringLiteral("stalk_copy_%1").arg(++m_copies);
    http("DELETE", QLatin1Char('/') + name);
    const CouchReply created = http("PUT", QLatin1Char('/') + name);
    if (!created.ok())
        qFatal("cannot create %s: %s", qPrintable(name), qPrintable(created.error.message));
    const CouchReply all = http("GET", QLatin1Char('/') + m_db + QStringLiteral("/_all_docs"), QByteArray(),
                                {{QStringLiteral("include_docs"), QStringLiteral("true")}});
    QJsonArray docs;
    for (const QJsonValue &row : all.json.object().value(QLatin1String("rows")).toArray())
        docs.append(row.toObject().value(QLatin1String("doc")));
    const QJsonObject body{{QStringLiteral("docs"), docs}, {QStringLiteral("new_edits"), false}};
    const CouchReply copied = http("POST", QLatin1Char('/') + name + QStringLiteral("/_bulk_docs"),
                                   QJsonDocument(body).toJson(QJsonDocument::Compact));
    if (!copied.ok())
        qFatal("cannot copy into %s: %s", qPrintable(name), qPrintable(copied.error.message));
    return name;
}

QJsonObject TestCouchStore::getDoc(const QString &db, const QString &docId)
{
    const CouchReply r = http("GET", QLatin1Char('/') + db + QLatin1Char('/') + CouchClient::encodeSegment(docId));
    return r.ok() ? r.json.object() : QJsonObject();
}

std::unique_ptr<CouchStore> TestCouchStore::openStore(const QString &db, StoreOptions options)
{
    auto store = std::make_unique<CouchStore>(config(db), options);
    const StoreError e = store->open();
    if (e.isError())
        qWarning("open failed: %s", qPrintable(e.message));
    return e.isError() ? nullptr : std::move(store);
}

/// What the shared store checks (tests/support/storechecks) filter by in this fixture.
TestSupport::FixtureSample TestCouchStore::sample() const
{
    TestSupport::FixtureSample s;
    s.status = QStringLiteral("SUCCESS"); // on both workers (every FAILURE is alpha's)
    s.worker = QStringLiteral("alpha@stalk");
    s.taskNames = {QStringLiteral("stalk_couch_tasks.add"), QStringLiteral("stalk_couch_tasks.echo")};
    // The fixture writer deals out the dates: bound the range by two of those rows' own dates,
    // so one row sits exactly on each bound (the first is in, the second out).
    QVector<QDateTime> dates;
    for (const QJsonValue &v : m_expect.value(QLatin1String("celery")).toArray()) {
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
    s.hasPeriodicTasks = false; // CouchDB documents have no periodic_task_name
    return s;
}

/// The index-th Celery document of the fixture (the expectations' order: by task id).
QJsonObject TestCouchStore::celeryDocument(int index) const
{
    return m_expect.value(QLatin1String("celery")).toArray().at(index).toObject();
}

void TestCouchStore::initTestCase()
{
    STALK_SERVER_URL(url, "STALK_COUCH_URL", "tools/couchdb/with_couchdb.sh");
    const Outcome<CouchConfig> c = CouchConfig::fromUrl(StoreUrl::parse(url).value());
    QVERIFY2(c.ok(), qPrintable(c.error().message));
    m_base = *c;
    m_db = qEnvironmentVariable("STALK_COUCH_DB", QStringLiteral("stalk"));
    QFile f(qEnvironmentVariable("STALK_COUCH_EXPECTATIONS"));
    QVERIFY2(f.open(QIODevice::ReadOnly), "STALK_COUCH_EXPECTATIONS must name the fixture writer's JSON");
    m_expect = QJsonDocument::fromJson(f.readAll()).object();
    QVERIFY(m_expect.value(QLatin1String("counts")).toObject().value(QLatin1String("total")).toInt() > 10);
}

void TestCouchStore::shouldListSavedGroupsAsUpstreamReadsThem()
{
    // The workers' group saved with GroupResult.save() through Celery's CouchBackend.
    auto store = openStore(m_db);
    QVERIFY(store);
    TestSupport::verifyGroupsAsUpstreamReadThem(*store, m_expect.value(QLatin1String("saved_groups")).toArray());
}

void TestCouchStore::shouldOpenAndDescribeTheDatabase()
{
    auto store = openStore(m_db);
    QVERIFY(store);
    const StoreInfo info = store->info();
    QCOMPARE(info.layout, StoreInfo::Layout::CouchDb);
    QCOMPARE(info.engine, QStringLiteral("CouchDB"));
    QCOMPARE(info.tableName, m_db);
    QVERIFY2(!info.location.contains(QLatin1String("secret")), qPrintable(info.location));
    QVERIFY2(info.location.contains(m_base.hostPort()), qPrintable(info.location));
    QVERIFY(info.schema.contains(QLatin1String("pouchdb-server")));
    for (Field f : {Field::TaskId, Field::Status, Field::Result, Field::Traceback, Field::DateDone, Field::TaskName,
                    Field::Args, Field::Kwargs, Field::Worker, Field::Retries, Field::Queue, Field::GroupId,
                    Field::ParentId})
        QVERIFY2(info.fields.contains(f), qPrintable(fieldName(f)));
    QVERIFY(!info.fields.contains(Field::PeriodicTaskName));
    QVERIFY(!info.fields.contains(Field::DateCreated));
    QVERIFY(info.hasGroups);
    QVERIFY(!info.readOnly);
    // The fixture's foreign documents, its design document apart: that one is named on its own.
    int foreign = 0;
    QStringList designs;
    for (const QJsonValue &f : m_expect.value(QLatin1String("foreign")).toArray()) {
        const QString id = f.toObject().value(QLatin1String("id")).toString();
        if (id.startsWith(QLatin1String("_design/")))
            designs.append(id);
        else
            ++foreign;
    }
    QCOMPARE(designs, QStringList{QStringLiteral("_design/stalk")});
    QVERIFY2(info.note.startsWith(QStringLiteral("%1 documents are not Celery results: ").arg(foreign)),
             qPrintable(info.note));
    QVERIFY2(!info.note.contains(QLatin1String("_design/stalk (")), qPrintable(info.note));
    QVERIFY2(info.note.contains(QLatin1String("Design documents, never deleted: _design/stalk.")), qPrintable(info.note));
    // No cache expiry here (Celery never expires CouchDB documents): a purge asking for it is refused.
    QVERIFY(!info.hasCacheExpiry);
    PurgeCriteria cacheExpired;
    cacheExpired.cacheExpired = true;
    cacheExpired.cacheNow = QDateTime::currentDateTimeUtc();
    const Outcome<PurgePreview> refused = store->previewPurge(cacheExpired);
    QCOMPARE(refused.error().code, StoreError::Code::Unsupported);
    QVERIFY2(refused.error().message.startsWith(QLatin1String("CouchDB documents keep no cache expiry")),
             qPrintable(refused.error().message));
    QCOMPARE(store->purgeBatch(cacheExpired, 10).error().code, StoreError::Code::Unsupported);
}

void TestCouchStore::shouldOpenThroughTheStoreFactory()
{
    // Celery's own URL form, as an operator copies it from the app's configuration.
    const QString url = QStringLiteral("couchdb://%1:%2@%3/%4")
                            .arg(m_base.user, m_base.password, m_base.hostPort(), m_db);
    const Outcome<StoreFactory> factory = makeStoreFactory(url);
    QVERIFY2(factory.ok(), qPrintable(factory.error().message));
    std::unique_ptr<ResultStore> store = (*factory)();
    QVERIFY(store);
    const StoreError e = store->open();
    QVERIFY2(!e.isError(), qPrintable(e.message));
    QCOMPARE(store->info().layout, StoreInfo::Layout::CouchDb);
    const Outcome<qint64> n = store->count(TaskQuery());
    QVERIFY(n.ok());
    QCOMPARE(*n, qint64(m_expect.value(QLatin1String("counts")).toObject().value(QLatin1String("total")).toInt()));
}

void TestCouchStore::shouldListForeignDocumentsWithReasons()
{
    auto store = openStore(m_db);
    QVERIFY(store);
    const QMap<QString, QString> foreign = store->foreignDocuments();
    const QJsonArray expected = m_expect.value(QLatin1String("foreign")).toArray();
    QCOMPARE(foreign.size(), expected.size());
    for (const QJsonValue &v : expected) {
        const QString id = v.toObject().value(QLatin1String("id")).toString();
        const QString reason = v.toObject().value(QLatin1String("reason")).toString();
        QVERIFY2(foreign.contains(id), qPrintable(id));
        QVERIFY2(foreign.value(id).contains(reason), qPrintable(id + QStringLiteral(": ") + foreign.value(id)));
    }
}

void TestCouchStore::shouldCountAndFacetLikeThePythonReader()
{
    auto store = openStore(m_db);
    QVERIFY(store);
    const Outcome<Facets> facets = store->facets(TaskQuery());
    QVERIFY(facets.ok());
    QCOMPARE(facets->statuses.first().value, QStringLiteral("SUCCESS"));
    // The Python side writes NULL as "", which compares equal to a null QString.
    QJsonObject counts = m_expect.value(QLatin1String("counts")).toObject();
    counts.insert(QStringLiteral("groups"), 0); // Celery 5.2 saves groups without date_done: they never expire
    TestSupport::verifyCountsAndFacets(*store, counts, sample());
}

void TestCouchStore::shouldCountFacetsWithoutTheirOwnFilter()
{
    auto store = openStore(m_db);
    QVERIFY(store);
    TestSupport::verifyFacetsIgnoreTheirOwnFilter(*store, sample());
}

void TestCouchStore::shouldSearchWithDjangoSemantics_data()
{
    QTest::addColumn<QString>("term");
    QTest::addColumn<QStringList>("ids");
    for (const QJsonValue &v : m_expect.value(QLatin1String("search")).toArray()) {
        const QJsonObject o = v.toObject();
        const QString term = o.value(QLatin1String("term")).toString();
        QTest::newRow(qPrintable(term)) << term << toStrings(o.value(QLatin1String("task_ids")).toArray());
    }
}

void TestCouchStore::shouldSearchWithDjangoSemantics()
{
    QFETCH(QString, term);
    QFETCH(QStringList, ids);
    auto store = openStore(m_db);
    QVERIFY(store);
    // The Python reader searches as the Django admin does: what it finds is what Stalk finds.
    TestSupport::verifySearch(*store, term, ids, ids);
}

void TestCouchStore::shouldFilterByFacetsAndDates()
{
    auto store = openStore(m_db);
    QVERIFY(store);
    TaskQuery q;
    q.statuses = {QStringLiteral("FAILURE"), QStringLiteral("REVOKED")};
    const QJsonObject statusCounts = m_expect.value(QLatin1String("counts")).toObject().value(QLatin1String("status")).toObject();
    QCOMPARE(*store->count(q), qint64(statusCounts.value(QLatin1String("FAILURE")).toInt()
                                      + statusCounts.value(QLatin1String("REVOKED")).toInt()));
    // Facets: a facet ignores its own filter, the others apply.
    const Outcome<Facets> f = store->facets(q);
    QVERIFY(f.ok());
    QCOMPARE(f->statuses.size(), statusCounts.size());
    qint64 named = 0;
    for (const FacetValue &v : f->taskNames)
        named += v.count;
    QCOMPARE(named, *store->count(q));

    // NULL task names (the STARTED document written without a request).
    TaskQuery nullName;
    nullName.taskNames = {QString()};
    QCOMPARE(*store->count(nullName),
             qint64(m_expect.value(QLatin1String("counts")).toObject().value(QLatin1String("task_name")).toObject()
                        .value(QLatin1String("")).toInt()));

    // date_done range [after, before): the expectations list what is before each cutoff.
    const QJsonArray expired = m_expect.value(QLatin1String("expired")).toArray();
    const QDateTime jan15(QDate(2025, 1, 15), QTime(0, 0), Qt::UTC);
    const QDateTime feb1(QDate(2025, 2, 1), QTime(0, 0), Qt::UTC);
    TaskQuery range;
    range.doneAfter = jan15;
    range.doneBefore = feb1;
    const qint64 before15 = expired.at(0).toObject().value(QLatin1String("task_ids")).toArray().size();
    const qint64 before1 = expired.at(1).toObject().value(QLatin1String("task_ids")).toArray().size();
    QCOMPARE(*store->count(range), before1 - before15);
}

void TestCouchStore::shouldFilterBySetsAndDates()
{
    auto store = openStore(m_db);
    QVERIFY(store);
    const TestSupport::FixtureSample s = sample();
    QVERIFY2(s.doneAfter.isValid(), "the fixture needs 4 dated add/echo rows on alpha@stalk");
    const qint64 nullOrNightly = TestSupport::verifySetAndDateFilters(*store, s);
    if (QTest::currentTestFailed())
        return;
    // No periodic task anywhere: {NULL, "nightly-cleanup"} matches every row.
    QCOMPARE(nullOrNightly, *store->count(TaskQuery()));
}

void TestCouchStore::shouldOrderByDateDoneNewestFirst()
{
    // The admin's order, date_done descending, with what differs on CouchDB: NULL sorts last
    // (as SQLite sorts it) and ties go by row id, the hash of the document id, descending.
    struct Row
    {
        QDateTime done;
        qint64 rowId;
        QString taskId;
    };
    QVector<Row> rows;
    for (const QJsonValue &v : m_expect.value(QLatin1String("celery")).toArray()) {
        const QJsonObject e = v.toObject();
        const QString done = e.value(QLatin1String("date_done")).toString();
        rows.append({done.isEmpty() ? QDateTime() : QDateTime::fromString(done, Qt::ISODateWithMs),
                     CouchIndex::rowIdFor(e.value(QLatin1String("id")).toString()),
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
    QVERIFY(expected.size() > 7); // more than one page
    auto store = openStore(m_db);
    QVERIFY(store);
    TestSupport::verifyDefaultOrder(*store, expected);
}

void TestCouchStore::shouldSortEveryColumnWithStableTies_data()
{
    QTest::addColumn<Field>("field");
    QTest::addColumn<Qt::SortOrder>("order");
    for (Field f : {Field::DateDone, Field::TaskId, Field::TaskName, Field::Status, Field::Worker, Field::RowId}) {
        QTest::addRow("%s asc", qPrintable(fieldName(f))) << f << Qt::AscendingOrder;
        QTest::addRow("%s desc", qPrintable(fieldName(f))) << f << Qt::DescendingOrder;
    }
}

void TestCouchStore::shouldSortEveryColumnWithStableTies()
{
    QFETCH(Field, field);
    QFETCH(Qt::SortOrder, order);
    auto store = openStore(m_db);
    QVERIFY(store);
    TaskQuery q;
    q.sortField = field;
    q.sortOrder = order;
    const auto rows = store->fetchPage(q, 0, 1000);
    QVERIFY(rows.ok());
    QCOMPARE(qint64(rows->size()), *store->count(q));
    auto key = [field](const TaskResult &t) -> QVariant {
        switch (field) {
        case Field::DateDone: return t.dateDone.isValid() ? QVariant(t.dateDone.toMSecsSinceEpoch()) : QVariant();
        case Field::TaskId: return t.taskId;
        case Field::TaskName: return t.taskName.isNull() ? QVariant() : QVariant(t.taskName);
        case Field::Status: return t.status;
        case Field::Worker: return t.worker.isNull() ? QVariant() : QVariant(t.worker);
        default: return QVariant();
        }
    };
    // NULL sorts first ascending (as SQLite does); ties by row id in the same direction.
    auto less = [&](const TaskResult &a, const TaskResult &b) {
        const QVariant x = key(a), y = key(b);
        if (x.isNull() != y.isNull())
            return x.isNull();
        if (!x.isNull()) {
            const auto c = QVariant::compare(x, y);
            if (c != QPartialOrdering::Equivalent)
                return c == QPartialOrdering::Less;
        }
        return a.rowId < b.rowId;
    };
    for (qsizetype i = 1; i < rows->size(); ++i) {
        const TaskResult &prev = rows->at(i - 1), &cur = rows->at(i);
        const bool ok = order == Qt::AscendingOrder ? less(prev, cur) : less(cur, prev);
        QVERIFY2(ok, qPrintable(QStringLiteral("rows %1/%2 out of order: %3 / %4").arg(i - 1).arg(i).arg(prev.taskId, cur.taskId)));
    }
}

void TestCouchStore::shouldPageWithoutGapsOrRepeats()
{
    auto store = openStore(m_db);
    QVERIFY(store);
    const TaskQuery q;
    const qint64 total = *store->count(q);
    QStringList paged;
    for (qint64 offset = 0; offset < total + 3; offset += 3) {
        const auto page = store->fetchPage(q, offset, 3);
        QVERIFY(page.ok());
        paged += taskIdsOf(*page);
    }
    QCOMPARE(qint64(paged.size()), total);
    QCOMPARE(sorted(paged), sorted(taskIdsOf(*store->fetchPage(q, 0, 1000))));
    QStringList all;
    for (const QJsonValue &v : m_expect.value(QLatin1String("celery")).toArray())
        all.append(v.toObject().value(QLatin1String("task_id")).toString());
    QCOMPARE(sorted(paged), sorted(all));
}

void TestCouchStore::shouldFetchCompleteRowsOnlyOnDemand()
{
    auto store = openStore(m_db);
    QVERIFY(store);
    TaskQuery q;
    q.statuses = {QStringLiteral("FAILURE")};
    const auto summary = store->fetchPage(q, 0, 100, RowDetail::Summary);
    QVERIFY(summary.ok());
    QVERIFY(!summary->isEmpty());
    const TaskResult &s = summary->first();
    QVERIFY(!s.complete);
    QVERIFY(s.traceback.isNull());
    QVERIFY(s.args.size() <= ResultStore::previewChars);

    const Outcome<TaskResult> one = store->fetchOne(s.rowId);
    QVERIFY2(one.ok(), qPrintable(one.error().message));
    QVERIFY(one->complete);
    QCOMPARE(one->rowId, s.rowId);
    QCOMPARE(one->taskId, s.taskId);
    QVERIFY2(one->traceback.contains(QLatin1String("ValueError")), qPrintable(one->traceback));
    QVERIFY(one->result.contains(QLatin1String("\"exc_type\":\"ValueError\"")));

    const Outcome<TaskResult> byId = store->fetchByTaskId(s.taskId);
    QVERIFY(byId.ok());
    QCOMPARE(*byId, *one);

    const auto full = store->fetchPage(q, 0, 100, RowDetail::Full);
    QVERIFY(full.ok());
    QCOMPARE(full->size(), summary->size());
    QVERIFY(full->first().complete);
    QCOMPARE(full->first(), *one);

    // Everything the Python reader saw, field by field.
    for (const QJsonValue &v : m_expect.value(QLatin1String("celery")).toArray()) {
        const QJsonObject e = v.toObject();
        const Outcome<TaskResult> t = store->fetchByTaskId(e.value(QLatin1String("task_id")).toString());
        QVERIFY(t.ok());
        QCOMPARE(t->status, e.value(QLatin1String("status")).toString());
        QCOMPARE(t->taskName, e.value(QLatin1String("task_name")).toString());
        QCOMPARE(t->worker, e.value(QLatin1String("worker")).toString());
        QCOMPARE(t->groupId, e.value(QLatin1String("group_id")).toString());
        QCOMPARE(t->parentId, e.value(QLatin1String("parent_id")).toString());
        QCOMPARE(t->traceback.isEmpty(), !e.value(QLatin1String("has_traceback")).toBool());
        const QString done = e.value(QLatin1String("date_done")).toString();
        QCOMPARE(t->dateDone.isValid(), !done.isEmpty());
        if (!done.isEmpty())
            QCOMPARE(t->dateDone, QDateTime::fromString(done, Qt::ISODateWithMs));
        if (!e.value(QLatin1String("args")).isNull())
            QCOMPARE(QJsonDocument::fromJson(t->args.toUtf8()).array(), e.value(QLatin1String("args")).toArray());
    }

    const Outcome<TaskResult> missing = store->fetchByTaskId(QStringLiteral("no-such-task"));
    QVERIFY(!missing.ok());
    QCOMPARE(missing.error().code, StoreError::Code::NotFound);
    const Outcome<TaskResult> foreign = store->fetchByTaskId(QStringLiteral("not-json"));
    QVERIFY(!foreign.ok());
    QCOMPARE(foreign.error().code, StoreError::Code::NotFound);
    QVERIFY2(foreign.error().message.contains(QLatin1String("not a Celery result")), qPrintable(foreign.error().message));
    QCOMPARE(store->fetchOne(-5).error().code, StoreError::Code::NotFound);
}

void TestCouchStore::shouldReturnSummaryAndFullRows()
{
    // The first row by row id (the hash of the document id) gets long args and a long result,
    // as the SQL suites give the first row by id.
    int first = 0;
    const int n = m_expect.value(QLatin1String("celery")).toArray().size();
    for (int i = 1; i < n; ++i) {
        if (CouchIndex::rowIdFor(celeryDocument(i).value(QLatin1String("id")).toString())
            < CouchIndex::rowIdFor(celeryDocument(first).value(QLatin1String("id")).toString()))
            first = i;
    }
    const QString db = copyDatabase();
    const QString docId = celeryDocument(first).value(QLatin1String("id")).toString();
    QJsonObject doc = getDoc(db, docId);
    QJsonObject meta = QJsonDocument::fromJson(doc.value(QLatin1String("value")).toString().toUtf8()).object();
    const QString longText(1000, u'é');
    meta.insert(QStringLiteral("args"), QJsonArray{longText});
    meta.insert(QStringLiteral("result"), QString(3000, u'r'));
    doc.insert(QStringLiteral("value"), QString::fromUtf8(QJsonDocument(meta).toJson(QJsonDocument::Compact)));
    QVERIFY(http("PUT", QStringLiteral("/%1/%2").arg(db, CouchClient::encodeSegment(docId)), QJsonDocument(doc).toJson()).ok());
    auto store = openStore(db);
    QVERIFY(store);
    TestSupport::verifySummaryAndFullRows(*store, QStringLiteral("[\"%1\"]").arg(longText));
}

void TestCouchStore::shouldGiveTheSameRowIdsInEveryStore()
{
    // The window deletes selected rows through a PurgeJob with its own store: both stores
    // must name a document by the same row id, even after one of them saw changes.
    const QString db = copyDatabase();
    auto browsing = openStore(db);
    QVERIFY(browsing);
    QJsonObject added{{QStringLiteral("_id"), QStringLiteral("celery-task-meta-aaaa-new")},
                      {QStringLiteral("value"), QStringLiteral(R"({"status": "SUCCESS", "result": 1, "task_id": "aaaa-new", "date_done": "2025-01-02T00:00:00"})")}};
    QVERIFY(http("PUT", QStringLiteral("/%1/celery-task-meta-aaaa-new").arg(db), QJsonDocument(added).toJson()).ok());
    QCOMPARE(*browsing->count(TaskQuery()), qint64(m_expect.value(QLatin1String("counts")).toObject().value(QLatin1String("total")).toInt() + 1));
    auto fresh = openStore(db);
    QVERIFY(fresh);
    const auto a = browsing->fetchPage(TaskQuery(), 0, 1000);
    const auto b = fresh->fetchPage(TaskQuery(), 0, 1000);
    QVERIFY(a.ok() && b.ok());
    QCOMPARE(a->size(), b->size());
    for (qsizetype i = 0; i < a->size(); ++i) {
        QCOMPARE(a->at(i).taskId, b->at(i).taskId);
        QCOMPARE(a->at(i).rowId, b->at(i).rowId);
        QCOMPARE(a->at(i).rowId, CouchIndex::rowIdFor(QStringLiteral("celery-task-meta-") + a->at(i).taskId));
    }
}

void TestCouchStore::shouldReportAMissingDatabase()
{
    CouchStore store(config(QStringLiteral("nope")));
    const StoreError e = store.open();
    QCOMPARE(e.code, StoreError::Code::NotFound);
    QCOMPARE(e.message, QStringLiteral("database 'nope' not found on %1").arg(m_base.hostPort()));
}

void TestCouchStore::shouldReportRejectedCredentials()
{
    CouchConfig c = config(m_db);
    c.password = QStringLiteral("wrong-password");
    CouchStore store(c);
    const StoreError e = store.open();
    QCOMPARE(e.code, StoreError::Code::AuthenticationFailed);
    QCOMPARE(e.message, QStringLiteral("credentials rejected by %1").arg(m_base.hostPort()));
    QVERIFY(!e.message.contains(QLatin1String("wrong-password")));
}

void TestCouchStore::shouldReportARefusedConnection()
{
    QTcpServer probe;
    QVERIFY(probe.listen(QHostAddress::LocalHost));
    const quint16 port = probe.serverPort();
    probe.close(); // nothing listens there now
    CouchConfig c = config(m_db);
    c.server.setPort(port);
    CouchStore store(c);
    const StoreError e = store.open();
    QCOMPARE(e.code, StoreError::Code::ConnectionFailed);
    QVERIFY2(e.message.contains(QStringLiteral("connection refused by 127.0.0.1:%1").arg(port)), qPrintable(e.message));
}

void TestCouchStore::shouldLogInWithASessionCookie()
{
    // A database only its members may read: anonymous requests get 401.
    const QString db = copyDatabase();
    const QJsonObject security{{QStringLiteral("admins"), QJsonObject{{QStringLiteral("names"), QJsonArray()}, {QStringLiteral("roles"), QJsonArray()}}},
                               {QStringLiteral("members"), QJsonObject{{QStringLiteral("names"), QJsonArray{m_base.user}},
                                                                      {QStringLiteral("roles"), QJsonArray{QStringLiteral("_admin")}}}}};
    QVERIFY(http("PUT", QStringLiteral("/%1/_security").arg(db), QJsonDocument(security).toJson()).ok());

    CouchConfig anonymous = config(db);
    anonymous.user.clear();
    anonymous.password.clear();
    CouchStore refused(anonymous);
    const StoreError e = refused.open();
    QCOMPARE(e.code, StoreError::Code::AuthenticationFailed);
    QCOMPARE(e.message, QStringLiteral("%1 requires credentials (none in the URL)").arg(m_base.hostPort()));

    const QString url = QStringLiteral("couchdb://%1:%2@%3/%4?auth=cookie").arg(m_base.user, m_base.password, m_base.hostPort(), db);
    const Outcome<StoreFactory> factory = makeStoreFactory(url);
    QVERIFY2(factory.ok(), qPrintable(factory.error().message));
    std::unique_ptr<ResultStore> store = (*factory)();
    const StoreError opened = store->open();
    QVERIFY2(!opened.isError(), qPrintable(opened.message));
    QCOMPARE(*store->count(TaskQuery()),
             qint64(m_expect.value(QLatin1String("counts")).toObject().value(QLatin1String("total")).toInt()));

    const QString wrong = QStringLiteral("couchdb://%1:nope@%2/%3?auth=cookie").arg(m_base.user, m_base.hostPort(), db);
    std::unique_ptr<ResultStore> rejected = (*makeStoreFactory(wrong))();
    const StoreError r = rejected->open();
    QCOMPARE(r.code, StoreError::Code::AuthenticationFailed);
    QCOMPARE(r.message, QStringLiteral("credentials rejected by %1").arg(m_base.hostPort()));
}

void TestCouchStore::shouldPreviewAndPurgeExactlyTheExpired_data()
{
    QTest::addColumn<QDateTime>("cutoff");
    QTest::addColumn<QStringList>("expired");
    QTest::addColumn<int>("batchSize");
    int batch = 2;
    for (const QJsonValue &v : m_expect.value(QLatin1String("expired")).toArray()) {
        const QJsonObject o = v.toObject();
        const QString cutoff = o.value(QLatin1String("cutoff")).toString();
        QTest::newRow(qPrintable(cutoff)) << QDateTime::fromString(cutoff, Qt::ISODate)
                                          << toStrings(o.value(QLatin1String("task_ids")).toArray()) << batch;
        batch += 3;
    }
}

void TestCouchStore::shouldPreviewAndPurgeExactlyTheExpired()
{
    QFETCH(QDateTime, cutoff);
    QFETCH(QStringList, expired);
    QFETCH(int, batchSize);
    const QString db = copyDatabase();
    auto store = openStore(db);
    QVERIFY(store);
    const qint64 total = *store->count(TaskQuery());

    PurgeCriteria criteria;
    criteria.cutoff = cutoff;
    const Outcome<PurgePreview> preview = store->previewPurge(criteria);
    QVERIFY(preview.ok());
    QCOMPARE(preview->total, qint64(expired.size()));
    qint64 sum = 0;
    for (qint64 n : preview->byStatus)
        sum += n;
    QCOMPARE(sum, preview->total);
    QCOMPARE(preview->groups, 0); // Celery 5.2 saves groups without date_done: they never expire

    Purger purger(*store);
    purger.setBatchSize(batchSize);
    QVector<qint64> progress;
    purger.setProgressCallback([&](qint64 done, qint64) { progress.append(done); });
    const PurgeSummary summary = purger.purge(criteria, preview->total);
    QVERIFY2(!summary.error.isError(), qPrintable(summary.error.message));
    QCOMPARE(summary.tasksDeleted, qint64(expired.size()));
    QCOMPARE(summary.groupsDeleted, 0);
    QVERIFY(!summary.cancelled);
    if (!expired.isEmpty())
        QVERIFY(!progress.isEmpty());

    // On the server: exactly the expired documents are gone; every foreign document, the
    // group and every other Celery result are still there.
    for (const QJsonValue &v : m_expect.value(QLatin1String("celery")).toArray()) {
        const QString id = v.toObject().value(QLatin1String("task_id")).toString();
        const bool present = !getDoc(db, QStringLiteral("celery-task-meta-") + id).isEmpty();
        QVERIFY2(present != expired.contains(id), qPrintable(id));
    }
    for (const QJsonValue &v : m_expect.value(QLatin1String("foreign")).toArray()) {
        const QString id = v.toObject().value(QLatin1String("id")).toString();
        QVERIFY2(!getDoc(db, id).isEmpty(), qPrintable(id));
    }
    for (const QJsonValue &v : m_expect.value(QLatin1String("groups")).toArray())
        QVERIFY(!getDoc(db, v.toObject().value(QLatin1String("id")).toString()).isEmpty());

    QCOMPARE(*store->count(TaskQuery()), total - expired.size());
    QCOMPARE(store->previewPurge(criteria)->total, 0);
    // A fresh store agrees.
    auto again = openStore(db);
    QVERIFY(again);
    QCOMPARE(*again->count(TaskQuery()), total - expired.size());
}

void TestCouchStore::shouldSeeNewChangedAndDeletedResultsLive()
{
    const QString db = copyDatabase();
    auto store = openStore(db);
    QVERIFY(store);
    const qint64 total = *store->count(TaskQuery());
    TaskQuery failures;
    failures.statuses = {QStringLiteral("FAILURE")};
    const qint64 failed = *store->count(failures);

    // A new result arrives (as Celery writes it: PUT {_id, value}).
    const QJsonObject doc{{QStringLiteral("_id"), QStringLiteral("celery-task-meta-live-1")},
                          {QStringLiteral("value"), QStringLiteral(R"({"status": "FAILURE", "result": {"exc_type": "KeyError", "exc_message": ["x"], "exc_module": "builtins"}, "traceback": "Traceback\nKeyError: 'x'\n", "children": [], "date_done": "2025-06-01T00:00:00", "name": "live.task", "args": [1], "kwargs": {}, "worker": "gamma@stalk", "retries": 0, "queue": "celery", "task_id": "live-1"})")}};
    const CouchReply put = http("PUT", QStringLiteral("/%1/celery-task-meta-live-1").arg(db), QJsonDocument(doc).toJson());
    QVERIFY(put.ok());
    QCOMPARE(*store->count(TaskQuery()), total + 1);
    QCOMPARE(*store->count(failures), failed + 1);
    TaskQuery byWorker;
    byWorker.workers = {QStringLiteral("gamma@stalk")};
    QCOMPARE(*store->count(byWorker), 1);

    // It is retried and succeeds: the same document changes.
    QJsonObject changed = getDoc(db, QStringLiteral("celery-task-meta-live-1"));
    changed.insert(QStringLiteral("value"), QStringLiteral(R"({"status": "SUCCESS", "result": 7, "traceback": null, "children": [], "date_done": "2025-06-01T00:01:00", "name": "live.task", "args": [1], "kwargs": {}, "worker": "gamma@stalk", "retries": 1, "queue": "celery", "task_id": "live-1"})"));
    QVERIFY(http("PUT", QStringLiteral("/%1/celery-task-meta-live-1").arg(db), QJsonDocument(changed).toJson()).ok());
    QCOMPARE(*store->count(failures), failed);
    const Outcome<Facets> f = store->facets(byWorker);
    QVERIFY(f.ok());
    QCOMPARE(f->statuses.size(), 1);
    QCOMPARE(f->statuses.first().value, QStringLiteral("SUCCESS"));
    QCOMPARE(store->fetchByTaskId(QStringLiteral("live-1"))->retries, 1);

    // Someone deletes it.
    const QJsonObject current = getDoc(db, QStringLiteral("celery-task-meta-live-1"));
    QVERIFY(http("DELETE", QStringLiteral("/%1/celery-task-meta-live-1").arg(db), QByteArray(),
                 {{QStringLiteral("rev"), current.value(QLatin1String("_rev")).toString()}})
                .ok());
    QCOMPARE(*store->count(TaskQuery()), total);
    QCOMPARE(*store->count(byWorker), 0);

    // A foreign document appearing is counted in the note, not as a result.
    QVERIFY(http("PUT", QStringLiteral("/%1/celery-task-meta-broken-live").arg(db),
                 R"({"value": "{not json"})")
                .ok());
    QCOMPARE(*store->count(TaskQuery()), total);
    QVERIFY(store->foreignDocuments().contains(QStringLiteral("celery-task-meta-broken-live")));
    // The fixture's foreign documents less its design document (named apart), plus this one.
    const int foreignBefore = m_expect.value(QLatin1String("foreign")).toArray().size() - 1;
    QVERIFY2(store->info().note.startsWith(QStringLiteral("%1 documents").arg(foreignBefore + 1)),
             qPrintable(store->info().note));
}

void TestCouchStore::shouldRecheckAConflictBeforeDeleting()
{
    const QString db = copyDatabase();
    auto store = openStore(db);
    QVERIFY(store);
    const auto rows = store->fetchPage(TaskQuery(), 0, 1);
    QVERIFY(rows.ok() && rows->size() == 1);
    const TaskResult row = rows->first();
    const QString docId = QStringLiteral("celery-task-meta-") + row.taskId;

    // The worker rewrites the document after the store read it: our _rev is stale.
    QJsonObject doc = getDoc(db, docId);
    const QString oldRev = doc.value(QLatin1String("_rev")).toString();
    QVERIFY(http("PUT", QStringLiteral("/%1/%2").arg(db, docId), QJsonDocument(doc).toJson()).ok());
    QVERIFY(getDoc(db, docId).value(QLatin1String("_rev")).toString() != oldRev);

    // Still a Celery result: re-checked, then deleted with the current revision.
    const Outcome<DeleteBatch> batch = store->deleteRows({row.rowId});
    QVERIFY2(batch.ok(), qPrintable(batch.error().message));
    QCOMPARE(batch->tasks, 1);
    QVERIFY(getDoc(db, docId).isEmpty());
    QCOMPARE(store->fetchOne(row.rowId).error().code, StoreError::Code::NotFound);
}

void TestCouchStore::shouldNotDeleteARowThatStoppedBeingACeleryResult()
{
    const QString db = copyDatabase();
    auto store = openStore(db);
    QVERIFY(store);
    const auto rows = store->fetchPage(TaskQuery(), 0, 2);
    QVERIFY(rows.ok() && rows->size() == 2);
    const QString docId = QStringLiteral("celery-task-meta-") + rows->first().taskId;

    // Someone else's application reuses the key: the document is no Celery result anymore.
    QJsonObject doc = getDoc(db, docId);
    doc.insert(QStringLiteral("value"), QStringLiteral("someone else's data"));
    QVERIFY(http("PUT", QStringLiteral("/%1/%2").arg(db, docId), QJsonDocument(doc).toJson()).ok());

    const Outcome<DeleteBatch> batch = store->deleteRows({rows->at(0).rowId, rows->at(1).rowId});
    QVERIFY2(batch.ok(), qPrintable(batch.error().message));
    QCOMPARE(batch->tasks, 1); // only the second row
    QCOMPARE(getDoc(db, docId).value(QLatin1String("value")).toString(), QStringLiteral("someone else's data"));
    QVERIFY(getDoc(db, QStringLiteral("celery-task-meta-") + rows->at(1).taskId).isEmpty());
    QVERIFY(store->foreignDocuments().contains(docId));
}

void TestCouchStore::shouldRefuseDeletesWhenReadOnly()
{
    StoreOptions options;
    options.readOnly = true;
    auto store = openStore(m_db, options);
    QVERIFY(store);
    QVERIFY(store->info().readOnly);
    PurgeCriteria criteria;
    criteria.cutoff = QDateTime(QDate(2030, 1, 1), QTime(0, 0), Qt::UTC);
    QCOMPARE(store->purgeBatch(criteria, 10).error().code, StoreError::Code::PermissionDenied);
    const auto rows = store->fetchPage(TaskQuery(), 0, 1);
    QCOMPARE(store->deleteRows({rows->first().rowId}).error().code, StoreError::Code::PermissionDenied);
    QCOMPARE(*store->count(TaskQuery()),
             qint64(m_expect.value(QLatin1String("counts")).toObject().value(QLatin1String("total")).toInt()));
}

void TestCouchStore::shouldPurgeBySearchAndExceptionWhatTheQueryMatches()
{
    // Select All + Delete with a search, and `stalk purge --search/--exception`: the purge
    // deletes what the query counts, and re-checks each document as it is when deleted.
    const QString db = copyDatabase();
    auto store = openStore(db);
    QVERIFY(store);
    const qint64 total = *store->count(TaskQuery());
    const QDateTime bound(QDate(2100, 1, 1), QTime(0, 0), Qt::UTC);
    const auto idsOf = [&store](const TaskQuery &q) { return TestSupport::taskIdsOf(*store->fetchPage(q, 0, 1000)); };

    // "Zoë": echo("Zoë") and fail("Zoë failed ☹") (its exception is a ValueError).
    TaskQuery bySearch;
    bySearch.search = QStringLiteral("zoË");
    const QStringList searched = idsOf(bySearch);
    QCOMPARE(searched.size(), 2);
    TaskQuery byBoth = bySearch;
    byBoth.exceptions = {QStringLiteral("ValueError")};
    const QStringList failed = idsOf(byBoth);
    QCOMPARE(failed.size(), 1);
    TaskQuery byException;
    byException.exceptions = {QStringLiteral("builtins.ValueError")};
    QCOMPARE(idsOf(byException).size(), 2); // fail("boom") too
    for (const TaskQuery &q : {bySearch, byBoth, byException}) {
        const Outcome<PurgeCriteria> criteria = purgeCriteriaFor(q, bound);
        QVERIFY(criteria.ok());
        QVERIFY(!criteria->includesGroups());
        const Outcome<PurgePreview> preview = store->previewPurge(*criteria);
        QVERIFY2(preview.ok(), qPrintable(preview.error().message));
        QCOMPARE(preview->total, *store->count(q));
        QCOMPARE(preview->groups, 0);
    }

    // A worker rewrites echo("Zoë") between the preview and the delete: its arguments and
    // result no longer hold the term, so it stays; the other one goes, and nothing else.
    const QString rewritten = searched.at(0) == failed.first() ? searched.at(1) : searched.at(0);
    const QString docId = QStringLiteral("celery-task-meta-") + rewritten;
    QJsonObject doc = getDoc(db, docId);
    QString value = doc.value(QLatin1String("value")).toString();
    QVERIFY2(value.contains(QStringLiteral("Zo\\u00eb")) || value.contains(QStringLiteral("Zoë")), qPrintable(value));
    value.replace(QStringLiteral("Zo\\u00eb"), QStringLiteral("Ann")).replace(QStringLiteral("Zoë"), QStringLiteral("Ann"));
    doc.insert(QStringLiteral("value"), value);
    const Outcome<PurgeCriteria> criteria = purgeCriteriaFor(bySearch, bound);
    QCOMPARE(store->previewPurge(*criteria)->total, 2);
    QVERIFY(http("PUT", QStringLiteral("/%1/%2").arg(db, docId), QJsonDocument(doc).toJson()).ok());

    Purger purger(*store);
    purger.setBatchSize(1);
    const PurgeSummary summary = purger.purge(*criteria, 2);
    QVERIFY2(!summary.error.isError(), qPrintable(summary.error.message));
    QCOMPARE(summary.tasksDeleted, 1);
    QVERIFY(getDoc(db, QStringLiteral("celery-task-meta-") + failed.first()).isEmpty());
    QVERIFY(!getDoc(db, docId).isEmpty());
    auto again = openStore(db);
    QVERIFY(again);
    QCOMPARE(*again->count(TaskQuery()), total - 1);
    QCOMPARE(*again->count(bySearch), 0);
    QCOMPARE(*again->count(byException), 1);
}

void TestCouchStore::shouldDeleteSelectedRowsThroughAPurgeJob()
{
    // Select rows in one store, delete them with a PurgeJob on a window's model, whose own
    // store (made by the factory, opened on the model's worker thread) gets the row ids.
    const QString db = copyDatabase();
    const QString url = QStringLiteral("couchdb://%1:%2@%3/%4").arg(m_base.user, m_base.password, m_base.hostPort(), db);
    const Outcome<StoreFactory> factory = makeStoreFactory(url);
    QVERIFY(factory.ok());
    std::unique_ptr<ResultStore> browsing = (*factory)();
    QVERIFY(!browsing->open().isError());
    TaskQuery failures;
    failures.statuses = {QStringLiteral("FAILURE")};
    const auto rows = browsing->fetchPage(failures, 0, 100);
    QVERIFY(rows.ok());
    QVERIFY(rows->size() >= 2);
    QVector<qint64> ids;
    for (const TaskResult &t : *rows)
        ids.append(t.rowId);

    TaskResultModel model;
    QSignalSpy opened(&model, &TaskResultModel::opened);
    model.setStoreFactory(*factory);
    QVERIFY(opened.wait(30000));
    PurgeJob job(&model);
    QSignalSpy finished(&job, &PurgeJob::finished);
    job.startDelete(ids);
    QVERIFY(finished.wait(30000));
    const PurgeSummary summary = finished.first().first().value<PurgeSummary>();
    QVERIFY2(!summary.error.isError(), qPrintable(summary.error.message));
    QCOMPARE(summary.tasksDeleted, qint64(ids.size()));
    QCOMPARE(*browsing->count(failures), 0);
    for (const TaskResult &t : *rows)
        QVERIFY(getDoc(db, QStringLiteral("celery-task-meta-") + t.taskId).isEmpty());
    QCOMPARE(*browsing->count(TaskQuery()),
             qint64(m_expect.value(QLatin1String("counts")).toObject().value(QLatin1String("total")).toInt()) - ids.size());
}

// Python's json (Celery's CouchBackend) writes NaN, Infinity and integers of any size; Qt's
// parser refuses the first and rounds the others. Such results are read, exactly as stored,
// and purged when expired. The documents are written by the real CouchBackend.
void TestCouchStore::shouldReadAndPurgeResultsWithNumbersQtCannotHold()
{
    const QString db = QStringLiteral("stalk_numbers");
    http("DELETE", QLatin1Char('/') + db);
    QVERIFY(http("PUT", QLatin1Char('/') + db).ok());
    const QString tasks = QFINDTESTDATA("../tools/couchdb/stalk_couch_tasks.py");
    QVERIFY(!tasks.isEmpty());
    const QByteArray script = R"(
import sys
from celery import Celery
from celery.app.task import Context
app = Celery("stalk_numbers", backend=sys.argv[1])
app.conf.result_extended = True
def request(args, kwargs):
    return Context(task="stalk_couch_tasks.add", args=args, kwargs=kwargs, hostname="alpha@stalk", retries=0,
                   delivery_info={"routing_key": "celery"})
app.backend.store_result("nan-result", float("nan"), "SUCCESS",
                         request=request([float("nan"), 10**30], {"n": float("-inf")}))
app.backend.store_result("inf-result", float("inf"), "SUCCESS", request=request([1], {}))
app.backend.store_result("big-int", 123456789012345678901, "SUCCESS", request=request([2], {}))
app.backend.store_result("huge-int", 10**400, "SUCCESS", request=request([3], {}))
app.backend.store_result("nan-in-dict", {"ratio": float("nan"), "total": 10**30}, "SUCCESS", request=request([4], {}))
)";
    QString url = qEnvironmentVariable("STALK_COUCH_URL");
    url.replace(QLatin1String("http://"), QLatin1String("couchdb://"));
    QProcess python;
    QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    env.insert(QStringLiteral("PYTHONPATH"), QFileInfo(tasks).absolutePath()); // its pycouchdb stand-in
    python.setProcessEnvironment(env);
    python.start(QStringLiteral("/usr/bin/python3"), {QStringLiteral("-c"), QString::fromUtf8(script), url + QLatin1Char('/') + db});
    QVERIFY(python.waitForFinished(60000));
    QVERIFY2(python.exitCode() == 0, python.readAllStandardError().constData());
    // 1e400 is a float Python reads as inf: no Python writes it, but a document may hold it.
    const QJsonObject e400{{QStringLiteral("value"),
                            QStringLiteral(R"({"status": "SUCCESS", "result": 1e400, "date_done": "2025-01-04T10:07:00", "task_id": "e400"})")}};
    QVERIFY(http("PUT", QLatin1Char('/') + db + QStringLiteral("/celery-task-meta-e400"),
                 QJsonDocument(e400).toJson(QJsonDocument::Compact)).ok());
    const QString nanText = QString::fromLatin1(getDoc(db, QStringLiteral("celery-task-meta-nan-result"))
                                                    .value(QLatin1String("value")).toString().toLatin1());
    QVERIFY2(nanText.contains(QLatin1String("\"result\": NaN")), qPrintable(nanText)); // what Celery wrote

    auto store = openStore(db);
    QVERIFY(store);
    QCOMPARE(store->foreignDocuments(), (QMap<QString, QString>()));
    QCOMPARE(*store->count(TaskQuery()), 6);
    const QString huge = QLatin1Char('1') + QString(400, QLatin1Char('0'));
    const QMap<QString, QString> results{{QStringLiteral("nan-result"), QStringLiteral("NaN")},
                                         {QStringLiteral("inf-result"), QStringLiteral("Infinity")},
                                         {QStringLiteral("big-int"), QStringLiteral("123456789012345678901")},
                                         {QStringLiteral("huge-int"), huge},
                                         {QStringLiteral("nan-in-dict"), QStringLiteral(R"({"ratio":NaN,"total":1000000000000000000000000000000})")},
                                         {QStringLiteral("e400"), QStringLiteral("1e400")}};
    for (auto it = results.cbegin(); it != results.cend(); ++it) {
        const Outcome<TaskResult> row = store->fetchByTaskId(it.key());
        QVERIFY2(row.ok(), qPrintable(it.key()));
        QCOMPARE(row->result, it.value());
        QVERIFY(row->dateDone.isValid());
        QVERIFY2(row->problems.isEmpty(), qPrintable(row->problems.join(u';')));
    }
    const Outcome<TaskResult> nan = store->fetchByTaskId(QStringLiteral("nan-result"));
    QCOMPARE(nan->args, QStringLiteral("[NaN,1000000000000000000000000000000]"));
    QCOMPARE(nan->kwargs, QStringLiteral(R"({"n":-Infinity})"));
    QCOMPARE(nan->taskName, QStringLiteral("stalk_couch_tasks.add"));
    // Pages (the list) give the same text.
    const Outcome<QVector<TaskResult>> page = store->fetchPage(TaskQuery(), 0, 10, RowDetail::Full);
    QVERIFY(page.ok());
    QCOMPARE(page->size(), 6);
    for (const TaskResult &row : *page)
        QCOMPARE(row.result, results.value(row.taskId));

    // Every one is expired a day from now.
    PurgeCriteria criteria;
    criteria.cutoff = QDateTime::currentDateTimeUtc().addDays(1);
    QCOMPARE(store->previewPurge(criteria)->total, 6);
    Purger purger(*store);
    const PurgeSummary summary = purger.purge(criteria, 6);
    QVERIFY2(!summary.error.isError(), qPrintable(summary.error.message));
    QCOMPARE(summary.tasksDeleted, 6);
    for (auto it = results.cbegin(); it != results.cend(); ++it)
        QVERIFY2(getDoc(db, QStringLiteral("celery-task-meta-") + it.key()).isEmpty(), qPrintable(it.key()));
    http("DELETE", QLatin1Char('/') + db);
}

QTEST_GUILESS_MAIN(TestCouchStore)
#include "tst_couchstore.moc"
