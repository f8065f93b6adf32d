#pragma once

#include "resultstore.h"

#include <atomic>
#include <memory>

#include <QMutex>
#include <QObject>
#include <QStringList>

/// Runs ResultStore calls for TaskResultModel. Lives on the model's worker thread and owns
/// the store, which it creates, opens, uses and destroys on that thread.
///
/// Requests arrive as queued calls (QMetaObject::invokeMethod with a lambda) carrying the
/// generation of the query that asked; answers leave as signals carrying it back. A request
/// whose generation is older than latestGeneration() is skipped without touching the store,
/// so a burst of queries costs one round of work. setLatestGeneration(), interruptStale()
/// and interruptAll() may be called from any thread; everything else runs on the worker
/// thread. Generation 0 is never used by a query (details use it: never stale).
class StoreWorker final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(StoreWorker)
public:
    explicit StoreWorker(QObject *parent = nullptr);
    ~StoreWorker() override;

    /// Any thread. Requests for older generations are skipped from now on.
    void setLatestGeneration(quint64 generation) { m_latest.store(generation); }
    quint64 latestGeneration() const { return m_latest.load(); }
    /// Any thread: interrupts the store call running now if it serves an older generation.
    void interruptStale();
    /// Any thread: interrupts whatever store call is running now.
    void interruptAll();
    /// Any thread, before posting page() or fetchOne(): a request the user waits for is on
    /// its way. Pages and details go before facets: a facets call running now is interrupted
    /// and asked again after them, and one that would start while they wait is put back
    /// behind them (on 10M rows the facets take seconds; a clicked row must not wait).
    void pageQueued();

    // Worker thread only (post with QMetaObject::invokeMethod(worker, lambda, Qt::QueuedConnection)).
    void open(quint64 generation, const StoreFactory &factory);
    void close();
    /// Counts the query's rows and the unfiltered total. The total is counted again only when
    /// recountTotal is set (open, refresh) or the query is unfiltered; otherwise the last
    /// one is reused, so narrowing a big table costs one count, not two.
    void count(quint64 generation, const TaskQuery &query, bool recountTotal);
    /// Emits countEstimated() when the store has a fast estimate for the query.
    void estimate(quint64 generation, const TaskQuery &query);
    void facets(quint64 generation, const TaskQuery &query);
    void page(quint64 generation, const TaskQuery &query, int page, int pageSize);
    /// The store's quick matches for a search (ResultStore::fetchQuickMatches); emits
    /// quickPageReady() only when there are some.
    void quickPage(quint64 generation, const TaskQuery &query, int pageSize);
    void fetchOne(quint64 epoch, qint64 rowId);

Q_SIGNALS:
    void opened(quint64 generation, const StoreInfo &info);
    void openFailed(quint64 generation, const StoreError &error);
    void countReady(quint64 generation, qint64 matching, qint64 total);
    /// A fast approximate row count of the query (before countReady's exact one).
    void countEstimated(quint64 generation, qint64 matching);
    /// Sent with every count: loading = the store was still reading its index in the
    /// background when the count began (so the count may be partial; ResultStore's
    /// incremental open), loaded = documents indexed so far (-1 when the store keeps none).
    void loadProgress(quint64 generation, bool loading, qint64 loaded);
    /// Sent with loadProgress while the store was loading: its info as indexed so far
    /// (fields, foreign-document note, groups grow with the index).
    void infoUpdated(quint64 generation, const StoreInfo &info);
    void facetsReady(quint64 generation, const Facets &facets);
    /// Previews are the one-line decoded args(+kwargs) and result of each row.
    void pageReady(quint64 generation, int page, const QVector<TaskResult> &rows,
                   const QStringList &argsPreviews, const QStringList &resultPreviews);
    void pageFailed(quint64 generation, int page, const StoreError &error);
    /// Rows that match the search, found by an index before page 0 (a subset of it, or of
    /// the whole answer): for the model to show until page 0 arrives.
    void quickPageReady(quint64 generation, const QVector<TaskResult> &rows, const QStringList &argsPreviews,
                        const QStringList &resultPreviews);
    /// count or facets failed.
    void queryFailed(quint64 generation, const StoreError &error);
    void detailReady(quint64 epoch, const TaskResult &row);
    void detailFailed(quint64 epoch, qint64 rowId, const StoreError &error);

private:
    bool isStale(quint64 generation) const { return generation != 0 && generation < m_latest.load(); }
    /// Paired with pageQueued(); never below zero for callers that post directly.
    void pageDequeued();
    /// The one-line args(+kwargs) and result previews of each row (decoded here, off the GUI thread).
    static void makePreviews(const QVector<TaskResult> &rows, QStringList *argsPreviews, QStringList *resultPreviews);
    /// yielding: a facets call, which pageQueued() may interrupt (then not retried here).
    template<typename Call>
    auto run(quint64 generation, Call &&call, bool yielding = false) -> decltype(call());

    std::unique_ptr<ResultStore> m_store;
    // Guards m_store's identity and m_running against interrupt*() from other threads.
    QMutex m_mutex;
    bool m_running = false;
    quint64 m_runningGeneration = 0;
    bool m_runningYields = false; ///< the running call is facets (guarded by m_mutex)
    bool m_yielded = false;       ///< pageQueued() interrupted it (guarded by m_mutex)
    std::atomic<int> m_pagesQueued{0};
    std::atomic<quint64> m_latest{0};
    qint64 m_total = -1; ///< worker thread only; -1 = unknown
    bool m_lastCountLoading = false; ///< worker thread only: the last count began while loading
};
