#include "couchdesign.h"

#include <QEventLoop>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QLocale>
#include <QRegularExpression>
#include <QTimer>

namespace CouchDesign {

namespace {

QString designPath(const CouchClient &client)
{
    return QLatin1Char('/') + CouchClient::encodeSegment(client.config().database) + QLatin1Char('/')
        + documentId();
}

/// A write refused for want of rights: CouchDB answers 401 (pouchdb-server too) or 403 when
/// the user may read the database but is not its admin; the login itself was already
/// accepted by the status read before.
StoreError writeError(const CouchClient &client, const CouchReply &reply, const QString &verb)
{
    if (reply.httpStatus == 401 || reply.httpStatus == 403) {
        const QString user = client.config().user.isEmpty() ? QStringLiteral("an anonymous user")
                                                            : QStringLiteral("user '%1'").arg(client.config().user);
        return {StoreError::Code::PermissionDenied,
                QStringLiteral("cannot %1 %2 in database '%3': permission denied: only an admin of the database "
                               "(or of the server) may write design documents, and %4 is not one")
                    .arg(verb, documentId(), client.config().database, user)};
    }
    return {reply.error.code, QStringLiteral("cannot %1 %2 in database '%3': %4")
                                  .arg(verb, documentId(), client.config().database, reply.error.message)};
}

/// Answers a refused write later (callbacks never run inside the call), with no request sent.
void refuseLater(CouchClient &client, const StoreError &error, const Callback &done)
{
    QTimer::singleShot(0, &client, [error, done] { done(error); });
}

} // namespace

QString documentId()
{
    return QStringLiteral("_design/stalk");
}

QByteArray documentText()
{
    // The one text of the design document; README "CouchDB: the Stalk index on the server"
    // shows it and tst_couchdesign checks that the two agree. Every view shares the start of
    // its map function (which documents count, and date_done as CouchViews::dateKey()'s four
    // texts: the forms TimeParse::parseTimestamp() reads, naive = UTC, moved to UTC); the
    // views differ in their key only. ES5, for CouchDB's SpiderMonkey/QuickJS and PouchDB.
    static const QString start = QStringLiteral(
        "function (doc) { if (doc._id.indexOf('celery-task-meta-') !== 0 || typeof doc.value !== 'string') return; "
        "var m; try { m = JSON.parse(doc.value); } catch (e) { return; } "
        "if (m === null || typeof m !== 'object' || Array.isArray(m) || typeof m.status !== 'string' || m.status === '') return; "
        "var d = [null]; "
        "var r = typeof m.date_done === 'string' ? /^(\\d{4})-(\\d{2})-(\\d{2})(?:[Tt ](\\d{2}):(\\d{2})(?::(\\d{2})(?:[.,](\\d{1,9}))?)?([Zz]|[+-]\\d{2}(?::?\\d{2})?)?)?$/.exec(m.date_done.replace(/^\\s+|\\s+$/g, '')) : null; "
        "if (r) { "
        "var u = new Date(0); u.setUTCFullYear(+r[1], +r[2] - 1, +r[3]); "
        "var ok = +r[1] > 0 && u.getUTCFullYear() === +r[1] && u.getUTCMonth() === +r[2] - 1 && u.getUTCDate() === +r[3] "
        "&& (!r[4] || (+r[4] < 24 && +r[5] < 60 && (!r[6] || +r[6] < 60))); "
        "var off = 0; "
        "if (ok && r[8] && r[8] !== 'Z' && r[8] !== 'z') { var oh = +r[8].substr(1, 2); var om = r[8].length > 3 ? +r[8].substr(r[8].length - 2) : 0; "
        "ok = om < 60 && oh * 60 + om <= 18 * 60; off = (r[8].charAt(0) === '-' ? -1 : 1) * (oh * 60 + om); } "
        "if (ok) { "
        "u.setUTCHours(r[4] ? +r[4] : 0, r[5] ? +r[5] : 0, r[6] ? +r[6] : 0, 0); u = new Date(u.getTime() - off * 60000); "
        "var p = function (n, w) { var s = String(n); while (s.length < w) s = '0' + s; return s; }; "
        "d = [p(u.getUTCFullYear(), 4) + '-' + p(u.getUTCMonth() + 1, 2) + '-' + p(u.getUTCDate(), 2), p(u.getUTCHours(), 2), "
        "p(u.getUTCMinutes(), 2), p(u.getUTCSeconds(), 2) + '.' + (r[7] ? (r[7] + '00000').substr(0, 6) : '000000')]; } } "
        "var name = m.name === undefined ? null : m.name; var worker = m.worker === undefined ? null : m.worker; ");
    const auto view = [](const QString &key) {
        return QJsonObject{{QStringLiteral("map"), start + QStringLiteral("emit(%1.concat([doc._id]), [m.status, name, worker]); }").arg(key)},
                           {QStringLiteral("reduce"), QStringLiteral("_count")}};
    };
    const QJsonObject document{
        {QStringLiteral("language"), QStringLiteral("javascript")},
        {QLatin1String(versionKey), version},
        {QStringLiteral("views"),
         QJsonObject{{QStringLiteral("by_date"), view(QStringLiteral("d"))},
                     {QStringLiteral("by_status"), view(QStringLiteral("[m.status].concat(d)"))},
                     {QStringLiteral("by_task_name"), view(QStringLiteral("[name].concat(d)"))},
                     {QStringLiteral("by_worker"), view(QStringLiteral("[worker].concat(d)"))}}}};
    return QJsonDocument(document).toJson(QJsonDocument::Indented);
}

QString describe(const Status &status)
{
    const QString where = QStringLiteral("%1 in database '%2'").arg(documentId(), status.database);
    switch (status.state) {
    case Status::State::Absent:
        return QStringLiteral("%1 does not exist").arg(where);
    case Status::State::UpToDate:
        return QStringLiteral("%1 is up to date (version %2)").arg(where).arg(version);
    case Status::State::Foreign:
        return QStringLiteral("%1 was not written by Stalk").arg(where);
    case Status::State::Outdated:
        break;
    }
    return QStringLiteral("%1 is outdated (version %2; this Stalk writes version %3)")
        .arg(where)
        .arg(status.storedVersion)
        .arg(version);
}

BuildProgress progressFromTasks(const QString &database, const QJsonDocument &tasks)
{
    BuildProgress out;
    // A shard's name: shards/<begin>-<end>/<database>.<creation time>.
    static const QRegularExpression shard(QStringLiteral("^shards/[0-9a-f]+-[0-9a-f]+/(.+)\\.[0-9]+$"));
    const QJsonArray list = tasks.array();
    bool everyFigure = true; // a shard without figures leaves the sum unknown
    qint64 done = 0, total = 0;
    for (const QJsonValue &v : list) {
        const QJsonObject task = v.toObject();
        if (task.value(QLatin1String("type")).toString() != QLatin1String("indexer")
            || task.value(QLatin1String("design_document")).toString() != documentId())
            continue;
        const QString name = task.value(QLatin1String("database")).toString();
        if (name != database) {
            const QRegularExpressionMatch m = shard.match(name);
            if (!m.hasMatch() || m.captured(1) != database)
                continue;
        }
        out.building = true;
        const QJsonValue shardDone = task.value(QLatin1String("changes_done"));
        const QJsonValue shardTotal = task.value(QLatin1String("total_changes"));
        everyFigure = everyFigure && shardDone.isDouble() && shardTotal.isDouble();
        done += qint64(shardDone.toDouble());
        total += qint64(shardTotal.toDouble());
    }
    if (out.building && everyFigure) {
        out.changesDone = done;
        out.totalChanges = total;
    }
    return out;
}

std::optional<bool> updaterRunning(const QJsonDocument &info)
{
    const QJsonValue running = info.object().value(QLatin1String("view_index")).toObject().value(QLatin1String("updater_running"));
    if (!running.isBool())
        return std::nullopt;
    return running.toBool();
}

QString describe(const BuildProgress &progress)
{
    const QString building = QStringLiteral("the server is building the views of %1").arg(documentId());
    if (progress.changesDone < 0 || progress.totalChanges <= 0)
        return building;
    const qint64 done = qMin(progress.changesDone, progress.totalChanges);
    const QLocale grouped(QLocale::English);
    return QStringLiteral("%1: %2% (%3 of %4 changes)")
        .arg(building)
        .arg(done * 100 / progress.totalChanges)
        .arg(grouped.toString(done), grouped.toString(progress.totalChanges));
}

QString keyword(Status::State state)
{
    switch (state) {
    case Status::State::Absent:
        return QStringLiteral("absent");
    case Status::State::UpToDate:
        return QStringLiteral("up-to-date");
    case Status::State::Foreign:
        return QStringLiteral("foreign");
    case Status::State::Outdated:
        break;
    }
    return QStringLiteral("outdated");
}

StoreError foreignRefusal(const Status &status, const QString &verb)
{
    return {StoreError::Code::PermissionDenied,
            QStringLiteral("cannot %1 %2 in database '%3': it was not written by Stalk (it has no %4), and Stalk "
                           "never replaces or removes a design document it did not write")
                .arg(verb, documentId(), status.database, QLatin1String(versionKey))};
}

Status statusFromDocument(const QString &database, const QJsonDocument &stored)
{
    const QJsonObject object = stored.object();
    const QJsonObject current = QJsonDocument::fromJson(documentText()).object();
    Status status;
    status.database = database;
    status.rev = object.value(QStringLiteral("_rev")).toString();
    // Without Stalk's marker the document is someone else's (another tool's, or a person's,
    // under the same name): never Stalk's to replace or remove.
    const QJsonValue marker = object.value(QLatin1String(versionKey));
    if (!marker.isDouble()) {
        status.state = Status::State::Foreign;
        return status;
    }
    status.storedVersion = marker.toInt();
    // Same version, same views: anything else (an older Stalk's, or its views edited by hand)
    // is replaced by write().
    const bool same = status.storedVersion == version
        && object.value(QStringLiteral("views")) == current.value(QStringLiteral("views"))
        && object.value(QStringLiteral("language")) == current.value(QStringLiteral("language"));
    status.state = same ? Status::State::UpToDate : Status::State::Outdated;
    return status;
}

void readStatus(CouchClient &client, Callback done)
{
    const QString database = client.config().database;
    // The database first: a 404 for the design document alone cannot tell a missing database.
    client.get(QLatin1Char('/') + CouchClient::encodeSegment(database), {},
               [&client, database, done](const CouchReply &reply) {
                   if (!reply.ok()) {
                       done(reply.error);
                       return;
                   }
                   client.get(designPath(client), {}, [database, done](const CouchReply &design) {
                       if (design.httpStatus == 404) {
                           Status absent;
                           absent.database = database;
                           done(absent);
                       } else if (!design.ok()) {
                           done(design.error);
                       } else {
                           done(statusFromDocument(database, design.json));
                       }
                   });
               });
}

void write(CouchClient &client, const Status &current, Callback done)
{
    const QString verb = current.state == Status::State::Absent ? QStringLiteral("create") : QStringLiteral("replace");
    if (current.state == Status::State::Foreign) {
        refuseLater(client, foreignRefusal(current, verb), done);
        return;
    }
    QJsonObject document = QJsonDocument::fromJson(documentText()).object();
    if (!current.rev.isEmpty())
        document.insert(QStringLiteral("_rev"), current.rev);
    client.send("PUT", designPath(client), {}, QJsonDocument(document).toJson(QJsonDocument::Compact),
                [&client, current, verb, done](const CouchReply &reply) {
                    if (!reply.ok()) {
                        done(writeError(client, reply, verb));
                        return;
                    }
                    Status written = current;
                    written.state = Status::State::UpToDate;
                    written.rev = reply.json.object().value(QStringLiteral("rev")).toString();
                    written.storedVersion = version;
                    done(written);
                });
}

void erase(CouchClient &client, const Status &current, Callback done)
{
    if (current.state == Status::State::Foreign) {
        refuseLater(client, foreignRefusal(current, QStringLiteral("remove")), done);
        return;
    }
    client.send("DELETE", designPath(client), {{QStringLiteral("rev"), current.rev}}, QByteArray(),
                [&client, current, done](const CouchReply &reply) {
                    if (!reply.ok()) {
                        done(writeError(client, reply, QStringLiteral("remove")));
                        return;
                    }
                    Status removed;
                    removed.database = current.database;
                    done(removed);
                });
}

Outcome<Status> wait(const std::function<void(Callback)> &step)
{
    QEventLoop loop;
    std::optional<Outcome<Status>> answer;
    step([&](const Outcome<Status> &outcome) {
        answer = outcome;
        loop.quit();
    });
    if (!answer)
        loop.exec();
    return *answer;
}

} // namespace CouchDesign
