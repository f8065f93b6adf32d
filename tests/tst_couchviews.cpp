// CouchStore's views mode (the server's _design/stalk answering: backends/couchstoreviews.cpp,
// backends/couchviews) against the in-memory index of the same database (?index=full), on a
// real CouchDB-compatible server (pouchdb-server on loopback, tools/couchdb/with_couchdb.sh):
// counts, facets, histories, pages in every sort the views give (sequential and jumps, ties
// of equal dates across page ends), purge previews and purges deleting exactly the expired
// set (a document rewritten after the preview kept), the fall-back to the index for a search,
// and the sentences when the views cannot be used.
//
// Data: the fixture's Celery-written documents (tools/couchdb/make_couch_fixtures.py) and
// 1,200 copies of its Celery results with other task ids, dates (naive, +00:00 and +02:00
// forms, runs of equal dates, none), statuses, task names and workers.
//
// Environment: STALK_COUCH_URL (http://admin:secret@127.0.0.1:PORT), STALK_COUCH_DB.
#include <QDateTime>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QSet>
#include <QTest>

#include <optional>

#include "couchclient.h"
#include "couchdesign.h"
#include "couchhttp.h"
#include "couchstore.h"
#include "storeurl.h"
#include "testsupport.h"

namespace {

const CouchClient::Query includeDocs{{QStringLiteral("include_docs"), QStringLiteral("true")}};

QString keyOf(const TaskResult &row, Field field)
{
    switch (field) {
    case Field::Status:
        return row.status;
    case Field::TaskName:
        return row.taskName.isNull() ? QStringLiteral("<null>") : row.taskName;
    case Field::Worker:
        return row.worker.isNull() ? QStringLiteral("<null>") : row.worker;
    default:
        return row.dateDone.isValid() ? row.dateDone.toString(Qt::ISODateWithMs) : QStringLiteral("<null>");
    }
}

} // namespace

class TestCouchViews : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void initTestCase();
    void shouldOpenOnTheViewsOnlyWhenTheyAreThere();
    void shouldCountAndFacetAsTheIndexDoes();
    void shouldPageAsTheIndexDoes();
    void shouldPageSeveralValuesByDateFromTheirOwnView();
    void shouldAnswerASearchFromTheIndex();
    void shouldReadAndDeleteTheRowsItShowed();
    void shouldPurgeExactlyTheExpiredSet();

private:
    CouchReply http(const QByteArray &verb, const QString &path, const QByteArray &body = QByteArray(),
                    const CouchClient::Query &query = {})
    {
        return couchRequest(m_base, verb, path, body, query);
    }
    /// A new database holding the data set, with the design document when asked.
    void makeDatabase(const QString &db, bool withDesign);
    std::unique_ptr<CouchStore> open(const QString &db, CouchConfig::Index index, bool readOnly = false);
    QVector<TaskQuery> queries() const;

    CouchConfig m_base;
    QJsonArray m_docs; ///< the data set, without revisions
    QVector<QDateTime> m_dates; ///< dates written, for cutoffs and ranges
};

