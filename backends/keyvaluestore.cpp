#include "keyvaluestore.h"

#include <algorithm>

#include <QElapsedTimer>
#include <QThread>

#include "freedmemory.h"
#include "indexpurge.h"
#include "interruptwake.h"
#include "orderedpipeline.h"
#include "stalklog.h"
#include "storeurl.h"

using Code = StoreError::Code;
using Parsed = CouchDocument::Parsed;

KeyPrefixConfig KeyPrefixConfig::fromUrl(const StoreUrl &url)
{
    KeyPrefixConfig c;
    c.location = url.displayString();
    c.defaultPrefixes = !url.options.contains(QStringLiteral("keyprefix"));
    // An empty ?keyprefix= is Celery's keys without a prefix: an empty, never a null, prefix
    // (a null one is prefixOf()'s "not read").
    c.keyPrefix = c.defaultPrefixes ? QString() : url.options.value(QStringLiteral("keyprefix")) + QLatin1String("");
    return c;
}

KeyValueStore::KeyValueStore(KeyPrefixConfig config, StoreOptions options)
    : m_config(std::move(config)), m_options(std::move(options))
{
    m_info.location = m_config.location;
    m_info.readOnly = m_options.readOnly;
}

KeyValueStore::~KeyValueStore()
{
    stopLoader();
}

void KeyValueStore::stopLoader()
{
    m_stopping.store(true);
    if (KeyValueConnection *c = m_loaderConn.load())
        c->interrupt();
    if (m_loader) {
        m_loader->wait();
        m_loader.reset();
    }
    if (m_feed)
        m_feed->interrupt();
    if (KeyValueConnection *c = m_liveConn.load())
        c->interrupt();
    if (m_liveThread) {
        m_liveThread->wait();
        m_liveThread.reset();
    }
    m_feed.reset();
}

void KeyValueStore::setReadOnly(const QString &why)
{
    m_options.readOnly = true;
    addStoreNote(why);
    QMutexLocker lock(&m_mutex);
    m_info.readOnly = true;
}

void KeyValueStore::addStoreNote(const QString &sentence)
{
    QMutexLocker lock(&m_mutex);
    m_storeNotes.append(sentence);
}

StoreError KeyValueStore::cancelled()
{
    return StoreError(Code::Cancelled, QStringLiteral("cancelled"));
}

QStringList KeyValueStore::keyPrefixesLocked() const
{
    if (!readsDefaultPrefixes())
        return QStringList{m_config.keyPrefix};
    QStringList prefixes = m_prefixes.values();
    std::sort(prefixes.begin(), prefixes.end());
    if (prefixes.isEmpty())
        prefixes = QStringList{QString(), QStringLiteral(":1:")};
    return prefixes;
}

QStringList KeyValueStore::taskKeys(const QString &taskId) const
{
    QStringList prefixes;
    {
        QMutexLocker lock(&m_mutex);
        prefixes = keyPrefixesLocked();
    }
    for (QString &p : prefixes)
        p += QLatin1String(CouchDocument::taskPrefix) + taskId;
    return prefixes;
}

QString KeyValueStore::prefixOf(const QString &key) const
{
    return readsDefaultPrefixes() ? RedisValue::defaultKeyPrefix(key) : m_config.keyPrefix;
}

Parsed KeyValueStore::parseKey(const QString &key, const KeyValue &value, CouchDocument::Detail detail) const
{
    if (!value.foreign.isEmpty()) {
        Parsed p;
        p.docId = key;
        p.kind = Parsed::Kind::Foreign;
        p.reason = value.foreign;
        return p;
    }
    Parsed p = RedisValue::parse(key, value.value, prefixOf(key), detail);
    if (p.kind == Parsed::Kind::Task)
        p.task.expires = value.expires; // a purge's cache-expiry rule reads it from the index
    return p;
}

StoreError KeyValueStore::ensureConnected()
{
    if (m_conn && m_conn->isConnected())
        return {};
    if (!m_conn)
        m_conn = makeConnection();
    m_conn->clearInterrupt();
    return m_conn->connect();
}

StoreError KeyValueStore::beginCall()
{
    m_interrupted.store(false);
    if (m_conn)
        m_conn->clearInterrupt();
    return ensureConnected();
}

StoreError KeyValueStore::beginCall(const TaskQuery &query)
{
    if (StoreError e = beginCall())
        return e;
    return query.searchError();
}

