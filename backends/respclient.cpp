#include "respclient.h"

#include <QElapsedTimer>
#include <QLocalSocket>
#include <QSslConfiguration>
#include <QSslSocket>
#include <QTcpSocket>

#include <algorithm>

#include "stalklog.h"

using Code = StoreError::Code;

namespace {

constexpr qint64 maxBulk = 512LL * 1024 * 1024;
constexpr int maxDepth = 64;
constexpr int sliceMs = 50;

/// The line starting at pos (without CRLF); false when it is not complete yet.
bool readLine(const QByteArray &data, qsizetype pos, QByteArray *line, qsizetype *next)
{
    const qsizetype cr = data.indexOf("\r\n", pos);
    if (cr < 0)
        return false;
    *line = data.mid(pos, cr - pos);
    *next = cr + 2;
    return true;
}

bool toInteger(const QByteArray &text, qint64 *value)
{
    bool ok = false;
    *value = text.toLongLong(&ok);
    return ok && !text.isEmpty();
}

Resp::ParseStatus parseAt(const QByteArray &data, qsizetype *pos, RespValue *out, QString *why, int depth)
{
    using S = Resp::ParseStatus;
    auto invalid = [why](const QString &reason) {
        if (why)
            *why = reason;
        return S::Invalid;
    };
    if (*pos >= data.size())
        return S::Incomplete;
    if (depth > maxDepth)
        return invalid(QStringLiteral("replies nested deeper than %1").arg(maxDepth));
    const char kind = data.at(*pos);
    if (kind != '+' && kind != '-' && kind != ':' && kind != '$' && kind != '*')
        return invalid(QStringLiteral("the server does not speak the Redis protocol (a reply starts with byte 0x%1)")
                           .arg(quint8(kind), 2, 16, QLatin1Char('0')));
    QByteArray line;
    qsizetype next = 0;
    if (!readLine(data, *pos + 1, &line, &next))
        return data.size() - *pos > 64 * 1024 && kind != '$' ? invalid(QStringLiteral("a reply line without its end"))
                                                             : S::Incomplete;
    RespValue v;
    switch (kind) {
    case '+':
        v.type = RespValue::Type::Simple;
        v.text = line;
        break;
    case '-':
        v.type = RespValue::Type::Error;
        v.text = line;
        break;
    case ':':
        v.type = RespValue::Type::Integer;
        if (!toInteger(line, &v.integer))
            return invalid(QStringLiteral("an integer reply is not a number"));
        break;
    case '$': {
        qint64 n = 0;
        if (!toInteger(line, &n) || n < -1 || n > maxBulk)
            return invalid(QStringLiteral("a bulk reply has no valid length"));
        if (n == -1) {
            v.type = RespValue::Type::Nil;
            break;
        }
        if (data.size() - next < n + 2)
            return S::Incomplete;
        if (data.at(next + n) != '\r' || data.at(next + n + 1) != '\n')
            return invalid(QStringLiteral("a bulk reply does not end where its length says"));
        v.type = RespValue::Type::Bulk;
        v.text = data.mid(next, n);
        next += n + 2;
        break;
    }
    case '*': {
        qint64 n = 0;
        if (!toInteger(line, &n) || n < -1 || n > 64 * 1024 * 1024)
            return invalid(QStringLiteral("an array reply has no valid length"));
        if (n == -1) {
            v.type = RespValue::Type::Nil;
            break;
        }
        v.type = RespValue::Type::Array;
        v.items.reserve(int(qMin<qint64>(n, 4096)));
        for (qint64 i = 0; i < n; ++i) {
            RespValue item;
            const S s = parseAt(data, &next, &item, why, depth + 1);
            if (s != S::Complete)
                return s;
            v.items.append(std::move(item));
        }
        break;
    }
    default:
        Q_UNREACHABLE();
    }
    *pos = next;
    *out = std::move(v);
    return S::Complete;
}

bool isClosed(QIODevice *device)
{
    if (auto *s = qobject_cast<QAbstractSocket *>(device))
        return s->state() == QAbstractSocket::UnconnectedState;
    if (auto *s = qobject_cast<QLocalSocket *>(device))
        return s->state() == QLocalSocket::UnconnectedState;
    return !device->isOpen();
}

} // namespace

Resp::ParseStatus Resp::parse(const QByteArray &data, qsizetype *pos, RespValue *out, QString *why)
{
    return parseAt(data, pos, out, why, 0);
}

