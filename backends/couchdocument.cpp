#include "couchdocument.h"

#include <algorithm>
#include <array>
#include <string>

#include <QByteArrayView>
#include <QCborValue>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonParseError>
#include <QVarLengthArray>
#include <QtEndian>

#include "couchjsonreader.h"
#include "resultstore.h"
#include "taskgroup.h"
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

// --- Numbers Qt's parser refuses or rounds ----------------------------------------------
// Python's json writes NaN, Infinity and -Infinity (Celery stores them) and any integer or
// exponent Python holds. Qt's parser refuses the first three and numbers beyond a double's
// range, and rounds integers beyond 64 bits. Such a token is swapped for a marker string (a
// noncharacter the text does not hold, the token, the noncharacter again) before Qt parses
// the meta, and written back as it stands wherever the meta's JSON is written out.

/// -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?
bool isJsonNumber(const QByteArray &token)
{
    const char *p = token.constBegin();
    const char *const end = token.constEnd();
    auto digits = [&p, end] {
        const char *const from = p;
        while (p < end && *p >= '0' && *p <= '9')
            ++p;
        return p - from;
    };
    if (p < end && *p == '-')
        ++p;
    const char *const intStart = p;
    const qsizetype intDigits = digits();
    if (intDigits == 0 || (intDigits > 1 && *intStart == '0'))
        return false;
    if (p < end && *p == '.' && (++p, digits() == 0))
        return false;
    if (p < end && (*p == 'e' || *p == 'E')) {
        ++p;
        if (p < end && (*p == '+' || *p == '-'))
            ++p;
        if (digits() == 0)
            return false;
    }
    return p == end;
}

/// A token that must keep its text: Qt's parser would refuse or round it.
bool keepsItsText(const QByteArray &token)
{
    if (token == "NaN" || token == "Infinity" || token == "-Infinity")
        return true;
    if (!isJsonNumber(token))
        return false;
    bool ok = false;
    if (token.contains('.') || token.contains('e') || token.contains('E'))
        token.toDouble(&ok);
    else
        token.toLongLong(&ok);
    return !ok;
}

/// A task's meta parsed by Qt, with the number tokens Qt cannot hold kept as written.
class Meta final
{
public:
    /// Parses utf8 (JSON text); error as QJsonDocument::fromJson gives it for utf8 itself.
    QJsonDocument parse(const QByteArray &utf8, QJsonParseError *error)
    {
        const QByteArray marked = markTokens(utf8);
        if (marked.isNull())
            return QJsonDocument::fromJson(utf8, error);
        QJsonDocument doc = QJsonDocument::fromJson(marked, error);
        if (error->error != QJsonParseError::NoError)
            return QJsonDocument::fromJson(utf8, error); // the offset in the text as stored
        return doc;
    }

    /// v stands for a number token kept as written (it is not a string of the meta).
    bool isToken(const QJsonValue &v) const
    {
        if (m_mark.isNull() || !v.isString())
            return false;
        const QString s = v.toString();
        return s.size() >= 3 && s.front() == m_mark && s.back() == m_mark;
    }

