#include "filterpanel.h"

#include <algorithm>

#include <QComboBox>
#include <QDateTimeEdit>
#include <QFormLayout>
#include <QGuiApplication>
#include <QLabel>
#include <QLineEdit>
#include <QListWidget>
#include <QLocale>
#include <QPushButton>
#include <QVBoxLayout>

#include "statusstyle.h"

namespace {

constexpr int ValueRole = Qt::UserRole;
constexpr int IsNullRole = Qt::UserRole + 1;
constexpr int CountRole = Qt::UserRole + 2;

QString noneText()
{
    return FilterPanel::tr("(none)");
}

struct CheckedValue
{
    QString value;
    bool isNull;
    bool operator==(const CheckedValue &o) const
    {
        return isNull == o.isNull && (isNull || value == o.value);
    }
};

QVector<CheckedValue> checkedOf(const QListWidget *list)
{
    QVector<CheckedValue> out;
    for (int i = 0; i < list->count(); ++i) {
        const QListWidgetItem *item = list->item(i);
        if (item->checkState() == Qt::Checked)
            out.push_back({item->data(ValueRole).toString(), item->data(IsNullRole).toBool()});
    }
    return out;
}

QLabel *heading(const QString &text, QWidget *parent)
{
    auto *label = new QLabel(text, parent);
    QFont f = label->font();
    f.setBold(true);
    label->setFont(f);
    label->setContentsMargins(0, 6, 0, 0);
    return label;
}

QListWidget *facetList(const QString &objectName, const QString &accessibleName, QWidget *parent)
{
    auto *list = new QListWidget(parent);
    list->setObjectName(objectName);
    list->setAccessibleName(accessibleName);
    list->setUniformItemSizes(true);
    list->setSelectionMode(QAbstractItemView::SingleSelection);
    list->setTextElideMode(Qt::ElideMiddle);
    list->setHorizontalScrollBarPolicy(Qt::ScrollBarAlwaysOff);
    return list;
}

} // namespace

