#include "failurespanel.h"

#include "aggregatefollower.h"
#include "displaytext.h"
#include "historychart.h"
#include "statusbreakdown.h"
#include "taskresultmodel.h"
#include "timeparse.h"
#include "tracebackview.h"
#include "trenddelegate.h"

#include <QApplication>
#include <QClipboard>
#include <QEvent>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QLocale>
#include <QPushButton>
#include <QSortFilterProxyModel>
#include <QSplitter>
#include <QStandardItemModel>
#include <QTreeView>
#include <QVBoxLayout>

#include <algorithm>

namespace {

/// How many of a group's newest results are read to find one holding its exception (the
/// query cannot narrow by exception yet), and how many a page reads.
constexpr int sampleScanRows = 1000;
constexpr int samplePageRows = 100;

QString orNone(const QString &text)
{
    return text.isNull() ? FailuresPanel::tr("(none)") : text;
}

/// The exception as a person reads it: "proj.billing.PaymentDeclined", "ValueError".
QString exceptionText(const FailureGroup &group)
{
    if (group.exception.isNull())
        return FailuresPanel::tr("(unknown)");
    return ValueDecoder::ExceptionInfo{group.exception, group.exceptionModule, {}}.qualifiedType();
}

/// The key that finds a group again after a reload.
QStringList groupKey(const FailureGroup &group)
{
    return {orNone(group.taskName), group.exceptionModule + u'.' + group.exception, group.fingerprint};
}

/// A fence longer than any run of backticks in text, so the text cannot close it.
QString fenceFor(const QString &text)
{
    int longest = 0, run = 0;
    for (const QChar c : text) {
        run = c == u'`' ? run + 1 : 0;
        longest = std::max(longest, run);
    }
    return QString(std::max(3, longest + 1), u'`');
}

QStandardItem *item(const QString &text, const QVariant &raw, bool number = false)
{
    return aggregateItem(text, raw, FailuresPanel::RawValueRole, number);
}

} // namespace

TaskQuery failureGroupQuery(TaskQuery query, const FailureGroup &group)
{
    query.taskNames = QStringList{group.taskName};
    query.statuses = group.statuses.keys();
    const QString exception = group.exceptionFilter();
    query.exceptions = exception.isEmpty() ? QStringList() : QStringList{exception};
    query.fingerprints = exception.isEmpty() ? QStringList() : QStringList{group.fingerprint};
    query.sortField = Field::DateDone;
    query.sortOrder = Qt::DescendingOrder;
    return query;
}

QString failureGroupSubject(const FailureGroup &group)
{
    const QString statuses = group.statuses.keys().join(QStringLiteral(", "));
    if (group.exceptionFilter().isEmpty() || group.fingerprint.isEmpty())
        return FailuresPanel::tr("%1 in %2 (%3)").arg(exceptionText(group), orNone(group.taskName), statuses);
    return FailuresPanel::tr("%1 “%2” in %3 (%4)")
        .arg(exceptionText(group), DisplayText::elided(group.fingerprint, 80), orNone(group.taskName), statuses);
}

QString failureGroupMarkdown(const FailureGroup &group, const TaskResult &sample)
{
    const auto code = [](const QString &text) {
        const QString fence = text.contains(u'`') ? QStringLiteral("``") : QStringLiteral("`");
        return fence + text + fence;
    };
    QStringList lines;
    lines << FailuresPanel::tr("### %1 in %2").arg(code(exceptionText(group)), code(orNone(group.taskName)));
    lines << QString();
    if (!group.message.isEmpty()) {
        for (const QString &line : group.message.split(u'\n'))
            lines << QStringLiteral("> ") + line;
        lines << QString();
    }
    lines << FailuresPanel::tr("- **Count:** %1 (%2)").arg(QString::number(group.count), statusBreakdown(group.statuses));
    lines << FailuresPanel::tr("- **First seen:** %1").arg(TimeParse::formatTimestamp(group.firstSeen));
    lines << FailuresPanel::tr("- **Last seen:** %1").arg(TimeParse::formatTimestamp(group.lastSeen));
    lines << FailuresPanel::tr("- **Workers:** %1")
                 .arg(group.workers.isEmpty() ? FailuresPanel::tr("(none recorded)") : group.workers.join(QStringLiteral(", ")));
    if (!sample.traceback.isEmpty()) {
        const QString fence = fenceFor(sample.traceback);
        lines << QString();
        lines << FailuresPanel::tr("Traceback of task %1 (%2):").arg(code(sample.taskId), TimeParse::formatTimestamp(sample.dateDone));
        lines << QString();
        lines << fence + QStringLiteral("pytb");
        lines << sample.traceback.trimmed();
        lines << fence;
    }
    return lines.join(u'\n') + u'\n';
}

