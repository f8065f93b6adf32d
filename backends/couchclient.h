#pragma once

#include "storeerror.h"

#include <QByteArray>
#include <QElapsedTimer>
#include <QHash>
#include <QJsonDocument>
#include <QObject>
#include <QPair>
#include <QPointer>
#include <QSslCertificate>
#include <QString>
#include <QUrl>
#include <QVector>

#include <functional>

class QNetworkAccessManager;
class QNetworkReply;
struct StoreUrl;

/// Where a CouchDB database is and how to talk to it. Plain value type.
struct CouchConfig
{
    QUrl server;          ///< scheme (http/https), host and port only
    QString user;
    QString password;
    /// Basic: an Authorization header on every request. Cookie: log in once with
    /// POST /_session (the URL's ?auth=cookie) and send the AuthSession cookie; a 401 later
    /// (session expired) logs in again once.
    enum class Auth { Basic, Cookie };
    Auth auth = Auth::Basic;
    QString database = QStringLiteral("default");
    /// Celery >= 5.3's global_keyprefix (the URL's ?keyprefix=…), before "celery-task-meta-".
    QString keyPrefix;
    int timeoutMs = 30000;   ///< per request: no byte for this long = timed out
    int maxAttempts = 4;     ///< for transient failures (reset, time-out, 5xx); never for 4xx
    int backoffMs = 250;     ///< first retry delay; doubles each retry
    int pageSize = 1000;     ///< rows per _all_docs / _changes request
    /// Where counts, facets, pages and purges come from (the URL's ?index=): Auto = the
    /// server's Stalk index (_design/stalk, CouchViews) when it is there and up to date,
    /// else every document read into memory; Full = always the latter; Views = the former
    /// or an error saying why not.
    enum class Index { Auto, Full, Views };
    Index index = Index::Auto;
    /// Extra certificate authorities to trust for TLS (a private CA or a self-signed
    /// server certificate, from the URL's ?cafile=…); the system's stay trusted too.
    QList<QSslCertificate> caCertificates;

    /// From a parsed URL (scheme CouchDb): Celery's couchdb://user:pass@host:port/container
    /// (default host localhost, port 5984, container "default"), couchdbs://… (TLS, port 6984),
    /// plain http:// / https://, and the options ?auth=, ?keyprefix=, ?cafile=, ?index=.
    static Outcome<CouchConfig> fromUrl(const StoreUrl &url);
    /// "host:port", for messages.
    QString hostPort() const;
    /// The URL without the password, for titles and messages.
    QString displayString() const;
};

/// One finished request: the HTTP status, the body, its JSON (when it parsed) or an error.
struct CouchReply
{
    StoreError error;
    int httpStatus = 0;
    QByteArray body;
    QJsonDocument json;
    bool ok() const { return !error.isError(); }
};

/// An asynchronous CouchDB HTTP client on QNetworkAccessManager.
///
/// Thread rules: lives on the thread that created it and is used there only (callbacks run
/// on it); abortAll() must be invoked on that thread (queue it from elsewhere).
/// Ownership: replies are parented to the client and deleteLater()ed on every path; an
/// injected QNetworkAccessManager is not owned (otherwise the client makes its own child).
///
/// Every request: basic auth (or a _session cookie) from the config, Accept/Content-Type JSON, a transfer time-out,
/// retries with exponential backoff for transient failures (connection reset, time-out, 5xx,
/// a truncated or unparsable JSON body) but none for 4xx, and one sentence per failure.
/// TLS errors are reported as errors, never ignored.
class CouchClient final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(CouchClient)
public:
    using Callback = std::function<void(const CouchReply &)>;
    using Query = QVector<QPair<QString, QString>>;
    /// Reads a successful (2xx) body in place of the JSON DOM (runs on the client's thread,
    /// once per attempt). true: decoded, the reply's json stays empty. false: the body is
    /// parsed into the DOM as usual (an unparsable body is then retried and reported like
    /// any other), so a decoder may refuse whatever it does not handle.
    using Decoder = std::function<bool(const QByteArray &body)>;

    explicit CouchClient(CouchConfig config, QObject *parent = nullptr);
    ~CouchClient() override;

    /// Uses this manager for every later request (not owned; must live on this thread).
    void setNetworkAccessManager(QNetworkAccessManager *manager);
    QNetworkAccessManager *networkAccessManager() const { return m_manager; }
    const CouchConfig &config() const { return m_config; }

    /// Sends a request; callback runs exactly once, later (never inside this call).
    /// path is already percent-encoded ("/db/_all_docs"); query values are raw text.
    /// transferTimeoutMs: how long the request may go without a byte; -1 = the config's
    /// timeoutMs, 0 = no limit (a request the server may rightly hold for minutes, a view it
    /// is building, whose caller watches the server otherwise and aborts it).
    void send(const QByteArray &verb, const QString &path, const Query &query, const QByteArray &body,
              Callback callback, Decoder decoder = {}, int transferTimeoutMs = -1);
    void get(const QString &path, const Query &query, Callback callback)
    {
        send("GET", path, query, QByteArray(), std::move(callback));
    }
    /// A GET whose successful body goes to decoder first (see Decoder); the callback then
    /// gets the body, and the DOM only where the decoder declined.
    void get(const QString &path, const Query &query, Decoder decoder, Callback callback)
    {
        send("GET", path, query, QByteArray(), std::move(callback), std::move(decoder));
    }
    void post(const QString &path, const QByteArray &json, Callback callback)
    {
        send("POST", path, {}, json, std::move(callback));
    }

    /// Aborts every running request and pending retry; their callbacks get Cancelled.
    void abortAll();
    /// Number of requests not finished yet (running or waiting for a retry).
    int pendingCount() const { return int(m_pending.size()); }

    /// Percent-encodes one path segment (a database name or document id).
    static QString encodeSegment(const QString &segment);

private:
    struct Pending
    {
        QByteArray verb;
        QUrl url;
        QByteArray body;
        Callback callback;
        Decoder decoder;
        int attempt = 0;
        int transferTimeoutMs = -1; ///< send()'s
        QElapsedTimer started; ///< since this attempt started (the stalk.couch log)
        QPointer<QNetworkReply> reply;
        bool aborted = false;
        bool relogged = false;   ///< cookie auth: already retried after a fresh login
        bool isLogin = false;    ///< this is the POST /_session itself
        QString sslErrors;
    };
    /// Cookie auth: starts the request now if logged in, else after the login.
    void startWhenLoggedIn(quint64 id);
    void onLoginFinished(const CouchReply &reply);
    void start(quint64 id);
    void onFinished(quint64 id, QNetworkReply *reply);
    void finish(quint64 id, const CouchReply &reply);
    /// Schedules another attempt; false when no attempt is left.
    bool retry(quint64 id);
    QNetworkAccessManager *manager();

    CouchConfig m_config;
    QNetworkAccessManager *m_manager = nullptr;
    QNetworkAccessManager *m_ownManager = nullptr;
    QHash<quint64, Pending> m_pending;
    quint64 m_nextId = 1;
    bool m_loggedIn = false;
    bool m_loggingIn = false;
    QVector<quint64> m_waitingForLogin;
};