void TestCouchViews::initTestCase()
{
    STALK_SERVER_URL(serverUrl, "STALK_COUCH_URL", "tools/couchdb/with_couchdb.sh");
    const Outcome<CouchConfig> c = CouchConfig::fromUrl(StoreUrl::parse(serverUrl).value());
    QVERIFY2(c.ok(), qPrintable(c.error().message));
    m_base = *c;
    m_base.pageSize = 53; // walks and loads cross many request ends

    const QString source = qEnvironmentVariable("STALK_COUCH_DB", QStringLiteral("stalk"));
    const CouchReply all = http("GET", QLatin1Char('/') + source + QStringLiteral("/_all_docs"), {}, includeDocs);
    QVERIFY2(all.ok(), qPrintable(all.error.message));
    QVector<QJsonObject> celery;
    for (const QJsonValue &row : all.json.object().value(QLatin1String("rows")).toArray()) {
        QJsonObject doc = row.toObject().value(QLatin1String("doc")).toObject();
        const QString id = doc.value(QLatin1String("_id")).toString();
        if (id.startsWith(QLatin1String("_design/")))
            continue; // the fixture's foreign _design/stalk
        doc.remove(QStringLiteral("_rev"));
        m_docs.append(doc);
        const QJsonObject meta = QJsonDocument::fromJson(doc.value(QLatin1String("value")).toString().toUtf8()).object();
        if (id.startsWith(QLatin1String("celery-task-meta-")) && meta.value(QLatin1String("status")).isString()
            && meta.contains(QLatin1String("name")))
            celery.append(meta);
    }
    QVERIFY(celery.size() >= 10);

    const QStringList statuses{QStringLiteral("SUCCESS"), QStringLiteral("FAILURE"), QStringLiteral("SUCCESS"),
                               QStringLiteral("RETRY"), QStringLiteral("SUCCESS"), QStringLiteral("REVOKED")};
    const QStringList names{QStringLiteral("proj.add"), QStringLiteral("proj.mail"), QStringLiteral("proj.report"),
                            QStringLiteral("proj.zip")};
    const QStringList workers{QStringLiteral("celery@a"), QStringLiteral("celery@b"), QStringLiteral("celery@c")};
    const QDateTime base(QDate(2025, 3, 30), QTime(22, 0), Qt::UTC);
    for (int i = 0; i < 1200; ++i) {
        QJsonObject meta = celery.at(i % celery.size());
        const QString taskId = QStringLiteral("c0py%1-0000-4000-8000-000000000000").arg(i, 4, 10, QLatin1Char('0'));
        meta.insert(QStringLiteral("task_id"), taskId);
        meta.insert(QStringLiteral("status"), statuses.at(i % statuses.size()));
        // NULL and "" task names apart (a facet counts them as two values).
        meta.insert(QStringLiteral("name"), i % 17 == 0   ? QJsonValue()
                                            : i % 19 == 0 ? QJsonValue(QStringLiteral(""))
                                                          : QJsonValue(names.at(i % names.size())));
        meta.insert(QStringLiteral("worker"), workers.at((i / 7) % workers.size()));
        // Runs of three equal dates (ties across page ends), microseconds, three forms.
        const QDateTime t = base.addSecs((i / 3) * 97).addMSecs((i / 3) % 1000);
        m_dates.append(t);
        const QString micros = QStringLiteral("%1").arg(((i / 3) % 1000) * 1000 + 456, 6, 10, QLatin1Char('0'));
        QString done;
        switch (i % 3) {
        case 0:
            done = t.toString(QStringLiteral("yyyy-MM-ddTHH:mm:ss.")) + micros;
            break;
        case 1:
            done = t.toString(QStringLiteral("yyyy-MM-ddTHH:mm:ss.")) + micros + QStringLiteral("+00:00");
            break;
        default:
            done = t.addSecs(7200).toString(QStringLiteral("yyyy-MM-ddTHH:mm:ss.")) + micros + QStringLiteral("+02:00");
            break;
        }
        meta.insert(QStringLiteral("date_done"), i % 101 == 5 ? QJsonValue() : QJsonValue(done));
        m_docs.append(QJsonObject{{QStringLiteral("_id"), QStringLiteral("celery-task-meta-") + taskId},
                                  {QStringLiteral("value"),
                                   QString::fromUtf8(QJsonDocument(meta).toJson(QJsonDocument::Compact))}});
    }
    makeDatabase(QStringLiteral("views"), true);
}

void TestCouchViews::makeDatabase(const QString &db, bool withDesign)
{
    http("DELETE", QLatin1Char('/') + db);
    QVERIFY(http("PUT", QLatin1Char('/') + db).ok());
    const CouchReply bulk = http("POST", QLatin1Char('/') + db + QStringLiteral("/_bulk_docs"),
                                 QJsonDocument(QJsonObject{{QStringLiteral("docs"), m_docs}}).toJson(QJsonDocument::Compact));
    QVERIFY2(bulk.ok(), qPrintable(bulk.error.message));
    if (withDesign) {
        QVERIFY(http("PUT", QStringLiteral("/%1/_design/stalk").arg(db), CouchDesign::documentText()).ok());
    }
}

