#pragma once

#include "couchclient.h"
#include "couchdocument.h"
#include "couchindex.h"
#include "resultstore.h"
#include "storeurl.h"

#include <QJsonValue>
#include <QMap>
#include <QSet>

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
/// Why not a local QEventLoop on the worker thread: StoreWorker and PurgeJob post their
/// requests to that thread as queued calls, and a nested event loop would run them inside
/// the call in flight (re-entrant store calls; a blocking-queued close() would even delete
/// the store under its own stack). Waiting on a condition processes no events at all.
/// interrupt() may be called from any thread: it sets a flag checked between requests and
/// aborts the running reply through a queued call onto the network thread.
///
/// The server cannot filter inside `value` (the meta is JSON text inside JSON), so open()
/// reads every celery-task-meta-* document once, in key-range pages, into a CouchIndex
/// (compact: no result or traceback text beyond short previews) and remembers the
/// database's update_seq. count(), facets() and the purge calls first catch up with
/// `_changes` since that sequence, so refreshes show new and deleted results live.
/// fetchOne()/fetchByTaskId() GET the document for the complete result and traceback. Row
/// ids are derived from the document ids (CouchIndex::rowIdFor), so every store on the
/// database agrees on them.
///
/// Ownership: the store owns the network thread, the client and the client's manager.
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
    StoreInfo info() const override { return m_info; }

    Outcome<qint64> count(const TaskQuery &query) override;
    Outcome<QVector<TaskResult>> fetchPage(const TaskQuery &query, qint64 offset, int limit,
                                           RowDetail detail = RowDetail::Summary) override;
    Outcome<TaskResult> fetchOne(qint64 rowId) override;
    Outcome<TaskResult> fetchByTaskId(const QString &taskId) override;
    Outcome<Facets> facets(const TaskQuery &query) override;
    Outcome<PurgePreview> previewPurge(const PurgeCriteria &criteria) override;
    Outcome<DeleteBatch> purgeBatch(const PurgeCriteria &criteria, int batchSize) override;
    Outcome<DeleteBatch> deleteRows(const QVector<qint64> &rowIds) override;
    void interrupt() override;

    /// Documents in the database that are not Celery results: document id -> reason.
    QMap<QString, QString> foreignDocuments() const { return m_foreign; }
    /// Catches up with the _changes feed now (count() and facets() do it themselves).
    StoreError refresh();

private:
    struct Group
    {
        QString groupId;
        QString rev;
        QDateTime dateDone;
    };

    CouchReply call(const QByteArray &verb, const QString &path, const CouchClient::Query &query = {},
                    const QByteArray &body = QByteArray());
    QString dbPath() const;
    QString docPath(const QString &docId) const;
    StoreError beginCall();
    StoreError loadRange(const QString &start, const QString &end, bool includeDocs, bool inclusiveEnd);
    void apply(const QJsonObject &doc);
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
    CouchClient *m_client = nullptr; // lives on m_networkThread; deleted there
    std::atomic<CouchClient *> m_clientForInterrupt{nullptr};
    std::atomic_bool m_interrupted{false};
    std::atomic<quint64> m_callGeneration{0};

    StoreInfo m_info;
    CouchIndex m_index;
    QMap<QString, QString> m_foreign;  // docId -> reason
    QMap<QString, Group> m_groups;     // docId -> group
    QJsonValue m_since;                // _changes sequence: opaque JSON (string or number)
    QString m_serverVersion;
    QSet<QString> m_undeletable;       // conflicts that survived a retry, skipped by purges
    bool m_open = false;

    // The selection of the last fetchPage, reused while neither query nor index changed.
    TaskQuery m_cachedQuery;
    quint64 m_cachedGeneration = ~quint64(0);
    std::vector<qint64> m_cachedRows;
};

/// A factory of CouchStores for a couchdb:// / couchdbs:// / http(s):// URL.
Outcome<StoreFactory> makeCouchStoreFactory(const QString &url, const StoreOptions &options = {});
/// The same for a URL StoreUrl::parse() already read (scheme CouchDb; tls = couchdbs://).
Outcome<StoreFactory> makeCouchStoreFactory(const StoreUrl &url, const StoreOptions &options);
