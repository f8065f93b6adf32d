#include "exportjob.h"

#include <QDir>
#include <QMutex>
#include <QMutexLocker>
#include <QSaveFile>

#include "taskresultjson.h"
#include "taskresultmodel.h"

/// What one step reports from the worker thread.
struct ExportJob::Step
{
    qint64 done = 0;   ///< rows written so far
    bool more = false; ///< the export goes on
    bool cancelled = false;
    QString error;     ///< the export stopped: one sentence
};

/// One export: what it writes and, on the worker thread, the file it writes to.
struct ExportJob::Run
{
    QString path;
    RowWriter::Format format = RowWriter::Format::Csv;
    bool byQuery = true;
    TaskQuery query;
    QVector<qint64> rowIds;
    std::atomic_bool cancelled{false};

    /// Held while a step runs (steps of one run never overlap; this says so).
    QMutex mutex;
    // Worker thread only, under `mutex`.
    std::unique_ptr<QSaveFile> file;
    std::unique_ptr<RowWriter> writer;
    qint64 position = 0; ///< rows read (query) or ids handled (rows)
    qint64 written = 0;

    Step step(ResultStore &store);

private:
    QString shownPath() const { return QDir::toNativeSeparators(path); }
    QString open(const StoreInfo &info);
    Outcome<QVector<TaskResult>> nextRows(ResultStore &store, bool *last);
    /// The file's error as the sentence that ends the export, or empty.
    QString writeError() const;
    /// Forgets the temporary file (removed) and the writer.
    void discard();
};

QString ExportJob::Run::open(const StoreInfo &info)
{
    file = std::make_unique<QSaveFile>(path);
    if (!file->open(QIODevice::WriteOnly)) {
        const QString error = ExportJob::tr("Cannot write %1: %2.").arg(shownPath(), file->errorString());
        discard();
        return error;
    }
    QSaveFile *target = file.get();
    writer = RowWriter::create(format, [target](const QString &text) { target->write(text.toUtf8()); },
                               outputFields(info), {});
    writer->begin();
    return {};
}

QString ExportJob::Run::writeError() const
{
    if (file->error() == QFileDevice::NoError)
        return {};
    return ExportJob::tr("Cannot write %1: %2; nothing was saved.").arg(shownPath(), file->errorString());
}

void ExportJob::Run::discard()
{
    writer.reset();
    if (file)
        file->cancelWriting();
    file.reset(); // QSaveFile removes its temporary file
}

Outcome<QVector<TaskResult>> ExportJob::Run::nextRows(ResultStore &store, bool *last)
{
    if (byQuery) {
        const int want = RowWriter::pageRows;
        Outcome<QVector<TaskResult>> page = store.fetchPage(query, position, want, RowDetail::Full);
        if (page) {
            position += page->size();
            *last = page->size() < want;
        }
        return page;
    }
    QVector<TaskResult> rows;
    const qsizetype end = std::min<qsizetype>(rowIds.size(), position + rowsPerStep);
    for (qsizetype i = position; i < end; ++i) {
        const Outcome<TaskResult> row = store.fetchOne(rowIds.at(i));
        if (row)
            rows.append(*row);
        else if (row.error().code != StoreError::Code::NotFound) // deleted meanwhile: left out
            return row.error();
    }
    position = end;
    *last = position >= rowIds.size();
    return rows;
}

