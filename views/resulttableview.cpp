#include "resulttableview.h"

#include <QHeaderView>
#include <QItemSelection>
#include <QKeyEvent>
#include <QScrollBar>
#include <QSet>
#include <QSettings>
#include <QTimer>

#include "columnsmenu.h"
#include "statusdelegate.h"
#include "taskresultmodel.h"

namespace {
const QString headerStateKey = QStringLiteral("table/headerState");
const QString hiddenKey = QStringLiteral("table/hiddenColumns");
const QString layoutVersionKey = QStringLiteral("table/layoutVersion");
constexpr int layoutVersion = 2;

QSet<QString> defaultHidden()
{
    return {fieldName(Field::DateCreated), fieldName(Field::DateStarted)};
}
} // namespace

ResultTableView::ResultTableView(QWidget *parent) : QTableView(parent)
{
    setObjectName(QStringLiteral("resultTable"));
    setAccessibleName(tr("Task results"));
    setSelectionBehavior(QAbstractItemView::SelectRows);
    setSelectionMode(QAbstractItemView::ExtendedSelection);
    setAlternatingRowColors(true);
    setWordWrap(false);
    setTextElideMode(Qt::ElideRight);
    setShowGrid(false);
    setCornerButtonEnabled(false);
    setEditTriggers(QAbstractItemView::NoEditTriggers);
    setContextMenuPolicy(Qt::CustomContextMenu);
    setHorizontalScrollMode(QAbstractItemView::ScrollPerPixel);
    setVerticalScrollMode(QAbstractItemView::ScrollPerItem);

    verticalHeader()->setVisible(false);
    verticalHeader()->setSectionResizeMode(QHeaderView::Fixed);
    verticalHeader()->setDefaultSectionSize(fontMetrics().height() + 10);

    QHeaderView *header = horizontalHeader();
    header->setSectionsMovable(true);
    header->setSectionsClickable(true);
    header->setHighlightSections(false);
    header->setStretchLastSection(true);
    header->setDefaultAlignment(Qt::AlignLeft | Qt::AlignVCenter);
    header->setContextMenuPolicy(Qt::CustomContextMenu);
    header->setMinimumSectionSize(40);

    m_statusDelegate = new StatusDelegate(this);
    m_restoreTimer = new QTimer(this);
    m_restoreTimer->setSingleShot(true);
    m_restoreTimer->setInterval(0);
    connect(m_restoreTimer, &QTimer::timeout, this, &ResultTableView::restorePreserved);
    // Dragging a scroll bar is the user moving: stop putting the old place back.
    for (QScrollBar *bar : {verticalScrollBar(), horizontalScrollBar()})
        connect(bar, &QScrollBar::actionTriggered, this, [this] { m_preserve = false; });
}

void ResultTableView::setResultModel(TaskResultModel *model)
{
    m_model = model;
    setModel(model);
    setItemDelegateForColumn(TaskResultModel::StatusColumn, m_statusDelegate);

    m_columnsMenu = new ColumnsMenu(horizontalHeader(), model, this);
    connect(m_columnsMenu, &ColumnsMenu::columnVisibilityChanged, this,
            [this](int logical, bool visible) {
                const QString key = columnKey(logical);
                if (visible)
                    m_userHidden.remove(key);
                else
                    m_userHidden.insert(key);
                Q_EMIT layoutChanged();
            });
    connect(m_columnsMenu, &ColumnsMenu::resetRequested, this, &ResultTableView::resetLayout);
    connect(horizontalHeader(), &QHeaderView::customContextMenuRequested, this,
            [this](const QPoint &pos) { m_columnsMenu->popup(horizontalHeader()->mapToGlobal(pos)); });

    // Keep the user's place while a refresh replaces or reorders rows.
    auto schedule = [this] {
        if (m_preserve)
            m_restoreTimer->start();
    };
    connect(model, &QAbstractItemModel::modelReset, this, schedule);
    connect(model, &QAbstractItemModel::layoutChanged, this, schedule);
    connect(model, &QAbstractItemModel::rowsInserted, this, schedule);
    connect(model, &QAbstractItemModel::rowsRemoved, this, schedule);
    connect(model, &QAbstractItemModel::dataChanged, this, schedule);

    applyDefaultOrder();
    applyDefaultWidths();
    // Runtime is computed from two dates; the store cannot order by it, so a click on its
    // header keeps the previous sort instead of showing an indicator that is not true.
    connect(horizontalHeader(), &QHeaderView::sortIndicatorChanged, this,
            [this](int section, Qt::SortOrder order) {
                if (TaskResultModel::columnField(section) != Field::FieldCount) {
                    m_sortSection = section;
                    m_sortOrder = order;
                    return;
                }
                const QSignalBlocker blocker(horizontalHeader());
                horizontalHeader()->setSortIndicator(m_sortSection, m_sortOrder);
                horizontalHeader()->viewport()->update();
            });
    horizontalHeader()->setSortIndicator(TaskResultModel::DateDoneColumn, Qt::DescendingOrder);
    setSortingEnabled(true);
    applyColumnVisibility();
}