FilterPanel::FilterPanel(QWidget *parent) : QWidget(parent)
{
    setObjectName(QStringLiteral("filterPanel"));
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(6, 4, 6, 6);
    layout->setSpacing(3);

    // Date range.
    layout->addWidget(heading(tr("Date done"), this));
    m_dateRange = new QComboBox(this);
    m_dateRange->setObjectName(QStringLiteral("dateRangeCombo"));
    m_dateRange->setAccessibleName(tr("Date done range"));
    m_dateRange->addItem(tr("Any time"), int(DateRange::Any));
    m_dateRange->addItem(tr("Last hour"), int(DateRange::LastHour));
    m_dateRange->addItem(tr("Last 24 hours"), int(DateRange::LastDay));
    m_dateRange->addItem(tr("Last 7 days"), int(DateRange::LastWeek));
    m_dateRange->addItem(tr("Custom range…"), int(DateRange::Custom));
    layout->addWidget(m_dateRange);

    m_customRange = new QWidget(this);
    auto *form = new QFormLayout(m_customRange);
    form->setContentsMargins(0, 0, 0, 0);
    form->setFieldGrowthPolicy(QFormLayout::AllNonFixedFieldsGrow);
    const QDateTime now = QDateTime::currentDateTime();
    m_from = new QDateTimeEdit(now.addDays(-1), m_customRange);
    m_from->setObjectName(QStringLiteral("dateFromEdit"));
    m_to = new QDateTimeEdit(now, m_customRange);
    m_to->setObjectName(QStringLiteral("dateToEdit"));
    for (QDateTimeEdit *edit : {m_from, m_to}) {
        edit->setDisplayFormat(QStringLiteral("yyyy-MM-dd HH:mm"));
        edit->setCalendarPopup(true);
        edit->setTimeSpec(Qt::LocalTime);
    }
    form->addRow(tr("&From:"), m_from);
    form->addRow(tr("&To:"), m_to);
    m_customRange->setVisible(false);
    layout->addWidget(m_customRange);

    // Facets.
    m_statusLabel = heading(tr("Status"), this);
    m_statusLabel->setObjectName(QStringLiteral("statusHeading"));
    m_status = facetList(QStringLiteral("statusFacet"), tr("Status filter"), this);
    layout->addWidget(m_statusLabel);
    layout->addWidget(m_status);

    m_taskNameLabel = heading(tr("Task name"), this);
    m_taskNameLabel->setObjectName(QStringLiteral("taskNameHeading"));
    m_taskNameFilter = new QLineEdit(this);
    m_taskNameFilter->setObjectName(QStringLiteral("taskNameNarrow"));
    m_taskNameFilter->setPlaceholderText(tr("Type to narrow…"));
    m_taskNameFilter->setClearButtonEnabled(true);
    m_taskNames = facetList(QStringLiteral("taskNameFacet"), tr("Task name filter"), this);
    layout->addWidget(m_taskNameLabel);
    layout->addWidget(m_taskNameFilter);
    layout->addWidget(m_taskNames, 3);

    m_workerLabel = heading(tr("Worker"), this);
    m_workerLabel->setObjectName(QStringLiteral("workerHeading"));
    m_workers = facetList(QStringLiteral("workerFacet"), tr("Worker filter"), this);
    layout->addWidget(m_workerLabel);
    layout->addWidget(m_workers, 1);

    m_periodicLabel = heading(tr("Periodic task"), this);
    m_periodicLabel->setObjectName(QStringLiteral("periodicTaskHeading"));
    m_periodic = facetList(QStringLiteral("periodicTaskFacet"), tr("Periodic task filter"), this);
    layout->addWidget(m_periodicLabel);
    layout->addWidget(m_periodic, 1);

    m_clear = new QPushButton(tr("C&lear filters"), this);
    m_clear->setObjectName(QStringLiteral("clearFiltersButton"));
    m_clear->setEnabled(false);
    layout->addSpacing(4);
    layout->addWidget(m_clear);

    for (QListWidget *list : {m_status, m_taskNames, m_workers, m_periodic}) {
        connect(list, &QListWidget::itemChanged, this, [this] {
            if (m_updating)
                return;
            updateHeadings();
            Q_EMIT filtersChanged();
        });
        // A click anywhere on a value toggles it (the check box alone is a small target), and
        // so does Return; Space already does through the delegate.
        connect(list, &QListWidget::itemPressed, this, [this](QListWidgetItem *item) {
            m_pressedItem = item;
            m_pressedState = item->checkState();
        });
        connect(list, &QListWidget::itemClicked, this, [this](QListWidgetItem *item) {
            const bool untouched = item == m_pressedItem && item->checkState() == m_pressedState;
            m_pressedItem = nullptr;
            if (untouched) // the click was not on the check box itself
                item->setCheckState(item->checkState() == Qt::Checked ? Qt::Unchecked : Qt::Checked);
        });
        connect(list, &QListWidget::itemActivated, this, [](QListWidgetItem *item) {
            if (QGuiApplication::mouseButtons() != Qt::NoButton)
                return; // a double click: the clicks already toggled
            item->setCheckState(item->checkState() == Qt::Checked ? Qt::Unchecked : Qt::Checked);
        });
    }
    connect(m_taskNameFilter, &QLineEdit::textChanged, this, [this] { applyNarrowing(); });
    connect(m_dateRange, &QComboBox::currentIndexChanged, this, [this] {
        m_customRange->setVisible(m_dateRange->currentData().toInt() == int(DateRange::Custom));
        if (m_updating)
            return;
        updateHeadings();
        Q_EMIT filtersChanged();
    });
    for (QDateTimeEdit *edit : {m_from, m_to}) {
        connect(edit, &QDateTimeEdit::dateTimeChanged, this, [this] {
            if (!m_updating && m_dateRange->currentData().toInt() == int(DateRange::Custom))
                Q_EMIT filtersChanged();
        });
    }
    connect(m_clear, &QPushButton::clicked, this, &FilterPanel::clearFilters);

    fitHeight(m_status, 7);
    fitHeight(m_workers, 5);
    fitHeight(m_periodic, 5);
}