std::unique_ptr<CouchStore> TestCouchViews::open(const QString &db, CouchConfig::Index index, bool readOnly)
{
    CouchConfig config = m_base;
    config.database = db;
    config.index = index;
    StoreOptions options;
    options.readOnly = readOnly;
    auto store = std::make_unique<CouchStore>(config, options);
    const StoreError e = store->open();
    if (e.isError()) {
        qWarning("%s", qPrintable(e.message));
        return nullptr;
    }
    return store;
}

QVector<TaskQuery> TestCouchViews::queries() const
{
    QVector<TaskQuery> out;
    out.append(TaskQuery());
    TaskQuery q;
    q.statuses = {QStringLiteral("FAILURE")};
    out.append(q);
    q.statuses = {QStringLiteral("SUCCESS"), QStringLiteral("RETRY")};
    out.append(q);
    q = TaskQuery();
    q.taskNames = {QStringLiteral("proj.mail"), QString()};
    out.append(q);
    q.taskNames = {QStringLiteral("")};
    out.append(q);
    q.statuses = {QStringLiteral("SUCCESS")};
    out.append(q);
    q = TaskQuery();
    q.workers = {QStringLiteral("celery@b")};
    q.doneAfter = m_dates.at(300);  // a date three documents share
    q.doneBefore = m_dates.at(900);
    out.append(q);
    q = TaskQuery();
    q.doneAfter = m_dates.at(600);
    out.append(q);
    q = TaskQuery();
    q.doneBefore = m_dates.at(1150).addMSecs(1);
    q.statuses = {QStringLiteral("REVOKED"), QStringLiteral("SUCCESS")};
    q.workers = {QStringLiteral("celery@a"), QStringLiteral("celery@c")};
    out.append(q);
    q = TaskQuery();
    q.doneAfter = m_dates.at(900);
    q.doneBefore = m_dates.at(300); // empty
    out.append(q);
    return out;
}

void TestCouchViews::shouldOpenOnTheViewsOnlyWhenTheyAreThere()
{
    auto views = open(QStringLiteral("views"), CouchConfig::Index::Auto);
    QVERIFY(views);
    QVERIFY(views->usesServerViews());
    QVERIFY(!views->isLoading());
    QVERIFY2(views->info().note.contains(QLatin1String("Stalk index on the server")), qPrintable(views->info().note));
    QVERIFY(views->info().fields.contains(Field::TaskName)); // result_extended seen in the views
    auto full = open(QStringLiteral("views"), CouchConfig::Index::Full);
    QVERIFY(full);
    QVERIFY(!full->usesServerViews());

    // Without the design document, or with an outdated one: the index, or a sentence.
    makeDatabase(QStringLiteral("views_none"), false);
    auto none = open(QStringLiteral("views_none"), CouchConfig::Index::Auto);
    QVERIFY(none);
    QVERIFY(!none->usesServerViews());
    CouchConfig config = m_base;
    config.database = QStringLiteral("views_none");
    config.index = CouchConfig::Index::Views;
    CouchStore refused(config);
    StoreError e = refused.open();
    QCOMPARE(e.code, StoreError::Code::Unsupported);
    QVERIFY2(e.message.contains(QLatin1String("has no _design/stalk"))
                 && e.message.contains(QLatin1String("stalk couch-index URL --create")),
             qPrintable(e.message));

    QJsonObject old = QJsonDocument::fromJson(CouchDesign::documentText()).object();
    old.insert(QStringLiteral("stalk_version"), 1);
    QVERIFY(http("PUT", QStringLiteral("/views_none/_design/stalk"), QJsonDocument(old).toJson()).ok());
    auto outdated = open(QStringLiteral("views_none"), CouchConfig::Index::Auto);
    QVERIFY(outdated);
    QVERIFY(!outdated->usesServerViews());
    CouchStore refusedOld(config);
    e = refusedOld.open();
    QCOMPARE(e.code, StoreError::Code::Unsupported);
    QVERIFY2(e.message.contains(QLatin1String("is outdated (version 1; this Stalk writes version 2)")),
             qPrintable(e.message));
    http("DELETE", QStringLiteral("/views_none"));

    // A URL option names the mode; anything else is refused.
    QCOMPARE(CouchConfig::fromUrl(StoreUrl::parse(QStringLiteral("couchdb://h/db?index=views")).value())->index,
             CouchConfig::Index::Views);
    const Outcome<CouchConfig> bad = CouchConfig::fromUrl(StoreUrl::parse(QStringLiteral("couchdb://h/db?index=fast")).value());
    QVERIFY(!bad.ok());
    QCOMPARE(bad.error().message, QStringLiteral("index=fast: use index=auto, index=full or index=views"));
}

