#pragma once

#include "pagecache.h"
#include "resultstore.h"
#include "storeworker.h"

#include <atomic>
#include <functional>
#include <memory>
#include <optional>

#include <QAbstractTableModel>
#include <QHash>
#include <QPointer>
#include <QThread>
#include <QTimer>

/// The count the status bar shows, as one value: the figure (exact, or the store's
/// estimate), the unfiltered total, whether a new query's count is still on its way, a
/// search's quick task-id matches, and a store's background loading. Plain value type.
struct CountState
{
    enum class Kind {
        Unknown,      ///< nothing counted yet
        QuickMatches, ///< a search shows quickMatches rows found by the task-id index
        Counting,     ///< the query changed; matching/total are still the previous query's
        Estimated,    ///< matching is the store's estimate; the exact count follows
        Exact,        ///< matching and total are exact
    };

    qint64 matching = -1;   ///< rows matching the query; -1 = unknown
    qint64 total = -1;      ///< rows in the store (the last exact count); -1 = unknown
    bool estimated = false; ///< matching is the store's estimate
    bool counting = false;  ///< the query changed and its count has not come yet
    int quickMatches = -1;  ///< quick task-id matches shown while a search runs; -1 = none
    bool loading = false;   ///< the store is still reading its index (CouchDB)
    qint64 loaded = -1;     ///< documents indexed so far while loading; -1 otherwise
    qint64 found = -1;      ///< while counting a search: matches its scan found so far; -1 = unknown

    Kind kind() const
    {
        if (quickMatches >= 0)
            return Kind::QuickMatches;
        if (counting)
            return Kind::Counting;
        if (matching < 0)
            return Kind::Unknown;
        return estimated ? Kind::Estimated : Kind::Exact;
    }
    friend bool operator==(const CountState &a, const CountState &b)
    {
        return a.matching == b.matching && a.total == b.total && a.estimated == b.estimated
            && a.counting == b.counting && a.quickMatches == b.quickMatches && a.loading == b.loading
            && a.loaded == b.loaded && a.found == b.found;
    }
    friend bool operator!=(const CountState &a, const CountState &b) { return !(a == b); }
};

Q_DECLARE_METATYPE(CountState)

