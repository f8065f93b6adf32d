// libFuzzer target: time parsing. TimeParse reads stored dates (CouchDB's date_done through
// CouchDocument::parseDateDone) and what operators type (--before, --older-than);
// SqliteDialect::parseDateText reads the date columns of SQLite files and text dates of the
// servers. What each reads, its writer writes back to text it reads as the same time, and
// where both read a text, they read the same instant.
// Seeds: tests/fuzz/corpus/timeparse/ (date_done texts Celery stored, the documented forms).
#include <cstddef>
#include <cstdint>

#include <QDateTime>
#include <QString>

#include "couchdocument.h"
#include "fuzzcheck.h"
#include "sqlitedialect.h"
#include "timeparse.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const QString text = fuzzText(data, size);

    QString error;
    int micro = -1;
    const QDateTime t = TimeParse::parseTimestamp(text, &error, &micro);
    if (t.isValid()) {
        FUZZ_CHECK(t.timeSpec() == Qt::UTC, "a timestamp not in UTC");
        FUZZ_CHECK(micro >= 0 && micro <= 999, QStringLiteral("extra microseconds %1").arg(micro));
        const QString written = TimeParse::formatTimestamp(t);
        const QDateTime again = TimeParse::parseTimestamp(written);
        FUZZ_CHECK(again == t, QStringLiteral("'%1' reads back as another time").arg(written));
        FUZZ_CHECK(CouchDocument::parseDateDone(text) == t, "parseDateDone() differs from parseTimestamp()");
    } else {
        FUZZ_CHECK(!error.isEmpty(), "a rejected timestamp without a reason");
    }

    bool ok = false;
    const QDateTime stored = SqliteDialect::parseDateText(text, &ok);
    if (ok) {
        FUZZ_CHECK(stored.isValid() && stored.timeSpec() == Qt::UTC, "a stored date that is invalid or not UTC");
        // Outside years 1–9999 (an offset past the calendar's ends) no writer has four digits.
        if (stored.date().year() >= 1 && stored.date().year() <= 9999) {
            const QString written = SqliteDialect::dateText(stored, DateTextStyle::SqlAlchemy);
            bool again = false;
            FUZZ_CHECK(SqliteDialect::parseDateText(written, &again) == stored && again,
                       QStringLiteral("'%1' reads back as another stored date").arg(written));
        }
        FUZZ_CHECK(!t.isValid() || t == stored,
                   QStringLiteral("TimeParse reads %1, the stored-date reader %2")
                       .arg(t.toString(Qt::ISODateWithMs), stored.toString(Qt::ISODateWithMs)));
    }
    // The stored-date reader reads every form TimeParse does but the lowercase 't'.
    FUZZ_CHECK(!t.isValid() || ok || text.contains(u't'), QStringLiteral("TimeParse alone reads '%1'").arg(text));

    qint64 seconds = -1;
    error.clear();
    if (TimeParse::parseDuration(text, &seconds, &error)) {
        FUZZ_CHECK(seconds >= 0 && seconds <= TimeParse::maxDurationSeconds, QStringLiteral("%1 s").arg(seconds));
        qint64 again = -1;
        const QString written = TimeParse::formatDuration(seconds);
        FUZZ_CHECK(TimeParse::parseDuration(written, &again) && again == seconds,
                   QStringLiteral("'%1' reads back as another duration").arg(written));
    } else {
        FUZZ_CHECK(!error.isEmpty(), "a rejected duration without a reason");
    }
    return 0;
}