void TestCouchViews::shouldCountAndFacetAsTheIndexDoes()
{
    auto views = open(QStringLiteral("views"), CouchConfig::Index::Views);
    auto full = open(QStringLiteral("views"), CouchConfig::Index::Full);
    QVERIFY(views && full);
    const QVector<TaskQuery> all = queries();
    for (qsizetype i = 0; i < all.size(); ++i) {
        const TaskQuery &q = all.at(i);
        const QByteArray at = QByteArray::number(i);
        const Outcome<qint64> want = full->count(q);
        const Outcome<qint64> got = views->count(q);
        QVERIFY2(want.ok() && got.ok(), at);
        QVERIFY2(*got == *want, at + ": " + QByteArray::number(*got) + " != " + QByteArray::number(*want));
        if (i == 0)
            QCOMPARE(*got, qint64(1200 + 20));
        const Outcome<Facets> wantFacets = full->facets(q);
        const Outcome<Facets> gotFacets = views->facets(q);
        QVERIFY2(gotFacets.ok(), at);
        QVERIFY2(gotFacets->statuses == wantFacets->statuses, at);
        QVERIFY2(gotFacets->taskNames == wantFacets->taskNames, at);
        QVERIFY2(gotFacets->workers == wantFacets->workers, at);
        for (TimeBucket bucket : {TimeBucket::Day, TimeBucket::Hour, TimeBucket::Minute}) {
            const Outcome<StatusHistory> wantHistory = full->statusHistory(q, bucket);
            const Outcome<StatusHistory> gotHistory = views->statusHistory(q, bucket);
            QVERIFY2(gotHistory.ok(), at);
            QVERIFY2(gotHistory->statuses == wantHistory->statuses, at);
            QVERIFY2(gotHistory->buckets == wantHistory->buckets, at + " bucket " + QByteArray::number(int(bucket)));
        }
    }
    QVERIFY(!views->isLoading()); // nothing needed the index
}

