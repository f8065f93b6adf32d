#include "aggregates.h"
#include "statusbreakdown.h"
#include "taskresult.h"
#include "taskresultjson.h"
#include "timeparse.h"
#include "valuedecoder.h"

#include <climits>
#include <optional>

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTest>

namespace {

/// What resultJsonText() must parse back to, built independently with QJsonObject.
QJsonValue expectedText(const QString &value)
{
    return value.isNull() ? QJsonValue(QJsonValue::Null) : QJsonValue(value);
}

QJsonValue expectedDate(const QDateTime &value)
{
    return value.isValid() ? QJsonValue(TimeParse::formatTimestamp(value)) : QJsonValue(QJsonValue::Null);
}

QJsonValue expectedValue(const TaskResult &row, Field field)
{
    switch (field) {
    case Field::RowId: return row.rowId >= 0 ? QJsonValue(row.rowId) : QJsonValue(QJsonValue::Null);
    case Field::TaskId: return expectedText(row.taskId);
    case Field::TaskName: return expectedText(row.taskName);
    case Field::PeriodicTaskName: return expectedText(row.periodicTaskName);
    case Field::Status: return expectedText(row.status);
    case Field::Worker: return expectedText(row.worker);
    case Field::Args: return expectedText(row.args);
    case Field::Kwargs: return expectedText(row.kwargs);
    case Field::Result: return expectedText(row.result);
    case Field::Traceback: return expectedText(row.traceback);
    case Field::Meta: return expectedText(row.meta);
    case Field::ContentType: return expectedText(row.contentType);
    case Field::ContentEncoding: return expectedText(row.contentEncoding);
    case Field::DateCreated: return expectedDate(row.dateCreated);
    case Field::DateStarted: return expectedDate(row.dateStarted);
    case Field::DateDone: return expectedDate(row.dateDone);
    case Field::GroupId: return expectedText(row.groupId);
    case Field::ParentId: return expectedText(row.parentId);
    case Field::Queue: return expectedText(row.queue);
    case Field::Retries: return row.retries >= 0 ? QJsonValue(row.retries) : QJsonValue(QJsonValue::Null);
    case Field::Hidden: return QJsonValue(row.hidden);
    case Field::Expires: return expectedDate(row.expires);
    case Field::FieldCount: break;
    }
    return QJsonValue(QJsonValue::Null);
}

QJsonObject expectedObject(const TaskResult &row, const QVector<Field> &fields, bool decoded = false)
{
    QJsonObject object;
    for (Field field : fields)
        object.insert(fieldName(field), expectedValue(row, field));
    if (decoded) {
        const auto arguments = [](const QString &stored) {
            return stored.isNull() ? QString() : ValueDecoder::decodeArguments(stored).text;
        };
        object.insert(QStringLiteral("task_args_decoded"), expectedText(arguments(row.args)));
        object.insert(QStringLiteral("task_kwargs_decoded"), expectedText(arguments(row.kwargs)));
        object.insert(QStringLiteral("result_decoded"),
                      expectedText(row.result.isNull() ? QString()
                                                       : ValueDecoder::decodeResult(row.result, row.contentType,
                                                                                    row.contentEncoding)
                                                             .text));
    }
    if (!row.problems.isEmpty())
        object.insert(QStringLiteral("problems"), QJsonArray::fromStringList(row.problems));
    return object;
}

TaskResult rowWith(const QString &status, int startedMsBeforeDone, int createdMsBeforeDone)
{
    TaskResult row;
    row.status = status;
    row.dateDone = QDateTime(QDate(2025, 2, 1), QTime(10, 0), Qt::UTC);
    if (startedMsBeforeDone != INT_MIN)
        row.dateStarted = row.dateDone.addMSecs(-startedMsBeforeDone);
    if (createdMsBeforeDone != INT_MIN)
        row.dateCreated = row.dateDone.addMSecs(-createdMsBeforeDone);
    return row;
}

} // namespace

Q_DECLARE_METATYPE(std::optional<Runtime>)

/// The domain rules on a task result that the command line, the window and the stores share:
/// its runtime, its JSON, the status breakdown sentence, the failure groups' trend axis. Pure;
/// no database.
class TestTaskResult final : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void shouldHaveARuntimeOnlyWhenTheTaskFinished_data();
    void shouldHaveARuntimeOnlyWhenTheTaskFinished();
    void shouldWriteJsonTextThatParsesBackToTheSameObject();
    void shouldWriteJsonArraysAsListPrintsThem();
    void shouldWriteTheStatusBreakdown_data();
    void shouldWriteTheStatusBreakdown();
    void shouldNameMissingStatusesAsTheFilterPanelDoes();
    void shouldPickOneTrendAxisForTheFailuresSpan_data();
    void shouldPickOneTrendAxisForTheFailuresSpan();
    void shouldCountEachGroupsResultsOnTheTrendAxis();
};

