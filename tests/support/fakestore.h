#pragma once

#include <QMutex>
#include <QSet>
#include <QThread>
#include <QVector>
#include <QWaitCondition>

#include <memory>

#include "resultstore.h"

/// A small in-memory store for faults and timing the real stores will not produce on demand
/// (the model's worker suites, the Purger's batches). Real stores are tested against real
/// databases; this one only answers what a suite sets in its FakeControl. Test code only.
namespace TestSupport {

/// What a test sets and reads while a FakeStore runs. Shared between the test (GUI thread)
/// and the store (a worker thread): fields a running store reads are guarded by `mutex`.
struct FakeControl
{
    QMutex mutex;
    QWaitCondition wake;
    int rows = 450;               ///< rows 1..rows exist (less those deleted), newest first
    StoreError openError;
    bool blockOpen = false;       ///< open waits for release() (a server building its views)
    QString openingNote;          ///< openingNote()'s answer
    StoreError countError;
    StoreError pageError;
    bool blockPages = false;      ///< fetchPage waits for release()
    qint64 blockFromOffset = 0;   ///< ... for offsets from this one on
    bool blockCounts = false;     ///< count waits for release() (a slow exact count)
    qint64 estimate = -1;         ///< estimateCount()'s answer
    bool blockFacets = false;     ///< facets waits for release() (or an interrupt)
    StoreError facetsError;       ///< facets' answer instead of the tally
    int facetsCalls = 0;
    bool ignoreInterrupt = false; ///< a store whose calls cannot be cut short
    bool released = false;
    bool interruptFlag = false;
    int interrupts = 0;
    int blocked = 0;              ///< calls waiting now
    QVector<qint64> pageOffsets;  ///< every fetchPage offset, in order
    int countCalls = 0;
    bool destroyedOnWorkerThread = false;
    Qt::HANDLE creatorThread = nullptr;
    bool loading = false;          ///< isLoading(): an index still being read (CouchDB)
    bool incrementalAsked = false; ///< setIncrementalOpen(true) came before open()
    QVector<qint64> quickIds;      ///< fetchQuickMatches() answers these rows (of the query's answer)
    int failOnBatch = 0;           ///< the purgeBatch/deleteRows call (1-based) that fails as locked; 0: none
    int batchesSeen = 0;           ///< purgeBatch/deleteRows calls so far
    int purgeShortBy = 0;          ///< purgeBatch deletes this many fewer than asked (at least 1), as a
                                   ///< server's batch ending at a date boundary does
    QSet<qint64> deleted;          ///< rows purgeBatch/deleteRows removed

    void setLoading(bool isLoading, int rowCount);
    void release();
    int blockedNow();
    int countCallsNow();
    void setBlockPages(bool block);
    int pageCalls(qint64 offset);
    /// The rows not deleted, ascending.
    QVector<qint64> remainingRowIds();
};

/// Rows 1..FakeControl::rows: "task-00001"…, every third a FAILURE, the rest SUCCESS, runtimes
/// of 1.23 s (odd rows) and 125 s (even rows). Purges delete the lowest row ids first. Facets
/// tally the statuses and task names of the rows the query's status filter keeps.
class FakeStore final : public ResultStore
{
public:
    explicit FakeStore(std::shared_ptr<FakeControl> control);
    /// A store of rows 1..rows with a control of its own (single-threaded use).
    explicit FakeStore(int rows);
    ~FakeStore() override;

    FakeControl &control() { return *m_control; }

    StoreError open() override;
    QString openingNote() const override;
    void setIncrementalOpen(bool incremental) override;
    bool isLoading() const override;
    qint64 loadedCount() const override;
    StoreInfo info() const override;
    Outcome<qint64> count(const TaskQuery &query) override;
    Outcome<QVector<TaskResult>> fetchPage(const TaskQuery &query, qint64 offset, int limit, RowDetail) override;
    Outcome<TaskResult> fetchOne(qint64 rowId) override;
    Outcome<TaskResult> fetchByTaskId(const QString &) override;
    Outcome<qint64> estimateCount(const TaskQuery &) override;
    Outcome<QVector<TaskResult>> fetchQuickMatches(const TaskQuery &query, int limit) override;
    Outcome<Facets> facets(const TaskQuery &) override;
    Outcome<PurgePreview> previewPurge(const PurgeCriteria &) override;
    Outcome<DeleteBatch> purgeBatch(const PurgeCriteria &, int batchSize) override;
    Outcome<DeleteBatch> deleteRows(const QVector<qint64> &rowIds) override;
    void interrupt() override;

private:
    QVector<TaskResult> matching(const TaskQuery &query) const;
    /// Waits for release() or interrupt(); false when interrupted.
    bool gate();
    /// Counts a deleting call; the injected failure when it is the failOnBatch-th.
    StoreError nextBatch();

    std::shared_ptr<FakeControl> m_control;
};

/// A factory whose stores all share `control`.
StoreFactory fakeFactory(const std::shared_ptr<FakeControl> &control);

} // namespace TestSupport
