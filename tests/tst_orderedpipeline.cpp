// OrderedPipeline: results reach the sink in submission order whatever order the work
// finishes in, at most maxPending items are in flight, and a pipeline dropped without
// finish() waits for its running items without sinking them.
#include "orderedpipeline.h"

#include <QTest>

#include <atomic>
#include <vector>

class TestOrderedPipeline : public QObject
{
    Q_OBJECT

private slots:
    void shouldSinkInSubmissionOrder();
    void shouldBoundTheItemsInFlight();
    void shouldWaitWithoutSinkingWhenDropped();
};

void TestOrderedPipeline::shouldSinkInSubmissionOrder()
{
    std::vector<int> sunk;
    {
        OrderedPipeline<int> pipeline([&sunk](int &&i) { sunk.push_back(i); }, 4, 16);
        for (int i = 0; i < 40; ++i) {
            // Early items take longest, so later ones finish first.
            pipeline.submit([i] {
                QThread::msleep(static_cast<unsigned long>((40 - i) % 9));
                return i;
            });
        }
        pipeline.finish();
        QCOMPARE(int(sunk.size()), 40);
    }
    for (int i = 0; i < 40; ++i)
        QCOMPARE(sunk[size_t(i)], i);
}

void TestOrderedPipeline::shouldBoundTheItemsInFlight()
{
    constexpr int maxPending = 3;
    int submitted = 0;
    int sunk = 0;
    int worst = 0;
    OrderedPipeline<int> pipeline([&sunk](int &&) { ++sunk; }, 2, maxPending);
    for (int i = 0; i < 30; ++i) {
        pipeline.submit([] {
            QThread::msleep(2);
            return 0;
        });
        ++submitted;
        worst = std::max(worst, submitted - sunk);
    }
    QVERIFY2(worst <= maxPending, qPrintable(QString::number(worst)));
    QVERIFY(sunk > 0); // sunk while submitting, not only at finish()
    pipeline.finish();
    QCOMPARE(sunk, 30);
}

void TestOrderedPipeline::shouldWaitWithoutSinkingWhenDropped()
{
    std::atomic<int> ran{0};
    int sunk = 0;
    {
        OrderedPipeline<int> pipeline([&sunk](int &&) { ++sunk; }, 2, 8);
        for (int i = 0; i < 4; ++i) {
            pipeline.submit([&ran] {
                QThread::msleep(30);
                ran.fetch_add(1);
                return 0;
            });
        }
    }
    QCOMPARE(ran.load(), 4); // the destructor waited for every running item
    QCOMPARE(sunk, 0);
}

QTEST_GUILESS_MAIN(TestOrderedPipeline)
#include "tst_orderedpipeline.moc"
