#include "storechecks.h"

#include <algorithm>

#include <QDateTime>
#include <QFile>
#include <QFileInfo>
#include <QJsonArray>
#include <QSet>
#include <QJsonDocument>
#include <QProcess>
#include <QRegularExpression>
#include <QTest>

#include <algorithm>
#include <functional>

#include "purger.h"
#include "taskgroup.h"

namespace TestSupport {

QJsonObject jsonObjectOfFileIn(const char *variable)
{
    QFile f(qEnvironmentVariable(variable));
    return f.open(QIODevice::ReadOnly) ? QJsonDocument::fromJson(f.readAll()).object() : QJsonObject();
}

qint64 purgeAll(ResultStore &store, const PurgeCriteria &criteria, int batchSize)
{
    qint64 deleted = 0;
    for (;;) {
        const Outcome<DeleteBatch> batch = store.purgeBatch(criteria, batchSize);
        if (!batch) {
            qWarning() << batch.error().message;
            return -1;
        }
        deleted += batch->tasks;
        if (batch->finished)
            return deleted;
    }
}

QStringList stringsOf(const QJsonArray &array)
{
    QStringList out;
    for (const QJsonValue &v : array)
        out.append(v.toString());
    return out;
}

QJsonValue jsonOfText(const QString &text)
{
    const QJsonDocument d = QJsonDocument::fromJson(QByteArray("[") + text.toUtf8() + "]");
    return d.isArray() && d.array().size() == 1 ? d.array().at(0) : QJsonValue(QJsonValue::Undefined);
}

void verifyCountsAndSearchesAsUpstream(ResultStore &store, const QJsonObject &dataSet)
{
    const QJsonObject counts = dataSet.value(QLatin1String("counts")).toObject();
    QCOMPARE(*store.count(TaskQuery()), qint64(counts.value(QLatin1String("total")).toInt()));
    const QJsonObject byStatus = counts.value(QLatin1String("status")).toObject();
    for (auto it = byStatus.begin(); it != byStatus.end(); ++it) {
        TaskQuery q;
        q.statuses = QStringList{it.key()};
        QCOMPARE(*store.count(q), qint64(it.value().toInt()));
    }
    for (const QJsonValue &v : dataSet.value(QLatin1String("search")).toArray()) {
        const QJsonObject o = v.toObject();
        TaskQuery q;
        q.search = o.value(QLatin1String("term")).toString();
        q.sortField = Field::RowId;
        const auto rows = store.fetchPage(q, 0, 1000);
        QVERIFY(rows.ok());
        QCOMPARE(sorted(taskIdsOf(*rows)), sorted(stringsOf(o.value(QLatin1String("task_ids")).toArray())));
    }
}

void verifyRowAsUpstreamReadIt(const TaskResult &t, const QJsonObject &e, const QString &expectationsFile)
{
    const QString id = e.value(QLatin1String("task_id")).toString();
    QVERIFY2(t.problems.isEmpty(), qPrintable(id + t.problems.join(u';')));
    QCOMPARE(t.taskId, id);
    // AsyncResult(id).state, and the meta's own status.
    QCOMPARE(t.status, e.value(QLatin1String("state")).toString());
    QCOMPARE(t.status, e.value(QLatin1String("status")).toString());
    QCOMPARE(t.taskName, e.value(QLatin1String("task_name")).toString());
    QCOMPARE(t.taskName.isNull(), e.value(QLatin1String("task_name")).isNull());
    QCOMPARE(t.worker, e.value(QLatin1String("worker")).toString());
    QCOMPARE(t.queue, e.value(QLatin1String("queue")).toString());
    QCOMPARE(t.groupId, e.value(QLatin1String("group_id")).toString());
    QCOMPARE(t.parentId, e.value(QLatin1String("parent_id")).toString());
    QCOMPARE(t.retries, e.value(QLatin1String("retries")).isNull() ? -1 : e.value(QLatin1String("retries")).toInt());
    const QString done = e.value(QLatin1String("date_done")).toString();
    QCOMPARE(t.dateDone.isValid(), !done.isEmpty());
    if (!done.isEmpty())
        QCOMPARE(t.dateDone, QDateTime::fromString(done, Qt::ISODateWithMs));
    QCOMPARE(!t.traceback.isEmpty(), e.value(QLatin1String("has_traceback")).toBool());
    // The result: an exception as upstream rebuilds it ("Type: message"), else the same JSON.
    const QString expected = e.value(QLatin1String("result")).toString();
    const QJsonObject exc = jsonOfText(t.result).toObject();
    if (exc.contains(QLatin1String("exc_type"))) {
        const QJsonArray message = exc.value(QLatin1String("exc_message")).toArray();
        QCOMPARE(exc.value(QLatin1String("exc_type")).toString() + QStringLiteral(": ")
                     + (message.isEmpty() ? QString() : message.at(0).toString()),
                 expected);
    } else {
        QVERIFY2(jsonOfText(t.result) == jsonOfText(expected), qPrintable(id + u' ' + t.result + QStringLiteral(" vs ") + expected));
    }
    for (const char *field : {"args", "kwargs"}) {
        const QJsonValue want = e.value(QLatin1String(field));
        const QString got = qstrcmp(field, "args") == 0 ? t.args : t.kwargs;
        QCOMPARE(got.isNull(), want.isNull());
        if (!want.isNull())
            QVERIFY2(jsonOfText(got) == jsonOfText(want.toString()), qPrintable(id + u' ' + got));
    }
    QVERIFY(t.complete);
    QVERIFY(t.rowId >= 0);
    // The TTL as the writer read it (result_expires; none with result_expires=None).
    const int ttl = e.value(QLatin1String("ttl")).toInt();
    QCOMPARE(t.expires.isValid(), ttl > 0);
    if (ttl > 0) {
        // When the writer read the TTL; older expectations only have their file's time.
        const QJsonValue readAt = e.value(QLatin1String("ttl_read_at"));
        const QDateTime then = readAt.isDouble()
            ? QDateTime::fromMSecsSinceEpoch(qint64(readAt.toDouble() * 1000), Qt::UTC)
            : QFileInfo(expectationsFile).lastModified().toUTC();
        const qint64 off = qAbs(then.addSecs(ttl).secsTo(t.expires));
        QVERIFY2(off < 120, qPrintable(QStringLiteral("expires %1, %2 s off the fixture's TTL").arg(t.expires.toString(Qt::ISODate)).arg(off)));
    }
}

QStringList sorted(QStringList list)
{
    list.sort();
    return list;
}

qint64 micros(const QString &text, bool *ok)
{
    static const QRegularExpression re(
        QStringLiteral(R"(^(\d{4})-(\d\d)-(\d\d)[ T](\d\d):(\d\d):(\d\d)(?:\.(\d{1,6}))?Z?$)"));
    const auto m = re.match(text);
    *ok = m.hasMatch();
    if (!*ok)
        return 0;
    const QDateTime dt(QDate(m.captured(1).toInt(), m.captured(2).toInt(), m.captured(3).toInt()),
                       QTime(m.captured(4).toInt(), m.captured(5).toInt(), m.captured(6).toInt()), Qt::UTC);
    const qint64 fraction = m.captured(7).isEmpty() ? 0 : m.captured(7).leftJustified(6, u'0').toLongLong();
    return dt.toMSecsSinceEpoch() * 1000 + fraction;
}

PurgeCriteria criteriaFor(const QString &iso)
{
    bool ok = false;
    const qint64 us = micros(iso, &ok);
    Q_ASSERT(ok);
    PurgeCriteria c;
    c.cutoff = QDateTime::fromMSecsSinceEpoch(us / 1000, Qt::UTC);
    c.cutoffExtraMicroseconds = int(us % 1000);
    return c;
}

Counts countsOf(const QVector<FacetValue> &values)
{
    Counts out;
    for (const FacetValue &v : values)
        out.insert(v.value.isNull() ? QString() : v.value, v.count);
    return out;
}

Counts countsOf(const QJsonObject &object)
{
    Counts out;
    for (auto it = object.begin(); it != object.end(); ++it)
        out.insert(it.key(), it.value().toInteger());
    return out;
}

QStringList taskIdsOf(const QVector<TaskResult> &rows)
{
    QStringList ids;
    for (const TaskResult &r : rows)
        ids << r.taskId;
    return ids;
}

void verifyCountsAndFacets(ResultStore &store, const QJsonObject &counts, const FixtureSample &sample)
{
    const auto total = store.count({});
    QVERIFY(total.ok());
    QCOMPARE(*total, counts[QStringLiteral("total")].toInteger());

    const auto facets = store.facets({});
    QVERIFY2(facets.ok(), qPrintable(facets.error().message));
    QCOMPARE(countsOf(facets->statuses), countsOf(counts[QStringLiteral("status")].toObject()));
    QCOMPARE(countsOf(facets->taskNames), countsOf(counts[QStringLiteral("task_name")].toObject()));
    QCOMPARE(countsOf(facets->workers), countsOf(counts[QStringLiteral("worker")].toObject()));
    if (sample.hasPeriodicTasks) {
        QCOMPARE(countsOf(facets->periodicTaskNames), countsOf(counts[QStringLiteral("periodic_task_name")].toObject()));
        // NULL is a value of its own, not "".
        bool sawNull = false;
        for (const FacetValue &v : facets->periodicTaskNames)
            sawNull = sawNull || v.value.isNull();
        QVERIFY(sawNull);
    } else {
        QVERIFY(facets->periodicTaskNames.isEmpty());
    }
    // Most frequent first.
    for (int i = 1; i < facets->statuses.size(); ++i)
        QVERIFY(facets->statuses[i - 1].count >= facets->statuses[i].count);

    const auto groups = store.previewPurge(criteriaFor(QStringLiteral("2100-01-01T00:00:00Z")));
    QVERIFY(groups.ok());
    QCOMPARE(groups->groups, counts[QStringLiteral("groups")].toInteger());
}

void verifyFacetsIgnoreTheirOwnFilter(ResultStore &store, const FixtureSample &sample)
{
    TaskQuery q;
    q.statuses = {sample.status};
    q.workers = {sample.worker};
    const auto facets = store.facets(q);
    QVERIFY(facets.ok());
    // The status facet ignores the status filter but honours the worker filter.
    TaskQuery onlyWorker;
    onlyWorker.workers = q.workers;
    const auto statusFacet = store.facets(onlyWorker);
    QVERIFY(statusFacet.ok());
    QCOMPARE(facets->statuses, statusFacet->statuses);
    qint64 sum = 0;
    for (const FacetValue &v : facets->statuses)
        sum += v.count;
    QCOMPARE(sum, *store.count(onlyWorker));
    // The worker facet ignores the worker filter but honours the status filter.
    TaskQuery onlyStatus;
    onlyStatus.statuses = q.statuses;
    qint64 workerSum = 0;
    for (const FacetValue &v : facets->workers)
        workerSum += v.count;
    QCOMPARE(workerSum, *store.count(onlyStatus));
    // The task name facet honours both.
    qint64 nameSum = 0;
    for (const FacetValue &v : facets->taskNames)
        nameSum += v.count;
    QCOMPARE(nameSum, *store.count(q));
    QVERIFY(nameSum < workerSum);
}

void verifyTalliedFacets(ResultStore &store, const TaskQuery &query, const Facets &facets, qint64 matching)
{
    const std::pair<const QVector<FacetValue> *, QStringList TaskQuery::*> facetsOf[] = {
        {&facets.statuses, &TaskQuery::statuses},
        {&facets.taskNames, &TaskQuery::taskNames},
        {&facets.workers, &TaskQuery::workers},
        {&facets.periodicTaskNames, &TaskQuery::periodicTaskNames}};
    for (const auto &[values, filter] : facetsOf) {
        qint64 sum = 0;
        for (int i = 0; i < values->size(); ++i) {
            const FacetValue &v = values->at(i);
            TaskQuery narrowed = query;
            (narrowed.*filter) = QStringList{v.value};
            QCOMPARE(*store.count(narrowed), v.count);
            sum += v.count;
            if (i > 0) // most frequent first
                QVERIFY(values->at(i - 1).count >= v.count);
        }
        QCOMPARE(sum, matching);
    }
}

namespace {

void checkSetAndDateFilters(ResultStore &store, const FixtureSample &sample, qint64 *nullOrNightly)
{
    const auto all = store.fetchPage({}, 0, 1000, RowDetail::Full);
    QVERIFY(all.ok());
    auto expectCount = [&](const std::function<bool(const TaskResult &)> &keep) {
        qint64 n = 0;
        for (const TaskResult &r : *all)
            n += keep(r) ? 1 : 0;
        return n;
    };

    TaskQuery q;
    q.statuses = {QStringLiteral("FAILURE"), QStringLiteral("REVOKED")};
    QCOMPARE(*store.count(q), expectCount([](const TaskResult &r) {
                 return r.status == QLatin1String("FAILURE") || r.status == QLatin1String("REVOKED");
             }));

    TaskQuery periodicNull;
    periodicNull.periodicTaskNames = {QString(), QStringLiteral("nightly-cleanup")};
    *nullOrNightly = expectCount([](const TaskResult &r) {
        return r.periodicTaskName.isNull() || r.periodicTaskName == QLatin1String("nightly-cleanup");
    });
    QCOMPARE(*store.count(periodicNull), *nullOrNightly);
    QVERIFY(*nullOrNightly > 1);

    TaskQuery combined;
    combined.taskNames = sample.taskNames;
    combined.workers = {sample.worker};
    combined.doneAfter = sample.doneAfter;
    combined.doneBefore = sample.doneBefore;
    const qint64 expected = expectCount([&](const TaskResult &r) {
        return combined.taskNames.contains(r.taskName) && r.worker == sample.worker
            && r.dateDone >= combined.doneAfter && r.dateDone < combined.doneBefore;
    });
    QVERIFY(expected > 0);
    QCOMPARE(*store.count(combined), expected);
    const auto page = store.fetchPage(combined, 0, 100);
    QVERIFY(page.ok());
    QCOMPARE(page->size(), expected);
}

} // namespace

qint64 verifySetAndDateFilters(ResultStore &store, const FixtureSample &sample)
{
    qint64 nullOrNightly = -1;
    checkSetAndDateFilters(store, sample, &nullOrNightly);
    return QTest::currentTestFailed() ? -1 : nullOrNightly;
}

void verifyDefaultOrder(ResultStore &store, const QStringList &expected)
{
    const auto rows = store.fetchPage({}, 0, 1000);
    QVERIFY2(rows.ok(), qPrintable(rows.error().message));
    QCOMPARE(taskIdsOf(*rows), expected);
    // Page by page gives the same order.
    QStringList paged;
    for (qint64 offset = 0; offset < expected.size(); offset += 7) {
        const auto page = store.fetchPage({}, offset, 7);
        QVERIFY2(page.ok(), qPrintable(page.error().message));
        QVERIFY(page->size() <= 7);
        paged += taskIdsOf(*page);
    }
    QCOMPARE(paged, expected);
}

void verifyPagesMatchTheWhole(ResultStore &store, const TaskQuery &query, const QStringList &whole)
{
    constexpr int size = 3;
    const qint64 n = whole.size();
    const auto count = store.count(query);
    QVERIFY2(count.ok(), qPrintable(count.error().message));
    QCOMPARE(*count, n);
    QVector<qint64> offsets;
    for (qint64 offset = (n - 1) / size * size; offset >= 0; offset -= size)
        offsets << offset;
    for (qint64 offset = 0; offset < n; offset += size)
        offsets << offset;
    const qint64 middle = n / 2;
    offsets << middle << middle + size << middle - size << size << qMax<qint64>(0, n - size);
    for (qint64 offset : std::as_const(offsets)) {
        if (offset < 0)
            continue;
        const auto page = store.fetchPage(query, offset, size);
        QVERIFY2(page.ok(), qPrintable(page.error().message));
        QVERIFY2(taskIdsOf(*page) == whole.mid(offset, size),
                 qPrintable(QStringLiteral("the page at %1: %2, not %3")
                                .arg(offset)
                                .arg(taskIdsOf(*page).join(u' '), whole.mid(offset, size).join(u' '))));
    }
}

void verifySearch(ResultStore &store, const QString &term, const QStringList &adminIds,
                  const QStringList &decodedIds)
{
    TaskQuery q;
    q.search = term;
    const auto rows = store.fetchPage(q, 0, 1000);
    QVERIFY2(rows.ok(), qPrintable(rows.error().message));
    const QStringList found = sorted(taskIdsOf(*rows));
    QCOMPARE(found, decodedIds);
    for (const QString &id : adminIds) // the admin finds nothing Stalk misses
        QVERIFY2(found.contains(id), qPrintable(id));
    const auto count = store.count(q);
    QVERIFY(count.ok());
    QCOMPARE(*count, qint64(decodedIds.size()));
}

void verifySummaryAndFullRows(ResultStore &store, const QString &longArgs)
{
    TaskQuery q;
    q.sortField = Field::RowId;
    q.sortOrder = Qt::AscendingOrder;
    const auto summary = store.fetchPage(q, 0, 100);
    const auto full = store.fetchPage(q, 0, 100, RowDetail::Full);
    QVERIFY2(summary.ok(), qPrintable(summary.error().message));
    QVERIFY2(full.ok(), qPrintable(full.error().message));
    QCOMPARE(summary->size(), full->size());
    bool sawTraceback = false;
    for (int i = 0; i < summary->size(); ++i) {
        const TaskResult &s = summary->at(i);
        const TaskResult &f = full->at(i);
        QVERIFY(!s.complete);
        QVERIFY(f.complete);
        QVERIFY(s.traceback.isNull());
        QVERIFY(s.meta.isNull());
        QCOMPARE(s.rowId, f.rowId);
        QCOMPARE(s.taskId, f.taskId);
        QCOMPARE(s.status, f.status);
        QCOMPARE(s.dateDone, f.dateDone);
        QCOMPARE(s.args, f.args.left(ResultStore::previewChars));
        QCOMPARE(s.result, f.result.left(ResultStore::previewChars));
        QCOMPARE(s.args.isNull(), f.args.isNull());
        sawTraceback = sawTraceback || !f.traceback.isEmpty();
        const auto one = store.fetchOne(f.rowId);
        QVERIFY(one.ok());
        QCOMPARE(*one, f);
    }
    QVERIFY(sawTraceback);
    QCOMPARE(full->at(0).args, longArgs);
    QCOMPARE(summary->at(0).args.size(), qsizetype(ResultStore::previewChars));
}

// --- Purge checks (SQLite and the servers) ---------------------------------------------------

QStringList keysNotExpired(const QStringList &keyAndDate, const QString &cutoffIso)
{
    bool ok = false;
    const qint64 limit = micros(cutoffIso, &ok);
    Q_ASSERT(ok);
    QStringList left;
    for (const QString &row : keyAndDate) {
        bool parsed = false;
        const qint64 us = micros(row.section(u'|', 1), &parsed);
        if (!parsed || us >= limit) // NULL date_done never expires
            left << row.section(u'|', 0, 0);
    }
    return sorted(left);
}

void verifyPurgeInBatches(ResultStore &store, const PurgeCriteria &criteria, int batchSize,
                          const QStringList &expiredTasks, const QStringList &expiredGroups, const ReadTable &tasks,
                          const ReadTable &groups)
{
    const QStringList tasksBefore = tasks();
    const QStringList groupsBefore = groups();
    const auto preview = store.previewPurge(criteria);
    QVERIFY2(preview.ok(), qPrintable(preview.error().message));
    QCOMPARE(preview->total, qint64(expiredTasks.size()));
    QCOMPARE(preview->groups, qint64(expiredGroups.size()));
    qint64 sum = 0;
    for (qint64 n : preview->byStatus)
        sum += n;
    QCOMPARE(sum, preview->total);

    qint64 tasksDeleted = 0, groupsDeleted = 0;
    int batches = 0;
    bool finished = false;
    while (!finished) {
        QVERIFY(++batches <= 200);
        const auto batch = store.purgeBatch(criteria, batchSize);
        QVERIFY2(batch.ok(), qPrintable(batch.error().message));
        QVERIFY(batch->tasks + batch->groups <= batchSize);
        // Groups only go once no expired task is left.
        if (batch->groups > 0)
            QCOMPARE(tasksDeleted + batch->tasks, qint64(expiredTasks.size()));
        tasksDeleted += batch->tasks;
        groupsDeleted += batch->groups;
        finished = batch->finished;
    }
    QCOMPARE(tasksDeleted, qint64(expiredTasks.size()));
    QCOMPARE(groupsDeleted, qint64(expiredGroups.size()));

    QStringList expectTasks = tasksBefore;
    for (const QString &id : expiredTasks)
        QVERIFY(expectTasks.removeOne(id));
    QStringList expectGroups = groupsBefore;
    for (const QString &id : expiredGroups)
        QVERIFY(expectGroups.removeOne(id));
    QCOMPARE(tasks(), expectTasks);
    QCOMPARE(groups(), expectGroups);

    // Nothing left: another batch deletes nothing and says so.
    const auto again = store.purgeBatch(criteria, batchSize);
    QVERIFY(again.ok());
    QCOMPARE(again->tasks + again->groups, qint64(0));
    QVERIFY(again->finished);
    QCOMPARE(store.previewPurge(criteria)->total, qint64(0));
}

void verifyNarrowedPurge(ResultStore &store, const PurgeCriteria &criteria, const QStringList &expected,
                         const ReadTable &tasks, const ReadTable &groups)
{
    QVERIFY(expected.size() >= 2);
    const auto preview = store.previewPurge(criteria);
    QVERIFY2(preview.ok(), qPrintable(preview.error().message));
    QCOMPARE(preview->total, qint64(expected.size()));
    QCOMPARE(preview->groups, qint64(0));
    for (auto it = preview->byStatus.cbegin(); it != preview->byStatus.cend(); ++it)
        QVERIFY2(criteria.statuses.contains(it.key()), qPrintable(it.key()));

    const QStringList before = tasks();
    const QStringList groupsBefore = groups();
    qint64 deleted = 0;
    for (int i = 0; i < 20; ++i) {
        const auto batch = store.purgeBatch(criteria, 1);
        QVERIFY2(batch.ok(), qPrintable(batch.error().message));
        QCOMPARE(batch->groups, qint64(0));
        deleted += batch->tasks;
        if (batch->finished)
            break;
    }
    QCOMPARE(deleted, qint64(expected.size()));
    QStringList left = before;
    for (const QString &id : expected)
        left.removeOne(id);
    QCOMPARE(tasks(), left);
    QCOMPARE(groups(), groupsBefore);
}

void verifyPurgeLeaves(ResultStore &store, const PurgeCriteria &criteria, const QStringList &tasksLeft,
                       const QStringList &groupsLeft, const ReadTable &tasks, const ReadTable &groups)
{
    const auto preview = store.previewPurge(criteria);
    QVERIFY2(preview.ok(), qPrintable(preview.error().message));
    QCOMPARE(preview->total, *store.count({}) - tasksLeft.size());
    bool finished = false;
    for (int i = 0; i < 100 && !finished; ++i) {
        const auto batch = store.purgeBatch(criteria, 4);
        QVERIFY2(batch.ok(), qPrintable(batch.error().message));
        finished = batch->finished;
    }
    QVERIFY(finished);
    QCOMPARE(tasks(), tasksLeft);
    QCOMPARE(groups(), groupsLeft);
}

namespace {

/// Ten rows done at `doneAt` (FAILURE at 1, 2, 4, 7 and 9) and one a microsecond later, as
/// INSERTs that every engine reads alike (the servers' sessions are in UTC); their task ids.
QStringList equalDatesInserts(const QString &prefix, QStringList *failures, QStringList *successes)
{
    const QString row = QStringLiteral(
        "INSERT INTO django_celery_results_taskresult (task_id, status, content_type, content_encoding, date_done, "
        "date_created) VALUES ('%1', '%2', 'application/json', 'utf-8', '%3', '%3')");
    const QString doneAt = QStringLiteral("2024-06-01 12:00:00.250000");
    QStringList inserts;
    for (int i = 0; i < 10; ++i) {
        const bool failed = i == 1 || i == 2 || i == 4 || i == 7 || i == 9;
        const QString id = QStringLiteral("%1-%2").arg(prefix).arg(i);
        (failed ? failures : successes)->append(id);
        inserts << row.arg(id, failed ? QStringLiteral("FAILURE") : QStringLiteral("SUCCESS"), doneAt);
    }
    inserts << row.arg(prefix + QStringLiteral("-younger"), QStringLiteral("FAILURE"),
                       QStringLiteral("2024-06-01 12:00:00.250001"));
    return inserts;
}

} // namespace

void verifyPurgeAcrossEqualDates(ResultStore &store, const RunSql &runSql, const ReadTable &tasks,
                                 const ReadTable &groups)
{
    const PurgeCriteria all = criteriaFor(QStringLiteral("2024-06-01T12:00:00.250001Z"));
    QStringList failures, successes;
    QString error = runSql(equalDatesInserts(QStringLiteral("equal"), &failures, &successes));
    QVERIFY2(error.isEmpty(), qPrintable(error));
    // 3 + 3 + 3 + 1: three batch ends inside the run.
    verifyPurgeInBatches(store, all, 3, sorted(failures + successes), {}, tasks, groups);
    if (QTest::currentTestFailed())
        return;

    PurgeCriteria narrowed = all;
    narrowed.statuses = {QStringLiteral("FAILURE")};
    failures.clear();
    successes.clear();
    error = runSql(equalDatesInserts(QStringLiteral("again"), &failures, &successes));
    QVERIFY2(error.isEmpty(), qPrintable(error));
    // 3 + 2 of the five failures, the successes between them kept.
    verifyPurgeInBatches(store, narrowed, 3, sorted(failures), {}, tasks, groups);
}

QJsonObject expectedGroups(const QString &url)
{
    QProcess python;
    python.start(QStringLiteral("/usr/bin/python3"), {QStringLiteral(STALK_GROUPS_EXPECTED), url});
    QJsonObject expected;
    [&] {
        QVERIFY(python.waitForFinished(120000));
        QVERIFY2(python.exitCode() == 0, python.readAllStandardError().constData());
        expected = QJsonDocument::fromJson(python.readAllStandardOutput()).object();
        QVERIFY(expected.contains(QLatin1String("groups")));
    }();
    return expected;
}

void verifyGroupsAsStored(ResultStore &store, const QString &url)
{
    const QJsonObject expected = expectedGroups(url);
    if (QTest::currentTestFailed())
        return;

    if (expected.value(QLatin1String("groups")).isNull()) { // no group table: one sentence
        QVERIFY(!store.info().hasGroups);
        const auto groups = store.groups(TaskQuery(), 100);
        QVERIFY(!groups);
        QCOMPARE(groups.error().code, StoreError::Code::Unsupported);
        QVERIFY2(groups.error().message.contains(QLatin1String("no saved groups")), qPrintable(groups.error().message));
        QVERIFY(!store.groupsOf(QStringLiteral("x")));
        return;
    }
    QVERIFY(store.info().hasGroups);
    const QJsonArray wanted = expected.value(QLatin1String("groups")).toArray();
    QVERIFY2(wanted.size() >= 2, "the fixture should have saved groups");
    const auto listed = TaskGroups::list(store, TaskQuery(), 100);
    QVERIFY2(listed, qPrintable(listed.error().message));
    QCOMPARE(listed->groups.size(), wanted.size());
    for (qsizetype i = 0; i < wanted.size(); ++i) {
        const QJsonObject w = wanted.at(i).toObject();
        const TaskGroup &g = listed->groups.at(i);
        QCOMPARE(g.groupId, w.value(QLatin1String("group_id")).toString());
        QCOMPARE(g.dateDone.toUTC().toString(Qt::ISODateWithMs), w.value(QLatin1String("date_done")).toString());
        QCOMPARE(g.memberIds, stringsOf(w.value(QLatin1String("members")).toArray()));
        QVERIFY2(g.problem.isEmpty(), qPrintable(g.problem));
    }
    // Each member's stored status, read by one lookup of all members.
    const QJsonObject statuses = expected.value(QLatin1String("statuses")).toObject();
    QVERIFY2(!statuses.isEmpty(), "the fixture's group members should have stored results");
    QCOMPARE(listed->rows.size(), statuses.size());
    for (auto it = statuses.begin(); it != statuses.end(); ++it)
        QCOMPARE(listed->rows.value(it.key()).status, it.value().toString());

    // Task -> group, for every member.
    const QJsonObject taskGroups = expected.value(QLatin1String("task_groups")).toObject();
    for (auto it = taskGroups.begin(); it != taskGroups.end(); ++it) {
        const auto of = store.groupsOf(it.key());
        QVERIFY2(of, qPrintable(of.error().message));
        QStringList ids;
        for (const TaskGroup &g : *of)
            ids << g.groupId;
        QCOMPARE(ids, stringsOf(it.value().toArray()));
    }
    const auto none = store.groupsOf(QStringLiteral("no-such-task-0000"));
    QVERIFY(none);
    QVERIFY(none->isEmpty());

    // The date range and the limit: the groups strictly between the newest and the oldest.
    TaskQuery range;
    range.doneBefore = listed->groups.constFirst().dateDone;
    range.doneAfter = listed->groups.constLast().dateDone.addMSecs(1);
    const auto middle = store.groups(range, 100);
    QVERIFY2(middle, qPrintable(middle.error().message));
    QCOMPARE(middle->size(), wanted.size() - 2);
    for (qsizetype i = 0; i < middle->size(); ++i)
        QCOMPARE(middle->at(i).groupId, listed->groups.at(i + 1).groupId);
    const auto newest = store.groups(TaskQuery(), 1);
    QVERIFY(newest);
    QCOMPARE(newest->size(), 1);
    QCOMPARE(newest->constFirst().groupId, listed->groups.constFirst().groupId);
}

void verifyGroupsAsUpstreamReadThem(ResultStore &store, const QJsonArray &savedGroups)
{
    QVERIFY2(!savedGroups.isEmpty(), "the data set should have a saved group");
    QVERIFY(store.info().hasGroups);
    const auto listed = TaskGroups::list(store, TaskQuery(), 100);
    QVERIFY2(listed, qPrintable(listed.error().message));
    QCOMPARE(listed->groups.size(), savedGroups.size());
    QSet<QString> allMembers;
    for (const QJsonValue &v : savedGroups) {
        const QJsonObject w = v.toObject();
        const QString id = w.value(QLatin1String("group_id")).toString();
        const auto found = std::find_if(listed->groups.cbegin(), listed->groups.cend(),
                                        [&](const TaskGroup &g) { return g.groupId == id; });
        QVERIFY2(found != listed->groups.cend(), qPrintable(id));
        const TaskGroup &g = *found;
        const QStringList members = stringsOf(w.value(QLatin1String("members")).toArray());
        QVERIFY(!members.isEmpty());
        QCOMPARE(g.memberIds, members);
        QVERIFY2(g.problem.isEmpty(), qPrintable(g.problem));
        const QJsonValue done = w.value(QLatin1String("date_done"));
        if (done.isNull()) // Celery 5.2 saves groups without a date
            QVERIFY(!g.dateDone.isValid());
        else
            QCOMPARE(g.dateDone, QDateTime::fromString(done.toString(), Qt::ISODateWithMs));
        // Each member's stored status, read by one lookup of all members (from the index).
        const QJsonObject statuses = w.value(QLatin1String("statuses")).toObject();
        QCOMPARE(statuses.size(), members.size()); // every member of the fixture's group is stored
        qint64 missing = -1;
        QMap<QString, qint64> expectedCounts;
        for (auto it = statuses.begin(); it != statuses.end(); ++it) {
            QVERIFY2(listed->rows.contains(it.key()), qPrintable(it.key()));
            QCOMPARE(listed->rows.value(it.key()).status, it.value().toString());
            QCOMPARE(listed->rows.value(it.key()).taskId, it.key());
            ++expectedCounts[it.value().toString()];
        }
        QCOMPARE(listed->statusesOf(g, &missing), expectedCounts);
        QCOMPARE(missing, qint64(0));
        // Task -> group, for every member.
        for (const QString &m : members) {
            allMembers.insert(m);
            const auto of = store.groupsOf(m);
            QVERIFY2(of, qPrintable(of.error().message));
            QVERIFY2(std::any_of(of->cbegin(), of->cend(), [&](const TaskGroup &x) { return x.groupId == id; }), qPrintable(m));
        }
    }
    QCOMPARE(qsizetype(listed->rows.size()), allMembers.size());
    const auto none = store.groupsOf(QStringLiteral("no-such-task-0000"));
    QVERIFY(none);
    QVERIFY(none->isEmpty());
    const auto rows = store.fetchByTaskIds({QStringLiteral("no-such-task-0000")});
    QVERIFY(rows);
    QVERIFY(rows->isEmpty());
    // A closed date range keeps only dated groups.
    TaskQuery range;
    range.doneAfter = QDateTime(QDate(2000, 1, 1), QTime(0, 0), Qt::UTC);
    const auto ranged = store.groups(range, 100);
    QVERIFY2(ranged, qPrintable(ranged.error().message));
    qsizetype dated = 0;
    for (const QJsonValue &v : savedGroups)
        dated += v.toObject().value(QLatin1String("date_done")).isNull() ? 0 : 1;
    QCOMPARE(ranged->size(), dated);
}

QJsonValue runDjangoCacheHelper(const DjangoCacheTarget &cache, const QString &command, const QStringList &args)
{
    QProcess python;
    QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    env.insert(QStringLiteral("PYTHONPATH"), cache.tasksDir);
    python.setProcessEnvironment(env);
    python.start(QStringLiteral("/usr/bin/python3"),
                 QStringList{cache.script, cache.kind, cache.target, cache.table, command} + args);
    if (!python.waitForFinished(120000) || python.exitStatus() != QProcess::NormalExit || python.exitCode() != 0) {
        qWarning("cacheexpiry_expected.py %s failed: %s", qPrintable(command), python.readAllStandardError().constData());
        return QJsonValue(QJsonValue::Undefined);
    }
    const QJsonDocument d = QJsonDocument::fromJson(python.readAllStandardOutput());
    if (d.isArray())
        return d.array();
    if (d.isObject())
        return d.object();
    return QJsonValue(QJsonValue::Undefined);
}

namespace {

QStringList without(QStringList list, const QStringList &gone)
{
    list.removeIf([&gone](const QString &s) { return gone.contains(s); });
    return list;
}

} // namespace

void verifyCacheExpiredPurge(const std::function<std::unique_ptr<ResultStore>()> &open, const DjangoCacheTarget &cache,
                             const QJsonArray &celery, const QString &cutoff, const QStringList &expiredBefore,
                             const ReadTable &storedIds)
{
    QStringList ids;
    QMap<QString, QString> statusOf;
    for (const QJsonValue &v : celery) {
        const QString id = v.toObject().value(QLatin1String("task_id")).toString();
        ids.append(id);
        statusOf.insert(id, v.toObject().value(QLatin1String("status")).toString());
    }
    ids = sorted(ids);
    QCOMPARE(storedIds(), ids);
    // Six aged by Django's own touch() (five an hour ago, the last a minute ago): three of one
    // status and three of others, so that a purge narrowed by status takes a share.
    QString status;
    Counts perStatus;
    for (const QString &s : std::as_const(statusOf))
        ++perStatus[s];
    for (auto it = perStatus.cbegin(); it != perStatus.cend(); ++it) {
        if (it.value() >= 3 && ids.size() - it.value() >= 3)
            status = it.key();
    }
    QStringList same, other;
    for (const QString &id : std::as_const(ids))
        (statusOf.value(id) == status ? same : other).append(id);
    QVERIFY2(same.size() >= 3 && other.size() >= 3, "the data set needs two statuses of three results");
    const QStringList aged = same.mid(0, 3) + other.mid(0, 3);
    auto age = [&cache](int seconds, const QStringList &which) {
        const QJsonObject touched = runDjangoCacheHelper(cache, QStringLiteral("age"), QStringList{QString::number(seconds)} + which).toObject();
        QCOMPARE(touched.size(), which.size());
        for (const QString &id : which)
            QVERIFY2(touched.value(id).toBool(), qPrintable(id));
    };
    age(-3600, aged.mid(0, 5));
    age(-60, aged.mid(5));
    if (QTest::currentTestFailed())
        return;
    auto missing = [&cache](const QStringList &which) {
        return sorted(stringsOf(runDjangoCacheHelper(cache, QStringLiteral("missing"), which).toArray()));
    };
    // Django itself now reads exactly those as missing (Celery: PENDING).
    QCOMPARE(missing(ids), sorted(aged));

    std::unique_ptr<ResultStore> store = open();
    QVERIFY(store);
    QVERIFY(store->info().hasCacheExpiry);
    auto preview = [&store](const PurgeCriteria &criteria) {
        const Outcome<PurgePreview> p = store->previewPurge(criteria);
        if (!p) {
            qWarning() << p.error().message;
            return PurgePreview{-1, {}, 0, -1};
        }
        return *p;
    };
    const QDateTime now = QDateTime::currentDateTimeUtc();
    PurgeCriteria asked;
    asked.cacheExpired = true;
    asked.cacheNow = now;
    PurgePreview p = preview(asked);
    QCOMPARE(p.total, qint64(aged.size()));
    QCOMPARE(p.cacheExpired, qint64(aged.size()));
    QCOMPARE(p.groups, qint64(0));
    Counts byStatus;
    for (const QString &id : aged)
        ++byStatus[statusOf.value(id)];
    QCOMPARE(Counts(p.byStatus), byStatus);
    // Not asked: counted for the dialog's checkbox, not selected (upstream's rule alone: no cutoff, nothing).
    PurgeCriteria notAsked = asked;
    notAsked.cacheExpired = false;
    p = preview(notAsked);
    QCOMPARE(p.total, qint64(0));
    QCOMPARE(p.cacheExpired, qint64(aged.size()));
    // "now" is fixed when the purge starts: an expiry after it is not past it, however late the purge runs.
    PurgeCriteria earlier = asked;
    earlier.cacheNow = now.addSecs(-600);
    QCOMPARE(preview(earlier).total, qint64(5));

    // Narrowed by status: exactly that status' share of them goes, nothing else.
    PurgeCriteria narrowed = asked;
    narrowed.statuses = {status};
    QCOMPARE(preview(narrowed).total, qint64(3));
    Purger purger(*store);
    purger.setBatchSize(2);
    PurgeSummary summary = purger.purge(narrowed, 3);
    QVERIFY2(!summary.error, qPrintable(summary.error.message));
    QCOMPARE(summary.tasksDeleted, qint64(3));
    QCOMPARE(summary.cacheExpiredDeleted, qint64(3));
    QStringList left = without(ids, aged.mid(0, 3));
    QCOMPARE(storedIds(), left);

    // A worker stores one of the rest again after the preview (a fresh expiry): it no longer
    // qualifies, and the purge confirmed before keeps it.
    const QStringList rest = aged.mid(3);
    QCOMPARE(preview(asked).total, qint64(rest.size()));
    QVERIFY(runDjangoCacheHelper(cache, QStringLiteral("rewrite"), {rest.at(0)}).isArray());
    summary = Purger(*store).purge(asked, rest.size());
    QVERIFY2(!summary.error, qPrintable(summary.error.message));
    QCOMPARE(summary.tasksDeleted, qint64(rest.size() - 1));
    QCOMPARE(summary.cacheExpiredDeleted, qint64(rest.size() - 1));
    left = without(left, rest.mid(1));
    QCOMPARE(storedIds(), left);
    QCOMPARE(missing(left), QStringList()); // nothing Django reads as missing is left

    // With a cutoff: the union. Two more aged, one that upstream's rule expires anyway, one it keeps.
    QStringList dated, undated;
    for (const QString &id : std::as_const(left)) {
        if (id == rest.at(0))
            continue;
        (expiredBefore.contains(id) ? dated : undated).append(id);
    }
    QVERIFY2(!dated.isEmpty() && !undated.isEmpty(), "the cutoff must expire some results and keep others");
    store.reset();
    age(-3600, {dated.at(0), undated.at(0)});
    store = open();
    QVERIFY(store);
    PurgeCriteria both = criteriaFor(cutoff);
    both.cacheExpired = true;
    both.cacheNow = QDateTime::currentDateTimeUtc();
    both.includeGroups = true;
    // The rewritten one kept its date done: upstream's rule may still take it.
    QStringList expected = dated + QStringList{undated.at(0)};
    if (expiredBefore.contains(rest.at(0)))
        expected.append(rest.at(0));
    expected = sorted(expected);
    p = preview(both);
    QCOMPARE(p.total, qint64(expected.size()));
    QCOMPARE(p.cacheExpired, qint64(2));
    summary = Purger(*store).purge(both, p.total);
    QVERIFY2(!summary.error, qPrintable(summary.error.message));
    QCOMPARE(summary.tasksDeleted, qint64(expected.size()));
    QCOMPARE(summary.cacheExpiredDeleted, qint64(2));
    QCOMPARE(storedIds(), without(left, expected));
    QCOMPARE(missing(without(left, expected)), QStringList());
}

} // namespace TestSupport