void TestTaskResult::initTestCase()
{
    QLocale::setDefault(QLocale::c());
}

void TestTaskResult::shouldHaveARuntimeOnlyWhenTheTaskFinished_data()
{
    QTest::addColumn<TaskResult>("row");
    QTest::addColumn<std::optional<Runtime>>("runtime");

    constexpr int none = INT_MIN;
    const auto started = [](qint64 ms) { return std::optional<Runtime>(Runtime{ms, Runtime::Basis::Started}); };
    const auto created = [](qint64 ms) { return std::optional<Runtime>(Runtime{ms, Runtime::Basis::Created}); };
    QTest::newRow("success from date_started") << rowWith(QStringLiteral("SUCCESS"), 1230, 5000) << started(1230);
    QTest::newRow("failure from date_started") << rowWith(QStringLiteral("FAILURE"), 7, 5000) << started(7);
    QTest::newRow("no date_started: from date_created") << rowWith(QStringLiteral("SUCCESS"), none, 125000)
                                                        << created(125000);
    QTest::newRow("zero") << rowWith(QStringLiteral("SUCCESS"), 0, 0) << started(0);
    QTest::newRow("STARTED: date_done is the start") << rowWith(QStringLiteral("STARTED"), 40, 900)
                                                     << std::optional<Runtime>();
    QTest::newRow("RETRY: not an end") << rowWith(QStringLiteral("RETRY"), 40, 900) << std::optional<Runtime>();
    QTest::newRow("REVOKED: never ran") << rowWith(QStringLiteral("REVOKED"), none, 900) << std::optional<Runtime>();
    QTest::newRow("PENDING") << rowWith(QStringLiteral("PENDING"), none, 900) << std::optional<Runtime>();
    QTest::newRow("custom state") << rowWith(QStringLiteral("PROGRESS"), 40, 900) << std::optional<Runtime>();
    QTest::newRow("lowercase is not Celery's") << rowWith(QStringLiteral("success"), 40, 900)
                                               << std::optional<Runtime>();
    QTest::newRow("no start at all") << rowWith(QStringLiteral("SUCCESS"), none, none) << std::optional<Runtime>();
    QTest::newRow("start after done") << rowWith(QStringLiteral("SUCCESS"), -5, 900) << std::optional<Runtime>();
    TaskResult noDone = rowWith(QStringLiteral("SUCCESS"), 40, 900);
    noDone.dateDone = QDateTime();
    QTest::newRow("no date_done") << noDone << std::optional<Runtime>();
}

void TestTaskResult::shouldHaveARuntimeOnlyWhenTheTaskFinished()
{
    QFETCH(TaskResult, row);
    QFETCH(std::optional<Runtime>, runtime);

    QCOMPARE(row.runtime().has_value(), runtime.has_value());
    if (runtime) {
        QCOMPARE(row.runtime()->ms, runtime->ms);
        QCOMPARE(row.runtime()->basis, runtime->basis);
    }
}

