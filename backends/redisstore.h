#pragma once

#include "couchindex.h"
#include "redisvalue.h"
#include "resultstore.h"
#include "respclient.h"
#include "storeurl.h"

#include <QMap>
#include <QMutex>
#include <QSet>
#include <QWaitCondition>

#include <atomic>
#include <memory>

class QThread;

/// Where a RedisStore reads: the server, the database and the global key prefix.
struct RedisConfig
{
    RedisEndpoint endpoint;
    /// Text before "celery-task-meta-" (Celery >= 5.3's global_keyprefix as it lands in the
    /// keys: Celery 5.3 adds '_', later versions add '_' unless it ends with ':', '_', '-' or '.').
    QString keyPrefix;
    /// No ?keyprefix= given (and keyPrefix empty): both Celery's own keys and Django cache keys
    /// ("KEY_PREFIX:VERSION:celery-task-meta-…", django-celery-results' CacheBackend through
    /// django-redis) are read, each under its own prefix (RedisValue::defaultKeyPrefix()).
    bool defaultPrefixes = true;
    int scanCount = 1000;   ///< SCAN's COUNT hint: keys per round trip
    QString location;       ///< the URL for messages, password masked

    /// From a redis://, rediss:// or redis+socket:// URL StoreUrl::parse() read.
    static Outcome<RedisConfig> fromUrl(const StoreUrl &url);
};

/// A ResultStore over the keys Celery's RedisBackend writes (FORMATS.md §4), and over those
/// django-celery-results' CacheBackend writes through django-redis (§5: the meta pickled under
/// ":1:celery-task-meta-<id>"), which differ only in their key prefix.
///
/// Thread rules (ResultStore's): calls are synchronous, on the thread that called open(),
/// over one blocking RedisConnection (no event loop: see RedisConnection). interrupt() may
/// come from any thread.
///
/// Loading: Redis cannot look inside values, so open() starts a loader thread with its own
/// connection that walks `SCAN 0 MATCH <prefix>celery-task-meta-* COUNT n` (never KEYS; without a
/// prefix `*celery-task-meta-*`, keeping the keys RedisValue::defaultKeyPrefix() accepts) and
/// reads each batch's values with one MGET pipelined with the next SCAN, decodes them
/// (RedisValue) outside the lock and applies them to a CouchIndex under m_mutex; then the same
/// for the group keys. As CouchStore: by default open() waits for the whole index; with
/// setIncrementalOpen(true) it returns at the first indexed rows and count/pages/facets answer
/// from what is indexed so far, while previewPurge/purgeBatch wait for the complete index.
/// Details (fetchOne, fetchByTaskId, Full pages) are read from Redis on demand.
///
/// Deleting never touches a key that is not a Celery result: each batch WATCHes its keys,
/// re-reads them (MGET), keeps the ones that still qualify and deletes them with UNLINK
/// (DEL before Redis 4) inside MULTI/EXEC; if a key changed meanwhile EXEC does nothing and
/// the batch is read and decided again.
///
/// Ownership: the store owns the loader thread and both connections.
class RedisStore final : public ResultStore
{
public:
    explicit RedisStore(RedisConfig config, StoreOptions options = {});
    ~RedisStore() override;

    StoreError open() override;
    StoreInfo info() const override;

    Outcome<qint64> count(const TaskQuery &query) override;
    Outcome<QVector<TaskResult>> fetchPage(const TaskQuery &query, qint64 offset, int limit,
                                           RowDetail detail = RowDetail::Summary) override;
    Outcome<TaskResult> fetchOne(qint64 rowId) override;
    Outcome<TaskResult> fetchByTaskId(const QString &taskId) override;
    Outcome<Facets> facets(const TaskQuery &query) override;
    Outcome<StatusHistory> statusHistory(const TaskQuery &query, TimeBucket bucket) override;
    Outcome<FailureTable> failures(const TaskQuery &query) override;
    Outcome<PurgePreview> previewPurge(const PurgeCriteria &criteria) override;
    Outcome<DeleteBatch> purgeBatch(const PurgeCriteria &criteria, int batchSize) override;
    Outcome<DeleteBatch> deleteRows(const QVector<qint64> &rowIds) override;
    void interrupt() override;
    void setIncrementalOpen(bool incremental) override { m_incremental = incremental; }
    bool isLoading() const override { return m_loading.load(); }
    qint64 loadedCount() const override { return m_loadedKeys.load(); }
    StoreError waitUntilLoaded() override;

