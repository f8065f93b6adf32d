#pragma once

#include "blockingsocket.h"
#include "couchindex.h"
#include "indexgroups.h"
#include "redisvalue.h"
#include "resultstore.h"
#include "storeurl.h"

#include <QDateTime>
#include <QMap>
#include <QMutex>
#include <QSet>
#include <QWaitCondition>

#include <atomic>
#include <functional>
#include <memory>

class QThread;

/// One key's value as a key-value server answered it.
struct KeyValue
{
    bool present = false; ///< false: no such key (expired, evicted, deleted, not a string)
    QByteArray value;
    QDateTime expires;    ///< invalid: no expiry (or not asked for)
    quint64 cas = 0;      ///< memcached's CAS unique when asked for, a file's fingerprint; 0 otherwise
    /// Non-empty: a value the store could not tie to a Celery key (a FileBasedCache file, named
    /// by a hash of its key, that holds something else), listed as not a Celery result for this reason.
    QString foreign;
};

/// One connection of a KeyValueStore to its server (or directory), for one thread.
class KeyValueConnection
{
public:
    virtual ~KeyValueConnection() = default;
    /// Connects and logs in as the server wants.
    virtual StoreError connect() = 0;
    /// The values of keys, one per key in order; withExpiry also reads when each expires.
    virtual Outcome<QVector<KeyValue>> read(const QStringList &keys, bool withExpiry) = 0;

    virtual bool isConnected() = 0;
    /// Thread-safe: aborts the call in flight (and any later one until clearInterrupt()).
    virtual void interrupt() = 0;
    virtual void clearInterrupt() = 0;
};

/// A KeyValueConnection over one BlockingSocket (see RedisConnection).
class SocketKeyValueConnection : public KeyValueConnection
{
public:
    bool isConnected() override { return transport().isOpen(); }
    void interrupt() override { transport().interrupt(); }
    void clearInterrupt() override { transport().clearInterrupt(); }

protected:
    /// The socket the connection talks over.
    virtual BlockingSocket &transport() = 0;
};

/// A live feed of the keys other clients change (Redis: keyspace notifications), for one
/// thread: a KeyValueStore's live thread connects, subscribes and waits on it. interrupt()
/// and nothing else may be called from any thread.
class KeyChangeFeed
{
public:
    virtual ~KeyChangeFeed() = default;
    /// Connects and subscribes; returns once the server confirmed (or failed).
    virtual StoreError subscribe() = 0;
    /// The keys changed that arrived within waitMs: none is a quiet server, not a failure; a
    /// lost connection is one.
    virtual Outcome<QStringList> next(int waitMs) = 0;
    /// Closes the connection (on the thread that subscribed).
    virtual void close() = 0;
    /// Thread-safe: the call in flight returns Cancelled.
    virtual void interrupt() = 0;
};

/// Where a KeyValueStore reads: Celery's key prefix, as ?keyprefix= gives it.
struct KeyPrefixConfig
{
    /// Text before "celery-task-meta-" (Celery >= 5.3's global_keyprefix as it lands in the
    /// keys: Celery 5.3 adds '_', later versions add '_' unless it ends with ':', '_', '-' or '.').
    QString keyPrefix;
    /// No ?keyprefix= given (and keyPrefix empty): both Celery's own keys and Django cache keys
    /// ("KEY_PREFIX:VERSION:celery-task-meta-…", django-celery-results' CacheBackend) are read,
    /// each under its own prefix (RedisValue::defaultKeyPrefix()).
    bool defaultPrefixes = true;
    QString location;       ///< the URL for messages, password masked

    /// ?keyprefix= of url.
    static KeyPrefixConfig fromUrl(const StoreUrl &url);
};

