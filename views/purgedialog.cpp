#include "purgedialog.h"

#include <QCheckBox>
#include <QCloseEvent>
#include <QComboBox>
#include <QDateTimeEdit>
#include <QGridLayout>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QListWidget>
#include <QLocale>
#include <QProgressBar>
#include <QPushButton>
#include <QSettings>
#include <QSpinBox>
#include <QStackedWidget>
#include <QStyle>
#include <QTimer>
#include <QVBoxLayout>

#include "deletionwidgets.h"
#include "displaytext.h"
#include "palettecolors.h"
#include "statusbreakdown.h"

namespace {

using PaletteColors::mix;

struct Unit
{
    const char *label;
    qint64 seconds;
};
const Unit units[] = {
    {QT_TRANSLATE_NOOP("PurgeDialog", "minutes"), 60},
    {QT_TRANSLATE_NOOP("PurgeDialog", "hours"), 3600},
    {QT_TRANSLATE_NOOP("PurgeDialog", "days"), 86400},
    {QT_TRANSLATE_NOOP("PurgeDialog", "weeks"), 7 * 86400},
};

} // namespace

PurgeDialog::PurgeDialog(TaskResultModel *model, const QString &settingsKey, QWidget *parent)
    : QDialog(parent), m_model(model), m_info(model ? model->storeInfo() : StoreInfo()), m_settingsKey(settingsKey)
{
    setObjectName(QStringLiteral("purgeDialog"));
    setWindowTitle(tr("Delete expired results"));
    buildUi();

    // The count first: it is what the user waits for. Facets of a big table take longer.
    startPreview(false);
    loadChoices();
}

PurgeDialog::~PurgeDialog()
{
    if (m_job && m_job->isRunning())
        m_job->cancel(); // ~PurgeJob waits for the batch in flight
    dropRequests();
}

void PurgeDialog::dropRequests()
{
    if (!m_model)
        return;
    m_model->cancelRequest(m_previewRequest);
    m_model->cancelRequest(m_choicesRequest);
    m_previewRequest = m_choicesRequest = 0;
}

void PurgeDialog::buildUi()
{
    auto *layout = new QVBoxLayout(this);
    layout->setSpacing(10);

    auto *intro = new QLabel(tr("Deletes task results whose <i>date done</i> is before the cutoff — "
                                "what Celery's <tt>result_expires</tt> cleanup does — in short "
                                "batches, so workers can keep writing meanwhile."),
                             this);
    intro->setWordWrap(true);
    layout->addWidget(intro);

    m_inputs = new QWidget(this);
    // A grid, not QFormLayout: Qt 6.4's QFormLayout mis-sizes rows around fixed-height and
    // height-for-width fields.
    auto *grid = new QGridLayout(m_inputs);
    grid->setContentsMargins(0, 0, 0, 0);
    grid->setColumnStretch(1, 1);
    grid->setVerticalSpacing(8);
    layout->addWidget(m_inputs);
    buildCutoffRow(grid);
    restoreExpires();
    buildNarrowingRows(grid);
    if (m_info.hasCacheExpiry)
        buildCacheExpiredRow(grid);
    buildOutcome(layout);
    buildTimers();
    connectInputs();

    updateCutoffHint();
    applyPalette();
    setMinimumWidth(560);
}

namespace {

/// A row of the inputs' grid: a label (none when text is empty) and its field.
void addGridRow(QGridLayout *grid, const QString &text, QWidget *field, Qt::Alignment align = Qt::AlignVCenter)
{
    const int row = grid->rowCount();
    if (!text.isEmpty()) {
        auto *label = new QLabel(text, grid->parentWidget());
        label->setBuddy(field);
        if (align & Qt::AlignTop)
            label->setContentsMargins(0, 5, 0, 0); // level with the first line of items
        grid->addWidget(label, row, 0, Qt::AlignLeft | align);
    }
    grid->addWidget(field, row, 1);
}

} // namespace

