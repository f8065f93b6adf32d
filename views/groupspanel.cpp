#include "groupspanel.h"

#include "aggregatefollower.h"
#include "resultstore.h"
#include "statusbreakdown.h"
#include "statusdelegate.h"
#include "taskresultmodel.h"

#include <QHBoxLayout>
#include <QHeaderView>
#include <QItemSelectionModel>
#include <QLabel>
#include <QLocale>
#include <QPushButton>
#include <QSortFilterProxyModel>
#include <QSplitter>
#include <QStandardItemModel>
#include <QTreeView>
#include <QVBoxLayout>

GroupsPanel::GroupsPanel(TaskResultModel *model, QWidget *parent)
    : QWidget(parent), m_model(model), m_follower(new AggregateFollower(model, this, [this] { load(); }))
{
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(6, 4, 6, 4);
    layout->setSpacing(4);
    auto *top = new QHBoxLayout;
    m_caption = new QLabel(this);
    m_caption->setObjectName(QStringLiteral("groupsCaption"));
    m_caption->setWordWrap(true);
    m_caption->setForegroundRole(QPalette::PlaceholderText);
    top->addWidget(m_caption, 1);
    m_showAll = new QPushButton(tr("Show All Groups"), this);
    m_showAll->setObjectName(QStringLiteral("groupsShowAll"));
    m_showAll->hide();
    connect(m_showAll, &QPushButton::clicked, this, [this] {
        m_focusTask.clear();
        m_showAll->hide();
        load();
    });
    top->addWidget(m_showAll);
    layout->addLayout(top);

    m_groups = new QStandardItemModel(0, GroupColumnCount, this);
    m_groups->setHorizontalHeaderLabels({tr("Group"), tr("Date Done"), tr("Members"), tr("Statuses")});
    m_groupsView = aggregateListView(m_groups, RawValueRole, DateDoneColumn, Qt::DescendingOrder, this);
    m_groupsView->setObjectName(QStringLiteral("groupsView"));
    m_groupsView->setAccessibleName(tr("Saved groups"));
    m_groupsView->header()->setSectionResizeMode(StatusesColumn, QHeaderView::Stretch);

    m_members = new QStandardItemModel(0, MemberColumnCount, this);
    m_members->setHorizontalHeaderLabels({tr("Task ID"), tr("Task Name"), tr("Status"), tr("Date Done")});
    m_membersView = new QTreeView(this);
    m_membersView->setObjectName(QStringLiteral("groupMembersView"));
    m_membersView->setAccessibleName(tr("Members of the selected group"));
    m_membersView->setModel(m_members); // stored order: not sortable
    m_membersView->setRootIsDecorated(false);
    m_membersView->setUniformRowHeights(true);
    m_membersView->setAlternatingRowColors(true);
    m_membersView->setItemDelegateForColumn(StatusColumn, new StatusDelegate(m_membersView));

    auto *splitter = new QSplitter(Qt::Vertical, this);
    splitter->setChildrenCollapsible(false);
    splitter->addWidget(m_groupsView);
    splitter->addWidget(m_membersView);
    layout->addWidget(splitter, 1);

    connect(m_groupsView->selectionModel(), &QItemSelectionModel::currentRowChanged, this, [this] { showMembers(); });
    connect(m_membersView->selectionModel(), &QItemSelectionModel::currentRowChanged, this,
            &GroupsPanel::currentMemberChanged);
    connect(m_membersView, &QTreeView::activated, this, &GroupsPanel::memberActivated);
}

QString GroupsPanel::caption() const
{
    return m_caption->text();
}

void GroupsPanel::reload()
{
    m_follower->reload();
}

void GroupsPanel::showGroupsOf(const QString &taskId, const QString &groupId)
{
    m_focusTask = taskId;
    m_focusGroup = groupId;
    m_showAll->show();
    load();
}

void GroupsPanel::load()
{
    const TaskQuery query = m_model->query();
    const QString focus = m_focusTask;
    m_caption->setText(tr("Reading saved groups…"));
    m_follower->ask<GroupListing>(
        [query, focus](ResultStore &store) {
            return focus.isEmpty() ? TaskGroups::list(store, query) : TaskGroups::listing(store, focus);
        },
        [this, focus](const Reply<GroupListing> &reply) {
            if (!reply) {
                setListing(GroupListing());
                m_caption->setText(reply.error().message);
                return;
            }
            setListing(*reply);
            const QLocale locale;
            const int n = int(m_listing.groups.size());
            if (!focus.isEmpty()) {
                m_caption->setText(n == 0 ? tr("No saved group lists task %1.").arg(focus)
                                          : tr("The saved groups that list task %1.").arg(focus));
                if (n > 0) {
                    if (m_focusGroup.isEmpty() || !selectGroup(m_focusGroup))
                        m_groupsView->setCurrentIndex(m_groupsView->model()->index(0, 0));
                    selectMember(focus);
                }
            } else if (n >= TaskGroups::defaultLimit) {
                m_caption->setText(tr("The newest %1 saved groups in the date range. Select a group to see its members.")
                                       .arg(locale.toString(n)));
            } else {
                m_caption->setText(tr("%n saved group(s) in the date range, newest first. Select a group to see its "
                                      "members; double-click a member to see its details.",
                                      nullptr, n));
            }
        });
}

