#pragma once

#include "aggregates.h"
#include "taskquery.h"
#include "taskresult.h"

struct StoreInfo;

#include <QWidget>

class AggregateFollower;
class QLabel;
class QPushButton;
class QSortFilterProxyModel;
class QStandardItemModel;
class QTreeView;
class TaskResultModel;
class TracebackView;

/// The query that lists a failure group's results: `query` (the window's search, filters and
/// date range) narrowed to the group's task name, statuses, exception type and message
/// fingerprint, newest first: exactly the group's results. The one place that says which
/// filters a group sets: the Failures view's Show in Table, Delete and Export and its
/// traceback lookup all use it. Where the group names no exception, no filter selects the
/// results without one: all the task's results of those statuses are listed (FailuresPanel
/// says so beside the buttons).
TaskQuery failureGroupQuery(TaskQuery query, const FailureGroup &group);

/// What failureGroupQuery() selects, for a person: "KeyError “'sku-<num>'” in proj.tasks.add
/// (FAILURE)" (the message fingerprint, when there is one).
QString failureGroupSubject(const FailureGroup &group);

/// A failure group as Markdown for a bug report: task, exception, representative message,
/// count by status, first and last seen (ISO UTC), workers, and — when `sample` (a result of
/// the group) carries one — its traceback in a fenced block. Pure; any thread.
QString failureGroupMarkdown(const FailureGroup &group, const TaskResult &sample);

/// View → Failures: the failures under the window's filters and date range grouped by task
/// name, exception and message fingerprint (ResultStore::failures(), as `stalk failures`),
/// largest first and sortable by any column, each with its trend (a sparkline on the table's
/// common FailureTrend axis, TrendDelegate); below, the selected group's representative
/// message and the traceback of its latest result (TracebackView, as the detail pane shows
/// it), fetched from the store. Statuses are the filters' (FAILURE when none is ticked).
/// Kept current by an AggregateFollower: off the GUI thread, stale answers dropped.
/// GUI thread; owned by its parent.
class FailuresPanel final : public QWidget
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(FailuresPanel)
public:
    enum Column {
        TaskColumn,
        ExceptionColumn,
        MessageColumn,
        CountColumn,
        TrendColumn,
        FirstSeenColumn,
        LastSeenColumn,
        WorkersColumn,
        StatusesColumn,
        ColumnCount
    };
    /// Sortable raw values (qint64, QDateTime, QString) under this role; the group's index in
    /// table().groups under GroupRole; the Trend column's counts per point (FailureGroup::
    /// trend, a QVariantList) under TrendRole. The Trend column sorts by its last point's
    /// count: what fails most now.
    enum Role { RawValueRole = Qt::UserRole, GroupRole, TrendRole };

    explicit FailuresPanel(TaskResultModel *model, QWidget *parent = nullptr);

    /// The groups shown, largest first (as the store answered).
    const FailureTable &table() const { return m_table; }
    QTreeView *view() const { return m_view; }
    /// The group selected in the view; nullptr when none.
    const FailureGroup *currentGroup() const;
    /// The latest result of the current group (with its traceback) once the store answered;
    /// an empty result before, or when none was found.
    const TaskResult &currentSample() const { return m_sample; }
    TracebackView *tracebackView() const { return m_traceback; }
    /// failureGroupMarkdown() of the current group; empty when none is selected.
    QString currentMarkdown() const;
    /// Asks again for the groups of the model's current query (now when shown, else when shown).
    void reload();
    /// Dates in UTC instead of local time.
    void setShowUtc(bool utc);
    /// Disables Delete… (the connection is read-only).
    void setReadOnly(bool readOnly);

protected:
    bool eventFilter(QObject *watched, QEvent *event) override;

Q_SIGNALS:
    /// Show in Table was chosen for this group.
    void showInTableRequested(const FailureGroup &group);
    /// Delete… or Export… was chosen for this group: its results, failureGroupQuery() of the
    /// model's query.
    void deleteRequested(const FailureGroup &group);
    void exportRequested(const FailureGroup &group);
    /// currentSample() changed: another group was selected (empty until the store answers), or
    /// the store answered.
    void sampleChanged();

private:
    void createView();
    void createDetail();
    void load();
    void setTable(const FailureTable &table);
    void fitColumns();
    /// The line above the groups: "12 results (FAILURE) … in 3 groups …".
    static QString caption(qint64 results, int groups, const QStringList &statuses);
    /// The Trend cell's tooltip: each point's start (local time or UTC, as the window shows
    /// dates) and count.
    QString trendText(const FailureGroup &group) const;
    void onCurrentChanged();
    /// The line saying how many groups and results the group's actions cover, shown when
    /// that is more than its own row (the task's other messages of its exception).
    void showScope(const FailureGroup *group);
    void showSample(const TaskResult &sample, const QString &error);
    void copyMarkdown();

    TaskResultModel *m_model;
    AggregateFollower *m_follower;
    AggregateFollower *m_sampleFollower;
    FailureTable m_table;
    TaskResult m_sample;
    QLabel *m_caption = nullptr;
    QStandardItemModel *m_items = nullptr;
    QSortFilterProxyModel *m_sorted = nullptr;
    QTreeView *m_view = nullptr;
    QLabel *m_message = nullptr;
    QLabel *m_scope = nullptr;
    QLabel *m_sampleNote = nullptr;
    TracebackView *m_traceback = nullptr;
    QPushButton *m_showInTable = nullptr;
    QPushButton *m_delete = nullptr;
    QPushButton *m_export = nullptr;
    QPushButton *m_copy = nullptr;
    bool m_readOnly = false;
};
