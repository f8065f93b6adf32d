// CouchStore's views mode: counts, facets, pages, histories and purges answered by the
// server's Stalk index (_design/stalk, written by CouchDesign; its keys in couchviews.h)
// instead of an index of every document in memory.

#include "couchdesign.h"
#include "couchstore.h"
#include "indexpurge.h"

#include <QElapsedTimer>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QMutex>
#include <QWaitCondition>

using Code = StoreError::Code;
using Parsed = CouchDocument::Parsed;
using namespace CouchViews;

namespace {

/// The most ranges a date-sorted page merges (one per value of a filtered field); a filter
/// with more values walks by_date and keeps its rows.
constexpr qsizetype maxMergedRanges = 32;

/// counts: per text value (a QHash holds "" and a null QString as one key, so NULL is
/// counted apart, in nullCount).
QVector<FacetValue> sortedFacet(const QHash<QString, qint64> &counts, qint64 nullCount)
{
    QVector<FacetValue> out;
    for (auto it = counts.cbegin(); it != counts.cend(); ++it) {
        if (it.value() > 0)
            out.append(FacetValue{it.key().isNull() ? QStringLiteral("") : it.key(), it.value()});
    }
    if (nullCount > 0)
        out.append(FacetValue{QString(), nullCount});
    sortFacetValues(out);
    return out;
}

/// The _count of a reduce answer without groups (0 when no row is in its range).
qint64 reducedCount(const QJsonArray &rows)
{
    return rows.isEmpty() ? 0 : qint64(rows.at(0).toObject().value(QLatin1String("value")).toDouble());
}

QString fieldValue(const Row &row, Field field)
{
    return field == Field::Status ? row.status : field == Field::TaskName ? row.taskName : row.worker;
}

/// The rows a purge looks at: its narrowest view's ranges over date_done in [doneAfter,
/// cutoff) to the microsecond (`bounds`, which TaskQuery cannot hold).
Plan purgePlan(const TaskQuery &query, const DateBounds &bounds)
{
    Plan plan = planFor(query, narrowestView(query));
    for (qsizetype i = 0; i < plan.ranges.size(); ++i)
        plan.ranges[i] = range(plan.view, plan.values.at(i), bounds);
    return plan;
}

} // namespace

StoreError CouchStore::chooseMode(bool *useViews)
{
    *useViews = false;
    if (m_config.index == CouchConfig::Index::Full)
        return {};
    const auto refuse = [this](const QString &why) -> StoreError {
        if (m_config.index != CouchConfig::Index::Views)
            return {};
        return StoreError(Code::Unsupported, QStringLiteral("index=views: %1").arg(why));
    };
    // The views index `celery-task-meta-` documents only.
    if (!m_config.keyPrefix.isEmpty())
        return refuse(QStringLiteral("the Stalk index on the server covers documents without a key prefix only "
                                     "(this URL has ?keyprefix=%1)")
                          .arg(m_config.keyPrefix));
    const CouchReply design = call("GET", docPath(CouchDesign::documentId()));
    if (design.httpStatus == 404)
        return refuse(QStringLiteral("database '%1' on %2 has no %3: create it with `stalk couch-index URL --create`")
                          .arg(m_config.database, m_config.hostPort(), CouchDesign::documentId()));
    if (!design.ok())
        return m_config.index == CouchConfig::Index::Views ? design.error : StoreError();
    const CouchDesign::Status status = CouchDesign::statusFromDocument(m_config.database, design.json);
    if (status.state != CouchDesign::Status::State::UpToDate)
        return refuse(CouchDesign::describe(status));
    // The first view request waits while the server brings the views up to date. This one
    // asks for the first row with a task name (keys after [null, …]: result_extended) and
    // finds a view that cannot be read (a server that runs no JavaScript views) before
    // anything relies on it; one row, not a reduce (which PouchDB computes by reading them all).
    const CouchReply named = awaitViews(View::ByTaskName, {{QStringLiteral("startkey"), QStringLiteral("[false]")},
                                                           {QStringLiteral("reduce"), QStringLiteral("false")},
                                                           {QStringLiteral("limit"), QStringLiteral("1")}});
    if (!named.ok()) {
        if (m_interrupted.load())
            return named.error;
        if (m_config.index == CouchConfig::Index::Views)
            return named.error;
        m_viewsProblem = QStringLiteral("%1 could not be read (%2), so every document is read instead.")
                             .arg(CouchDesign::documentId(), named.error.message);
        return {};
    }
    m_viewsExtended = !named.json.object().value(QLatin1String("rows")).toArray().isEmpty();
    *useViews = true;
    return {};
}

