#include "taskresultmodel.h"

#include <algorithm>
#include <limits>

#include <QLocale>

#include "storeworker.h"
#include "timeparse.h"
#include "valuedecoder.h"

namespace {

const QString placeholder = QStringLiteral("…");

/// The locale's short date and time format, with seconds (task runs are often sub-minute).
QString dateTimeFormat()
{
    const QLocale locale;
    QString time = locale.timeFormat(QLocale::ShortFormat);
    const qsizetype minutes = time.indexOf(QLatin1String("mm"));
    if (!time.contains(QLatin1Char('s')) && minutes >= 0) {
        // Same separator as between hours and minutes ("H.mm" -> "H.mm.ss").
        const QChar separator = minutes > 0 ? time.at(minutes - 1) : QLatin1Char(':');
        time.insert(minutes + 2, separator + QStringLiteral("ss"));
    }
    return locale.dateFormat(QLocale::ShortFormat) + QLatin1Char(' ') + time;
}

bool isDateColumn(int column)
{
    return column == TaskResultModel::DateDoneColumn || column == TaskResultModel::DateCreatedColumn
        || column == TaskResultModel::DateStartedColumn;
}

constexpr int toolTipChars = 2000;

QString cut(const QString &text, int chars)
{
    return text.size() <= chars ? text : text.left(chars) + placeholder;
}

} // namespace

TaskResultModel::TaskResultModel(QObject *parent)
    : QAbstractTableModel(parent), m_dateFormat(dateTimeFormat())
{
    qRegisterMetaType<StoreInfo>();
    qRegisterMetaType<StoreError>();
    qRegisterMetaType<TaskQuery>();
    qRegisterMetaType<TaskResult>();
    qRegisterMetaType<QVector<TaskResult>>();
    qRegisterMetaType<Facets>();
    qRegisterMetaType<Page>();
    qRegisterMetaType<CountState>();

    m_thread.setObjectName(QStringLiteral("TaskResultModel worker"));
    m_worker = new StoreWorker;
    m_worker->moveToThread(&m_thread);

    connect(m_worker, &StoreWorker::opened, this, &TaskResultModel::onOpened, Qt::QueuedConnection);
    connect(m_worker, &StoreWorker::openFailed, this, &TaskResultModel::onOpenFailed, Qt::QueuedConnection);
    connect(m_worker, &StoreWorker::countReady, this, &TaskResultModel::onCount, Qt::QueuedConnection);
    connect(m_worker, &StoreWorker::countEstimated, this, &TaskResultModel::onEstimate, Qt::QueuedConnection);
    connect(m_worker, &StoreWorker::facetsReady, this, &TaskResultModel::onFacets, Qt::QueuedConnection);
    connect(m_worker, &StoreWorker::loadProgress, this, &TaskResultModel::onLoadProgress, Qt::QueuedConnection);
    connect(
        m_worker, &StoreWorker::infoUpdated, this,
        [this](quint64 generation, const StoreInfo &info) {
            if (generation != m_generation || !m_open)
                return;
            const bool fieldsChanged = info.fields != m_info.fields;
            m_info = info;
            if (fieldsChanged)
                Q_EMIT headerDataChanged(Qt::Horizontal, 0, ColumnCount - 1);
            Q_EMIT storeInfoChanged(info);
        },
        Qt::QueuedConnection);
    m_progressTimer.setInterval(searchProgressMs);
    connect(&m_progressTimer, &QTimer::timeout, this, &TaskResultModel::readSearchProgress);
    m_loadingTimer.setSingleShot(true);
    m_loadingTimer.setInterval(loadingRefreshMs);
    connect(&m_loadingTimer, &QTimer::timeout, this, &TaskResultModel::refresh);
    connect(m_worker, &StoreWorker::pageReady, this, &TaskResultModel::onPage, Qt::QueuedConnection);
    connect(m_worker, &StoreWorker::quickPageReady, this, &TaskResultModel::onQuickPage, Qt::QueuedConnection);
    connect(m_worker, &StoreWorker::pageFailed, this, &TaskResultModel::onPageFailed, Qt::QueuedConnection);
    connect(m_worker, &StoreWorker::queryFailed, this, &TaskResultModel::onError, Qt::QueuedConnection);
    connect(
        m_worker, &StoreWorker::detailReady, this,
        [this](quint64 epoch, const TaskResult &row) {
            if (epoch == m_epoch)
                Q_EMIT detailReady(row);
        },
        Qt::QueuedConnection);
    connect(
        m_worker, &StoreWorker::detailFailed, this,
        [this](quint64 epoch, qint64 rowId, const StoreError &error) {
            if (epoch == m_epoch)
                Q_EMIT detailFailed(rowId, error);
        },
        Qt::QueuedConnection);

    m_thread.start();

    m_decodeThread.setObjectName(QStringLiteral("TaskResultModel decoder"));
    m_decoder = new QObject;
    m_decoder->moveToThread(&m_decodeThread);
    m_decodeThread.start();
}

