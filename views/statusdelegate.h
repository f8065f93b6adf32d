#pragma once

#include <QColor>
#include <QIcon>
#include <QStyledItemDelegate>

/// Paints a Celery state as a coloured, rounded badge ("SUCCESS" on green, "FAILURE" on
/// red …). The hues are mid-tone so white text reads on them in light and dark palettes;
/// unknown (custom) states get a neutral grey. GUI thread; owned by its parent (the view).
class StatusDelegate final : public QStyledItemDelegate
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(StatusDelegate)
public:
    explicit StatusDelegate(QObject *parent = nullptr);

    /// The badge colour of a Celery state (case-sensitive, as Celery writes them).
    static QColor statusColor(const QString &status);
    /// The width a badge for text needs in a cell drawn with font (padding included).
    static int badgeWidth(const QString &text, const QFont &font);
    /// A small round swatch of the status colour, for lists (the filter panel's facet).
    static QIcon statusIcon(const QString &status, int size);

    void paint(QPainter *painter, const QStyleOptionViewItem &option,
               const QModelIndex &index) const override;
    QSize sizeHint(const QStyleOptionViewItem &option, const QModelIndex &index) const override;
};