    /// Compact JSON of a value of the meta (as compactJson()), tokens as they were written.
    QString compact(const QJsonValue &v) const { return restore(compactJson(v)); }
    /// JSON text Qt wrote from the meta, each marker string replaced by its token.
    QString restore(QString text) const
    {
        if (m_mark.isNull())
            return text;
        // One pass (a meta may hold a million tokens): each "<mark>TOKEN<mark>" becomes TOKEN.
        const QString open = QLatin1Char('"') + m_mark;
        const QStringView in(text);
        QString out;
        qsizetype from = 0;
        for (qsizetype at = text.indexOf(open); at >= 0; at = text.indexOf(open, from)) {
            const qsizetype close = text.indexOf(m_mark, at + 2);
            if (close < 0 || close + 1 >= text.size())
                break;
            if (out.isNull())
                out.reserve(text.size());
            out += in.mid(from, at - from);
            out += in.mid(at + 2, close - at - 2);
            from = close + 2; // after the mark and the quote
        }
        if (out.isNull())
            return text;
        out += in.mid(from);
        return out;
    }
    /// A marker string's token as UTF-8 (for the prefix writer), null for other values.
    QByteArray tokenOf(const QJsonValue &v) const
    {
        return isToken(v) ? v.toString().mid(1, v.toString().size() - 2).toLatin1() : QByteArray();
    }

private:
    /// utf8 with its tokens as marker strings; null when it holds none (or no noncharacter
    /// is free to mark them: Qt then refuses the text as before).
    QByteArray markTokens(const QByteArray &utf8)
    {
        QList<std::pair<qsizetype, qsizetype>> tokens; // begin, end
        const qsizetype n = utf8.size();
        const char *p = utf8.constData();
        for (qsizetype i = 0; i < n;) {
            const char c = p[i];
            if (c == '"') {
                for (++i; i < n && p[i] != '"'; ++i)
                    i += p[i] == '\\' ? 1 : 0;
                ++i;
                continue;
            }
            const bool numeric = (c >= '0' && c <= '9') || c == '-';
            if (!numeric && !(c >= 'A' && c <= 'Z') && !(c >= 'a' && c <= 'z')) {
                ++i;
                continue;
            }
            qsizetype e = i + 1;
            while (e < n && ((p[e] >= '0' && p[e] <= '9') || (p[e] >= 'A' && p[e] <= 'Z') || (p[e] >= 'a' && p[e] <= 'z')
                             || p[e] == '.' || p[e] == '+' || p[e] == '-'))
                ++e;
            qsizetype next = e;
            while (next < n && (p[next] == ' ' || p[next] == '\t' || p[next] == '\n' || p[next] == '\r'))
                ++next;
            const bool key = next < n && p[next] == ':'; // a marker would make it a valid key
            if (!key && keepsItsText(QByteArray::fromRawData(p + i, e - i)))
                tokens.append({i, e});
            i = e;
        }
        if (tokens.isEmpty() || !chooseMark(utf8))
            return QByteArray();
        const QByteArray mark = "\\u" + QByteArray::number(m_mark.unicode(), 16);
        QByteArray out;
        out.reserve(n + tokens.size() * 16);
        qsizetype from = 0;
        for (const auto &[b, e] : tokens) {
            out.append(p + from, b - from);
            out += '"' + mark;
            out.append(p + b, e - b);
            out += mark + '"';
            from = e;
        }
        out.append(p + from, n - from);
        return out;
    }

    /// A noncharacter (U+FDD0…U+FDEF) the text holds neither as UTF-8 nor as an escape.
    bool chooseMark(const QByteArray &utf8)
    {
        const QByteArray lower = utf8.toLower();
        for (char16_t u = 0xfdd0; u <= 0xfdef; ++u) {
            const QByteArray raw = QString(QChar(u)).toUtf8();
            if (!utf8.contains(raw) && !lower.contains("\\u" + QByteArray::number(u, 16))) {
                m_mark = QChar(u);
                return true;
            }
        }
        return false;
    }

    QChar m_mark; ///< null: the meta holds no token
};

// A text field of the meta: null/missing stay a null QString (NULL), other JSON types are
// kept as their JSON text so nothing is silently lost.
QString textField(const Meta &m, const QJsonObject &meta, const char *key)
{
    const QJsonValue v = meta.value(QLatin1String(key));
    if (v.isUndefined() || v.isNull())
        return QString();
    if (v.isString() && !m.isToken(v)) {
        const QString s = v.toString();
        return s.isNull() ? QString(QLatin1String("")) : s;
    }
    return m.compact(v);
}

QString jsonField(const Meta &m, const QJsonObject &meta, const char *key, bool *present)
{
    const QJsonValue v = meta.value(QLatin1String(key));
    *present = !v.isUndefined();
    if (v.isUndefined())
        return QString();
    return m.compact(v);
}

// --- A prefix of Qt's compact JSON -----------------------------------------------------
// QJsonDocument::toJson(Compact) is compositional: a container is its brackets around its
// members' texts joined by ',' (objects: "key":value, keys in the QJsonObject's order). So
// writing member by member and stopping at a member boundary gives exactly a prefix of the
// whole text. Scalars are written as Qt writes them; anything unusual goes through Qt.

