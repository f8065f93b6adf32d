#include "picklereader.h"

#include <algorithm>
#include <cstring>
#include <vector>

#include <QHash>
#include <QStringList>
#include <QtEndian>
#include <QVector>

namespace PickleReader {

namespace {

using T = PyValue::Type;

/// One value on the pickle machine's stack/memo. Containers refer to other nodes by index, so
/// memo references share (and may even contain) themselves without copying anything.
struct Node
{
    T type = T::None;
    bool global = false; ///< a class/function reference (GLOBAL/STACK_GLOBAL): text is its name
    bool boolValue = false;
    QString text;
    QByteArray bytes;
    QVector<int> items;     ///< container items; Object: positional args
    QVector<int> listItems; ///< Object: APPENDS onto it
    QVector<int> dictItems; ///< Object: SETITEMS onto it (key, value, …)
    int state = -1;         ///< Object: BUILD
    int kwargs = -1;        ///< Object: NEWOBJ_EX
};

QString normalizeModule(QString name)
{
    if (name.startsWith(QLatin1String("__builtin__.")))
        name.replace(0, 11, QStringLiteral("builtins"));
    else if (name.startsWith(QLatin1String("exceptions.")))
        name.replace(0, 10, QStringLiteral("builtins"));
    else if (name.startsWith(QLatin1String("copy_reg.")))
        name.replace(0, 8, QStringLiteral("copyreg"));
    return name;
}

/// The opcodes of pickle protocols 0–5, named as in CPython's pickletools.
enum class Op : uchar {
    // Protocol 0 (text) and 1 (binary)
    MARK = '(', STOP = '.', POP = '0', POP_MARK = '1', DUP = '2', FLOAT = 'F', INT = 'I', BININT = 'J',
    BININT1 = 'K', LONG = 'L', BININT2 = 'M', NONE = 'N', PERSID = 'P', BINPERSID = 'Q', REDUCE = 'R',
    STRING = 'S', BINSTRING = 'T', SHORT_BINSTRING = 'U', UNICODE = 'V', BINUNICODE = 'X', APPEND = 'a',
    BUILD = 'b', GLOBAL = 'c', DICT = 'd', EMPTY_DICT = '}', APPENDS = 'e', GET = 'g', BINGET = 'h',
    INST = 'i', LONG_BINGET = 'j', LIST = 'l', EMPTY_LIST = ']', OBJ = 'o', PUT = 'p', BINPUT = 'q',
    LONG_BINPUT = 'r', SETITEM = 's', TUPLE = 't', EMPTY_TUPLE = ')', SETITEMS = 'u', BINFLOAT = 'G',
    // Protocol 2
    PROTO = 0x80, NEWOBJ = 0x81, EXT1 = 0x82, EXT2 = 0x83, EXT4 = 0x84, TUPLE1 = 0x85, TUPLE2 = 0x86,
    TUPLE3 = 0x87, NEWTRUE = 0x88, NEWFALSE = 0x89, LONG1 = 0x8a, LONG4 = 0x8b,
    // Protocol 3
    BINBYTES = 'B', SHORT_BINBYTES = 'C',
    // Protocol 4
    SHORT_BINUNICODE = 0x8c, BINUNICODE8 = 0x8d, BINBYTES8 = 0x8e, EMPTY_SET = 0x8f, ADDITEMS = 0x90,
    FROZENSET = 0x91, NEWOBJ_EX = 0x92, STACK_GLOBAL = 0x93, MEMOIZE = 0x94, FRAME = 0x95,
    // Protocol 5
    BYTEARRAY8 = 0x96, NEXT_BUFFER = 0x97, READONLY_BUFFER = 0x98,
};

/// The name of an opcode the reader knows but does not read (persistent ids, the extension
/// registry, out-of-band buffers); nullptr for any other byte.
const char *unsupportedName(Op op)
{
    switch (op) {
    case Op::PERSID: return "PERSID";
    case Op::BINPERSID: return "BINPERSID";
    case Op::EXT1: return "EXT1";
    case Op::EXT2: return "EXT2";
    case Op::EXT4: return "EXT4";
    case Op::NEXT_BUFFER: return "NEXT_BUFFER";
    default: return nullptr;
    }
}

/// Little-endian two's complement bytes -> decimal text.
QString longToDecimal(const uchar *p, qsizetype n)
{
    if (n == 0)
        return QStringLiteral("0");
    const bool negative = p[n - 1] & 0x80;
    if (n <= 8) {
        quint64 u = 0;
        for (qsizetype i = n - 1; i >= 0; --i)
            u = (u << 8) | p[i];
        if (negative && n < 8)
            u |= ~quint64(0) << (8 * n);
        return negative ? QString::number(qint64(u)) : QString::number(u);
    }
    // Magnitude in 32-bit limbs, least significant first.
    std::vector<quint32> limbs(size_t((n + 3) / 4), 0);
    for (qsizetype i = 0; i < n; ++i)
        limbs[size_t(i / 4)] |= quint32(p[i]) << (8 * (i % 4));
    if (negative) {
        // Sign-extend the top limb, then negate (invert + 1).
        const qsizetype used = n % 4;
        if (used)
            limbs.back() |= ~quint32(0) << (8 * used);
        quint64 carry = 1;
        for (quint32 &l : limbs) {
            const quint64 v = quint64(quint32(~l)) + carry;
            l = quint32(v);
            carry = v >> 32;
        }
    }
    QString digits;
    while (!limbs.empty() && limbs.back() == 0)
        limbs.pop_back();
    while (!limbs.empty()) {
        quint64 rem = 0;
        for (size_t i = limbs.size(); i-- > 0;) {
            const quint64 cur = (rem << 32) | limbs[i];
            limbs[i] = quint32(cur / 1000000000u);
            rem = cur % 1000000000u;
        }
        while (!limbs.empty() && limbs.back() == 0)
            limbs.pop_back();
        QString chunk = QString::number(rem);
        if (!limbs.empty())
            chunk = chunk.rightJustified(9, QLatin1Char('0'));
        digits.prepend(chunk);
    }
    if (digits.isEmpty())
        digits = QStringLiteral("0");
    return negative ? QLatin1Char('-') + digits : digits;
}

/// A protocol 0 LONG's digits (its trailing L already cut): an optional '-', then 0–9.
bool isDecimal(const QByteArray &line)
{
    const qsizetype digitsStart = line.startsWith('-') ? 1 : 0;
    bool ok = line.size() > digitsStart;
    for (qsizetype i = digitsStart; i < line.size(); ++i)
        ok = ok && line[i] >= '0' && line[i] <= '9';
    return ok;
}

/// UNICODE's raw-unicode-escape text: \uXXXX and \UXXXXXXXX escapes, other bytes as Latin-1.
QString decodeRawUnicodeEscape(const QByteArray &line)
{
    QString s;
    for (qsizetype i = 0; i < line.size(); ++i) {
        const char c = line[i];
        if (c == '\\' && i + 1 < line.size() && (line[i + 1] == 'u' || line[i + 1] == 'U')) {
            const int digits = line[i + 1] == 'u' ? 4 : 8;
            bool ok = false;
            const uint cp = line.mid(i + 2, digits).toUInt(&ok, 16);
            if (ok && i + 2 + digits <= line.size() && cp <= 0x10FFFF) {
                const char32_t c32 = cp;
                s += QString::fromUcs4(&c32, 1);
                i += 1 + digits;
                continue;
            }
        }
        s += QChar(char16_t(uchar(c)));
    }
    return s;
}

/// STRING's quoted Python 2 literal ('…' or "…" with \n, \t, \r, \xXX escapes) -> its bytes;
/// false when the line is not quoted.
bool unquoteString(const QByteArray &line, QByteArray *raw)
{
    if (line.size() < 2 || (line[0] != '\'' && line[0] != '"') || line.back() != line[0])
        return false;
    const QByteArray body = line.mid(1, line.size() - 2);
    for (qsizetype i = 0; i < body.size(); ++i) {
        if (body[i] != '\\' || i + 1 >= body.size()) {
            *raw += body[i];
            continue;
        }
        const char e = body[++i];
        switch (e) {
        case 'n': *raw += '\n'; break;
        case 't': *raw += '\t'; break;
        case 'r': *raw += '\r'; break;
        case 'x': {
            bool ok = false;
            const uint v = body.mid(i + 1, 2).toUInt(&ok, 16);
            if (ok && i + 2 < body.size()) {
                *raw += char(v);
                i += 2;
            } else {
                *raw += "\\x";
            }
            break;
        }
        default: *raw += e; break;
        }
    }
    return true;
}

class Machine
{
public:
    Machine(const QByteArray &data, const Limits &limits)
        : m_p(reinterpret_cast<const uchar *>(data.constData())), m_n(data.size()), m_limits(limits)
    {
        // Reserved, immutable nodes (not counted against maxItems).
        m_nodes.resize(kReserved);
        m_nodes[kNone].type = T::None;
        m_nodes[kTrue].type = T::Bool;
        m_nodes[kTrue].boolValue = true;
        m_nodes[kFalse].type = T::Bool;
        m_nodes[kEllipsis].type = T::Raw;
        m_nodes[kEllipsis].text = QStringLiteral("…");
        m_nodes[kEllipsisValue].type = T::Raw;
    }

