#pragma once

#include "storeerror.h"
#include "taskquery.h"
#include "taskresult.h"
#include "valuedecoder.h"

#include <QDateTime>
#include <QHash>
#include <QMap>
#include <QMetaType>
#include <QSet>
#include <QString>
#include <QStringList>
#include <QVector>

#include <optional>

// The aggregates a store computes over a query's results (`stalk stats --by`, `stalk
// runtimes`, `stalk failures`): the value types, and the rules every store shares — which
// bucket a date falls in, which buckets a history lists, how a percentile is picked, how
// failures group. Stores compute the raw
// groups (SQL GROUP BY, or one walk over the CouchDB/Redis index); these rules turn them
// into the answer, so every store answers alike.

/// The width of a history's buckets: whole UTC minutes, hours or days.
enum class TimeBucket { Minute, Hour, Day };

/// "minute", "hour", "day" (`--by`'s values).
QString timeBucketName(TimeBucket bucket);
/// The bucket of one of timeBucketName()'s names; none for any other text.
std::optional<TimeBucket> timeBucketNamed(const QString &name);
/// The start of the UTC bucket holding `utc` (seconds and below dropped for a minute, and so
/// on); invalid for an invalid date.
QDateTime bucketStart(const QDateTime &utc, TimeBucket bucket);
/// How long one bucket is, in milliseconds.
qint64 bucketMs(TimeBucket bucket);
/// The bucket a history chart of a span of time uses: the finest whose bars stay wide enough
/// to read (minutes up to 2 hours, hours up to 3 days, then days).
TimeBucket bucketForSpan(qint64 spanMs);

/// One bucket of a history. Plain value type.
struct StatusBucket
{
    QDateTime start;              ///< UTC
    QMap<QString, qint64> counts; ///< status -> results done in the bucket ("" = NULL status)
    qint64 total = 0;

    friend bool operator==(const StatusBucket &a, const StatusBucket &b)
    {
        return a.start == b.start && a.counts == b.counts && a.total == b.total;
    }
};

/// Results per time bucket of date_done, by status. Plain value type.
struct StatusHistory
{
    TimeBucket bucket = TimeBucket::Hour;
    /// Every status counted anywhere in the history, sorted: each bucket reports each of them
    /// (0 where it has none).
    QStringList statuses;
    /// From the first bucket holding a result to the last, in time order, the empty buckets
    /// between them included; none when no result has a date_done.
    QVector<StatusBucket> buckets;
};

Q_DECLARE_METATYPE(StatusHistory)

/// Collects (date_done, status, count) groups in any order — one per row, or one per group a
/// SQL GROUP BY returned (dates at or inside the bucket) — and makes the history.
/// Plain value type.
class StatusHistoryBuilder final
{
public:
    /// The most buckets a history may list (a year of minutes is 525,600).
    static constexpr qint64 maxBuckets = 1'000'000;

    explicit StatusHistoryBuilder(TimeBucket bucket) : m_bucket(bucket) { }
    /// Counts n results of `status` done at `utc`; an invalid date (NULL date_done) counts in
    /// no bucket.
    void add(const QDateTime &utc, const QString &status, qint64 n = 1);
    /// The history; an Unsupported error when it would list more than maxBuckets buckets.
    Outcome<StatusHistory> history() const;

private:
    TimeBucket m_bucket;
    QMap<qint64, QMap<QString, qint64>> m_counts; ///< bucket start (ms since the epoch) -> counts
};

// --- runtimes ------------------------------------------------------------------------------

/// The percentiles of a runtime table, by the nearest-rank method: the p-th percentile of n
/// sorted values is the value at rank ceil(p/100 · n) (1-based), so it is always one of the
/// values (numpy's method="inverted_cdf"); the maximum is rank n.
namespace Percentile {
constexpr int percents[] = {50, 95, 99};
/// The 1-based rank of the p-th percentile of n values (n ≥ 1).
qint64 nearestRank(int percent, qint64 n);
} // namespace Percentile

