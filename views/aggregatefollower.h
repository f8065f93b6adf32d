#pragma once

#include "taskresultmodel.h"

#include <QObject>

#include <functional>

class QStandardItem;
class QStandardItemModel;
class QTreeView;
class QWidget;

/// The one way the window's aggregate views (the history chart, the failures and the runtimes)
/// keep up with a TaskResultModel's query: after each exact count of the model (a new query, a
/// refresh) it calls the panel's reload function — at once when the panel is visible, else when
/// it is shown next (a hidden panel asks nothing). ask() runs a store call through
/// TaskResultModel::request() on the worker thread, yielding to pages so the rows are never held
/// back, and drops the answer of the previous ask() still on its way (a stale answer never
/// arrives). GUI thread; a child of its panel.
class AggregateFollower final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(AggregateFollower)
public:
    AggregateFollower(TaskResultModel *model, QWidget *panel, std::function<void()> reload);

    /// Calls the reload function now when the panel is visible, else when it is shown.
    void reload();
    /// Asks the store for an aggregate; handler gets the answer unless another ask() or
    /// cancel() came first.
    template<typename T>
    void ask(std::function<Outcome<T>(ResultStore &)> call, TaskResultModel::ReplyHandler<T> handler)
    {
        cancel();
        RequestOptions options;
        options.yieldsToPages = true;
        m_request = m_model->request<T>(
            this, std::move(call),
            [this, handler = std::move(handler)](const Reply<T> &reply) {
                m_request = 0;
                handler(reply);
            },
            options);
    }
    /// Drops the answer on its way, if any.
    void cancel();
    /// An answer is on its way.
    bool isAsking() const { return m_request != 0; }

protected:
    bool eventFilter(QObject *watched, QEvent *event) override;

private:
    TaskResultModel *m_model;
    QWidget *m_panel;
    std::function<void()> m_reload;
    RequestId m_request = 0; ///< the answer on its way; 0 = none
    bool m_stale = true;     ///< the model's query changed while the panel was hidden
};

/// The list an aggregate view shows: a flat QTreeView of `items` (owned by the caller), sorted
/// by the raw values the items hold under `rawRole` through a proxy the view owns, by
/// `sortColumn` first. GUI thread.
QTreeView *aggregateListView(QStandardItemModel *items, int rawRole, int sortColumn, Qt::SortOrder order, QWidget *parent);
/// One read-only cell of such a list: `text` shown, `raw` sorted by under `rawRole`; numbers
/// aligned right.
QStandardItem *aggregateItem(const QString &text, const QVariant &raw, int rawRole, bool number = false);