void KeyValueStore::interrupt()
{
    m_interrupted.store(true);
    if (m_conn)
        m_conn->interrupt();
    wakeAfterInterrupt(m_mutex, m_changed);
}

StoreError KeyValueStore::open()
{
    if (StoreError e = beginCall())
        return e;
    QString version;
    qint64 keyCount = -1;
    if (StoreError e = hello(*m_conn, &version, &keyCount))
        return e;
    {
        QMutexLocker lock(&m_mutex);
        m_serverVersion = version;
        m_loadFinished = false;
        m_loadError = StoreError();
    }
    if (StoreError e = startFeed())
        return e;
    m_loading.store(true);
    m_loader.reset(QThread::create([this] { load(); }));
    m_loader->setObjectName(QStringLiteral("%1 loader").arg(m_info.engine));
    m_loader->start();

    QMutexLocker lock(&m_mutex);
    const StoreError waited = waitFor(lock, [this] {
        return m_loadFinished || (m_incremental && m_index.liveCount() > 0);
    });
    if (waited.isError() || m_loadError.isError()) {
        m_stopping.store(true);
        if (KeyValueConnection *c = m_loaderConn.load())
            c->interrupt();
        return waited.isError() ? waited : m_loadError;
    }
    if (m_loadFinished) {
        const qint64 celeryKeys = m_index.liveCount() + m_groups.size() + m_foreign.size();
        if (celeryKeys == 0 && keyCount > 0)
            return StoreError(Code::NotCelery,
                              QStringLiteral("%1 holds no Celery results (%2 other keys; no key starts with %3; "
                                             "?keyprefix= names a global prefix)")
                                  .arg(where())
                                  .arg(keyCount)
                                  .arg(readsDefaultPrefixes()
                                           ? QStringLiteral("\"celery-task-meta-\" or Django's \":1:celery-task-meta-\"")
                                           : QStringLiteral("\"%1celery-task-meta-\"").arg(m_config.keyPrefix)));
    }
    updateInfo();
    return {};
}

StoreError KeyValueStore::startFeed()
{
    QString why;
    StoreError error;
    m_feed = makeChangeFeed(*m_conn, &why, &error);
    if (error.isError())
        return error;
    if (!m_follow)
        m_feed.reset(); // what the server offers is known (the note); nothing follows it
    QMutexLocker lock(&m_mutex);
    if (!m_feed) {
        m_live = Live::Off; // also after a lost feed, when the server no longer notifies
        if (!why.isEmpty())
            setLiveNote(why, false);
        return {};
    }
    m_liveNote = why; // said once subscribed
    // Subscribed before the loader lists the keys: a key written while it lists is named
    // by the feed and read again once the index is complete, so no change falls between.
    m_live = Live::Subscribing;
    m_liveThread.reset(QThread::create([this] { follow(); }));
    m_liveThread->setObjectName(QStringLiteral("%1 live updates").arg(m_info.engine));
    m_liveThread->start();
    return waitFor(lock, [this] { return m_live != Live::Subscribing; });
}

void KeyValueStore::setLiveNote(const QString &sentence, bool warn)
{
    m_liveNote = sentence;
    if (warn)
        qCWarning(lcRedis).noquote() << where() + QStringLiteral(":") << sentence;
    else
        qCInfo(lcRedis).noquote() << where() + QStringLiteral(":") << sentence;
    updateInfo();
}

bool KeyValueStore::isLive() const
{
    QMutexLocker lock(&m_mutex);
    return m_live == Live::On;
}

