#include "pythonliteral.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <string>

#include <QChar>

const PyValue *PyValue::dictValue(const QString &key) const
{
    if (type != Type::Dict)
        return nullptr;
    // Last one wins, as in Python's dict built from duplicate keys.
    const PyValue *found = nullptr;
    for (size_t i = 0; i + 1 < items.size(); i += 2) {
        if (items[i].type == Type::Str && items[i].text == key)
            found = &items[i + 1];
    }
    return found;
}

namespace PyLiteral {

namespace {

const QChar kEllipsis(0x2026);

/// Appends up to a character budget; once full, ends the text with "…" and ignores the rest.
class Out
{
public:
    explicit Out(qsizetype maxChars) : m_max(maxChars) {}
    bool full() const { return m_full; }
    void add(QStringView s)
    {
        if (m_full)
            return;
        if (m_max >= 0 && m_text.size() + s.size() > m_max) {
            qsizetype keep = std::max<qsizetype>(0, m_max - m_text.size());
            if (keep > 0 && s[keep - 1].isHighSurrogate())
                --keep; // never half a character
            m_text += s.left(keep);
            m_text += kEllipsis;
            m_full = true;
            return;
        }
        m_text += s;
    }
    void add(QChar c) { add(QStringView(&c, 1)); }
    void add(const char *latin1) { add(QString::fromLatin1(latin1)); }
    void add(const QString &s) { add(QStringView(s)); }
    void spaces(int n)
    {
        for (int i = 0; i < n && !m_full; ++i)
            add(QChar(u' '));
    }
    QString take() { return std::move(m_text); }
    qsizetype size() const { return m_text.size(); }

private:
    QString m_text;
    qsizetype m_max;
    bool m_full = false;
};

bool isPrintable(char32_t cp)
{
    if (cp == U' ')
        return true;
    switch (QChar::category(cp)) {
    case QChar::Other_Control:
    case QChar::Other_Format:
    case QChar::Other_Surrogate:
    case QChar::Other_PrivateUse:
    case QChar::Other_NotAssigned:
    case QChar::Separator_Space:
    case QChar::Separator_Line:
    case QChar::Separator_Paragraph:
        return false;
    default:
        return true;
    }
}

QString hex(uint v, int width)
{
    return QStringLiteral("%1").arg(v, width, 16, QLatin1Char('0'));
}

// ---- Python repr -------------------------------------------------------------------------

void pyFlat(const PyValue &v, Out &out);

/// A bare "..." entry of a dict cut by Celery's saferepr (see PythonReader::brace), or the
/// "…" entry the pickle reader leaves where it stopped storing values.
bool isEllipsisEntry(const PyValue &key, const PyValue &value)
{
    return key.type == PyValue::Type::Raw && (key.text == QLatin1String("...") || key.text == QString(QChar(0x2026)))
        && value.type == PyValue::Type::Raw && value.text.isEmpty();
}

void pyItems(const std::vector<PyValue> &items, Out &out)
{
    for (size_t i = 0; i < items.size() && !out.full(); ++i) {
        if (i)
            out.add(", ");
        pyFlat(items[i], out);
    }
}

QString floatRepr(const QString &text)
{
    if (text == QLatin1String("Infinity"))
        return QStringLiteral("inf");
    if (text == QLatin1String("-Infinity"))
        return QStringLiteral("-inf");
    if (text == QLatin1String("NaN"))
        return QStringLiteral("nan");
    bool ok = false;
    const double d = text.toDouble(&ok);
    return ok ? reprFloat(d) : text;
}

void pyObjectTail(const PyValue &v, Out &out)
{
    bool first = v.items.empty();
    for (const auto &[name, value] : v.attrs) {
        if (out.full())
            return;
        if (!first)
            out.add(", ");
        first = false;
        out.add(name);
        out.add(QChar(u'='));
        pyFlat(value, out);
    }
}

void pyFlat(const PyValue &v, Out &out)
{
    if (out.full())
        return;
    using T = PyValue::Type;
    switch (v.type) {
    case T::None: out.add("None"); return;
    case T::Bool: out.add(v.boolValue ? "True" : "False"); return;
    case T::Int:
    case T::Raw: out.add(v.text); return;
    case T::Float: out.add(floatRepr(v.text)); return;
    case T::Str: out.add(reprStr(v.text)); return;
    case T::Bytes: out.add(reprBytes(v.bytes)); return;
    case T::ByteArray:
        out.add("bytearray(");
        out.add(reprBytes(v.bytes));
        out.add(")");
        return;
    case T::List:
        out.add("[");
        pyItems(v.items, out);
        out.add("]");
        return;
    case T::Tuple:
        out.add("(");
        pyItems(v.items, out);
        out.add(v.items.size() == 1 ? ",)" : ")");
        return;
    case T::Set:
        if (v.items.empty()) {
            out.add("set()");
            return;
        }
        out.add("{");
        pyItems(v.items, out);
        out.add("}");
        return;
    case T::FrozenSet:
        if (v.items.empty()) {
            out.add("frozenset()");
            return;
        }
        out.add("frozenset({");
        pyItems(v.items, out);
        out.add("})");
        return;
    case T::Dict:
        out.add("{");
        for (size_t i = 0; i + 1 < v.items.size() && !out.full(); i += 2) {
            if (i)
                out.add(", ");
            pyFlat(v.items[i], out);
            if (isEllipsisEntry(v.items[i], v.items[i + 1]))
                continue;
            out.add(": ");
            pyFlat(v.items[i + 1], out);
        }
        out.add("}");
        return;
    case T::Object:
        out.add(v.text);
        out.add("(");
        pyItems(v.items, out);
        pyObjectTail(v, out);
        out.add(")");
        return;
    }
}

bool pyFits(const PyValue &v, qsizetype room, QString *flat)
{
    if (room <= 0)
        return false;
    Out probe(room);
    pyFlat(v, probe);
    if (probe.full())
        return false;
    *flat = probe.take();
    return true;
}

void pyPretty(const PyValue &v, int level, const RenderOptions &o, Out &out, qsizetype prefix)
{
    using T = PyValue::Type;
    const bool empty = v.items.empty() && v.attrs.empty();
    QString flat;
    if (!v.isContainer() || empty
        || pyFits(v, o.width - level * o.indent - prefix, &flat)) {
        if (flat.isNull())
            pyFlat(v, out);
        else
            out.add(flat);
        return;
    }
    QString open, close;
    switch (v.type) {
    case T::List: open = QStringLiteral("["); close = QStringLiteral("]"); break;
    case T::Tuple: open = QStringLiteral("("); close = QStringLiteral(")"); break;
    case T::Dict:
    case T::Set: open = QStringLiteral("{"); close = QStringLiteral("}"); break;
    case T::FrozenSet: open = QStringLiteral("frozenset({"); close = QStringLiteral("})"); break;
    case T::Object: open = v.text + QLatin1Char('('); close = QStringLiteral(")"); break;
    default: break;
    }
    out.add(open);
    const int inner = (level + 1) * o.indent;
    auto line = [&]() {
        out.add(QChar(u'\n'));
        out.spaces(inner);
    };
    if (v.type == T::Dict) {
        for (size_t i = 0; i + 1 < v.items.size() && !out.full(); i += 2) {
            line();
            if (isEllipsisEntry(v.items[i], v.items[i + 1])) {
                out.add("...,");
                continue;
            }
            QString key;
            Out k(-1);
            pyFlat(v.items[i], k);
            key = k.take() + QStringLiteral(": ");
            out.add(key);
            pyPretty(v.items[i + 1], level + 1, o, out, key.size());
            out.add(QChar(u','));
        }
    } else {
        for (size_t i = 0; i < v.items.size() && !out.full(); ++i) {
            line();
            pyPretty(v.items[i], level + 1, o, out, 0);
            out.add(QChar(u','));
        }
        for (const auto &[name, value] : v.attrs) {
            if (out.full())
                break;
            line();
            out.add(name + QLatin1Char('='));
            pyPretty(value, level + 1, o, out, name.size() + 1);
            out.add(QChar(u','));
        }
    }
    out.add(QChar(u'\n'));
    out.spaces(level * o.indent);
    out.add(close);
}

// ---- JSON ---------------------------------------------------------------------------------

void jsonValue(const PyValue &v, int level, const RenderOptions &o, Out &out);

QString jsonKey(const PyValue &k)
{
    using T = PyValue::Type;
    switch (k.type) {
    case T::Str: return jsonQuote(k.text);
    case T::Int: return jsonQuote(k.text);
    case T::Float: {
        Out f(-1);
        jsonValue(k, 0, {}, f);
        return jsonQuote(f.take());
    }
    case T::Bool: return jsonQuote(k.boolValue ? QStringLiteral("true") : QStringLiteral("false"));
    case T::None: return jsonQuote(QStringLiteral("null"));
    default: return jsonQuote(toPython(k, {-1, 100, 4096}));
    }
}

void jsonNewline(int level, const RenderOptions &o, Out &out)
{
    out.add(QChar(u'\n'));
    out.spaces(level * o.indent);
}

void jsonArray(const std::vector<PyValue> &items, int level, const RenderOptions &o, Out &out)
{
    if (items.empty()) {
        out.add("[]");
        return;
    }
    out.add("[");
    for (size_t i = 0; i < items.size() && !out.full(); ++i) {
        if (i)
            out.add(o.indent >= 0 ? "," : ", ");
        if (o.indent >= 0)
            jsonNewline(level + 1, o, out);
        jsonValue(items[i], level + 1, o, out);
    }
    if (o.indent >= 0)
        jsonNewline(level, o, out);
    out.add("]");
}

void jsonValue(const PyValue &v, int level, const RenderOptions &o, Out &out)
{
    if (out.full())
        return;
    using T = PyValue::Type;
    switch (v.type) {
    case T::None: out.add("null"); return;
    case T::Bool: out.add(v.boolValue ? "true" : "false"); return;
    case T::Int: out.add(v.text); return;
    case T::Float:
        if (v.text == QLatin1String("inf"))
            out.add("Infinity");
        else if (v.text == QLatin1String("-inf"))
            out.add("-Infinity");
        else if (v.text == QLatin1String("nan"))
            out.add("NaN");
        else
            out.add(v.text);
        return;
    case T::Str: out.add(jsonQuote(v.text)); return;
    case T::Raw: out.add(jsonQuote(v.text)); return;
    case T::Bytes: out.add(jsonQuote(reprBytes(v.bytes))); return;
    case T::ByteArray:
        out.add(jsonQuote(QStringLiteral("bytearray(") + reprBytes(v.bytes) + QLatin1Char(')')));
        return;
    case T::List:
    case T::Tuple:
    case T::Set:
    case T::FrozenSet: jsonArray(v.items, level, o, out); return;
    case T::Dict:
    case T::Object: {
        std::vector<std::pair<QString, const PyValue *>> members;
        PyValue className, args;
        if (v.type == T::Dict) {
            for (size_t i = 0; i + 1 < v.items.size(); i += 2)
                members.emplace_back(jsonKey(v.items[i]), &v.items[i + 1]);
        } else {
            className = PyValue::ofText(T::Str, v.text);
            members.emplace_back(jsonQuote(QStringLiteral("__class__")), &className);
            if (!v.items.empty()) {
                args.type = T::List;
                args.items = v.items;
                members.emplace_back(jsonQuote(QStringLiteral("args")), &args);
            }
            for (const auto &[name, value] : v.attrs)
                members.emplace_back(jsonQuote(name), &value);
        }
        if (members.empty()) {
            out.add("{}");
            return;
        }
        out.add("{");
        for (size_t i = 0; i < members.size() && !out.full(); ++i) {
            if (i)
                out.add(o.indent >= 0 ? "," : ", ");
            if (o.indent >= 0)
                jsonNewline(level + 1, o, out);
            out.add(members[i].first);
            out.add(": ");
            jsonValue(*members[i].second, level + 1, o, out);
        }
        if (o.indent >= 0)
            jsonNewline(level, o, out);
        out.add("}");
        return;
    }
    }
}

// ---- Readers ------------------------------------------------------------------------------

QString describeChar(QChar c)
{
    if (c.unicode() < 0x20 || c.unicode() == 0x7f)
        return QStringLiteral("U+%1").arg(hex(c.unicode(), 4).toUpper());
    return QStringLiteral("'%1'").arg(c);
}

class Reader
{
public:
    Reader(QStringView s, bool lenient, int maxDepth) : m_s(s), m_lenient(lenient), m_maxDepth(maxDepth) {}

