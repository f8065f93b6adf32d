#include "blockingsocket.h"

#include <algorithm>

#include <QElapsedTimer>
#include <QFile>
#include <QLocalSocket>
#include <QSslConfiguration>
#include <QSslKey>
#include <QSslSocket>
#include <QTcpSocket>

using Code = StoreError::Code;

namespace {

constexpr int sliceMs = 50;

bool isClosed(QIODevice *device)
{
    if (auto *s = qobject_cast<QAbstractSocket *>(device))
        return s->state() == QAbstractSocket::UnconnectedState;
    if (auto *s = qobject_cast<QLocalSocket *>(device))
        return s->state() == QLocalSocket::UnconnectedState;
    return !device->isOpen();
}

} // namespace

QString SocketEndpoint::where() const
{
    if (!socketPath.isEmpty())
        return socketPath;
    return (host.contains(u':') ? u'[' + host + u']' : host) + u':' + QString::number(port);
}

QString SocketEndpoint::readTimeout(const QString &seconds)
{
    if (seconds.isEmpty())
        return QString();
    bool ok = false;
    const double value = seconds.toDouble(&ok);
    if (!ok || value <= 0)
        return QStringLiteral("timeout is \"%1\" (seconds, e.g. 10)").arg(seconds);
    timeoutMs = int(qMin(value, 3600.0) * 1000);
    return QString();
}

BlockingSocket::BlockingSocket(SocketEndpoint endpoint) : m_endpoint(std::move(endpoint)) { }

BlockingSocket::~BlockingSocket() = default;

bool BlockingSocket::isOpen() const
{
    return m_socket && !isClosed(m_socket.get());
}

StoreError BlockingSocket::fail(StoreError error)
{
    // A reply half read leaves the stream out of step: never reuse the connection.
    m_socket.reset();
    m_buffer.clear();
    return error;
}

StoreError BlockingSocket::socketError(const QString &doing) const
{
    const QString where = m_endpoint.where();
    const QString &server = m_endpoint.server;
    const QString timedOut = QStringLiteral("%1 at %2 did not answer within %3 s %4")
                                 .arg(server, where).arg(m_endpoint.timeoutMs / 1000.0).arg(doing);
    if (auto *s = qobject_cast<QAbstractSocket *>(m_socket.get())) {
        switch (s->error()) {
        case QAbstractSocket::ConnectionRefusedError:
            return {Code::ConnectionFailed, QStringLiteral("%1 at %2 refused the connection (is %3 running there?)").arg(server, where, m_endpoint.daemon)};
        case QAbstractSocket::HostNotFoundError:
            return {Code::NotFound, QStringLiteral("%1 host %2 not found").arg(server, m_endpoint.host)};
        case QAbstractSocket::SocketTimeoutError:
            return {Code::ConnectionFailed, timedOut};
        case QAbstractSocket::RemoteHostClosedError:
            // Closed before its first reply over TLS without a client certificate: most likely
            // a server that asks for one (redis-server's default, tls-auth-clients yes).
            if (!m_answered && m_endpoint.tls && m_endpoint.certFile.isEmpty())
                return {Code::ConnectionFailed, QStringLiteral("%1 at %2 closed the connection %3 (does it require a TLS client "
                                                               "certificate? add ssl_certfile=FILE and ssl_keyfile=FILE)")
                                                    .arg(server, where, doing)};
            // Closed before its first reply, in plain text: most likely a TLS-only port.
            if (m_answered || m_endpoint.tls || m_endpoint.tlsScheme.isEmpty())
                return {Code::ConnectionFailed, QStringLiteral("%1 at %2 closed the connection %3%4")
                                                    .arg(server, where, doing,
                                                         m_answered ? QStringLiteral(" (did the server stop?)") : QString())};
            return {Code::ConnectionFailed, QStringLiteral("%1 at %2 closed the connection %3 (a TLS-only server? use %4)")
                                                .arg(server, where, doing, m_endpoint.tlsScheme)};
        case QAbstractSocket::SslHandshakeFailedError:
        case QAbstractSocket::SslInternalError:
        case QAbstractSocket::SslInvalidUserDataError:
            return {Code::ConnectionFailed, QStringLiteral("the TLS handshake with %1 at %2 failed: %3").arg(server, where, s->errorString())};
        default:
            return {Code::ConnectionFailed, QStringLiteral("%1 at %2: %3 %4").arg(server, where, s->errorString(), doing)};
        }
    }
    if (auto *s = qobject_cast<QLocalSocket *>(m_socket.get())) {
        switch (s->error()) {
        case QLocalSocket::ServerNotFoundError:
            return {Code::NotFound, QStringLiteral("no %1 socket at %2").arg(server, where)};
        case QLocalSocket::ConnectionRefusedError:
            return {Code::ConnectionFailed, QStringLiteral("%1 at %2 refused the connection").arg(server, where)};
        case QLocalSocket::SocketAccessError:
            return {Code::PermissionDenied, QStringLiteral("no permission to use the %1 socket %2").arg(server, where)};
        case QLocalSocket::SocketTimeoutError:
            return {Code::ConnectionFailed, timedOut};
        case QLocalSocket::PeerClosedError:
            return {Code::ConnectionFailed, QStringLiteral("%1 at %2 closed the connection %3 (did the server stop?)").arg(server, where, doing)};
        default:
            return {Code::ConnectionFailed, QStringLiteral("%1 at %2: %3 %4").arg(server, where, s->errorString(), doing)};
        }
    }
    return {Code::ConnectionFailed, QStringLiteral("%1 at %2 is not connected").arg(server, where)};
}

