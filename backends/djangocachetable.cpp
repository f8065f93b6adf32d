#include "djangocachetable.h"

#include <QSqlQuery>

#include "indexpurge.h"
#include "redisvalue.h"
#include "sqldialect.h"

using Code = StoreError::Code;
using Parsed = CouchDocument::Parsed;

DjangoCacheTable::DjangoCacheTable(const SqlDialect &dialect, QString connectionName, QString table, StoreOptions options)
    : m_dialect(dialect), m_connection(std::move(connectionName)), m_table(std::move(table)), m_options(std::move(options))
{
    m_info.layout = StoreInfo::Layout::DjangoCache;
    m_info.engine = m_dialect.engineName();
    m_info.location = m_dialect.location();
    m_info.tableName = m_table;
    m_info.readOnly = m_options.readOnly;
    m_info.hasCacheExpiry = true; // `expires`, which Django's get() honours
}

bool DjangoCacheTable::isCacheTable(const QVector<SqlColumn> &columns)
{
    QStringList names;
    for (const SqlColumn &c : columns)
        names.append(c.name.toLower());
    names.sort();
    return names == QStringList{QStringLiteral("cache_key"), QStringLiteral("expires"), QStringLiteral("value")};
}

StoreError DjangoCacheTable::forEachRow(const QString &sql, const QVariantList &values, const QString &what,
                                        const std::function<void(Row)> &onRow) const
{
    QSqlQuery q(QSqlDatabase::database(m_connection, false));
    q.setForwardOnly(true);
    if (!q.prepare(sql))
        return m_dialect.mapError(q.lastError(), what);
    for (const QVariant &v : values)
        q.addBindValue(v);
    if (!q.exec())
        return m_dialect.mapError(q.lastError(), what);
    while (q.next()) {
        QString problem;
        onRow(Row{q.value(0).toString(), q.value(1).toString(), m_dialect.readDate(q.value(2), &problem)});
    }
    if (q.lastError().isValid())
        return m_dialect.mapError(q.lastError(), what);
    return {};
}

QString DjangoCacheTable::selectSql() const
{
    return QStringLiteral("SELECT %1, %2, %3 FROM %4")
        .arg(m_dialect.quote(QStringLiteral("cache_key")), m_dialect.quote(QStringLiteral("value")),
             m_dialect.dateSelect(m_dialect.quote(QStringLiteral("expires"))), m_dialect.quote(m_table));
}

Outcome<QVector<DjangoCacheTable::Row>> DjangoCacheTable::readKeys(const QStringList &keys) const
{
    QVector<Row> rows;
    const int chunk = qMax(1, qMin(500, m_dialect.maxBoundValues()));
    for (qsizetype at = 0; at < keys.size(); at += chunk) {
        const QStringList part = keys.mid(at, chunk);
        QStringList marks;
        QVariantList values;
        for (const QString &k : part) {
            marks.append(QStringLiteral("?"));
            values.append(k);
        }
        const QString sql = selectSql() + QStringLiteral(" WHERE %1 IN (%2)")
                                              .arg(m_dialect.quote(QStringLiteral("cache_key")), marks.join(u','));
        if (StoreError e = forEachRow(sql, values, QStringLiteral("reading results"), [&rows](Row r) { rows.append(std::move(r)); }))
            return e;
    }
    return rows;
}

Parsed DjangoCacheTable::parse(const Row &row, CouchDocument::Detail detail) const
{
    const QString prefix = RedisValue::defaultKeyPrefix(row.key);
    if (prefix.isNull()) {
        Parsed p;
        p.docId = row.key;
        p.kind = Parsed::Kind::Foreign;
        p.reason = QStringLiteral("not a Celery key");
        return p;
    }
    Parsed p = RedisValue::parse(row.key, QByteArray::fromBase64(row.value.toLatin1()), prefix, detail);
    p.task.expires = row.expires;
    return p;
}

void DjangoCacheTable::forget(const QString &key)
{
    m_index.remove(key);
    m_groups.remove(key);
    m_foreign.remove(key);
    m_fingerprints.remove(key);
}

void DjangoCacheTable::apply(const Parsed &p, const Row &row)
{
    const QString &key = row.key;
    forget(key);
    m_fingerprints.insert(key, Fingerprint{row.expires, row.value.size()});
    switch (p.kind) {
    case Parsed::Kind::Task: m_index.upsert(key, QString(), p.task); break;
    case Parsed::Kind::Group: m_groups.insert(p); break;
    case Parsed::Kind::Foreign: m_foreign.insert(key, p.reason); break;
    }
    if (p.kind != Parsed::Kind::Foreign)
        m_prefixes.insert(RedisValue::defaultKeyPrefix(key));
}