bool CouchStore::viewsAnswer(const TaskQuery &query, bool withSort) const
{
    return m_mode == Mode::Views && unsupported(query, withSort).isEmpty();
}

StoreError CouchStore::ensureIndex()
{
    if (m_mode == Mode::Index)
        return {};
    if (!m_indexStarted) {
        if (StoreError e = startLoading())
            return e;
        m_indexStarted = true;
    }
    return waitForIndex(!m_incremental);
}

QString CouchStore::viewPath(View view) const
{
    // "_design/stalk" is two path segments here (a view is not a document).
    return dbPath() + QStringLiteral("/_design/stalk/_view/") + name(view);
}

CouchReply CouchStore::callView(View view, const CouchClient::Query &query)
{
    return call("GET", viewPath(view), query);
}

CouchReply CouchStore::awaitViews(View view, const CouchClient::Query &query)
{
    CouchReply out;
    if (m_interrupted.load()) {
        out.error = cancelled();
        return out;
    }
    const std::shared_ptr<PendingCall> pending = post("GET", viewPath(view), query, QByteArray(), 0);
    const auto setNote = [this](const QString &note) {
        QMutexLocker lock(&m_noteMutex);
        m_openingNote = note;
    };
    QElapsedTimer quiet; // since the server last said it is building
    quiet.start();
    StoreError gaveUp;
    for (;;) {
        if (pending->wait(m_buildPollMs)) {
            QMutexLocker lock(&pending->mutex);
            out = pending->reply;
            break;
        }
        // Interrupted or given up: the abort is on its way, the callback ends the wait.
        if (m_interrupted.load() || gaveUp)
            continue;
        const Outcome<CouchDesign::BuildProgress> progress = readBuildProgress();
        if (!progress) {
            gaveUp = progress.error();
        } else if (progress->building) {
            quiet.restart();
            setNote(CouchDesign::describe(*progress));
            continue;
        } else if (quiet.elapsed() >= m_config.timeoutMs) {
            gaveUp = StoreError(Code::ConnectionFailed,
                                QStringLiteral("no reply from %1 within %2 s to the first request of a view of %3, "
                                               "and the server does not say that it is building the views")
                                    .arg(m_config.hostPort())
                                    .arg(m_config.timeoutMs / 1000.0)
                                    .arg(CouchDesign::documentId()));
        } else {
            continue;
        }
        QMetaObject::invokeMethod(m_client, [client = m_client] { client->abortAll(); }, Qt::QueuedConnection);
    }
    setNote(QString());
    if (!out.ok() && m_interrupted.load())
        out.error = cancelled();
    else if (!out.ok() && gaveUp)
        out.error = gaveUp;
    return out;
}

Outcome<CouchDesign::BuildProgress> CouchStore::readBuildProgress()
{
    CouchDesign::BuildProgress progress;
    // No HTTP status: the server did not answer at all (refused, silent, cancelled).
    if (!m_tasksRefused) {
        const CouchReply tasks = call("GET", QStringLiteral("/_active_tasks"));
        if (tasks.httpStatus == 401 || tasks.httpStatus == 403)
            m_tasksRefused = true;
        else if (tasks.ok())
            progress = CouchDesign::progressFromTasks(m_config.database, tasks.json);
        else if (tasks.httpStatus == 0)
            return tasks.error;
    }
    if (progress.building)
        return progress;
    const CouchReply info = call("GET", dbPath() + QStringLiteral("/_design/stalk/_info"));
    if (info.ok())
        progress.building = CouchDesign::updaterRunning(info.json).value_or(false);
    else if (info.httpStatus == 0)
        return info.error;
    return progress;
}

QString CouchStore::openingNote() const
{
    QMutexLocker lock(&m_noteMutex);
    return m_openingNote;
}

