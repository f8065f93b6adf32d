#include "filecachestore.h"

#include <QCryptographicHash>
#include <QFile>
#include <QtEndian>

#include <cerrno>
#include <cmath>
#include <cstring>

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "picklereader.h"
#include "zlibinflate.h"

using Code = StoreError::Code;
using Parsed = CouchDocument::Parsed;

namespace {

constexpr qsizetype maxFileBytes = 64 * 1024 * 1024;   // PickleReader's own input limit
constexpr int maxRefusals = 5; // deletes refused because the file kept changing: then left alone

/// Seconds as whole milliseconds, rounded down exactly: Django's `exp < time.time()` against a
/// time in whole milliseconds (PurgeCriteria::isCacheExpired()) then decides as on the float.
/// `seconds * 1000.0` could round up to the next millisecond; the fraction of a float near
/// today's time has at most 22 bits after the point, so times 1000 it is exact.
qint64 floorMilliseconds(double seconds)
{
    const double whole = std::floor(seconds);
    return qint64(whole) * 1000 + qint64(std::floor((seconds - whole) * 1000.0));
}

/// The expiry pickle Django writes first (pickle.dumps(float or None), protocol 2-5, a FRAME
/// from protocol 4): its value and length. Only these opcodes: a number or None, then STOP.
bool readExpiry(const QByteArray &b, QDateTime *expires, qsizetype *length)
{
    qsizetype i = 0;
    auto at = [&b](qsizetype k) { return k < b.size() ? quint8(b.at(k)) : 0; };
    if (at(0) != 0x80 || at(1) < 2 || at(1) > 5)
        return false;
    i = 2;
    if (at(i) == 0x95) // FRAME: 8 bytes of length
        i += 9;
    double seconds = 0;
    bool none = false;
    const char op = char(at(i));
    // The opcode's argument bytes: BINFLOAT 8 (big-endian), BININT1 1, BININT2 2, BININT 4.
    const qsizetype argument = op == 'G' ? 8 : op == 'K' ? 1 : op == 'M' ? 2 : op == 'J' ? 4 : 0;
    if (i + 1 + argument >= b.size())
        return false; // and its STOP after it
    const char *arg = b.constData() + i + 1;
    switch (op) {
    case 'N': none = true; break;
    case 'G': {
        const quint64 bits = qFromBigEndian<quint64>(arg);
        std::memcpy(&seconds, &bits, sizeof seconds);
        break;
    }
    case 'K': seconds = quint8(arg[0]); break;
    case 'M': seconds = qFromLittleEndian<quint16>(arg); break;
    case 'J': seconds = qFromLittleEndian<qint32>(arg); break;
    default: return false;
    }
    i += 1 + argument;
    if (i >= b.size() || at(i) != '.')
        return false;
    *length = i + 1;
    // A float outside any date (nan, inf, 1e300) is no expiry Django wrote.
    if (!none && !(seconds > -1e11 && seconds < 1e11))
        return false;
    *expires = none ? QDateTime() : QDateTime::fromMSecsSinceEpoch(floorMilliseconds(seconds), Qt::UTC);
    return true;
}

/// One file as read: its bytes and a fingerprint of this very file (inode, size, mtime, bytes).
struct FileRead
{
    enum class State { Read, Missing, Failed } state = State::Failed;
    QByteArray bytes;
    quint64 fingerprint = 0;
    QString error; ///< Failed: why
};

FileRead readFile(const QString &path)
{
    FileRead r;
    const QByteArray native = QFile::encodeName(path);
    const int fd = ::open(native.constData(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
    if (fd < 0) {
        r.state = errno == ENOENT ? FileRead::State::Missing : FileRead::State::Failed;
        r.error = QString::fromLocal8Bit(std::strerror(errno));
        return r;
    }
    struct stat st;
    if (::fstat(fd, &st) != 0 || !S_ISREG(st.st_mode) || st.st_size > maxFileBytes) {
        r.error = S_ISREG(st.st_mode) ? QStringLiteral("larger than %1 MB").arg(maxFileBytes / (1024 * 1024))
                                      : QStringLiteral("not a regular file");
        ::close(fd);
        return r;
    }
    r.bytes.resize(qsizetype(st.st_size));
    qsizetype got = 0;
    while (got < r.bytes.size()) {
        const ssize_t n = ::read(fd, r.bytes.data() + got, size_t(r.bytes.size() - got));
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            break;
        got += n;
    }
    ::close(fd);
    r.bytes.truncate(got); // a file cut meanwhile is read as it is
    QCryptographicHash h(QCryptographicHash::Md5);
    const qint64 meta[4] = {qint64(st.st_ino), qint64(st.st_size), qint64(st.st_mtim.tv_sec), qint64(st.st_mtim.tv_nsec)};
    h.addData(QByteArrayView(reinterpret_cast<const char *>(meta), sizeof meta));
    h.addData(r.bytes);
    r.fingerprint = qFromLittleEndian<quint64>(h.result().constData()) | 1; // never 0 ("not read")
    r.state = FileRead::State::Read;
    return r;
}

/// A file's read as the store's value: present with the value pickle and expiry, or with a reason.
KeyValue valueOf(const FileRead &file)
{
    KeyValue v;
    if (file.state == FileRead::State::Missing)
        return v;
    v.present = true;
    v.cas = file.fingerprint;
    if (file.state == FileRead::State::Failed) {
        v.foreign = QStringLiteral("the file cannot be read: %1").arg(file.error);
        return v;
    }
    const DjangoCacheFile::Decoded d = DjangoCacheFile::decode(file.bytes);
    if (!d.ok) {
        v.foreign = d.error;
        return v;
    }
    v.value = d.value;
    v.expires = d.expires;
    return v;
}

/// One directory of a FileCacheStore, for one thread: files read on demand, no server.
class FileCacheConnection final : public KeyValueConnection
{
public:
    explicit FileCacheConnection(QString directory) : m_dir(std::move(directory)) { }

    StoreError connect() override
    {
        struct stat st;
        const QByteArray native = QFile::encodeName(m_dir);
        if (::stat(native.constData(), &st) != 0) {
            const int e = errno;
            return e == EACCES ? StoreError(Code::PermissionDenied, QStringLiteral("cannot open %1: permission denied").arg(m_dir))
                               : StoreError(Code::NotFound, QStringLiteral("cannot open %1: no such directory (nor file)").arg(m_dir));
        }
        if (!S_ISDIR(st.st_mode))
            return StoreError(Code::NotCelery, QStringLiteral("%1 is not a directory (a Django FileBasedCache's LOCATION)").arg(m_dir));
        if (::access(native.constData(), R_OK | X_OK) != 0)
            return StoreError(Code::PermissionDenied, QStringLiteral("cannot read the directory %1: permission denied").arg(m_dir));
        m_connected = true;
        return {};
    }

    bool isConnected() override { return m_connected; }
    void interrupt() override { m_interrupted.store(true); }
    void clearInterrupt() override { m_interrupted.store(false); }
    bool interrupted() const { return m_interrupted.load(); }

    QString pathOf(const QString &fileName) const { return m_dir + u'/' + fileName; }

    Outcome<QVector<KeyValue>> read(const QStringList &keys, bool withExpiry) override
    {
        Q_UNUSED(withExpiry) // the expiry is in the file anyway
        QVector<KeyValue> out;
        out.reserve(keys.size());
        for (const QString &key : keys) {
            if (m_interrupted.load())
                return StoreError(Code::Cancelled, QStringLiteral("cancelled"));
            out.append(valueOf(readFile(pathOf(DjangoCacheFile::fileNameOf(key)))));
        }
        return out;
    }

    /// The names of the directory's *.djcache files; *others: how many other entries it has.
    Outcome<QStringList> list(qint64 *others)
    {
        const QByteArray native = QFile::encodeName(m_dir);
        DIR *d = ::opendir(native.constData());
        if (!d)
            return StoreError(errno == EACCES ? Code::PermissionDenied : Code::NotFound,
                              QStringLiteral("cannot list the directory %1: %2").arg(m_dir, QString::fromLocal8Bit(std::strerror(errno))));
        QStringList names;
        *others = 0;
        while (const dirent *e = ::readdir(d)) {
            const QString name = QFile::decodeName(e->d_name);
            if (name == QLatin1String(".") || name == QLatin1String(".."))
                continue;
            if (name.endsWith(QLatin1String(DjangoCacheFile::suffix)))
                names.append(name);
            else
                ++*others;
        }
        ::closedir(d);
        names.sort();
        return names;
    }

    enum class Removal { Deleted, Gone, Changed, Failed };

    /// Removes the file of key if it is still the one with this fingerprint: renamed aside
    /// (where no Django reader or writer looks), checked, unlinked; put back when it changed.
    Removal removeIfUnchanged(const QString &key, quint64 fingerprint, StoreError *error)
    {
        auto failed = [error](const QString &sentence) {
            *error = StoreError(errno == EACCES || errno == EPERM ? Code::PermissionDenied : Code::QueryFailed, sentence);
            return Removal::Failed;
        };
        const QString path = pathOf(DjangoCacheFile::fileNameOf(key));
        const QString aside = path + QStringLiteral(".stalk-deleting-%1").arg(::getpid());
        const QByteArray from = QFile::encodeName(path), to = QFile::encodeName(aside);
        if (::rename(from.constData(), to.constData()) != 0) {
            if (errno == ENOENT)
                return Removal::Gone;
            return failed(QStringLiteral("cannot delete %1: %2").arg(path, QString::fromLocal8Bit(std::strerror(errno))));
        }
        const FileRead now = readFile(aside);
        if (now.state == FileRead::State::Read && now.fingerprint == fingerprint) {
            ::unlink(to.constData());
            return Removal::Deleted;
        }
        // Rewritten after it was read: put it back, unless a newer file took its place already
        // (Django writes by renaming a whole new file over the name: the one aside is stale).
        if (::link(to.constData(), from.constData()) != 0 && errno != EEXIST) {
            return failed(QStringLiteral("cannot put %1 back: %2 (it is at %3)").arg(path, QString::fromLocal8Bit(std::strerror(errno)), aside));
        }
        ::unlink(to.constData());
        return Removal::Changed;
    }

private:
    QString m_dir;
    bool m_connected = false;
    std::atomic_bool m_interrupted{false};
};

FileCacheConnection &files(KeyValueConnection &c)
{
    return static_cast<FileCacheConnection &>(c);
}

const PyValue *item(const PyValue *v, size_t i)
{
    if (!v || (v->type != PyValue::Type::Tuple && v->type != PyValue::Type::List) || v->items.size() <= i)
        return nullptr;
    return &v->items[i];
}

/// The Celery key (without Django's prefix) whose meta a value pickle holds: the task's
/// "celery-task-meta-<task_id>", a saved group's "celery-taskset-meta-<group_id>" (its
/// 'result' is GroupResult.as_tuple(): ((group_id, parent), children)); empty for anything else.
QString celeryKeyOf(const QByteArray &valuePickle)
{
    const PickleReader::Result r = PickleReader::read(valuePickle);
    if (!r.ok || r.value.type != PyValue::Type::Dict)
        return QString();
    const PyValue *taskId = r.value.dictValue(QStringLiteral("task_id"));
    if (taskId && taskId->type == PyValue::Type::Str && !taskId->text.isEmpty())
        return QLatin1String(CouchDocument::taskPrefix) + taskId->text;
    const PyValue *groupId = item(item(r.value.dictValue(QStringLiteral("result")), 0), 0);
    if (groupId && groupId->type == PyValue::Type::Str && !groupId->text.isEmpty())
        return QLatin1String(CouchDocument::groupPrefix) + groupId->text;
    return QString();
}

} // namespace

DjangoCacheFile::Decoded DjangoCacheFile::decode(const QByteArray &file)
{
    Decoded d;
    if (file.isEmpty()) {
        d.error = QStringLiteral("the file is empty (Django reads it as expired)");
        return d;
    }
    qsizetype length = 0;
    if (!readExpiry(file, &d.expires, &length)) {
        d.error = QStringLiteral("the file does not start with Django's pickled expiry time (not a FileBasedCache entry)");
        return d;
    }
    QString why;
    if (!Zlib::inflateAll(file.mid(length), &d.value, &why)) {
        d.error = QStringLiteral("the value cannot be inflated: %1").arg(why);
        d.value.clear();
        return d;
    }
    d.ok = true;
    return d;
}

QString DjangoCacheFile::fileNameOf(const QString &key)
{
    return QString::fromLatin1(QCryptographicHash::hash(key.toUtf8(), QCryptographicHash::Md5).toHex()) + QLatin1String(suffix);
}

Outcome<FileCacheConfig> FileCacheConfig::fromUrl(const StoreUrl &url)
{
    FileCacheConfig c;
    static_cast<KeyPrefixConfig &>(c) = KeyPrefixConfig::fromUrl(url);
    c.directory = url.path;
    while (c.directory.size() > 1 && c.directory.endsWith(u'/'))
        c.directory.chop(1);
    if (!c.defaultPrefixes && !RedisValue::isDjangoCachePrefix(c.keyPrefix))
        return StoreError(Code::InvalidUrl, QStringLiteral("cannot read the store URL %1: ?keyprefix= names Django's key prefix "
                                                           "KEY_PREFIX:VERSION: (\":1:\" by default), not \"%2\"")
                                                .arg(url.displayString(), c.keyPrefix));
    return c;
}

FileCacheStore::FileCacheStore(FileCacheConfig config, StoreOptions options)
    : KeyValueStore(config, std::move(options)), m_config(std::move(config))
{
    m_config.batchSize = qMax(1, m_config.batchSize);
    m_info.layout = StoreInfo::Layout::Redis; // the key-value layout: keys holding a meta each
    m_info.engine = QStringLiteral("FileBasedCache");
    m_info.hasCacheExpiry = true; // each file's pickled expiry, which Django's get() honours
    m_info.tableName = m_config.directory;
}

FileCacheStore::~FileCacheStore()
{
    stopLoader();
}

std::unique_ptr<KeyValueConnection> FileCacheStore::makeConnection() const
{
    return std::make_unique<FileCacheConnection>(m_config.directory);
}

QString FileCacheStore::where() const
{
    return QStringLiteral("the FileBasedCache directory %1").arg(m_config.directory);
}

QStringList FileCacheStore::djangoPrefixes() const
{
    return readsDefaultPrefixes() ? QStringList{QStringLiteral(":1:")} : QStringList{prefixConfig().keyPrefix};
}

StoreError FileCacheStore::hello(KeyValueConnection &conn, QString *serverVersion, qint64 *keyCount)
{
    qint64 others = 0;
    const Outcome<QStringList> names = files(conn).list(&others);
    if (!names)
        return names.error();
    if (names->isEmpty() && others > 0)
        return StoreError(Code::NotCelery, QStringLiteral("%1 holds no Django cache file (*%2) among its %3 entries: is it a "
                                                          "FileBasedCache's LOCATION?")
                                               .arg(m_config.directory, QLatin1String(DjangoCacheFile::suffix))
                                               .arg(others));
    *serverVersion = QStringLiteral("Django FileBasedCache in %1").arg(m_config.directory);
    *keyCount = -1; // every file is listed: none hides behind another prefix
    if (names->isEmpty())
        addStoreNote(QStringLiteral("%1 holds no cache file yet (an empty FileBasedCache)").arg(m_config.directory));
    if (::access(QFile::encodeName(m_config.directory).constData(), W_OK | X_OK) != 0)
        setReadOnly(QStringLiteral("%1 is not writable by this user: opened read-only").arg(m_config.directory));
    return {};
}

StoreError FileCacheStore::listKeys(KeyValueConnection &kv, const Batch &batch)
{
    FileCacheConnection &conn = files(kv);
    qint64 others = 0;
    const Outcome<QStringList> names = conn.list(&others);
    if (!names)
        return names.error();
    const QStringList prefixes = djangoPrefixes();
    for (qsizetype at = 0; at < names->size(); at += m_config.batchSize) {
        if (stopping())
            return cancelled();
        QStringList keys;
        QVector<KeyValue> values;
        for (const QString &name : names->mid(at, m_config.batchSize)) {
            KeyValue v = valueOf(readFile(conn.pathOf(name)));
            if (!v.present)
                continue; // deleted since listed
            // The name is md5 of the key: the key is known once the contents name a task or group.
            QString key;
            if (v.foreign.isEmpty()) {
                const QString celeryKey = celeryKeyOf(v.value);
                for (const QString &p : prefixes) {
                    if (!celeryKey.isEmpty() && DjangoCacheFile::fileNameOf(p + celeryKey) == name)
                        key = p + celeryKey;
                }
                if (key.isEmpty())
                    v.foreign = celeryKey.isEmpty()
                        ? QStringLiteral("a Django cache entry that is not a Celery result")
                        : QStringLiteral("holds %1 but is not named after its key under \"%2\" (another KEY_PREFIX or "
                                         "VERSION? ?keyprefix= names it)").arg(celeryKey, prefixes.join(QStringLiteral("\", \"")));
            }
            if (!v.foreign.isEmpty()) {
                key = name;
            } else {
                QMutexLocker lock(&m_fingerprintMutex);
                m_fingerprints.insert(key, v.cas);
            }
            keys.append(key);
            values.append(std::move(v));
        }
        if (!batch(keys, values))
            return cancelled();
    }
    return {};
}

Outcome<qint64> FileCacheStore::removeKeys(KeyValueConnection &kv, const QStringList &keys,
                                           const std::function<bool(const Parsed &)> &stillDeletable)
{
    FileCacheConnection &conn = files(kv);
    const Outcome<QVector<KeyValue>> values = conn.read(keys, true);
    if (!values)
        return values.error();
    // Decided on the contents there now (the index learns them, deleted or not).
    const QVector<bool> doomed = recheck(keys, *values, stillDeletable);
    qint64 deleted = 0;
    QStringList gone, undeletable;
    StoreError failure; // stops the batch; what went is still forgotten below
    for (qsizetype i = 0; i < keys.size(); ++i) {
        const QString &key = keys.at(i);
        const KeyValue &v = values->at(i);
        if (!v.present) {
            gone.append(key);
            continue;
        }
        if (!doomed.at(i))
            continue;
        if (interrupted()) {
            failure = cancelled();
            break;
        }
        bool changed = false;
        {
            // Only the file the index showed: one rewritten since (a worker storing a new state)
            // is kept this time, and decided on its new contents next time.
            QMutexLocker lock(&m_fingerprintMutex);
            changed = m_fingerprints.value(key) != v.cas;
            m_fingerprints.insert(key, v.cas);
        }
        StoreError error;
        const FileCacheConnection::Removal r = changed ? FileCacheConnection::Removal::Changed
                                                       : conn.removeIfUnchanged(key, v.cas, &error);
        switch (r) {
        case FileCacheConnection::Removal::Deleted:
            ++deleted;
            gone.append(key);
            break;
        case FileCacheConnection::Removal::Gone:
            gone.append(key);
            break;
        case FileCacheConnection::Removal::Changed: {
            QMutexLocker lock(&m_fingerprintMutex);
            if (!changed)
                m_fingerprints.insert(key, 0); // unknown contents: read again before any delete
            if (++m_refusals[key] >= maxRefusals)
                undeletable.append(key);
            break;
        }
        case FileCacheConnection::Removal::Failed:
            failure = error;
            break;
        }
        if (failure)
            break;
    }
    {
        QMutexLocker lock(&m_fingerprintMutex);
        for (const QString &k : std::as_const(gone)) {
            m_fingerprints.remove(k);
            m_refusals.remove(k);
        }
    }
    forgetKeys(gone);
    if (!undeletable.isEmpty())
        markUndeletable(undeletable);
    if (failure)
        return failure;
    return deleted;
}

Outcome<StoreFactory> makeFileCacheStoreFactory(const StoreUrl &url, const StoreOptions &options)
{
    return makeKeyValueStoreFactory<FileCacheStore, FileCacheConfig>(url, options);
}
