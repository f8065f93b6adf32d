#include "couchindex.h"

#include <QCryptographicHash>

#include <algorithm>
#include <functional>

#include "pythonliteral.h"

namespace {

const QChar fieldSeparator(0x1f);

QString preview(const QString &text)
{
    if (text.isNull() || text.size() <= ResultStore::previewChars)
        return text;
    return text.left(ResultStore::previewChars);
}

/// The Python-literal form of a JSON args/kwargs text, as the SQL stores hold it: Celery's
/// argsrepr/kwargsrepr (repr of the args tuple, e.g. ('Zoë',) — a JSON array is the tuple
/// Celery serialized — and of the kwargs dict, e.g. {'flag': True}). Empty when the text is
/// not JSON or is already written the same way.
QString pythonForm(const QString &json, bool asTuple)
{
    if (json.isEmpty())
        return QString();
    PyLiteral::ParseResult parsed = PyLiteral::parseJson(json);
    if (!parsed.ok)
        return QString();
    if (asTuple && parsed.value.type == PyValue::Type::List)
        parsed.value.type = PyValue::Type::Tuple;
    const QString python = PyLiteral::toPython(parsed.value);
    return python == json ? QString() : python;
}

QString searchText(const TaskResult &t)
{
    // One case-folded text per row: a term must occur in one field, and U+001F never
    // occurs in typed search terms, so joining cannot create false matches across fields.
    // args/kwargs appear twice: as JSON (how the document holds them, compact) and as
    // Python literals (how the SQL stores hold them), so a search finds the same tasks here
    // as on SQL.
    QString text = QStringList{t.taskId, t.taskName, t.status, t.args, t.kwargs, pythonForm(t.args, true),
                               pythonForm(t.kwargs, false)}
                       .join(fieldSeparator);
    // ASCII (the usual case) folds to its lower case; anything else is Qt's full folding.
    char16_t *const begin = reinterpret_cast<char16_t *>(text.data());
    char16_t *const end = begin + text.size();
    if (std::any_of(begin, end, [](char16_t c) { return c >= 0x80; }))
        return text.toCaseFolded();
    for (char16_t *c = begin; c != end; ++c) {
        if (*c >= u'A' && *c <= u'Z')
            *c = char16_t(*c + (u'a' - u'A'));
    }
    return text;
}

} // namespace

CouchIndex::CouchIndex()
{
    m_pool << QString() << QString(QLatin1String(""));
}

quint32 CouchIndex::intern(const QString &text)
{
    if (text.isNull())
        return 0;
    if (text.isEmpty())
        return 1;
    const auto it = m_poolIds.constFind(text);
    if (it != m_poolIds.constEnd())
        return *it;
    const quint32 id = quint32(m_pool.size());
    m_pool.append(text);
    m_poolIds.insert(text, id);
    return id;
}

qint64 CouchIndex::rowIdFor(const QString &docId)
{
    const QByteArray digest = QCryptographicHash::hash(docId.toUtf8(), QCryptographicHash::Sha1);
    quint64 v = 0;
    for (int k = 0; k < 8; ++k)
        v = (v << 8) | quint8(digest[k]);
    return qint64(v & ((quint64(1) << 53) - 1));
}

