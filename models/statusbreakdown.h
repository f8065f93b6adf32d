#pragma once

#include <QLocale>
#include <QMap>
#include <QString>

/// How many results of each status, as one sentence: "22 SUCCESS, 4 FAILURE, 1 REVOKED".
/// The largest count first (ties in status order), statuses counted 0 left out; a NULL status
/// reads "(none)" and an empty one "(empty)", as in the filter panel; a status is shown as
/// DisplayText::value() shows it (controls escaped, cut at DisplayText::maxColumns). Numbers in locale: the
/// default QLocale::c() prints plain digits, as `stalk purge --dry-run` does (a contract); the
/// window's dialogs pass QLocale() for its digit grouping. Pure; any thread.
QString statusBreakdown(const QMap<QString, qint64> &byStatus, const QLocale &locale = QLocale::c());
