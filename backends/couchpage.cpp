#include "couchpage.h"

#include <QJsonArray>
#include <QJsonValue>

#include "couchjsonreader.h"

namespace CouchPage {

namespace {

using Reader = CouchJsonReader;

bool textMember(Reader &in, QByteArray &scratch, QString *out)
{
    if (in.peek() != '"') {
        *out = QString();
        return in.skipValue(1);
    }
    if (!in.string(&scratch))
        return false;
    *out = QString::fromUtf8(scratch);
    return true;
}

// An object at the cursor, member by member: member(in) reads the value of the member whose
// key is in scratch (and may change scratch). False: no object there, or invalid JSON.
template <typename Member>
bool readObject(Reader &in, QByteArray &scratch, Member member)
{
    if (!in.take('{'))
        return false;
    if (in.take('}'))
        return true;
    do {
        if (!in.string(&scratch) || !in.take(':') || !member(in))
            return false;
    } while (in.take(','));
    return in.take('}');
}

// The row's document members as when "doc" is not an object (or an empty one).
void clearDoc(Row *row)
{
    row->hasDoc = false;
    row->docId = QString();
    row->rev = QString();
    row->valueKind = CouchDocument::ValueKind::Missing;
    row->valueAt = -1;
    row->value = QByteArray();
}

bool readDoc(Reader &in, Row *row, QByteArray &scratch, const char *base)
{
    // At '{' (checked by the caller).
    clearDoc(row);
    return readObject(in, scratch, [row, &scratch, base](Reader &in) {
        row->hasDoc = true;
        if (scratch == "_id")
            return textMember(in, scratch, &row->docId);
        if (scratch == "_rev")
            return textMember(in, scratch, &row->rev);
        if (scratch != "value")
            return in.skipValue(3);
        const bool text = in.peek() == '"';
        row->valueKind = text ? CouchDocument::ValueKind::String : CouchDocument::ValueKind::NotString;
        row->valueAt = text ? in.pos() - base : -1;
        row->value = QByteArray();
        return text ? in.string(nullptr) // validated now, decoded by valueText()
                    : in.skipValue(3);
    });
}

bool readRow(Reader &in, Row *row, QByteArray &scratch, const char *base)
{
    if (in.peek() != '{')
        return in.skipValue(2); // not an object: a row without id
    return readObject(in, scratch, [row, &scratch, base](Reader &in) {
        if (scratch == "id")
            return textMember(in, scratch, &row->id);
        if (scratch != "doc")
            return in.skipValue(2);
        if (in.peek() == '{')
            return readDoc(in, row, scratch, base);
        clearDoc(row);
        return in.skipValue(2);
    });
}

} // namespace

bool parseAllDocs(const QByteArray &body, QVector<Row> *rows)
{
    rows->clear();
    Reader in(body.constData(), body.constData() + body.size());
    QByteArray scratch;
    if (in.peek() == '[')
        return in.skipValue() && in.atEnd(); // valid JSON, but no rows
    const bool object = readObject(in, scratch, [rows, &scratch, &body](Reader &in) {
        if (scratch != "rows")
            return in.skipValue(1);
        rows->clear(); // the last "rows" counts
        if (in.peek() != '[')
            return in.skipValue(1);
        in.take('[');
        if (in.take(']'))
            return true;
        do {
            Row row;
            if (!readRow(in, &row, scratch, body.constData()))
                return false;
            rows->append(std::move(row));
        } while (in.take(','));
        return in.take(']');
    });
    return object && in.atEnd();
}

const QByteArray &valueText(const QByteArray &body, const Row &row, QByteArray &scratch)
{
    if (row.valueAt < 0)
        return row.value;
    Reader in(body.constData() + row.valueAt, body.constData() + body.size());
    if (!in.string(&scratch)) // validated by parseAllDocs(): cannot fail on the same body
        scratch.clear();
    return scratch;
}

QVector<Row> rowsFromJson(const QJsonObject &answer)
{
    QVector<Row> out;
    const QJsonArray rows = answer.value(QLatin1String("rows")).toArray();
    out.reserve(rows.size());
    for (const QJsonValue &v : rows) {
        const QJsonObject row = v.toObject();
        Row r;
        r.id = row.value(QLatin1String("id")).toString();
        const QJsonObject doc = row.value(QLatin1String("doc")).toObject();
        r.hasDoc = !doc.isEmpty();
        if (r.hasDoc) {
            r.docId = doc.value(QLatin1String("_id")).toString();
            r.rev = doc.value(QLatin1String("_rev")).toString();
            const QJsonValue value = doc.value(QLatin1String("value"));
            if (value.isString()) {
                r.valueKind = CouchDocument::ValueKind::String;
                r.value = value.toString().toUtf8();
            } else {
                r.valueKind = value.isUndefined() ? CouchDocument::ValueKind::Missing : CouchDocument::ValueKind::NotString;
            }
        }
        out.append(std::move(r));
    }
    return out;
}

} // namespace CouchPage