constexpr int prefixChars = ResultStore::previewChars + 1;

// How many bytes of x have bit 7 set, when no other bit is (a multiply adds them up; no
// popcount instruction is assumed).
int highBits(quint64 x)
{
    return int(((x >> 7) * 0x0101010101010101ULL) >> 56);
}

// UTF-16 code units of UTF-8 text: one per sequence, two for 4-byte sequences.
bool longEnough(QByteArrayView utf8)
{
    if (utf8.size() < prefixChars)
        return false; // a code unit takes at least one byte
    // UTF-16 code units: one per byte that is not a continuation byte (10xxxxxx), one more per
    // four-byte lead (1111xxxx); eight bytes at a time.
    constexpr quint64 highs = 0x8080808080808080ULL;
    qsizetype units = utf8.size();
    const char *p = utf8.constData();
    const char *const end = p + utf8.size();
    for (; end - p >= 8; p += 8) {
        const quint64 v = qFromUnaligned<quint64>(p);
        // Shifted, bits 6 to 4 of each byte land on its bit 7 (bits of a byte below never
        // reach it): bit 7 set and bit 6 clear (continuation); bits 7 to 4 set (a lead of four).
        units -= highBits(v & ~(v << 1) & highs);
        units += highBits(v & (v << 1) & (v << 2) & (v << 3) & highs);
    }
    for (; p < end; ++p) {
        const auto b = uchar(*p);
        units -= (b & 0xc0) == 0x80 ? 1 : 0;
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

void appendScalar(QByteArray &out, const QJsonValue &v, const Meta &m)
{
    if (m.isToken(v)) {
        out += m.tokenOf(v);
        return;
    }
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
bool appendPrefixOf(QByteArray &out, const QJsonValue &v, const Meta &m = Meta())
{
    if (v.isArray()) {
        const QJsonArray a = v.toArray();
        out += '[';
        bool first = true;
        for (const QJsonValue &member : a) {
            if (!first)
                out += ',';
            first = false;
            if (appendPrefixOf(out, member, m) || longEnough(out))
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
            if (appendPrefixOf(out, it.value(), m) || longEnough(out))
                return true;
        }
        out += '}';
        return false;
    }
    appendScalar(out, v, m);
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
    /// The text without surrounding white space, not copied.
    QByteArrayView trimmed() const { return QByteArrayView(begin, end - begin).trimmed(); }
};

// Writes one value's text as Qt reads it (the fallback for values the raw writer leaves to
// Qt), its long integers as written, as the DOM path does: whole, or with limited a prefix
// as appendPrefixOf() writes it. Returns true when it stopped.
bool appendAsQt(std::string &out, const Slice &s, bool limited = true)
{
    Meta m;
    QJsonParseError error;
    const QJsonDocument doc = m.parse('[' + s.bytes() + ']', &error);
    const QJsonValue value = doc.array().at(0);
    if (limited) {
        // appendPrefixOf() counts what is written before it too: it writes after a copy.
        QByteArray written(out.data(), qsizetype(out.size()));
        const bool stopped = appendPrefixOf(written, value, m);
        out.assign(written.constData(), size_t(written.size()));
        return stopped;
    }
    const QByteArray compact = m.compact(value).toUtf8();
    out.append(compact.constData(), size_t(compact.size()));
    return false;
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

// An object's members in the order written, their keys decoded.
struct Members
{
    struct Member
    {
        QByteArrayView key;
        Slice value;
    };
    QVarLengthArray<Member, 8> list;
    QVarLengthArray<QByteArray, 1> decodedKeys; // keys with escapes, decoded; the views point here
};

// Reads (and validates) the object at in's cursor, at nesting depth, into *members.
bool readMembers(Reader &in, Members *members, int depth)
{
    if (!in.take('{'))
        return false;
    if (in.take('}'))
        return true;
    do {
        const char *kb = nullptr, *ke = nullptr;
        QByteArray scratch;
        if (!in.stringView(&kb, &ke, scratch) || !in.take(':'))
            return false;
        if (!scratch.isNull()) {
            members->decodedKeys.append(scratch); // shares the bytes kb points to
            kb = members->decodedKeys.last().constData();
            ke = kb + members->decodedKeys.last().size();
        }
        in.skipSpace();
        Slice value;
        value.begin = in.pos();
        if (!in.skipValue(depth + 1))
            return false;
        value.end = in.pos();
        members->list.append({QByteArrayView(kb, ke - kb), value});
    } while (in.take(','));
    return in.take('}');
}

bool writeCompact(CouchJsonReader &in, std::string &out, bool limited);

// The raw writer's output: a std::string, whose appends are inline (QByteArray's go through
// a general insert(), most of the writer's time for small values).
void put(std::string &out, QByteArrayView bytes)
{
    out.append(bytes.data(), size_t(bytes.size()));
}

// Writes the value s as writeCompact() does.
bool writeCompact(const Slice &s, std::string &out, bool limited)
{
    Reader in(s.begin, s.end);
    return writeCompact(in, out, limited);
}

// Writes the object s, read into members, as writeCompact() does.
bool writeObject(Members &members, const Slice &s, std::string &out, bool limited)
{
    // Qt orders members by key; plain ASCII keys sort by bytes. Objects are small and
    // usually sorted already: a stable insertion sort, without allocating.
    auto &list = members.list;
    for (const Members::Member &m : list) {
        if (!plainAsciiBytes(m.key))
            return appendAsQt(out, s, limited); // Qt's own key order
    }
    for (qsizetype k = 1; k < list.size(); ++k) {
        const Members::Member m = list[k];
        qsizetype at = k;
        for (; at > 0 && m.key < list[at - 1].key; --at)
            list[at] = list[at - 1];
        list[at] = m;
    }
    for (qsizetype k = 1; k < list.size(); ++k) {
        if (list[k].key == list[k - 1].key)
            return appendAsQt(out, s, limited); // duplicates: Qt keeps the last
    }
    out += '{';
    for (qsizetype k = 0; k < list.size(); ++k) {
        if (k > 0)
            out += ',';
        out += '"';
        put(out, list[k].key);
        out += "\":";
        if (writeCompact(list[k].value, out, limited) || (limited && longEnough(out)))
            return true;
    }
    out += '}';
    return false;
}

// Writes the compact JSON of the (already validated) value at in's cursor, as QJsonDocument
// would, and moves in past it; with limited, stops at a member boundary once longEnough()
// (in is then inside the value). Returns true when it stopped.
bool writeCompact(CouchJsonReader &in, std::string &out, bool limited)
{
    const char c = in.peek();
    const char *const begin = in.pos();
    if (c == '[') {
        in.take('[');
        out += '[';
        if (!in.take(']')) {
            bool first = true;
            do {
                if (!first)
                    out += ',';
                first = false;
                if (writeCompact(in, out, limited) || (limited && longEnough(out)))
                    return true;
            } while (in.take(','));
            in.take(']');
        }
        out += ']';
        return false;
    }
    if (c == '{') {
        Members members;
        readMembers(in, &members, 1);
        return writeObject(members, Slice{begin, in.pos()}, out, limited);
    }
    in.skipValue(1);
    const Slice s{begin, in.pos()};
    if (c == '"') {
        // Printable ASCII without escapes is written as it stands.
        const char *b = s.begin + 1;
        const char *e = s.end - 1;
        if (std::all_of(b, e, [](char ch) { return uchar(ch) >= 0x20 && uchar(ch) < 0x7f && ch != '\\' && ch != '"'; })) {
            out.append(s.begin, size_t(s.end - s.begin));
            return false;
        }
        Reader text(s.begin, s.end);
        QByteArray decoded;
        text.string(&decoded);
        if (plainAsciiBytes(decoded)) {
            out += '"';
            put(out, decoded);
            out += '"';
        } else {
            QByteArray written;
            appendString(written, QString::fromUtf8(decoded));
            put(out, written);
        }
        return false;
    }
    const QByteArrayView token = s.trimmed();
    if (c == 't' || c == 'f' || c == 'n') {
        put(out, token);
        return false;
    }
    // A number: a plain integer keeps its digits (Qt writes a parsed qint64 back the same;
    // the DOM path keeps longer ones as written too), except -0; anything else is Qt's.
    const bool integer = std::none_of(token.begin(), token.end(), [](char ch) { return ch == '.' || ch == 'e' || ch == 'E'; });
    if (integer && token != "-0")
        put(out, token);
    else
        appendAsQt(out, s);
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

// textSlice() for the texts that repeat from one document to the next (status, task name,
// worker, queue): each thread keeps the last ones it made, 64 by their hash, and documents
// that hold the same text share one QString instead of each allocating its own (and the
// loader freeing it after the index pooled it).
bool repeatedTextSlice(const Slice &s, QString *out)
{
    constexpr qsizetype maxBytes = 96;
    const char *b = s.present() ? s.begin + 1 : nullptr;
    const char *e = s.present() ? s.end - 1 : nullptr;
    if (!s.present() || s.first() != '"' || e - b > maxBytes || b == e
        || !std::all_of(b, e, [](char c) { return uchar(c) >= 0x20 && uchar(c) < 0x80 && c != '\\'; }))
        return textSlice(s, out);
    struct Kept
    {
        QByteArray bytes;
        QString text;
    };
    thread_local std::array<Kept, 64> kept;
    const QByteArrayView bytes(b, e - b);
    Kept &k = kept[qHash(bytes) % kept.size()];
    if (k.bytes != bytes) {
        k.bytes = bytes.toByteArray();
        k.text = QString::fromLatin1(b, e - b);
    }
    *out = k.text;
    return true;
}

QString compactText(const Slice &s)
{
    std::string out;
    out.reserve(size_t(s.end - s.begin)); // compact JSON is rarely longer than the text it comes from
    writeCompact(s, out, false);
    return QString::fromUtf8(out.data(), qsizetype(out.size()));
}

// Detail::Index for a task document: true when it read the meta (p complete), false to
// leave it to the DOM path.
bool readIndexMeta(const QByteArray &utf8, QStringView idFromKey, Parsed &p)
{
    // Every member is validated as it is read: the writers below rely on it.
    Reader in(utf8.constData(), utf8.constData() + utf8.size());
    if (!in.take('{'))
        return false;
    Slice status, result, traceback, dateDone, taskId, groupId, parentId, name, args, kwargs, worker, queue, retries;
    Members resultMembers; // of the last result, when it is an object
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
            // An object result is read member by member: its preview below then needs no
            // second walk to find its keys.
            const bool objectResult = key == "result" && in.peek() == '{';
            if (objectResult) {
                resultMembers = Members();
                if (!readMembers(in, &resultMembers, 1))
                    return false;
            } else if (!in.skipValue(1)) {
                return false;
            }
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
    if (!status.present() || status.first() != '"' || !repeatedTextSlice(status, &statusText) || statusText.isEmpty())
        return false;
    if (!textSlice(traceback, &t.traceback) || !textSlice(taskId, &t.taskId) || !textSlice(groupId, &t.groupId)
        || !textSlice(parentId, &t.parentId) || !repeatedTextSlice(name, &t.taskName)
        || !repeatedTextSlice(worker, &t.worker) || !repeatedTextSlice(queue, &t.queue))
        return false;
    if (dateDone.present() && dateDone.first() != 'n' && dateDone.first() != '"')
        return false;
    if (retries.present()) {
        const QByteArrayView r = retries.trimmed();
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
        t.taskId = idFromKey.toString();
    else if (t.taskId != idFromKey)
        t.problems.append(QStringLiteral("task_id: '%1' differs from the document key '%2'").arg(t.taskId, p.docId));
    t.status = statusText;
    if (result.present()) {
        std::string prefix;
        prefix.reserve(4 * prefixChars);
        if (result.first() == '{')
            writeObject(resultMembers, result, prefix, true);
        else
            writeCompact(result, prefix, true);
        t.result = QString::fromUtf8(prefix.data(), qsizetype(prefix.size()));
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

void takeGroupMembers(const TaskGroup &read, Parsed *p)
{
    p->groupMembers = read.memberIds;
    p->groupProblem = read.problem;
}

QDateTime parseDateDone(const QString &text)
{
    // TimeParse accepts exactly Celery's forms: naive (= UTC), 1–9 fraction digits, offsets.
    return TimeParse::parseTimestamp(text);
}

bool isDesignId(const QString &docId)
{
    return docId.startsWith(QLatin1String("_design/"));
}

Parsed::Kind kindOfId(const QString &docId, QString *reason, const QString &keyPrefix)
{
    if (isDesignId(docId)) {
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
        if (readIndexMeta(valueUtf8, QStringView(p.docId).mid(keyPrefix.size() + int(sizeof(taskPrefix) - 1)), fast))
            return fast;
    }

    // The meta is JSON encoded inside a JSON string: parse it a second time.
    QJsonParseError error;
    Meta m;
    const QJsonDocument inner = m.parse(valueUtf8, &error);
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
        if (done.isString() && !m.isToken(done))
            p.groupDateDone = parseDateDone(done.toString());
        TaskGroup read;
        read.groupId = p.groupId;
        TaskGroups::readMembers(QString::fromUtf8(valueUtf8), QStringLiteral("application/json"), QStringLiteral("utf-8"),
                                &read);
        takeGroupMembers(read, &p);
        return p;
    }

    const QJsonValue status = meta.value(QLatin1String("status"));
    if (status.isUndefined())
        return foreign(p, QStringLiteral("'value' has no 'status'"));
    if (!status.isString() || m.isToken(status) || status.toString().isEmpty())
        return foreign(p, QStringLiteral("'value' has a 'status' that is not a state name"));

    p.kind = Parsed::Kind::Task;
    TaskResult &t = p.task;
    t.complete = true;
    const QString idFromKey = p.docId.mid(keyPrefix.size() + int(sizeof(taskPrefix) - 1));
    t.taskId = textField(m, meta, "task_id");
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
        appendPrefixOf(prefix, meta.value(QLatin1String("result")), m);
        t.result = QString::fromUtf8(prefix);
    } else {
        t.result = m.compact(meta.value(QLatin1String("result")));
    }
    if (t.result.isNull())
        t.result = QStringLiteral("null");
    t.traceback = textField(m, meta, "traceback");
    // The meta column of the SQL layouts holds {"children": …}; keep the same shape.
    if (detail == Detail::Full && meta.contains(QLatin1String("children"))) {
        QJsonObject children;
        children.insert(QLatin1String("children"), meta.value(QLatin1String("children")));
        t.meta = m.restore(QString::fromUtf8(QJsonDocument(children).toJson(QJsonDocument::Compact)));
    }
    // Celery serializes the meta with its result_serializer; CouchDB documents are JSON.
    t.contentType = QStringLiteral("application/json");
    t.contentEncoding = QStringLiteral("utf-8");

    const QJsonValue done = meta.value(QLatin1String("date_done"));
    if (done.isString() && !m.isToken(done)) {
        t.dateDone = parseDateDone(done.toString());
        if (!t.dateDone.isValid())
            t.problems.append(QStringLiteral("date_done: '%1' is not a date").arg(done.toString()));
    } else if (!done.isNull() && !done.isUndefined()) {
        t.problems.append(QStringLiteral("date_done: %1 is not a date").arg(m.compact(done)));
    }

    t.groupId = textField(m, meta, "group_id");
    t.parentId = textField(m, meta, "parent_id");

    // result_extended: name, args, kwargs, worker, retries, queue (args/kwargs are real JSON).
    bool hasArgs = false, hasKwargs = false;
    t.taskName = textField(m, meta, "name");
    t.args = jsonField(m, meta, "args", &hasArgs);
    t.kwargs = jsonField(m, meta, "kwargs", &hasKwargs);
    if (t.args == QLatin1String("null"))
        t.args = QString();
    if (t.kwargs == QLatin1String("null"))
        t.kwargs = QString();
    t.worker = textField(m, meta, "worker");
    t.queue = textField(m, meta, "queue");
    const QJsonValue retries = meta.value(QLatin1String("retries"));
    if (retries.isDouble())
        t.retries = retries.toInt(-1);
    p.extended = meta.contains(QLatin1String("name")) || hasArgs || hasKwargs || meta.contains(QLatin1String("worker"));
    return p;
}

} // namespace CouchDocument
