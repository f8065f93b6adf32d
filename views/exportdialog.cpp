#include "exportdialog.h"

#include <QCloseEvent>
#include <QComboBox>
#include <QDir>
#include <QFileDialog>
#include <QFileInfo>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QLocale>
#include <QProgressBar>
#include <QPushButton>
#include <QRadioButton>
#include <QSettings>
#include <QStandardPaths>
#include <QStyle>
#include <QTimer>
#include <QVBoxLayout>

#include "deletionwidgets.h"
#include "taskresultmodel.h"

namespace {

struct FormatChoice
{
    RowWriter::Format format;
    const char *label;
};
constexpr FormatChoice formatChoices[] = {
    {RowWriter::Format::Csv, QT_TRANSLATE_NOOP("ExportDialog", "CSV (*.csv)")},
    {RowWriter::Format::Json, QT_TRANSLATE_NOOP("ExportDialog", "JSON (*.json)")},
    {RowWriter::Format::JsonLines, QT_TRANSLATE_NOOP("ExportDialog", "JSON Lines (*.jsonl)")},
};

} // namespace

QString exportSummaryText(const ExportSummary &summary)
{
    if (summary.cancelled)
        return ExportDialog::tr("Export cancelled; nothing was saved.");
    if (!summary.error.isEmpty())
        return summary.error;
    return ExportDialog::tr("Exported %1 to %2 in %3 s.")
        .arg(resultsText(summary.rows), QDir::toNativeSeparators(summary.path),
             QLocale().toString(summary.elapsedMs / 1000.0, 'f', 1));
}

ExportDialog::ExportDialog(TaskResultModel *model, const QString &settingsKey, const TaskQuery &query, qint64 matching,
                           const QVector<qint64> &selectedIds, qint64 selectedCount, QWidget *parent)
    : QDialog(parent), m_model(model), m_directoryKey(settingsKey + QStringLiteral("/exportDirectory")),
      m_query(query), m_matching(matching), m_selectedIds(selectedIds)
{
    setObjectName(QStringLiteral("exportDialog"));
    setWindowTitle(tr("Export results"));
    auto *layout = new QVBoxLayout(this);
    layout->setSpacing(10);

    QString matchingText = matching >= 0 ? tr("All %1 matching the filters and search").arg(resultsText(matching))
                                         : tr("Every result matching the filters and search");
    if (selectedCount > 0 && selectedCount >= matching)
        matchingText += tr(" (everything is selected)");
    m_matchingRadio = new QRadioButton(matchingText, this);
    m_matchingRadio->setObjectName(QStringLiteral("exportMatchingRadio"));
    QString selectionText = tr("The %1 selected").arg(resultsText(selectedIds.size()));
    if (selectedIds.isEmpty())
        selectionText = tr("The selected results (none)");
    else if (selectedCount > selectedIds.size())
        // Rows never scrolled into view are not read, so their ids are unknown here.
        selectionText = tr("The %1 loaded of the %2 selected")
                            .arg(QLocale().toString(qint64(selectedIds.size())), resultsText(selectedCount));
    m_selectionRadio = new QRadioButton(selectionText, this);
    m_selectionRadio->setObjectName(QStringLiteral("exportSelectionRadio"));
    m_selectionRadio->setEnabled(!selectedIds.isEmpty());
    (selectedIds.size() > 1 ? m_selectionRadio : m_matchingRadio)->setChecked(true);
    layout->addWidget(m_matchingRadio);
    layout->addWidget(m_selectionRadio);

    auto *form = new QFormLayout;
    m_formatCombo = new QComboBox(this);
    m_formatCombo->setObjectName(QStringLiteral("formatCombo"));
    for (const FormatChoice &choice : formatChoices)
        m_formatCombo->addItem(tr(choice.label), int(choice.format));
    form->addRow(tr("&Format:"), m_formatCombo);

    auto *fileRow = new QHBoxLayout;
    m_pathEdit = new QLineEdit(this);
    m_pathEdit->setObjectName(QStringLiteral("pathEdit"));
    const QString directory = QSettings().value(
        m_directoryKey, QStandardPaths::writableLocation(QStandardPaths::DocumentsLocation)).toString();
    m_pathEdit->setText(QDir(directory).filePath(withSuffix(QStringLiteral("results"), format())));
    fileRow->addWidget(m_pathEdit, 1);
    m_browse = new QPushButton(tr("&Browse…"), this);
    m_browse->setObjectName(QStringLiteral("browseButton"));
    m_browse->setAutoDefault(false);
    fileRow->addWidget(m_browse);
    auto *fileLabel = new QLabel(tr("F&ile:"), this);
    fileLabel->setBuddy(m_pathEdit); // Alt+I
    form->addRow(fileLabel, fileRow);
    layout->addLayout(form);

    auto *note = new QLabel(tr("Written exactly as `stalk list --format %1` prints it, in the table's order.")
                                .arg(RowWriter::formatName(format())),
                            this);
    note->setObjectName(QStringLiteral("noteLabel"));
    note->setWordWrap(true);
    layout->addWidget(note);

    m_progress = new QProgressBar(this);
    m_progress->setObjectName(QStringLiteral("progressBar"));
    m_progress->hide();
    layout->addWidget(m_progress);
    m_summary = addSummaryLabel(this, layout, false);
    layout->addStretch(1);

    auto *buttons = new QHBoxLayout;
    buttons->addStretch(1);
    m_cancel = new QPushButton(tr("Cancel"), this);
    m_cancel->setObjectName(QStringLiteral("cancelButton"));
    m_cancel->setAutoDefault(false);
    buttons->addWidget(m_cancel);
    m_export = new QPushButton(tr("&Export"), this);
    m_export->setObjectName(QStringLiteral("exportButton"));
    m_export->setIcon(style()->standardIcon(QStyle::SP_DialogSaveButton));
    m_export->setDefault(true);
    buttons->addWidget(m_export);
    layout->addLayout(buttons);

    connect(m_formatCombo, &QComboBox::currentIndexChanged, this, [this, note] {
        m_pathEdit->setText(withSuffix(m_pathEdit->text(), format()));
        note->setText(tr("Written exactly as `stalk list --format %1` prints it, in the table's order.")
                          .arg(RowWriter::formatName(format())));
    });
    connect(m_pathEdit, &QLineEdit::textChanged, this,
            [this](const QString &text) { m_export->setEnabled(!m_done && !m_job && !text.trimmed().isEmpty()); });
    connect(m_browse, &QPushButton::clicked, this, &ExportDialog::browse);
    connect(m_export, &QPushButton::clicked, this, &ExportDialog::start);
    connect(m_cancel, &QPushButton::clicked, this, [this] {
        if (m_done)
            accept();
        else
            reject();
    });
    setMinimumWidth(520);
}

