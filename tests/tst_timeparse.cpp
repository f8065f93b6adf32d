#include "timeparse.h"

#include <QTest>
#include <QTimeZone>

/// Pins which DURATION and TIMESTAMP spellings `stalk` accepts (and how they convert).
class TestTimeParse final : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void shouldAcceptDurations_data();
    void shouldAcceptDurations();
    void shouldRejectBadDurations_data();
    void shouldRejectBadDurations();
    void shouldAcceptTimestamps_data();
    void shouldAcceptTimestamps();
    void shouldRejectBadTimestamps_data();
    void shouldRejectBadTimestamps();
    void shouldFormatTimestampsAsUtcWithZ_data();
    void shouldFormatTimestampsAsUtcWithZ();
    void shouldRoundTripFormattedTimestamps();
    void shouldFormatDurationsInTheLargestExactUnit_data();
    void shouldFormatDurationsInTheLargestExactUnit();
    void shouldFormatRuntimesForPeople_data();
    void shouldFormatRuntimesForPeople();
};

void TestTimeParse::shouldAcceptDurations_data()
{
    QTest::addColumn<QString>("text");
    QTest::addColumn<qint64>("seconds");

    QTest::newRow("bare seconds") << "3600" << qint64(3600);
    QTest::newRow("seconds") << "3600s" << qint64(3600);
    QTest::newRow("minutes") << "90m" << qint64(5400);
    QTest::newRow("hours") << "12h" << qint64(43200);
    QTest::newRow("day") << "1d" << qint64(86400);
    QTest::newRow("weeks") << "2w" << qint64(1209600);
    QTest::newRow("zero") << "0" << qint64(0);
    QTest::newRow("leading zeros") << "007d" << qint64(7 * 86400);
    QTest::newRow("surrounding whitespace") << "  30d " << qint64(30 * 86400);
    QTest::newRow("the maximum") << QString::number(TimeParse::maxDurationSeconds) + "s"
                                 << TimeParse::maxDurationSeconds;
}

void TestTimeParse::shouldAcceptDurations()
{
    QFETCH(QString, text);
    QFETCH(qint64, seconds);

    qint64 parsed = -1;
    QString error;
    QVERIFY2(TimeParse::parseDuration(text, &parsed, &error), qPrintable(error));
    QCOMPARE(parsed, seconds);
    QVERIFY(error.isEmpty());
}

void TestTimeParse::shouldRejectBadDurations_data()
{
    QTest::addColumn<QString>("text");

    QTest::newRow("empty") << "";
    QTest::newRow("blank") << "   ";
    QTest::newRow("negative") << "-5";
    QTest::newRow("explicit plus") << "+5";
    QTest::newRow("unknown unit") << "1x";
    QTest::newRow("fraction") << "1.5h";
    QTest::newRow("uppercase unit (M: months or minutes?)") << "1M";
    QTest::newRow("uppercase hours") << "12H";
    QTest::newRow("unit alone") << "h";
    QTest::newRow("compound") << "1h30m";
    QTest::newRow("space before unit") << "12 h";
    QTest::newRow("spelled out") << "1day";
    QTest::newRow("months") << "1mo";
    QTest::newRow("years") << "1y";
    QTest::newRow("one past the maximum") << QString::number(TimeParse::maxDurationSeconds + 1);
    QTest::newRow("too many weeks") << "99999999w";
    QTest::newRow("overflows qint64") << "99999999999999999999d";
    QTest::newRow("fullwidth digits") << QString::fromUtf8("\uFF11\uFF12h");
}

void TestTimeParse::shouldRejectBadDurations()
{
    QFETCH(QString, text);

    qint64 parsed = 42;
    QString error;
    QVERIFY(!TimeParse::parseDuration(text, &parsed, &error));
    QCOMPARE(parsed, qint64(42));
    QVERIFY(!error.isEmpty());
}

