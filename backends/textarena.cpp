#include "textarena.h"

#include <cstring>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

#include <QLatin1String>

namespace {

// A field is a varint header (characters << 2 | tag), then its bytes: Latin-1, or UTF-16
// code units at an even offset (one pad byte before them when needed), or for a reference
// one byte (earlier field << 1 | from its end). Records start at even offsets, so a record
// copied to another even offset keeps its padding right.
enum Tag : quint8 { NullTag = 0, Latin1Tag = 1, Utf16Tag = 2, RefTag = 3 };

constexpr quint32 blockSize = 1u << 20;
constexpr int maxFields = 16;
/// Shorter texts are stored even when an earlier field holds them: a reference costs 2 bytes.
constexpr qsizetype minRefChars = 4;

char *putVarint(char *p, quint64 v)
{
    while (v >= 0x80) {
        *p++ = char(quint8(v) | 0x80);
        v >>= 7;
    }
    *p++ = char(v);
    return p;
}

const char *getVarint(const char *p, quint64 *v)
{
    quint64 out = 0;
    int shift = 0;
    for (;;) {
        const quint8 b = quint8(*p++);
        out |= quint64(b & 0x7f) << shift;
        if (!(b & 0x80))
            break;
        shift += 7;
    }
    *v = out;
    return p;
}

/// Whether the needle occurs in the haystack. For the short haystacks of one record, a
/// library memmem() spends most of its time setting up; this compares the needle's first and
/// last bytes at 16 places at once and only then the rest (SSE2, in every x86-64).
bool containsBytes(const char *hay, size_t n, const char *needle, size_t m)
{
    if (m == 0)
        return true;
    if (m > n)
        return false;
    if (m == 1)
        return std::memchr(hay, needle[0], n) != nullptr;
    size_t i = 0;
#if defined(__SSE2__)
    const __m128i first = _mm_set1_epi8(needle[0]), last = _mm_set1_epi8(needle[m - 1]);
    for (; i + m - 1 + 16 <= n; i += 16) {
        const __m128i a = _mm_loadu_si128(reinterpret_cast<const __m128i *>(hay + i));
        const __m128i b = _mm_loadu_si128(reinterpret_cast<const __m128i *>(hay + i + m - 1));
        auto candidates = uint(_mm_movemask_epi8(_mm_and_si128(_mm_cmpeq_epi8(a, first), _mm_cmpeq_epi8(b, last))));
        while (candidates) {
            const int at = __builtin_ctz(candidates);
            if (std::memcmp(hay + i + size_t(at) + 1, needle + 1, m - 2) == 0)
                return true;
            candidates &= candidates - 1;
        }
    }
#endif
    for (; i + m <= n; ++i) {
        if (hay[i] == needle[0] && hay[i + m - 1] == needle[m - 1] && std::memcmp(hay + i + 1, needle + 1, m - 2) == 0)
            return true;
    }
    return false;
}

bool fitsLatin1(QStringView s)
{
    return QtPrivate::isLatin1(s); // Qt's vectorised test
}

/// Writes the Latin-1 text s (every code unit below 0x100) at out; returns its end.
char *putLatin1(char *out, QStringView s)
{
    const char16_t *in = s.utf16();
    const char16_t *const end = in + s.size();
#if defined(__SSE2__)
    for (; end - in >= 16; in += 16, out += 16) {
        const __m128i low = _mm_loadu_si128(reinterpret_cast<const __m128i *>(in));
        const __m128i high = _mm_loadu_si128(reinterpret_cast<const __m128i *>(in + 8));
        _mm_storeu_si128(reinterpret_cast<__m128i *>(out), _mm_packus_epi16(low, high));
    }
#endif
    while (in < end)
        *out++ = char(quint8(*in++));
    return out;
}

/// Reads the fields of the record at p up to and including field last; returns the end of
/// field last. Resolves references.
const char *readFields(const char *p, int last, TextRef *refs)
{
    for (int k = 0; k <= last; ++k) {
        quint64 header = 0;
        p = getVarint(p, &header);
        TextRef &r = refs[k];
        r.size = qsizetype(header >> 2);
        switch (header & 3) {
        case NullTag:
            r = TextRef();
            break;
        case Latin1Tag:
            r.kind = TextRef::Kind::Latin1;
            r.data = p;
            p += r.size;
            break;
        case Utf16Tag:
            if (reinterpret_cast<quintptr>(p) & 1)
                ++p;
            r.kind = TextRef::Kind::Utf16;
            r.data = p;
            p += 2 * r.size;
            break;
        default: {
            const quint8 ref = quint8(*p++);
            const TextRef &of = refs[ref >> 1];
            r.kind = of.kind;
            const qsizetype unit = of.kind == TextRef::Kind::Utf16 ? 2 : 1;
            r.data = (ref & 1) ? of.data + (of.size - r.size) * unit : of.data;
            break;
        }
        }
    }
    return p;
}

} // namespace

