#pragma once

#include "purger.h"
#include "resultstore.h"
#include "taskresultmodel.h"

#include <QDialog>
#include <QPointer>

class QBoxLayout;
class QCheckBox;
class QComboBox;
class QDateTimeEdit;
class QGridLayout;
class QLabel;
class QListWidget;
class QProgressBar;
class QPushButton;
class QSpinBox;
class QStackedWidget;
class QTimer;
class QVBoxLayout;

/// "Delete expired": choose a cutoff (older than N units — default 1 day, Celery's
/// result_expires, remembered per connection under settingsKey — or an explicit date),
/// optionally narrow by status / task name, on a Django cache store (StoreInfo::hasCacheExpiry)
/// also take the results past their Django cache expiry (a checkbox, off by default so the
/// default is upstream's rule alone; the preview counts them either way), see a live preview computed in the background,
/// confirm with a button that names the count, then watch a PurgeJob delete in batches with
/// progress and Cancel, and read a summary.
///
/// The cutoff (and the "now" a cache expiry is compared with) is fixed at the moment of
/// confirming and that same PurgeCriteria runs.
/// Everything runs on the window's TaskResultModel, with its store — no other store is
/// opened (on CouchDB that would read the whole database again): the preview and the
/// narrowing choices are the model's requests (input changes are debounced; a count in
/// flight for older inputs is interrupted and its reply dropped), the deletion a PurgeJob on
/// the model's worker. Closing while deleting cancels the job instead (the summary stays
/// readable); destroying the dialog cancels and waits for the batch in flight.
///
/// GUI thread; owned by its parent.
class PurgeDialog final : public QDialog
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(PurgeDialog)
public:
    /// model: the window's, open on the store to purge (its storeInfo() says what it holds).
    PurgeDialog(TaskResultModel *model, const QString &settingsKey, QWidget *parent = nullptr);
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
    void buildCutoffRow(QGridLayout *grid);
    void restoreExpires();
    void buildNarrowingRows(QGridLayout *grid);
    void buildCacheExpiredRow(QGridLayout *grid);
    /// The checkbox's text with the count of the last preview (-1: not known yet).
    void updateCacheExpiredText(qint64 count);
    void buildOutcome(QVBoxLayout *layout);
    void buildTimers();
    void connectInputs();
    void schedulePreview();
    void startPreview(bool quiet);
    void onPreview(const PurgeCriteria &criteria, const Reply<PurgePreview> &outcome);
    void loadChoices();
    void updateCutoffHint();
    void confirm();
    void onProgress(qint64 done, qint64 expected);
    void onFinished(const PurgeSummary &summary);
    void setStage(Stage stage);
    void updateConfirm();
    void saveExpires();
    /// Drops the preview and choices requests in flight (their replies never come).
    void dropRequests();
    void applyPalette();

    QPointer<TaskResultModel> m_model;
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
    QCheckBox *m_cacheExpiredCheck = nullptr; ///< only on a store with a Django cache expiry
    QLabel *m_previewLabel = nullptr;
    QLabel *m_readOnlyLabel = nullptr;
    QProgressBar *m_progress = nullptr;
    QLabel *m_summary = nullptr;
    QPushButton *m_confirm = nullptr;
    QPushButton *m_cancel = nullptr;
    QWidget *m_inputs = nullptr;
    QTimer *m_debounce = nullptr;
    QTimer *m_refresh = nullptr;
    RequestId m_previewRequest = 0; ///< the preview in flight (0: none)
    RequestId m_choicesRequest = 0; ///< the narrowing choices in flight (0: none)
    bool m_choicesGiven = false;
    bool m_previewPending = false;

    qint64 m_previewTotal = -1;
    PurgePreview m_preview;
    PurgeCriteria m_confirmed;
    PurgeJob *m_job = nullptr;
};