void TestTimeParse::shouldAcceptTimestamps_data()
{
    QTest::addColumn<QString>("text");
    QTest::addColumn<QDateTime>("utc");

    const auto at = [](int y, int mo, int d, int h = 0, int mi = 0, int s = 0, int ms = 0) {
        return QDateTime(QDate(y, mo, d), QTime(h, mi, s, ms), Qt::UTC);
    };

    QTest::newRow("date only: midnight UTC") << "2025-02-01" << at(2025, 2, 1);
    QTest::newRow("minutes") << "2025-02-01T10:00" << at(2025, 2, 1, 10);
    QTest::newRow("seconds, no zone = UTC") << "2025-02-01T10:00:30" << at(2025, 2, 1, 10, 0, 30);
    QTest::newRow("Z") << "2025-02-01T10:00:00Z" << at(2025, 2, 1, 10);
    QTest::newRow("lowercase z and t") << "2025-02-01t10:00:00z" << at(2025, 2, 1, 10);
    QTest::newRow("space separator (SQLite form)") << "2025-02-01 10:00:00" << at(2025, 2, 1, 10);
    QTest::newRow("+02:00") << "2025-02-01T10:00:00+02:00" << at(2025, 2, 1, 8);
    QTest::newRow("-05:30") << "2025-02-01T10:00:00-05:30" << at(2025, 2, 1, 15, 30);
    QTest::newRow("+0200 without colon") << "2025-02-01T10:00+0200" << at(2025, 2, 1, 8);
    QTest::newRow("+02 hours only") << "2025-02-01T10:00:00+02" << at(2025, 2, 1, 8);
    QTest::newRow("offset crossing midnight") << "2025-02-01T01:00:00+02:00" << at(2025, 1, 31, 23);
    // Found by fuzz_timeparse: offsets beyond ±14:00 (QTimeZone's range) were ignored.
    QTest::newRow("+16:15") << "2025-02-06T11:17:15+16:15" << at(2025, 2, 5, 19, 2, 15);
    QTest::newRow("-18:00, the largest") << "2025-02-01T10:00-18:00" << at(2025, 2, 2, 4);
    QTest::newRow("milliseconds") << "2025-02-01T10:00:00.123Z" << at(2025, 2, 1, 10, 0, 0, 123);
    QTest::newRow("microseconds truncated to ms") << "2025-02-01T10:00:00.123999Z"
                                                  << at(2025, 2, 1, 10, 0, 0, 123);
    QTest::newRow("one fraction digit") << "2025-02-01T10:00:00.5" << at(2025, 2, 1, 10, 0, 0, 500);
    QTest::newRow("nanoseconds") << "2025-02-01 10:00:00.000000001" << at(2025, 2, 1, 10);
    QTest::newRow("comma fraction") << "2025-02-01T10:00:00,25Z" << at(2025, 2, 1, 10, 0, 0, 250);
    QTest::newRow("leap day") << "2024-02-29" << at(2024, 2, 29);
    QTest::newRow("surrounding whitespace") << " 2025-02-01 " << at(2025, 2, 1);
    QTest::newRow("end of day") << "2025-12-31T23:59:59.999Z" << at(2025, 12, 31, 23, 59, 59, 999);
}

void TestTimeParse::shouldAcceptTimestamps()
{
    QFETCH(QString, text);
    QFETCH(QDateTime, utc);

    QString error;
    const QDateTime parsed = TimeParse::parseTimestamp(text, &error);
    QVERIFY2(parsed.isValid(), qPrintable(error));
    QCOMPARE(parsed, utc);
    QCOMPARE(parsed.timeSpec(), Qt::UTC);
    QCOMPARE(parsed.toMSecsSinceEpoch(), utc.toMSecsSinceEpoch());
}

void TestTimeParse::shouldRejectBadTimestamps_data()
{
    QTest::addColumn<QString>("text");

    QTest::newRow("empty") << "";
    QTest::newRow("words") << "yesterday";
    QTest::newRow("epoch seconds") << "1738368000";
    QTest::newRow("February 30") << "2025-02-30";
    QTest::newRow("not a leap year") << "2025-02-29";
    QTest::newRow("month 13") << "2025-13-01";
    QTest::newRow("day 0") << "2025-02-00";
    QTest::newRow("hour 24") << "2025-02-01T24:00";
    QTest::newRow("minute 60") << "2025-02-01T10:60";
    QTest::newRow("leap second") << "2025-02-01T10:00:60Z";
    QTest::newRow("hour without minutes") << "2025-02-01T10";
    QTest::newRow("single-digit month") << "2025-2-01";
    QTest::newRow("slashes") << "2025/02/01";
    QTest::newRow("day first") << "01-02-2025";
    QTest::newRow("offset on a date") << "2025-02-01Z";
    QTest::newRow("offset too large") << "2025-02-01T10:00+19:00";
    QTest::newRow("offset minutes 60") << "2025-02-01T10:00+02:60";
    QTest::newRow("named zone") << "2025-02-01T10:00:00 UTC";
    QTest::newRow("trailing garbage") << "2025-02-01T10:00:00Zx";
    QTest::newRow("empty fraction") << "2025-02-01T10:00:00.";
    QTest::newRow("ten fraction digits") << "2025-02-01T10:00:00.0000000001";
    QTest::newRow("double separator") << "2025-02-01TT10:00";
}

