#pragma once

#include <QStyledItemDelegate>

/// Paints a Celery state as a rounded badge in its StatusStyle colour ("SUCCESS" on green,
/// "FAILURE" on red …) with white text. GUI thread; owned by its parent (the view).
class StatusDelegate final : public QStyledItemDelegate
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(StatusDelegate)
public:
    explicit StatusDelegate(QObject *parent = nullptr);

    /// The width a badge for text needs in a cell drawn with font (padding included).
    static int badgeWidth(const QString &text, const QFont &font);

    void paint(QPainter *painter, const QStyleOptionViewItem &option,
               const QModelIndex &index) const override;
    QSize sizeHint(const QStyleOptionViewItem &option, const QModelIndex &index) const override;
};
