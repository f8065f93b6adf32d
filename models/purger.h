#pragma once

#include "resultstore.h"

#include <QObject>
#include <QThread>

#include <algorithm>
#include <atomic>
#include <functional>

/// What a purge or delete-by-id did. "Nothing lost without the summary saying so": when
/// error is set or cancelled is true, the counts say exactly what was deleted before.
struct PurgeSummary
{
    qint64 expected = 0;      ///< what the preview/selection announced
    qint64 tasksDeleted = 0;
    qint64 groupsDeleted = 0;
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
/// Synchronous; runs on the thread that owns the store. cancel() may be called from any thread.
class Purger final
{
public:
    using Progress = std::function<void(qint64 done, qint64 expected)>;

    explicit Purger(ResultStore &store);

    /// A fixed number of rows per transaction. Without it (or with 0) purge() sizes each
    /// batch from the last one's duration to keep transactions near targetBatchMs.
    void setBatchSize(int rows) { m_batchSize = std::max(0, rows); }
    int batchSize() const { return m_batchSize; }
    void setProgressCallback(Progress progress) { m_progress = std::move(progress); }
    void cancel() { m_cancelled.store(true); }

    /// Deletes upstream's expired set (criteria), batch by batch, until none is left.
    PurgeSummary purge(const PurgeCriteria &criteria, qint64 expected);
    /// Deletes exactly these rows, batch by batch.
    PurgeSummary deleteRows(const QVector<qint64> &rowIds);

    /// Rows per transaction for deleteRows(), and the first batch of an adaptive purge.
    static constexpr int defaultBatchSize = 2000;
    /// What an adaptive purge aims each write transaction at: short enough that a Celery
    /// worker writing results concurrently waits at most this long for the lock, long enough
    /// that the fixed cost of a commit (its syncs) stays a small part of it.
    static constexpr int targetBatchMs = 50;
    static constexpr int minAdaptiveBatch = 100;
    static constexpr int maxAdaptiveBatch = 50000;
    static constexpr int firstAdaptiveBatch = 500;

    /// The next adaptive batch size after a batch of `rows` took `elapsedMs`: scaled toward
    /// targetBatchMs, growing at most 2× per batch, within [minAdaptiveBatch, maxAdaptiveBatch].
    static int nextBatchSize(int current, qint64 rows, qint64 elapsedMs);

private:
    ResultStore &m_store;
    int m_batchSize = 0; ///< 0 = adaptive
    Progress m_progress;
    std::atomic_bool m_cancelled{false};
};

/// Runs a Purger on its own thread with its own store (from the factory), so the window
/// keeps browsing while it deletes. Owned by its parent; emits finished() exactly once.
class PurgeJob final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(PurgeJob)
public:
    explicit PurgeJob(StoreFactory factory, QObject *parent = nullptr);
    ~PurgeJob() override;

    void startPurge(const PurgeCriteria &criteria, qint64 expected);
    void startDelete(const QVector<qint64> &rowIds);
    /// Thread-safe; the batch in flight completes, then the job finishes with cancelled=true.
    void cancel();
    bool isRunning() const;

Q_SIGNALS:
    void progress(qint64 done, qint64 expected);
    void finished(const PurgeSummary &summary);

private:
    void run(std::function<PurgeSummary(Purger &)> work);

    StoreFactory m_factory;
    QThread *m_thread = nullptr;
    // Read by the job's thread between batches (it forwards it to its Purger), so cancel()
    // never touches a Purger that may be going away.
    std::atomic_bool m_cancelRequested{false};
    bool m_running = false;   ///< GUI side: from start until finished() is emitted
    PurgeSummary m_summary;   ///< written by the job's thread before it ends
};
