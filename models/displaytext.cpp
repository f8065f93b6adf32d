#include "displaytext.h"

#include <algorithm>

#include <locale.h>
#include <wchar.h>

#include <QStringView>
#include <QVector>
#include <QTextBoundaryFinder>

namespace {

bool isBidiControl(char32_t c)
{
    return c == 0x061C || c == 0x200E || c == 0x200F || (c >= 0x202A && c <= 0x202E) || (c >= 0x2066 && c <= 0x2069);
}

/// Whether c is shown escaped (see displaytext.h).
bool needsEscape(char32_t c)
{
    return c < 0x20 || (c >= 0x7F && c <= 0x9F) || c == 0x2028 || c == 0x2029 || isBidiControl(c);
}

void appendEscaped(QString &out, char32_t c)
{
    switch (c) {
    case U'\t': out += QLatin1String("\\t"); return;
    case U'\n': out += QLatin1String("\\n"); return;
    case U'\r': out += QLatin1String("\\r"); return;
    default: break;
    }
    if (c <= 0xFF)
        out += QStringLiteral("\\x%1").arg(uint(c), 2, 16, QLatin1Char('0'));
    else
        out += QStringLiteral("\\u%1").arg(uint(c), 4, 16, QLatin1Char('0'));
}

/// Escapes text; `backslashes`: double them too. Every character escaped is in the BMP, so
/// UTF-16 units are walked as they are (a surrogate pair never needs it).
QString escaped(const QString &text, bool backslashes)
{
    const auto needs = [backslashes](QChar c) { return needsEscape(c.unicode()) || (backslashes && c == u'\\'); };
    if (std::none_of(text.cbegin(), text.cend(), needs))
        return text;
    QString out;
    out.reserve(text.size() + 16);
    for (const QChar c : text) {
        if (backslashes && c == u'\\')
            out += QLatin1String("\\\\");
        else if (needsEscape(c.unicode()))
            appendEscaped(out, c.unicode());
        else
            out += c;
    }
    return out;
}

/// glibc's C.UTF-8 locale, whatever LC_CTYPE the process runs in (cron's is often "C",
/// where wcwidth() knows nothing beyond ASCII); null when the C library has none.
locale_t utf8Locale()
{
    static const locale_t locale = newlocale(LC_CTYPE_MASK, "C.UTF-8", locale_t(nullptr));
    return locale;
}

/// The wide ranges of Unicode's East Asian Width (W and F), for a C library without C.UTF-8.
bool isWideFallback(char32_t c)
{
    return (c >= 0x1100 && c <= 0x115F) || (c >= 0x2E80 && c <= 0x303E) || (c >= 0x3041 && c <= 0x33FF)
        || (c >= 0x3400 && c <= 0x4DBF) || (c >= 0x4E00 && c <= 0x9FFF) || (c >= 0xA000 && c <= 0xA4CF)
        || (c >= 0xAC00 && c <= 0xD7A3) || (c >= 0xF900 && c <= 0xFAFF) || (c >= 0xFE30 && c <= 0xFE4F)
        || (c >= 0xFF00 && c <= 0xFF60) || (c >= 0xFFE0 && c <= 0xFFE6) || (c >= 0x1F300 && c <= 0x1F64F)
        || (c >= 0x1F900 && c <= 0x1F9FF) || (c >= 0x20000 && c <= 0x3FFFD);
}

int codePointWidth(char32_t c, locale_t locale)
{
    if (locale) {
        const int w = ::wcwidth(wchar_t(c));
        return std::max(w, 0);
    }
    const QChar::Category category = QChar::category(c);
    if (category == QChar::Mark_NonSpacing || category == QChar::Mark_Enclosing || category == QChar::Other_Format)
        return 0;
    return isWideFallback(c) ? 2 : 1;
}

/// The columns one grapheme cluster takes.
int clusterWidth(QStringView cluster, locale_t locale)
{
    int width = 0;
    int regionalIndicators = 0;
    for (const uint c : cluster.toUcs4()) {
        if (c == 0xFE0F) // emoji presentation: terminals draw the cluster 2 wide
            width = std::max(width, 2);
        if (c >= 0x1F1E6 && c <= 0x1F1FF)
            ++regionalIndicators;
        width = std::max(width, codePointWidth(c, locale));
    }
    return regionalIndicators >= 2 ? 2 : width;
}

/// Runs f(cluster, columns) for each grapheme cluster of text, in order, until f returns false.
template<typename F>
void forEachCluster(const QString &text, F f)
{
    const locale_t locale = utf8Locale();
    const locale_t previous = locale ? uselocale(locale) : locale_t(nullptr);
    QTextBoundaryFinder finder(QTextBoundaryFinder::Grapheme, text);
    qsizetype start = 0;
    while (start < text.size()) {
        qsizetype end = finder.toNextBoundary();
        if (end < 0 || end <= start)
            end = text.size();
        const QStringView cluster = QStringView(text).mid(start, end - start);
        if (!f(cluster, clusterWidth(cluster, locale)))
            break;
        start = end;
    }
    if (locale)
        uselocale(previous);
}

bool isAscii(const QString &text)
{
    return std::all_of(text.cbegin(), text.cend(), [](QChar c) { return c.unicode() >= 0x20 && c.unicode() < 0x7F; });
}

} // namespace

namespace DisplayText {

QString value(const QString &text, int maxColumns)
{
    const QString shown = escaped(text, true);
    return maxColumns > 0 ? elided(shown, maxColumns) : shown;
}

QString sentence(const QString &text)
{
    QString line = text;
    line.replace(u'\n', u' ');
    line.replace(u'\r', u' ');
    return escaped(line.trimmed(), false);
}

int width(const QString &text)
{
    if (isAscii(text))
        return int(text.size());
    int total = 0;
    forEachCluster(text, [&total](QStringView, int columns) {
        total += columns;
        return true;
    });
    return total;
}

QString elided(const QString &text, int columns, Qt::TextElideMode mode)
{
    if (columns <= 0 || width(text) <= columns)
        return text;
    const QString ellipsis = QStringLiteral("…");
    if (columns == 1)
        return ellipsis;
    // The clusters that fit in columns - 1, from the end that stays.
    QVector<QStringView> clusters;
    QVector<int> widths;
    forEachCluster(text, [&](QStringView cluster, int w) {
        clusters.append(cluster);
        widths.append(w);
        return true;
    });
    int room = columns - 1;
    QString kept;
    if (mode == Qt::ElideLeft) {
        qsizetype i = clusters.size();
        while (i > 0 && widths.at(i - 1) <= room)
            room -= widths.at(--i);
        for (qsizetype j = i; j < clusters.size(); ++j)
            kept += clusters.at(j);
        return ellipsis + kept;
    }
    for (qsizetype i = 0; i < clusters.size() && widths.at(i) <= room; ++i) {
        room -= widths.at(i);
        kept += clusters.at(i);
    }
    return kept + ellipsis;
}

QString padded(const QString &text, int columns)
{
    const int w = width(text);
    return w >= columns ? text : text + QString(columns - w, u' ');
}

} // namespace DisplayText
