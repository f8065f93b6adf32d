#include "redisstore.h"

#include <algorithm>
#include <string_view>
#include <utility>

#include <QElapsedTimer>

#include "stalklog.h"

using Code = StoreError::Code;
using Parsed = CouchDocument::Parsed;

namespace {

/// "redis_version:7.0.15" from an INFO answer.
QString infoField(const QByteArray &info, const char *name)
{
    for (const QByteArray &line : info.split('\n')) {
        if (line.startsWith(name) && line.size() > qsizetype(qstrlen(name)) && line.at(qstrlen(name)) == ':')
            return QString::fromUtf8(line.mid(qstrlen(name) + 1).trimmed());
    }
    return QString();
}

/// When a key expires, from its PTTL reply (-1: no TTL, -2: gone): an invalid date for none.
QDateTime expiresAt(const RespValue &pttl, const QDateTime &now)
{
    return pttl.type == RespValue::Type::Integer && pttl.integer >= 0 ? now.addMSecs(pttl.integer) : QDateTime();
}

QList<QByteArray> withKeys(QList<QByteArray> head, const QStringList &keys)
{
    for (const QString &k : keys)
        head.append(k.toUtf8());
    return head;
}

} // namespace

KeyspaceEvents KeyspaceEvents::of(const QByteArray &flags, bool evictions)
{
    KeyspaceEvents e;
    const bool all = flags.contains('A');
    QStringList missing;
    if (!flags.contains('K') && !flags.contains('E'))
        missing.append(QStringLiteral("no K or E (keyspace or keyevent channels)"));
    const struct { char letter; const char *what; bool needed; } classes[] = {
        {'$', "string commands: SET", true},
        {'g', "generic commands: DEL, UNLINK", true},
        {'x', "expired events", true},
        {'e', "evicted events; the server may evict keys", evictions},
    };
    for (const auto &c : classes) {
        if (c.needed && !all && !flags.contains(c.letter))
            missing.append(QStringLiteral("no %1 (%2)").arg(QString(QLatin1Char(c.letter)), QString::fromLatin1(c.what)));
    }
    if (!missing.isEmpty()) {
        e.missing = missing.join(QStringLiteral(", "));
        return e;
    }
    e.channel = flags.contains('K') ? Channel::Keyspace : Channel::Keyevent;
    return e;
}

Outcome<RedisConfig> RedisConfig::fromUrl(const StoreUrl &url)
{
    RedisConfig c;
    static_cast<KeyPrefixConfig &>(c) = KeyPrefixConfig::fromUrl(url);
    RedisEndpoint &e = c.endpoint;
    auto invalid = [&url](const QString &why) {
        return StoreError(Code::InvalidUrl, QStringLiteral("cannot read the store URL %1: %2").arg(url.displayString(), why));
    };
    e.tls = url.tls;
    e.user = url.user;
    e.password = url.password;
    if (!url.path.isEmpty()) {
        e.socketPath = url.path;
    } else {
        if (!url.host.isEmpty())
            e.host = url.host;
        if (url.port > 0)
            e.port = url.port;
    }
    // The database: the path (redis://host/2), or Celery's ?virtual_host= (redis+socket://).
    QString db = url.database;
    for (const char *option : {"virtual_host", "db"}) {
        const QString v = url.options.value(QString::fromLatin1(option));
        if (!v.isEmpty())
            db = v;
    }
    if (db.startsWith(u'/'))
        db = db.mid(1);
    if (!db.isEmpty()) {
        bool ok = false;
        e.database = db.toInt(&ok);
        if (!ok || e.database < 0)
            return invalid(QStringLiteral("\"%1\" is not a Redis database number").arg(db));
    }
    const QString reqs = url.options.value(QStringLiteral("ssl_cert_reqs")).toLower();
    if (!reqs.isEmpty()) {
        if (!e.tls)
            return invalid(QStringLiteral("ssl_cert_reqs needs rediss://"));
        // Celery hands "optional" to Python's ssl as CERT_OPTIONAL, which a client treats as
        // CERT_REQUIRED: the server's certificate is verified all the same. Only "none" is not.
        if (reqs == QLatin1String("none") || reqs == QLatin1String("cert_none"))
            e.verifyPeer = false;
        else if (reqs != QLatin1String("required") && reqs != QLatin1String("cert_required") && reqs != QLatin1String("optional")
                 && reqs != QLatin1String("cert_optional"))
            return invalid(QStringLiteral("ssl_cert_reqs is \"%1\" (use required, optional or none)").arg(reqs));
    }
    e.caFile = url.options.value(QStringLiteral("ssl_ca_certs"));
    e.certFile = url.options.value(QStringLiteral("ssl_certfile"));
    e.keyFile = url.options.value(QStringLiteral("ssl_keyfile"));
    const std::pair<const char *, QString> files[] = {{"ssl_ca_certs", e.caFile}, {"ssl_certfile", e.certFile}, {"ssl_keyfile", e.keyFile}};
    for (const auto &[option, value] : files) {
        if (!value.isEmpty() && !e.tls)
            return invalid(QStringLiteral("%1 needs rediss://").arg(QLatin1String(option)));
    }
    if (!e.keyFile.isEmpty() && e.certFile.isEmpty())
        return invalid(QStringLiteral("ssl_keyfile needs ssl_certfile"));
    const QString timeout = e.readTimeout(url.options.value(QStringLiteral("timeout")));
    if (!timeout.isEmpty())
        return invalid(timeout);
    return c;
}