/// A ResultStore over the keys Celery's key-value backends write (FORMATS.md §4, §5) in a
/// server that cannot look inside values (Redis, memcached): one key per result,
/// `<prefix>celery-task-meta-<task_id>`, and per saved group `<prefix>celery-taskset-meta-<id>`,
/// values decoded by RedisValue (JSON, or a pickle read without running it).
///
/// Thread rules (ResultStore's): calls are synchronous, on the thread that called open(),
/// over one blocking connection (no event loop). interrupt() may come from any thread.
///
/// Loading: open() starts a loader thread with its own connection that lists the keys and
/// reads their values in batches (the server's own way: listKeys()), decodes them outside the
/// lock and applies them to a CouchIndex under m_mutex. As CouchStore: by default open() waits
/// for the whole index; with setIncrementalOpen(true) it returns at the first indexed rows and
/// count/pages/facets answer from what is indexed so far, while previewPurge/purgeBatch wait
/// for the complete index. Details (fetchOne, fetchByTaskId, Full pages) are read on demand.
///
/// Deleting never touches a key that is not a Celery result: removeKeys() re-reads each batch
/// and deletes only the keys that still qualify and were not rewritten meanwhile (Redis:
/// WATCH + MULTI/EXEC; memcached: CAS), retrying what changed.
///
/// Ownership: the store owns the loader thread and both connections.
class KeyValueStore : public ResultStore
{
public:
    ~KeyValueStore() override;

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
    /// The saved groups read so far (while loading, those indexed yet), from memory.
    Outcome<QVector<TaskGroup>> groups(const TaskQuery &query, int limit) override;
    Outcome<QVector<TaskGroup>> groupsOf(const QString &taskId) override;
    /// Summary rows from the index (what is indexed so far while loading); the values are read
    /// again only for results longer than the index keeps (summaryRows()).
    Outcome<QVector<TaskResult>> fetchByTaskIds(const QStringList &taskIds) override;
    Outcome<PurgePreview> previewPurge(const PurgeCriteria &criteria) override;
    Outcome<DeleteBatch> purgeBatch(const PurgeCriteria &criteria, int batchSize) override;
    Outcome<DeleteBatch> deleteRows(const QVector<qint64> &rowIds) override;
    void interrupt() override;
    void setIncrementalOpen(bool incremental) override { m_incremental = incremental; }
    void setFollowChanges(bool follow) override { m_follow = follow; }
    bool isLoading() const override { return m_loading.load(); }
    qint64 loadedCount() const override { return m_loadedKeys.load(); }
    StoreError waitUntilLoaded() override;
    /// With live updates on (makeChangeFeed()): reads the keys the feed named since (only
    /// those, no listing). Otherwise re-scans the keys (a store whose listKeyNames() lists them
    /// without their values): reads the keys the index lacks and those whose indexed status is
    /// not final (TaskResult::isReadyState()), and drops the entries whose keys are gone,
    /// checked by reading them. Returns at once while loading (or for a store that cannot re-list).
    StoreError refresh() override;
    /// Whether a live feed keeps the index current now (false before open(), when the server
    /// offers none, and after its connection was lost).
    bool isLive() const;

    /// Keys under Celery's prefixes whose values are not Celery results: key -> reason.
    QMap<QString, QString> foreignKeys() const;

protected:
    KeyValueStore(KeyPrefixConfig config, StoreOptions options);

    /// A batch of listed keys and their values for the index (listKeys()); false: stop listing.
    using Batch = std::function<bool(const QStringList &keys, const QVector<KeyValue> &values)>;

    // ---- the server's part, which a subclass writes
    virtual std::unique_ptr<KeyValueConnection> makeConnection() const = 0;
    /// At open(), on the calling thread's connection: the server's name and version for the
    /// status bar, and how many keys it holds in all (-1: unknown); an error stops open().
    virtual StoreError hello(KeyValueConnection &conn, QString *serverVersion, qint64 *keyCount) = 0;
    /// On the loader thread: lists the keys that may be Celery's (listPatterns()) and hands
    /// each batch with its values to batch, which must not use conn (the server may already
    /// be sending the next batch on it).
    virtual StoreError listKeys(KeyValueConnection &conn, const Batch &batch) = 0;
    /// A batch of listed key names (listKeyNames()); false: stop listing.
    using NameBatch = std::function<bool(const QStringList &keys)>;
    /// Whether listKeyNames() lists the keys without reading their values (refresh() re-scans).
    virtual bool listsKeyNames() const { return false; }
    /// On the calling thread, at refresh(): the keys listKeys() would list, without their
    /// values; batch may read them on conn.
    virtual StoreError listKeyNames(KeyValueConnection & /*conn*/, const NameBatch & /*batch*/) { return {}; }
    /// At open(), after hello(), on the calling thread's connection: the feed of changed keys
    /// when the server offers one (not connected yet: the live thread subscribes), else null
    /// and, in *why, the sentence that says why refresh re-scans (empty: say nothing).
    virtual std::unique_ptr<KeyChangeFeed> makeChangeFeed(KeyValueConnection & /*conn*/, QString * /*why*/, StoreError * /*error*/)
    {
        return nullptr;
    }
    /// Deletes those of keys that still qualify (recheck()) and were not rewritten since they
    /// were read; says how many went (markUndeletable() for keys that kept changing).
    virtual Outcome<qint64> removeKeys(KeyValueConnection &conn, const QStringList &keys,
                                       const std::function<bool(const CouchDocument::Parsed &)> &stillDeletable) = 0;
    /// "database 2 of Redis at HOST:PORT", "memcached at HOST:PORT".
    virtual QString where() const = 0;
    /// "Celery RedisBackend keys", "Celery cache backend keys": whose keys without a Django prefix.
    virtual QString celeryKeysName() const = 0;
    /// What the store's keys are to a person, for "2 keys are not Celery results" ("file").
    virtual QString entryWord() const { return QStringLiteral("key"); }

