#include "rowwriter.h"

#include <algorithm>

#include "displaytext.h"
#include "taskresultjson.h"
#include "timeparse.h"

QString csvField(const QString &text)
{
    if (!text.contains(u',') && !text.contains(u'"') && !text.contains(u'\n') && !text.contains(u'\r'))
        return text;
    QString quoted = text;
    quoted.replace(QStringLiteral("\""), QStringLiteral("\"\""));
    return u'"' + quoted + u'"';
}

QVector<int> fitColumns(const QVector<int> &natural, const QVector<int> &minimum,
                        const QVector<bool> &shrinkable, int separator, int maxWidth)
{
    QVector<int> widths = natural;
    if (maxWidth <= 0)
        return widths;
    int total = separator * std::max(0, int(widths.size()) - 1);
    for (int w : widths)
        total += w;
    while (total > maxWidth) {
        // Shrink the widest column that may still shrink, one character at a time.
        int widest = -1;
        for (int i = 0; i < widths.size(); ++i) {
            if (shrinkable.at(i) && widths.at(i) > minimum.at(i)
                && (widest < 0 || widths.at(i) > widths.at(widest))) {
                widest = i;
            }
        }
        if (widest < 0)
            break; // nothing left to shrink: the line overflows
        --widths[widest];
        --total;
    }
    return widths;
}

namespace {

QString csvValue(const TaskResult &row, Field field)
{
    switch (field) {
    case Field::RowId: return row.rowId >= 0 ? QString::number(row.rowId) : QString();
    case Field::TaskId: return row.taskId;
    case Field::TaskName: return row.taskName;
    case Field::PeriodicTaskName: return row.periodicTaskName;
    case Field::Status: return row.status;
    case Field::Worker: return row.worker;
    case Field::Args: return row.args;
    case Field::Kwargs: return row.kwargs;
    case Field::Result: return row.result;
    case Field::Traceback: return row.traceback;
    case Field::Meta: return row.meta;
    case Field::ContentType: return row.contentType;
    case Field::ContentEncoding: return row.contentEncoding;
    case Field::DateCreated: return TimeParse::formatTimestamp(row.dateCreated);
    case Field::DateStarted: return TimeParse::formatTimestamp(row.dateStarted);
    case Field::DateDone: return TimeParse::formatTimestamp(row.dateDone);
    case Field::GroupId: return row.groupId;
    case Field::ParentId: return row.parentId;
    case Field::Queue: return row.queue;
    case Field::Retries: return row.retries >= 0 ? QString::number(row.retries) : QString();
    case Field::Hidden: return row.hidden ? QStringLiteral("true") : QStringLiteral("false");
    case Field::Expires: return TimeParse::formatTimestamp(row.expires);
    case Field::FieldCount: break;
    }
    return {};
}

class CsvWriter final : public RowWriter
{
public:
    CsvWriter(TextSink sink, QVector<Field> fields, bool header)
        : m_sink(std::move(sink)), m_fields(std::move(fields)), m_header(header)
    {
    }
    void begin() override
    {
        if (!m_header)
            return;
        QStringList header;
        for (Field field : m_fields)
            header << fieldName(field);
        m_sink(header.join(u',') + QStringLiteral("\r\n"));
    }
    void writePage(const QVector<TaskResult> &rows) override
    {
        QString chunk;
        for (const TaskResult &row : rows) {
            for (qsizetype i = 0; i < m_fields.size(); ++i) {
                if (i > 0)
                    chunk += u',';
                chunk += csvField(csvValue(row, m_fields.at(i)));
            }
            chunk += QLatin1String("\r\n");
        }
        m_sink(chunk);
    }

private:
    TextSink m_sink;
    QVector<Field> m_fields;
    bool m_header = true;
};

class JsonWriter final : public RowWriter
{
public:
    JsonWriter(TextSink sink, QVector<Field> fields, bool lines, bool decoded)
        : m_sink(std::move(sink)), m_fields(std::move(fields)), m_lines(lines), m_decoded(decoded)
    {
    }
    void begin() override
    {
        if (!m_lines)
            m_sink(ResultJsonArray::begin());
    }
    void writePage(const QVector<TaskResult> &rows) override
    {
        QString chunk;
        for (const TaskResult &row : rows) {
            if (m_lines) {
                appendResultJson(chunk, row, m_fields, false, m_decoded);
                chunk += u'\n';
            } else {
                m_array.append(chunk, row, m_fields, m_decoded);
            }
        }
        m_sink(chunk);
    }
    void end() override
    {
        if (!m_lines)
            m_sink(m_array.end());
    }

private:
    TextSink m_sink;
    QVector<Field> m_fields;
    bool m_lines = false;
    bool m_decoded = false;
    ResultJsonArray m_array;
};

/// date_done, status, task_name, task_id, worker (or the columns asked for); widths fixed
/// from the first page.
class TableWriter final : public RowWriter
{
public:
    TableWriter(TextSink sink, const RowWriter::Options &options)
        : m_sink(std::move(sink)), m_maxWidth(options.maxWidth), m_header(options.header),
          m_chosen(!options.columns.isEmpty()),
          m_fields(m_chosen ? options.columns
                            : QVector<Field>{Field::DateDone, Field::Status, Field::TaskName, Field::TaskId, Field::Worker}),
          m_columns(int(m_fields.size()))
    {
    }

    void writePage(const QVector<TaskResult> &rows) override
    {
        if (m_widths.isEmpty())
            layout(rows);
        QString chunk;
        for (const TaskResult &row : rows)
            chunk += line(cells(row));
        m_sink(chunk);
    }
    void end() override
    {
        if (m_widths.isEmpty())
            layout({}); // the header alone for an empty result
    }

private:
    static constexpr int separator = 2;