QVector<CouchReply> CouchStore::callAll(const QVector<QPair<QString, CouchClient::Query>> &requests)
{
    QVector<CouchReply> out(requests.size());
    if (requests.isEmpty())
        return out;
    struct Waiter
    {
        QMutex mutex;
        QWaitCondition done;
        int left = 0;
        QVector<CouchReply> replies;
    };
    auto waiter = std::make_shared<Waiter>();
    waiter->left = int(requests.size());
    waiter->replies.resize(requests.size());
    CouchClient *client = m_client;
    std::atomic_bool *interrupted = &m_interrupted;
    QMetaObject::invokeMethod(
        client,
        [client, waiter, interrupted, requests] {
            for (qsizetype i = 0; i < requests.size(); ++i) {
                auto deliver = [waiter, i](const CouchReply &reply) {
                    QMutexLocker lock(&waiter->mutex);
                    waiter->replies[i] = reply;
                    if (--waiter->left == 0)
                        waiter->done.wakeAll();
                };
                if (interrupted->load()) {
                    CouchReply r;
                    r.error = cancelled();
                    deliver(r);
                    continue;
                }
                client->send("GET", requests.at(i).first, requests.at(i).second, QByteArray(), deliver);
            }
        },
        Qt::QueuedConnection);
    QMutexLocker lock(&waiter->mutex);
    while (waiter->left > 0)
        waiter->done.wait(&waiter->mutex);
    out = waiter->replies;
    return out;
}

CouchClient::Query CouchStore::rowsAfter(const Range &range, bool descending, const QJsonArray &lastKey) const
{
    CouchClient::Query q = rangeQuery(range, descending);
    if (!lastKey.isEmpty()) {
        q[0].second = CouchDocument::compactJson(lastKey);
        q.append({QStringLiteral("skip"), QStringLiteral("1")});
    }
    q.append({QStringLiteral("reduce"), QStringLiteral("false")});
    q.append({QStringLiteral("limit"), QString::number(m_config.pageSize)});
    return q;
}

StoreError CouchStore::walkPlan(const Plan &plan, bool descending, const std::function<bool(const Row &)> &each,
                                WalkPosition *position)
{
    const int count = int(plan.ranges.size());
    const int first = position ? position->range : 0;
    for (int i = first; i < count; ++i) {
        const Range &range = plan.ranges.at(descending ? count - 1 - i : i);
        // Keys are unique (each ends with its document id): a page goes on after the last.
        QJsonArray lastKey = position && i == first ? position->lastKey : QJsonArray();
        for (;;) {
            const CouchReply reply = callView(plan.view, rowsAfter(range, descending, lastKey));
            if (!reply.ok())
                return reply.error;
            const QJsonArray rows = reply.json.object().value(QLatin1String("rows")).toArray();
            for (const QJsonValue &v : rows) {
                const QJsonObject o = v.toObject();
                lastKey = o.value(QLatin1String("key")).toArray();
                if (position) {
                    position->range = i;
                    position->lastKey = lastKey;
                }
                const std::optional<Row> row = readRow(o, plan.view);
                if (row && !each(*row))
                    return {};
            }
            if (m_interrupted.load())
                return cancelled();
            if (rows.size() < m_config.pageSize)
                break;
        }
    }
    if (position)
        *position = WalkPosition{count, QJsonArray()}; // the end: nothing after it
    return {};
}