    /// Nothing but white space is an error even in lenient mode: there is no value to show.
    bool blank()
    {
        skipWs();
        if (!atEnd())
            return false;
        fail(QStringLiteral("unexpected end of text"));
        return true;
    }

    ParseResult finish(bool ok, PyValue &&value)
    {
        ParseResult r;
        if (ok && !m_truncated) {
            skipWs();
            if (m_pos < m_s.size()) {
                fail(QStringLiteral("unexpected %1 after the value").arg(describeChar(m_s[m_pos])));
                ok = false;
            }
        }
        r.ok = ok;
        r.truncated = ok && m_truncated;
        if (ok)
            r.value = std::move(value);
        else {
            r.error = QStringLiteral("%1 at offset %2").arg(m_error).arg(m_errorPos);
            r.errorOffset = m_errorPos;
        }
        return r;
    }

protected:
    bool atEnd() const { return m_pos >= m_s.size(); }
    QChar peek() const { return m_s[m_pos]; }
    void skipWs()
    {
        while (m_pos < m_s.size()) {
            const char16_t c = m_s[m_pos].unicode();
            if (c == u' ' || c == u'\t' || c == u'\n' || c == u'\r')
                ++m_pos;
            else
                break;
        }
    }
    bool fail(const QString &why)
    {
        if (m_error.isEmpty()) {
            m_error = why;
            m_errorPos = m_pos;
        }
        return false;
    }
    /// End of text in the middle of a value: an error, or in lenient mode the end of reading.
    bool hitEnd()
    {
        if (m_lenient) {
            m_truncated = true;
            return true;
        }
        return fail(QStringLiteral("unexpected end of text"));
    }