qint64 CouchIndex::upsert(const QString &docId, const QString &rev, const TaskResult &t)
{
    ++m_generation;
    qint64 slot = slotOf(docId);
    if (slot < 0) {
        slot = qint64(m_alive.size());
        m_alive.push_back(true);
        m_docIds.append(docId);
        m_revs.append(QString());
        m_taskIds.append(QString());
        m_status.push_back(0);
        m_taskName.push_back(0);
        m_worker.push_back(0);
        m_queue.push_back(0);
        m_dateDone.push_back(noDate);
        m_retries.push_back(-1);
        m_extended.push_back(false);
        m_hasTraceback.push_back(false);
        m_groupIds.append(QString());
        m_parentIds.append(QString());
        m_argsPreview.append(QString());
        m_kwargsPreview.append(QString());
        m_resultPreview.append(QString());
        m_problems.append(QString());
        m_haystack.append(QString());
        m_slots.insert(docId, slot);
        // Collisions of 53-bit hashes are improbable; if one happens, probe to stay unique.
        qint64 rowId = rowIdFor(docId);
        while (m_rowSlots.contains(rowId))
            rowId = (rowId + 1) & ((qint64(1) << 53) - 1);
        m_rowIds.push_back(rowId);
        m_rowSlots.insert(rowId, slot);
        ++m_live;
    } else if (m_extended[size_t(slot)]) {
        --m_extendedRows;
    }
    const auto i = size_t(slot);
    m_revs[slot] = rev;
    m_taskIds[slot] = t.taskId;
    m_status[i] = intern(t.status);
    m_taskName[i] = intern(t.taskName);
    m_worker[i] = intern(t.worker);
    m_queue[i] = intern(t.queue);
    m_dateDone[i] = t.dateDone.isValid() ? t.dateDone.toMSecsSinceEpoch() : noDate;
    m_retries[i] = qint16(qBound(-1, t.retries, int(std::numeric_limits<qint16>::max())));
    const bool extended = !t.taskName.isNull() || !t.args.isNull() || !t.kwargs.isNull() || !t.worker.isNull();
    m_extended[i] = extended;
    if (extended)
        ++m_extendedRows;
    m_hasTraceback[i] = !t.traceback.isNull();
    m_groupIds[slot] = t.groupId;
    m_parentIds[slot] = t.parentId;
    m_argsPreview[slot] = preview(t.args);
    m_kwargsPreview[slot] = preview(t.kwargs);
    m_resultPreview[slot] = preview(t.result);
    m_problems[slot] = t.problems.join(QLatin1Char('\n'));
    m_haystack[slot] = searchText(t);
    return slot;
}

void CouchIndex::remove(const QString &docId)
{
    const qint64 slot = slotOf(docId);
    if (slot < 0)
        return;
    ++m_generation;
    const auto i = size_t(slot);
    m_alive[i] = false;
    if (m_extended[i])
        --m_extendedRows;
    m_extended[i] = false;
    m_slots.remove(docId);
    m_rowSlots.remove(m_rowIds[i]);
    --m_live;
    // Free the text of the dead slot; the slot number itself is never reused.
    m_argsPreview[slot].clear();
    m_kwargsPreview[slot].clear();
    m_resultPreview[slot].clear();
    m_haystack[slot].clear();
}

qint64 CouchIndex::slotOf(const QString &docId) const
{
    return m_slots.value(docId, -1);
}

bool CouchIndex::isLive(qint64 slot) const
{
    return slot >= 0 && slot < qint64(m_alive.size()) && m_alive[size_t(slot)];
}

QString CouchIndex::docId(qint64 slot) const
{
    return isLive(slot) ? m_docIds[slot] : QString();
}

QString CouchIndex::rev(qint64 slot) const
{
    return isLive(slot) ? m_revs[slot] : QString();
}

QString CouchIndex::status(qint64 slot) const
{
    return isLive(slot) ? pooled(m_status[size_t(slot)]) : QString();
}

QString CouchIndex::taskName(qint64 slot) const
{
    return isLive(slot) ? pooled(m_taskName[size_t(slot)]) : QString();
}

QDateTime CouchIndex::dateDone(qint64 slot) const
{
    if (!isLive(slot) || m_dateDone[size_t(slot)] == noDate)
        return QDateTime();
    return QDateTime::fromMSecsSinceEpoch(m_dateDone[size_t(slot)], Qt::UTC);
}

bool CouchIndex::inSet(quint32 id, const QStringList &set) const
{
    return setContains(set, pooled(id));
}

bool CouchIndex::matches(qint64 slot, const TaskQuery &q, const QStringList &terms, Skip skip) const
{
    const auto i = size_t(slot);
    if (!m_alive[i])
        return false;
    if (skip != Skip::Status && !q.statuses.isEmpty() && !inSet(m_status[i], q.statuses))
        return false;
    if (skip != Skip::TaskName && !q.taskNames.isEmpty() && !inSet(m_taskName[i], q.taskNames))
        return false;
    if (skip != Skip::Worker && !q.workers.isEmpty() && !inSet(m_worker[i], q.workers))
        return false;
    // CouchDB documents have no periodic_task_name: only a filter for NULL can match.
    if (!q.periodicTaskNames.isEmpty()
        && std::none_of(q.periodicTaskNames.cbegin(), q.periodicTaskNames.cend(),
                        [](const QString &s) { return s.isNull(); }))
        return false;
    // SQL semantics: a NULL date_done never satisfies a date bound.
    if (q.doneAfter.isValid() && (m_dateDone[i] == noDate || m_dateDone[i] < q.doneAfter.toMSecsSinceEpoch()))
        return false;
    if (q.doneBefore.isValid() && (m_dateDone[i] == noDate || m_dateDone[i] >= q.doneBefore.toMSecsSinceEpoch()))
        return false;
    const QString &hay = m_haystack[slot];
    for (const QString &term : terms) {
        if (!hay.contains(term))
            return false;
    }
    return true;
}

