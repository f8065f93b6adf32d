#include "passworddialog.h"

#include <QCheckBox>
#include <QDialogButtonBox>
#include <QFormLayout>
#include <QHash>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QUrl>
#include <QVBoxLayout>

namespace {

/// URL -> password, for "Remember for this session": memory only, GUI thread only.
QHash<QString, QString> &sessionPasswords()
{
    static QHash<QString, QString> passwords;
    return passwords;
}

} // namespace

PasswordDialog::PasswordDialog(const QString &account, const QString &reason, QWidget *parent)
    : QDialog(parent)
{
    setObjectName(QStringLiteral("passwordDialog"));
    setWindowTitle(tr("Password"));

    auto *layout = new QVBoxLayout(this);
    auto *why = new QLabel(reason, this);
    why->setObjectName(QStringLiteral("passwordReason"));
    why->setWordWrap(true);
    why->setTextFormat(Qt::PlainText);
    layout->addWidget(why);

    auto *form = new QFormLayout;
    m_edit = new QLineEdit(this);
    m_edit->setObjectName(QStringLiteral("passwordEdit"));
    m_edit->setEchoMode(QLineEdit::Password);
    m_edit->setInputMethodHints(Qt::ImhHiddenText | Qt::ImhNoPredictiveText | Qt::ImhSensitiveData);
    form->addRow(tr("Password for %1:").arg(account), m_edit);
    layout->addLayout(form);

    m_remember = new QCheckBox(tr("Remember for this session"), this);
    m_remember->setObjectName(QStringLiteral("rememberPassword"));
    m_remember->setToolTip(tr("Kept in memory until Stalk quits; never written to disk"));
    layout->addWidget(m_remember);

    auto *buttons = new QDialogButtonBox(QDialogButtonBox::Ok | QDialogButtonBox::Cancel, this);
    buttons->button(QDialogButtonBox::Ok)->setText(tr("Connect"));
    layout->addWidget(buttons);
    connect(buttons, &QDialogButtonBox::accepted, this, &QDialog::accept);
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
    m_edit->setFocus(Qt::OtherFocusReason);
}

QString PasswordDialog::password() const
{
    return m_edit->text();
}

bool PasswordDialog::rememberForSession() const
{
    return m_remember->isChecked();
}

QString PasswordDialog::accountOf(const StoreUrl &url)
{
    QString account = url.user + u'@' + url.host;
    if (url.port > 0)
        account += u':' + QString::number(url.port);
    return account;
}

bool PasswordDialog::canAskFor(const StoreUrl &url, const StoreOptions &options)
{
    return url.scheme != StoreUrl::Scheme::Sqlite && !url.user.isEmpty() && url.password.isEmpty()
        && options.password.isEmpty() && qEnvironmentVariableIsEmpty("STALK_PASSWORD");
}

bool PasswordDialog::isAuthenticationFailure(const StoreError &error)
{
    if (error.code != StoreError::Code::PermissionDenied)
        return false;
    // The backends' sentences for rejected credentials (PostgreSQL: "authentication failed",
    // "wants a password"; MySQL: "access denied for user … (wrong password?)"; CouchDB:
    // "credentials rejected by …"), not "permission denied while deleting" or a read-only file.
    const QString text = error.message.toLower();
    return text.contains(QLatin1String("authentication failed")) || text.contains(QLatin1String("password"))
        || text.contains(QLatin1String("credentials rejected")) || text.contains(QLatin1String("requires credentials"));
}

Outcome<StoreFactory> PasswordDialog::makeFactory(const QString &url, const StoreOptions &options)
{
    const Outcome<StoreUrl> parsed = StoreUrl::parse(url);
    // StoreOptions::password, else STALK_PASSWORD, as the SQL stores do.
    const QString password = !options.password.isEmpty() ? options.password : qEnvironmentVariable("STALK_PASSWORD");
    if (password.isEmpty() || !parsed || parsed->scheme != StoreUrl::Scheme::CouchDb
        || !parsed->password.isEmpty() || parsed->user.isEmpty()) {
        return makeStoreFactory(url, options);
    }
    // "scheme://user@host…" -> "scheme://user:PASSWORD@host…" (percent-encoded).
    const qsizetype authority = url.indexOf(QLatin1String("://"));
    const qsizetype slash = authority < 0 ? -1 : url.indexOf(u'/', authority + 3);
    const qsizetype at = authority < 0 ? -1 : url.lastIndexOf(u'@', slash < 0 ? -1 : slash);
    if (at <= authority)
        return makeStoreFactory(url, options);
    const QString encoded = QString::fromLatin1(QUrl::toPercentEncoding(password));
    return makeStoreFactory(url.left(at) + u':' + encoded + url.mid(at), options);
}

QString PasswordDialog::sessionPassword(const QString &url)
{
    return sessionPasswords().value(url);
}

void PasswordDialog::setSessionPassword(const QString &url, const QString &password)
{
    if (password.isEmpty())
        sessionPasswords().remove(url);
    else
        sessionPasswords().insert(url, password);
}