    QStringView m_s;
    qsizetype m_pos = 0;
    bool m_lenient;
    int m_maxDepth;
    bool m_truncated = false;
    QString m_error;
    qsizetype m_errorPos = -1;
};

class JsonReader final : public Reader
{
public:
    using Reader::Reader;

    bool value(PyValue &out, int depth)
    {
        skipWs();
        if (atEnd())
            return hitEnd();
        if (depth > m_maxDepth)
            return fail(QStringLiteral("nesting deeper than %1 levels").arg(m_maxDepth));
        const QChar c = peek();
        switch (c.unicode()) {
        case u'{': return object(out, depth);
        case u'[': return array(out, depth);
        case u'"':
            out.type = PyValue::Type::Str;
            return string(out.text);
        case u't': return literal(u"true", out, PyValue::boolean(true));
        case u'f': return literal(u"false", out, PyValue::boolean(false));
        case u'n': return literal(u"null", out, PyValue::none());
        case u'N': return literal(u"NaN", out, PyValue::ofText(PyValue::Type::Float, QStringLiteral("NaN")));
        case u'I':
            return literal(u"Infinity", out, PyValue::ofText(PyValue::Type::Float, QStringLiteral("Infinity")));
        default:
            if (c == u'-' || (c >= u'0' && c <= u'9'))
                return number(out);
            return fail(QStringLiteral("unexpected %1").arg(describeChar(c)));
        }
    }

private:
    bool literal(QStringView word, PyValue &out, PyValue &&v)
    {
        const QStringView rest = m_s.mid(m_pos);
        if (rest.startsWith(word)) {
            m_pos += word.size();
            out = std::move(v);
            return true;
        }
        if (word.startsWith(rest))
            return hitEnd();
        return fail(QStringLiteral("unexpected %1").arg(describeChar(peek())));
    }

