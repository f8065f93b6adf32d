#pragma once

#include "purger.h"
#include "resultstore.h"
#include "storeworker.h"

#include <QDialog>
#include <QMap>
#include <QPointer>
#include <QVector>

class QLabel;
class QProgressBar;
class QPushButton;
class TaskResultModel;

/// "Delete 3 selected results? (2 SUCCESS, 1 FAILURE)": confirm, then a PurgeJob on the
/// window's model (its worker, its store) deletes exactly these row ids in batches with
/// progress and Cancel, and a summary follows.
/// Made with a TaskQuery instead (Select All: every matching result, most never loaded), it
/// deletes by the query: purgeCriteriaFor() with the bound fixed when the dialog opens, the
/// count and status breakdown previewed on the model's worker, then a purge of exactly that
/// set — or it says why the query cannot be deleted by filter and offers nothing to confirm.
/// Closing while deleting cancels the job (the dialog stays to show the summary);
/// destroying the dialog cancels and waits for the batch in flight.
///
/// GUI thread; owned by its parent.
class DeleteSelectedDialog final : public QDialog
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(DeleteSelectedDialog)
public:
    DeleteSelectedDialog(TaskResultModel *model, const QVector<qint64> &rowIds,
                         const QMap<QString, qint64> &countByStatus, QWidget *parent = nullptr);
    /// Every result matching `query` (`selected` of them in the window's count).
    DeleteSelectedDialog(TaskResultModel *model, const TaskQuery &query, qint64 selected,
                         QWidget *parent = nullptr);
    /// Every result matching `query`, which the dialog names `subject` (the Failures tab's
    /// group: "KeyError in proj.tasks.add (FAILURE)"); nothing is selected in the table.
    DeleteSelectedDialog(TaskResultModel *model, const TaskQuery &query, const QString &subject,
                         QWidget *parent = nullptr);
    ~DeleteSelectedDialog() override;

    /// Disables the confirm button with an explanation (the connection is read-only).
    void setReadOnly(bool readOnly);
    bool isRunning() const;
    /// The results the confirm button deletes: the ids' count, or the query's preview (-1
    /// while it is being counted or when the query cannot be deleted by filter).
    qint64 expected() const { return m_expected; }

Q_SIGNALS:
    /// The query's preview answered (tests wait on it).
    void previewUpdated(qint64 total);
    void deleteFinished(const PurgeSummary &summary);

public Q_SLOTS:
    void reject() override;

protected:
    void closeEvent(QCloseEvent *event) override;

private:
    /// The icon, the texts, the hidden progress bar and summary, the buttons.
    void buildUi(const QString &confirmText);
    void previewQuery(const TaskQuery &query, qint64 selected);
    void onPreview(qint64 selected, const Reply<PurgePreview> &reply);
    void updateConfirm();
    void confirm();
    void onFinished(const PurgeSummary &summary);

    QPointer<TaskResultModel> m_model;
    QVector<qint64> m_rowIds;
    bool m_byQuery = false;      ///< deletes m_criteria (Select All), not m_rowIds
    QString m_subject;           ///< by query, named rather than selected: what it names
    PurgeCriteria m_criteria;    ///< by query: its bound fixed when the dialog opened
    qint64 m_expected = -1;
    RequestId m_previewRequest = 0;
    bool m_readOnly = false;
    bool m_done = false;
    QLabel *m_question = nullptr;
    QLabel *m_note = nullptr;
    QProgressBar *m_progress = nullptr;
    QLabel *m_summary = nullptr;
    QPushButton *m_confirm = nullptr;
    QPushButton *m_cancel = nullptr;
    PurgeJob *m_job = nullptr;
};
