#include "storeurl.h"

#include <QByteArray>
#include <QFileInfo>
#include <QRegularExpression>
#include <QSqlDatabase>
#include <QTimeZone>
#include <QUrl>

#include "couchstore.h"
#include "filecachestore.h"
#include "memcachedstore.h"
#include "redisstore.h"
#include "sqlstore.h"

namespace {

QString percentDecoded(QStringView text)
{
    return QString::fromUtf8(QByteArray::fromPercentEncoding(text.toUtf8()));
}

StoreError invalid(const QString &text, const QString &why)
{
    return {StoreError::Code::InvalidUrl, QStringLiteral("cannot read the store URL %1: %2").arg(text, why)};
}

/// "host[:port]" or "[v6]:port" into host and port (unchanged when none is given); the reason
/// when it cannot be read, else an empty string.
QString readHostPort(const QString &hostPort, QString *host, int *port)
{
    QString portText;
    if (hostPort.startsWith(u'[')) {
        const qsizetype close = hostPort.indexOf(u']');
        if (close < 0)
            return QStringLiteral("an IPv6 host lacks its closing ]");
        *host = hostPort.mid(1, close - 1);
        const QString after = hostPort.mid(close + 1);
        if (!after.isEmpty()) {
            if (!after.startsWith(u':'))
                return QStringLiteral("unexpected text after the host");
            portText = after.mid(1);
        }
    } else {
        const qsizetype colon = hostPort.lastIndexOf(u':');
        *host = percentDecoded(colon < 0 ? QStringView(hostPort) : QStringView(hostPort).left(colon));
        if (colon >= 0)
            portText = hostPort.mid(colon + 1);
    }
    if (!portText.isEmpty()) {
        bool ok = false;
        const int number = portText.toInt(&ok);
        if (!ok || number < 1 || number > 65535)
            return QStringLiteral("\"%1\" is not a port number").arg(portText);
        *port = number;
    }
    return QString();
}

bool truthy(const QString &value)
{
    const QString v = value.trimmed().toLower();
    return v == QLatin1String("1") || v == QLatin1String("true") || v == QLatin1String("yes")
        || v == QLatin1String("on");
}

/// The user info in a URL's text ("user:pw" in scheme://user:pw@host:port/db), by position.
struct UserInfo
{
    qsizetype authority = -1; ///< where the authority starts; -1 when the text has no "://"
    qsizetype at = -1;        ///< the '@' that ends the user info; -1 when there is none
    qsizetype colon = -1;     ///< the ':' before the password; -1 when there is none

    bool hasPassword() const { return colon >= 0 && at > colon + 1; }
};

UserInfo userInfoOf(const QString &text)
{
    UserInfo info;
    const qsizetype sep = text.indexOf(QLatin1String("://"));
    if (sep < 0)
        return info;
    info.authority = sep + 3;
    qsizetype authorityEnd = text.size();
    for (QChar stop : {u'/', u'?', u'#'}) {
        const qsizetype at = text.indexOf(stop, info.authority);
        if (at >= 0 && at < authorityEnd)
            authorityEnd = at;
    }
    const qsizetype at = text.lastIndexOf(u'@', authorityEnd - 1);
    if (at < info.authority)
        return info;
    info.at = at;
    const qsizetype colon = text.indexOf(u':', info.authority);
    if (colon >= 0 && colon < at)
        info.colon = colon;
    return info;
}

/// Where a password may be in text that parse() rejects (or has not read yet), erring on
/// the side of hiding too much: from the first ':' after "scheme://" (when no '/' or '@'
/// comes before it: that ':' follows a user name) to the last '@' of the whole text. So a
/// password holding '/', '?', '#', ':' or '@' written without percent-encoding is covered too.
/// {-1, -1} when the text has no password there.
std::pair<qsizetype, qsizetype> suspectedPassword(const QString &text)
{
    const qsizetype sep = text.indexOf(QLatin1String("://"));
    if (sep < 0)
        return {-1, -1};
    qsizetype colon = -1;
    for (qsizetype i = sep + 3; i < text.size(); ++i) {
        const QChar c = text.at(i);
        if (c == u':') {
            colon = i;
            break;
        }
        if (c == u'/' || c == u'@')
            break;
    }
    const qsizetype at = text.lastIndexOf(u'@');
    if (colon < 0 || at <= colon + 1)
        return {-1, -1};
    return {colon + 1, at};
}

/// text with the suspected password replaced (by "***", or removed with its ':').
QString withSuspectedPassword(const QString &text, bool remove)
{
    const auto [from, to] = suspectedPassword(text);
    if (from < 0)
        return text;
    QString shown = text;
    if (!remove) {
        shown.replace(from, to - from, QStringLiteral("***"));
        return shown;
    }
    // "scheme://:PW@host" (a password without a user) loses its '@' too.
    const qsizetype colon = from - 1;
    const bool noUser = colon > 2 && text.mid(colon - 3, 3) == QLatin1String("://");
    shown.remove(colon, (noUser ? to + 1 : to) - colon);
    return shown;
}

} // namespace

