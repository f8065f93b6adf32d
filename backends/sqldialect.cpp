#include "sqldialect.h"

#include <QSqlQuery>

#include "mysqldialect.h"
#include "postgresdialect.h"
#include "sqlitedialect.h"

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
        break;
    }
    return nullptr;
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