void TestTaskResult::shouldWriteJsonTextThatParsesBackToTheSameObject()
{
    TaskResult row;
    row.rowId = 4294967296; // beyond 32 bits
    row.taskId = QStringLiteral("id-\"quoted\"-\\-/");
    row.taskName = QString::fromUtf8("t\u00e2che \U0001F680");
    row.status = QStringLiteral("SUCCESS");
    row.args = QStringLiteral("\"('Zo\\u00eb',)\"");
    row.result = QString(QChar(0x01)) + QStringLiteral("\t\b\f\r\n") + QChar(0x1f);
    row.traceback = QStringLiteral(""); // empty, not NULL
    row.dateDone = QDateTime(QDate(2025, 2, 1), QTime(10, 0, 0, 5), Qt::UTC);
    row.problems = {QStringLiteral("date_created: 'x' is not a date")};
    const QVector<Field> fields{Field::RowId, Field::TaskId, Field::TaskName, Field::Status, Field::Worker,
                                Field::Args, Field::Result, Field::Traceback, Field::DateDone, Field::Retries,
                                Field::Hidden};

    for (const bool indented : {false, true}) {
        const QString text = resultJsonText(row, fields, indented);
        QCOMPARE(text.contains(u'\n'), indented); // one line per object for jsonl
        QJsonParseError error;
        const QJsonDocument document = QJsonDocument::fromJson(text.toUtf8(), &error);
        QVERIFY2(document.isObject(), qPrintable(error.errorString() + u' ' + text));
        QCOMPARE(document.object(), expectedObject(row, fields));
        const QJsonObject decoded = QJsonDocument::fromJson(resultJsonText(row, fields, indented, true).toUtf8()).object();
        QCOMPARE(decoded, expectedObject(row, fields, true));
        QCOMPARE(decoded.value(QStringLiteral("task_args_decoded")).toString(), QString::fromUtf8("('Zo\u00eb',)"));
        QVERIFY(decoded.value(QStringLiteral("task_kwargs_decoded")).isNull());
    }
    const QJsonObject object = expectedObject(row, fields);
    QCOMPARE(object.value(QStringLiteral("id")).toInteger(), Q_INT64_C(4294967296));
    QVERIFY(object.value(QStringLiteral("worker")).isNull());
    QCOMPARE(object.value(QStringLiteral("traceback")).toString(), QString());
    QVERIFY(object.value(QStringLiteral("traceback")).isString());
    QCOMPARE(object.value(QStringLiteral("date_done")).toString(), QStringLiteral("2025-02-01T10:00:00.005Z"));
    QVERIFY(object.value(QStringLiteral("retries")).isNull());
    QCOMPARE(object.value(QStringLiteral("hidden")), QJsonValue(false));
    // Keys in the documented order.
    const QString text = resultJsonText(row, fields);
    QVERIFY(text.startsWith(QLatin1String("{\"id\":4294967296,\"task_id\":")));
}


void TestTaskResult::shouldWriteJsonArraysAsListPrintsThem()
{
    const QVector<Field> fields{Field::RowId, Field::Status};
    {
        ResultJsonArray array;
        QCOMPARE(ResultJsonArray::begin() + array.end(), QStringLiteral("[]\n"));
    }
    TaskResult a;
    a.rowId = 1;
    a.status = QStringLiteral("SUCCESS");
    TaskResult b = a;
    b.rowId = 2;
    b.status = QString(); // NULL
    ResultJsonArray array;
    QString text = ResultJsonArray::begin();
    array.append(text, a, fields);
    array.append(text, b, fields);
    text += array.end();
    QCOMPARE(text, QStringLiteral("[\n{\"id\":1,\"status\":\"SUCCESS\"},\n{\"id\":2,\"status\":null}\n]\n"));
    QCOMPARE(QJsonDocument::fromJson(text.toUtf8()).array(),
             (QJsonArray{expectedObject(a, fields), expectedObject(b, fields)}));
}

void TestTaskResult::shouldWriteTheStatusBreakdown_data()
{
    QTest::addColumn<QVariantMap>("counts");
    QTest::addColumn<QString>("text");

    QTest::newRow("empty") << QVariantMap() << QString();
    QTest::newRow("largest first") << QVariantMap{{"FAILURE", 4}, {"REVOKED", 1}, {"SUCCESS", 22}}
                                   << "22 SUCCESS, 4 FAILURE, 1 REVOKED";
    QTest::newRow("ties in status order") << QVariantMap{{"SUCCESS", 2}, {"FAILURE", 2}, {"RETRY", 3}}
                                          << "3 RETRY, 2 FAILURE, 2 SUCCESS";
    QTest::newRow("plain digits") << QVariantMap{{"FAILURE", 344}, {"SUCCESS", 12001}}
                                  << "12001 SUCCESS, 344 FAILURE";
    QTest::newRow("zero left out") << QVariantMap{{"FAILURE", 0}, {"SUCCESS", 3}} << "3 SUCCESS";
}

void TestTaskResult::shouldWriteTheStatusBreakdown()
{
    QFETCH(QVariantMap, counts);
    QFETCH(QString, text);

    QMap<QString, qint64> byStatus;
    for (auto it = counts.cbegin(); it != counts.cend(); ++it)
        byStatus.insert(it.key(), it.value().toLongLong());
    QCOMPARE(statusBreakdown(byStatus), text);
}

void TestTaskResult::shouldNameMissingStatusesAsTheFilterPanelDoes()
{
    QCOMPARE(statusBreakdown({{QString(), 2}, {QStringLiteral("SUCCESS"), 1}}), QStringLiteral("2 (none), 1 SUCCESS"));
    QCOMPARE(statusBreakdown({{QStringLiteral(""), 2}}), QStringLiteral("2 (empty)"));
    // The window groups digits as its locale does; the command line never does.
    QCOMPARE(statusBreakdown({{QStringLiteral("SUCCESS"), 12001}}, QLocale(QLocale::English, QLocale::UnitedStates)),
             QStringLiteral("12,001 SUCCESS"));
    QCOMPARE(statusBreakdown({{QStringLiteral("SUCCESS"), 12001}}), QStringLiteral("12001 SUCCESS"));
}