void KeyValueStore::follow()
{
    StoreError error = m_feed->subscribe();
    {
        QMutexLocker lock(&m_mutex);
        if (error.isError()) {
            m_live = Live::Lost;
            if (!m_stopping.load())
                setLiveNote(QStringLiteral("Re-scan on refresh: subscribing to keyspace notifications failed (%1)").arg(error.message), true);
        } else {
            m_live = Live::On;
            setLiveNote(m_liveNote, false);
        }
        m_changed.wakeAll();
    }
    if (error.isError()) {
        m_feed->close();
        return;
    }
    std::unique_ptr<KeyValueConnection> reader = makeConnection();
    m_liveConn.store(reader.get());
    // Changes are read in batches: once the feed is quiet for a moment (20 ms), 100 ms after
    // the first unread change, or at 1000 keys, whichever comes first; none before the index
    // is complete (the loader's values could be older than the feed's).
    QElapsedTimer pending;
    bool quiet = false;
    while (!m_stopping.load()) {
        bool loaded = false;
        qsizetype dirty = 0;
        {
            QMutexLocker lock(&m_mutex);
            loaded = m_loadFinished && !m_loadError.isError();
            dirty = m_dirty.size();
        }
        if (loaded && dirty > 0 && (quiet || dirty >= 1000 || (pending.isValid() && pending.elapsed() >= 100))) {
            if (!reader->isConnected()) {
                reader->clearInterrupt();
                error = reader->connect();
            }
            if (!error.isError())
                error = readDirty(*reader);
            if (error.isError())
                break;
            pending.invalidate();
            quiet = false;
            continue;
        }
        const Outcome<QStringList> keys = m_feed->next(loaded && dirty > 0 ? 20 : 200);
        if (!keys) {
            error = keys.error();
            break;
        }
        quiet = keys->isEmpty();
        if (!quiet) {
            markDirty(*keys);
            if (!pending.isValid())
                pending.start();
        }
    }
    m_liveConn.store(nullptr);
    m_feed->close();
    QMutexLocker lock(&m_mutex);
    m_live = Live::Lost;
    if (!m_stopping.load())
        setLiveNote(QStringLiteral("Re-scan on refresh: the keyspace notification connection was lost (%1)").arg(error.message), true);
}

void KeyValueStore::markDirty(const QStringList &keys)
{
    QMutexLocker lock(&m_mutex);
    for (const QString &key : keys) {
        const QString prefix = prefixOf(key);
        if (prefix.isNull() || !key.startsWith(prefix))
            continue;
        const QStringView kind = QStringView(key).mid(prefix.size());
        if (kind.startsWith(QLatin1String(CouchDocument::taskPrefix)) || kind.startsWith(QLatin1String(CouchDocument::groupPrefix)))
            m_dirty.insert(key);
    }
}

StoreError KeyValueStore::readDirty(KeyValueConnection &conn)
{
    QMutexLocker reading(&m_dirtyReading);
    QStringList keys;
    {
        QMutexLocker lock(&m_mutex);
        keys = m_dirty.values();
        m_dirty.clear();
    }
    if (keys.isEmpty())
        return {};
    if (StoreError e = readInto(conn, keys)) {
        QMutexLocker lock(&m_mutex);
        for (const QString &k : std::as_const(keys))
            m_dirty.insert(k); // read again by whoever reads next
        return e;
    }
    qCDebug(lcRedis).noquote() << where() + QStringLiteral(":") << keys.size() << "changed keys read";
    QMutexLocker lock(&m_mutex);
    m_loadedKeys.store(m_index.liveCount());
    updateInfo();
    return {};
}

void KeyValueStore::load()
{
    std::unique_ptr<KeyValueConnection> conn = makeConnection();
    m_loaderConn.store(conn.get());
    auto finish = [this](const StoreError &e) {
        m_loaderConn.store(nullptr);
        finishLoading(e);
    };
    if (m_stopping.load())
        return finish(cancelled());
    if (StoreError e = conn->connect())
        return finish(e);
    // Values are decoded on every core while the next batch is read, and applied in listing
    // order (a key listed twice keeps its later value).
    // One batch waits for each thread, not two: the peak memory of a million results' load is
    // ~8 MB less and the load no slower (a batch of the bench's metas is 1.2 MB of values,
    // more once decoded).
    const int threads = std::max(1, QThread::idealThreadCount());
    OrderedPipeline<DecodedBatch> decoding([this](DecodedBatch &&d) { applyDecoded(d); }, threads, threads + 1);
    bool first = true;
    const StoreError listed = listKeys(*conn, [this, &decoding, &first](const QStringList &keys, const QVector<KeyValue> &values) {
        decoding.submit([this, keys, values] { return decodeBatch(keys, values); });
        if (first) {
            decoding.finish(); // the first rows on screen now, not after the next round trip
            first = false;
        }
        return !m_stopping.load();
    });
    if (!m_stopping.load())
        decoding.finish();
    finish(m_stopping.load() ? cancelled() : listed);
    releaseFreedMemory(); // the values read and the batches decoded, on the index's pages
}

