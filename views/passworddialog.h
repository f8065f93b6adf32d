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
/// QSettings or the disk.
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

private:
    QLineEdit *m_edit = nullptr;
    QCheckBox *m_remember = nullptr;
};