namespace {
QStringList foldedTerms(const TaskQuery &query)
{
    QStringList terms = query.searchTerms();
    for (QString &t : terms)
        t = t.toCaseFolded();
    return terms;
}
} // namespace

std::vector<qint64> CouchIndex::select(const TaskQuery &query) const
{
    const QStringList terms = foldedTerms(query);
    std::vector<qint64> rows;
    rows.reserve(size_t(m_live));
    for (qint64 s = 0; s < qint64(m_alive.size()); ++s) {
        if (matches(s, query, terms, Skip::None))
            rows.push_back(s);
    }

    // Sort keys compare like SQLite: NULL first in ascending order, text by code units.
    auto textRank = [](const QString &a, const QString &b) -> int {
        if (a.isNull() != b.isNull())
            return a.isNull() ? -1 : 1;
        return a.isNull() ? 0 : a.compare(b);
    };
    // Interned columns: rank the distinct values once, then sort by integer rank.
    auto poolRanks = [this, &textRank]() {
        std::vector<quint32> order(size_t(m_pool.size()));
        for (size_t k = 0; k < order.size(); ++k)
            order[k] = quint32(k);
        std::sort(order.begin(), order.end(), [&](quint32 a, quint32 b) {
            return textRank(m_pool[a], m_pool[b]) < 0;
        });
        std::vector<quint32> rank(order.size());
        for (size_t k = 0; k < order.size(); ++k)
            rank[order[k]] = quint32(k);
        return rank;
    };

    std::function<int(qint64, qint64)> cmp;
    std::vector<quint32> rank;
    const std::vector<quint32> *column = nullptr;
    const QStringList *texts = nullptr;
    switch (query.sortField) {
    case Field::Status: column = &m_status; break;
    case Field::TaskName: column = &m_taskName; break;
    case Field::Worker: column = &m_worker; break;
    case Field::Queue: column = &m_queue; break;
    case Field::TaskId: texts = &m_taskIds; break;
    case Field::GroupId: texts = &m_groupIds; break;
    case Field::ParentId: texts = &m_parentIds; break;
    case Field::Args: texts = &m_argsPreview; break;
    case Field::Kwargs: texts = &m_kwargsPreview; break;
    case Field::Result: texts = &m_resultPreview; break;
    case Field::Retries:
        cmp = [this](qint64 a, qint64 b) {
            return int(m_retries[size_t(a)]) - int(m_retries[size_t(b)]);
        };
        break;
    case Field::RowId:
        cmp = [](qint64, qint64) { return 0; }; // the tie-break below sorts by row id
        break;
    default: // DateDone and fields CouchDB does not have
        cmp = [this](qint64 a, qint64 b) {
            const qint64 x = m_dateDone[size_t(a)], y = m_dateDone[size_t(b)];
            return x < y ? -1 : (x > y ? 1 : 0);
        };
        break;
    }
    if (column) {
        rank = poolRanks();
        cmp = [column, &rank](qint64 a, qint64 b) {
            const quint32 x = rank[(*column)[size_t(a)]], y = rank[(*column)[size_t(b)]];
            return x < y ? -1 : (x > y ? 1 : 0);
        };
    } else if (texts) {
        cmp = [texts, &textRank](qint64 a, qint64 b) { return textRank(texts->at(a), texts->at(b)); };
    }
    const bool descending = query.sortOrder == Qt::DescendingOrder;
    std::sort(rows.begin(), rows.end(), [&](qint64 a, qint64 b) {
        int c = cmp(a, b);
        if (c == 0) {
            const qint64 x = m_rowIds[size_t(a)], y = m_rowIds[size_t(b)];
            c = x < y ? -1 : (x > y ? 1 : 0);
        }
        return descending ? c > 0 : c < 0;
    });
    return rows;
}

qint64 CouchIndex::count(const TaskQuery &query) const
{
    const QStringList terms = foldedTerms(query);
    qint64 n = 0;
    for (qint64 s = 0; s < qint64(m_alive.size()); ++s)
        n += matches(s, query, terms, Skip::None) ? 1 : 0;
    return n;
}

