#include "couchviews.h"

#include <QJsonDocument>

#include <algorithm>

namespace CouchViews {

namespace {

QString twoDigits(int n)
{
    return QStringLiteral("%1").arg(n, 2, 10, QLatin1Char('0'));
}

/// The set filter of a query on a view's field.
const QStringList &filterOn(const TaskQuery &query, View view)
{
    static const QStringList none;
    switch (view) {
    case View::ByStatus:
        return query.statuses;
    case View::ByTaskName:
        return query.taskNames;
    case View::ByWorker:
        return query.workers;
    case View::ByDate:
        break;
    }
    return none;
}

QJsonArray concat(QJsonArray head, const QJsonArray &tail)
{
    for (const QJsonValue &v : tail)
        head.append(v);
    return head;
}

/// A key element's text, or a null QString for JSON null (anything else: an empty text,
/// which no filter value but "" matches; the views emit only texts and null).
QString textOf(const QJsonValue &v)
{
    return v.isString() ? v.toString() : v.isNull() ? QString() : QStringLiteral("");
}

} // namespace

namespace {

/// Each view, its name in the design document and the field its keys start with.
struct ViewEntry
{
    View view;
    const char *name;
    Field field;
};
constexpr ViewEntry views[] = {{View::ByDate, "by_date", Field::DateDone},
                               {View::ByStatus, "by_status", Field::Status},
                               {View::ByTaskName, "by_task_name", Field::TaskName},
                               {View::ByWorker, "by_worker", Field::Worker}};

const ViewEntry &entryOf(View view)
{
    return *std::find_if(std::begin(views), std::end(views), [view](const ViewEntry &e) { return e.view == view; });
}

} // namespace

QString name(View view)
{
    return QLatin1String(entryOf(view).name);
}

Field fieldOf(View view)
{
    return entryOf(view).field;
}

std::optional<View> viewOf(Field field)
{
    for (const ViewEntry &e : views) {
        if (e.field == field)
            return e.view;
    }
    return std::nullopt;
}

QJsonArray dateKey(const QDateTime &utc, int extraMicroseconds)
{
    const QDateTime t = utc.toUTC();
    const QDate d = t.date();
    const QTime h = t.time();
    const int micros = h.msec() * 1000 + qBound(0, extraMicroseconds, 999);
    return {QStringLiteral("%1-%2-%3").arg(d.year(), 4, 10, QLatin1Char('0')).arg(twoDigits(d.month()), twoDigits(d.day())),
            twoDigits(h.hour()), twoDigits(h.minute()),
            QStringLiteral("%1.%2").arg(twoDigits(h.second())).arg(micros, 6, 10, QLatin1Char('0'))};
}

QDateTime dateOfKey(const QJsonArray &parts, int *extraMicroseconds)
{
    if (parts.size() != 4)
        return QDateTime();
    const QString day = parts.at(0).toString();
    const QString second = parts.at(3).toString();
    const QDate date = QDate::fromString(day, Qt::ISODate);
    bool okH = false, okM = false, okS = false, okF = false;
    const int hour = parts.at(1).toString().toInt(&okH);
    const int minute = parts.at(2).toString().toInt(&okM);
    const int sec = second.left(2).toInt(&okS);
    const int micros = second.mid(3).toInt(&okF);
    if (!date.isValid() || day.size() != 10 || second.size() != 9 || second.at(2) != QLatin1Char('.') || !okH || !okM
        || !okS || !okF)
        return QDateTime();
    const QTime time(hour, minute, sec, micros / 1000);
    if (!time.isValid())
        return QDateTime();
    if (extraMicroseconds)
        *extraMicroseconds = micros % 1000;
    return QDateTime(date, time, Qt::UTC);
}

int groupLevel(View view, TimeBucket bucket)
{
    const int own = view == View::ByDate ? 0 : 1;
    switch (bucket) {
    case TimeBucket::Day:
        return own + 1;
    case TimeBucket::Hour:
        return own + 2;
    case TimeBucket::Minute:
        break;
    }
    return own + 3;
}

QJsonValue keyValue(const QString &value)
{
    return value.isNull() ? QJsonValue(QJsonValue::Null) : QJsonValue(value);
}

std::optional<Row> readRow(const QJsonObject &object, View view)
{
    Row row;
    row.docId = object.value(QLatin1String("id")).toString();
    row.key = object.value(QLatin1String("key")).toArray();
    const QJsonArray value = object.value(QLatin1String("value")).toArray();
    const int own = view == View::ByDate ? 0 : 1;
    if (row.docId.isEmpty() || value.size() != 3 || !value.at(0).isString() || row.key.size() < own + 2
        || row.key.last() != QJsonValue(row.docId))
        return std::nullopt;
    row.status = value.at(0).toString();
    row.taskName = textOf(value.at(1));
    row.worker = textOf(value.at(2));
    QJsonArray date;
    for (qsizetype k = own; k < row.key.size() - 1; ++k)
        date.append(row.key.at(k));
    if (!(date.size() == 1 && date.at(0).isNull())) {
        row.dateDone = dateOfKey(date, &row.extraMicroseconds);
        if (!row.dateDone.isValid())
            return std::nullopt;
    }
    return row;
}

int compareAfterOwnField(const QJsonArray &a, const QJsonArray &b, View view)
{
    // CouchDB's order of JSON types: null, false, true, numbers, texts, arrays, objects.
    const auto rank = [](const QJsonValue &v) {
        switch (v.type()) {
        case QJsonValue::Null: return 0;
        case QJsonValue::Bool: return v.toBool() ? 2 : 1;
        case QJsonValue::Double: return 3;
        case QJsonValue::String: return 4;
        case QJsonValue::Array: return 5;
        default: return 6;
        }
    };
    for (qsizetype k = view == View::ByDate ? 0 : 1;; ++k) {
        if (k >= a.size() || k >= b.size())
            return int(a.size() > k) - int(b.size() > k); // the shorter key first
        const QJsonValue x = a.at(k), y = b.at(k);
        if (const int r = rank(x) - rank(y))
            return r;
        if (x.isString()) {
            if (const int c = x.toString().compare(y.toString()))
                return c;
        } else if (x.isDouble() && x.toDouble() != y.toDouble()) {
            return x.toDouble() < y.toDouble() ? -1 : 1;
        }
        // Equal texts or numbers, nulls, booleans of one rank: the next element decides
        // (nested arrays and objects, which the views never emit, count as equal).
    }
}

bool DateBounds::isEmpty() const
{
    return from.isValid() && before.isValid()
        && (before < from || (before == from && beforeMicroseconds <= 0));
}

bool DateBounds::contains(const QDateTime &date, int extraMicroseconds) const
{
    if (isOpen())
        return true;
    if (!date.isValid())
        return false;
    if (from.isValid() && date < from)
        return false;
    if (before.isValid()) {
        if (date > before)
            return false;
        if (date == before && extraMicroseconds >= beforeMicroseconds)
            return false;
    }
    return true;
}

Range range(View view, const QJsonValue &value, const DateBounds &bounds)
{
    const QJsonArray head = view == View::ByDate ? QJsonArray() : QJsonArray{value};
    Range r;
    if (bounds.isOpen()) {
        // [v] sorts before [v, null] and [v, "…"]; {} after every text.
        r.low = head;
        r.high = concat(head, QJsonArray{QJsonObject()});
        return r;
    }
    // A bound excludes NULL dates: the lowest text, "", is above null.
    r.low = bounds.from.isValid() ? concat(head, dateKey(bounds.from)) : concat(head, QJsonArray{QString(QLatin1String(""))});
    if (bounds.before.isValid()) {
        // date < before  <=>  key <= the microsecond before it.
        const QDateTime last = bounds.beforeMicroseconds > 0 ? bounds.before : bounds.before.addMSecs(-1);
        const int micros = bounds.beforeMicroseconds > 0 ? bounds.beforeMicroseconds - 1 : 999;
        // Every document id of that microsecond too: {} sorts after every text.
        r.high = concat(concat(head, dateKey(last, micros)), QJsonArray{QJsonObject()});
    } else {
        r.high = concat(head, QJsonArray{QJsonObject()});
    }
    return r;
}

QString unsupported(const TaskQuery &query, bool withSort)
{
    if (!query.searchTerms().isEmpty())
        return QStringLiteral("a search");
    if (!query.exceptionFilter().isEmpty())
        return QStringLiteral("the exception filter");
    if (!query.periodicTaskNames.isEmpty())
        return QStringLiteral("the periodic task filter");
    if (withSort && !viewOf(query.sortField))
        return QStringLiteral("this sort order");
    return QString();
}

DateBounds boundsOf(const TaskQuery &query)
{
    DateBounds b;
    b.from = query.doneAfter.isValid() ? query.doneAfter.toUTC() : QDateTime();
    b.before = query.doneBefore.isValid() ? query.doneBefore.toUTC() : QDateTime();
    return b;
}

View narrowestView(const TaskQuery &query)
{
    std::optional<View> best;
    qsizetype fewest = 0;
    for (View v : {View::ByStatus, View::ByTaskName, View::ByWorker}) {
        const qsizetype n = filterOn(query, v).size();
        if (n > 0 && (!best || n < fewest)) {
            best = v;
            fewest = n;
        }
    }
    return best.value_or(View::ByDate);
}

bool hasNoSetFilter(const TaskQuery &query)
{
    return query.statuses.isEmpty() && query.taskNames.isEmpty() && query.workers.isEmpty();
}

Plan planFor(const TaskQuery &query, View view)
{
    Plan plan;
    plan.view = view;
    const DateBounds bounds = boundsOf(query);
    const QStringList &own = filterOn(query, view);
    if (view == View::ByDate || own.isEmpty()) {
        plan.values = {QJsonValue(QJsonValue::Undefined)};
        Range all = range(View::ByDate, QJsonValue(), bounds);
        if (view != View::ByDate) {
            // The whole view: its own field takes any value, so the date is checked per row.
            all.low = QJsonArray();
            all.high = QJsonArray{QJsonObject()};
        }
        plan.ranges = {all};
    } else {
        QStringList values = own;
        // One range per distinct value, in the views' order of texts (null first).
        std::sort(values.begin(), values.end(), [](const QString &a, const QString &b) {
            if (a.isNull() != b.isNull())
                return a.isNull();
            return a < b;
        });
        QString previous;
        bool first = true;
        for (const QString &value : std::as_const(values)) {
            if (!first && value == previous && value.isNull() == previous.isNull())
                continue;
            first = false;
            previous = value;
            plan.values.append(keyValue(value));
            plan.ranges.append(range(view, keyValue(value), bounds));
        }
    }
    for (View other : {View::ByStatus, View::ByTaskName, View::ByWorker}) {
        if (other != view && !filterOn(query, other).isEmpty())
            plan.residual = true;
    }
    if (view != View::ByDate && own.isEmpty() && !bounds.isOpen())
        plan.residual = true;
    return plan;
}

bool matches(const Row &row, const TaskQuery &query)
{
    if (!query.statuses.isEmpty() && !setContains(query.statuses, row.status))
        return false;
    if (!query.taskNames.isEmpty() && !setContains(query.taskNames, row.taskName))
        return false;
    if (!query.workers.isEmpty() && !setContains(query.workers, row.worker))
        return false;
    return boundsOf(query).contains(row.dateDone, row.extraMicroseconds);
}

TaskQuery withoutFilterOn(const TaskQuery &query, Field field)
{
    TaskQuery q = query;
    if (field == Field::Status)
        q.statuses.clear();
    else if (field == Field::TaskName)
        q.taskNames.clear();
    else if (field == Field::Worker)
        q.workers.clear();
    return q;
}

TaskQuery queryOf(const PurgeCriteria &criteria, DateBounds *bounds)
{
    TaskQuery q;
    q.statuses = criteria.statuses;
    q.taskNames = criteria.taskNames;
    q.workers = criteria.workers;
    q.doneAfter = criteria.doneAfter;
    q.doneBefore = criteria.cutoff;
    q.sortField = Field::DateDone;
    q.sortOrder = Qt::AscendingOrder;
    if (bounds) {
        *bounds = boundsOf(q);
        bounds->beforeMicroseconds = criteria.cutoffExtraMicroseconds;
    }
    return q;
}

QString unsupported(const PurgeCriteria &criteria)
{
    if (!criteria.searchTerms().isEmpty())
        return QStringLiteral("a search");
    if (!criteria.exceptionFilter().isEmpty())
        return QStringLiteral("the exception filter");
    if (!criteria.periodicTaskNames.isEmpty())
        return QStringLiteral("the periodic task filter");
    if (criteria.cacheExpired)
        return QStringLiteral("the cache expiry");
    if (!criteria.cutoff.isValid())
        return QStringLiteral("a purge without a cutoff");
    return QString();
}

QVector<QPair<QString, QString>> rangeQuery(const Range &range, bool descending)
{
    const auto text = [](const QJsonArray &key) {
        return QString::fromUtf8(QJsonDocument(key).toJson(QJsonDocument::Compact));
    };
    QVector<QPair<QString, QString>> q{{QStringLiteral("startkey"), text(descending ? range.high : range.low)},
                                       {QStringLiteral("endkey"), text(descending ? range.low : range.high)}};
    if (descending)
        q.append({QStringLiteral("descending"), QStringLiteral("true")});
    return q;
}

} // namespace CouchViews
