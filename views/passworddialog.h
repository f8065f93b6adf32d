#pragma once

#include <QDialog>
#include <QString>

#include "storeerror.h"
#include "storeurl.h"

class QCheckBox;
class QLabel;
class QLineEdit;

/// Asks for the password of a server whose URL names a user but no password, after the
/// server rejected the connection. GUI thread only; owned by its parent (a MainWindow).
/// The typed password is kept only in memory: "Remember for this session" stores it in a
/// process-wide map (sessionPassword()) and never in QSettings or on disk.
class PasswordDialog final : public QDialog
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(PasswordDialog)

public:
    /// account: "USER@HOST:PORT" (see accountOf()); reason: the server's refusal, shown above the field.
    explicit PasswordDialog(const QString &account, const QString &reason, QWidget *parent = nullptr);

    /// The password typed (only meaningful after accept()).
    QString password() const;
    /// True when "Remember for this session" is checked.
    bool rememberForSession() const;

    /// "USER@HOST:PORT" for prompts (the port omitted when the URL has none).
    static QString accountOf(const StoreUrl &url);
    /// True when a password could help: a server URL with a user and no password, where
    /// neither options.password nor STALK_PASSWORD supply one.
    static bool canAskFor(const StoreUrl &url, const StoreOptions &options);
    /// True when error is the server rejecting the credentials (not e.g. a missing DELETE
    /// right or a read-only file).
    static bool isAuthenticationFailure(const StoreError &error);

    /// makeStoreFactory(url, options) with options.password (else STALK_PASSWORD) used:
    /// CouchDB stores read the password only from the URL, so for them it is put into the
    /// URL's user info when the URL has a user and no password.
    static Outcome<StoreFactory> makeFactory(const QString &url, const StoreOptions &options);

    /// The password remembered for url in this process, or an empty string.
    static QString sessionPassword(const QString &url);
    /// Remembers (or, with an empty password, forgets) url's password in this process only.
    static void setSessionPassword(const QString &url, const QString &password);

private:
    QLineEdit *m_edit = nullptr;
    QCheckBox *m_remember = nullptr;
};
