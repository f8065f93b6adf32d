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

/// The client flags Python's memcached clients agree on (python-memcached, pymemcache's
/// python_memcache serde, pylibmc >= 1.6): 1 pickle, 16 UTF-8 text (0: bytes), and 8 a
/// modifier: the value was zlib.compress()ed (python-memcached and pylibmc above their
/// min_compress_len, pymemcache's CompressedSerde).
constexpr quint32 flagPickle = 1;
constexpr quint32 flagZlib = 8;

/// A VA reply's value as the client had it before compressing: inflated (at most
/// Zlib::maxInflatedBytes) when its flags say zlib, else as it is. False with the reason when it
/// cannot be inflated (the key is then listed as not a Celery result); nothing is unpickled here.
bool decodeValue(const MetaReply &reply, QByteArray *value, QString *why);

/// Reads one meta reply at *pos; on Complete advances *pos past it.
ParseStatus parseMetaReply(const QByteArray &data, qsizetype *pos, MetaReply *out);
/// The keys of `lru_crawler metadump` lines ("key=<url-encoded> exp=… la=… …"), up to "END".
/// *end: true once "END" was read. A line that is no metadump line is an error sentence.
ParseStatus parseMetadump(const QByteArray &data, qsizetype *pos, QStringList *keys, bool *end, QString *error);

} // namespace MemcachedProto

/// Where a MemcachedStore reads (memcached://HOST[:PORT], Celery's cache+memcached://HOST:PORT/,
/// several servers as memcached://H1:P1;H2:P2 or Celery's cache+memcached://H1:P1;H2:P2/).
struct MemcachedConfig : KeyPrefixConfig
{
    QVector<SocketEndpoint> endpoints; ///< every server, in the URL's order (at least one)
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
/// Several servers (a client's list: Celery's "h1;h2", Django's LOCATION list, each holding the
/// keys its client hashed to it): every server is dumped, each key is read, re-checked and
/// deleted on the server that listed it (a key no dump placed, e.g. by task id, is asked of each
/// server in the URL's order), never on another. A key two servers list (left behind when a
/// server list changed) is read on the first in the URL's order. Any server failing — at open,
/// while loading, reading, deleting or re-scanning — fails the call with that server's sentence
/// and a word that the servers are read together or not at all: nothing is shown as complete
/// when a server's share is missing.
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
    /// The keys of a server's dump that this store reads and no earlier dump (of any server)
    /// listed; they go into seen.
    QStringList newCeleryKeys(const QStringList &dumped, QSet<QString> *seen) const;

    MemcachedConfig m_config;
    /// key -> index of the server that listed it (shared by the store's connections).
    std::shared_ptr<class MemcachedKeyHomes> m_homes;
};

/// A factory of MemcachedStores for a memcached:// or cache+memcached:// URL; makeStoreFactory() calls it.
Outcome<StoreFactory> makeMemcachedStoreFactory(const StoreUrl &url, const StoreOptions &options);
