#include "deleteselecteddialog.h"
#include "deletionwidgets.h"
#include "filecachestore.h"
#include "purgedialog.h"
#include "statusbreakdown.h"
#include "storechecks.h"
#include "storeurl.h"
#include "taskresultmodel.h"
#include "testsupport.h"

#include <QAbstractItemModelTester>
#include <QCheckBox>
#include <QComboBox>
#include <QCoreApplication>
#include <QDateTimeEdit>
#include <QDir>
#include <QFile>
#include <QJsonArray>
#include <QJsonObject>
#include <QLabel>
#include <QListWidget>
#include <QProgressBar>
#include <QPushButton>
#include <QSet>
#include <QSettings>
#include <QSignalSpy>
#include <QSpinBox>
#include <QSqlQuery>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QTest>

#include <atomic>
#include <memory>

namespace {

/// The window's model, open on a store, with QAbstractItemModelTester watching it.
struct OpenModel
{
    TaskResultModel model;
    QAbstractItemModelTester tester{&model, QAbstractItemModelTester::FailureReportingMode::QtTest};
};

} // namespace

/// The deletion dialogs on the window's model, against copies of the real fixture database;
/// every deletion is checked in the file through a separate connection.
class TestPurgeDialog : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();

    void shouldPreviewAndDeleteExactlyTheExpiredSet_data();
    void shouldPreviewAndDeleteExactlyTheExpiredSet();
    void shouldNarrowByStatusAndLeaveGroupsAlone();
    void shouldNarrowByTaskName();
    void shouldDefaultToOneDayAndRememberThePeriodPerConnection();
    void shouldFixTheCutoffWhenConfirming();
    void shouldDisableConfirmWhenReadOnly();
    void shouldKeepEveryRowNotYetDeletedWhenCancelledMidway();
    void shouldCancelInsteadOfClosingWhileRunning();
    void shouldNotHangWhenDestroyedWhileRunning();
    void deleteSelectedShouldDeleteExactlyTheGivenIds();
    void deleteSelectedShouldRefuseWhenReadOnly();
    void shouldWriteHumanSummaries();
    void shouldPreviewAndDeleteWithTheModelsStoreAlone();
    void shouldShowAPreviewErrorAsASentence();
    void shouldOfferResultsPastTheirDjangoCacheExpiry();

    void screenshots();

private:
    QString copyFixture(const QString &name);
    StoreFactory factoryFor(const QString &path, bool readOnly = false);
    /// The model open on factory's store (null when it did not open).
    std::unique_ptr<OpenModel> openModel(const StoreFactory &factory);
    QSet<QString> taskIds(const QString &path);
    QSet<QString> groupIds(const QString &path);
    QMap<QString, qint64> statusCounts(const QString &path, const QStringList &taskIds);
    void makeBig(const QString &path, int rows);
    static void setExplicitCutoff(PurgeDialog &dialog, const QDateTime &utc);
    static bool waitForPreview(PurgeDialog &dialog, QSignalSpy &spy);

    QTemporaryDir m_dir;
    QJsonObject m_expectations;
    int m_copies = 0;
};

void TestPurgeDialog::initTestCase()
{
    QLocale::setDefault(QLocale::c());
    QStandardPaths::setTestModeEnabled(true);
    QCoreApplication::setOrganizationName(QStringLiteral("stalk-tests"));
    QCoreApplication::setApplicationName(QStringLiteral("tst_purgedialog"));
    QSettings().clear();
    STALK_REQUIRE_FIXTURES();
    m_expectations = TestSupport::expectations();
    QVERIFY(!m_expectations.value(QStringLiteral("expired")).toArray().isEmpty());
    QVERIFY(m_dir.isValid());
}

QString TestPurgeDialog::copyFixture(const QString &name)
{
    return TestSupport::copyFixture(name, m_dir.filePath(QStringLiteral("%1-%2").arg(++m_copies).arg(name)));
}

StoreFactory TestPurgeDialog::factoryFor(const QString &path, bool readOnly)
{
    StoreOptions options;
    options.readOnly = readOnly;
    Outcome<StoreFactory> factory = makeStoreFactory(path, options);
    return factory ? *factory : StoreFactory();
}

std::unique_ptr<OpenModel> TestPurgeDialog::openModel(const StoreFactory &factory)
{
    auto opened = std::make_unique<OpenModel>();
    QSignalSpy ready(&opened->model, &TaskResultModel::opened);
    QSignalSpy failed(&opened->model, &TaskResultModel::failed);
    opened->model.setStoreFactory(factory);
    for (int i = 0; i < 200 && ready.isEmpty() && failed.isEmpty(); ++i)
        ready.wait(100);
    if (ready.isEmpty())
        return nullptr;
    return opened;
}

/// A separate connection to the file, independent of the store under test.
using Peek = TestSupport::SqliteConnection;

QSet<QString> TestPurgeDialog::taskIds(const QString &path)
{
    QSet<QString> ids;
    Peek peek(path);
    QSqlQuery q = peek.query(QStringLiteral("SELECT task_id FROM django_celery_results_taskresult"));
    while (q.next())
        ids.insert(q.value(0).toString());
    return ids;
}

QSet<QString> TestPurgeDialog::groupIds(const QString &path)
{
    QSet<QString> ids;
    Peek peek(path);
    QSqlQuery q = peek.query(QStringLiteral("SELECT group_id FROM django_celery_results_groupresult"));
    while (q.next())
        ids.insert(q.value(0).toString());
    return ids;
}

