#include "couchstore.h"

#include <QDeadlineTimer>
#include <QJsonArray>
#include <QJsonObject>
#include <QNetworkAccessManager>
#include <QThread>
#include <QTimer>

#include "couchdesign.h"
#include "freedmemory.h"
#include "indexpurge.h"
#include "interruptwake.h"

using Code = StoreError::Code;
using Parsed = CouchDocument::Parsed;

namespace {

QString jsonKey(const QString &text)
{
    return CouchDocument::compactJson(QJsonValue(text));
}

} // namespace

StoreError CouchStore::cancelled()
{
    return StoreError(Code::Cancelled, QStringLiteral("cancelled"));
}

CouchStore::CouchStore(CouchConfig config, StoreOptions options)
    : m_config(std::move(config)), m_options(std::move(options))
{
    m_config.pageSize = qMax(2, m_config.pageSize);
    m_info.layout = StoreInfo::Layout::CouchDb;
    m_info.engine = QStringLiteral("CouchDB");
    m_info.location = m_config.displayString();
    m_info.tableName = m_config.database;
    m_info.readOnly = m_options.readOnly;
}

CouchStore::~CouchStore()
{
    m_clientForInterrupt.store(nullptr);
    m_stopping.store(true);
    // The apply thread first: a step still running may queue the feed's start onto the
    // feed client, which must still exist then. Steps queued later are never run.
    if (m_applyThread) {
        m_applyThread->quit();
        m_applyThread->wait();
    }
    if (m_client) {
        // The clients (and their replies and managers) must die on their own thread. The
        // feed client goes first: it may share the call client's injected manager. Their
        // destructors drop pending callbacks, and queued loader/feed steps check m_stopping.
        CouchClient *client = m_client;
        CouchClient *feed = m_feedClient;
        QMetaObject::invokeMethod(
            client, [client, feed] {
                delete feed;
                delete client;
            },
            Qt::BlockingQueuedConnection);
        m_client = nullptr;
        m_feedClient = nullptr;
    }
    if (m_networkThread) {
        m_networkThread->quit();
        m_networkThread->wait();
    }
    delete m_applier; // its thread has ended: steps still queued go with it
    m_applier = nullptr;
    // Free the index now (not after this body) and give the heap back: a window that
    // re-opens the database would otherwise hold the old index's pages too.
    m_index = CouchIndex();
    m_foreign.clear();
    m_groups.clear();
    m_selection.clear();
    releaseFreedMemory();
}

QString CouchStore::dbPath() const
{
    return QLatin1Char('/') + CouchClient::encodeSegment(m_config.database);
}

QString CouchStore::docPath(const QString &docId) const
{
    return dbPath() + QLatin1Char('/') + CouchClient::encodeSegment(docId);
}

std::shared_ptr<CouchStore::PendingCall> CouchStore::post(const QByteArray &verb, const QString &path,
                                                          const CouchClient::Query &query, const QByteArray &body,
                                                          int transferTimeoutMs)
{
    // Post the request to the network thread; the caller waits without running any event
    // loop here (see the class comment). The client calls back exactly once: answer, error
    // or Cancelled.
    auto pending = std::make_shared<PendingCall>();
    CouchClient *client = m_client;
    std::atomic_bool *interrupted = &m_interrupted;
    QMetaObject::invokeMethod(
        client,
        [client, pending, interrupted, verb, path, query, body, transferTimeoutMs] {
            auto deliver = [pending](const CouchReply &reply) {
                QMutexLocker lock(&pending->mutex);
                pending->reply = reply;
                pending->finished = true;
                pending->done.wakeAll();
            };
            // An interrupt that came before this request started: never send it. One that
            // comes later is queued behind us and aborts it (events run in posting order).
            if (interrupted->load()) {
                CouchReply r;
                r.error = cancelled();
                deliver(r);
                return;
            }
            client->send(verb, path, query, body, deliver, {}, transferTimeoutMs);
        },
        Qt::QueuedConnection);
    return pending;
}

bool CouchStore::PendingCall::wait(int ms)
{
    QMutexLocker lock(&mutex);
    if (!finished)
        done.wait(&mutex, ms < 0 ? QDeadlineTimer(QDeadlineTimer::Forever) : QDeadlineTimer(ms));
    return finished;
}

CouchReply CouchStore::call(const QByteArray &verb, const QString &path, const CouchClient::Query &query,
                            const QByteArray &body)
{
    CouchReply out;
    if (m_interrupted.load()) {
        out.error = cancelled();
        return out;
    }
    const std::shared_ptr<PendingCall> pending = post(verb, path, query, body);
    while (!pending->wait()) {
    }
    {
        QMutexLocker lock(&pending->mutex);
        out = pending->reply;
    }
    if (!out.ok() && m_interrupted.load())
        out.error = cancelled();
    return out;
}

StoreError CouchStore::beginCall()
{
    m_interrupted.store(false);
    ++m_callGeneration;
    if (!m_client)
        return StoreError(Code::QueryFailed, QStringLiteral("the CouchDB store is not open"));
    return {};
}

void CouchStore::interrupt()
{
    m_interrupted.store(true);
    wakeAfterInterrupt(m_dataMutex, m_dataChanged);
    CouchClient *client = m_clientForInterrupt.load();
    if (!client)
        return;
    const quint64 generation = m_callGeneration.load();
    // The client lives on the network thread: queue the abort there. Only abort the call
    // that was running when we were asked; if the client is gone first, Qt drops the
    // queued call with its context object.
    QMetaObject::invokeMethod(
        client,
        [this, client, generation] {
            if (m_callGeneration.load() == generation)
                client->abortAll();
        },
        Qt::QueuedConnection);
}