namespace {

/// RedisConnection as a KeyValueStore's connection: values with MGET, expiry with PTTL.
class RedisKeyConnection final : public SocketKeyValueConnection
{
public:
    explicit RedisKeyConnection(const RedisEndpoint &endpoint) : conn(endpoint) { }
    StoreError connect() override { return conn.connect(); }
    Outcome<QVector<KeyValue>> read(const QStringList &keys, bool withExpiry) override
    {
        QVector<QList<QByteArray>> commands{withKeys({"MGET"}, keys)};
        if (withExpiry) {
            for (const QString &k : keys)
                commands.append({"PTTL", k.toUtf8()});
        }
        const QDateTime now = QDateTime::currentDateTimeUtc();
        const Outcome<QVector<RespValue>> replies = conn.pipeline(commands);
        if (!replies)
            return replies.error();
        if (replies->at(0).isError())
            return RedisConnection::errorFor(replies->at(0), conn.endpoint());
        return values(replies->at(0), withExpiry ? replies->mid(1) : QVector<RespValue>(), now);
    }
    /// An MGET reply as values (and PTTL replies as expiry dates, when given).
    static QVector<KeyValue> values(const RespValue &mget, const QVector<RespValue> &pttl, const QDateTime &now)
    {
        QVector<KeyValue> out(mget.items.size());
        for (qsizetype i = 0; i < mget.items.size(); ++i) {
            const RespValue &v = mget.items.at(i);
            out[i].present = v.type == RespValue::Type::Bulk;
            out[i].value = v.text;
            if (i < pttl.size())
                out[i].expires = expiresAt(pttl.at(i), now);
        }
        return out;
    }

