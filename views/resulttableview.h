#pragma once

#include "taskresult.h"

#include <QSet>
#include <QTableView>
#include <QVector>

class ColumnsMenu;
class QSettings;
class QTimer;
class StatusDelegate;
class TaskResultModel;

/// The results table: a QTableView over TaskResultModel with the status badge delegate,
/// movable/resizable/hideable columns whose layout is saved in QSettings, header-click
/// sorting (TaskResultModel::sort runs the query in the store), and unavailable columns
/// (older schemas) hidden.
///
/// Typing while it has focus never walks the model (QAbstractItemView's type-ahead would ask
/// for the page of every row it passes, leaving the visible rows as placeholders on a huge
/// table, and could only ever find loaded rows): the text is handed on with textTyped() so
/// the window searches every result with it.
///
/// It can keep the user's place across a refresh: preserveSelection() remembers the current
/// row id, the selected row ids and the scroll position and puts them back as the model
/// updates, until the user moves or endPreserve() is called.
///
/// GUI thread; owned by its parent.
class ResultTableView final : public QTableView
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(ResultTableView)
public:
    explicit ResultTableView(QWidget *parent = nullptr);

    void setResultModel(TaskResultModel *model);
    TaskResultModel *resultModel() const { return m_model; }
    ColumnsMenu *columnsMenu() const { return m_columnsMenu; }

    /// Hides the columns the open store lacks and those the user hid; shows the rest.
    void applyColumnVisibility();
    /// Why columns are hidden ("Worker, Date created: not in django-celery-results 1.0"), or
    /// empty when every column is available.
    QString unavailableColumnsText() const;

    /// The columns the user hid (columnKey()s, sorted), and setting them (a saved view).
    QStringList userHiddenColumns() const;
    void setUserHiddenColumns(const QStringList &keys);
    /// The fields of the shown columns, in their on-screen order.
    QVector<Field> visibleFields() const;

    void saveLayout(QSettings &settings) const;
    void restoreLayout(const QSettings &settings);
    void resetLayout();

    /// The store key of the current row (-1 when none or not loaded yet).
    qint64 currentRowId() const;
    /// Store keys of the selected rows whose page is loaded.
    QVector<qint64> selectedRowIds() const;
    /// Rows (model indexes of column 0) that are selected and loaded.
    QModelIndexList selectedLoadedRows() const;
    /// How many rows are selected, loaded or not (the selection ranges' heights; cheap for a
    /// select-all of millions of rows).
    qint64 selectedRowCount() const;
    /// Selects row (whole row) and makes it current.
    void selectRow(int row);

    void preserveSelection();
    void endPreserve();
    bool isPreserving() const { return m_preserve; }

    /// A stable name for a column (its field name, or "runtime").
    static QString columnKey(int column);

    /// Emits textTyped() instead of searching the rows (see the class comment).
    void keyboardSearch(const QString &search) override;

Q_SIGNALS:
    /// The user changed which columns show (for saving).
    void layoutChanged();
    /// Printable text typed while the table has focus (not a lone space, which selects).
    void textTyped(const QString &text);

protected:
    void mousePressEvent(QMouseEvent *event) override;
    void keyPressEvent(QKeyEvent *event) override;
    void wheelEvent(QWheelEvent *event) override;

private:
    void applyDefaultOrder();
    void applyDefaultWidths();
    void restorePreserved();

    TaskResultModel *m_model = nullptr;
    StatusDelegate *m_statusDelegate = nullptr;
    ColumnsMenu *m_columnsMenu = nullptr;
    QSet<QString> m_userHidden;
    QTimer *m_restoreTimer = nullptr;
    int m_sortSection = 0;
    Qt::SortOrder m_sortOrder = Qt::DescendingOrder;

    bool m_preserve = false;
    qint64 m_preservedRowId = -1;
    QVector<qint64> m_preservedSelection;
    bool m_preservedAll = false; ///< every row was selected: select every row again
    int m_preservedScroll = 0;
    int m_preservedHScroll = 0;
};