/// "Older than" N units or "done before" a date, and the hint under it.
void PurgeDialog::buildCutoffRow(QGridLayout *grid)
{
    auto *cutoffRow = new QWidget(m_inputs);
    auto *cutoffLayout = new QHBoxLayout(cutoffRow);
    cutoffLayout->setContentsMargins(0, 0, 0, 0);
    m_modeCombo = new QComboBox(cutoffRow);
    m_modeCombo->setObjectName(QStringLiteral("cutoffModeCombo"));
    m_modeCombo->addItem(tr("older than"));
    m_modeCombo->addItem(tr("done before"));
    cutoffLayout->addWidget(m_modeCombo);
    m_modeStack = new QStackedWidget(cutoffRow);
    auto *olderPage = new QWidget(m_modeStack);
    auto *olderLayout = new QHBoxLayout(olderPage);
    olderLayout->setContentsMargins(0, 0, 0, 0);
    m_expiresSpin = new QSpinBox(olderPage);
    m_expiresSpin->setObjectName(QStringLiteral("expiresSpin"));
    m_expiresSpin->setRange(0, 100000);
    m_expiresSpin->setAccelerated(true);
    olderLayout->addWidget(m_expiresSpin);
    m_expiresUnit = new QComboBox(olderPage);
    m_expiresUnit->setObjectName(QStringLiteral("expiresUnitCombo"));
    for (const Unit &u : units)
        m_expiresUnit->addItem(tr(u.label), u.seconds);
    olderLayout->addWidget(m_expiresUnit);
    olderLayout->addStretch(1);
    m_modeStack->addWidget(olderPage);
    auto *datePage = new QWidget(m_modeStack);
    auto *dateLayout = new QHBoxLayout(datePage);
    dateLayout->setContentsMargins(0, 0, 0, 0);
    m_cutoffEdit = new QDateTimeEdit(datePage);
    m_cutoffEdit->setObjectName(QStringLiteral("cutoffEdit"));
    m_cutoffEdit->setCalendarPopup(true);
    m_cutoffEdit->setTimeSpec(Qt::LocalTime);
    m_cutoffEdit->setDisplayFormat(QStringLiteral("yyyy-MM-dd HH:mm:ss"));
    m_cutoffEdit->setDateTime(QDateTime::currentDateTime().addDays(-1));
    dateLayout->addWidget(m_cutoffEdit);
    dateLayout->addStretch(1);
    m_modeStack->addWidget(datePage);
    m_modeStack->setSizePolicy(QSizePolicy::Expanding, QSizePolicy::Fixed);
    cutoffLayout->addWidget(m_modeStack, 1);
    addGridRow(grid, tr("Delete results &finished:"), cutoffRow);
    m_cutoffHint = new QLabel(m_inputs);
    m_cutoffHint->setObjectName(QStringLiteral("cutoffHint"));
    m_cutoffHint->setWordWrap(true); // translations run longer than the inputs above it
    addGridRow(grid, QString(), m_cutoffHint);
}

/// Remembered per connection: the operator's own result_expires.
void PurgeDialog::restoreExpires()
{
    QSettings settings;
    int value = 1;
    qint64 unitSeconds = 86400;
    if (!m_settingsKey.isEmpty()) {
        settings.beginGroup(m_settingsKey);
        value = settings.value(QStringLiteral("expiresValue"), 1).toInt();
        unitSeconds = settings.value(QStringLiteral("expiresUnitSeconds"), 86400).toLongLong();
        settings.endGroup();
    }
    m_expiresSpin->setValue(value);
    const int unitIndex = m_expiresUnit->findData(unitSeconds);
    m_expiresUnit->setCurrentIndex(unitIndex >= 0 ? unitIndex : 2);
}