/// A table of task results that never loads a whole table: the row count comes from the
/// store, rows arrive in pages from a worker thread (which owns the store and its
/// connection) and are kept in a bounded PageCache. Facets, the total count and single-row
/// details come from the same worker. Every answer carries the generation of the query that
/// asked; answers for an older generation are dropped.
///
/// The worker is also the one place where the rest of the window runs background work:
/// request() runs a call with the model's store on the worker thread (a purge preview, the
/// purge dialog's choices, each purge batch), decode() runs pure decoding on the model's
/// second thread (so a 10 MB pickle never holds up a page), and both answer with one
/// Reply. cancelRequest() drops a reply: a requester keeps only its latest request's id.
///
/// Lives on the GUI thread. Owns its worker threads.
class TaskResultModel final : public QAbstractTableModel
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(TaskResultModel)
public:
    enum Column {
        StatusColumn,
        TaskNameColumn,
        TaskIdColumn,
        WorkerColumn,
        PeriodicTaskColumn,
        DateDoneColumn,
        DateCreatedColumn,
        DateStartedColumn,
        RuntimeColumn,
        ArgsColumn,
        ResultColumn,
        ColumnCount
    };
    enum Role {
        RawValueRole = Qt::UserRole, ///< sortable raw value (QDateTime, qint64 ms, QString)
        TaskResultRole,              ///< the whole (summary) TaskResult as QVariant
        RowIdRole,                   ///< the store's key (qint64)
        TaskIdRole,                  ///< Celery task id (QString)
        LoadedRole,                  ///< bool: false while the row's page is loading
    };

    explicit TaskResultModel(QObject *parent = nullptr);
    ~TaskResultModel() override;

    /// Opens a store made by the factory on the worker thread; emits opened() or failed().
    void setStoreFactory(StoreFactory factory);
    void close();
    bool isOpen() const { return m_open; }
    /// While the store opens: what it waits on, as the server tells (ResultStore::openingNote():
    /// CouchDB building Stalk's views); empty otherwise.
    QString openingNote() const;
    const StoreInfo &storeInfo() const { return m_info; }
    /// False while rowCount() is provisional: the first page of a new query is shown as soon
    /// as it arrives, with page 0's size or the store's estimate as the row count; the exact
    /// count then inserts or removes rows (never a reset), and countChanged() follows.
    bool isCountExact() const { return !m_countProvisional; }
    /// True while the rows shown are a search's quick matches (task ids starting with the
    /// term, found by an index at once): the full first page replaces them when it arrives,
    /// inserting the other matches around them (no reset when they are all in it).
    bool isShowingQuickMatches() const { return m_quickShown; }

    void setQuery(const TaskQuery &query);
    const TaskQuery &query() const { return m_query; }
    /// Re-reads count, facets and the cached pages, keeping rows in place where possible.
    void refresh();

    /// The count to show (see CountState); countStateChanged() follows every change.
    const CountState &countState() const { return m_countState; }
    /// True from a change of the query's filters or search until the new query's facets arrive
    /// (or its requests fail, or the store closes): the facets last sent by facetsChanged()
    /// are the previous query's. facetsPendingChanged() follows every change.
    bool areFacetsPending() const { return m_facetsPending; }

    /// The store is still reading its index in the background (a CouchDB database being
    /// indexed): rows shown so far are partial. The model then refreshes itself every
    /// loadingRefreshMs, and once more when loading is complete.
    bool isLoading() const { return m_countState.loading; }
    /// Documents the store has indexed so far; -1 when the store keeps no index.
    qint64 loadedCount() const { return m_loadedCount; }
    static constexpr int loadingRefreshMs = 250;
    /// How often, while a search is being counted, the matches found so far are read
    /// (CountState::found).
    static constexpr int searchProgressMs = 100;

    /// Which field a column shows (Field::FieldCount for Runtime).
    static Field columnField(int column);
    /// False when the open store's schema lacks the column's field.
    bool isColumnAvailable(int column) const;

    /// Asks for the complete row; answers with detailReady() or detailFailed().
    void requestDetail(qint64 rowId);

    /// The summary row when its page is cached, else nullptr.
    const TaskResult *cachedRow(int row) const;
    /// Row number of a cached row id, or -1.
    int rowOfRowId(qint64 rowId) const;

    // Requests: calls other objects have run in the background, answered with one Reply.
    template<typename T>
    using ReplyHandler = std::function<void(const Reply<T> &)>;

    /// Runs call(store) on the worker thread with the open store, between the model's own
    /// calls, and hands its outcome to handler on the GUI thread — unless cancelRequest(id)
    /// or the receiver's destruction came first (then never). A store that is closed or
    /// replaced before the call runs gives a StoreError instead. `call` runs on the worker
    /// thread: it must use nothing but the store and what it captured by value.
    template<typename T>
    RequestId request(QObject *receiver, std::function<Outcome<T>(ResultStore &)> call, ReplyHandler<T> handler,
                      RequestOptions options = {});
    /// Runs work() on the model's decoding thread (pure work that needs no store: decoding
    /// a large row), and hands the value to handler on the GUI thread, as request() does.
    template<typename T>
    RequestId decode(QObject *receiver, std::function<T()> work, ReplyHandler<T> handler);
    /// What a purge of criteria would delete (waits behind the model's calls while the
    /// store is still loading its index).
    RequestId previewPurge(const PurgeCriteria &criteria, QObject *receiver, ReplyHandler<PurgePreview> handler);
    /// The facets of query over the whole store (the purge dialog's choices: it waits while
    /// the store is still loading its index), yielding to pages as the model's own facets.
    RequestId requestFacets(const TaskQuery &query, QObject *receiver, ReplyHandler<Facets> handler);
    /// Its reply is never delivered; a store call running for it now is interrupted.
    void cancelRequest(RequestId id);

    /// Dates as UTC instead of local time (display only).
    void setShowUtc(bool utc);
    bool showUtc() const { return m_showUtc; }
    /// A date as the table's date columns show it (local time or UTC; empty when invalid).
    QString dateText(const QDateTime &date) const;

    int rowCount(const QModelIndex &parent = {}) const override;
    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;
    void sort(int column, Qt::SortOrder order) override;

    static constexpr int pageSize = 200;
    static constexpr int maxCachedPages = 64;

