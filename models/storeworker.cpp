#include "storeworker.h"

#include <QElapsedTimer>
#include <QMutexLocker>
#include <QTimer>

#include "stalklog.h"
#include "valuedecoder.h"

StoreWorker::StoreWorker(QObject *parent) : QObject(parent) { }

StoreWorker::~StoreWorker()
{
    // The owner calls close() on the worker thread first; this is a safety net for a worker
    // that never had a thread.
    QMutexLocker locker(&m_mutex);
    m_store.reset();
}

void StoreWorker::interruptStale()
{
    QMutexLocker locker(&m_mutex);
    if (m_store && m_running && m_runningGeneration != 0 && m_runningGeneration < m_latest.load())
        m_store->interrupt();
}

void StoreWorker::interruptAll()
{
    QMutexLocker locker(&m_mutex);
    if (m_store && m_running)
        m_store->interrupt();
}

void StoreWorker::interruptRequest(RequestId id)
{
    QMutexLocker locker(&m_mutex);
    if (m_store && m_running && id != 0 && m_runningRequest == id)
        m_store->interrupt();
}

void StoreWorker::pageQueued()
{
    m_pagesQueued.fetch_add(1);
    QMutexLocker locker(&m_mutex);
    if (m_store && m_running && m_runningYields && !m_yielded) {
        m_yielded = true;
        m_store->interrupt();
    }
}

qint64 StoreWorker::searchProgress()
{
    QMutexLocker locker(&m_mutex);
    return m_store && m_running ? m_store->searchProgress() : -1;
}

QString StoreWorker::openingNote()
{
    QMutexLocker locker(&m_mutex);
    return m_store && m_running ? m_store->openingNote() : QString();
}

namespace {

/// The error of a store call's answer, or nullptr when it worked.
template<typename T>
const StoreError *failure(const Outcome<T> &outcome)
{
    return outcome.ok() ? nullptr : &outcome.error();
}

const StoreError *failure(const StoreError &error)
{
    return error.isError() ? &error : nullptr;
}

} // namespace

template<typename Call>
auto StoreWorker::run(const char *what, const Caller &caller, Call &&call) -> decltype(call())
{
    QElapsedTimer timer;
    timer.start();
    {
        QMutexLocker locker(&m_mutex);
        m_running = true;
        m_runningGeneration = caller.generation;
        m_runningRequest = caller.request;
        m_runningYields = caller.yielding;
        m_yielded = false;
    }
    auto outcome = call();
    bool yielded = false;
    {
        QMutexLocker locker(&m_mutex);
        yielded = m_yielded;
        m_runningYields = false;
    }
    // An interrupt aimed at an older call can land on this one (it raced with the start of
    // the call); the request is still wanted, so ask once more. A call that yielded to a
    // page request is asked again by its caller, after the page.
    const StoreError *error = failure(outcome);
    const bool wanted = caller.generation != 0 ? !isStale(caller.generation)
                                               : caller.request != 0 && !caller.dropped->load();
    // The stalk.model log names the call and who asked: "page of generation 4", "request 12".
    const auto called = [&] {
        if (caller.request != 0)
            return QStringLiteral("%1 (request %2)").arg(QLatin1String(what)).arg(caller.request);
        return caller.generation != 0 ? QStringLiteral("%1 of generation %2").arg(QLatin1String(what)).arg(caller.generation)
                                      : QString::fromLatin1(what);
    };
    if (error && error->code == StoreError::Code::Cancelled && wanted && !yielded) {
        qCDebug(lcModel).noquote() << called() << "was hit by an interrupt aimed at an older call: asking once more";
        outcome = call();
    }
    if (lcModel().isDebugEnabled()) {
        const StoreError *failed = failure(outcome);
        QString line = called() + (failed ? QStringLiteral(" failed (%1)").arg(failed->message) : QStringLiteral(" answered"))
            + QStringLiteral(" in ") + StalkLog::elapsed(timer);
        if (failed && failed->code == StoreError::Code::Cancelled && yielded)
            line += QStringLiteral(": yielded to a page request, asked again after it");
        else if (caller.generation != 0 && isStale(caller.generation))
            line += QStringLiteral(": stale (a newer request came), the answer is dropped");
        qCDebug(lcModel).noquote() << line;
    }
    {
        QMutexLocker locker(&m_mutex);
        m_running = false;
        m_runningGeneration = 0;
        m_runningRequest = 0;
        m_yielded = false;
    }
    return outcome;
}

void StoreWorker::later(std::function<void()> again, int delayMs)
{
    if (delayMs > 0)
        QTimer::singleShot(delayMs, this, std::move(again));
    else
        QMetaObject::invokeMethod(this, std::move(again), Qt::QueuedConnection);
}

