#include "jsonhighlighter.h"

#include <QColor>
#include <QFont>
#include <QTextDocument>

namespace {

bool isIdentChar(QChar c)
{
    return c.isLetterOrNumber() || c == QLatin1Char('_');
}

/// Index just past the string literal that starts at start (quote char at text[start]).
int stringEnd(const QString &text, int start)
{
    const QChar quote = text.at(start);
    int i = start + 1;
    while (i < text.size()) {
        const QChar c = text.at(i);
        if (c == QLatin1Char('\\')) {
            i += 2;
            continue;
        }
        ++i;
        if (c == quote)
            return i;
    }
    return int(text.size()); // unterminated (a cut preview): colour to the end of the line
}

int numberEnd(const QString &text, int start)
{
    int i = start;
    if (i < text.size() && (text.at(i) == QLatin1Char('-') || text.at(i) == QLatin1Char('+')))
        ++i;
    while (i < text.size()) {
        const QChar c = text.at(i);
        if (c.isDigit() || c == QLatin1Char('.') || c == QLatin1Char('_'))
            ++i;
        else if ((c == QLatin1Char('e') || c == QLatin1Char('E')) && i + 1 < text.size()) {
            ++i;
            if (text.at(i) == QLatin1Char('-') || text.at(i) == QLatin1Char('+'))
                ++i;
        } else
            break;
    }
    return i;
}

} // namespace

JsonHighlighter::JsonHighlighter(QTextDocument *document) : QSyntaxHighlighter(document) { }

void JsonHighlighter::setDark(bool dark)
{
    if (dark == m_dark)
        return;
    m_dark = dark;
    rehighlight();
}

QTextCharFormat JsonHighlighter::format(Token token) const
{
    // Pairs chosen for contrast on white and on a #1e1e1e-ish base (the familiar editor
    // light/dark sets), so neither theme gets unreadable text.
    QTextCharFormat f;
    switch (token) {
    case Token::Key:
        f.setForeground(m_dark ? QColor(0x9c, 0xdc, 0xfe) : QColor(0x04, 0x51, 0xa5));
        break;
    case Token::String:
        f.setForeground(m_dark ? QColor(0xce, 0x91, 0x78) : QColor(0xa3, 0x15, 0x15));
        break;
    case Token::Number:
        f.setForeground(m_dark ? QColor(0xb5, 0xce, 0xa8) : QColor(0x09, 0x86, 0x58));
        break;
    case Token::Literal:
        f.setForeground(m_dark ? QColor(0x56, 0x9c, 0xd6) : QColor(0x00, 0x00, 0xc0));
        f.setFontWeight(QFont::DemiBold);
        break;
    case Token::Punctuation:
        f.setForeground(m_dark ? QColor(0xa0, 0xa0, 0xa0) : QColor(0x70, 0x70, 0x70));
        break;
    }
    return f;
}

void JsonHighlighter::highlightBlock(const QString &text)
{
    static const QStringList literals = {
        QStringLiteral("true"), QStringLiteral("false"), QStringLiteral("null"),
        QStringLiteral("True"), QStringLiteral("False"), QStringLiteral("None"),
    };
    const QTextCharFormat keyFormat = format(Token::Key);
    const QTextCharFormat stringFormat = format(Token::String);
    const QTextCharFormat numberFormat = format(Token::Number);
    const QTextCharFormat literalFormat = format(Token::Literal);
    const QTextCharFormat punctFormat = format(Token::Punctuation);

    int i = 0;
    const int n = int(text.size());
    while (i < n) {
        const QChar c = text.at(i);
        if (c == QLatin1Char('"') || c == QLatin1Char('\'')) {
            const int end = stringEnd(text, i);
            int j = end;
            while (j < n && text.at(j).isSpace())
                ++j;
            const bool isKey = j < n && text.at(j) == QLatin1Char(':');
            setFormat(i, end - i, isKey ? keyFormat : stringFormat);
            i = end;
        } else if (c.isDigit()
                   || ((c == QLatin1Char('-')) && i + 1 < n && text.at(i + 1).isDigit())) {
            if (i > 0 && isIdentChar(text.at(i - 1))) { // part of an identifier
                ++i;
                continue;
            }
            const int end = numberEnd(text, i);
            setFormat(i, end - i, numberFormat);
            i = end;
        } else if (c.isLetter() || c == QLatin1Char('_')) {
            int end = i;
            while (end < n && isIdentChar(text.at(end)))
                ++end;
            if (literals.contains(text.mid(i, end - i)))
                setFormat(i, end - i, literalFormat);
            i = end;
        } else {
            if (QStringLiteral("{}[](),:").contains(c))
                setFormat(i, 1, punctFormat);
            ++i;
        }
    }
}
