#include "couchindexdialog.h"

#include "displaytext.h"

#include <QDialogButtonBox>
#include <QFontDatabase>
#include <QHBoxLayout>
#include <QLabel>
#include <QMessageBox>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QVBoxLayout>

namespace {

QLabel *wrappedLabel(QWidget *parent, const char *objectName, const QString &text = QString())
{
    auto *label = new QLabel(text, parent);
    label->setObjectName(QString::fromLatin1(objectName));
    label->setTextFormat(Qt::PlainText); // names and server sentences are text, never markup
    label->setWordWrap(true);
    label->setTextInteractionFlags(Qt::TextSelectableByMouse);
    return label;
}

} // namespace

CouchIndexDialog::CouchIndexDialog(const CouchConfig &config, const QString &readOnlyReason, QWidget *parent)
    : QDialog(parent), m_client(new CouchClient(config, this)), m_readOnlyReason(readOnlyReason)
{
    m_status.database = config.database;
    buildUi();
    readStatus();
}

CouchIndexDialog::~CouchIndexDialog() = default;

void CouchIndexDialog::buildUi()
{
    setObjectName(QStringLiteral("couchIndexDialog"));
    setWindowTitle(tr("Stalk Index on the Server"));
    auto *layout = new QVBoxLayout(this);
    layout->setSpacing(10);

    m_statusLabel = wrappedLabel(this, "statusLabel");
    QFont bold = m_statusLabel->font();
    bold.setBold(true);
    m_statusLabel->setFont(bold);
    layout->addWidget(m_statusLabel);
    m_messageLabel = wrappedLabel(this, "messageLabel");
    m_messageLabel->hide();
    layout->addWidget(m_messageLabel);

    layout->addWidget(wrappedLabel(
        this, "explanationLabel",
        tr("Creating the Stalk index writes one design document, %1, into this database: four views whose keys "
           "are each Celery result's date_done, its status, its task name and its worker (the last three "
           "followed by date_done, all followed by the document id), each with CouchDB's built-in _count reduce. The server builds them in the "
           "background by reading every document once, keeps them current as results arrive, and stores them on "
           "its disk. Writing design documents needs an admin of the database (or of the server).")
            .arg(CouchDesign::documentId())));
    layout->addWidget(wrappedLabel(
        this, "purposeLabel",
        tr("What it is for: when the database is opened again, Stalk answers counts, facets, filters, the "
           "history, pages sorted by date done, status, task name or worker, and Delete Expired from these views "
           "instead of reading every document into memory first. A search, the exception filter, other sort "
           "orders and the Failures tab still read every document, the first time they are used.")));

    layout->addWidget(wrappedLabel(this, "documentCaption", tr("The document, exactly as Stalk writes it:")));
    m_document = new QPlainTextEdit(this);
    m_document->setObjectName(QStringLiteral("documentText"));
    m_document->setReadOnly(true);
    m_document->setLineWrapMode(QPlainTextEdit::NoWrap);
    m_document->setFont(QFontDatabase::systemFont(QFontDatabase::FixedFont));
    m_document->setPlainText(QString::fromUtf8(CouchDesign::documentText()));
    layout->addWidget(m_document, 1);

    m_readOnlyNote = wrappedLabel(this, "readOnlyNote", m_readOnlyReason);
    m_readOnlyNote->setVisible(!m_readOnlyReason.isEmpty());
    layout->addWidget(m_readOnlyNote);

    auto *buttons = new QDialogButtonBox(this);
    const auto addButton = [this, buttons](const QString &text, const char *objectName, QDialogButtonBox::ButtonRole role) {
        QPushButton *button = buttons->addButton(text, role);
        button->setObjectName(QString::fromLatin1(objectName));
        button->setAutoDefault(false);
        return button;
    };
    m_create = addButton(tr("&Create…"), "createButton", QDialogButtonBox::ActionRole);
    m_replace = addButton(tr("&Replace…"), "replaceButton", QDialogButtonBox::ActionRole);
    m_remove = addButton(tr("Re&move…"), "removeButton", QDialogButtonBox::ActionRole);
    m_reread = addButton(tr("Read &Again"), "rereadButton", QDialogButtonBox::ActionRole);
    QPushButton *close = buttons->addButton(QDialogButtonBox::Close);
    close->setObjectName(QStringLiteral("closeButton"));
    layout->addWidget(buttons);
    connect(m_create, &QPushButton::clicked, this, [this] { confirm(Change::Create); });
    connect(m_replace, &QPushButton::clicked, this, [this] { confirm(Change::Replace); });
    connect(m_remove, &QPushButton::clicked, this, [this] { confirm(Change::Remove); });
    connect(m_reread, &QPushButton::clicked, this, &CouchIndexDialog::readStatus);
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
    close->setFocus();
    resize(760, 640);
}

void CouchIndexDialog::readStatus()
{
    setBusy(true, tr("Reading %1 of database '%2'…").arg(CouchDesign::documentId(), m_status.database));
    CouchDesign::readStatus(*m_client, [this](const Outcome<CouchDesign::Status> &answer) {
        onAnswer(QString(), answer);
    });
}

