#include "passworddialog.h"

#include <QCheckBox>
#include <QDialogButtonBox>
#include <QFormLayout>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QVBoxLayout>

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
    m_keyringNote = new QLabel(this);
    m_keyringNote->setObjectName(QStringLiteral("keyringNote"));
    m_keyringNote->setWordWrap(true);
    m_keyringNote->setTextFormat(Qt::PlainText);
    m_keyringNote->hide();
    layout->addWidget(m_keyringNote);

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
    m_keyring = new QCheckBox(tr("Remember in the system keyring"), this);
    m_keyring->setObjectName(QStringLiteral("rememberInKeyring"));
    m_keyring->setToolTip(tr("Stored in the desktop's keyring (Secret Service) once the server accepts it, "
                             "never in Stalk's settings; stalk --keyring can read it too"));
    layout->addWidget(m_keyring);

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

bool PasswordDialog::rememberInKeyring() const
{
    return m_keyring->isEnabled() && m_keyring->isChecked();
}

void PasswordDialog::setKeyringNote(const QString &sentence)
{
    m_keyringNote->setText(sentence);
    m_keyringNote->setVisible(!sentence.isEmpty());
}

void PasswordDialog::setRememberInKeyring(bool remember)
{
    m_keyring->setChecked(remember);
}

void PasswordDialog::setKeyringAvailable(bool available)
{
    m_keyring->setEnabled(available);
}
