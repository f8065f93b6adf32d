#include "respclient.h"

#include <QElapsedTimer>

#include <algorithm>
#include <cstring>

#include "stalklog.h"

using Code = StoreError::Code;

namespace {

constexpr qint64 maxBulk = 512LL * 1024 * 1024;
constexpr int maxDepth = 64;

/// The line starting at pos (without CRLF); false when it is not complete yet.
bool readLine(const QByteArray &data, qsizetype pos, QByteArrayView *line, qsizetype *next)
{
    // The first CR LF: memchr() for each CR (QByteArray::indexOf() of a two-byte needle
    // costs several times as much, twice for every value of an MGET reply).
    const char *const begin = data.constData();
    const char *const end = begin + data.size();
    for (const char *p = begin + pos; p < end;) {
        const auto *cr = static_cast<const char *>(std::memchr(p, '\r', size_t(end - p)));
        if (!cr || cr + 1 >= end)
            return false;
        if (cr[1] == '\n') {
            *line = QByteArrayView(begin + pos, cr - (begin + pos));
            *next = cr - begin + 2;
            return true;
        }
        p = cr + 1;
    }
    return false;
}

bool toInteger(QByteArrayView text, qint64 *value)
{
    bool ok = false;
    *value = text.toLongLong(&ok);
    return ok && !text.isEmpty();
}

/// One reply at *pos. With Build, into *out; without, only where it ends (and whether it is
/// there and valid): a large reply arrives in many reads, and is measured again after each
/// one but built once, when it is complete.
template<bool Build>
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
    QByteArrayView line;
    qsizetype next = 0;
    if (!readLine(data, *pos + 1, &line, &next))
        return data.size() - *pos > 64 * 1024 && kind != '$' ? invalid(QStringLiteral("a reply line without its end"))
                                                             : S::Incomplete;
    RespValue v;
    switch (kind) {
    case '+':
        v.type = RespValue::Type::Simple;
        if (Build)
            v.text = line.toByteArray();
        break;
    case '-':
        v.type = RespValue::Type::Error;
        if (Build)
            v.text = line.toByteArray();
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
        if (Build)
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
        if (Build)
            v.items.reserve(int(qMin<qint64>(n, 4096)));
        for (qint64 i = 0; i < n; ++i) {
            RespValue item;
            const S s = parseAt<Build>(data, &next, &item, why, depth + 1);
            if (s != S::Complete)
                return s;
            if (Build)
                v.items.append(std::move(item));
        }
        break;
    }
    default:
        Q_UNREACHABLE();
    }
    *pos = next;
    if (Build)
        *out = std::move(v);
    return S::Complete;
}

} // namespace

Resp::ParseStatus Resp::parse(const QByteArray &data, qsizetype *pos, RespValue *out, QString *why)
{
    qsizetype end = *pos;
    const ParseStatus measured = parseAt<false>(data, &end, nullptr, why, 0);
    if (measured != ParseStatus::Complete)
        return measured;
    return parseAt<true>(data, pos, out, why, 0);
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

RedisConnection::RedisConnection(RedisEndpoint endpoint) : m_endpoint(std::move(endpoint)), m_socket(m_endpoint) { }

RedisConnection::~RedisConnection() = default;

bool RedisConnection::isConnected() const
{
    return m_socket.isOpen();
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
    if (StoreError e = m_socket.open())
        return e;

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
        return m_socket.fail(errorFor(r, m_endpoint));
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
    if (StoreError e = sendCommands(commands))
        return e;
    return replies(commands.size());
}

StoreError RedisConnection::sendCommands(const QVector<QList<QByteArray>> &commands)
{
    QByteArray out;
    for (const QList<QByteArray> &c : commands)
        out += Resp::command(c);
    return m_socket.send(out);
}

Outcome<QVector<RespValue>> RedisConnection::replies(qsizetype count)
{
    QVector<RespValue> replies;
    replies.reserve(count);
    qsizetype pos = 0;
    while (replies.size() < count) {
        RespValue v;
        QString why;
        const Resp::ParseStatus s = Resp::parse(m_socket.buffer(), &pos, &v, &why);
        if (s == Resp::ParseStatus::Invalid)
            return m_socket.fail({Code::ConnectionFailed, QStringLiteral("Redis at %1 sent a reply Stalk cannot read: %2 (a TLS server? use rediss://)")
                                                     .arg(m_endpoint.where(), why)});
        if (s == Resp::ParseStatus::Complete) {
            m_socket.setAnswered();
            replies.append(std::move(v));
            continue;
        }
        m_socket.buffer().remove(0, pos);
        pos = 0;
        if (StoreError e = m_socket.readMore())
            return e;
    }
    m_socket.buffer().remove(0, pos);
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
        return m_socket.fail(errorFor(*first, m_endpoint));
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

StoreError RedisConnection::send(const QList<QByteArray> &args)
{
    return m_socket.send(Resp::command(args));
}

Outcome<QVector<RespValue>> RedisConnection::receive(int waitMs)
{
    QVector<RespValue> messages;
    for (bool waited = false;;) {
        qsizetype pos = 0;
        for (;;) {
            RespValue v;
            QString why;
            const Resp::ParseStatus s = Resp::parse(m_socket.buffer(), &pos, &v, &why);
            if (s == Resp::ParseStatus::Invalid)
                return m_socket.fail({Code::ConnectionFailed, QStringLiteral("Redis at %1 sent a message Stalk cannot read: %2")
                                                                 .arg(m_endpoint.where(), why)});
            if (s == Resp::ParseStatus::Incomplete)
                break;
            messages.append(std::move(v));
        }
        m_socket.buffer().remove(0, pos);
        if (!messages.isEmpty() || waited)
            return messages;
        bool arrived = false;
        if (StoreError e = m_socket.readFor(waitMs, &arrived))
            return e;
        // A message cut in two parts waits for its rest within the next call.
        waited = true;
    }
}
