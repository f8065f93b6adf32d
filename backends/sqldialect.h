#pragma once

#include "aggregates.h"
#include "stalklog.h"
#include "storeerror.h"
#include "storeurl.h"

#include <QDateTime>
#include <QHash>
#include <QSqlDatabase>
#include <QSqlError>
#include <QString>
#include <QStringList>
#include <QVariant>
#include <QVector>

#include <atomic>
#include <functional>
#include <memory>

/// Sends the warnings Qt's SQL module and drivers write on their own (no logging category
/// in Qt 6.4, or qt.sql.* in later versions: "QSqlQuery::exec: database not open",
/// "QMYSQLResult::cleanup: …", "Unable to free statement") to lcSql ("stalk.sql", off by
/// default: a failure is already reported once, as a StoreError sentence) instead of
/// standard error; `stalk --verbose` or QT_LOGGING_RULES="stalk.sql=true" shows them.
/// Installs a message handler for the process; other messages go on to the handler that
/// was installed before. Call once, early in main().
void routeSqlDriverWarnings();

/// How long a statement waits for another connection's lock before failing with Locked.
constexpr int defaultBusyTimeoutMs = 5000;

/// How a layout's writer renders datetimes as text, which matters wherever the database
/// compares dates as TEXT (SQLite): Stalk must render its parameters the same way so that
/// its comparisons select exactly the rows the writer's own code would.
enum class DateTextStyle {
    /// Django's SQLite adapter: str(naive UTC datetime), "YYYY-MM-DD HH:MM:SS" with
    /// ".ffffff" only when the microsecond is not zero.
    Django,
    /// SQLAlchemy's SQLite DATETIME: always "YYYY-MM-DD HH:MM:SS.ffffff".
    SqlAlchemy,
};

/// One column of a table as the engine reports it.
struct SqlColumn
{
    QString name;
    QString type; ///< declared type, lower case ("varchar(191)", "datetime", "blob")
    /// Compared under a case-insensitive collation (MariaDB/MySQL "…_ci"): its LIKE ignores case.
    bool caseInsensitive = false;
    /// A valid, whole-table pg_trgm index (GIN or GiST) holds the column (PostgreSQL): LIKE
    /// and ILIKE on it may use the index.
    bool trigramIndexed = false;
    /// Declared NOT NULL (the servers' catalogs tell; SQLite's is not asked).
    bool notNull = false;
    /// The first column of an index of its table (an index on the column itself, not on an
    /// expression; on PostgreSQL not a partial one): a purge may walk that index in order.
    bool leadsIndex = false;
};

/// What schema detection needs from the catalog, read at open: the tables of the database
/// and the columns of the tables asked for (those that exist). Plain value type.
struct SqlCatalog
{
    QStringList tables;
    QHash<QString, QVector<SqlColumn>> columns; ///< by table, in declaration order
};

/// A column a search tests, as SqlStatements hands it to SqlDialect::searchPredicate().
struct SearchColumn
{
    QString expression; ///< the column quoted (as text when it holds bytes)
    bool decodeJson = false; ///< JSON text (args, kwargs): the JSON-escaped term matches too
    bool caseInsensitive = false; ///< SqlColumn::caseInsensitive
    bool trigramIndexed = false; ///< SqlColumn::trigramIndexed
};

/// The columns the exception of a row is read from, as SqlStatements hands them to
/// SqlDialect::exceptionPredicate(): each quoted, or NULL where the schema lacks it.
struct ExceptionColumns
{
    QString result, contentType, contentEncoding, traceback;
    bool rawPickle = false; ///< the result column holds pickle bytes (celery_taskmeta)
};

/// Everything that differs between SQL engines, in one place: how to connect, how to list
/// tables and columns, the SQL fragments that are not portable (case-insensitive search),
/// how values travel in and out (dates), and how engine errors become StoreError values.
/// SqlStatements builds every statement from these pieces and from an SqlLayout.
///
/// Engines: SqliteDialect, PostgresDialect (QPSQL), MysqlDialect (QMYSQL, MariaDB and MySQL).
///
/// Stateless apart from what connect() records; owned by one SqlStore and used on its thread,
/// except interrupt(), which may be called from any thread.
class SqlDialect
{
public:
    virtual ~SqlDialect() = default;

    /// "SQLite", "PostgreSQL", "MariaDB".
    virtual QString engineName() const = 0;
    /// Where the data lives, for messages (a path, or host/database without password).
    virtual QString location() const = 0;

