#pragma once

#include <QStyledItemDelegate>

/// Draws a cell's counts as a sparkline: the list of numbers an item holds under `countsRole`
/// (a QVariantList of integers, oldest first) as a line over a light fill, scaled to the
/// cell's own largest count, with a dot on the last point. The line follows StatusStyle's
/// FAILURE colour (StatusStyle::lineColor(): dark and light palettes), the selection's text
/// colour on a selected row; the cell's text, if any, is not drawn. The Failures view's Trend
/// column. GUI thread; owned by its parent.
class TrendDelegate final : public QStyledItemDelegate
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(TrendDelegate)
public:
    TrendDelegate(int countsRole, QObject *parent);

    void paint(QPainter *painter, const QStyleOptionViewItem &option, const QModelIndex &index) const override;
    QSize sizeHint(const QStyleOptionViewItem &option, const QModelIndex &index) const override;

    /// The points of `counts` in `rect`: evenly spaced from left to right, 0 on the bottom
    /// edge and the largest count on the top (all on the bottom when every count is 0).
    static QVector<QPointF> points(const QVariantList &counts, const QRectF &rect);

private:
    int m_countsRole;
};