void TestTimeParse::shouldRejectBadTimestamps()
{
    QFETCH(QString, text);

    QString error;
    const QDateTime parsed = TimeParse::parseTimestamp(text, &error);
    QVERIFY2(!parsed.isValid(), qPrintable(parsed.toString(Qt::ISODateWithMs)));
    QVERIFY(!error.isEmpty());
}

void TestTimeParse::shouldFormatTimestampsAsUtcWithZ_data()
{
    QTest::addColumn<QDateTime>("dateTime");
    QTest::addColumn<QString>("text");

    QTest::newRow("whole seconds")
        << QDateTime(QDate(2025, 2, 1), QTime(10, 0), Qt::UTC) << "2025-02-01T10:00:00Z";
    QTest::newRow("milliseconds")
        << QDateTime(QDate(2025, 2, 1), QTime(10, 0, 0, 7), Qt::UTC)
        << "2025-02-01T10:00:00.007Z";
    QTest::newRow("converted from an offset")
        << QDateTime(QDate(2025, 2, 1), QTime(1, 0), QTimeZone(7200))
        << "2025-01-31T23:00:00Z";
    QTest::newRow("invalid = empty") << QDateTime() << QString();
}

void TestTimeParse::shouldFormatTimestampsAsUtcWithZ()
{
    QFETCH(QDateTime, dateTime);
    QFETCH(QString, text);

    QCOMPARE(TimeParse::formatTimestamp(dateTime), text);
}

void TestTimeParse::shouldRoundTripFormattedTimestamps()
{
    const QDateTime original(QDate(2025, 3, 1), QTime(23, 59, 58, 250), Qt::UTC);
    QCOMPARE(TimeParse::parseTimestamp(TimeParse::formatTimestamp(original)), original);
}

void TestTimeParse::shouldFormatDurationsInTheLargestExactUnit_data()
{
    QTest::addColumn<qint64>("seconds");
    QTest::addColumn<QString>("text");

    QTest::newRow("day") << qint64(86400) << "1d";
    QTest::newRow("minutes") << qint64(5400) << "90m";
    QTest::newRow("weeks") << qint64(1209600) << "2w";
    QTest::newRow("seconds") << qint64(61) << "61s";
    QTest::newRow("zero") << qint64(0) << "0s";
}

void TestTimeParse::shouldFormatDurationsInTheLargestExactUnit()
{
    QFETCH(qint64, seconds);
    QFETCH(QString, text);

    QCOMPARE(TimeParse::formatDuration(seconds), text);
    qint64 back = -1;
    QVERIFY(TimeParse::parseDuration(text, &back));
    QCOMPARE(back, seconds);
}

void TestTimeParse::shouldFormatRuntimesForPeople_data()
{
    QTest::addColumn<qint64>("ms");
    QTest::addColumn<QString>("text");

    QTest::newRow("zero") << qint64(0) << "0 ms";
    QTest::newRow("one millisecond") << qint64(1) << "1 ms";
    QTest::newRow("under a second") << qint64(999) << "999 ms";
    QTest::newRow("a second") << qint64(1000) << "1.00 s";
    QTest::newRow("hundredths") << qint64(1230) << "1.23 s";
    QTest::newRow("cut, not rounded") << qint64(1239) << "1.23 s";
    QTest::newRow("never 60.00 s") << qint64(59999) << "59.99 s";
    QTest::newRow("a minute") << qint64(60000) << "1 min 0 s";
    QTest::newRow("minutes") << qint64(125000) << "2 min 5 s";
    QTest::newRow("hours") << qint64((3 * 3600 + 12 * 60 + 59) * 1000) << "3 h 12 min";
    QTest::newRow("days") << qint64((2 * 86400 + 4 * 3600 + 59 * 60) * 1000) << "2 d 4 h";
    QTest::newRow("negative") << qint64(-1) << QString();
}

void TestTimeParse::shouldFormatRuntimesForPeople()
{
    QFETCH(qint64, ms);
    QFETCH(QString, text);

    const QLocale previous;
    QLocale::setDefault(QLocale::c());
    QCOMPARE(TimeParse::formatRuntime(ms), text);
    QLocale::setDefault(previous);
}

QTEST_APPLESS_MAIN(TestTimeParse)
#include "tst_timeparse.moc"