QMap<QString, qint64> TestPurgeDialog::statusCounts(const QString &path, const QStringList &ids)
{
    QMap<QString, qint64> counts;
    Peek peek(path);
    for (const QString &id : ids) {
        QSqlQuery q = peek.query(QStringLiteral("SELECT status FROM django_celery_results_taskresult WHERE task_id = ?"), {id});
        if (q.next())
            ++counts[q.value(0).toString()];
    }
    return counts;
}

void TestPurgeDialog::makeBig(const QString &path, int rows)
{
    Peek peek(path);
    peek.query(QStringLiteral(
                   "INSERT INTO django_celery_results_taskresult (task_id, status, content_type, content_encoding,"
                   " result, date_done, meta, task_args, task_kwargs, task_name, worker, date_created)"
                   " WITH RECURSIVE n(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM n LIMIT ?)"
                   " SELECT 'generated-' || x, CASE WHEN x % 10 = 0 THEN 'FAILURE' ELSE 'SUCCESS' END,"
                   " 'application/json', 'utf-8', '1', '2025-01-10 00:00:00', '{\"children\": []}', '\"()\"',"
                   " '\"{}\"', 'proj.tasks.generated', 'gamma@stalk-fixtures', '2025-01-10 00:00:00' FROM n"),
               {rows});
}

void TestPurgeDialog::setExplicitCutoff(PurgeDialog &dialog, const QDateTime &utc)
{
    dialog.findChild<QComboBox *>(QStringLiteral("cutoffModeCombo"))->setCurrentIndex(1);
    dialog.findChild<QDateTimeEdit *>(QStringLiteral("cutoffEdit"))->setDateTime(utc.toLocalTime());
}

bool TestPurgeDialog::waitForPreview(PurgeDialog &dialog, QSignalSpy &spy)
{
    // The preview for the current inputs is the one that enables the confirm button; an
    // earlier answer (for the initial inputs) may arrive first.
    auto *confirm = dialog.findChild<QPushButton *>(QStringLiteral("confirmButton"));
    auto *label = dialog.findChild<QLabel *>(QStringLiteral("previewLabel"));
    QElapsedTimer timer;
    timer.start();
    while (timer.elapsed() < 20000) {
        if (!label->text().startsWith(QStringLiteral("Counting")) && spy.count() > 0)
            return true;
        spy.wait(200);
    }
    Q_UNUSED(confirm);
    return false;
}

void TestPurgeDialog::shouldPreviewAndDeleteExactlyTheExpiredSet_data()
{
    QTest::addColumn<QDateTime>("cutoff");
    QTest::addColumn<QStringList>("expiredTasks");
    QTest::addColumn<QStringList>("expiredGroups");
    for (const QJsonValue &v : m_expectations.value(QStringLiteral("expired")).toArray()) {
        const QJsonObject o = v.toObject();
        const QString text = o.value(QStringLiteral("cutoff")).toString();
        // The dialog's date field has whole seconds; sub-second cutoffs are the store's tests.
        if (text.contains(QLatin1Char('.')))
            continue;
        QDateTime cutoff = QDateTime::fromString(text, Qt::ISODate);
        QStringList tasks;
        for (const QJsonValue &t : o.value(QStringLiteral("task_ids")).toArray())
            tasks << t.toString();
        QStringList groups;
        for (const QJsonValue &g : o.value(QStringLiteral("group_ids")).toArray())
            groups << g.toString();
        QTest::newRow(qPrintable(text)) << cutoff.toUTC() << tasks << groups;
    }
}

