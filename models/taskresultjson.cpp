#include "taskresultjson.h"

#include "jsonescape.h"
#include "timeparse.h"
#include "valuedecoder.h"

QVector<Field> outputFields(const StoreInfo &info)
{
    QVector<Field> fields{Field::RowId,       Field::TaskId,      Field::TaskName,
                          Field::PeriodicTaskName, Field::Status, Field::Worker,
                          Field::Args,        Field::Kwargs,      Field::Result,
                          Field::Traceback,   Field::Meta,        Field::ContentType,
                          Field::ContentEncoding, Field::DateCreated, Field::DateStarted,
                          Field::DateDone};
    for (Field extra : {Field::GroupId, Field::ParentId, Field::Queue, Field::Retries, Field::Hidden, Field::Expires}) {
        if (info.fields.contains(extra))
            fields << extra;
    }
    return fields;
}

namespace {

/// The --decode keys and their values (null QString = NULL).
QVector<QPair<QString, QString>> decodedValues(const TaskResult &row)
{
    const auto arguments = [](const QString &stored) {
        return stored.isNull() ? QString() : ValueDecoder::decodeArguments(stored).text;
    };
    return {
        {QStringLiteral("task_args_decoded"), arguments(row.args)},
        {QStringLiteral("task_kwargs_decoded"), arguments(row.kwargs)},
        {QStringLiteral("result_decoded"),
         row.result.isNull() ? QString()
                             : ValueDecoder::decodeResult(row.result, row.contentType, row.contentEncoding).text},
    };
}

void appendJsonString(QString &out, const QString &text)
{
    out += u'"';
    JsonEscape::append(out, text, JsonEscape::Mode::ControlOnly);
    out += u'"';
}

void appendJsonText(QString &out, const QString &text)
{
    if (text.isNull())
        out += QLatin1String("null");
    else
        appendJsonString(out, text);
}

void appendJsonDate(QString &out, const QDateTime &date)
{
    if (date.isValid())
        appendJsonString(out, TimeParse::formatTimestamp(date));
    else
        out += QLatin1String("null");
}

void appendJsonValue(QString &out, const TaskResult &row, Field field)
{
    switch (field) {
    case Field::RowId:
        if (row.rowId >= 0)
            out += QString::number(row.rowId);
        else
            out += QLatin1String("null");
        return;
    case Field::TaskId: return appendJsonText(out, row.taskId);
    case Field::TaskName: return appendJsonText(out, row.taskName);
    case Field::PeriodicTaskName: return appendJsonText(out, row.periodicTaskName);
    case Field::Status: return appendJsonText(out, row.status);
    case Field::Worker: return appendJsonText(out, row.worker);
    case Field::Args: return appendJsonText(out, row.args);
    case Field::Kwargs: return appendJsonText(out, row.kwargs);
    case Field::Result: return appendJsonText(out, row.result);
    case Field::Traceback: return appendJsonText(out, row.traceback);
    case Field::Meta: return appendJsonText(out, row.meta);
    case Field::ContentType: return appendJsonText(out, row.contentType);
    case Field::ContentEncoding: return appendJsonText(out, row.contentEncoding);
    case Field::DateCreated: return appendJsonDate(out, row.dateCreated);
    case Field::DateStarted: return appendJsonDate(out, row.dateStarted);
    case Field::DateDone: return appendJsonDate(out, row.dateDone);
    case Field::GroupId: return appendJsonText(out, row.groupId);
    case Field::ParentId: return appendJsonText(out, row.parentId);
    case Field::Queue: return appendJsonText(out, row.queue);
    case Field::Retries:
        if (row.retries >= 0)
            out += QString::number(row.retries);
        else
            out += QLatin1String("null");
        return;
    case Field::Hidden: out += row.hidden ? QLatin1String("true") : QLatin1String("false"); return;
    case Field::Expires: return appendJsonDate(out, row.expires);
    case Field::FieldCount: break;
    }
    out += QLatin1String("null");
}

/// "\"task_id\":" for every field, built once: list writes these millions of times.
const QVector<QString> &jsonKeys()
{
    static const QVector<QString> keys = [] {
        QVector<QString> all;
        for (int i = 0; i < int(Field::FieldCount); ++i)
            all << u'"' + fieldName(static_cast<Field>(i)) + QStringLiteral("\":");
        return all;
    }();
    return keys;
}

} // namespace

void appendResultJson(QString &out, const TaskResult &row, const QVector<Field> &fields, bool indented,
                      bool decoded)
{
    const QLatin1String between = indented ? QLatin1String(",\n    ") : QLatin1String(",");
    out += indented ? QLatin1String("{\n    ") : QLatin1String("{");
    bool first = true;
    for (Field field : fields) {
        if (!first)
            out += between;
        first = false;
        out += jsonKeys().at(int(field));
        if (indented)
            out += u' ';
        appendJsonValue(out, row, field);
    }
    if (decoded) {
        for (const auto &[key, value] : decodedValues(row)) {
            out += between;
            appendJsonString(out, key);
            out += indented ? QLatin1String(": ") : QLatin1String(":");
            appendJsonText(out, value);
        }
    }
    if (!row.problems.isEmpty()) {
        out += between;
        out += indented ? QLatin1String("\"problems\": [") : QLatin1String("\"problems\":[");
        for (qsizetype i = 0; i < row.problems.size(); ++i) {
            if (i > 0)
                out += u',';
            appendJsonString(out, row.problems.at(i));
        }
        out += u']';
    }
    out += indented ? QLatin1String("\n}\n") : QLatin1String("}");
}

QString resultJsonText(const TaskResult &row, const QVector<Field> &fields, bool indented, bool decoded)
{
    QString out;
    appendResultJson(out, row, fields, indented, decoded);
    return out;
}

void ResultJsonArray::append(QString &out, const TaskResult &row, const QVector<Field> &fields, bool decoded)
{
    out += m_first ? QLatin1String("\n") : QLatin1String(",\n");
    m_first = false;
    appendResultJson(out, row, fields, false, decoded);
}