    /// Adds and opens the connection `connectionName` in the calling thread and prepares it
    /// (timeouts, functions). On failure the connection may exist and is removed by the store.
    virtual StoreError connect(const QString &connectionName) = 0;
    /// Thread-safe: abort the statement running on the connection right now.
    virtual void interrupt() = 0;
    /// Called by the store before the connection is closed.
    virtual void disconnect() = 0;
    /// The counter of the engine's stalk_tally() function (SQLite): thread-safe to read while
    /// a statement runs; nullptr where the engine has none. Lives as long as the dialect.
    virtual std::atomic<qint64> *searchTally() { return nullptr; }

    /// The tables of the database and the columns of those of `tables` that exist: one
    /// catalog round trip on the servers for Stalk's own tables (schema detection at every CLI
    /// call); any number of tables may be asked for.
    virtual Outcome<SqlCatalog> catalog(QSqlDatabase &db, const QStringList &tables) const = 0;

    /// An identifier quoted for this engine. Only ever applied to names that the engine itself
    /// listed (tableNames/columns), never to user text.
    /// The SQL standard's double quotes (SQLite, PostgreSQL); MySQL/MariaDB use backticks.
    virtual QString quote(const QString &identifier) const;

    /// A boolean SQL fragment true when the column contains the search term, case-insensitively
    /// for all of Unicode; with decodeJson, also when the JSON-unescaped column contains it.
    /// Its positional placeholders are bound, in order, with the values appended to *values
    /// (an engine may need the term in more than one form, e.g. raw and JSON-escaped; each
    /// distinct form once).
    virtual QString searchPredicate(const SearchColumn &column, const QString &term, QVariantList *values) const = 0;

    /// A condition true when `part` occurs in the column's value, `part` bound through
    /// *values (as UTF-8 bytes for a binary column): POSITION(? IN column) > 0. What
    /// SqlStatements::exceptionCandidates() narrows with, where only a superset matters.
    virtual QString containsPredicate(const QString &column, const QString &part, bool binaryColumn,
                                      QVariantList *values) const;

    /// A boolean SQL fragment true when the row's exception (ValueDecoder::exceptionOf())
    /// passes `filter` (ExceptionFilter::matches()), the filter bound through *values; empty
    /// where the engine cannot run that rule inside a statement (the servers: the type sits in
    /// JSON or pickled results, and only Stalk's reader reads both as `stalk failures` does).
    virtual QString exceptionPredicate(const ExceptionColumns & /*columns*/, const ExceptionFilter & /*filter*/,
                                       QVariantList * /*values*/) const
    {
        return {};
    }

    /// A statement deleting at most N rows that match `where` (a " WHERE …" clause or empty),
    /// first in `order` (a column expression: the id, or an indexed date column whose index
    /// the engine then walks, reading only the rows it deletes). Placeholders: those of
    /// `where`, then N. Engines differ here: MySQL and MariaDB refuse LIMIT inside an IN
    /// subquery but accept DELETE … ORDER BY … LIMIT.
    virtual QString batchDeleteSql(const QString &table, const QString &idColumn, const QString &where,
                                   const QString &order) const = 0;

    /// How a date column is selected so that readDate() can read it. SQLite selects the column
    /// as stored; the servers render it as UTC text with microseconds, so no driver-specific
    /// QDateTime conversion (local-time labels, lost microseconds) is involved.
    virtual QString dateSelect(const QString &column) const { return column; }

    /// A date column cut down to the start of its bucket (minute, hour or day of the stored
    /// value, as stored: UTC, or the wall clock of naive local dates), selected so that
    /// readDate() reads it; NULL for NULL. What a history groups by.
    virtual QString truncatedDate(const QString &column, TimeBucket bucket) const = 0;
    /// `to` − `from` in seconds, to the microsecond, as a floating-point expression; NULL when
    /// either is NULL. What runtimes are computed from.
    virtual QString secondsBetween(const QString &from, const QString &to) const = 0;
    /// The minute of a date column as an integer: whole minutes since 1970-01-01 00:00 of the
    /// stored value (UTC, or the wall clock of naive local dates, as truncatedDate() reads it);
    /// NULL for NULL. What a failure group's trend counts by.
    virtual QString minuteNumber(const QString &column) const = 0;
    /// An aggregate: the non-NULL values of an integer expression over a group as one text of
    /// decimals separated by commas, in no particular order (SQLite's group_concat); NULL or
    /// empty for none. Read by SqlStatements::readMinutes().
    virtual QString integerList(const QString &expression) const = 0;

    /// True when NULL sorts below every value (first in ascending order): SQLite, MariaDB and
    /// MySQL; PostgreSQL sorts it above.
    virtual bool nullsSortLow() const { return true; }
    /// True when the engine groups one input by several sets at once (GROUP BY GROUPING SETS:
    /// PostgreSQL); SqlStatements::facetTally() then needs no second grouping over a CTE.
    virtual bool hasGroupingSets() const { return false; }

