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
        return std::make_unique<PostgresDialect>(url, options.readOnly, options.password);
    case StoreUrl::Scheme::MySql:
        return std::make_unique<MysqlDialect>(url, options.readOnly, options.password);
    case StoreUrl::Scheme::CouchDb: // not SQL
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

QString jsonEscaped(const QString &term)
{
    QString out;
    out.reserve(term.size() * 2);
    for (QChar c : term) {
        const char16_t u = c.unicode();
        switch (u) {
        case u'"': out += QLatin1String("\\\""); break;
        case u'\\': out += QLatin1String("\\\\"); break;
        case u'\n': out += QLatin1String("\\n"); break;
        case u'\r': out += QLatin1String("\\r"); break;
        case u'\t': out += QLatin1String("\\t"); break;
        case u'\b': out += QLatin1String("\\b"); break;
        case u'\f': out += QLatin1String("\\f"); break;
        default:
            if (u < 0x20 || u > 0x7e) // UTF-16 units, so astral characters become surrogate pairs
                out += QStringLiteral("\\u%1").arg(uint(u), 4, 16, QLatin1Char('0'));
            else
                out += c;
        }
    }
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
