#include "aggregatefollower.h"

#include <QEvent>
#include <QSortFilterProxyModel>
#include <QStandardItemModel>
#include <QTreeView>
#include <QWidget>

AggregateFollower::AggregateFollower(TaskResultModel *model, QWidget *panel, std::function<void()> reload)
    : QObject(panel), m_model(model), m_panel(panel), m_reload(std::move(reload))
{
    panel->installEventFilter(this);
    connect(model, &TaskResultModel::countChanged, this, &AggregateFollower::reload);
}

void AggregateFollower::reload()
{
    m_stale = true;
    if (!m_panel->isVisible())
        return;
    m_stale = false;
    m_reload();
}

void AggregateFollower::cancel()
{
    if (m_request)
        m_model->cancelRequest(m_request);
    m_request = 0;
}

bool AggregateFollower::eventFilter(QObject *watched, QEvent *event)
{
    if (watched == m_panel && event->type() == QEvent::Show && m_stale)
        reload();
    return QObject::eventFilter(watched, event);
}

QTreeView *aggregateListView(QStandardItemModel *items, int rawRole, int sortColumn, Qt::SortOrder order, QWidget *parent)
{
    auto *view = new QTreeView(parent);
    auto *sorted = new QSortFilterProxyModel(view);
    sorted->setSourceModel(items);
    sorted->setSortRole(rawRole);
    view->setRootIsDecorated(false);
    view->setUniformRowHeights(true);
    view->setAlternatingRowColors(true);
    view->setModel(sorted);
    view->setSortingEnabled(true);
    view->sortByColumn(sortColumn, order);
    return view;
}

QStandardItem *aggregateItem(const QString &text, const QVariant &raw, int rawRole, bool number)
{
    auto *item = new QStandardItem(text);
    item->setData(raw, rawRole);
    item->setEditable(false);
    if (number)
        item->setTextAlignment(Qt::AlignRight | Qt::AlignVCenter);
    return item;
}