void KeyValueStore::applyBatch(const QStringList &keys, const QVector<KeyValue> &values)
{
    DecodedBatch d = decodeBatch(keys, values);
    applyDecoded(d);
}

KeyValueStore::DecodedBatch KeyValueStore::decodeBatch(const QStringList &keys, const QVector<KeyValue> &values) const
{
    DecodedBatch d;
    d.parsed.reserve(keys.size());
    for (qsizetype i = 0; i < keys.size() && i < values.size(); ++i) {
        if (!values.at(i).present) {
            d.gone.append(keys.at(i)); // expired or deleted since listed, or not a string
            continue;
        }
        if (!values.at(i).foreign.isEmpty()) {
            d.parsed.append(parseKey(keys.at(i), values.at(i))); // a file not tied to any Celery key
            continue;
        }
        const QString prefix = prefixOf(keys.at(i));
        if (prefix.isNull())
            continue; // another global prefix's key ("*celery-task-meta-*" matched it)
        d.encodings.append(RedisValue::sniff(values.at(i).value));
        d.parsed.append(parseKey(keys.at(i), values.at(i), CouchDocument::Detail::Index));
        if (d.parsed.constLast().kind != Parsed::Kind::Foreign)
            d.prefixes.insert(prefix);
    }
    for (Parsed &p : d.parsed) {
        if (p.kind == Parsed::Kind::Task) {
            d.entries.push_back(CouchIndex::entry(p.docId, QString(), p.task, indexedResultChars));
            p.task = TaskResult(); // freed here, not on the loader thread: its entry says it all
        }
    }
    return d;
}

void KeyValueStore::applyDecoded(DecodedBatch &d)
{
    QMutexLocker lock(&m_mutex);
    for (const QString &key : d.gone)
        applyGone(key);
    size_t task = 0;
    for (const Parsed &p : std::as_const(d.parsed))
        applyParsed(p, p.kind == Parsed::Kind::Task ? &d.entries[task++] : nullptr);
    m_prefixes.unite(d.prefixes);
    for (RedisValue::Encoding e : d.encodings)
        ++m_encodings[e];
    m_loadedKeys.store(m_index.liveCount());
    if (m_incremental)
        updateInfo();
    m_changed.wakeAll();
}

StoreError KeyValueStore::refresh()
{
    if (!listsKeyNames())
        return {};
    if (StoreError e = beginCall())
        return e;
    bool live = false, lost = false;
    {
        QMutexLocker lock(&m_mutex);
        if (!m_loadFinished)
            return {}; // the loader reads the current keys anyway
        if (m_loadError.isError())
            return m_loadError;
        live = m_live == Live::On;
        lost = m_live == Live::Lost;
    }
    if (lost) {
        // The subscriber's connection was lost (a restart, a CLIENT KILL, a network cut):
        // subscribe again, before the re-scan below, as open() does before the loader lists
        // the keys, so that a key written during the re-scan is named by the new feed.
        if (m_liveThread) {
            m_liveThread->wait();
            m_liveThread.reset();
        }
        m_feed.reset();
        if (StoreError e = startFeed())
            return e;
    }
    // The keys the feed named and the live thread has not read yet (also after the feed was
    // lost: a final result rewritten is read again only this way).
    if (StoreError e = readDirty(*m_conn))
        return e;
    if (live)
        return {};
    return rescan(*m_conn);
}

StoreError KeyValueStore::readInto(KeyValueConnection &conn, const QStringList &keys)
{
    constexpr qsizetype rescanBatch = 500;
    for (qsizetype at = 0; at < keys.size(); at += rescanBatch) {
        const QStringList batch = keys.mid(at, rescanBatch);
        const Outcome<QVector<KeyValue>> values = conn.read(batch, false);
        if (!values)
            return values.error();
        applyBatch(batch, *values);
    }
    return {};
}

