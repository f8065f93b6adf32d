#pragma once

#include <QByteArray>
#include <QEventLoop>
#include <QString>

#include "couchclient.h"

/// One request to a real CouchDB (pouchdb-server) through Stalk's own CouchClient, waited for
/// in a local event loop: how the CouchDB suites set up and inspect their databases.
inline CouchReply couchRequest(const CouchConfig &config, const QByteArray &verb, const QString &path,
                               const QByteArray &body = QByteArray(), const CouchClient::Query &query = {})
{
    CouchClient client(config);
    QEventLoop loop;
    CouchReply out;
    client.send(verb, path, query, body, [&](const CouchReply &r) {
        out = r;
        loop.quit();
    });
    loop.exec();
    return out;
}
