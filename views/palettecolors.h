#pragma once

#include <QColor>
#include <QPalette>

/// Colour arithmetic the views share so tints follow light and dark palettes alike. Pure;
/// any thread.
namespace PaletteColors {

/// True when the palette's text background (Base) is dark.
inline bool isDark(const QPalette &palette)
{
    return palette.color(QPalette::Base).lightnessF() < 0.5;
}

/// a blended towards b by t (0 = a, 1 = b), per RGB channel.
inline QColor mix(const QColor &a, const QColor &b, qreal t)
{
    return QColor::fromRgbF(float(a.redF() * (1 - t) + b.redF() * t),
                            float(a.greenF() * (1 - t) + b.greenF() * t),
                            float(a.blueF() * (1 - t) + b.blueF() * t));
}

} // namespace PaletteColors