    Result run()
    {
        Result r;
        int top = -1;
        bool ok = execute(&top);
        r.protocol = m_protocol;
        r.firstClass = m_firstClass;
        if (!ok && m_hitEnd && m_limits.lenientEnd && !m_stack.isEmpty()) {
            // Cut input (a preview): keep what was read, with open MARK groups applied.
            r.incomplete = true;
            r.error = QStringLiteral("%1 at offset %2").arg(m_error).arg(m_errorPos);
            r.errorOffset = m_errorPos;
            closeOpenMarks();
            top = m_stack.first();
            ok = true;
        }
        if (!ok) {
            r.error = QStringLiteral("%1 at offset %2").arg(m_error).arg(m_errorPos);
            r.errorOffset = m_errorPos;
            return r;
        }
        m_onPath.assign(size_t(m_nodes.size()), false);
        r.value = materialize(top, 0);
        r.truncated = m_truncated;
        r.ok = true;
        return r;
    }

private:
    bool fail(const QString &why, qsizetype at = -1)
    {
        m_error = why;
        m_errorPos = at >= 0 ? at : m_opStart;
        return false;
    }
    bool need(qsizetype k)
    {
        if (k < 0 || m_n - m_pos < k) {
            m_hitEnd = true;
            return fail(QStringLiteral("pickle ends in the middle of an opcode"));
        }
        return true;
    }
    /// A length running past the end of the input: in lenient mode the part that is there is
    /// pushed (a cut preview of a long string still shows its start).
    bool pastEnd(const QString &what, quint64 len, T type)
    {
        m_hitEnd = true;
        if (m_limits.lenientEnd) {
            const qsizetype rest = m_n - m_pos;
            push(type == T::Str ? strNode(rest) : bytesNode(type, rest));
        }
        return fail(QStringLiteral("%1 length %2 runs past the end").arg(what).arg(len));
    }
    void closeOpenMarks()
    {
        while (!m_marks.isEmpty()) {
            const qsizetype base = m_marks.takeLast();
            QVector<int> items = m_stack.mid(base);
            m_stack.resize(base);
            if (base > 0) {
                Node &target = m_nodes[m_stack[base - 1]];
                if (target.type == T::List || target.type == T::Set) {
                    addItems(target.items, items);
                    continue;
                }
                if (target.type == T::Dict) {
                    addPairs(target.items, items); // an odd last key has no value yet: dropped
                    continue;
                }
            }
            const int tuple = newNode(T::Tuple);
            if (tuple != kEllipsis)
                m_nodes[tuple].items = std::move(items);
            m_stack.push_back(tuple);
        }
    }
    quint64 readLE(int k)
    {
        quint64 v = 0;
        for (int i = k - 1; i >= 0; --i)
            v = (v << 8) | m_p[m_pos + i];
        m_pos += k;
        return v;
    }
    bool readLine(QByteArray *line)
    {
        const void *nl = std::memchr(m_p + m_pos, '\n', size_t(m_n - m_pos));
        if (!nl) {
            m_hitEnd = true;
            return fail(QStringLiteral("pickle ends in the middle of a text opcode"));
        }
        const qsizetype end = static_cast<const uchar *>(nl) - m_p;
        *line = QByteArray(reinterpret_cast<const char *>(m_p + m_pos), end - m_pos);
        if (line->endsWith('\r'))
            line->chop(1);
        m_pos = end + 1;
        return true;
    }

