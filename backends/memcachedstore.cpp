#include "memcachedstore.h"

#include <QThread>

#include <algorithm>

using Code = StoreError::Code;
using Parsed = CouchDocument::Parsed;
using MemcachedProto::MetaReply;
using MemcachedProto::ParseStatus;

namespace {

constexpr int maxKeyBytes = 250; // memcached's own limit
constexpr int extraDumps = 3;    // dumps after the first, for keys one dump missed

/// The line at pos up to "\n" (without "\r\n"); false when it is not complete yet.
bool takeLine(const QByteArray &data, qsizetype pos, QByteArray *line, qsizetype *next)
{
    const qsizetype nl = data.indexOf('\n', pos);
    if (nl < 0)
        return false;
    *line = data.mid(pos, nl - pos);
    if (line->endsWith('\r'))
        line->chop(1);
    *next = nl + 1;
    return true;
}

/// A key memcached accepts in the text protocol: 1-250 bytes, no spaces or control bytes.
bool isValidKey(const QByteArray &key)
{
    if (key.isEmpty() || key.size() > maxKeyBytes)
        return false;
    return std::all_of(key.cbegin(), key.cend(), [](char c) { return quint8(c) > 32 && c != 127; });
}

} // namespace

ParseStatus MemcachedProto::parseMetaReply(const QByteArray &data, qsizetype *pos, MetaReply *out)
{
    QByteArray line;
    qsizetype next = 0;
    if (!takeLine(data, *pos, &line, &next))
        return data.size() - *pos > 64 * 1024 ? ParseStatus::Invalid : ParseStatus::Incomplete;
    MetaReply r;
    r.line = line;
    const QList<QByteArray> tokens = line.split(' ');
    r.code = tokens.value(0);
    if (r.isError()) {
        *pos = next;
        *out = std::move(r);
        return ParseStatus::Complete;
    }
    qsizetype firstFlag = 1;
    if (r.code == "VA") {
        bool ok = false;
        const qint64 size = tokens.value(1).toLongLong(&ok);
        if (!ok || size < 0 || size > 1024LL * 1024 * 1024)
            return ParseStatus::Invalid;
        if (data.size() - next < size + 2)
            return ParseStatus::Incomplete;
        if (data.at(next + size) != '\r' || data.at(next + size + 1) != '\n')
            return ParseStatus::Invalid;
        r.value = data.mid(next, size);
        next += size + 2;
        firstFlag = 2;
    } else if (r.code != "HD" && r.code != "EN" && r.code != "NF" && r.code != "EX" && r.code != "NS") {
        return ParseStatus::Invalid;
    }
    for (qsizetype i = firstFlag; i < tokens.size(); ++i) {
        const QByteArray &t = tokens.at(i);
        if (t.size() < 2)
            continue;
        const QByteArray v = t.mid(1);
        switch (t.at(0)) {
        case 't': r.ttl = v.toLongLong(); break;
        case 'f': r.flags = v.toUInt(); break;
        case 'c': r.cas = v.toULongLong(); break;
        default: break;
        }
    }
    *pos = next;
    *out = std::move(r);
    return ParseStatus::Complete;
}

ParseStatus MemcachedProto::parseMetadump(const QByteArray &data, qsizetype *pos, QStringList *keys, bool *end, QString *error)
{
    *end = false;
    QByteArray line;
    qsizetype next = 0;
    while (takeLine(data, *pos, &line, &next)) {
        *pos = next;
        if (line == "END") {
            *end = true;
            return ParseStatus::Complete;
        }
        if (!line.startsWith("key=")) {
            *error = QString::fromUtf8(line.left(200));
            return ParseStatus::Invalid;
        }
        const qsizetype space = line.indexOf(' ');
        keys->append(QString::fromUtf8(QByteArray::fromPercentEncoding(line.mid(4, space < 0 ? -1 : space - 4))));
    }
    return ParseStatus::Incomplete;
}

namespace {

/// One blocking connection to memcached (see BlockingSocket), speaking its text protocol.
class MemcachedConnection final : public SocketKeyValueConnection
{
public:
    explicit MemcachedConnection(const SocketEndpoint &endpoint) : socket(endpoint) { }
    StoreError connect() override { return socket.open(); }

    QString where() const { return socket.endpoint().where(); }

