#pragma once

#include <cstring>

#include <QByteArray>
#include <QtEndian>
#include <QtGlobal>

/// A validating single-pass JSON reader over UTF-8 bytes, for the CouchDB loader's hot
/// paths (CouchPage, CouchDocument's index decoding). It is stricter than Qt's parser:
/// every method returns false on anything it is not sure about (invalid or truncated JSON,
/// raw control characters, lone surrogate escapes, deep nesting), and the callers then fall
/// back to Qt's parser, so what it accepts Qt accepts and decodes the same way.
/// Plain value type over borrowed bytes (they must outlive it); any thread.
class CouchJsonReader final
{
public:
    CouchJsonReader(const char *begin, const char *end) : m_p(begin), m_end(end) { }

    /// The cursor (after skipSpace(): the start of the next token).
    const char *pos() const { return m_p; }

    bool atEnd()
    {
        skipSpace();
        return m_p == m_end;
    }
    void skipSpace()
    {
        while (m_p < m_end && (*m_p == ' ' || *m_p == '\n' || *m_p == '\r' || *m_p == '\t'))
            ++m_p;
    }
    char peek()
    {
        skipSpace();
        return m_p < m_end ? *m_p : '\0';
    }
    bool take(char c)
    {
        skipSpace();
        if (m_p < m_end && *m_p == c) {
            ++m_p;
            return true;
        }
        return false;
    }

    /// A string at the cursor (after spaces), decoded to UTF-8 into *out (may be null).
    bool string(QByteArray *out)
    {
        if (!take('"'))
            return false;
        if (!out)
            return skipStringBody();
        // First find the closing quote (one not preceded by an odd run of backslashes): the
        // decoded text is never longer than the raw one, so one allocation holds it.
        const char *end = m_p;
        for (;;) {
            end = static_cast<const char *>(std::memchr(end, '"', size_t(m_end - end)));
            if (!end)
                return false; // truncated
            const char *b = end;
            while (b > m_p && b[-1] == '\\')
                --b;
            if (((end - b) & 1) == 0)
                break;
            ++end;
        }
        char *w = nullptr;
        if (out) {
            out->resize(end - m_p);
            w = out->data();
        }
        char *const w0 = w;
        while (m_p < end) {
            // Copy the plain run (printable ASCII, no escape) in one go.
            const char *run = plainRun(m_p, end);
            if (run > m_p) {
                std::memcpy(w, m_p, size_t(run - m_p));
                w += run - m_p;
                m_p = run;
                if (m_p >= end)
                    break;
            }
            const auto c = uchar(*m_p);
            if (c < 0x20)
                return false; // raw control characters: leave them to Qt
            if (c >= 0x80) {
                const char *seq = m_p;
                if (!utf8Sequence(end))
                    return false;
                if (w) {
                    while (seq < m_p)
                        *w++ = *seq++;
                }
                continue;
            }
            // An escape (its character is before `end`: a backslash never ends the scan).
            ++m_p;
            char plain = 0;
            switch (*m_p) {
            case '"': plain = '"'; break;
            case '\\': plain = '\\'; break;
            case '/': plain = '/'; break;
            case 'b': plain = '\b'; break;
            case 'f': plain = '\f'; break;
            case 'n': plain = '\n'; break;
            case 'r': plain = '\r'; break;
            case 't': plain = '\t'; break;
            case 'u': {
                ++m_p;
                uint u = 0;
                if (!unicodeEscape(end, &u))
                    return false;
                if (w)
                    w = writeUtf8(w, u);
                continue;
            }
            default:
                return false;
            }
            ++m_p;
            if (w)
                *w++ = plain;
        }
        ++m_p; // the closing quote
        if (out)
            out->truncate(w - w0); // "" stays an empty, not a null, text
        return true;
    }