namespace {

/// Task id -> status of every row the store lists (Summary rows: its index, on key-value stores).
QMap<QString, QString> statusesOf(ResultStore &store)
{
    QMap<QString, QString> out;
    const Outcome<QVector<TaskResult>> rows = store.fetchPage(TaskQuery(), 0, 100000);
    if (!rows) {
        qWarning("fetchPage failed: %s", qPrintable(rows.error().message));
        return out;
    }
    for (const TaskResult &t : *rows)
        out.insert(t.taskId, t.status);
    return out;
}

} // namespace

void TestSupport::verifyRefreshFollowsOtherClients(ResultStore &store, const QString &newTaskId, const ChangeKeys &change)
{
    const QMap<QString, QString> before = statusesOf(store);
    const QString started = QStringLiteral("5ea7ed00-0000-4000-8000-000000000002"); // the fixtures' STARTED result
    QCOMPARE(before.value(started), QStringLiteral("STARTED"));
    QString deleted;
    for (auto it = before.cbegin(); it != before.cend() && deleted.isEmpty(); ++it) {
        if (it.value() == QLatin1String("SUCCESS"))
            deleted = it.key();
    }
    QVERIFY(!deleted.isEmpty());
    const QString changed = change({QStringLiteral("started:") + newTaskId, QStringLiteral("done:") + started}, deleted);
    QVERIFY2(changed.isEmpty(), qPrintable(changed));

    QCOMPARE(statusesOf(store), before); // the index as it was read, until a refresh
    const StoreError refreshed = store.refresh();
    QVERIFY2(!refreshed.isError(), qPrintable(refreshed.message));
    QMap<QString, QString> expected = before;
    expected.remove(deleted);
    expected.insert(newTaskId, QStringLiteral("STARTED"));
    expected.insert(started, QStringLiteral("SUCCESS"));
    QCOMPARE(statusesOf(store), expected);
    QCOMPARE(*store.count(TaskQuery()), qint64(expected.size()));
    // Counted, not assumed to be one: Django's DatabaseCache drops a write that fails (a
    // locked SQLite file: `except DatabaseError: return False`), so a fixture task's SUCCESS
    // may never have replaced its STARTED row.
    auto startedIn = [](const QMap<QString, QString> &statuses) {
        return qint64(std::count(statuses.cbegin(), statuses.cend(), QStringLiteral("STARTED")));
    };
    TaskQuery startedOnly;
    startedOnly.statuses = QStringList{QStringLiteral("STARTED")};
    QCOMPARE(*store.count(startedOnly), startedIn(expected));

    // The new task finishes: its STARTED key is read again at the next refresh.
    const QString finished = change({QStringLiteral("done:") + newTaskId}, QString());
    QVERIFY2(finished.isEmpty(), qPrintable(finished));
    QVERIFY(!store.refresh().isError());
    expected.insert(newTaskId, QStringLiteral("SUCCESS"));
    QCOMPARE(statusesOf(store), expected);
    QCOMPARE(*store.count(startedOnly), startedIn(expected));
    const Outcome<TaskResult> row = store.fetchByTaskId(newTaskId);
    QVERIFY(row.ok());
    QCOMPARE(row->result, QStringLiteral("42"));
}