StoreError CouchStore::mergePlan(const Plan &plan, bool descending, const std::function<bool(const Row &)> &each,
                                 MergePosition *position)
{
    const qsizetype count = plan.ranges.size();
    position->lastKeys.resize(count);
    // Each range's rows read and not yet taken, whether the range has more after them, and
    // the key its next page starts after (the last one read, a row Stalk skips included).
    struct Source
    {
        QVector<Row> rows;
        qsizetype next = 0;
        bool more = true;
        QJsonArray after;
    };
    QVector<Source> sources(count);
    for (qsizetype i = 0; i < count; ++i)
        sources[i].after = position->lastKeys.at(i);
    const auto request = [&](qsizetype i) { return rowsAfter(plan.ranges.at(i), descending, sources.at(i).after); };
    const auto take = [&](qsizetype i, const CouchReply &reply) -> StoreError {
        if (!reply.ok())
            return m_interrupted.load() ? cancelled() : reply.error;
        Source &s = sources[i];
        s.rows.clear();
        s.next = 0;
        const QJsonArray rows = reply.json.object().value(QLatin1String("rows")).toArray();
        for (const QJsonValue &v : rows) {
            s.after = v.toObject().value(QLatin1String("key")).toArray();
            if (std::optional<Row> row = readRow(v.toObject(), plan.view))
                s.rows.append(std::move(*row));
        }
        s.more = rows.size() >= m_config.pageSize;
        return {};
    };
    // The first page of every range at once; later ones as a range runs out.
    QVector<QPair<QString, CouchClient::Query>> first;
    for (qsizetype i = 0; i < count; ++i)
        first.append({viewPath(plan.view), request(i)});
    const QVector<CouchReply> replies = callAll(first);
    for (qsizetype i = 0; i < count; ++i) {
        if (StoreError e = take(i, replies.at(i)))
            return e;
    }
    for (;;) {
        qsizetype best = -1;
        for (qsizetype i = 0; i < count; ++i) {
            Source &s = sources[i];
            while (s.next >= s.rows.size() && s.more) { // a page of rows Stalk skips: the next
                if (StoreError e = take(i, callView(plan.view, request(i))))
                    return e;
            }
            if (s.next >= s.rows.size())
                continue;
            if (best < 0) {
                best = i;
                continue;
            }
            const int order = compareAfterOwnField(s.rows.at(s.next).key,
                                                   sources.at(best).rows.at(sources.at(best).next).key, plan.view);
            if (descending ? order > 0 : order < 0)
                best = i;
        }
        if (best < 0)
            return {};
        Source &s = sources[best];
        const Row &row = s.rows.at(s.next++);
        position->lastKeys[best] = row.key;
        if (!each(row))
            return {};
        if (m_interrupted.load())
            return cancelled();
    }
}

Outcome<qint64> CouchStore::reduceCount(View view, const QVector<Range> &ranges)
{
    const Outcome<QVector<QJsonArray>> rows = rangeRows(view, ranges, 0);
    if (!rows)
        return rows.error();
    qint64 total = 0;
    for (const QJsonArray &r : *rows)
        total += reducedCount(r);
    return total;
}

Outcome<QVector<QJsonArray>> CouchStore::rangeRows(View view, const QVector<Range> &ranges, int level)
{
    QVector<QPair<QString, CouchClient::Query>> requests;
    for (const Range &r : ranges) {
        CouchClient::Query q = rangeQuery(r, false);
        if (level > 0)
            q.append({QStringLiteral("group_level"), QString::number(level)});
        requests.append({viewPath(view), q});
    }
    QVector<QJsonArray> out;
    for (const CouchReply &reply : callAll(requests)) {
        if (!reply.ok())
            return m_interrupted.load() ? cancelled() : reply.error;
        out.append(reply.json.object().value(QLatin1String("rows")).toArray());
    }
    return out;
}

Outcome<QVector<QJsonArray>> CouchStore::perValueRows(View view, const QVector<QJsonValue> &values,
                                                      const DateBounds &bounds, int level)
{
    QVector<Range> ranges;
    for (const QJsonValue &value : values)
        ranges.append(range(view, value, bounds));
    return rangeRows(view, ranges, level);
}

Outcome<QVector<QPair<QJsonValue, qint64>>> CouchStore::viewValues(View view)
{
    const CouchReply groups = callView(view, {{QStringLiteral("group_level"), QStringLiteral("1")}});
    if (!groups.ok())
        return groups.error;
    QVector<QPair<QJsonValue, qint64>> out;
    for (const QJsonValue &v : groups.json.object().value(QLatin1String("rows")).toArray()) {
        const QJsonObject o = v.toObject();
        const QJsonArray key = o.value(QLatin1String("key")).toArray();
        if (!key.isEmpty() && (key.at(0).isString() || key.at(0).isNull()))
            out.append({key.at(0), qint64(o.value(QLatin1String("value")).toDouble())});
    }
    return out;
}

Outcome<QVector<QJsonValue>> CouchStore::statusValues()
{
    const Outcome<QVector<QPair<QJsonValue, qint64>>> values = viewValues(View::ByStatus);
    if (!values)
        return values.error();
    QVector<QJsonValue> out;
    for (const auto &value : *values) {
        if (value.first.isString())
            out.append(value.first);
    }
    return out;
}

