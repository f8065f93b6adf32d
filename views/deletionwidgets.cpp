#include "deletionwidgets.h"

#include <climits>

#include <QBoxLayout>
#include <QDialog>
#include <QLabel>
#include <QLayout>
#include <QLocale>
#include <QProgressBar>
#include <QPushButton>
#include <QStyle>

#include "displaytext.h"
#include "purgedialog.h"

QString resultsText(qint64 n)
{
    return n == 1 ? PurgeDialog::tr("1 result")
                  : PurgeDialog::tr("%1 results").arg(QLocale().toString(n));
}

QString groupsText(qint64 n)
{
    return n == 1 ? PurgeDialog::tr("1 group") : PurgeDialog::tr("%1 groups").arg(QLocale().toString(n));
}

void growDialogToFit(QWidget *dialog)
{
    QLayout *layout = dialog->layout();
    if (!layout)
        return;
    layout->activate();
    const int wanted = layout->hasHeightForWidth() ? layout->totalHeightForWidth(dialog->width())
                                                   : layout->totalSizeHint().height();
    if (wanted > dialog->height())
        dialog->resize(dialog->width(), wanted);
}

DeletionButtons addDeletionButtons(QDialog *dialog, QBoxLayout *layout, const QString &confirmText)
{
    DeletionButtons b;
    auto *row = new QHBoxLayout;
    row->addStretch(1);
    b.cancel = new QPushButton(PurgeDialog::tr("Cancel"), dialog);
    b.cancel->setObjectName(QStringLiteral("cancelButton"));
    b.cancel->setAutoDefault(false);
    row->addWidget(b.cancel);
    b.confirm = new QPushButton(confirmText, dialog);
    b.confirm->setObjectName(QStringLiteral("confirmButton"));
    b.confirm->setIcon(dialog->style()->standardIcon(QStyle::SP_TrashIcon));
    // Deleting is never what Enter does.
    b.confirm->setAutoDefault(false);
    b.confirm->setDefault(false);
    row->addWidget(b.confirm);
    layout->addLayout(row);
    return b;
}

void showCancelling(QPushButton *cancel)
{
    cancel->setEnabled(false);
    cancel->setText(PurgeDialog::tr("Cancelling…"));
}

void showClosable(QPushButton *cancel)
{
    cancel->setEnabled(true);
    cancel->setText(PurgeDialog::tr("Close"));
    cancel->setDefault(true);
    cancel->setFocus();
}

QLabel *addSummaryLabel(QDialog *dialog, QBoxLayout *layout, bool bold)
{
    auto *summary = new QLabel(dialog);
    summary->setObjectName(QStringLiteral("summaryLabel"));
    summary->setTextFormat(Qt::PlainText);
    summary->setWordWrap(true);
    summary->setTextInteractionFlags(Qt::TextSelectableByMouse);
    if (bold) {
        QFont f = summary->font();
        f.setBold(true);
        summary->setFont(f);
    }
    summary->hide();
    layout->addWidget(summary);
    return summary;
}

qint64 showDeletionProgress(QProgressBar *bar, qint64 done, qint64 expected)
{
    const qint64 max = qMax(done, expected);
    if (max > 0) {
        if (max > INT_MAX) {
            bar->setRange(0, 1000);
            bar->setValue(int(done * 1000 / max));
        } else {
            bar->setRange(0, int(max));
            bar->setValue(int(done));
        }
    }
    return max;
}

void showDeletionFinished(QProgressBar *bar, const PurgeSummary &summary)
{
    if (!summary.error && !summary.cancelled)
        bar->setValue(bar->maximum());
    bar->setFormat(summary.cancelled ? PurgeDialog::tr("Cancelled")
                   : summary.error   ? PurgeDialog::tr("Stopped by an error")
                                     : PurgeDialog::tr("Done"));
}

QString purgeSummaryText(const PurgeSummary &s)
{
    const QString groupsPart = s.groupsDeleted > 0 ? PurgeDialog::tr(" and %1").arg(groupsText(s.groupsDeleted)) : QString();
    if (s.error) {
        QString text = DisplayText::sentence(s.error.message);
        if (!text.endsWith(QLatin1Char('.')))
            text += QLatin1Char('.');
        if (s.tasksDeleted == 0 && s.groupsDeleted == 0)
            return PurgeDialog::tr("%1 Nothing was deleted.").arg(text);
        if (s.expected > 0)
            return PurgeDialog::tr("%1 %2 of %3%4 had been deleted before the error; the rest are untouched.")
                .arg(text, QLocale().toString(s.tasksDeleted), resultsText(s.expected), groupsPart);
        return PurgeDialog::tr("%1 %2%3 had been deleted before the error; the rest are untouched.")
            .arg(text, resultsText(s.tasksDeleted), groupsPart);
    }
    if (s.cancelled) {
        if (s.tasksDeleted == 0 && s.groupsDeleted == 0)
            return PurgeDialog::tr("Cancelled before anything was deleted.");
        if (s.expected > 0)
            return PurgeDialog::tr("Cancelled after deleting %1 of %2%3.")
                .arg(QLocale().toString(s.tasksDeleted), resultsText(s.expected), groupsPart);
        return PurgeDialog::tr("Cancelled after deleting %1%2.").arg(resultsText(s.tasksDeleted), groupsPart);
    }
    const QString seconds = QLocale().toString(s.elapsedMs / 1000.0, 'f', 1);
    if (s.tasksDeleted == 0 && s.groupsDeleted == 0)
        return PurgeDialog::tr("Nothing was deleted: no result matched any more.");
    return PurgeDialog::tr("Deleted %1%2 in %3 s.").arg(resultsText(s.tasksDeleted), groupsPart, seconds);
}