    /// A new node, or once maxItems values exist the shared "…" node: reading goes on (so the
    /// start of a huge value is still shown) but nothing more is stored.
    int newNode(T type)
    {
        if (m_nodes.size() - kReserved >= size_t(std::max(0, m_limits.maxItems))) {
            m_truncated = true;
            return kEllipsis;
        }
        Node n;
        n.type = type;
        m_nodes.push_back(std::move(n));
        return int(m_nodes.size() - 1);
    }
    static bool placeholder(int id) { return id == kEllipsis; }
    bool push(int node)
    {
        if (node < 0)
            return false;
        m_stack.push_back(node);
        return true;
    }
    bool pop(int *node)
    {
        if (m_stack.size() <= currentMarkBase())
            return fail(QStringLiteral("stack underflow"));
        *node = m_stack.takeLast();
        return true;
    }
    qsizetype currentMarkBase() const { return m_marks.isEmpty() ? 0 : m_marks.last(); }
    bool popMark(QVector<int> *items)
    {
        if (m_marks.isEmpty())
            return fail(QStringLiteral("no MARK on the stack"));
        const qsizetype base = m_marks.takeLast();
        *items = m_stack.mid(base);
        m_stack.resize(base);
        return true;
    }
    bool topIndex(int *node)
    {
        if (m_stack.size() <= currentMarkBase())
            return fail(QStringLiteral("stack underflow"));
        *node = m_stack.last();
        return true;
    }
    int textNode(T type, const QString &text)
    {
        const int id = newNode(type);
        if (!placeholder(id))
            m_nodes[id].text = text;
        return id;
    }
    int bytesNode(T type, qsizetype len)
    {
        const int id = newNode(type);
        if (!placeholder(id))
            m_nodes[id].bytes = QByteArray(reinterpret_cast<const char *>(m_p + m_pos), len);
        m_pos += len;
        return id;
    }
    int strNode(qsizetype len)
    {
        const int id = textNode(T::Str, QString::fromUtf8(reinterpret_cast<const char *>(m_p + m_pos), len));
        m_pos += len;
        return id;
    }
    /// Python 2 str: text when ASCII (as Python 3 reads it by default), else bytes.
    int py2StrNode(const QByteArray &raw)
    {
        bool ascii = true;
        for (char c : raw)
            ascii = ascii && uchar(c) < 0x80;
        if (ascii)
            return textNode(T::Str, QString::fromLatin1(raw));
        const int id = newNode(T::Bytes);
        if (!placeholder(id))
            m_nodes[id].bytes = raw;
        return id;
    }
    int longNode(qsizetype len)
    {
        int id;
        if (len > m_limits.maxIntBytes)
            id = textNode(T::Raw, QStringLiteral("<int of %1 bytes>").arg(len));
        else
            id = textNode(T::Int, longToDecimal(m_p + m_pos, len));
        m_pos += len;
        return id;
    }
    int globalNode(const QString &module, const QString &name)
    {
        QString full = normalizeModule(module + QLatin1Char('.') + name);
        // No Python name holds control characters: such a name is shown as its repr, on one line.
        if (std::any_of(full.cbegin(), full.cend(), [](QChar c) { return c.category() == QChar::Other_Control; }))
            full = PyLiteral::reprStr(full);
        // Reductions that rebuild plain values (and copyreg helpers) name no class of interest.
        static const QStringList plainBuilders = {
            QStringLiteral("builtins.set"),           QStringLiteral("builtins.frozenset"),
            QStringLiteral("builtins.bytes"),         QStringLiteral("builtins.bytearray"),
            QStringLiteral("_codecs.encode"),         QStringLiteral("copyreg._reconstructor"),
            QStringLiteral("copyreg.__newobj__"),     QStringLiteral("builtins.object"),
        };
        if (m_firstClass.isEmpty() && !plainBuilders.contains(full))
            m_firstClass = full;
        const int id = textNode(T::Raw, full);
        if (!placeholder(id))
            m_nodes[id].global = true;
        return id;
    }
    QString callableName(int node) const
    {
        const Node &n = m_nodes[node];
        if (n.global)
            return n.text;
        if (n.type == T::Object)
            return n.text + QStringLiteral("(…)");
        return QStringLiteral("<callable>");
    }
    bool memoPut(quint64 index)
    {
        int top;
        if (!topIndex(&top))
            return false;
        m_memo.insert(index, top);
        return true;
    }
    bool memoGet(quint64 index)
    {
        const auto it = m_memo.constFind(index);
        if (it == m_memo.constEnd())
            return fail(QStringLiteral("memo key %1 is not defined").arg(index));
        return push(it.value());
    }
    static bool parseUInt(const QByteArray &text, quint64 *v)
    {
        bool ok = false;
        *v = text.trimmed().toULongLong(&ok);
        return ok;
    }

    /// Runs the opcodes up to STOP; *result is the top of the stack then.
    bool execute(int *result)
    {
        while (m_pos < m_n) {
            m_opStart = m_pos;
            const auto op = Op(m_p[m_pos++]);
            if (op == Op::STOP) {
                if (m_stack.isEmpty())
                    return fail(QStringLiteral("STOP with an empty stack"));
                *result = m_stack.last();
                return true;
            }
            if (!step(op))
                return false;
        }
        m_opStart = m_pos;
        m_hitEnd = true;
        return fail(QStringLiteral("pickle ends without STOP"));
    }

