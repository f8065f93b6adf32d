#include "zlibinflate.h"

#include <cstring>

#include <zlib.h>

bool Zlib::inflateAll(const QByteArray &in, QByteArray *out, QString *error)
{
    z_stream zs;
    std::memset(&zs, 0, sizeof zs);
    if (inflateInit(&zs) != Z_OK) {
        *error = QStringLiteral("zlib cannot start");
        return false;
    }
    zs.next_in = reinterpret_cast<Bytef *>(const_cast<char *>(in.constData()));
    zs.avail_in = uInt(in.size());
    out->clear();
    int rc = Z_OK;
    while (rc == Z_OK) {
        if (out->size() >= maxInflatedBytes) {
            *error = QStringLiteral("the value inflates to more than %1 MB").arg(maxInflatedBytes / (1024 * 1024));
            break;
        }
        const qsizetype have = out->size();
        out->resize(have + qMax<qsizetype>(4096, in.size() * 3));
        zs.next_out = reinterpret_cast<Bytef *>(out->data() + have);
        zs.avail_out = uInt(out->size() - have);
        rc = inflate(&zs, Z_NO_FLUSH);
        out->resize(out->size() - qsizetype(zs.avail_out));
        if (rc == Z_BUF_ERROR && zs.avail_in == 0)
            break;
        if (rc == Z_BUF_ERROR)
            rc = Z_OK; // the output was full: more room
    }
    const bool ok = rc == Z_STREAM_END;
    if (!ok && error->isEmpty()) {
        *error = rc == Z_BUF_ERROR || rc == Z_OK
            ? QStringLiteral("the compressed value is cut short")
            : QStringLiteral("the value is no zlib stream (%1)").arg(QString::fromLatin1(zs.msg ? zs.msg : "zlib error"));
    }
    inflateEnd(&zs);
    return ok;
}
