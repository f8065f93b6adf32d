#pragma once

#include <QElapsedTimer>
#include <QLoggingCategory>
#include <QString>

// Stalk's logging categories, one per area, defined once (models/stalklog.cpp). Every level
// is off by default (only critical messages pass); `stalk --verbose` turns all of them on
// (StalkLog::enableVerbose()), QT_LOGGING_RULES="stalk.couch=true" one of them (the rules of
// QT_LOGGING_RULES win over --verbose). Qt's message handler writes them to standard error,
// so standard output stays byte for byte what scripts parse. Never log a password: a URL goes
// out as StoreUrl::displayString() or without its user info, a Redis command by name only,
// SQL as its text with placeholders (never the bound values).

/// "stalk.sql": connections opened or refused, each statement with its duration, each page
/// and count, and what the SQL drivers say on their own (routeSqlDriverWarnings()).
Q_DECLARE_LOGGING_CATEGORY(lcSql)
/// "stalk.couch": each HTTP request (method, URL without user info, status, bytes, duration)
/// and each retry.
Q_DECLARE_LOGGING_CATEGORY(lcCouch)
/// "stalk.redis": connections opened or refused, each pipeline (command names, replies,
/// duration).
Q_DECLARE_LOGGING_CATEGORY(lcRedis)
/// "stalk.purge": each batch of a purge or delete (rows, duration, next size) and the pauses
/// that let other writers in.
Q_DECLARE_LOGGING_CATEGORY(lcPurge)
/// "stalk.model": the window's requests to its worker (open, count, page, facets) with their
/// generation, duration and outcome, dropped stale answers and repeated interrupted calls.
Q_DECLARE_LOGGING_CATEGORY(lcModel)

namespace StalkLog {

/// Turns every stalk.* category on, all levels (`stalk --verbose`). Call before the store
/// opens; QT_LOGGING_RULES and QT_LOGGING_CONF still override it.
void enableVerbose();

/// A timer's elapsed time for a log line: "12.3 ms".
QString elapsed(const QElapsedTimer &timer);

} // namespace StalkLog