    /// One opcode other than STOP, read by the helper of its family.
    bool step(Op op)
    {
        switch (op) {
        case Op::PROTO: case Op::FRAME:
            return readFraming(op);
        case Op::NONE: case Op::NEWTRUE: case Op::NEWFALSE: case Op::BININT1: case Op::BININT2:
        case Op::BININT: case Op::LONG1: case Op::LONG4: case Op::BINFLOAT:
            return readNumber(op);
        case Op::INT: case Op::LONG: case Op::FLOAT:
            return readTextNumber(op);
        case Op::SHORT_BINUNICODE: case Op::BINUNICODE: case Op::BINUNICODE8: case Op::SHORT_BINBYTES:
        case Op::BINBYTES: case Op::BINBYTES8: case Op::BYTEARRAY8: case Op::SHORT_BINSTRING:
        case Op::BINSTRING:
            return readCounted(op);
        case Op::UNICODE: case Op::STRING:
            return readTextString(op);
        case Op::EMPTY_LIST: case Op::EMPTY_DICT: case Op::EMPTY_TUPLE: case Op::EMPTY_SET:
        case Op::LIST: case Op::TUPLE: case Op::DICT: case Op::FROZENSET:
        case Op::TUPLE1: case Op::TUPLE2: case Op::TUPLE3:
            return makeContainer(op);
        case Op::APPEND: case Op::APPENDS: case Op::SETITEM: case Op::SETITEMS: case Op::ADDITEMS:
            return fillContainer(op);
        case Op::MARK: case Op::POP: case Op::POP_MARK: case Op::DUP: case Op::READONLY_BUFFER:
            return moveStack(op);
        case Op::PUT: case Op::BINPUT: case Op::LONG_BINPUT: case Op::MEMOIZE:
        case Op::GET: case Op::BINGET: case Op::LONG_BINGET:
            return useMemo(op);
        case Op::GLOBAL: case Op::STACK_GLOBAL:
            return readGlobal(op);
        case Op::REDUCE: case Op::NEWOBJ: case Op::NEWOBJ_EX: case Op::OBJ: case Op::INST: case Op::BUILD:
            return buildObject(op);
        case Op::STOP: // execute()'s
        case Op::PERSID: case Op::BINPERSID: case Op::EXT1: case Op::EXT2: case Op::EXT4:
        case Op::NEXT_BUFFER:
            break;
        }
        return unsupported(op);
    }

    /// An opcode this reader does not read (also each family helper's default, never reached).
    bool unsupported(Op op)
    {
        const uint code = uint(op);
        if (const char *name = unsupportedName(op))
            return fail(QStringLiteral("unsupported opcode %1 (0x%2)").arg(QLatin1String(name)).arg(code, 2, 16, QLatin1Char('0')));
        return fail(QStringLiteral("unknown opcode 0x%1").arg(code, 2, 16, QLatin1Char('0')));
    }

    // ---- Opcode families ----------------------------------------------------------------

    /// PROTO, and FRAME: framing only, the framed opcodes follow inline.
    bool readFraming(Op op)
    {
        if (op == Op::FRAME) {
            if (!need(8))
                return false;
            m_pos += 8;
            return true;
        }
        if (!need(1))
            return false;
        m_protocol = m_p[m_pos++];
        if (m_protocol > 5)
            return fail(QStringLiteral("unsupported pickle protocol %1").arg(m_protocol));
        return true;
    }

    /// None, the booleans, and the binary ints and floats.
    bool readNumber(Op op)
    {
        switch (op) {
        case Op::NONE: return push(kNone);
        case Op::NEWTRUE: return push(kTrue);
        case Op::NEWFALSE: return push(kFalse);
        case Op::BININT1: return need(1) && push(textNode(T::Int, QString::number(readLE(1))));
        case Op::BININT2: return need(2) && push(textNode(T::Int, QString::number(readLE(2))));
        case Op::BININT: return need(4) && push(textNode(T::Int, QString::number(qint32(quint32(readLE(4))))));
        case Op::LONG1: return need(1) && readLong(qint64(readLE(1)));
        case Op::LONG4: return need(4) && readLong(qint32(quint32(readLE(4))));
        case Op::BINFLOAT: return need(8) && push(textNode(T::Float, PyLiteral::reprFloat(readBigEndianDouble())));
        default: return unsupported(op);
        }
    }
    /// The little-endian two's complement body of LONG1/LONG4.
    bool readLong(qint64 len)
    {
        if (len < 0)
            return fail(QStringLiteral("LONG4 with a negative length"));
        return need(len) && push(longNode(len));
    }
    double readBigEndianDouble()
    {
        const quint64 bits = qFromBigEndian<quint64>(m_p + m_pos);
        m_pos += 8;
        double d;
        std::memcpy(&d, &bits, sizeof d);
        return d;
    }

    /// INT, LONG and FLOAT of protocol 0: a line of text.
    bool readTextNumber(Op op)
    {
        QByteArray line;
        if (!readLine(&line))
            return false;
        switch (op) {
        case Op::INT: {
            if (line == "01" || line == "00") // protocol 0 writes the booleans as INT
                return push(line == "01" ? kTrue : kFalse);
            bool ok = false;
            const qlonglong v = line.toLongLong(&ok);
            return ok ? push(textNode(T::Int, QString::number(v))) : fail(QStringLiteral("INT is not a number"));
        }
        case Op::LONG:
            if (line.endsWith('L'))
                line.chop(1);
            if (!isDecimal(line))
                return fail(QStringLiteral("LONG is not a number"));
            {
                // Python reads "007" as 7 and "-0" as 0: the digits without leading zeros.
                const bool negative = line.startsWith('-');
                QByteArray digits = line.mid(negative ? 1 : 0);
                while (digits.size() > 1 && digits.startsWith('0'))
                    digits.remove(0, 1);
                return push(textNode(T::Int, QString::fromLatin1((negative && digits != "0" ? "-" : "") + digits)));
            }
        case Op::FLOAT: {
            bool ok = false;
            const double d = line.toDouble(&ok);
            return ok ? push(textNode(T::Float, PyLiteral::reprFloat(d))) : fail(QStringLiteral("FLOAT is not a number"));
        }
        default: return unsupported(op);
        }
    }

    /// The length-prefixed str (BINUNICODE…), bytes (BINBYTES…, BYTEARRAY8) and Python 2 str
    /// (BINSTRING…).
    bool readCounted(Op op)
    {
        switch (op) {
        case Op::SHORT_BINUNICODE: return readSized(1, T::Str);
        case Op::BINUNICODE: return readSized(4, T::Str);
        case Op::BINUNICODE8: return readSized(8, T::Str);
        case Op::SHORT_BINBYTES: return readSized(1, T::Bytes);
        case Op::BINBYTES: return readSized(4, T::Bytes);
        case Op::BINBYTES8: return readSized(8, T::Bytes);
        case Op::BYTEARRAY8: return readSized(8, T::ByteArray);
        case Op::SHORT_BINSTRING: return readPy2String(1);
        case Op::BINSTRING: return readPy2String(4);
        default: return unsupported(op);
        }
    }
    /// A str (T::Str) or bytes value after its unsigned length of `width` bytes.
    bool readSized(int width, T type)
    {
        if (!need(width))
            return false;
        const quint64 len = readLE(width);
        if (len > quint64(m_n - m_pos))
            return pastEnd(type == T::Str ? QStringLiteral("string") : QStringLiteral("bytes"), len, type);
        return push(type == T::Str ? strNode(qsizetype(len)) : bytesNode(type, qsizetype(len)));
    }
    /// A Python 2 str after its signed length of `width` bytes.
    bool readPy2String(int width)
    {
        if (!need(width))
            return false;
        const qint64 len = width == 1 ? qint64(readLE(1)) : qint64(qint32(quint32(readLE(4))));
        if (len < 0)
            return fail(QStringLiteral("string length %1 is negative").arg(len));
        if (len > m_n - m_pos)
            return pastEnd(QStringLiteral("string"), quint64(len), T::Bytes);
        const QByteArray raw(reinterpret_cast<const char *>(m_p + m_pos), qsizetype(len));
        m_pos += qsizetype(len);
        return push(py2StrNode(raw));
    }

