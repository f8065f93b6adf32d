#pragma once

#include "taskgroup.h"

#include <QWidget>

class AggregateFollower;
class QLabel;
class QPushButton;
class QStandardItemModel;
class QTreeView;
class TaskResultModel;

/// View → Groups: the store's saved groups (ResultStore::groups(): GroupResult rows,
/// celery_tasksetmeta) whose date_done is in the window's date range, newest first, each with
/// its member count and their statuses (statusBreakdown(), members without a stored result
/// counted as "not stored"); below, the selected group's members in stored order: task id,
/// task name, status badge, date done. The member rows come from one lookup of every listed
/// member (TaskGroups::list()). showGroupsOf() lists the groups of one task instead (the
/// detail pane's group link). Where the store cannot list groups its sentence is shown.
/// Kept current by an AggregateFollower: off the GUI thread, stale answers dropped.
/// GUI thread; owned by its parent.
class GroupsPanel final : public QWidget
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(GroupsPanel)
public:
    enum GroupColumn { GroupIdColumn, DateDoneColumn, MembersColumn, StatusesColumn, GroupColumnCount };
    enum MemberColumn { TaskIdColumn, TaskNameColumn, StatusColumn, MemberDateColumn, MemberColumnCount };
    /// Sortable raw values under RawValueRole; a group's index in listing().groups under IndexRole.
    enum Role { RawValueRole = Qt::UserRole, IndexRole };

    explicit GroupsPanel(TaskResultModel *model, QWidget *parent = nullptr);

    /// The groups shown and their members' rows (as the store answered).
    const GroupListing &listing() const { return m_listing; }
    QTreeView *groupsView() const { return m_groupsView; }
    QTreeView *membersView() const { return m_membersView; }
    QString caption() const;
    /// The group selected; nullptr when none.
    const TaskGroup *currentGroup() const;
    /// The selected member's stored row; nullptr when none is selected or it is not stored.
    const TaskResult *currentMember() const;
    /// The selected member's task id; empty when none.
    QString currentMemberId() const;
    /// "3 SUCCESS, 1 FAILURE, 1 not stored": a group's members by status.
    QString statusText(const TaskGroup &group) const;

    /// Asks again for the groups of the model's current query (now when shown, else when shown).
    void reload();
    /// Lists the groups that hold this task (and selects `groupId`, else the first, with the
    /// task among its members) instead of the date range's groups, until Show All Groups.
    void showGroupsOf(const QString &taskId, const QString &groupId = QString());
    /// Selects the group with this id when listed; false otherwise.
    bool selectGroup(const QString &groupId);

Q_SIGNALS:
    /// The selected member changed (the Details dock follows it).
    void currentMemberChanged();
    /// A member was activated (double-click, Enter).
    void memberActivated();

private:
    void load();
    void setListing(const GroupListing &listing);
    void showMembers();
    void selectMember(const QString &taskId);

    TaskResultModel *m_model;
    AggregateFollower *m_follower;
    GroupListing m_listing;
    QString m_focusTask; ///< showGroupsOf()'s task; empty = the date range's groups
    QString m_focusGroup; ///< showGroupsOf()'s group to select
    QLabel *m_caption = nullptr;
    QPushButton *m_showAll = nullptr;
    QStandardItemModel *m_groups = nullptr;
    QStandardItemModel *m_members = nullptr;
    QTreeView *m_groupsView = nullptr;
    QTreeView *m_membersView = nullptr;
};