    bool number(PyValue &out)
    {
        const qsizetype start = m_pos;
        bool isFloat = false;
        if (peek() == u'-') {
            ++m_pos;
            if (!atEnd() && peek() == u'I') {
                if (!literal(u"Infinity", out, PyValue()))
                    return false;
                out = PyValue::ofText(PyValue::Type::Float, QStringLiteral("-Infinity"));
                return true;
            }
        }
        auto digits = [&]() {
            const qsizetype s = m_pos;
            while (!atEnd() && peek() >= u'0' && peek() <= u'9')
                ++m_pos;
            return m_pos - s;
        };
        auto cut = [&]() {
            // A number cut by the end of the text: keep what is there.
            if (!hitEnd())
                return false;
            out = PyValue::ofText(isFloat ? PyValue::Type::Float : PyValue::Type::Int,
                                  m_s.mid(start, m_pos - start).toString());
            return true;
        };
        if (atEnd())
            return cut();
        if (peek() == u'0') {
            ++m_pos;
        } else if (digits() == 0) {
            return fail(QStringLiteral("a number needs digits"));
        }
        if (!atEnd() && peek() == u'.') {
            isFloat = true;
            ++m_pos;
            if (digits() == 0)
                return atEnd() ? cut() : fail(QStringLiteral("a number needs digits after '.'"));
        }
        if (!atEnd() && (peek() == u'e' || peek() == u'E')) {
            isFloat = true;
            ++m_pos;
            if (!atEnd() && (peek() == u'+' || peek() == u'-'))
                ++m_pos;
            if (digits() == 0)
                return atEnd() ? cut() : fail(QStringLiteral("a number needs digits in its exponent"));
        }
        out = PyValue::ofText(isFloat ? PyValue::Type::Float : PyValue::Type::Int,
                              m_s.mid(start, m_pos - start).toString());
        return true;
    }

    static int hexValue(QChar c)
    {
        const char16_t u = c.unicode();
        if (u >= u'0' && u <= u'9')
            return u - u'0';
        if (u >= u'a' && u <= u'f')
            return u - u'a' + 10;
        if (u >= u'A' && u <= u'F')
            return u - u'A' + 10;
        return -1;
    }

    bool string(QString &text)
    {
        ++m_pos; // opening quote
        text.clear();
        qsizetype runStart = m_pos;
        while (true) {
            if (atEnd()) {
                text += m_s.mid(runStart, m_pos - runStart);
                return hitEnd();
            }
            const QChar c = peek();
            if (c == u'"') {
                text += m_s.mid(runStart, m_pos - runStart);
                ++m_pos;
                return true;
            }
            if (c.unicode() < 0x20)
                return fail(QStringLiteral("control character %1 inside a string").arg(describeChar(c)));
            if (c != u'\\') {
                ++m_pos;
                continue;
            }
            text += m_s.mid(runStart, m_pos - runStart);
            ++m_pos;
            if (atEnd())
                return hitEnd();
            const QChar e = peek();
            ++m_pos;
            switch (e.unicode()) {
            case u'"': text += u'"'; break;
            case u'\\': text += u'\\'; break;
            case u'/': text += u'/'; break;
            case u'b': text += u'\b'; break;
            case u'f': text += u'\f'; break;
            case u'n': text += u'\n'; break;
            case u'r': text += u'\r'; break;
            case u't': text += u'\t'; break;
            case u'u': {
                uint code = 0;
                for (int i = 0; i < 4; ++i) {
                    if (atEnd())
                        return hitEnd();
                    const int h = hexValue(peek());
                    if (h < 0)
                        return fail(QStringLiteral("bad \\u escape"));
                    code = code * 16 + uint(h);
                    ++m_pos;
                }
                // UTF-16 units appended one by one pair up into surrogate pairs by themselves.
                text += QChar(char16_t(code));
                break;
            }
            default:
                m_pos -= 2;
                return fail(QStringLiteral("bad escape \\%1").arg(e));
            }
            runStart = m_pos;
        }
    }

    bool array(PyValue &out, int depth)
    {
        out.type = PyValue::Type::List;
        ++m_pos;
        skipWs();
        if (atEnd())
            return hitEnd();
        if (peek() == u']') {
            ++m_pos;
            return true;
        }
        while (true) {
            out.items.emplace_back();
            if (!value(out.items.back(), depth + 1))
                return false;
            if (m_truncated)
                return true;
            skipWs();
            if (atEnd())
                return hitEnd();
            if (peek() == u']') {
                ++m_pos;
                return true;
            }
            if (peek() != u',')
                return fail(QStringLiteral("expected ',' or ']' but found %1").arg(describeChar(peek())));
            ++m_pos;
        }
    }

