#include <QDateTime>
#include <QStringList>
#include <QTest>
#include <QVector>

#include <thread>
#include <vector>

#include "couchindex.h"
#include "idcolumn.h"
#include "rowdocids.h"

/// CouchIndex's own bookkeeping: documents found by id and by row id through inserts,
/// updates and removals (its row-id table and text arena), rows read back exactly.
class TestCouchIndex : public QObject
{
    Q_OBJECT

private:
    static QString docId(int i) { return QStringLiteral("celery-task-meta-%1").arg(i, 8, 10, QLatin1Char('0')); }
    static TaskResult task(int i, int version)
    {
        TaskResult t;
        t.taskId = docId(i).mid(17);
        t.status = i % 5 == 0 ? QStringLiteral("FAILURE") : QStringLiteral("SUCCESS");
        t.taskName = QStringLiteral("proj.tasks.t%1").arg(i % 13);
        t.worker = QStringLiteral("celery@w%1").arg(i % 3);
        t.dateDone = QDateTime::fromMSecsSinceEpoch(1700000000000 + qint64(i) * 1000, Qt::UTC);
        t.args = QStringLiteral("[%1, \"Zoë\", \"v%2\"]").arg(i).arg(version);
        t.kwargs = i % 2 ? QStringLiteral("{}") : QString();
        t.result = QString(300, QChar(u'a' + i % 26)) + QString::number(version);
        if (i % 7 == 0)
            t.groupId = QStringLiteral("group-%1").arg(i / 7);
        if (i % 11 == 0)
            t.problems = QStringList{QStringLiteral("one"), QStringLiteral("two")};
        return t;
    }
    static void checkRow(const CouchIndex &index, int i, int version)
    {
        const qint64 slot = index.slotOf(docId(i));
        QVERIFY2(slot >= 0, qPrintable(docId(i)));
        QCOMPARE(index.docId(slot), docId(i));
        QCOMPARE(index.rev(slot), QStringLiteral("%1-abc").arg(version));
        QCOMPARE(index.rowIdOf(slot), CouchIndex::rowIdFor(docId(i)));
        QCOMPARE(index.slotOfRow(index.rowIdOf(slot)), slot);
        const TaskResult expected = task(i, version);
        const TaskResult row = index.summaryRow(slot);
        QCOMPARE(row.taskId, expected.taskId);
        QCOMPARE(row.args, expected.args);
        QCOMPARE(row.kwargs.isNull(), expected.kwargs.isNull());
        QCOMPARE(row.result, expected.result.left(ResultStore::previewChars));
        QCOMPARE(row.groupId, expected.groupId);
        QCOMPARE(row.groupId.isNull(), expected.groupId.isNull());
        QCOMPARE(row.problems, expected.problems);
    }

private slots:
    void shouldKeepEveryIdAsTheColumnWidens()
    {
        // Ids across the 1 -> 2 -> 4 byte boundaries, pushed and overwritten in place.
        IdColumn column;
        std::vector<quint32> expected;
        const quint32 ids[] = {0, 1, 255, 7, 256, 65535, 3, 65536, 0xffffffffu, 42};
        const int widths[] = {1, 1, 1, 1, 2, 2, 2, 4, 4, 4};
        for (size_t k = 0; k < std::size(ids); ++k) {
            for (int r = 0; r < 1000; ++r) {
                column.push_back(ids[k] - quint32(r % 2 && ids[k] > 0));
                expected.push_back(ids[k] - quint32(r % 2 && ids[k] > 0));
            }
            QCOMPARE(column.width(), widths[k]);
            QCOMPARE(column.size(), expected.size());
            for (size_t i = 0; i < expected.size(); ++i)
                QCOMPARE(column[i], expected[i]);
        }
        IdColumn narrow;
        for (quint32 id = 0; id < 300; ++id)
            narrow.push_back(id % 200);
        QCOMPARE(narrow.width(), 1);
        narrow.set(150, 70000); // a set widens the rows before and after it too
        QCOMPARE(narrow.width(), 4);
        for (quint32 id = 0; id < 300; ++id)
            QCOMPARE(narrow[id], id == 150 ? 70000u : id % 200);
    }