    StoreError errorFor(const MetaReply &r) const
    {
        if (r.code == "ERROR")
            return {Code::Unsupported, QStringLiteral("memcached at %1 does not know the meta protocol (mg, md: memcached 1.6 "
                                                      "or later), which Stalk reads with").arg(where())};
        return {Code::QueryFailed, QStringLiteral("memcached at %1 answered: %2").arg(where(), QString::fromUtf8(r.line.left(200)))};
    }

    /// Sends the commands (without their CRLF) in one write and reads one meta reply each.
    Outcome<QVector<MetaReply>> meta(const QVector<QByteArray> &commands)
    {
        if (commands.isEmpty())
            return QVector<MetaReply>();
        if (StoreError e = socket.send(commands.join("\r\n") + "\r\n"))
            return e;
        QVector<MetaReply> replies;
        replies.reserve(commands.size());
        qsizetype pos = 0;
        while (replies.size() < commands.size()) {
            MetaReply r;
            const ParseStatus s = MemcachedProto::parseMetaReply(socket.buffer(), &pos, &r);
            if (s == ParseStatus::Invalid)
                return socket.fail({Code::ConnectionFailed, QStringLiteral("memcached at %1 sent a reply Stalk cannot read "
                                                                           "(is that a memcached port?)").arg(where())});
            if (s == ParseStatus::Complete) {
                socket.setAnswered();
                replies.append(std::move(r));
                continue;
            }
            socket.buffer().remove(0, pos);
            pos = 0;
            if (StoreError e = socket.readMore())
                return e;
        }
        socket.buffer().remove(0, pos);
        return replies;
    }

    /// A text command whose answer ends with a line `last` ("END") or is one line: its lines.
    Outcome<QList<QByteArray>> lines(const QByteArray &command, const QByteArray &last)
    {
        if (StoreError e = socket.send(command + "\r\n"))
            return e;
        QList<QByteArray> out;
        qsizetype pos = 0;
        for (;;) {
            QByteArray line;
            qsizetype next = 0;
            if (takeLine(socket.buffer(), pos, &line, &next)) {
                pos = next;
                out.append(line);
                if (last.isEmpty() || line == last || line.startsWith("ERROR") || line.startsWith("CLIENT_ERROR")
                    || line.startsWith("SERVER_ERROR"))
                    break;
                continue;
            }
            socket.buffer().remove(0, pos);
            pos = 0;
            if (StoreError e = socket.readMore())
                return e;
        }
        socket.setAnswered();
        socket.buffer().remove(0, pos);
        return out;
    }

    /// `lru_crawler metadump hash` (it walks the hash table, so keys moving
    /// between LRU queues are not missed), else `… all`: every key the crawler sees.
    Outcome<QStringList> metadump()
    {
        QByteArray which = "hash";
        for (int busy = 0;; ++busy) {
            if (StoreError e = socket.send("lru_crawler metadump " + which + "\r\n"))
                return e;
            QStringList keys;
            qsizetype pos = 0;
            bool end = false;
            QString error;
            for (;;) {
                const ParseStatus s = MemcachedProto::parseMetadump(socket.buffer(), &pos, &keys, &end, &error);
                socket.buffer().remove(0, pos);
                pos = 0;
                if (s == ParseStatus::Complete)
                    return keys;
                if (s == ParseStatus::Invalid)
                    break;
                if (StoreError e = socket.readMore())
                    return e;
            }
            if (which == "hash" && !error.startsWith(QLatin1String("BUSY"))) {
                which = "all"; // a release without the hash walk
                continue;
            }
            // Another client's crawl is running: wait for it (for a few seconds).
            if (error.startsWith(QLatin1String("BUSY")) && busy < 50) {
                QThread::msleep(100);
                continue;
            }
            return StoreError(Code::Unsupported,
                              QStringLiteral("memcached at %1 cannot list its keys (lru_crawler metadump answered \"%2\"; the LRU "
                                             "crawler must be enabled, memcached 1.4.31 or later): Stalk can still show a "
                                             "result by its task id").arg(where(), error));
        }
    }

    Outcome<QVector<KeyValue>> read(const QStringList &keys, bool withExpiry) override
    {
        return readWith(keys, withExpiry ? " v t f" : " v f");
    }