    /// The end of the run of plain string bytes (0x20–0x7f except '"' and '\\') from p,
    /// eight bytes at a time.
    static const char *plainRun(const char *p, const char *end)
    {
        constexpr quint64 ones = 0x0101010101010101ULL;
        constexpr quint64 highs = 0x8080808080808080ULL;
        auto hasZero = [](quint64 x) { return (x - ones) & ~x & highs; };
        while (end - p >= 8) {
            const quint64 v = qFromLittleEndian<quint64>(p); // byte k in bits 8k..8k+7
            const quint64 special = (v & highs)                 // >= 0x80
                | ((v - 0x20 * ones) & ~v & highs)              // < 0x20
                | hasZero(v ^ (0x22 * ones))                    // '"'
                | hasZero(v ^ (0x5c * ones));                   // '\\'
            if (special) // the lowest flag is exact (borrows only reach bytes above it)
                return p + qCountTrailingZeroBits(special) / 8;
            p += 8;
        }
        while (p < end) {
            const auto c = uchar(*p);
            if (c < 0x20 || c >= 0x80 || c == '"' || c == '\\')
                break;
            ++p;
        }
        return p;
    }

    /// The rest of a string after its opening quote, validated, nothing decoded.
    bool skipStringBody()
    {
        while (m_p < m_end) {
            m_p = plainRun(m_p, m_end);
            if (m_p >= m_end)
                break;
            const auto c = uchar(*m_p);
            if (c == '"') {
                ++m_p;
                return true;
            }
            if (c == '\\') {
                if (++m_p >= m_end)
                    return false;
                switch (*m_p) {
                case '"': case '\\': case '/': case 'b': case 'f': case 'n': case 'r': case 't':
                    ++m_p;
                    continue;
                case 'u': {
                    ++m_p;
                    uint u = 0;
                    if (!unicodeEscape(m_end, &u))
                        return false;
                    continue;
                }
                default:
                    return false;
                }
            }
            if (c < 0x20)
                return false;
            if (c >= 0x80) {
                if (!utf8Sequence(m_end))
                    return false;
                continue;
            }
            ++m_p;
        }
        return false;
    }

    /// A string at the cursor as a view: of the raw bytes when it has no escapes, else of
    /// its decoded text in scratch (valid until scratch changes).
    bool stringView(const char **begin, const char **end, QByteArray &scratch)
    {
        skipSpace();
        const char *const open = m_p;
        if (!take('"'))
            return false;
        const char *const from = m_p;
        if (!skipStringBody())
            return false;
        if (!std::memchr(from, '\\', size_t(m_p - 1 - from))) {
            *begin = from;
            *end = m_p - 1;
            return true;
        }
        m_p = open; // decode it after all
        if (!string(&scratch))
            return false;
        *begin = scratch.constData();
        *end = scratch.constData() + scratch.size();
        return true;
    }