    void shouldFilterAndCountValuesPastEveryColumnWidth()
    {
        // 70,000 workers: the worker column goes to 4 bytes a row; statuses stay 1. Every
        // third row fails with a message of its own (the exception pool is apart: the
        // worker ids stay what the worker texts alone need).
        const int n = 70000;
        CouchIndex index;
        for (int i = 0; i < n; ++i) {
            TaskResult t = task(i, 1);
            t.worker = QStringLiteral("celery@host-%1").arg(i);
            t.status = QStringLiteral("SUCCESS");
            if (i % 3 == 0) {
                t.status = QStringLiteral("FAILURE");
                t.result = QStringLiteral(R"({"exc_type": "ValueError", "exc_message": ["bad %1"], "exc_module": "builtins"})").arg(i);
            }
            index.upsert(docId(i), QStringLiteral("1-abc"), t);
        }
        TaskQuery query;
        query.workers = {QStringLiteral("celery@host-69999"), QStringLiteral("celery@host-255"), QStringLiteral("celery@host-65536")};
        QCOMPARE(index.count(query), qint64(3));
        const std::vector<qint64> rows = index.select(query);
        QCOMPARE(rows.size(), size_t(3));
        QStringList workers;
        for (qint64 slot : rows)
            workers << index.summaryRow(slot).worker;
        workers.sort();
        QCOMPARE(workers, QStringList({QStringLiteral("celery@host-255"), QStringLiteral("celery@host-65536"),
                                       QStringLiteral("celery@host-69999")}));
        const Facets facets = index.facets(TaskQuery());
        QCOMPARE(facets.workers.size(), n);
        qint64 failures = 0;
        for (const FacetValue &v : facets.statuses) {
            if (v.value == QLatin1String("FAILURE"))
                failures = v.count;
        }
        QCOMPARE(failures, qint64((n + 2) / 3));
        // Each failure's own message is read back from its row.
        TaskQuery failed;
        failed.workers = {QStringLiteral("celery@host-69999")};
        const FailureTable table = index.failures(failed);
        QCOMPARE(table.groups.size(), 1);
        QVERIFY2(table.groups.first().message.contains(QLatin1String("bad 69999")), qPrintable(table.groups.first().message));
    }

    void shouldFindEveryDocumentThroughUpdatesAndRemovals()
    {
        const int n = 20000;
        CouchIndex index;
        for (int i = 0; i < n; ++i)
            index.upsert(docId(i), QStringLiteral("1-abc"), task(i, 1));
        QCOMPARE(index.liveCount(), qint64(n));
        // Remove every third, update the rest several times (garbage enough for compaction).
        for (int i = 0; i < n; i += 3)
            index.remove(docId(i));
        for (int version = 2; version <= 4; ++version) {
            for (int i = 0; i < n; ++i) {
                if (i % 3 != 0)
                    index.upsert(docId(i), QStringLiteral("%1-abc").arg(version), task(i, version));
            }
        }
        QCOMPARE(index.liveCount(), qint64(n - (n + 2) / 3));
        for (int i = 0; i < n; ++i) {
            if (i % 3 == 0) {
                QCOMPARE(index.slotOf(docId(i)), qint64(-1));
                QCOMPARE(index.slotOfRow(CouchIndex::rowIdFor(docId(i))), qint64(-1));
            } else {
                checkRow(index, i, 4);
            }
        }
        // Back again: a removed document gets a new slot and the same row id.
        for (int i = 0; i < n; i += 3)
            index.upsert(docId(i), QStringLiteral("4-abc"), task(i, 4));
        for (int i = 0; i < n; ++i)
            checkRow(index, i, 4);

        TaskQuery q;
        q.search = QStringLiteral("zoë v4");
        QCOMPARE(index.count(q), qint64(n));
        q.search = QStringLiteral("\"V3\"");
        QCOMPARE(index.count(q), qint64(0));
        q.search = docId(42).mid(17);
        QCOMPARE(index.count(q), qint64(1));
    }

