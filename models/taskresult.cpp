#include "taskresult.h"

#include <array>

namespace {

struct FieldNames
{
    const char *name;
    const char *label;
};

// Indexed by Field. Names are FORMATS.md's column names.
constexpr std::array<FieldNames, static_cast<int>(Field::FieldCount)> fieldNames{{
    {"id", "Row ID"},
    {"task_id", "Task ID"},
    {"task_name", "Task name"},
    {"periodic_task_name", "Periodic task"},
    {"status", "Status"},
    {"worker", "Worker"},
    {"task_args", "Args"},
    {"task_kwargs", "Kwargs"},
    {"result", "Result"},
    {"traceback", "Traceback"},
    {"meta", "Meta"},
    {"content_type", "Content type"},
    {"content_encoding", "Content encoding"},
    {"date_created", "Date created"},
    {"date_started", "Date started"},
    {"date_done", "Date done"},
    {"group_id", "Group ID"},
    {"parent_id", "Parent ID"},
    {"retries", "Retries"},
    {"queue", "Queue"},
    {"hidden", "Hidden"},
    {"expires", "Expires"},
}};

} // namespace

QString fieldName(Field field)
{
    return QString::fromLatin1(fieldNames.at(static_cast<size_t>(field)).name);
}

QString fieldLabel(Field field)
{
    return QString::fromLatin1(fieldNames.at(static_cast<size_t>(field)).label);
}

bool fieldFromName(const QString &name, Field *field)
{
    for (size_t i = 0; i < fieldNames.size(); ++i) {
        if (name == QLatin1String(fieldNames[i].name)) {
            *field = static_cast<Field>(i);
            return true;
        }
    }
    return false;
}

FieldSet FieldSet::all()
{
    FieldSet set;
    for (int i = 0; i < static_cast<int>(Field::FieldCount); ++i)
        set.insert(static_cast<Field>(i));
    return set;
}

qint64 totalOf(const QVector<FacetValue> &values)
{
    qint64 total = 0;
    for (const FacetValue &v : values)
        total += v.count;
    return total;
}

void sortFacetValues(QVector<FacetValue> &values)
{
    std::sort(values.begin(), values.end(), [](const FacetValue &a, const FacetValue &b) {
        if (a.count != b.count)
            return a.count > b.count;
        if (a.value.isNull() != b.value.isNull())
            return a.value.isNull();
        return a.value < b.value;
    });
}

QStringList runtimeStatuses()
{
    return {QStringLiteral("SUCCESS"), QStringLiteral("FAILURE")};
}

bool TaskResult::isReadyState(const QString &status)
{
    return status == QLatin1String("SUCCESS") || status == QLatin1String("FAILURE") || status == QLatin1String("REVOKED");
}

std::optional<Runtime> TaskResult::runtime() const
{
    const bool finished = runtimeStatuses().contains(status);
    if (!finished || !dateDone.isValid())
        return std::nullopt;
    const bool started = dateStarted.isValid();
    const QDateTime &from = started ? dateStarted : dateCreated;
    if (!from.isValid() || from > dateDone)
        return std::nullopt;
    return Runtime{from.msecsTo(dateDone), started ? Runtime::Basis::Started : Runtime::Basis::Created};
}

namespace {
// QString's == treats null and empty alike; NULL vs "" matters here.
bool sameText(const QString &a, const QString &b)
{
    return a.isNull() == b.isNull() && a == b;
}
} // namespace

bool operator==(const TaskResult &a, const TaskResult &b)
{
    return a.rowId == b.rowId && sameText(a.taskId, b.taskId) && sameText(a.taskName, b.taskName)
        && sameText(a.periodicTaskName, b.periodicTaskName) && sameText(a.status, b.status)
        && sameText(a.worker, b.worker) && sameText(a.args, b.args) && sameText(a.kwargs, b.kwargs)
        && sameText(a.result, b.result) && sameText(a.traceback, b.traceback)
        && sameText(a.meta, b.meta) && sameText(a.contentType, b.contentType)
        && sameText(a.contentEncoding, b.contentEncoding) && a.dateCreated == b.dateCreated
        && a.dateStarted == b.dateStarted && a.dateDone == b.dateDone
        && sameText(a.groupId, b.groupId) && sameText(a.parentId, b.parentId)
        && sameText(a.queue, b.queue) && a.retries == b.retries && a.hidden == b.hidden && a.expires == b.expires
        && a.complete == b.complete && a.problems == b.problems;
}
