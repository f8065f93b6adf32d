#pragma once

#include "keyvaluestore.h"
#include "respclient.h"
#include "storeurl.h"

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
/// Listing walks `SCAN 0 MATCH <prefix>celery-task-meta-* COUNT n` (never KEYS; without a
/// prefix `*celery-task-meta-*`, keeping the keys RedisValue::defaultKeyPrefix() accepts) and
/// reads each batch's values with one MGET pipelined with the next SCAN; then the same for
/// the group keys. Values and TTLs on demand: MGET + PTTL in one pipeline.
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
    /// SCAN over the task keys, then the group keys, handing each batch to batch, with its
    /// values (one MGET pipelined with the next SCAN) when withValues, else with none.
    StoreError scanKeys(KeyValueConnection &conn, bool withValues, const Batch &batch);
    /// The SCAN MATCH glob of one kind of key (CouchDocument::taskPrefix, groupPrefix).
    QByteArray keyPattern(const char *kind) const;
    Outcome<qint64> removeKeys(KeyValueConnection &conn, const QStringList &keys,
                               const std::function<bool(const CouchDocument::Parsed &)> &stillDeletable) override;
    QString where() const override;
    QString celeryKeysName() const override { return QStringLiteral("Celery RedisBackend keys"); }

    RedisConfig m_config;
    QByteArray m_deleteCommand = "UNLINK";
};

/// A factory of RedisStores for a redis:// / rediss:// / redis+socket:// URL; makeStoreFactory() calls it.
Outcome<StoreFactory> makeRedisStoreFactory(const StoreUrl &url, const StoreOptions &options);