    void shouldSearchTaskNameStatusAndAcrossFieldsAsOneText()
    {
        CouchIndex index;
        for (int i = 0; i < 10; ++i)
            index.upsert(docId(i), QStringLiteral("1-abc"), task(i, 1));
        TaskQuery q;
        q.search = QStringLiteral("FAILURE");
        QCOMPARE(index.count(q), qint64(2));
        q.search = QStringLiteral("Tasks.T1 Success");
        QCOMPARE(index.count(q), qint64(1));
        // The searched fields read as one text joined by U+001F (task id, task name, status,
        // args, ...): a term holding the separator matches across two neighbours.
        q.search = docId(3).mid(30) + QChar(0x1f) + QStringLiteral("proj.tasks.t3");
        QCOMPARE(index.count(q), qint64(1));
        q.search = QStringLiteral("success") + QChar(0x1f) + QStringLiteral("[1,");
        QCOMPARE(index.count(q), qint64(1));
        q.search = QStringLiteral("success") + QChar(0x1f) + QStringLiteral("[5,");
        QCOMPARE(index.count(q), qint64(0));
    }

    void shouldSearchManyRowsOnAllCoresAsOneRowAtATime()
    {
        // Above 65,536 slots the search runs on several threads and its answer is kept for
        // the next call: every row must be decided as the one-row rule decides it, also after
        // the index changed, and for a term in a UTF-16 field.
        const int n = 70000;
        auto rowTask = [](int i, int version) {
            TaskResult t = task(i, version);
            if (i % 1000 == 999)
                t.kwargs = QStringLiteral("{\"city\": \"東京 %1\"}").arg(i);
            return t;
        };
        CouchIndex index(32);
        for (int i = 0; i < n; ++i)
            index.upsert(docId(i), QStringLiteral("1-abc"), rowTask(i, 1));
        auto expected = [&index, &rowTask](const QString &search) {
            PurgeCriteria criteria;
            criteria.search = search;
            qint64 matching = 0;
            for (qint64 s = 0; s < index.slotCount(); ++s) {
                if (!index.isLive(s))
                    continue;
                const int i = index.docId(s).mid(17).toInt();
                const TaskResult t = rowTask(i, index.rev(s).startsWith(QLatin1Char('2')) ? 2 : 1);
                matching += CouchIndex::matchesNarrowing(t, criteria) ? 1 : 0;
            }
            return matching;
        };
        const QStringList searches{QStringLiteral("v1"), QStringLiteral("00012"), QStringLiteral("t7 failure"),
                                   QStringLiteral("京 5999"), QStringLiteral("\"zoë\", \"v1\"]"), QStringLiteral("(6999,"),
                                   QStringLiteral("nowhere"),
                                   // across fields (task name, then status): every row's pooled
                                   // texts are folded on every search thread
                                   QStringLiteral("tasks.t3") + QChar(0x1f) + QStringLiteral("fail")};
        for (const QString &search : searches) {
            TaskQuery q;
            q.search = search;
            const qint64 count = index.count(q);
            QCOMPARE(count, expected(search));
            QCOMPARE(qint64(index.select(q).size()), count);
            qint64 faceted = 0;
            for (const FacetValue &v : index.facets(q).statuses)
                faceted += v.count;
            QCOMPARE(faceted, count);
        }
        TaskQuery q;
        q.search = QStringLiteral("v2");
        QCOMPARE(index.count(q), qint64(0));
        index.upsert(docId(4242), QStringLiteral("2-abc"), task(4242, 2));
        QCOMPARE(index.count(q), qint64(1)); // not the answer kept before the change
        q.search = QStringLiteral("00012");
        const qint64 before = index.count(q);
        index.remove(docId(12));
        QCOMPARE(index.count(q), before - 1);
        QCOMPARE(index.count(q), expected(q.search));
    }

