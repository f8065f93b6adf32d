#include "purger.h"

#include <algorithm>

#include <QElapsedTimer>
#include <QMutexLocker>
#include <QThread>
#include <QTimer>

#include "stalklog.h"
#include "taskresultmodel.h"

Purger::Purger(ResultStore &store) : m_store(store) { }

namespace {

/// Runs one batch, keeping the summary's timing and counts exact whatever happens.
/// *excludedWriters says whether it held a lock that kept every other writer out.
template<typename Call>
bool runBatch(PurgeSummary &summary, int asked, Call &&call, bool *finished, bool *excludedWriters)
{
    QElapsedTimer batchTimer;
    batchTimer.start();
    const Outcome<DeleteBatch> batch = call();
    summary.longestBatchMs = std::max(summary.longestBatchMs, batchTimer.elapsed());
    if (!batch) {
        qCInfo(lcPurge).noquote() << "batch" << summary.batches + 1 << "of up to" << asked << "rows failed after"
                                  << StalkLog::elapsed(batchTimer) << "-" << batch.error().message;
        summary.error = batch.error();
        return false;
    }
    qCInfo(lcPurge).noquote() << "batch" << summary.batches + 1 << "of up to" << asked << "rows:" << batch->tasks
                              << "results," << batch->groups << "groups deleted in" << StalkLog::elapsed(batchTimer)
                              << (batch->excludedWriters ? "(other writers locked out)" : "");
    *excludedWriters = batch->excludedWriters;
    ++summary.batches;
    summary.tasksDeleted += batch->tasks;
    summary.cacheExpiredDeleted += batch->cacheExpired;
    summary.groupsDeleted += batch->groups;
    if (finished)
        *finished = batch->finished || (batch->tasks == 0 && batch->groups == 0 && !batch->movedOn);
    return true;
}

} // namespace

int Purger::nextBatchSize(int current, qint64 rows, qint64 elapsedMs, int targetMs)
{
    // A batch that deleted fewer rows than asked was the last one; a duration of 0 ms says
    // nothing but "fast": grow.
    const double scaled = elapsedMs > 0 ? double(rows) * targetMs / double(elapsedMs) : 2.0 * current;
    const double next = std::min(scaled, 2.0 * current);
    return int(std::clamp(next, double(minAdaptiveBatch), double(maxAdaptiveBatch)));
}

PurgeSummary Purger::purge(const PurgeCriteria &criteria, qint64 expected)
{
    beginPurge(criteria, expected);
    while (step()) { }
    return m_summary;
}

PurgeSummary Purger::deleteRows(const QVector<qint64> &rowIds)
{
    beginDelete(rowIds);
    while (step()) { }
    return m_summary;
}

int Purger::pauseBeforeNextStepMs() const
{
    if (m_job == Job::None || !m_release.isValid())
        return 0;
    return int(std::max<qint64>(0, lockReleaseMs - m_release.elapsed()));
}

bool Purger::letWritersIn()
{
    // Sleep in short slices so that a cancel (Ctrl+C) is not kept waiting.
    if (const int pause = pauseBeforeNextStepMs(); pause > 0)
        qCInfo(lcPurge) << "pausing" << pause << "ms to let other writers in";
    for (int left = pauseBeforeNextStepMs(); left > 0; left = pauseBeforeNextStepMs()) {
        if (m_cancelled.load())
            return false;
        QThread::msleep(ulong(std::min(left, 20)));
    }
    m_release.invalidate();
    if (!m_burst.isValid())
        m_burst.start();
    return true;
}

void Purger::afterBatch(bool excludedWriters)
{
    if (!excludedWriters) {
        m_burst.invalidate();
        return;
    }
    if (m_burst.isValid() && m_burst.elapsed() >= lockBurstMs) {
        m_burst.invalidate();
        m_release.start();
    }
}