    /// UNICODE (raw-unicode-escape) and STRING (quoted, Python 2) of protocol 0: a line of text.
    bool readTextString(Op op)
    {
        QByteArray line;
        if (!readLine(&line))
            return false;
        if (op == Op::UNICODE)
            return push(textNode(T::Str, decodeRawUnicodeEscape(line)));
        QByteArray raw;
        if (!unquoteString(line, &raw))
            return fail(QStringLiteral("STRING is not quoted"));
        return push(py2StrNode(raw));
    }

    /// Empty containers, containers of the items above the MARK, and TUPLE1–3.
    bool makeContainer(Op op)
    {
        switch (op) {
        case Op::EMPTY_LIST: return push(newNode(T::List));
        case Op::EMPTY_DICT: return push(newNode(T::Dict));
        case Op::EMPTY_TUPLE: return push(newNode(T::Tuple));
        case Op::EMPTY_SET: return push(newNode(T::Set));
        case Op::LIST: return containerFromMark(T::List);
        case Op::TUPLE: return containerFromMark(T::Tuple);
        case Op::DICT: return containerFromMark(T::Dict);
        case Op::FROZENSET: return containerFromMark(T::FrozenSet);
        case Op::TUPLE1: return tupleFromTop(1);
        case Op::TUPLE2: return tupleFromTop(2);
        case Op::TUPLE3: return tupleFromTop(3);
        default: return unsupported(op);
        }
    }
    bool containerFromMark(T type)
    {
        QVector<int> items;
        if (!popMark(&items))
            return false;
        if (type == T::Dict && items.size() % 2)
            return fail(QStringLiteral("DICT with an odd number of items"));
        const int id = newNode(type);
        if (!placeholder(id))
            m_nodes[id].items = std::move(items);
        return push(id);
    }
    bool tupleFromTop(int k)
    {
        if (m_stack.size() - currentMarkBase() < k)
            return fail(QStringLiteral("stack underflow"));
        const int id = newNode(T::Tuple);
        if (!placeholder(id))
            m_nodes[id].items = m_stack.mid(m_stack.size() - k);
        m_stack.resize(m_stack.size() - k);
        return push(id);
    }

    /// APPEND(S), SETITEM(S) and ADDITEMS: items onto the container (or object) below them.
    bool fillContainer(Op op)
    {
        QVector<int> items;
        int key, value, target;
        switch (op) {
        case Op::APPEND:
            return pop(&value) && topIndex(&target) && appendTo(target, {value});
        case Op::APPENDS:
            return popMark(&items) && topIndex(&target) && appendTo(target, items);
        case Op::SETITEM:
            return pop(&value) && pop(&key) && topIndex(&target) && setItems(target, {key, value});
        case Op::SETITEMS:
            if (!popMark(&items) || !topIndex(&target))
                return false;
            if (items.size() % 2)
                return fail(QStringLiteral("SETITEMS with an odd number of items"));
            return setItems(target, items);
        case Op::ADDITEMS:
            return popMark(&items) && topIndex(&target) && addToSet(target, items);
        default: return unsupported(op);
        }
    }

    /// MARK, POP, POP_MARK, DUP and READONLY_BUFFER (a no-op on an in-band buffer).
    bool moveStack(Op op)
    {
        QVector<int> ignored;
        int top;
        switch (op) {
        case Op::MARK:
            m_marks.push_back(m_stack.size());
            return true;
        case Op::POP:
            if (m_stack.size() > currentMarkBase()) {
                m_stack.removeLast();
                return true;
            }
            if (!m_marks.isEmpty()) // POP of an empty MARK group drops the MARK
                return popMark(&ignored);
            return fail(QStringLiteral("stack underflow"));
        case Op::POP_MARK:
            return popMark(&ignored);
        case Op::DUP:
            return topIndex(&top) && push(top);
        case Op::READONLY_BUFFER:
            return !m_stack.isEmpty() || fail(QStringLiteral("stack underflow"));
        default: return unsupported(op);
        }
    }

    /// PUT, BINPUT, LONG_BINPUT, MEMOIZE keep the top in the memo; GET, BINGET, LONG_BINGET push
    /// it again.
    bool useMemo(Op op)
    {
        quint64 index = 0;
        switch (op) {
        case Op::PUT: return readTextIndex("PUT", &index) && memoPut(index);
        case Op::BINPUT: return need(1) && memoPut(readLE(1));
        case Op::LONG_BINPUT: return need(4) && memoPut(readLE(4));
        case Op::MEMOIZE: return memoPut(quint64(m_memo.size()));
        case Op::GET: return readTextIndex("GET", &index) && memoGet(index);
        case Op::BINGET: return need(1) && memoGet(readLE(1));
        case Op::LONG_BINGET: return need(4) && memoGet(readLE(4));
        default: return unsupported(op);
        }
    }
    bool readTextIndex(const char *opName, quint64 *index)
    {
        QByteArray line;
        if (!readLine(&line))
            return false;
        if (!parseUInt(line, index))
            return fail(QStringLiteral("%1 index is not a number").arg(QLatin1String(opName)));
        return true;
    }

    /// GLOBAL and STACK_GLOBAL: a class or function, recorded by its name and never imported.
    bool readGlobal(Op op)
    {
        if (op == Op::GLOBAL) {
            QByteArray module, name;
            return readLine(&module) && readLine(&name)
                && push(globalNode(QString::fromUtf8(module), QString::fromUtf8(name)));
        }
        int name, module;
        if (!pop(&name) || !pop(&module))
            return false;
        if (placeholder(name) || placeholder(module))
            return push(kEllipsis);
        if (m_nodes[name].type != T::Str || m_nodes[module].type != T::Str)
            return fail(QStringLiteral("STACK_GLOBAL needs two strings"));
        return push(globalNode(m_nodes[module].text, m_nodes[name].text));
    }

