#include "sqldialect.h"

#include <QSqlQuery>

#include "mysqldialect.h"
#include "postgresdialect.h"
#include "sqlitedialect.h"

namespace {

QtMessageHandler previousHandler = nullptr;

/// Whether a message comes from Qt's SQL module or one of its drivers.
bool isSqlDriverMessage(const QMessageLogContext &context, const QString &message)
{
    const QLatin1String category(context.category ? context.category : "default");
    if (category.startsWith(QLatin1String("qt.sql")))
        return true;
    if (category != QLatin1String("default"))
        return false;
    static const QLatin1String prefixes[] = {
        QLatin1String("QSqlQuery::"), QLatin1String("QSqlDatabase"), QLatin1String("QSqlResult"),
        QLatin1String("QSqlDriver"),  QLatin1String("QPSQL"),        QLatin1String("QMYSQL"),
        QLatin1String("QSQLite"),     QLatin1String("QSQLITE"),      QLatin1String("Unable to free statement"),
    };
    for (const QLatin1String &prefix : prefixes) {
        if (message.startsWith(prefix))
            return true;
    }
    return false;
}

void filterSqlDriverWarnings(QtMsgType type, const QMessageLogContext &context, const QString &message)
{
    if (type != QtFatalMsg && isSqlDriverMessage(context, message) && !lcSql().isEnabled(type))
        return;
    if (previousHandler)
        previousHandler(type, context, message);
}

} // namespace

void routeSqlDriverWarnings()
{
    static const bool installed = [] {
        previousHandler = qInstallMessageHandler(&filterSqlDriverWarnings);
        return true;
    }();
    Q_UNUSED(installed)
}

std::unique_ptr<SqlDialect> makeSqlDialect(const StoreUrl &url, const StoreOptions &options)
{
    switch (url.scheme) {
    case StoreUrl::Scheme::Sqlite:
        return std::make_unique<SqliteDialect>(url.path, options.readOnly, defaultBusyTimeoutMs);
    case StoreUrl::Scheme::PostgreSql:
        return std::make_unique<PostgresDialect>(url, options.readOnly);
    case StoreUrl::Scheme::MySql:
        return std::make_unique<MysqlDialect>(url, options.readOnly);
    case StoreUrl::Scheme::CouchDb: // not SQL
    case StoreUrl::Scheme::Redis:
    case StoreUrl::Scheme::Memcached:
    case StoreUrl::Scheme::FileCache:
        break;
    }
    return nullptr;
}

QString SqlDialect::containsPredicate(const QString &column, const QString &part, bool binaryColumn,
                                     QVariantList *values) const
{
    *values << (binaryColumn ? QVariant(part.toUtf8()) : QVariant(part));
    return QStringLiteral("POSITION(? IN %1) > 0").arg(column);
}

namespace SqlSearchText {

QString likeContains(const QString &term, QChar escape)
{
    QString out;
    out.reserve(term.size() + 8);
    out += u'%';
    for (QChar c : term) {
        if (c == u'%' || c == u'_' || c == escape)
            out += escape;
        out += c;
    }
    out += u'%';
    return out;
}

QStringList caseVariants(const QString &term)
{
    return {term, term.toLower(), term.toUpper()};
}

QStringList distinctPatterns(const QStringList &patterns, bool foldAsciiCase)
{
    const auto key = [foldAsciiCase](QString pattern) {
        if (foldAsciiCase) {
            for (QChar &c : pattern) {
                if (c >= u'a' && c <= u'z')
                    c = QChar(c.unicode() - 'a' + 'A');
            }
        }
        return pattern;
    };
    QStringList distinct;
    QStringList keys;
    for (const QString &p : patterns) {
        const QString k = key(p);
        if (!keys.contains(k)) {
            keys << k;
            distinct << p;
        }
    }
    return distinct;
}

} // namespace SqlSearchText

StoreError SqlDialect::forEachRow(QSqlDatabase &db, const QString &sql, const QVariantList &values,
                                  const QString &what, const std::function<void(const QSqlQuery &)> &onRow) const
{
    QSqlQuery q(db);
    q.setForwardOnly(true);
    if (!q.prepare(sql))
        return mapError(q.lastError(), what);
    for (const QVariant &value : values)
        q.addBindValue(value);
    if (!q.exec())
        return mapError(q.lastError(), what);
    while (q.next())
        onRow(q);
    if (q.lastError().isValid())
        return mapError(q.lastError(), what);
    return {};
}

QString SqlDialect::quote(const QString &identifier) const
{
    QString q = identifier;
    q.replace(u'"', QStringLiteral("\"\""));
    return u'"' + q + u'"';
}