StoreError BlockingSocket::open()
{
    m_answered = false;
    m_buffer.clear();
    m_socket.reset();
    const int timeout = qMax(100, m_endpoint.timeoutMs);
    // Connecting and the TLS handshake wait in one call: Qt abandons a connection whose
    // waitForConnected() times out, so these cannot be sliced for interrupt().
    if (!m_endpoint.socketPath.isEmpty()) {
        auto socket = std::make_unique<QLocalSocket>();
        socket->connectToServer(m_endpoint.socketPath);
        const bool ok = socket->waitForConnected(timeout);
        m_socket = std::move(socket);
        if (!ok)
            return fail(socketError(QStringLiteral("while connecting")));
    } else if (m_endpoint.tls) {
        auto socket = std::make_unique<QSslSocket>();
        QSslConfiguration tls = QSslConfiguration::defaultConfiguration();
        if (!m_endpoint.caFile.isEmpty()) {
            const QList<QSslCertificate> cas = QSslCertificate::fromPath(m_endpoint.caFile);
            if (cas.isEmpty())
                return {Code::InvalidUrl, QStringLiteral("ssl_ca_certs=%1 holds no readable certificate").arg(m_endpoint.caFile)};
            tls.setCaCertificates(cas);
        }
        if (StoreError e = addClientCertificate(&tls))
            return e;
        tls.setPeerVerifyMode(m_endpoint.verifyPeer ? QSslSocket::VerifyPeer : QSslSocket::VerifyNone);
        socket->setSslConfiguration(tls);
        socket->connectToHostEncrypted(m_endpoint.host, quint16(m_endpoint.port));
        const bool ok = socket->waitForEncrypted(timeout);
        QString sslErrors;
        for (const QSslError &e : socket->sslHandshakeErrors())
            sslErrors += (sslErrors.isEmpty() ? QString() : QStringLiteral("; ")) + e.errorString();
        m_socket = std::move(socket);
        if (!ok) {
            if (!sslErrors.isEmpty())
                return fail({Code::ConnectionFailed, QStringLiteral("the TLS handshake with %1 at %2 failed: %3")
                                                         .arg(m_endpoint.server, m_endpoint.where(), sslErrors)});
            return fail(socketError(QStringLiteral("during the TLS handshake (is that a TLS port?)")));
        }
    } else {
        auto socket = std::make_unique<QTcpSocket>();
        socket->connectToHost(m_endpoint.host, quint16(m_endpoint.port));
        const bool ok = socket->waitForConnected(timeout);
        m_socket = std::move(socket);
        if (!ok)
            return fail(socketError(QStringLiteral("while connecting")));
    }
    return {};
}