    // ---- helpers for the subclass
    const KeyPrefixConfig &prefixConfig() const { return m_config; }
    bool readsDefaultPrefixes() const { return m_config.defaultPrefixes && m_config.keyPrefix.isEmpty(); }
    /// The prefix a key is read under; null for a key this store does not read.
    QString prefixOf(const QString &key) const;
    bool stopping() const { return m_stopping.load(); }
    bool interrupted() const { return m_interrupted.load(); }
    /// Under the lock: decodes each read value into the index (gone keys leave it) and says,
    /// per key, whether stillDeletable() holds for it now.
    QVector<bool> recheck(const QStringList &keys, const QVector<KeyValue> &values,
                          const std::function<bool(const CouchDocument::Parsed &)> &stillDeletable);
    /// Under the lock: keys deleted, or kept changing under every retry (skipped by purges).
    void forgetKeys(const QStringList &keys);
    void markUndeletable(const QStringList &keys);
    static StoreError cancelled();
    /// Stops and joins the loader thread: every subclass's destructor calls it first, since
    /// the loader calls the subclass's listKeys().
    void stopLoader();
    /// At hello(): the store cannot delete (why: "DIR is not writable: opened read-only"),
    /// whatever the options said; the sentence leads the status note (addStoreNote()).
    void setReadOnly(const QString &why);
    /// At hello(): a sentence about the store (without its full stop) for the status note.
    void addStoreNote(const QString &sentence);

    StoreInfo m_info; // guarded by m_mutex once open() started the loader

private:
    /// How much of each result the index keeps: enough to sort by result on its start.
    static constexpr int indexedResultChars = 32;

    StoreError beginCall();
    StoreError beginCall(const TaskQuery &query);
    StoreError ensureConnected();
    void load(); // loader thread
    /// At open(): makeChangeFeed(), and when there is one, the live thread, waiting until it
    /// subscribed (or failed: refresh then re-scans).
    StoreError startFeed();
    /// Values decoded, not yet in the index (decodeBatch()).
    struct DecodedBatch
    {
        /// A task's TaskResult is emptied once its entry is made: the entry holds what the
        /// index keeps.
        QVector<CouchDocument::Parsed> parsed;
        /// The index entry of each task among parsed, in their order (prepared off the lock).
        std::vector<CouchIndex::Entry> entries;
        QVector<RedisValue::Encoding> encodings;
        QSet<QString> prefixes;
        QStringList gone; ///< keys without a value
    };
    /// Decodes values into the index; a key without a value (gone) leaves it.
    void applyBatch(const QStringList &keys, const QVector<KeyValue> &values);
    /// applyBatch()'s decoding, without the lock: runs on any thread.
    DecodedBatch decodeBatch(const QStringList &keys, const QVector<KeyValue> &values) const;
    /// applyBatch()'s second half, under the lock (moves the batch's entries into the index).
    void applyDecoded(DecodedBatch &batch);
    /// Reads keys on conn, in batches of rescanBatch, into the index (applyBatch()).
    StoreError readInto(KeyValueConnection &conn, const QStringList &keys);
    /// refresh()'s work on conn (see there).
    StoreError rescan(KeyValueConnection &conn);
    /// The live thread: subscribes m_feed, marks the keys it names dirty and reads them on
    /// a connection of its own once the index is loaded (readDirty()).
    void follow();
    /// Marks the keys this store reads (Celery's task and group keys) dirty.
    void markDirty(const QStringList &keys);
    /// Reads the dirty keys on conn into the index; one reader at a time (m_dirtyReading).
    StoreError readDirty(KeyValueConnection &conn);
    /// Under the lock: the live state for the note and the log.
    void setLiveNote(const QString &sentence, bool warn);
    /// Under the lock: one decoded key into the index; entry, when given, is p's prepared
    /// index entry (CouchIndex::entry()).
    void applyParsed(const CouchDocument::Parsed &p, CouchIndex::Entry *entry = nullptr);
    void applyGone(const QString &key);
    void finishLoading(const StoreError &error);
    template<typename Done>
    StoreError waitFor(QMutexLocker<QMutex> &lock, Done done);
    /// beginCall(query), then answer() under the lock, or the load's error: the calls answered
    /// from the index alone (count, facets, statusHistory, failures).
    template<typename T, typename Answer>
    Outcome<T> fromIndex(const TaskQuery &query, Answer answer);
    StoreError waitForLoad();
    void updateInfo();
    Outcome<TaskResult> fetchKey(const QString &key);
    /// The Summary rows of the picked slots (taken under lock, which this releases): the index's rows,
    /// with each result longer than the index keeps (CouchIndex::needsResultPreview()) cut
    /// from its value read again, all in one round trip. A value rewritten since with another
    /// status (or gone) keeps the index's shorter preview until the index reads it again.
    Outcome<QVector<TaskResult>> summaryRows(QMutexLocker<QMutex> &lock, const QVector<qint64> &picked);
    /// Reads keys on the calling thread's connection in one round trip and calls each (with
    /// the key's position in keys) for every key that still holds a Celery result.
    StoreError readTasks(const QStringList &keys, bool withExpiry, CouchDocument::Detail detail,
                         const std::function<void(qsizetype, const TaskResult &, const KeyValue &)> &each);
    /// The keys a task id may have: one under the prefix given, else one under each prefix seen
    /// (Celery's first), or Celery's and Django's default ":1:" while none is seen.
    QStringList taskKeys(const QString &taskId) const;
    /// Under the lock: the prefixes taskKeys() puts before "celery-task-meta-<id>", in its order.
    QStringList keyPrefixesLocked() const;
    /// A value's decoding (KeyValue::foreign: not a Celery result, for that reason).
    CouchDocument::Parsed parseKey(const QString &key, const KeyValue &value,
                                   CouchDocument::Detail detail = CouchDocument::Detail::Full) const;

