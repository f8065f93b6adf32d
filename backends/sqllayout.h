#pragma once

#include "resultstore.h"
#include "sqldialect.h"

#include <QString>
#include <QVector>

#include <array>

/// Where a Celery result layout keeps each field: the results table, its columns, and the
/// group table (and which of their dates are indexed). Built from the columns the engine
/// lists (detectSqlLayout), never assumed.
/// Plain value type.
struct SqlLayout
{
    StoreInfo::Layout kind = StoreInfo::Layout::DjangoCeleryResults;
    QString table;
    /// Column name per Field; empty when the schema does not have it.
    std::array<QString, static_cast<size_t>(Field::FieldCount)> columns;
    QString groupTable;    ///< empty when absent
    QString groupDateDone; ///< the group table's date column
    QString groupKey;      ///< the group table's group id column (group_id, taskset_id); empty = unreadable
    QString groupResult;   ///< its result column (as_tuple JSON text, or a pickle BLOB in celery_tasksetmeta)
    bool groupContentType = false; ///< it has content_type and content_encoding (django-celery-results)
    DateTextStyle dateStyle = DateTextStyle::Django;
    /// celery_taskmeta: result is a pickle BLOB, handed up base64 with encoding "binary".
    bool binaryResult = false;
    /// celery_taskmeta: args/kwargs are JSON bytes (BLOB) rather than text.
    bool binaryText = false;
    /// date_done holds naive wall-clock values (SQLite text, MySQL datetime, PostgreSQL
    /// timestamp); false for PostgreSQL timestamptz, which holds instants.
    bool naiveDates = true;
    /// An index leads with the results table's / the group table's date_done. Set at open
    /// from the catalog where the engine tells cheaply (SQLite); false otherwise.
    bool dateDoneIndexed = false;
    bool groupDateDoneIndexed = false;
    /// Fields whose column compares under a case-insensitive collation (SqlColumn).
    FieldSet caseInsensitive;
    /// Fields whose column a pg_trgm index holds (SqlColumn).
    FieldSet trigramIndexed;
    /// Fields whose column is declared NOT NULL (SqlColumn).
    FieldSet notNull;

    QString column(Field field) const { return columns.at(static_cast<size_t>(field)); }
    bool has(Field field) const { return !column(field).isEmpty(); }
    FieldSet fields() const;
};

/// The names Stalk looks for.
namespace SqlTables {
inline const QString djangoTasks = QStringLiteral("django_celery_results_taskresult");
inline const QString djangoGroups = QStringLiteral("django_celery_results_groupresult");
inline const QString taskMeta = QStringLiteral("celery_taskmeta");
inline const QString taskSetMeta = QStringLiteral("celery_tasksetmeta");
} // namespace SqlTables

/// Which of the two layouts a table has, from its columns. Returns false when it is neither
/// (no task_id/status/date_done).
bool detectSqlLayout(const QString &table, const QVector<SqlColumn> &columns, SqlLayout *layout);

/// A human summary of a django-celery-results schema from its applied migrations
/// (names like "0011_taskresult_periodic_task_name") and columns.
QString describeDjangoSchema(const QStringList &migrations, const QVector<SqlColumn> &columns);
