#include "sqlitesearch.h"

#include <cstring>

#include <sqlite3.h>

#include "taskquery.h"
#include "valuedecoder.h"

namespace {

/// The search term, folded once per statement and kept by SQLite as auxiliary data.
struct Needle
{
    explicit Needle(const QString &term)
        : folded(term.toCaseFolded())
    {
        ascii = true;
        for (QChar c : folded) {
            if (c.unicode() >= 0x80) {
                ascii = false;
                break;
            }
        }
        if (ascii) {
            asciiLower = folded.toLatin1();
            foldTargets = asciiLower.contains('k') || asciiLower.contains('s');
        }
    }

    QString folded;
    QByteArray asciiLower; ///< folded term as bytes, when it is all ASCII
    /// The ASCII term has k or s, which KELVIN SIGN and LONG S fold to.
    bool foldTargets = false;
    bool ascii = true;
};

inline unsigned char asciiLower(unsigned char c)
{
    return (c >= 'A' && c <= 'Z') ? static_cast<unsigned char>(c + 32) : c;
}

/// Case-insensitive ASCII substring search over raw bytes; `needle` is already lower case.
/// No allocation: this is the path almost every row of a real table takes.
bool asciiContains(const unsigned char *hay, qsizetype hayLen, const QByteArray &needle)
{
    const qsizetype n = needle.size();
    if (n == 0)
        return true;
    if (hayLen < n)
        return false;
    const auto *nd = reinterpret_cast<const unsigned char *>(needle.constData());
    const unsigned char first = nd[0];
    const bool letter = first >= 'a' && first <= 'z';
    const unsigned char *end = hay + (hayLen - n) + 1; // one past the last possible start
    for (const unsigned char *p = hay; p < end; ++p) {
        if (letter) {
            // (b | 0x20) equals a lower-case letter exactly for that letter in either case.
            while (p < end && (*p | 0x20) != first)
                ++p;
        } else {
            p = static_cast<const unsigned char *>(std::memchr(p, first, size_t(end - p)));
        }
        if (!p || p >= end)
            return false;
        qsizetype j = 1;
        while (j < n && asciiLower(p[j]) == nd[j])
            ++j;
        if (j == n)
            return true;
    }
    return false;
}

/// Whether `lead` followed by `tail` occurs in the bytes (memchr does the scanning).
bool containsSequence(const unsigned char *hay, qsizetype hayLen, unsigned char lead, const char *tail,
                      qsizetype tailLen)
{
    const unsigned char *end = hay + hayLen;
    const unsigned char *p = hay;
    while (p < end) {
        p = static_cast<const unsigned char *>(std::memchr(p, lead, size_t(end - p)));
        if (!p)
            return false;
        if (end - (p + 1) >= tailLen && std::memcmp(p + 1, tail, size_t(tailLen)) == 0)
            return true;
        ++p;
    }
    return false;
}

/// Characters outside ASCII whose simple case folding is ASCII: KELVIN SIGN -> k and
/// LATIN SMALL LETTER LONG S -> s. Only they can make an ASCII term match non-ASCII bytes.
bool mayFoldToAscii(const unsigned char *hay, qsizetype hayLen)
{
    return containsSequence(hay, hayLen, 0xE2, "\x84\xAA", 2) || containsSequence(hay, hayLen, 0xC5, "\xBF", 1);
}

bool hasNonAscii(const unsigned char *hay, qsizetype hayLen)
{
    unsigned char all = 0;
    for (qsizetype i = 0; i < hayLen; ++i) // branch-free, so the compiler can vectorise it
        all |= hay[i];
    return all & 0x80;
}

int hexValue(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

int hex4(const char *p, const char *end)
{
    if (end - p < 4)
        return -1;
    int v = 0;
    for (int i = 0; i < 4; ++i) {
        const int h = hexValue(p[i]);
        if (h < 0)
            return -1;
        v = v * 16 + h;
    }
    return v;
}

bool matchBytes(const unsigned char *hay, qsizetype hayLen, const Needle &needle, bool decodeJson)
{
    auto foldedContains = [&](const QString &text) { return text.toCaseFolded().contains(needle.folded); };
    if (needle.ascii) {
        if (asciiContains(hay, hayLen, needle.asciiLower))
            return true;
        if (needle.foldTargets && mayFoldToAscii(hay, hayLen)
            && foldedContains(QString::fromUtf8(reinterpret_cast<const char *>(hay), hayLen))) {
            return true;
        }
    } else if (hasNonAscii(hay, hayLen)) {
        // A non-ASCII folded term can only occur in text that has non-ASCII characters.
        if (foldedContains(QString::fromUtf8(reinterpret_cast<const char *>(hay), hayLen)))
            return true;
    }
    // The decoded form differs from the stored one only where there are escapes.
    if (decodeJson && std::memchr(hay, '\\', size_t(hayLen))
        && foldedContains(SqliteSearch::unescapeJson(reinterpret_cast<const char *>(hay), hayLen))) {
        return true;
    }
    return false;
}

void deleteNeedle(void *p)
{
    delete static_cast<Needle *>(p);
}

void icontains(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
    if (argc != 2 || sqlite3_value_type(argv[0]) == SQLITE_NULL || sqlite3_value_type(argv[1]) == SQLITE_NULL) {
        sqlite3_result_int(ctx, 0);
        return;
    }
    const bool decodeJson = sqlite3_user_data(ctx) != nullptr;

    auto *needle = static_cast<Needle *>(sqlite3_get_auxdata(ctx, 1));
    if (!needle) {
        const auto *term = reinterpret_cast<const char *>(sqlite3_value_text(argv[1]));
        const int termLen = sqlite3_value_bytes(argv[1]);
        sqlite3_set_auxdata(ctx, 1, new Needle(QString::fromUtf8(term, termLen)), deleteNeedle);
        needle = static_cast<Needle *>(sqlite3_get_auxdata(ctx, 1));
        if (!needle) { // SQLite dropped it (out of memory): it has already been deleted
            sqlite3_result_error_nomem(ctx);
            return;
        }
    }

    // Text for text values; for BLOBs (celery_taskmeta's JSON bytes) the bytes themselves.
    const unsigned char *hay = sqlite3_value_text(argv[0]);
    const int hayLen = sqlite3_value_bytes(argv[0]);
    if (!hay) {
        sqlite3_result_error_nomem(ctx);
        return;
    }
    sqlite3_result_int(ctx, matchBytes(hay, hayLen, *needle, decodeJson) ? 1 : 0);
}

void tally(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
    const bool hit = argc == 1 && sqlite3_value_type(argv[0]) != SQLITE_NULL && sqlite3_value_int(argv[0]) != 0;
    if (hit)
        static_cast<std::atomic<qint64> *>(sqlite3_user_data(ctx))->fetch_add(1, std::memory_order_relaxed);
    sqlite3_result_int(ctx, hit ? 1 : 0);
}

/// A value as a QString: null for NULL, else its text as UTF-8.
QString textArgument(sqlite3_value *value)
{
    if (sqlite3_value_type(value) == SQLITE_NULL)
        return QString();
    const auto *text = reinterpret_cast<const char *>(sqlite3_value_text(value));
    return QString::fromUtf8(text, sqlite3_value_bytes(value));
}

void deleteFilter(void *p)
{
    delete static_cast<ExceptionFilter *>(p);
}

/// stalk_exception_is(result, content_type, content_encoding, traceback, filter): whether
/// ExceptionFilter::matches() the exception of the row, read as SqlStore::readRow() hands it
/// to ValueDecoder::exceptionOf(); `filter` is ExceptionFilter::key(). With user data
/// (celery_taskmeta's pickled column), the result's bytes are the pickle itself.
void exceptionIs(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
    if (argc != 5 || sqlite3_value_type(argv[4]) == SQLITE_NULL) {
        sqlite3_result_int(ctx, 0);
        return;
    }
    auto *filter = static_cast<ExceptionFilter *>(sqlite3_get_auxdata(ctx, 4));
    if (!filter) {
        sqlite3_set_auxdata(ctx, 4, new ExceptionFilter(ExceptionFilter::fromKey(textArgument(argv[4]))),
                            deleteFilter);
        filter = static_cast<ExceptionFilter *>(sqlite3_get_auxdata(ctx, 4));
        if (!filter) {
            sqlite3_result_error_nomem(ctx);
            return;
        }
    }
    const bool rawPickle = sqlite3_user_data(ctx) != nullptr;
    QString result, contentType, contentEncoding;
    if (rawPickle) {
        if (sqlite3_value_type(argv[0]) != SQLITE_NULL) {
            const auto *bytes = static_cast<const char *>(sqlite3_value_blob(argv[0]));
            result = QString::fromLatin1(QByteArray(bytes, sqlite3_value_bytes(argv[0])).toBase64());
        }
        contentType = QStringLiteral("application/x-python-pickle");
        contentEncoding = QStringLiteral("binary");
    } else {
        result = textArgument(argv[0]);
        contentType = textArgument(argv[1]);
        contentEncoding = textArgument(argv[2]);
    }
    const ValueDecoder::ExceptionInfo e = ValueDecoder::exceptionOf(result, contentType, contentEncoding,
                                                                   textArgument(argv[3]));
    sqlite3_result_int(ctx, filter->matches(e) ? 1 : 0);
}

} // namespace

namespace SqliteSearch {

int registerFunctions(sqlite3 *db, std::atomic<qint64> *tallyCounter)
{
    const int flags = SQLITE_UTF8 | SQLITE_DETERMINISTIC;
    int rc = sqlite3_create_function_v2(db, "stalk_icontains", 2, flags, nullptr, icontains, nullptr,
                                        nullptr, nullptr);
    if (rc != SQLITE_OK)
        return rc;
    // Any non-null user data selects the JSON-decoding variant.
    static char decodeTag = 1;
    rc = sqlite3_create_function_v2(db, "stalk_icontains_json", 2, flags, &decodeTag, icontains, nullptr, nullptr,
                                    nullptr);
    if (rc != SQLITE_OK)
        return rc;
    rc = sqlite3_create_function_v2(db, "stalk_exception_is", 5, flags, nullptr, exceptionIs, nullptr, nullptr,
                                    nullptr);
    if (rc != SQLITE_OK)
        return rc;
    static char pickleTag = 1;
    rc = sqlite3_create_function_v2(db, "stalk_pickle_exception_is", 5, flags, &pickleTag, exceptionIs, nullptr,
                                    nullptr, nullptr);
    if (rc != SQLITE_OK)
        return rc;
    // Not deterministic: it counts each call, so SQLite must not fold calls together.
    return sqlite3_create_function_v2(db, "stalk_tally", 1, SQLITE_UTF8, tallyCounter, tally, nullptr, nullptr,
                                      nullptr);
}

bool matches(const QByteArray &utf8, const QString &term, bool decodeJson)
{
    if (utf8.isNull())
        return false;
    const Needle needle(term);
    return matchBytes(reinterpret_cast<const unsigned char *>(utf8.constData()), utf8.size(), needle,
                      decodeJson);
}

QString unescapeJson(const char *utf8, qsizetype size)
{
    QString out;
    out.reserve(size);
    const char *p = utf8;
    const char *end = utf8 + size;
    const char *plainStart = p;
    auto flushPlain = [&](const char *upTo) {
        if (upTo > plainStart)
            out.append(QString::fromUtf8(plainStart, upTo - plainStart));
    };
    while (p < end) {
        if (*p != '\\' || p + 1 >= end) {
            ++p;
            continue;
        }
        const char esc = p[1];
        QChar single;
        switch (esc) {
        case '"': single = u'"'; break;
        case '\\': single = u'\\'; break;
        case '/': single = u'/'; break;
        case 'b': single = QChar(0x08); break;
        case 'f': single = QChar(0x0c); break;
        case 'n': single = u'\n'; break;
        case 'r': single = u'\r'; break;
        case 't': single = u'\t'; break;
        default: break;
        }
        if (esc == 'u') {
            int code = hex4(p + 2, end);
            if (code < 0) {
                p += 2; // not an escape: keep "\u" as it is
                continue;
            }
            flushPlain(p);
            const char *next = p + 6;
            if (code >= 0xD800 && code <= 0xDBFF && end - next >= 6 && next[0] == '\\' && next[1] == 'u') {
                const int low = hex4(next + 2, end);
                if (low >= 0xDC00 && low <= 0xDFFF) {
                    out.append(QChar(char16_t(code)));
                    out.append(QChar(char16_t(low)));
                    p = next + 6;
                    plainStart = p;
                    continue;
                }
            }
            out.append(QChar(char16_t(code)));
            p = next;
            plainStart = p;
            continue;
        }
        if (single.isNull() && esc != 'b' && esc != 'f') {
            p += 2; // unknown escape: keep both characters
            continue;
        }
        flushPlain(p);
        out.append(single);
        p += 2;
        plainStart = p;
    }
    flushPlain(end);
    return out;
}

} // namespace SqliteSearch