TaskResultModel::~TaskResultModel()
{
    // No reply is wanted any more: requests not started are skipped.
    for (const PendingRequest &pending : std::as_const(m_requests))
        pending.dropped->store(true);
    // Skip whatever is queued, cut the running call short, destroy the store on its own
    // thread, then stop the thread.
    m_worker->setLatestGeneration(std::numeric_limits<quint64>::max());
    m_worker->interruptAll();
    StoreWorker *worker = m_worker;
    QMetaObject::invokeMethod(m_worker, [worker] { worker->close(); }, Qt::BlockingQueuedConnection);
    m_thread.quit();
    m_thread.wait();
    delete m_worker;
    // A decode running now completes (decoding cannot be cut short); queued ones are skipped.
    m_decodeThread.quit();
    m_decodeThread.wait();
    delete m_decoder;
}

RequestId TaskResultModel::addRequest(QObject *receiver, std::shared_ptr<std::atomic_bool> *dropped)
{
    const RequestId id = ++m_lastRequest;
    *dropped = std::make_shared<std::atomic_bool>(false);
    m_requests.insert(id, PendingRequest{receiver, *dropped});
    return id;
}

bool TaskResultModel::takeRequest(RequestId id)
{
    const auto it = m_requests.find(id);
    if (it == m_requests.end())
        return false;
    const bool wanted = !it->receiver.isNull();
    m_requests.erase(it);
    return wanted;
}

void TaskResultModel::postRequest(std::shared_ptr<StoreRequest> request)
{
    StoreWorker *worker = m_worker;
    QMetaObject::invokeMethod(m_worker, [worker, request] { worker->runRequest(request); }, Qt::QueuedConnection);
}

void TaskResultModel::postDecode(std::function<void()> work)
{
    QMetaObject::invokeMethod(m_decoder, std::move(work), Qt::QueuedConnection);
}

void TaskResultModel::cancelRequest(RequestId id)
{
    const auto it = m_requests.find(id);
    if (it == m_requests.end())
        return;
    it->dropped->store(true);
    m_requests.erase(it);
    m_worker->interruptRequest(id);
}

RequestId TaskResultModel::previewPurge(const PurgeCriteria &criteria, QObject *receiver,
                                        ReplyHandler<PurgePreview> handler)
{
    RequestOptions options;
    options.wholeStore = true;
    return request<PurgePreview>(
        receiver, [criteria](ResultStore &store) { return store.previewPurge(criteria); }, std::move(handler),
        options);
}

RequestId TaskResultModel::requestFacets(const TaskQuery &query, QObject *receiver, ReplyHandler<Facets> handler)
{
    RequestOptions options;
    options.yieldsToPages = true;
    options.wholeStore = true;
    return request<Facets>(
        receiver, [query](ResultStore &store) { return store.facets(query); }, std::move(handler), options);
}

quint64 TaskResultModel::nextGeneration()
{
    ++m_generation;
    m_worker->setLatestGeneration(m_generation);
    m_worker->interruptStale();
    m_cache.startGeneration();
    m_outstanding = 0;
    m_estimate = -1;
    m_quickShown = false;
    return m_generation;
}