    bool object(PyValue &out, int depth)
    {
        out.type = PyValue::Type::Dict;
        ++m_pos;
        skipWs();
        if (atEnd())
            return hitEnd();
        if (peek() == u'}') {
            ++m_pos;
            return true;
        }
        while (true) {
            skipWs();
            if (atEnd())
                return hitEnd();
            if (peek() != u'"')
                return fail(QStringLiteral("expected a key string but found %1").arg(describeChar(peek())));
            PyValue key;
            key.type = PyValue::Type::Str;
            if (!string(key.text))
                return false;
            if (m_truncated)
                return true; // a key without a value: drop it
            skipWs();
            if (atEnd())
                return hitEnd();
            if (peek() != u':')
                return fail(QStringLiteral("expected ':' but found %1").arg(describeChar(peek())));
            ++m_pos;
            PyValue val;
            if (!value(val, depth + 1))
                return false;
            out.items.push_back(std::move(key));
            out.items.push_back(std::move(val));
            if (m_truncated)
                return true;
            skipWs();
            if (atEnd())
                return hitEnd();
            if (peek() == u'}') {
                ++m_pos;
                return true;
            }
            if (peek() != u',')
                return fail(QStringLiteral("expected ',' or '}' but found %1").arg(describeChar(peek())));
            ++m_pos;
        }
    }
};

bool isIdentStart(QChar c)
{
    return c == u'_' || c.isLetter();
}
bool isIdentChar(QChar c)
{
    return c == u'_' || c == u'.' || c.isLetterOrNumber();
}

class PythonReader final : public Reader
{
public:
    using Reader::Reader;

    bool value(PyValue &out, int depth)
    {
        skipWs();
        if (atEnd())
            return hitEnd();
        if (depth > m_maxDepth)
            return fail(QStringLiteral("nesting deeper than %1 levels").arg(m_maxDepth));
        const QChar c = peek();
        const char16_t u = c.unicode();
        if (u == u'(')
            return sequence(out, PyValue::Type::Tuple, u')', depth);
        if (u == u'[')
            return sequence(out, PyValue::Type::List, u']', depth);
        if (u == u'{')
            return brace(out, depth);
        if (u == u'\'' || u == u'"')
            return stringToken(out, m_pos);
        if (u == u'<')
            return angle(out);
        if (u == u'.' && m_s.mid(m_pos).startsWith(u"...")) {
            m_pos += 3;
            out = PyValue::ofText(PyValue::Type::Raw, QStringLiteral("..."));
            return true;
        }
        if (u == u'-' || u == u'+' || u == u'.' || (u >= u'0' && u <= u'9'))
            return numberToken(out);
        if (isIdentStart(c))
            return name(out, depth);
        return fail(QStringLiteral("unexpected %1").arg(describeChar(c)));
    }

private:
    bool numberToken(PyValue &out)
    {
        const qsizetype start = m_pos;
        ++m_pos;
        while (!atEnd()) {
            const QChar c = peek();
            if (c.isLetterOrNumber() || c == u'_' || c == u'.') {
                ++m_pos;
            } else if ((c == u'+' || c == u'-') && (m_s[m_pos - 1] == u'e' || m_s[m_pos - 1] == u'E')) {
                ++m_pos;
            } else {
                break;
            }
        }
        out = PyValue::ofText(PyValue::Type::Raw, m_s.mid(start, m_pos - start).toString());
        return true;
    }

    bool stringToken(PyValue &out, qsizetype start)
    {
        const QChar quote = peek();
        ++m_pos;
        while (true) {
            if (atEnd()) {
                out = PyValue::ofText(PyValue::Type::Raw, m_s.mid(start).toString());
                return hitEnd();
            }
            const QChar c = peek();
            ++m_pos;
            if (c == u'\\') {
                if (atEnd())
                    continue;
                ++m_pos;
            } else if (c == quote) {
                out = PyValue::ofText(PyValue::Type::Raw, m_s.mid(start, m_pos - start).toString());
                return true;
            }
        }
    }

    bool angle(PyValue &out)
    {
        const qsizetype start = m_pos;
        int level = 0;
        while (!atEnd()) {
            const QChar c = peek();
            if (c == u'\'' || c == u'"') {
                PyValue ignored;
                if (!stringToken(ignored, m_pos))
                    return false;
                if (m_truncated)
                    break;
                continue;
            }
            ++m_pos;
            if (c == u'<')
                ++level;
            else if (c == u'>' && --level == 0) {
                out = PyValue::ofText(PyValue::Type::Raw, m_s.mid(start, m_pos - start).toString());
                return true;
            }
        }
        out = PyValue::ofText(PyValue::Type::Raw, m_s.mid(start).toString());
        return m_truncated || hitEnd();
    }

