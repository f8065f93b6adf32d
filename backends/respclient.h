#pragma once

#include "blockingsocket.h"
#include "storeerror.h"

#include <QByteArray>
#include <QList>
#include <QString>
#include <QVector>


/// One RESP2 reply (the Redis protocol): +simple, -error, :integer, $bulk (or nil), *array.
/// Plain value type.
struct RespValue
{
    enum class Type : quint8 { Nil, Simple, Error, Integer, Bulk, Array };
    Type type = Type::Nil;
    QByteArray text;         ///< Simple, Error, Bulk
    qint64 integer = 0;      ///< Integer
    QVector<RespValue> items; ///< Array

    bool isError() const { return type == Type::Error; }
    bool isNil() const { return type == Type::Nil; }
};

/// The pure RESP2 reader and writer (no I/O, any thread), unit-tested on bytes.
namespace Resp {

enum class ParseStatus { Complete, Incomplete, Invalid };

/// Reads one reply from data at *pos; on Complete advances *pos past it. Bounded: bulk
/// strings up to 512 MB (Redis' own limit), arrays nested at most 64 deep.
ParseStatus parse(const QByteArray &data, qsizetype *pos, RespValue *out, QString *why = nullptr);

/// A command as RESP2 (an array of bulk strings): binary-safe, so keys and values travel as
/// they are.
QByteArray command(const QList<QByteArray> &args);

} // namespace Resp

/// Where and how to reach one Redis server (from a redis://, rediss:// or redis+socket:// URL).
struct RedisEndpoint : SocketEndpoint
{
    QString user;           ///< ACL user (Redis 6+); empty = the default user
    QString password;
    int database = 0;
};

/// A blocking Redis connection for one thread (the thread that calls connect()), over a
/// BlockingSocket: it never runs an event loop — the caller may be a StoreWorker thread that
/// must not re-enter (see CouchStore's class comment) — and it is never used on the GUI
/// thread. interrupt() may be called from any thread: the call in flight returns Cancelled
/// within one slice (50 ms) and the connection is then closed.
///
/// Every failure is one StoreError sentence: refused, unknown host, time-out, TLS failure,
/// NOAUTH/WRONGPASS (AuthenticationFailed), a cluster's MOVED/ASK (Unsupported).
class RedisConnection final
{
public:
    explicit RedisConnection(RedisEndpoint endpoint);
    ~RedisConnection();
    Q_DISABLE_COPY_MOVE(RedisConnection)

    /// Connects, logs in (AUTH) and selects the database.
    StoreError connect();
    bool isConnected() const;
    /// Sends the commands in one write and reads one reply per command, in order (pipelining).
    /// Error replies are values (RespValue::Type::Error) except the ones that make the whole
    /// connection useless (NOAUTH, MOVED/ASK), which are the StoreError.
    Outcome<QVector<RespValue>> pipeline(const QVector<QList<QByteArray>> &commands);
    /// One command.
    Outcome<RespValue> call(const QList<QByteArray> &args);
    /// pipeline() in two halves, so that the server works on the next commands while the
    /// replies to earlier ones are read: sendCommands() sends commands without waiting, replies()
    /// reads the next count replies, in the order their commands were sent. A caller that
    /// stops with replies unread closes the connection (BlockingSocket::fail()).
    StoreError sendCommands(const QVector<QList<QByteArray>> &commands);
    Outcome<QVector<RespValue>> replies(qsizetype count);

    /// Subscriber mode (SUBSCRIBE, PSUBSCRIBE): sends a command without waiting for a reply;
    /// its confirmation arrives as a message through receive().
    StoreError send(const QList<QByteArray> &args);
    /// Subscriber mode: the messages that arrived within waitMs, all those complete in the
    /// buffer. None is a quiet server, not a failure; a closed connection is one.
    Outcome<QVector<RespValue>> receive(int waitMs);

    /// Thread-safe: abort the call in flight (and any later one until clearInterrupt()).
    void interrupt() { m_socket.interrupt(); }
    void clearInterrupt() { m_socket.clearInterrupt(); }

    const RedisEndpoint &endpoint() const { return m_endpoint; }
    /// The socket underneath (a KeyValueStore's connection interrupts through it).
    BlockingSocket &socket() { return m_socket; }

    /// The sentence for a reply error (-NOAUTH, -WRONGPASS, -MOVED, …) as a StoreError.
    static StoreError errorFor(const RespValue &reply, const RedisEndpoint &endpoint);

private:
    /// pipeline() without its log line.
    Outcome<QVector<RespValue>> exchange(const QVector<QList<QByteArray>> &commands);
    /// connect() without its log line.
    StoreError handshake();

    RedisEndpoint m_endpoint;
    BlockingSocket m_socket;
};
