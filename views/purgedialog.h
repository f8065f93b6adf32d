#pragma once

#include "purger.h"
#include "resultstore.h"

#include <QDialog>

#include <atomic>
#include <memory>

class QBoxLayout;
class QComboBox;
class QDateTimeEdit;
class QLabel;
class QListWidget;
class QProgressBar;
class QPushButton;
class QSpinBox;
class QStackedWidget;
class QThread;
class QTimer;

/// "Delete expired": choose a cutoff (older than N units — default 1 day, Celery's
/// result_expires, remembered per connection under settingsKey — or an explicit date),
/// optionally narrow by status / task name, see a live preview computed in the background,
/// confirm with a button that names the count, then watch a PurgeJob delete in batches with
/// progress and Cancel, and read a summary.
///
/// The cutoff is fixed at the moment of confirming and that same PurgeCriteria runs.
/// Previews run on one preview thread that owns its own store (made by the factory on that
/// thread, never on the GUI thread); input changes are debounced, a count in flight for
/// older inputs is interrupted, and stale answers are dropped with a generation counter.
/// Closing while deleting cancels the job instead (the summary stays readable); destroying
/// the dialog cancels and waits — no thread is left behind.
///
/// GUI thread; owned by its parent.
class PurgeDialog final : public QDialog
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(PurgeDialog)
public:
    PurgeDialog(StoreFactory factory, const StoreInfo &info, const QString &settingsKey,
                QWidget *parent = nullptr);
    ~PurgeDialog() override;

    /// The criteria the current inputs describe, with the cutoff computed now.
    PurgeCriteria currentCriteria() const;
    /// The criteria of the purge that was confirmed (invalid cutoff before confirming).
    PurgeCriteria confirmedCriteria() const { return m_confirmed; }
    /// The last preview shown (total -1 while none is known).
    qint64 previewTotal() const { return m_previewTotal; }
    bool isRunning() const;
    /// Offered statuses/task names for narrowing (normally read from the store's facets).
    void setNarrowingChoices(const QStringList &statuses, const QStringList &taskNames);

Q_SIGNALS:
    void purgeFinished(const PurgeSummary &summary);
    /// A background preview answered (tests wait on it).
    void previewUpdated(qint64 total);

public Q_SLOTS:
    void reject() override;

protected:
    void closeEvent(QCloseEvent *event) override;
    void changeEvent(QEvent *event) override;

private:
    enum class Stage { Choosing, Running, Done };
    void buildUi();
    void schedulePreview();
    void startPreview(bool quiet);
    void onPreview(quint64 generation, const PurgeCriteria &criteria, const Outcome<PurgePreview> &outcome);
    void loadChoices();
    void updateCutoffHint();
    void confirm();
    void onProgress(qint64 done, qint64 expected);
    void onFinished(const PurgeSummary &summary);
    void setStage(Stage stage);
    void updateConfirm();
    void saveExpires();
    void stopPreviewThread();
    void applyPalette();

    StoreFactory m_factory;
    StoreInfo m_info;
    QString m_settingsKey;
    Stage m_stage = Stage::Choosing;

    QComboBox *m_modeCombo = nullptr;
    QStackedWidget *m_modeStack = nullptr;
    QSpinBox *m_expiresSpin = nullptr;
    QComboBox *m_expiresUnit = nullptr;
    QDateTimeEdit *m_cutoffEdit = nullptr;
    QLabel *m_cutoffHint = nullptr;
    QListWidget *m_statusFilter = nullptr;
    QComboBox *m_taskNameFilter = nullptr;
    QLabel *m_previewLabel = nullptr;
    QLabel *m_readOnlyLabel = nullptr;
    QProgressBar *m_progress = nullptr;
    QLabel *m_summary = nullptr;
    QPushButton *m_confirm = nullptr;
    QPushButton *m_cancel = nullptr;
    QWidget *m_inputs = nullptr;
    QTimer *m_debounce = nullptr;
    QTimer *m_refresh = nullptr;
    QThread *m_previewThread = nullptr;
    QObject *m_previewHost = nullptr; ///< lives on m_previewThread, owns the preview store
    bool m_choicesGiven = false;
    bool m_previewPending = false;

    std::shared_ptr<std::atomic<quint64>> m_generation;
    qint64 m_previewTotal = -1;
    PurgePreview m_preview;
    PurgeCriteria m_confirmed;
    PurgeJob *m_job = nullptr;
};

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
/// The hidden, selectable, word-wrapped label ("summaryLabel") that shows purgeSummaryText().
QLabel *addSummaryLabel(QDialog *dialog, QBoxLayout *layout, bool bold);
/// A running job's bar: done of max(done, expected), in per-mille past INT_MAX (QProgressBar
/// is int-ranged). Returns max(done, expected) for the caller's text.
qint64 showDeletionProgress(QProgressBar *bar, qint64 done, qint64 expected);
/// A finished job's bar: full unless it was cancelled or stopped by an error, with that word.
void showDeletionFinished(QProgressBar *bar, const PurgeSummary &summary);
