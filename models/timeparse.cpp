#include "timeparse.h"

#include <QCoreApplication>
#include <QLocale>
#include <QRegularExpression>

namespace TimeParse {

namespace {

void setError(QString *error, const QString &message)
{
    if (error)
        *error = message;
}

} // namespace

bool parseDuration(const QString &text, qint64 *seconds, QString *error)
{
    static const QRegularExpression pattern(QStringLiteral("^([0-9]+)([smhdw]?)$"));
    const QString trimmed = text.trimmed();
    if (trimmed.isEmpty()) {
        setError(error, QStringLiteral("empty duration"));
        return false;
    }
    const QRegularExpressionMatch match = pattern.match(trimmed);
    if (!match.hasMatch()) {
        setError(error, QStringLiteral("'%1' is not a duration (a whole number with an optional "
                                       "unit s, m, h, d or w: 3600, 90m, 12h, 1d)")
                            .arg(trimmed));
        return false;
    }
    const QString digits = match.captured(1);
    const QString unit = match.captured(2);
    qint64 multiplier = 1;
    if (unit == u"m")
        multiplier = 60;
    else if (unit == u"h")
        multiplier = 3600;
    else if (unit == u"d")
        multiplier = 86400;
    else if (unit == u"w")
        multiplier = 7 * 86400;

    bool ok = false;
    // More than 18 digits may not fit qint64; such values are far beyond the maximum anyway.
    const qint64 number = digits.size() <= 18 ? digits.toLongLong(&ok) : 0;
    if (!ok || number > maxDurationSeconds / multiplier) {
        setError(error, QStringLiteral("duration '%1' is too long (at most 10000 years)").arg(trimmed));
        return false;
    }
    if (seconds)
        *seconds = number * multiplier;
    return true;
}

QDateTime parseTimestamp(const QString &text, QString *error, int *extraMicroseconds)
{
    if (extraMicroseconds)
        *extraMicroseconds = 0;
    static const QRegularExpression pattern(QStringLiteral(
        R"(^(\d{4})-(\d{2})-(\d{2}))"                       // date
        R"((?:[Tt ](\d{2}):(\d{2})(?::(\d{2})(?:[.,](\d{1,9}))?)?)?)" // time
        R"(([Zz]|[+-]\d{2}(?::?\d{2})?)?$)"));               // offset
    const QString trimmed = text.trimmed();
    const auto reject = [&](const QString &why) {
        setError(error, why);
        return QDateTime();
    };
    if (trimmed.isEmpty())
        return reject(QStringLiteral("empty timestamp"));

    const QRegularExpressionMatch m = pattern.match(trimmed);
    const QString expected = QStringLiteral(
        "'%1' is not an ISO 8601 timestamp (2025-02-01, 2025-02-01T10:00:00Z, "
        "2025-02-01 10:00:00+02:00)")
                                 .arg(trimmed);
    if (!m.hasMatch())
        return reject(expected);
    const bool hasTime = m.capturedLength(4) > 0;
    if (!hasTime && m.capturedLength(8) > 0)
        return reject(expected);

    const QDate date(m.captured(1).toInt(), m.captured(2).toInt(), m.captured(3).toInt());
    if (!date.isValid())
        return reject(QStringLiteral("'%1' is not a valid date").arg(trimmed));

    QTime time(0, 0);
    int micros = 0;
    if (hasTime) {
        const int hour = m.captured(4).toInt();
        const int minute = m.captured(5).toInt();
        const int second = m.capturedLength(6) > 0 ? m.captured(6).toInt() : 0;
        // Fraction digits beyond milliseconds are dropped (truncated, never rounded up,
        // so a cutoff never moves later than typed).
        const QString fraction = (m.captured(7) + QStringLiteral("000000")).left(6);
        const int msec = fraction.left(3).toInt();
        micros = fraction.mid(3).toInt();
        if (hour > 23 || minute > 59 || second > 59)
            return reject(QStringLiteral("'%1' is not a valid time of day").arg(trimmed));
        time = QTime(hour, minute, second, msec);
    }

    int offsetSeconds = 0;
    const QString offset = m.captured(8);
    if (!offset.isEmpty() && offset != u"Z" && offset != u"z") {
        const int sign = offset.front() == u'-' ? -1 : 1;
        QString rest = offset.mid(1);
        rest.remove(u':');
        const int hours = rest.left(2).toInt();
        const int minutes = rest.size() > 2 ? rest.mid(2, 2).toInt() : 0;
        if (minutes > 59 || hours * 60 + minutes > 18 * 60)
            return reject(QStringLiteral("'%1' has an impossible UTC offset").arg(trimmed));
        offsetSeconds = sign * (hours * 3600 + minutes * 60);
    }

    // Not QTimeZone(offsetSeconds): it is invalid beyond ±14:00, and the offset was then ignored.
    const QDateTime utc = QDateTime(date, time, Qt::UTC).addSecs(-offsetSeconds);
    if (!utc.isValid())
        return reject(expected);
    if (extraMicroseconds)
        *extraMicroseconds = micros;
    return utc;
}

QString formatTimestamp(const QDateTime &dateTime)
{
    if (!dateTime.isValid())
        return {};
    const QDateTime utc = dateTime.toUTC();
    const QString format = utc.time().msec() != 0 ? QStringLiteral("yyyy-MM-ddTHH:mm:ss.zzzZ")
                                                   : QStringLiteral("yyyy-MM-ddTHH:mm:ssZ");
    // 'Z' in a Qt format is not a field, but quote it to be safe across versions.
    return utc.toString(QString(format).replace(QStringLiteral("Z"), QStringLiteral("'Z'")));
}

QString formatDuration(qint64 seconds)
{
    struct Unit
    {
        qint64 seconds;
        char suffix;
    };
    static constexpr Unit units[] = {{7 * 86400, 'w'}, {86400, 'd'}, {3600, 'h'}, {60, 'm'}};
    if (seconds > 0) {
        for (const Unit &unit : units) {
            if (seconds % unit.seconds == 0)
                return QString::number(seconds / unit.seconds) + QLatin1Char(unit.suffix);
        }
    }
    return QString::number(seconds) + QLatin1Char('s');
}

QString formatRuntime(qint64 ms)
{
    if (ms < 0)
        return {};
    if (ms < 1000)
        return QCoreApplication::translate("TimeParse", "%1 ms").arg(ms);
    if (ms < 60 * 1000) {
        // Cut to hundredths so 59.999 s does not read "60.00 s".
        const QString seconds = QLocale().toString(double(ms / 10) / 100.0, 'f', 2);
        return QCoreApplication::translate("TimeParse", "%1 s").arg(seconds);
    }
    const qint64 seconds = ms / 1000;
    if (seconds < 3600)
        return QCoreApplication::translate("TimeParse", "%1 min %2 s").arg(seconds / 60).arg(seconds % 60);
    if (seconds < 86400)
        return QCoreApplication::translate("TimeParse", "%1 h %2 min")
            .arg(seconds / 3600)
            .arg((seconds % 3600) / 60);
    return QCoreApplication::translate("TimeParse", "%1 d %2 h").arg(seconds / 86400).arg((seconds % 86400) / 3600);
}

} // namespace TimeParse