    void shouldKeepExpiriesOnlyOnceARowHasOne()
    {
        // CouchDB documents carry no expiry and the index keeps none for them; the first row
        // with one (a cache key's TTL) starts one per slot, the rows before it keeping none.
        CouchIndex index;
        for (int i = 0; i < 3; ++i)
            index.upsert(docId(i), QStringLiteral("1-abc"), task(i, 1));
        QVERIFY(!index.expires(index.slotOf(docId(1))).isValid());
        TaskResult expiring = task(3, 1);
        expiring.expires = QDateTime::fromMSecsSinceEpoch(1800000000123, Qt::UTC);
        index.upsert(docId(3), QStringLiteral("1-abc"), expiring);
        index.upsert(docId(4), QStringLiteral("1-abc"), task(4, 1));
        TaskResult later = task(1, 2);
        later.expires = QDateTime::fromMSecsSinceEpoch(1800000000456, Qt::UTC);
        index.upsert(docId(1), QStringLiteral("2-abc"), later);
        QCOMPARE(index.expires(index.slotOf(docId(3))), expiring.expires);
        QCOMPARE(index.expires(index.slotOf(docId(1))), later.expires);
        for (int i : {0, 2, 4})
            QVERIFY(!index.expires(index.slotOf(docId(i))).isValid());
        index.upsert(docId(3), QStringLiteral("2-abc"), task(3, 2)); // rewritten without one
        QVERIFY(!index.expires(index.slotOf(docId(3))).isValid());
        QVERIFY(!index.expires(-1).isValid());
    }

    void shouldFilterByTheExceptionItKeeps()
    {
        // The rows' exceptions as Celery stores them: JSON exc_type, a traceback alone, none.
        CouchIndex index;
        const auto add = [&index](int i, const QString &result, const QString &traceback) {
            TaskResult t = task(i, 1);
            t.result = result;
            t.traceback = traceback;
            index.upsert(docId(i), QStringLiteral("1-abc"), t);
        };
        add(1, QStringLiteral(R"({"exc_type": "ValueError", "exc_message": ["x"], "exc_module": "builtins"})"), QString());
        add(2, QStringLiteral(R"({"exc_type": "PaymentDeclined", "exc_message": ["y"], "exc_module": "proj.billing"})"),
            QString());
        add(3, QStringLiteral("null"), QStringLiteral("Traceback (most recent call last):\n  File \"t.py\"\nValueError: z\n"));
        add(4, QStringLiteral("42"), QString());
        add(5, QStringLiteral(R"({"note": "exc_type ValueError"})"), QString());
        TaskQuery q;
        q.exceptions = {QStringLiteral("ValueError")};
        QCOMPARE(index.count(q), qint64(2));
        q.exceptions = {QStringLiteral("builtins.ValueError"), QStringLiteral("proj.billing.PaymentDeclined")};
        QCOMPARE(index.count(q), qint64(3));
        q.exceptions = {QStringLiteral("billing.PaymentDeclined"), QStringLiteral("%"), QStringLiteral("Value_rror")};
        QCOMPARE(index.count(q), qint64(0));
        q.exceptions = {QStringLiteral("ValueError")};
        const FailureTable table = index.failures(q);
        QCOMPARE(table.groups.size(), 2); // two messages
        for (const FailureGroup &group : table.groups)
            QCOMPARE(group.exception, QStringLiteral("ValueError"));
    }