    /// mg of each key with the flags given (" v t f", " v c"); a key memcached could not hold is absent.
    Outcome<QVector<KeyValue>> readWith(const QStringList &keys, const QByteArray &flags)
    {
        QVector<QByteArray> commands;
        QVector<qsizetype> asked;
        for (qsizetype i = 0; i < keys.size(); ++i) {
            const QByteArray key = keys.at(i).toUtf8();
            if (!isValidKey(key))
                continue;
            commands.append("mg " + key + flags);
            asked.append(i);
        }
        const QDateTime now = QDateTime::currentDateTimeUtc();
        const Outcome<QVector<MetaReply>> replies = meta(commands);
        if (!replies)
            return replies.error();
        QVector<KeyValue> out(keys.size());
        for (qsizetype j = 0; j < replies->size(); ++j) {
            const MetaReply &r = replies->at(j);
            if (r.isError())
                return errorFor(r);
            KeyValue &v = out[asked.at(j)];
            v.present = r.code == "VA";
            v.value = r.value;
            v.cas = r.cas;
            if (r.ttl >= 0)
                v.expires = now.addSecs(r.ttl);
        }
        return out;
    }

    BlockingSocket socket;

protected:
    BlockingSocket &transport() override { return socket; }
};

MemcachedConnection &memcached(KeyValueConnection &c)
{
    return static_cast<MemcachedConnection &>(c);
}

} // namespace

Outcome<MemcachedConfig> MemcachedConfig::fromUrl(const StoreUrl &url)
{
    MemcachedConfig c;
    static_cast<KeyPrefixConfig &>(c) = KeyPrefixConfig::fromUrl(url);
    auto invalid = [&url](const QString &why) {
        return StoreError(Code::InvalidUrl, QStringLiteral("cannot read the store URL %1: %2").arg(url.displayString(), why));
    };
    SocketEndpoint &e = c.endpoint;
    e.server = QStringLiteral("memcached");
    e.daemon = QStringLiteral("memcached");
    e.tlsScheme.clear();
    e.port = url.port > 0 ? url.port : 11211;
    if (!url.host.isEmpty())
        e.host = url.host;
    if (!url.user.isEmpty() || !url.password.isEmpty())
        return invalid(QStringLiteral("memcached's text protocol has no login (SASL needs its binary protocol, which Stalk "
                                      "does not speak)"));
    const QString timeout = e.readTimeout(url.options.value(QStringLiteral("timeout")));
    if (!timeout.isEmpty())
        return invalid(timeout);
    return c;
}

MemcachedStore::MemcachedStore(MemcachedConfig config, StoreOptions options)
    : KeyValueStore(config, std::move(options)), m_config(std::move(config))
{
    m_config.batchSize = qMax(1, m_config.batchSize);
    m_info.layout = StoreInfo::Layout::Redis; // the key-value layout: keys holding a meta each
    m_info.engine = QStringLiteral("memcached");
    m_info.tableName = m_config.endpoint.where();
}

MemcachedStore::~MemcachedStore()
{
    stopLoader();
}

std::unique_ptr<KeyValueConnection> MemcachedStore::makeConnection() const
{
    return std::make_unique<MemcachedConnection>(m_config.endpoint);
}

QString MemcachedStore::where() const
{
    return QStringLiteral("memcached at %1").arg(m_config.endpoint.where());
}

StoreError MemcachedStore::hello(KeyValueConnection &kv, QString *serverVersion, qint64 *keyCount)
{
    MemcachedConnection &conn = memcached(kv);
    const Outcome<QList<QByteArray>> version = conn.lines("version", QByteArray());
    if (!version)
        return version.error();
    const QByteArray line = version->value(0);
    if (!line.startsWith("VERSION "))
        return StoreError(Code::ConnectionFailed, QStringLiteral("%1 did not answer as memcached does (\"version\": %2)")
                                                      .arg(where(), QString::fromUtf8(line.left(100))));
    const QString number = QString::fromLatin1(line.mid(8)).trimmed();
    *serverVersion = QStringLiteral("memcached %1").arg(number);
    const int major = number.section(u'.', 0, 0).toInt(), minor = number.section(u'.', 1, 1).toInt();
    if (major < 1 || (major == 1 && minor < 6))
        return StoreError(Code::Unsupported, QStringLiteral("%1 runs memcached %2, which has no meta protocol (mg, md: memcached "
                                                            "1.6 or later), which Stalk reads with").arg(where(), number));
    const Outcome<QList<QByteArray>> stats = conn.lines("stats", "END");
    if (!stats)
        return stats.error();
    for (const QByteArray &s : *stats) {
        if (s.startsWith("STAT curr_items "))
            *keyCount = s.mid(16).trimmed().toLongLong();
    }
    return {};
}

