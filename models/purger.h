#pragma once

#include "resultstore.h"

#include <QElapsedTimer>
#include <QObject>
#include <QPointer>

#include <algorithm>
#include <atomic>
#include <functional>
#include <memory>

class TaskResultModel;

/// What a purge or delete-by-id did. "Nothing lost without the summary saying so": when
/// error is set or cancelled is true, the counts say exactly what was deleted before.
struct PurgeSummary
{
    qint64 expected = 0;      ///< what the preview/selection announced (-1: not counted)
    qint64 tasksDeleted = 0;
    qint64 groupsDeleted = 0;
    /// Of tasksDeleted, those past their Django cache expiry (PurgeCriteria::cacheExpired).
    qint64 cacheExpiredDeleted = 0;
    int batches = 0;
    bool cancelled = false;
    StoreError error;
    qint64 elapsedMs = 0;
    qint64 longestBatchMs = 0; ///< the longest single write transaction
};

Q_DECLARE_METATYPE(PurgeSummary)

/// The deletion engine shared by the window and the `stalk purge` command: batches of short
/// transactions, cancellable between batches, progress after each batch.
///
/// On a store whose write transactions lock out every other writer (SQLite: one writer at a
/// time, rollback journal or WAL), it also shares that lock with the writers it cannot see —
/// the Celery workers storing results. A worker that finds the database locked sleeps in
/// SQLite's busy handler (1, 2, 5, 10, 15, 20, 25, 25, 25, 50, 50 ms, then 100 ms at a time,
/// until its timeout's sleeps add up: Django's default is 5 s) and gets the lock only if it is
/// free at the instant it wakes. Batches that follow each other at once leave it free for
/// microseconds, so such a worker would sleep through its whole timeout and lose its result.
/// So the Purger holds the lock for bursts of at most about lockBurstMs, then leaves it free
/// for lockReleaseMs, longer than the busy handler's longest sleep: every waiting writer
/// wakes inside the release and gets in, after at most about lockBurstMs + one batch + 100 ms.
///
/// Synchronous; runs on the thread that owns the store. cancel() may be called from any thread.
/// purge() and deleteRows() run a whole job; beginPurge()/beginDelete() and step() run it one
/// batch at a time (PurgeJob does, one request per batch on the model's worker).
class Purger final
{
public:
    using Progress = std::function<void(qint64 done, qint64 expected)>;

    explicit Purger(ResultStore &store);

    /// A fixed number of rows per transaction. Without it (or with 0) purge() sizes each
    /// batch from the last one's duration to keep transactions near targetBatchMs (or
    /// rowLockTargetBatchMs, on a store whose batches do not exclude other writers).
    void setBatchSize(int rows) { m_batchSize = std::max(0, rows); }
    int batchSize() const { return m_batchSize; }
    void setProgressCallback(Progress progress) { m_progress = std::move(progress); }
    void cancel() { m_cancelled.store(true); }

    /// Deletes upstream's expired set (criteria), batch by batch, until none is left.
    PurgeSummary purge(const PurgeCriteria &criteria, qint64 expected);
    /// Deletes exactly these rows, batch by batch.
    PurgeSummary deleteRows(const QVector<qint64> &rowIds);

    /// Starts purge(criteria, expected) without running a batch yet.
    void beginPurge(const PurgeCriteria &criteria, qint64 expected);
    /// Starts deleteRows(rowIds) without running a batch yet.
    void beginDelete(const QVector<qint64> &rowIds);
    /// Runs the next batch of the job begun. False once the job is over (done, cancelled or
    /// stopped by an error): summary() is then final.
    bool step();
    const PurgeSummary &summary() const { return m_summary; }

    /// Rows per transaction for deleteRows(), and the first batch of an adaptive purge.
    static constexpr int defaultBatchSize = 2000;
    /// What an adaptive purge aims each write transaction at on a store whose transactions
    /// lock out every other writer (DeleteBatch::excludedWriters, SQLite): short enough that a
    /// Celery worker writing results concurrently waits at most this long for the lock, long
    /// enough that the fixed cost of a commit (its syncs) stays a small part of it.
    static constexpr int targetBatchMs = 50;
    /// The same where a transaction locks only the rows it deletes (PostgreSQL, InnoDB): the
    /// writers storing new results never wait for it, so the length is chosen for what does
    /// wait — a replica applying the transaction as one unit after its commit (MariaDB's
    /// binlog), and anyone updating an expired row — while the per-batch cost (finding the
    /// batch's end, the commit's sync) stays a few per cent of it.
    static constexpr int rowLockTargetBatchMs = 250;
    static constexpr int minAdaptiveBatch = 100;
    static constexpr int maxAdaptiveBatch = 50000;
    static constexpr int firstAdaptiveBatch = 500;

