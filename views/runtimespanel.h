#pragma once

#include "aggregates.h"

#include <QWidget>

class AggregateFollower;
class QLabel;
class QStandardItem;
class QStandardItemModel;
class QTreeView;
class TaskResultModel;

/// View → Runtimes: per task name, how many results have a runtime and its p50, p95, p99 and
/// maximum (ResultStore::runtimes(), as `stalk runtimes`), under the window's filters and
/// date range, sortable by any column; a p95 trend column compares the newer half's p95 with
/// the older half's (TaskRuntimes::p95Grew(): "▲ 3.2×" in the warning colour when it grew,
/// sorted by the ratio, the two p95s in its tooltip); the caption says which start the
/// runtimes count from (date_started or date_created) and how many tasks grew. Where the store cannot compute runtimes its sentence is
/// shown instead of an empty table. Kept current by an AggregateFollower: off the GUI
/// thread, stale answers dropped. GUI thread; owned by its parent.
class RuntimesPanel final : public QWidget
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(RuntimesPanel)
public:
    enum Column { TaskColumn, CountColumn, P50Column, P95Column, P99Column, MaxColumn, TrendColumn, ColumnCount };
    /// Sortable raw values (QString, qint64, seconds as double; the trend: the ratio, -1 where
    /// the halves are not compared).
    enum Role { RawValueRole = Qt::UserRole };

    explicit RuntimesPanel(TaskResultModel *model, QWidget *parent = nullptr);

    /// The table shown (as the store answered); empty when it answered an error.
    const RuntimeTable &table() const { return m_table; }
    QTreeView *view() const { return m_view; }
    /// The caption: the basis and how many tasks grew, or the store's sentence when it cannot
    /// compute runtimes.
    QString caption() const;
    /// Asks again for the runtimes of the model's current query (now when shown, else when shown).
    void reload();

protected:
    void changeEvent(QEvent *event) override;

private:
    void load();
    void setTable(const RuntimeTable &table);
    /// The trend column's text colour: the warning colour on this palette where it grew.
    void colourTrends();
    /// The caption's line on the trend: how many tasks grew of those compared.
    QString grownLine() const;
    /// "1.5×" (TaskRuntimes::p95GrowthRatio in the locale's digits).
    static QString growthRatioText();
    QStandardItem *trendItem(const TaskRuntimes &task) const;

    TaskResultModel *m_model;
    AggregateFollower *m_follower;
    RuntimeTable m_table;
    QLabel *m_caption = nullptr;
    QStandardItemModel *m_items = nullptr;
    QTreeView *m_view = nullptr;
};