/// Only these statuses, only this task.
void PurgeDialog::buildNarrowingRows(QGridLayout *grid)
{
    m_statusFilter = new QListWidget(m_inputs);
    m_statusFilter->setObjectName(QStringLiteral("statusFilter"));
    m_statusFilter->setFlow(QListView::LeftToRight);
    m_statusFilter->setWrapping(true);
    m_statusFilter->setResizeMode(QListView::Adjust);
    m_statusFilter->setSpacing(2);
    m_statusFilter->setSelectionMode(QAbstractItemView::NoSelection);
    m_statusFilter->setFrameShape(QFrame::NoFrame);
    m_statusFilter->viewport()->setAutoFillBackground(false);
    m_statusFilter->setFixedHeight(m_statusFilter->fontMetrics().height() * 2 + 18);
    m_statusFilter->setToolTip(tr("Tick statuses to delete only those; none ticked deletes every status"));
    addGridRow(grid, tr("Only &statuses:"), m_statusFilter, Qt::AlignTop);
    m_taskNameFilter = new QComboBox(m_inputs);
    m_taskNameFilter->setObjectName(QStringLiteral("taskNameFilter"));
    m_taskNameFilter->setEditable(true);
    m_taskNameFilter->setInsertPolicy(QComboBox::NoInsert);
    m_taskNameFilter->lineEdit()->setPlaceholderText(tr("Any task"));
    m_taskNameFilter->lineEdit()->setClearButtonEnabled(true);
    m_taskNameFilter->setSizeAdjustPolicy(QComboBox::AdjustToMinimumContentsLengthWithIcon);
    m_taskNameFilter->setMinimumContentsLength(30);
    addGridRow(grid, tr("Only &task:"), m_taskNameFilter);
}

/// A Django cache store's own expiry: take the entries past it too (off: upstream's rule alone).
void PurgeDialog::buildCacheExpiredRow(QGridLayout *grid)
{
    m_cacheExpiredCheck = new QCheckBox(m_inputs);
    m_cacheExpiredCheck->setObjectName(QStringLiteral("cacheExpiredCheck"));
    m_cacheExpiredCheck->setChecked(false);
    m_cacheExpiredCheck->setToolTip(tr("Whatever their date done: Django's cache already reads these as missing "
                                       "(Celery says PENDING); they stay stored until something reads their key. The "
                                       "statuses and task chosen above narrow them too."));
    updateCacheExpiredText(-1);
    addGridRow(grid, tr("Cache expiry:"), m_cacheExpiredCheck);
}

void PurgeDialog::updateCacheExpiredText(qint64 count)
{
    if (!m_cacheExpiredCheck)
        return;
    if (count < 0)
        m_cacheExpiredCheck->setText(tr("Also delete the results past their Django cache expiry"));
    else
        m_cacheExpiredCheck->setText(
            tr("Also delete the %n result(s) past their Django cache expiry", nullptr,
               int(qMin<qint64>(count, INT_MAX))));
}

/// The preview, the read-only note, the progress, the summary and the buttons.
void PurgeDialog::buildOutcome(QVBoxLayout *layout)
{
    m_previewLabel = new QLabel(this);
    m_previewLabel->setObjectName(QStringLiteral("previewLabel"));
    m_previewLabel->setTextFormat(Qt::RichText); // every stored text in it is escaped
    m_previewLabel->setWordWrap(true);
    m_previewLabel->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_previewLabel->setMinimumHeight(m_previewLabel->fontMetrics().lineSpacing() * 2 + 16);
    m_previewLabel->setMargin(8);
    m_previewLabel->setAutoFillBackground(true);
    layout->addWidget(m_previewLabel);

    m_readOnlyLabel = new QLabel(tr("This connection is read-only: nothing can be deleted. "
                                    "Turn read-only off for this connection to delete."),
                                 this);
    m_readOnlyLabel->setObjectName(QStringLiteral("readOnlyLabel"));
    m_readOnlyLabel->setWordWrap(true);
    m_readOnlyLabel->setVisible(m_info.readOnly);
    layout->addWidget(m_readOnlyLabel);

    m_progress = new QProgressBar(this);
    m_progress->setObjectName(QStringLiteral("progressBar"));
    m_progress->setRange(0, 0);
    m_progress->setTextVisible(true);
    m_progress->hide();
    layout->addWidget(m_progress);

    m_summary = addSummaryLabel(this, layout, true);
    layout->addStretch(1);
    const DeletionButtons buttons = addDeletionButtons(this, layout, tr("Delete"));
    m_cancel = buttons.cancel;
    m_confirm = buttons.confirm;
    m_confirm->setEnabled(false);
}

