#include "statusbreakdown.h"
#include "taskresult.h"

#include <climits>
#include <optional>

#include <QTest>

namespace {

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
/// its runtime, the status breakdown sentence. Pure; no database.
class TestTaskResult final : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void shouldHaveARuntimeOnlyWhenTheTaskFinished_data();
    void shouldHaveARuntimeOnlyWhenTheTaskFinished();
    void shouldWriteTheStatusBreakdown_data();
    void shouldWriteTheStatusBreakdown();
    void shouldNameMissingStatusesAsTheFilterPanelDoes();
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

QTEST_APPLESS_MAIN(TestTaskResult)
#include "tst_taskresult.moc"