void TaskResultModel::setStoreFactory(StoreFactory factory)
{
    close();
    const quint64 generation = nextGeneration();
    ++m_outstanding;
    StoreWorker *worker = m_worker;
    const quint64 epoch = m_epoch;
    QMetaObject::invokeMethod(
        m_worker,
        [worker, generation, epoch, factory = std::move(factory)] { worker->open(generation, epoch, factory); },
        Qt::QueuedConnection);
    updateBusy();
}

void TaskResultModel::close()
{
    nextGeneration();
    ++m_epoch;
    StoreWorker *worker = m_worker;
    QMetaObject::invokeMethod(m_worker, [worker] { worker->close(); }, Qt::QueuedConnection);
    const bool hadRows = m_rowCount > 0 || !m_cache.isEmpty();
    if (hadRows)
        beginResetModel();
    m_rowCount = 0;
    m_cache.clear();
    m_resetPending = false;
    m_countProvisional = false;
    m_open = false;
    m_info = StoreInfo();
    if (hadRows)
        endResetModel();
    m_loadingTimer.stop();
    setLoading(false, -1);
    setCountState(CountState());
    setFacetsPending(false);
    updateBusy();
}

void TaskResultModel::onOpened(quint64 generation, const StoreInfo &info)
{
    if (generation != m_generation)
        return;
    m_open = true;
    m_info = info;
    finishRequest();
    Q_EMIT headerDataChanged(Qt::Horizontal, 0, ColumnCount - 1);
    Q_EMIT opened(info);
    startGeneration(false);
}

void TaskResultModel::onOpenFailed(quint64 generation, const StoreError &error)
{
    if (generation != m_generation)
        return;
    finishRequest();
    fail(error);
}

void TaskResultModel::fail(const StoreError &error)
{
    CountState state = m_countState;
    state.counting = false;
    state.quickMatches = -1;
    setCountState(state);
    setFacetsPending(false);
    Q_EMIT failed(error);
}

void TaskResultModel::setQuery(const TaskQuery &query)
{
    if (query == m_query && m_open)
        return;
    TaskQuery sortedAsBefore = query;
    sortedAsBefore.sortField = m_query.sortField;
    sortedAsBefore.sortOrder = m_query.sortOrder;
    // Another sort order matches the same rows: the count shown stays right.
    const bool newCount = !(sortedAsBefore == m_query);
    m_query = query;
    if (m_open && newCount) {
        // Set before the count state, so that whoever follows that sees the facets pending too.
        setFacetsPending(true);
        CountState state = m_countState;
        state.counting = true;
        state.quickMatches = -1;
        state.found = -1;
        setCountState(state);
    }
    startGeneration(false);
}

void TaskResultModel::setCountState(const CountState &state)
{
    CountState next = state;
    if (!next.counting)
        next.found = -1;
    // A search being counted may take a scan of every row: say how far it got meanwhile.
    const bool searching = next.counting && !m_query.searchTerms().isEmpty();
    if (searching && !m_progressTimer.isActive())
        m_progressTimer.start();
    else if (!searching)
        m_progressTimer.stop();
    if (next == m_countState)
        return;
    m_countState = next;
    Q_EMIT countStateChanged(m_countState);
}

void TaskResultModel::setFacetsPending(bool pending)
{
    if (pending == m_facetsPending)
        return;
    m_facetsPending = pending;
    Q_EMIT facetsPendingChanged(pending);
}

QString TaskResultModel::openingNote() const
{
    return m_open ? QString() : m_worker->openingNote();
}

void TaskResultModel::readSearchProgress()
{
    const qint64 found = m_worker->searchProgress();
    if (found < 0 || !m_countState.counting || found == m_countState.found)
        return;
    CountState state = m_countState;
    state.found = found;
    setCountState(state);
}

void TaskResultModel::refresh()
{
    startGeneration(true);
}