void TestPurgeDialog::shouldPreviewAndDeleteExactlyTheExpiredSet()
{
    QFETCH(QDateTime, cutoff);
    QFETCH(QStringList, expiredTasks);
    QFETCH(QStringList, expiredGroups);
    const QString path = copyFixture(QStringLiteral("django.sqlite3"));
    QVERIFY(!path.isEmpty());
    const QSet<QString> before = taskIds(path);
    const QSet<QString> groupsBefore = groupIds(path);
    const QMap<QString, qint64> byStatus = statusCounts(path, expiredTasks);

    const auto opened = openModel(factoryFor(path));
    QVERIFY(opened);
    PurgeDialog dialog(&opened->model, QStringLiteral("test/expired"));
    QSignalSpy preview(&dialog, &PurgeDialog::previewUpdated);
    dialog.show();
    setExplicitCutoff(dialog, cutoff);
    QVERIFY(waitForPreview(dialog, preview));
    QCOMPARE(dialog.previewTotal(), qint64(expiredTasks.size()));

    const QString label = dialog.findChild<QLabel *>(QStringLiteral("previewLabel"))->text();
    auto *confirm = dialog.findChild<QPushButton *>(QStringLiteral("confirmButton"));
    if (expiredTasks.isEmpty()) {
        QVERIFY2(label.contains(QStringLiteral("nothing to delete")), qPrintable(label));
        QVERIFY(!confirm->isEnabled());
        return;
    }
    QVERIFY2(label.contains(QStringLiteral("%1 results</b> would be deleted").arg(expiredTasks.size())), qPrintable(label));
    for (auto it = byStatus.cbegin(); it != byStatus.cend(); ++it)
        QVERIFY2(label.contains(QStringLiteral("%1 %2").arg(it.value()).arg(it.key())), qPrintable(label));
    if (!expiredGroups.isEmpty())
        QVERIFY2(label.contains(QStringLiteral("(and %1 expired group").arg(expiredGroups.size())), qPrintable(label));
    QCOMPARE(confirm->text(), QStringLiteral("Delete %1 results").arg(expiredTasks.size()));
    QVERIFY(confirm->isEnabled());

    QSignalSpy finished(&dialog, &PurgeDialog::purgeFinished);
    QTest::mouseClick(confirm, Qt::LeftButton);
    QCOMPARE(dialog.confirmedCriteria().cutoff, cutoff);
    QVERIFY(finished.wait(20000));
    const PurgeSummary summary = finished.first().first().value<PurgeSummary>();
    QVERIFY2(!summary.error, qPrintable(summary.error.message));
    QVERIFY(!summary.cancelled);
    QCOMPARE(summary.tasksDeleted, qint64(expiredTasks.size()));
    QCOMPARE(summary.groupsDeleted, qint64(expiredGroups.size()));

    QSet<QString> expectedLeft = before;
    for (const QString &id : expiredTasks)
        expectedLeft.remove(id);
    QCOMPARE(taskIds(path), expectedLeft);
    QSet<QString> groupsLeft = groupsBefore;
    for (const QString &id : expiredGroups)
        groupsLeft.remove(id);
    QCOMPARE(groupIds(path), groupsLeft);

    const QString summaryText = dialog.findChild<QLabel *>(QStringLiteral("summaryLabel"))->text();
    QVERIFY2(summaryText.startsWith(QStringLiteral("Deleted %1 results").arg(expiredTasks.size())), qPrintable(summaryText));
    QVERIFY(dialog.findChild<QLabel *>(QStringLiteral("summaryLabel"))->isVisible());
    QCOMPARE(dialog.findChild<QPushButton *>(QStringLiteral("cancelButton"))->text(), QStringLiteral("Close"));
}

void TestPurgeDialog::shouldNarrowByStatusAndLeaveGroupsAlone()
{
    const QString path = copyFixture(QStringLiteral("django.sqlite3"));
    const QSet<QString> groupsBefore = groupIds(path);
    const auto opened = openModel(factoryFor(path));
    QVERIFY(opened);
    PurgeDialog dialog(&opened->model, QStringLiteral("test/narrow"));
    QSignalSpy preview(&dialog, &PurgeDialog::previewUpdated);
    dialog.show();
    auto *statuses = dialog.findChild<QListWidget *>(QStringLiteral("statusFilter"));
    QTRY_VERIFY(statuses->count() >= 5); // offered from the store's facets
    QListWidgetItem *failure = nullptr;
    for (int i = 0; i < statuses->count(); ++i)
        if (statuses->item(i)->data(Qt::UserRole).toString() == QLatin1String("FAILURE"))
            failure = statuses->item(i);
    QVERIFY(failure);
    setExplicitCutoff(dialog, QDateTime(QDate(2025, 3, 2), QTime(0, 0), Qt::UTC));
    failure->setCheckState(Qt::Checked);
    preview.clear();
    QVERIFY(waitForPreview(dialog, preview));
    const int failures = int(m_expectations.value(QStringLiteral("counts")).toObject().value(QStringLiteral("status")).toObject().value(QStringLiteral("FAILURE")).toInt());
    QCOMPARE(dialog.previewTotal(), qint64(failures));
    const QString label = dialog.findChild<QLabel *>(QStringLiteral("previewLabel"))->text();
    QVERIFY2(!label.contains(QStringLiteral("group")), qPrintable(label));

    QSignalSpy finished(&dialog, &PurgeDialog::purgeFinished);
    QTest::mouseClick(dialog.findChild<QPushButton *>(QStringLiteral("confirmButton")), Qt::LeftButton);
    QVERIFY(finished.wait(20000));
    Peek peek(path);
    QSqlQuery q = peek.query(QStringLiteral("SELECT count(*), sum(status = 'FAILURE') FROM django_celery_results_taskresult"));
    QVERIFY(q.next());
    const int total = m_expectations.value(QStringLiteral("counts")).toObject().value(QStringLiteral("total")).toInt();
    QCOMPARE(q.value(0).toInt(), total - failures);
    QCOMPARE(q.value(1).toInt(), 0);
    QCOMPARE(groupIds(path), groupsBefore);
}

void TestPurgeDialog::shouldNarrowByTaskName()
{
    const QString path = copyFixture(QStringLiteral("django.sqlite3"));
    const auto opened = openModel(factoryFor(path));
    QVERIFY(opened);
    PurgeDialog dialog(&opened->model, QStringLiteral("test/narrow"));
    QSignalSpy preview(&dialog, &PurgeDialog::previewUpdated);
    dialog.show();
    auto *taskName = dialog.findChild<QComboBox *>(QStringLiteral("taskNameFilter"));
    QTRY_VERIFY(taskName->count() >= 5);
    QVERIFY(taskName->findText(QStringLiteral("proj.tasks.echo")) >= 0);
    setExplicitCutoff(dialog, QDateTime(QDate(2025, 3, 2), QTime(0, 0), Qt::UTC));
    taskName->setEditText(QStringLiteral("proj.tasks.echo"));
    preview.clear();
    QVERIFY(waitForPreview(dialog, preview));
    const int echo = m_expectations.value(QStringLiteral("counts")).toObject().value(QStringLiteral("task_name")).toObject().value(QStringLiteral("proj.tasks.echo")).toInt();
    QVERIFY(echo > 0);
    QCOMPARE(dialog.previewTotal(), qint64(echo));
    QCOMPARE(dialog.currentCriteria().taskNames, QStringList{QStringLiteral("proj.tasks.echo")});
}

