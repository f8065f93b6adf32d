#include "fakestore.h"

#include <algorithm>

#include <QMap>

namespace TestSupport {

void FakeControl::setLoading(bool isLoading, int rowCount)
{
    QMutexLocker locker(&mutex);
    loading = isLoading;
    rows = rowCount;
}

void FakeControl::release()
{
    QMutexLocker locker(&mutex);
    released = true;
    wake.wakeAll();
}

int FakeControl::blockedNow()
{
    QMutexLocker locker(&mutex);
    return blocked;
}

int FakeControl::countCallsNow()
{
    QMutexLocker locker(&mutex);
    return countCalls;
}

void FakeControl::setBlockPages(bool block)
{
    QMutexLocker locker(&mutex);
    blockPages = block;
}

int FakeControl::pageCalls(qint64 offset)
{
    QMutexLocker locker(&mutex);
    return int(pageOffsets.count(offset));
}

QVector<qint64> FakeControl::remainingRowIds()
{
    QMutexLocker locker(&mutex);
    QVector<qint64> ids;
    for (qint64 id = 1; id <= rows; ++id) {
        if (!deleted.contains(id))
            ids.append(id);
    }
    return ids;
}

FakeStore::FakeStore(std::shared_ptr<FakeControl> control) : m_control(std::move(control))
{
    m_control->creatorThread = QThread::currentThreadId();
}

FakeStore::FakeStore(int rows) : FakeStore(std::make_shared<FakeControl>())
{
    m_control->rows = rows;
}

FakeStore::~FakeStore()
{
    m_control->destroyedOnWorkerThread = QThread::currentThreadId() == m_control->creatorThread;
}

StoreError FakeStore::open()
{
    bool block = false;
    {
        QMutexLocker locker(&m_control->mutex);
        block = m_control->blockOpen;
    }
    if (block && !gate())
        return StoreError(StoreError::Code::Cancelled, QStringLiteral("cancelled"));
    return m_control->openError;
}

QString FakeStore::openingNote() const
{
    QMutexLocker locker(&m_control->mutex);
    return m_control->openingNote;
}

void FakeStore::setIncrementalOpen(bool incremental)
{
    m_control->incrementalAsked = incremental;
}

bool FakeStore::isLoading() const
{
    QMutexLocker locker(&m_control->mutex);
    return m_control->loading;
}

qint64 FakeStore::loadedCount() const
{
    QMutexLocker locker(&m_control->mutex);
    return m_control->rows;
}

StoreInfo FakeStore::info() const
{
    StoreInfo info;
    info.engine = QStringLiteral("Fake");
    info.fields = FieldSet{Field::RowId, Field::TaskId, Field::Status, Field::TaskName, Field::DateDone,
                           Field::DateCreated, Field::Args, Field::Kwargs, Field::Result};
    return info;
}

QVector<TaskResult> FakeStore::matching(const TaskQuery &query) const
{
    int rowCount = 0;
    QSet<qint64> deleted;
    {
        QMutexLocker locker(&m_control->mutex);
        rowCount = m_control->rows;
        deleted = m_control->deleted;
    }
    QVector<TaskResult> rows;
    const QDateTime base(QDate(2025, 1, 1), QTime(0, 0), Qt::UTC);
    for (int i = rowCount; i >= 1; --i) {
        if (deleted.contains(i))
            continue;
        TaskResult row;
        row.rowId = i;
        row.taskId = QStringLiteral("task-%1").arg(i, 5, 10, QLatin1Char('0'));
        row.status = i % 3 == 0 ? QStringLiteral("FAILURE") : QStringLiteral("SUCCESS");
        row.taskName = QStringLiteral("proj.tasks.add");
        row.dateCreated = base.addSecs(i * 60);
        // Runtime: 1.23 s for odd rows, 125 s for even rows.
        row.dateDone = row.dateCreated.addMSecs(i % 2 ? 1230 : 125000);
        row.args = QStringLiteral("\"(%1, 2)\"").arg(i);
        row.kwargs = QStringLiteral("\"{}\"");
        row.result = QString::number(i + 2);
        row.contentType = QStringLiteral("application/json");
        row.contentEncoding = QStringLiteral("utf-8");
        if (!query.statuses.isEmpty() && !query.statuses.contains(row.status))
            continue;
        rows.append(row);
    }
    return rows;
}

bool FakeStore::gate()
{
    QMutexLocker locker(&m_control->mutex);
    ++m_control->blocked;
    while (!m_control->released && !(m_control->interruptFlag && !m_control->ignoreInterrupt))
        m_control->wake.wait(&m_control->mutex);
    --m_control->blocked;
    const bool interrupted = !m_control->released;
    m_control->interruptFlag = false;
    return !interrupted;
}

Outcome<qint64> FakeStore::count(const TaskQuery &query)
{
    StoreError error;
    {
        QMutexLocker locker(&m_control->mutex);
        ++m_control->countCalls;
        error = m_control->countError;
    }
    bool blockCount = false;
    {
        QMutexLocker locker(&m_control->mutex);
        blockCount = m_control->blockCounts;
    }
    if ((query.search == QLatin1String("slow") || blockCount) && !gate())
        return StoreError(StoreError::Code::Cancelled, QStringLiteral("interrupted"));
    if (error.isError())
        return error;
    return qint64(matching(query).size());
}

Outcome<QVector<TaskResult>> FakeStore::fetchPage(const TaskQuery &query, qint64 offset, int limit, RowDetail)
{
    StoreError error;
    bool block = false;
    {
        QMutexLocker locker(&m_control->mutex);
        m_control->pageOffsets.append(offset);
        error = m_control->pageError;
        block = m_control->blockPages && offset >= m_control->blockFromOffset;
    }
    if (block && !gate())
        return StoreError(StoreError::Code::Cancelled, QStringLiteral("interrupted"));
    if (error.isError())
        return error;
    return matching(query).mid(offset, limit);
}

Outcome<TaskResult> FakeStore::fetchOne(qint64 rowId)
{
    for (TaskResult row : matching(TaskQuery())) {
        if (row.rowId == rowId) {
            row.complete = true;
            return row;
        }
    }
    return StoreError(StoreError::Code::NotFound, QStringLiteral("row %1 is gone").arg(rowId));
}

Outcome<TaskResult> FakeStore::fetchByTaskId(const QString &)
{
    return StoreError(StoreError::Code::Unsupported, QStringLiteral("fake"));
}

Outcome<qint64> FakeStore::estimateCount(const TaskQuery &)
{
    QMutexLocker locker(&m_control->mutex);
    return m_control->estimate;
}

Outcome<QVector<TaskResult>> FakeStore::fetchQuickMatches(const TaskQuery &query, int limit)
{
    QVector<qint64> ids;
    {
        QMutexLocker locker(&m_control->mutex);
        ids = m_control->quickIds;
    }
    QVector<TaskResult> rows;
    for (const TaskResult &row : matching(query)) {
        if (ids.contains(row.rowId) && rows.size() < limit)
            rows.append(row);
    }
    return rows;
}

Outcome<Facets> FakeStore::facets(const TaskQuery &query)
{
    bool block = false;
    StoreError error;
    {
        QMutexLocker locker(&m_control->mutex);
        ++m_control->facetsCalls;
        block = m_control->blockFacets;
        error = m_control->facetsError;
    }
    if (block && !gate())
        return StoreError(StoreError::Code::Cancelled, QStringLiteral("interrupted"));
    if (error.isError())
        return error;
    QMap<QString, qint64> statuses;
    QMap<QString, qint64> taskNames;
    for (const TaskResult &row : matching(query)) {
        ++statuses[row.status];
        ++taskNames[row.taskName];
    }
    Facets facets;
    for (auto it = statuses.cbegin(); it != statuses.cend(); ++it)
        facets.statuses.append({it.key(), it.value()});
    for (auto it = taskNames.cbegin(); it != taskNames.cend(); ++it)
        facets.taskNames.append({it.key(), it.value()});
    return facets;
}

Outcome<PurgePreview> FakeStore::previewPurge(const PurgeCriteria &)
{
    PurgePreview preview;
    preview.total = m_control->remainingRowIds().size();
    return preview;
}

StoreError FakeStore::nextBatch()
{
    QMutexLocker locker(&m_control->mutex);
    if (++m_control->batchesSeen == m_control->failOnBatch)
        return StoreError(StoreError::Code::Locked, QStringLiteral("database is locked: fake (injected)"));
    return {};
}

Outcome<DeleteBatch> FakeStore::purgeBatch(const PurgeCriteria &, int batchSize)
{
    if (const StoreError error = nextBatch(); error.isError())
        return error;
    const QVector<qint64> remaining = m_control->remainingRowIds();
    DeleteBatch batch;
    QMutexLocker locker(&m_control->mutex);
    const int n = std::min<int>(std::max(1, batchSize - m_control->purgeShortBy), remaining.size());
    for (int i = 0; i < n; ++i)
        m_control->deleted.insert(remaining[i]);
    batch.tasks = n;
    batch.finished = n == remaining.size();
    return batch;
}

Outcome<DeleteBatch> FakeStore::deleteRows(const QVector<qint64> &rowIds)
{
    if (const StoreError error = nextBatch(); error.isError())
        return error;
    DeleteBatch batch;
    QMutexLocker locker(&m_control->mutex);
    for (qint64 id : rowIds) {
        if (id >= 1 && id <= m_control->rows && !m_control->deleted.contains(id)) {
            m_control->deleted.insert(id);
            ++batch.tasks;
        }
    }
    return batch;
}

void FakeStore::interrupt()
{
    QMutexLocker locker(&m_control->mutex);
    m_control->interruptFlag = true;
    ++m_control->interrupts;
    m_control->wake.wakeAll();
}

StoreFactory fakeFactory(const std::shared_ptr<FakeControl> &control)
{
    return [control] { return std::make_unique<FakeStore>(control); };
}

} // namespace TestSupport
