#pragma once

#include "sqldialect.h"

#include <QMutex>

struct sqlite3;

/// SQLite files through Qt's QSQLITE driver plus the SQLite C API on the same handle (search
/// functions, sqlite3_interrupt). Never creates a file: the file is opened through a URI with
/// mode=rw (or mode=ro), which SQLite refuses for a missing file.
///
/// Used on the thread that called connect(); interrupt() is thread-safe.
class SqliteDialect final : public SqlDialect
{
public:
    SqliteDialect(QString path, bool readOnly, int busyTimeoutMs);

    QString engineName() const override { return QStringLiteral("SQLite"); }
    QString location() const override { return m_path; }

    StoreError connect(const QString &connectionName) override;
    void interrupt() override;
    bool steersIndexWithUnaryPlus() const override { return true; }
    void disconnect() override;
    std::atomic<qint64> *searchTally() override { return &m_tally; }

    Outcome<SqlCatalog> catalog(QSqlDatabase &db, const QStringList &tables) const override;
    QString searchPredicate(const SearchColumn &column, const QString &term, QVariantList *values) const override;
    QString exceptionPredicate(const ExceptionColumns &columns, const ExceptionFilter &filter,
                               QVariantList *values) const override;
    QString batchDeleteSql(const QString &table, const QString &idColumn, const QString &where,
                           const QString &order) const override;
    QString prefixExpression(const QString &expression, int chars) const override;
    QString truncatedDate(const QString &column, TimeBucket bucket) const override;
    QString secondsBetween(const QString &from, const QString &to) const override;
    QString minuteNumber(const QString &column) const override;
    QString integerList(const QString &expression) const override;
    QString binaryAsText(const QString &column) const override;
    bool connectionIsReadOnly() const override;
    QVariant dateValue(const QDateTime &utc, DateTextStyle style, int extraMicroseconds = 0) const override;
    QDateTime readDate(const QVariant &stored, QString *problem) const override;
    QString beginWriteSql() const override { return QStringLiteral("BEGIN IMMEDIATE"); }
    /// One writer at a time, in rollback-journal and WAL mode alike.
    bool writeLocksWholeDatabase() const override { return true; }
    int maxBoundValues() const override { return 500; }
    StoreError mapError(const QSqlError &error, const QString &what) const override;

    /// str(datetime) as Django / SQLAlchemy write it on SQLite; exposed for tests.
    static QString dateText(const QDateTime &utc, DateTextStyle style, int extraMicroseconds = 0);
    /// Reads "YYYY-MM-DD HH:MM:SS[.ffffff]" (also with 'T', 'Z' or a ±HH:MM offset) as UTC.
    static QDateTime parseDateText(QStringView text, bool *ok);

private:
    Outcome<QStringList> tableNames(QSqlDatabase &db) const;
    Outcome<QVector<SqlColumn>> columns(QSqlDatabase &db, const QString &table) const;

    QString m_path;
    bool m_readOnly = false;
    int m_busyTimeoutMs = defaultBusyTimeoutMs;
    mutable QMutex m_handleMutex;
    sqlite3 *m_handle = nullptr; ///< guarded by m_handleMutex (interrupt() comes from other threads)
    std::atomic<qint64> m_tally{-1}; ///< stalk_tally()'s counter
};