void TestPurgeDialog::shouldDefaultToOneDayAndRememberThePeriodPerConnection()
{
    const QString path = copyFixture(QStringLiteral("django.sqlite3"));
    const auto opened = openModel(factoryFor(path));
    QVERIFY(opened);
    {
        PurgeDialog dialog(&opened->model, QStringLiteral("connections/one"));
        QCOMPARE(dialog.findChild<QComboBox *>(QStringLiteral("cutoffModeCombo"))->currentIndex(), 0);
        QCOMPARE(dialog.findChild<QSpinBox *>(QStringLiteral("expiresSpin"))->value(), 1);
        QCOMPARE(dialog.findChild<QComboBox *>(QStringLiteral("expiresUnitCombo"))->currentData().toLongLong(), qint64(86400));
        dialog.findChild<QSpinBox *>(QStringLiteral("expiresSpin"))->setValue(3);
        auto *unit = dialog.findChild<QComboBox *>(QStringLiteral("expiresUnitCombo"));
        unit->setCurrentIndex(unit->findData(qint64(3600)));
        QSignalSpy preview(&dialog, &PurgeDialog::previewUpdated);
        dialog.show();
        QVERIFY(waitForPreview(dialog, preview));
        QSignalSpy finished(&dialog, &PurgeDialog::purgeFinished);
        QTest::mouseClick(dialog.findChild<QPushButton *>(QStringLiteral("confirmButton")), Qt::LeftButton);
        QVERIFY(finished.wait(20000));
    }
    {
        PurgeDialog again(&opened->model, QStringLiteral("connections/one"));
        QCOMPARE(again.findChild<QSpinBox *>(QStringLiteral("expiresSpin"))->value(), 3);
        QCOMPARE(again.findChild<QComboBox *>(QStringLiteral("expiresUnitCombo"))->currentData().toLongLong(), qint64(3600));
    }
    {
        PurgeDialog other(&opened->model, QStringLiteral("connections/two"));
        QCOMPARE(other.findChild<QSpinBox *>(QStringLiteral("expiresSpin"))->value(), 1);
        QCOMPARE(other.findChild<QComboBox *>(QStringLiteral("expiresUnitCombo"))->currentData().toLongLong(), qint64(86400));
    }
}

void TestPurgeDialog::shouldFixTheCutoffWhenConfirming()
{
    const QString path = copyFixture(QStringLiteral("django.sqlite3"));
    const auto opened = openModel(factoryFor(path));
    QVERIFY(opened);
    PurgeDialog dialog(&opened->model, QStringLiteral("test/fixed"));
    QSignalSpy preview(&dialog, &PurgeDialog::previewUpdated);
    dialog.show();
    QVERIFY(waitForPreview(dialog, preview));
    // Every fixture row is older than a day.
    QCOMPARE(dialog.previewTotal(), qint64(m_expectations.value(QStringLiteral("counts")).toObject().value(QStringLiteral("total")).toInt()));
    QSignalSpy finished(&dialog, &PurgeDialog::purgeFinished);
    const QDateTime before = QDateTime::currentDateTimeUtc().addDays(-1);
    QTest::mouseClick(dialog.findChild<QPushButton *>(QStringLiteral("confirmButton")), Qt::LeftButton);
    const QDateTime after = QDateTime::currentDateTimeUtc().addDays(-1);
    const QDateTime cutoff = dialog.confirmedCriteria().cutoff;
    QVERIFY(cutoff >= before && cutoff <= after);
    QVERIFY(finished.wait(20000));
    QVERIFY(taskIds(path).isEmpty());
}

void TestPurgeDialog::shouldDisableConfirmWhenReadOnly()
{
    const QString path = copyFixture(QStringLiteral("django.sqlite3"));
    const auto opened = openModel(factoryFor(path, true));
    QVERIFY(opened);
    QVERIFY(opened->model.storeInfo().readOnly);
    PurgeDialog dialog(&opened->model, QStringLiteral("test/ro"));
    QSignalSpy preview(&dialog, &PurgeDialog::previewUpdated);
    dialog.show();
    QVERIFY(waitForPreview(dialog, preview));
    QVERIFY(dialog.previewTotal() > 0); // the preview still says what would go
    auto *confirm = dialog.findChild<QPushButton *>(QStringLiteral("confirmButton"));
    QVERIFY(!confirm->isEnabled());
    QVERIFY(dialog.findChild<QLabel *>(QStringLiteral("readOnlyLabel"))->isVisible());
    QTest::mouseClick(confirm, Qt::LeftButton);
    QVERIFY(!dialog.isRunning());
    QCOMPARE(taskIds(path).size(), m_expectations.value(QStringLiteral("counts")).toObject().value(QStringLiteral("total")).toInt());
}