    /// REDUCE, NEWOBJ, NEWOBJ_EX, OBJ, INST and BUILD: a call recorded as an Object node, never
    /// made.
    bool buildObject(Op op)
    {
        switch (op) {
        case Op::REDUCE: return reduce("REDUCE");
        case Op::NEWOBJ: return reduce("NEWOBJ");
        case Op::NEWOBJ_EX: return newObjectEx();
        case Op::OBJ: return objectFromMark();
        case Op::INST: return instance();
        case Op::BUILD: return build();
        default: return unsupported(op);
        }
    }
    /// REDUCE and NEWOBJ: callable, args tuple.
    bool reduce(const char *opName)
    {
        int args, callable;
        if (!pop(&args) || !pop(&callable))
            return false;
        if (placeholder(args) || placeholder(callable))
            return push(kEllipsis);
        if (m_nodes[args].type != T::Tuple)
            return fail(QStringLiteral("%1 arguments are not a tuple").arg(QLatin1String(opName)));
        return push(objectNode(callable, m_nodes[args].items, -1));
    }
    bool newObjectEx()
    {
        int kwargs, args, cls;
        if (!pop(&kwargs) || !pop(&args) || !pop(&cls))
            return false;
        if (placeholder(kwargs) || placeholder(args) || placeholder(cls))
            return push(kEllipsis);
        if (m_nodes[args].type != T::Tuple || m_nodes[kwargs].type != T::Dict)
            return fail(QStringLiteral("NEWOBJ_EX needs a tuple and a dict"));
        return push(objectNode(cls, m_nodes[args].items, kwargs));
    }
    /// OBJ: MARK, class, args…
    bool objectFromMark()
    {
        QVector<int> items;
        if (!popMark(&items))
            return false;
        if (items.isEmpty())
            return fail(QStringLiteral("OBJ without a class"));
        const int cls = items.takeFirst();
        return push(objectNode(cls, items, -1));
    }
    /// INST: module and name lines, args from the MARK.
    bool instance()
    {
        QByteArray module, name;
        QVector<int> items;
        if (!readLine(&module) || !readLine(&name) || !popMark(&items))
            return false;
        const int cls = globalNode(QString::fromUtf8(module), QString::fromUtf8(name));
        return push(objectNode(cls, items, -1));
    }
    bool build()
    {
        int state, target;
        if (!pop(&state) || !topIndex(&target))
            return false;
        if (placeholder(target))
            return true;
        if (m_nodes[target].type != T::Object)
            return fail(QStringLiteral("BUILD on something that is not an object"));
        m_nodes[target].state = state;
        return true;
    }

    int objectNode(int callable, QVector<int> args, int kwargs) // by value: m_nodes may grow
    {
        const QString name = placeholder(callable) ? QStringLiteral("…") : callableName(callable);
        const int id = newNode(T::Object);
        if (placeholder(id))
            return id;
        m_nodes[id].text = name;
        m_nodes[id].items = std::move(args);
        m_nodes[id].kwargs = kwargs;
        return id;
    }

    /// Appends, keeping one "…" where values were no longer stored.
    static void addItems(QVector<int> &to, const QVector<int> &items)
    {
        for (int id : items) {
            if (!placeholder(id) || to.isEmpty() || !placeholder(to.last()))
                to.push_back(id);
        }
    }
    bool appendTo(int target, const QVector<int> &items)
    {
        if (placeholder(target))
            return true;
        Node &n = m_nodes[target];
        if (n.type == T::List)
            addItems(n.items, items);
        else if (n.type == T::Object)
            addItems(n.listItems, items);
        else
            return fail(QStringLiteral("APPEND onto something that is not a list"));
        return true;
    }
    /// Adds key/value pairs; pairs with a value no longer stored become one "…" entry.
    static void addPairs(QVector<int> &to, const QVector<int> &items)
    {
        for (qsizetype i = 0; i + 1 < items.size(); i += 2) {
            if (placeholder(items[i]) || placeholder(items[i + 1])) {
                if (to.isEmpty() || !placeholder(to[to.size() - 2])) {
                    to.push_back(kEllipsis);
                    to.push_back(kEllipsisValue);
                }
                continue;
            }
            to.push_back(items[i]);
            to.push_back(items[i + 1]);
        }
    }
    bool setItems(int target, const QVector<int> &items)
    {
        if (placeholder(target))
            return true;
        Node &n = m_nodes[target];
        if (n.type == T::Dict)
            addPairs(n.items, items);
        else if (n.type == T::Object)
            addPairs(n.dictItems, items);
        else
            return fail(QStringLiteral("SETITEM onto something that is not a dict"));
        return true;
    }
    bool addToSet(int target, const QVector<int> &items)
    {
        if (placeholder(target))
            return true;
        if (m_nodes[target].type != T::Set)
            return fail(QStringLiteral("ADDITEMS onto something that is not a set"));
        addItems(m_nodes[target].items, items);
        return true;
    }

    // ---- From the node graph to a value tree -------------------------------------------

    bool spend()
    {
        if (m_budget <= 0) {
            m_truncated = true;
            return false;
        }
        --m_budget;
        return true;
    }

    std::vector<PyValue> materializeAll(const QVector<int> &ids, int depth)
    {
        std::vector<PyValue> out;
        out.reserve(size_t(std::min<qsizetype>(ids.size(), std::max(m_budget, 0) + 1)));
        for (int id : ids) {
            if (m_budget <= 0) {
                m_truncated = true;
                out.push_back(PyValue::ofText(T::Raw, QStringLiteral("…")));
                break;
            }
            out.push_back(materialize(id, depth));
        }
        return out;
    }