void TestCouchViews::shouldPageAsTheIndexDoes()
{
    auto views = open(QStringLiteral("views"), CouchConfig::Index::Views);
    auto full = open(QStringLiteral("views"), CouchConfig::Index::Full);
    QVERIFY(views && full);
    QVector<TaskQuery> all = queries();
    const QVector<QPair<Field, Qt::SortOrder>> sorts{{Field::DateDone, Qt::DescendingOrder},
                                                     {Field::DateDone, Qt::AscendingOrder},
                                                     {Field::Status, Qt::AscendingOrder},
                                                     {Field::TaskName, Qt::DescendingOrder},
                                                     {Field::Worker, Qt::AscendingOrder}};
    for (const auto &[field, order] : sorts) {
        {
            for (qsizetype i = 0; i < all.size(); ++i) {
                TaskQuery q = all.at(i);
                q.sortField = field;
                q.sortOrder = order;
                const QByteArray at = QByteArray::number(i) + " sort " + QByteArray::number(int(field)) + " "
                    + QByteArray::number(int(order));
                // Page after page, as the window scrolls: the cursor goes on where the last ended.
                QVector<TaskResult> walked;
                for (qint64 offset = 0;; offset += 61) {
                    const Outcome<QVector<TaskResult>> page = views->fetchPage(q, offset, 61);
                    QVERIFY2(page.ok(), at + ": " + page.error().message.toUtf8());
                    walked += *page;
                    if (page->size() < 61)
                        break;
                }
                const Outcome<QVector<TaskResult>> index = full->fetchPage(q, 0, 100000);
                QVERIFY(index.ok());
                QCOMPARE(walked.size(), index->size());
                // The same rows, in the same order of the sorted field (equal values may
                // come in another order: the views break ties by date done and document id,
                // the index by row id).
                QSet<QString> seen;
                QSet<QString> want;
                for (qsizetype k = 0; k < walked.size(); ++k) {
                    QVERIFY2(!seen.contains(walked.at(k).taskId), at + " repeats " + walked.at(k).taskId.toUtf8());
                    seen.insert(walked.at(k).taskId);
                    want.insert(index->at(k).taskId);
                    QVERIFY2(keyOf(walked.at(k), field) == keyOf(index->at(k), field),
                             at + " row " + QByteArray::number(k) + ": " + keyOf(walked.at(k), field).toUtf8() + " vs "
                                 + keyOf(index->at(k), field).toUtf8());
                    QVERIFY(walked.at(k).rowId == CouchIndex::rowIdFor(QStringLiteral("celery-task-meta-") + walked.at(k).taskId)
                            || walked.at(k).rowId > 0);
                }
                QCOMPARE(seen, want);
                // A jump gives the rows the walk gave there; so does a page asked again.
                for (qint64 offset : {qint64(0), qint64(122), qint64(walked.size() / 2), qint64(walked.size() - 5)}) {
                    if (offset < 0 || offset > walked.size())
                        continue;
                    const Outcome<QVector<TaskResult>> page = views->fetchPage(q, offset, 10);
                    QVERIFY(page.ok());
                    QCOMPARE(page->size(), qMin<qsizetype>(10, walked.size() - offset));
                    for (qsizetype k = 0; k < page->size(); ++k)
                        QVERIFY2(page->at(k).taskId == walked.at(offset + k).taskId, at + " jump " + QByteArray::number(offset));
                }
                // Summary rows as the index gives them.
                if (!walked.isEmpty()) {
                    const QString id = walked.first().taskId;
                    for (const TaskResult &r : *index) {
                        if (r.taskId == id) {
                            QCOMPARE(walked.first(), r);
                            break;
                        }
                    }
                }
            }
        }
    }
    QVERIFY(!views->isLoading()); // no page needed the index
}