    KeyPrefixConfig m_config;
    StoreOptions m_options;
    std::unique_ptr<KeyValueConnection> m_conn; // the calling thread's
    std::unique_ptr<QThread> m_loader;
    std::atomic<KeyValueConnection *> m_loaderConn{nullptr};
    std::unique_ptr<KeyChangeFeed> m_feed; // used on m_liveThread only (interrupt() from any)
    std::unique_ptr<QThread> m_liveThread;
    std::atomic<KeyValueConnection *> m_liveConn{nullptr};
    QMutex m_dirtyReading; // held while the dirty keys are read and applied
    std::atomic_bool m_interrupted{false};
    std::atomic_bool m_stopping{false};
    std::atomic_bool m_loading{false};
    std::atomic<qint64> m_loadedKeys{0};
    bool m_incremental = false;
    bool m_follow = true;      // setFollowChanges(): start the live thread at open

    // Guarded by m_mutex; m_changed wakes waiters on every batch, the end of loading and
    // interrupt().
    mutable QMutex m_mutex;
    QWaitCondition m_changed;
    bool m_loadFinished = false;
    StoreError m_loadError;
    QString m_serverVersion;
    /// Keeps results to indexedResultChars (each result is in memory once per row, the largest
    /// part of a row at ResultStore::previewChars); a page's longer previews are read again.
    CouchIndex m_index{indexedResultChars};
    IndexGroups m_groups;              // key -> saved group
    QMap<QString, QString> m_foreign;  // key -> reason
    QSet<QString> m_prefixes;          // the key prefixes of the results and groups read
    QMap<RedisValue::Encoding, qint64> m_encodings;
    QSet<QString> m_undeletable;       // kept changing under every retry: skipped by purges
    QStringList m_storeNotes;          // addStoreNote()'s sentences
    enum class Live { Off, Subscribing, On, Lost };
    Live m_live = Live::Off;
    QString m_liveNote;                // how refresh works: live, or re-scan and why
    QSet<QString> m_dirty;             // keys the feed named, not read yet

    IndexSelection m_selection; // the last fetchPage's rows, while neither query nor index changed
};

/// The factory of a KeyValueStore subclass for a URL its Config::fromUrl() reads
/// (makeRedisStoreFactory(), makeMemcachedStoreFactory()).
template <typename Store, typename Config>
Outcome<StoreFactory> makeKeyValueStoreFactory(const StoreUrl &url, const StoreOptions &options)
{
    const Outcome<Config> config = Config::fromUrl(url);
    if (!config)
        return config.error();
    return StoreFactory([c = *config, options]() -> std::unique_ptr<ResultStore> { return std::make_unique<Store>(c, options); });
}