bool MemcachedStore::isCeleryKey(const QString &key) const
{
    // What Redis' SCAN MATCH selects on the server: under the prefix given, else under any
    // prefix RedisValue::defaultKeyPrefix() accepts.
    if (readsDefaultPrefixes())
        return !prefixOf(key).isNull()
            && (key.contains(QLatin1String(CouchDocument::taskPrefix)) || key.contains(QLatin1String(CouchDocument::groupPrefix)));
    const QString &prefix = prefixConfig().keyPrefix;
    return key.startsWith(prefix + QLatin1String(CouchDocument::taskPrefix))
        || key.startsWith(prefix + QLatin1String(CouchDocument::groupPrefix));
}

StoreError MemcachedStore::listKeys(KeyValueConnection &kv, const Batch &batch)
{
    MemcachedConnection &conn = memcached(kv);
    QSet<QString> seen;
    for (int dump = 0; dump <= extraDumps; ++dump) {
        const Outcome<QStringList> listed = conn.metadump();
        if (!listed)
            return listed.error();
        QStringList fresh;
        for (const QString &k : *listed) {
            if (isCeleryKey(k) && !seen.contains(k)) {
                seen.insert(k);
                fresh.append(k);
            }
        }
        if (dump > 0 && fresh.isEmpty())
            break;
        for (qsizetype at = 0; at < fresh.size(); at += m_config.batchSize) {
            if (stopping())
                return cancelled();
            const QStringList keys = fresh.mid(at, m_config.batchSize);
            const Outcome<QVector<KeyValue>> values = conn.read(keys, false);
            if (!values)
                return values.error();
            if (!batch(keys, *values))
                return cancelled();
        }
    }
    return {};
}

StoreError MemcachedStore::listKeyNames(KeyValueConnection &kv, const NameBatch &batch)
{
    // One dump: a key it misses is read again before it leaves the index (KeyValueStore::rescan()).
    const Outcome<QStringList> listed = memcached(kv).metadump();
    if (!listed)
        return listed.error();
    QStringList keys;
    for (const QString &k : *listed) {
        if (isCeleryKey(k))
            keys.append(k);
    }
    for (qsizetype at = 0; at < keys.size(); at += m_config.batchSize) {
        if (!batch(keys.mid(at, m_config.batchSize)))
            return cancelled();
    }
    return {};
}

Outcome<qint64> MemcachedStore::removeKeys(KeyValueConnection &kv, const QStringList &keys,
                                           const std::function<bool(const Parsed &)> &stillDeletable)
{
    MemcachedConnection &conn = memcached(kv);
    // Optimistic locking, memcached's own way: read each key with its CAS unique, decide, and
    // delete with "md KEY C<cas>", which memcached refuses (EX) if the key changed meanwhile.
    qint64 deleted = 0;
    QStringList pending = keys;
    for (int attempt = 0; attempt < 5 && !pending.isEmpty(); ++attempt) {
        if (interrupted())
            return cancelled();
        const Outcome<QVector<KeyValue>> values = conn.readWith(pending, " v c");
        if (!values)
            return values.error();
        const QVector<bool> doomedAt = recheck(pending, *values, stillDeletable);
        QStringList doomed;
        QVector<QByteArray> commands;
        for (qsizetype i = 0; i < doomedAt.size(); ++i) {
            if (!doomedAt.at(i))
                continue;
            doomed.append(pending.at(i));
            commands.append("md " + pending.at(i).toUtf8() + " C" + QByteArray::number(values->at(i).cas));
        }
        const Outcome<QVector<MetaReply>> replies = conn.meta(commands);
        if (!replies)
            return replies.error();
        QStringList gone, changed;
        for (qsizetype i = 0; i < replies->size(); ++i) {
            const MetaReply &r = replies->at(i);
            if (r.isError())
                return conn.errorFor(r);
            if (r.code == "HD")
                ++deleted;
            (r.code == "EX" ? changed : gone).append(doomed.at(i)); // NF: gone already, not ours to count
        }
        forgetKeys(gone);
        pending = changed; // rewritten between reading and deleting: read and decide again
    }
    // Keys rewritten under every attempt (a worker updating them right now): leave them.
    if (!pending.isEmpty())
        markUndeletable(pending);
    return deleted;
}

Outcome<StoreFactory> makeMemcachedStoreFactory(const StoreUrl &url, const StoreOptions &options)
{
    return makeKeyValueStoreFactory<MemcachedStore, MemcachedConfig>(url, options);
}