Outcome<qint64> CouchStore::estimateCount(const TaskQuery &query)
{
    // The database's document count: at once, where the exact count is a reduce (which
    // PouchDB computes by reading every row). It includes groups and other documents.
    if (m_mode != Mode::Views || !query.isUnfiltered())
        return qint64(-1);
    if (StoreError e = beginCall())
        return e;
    const CouchReply db = call("GET", dbPath());
    if (!db.ok())
        return db.error;
    return qint64(db.json.object().value(QLatin1String("doc_count")).toDouble(-1));
}

Outcome<qint64> CouchStore::viewCount(const TaskQuery &query)
{
    if (boundsOf(query).isEmpty())
        return qint64(0);
    const Plan plan = planFor(query, narrowestView(query));
    if (!plan.residual)
        return reduceCount(plan.view, plan.ranges);
    qint64 n = 0;
    if (StoreError e = walkPlan(plan, false, [&](const Row &row) {
            n += matches(row, query) ? 1 : 0;
            return true;
        }))
        return e;
    return n;
}

Outcome<QVector<FacetValue>> CouchStore::viewFacet(const TaskQuery &query, Field field)
{
    const TaskQuery q = withoutFilterOn(query, field);
    const View own = *viewOf(field);
    QHash<QString, qint64> counts;
    qint64 nullCount = 0;
    const auto add = [&](const QString &value, qint64 n) {
        if (value.isNull())
            nullCount += n;
        else
            counts[value] += n;
    };
    if (boundsOf(q).isEmpty())
        return QVector<FacetValue>();
    if (hasNoSetFilter(q)) {
        // Every value of the field with its count: one group_level=1 answer, then (with a
        // date range) one reduce per value over its dates.
        const Outcome<QVector<QPair<QJsonValue, qint64>>> values = viewValues(own);
        if (!values)
            return values.error();
        const DateBounds bounds = boundsOf(q);
        QVector<QJsonValue> keys;
        for (const auto &[value, n] : *values) {
            if (bounds.isOpen())
                add(value.isNull() ? QString() : value.toString(), n);
            keys.append(value);
        }
        if (!bounds.isOpen()) {
            const Outcome<QVector<QJsonArray>> rows = perValueRows(own, keys, bounds, 0);
            if (!rows)
                return rows.error();
            for (qsizetype i = 0; i < keys.size(); ++i)
                add(keys.at(i).isNull() ? QString() : keys.at(i).toString(), reducedCount(rows->at(i)));
        }
        return sortedFacet(counts, nullCount);
    }
    // Another field is filtered: the rows of its narrowest view, counted by this field.
    const Plan plan = planFor(q, narrowestView(q));
    if (StoreError e = walkPlan(plan, false, [&](const Row &row) {
            if (matches(row, q))
                add(fieldValue(row, field), 1);
            return true;
        }))
        return e;
    return sortedFacet(counts, nullCount);
}

Outcome<Facets> CouchStore::viewFacets(const TaskQuery &query)
{
    Facets f;
    for (Field field : {Field::Status, Field::TaskName, Field::Worker}) {
        Outcome<QVector<FacetValue>> values = viewFacet(query, field);
        if (!values)
            return values.error();
        (field == Field::Status ? f.statuses : field == Field::TaskName ? f.taskNames : f.workers) = *values;
    }
    return f;
}

