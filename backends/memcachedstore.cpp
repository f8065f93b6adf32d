#include "memcachedstore.h"

#include <QHash>
#include <QMutex>
#include <QThread>

#include <algorithm>

#include "zlibinflate.h"

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

bool MemcachedProto::decodeValue(const MetaReply &reply, QByteArray *value, QString *why)
{
    if (!(reply.flags & flagZlib)) {
        *value = reply.value;
        return true;
    }
    QString error;
    if (Zlib::inflateAll(reply.value, value, &error))
        return true;
    value->clear();
    *why = QStringLiteral("its value is marked zlib-compressed (client flags %1) and cannot be inflated: %2").arg(reply.flags).arg(error);
    return false;
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

/// One blocking connection to one memcached server (see BlockingSocket), speaking its text protocol.
class MemcachedServer final
{
public:
    explicit MemcachedServer(const SocketEndpoint &endpoint) : socket(endpoint) { }

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

    /// mg of each key with the flags given (" v t f", " v c"; f is always asked: a compressed
    /// value is inflated); a key memcached could not hold is absent.
    Outcome<QVector<KeyValue>> readWith(const QStringList &keys, const QByteArray &flags)
    {
        QVector<QByteArray> commands;
        QVector<qsizetype> asked;
        for (qsizetype i = 0; i < keys.size(); ++i) {
            const QByteArray key = keys.at(i).toUtf8();
            if (!isValidKey(key))
                continue;
            commands.append("mg " + key + flags + (flags.contains(" f") ? "" : " f"));
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
            if (v.present && !MemcachedProto::decodeValue(r, &v.value, &v.foreign))
                v.value.clear();
            v.cas = r.cas;
            if (r.ttl >= 0)
                v.expires = now.addSecs(r.ttl);
        }
        return out;
    }

    BlockingSocket socket;
};

} // namespace

/// Which server listed each key (its index in MemcachedConfig::endpoints): a key is read and
/// deleted there only. Thread-safe: the loader's connection and the calling thread's share it.
class MemcachedKeyHomes final
{
public:
    /// -1: no listing placed it yet.
    int homeOf(const QString &key) const
    {
        QMutexLocker lock(&m_mutex);
        return m_homes.value(key, -1);
    }
    void place(const QStringList &keys, int server)
    {
        QMutexLocker lock(&m_mutex);
        for (const QString &k : keys)
            m_homes.insert(k, server);
    }

private:
    mutable QMutex m_mutex;
    QHash<QString, int> m_homes;
};

namespace {

/// A store's connection to every server of its URL, one MemcachedServer each, for one thread.
class MemcachedConnection final : public KeyValueConnection
{
public:
    MemcachedConnection(const QVector<SocketEndpoint> &endpoints, std::shared_ptr<MemcachedKeyHomes> homes)
        : m_homes(std::move(homes))
    {
        for (const SocketEndpoint &e : endpoints)
            m_servers.push_back(std::make_unique<MemcachedServer>(e));
    }

    StoreError connect() override
    {
        for (auto &s : m_servers) {
            if (!s->socket.isOpen()) {
                if (StoreError e = s->socket.open())
                    return several(e);
            }
        }
        return {};
    }
    bool isConnected() override
    {
        return std::all_of(m_servers.cbegin(), m_servers.cend(), [](const auto &s) { return s->socket.isOpen(); });
    }
    void interrupt() override
    {
        for (auto &s : m_servers)
            s->socket.interrupt();
    }
    void clearInterrupt() override
    {
        for (auto &s : m_servers)
            s->socket.clearInterrupt();
    }

    int serverCount() const { return int(m_servers.size()); }
    MemcachedServer &server(int i) { return *m_servers.at(size_t(i)); }
    /// The server a key is read and deleted on: the one that listed it; -1 when none did yet.
    int homeOf(const QString &key) const { return m_servers.size() == 1 ? 0 : m_homes->homeOf(key); }
    void place(const QStringList &keys, int server) { m_homes->place(keys, server); }

