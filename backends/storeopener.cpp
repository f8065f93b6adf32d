#include "storeopener.h"

#include <QHash>
#include <QMutex>

namespace {

/// URL -> password, for "Remember for this session": memory only.
struct SessionPasswords
{
    QMutex mutex;
    QHash<QString, QString> byUrl;
};

SessionPasswords &sessionPasswords()
{
    static SessionPasswords passwords;
    return passwords;
}

} // namespace

StoreOpener::StoreOpener(const QString &url, StoreOptions options)
    : m_text(url), m_url(StoreUrl::parse(url)), m_options(std::move(options))
{
}

QString StoreOpener::displayString() const
{
    return m_url ? m_url->displayString() : StoreUrl::displayString(m_text);
}

Outcome<StoreFactory> StoreOpener::factory() const
{
    if (!m_url)
        return m_url.error();
    return makeStoreFactory(*m_url, m_options);
}

bool StoreOpener::canAskForPassword(const StoreError &error) const
{
    return error.code == StoreError::Code::AuthenticationFailed && m_url && m_url->scheme != StoreUrl::Scheme::Sqlite
        && (!m_url->user.isEmpty() || m_url->scheme == StoreUrl::Scheme::Redis) // Redis: no user name needed
        && m_options.passwordFor(*m_url).isEmpty();
}

QString StoreOpener::sessionPassword(const QString &url)
{
    SessionPasswords &passwords = sessionPasswords();
    const QMutexLocker lock(&passwords.mutex);
    return passwords.byUrl.value(url);
}

void StoreOpener::setSessionPassword(const QString &url, const QString &password)
{
    SessionPasswords &passwords = sessionPasswords();
    const QMutexLocker lock(&passwords.mutex);
    if (password.isEmpty())
        passwords.byUrl.remove(url);
    else
        passwords.byUrl.insert(url, password);
}