QString ResultTableView::columnKey(int column)
{
    const Field field = TaskResultModel::columnField(column);
    return field == Field::FieldCount ? QStringLiteral("runtime") : fieldName(field);
}

void ResultTableView::applyDefaultOrder()
{
    // What an operator scans first: state, task, when, how long; then identity and payload.
    static const int order[] = {
        TaskResultModel::StatusColumn,     TaskResultModel::TaskNameColumn,
        TaskResultModel::DateDoneColumn,   TaskResultModel::RuntimeColumn,
        TaskResultModel::TaskIdColumn,     TaskResultModel::WorkerColumn,
        TaskResultModel::PeriodicTaskColumn, TaskResultModel::ArgsColumn,
        TaskResultModel::ResultColumn,     TaskResultModel::DateCreatedColumn,
        TaskResultModel::DateStartedColumn,
    };
    static_assert(sizeof(order) / sizeof(order[0]) == TaskResultModel::ColumnCount);
    QHeaderView *header = horizontalHeader();
    for (int visual = 0; visual < TaskResultModel::ColumnCount; ++visual)
        header->moveSection(header->visualIndex(order[visual]), visual);
}

void ResultTableView::applyDefaultWidths()
{
    // Wide enough for what Celery writes: a UUID, a dotted task name, a worker hostname.
    const QFontMetrics fm = fontMetrics();
    const int pad = 3 * fm.horizontalAdvance(u' ') + 8;
    auto text = [&](const char *sample) { return fm.horizontalAdvance(QLatin1String(sample)) + pad; };
    auto width = [&](int column) {
        switch (column) {
        case TaskResultModel::StatusColumn:
            return qMax(StatusDelegate::badgeWidth(QStringLiteral("REVOKED"), font()) + 6,
                        text("Status") + 16);
        case TaskResultModel::TaskNameColumn:
            return text("proj.billing.lookup_customer");
        case TaskResultModel::TaskIdColumn:
            return text("0f5e3b0e-8c2a-4c53-9a6e-1f2b3c4d5e6f");
        case TaskResultModel::WorkerColumn:
            return text("celery@worker-01.example");
        case TaskResultModel::PeriodicTaskColumn:
            return text("nightly-cleanup-xx");
        case TaskResultModel::DateDoneColumn:
        case TaskResultModel::DateCreatedColumn:
        case TaskResultModel::DateStartedColumn:
            return text("2025-02-14 12:00:00 (UTC)");
        case TaskResultModel::RuntimeColumn:
            return text("12 min 5 s");
        case TaskResultModel::ArgsColumn:
            return text("(1, 'Zoë', {'a': 1})");
        default:
            return text("{\"total\": 1234, \"currency\": \"EUR\"}");
        }
    };
    for (int c = 0; c < TaskResultModel::ColumnCount; ++c)
        horizontalHeader()->resizeSection(c, width(c));
}

void ResultTableView::applyColumnVisibility()
{
    if (!m_model)
        return;
    for (int c = 0; c < TaskResultModel::ColumnCount; ++c) {
        const bool available = !m_model->isOpen() || m_model->isColumnAvailable(c);
        const bool hidden = !available || m_userHidden.contains(columnKey(c));
        setColumnHidden(c, hidden);
        if (!hidden && horizontalHeader()->sectionSize(c) < horizontalHeader()->minimumSectionSize())
            horizontalHeader()->resizeSection(c, 10 * fontMetrics().horizontalAdvance(u'M'));
    }
}