    /// A server's error as the store's: with several servers, that they go together.
    StoreError several(StoreError e) const
    {
        if (m_servers.size() > 1 && e.code != Code::Cancelled)
            e.message += QStringLiteral(" (one of the %1 memcached servers of this URL, which Stalk reads together or not "
                                        "at all since each holds only its share of the results: to read the others, open a "
                                        "URL without it)").arg(m_servers.size());
        return e;
    }

    Outcome<QVector<KeyValue>> read(const QStringList &keys, bool withExpiry) override
    {
        return readWith(keys, withExpiry ? " v t f" : " v f");
    }

    /// Each key read on its home server (homeOf()); a key without one is asked of every
    /// server in the URL's order and placed on the first that holds it.
    Outcome<QVector<KeyValue>> readWith(const QStringList &keys, const QByteArray &flags)
    {
        if (m_servers.size() == 1) {
            Outcome<QVector<KeyValue>> values = m_servers.front()->readWith(keys, flags);
            return values ? values : Outcome<QVector<KeyValue>>(several(values.error()));
        }
        QVector<KeyValue> out(keys.size());
        QVector<QStringList> asked(serverCount());
        QVector<QVector<qsizetype>> at(serverCount());
        QStringList homeless;
        QVector<qsizetype> homelessAt;
        for (qsizetype i = 0; i < keys.size(); ++i) {
            const int home = homeOf(keys.at(i));
            (home < 0 ? homeless : asked[home]).append(keys.at(i));
            (home < 0 ? homelessAt : at[home]).append(i);
        }
        for (int s = 0; s < serverCount(); ++s) {
            if (asked.at(s).isEmpty())
                continue;
            const Outcome<QVector<KeyValue>> values = server(s).readWith(asked.at(s), flags);
            if (!values)
                return several(values.error());
            for (qsizetype j = 0; j < values->size(); ++j)
                out[at.at(s).at(j)] = values->at(j);
        }
        for (int s = 0; s < serverCount() && !homeless.isEmpty(); ++s) {
            const Outcome<QVector<KeyValue>> values = server(s).readWith(homeless, flags);
            if (!values)
                return several(values.error());
            QStringList found, still;
            QVector<qsizetype> stillAt;
            for (qsizetype j = 0; j < values->size(); ++j) {
                if (values->at(j).present) {
                    out[homelessAt.at(j)] = values->at(j);
                    found.append(homeless.at(j));
                } else {
                    still.append(homeless.at(j));
                    stillAt.append(homelessAt.at(j));
                }
            }
            place(found, s);
            homeless = still;
            homelessAt = stillAt;
        }
        return out;
    }

private:
    std::vector<std::unique_ptr<MemcachedServer>> m_servers;
    std::shared_ptr<MemcachedKeyHomes> m_homes;
};

MemcachedConnection &memcached(KeyValueConnection &c)
{
    return static_cast<MemcachedConnection &>(c);
}

/// "A", "A and B", "A, B and C".
QString listed(const QStringList &items)
{
    if (items.size() < 2)
        return items.value(0);
    return items.mid(0, items.size() - 1).join(QStringLiteral(", ")) + QStringLiteral(" and ") + items.constLast();
}

} // namespace

Outcome<MemcachedConfig> MemcachedConfig::fromUrl(const StoreUrl &url)
{
    MemcachedConfig c;
    static_cast<KeyPrefixConfig &>(c) = KeyPrefixConfig::fromUrl(url);
    auto invalid = [&url](const QString &why) {
        return StoreError(Code::InvalidUrl, QStringLiteral("cannot read the store URL %1: %2").arg(url.displayString(), why));
    };
    if (!url.user.isEmpty() || !url.password.isEmpty())
        return invalid(QStringLiteral("memcached's text protocol has no login (SASL needs its binary protocol, which Stalk "
                                      "does not speak)"));
    const QVector<StoreUrl::Server> servers = url.servers.isEmpty() ? QVector<StoreUrl::Server>{{url.host, url.port}} : url.servers;
    for (const StoreUrl::Server &server : servers) {
        SocketEndpoint e;
        e.server = QStringLiteral("memcached");
        e.daemon = QStringLiteral("memcached");
        e.tlsScheme.clear();
        e.port = server.port > 0 ? server.port : 11211;
        if (!server.host.isEmpty())
            e.host = server.host;
        const QString timeout = e.readTimeout(url.options.value(QStringLiteral("timeout")));
        if (!timeout.isEmpty())
            return invalid(timeout);
        c.endpoints.append(e);
    }
    return c;
}

