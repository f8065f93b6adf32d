#pragma once

#include "purger.h"
#include "resultstore.h"

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
    ~DeleteSelectedDialog() override;

    /// Disables the confirm button with an explanation (the connection is read-only).
    void setReadOnly(bool readOnly);
    bool isRunning() const;

Q_SIGNALS:
    void deleteFinished(const PurgeSummary &summary);

public Q_SLOTS:
    void reject() override;

protected:
    void closeEvent(QCloseEvent *event) override;

private:
    void confirm();
    void onFinished(const PurgeSummary &summary);

    QPointer<TaskResultModel> m_model;
    QVector<qint64> m_rowIds;
    bool m_done = false;
    QLabel *m_question = nullptr;
    QLabel *m_note = nullptr;
    QProgressBar *m_progress = nullptr;
    QLabel *m_summary = nullptr;
    QPushButton *m_confirm = nullptr;
    QPushButton *m_cancel = nullptr;
    PurgeJob *m_job = nullptr;
};