    void shouldNarrowAPurgeAsItsQueryAndAsTheOneRowRule()
    {
        // A purge narrowed by a search and exceptions selects what count() counts among the
        // expired rows, and CouchIndex::matchesNarrowing() (a document re-read at delete time)
        // agrees with that selection row by row.
        CouchIndex index;
        QVector<TaskResult> rows;
        for (int i = 0; i < 60; ++i) {
            TaskResult t = task(i, 1);
            t.args = i % 4 ? QStringLiteral("[%1, \"Zo\\u00eb\"]").arg(i) : QStringLiteral("[%1]").arg(i);
            if (i % 5 == 0)
                t.result = QStringLiteral(R"({"exc_type": "ValueError", "exc_message": ["bad %1"], "exc_module": "builtins"})").arg(i);
            if (i % 10 == 3)
                t.traceback = QStringLiteral("Traceback (most recent call last):\nproj.Declined: no\n");
            index.upsert(docId(i), QStringLiteral("1-abc"), t);
            rows << t;
        }
        const QDateTime bound = rows.at(40).dateDone; // rows 0-39 expired
        int narrowed = 0; // searches that select some expired rows, not all
        for (const QString &search :
             {QString(), QStringLiteral("zoë"), QStringLiteral(", 'zoë')"), QStringLiteral("FAILURE t1"),
              QStringLiteral("success") + QChar(0x1f) + QStringLiteral("[1,"), QStringLiteral("nothing-holds-this")}) {
            for (const QStringList &exceptions : {QStringList(), QStringList{QStringLiteral("ValueError")},
                                                  QStringList{QStringLiteral("proj.Declined"), QStringLiteral("builtins.ValueError")}}) {
                TaskQuery q;
                q.search = search;
                q.exceptions = exceptions;
                const Outcome<PurgeCriteria> criteria = purgeCriteriaFor(q, bound);
                QVERIFY(criteria.ok());
                const std::vector<qint64> expired = index.expired(*criteria);
                q.doneBefore = bound;
                QCOMPARE(qint64(expired.size()), index.count(q));
                narrowed += !expired.empty() && expired.size() < 40;
                for (int i = 0; i < rows.size(); ++i) {
                    const bool selected = std::find(expired.cbegin(), expired.cend(), index.slotOf(docId(i))) != expired.cend();
                    const bool byRule = criteria->matches(rows.at(i)) && CouchIndex::matchesNarrowing(rows.at(i), *criteria);
                    QVERIFY2(selected == byRule, qPrintable(QStringLiteral("row %1, search '%2', exceptions %3")
                                                                .arg(i).arg(search, exceptions.join(u','))));
                }
            }
        }
        QVERIFY2(narrowed >= 10, qPrintable(QString::number(narrowed)));
    }

    void shouldKeepDocumentIdsOfAnyShape()
    {
        // The first id sets the shared start; others have another start, none, or an id that
        // does not end with the task id (Redis keys under a prefix, foreign documents).
        // Entries are encoded without the index, each without its own start (entry()); the
        // index re-makes those whose start is not the shared one. In either order, with the
        // shared start set by the first row or by the second.
        const QStringList ids{docId(1), QStringLiteral("prefix:celery-task-meta-x1"), QStringLiteral("celery-task-meta-"),
                              docId(2) + QStringLiteral("-copy"), QStringLiteral("zoë-東京-🦘"), QStringLiteral("celery-task-meta-Zoë")};
        for (const bool reversed : {false, true}) {
            CouchIndex index;
            for (int k = 0; k < ids.size(); ++k) {
                const int i = reversed ? int(ids.size()) - 1 - k : k;
                TaskResult t = task(i, 1);
                t.taskId = i == 1 ? QStringLiteral("x1") : ids.at(i).mid(17);
                index.upsert(ids.at(i), QStringLiteral("1-abc"), t);
            }
            QCOMPARE(index.liveCount(), qint64(ids.size()));
            for (int i = 0; i < ids.size(); ++i) {
                const QString &id = ids.at(i);
                const qint64 slot = index.slotOf(id);
                QVERIFY2(slot >= 0, qPrintable(id));
                QCOMPARE(index.docId(slot), id);
                QCOMPARE(index.slotOfRow(CouchIndex::rowIdFor(id)), slot);
                const QString taskId = i == 1 ? QStringLiteral("x1") : id.mid(17);
                QCOMPARE(index.summaryRow(slot).taskId, taskId);
                if (taskId.size() >= 3) {
                    TaskQuery q;
                    q.search = taskId;
                    const std::vector<qint64> found = index.select(q);
                    QVERIFY2(std::find(found.cbegin(), found.cend(), slot) != found.cend(), qPrintable(taskId));
                }
            }
            QCOMPARE(index.slotOf(QStringLiteral("celery-task-meta-x1")), qint64(-1));
            QCOMPARE(index.slotOf(docId(3)), qint64(-1));
        }
    }