    bool name(PyValue &out, int depth)
    {
        const qsizetype start = m_pos;
        while (!atEnd() && isIdentChar(peek()))
            ++m_pos;
        const QString word = m_s.mid(start, m_pos - start).toString();
        // String prefixes: b'', rb'', u'', f''…
        if (!atEnd() && (peek() == u'\'' || peek() == u'"') && word.size() <= 2) {
            return stringToken(out, start);
        }
        skipWs();
        if (atEnd() || peek() != u'(') {
            if (word == QLatin1String("None"))
                out = PyValue::none();
            else if (word == QLatin1String("True") || word == QLatin1String("False"))
                out = PyValue::boolean(word == QLatin1String("True"));
            else
                out = PyValue::ofText(PyValue::Type::Raw, word);
            return true;
        }
        // A call: name(args, key=value)
        out.type = PyValue::Type::Object;
        out.text = word;
        ++m_pos;
        while (true) {
            skipWs();
            if (atEnd())
                return hitEnd();
            if (peek() == u')') {
                ++m_pos;
                return true;
            }
            // key=value?
            qsizetype save = m_pos;
            QString key;
            if (isIdentStart(peek())) {
                while (!atEnd() && (peek() == u'_' || peek().isLetterOrNumber()))
                    ++m_pos;
                const qsizetype end = m_pos;
                skipWs();
                if (!atEnd() && peek() == u'=' && !(m_pos + 1 < m_s.size() && m_s[m_pos + 1] == u'=')) {
                    key = m_s.mid(save, end - save).toString();
                    ++m_pos;
                } else {
                    m_pos = save;
                }
            }
            PyValue arg;
            if (!value(arg, depth + 1))
                return false;
            if (key.isEmpty())
                out.items.push_back(std::move(arg));
            else
                out.attrs.emplace_back(key, std::move(arg));
            if (m_truncated)
                return true;
            if (!separator(u')'))
                return false;
            if (m_truncated)
                return true;
        }
    }

    /// After an item: ',' (consumed) or the closing bracket (left in place).
    bool separator(char16_t close)
    {
        skipWs();
        if (atEnd())
            return hitEnd();
        if (peek() == u',') {
            ++m_pos;
            return true;
        }
        if (peek() == close)
            return true;
        return fail(QStringLiteral("expected ',' or '%1' but found %2").arg(QChar(close), describeChar(peek())));
    }

    bool sequence(PyValue &out, PyValue::Type type, char16_t close, int depth)
    {
        out.type = type;
        ++m_pos;
        while (true) {
            skipWs();
            if (atEnd())
                return hitEnd();
            if (peek() == close) {
                ++m_pos;
                return true;
            }
            out.items.emplace_back();
            if (!value(out.items.back(), depth + 1))
                return false;
            if (m_truncated)
                return true;
            if (!separator(close))
                return false;
            if (m_truncated)
                return true;
        }
    }

