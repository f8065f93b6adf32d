#include "redisstore.h"

#include <QThread>

#include "indexpurge.h"

using Code = StoreError::Code;
using Parsed = CouchDocument::Parsed;

namespace {

StoreError cancelled()
{
    return StoreError(Code::Cancelled, QStringLiteral("cancelled"));
}

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

Outcome<RedisConfig> RedisConfig::fromUrl(const StoreUrl &url)
{
    RedisConfig c;
    RedisEndpoint &e = c.endpoint;
    c.location = url.displayString();
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
    c.keyPrefix = url.options.value(QStringLiteral("keyprefix"));
    c.defaultPrefixes = !url.options.contains(QStringLiteral("keyprefix"));
    const QString reqs = url.options.value(QStringLiteral("ssl_cert_reqs")).toLower();
    if (!reqs.isEmpty()) {
        if (!e.tls)
            return invalid(QStringLiteral("ssl_cert_reqs needs rediss://"));
        if (reqs == QLatin1String("none") || reqs == QLatin1String("cert_none") || reqs == QLatin1String("optional")
            || reqs == QLatin1String("cert_optional"))
            e.verifyPeer = false;
        else if (reqs != QLatin1String("required") && reqs != QLatin1String("cert_required"))
            return invalid(QStringLiteral("ssl_cert_reqs is \"%1\" (use required, optional or none)").arg(reqs));
    }
    e.caFile = url.options.value(QStringLiteral("ssl_ca_certs"));
    if (!e.caFile.isEmpty() && !e.tls)
        return invalid(QStringLiteral("ssl_ca_certs needs rediss://"));
    const QString timeout = url.options.value(QStringLiteral("timeout"));
    if (!timeout.isEmpty()) {
        bool ok = false;
        const double seconds = timeout.toDouble(&ok);
        if (!ok || seconds <= 0)
            return invalid(QStringLiteral("timeout is \"%1\" (seconds, e.g. 10)").arg(timeout));
        e.timeoutMs = int(qMin(seconds, 3600.0) * 1000);
    }
    return c;
}

RedisStore::RedisStore(RedisConfig config, StoreOptions options)
    : m_config(std::move(config)), m_options(std::move(options))
{
    m_config.scanCount = qMax(10, m_config.scanCount);
    m_info.layout = StoreInfo::Layout::Redis;
    m_info.engine = QStringLiteral("Redis");
    m_info.location = m_config.location;
    m_info.tableName = QStringLiteral("db %1").arg(m_config.endpoint.database);
    m_info.readOnly = m_options.readOnly;
}

RedisStore::~RedisStore()
{
    m_stopping.store(true);
    if (RedisConnection *c = m_loaderConn.load())
        c->interrupt();
    if (m_loader) {
        m_loader->wait();
        m_loader.reset();
    }
}

QStringList RedisStore::taskKeys(const QString &taskId) const
{
    QStringList prefixes{m_config.keyPrefix};
    if (readsDefaultPrefixes()) {
        QMutexLocker lock(&m_mutex);
        prefixes = m_prefixes.values();
        std::sort(prefixes.begin(), prefixes.end());
        if (prefixes.isEmpty())
            prefixes = QStringList{QString(), QStringLiteral(":1:")};
    }
    for (QString &p : prefixes)
        p += QLatin1String(CouchDocument::taskPrefix) + taskId;
    return prefixes;
}

QString RedisStore::prefixOf(const QString &key) const
{
    return readsDefaultPrefixes() ? RedisValue::defaultKeyPrefix(key) : m_config.keyPrefix;
}

Parsed RedisStore::parseKey(const QString &key, const QByteArray &value, CouchDocument::Detail detail) const
{
    return RedisValue::parse(key, value, prefixOf(key), detail);
}

StoreError RedisStore::ensureConnected()
{
    if (m_conn && m_conn->isConnected())
        return {};
    if (!m_conn)
        m_conn = std::make_unique<RedisConnection>(m_config.endpoint);
    m_conn->clearInterrupt();
    return m_conn->connect();
}

StoreError RedisStore::beginCall()
{
    m_interrupted.store(false);
    if (m_conn)
        m_conn->clearInterrupt();
    return ensureConnected();
}

StoreError RedisStore::beginCall(const TaskQuery &query)
{
    if (StoreError e = beginCall())
        return e;
    return query.searchError();
}

void RedisStore::interrupt()
{
    m_interrupted.store(true);
    if (m_conn)
        m_conn->interrupt();
    QMutexLocker lock(&m_mutex);
    m_changed.wakeAll();
}

StoreError RedisStore::open()
{
    if (StoreError e = beginCall())
        return e;
    const Outcome<QVector<RespValue>> hello = m_conn->pipeline({{"INFO", "server"}, {"INFO", "cluster"}, {"DBSIZE"}});
    if (!hello)
        return hello.error();
    const QByteArray server = hello->at(0).text;
    if (infoField(hello->at(1).text, "cluster_enabled") == QLatin1String("1"))
        return StoreError(Code::Unsupported, QStringLiteral("Redis at %1 is a Redis Cluster node, and Redis Cluster is not supported yet")
                                                 .arg(m_config.endpoint.where()));
    const QString version = infoField(server, "redis_version");
    m_serverVersion = version.isEmpty() ? QStringLiteral("Redis") : QStringLiteral("Redis %1").arg(version);
    // UNLINK frees memory in the background; Redis < 4 has only DEL.
    if (!version.isEmpty() && version.section(u'.', 0, 0).toInt() < 4)
        m_deleteCommand = "DEL";
    const qint64 dbSize = hello->at(2).type == RespValue::Type::Integer ? hello->at(2).integer : 0;

    {
        QMutexLocker lock(&m_mutex);
        m_loadFinished = false;
        m_loadError = StoreError();
    }
    m_loading.store(true);
    m_loader.reset(QThread::create([this] { load(); }));
    m_loader->setObjectName(QStringLiteral("RedisStore loader"));
    m_loader->start();

    QMutexLocker lock(&m_mutex);
    const StoreError waited = waitFor(lock, [this] {
        return m_loadFinished || (m_incremental && m_index.liveCount() > 0);
    });
    if (waited.isError() || m_loadError.isError()) {
        m_stopping.store(true);
        if (RedisConnection *c = m_loaderConn.load())
            c->interrupt();
        return waited.isError() ? waited : m_loadError;
    }
    if (m_loadFinished) {
        const qint64 celeryKeys = m_index.liveCount() + m_groups.size() + m_foreign.size();
        m_otherKeys = qMax<qint64>(0, dbSize - celeryKeys);
        if (celeryKeys == 0 && dbSize > 0)
            return StoreError(Code::NotCelery,
                              QStringLiteral("database %1 of Redis at %2 holds no Celery results (%3 other keys; no key "
                                             "starts with %4; ?keyprefix= names a global prefix)")
                                  .arg(m_config.endpoint.database)
                                  .arg(m_config.endpoint.where())
                                  .arg(dbSize)
                                  .arg(readsDefaultPrefixes()
                                           ? QStringLiteral("\"celery-task-meta-\" or Django's \":1:celery-task-meta-\"")
                                           : QStringLiteral("\"%1celery-task-meta-\"").arg(m_config.keyPrefix)));
    }
    updateInfo();
    return {};
}

void RedisStore::load()
{
    RedisConnection conn(m_config.endpoint);
    m_loaderConn.store(&conn);
    auto finish = [this, &conn](const StoreError &e) {
        m_loaderConn.store(nullptr);
        finishLoading(e);
        Q_UNUSED(conn)
    };
    if (m_stopping.load())
        return finish(cancelled());
    if (StoreError e = conn.connect())
        return finish(e);
    const QByteArray count = QByteArray::number(m_config.scanCount);
    for (const char *kind : {CouchDocument::taskPrefix, CouchDocument::groupPrefix}) {
        // Glob metacharacters in the prefix are escaped: the pattern matches it literally.
        // Without a prefix, any: prefixOf() keeps Celery's and Django's.
        QByteArray pattern = readsDefaultPrefixes() ? "*" : "";
        for (const char c : (m_config.keyPrefix + QLatin1String(kind)).toUtf8()) {
            if (c == '*' || c == '?' || c == '[' || c == ']' || c == '\\')
                pattern += '\\';
            pattern += c;
        }
        pattern += '*';
        Outcome<RespValue> scan = conn.call({"SCAN", "0", "MATCH", pattern, "COUNT", count});
        for (;;) {
            if (m_stopping.load())
                return finish(cancelled());
            if (!scan)
                return finish(scan.error());
            if (scan->isError())
                return finish(RedisConnection::errorFor(*scan, m_config.endpoint));
            if (scan->type != RespValue::Type::Array || scan->items.size() != 2
                || scan->items.at(1).type != RespValue::Type::Array)
                return finish(StoreError(Code::QueryFailed, QStringLiteral("Redis at %1 answered SCAN with something else than a cursor and keys")
                                                                .arg(m_config.endpoint.where())));
            const QByteArray cursor = scan->items.at(0).text;
            QStringList keys;
            for (const RespValue &k : scan->items.at(1).items)
                keys.append(QString::fromUtf8(k.text));
            const bool more = cursor != "0";
            // The values of this batch and the next SCAN in one round trip.
            QVector<QList<QByteArray>> commands;
            if (!keys.isEmpty())
                commands.append(withKeys({"MGET"}, keys));
            if (more)
                commands.append({"SCAN", cursor, "MATCH", pattern, "COUNT", count});
            if (commands.isEmpty())
                break;
            const Outcome<QVector<RespValue>> replies = conn.pipeline(commands);
            if (!replies)
                return finish(replies.error());
            if (!keys.isEmpty()) {
                const RespValue &values = replies->at(0);
                if (values.isError())
                    return finish(RedisConnection::errorFor(values, m_config.endpoint));
                applyBatch(keys, values.items);
            }
            if (!more)
                break;
            scan = replies->constLast();
        }
    }
    finish({});
}

void RedisStore::applyBatch(const QStringList &keys, const QVector<RespValue> &values)
{
    // Decode outside the lock; the calling thread keeps answering meanwhile.
    QVector<Parsed> parsed;
    QVector<RedisValue::Encoding> encodings;
    QSet<QString> prefixes;
    parsed.reserve(keys.size());
    for (qsizetype i = 0; i < keys.size() && i < values.size(); ++i) {
        if (values.at(i).type != RespValue::Type::Bulk)
            continue; // expired or deleted since SCAN, or not a string
        const QString prefix = prefixOf(keys.at(i));
        if (prefix.isNull())
            continue; // another global prefix's key ("*celery-task-meta-*" matched it)
        encodings.append(RedisValue::sniff(values.at(i).text));
        parsed.append(RedisValue::parse(keys.at(i), values.at(i).text, prefix, CouchDocument::Detail::Index));
        if (parsed.constLast().kind != Parsed::Kind::Foreign)
            prefixes.insert(prefix);
    }
    QMutexLocker lock(&m_mutex);
    for (const Parsed &p : std::as_const(parsed))
        applyParsed(p);
    m_prefixes.unite(prefixes);
    for (RedisValue::Encoding e : std::as_const(encodings))
        ++m_encodings[e];
    m_loadedKeys.store(m_index.liveCount());
    if (m_incremental)
        updateInfo();
    m_changed.wakeAll();
}

void RedisStore::applyParsed(const Parsed &p)
{
    switch (p.kind) {
    case Parsed::Kind::Task:
        m_index.upsert(p.docId, QString(), p.task);
        m_groups.remove(p.docId);
        m_foreign.remove(p.docId);
        break;
    case Parsed::Kind::Group:
        m_index.remove(p.docId);
        m_groups.insert(p.docId, p.groupDateDone);
        m_foreign.remove(p.docId);
        break;
    case Parsed::Kind::Foreign:
        m_index.remove(p.docId);
        m_groups.remove(p.docId);
        m_foreign.insert(p.docId, p.reason);
        break;
    }
}

void RedisStore::applyGone(const QString &key)
{
    m_index.remove(key);
    m_groups.remove(key);
    m_foreign.remove(key);
    m_undeletable.remove(key);
}

void RedisStore::finishLoading(const StoreError &error)
{
    QMutexLocker lock(&m_mutex);
    m_loadError = error;
    m_loadFinished = true;
    m_loadedKeys.store(m_index.liveCount());
    updateInfo();
    m_loading.store(false);
    m_changed.wakeAll();
}

template<typename Done>
StoreError RedisStore::waitFor(QMutexLocker<QMutex> &lock, Done done)
{
    Q_UNUSED(lock)
    while (!done()) {
        if (m_interrupted.load())
            return cancelled();
        m_changed.wait(&m_mutex, 500);
    }
    return {};
}

StoreError RedisStore::waitForLoad()
{
    QMutexLocker lock(&m_mutex);
    if (StoreError e = waitFor(lock, [this] { return m_loadFinished; }))
        return e;
    return m_loadError;
}

StoreError RedisStore::waitUntilLoaded()
{
    m_interrupted.store(false);
    return waitForLoad();
}

StoreInfo RedisStore::info() const
{
    QMutexLocker lock(&m_mutex);
    return m_info;
}

QMap<QString, QString> RedisStore::foreignKeys() const
{
    QMutexLocker lock(&m_mutex);
    return m_foreign;
}

void RedisStore::updateInfo()
{
    m_info.fields = keyValueMetaFields(m_index);
    m_info.hasGroups = !m_groups.isEmpty();
    QStringList encodings;
    for (auto it = m_encodings.cbegin(); it != m_encodings.cend(); ++it)
        encodings.append(RedisValue::encodingName(it.key()));
    // Which keys: the status bar says whose (Celery's RedisBackend, Django's cache) and under which prefix.
    QStringList prefixes{m_config.keyPrefix};
    if (readsDefaultPrefixes() && !m_prefixes.isEmpty()) {
        prefixes = m_prefixes.values();
        std::sort(prefixes.begin(), prefixes.end());
    }
    QStringList kinds;
    for (const QString &p : std::as_const(prefixes)) {
        if (RedisValue::isDjangoCachePrefix(p))
            kinds.append(QStringLiteral("django-celery-results CacheBackend keys (Django's cache) under \"%1\"").arg(p));
        else
            kinds.append(QStringLiteral("Celery RedisBackend keys") + (p.isEmpty() ? QString() : QStringLiteral(" under \"%1\"").arg(p)));
    }
    m_info.schema = QStringLiteral("%1 (%2%3)")
                        .arg(kinds.join(QStringLiteral(" and ")),
                             m_serverVersion,
                             encodings.isEmpty() ? QString() : QStringLiteral("; values: ") + encodings.join(QStringLiteral(", ")));
    QStringList notes;
    if (!m_foreign.isEmpty()) {
        QStringList examples;
        for (auto it = m_foreign.cbegin(); it != m_foreign.cend() && examples.size() < 5; ++it)
            examples.append(QStringLiteral("%1 (%2)").arg(it.key(), it.value()));
        QString sentence = m_foreign.size() == 1
            ? QStringLiteral("1 key is not a Celery result: %1").arg(examples.constFirst())
            : QStringLiteral("%1 keys are not Celery results: %2").arg(m_foreign.size()).arg(examples.join(QStringLiteral(", ")));
        if (m_foreign.size() > examples.size())
            sentence += QStringLiteral(" and %1 more").arg(m_foreign.size() - examples.size());
        notes.append(sentence + QStringLiteral(". They are never deleted."));
    }
    if (m_encodings.contains(RedisValue::Encoding::Pickle))
        notes.append(QStringLiteral("Pickled values are read without running them and shown as the JSON serializer would write them."));
    if (m_index.liveCount() > 0 && !m_index.anyExtended())
        notes.append(QStringLiteral("task_name, args, kwargs and worker are in no result: the Celery app runs without result_extended."));
    m_info.note = notes.join(QLatin1Char(' '));
}

Outcome<qint64> RedisStore::count(const TaskQuery &query)
{
    if (StoreError e = beginCall(query))
        return e;
    QMutexLocker lock(&m_mutex);
    if (m_loadError.isError())
        return m_loadError;
    return m_selection.count(m_index, query);
}

Outcome<Facets> RedisStore::facets(const TaskQuery &query)
{
    if (StoreError e = beginCall(query))
        return e;
    QMutexLocker lock(&m_mutex);
    if (m_loadError.isError())
        return m_loadError;
    return m_index.facets(query);
}

Outcome<StatusHistory> RedisStore::statusHistory(const TaskQuery &query, TimeBucket bucket)
{
    if (StoreError e = beginCall(query))
        return e;
    QMutexLocker lock(&m_mutex);
    if (m_loadError.isError())
        return m_loadError;
    return m_index.statusHistory(query, bucket);
}

Outcome<FailureTable> RedisStore::failures(const TaskQuery &query)
{
    if (StoreError e = beginCall(query))
        return e;
    QMutexLocker lock(&m_mutex);
    if (m_loadError.isError())
        return m_loadError;
    return m_index.failures(query);
}

Outcome<QVector<TaskResult>> RedisStore::fetchPage(const TaskQuery &query, qint64 offset, int limit, RowDetail detail)
{
    if (StoreError e = beginCall(query))
        return e;
    QMutexLocker lock(&m_mutex);
    const QVector<qint64> picked = m_selection.page(m_index, query, offset, limit);
    QVector<TaskResult> rows;
    rows.reserve(picked.size());
    if (detail == RowDetail::Summary) {
        for (qint64 slot : picked)
            rows.append(m_index.summaryRow(slot));
        return rows;
    }
    // Full rows: the values again, in one MGET per page.
    QStringList keys;
    QVector<qint64> rowIds;
    for (qint64 slot : picked) {
        keys.append(m_index.docId(slot));
        rowIds.append(m_index.rowIdOf(slot));
    }
    lock.unlock();
    if (keys.isEmpty())
        return rows;
    QVector<QList<QByteArray>> commands{withKeys({"MGET"}, keys)};
    for (const QString &k : std::as_const(keys))
        commands.append({"PTTL", k.toUtf8()});
    const QDateTime now = QDateTime::currentDateTimeUtc();
    const Outcome<QVector<RespValue>> replies = m_conn->pipeline(commands);
    if (!replies)
        return replies.error();
    const RespValue *values = &replies->at(0);
    if (values->isError())
        return RedisConnection::errorFor(*values, m_config.endpoint);
    for (qsizetype i = 0; i < keys.size() && i < values->items.size(); ++i) {
        if (values->items.at(i).type != RespValue::Type::Bulk)
            continue; // gone meanwhile
        const Parsed p = parseKey(keys.at(i), values->items.at(i).text);
        if (p.kind != Parsed::Kind::Task)
            continue;
        TaskResult t = p.task;
        t.rowId = rowIds.at(i);
        t.expires = expiresAt(replies->at(i + 1), now);
        rows.append(t);
    }
    return rows;
}

Outcome<TaskResult> RedisStore::fetchKey(const QString &key)
{
    const QDateTime now = QDateTime::currentDateTimeUtc();
    const Outcome<QVector<RespValue>> replies = m_conn->pipeline({{"GET", key.toUtf8()}, {"PTTL", key.toUtf8()}});
    if (!replies)
        return replies.error();
    const RespValue *value = &replies->at(0);
    if (value->isError()) {
        if (value->text.startsWith("WRONGTYPE"))
            return StoreError(Code::NotFound, QStringLiteral("key '%1' in database %2 of Redis at %3 is not a string, so not a Celery result")
                                                  .arg(key).arg(m_config.endpoint.database).arg(m_config.endpoint.where()));
        return RedisConnection::errorFor(*value, m_config.endpoint);
    }
    if (value->isNil()) {
        QMutexLocker lock(&m_mutex);
        applyGone(key);
        return StoreError(Code::NotFound, QStringLiteral("key '%1' does not exist in database %2 of Redis at %3 (expired or deleted)")
                                              .arg(key)
                                              .arg(m_config.endpoint.database)
                                              .arg(m_config.endpoint.where()));
    }
    const Parsed p = parseKey(key, value->text);
    QMutexLocker lock(&m_mutex);
    applyParsed(p);
    if (p.kind != Parsed::Kind::Task)
        return StoreError(Code::NotFound, QStringLiteral("key '%1' is not a Celery result: %2")
                                              .arg(key, p.kind == Parsed::Kind::Group ? QStringLiteral("a saved group") : p.reason));
    TaskResult t = p.task;
    t.rowId = m_index.rowIdOf(m_index.slotOf(key));
    t.expires = expiresAt(replies->at(1), now);
    return t;
}

Outcome<TaskResult> RedisStore::fetchOne(qint64 rowId)
{
    if (StoreError e = beginCall())
        return e;
    QString key;
    {
        QMutexLocker lock(&m_mutex);
        key = m_index.docId(m_index.slotOfRow(rowId));
    }
    if (key.isNull())
        return StoreError(Code::NotFound, QStringLiteral("row %1 is no longer in database %2 of Redis at %3")
                                              .arg(rowId)
                                              .arg(m_config.endpoint.database)
                                              .arg(m_config.endpoint.where()));
    return fetchKey(key);
}

Outcome<TaskResult> RedisStore::fetchByTaskId(const QString &taskId)
{
    if (StoreError e = beginCall())
        return e;
    // Under each prefix the id may have; the first key's answer when none holds it.
    const QStringList keys = taskKeys(taskId);
    Outcome<TaskResult> first = fetchKey(keys.constFirst());
    for (qsizetype i = 1; i < keys.size() && !first && first.error().code == Code::NotFound; ++i) {
        Outcome<TaskResult> other = fetchKey(keys.at(i));
        if (other || other.error().code != Code::NotFound)
            return other;
    }
    return first;
}

Outcome<PurgePreview> RedisStore::previewPurge(const PurgeCriteria &criteria)
{
    if (StoreError e = beginCall())
        return e;
    if (StoreError e = waitForLoad())
        return e;
    QMutexLocker lock(&m_mutex);
    PurgePreview preview;
    for (qint64 slot : m_index.expired(criteria)) {
        if (m_undeletable.contains(m_index.docId(slot)))
            continue;
        ++preview.total;
        ++preview.byStatus[m_index.status(slot)];
    }
    if (criteria.includesGroups()) {
        for (auto it = m_groups.cbegin(); it != m_groups.cend(); ++it)
            preview.groups += criteria.matchesGroup(it.value()) && !m_undeletable.contains(it.key()) ? 1 : 0;
    }
    return preview;
}

Outcome<qint64> RedisStore::deleteKeys(const QStringList &keys, const std::function<bool(const Parsed &)> &stillDeletable)
{
    // Optimistic locking, Redis' own way: WATCH the keys, read them, decide, then delete in
    // MULTI/EXEC, which does nothing if any watched key changed meanwhile (EXEC answers nil).
    for (int attempt = 0; attempt < 5; ++attempt) {
        if (m_interrupted.load())
            return cancelled();
        const Outcome<QVector<RespValue>> read = m_conn->pipeline({withKeys({"WATCH"}, keys), withKeys({"MGET"}, keys)});
        if (!read)
            return read.error();
        if (read->at(0).isError())
            return RedisConnection::errorFor(read->at(0), m_config.endpoint);
        if (read->at(1).isError())
            return RedisConnection::errorFor(read->at(1), m_config.endpoint);
        QStringList doomed;
        {
            QMutexLocker lock(&m_mutex);
            const QVector<RespValue> &values = read->at(1).items;
            for (qsizetype i = 0; i < keys.size() && i < values.size(); ++i) {
                if (values.at(i).type != RespValue::Type::Bulk) {
                    applyGone(keys.at(i)); // gone already: not ours to count
                    continue;
                }
                const Parsed p = parseKey(keys.at(i), values.at(i).text);
                applyParsed(p);
                if (stillDeletable(p))
                    doomed.append(keys.at(i));
            }
        }
        if (doomed.isEmpty()) {
            const Outcome<RespValue> unwatch = m_conn->call({"UNWATCH"});
            if (!unwatch)
                return unwatch.error();
            return qint64(0);
        }
        const Outcome<QVector<RespValue>> done = m_conn->pipeline({{"MULTI"}, withKeys({m_deleteCommand}, doomed), {"EXEC"}});
        if (!done)
            return done.error();
        const RespValue &exec = done->constLast();
        if (exec.isNil())
            continue; // a key changed between reading and deleting: read and decide again
        if (exec.isError() || exec.items.isEmpty() || exec.items.at(0).isError())
            return RedisConnection::errorFor(exec.isError() ? exec : (exec.items.isEmpty() ? done->at(1) : exec.items.at(0)),
                                             m_config.endpoint);
        QMutexLocker lock(&m_mutex);
        for (const QString &k : std::as_const(doomed))
            applyGone(k);
        return exec.items.at(0).integer;
    }
    // Keys rewritten under every attempt (a worker updating them right now): leave them.
    QMutexLocker lock(&m_mutex);
    for (const QString &k : keys)
        m_undeletable.insert(k);
    return qint64(0);
}

Outcome<DeleteBatch> RedisStore::purgeBatch(const PurgeCriteria &criteria, int batchSize)
{
    if (StoreError e = beginCall())
        return e;
    if (m_options.readOnly)
        return StoreError(Code::PermissionDenied, QStringLiteral("%1 is opened read-only").arg(m_info.location));
    if (!criteria.cutoff.isValid())
        return StoreError(Code::QueryFailed, QStringLiteral("a purge needs a cutoff date"));
    if (StoreError e = waitForLoad())
        return e;

    auto pendingTasks = [&](int limit) {
        QMutexLocker lock(&m_mutex);
        QStringList keys;
        for (qint64 slot : m_index.expired(criteria)) {
            const QString key = m_index.docId(slot);
            if (m_undeletable.contains(key))
                continue;
            if (keys.size() >= limit)
                break;
            keys.append(key);
        }
        return keys;
    };
    auto pendingGroups = [&](int limit) {
        QMutexLocker lock(&m_mutex);
        QStringList keys;
        if (!criteria.includesGroups())
            return keys;
        for (auto it = m_groups.cbegin(); it != m_groups.cend() && keys.size() < limit; ++it) {
            if (criteria.matchesGroup(it.value()) && !m_undeletable.contains(it.key()))
                keys.append(it.key());
        }
        return keys;
    };

    Outcome<DeleteBatch> batch = purgeIndexBatch(
        batchSize, [&](bool groups, int limit) { return groups ? pendingGroups(limit) : pendingTasks(limit); },
        [&](bool groups, const QStringList &keys) {
            return deleteKeys(keys, [&criteria, groups](const Parsed &p) {
                return groups ? p.kind == Parsed::Kind::Group && criteria.matchesGroup(p.groupDateDone)
                              : p.kind == Parsed::Kind::Task && criteria.matches(p.task);
            });
        });
    if (!batch)
        return batch;
    if (m_interrupted.load())
        return cancelled();
    QMutexLocker lock(&m_mutex);
    updateInfo();
    return batch;
}

Outcome<DeleteBatch> RedisStore::deleteRows(const QVector<qint64> &rowIds)
{
    if (StoreError e = beginCall())
        return e;
    if (m_options.readOnly)
        return StoreError(Code::PermissionDenied, QStringLiteral("%1 is opened read-only").arg(m_info.location));
    QStringList keys;
    {
        QMutexLocker lock(&m_mutex);
        keys = indexKeysOfRows(m_index, rowIds);
    }
    Outcome<DeleteBatch> batch = deleteSelectedKeys(keys, [this](const QStringList &selected) {
        return deleteKeys(selected, [](const Parsed &p) { return p.kind == Parsed::Kind::Task; });
    });
    QMutexLocker lock(&m_mutex);
    updateInfo();
    return batch;
}

Outcome<StoreFactory> makeRedisStoreFactory(const StoreUrl &url, const StoreOptions &options)
{
    const Outcome<RedisConfig> config = RedisConfig::fromUrl(url);
    if (!config)
        return config.error();
    return StoreFactory([c = *config, options]() -> std::unique_ptr<ResultStore> {
        return std::make_unique<RedisStore>(c, options);
    });
}
