#pragma once

#include <QColor>
#include <QIcon>
#include <QPalette>
#include <QString>

/// Which colour a Celery state has, wherever the window shows one: the list's badges
/// (StatusDelegate), the detail pane's status chip and the filter panel's swatches. States
/// are matched case-sensitively, as Celery writes them. color() and tint() are pure (any
/// thread); icon() paints a pixmap (GUI thread).
namespace StatusStyle {

/// The state's own colour: a mid-tone hue that white text reads on in light and dark
/// palettes alike (the list draws it as a solid badge). Custom states get a neutral slate.
QColor color(const QString &status);

/// color() as a thin line or a small plot on a palette's Base (the history chart's failure
/// rate, the Failures view's trend): darker in a light palette, lighter in a dark one.
QColor lineColor(const QString &status, const QPalette &palette);

/// A chip tinted with color() on a palette's window: the background mixed from the window
/// towards the state's colour (more in a dark palette), a border halfway between the two,
/// and text in a darker (light palette) or lighter (dark palette) shade of the colour.
struct Tint
{
    QColor background;
    QColor border;
    QColor text;
};
Tint tint(const QString &status, const QPalette &palette);

/// The text colour of a warning on a palette: RETRY's amber as tint() shades it (the Runtimes
/// tab's grown p95).
QColor warningText(const QPalette &palette);

/// A small round swatch of color(), size × size device-independent pixels (the filter
/// panel's Status facet).
QIcon icon(const QString &status, int size);

} // namespace StatusStyle
