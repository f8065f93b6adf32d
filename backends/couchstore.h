#pragma once

#include "couchclient.h"
#include "couchdesign.h"
#include "couchdocument.h"
#include "couchindex.h"
#include "couchpage.h"
#include "couchviews.h"
#include "indexgroups.h"
#include "resultstore.h"
#include "rowdocids.h"
#include "storeurl.h"

#include <QJsonValue>
#include <QMap>
#include <QMutex>
#include <QSet>
#include <QWaitCondition>

#include <atomic>
#include <functional>
#include <memory>

class QNetworkAccessManager;
class QThread;

/// A ResultStore over a CouchDB database holding Celery CouchBackend documents.
///
/// Thread rules (ResultStore's): calls are synchronous and made on one worker thread, the
/// one that calls open(). The asynchronous CouchClient and its QNetworkAccessManager live on
/// a private network thread the store starts in open(); each call posts its request there
/// and blocks the worker thread (never the GUI thread) until the answer arrives.
/// Why not a local QEventLoop on the worker thread: StoreWorker receives every request (pages,
/// a PurgeJob's batches) on that thread as a queued call, and a nested event loop would run them inside
/// the call in flight (re-entrant store calls; a blocking-queued close() would even delete
/// the store under its own stack). Waiting on a condition processes no events at all.
/// interrupt() may be called from any thread: it sets a flag checked between requests and
/// aborts the running reply through a queued call onto the network thread.
///
/// The server cannot filter inside `value` (the meta is JSON text inside JSON), so open()
/// reads every celery-task-meta-* document once, in key-range pages, into a CouchIndex
/// (compact: no result or traceback text beyond short previews) and remembers the
/// database's update_seq. The pages are read by a loader running on the network thread
/// (a chain of CouchClient callbacks: on the call client by default, on a second client,
/// m_feedClient, in incremental mode). Each page is read without a JSON DOM (CouchPage);
/// the request for the next page goes out before the page is decoded and applied to the
/// index under m_dataMutex, which a third thread (the apply thread) does, one page after
/// another in page order; so the server prepares page n+1 while page n is decoded. The
/// last page's apply (or a failed page, queued behind the applies) ends the loading. Every
/// call on the worker thread reads the index under the same mutex.
///
/// Two modes:
/// - Default (command line, purge jobs): open() waits for the whole index; count(),
///   facets() and the purge calls then catch up with `_changes` since the remembered
///   sequence, synchronously, so every call sees what was committed before it.
/// - Incremental (setIncrementalOpen(true), the window's StoreWorker): open() returns once
///   the first rows are indexed (or the database turned out empty); isLoading() and
///   loadedCount() report the progress while count()/fetchPage()/facets() answer from what
///   is indexed so far. previewPurge()/purgeBatch() wait for the complete index. Once
///   complete, a `_changes` longpoll (feed=longpoll, opaque since, include_docs) keeps the
///   index current on the network thread; count() and facets() catch up themselves only
///   while that feed is down (a failed poll is retried after feedRetryMs), never both at once.
/// Views mode: when the database holds Stalk's design document (`stalk couch-index --create`)
/// and it is up to date, open() reads no document: count(), facets(), fetchPage() sorted by
/// date done, status, task name or worker, statusHistory() and the purge calls are
/// answered from its views (CouchViews), so memory stays flat in the database's size and
/// every answer is as current as the server. A call the views cannot answer (a search, the
/// exception filter, another sort order, failures) starts the in-memory index above once
/// (ensureIndex()) and is answered from it, in either mode. ?index=full never uses the views,
/// ?index=views refuses to open without them.
/// fetchOne()/fetchByTaskId() GET the document for the complete result and traceback. Row
/// ids are derived from the document ids (CouchIndex::rowIdFor), so every store on the
/// database agrees on them.
///
/// Ownership: the store owns the network and apply threads, the clients and their manager.
class CouchStore final : public ResultStore
{
public:
    explicit CouchStore(CouchConfig config, StoreOptions options = {});
    ~CouchStore() override;

    /// Makes the QNetworkAccessManager the client uses (tests inject faults or count
    /// requests). Called once, on the network thread, during open(); the client parents and
    /// owns the result. Set before open().
    using ManagerFactory = std::function<QNetworkAccessManager *()>;
    void setNetworkAccessManagerFactory(ManagerFactory factory) { m_managerFactory = std::move(factory); }

