#include "redisvalue.h"

#include "picklereader.h"
#include "pythonliteral.h"
#include "taskgroup.h"
#include "timeparse.h"

using Parsed = CouchDocument::Parsed;

namespace {

Parsed foreign(Parsed p, const QString &reason)
{
    p.kind = Parsed::Kind::Foreign;
    p.reason = reason;
    return p;
}

QString textOf(const PyValue *v)
{
    if (!v || v->type == PyValue::Type::None)
        return QString();
    if (v->type == PyValue::Type::Str)
        return v->text;
    if (v->type == PyValue::Type::Bytes)
        return QString::fromUtf8(v->bytes);
    return PyLiteral::toPython(*v);
}

/// Celery's JSON form of an exception instance ({"exc_type", "exc_message", "exc_module"}),
/// which ValueDecoder shows as "Type: message"; any other value as JSON.
QString resultJson(const PyValue &v)
{
    if (v.type == PyValue::Type::Object && !v.text.contains(QLatin1String("datetime."))) {
        const qsizetype dot = v.text.lastIndexOf(u'.');
        PyValue exc;
        exc.type = PyValue::Type::Dict;
        exc.items.push_back(PyValue::ofText(PyValue::Type::Str, QStringLiteral("exc_type")));
        exc.items.push_back(PyValue::ofText(PyValue::Type::Str, v.text.mid(dot + 1)));
        exc.items.push_back(PyValue::ofText(PyValue::Type::Str, QStringLiteral("exc_message")));
        PyValue args;
        args.type = PyValue::Type::List;
        args.items = v.items;
        exc.items.push_back(std::move(args));
        exc.items.push_back(PyValue::ofText(PyValue::Type::Str, QStringLiteral("exc_module")));
        exc.items.push_back(PyValue::ofText(PyValue::Type::Str, dot < 0 ? QString() : v.text.left(dot)));
        return PyLiteral::toJson(exc);
    }
    return PyLiteral::toJson(v);
}

/// date_done as Celery pickles it: ISO text (result_serializer pickle still formats dates),
/// or a datetime.datetime (Django's cache pickles the meta as it is).
QDateTime dateOf(const PyValue *v, QString *problem)
{
    if (!v || v->type == PyValue::Type::None)
        return QDateTime();
    if (v->type == PyValue::Type::Str) {
        const QDateTime d = CouchDocument::parseDateDone(v->text);
        if (!d.isValid())
            *problem = QStringLiteral("date_done: '%1' is not a date").arg(v->text);
        return d;
    }
    if (v->type == PyValue::Type::Object && v->text == QLatin1String("datetime.datetime") && v->items.size() >= 3) {
        int f[7] = {0, 1, 1, 0, 0, 0, 0};
        for (size_t i = 0; i < v->items.size() && i < 7; ++i)
            f[i] = v->items[i].text.toInt();
        const QDateTime d(QDate(f[0], f[1], f[2]), QTime(f[3], f[4], f[5], f[6] / 1000), Qt::UTC);
        // A naive datetime is UTC (Celery's utcnow()); an aware one is taken as UTC too when
        // its zone is datetime.timezone.utc, the only zone Celery writes.
        if (d.isValid())
            return d;
    }
    *problem = QStringLiteral("date_done: %1 is not a date").arg(PyLiteral::toPython(*v, {-1, 100, 200}));
    return QDateTime();
}

Parsed parsePickle(Parsed p, Parsed::Kind kind, const QString &idFromKey, const QByteArray &value)
{
    const PickleReader::Result read = PickleReader::read(value);
    if (!read.ok)
        return foreign(p, QStringLiteral("the pickled value cannot be read: %1").arg(read.error));
    const PyValue &meta = read.value;
    if (meta.type != PyValue::Type::Dict)
        return foreign(p, QStringLiteral("the pickled value is not a dict"));
    if (kind == Parsed::Kind::Group) {
        if (!meta.dictValue(QStringLiteral("result")))
            return foreign(p, QStringLiteral("the value has no 'result' (not a saved group)"));
        p.kind = Parsed::Kind::Group;
        p.groupId = idFromKey;
        QString problem;
        p.groupDateDone = dateOf(meta.dictValue(QStringLiteral("date_done")), &problem);
        TaskGroup read;
        read.groupId = idFromKey;
        TaskGroups::readMembers(meta, &read);
        CouchDocument::takeGroupMembers(read, &p);
        return p;
    }
    const PyValue *status = meta.dictValue(QStringLiteral("status"));
    if (!status)
        return foreign(p, QStringLiteral("the value has no 'status'"));
    if (status->type != PyValue::Type::Str || status->text.isEmpty())
        return foreign(p, QStringLiteral("the value has a 'status' that is not a state name"));
    p.kind = Parsed::Kind::Task;
    TaskResult &t = p.task;
    t.complete = true;
    t.status = status->text;
    t.taskId = textOf(meta.dictValue(QStringLiteral("task_id")));
    if (t.taskId.isEmpty())
        t.taskId = idFromKey;
    else if (t.taskId != idFromKey)
        t.problems.append(QStringLiteral("task_id: '%1' differs from the key '%2'").arg(t.taskId, p.docId));
    const PyValue *result = meta.dictValue(QStringLiteral("result"));
    t.result = result ? resultJson(*result) : QStringLiteral("null");
    t.traceback = textOf(meta.dictValue(QStringLiteral("traceback")));
    if (const PyValue *children = meta.dictValue(QStringLiteral("children")))
        t.meta = QStringLiteral("{\"children\": %1}").arg(PyLiteral::toJson(*children));
    // The fields are shown as the JSON serializer would have written them.
    t.contentType = QStringLiteral("application/json");
    t.contentEncoding = QStringLiteral("utf-8");
    QString problem;
    t.dateDone = dateOf(meta.dictValue(QStringLiteral("date_done")), &problem);
    if (!problem.isEmpty())
        t.problems.append(problem);
    t.groupId = textOf(meta.dictValue(QStringLiteral("group_id")));
    t.parentId = textOf(meta.dictValue(QStringLiteral("parent_id")));
    t.taskName = textOf(meta.dictValue(QStringLiteral("name")));
    const PyValue *args = meta.dictValue(QStringLiteral("args"));
    const PyValue *kwargs = meta.dictValue(QStringLiteral("kwargs"));
    if (args && args->type != PyValue::Type::None)
        t.args = PyLiteral::toJson(*args);
    if (kwargs && kwargs->type != PyValue::Type::None)
        t.kwargs = PyLiteral::toJson(*kwargs);
    t.worker = textOf(meta.dictValue(QStringLiteral("worker")));
    t.queue = textOf(meta.dictValue(QStringLiteral("queue")));
    if (const PyValue *retries = meta.dictValue(QStringLiteral("retries")); retries && retries->type == PyValue::Type::Int)
        t.retries = retries->text.toInt();
    p.extended = !t.taskName.isNull() || args || kwargs || !t.worker.isNull();
    return p;
}

} // namespace

