#include "rowdocids.h"

#include "couchdocument.h"

namespace {

constexpr int uuidLength = 36;

bool isDash(int at)
{
    return at == 8 || at == 13 || at == 18 || at == 23;
}

} // namespace

bool RowDocIds::pack(QStringView text, Uuid *out)
{
    if (text.size() != uuidLength)
        return false;
    quint64 parts[2] = {0, 0};
    int digits = 0;
    for (int at = 0; at < uuidLength; ++at) {
        const char16_t c = text.at(at).unicode();
        if (isDash(at)) {
            if (c != u'-')
                return false;
            continue;
        }
        int v = -1;
        if (c >= u'0' && c <= u'9')
            v = c - u'0';
        else if (c >= u'a' && c <= u'f')
            v = c - u'a' + 10; // upper case would not read back as written: kept as text
        if (v < 0)
            return false;
        quint64 &part = parts[digits / 16];
        part = (part << 4) | quint64(v);
        ++digits;
    }
    out->high = parts[0];
    out->low = parts[1];
    return true;
}

QString RowDocIds::unpack(const Uuid &uuid)
{
    static const char hex[] = "0123456789abcdef";
    QString text(uuidLength, Qt::Uninitialized);
    QChar *w = text.data();
    int digit = 0;
    for (int at = 0; at < uuidLength; ++at) {
        if (isDash(at)) {
            w[at] = QLatin1Char('-');
            continue;
        }
        const quint64 part = digit < 16 ? uuid.high : uuid.low;
        const int shift = 4 * (15 - digit % 16);
        w[at] = QLatin1Char(hex[(part >> shift) & 0xf]);
        ++digit;
    }
    return QLatin1String(CouchDocument::taskPrefix) + text;
}

void RowDocIds::insert(qint64 rowId, const QString &docId)
{
    const QLatin1String prefix(CouchDocument::taskPrefix);
    Uuid uuid;
    if (docId.startsWith(prefix) && pack(QStringView(docId).mid(prefix.size()), &uuid)) {
        m_uuids.insert(rowId, uuid);
        m_others.remove(rowId);
    } else {
        m_others.insert(rowId, docId);
        m_uuids.remove(rowId);
    }
}

QString RowDocIds::value(qint64 rowId) const
{
    const auto u = m_uuids.constFind(rowId);
    if (u != m_uuids.cend())
        return unpack(*u);
    return m_others.value(rowId);
}