/// Which half of a task's runtimes, in date_done order (ties by id): the older half holds the
/// middle runtime of an odd count.
enum class RuntimeHalf { Earlier, Recent };

/// Runtimes of one task name. Plain value type.
///
/// Whether its p95 grew: the runtimes are split in two halves by date_done (then by id, so
/// equal dates split the same way every time; the older half takes the middle one of an odd
/// count), and the p95 of each half (nearest rank) is compared. It grew when the newer half's
/// p95 is at least p95GrowthRatio times the older half's — and only where each half holds at
/// least minHalfCount runtimes.
struct TaskRuntimes
{
    /// The fewest runtimes each half needs before its p95 means anything: below 20 the nearest
    /// rank ⌈0.95·n⌉ is n itself, so the "p95" would be the half's one slowest run.
    static constexpr qint64 minHalfCount = 20;
    /// How much larger the newer half's p95 must be to count as grown: half as much again is
    /// well outside the jitter of a busy worker, yet small enough to catch a real slowdown.
    static constexpr double p95GrowthRatio = 1.5;
    /// The percentile the halves compare.
    static constexpr int trendPercent = 95;

    QString taskName; ///< null = NULL task name (the app runs without result_extended)
    qint64 count = 0; ///< results with a runtime
    double p50 = 0, p95 = 0, p99 = 0, max = 0; ///< seconds
    /// The p95 of the older and of the newer half, seconds; none (both) unless each half holds
    /// at least minHalfCount runtimes.
    std::optional<double> p95Earlier, p95Recent;

    /// How many runtimes a half of `count` holds (the older half takes the middle one).
    static qint64 halfCount(RuntimeHalf half, qint64 count);
    qint64 halfCount(RuntimeHalf half) const { return halfCount(half, count); }
    /// True when each half holds at least minHalfCount runtimes: the halves are compared.
    static bool comparesHalves(qint64 count);
    /// p95Recent / p95Earlier: none when the halves are not compared; 1 when both are 0;
    /// infinity when only the older one is.
    std::optional<double> p95Ratio() const;
    /// The rule: p95Ratio() is at least p95GrowthRatio.
    bool p95Grew() const;
    /// How a ratio reads (`stalk runtimes`' table, the window's trend column): cut to one
    /// decimal in the locale's digits, "1.2×"; with "▲ " before it when it counts as grown,
    /// "▲ 3.2×"; "▲ ∞×" for an infinite one.
    static QString p95RatioText(double ratio);
};

/// Runtimes per task name (TaskResult::runtime()'s rule: SUCCESS and FAILURE results, from
/// date_started where the schema has that column, else from date_created; results with a
/// missing date or ending before they started have none). Plain value type.
struct RuntimeTable
{
    Runtime::Basis basis = Runtime::Basis::Started;
    QVector<TaskRuntimes> tasks; ///< by task name, NULL first
};

Q_DECLARE_METATYPE(RuntimeTable)

/// "started", "created" (the `basis` of `stalk runtimes`).
QString runtimeBasisName(Runtime::Basis basis);
/// The basis of a schema with these fields; none when it has neither date_started nor
/// date_created.
std::optional<Runtime::Basis> runtimeBasis(const FieldSet &fields);
/// The error of a store whose schema records no start: "… records neither date_started nor
/// date_created …", naming the schema.
StoreError noRuntimeBasis(const QString &schema);

/// Collects each task name's runtimes at the nearest ranks of Percentile::percents and its
/// maximum, and each half's runtime at the nearest rank of 95 (what a store's SQL window
/// functions select), and makes the table. Extra ranks are ignored. Plain value type.
class RuntimeTableBuilder final
{
public:
    explicit RuntimeTableBuilder(Runtime::Basis basis) : m_basis(basis) { }
    /// The value at 1-based `rank` of the `count` sorted runtimes of `taskName`, in seconds.
    void addRanked(const QString &taskName, qint64 count, qint64 rank, double seconds);
    /// The value at 1-based `rank` of the sorted runtimes of one half of the `count` runtimes
    /// of `taskName` (TaskRuntimes::halfCount() of them), in seconds. Kept as that half's p95
    /// when the rank is its nearest rank and TaskRuntimes::comparesHalves(count).
    void addHalfRanked(const QString &taskName, qint64 count, RuntimeHalf half, qint64 rank, double seconds);
    /// The table, tasks sorted by name (NULL first, then by code units: the same on every engine).
    RuntimeTable table() const;

private:
    TaskRuntimes &task(const QString &taskName, qint64 count);