QString StoreUrl::displayString(const QString &text)
{
    const Outcome<StoreUrl> parsed = parse(text);
    return parsed ? parsed->displayString() : withSuspectedPassword(text, false);
}

QString StoreUrl::displayString() const
{
    if (password.isEmpty())
        return original.isEmpty() ? path : original;
    const UserInfo info = userInfoOf(original);
    if (!info.hasPassword())
        return original;
    QString shown = original;
    shown.replace(info.colon + 1, info.at - info.colon - 1, QStringLiteral("***"));
    return shown;
}

QString StoreUrl::withoutPassword() const
{
    return withoutPassword(original);
}

QString StoreUrl::withoutPassword(const QString &text)
{
    if (!parse(text))
        return withSuspectedPassword(text, true);
    const UserInfo info = userInfoOf(text);
    if (!info.hasPassword())
        return text;
    QString stripped = text;
    stripped.remove(info.colon, info.at - info.colon);
    // "scheme://:PW@host" (a password without a user) loses its '@' too, unless the '@' is
    // what tells the host from a later one: "couchdb://@host:5984/db@x" reads, while
    // "couchdb://host:5984/db@x" reads as a password typed unencoded and is refused.
    if (info.colon == info.authority) {
        QString bare = stripped;
        bare.remove(info.colon, 1);
        if (parse(bare))
            return bare;
    }
    return stripped;
}

bool StoreUrl::asksReadOnly() const
{
    return truthy(options.value(QStringLiteral("readonly")));
}

StoreUrl StoreUrl::withPassword(const QString &newPassword) const
{
    if (scheme == Scheme::Sqlite || scheme == Scheme::FileCache)
        return *this;
    StoreUrl url = *this;
    url.password = newPassword;
    url.original = withoutPassword(original);
    if (newPassword.isEmpty())
        return url;
    const QString encoded = u':' + QString::fromLatin1(QUrl::toPercentEncoding(newPassword));
    const UserInfo info = userInfoOf(url.original);
    if (info.at >= 0) {
        // scheme://user@host -> scheme://user:PW@host; an empty password's ':' (user:@host) goes.
        const qsizetype from = info.colon >= 0 ? info.colon : info.at;
        url.original.replace(from, info.at - from, encoded);
    } else if (info.authority >= 0) {
        url.original.insert(info.authority, encoded + u'@'); // scheme://host -> scheme://:PW@host
    }
    return url;
}

QString StoreUrl::account() const
{
    // Redis logs in without a user name (its default user): "HOST:PORT" then.
    QString account = user.isEmpty() && scheme == Scheme::Redis ? host : user + u'@' + host;
    if (port > 0)
        account += u':' + QString::number(port);
    return account;
}

