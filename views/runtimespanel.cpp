#include "runtimespanel.h"

#include "aggregatefollower.h"
#include "statusstyle.h"
#include "taskresultmodel.h"
#include "timeparse.h"

#include <QEvent>
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
    m_items->setHorizontalHeaderLabels(
        {tr("Task"), tr("Count"), tr("p50"), tr("p95"), tr("p99"), tr("Max"), tr("p95 trend")});
    m_items->horizontalHeaderItem(TrendColumn)
        ->setToolTip(tr("The p95 of the newer half of each task's runtimes (by date done) against the older "
                        "half's, marked %1 when it is at least %2 as long. Each half needs %3 results.")
                         .arg(QStringLiteral("\u25b2"), growthRatioText(),
                              QLocale().toString(TaskRuntimes::minHalfCount)));
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
                                          (reply->basis == Runtime::Basis::Started
                                               ? tr("Runtimes of SUCCESS and FAILURE results under the current filters, "
                                                    "from date_started to date_done, per task name.")
                                               : tr("Runtimes of SUCCESS and FAILURE results under the current filters, "
                                                    "from date_created to date_done (this schema records no "
                                                    "date_started: queue time is included), per task name."))
                                          + (grownLine().isEmpty() ? QString() : u'\n' + grownLine()));
                                  });
}

QString RuntimesPanel::grownLine() const
{
    qint64 grown = 0, compared = 0;
    for (const TaskRuntimes &task : m_table.tasks) {
        compared += task.p95Ratio() ? 1 : 0;
        grown += task.p95Grew() ? 1 : 0;
    }
    if (m_table.tasks.isEmpty())
        return {};
    if (compared == 0) {
        return tr("No task has the %1 results per half it takes to compare its newer runtimes with its older ones.")
            .arg(QLocale().toString(TaskRuntimes::minHalfCount));
    }
    if (grown == 0) {
        return tr("The p95 grew in none of the %n task(s) compared (by %1 or more, newer half against older half).",
                  nullptr, int(compared))
            .arg(growthRatioText());
    }
    return QStringLiteral("\u25b2 ")
        + tr("The p95 grew in %1 of the %n task(s) compared (by %2 or more, newer half against older half).", nullptr,
             int(compared))
              .arg(QLocale().toString(grown), growthRatioText());
}

void RuntimesPanel::changeEvent(QEvent *event)
{
    QWidget::changeEvent(event);
    if (event->type() == QEvent::PaletteChange)
        colourTrends();
}

QString RuntimesPanel::growthRatioText()
{
    return QLocale().toString(TaskRuntimes::p95GrowthRatio) + QStringLiteral("\u00d7");
}

void RuntimesPanel::colourTrends()
{
    const QColor warning = StatusStyle::warningText(palette());
    for (int row = 0; row < m_items->rowCount(); ++row) { // the items keep the table's order
        if (m_table.tasks.at(row).p95Grew())
            m_items->item(row, TrendColumn)->setForeground(warning);
    }
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
                            seconds(task.p99), seconds(task.max), trendItem(task)});
    }
    colourTrends();
    for (int column = CountColumn; column < ColumnCount; ++column)
        m_view->resizeColumnToContents(column);
}

QStandardItem *RuntimesPanel::trendItem(const TaskRuntimes &task) const
{
    const std::optional<double> ratio = task.p95Ratio();
    const auto runtime = [](double s) { return TimeParse::formatRuntime(qint64(s * 1000)); };
    QStandardItem *item = aggregateItem(ratio ? TaskRuntimes::p95RatioText(*ratio) : QString(), ratio.value_or(-1.0),
                                        RawValueRole, true);
    const QLocale locale;
    const qint64 recent = task.halfCount(RuntimeHalf::Recent), earlier = task.halfCount(RuntimeHalf::Earlier);
    if (ratio) {
        item->setToolTip(tr("p95 of the newer half (%1 results): %2; of the older half (%3 results): %4")
                             .arg(locale.toString(recent), runtime(*task.p95Recent), locale.toString(earlier),
                                  runtime(*task.p95Earlier)));
    } else {
        item->setToolTip(tr("Too few results to compare the newer half with the older: each half needs %1, "
                            "the newer has %2.")
                             .arg(locale.toString(TaskRuntimes::minHalfCount), locale.toString(recent)));
    }
    if (task.p95Grew()) {
        QFont bold = item->font();
        bold.setBold(true);
        item->setFont(bold);
    }
    return item;
}