QString TextRef::toString() const
{
    switch (kind) {
    case Kind::Null: return QString();
    case Kind::Latin1: return size == 0 ? QString(QLatin1String("")) : QString::fromLatin1(data, size);
    case Kind::Utf16: break;
    }
    if (size == 0)
        return QString(QLatin1String(""));
    QString s(size, Qt::Uninitialized);
    std::memcpy(s.data(), data, size_t(size) * 2);
    return s;
}

int TextRef::compare(const TextRef &other) const
{
    const bool l1 = kind != Kind::Utf16, l2 = other.kind != Kind::Utf16;
    const QLatin1String a1(l1 ? data : nullptr, l1 ? size : 0), b1(l2 ? other.data : nullptr, l2 ? other.size : 0);
    const QStringView a2(l1 ? nullptr : reinterpret_cast<const char16_t *>(data), l1 ? 0 : size);
    const QStringView b2(l2 ? nullptr : reinterpret_cast<const char16_t *>(other.data), l2 ? 0 : other.size);
    if (l1 && l2)
        return QtPrivate::compareStrings(a1, b1);
    if (l1)
        return QtPrivate::compareStrings(a1, b2);
    if (l2)
        return QtPrivate::compareStrings(a2, b1);
    return QtPrivate::compareStrings(a2, b2);
}

bool TextRef::equals(QStringView text) const
{
    if (size != text.size())
        return false;
    if (kind == Kind::Utf16)
        return std::memcmp(data, text.utf16(), size_t(size) * 2) == 0;
    for (qsizetype i = 0; i < size; ++i) {
        if (text[i].unicode() != quint8(data[i]))
            return false;
    }
    return true;
}

bool TextRef::contains(QStringView text, const QByteArray &latin1) const
{
    if (text.isEmpty())
        return true;
    switch (kind) {
    case Kind::Null: return false;
    case Kind::Latin1:
        return !latin1.isEmpty() && containsBytes(data, size_t(size), latin1.constData(), size_t(latin1.size()));
    case Kind::Utf16: break;
    }
    return QStringView(reinterpret_cast<const char16_t *>(data), size).contains(text);
}

QByteArray TextArena::encode(const QString *fields, int count)
{
    Q_ASSERT(count <= maxFields);
    // What each field becomes: a reference to an earlier one, Latin-1 or UTF-16.
    quint8 tags[maxFields];
    quint8 refs[maxFields];
    qsizetype bound = 0;
    for (int k = 0; k < count; ++k) {
        const QString &f = fields[k];
        bound += 10;
        if (f.isNull()) {
            tags[k] = NullTag;
            continue;
        }
        tags[k] = fitsLatin1(f) ? Latin1Tag : Utf16Tag;
        if (f.size() >= minRefChars) {
            for (int j = 0; j < k; ++j) {
                if (tags[j] == NullTag || tags[j] == RefTag || fields[j].size() < f.size())
                    continue;
                const bool start = fields[j].startsWith(f), end = !start && fields[j].endsWith(f);
                if (start || end) {
                    tags[k] = RefTag;
                    refs[k] = quint8((j << 1) | (end ? 1 : 0));
                    break;
                }
            }
        }
        if (tags[k] == Latin1Tag)
            bound += f.size();
        else if (tags[k] == Utf16Tag)
            bound += 1 + 2 * f.size();
    }

    QByteArray record(bound, Qt::Uninitialized);
    char *const begin = record.data(); // even, as a record's place in a block
    char *p = begin;
    for (int k = 0; k < count; ++k) {
        const QString &f = fields[k];
        p = putVarint(p, (quint64(tags[k] == NullTag ? 0 : f.size()) << 2) | tags[k]);
        switch (tags[k]) {
        case NullTag: break;
        case Latin1Tag:
            p = putLatin1(p, f);
            break;
        case Utf16Tag:
            if ((p - begin) & 1)
                *p++ = 0;
            std::memcpy(p, f.constData(), size_t(f.size()) * 2); // constData(): utf16() may copy a literal
            p += 2 * f.size();
            break;
        default: *p++ = char(refs[k]); break;
        }
    }
    record.truncate(p - begin);
    return record;
}