QString ResultTableView::unavailableColumnsText() const
{
    if (!m_model || !m_model->isOpen())
        return {};
    QStringList missing;
    for (int c = 0; c < TaskResultModel::ColumnCount; ++c) {
        if (!m_model->isColumnAvailable(c))
            missing << m_model->headerData(c, Qt::Horizontal).toString();
    }
    if (missing.isEmpty())
        return {};
    const QString schema = m_model->storeInfo().schema;
    return schema.isEmpty()
        ? tr("Hidden, not in this database: %1").arg(missing.join(QStringLiteral(", ")))
        : tr("Hidden, not stored by %1: %2").arg(schema, missing.join(QStringLiteral(", ")));
}

QStringList ResultTableView::userHiddenColumns() const
{
    QStringList hidden(m_userHidden.cbegin(), m_userHidden.cend());
    hidden.sort();
    return hidden;
}

void ResultTableView::setUserHiddenColumns(const QStringList &keys)
{
    m_userHidden = QSet<QString>(keys.cbegin(), keys.cend());
    applyColumnVisibility();
    Q_EMIT layoutChanged();
}

QVector<Field> ResultTableView::visibleFields() const
{
    QVector<Field> fields;
    for (int v = 0; v < horizontalHeader()->count(); ++v) {
        const int logical = horizontalHeader()->logicalIndex(v);
        const Field field = TaskResultModel::columnField(logical);
        if (!isColumnHidden(logical) && field != Field::FieldCount)
            fields << field;
    }
    return fields;
}

void ResultTableView::saveLayout(QSettings &settings) const
{
    settings.setValue(headerStateKey, horizontalHeader()->saveState());
    settings.setValue(hiddenKey, userHiddenColumns());
    settings.setValue(layoutVersionKey, layoutVersion);
}

void ResultTableView::restoreLayout(const QSettings &settings)
{
    if (settings.value(layoutVersionKey).toInt() != layoutVersion) {
        m_userHidden = defaultHidden();
        applyColumnVisibility();
        return;
    }
    const QStringList hidden = settings.value(hiddenKey).toStringList();
    m_userHidden = QSet<QString>(hidden.cbegin(), hidden.cend());
    const QByteArray state = settings.value(headerStateKey).toByteArray();
    if (!state.isEmpty() && horizontalHeader()->restoreState(state)) {
        // restoreState() does not run the sort: ask the model for the restored order.
        sortByColumn(horizontalHeader()->sortIndicatorSection(),
                     horizontalHeader()->sortIndicatorOrder());
    }
    applyColumnVisibility();
}

void ResultTableView::resetLayout()
{
    applyDefaultOrder();
    m_userHidden = defaultHidden();
    applyDefaultWidths();
    applyColumnVisibility();
    sortByColumn(TaskResultModel::DateDoneColumn, Qt::DescendingOrder);
    Q_EMIT layoutChanged();
}

qint64 ResultTableView::currentRowId() const
{
    const QModelIndex current = currentIndex();
    if (!current.isValid() || !current.data(TaskResultModel::LoadedRole).toBool())
        return -1;
    return current.data(TaskResultModel::RowIdRole).toLongLong();
}

QModelIndexList ResultTableView::selectedLoadedRows() const
{
    QModelIndexList out;
    if (!selectionModel() || !m_model)
        return out;
    // Walks the selection's ranges page by page, not row by row: a select-all of a million
    // rows is one range, and QItemSelectionModel::selectedRows() would make (and check) a
    // million indexes for it, seconds on the GUI thread. cachedRow(), not data(): asking
    // data() for a row would load its page.
    const QItemSelection selection = selectionModel()->selection();
    const int lastColumn = m_model->columnCount() - 1;
    QSet<int> seen; // ranges may overlap (a row selected twice by Ctrl+click and Shift+click)
    for (const QItemSelectionRange &range : selection) {
        const bool wholeRows = range.left() == 0 && range.right() == lastColumn;
        for (int row = range.top(); row <= range.bottom();) {
            if (!m_model->cachedRow(row)) {
                row = (row / TaskResultModel::pageSize + 1) * TaskResultModel::pageSize;
                continue;
            }
            if ((selection.size() == 1 || !seen.contains(row))
                && (wholeRows || selectionModel()->isRowSelected(row, QModelIndex()))) {
                if (selection.size() > 1)
                    seen.insert(row);
                out.push_back(m_model->index(row, 0));
            }
            ++row;
        }
    }
    return out;
}