void TaskResultModel::startGeneration(bool keepRows)
{
    if (!m_open)
        return;
    const quint64 generation = nextGeneration();
    endQuickMatches();
    if (!keepRows) {
        m_resetPending = true;
        m_queryGeneration = generation;
    }

    StoreWorker *worker = m_worker;
    const TaskQuery query = m_query;
    const auto postCount = [&] {
        ++m_outstanding;
        QMetaObject::invokeMethod(
            m_worker, [worker, generation, query, keepRows] { worker->count(generation, query, keepRows); },
            Qt::QueuedConnection);
    };

    if (m_resetPending) {
        // A new query shows its first page as soon as it is read, never waiting for the
        // exact count (a scan for a search): first the store's estimate (instant, not
        // counted as outstanding), then page 0, then the count.
        QMetaObject::invokeMethod(
            m_worker, [worker, generation, query] { worker->estimate(generation, query); }, Qt::QueuedConnection);
        // A search may have rows an index finds at once (a pasted task id): shown while
        // page 0, maybe a scan of every row, is read.
        if (!query.searchTerms().isEmpty()) {
            QMetaObject::invokeMethod(
                m_worker, [worker, generation, query] { worker->quickPage(generation, query, pageSize); },
                Qt::QueuedConnection);
        }
        requestPage(0);
        postCount();
    } else {
        postCount();
        // Re-read the pages the views looked at last (the visible ones); forget the rest,
        // they are read again when a view asks.
        const QVector<int> byUse = m_cache.pagesByRecentUse();
        constexpr int reread = 8;
        for (int i = 0; i < byUse.size(); ++i) {
            if (i < reread)
                requestPage(byUse[i]);
            else
                m_cache.remove(byUse[i]);
        }
    }

    ++m_outstanding;
    QMetaObject::invokeMethod(
        m_worker, [worker, generation, query] { worker->facets(generation, query); }, Qt::QueuedConnection);
    updateBusy();
}

void TaskResultModel::requestPage(int page) const
{
    if (!m_open || page < 0 || !m_cache.mayRequest(page))
        return;
    m_cache.setPending(page);
    ++m_outstanding;
    m_worker->pageQueued();
    StoreWorker *worker = m_worker;
    const quint64 generation = m_generation;
    const TaskQuery query = m_query;
    QMetaObject::invokeMethod(
        m_worker, [worker, generation, query, page] { worker->page(generation, query, page, pageSize); },
        Qt::QueuedConnection);
    // Asked from data(): never emit from inside it.
    scheduleBusyUpdate();
}

void TaskResultModel::onCount(quint64 generation, qint64 matching, qint64 total)
{
    if (generation != m_generation)
        return;
    finishRequest();
    const int rows = int(std::clamp<qint64>(matching, 0, std::numeric_limits<int>::max()));
    m_countProvisional = false;
    if (m_resetPending) {
        beginResetModel();
        m_rowCount = rows;
        m_cache.clear();
        m_cache.adoptEarly(rows);
        m_resetPending = false;
        endResetModel();
    } else {
        // Refresh, or the exact count after a provisional one: keep the rows in place, so
        // views keep selection and scroll position.
        resizeRows(rows);
    }
    CountState state = m_countState;
    state.matching = matching;
    state.total = total;
    state.estimated = false;
    state.counting = false;
    state.quickMatches = -1;
    setCountState(state);
    Q_EMIT countChanged(matching, total);
}

void TaskResultModel::resizeRows(int rows)
{
    if (rows > m_rowCount) {
        beginInsertRows(QModelIndex(), m_rowCount, rows - 1);
        m_rowCount = rows;
        endInsertRows();
    } else if (rows < m_rowCount) {
        beginRemoveRows(QModelIndex(), rows, m_rowCount - 1);
        m_rowCount = rows;
        m_cache.truncate(rows);
        endRemoveRows();
    }
}

void TaskResultModel::onEstimate(quint64 generation, qint64 matching)
{
    if (generation != m_generation)
        return;
    m_estimate = matching;
    CountState state = m_countState;
    state.matching = matching;
    state.estimated = true;
    state.counting = false;
    state.quickMatches = -1;
    setCountState(state);
    // Page 0 is already shown with its own size: grow to the estimate (never shrink below
    // the rows read; the exact count settles it).
    if (!m_resetPending && m_countProvisional) {
        const int rows = int(std::clamp<qint64>(matching, 0, std::numeric_limits<int>::max()));
        if (rows > m_rowCount)
            resizeRows(rows);
    }
}