void Purger::beginPurge(const PurgeCriteria &criteria, qint64 expected)
{
    m_job = Job::Purge;
    m_summary = PurgeSummary();
    m_summary.expected = expected;
    m_criteria = criteria;
    m_nextBatch = m_batchSize > 0 ? m_batchSize : firstAdaptiveBatch;
    m_timer.start();
    m_burst.invalidate();
    m_release.invalidate();
}

void Purger::beginDelete(const QVector<qint64> &rowIds)
{
    m_job = Job::Delete;
    m_summary = PurgeSummary();
    m_summary.expected = rowIds.size();
    m_rowIds = rowIds;
    m_rowsDone = 0;
    m_timer.start();
    m_burst.invalidate();
    m_release.invalidate();
}

bool Purger::step()
{
    switch (m_job) {
    case Job::Purge: return purgeStep();
    case Job::Delete: return deleteStep();
    case Job::None: return false;
    }
    return false;
}

bool Purger::finish()
{
    m_summary.elapsedMs = m_timer.elapsed();
    qCInfo(lcPurge).noquote() << (m_summary.cancelled ? "cancelled:" : m_summary.error ? "failed:" : "finished:")
                              << m_summary.tasksDeleted << "results," << m_summary.groupsDeleted << "groups in"
                              << m_summary.batches << "batches," << m_summary.elapsedMs << "ms (longest batch"
                              << m_summary.longestBatchMs << "ms)";
    m_job = Job::None;
    return false;
}

bool Purger::purgeStep()
{
    if (m_cancelled.load() || !letWritersIn()) {
        m_summary.cancelled = true;
        return finish();
    }
    // A batch that deleted nothing means nothing expired is left (another process may
    // have deleted the rest): stop rather than spin.
    bool finished = false;
    bool excludedWriters = false;
    const qint64 deletedBefore = m_summary.tasksDeleted + m_summary.groupsDeleted;
    QElapsedTimer batchTimer;
    batchTimer.start();
    if (!runBatch(m_summary, m_nextBatch, [&] { return m_store.purgeBatch(m_criteria, m_nextBatch); }, &finished,
                  &excludedWriters))
        return finish();
    afterBatch(excludedWriters);
    const qint64 rows = m_summary.tasksDeleted + m_summary.groupsDeleted - deletedBefore;
    // A server's batch ends at a date boundary, a few rows short of its size; a batch far
    // shorter (the last, or one ended before a long run of equal dates) says little about
    // the rate.
    if (m_batchSize <= 0 && !finished && rows * 2 >= m_nextBatch)
        m_nextBatch = nextBatchSize(m_nextBatch, rows, batchTimer.elapsed(),
                                    excludedWriters ? targetBatchMs : rowLockTargetBatchMs);
    qCDebug(lcPurge) << "next batch:" << m_nextBatch << "rows";
    if (m_progress)
        m_progress(m_summary.tasksDeleted, m_summary.expected);
    return finished ? finish() : true;
}

bool Purger::deleteStep()
{
    if (m_rowsDone >= m_rowIds.size())
        return finish();
    if (m_cancelled.load() || !letWritersIn()) {
        m_summary.cancelled = true;
        return finish();
    }
    const int batchSize = m_batchSize > 0 ? m_batchSize : defaultBatchSize;
    const QVector<qint64> chunk = m_rowIds.mid(m_rowsDone, batchSize);
    bool excludedWriters = false;
    if (!runBatch(m_summary, int(chunk.size()), [&] { return m_store.deleteRows(chunk); }, nullptr, &excludedWriters))
        return finish();
    afterBatch(excludedWriters);
    m_rowsDone += chunk.size();
    // Progress counts the ids handled (rows already gone are not "deleted", but they are
    // done), so it reaches the total.
    if (m_progress)
        m_progress(m_rowsDone, m_summary.expected);
    return m_rowsDone < m_rowIds.size() ? true : finish();
}

// ---------------------------------------------------------------------------------------
// PurgeJob

