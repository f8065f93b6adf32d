#pragma once

#include "pagecache.h"
#include "resultstore.h"

#include <atomic>
#include <functional>
#include <memory>

#include <QMutex>
#include <QObject>

/// Names one request to TaskResultModel's worker (TaskResultModel::request() and the
/// requests built on it); 0 is never used.
using RequestId = quint64;

/// The one answer to a request to TaskResultModel's worker: its value, or the StoreError
/// that stopped it — a code to branch on and one sentence to show — as KPublicTransport's
/// Reply. Plain value type; handed to the requester on the GUI thread.
template<typename T>
class Reply final
{
public:
    Reply(RequestId id, Outcome<T> outcome) : m_id(id), m_outcome(std::move(outcome)) { }

    RequestId requestId() const { return m_id; }
    bool ok() const { return m_outcome.ok(); }
    explicit operator bool() const { return ok(); }
    const T &value() const { return m_outcome.value(); }
    const T &operator*() const { return value(); }
    const T *operator->() const { return &value(); }
    /// Code None when ok().
    const StoreError &error() const { return m_outcome.error(); }

private:
    RequestId m_id;
    Outcome<T> m_outcome;
};

/// How the worker schedules a request.
struct RequestOptions
{
    /// Steps aside for pages and details, as the model's facets do: asked again after them
    /// when one is queued (a call running then is interrupted and asked again).
    bool yieldsToPages = false;
    /// Needs the store's whole index (a purge preview or batch): while the store is still
    /// loading (ResultStore's incremental open) it waits behind the other requests instead
    /// of blocking them.
    bool wholeStore = false;
};

/// A request as the worker runs it (built by TaskResultModel::request()). Made on the GUI
/// thread, then used on the worker thread only, except `dropped`, which any thread sets.
struct StoreRequest
{
    RequestId id = 0;
    quint64 epoch = 0; ///< the store it is for (a request for a closed store fails)
    RequestOptions options;
    /// Set when the requester no longer wants the reply: a request not started is skipped.
    std::shared_ptr<std::atomic_bool> dropped;
    /// Runs the call on the store and keeps its outcome; returns its error (None: it worked).
    std::function<StoreError(ResultStore &store)> call;
    /// Keeps an error as the outcome (no store of that epoch is open).
    std::function<void(const StoreError &error)> fail;
    /// Posts the kept outcome to the GUI thread.
    std::function<void()> reply;
};

