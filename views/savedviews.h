#pragma once

#include "filterpanel.h"
#include "taskresult.h"

#include <QDateTime>
#include <QStringList>
#include <QVector>

/// One named view of a connection: the search, the ticked facet values, the date range, the
/// sort and the hidden columns. Plain value type.
struct SavedView
{
    QString name;
    QString search;
    QStringList statuses; ///< null QString = NULL, as in TaskQuery
    QStringList taskNames;
    QStringList workers;
    QStringList periodicTaskNames;
    QStringList exceptions;   ///< TaskQuery::exceptions (set by the Failures view's Show in Table)
    QStringList fingerprints; ///< TaskQuery::fingerprints (likewise)
    FilterPanel::DateRange dateRange = FilterPanel::DateRange::Any;
    QDateTime from; ///< Custom only (UTC)
    QDateTime to;
    int sortColumn = -1; ///< a TaskResultModel column; -1 = leave the sort as it is
    Qt::SortOrder sortOrder = Qt::DescendingOrder;
    QStringList hiddenColumns; ///< ResultTableView::columnKey()s

    friend bool operator==(const SavedView &a, const SavedView &b);
    friend bool operator!=(const SavedView &a, const SavedView &b) { return !(a == b); }
};

/// The saved views of one connection, in QSettings under its ConnectionBar::settingsKey():
/// one list, so that a name may hold any character. Names are unique; saving under an
/// existing name replaces that view. GUI thread.
namespace SavedViews {

QVector<SavedView> load(const QString &connectionKey);
/// Adds view, or replaces the view of the same name; the list stays sorted by name.
void save(const QString &connectionKey, const SavedView &view);
void remove(const QString &connectionKey, const QString &name);

} // namespace SavedViews
