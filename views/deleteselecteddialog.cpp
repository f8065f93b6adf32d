#include "deleteselecteddialog.h"

#include "deletionwidgets.h"
#include "statusbreakdown.h"
#include "taskresultmodel.h"

#include <QCloseEvent>
#include <QHBoxLayout>
#include <QLabel>
#include <QLocale>
#include <QProgressBar>
#include <QPushButton>
#include <QStyle>
#include <QTimer>
#include <QVBoxLayout>

DeleteSelectedDialog::DeleteSelectedDialog(TaskResultModel *model, const QVector<qint64> &rowIds,
                                           const QMap<QString, qint64> &countByStatus, QWidget *parent)
    : QDialog(parent), m_model(model), m_rowIds(rowIds)
{
    setObjectName(QStringLiteral("deleteSelectedDialog"));
    setWindowTitle(tr("Delete selected results"));

    auto *layout = new QVBoxLayout(this);
    layout->setSpacing(10);

    auto *top = new QHBoxLayout;
    auto *icon = new QLabel(this);
    const int size = style()->pixelMetric(QStyle::PM_MessageBoxIconSize, nullptr, this);
    icon->setPixmap(style()->standardIcon(QStyle::SP_MessageBoxWarning, nullptr, this).pixmap(size, size));
    icon->setAlignment(Qt::AlignTop);
    top->addWidget(icon, 0, Qt::AlignTop);

    auto *texts = new QVBoxLayout;
    const qint64 n = rowIds.size();
    const QString breakdown = statusBreakdown(countByStatus, QLocale());
    QString question = n == 1 ? tr("Delete 1 selected result?")
                              : tr("Delete %1 selected results?").arg(QLocale().toString(n));
    if (!breakdown.isEmpty())
        question += QStringLiteral(" (%1)").arg(breakdown);
    m_question = new QLabel(question, this);
    m_question->setObjectName(QStringLiteral("questionLabel"));
    m_question->setTextFormat(Qt::PlainText); // statuses are stored text
    m_question->setWordWrap(true);
    QFont bold = m_question->font();
    bold.setBold(true);
    m_question->setFont(bold);
    texts->addWidget(m_question);
    m_note = new QLabel(tr("The rows are removed from the database; this cannot be undone."), this);
    m_note->setObjectName(QStringLiteral("noteLabel"));
    m_note->setWordWrap(true);
    texts->addWidget(m_note);
    top->addLayout(texts, 1);
    layout->addLayout(top);

    m_progress = new QProgressBar(this);
    m_progress->setObjectName(QStringLiteral("progressBar"));
    m_progress->setRange(0, int(qMax<qint64>(1, n)));
    m_progress->setValue(0);
    m_progress->hide();
    layout->addWidget(m_progress);

    m_summary = addSummaryLabel(this, layout, false);
    layout->addStretch(1);
    const DeletionButtons buttons = addDeletionButtons(
        this, layout, n == 1 ? tr("Delete 1 result") : tr("Delete %1 results").arg(QLocale().toString(n)));
    m_cancel = buttons.cancel;
    m_confirm = buttons.confirm;
    m_confirm->setEnabled(n > 0);

    connect(m_confirm, &QPushButton::clicked, this, &DeleteSelectedDialog::confirm);
    connect(m_cancel, &QPushButton::clicked, this, [this] {
        if (m_done)
            accept();
        else
            reject();
    });
    m_cancel->setFocus();
    setMinimumWidth(420);
}

DeleteSelectedDialog::~DeleteSelectedDialog()
{
    if (m_job && m_job->isRunning())
        m_job->cancel(); // ~PurgeJob waits for the batch in flight
}

void DeleteSelectedDialog::setReadOnly(bool readOnly)
{
    if (m_job || m_done)
        return;
    m_confirm->setEnabled(!readOnly && !m_rowIds.isEmpty());
    m_note->setText(readOnly ? tr("This connection is read-only: nothing can be deleted.")
                             : tr("The rows are removed from the database; this cannot be undone."));
}

bool DeleteSelectedDialog::isRunning() const
{
    return m_job && !m_done;
}

void DeleteSelectedDialog::confirm()
{
    if (m_job || m_done || !m_confirm->isEnabled())
        return;
    m_confirm->setEnabled(false);
    m_confirm->hide();
    m_progress->show();
    m_progress->setFormat(tr("Deleting…"));
    m_job = new PurgeJob(m_model, this);
    connect(m_job, &PurgeJob::progress, this, [this](qint64 done, qint64 expected) {
        const qint64 max = showDeletionProgress(m_progress, done, expected);
        m_progress->setFormat(tr("Deleted %1 of %2").arg(QLocale().toString(done), QLocale().toString(max)));
    });
    connect(m_job, &PurgeJob::finished, this, &DeleteSelectedDialog::onFinished);
    m_job->startDelete(m_rowIds);
    QTimer::singleShot(0, this, [this] { growDialogToFit(this); });
}

void DeleteSelectedDialog::onFinished(const PurgeSummary &summary)
{
    m_done = true;
    PurgeSummary s = summary;
    if (s.expected <= 0)
        s.expected = m_rowIds.size();
    m_summary->setText(purgeSummaryText(s));
    m_summary->show();
    showDeletionFinished(m_progress, s);
    showClosable(m_cancel);
    QTimer::singleShot(0, this, [this] { growDialogToFit(this); });
    Q_EMIT deleteFinished(summary);
}

void DeleteSelectedDialog::reject()
{
    if (isRunning()) {
        m_job->cancel();
        showCancelling(m_cancel);
        return;
    }
    QDialog::reject();
}

void DeleteSelectedDialog::closeEvent(QCloseEvent *event)
{
    if (isRunning()) {
        reject();
        event->ignore();
        return;
    }
    QDialog::closeEvent(event);
}