/// Runs ResultStore calls for TaskResultModel. Lives on the model's worker thread and owns
/// the store, which it creates, opens, uses and destroys on that thread.
///
/// The model's own calls (count, pages, facets, details) arrive as queued calls
/// (QMetaObject::invokeMethod with a lambda) carrying the generation of the query that
/// asked; answers leave as signals carrying it back. A call whose generation is older than
/// latestGeneration() is skipped without touching the store, so a burst of queries costs
/// one round of work. Generation 0 is never used by a query (details use it: never stale).
/// Everyone else's requests (a purge preview, a purge batch, facet choices) arrive as
/// StoreRequests and answer with a Reply through the request itself (runRequest()).
///
/// setLatestGeneration(), interruptStale(), interruptAll(), interruptRequest() and
/// pageQueued() may be called from any thread; everything else runs on the worker thread.
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
    /// Any thread: interrupts the store call running now if it serves this request.
    void interruptRequest(RequestId id);
    /// Any thread, before posting page() or fetchOne(): a request the user waits for is on
    /// its way. Pages and details go before facets: a facets call running now is interrupted
    /// and asked again after them, and one that would start while they wait is put back
    /// behind them (on 10M rows the facets take seconds; a clicked row must not wait).
    void pageQueued();
    /// Any thread: how many matches the store's running search scan has found so far; -1
    /// when none is scanning (ResultStore::searchProgress()).
    qint64 searchProgress();
    /// Any thread: while the store opens, what it waits on, as it tells
    /// (ResultStore::openingNote()); empty otherwise.
    QString openingNote();

    // Worker thread only (post with QMetaObject::invokeMethod(worker, lambda, Qt::QueuedConnection)).
    /// Opens the store of `epoch` (TaskResultModel's store counter; requests carry it).
    void open(quint64 generation, quint64 epoch, const StoreFactory &factory);
    void close();
    /// Counts the query's rows and the unfiltered total. The total is counted again only when
    /// recountTotal is set (open, refresh) or the query is unfiltered; otherwise the last
    /// one is reused, so narrowing a big table costs one count, not two. The query's rows are
    /// counted by ResultStore::countBeforeFacets(): the model asks its facets next. A refresh
    /// (recountTotal) calls ResultStore::refresh() first, unless the index is (or was, at the
    /// last count) still loading.
    void count(quint64 generation, const TaskQuery &query, bool recountTotal);
    /// Emits countEstimated() when the store has a fast estimate for the query.
    void estimate(quint64 generation, const TaskQuery &query);
    void facets(quint64 generation, const TaskQuery &query);
    void page(quint64 generation, const TaskQuery &query, int page, int pageSize);
    /// The store's quick matches for a search (ResultStore::fetchQuickMatches); emits
    /// quickPageReady() only when there are some.
    void quickPage(quint64 generation, const TaskQuery &query, int pageSize);
    void fetchOne(quint64 epoch, qint64 rowId);
    /// Runs a request with the store, or answers it with an error when its store is not the
    /// open one; skips it when it was dropped before it started.
    void runRequest(const std::shared_ptr<StoreRequest> &request);

    /// How long a wholeStore request waits before it looks at a loading store again.
    static constexpr int loadingRetryMs = 100;

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
    /// Also for a generation gone stale while they were counted (TaskResultModel::onFacets()
    /// keeps those of a refresh of the same query).
    void facetsReady(quint64 generation, const Facets &facets);
    /// Each row comes with its one-line decoded args(+kwargs) and result.
    void pageReady(quint64 generation, int page, const Page &rows);
    void pageFailed(quint64 generation, int page, const StoreError &error);
    /// Rows that match the search, found by an index before page 0 (a subset of it, or of
    /// the whole answer): for the model to show until page 0 arrives.
    void quickPageReady(quint64 generation, const Page &rows);
    /// count or facets failed.
    void queryFailed(quint64 generation, const StoreError &error);
    void detailReady(quint64 epoch, const TaskResult &row);
    void detailFailed(quint64 epoch, qint64 rowId, const StoreError &error);

private:
    bool isStale(quint64 generation) const { return generation != 0 && generation < m_latest.load(); }
    /// Paired with pageQueued(); never below zero for callers that post directly.
    void pageDequeued();
    /// The rows with their one-line args(+kwargs) and result previews (decoded here, off the
    /// GUI thread).
    static Page withPreviews(const QVector<TaskResult> &rows);
    /// What a store call serves: the model's generation (0: never stale), or a request.
    struct Caller
    {
        quint64 generation = 0;
        RequestId request = 0;
        const std::atomic_bool *dropped = nullptr; ///< the request's
        bool yielding = false; ///< pageQueued() may interrupt it (then not retried here)
    };
    /// Runs a store call (`what` names it in the stalk.model log, with its duration).
    template<typename Call>
    auto run(const char *what, const Caller &caller, Call &&call) -> decltype(call());
    /// Worker thread: asks `again` once more behind the requests queued now.
    void later(std::function<void()> again, int delayMs = 0);

    std::unique_ptr<ResultStore> m_store;
    // Guards m_store's identity and m_running against interrupt*() from other threads.
    QMutex m_mutex;
    bool m_running = false;
    quint64 m_runningGeneration = 0;
    RequestId m_runningRequest = 0; ///< guarded by m_mutex
    bool m_runningYields = false; ///< the running call is facets (guarded by m_mutex)
    bool m_yielded = false;       ///< pageQueued() interrupted it (guarded by m_mutex)
    std::atomic<int> m_pagesQueued{0};
    std::atomic<quint64> m_latest{0};
    quint64 m_epoch = 0; ///< worker thread only: the open store's
    qint64 m_total = -1; ///< worker thread only; -1 = unknown
    bool m_lastCountLoading = false; ///< worker thread only: the last count began while loading
};
