#pragma once

#include "resultstore.h"

#include <QMap>
#include <QString>
#include <QVector>

/// A parsed store URL, as operators already write them:
///   sqlite:///relative/path.sqlite3   sqlite:////absolute/path   (and a bare file path)
///   db+sqlite:///…                    (Celery's result_backend form)
///   postgresql://user:pw@host:port/db  (postgres://, postgresql+psycopg2://, db+postgresql://)
///   mysql://user:pw@127.0.0.1:port/db    (mariadb://, db+mysql://)   couchdb://…
///   redis://[[user]:pw@]host[:port][/db]  rediss://…  redis+socket:///path/redis.sock
///   memcached://host[:port]   cache+memcached://host:port/  (Celery's form)
///   memcached://h1:port;h2:port   cache+memcached://h1:port;h2:port/  (several servers, ';' or ',')
///   file:///path/to/cache/dir  (a Django FileBasedCache's LOCATION; a file:/// URL of a regular
///                               file opens it as SQLite, as its bare path)
struct StoreUrl
{
    enum class Scheme { Sqlite, PostgreSql, MySql, CouchDb, Redis, Memcached, FileCache };

    /// One server of a URL that names several (memcached).
    struct Server
    {
        QString host;
        int port = -1; ///< -1: none given
        bool operator==(const Server &o) const { return host == o.host && port == o.port; }
    };

    Scheme scheme = Scheme::Sqlite;
    QString original;  ///< as given
    QString path;      ///< SQLite: the file path (relative to the working directory or absolute); redis+socket: the socket;
                       ///< file://: the cache directory or SQLite file (absolute)
    QString host;
    int port = -1;
    QString user;
    QString password;
    QString database;  ///< SQL database name / CouchDB database ("container")
    /// memcached: every server the URL names, in its order (host and port are the first's);
    /// empty for the other schemes.
    QVector<Server> servers;
    QMap<QString, QString> options; ///< query items (?table=…, ?readonly=1, ?sslmode=…)
    bool celeryDbPrefix = false;    ///< written as db+<url>
    bool tls = false;               ///< couchdbs:// (HTTPS), rediss://

    /// The URL with any password replaced by "***" — safe for titles, logs and errors.
    QString displayString() const;
    /// The URL as given without its password (nor the ':' before it), everything else kept:
    /// what the window shows in its Database field and remembers. Unchanged when it has none.
    QString withoutPassword() const;
    /// This URL with password as its password, also written (percent-encoded) into original,
    /// which displayString() then masks; an empty password removes it. A SQLite URL is
    /// returned unchanged.
    StoreUrl withPassword(const QString &password) const;
    /// The URL asks to be opened read-only (?readonly=1, true, yes or on).
    bool asksReadOnly() const;
    /// "USER@HOST:PORT" for password prompts (":PORT" only when the URL names one).
    QString account() const;

    /// Reads text; an error's sentence names the URL with its password hidden as "***"
    /// (displayString(text)), whatever made it unreadable.
    static Outcome<StoreUrl> parse(const QString &text);
    /// text with any password shown as "***": displayString() of the parsed URL, and for text
    /// parse() rejects, everything that could be a password (from the ':' after the user name
    /// to the last '@') hidden.
    static QString displayString(const QString &text);
    /// text without its password, as withoutPassword(), also when text is no store URL that
    /// parse() accepts (then without everything that could be one, as displayString(text)
    /// hides it): nothing derived from a password is ever stored.
    static QString withoutPassword(const QString &text);
};

/// Options that do not belong in the URL.
struct StoreOptions
{
    bool readOnly = false;
    /// Table to read when a database holds more than one result table (e.g. a renamed
    /// celery_taskmeta); empty = detect.
    QString table;
    /// IANA time zone of naive stored dates, for databases written by Django with USE_TZ=False
    /// (URL option ?timezone=Europe/Paris); empty = naive dates are UTC (USE_TZ=True). Never
    /// applied to PostgreSQL timestamptz columns, which hold instants.
    QString timeZone;
    /// Password for a server when the URL has none (e.g. typed into a prompt); when both are
    /// empty the environment variable STALK_PASSWORD is used (PostgreSQL also reads
    /// PGPASSWORD and ~/.pgpass through libpq).
    QString password;

    /// The password a server store for url logs in with: the URL's own, else password, else
    /// STALK_PASSWORD; empty when none of them has one.
    QString passwordFor(const StoreUrl &url) const;
    /// url carrying passwordFor(url): what a store (or a CouchClient of its own) logs in with.
    StoreUrl login(const StoreUrl &url) const;
};

/// A factory that makes unopened stores for the URL, which logs in with
/// options.passwordFor(url). Fails only on an unparsable URL or an unsupported scheme;
/// connection problems surface from ResultStore::open().
Outcome<StoreFactory> makeStoreFactory(const QString &url, const StoreOptions &options = {});
/// The same for a URL StoreUrl::parse() already read.
Outcome<StoreFactory> makeStoreFactory(const StoreUrl &url, const StoreOptions &options = {});