Outcome<StoreUrl> StoreUrl::parse(const QString &text)
{
    StoreUrl url;
    url.original = text;
    // Every sentence about a URL that cannot be read names it with its password hidden.
    const QString shown = withSuspectedPassword(text, false);
    const QString trimmed = text.trimmed();
    if (trimmed.isEmpty())
        return invalid(QStringLiteral("\"\""), QStringLiteral("it is empty"));

    static const QRegularExpression schemeRe(QStringLiteral("^([A-Za-z][A-Za-z0-9+.-]*)://"));
    const auto m = schemeRe.match(trimmed);
    if (!m.hasMatch()) {
        // A bare filesystem path names a SQLite file.
        url.scheme = Scheme::Sqlite;
        url.path = trimmed;
        return url;
    }

    QString scheme = m.captured(1).toLower();
    if (scheme.startsWith(QLatin1String("db+"))) {
        url.celeryDbPrefix = true;
        scheme = scheme.mid(3);
    }
    QString rest = trimmed.mid(m.capturedLength());
    // "user:pw/x@host" would read as host "user", port "pw" and database "x@host" (or, for a
    // socket, as the path "/x@…"): the password would be quoted as a port, a database name or
    // a path.
    const auto atAfterHost = [&](const QString &authority) {
        return !authority.contains(u'@') && authority.contains(u':')
            && trimmed.indexOf(u'@', m.capturedLength() + authority.size()) >= 0;
    };
    const auto ambiguous = [&] {
        return invalid(shown, QStringLiteral("an '@' follows the host (percent-encode '@' as %40, '/' as %2F and "
                                             "'?' as %3F in a password or an option)"));
    };

    // Query options (?readonly=1&table=…); the fragment is ignored.
    const qsizetype hash = rest.indexOf(u'#');
    if (hash >= 0)
        rest.truncate(hash);
    const qsizetype question = rest.indexOf(u'?');
    if (question >= 0) {
        const QString query = rest.mid(question + 1);
        rest.truncate(question);
        const QStringList items = query.split(u'&', Qt::SkipEmptyParts);
        for (const QString &item : items) {
            const qsizetype eq = item.indexOf(u'=');
            const QString key = percentDecoded(eq < 0 ? QStringView(item) : QStringView(item).left(eq));
            const QString value = eq < 0 ? QString() : percentDecoded(QStringView(item).mid(eq + 1));
            if (key.isEmpty())
                return invalid(shown, QStringLiteral("a query option has no name"));
            url.options.insert(key, value);
        }
    }

    const QString base = scheme.section(u'+', 0, 0); // postgresql+psycopg2 -> postgresql
    if (base == QLatin1String("sqlite")) {
        url.scheme = Scheme::Sqlite;
        // SQLAlchemy form: sqlite:///relative/path, sqlite:////absolute/path.
        if (!rest.startsWith(u'/')) {
            return invalid(shown, rest.isEmpty() ? QStringLiteral("it names no file (an in-memory database holds no results)")
                                                : QStringLiteral("SQLite URLs have no host; write sqlite:///relative or sqlite:////absolute"));
        }
        url.path = rest.mid(1);
        if (url.path.isEmpty())
            return invalid(shown, QStringLiteral("it names no file (an in-memory database holds no results)"));
        return url;
    }

    if (scheme == QLatin1String("file")) {
        // file:///path (RFC 8089; "localhost" the only host): a FileBasedCache directory, or a
        // SQLite file (makeStoreFactory() looks which).
        url.scheme = Scheme::FileCache;
        const qsizetype slash = rest.indexOf(u'/');
        const QString host = slash < 0 ? rest : rest.left(slash);
        if (!host.isEmpty() && host.compare(QLatin1String("localhost"), Qt::CaseInsensitive) != 0)
            return invalid(shown, QStringLiteral("file URLs name a local directory (file:///path/to/cache/dir), not one on \"%1\"").arg(host));
        url.path = slash < 0 ? QString() : percentDecoded(QStringView(rest).mid(slash));
        if (url.path.isEmpty() || url.path == QLatin1String("/"))
            return invalid(shown, QStringLiteral("it names no directory (file:///path/to/cache/dir, Django's FileBasedCache LOCATION, or file:///path/to/db.sqlite3)"));
        return url;
    }
    if ((scheme == QLatin1String("memcached") || scheme == QLatin1String("cache+memcached")) && !url.celeryDbPrefix) {
        url.scheme = Scheme::Memcached;
    } else if ((base == QLatin1String("redis") || base == QLatin1String("rediss")) && !url.celeryDbPrefix) {
        url.scheme = Scheme::Redis;
        url.tls = base == QLatin1String("rediss");
        if (scheme == QLatin1String("redis+socket")) {
            // Celery's unix socket form: redis+socket:///path/redis.sock?virtual_host=DB
            const qsizetype slash = rest.indexOf(u'/');
            if (slash < 0 || slash == rest.size() - 1)
                return invalid(shown, QStringLiteral("it names no socket (redis+socket:///path/redis.sock)"));
            const QString authority = rest.left(slash);
            if (atAfterHost(authority))
                return ambiguous();
            const qsizetype at = authority.lastIndexOf(u'@');
            if (at >= 0) {
                const QString userInfo = authority.left(at);
                const qsizetype colon = userInfo.indexOf(u':');
                url.user = percentDecoded(colon < 0 ? QStringView(userInfo) : QStringView(userInfo).left(colon));
                if (colon >= 0)
                    url.password = percentDecoded(QStringView(userInfo).mid(colon + 1));
            }
            url.path = percentDecoded(QStringView(rest).mid(slash));
            return url;
        }
        if (scheme.contains(u'+'))
            return invalid(shown, QStringLiteral("unknown scheme \"%1\"").arg(m.captured(1)));
    } else if (base == QLatin1String("postgresql") || base == QLatin1String("postgres"))
        url.scheme = Scheme::PostgreSql;
    else if (base == QLatin1String("mysql") || base == QLatin1String("mariadb"))
        url.scheme = Scheme::MySql;
    else if ((scheme == QLatin1String("couchdb") || scheme == QLatin1String("couchdbs") || scheme == QLatin1String("http")
              || scheme == QLatin1String("https"))
             && !url.celeryDbPrefix) // a plain web URL names a CouchDB server (issue 5)
        url.scheme = Scheme::CouchDb;
    else
        return invalid(shown, QStringLiteral("unknown scheme \"%1\" (use sqlite, postgresql, mysql, mariadb, couchdb, redis, memcached or file)").arg(m.captured(1)));
    if (url.scheme == Scheme::CouchDb && scheme.contains(u'+'))
        return invalid(shown, QStringLiteral("unknown scheme \"%1\"").arg(m.captured(1)));
    url.tls = url.tls || scheme == QLatin1String("couchdbs") || scheme == QLatin1String("https");

    // Network form: [user[:password]@]host[:port][/database]
    const qsizetype slash = rest.indexOf(u'/');
    const QString authority = slash < 0 ? rest : rest.left(slash);
    const QString pathPart = slash < 0 ? QString() : rest.mid(slash + 1);
    QString hostPort = authority;
    const qsizetype at = authority.lastIndexOf(u'@');
    if (atAfterHost(authority))
        return ambiguous();
    if (at >= 0) {
        const QString userInfo = authority.left(at);
        hostPort = authority.mid(at + 1);
        const qsizetype colon = userInfo.indexOf(u':');
        url.user = percentDecoded(colon < 0 ? QStringView(userInfo) : QStringView(userInfo).left(colon));
        if (colon >= 0)
            url.password = percentDecoded(QStringView(userInfo).mid(colon + 1));
    }
    if (url.scheme == Scheme::Memcached) {
        // Celery's cache backend names several servers as host1:port;host2:port, Django's
        // LOCATION string as "h1:p1;h2:p2" or "h1:p1,h2:p2"; their clients spread the keys
        // over them by hash.
        static const QRegularExpression separator(QStringLiteral("[;,]"));
        const QStringList listed = hostPort.split(separator);
        for (const QString &one : listed) {
            StoreUrl::Server server;
            if (const QString why = readHostPort(one, &server.host, &server.port); !why.isEmpty())
                return invalid(shown, why);
            if (server.host.isEmpty() && listed.size() > 1)
                return invalid(shown, QStringLiteral("a server in its list of memcached servers has no host"));
            const StoreUrl::Server same{server.host, server.port > 0 ? server.port : 11211};
            for (const StoreUrl::Server &seen : std::as_const(url.servers)) {
                if (StoreUrl::Server{seen.host, seen.port > 0 ? seen.port : 11211} == same)
                    return invalid(shown, QStringLiteral("it names the memcached server %1:%2 twice").arg(same.host).arg(same.port));
            }
            url.servers.append(server);
        }
        url.host = url.servers.constFirst().host;
        url.port = url.servers.constFirst().port;
    } else if (const QString why = readHostPort(hostPort, &url.host, &url.port); !why.isEmpty()) {
        return invalid(shown, why);
    }
    url.database = percentDecoded(pathPart);
    if (url.scheme == Scheme::CouchDb) {
        // Celery's CouchBackend: the path is the container, "default" when absent.
        if (url.database.endsWith(u'/'))
            url.database.chop(1);
        if (url.database.isEmpty())
            url.database = QStringLiteral("default");
    }
    if (url.database.contains(u'/'))
        return invalid(shown, QStringLiteral("the database name \"%1\" contains '/'").arg(url.database));
    if (url.scheme == Scheme::Memcached && !url.database.isEmpty())
        return invalid(shown, QStringLiteral("memcached has no databases (memcached://HOST:PORT)"));
    return url;
}