FailuresPanel::FailuresPanel(TaskResultModel *model, QWidget *parent)
    : QWidget(parent), m_model(model), m_follower(new AggregateFollower(model, this, [this] { load(); })),
      m_sampleFollower(new AggregateFollower(model, this, [this] { onCurrentChanged(); }))
{
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(6, 4, 6, 4);
    layout->setSpacing(4);
    m_caption = new QLabel(this);
    m_caption->setObjectName(QStringLiteral("failuresCaption"));
    m_caption->setForegroundRole(QPalette::PlaceholderText);
    m_caption->setWordWrap(true);
    layout->addWidget(m_caption);

    auto *splitter = new QSplitter(Qt::Vertical, this);
    splitter->setChildrenCollapsible(false);
    layout->addWidget(splitter, 1);
    createView();
    splitter->addWidget(m_view);
    createDetail();
    splitter->addWidget(m_traceback->parentWidget());
    splitter->setStretchFactor(0, 3);
    splitter->setStretchFactor(1, 2);
}

void FailuresPanel::createView()
{
    m_items = new QStandardItemModel(0, ColumnCount, this);
    m_items->setHorizontalHeaderLabels({tr("Task"), tr("Exception"), tr("Message"), tr("Count"), tr("Trend"),
                                        tr("First seen"), tr("Last seen"), tr("Workers"), tr("Statuses")});
    m_items->horizontalHeaderItem(TrendColumn)->setToolTip(tr("Results over time, on one axis for all groups from "
                                                              "the first failure to the last; sorts by the last "
                                                              "point's count"));
    m_items->horizontalHeaderItem(CountColumn)->setTextAlignment(Qt::AlignRight | Qt::AlignVCenter);
    m_view = aggregateListView(m_items, RawValueRole, CountColumn, Qt::DescendingOrder, this);
    m_sorted = static_cast<QSortFilterProxyModel *>(m_view->model());
    m_view->setObjectName(QStringLiteral("failuresView"));
    m_view->setAccessibleName(tr("Failure groups"));
    m_view->setSelectionMode(QAbstractItemView::SingleSelection);
    m_view->header()->setStretchLastSection(false);
    m_view->viewport()->installEventFilter(this);
    m_view->setItemDelegateForColumn(TrendColumn, new TrendDelegate(TrendRole, m_view));
    connect(m_view->selectionModel(), &QItemSelectionModel::currentRowChanged, this, [this] {
        m_sampleFollower->reload();
    });
    connect(m_view, &QAbstractItemView::activated, this, [this] {
        if (const FailureGroup *group = currentGroup())
            Q_EMIT showInTableRequested(*group);
    });
}

