#pragma once

#include "purger.h"

#include <QString>

class QBoxLayout;
class QDialog;
class QLabel;
class QProgressBar;
class QPushButton;
class QWidget;

// The pieces both deletion dialogs (PurgeDialog, DeleteSelectedDialog) are built from, and
// the sentences they and the window show. GUI thread. Their words are PurgeDialog's tr().

/// "1 result", "12,345 results".
QString resultsText(qint64 n);
/// "1 group", "12 groups".
QString groupsText(qint64 n);
/// Human sentence for a finished purge/delete summary ("Deleted 12,345 results and 12
/// groups in 3.2 s", "Cancelled after deleting 4,000 of 12,345 results", "<error>. 4,000
/// results were deleted before it."). Shared by both deletion dialogs.
QString purgeSummaryText(const PurgeSummary &summary);
/// Grows a top-level dialog to the height its layout needs at its current width (widgets
/// shown after the first show would otherwise be squeezed: QLayout's minimum ignores
/// height-for-width).
void growDialogToFit(QWidget *dialog);

/// The Cancel and Delete buttons that end both deletion dialogs, right-aligned and added to
/// layout; children of dialog. Neither is a default button: Enter never deletes.
struct DeletionButtons
{
    QPushButton *cancel = nullptr;
    QPushButton *confirm = nullptr;
};
DeletionButtons addDeletionButtons(QDialog *dialog, QBoxLayout *layout, const QString &confirmText);
/// A running job's Cancel was pressed: the button says "Cancelling…" (disabled) until it stops.
void showCancelling(QPushButton *cancel);
/// The job ended: its Cancel button becomes the dialog's default "Close".
void showClosable(QPushButton *cancel);
/// The hidden, selectable, word-wrapped label ("summaryLabel") that shows purgeSummaryText().
QLabel *addSummaryLabel(QDialog *dialog, QBoxLayout *layout, bool bold);
/// A running job's bar: done of max(done, expected), in per-mille past INT_MAX (QProgressBar
/// is int-ranged). Returns max(done, expected) for the caller's text.
qint64 showDeletionProgress(QProgressBar *bar, qint64 done, qint64 expected);
/// A finished job's bar: full unless it was cancelled or stopped by an error, with that word.
void showDeletionFinished(QProgressBar *bar, const PurgeSummary &summary);
