#pragma once

#include <atomic>

#include <QByteArray>
#include <QString>
#include <QVariantList>

struct sqlite3;

/// The engine floor: statements run through the bare SQLite C API, every selected column
/// of every row read out as text (what any reader must at least do), nothing else.
/// One connection; used on one thread. Owns its connection.
class SqlFloor final
{
public:
    SqlFloor() = default;
    ~SqlFloor();
    SqlFloor(const SqlFloor &) = delete;
    SqlFloor &operator=(const SqlFloor &) = delete;

    /// Opens the file (read-write). With stalkFunctions, Stalk's own search functions
    /// (stalk_icontains, stalk_icontains_json) are registered, so a predicate can be the same.
    bool open(const QString &path, bool stalkFunctions, QString *error);
    void close();

    /// Runs the statement with the values bound in order (QString, qint64, int), steps every
    /// row and touches every column. Returns elapsed ms, or -1 on error. rowsOut gets the
    /// number of rows, firstOut the first column of the first row as text.
    double time(const QString &sql, const QVariantList &values, qint64 *rowsOut = nullptr,
                QByteArray *firstOut = nullptr);
    /// Like time() for a single-value statement; returns the value (or -1).
    qint64 scalar(const QString &sql, const QVariantList &values = {});
    QString lastError() const { return m_error; }
    /// The EXPLAIN QUERY PLAN lines for a statement, joined with " | ".
    QString plan(const QString &sql, const QVariantList &values);

    sqlite3 *handle() const { return m_db; }

    /// The columns of a Stalk summary page row, in the same shape (previews cut at 200).
    static QString summaryColumns(const QString &prefix = QString());
    static constexpr const char *table = "django_celery_results_taskresult";
    static constexpr const char *groupTable = "django_celery_results_groupresult";

private:
    sqlite3 *m_db = nullptr;
    std::atomic<qint64> m_tally{0}; ///< stalk_tally's counter (unused by the floors)
    QString m_error;
};