StoreError KeyValueStore::rescan(KeyValueConnection &conn)
{
    // Which entries the listing saw: a bit per slot that existed when it began (slots are
    // never reused), and the group and foreign keys by name (few).
    qint64 slotsBefore = 0;
    QSet<QString> others;
    {
        QMutexLocker lock(&m_mutex);
        slotsBefore = m_index.slotCount();
        for (auto it = m_groups.entries().cbegin(); it != m_groups.entries().cend(); ++it)
            others.insert(it.key());
        for (auto it = m_foreign.cbegin(); it != m_foreign.cend(); ++it)
            others.insert(it.key());
    }
    std::vector<bool> seen(size_t(slotsBefore), false);
    QSet<QString> othersSeen;
    StoreError readError;
    const StoreError listed = listKeyNames(conn, [&](const QStringList &keys) {
        // New keys, and keys whose status a worker rewrites at its next change (STARTED ->
        // SUCCESS): their values are read; a final result's key is not rewritten by Celery.
        QStringList toRead;
        {
            QMutexLocker lock(&m_mutex);
            for (const QString &key : keys) {
                if (prefixOf(key).isNull())
                    continue; // another global prefix's key
                const qint64 slot = m_index.slotOf(key);
                if (slot >= 0) {
                    if (slot < slotsBefore)
                        seen[size_t(slot)] = true;
                    if (!TaskResult::isReadyState(m_index.status(slot)))
                        toRead.append(key);
                } else if (others.contains(key)) {
                    othersSeen.insert(key);
                } else {
                    toRead.append(key);
                }
            }
        }
        readError = readInto(conn, toRead);
        return !readError.isError() && !m_interrupted.load() && !m_stopping.load();
    });
    if (readError.isError())
        return readError;
    if (listed.isError())
        return listed;
    if (m_interrupted.load())
        return cancelled();
    // Entries the listing did not see: read again, so only keys really gone leave the index
    // (a listing may miss a key: memcached's dump one moved meanwhile).
    QStringList unseen;
    {
        QMutexLocker lock(&m_mutex);
        for (qint64 slot = 0; slot < slotsBefore; ++slot) {
            if (!seen[size_t(slot)] && m_index.isLive(slot))
                unseen.append(m_index.docId(slot));
        }
        for (const QString &key : std::as_const(others)) {
            if (!othersSeen.contains(key) && (m_groups.contains(key) || m_foreign.contains(key)))
                unseen.append(key);
        }
    }
    if (StoreError e = readInto(conn, unseen))
        return e;
    QMutexLocker lock(&m_mutex);
    m_loadedKeys.store(m_index.liveCount());
    updateInfo();
    return {};
}

void KeyValueStore::applyParsed(const Parsed &p, CouchIndex::Entry *entry)
{
    switch (p.kind) {
    case Parsed::Kind::Task:
        if (entry)
            m_index.upsert(std::move(*entry));
        else
            m_index.upsert(p.docId, QString(), p.task);
        m_groups.remove(p.docId);
        m_foreign.remove(p.docId);
        break;
    case Parsed::Kind::Group:
        m_index.remove(p.docId);
        m_groups.insert(p);
        m_foreign.remove(p.docId);
        break;
    case Parsed::Kind::Foreign:
        m_index.remove(p.docId);
        m_groups.remove(p.docId);
        m_foreign.insert(p.docId, p.reason);
        break;
    }
}

void KeyValueStore::applyGone(const QString &key)
{
    m_index.remove(key);
    m_groups.remove(key);
    m_foreign.remove(key);
    m_undeletable.remove(key);
}

void KeyValueStore::finishLoading(const StoreError &error)
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
StoreError KeyValueStore::waitFor(QMutexLocker<QMutex> &lock, Done done)
{
    Q_UNUSED(lock)
    while (!done()) {
        if (m_interrupted.load())
            return cancelled();
        m_changed.wait(&m_mutex, 500);
    }
    return {};
}

StoreError KeyValueStore::waitForLoad()
{
    QMutexLocker lock(&m_mutex);
    if (StoreError e = waitFor(lock, [this] { return m_loadFinished; }))
        return e;
    return m_loadError;
}

StoreError KeyValueStore::waitUntilLoaded()
{
    m_interrupted.store(false);
    return waitForLoad();
}

StoreInfo KeyValueStore::info() const
{
    QMutexLocker lock(&m_mutex);
    return m_info;
}

QMap<QString, QString> KeyValueStore::foreignKeys() const
{
    QMutexLocker lock(&m_mutex);
    return m_foreign;
}

