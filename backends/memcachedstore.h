#pragma once

#include "blockingsocket.h"
#include "keyvaluestore.h"
#include "storeurl.h"

/// memcached's text and meta protocols as Stalk speaks them: pure functions (no I/O, any
/// thread), unit-tested on bytes.
namespace MemcachedProto {

enum class ParseStatus { Complete, Incomplete, Invalid };

/// One meta-command reply: "VA <size> <flags>" + data, "HD <flags>", "EN", "NF", "EX", "NS",
/// or an error line ("ERROR", "CLIENT_ERROR …", "SERVER_ERROR …").
struct MetaReply
{
    QByteArray code;   ///< "VA", "HD", "EN", "NF", "EX", "NS", or the error word
    QByteArray value;  ///< VA's data
    QByteArray line;   ///< the whole first line, for error sentences
    qint64 ttl = -2;   ///< t flag: seconds left, -1 none, -2 not asked
    quint32 flags = 0; ///< f flag: the client's flags (python-memcached: 16 text, 1 pickle)
    quint64 cas = 0;   ///< c flag

    bool isError() const { return code == "ERROR" || code == "CLIENT_ERROR" || code == "SERVER_ERROR"; }
};

/// Reads one meta reply at *pos; on Complete advances *pos past it.
ParseStatus parseMetaReply(const QByteArray &data, qsizetype *pos, MetaReply *out);
/// The keys of `lru_crawler metadump` lines ("key=<url-encoded> exp=… la=… …"), up to "END".
/// *end: true once "END" was read. A line that is no metadump line is an error sentence.
ParseStatus parseMetadump(const QByteArray &data, qsizetype *pos, QStringList *keys, bool *end, QString *error);

} // namespace MemcachedProto

/// Where a MemcachedStore reads (memcached://HOST[:PORT], Celery's cache+memcached://HOST:PORT/).
struct MemcachedConfig : KeyPrefixConfig
{
    SocketEndpoint endpoint;
    int batchSize = 500; ///< keys per pipelined round of mg

    static Outcome<MemcachedConfig> fromUrl(const StoreUrl &url);
};

/// A KeyValueStore over the keys Celery's own cache backend (cache+memcached://: JSON values)
/// and django-celery-results' CacheBackend over Django's memcached caches (":1:" keys, the meta
/// pickled by the client) keep in one memcached server (FORMATS.md §5).
///
/// Listing: memcached has no KEYS/SCAN; `lru_crawler metadump hash` (the hash table's walk;
/// `metadump all`, the LRU queues' walk, where the server lacks it) lists the keys, then
/// pipelined meta gets (`mg KEY v t f`, memcached >= 1.6) read values and TTLs. An LRU walk
/// misses keys the maintainer moves between its queues meanwhile (a store's own reads bump
/// them), so dumps are repeated (at most three more) until one finds no key the earlier ones
/// missed. A server that refuses metadump (-o no_lru_crawler) fails open() with one sentence; by
/// task id (fetchByTaskId) it still answers.
///
/// Deleting: each key is read with its CAS (`mg KEY v c`), re-decided, and deleted with
/// `md KEY C<cas>`, which memcached refuses (EX) if the key was rewritten since: such a key is
/// read and decided again (five times at most, then left alone).
///
/// Thread rules and ownership: KeyValueStore's.
class MemcachedStore final : public KeyValueStore
{
public:
    explicit MemcachedStore(MemcachedConfig config, StoreOptions options = {});
    ~MemcachedStore() override;

private:
    std::unique_ptr<KeyValueConnection> makeConnection() const override;
    StoreError hello(KeyValueConnection &conn, QString *serverVersion, qint64 *keyCount) override;
    StoreError listKeys(KeyValueConnection &conn, const Batch &batch) override;
    bool listsKeyNames() const override { return true; }
    StoreError listKeyNames(KeyValueConnection &conn, const NameBatch &batch) override;
    Outcome<qint64> removeKeys(KeyValueConnection &conn, const QStringList &keys,
                               const std::function<bool(const CouchDocument::Parsed &)> &stillDeletable) override;
    QString where() const override;
    QString celeryKeysName() const override { return QStringLiteral("Celery cache backend keys"); }
    /// Whether a listed key is one this store reads (Celery's prefixes under ?keyprefix=).
    bool isCeleryKey(const QString &key) const;

    MemcachedConfig m_config;
};

/// A factory of MemcachedStores for a memcached:// or cache+memcached:// URL; makeStoreFactory() calls it.
Outcome<StoreFactory> makeMemcachedStoreFactory(const StoreUrl &url, const StoreOptions &options);
