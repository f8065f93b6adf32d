#pragma once

#include <QMenu>

class QHeaderView;
class TaskResultModel;

/// "Columns" menu: one checkable entry per column of the table (in on-screen order) to show
/// or hide it, entries for columns the open store does not have disabled with a tooltip
/// saying why, and "Reset columns". Rebuilt each time it opens. GUI thread; owned by parent.
class ColumnsMenu final : public QMenu
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(ColumnsMenu)
public:
    ColumnsMenu(QHeaderView *header, TaskResultModel *model, QWidget *parent = nullptr);

Q_SIGNALS:
    /// The user showed or hid a column.
    void columnVisibilityChanged(int logicalIndex, bool visible);
    void resetRequested();

private:
    void rebuild();

    QHeaderView *m_header = nullptr;
    TaskResultModel *m_model = nullptr;
};