void TestCouchViews::shouldPageSeveralValuesByDateFromTheirOwnView()
{
    // Sorted by date, a filter on several values of one field merges that field's view's
    // ranges (one per value) instead of reading every by_date row and keeping the matching
    // ones: the pages are shouldPageAsTheIndexDoes()'s, and no by_date row is read.
    auto views = open(QStringLiteral("views"), CouchConfig::Index::Views);
    auto full = open(QStringLiteral("views"), CouchConfig::Index::Full);
    QVERIFY(views && full);
    struct Case
    {
        TaskQuery query;
        const char *view;
    };
    QVector<Case> cases;
    TaskQuery q;
    q.statuses = {QStringLiteral("RETRY"), QStringLiteral("REVOKED")};
    cases.append({q, "by_status"});
    q = TaskQuery();
    q.taskNames = {QStringLiteral("proj.mail"), QString(), QStringLiteral("proj.zip")}; // NULL: no task name
    q.sortOrder = Qt::AscendingOrder;
    cases.append({q, "by_task_name"});
    q = TaskQuery();
    q.statuses = {QStringLiteral("SUCCESS"), QStringLiteral("FAILURE"), QStringLiteral("RETRY")};
    q.workers = {QStringLiteral("celery@a"), QStringLiteral("celery@c")}; // fewer values: by_worker, statuses kept here
    q.doneAfter = m_dates.at(300);
    cases.append({q, "by_worker"});
    for (const Case &c : std::as_const(cases)) {
        TaskQuery query = c.query;
        query.sortField = Field::DateDone;
        const Outcome<QVector<TaskResult>> index = full->fetchPage(query, 0, 100000);
        QVERIFY(index.ok());
        QVERIFY2(index->size() > 61, c.view); // several pages
        TestSupport::LogCapture log("stalk.couch");
        QVector<TaskResult> walked;
        for (qint64 offset = 0;; offset += 61) {
            const Outcome<QVector<TaskResult>> page = views->fetchPage(query, offset, 61);
            QVERIFY2(page.ok(), qPrintable(page.error().message));
            walked += *page;
            if (page->size() < 61)
                break;
        }
        const Outcome<QVector<TaskResult>> jump = views->fetchPage(query, index->size() / 2, 7);
        QVERIFY(jump.ok());
        const QStringList requests = TestSupport::LogCapture::take();
        QCOMPARE(walked.size(), index->size());
        QSet<QString> seen;
        for (qsizetype k = 0; k < walked.size(); ++k) {
            QVERIFY2(!seen.contains(walked.at(k).taskId), c.view);
            seen.insert(walked.at(k).taskId);
            QCOMPARE(walked.at(k).dateDone, index->at(k).dateDone); // ties may come in another order
        }
        QCOMPARE(jump->size(), qsizetype(7));
        for (qsizetype k = 0; k < jump->size(); ++k)
            QCOMPARE(jump->at(k).taskId, walked.at(index->size() / 2 + k).taskId);
        QVERIFY2(requests.filter(QStringLiteral("/_view/%1").arg(QLatin1String(c.view))).size() >= 2,
                 qPrintable(requests.join(u'\n')));
        QVERIFY2(requests.filter(QStringLiteral("/_view/by_date")).isEmpty(), qPrintable(requests.join(u'\n')));
    }
}

void TestCouchViews::shouldAnswerASearchFromTheIndex()
{
    auto views = open(QStringLiteral("views"), CouchConfig::Index::Views);
    auto full = open(QStringLiteral("views"), CouchConfig::Index::Full);
    QVERIFY(views && full);
    TaskQuery q;
    q.search = QStringLiteral("c0py01");
    const Outcome<qint64> got = views->count(q);
    QVERIFY2(got.ok(), qPrintable(got.error().message));
    QCOMPARE(*got, *full->count(q));
    QCOMPARE(*got, qint64(100));
    QVERIFY(views->usesServerViews()); // still: the views answer what they can
    q.sortField = Field::TaskId; // no view sorts by task id: the index does
    const Outcome<QVector<TaskResult>> page = views->fetchPage(q, 0, 5);
    QVERIFY(page.ok());
    QCOMPARE(*page, *full->fetchPage(q, 0, 5));
    const Outcome<FailureTable> failures = views->failures(TaskQuery());
    QVERIFY(failures.ok());
}

