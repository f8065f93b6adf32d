#include "jsonescape.h"

namespace JsonEscape {

namespace {

bool needsEscape(char16_t u, Mode mode)
{
    return u < 0x20 || u == u'"' || u == u'\\' || (mode == Mode::Ascii && u > 0x7e);
}

} // namespace

void append(QString &out, QStringView text, Mode mode)
{
    qsizetype plain = 0; // start of the run not yet copied
    for (qsizetype i = 0; i < text.size(); ++i) {
        const char16_t u = text[i].unicode();
        if (!needsEscape(u, mode))
            continue;
        out += text.mid(plain, i - plain);
        plain = i + 1;
        switch (u) {
        case u'"': out += QLatin1String("\\\""); break;
        case u'\\': out += QLatin1String("\\\\"); break;
        case u'\n': out += QLatin1String("\\n"); break;
        case u'\r': out += QLatin1String("\\r"); break;
        case u'\t': out += QLatin1String("\\t"); break;
        case u'\b': out += QLatin1String("\\b"); break;
        case u'\f': out += QLatin1String("\\f"); break;
        default: out += QStringLiteral("\\u%1").arg(uint(u), 4, 16, QLatin1Char('0'));
        }
    }
    out += text.mid(plain);
}

QString escaped(QStringView text, Mode mode)
{
    QString out;
    out.reserve(text.size() + text.size() / 8 + 2);
    append(out, text, mode);
    return out;
}

} // namespace JsonEscape
