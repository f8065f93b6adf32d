#pragma once

#include "couchdocument.h"
#include "couchindex.h"
#include "indexgroups.h"
#include "resultstore.h"
#include "storeurl.h"

#include <functional>

#include <QSet>

class SqlDialect;
struct SqlColumn;

/// The results django-celery-results' CacheBackend keeps in a Django DatabaseCache table
/// (FORMATS.md §5): rows (cache_key, value = base64 of a pickle, expires), keys
/// "KEY_PREFIX:VERSION:celery-task-meta-<id>" and "…celery-taskset-meta-<group_id>".
///
/// Why not SqlStore's statements: the meta (status, name, dates) is inside the pickle, so SQL
/// can neither filter, sort, count nor search by it — everything SqlStore pushes into SQL.
/// So this works as RedisStore does over keys: open() reads the Celery rows once
/// (`cache_key LIKE '%celery-task-meta-%'`), decodes each pickle without running it
/// (RedisValue::parse: the same pickles django-redis writes) into a CouchIndex, and answers
/// counts, pages, facets and purge previews from it; complete rows are read again by key.
/// refresh() (the window's F5 and auto-refresh) lists every Celery row's key, expiry and value
/// length — no values — and reads again only new rows, rows whose expiry or length changed and
/// unfinished results; rows gone from the table leave the index.
/// A delete re-reads its rows in a write transaction and deletes each one only if it still
/// qualifies and its value is still the one read (`DELETE … WHERE cache_key = ? AND value = ?`),
/// so a row a worker rewrote meanwhile stays.
///
/// Thread rules and ownership: SqlStore owns it and calls it on SqlStore's thread, over
/// SqlStore's connection (by name) and dialect, which outlive it.
class DjangoCacheTable final : public ResultStore
{
public:
    DjangoCacheTable(const SqlDialect &dialect, QString connectionName, QString table, StoreOptions options);

    /// Whether a table's columns are a DatabaseCache's (createcachetable: cache_key, value, expires).
    static bool isCacheTable(const QVector<SqlColumn> &columns);

    StoreError open() override;
    StoreInfo info() const override { return m_info; }
    Outcome<qint64> count(const TaskQuery &query) override;
    Outcome<QVector<TaskResult>> fetchPage(const TaskQuery &query, qint64 offset, int limit,
                                           RowDetail detail = RowDetail::Summary) override;
    Outcome<TaskResult> fetchOne(qint64 rowId) override;
    Outcome<TaskResult> fetchByTaskId(const QString &taskId) override;
    Outcome<Facets> facets(const TaskQuery &query) override;
    Outcome<StatusHistory> statusHistory(const TaskQuery &query, TimeBucket bucket) override;
    Outcome<FailureTable> failures(const TaskQuery &query) override;
    /// The saved groups read at open() (`…celery-taskset-meta-<id>` rows), from memory.
    Outcome<QVector<TaskGroup>> groups(const TaskQuery &query, int limit) override;
    Outcome<QVector<TaskGroup>> groupsOf(const QString &taskId) override;
    /// Summary rows from the index read at open(); no statement.
    Outcome<QVector<TaskResult>> fetchByTaskIds(const QStringList &taskIds) override;
    Outcome<PurgePreview> previewPurge(const PurgeCriteria &criteria) override;
    Outcome<DeleteBatch> purgeBatch(const PurgeCriteria &criteria, int batchSize) override;
    Outcome<DeleteBatch> deleteRows(const QVector<qint64> &rowIds) override;
    /// Reads what other clients wrote or deleted since open() (see the class comment).
    StoreError refresh() override;
    void interrupt() override {}

private:
    struct Row
    {
        QString key;
        QString value; // as stored: base64 text
        QDateTime expires;
    };
    /// "SELECT cache_key, value, expires FROM <table>", the names quoted for the engine.
    QString selectSql() const;
    /// The rows whose cache_key is one of keys (IN lists under the engine's bound-value limit).
    Outcome<QVector<Row>> readKeys(const QStringList &keys) const;
    StoreError forEachRow(const QString &sql, const QVariantList &values, const QString &what,
                          const std::function<void(Row)> &onRow) const;
    /// The row decoded; Kind::Foreign for a key not under Celery's prefixes.
    CouchDocument::Parsed parse(const Row &row, CouchDocument::Detail detail = CouchDocument::Detail::Full) const;
    /// What refresh() compares a row by: Django's set() writes a new expiry with each value
    /// (to the second), the length tells most rewrites within one second or without a timeout.
    struct Fingerprint
    {
        QDateTime expires;
        qsizetype length = 0;
        bool operator==(const Fingerprint &o) const { return expires == o.expires && length == o.length; }
    };
    /// Puts the decoded row into the index (or the groups, or the foreign keys) and keeps its
    /// fingerprint.
    void apply(const CouchDocument::Parsed &p, const Row &row);
    /// A key no longer in the table leaves everything that holds it.
    void forget(const QString &key);
    /// "WHERE cache_key LIKE ? OR cache_key LIKE ?" and its values: the rows of Celery's keys.
    QString celeryKeysWhere() const;
    static QVariantList celeryKeyPatterns();
    Outcome<TaskResult> fetchKey(const QString &key);
    Outcome<qint64> deleteKeys(const QStringList &keys,
                               const std::function<bool(const CouchDocument::Parsed &)> &stillDeletable);
    void updateInfo();
    /// The KEY_PREFIX:VERSION: a task id's key may have: each seen, sorted (Django's default
    /// ":1:" while none is).
    QStringList keyPrefixes() const;
    StoreError readOnlyError() const;

    const SqlDialect &m_dialect;
    QString m_connection;
    QString m_table;
    StoreOptions m_options;
    StoreInfo m_info;
    CouchIndex m_index;
    IndexSelection m_selection;
    IndexGroups m_groups;              // key -> saved group
    QMap<QString, QString> m_foreign;  // key -> reason
    QSet<QString> m_prefixes;          // Django's KEY_PREFIX:VERSION: of the rows read
    QHash<QString, Fingerprint> m_fingerprints; // every Celery key read, as it was read
};