void FailuresPanel::createDetail()
{
    auto *detail = new QWidget(this);
    auto *layout = new QVBoxLayout(detail);
    layout->setContentsMargins(0, 4, 0, 0);
    layout->setSpacing(4);

    auto *buttons = new QHBoxLayout;
    m_message = new QLabel(detail);
    m_message->setObjectName(QStringLiteral("failureMessage"));
    m_message->setTextFormat(Qt::PlainText);
    m_message->setWordWrap(true);
    m_message->setTextInteractionFlags(Qt::TextSelectableByMouse);
    QFont bold = m_message->font();
    bold.setBold(true);
    m_message->setFont(bold);
    buttons->addWidget(m_message, 1);
    m_showInTable = new QPushButton(tr("Show in &Table"), detail);
    m_showInTable->setObjectName(QStringLiteral("showInTableButton"));
    m_showInTable->setToolTip(tr("Filter the results table to this group's task name, statuses and exception"));
    connect(m_showInTable, &QPushButton::clicked, this, [this] {
        if (const FailureGroup *group = currentGroup())
            Q_EMIT showInTableRequested(*group);
    });
    // Delete and Export act on what Show in Table lists: the group's task name, statuses and
    // exception type under the window's filters (its other messages of that type included).
    m_delete = new QPushButton(tr("&Delete…"), detail);
    m_delete->setObjectName(QStringLiteral("deleteGroupButton"));
    m_delete->setToolTip(tr("Delete the results Show in Table lists (this task name, these statuses and this "
                            "exception type), after a count and a confirmation"));
    connect(m_delete, &QPushButton::clicked, this, [this] {
        if (const FailureGroup *group = currentGroup())
            Q_EMIT deleteRequested(*group);
    });
    m_export = new QPushButton(tr("E&xport…"), detail);
    m_export->setObjectName(QStringLiteral("exportGroupButton"));
    m_export->setToolTip(tr("Export the results Show in Table lists to CSV, JSON or JSONL"));
    connect(m_export, &QPushButton::clicked, this, [this] {
        if (const FailureGroup *group = currentGroup())
            Q_EMIT exportRequested(*group);
    });
    m_copy = new QPushButton(tr("Copy &Summary (Markdown)"), detail);
    m_copy->setObjectName(QStringLiteral("copyMarkdownButton"));
    m_copy->setToolTip(tr("Copy the group for a bug report: task, exception, message, count, first and last "
                          "seen, workers and the traceback"));
    connect(m_copy, &QPushButton::clicked, this, &FailuresPanel::copyMarkdown);
    for (QPushButton *button : {m_showInTable, m_export, m_delete, m_copy})
        buttons->addWidget(button, 0, Qt::AlignTop);
    layout->addLayout(buttons);

    m_scope = new QLabel(detail);
    m_scope->setObjectName(QStringLiteral("failureGroupScope"));
    m_scope->setTextFormat(Qt::PlainText);
    m_scope->setWordWrap(true);
    m_scope->hide();
    layout->addWidget(m_scope);
    m_sampleNote = new QLabel(detail);
    m_sampleNote->setObjectName(QStringLiteral("failureSampleNote"));
    m_sampleNote->setTextFormat(Qt::PlainText);
    m_sampleNote->setForegroundRole(QPalette::PlaceholderText);
    m_sampleNote->setWordWrap(true);
    layout->addWidget(m_sampleNote);
    m_traceback = new TracebackView(detail);
    m_traceback->setObjectName(QStringLiteral("failureTraceback"));
    m_traceback->setSizePolicy(QSizePolicy::Expanding, QSizePolicy::Expanding);
    layout->addWidget(m_traceback, 1);
    for (QPushButton *button : {m_showInTable, m_export, m_delete, m_copy})
        button->setEnabled(false);
}

void FailuresPanel::setReadOnly(bool readOnly)
{
    m_readOnly = readOnly;
    m_delete->setEnabled(!m_readOnly && currentGroup() != nullptr);
}

void FailuresPanel::reload()
{
    m_follower->reload();
}

void FailuresPanel::setShowUtc(bool)
{
    setTable(m_table); // the dates are re-read from the model's choice
}

void FailuresPanel::load()
{
    TaskQuery query = m_model->query();
    if (query.statuses.isEmpty())
        query.statuses = defaultFailureStatuses();
    m_caption->setText(tr("Grouping %1 results by task, exception and message…").arg(query.statuses.join(QStringLiteral(", "))));
    m_follower->ask<FailureTable>([query](ResultStore &store) { return store.failures(query); },
                                  [this, query](const Reply<FailureTable> &reply) {
                                      if (!reply) {
                                          setTable(FailureTable());
                                          m_caption->setText(reply.error().message);
                                          return;
                                      }
                                      setTable(*reply);
                                      qint64 results = 0;
                                      for (const FailureGroup &group : reply->groups)
                                          results += group.count;
                                      m_caption->setText(caption(results, int(reply->groups.size()), query.statuses));
                                  });
}

QString FailuresPanel::caption(qint64 results, int groups, const QStringList &statuses)
{
    const QLocale locale;
    const QString counted = results == 1 ? tr("1 result") : tr("%1 results").arg(locale.toString(results));
    const QString grouped = groups == 1 ? tr("1 group") : tr("%1 groups").arg(locale.toString(groups));
    return tr("%1 (%2) under the current filters and date range, in %3 by task, exception and message. "
              "Double-click a group to show its results in the table.")
        .arg(counted, statuses.join(QStringLiteral(", ")), grouped);
}