QString DjangoCacheTable::celeryKeysWhere() const
{
    return QStringLiteral(" WHERE %1 LIKE ? OR %1 LIKE ?").arg(m_dialect.quote(QStringLiteral("cache_key")));
}

QVariantList DjangoCacheTable::celeryKeyPatterns()
{
    return {QStringLiteral("%celery-task-meta-%"), QStringLiteral("%celery-taskset-meta-%")};
}

StoreError DjangoCacheTable::open()
{
    const StoreError e = forEachRow(selectSql() + celeryKeysWhere(), celeryKeyPatterns(), QStringLiteral("reading the cache table"),
                                    [this](const Row &r) {
                                        if (!RedisValue::defaultKeyPrefix(r.key).isNull())
                                            apply(parse(r, CouchDocument::Detail::Index), r);
                                    });
    if (e.isError())
        return e;
    updateInfo();
    return {};
}

StoreError DjangoCacheTable::refresh()
{
    // The listing carries no values: a value is read only when its row is new, its
    // fingerprint changed, or it holds an unfinished result (a worker rewrites STARTED as
    // SUCCESS, maybe within the second its expiry is counted in).
    const QString sql = QStringLiteral("SELECT %1, LENGTH(%2), %3 FROM %4")
                            .arg(m_dialect.quote(QStringLiteral("cache_key")), m_dialect.quote(QStringLiteral("value")),
                                 m_dialect.dateSelect(m_dialect.quote(QStringLiteral("expires"))), m_dialect.quote(m_table))
                        + celeryKeysWhere();
    QSqlQuery q(QSqlDatabase::database(m_connection, false));
    q.setForwardOnly(true);
    const QString what = QStringLiteral("refreshing the cache table");
    if (!q.prepare(sql))
        return m_dialect.mapError(q.lastError(), what);
    for (const QVariant &v : celeryKeyPatterns())
        q.addBindValue(v);
    if (!q.exec())
        return m_dialect.mapError(q.lastError(), what);
    QSet<QString> listed;
    QStringList toRead;
    while (q.next()) {
        const QString key = q.value(0).toString();
        if (RedisValue::defaultKeyPrefix(key).isNull())
            continue;
        listed.insert(key);
        QString problem;
        const Fingerprint now{m_dialect.readDate(q.value(2), &problem), q.value(1).toLongLong()};
        const auto known = m_fingerprints.constFind(key);
        const qint64 slot = m_index.slotOf(key);
        if (known == m_fingerprints.cend() || !(*known == now) || (slot >= 0 && !TaskResult::isReadyState(m_index.status(slot))))
            toRead.append(key);
    }
    if (q.lastError().isValid())
        return m_dialect.mapError(q.lastError(), what);
    QStringList gone;
    for (auto it = m_fingerprints.cbegin(); it != m_fingerprints.cend(); ++it) {
        if (!listed.contains(it.key()))
            gone.append(it.key());
    }
    for (const QString &key : std::as_const(gone))
        forget(key);
    const Outcome<QVector<Row>> read = readKeys(toRead);
    if (!read)
        return read.error();
    QSet<QString> present;
    for (const Row &r : *read) {
        present.insert(r.key);
        apply(parse(r, CouchDocument::Detail::Index), r);
    }
    for (const QString &key : std::as_const(toRead)) {
        if (!present.contains(key))
            forget(key); // deleted between the listing and the read
    }
    updateInfo();
    return {};
}

void DjangoCacheTable::updateInfo()
{
    m_info.fields = keyValueMetaFields(m_index);
    m_info.hasGroups = !m_groups.isEmpty();
    QStringList prefixes = m_prefixes.values();
    std::sort(prefixes.begin(), prefixes.end());
    m_info.schema = QStringLiteral("django-celery-results CacheBackend rows (Django's DatabaseCache %1%2)")
                        .arg(m_table, prefixes.isEmpty() ? QString()
                                                         : QStringLiteral(", keys under \"%1\"").arg(prefixes.join(QStringLiteral("\", \""))));
    QStringList notes;
    if (!m_foreign.isEmpty())
        notes.append(QStringLiteral("%1 Celery keys are not Celery results (first: %2, %3). They are never deleted.")
                         .arg(m_foreign.size())
                         .arg(m_foreign.firstKey(), m_foreign.first()));
    notes.append(QStringLiteral("Pickled values are read without running them and shown as the JSON serializer would write them."));
    m_info.note = notes.join(QLatin1Char(' '));
}

Outcome<qint64> DjangoCacheTable::count(const TaskQuery &query)
{
    if (StoreError e = query.searchError())
        return e;
    return m_selection.count(m_index, query);
}

