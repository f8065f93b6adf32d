#pragma once

#include "storeurl.h"

#include <QString>

/// Opens stores for a URL as a person gives it (a command line, the window's Database field):
/// the URL parsed once, its form for messages, the factory that logs in with the password of
/// StoreOptions::passwordFor(), and whether asking for a password could help once the server
/// rejected the login. The command line asks on its terminal and the window with a dialog;
/// the rules are here, GUI-free, for both.
///
/// A value, usable on any thread. The session memory ("Remember for this session") is
/// process-wide and thread-safe, and lives in memory only: never in settings, never on disk.
class StoreOpener final
{
public:
    /// options.password: one typed or remembered for this URL, used when the URL has none.
    explicit StoreOpener(const QString &url, StoreOptions options = {});

    /// The URL as parsed, or why it cannot be read.
    const Outcome<StoreUrl> &url() const { return m_url; }
    /// The URL for messages, its password shown as "***" (StoreUrl::displayString(), also
    /// when it does not parse).
    QString displayString() const;
    /// Unopened stores for the URL (see makeStoreFactory()).
    Outcome<StoreFactory> factory() const;
    /// True when error is the server rejecting the login (StoreError::Code::AuthenticationFailed)
    /// of a server URL that names a user but no password, and neither the options nor
    /// STALK_PASSWORD supply one: a password asked for now could help.
    bool canAskForPassword(const StoreError &error) const;

    /// The password remembered for url in this process, or an empty string.
    static QString sessionPassword(const QString &url);
    /// Remembers (or, with an empty password, forgets) url's password in this process only.
    static void setSessionPassword(const QString &url, const QString &password);

private:
    QString m_text;
    Outcome<StoreUrl> m_url;
    StoreOptions m_options;
};