ExportJob::Step ExportJob::Run::step(ResultStore &store)
{
    QMutexLocker locked(&mutex);
    Step answer;
    if (!cancelled.load() && !file) {
        answer.error = open(store.info());
        if (!answer.error.isEmpty())
            return answer;
    }
    bool last = false;
    const Outcome<QVector<TaskResult>> rows = cancelled.load() ? Outcome<QVector<TaskResult>>(QVector<TaskResult>())
                                                               : nextRows(store, &last);
    if (cancelled.load()) {
        discard();
        answer.cancelled = true;
        answer.done = written;
        return answer;
    }
    if (!rows) {
        discard();
        answer.error = ExportJob::tr("Cannot read the results: %1; nothing was saved.").arg(rows.error().message);
        return answer;
    }
    if (!rows->isEmpty())
        writer->writePage(*rows);
    written += rows->size();
    answer.done = written;
    if (last) {
        writer->end();
        if (answer.error = writeError(); answer.error.isEmpty() && !file->commit())
            answer.error = ExportJob::tr("Cannot write %1: %2; nothing was saved.").arg(shownPath(), file->errorString());
    } else {
        answer.error = writeError();
    }
    if (!answer.error.isEmpty() || last)
        discard(); // committed, or the temporary file goes
    answer.more = !last && answer.error.isEmpty();
    return answer;
}

// ---------------------------------------------------------------------------------------

ExportJob::ExportJob(TaskResultModel *model, QObject *parent) : QObject(parent), m_model(model)
{
    qRegisterMetaType<ExportSummary>();
}

ExportJob::~ExportJob()
{
    if (!m_run)
        return;
    // A step queued behind is skipped; the temporary file goes with the last reference to
    // the run, on whichever thread drops it.
    m_run->cancelled.store(true);
    if (m_model && m_running)
        m_model->cancelRequest(m_step);
}

void ExportJob::exportQuery(const QString &path, RowWriter::Format format, const TaskQuery &query, qint64 expected)
{
    auto run = std::make_shared<Run>();
    run->path = path;
    run->format = format;
    run->query = query;
    m_summary = ExportSummary();
    m_summary.expected = expected;
    start(std::move(run));
}

void ExportJob::exportRows(const QString &path, RowWriter::Format format, const QVector<qint64> &rowIds)
{
    auto run = std::make_shared<Run>();
    run->path = path;
    run->format = format;
    run->byQuery = false;
    run->rowIds = rowIds;
    m_summary = ExportSummary();
    m_summary.expected = rowIds.size();
    start(std::move(run));
}

void ExportJob::start(std::shared_ptr<Run> run)
{
    Q_ASSERT(!m_running);
    m_summary.path = run->path;
    m_run = std::move(run);
    m_running = true;
    m_clock.start();
    requestStep();
}

void ExportJob::cancel()
{
    if (!m_running || !m_model)
        return;
    m_run->cancelled.store(true);
    // The page being read stops at once (its reply is dropped); the step asked for now
    // removes the temporary file and answers "cancelled".
    m_model->cancelRequest(m_step);
    requestStep();
}

void ExportJob::requestStep()
{
    if (!m_model) {
        ExportSummary summary = m_summary;
        summary.error = tr("No database is open.");
        // Still asynchronous: finished() never comes from inside a start.
        QMetaObject::invokeMethod(this, [this, summary] { finish(summary); }, Qt::QueuedConnection);
        return;
    }
    const std::shared_ptr<Run> run = m_run;
    RequestOptions options;
    options.wholeStore = true; // a store still reading its index (CouchDB) exports all of it
    m_step = m_model->request<Step>(
        this, [run](ResultStore &store) -> Outcome<Step> { return run->step(store); },
        [this, run](const Reply<Step> &reply) {
            if (run != m_run || !m_running)
                return;
            ExportSummary summary = m_summary;
            if (!reply) {
                // The store went away (closed, another database opened): no step ran.
                summary.error = tr("Cannot read the results: %1; nothing was saved.").arg(reply.error().message);
                finish(summary);
                return;
            }
            m_summary.rows = reply->done;
            summary.rows = reply->done;
            summary.cancelled = reply->cancelled;
            summary.error = reply->error;
            if (reply->more) {
                Q_EMIT progress(reply->done, m_summary.expected);
                requestStep();
                return;
            }
            finish(summary);
        },
        options);
}

void ExportJob::finish(ExportSummary summary)
{
    m_running = false;
    m_run.reset(); // a late reply of it is ignored
    summary.elapsedMs = m_clock.elapsed();
    Q_EMIT finished(summary);
}