Outcome<Facets> DjangoCacheTable::facets(const TaskQuery &query)
{
    if (StoreError e = query.searchError())
        return e;
    return m_index.facets(query);
}

Outcome<StatusHistory> DjangoCacheTable::statusHistory(const TaskQuery &query, TimeBucket bucket)
{
    if (StoreError e = query.searchError())
        return e;
    return m_index.statusHistory(query, bucket);
}

Outcome<FailureTable> DjangoCacheTable::failures(const TaskQuery &query)
{
    if (StoreError e = query.searchError())
        return e;
    return m_index.failures(query);
}

Outcome<QVector<TaskResult>> DjangoCacheTable::fetchPage(const TaskQuery &query, qint64 offset, int limit, RowDetail detail)
{
    if (StoreError e = query.searchError())
        return e;
    const QVector<qint64> picked = m_selection.page(m_index, query, offset, limit);
    QVector<TaskResult> rows;
    if (detail == RowDetail::Summary) {
        for (qint64 slot : picked)
            rows.append(m_index.summaryRow(slot));
        return rows;
    }
    QStringList keys;
    for (qint64 slot : picked)
        keys.append(m_index.docId(slot));
    const Outcome<QVector<Row>> read = readKeys(keys);
    if (!read)
        return read.error();
    QHash<QString, Parsed> byKey;
    for (const Row &r : *read)
        byKey.insert(r.key, parse(r));
    for (const QString &k : std::as_const(keys)) {
        const auto it = byKey.constFind(k);
        if (it == byKey.cend() || it->kind != Parsed::Kind::Task)
            continue; // gone meanwhile
        TaskResult t = it->task;
        t.rowId = m_index.rowIdOf(m_index.slotOf(k));
        rows.append(t);
    }
    return rows;
}

Outcome<TaskResult> DjangoCacheTable::fetchKey(const QString &key)
{
    const Outcome<QVector<Row>> read = readKeys({key});
    if (!read)
        return read.error();
    if (read->isEmpty()) {
        forget(key);
        return StoreError(Code::NotFound, QStringLiteral("no row '%1' in %2 of %3 (expired or deleted)").arg(key, m_table, m_info.location));
    }
    const Parsed p = parse(read->constFirst());
    apply(p, read->constFirst());
    if (p.kind != Parsed::Kind::Task)
        return StoreError(Code::NotFound, QStringLiteral("row '%1' is not a Celery result: %2")
                                              .arg(key, p.kind == Parsed::Kind::Group ? QStringLiteral("a saved group") : p.reason));
    TaskResult t = p.task;
    t.rowId = m_index.rowIdOf(m_index.slotOf(key));
    return t;
}

Outcome<TaskResult> DjangoCacheTable::fetchOne(qint64 rowId)
{
    const QString key = m_index.docId(m_index.slotOfRow(rowId));
    if (key.isNull())
        return StoreError(Code::NotFound, QStringLiteral("row %1 is no longer in %2 of %3").arg(rowId).arg(m_table, m_info.location));
    return fetchKey(key);
}

QStringList DjangoCacheTable::keyPrefixes() const
{
    QStringList prefixes = m_prefixes.values();
    std::sort(prefixes.begin(), prefixes.end());
    if (prefixes.isEmpty())
        prefixes.append(QStringLiteral(":1:"));
    return prefixes;
}

Outcome<QVector<TaskGroup>> DjangoCacheTable::groups(const TaskQuery &query, int limit)
{
    return m_groups.groups(query, limit);
}

Outcome<QVector<TaskGroup>> DjangoCacheTable::groupsOf(const QString &taskId)
{
    return m_groups.groupsOf(taskId);
}

Outcome<QVector<TaskResult>> DjangoCacheTable::fetchByTaskIds(const QStringList &taskIds)
{
    return indexRowsByTaskIds(m_index, keyPrefixes(), taskIds);
}

Outcome<TaskResult> DjangoCacheTable::fetchByTaskId(const QString &taskId)
{
    const QStringList prefixes = keyPrefixes();
    Outcome<TaskResult> first = fetchKey(prefixes.constFirst() + QLatin1String(CouchDocument::taskPrefix) + taskId);
    for (qsizetype i = 1; i < prefixes.size() && !first && first.error().code == Code::NotFound; ++i) {
        Outcome<TaskResult> other = fetchKey(prefixes.at(i) + QLatin1String(CouchDocument::taskPrefix) + taskId);
        if (other || other.error().code != Code::NotFound)
            return other;
    }
    return first;
}