void StoreWorker::open(quint64 generation, quint64 epoch, const StoreFactory &factory)
{
    if (isStale(generation))
        return;
    close();
    m_epoch = epoch;
    std::unique_ptr<ResultStore> store = factory ? factory() : nullptr;
    if (!store) {
        Q_EMIT openFailed(generation, StoreError(StoreError::Code::Unsupported,
                                                 tr("No store could be made for this location")));
        return;
    }
    // Stores that build an index may show their first rows before the whole index is read
    // (the model refreshes while isLoading(), see count()).
    store->setIncrementalOpen(true);
    // The store is reachable for interrupt*() while it connects (a remote server can take
    // a while to refuse), so closing the model never waits for a connect timeout.
    {
        QMutexLocker locker(&m_mutex);
        m_store = std::move(store);
        m_running = true;
        m_runningGeneration = generation;
    }
    QElapsedTimer timer;
    timer.start();
    const StoreError error = m_store->open();
    {
        QMutexLocker locker(&m_mutex);
        m_running = false;
        m_runningGeneration = 0;
    }
    qCDebug(lcModel).noquote() << "open of generation" << generation
                               << (error ? QStringLiteral("failed (%1)").arg(error.message) : QStringLiteral("answered"))
                               << "in" << StalkLog::elapsed(timer);
    if (error.isError()) {
        close();
        Q_EMIT openFailed(generation, error);
        return;
    }
    const StoreInfo info = m_store->info();
    Q_EMIT opened(generation, info);
}

void StoreWorker::close()
{
    m_total = -1;
    m_lastCountLoading = false;
    std::unique_ptr<ResultStore> store;
    {
        QMutexLocker locker(&m_mutex);
        store = std::move(m_store);
    }
    // Destroyed here, on the worker thread, outside the lock.
    store.reset();
}

namespace {
StoreError notOpen()
{
    return StoreError(StoreError::Code::QueryFailed, StoreWorker::tr("No database is open"));
}
} // namespace

void StoreWorker::count(quint64 generation, const TaskQuery &query, bool recountTotal)
{
    if (isStale(generation))
        return;
    if (!m_store) {
        Q_EMIT queryFailed(generation, notOpen());
        return;
    }
    // Asked before counting: a count that began while loading may miss rows, so the model
    // refreshes once more after it.
    const bool wasLoading = m_store->isLoading();
    // A refresh (recountTotal) first reads what other clients changed into the store's index
    // (ResultStore::refresh()). Not while the index loads, nor on the count right after
    // loading ended: the index is as fresh as a re-scan would make it.
    if (recountTotal && !wasLoading && !m_lastCountLoading) {
        const StoreError refreshed = run("refresh", {generation}, [&] { return m_store->refresh(); });
        if (isStale(generation))
            return;
        if (refreshed.isError()) {
            Q_EMIT queryFailed(generation, refreshed);
            return;
        }
    }
    const Outcome<qint64> matching = run("count", {generation}, [&] { return m_store->countBeforeFacets(query); });
    if (isStale(generation))
        return;
    if (!matching) {
        Q_EMIT queryFailed(generation, matching.error());
        return;
    }
    if (query.isUnfiltered()) {
        m_total = *matching;
    } else if (recountTotal || m_total < 0) {
        const Outcome<qint64> all = run("count of all", {generation}, [&] { return m_store->count(TaskQuery()); });
        if (isStale(generation))
            return;
        if (!all) {
            Q_EMIT queryFailed(generation, all.error());
            return;
        }
        m_total = *all;
    }
    // Also once after loading ended: the last parts of the index (groups, foreign
    // documents) arrive at the end.
    if (wasLoading || m_lastCountLoading)
        Q_EMIT infoUpdated(generation, m_store->info());
    m_lastCountLoading = wasLoading;
    Q_EMIT loadProgress(generation, wasLoading, m_store->loadedCount());
    Q_EMIT countReady(generation, *matching, m_total);
}

void StoreWorker::estimate(quint64 generation, const TaskQuery &query)
{
    if (isStale(generation) || !m_store)
        return;
    const Outcome<qint64> estimate = run("estimate", {generation}, [&] { return m_store->estimateCount(query); });
    // No estimate is no loss: the exact count follows.
    if (!isStale(generation) && estimate && *estimate >= 0)
        Q_EMIT countEstimated(generation, *estimate);
}