Outcome<QVector<TaskResult>> CouchStore::viewPage(const TaskQuery &query, qint64 offset, int limit, RowDetail detail)
{
    if (limit <= 0 || boundsOf(query).isEmpty())
        return QVector<TaskResult>();
    // The view that gives the query's order: the sorted field's (its values in order, each
    // by date_done); for date_done, by_date, or a filtered field's view with the fewest
    // values (status first on a tie): one value's rows are the page's in date order, several
    // values' ranges are merged by date (mergePlan(), up to maxMergedRanges of them).
    View view = *viewOf(query.sortField);
    Plan plan = planFor(query, view);
    if (view == View::ByDate) {
        for (View v : {View::ByStatus, View::ByTaskName, View::ByWorker}) {
            const qsizetype n = (v == View::ByStatus ? query.statuses
                                 : v == View::ByTaskName ? query.taskNames
                                                         : query.workers)
                                    .size();
            if (n == 0)
                continue;
            Plan own = planFor(query, v);
            if (own.ranges.size() <= maxMergedRanges && (plan.view == View::ByDate || own.ranges.size() < plan.ranges.size()))
                plan = std::move(own);
        }
    }
    const bool descending = query.sortOrder == Qt::DescendingOrder;

    QStringList docIds;
    const bool resume = m_viewCursor.nextOffset == offset && m_viewCursor.query == query && offset > 0;
    if (!plan.residual && plan.ranges.size() == 1) {
        // One range, every row a result of the query: the server skips to the offset
        // (or goes on after the last page's last key).
        CouchClient::Query q = rangeQuery(plan.ranges.first(), descending);
        // The documents come with the rows: one request for the page.
        q.append({QStringLiteral("include_docs"), QStringLiteral("true")});
        if (!resume)
            m_viewCursor.position = WalkPosition();
        if (resume && m_viewCursor.position.lastKey.isEmpty()) {
            return QVector<TaskResult>(); // the page before read no row: neither does this one
        } else if (resume) {
            q[0].second = CouchDocument::compactJson(m_viewCursor.position.lastKey);
            q.append({QStringLiteral("skip"), QStringLiteral("1")});
        } else if (offset > 0) {
            q.append({QStringLiteral("skip"), QString::number(offset)});
        }
        q.append({QStringLiteral("reduce"), QStringLiteral("false")});
        q.append({QStringLiteral("limit"), QString::number(limit)});
        const CouchReply reply = callView(plan.view, q);
        if (!reply.ok())
            return reply.error;
        const QJsonArray rows = reply.json.object().value(QLatin1String("rows")).toArray();
        if (!rows.isEmpty())
            m_viewCursor.position.lastKey = rows.last().toObject().value(QLatin1String("key")).toArray();
        m_viewCursor.query = query;
        m_viewCursor.nextOffset = offset + rows.size();
        return rowsOfAnswer(rows, detail);
    } else {
        // Rows filtered here: from the last page's last row when this page follows it, else
        // from the start, passing the rows before the offset.
        qint64 skipped = resume ? offset : 0;
        const auto each = [&](const Row &row) {
            if (plan.residual && !matches(row, query))
                return true;
            if (skipped < offset) {
                ++skipped;
                return true;
            }
            docIds.append(row.docId);
            return docIds.size() < limit;
        };
        if (plan.view != *viewOf(query.sortField) && plan.ranges.size() > 1) {
            MergePosition position = resume ? m_viewCursor.merge : MergePosition();
            if (StoreError e = mergePlan(plan, descending, each, &position))
                return e;
            m_viewCursor.merge = position;
        } else {
            WalkPosition position = resume ? m_viewCursor.position : WalkPosition();
            if (StoreError e = walkPlan(plan, descending, each, &position))
                return e;
            m_viewCursor.position = position;
        }
    }
    m_viewCursor.query = query;
    m_viewCursor.nextOffset = offset + docIds.size();
    return rowsOfDocs(docIds, detail);
}

Outcome<QVector<TaskResult>> CouchStore::rowsOfDocs(const QStringList &docIds, RowDetail detail)
{
    QVector<TaskResult> rows;
    if (docIds.isEmpty())
        return rows;
    QJsonArray keys;
    for (const QString &id : docIds)
        keys.append(id);
    const CouchReply reply = call("POST", dbPath() + QStringLiteral("/_all_docs"),
                                  {{QStringLiteral("include_docs"), QStringLiteral("true")}},
                                  QJsonDocument(QJsonObject{{QStringLiteral("keys"), keys}}).toJson(QJsonDocument::Compact));
    if (!reply.ok())
        return reply.error;
    return rowsOfAnswer(reply.json.object().value(QLatin1String("rows")).toArray(), detail);
}

QVector<TaskResult> CouchStore::rowsOfAnswer(const QJsonArray &answerRows, RowDetail detail)
{
    QVector<TaskResult> rows;
    // Summary rows exactly as the in-memory index gives them: through an index of the page.
    CouchIndex page(ResultStore::previewChars);
    for (const QJsonValue &v : answerRows) {
        const QJsonObject doc = v.toObject().value(QLatin1String("doc")).toObject();
        if (doc.isEmpty())
            continue; // deleted meanwhile
        const Parsed p = CouchDocument::parse(doc, m_config.keyPrefix);
        if (p.kind != Parsed::Kind::Task)
            continue;
        const qint64 slot = page.upsert(p.docId, p.rev, p.task);
        TaskResult t = detail == RowDetail::Summary ? page.summaryRow(slot) : p.task;
        t.rowId = page.rowIdOf(slot);
        m_viewRowDocs.insert(t.rowId, p.docId);
        rows.append(t);
    }
    return rows;
}

