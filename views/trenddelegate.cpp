#include "trenddelegate.h"

#include "statusstyle.h"

#include <QApplication>
#include <QPainter>
#include <QPainterPath>

#include <algorithm>

TrendDelegate::TrendDelegate(int countsRole, QObject *parent) : QStyledItemDelegate(parent), m_countsRole(countsRole)
{
}

QVector<QPointF> TrendDelegate::points(const QVariantList &counts, const QRectF &rect)
{
    qint64 top = 0;
    for (const QVariant &count : counts)
        top = std::max(top, count.toLongLong());
    QVector<QPointF> points;
    points.reserve(counts.size());
    const qsizetype n = counts.size();
    for (qsizetype i = 0; i < n; ++i) {
        const qreal x = n == 1 ? rect.center().x() : rect.left() + rect.width() * qreal(i) / qreal(n - 1);
        const qreal y = top == 0 ? rect.bottom() : rect.bottom() - rect.height() * qreal(counts.at(i).toLongLong()) / qreal(top);
        points << QPointF(x, y);
    }
    return points;
}

void TrendDelegate::paint(QPainter *painter, const QStyleOptionViewItem &option, const QModelIndex &index) const
{
    // The style draws the row's background, selection and focus; the line goes on top.
    QStyleOptionViewItem opt = option;
    initStyleOption(&opt, index);
    opt.text.clear();
    const QWidget *widget = opt.widget;
    QStyle *style = widget ? widget->style() : QApplication::style();
    style->drawControl(QStyle::CE_ItemViewItem, &opt, painter, widget);

    const QRectF plot = QRectF(opt.rect).adjusted(4, 4, -5, -4);
    const QVector<QPointF> line = points(index.data(m_countsRole).toList(), plot);
    if (line.isEmpty())
        return;
    const bool selected = opt.state.testFlag(QStyle::State_Selected);
    const QColor color = selected ? opt.palette.color(QPalette::HighlightedText)
                                  : StatusStyle::lineColor(QStringLiteral("FAILURE"), opt.palette);
    painter->save();
    painter->setRenderHint(QPainter::Antialiasing, true);
    QPainterPath path(line.first());
    for (qsizetype i = 1; i < line.size(); ++i)
        path.lineTo(line.at(i));
    QPainterPath area = path;
    area.lineTo(line.last().x(), plot.bottom());
    area.lineTo(line.first().x(), plot.bottom());
    area.closeSubpath();
    QColor fill = color;
    fill.setAlphaF(0.22f);
    painter->fillPath(area, fill);
    painter->setPen(QPen(color, 1.3));
    painter->setBrush(Qt::NoBrush);
    painter->drawPath(path);
    painter->setPen(Qt::NoPen);
    painter->setBrush(color);
    painter->drawEllipse(line.last(), 2.0, 2.0);
    painter->restore();
}

QSize TrendDelegate::sizeHint(const QStyleOptionViewItem &option, const QModelIndex &index) const
{
    const QSize text = QStyledItemDelegate::sizeHint(option, index);
    return {std::max(text.width(), option.fontMetrics.averageCharWidth() * 14), text.height()};
}
