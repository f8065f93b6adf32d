#include "statusdelegate.h"

#include <QApplication>
#include <QPainter>
#include <QPainterPath>
#include <QStyle>

namespace {

constexpr int hPad = 7;   // inside the badge
constexpr int margin = 4; // between the cell edge and the badge

QFont badgeFont(const QFont &base)
{
    QFont f = base;
    f.setBold(true);
    f.setPointSizeF(base.pointSizeF() > 0 ? base.pointSizeF() * 0.85 : base.pointSizeF());
    f.setLetterSpacing(QFont::PercentageSpacing, 104);
    return f;
}

} // namespace

StatusDelegate::StatusDelegate(QObject *parent) : QStyledItemDelegate(parent) { }

QColor StatusDelegate::statusColor(const QString &status)
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

void StatusDelegate::paint(QPainter *painter, const QStyleOptionViewItem &option,
                           const QModelIndex &index) const
{
    QStyleOptionViewItem opt = option;
    initStyleOption(&opt, index);
    const QString status = opt.text;
    opt.text.clear();
    const QWidget *widget = opt.widget;
    QStyle *style = widget ? widget->style() : QApplication::style();
    // Selection/hover background and focus frame as the style draws them.
    style->drawControl(QStyle::CE_ItemViewItem, &opt, painter, widget);
    if (status.isEmpty())
        return;

    painter->save();
    painter->setRenderHint(QPainter::Antialiasing, true);
    const QFont font = badgeFont(opt.font);
    const QFontMetrics fm(font);
    const int textWidth = fm.horizontalAdvance(status);
    const int height = qMin(opt.rect.height() - 4, fm.height() + 4);
    const int width = qMin(opt.rect.width() - 2 * margin, textWidth + 2 * hPad);
    const QRectF badge(opt.rect.left() + margin, opt.rect.center().y() - height / 2.0 + 0.5,
                       width, height);
    QPainterPath path;
    path.addRoundedRect(badge, height / 2.0, height / 2.0);
    painter->fillPath(path, statusColor(status));
    painter->setPen(Qt::white);
    painter->setFont(font);
    painter->drawText(badge.adjusted(hPad, 0, -hPad, 0), Qt::AlignCenter,
                      fm.elidedText(status, Qt::ElideRight, width - 2 * hPad));
    painter->restore();
}

QSize StatusDelegate::sizeHint(const QStyleOptionViewItem &option, const QModelIndex &index) const
{
    QSize size = QStyledItemDelegate::sizeHint(option, index);
    const QFontMetrics fm(badgeFont(option.font));
    const int width = fm.horizontalAdvance(index.data(Qt::DisplayRole).toString()) + 2 * hPad
        + 2 * margin;
    size.setWidth(qMax(size.width(), width));
    return size;
}