void TestTaskResult::shouldPickOneTrendAxisForTheFailuresSpan_data()
{
    QTest::addColumn<QString>("first");
    QTest::addColumn<QString>("last");
    QTest::addColumn<QString>("bucket");
    QTest::addColumn<int>("step");
    QTest::addColumn<int>("points");
    QTest::addColumn<QString>("start");

    QTest::newRow("one instant") << "2025-02-01T10:00:30Z" << "2025-02-01T10:00:30Z" << "minute" << 1 << 1
                                 << "2025-02-01T10:00:00Z";
    QTest::newRow("minutes up to 60") << "2025-02-01T10:00:30Z" << "2025-02-01T10:59:59Z" << "minute" << 1 << 60
                                      << "2025-02-01T10:00:00Z";
    QTest::newRow("61 minutes merge by 2") << "2025-02-01T10:00:00Z" << "2025-02-01T11:00:00Z" << "minute" << 2 << 31
                                           << "2025-02-01T10:00:00Z";
    // bucketForSpan() says hours past 2 hours: 3 of them are too few, so minutes, merged.
    QTest::newRow("2 h 1 min: minutes") << "2025-02-01T10:00:00Z" << "2025-02-01T12:01:00Z" << "minute" << 3 << 41
                                        << "2025-02-01T10:00:00Z";
    QTest::newRow("11 hours: minutes") << "2025-02-01T00:00:00Z" << "2025-02-01T10:59:00Z" << "minute" << 11 << 60
                                       << "2025-02-01T00:00:00Z";
    QTest::newRow("12 hours: hours") << "2025-02-01T00:00:00Z" << "2025-02-01T11:00:00Z" << "hour" << 1 << 12
                                     << "2025-02-01T00:00:00Z";
    QTest::newRow("a day: hours") << "2025-02-01T00:10:00Z" << "2025-02-02T00:05:00Z" << "hour" << 1 << 25
                                  << "2025-02-01T00:00:00Z";
    // bucketForSpan() says days past 3 days: 5 are too few, so hours, merged.
    QTest::newRow("4 days: hours by 2") << "2025-02-01T00:00:00Z" << "2025-02-05T00:00:00Z" << "hour" << 2 << 49
                                        << "2025-02-01T00:00:00Z";
    QTest::newRow("12 days: days") << "2025-02-01T23:00:00Z" << "2025-02-12T01:00:00Z" << "day" << 1 << 12
                                   << "2025-02-01T00:00:00Z";
    QTest::newRow("a leap year: days by 7") << "2024-01-01T08:00:00Z" << "2024-12-31T12:00:00Z" << "day" << 7 << 53
                                            << "2024-01-01T00:00:00Z";
}

void TestTaskResult::shouldPickOneTrendAxisForTheFailuresSpan()
{
    QFETCH(QString, first);
    QFETCH(QString, last);
    QFETCH(QString, bucket);
    QFETCH(int, step);
    QFETCH(int, points);
    QFETCH(QString, start);

    const FailureTrend trend = FailureTrend::of(QDateTime::fromString(first, Qt::ISODate),
                                                QDateTime::fromString(last, Qt::ISODate));
    QCOMPARE(timeBucketName(trend.bucket), bucket);
    QCOMPARE(trend.step, step);
    QCOMPARE(trend.points, points);
    QCOMPARE(trend.start, QDateTime::fromString(start, Qt::ISODate));
    QVERIFY(trend.points <= FailureTrend::maxPoints);
    QCOMPARE(trend.pointOf(QDateTime::fromString(first, Qt::ISODate)), 0);
    QCOMPARE(trend.pointOf(QDateTime::fromString(last, Qt::ISODate)), points - 1);
    QCOMPARE(trend.pointOf(trend.pointStart(points)), -1);
    QCOMPARE(FailureTrend::of(QDateTime(), QDateTime::fromString(last, Qt::ISODate)).points, 0);
}