MemcachedStore::MemcachedStore(MemcachedConfig config, StoreOptions options)
    : KeyValueStore(config, std::move(options)), m_config(std::move(config)), m_homes(std::make_shared<MemcachedKeyHomes>())
{
    m_config.batchSize = qMax(1, m_config.batchSize);
    m_info.layout = StoreInfo::Layout::Redis; // the key-value layout: keys holding a meta each
    m_info.engine = QStringLiteral("memcached");
    QStringList servers;
    for (const SocketEndpoint &e : std::as_const(m_config.endpoints))
        servers.append(e.where());
    m_info.tableName = servers.join(QStringLiteral(", "));
}

MemcachedStore::~MemcachedStore()
{
    stopLoader();
}

std::unique_ptr<KeyValueConnection> MemcachedStore::makeConnection() const
{
    return std::make_unique<MemcachedConnection>(m_config.endpoints, m_homes);
}

QString MemcachedStore::where() const
{
    QStringList servers;
    for (const SocketEndpoint &e : m_config.endpoints)
        servers.append(e.where());
    return QStringLiteral("memcached at %1").arg(listed(servers));
}

StoreError MemcachedStore::hello(KeyValueConnection &kv, QString *serverVersion, qint64 *keyCount)
{
    MemcachedConnection &conn = memcached(kv);
    QStringList versions;
    *keyCount = 0;
    for (int s = 0; s < conn.serverCount(); ++s) {
        MemcachedServer &server = conn.server(s);
        const QString at = QStringLiteral("memcached at %1").arg(server.where());
        const Outcome<QList<QByteArray>> version = server.lines("version", QByteArray());
        if (!version)
            return conn.several(version.error());
        const QByteArray line = version->value(0);
        if (!line.startsWith("VERSION "))
            return conn.several(StoreError(Code::ConnectionFailed, QStringLiteral("%1 did not answer as memcached does (\"version\": %2)")
                                                                       .arg(at, QString::fromUtf8(line.left(100)))));
        const QString number = QString::fromLatin1(line.mid(8)).trimmed();
        if (!versions.contains(number))
            versions.append(number);
        const int major = number.section(u'.', 0, 0).toInt(), minor = number.section(u'.', 1, 1).toInt();
        if (major < 1 || (major == 1 && minor < 6))
            return conn.several(StoreError(Code::Unsupported, QStringLiteral("%1 runs memcached %2, which has no meta protocol (mg, md: "
                                                                             "memcached 1.6 or later), which Stalk reads with")
                                                                  .arg(at, number)));
        const Outcome<QList<QByteArray>> stats = server.lines("stats", "END");
        if (!stats)
            return conn.several(stats.error());
        for (const QByteArray &line : *stats) {
            if (line.startsWith("STAT curr_items "))
                *keyCount += line.mid(16).trimmed().toLongLong();
        }
    }
    *serverVersion = QStringLiteral("memcached %1").arg(versions.join(QStringLiteral(", ")));
    if (conn.serverCount() > 1)
        *serverVersion += QStringLiteral(" on %1 servers").arg(conn.serverCount());
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

QStringList MemcachedStore::newCeleryKeys(const QStringList &dumped, QSet<QString> *seen) const
{
    QStringList fresh;
    for (const QString &k : dumped) {
        if (isCeleryKey(k) && !seen->contains(k)) {
            seen->insert(k);
            fresh.append(k);
        }
    }
    return fresh;
}

StoreError MemcachedStore::listKeys(KeyValueConnection &kv, const Batch &batch)
{
    MemcachedConnection &conn = memcached(kv);
    QSet<QString> seen; // on any server: a key two servers hold is read on the first
    for (int s = 0; s < conn.serverCount(); ++s) {
        MemcachedServer &server = conn.server(s);
        for (int dump = 0; dump <= extraDumps; ++dump) {
            const Outcome<QStringList> dumped = server.metadump();
            if (!dumped)
                return conn.several(dumped.error());
            const QStringList fresh = newCeleryKeys(*dumped, &seen);
            if (dump > 0 && fresh.isEmpty())
                break;
            conn.place(fresh, s);
            for (qsizetype at = 0; at < fresh.size(); at += m_config.batchSize) {
                if (stopping())
                    return cancelled();
                const QStringList keys = fresh.mid(at, m_config.batchSize);
                const Outcome<QVector<KeyValue>> values = server.readWith(keys, " v f");
                if (!values)
                    return conn.several(values.error());
                if (!batch(keys, *values))
                    return cancelled();
            }
        }
    }
    return {};
}

StoreError MemcachedStore::listKeyNames(KeyValueConnection &kv, const NameBatch &batch)
{
    // One dump a server: a key it misses is read again before it leaves the index
    // (KeyValueStore::rescan()), on the server that listed it before.
    MemcachedConnection &conn = memcached(kv);
    QSet<QString> seen;
    for (int s = 0; s < conn.serverCount(); ++s) {
        const Outcome<QStringList> dumped = conn.server(s).metadump();
        if (!dumped)
            return conn.several(dumped.error());
        const QStringList keys = newCeleryKeys(*dumped, &seen);
        conn.place(keys, s);
        for (qsizetype at = 0; at < keys.size(); at += m_config.batchSize) {
            if (!batch(keys.mid(at, m_config.batchSize)))
                return cancelled();
        }
    }
    return {};
}

Outcome<qint64> MemcachedStore::removeKeys(KeyValueConnection &kv, const QStringList &keys,
                                           const std::function<bool(const Parsed &)> &stillDeletable)
{
    MemcachedConnection &conn = memcached(kv);
    // Optimistic locking, memcached's own way: read each key with its CAS unique, decide, and
    // delete with "md KEY C<cas>", which memcached refuses (EX) if the key changed meanwhile.
    // Each key is read and deleted on its own server (a CAS means nothing on another).
    qint64 deleted = 0;
    QStringList pending = keys;
    for (int attempt = 0; attempt < 5 && !pending.isEmpty(); ++attempt) {
        if (interrupted())
            return cancelled();
        const Outcome<QVector<KeyValue>> values = conn.readWith(pending, " v c");
        if (!values)
            return values.error();
        const QVector<bool> doomedAt = recheck(pending, *values, stillDeletable);
        QVector<QStringList> doomed(conn.serverCount());
        QVector<QVector<QByteArray>> commands(conn.serverCount());
        for (qsizetype i = 0; i < doomedAt.size(); ++i) {
            const int home = conn.homeOf(pending.at(i));
            if (!doomedAt.at(i) || home < 0)
                continue;
            doomed[home].append(pending.at(i));
            commands[home].append("md " + pending.at(i).toUtf8() + " C" + QByteArray::number(values->at(i).cas));
        }
        QStringList gone, changed;
        for (int s = 0; s < conn.serverCount(); ++s) {
            // A server failing after others deleted: those deletes leave the index first.
            const Outcome<QVector<MetaReply>> replies = conn.server(s).meta(commands.at(s));
            if (!replies) {
                forgetKeys(gone);
                return conn.several(replies.error());
            }
            for (qsizetype i = 0; i < replies->size(); ++i) {
                const MetaReply &r = replies->at(i);
                if (r.isError()) {
                    forgetKeys(gone);
                    return conn.several(conn.server(s).errorFor(r));
                }
                if (r.code == "HD")
                    ++deleted;
                (r.code == "EX" ? changed : gone).append(doomed.at(s).at(i)); // NF: gone already, not ours to count
            }
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
