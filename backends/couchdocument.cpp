#include "couchdocument.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonParseError>

#include "timeparse.h"

namespace CouchDocument {

namespace {

Parsed foreign(Parsed p, const QString &reason)
{
    p.kind = Parsed::Kind::Foreign;
    p.reason = reason;
    p.task = TaskResult();
    return p;
}

// A text field of the meta: null/missing stay a null QString (NULL), other JSON types are
// kept as their JSON text so nothing is silently lost.
QString textField(const QJsonObject &meta, const char *key)
{
    const QJsonValue v = meta.value(QLatin1String(key));
    if (v.isUndefined() || v.isNull())
        return QString();
    if (v.isString()) {
        const QString s = v.toString();
        return s.isNull() ? QString(QLatin1String("")) : s;
    }
    return compactJson(v);
}

QString jsonField(const QJsonObject &meta, const char *key, bool *present)
{
    const QJsonValue v = meta.value(QLatin1String(key));
    *present = !v.isUndefined();
    if (v.isUndefined())
        return QString();
    return compactJson(v);
}

} // namespace

QString compactJson(const QJsonValue &value)
{
    if (value.isUndefined())
        return QString();
    // QJsonDocument holds only objects and arrays: wrap scalars in an array, then unwrap.
    const QByteArray wrapped = QJsonDocument(QJsonArray{value}).toJson(QJsonDocument::Compact);
    return QString::fromUtf8(wrapped.mid(1, wrapped.size() - 2));
}

QDateTime parseDateDone(const QString &text)
{
    // TimeParse accepts exactly Celery's forms: naive (= UTC), 1–9 fraction digits, offsets.
    return TimeParse::parseTimestamp(text);
}

Parsed::Kind kindOfId(const QString &docId, QString *reason, const QString &keyPrefix)
{
    if (docId.startsWith(QLatin1String("_design/"))) {
        if (reason)
            *reason = QStringLiteral("design document");
        return Parsed::Kind::Foreign;
    }
    if (docId.startsWith(keyPrefix)) {
        const QStringView key = QStringView(docId).mid(keyPrefix.size());
        if (key.startsWith(QLatin1String(taskPrefix)) && key.size() > qsizetype(sizeof(taskPrefix) - 1))
            return Parsed::Kind::Task;
        if (key.startsWith(QLatin1String(groupPrefix)) && key.size() > qsizetype(sizeof(groupPrefix) - 1))
            return Parsed::Kind::Group;
    }
    if (reason)
        *reason = QStringLiteral("not a Celery key");
    return Parsed::Kind::Foreign;
}

Parsed parse(const QByteArray &json, const QString &keyPrefix)
{
    QJsonParseError error;
    const QJsonDocument doc = QJsonDocument::fromJson(json, &error);
    if (error.error != QJsonParseError::NoError || !doc.isObject()) {
        Parsed p;
        p.reason = error.error != QJsonParseError::NoError
            ? QStringLiteral("the document is not JSON: %1").arg(error.errorString())
            : QStringLiteral("the document is not a JSON object");
        return p;
    }
    return parse(doc.object(), keyPrefix);
}

Parsed parse(const QJsonObject &doc, const QString &keyPrefix)
{
    Parsed p;
    p.docId = doc.value(QLatin1String("_id")).toString();
    p.rev = doc.value(QLatin1String("_rev")).toString();

    QString reason;
    const Parsed::Kind kind = kindOfId(p.docId, &reason, keyPrefix);
    if (kind == Parsed::Kind::Foreign)
        return foreign(p, reason);

    const QJsonValue value = doc.value(QLatin1String("value"));
    if (value.isUndefined())
        return foreign(p, QStringLiteral("no 'value' field"));
    if (!value.isString())
        return foreign(p, QStringLiteral("'value' is not a string (Celery stores the meta as JSON text)"));

    // The meta is JSON encoded inside a JSON string: parse it a second time.
    QJsonParseError error;
    const QJsonDocument inner = QJsonDocument::fromJson(value.toString().toUtf8(), &error);
    if (error.error != QJsonParseError::NoError) {
        // Scalars (a bare number or string) are valid JSON that QJsonDocument refuses.
        const QJsonDocument wrapped = QJsonDocument::fromJson('[' + value.toString().toUtf8() + ']');
        if (wrapped.isArray() && wrapped.array().size() == 1)
            return foreign(p, QStringLiteral("'value' is not a JSON object"));
        return foreign(p, QStringLiteral("'value' is not JSON: %1 at offset %2")
                              .arg(error.errorString())
                              .arg(error.offset));
    }
    if (!inner.isObject())
        return foreign(p, QStringLiteral("'value' is not a JSON object"));
    const QJsonObject meta = inner.object();

    if (kind == Parsed::Kind::Group) {
        // GroupResult.save(): {"result": [[group_id, parent], [child tuples…]]}; newer Celery
        // versions may add date_done.
        if (!meta.contains(QLatin1String("result")))
            return foreign(p, QStringLiteral("'value' has no 'result' (not a saved group)"));
        p.kind = Parsed::Kind::Group;
        p.groupId = p.docId.mid(keyPrefix.size() + int(sizeof(groupPrefix) - 1));
        const QJsonValue done = meta.value(QLatin1String("date_done"));
        if (done.isString())
            p.groupDateDone = parseDateDone(done.toString());
        return p;
    }

    const QJsonValue status = meta.value(QLatin1String("status"));
    if (status.isUndefined())
        return foreign(p, QStringLiteral("'value' has no 'status'"));
    if (!status.isString() || status.toString().isEmpty())
        return foreign(p, QStringLiteral("'value' has a 'status' that is not a state name"));

    p.kind = Parsed::Kind::Task;
    TaskResult &t = p.task;
    t.complete = true;
    const QString idFromKey = p.docId.mid(keyPrefix.size() + int(sizeof(taskPrefix) - 1));
    t.taskId = textField(meta, "task_id");
    if (t.taskId.isEmpty())
        t.taskId = idFromKey;
    else if (t.taskId != idFromKey)
        t.problems.append(QStringLiteral("task_id: '%1' differs from the document key '%2'")
                              .arg(t.taskId, p.docId));
    t.status = status.toString();
    t.result = compactJson(meta.value(QLatin1String("result")));
    if (t.result.isNull())
        t.result = QStringLiteral("null");
    t.traceback = textField(meta, "traceback");
    // The meta column of the SQL layouts holds {"children": …}; keep the same shape.
    if (meta.contains(QLatin1String("children"))) {
        QJsonObject children;
        children.insert(QLatin1String("children"), meta.value(QLatin1String("children")));
        t.meta = QString::fromUtf8(QJsonDocument(children).toJson(QJsonDocument::Compact));
    }
    // Celery serializes the meta with its result_serializer; CouchDB documents are JSON.
    t.contentType = QStringLiteral("application/json");
    t.contentEncoding = QStringLiteral("utf-8");

    const QJsonValue done = meta.value(QLatin1String("date_done"));
    if (done.isString()) {
        t.dateDone = parseDateDone(done.toString());
        if (!t.dateDone.isValid())
            t.problems.append(QStringLiteral("date_done: '%1' is not a date").arg(done.toString()));
    } else if (!done.isNull() && !done.isUndefined()) {
        t.problems.append(QStringLiteral("date_done: %1 is not a date").arg(compactJson(done)));
    }

    t.groupId = textField(meta, "group_id");
    t.parentId = textField(meta, "parent_id");

    // result_extended: name, args, kwargs, worker, retries, queue (args/kwargs are real JSON).
    bool hasArgs = false, hasKwargs = false;
    t.taskName = textField(meta, "name");
    t.args = jsonField(meta, "args", &hasArgs);
    t.kwargs = jsonField(meta, "kwargs", &hasKwargs);
    if (t.args == QLatin1String("null"))
        t.args = QString();
    if (t.kwargs == QLatin1String("null"))
        t.kwargs = QString();
    t.worker = textField(meta, "worker");
    t.queue = textField(meta, "queue");
    const QJsonValue retries = meta.value(QLatin1String("retries"));
    if (retries.isDouble())
        t.retries = retries.toInt(-1);
    p.extended = meta.contains(QLatin1String("name")) || hasArgs || hasKwargs || meta.contains(QLatin1String("worker"));
    return p;
}

} // namespace CouchDocument