void TextArena::decode(QByteArrayView record, int count, QString *fields)
{
    Q_ASSERT(count <= maxFields && (reinterpret_cast<quintptr>(record.data()) & 1) == 0);
    TextRef refs[maxFields];
    readFields(record.data(), count - 1, refs);
    for (int k = 0; k < count; ++k)
        fields[k] = refs[k].toString();
}

TextArena::Handle TextArena::append(QByteArrayView record)
{
    Handle handle = none;
    std::memcpy(reserve(record.size(), &handle), record.data(), size_t(record.size()));
    Block &b = m_blocks[size_t(handle >> 32)];
    b.used = quint32((handle & 0xffffffffu) + quint64(record.size()));
    m_bytes += record.size();
    return handle;
}

char *TextArena::reserve(qsizetype bytes, Handle *handle)
{
    // A large record gets a block of its own; small ones fill the current shared block.
    if (bytes > qsizetype(blockSize / 4)) {
        Block b;
        b.data.reset(new char[size_t(bytes)]);
        b.size = quint32(bytes);
        m_blocks.push_back(std::move(b));
        *handle = Handle(m_blocks.size() - 1) << 32;
        return m_blocks.back().data.get();
    }
    if (m_current >= m_blocks.size() || ((m_blocks[m_current].used + 1) & ~1u) + quint64(bytes) > blockSize) {
        Block b;
        b.data.reset(new char[blockSize]); // not zeroed: untouched pages stay out of RSS
        b.size = blockSize;
        m_blocks.push_back(std::move(b));
        m_current = m_blocks.size() - 1;
    }
    Block &b = m_blocks[m_current];
    b.used = (b.used + 1) & ~1u;
    *handle = (Handle(m_current) << 32) | b.used;
    return b.data.get() + b.used;
}

const char *TextArena::at(Handle record) const
{
    return m_blocks[size_t(record >> 32)].data.get() + (record & 0xffffffffu);
}

TextRef TextArena::field(Handle record, int k) const
{
    TextRef refs[maxFields];
    readFields(at(record), k, refs);
    return refs[k];
}

void TextArena::fields(Handle record, int last, TextRef *out) const
{
    readFields(at(record), last, out);
}

bool TextArena::mayContain(Handle record, int last, const QByteArray &latin1) const
{
    // Fields 0 to last lie end to end from the record's start, and a reference points into
    // an earlier one: every Latin-1 character of them is among these bytes. A UTF-16 field
    // is not searched this way. Only the headers are walked, not readFields(): resolving
    // every field into a TextRef made this 2.4× slower (59 against 24 ns a record), and it
    // is the inner loop of a search over every row.
    const char *const begin = at(record);
    const char *p = begin;
    bool utf16 = false;
    for (int k = 0; k <= last; ++k) {
        quint64 header = 0;
        p = getVarint(p, &header);
        const auto size = qsizetype(header >> 2);
        switch (header & 3) {
        case NullTag: break;
        case Latin1Tag: p += size; break;
        case Utf16Tag:
            if (reinterpret_cast<quintptr>(p) & 1)
                ++p;
            p += 2 * size;
            utf16 = true;
            break;
        default: ++p; break;
        }
    }
    if (utf16)
        return true;
    return !latin1.isEmpty() && containsBytes(begin, size_t(p - begin), latin1.constData(), size_t(latin1.size()));
}

qsizetype TextArena::recordBytes(Handle record, int count) const
{
    TextRef refs[maxFields];
    const char *begin = at(record);
    return readFields(begin, count - 1, refs) - begin;
}

void TextArena::release(Handle record, int count)
{
    if (record != none)
        m_garbage += recordBytes(record, count);
}

void TextArena::compact(std::vector<Handle> &handles, int count)
{
    TextArena fresh;
    for (Handle &h : handles) {
        if (h == none)
            continue;
        const qsizetype bytes = recordBytes(h, count);
        Handle moved = none;
        std::memcpy(fresh.reserve(bytes, &moved), at(h), size_t(bytes));
        Block &b = fresh.m_blocks[size_t(moved >> 32)];
        b.used = quint32((moved & 0xffffffffu) + quint64(bytes));
        fresh.m_bytes += bytes;
        h = moved;
    }
    *this = std::move(fresh);
}
