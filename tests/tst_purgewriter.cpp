#include <QDir>
#include <QElapsedTimer>
#include <QFile>
#include <QProcess>
#include <QSignalSpy>
#include <QStorageInfo>
#include <QTemporaryDir>
#include <QTest>
#include <QTimeZone>

#include <memory>

#include "purger.h"
#include "sqlitewriter.h"
#include "storeurl.h"
#include "taskresultmodel.h"
#include "testsupport.h"

namespace {

using TestSupport::SqliteConnection;

const QString kTable = QStringLiteral("django_celery_results_taskresult");
/// Every bulk row is older than this, and so are about half of the fixture's rows; what the
/// writer stores is not.
const QString kCutoff = QStringLiteral("2025-01-31");
/// Expired rows added to the fixture: enough for a purge of several seconds on a 2-core
/// machine (the writer's 5 s timeout can only run out in a purge longer than that).
constexpr int kBulkRows = 250000;
/// What the writer's longest wait must stay under. The Purger lets waiting writers in after
/// at most about 0.7 s (Purger::lockBurstMs + a batch + SQLite's 100 ms busy-handler step);
/// this bound leaves a loaded machine more than 3× that, and is half the writer's timeout.
constexpr double kLongestWaitBoundMs = 2500;

/// The window's Delete Expired (or Delete Selected): a PurgeJob on a model open on the file.
QString purgeInWindow(const QString &path, qint64 expected, const QVector<qint64> &selected, qint64 *deleted)
{
    const Outcome<StoreFactory> factory = makeStoreFactory(QStringLiteral("sqlite:///") + path);
    if (!factory)
        return factory.error().message;
    TaskResultModel model;
    QSignalSpy opened(&model, &TaskResultModel::opened);
    QSignalSpy failed(&model, &TaskResultModel::failed);
    model.setStoreFactory(*factory);
    for (int i = 0; i < 300 && opened.isEmpty() && failed.isEmpty(); ++i)
        opened.wait(100);
    if (opened.isEmpty())
        return QStringLiteral("the model did not open the file");
    PurgeJob job(&model);
    QSignalSpy finished(&job, &PurgeJob::finished);
    if (selected.isEmpty()) {
        PurgeCriteria criteria;
        criteria.cutoff = QDateTime(QDate::fromString(kCutoff, Qt::ISODate), QTime(0, 0), QTimeZone::utc());
        job.startPurge(criteria, expected);
    } else {
        job.startDelete(selected);
    }
    if (!finished.wait(280000))
        return QStringLiteral("the purge did not finish");
    const PurgeSummary summary = finished.first().first().value<PurgeSummary>();
    *deleted = summary.tasksDeleted;
    return summary.error.message;
}

/// `stalk purge` (the real binary, STALK_BIN).
QString purgeWithCli(const QString &path, int batchSize, qint64 *deleted)
{
    QStringList args = {QStringLiteral("purge"), QStringLiteral("sqlite:///") + path, QStringLiteral("--before"), kCutoff,
                        QStringLiteral("--yes")};
    if (batchSize > 0)
        args << QStringLiteral("--batch-size") << QString::number(batchSize);
    QProcess stalk;
    stalk.start(qEnvironmentVariable("STALK_BIN"), args);
    if (!stalk.waitForFinished(280000))
        return QStringLiteral("stalk purge did not finish");
    const QString out = QString::fromUtf8(stalk.readAllStandardOutput());
    if (stalk.exitStatus() != QProcess::NormalExit || stalk.exitCode() != 0)
        return QStringLiteral("stalk purge failed (exit %1): %2 %3")
            .arg(stalk.exitCode())
            .arg(out, QString::fromUtf8(stalk.readAllStandardError()));
    // "deleted N results (and G groups)"
    *deleted = out.section(u' ', 1, 1).toLongLong();
    return {};
}

qint64 count(const SqliteConnection &db, const QString &where, const QVariantList &values = {})
{
    return db.firstRow(QStringLiteral("SELECT COUNT(*) AS n FROM %1 WHERE %2").arg(kTable, where), values)
        .value(QStringLiteral("n"), -1)
        .toLongLong();
}

} // namespace