StoreError CouchStore::open()
{
    m_interrupted.store(false);
    ++m_callGeneration;
    if (!m_client) {
        m_networkThread = std::make_unique<QThread>();
        m_networkThread->setObjectName(QStringLiteral("CouchStore network"));
        m_networkThread->start();
        m_applyThread = std::make_unique<QThread>();
        m_applyThread->setObjectName(QStringLiteral("CouchStore index"));
        m_applyThread->start();
        m_applier = new QObject;
        m_applier->moveToThread(m_applyThread.get());
        m_client = new CouchClient(m_config);
        m_client->moveToThread(m_networkThread.get());
        if (m_incremental) {
            m_feedClient = new CouchClient(m_config);
            m_feedClient->moveToThread(m_networkThread.get());
        }
        if (m_managerFactory) {
            CouchClient *client = m_client;
            CouchClient *feed = m_feedClient;
            const ManagerFactory factory = m_managerFactory;
            QMetaObject::invokeMethod(
                client,
                [client, feed, factory] {
                    QNetworkAccessManager *manager = factory();
                    manager->setParent(client);
                    client->setNetworkAccessManager(manager);
                    if (feed)
                        feed->setNetworkAccessManager(manager); // deleted before the client
                },
                Qt::BlockingQueuedConnection);
        }
        m_clientForInterrupt.store(m_client);
    }
    const QString where = m_config.hostPort();

    CouchReply root = call("GET", QStringLiteral("/"));
    if (!root.ok())
        return root.error;
    const QJsonObject welcome = root.json.object();
    if (!root.json.isObject() || !welcome.contains(QLatin1String("version")))
        return StoreError(Code::NotCelery, QStringLiteral("%1 does not answer like a CouchDB server").arg(where));
    if (welcome.contains(QLatin1String("couchdb")))
        m_serverVersion = QStringLiteral("CouchDB %1").arg(welcome.value(QLatin1String("version")).toString());
    else
        m_serverVersion = QStringLiteral("%1 %2")
                              .arg(welcome.contains(QLatin1String("express-pouchdb")) ? QStringLiteral("pouchdb-server")
                                                                                       : QStringLiteral("CouchDB-compatible server"),
                                   welcome.value(QLatin1String("version")).toString());

    CouchReply db = call("GET", dbPath());
    if (db.ok())
        m_openSeq = db.json.object().value(QLatin1String("update_seq"));
    if (!db.ok()) {
        StoreError e = db.error;
        if (db.httpStatus == 404)
            e.message = QStringLiteral("database '%1' not found on %2").arg(m_config.database, where);
        else if (db.httpStatus == 403)
            e.message = QStringLiteral("user '%1' may not read database '%2' on %3")
                            .arg(m_config.user, m_config.database, where);
        return e;
    }
    bool useViews = false;
    if (StoreError e = chooseMode(&useViews))
        return e;
    if (useViews) {
        m_mode = Mode::Views;
        QMutexLocker lock(&m_dataMutex);
        m_open = true;
        updateInfo();
        return {};
    }
    if (StoreError e = startLoading())
        return e;
    if (StoreError e = waitForIndex(!m_incremental, true))
        return e;
    QMutexLocker lock(&m_dataMutex);
    if (m_loadFinished && m_index.liveCount() == 0 && m_groups.isEmpty() && !m_foreign.isEmpty())
        return StoreError(Code::NotCelery,
                          m_foreign.size() == 1
                              ? QStringLiteral("database '%1' on %2 holds no Celery results (1 other document)")
                                    .arg(m_config.database, where)
                              : QStringLiteral("database '%1' on %2 holds no Celery results (%3 other documents)")
                                    .arg(m_config.database, where)
                                    .arg(m_foreign.size()));
    m_open = true;
    updateInfo();
    return {};
}

StoreError CouchStore::startLoading()
{
    // Remember the sequence before reading: changes made while we page are replayed by the
    // first catch-up (applying a document twice is harmless).
    if (m_mode == Mode::Views) {
        // The sequence now, not open()'s: the index starts from what the database holds now.
        const CouchReply db = call("GET", dbPath());
        if (!db.ok())
            return db.error;
        QMutexLocker lock(&m_dataMutex);
        m_since = db.json.object().value(QLatin1String("update_seq"));
        m_loadFinished = false;
        m_loadError = StoreError();
    } else {
        QMutexLocker lock(&m_dataMutex);
        m_since = m_openSeq;
        m_loadFinished = false;
        m_loadError = StoreError();
    }

    const QString task = m_config.keyPrefix + QString::fromLatin1(CouchDocument::taskPrefix);
    const QString group = m_config.keyPrefix + QString::fromLatin1(CouchDocument::groupPrefix);
    const QString high(QChar(0xfff0));
    // Task results first (what the window shows), then groups, then everything outside
    // Celery's two key ranges: foreign, listed by id only (no bodies).
    m_ranges = {LoadRange{task, task + high, true, true}, LoadRange{group, group + high, true, true},
                LoadRange{QString(), task, false, false}, LoadRange{task + high, group, false, false},
                LoadRange{group + high, QString(), false, true}};
    m_rangeIndex = 0;
    m_cursor = QString();
    m_loadedDocs.store(0);
    m_loading.store(true);
    // The loader runs on the network thread from here; in the default mode on the call
    // client (so interrupt() aborts it), incrementally on the feed client (calls made
    // meanwhile are interrupted without touching it).
    QMetaObject::invokeMethod(m_incremental ? m_feedClient : m_client, [this] { loadNextPage(); },
                              Qt::QueuedConnection);
    return {};
}

