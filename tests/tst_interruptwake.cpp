// wakeAfterInterrupt(): the interrupting thread (the GUI thread, when a new query interrupts
// a store) never waits for the lock a store's long step holds, and every thread waiting on
// the condition is woken, not left to its timeout.
#include "interruptwake.h"

#include <QTest>

#include <atomic>
#include <thread>

class TestInterruptWake : public QObject
{
    Q_OBJECT

private slots:
    void shouldReturnWhileTheLockIsHeld();
    void shouldWakeAThreadWaiting();
    void shouldWakeAWaiterWhileAnotherThreadHoldsTheLock();
};

namespace {

/// A thread waiting on `changed` until interrupted, as the stores' waitFor() does, with a wait
/// far longer than the test: timedOut says whether a wait ran out instead of being woken.
struct Waiting
{
    QMutex mutex;
    QWaitCondition changed;
    std::atomic_bool interrupted{false};
    std::atomic_bool waiting{false};
    std::atomic_bool timedOut{false};
    std::thread thread;

    ~Waiting()
    {
        if (thread.joinable()) { // a check failed midway
            interrupt();
            thread.join();
        }
    }
    /// Starts the waiter and returns once it is inside wait(): it set `waiting` under the
    /// lock, and the lock is free again only when it waits.
    void start()
    {
        thread = std::thread([this] {
            QMutexLocker lock(&mutex);
            waiting.store(true);
            while (!interrupted.load()) {
                if (!changed.wait(&mutex, 60000)) {
                    timedOut.store(true);
                    return;
                }
            }
        });
        QTRY_VERIFY_WITH_TIMEOUT(waiting.load(), 10000);
        QMutexLocker lock(&mutex);
    }
    /// What a store's interrupt() does.
    void interrupt()
    {
        interrupted.store(true);
        wakeAfterInterrupt(mutex, changed);
    }
};

} // namespace

void TestInterruptWake::shouldReturnWhileTheLockIsHeld()
{
    QMutex mutex;
    QWaitCondition changed;
    mutex.lock(); // a store's thread in a long step
    std::atomic_bool returned{false};
    std::thread interrupter([&] {
        wakeAfterInterrupt(mutex, changed);
        returned.store(true);
    });
    const bool returnedWhileHeld = QTest::qWaitFor([&] { return returned.load(); }, 10000);
    mutex.unlock();
    interrupter.join();
    QVERIFY(returnedWhileHeld);
}

void TestInterruptWake::shouldWakeAThreadWaiting()
{
    Waiting w;
    w.start();
    w.interrupt();
    w.thread.join();
    QVERIFY(!w.timedOut.load());
}

void TestInterruptWake::shouldWakeAWaiterWhileAnotherThreadHoldsTheLock()
{
    Waiting w;
    w.start();
    // A third thread takes the lock for a long step while the waiter waits.
    std::atomic_bool holding{false}, release{false};
    std::thread holder([&] {
        QMutexLocker lock(&w.mutex);
        holding.store(true);
        while (!release.load())
            QThread::msleep(1);
    });
    QTRY_VERIFY_WITH_TIMEOUT(holding.load(), 10000);
    std::atomic_bool returned{false};
    std::thread interrupter([&] {
        w.interrupt();
        returned.store(true);
    });
    const bool returnedWhileHeld = QTest::qWaitFor([&] { return returned.load(); }, 10000);
    release.store(true);
    holder.join();
    interrupter.join();
    w.thread.join();
    QVERIFY(returnedWhileHeld);
    QVERIFY(!w.timedOut.load());
}

QTEST_GUILESS_MAIN(TestInterruptWake)
#include "tst_interruptwake.moc"