void KeyValueStore::updateInfo()
{
    m_info.fields = keyValueMetaFields(m_index);
    m_info.hasGroups = !m_groups.isEmpty();
    QStringList encodings;
    for (auto it = m_encodings.cbegin(); it != m_encodings.cend(); ++it)
        encodings.append(RedisValue::encodingName(it.key()));
    // Which keys: the status bar says whose (Celery's backend, Django's cache) and under which prefix.
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
            kinds.append(celeryKeysName() + (p.isEmpty() ? QString() : QStringLiteral(" under \"%1\"").arg(p)));
    }
    m_info.schema = QStringLiteral("%1 (%2%3)")
                        .arg(kinds.join(QStringLiteral(" and ")),
                             m_serverVersion,
                             encodings.isEmpty() ? QString() : QStringLiteral("; values: ") + encodings.join(QStringLiteral(", ")));
    QStringList notes;
    for (const QString &n : std::as_const(m_storeNotes))
        notes.append(n + u'.');
    if (!m_foreign.isEmpty()) {
        QStringList examples;
        for (auto it = m_foreign.cbegin(); it != m_foreign.cend() && examples.size() < 5; ++it)
            examples.append(QStringLiteral("%1 (%2)").arg(it.key(), it.value()));
        QString sentence = m_foreign.size() == 1
            ? QStringLiteral("1 %1 is not a Celery result: %2").arg(entryWord(), examples.constFirst())
            : QStringLiteral("%1 %2s are not Celery results: %3").arg(m_foreign.size()).arg(entryWord(), examples.join(QStringLiteral(", ")));
        if (m_foreign.size() > examples.size())
            sentence += QStringLiteral(" and %1 more").arg(m_foreign.size() - examples.size());
        notes.append(sentence + QStringLiteral(". They are never deleted."));
    }
    if (m_encodings.contains(RedisValue::Encoding::Pickle))
        notes.append(QStringLiteral("Pickled values are read without running them and shown as the JSON serializer would write them."));
    if (m_index.liveCount() > 0 && !m_index.anyExtended())
        notes.append(QStringLiteral("task_name, args, kwargs and worker are in no result: the Celery app runs without result_extended."));
    // How refresh works comes last: what the data holds matters more.
    if (!m_liveNote.isEmpty())
        notes.append(m_liveNote + u'.');
    m_info.note = notes.join(QLatin1Char(' '));
}

template<typename T, typename Answer>
Outcome<T> KeyValueStore::fromIndex(const TaskQuery &query, Answer answer)
{
    if (StoreError e = beginCall(query))
        return e;
    QMutexLocker lock(&m_mutex);
    if (m_loadError.isError())
        return m_loadError;
    return answer();
}

Outcome<qint64> KeyValueStore::count(const TaskQuery &query)
{
    return fromIndex<qint64>(query, [&] { return m_selection.count(m_index, query); });
}

Outcome<Facets> KeyValueStore::facets(const TaskQuery &query)
{
    return fromIndex<Facets>(query, [&] { return m_index.facets(query); });
}

Outcome<StatusHistory> KeyValueStore::statusHistory(const TaskQuery &query, TimeBucket bucket)
{
    return fromIndex<StatusHistory>(query, [&] { return m_index.statusHistory(query, bucket); });
}

Outcome<FailureTable> KeyValueStore::failures(const TaskQuery &query)
{
    return fromIndex<FailureTable>(query, [&] { return m_index.failures(query); });
}

Outcome<QVector<TaskGroup>> KeyValueStore::groups(const TaskQuery &query, int limit)
{
    if (StoreError e = beginCall())
        return e;
    QMutexLocker lock(&m_mutex);
    if (m_loadError.isError())
        return m_loadError;
    return m_groups.groups(query, limit);
}

Outcome<QVector<TaskGroup>> KeyValueStore::groupsOf(const QString &taskId)
{
    if (StoreError e = beginCall())
        return e;
    QMutexLocker lock(&m_mutex);
    if (m_loadError.isError())
        return m_loadError;
    return m_groups.groupsOf(taskId);
}

Outcome<QVector<TaskResult>> KeyValueStore::fetchByTaskIds(const QStringList &taskIds)
{
    if (StoreError e = beginCall())
        return e;
    QMutexLocker lock(&m_mutex);
    if (m_loadError.isError())
        return m_loadError;
    return summaryRows(lock, indexSlotsByTaskIds(m_index, keyPrefixesLocked(), taskIds));
}

