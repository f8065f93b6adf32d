#pragma once

#include "couchclient.h"
#include "couchdocument.h"
#include "couchindex.h"
#include "couchpage.h"
#include "indexgroups.h"
#include "resultstore.h"
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

    /// Documents in the database that are not Celery results: document id -> reason.
    QMap<QString, QString> foreignDocuments() const
    {
        QMutexLocker lock(&m_dataMutex);
        return m_foreign;
    }
    /// Catches up with the _changes feed now (count() and facets() do it themselves), unless
    /// the live longpoll keeps the index current or the index is still loading.
    StoreError refresh() override;

private:
    StoreInfo infoLocked() const;
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
    void applyParsed(const CouchDocument::Parsed &p);
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
    QString m_serverVersion;
    QSet<QString> m_undeletable;       // conflicts that survived a retry, skipped by purges
    bool m_open = false;

    // The selection of the last fetchPage, reused while neither query nor index changed.
    IndexSelection m_selection;
};

/// A factory of CouchStores for a couchdb:// / couchdbs:// / http(s):// URL that
/// StoreUrl::parse() read (see CouchConfig::fromUrl()); makeStoreFactory() calls it.
Outcome<StoreFactory> makeCouchStoreFactory(const StoreUrl &url, const StoreOptions &options);