QByteArray Resp::command(const QList<QByteArray> &args)
{
    QByteArray out;
    qsizetype size = 16;
    for (const QByteArray &a : args)
        size += a.size() + 16;
    out.reserve(size);
    out += '*' + QByteArray::number(args.size()) + "\r\n";
    for (const QByteArray &a : args) {
        out += '$' + QByteArray::number(a.size()) + "\r\n";
        out += a;
        out += "\r\n";
    }
    return out;
}

QString RedisEndpoint::where() const
{
    if (!socketPath.isEmpty())
        return socketPath;
    return (host.contains(u':') ? u'[' + host + u']' : host) + u':' + QString::number(port);
}

RedisConnection::RedisConnection(RedisEndpoint endpoint) : m_endpoint(std::move(endpoint)) { }

RedisConnection::~RedisConnection() = default;

bool RedisConnection::isConnected() const
{
    return m_socket && !isClosed(m_socket.get());
}

StoreError RedisConnection::fail(StoreError error)
{
    // A reply half read leaves the stream out of step: never reuse the connection.
    m_socket.reset();
    m_buffer.clear();
    return error;
}

StoreError RedisConnection::socketError(const QString &doing) const
{
    const QString where = m_endpoint.where();
    if (auto *s = qobject_cast<QAbstractSocket *>(m_socket.get())) {
        switch (s->error()) {
        case QAbstractSocket::ConnectionRefusedError:
            return {Code::ConnectionFailed, QStringLiteral("Redis at %1 refused the connection (is redis-server running there?)").arg(where)};
        case QAbstractSocket::HostNotFoundError:
            return {Code::NotFound, QStringLiteral("Redis host %1 not found").arg(m_endpoint.host)};
        case QAbstractSocket::SocketTimeoutError:
            return {Code::ConnectionFailed, QStringLiteral("Redis at %1 did not answer within %2 s %3")
                                                .arg(where).arg(m_endpoint.timeoutMs / 1000.0).arg(doing)};
        case QAbstractSocket::RemoteHostClosedError:
            // Closed before its first reply, in plain text: most likely a TLS-only port.
            if (m_answered)
                return {Code::ConnectionFailed, QStringLiteral("Redis at %1 closed the connection %2 (did the server stop?)").arg(where, doing)};
            return {Code::ConnectionFailed,
                    m_endpoint.tls ? QStringLiteral("Redis at %1 closed the connection %2").arg(where, doing)
                                   : QStringLiteral("Redis at %1 closed the connection %2 (a TLS-only server? use rediss://)").arg(where, doing)};
        case QAbstractSocket::SslHandshakeFailedError:
        case QAbstractSocket::SslInternalError:
        case QAbstractSocket::SslInvalidUserDataError:
            return {Code::ConnectionFailed, QStringLiteral("the TLS handshake with Redis at %1 failed: %2").arg(where, s->errorString())};
        default:
            return {Code::ConnectionFailed, QStringLiteral("Redis at %1: %2 %3").arg(where, s->errorString(), doing)};
        }
    }
    if (auto *s = qobject_cast<QLocalSocket *>(m_socket.get())) {
        switch (s->error()) {
        case QLocalSocket::ServerNotFoundError:
            return {Code::NotFound, QStringLiteral("no Redis socket at %1").arg(where)};
        case QLocalSocket::ConnectionRefusedError:
            return {Code::ConnectionFailed, QStringLiteral("Redis at %1 refused the connection").arg(where)};
        case QLocalSocket::SocketAccessError:
            return {Code::PermissionDenied, QStringLiteral("no permission to use the Redis socket %1").arg(where)};
        case QLocalSocket::SocketTimeoutError:
            return {Code::ConnectionFailed, QStringLiteral("Redis at %1 did not answer within %2 s %3")
                                                .arg(where).arg(m_endpoint.timeoutMs / 1000.0).arg(doing)};
        case QLocalSocket::PeerClosedError:
            return {Code::ConnectionFailed, QStringLiteral("Redis at %1 closed the connection %2 (did the server stop?)").arg(where, doing)};
        default:
            return {Code::ConnectionFailed, QStringLiteral("Redis at %1: %2 %3").arg(where, s->errorString(), doing)};
        }
    }
    return {Code::ConnectionFailed, QStringLiteral("Redis at %1 is not connected").arg(where)};
}