/// A purge never locks out the Celery workers writing results (issue 11): a real writer
/// process (tools/sqlite_writer.py) stores a result every 50 ms with Django's 5 s busy timeout
/// while Stalk purges 250,000 expired rows from a real SQLite file — through `stalk purge`
/// and the window's PurgeJob, in rollback-journal and WAL mode. The writer never fails,
/// never waits near its timeout, and every row it wrote survives, as does every row younger
/// than the cutoff.
///
/// The files live on /dev/shm when it has room: a purge's length then depends on the CPU,
/// not on how busy a shared disk's fsyncs are (which can stretch it fivefold).
class TestPurgeWriter : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void shouldNeverLockOutAWriter_data();
    void shouldNeverLockOutAWriter();

private:
    std::unique_ptr<QTemporaryDir> m_dir;
    QString m_base;
};

void TestPurgeWriter::initTestCase()
{
    STALK_REQUIRE_FIXTURES();
    QVERIFY2(QFileInfo(qEnvironmentVariable("STALK_BIN")).isExecutable(), "STALK_BIN must name the stalk executable");
    QVERIFY2(QFileInfo::exists(QStringLiteral("/usr/bin/python3")), "the writer runs with /usr/bin/python3");
    const QStorageInfo shm(QStringLiteral("/dev/shm"));
    const bool onShm = shm.isValid() && shm.isReady() && !shm.isReadOnly() && shm.bytesAvailable() > (qint64(1) << 30);
    m_dir = onShm ? std::make_unique<QTemporaryDir>(QStringLiteral("/dev/shm/stalk-purgewriter-XXXXXX"))
                  : std::make_unique<QTemporaryDir>();
    QVERIFY(m_dir->isValid());

    // The fixture (real Celery rows, Django's real schema and indexes) plus the bulk rows:
    // random 32-hex task ids, as uuid4s spread over the unique index.
    m_base = TestSupport::copyFixture(*m_dir, QStringLiteral("django.sqlite3"));
    QVERIFY(!m_base.isEmpty());
    SqliteConnection db(m_base);
    QVERIFY2(db.isOpen(), qPrintable(db.openError()));
    QCOMPARE(db.exec(QStringLiteral("PRAGMA synchronous = OFF")), QString());
    const QString bulk = QStringLiteral(
        "INSERT INTO %1 (task_id, status, content_type, content_encoding, result, date_done, meta, task_args, "
        "task_kwargs, task_name, worker, date_created) "
        "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c WHERE x < %2) "
        "SELECT lower(hex(randomblob(16))), CASE WHEN x % 20 = 0 THEN 'FAILURE' ELSE 'SUCCESS' END, "
        "'application/json', 'utf-8', '{\"n\": ' || x || ', \"pad\": \"' || hex(randomblob(60)) || '\"}', "
        "strftime('%Y-%m-%d %H:%M:%S', '2024-06-01', '+' || (x * 30) || ' seconds') || printf('.%06d', x), "
        "'{\"children\": []}', '\"(1, 2)\"', '\"{}\"', 'proj.bulk.task' || (x % 40), 'celery@w' || (x % 8), "
        "strftime('%Y-%m-%d %H:%M:%S', '2024-06-01', '+' || (x * 30) || ' seconds') FROM c")
                             .arg(kTable)
                             .arg(kBulkRows);
    QCOMPARE(db.exec(bulk), QString());
}

void TestPurgeWriter::shouldNeverLockOutAWriter_data()
{
    QTest::addColumn<QString>("journalMode");
    QTest::addColumn<QString>("via");
    QTest::addColumn<int>("batchSize"); // 0: adaptive

    QTest::newRow("rollback journal, stalk purge") << "delete" << "cli" << 0;
    QTest::newRow("rollback journal, stalk purge --batch-size 200") << "delete" << "cli" << 200;
    QTest::newRow("WAL, stalk purge") << "wal" << "cli" << 0;
    QTest::newRow("rollback journal, window Delete Expired") << "delete" << "window" << 0;
    QTest::newRow("WAL, window Delete Selected") << "wal" << "selected" << 0;
}

