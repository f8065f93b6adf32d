#include "couchdocument.h"

#include <algorithm>

#include <QByteArrayView>
#include <QCborValue>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonParseError>
#include <QVarLengthArray>

#include "couchjsonreader.h"
#include "resultstore.h"
#include "timeparse.h"

namespace CouchDocument {

namespace {

Parsed foreign(Parsed p, const QString &reason)
{
    p.kind = Parsed::Kind::Foreign;
    p.reason = reason;
    p.task = TaskResult();
    return p;
}

// A text field of the meta: null/missing stay a null QString (NULL), other JSON types are
// kept as their JSON text so nothing is silently lost.
QString textField(const QJsonObject &meta, const char *key)
{
    const QJsonValue v = meta.value(QLatin1String(key));
    if (v.isUndefined() || v.isNull())
        return QString();
    if (v.isString()) {
        const QString s = v.toString();
        return s.isNull() ? QString(QLatin1String("")) : s;
    }
    return compactJson(v);
}

QString jsonField(const QJsonObject &meta, const char *key, bool *present)
{
    const QJsonValue v = meta.value(QLatin1String(key));
    *present = !v.isUndefined();
    if (v.isUndefined())
        return QString();
    return compactJson(v);
}

// --- A prefix of Qt's compact JSON -----------------------------------------------------
// QJsonDocument::toJson(Compact) is compositional: a container is its brackets around its
// members' texts joined by ',' (objects: "key":value, keys in the QJsonObject's order). So
// writing member by member and stopping at a member boundary gives exactly a prefix of the
// whole text. Scalars are written as Qt writes them; anything unusual goes through Qt.

constexpr int prefixChars = ResultStore::previewChars + 1;

// UTF-16 code units of UTF-8 text: one per sequence, two for 4-byte sequences.
bool longEnough(const QByteArray &utf8)
{
    if (utf8.size() < prefixChars)
        return false; // a code unit takes at least one byte
    qsizetype units = 0;
    for (const char c : utf8) {
        const auto b = uchar(c);
        units += (b & 0xc0) != 0x80 ? 1 : 0;
        units += b >= 0xf0 ? 1 : 0;
    }
    return units >= prefixChars;
}

bool plainAscii(const QString &s)
{
    for (const QChar c : s) {
        const char16_t u = c.unicode();
        if (u < 0x20 || u >= 0x7f || u == u'"' || u == u'\\')
            return false;
    }
    return true;
}

void appendString(QByteArray &out, const QString &s)
{
    if (plainAscii(s)) {
        out += '"';
        out += s.toLatin1();
        out += '"';
    } else {
        out += compactJson(QJsonValue(s)).toUtf8();
    }
}

void appendScalar(QByteArray &out, const QJsonValue &v)
{
    switch (v.type()) {
    case QJsonValue::Null:
    case QJsonValue::Undefined:
        out += "null";
        break;
    case QJsonValue::Bool:
        out += v.toBool() ? "true" : "false";
        break;
    case QJsonValue::String:
        appendString(out, v.toString());
        break;
    case QJsonValue::Double: {
        // Qt writes a parsed integer as its digits; doubles go through Qt's own writer.
        const QCborValue number = QCborValue::fromJsonValue(v);
        if (number.isInteger()) {
            out += QByteArray::number(number.toInteger());
            break;
        }
        out += compactJson(v).toUtf8();
        break;
    }
    default:
        out += compactJson(v).toUtf8();
        break;
    }
}

// Returns true once enough is written (then the text is a strict prefix, unclosed).
bool appendPrefixOf(QByteArray &out, const QJsonValue &v)
{
    if (v.isArray()) {
        const QJsonArray a = v.toArray();
        out += '[';
        bool first = true;
        for (const QJsonValue &member : a) {
            if (!first)
                out += ',';
            first = false;
            if (appendPrefixOf(out, member) || longEnough(out))
                return true;
        }
        out += ']';
        return false;
    }
    if (v.isObject()) {
        const QJsonObject o = v.toObject();
        out += '{';
        bool first = true;
        for (auto it = o.constBegin(); it != o.constEnd(); ++it) {
            if (!first)
                out += ',';
            first = false;
            appendString(out, it.key());
            out += ':';
            if (appendPrefixOf(out, it.value()) || longEnough(out))
                return true;
        }
        out += '}';
        return false;
    }
    appendScalar(out, v);
    return false;
}

// --- The index decoding without a DOM ---------------------------------------------------
// Detail::Index reads the meta with CouchJsonReader and writes args/kwargs/result as Qt's
// compact JSON straight from the text; whatever is not plain (a non-ASCII or duplicate key,
// a string with escapes, a non-integer number) is handed to Qt for that value alone. A meta
// that is not simply a task's (other member types, invalid JSON) is declined, and parse
// takes the DOM path, which also words the reasons.

using Reader = CouchJsonReader;

struct Slice
{
    const char *begin = nullptr;
    const char *end = nullptr;
    bool present() const { return begin != nullptr; }
    char first() const { return *begin; }
    QByteArray bytes() const { return QByteArray(begin, end - begin); }
};

// Qt's reading of one value's text (the fallback for values the raw writer leaves to Qt).
QJsonValue qtValue(const Slice &s)
{
    return QJsonDocument::fromJson('[' + s.bytes() + ']').array().at(0);
}

bool plainAsciiBytes(QByteArrayView b)
{
    for (const char c : b) {
        const auto u = uchar(c);
        if (u < 0x20 || u >= 0x7f || u == '"' || u == '\\')
            return false;
    }
    return true;
}

// Qt's compact JSON of s: whole, or with limited a prefix as appendPrefixOf() writes it.
bool appendQtCompact(const Slice &s, QByteArray &out, bool limited)
{
    if (limited)
        return appendPrefixOf(out, qtValue(s));
    out += compactJson(qtValue(s)).toUtf8();
    return false;
}

// Writes the compact JSON of the (already validated) value s, as QJsonDocument would; with
// limited, stops at a member boundary once longEnough(). Returns true when it stopped.
bool writeCompact(const Slice &s, QByteArray &out, bool limited)
{
    Reader in(s.begin, s.end);
    const char c = in.peek();
    if (c == '[') {
        in.take('[');
        out += '[';
        if (!in.take(']')) {
            bool first = true;
            do {
                if (!first)
                    out += ',';
                first = false;
                Slice member;
                in.skipSpace();
                member.begin = in.pos();
                in.skipValue(1);
                member.end = in.pos();
                if (writeCompact(member, out, limited) || (limited && longEnough(out)))
                    return true;
            } while (in.take(','));
        }
        out += ']';
        return false;
    }
    if (c == '{') {
        // Qt orders members by key; plain ASCII keys sort by bytes.
        struct Member
        {
            QByteArrayView key;
            Slice value;
        };
        QVarLengthArray<Member, 8> members;
        QVarLengthArray<QByteArray, 1> decodedKeys; // keys with escapes, decoded
        in.take('{');
        if (!in.take('}')) {
            do {
                Member m;
                const char *kb = nullptr, *ke = nullptr;
                QByteArray scratch;
                in.stringView(&kb, &ke, scratch);
                if (!scratch.isNull()) {
                    decodedKeys.append(scratch); // shares the bytes kb points to
                    kb = decodedKeys.last().constData();
                    ke = kb + decodedKeys.last().size();
                }
                m.key = QByteArrayView(kb, ke - kb);
                in.take(':');
                in.skipSpace();
                m.value.begin = in.pos();
                in.skipValue(1);
                m.value.end = in.pos();
                if (!plainAsciiBytes(m.key))
                    return appendQtCompact(s, out, limited); // Qt's own key order
                members.append(m);
            } while (in.take(','));
        }
        std::stable_sort(members.begin(), members.end(),
                         [](const Member &a, const Member &b) { return a.key < b.key; });
        for (qsizetype k = 1; k < members.size(); ++k) {
            if (members[k].key == members[k - 1].key)
                return appendQtCompact(s, out, limited); // duplicates: Qt keeps the last
        }
        out += '{';
        for (qsizetype k = 0; k < members.size(); ++k) {
            if (k > 0)
                out += ',';
            out += '"';
            out.append(members[k].key);
            out += "\":";
            if (writeCompact(members[k].value, out, limited) || (limited && longEnough(out)))
                return true;
        }
        out += '}';
        return false;
    }
    if (c == '"') {
        // Printable ASCII without escapes is written as it stands.
        const char *b = s.begin + 1;
        const char *e = s.end - 1;
        if (std::all_of(b, e, [](char ch) { return uchar(ch) >= 0x20 && uchar(ch) < 0x7f && ch != '\\' && ch != '"'; })) {
            out.append(s.begin, s.end - s.begin);
            return false;
        }
        QByteArray text;
        in.string(&text);
        if (plainAsciiBytes(text)) {
            out += '"';
            out += text;
            out += '"';
        } else {
            appendString(out, QString::fromUtf8(text));
        }
        return false;
    }
    if (c == 't' || c == 'f' || c == 'n') {
        out += s.bytes().trimmed();
        return false;
    }
    // A number: a plain integer keeps its digits (Qt writes a parsed qint64 back the same),
    // except -0; anything else is Qt's.
    const QByteArray number = s.bytes().trimmed();
    const bool integer = !number.contains('.') && !number.contains('e') && !number.contains('E');
    const qsizetype digits = number.size() - (number.startsWith('-') ? 1 : 0);
    if (integer && digits <= 18 && number != "-0")
        out += number;
    else
        appendScalar(out, qtValue(s));
    return false;
}

// Celery's usual date_done, naive "YYYY-MM-DDTHH:MM:SS[.f{1,9}]" (UTC), read without
// TimeParse's regular expression; the same instant (milliseconds, fraction truncated).
// Invalid: any other form (the caller then asks parseDateDone()).
QDateTime quickDateDone(const char *b, const char *e)
{
    const qsizetype n = e - b;
    if (n < 19 || n == 20 || n > 29)
        return QDateTime();
    auto digits = [b](int at, int count) {
        int v = 0;
        for (int k = at; k < at + count; ++k) {
            if (b[k] < '0' || b[k] > '9')
                return -1;
            v = v * 10 + (b[k] - '0');
        }
        return v;
    };
    if (b[4] != '-' || b[7] != '-' || b[10] != 'T' || b[13] != ':' || b[16] != ':' || (n > 19 && b[19] != '.'))
        return QDateTime();
    const int year = digits(0, 4), month = digits(5, 2), day = digits(8, 2);
    const int hour = digits(11, 2), minute = digits(14, 2), second = digits(17, 2);
    int msec = 0;
    if (n > 19) {
        if (digits(20, int(n - 20)) < 0)
            return QDateTime();
        const int kept = int(qMin<qsizetype>(3, n - 20));
        msec = digits(20, kept);
        for (int k = kept; k < 3; ++k)
            msec *= 10;
    }
    if (year < 0 || month < 0 || day < 0 || hour < 0 || minute < 0 || second < 0 || msec < 0 || hour > 23
        || minute > 59 || second > 59)
        return QDateTime();
    const QDate date(year, month, day);
    if (!date.isValid())
        return QDateTime();
    return QDateTime(date, QTime(hour, minute, second, msec), Qt::UTC);
}

// A text member as textField() reads it; false: not a string or null (left to the DOM path).
bool textSlice(const Slice &s, QString *out)
{
    if (!s.present() || s.first() == 'n') {
        *out = QString();
        return true;
    }
    if (s.first() != '"')
        return false;
    // Plain ASCII without escapes: the text between the quotes is the string.
    const char *b = s.begin + 1;
    const char *e = s.end - 1;
    if (std::all_of(b, e, [](char c) { return uchar(c) >= 0x20 && uchar(c) < 0x80 && c != '\\'; })) {
        *out = b == e ? QString(QLatin1String("")) : QString::fromLatin1(b, e - b);
        return true;
    }
    Reader in(s.begin, s.end);
    QByteArray text;
    in.string(&text);
    *out = text.isEmpty() ? QString(QLatin1String("")) : QString::fromUtf8(text);
    return true;
}

QString compactText(const Slice &s)
{
    QByteArray out;
    writeCompact(s, out, false);
    return QString::fromUtf8(out);
}

// Detail::Index for a task document: true when it read the meta (p complete), false to
// leave it to the DOM path.
bool readIndexMeta(const QByteArray &utf8, const QString &idFromKey, Parsed &p)
{
    // Every member is validated as it is read: the writers below rely on it.
    Reader in(utf8.constData(), utf8.constData() + utf8.size());
    if (!in.take('{'))
        return false;
    Slice status, result, traceback, dateDone, taskId, groupId, parentId, name, args, kwargs, worker, queue, retries;
    QByteArray scratch;
    if (!in.take('}')) {
        do {
            const char *kb = nullptr, *ke = nullptr;
            if (!in.stringView(&kb, &ke, scratch) || !in.take(':'))
                return false;
            const QByteArrayView key(kb, ke - kb);
            in.skipSpace();
            Slice v;
            v.begin = in.pos();
            if (!in.skipValue(1))
                return false;
            v.end = in.pos();
            Slice *slot = nullptr;
            switch (key.size()) {
            case 4: slot = key == "name" ? &name : key == "args" ? &args : nullptr; break;
            case 5: slot = key == "queue" ? &queue : nullptr; break;
            case 6: slot = key == "status" ? &status : key == "result" ? &result : key == "kwargs" ? &kwargs
                         : key == "worker" ? &worker : nullptr; break;
            case 7: slot = key == "task_id" ? &taskId : key == "retries" ? &retries : nullptr; break;
            case 8: slot = key == "group_id" ? &groupId : nullptr; break;
            case 9: slot = key == "traceback" ? &traceback : key == "date_done" ? &dateDone
                         : key == "parent_id" ? &parentId : nullptr; break;
            default: break;
            }
            if (slot)
                *slot = v; // the last of duplicates counts, as in the DOM
        } while (in.take(','));
        if (!in.take('}'))
            return false;
    }
    if (!in.atEnd())
        return false;

    TaskResult &t = p.task;
    QString statusText;
    if (!status.present() || status.first() != '"' || !textSlice(status, &statusText) || statusText.isEmpty())
        return false;
    if (!textSlice(traceback, &t.traceback) || !textSlice(taskId, &t.taskId) || !textSlice(groupId, &t.groupId)
        || !textSlice(parentId, &t.parentId) || !textSlice(name, &t.taskName) || !textSlice(worker, &t.worker)
        || !textSlice(queue, &t.queue))
        return false;
    if (dateDone.present() && dateDone.first() != 'n' && dateDone.first() != '"')
        return false;
    if (retries.present()) {
        const QByteArray r = retries.bytes().trimmed();
        const bool small = !r.isEmpty() && r.size() <= 9
            && std::all_of(r.cbegin(), r.cend(), [](char c) { return c >= '0' && c <= '9'; });
        if (!small && r != "null" && r != "true" && r != "false" && !r.startsWith('"') && !r.startsWith('[')
            && !r.startsWith('{'))
            return false; // a number Qt may read otherwise (negative, fraction, huge)
        if (small)
            t.retries = r.toInt();
    }

    p.kind = Parsed::Kind::Task;
    t.complete = false;
    if (t.taskId.isEmpty())
        t.taskId = idFromKey;
    else if (t.taskId != idFromKey)
        t.problems.append(QStringLiteral("task_id: '%1' differs from the document key '%2'").arg(t.taskId, p.docId));
    t.status = statusText;
    if (result.present()) {
        QByteArray prefix;
        prefix.reserve(4 * prefixChars);
        writeCompact(result, prefix, true);
        t.result = QString::fromUtf8(prefix);
    } else {
        t.result = QStringLiteral("null");
    }
    t.contentType = QStringLiteral("application/json");
    t.contentEncoding = QStringLiteral("utf-8");
    if (dateDone.present() && dateDone.first() == '"')
        t.dateDone = quickDateDone(dateDone.begin + 1, dateDone.end - 1);
    if (dateDone.present() && dateDone.first() == '"' && !t.dateDone.isValid()) {
        QString done;
        textSlice(dateDone, &done);
        t.dateDone = parseDateDone(done);
        if (!t.dateDone.isValid())
            t.problems.append(QStringLiteral("date_done: '%1' is not a date").arg(done));
    }
    if (args.present()) {
        t.args = compactText(args);
        if (t.args == QLatin1String("null"))
            t.args = QString();
    }
    if (kwargs.present()) {
        t.kwargs = compactText(kwargs);
        if (t.kwargs == QLatin1String("null"))
            t.kwargs = QString();
    }
    p.extended = name.present() || args.present() || kwargs.present() || worker.present();
    return true;
}

} // namespace

QString compactJson(const QJsonValue &value)
{
    if (value.isUndefined())
        return QString();
    // QJsonDocument holds only objects and arrays: wrap scalars in an array, then unwrap.
    const QByteArray wrapped = QJsonDocument(QJsonArray{value}).toJson(QJsonDocument::Compact);
    return QString::fromUtf8(wrapped.mid(1, wrapped.size() - 2));
}

QDateTime parseDateDone(const QString &text)
{
    // TimeParse accepts exactly Celery's forms: naive (= UTC), 1–9 fraction digits, offsets.
    return TimeParse::parseTimestamp(text);
}

Parsed::Kind kindOfId(const QString &docId, QString *reason, const QString &keyPrefix)
{
    if (docId.startsWith(QLatin1String("_design/"))) {
        if (reason)
            *reason = QStringLiteral("design document");
        return Parsed::Kind::Foreign;
    }
    if (docId.startsWith(keyPrefix)) {
        const QStringView key = QStringView(docId).mid(keyPrefix.size());
        if (key.startsWith(QLatin1String(taskPrefix)) && key.size() > qsizetype(sizeof(taskPrefix) - 1))
            return Parsed::Kind::Task;
        if (key.startsWith(QLatin1String(groupPrefix)) && key.size() > qsizetype(sizeof(groupPrefix) - 1))
            return Parsed::Kind::Group;
    }
    if (reason)
        *reason = QStringLiteral("not a Celery key");
    return Parsed::Kind::Foreign;
}

Parsed parse(const QByteArray &json, const QString &keyPrefix)
{
    QJsonParseError error;
    const QJsonDocument doc = QJsonDocument::fromJson(json, &error);
    if (error.error != QJsonParseError::NoError || !doc.isObject()) {
        Parsed p;
        p.reason = error.error != QJsonParseError::NoError
            ? QStringLiteral("the document is not JSON: %1").arg(error.errorString())
            : QStringLiteral("the document is not a JSON object");
        return p;
    }
    return parse(doc.object(), keyPrefix);
}

Parsed parse(const QJsonObject &doc, const QString &keyPrefix)
{
    const QJsonValue value = doc.value(QLatin1String("value"));
    const ValueKind kind = value.isUndefined() ? ValueKind::Missing
        : value.isString()                     ? ValueKind::String
                                               : ValueKind::NotString;
    return parseParts(doc.value(QLatin1String("_id")).toString(), doc.value(QLatin1String("_rev")).toString(), kind,
                      kind == ValueKind::String ? value.toString().toUtf8() : QByteArray(), keyPrefix, Detail::Full);
}

Parsed parseParts(const QString &docId, const QString &rev, ValueKind valueKind, const QByteArray &valueUtf8,
                  const QString &keyPrefix, Detail detail)
{
    Parsed p;
    p.docId = docId;
    p.rev = rev;

    QString reason;
    const Parsed::Kind kind = kindOfId(p.docId, &reason, keyPrefix);
    if (kind == Parsed::Kind::Foreign)
        return foreign(p, reason);

    if (valueKind == ValueKind::Missing)
        return foreign(p, QStringLiteral("no 'value' field"));
    if (valueKind != ValueKind::String)
        return foreign(p, QStringLiteral("'value' is not a string (Celery stores the meta as JSON text)"));

    if (detail == Detail::Index && kind == Parsed::Kind::Task) {
        Parsed fast = p;
        if (readIndexMeta(valueUtf8, p.docId.mid(keyPrefix.size() + int(sizeof(taskPrefix) - 1)), fast))
            return fast;
    }

    // The meta is JSON encoded inside a JSON string: parse it a second time.
    QJsonParseError error;
    const QJsonDocument inner = QJsonDocument::fromJson(valueUtf8, &error);
    if (error.error != QJsonParseError::NoError) {
        // Scalars (a bare number or string) are valid JSON that QJsonDocument refuses.
        const QJsonDocument wrapped = QJsonDocument::fromJson('[' + valueUtf8 + ']');
        if (wrapped.isArray() && wrapped.array().size() == 1)
            return foreign(p, QStringLiteral("'value' is not a JSON object"));
        return foreign(p, QStringLiteral("'value' is not JSON: %1 at offset %2")
                              .arg(error.errorString())
                              .arg(error.offset));
    }
    if (!inner.isObject())
        return foreign(p, QStringLiteral("'value' is not a JSON object"));
    const QJsonObject meta = inner.object();

    if (kind == Parsed::Kind::Group) {
        // GroupResult.save(): {"result": [[group_id, parent], [child tuples…]]}; newer Celery
        // versions may add date_done.
        if (!meta.contains(QLatin1String("result")))
            return foreign(p, QStringLiteral("'value' has no 'result' (not a saved group)"));
        p.kind = Parsed::Kind::Group;
        p.groupId = p.docId.mid(keyPrefix.size() + int(sizeof(groupPrefix) - 1));
        const QJsonValue done = meta.value(QLatin1String("date_done"));
        if (done.isString())
            p.groupDateDone = parseDateDone(done.toString());
        return p;
    }

    const QJsonValue status = meta.value(QLatin1String("status"));
    if (status.isUndefined())
        return foreign(p, QStringLiteral("'value' has no 'status'"));
    if (!status.isString() || status.toString().isEmpty())
        return foreign(p, QStringLiteral("'value' has a 'status' that is not a state name"));

    p.kind = Parsed::Kind::Task;
    TaskResult &t = p.task;
    t.complete = true;
    const QString idFromKey = p.docId.mid(keyPrefix.size() + int(sizeof(taskPrefix) - 1));
    t.taskId = textField(meta, "task_id");
    if (t.taskId.isEmpty())
        t.taskId = idFromKey;
    else if (t.taskId != idFromKey)
        t.problems.append(QStringLiteral("task_id: '%1' differs from the document key '%2'")
                              .arg(t.taskId, p.docId));
    t.status = status.toString();
    if (detail == Detail::Index) {
        // Only the preview survives in the index: write just enough of the compact JSON.
        t.complete = false;
        QByteArray prefix;
        appendPrefixOf(prefix, meta.value(QLatin1String("result")));
        t.result = QString::fromUtf8(prefix);
    } else {
        t.result = compactJson(meta.value(QLatin1String("result")));
    }
    if (t.result.isNull())
        t.result = QStringLiteral("null");
    t.traceback = textField(meta, "traceback");
    // The meta column of the SQL layouts holds {"children": …}; keep the same shape.
    if (detail == Detail::Full && meta.contains(QLatin1String("children"))) {
        QJsonObject children;
        children.insert(QLatin1String("children"), meta.value(QLatin1String("children")));
        t.meta = QString::fromUtf8(QJsonDocument(children).toJson(QJsonDocument::Compact));
    }
    // Celery serializes the meta with its result_serializer; CouchDB documents are JSON.
    t.contentType = QStringLiteral("application/json");
    t.contentEncoding = QStringLiteral("utf-8");

    const QJsonValue done = meta.value(QLatin1String("date_done"));
    if (done.isString()) {
        t.dateDone = parseDateDone(done.toString());
        if (!t.dateDone.isValid())
            t.problems.append(QStringLiteral("date_done: '%1' is not a date").arg(done.toString()));
    } else if (!done.isNull() && !done.isUndefined()) {
        t.problems.append(QStringLiteral("date_done: %1 is not a date").arg(compactJson(done)));
    }

    t.groupId = textField(meta, "group_id");
    t.parentId = textField(meta, "parent_id");

    // result_extended: name, args, kwargs, worker, retries, queue (args/kwargs are real JSON).
    bool hasArgs = false, hasKwargs = false;
    t.taskName = textField(meta, "name");
    t.args = jsonField(meta, "args", &hasArgs);
    t.kwargs = jsonField(meta, "kwargs", &hasKwargs);
    if (t.args == QLatin1String("null"))
        t.args = QString();
    if (t.kwargs == QLatin1String("null"))
        t.kwargs = QString();
    t.worker = textField(meta, "worker");
    t.queue = textField(meta, "queue");
    const QJsonValue retries = meta.value(QLatin1String("retries"));
    if (retries.isDouble())
        t.retries = retries.toInt(-1);
    p.extended = meta.contains(QLatin1String("name")) || hasArgs || hasKwargs || meta.contains(QLatin1String("worker"));
    return p;
}

} // namespace CouchDocument
