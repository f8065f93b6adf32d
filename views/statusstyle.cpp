#include "statusstyle.h"

#include "palettecolors.h"

#include <QPainter>
#include <QPixmap>

namespace StatusStyle {

QColor color(const QString &status)
{
    // Mid-tone hues with enough contrast for white text on both light and dark bases.
    if (status == QLatin1String("SUCCESS"))
        return QColor(0x2e, 0x8b, 0x57);
    if (status == QLatin1String("FAILURE"))
        return QColor(0xc6, 0x3d, 0x3a);
    if (status == QLatin1String("RETRY"))
        return QColor(0xc7, 0x7a, 0x12);
    if (status == QLatin1String("REVOKED"))
        return QColor(0x7d, 0x5b, 0xbe);
    if (status == QLatin1String("STARTED"))
        return QColor(0x2b, 0x6c, 0xc4);
    if (status == QLatin1String("RECEIVED"))
        return QColor(0x1f, 0x8a, 0x8a);
    if (status == QLatin1String("PENDING"))
        return QColor(0x6b, 0x72, 0x80);
    if (status == QLatin1String("IGNORED"))
        return QColor(0x80, 0x80, 0x80);
    return QColor(0x5f, 0x6b, 0x7a);
}

QColor lineColor(const QString &status, const QPalette &palette)
{
    const QColor base = color(status);
    return PaletteColors::isDark(palette) ? base.lighter(150) : base.darker(140);
}

Tint tint(const QString &status, const QPalette &palette)
{
    const QColor base = color(status);
    const QColor window = palette.color(QPalette::Window);
    const bool dark = window.lightnessF() < 0.5;
    Tint tint;
    tint.background = PaletteColors::mix(window, base, dark ? 0.38 : 0.18);
    tint.border = PaletteColors::mix(tint.background, base, 0.5);
    tint.text = dark ? base.lighter(160) : base.darker(150);
    return tint;
}

QColor warningText(const QPalette &palette)
{
    return tint(QStringLiteral("RETRY"), palette).text;
}

QIcon icon(const QString &status, int size)
{
    QPixmap pixmap(size * 2, size * 2);
    pixmap.setDevicePixelRatio(2.0);
    pixmap.fill(Qt::transparent);
    QPainter painter(&pixmap);
    painter.setRenderHint(QPainter::Antialiasing, true);
    painter.setPen(Qt::NoPen);
    painter.setBrush(color(status));
    const qreal d = size * 0.62;
    painter.drawEllipse(QRectF((size - d) / 2.0, (size - d) / 2.0, d, d));
    painter.end();
    return QIcon(pixmap);
}

} // namespace StatusStyle