QString StoreOptions::passwordFor(const StoreUrl &url) const
{
    if (!url.password.isEmpty())
        return url.password;
    return !password.isEmpty() ? password : qEnvironmentVariable("STALK_PASSWORD");
}

StoreUrl StoreOptions::login(const StoreUrl &url) const
{
    return url.password.isEmpty() ? url.withPassword(passwordFor(url)) : url;
}

Outcome<StoreFactory> makeStoreFactory(const QString &text, const StoreOptions &options)
{
    const Outcome<StoreUrl> parsed = StoreUrl::parse(text);
    if (!parsed)
        return parsed.error();
    return makeStoreFactory(*parsed, options);
}

Outcome<StoreFactory> makeStoreFactory(const StoreUrl &given, const StoreOptions &options)
{
    StoreUrl url = given;
    // file:///PATH: a directory is a Django FileBasedCache, a regular file a SQLite database
    // (as its bare path: what a desktop launcher's %u passes).
    if (url.scheme == StoreUrl::Scheme::FileCache && QFileInfo(url.path).isFile())
        url.scheme = StoreUrl::Scheme::Sqlite;
    StoreOptions merged = options;
    if (url.asksReadOnly())
        merged.readOnly = true;
    if (merged.table.isEmpty())
        merged.table = url.options.value(QStringLiteral("table"));
    if (merged.timeZone.isEmpty())
        merged.timeZone = url.options.value(QStringLiteral("timezone"));
    if (!merged.timeZone.isEmpty() && !QTimeZone(merged.timeZone.toUtf8()).isValid()) {
        return StoreError(StoreError::Code::InvalidUrl,
                          QStringLiteral("cannot read the store URL %1: \"%2\" is not a time zone (use an IANA name "
                                         "such as Europe/Paris)")
                              .arg(url.displayString(), merged.timeZone));
    }
    // The stores log in with the password their URL carries, and find it nowhere else.
    const StoreUrl login = merged.login(url);
    merged.password.clear();

    switch (url.scheme) {
    case StoreUrl::Scheme::Sqlite:
        return StoreFactory([url, merged]() -> std::unique_ptr<ResultStore> {
            return std::make_unique<SqlStore>(makeSqlDialect(url, merged), merged);
        });
    case StoreUrl::Scheme::PostgreSql:
    case StoreUrl::Scheme::MySql: {
        const bool postgres = url.scheme == StoreUrl::Scheme::PostgreSql;
        const QString driver = postgres ? QStringLiteral("QPSQL") : QStringLiteral("QMYSQL");
        if (!QSqlDatabase::isDriverAvailable(driver)) {
            return StoreError(StoreError::Code::Unsupported,
                              QStringLiteral("cannot open %1: Qt's %2 driver is not installed (Debian: %3)")
                                  .arg(url.displayString(), driver,
                                       postgres ? QStringLiteral("libqt6sql6-psql") : QStringLiteral("libqt6sql6-mysql")));
        }
        if (!postgres && url.database.isEmpty())
            return invalid(url.displayString(), QStringLiteral("it names no database (mysql://user@host/DATABASE)"));
        return StoreFactory([login, merged]() -> std::unique_ptr<ResultStore> {
            return std::make_unique<SqlStore>(makeSqlDialect(login, merged), merged);
        });
    }
    case StoreUrl::Scheme::CouchDb:
        return makeCouchStoreFactory(login, merged);
    case StoreUrl::Scheme::Redis:
        return makeRedisStoreFactory(login, merged);
    case StoreUrl::Scheme::Memcached:
        return makeMemcachedStoreFactory(login, merged);
    case StoreUrl::Scheme::FileCache:
        return makeFileCacheStoreFactory(url, merged);
    }
    return StoreError(StoreError::Code::InvalidUrl, QStringLiteral("unknown store URL %1").arg(url.displayString()));
}
