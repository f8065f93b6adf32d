#pragma once

#include "storeerror.h"

#include <QByteArray>
#include <QString>

#include <atomic>
#include <functional>
#include <memory>

class QIODevice;
class QSslConfiguration;

/// Where one key-value server listens (Redis, memcached) and how its sentences name it.
struct SocketEndpoint
{
    QString host = QStringLiteral("127.0.0.1");
    int port = 6379;
    QString socketPath;     ///< non-empty: a unix socket instead of host:port
    bool tls = false;       ///< QSslSocket (Qt's TLS backend, never our own)
    bool verifyPeer = true; ///< ssl_cert_reqs=required (the default) and optional (as Python's ssl client) / none
    QString caFile;         ///< ssl_ca_certs=FILE
    QString certFile;       ///< ssl_certfile=FILE: a client certificate (PEM), for tls-auth-clients
    QString keyFile;        ///< ssl_keyfile=FILE: its private key (PEM; empty: in certFile)
    int timeoutMs = 10000;  ///< connecting, and waiting for any one reply
    QString server = QStringLiteral("Redis");        ///< "Redis at HOST:PORT …"
    QString daemon = QStringLiteral("redis-server"); ///< "(is redis-server running there?)"
    QString tlsScheme = QStringLiteral("rediss://"); ///< the URL form for TLS; empty: none

    /// "HOST:PORT" or the socket path, for sentences.
    QString where() const;
    /// A URL's ?timeout=SECONDS (empty: keep the default) into timeoutMs; the reason when it
    /// is no number of seconds, else an empty string.
    QString readTimeout(const QString &seconds);
};

/// A blocking client socket for one thread (the thread that calls open()): Qt's sockets in
/// their blocking mode (waitForConnected/ReadyRead/BytesWritten in short slices), so it never
/// runs an event loop and is never used on the GUI thread. interrupt() may be called from any
/// thread: the call in flight returns Cancelled within one slice (50 ms) and the socket is
/// closed. Every failure is one StoreError sentence naming the server (refused, unknown host,
/// time-out, TLS failure, closed). The protocol (RESP, memcached's text protocol) is the
/// owner's: it reads replies from buffer() and asks for more with readMore().
class BlockingSocket final
{
public:
    explicit BlockingSocket(SocketEndpoint endpoint);
    ~BlockingSocket();
    Q_DISABLE_COPY_MOVE(BlockingSocket)

    /// Connects (and shakes hands for TLS).
    StoreError open();
    bool isOpen() const;
    /// Closes the socket: after a failure the stream is out of step and never reused.
    StoreError fail(StoreError error);
    /// Writes all of data.
    StoreError send(const QByteArray &data);
    /// Waits until more bytes arrived and appends them to buffer().
    StoreError readMore();
    /// Waits at most waitMs for more bytes (a subscriber's wait for a message): none arriving
    /// is no failure (*arrived false); a closed socket or interrupt() is.
    StoreError readFor(int waitMs, bool *arrived);
    /// What arrived and is not consumed yet; the owner removes what it parsed.
    QByteArray &buffer() { return m_buffer; }
    /// A reply arrived since open() (the owner says so): a close is then no TLS mismatch.
    void setAnswered() { m_answered = true; }

    void interrupt() { m_interrupted.store(true); }
    void clearInterrupt() { m_interrupted.store(false); }
    const SocketEndpoint &endpoint() const { return m_endpoint; }

private:
    StoreError socketError(const QString &doing) const;
    /// The endpoint's client certificate and key into tls (none: nothing to do).
    StoreError addClientCertificate(QSslConfiguration *tls) const;
    StoreError waitFor(const std::function<bool(int)> &step, const QString &doing);
    /// What device has ready, appended to m_buffer; the bytes read.
    qint64 appendAvailable(QIODevice *device);

    SocketEndpoint m_endpoint;
    std::unique_ptr<QIODevice> m_socket;
    QByteArray m_buffer;
    bool m_answered = false;
    std::atomic_bool m_interrupted{false};
};