void PurgeDialog::buildTimers()
{
    m_debounce = new QTimer(this);
    m_debounce->setSingleShot(true);
    m_debounce->setInterval(250);
    connect(m_debounce, &QTimer::timeout, this, [this] { startPreview(false); });
    // "Older than" and the cache expiry move with the clock: keep the preview honest while
    // the dialog is open.
    m_refresh = new QTimer(this);
    m_refresh->setInterval(30'000);
    connect(m_refresh, &QTimer::timeout, this, [this] {
        const bool clockBound = m_modeCombo->currentIndex() == 0 || (m_cacheExpiredCheck && m_cacheExpiredCheck->isChecked());
        if (m_stage == Stage::Choosing && clockBound && !m_previewPending)
            startPreview(true);
    });
    m_refresh->start();
}

/// Every input schedules a preview; the buttons confirm or close.
void PurgeDialog::connectInputs()
{
    connect(m_modeCombo, &QComboBox::currentIndexChanged, this, [this](int index) {
        m_modeStack->setCurrentIndex(index);
        schedulePreview();
    });
    connect(m_expiresSpin, &QSpinBox::valueChanged, this, &PurgeDialog::schedulePreview);
    connect(m_expiresUnit, &QComboBox::currentIndexChanged, this, &PurgeDialog::schedulePreview);
    connect(m_cutoffEdit, &QDateTimeEdit::dateTimeChanged, this, &PurgeDialog::schedulePreview);
    connect(m_statusFilter, &QListWidget::itemChanged, this, &PurgeDialog::schedulePreview);
    connect(m_taskNameFilter, &QComboBox::currentTextChanged, this, &PurgeDialog::schedulePreview);
    if (m_cacheExpiredCheck)
        connect(m_cacheExpiredCheck, &QCheckBox::toggled, this, &PurgeDialog::schedulePreview);
    connect(m_confirm, &QPushButton::clicked, this, &PurgeDialog::confirm);
    connect(m_cancel, &QPushButton::clicked, this, [this] {
        if (m_stage == Stage::Done)
            accept();
        else
            reject();
    });
}

void PurgeDialog::applyPalette()
{
    const QPalette pal = palette();
    const QColor window = pal.color(QPalette::Window);
    QPalette previewPal = pal;
    previewPal.setColor(QPalette::Window,
                        mix(window, pal.color(QPalette::Highlight), window.lightnessF() < 0.5 ? 0.22 : 0.10));
    m_previewLabel->setPalette(previewPal);
    QPalette hintPal = pal;
    hintPal.setColor(QPalette::WindowText, pal.color(QPalette::PlaceholderText));
    m_cutoffHint->setPalette(hintPal);
}

void PurgeDialog::changeEvent(QEvent *event)
{
    QDialog::changeEvent(event);
    if (event->type() == QEvent::PaletteChange)
        applyPalette();
}

PurgeCriteria PurgeDialog::currentCriteria() const
{
    PurgeCriteria c;
    const QDateTime now = QDateTime::currentDateTimeUtc();
    if (m_modeCombo->currentIndex() == 0) {
        const qint64 seconds = qint64(m_expiresSpin->value()) * m_expiresUnit->currentData().toLongLong();
        c.cutoff = now.addSecs(-seconds);
    } else {
        c.cutoff = m_cutoffEdit->dateTime().toUTC();
    }
    for (int i = 0; i < m_statusFilter->count(); ++i) {
        const QListWidgetItem *item = m_statusFilter->item(i);
        if (item->checkState() == Qt::Checked)
            c.statuses << item->data(Qt::UserRole).toString();
    }
    const QString task = m_taskNameFilter->currentText().trimmed();
    if (!task.isEmpty())
        c.taskNames << task;
    c.includeGroups = m_info.hasGroups;
    if (m_info.hasCacheExpiry) {
        // Counted by the preview either way; deleted only when ticked.
        c.cacheNow = now;
        c.cacheExpired = m_cacheExpiredCheck && m_cacheExpiredCheck->isChecked();
    }
    return c;
}

bool PurgeDialog::isRunning() const
{
    return m_stage == Stage::Running;
}

void PurgeDialog::setNarrowingChoices(const QStringList &statuses, const QStringList &taskNames)
{
    m_choicesGiven = true;
    QStringList checked;
    for (int i = 0; i < m_statusFilter->count(); ++i)
        if (m_statusFilter->item(i)->checkState() == Qt::Checked)
            checked << m_statusFilter->item(i)->data(Qt::UserRole).toString();
    {
        const QSignalBlocker block(m_statusFilter);
        m_statusFilter->clear();
        for (const QString &status : statuses) {
            if (status.isNull())
                continue;
            auto *item = new QListWidgetItem(status.isEmpty() ? tr("(empty)") : status, m_statusFilter);
            item->setData(Qt::UserRole, status);
            item->setFlags(Qt::ItemIsEnabled | Qt::ItemIsUserCheckable);
            item->setCheckState(checked.contains(status) ? Qt::Checked : Qt::Unchecked);
        }
    }
    const QString current = m_taskNameFilter->currentText();
    {
        const QSignalBlocker block(m_taskNameFilter);
        m_taskNameFilter->clear();
        for (const QString &name : taskNames)
            if (!name.isEmpty())
                m_taskNameFilter->addItem(name);
        m_taskNameFilter->setCurrentIndex(-1);
        m_taskNameFilter->setEditText(current);
    }
    QTimer::singleShot(0, this, [this] { growDialogToFit(this); });
}

void PurgeDialog::loadChoices()
{
    if (!m_model)
        return;
    // The whole store's values, whatever the window is filtered by.
    m_choicesRequest = m_model->requestFacets(TaskQuery(), this, [this](const Reply<Facets> &facets) {
        m_choicesRequest = 0;
        if (!facets)
            return;
        QStringList statuses;
        for (const FacetValue &v : facets->statuses)
            statuses << v.value;
        QStringList names;
        for (const FacetValue &v : facets->taskNames)
            names << v.value;
        names.sort(Qt::CaseInsensitive);
        if (!m_choicesGiven)
            setNarrowingChoices(statuses, names);
        m_choicesGiven = true;
    });
}

void PurgeDialog::schedulePreview()
{
    if (m_stage != Stage::Choosing)
        return;
    updateCutoffHint();
    // Drop now so an answer already on its way is not shown for the old inputs.
    if (m_model)
        m_model->cancelRequest(m_previewRequest);
    m_previewRequest = 0;
    m_previewPending = true;
    m_previewLabel->setText(tr("Counting expired results…"));
    updateConfirm();
    m_debounce->start();
}

void PurgeDialog::updateCutoffHint()
{
    const PurgeCriteria c = currentCriteria();
    const QDateTime local = c.cutoff.toLocalTime();
    QString text = tr("Cutoff: %1").arg(local.toString(QStringLiteral("yyyy-MM-dd HH:mm:ss t")));
    if (m_modeCombo->currentIndex() == 0)
        text += tr(" — fixed when you confirm. Celery's default result_expires is 1 day.");
    m_cutoffHint->setText(text);
}

void PurgeDialog::startPreview(bool quiet)
{
    if (m_stage != Stage::Choosing)
        return;
    m_debounce->stop();
    updateCutoffHint();
    // A slow count for inputs the user has already changed is interrupted; its answer dropped.
    if (m_model)
        m_model->cancelRequest(m_previewRequest);
    m_previewRequest = 0;
    // A quiet refresh (the clock moved, the inputs did not) keeps the count and the button
    // as they are until the new count arrives.
    if (!quiet || m_previewTotal < 0) {
        m_previewPending = true;
        if (m_previewTotal < 0 || m_previewLabel->text().isEmpty())
            m_previewLabel->setText(tr("Counting expired results…"));
        updateConfirm();
    }

    const PurgeCriteria criteria = currentCriteria();
    if (!m_model) {
        onPreview(criteria, Reply<PurgePreview>(0, StoreError(StoreError::Code::QueryFailed, tr("No database is open."))));
        return;
    }
    m_previewRequest = m_model->previewPurge(criteria, this, [this, criteria](const Reply<PurgePreview> &reply) {
        m_previewRequest = 0;
        onPreview(criteria, reply);
    });
}

void PurgeDialog::onPreview(const PurgeCriteria &criteria, const Reply<PurgePreview> &outcome)
{
    if (m_stage != Stage::Choosing)
        return;
    m_previewPending = false;
    if (!outcome) {
        if (outcome.error().code == StoreError::Code::Cancelled)
            return;
        m_previewTotal = -1;
        m_previewLabel->setText(tr("Could not count the expired results: %1")
                                    .arg(DisplayText::sentence(outcome.error().message).toHtmlEscaped()));
        updateConfirm();
        Q_EMIT previewUpdated(-1);
        return;
    }
    m_preview = *outcome;
    m_previewTotal = m_preview.total;
    updateCacheExpiredText(m_preview.cacheExpired);
    QString text;
    if (m_preview.total == 0 && m_preview.groups == 0) {
        text = criteria.isNarrowed() ? tr("No result matching these choices finished before the cutoff.")
                                     : tr("No result finished before the cutoff: nothing to delete.");
        if (criteria.cacheExpired)
            text += QLatin1Char(' ') + tr("None is past its Django cache expiry.");
    } else {
        text = m_preview.total == 1 ? tr("<b>1 result</b> would be deleted")
                                    : tr("<b>%1 results</b> would be deleted").arg(QLocale().toString(m_preview.total));
        const QString breakdown = statusBreakdown(m_preview.byStatus, QLocale());
        if (!breakdown.isEmpty())
            text += QStringLiteral(": ") + breakdown.toHtmlEscaped();
        if (m_preview.groups > 0)
            text += tr(" (and %1)").arg(m_preview.groups == 1 ? tr("1 expired group")
                                                                : tr("%1 expired groups").arg(QLocale().toString(m_preview.groups)));
        text += QLatin1Char('.');
        if (criteria.cacheExpired && m_preview.cacheExpired > 0)
            text += QLatin1Char(' ') + tr("%n of them past their Django cache expiry.", nullptr,
                                          int(qMin<qint64>(m_preview.cacheExpired, INT_MAX)));
    }
    if (!criteria.cacheExpired && m_preview.cacheExpired > 0)
        text += QStringLiteral("<br>") + tr("%n result(s) past their Django cache expiry, not included: tick below to delete them too.", nullptr,
                                            int(qMin<qint64>(m_preview.cacheExpired, INT_MAX)));
    m_previewLabel->setText(text);
    updateConfirm();
    Q_EMIT previewUpdated(m_preview.total);
}

void PurgeDialog::updateConfirm()
{
    const bool known = !m_previewPending && m_previewTotal >= 0;
    const qint64 total = known ? m_preview.total : 0;
    const qint64 groupCount = known ? m_preview.groups : 0;
    if (!known)
        m_confirm->setText(tr("Delete"));
    else if (total > 0 || groupCount == 0)
        m_confirm->setText(total == 1 ? tr("Delete 1 result") : tr("Delete %1 results").arg(QLocale().toString(total)));
    else
        m_confirm->setText(tr("Delete %1").arg(groupsText(groupCount)));
    m_confirm->setEnabled(m_stage == Stage::Choosing && known && (total > 0 || groupCount > 0) && !m_info.readOnly);
    if (m_info.readOnly)
        m_confirm->setToolTip(tr("This connection is read-only"));
}

void PurgeDialog::saveExpires()
{
    if (m_settingsKey.isEmpty())
        return;
    QSettings settings;
    settings.beginGroup(m_settingsKey);
    settings.setValue(QStringLiteral("expiresValue"), m_expiresSpin->value());
    settings.setValue(QStringLiteral("expiresUnitSeconds"), m_expiresUnit->currentData().toLongLong());
    settings.endGroup();
}

void PurgeDialog::confirm()
{
    if (m_stage != Stage::Choosing || m_info.readOnly || m_previewPending || m_previewTotal < 0)
        return;
    // The cutoff is fixed now; exactly this criteria runs.
    m_confirmed = currentCriteria();
    if (m_modeCombo->currentIndex() == 0)
        saveExpires();
    dropRequests();
    setStage(Stage::Running);

    m_job = new PurgeJob(m_model, this);
    connect(m_job, &PurgeJob::progress, this, &PurgeDialog::onProgress);
    connect(m_job, &PurgeJob::finished, this, &PurgeDialog::onFinished);
    m_progress->setRange(0, int(qMin<qint64>(m_previewTotal, INT_MAX)));
    m_progress->setValue(0);
    m_progress->setFormat(tr("Deleting…"));
    m_job->startPurge(m_confirmed, m_previewTotal);
}

void PurgeDialog::onProgress(qint64 done, qint64 expected)
{
    const qint64 max = showDeletionProgress(m_progress, done, expected);
    m_progress->setFormat(tr("Deleted %1 of %2").arg(QLocale().toString(done), resultsText(max)));
}

void PurgeDialog::onFinished(const PurgeSummary &summary)
{
    setStage(Stage::Done);
    m_summary->setText(purgeSummaryText(summary));
    showDeletionFinished(m_progress, summary);
    Q_EMIT purgeFinished(summary);
}

void PurgeDialog::setStage(Stage stage)
{
    m_stage = stage;
    m_inputs->setEnabled(stage == Stage::Choosing);
    m_debounce->stop();
    QTimer::singleShot(0, this, [this] { growDialogToFit(this); });
    switch (stage) {
    case Stage::Choosing:
        break;
    case Stage::Running:
        m_refresh->stop();
        m_confirm->setEnabled(false);
        m_confirm->hide();
        m_progress->show();
        m_cancel->setText(tr("Cancel"));
        m_cancel->setToolTip(tr("Stop after the batch being deleted now; what is deleted stays deleted"));
        break;
    case Stage::Done:
        m_summary->show();
        m_cancel->setEnabled(true);
        m_cancel->setText(tr("Close"));
        m_cancel->setToolTip({});
        m_cancel->setDefault(true);
        m_cancel->setFocus();
        break;
    }
}

void PurgeDialog::reject()
{
    if (m_stage == Stage::Running) {
        // Never close over a running job: cancel, and close once it has stopped.
        if (m_job) {
            m_job->cancel();
            m_cancel->setEnabled(false);
            m_cancel->setText(tr("Cancelling…"));
        }
        return;
    }
    QDialog::reject();
}

void PurgeDialog::closeEvent(QCloseEvent *event)
{
    if (m_stage == Stage::Running) {
        reject();
        event->ignore();
        return;
    }
    QDialog::closeEvent(event);
}