    StoreError open() override;
    StoreInfo info() const override { return infoLocked(); }

    Outcome<qint64> count(const TaskQuery &query) override;
    Outcome<QVector<TaskResult>> fetchPage(const TaskQuery &query, qint64 offset, int limit,
                                           RowDetail detail = RowDetail::Summary) override;
    Outcome<TaskResult> fetchOne(qint64 rowId) override;
    Outcome<TaskResult> fetchByTaskId(const QString &taskId) override;
    Outcome<Facets> facets(const TaskQuery &query) override;
    /// Views mode, unfiltered: the database's document count (one request); else -1.
    Outcome<qint64> estimateCount(const TaskQuery &query) override;
    Outcome<StatusHistory> statusHistory(const TaskQuery &query, TimeBucket bucket) override;
    Outcome<FailureTable> failures(const TaskQuery &query) override;
    /// The saved groups (celery-taskset-meta-<id> documents) from memory, caught up as count()
    /// is; while loading, those indexed yet.
    Outcome<QVector<TaskGroup>> groups(const TaskQuery &query, int limit) override;
    Outcome<QVector<TaskGroup>> groupsOf(const QString &taskId) override;
    /// Summary rows from the index (what is indexed so far while loading); no request.
    Outcome<QVector<TaskResult>> fetchByTaskIds(const QStringList &taskIds) override;
    Outcome<PurgePreview> previewPurge(const PurgeCriteria &criteria) override;
    Outcome<DeleteBatch> purgeBatch(const PurgeCriteria &criteria, int batchSize) override;
    Outcome<DeleteBatch> deleteRows(const QVector<qint64> &rowIds) override;
    void interrupt() override;
    void setIncrementalOpen(bool incremental) override { m_incremental = incremental; }
    bool isLoading() const override { return m_loading.load(); }
    qint64 loadedCount() const override { return m_loadedDocs.load(); }
    StoreError waitUntilLoaded() override;

    /// Incremental mode: the _changes longpoll keeps the index current (false while the
    /// index loads, in the default mode, and while the feed is down after a failure).
    bool isFeedRunning() const;
    /// How long the server holds a longpoll open (its timeout parameter); default half the
    /// request time-out, at most 60 s.
    void setFeedTimeoutMs(int ms) { m_feedTimeoutMs = ms; }
    /// How long after a failed longpoll (after the client's own retries) the feed starts
    /// again; meanwhile count() and facets() catch up themselves. Default 2 s. Set before open().
    void setFeedRetryMs(int ms) { m_feedRetryMs = ms; }
    /// Views mode: how often open() asks the server how far it is while it builds the views
    /// (awaitViews()). Default 1 s. Set before open().
    void setBuildPollMs(int ms) { m_buildPollMs = ms; }
    /// While open() waits for the server to build the views: CouchDesign::describe() of its
    /// progress.
    QString openingNote() const override;

    /// Documents in the database that are not Celery results: document id -> reason.
    QMap<QString, QString> foreignDocuments() const
    {
        QMutexLocker lock(&m_dataMutex);
        return m_foreign;
    }
    /// Catches up with the _changes feed now (count() and facets() do it themselves), unless
    /// the live longpoll keeps the index current or the index is still loading.
    StoreError refresh() override;

    /// Answers come from the server's Stalk index (_design/stalk) rather than from memory
    /// (see "Views mode" above). Set by open().
    bool usesServerViews() const { return m_mode == Mode::Views; }

private:
    /// What a call interrupted (interrupt()) returns.
    static StoreError cancelled();
    StoreInfo infoLocked() const;
    /// Reads the database's sequence and starts the loader (open(), or the first call that
    /// needs the in-memory index in views mode).
    StoreError startLoading();
    /// Waits for the index as open() does: complete, or its first rows when incremental.
    StoreError waitForIndex(bool whole, bool stopOnFailure = false);
    /// beginCaughtUpCall() with the in-memory index (started first in views mode).
    StoreError beginIndexCall(const TaskQuery &query);