Q_SIGNALS:
    void opened(const StoreInfo &info);
    /// Opening failed, or a count/facets/page request of the current query did (an
    /// interrupted, superseded request is never reported).
    void failed(const StoreError &error);
    /// The total for the current query (exact). totalRows is the unfiltered total.
    void countChanged(qint64 matching, qint64 totalRows);
    /// countState() changed: an estimate (sent before countChanged() when the store has one;
    /// until countChanged() the row count is provisional, see isCountExact()), the exact
    /// count, a new query's count on its way, a search's quick matches shown or replaced
    /// (see isShowingQuickMatches()), loading progress.
    void countStateChanged(const CountState &state);
    void facetsChanged(const Facets &facets);
    /// areFacetsPending() changed.
    void facetsPendingChanged(bool pending);
    void detailReady(const TaskResult &row);
    void detailFailed(qint64 rowId, const StoreError &error);
    /// True while any request of the current generation is outstanding.
    void busyChanged(bool busy);
    /// Background loading started, progressed (loaded documents so far) or ended
    /// (loading = false: the counts now cover the whole store). For "loading… N documents".
    void loadingChanged(bool loading, qint64 loaded);
    /// The store's info changed after opened() (a store indexing in the background learns
    /// its fields, groups and foreign documents as it reads); storeInfo() has it.
    void storeInfoChanged(const StoreInfo &info);