void StoreWorker::facets(quint64 generation, const TaskQuery &query)
{
    if (isStale(generation))
        return;
    if (!m_store) {
        Q_EMIT queryFailed(generation, notOpen());
        return;
    }
    const auto again = [this, generation, query] {
        later([this, generation, query] { facets(generation, query); });
    };
    // Pages first: behind the queued page requests (they are ahead of this repost).
    if (m_pagesQueued.load() > 0) {
        again();
        return;
    }
    bool yielded = false;
    Caller caller{generation};
    caller.yielding = true;
    const Outcome<Facets> facets = run("facets", caller, [&] {
        auto outcome = m_store->facets(query);
        QMutexLocker locker(&m_mutex);
        yielded = m_yielded;
        return outcome;
    });
    if (isStale(generation)) {
        // Still the facets of the query if only a refresh came since: the model decides.
        if (facets)
            Q_EMIT facetsReady(generation, *facets);
        return;
    }
    if (!facets && facets.error().code == StoreError::Code::Cancelled && yielded) {
        again();
        return;
    }
    if (!facets)
        Q_EMIT queryFailed(generation, facets.error());
    else
        Q_EMIT facetsReady(generation, *facets);
}

void StoreWorker::page(quint64 generation, const TaskQuery &query, int page, int pageSize)
{
    pageDequeued();
    if (isStale(generation))
        return;
    if (!m_store) {
        Q_EMIT pageFailed(generation, page, notOpen());
        return;
    }
    const Outcome<QVector<TaskResult>> rows = run("page", {generation}, [&] {
        return m_store->fetchPage(query, qint64(page) * pageSize, pageSize, RowDetail::Summary);
    });
    if (isStale(generation))
        return;
    if (!rows) {
        Q_EMIT pageFailed(generation, page, rows.error());
        return;
    }
    Q_EMIT pageReady(generation, page, withPreviews(*rows));
}

void StoreWorker::quickPage(quint64 generation, const TaskQuery &query, int pageSize)
{
    if (isStale(generation) || !m_store)
        return;
    const Outcome<QVector<TaskResult>> rows = run("quick page", {generation}, [&] { return m_store->fetchQuickMatches(query, pageSize); });
    // No quick rows is no loss: page 0 follows.
    if (isStale(generation) || !rows || rows->isEmpty())
        return;
    Q_EMIT quickPageReady(generation, withPreviews(*rows));
}

Page StoreWorker::withPreviews(const QVector<TaskResult> &rows)
{
    // Decoding here keeps it off the GUI thread; the table shows these lines as they are.
    Page page;
    page.reserve(rows.size());
    for (const TaskResult &row : rows) {
        QString args = row.args.isNull() ? QString() : ValueDecoder::argumentsSummary(row.args);
        if (!row.kwargs.isNull()) {
            const QString kwargs = ValueDecoder::argumentsSummary(row.kwargs);
            if (!kwargs.isEmpty() && kwargs != QLatin1String("{}"))
                args = args.isEmpty() ? kwargs : args + QLatin1Char(' ') + kwargs;
        }
        const QString result = row.result.isNull()
            ? QString()
            : ValueDecoder::resultSummary(row.result, row.contentType, row.contentEncoding);
        page.append(PageRow{row, args, result});
    }
    return page;
}

void StoreWorker::pageDequeued()
{
    for (int n = m_pagesQueued.load(); n > 0 && !m_pagesQueued.compare_exchange_weak(n, n - 1);) { }
}

void StoreWorker::fetchOne(quint64 epoch, qint64 rowId)
{
    pageDequeued();
    if (!m_store) {
        Q_EMIT detailFailed(epoch, rowId, notOpen());
        return;
    }
    const Outcome<TaskResult> row = run("row", {}, [&] { return m_store->fetchOne(rowId); });
    if (!row)
        Q_EMIT detailFailed(epoch, rowId, row.error());
    else
        Q_EMIT detailReady(epoch, *row);
}

void StoreWorker::runRequest(const std::shared_ptr<StoreRequest> &request)
{
    // Dropped before it started: the requester forgot it, nobody waits for its reply.
    if (request->dropped->load())
        return;
    if (!m_store || request->epoch != m_epoch) {
        request->fail(notOpen());
        request->reply();
        return;
    }
    const RequestOptions &options = request->options;
    const auto again = [this, request] { runRequest(request); };
    if (options.wholeStore && m_store->isLoading()) {
        later(again, loadingRetryMs);
        return;
    }
    if (options.yieldsToPages && m_pagesQueued.load() > 0) {
        later(again);
        return;
    }
    Caller caller;
    caller.request = request->id;
    caller.dropped = request->dropped.get();
    caller.yielding = options.yieldsToPages;
    bool yielded = false;
    const StoreError error = run("request", caller, [&] {
        StoreError e = request->call(*m_store);
        QMutexLocker locker(&m_mutex);
        yielded = m_yielded;
        return e;
    });
    if (error.code == StoreError::Code::Cancelled && yielded && !request->dropped->load()) {
        later(again);
        return;
    }
    request->reply();
}