Outcome<StatusHistory> CouchStore::viewStatusHistory(const TaskQuery &query, TimeBucket bucket)
{
    StatusHistoryBuilder builder(bucket);
    if (boundsOf(query).isEmpty())
        return builder.history();
    if (hasNoSetFilter(query)) {
        // Per status, one group_level answer: its rows are the buckets.
        const Outcome<QVector<QJsonValue>> statuses = statusValues();
        if (!statuses)
            return statuses.error();
        const Outcome<QVector<QJsonArray>> replies
            = perValueRows(View::ByStatus, *statuses, boundsOf(query), groupLevel(View::ByStatus, bucket));
        if (!replies)
            return replies.error();
        for (qsizetype i = 0; i < replies->size(); ++i) {
            for (const QJsonValue &v : replies->at(i)) {
                const QJsonObject o = v.toObject();
                QJsonArray key = o.value(QLatin1String("key")).toArray();
                if (key.size() < 2 || key.at(1).isNull())
                    continue; // no date_done: in no bucket
                // The bucket's start: the key's parts, the rest at zero.
                QJsonArray date = QJsonArray::fromVariantList(key.toVariantList().mid(1));
                while (date.size() < 3)
                    date.append(QStringLiteral("00"));
                if (date.size() < 4)
                    date.append(QStringLiteral("00.000000"));
                const QDateTime start = dateOfKey(date);
                if (start.isValid())
                    builder.add(start, statuses->at(i).toString(), qint64(o.value(QLatin1String("value")).toDouble()));
            }
        }
        return builder.history();
    }
    const Plan plan = planFor(query, narrowestView(query));
    if (StoreError e = walkPlan(plan, false, [&](const Row &row) {
            if (matches(row, query))
                builder.add(row.dateDone, row.status);
            return true;
        }))
        return e;
    return builder.history();
}

Outcome<IndexGroups> CouchStore::readGroups()
{
    IndexGroups groups;
    const QString group = QString::fromLatin1(CouchDocument::groupPrefix);
    QString from = group;
    const QString end = group + QChar(0xfff0);
    bool first = true;
    for (;;) {
        CouchClient::Query q{{QStringLiteral("include_docs"), QStringLiteral("true")},
                             {QStringLiteral("startkey"), CouchDocument::compactJson(from)},
                             {QStringLiteral("endkey"), CouchDocument::compactJson(end)},
                             {QStringLiteral("limit"), QString::number(m_config.pageSize)}};
        if (!first)
            q.append({QStringLiteral("skip"), QStringLiteral("1")});
        const CouchReply reply = call("GET", dbPath() + QStringLiteral("/_all_docs"), q);
        if (!reply.ok())
            return reply.error;
        const QJsonArray rows = reply.json.object().value(QLatin1String("rows")).toArray();
        for (const QJsonValue &v : rows) {
            const QJsonObject o = v.toObject();
            from = o.value(QLatin1String("id")).toString();
            const Parsed p = CouchDocument::parse(o.value(QLatin1String("doc")).toObject(), m_config.keyPrefix);
            if (p.kind == Parsed::Kind::Group)
                groups.insert(p);
        }
        if (rows.size() < m_config.pageSize)
            break;
        first = false;
    }
    return groups;
}

Outcome<PurgePreview> CouchStore::viewPreviewPurge(const PurgeCriteria &criteria)
{
    DateBounds bounds;
    const TaskQuery q = queryOf(criteria, &bounds);
    PurgePreview preview;
    if (!bounds.isEmpty()) {
        if (hasNoSetFilter(q)) {
            // Per status, one reduce over its expired dates.
            const Outcome<QVector<QJsonValue>> statuses = statusValues();
            if (!statuses)
                return statuses.error();
            const Outcome<QVector<QJsonArray>> rows = perValueRows(View::ByStatus, *statuses, bounds, 0);
            if (!rows)
                return rows.error();
            for (qsizetype i = 0; i < rows->size(); ++i) {
                if (const qint64 n = reducedCount(rows->at(i)); n > 0) {
                    preview.byStatus[statuses->at(i).toString()] += n;
                    preview.total += n;
                }
            }
        } else {
            const Plan plan = purgePlan(q, bounds);
            if (StoreError e = walkPlan(plan, false, [&](const Row &row) {
                    if (criteria.matches(row.dateDone, row.status, row.taskName, row.worker, QString(),
                                         row.extraMicroseconds)) {
                        ++preview.total;
                        ++preview.byStatus[row.status];
                    }
                    return true;
                }))
                return e;
        }
    }
    if (criteria.includesGroups()) {
        const Outcome<IndexGroups> groups = readGroups();
        if (!groups)
            return groups.error();
        for (const IndexGroups::Entry &g : groups->entries())
            preview.groups += criteria.matchesGroup(g.group.dateDone) ? 1 : 0;
    }
    return preview;
}