    PyValue materialize(int id, int depth)
    {
        const Node &n = m_nodes[id];
        if (size_t(id) < kReserved) // None, True, False and the "…" markers cost nothing
            return n.type == T::Bool ? PyValue::boolean(n.boolValue) : PyValue::ofText(n.type, n.text);
        if (!spend() || depth > m_limits.maxDepth) {
            m_truncated = true;
            return PyValue::ofText(T::Raw, QStringLiteral("…"));
        }
        if (m_onPath[size_t(id)]) {
            // A value containing itself, shown the way Python's repr() shows it.
            switch (n.type) {
            case T::List: return PyValue::ofText(T::Raw, QStringLiteral("[...]"));
            case T::Dict: return PyValue::ofText(T::Raw, QStringLiteral("{...}"));
            default: return PyValue::ofText(T::Raw, QStringLiteral("..."));
            }
        }
        PyValue v;
        v.type = n.type;
        v.boolValue = n.boolValue;
        v.text = n.text;
        v.bytes = n.bytes;
        if (!n.items.isEmpty() || n.type == T::Object) {
            m_onPath[size_t(id)] = true;
            v.items = materializeAll(n.items, depth + 1);
            if (n.type == T::Object) {
                materializeObjectParts(n, v, depth);
                simplify(v);
            } else if (n.type == T::Dict && v.items.size() % 2) {
                v.items.pop_back();
            }
            m_onPath[size_t(id)] = false;
        }
        return v;
    }

    /// An Object's keyword arguments, BUILD state and APPENDS/SETITEMS as its attributes.
    void materializeObjectParts(const Node &n, PyValue &v, int depth)
    {
        if (n.kwargs >= 0) {
            PyValue kw = materialize(n.kwargs, depth + 1);
            for (size_t i = 0; i + 1 < kw.items.size(); i += 2)
                v.attrs.emplace_back(kw.items[i].type == T::Str ? kw.items[i].text : PyLiteral::toPython(kw.items[i]),
                                     std::move(kw.items[i + 1]));
        }
        if (n.state >= 0)
            v.attrs.emplace_back(QStringLiteral("state"), materialize(n.state, depth + 1));
        if (!n.listItems.isEmpty()) {
            PyValue list;
            list.type = T::List;
            list.items = materializeAll(n.listItems, depth + 2);
            v.attrs.emplace_back(QStringLiteral("items"), std::move(list));
        }
        if (!n.dictItems.isEmpty()) {
            PyValue dict;
            dict.type = T::Dict;
            dict.items = materializeAll(n.dictItems, depth + 2);
            if (dict.items.size() % 2)
                dict.items.pop_back(); // cut by the budget
            v.attrs.emplace_back(QStringLiteral("dict_items"), std::move(dict));
        }
    }

    static bool isLatin1Name(const PyValue &v)
    {
        return v.type == T::Str
            && (v.text == QLatin1String("latin1") || v.text == QLatin1String("latin-1"));
    }

    static PyValue intValue(int i) { return PyValue::ofText(T::Int, QString::number(i)); }

    /// Shows well-known reductions as the values they rebuild.
    static void simplify(PyValue &v)
    {
        const QString &cls = v.text;
        if (cls == QLatin1String("builtins.set") || cls == QLatin1String("builtins.frozenset"))
            simplifySet(v);
        else if (cls == QLatin1String("_codecs.encode"))
            simplifyEncode(v);
        else if (cls == QLatin1String("builtins.bytes") || cls == QLatin1String("builtins.bytearray"))
            simplifyBytes(v);
        else if (cls == QLatin1String("copyreg._reconstructor"))
            simplifyReconstructor(v);
        else if (cls == QLatin1String("collections.OrderedDict"))
            simplifyOrderedDict(v);
        else if (cls == QLatin1String("uuid.UUID"))
            simplifyUuid(v);
        else if (cls == QLatin1String("datetime.timedelta"))
            simplifyTimedelta(v);
        else if (cls == QLatin1String("datetime.timezone"))
            simplifyTimezone(v);
        else if (cls == QLatin1String("datetime.datetime") || cls == QLatin1String("datetime.date")
                 || cls == QLatin1String("datetime.time"))
            simplifyDateTime(v);
    }

    /// set(…)/frozenset(…) of a list, tuple or set (protocol 2).
    static void simplifySet(PyValue &v)
    {
        const auto &a = v.items;
        if (!v.attrs.empty()
            || !(a.empty() || (a.size() == 1 && (a[0].type == T::List || a[0].type == T::Tuple || a[0].type == T::Set))))
            return;
        std::vector<PyValue> items = a.empty() ? std::vector<PyValue>() : std::move(v.items[0].items);
        const T type = v.text == QLatin1String("builtins.set") ? T::Set : T::FrozenSet;
        v = PyValue();
        v.type = type;
        v.items = std::move(items);
    }

    /// _codecs.encode(text, 'latin1'): bytes as protocol 2 writes them.
    static void simplifyEncode(PyValue &v)
    {
        const auto &a = v.items;
        if (!v.attrs.empty() || a.size() != 2 || a[0].type != T::Str || !isLatin1Name(a[1]))
            return;
        const QByteArray b = a[0].text.toLatin1();
        v = PyValue();
        v.type = T::Bytes;
        v.bytes = b;
    }

    /// bytes(…)/bytearray(…): empty, of bytes, or of latin1 text.
    static void simplifyBytes(PyValue &v)
    {
        const auto &a = v.items;
        QByteArray b;
        bool known = false;
        if (a.empty()) {
            known = true;
        } else if (a.size() == 1 && (a[0].type == T::Bytes || a[0].type == T::ByteArray)) {
            b = a[0].bytes;
            known = true;
        } else if (a.size() == 2 && a[0].type == T::Str && isLatin1Name(a[1])) {
            b = a[0].text.toLatin1();
            known = true;
        }
        // bytearray's protocol-2 reduction carries its __dict__ (usually None) as state.
        const bool stateless = v.attrs.empty()
            || (v.attrs.size() == 1 && v.attrs[0].first == QLatin1String("state") && v.attrs[0].second.type == T::None);
        if (!known || !stateless)
            return;
        const bool array = v.text == QLatin1String("builtins.bytearray");
        v = PyValue();
        v.type = array ? T::ByteArray : T::Bytes;
        v.bytes = b;
    }

    /// copyreg._reconstructor(cls, base, state): shown as the class being rebuilt.
    static void simplifyReconstructor(PyValue &v)
    {
        if (v.items.empty() || v.items[0].type != T::Raw)
            return;
        v.text = v.items[0].text;
        v.items.clear();
    }

    /// OrderedDict with SETITEMS: OrderedDict([(key, value), …]) as Python shows it.
    static void simplifyOrderedDict(PyValue &v)
    {
        if (!v.items.empty() || v.attrs.size() != 1 || v.attrs[0].first != QLatin1String("dict_items"))
            return;
        PyValue list;
        list.type = T::List;
        auto &kv = v.attrs[0].second.items;
        for (size_t i = 0; i + 1 < kv.size(); i += 2) {
            PyValue pair;
            pair.type = T::Tuple;
            pair.items.push_back(std::move(kv[i]));
            pair.items.push_back(std::move(kv[i + 1]));
            list.items.push_back(std::move(pair));
        }
        v.attrs.clear();
        v.items.push_back(std::move(list));
    }