    void shouldKeepEveryRevExactly()
    {
        const QString hash = QStringLiteral("0123456789abcdef0f1e2d3c4b5a6978");
        const QStringList revs{QStringLiteral("1-") + hash, QStringLiteral("123456789012-") + hash,
                               QStringLiteral("2-") + hash.toUpper(), QStringLiteral("3-") + hash.left(31),
                               QStringLiteral("4-") + hash + QLatin1Char('0'), QStringLiteral("-") + hash,
                               QStringLiteral("x-") + hash, QStringLiteral("1-abc"), QString(QLatin1String("")), QString()};
        CouchIndex index;
        for (int i = 0; i < revs.size(); ++i)
            index.upsert(docId(i), revs.at(i), task(i, 1));
        for (int i = 0; i < revs.size(); ++i) {
            const QString rev = index.rev(index.slotOf(docId(i)));
            QCOMPARE(rev, revs.at(i));
            QCOMPARE(rev.isNull(), revs.at(i).isNull());
        }
    }

    void shouldKeepAsMuchOfEachResultAsItIsTold()
    {
        CouchIndex whole, cut(32);
        QCOMPARE(whole.resultPreviewChars(), ResultStore::previewChars);
        QCOMPARE(cut.resultPreviewChars(), 32);
        for (int i = 0; i < 4; ++i) {
            TaskResult t = task(i, 1);
            if (i == 3)
                t.result = QStringLiteral("\"tiny\"");
            whole.upsert(docId(i), QStringLiteral("1-abc"), t);
            cut.upsert(docId(i), QStringLiteral("1-abc"), t);
        }
        for (int i = 0; i < 4; ++i) {
            const QString result = i == 3 ? QStringLiteral("\"tiny\"") : task(i, 1).result;
            QCOMPARE(whole.summaryRow(whole.slotOf(docId(i))).result, result.left(ResultStore::previewChars));
            QVERIFY(!whole.needsResultPreview(whole.slotOf(docId(i))));
            QCOMPARE(cut.summaryRow(cut.slotOf(docId(i))).result, result.left(32));
            QCOMPARE(cut.needsResultPreview(cut.slotOf(docId(i))), i != 3); // "tiny" is whole
        }
        // An update that shortens the result is whole again; a removed row needs nothing.
        TaskResult shorter = task(0, 2);
        shorter.result = QStringLiteral("7");
        cut.upsert(docId(0), QStringLiteral("2-abc"), shorter);
        QVERIFY(!cut.needsResultPreview(cut.slotOf(docId(0))));
        const qint64 gone = cut.slotOf(docId(1));
        cut.remove(docId(1));
        QVERIFY(!cut.needsResultPreview(gone));
    }

    void shouldStoreEntriesPreparedOnOtherThreadsAsItsOwn()
    {
        // KeyValueStore's loader prepares entries on a thread pool and upserts them under its
        // lock: the index must come out as if it had upserted the documents itself.
        const int n = 3000;
        CouchIndex direct(32), prepared(32);
        for (int i = 0; i < n; ++i)
            direct.upsert(docId(i), QStringLiteral("1-abc"), task(i, 1));
        std::vector<CouchIndex::Entry> entries(n);
        std::vector<std::thread> threads;
        for (int k = 0; k < 3; ++k) {
            threads.emplace_back([&entries, k] {
                for (int i = k; i < n; i += 3)
                    entries[size_t(i)] = CouchIndex::entry(docId(i), QStringLiteral("1-abc"), task(i, 1), 32);
            });
        }
        for (std::thread &t : threads)
            t.join();
        for (CouchIndex::Entry &e : entries)
            prepared.upsert(std::move(e));
        QCOMPARE(prepared.liveCount(), direct.liveCount());
        for (int i = 0; i < n; ++i) {
            const qint64 a = direct.slotOf(docId(i)), b = prepared.slotOf(docId(i));
            QCOMPARE(prepared.summaryRow(b), direct.summaryRow(a));
            QCOMPARE(prepared.rev(b), direct.rev(a));
            QCOMPARE(prepared.needsResultPreview(b), direct.needsResultPreview(a));
        }
        for (const QString &search : {QStringLiteral("zoë v1"), QStringLiteral("(7, 'zoë'"), QStringLiteral("FAILURE"),
                                      docId(42).mid(17)}) {
            TaskQuery q;
            q.search = search;
            QCOMPARE(prepared.count(q), direct.count(q));
            QVERIFY(prepared.count(q) > 0);
        }
        QCOMPARE(prepared.facets(TaskQuery()), direct.facets(TaskQuery()));
    }

