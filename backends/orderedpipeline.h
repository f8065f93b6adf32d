#pragma once

#include <QMutex>
#include <QThread>
#include <QThreadPool>
#include <QWaitCondition>

#include <deque>
#include <functional>
#include <memory>

/// Work items run on a private thread pool, their results handed to one sink in the order the
/// items were submitted, on the submitting thread. A loader decodes batches this way on every
/// core while it reads the next batch from the network, and still applies them in listing
/// order (a key listed twice keeps its later value).
///
/// submit() hands over the results already done at the front (without waiting), and waits
/// for the oldest only when maxPending items are in flight: memory stays bounded by
/// maxPending batches. finish() sinks the rest. The destructor waits for running items
/// without sinking them (a cancelled load). Not thread-safe itself: one submitting thread.
template<typename Result>
class OrderedPipeline final
{
public:
    using Sink = std::function<void(Result &&)>;

    /// threads <= 0: QThread::idealThreadCount().
    OrderedPipeline(Sink sink, int threads = 0, int maxPending = 0)
        : m_sink(std::move(sink))
    {
        const int n = threads > 0 ? threads : std::max(1, QThread::idealThreadCount());
        m_pool.setMaxThreadCount(n);
        m_maxPending = maxPending > 0 ? size_t(maxPending) : size_t(2 * n + 1);
    }
    ~OrderedPipeline() { m_pool.waitForDone(); }
    OrderedPipeline(const OrderedPipeline &) = delete;
    OrderedPipeline &operator=(const OrderedPipeline &) = delete;

    void submit(std::function<Result()> work)
    {
        auto slot = std::make_shared<Slot>();
        m_pending.push_back(slot);
        m_pool.start([slot, work = std::move(work)] {
            Result r = work();
            QMutexLocker lock(&slot->mutex);
            slot->result = std::move(r);
            slot->ready = true;
            slot->done.wakeAll();
        });
        sinkFront(false);
        while (m_pending.size() > m_maxPending)
            sinkOne();
    }

    /// Waits for every submitted item and sinks the rest, in order.
    void finish() { sinkFront(true); }

private:
    struct Slot
    {
        QMutex mutex;
        QWaitCondition done;
        bool ready = false;
        Result result;
    };

    /// Sinks the front items that are done; with wait, every item.
    void sinkFront(bool wait)
    {
        while (!m_pending.empty()) {
            {
                const std::shared_ptr<Slot> &front = m_pending.front();
                QMutexLocker lock(&front->mutex);
                if (!front->ready && !wait)
                    return;
            }
            sinkOne();
        }
    }

    /// Waits for the front item and sinks it.
    void sinkOne()
    {
        std::shared_ptr<Slot> front = m_pending.front();
        m_pending.pop_front();
        Result r;
        {
            QMutexLocker lock(&front->mutex);
            while (!front->ready)
                front->done.wait(&front->mutex);
            r = std::move(front->result);
        }
        m_sink(std::move(r));
    }

    Sink m_sink;
    QThreadPool m_pool;
    size_t m_maxPending = 1;
    std::deque<std::shared_ptr<Slot>> m_pending;
};