    /// A SELECT of `columns` from `table` with `where` (" WHERE …" or empty) whose rows an
    /// ORDER BY around it sorts after they are found, never by walking an index through the
    /// table (PostgreSQL: the subquery kept apart by OFFSET 0, MariaDB/MySQL: USE INDEX FOR
    /// ORDER BY ()), so that a rare search is one scan of the table; empty where the engine
    /// has no such form (SqlStatements::scannedPage()).
    virtual QString scannedSelect(const QString &columns, const QString &table, const QString &where) const
    {
        Q_UNUSED(columns)
        Q_UNUSED(table)
        Q_UNUSED(where)
        return {};
    }

    /// The first `chars` characters (or bytes, for binary columns) of an expression.
    virtual QString prefixExpression(const QString &expression, int chars) const = 0;
    /// A binary column holding UTF-8 text (celery_taskmeta's JSON args) as a text expression,
    /// used for display and for search.
    virtual QString binaryAsText(const QString &column) const = 0;

    /// True when the engine gave a read-only connection although writing was asked for (a
    /// write-protected file): the store then reports itself read-only.
    virtual bool connectionIsReadOnly() const { return false; }

    /// A UTC datetime (plus 0-999 microseconds beyond its milliseconds) as the engine should
    /// receive it to compare with stored values.
    virtual QVariant dateValue(const QDateTime &utc, DateTextStyle style, int extraMicroseconds = 0) const = 0;
    /// A stored datetime as UTC; invalid with *problem set when it cannot be read, invalid
    /// without a problem for NULL.
    virtual QDateTime readDate(const QVariant &stored, QString *problem) const = 0;

    /// A statement giving the engine's own row estimate for the table bound as its one
    /// placeholder (planner statistics: instant on any size, maybe stale); empty when the
    /// engine keeps none. A negative answer means "not known yet".
    virtual QString estimatedRowsSql() const { return {}; }
    /// True when the engine plans without statistics and a unary "+" on a column keeps its
    /// index out of the plan (SQLite): SqlStore then lets a SqlitePlanner choose the plans
    /// (a filtered page steered onto the sort column's index when the filter matches many
    /// rows, a search's probe, walk or scan).
    virtual bool steersIndexWithUnaryPlus() const { return false; }

    /// Statements that open and close a short write transaction.
    virtual QString beginWriteSql() const = 0;
    /// True when a write transaction locks the whole database against every other writer
    /// (SQLite), not only the rows it changes: purge batches then report
    /// DeleteBatch::excludedWriters and the Purger lets other writers in between them.
    virtual bool writeLocksWholeDatabase() const { return false; }
    virtual QString commitSql() const { return QStringLiteral("COMMIT"); }
    virtual QString rollbackSql() const { return QStringLiteral("ROLLBACK"); }

    /// The largest number of bound values one statement may carry.
    virtual int maxBoundValues() const = 0;

    /// An engine error as a StoreError with one sentence naming the location. `what` says
    /// what Stalk was doing ("counting results").
    virtual StoreError mapError(const QSqlError &error, const QString &what) const = 0;

protected:
    /// Runs a read-only catalog query with these bound values and hands each row to onRow;
    /// engine errors come back through mapError() naming `what`.
    StoreError forEachRow(QSqlDatabase &db, const QString &sql, const QVariantList &values, const QString &what,
                          const std::function<void(const class QSqlQuery &)> &onRow) const;
};

/// The dialect for a parsed URL; nullptr for engines not implemented yet.
std::unique_ptr<SqlDialect> makeSqlDialect(const StoreUrl &url, const StoreOptions &options);

/// Text helpers shared by the server dialects, whose search runs as LIKE patterns.
namespace SqlSearchText {

/// `%term%` with the LIKE wildcards and the escape character itself escaped by `escape`.
QString likeContains(const QString &term, QChar escape);

/// The term as typed, lower-cased and upper-cased (always three entries, maybe equal): the
/// escaped forms of non-ASCII letters differ by case, which no SQL case folding can see.
QStringList caseVariants(const QString &term);

/// The patterns without repeats, first occurrence first. With foldAsciiCase, patterns that
/// differ only in the case of ASCII letters count as one: where the engine folds ASCII case
/// itself (PostgreSQL's UPPER/ILIKE, a MariaDB "_ci" collation), the others match nothing more.
QStringList distinctPatterns(const QStringList &patterns, bool foldAsciiCase);

} // namespace SqlSearchText