    Runtime::Basis m_basis;
    QMap<QString, TaskRuntimes> m_named;
    std::optional<TaskRuntimes> m_unnamed;
};

// --- failures ------------------------------------------------------------------------------

/// The fingerprint of an exception message: the message with what varies between two
/// failures of the same cause masked, so they group together. Applied in this order, on
/// ASCII classes only (a non-ASCII letter or digit is kept as it is):
///   1. a quoted value — '…' or "…" on one line, the opening quote not after [0-9A-Za-z_]
///      (so "can't" stays) — becomes <str>;
///   2. a UUID (8-4-4-4-12 hex digits) becomes <uuid>;
///   3. 0x and hex digits, or a run of 8 or more hex digits holding a digit, between word
///      boundaries, becomes <hex>;
///   4. every run of digits [0-9]+ (with a fraction .[0-9]+) becomes <num>.
/// "invalid literal for int() with base 10: 'n/a'" → "invalid literal for int() with base
/// <num>: <str>". A null message has a null fingerprint.
QString messageFingerprint(const QString &message);
/// The fingerprint of a stored exception's message (a FailureGroup's `fingerprint`, the rule
/// of `--fingerprint`): messageFingerprint(), "" when the exception has no message; null when
/// `e` is no exception.
QString exceptionFingerprint(const ValueDecoder::ExceptionInfo &e);

/// One group of failures: the results of one task name whose stored exception has the same
/// type (ExceptionInfo::qualifiedType()) and message fingerprint. Plain value type.
struct FailureGroup
{
    QString taskName;        ///< null = NULL task name
    QString exception;       ///< the class name; null when no exception could be read
    QString exceptionModule; ///< as stored ("builtins"); null when none was recorded
    QString message;         ///< the most frequent message of the group (ties: the smallest)
    QString fingerprint;     ///< messageFingerprint() of the messages
    qint64 count = 0;
    QDateTime firstSeen, lastSeen; ///< UTC, min/max date_done; invalid when none has one
    QStringList workers;           ///< sorted, NULL workers left out
    QMap<QString, qint64> statuses; ///< status -> count ("" = NULL status)
    /// Results per point of the table's FailureTrend axis (FailureTable::trend), oldest first,
    /// 0 for a point without any; results without a date_done count in none.
    QVector<qint64> trend;

    /// True when `name` is the exception's class name, its qualified type, or module.class
    /// (`--exception ValueError`, `builtins.ValueError`, `proj.billing.PaymentDeclined`).
    bool hasException(const QString &name) const;
    /// The `--exception` value naming exactly this group's type: module.Type
    /// ("builtins.ValueError" for a builtin), the class alone when no module was stored; null
    /// when the group has no exception.
    QString exceptionFilter() const;
    /// True when `row` belongs to the group: the same task name, exception type and message
    /// fingerprint (FailureTableBuilder's grouping, decoded from the stored result).
    bool holds(const TaskResult &row) const;
};

/// The statuses `stalk failures` and the window's Failures view group when the query's filters
/// name none: FAILURE.
QStringList defaultFailureStatuses();

/// The time axis all groups of a FailureTable share for their trend (a sparkline per group):
/// `points` points of `step` consecutive `bucket`s each, from `start` on.
///
/// The rule (FailureTrend::of()): the axis runs from the bucket of the earliest first_seen of
/// all groups to that of the latest last_seen — the data's span, not the query's date range:
/// a range is often open or absent, and one much wider than the failures would crowd them
/// into a few points, while first and last seen already say when they began. The bucket is
/// bucketForSpan()'s for that span (the history chart's), or a finer one while that gives
/// fewer than minPoints buckets (bucketForSpan() keeps a chart's bars wide: 2 h 1 min is 3
/// hours, too few for a shape). When the span holds more than maxPoints buckets, adjacent
/// buckets merge: step = ceil(buckets / maxPoints), counted from `start`, so a sparkline
/// has at most maxPoints points. Plain value type.
struct FailureTrend
{
    static constexpr int minPoints = 12;
    static constexpr int maxPoints = 60;

