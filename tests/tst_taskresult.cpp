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

/// The domain rules on a task result that the command line, the window and the stores share.
/// Pure; no database.
class TestTaskResult final : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void shouldHaveARuntimeOnlyWhenTheTaskFinished_data();
    void shouldHaveARuntimeOnlyWhenTheTaskFinished();
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

QTEST_APPLESS_MAIN(TestTaskResult)
#include "tst_taskresult.moc"
