#include "aggregates.h"

#include <QLocale>
#include <QRegularExpression>
#include <QTimeZone>

#include <algorithm>
#include <cmath>
#include <limits>

QString timeBucketName(TimeBucket bucket)
{
    switch (bucket) {
    case TimeBucket::Minute: return QStringLiteral("minute");
    case TimeBucket::Hour: return QStringLiteral("hour");
    case TimeBucket::Day: return QStringLiteral("day");
    }
    return {};
}

std::optional<TimeBucket> timeBucketNamed(const QString &name)
{
    for (TimeBucket bucket : {TimeBucket::Minute, TimeBucket::Hour, TimeBucket::Day}) {
        if (name == timeBucketName(bucket))
            return bucket;
    }
    return std::nullopt;
}

qint64 bucketMs(TimeBucket bucket)
{
    switch (bucket) {
    case TimeBucket::Minute: return 60 * 1000;
    case TimeBucket::Hour: return 3600 * 1000;
    case TimeBucket::Day: return 86400 * 1000;
    }
    return 1;
}

TimeBucket bucketForSpan(qint64 spanMs)
{
    // Bars wide enough to read: up to 2 hours of minutes, 3 days of hours, then days.
    if (spanMs <= 2 * bucketMs(TimeBucket::Hour))
        return TimeBucket::Minute;
    if (spanMs <= 3 * bucketMs(TimeBucket::Day))
        return TimeBucket::Hour;
    return TimeBucket::Day;
}

namespace {

/// Floor division: buckets before 1970 start below their dates too.
qint64 floorTo(qint64 ms, qint64 width)
{
    const qint64 q = ms / width;
    return (ms % width < 0 ? q - 1 : q) * width;
}

} // namespace

QDateTime bucketStart(const QDateTime &utc, TimeBucket bucket)
{
    if (!utc.isValid())
        return {};
    // UTC has no leap seconds or offsets in Qt: every minute, hour and day has its fixed width.
    return QDateTime::fromMSecsSinceEpoch(floorTo(utc.toMSecsSinceEpoch(), bucketMs(bucket)), QTimeZone::utc());
}

void StatusHistoryBuilder::add(const QDateTime &utc, const QString &status, qint64 n)
{
    if (!utc.isValid() || n <= 0)
        return;
    m_counts[floorTo(utc.toMSecsSinceEpoch(), bucketMs(m_bucket))][status.isNull() ? QStringLiteral("") : status] += n;
}

Outcome<StatusHistory> StatusHistoryBuilder::history() const
{
    StatusHistory history;
    history.bucket = m_bucket;
    if (m_counts.isEmpty())
        return history;
    const qint64 width = bucketMs(m_bucket);
    const qint64 first = m_counts.firstKey();
    const qint64 last = m_counts.lastKey();
    const qint64 buckets = (last - first) / width + 1;
    if (buckets > maxBuckets) {
        return StoreError(StoreError::Code::Unsupported,
                          QStringLiteral("%1 %2s from the first result to the last is more than %3 buckets: "
                                         "choose a wider bucket or a narrower date range")
                              .arg(QString::number(buckets), timeBucketName(m_bucket), QString::number(maxBuckets)));
    }
    QMap<QString, qint64> zero;
    for (const QMap<QString, qint64> &counts : m_counts) {
        for (auto it = counts.cbegin(); it != counts.cend(); ++it)
            zero.insert(it.key(), 0);
    }
    history.statuses = zero.keys();
    history.buckets.reserve(buckets);
    auto next = m_counts.cbegin();
    for (qint64 start = first; start <= last; start += width) {
        StatusBucket bucket;
        bucket.start = QDateTime::fromMSecsSinceEpoch(start, QTimeZone::utc());
        bucket.counts = zero;
        if (next != m_counts.cend() && next.key() == start) {
            for (auto it = next->cbegin(); it != next->cend(); ++it) {
                bucket.counts[it.key()] = it.value();
                bucket.total += it.value();
            }
            ++next;
        }
        history.buckets << bucket;
    }
    return history;
}

qint64 Percentile::nearestRank(int percent, qint64 n)
{
    // ceil(percent · n / 100) in integers: exact, as the SQL form of this rule is.
    return std::max<qint64>(1, (qint64(percent) * n + 99) / 100);
}

QString runtimeBasisName(Runtime::Basis basis)
{
    return basis == Runtime::Basis::Started ? QStringLiteral("started") : QStringLiteral("created");
}

