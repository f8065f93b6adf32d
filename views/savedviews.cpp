#include "savedviews.h"

#include <QSettings>
#include <QVariantList>
#include <QVariantMap>

#include <algorithm>

bool operator==(const SavedView &a, const SavedView &b)
{
    // Lists compare NULL and "" apart (QString::operator== does not).
    auto same = [](const QStringList &x, const QStringList &y) {
        if (x.size() != y.size())
            return false;
        for (int i = 0; i < x.size(); ++i) {
            if (x.at(i) != y.at(i) || x.at(i).isNull() != y.at(i).isNull())
                return false;
        }
        return true;
    };
    return a.name == b.name && a.search == b.search && same(a.statuses, b.statuses)
        && same(a.taskNames, b.taskNames) && same(a.workers, b.workers)
        && same(a.periodicTaskNames, b.periodicTaskNames) && same(a.exceptions, b.exceptions)
        && a.fingerprints == b.fingerprints && a.dateRange == b.dateRange && a.from == b.from
        && a.to == b.to && a.sortColumn == b.sortColumn && a.sortOrder == b.sortOrder
        && a.hiddenColumns == b.hiddenColumns;
}

namespace {

QString listKey(const QString &connectionKey)
{
    return connectionKey + QStringLiteral("/savedViews");
}

// A NULL facet value is stored as an invalid QVariant: settings files keep it apart from "".
QVariantList toVariants(const QStringList &values)
{
    QVariantList out;
    for (const QString &value : values)
        out << (value.isNull() ? QVariant() : QVariant(value));
    return out;
}

QStringList fromVariants(const QVariant &stored)
{
    QStringList out;
    for (const QVariant &value : stored.toList())
        out << (value.isValid() ? value.toString() : QString());
    return out;
}

QVariantMap toMap(const SavedView &view)
{
    return {{QStringLiteral("name"), view.name},
            {QStringLiteral("search"), view.search},
            {QStringLiteral("statuses"), toVariants(view.statuses)},
            {QStringLiteral("taskNames"), toVariants(view.taskNames)},
            {QStringLiteral("workers"), toVariants(view.workers)},
            {QStringLiteral("periodicTaskNames"), toVariants(view.periodicTaskNames)},
            {QStringLiteral("exceptions"), toVariants(view.exceptions)},
            {QStringLiteral("fingerprints"), toVariants(view.fingerprints)},
            {QStringLiteral("dateRange"), int(view.dateRange)},
            {QStringLiteral("from"), view.from},
            {QStringLiteral("to"), view.to},
            {QStringLiteral("sortColumn"), view.sortColumn},
            {QStringLiteral("sortOrder"), int(view.sortOrder)},
            {QStringLiteral("hiddenColumns"), view.hiddenColumns}};
}

SavedView fromMap(const QVariantMap &map)
{
    SavedView view;
    view.name = map.value(QStringLiteral("name")).toString();
    view.search = map.value(QStringLiteral("search")).toString();
    view.statuses = fromVariants(map.value(QStringLiteral("statuses")));
    view.taskNames = fromVariants(map.value(QStringLiteral("taskNames")));
    view.workers = fromVariants(map.value(QStringLiteral("workers")));
    view.periodicTaskNames = fromVariants(map.value(QStringLiteral("periodicTaskNames")));
    view.exceptions = fromVariants(map.value(QStringLiteral("exceptions")));
    view.fingerprints = fromVariants(map.value(QStringLiteral("fingerprints")));
    const int range = map.value(QStringLiteral("dateRange")).toInt();
    view.dateRange = range >= int(FilterPanel::DateRange::Any) && range <= int(FilterPanel::DateRange::Custom)
        ? FilterPanel::DateRange(range)
        : FilterPanel::DateRange::Any;
    view.from = map.value(QStringLiteral("from")).toDateTime().toUTC();
    view.to = map.value(QStringLiteral("to")).toDateTime().toUTC();
    view.sortColumn = map.value(QStringLiteral("sortColumn"), -1).toInt();
    view.sortOrder = map.value(QStringLiteral("sortOrder")).toInt() == int(Qt::AscendingOrder) ? Qt::AscendingOrder
                                                                                               : Qt::DescendingOrder;
    view.hiddenColumns = map.value(QStringLiteral("hiddenColumns")).toStringList();
    return view;
}

void store(const QString &connectionKey, const QVector<SavedView> &views)
{
    QVariantList list;
    for (const SavedView &view : views)
        list << toMap(view);
    QSettings settings;
    if (list.isEmpty())
        settings.remove(listKey(connectionKey));
    else
        settings.setValue(listKey(connectionKey), list);
}

} // namespace

namespace SavedViews {

QVector<SavedView> load(const QString &connectionKey)
{
    QVector<SavedView> views;
    for (const QVariant &entry : QSettings().value(listKey(connectionKey)).toList()) {
        SavedView view = fromMap(entry.toMap());
        if (!view.name.isEmpty())
            views << view;
    }
    return views;
}

void save(const QString &connectionKey, const SavedView &view)
{
    QVector<SavedView> views = load(connectionKey);
    views.removeIf([&view](const SavedView &v) { return v.name == view.name; });
    views << view;
    std::sort(views.begin(), views.end(),
              [](const SavedView &a, const SavedView &b) { return a.name.localeAwareCompare(b.name) < 0; });
    store(connectionKey, views);
}

void remove(const QString &connectionKey, const QString &name)
{
    QVector<SavedView> views = load(connectionKey);
    views.removeIf([&name](const SavedView &v) { return v.name == name; });
    store(connectionKey, views);
}

} // namespace SavedViews