StoreError BlockingSocket::addClientCertificate(QSslConfiguration *tls) const
{
    if (m_endpoint.certFile.isEmpty())
        return {};
    const QList<QSslCertificate> certificates = QSslCertificate::fromPath(m_endpoint.certFile);
    if (certificates.isEmpty())
        return {Code::InvalidUrl, QStringLiteral("ssl_certfile=%1 holds no readable certificate").arg(m_endpoint.certFile)};
    const QString keyPath = m_endpoint.keyFile.isEmpty() ? m_endpoint.certFile : m_endpoint.keyFile;
    QFile file(keyPath);
    const QByteArray pem = file.open(QIODevice::ReadOnly) ? file.readAll() : QByteArray();
    for (const QSsl::KeyAlgorithm algorithm : {QSsl::Rsa, QSsl::Ec, QSsl::Dsa}) {
        const QSslKey key(pem, algorithm, QSsl::Pem);
        if (!key.isNull()) {
            tls->setLocalCertificate(certificates.constFirst());
            tls->setPrivateKey(key);
            return {};
        }
    }
    return {Code::InvalidUrl, QStringLiteral("%1=%2 holds no readable private key (PEM, not encrypted)")
                                  .arg(m_endpoint.keyFile.isEmpty() ? QStringLiteral("ssl_certfile") : QStringLiteral("ssl_keyfile"), keyPath)};
}

StoreError BlockingSocket::waitFor(const std::function<bool(int)> &step, const QString &doing)
{
    // step(sliceMs) waits one slice and returns true when it made progress.
    QElapsedTimer quiet;
    quiet.start();
    for (;;) {
        if (m_interrupted.load())
            return fail({Code::Cancelled, QStringLiteral("cancelled")});
        if (step(sliceMs))
            return {};
        if (isClosed(m_socket.get()))
            return fail(socketError(doing));
        if (quiet.elapsed() > m_endpoint.timeoutMs)
            return fail({Code::ConnectionFailed, QStringLiteral("%1 at %2 did not answer within %3 s %4")
                                                     .arg(m_endpoint.server, m_endpoint.where())
                                                     .arg(m_endpoint.timeoutMs / 1000.0)
                                                     .arg(doing)});
    }
}

StoreError BlockingSocket::send(const QByteArray &data)
{
    if (!m_socket)
        return {Code::ConnectionFailed, QStringLiteral("%1 at %2 is not connected").arg(m_endpoint.server, m_endpoint.where())};
    QIODevice *device = m_socket.get();
    if (device->write(data) != data.size())
        return fail(socketError(QStringLiteral("while sending")));
    while (device->bytesToWrite() > 0) {
        const StoreError e = waitFor([device](int ms) {
            device->waitForBytesWritten(ms);
            return device->bytesToWrite() == 0;
        }, QStringLiteral("while sending"));
        if (e)
            return e;
    }
    return {};
}

qint64 BlockingSocket::appendAvailable(QIODevice *device)
{
    // Read straight behind what the buffer holds: a large reply arrives in many reads, and
    // readAll() would copy each one once more.
    const qint64 available = device->bytesAvailable();
    if (available <= 0)
        return 0;
    const qsizetype had = m_buffer.size();
    m_buffer.resize(had + available);
    const qint64 read = device->read(m_buffer.data() + had, available);
    m_buffer.resize(had + std::max<qint64>(read, 0));
    return read;
}

StoreError BlockingSocket::readMore()
{
    if (!m_socket)
        return {Code::ConnectionFailed, QStringLiteral("%1 at %2 is not connected").arg(m_endpoint.server, m_endpoint.where())};
    QIODevice *device = m_socket.get();
    return waitFor([this, device](int ms) {
        if (device->bytesAvailable() == 0)
            device->waitForReadyRead(ms);
        return appendAvailable(device) > 0;
    }, QStringLiteral("while waiting for a reply"));
}

StoreError BlockingSocket::readFor(int waitMs, bool *arrived)
{
    *arrived = false;
    if (!m_socket)
        return {Code::ConnectionFailed, QStringLiteral("%1 at %2 is not connected").arg(m_endpoint.server, m_endpoint.where())};
    QIODevice *device = m_socket.get();
    QElapsedTimer waited;
    waited.start();
    for (;;) {
        if (m_interrupted.load())
            return fail({Code::Cancelled, QStringLiteral("cancelled")});
        if (device->bytesAvailable() == 0)
            device->waitForReadyRead(int(std::clamp<qint64>(waitMs - waited.elapsed(), 0, sliceMs)));
        if (appendAvailable(device) > 0) {
            *arrived = true;
            return {};
        }
        if (isClosed(device))
            return fail(socketError(QStringLiteral("while waiting for notifications")));
        if (waited.elapsed() >= waitMs)
            return {};
    }
}
