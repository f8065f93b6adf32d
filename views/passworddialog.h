#pragma once

#include <QDialog>
#include <QString>

class QCheckBox;
class QLabel;
class QLineEdit;

/// Asks for the password of a server whose URL names a user but no password, after the
/// server rejected the connection (StoreOpener::canAskForPassword() decides when). GUI thread
/// only; owned by its parent (a MainWindow). The typed password is kept only in memory:
/// "Remember for this session" hands it to StoreOpener::setSessionPassword(), never to
/// QSettings or the disk; "Remember in the system keyring" (opt-in, unchecked by default) asks
/// the window to store it in the keyring (PasswordKeyring) once the server accepts it.
class PasswordDialog final : public QDialog
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(PasswordDialog)

public:
    /// account: "USER@HOST:PORT" (StoreUrl::account()); reason: the server's refusal, shown above the field.
    explicit PasswordDialog(const QString &account, const QString &reason, QWidget *parent = nullptr);

    /// The password typed (only meaningful after accept()).
    QString password() const;
    /// True when "Remember for this session" is checked.
    bool rememberForSession() const;
    /// True when "Remember in the system keyring" is checked (and the keyring is available).
    bool rememberInKeyring() const;

    /// A sentence about the keyring under the reason (the stored password was rejected, the
    /// keyring is unavailable); hidden when empty.
    void setKeyringNote(const QString &sentence);
    /// Ticks "Remember in the system keyring" (when a stored password exists: unticking it
    /// then forgets that one).
    void setRememberInKeyring(bool remember);
    /// False: the keyring checkbox is disabled (no keyring answers).
    void setKeyringAvailable(bool available);

private:
    QLineEdit *m_edit = nullptr;
    QCheckBox *m_remember = nullptr;
    QLabel *m_keyringNote = nullptr;
    QCheckBox *m_keyring = nullptr;
};
