#include "pagecache.h"

#include <QTest>

namespace {

/// A page of `size` rows whose row ids start at `firstId`.
Page page(qint64 firstId, int size)
{
    Page rows;
    for (int i = 0; i < size; ++i) {
        PageRow row;
        row.row.rowId = firstId + i;
        row.row.taskId = QStringLiteral("task-%1").arg(firstId + i);
        row.argsPreview = QStringLiteral("(%1,)").arg(firstId + i);
        row.resultPreview = QString::number(firstId + i);
        rows.append(row);
    }
    return rows;
}

} // namespace

/// TaskResultModel's page cache on its own: the bound, least-recently-used eviction, cutting
/// at a new end, early pages and the requests of a generation. Pure logic, no threads.
class TestPageCache final : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void shouldKeepAPageWithItsRowsAndPreviewsTogether();
    void shouldNeverHoldMoreThanMaxPages();
    void shouldEvictTheLeastRecentlyUsedPage();
    void shouldNeverEvictThePageJustInserted();
    void shouldCutPagesAtANewEnd();
    void shouldListPagesByRecentUse();
    void shouldFindARowIdOnlyBelowTheRowCount();
    void shouldAdoptEarlyPagesBelowTheCountOnly();
    void shouldNotAskAgainForPendingOrFailedPagesUntilTheNextGeneration();
};

void TestPageCache::shouldKeepAPageWithItsRowsAndPreviewsTogether()
{
    PageCache cache(10, 4);
    QCOMPARE(cache.pageSize(), 10);
    QCOMPARE(cache.maxPages(), 4);
    QVERIFY(cache.isEmpty());
    cache.insert(2, page(21, 10));
    QVERIFY(cache.contains(2));
    QCOMPARE(cache.size(), 1);
    const PageRow *row = cache.useRow(23);
    QVERIFY(row);
    QCOMPARE(row->row.rowId, 24);
    QCOMPARE(row->argsPreview, QStringLiteral("(24,)"));
    QCOMPARE(row->resultPreview, QStringLiteral("24"));
    QVERIFY(!cache.useRow(5));  // page 0 is not cached
    QVERIFY(!cache.useRow(-1));
    cache.insert(3, page(31, 4)); // a short last page
    QVERIFY(cache.useRow(33));
    QVERIFY(!cache.useRow(34));
    QVERIFY(!cache.peek(7));
    QCOMPARE(cache.peek(3)->size(), 4);
    cache.remove(3);
    QVERIFY(!cache.contains(3));
    cache.clear();
    QVERIFY(cache.isEmpty());
}

void TestPageCache::shouldNeverHoldMoreThanMaxPages()
{
    PageCache cache(10, 4);
    for (int p = 0; p < 100; ++p) {
        cache.insert(p, page(p * 10, 10));
        QVERIFY(cache.size() <= 4);
    }
    QCOMPARE(cache.size(), 4);
    // The last four, in a scroll that never looked back.
    for (int p = 96; p < 100; ++p)
        QVERIFY(cache.contains(p));
}

void TestPageCache::shouldEvictTheLeastRecentlyUsedPage()
{
    PageCache cache(10, 3);
    cache.insert(0, page(0, 10));
    cache.insert(1, page(10, 10));
    cache.insert(2, page(20, 10));
    QVERIFY(cache.use(0)); // the view looked at page 0 again: page 1 is now the oldest
    cache.insert(3, page(30, 10));
    QVERIFY(cache.contains(0));
    QVERIFY(!cache.contains(1));
    QVERIFY(cache.contains(2));
    QVERIFY(cache.contains(3));
    // peek() does not count as a use.
    QVERIFY(cache.peek(2));
    cache.insert(4, page(40, 10));
    QVERIFY(!cache.contains(2));
}

void TestPageCache::shouldNeverEvictThePageJustInserted()
{
    PageCache cache(10, 1);
    cache.insert(5, page(50, 10));
    cache.insert(6, page(60, 10));
    QCOMPARE(cache.size(), 1);
    QVERIFY(cache.contains(6));
    // Inserting a page again replaces it.
    cache.insert(6, page(600, 3));
    QCOMPARE(cache.peek(6)->size(), 3);
    QCOMPARE(cache.peek(6)->first().row.rowId, 600);
}

