#include "sqllayout.h"

#include <QRegularExpression>

FieldSet SqlLayout::fields() const
{
    FieldSet set;
    for (int i = 0; i < static_cast<int>(Field::FieldCount); ++i) {
        if (!columns.at(size_t(i)).isEmpty())
            set.insert(static_cast<Field>(i));
    }
    if (binaryResult) {
        // Synthesised for every row: the pickle is handed up as base64 "binary".
        set.insert(Field::ContentType);
        set.insert(Field::ContentEncoding);
    }
    return set;
}

namespace {

struct ColumnField
{
    const char *column;
    Field field;
};

const ColumnField djangoColumns[] = {
    {"id", Field::RowId},
    {"task_id", Field::TaskId},
    {"task_name", Field::TaskName},
    {"periodic_task_name", Field::PeriodicTaskName},
    {"status", Field::Status},
    {"worker", Field::Worker},
    {"task_args", Field::Args},
    {"task_kwargs", Field::Kwargs},
    {"result", Field::Result},
    {"traceback", Field::Traceback},
    {"meta", Field::Meta},
    {"content_type", Field::ContentType},
    {"content_encoding", Field::ContentEncoding},
    {"date_created", Field::DateCreated},
    {"date_started", Field::DateStarted},
    {"date_done", Field::DateDone},
    {"hidden", Field::Hidden},
};

// celery.backends.database.models.TaskExtended (result_extended at table creation adds
// name, args, kwargs, worker, retries, queue).
const ColumnField taskMetaColumns[] = {
    {"id", Field::RowId},
    {"task_id", Field::TaskId},
    {"status", Field::Status},
    {"result", Field::Result},
    {"date_done", Field::DateDone},
    {"traceback", Field::Traceback},
    {"name", Field::TaskName},
    {"args", Field::Args},
    {"kwargs", Field::Kwargs},
    {"worker", Field::Worker},
    {"retries", Field::Retries},
    {"queue", Field::Queue},
};

bool hasColumn(const QVector<SqlColumn> &columns, const char *name)
{
    for (const SqlColumn &c : columns) {
        if (c.name == QLatin1String(name))
            return true;
    }
    return false;
}

QString columnType(const QVector<SqlColumn> &columns, const char *name)
{
    for (const SqlColumn &c : columns) {
        if (c.name == QLatin1String(name))
            return c.type;
    }
    return {};
}

} // namespace

bool detectSqlLayout(const QString &table, const QVector<SqlColumn> &columns, SqlLayout *layout)
{
    if (!hasColumn(columns, "id") || !hasColumn(columns, "task_id") || !hasColumn(columns, "status")
        || !hasColumn(columns, "date_done") || !hasColumn(columns, "result")) {
        return false;
    }
    SqlLayout l;
    l.table = table;
    // django-celery-results always has content_type; Celery's table never does.
    const bool django = hasColumn(columns, "content_type");
    if (django) {
        l.kind = StoreInfo::Layout::DjangoCeleryResults;
        l.dateStyle = DateTextStyle::Django;
        for (const ColumnField &cf : djangoColumns) {
            if (hasColumn(columns, cf.column))
                l.columns[size_t(cf.field)] = QLatin1String(cf.column);
        }
    } else {
        l.kind = StoreInfo::Layout::CeleryTaskMeta;
        l.dateStyle = DateTextStyle::SqlAlchemy;
        l.binaryResult = true;
        l.binaryText = true;
        for (const ColumnField &cf : taskMetaColumns) {
            if (hasColumn(columns, cf.column))
                l.columns[size_t(cf.field)] = QLatin1String(cf.column);
        }
    }
    for (const SqlColumn &c : columns) {
        for (int i = 0; i < int(Field::FieldCount); ++i) {
            if (l.columns.at(size_t(i)) != c.name)
                continue;
            if (c.caseInsensitive)
                l.caseInsensitive.insert(Field(i));
            if (c.trigramIndexed)
                l.trigramIndexed.insert(Field(i));
            if (c.notNull)
                l.notNull.insert(Field(i));
        }
    }
    const QString dateType = columnType(columns, "date_done");
    l.naiveDates = !dateType.contains(QLatin1String("timestamptz")) && !dateType.contains(QLatin1String("with time zone"));
    *layout = l;
    return true;
}

namespace {

// The django-celery-results release that introduced a migration, where FORMATS.md and the
// upstream changelog are certain; other migrations are named without a version.
struct MigrationVersion
{
    int number;
    const char *version; ///< UTF-8
};
const MigrationVersion migrationVersions[] = {
    {1, "≥ 1.0"}, {5, "≥ 1.2"}, {6, "≥ 1.2"}, {11, "2.3–2.5"}, {12, "≥ 2.6"}, {13, "≥ 2.6"}, {14, "≥ 2.6"},
};

} // namespace

QString describeDjangoSchema(const QStringList &migrations, const QVector<SqlColumn> &columns)
{
    QStringList traits;
    if (hasColumn(columns, "hidden"))
        traits << QStringLiteral("1.x layout with the hidden column");
    if (!hasColumn(columns, "worker"))
        traits << QStringLiteral("no worker");
    if (!hasColumn(columns, "date_created"))
        traits << QStringLiteral("no date_created");
    if (!hasColumn(columns, "task_name"))
        traits << QStringLiteral("no task_name/args/kwargs");
    if (!hasColumn(columns, "periodic_task_name"))
        traits << QStringLiteral("no periodic_task_name");
    if (hasColumn(columns, "date_started"))
        traits << QStringLiteral("date_started");
    static const QRegularExpression width(QStringLiteral(R"(\((\d+)\))"));
    const auto idWidth = width.match(columnType(columns, "task_id"));
    if (idWidth.hasMatch() && idWidth.captured(1) != QLatin1String("255"))
        traits << QStringLiteral("task_id varchar(%1)").arg(idWidth.captured(1));

    QString summary = QStringLiteral("django-celery-results");
    if (!migrations.isEmpty()) {
        const QString last = migrations.constLast();
        const int number = last.left(4).toInt();
        QString version;
        for (const MigrationVersion &mv : migrationVersions) {
            if (mv.number == number)
                version = QString::fromUtf8(mv.version);
        }
        if (number > 14)
            version = QStringLiteral("newer than 2.6");
        if (!version.isEmpty())
            summary += u' ' + version;
        summary += QStringLiteral(" (migration %1)").arg(last);
    } else {
        summary += QStringLiteral(" (no django_migrations record)");
    }
    if (!traits.isEmpty())
        summary += QStringLiteral("; ") + traits.join(QStringLiteral(", "));
    return summary;
}