void TaskResultModel::onLoadProgress(quint64 generation, bool loading, qint64 loaded)
{
    if (generation != m_generation || !m_open)
        return;
    // A count that began while the store was loading may be partial: refresh again soon
    // (the refresh path keeps rows in place). The first count that began after loading
    // ended is complete, and ends the cycle.
    if (loading && !m_loadingTimer.isActive())
        m_loadingTimer.start();
    setLoading(loading, loaded);
}

void TaskResultModel::setLoading(bool loading, qint64 loaded)
{
    if (loading == m_countState.loading && loaded == m_loadedCount)
        return;
    m_loadedCount = loaded;
    CountState state = m_countState;
    state.loading = loading;
    state.loaded = loading ? loaded : -1;
    setCountState(state);
    Q_EMIT loadingChanged(loading, loaded);
}

void TaskResultModel::onFacets(quint64 generation, const Facets &facets)
{
    // A refresh's facets describe the query shown even when a newer refresh came meanwhile:
    // a store loading a million rows refreshes every loadingRefreshMs, faster than it counts
    // the facets, which would otherwise never be shown until the load ends.
    const bool current = generation == m_generation;
    if (!current && (generation < m_queryGeneration || generation <= m_facetsGeneration))
        return;
    if (current)
        finishRequest();
    m_facetsGeneration = generation;
    Q_EMIT facetsChanged(facets);
    setFacetsPending(false);
}

void TaskResultModel::onPage(quint64 generation, int page, const Page &rows)
{
    if (generation != m_generation)
        return;
    m_cache.setAnswered(page);
    Page data = rows;
    if (m_resetPending && page == 0) {
        // The first page of a new query: show it now. A page that is not full is the whole
        // answer (exact); otherwise the row count is provisional until the count arrives.
        const int shown = int(rows.size());
        const bool full = shown >= pageSize;
        const int estimate = int(std::clamp<qint64>(m_estimate, 0, std::numeric_limits<int>::max()));
        if (m_quickShown && mergeIntoQuickMatches(std::move(data), full ? std::max(shown, estimate) : shown)) {
            finishRequest();
            return;
        }
        m_quickShown = false;
        beginResetModel();
        m_cache.clear();
        m_rowCount = full ? std::max(shown, estimate) : shown;
        m_cache.adoptEarly(m_rowCount);
        m_cache.insert(0, std::move(data));
        m_resetPending = false;
        m_countProvisional = true;
        endResetModel();
        endQuickMatches();
    } else if (m_resetPending) {
        m_cache.holdEarly(page, std::move(data));
    } else {
        m_cache.insert(page, std::move(data));
        const int first = page * pageSize;
        const int last = std::min(m_rowCount, first + pageSize) - 1;
        if (first <= last)
            Q_EMIT dataChanged(index(first, 0), index(last, ColumnCount - 1));
    }
    finishRequest();
}

void TaskResultModel::onQuickPage(quint64 generation, const Page &rows)
{
    if (generation != m_generation || !m_resetPending || m_quickShown || rows.isEmpty())
        return;
    // Shown like a first page, but the query stays "reset pending": page 0 (or a failure)
    // still settles it.
    beginResetModel();
    m_cache.clear();
    m_rowCount = int(rows.size());
    m_cache.insert(0, rows);
    m_quickShown = true;
    m_countProvisional = true;
    endResetModel();
    CountState state = m_countState;
    state.quickMatches = m_rowCount;
    setCountState(state);
}

void TaskResultModel::endQuickMatches()
{
    // The search's first page replaced its quick matches; the count is still on its way.
    if (m_countState.quickMatches < 0 || m_quickShown)
        return;
    CountState state = m_countState;
    state.quickMatches = -1;
    setCountState(state);
}

