#pragma once

#include "keyvaluestore.h"
#include "respclient.h"
#include "storeurl.h"

/// What a server's notify-keyspace-events delivers to a store that follows its keys: the
/// writes (SET: the $ class), deletes (DEL, UNLINK, RENAME: g), expiries (x) and, when the
/// server may evict keys, evictions (e); A stands for g$lshzxetd. On keyspace channels (K,
/// filtered by key pattern on the server) or else keyevent channels (E). Pure.
struct KeyspaceEvents
{
    enum class Channel : quint8 { None, Keyspace, Keyevent };
    Channel channel = Channel::None;
    QString missing; ///< why None, for the status note: "no K or E", "no $ (SET)", …

    /// flags as CONFIG GET answers them ("KEA", "Egx$", ""); evictions: maxmemory is set
    /// with a policy other than noeviction.
    static KeyspaceEvents of(const QByteArray &flags, bool evictions);
};

/// Where a RedisStore reads: the server, the database and the global key prefix.
struct RedisConfig : KeyPrefixConfig
{
    RedisEndpoint endpoint;
    int scanCount = 1000;   ///< SCAN's COUNT hint: keys per round trip

    /// From a redis://, rediss:// or redis+socket:// URL StoreUrl::parse() read.
    static Outcome<RedisConfig> fromUrl(const StoreUrl &url);
};

/// A KeyValueStore over the keys Celery's RedisBackend writes (FORMATS.md §4), and over those
/// django-celery-results' CacheBackend writes through django-redis (§5: the meta pickled under
/// ":1:celery-task-meta-<id>"), which differ only in their key prefix.
///
/// Listing walks `SCAN 0 MATCH <prefix>celery-task*-meta-* COUNT n` once for the task and the
/// group keys (never KEYS; without a prefix `*celery-task*-meta-*`, keeping the keys
/// RedisValue::defaultKeyPrefix() accepts) and reads each batch's values with one MGET
/// pipelined with the next SCAN. Values and TTLs on demand: MGET + PTTL in one pipeline.
///
/// Live updates: when the server already sends keyspace notifications for what Celery's
/// keys go through (KeyspaceEvents; read with CONFIG GET, never changed), a second
/// connection PSUBSCRIBEs to this database's channels for the store's key patterns on the
/// store's live thread (KeyValueStore::follow()), and refresh() reads only the keys named.
///
/// Deleting: each batch WATCHes its keys, re-reads them (MGET), keeps the ones that still
/// qualify and deletes them with UNLINK (DEL before Redis 4) inside MULTI/EXEC; if a key
/// changed meanwhile EXEC does nothing and the batch is read and decided again.
///
/// Thread rules and ownership: KeyValueStore's, over RedisConnections.
class RedisStore final : public KeyValueStore
{
public:
    explicit RedisStore(RedisConfig config, StoreOptions options = {});
    ~RedisStore() override;

private:
    std::unique_ptr<KeyValueConnection> makeConnection() const override;
    StoreError hello(KeyValueConnection &conn, QString *serverVersion, qint64 *keyCount) override;
    StoreError listKeys(KeyValueConnection &conn, const Batch &batch) override;
    bool listsKeyNames() const override { return true; }
    StoreError listKeyNames(KeyValueConnection &conn, const NameBatch &batch) override;
    /// One SCAN over the task and group keys (scanPattern()), handing each batch of them to
    /// batch, with its values (one MGET pipelined with the next SCAN) when withValues, else
    /// with none.
    StoreError scanKeys(KeyValueConnection &conn, bool withValues, const Batch &batch);
    /// The SCAN MATCH glob of one kind of key (CouchDocument::taskPrefix, groupPrefix).
    QByteArray keyPattern(const char *kind) const;
    /// The glob scanKeys() sends: both kinds' keys in one ("celery-task*-meta-", as the two
    /// prefixes share their start and end), and others that scanKeys() then drops. One pass,
    /// not one per kind: each SCAN costs the server a walk over its whole keyspace.
    QByteArray scanPattern() const;
    /// CONFIG GET notify-keyspace-events (and maxmemory, maxmemory-policy); never CONFIG SET.
    std::unique_ptr<KeyChangeFeed> makeChangeFeed(KeyValueConnection &conn, QString *why, StoreError *error) override;
    Outcome<qint64> removeKeys(KeyValueConnection &conn, const QStringList &keys,
                               const std::function<bool(const CouchDocument::Parsed &)> &stillDeletable) override;
    QString where() const override;
    QString celeryKeysName() const override { return QStringLiteral("Celery RedisBackend keys"); }

    RedisConfig m_config;
    QByteArray m_deleteCommand = "UNLINK";
};

/// A factory of RedisStores for a redis:// / rediss:// / redis+socket:// URL; makeStoreFactory() calls it.
Outcome<StoreFactory> makeRedisStoreFactory(const StoreUrl &url, const StoreOptions &options);