QListWidget *FilterPanel::listFor(Field field) const
{
    switch (field) {
    case Field::Status:
        return m_status;
    case Field::TaskName:
        return m_taskNames;
    case Field::Worker:
        return m_workers;
    case Field::PeriodicTaskName:
        return m_periodic;
    default:
        return nullptr;
    }
}

void FilterPanel::populate(QListWidget *list, const QVector<FacetValue> &values)
{
    const QVector<CheckedValue> checked = checkedOf(list);
    // Unchanged values, and no ticked leftover to add or drop: the list is already what this
    // would build (ticks and the current item live in the items themselves).
    const auto shown = m_shownFacets.constFind(list);
    if (shown != m_shownFacets.cend() && *shown == values && list->count() == values.size()
        && std::all_of(checked.cbegin(), checked.cend(), [&values](const CheckedValue &c) {
               return std::any_of(values.cbegin(), values.cend(), [&c](const FacetValue &fv) {
                   return CheckedValue{fv.value, fv.value.isNull()} == c;
               });
           }))
        return;
    m_shownFacets.insert(list, values);
    const QString currentValue = list->currentItem() ? list->currentItem()->data(ValueRole).toString()
                                                     : QString();
    const bool currentNull = list->currentItem() && list->currentItem()->data(IsNullRole).toBool();
    const QLocale locale;

    const int rowHeight = list->fontMetrics().height() + 8;
    QVector<CheckedValue> seen;
    auto addItem = [&](const QString &value, bool isNull, qint64 count) {
        const CheckedValue key{value, isNull};
        seen.push_back(key);
        const QString shown = isNull ? noneText() : (value.isEmpty() ? tr("(empty)") : value);
        auto *item = new QListWidgetItem(
            QStringLiteral("%1 (%2)").arg(shown, locale.toString(count)), list);
        item->setData(ValueRole, value);
        item->setData(IsNullRole, isNull);
        item->setFlags(Qt::ItemIsEnabled | Qt::ItemIsSelectable | Qt::ItemIsUserCheckable);
        item->setCheckState(checked.contains(key) ? Qt::Checked : Qt::Unchecked);
        item->setSizeHint(QSize(0, rowHeight));
        item->setToolTip(isNull ? tr("No value stored (NULL)") : value);
        if (list == m_status && !isNull)
            item->setIcon(StatusStyle::icon(value, list->fontMetrics().height()));
        item->setData(CountRole, count);
        paintCount(item);
        if (isNull == currentNull && value == currentValue)
            list->setCurrentItem(item, QItemSelectionModel::NoUpdate);
    };

    m_updating = true;
    m_pressedItem = nullptr;
    list->clear();
    for (const FacetValue &fv : values)
        addItem(fv.value, fv.value.isNull(), fv.count);
    // A ticked value with no match left stays visible (and ticked) so it can be unticked.
    for (const CheckedValue &c : checked) {
        if (!seen.contains(c))
            addItem(c.value, c.isNull, 0);
    }
    m_updating = false;
}

void FilterPanel::setFacets(const Facets &facets)
{
    populate(m_status, facets.statuses);
    populate(m_taskNames, facets.taskNames);
    populate(m_workers, facets.workers);
    populate(m_periodic, facets.periodicTaskNames);
    fitHeight(m_status, 7);
    fitHeight(m_workers, 5);
    fitHeight(m_periodic, 5);
    applyNarrowing();
    updateHeadings();
}

void FilterPanel::paintCount(QListWidgetItem *item) const
{
    const QListWidget *list = item->listWidget();
    if (m_facetsPending || item->data(CountRole).toLongLong() == 0)
        item->setForeground(list->palette().brush(QPalette::Disabled, QPalette::Text));
    else
        item->setData(Qt::ForegroundRole, QVariant());
}

