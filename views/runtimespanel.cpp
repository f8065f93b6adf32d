#include "runtimespanel.h"

#include "aggregatefollower.h"
#include "taskresultmodel.h"
#include "timeparse.h"

#include <QHeaderView>
#include <QLabel>
#include <QLocale>
#include <QStandardItemModel>
#include <QTreeView>
#include <QVBoxLayout>

RuntimesPanel::RuntimesPanel(TaskResultModel *model, QWidget *parent)
    : QWidget(parent), m_model(model), m_follower(new AggregateFollower(model, this, [this] { load(); }))
{
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(6, 4, 6, 4);
    layout->setSpacing(4);
    m_caption = new QLabel(this);
    m_caption->setObjectName(QStringLiteral("runtimesCaption"));
    m_caption->setWordWrap(true);
    m_caption->setForegroundRole(QPalette::PlaceholderText);
    layout->addWidget(m_caption);

    m_items = new QStandardItemModel(0, ColumnCount, this);
    m_items->setHorizontalHeaderLabels({tr("Task"), tr("Count"), tr("p50"), tr("p95"), tr("p99"), tr("Max")});
    for (int column = CountColumn; column < ColumnCount; ++column)
        m_items->horizontalHeaderItem(column)->setTextAlignment(Qt::AlignRight | Qt::AlignVCenter);
    m_view = aggregateListView(m_items, RawValueRole, P95Column, Qt::DescendingOrder, this);
    m_view->setObjectName(QStringLiteral("runtimesView"));
    m_view->setAccessibleName(tr("Runtimes per task"));
    m_view->header()->setSectionResizeMode(TaskColumn, QHeaderView::Stretch);
    m_view->header()->setStretchLastSection(false);
    layout->addWidget(m_view, 1);
}

QString RuntimesPanel::caption() const
{
    return m_caption->text();
}

void RuntimesPanel::reload()
{
    m_follower->reload();
}

void RuntimesPanel::load()
{
    const TaskQuery query = m_model->query();
    m_caption->setText(tr("Computing runtimes…"));
    m_follower->ask<RuntimeTable>([query](ResultStore &store) { return store.runtimes(query); },
                                  [this](const Reply<RuntimeTable> &reply) {
                                      if (!reply) {
                                          setTable(RuntimeTable());
                                          m_view->hide();
                                          m_caption->setText(reply.error().message);
                                          return;
                                      }
                                      setTable(*reply);
                                      m_view->show();
                                      m_caption->setText(
                                          reply->basis == Runtime::Basis::Started
                                              ? tr("Runtimes of SUCCESS and FAILURE results under the current filters, "
                                                   "from date_started to date_done, per task name.")
                                              : tr("Runtimes of SUCCESS and FAILURE results under the current filters, "
                                                   "from date_created to date_done (this schema records no "
                                                   "date_started: queue time is included), per task name."));
                                  });
}

void RuntimesPanel::setTable(const RuntimeTable &table)
{
    m_table = table;
    m_items->removeRows(0, m_items->rowCount());
    const QLocale locale;
    const auto cell = [](const QString &text, const QVariant &raw, bool number) {
        return aggregateItem(text, raw, RawValueRole, number);
    };
    const auto seconds = [&cell](double s) { return cell(TimeParse::formatRuntime(qint64(s * 1000)), s, true); };
    for (const TaskRuntimes &task : m_table.tasks) {
        m_items->appendRow({cell(task.taskName.isNull() ? tr("(none)") : task.taskName, task.taskName, false),
                            cell(locale.toString(task.count), task.count, true), seconds(task.p50), seconds(task.p95),
                            seconds(task.p99), seconds(task.max)});
    }
    for (int column = CountColumn; column < ColumnCount; ++column)
        m_view->resizeColumnToContents(column);
}
