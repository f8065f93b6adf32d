#pragma once

#include <QDateTime>
#include <QString>

/// Parsing and printing of the times an operator types: the DURATION of
/// `stalk purge --older-than` and the TIMESTAMP of `--before` / `--done-after` /
/// `--done-before` (also used by the window's date fields); and how a task's run time reads
/// wherever it is shown. Pure functions; any thread.
namespace TimeParse {

/// The longest DURATION accepted: 10000 years (so "now - duration" always stays a valid date).
constexpr qint64 maxDurationSeconds = qint64(10000) * 366 * 24 * 3600;

/// DURATION: a whole number of seconds, optionally followed by one lowercase unit:
///   "3600", "3600s", "90m", "12h", "1d", "2w"   (s = seconds, m = minutes, h = hours,
///   d = days of 24 h, w = weeks). Surrounding whitespace is ignored.
/// Rejected: empty text, signs ("-5", "+5"), fractions ("1.5h"), other or uppercase units
/// ("1x", "1H", "1M": M could mean months), several parts ("1h30m"), more than
/// maxDurationSeconds. Returns false and sets *error (a short reason) on rejection.
bool parseDuration(const QString &text, qint64 *seconds, QString *error = nullptr);

/// TIMESTAMP: ISO 8601, UTC unless an offset is given:
///   "2025-02-01"                      midnight UTC
///   "2025-02-01T10:00", "2025-02-01T10:00:00", "2025-02-01 10:00:00" (space or T/t)
///   "…T10:00:00.5", "…T10:00:00.123456"   1–9 fraction digits; the QDateTime keeps the
///                                         milliseconds, *extraMicroseconds (0–999) the
///                                         microseconds beyond them; further digits are
///                                         truncated (Celery stores microseconds)
///   "…Z", "…z", "…+02:00", "…-0530", "…+02"  an offset; the result is converted to UTC
/// Rejected: anything else, including impossible dates ("2025-02-30"), hours >= 24,
/// seconds >= 60, offsets beyond ±18:00, an offset after a date alone. Returns an invalid
/// QDateTime and sets *error (a short reason) on rejection. The result is in Qt::UTC.
QDateTime parseTimestamp(const QString &text, QString *error = nullptr, int *extraMicroseconds = nullptr);

/// ISO 8601 UTC with a 'Z': "2025-02-01T10:00:00Z", "2025-02-01T10:00:00.123Z" when the
/// milliseconds are not zero. Empty for an invalid QDateTime.
QString formatTimestamp(const QDateTime &dateTime);

/// A duration in the largest unit that divides it exactly: 86400 -> "1d", 5400 -> "90m".
QString formatDuration(qint64 seconds);

/// A task's run time (TaskResult::runtime()) for people, in the current QLocale: "0 ms",
/// "850 ms", "1.23 s" (two decimals, cut, never rounded up), "2 min 5 s", "3 h 12 min",
/// "2 d 4 h". The list's Runtime column and the detail pane both print it with this.
/// Empty for a negative ms.
QString formatRuntime(qint64 ms);

} // namespace TimeParse
