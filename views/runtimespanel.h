#pragma once

#include "aggregates.h"

#include <QWidget>

class AggregateFollower;
class QLabel;
class QStandardItemModel;
class QTreeView;
class TaskResultModel;

/// View → Runtimes: per task name, how many results have a runtime and its p50, p95, p99 and
/// maximum (ResultStore::runtimes(), as `stalk runtimes`), under the window's filters and
/// date range, sortable by any column; the caption says which start the runtimes count from
/// (date_started or date_created). Where the store cannot compute runtimes its sentence is
/// shown instead of an empty table. Kept current by an AggregateFollower: off the GUI
/// thread, stale answers dropped. GUI thread; owned by its parent.
class RuntimesPanel final : public QWidget
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(RuntimesPanel)
public:
    enum Column { TaskColumn, CountColumn, P50Column, P95Column, P99Column, MaxColumn, ColumnCount };
    /// Sortable raw values (QString, qint64, seconds as double).
    enum Role { RawValueRole = Qt::UserRole };

    explicit RuntimesPanel(TaskResultModel *model, QWidget *parent = nullptr);

    /// The table shown (as the store answered); empty when it answered an error.
    const RuntimeTable &table() const { return m_table; }
    QTreeView *view() const { return m_view; }
    /// The caption: the basis, or the store's sentence when it cannot compute runtimes.
    QString caption() const;
    /// Asks again for the runtimes of the model's current query (now when shown, else when shown).
    void reload();

private:
    void load();
    void setTable(const RuntimeTable &table);

    TaskResultModel *m_model;
    AggregateFollower *m_follower;
    RuntimeTable m_table;
    QLabel *m_caption = nullptr;
    QStandardItemModel *m_items = nullptr;
    QTreeView *m_view = nullptr;
};