QVector<FacetValue> CouchIndex::facet(const TaskQuery &query, const QStringList &terms, Skip skip,
                                      const std::vector<quint32> &column) const
{
    QHash<quint32, qint64> counts;
    for (qint64 s = 0; s < qint64(m_alive.size()); ++s) {
        if (matches(s, query, terms, skip))
            ++counts[column[size_t(s)]];
    }
    QVector<FacetValue> out;
    out.reserve(counts.size());
    for (auto it = counts.cbegin(); it != counts.cend(); ++it)
        out.append(FacetValue{pooled(it.key()), it.value()});
    // Most frequent first; equal counts by value (NULL first) so the order is stable.
    std::sort(out.begin(), out.end(), [](const FacetValue &a, const FacetValue &b) {
        if (a.count != b.count)
            return a.count > b.count;
        if (a.value.isNull() != b.value.isNull())
            return a.value.isNull();
        return a.value < b.value;
    });
    return out;
}

Outcome<StatusHistory> CouchIndex::statusHistory(const TaskQuery &query, TimeBucket bucket) const
{
    const QStringList terms = foldedTerms(query);
    StatusHistoryBuilder builder(bucket);
    for (qint64 s = 0; s < qint64(m_alive.size()); ++s) {
        if (matches(s, query, terms, Skip::None))
            builder.add(dateDone(s), status(s));
    }
    return builder.history();
}

Facets CouchIndex::facets(const TaskQuery &query) const
{
    const QStringList terms = foldedTerms(query);
    Facets f;
    f.statuses = facet(query, terms, Skip::Status, m_status);
    f.taskNames = facet(query, terms, Skip::TaskName, m_taskName);
    f.workers = facet(query, terms, Skip::Worker, m_worker);
    return f;
}

TaskResult CouchIndex::summaryRow(qint64 slot) const
{
    TaskResult t;
    if (!isLive(slot))
        return t;
    const auto i = size_t(slot);
    t.rowId = m_rowIds[i];
    t.taskId = m_taskIds[slot];
    t.status = pooled(m_status[i]);
    t.taskName = pooled(m_taskName[i]);
    t.worker = pooled(m_worker[i]);
    t.queue = pooled(m_queue[i]);
    t.dateDone = dateDone(slot);
    t.retries = m_retries[i];
    t.groupId = m_groupIds[slot];
    t.parentId = m_parentIds[slot];
    t.args = m_argsPreview[slot];
    t.kwargs = m_kwargsPreview[slot];
    t.result = m_resultPreview[slot];
    t.contentType = QStringLiteral("application/json");
    t.contentEncoding = QStringLiteral("utf-8");
    if (!m_problems[slot].isEmpty())
        t.problems = m_problems[slot].split(QLatin1Char('\n'));
    t.complete = false;
    return t;
}

bool CouchIndex::isExpired(qint64 slot, const PurgeCriteria &criteria) const
{
    if (!isLive(slot))
        return false;
    const auto i = size_t(slot);
    // Documents without date_done (STARTED, RETRY) never expire: dateDone() is invalid.
    return criteria.matches(dateDone(slot), pooled(m_status[i]), pooled(m_taskName[i]));
}

std::vector<qint64> CouchIndex::expired(const PurgeCriteria &criteria) const
{
    std::vector<qint64> rows;
    for (qint64 s = 0; s < qint64(m_alive.size()); ++s) {
        if (isExpired(s, criteria))
            rows.push_back(s);
    }
    return rows;
}

bool IndexSelection::isCurrent(const CouchIndex &index, const TaskQuery &query) const
{
    return m_generation == index.generation() && m_query == query;
}

qint64 IndexSelection::count(const CouchIndex &index, const TaskQuery &query) const
{
    return isCurrent(index, query) ? qint64(m_rows.size()) : index.count(query);
}

QVector<qint64> IndexSelection::page(const CouchIndex &index, const TaskQuery &query, qint64 offset, int limit)
{
    if (!isCurrent(index, query)) {
        m_rows = index.select(query);
        m_query = query;
        m_generation = index.generation();
    }
    QVector<qint64> picked;
    for (qint64 i = qMax<qint64>(0, offset); i < qint64(m_rows.size()) && i < offset + limit; ++i)
        picked.append(m_rows[size_t(i)]);
    return picked;
}

void IndexSelection::clear()
{
    m_rows = std::vector<qint64>();
    m_generation = ~quint64(0);
}
