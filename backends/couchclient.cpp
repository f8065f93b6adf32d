#include "couchclient.h"

#include <utility>

#include <QJsonObject>
#include <QJsonParseError>
#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QNetworkRequest>
#include <QSslConfiguration>
#include <QSslError>
#include <QTimer>

#include "stalklog.h"
#include "storeurl.h"

// ---------------------------------------------------------------------------------------
// CouchConfig

using Code = StoreError::Code;

Outcome<CouchConfig> CouchConfig::fromUrl(const StoreUrl &url)
{
    if (url.scheme != StoreUrl::Scheme::CouchDb) {
        return StoreError(Code::InvalidUrl, QStringLiteral("not a CouchDB URL (couchdb://, couchdbs://, http://, https://): %1")
                                                .arg(url.displayString()));
    }
    CouchConfig c;
    c.server.setScheme(url.tls ? QStringLiteral("https") : QStringLiteral("http"));
    c.server.setHost(url.host.isEmpty() ? QStringLiteral("localhost") : url.host);
    // CouchDB's ports: 5984 plain, 6984 TLS (Celery's default is 5984).
    c.server.setPort(url.port > 0 ? url.port : (url.tls ? 6984 : 5984));
    c.user = url.user;
    c.password = url.password;
    if (!url.database.isEmpty())
        c.database = url.database;
    c.keyPrefix = url.options.value(QStringLiteral("keyprefix"));
    const QString auth = url.options.value(QStringLiteral("auth"));
    if (auth == QLatin1String("cookie"))
        c.auth = Auth::Cookie;
    else if (!auth.isEmpty() && auth != QLatin1String("basic"))
        return StoreError(Code::InvalidUrl, QStringLiteral("auth=%1: use auth=basic or auth=cookie").arg(auth));
    const QString index = url.options.value(QStringLiteral("index"));
    if (index == QLatin1String("full"))
        c.index = Index::Full;
    else if (index == QLatin1String("views"))
        c.index = Index::Views;
    else if (!index.isEmpty() && index != QLatin1String("auto"))
        return StoreError(Code::InvalidUrl, QStringLiteral("index=%1: use index=auto, index=full or index=views").arg(index));
    const QString caFile = url.options.value(QStringLiteral("cafile"));
    if (!caFile.isEmpty()) {
        c.caCertificates = QSslCertificate::fromPath(caFile, QSsl::Pem);
        if (c.caCertificates.isEmpty())
            return StoreError(Code::InvalidUrl, QStringLiteral("no PEM certificate in cafile '%1'").arg(caFile));
    }
    return c;
}

QString CouchConfig::hostPort() const
{
    return QStringLiteral("%1:%2").arg(server.host()).arg(server.port());
}

QString CouchConfig::displayString() const
{
    QUrl u = server;
    u.setScheme(server.scheme() == QLatin1String("https") ? QStringLiteral("couchdbs")
                                                            : QStringLiteral("couchdb"));
    if (!user.isEmpty())
        u.setUserName(user);
    u.setPath(QLatin1Char('/') + database);
    return u.toDisplayString(QUrl::RemovePassword);
}

// ---------------------------------------------------------------------------------------
// CouchClient

CouchClient::CouchClient(CouchConfig config, QObject *parent)
    : QObject(parent), m_config(std::move(config))
{
}

CouchClient::~CouchClient()
{
    // Replies are our children and go with us; callbacks must not run into a dead owner.
    for (auto it = m_pending.begin(); it != m_pending.end(); ++it) {
        if (it->reply) {
            it->reply->disconnect(this);
            it->reply->abort();
        }
    }
    m_pending.clear();
}

void CouchClient::setNetworkAccessManager(QNetworkAccessManager *manager)
{
    m_manager = manager;
}

QNetworkAccessManager *CouchClient::manager()
{
    if (m_manager)
        return m_manager;
    if (!m_ownManager)
        m_ownManager = new QNetworkAccessManager(this);
    return m_ownManager;
}

QString CouchClient::encodeSegment(const QString &segment)
{
    return QString::fromLatin1(QUrl::toPercentEncoding(segment));
}