qint64 ResultTableView::selectedRowCount() const
{
    // Whole rows are selected, so the ranges' heights add up to the rows: no walk over a
    // select-all of millions of rows.
    qint64 selected = 0;
    if (selectionModel()) {
        for (const QItemSelectionRange &range : selectionModel()->selection())
            selected += range.height();
    }
    return selected;
}

QVector<qint64> ResultTableView::selectedRowIds() const
{
    QVector<qint64> ids;
    const QModelIndexList rows = selectedLoadedRows();
    ids.reserve(rows.size());
    for (const QModelIndex &index : rows)
        ids.push_back(index.data(TaskResultModel::RowIdRole).toLongLong());
    return ids;
}

void ResultTableView::selectRow(int row)
{
    if (!m_model || row < 0 || row >= m_model->rowCount())
        return;
    int column = horizontalHeader()->logicalIndex(0);
    for (int v = 0; v < horizontalHeader()->count(); ++v) {
        const int logical = horizontalHeader()->logicalIndex(v);
        if (!isColumnHidden(logical)) {
            column = logical;
            break;
        }
    }
    selectionModel()->setCurrentIndex(m_model->index(row, column),
                                      QItemSelectionModel::ClearAndSelect
                                          | QItemSelectionModel::Rows);
}

void ResultTableView::preserveSelection()
{
    if (m_preserve)
        return;
    m_preserve = true;
    m_preservedRowId = currentRowId();
    // Everything selected, most of it never loaded (Select All on a big result set), stays
    // everything, the rows the refresh brings too: it is every matching result, which the ids
    // of the pages loaded now cannot say. A selection of loaded rows is kept by its ids.
    const qint64 selected = selectedRowCount();
    m_preservedSelection = selectedRowIds();
    m_preservedAll = m_model && m_model->rowCount() > 0 && selected >= m_model->rowCount()
        && selected > m_preservedSelection.size();
    if (m_preservedAll)
        m_preservedSelection.clear();
    m_preservedScroll = verticalScrollBar()->value();
    m_preservedHScroll = horizontalScrollBar()->value();
}

void ResultTableView::endPreserve()
{
    if (!m_preserve)
        return;
    restorePreserved();
    m_preserve = false;
}

void ResultTableView::restorePreserved()
{
    if (!m_preserve || !m_model)
        return;
    updateGeometries();
    QItemSelectionModel *sel = selectionModel();
    if (m_preservedRowId >= 0 && currentRowId() != m_preservedRowId) {
        const int row = m_model->rowOfRowId(m_preservedRowId);
        if (row >= 0) {
            const QModelIndex current = currentIndex();
            const int column = current.isValid() ? current.column() : 0;
            sel->setCurrentIndex(m_model->index(row, column), QItemSelectionModel::NoUpdate);
        }
    }
    QItemSelection selection;
    if (m_preservedAll && m_model->rowCount() > 0)
        selection.select(m_model->index(0, 0), m_model->index(m_model->rowCount() - 1, m_model->columnCount() - 1));
    for (qint64 id : std::as_const(m_preservedSelection)) {
        const int row = m_model->rowOfRowId(id);
        if (row >= 0)
            selection.select(m_model->index(row, 0), m_model->index(row, m_model->columnCount() - 1));
    }
    if (!selection.isEmpty() || (m_preservedSelection.isEmpty() && !m_preservedAll))
        sel->select(selection, QItemSelectionModel::ClearAndSelect);
    verticalScrollBar()->setValue(m_preservedScroll);
    horizontalScrollBar()->setValue(m_preservedHScroll);
}

void ResultTableView::mousePressEvent(QMouseEvent *event)
{
    m_preserve = false;
    QTableView::mousePressEvent(event);
}

void ResultTableView::keyPressEvent(QKeyEvent *event)
{
    m_preserve = false;
    QTableView::keyPressEvent(event);
}

void ResultTableView::keyboardSearch(const QString &search)
{
    if (!search.trimmed().isEmpty())
        Q_EMIT textTyped(search);
}

void ResultTableView::wheelEvent(QWheelEvent *event)
{
    m_preserve = false;
    QTableView::wheelEvent(event);
}