void TestPurgeWriter::shouldNeverLockOutAWriter()
{
    QFETCH(QString, journalMode);
    QFETCH(QString, via);
    QFETCH(int, batchSize);

    const QString path = m_dir->filePath(QStringLiteral("purge.sqlite3"));
    for (const QString &suffix : {QString(), QStringLiteral("-wal"), QStringLiteral("-shm"), QStringLiteral("-journal")})
        QFile::remove(path + suffix);
    QVERIFY(QFile::copy(m_base, path));
    qint64 expected = 0, younger = 0;
    QVector<qint64> selected;
    {
        SqliteConnection db(path);
        QVERIFY2(db.isOpen(), qPrintable(db.openError()));
        QCOMPARE(db.firstRow(QStringLiteral("PRAGMA journal_mode = %1").arg(journalMode)).value(QStringLiteral("journal_mode")).toString(),
                 journalMode);
        expected = count(db, QStringLiteral("date_done < ?"), {kCutoff});
        younger = count(db, QStringLiteral("date_done >= ?"), {kCutoff});
        QVERIFY(expected > kBulkRows);
        QVERIFY(younger > 0);
        if (via == QLatin1String("selected")) {
            QSqlQuery q = db.query(QStringLiteral("SELECT id FROM %1 WHERE date_done < ?").arg(kTable), {kCutoff});
            while (q.next())
                selected.append(q.value(0).toLongLong());
            QCOMPARE(selected.size(), expected);
        }
    }

    SqliteWriterProcess writer;
    QString error;
    QVERIFY2(writer.start(path, &error), qPrintable(error));
    QElapsedTimer timer;
    timer.start();
    qint64 deleted = -1;
    error = via == QLatin1String("cli") ? purgeWithCli(path, batchSize, &deleted)
                                        : purgeInWindow(path, expected, selected, &deleted);
    const qint64 purgeMs = timer.elapsed();
    const SqliteWriterProcess::Summary report = writer.stop();
    QCOMPARE(error, QString());
    QVERIFY2(report.ok, report.json.constData());
    qInfo("purge of %lld rows: %lld ms; the writer stored %lld results, %lld failed, longest wait %.0f ms",
          static_cast<long long>(expected), static_cast<long long>(purgeMs), static_cast<long long>(report.written),
          static_cast<long long>(report.failed), report.longestWaitMs);

    // The writer lost nothing and was never kept out near its timeout.
    QVERIFY2(report.failed == 0, qPrintable(QStringLiteral("the writer failed %1 times during a %2 ms purge: %3")
                                                 .arg(report.failed)
                                                 .arg(purgeMs)
                                                 .arg(QString::fromUtf8(report.json))));
    QVERIFY2(report.longestWaitMs >= 0 && report.longestWaitMs < kLongestWaitBoundMs,
             qPrintable(QStringLiteral("the writer waited %1 ms for the lock during a %2 ms purge (bound %3 ms)")
                            .arg(report.longestWaitMs)
                            .arg(purgeMs)
                            .arg(kLongestWaitBoundMs)));
    QVERIFY(report.written > 0);

    // Exactly the expired rows went; every row the writer stored and every younger row stayed.
    QCOMPARE(deleted, expected);
    SqliteConnection db(path);
    QVERIFY2(db.isOpen(), qPrintable(db.openError()));
    QCOMPARE(count(db, QStringLiteral("task_id LIKE 'live-%'")), report.written);
    QCOMPARE(count(db, QStringLiteral("date_done < ?"), {kCutoff}), qint64(0));
    QCOMPARE(count(db, QStringLiteral("task_id NOT LIKE 'live-%'")), younger);
}

QTEST_GUILESS_MAIN(TestPurgeWriter)
#include "tst_purgewriter.moc"