Outcome<PurgePreview> DjangoCacheTable::previewPurge(const PurgeCriteria &criteria)
{
    PurgePreview preview;
    for (qint64 slot : m_index.expired(criteria)) {
        ++preview.total;
        ++preview.byStatus[m_index.status(slot)];
    }
    if (criteria.cacheNow.isValid())
        preview.cacheExpired = qint64(m_index.expired(criteria.cacheExpiredOnly()).size());
    if (criteria.includesGroups()) {
        for (const IndexGroups::Entry &g : m_groups.entries())
            preview.groups += criteria.matchesGroup(g.group.dateDone) ? 1 : 0;
    }
    return preview;
}

StoreError DjangoCacheTable::readOnlyError() const
{
    return StoreError(Code::PermissionDenied, QStringLiteral("%1 is opened read-only").arg(m_info.location));
}

Outcome<qint64> DjangoCacheTable::deleteKeys(const QStringList &keys, const std::function<bool(const Parsed &)> &stillDeletable)
{
    QSqlDatabase db = QSqlDatabase::database(m_connection, false);
    const QString what = QStringLiteral("deleting results");
    QSqlQuery q(db);
    if (!q.exec(m_dialect.beginWriteSql()))
        return m_dialect.mapError(q.lastError(), what);
    auto rollback = [&](const StoreError &e) -> Outcome<qint64> {
        QSqlQuery(db).exec(m_dialect.rollbackSql());
        return e;
    };
    const Outcome<QVector<Row>> read = readKeys(keys);
    if (!read)
        return rollback(read.error());
    QSet<QString> present;
    qint64 deleted = 0;
    QSqlQuery del(db);
    if (!del.prepare(QStringLiteral("DELETE FROM %1 WHERE %2 = ? AND %3 = ?")
                         .arg(m_dialect.quote(m_table), m_dialect.quote(QStringLiteral("cache_key")), m_dialect.quote(QStringLiteral("value")))))
        return rollback(m_dialect.mapError(del.lastError(), what));
    QStringList gone;
    for (const Row &r : *read) {
        present.insert(r.key);
        const Parsed p = parse(r);
        apply(p, r);
        if (!stillDeletable(p))
            continue;
        // Only the value just read: a row a worker rewrote since stays.
        del.addBindValue(r.key);
        del.addBindValue(r.value);
        if (!del.exec())
            return rollback(m_dialect.mapError(del.lastError(), what));
        if (del.numRowsAffected() > 0) {
            ++deleted;
            gone.append(r.key);
        }
    }
    if (!q.exec(m_dialect.commitSql()))
        return rollback(m_dialect.mapError(q.lastError(), what));
    for (const QString &k : keys) {
        if (!present.contains(k) || gone.contains(k))
            forget(k);
    }
    return deleted;
}

Outcome<DeleteBatch> DjangoCacheTable::purgeBatch(const PurgeCriteria &criteria, int batchSize)
{
    if (m_options.readOnly)
        return readOnlyError();
    if (!criteria.cutoff.isValid() && !criteria.cacheExpired)
        return StoreError(Code::QueryFailed, QStringLiteral("a purge needs a cutoff date"));
    const PurgeCriteria cacheExpiredOnly = criteria.cacheExpiredOnly();
    auto pending = [&](IndexPurgePart part, int limit) {
        QStringList keys;
        if (part == IndexPurgePart::CacheExpired && !criteria.cacheExpired)
            return keys;
        if (part == IndexPurgePart::Groups) {
            if (!criteria.includesGroups())
                return keys;
            for (auto it = m_groups.entries().cbegin(); it != m_groups.entries().cend() && keys.size() < limit; ++it) {
                if (criteria.matchesGroup(it->group.dateDone))
                    keys.append(it.key());
            }
            return keys;
        }
        for (qint64 slot : m_index.expired(part == IndexPurgePart::CacheExpired ? cacheExpiredOnly : criteria)) {
            if (keys.size() >= limit)
                break;
            keys.append(m_index.docId(slot));
        }
        return keys;
    };
    Outcome<DeleteBatch> batch = purgeIndexBatch(batchSize, pending, [&](IndexPurgePart part, const QStringList &keys) {
        return deleteKeys(keys, [&criteria, part](const Parsed &p) { return stillExpired(criteria, part, p); });
    });
    updateInfo();
    return batch;
}

Outcome<DeleteBatch> DjangoCacheTable::deleteRows(const QVector<qint64> &rowIds)
{
    if (m_options.readOnly)
        return readOnlyError();
    Outcome<DeleteBatch> batch = deleteSelectedKeys(indexKeysOfRows(m_index, rowIds), [this](const QStringList &keys) {
        return deleteKeys(keys, [](const Parsed &p) { return p.kind == Parsed::Kind::Task; });
    });
    updateInfo();
    return batch;
}