QString GroupsPanel::statusText(const TaskGroup &group) const
{
    qint64 missing = 0;
    const QString known = statusBreakdown(m_listing.statusesOf(group, &missing), QLocale());
    if (missing == 0)
        return known;
    const QString absent = tr("%1 not stored").arg(QLocale().toString(missing));
    return known.isEmpty() ? absent : known + QStringLiteral(", ") + absent;
}

void GroupsPanel::setListing(const GroupListing &listing)
{
    const TaskGroup *current = currentGroup();
    const QString currentId = current ? current->groupId : QString();
    m_listing = listing;
    m_groups->removeRows(0, m_groups->rowCount());
    const QLocale locale;
    for (int i = 0; i < m_listing.groups.size(); ++i) {
        const TaskGroup &group = m_listing.groups.at(i);
        QList<QStandardItem *> row{
            aggregateItem(group.groupId, group.groupId, RawValueRole),
            aggregateItem(m_model->dateText(group.dateDone), group.dateDone, RawValueRole),
            aggregateItem(locale.toString(group.memberIds.size()), qint64(group.memberIds.size()), RawValueRole, true),
            aggregateItem(group.problem.isEmpty() ? statusText(group) : group.problem, statusText(group), RawValueRole)};
        row.constFirst()->setData(i, IndexRole);
        m_groups->appendRow(row);
    }
    for (int column = GroupIdColumn; column < StatusesColumn; ++column)
        m_groupsView->resizeColumnToContents(column);
    if (!currentId.isEmpty())
        selectGroup(currentId);
    showMembers();
}

bool GroupsPanel::selectGroup(const QString &groupId)
{
    const QAbstractItemModel *shown = m_groupsView->model();
    for (int row = 0; row < shown->rowCount(); ++row) {
        const QModelIndex index = shown->index(row, GroupIdColumn);
        if (index.data(RawValueRole).toString() == groupId) {
            m_groupsView->setCurrentIndex(index);
            return true;
        }
    }
    return false;
}

const TaskGroup *GroupsPanel::currentGroup() const
{
    const QModelIndex current = m_groupsView->currentIndex();
    if (!current.isValid())
        return nullptr;
    const int i = current.siblingAtColumn(GroupIdColumn).data(IndexRole).toInt();
    return i >= 0 && i < m_listing.groups.size() ? &m_listing.groups.at(i) : nullptr;
}

QString GroupsPanel::currentMemberId() const
{
    const QModelIndex current = m_membersView->currentIndex();
    return current.isValid() ? current.siblingAtColumn(TaskIdColumn).data(RawValueRole).toString() : QString();
}

const TaskResult *GroupsPanel::currentMember() const
{
    const auto row = m_listing.rows.constFind(currentMemberId());
    return row == m_listing.rows.cend() ? nullptr : &row.value();
}

void GroupsPanel::showMembers()
{
    const QString selected = currentMemberId();
    m_members->removeRows(0, m_members->rowCount());
    if (const TaskGroup *group = currentGroup()) {
        for (const QString &id : group->memberIds) {
            auto *idItem = aggregateItem(id, id, RawValueRole);
            const auto stored = m_listing.rows.constFind(id);
            if (stored == m_listing.rows.cend()) {
                auto *absent = aggregateItem(tr("not stored"), QString(), RawValueRole);
                absent->setToolTip(tr("No result of this task is in the store (expired or deleted)."));
                m_members->appendRow({idItem, absent, aggregateItem(QString(), QString(), RawValueRole),
                                      aggregateItem(QString(), QString(), RawValueRole)});
                continue;
            }
            m_members->appendRow({idItem, aggregateItem(stored->taskName, stored->taskName, RawValueRole),
                                  aggregateItem(stored->status, stored->status, RawValueRole),
                                  aggregateItem(m_model->dateText(stored->dateDone), stored->dateDone, RawValueRole)});
        }
    }
    for (int column = TaskIdColumn; column < MemberColumnCount; ++column)
        m_membersView->resizeColumnToContents(column);
    if (!selected.isEmpty())
        selectMember(selected);
    Q_EMIT currentMemberChanged();
}

void GroupsPanel::selectMember(const QString &taskId)
{
    for (int row = 0; row < m_members->rowCount(); ++row) {
        if (m_members->item(row, TaskIdColumn)->text() == taskId) {
            m_membersView->setCurrentIndex(m_members->index(row, TaskIdColumn));
            return;
        }
    }
}
