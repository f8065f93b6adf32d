#include "sqldialect.h"

#include "sqlitedialect.h"

std::unique_ptr<SqlDialect> makeSqlDialect(const StoreUrl &url, const StoreOptions &options)
{
    switch (url.scheme) {
    case StoreUrl::Scheme::Sqlite:
        return std::make_unique<SqliteDialect>(url.path, options.readOnly, defaultBusyTimeoutMs);
    case StoreUrl::Scheme::PostgreSql: // next: a PostgreSQL dialect (ILIKE, timestamptz values)
    case StoreUrl::Scheme::MySql:      // next: a MariaDB/MySQL dialect
    case StoreUrl::Scheme::CouchDb:    // not SQL
        break;
    }
    return nullptr;
}