    RedisConnection conn;

protected:
    BlockingSocket &transport() override { return conn.socket(); }
};

/// Keyspace notifications on a connection of its own (a subscribed RESP2 connection takes no
/// other command): PSUBSCRIBE to the patterns, then each pmessage names a changed key, in
/// its channel (keyspace: "__keyspace@DB__:KEY") or its message (keyevent).
class RedisChangeFeed final : public KeyChangeFeed
{
public:
    RedisChangeFeed(const RedisEndpoint &endpoint, QList<QByteArray> patterns, QByteArray channelPrefix)
        : m_conn(endpoint), m_patterns(std::move(patterns)), m_channelPrefix(std::move(channelPrefix))
    {
    }
    StoreError subscribe() override
    {
        if (StoreError e = m_conn.connect())
            return e;
        if (StoreError e = m_conn.send(QList<QByteArray>{"PSUBSCRIBE"} + m_patterns))
            return e;
        // One confirmation per pattern, within the connection's time-out.
        QElapsedTimer waited;
        waited.start();
        qsizetype confirmed = 0;
        while (confirmed < m_patterns.size()) {
            if (waited.elapsed() > m_conn.endpoint().timeoutMs)
                return m_conn.socket().fail({Code::ConnectionFailed, QStringLiteral("Redis at %1 did not confirm PSUBSCRIBE within %2 s")
                                                                          .arg(m_conn.endpoint().where())
                                                                          .arg(m_conn.endpoint().timeoutMs / 1000.0)});
            const Outcome<QVector<RespValue>> messages = m_conn.receive(200);
            if (!messages)
                return messages.error();
            for (const RespValue &m : *messages) {
                if (m.isError())
                    return m_conn.socket().fail(RedisConnection::errorFor(m, m_conn.endpoint()));
                if (m.type == RespValue::Type::Array && !m.items.isEmpty() && m.items.at(0).text == "psubscribe")
                    ++confirmed;
            }
        }
        qCInfo(lcRedis).noquote() << m_conn.endpoint().where() << "subscribed to" << m_patterns.join(", ");
        return {};
    }
    Outcome<QStringList> next(int waitMs) override
    {
        const Outcome<QVector<RespValue>> messages = m_conn.receive(waitMs);
        if (!messages)
            return messages.error();
        QStringList keys;
        for (const RespValue &m : *messages) {
            // ["pmessage", pattern, channel, message]
            if (m.type != RespValue::Type::Array || m.items.size() != 4 || m.items.at(0).text != "pmessage")
                continue;
            const QByteArray &channel = m.items.at(2).text;
            if (m_channelPrefix.isEmpty())
                keys.append(QString::fromUtf8(m.items.at(3).text));
            else if (channel.startsWith(m_channelPrefix))
                keys.append(QString::fromUtf8(channel.mid(m_channelPrefix.size())));
        }
        return keys;
    }
    void close() override { m_conn.socket().fail({}); }
    void interrupt() override { m_conn.interrupt(); }

private:
    RedisConnection m_conn;
    QList<QByteArray> m_patterns;
    QByteArray m_channelPrefix; ///< "__keyspace@DB__:"; empty: keyevent (the key is the message)
};

RedisConnection &redis(KeyValueConnection &c)
{
    return static_cast<RedisKeyConnection &>(c).conn;
}

} // namespace

RedisStore::RedisStore(RedisConfig config, StoreOptions options)
    : KeyValueStore(config, std::move(options)), m_config(std::move(config))
{
    m_config.scanCount = qMax(10, m_config.scanCount);
    m_info.layout = StoreInfo::Layout::Redis;
    m_info.engine = QStringLiteral("Redis");
    m_info.tableName = QStringLiteral("db %1").arg(m_config.endpoint.database);
}

RedisStore::~RedisStore()
{
    stopLoader();
}

std::unique_ptr<KeyValueConnection> RedisStore::makeConnection() const
{
    return std::make_unique<RedisKeyConnection>(m_config.endpoint);
}

QString RedisStore::where() const
{
    return QStringLiteral("database %1 of Redis at %2").arg(m_config.endpoint.database).arg(m_config.endpoint.where());
}

StoreError RedisStore::hello(KeyValueConnection &kv, QString *serverVersion, qint64 *keyCount)
{
    RedisConnection &conn = redis(kv);
    const Outcome<QVector<RespValue>> hello = conn.pipeline({{"INFO", "server"}, {"INFO", "cluster"}, {"DBSIZE"}});
    if (!hello)
        return hello.error();
    const QByteArray server = hello->at(0).text;
    if (infoField(hello->at(1).text, "cluster_enabled") == QLatin1String("1"))
        return StoreError(Code::Unsupported, QStringLiteral("Redis at %1 is a Redis Cluster node, and Redis Cluster is not supported yet")
                                                 .arg(m_config.endpoint.where()));
    const QString version = infoField(server, "redis_version");
    *serverVersion = version.isEmpty() ? QStringLiteral("Redis") : QStringLiteral("Redis %1").arg(version);
    // UNLINK frees memory in the background; Redis < 4 has only DEL.
    if (!version.isEmpty() && version.section(u'.', 0, 0).toInt() < 4)
        m_deleteCommand = "DEL";
    *keyCount = hello->at(2).type == RespValue::Type::Integer ? hello->at(2).integer : 0;
    return {};
}