bool TaskResultModel::mergeIntoQuickMatches(Page &&page, int rowCount)
{
    Page *found = m_cache.use(0);
    if (!found)
        return false;
    Page &shown = *found;
    // Every quick match must be in the page, in the same order.
    qsizetype matched = 0;
    for (qsizetype i = 0; i < page.size() && matched < shown.size(); ++i) {
        if (page.at(i).row.rowId == shown.at(matched).row.rowId)
            ++matched;
    }
    if (matched != shown.size())
        return false;

    // Insert each run of new rows where the page has it. Throughout, the shown rows are the
    // page's rows before `pos`, then the quick matches not reached yet.
    for (qsizetype pos = 0; pos < page.size();) {
        const qint64 nextQuick = pos < shown.size() ? shown.at(pos).row.rowId : -1;
        if (page.at(pos).row.rowId == nextQuick) {
            ++pos;
            continue;
        }
        qsizetype end = pos;
        while (end < page.size() && page.at(end).row.rowId != nextQuick)
            ++end;
        beginInsertRows(QModelIndex(), int(pos), int(end - 1));
        for (qsizetype k = pos; k < end; ++k)
            shown.insert(k, page.at(k));
        m_rowCount += int(end - pos);
        endInsertRows();
        pos = end;
    }
    // The same rows now; take the page's copies (a worker may have updated one since). The
    // state is settled before anyone hears of it.
    shown = std::move(page);
    m_cache.adoptEarly(rowCount);
    m_quickShown = false;
    m_resetPending = false;
    m_countProvisional = true;
    if (m_rowCount > 0)
        Q_EMIT dataChanged(index(0, 0), index(m_rowCount - 1, ColumnCount - 1));
    resizeRows(std::max(rowCount, m_rowCount));
    endQuickMatches();
    return true;
}

void TaskResultModel::onPageFailed(quint64 generation, int page, const StoreError &error)
{
    if (generation != m_generation)
        return;
    m_cache.setFailed(page);
    finishRequest();
    if (error.code != StoreError::Code::Cancelled)
        fail(error);
}

void TaskResultModel::onError(quint64 generation, const StoreError &error)
{
    if (generation != m_generation)
        return;
    finishRequest();
    if (m_resetPending) {
        // The new query has no count: show nothing rather than the old query's rows.
        beginResetModel();
        m_rowCount = 0;
        m_cache.clear();
        m_cache.clearEarly();
        m_resetPending = false;
        endResetModel();
    } else if (m_countProvisional) {
        // The count failed after page 0 was shown: keep the rows that were read, drop the
        // estimated rest.
        m_countProvisional = false;
        const Page *first = m_cache.peek(0);
        resizeRows(first ? int(first->size()) : 0);
    }
    // Whichever request failed, the facets shown are no longer on their way to being replaced
    // by this generation's (an interrupted one included): never leave them pending.
    setFacetsPending(false);
    if (error.code != StoreError::Code::Cancelled)
        fail(error);
}

void TaskResultModel::finishRequest()
{
    if (m_outstanding > 0)
        --m_outstanding;
    updateBusy();
}

void TaskResultModel::updateBusy()
{
    const bool busy = m_outstanding > 0;
    if (busy != m_busy) {
        m_busy = busy;
        Q_EMIT busyChanged(busy);
    }
}

void TaskResultModel::scheduleBusyUpdate() const
{
    if (m_busy)
        return;
    auto *self = const_cast<TaskResultModel *>(this);
    QMetaObject::invokeMethod(self, [self] { self->updateBusy(); }, Qt::QueuedConnection);
}

Field TaskResultModel::columnField(int column)
{
    switch (column) {
    case StatusColumn: return Field::Status;
    case TaskNameColumn: return Field::TaskName;
    case TaskIdColumn: return Field::TaskId;
    case WorkerColumn: return Field::Worker;
    case PeriodicTaskColumn: return Field::PeriodicTaskName;
    case DateDoneColumn: return Field::DateDone;
    case DateCreatedColumn: return Field::DateCreated;
    case DateStartedColumn: return Field::DateStarted;
    case ArgsColumn: return Field::Args;
    case ResultColumn: return Field::Result;
    default: return Field::FieldCount;
    }
}

