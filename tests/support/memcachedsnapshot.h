#pragma once

// Raw memcached access for the suites that run against tools/servers/with_memcached.sh's
// servers (tst_memcachedstore, tst_cli): every key of a server saved before a test deletes and
// put back after it (value, client flags, TTL), so later suites and a second run (test.sh's
// sanitizer stage) read the same data sets. Header-only; needs Qt Network and the backends.

#include <QHostAddress>
#include <QSet>
#include <QTcpSocket>
#include <QVector>

#include "memcachedstore.h"

namespace MemcachedSnapshot {

/// One key of a server as it was found.
struct Key
{
    QByteArray key;
    QByteArray value;
    quint32 flags = 0;
    qint64 ttl = -1; ///< seconds left; -1 none
};

/// Sends raw protocol text to 127.0.0.1:port and returns the answer up to `until`.
inline QByteArray raw(int port, const QByteArray &text, const QByteArray &until = "\r\n")
{
    QTcpSocket s;
    s.connectToHost(QHostAddress::LocalHost, quint16(port));
    if (!s.waitForConnected(3000))
        return QByteArray();
    s.write(text);
    QByteArray out;
    while (!out.endsWith(until) && s.waitForReadyRead(3000))
        out += s.readAll();
    return out;
}

/// Whether the key is on that server (a meta get).
inline bool exists(int port, const QString &key)
{
    return raw(port, "mg " + key.toUtf8() + " v\r\n").startsWith("VA");
}

/// Every key of the server: `lru_crawler metadump hash` until a dump adds nothing, then
/// `mg KEY v f t` for each. Empty when the server cannot be read.
inline QVector<Key> take(int port)
{
    QSet<QString> keys;
    for (int round = 0; round < 10; ++round) {
        const QByteArray dump = raw(port, "lru_crawler metadump hash\r\n", "END\r\n");
        QStringList found;
        bool end = false;
        QString error;
        qsizetype pos = 0;
        if (MemcachedProto::parseMetadump(dump, &pos, &found, &end, &error) != MemcachedProto::ParseStatus::Complete || !end)
            return {};
        const qsizetype before = keys.size();
        for (const QString &k : found)
            keys.insert(k);
        if (round > 0 && keys.size() == before)
            break;
    }
    QVector<Key> saved;
    QTcpSocket socket;
    socket.connectToHost(QHostAddress::LocalHost, quint16(port));
    if (!socket.waitForConnected(3000))
        return {};
    for (const QString &key : keys) {
        socket.write("mg " + key.toUtf8() + " v f t\r\n");
        // A VA reply's data follows its first line: read until the whole reply parsed.
        QByteArray data;
        MemcachedProto::MetaReply meta;
        MemcachedProto::ParseStatus status = MemcachedProto::ParseStatus::Incomplete;
        while (status == MemcachedProto::ParseStatus::Incomplete && socket.waitForReadyRead(3000)) {
            data += socket.readAll();
            qsizetype pos = 0;
            status = MemcachedProto::parseMetaReply(data, &pos, &meta);
        }
        if (status == MemcachedProto::ParseStatus::Complete && meta.code == "VA")
            saved.append({key.toUtf8(), meta.value, meta.flags, meta.ttl});
    }
    return saved;
}

/// Writes every saved key back as it was; the first key memcached refused, else empty.
inline QByteArray restore(int port, const QVector<Key> &saved)
{
    for (const Key &k : saved) {
        const QByteArray command = "ms " + k.key + ' ' + QByteArray::number(k.value.size()) + " F" + QByteArray::number(k.flags)
                                   + " T" + QByteArray::number(k.ttl > 0 ? k.ttl : 0) + "\r\n" + k.value + "\r\n";
        if (!raw(port, command).startsWith("HD"))
            return k.key;
    }
    return QByteArray();
}

} // namespace MemcachedSnapshot