std::unique_ptr<KeyChangeFeed> RedisStore::makeChangeFeed(KeyValueConnection &kv, QString *why, StoreError *error)
{
    RedisConnection &conn = redis(kv);
    const Outcome<QVector<RespValue>> config = conn.pipeline(
        {{"CONFIG", "GET", "notify-keyspace-events"}, {"CONFIG", "GET", "maxmemory"}, {"CONFIG", "GET", "maxmemory-policy"}});
    if (!config) {
        *error = config.error();
        return nullptr;
    }
    // CONFIG GET answers [name, value]; an ACL user without +config, or a renamed CONFIG, an error.
    auto value = [&config](int i) -> Outcome<QByteArray> {
        const RespValue &r = config->at(i);
        if (r.isError())
            return StoreError(Code::PermissionDenied, QString::fromUtf8(r.text.left(200)));
        return r.type == RespValue::Type::Array && r.items.size() >= 2 ? r.items.at(1).text : QByteArray();
    };
    const Outcome<QByteArray> flags = value(0);
    if (!flags) {
        *why = QStringLiteral("Re-scan on refresh: the server refused CONFIG GET notify-keyspace-events (%1), so Stalk cannot "
                              "tell whether it sends keyspace notifications")
                   .arg(flags.error().message);
        return nullptr;
    }
    if (flags->isEmpty()) {
        *why = QStringLiteral("Re-scan on refresh: notify-keyspace-events is empty on this server");
        return nullptr;
    }
    // Evictions matter only when maxmemory is set with a policy that evicts (or unknown).
    const Outcome<QByteArray> maxmemory = value(1);
    const Outcome<QByteArray> policy = value(2);
    const bool evictions = !maxmemory || !policy || (*maxmemory != "0" && *policy != "noeviction");
    const KeyspaceEvents events = KeyspaceEvents::of(*flags, evictions);
    if (events.channel == KeyspaceEvents::Channel::None) {
        *why = QStringLiteral("Re-scan on refresh: notify-keyspace-events is \"%1\" on this server: %2")
                   .arg(QString::fromUtf8(*flags), events.missing);
        return nullptr;
    }
    const QByteArray db = QByteArray::number(m_config.endpoint.database);
    QList<QByteArray> patterns;
    QByteArray channelPrefix;
    if (events.channel == KeyspaceEvents::Channel::Keyspace) {
        channelPrefix = "__keyspace@" + db + "__:";
        for (const char *kind : {CouchDocument::taskPrefix, CouchDocument::groupPrefix})
            patterns.append(channelPrefix + keyPattern(kind));
    } else {
        // Keyevent channels name the event, the message the key: the store keeps its own keys.
        patterns.append("__keyevent@" + db + "__:*");
    }
    *why = QStringLiteral("Live updates: keyspace notifications (notify-keyspace-events is \"%1\" on this server; %2 channels)")
               .arg(QString::fromUtf8(*flags),
                    events.channel == KeyspaceEvents::Channel::Keyspace ? QStringLiteral("keyspace") : QStringLiteral("keyevent"));
    return std::make_unique<RedisChangeFeed>(m_config.endpoint, patterns, channelPrefix);
}

StoreError RedisStore::listKeys(KeyValueConnection &kv, const Batch &batch)
{
    return scanKeys(kv, true, batch);
}

StoreError RedisStore::listKeyNames(KeyValueConnection &kv, const NameBatch &batch)
{
    return scanKeys(kv, false, [&batch](const QStringList &keys, const QVector<KeyValue> &) { return batch(keys); });
}

