#include "connectionbar.h"

#include <QCheckBox>
#include <QCompleter>
#include <QCryptographicHash>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QSettings>
#include <QStringListModel>
#include <QToolButton>

#include "storeurl.h"

namespace {

const QString recentKey = QStringLiteral("recentConnections");

/// What Stalk may keep of a URL on disk: the text without its password.
QString storedForm(const QString &url)
{
    return StoreUrl::withoutPassword(url.trimmed());
}

} // namespace

ConnectionBar::ConnectionBar(QWidget *parent) : QWidget(parent)
{
    setObjectName(QStringLiteral("connectionBar"));
    auto *layout = new QHBoxLayout(this);
    layout->setContentsMargins(4, 2, 4, 2);
    layout->setSpacing(6);

    auto *label = new QLabel(tr("&Database:"), this);
    m_edit = new QLineEdit(this);
    m_edit->setObjectName(QStringLiteral("urlEdit"));
    m_edit->setPlaceholderText(
        tr("sqlite:////path/to/db.sqlite3, postgresql://user@host/db, couchdb://host:5984/results"));
    m_edit->setToolTip(tr("The result store URL, as on the command line. Recent connections "
                          "complete as you type; passwords are never remembered."));
    m_edit->setClearButtonEnabled(true);
    m_edit->setMinimumWidth(320);
    label->setBuddy(m_edit);

    m_recentModel = new QStringListModel(this);
    m_completer = new QCompleter(m_recentModel, this);
    m_completer->setCaseSensitivity(Qt::CaseInsensitive);
    m_completer->setFilterMode(Qt::MatchContains);
    m_completer->setCompletionMode(QCompleter::PopupCompletion);
    m_edit->setCompleter(m_completer);
    reloadRecentConnections();

    m_openButton = new QToolButton(this);
    m_openButton->setObjectName(QStringLiteral("openButton"));
    m_openButton->setText(tr("Open"));
    m_openButton->setToolButtonStyle(Qt::ToolButtonTextOnly);
    m_openButton->setToolTip(tr("Open the database (Return)"));

    m_readOnly = new QCheckBox(tr("Read-&only"), this);
    m_readOnly->setObjectName(QStringLiteral("readOnlyToggle"));
    m_readOnly->setToolTip(tr("Browse without any way to delete: remembered per connection"));

    layout->addWidget(label);
    layout->addWidget(m_edit, 1);
    layout->addWidget(m_openButton);
    layout->addWidget(m_readOnly);

    connect(m_edit, &QLineEdit::returnPressed, this, [this] {
        if (!url().isEmpty())
            Q_EMIT openRequested(url());
    });
    connect(m_openButton, &QToolButton::clicked, this, [this] {
        if (!url().isEmpty())
            Q_EMIT openRequested(url());
    });
    connect(m_readOnly, &QCheckBox::toggled, this, [this](bool on) { Q_EMIT readOnlyToggled(on); });
}

QString ConnectionBar::url() const
{
    return m_edit->text().trimmed();
}

void ConnectionBar::setUrl(const QString &url)
{
    m_edit->setText(url);
    m_edit->setCursorPosition(0);
}

bool ConnectionBar::isReadOnly() const
{
    return m_readOnly->isChecked();
}

void ConnectionBar::setReadOnly(bool readOnly)
{
    const QSignalBlocker blocker(m_readOnly);
    m_readOnly->setChecked(readOnly);
}

void ConnectionBar::focusUrl()
{
    m_edit->setFocus(Qt::ShortcutFocusReason);
    m_edit->selectAll();
}

QString ConnectionBar::settingsKey(const QString &url)
{
    const QByteArray hash = QCryptographicHash::hash(storedForm(url).toUtf8(),
                                                     QCryptographicHash::Sha1)
                                .toHex()
                                .left(16);
    return QStringLiteral("connections/") + QString::fromLatin1(hash);
}

QString ConnectionBar::rememberConnection(const QString &url)
{
    const QString stored = storedForm(url);
    if (stored.isEmpty())
        return stored;
    QSettings settings;
    QStringList recent = settings.value(recentKey).toStringList();
    recent.removeAll(stored);
    recent.prepend(stored);
    while (recent.size() > maxRecent)
        recent.removeLast();
    settings.setValue(recentKey, recent);
    return stored;
}

QStringList ConnectionBar::recentConnections()
{
    return QSettings().value(recentKey).toStringList();
}

bool ConnectionBar::rememberedReadOnly(const QString &url)
{
    return QSettings().value(settingsKey(url) + QStringLiteral("/readOnly"), false).toBool();
}

void ConnectionBar::setRememberedReadOnly(const QString &url, bool readOnly)
{
    QSettings().setValue(settingsKey(url) + QStringLiteral("/readOnly"), readOnly);
}

void ConnectionBar::reloadRecentConnections()
{
    m_recentModel->setStringList(recentConnections());
}