bool TaskResultModel::isColumnAvailable(int column) const
{
    if (column < 0 || column >= ColumnCount)
        return false;
    if (!m_open)
        return true;
    if (column == RuntimeColumn) {
        return m_info.fields.contains(Field::DateDone)
            && (m_info.fields.contains(Field::DateStarted) || m_info.fields.contains(Field::DateCreated));
    }
    return m_info.fields.contains(columnField(column));
}

void TaskResultModel::requestDetail(qint64 rowId)
{
    if (!m_open) {
        Q_EMIT detailFailed(rowId, StoreError(StoreError::Code::QueryFailed, tr("No database is open")));
        return;
    }
    StoreWorker *worker = m_worker;
    const quint64 epoch = m_epoch;
    m_worker->pageQueued(); // before the facets
    QMetaObject::invokeMethod(m_worker, [worker, epoch, rowId] { worker->fetchOne(epoch, rowId); },
                              Qt::QueuedConnection);
}

const TaskResult *TaskResultModel::cachedRow(int row) const
{
    if (row < 0 || row >= m_rowCount)
        return nullptr;
    const PageRow *cached = m_cache.useRow(row);
    return cached ? &cached->row : nullptr;
}

int TaskResultModel::rowOfRowId(qint64 rowId) const
{
    return m_cache.rowOfRowId(rowId, m_rowCount);
}

void TaskResultModel::setShowUtc(bool utc)
{
    if (utc == m_showUtc)
        return;
    m_showUtc = utc;
    Q_EMIT headerDataChanged(Qt::Horizontal, DateDoneColumn, DateStartedColumn);
    if (m_rowCount > 0)
        Q_EMIT dataChanged(index(0, DateDoneColumn), index(m_rowCount - 1, DateStartedColumn));
}

int TaskResultModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : m_rowCount;
}

int TaskResultModel::columnCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
}

QString TaskResultModel::dateText(const QDateTime &date) const
{
    if (!date.isValid())
        return {};
    return QLocale().toString(m_showUtc ? date.toUTC() : date.toLocalTime(), m_dateFormat);
}

QVariant TaskResultModel::displayData(const PageRow &shown, int column) const
{
    const TaskResult &row = shown.row;
    switch (column) {
    case StatusColumn: return row.status;
    case TaskNameColumn: return row.taskName;
    case TaskIdColumn: return row.taskId;
    case WorkerColumn: return row.worker;
    case PeriodicTaskColumn: return row.periodicTaskName;
    case DateDoneColumn: return dateText(row.dateDone);
    case DateCreatedColumn: return dateText(row.dateCreated);
    case DateStartedColumn: return dateText(row.dateStarted);
    case RuntimeColumn: {
        const std::optional<Runtime> runtime = row.runtime();
        return runtime ? TimeParse::formatRuntime(runtime->ms) : QString();
    }
    case ArgsColumn: return shown.argsPreview;
    case ResultColumn: return shown.resultPreview;
    default: return {};
    }
}

QVariant TaskResultModel::rawData(const TaskResult &row, int column) const
{
    switch (column) {
    case StatusColumn: return row.status;
    case TaskNameColumn: return row.taskName;
    case TaskIdColumn: return row.taskId;
    case WorkerColumn: return row.worker;
    case PeriodicTaskColumn: return row.periodicTaskName;
    case DateDoneColumn: return row.dateDone;
    case DateCreatedColumn: return row.dateCreated;
    case DateStartedColumn: return row.dateStarted;
    case RuntimeColumn: {
        const std::optional<Runtime> runtime = row.runtime();
        return runtime ? QVariant(runtime->ms) : QVariant();
    }
    case ArgsColumn: return row.args;
    case ResultColumn: return row.result;
    default: return {};
    }
}