StoreError RedisConnection::connect()
{
    QElapsedTimer timer;
    timer.start();
    const StoreError error = handshake();
    // where() is host:port or a socket path: never a password.
    if (error)
        qCInfo(lcRedis).noquote() << "cannot connect to" << m_endpoint.where() << "after" << StalkLog::elapsed(timer)
                                  << "-" << error.message;
    else
        qCInfo(lcRedis).noquote() << "connected to" << m_endpoint.where() + (m_endpoint.tls ? QStringLiteral(" (TLS)") : QString())
                                  << "database" << m_endpoint.database << "in" << StalkLog::elapsed(timer);
    return error;
}

StoreError RedisConnection::handshake()
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
                return fail({Code::ConnectionFailed, QStringLiteral("the TLS handshake with Redis at %1 failed: %2")
                                                         .arg(m_endpoint.where(), sslErrors)});
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

    QVector<QList<QByteArray>> hello;
    if (!m_endpoint.password.isEmpty()) {
        if (m_endpoint.user.isEmpty())
            hello.append({"AUTH", m_endpoint.password.toUtf8()});
        else
            hello.append({"AUTH", m_endpoint.user.toUtf8(), m_endpoint.password.toUtf8()});
    }
    hello.append({"PING"});
    if (m_endpoint.database != 0)
        hello.append({"SELECT", QByteArray::number(m_endpoint.database)});
    const Outcome<QVector<RespValue>> replies = pipeline(hello);
    if (!replies)
        return replies.error();
    for (qsizetype i = 0; i < replies->size(); ++i) {
        const RespValue &r = replies->at(i);
        if (!r.isError())
            continue;
        // AUTH without a password configured: Celery's client would go on; so do we.
        if (i == 0 && !m_endpoint.password.isEmpty() && r.text.contains("without any password configured"))
            continue;
        return fail(errorFor(r, m_endpoint));
    }
    return {};
}

StoreError RedisConnection::errorFor(const RespValue &reply, const RedisEndpoint &e)
{
    const QByteArray text = reply.text;
    const QString where = e.where();
    const QString said = QString::fromUtf8(text.left(200));
    if (text.startsWith("NOAUTH"))
        return {Code::AuthenticationFailed, QStringLiteral("Redis at %1 requires a password (NOAUTH)").arg(where)};
    if (text.startsWith("WRONGPASS") || text.startsWith("ERR invalid password") || text.startsWith("ERR invalid username"))
        return {Code::AuthenticationFailed, QStringLiteral("Redis at %1 rejected the user name or password (%2)")
                                                .arg(where, QString::fromUtf8(text.left(text.indexOf(' ') < 0 ? text.size() : text.indexOf(' '))))};
    if (text.startsWith("MOVED") || text.startsWith("ASK ") || text.startsWith("CLUSTERDOWN")
        || text.contains("not allowed in cluster mode"))
        return {Code::Unsupported, QStringLiteral("Redis at %1 is a Redis Cluster node, and Redis Cluster is not supported yet (%2)")
                                       .arg(where, said)};
    if (text.startsWith("NOPERM"))
        return {Code::PermissionDenied, QStringLiteral("Redis at %1 refused: %2").arg(where, said)};
    if (text.startsWith("LOADING"))
        return {Code::ConnectionFailed, QStringLiteral("Redis at %1 is still loading its data set; try again shortly").arg(where)};
    if (text.startsWith("ERR DB index is out of range") || text.startsWith("ERR invalid DB index"))
        return {Code::NotFound, QStringLiteral("Redis at %1 has no database %2").arg(where).arg(e.database)};
    return {Code::QueryFailed, QStringLiteral("Redis at %1 answered: %2").arg(where, said)};
}

StoreError RedisConnection::waitFor(const std::function<bool(int)> &step, const QString &doing)
{
    // step(sliceMs) waits one slice and returns true when it made progress.
    QElapsedTimer quiet;
    quiet.start();
    for (;;) {
        if (m_interrupted.load())
            return fail({Code::Cancelled, QStringLiteral("cancelled")});
        if (step(sliceMs)) {
            return {};
        }
        if (isClosed(m_socket.get()))
            return fail(socketError(doing));
        if (quiet.elapsed() > m_endpoint.timeoutMs)
            return fail({Code::ConnectionFailed, QStringLiteral("Redis at %1 did not answer within %2 s %3")
                                                     .arg(m_endpoint.where())
                                                     .arg(m_endpoint.timeoutMs / 1000.0)
                                                     .arg(doing)});
    }
}