/// A job's state shared with the requests it posts to the model's worker thread.
struct PurgeJob::Run
{
    /// Held while a batch runs on the worker thread: ~PurgeJob waits for it there.
    QMutex batch;
    std::atomic_bool cancelled{false};
    /// Worker thread only (under `batch`): how the Purger begins, and the Purger itself,
    /// made by the first step with the model's store.
    std::function<void(Purger &)> begin;
    std::unique_ptr<Purger> purger;
};

PurgeJob::PurgeJob(TaskResultModel *model, QObject *parent) : QObject(parent), m_model(model)
{
    qRegisterMetaType<PurgeSummary>();
}

PurgeJob::~PurgeJob()
{
    if (!m_run)
        return;
    m_run->cancelled.store(true);
    // A step queued behind it sees `cancelled` and touches no store; the Purger goes with
    // the last reference to the run, on whichever thread drops it.
    QMutexLocker wait(&m_run->batch);
}

void PurgeJob::startPurge(const PurgeCriteria &criteria, qint64 expected)
{
    start([criteria, expected](Purger &purger) { purger.beginPurge(criteria, expected); }, expected);
}

void PurgeJob::startDelete(const QVector<qint64> &rowIds)
{
    start([rowIds](Purger &purger) { purger.beginDelete(rowIds); }, rowIds.size());
}

void PurgeJob::cancel()
{
    if (m_run)
        m_run->cancelled.store(true);
}

void PurgeJob::start(std::function<void(Purger &)> begin, qint64 expected)
{
    if (m_running) {
        qWarning("PurgeJob: a job is already running; the new one is ignored");
        return;
    }
    if (m_run) {
        // The last job's Purger is done; a step of it that is still queued sees this.
        m_run->cancelled.store(true);
    }
    m_running = true;
    m_summary = PurgeSummary();
    m_summary.expected = expected;
    m_run = std::make_shared<Run>();
    m_run->begin = std::move(begin);
    requestStep();
}

void PurgeJob::requestStep()
{
    if (!m_model) {
        PurgeSummary summary = m_summary;
        summary.error = StoreError(StoreError::Code::QueryFailed, tr("No database is open"));
        // Still asynchronous: finished() never comes from inside start().
        QMetaObject::invokeMethod(this, [this, summary] { finish(summary); }, Qt::QueuedConnection);
        return;
    }
    const std::shared_ptr<Run> run = m_run;
    const auto step = [run](ResultStore &store) -> Outcome<PurgeStep> {
        QMutexLocker locked(&run->batch);
        PurgeStep answer;
        if (!run->purger) {
            run->purger = std::make_unique<Purger>(store);
            run->begin(*run->purger);
        }
        if (run->cancelled.load())
            run->purger->cancel();
        run->purger->setProgressCallback([&answer](qint64 done, qint64 expected) {
            answer.progressed = true;
            answer.done = done;
            answer.expected = expected;
        });
        answer.more = run->purger->step();
        answer.pauseMs = run->purger->pauseBeforeNextStepMs();
        answer.summary = run->purger->summary();
        return answer;
    };
    RequestOptions options;
    options.wholeStore = true;
    m_model->request<PurgeStep>(
        this, step,
        [this, run](const Reply<PurgeStep> &reply) {
            if (run != m_run)
                return;
            if (!reply) {
                PurgeSummary summary = m_summary;
                summary.error = reply.error();
                finish(summary);
                return;
            }
            m_summary = reply->summary;
            if (reply->progressed)
                Q_EMIT progress(reply->done, reply->expected);
            if (!reply->more) {
                finish(reply->summary);
                return;
            }
            if (reply->pauseMs <= 0) {
                requestStep();
                return;
            }
            // The other writers' turn at the lock: the worker is free to serve pages meanwhile.
            QTimer::singleShot(reply->pauseMs, Qt::PreciseTimer, this, [this, run] {
                if (run == m_run)
                    requestStep();
            });
        },
        options);
}

void PurgeJob::finish(const PurgeSummary &summary)
{
    m_running = false;
    Q_EMIT finished(summary);
}
