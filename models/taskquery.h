#pragma once

#include "storeerror.h"
#include "taskresult.h"

#include <QDateTime>
#include <QStringList>

namespace ValueDecoder {
struct ExceptionInfo;
}

/// The exception filter of a query or a purge (TaskQuery::exceptions and ::fingerprints):
/// the one rule every store applies to a stored exception — in C++ on the exception
/// ValueDecoder::exceptionOf() reads, or through SQLite's functions that call it. Plain value type.
struct ExceptionFilter
{
    QStringList names;        ///< exception types (ExceptionInfo::isNamed()); empty = any
    QStringList fingerprints; ///< message fingerprints (exceptionFingerprint()); empty = any

    bool isEmpty() const { return names.isEmpty() && fingerprints.isEmpty(); }
    /// True when `e` is an exception (isValid()) named by one of the names, if any are given,
    /// whose message has one of the fingerprints, if any are given.
    bool matches(const ValueDecoder::ExceptionInfo &e) const;
    /// True when a message fingerprint passes (always when no fingerprints are given).
    bool hasFingerprint(const QString &fingerprint) const;
    /// The filter as compact JSON, [[names…], [fingerprints…]], each sorted without repeats:
    /// the same text whatever the order or repeats of its entries. A cache key, and how
    /// SQLite's function receives the filter (fromKey()).
    QString key() const;
    /// The filter key() wrote; an empty filter for any other text.
    static ExceptionFilter fromKey(const QString &key);
};

/// The admin's question, pushed down to the store: search text, facet filters, a date_done
/// range and a sort order. Plain value type.
struct TaskQuery
{
    /// Django admin semantics: split on whitespace, "quoted phrases" stay whole; every term
    /// must occur case-insensitively (all of Unicode) in at least one of task_id, task_name,
    /// status, task_args, task_kwargs. args/kwargs are also matched in their decoded form, so
    /// "Zoë" finds "('Zo\u00eb',)". No character is special.
    QString search;

    /// Each list is a set; empty = no filter. A null QString in a list matches NULL.
    QStringList taskNames;
    QStringList statuses;
    QStringList workers;
    QStringList periodicTaskNames;
    /// Exception types; empty = no filter. A result matches when the exception read from it
    /// (ValueDecoder::exceptionOf(): `stalk failures`' `exception`) has one of these names
    /// (ExceptionInfo::isNamed(): "ValueError", "builtins.ValueError", "proj.x.Declined").
    /// A result holding no exception never matches.
    QStringList exceptions;
    /// Message fingerprints (exceptionFingerprint(): `stalk failures`' `fingerprint`, "" for
    /// an exception without a message); empty = no filter. A result matches when it holds an
    /// exception whose message has one of these fingerprints. With `exceptions` and a task
    /// name, the query selects exactly one failure group of `stalk failures`.
    QStringList fingerprints;
    /// The exception filter: exceptions and fingerprints.
    ExceptionFilter exceptionFilter() const { return {exceptions, fingerprints}; }

    QDateTime doneAfter;  ///< date_done >= doneAfter (UTC); invalid = open
    QDateTime doneBefore; ///< date_done <  doneBefore (UTC); invalid = open

    /// Sorting; ties are broken by the row id in the same direction. Default: newest
    /// date_done first, as django-celery-results' admin.
    Field sortField = Field::DateDone;
    Qt::SortOrder sortOrder = Qt::DescendingOrder;

    /// The search text split into terms as the Django admin does (shlex-like smart split:
    /// whitespace separates, double or single quotes group, quotes are removed).
    QStringList searchTerms() const { return splitSearch(search); }
    /// The rule of searchTerms() on any text.
    static QStringList splitSearch(const QString &search);