void CouchClient::send(const QByteArray &verb, const QString &path, const Query &query,
                       const QByteArray &body, Callback callback, Decoder decoder, int transferTimeoutMs)
{
    QString text = m_config.server.toString(QUrl::RemoveUserInfo | QUrl::RemovePath | QUrl::RemoveQuery)
        + path;
    if (!query.isEmpty()) {
        QStringList items;
        for (const auto &item : query)
            items.append(encodeSegment(item.first) + QLatin1Char('=') + encodeSegment(item.second));
        text += QLatin1Char('?') + items.join(QLatin1Char('&'));
    }
    const quint64 id = m_nextId++;
    Pending p;
    p.verb = verb;
    p.url = QUrl(text, QUrl::StrictMode);
    p.body = body;
    p.callback = std::move(callback);
    p.decoder = std::move(decoder);
    p.transferTimeoutMs = transferTimeoutMs;
    m_pending.insert(id, std::move(p));
    // Start from the event loop so the callback never runs inside send().
    QTimer::singleShot(0, this, [this, id] { startWhenLoggedIn(id); });
}

void CouchClient::startWhenLoggedIn(quint64 id)
{
    const bool needsLogin = m_config.auth == CouchConfig::Auth::Cookie && !m_loggedIn;
    if (!needsLogin) {
        start(id);
        return;
    }
    auto it = m_pending.find(id);
    if (it == m_pending.end())
        return;
    if (it->aborted) {
        CouchReply r;
        r.error = StoreError(Code::Cancelled, QStringLiteral("cancelled"));
        finish(id, r);
        return;
    }
    m_waitingForLogin.append(id);
    if (m_loggingIn)
        return;
    m_loggingIn = true;
    // POST /_session; the manager's cookie jar keeps the AuthSession cookie it sets.
    const QJsonObject credentials{{QStringLiteral("name"), m_config.user}, {QStringLiteral("password"), m_config.password}};
    const quint64 login = m_nextId++;
    Pending p;
    p.verb = "POST";
    p.url = QUrl(m_config.server.toString(QUrl::RemoveUserInfo | QUrl::RemovePath | QUrl::RemoveQuery)
                     + QStringLiteral("/_session"),
                 QUrl::StrictMode);
    p.body = QJsonDocument(credentials).toJson(QJsonDocument::Compact);
    p.isLogin = true;
    p.callback = [this](const CouchReply &reply) { onLoginFinished(reply); };
    m_pending.insert(login, std::move(p));
    start(login);
}

void CouchClient::onLoginFinished(const CouchReply &reply)
{
    m_loggingIn = false;
    m_loggedIn = reply.ok();
    const QVector<quint64> waiting = std::exchange(m_waitingForLogin, {});
    for (quint64 id : waiting) {
        if (reply.ok()) {
            start(id);
        } else {
            CouchReply failed = reply;
            failed.body.clear();
            failed.json = QJsonDocument();
            finish(id, failed);
        }
    }
}

void CouchClient::start(quint64 id)
{
    auto it = m_pending.find(id);
    if (it == m_pending.end() || it->aborted)
        return;
    ++it->attempt;
    it->started.start();
    it->sslErrors.clear();

    QNetworkRequest request(it->url);
    request.setHeader(QNetworkRequest::ContentTypeHeader, QStringLiteral("application/json"));
    request.setRawHeader("Accept", "application/json");
    if (m_config.auth == CouchConfig::Auth::Basic && (!m_config.user.isEmpty() || !m_config.password.isEmpty())) {
        const QByteArray token = (m_config.user + QLatin1Char(':') + m_config.password).toUtf8().toBase64();
        request.setRawHeader("Authorization", "Basic " + token);
    }
    request.setTransferTimeout(it->transferTimeoutMs >= 0 ? it->transferTimeoutMs : m_config.timeoutMs);
    if (!m_config.caCertificates.isEmpty()) {
        QSslConfiguration tls = QSslConfiguration::defaultConfiguration();
        tls.addCaCertificates(m_config.caCertificates);
        request.setSslConfiguration(tls);
    }
    // Our own retry policy decides; no hidden redirects to other hosts.
    request.setAttribute(QNetworkRequest::RedirectPolicyAttribute, QNetworkRequest::ManualRedirectPolicy);

    QNetworkReply *reply = it->body.isNull() && it->verb == "GET"
        ? manager()->get(request)
        : manager()->sendCustomRequest(request, it->verb, it->body);
    reply->setParent(this);
    it->reply = reply;
    connect(reply, &QNetworkReply::sslErrors, this, [this, id](const QList<QSslError> &errors) {
        // Reported, never ignored: the handshake then fails with SslHandshakeFailedError.
        auto p = m_pending.find(id);
        if (p == m_pending.end())
            return;
        QStringList texts;
        for (const QSslError &e : errors)
            texts.append(e.errorString());
        p->sslErrors = texts.join(QStringLiteral("; "));
    });
    connect(reply, &QNetworkReply::finished, this, [this, id, reply] { onFinished(id, reply); });
}

