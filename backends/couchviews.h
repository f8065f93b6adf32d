#pragma once

#include "aggregates.h"
#include "taskquery.h"

#include <QDateTime>
#include <QJsonArray>
#include <QJsonObject>
#include <QJsonValue>
#include <QString>
#include <QVector>

#include <optional>

/// The views of Stalk's design document (CouchDesign) as a query language: which view and
/// key ranges answer a TaskQuery, the rule a view row passes, and reading the rows. Pure
/// functions and plain value types; any thread. CouchStore sends the requests.
///
/// Every view emits the meta's date_done as four texts, [day, hour, minute, second], in
/// UTC with six fraction digits ("2025-05-01", "10", "00", "00.123456"), or [null] for a
/// result without one; each text has one fixed form, so CouchDB's collation orders them as
/// the instants, and a group_level ends at a day, an hour or a minute (TimeBucket). Every
/// key ends with the document id, so each key is one row's and a page goes on after the
/// last key it read (no startkey_docid, which PouchDB ignores). Keys:
///   by_date       [date…, id]
///   by_status     [status, date…, id]
///   by_task_name  [task_name, date…, id]
///   by_worker     [worker, date…, id]
/// and every row's value is [status, task_name, worker], so a filter on one of them runs on
/// the rows of another view's range without reading the documents.
namespace CouchViews {

enum class View { ByDate, ByStatus, ByTaskName, ByWorker };

/// "by_status"
QString name(View view);
/// The field a view is keyed by (Field::DateDone for by_date).
Field fieldOf(View view);
/// The view keyed by a field (by_date for DateDone); none for the fields no view sorts.
std::optional<View> viewOf(Field field);

/// The four texts of a UTC instant plus the microseconds beyond its milliseconds (0-999).
QJsonArray dateKey(const QDateTime &utc, int extraMicroseconds = 0);
/// The instant of a date key and its microseconds beyond the milliseconds; invalid for
/// [null] or anything that is not dateKey()'s form.
QDateTime dateOfKey(const QJsonArray &dateParts, int *extraMicroseconds = nullptr);
/// How many of a key's leading elements a group_level must keep to group by this bucket
/// (after the view's own field, if any).
int groupLevel(View view, TimeBucket bucket);

/// One row of a view read with reduce=false.
struct Row
{
    QString docId;
    QJsonArray key;
    QString status;
    QString taskName; ///< null: none
    QString worker;   ///< null: none
    QDateTime dateDone;
    int extraMicroseconds = 0;
};
/// A row of `view`'s answer; none when it is not one this design document emits.
std::optional<Row> readRow(const QJsonObject &row, View view);
/// Orders two keys of `view` by what follows its own field (the date, then the document
/// id), as the view orders rows of one value: negative, 0 or positive. JSON null comes
/// before texts, and texts compare by code points (the date texts have one fixed form, so
/// CouchDB's collation orders them alike; document ids of one date may differ in order from
/// CouchDB's Unicode collation, which no page relies on).
int compareAfterOwnField(const QJsonArray &a, const QJsonArray &b, View view);
/// A set filter's value as the views emit it (a null QString is JSON null).
QJsonValue keyValue(const QString &value);

/// Keys from low to high, both included (the views' order: ascending).
struct Range
{
    QJsonArray low;
    QJsonArray high;
};

/// The date bounds of a range: date_done >= from and < before (+ beforeMicroseconds of its
/// millisecond); both invalid = every row, NULL dates included; either set = NULL excluded.
struct DateBounds
{
    QDateTime from;
    QDateTime before;
    int beforeMicroseconds = 0;
    bool isOpen() const { return !from.isValid() && !before.isValid(); }
    /// The bounds cannot hold any instant (before <= from).
    bool isEmpty() const;
    /// The same rule on one row's date.
    bool contains(const QDateTime &date, int extraMicroseconds) const;
};

/// The rows of `view` whose own field is `value` (by_date: every row) within the bounds.
/// `value` is ignored for by_date.
Range range(View view, const QJsonValue &value, const DateBounds &bounds);

/// How a query is answered from the views: the rows of `view` in `ranges` (concatenated in
/// this order), each of which must also pass `residual` when set.
struct Plan
{
    View view = View::ByDate;
    /// The values of the view's own field, one range each (by_date: one, without a value).
    QVector<QJsonValue> values;
    QVector<Range> ranges;
    /// Rows in the ranges still need matches(): a filter on a field other than the view's.
    bool residual = false;
};

/// Why the views cannot answer this query, for a sentence ("a search", "the exception
/// filter", "sorting by result"); empty when they can. Sorting is only checked when
/// `withSort` (a count or facets do not sort).
QString unsupported(const TaskQuery &query, bool withSort);
/// The query's date range as bounds.
DateBounds boundsOf(const TaskQuery &query);
/// The plan for the query's rows through `view`: one range per value of the query's filter
/// on the view's field (every value of it when unfiltered), residual when another field is
/// filtered. The query must be supported (unsupported() empty).
Plan planFor(const TaskQuery &query, View view);
/// The filtered view with the fewest values; by_date when nothing is filtered.
View narrowestView(const TaskQuery &query);
/// The query's set filters and date range on one row (the index's rules: setContains(),
/// date_done >= doneAfter and < doneBefore).
bool matches(const Row &row, const TaskQuery &query);
/// The query without its set filter on `field` (Status, TaskName, Worker): a facet's query.
TaskQuery withoutFilterOn(const TaskQuery &query, Field field);
/// True when the query filters no status, task name or worker.
bool hasNoSetFilter(const TaskQuery &query);

/// The rows of a purge as a query: the criteria's narrowing (statuses, task names, workers)
/// and date_done in [doneAfter, cutoff); the microseconds of the cutoff in *bounds.
TaskQuery queryOf(const PurgeCriteria &criteria, DateBounds *bounds);
/// Why the views cannot select a purge's rows ("a search"); empty when they can.
QString unsupported(const PurgeCriteria &criteria);

/// The query parameters of a view request (JSON-encoded keys, as CouchDB reads them).
QVector<QPair<QString, QString>> rangeQuery(const Range &range, bool descending);

} // namespace CouchViews