Outcome<QVector<TaskResult>> KeyValueStore::fetchPage(const TaskQuery &query, qint64 offset, int limit, RowDetail detail)
{
    if (StoreError e = beginCall(query))
        return e;
    QMutexLocker lock(&m_mutex);
    const QVector<qint64> picked = m_selection.page(m_index, query, offset, limit);
    if (detail == RowDetail::Summary)
        return summaryRows(lock, picked);
    QVector<TaskResult> rows;
    rows.reserve(picked.size());
    // Full rows: the values again, in one round trip per page.
    QStringList keys;
    QVector<qint64> rowIds;
    for (qint64 slot : picked) {
        keys.append(m_index.docId(slot));
        rowIds.append(m_index.rowIdOf(slot));
    }
    lock.unlock();
    const StoreError e = readTasks(keys, true, CouchDocument::Detail::Full,
                                   [&rows, &rowIds](qsizetype i, const TaskResult &task, const KeyValue &value) {
                                       TaskResult t = task;
                                       t.rowId = rowIds.at(i);
                                       t.expires = value.expires;
                                       rows.append(t);
                                   });
    if (e)
        return e;
    return rows;
}

StoreError KeyValueStore::readTasks(const QStringList &keys, bool withExpiry, CouchDocument::Detail detail,
                                    const std::function<void(qsizetype, const TaskResult &, const KeyValue &)> &each)
{
    if (keys.isEmpty())
        return {};
    const Outcome<QVector<KeyValue>> values = m_conn->read(keys, withExpiry);
    if (!values)
        return values.error();
    for (qsizetype i = 0; i < keys.size() && i < values->size(); ++i) {
        if (!values->at(i).present)
            continue; // gone meanwhile: the index drops it when it reads it
        const Parsed p = parseKey(keys.at(i), values->at(i), detail);
        if (p.kind == Parsed::Kind::Task)
            each(i, p.task, values->at(i));
    }
    return {};
}

Outcome<QVector<TaskResult>> KeyValueStore::summaryRows(QMutexLocker<QMutex> &lock, const QVector<qint64> &picked)
{
    QVector<TaskResult> rows;
    rows.reserve(picked.size());
    QStringList keys;
    QVector<qsizetype> cut; // the rows of keys
    for (qint64 slot : picked) {
        if (m_index.needsResultPreview(slot)) {
            keys.append(m_index.docId(slot));
            cut.append(rows.size());
        }
        rows.append(m_index.summaryRow(slot));
    }
    lock.unlock();
    const StoreError e = readTasks(keys, false, CouchDocument::Detail::Index,
                                   [&rows, &cut](qsizetype i, const TaskResult &task, const KeyValue &) {
                                       // The value as it is now, unless it was rewritten with another status
                                       // since it was indexed: a preview must not contradict the row's status.
                                       TaskResult &row = rows[cut.at(i)];
                                       if (task.status == row.status)
                                           row.result = task.result.left(previewChars);
                                   });
    if (e)
        return e;
    return rows;
}

Outcome<TaskResult> KeyValueStore::fetchKey(const QString &key)
{
    const Outcome<QVector<KeyValue>> values = m_conn->read({key}, true);
    if (!values)
        return values.error();
    if (values->isEmpty() || !values->constFirst().present) {
        QMutexLocker lock(&m_mutex);
        applyGone(key);
        return StoreError(Code::NotFound, QStringLiteral("key '%1' does not exist in %2 (expired or deleted)").arg(key, where()));
    }
    const KeyValue &value = values->constFirst();
    const Parsed p = parseKey(key, value);
    QMutexLocker lock(&m_mutex);
    applyParsed(p);
    if (p.kind != Parsed::Kind::Task)
        return StoreError(Code::NotFound, QStringLiteral("key '%1' is not a Celery result: %2")
                                              .arg(key, p.kind == Parsed::Kind::Group ? QStringLiteral("a saved group") : p.reason));
    TaskResult t = p.task;
    t.rowId = m_index.rowIdOf(m_index.slotOf(key));
    t.expires = value.expires;
    return t;
}

Outcome<TaskResult> KeyValueStore::fetchOne(qint64 rowId)
{
    if (StoreError e = beginCall())
        return e;
    QString key;
    {
        QMutexLocker lock(&m_mutex);
        key = m_index.docId(m_index.slotOfRow(rowId));
    }
    if (key.isNull())
        return StoreError(Code::NotFound, QStringLiteral("row %1 is no longer in %2").arg(rowId).arg(where()));
    return fetchKey(key);
}