StoreError CouchStore::waitForIndex(bool whole, bool stopOnFailure)
{
    QMutexLocker lock(&m_dataMutex);
    const StoreError waited = waitFor(lock, [this, whole] {
        return m_loadFinished || (!whole && m_index.liveCount() > 0);
    });
    if (waited.isError() || m_loadError.isError()) {
        // open() failed and the store is abandoned (StoreWorker closes it): stop a loader
        // still running. A later call that waited (views mode) leaves it loading.
        if (stopOnFailure)
            m_stopping.store(true);
        return waited.isError() ? waited : m_loadError;
    }
    return {};
}

template<typename Done>
StoreError CouchStore::waitFor(QMutexLocker<QMutex> &lock, Done done)
{
    Q_UNUSED(lock)
    while (!done()) {
        if (m_interrupted.load())
            return cancelled();
        // Woken by every page, the end of loading and interrupt(); the time-out is a net.
        m_dataChanged.wait(&m_dataMutex, 500);
    }
    return {};
}

StoreError CouchStore::waitUntilLoaded()
{
    if (StoreError e = beginCall())
        return e;
    if (m_mode == Mode::Views && !m_indexStarted)
        return {}; // nothing is loading: the views answer
    QMutexLocker lock(&m_dataMutex);
    if (StoreError e = waitFor(lock, [this] { return m_loadFinished; }))
        return e;
    return m_loadError;
}

StoreInfo CouchStore::infoLocked() const
{
    QMutexLocker lock(&m_dataMutex);
    return m_info;
}

bool CouchStore::isFeedRunning() const
{
    QMutexLocker lock(&m_dataMutex);
    return m_feed == Feed::Running;
}

void CouchStore::loadNextPage()
{
    if (m_stopping.load())
        return;
    if (m_rangeIndex >= m_ranges.size()) {
        onApplyThread([this] { finishLoading({}); });
        return;
    }
    // Key-range paging: each page starts AT the last key seen and drops it again, so no
    // row is skipped or repeated even if documents appear meanwhile (never `skip`).
    const LoadRange &r = m_ranges.at(m_rangeIndex);
    CouchClient::Query q;
    if (r.includeDocs)
        q.append({QStringLiteral("include_docs"), QStringLiteral("true")});
    const QString from = m_cursor.isNull() ? r.start : m_cursor;
    if (!from.isNull())
        q.append({QStringLiteral("startkey"), jsonKey(from)});
    if (!r.end.isNull())
        q.append({QStringLiteral("endkey"), jsonKey(r.end)});
    if (!r.inclusiveEnd)
        q.append({QStringLiteral("inclusive_end"), QStringLiteral("false")});
    q.append({QStringLiteral("limit"), QString::number(m_config.pageSize)});
    CouchClient *client = m_incremental ? m_feedClient : m_client;
    // The page is read by CouchPage straight from the body (no DOM); a body it declines
    // comes as the client's DOM instead (and an invalid one is retried by the client).
    struct Page
    {
        QVector<CouchPage::Row> rows;
        bool decoded = false;
    };
    auto page = std::make_shared<Page>();
    client->get(
        dbPath() + QStringLiteral("/_all_docs"), q,
        [page](const QByteArray &body) { return page->decoded = CouchPage::parseAllDocs(body, &page->rows); },
        [this, page](const CouchReply &reply) {
            QVector<CouchPage::Row> rows;
            if (reply.ok())
                rows = page->decoded ? std::move(page->rows) : CouchPage::rowsFromJson(reply.json.object());
            onLoadPage(reply, std::move(rows));
        });
}

void CouchStore::onLoadPage(const CouchReply &reply, QVector<CouchPage::Row> rows)
{
    if (m_stopping.load())
        return;
    if (!reply.ok()) {
        // Behind the applies of the pages before this one.
        const StoreError error = reply.error;
        onApplyThread([this, error] { finishLoading(error); });
        return;
    }
    const LoadRange range = m_ranges.at(m_rangeIndex);
    const QString cursor = m_cursor;
    // The next page's start needs only this page's ids: ask for it now, so the server reads
    // and sends it while the apply thread decodes and applies this page.
    if (rows.size() < m_config.pageSize) {
        ++m_rangeIndex;
        m_cursor = QString();
    } else {
        m_cursor = rows.constLast().id;
    }
    const bool last = m_rangeIndex >= m_ranges.size();
    if (!last)
        loadNextPage();
    // Applies stay serial and in page order: one apply thread runs them as queued. The last
    // one finishes the loading.
    auto page = std::make_shared<QVector<CouchPage::Row>>(std::move(rows));
    const QByteArray body = reply.body; // the rows' values are decoded from it
    onApplyThread([this, page, body, range, cursor, last] {
        applyPage(body, *page, range, cursor);
        if (last)
            finishLoading({});
    });
}

void CouchStore::onApplyThread(std::function<void()> step)
{
    QMetaObject::invokeMethod(
        m_applier,
        [this, step = std::move(step)] {
            if (!m_stopping.load())
                step();
        },
        Qt::QueuedConnection);
}

