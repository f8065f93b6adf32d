// libFuzzer target: TimeParse, which reads stored dates (CouchDB's date_done through
// CouchDocument::parseDateDone) and what operators type (--before, --older-than). What it
// reads, formatTimestamp()/formatDuration() write back to text it reads as the same time.
// Seeds: tests/fuzz/corpus/timeparse/ (date_done texts Celery stored, durations from the README).
#include <cstddef>
#include <cstdint>

#include <QDateTime>
#include <QString>

#include "couchdocument.h"
#include "fuzzcheck.h"
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