void TestPurgeDialog::shouldKeepEveryRowNotYetDeletedWhenCancelledMidway()
{
    const QString path = copyFixture(QStringLiteral("django.sqlite3"));
    const int generated = 120000;
    makeBig(path, generated);
    const qint64 total = taskIds(path).size();
    QCOMPARE(total, qint64(generated + 50));

    const auto opened = openModel(factoryFor(path));
    QVERIFY(opened);
    PurgeDialog dialog(&opened->model, QStringLiteral("test/cancel"));
    QSignalSpy preview(&dialog, &PurgeDialog::previewUpdated);
    dialog.show();
    setExplicitCutoff(dialog, QDateTime(QDate(2025, 3, 2), QTime(0, 0), Qt::UTC));
    QVERIFY(waitForPreview(dialog, preview));
    QCOMPARE(dialog.previewTotal(), total);

    QSignalSpy finished(&dialog, &PurgeDialog::purgeFinished);
    QTest::mouseClick(dialog.findChild<QPushButton *>(QStringLiteral("confirmButton")), Qt::LeftButton);
    QVERIFY(dialog.isRunning());
    auto *cancel = dialog.findChild<QPushButton *>(QStringLiteral("cancelButton"));
    auto *progress = dialog.findChild<QProgressBar *>(QStringLiteral("progressBar"));
    QVERIFY(progress->isVisible());
    // Cancel as soon as the first batch is reported: the rest must survive.
    auto *job = dialog.findChild<PurgeJob *>();
    QVERIFY(job);
    bool clicked = false;
    connect(job, &PurgeJob::progress, cancel, [&](qint64 done, qint64) {
        if (!clicked && done > 0) {
            clicked = true;
            QTest::mouseClick(cancel, Qt::LeftButton);
        }
    });
    QVERIFY(finished.wait(60000));
    QVERIFY(clicked);
    const PurgeSummary summary = finished.first().first().value<PurgeSummary>();
    QVERIFY(summary.cancelled);
    QVERIFY2(!summary.error, qPrintable(summary.error.message));
    QVERIFY(summary.tasksDeleted > 0);
    QVERIFY(summary.tasksDeleted < total);
    QCOMPARE(qint64(taskIds(path).size()), total - summary.tasksDeleted);
    const QString text = dialog.findChild<QLabel *>(QStringLiteral("summaryLabel"))->text();
    QCOMPARE(text, QStringLiteral("Cancelled after deleting %1 of %2 results.").arg(summary.tasksDeleted).arg(total));
    QVERIFY(!dialog.isRunning());
    QVERIFY(dialog.isVisible());
}

void TestPurgeDialog::shouldCancelInsteadOfClosingWhileRunning()
{
    const QString path = copyFixture(QStringLiteral("django.sqlite3"));
    makeBig(path, 60000);
    const auto opened = openModel(factoryFor(path));
    QVERIFY(opened);
    PurgeDialog dialog(&opened->model, QStringLiteral("test/close"));
    QSignalSpy preview(&dialog, &PurgeDialog::previewUpdated);
    dialog.show();
    setExplicitCutoff(dialog, QDateTime(QDate(2025, 3, 2), QTime(0, 0), Qt::UTC));
    QVERIFY(waitForPreview(dialog, preview));
    const qint64 total = dialog.previewTotal();
    QSignalSpy finished(&dialog, &PurgeDialog::purgeFinished);
    QTest::mouseClick(dialog.findChild<QPushButton *>(QStringLiteral("confirmButton")), Qt::LeftButton);
    QVERIFY(dialog.isRunning());
    QTest::keyClick(&dialog, Qt::Key_Escape); // like closing the window
    QVERIFY(dialog.isVisible());
    QVERIFY(finished.wait(60000));
    const PurgeSummary summary = finished.first().first().value<PurgeSummary>();
    QVERIFY(summary.cancelled || summary.tasksDeleted == total); // may have been on the last batch
    QCOMPARE(qint64(taskIds(path).size()), total - summary.tasksDeleted);
    QVERIFY(dialog.isVisible()); // the summary stays readable
}

void TestPurgeDialog::shouldNotHangWhenDestroyedWhileRunning()
{
    const QString path = copyFixture(QStringLiteral("django.sqlite3"));
    makeBig(path, 60000);
    const qint64 total = taskIds(path).size();
    const auto opened = openModel(factoryFor(path));
    QVERIFY(opened);
    auto *dialog = new PurgeDialog(&opened->model, QStringLiteral("test/destroy"));
    QSignalSpy preview(dialog, &PurgeDialog::previewUpdated);
    dialog->show();
    setExplicitCutoff(*dialog, QDateTime(QDate(2025, 3, 2), QTime(0, 0), Qt::UTC));
    QVERIFY(waitForPreview(*dialog, preview));
    QTest::mouseClick(dialog->findChild<QPushButton *>(QStringLiteral("confirmButton")), Qt::LeftButton);
    QVERIFY(dialog->isRunning());
    delete dialog; // cancels and waits for the batch in flight
    const qint64 left = taskIds(path).size();
    QVERIFY(left < total || left == total); // whatever was deleted is whole batches
    QVERIFY(left >= 0);
    // The file is consistent and writable again: nothing holds a lock.
    Peek peek(path);
    QSqlQuery q = peek.query(QStringLiteral("DELETE FROM django_celery_results_taskresult WHERE task_id = 'generated-1'"));
    QVERIFY(q.isActive());
}

