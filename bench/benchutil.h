#pragma once

#include <algorithm>
#include <chrono>
#include <vector>

#include <QByteArray>
#include <QFile>
#include <QJsonArray>
#include <QJsonObject>
#include <QString>

/// Small helpers shared by the benchmark's parts. Plain functions; any thread.
namespace Bench {

/// Milliseconds on a monotonic clock, as a double (sub-millisecond resolution).
inline double nowMs()
{
    using namespace std::chrono;
    return duration<double, std::milli>(steady_clock::now().time_since_epoch()).count();
}

/// Median of the values (mean of the two middle ones for an even count); -1 when empty.
inline double median(std::vector<double> values)
{
    if (values.empty())
        return -1;
    std::sort(values.begin(), values.end());
    const size_t n = values.size();
    return n % 2 ? values[n / 2] : (values[n / 2 - 1] + values[n / 2]) / 2.0;
}

inline QJsonArray toJson(const std::vector<double> &values)
{
    QJsonArray a;
    for (double v : values)
        a.append(v);
    return a;
}

/// A line of /proc/self/status in kB ("VmHWM", "VmRSS"); -1 when unreadable.
inline qint64 procStatusKb(const char *key)
{
    QFile f(QStringLiteral("/proc/self/status"));
    if (!f.open(QIODevice::ReadOnly))
        return -1;
    const QByteArray prefix = QByteArray(key) + ':';
    for (const QByteArray &line : f.readAll().split('\n')) {
        if (line.startsWith(prefix))
            return line.mid(prefix.size()).trimmed().split(' ').value(0).toLongLong();
    }
    return -1;
}

/// The 1-minute load average (/proc/loadavg), -1 when unreadable.
inline double loadAverage()
{
    QFile f(QStringLiteral("/proc/loadavg"));
    if (!f.open(QIODevice::ReadOnly))
        return -1;
    return f.readAll().split(' ').value(0).toDouble();
}

/// Human row counts: 100000 -> "100k", 1000000 -> "1M".
inline QString rowsLabel(qint64 rows)
{
    if (rows % 1000000 == 0)
        return QStringLiteral("%1M").arg(rows / 1000000);
    if (rows % 1000 == 0)
        return QStringLiteral("%1k").arg(rows / 1000);
    return QString::number(rows);
}

} // namespace Bench
