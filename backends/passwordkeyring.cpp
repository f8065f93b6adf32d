#include "passwordkeyring.h"

#include <QEventLoop>
#include <QObject>

#include <qt6keychain/keychain.h>

namespace {

PasswordKeyring::Answer answerOf(const QKeychain::Job &job)
{
    PasswordKeyring::Answer answer;
    switch (job.error()) {
    case QKeychain::NoError:
        break;
    case QKeychain::EntryNotFound:
        answer.status = PasswordKeyring::Answer::Status::NotFound;
        break;
    default:
        answer.status = PasswordKeyring::Answer::Status::Unavailable;
        answer.message = QObject::tr("the system keyring is unavailable (%1)").arg(job.errorString());
        break;
    }
    return answer;
}

/// Starts job (deleted when it finishes) and hands its answer to done, on context's thread.
void start(QKeychain::Job *job, const QString &key, QObject *context, PasswordKeyring::Callback done)
{
    job->setAutoDelete(true);
    // Never QSettings: without a keyring, nothing is stored.
    job->setInsecureFallback(false);
    job->setKey(key);
    QObject::connect(job, &QKeychain::Job::finished, context, [done = std::move(done)](QKeychain::Job *finished) {
        PasswordKeyring::Answer answer = answerOf(*finished);
        if (answer.status == PasswordKeyring::Answer::Status::Done)
            if (auto *read = qobject_cast<QKeychain::ReadPasswordJob *>(finished))
                answer.password = read->textData();
        done(answer);
    });
    job->start();
}

QString schemeName(const StoreUrl &url)
{
    switch (url.scheme) {
    case StoreUrl::Scheme::Sqlite:
    case StoreUrl::Scheme::Memcached: // no login: nothing to store
    case StoreUrl::Scheme::FileCache:
        break;
    case StoreUrl::Scheme::PostgreSql:
        return QStringLiteral("postgresql");
    case StoreUrl::Scheme::MySql:
        return QStringLiteral("mysql");
    case StoreUrl::Scheme::CouchDb:
        return url.tls ? QStringLiteral("couchdbs") : QStringLiteral("couchdb");
    case StoreUrl::Scheme::Redis:
        if (!url.path.isEmpty())
            return QStringLiteral("redis+socket");
        return url.tls ? QStringLiteral("rediss") : QStringLiteral("redis");
    }
    return {};
}

} // namespace

QString PasswordKeyring::service()
{
    return QStringLiteral("Stalk");
}

QString PasswordKeyring::keyFor(const StoreUrl &url)
{
    const QString scheme = schemeName(url);
    if (scheme.isEmpty())
        return {};
    if (url.scheme == StoreUrl::Scheme::Redis && !url.path.isEmpty())
        return QStringLiteral("%1://%2@%3").arg(scheme, url.user, url.path);
    return scheme + QStringLiteral("://") + url.account();
}

void PasswordKeyring::read(const QString &key, QObject *context, Callback done)
{
    start(new QKeychain::ReadPasswordJob(service()), key, context, std::move(done));
}

void PasswordKeyring::write(const QString &key, const QString &password, QObject *context, Callback done)
{
    auto *job = new QKeychain::WritePasswordJob(service());
    job->setTextData(password);
    start(job, key, context, std::move(done));
}

void PasswordKeyring::remove(const QString &key, QObject *context, Callback done)
{
    start(new QKeychain::DeletePasswordJob(service()), key, context, std::move(done));
}

PasswordKeyring::Answer PasswordKeyring::readNow(const QString &key)
{
    QEventLoop loop;
    Answer answer;
    bool finished = false;
    read(key, &loop, [&loop, &answer, &finished](const Answer &got) {
        answer = got;
        finished = true;
        loop.quit();
    });
    if (!finished) // a job may answer before the loop runs
        loop.exec();
    return answer;
}