private:
    /// A request not answered yet (GUI thread).
    struct PendingRequest
    {
        QPointer<QObject> receiver;
        std::shared_ptr<std::atomic_bool> dropped;
    };

    RequestId addRequest(QObject *receiver, std::shared_ptr<std::atomic_bool> *dropped);
    /// GUI thread: forgets the request; true when its reply is still wanted.
    bool takeRequest(RequestId id);
    void postRequest(std::shared_ptr<StoreRequest> request);
    void postDecode(std::function<void()> work);

    void requestPage(int page) const;
    void onOpened(quint64 generation, const StoreInfo &info);
    void onOpenFailed(quint64 generation, const StoreError &error);
    void onCount(quint64 generation, qint64 matching, qint64 total);
    void onQuickPage(quint64 generation, const Page &rows);
    /// Page 0 of the current search after its quick matches: inserts the rows around them.
    /// False (nothing changed) when a quick row is not in the page.
    bool mergeIntoQuickMatches(Page &&page, int rowCount);
    void onEstimate(quint64 generation, qint64 matching);
    void resizeRows(int rows);
    void onFacets(quint64 generation, const Facets &facets);
    void onLoadProgress(quint64 generation, bool loading, qint64 loaded);
    void setLoading(bool loading, qint64 loaded);
    void onPage(quint64 generation, int page, const Page &rows);
    void onPageFailed(quint64 generation, int page, const StoreError &error);
    void onError(quint64 generation, const StoreError &error);
    /// Emits failed(); the count is no longer on its way.
    void fail(const StoreError &error);
    void startGeneration(bool keepRows);
    quint64 nextGeneration();
    void endQuickMatches();
    void setCountState(const CountState &state);
    void setFacetsPending(bool pending);
    void readSearchProgress();
    void finishRequest();
    void updateBusy();
    void scheduleBusyUpdate() const;
    QVariant displayData(const PageRow &row, int column) const;
    QVariant rawData(const TaskResult &row, int column) const;
    QVariant toolTipData(const TaskResult &row, int column) const;

    QThread m_thread;
    QThread m_decodeThread;       ///< runs decode() work, in order
    QObject *m_decoder = nullptr; ///< lives on m_decodeThread: the context decode() work runs in
    QTimer m_loadingTimer;        ///< single shot: the next refresh while the store is loading
    QTimer m_progressTimer;       ///< reads the search scan's matches so far while counting
    qint64 m_loadedCount = -1;
    StoreWorker *m_worker = nullptr;
    StoreInfo m_info;
    bool m_open = false;
    TaskQuery m_query;
    quint64 m_generation = 0;
    /// The generation that showed m_query first (a refresh keeps it): facets of any
    /// generation since describe the query shown (onFacets()).
    quint64 m_queryGeneration = 0;
    quint64 m_facetsGeneration = 0; ///< the generation of the facets shown last
    quint64 m_epoch = 0;          ///< bumped when the store changes; details and requests carry it
    int m_rowCount = 0;
    bool m_showUtc = false;
    bool m_resetPending = false;  ///< the current generation's count replaces every row
    bool m_quickShown = false;    ///< page 0 holds quick matches until the real page 0 comes
    bool m_countProvisional = false; ///< m_rowCount is page 0's size or an estimate
    qint64 m_estimate = -1;          ///< the current generation's estimate; -1 = none
    CountState m_countState;
    bool m_facetsPending = false;
    bool m_busy = false;
    mutable int m_outstanding = 0; ///< requests of the current generation not answered yet
    QString m_dateFormat;

    /// Shown pages, early pages, pending and failed pages (data() marks pages used).
    mutable PageCache m_cache{pageSize, maxCachedPages};

    RequestId m_lastRequest = 0;
    QHash<RequestId, PendingRequest> m_requests;
};

template<typename T>
RequestId TaskResultModel::request(QObject *receiver, std::function<Outcome<T>(ResultStore &)> call,
                                   ReplyHandler<T> handler, RequestOptions options)
{
    auto request = std::make_shared<StoreRequest>();
    request->id = addRequest(receiver, &request->dropped);
    request->epoch = m_epoch;
    request->options = options;
    // Written and read on the worker thread, then moved into the reply posted to this thread.
    auto outcome = std::make_shared<std::optional<Outcome<T>>>();
    request->call = [outcome, call = std::move(call)](ResultStore &store) {
        outcome->emplace(call(store));
        return (*outcome)->ok() ? StoreError() : (*outcome)->error();
    };
    request->fail = [outcome](const StoreError &error) { outcome->emplace(error); };
    request->reply = [this, id = request->id, outcome, handler = std::move(handler)] {
        QMetaObject::invokeMethod(
            this,
            [this, id, answer = std::move(**outcome), handler] {
                if (takeRequest(id))
                    handler(Reply<T>(id, answer));
            },
            Qt::QueuedConnection);
    };
    const RequestId id = request->id;
    postRequest(std::move(request));
    return id;
}

template<typename T>
RequestId TaskResultModel::decode(QObject *receiver, std::function<T()> work, ReplyHandler<T> handler)
{
    std::shared_ptr<std::atomic_bool> dropped;
    const RequestId id = addRequest(receiver, &dropped);
    postDecode([this, id, dropped, work = std::move(work), handler = std::move(handler)] {
        if (dropped->load())
            return; // cancelled before it started
        Outcome<T> value(work());
        QMetaObject::invokeMethod(
            this,
            [this, id, value = std::move(value), handler] {
                if (takeRequest(id))
                    handler(Reply<T>(id, value));
            },
            Qt::QueuedConnection);
    });
    return id;
}