void TestPageCache::shouldCutPagesAtANewEnd()
{
    PageCache cache(10, 8);
    for (int p = 0; p < 4; ++p)
        cache.insert(p, page(p * 10, 10));
    cache.truncate(25); // rows 25.. are gone: page 2 keeps 5 rows, page 3 goes
    QVERIFY(cache.contains(0));
    QCOMPARE(cache.peek(1)->size(), 10);
    QCOMPARE(cache.peek(2)->size(), 5);
    QCOMPARE(cache.peek(2)->last().row.rowId, 24);
    QCOMPARE(cache.peek(2)->last().resultPreview, QStringLiteral("24"));
    QVERIFY(!cache.contains(3));
    cache.truncate(20); // exactly at a page boundary
    QVERIFY(!cache.contains(2));
    QCOMPARE(cache.peek(1)->size(), 10);
    cache.truncate(0);
    QVERIFY(cache.isEmpty());
}

void TestPageCache::shouldListPagesByRecentUse()
{
    PageCache cache(10, 8);
    cache.insert(4, page(40, 10));
    cache.insert(1, page(10, 10));
    cache.insert(7, page(70, 10));
    cache.useRow(45);
    QCOMPARE(cache.pagesByRecentUse(), (QVector<int>{4, 7, 1}));
    QVERIFY(PageCache(10, 8).pagesByRecentUse().isEmpty());
}

void TestPageCache::shouldFindARowIdOnlyBelowTheRowCount()
{
    PageCache cache(10, 8);
    cache.insert(0, page(100, 10));
    cache.insert(3, page(500, 10));
    QCOMPARE(cache.rowOfRowId(104, 40), 4);
    QCOMPARE(cache.rowOfRowId(502, 40), 32);
    QCOMPARE(cache.rowOfRowId(502, 32), -1); // beyond the rows shown
    QCOMPARE(cache.rowOfRowId(999, 40), -1);
}

void TestPageCache::shouldAdoptEarlyPagesBelowTheCountOnly()
{
    PageCache cache(10, 8);
    cache.insert(0, page(0, 10));
    QVERIFY(!cache.hasEarly());
    cache.holdEarly(1, page(1000, 10));
    cache.holdEarly(5, page(5000, 10));
    QVERIFY(cache.hasEarly());
    // Early pages are not shown until adopted.
    QVERIFY(!cache.contains(1));
    cache.adoptEarly(30); // the count says 30 rows: page 5 lies beyond them
    QVERIFY(!cache.hasEarly());
    QCOMPARE(cache.peek(1)->first().row.rowId, 1000);
    QVERIFY(!cache.contains(5));
    QVERIFY(cache.contains(0));

    cache.holdEarly(2, page(2000, 10));
    cache.clearEarly();
    cache.adoptEarly(100);
    QVERIFY(!cache.contains(2));
}

void TestPageCache::shouldNotAskAgainForPendingOrFailedPagesUntilTheNextGeneration()
{
    PageCache cache(10, 8);
    QVERIFY(cache.mayRequest(0));
    cache.setPending(0);
    QVERIFY(cache.isPending(0));
    QVERIFY(!cache.mayRequest(0));
    cache.setAnswered(0);
    QVERIFY(!cache.isPending(0));
    QVERIFY(cache.mayRequest(0));

    cache.setPending(3);
    cache.setFailed(3);
    QVERIFY(!cache.isPending(3));
    QVERIFY(!cache.mayRequest(3)); // a failed page is not asked for again...
    cache.setPending(4);
    cache.insert(0, page(0, 10));
    cache.holdEarly(6, page(60, 10));
    cache.startGeneration(); // ...until the next generation
    QVERIFY(cache.mayRequest(3));
    QVERIFY(cache.mayRequest(4));
    QVERIFY(!cache.hasEarly());
    QVERIFY(cache.contains(0)); // shown pages stay until their new versions come
}

QTEST_APPLESS_MAIN(TestPageCache)
#include "tst_pagecache.moc"