QString FailuresPanel::trendText(const FailureGroup &group) const
{
    const FailureTrend &axis = m_table.trend;
    const bool utc = m_model->showUtc();
    QString per;
    switch (axis.bucket) {
    case TimeBucket::Minute: per = axis.step == 1 ? tr("minute") : tr("%1 minutes").arg(axis.step); break;
    case TimeBucket::Hour: per = axis.step == 1 ? tr("hour") : tr("%1 hours").arg(axis.step); break;
    case TimeBucket::Day: per = axis.step == 1 ? tr("day") : tr("%1 days").arg(axis.step); break;
    }
    QStringList lines{utc ? tr("Results per %1 (UTC):").arg(per) : tr("Results per %1 (local time):").arg(per)};
    const QLocale locale;
    for (int i = 0; i < group.trend.size(); ++i) {
        lines << tr("%1: %2").arg(timeBucketLabel(axis.pointStart(i), axis.bucket, utc),
                                  locale.toString(group.trend.at(i)));
    }
    if (group.trend.isEmpty())
        lines << tr("(no result has a date done)");
    return lines.join(u'\n');
}

void FailuresPanel::setTable(const FailureTable &table)
{
    const FailureGroup *current = currentGroup();
    const QStringList currentKey = current ? groupKey(*current) : QStringList();
    m_table = table;
    m_items->removeRows(0, m_items->rowCount());
    const QLocale locale;
    int reselect = -1;
    for (int i = 0; i < m_table.groups.size(); ++i) {
        const FailureGroup &group = m_table.groups.at(i);
        QList<QStandardItem *> row;
        row << item(orNone(group.taskName), group.taskName) << item(exceptionText(group), exceptionText(group))
            << item(group.message.section(u'\n', 0, 0), group.message)
            << item(locale.toString(group.count), group.count, true)
            << item(QString(), group.trend.isEmpty() ? qint64(0) : group.trend.constLast())
            << item(m_model->dateText(group.firstSeen), group.firstSeen)
            << item(m_model->dateText(group.lastSeen), group.lastSeen)
            << item(group.workers.join(QStringLiteral(", ")), group.workers.join(QStringLiteral(", ")))
            << item(statusBreakdown(group.statuses, locale), statusBreakdown(group.statuses));
        row.at(TaskColumn)->setToolTip(orNone(group.taskName));
        row.at(ExceptionColumn)->setToolTip(exceptionText(group));
        row.at(MessageColumn)->setToolTip(group.message);
        QVariantList trend;
        for (const qint64 n : group.trend)
            trend << n;
        row.at(TrendColumn)->setData(trend, TrendRole);
        row.at(TrendColumn)->setToolTip(trendText(group));
        row.first()->setData(i, GroupRole);
        m_items->appendRow(row);
        if (!currentKey.isEmpty() && groupKey(group) == currentKey)
            reselect = i;
    }
    fitColumns();
    if (m_items->rowCount() == 0) {
        showSample(TaskResult(), QString());
        return;
    }
    const QModelIndex shown = m_sorted->mapFromSource(m_items->index(std::max(reselect, 0), 0));
    m_view->setCurrentIndex(shown);
    m_view->scrollTo(shown);
}

void FailuresPanel::fitColumns()
{
    // Every column fits its contents and the message takes the rest; when that leaves the
    // message too little room, long task names, module paths and worker lists are cut first
    // (their tooltips and the Markdown summary hold them whole).
    const int chars = m_view->fontMetrics().averageCharWidth();
    const int available = m_view->viewport()->width();
    QVector<int> natural(ColumnCount, 0);
    int others = 0;
    for (int column = 0; column < ColumnCount; ++column) {
        if (column == MessageColumn)
            continue;
        m_view->resizeColumnToContents(column);
        natural[column] = m_view->columnWidth(column);
        others += natural[column];
    }
    const bool cut = others + 40 * chars > available;
    others = 0;
    for (int column = 0; column < ColumnCount; ++column) {
        if (column == MessageColumn)
            continue;
        const bool cuttable = column == TaskColumn || column == ExceptionColumn || column == WorkersColumn;
        m_view->setColumnWidth(column, cut && cuttable ? std::min(natural[column], 28 * chars) : natural[column]);
        others += m_view->columnWidth(column);
    }
    m_view->setColumnWidth(MessageColumn, std::max(30 * chars, available - others));
}

bool FailuresPanel::eventFilter(QObject *watched, QEvent *event)
{
    if (watched == m_view->viewport() && event->type() == QEvent::Resize)
        fitColumns();
    return QWidget::eventFilter(watched, event);
}

const FailureGroup *FailuresPanel::currentGroup() const
{
    const QModelIndex current = m_view->currentIndex();
    if (!current.isValid())
        return nullptr;
    const int i = current.siblingAtColumn(TaskColumn).data(GroupRole).toInt();
    return i >= 0 && i < m_table.groups.size() ? &m_table.groups.at(i) : nullptr;
}

