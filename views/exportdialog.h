#pragma once

#include "exportjob.h"
#include "taskquery.h"

#include <QDialog>
#include <QPointer>
#include <QVector>

class QComboBox;
class QLabel;
class QLineEdit;
class QProgressBar;
class QPushButton;
class QRadioButton;
class TaskResultModel;

/// File → Export…: what (every result matching the window's filters and search, or the
/// selected rows), the format (CSV, JSON, JSON Lines: `stalk list`'s) and the file; then an
/// ExportJob on the window's model writes it with progress and Cancel, and a summary follows.
/// Closing while exporting cancels (the dialog stays to say so).
///
/// GUI thread; owned by its parent.
class ExportDialog final : public QDialog
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(ExportDialog)
public:
    /// matching: the query's count (-1 = unknown); selectedIds: the loaded selected rows' ids
    /// in view order (empty: no selection to export, or everything is selected: then the
    /// matching results are the selection); selectedCount: how many rows are selected.
    /// settingsKey: the connection's group in the settings (ConnectionBar::settingsKey()),
    /// where the last export's directory is remembered.
    ExportDialog(TaskResultModel *model, const QString &settingsKey, const TaskQuery &query, qint64 matching,
                 const QVector<qint64> &selectedIds, qint64 selectedCount, QWidget *parent = nullptr);
    ~ExportDialog() override;

    bool isRunning() const;
    /// The file's suffix follows the format: "results.csv" for CSV.
    static QString withSuffix(const QString &path, RowWriter::Format format);

Q_SIGNALS:
    void exportFinished(const ExportSummary &summary);

public Q_SLOTS:
    void reject() override;

protected:
    void closeEvent(QCloseEvent *event) override;

private:
    RowWriter::Format format() const;
    void browse();
    void start();
    void onProgress(qint64 done, qint64 expected);
    void onFinished(const ExportSummary &summary);
    /// The choices and the Export button (the selection only when there is one).
    void setInputsEnabled(bool enabled);

    QPointer<TaskResultModel> m_model;
    QString m_directoryKey;
    TaskQuery m_query;
    qint64 m_matching = -1;
    QVector<qint64> m_selectedIds;
    bool m_done = false;
    QRadioButton *m_matchingRadio = nullptr;
    QRadioButton *m_selectionRadio = nullptr;
    QComboBox *m_formatCombo = nullptr;
    QLineEdit *m_pathEdit = nullptr;
    QPushButton *m_browse = nullptr;
    QProgressBar *m_progress = nullptr;
    QLabel *m_summary = nullptr;
    QPushButton *m_export = nullptr;
    QPushButton *m_cancel = nullptr;
    ExportJob *m_job = nullptr;
};

/// "Exported 1,234 results to /tmp/x.csv in 0.4 s", "Export cancelled; nothing was saved",
/// or the error sentence.
QString exportSummaryText(const ExportSummary &summary);