void CouchStore::applyPage(const QByteArray &body, QVector<CouchPage::Row> &rows, const LoadRange &range,
                           const QString &cursor)
{
    QByteArray scratch; // one buffer for every value of the page
    // Decode outside the lock; the worker thread keeps answering meanwhile.
    QVector<Parsed> parsed;
    QVector<QPair<QString, QString>> foreign;
    parsed.reserve(range.includeDocs ? rows.size() : 0);
    for (qsizetype i = 0; i < rows.size(); ++i) {
        CouchPage::Row &row = rows[i];
        if (i == 0 && !cursor.isNull() && row.id == cursor)
            continue;
        if (row.id.isEmpty())
            continue;
        if (range.includeDocs) {
            if (row.hasDoc)
                parsed.append(CouchDocument::parseParts(row.docId, row.rev, row.valueKind,
                                                        row.valueKind == CouchDocument::ValueKind::String
                                                            ? CouchPage::valueText(body, row, scratch)
                                                            : QByteArray(),
                                                        m_config.keyPrefix, CouchDocument::Detail::Index));
            row.value = QByteArray(); // decoded: free the text now
        } else {
            QString reason;
            if (CouchDocument::kindOfId(row.id, &reason, m_config.keyPrefix) == Parsed::Kind::Foreign)
                foreign.append({row.id, reason});
        }
    }
    // The index entries too: the lock is held only to put them in (a page of a million
    // documents' load held it 2.5 µs a document longer).
    std::vector<CouchIndex::Entry> entries;
    entries.reserve(size_t(parsed.size()));
    for (Parsed &p : parsed) {
        if (p.kind == Parsed::Kind::Task) {
            entries.push_back(CouchIndex::entry(p.docId, p.rev, p.task, ResultStore::previewChars));
            p.task = TaskResult(); // its entry says it all
        }
    }
    QMutexLocker lock(&m_dataMutex);
    size_t task = 0;
    for (const Parsed &p : std::as_const(parsed))
        applyParsed(p, p.kind == Parsed::Kind::Task ? &entries[task++] : nullptr);
    for (const auto &f : std::as_const(foreign))
        m_foreign.insert(f.first, f.second);
    m_loadedDocs.store(m_index.liveCount());
    if (m_incremental)
        updateInfo();
    m_dataChanged.wakeAll();
}

void CouchStore::finishLoading(const StoreError &error)
{
    {
        QMutexLocker lock(&m_dataMutex);
        m_loadError = error;
        m_loadFinished = true;
        // The feed counts as running from now on, so no call catches up in between.
        if (m_incremental && !error.isError())
            m_feed = Feed::Running;
        m_loadedDocs.store(m_index.liveCount());
        updateInfo();
        m_loading.store(false);
        m_dataChanged.wakeAll();
    }
    // The pages' buffers and DOMs are gone: give the freed heap back (glibc keeps it in
    // the network thread's arena otherwise, on top of the index).
    releaseFreedMemory();
    // The feed runs on the network thread, with the feed client.
    if (m_incremental && !error.isError() && m_feedClient)
        QMetaObject::invokeMethod(m_feedClient, [this] { startFeed(); }, Qt::QueuedConnection);
}

QString CouchStore::sinceText() const
{
    // The sequence is opaque JSON: CouchDB 2+ uses strings, pouchdb-server integers.
    if (m_since.isString())
        return m_since.toString();
    if (m_since.isDouble())
        return QString::number(qint64(m_since.toDouble()));
    return QStringLiteral("0");
}

void CouchStore::startFeed()
{
    if (m_stopping.load() || !m_feedClient)
        return;
    QString since;
    quint64 serial = 0;
    {
        QMutexLocker lock(&m_dataMutex);
        m_feed = Feed::Running;
        since = sinceText();
        serial = m_applySerial;
    }
    const int timeout = m_feedTimeoutMs > 0 ? m_feedTimeoutMs : qBound(100, m_config.timeoutMs / 2, 60000);
    const CouchClient::Query q{{QStringLiteral("feed"), QStringLiteral("longpoll")},
                               {QStringLiteral("since"), since},
                               {QStringLiteral("timeout"), QString::number(timeout)},
                               {QStringLiteral("include_docs"), QStringLiteral("true")},
                               {QStringLiteral("limit"), QString::number(m_config.pageSize)}};
    m_feedClient->get(dbPath() + QStringLiteral("/_changes"), q, [this, serial](const CouchReply &reply) { onFeed(reply, serial); });
}

void CouchStore::onFeed(const CouchReply &reply, quint64 serial)
{
    if (m_stopping.load())
        return;
    if (!reply.ok()) {
        // Down: count()/facets() catch up themselves meanwhile; try the feed again later.
        {
            QMutexLocker lock(&m_dataMutex);
            m_feed = Feed::Failed;
        }
        QTimer::singleShot(m_feedRetryMs, m_feedClient, [this] { startFeed(); });
        return;
    }
    const QJsonObject answer = reply.json.object();
    const QVector<Change> changes = parseChanges(answer);
    {
        QMutexLocker lock(&m_dataMutex);
        if (serial != m_applySerial) {
            // A catch-up applied newer changes while this poll waited: poll again from there.
            lock.unlock();
            startFeed();
            return;
        }
        ++m_applySerial;
        if (applyChanges(changes, answer)) {
            m_loadedDocs.store(m_index.liveCount());
            updateInfo();
        }
    }
    startFeed();
}

QVector<CouchStore::Change> CouchStore::parseChanges(const QJsonObject &o) const
{
    QVector<Change> changes;
    const QJsonArray results = o.value(QLatin1String("results")).toArray();
    for (const QJsonValue &v : results) {
        const QJsonObject change = v.toObject();
        Change c;
        c.docId = change.value(QLatin1String("id")).toString();
        if (c.docId.isEmpty())
            continue;
        const QJsonObject doc = change.value(QLatin1String("doc")).toObject();
        c.deleted = change.value(QLatin1String("deleted")).toBool() || doc.value(QLatin1String("_deleted")).toBool();
        if (!c.deleted && !doc.isEmpty()) {
            c.hasDoc = true;
            c.parsed = CouchDocument::parse(doc, m_config.keyPrefix);
        }
        changes.append(c);
    }
    return changes;
}

bool CouchStore::applyChanges(const QVector<Change> &changes, const QJsonObject &o)
{
    for (const Change &c : changes) {
        if (c.deleted)
            applyDeleted(c.docId);
        else if (c.hasDoc)
            applyParsed(c.parsed);
    }
    if (o.contains(QLatin1String("last_seq")))
        m_since = o.value(QLatin1String("last_seq"));
    return !changes.isEmpty();
}

void CouchStore::apply(const QJsonObject &doc)
{
    applyParsed(CouchDocument::parse(doc, m_config.keyPrefix));
}