void CouchIndexDialog::confirm(Change change)
{
    if (m_busy || !m_readOnlyReason.isEmpty())
        return;
    const QString database = m_status.database;
    auto *box = new QMessageBox(this);
    box->setObjectName(QStringLiteral("confirmChangeBox"));
    box->setAttribute(Qt::WA_DeleteOnClose);
    box->setIcon(change == Change::Remove ? QMessageBox::Warning : QMessageBox::Question);
    box->setTextFormat(Qt::PlainText);
    QString title;
    QString confirmText;
    switch (change) {
    case Change::Create:
        title = tr("Create the Stalk Index");
        confirmText = tr("Create");
        box->setText(tr("Create %1 in database '%2'?").arg(CouchDesign::documentId(), database));
        box->setInformativeText(tr("The server then builds four views over every document in the background, "
                                   "which takes time and disk space on a large database. Stalk reads them once "
                                   "the database is opened again."));
        break;
    case Change::Replace:
        title = tr("Replace the Stalk Index");
        confirmText = tr("Replace");
        box->setText(tr("Replace %1 (version %2) in database '%3' with version %4?")
                         .arg(CouchDesign::documentId())
                         .arg(m_status.storedVersion)
                         .arg(database)
                         .arg(CouchDesign::version));
        box->setInformativeText(tr("The server then builds the four views again over every document, in the "
                                   "background."));
        break;
    case Change::Remove:
        title = tr("Remove the Stalk Index");
        confirmText = tr("Remove");
        box->setText(tr("Remove %1 from database '%2'?").arg(CouchDesign::documentId(), database));
        box->setInformativeText(tr("The server stops keeping its four views. Once the database is opened "
                                   "again, Stalk reads every document into memory instead."));
        break;
    }
    box->setWindowTitle(title);
    QPushButton *yes = box->addButton(confirmText, QMessageBox::AcceptRole);
    yes->setObjectName(QStringLiteral("confirmChangeButton"));
    QPushButton *no = box->addButton(QMessageBox::Cancel);
    box->setDefaultButton(no);
    box->setEscapeButton(no);
    connect(box, &QMessageBox::buttonClicked, this, [this, yes, change](QAbstractButton *clicked) {
        if (clicked == yes)
            run(change);
    });
    box->open();
}

void CouchIndexDialog::run(Change change)
{
    // The buttons are disabled then, but nothing reaches the server read-only whatever calls this.
    if (m_busy || !m_readOnlyReason.isEmpty())
        return;
    const QString database = m_status.database;
    const CouchDesign::Status current = m_status;
    switch (change) {
    case Change::Create:
    case Change::Replace: {
        const bool create = change == Change::Create;
        setBusy(true, create ? tr("Creating %1 in database '%2'…").arg(CouchDesign::documentId(), database)
                             : tr("Replacing %1 in database '%2'…").arg(CouchDesign::documentId(), database));
        const QString done =
            create ? tr("Created %1 (version %2). The server builds its views in the background.")
                         .arg(CouchDesign::documentId())
                         .arg(CouchDesign::version)
                   : tr("Replaced %1 with version %2. The server builds its views again in the background.")
                         .arg(CouchDesign::documentId())
                         .arg(CouchDesign::version);
        CouchDesign::write(*m_client, current, [this, done](const Outcome<CouchDesign::Status> &answer) {
            onAnswer(done, answer);
        });
        break;
    }
    case Change::Remove: {
        setBusy(true, tr("Removing %1 from database '%2'…").arg(CouchDesign::documentId(), database));
        const QString done = tr("Removed %1.").arg(CouchDesign::documentId());
        CouchDesign::erase(*m_client, current, [this, done](const Outcome<CouchDesign::Status> &answer) {
            onAnswer(done, answer);
        });
        break;
    }
    }
}

void CouchIndexDialog::onAnswer(const QString &done, const Outcome<CouchDesign::Status> &answer)
{
    setBusy(false);
    if (answer.ok()) {
        m_status = *answer;
        m_known = true;
        m_messageLabel->setText(done);
    } else {
        // The command line's sentence (a refused write says who may write design documents).
        m_messageLabel->setText(DisplayText::sentence(answer.error().message));
    }
    m_messageLabel->setVisible(!m_messageLabel->text().isEmpty());
    updateState();
    Q_EMIT answered(answer.ok());
}

void CouchIndexDialog::setBusy(bool busy, const QString &what)
{
    m_busy = busy;
    if (busy) {
        m_statusLabel->setText(what);
        m_messageLabel->clear();
        m_messageLabel->hide();
    }
    updateState();
}

void CouchIndexDialog::updateState()
{
    using State = CouchDesign::Status::State;
    const QString id = CouchDesign::documentId();
    const QString database = m_status.database;
    if (!m_busy) {
        if (!m_known) {
            m_statusLabel->setText(tr("Whether database '%1' holds %2 could not be read.").arg(database, id));
        } else {
            switch (m_status.state) {
            case State::Absent:
                m_statusLabel->setText(tr("Absent: database '%1' holds no %2.").arg(database, id));
                break;
            case State::UpToDate:
                m_statusLabel->setText(tr("Up to date: database '%1' holds %2 version %3, the one this Stalk writes.")
                                           .arg(database, id)
                                           .arg(CouchDesign::version));
                break;
            case State::Outdated:
                m_statusLabel->setText(
                    tr("Outdated: the %1 in database '%2' (version %3) differs from the version %4 this Stalk writes.")
                        .arg(id, database)
                        .arg(m_status.storedVersion)
                        .arg(CouchDesign::version));
                break;
            case State::Foreign:
                m_statusLabel->setText(tr("Foreign: database '%1' holds a %2 that Stalk did not write (it has no "
                                          "stalk_version). Stalk neither replaces nor removes it.")
                                           .arg(database, id));
                break;
            }
        }
    }
    const bool canWrite = !m_busy && m_known && m_readOnlyReason.isEmpty();
    m_create->setEnabled(canWrite && m_status.state == State::Absent);
    m_replace->setEnabled(canWrite && m_status.state == State::Outdated);
    m_remove->setEnabled(canWrite && (m_status.state == State::Outdated || m_status.state == State::UpToDate));
    m_reread->setEnabled(!m_busy);
}