    void shouldSortByTextsLikeQString()
    {
        CouchIndex index;
        const QStringList results{QStringLiteral("b"), QStringLiteral("東"), QString(), QStringLiteral("B"),
                                  QString(QLatin1String("")), QStringLiteral("ÿ"), QStringLiteral("bb")};
        for (int i = 0; i < results.size(); ++i) {
            TaskResult t = task(i, 1);
            t.result = results.at(i);
            index.upsert(docId(i), QStringLiteral("1-abc"), t);
        }
        TaskQuery q;
        q.sortField = Field::Result;
        q.sortOrder = Qt::AscendingOrder;
        QStringList got;
        for (qint64 slot : index.select(q))
            got.append(index.summaryRow(slot).result);
        QStringList expected = results;
        std::stable_sort(expected.begin(), expected.end(), [](const QString &a, const QString &b) {
            if (a.isNull() != b.isNull())
                return a.isNull();
            return a.compare(b) < 0;
        });
        QCOMPARE(got, expected);
        QVERIFY(got.first().isNull());
    }

    // The views mode's row id -> document id map keeps Celery's ids as 16 bytes: every id
    // comes back exactly as it went in, packed or not.
    void shouldGiveBackEveryDocumentIdAsHandedOut()
    {
        RowDocIds ids;
        const QStringList docIds{
            QStringLiteral("celery-task-meta-0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0"),
            QStringLiteral("celery-task-meta-ffffffff-ffff-ffff-ffff-ffffffffffff"),
            QStringLiteral("celery-task-meta-00000000-0000-0000-0000-000000000000"),
            QStringLiteral("celery-task-meta-0F1E2D3C-4B5A-6978-8796-A5B4C3D2E1F0"), // upper case: text
            QStringLiteral("celery-task-meta-0f1e2d3c4b5a69788796a5b4c3d2e1f0abcd"), // no dashes: text
            QStringLiteral("celery-task-meta-0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f"),  // one short: text
            QStringLiteral("celery-task-meta-0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1fg"), // not hex: text
            QStringLiteral("celery-task-meta-my-own-id"),
            QStringLiteral("celery-task-meta-Zoë"),
            QStringLiteral("x-celery-task-meta-0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0"),
        };
        for (int i = 0; i < docIds.size(); ++i)
            ids.insert(1000 + i, docIds.at(i));
        QCOMPARE(ids.size(), docIds.size());
        for (int i = 0; i < docIds.size(); ++i) {
            QVERIFY(ids.contains(1000 + i));
            QCOMPARE(ids.value(1000 + i), docIds.at(i));
        }
        QVERIFY(!ids.contains(7));
        QVERIFY(ids.value(7).isNull());
        // A row id handed out again with another id (a hash collision's probe) keeps the last.
        ids.insert(1000, docIds.at(7));
        ids.insert(1007, docIds.at(0));
        QCOMPARE(ids.value(1000), docIds.at(7));
        QCOMPARE(ids.value(1007), docIds.at(0));
        QCOMPARE(ids.size(), docIds.size());
    }
};

QTEST_APPLESS_MAIN(TestCouchIndex)
#include "tst_couchindex.moc"