void FailuresPanel::showScope(const FailureGroup *group)
{
    // failureGroupQuery() selects exactly a group that has an exception. One without (none
    // could be read) is all the task's results of its statuses: the other groups' too. Said
    // before an action covers more than the row.
    int groups = 0;
    qint64 results = 0;
    if (group && group->exceptionFilter().isEmpty()) {
        for (const FailureGroup &other : std::as_const(m_table.groups)) {
            if (other.taskName.isNull() != group->taskName.isNull() || other.taskName != group->taskName)
                continue;
            ++groups;
            for (auto it = group->statuses.cbegin(); it != group->statuses.cend(); ++it)
                results += other.statuses.value(it.key());
        }
    }
    m_scope->setVisible(groups > 1);
    if (groups > 1) {
        const QLocale locale;
        m_scope->setText(tr("No filter selects only the results without a readable exception: Show in Table, "
                            "Export… and Delete… cover the %1 groups of this task, %2 results.")
                             .arg(locale.toString(groups), locale.toString(results)));
    }
}

void FailuresPanel::onCurrentChanged()
{
    const FailureGroup *group = currentGroup();
    for (QPushButton *button : {m_showInTable, m_export, m_copy})
        button->setEnabled(group != nullptr);
    m_delete->setEnabled(!m_readOnly && group != nullptr);
    showScope(group);
    if (!group) {
        m_sampleFollower->cancel();
        showSample(TaskResult(), QString());
        return;
    }
    m_message->setText(group->message.isEmpty() ? exceptionText(*group) : exceptionText(*group) + QStringLiteral(": ") + group->message);
    m_sampleNote->setText(tr("Reading the latest result of this group…"));
    m_sample = TaskResult();
    Q_EMIT sampleChanged();
    const TaskQuery query = failureGroupQuery(m_model->query(), *group);
    // The newest results of the group's task and statuses, until one holds its exception and
    // message (decoded here, on the worker thread).
    m_sampleFollower->ask<TaskResult>(
        [query, group = *group](ResultStore &store) -> Outcome<TaskResult> {
            for (int offset = 0; offset < sampleScanRows; offset += samplePageRows) {
                const Outcome<QVector<TaskResult>> page = store.fetchPage(query, offset, samplePageRows, RowDetail::Full);
                if (!page)
                    return page.error();
                for (const TaskResult &row : *page) {
                    if (group.holds(row))
                        return row;
                }
                if (page->size() < samplePageRows)
                    break;
            }
            return StoreError(StoreError::Code::NotFound, QString());
        },
        [this](const Reply<TaskResult> &reply) {
            if (reply)
                showSample(*reply, QString());
            else if (reply.error().code == StoreError::Code::NotFound)
                showSample(TaskResult(), tr("None of the newest %L1 results of this task holds this exception; "
                                            "Show in Table lists them.").arg(sampleScanRows));
            else
                showSample(TaskResult(), reply.error().message);
        });
}

void FailuresPanel::showSample(const TaskResult &sample, const QString &error)
{
    m_sample = sample;
    if (!currentGroup())
        m_message->setText(m_table.groups.isEmpty() ? tr("No failures under the current filters.") : QString());
    if (!error.isEmpty())
        m_sampleNote->setText(error);
    else if (sample.taskId.isEmpty())
        m_sampleNote->clear();
    else if (sample.traceback.isEmpty())
        m_sampleNote->setText(tr("The latest result of this group, task %1 (%2), has no traceback stored "
                                 "(the app runs without result_extended, or Celery kept none).")
                                  .arg(sample.taskId, m_model->dateText(sample.dateDone)));
    else
        m_sampleNote->setText(tr("Traceback of the latest result of this group: task %1, done %2")
                                  .arg(sample.taskId, m_model->dateText(sample.dateDone)));
    m_traceback->setTraceback(sample.traceback);
    m_traceback->setVisible(!sample.traceback.isEmpty());
    Q_EMIT sampleChanged();
}

QString FailuresPanel::currentMarkdown() const
{
    const FailureGroup *group = currentGroup();
    return group ? failureGroupMarkdown(*group, m_sample) : QString();
}

void FailuresPanel::copyMarkdown()
{
    const QString text = currentMarkdown();
    if (!text.isEmpty())
        QApplication::clipboard()->setText(text);
}