    /// The next adaptive batch size after a batch of `rows` took `elapsedMs`: scaled toward
    /// targetMs, growing at most 2× per batch, within [minAdaptiveBatch, maxAdaptiveBatch].
    static int nextBatchSize(int current, qint64 rows, qint64 elapsedMs, int targetMs = targetBatchMs);

    /// How long the write lock is held in a row, batch after batch, before it is released
    /// (wall time from the first batch of the burst; a batch is never cut short for it).
    static constexpr int lockBurstMs = 500;
    /// How long it is then left free: SQLite's busy handler sleeps at most 100 ms at a time,
    /// so every writer waiting for the lock wakes in it, with room for a loaded scheduler.
    static constexpr int lockReleaseMs = 150;

    /// How long to wait before the next step() so that the writers waiting for the lock get
    /// it (0: none). step() itself sleeps whatever is left of it before its batch, so a
    /// caller may simply call step() again (purge() and deleteRows() do); PurgeJob waits it
    /// out on a timer instead, so that its worker thread serves pages meanwhile.
    int pauseBeforeNextStepMs() const;

private:
    enum class Job { None, Purge, Delete };
    bool purgeStep();
    bool deleteStep();
    bool finish();
    /// Before a batch: sleeps out a release begun after the last one (false: cancelled while
    /// waiting), and starts a burst when none runs.
    bool letWritersIn();
    /// After a batch: a burst that held the lock long enough ends, and the release begins.
    void afterBatch(bool excludedWriters);

    ResultStore &m_store;
    int m_batchSize = 0; ///< 0 = adaptive
    Progress m_progress;
    std::atomic_bool m_cancelled{false};

    // The job begun (the thread that owns the store).
    Job m_job = Job::None;
    PurgeSummary m_summary;
    QElapsedTimer m_timer;
    PurgeCriteria m_criteria;
    int m_nextBatch = 0;          ///< a purge's next batch size
    QVector<qint64> m_rowIds;
    qsizetype m_rowsDone = 0;     ///< a delete's ids handled so far
    QElapsedTimer m_burst;        ///< since the first batch of the current burst; invalid between bursts
    QElapsedTimer m_release;      ///< since the lock was released; invalid when no release is due
};

/// What one batch of a PurgeJob reports from the worker thread.
struct PurgeStep
{
    bool progressed = false; ///< a batch ran: done/expected are its progress
    qint64 done = 0;
    qint64 expected = 0;
    bool more = false;       ///< the job goes on
    int pauseMs = 0;         ///< wait this long before the next step (Purger::pauseBeforeNextStepMs())
    PurgeSummary summary;    ///< so far (final when !more)
};

/// Runs a Purger on a TaskResultModel's worker thread with the model's own store (no other
/// store is opened): one request per batch, so the pages and details the window asks for
/// between two batches (about 50 ms each) are served between them. The Purger's releases of
/// the write lock are waited out on a timer here, with the worker free. Progress after each
/// batch; cancel() lets the batch in flight complete. Owned by its parent; emits finished()
/// exactly once per start. GUI thread.
class PurgeJob final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(PurgeJob)
public:
    explicit PurgeJob(TaskResultModel *model, QObject *parent = nullptr);
    /// Cancels, and waits for the batch in flight (never for other work queued on the worker).
    ~PurgeJob() override;

    void startPurge(const PurgeCriteria &criteria, qint64 expected);
    void startDelete(const QVector<qint64> &rowIds);
    /// The batch in flight completes, then the job finishes with cancelled=true.
    void cancel();
    bool isRunning() const { return m_running; }

Q_SIGNALS:
    void progress(qint64 done, qint64 expected);
    void finished(const PurgeSummary &summary);

private:
    struct Run;
    void start(std::function<void(Purger &)> begin, qint64 expected);
    void requestStep();
    void finish(const PurgeSummary &summary);

    QPointer<TaskResultModel> m_model;
    std::shared_ptr<Run> m_run;
    bool m_running = false;   ///< from start until finished() is emitted
    PurgeSummary m_summary;   ///< the last step's
};
