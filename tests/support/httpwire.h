#pragma once

#include <QByteArray>
#include <QHash>
#include <QList>
#include <QPair>
#include <QString>
#include <QUrl>
#include <QUrlQuery>

/// HTTP/1.1 as the loopback servers of the CouchDB suites speak it (tst_couchfaults' scripted
/// CouchDB, tst_couchcluster's proxy): one request read off what a client sent, one answer
/// written with Connection: close. Test code only; plain values, any thread.
struct HttpRequest
{
    QByteArray method;
    QByteArray target; // path?query, percent-encoded
    QByteArray path() const { return target.left(target.indexOf('?') < 0 ? target.size() : target.indexOf('?')); }
    QString query(const QString &key) const
    {
        const int q = target.indexOf('?');
        if (q < 0)
            return QString();
        return QUrlQuery(QUrl::fromPercentEncoding(target.mid(q + 1).replace('+', "%2B")))
            .queryItemValue(key, QUrl::FullyDecoded);
    }
    QList<QPair<QByteArray, QByteArray>> headers;
    QByteArray header(const QByteArray &name) const
    {
        for (const auto &h : headers)
            if (h.first.compare(name, Qt::CaseInsensitive) == 0)
                return h.second;
        return QByteArray();
    }
    QByteArray body;
};

/// The request at the start of buffer, once its head and its Content-Length of body are all
/// there (false until then; buffer is left as it is).
inline bool parseHttpRequest(const QByteArray &buffer, HttpRequest *out)
{
    const int end = buffer.indexOf("\r\n\r\n");
    if (end < 0)
        return false;
    HttpRequest r;
    const QList<QByteArray> lines = buffer.left(end).split('\n');
    const QList<QByteArray> first = lines.first().trimmed().split(' ');
    r.method = first.value(0);
    r.target = first.value(1);
    qint64 length = 0;
    for (qsizetype i = 1; i < lines.size(); ++i) {
        const int colon = lines[i].indexOf(':');
        if (colon < 0)
            continue;
        r.headers.append({lines[i].left(colon).trimmed(), lines[i].mid(colon + 1).trimmed()});
        if (r.headers.last().first.compare("content-length", Qt::CaseInsensitive) == 0)
            length = r.headers.last().second.toLongLong();
    }
    if (buffer.size() < end + 4 + length)
        return false;
    r.body = buffer.mid(end + 4, length);
    *out = std::move(r);
    return true;
}

/// A whole answer with a JSON body; declaredLength, when given, is the Content-Length sent
/// instead of the body's (a truncated body).
inline QByteArray httpResponse(int status, const QByteArray &body, qint64 declaredLength = -1)
{
    static const QHash<int, QByteArray> reasons{{200, "OK"},           {201, "Created"},   {202, "Accepted"},
                                                {400, "Bad Request"},  {401, "Unauthorized"}, {403, "Forbidden"},
                                                {404, "Object Not Found"}, {409, "Conflict"},
                                                {500, "Internal Server Error"}, {502, "Bad Gateway"},
                                                {503, "Service Unavailable"}};
    return "HTTP/1.1 " + QByteArray::number(status) + ' ' + reasons.value(status, "Status")
        + "\r\nContent-Type: application/json\r\nConnection: close\r\nContent-Length: "
        + QByteArray::number(declaredLength < 0 ? body.size() : declaredLength) + "\r\n\r\n" + body;
}