ExportDialog::~ExportDialog() = default; // ~ExportJob cancels and removes the temporary file

bool ExportDialog::isRunning() const
{
    return m_job && m_job->isRunning();
}

QString ExportDialog::withSuffix(const QString &path, RowWriter::Format format)
{
    const QString wanted = RowWriter::formatName(format);
    const QFileInfo info(path);
    QString base = path;
    for (const FormatChoice &choice : formatChoices) {
        if (info.suffix() == RowWriter::formatName(choice.format)) {
            base.chop(info.suffix().size() + 1);
            break;
        }
    }
    return base + u'.' + wanted;
}

RowWriter::Format ExportDialog::format() const
{
    return RowWriter::Format(m_formatCombo->currentData().toInt());
}

void ExportDialog::browse()
{
    QString filter;
    const QString path = QFileDialog::getSaveFileName(this, tr("Export results"), m_pathEdit->text(),
                                                      m_formatCombo->currentText(), &filter);
    if (!path.isEmpty())
        m_pathEdit->setText(withSuffix(path, format()));
}

void ExportDialog::start()
{
    if (m_job || m_done || !m_model)
        return;
    const QString path = QDir::cleanPath(m_pathEdit->text().trimmed());
    if (path.isEmpty())
        return;
    QSettings().setValue(m_directoryKey, QFileInfo(path).absolutePath());
    setInputsEnabled(false);
    m_summary->hide();
    m_progress->show();
    m_progress->setRange(0, 0); // until the first page says how far it got
    m_progress->setFormat(tr("Exporting…"));
    m_job = new ExportJob(m_model, this);
    connect(m_job, &ExportJob::progress, this, &ExportDialog::onProgress);
    connect(m_job, &ExportJob::finished, this, &ExportDialog::onFinished);
    if (m_selectionRadio->isChecked())
        m_job->exportRows(path, format(), m_selectedIds);
    else
        m_job->exportQuery(path, format(), m_query, m_matching);
    QTimer::singleShot(0, this, [this] { growDialogToFit(this); });
}

void ExportDialog::onProgress(qint64 done, qint64 expected)
{
    if (expected < 0) {
        m_progress->setFormat(tr("Exported %1…").arg(QLocale().toString(done)));
        return;
    }
    const qint64 max = showDeletionProgress(m_progress, done, expected);
    m_progress->setFormat(tr("Exported %1 of %2").arg(QLocale().toString(done), QLocale().toString(max)));
}

void ExportDialog::setInputsEnabled(bool enabled)
{
    for (QWidget *input : std::initializer_list<QWidget *>{m_matchingRadio, m_formatCombo, m_pathEdit, m_browse})
        input->setEnabled(enabled);
    m_selectionRadio->setEnabled(enabled && !m_selectedIds.isEmpty());
    m_export->setEnabled(enabled && !m_pathEdit->text().trimmed().isEmpty());
}

void ExportDialog::onFinished(const ExportSummary &summary)
{
    m_progress->setRange(0, 1);
    m_progress->setValue(summary.ok() ? 1 : 0);
    m_progress->setFormat(summary.cancelled ? tr("Cancelled") : summary.ok() ? tr("Done") : tr("Failed"));
    m_summary->setText(exportSummaryText(summary));
    m_summary->show();
    showClosable(m_cancel);
    // A file that could not be written: the choices come back, so another path can be tried
    // (nothing was written under the failed one).
    m_done = summary.ok() || summary.cancelled;
    if (!m_done) {
        m_job->deleteLater();
        m_job = nullptr;
        setInputsEnabled(true);
        m_export->setDefault(true);
    }
    QTimer::singleShot(0, this, [this] { growDialogToFit(this); });
    Q_EMIT exportFinished(summary);
}

void ExportDialog::reject()
{
    if (isRunning()) {
        m_job->cancel();
        showCancelling(m_cancel);
        return;
    }
    QDialog::reject();
}

void ExportDialog::closeEvent(QCloseEvent *event)
{
    if (isRunning()) {
        reject();
        event->ignore();
        return;
    }
    QDialog::closeEvent(event);
}