    TimeBucket bucket = TimeBucket::Minute;
    int step = 1;     ///< buckets per point
    QDateTime start;  ///< UTC start of the first point; invalid when no group has a date
    int points = 0;

    /// The axis of the results done from `first` to `last` (UTC); none (no points) when either
    /// is invalid.
    static FailureTrend of(const QDateTime &first, const QDateTime &last);
    /// How long one point is, in milliseconds.
    qint64 pointMs() const { return bucketMs(bucket) * step; }
    /// The start of point i (UTC).
    QDateTime pointStart(int i) const { return start.addMSecs(pointMs() * i); }
    /// The point holding `utc`; -1 outside the axis or for an invalid date.
    int pointOf(const QDateTime &utc) const;

    friend bool operator==(const FailureTrend &a, const FailureTrend &b)
    {
        return a.bucket == b.bucket && a.step == b.step && a.start == b.start && a.points == b.points;
    }
};

/// Failures grouped, largest first (then by task name, NULL first, exception and fingerprint,
/// by code units). Plain value type.
struct FailureTable
{
    QVector<FailureGroup> groups;
    /// The axis of every group's FailureGroup::trend.
    FailureTrend trend;
    /// How many (task, status, worker, result, traceback) parts the store handed over, and
    /// how many distinct stored results were decoded: what reading by groups saved.
    qint64 partsRead = 0;
    qint64 resultsDecoded = 0;
};

Q_DECLARE_METATYPE(FailureTable)

/// Collects results — one at a time, or one per group of identical (task name, status,
/// worker, result, traceback, content type and encoding) a SQL GROUP BY returned, with the
/// minutes its results were done in — decodes each distinct stored result once
/// (ValueDecoder::exceptionOf()) and groups them. Plain value type.
class FailureTableBuilder final
{
public:
    /// Results per minute: the minute's start (UTC, ms since the epoch) -> how many were done
    /// in it. A trend point is whole minutes long, so minutes say which point each result is in.
    using MinuteCounts = QHash<qint64, qint64>;

    /// `filter`: keep only the results whose exception it matches (TaskQuery::exceptionFilter();
    /// empty = all, those holding no exception too).
    explicit FailureTableBuilder(ExceptionFilter filter = {}) : m_filter(std::move(filter)) { }
    /// n results like `sample` (its task name, status, worker, result, traceback, content
    /// type and encoding are read), done between `first` and `last` (UTC; invalid = none):
    /// per minute as `minutes` says (those without a date_done in none), or, without
    /// `minutes`, all n in the minute of `first` (results added one at a time).
    void add(const TaskResult &sample, qint64 n, const QDateTime &first, const QDateTime &last,
             const MinuteCounts *minutes = nullptr);
    /// n results of `taskName`, `status` and `worker` holding `exception` (already read, as
    /// an index keeps it; invalid = none), done between `first` and `last`, as add() says.
    void addException(const QString &taskName, const QString &status, const QString &worker,
                      const ValueDecoder::ExceptionInfo &exception, qint64 n, const QDateTime &first,
                      const QDateTime &last, const MinuteCounts *minutes = nullptr);
    FailureTable table() const;

private:
    struct Group
    {
        FailureGroup group;
        QMap<QString, qint64> messages;
        QSet<QString> workers;
        MinuteCounts done;
    };

    ExceptionFilter m_filter;
    QHash<QString, ValueDecoder::ExceptionInfo> m_decoded;
    QHash<QString, QString> m_fingerprints; ///< message -> exceptionFingerprint()
    qint64 m_decodes = 0;
    QMap<QStringList, Group> m_groups;
    qint64 m_parts = 0;
};