void TestPurgeDialog::deleteSelectedShouldDeleteExactlyTheGivenIds()
{
    const QString path = copyFixture(QStringLiteral("django.sqlite3"));
    const QSet<QString> before = taskIds(path);
    QVector<qint64> rowIds;
    QStringList chosen;
    {
        Peek peek(path);
        QSqlQuery q = peek.query(QStringLiteral("SELECT id, task_id FROM django_celery_results_taskresult"
                                                " WHERE status IN ('FAILURE', 'REVOKED') ORDER BY id LIMIT 3"));
        while (q.next()) {
            rowIds << q.value(0).toLongLong();
            chosen << q.value(1).toString();
        }
    }
    QCOMPARE(rowIds.size(), 3);
    const QMap<QString, qint64> byStatus = statusCounts(path, chosen);
    const auto opened = openModel(factoryFor(path));
    QVERIFY(opened);
    DeleteSelectedDialog dialog(&opened->model, rowIds, byStatus);
    dialog.show();
    const QString question = dialog.findChild<QLabel *>(QStringLiteral("questionLabel"))->text();
    QVERIFY2(question.startsWith(QStringLiteral("Delete 3 selected results? (")), qPrintable(question));
    for (auto it = byStatus.cbegin(); it != byStatus.cend(); ++it)
        QVERIFY(question.contains(QStringLiteral("%1 %2").arg(it.value()).arg(it.key())));
    auto *confirm = dialog.findChild<QPushButton *>(QStringLiteral("confirmButton"));
    QCOMPARE(confirm->text(), QStringLiteral("Delete 3 results"));
    QSignalSpy finished(&dialog, &DeleteSelectedDialog::deleteFinished);
    QTest::mouseClick(confirm, Qt::LeftButton);
    QVERIFY(finished.wait(20000));
    const PurgeSummary summary = finished.first().first().value<PurgeSummary>();
    QCOMPARE(summary.tasksDeleted, qint64(3));
    QSet<QString> expected = before;
    for (const QString &id : chosen)
        expected.remove(id);
    QCOMPARE(taskIds(path), expected);
    QVERIFY(dialog.findChild<QLabel *>(QStringLiteral("summaryLabel"))->text().startsWith(QStringLiteral("Deleted 3 results")));
}

void TestPurgeDialog::deleteSelectedShouldRefuseWhenReadOnly()
{
    const QString path = copyFixture(QStringLiteral("django.sqlite3"));
    const auto opened = openModel(factoryFor(path, true));
    QVERIFY(opened);
    DeleteSelectedDialog dialog(&opened->model, {1, 2}, {{QStringLiteral("SUCCESS"), 2}});
    dialog.setReadOnly(true);
    dialog.show();
    auto *confirm = dialog.findChild<QPushButton *>(QStringLiteral("confirmButton"));
    QVERIFY(!confirm->isEnabled());
    QTest::mouseClick(confirm, Qt::LeftButton);
    QVERIFY(!dialog.isRunning());
    QCOMPARE(taskIds(path).size(), 50);
}

void TestPurgeDialog::shouldWriteHumanSummaries()
{
    PurgeSummary s;
    s.expected = 12345;
    s.tasksDeleted = 12345;
    s.groupsDeleted = 12;
    s.elapsedMs = 3210;
    QCOMPARE(purgeSummaryText(s), QStringLiteral("Deleted 12345 results and 12 groups in 3.2 s."));
    s.cancelled = true;
    s.tasksDeleted = 4000;
    s.groupsDeleted = 0;
    QCOMPARE(purgeSummaryText(s), QStringLiteral("Cancelled after deleting 4000 of 12345 results."));
    s.cancelled = false;
    s.error = StoreError(StoreError::Code::Locked, QStringLiteral("database is locked: x.sqlite3"));
    QCOMPARE(purgeSummaryText(s), QStringLiteral("database is locked: x.sqlite3. 4000 of 12345 results had been deleted before the error; the rest are untouched."));
    s.tasksDeleted = 0;
    QCOMPARE(purgeSummaryText(s), QStringLiteral("database is locked: x.sqlite3. Nothing was deleted."));
    QCOMPARE(statusBreakdown({{QStringLiteral("FAILURE"), 344}, {QStringLiteral("SUCCESS"), 12001}}, QLocale()),
             QStringLiteral("12001 SUCCESS, 344 FAILURE"));
}