std::optional<Runtime::Basis> runtimeBasis(const FieldSet &fields)
{
    if (fields.contains(Field::DateStarted))
        return Runtime::Basis::Started;
    if (fields.contains(Field::DateCreated))
        return Runtime::Basis::Created;
    return std::nullopt;
}

StoreError noRuntimeBasis(const QString &schema)
{
    return {StoreError::Code::Unsupported,
            QStringLiteral("no runtimes: the schema records neither date_started nor date_created, only "
                           "date_done (%1)")
                .arg(schema)};
}

qint64 TaskRuntimes::halfCount(RuntimeHalf half, qint64 count)
{
    return half == RuntimeHalf::Earlier ? count - count / 2 : count / 2;
}

bool TaskRuntimes::comparesHalves(qint64 count)
{
    return halfCount(RuntimeHalf::Recent, count) >= minHalfCount; // the smaller half
}

std::optional<double> TaskRuntimes::p95Ratio() const
{
    if (!p95Earlier || !p95Recent)
        return std::nullopt;
    if (*p95Earlier <= 0)
        return *p95Recent <= 0 ? 1.0 : std::numeric_limits<double>::infinity();
    return *p95Recent / *p95Earlier;
}

bool TaskRuntimes::p95Grew() const
{
    const std::optional<double> ratio = p95Ratio();
    return ratio && *ratio >= p95GrowthRatio;
}

QString TaskRuntimes::p95RatioText(double ratio)
{
    const QString mark = ratio >= p95GrowthRatio ? QStringLiteral("\u25b2 ") : QString();
    if (!std::isfinite(ratio))
        return mark + QStringLiteral("\u221e\u00d7");
    // Cut, not rounded, as TimeParse::formatRuntime() cuts: 1.49 reads "1.4×", never a "1.5×"
    // without the mark.
    return mark + QLocale().toString(std::floor(ratio * 10) / 10, 'f', 1) + QStringLiteral("\u00d7");
}

TaskRuntimes &RuntimeTableBuilder::task(const QString &taskName, qint64 count)
{
    TaskRuntimes *task = nullptr;
    if (taskName.isNull()) {
        if (!m_unnamed)
            m_unnamed = TaskRuntimes{};
        task = &*m_unnamed;
    } else {
        task = &m_named[taskName];
        task->taskName = taskName;
    }
    task->count = count;
    return *task;
}

void RuntimeTableBuilder::addRanked(const QString &taskName, qint64 count, qint64 rank, double seconds)
{
    TaskRuntimes &task = this->task(taskName, count);
    double *const values[] = {&task.p50, &task.p95, &task.p99};
    for (size_t i = 0; i < std::size(Percentile::percents); ++i) {
        if (rank == Percentile::nearestRank(Percentile::percents[i], count))
            *values[i] = seconds;
    }
    if (rank == count)
        task.max = seconds;
}

void RuntimeTableBuilder::addHalfRanked(const QString &taskName, qint64 count, RuntimeHalf half, qint64 rank,
                                        double seconds)
{
    TaskRuntimes &task = this->task(taskName, count);
    if (TaskRuntimes::comparesHalves(count) && rank == Percentile::nearestRank(TaskRuntimes::trendPercent, TaskRuntimes::halfCount(half, count)))
        (half == RuntimeHalf::Earlier ? task.p95Earlier : task.p95Recent) = seconds;
}

RuntimeTable RuntimeTableBuilder::table() const
{
    RuntimeTable table;
    table.basis = m_basis;
    if (m_unnamed)
        table.tasks << *m_unnamed;
    for (const TaskRuntimes &task : m_named) // QMap: by code units
        table.tasks << task;
    return table;
}

// --- failures ------------------------------------------------------------------------------