Outcome<TaskResult> KeyValueStore::fetchByTaskId(const QString &taskId)
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

Outcome<PurgePreview> KeyValueStore::previewPurge(const PurgeCriteria &criteria)
{
    if (StoreError e = cacheExpiryError(info(), criteria))
        return e;
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
    if (m_info.hasCacheExpiry && criteria.cacheNow.isValid()) {
        for (qint64 slot : m_index.expired(criteria.cacheExpiredOnly()))
            preview.cacheExpired += m_undeletable.contains(m_index.docId(slot)) ? 0 : 1;
    }
    if (criteria.includesGroups()) {
        for (auto it = m_groups.entries().cbegin(); it != m_groups.entries().cend(); ++it)
            preview.groups += criteria.matchesGroup(it->group.dateDone) && !m_undeletable.contains(it.key()) ? 1 : 0;
    }
    return preview;
}

QVector<bool> KeyValueStore::recheck(const QStringList &keys, const QVector<KeyValue> &values,
                                     const std::function<bool(const Parsed &)> &stillDeletable)
{
    QVector<bool> doomed(keys.size(), false);
    QMutexLocker lock(&m_mutex);
    for (qsizetype i = 0; i < keys.size() && i < values.size(); ++i) {
        if (!values.at(i).present) {
            applyGone(keys.at(i)); // gone already: not ours to count
            continue;
        }
        const Parsed p = parseKey(keys.at(i), values.at(i));
        applyParsed(p);
        doomed[i] = stillDeletable(p);
    }
    return doomed;
}

void KeyValueStore::forgetKeys(const QStringList &keys)
{
    QMutexLocker lock(&m_mutex);
    for (const QString &k : keys)
        applyGone(k);
}

void KeyValueStore::markUndeletable(const QStringList &keys)
{
    QMutexLocker lock(&m_mutex);
    for (const QString &k : keys)
        m_undeletable.insert(k);
}

Outcome<DeleteBatch> KeyValueStore::purgeBatch(const PurgeCriteria &criteria, int batchSize)
{
    if (StoreError e = beginCall())
        return e;
    if (StoreError e = cacheExpiryError(info(), criteria))
        return e;
    if (m_options.readOnly)
        return StoreError(Code::PermissionDenied, QStringLiteral("%1 is opened read-only").arg(m_info.location));
    if (!criteria.cutoff.isValid() && !criteria.cacheExpired)
        return StoreError(Code::QueryFailed, QStringLiteral("a purge needs a cutoff date"));
    if (StoreError e = waitForLoad())
        return e;

    const PurgeCriteria cacheExpiredOnly = criteria.cacheExpiredOnly();
    auto pendingTasks = [&](bool cacheExpired, int limit) {
        QMutexLocker lock(&m_mutex);
        QStringList keys;
        if (cacheExpired && !criteria.cacheExpired)
            return keys;
        for (qint64 slot : m_index.expired(cacheExpired ? cacheExpiredOnly : criteria)) {
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
        for (auto it = m_groups.entries().cbegin(); it != m_groups.entries().cend() && keys.size() < limit; ++it) {
            if (criteria.matchesGroup(it->group.dateDone) && !m_undeletable.contains(it.key()))
                keys.append(it.key());
        }
        return keys;
    };

    Outcome<DeleteBatch> batch = purgeIndexBatch(
        batchSize,
        [&](IndexPurgePart part, int limit) {
            return part == IndexPurgePart::Groups ? pendingGroups(limit)
                                                  : pendingTasks(part == IndexPurgePart::CacheExpired, limit);
        },
        [&](IndexPurgePart part, const QStringList &keys) {
            return removeKeys(*m_conn, keys, [&criteria, part](const Parsed &p) { return stillExpired(criteria, part, p); });
        });
    if (!batch)
        return batch;
    if (m_interrupted.load())
        return cancelled();
    QMutexLocker lock(&m_mutex);
    updateInfo();
    return batch;
}

Outcome<DeleteBatch> KeyValueStore::deleteRows(const QVector<qint64> &rowIds)
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
        return removeKeys(*m_conn, selected, [](const Parsed &p) { return p.kind == Parsed::Kind::Task; });
    });
    QMutexLocker lock(&m_mutex);
    updateInfo();
    return batch;
}