void FilterPanel::setFacetsPending(bool pending)
{
    if (pending == m_facetsPending)
        return;
    m_facetsPending = pending;
    const bool wasUpdating = m_updating;
    m_updating = true; // a repaint of the items, not a tick
    for (QListWidget *list : {m_status, m_taskNames, m_workers, m_periodic}) {
        for (int i = 0; i < list->count(); ++i)
            paintCount(list->item(i));
    }
    m_updating = wasUpdating;
    updateHeadings();
}

void FilterPanel::setAvailableFields(FieldSet fields)
{
    const bool tasks = fields.contains(Field::TaskName);
    m_taskNameLabel->setVisible(tasks);
    m_taskNameFilter->setVisible(tasks);
    m_taskNames->setVisible(tasks);
    const bool workers = fields.contains(Field::Worker);
    m_workerLabel->setVisible(workers);
    m_workers->setVisible(workers);
    const bool periodic = fields.contains(Field::PeriodicTaskName);
    m_periodicLabel->setVisible(periodic);
    m_periodic->setVisible(periodic);
}

void FilterPanel::fitHeight(QListWidget *list, int maxRows)
{
    const int rowHeight = qMax(list->sizeHintForRow(0), list->fontMetrics().height() + 8);
    const int rows = qBound(2, list->count(), maxRows);
    list->setMaximumHeight(rows * rowHeight + 2 * list->frameWidth() + 2);
    list->setMinimumHeight(qMin(2, rows) * rowHeight + 2 * list->frameWidth() + 2);
}

void FilterPanel::applyNarrowing()
{
    const QString needle = m_taskNameFilter->text().trimmed();
    for (int i = 0; i < m_taskNames->count(); ++i) {
        QListWidgetItem *item = m_taskNames->item(i);
        // Ticked values never disappear from view.
        const bool match = needle.isEmpty() || item->checkState() == Qt::Checked
            || item->text().contains(needle, Qt::CaseInsensitive);
        item->setHidden(!match);
    }
}

void FilterPanel::updateHeadings()
{
    const bool pending = m_facetsPending;
    auto label = [pending](QLabel *l, const QString &name, const QListWidget *list) {
        const int n = checkedOf(list).size();
        QString text = n ? FilterPanel::tr("%1 · %2 selected").arg(name).arg(n) : name;
        // The counts below are the previous query's until the new ones arrive.
        if (pending)
            text = FilterPanel::tr("%1 · counting…").arg(text);
        l->setText(text);
        l->setToolTip(pending ? FilterPanel::tr("These counts are for the previous filters and search; the new "
                                                "ones are being counted.")
                              : QString());
    };
    label(m_statusLabel, tr("Status"), m_status);
    label(m_taskNameLabel, tr("Task name"), m_taskNames);
    label(m_workerLabel, tr("Worker"), m_workers);
    label(m_periodicLabel, tr("Periodic task"), m_periodic);
    m_clear->setEnabled(hasFilters());
}

QStringList FilterPanel::checkedValues(Field field) const
{
    QStringList out;
    const QListWidget *list = listFor(field);
    if (!list)
        return out;
    for (const CheckedValue &c : checkedOf(list))
        out.push_back(c.isNull ? QString() : (c.value.isNull() ? QStringLiteral("") : c.value));
    return out;
}

void FilterPanel::applyTo(TaskQuery *query) const
{
    query->statuses = checkedValues(Field::Status);
    query->taskNames = checkedValues(Field::TaskName);
    query->workers = checkedValues(Field::Worker);
    query->periodicTaskNames = checkedValues(Field::PeriodicTaskName);
    query->doneAfter = QDateTime();
    query->doneBefore = QDateTime();
    const QDateTime now = QDateTime::currentDateTimeUtc();
    switch (DateRange(m_dateRange->currentData().toInt())) {
    case DateRange::Any:
        break;
    case DateRange::LastHour:
        query->doneAfter = now.addSecs(-3600);
        break;
    case DateRange::LastDay:
        query->doneAfter = now.addDays(-1);
        break;
    case DateRange::LastWeek:
        query->doneAfter = now.addDays(-7);
        break;
    case DateRange::Custom:
        query->doneAfter = m_from->dateTime().toUTC();
        query->doneBefore = m_to->dateTime().toUTC();
        break;
    }
}

