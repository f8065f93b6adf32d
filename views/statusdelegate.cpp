#include "statusdelegate.h"

#include <QApplication>
#include <QPainter>
#include <QPainterPath>
#include <QPixmap>
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

int StatusDelegate::badgeWidth(const QString &text, const QFont &font)
{
    return QFontMetrics(badgeFont(font)).horizontalAdvance(text) + 2 * hPad + 2 + 2 * margin;
}

QIcon StatusDelegate::statusIcon(const QString &status, int size)
{
    QPixmap pixmap(size * 2, size * 2);
    pixmap.setDevicePixelRatio(2.0);
    pixmap.fill(Qt::transparent);
    QPainter painter(&pixmap);
    painter.setRenderHint(QPainter::Antialiasing, true);
    painter.setPen(Qt::NoPen);
    painter.setBrush(statusColor(status));
    const qreal d = size * 0.62;
    painter.drawEllipse(QRectF((size - d) / 2.0, (size - d) / 2.0, d, d));
    painter.end();
    return QIcon(pixmap);
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
    painter->fillPath(path, statusColor(status));
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
