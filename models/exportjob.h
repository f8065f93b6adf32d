#pragma once

#include "resultstore.h"
#include "rowwriter.h"
#include "storeworker.h"

#include <QElapsedTimer>
#include <QObject>
#include <QPointer>

#include <memory>

class TaskResultModel;

/// What an export wrote. "No partial file": unless ok(), nothing is under `path` that was
/// not there before (the rows went to a temporary file next to it, which is gone).
struct ExportSummary
{
    QString path;
    qint64 rows = 0;       ///< rows written (all of them when ok())
    qint64 expected = -1;  ///< what was announced; -1 = unknown
    bool cancelled = false;
    QString error;         ///< one sentence; empty unless it failed
    qint64 elapsedMs = 0;

    bool ok() const { return !cancelled && error.isEmpty(); }
};

Q_DECLARE_METATYPE(ExportSummary)

/// Writes what the window shows to a file in one of `stalk list`'s formats (RowWriter, so the
/// file is byte for byte what `stalk list … --format F` prints): every result matching a
/// query, in its order, or a list of rows by id.
///
/// Runs on a TaskResultModel's worker with the model's own store, one request per page of
/// RowWriter::pageRows complete rows — the page is read and written there, never on the GUI
/// thread — so memory stays flat and the window's own pages are served between two pages.
/// The rows go to a temporary file in the target's directory (QSaveFile), renamed to the
/// target only once every row is written: a full disk, an unwritable path, a failed read or
/// a cancel leave no file under the target's name. Owned by its parent; emits finished()
/// exactly once per start. GUI thread.
class ExportJob final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(ExportJob)
public:
    explicit ExportJob(TaskResultModel *model, QObject *parent = nullptr);
    /// Cancels: the step in flight is interrupted and the temporary file removed.
    ~ExportJob() override;

    /// Every result matching query, in its order (expected: its count for the progress, or -1).
    void exportQuery(const QString &path, RowWriter::Format format, const TaskQuery &query, qint64 expected);
    /// These rows, in this order (rows deleted meanwhile are left out).
    void exportRows(const QString &path, RowWriter::Format format, const QVector<qint64> &rowIds);
    /// Stops the page being read, removes the temporary file, then finished(cancelled).
    void cancel();
    bool isRunning() const { return m_running; }

    /// Rows read by id per step of exportRows().
    static constexpr int rowsPerStep = 500;

Q_SIGNALS:
    void progress(qint64 done, qint64 expected);
    void finished(const ExportSummary &summary);

private:
    struct Run;
    struct Step;
    void start(std::shared_ptr<Run> run);
    void requestStep();
    void finish(ExportSummary summary);

    QPointer<TaskResultModel> m_model;
    std::shared_ptr<Run> m_run;
    RequestId m_step = 0; ///< the request in flight
    bool m_running = false;
    ExportSummary m_summary;
    QElapsedTimer m_clock;
};