void TestCouchViews::shouldReadAndDeleteTheRowsItShowed()
{
    makeDatabase(QStringLiteral("views_delete"), true);
    auto readOnly = open(QStringLiteral("views_delete"), CouchConfig::Index::Views, true);
    auto views = open(QStringLiteral("views_delete"), CouchConfig::Index::Views);
    QVERIFY(views && readOnly);
    TaskQuery q;
    q.statuses = {QStringLiteral("FAILURE")};
    const Outcome<QVector<TaskResult>> page = views->fetchPage(q, 0, 3);
    QVERIFY(page.ok());
    QCOMPARE(page->size(), 3);
    const Outcome<TaskResult> one = views->fetchOne(page->at(1).rowId);
    QVERIFY2(one.ok(), qPrintable(one.error().message));
    QCOMPARE(one->taskId, page->at(1).taskId);
    QVERIFY(one->complete);
    const qint64 before = *views->count(TaskQuery());

    const Outcome<QVector<TaskResult>> shown = readOnly->fetchPage(q, 0, 3);
    QCOMPARE(readOnly->deleteRows({shown->at(0).rowId}).error().code, StoreError::Code::PermissionDenied);
    PurgeCriteria criteria;
    criteria.cutoff = QDateTime::currentDateTimeUtc();
    QCOMPARE(readOnly->purgeBatch(criteria, 10).error().code, StoreError::Code::PermissionDenied);

    const Outcome<DeleteBatch> deleted = views->deleteRows({page->at(0).rowId, page->at(2).rowId});
    QVERIFY2(deleted.ok(), qPrintable(deleted.error().message));
    QCOMPARE(deleted->tasks, qint64(2));
    QCOMPARE(*views->count(TaskQuery()), before - 2);
    QCOMPARE(views->fetchByTaskId(page->at(0).taskId).error().code, StoreError::Code::NotFound);
    QVERIFY(views->fetchByTaskId(page->at(1).taskId).ok());
    http("DELETE", QStringLiteral("/views_delete"));
}