    // Views mode (couchstoreviews.cpp).
    enum class Mode { Index, Views };
    /// open(): whether the design document is there and up to date and the views answer;
    /// an error only when ?index=views asked for them. *useViews says which mode.
    StoreError chooseMode(bool *useViews);
    /// The query is answered from the views (views mode and CouchViews::unsupported() empty).
    bool viewsAnswer(const TaskQuery &query, bool withSort) const;
    /// Views mode, a call the views cannot answer: starts the in-memory index once and waits
    /// for it (complete by default, its first rows when incremental).
    StoreError ensureIndex();
    QString viewPath(CouchViews::View view) const;
    CouchReply callView(CouchViews::View view, const CouchClient::Query &query);
    /// callView() for the first view request, which the server answers only once it has
    /// brought the views up to date: minutes for a new design document on a large
    /// database, without a byte meanwhile. So the request has no time-out of its own;
    /// every m_buildPollMs the server is asked how far it is (readBuildProgress()), which
    /// openingNote() tells. It times out as any request does (config timeoutMs) only once
    /// the server has not said it is building for that long, and fails at once when the
    /// server stops answering.
    CouchReply awaitViews(CouchViews::View view, const CouchClient::Query &query);
    /// The server's word on building the views (CouchDesign::BuildProgress): _active_tasks
    /// (skipped once refused: not a server admin), then the design document's _info. An
    /// error only when the server did not answer at all.
    Outcome<CouchDesign::BuildProgress> readBuildProgress();
    /// Sends every request at once and waits for all of them (answers in request order).
    QVector<CouchReply> callAll(const QVector<QPair<QString, CouchClient::Query>> &requests);
    /// The rows of a view plan, range after range (each in the view's order); each() false stops.
    /// Where a walk is: the range (in walk order) and the last key read in it; empty = its start.
    struct WalkPosition
    {
        int range = 0;
        QJsonArray lastKey;
    };
    /// The request of a range's next page of rows (reduce=false, m_config.pageSize of them),
    /// after lastKey when it is not empty (keys are unique: each ends with a document id).
    CouchClient::Query rowsAfter(const CouchViews::Range &range, bool descending, const QJsonArray &lastKey) const;
    /// From `position` when given (and updated to the row each() last saw).
    StoreError walkPlan(const CouchViews::Plan &plan, bool descending,
                        const std::function<bool(const CouchViews::Row &)> &each, WalkPosition *position = nullptr);
    /// Where a merge of a plan's ranges is: the last key read in each range (empty: none yet).
    struct MergePosition
    {
        QVector<QJsonArray> lastKeys;
    };
    /// The rows of a plan's ranges merged into one order, the date's (then the document
    /// id's: compareAfterOwnField()), as by_date would list them: each range is read a page
    /// at a time and the row first in that order is taken next. A filter on several values
    /// of one field sorted by date reads only their rows, not every by_date row. From
    /// `position` (updated to the rows each() saw).
    StoreError mergePlan(const CouchViews::Plan &plan, bool descending,
                         const std::function<bool(const CouchViews::Row &)> &each, MergePosition *position);
    /// Sum of the _count reduce over each range.
    Outcome<qint64> reduceCount(CouchViews::View view, const QVector<CouchViews::Range> &ranges);
    /// The reduced rows of each range (grouped at `level` when > 0), all asked at once.
    Outcome<QVector<QJsonArray>> rangeRows(CouchViews::View view, const QVector<CouchViews::Range> &ranges, int level);
    /// rangeRows() of each value's range within the bounds.
    Outcome<QVector<QJsonArray>> perValueRows(CouchViews::View view, const QVector<QJsonValue> &values,
                                              const CouchViews::DateBounds &bounds, int level);
    /// The values of a view's own field (group_level=1), with their counts.
    Outcome<QVector<QPair<QJsonValue, qint64>>> viewValues(CouchViews::View view);
    /// The statuses there are (texts only).
    Outcome<QVector<QJsonValue>> statusValues();
    /// (id, current revision) of the documents that exist, in one request.
    Outcome<QVector<QPair<QString, QString>>> currentRevisions(const QStringList &docIds);
    /// Rows of `field` (a facet) among the query's rows, all from the views.
    Outcome<QVector<FacetValue>> viewFacet(const TaskQuery &query, Field field);
    Outcome<qint64> viewCount(const TaskQuery &query);
    Outcome<Facets> viewFacets(const TaskQuery &query);
    Outcome<QVector<TaskResult>> viewPage(const TaskQuery &query, qint64 offset, int limit, RowDetail detail);
    Outcome<StatusHistory> viewStatusHistory(const TaskQuery &query, TimeBucket bucket);
    Outcome<PurgePreview> viewPreviewPurge(const PurgeCriteria &criteria);
    Outcome<DeleteBatch> viewPurgeBatch(const PurgeCriteria &criteria, int batchSize);
    /// The saved groups, read from the server (views mode keeps none in memory).
    Outcome<IndexGroups> readGroups();
    /// Rows from documents by id (one POST per call), in the order of ids; missing ones left out.
    Outcome<QVector<TaskResult>> rowsOfDocs(const QStringList &docIds, RowDetail detail);
    /// Rows of an answer's rows that carry their documents (include_docs), in order.
    QVector<TaskResult> rowsOfAnswer(const QJsonArray &answerRows, RowDetail detail);
    /// Row id -> document id of every row the views handed out (fetchOne, deleteRows).
    RowDocIds m_viewRowDocs;
    /// Where the last page of a views query ended, to go on from there without walking
    /// the rows before it again.
    struct ViewCursor
    {
        TaskQuery query;
        qint64 nextOffset = -1;
        WalkPosition position; ///< after its last row (keys are unique: each ends with a document id)
        MergePosition merge;   ///< the same for a page merged from several ranges
    };
    ViewCursor m_viewCursor;
    Mode m_mode = Mode::Index;
    bool m_indexStarted = false;
    /// Views mode: some result holds result_extended's keys (a task name).
    bool m_viewsExtended = false;
    /// Why the views were not used although the design document is there (for the note).
    QString m_viewsProblem;
    /// A request posted to the network thread (post()), answered there.
    struct PendingCall
    {
        QMutex mutex;
        QWaitCondition done;
        bool finished = false;
        CouchReply reply; ///< once finished
        /// Waits up to ms (-1: no limit); whether it is answered.
        bool wait(int ms = -1);
    };
    /// Posts a request (CouchClient::send() on the network thread); never sent once
    /// interrupted, then answered Cancelled.
    std::shared_ptr<PendingCall> post(const QByteArray &verb, const QString &path, const CouchClient::Query &query,
                                      const QByteArray &body, int transferTimeoutMs = -1);
    /// post() and wait for the answer.
    CouchReply call(const QByteArray &verb, const QString &path, const CouchClient::Query &query = {},
                    const QByteArray &body = QByteArray());
    QString dbPath() const;
    QString docPath(const QString &docId) const;
    StoreError beginCall();
    /// beginCall(), the query's own limits, then catchUp(): the calls that answer a query from
    /// the current index.
    StoreError beginCaughtUpCall(const TaskQuery &query);
    struct LoadRange
    {
        QString start;
        QString end;
        bool includeDocs = false;
        bool inclusiveEnd = true;
    };
    // Network thread: the loader and the live feed.
    void loadNextPage();
    /// A page arrived (network thread): asks for the next one, then queues applyPage() on
    /// the apply thread (see the .cpp).
    void onLoadPage(const CouchReply &reply, QVector<CouchPage::Row> rows);
    /// Apply thread: decodes a page's rows (freeing their texts) and applies them under
    /// m_dataMutex.
    void applyPage(const QByteArray &body, QVector<CouchPage::Row> &rows, const LoadRange &range,
                   const QString &cursor);
    /// Apply thread: the loading ended (after the last page's apply, or with an error).
    void finishLoading(const StoreError &error);
    /// Queues a step on the apply thread (after every step queued before it).
    void onApplyThread(std::function<void()> step);
    void startFeed();
    void onFeed(const CouchReply &reply, quint64 serial);
    /// Waits (interruptibly) until done() holds; m_dataMutex is held by the caller's locker.
    template<typename Done>
    StoreError waitFor(QMutexLocker<QMutex> &lock, Done done);
    struct Change
    {
        QString docId;
        bool deleted = false;
        bool hasDoc = false;
        CouchDocument::Parsed parsed;
    };
    /// Parses a _changes answer's results (no lock needed).
    QVector<Change> parseChanges(const QJsonObject &answer) const;
    /// Applies parsed changes and the answer's last_seq; m_dataMutex held. True if anything changed.
    bool applyChanges(const QVector<Change> &changes, const QJsonObject &answer);
    QString sinceText() const;
    /// m_dataMutex held. apply() parses too; parse first and applyParsed() under the lock
    /// to keep the lock short (the GUI thread takes it briefly in interrupt()).
    void apply(const QJsonObject &doc);
    /// entry: the task's CouchIndex::entry(), prepared before the lock was taken; null to
    /// prepare it here.
    void applyParsed(const CouchDocument::Parsed &p, CouchIndex::Entry *entry = nullptr);
    void applyDeleted(const QString &docId);
    StoreError catchUp();
    void updateInfo();
    Outcome<TaskResult> fetchDoc(const QString &docId);
    /// Deletes (docId, rev) pairs with _bulk_docs; conflicts are re-fetched and re-checked
    /// with stillDeletable, then retried once. Returns how many were deleted.
    Outcome<qint64> bulkDelete(const QVector<QPair<QString, QString>> &docs,
                               const std::function<bool(const CouchDocument::Parsed &)> &stillDeletable);