namespace RedisValue {

Encoding sniff(const QByteArray &value)
{
    if (PickleReader::looksLikePickle(value))
        return Encoding::Pickle;
    const uchar first = value.isEmpty() ? 0 : uchar(value.at(0));
    // A msgpack map (fixmap 0x80–0x8f, map16 0xde, map32 0xdf): Celery's meta is a dict.
    if ((first >= 0x80 && first <= 0x8f) || first == 0xde || first == 0xdf)
        return Encoding::Msgpack;
    for (const char c : value) {
        if (c == ' ' || c == '\t' || c == '\r' || c == '\n')
            continue;
        return c == '{' || c == '[' || c == '"' || (c >= '0' && c <= '9') || c == '-' || c == 't' || c == 'f' || c == 'n'
            ? Encoding::Json
            : Encoding::Unknown;
    }
    return Encoding::Unknown;
}

QString encodingName(Encoding encoding)
{
    switch (encoding) {
    case Encoding::Json: return QStringLiteral("JSON");
    case Encoding::Pickle: return QStringLiteral("pickle");
    case Encoding::Msgpack: return QStringLiteral("msgpack");
    case Encoding::Unknown: break;
    }
    return QStringLiteral("unknown");
}

bool isDjangoCachePrefix(const QString &keyPrefix)
{
    // make_key(): '%s:%s:%s' % (KEY_PREFIX, VERSION, key), VERSION an int (1 by default).
    if (!keyPrefix.endsWith(u':'))
        return false;
    const qsizetype colon = keyPrefix.lastIndexOf(u':', -2);
    if (colon < 0 || colon + 2 >= keyPrefix.size())
        return false;
    bool ok = false;
    keyPrefix.mid(colon + 1, keyPrefix.size() - colon - 2).toInt(&ok);
    return ok;
}

QString defaultKeyPrefix(const QString &key)
{
    for (const char *kind : {CouchDocument::taskPrefix, CouchDocument::groupPrefix}) {
        const qsizetype at = key.indexOf(QLatin1String(kind));
        if (at == 0)
            return QStringLiteral("");
        if (at > 0 && isDjangoCachePrefix(key.left(at)))
            return key.left(at);
    }
    return QString();
}

Parsed parse(const QString &key, const QByteArray &value, const QString &keyPrefix, CouchDocument::Detail detail)
{
    Parsed p;
    p.docId = key;
    QString reason;
    const Parsed::Kind kind = CouchDocument::kindOfId(key, &reason, keyPrefix);
    if (kind == Parsed::Kind::Foreign)
        return foreign(p, reason);
    switch (sniff(value)) {
    case Encoding::Json: {
        Parsed json = CouchDocument::parseParts(key, QString(), CouchDocument::ValueKind::String, value, keyPrefix, detail);
        json.reason.replace(QLatin1String("'value'"), QLatin1String("the value"));
        return json;
    }
    case Encoding::Pickle: {
        const qsizetype prefix = keyPrefix.size()
            + qsizetype(kind == Parsed::Kind::Task ? sizeof(CouchDocument::taskPrefix) : sizeof(CouchDocument::groupPrefix)) - 1;
        return parsePickle(p, kind, key.mid(prefix), value);
    }
    case Encoding::Msgpack:
        return foreign(p, QStringLiteral("the value is msgpack (result_serializer='msgpack'), which Stalk cannot read yet"));
    case Encoding::Unknown:
        break;
    }
    return foreign(p, value.isEmpty() ? QStringLiteral("the value is empty")
                                      : QStringLiteral("the value is neither JSON, a pickle nor msgpack"));
}

} // namespace RedisValue
