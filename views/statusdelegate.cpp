#include "statusdelegate.h"

#include "statusstyle.h"

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

int StatusDelegate::badgeWidth(const QString &text, const QFont &font)
{
    return QFontMetrics(badgeFont(font)).horizontalAdvance(text) + 2 * hPad + 2 + 2 * margin;
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
    // A little slack: elidedText() and horizontalAdvance() round differently.
    const int full = fm.horizontalAdvance(status) + 2 * hPad + 2;
    const int available = opt.rect.width() - 2 * margin;
    const int height = qMin(opt.rect.height() - 4, fm.height() + 4);
    const int width = qMin(available, full);
    const QRectF badge(opt.rect.left() + margin, opt.rect.center().y() - height / 2.0 + 0.5,
                       width, height);
    QPainterPath path;
    path.addRoundedRect(badge, height / 2.0, height / 2.0);
    painter->fillPath(path, StatusStyle::color(status));
    painter->setPen(Qt::white);
    painter->setFont(font);
    painter->drawText(badge, Qt::AlignCenter,
                      full <= available ? status
                                        : fm.elidedText(status, Qt::ElideRight, width - 2 * hPad));
    painter->restore();
}

QSize StatusDelegate::sizeHint(const QStyleOptionViewItem &option, const QModelIndex &index) const
{
    QSize size = QStyledItemDelegate::sizeHint(option, index);
    const int width = badgeWidth(index.data(Qt::DisplayRole).toString(), option.font);
    size.setWidth(qMax(size.width(), width));
    return size;
}