namespace {

bool isTransient(QNetworkReply::NetworkError e)
{
    switch (e) {
    case QNetworkReply::RemoteHostClosedError:
    case QNetworkReply::TimeoutError:
    case QNetworkReply::OperationCanceledError: // a transfer time-out (our aborts are flagged)
    case QNetworkReply::TemporaryNetworkFailureError:
    case QNetworkReply::NetworkSessionFailedError:
    case QNetworkReply::UnknownNetworkError:
    case QNetworkReply::ProxyConnectionClosedError:
    case QNetworkReply::ProxyTimeoutError:
        return true;
    default:
        return false;
    }
}

QString couchReason(const QByteArray &body)
{
    // CouchDB errors: {"error": "not_found", "reason": "missing"}
    const QJsonObject o = QJsonDocument::fromJson(body).object();
    const QString error = o.value(QLatin1String("error")).toString();
    const QString reason = o.value(QLatin1String("reason")).toString();
    if (error.isEmpty())
        return QString::fromUtf8(body.left(200)).trimmed();
    return reason.isEmpty() || reason == error ? error : error + QStringLiteral(": ") + reason;
}

} // namespace

void CouchClient::onFinished(quint64 id, QNetworkReply *reply)
{
    reply->deleteLater(); // every path
    auto it = m_pending.find(id);
    if (it == m_pending.end() || it->reply != reply)
        return;
    it->reply.clear();

    const QString where = m_config.hostPort();
    const QNetworkReply::NetworkError netError = reply->error();
    const QVariant statusAttr = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute);
    const int status = statusAttr.isValid() ? statusAttr.toInt() : 0;
    CouchReply out;
    out.httpStatus = status;
    if (reply->isOpen())
        out.body = reply->readAll();
    // The URL never holds user info here (send() leaves it out); bodies are not logged (a
    // login's holds the password).
    qCDebug(lcCouch).noquote() << it->verb << it->url.toString() << "attempt" << it->attempt << "->"
                               << (status != 0 ? QString::number(status) : reply->errorString()) + u','
                               << out.body.size() << "bytes in" << StalkLog::elapsed(it->started);

    if (it->aborted) {
        out.error = StoreError(StoreError::Code::Cancelled, QStringLiteral("cancelled"));
        finish(id, out);
        return;
    }

    // The HTTP status first: Qt maps 4xx/5xx to its own error codes too, and a status is
    // the more precise statement.
    if (status >= 500) {
        if (retry(id))
            return;
        out.error = StoreError(Code::QueryFailed, QStringLiteral("server error %1 from %2: %3")
                                                      .arg(status).arg(where, couchReason(out.body)));
        finish(id, out);
        return;
    }
    if (status >= 400) {
        if (status == 401 && m_config.auth == CouchConfig::Auth::Cookie && !it->isLogin && !it->relogged) {
            // The session cookie expired: log in again, then repeat this request once.
            it->relogged = true;
            m_loggedIn = false;
            startWhenLoggedIn(id);
            return;
        }
        switch (status) {
        case 401:
            out.error = StoreError(Code::AuthenticationFailed,
                                   m_config.user.isEmpty()
                                       ? QStringLiteral("%1 requires credentials (none in the URL)").arg(where)
                                       : QStringLiteral("credentials rejected by %1").arg(where));
            break;
        case 403:
            out.error = StoreError(Code::PermissionDenied, QStringLiteral("access denied by %1 for user '%2': %3")
                                                               .arg(where, m_config.user, couchReason(out.body)));
            break;
        case 404:
            out.error = StoreError(Code::NotFound, QStringLiteral("not found on %1: %2")
                                                       .arg(where, it->url.path(QUrl::FullyDecoded)));
            break;
        case 409:
            out.error = StoreError(Code::QueryFailed, QStringLiteral("document update conflict on %1").arg(where));
            break;
        default:
            out.error = StoreError(Code::QueryFailed, QStringLiteral("HTTP %1 from %2: %3")
                                                          .arg(status).arg(where, couchReason(out.body)));
            break;
        }
        finish(id, out);
        return;
    }

    if (netError != QNetworkReply::NoError) {
        QString message;
        Code code = Code::ConnectionFailed;
        switch (netError) {
        case QNetworkReply::ConnectionRefusedError:
            message = QStringLiteral("connection refused by %1 (is CouchDB running?)").arg(where);
            break;
        case QNetworkReply::HostNotFoundError:
            code = Code::NotFound;
            message = QStringLiteral("host '%1' not found").arg(m_config.server.host());
            break;
        case QNetworkReply::SslHandshakeFailedError:
            message = QStringLiteral("TLS error with %1: %2")
                          .arg(where, it->sslErrors.isEmpty() ? reply->errorString() : it->sslErrors);
            break;
        case QNetworkReply::RemoteHostClosedError:
            message = QStringLiteral("%1 closed the connection before the reply was complete").arg(where);
            break;
        case QNetworkReply::OperationCanceledError:
        case QNetworkReply::TimeoutError:
            message = QStringLiteral("no reply from %1 within %2 s").arg(where).arg(m_config.timeoutMs / 1000.0);
            break;
        default:
            message = QStringLiteral("network error with %1: %2").arg(where, reply->errorString());
            break;
        }
        // A time-out already cost timeoutMs: try once more at most, so a silent host fails
        // in about two time-outs rather than maxAttempts of them.
        const bool timedOut = netError == QNetworkReply::OperationCanceledError || netError == QNetworkReply::TimeoutError;
        if (isTransient(netError) && !(timedOut && it->attempt >= 2) && retry(id))
            return;
        out.error = StoreError(code, message);
        finish(id, out);
        return;
    }

    if (status < 200 || status >= 300) {
        out.error = StoreError(Code::QueryFailed, QStringLiteral("unexpected HTTP status %1 from %2").arg(status).arg(where));
        finish(id, out);
        return;
    }

    // A decoder that reads the body itself saves the DOM (it declines what it cannot read).
    if (it->decoder && it->decoder(out.body)) {
        finish(id, out);
        return;
    }
    // A truncated body shows up here as JSON that does not parse: retry, then say so.
    QJsonParseError parseError;
    out.json = QJsonDocument::fromJson(out.body, &parseError);
    if (parseError.error != QJsonParseError::NoError) {
        if (retry(id))
            return;
        out.error = StoreError(Code::ConnectionFailed,
                               QStringLiteral("incomplete or invalid JSON from %1 (%2 bytes: %3 at offset %4)")
                                   .arg(where)
                                   .arg(out.body.size())
                                   .arg(parseError.errorString())
                                   .arg(parseError.offset));
        finish(id, out);
        return;
    }
    finish(id, out);
}