    /// The most terms a search may have. Every term is one more condition ANDed to the
    /// statement (SQLite refuses an expression tree deeper than 1000, and every engine bounds
    /// the values bound to one statement); no person types more.
    static constexpr int maxSearchTerms = 200;
    /// Why no store runs this query (a search of more than maxSearchTerms terms), or no error.
    /// Every store answers such a query with this error, and the command line refuses it.
    StoreError searchError() const;

    /// True when nothing narrows the result set.
    bool isUnfiltered() const;

    friend bool operator==(const TaskQuery &a, const TaskQuery &b);
    friend bool operator!=(const TaskQuery &a, const TaskQuery &b) { return !(a == b); }
};

Q_DECLARE_METATYPE(TaskQuery)

/// The set filters' rule on every store: true when `value` is one of `set`, where a null
/// entry stands for NULL (a null value) and "" for "" only. An empty set holds nothing.
bool setContains(const QStringList &set, const QString &value);

/// Which rows a purge removes: exactly upstream's get_all_expired() — date_done < cutoff,
/// whatever the status — and, when asked (cacheExpired), also the entries of a Django cache
/// store already past their Django cache expiry (StoreInfo::hasCacheExpiry): the union of the
/// two, optionally narrowed (every narrowing filter applies to both). The cutoff and the
/// instant the cache expiry is compared with (cacheNow) are fixed when the user confirms.
///
/// matches() and matchesGroup() are the one home of the expiry rule: CouchIndex and
/// CouchStore call them, and SqlStatements::expired() writes the same rule as SQL
/// (tst_sqlstore checks on a real file that the two select the same rows). The search text
/// and the exception filter narrow a purge by the stores' own query rules, where they test
/// a TaskQuery's: SqlStatements::expired() adds the same clauses as SqlStatements::filter(),
/// and CouchIndex tests its rows (and a document re-read at delete time) as its searches do.
struct PurgeCriteria
{
    QDateTime cutoff;      ///< UTC; required unless cacheExpired (invalid: no result expires by date_done)
    /// Microseconds beyond cutoff's milliseconds (0-999). QDateTime stops at milliseconds while
    /// upstream compares microseconds; set this when a cutoff is given with 6 fraction digits
    /// so the expired set is exactly upstream's.
    int cutoffExtraMicroseconds = 0;
    QStringList statuses;  ///< narrowing; empty = every status
    QStringList taskNames; ///< narrowing; empty = every task name
    QStringList workers;   ///< narrowing; empty = every worker
    QStringList periodicTaskNames; ///< narrowing; empty = periodic or not
    /// Narrowing: only date_done at or after this (UTC, as TaskQuery::doneAfter); invalid = none.
    QDateTime doneAfter;
    /// Narrowing: the search text, as TaskQuery::search (every term must occur); empty = none.
    QString search;
    /// Narrowing: exception types and message fingerprints, as TaskQuery's; empty = none.
    QStringList exceptions;
    QStringList fingerprints;
    ExceptionFilter exceptionFilter() const { return {exceptions, fingerprints}; }
    /// Also delete expired GroupResults (upstream cleanup() does). Only honoured when the
    /// purge is not narrowed, since groups have no status, task name, worker or periodic task.
    bool includeGroups = true;
    /// Also select the results past their Django cache expiry (isCacheExpired()), which
    /// Django's own cache get() reads as missing (upstream: PENDING). Only on a store whose
    /// entries carry one (StoreInfo::hasCacheExpiry: DatabaseCache, FileBasedCache); every
    /// other store refuses such a purge (cacheExpiryError()). Saved groups are not selected by it.
    bool cacheExpired = false;
    /// The instant a cache expiry is compared with (UTC), fixed once when the purge starts as
    /// the cutoff is; invalid = nothing is past its cache expiry. Set also without cacheExpired
    /// for PurgePreview::cacheExpired (how many a purge that asks would add).
    QDateTime cacheNow;