namespace {

/// The commands of a pipeline by name only (an AUTH's arguments hold the password):
/// "HGETALL x500", "AUTH, PING, SELECT".
QString commandNames(const QVector<QList<QByteArray>> &commands)
{
    QStringList names;
    for (qsizetype i = 0; i < commands.size();) {
        const QByteArray name = commands.at(i).value(0);
        qsizetype same = i + 1;
        while (same < commands.size() && commands.at(same).value(0) == name)
            ++same;
        names << QString::fromUtf8(name) + (same - i > 1 ? QStringLiteral(" x%1").arg(same - i) : QString());
        i = same;
    }
    return names.join(QStringLiteral(", "));
}

} // namespace

Outcome<QVector<RespValue>> RedisConnection::pipeline(const QVector<QList<QByteArray>> &commands)
{
    QElapsedTimer timer;
    timer.start();
    auto replies = exchange(commands);
    if (lcRedis().isDebugEnabled()) {
        qCDebug(lcRedis).noquote() << m_endpoint.where() << commandNames(commands) << "->"
                                   << (replies ? QStringLiteral("%1 replies").arg(replies->size()) : replies.error().message)
                                   << "in" << StalkLog::elapsed(timer);
    }
    return replies;
}

Outcome<QVector<RespValue>> RedisConnection::exchange(const QVector<QList<QByteArray>> &commands)
{
    if (!m_socket)
        return StoreError(Code::ConnectionFailed, QStringLiteral("Redis at %1 is not connected").arg(m_endpoint.where()));
    QByteArray out;
    for (const QList<QByteArray> &c : commands)
        out += Resp::command(c);
    QIODevice *device = m_socket.get();
    if (device->write(out) != out.size())
        return fail(socketError(QStringLiteral("while sending")));
    while (device->bytesToWrite() > 0) {
        const StoreError e = waitFor([device](int ms) {
            device->waitForBytesWritten(ms);
            return device->bytesToWrite() == 0;
        }, QStringLiteral("while sending"));
        if (e)
            return e;
    }

    QVector<RespValue> replies;
    replies.reserve(commands.size());
    qsizetype pos = 0;
    while (replies.size() < commands.size()) {
        RespValue v;
        QString why;
        const Resp::ParseStatus s = Resp::parse(m_buffer, &pos, &v, &why);
        if (s == Resp::ParseStatus::Invalid)
            return fail({Code::ConnectionFailed, QStringLiteral("Redis at %1 sent a reply Stalk cannot read: %2 (a TLS server? use rediss://)")
                                                     .arg(m_endpoint.where(), why)});
        if (s == Resp::ParseStatus::Complete) {
            m_answered = true;
            replies.append(std::move(v));
            continue;
        }
        m_buffer.remove(0, pos);
        pos = 0;
        const StoreError e = waitFor([this, device](int ms) {
            if (device->bytesAvailable() == 0)
                device->waitForReadyRead(ms);
            const QByteArray more = device->readAll();
            m_buffer += more;
            return !more.isEmpty();
        }, QStringLiteral("while waiting for a reply"));
        if (e)
            return e;
    }
    m_buffer.remove(0, pos);
    // Replies that make every further command fail (NOAUTH, a cluster's MOVED, …) end the
    // connection with one sentence: the first error of the pipeline's, which says why
    // (a WRONGPASS from AUTH rather than the NOAUTH of the PING after it).
    const auto fatal = [](const RespValue &r) {
        return r.isError()
            && (r.text.startsWith("NOAUTH") || r.text.startsWith("MOVED") || r.text.startsWith("ASK ")
                || r.text.startsWith("CLUSTERDOWN") || r.text.startsWith("LOADING"));
    };
    if (std::any_of(replies.cbegin(), replies.cend(), fatal)) {
        const auto first = std::find_if(replies.cbegin(), replies.cend(), [](const RespValue &r) { return r.isError(); });
        return fail(errorFor(*first, m_endpoint));
    }
    return replies;
}

Outcome<RespValue> RedisConnection::call(const QList<QByteArray> &args)
{
    const Outcome<QVector<RespValue>> r = pipeline({args});
    if (!r)
        return r.error();
    return r->first();
}