bool FilterPanel::hasFilters() const
{
    for (const QListWidget *list : {m_status, m_taskNames, m_workers, m_periodic}) {
        if (!checkedOf(list).isEmpty())
            return true;
    }
    return m_dateRange->currentData().toInt() != int(DateRange::Any);
}

FilterPanel::DateRange FilterPanel::dateRange() const
{
    return DateRange(m_dateRange->currentData().toInt());
}

QDateTime FilterPanel::customFrom() const
{
    return m_from->dateTime().toUTC();
}

QDateTime FilterPanel::customTo() const
{
    return m_to->dateTime().toUTC();
}

bool FilterPanel::isDateRangeRelative() const
{
    const int range = m_dateRange->currentData().toInt();
    return range != int(DateRange::Any) && range != int(DateRange::Custom);
}

void FilterPanel::selectOnly(Field field, const QString &value)
{
    setSelected(field, {value});
}

void FilterPanel::setSelected(Field field, const QStringList &values)
{
    QListWidget *list = listFor(field);
    if (!list)
        return;
    auto wanted = [&values](const QString &value, bool isNull) {
        for (const QString &v : values) {
            if (v.isNull() ? isNull : (!isNull && v == value))
                return true;
        }
        return false;
    };
    m_updating = true;
    QStringList missing = values;
    for (int i = 0; i < list->count(); ++i) {
        QListWidgetItem *item = list->item(i);
        const bool isNull = item->data(IsNullRole).toBool();
        const QString value = item->data(ValueRole).toString();
        const bool match = wanted(value, isNull);
        item->setCheckState(match ? Qt::Checked : Qt::Unchecked);
        if (match) {
            missing.removeIf([&](const QString &v) { return v.isNull() ? isNull : (!isNull && v == value); });
            if (values.size() == 1)
                list->setCurrentItem(item, QItemSelectionModel::NoUpdate);
        }
    }
    for (const QString &value : std::as_const(missing)) {
        auto *item = new QListWidgetItem(
            QStringLiteral("%1 (%2)").arg(value.isNull() ? noneText() : value, QLocale().toString(0)),
            list);
        item->setData(ValueRole, value);
        item->setData(IsNullRole, value.isNull());
        item->setFlags(Qt::ItemIsEnabled | Qt::ItemIsSelectable | Qt::ItemIsUserCheckable);
        item->setCheckState(Qt::Checked);
    }
    m_updating = false;
    applyNarrowing();
    updateHeadings();
    Q_EMIT filtersChanged();
}

void FilterPanel::setDateRange(DateRange range, const QDateTime &from, const QDateTime &to)
{
    m_updating = true;
    if (from.isValid())
        m_from->setDateTime(from.toLocalTime());
    if (to.isValid())
        m_to->setDateTime(to.toLocalTime());
    m_dateRange->setCurrentIndex(m_dateRange->findData(int(range)));
    m_customRange->setVisible(range == DateRange::Custom);
    m_updating = false;
    updateHeadings();
    Q_EMIT filtersChanged();
}

void FilterPanel::clearFilters()
{
    if (!hasFilters())
        return;
    m_updating = true;
    for (QListWidget *list : {m_status, m_taskNames, m_workers, m_periodic}) {
        for (int i = 0; i < list->count(); ++i)
            list->item(i)->setCheckState(Qt::Unchecked);
    }
    m_dateRange->setCurrentIndex(0);
    m_customRange->setVisible(false);
    m_updating = false;
    applyNarrowing();
    updateHeadings();
    Q_EMIT filtersChanged();
}