    /// A stored value as the table shows it: escaped (DisplayText), '-' for NULL.
    static QString cell(const QString &value)
    {
        return value.isNull() ? QStringLiteral("-") : DisplayText::value(value);
    }

    static QString dateCell(const QDateTime &date)
    {
        return date.isValid() ? date.toUTC().toString(QStringLiteral("yyyy-MM-dd HH:mm:ss")) : QStringLiteral("-");
    }

    QStringList cells(const TaskResult &row) const
    {
        QStringList values;
        for (Field field : m_fields) {
            switch (field) {
            case Field::DateDone: values << dateCell(row.dateDone); break;
            case Field::DateStarted: values << dateCell(row.dateStarted); break;
            case Field::DateCreated: values << dateCell(row.dateCreated); break;
            default: values << cell(csvValue(row, field)); break;
            }
        }
        return values;
    }

    /// The narrowest a column may get: dates and task ids never shrink.
    static int minimumWidth(Field field, int natural)
    {
        switch (field) {
        case Field::DateDone:
        case Field::DateStarted:
        case Field::DateCreated: return 19;
        case Field::TaskId: return natural;
        case Field::Status: return std::min(natural, 7);
        case Field::TaskName: return std::min(natural, 10);
        default: return std::min(natural, 8);
        }
    }

    void layout(const QVector<TaskResult> &rows)
    {
        QStringList header;
        for (Field field : m_fields)
            header << fieldName(field);
        QVector<int> natural;
        for (const QString &title : header)
            natural << int(title.size());
        // A column is as wide as its widest value, up to DisplayText::maxColumns: one absurd
        // value (a 100,000-character status) is cut, not every row widened to it.
        for (const TaskResult &row : rows) {
            const QStringList values = cells(row);
            for (int i = 0; i < values.size(); ++i)
                natural[i] = std::max(natural[i], std::min(DisplayText::width(values.at(i)), DisplayText::maxColumns));
        }
        // Dates and task_id (what `stalk show` takes) never shrink.
        QVector<int> minimum;
        QVector<bool> shrinkable;
        for (int i = 0; i < m_columns; ++i) {
            minimum << minimumWidth(m_fields.at(i), natural.at(i));
            shrinkable << (minimum.constLast() < natural.at(i));
        }
        m_widths = fitColumns(natural, minimum, shrinkable, separator, m_maxWidth);
        if (!m_chosen && m_maxWidth > 0 && totalWidth() > m_maxWidth) {
            // A narrow terminal (80 columns): drop the worker column rather than wrap (columns
            // asked for with --fields are all kept).
            m_columns = 4;
            natural.removeLast();
            minimum.removeLast();
            shrinkable.removeLast();
            m_widths = fitColumns(natural, minimum, shrinkable, separator, m_maxWidth);
        }
        if (m_header)
            m_sink(line(header));
    }

    int totalWidth() const
    {
        int total = separator * (int(m_widths.size()) - 1);
        for (int width : m_widths)
            total += width;
        return total;
    }

    QString line(const QStringList &values) const
    {
        QString text;
        for (int i = 0; i < m_columns; ++i) {
            // Task names keep their last, most telling part: "…tasks.parse_amount".
            const Qt::TextElideMode mode = m_fields.at(i) == Field::TaskName ? Qt::ElideLeft : Qt::ElideRight;
            // Without a terminal the widths of the first page only align; nothing but an
            // absurd value is cut.
            const int room = m_maxWidth > 0 ? m_widths.at(i) : std::max(m_widths.at(i), DisplayText::maxColumns);
            const QString value = DisplayText::elided(values.at(i), room, mode);
            if (i + 1 == m_columns) {
                text += value; // no trailing spaces
            } else {
                text += DisplayText::padded(value, m_widths.at(i)) + QString(separator, u' ');
            }
        }
        return text + u'\n';
    }

    TextSink m_sink;
    int m_maxWidth = 0;
    bool m_header = true;
    bool m_chosen = false; ///< the columns came from --fields
    QVector<Field> m_fields;
    int m_columns = 0; ///< the first m_columns of m_fields are shown
    QVector<int> m_widths;
};

} // namespace

std::unique_ptr<RowWriter> RowWriter::create(Format format, TextSink sink,
                                             const QVector<Field> &fields, const Options &options)
{
    switch (format) {
    case Format::Table: return std::make_unique<TableWriter>(std::move(sink), options);
    case Format::Csv:
        return std::make_unique<CsvWriter>(std::move(sink), options.columns.isEmpty() ? fields : options.columns,
                                           options.header);
    case Format::Json: return std::make_unique<JsonWriter>(std::move(sink), fields, false, options.decoded);
    case Format::JsonLines: return std::make_unique<JsonWriter>(std::move(sink), fields, true, options.decoded);
    }
    return nullptr;
}

std::optional<RowWriter::Format> RowWriter::formatNamed(const QString &name)
{
    for (const Format format : {Format::Table, Format::Csv, Format::Json, Format::JsonLines}) {
        if (name == formatName(format))
            return format;
    }
    return std::nullopt;
}

QString RowWriter::formatName(Format format)
{
    switch (format) {
    case Format::Table: return QStringLiteral("table");
    case Format::Csv: return QStringLiteral("csv");
    case Format::Json: return QStringLiteral("json");
    case Format::JsonLines: return QStringLiteral("jsonl");
    }
    return {};
}