namespace {

/// text as a glob matching it literally: its metacharacters escaped.
QByteArray globLiteral(const QByteArray &text)
{
    QByteArray glob;
    for (const char c : text) {
        if (c == '*' || c == '?' || c == '[' || c == ']' || c == '\\')
            glob += '\\';
        glob += c;
    }
    return glob;
}

} // namespace

QByteArray RedisStore::keyPattern(const char *kind) const
{
    // Without a prefix, any: prefixOf() keeps Celery's and Django's.
    return (readsDefaultPrefixes() ? "*" : "") + globLiteral((m_config.keyPrefix + QLatin1String(kind)).toUtf8()) + '*';
}

QByteArray RedisStore::scanPattern() const
{
    static_assert(std::string_view(CouchDocument::taskPrefix) == "celery-task-meta-"
                  && std::string_view(CouchDocument::groupPrefix) == "celery-taskset-meta-");
    return (readsDefaultPrefixes() ? "*" : "") + globLiteral(m_config.keyPrefix.toUtf8()) + "celery-task*-meta-*";
}

StoreError RedisStore::scanKeys(KeyValueConnection &kv, bool withValues, const Batch &batch)
{
    RedisConnection &conn = redis(kv);
    const QByteArray count = QByteArray::number(m_config.scanCount);
    const QByteArray pattern = scanPattern();
    // What keyPattern() of either kind matches: the keys scanPattern() matched that are listed.
    const QByteArray starts[] = {m_config.keyPrefix.toUtf8() + CouchDocument::taskPrefix,
                                 m_config.keyPrefix.toUtf8() + CouchDocument::groupPrefix};
    const bool anywhere = readsDefaultPrefixes();
    const auto listed = [&starts, anywhere](QByteArrayView key) {
        return std::any_of(std::cbegin(starts), std::cend(starts), [key, anywhere](const QByteArray &start) {
            // Without a prefix the key usually starts with it: startsWith() first (cheaper).
            return key.startsWith(start) || (anywhere && key.contains(start));
        });
    };
    const auto scan = [&](const QByteArray &cursor) {
        return QList<QByteArray>{"SCAN", cursor, "MATCH", pattern, "COUNT", count};
    };
    // The server never waits for Stalk: a SCAN's reply is answered at once with the next
    // SCAN and the MGET of the keys it named, and the previous batch's values are read
    // while the server works on those. Replies arrive in the order sent: SCAN, MGET, …
    // With values, batch() must not use the connection: replies are on their way.
    if (StoreError e = conn.sendCommands({scan("0")}))
        return e;
    bool scanning = true; // a SCAN's reply is on its way
    QStringList pending;  // the keys of the MGET on its way
    // Positions in `pending` of keys whose bytes are not UTF-8: never Celery's (redis-py
    // writes a str's UTF-8), and their QString names another key, so listed as foreign.
    QVector<qsizetype> pendingNotText;
    // Leaving with replies on their way puts the connection out of step: close it.
    const auto abandon = [&conn](const StoreError &e) { return conn.socket().fail(e); };
    while (scanning || !pending.isEmpty()) {
        if (stopping())
            return abandon(cancelled());
        QStringList keys;
        QVector<qsizetype> notText;
        if (scanning) {
            const Outcome<QVector<RespValue>> reply = conn.replies(1);
            if (!reply)
                return reply.error();
            const RespValue &r = reply->constFirst();
            if (r.isError())
                return abandon(RedisConnection::errorFor(r, m_config.endpoint));
            if (r.type != RespValue::Type::Array || r.items.size() != 2 || r.items.at(1).type != RespValue::Type::Array)
                return abandon(StoreError(Code::QueryFailed, QStringLiteral("Redis at %1 answered SCAN with something else than a cursor and keys")
                                                                 .arg(m_config.endpoint.where())));
            const QByteArray cursor = r.items.at(0).text;
            QList<QByteArray> mget{"MGET"}; // the keys as the server sent them
            for (const RespValue &k : r.items.at(1).items) {
                if (!listed(k.text))
                    continue;
                if (!QByteArrayView(k.text).isValidUtf8())
                    notText.append(keys.size());
                keys.append(QString::fromUtf8(k.text));
                mget.append(k.text);
            }
            scanning = cursor != "0";
            // Names only: the batch reads their values on this connection (rescan()),
            // so it runs before the next SCAN is sent.
            if (!withValues && !keys.isEmpty() && !batch(keys, {}))
                return cancelled();
            QVector<QList<QByteArray>> next;
            if (scanning)
                next.append(scan(cursor));
            if (withValues && !keys.isEmpty())
                next.append(mget);
            if (!next.isEmpty()) {
                if (StoreError e = conn.sendCommands(next))
                    return e;
            }
        }
        if (!pending.isEmpty()) {
            const Outcome<QVector<RespValue>> values = conn.replies(1);
            if (!values)
                return values.error();
            if (values->constFirst().isError())
                return abandon(RedisConnection::errorFor(values->constFirst(), m_config.endpoint));
            QVector<KeyValue> read = RedisKeyConnection::values(values->constFirst(), {}, QDateTime());
            for (const qsizetype i : std::as_const(pendingNotText)) {
                if (i < read.size() && read.at(i).present)
                    read[i].foreign = QStringLiteral("its name is not UTF-8 text, which a Celery key's always is");
            }
            if (!batch(pending, read))
                return abandon(cancelled());
        }
        pending = withValues ? keys : QStringList();
        pendingNotText = withValues ? notText : QVector<qsizetype>();
    }
    return {};
}