    /// Keys under Celery's prefixes whose values are not Celery results: key -> reason.
    QMap<QString, QString> foreignKeys() const;

private:
    StoreError beginCall();
    /// beginCall(), then the query's own limits (TaskQuery::searchError()).
    StoreError beginCall(const TaskQuery &query);
    StoreError ensureConnected();
    void load(); // loader thread
    void applyBatch(const QStringList &keys, const QVector<RespValue> &values);
    void applyParsed(const CouchDocument::Parsed &p);
    void applyGone(const QString &key);
    void finishLoading(const StoreError &error);
    template<typename Done>
    StoreError waitFor(QMutexLocker<QMutex> &lock, Done done);
    StoreError waitForLoad();
    void updateInfo();
    Outcome<TaskResult> fetchKey(const QString &key);
    /// Deletes those of keys that still qualify (re-read under WATCH); returns how many.
    Outcome<qint64> deleteKeys(const QStringList &keys,
                               const std::function<bool(const CouchDocument::Parsed &)> &stillDeletable);
    /// The keys a task id may have: one under the prefix given, else one under each prefix seen
    /// (Celery's first), or Celery's and Django's default ":1:" while none is seen.
    QStringList taskKeys(const QString &taskId) const;
    bool readsDefaultPrefixes() const { return m_config.defaultPrefixes && m_config.keyPrefix.isEmpty(); }
    /// The prefix a key is read under; null for a key this store does not read.
    QString prefixOf(const QString &key) const;
    CouchDocument::Parsed parseKey(const QString &key, const QByteArray &value,
                                   CouchDocument::Detail detail = CouchDocument::Detail::Full) const;

    RedisConfig m_config;
    StoreOptions m_options;
    std::unique_ptr<RedisConnection> m_conn; // the calling thread's
    std::unique_ptr<QThread> m_loader;
    std::atomic<RedisConnection *> m_loaderConn{nullptr};
    std::atomic_bool m_interrupted{false};
    std::atomic_bool m_stopping{false};
    std::atomic_bool m_loading{false};
    std::atomic<qint64> m_loadedKeys{0};
    bool m_incremental = false;
    QByteArray m_deleteCommand = "UNLINK";

    // Guarded by m_mutex; m_changed wakes waiters on every batch, the end of loading and
    // interrupt().
    mutable QMutex m_mutex;
    QWaitCondition m_changed;
    bool m_loadFinished = false;
    StoreError m_loadError;
    StoreInfo m_info;
    QString m_serverVersion;
    qint64 m_otherKeys = 0; // DBSIZE minus Celery keys, at open
    CouchIndex m_index;
    QMap<QString, QDateTime> m_groups; // key -> date_done (invalid: none)
    QMap<QString, QString> m_foreign;  // key -> reason
    QSet<QString> m_prefixes;          // the key prefixes of the results and groups read
    QMap<RedisValue::Encoding, qint64> m_encodings;
    QSet<QString> m_undeletable;       // kept changing under every retry: skipped by purges

    IndexSelection m_selection; // the last fetchPage's rows, while neither query nor index changed
};

/// A factory of RedisStores for a redis:// / rediss:// / redis+socket:// URL; makeStoreFactory() calls it.
Outcome<StoreFactory> makeRedisStoreFactory(const StoreUrl &url, const StoreOptions &options);
