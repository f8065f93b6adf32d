#pragma once

#include "couchclient.h"
#include "storeerror.h"

#include <QByteArray>
#include <QString>

#include <functional>
#include <optional>

/// Stalk's design document on a CouchDB database (`_design/stalk`): its one text, whether a
/// database holds it (and the current version of it), and writing or removing it.
///
/// The views parse Celery's `value` (the meta as JSON text) and emit [date_done],
/// [status, date_done], [task_name, date_done] and [worker, date_done] with a `_count`
/// reduce. Nothing here writes unless asked (write(), erase()); the callers decide when
/// (the operator's explicit action, never in read-only mode).
///
/// Thread rules: the functions run their requests on the given client, whose thread the
/// callbacks run on; each callback runs exactly once, later.
namespace CouchDesign {

/// The version this Stalk writes; a stored document with another (or other views) is outdated.
inline constexpr int version = 2;
/// Stalk's marker in the document: a `_design/stalk` without it (a number) was written by
/// someone else and is foreign, never replaced or removed.
inline constexpr char versionKey[] = "stalk_version";

/// "_design/stalk"
QString documentId();
/// The design document exactly as Stalk writes it, without _id and _rev (the README shows
/// this text).
QByteArray documentText();

struct Status
{
    /// Foreign: a `_design/stalk` without Stalk's stalk_version, which Stalk did not write.
    enum class State { Absent, UpToDate, Outdated, Foreign };
    State state = State::Absent;
    QString database;
    QString rev;          ///< the stored document's, when there is one
    int storedVersion = 0; ///< its stalk_version (0 = none)
};

/// One sentence for a status: "_design/stalk in database 'stalk' is up to date (version 1)".
QString describe(const Status &status);
/// The word `stalk couch-index` prints before describe(): absent, up-to-date, outdated, foreign
/// (a contract for scripts).
QString keyword(Status::State state);
/// Why write() or erase() refuse a Foreign status: "cannot create _design/stalk in database 'x':
/// it was not written by Stalk (it has no stalk_version), and Stalk never replaces or removes
/// a design document it did not write".
StoreError foreignRefusal(const Status &status, const QString &verb);

/// Pure: the status from the body of GET /DB/_design/stalk (200).
Status statusFromDocument(const QString &database, const QJsonDocument &stored);

/// How far the server is in building the design document's views, as far as it tells:
/// CouchDB's GET /_active_tasks (one "indexer" task per shard of the database while the
/// views are built; server admins only) and GET /DB/_design/stalk/_info
/// (view_index.updater_running). pouchdb-server tells neither. Plain value type.
struct BuildProgress
{
    /// The server says it is building (an indexer task of the design document on this
    /// database, or updater_running).
    bool building = false;
    /// Summed over the indexer tasks (shards); -1 when no task tells (no admin rights, or
    /// only _info answered).
    qint64 changesDone = -1;
    qint64 totalChanges = -1;
};
/// Pure: the indexer tasks of documentId() on `database` in the body of GET /_active_tasks,
/// summed. A task's database is the name itself or, on a cluster, one of its shards
/// ("shards/00000000-7fffffff/NAME.1733400000").
BuildProgress progressFromTasks(const QString &database, const QJsonDocument &tasks);
/// Pure: view_index.updater_running in the body of GET /DB/_design/stalk/_info; nullopt
/// when the answer does not say (pouchdb-server: "view_index": "Not implemented.").
std::optional<bool> updaterRunning(const QJsonDocument &info);
/// "the server is building the views of _design/stalk: 45% (450,000 of 1,000,000 changes)",
/// without the figures when the server gives none.
QString describe(const BuildProgress &progress);

using Callback = std::function<void(const Outcome<Status> &)>;

/// Whether the client's database exists and holds the design document, and its version.
void readStatus(CouchClient &client, Callback done);
/// Creates the design document, or replaces current's (current.rev); done gets the new status.
/// A 401/403 answer (a user who is not the database's admin) is PermissionDenied with one
/// sentence saying so. A Foreign current is refused (foreignRefusal()) without a request, and
/// a document changed since current was read fails on the server's revision check (409).
void write(CouchClient &client, const Status &current, Callback done);
/// Deletes current's document (current.rev); done gets the Absent status. A Foreign current
/// is refused as by write().
void erase(CouchClient &client, const Status &current, Callback done);
/// Runs `step` (readStatus, write or erase, or a chain of them ending in its callback) and waits
/// for its answer in a local event loop: for callers with nothing else to do meanwhile (the
/// command line, tests), never the window.
Outcome<Status> wait(const std::function<void(Callback)> &step);

} // namespace CouchDesign
