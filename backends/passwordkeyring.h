#pragma once

#include "storeurl.h"

#include <functional>

#include <QString>

class QObject;

/// Server passwords a person chose to remember, in the system keyring (the Secret Service on
/// D-Bus, e.g. GNOME Keyring or KWallet, through QtKeychain), under the service "Stalk" and
/// the key keyFor(url). Never anywhere else: QtKeychain's insecure fallback (which would
/// write the password into QSettings) is switched off, so a keyring that is unavailable
/// answers Unavailable and stores nothing.
///
/// GUI-free, for the window (asynchronous: the answer arrives on the calling thread's event
/// loop, through context, and is dropped when context is gone) and the command line
/// (readNow(): blocks in a local event loop). Call from a thread with an event loop.
class PasswordKeyring final
{
public:
    /// The answer to one keyring request.
    struct Answer
    {
        enum class Status {
            Done,        ///< read: found (password set); write/remove: done
            NotFound,    ///< nothing stored under the key
            Unavailable, ///< no keyring answers (no Secret Service on D-Bus, access denied, …)
        };
        Status status = Status::Done;
        QString password; ///< read only
        QString message;  ///< Unavailable: one sentence saying so and why
    };
    using Callback = std::function<void(const Answer &)>;

    /// The keyring service name: "Stalk".
    static QString service();
    /// The key of url's password: its account without a password, with its scheme
    /// ("postgresql://USER@HOST:PORT", "mysql://…", "couchdb://…", "redis://…",
    /// "redis+socket://USER@/path/redis.sock"); empty for a SQLite URL (no password).
    static QString keyFor(const StoreUrl &url);

    static void read(const QString &key, QObject *context, Callback done);
    static void write(const QString &key, const QString &password, QObject *context, Callback done);
    static void remove(const QString &key, QObject *context, Callback done);
    /// read(), waited for in a local event loop (the command line).
    static Answer readNow(const QString &key);
};