    bool isNarrowed() const
    {
        return !statuses.isEmpty() || !taskNames.isEmpty() || !workers.isEmpty() || !periodicTaskNames.isEmpty()
            || doneAfter.isValid() || !searchTerms().isEmpty() || !exceptionFilter().isEmpty();
    }
    /// The search text split into terms (TaskQuery::searchTerms()).
    QStringList searchTerms() const { return TaskQuery::splitSearch(search); }
    /// Expired group results go too: asked for, and the purge is not narrowed.
    bool includesGroups() const { return includeGroups && !isNarrowed(); }
    /// The same cutoff and doneAfter, nothing else narrowing: every row a narrowed purge
    /// passes on its way, kept or not.
    PurgeCriteria datesOnly() const;

    /// Upstream's rule on one stored date_done: date_done < cutoff, to the microsecond. An
    /// invalid date (NULL: STARTED, or RETRY on some versions) never expires.
    /// `extraMicroseconds` are the stored value's microseconds beyond dateDone's milliseconds
    /// (0-999), or unknownMicroseconds: then a date inside the cutoff's own millisecond
    /// counts as not expired, so that nothing is deleted before it expired.
    bool isExpired(const QDateTime &dateDone, int extraMicroseconds = unknownMicroseconds) const;
    /// Django's own rule on one cache entry's expiry, the one home of it: past it when
    /// `expires < cacheNow` — DatabaseCache's get() (`expires < timezone.now()`, expires whole
    /// seconds) and FileBasedCache's _is_expired() (`exp < time.time()`) alike. False unless
    /// cacheExpired is asked and cacheNow is set; an invalid expires (none: timeout=None) is
    /// never past.
    bool isCacheExpired(const QDateTime &expires) const
    {
        return cacheExpired && cacheNow.isValid() && expires.isValid() && expires < cacheNow;
    }
    /// The narrowing alone (no expiry): done at or after doneAfter, and within the statuses,
    /// task names, workers and periodic task names (setContains()).
    bool narrowsTo(const QDateTime &dateDone, const QString &status, const QString &taskName, const QString &worker,
                   const QString &periodicTaskName) const;
    /// The rule for one result: expired (isExpired()) or past its cache expiry
    /// (isCacheExpired(cacheExpires)), and narrowsTo(). TaskResult holds dates to the
    /// millisecond, hence the microseconds apart. The search text and exceptions are not
    /// tested here: the store tests them (see above).
    bool matches(const QDateTime &dateDone, const QString &status, const QString &taskName, const QString &worker,
                 const QString &periodicTaskName, int extraMicroseconds = unknownMicroseconds,
                 const QDateTime &cacheExpires = QDateTime()) const;
    bool matches(const TaskResult &row, int extraMicroseconds = unknownMicroseconds) const
    {
        return matches(row.dateDone, row.status, row.taskName, row.worker, row.periodicTaskName, extraMicroseconds,
                       row.expires);
    }
    /// The same narrowing with only the cache-expiry rule (no cutoff): the entries past their
    /// cache expiry that this purge selects (or would, with cacheExpired).
    PurgeCriteria cacheExpiredOnly() const;
    /// The rule for one group result: expired, and groups are included (includesGroups()).
    bool matchesGroup(const QDateTime &dateDone) const { return includesGroups() && isExpired(dateDone); }

    static constexpr int unknownMicroseconds = -1;
};

Q_DECLARE_METATYPE(PurgeCriteria)

/// The purge that deletes exactly what `query` matches among the results finished before
/// `bound` (fixed by the caller, so that results written later are kept): the query's search
/// text, exceptions, statuses, task names, workers, periodic task names and doneAfter narrow
/// it, its doneBefore lowers the bound, and group results are never included. Results without
/// a date_done (still running) never match a purge, so they are kept. A query no store runs
/// (TaskQuery::searchError()) gives that error. The window's Delete Selected on "all
/// matching" and `stalk purge`'s narrowing (--search, --worker, --done-after, …) both use it.
Outcome<PurgeCriteria> purgeCriteriaFor(const TaskQuery &query, const QDateTime &bound);
