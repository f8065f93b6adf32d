#include "deleteselecteddialog.h"

#include "deletionwidgets.h"
#include "displaytext.h"
#include "statusbreakdown.h"
#include "taskresultmodel.h"

#include <QCloseEvent>
#include <QDateTime>
#include <QHBoxLayout>
#include <QLabel>
#include <QLocale>
#include <QProgressBar>
#include <QPushButton>
#include <QStyle>
#include <QTimer>
#include <QVBoxLayout>

#include <climits>

namespace {
QString deleteNote()
{
    return DeleteSelectedDialog::tr("The rows are removed from the database; this cannot be undone.");
}
} // namespace

DeleteSelectedDialog::DeleteSelectedDialog(TaskResultModel *model, const QVector<qint64> &rowIds,
                                           const QMap<QString, qint64> &countByStatus, QWidget *parent)
    : QDialog(parent), m_model(model), m_rowIds(rowIds), m_expected(rowIds.size())
{
    const qint64 n = rowIds.size();
    buildUi(n == 1 ? tr("Delete 1 result") : tr("Delete %1 results").arg(QLocale().toString(n)));
    const QString breakdown = statusBreakdown(countByStatus, QLocale());
    QString question = n == 1 ? tr("Delete 1 selected result?")
                              : tr("Delete %1 selected results?").arg(QLocale().toString(n));
    if (!breakdown.isEmpty())
        question += QStringLiteral(" (%1)").arg(breakdown);
    m_question->setText(question);
    m_note->setText(deleteNote());
    m_progress->setRange(0, int(qMax<qint64>(1, n)));
    updateConfirm();
}

DeleteSelectedDialog::DeleteSelectedDialog(TaskResultModel *model, const TaskQuery &query, qint64 selected,
                                           QWidget *parent)
    : QDialog(parent), m_model(model), m_byQuery(true)
{
    buildUi(tr("Delete"));
    previewQuery(query, selected);
    updateConfirm();
}

DeleteSelectedDialog::DeleteSelectedDialog(TaskResultModel *model, const TaskQuery &query, const QString &subject,
                                           QWidget *parent)
    : QDialog(parent), m_model(model), m_byQuery(true), m_subject(subject)
{
    buildUi(tr("Delete"));
    setWindowTitle(tr("Delete results"));
    previewQuery(query, -1);
    updateConfirm();
}

void DeleteSelectedDialog::buildUi(const QString &confirmText)
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
    m_question = new QLabel(this);
    m_question->setObjectName(QStringLiteral("questionLabel"));
    m_question->setTextFormat(Qt::PlainText); // statuses are stored text
    m_question->setWordWrap(true);
    QFont bold = m_question->font();
    bold.setBold(true);
    m_question->setFont(bold);
    texts->addWidget(m_question);
    m_note = new QLabel(this);
    m_note->setObjectName(QStringLiteral("noteLabel"));
    m_note->setTextFormat(Qt::PlainText);
    m_note->setWordWrap(true);
    texts->addWidget(m_note);
    top->addLayout(texts, 1);
    layout->addLayout(top);

    m_progress = new QProgressBar(this);
    m_progress->setObjectName(QStringLiteral("progressBar"));
    m_progress->setRange(0, 1);
    m_progress->setValue(0);
    m_progress->hide();
    layout->addWidget(m_progress);

    m_summary = addSummaryLabel(this, layout, false);
    layout->addStretch(1);
    const DeletionButtons buttons = addDeletionButtons(this, layout, confirmText);
    m_cancel = buttons.cancel;
    m_confirm = buttons.confirm;

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

/// Fixes the set now — what the query matches among the results finished so far — and
/// counts it on the model's worker.
void DeleteSelectedDialog::previewQuery(const TaskQuery &query, qint64 selected)
{
    const QLocale locale;
    const Outcome<PurgeCriteria> criteria = purgeCriteriaFor(query, QDateTime::currentDateTimeUtc());
    if (!criteria && !m_subject.isEmpty()) {
        m_question->setText(tr("The results of “%1” cannot be deleted together.").arg(m_subject));
        m_note->setText(DisplayText::sentence(criteria.error().message));
        return;
    }
    if (!criteria) {
        m_question->setText(tr("The %1 selected results cannot be deleted together.").arg(locale.toString(selected)));
        m_note->setText(tr("Selecting all deletes every result matching the filters, and %1. Clear it, or "
                           "select the rows to delete (the loaded rows are deleted one by one).")
                            .arg(criteria.error().message));
        return;
    }
    m_criteria = *criteria;
    m_question->setText(m_subject.isEmpty() ? tr("Counting the %1 selected results…").arg(locale.toString(selected))
                                            : tr("Counting the results of “%1”…").arg(m_subject));
    m_note->setText(deleteNote());
    if (!m_model)
        return;
    m_previewRequest = m_model->previewPurge(m_criteria, this, [this, selected](const Reply<PurgePreview> &reply) {
        onPreview(selected, reply);
    });
}

