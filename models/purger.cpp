#include "purger.h"

#include <algorithm>

#include <QElapsedTimer>

Purger::Purger(ResultStore &store) : m_store(store) { }

namespace {

/// Runs one batch, keeping the summary's timing and counts exact whatever happens.
template<typename Call>
bool runBatch(PurgeSummary &summary, Call &&call, bool *finished)
{
    QElapsedTimer batchTimer;
    batchTimer.start();
    const Outcome<DeleteBatch> batch = call();
    summary.longestBatchMs = std::max(summary.longestBatchMs, batchTimer.elapsed());
    if (!batch) {
        summary.error = batch.error();
        return false;
    }
    ++summary.batches;
    summary.tasksDeleted += batch->tasks;
    summary.groupsDeleted += batch->groups;
    if (finished)
        *finished = batch->finished || (batch->tasks == 0 && batch->groups == 0);
    return true;
}

} // namespace

int Purger::nextBatchSize(int current, qint64 rows, qint64 elapsedMs)
{
    // A batch that deleted fewer rows than asked was the last one; a duration of 0 ms says
    // nothing but "fast": grow.
    const double scaled = elapsedMs > 0 ? double(rows) * targetBatchMs / double(elapsedMs) : 2.0 * current;
    const double next = std::min(scaled, 2.0 * current);
    return int(std::clamp(next, double(minAdaptiveBatch), double(maxAdaptiveBatch)));
}

PurgeSummary Purger::purge(const PurgeCriteria &criteria, qint64 expected)
{
    PurgeSummary summary;
    summary.expected = expected;
    QElapsedTimer timer;
    timer.start();
    const bool adaptive = m_batchSize <= 0;
    int batchSize = adaptive ? firstAdaptiveBatch : m_batchSize;
    for (;;) {
        if (m_cancelled.load()) {
            summary.cancelled = true;
            break;
        }
        // A batch that deleted nothing means nothing expired is left (another process may
        // have deleted the rest): stop rather than spin.
        bool finished = false;
        const qint64 deletedBefore = summary.tasksDeleted + summary.groupsDeleted;
        QElapsedTimer batchTimer;
        batchTimer.start();
        if (!runBatch(summary, [&] { return m_store.purgeBatch(criteria, batchSize); }, &finished))
            break;
        const qint64 rows = summary.tasksDeleted + summary.groupsDeleted - deletedBefore;
        if (adaptive && rows >= batchSize)
            batchSize = nextBatchSize(batchSize, rows, batchTimer.elapsed());
        if (m_progress)
            m_progress(summary.tasksDeleted, expected);
        if (finished)
            break;
    }
    summary.elapsedMs = timer.elapsed();
    return summary;
}

PurgeSummary Purger::deleteRows(const QVector<qint64> &rowIds)
{
    PurgeSummary summary;
    summary.expected = rowIds.size();
    QElapsedTimer timer;
    timer.start();
    const int batchSize = m_batchSize > 0 ? m_batchSize : defaultBatchSize;
    for (qsizetype done = 0; done < rowIds.size();) {
        if (m_cancelled.load()) {
            summary.cancelled = true;
            break;
        }
        const QVector<qint64> chunk = rowIds.mid(done, batchSize);
        if (!runBatch(summary, [&] { return m_store.deleteRows(chunk); }, nullptr))
            break;
        done += chunk.size();
        // Progress counts the ids handled (rows already gone are not "deleted", but they
        // are done), so it reaches the total.
        if (m_progress)
            m_progress(done, summary.expected);
    }
    summary.elapsedMs = timer.elapsed();
    return summary;
}

PurgeJob::PurgeJob(StoreFactory factory, QObject *parent) : QObject(parent), m_factory(std::move(factory))
{
    qRegisterMetaType<PurgeSummary>();
}

PurgeJob::~PurgeJob()
{
    cancel();
    if (m_thread) {
        m_thread->wait();
        delete m_thread;
    }
}

void PurgeJob::startPurge(const PurgeCriteria &criteria, qint64 expected)
{
    run([criteria, expected](Purger &purger) { return purger.purge(criteria, expected); });
}

void PurgeJob::startDelete(const QVector<qint64> &rowIds)
{
    run([rowIds](Purger &purger) { return purger.deleteRows(rowIds); });
}

void PurgeJob::cancel()
{
    m_cancelRequested.store(true);
}

bool PurgeJob::isRunning() const
{
    return m_running;
}

void PurgeJob::run(std::function<PurgeSummary(Purger &)> work)
{
    if (m_running) {
        qWarning("PurgeJob: a job is already running; the new one is ignored");
        return;
    }
    if (m_thread) {
        m_thread->wait();
        delete m_thread;
        m_thread = nullptr;
    }
    m_running = true;
    m_summary = PurgeSummary();
    // A cancel() before this start belongs to an earlier job.
    m_cancelRequested.store(false);

    m_thread = QThread::create([this, work = std::move(work)] {
        QElapsedTimer timer;
        timer.start();
        std::unique_ptr<ResultStore> store = m_factory ? m_factory() : nullptr;
        if (!store) {
            m_summary.error = StoreError(StoreError::Code::Unsupported, tr("No store could be made for this location"));
            return;
        }
        const StoreError openError = store->open();
        if (openError.isError()) {
            m_summary.error = openError;
            m_summary.elapsedMs = timer.elapsed();
            return;
        }
        Purger purger(*store);
        purger.setProgressCallback([this, &purger](qint64 done, qint64 expected) {
            QMetaObject::invokeMethod(
                this, [this, done, expected] { Q_EMIT progress(done, expected); }, Qt::QueuedConnection);
            if (m_cancelRequested.load())
                purger.cancel();
        });
        if (m_cancelRequested.load())
            purger.cancel();
        m_summary = work(purger);
        // The store is destroyed here, on the thread that opened it.
    });
    m_thread->setObjectName(QStringLiteral("PurgeJob"));
    connect(
        m_thread, &QThread::finished, this,
        [this] {
            m_running = false;
            Q_EMIT finished(m_summary);
        },
        Qt::QueuedConnection);
    m_thread->start();
}
