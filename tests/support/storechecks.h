#pragma once

#include <QJsonObject>
#include <QMap>
#include <QString>
#include <QStringList>
#include <QVector>

#include "resultstore.h"
#include "taskquery.h"

/// Helpers for the store suites (SQLite, PostgreSQL, MariaDB) that compare Stalk's answers
/// with expectations.json and with the database read independently. Pure functions.
namespace TestSupport {

/// Facet values and their counts; NULL as a null QString.
using Counts = QMap<QString, qint64>;

QStringList sorted(QStringList list);

/// "YYYY-MM-DD[ T]HH:MM:SS[.ffffff][Z]" as microseconds since the epoch (UTC): an independent
/// reading of stored dates and cutoffs, so purge expectations do not reuse Stalk's text logic.
qint64 micros(const QString &text, bool *ok);

/// An ISO cutoff with up to 6 fraction digits as PurgeCriteria (QDateTime + extra microseconds).
PurgeCriteria criteriaFor(const QString &iso);

Counts countsOf(const QVector<FacetValue> &values);
Counts countsOf(const QJsonObject &object);

QStringList taskIdsOf(const QVector<TaskResult> &rows);

// The checks both store suites run, each on its own store. They report through QtTest
// (QVERIFY/QCOMPARE return from the check only: call them last, or test
// QTest::currentTestFailed() after them).

/// Total, facets (values, counts, NULL as its own value, most frequent first) and expired
/// groups equal expectations.json's "counts".
void verifyCountsAndFacets(ResultStore &store, const QJsonObject &counts);
/// Each facet of a filtered query ignores its own filter and honours the others.
void verifyFacetsIgnoreTheirOwnFilter(ResultStore &store);
/// Status, periodic task (NULL included), task name, worker and date-range filters count
/// and page what the unfiltered rows say they should. Returns the count of rows whose
/// periodic task is NULL or nightly-cleanup (more than 1), -1 on failure.
qint64 verifySetAndDateFilters(ResultStore &store);
/// The default order is the admin's (expected), whole and page by page.
void verifyDefaultOrder(ResultStore &store, const QStringList &expected);
/// A search finds exactly decodedIds, everything the admin finds, and counts them.
void verifySearch(ResultStore &store, const QString &term, const QStringList &adminIds,
                  const QStringList &decodedIds);
/// Summary rows are the full rows cut to previews; the first row (by id) holds longArgs.
void verifySummaryAndFullRows(ResultStore &store, const QString &longArgs);

} // namespace TestSupport