    bool brace(PyValue &out, int depth)
    {
        ++m_pos;
        out.type = PyValue::Type::Dict;
        bool decided = false;
        while (true) {
            skipWs();
            if (atEnd())
                return hitEnd();
            if (peek() == u'}') {
                ++m_pos;
                return true;
            }
            PyValue key;
            if (!value(key, depth + 1))
                return false;
            if (m_truncated) {
                if (!decided)
                    out.type = PyValue::Type::Set;
                if (out.type == PyValue::Type::Set)
                    out.items.push_back(std::move(key));
                return true;
            }
            skipWs();
            if (atEnd())
                return hitEnd();
            if (!decided) {
                out.type = peek() == u':' ? PyValue::Type::Dict : PyValue::Type::Set;
                decided = true;
            }
            if (out.type == PyValue::Type::Dict && key.type == PyValue::Type::Raw && key.text == QLatin1String("...")
                && peek() != u':') {
                // Celery's saferepr cuts dicts with a bare ", ..." entry.
                out.items.push_back(std::move(key));
                out.items.push_back(PyValue::ofText(PyValue::Type::Raw, QString()));
            } else if (out.type == PyValue::Type::Dict) {
                if (peek() != u':')
                    return fail(QStringLiteral("expected ':' but found %1").arg(describeChar(peek())));
                ++m_pos;
                PyValue val;
                if (!value(val, depth + 1))
                    return false;
                out.items.push_back(std::move(key));
                out.items.push_back(std::move(val));
            } else {
                out.items.push_back(std::move(key));
            }
            if (m_truncated)
                return true;
            if (!separator(u'}'))
                return false;
            if (m_truncated)
                return true;
        }
    }
};

/// jsonAsPython() of compact JSON (no white space) whose strings are printable ASCII without
/// escapes and whose numbers are integers; false for anything else (the caller then parses).
bool quickJsonAsPython(QStringView json, bool asTuple, QString *out)
{
    constexpr int maxDepth = 32;
    struct Open
    {
        bool dict;
        bool tuple;
        int items;
    };
    Open open[maxDepth];
    int depth = 0;
    // What comes next: a value (a dict's key is one), the ':' after a key, or what follows a
    // value (',' or a closing bracket).
    enum class Next { Value, Key, Colon, After } next = Next::Value;
    QString r;
    r.reserve(json.size() + json.size() / 4 + 8);
    const char16_t *p = json.utf16();
    const char16_t *const end = p + json.size();
    while (p < end) {
        const char16_t c = *p;
        if (next == Next::After) {
            // A closing bracket (an empty container's comes right after its opening one), or ','.
            if (depth > 0 && c == (open[depth - 1].dict ? u'}' : u']')) {
                const Open &top = open[--depth];
                r += top.tuple ? (top.items == 1 ? QStringView(u",)") : QStringView(u")")) : QStringView(&c, 1);
            } else if (depth > 0 && c == u',') {
                r += QStringView(u", ");
                next = open[depth - 1].dict ? Next::Key : Next::Value;
            } else {
                return false;
            }
            ++p;
            continue;
        }
        if (next == Next::Colon) {
            if (c != u':')
                return false;
            r += QStringView(u": ");
            next = Next::Value;
            ++p;
            continue;
        }
        if (next == Next::Key && c != u'"')
            return false;
        const bool key = next == Next::Key;
        if (c == u'[' || c == u'{') {
            if (depth == maxDepth)
                return false;
            const bool tuple = c == u'[' && asTuple && depth == 0;
            if (depth > 0)
                ++open[depth - 1].items;
            open[depth++] = {c == u'{', tuple, 0};
            r += tuple ? QChar(u'(') : QChar(c);
            ++p;
            const bool empty = p < end && *p == (c == u'{' ? u'}' : u']');
            next = empty ? Next::After : c == u'{' ? Next::Key : Next::Value;
            continue;
        }
        if (c == u'"') {
            const char16_t *const b = ++p;
            bool single = false;
            for (; p < end && *p != u'"'; ++p) {
                if (*p < 0x20 || *p >= 0x7f || *p == u'\\')
                    return false; // escapes, control and non-ASCII characters: repr()'s rules
                single = single || *p == u'\'';
            }
            if (p == end)
                return false;
            const QChar quote = single ? u'"' : u'\''; // no '"' inside: it would be escaped
            r += quote;
            r += QStringView(b, p);
            r += quote;
            ++p;
        } else if (c == u'-' || (c >= u'0' && c <= u'9')) {
            const char16_t *const b = p++;
            while (p < end && *p >= u'0' && *p <= u'9')
                ++p;
            const char16_t *const digits = c == u'-' ? b + 1 : b;
            if (p == digits || (*digits == u'0' && p - digits > 1))
                return false; // no digits, or a leading zero: not JSON
            if (p < end && (*p == u'.' || *p == u'e' || *p == u'E'))
                return false; // a float: Python's repr of the double
            r += QStringView(b, p);
        } else {
            static constexpr struct { QStringView json; QLatin1String python; } words[] = {
                {u"true", QLatin1String("True")}, {u"false", QLatin1String("False")}, {u"null", QLatin1String("None")}};
            const auto word = std::find_if(std::cbegin(words), std::cend(words), [&](const auto &w) {
                return QStringView(p, end).startsWith(w.json);
            });
            if (word == std::cend(words))
                return false;
            r += word->python;
            p += word->json.size();
        }
        if (depth > 0 && !key)
            ++open[depth - 1].items;
        next = key ? Next::Colon : Next::After;
    }
    if (next != Next::After || depth != 0)
        return false;
    *out = std::move(r);
    return true;
}

} // namespace

QString jsonAsPython(QStringView json, bool asTuple)
{
    QString python;
    if (quickJsonAsPython(json, asTuple, &python))
        return python;
    ParseResult parsed = parseJson(json);
    if (!parsed.ok)
        return QString();
    if (asTuple && parsed.value.type == PyValue::Type::List)
        parsed.value.type = PyValue::Type::Tuple;
    return toPython(parsed.value);
}

QString toPython(const PyValue &value, const RenderOptions &options)
{
    Out out(options.maxChars);
    if (options.indent < 0)
        pyFlat(value, out);
    else
        pyPretty(value, 0, options, out, 0);
    return out.take();
}

QString toJson(const PyValue &value, const RenderOptions &options)
{
    Out out(options.maxChars);
    jsonValue(value, 0, options, out);
    return out.take();
}

QString reprStr(const QString &s)
{
    const bool hasSingle = s.contains(QLatin1Char('\''));
    const bool hasDouble = s.contains(QLatin1Char('"'));
    const QChar quote = (hasSingle && !hasDouble) ? QLatin1Char('"') : QLatin1Char('\'');
    QString r;
    r.reserve(s.size() + 2);
    r += quote;
    for (qsizetype i = 0; i < s.size(); ++i) {
        char32_t cp = s[i].unicode();
        if (QChar::isHighSurrogate(cp) && i + 1 < s.size() && s[i + 1].isLowSurrogate()) {
            cp = QChar::surrogateToUcs4(s[i], s[i + 1]);
            ++i;
        }
        if (cp == quote.unicode() || cp == U'\\') {
            r += QLatin1Char('\\');
            r += QChar(char16_t(cp));
        } else if (cp == U'\t') {
            r += QLatin1String("\\t");
        } else if (cp == U'\n') {
            r += QLatin1String("\\n");
        } else if (cp == U'\r') {
            r += QLatin1String("\\r");
        } else if (cp < 0x20 || cp == 0x7f) {
            r += QLatin1String("\\x") + hex(cp, 2);
        } else if (cp < 0x7f) {
            r += QChar(char16_t(cp));
        } else if (isPrintable(cp)) {
            r += QString::fromUcs4(&cp, 1);
        } else if (cp <= 0xff) {
            r += QLatin1String("\\x") + hex(cp, 2);
        } else if (cp <= 0xffff) {
            r += QLatin1String("\\u") + hex(cp, 4);
        } else {
            r += QLatin1String("\\U") + hex(cp, 8);
        }
    }
    r += quote;
    return r;
}

QString reprBytes(const QByteArray &b)
{
    const bool hasSingle = b.contains('\'');
    const bool hasDouble = b.contains('"');
    const char quote = (hasSingle && !hasDouble) ? '"' : '\'';
    QString r;
    r.reserve(b.size() + 3);
    r += QLatin1String("b");
    r += QLatin1Char(quote);
    for (const char ch : b) {
        const uchar c = uchar(ch);
        if (c == uchar(quote) || c == '\\') {
            r += QLatin1Char('\\');
            r += QLatin1Char(char(c));
        } else if (c == '\t') {
            r += QLatin1String("\\t");
        } else if (c == '\n') {
            r += QLatin1String("\\n");
        } else if (c == '\r') {
            r += QLatin1String("\\r");
        } else if (c < 0x20 || c >= 0x7f) {
            r += QLatin1String("\\x") + hex(c, 2);
        } else {
            r += QLatin1Char(char(c));
        }
    }
    r += QLatin1Char(quote);
    return r;
}

QString reprFloat(double d)
{
    if (std::isnan(d))
        return QStringLiteral("nan");
    if (std::isinf(d))
        return d > 0 ? QStringLiteral("inf") : QStringLiteral("-inf");
    char buf[64];
    const auto res = std::to_chars(buf, buf + sizeof buf, d, std::chars_format::scientific);
    const std::string sci(buf, res.ptr);
    // sci: [-]D[.DDD]e[+-]XX
    const size_t ePos = sci.find('e');
    std::string mantissa = sci.substr(0, ePos);
    const int exponent = std::atoi(sci.c_str() + ePos + 1);
    bool negative = false;
    if (!mantissa.empty() && mantissa[0] == '-') {
        negative = true;
        mantissa.erase(0, 1);
    }
    std::string digits;
    for (char c : mantissa)
        if (c != '.')
            digits += c;
    std::string result;
    if (exponent >= -4 && exponent < 16) {
        const int point = exponent + 1; // digits before the decimal point
        if (point <= 0) {
            result = "0." + std::string(size_t(-point), '0') + digits;
        } else if (size_t(point) >= digits.size()) {
            result = digits + std::string(size_t(point) - digits.size(), '0') + ".0";
        } else {
            result = digits.substr(0, size_t(point)) + "." + digits.substr(size_t(point));
        }
    } else {
        result = digits.substr(0, 1);
        if (digits.size() > 1)
            result += "." + digits.substr(1);
        char exp[16];
        std::snprintf(exp, sizeof exp, "e%c%02d", exponent < 0 ? '-' : '+', std::abs(exponent));
        result += exp;
    }
    if (negative)
        result.insert(0, "-");
    return QString::fromLatin1(result.c_str());
}

QString jsonQuote(const QString &s)
{
    QString r;
    r.reserve(s.size() + 2);
    r += QLatin1Char('"');
    for (qsizetype i = 0; i < s.size(); ++i) {
        const QChar c = s[i];
        const char16_t u = c.unicode();
        switch (u) {
        case u'"': r += QLatin1String("\\\""); break;
        case u'\\': r += QLatin1String("\\\\"); break;
        case u'\n': r += QLatin1String("\\n"); break;
        case u'\r': r += QLatin1String("\\r"); break;
        case u'\t': r += QLatin1String("\\t"); break;
        case u'\b': r += QLatin1String("\\b"); break;
        case u'\f': r += QLatin1String("\\f"); break;
        default:
            if (u < 0x20) {
                r += QLatin1String("\\u") + hex(u, 4);
            } else if (c.isHighSurrogate() && i + 1 < s.size() && s[i + 1].isLowSurrogate()) {
                r += c;
                r += s[++i];
            } else if (c.isSurrogate()) {
                r += QLatin1String("\\u") + hex(u, 4); // a lone surrogate stays visible
            } else {
                r += c;
            }
        }
    }
    r += QLatin1Char('"');
    return r;
}

ParseResult parseJson(QStringView text, bool allowTruncated, int maxDepth)
{
    JsonReader reader(text, allowTruncated, maxDepth);
    PyValue v;
    const bool ok = !reader.blank() && reader.value(v, 0);
    return reader.finish(ok, std::move(v));
}

ParseResult parsePython(QStringView text, bool allowTruncated, int maxDepth)
{
    PythonReader reader(text, allowTruncated, maxDepth);
    PyValue v;
    const bool ok = !reader.blank() && reader.value(v, 0);
    return reader.finish(ok, std::move(v));
}

} // namespace PyLiteral