    /// Skips (and validates) any value at the cursor.
    bool skipValue(int depth = 0)
    {
        if (depth > 512)
            return false;
        switch (peek()) {
        case '"':
            return string(nullptr);
        case '{':
            ++m_p;
            if (take('}'))
                return true;
            do {
                if (!string(nullptr) || !take(':') || !skipValue(depth + 1))
                    return false;
            } while (take(','));
            return take('}');
        case '[':
            ++m_p;
            if (take(']'))
                return true;
            do {
                if (!skipValue(depth + 1))
                    return false;
            } while (take(','));
            return take(']');
        case 't':
            return literal("true");
        case 'f':
            return literal("false");
        case 'n':
            return literal("null");
        default:
            return number();
        }
    }

private:
    bool literal(const char *word)
    {
        const qsizetype n = qsizetype(qstrlen(word));
        if (m_end - m_p < n || qstrncmp(m_p, word, size_t(n)) != 0)
            return false;
        m_p += n;
        return true;
    }
    static bool digit(char c) { return c >= '0' && c <= '9'; }
    bool number()
    {
        // -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?
        // Qt refuses numbers beyond a double's range (1e400, 1e-400: "illegal number"); those
        // that might be are left to it: more than 100 digits, or an exponent of 100 or more.
        if (m_p < m_end && *m_p == '-')
            ++m_p;
        if (m_p >= m_end || !digit(*m_p))
            return false;
        const char *const mantissa = m_p;
        if (*m_p == '0') {
            ++m_p;
        } else {
            while (m_p < m_end && digit(*m_p))
                ++m_p;
        }
        if (m_p < m_end && *m_p == '.') {
            ++m_p;
            if (m_p >= m_end || !digit(*m_p))
                return false;
            while (m_p < m_end && digit(*m_p))
                ++m_p;
        }
        if (m_p - mantissa > 100)
            return false;
        if (m_p < m_end && (*m_p == 'e' || *m_p == 'E')) {
            ++m_p;
            if (m_p < m_end && (*m_p == '+' || *m_p == '-'))
                ++m_p;
            if (m_p >= m_end || !digit(*m_p))
                return false;
            while (m_p < m_end && *m_p == '0')
                ++m_p;
            const char *const exponent = m_p;
            while (m_p < m_end && digit(*m_p))
                ++m_p;
            if (m_p - exponent > 2)
                return false;
        }
        // A number ends at a delimiter, never in letters or digits ("1x", "01").
        return m_p >= m_end || *m_p == ',' || *m_p == ']' || *m_p == '}' || *m_p == ' ' || *m_p == '\n'
            || *m_p == '\r' || *m_p == '\t';
    }
    bool hex4(const char *end, uint *out)
    {
        if (end - m_p < 4)
            return false;
        uint v = 0;
        for (int k = 0; k < 4; ++k) {
            const char c = m_p[k];
            v <<= 4;
            if (c >= '0' && c <= '9')
                v |= uint(c - '0');
            else if (c >= 'a' && c <= 'f')
                v |= uint(c - 'a' + 10);
            else if (c >= 'A' && c <= 'F')
                v |= uint(c - 'A' + 10);
            else
                return false;
        }
        m_p += 4;
        *out = v;
        return true;
    }
    /// The code point of a Unicode escape whose backslash-u is already read (a surrogate pair
    /// gives one code point); false for bad hex digits and for lone surrogates (Qt's business).
    bool unicodeEscape(const char *end, uint *out)
    {
        uint u = 0;
        if (!hex4(end, &u))
            return false;
        if (u >= 0xd800 && u < 0xdc00) {
            uint low = 0;
            if (end - m_p < 2 || m_p[0] != '\\' || m_p[1] != 'u')
                return false; // a lone high surrogate
            m_p += 2;
            if (!hex4(end, &low) || low < 0xdc00 || low >= 0xe000)
                return false;
            u = 0x10000 + ((u - 0xd800) << 10) + (low - 0xdc00);
        } else if (u >= 0xdc00 && u < 0xe000) {
            return false; // a lone low surrogate
        }
        *out = u;
        return true;
    }
    /// One well-formed UTF-8 sequence of 2–4 bytes (no overlongs, surrogates or > U+10FFFF).
    bool utf8Sequence(const char *end)
    {
        const auto b0 = uchar(m_p[0]);
        int n = 0;
        uint min = 0, cp = 0;
        if (b0 >= 0xc2 && b0 <= 0xdf) {
            n = 2; min = 0x80; cp = b0 & 0x1f;
        } else if (b0 >= 0xe0 && b0 <= 0xef) {
            n = 3; min = 0x800; cp = b0 & 0x0f;
        } else if (b0 >= 0xf0 && b0 <= 0xf4) {
            n = 4; min = 0x10000; cp = b0 & 0x07;
        } else {
            return false;
        }
        if (end - m_p < n)
            return false;
        for (int k = 1; k < n; ++k) {
            const auto b = uchar(m_p[k]);
            if ((b & 0xc0) != 0x80)
                return false;
            cp = (cp << 6) | (b & 0x3f);
        }
        if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp < 0xe000))
            return false;
        m_p += n;
        return true;
    }
    static char *writeUtf8(char *w, uint u)
    {
        if (u < 0x80) {
            *w++ = char(u);
        } else if (u < 0x800) {
            *w++ = char(0xc0 | (u >> 6));
            *w++ = char(0x80 | (u & 0x3f));
        } else if (u < 0x10000) {
            *w++ = char(0xe0 | (u >> 12));
            *w++ = char(0x80 | ((u >> 6) & 0x3f));
            *w++ = char(0x80 | (u & 0x3f));
        } else {
            *w++ = char(0xf0 | (u >> 18));
            *w++ = char(0x80 | ((u >> 12) & 0x3f));
            *w++ = char(0x80 | ((u >> 6) & 0x3f));
            *w++ = char(0x80 | (u & 0x3f));
        }
        return w;
    }

    const char *m_p;
    const char *m_end;
};