QVariant TaskResultModel::toolTipData(const TaskResult &row, int column) const
{
    const QString more = row.complete ? QString() : QLatin1Char('\n') + tr("(preview; the detail pane shows everything)");
    switch (column) {
    case ArgsColumn: {
        QString text = row.args.isNull() ? QString() : ValueDecoder::decodeArguments(row.args).text;
        if (!row.kwargs.isNull()) {
            const QString kwargs = ValueDecoder::decodeArguments(row.kwargs).text;
            if (!kwargs.isEmpty())
                text += (text.isEmpty() ? QString() : QStringLiteral("\n")) + kwargs;
        }
        return text.isEmpty() ? QVariant() : QVariant(cut(text, toolTipChars) + more);
    }
    case ResultColumn: {
        if (row.result.isNull())
            return {};
        const ValueDecoder::Decoded decoded = ValueDecoder::decodeResult(row.result, row.contentType, row.contentEncoding);
        QString text = cut(decoded.text, toolTipChars);
        if (!decoded.problem.isEmpty())
            text += QLatin1Char('\n') + decoded.problem;
        return text + more;
    }
    case DateDoneColumn:
    case DateCreatedColumn:
    case DateStartedColumn: {
        const QDateTime date = rawData(row, column).toDateTime();
        return date.isValid() ? QVariant(date.toUTC().toString(Qt::ISODateWithMs)) : QVariant();
    }
    case TaskIdColumn: return row.taskId;
    case TaskNameColumn: return row.taskName;
    default: return {};
    }
}

QVariant TaskResultModel::data(const QModelIndex &index, int role) const
{
    // Not checkIndex(): it warns on every invalid index, which views ask for routinely.
    if (!index.isValid() || index.model() != this || index.row() >= m_rowCount || index.column() >= ColumnCount)
        return {};
    const int pageNumber = index.row() / pageSize;
    const PageRow *shown = nullptr;
    if (m_cache.contains(pageNumber))
        shown = m_cache.useRow(index.row());
    else if (!m_resetPending)
        requestPage(pageNumber);
    const TaskResult *row = shown ? &shown->row : nullptr;

    switch (role) {
    case Qt::DisplayRole:
        return row ? displayData(*shown, index.column()) : QVariant(placeholder);
    case Qt::ToolTipRole:
        return row ? toolTipData(*row, index.column()) : QVariant();
    case RawValueRole:
        return row ? rawData(*row, index.column()) : QVariant();
    case TaskResultRole:
        return row ? QVariant::fromValue(*row) : QVariant();
    case RowIdRole:
        return row ? QVariant(row->rowId) : QVariant();
    case TaskIdRole:
        return row ? QVariant(row->taskId) : QVariant();
    case LoadedRole:
        return row != nullptr;
    default:
        return {};
    }
}

QVariant TaskResultModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || section < 0 || section >= ColumnCount)
        return QAbstractTableModel::headerData(section, orientation, role);
    switch (role) {
    case Qt::DisplayRole: {
        QString label;
        switch (section) {
        case StatusColumn: label = tr("Status"); break;
        case TaskNameColumn: label = tr("Task name"); break;
        case TaskIdColumn: label = tr("Task ID"); break;
        case WorkerColumn: label = tr("Worker"); break;
        case PeriodicTaskColumn: label = tr("Periodic task"); break;
        case DateDoneColumn: label = tr("Date done"); break;
        case DateCreatedColumn: label = tr("Date created"); break;
        case DateStartedColumn: label = tr("Date started"); break;
        case RuntimeColumn: label = tr("Runtime"); break;
        case ArgsColumn: label = tr("Args"); break;
        case ResultColumn: label = tr("Result"); break;
        default: break;
        }
        if (m_showUtc && isDateColumn(section))
            label += QStringLiteral(" (UTC)");
        return label;
    }
    case Qt::ToolTipRole:
        if (!isColumnAvailable(section))
            return tr("This database's schema does not store this column");
        if (section == RuntimeColumn)
            return tr("Date done minus date started (or date created), for tasks that finished (SUCCESS, FAILURE)");
        return {};
    default:
        return {};
    }
}

void TaskResultModel::sort(int column, Qt::SortOrder order)
{
    const Field field = columnField(column);
    if (field == Field::FieldCount)
        return; // Runtime is computed; the store cannot order by it.
    TaskQuery query = m_query;
    query.sortField = field;
    query.sortOrder = order;
    setQuery(query);
}
