#pragma once

#include "keyvaluestore.h"
#include "storeurl.h"

#include <QHash>
#include <QMutex>

/// Django's FileBasedCache file format (FORMATS.md §5; django/core/cache/backends/filebased.py):
/// one file per key, named `md5(KEY_PREFIX:VERSION:key).djcache`, holding
/// `pickle.dumps(expiry)` (a float of Unix time, or None: never) followed by
/// `zlib.compress(pickle.dumps(value))`. Pure functions: no I/O, any thread; nothing is unpickled
/// here beyond the expiry's one number (the value goes to PickleReader, which never runs code).
namespace DjangoCacheFile {

constexpr char suffix[] = ".djcache";

/// A file's contents split: the expiry and the value's pickle, inflated.
struct Decoded
{
    bool ok = false;
    QString error;        ///< why not ok: "the compressed value is cut short (zlib: …)"
    QDateTime expires;    ///< invalid: None (never expires)
    QByteArray value;     ///< the value's pickle
};

/// Reads a .djcache file's bytes.
Decoded decode(const QByteArray &file);
/// The file name Django gives a cache key: md5 of its UTF-8, in hex, plus ".djcache".
QString fileNameOf(const QString &key);

} // namespace DjangoCacheFile

/// Where a FileCacheStore reads: file:///DIR (the FileBasedCache's LOCATION) and the Django key
/// prefix ("KEY_PREFIX:VERSION:", ":1:" unless ?keyprefix= names another).
struct FileCacheConfig : KeyPrefixConfig
{
    QString directory;
    int batchSize = 500; ///< files read per batch while listing

    static Outcome<FileCacheConfig> fromUrl(const StoreUrl &url);
};

/// A KeyValueStore over a Django FileBasedCache directory in which django-celery-results'
/// CacheBackend keeps Celery's results (FORMATS.md §5): its keys are Django's cache keys
/// (":1:celery-task-meta-<id>"), each read from the file md5(key).djcache.
///
/// Listing: a file's name is a hash, so each *.djcache file is read, inflated and its pickle
/// read (never run) for the task id (a group's id) it holds; the file is a Celery result when
/// its name is the hash of that id's key. Any other file (another Django cache entry, a damaged
/// file) is listed as not a Celery result, with the reason, and never deleted. A file past its
/// expiry is still listed (Django deletes it on its next read; Celery reports such a task
/// PENDING) with the past expiry shown, so Delete Expired can remove it by its date_done.
///
/// Deleting: a file is removed only when it is still the very file (inode, size, modification
/// time, contents) the index last read: it is renamed aside, checked again, and unlinked; a file
/// a worker rewrote meanwhile stays (put back if nothing took its place) and its new contents
/// enter the index. A directory this user cannot write is opened read-only, with a sentence.
///
/// Thread rules and ownership: KeyValueStore's.
class FileCacheStore final : public KeyValueStore
{
public:
    explicit FileCacheStore(FileCacheConfig config, StoreOptions options = {});
    ~FileCacheStore() override;

private:
    std::unique_ptr<KeyValueConnection> makeConnection() const override;
    StoreError hello(KeyValueConnection &conn, QString *serverVersion, qint64 *keyCount) override;
    StoreError listKeys(KeyValueConnection &conn, const Batch &batch) override;
    Outcome<qint64> removeKeys(KeyValueConnection &conn, const QStringList &keys,
                               const std::function<bool(const CouchDocument::Parsed &)> &stillDeletable) override;
    QString where() const override;
    QString celeryKeysName() const override { return QStringLiteral("Django cache keys"); }
    QString entryWord() const override { return QStringLiteral("file"); }
    /// The Django key prefixes a file's contents are tried under.
    QStringList djangoPrefixes() const;

    FileCacheConfig m_config;
    // The fingerprint of each Celery file as the index last read it (loader and calling thread).
    mutable QMutex m_fingerprintMutex;
    QHash<QString, quint64> m_fingerprints; // key -> KeyValue::cas
    QHash<QString, int> m_refusals;         // key -> deletes refused because it changed
};

/// A factory of FileCacheStores for a file:/// URL; makeStoreFactory() calls it.
Outcome<StoreFactory> makeFileCacheStoreFactory(const StoreUrl &url, const StoreOptions &options);