void TestPurgeDialog::shouldPreviewAndDeleteWithTheModelsStoreAlone()
{
    // On CouchDB every store reads the whole database into its index: the dialog must open
    // none of its own. A factory that counts the stores made sees the model's one only.
    const QString path = copyFixture(QStringLiteral("django.sqlite3"));
    const int generated = 120000;
    makeBig(path, generated);
    const StoreFactory real = factoryFor(path);
    auto made = std::make_shared<std::atomic_int>(0);
    const StoreFactory counting = [real, made] {
        made->fetch_add(1);
        return real();
    };
    const auto opened = openModel(counting);
    QVERIFY(opened);
    TaskResultModel &model = opened->model;
    QTRY_COMPARE(model.rowCount(), generated + 50);
    QCOMPARE(made->load(), 1);

    PurgeDialog dialog(&model, QStringLiteral("test/one-store"));
    QSignalSpy preview(&dialog, &PurgeDialog::previewUpdated);
    dialog.show();
    setExplicitCutoff(dialog, QDateTime(QDate(2025, 3, 2), QTime(0, 0), Qt::UTC));
    QVERIFY(waitForPreview(dialog, preview));
    QCOMPARE(dialog.previewTotal(), qint64(generated + 50));
    QTRY_VERIFY(dialog.findChild<QListWidget *>(QStringLiteral("statusFilter"))->count() >= 5);
    QCOMPARE(made->load(), 1);

    // The purge runs on the model's worker, batch by batch: a page the window asks for
    // meanwhile is read between two batches, not after the last one.
    QSignalSpy finished(&dialog, &PurgeDialog::purgeFinished);
    QTest::mouseClick(dialog.findChild<QPushButton *>(QStringLiteral("confirmButton")), Qt::LeftButton);
    QVERIFY(dialog.isRunning());
    const QModelIndex far = model.index(100'000, TaskResultModel::TaskIdColumn);
    bool readWhileRunning = false;
    connect(&model, &QAbstractItemModel::dataChanged, &dialog, [&] {
        if (far.data(TaskResultModel::LoadedRole).toBool() && dialog.isRunning())
            readWhileRunning = true;
    });
    model.data(far); // asks for its page
    QVERIFY(finished.wait(60000));
    const PurgeSummary summary = finished.first().first().value<PurgeSummary>();
    QVERIFY2(!summary.error, qPrintable(summary.error.message));
    QCOMPARE(summary.tasksDeleted, qint64(generated + 50));
    QVERIFY(summary.batches > 1);
    QVERIFY(readWhileRunning);
    QVERIFY(taskIds(path).isEmpty());
    QCOMPARE(made->load(), 1);
}

void TestPurgeDialog::shouldShowAPreviewErrorAsASentence()
{
    // The preview's reply carries the store's error: its sentence is what the dialog shows.
    const QString path = copyFixture(QStringLiteral("django.sqlite3"));
    const auto opened = openModel(factoryFor(path));
    QVERIFY(opened);
    opened->model.close(); // the store went away under the dialog
    PurgeDialog dialog(&opened->model, QStringLiteral("test/error"));
    QSignalSpy preview(&dialog, &PurgeDialog::previewUpdated);
    dialog.show();
    QVERIFY(preview.wait(20000));
    QCOMPARE(preview.last().at(0).toLongLong(), qint64(-1));
    const QString label = dialog.findChild<QLabel *>(QStringLiteral("previewLabel"))->text();
    QCOMPARE(label, QStringLiteral("Could not count the expired results: No database is open"));
    QVERIFY(!dialog.findChild<QPushButton *>(QStringLiteral("confirmButton"))->isEnabled());
}

void TestPurgeDialog::shouldOfferResultsPastTheirDjangoCacheExpiry()
{
    // Upstream's rule alone by default: no checkbox where nothing has a cache expiry.
    {
        const auto opened = openModel(factoryFor(copyFixture(QStringLiteral("django.sqlite3"))));
        QVERIFY(opened);
        PurgeDialog dialog(&opened->model, QStringLiteral("test/cache-none"));
        QVERIFY(!dialog.findChild<QCheckBox *>(QStringLiteral("cacheExpiredCheck")));
        QVERIFY(!dialog.currentCriteria().cacheExpired);
    }
    // A FileBasedCache written by real workers, three entries aged by Django's own touch().
    STALK_SERVER_URL(source, "STALK_FILECACHE_DIR", "tools/servers/with_filecache.sh");
    const QString dir = m_dir.filePath(QStringLiteral("filecache-%1").arg(++m_copies));
    QVERIFY(QDir().mkpath(dir));
    for (const QString &name : QDir(source).entryList(QDir::Files))
        QVERIFY(QFile::copy(QDir(source).filePath(name), dir + u'/' + name));
    QStringList ids;
    for (const QJsonValue &v : TestSupport::jsonObjectOfFileIn("STALK_FILECACHE_EXPECTATIONS")
                                   .value(QLatin1String("filecache")).toObject().value(QLatin1String("celery")).toArray())
        ids.append(v.toObject().value(QLatin1String("task_id")).toString());
    ids = TestSupport::sorted(ids);
    QVERIFY(ids.size() > 5);
    const TestSupport::DjangoCacheTarget cache{QStringLiteral(STALK_CACHEEXPIRY_EXPECTED), QStringLiteral(STALK_REDIS_TASKS_DIR),
                                               QStringLiteral("file"), dir, QString()};
    const QStringList aged = ids.mid(0, 3);
    QCOMPARE(TestSupport::runDjangoCacheHelper(cache, QStringLiteral("age"), QStringList{QStringLiteral("-3600")} + aged)
                 .toObject().size(), 3);
    QCOMPARE(TestSupport::sorted(TestSupport::stringsOf(TestSupport::runDjangoCacheHelper(cache, QStringLiteral("missing"), ids).toArray())),
             aged);
    auto stored = [&dir](const QString &id) {
        return QFile::exists(dir + u'/' + DjangoCacheFile::fileNameOf(QStringLiteral(":1:celery-task-meta-") + id));
    };

    const auto opened = openModel(factoryFor(QStringLiteral("file://") + dir));
    QVERIFY(opened);
    PurgeDialog dialog(&opened->model, QStringLiteral("test/cache-expiry"));
    QSignalSpy preview(&dialog, &PurgeDialog::previewUpdated);
    dialog.show();
    auto *check = dialog.findChild<QCheckBox *>(QStringLiteral("cacheExpiredCheck"));
    QVERIFY(check);
    QVERIFY(check->isVisible());
    QVERIFY(!check->isChecked()); // the default is upstream's rule exactly
    // A cutoff before every date done: by upstream's rule nothing; the three are counted, not included.
    setExplicitCutoff(dialog, QDateTime(QDate(2000, 1, 1), QTime(0, 0), Qt::UTC));
    preview.clear();
    QVERIFY(waitForPreview(dialog, preview));
    QCOMPARE(dialog.previewTotal(), qint64(0));
    auto *label = dialog.findChild<QLabel *>(QStringLiteral("previewLabel"));
    QVERIFY2(label->text().contains(QStringLiteral("3 result")) && label->text().contains(QStringLiteral("not included")),
             qPrintable(label->text()));
    QVERIFY2(check->text().contains(QStringLiteral("3 result")), qPrintable(check->text()));
    auto *confirm = dialog.findChild<QPushButton *>(QStringLiteral("confirmButton"));
    QVERIFY(!confirm->isEnabled());

    // Ticked: they are the preview, and the purge deletes that set, each re-checked when deleted.
    preview.clear();
    check->setChecked(true);
    QVERIFY(waitForPreview(dialog, preview));
    QCOMPARE(dialog.previewTotal(), qint64(3));
    QCOMPARE(confirm->text(), QStringLiteral("Delete 3 results"));
    QVERIFY2(label->text().contains(QStringLiteral("past their Django cache expiry")), qPrintable(label->text()));
    if (const QString shots = qEnvironmentVariable("STALK_SCREENSHOTS"); !shots.isEmpty()) {
        QCoreApplication::processEvents();
        QVERIFY(dialog.grab().save(shots + QStringLiteral("/purge-cache-expiry.png")));
    }
    // A worker stores the first again after the preview (a fresh expiry): it no longer qualifies.
    QVERIFY(TestSupport::runDjangoCacheHelper(cache, QStringLiteral("rewrite"), {aged.at(0)}).isArray());
    QSignalSpy finished(&dialog, &PurgeDialog::purgeFinished);
    QTest::mouseClick(confirm, Qt::LeftButton);
    QVERIFY(dialog.confirmedCriteria().cacheExpired);
    QVERIFY(dialog.confirmedCriteria().cacheNow.isValid());
    QVERIFY(finished.wait(20000));
    const PurgeSummary summary = finished.first().first().value<PurgeSummary>();
    QVERIFY2(!summary.error, qPrintable(summary.error.message));
    QCOMPARE(summary.tasksDeleted, qint64(2));
    QCOMPARE(summary.cacheExpiredDeleted, qint64(2));
    QVERIFY(stored(aged.at(0)));
    for (const QString &id : ids)
        QCOMPARE(stored(id), !aged.mid(1).contains(id));
}

/// Not a check: PNGs for a person to look at when STALK_SCREENSHOTS names a directory.
void TestPurgeDialog::screenshots()
{
    const QString out = qEnvironmentVariable("STALK_SCREENSHOTS");
    if (out.isEmpty())
        QSKIP("set STALK_SCREENSHOTS=<dir> to write screenshots");
    const QString path = copyFixture(QStringLiteral("django.sqlite3"));
    makeBig(path, 30000);
    const auto opened = openModel(factoryFor(path));
    QVERIFY(opened);
    PurgeDialog dialog(&opened->model, QStringLiteral("test/shot"));
    QSignalSpy preview(&dialog, &PurgeDialog::previewUpdated);
    dialog.show();
    setExplicitCutoff(dialog, QDateTime(QDate(2025, 2, 1), QTime(0, 0), Qt::UTC));
    QVERIFY(waitForPreview(dialog, preview));
    QTRY_VERIFY(dialog.findChild<QListWidget *>(QStringLiteral("statusFilter"))->count() > 0);
    QCoreApplication::processEvents();
    QVERIFY(dialog.grab().save(out + QStringLiteral("/purge-preview.png")));
    {
        const QPalette dark = TestSupport::darkPalette();
        const QPalette light = dialog.palette();
        dialog.setPalette(dark);
        QVERIFY(dialog.grab().save(out + QStringLiteral("/purge-preview-dark.png")));
        dialog.setPalette(light);
    }
    QSignalSpy finished(&dialog, &PurgeDialog::purgeFinished);
    QTest::mouseClick(dialog.findChild<QPushButton *>(QStringLiteral("confirmButton")), Qt::LeftButton);
    QVERIFY(dialog.grab().save(out + QStringLiteral("/purge-running.png")));
    QVERIFY(finished.wait(20000));
    QTest::qWait(100);
    QVERIFY(dialog.grab().save(out + QStringLiteral("/purge-done.png")));

    DeleteSelectedDialog selected(&opened->model, {1, 2, 3}, {{QStringLiteral("SUCCESS"), 2}, {QStringLiteral("FAILURE"), 1}});
    selected.show();
    QCoreApplication::processEvents();
    QVERIFY(selected.grab().save(out + QStringLiteral("/delete-selected.png")));
}

QTEST_MAIN(TestPurgeDialog)
#include "tst_purgedialog.moc"