QString messageFingerprint(const QString &message)
{
    if (message.isNull())
        return {};
    // PCRE2 without UCP: \b and the classes below are ASCII, as the documented rule says.
    static const QRegularExpression quoted(QStringLiteral(R"((?<![0-9A-Za-z_])(?:'[^'\n]*'|"[^"\n]*"))"));
    static const QRegularExpression uuid(
        QStringLiteral("[0-9A-Fa-f]{8}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{12}"));
    static const QRegularExpression hex(
        QStringLiteral(R"(\b(?:0[xX][0-9A-Fa-f]+|(?=[0-9A-Fa-f]*[0-9])[0-9A-Fa-f]{8,})\b)"));
    static const QRegularExpression number(QStringLiteral(R"([0-9]+(?:\.[0-9]+)?)"));
    QString text = message;
    text.replace(quoted, QStringLiteral("<str>"));
    text.replace(uuid, QStringLiteral("<uuid>"));
    text.replace(hex, QStringLiteral("<hex>"));
    text.replace(number, QStringLiteral("<num>"));
    return text;
}

namespace {

/// The axis from `from` to `to` (ms since the epoch) in buckets of `bucket`, merged to at
/// most FailureTrend::maxPoints points.
FailureTrend trendAxis(qint64 from, qint64 to, TimeBucket bucket)
{
    const qint64 width = bucketMs(bucket);
    const qint64 buckets = (floorTo(to, width) - floorTo(from, width)) / width + 1;
    FailureTrend trend;
    trend.bucket = bucket;
    trend.step = int((buckets + FailureTrend::maxPoints - 1) / FailureTrend::maxPoints);
    trend.start = QDateTime::fromMSecsSinceEpoch(floorTo(from, width), QTimeZone::utc());
    trend.points = int((buckets + trend.step - 1) / trend.step);
    return trend;
}

} // namespace

FailureTrend FailureTrend::of(const QDateTime &first, const QDateTime &last)
{
    if (!first.isValid() || !last.isValid() || last < first)
        return {};
    const qint64 from = first.toMSecsSinceEpoch(), to = last.toMSecsSinceEpoch();
    TimeBucket bucket = bucketForSpan(to - from);
    while (bucket != TimeBucket::Minute && trendAxis(from, to, bucket).points < minPoints)
        bucket = bucket == TimeBucket::Day ? TimeBucket::Hour : TimeBucket::Minute;
    return trendAxis(from, to, bucket);
}

int FailureTrend::pointOf(const QDateTime &utc) const
{
    if (!utc.isValid() || points == 0)
        return -1;
    const qint64 offset = utc.toMSecsSinceEpoch() - start.toMSecsSinceEpoch();
    if (offset < 0 || offset / pointMs() >= points)
        return -1;
    return int(offset / pointMs());
}

bool FailureGroup::hasException(const QString &name) const
{
    return ValueDecoder::ExceptionInfo{exception, exceptionModule, {}}.isNamed(name);
}

QString FailureGroup::exceptionFilter() const
{
    if (exception.isEmpty() || exceptionModule.isEmpty())
        return exception;
    const QString builtin = QStringLiteral("builtins.") + exception;
    return hasException(builtin) ? builtin : exceptionModule + QLatin1Char('.') + exception;
}

QString exceptionFingerprint(const ValueDecoder::ExceptionInfo &e)
{
    return e.isValid() ? messageFingerprint(e.message.isNull() ? QStringLiteral("") : e.message) : QString();
}

bool FailureGroup::holds(const TaskResult &row) const
{
    if (row.taskName.isNull() != taskName.isNull() || row.taskName != taskName)
        return false;
    const ValueDecoder::ExceptionInfo e =
        ValueDecoder::exceptionOf(row.result, row.contentType, row.contentEncoding, row.traceback);
    if (!e.isValid())
        return exception.isNull();
    return hasException(e.qualifiedType()) && exceptionFingerprint(e) == fingerprint;
}

QStringList defaultFailureStatuses()
{
    return {QStringLiteral("FAILURE")};
}

void FailureTableBuilder::add(const TaskResult &sample, qint64 n, const QDateTime &first, const QDateTime &last,
                              const MinuteCounts *minutes)
{
    if (n <= 0)
        return;
    // One decode per distinct stored value: the parts of a SQL GROUP BY repeat a result once
    // per worker and status.
    const QString decodeKey = sample.contentType + QChar(0x1f) + sample.contentEncoding + QChar(0x1f)
        + (sample.result.isNull() ? QStringLiteral("N") : QStringLiteral("R") + sample.result) + QChar(0x1f)
        + sample.traceback;
    auto decoded = m_decoded.constFind(decodeKey);
    if (decoded == m_decoded.cend()) {
        ++m_decodes;
        decoded = m_decoded.insert(decodeKey, ValueDecoder::exceptionOf(sample.result, sample.contentType,
                                                                        sample.contentEncoding, sample.traceback));
    }
    addException(sample.taskName, sample.status, sample.worker, *decoded, n, first, last, minutes);
}

void FailureTableBuilder::addException(const QString &taskName, const QString &status, const QString &worker,
                                       const ValueDecoder::ExceptionInfo &e, qint64 n, const QDateTime &first,
                                       const QDateTime &last, const MinuteCounts *minutes)
{
    if (n <= 0 || (!m_filter.names.isEmpty() && !e.isNamedAnyOf(m_filter.names)))
        return;
    const QString message = e.isValid() ? e.message : QString();
    // One fingerprint (four regular expressions) per distinct message, not per part: parts per
    // status and worker, and an index's results one at a time, repeat a message many times.
    QString fingerprint;
    if (e.isValid()) {
        auto known = m_fingerprints.constFind(e.message);
        if (known == m_fingerprints.cend())
            known = m_fingerprints.insert(e.message, exceptionFingerprint(e));
        fingerprint = *known;
    }
    if (!m_filter.fingerprints.isEmpty() && (!e.isValid() || !m_filter.hasFingerprint(fingerprint)))
        return;
    // Null and empty kept apart in the key (a NULL task name is not the name "").
    const auto part = [](const QString &s) { return s.isNull() ? QStringLiteral("N") : QStringLiteral("S") + s; };
    ++m_parts;
    const QStringList key{part(taskName), part(e.isValid() ? e.qualifiedType() : QString()), part(fingerprint)};
    Group &g = m_groups[key];
    FailureGroup &group = g.group;
    if (group.count == 0) {
        group.taskName = taskName;
        group.exception = e.isValid() ? e.type : QString();
        group.fingerprint = fingerprint;
    }
    // Builtins may be recorded as "builtins" or not at all: the group says the longest form.
    if (e.isValid() && !e.module.isEmpty() && (group.exceptionModule.isNull() || e.module > group.exceptionModule))
        group.exceptionModule = e.module;
    group.count += n;
    if (first.isValid() && (!group.firstSeen.isValid() || first < group.firstSeen))
        group.firstSeen = first;
    if (last.isValid() && (!group.lastSeen.isValid() || last > group.lastSeen))
        group.lastSeen = last;
    if (!worker.isNull())
        g.workers.insert(worker);
    group.statuses[status.isNull() ? QStringLiteral("") : status] += n;
    if (minutes) {
        for (auto it = minutes->cbegin(); it != minutes->cend(); ++it)
            g.done[it.key()] += it.value();
    } else if (first.isValid()) {
        g.done[floorTo(first.toMSecsSinceEpoch(), bucketMs(TimeBucket::Minute))] += n;
    }
    if (e.isValid())
        g.messages[message.isNull() ? QStringLiteral("") : message] += n;
}

FailureTable FailureTableBuilder::table() const
{
    FailureTable table;
    table.partsRead = m_parts;
    table.resultsDecoded = m_decodes;
    QDateTime first, last;
    for (const Group &g : m_groups) {
        if (g.group.firstSeen.isValid() && (!first.isValid() || g.group.firstSeen < first))
            first = g.group.firstSeen;
        if (g.group.lastSeen.isValid() && (!last.isValid() || g.group.lastSeen > last))
            last = g.group.lastSeen;
    }
    table.trend = FailureTrend::of(first, last);
    for (const Group &g : m_groups) {
        FailureGroup group = g.group;
        group.trend = QVector<qint64>(table.trend.points, 0);
        // Every minute lies on the axis, which spans the groups' dates; one a driver's rounding
        // of a date's microseconds (PostgreSQL's: .9996 s → the next second) put past an end
        // counts at that end.
        const qint64 start = table.trend.start.toMSecsSinceEpoch();
        for (auto it = g.done.cbegin(); table.trend.points > 0 && it != g.done.cend(); ++it) {
            const qint64 point = (it.key() - start) / table.trend.pointMs();
            group.trend[int(std::clamp<qint64>(point, 0, table.trend.points - 1))] += it.value();
        }
        qint64 best = -1;
        for (auto it = g.messages.cbegin(); it != g.messages.cend(); ++it) { // QMap: smallest first
            if (it.value() > best) {
                best = it.value();
                group.message = it.key();
            }
        }
        group.workers = QStringList(g.workers.cbegin(), g.workers.cend());
        std::sort(group.workers.begin(), group.workers.end());
        table.groups << group;
    }
    // m_groups is in key order (task name, NULL first; exception; fingerprint): a stable sort
    // by count keeps it among equal counts.
    std::stable_sort(table.groups.begin(), table.groups.end(),
                     [](const FailureGroup &a, const FailureGroup &b) { return a.count > b.count; });
    return table;
}