void DeleteSelectedDialog::onPreview(qint64 selected, const Reply<PurgePreview> &reply)
{
    m_previewRequest = 0;
    const QLocale locale;
    if (!reply) {
        m_question->setText(tr("The selected results could not be counted."));
        m_note->setText(reply.error().message);
        Q_EMIT previewUpdated(-1);
        return;
    }
    m_expected = reply->total;
    const QString n = locale.toString(m_expected);
    QString question;
    if (!m_subject.isEmpty()) {
        question = m_expected == 1 ? tr("Delete the 1 result of “%1”?").arg(m_subject)
                                   : tr("Delete all %1 results of “%2”?").arg(n, m_subject);
    } else if (m_expected == selected) {
        question = m_expected == 1 ? tr("Delete the 1 result matching the filters?")
                                   : tr("Delete all %1 results matching the filters?").arg(n);
    } else {
        question = tr("Delete %1 of the %2 results matching the filters?").arg(n, locale.toString(selected));
    }
    const QString breakdown = statusBreakdown(reply->byStatus, locale);
    if (!breakdown.isEmpty())
        question += QStringLiteral(" (%1)").arg(breakdown);
    m_question->setText(question);
    const QString bound = m_criteria.cutoff.toLocalTime().toString(QStringLiteral("yyyy-MM-dd HH:mm:ss"));
    if (m_subject.isEmpty()) {
        m_note->setText(tr("Every matching result is deleted, not only the loaded rows. Kept: results still "
                           "running (no date done) and results finished after %1, when you chose Delete, so "
                           "results written after you confirm are kept. %2")
                            .arg(bound, deleteNote()));
    } else {
        m_note->setText(tr("Every result of this task name, these statuses and this exception is deleted, whatever "
                           "its message. Kept: results still running (no date done) and results finished after "
                           "%1, when you chose Delete, so results written after you confirm are kept. %2")
                            .arg(bound, deleteNote()));
    }
    m_confirm->setText(m_expected == 1 ? tr("Delete 1 result") : tr("Delete %1 results").arg(n));
    m_progress->setRange(0, int(qMin<qint64>(qMax<qint64>(1, m_expected), INT_MAX)));
    updateConfirm();
    QTimer::singleShot(0, this, [this] { growDialogToFit(this); });
    Q_EMIT previewUpdated(m_expected);
}

void DeleteSelectedDialog::updateConfirm()
{
    m_confirm->setEnabled(!m_readOnly && !m_job && !m_done && m_expected > 0);
}

DeleteSelectedDialog::~DeleteSelectedDialog()
{
    if (m_job && m_job->isRunning())
        m_job->cancel(); // ~PurgeJob waits for the batch in flight
    if (m_model)
        m_model->cancelRequest(m_previewRequest);
}

void DeleteSelectedDialog::setReadOnly(bool readOnly)
{
    if (m_job || m_done)
        return;
    m_readOnly = readOnly;
    updateConfirm();
    if (readOnly)
        m_note->setText(tr("This connection is read-only: nothing can be deleted."));
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
    if (m_byQuery) {
        if (m_model)
            m_model->cancelRequest(m_previewRequest);
        m_previewRequest = 0;
        m_job->startPurge(m_criteria, m_expected);
    } else {
        m_job->startDelete(m_rowIds);
    }
    QTimer::singleShot(0, this, [this] { growDialogToFit(this); });
}

void DeleteSelectedDialog::onFinished(const PurgeSummary &summary)
{
    m_done = true;
    PurgeSummary s = summary;
    if (s.expected <= 0)
        s.expected = m_expected;
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