void TestCouchViews::shouldPurgeExactlyTheExpiredSet()
{
    struct Case
    {
        const char *name;
        PurgeCriteria criteria;
        /// What the index is asked for the same set (it reads dates to the millisecond and
        /// keeps a date inside the cutoff's own millisecond; the views read microseconds).
        std::optional<PurgeCriteria> twinCriteria = std::nullopt;
    };
    QVector<Case> cases;
    PurgeCriteria c;
    c.cutoff = m_dates.at(700); // three documents done at it (one millisecond), 456 µs into it
    cases.append({"cutoff at a run of equal dates", c});
    c.cutoffExtraMicroseconds = 457; // the microsecond after theirs: they expired
    PurgeCriteria nextMillisecond = c;
    nextMillisecond.cutoff = c.cutoff.addMSecs(1); // no other document is done in that millisecond
    nextMillisecond.cutoffExtraMicroseconds = 0;
    cases.append({"cutoff a microsecond after them", c, nextMillisecond});
    c = PurgeCriteria();
    c.cutoff = m_dates.at(1100);
    c.statuses = {QStringLiteral("SUCCESS"), QStringLiteral("REVOKED")};
    c.doneAfter = m_dates.at(200);
    cases.append({"narrowed by status and a start", c});
    c = PurgeCriteria();
    c.cutoff = m_dates.at(1000);
    c.taskNames = {QString()};
    c.workers = {QStringLiteral("celery@c")};
    cases.append({"narrowed by a NULL task name and a worker", c});
    c = PurgeCriteria();
    c.cutoff = QDateTime::currentDateTimeUtc(); // everything dated, and the saved group
    cases.append({"everything", c});

    for (const Case &test : std::as_const(cases)) {
        // Twin databases: the index decides on one, the views purge the other.
        makeDatabase(QStringLiteral("views_purge"), true);
        makeDatabase(QStringLiteral("views_twin"), false);
        auto views = open(QStringLiteral("views_purge"), CouchConfig::Index::Views);
        auto twin = open(QStringLiteral("views_twin"), CouchConfig::Index::Full);
        QVERIFY(views && twin);
        QVERIFY(views->usesServerViews());
        const PurgeCriteria twinCriteria = test.twinCriteria.value_or(test.criteria);
        const Outcome<PurgePreview> want = twin->previewPurge(twinCriteria);
        const Outcome<PurgePreview> got = views->previewPurge(test.criteria);
        QVERIFY2(got.ok(), qPrintable(got.error().message));
        QVERIFY2(got->total == want->total, qPrintable(QStringLiteral("%1: %2 != %3").arg(QLatin1String(test.name)).arg(got->total).arg(want->total)));
        QVERIFY2(got->byStatus == want->byStatus, test.name);
        QCOMPARE(got->groups, want->groups);
        QVERIFY2(want->total > 0, test.name);

        // One expired document rewritten (done again now) after the preview: it stays.
        QString rewritten;
        {
            TaskQuery q;
            q.statuses = test.criteria.statuses;
            q.taskNames = test.criteria.taskNames;
            q.workers = test.criteria.workers;
            q.doneAfter = test.criteria.doneAfter;
            q.doneBefore = twinCriteria.cutoff;
            q.sortOrder = Qt::AscendingOrder;
            const Outcome<QVector<TaskResult>> first = twin->fetchPage(q, 0, 1);
            QVERIFY(first.ok() && first->size() == 1);
            rewritten = QStringLiteral("celery-task-meta-") + first->first().taskId;
            CouchReply doc = http("GET", QStringLiteral("/views_purge/") + rewritten);
            QJsonObject d = doc.json.object();
            QJsonObject meta = QJsonDocument::fromJson(d.value(QLatin1String("value")).toString().toUtf8()).object();
            meta.insert(QStringLiteral("date_done"), QDateTime::currentDateTimeUtc().addDays(1).toString(Qt::ISODateWithMs));
            d.insert(QStringLiteral("value"), QString::fromUtf8(QJsonDocument(meta).toJson(QJsonDocument::Compact)));
            QVERIFY(http("PUT", QStringLiteral("/views_purge/") + rewritten, QJsonDocument(d).toJson()).ok());
        }

        qint64 tasks = 0;
        qint64 groups = 0;
        for (int guard = 0; guard < 1000; ++guard) {
            const Outcome<DeleteBatch> batch = views->purgeBatch(test.criteria, 41);
            QVERIFY2(batch.ok(), qPrintable(batch.error().message));
            tasks += batch->tasks;
            groups += batch->groups;
            if (batch->finished)
                break;
        }
        QCOMPARE(tasks, want->total - 1);
        QCOMPARE(groups, want->groups);
        // What is left: exactly the twin's documents minus the expired ones it listed.
        const CouchReply left = http("GET", QStringLiteral("/views_purge/_all_docs"));
        const CouchReply twinAll = http("GET", QStringLiteral("/views_twin/_all_docs"));
        QSet<QString> kept;
        for (const QJsonValue &row : left.json.object().value(QLatin1String("rows")).toArray())
            kept.insert(row.toObject().value(QLatin1String("id")).toString());
        kept.remove(QStringLiteral("_design/stalk")); // the twin has none
        QVERIFY(kept.contains(rewritten));
        for (int guard = 0; guard < 100; ++guard) { // the index deletes its own set
            const Outcome<DeleteBatch> batch = twin->purgeBatch(twinCriteria, 100000);
            QVERIFY(batch.ok());
            if (batch->finished)
                break;
        }
        QSet<QString> expected;
        for (const QJsonValue &row : http("GET", QStringLiteral("/views_twin/_all_docs")).json.object().value(QLatin1String("rows")).toArray())
            expected.insert(row.toObject().value(QLatin1String("id")).toString());
        expected.insert(rewritten);
        QVERIFY2(twinAll.json.object().value(QLatin1String("rows")).toArray().size() > expected.size(), test.name);
        for (const QString &id : kept - expected)
            qWarning("%s: kept, but the index deleted it: %s", test.name, qPrintable(id));
        for (const QString &id : expected - kept)
            qWarning("%s: deleted, but the index kept it: %s", test.name, qPrintable(id));
        QVERIFY2(kept == expected, test.name);
        QVERIFY(!views->isLoading());
    }
    http("DELETE", QStringLiteral("/views_purge"));
    http("DELETE", QStringLiteral("/views_twin"));
}

QTEST_GUILESS_MAIN(TestCouchViews)
#include "tst_couchviews.moc"