    /// uuid.UUID with the state {'int': n}: UUID('xxxxxxxx-xxxx-…').
    static void simplifyUuid(PyValue &v)
    {
        if (!v.items.empty() || v.attrs.size() != 1 || v.attrs[0].first != QLatin1String("state"))
            return;
        const PyValue *n = v.attrs[0].second.dictValue(QStringLiteral("int"));
        if (!n || n->type != T::Int || n->text.startsWith(QLatin1Char('-')))
            return;
        unsigned __int128 x = 0;
        bool ok = n->text.size() <= 39;
        for (QChar c : n->text) {
            const unsigned __int128 next = x * 10 + unsigned(c.unicode() - u'0');
            ok = ok && next / 10 == x;
            x = next;
        }
        if (!ok)
            return;
        QString h;
        for (int i = 0; i < 32; ++i) {
            h.prepend(QLatin1Char("0123456789abcdef"[int(x & 15)]));
            x >>= 4;
        }
        h.insert(20, QLatin1Char('-'));
        h.insert(16, QLatin1Char('-'));
        h.insert(12, QLatin1Char('-'));
        h.insert(8, QLatin1Char('-'));
        v.attrs.clear();
        v.items.push_back(PyValue::ofText(T::Str, h));
    }

    /// datetime.timedelta(days=1, seconds=5) as Python 3.7+ shows it.
    static void simplifyTimedelta(PyValue &v)
    {
        const auto &a = v.items;
        if (!v.attrs.empty() || a.size() != 3 || a[0].type != T::Int || a[1].type != T::Int || a[2].type != T::Int)
            return;
        static const char *const names[] = {"days", "seconds", "microseconds"};
        std::vector<PyValue> args = std::move(v.items);
        v.items.clear();
        for (int i = 0; i < 3; ++i) {
            if (args[size_t(i)].text != QLatin1String("0"))
                v.attrs.emplace_back(QLatin1String(names[i]), std::move(args[size_t(i)]));
        }
        if (v.attrs.empty())
            v.items.push_back(intValue(0));
    }

    /// datetime.timezone(timedelta(0)): datetime.timezone.utc.
    static void simplifyTimezone(PyValue &v)
    {
        const auto &a = v.items;
        if (v.attrs.empty() && a.size() == 1 && a[0].type == T::Object
            && a[0].text == QLatin1String("datetime.timedelta") && a[0].attrs.empty() && a[0].items.size() == 1
            && a[0].items[0].text == QLatin1String("0"))
            v = PyValue::ofText(T::Raw, QStringLiteral("datetime.timezone.utc"));
    }

    /// datetime.datetime(2025, 1, 1, 10, 0[, 5[, 123]][, tzinfo=…]), date and time, from their
    /// state bytes.
    static void simplifyDateTime(PyValue &v)
    {
        const bool isDateTime = v.text == QLatin1String("datetime.datetime");
        const bool isDate = v.text == QLatin1String("datetime.date");
        const auto &a = v.items;
        if (!v.attrs.empty() || a.empty() || a.size() > 2 || a[0].type != T::Bytes)
            return;
        const QByteArray &b = a[0].bytes;
        if (b.size() != (isDateTime ? 10 : isDate ? 4 : 6) || (isDate && a.size() != 1))
            return;
        std::vector<PyValue> fields;
        if (isDate || isDateTime) {
            fields.push_back(intValue(stateByte(b, 0) * 256 + stateByte(b, 1)));
            fields.push_back(intValue(stateByte(b, 2) & 0x7f));
            fields.push_back(intValue(stateByte(b, 3)));
        }
        if (!isDate)
            appendTimeFields(fields, b, isDateTime ? 4 : 0);
        PyValue tz;
        const bool hasTz = a.size() == 2;
        if (hasTz)
            tz = std::move(v.items[1]);
        v.items = std::move(fields);
        if (hasTz)
            v.attrs.emplace_back(QStringLiteral("tzinfo"), std::move(tz));
    }
    static int stateByte(const QByteArray &b, int i) { return int(uchar(b[i])); }
    /// hour, minute[, second[, microsecond]] from the 6 state bytes at `at`.
    static void appendTimeFields(std::vector<PyValue> &fields, const QByteArray &b, int at)
    {
        const int hour = stateByte(b, at) & 0x7f, minute = stateByte(b, at + 1), second = stateByte(b, at + 2);
        const int micro = (stateByte(b, at + 3) << 16) | (stateByte(b, at + 4) << 8) | stateByte(b, at + 5);
        fields.push_back(intValue(hour));
        fields.push_back(intValue(minute));
        if (second || micro)
            fields.push_back(intValue(second));
        if (micro)
            fields.push_back(intValue(micro));
    }

    const uchar *m_p;
    qsizetype m_n;
    qsizetype m_pos = 0;
    qsizetype m_opStart = 0;
    Limits m_limits;
    int m_protocol = -1;
    QString m_firstClass;
    QString m_error;
    qsizetype m_errorPos = -1;

    std::vector<Node> m_nodes;
    QVector<int> m_stack;
    QVector<qsizetype> m_marks;
    QHash<quint64, int> m_memo;
    static constexpr int kNone = 0, kTrue = 1, kFalse = 2, kEllipsis = 3, kEllipsisValue = 4;
    static constexpr size_t kReserved = 5;
    bool m_hitEnd = false;

    std::vector<bool> m_onPath;
    int m_budget = 0;
    bool m_truncated = false;

public:
    void setBudget(int b) { m_budget = b; }
};

} // namespace

bool looksLikePickle(const QByteArray &data)
{
    return data.size() >= 2 && uchar(data[0]) == 0x80 && uchar(data[1]) >= 2 && uchar(data[1]) <= 5;
}

Result read(const QByteArray &data, const Limits &limits)
{
    if (data.size() > limits.maxInputBytes) {
        Result r;
        r.error = QStringLiteral("pickle of %1 bytes is larger than the %2-byte limit at offset 0")
                      .arg(data.size())
                      .arg(limits.maxInputBytes);
        r.errorOffset = 0;
        return r;
    }
    Machine m(data, limits);
    m.setBudget(limits.maxItems);
    return m.run();
}

} // namespace PickleReader