Outcome<DeleteBatch> CouchStore::viewPurgeBatch(const PurgeCriteria &criteria, int batchSize)
{
    DateBounds bounds;
    const TaskQuery q = queryOf(criteria, &bounds);
    auto pendingTasks = [&](int limit) -> Outcome<QVector<QPair<QString, QString>>> {
        const Plan plan = purgePlan(q, bounds);
        QStringList ids;
        if (bounds.isEmpty())
            return QVector<QPair<QString, QString>>();
        if (StoreError e = walkPlan(plan, false, [&](const Row &row) {
                if (m_undeletable.contains(row.docId)
                    || !criteria.matches(row.dateDone, row.status, row.taskName, row.worker, QString(),
                                         row.extraMicroseconds))
                    return true;
                ids.append(row.docId);
                return ids.size() < limit;
            }))
            return e;
        // Their current revisions (the views give none).
        return currentRevisions(ids);
    };
    auto pendingGroups = [&](int limit) -> Outcome<QVector<QPair<QString, QString>>> {
        QVector<QPair<QString, QString>> docs;
        if (!criteria.includesGroups())
            return docs;
        const Outcome<IndexGroups> groups = readGroups();
        if (!groups)
            return groups.error();
        for (auto it = groups->entries().cbegin(); it != groups->entries().cend() && docs.size() < limit; ++it) {
            if (criteria.matchesGroup(it->group.dateDone) && !m_undeletable.contains(it.key()))
                docs.append({it.key(), it->rev});
        }
        return docs;
    };
    StoreError failed;
    Outcome<DeleteBatch> batch = purgeIndexBatch(
        batchSize,
        [&](IndexPurgePart part, int limit) {
            Outcome<QVector<QPair<QString, QString>>> docs = part == IndexPurgePart::Groups ? pendingGroups(limit)
                                                           : part == IndexPurgePart::Tasks
                                                               ? pendingTasks(limit)
                                                               : QVector<QPair<QString, QString>>();
            if (!docs) {
                failed = docs.error();
                return QVector<QPair<QString, QString>>();
            }
            return *docs;
        },
        [&](IndexPurgePart part, const QVector<QPair<QString, QString>> &docs) {
            // Each document is deleted at the revision read just now and re-read on a
            // conflict: one rewritten since is deleted only if it still expired.
            return bulkDelete(docs, [&criteria, part](const Parsed &p) { return stillExpired(criteria, part, p); });
        });
    if (failed)
        return failed;
    return batch;
}

Outcome<QVector<QPair<QString, QString>>> CouchStore::currentRevisions(const QStringList &docIds)
{
    QVector<QPair<QString, QString>> docs;
    if (docIds.isEmpty())
        return docs;
    QJsonArray keys;
    for (const QString &id : docIds)
        keys.append(id);
    const CouchReply reply = call("POST", dbPath() + QStringLiteral("/_all_docs"), {},
                                  QJsonDocument(QJsonObject{{QStringLiteral("keys"), keys}}).toJson(QJsonDocument::Compact));
    if (!reply.ok())
        return reply.error;
    for (const QJsonValue &v : reply.json.object().value(QLatin1String("rows")).toArray()) {
        const QJsonObject value = v.toObject().value(QLatin1String("value")).toObject();
        const QString rev = value.value(QLatin1String("rev")).toString();
        if (!rev.isEmpty() && !value.value(QLatin1String("deleted")).toBool())
            docs.append({v.toObject().value(QLatin1String("id")).toString(), rev});
    }
    return docs;
}