bool CouchClient::retry(quint64 id)
{
    auto it = m_pending.find(id);
    if (it == m_pending.end() || it->aborted || it->attempt >= m_config.maxAttempts)
        return false;
    const int delay = m_config.backoffMs * (1 << qMin(it->attempt - 1, 10));
    qCInfo(lcCouch).noquote() << "retrying" << it->verb << it->url.toString() << "in" << delay << "ms (attempt"
                              << it->attempt + 1 << "of" << m_config.maxAttempts << ")";
    QTimer::singleShot(delay, this, [this, id] { start(id); });
    return true;
}

void CouchClient::finish(quint64 id, const CouchReply &reply)
{
    auto it = m_pending.find(id);
    if (it == m_pending.end())
        return;
    Callback callback = std::move(it->callback);
    m_pending.erase(it);
    if (callback)
        callback(reply);
}

void CouchClient::abortAll()
{
    const QList<quint64> ids = m_pending.keys();
    for (quint64 id : ids) {
        auto it = m_pending.find(id);
        if (it == m_pending.end())
            continue;
        it->aborted = true;
        if (it->reply) {
            // finished() follows (synchronously or queued) and reports Cancelled.
            it->reply->abort();
        } else {
            // Waiting for its first start or a retry: cancel it here, from the event loop.
            QTimer::singleShot(0, this, [this, id] {
                CouchReply r;
                r.error = StoreError(StoreError::Code::Cancelled, QStringLiteral("cancelled"));
                finish(id, r);
            });
        }
    }
}