    CouchConfig m_config;
    StoreOptions m_options;
    ManagerFactory m_managerFactory;
    std::unique_ptr<QThread> m_networkThread;
    /// The loader's decoding and applying of pages runs here, in page order, so the network
    /// thread is free to read the next page meanwhile (and a network thread blocked in a
    /// request never holds up the pages already read).
    std::unique_ptr<QThread> m_applyThread;
    QObject *m_applier = nullptr; // lives on m_applyThread; deleted after it stopped
    CouchClient *m_client = nullptr; // lives on m_networkThread; deleted there
    std::atomic<CouchClient *> m_clientForInterrupt{nullptr};
    std::atomic_bool m_interrupted{false};
    std::atomic<quint64> m_callGeneration{0};

    CouchClient *m_feedClient = nullptr; // incremental mode: loader + longpoll; on m_networkThread
    bool m_incremental = false;
    std::atomic_bool m_stopping{false};
    std::atomic_bool m_loading{false};
    std::atomic<qint64> m_loadedDocs{0};
    int m_feedTimeoutMs = 0;
    int m_feedRetryMs = 2000;
    int m_buildPollMs = 1000;
    bool m_tasksRefused = false; ///< _active_tasks answered 401/403: not asked again
    mutable QMutex m_noteMutex;
    QString m_openingNote; ///< openingNote()'s, under m_noteMutex
    // Loader state: network thread only.
    QVector<LoadRange> m_ranges;
    int m_rangeIndex = 0;
    QString m_cursor;