Outcome<qint64> RedisStore::removeKeys(KeyValueConnection &kv, const QStringList &keys,
                                       const std::function<bool(const Parsed &)> &stillDeletable)
{
    RedisConnection &conn = redis(kv);
    // Optimistic locking, Redis' own way: WATCH the keys, read them, decide, then delete in
    // MULTI/EXEC, which does nothing if any watched key changed meanwhile (EXEC answers nil).
    for (int attempt = 0; attempt < 5; ++attempt) {
        if (interrupted())
            return cancelled();
        const Outcome<QVector<RespValue>> read = conn.pipeline({withKeys({"WATCH"}, keys), withKeys({"MGET"}, keys)});
        if (!read)
            return read.error();
        if (read->at(0).isError())
            return RedisConnection::errorFor(read->at(0), m_config.endpoint);
        if (read->at(1).isError())
            return RedisConnection::errorFor(read->at(1), m_config.endpoint);
        const QVector<bool> doomedAt = recheck(keys, RedisKeyConnection::values(read->at(1), {}, QDateTime()), stillDeletable);
        QStringList doomed;
        for (qsizetype i = 0; i < doomedAt.size(); ++i) {
            if (doomedAt.at(i))
                doomed.append(keys.at(i));
        }
        if (doomed.isEmpty()) {
            const Outcome<RespValue> unwatch = conn.call({"UNWATCH"});
            if (!unwatch)
                return unwatch.error();
            return qint64(0);
        }
        const Outcome<QVector<RespValue>> done = conn.pipeline({{"MULTI"}, withKeys({m_deleteCommand}, doomed), {"EXEC"}});
        if (!done)
            return done.error();
        const RespValue &exec = done->constLast();
        if (exec.isNil())
            continue; // a key changed between reading and deleting: read and decide again
        if (exec.isError() || exec.items.isEmpty() || exec.items.at(0).isError())
            return RedisConnection::errorFor(exec.isError() ? exec : (exec.items.isEmpty() ? done->at(1) : exec.items.at(0)),
                                             m_config.endpoint);
        forgetKeys(doomed);
        return exec.items.at(0).integer;
    }
    // Keys rewritten under every attempt (a worker updating them right now): leave them.
    markUndeletable(keys);
    return qint64(0);
}

Outcome<StoreFactory> makeRedisStoreFactory(const StoreUrl &url, const StoreOptions &options)
{
    return makeKeyValueStoreFactory<RedisStore, RedisConfig>(url, options);
}