void TestTaskResult::shouldCountEachGroupsResultsOnTheTrendAxis()
{
    const auto at = [](const char *iso) { return QDateTime::fromString(QString::fromLatin1(iso), Qt::ISODate); };
    const ValueDecoder::ExceptionInfo value{QStringLiteral("ValueError"), QStringLiteral("builtins"), QStringLiteral("bad 1")};
    const ValueDecoder::ExceptionInfo key{QStringLiteral("KeyError"), QStringLiteral("builtins"), QStringLiteral("'k'")};
    const QString task = QStringLiteral("proj.tasks.add");
    const QString failure = QStringLiteral("FAILURE");

    // One result at a time (an index's walk): minutes, regrouped by the axis' hours.
    FailureTableBuilder one;
    one.addException(task, failure, {}, value, 1, at("2025-02-01T00:10:00Z"), at("2025-02-01T00:10:00Z"));
    one.addException(task, failure, {}, value, 1, at("2025-02-01T00:50:00Z"), at("2025-02-01T00:50:00Z"));
    one.addException(task, failure, {}, key, 1, at("2025-02-01T13:59:59Z"), at("2025-02-01T13:59:59Z"));
    one.addException(task, failure, {}, key, 1, QDateTime(), QDateTime()); // no date_done: in no point
    const auto trendOf = [](const FailureTable &table, const QString &exception) {
        for (const FailureGroup &group : table.groups) {
            if (group.exception == exception)
                return group.trend;
        }
        return QVector<qint64>{-1};
    };
    const QString valueError = QStringLiteral("ValueError"), keyError = QStringLiteral("KeyError");
    const FailureTable table = one.table();
    QCOMPARE(timeBucketName(table.trend.bucket), QStringLiteral("hour"));
    QCOMPARE(table.trend.points, 14);
    QCOMPARE(table.groups.size(), 2);
    QCOMPARE(trendOf(table, valueError), (QVector<qint64>{2, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0}));
    QCOMPARE(trendOf(table, keyError), (QVector<qint64>{0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1}));

    // Parts a GROUP BY returned, each with its results' minutes: the same trend. A part's
    // results counted by its minutes, not all in its first's; a part whose one result has no
    // date_done lists no minute.
    const auto minute = [&at](const char *iso) { return at(iso).toMSecsSinceEpoch(); };
    FailureTableBuilder grouped;
    const FailureTableBuilder::MinuteCounts values{{minute("2025-02-01T00:10:00Z"), 1},
                                                   {minute("2025-02-01T00:50:00Z"), 1}};
    const FailureTableBuilder::MinuteCounts keys{{minute("2025-02-01T13:59:00Z"), 1}};
    const FailureTableBuilder::MinuteCounts none;
    grouped.addException(task, failure, {}, value, 2, at("2025-02-01T00:10:00Z"), at("2025-02-01T00:50:00Z"), &values);
    grouped.addException(task, failure, {}, key, 1, at("2025-02-01T13:59:59Z"), at("2025-02-01T13:59:59Z"), &keys);
    grouped.addException(task, failure, {}, key, 1, QDateTime(), QDateTime(), &none);
    QCOMPARE(grouped.table().trend, table.trend);
    QCOMPARE(trendOf(grouped.table(), valueError), trendOf(table, valueError));
    QCOMPARE(trendOf(grouped.table(), keyError), trendOf(table, keyError));

    // A part spanning 10 h 40 min counts each result in its own point (11 hours are too few:
    // minutes, 11 a point), not all in the point of its first result.
    FailureTableBuilder spread;
    const FailureTableBuilder::MinuteCounts three{{minute("2025-02-01T00:10:00Z"), 2},
                                                  {minute("2025-02-01T10:50:00Z"), 1}};
    spread.addException(task, failure, {}, value, 3, at("2025-02-01T00:10:05Z"), at("2025-02-01T10:50:30Z"), &three);
    const FailureTable spreadTable = spread.table();
    QCOMPARE(timeBucketName(spreadTable.trend.bucket), QStringLiteral("minute"));
    QCOMPARE(spreadTable.trend.step, 11);
    QCOMPARE(spreadTable.trend.points, 59);
    QVector<qint64> expected(59, 0);
    expected[0] = 2;
    expected[58] = 1;
    QCOMPARE(trendOf(spreadTable, valueError), expected);
    // A minute off the axis (a driver's rounding of a date to the next second can cross a
    // minute) counts at the nearer end.
    FailureTableBuilder rounded;
    const FailureTableBuilder::MinuteCounts past{{minute("2025-02-01T00:09:00Z"), 1},
                                                 {minute("2025-02-01T11:00:00Z"), 1}};
    rounded.addException(task, failure, {}, value, 2, at("2025-02-01T00:10:00Z"), at("2025-02-01T10:50:59Z"), &past);
    expected[0] = 1;
    expected[58] = 1;
    QCOMPARE(trendOf(rounded.table(), valueError), expected);
}

QTEST_APPLESS_MAIN(TestTaskResult)
#include "tst_taskresult.moc"
