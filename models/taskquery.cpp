#include "taskquery.h"

#include "aggregates.h"
#include "valuedecoder.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QRegularExpression>

QStringList TaskQuery::splitSearch(const QString &search)
{
    // Django's smart_split() followed by the admin's unescape of quoted bits
    // (django/utils/text.py, django/contrib/admin/options.py get_search_results).
    static const QRegularExpression splitter(QStringLiteral(R"(
        ((?:
            [^\s'"]*
            (?:
                (?:"(?:[^"\\]|\\.)*" | '(?:[^'\\]|\\.)*')
                [^\s'"]*
            )+
        ) | \S+)
    )"),
                                             QRegularExpression::ExtendedPatternSyntaxOption
                                                 // Python's \s is Unicode-aware (no-break, em, ideographic spaces).
                                                 | QRegularExpression::UseUnicodePropertiesOption);

    QStringList terms;
    auto it = splitter.globalMatch(search);
    while (it.hasNext()) {
        QString bit = it.next().captured(0);
        const QChar first = bit.front();
        if ((first == u'"' || first == u'\'') && bit.back() == first) {
            // unescape_string_literal(): strip the quotes, unescape \<quote> and \\.
            bit = bit.mid(1, bit.size() - 2);
            bit.replace(QStringLiteral("\\") + first, QString(first));
            bit.replace(QStringLiteral("\\\\"), QStringLiteral("\\"));
        }
        terms.append(bit);
    }
    return terms;
}

StoreError TaskQuery::searchError() const
{
    const qsizetype terms = searchTerms().size();
    if (terms <= maxSearchTerms)
        return {};
    return {StoreError::Code::QueryFailed,
            QStringLiteral("the search has %1 words; at most %2 can be searched for at once (a \"quoted phrase\" "
                           "counts as one)")
                .arg(terms)
                .arg(maxSearchTerms)};
}

bool TaskQuery::isUnfiltered() const
{
    return searchTerms().isEmpty() && taskNames.isEmpty() && statuses.isEmpty() && workers.isEmpty()
        && periodicTaskNames.isEmpty() && exceptionFilter().isEmpty() && !doneAfter.isValid() && !doneBefore.isValid();
}

namespace {
// QStringList's == treats null and empty alike; a null entry means "NULL".
bool sameSet(const QStringList &a, const QStringList &b)
{
    if (a.size() != b.size())
        return false;
    for (qsizetype i = 0; i < a.size(); ++i) {
        if (a[i] != b[i] || a[i].isNull() != b[i].isNull())
            return false;
    }
    return true;
}
} // namespace

bool operator==(const TaskQuery &a, const TaskQuery &b)
{
    return a.search == b.search && sameSet(a.taskNames, b.taskNames) && sameSet(a.statuses, b.statuses)
        && sameSet(a.workers, b.workers) && sameSet(a.periodicTaskNames, b.periodicTaskNames)
        && a.exceptions == b.exceptions && a.fingerprints == b.fingerprints
        && a.doneAfter == b.doneAfter && a.doneBefore == b.doneBefore && a.sortField == b.sortField
        && a.sortOrder == b.sortOrder;
}

bool setContains(const QStringList &set, const QString &value)
{
    for (const QString &wanted : set) {
        if (wanted.isNull() ? value.isNull() : (!value.isNull() && wanted == value))
            return true;
    }
    return false;
}

bool ExceptionFilter::matches(const ValueDecoder::ExceptionInfo &e) const
{
    if (!e.isValid() || (!names.isEmpty() && !e.isNamedAnyOf(names)))
        return false;
    return fingerprints.isEmpty() || fingerprints.contains(exceptionFingerprint(e));
}

bool ExceptionFilter::hasFingerprint(const QString &fingerprint) const
{
    return fingerprints.isEmpty() || fingerprints.contains(fingerprint);
}

QString ExceptionFilter::key() const
{
    const auto sortedSet = [](QStringList list) {
        list.sort();
        list.removeDuplicates();
        return QJsonArray::fromStringList(list);
    };
    return QString::fromUtf8(
        QJsonDocument(QJsonArray{sortedSet(names), sortedSet(fingerprints)}).toJson(QJsonDocument::Compact));
}

ExceptionFilter ExceptionFilter::fromKey(const QString &key)
{
    const QJsonArray parts = QJsonDocument::fromJson(key.toUtf8()).array();
    const auto strings = [](const QJsonValue &value) {
        QStringList list;
        for (const QJsonValue &entry : value.toArray())
            list << entry.toString();
        return list;
    };
    return {strings(parts.at(0)), strings(parts.at(1))};
}

bool PurgeCriteria::isExpired(const QDateTime &dateDone, int extraMicroseconds) const
{
    if (!dateDone.isValid() || !cutoff.isValid())
        return false;
    const qint64 doneMs = dateDone.toMSecsSinceEpoch();
    const qint64 cutoffMs = cutoff.toMSecsSinceEpoch();
    if (doneMs != cutoffMs)
        return doneMs < cutoffMs;
    // The same millisecond: the microseconds beyond it decide, when both are known.
    if (extraMicroseconds == unknownMicroseconds)
        return false;
    return extraMicroseconds < cutoffExtraMicroseconds;
}

bool PurgeCriteria::narrowsTo(const QDateTime &dateDone, const QString &status, const QString &taskName,
                              const QString &worker, const QString &periodicTaskName) const
{
    // doneAfter is whole milliseconds: a stored date cut to its millisecond is at or after it
    // exactly when the stored date is (TaskQuery's filter compares the same way). A result
    // without date_done is never at or after it.
    return (!doneAfter.isValid() || (dateDone.isValid() && dateDone >= doneAfter))
        && (statuses.isEmpty() || setContains(statuses, status))
        && (taskNames.isEmpty() || setContains(taskNames, taskName))
        && (workers.isEmpty() || setContains(workers, worker))
        && (periodicTaskNames.isEmpty() || setContains(periodicTaskNames, periodicTaskName));
}

bool PurgeCriteria::matches(const QDateTime &dateDone, const QString &status, const QString &taskName,
                            const QString &worker, const QString &periodicTaskName, int extraMicroseconds,
                            const QDateTime &cacheExpires) const
{
    return (isExpired(dateDone, extraMicroseconds) || isCacheExpired(cacheExpires))
        && narrowsTo(dateDone, status, taskName, worker, periodicTaskName);
}

PurgeCriteria PurgeCriteria::cacheExpiredOnly() const
{
    PurgeCriteria only = *this;
    only.cutoff = QDateTime();
    only.cutoffExtraMicroseconds = 0;
    only.cacheExpired = true;
    only.includeGroups = false;
    return only;
}

PurgeCriteria PurgeCriteria::datesOnly() const
{
    PurgeCriteria dates;
    dates.cutoff = cutoff;
    dates.cutoffExtraMicroseconds = cutoffExtraMicroseconds;
    dates.doneAfter = doneAfter;
    dates.includeGroups = false;
    return dates;
}

Outcome<PurgeCriteria> purgeCriteriaFor(const TaskQuery &query, const QDateTime &bound)
{
    if (StoreError e = query.searchError())
        return e;
    PurgeCriteria criteria;
    criteria.cutoff = bound.toUTC();
    if (query.doneBefore.isValid() && query.doneBefore < criteria.cutoff)
        criteria.cutoff = query.doneBefore.toUTC();
    criteria.statuses = query.statuses;
    criteria.taskNames = query.taskNames;
    criteria.workers = query.workers;
    criteria.periodicTaskNames = query.periodicTaskNames;
    criteria.search = query.search;
    criteria.exceptions = query.exceptions;
    criteria.fingerprints = query.fingerprints;
    if (query.doneAfter.isValid())
        criteria.doneAfter = query.doneAfter.toUTC();
    criteria.includeGroups = false;
    return criteria;
}