void CouchStore::applyParsed(const Parsed &p, CouchIndex::Entry *entry)
{
    switch (p.kind) {
    case Parsed::Kind::Task:
        if (entry)
            m_index.upsert(std::move(*entry));
        else
            m_index.upsert(p.docId, p.rev, p.task);
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

void CouchStore::applyDeleted(const QString &docId)
{
    m_index.remove(docId);
    m_groups.remove(docId);
    m_foreign.remove(docId);
    m_undeletable.remove(docId);
}

StoreError CouchStore::catchUp()
{
    {
        QMutexLocker lock(&m_dataMutex);
        if (m_loadError.isError())
            return m_loadError;
        // While loading, the loader reads the current documents anyway (changes made
        // meanwhile are replayed from the pre-load sequence afterwards). The live feed keeps
        // the index current too, but only eventually: a read right after a change made
        // through another connection (the window's purge runs on its own store) must see it.
        if (!m_loadFinished)
            return {};
    }
    StoreError error;
    for (;;) {
        if (m_interrupted.load()) {
            error = cancelled();
            break;
        }
        QString since;
        quint64 serial = 0;
        {
            QMutexLocker lock(&m_dataMutex);
            since = sinceText();
            serial = m_applySerial;
        }
        const CouchClient::Query q{{QStringLiteral("since"), since},
                                   {QStringLiteral("include_docs"), QStringLiteral("true")},
                                   {QStringLiteral("limit"), QString::number(m_config.pageSize)}};
        const CouchReply reply = call("GET", dbPath() + QStringLiteral("/_changes"), q);
        if (!reply.ok()) {
            error = reply.error;
            break;
        }
        const QJsonObject o = reply.json.object();
        const QVector<Change> changes = parseChanges(o);
        QMutexLocker lock(&m_dataMutex);
        if (serial != m_applySerial)
            continue; // the feed applied newer changes meanwhile: ask again from there
        ++m_applySerial;
        if (applyChanges(changes, o)) {
            m_loadedDocs.store(m_index.liveCount());
            updateInfo();
        }
        if (o.value(QLatin1String("results")).toArray().size() < m_config.pageSize)
            break;
    }
    return error;
}

StoreError CouchStore::refresh()
{
    if (StoreError e = beginCall())
        return e;
    return catchUp();
}

void CouchStore::updateInfo()
{
    // What the meta holds. Rows still carry content type/encoding (JSON, utf-8) so values
    // decode like the SQL layouts', but the documents store no such field.
    FieldSet fields{Field::RowId,    Field::TaskId,  Field::Status,  Field::Result, Field::Traceback,
                    Field::Meta,     Field::DateDone, Field::GroupId, Field::ParentId};
    if (m_index.anyExtended() || (m_mode == Mode::Views && m_viewsExtended)) {
        for (Field f : {Field::TaskName, Field::Args, Field::Kwargs, Field::Worker, Field::Retries, Field::Queue})
            fields.insert(f);
    }
    m_info.fields = fields;
    m_info.hasGroups = !m_groups.isEmpty();
    m_info.schema = QStringLiteral("Celery CouchBackend documents (%1)").arg(m_serverVersion);

    QStringList notes;
    // Design documents (an application's, or Stalk's own index) are not results gone wrong:
    // they are named apart from the documents that are neither results nor design documents.
    QStringList others;
    QStringList designs;
    for (auto it = m_foreign.cbegin(); it != m_foreign.cend(); ++it) {
        QStringList &list = CouchDocument::isDesignId(it.key()) ? designs : others;
        list.append(&list == &designs || others.size() >= 5 ? it.key()
                                                             : QStringLiteral("%1 (%2)").arg(it.key(), it.value()));
    }
    // The first five, then how many more.
    const auto firstFive = [](const QStringList &items) {
        QString text = items.mid(0, 5).join(QStringLiteral(", "));
        if (items.size() > 5)
            text += QStringLiteral(" and %1 more").arg(items.size() - 5);
        return text;
    };
    if (others.size() == 1)
        notes.append(QStringLiteral("1 document is not a Celery result: %1. They are never deleted.").arg(others.first()));
    else if (others.size() > 1)
        notes.append(QStringLiteral("%1 documents are not Celery results: %2. They are never deleted.")
                         .arg(others.size())
                         .arg(firstFive(others)));
    if (!designs.isEmpty())
        notes.append(QStringLiteral("Design documents, never deleted: %1.").arg(firstFive(designs)));
    if (m_mode == Mode::Views)
        notes.append(QStringLiteral("Counts, facets, pages sorted by date done, status, task name or worker, and "
                                    "purges come from the Stalk index on the server (%1); a search, the exception "
                                    "filter, another sort order and failures read every document first.")
                         .arg(CouchDesign::documentId()));
    else if (!m_viewsProblem.isEmpty())
        notes.append(m_viewsProblem);
    if (m_mode == Mode::Views && !m_indexStarted && !m_viewsExtended)
        notes.append(QStringLiteral("task_name, args, kwargs and worker are in no document: the Celery app "
                                    "runs without result_extended."));
    if (m_index.liveCount() > 0 && !m_index.anyExtended())
        notes.append(QStringLiteral("task_name, args, kwargs and worker are in no document: the Celery app "
                                    "runs without result_extended."));
    m_info.note = notes.join(QLatin1Char(' '));
}

StoreError CouchStore::beginIndexCall(const TaskQuery &query)
{
    if (StoreError e = beginCall())
        return e;
    if (StoreError e = query.searchError())
        return e;
    if (StoreError e = ensureIndex())
        return e;
    return catchUp();
}

StoreError CouchStore::beginCaughtUpCall(const TaskQuery &query)
{
    if (StoreError e = beginCall())
        return e;
    if (StoreError e = query.searchError())
        return e;
    return catchUp();
}

Outcome<qint64> CouchStore::count(const TaskQuery &query)
{
    // count() starts every refresh of the window and the command line: catch up here.
    // fetchPage() deliberately does not, so its pages match the count just given.
    if (viewsAnswer(query, false)) {
        if (StoreError e = beginCall())
            return e;
        if (StoreError e = query.searchError())
            return e;
        return viewCount(query);
    }
    if (StoreError e = beginIndexCall(query))
        return e;
    QMutexLocker lock(&m_dataMutex);
    // The model asks for page 0 first: its selection, if still current, is the count.
    return m_selection.count(m_index, query);
}

Outcome<Facets> CouchStore::facets(const TaskQuery &query)
{
    if (viewsAnswer(query, false)) {
        if (StoreError e = beginCall())
            return e;
        return viewFacets(query);
    }
    if (StoreError e = beginIndexCall(query))
        return e;
    QMutexLocker lock(&m_dataMutex);
    return m_index.facets(query);
}

Outcome<StatusHistory> CouchStore::statusHistory(const TaskQuery &query, TimeBucket bucket)
{
    if (viewsAnswer(query, false)) {
        if (StoreError e = beginCall())
            return e;
        return viewStatusHistory(query, bucket);
    }
    if (StoreError e = beginIndexCall(query))
        return e;
    QMutexLocker lock(&m_dataMutex);
    return m_index.statusHistory(query, bucket);
}

Outcome<FailureTable> CouchStore::failures(const TaskQuery &query)
{
    // Exceptions are read from the results: the in-memory index, also in views mode.
    if (StoreError e = beginIndexCall(query))
        return e;
    QMutexLocker lock(&m_dataMutex);
    return m_index.failures(query);
}

Outcome<QVector<TaskGroup>> CouchStore::groups(const TaskQuery &query, int limit)
{
    // The query's date range alone applies to groups: its search is not checked.
    if (m_mode == Mode::Views && !m_indexStarted) {
        if (StoreError e = beginCall())
            return e;
        const Outcome<IndexGroups> read = readGroups();
        return read ? read->groups(query, limit) : Outcome<QVector<TaskGroup>>(read.error());
    }
    if (StoreError e = beginCaughtUpCall(TaskQuery()))
        return e;
    QMutexLocker lock(&m_dataMutex);
    return m_groups.groups(query, limit);
}

Outcome<QVector<TaskGroup>> CouchStore::groupsOf(const QString &taskId)
{
    if (m_mode == Mode::Views && !m_indexStarted) {
        if (StoreError e = beginCall())
            return e;
        const Outcome<IndexGroups> read = readGroups();
        return read ? read->groupsOf(taskId) : Outcome<QVector<TaskGroup>>(read.error());
    }
    if (StoreError e = beginCaughtUpCall(TaskQuery()))
        return e;
    QMutexLocker lock(&m_dataMutex);
    return m_groups.groupsOf(taskId);
}

Outcome<QVector<TaskResult>> CouchStore::fetchByTaskIds(const QStringList &taskIds)
{
    if (StoreError e = beginCall())
        return e;
    if (m_mode == Mode::Views && !m_indexStarted) {
        QStringList docIds;
        for (const QString &id : taskIds)
            docIds.append(QString::fromLatin1(CouchDocument::taskPrefix) + id);
        return rowsOfDocs(docIds, RowDetail::Summary);
    }
    QMutexLocker lock(&m_dataMutex);
    return indexRowsByTaskIds(m_index, {m_config.keyPrefix}, taskIds);
}

Outcome<QVector<TaskResult>> CouchStore::fetchPage(const TaskQuery &query, qint64 offset, int limit,
                                                   RowDetail detail)
{
    if (StoreError e = beginCall())
        return e;
    if (StoreError e = query.searchError())
        return e;
    if (viewsAnswer(query, true))
        return viewPage(query, offset, limit, detail);
    if (StoreError e = ensureIndex())
        return e;
    // While loading or live, the index grows between calls; the page is cut from the
    // index as it is now, consistent with itself.
    QMutexLocker lock(&m_dataMutex);
    const QVector<qint64> picked = m_selection.page(m_index, query, offset, limit);

    QVector<TaskResult> rows;
    rows.reserve(picked.size());
    if (detail == RowDetail::Summary) {
        for (qint64 slot : picked)
            rows.append(m_index.summaryRow(slot));
        return rows;
    }

    // Full rows: the complete documents, in one request per page.
    QJsonArray keys;
    QStringList pickedIds;
    QVector<qint64> pickedRows;
    for (qint64 slot : picked) {
        keys.append(m_index.docId(slot));
        pickedIds.append(m_index.docId(slot));
        pickedRows.append(m_index.rowIdOf(slot));
    }
    lock.unlock();
    if (keys.isEmpty())
        return rows;
    QJsonObject body;
    body.insert(QLatin1String("keys"), keys);
    const CouchReply reply = call("POST", dbPath() + QStringLiteral("/_all_docs"),
                                  {{QStringLiteral("include_docs"), QStringLiteral("true")}},
                                  QJsonDocument(body).toJson(QJsonDocument::Compact));
    if (!reply.ok())
        return reply.error;
    QHash<QString, QJsonObject> docs;
    for (const QJsonValue &v : reply.json.object().value(QLatin1String("rows")).toArray()) {
        const QJsonObject doc = v.toObject().value(QLatin1String("doc")).toObject();
        if (!doc.isEmpty())
            docs.insert(doc.value(QLatin1String("_id")).toString(), doc);
    }
    for (qsizetype i = 0; i < pickedIds.size(); ++i) {
        const auto it = docs.constFind(pickedIds.at(i));
        if (it == docs.constEnd())
            continue; // deleted meanwhile: the next count() catches up
        const Parsed p = CouchDocument::parse(*it, m_config.keyPrefix);
        if (p.kind != Parsed::Kind::Task)
            continue;
        TaskResult t = p.task;
        t.rowId = pickedRows.at(i);
        rows.append(t);
    }
    return rows;
}

Outcome<TaskResult> CouchStore::fetchDoc(const QString &docId)
{
    const CouchReply reply = call("GET", docPath(docId));
    if (reply.httpStatus == 404) {
        QMutexLocker lock(&m_dataMutex);
        applyDeleted(docId);
        return StoreError(Code::NotFound, QStringLiteral("document '%1' does not exist in database '%2' on %3")
                                              .arg(docId, m_config.database, m_config.hostPort()));
    }
    if (!reply.ok())
        return reply.error;
    const QJsonObject doc = reply.json.object();
    QMutexLocker lock(&m_dataMutex);
    const Parsed p = CouchDocument::parse(doc, m_config.keyPrefix);
    if (m_mode == Mode::Views && !m_indexStarted) {
        // No index to keep current: the row id is the document's own.
        if (p.kind != Parsed::Kind::Task)
            return StoreError(Code::NotFound, QStringLiteral("document '%1' is not a Celery result: %2")
                                                  .arg(docId, p.kind == Parsed::Kind::Group ? QStringLiteral("a saved group")
                                                                                            : p.reason));
        TaskResult t = p.task;
        t.rowId = CouchIndex::rowIdFor(docId);
        m_viewRowDocs.insert(t.rowId, docId);
        return t;
    }
    applyParsed(p);
    if (p.kind != Parsed::Kind::Task)
        return StoreError(Code::NotFound, QStringLiteral("document '%1' is not a Celery result: %2")
                                              .arg(docId, p.kind == Parsed::Kind::Group
                                                              ? QStringLiteral("a saved group")
                                                              : p.reason));
    TaskResult t = p.task;
    t.rowId = m_index.rowIdOf(m_index.slotOf(docId));
    return t;
}

Outcome<TaskResult> CouchStore::fetchOne(qint64 rowId)
{
    if (StoreError e = beginCall())
        return e;
    QString docId = m_viewRowDocs.value(rowId);
    if (docId.isNull()) {
        QMutexLocker lock(&m_dataMutex);
        const qint64 slot = m_index.slotOfRow(rowId);
        if (slot >= 0)
            docId = m_index.docId(slot);
    }
    if (docId.isNull())
        return StoreError(Code::NotFound, QStringLiteral("row %1 is no longer in database '%2'")
                                              .arg(rowId)
                                              .arg(m_config.database));
    return fetchDoc(docId);
}

Outcome<TaskResult> CouchStore::fetchByTaskId(const QString &taskId)
{
    if (StoreError e = beginCall())
        return e;
    return fetchDoc(m_config.keyPrefix + QString::fromLatin1(CouchDocument::taskPrefix) + taskId);
}

Outcome<PurgePreview> CouchStore::previewPurge(const PurgeCriteria &criteria)
{
    if (StoreError e = cacheExpiryError(info(), criteria))
        return e;
    if (StoreError e = beginCall())
        return e;
    if (m_mode == Mode::Views && CouchViews::unsupported(criteria).isEmpty())
        return viewPreviewPurge(criteria);
    if (StoreError e = ensureIndex())
        return e;
    // Never decide on a partial index.
    {
        QMutexLocker lock(&m_dataMutex);
        if (StoreError e = waitFor(lock, [this] { return m_loadFinished; }))
            return e;
    }
    if (StoreError e = catchUp())
        return e;
    QMutexLocker lock(&m_dataMutex);
    PurgePreview preview;
    for (qint64 slot : m_index.expired(criteria)) {
        if (m_undeletable.contains(m_index.docId(slot)))
            continue;
        ++preview.total;
        ++preview.byStatus[m_index.status(slot)];
    }
    for (const IndexGroups::Entry &g : m_groups.entries())
        preview.groups += criteria.matchesGroup(g.group.dateDone) ? 1 : 0;
    return preview;
}

Outcome<qint64> CouchStore::bulkDelete(const QVector<QPair<QString, QString>> &docs,
                                       const std::function<bool(const Parsed &)> &stillDeletable)
{
    auto bulk = [this](const QVector<QPair<QString, QString>> &batch) {
        QJsonArray list;
        for (const auto &d : batch)
            list.append(QJsonObject{{QStringLiteral("_id"), d.first},
                                    {QStringLiteral("_rev"), d.second},
                                    {QStringLiteral("_deleted"), true}});
        return call("POST", dbPath() + QStringLiteral("/_bulk_docs"), {},
                    QJsonDocument(QJsonObject{{QStringLiteral("docs"), list}}).toJson(QJsonDocument::Compact));
    };

    qint64 deleted = 0;
    QStringList conflicts;
    // Per-document answers: {"ok": true, "id", "rev"} or {"id", "error": "conflict", …}.
    auto tally = [&](const CouchReply &reply, QStringList *conflicted) {
        QMutexLocker lock(&m_dataMutex);
        for (const QJsonValue &v : reply.json.array()) {
            const QJsonObject r = v.toObject();
            const QString id = r.value(QLatin1String("id")).toString();
            const QString error = r.value(QLatin1String("error")).toString();
            if (error.isEmpty()) {
                ++deleted;
                applyDeleted(id);
            } else if (error == QLatin1String("conflict")) {
                if (conflicted)
                    conflicted->append(id);
                else
                    m_undeletable.insert(id);
            } else if (error == QLatin1String("not_found")) {
                applyDeleted(id); // gone already: not ours to count
            } else {
                m_undeletable.insert(id);
            }
        }
    };

    const CouchReply first = bulk(docs);
    if (!first.ok())
        return first.error;
    tally(first, &conflicts);

    // A conflict means the document changed since we read it: read it again and delete it
    // only if it still qualifies — never blindly with the new revision.
    for (const QString &id : std::as_const(conflicts)) {
        if (m_interrupted.load())
            break;
        const CouchReply current = call("GET", docPath(id));
        if (current.httpStatus == 404) {
            QMutexLocker lock(&m_dataMutex);
            applyDeleted(id);
            continue;
        }
        if (!current.ok())
            return current.error;
        const QJsonObject doc = current.json.object();
        {
            QMutexLocker lock(&m_dataMutex);
            apply(doc);
        }
        const Parsed p = CouchDocument::parse(doc, m_config.keyPrefix);
        if (!stillDeletable(p))
            continue;
        const CouchReply again = bulk({{id, p.rev}});
        if (!again.ok())
            return again.error;
        tally(again, nullptr);
    }
    return deleted;
}

Outcome<DeleteBatch> CouchStore::purgeBatch(const PurgeCriteria &criteria, int batchSize)
{
    if (StoreError e = beginCall())
        return e;
    if (StoreError e = cacheExpiryError(info(), criteria))
        return e;
    if (m_options.readOnly)
        return StoreError(Code::PermissionDenied, QStringLiteral("%1 is opened read-only").arg(m_info.location));
    if (!criteria.cutoff.isValid())
        return StoreError(Code::QueryFailed, QStringLiteral("a purge needs a cutoff date"));
    if (m_mode == Mode::Views && CouchViews::unsupported(criteria).isEmpty()) {
        Outcome<DeleteBatch> batch = viewPurgeBatch(criteria, batchSize);
        if (batch && m_interrupted.load())
            return cancelled();
        return batch;
    }
    if (StoreError e = ensureIndex())
        return e;
    {
        QMutexLocker lock(&m_dataMutex);
        if (StoreError e = waitFor(lock, [this] { return m_loadFinished; }))
            return e;
    }
    // Current revisions first, so fewer deletes run into conflicts.
    if (StoreError e = catchUp())
        return e;

    auto pendingTasks = [&](int limit) {
        QMutexLocker lock(&m_dataMutex);
        QVector<QPair<QString, QString>> docs;
        for (qint64 slot : m_index.expired(criteria)) {
            const QString id = m_index.docId(slot);
            if (m_undeletable.contains(id))
                continue;
            if (docs.size() >= limit)
                break;
            docs.append({id, m_index.rev(slot)});
        }
        return docs;
    };
    auto pendingGroups = [&](int limit) {
        QMutexLocker lock(&m_dataMutex);
        QVector<QPair<QString, QString>> docs;
        if (!criteria.includesGroups())
            return docs;
        for (auto it = m_groups.entries().cbegin(); it != m_groups.entries().cend() && docs.size() < limit; ++it) {
            if (criteria.matchesGroup(it->group.dateDone) && !m_undeletable.contains(it.key()))
                docs.append({it.key(), it->rev});
        }
        return docs;
    };

    Outcome<DeleteBatch> batch = purgeIndexBatch(
        batchSize,
        [&](IndexPurgePart part, int limit) {
            // No cache expiry here (cacheExpiryError() above): nothing in that part.
            return part == IndexPurgePart::Groups  ? pendingGroups(limit)
                 : part == IndexPurgePart::Tasks ? pendingTasks(limit)
                                                 : QVector<QPair<QString, QString>>();
        },
        [&](IndexPurgePart part, const QVector<QPair<QString, QString>> &docs) {
            return bulkDelete(docs, [&criteria, part](const Parsed &p) { return stillExpired(criteria, part, p); });
        });
    if (!batch)
        return batch;
    if (m_interrupted.load())
        return cancelled();
    QMutexLocker lock(&m_dataMutex);
    updateInfo();
    return batch;
}

Outcome<DeleteBatch> CouchStore::deleteRows(const QVector<qint64> &rowIds)
{
    if (StoreError e = beginCall())
        return e;
    if (m_options.readOnly)
        return StoreError(Code::PermissionDenied, QStringLiteral("%1 is opened read-only").arg(m_info.location));
    QVector<QPair<QString, QString>> docs;
    QStringList unrevised; // views mode: rows whose revision is read now
    {
        QMutexLocker lock(&m_dataMutex);
        for (qint64 rowId : rowIds) {
            const qint64 slot = m_index.slotOfRow(rowId);
            if (slot >= 0)
                docs.append({m_index.docId(slot), m_index.rev(slot)});
            else if (m_viewRowDocs.contains(rowId))
                unrevised.append(m_viewRowDocs.value(rowId));
        }
    }
    if (!unrevised.isEmpty()) {
        const Outcome<QVector<QPair<QString, QString>>> current = currentRevisions(unrevised);
        if (!current)
            return current.error();
        docs += *current;
    }
    DeleteBatch batch;
    batch.finished = true;
    if (docs.isEmpty())
        return batch;
    // Selected rows: delete them if they are still Celery results, whatever their dates.
    const Outcome<qint64> n = bulkDelete(docs, [](const Parsed &p) { return p.kind == Parsed::Kind::Task; });
    if (!n)
        return n.error();
    batch.tasks = *n;
    QMutexLocker lock(&m_dataMutex);
    updateInfo();
    return batch;
}

Outcome<StoreFactory> makeCouchStoreFactory(const StoreUrl &url, const StoreOptions &options)
{
    const Outcome<CouchConfig> config = CouchConfig::fromUrl(url);
    if (!config)
        return config.error();
    return StoreFactory([c = *config, options]() -> std::unique_ptr<ResultStore> {
        return std::make_unique<CouchStore>(c, options);
    });
}