    // Everything below is guarded by m_dataMutex (the worker thread reads while the network
    // thread's loader and feed write); m_dataChanged wakes waiters on every page, the end
    // of loading and interrupt().
    mutable QMutex m_dataMutex;
    QWaitCondition m_dataChanged;
    bool m_loadFinished = false;
    StoreError m_loadError;
    enum class Feed { Off, Running, Failed };
    Feed m_feed = Feed::Off;
    /// Bumped whenever a _changes answer is applied. The feed and the catch-up may both be in
    /// flight; an answer is applied only if nothing was applied since its request started
    /// (so it began from the current m_since and is at least as new), else it is asked again.
    quint64 m_applySerial = 0;
    StoreInfo m_info;
    CouchIndex m_index;
    QMap<QString, QString> m_foreign;  // docId -> reason
    IndexGroups m_groups;              // docId -> saved group
    QJsonValue m_since;                // _changes sequence: opaque JSON (string or number)
    QJsonValue m_openSeq;              // the database's update_seq when open() read it
    QString m_serverVersion;
    QSet<QString> m_undeletable;       // conflicts that survived a retry, skipped by purges
    bool m_open = false;

    // The selection of the last fetchPage, reused while neither query nor index changed.
    IndexSelection m_selection;
};

/// A factory of CouchStores for a couchdb:// / couchdbs:// / http(s):// URL that
/// StoreUrl::parse() read (see CouchConfig::fromUrl()); makeStoreFactory() calls it.
Outcome<StoreFactory> makeCouchStoreFactory(const StoreUrl &url, const StoreOptions &options);
