#include <QTest>

#include <QAtomicInteger>
#include <QCoreApplication>
#include <QElapsedTimer>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QLoggingCategory>
#include <QProcess>
#include <QRegularExpression>
#include <QSet>
#include <QSqlDatabase>
#include <QSqlError>
#include <QSqlQuery>

#include <atomic>
#include <future>
#include <thread>
#include <utility>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include "postgresdialect.h"
#include "seekpager.h"
#include "sqlstore.h"
#include "storechecks.h"
#include "storeurl.h"
#include "testsupport.h"
#include "valuedecoder.h"

Q_DECLARE_METATYPE(StoreInfo::Layout)

namespace {

using TestSupport::Counts;
using TestSupport::countsOf;
using TestSupport::criteriaFor;
using TestSupport::micros;
using TestSupport::sorted;
using TestSupport::stringList;
using TestSupport::taskIdsOf;

/// One server under test, from the environment that tools/servers/with_*.sh exports.
struct Engine
{
    QString name;    ///< "postgresql", "mariadb"
    QString engine;  ///< StoreInfo::engine
    QString prefix;  ///< STALK_PG / STALK_MYSQL
    QString url;     ///< django-celery-results database
    QJsonObject expect;
    bool postgres = false;

    QString env(const char *suffix) const { return qEnvironmentVariable(qPrintable(prefix + QLatin1String(suffix))); }
};

QString connectionName()
{
    static QAtomicInteger<quint64> counter;
    return QStringLiteral("tst-raw-%1").arg(counter.fetchAndAddRelaxed(1) + 1);
}

/// Runs SQL on the server with a raw Qt connection of its own, outside Stalk's code paths.
/// Returns the first column of every row as text (NULL as a null QString), or one
/// "<error: …>" entry.
QStringList rawSql(const QString &url, const QStringList &statements, const QString &database = QString())
{
    const StoreUrl u = StoreUrl::parse(url).value();
    const bool pg = u.scheme == StoreUrl::Scheme::PostgreSql;
    const QString name = connectionName();
    QStringList out;
    {
        QSqlDatabase db = QSqlDatabase::addDatabase(pg ? QStringLiteral("QPSQL") : QStringLiteral("QMYSQL"), name);
        db.setHostName(u.host);
        db.setPort(u.port);
        db.setUserName(u.user);
        db.setPassword(u.password);
        db.setDatabaseName(database.isEmpty() ? u.database : database);
        if (!db.open()) {
            out << QStringLiteral("<error: %1>").arg(db.lastError().text());
        } else {
            QSqlQuery q(db);
            if (pg)
                q.exec(QStringLiteral("SET TIME ZONE 'UTC'"));
            for (const QString &sql : statements) {
                if (!q.exec(sql)) {
                    out = QStringList{QStringLiteral("<error: %1 in %2>").arg(q.lastError().text(), sql)};
                    break;
                }
                while (q.isSelect() && q.next()) {
                    const QVariant v = q.value(0);
                    out << (v.isNull() ? QString()
                                       : v.typeId() == QMetaType::QByteArray ? QString::fromUtf8(v.toByteArray())
                                                                             : v.toString());
                }
            }
        }
        db.close();
    }
    QSqlDatabase::removeDatabase(name);
    return out;
}

QStringList rawSql(const QString &url, const QString &sql)
{
    return rawSql(url, QStringList{sql});
}

/// The task id "<prefix>-00042" of a generated row: generate_series(…) AS g on PostgreSQL,
/// MariaDB's seq_1_to_N table.
QString generatedTaskId(bool postgres, const char *prefix)
{
    return postgres ? QStringLiteral("'%1-' || lpad(g::text, 5, '0')").arg(QLatin1String(prefix))
                    : QStringLiteral("CONCAT('%1-', LPAD(seq, 5, '0'))").arg(QLatin1String(prefix));
}

/// 3,000 rows in runs of 7 task names (one of them NULL) and 3 workers, every fifth a FAILURE,
/// dates in runs of 4, ids after the fixtures': far jumps (SeekPager::walkFrom) land inside
/// runs of equal values.
QString runsOfValues(const Engine &e)
{
    static_assert(SeekPager::walkFrom < 1500);
    const QString g = e.postgres ? QStringLiteral("g") : QStringLiteral("seq");
    const QString base = e.postgres ? QStringLiteral("TIMESTAMPTZ '2025-02-01 00:00:00+00'")
                                    : QStringLiteral("TIMESTAMP'2025-02-01 00:00:00'");
    const auto rem = [&](int n) {
        return e.postgres ? QStringLiteral("(%1 % %2)").arg(g).arg(n) : QStringLiteral("MOD(%1, %2)").arg(g).arg(n);
    };
    const QString date = e.postgres ? QStringLiteral("%1 + (%2 / 4) * INTERVAL '1 second'").arg(base, g)
                                    : QStringLiteral("%1 + INTERVAL (%2 DIV 4) SECOND").arg(base, g);
    const QString concat = e.postgres ? QStringLiteral("'proj.tasks.t' || %1").arg(rem(7))
                                      : QStringLiteral("CONCAT('proj.tasks.t', %1)").arg(rem(7));
    const QString workerName = e.postgres ? QStringLiteral("'w' || %1 || '@host'").arg(rem(3))
                                          : QStringLiteral("CONCAT('w', %1, '@host')").arg(rem(3));
    return QStringLiteral("INSERT INTO django_celery_results_taskresult (task_id, status, task_name, worker, "
                          "content_type, content_encoding, date_done, date_created) SELECT %1, CASE WHEN %2 = 0 "
                          "THEN 'FAILURE' ELSE 'SUCCESS' END, CASE WHEN %3 = 0 THEN NULL ELSE %4 END, %5, "
                          "'application/json', 'utf-8', %6, %7 FROM %8")
        .arg(generatedTaskId(e.postgres, "adv"), rem(5), rem(7), concat, workerName, date, base,
             e.postgres ? QStringLiteral("generate_series(1, 3000) AS g") : QStringLiteral("seq_1_to_3000"));
}

/// The statements of resources/sql/<engine>-jump-indexes.sql, one by one, as an operator
/// would run the file; empty when it cannot be read.
QStringList advisedJumpIndexes(const Engine &e)
{
    QFile advised(QFINDTESTDATA(e.postgres ? "../resources/sql/postgresql-jump-indexes.sql"
                                           : "../resources/sql/mariadb-jump-indexes.sql"));
    if (!advised.open(QIODevice::ReadOnly))
        return {};
    QString script;
    for (const QString &line : QString::fromUtf8(advised.readAll()).split(u'\n')) {
        if (!line.trimmed().startsWith(QLatin1String("--")))
            script += line + u'\n';
    }
    QStringList statements;
    for (const QString &statement : script.split(u';')) {
        if (!statement.trimmed().isEmpty())
            statements << statement.trimmed();
    }
    return statements;
}

/// The statement that lets Django's NOT NULL date_done hold NULL (as celery_taskmeta's may).
QString dateDoneNullable(bool postgres)
{
    return postgres ? QStringLiteral("ALTER TABLE django_celery_results_taskresult ALTER COLUMN date_done DROP NOT NULL")
                    : QStringLiteral("ALTER TABLE django_celery_results_taskresult MODIFY date_done DATETIME(6) NULL");
}

} // namespace

/// SqlStore on PostgreSQL and MariaDB servers started by tools/servers/with_postgres.sh and
/// with_mariadb.sh, holding rows written by real Celery workers; the expected answers were
/// computed by the real Django admin/ORM on the same server. Every test that writes works on
/// a private copy of the database. Data-driven over the engines whose URLs are set.
class TestServerStore : public QObject
{
    Q_OBJECT

private:
    void addEngineColumn();
    void addEngineRows();
    /// addEngineRows() with a bool column `flag`: each engine twice, its row names ending in
    /// `off` and `on`.
    void addEngineRowsWith(const char *flag, const char *off, const char *on);
    const Engine &engine(const QString &name) const;
    /// A private copy of the database at `url` (same server), as a URL.
    QString copyOf(const QString &url);
    /// The PostgreSQL server of m_engines; null without one.
    const Engine *postgresEngine() const
    {
        const auto it = std::find_if(m_engines.cbegin(), m_engines.cend(), [](const Engine &e) { return e.postgres; });
        return it == m_engines.cend() ? nullptr : &*it;
    }
    std::unique_ptr<ResultStore> openUrl(const QString &url, QString *error = nullptr);
    QStringList remaining(const QString &url, const QString &sql) { return sorted(rawSql(url, sql)); }

    QVector<Engine> m_engines;
    int m_serial = 0;

private Q_SLOTS:
    void initTestCase();

    void shouldDetectEverySchema_data();
    void shouldDetectEverySchema();
    void shouldListSavedGroupsAsStored_data();
    void shouldListSavedGroupsAsStored();
    void shouldCountAndFacetLikeDjango_data() { addEngineRows(); }
    void shouldCountAndFacetLikeDjango();
    void shouldCountFacetsWithoutTheirOwnFilter_data() { addEngineRows(); }
    void shouldCountFacetsWithoutTheirOwnFilter();
    void shouldTallyASearchsCountAndFacetsInOneStatement_data();
    void shouldTallyASearchsCountAndFacetsInOneStatement();
    void shouldTallyFromAFirstPageThatHeldEveryMatch_data() { addEngineRows(); }
    void shouldTallyFromAFirstPageThatHeldEveryMatch();
    void shouldOrderLikeTheAdmin_data() { addEngineRows(); }
    void shouldOrderLikeTheAdmin();
    void shouldSortByEveryFieldWithIdTiebreak_data();
    void shouldSortByEveryFieldWithIdTiebreak();
    void shouldJumpThroughTheSortIndexExactly_data();
    void shouldJumpThroughTheSortIndexExactly();
    void shouldPageExactlyWithTheAdvisedJumpIndexes_data() { addEngineRows(); }
    void shouldPageExactlyWithTheAdvisedJumpIndexes();
    void shouldJumpThroughTheRunsTheFacetsCounted_data();
    void shouldJumpThroughTheRunsTheFacetsCounted();
    void shouldProbeASearchsFirstPageThenWalkOrScan_data();
    void shouldProbeASearchsFirstPageThenWalkOrScan();
    void shouldSearchLikeExpectations_data();
    void shouldSearchLikeExpectations();
    void shouldFilterBySetsAndDates_data() { addEngineRows(); }
    void shouldFilterBySetsAndDates();
    void shouldFilterByExceptionAmongTheRowsFoundOnce_data() { addEngineRows(); }
    void shouldFilterByExceptionAmongTheRowsFoundOnce();
    void shouldKeepDatabaseIntactUnderInjection_data();
    void shouldKeepDatabaseIntactUnderInjection();
    void shouldReturnSummaryAndFullRows_data() { addEngineRows(); }
    void shouldReturnSummaryAndFullRows();
    void shouldEstimateRowsFromServerStatistics_data() { addEngineRows(); }
    void shouldEstimateRowsFromServerStatistics();
    void shouldFetchByIdAndTaskId_data() { addEngineRows(); }
    void shouldFetchByIdAndTaskId();
    void shouldFindQuickMatchesByTaskIdPrefix_data() { addEngineRows(); }
    void shouldFindQuickMatchesByTaskIdPrefix();

    void shouldPurgeExactlyUpstreamsExpiredSet_data();
    void shouldPurgeExactlyUpstreamsExpiredSet();
    void shouldPurgeSafelyWhileARealWorkerWrites_data() { addEngineRows(); }
    void shouldPurgeSafelyWhileARealWorkerWrites();
    void shouldPurgeOnlyNarrowedRowsAndNoGroups_data() { addEngineRows(); }
    void shouldPurgeOnlyNarrowedRowsAndNoGroups();
    void shouldPurgeInBatchesAcrossEqualDates_data() { addEngineRows(); }
    void shouldPurgeInBatchesAcrossEqualDates();
    void shouldDeleteExactlyTheGivenRows_data() { addEngineRows(); }
    void shouldDeleteExactlyTheGivenRows();
    void shouldRefuseDeletesWhenReadOnly_data() { addEngineRows(); }
    void shouldRefuseDeletesWhenReadOnly();

    void shouldReadCeleryTaskMetaAsBase64Pickle_data() { addEngineRows(); }
    void shouldReadCeleryTaskMetaAsBase64Pickle();
    void shouldReadARenamedCeleryTable_data() { addEngineRows(); }
    void shouldReadARenamedCeleryTable();
    void shouldPurgeCeleryTaskMetaLikeCelery_data();
    void shouldPurgeCeleryTaskMetaLikeCelery();

    void shouldReadNaiveDatesInANamedTimeZoneAcrossDst_data() { addEngineRows(); }
    void shouldReadNaiveDatesInANamedTimeZoneAcrossDst();

    void shouldReadTablesInANamedPostgresSchema();
    void shouldReadThePostgresCatalogAsInformationSchemaLists();
    void shouldServeTheCommandLine_data() { addEngineRows(); }
    void shouldServeTheCommandLine();

    void shouldNameHostAndReasonWhenConnectionFails_data();
    void shouldNameHostAndReasonWhenConnectionFails();
    void shouldTimeOutOnAServerThatNeverAnswers_data() { addEngineRows(); }
    void shouldTimeOutOnAServerThatNeverAnswers();
    void shouldCancelLongQueryOnInterrupt_data() { addEngineRows(); }
    void shouldCancelLongQueryOnInterrupt();
};

void TestServerStore::initTestCase()
{
    QLocale::setDefault(QLocale::c());
    const bool required = qEnvironmentVariableIntValue("STALK_REQUIRE_SERVERS") == 1;
    struct Candidate
    {
        const char *name;
        const char *engine;
        const char *prefix;
        bool postgres;
    };
    for (const Candidate &c : {Candidate{"postgresql", "PostgreSQL", "STALK_PG", true},
                               Candidate{"mariadb", "MariaDB", "STALK_MYSQL", false}}) {
        Engine e;
        e.name = QLatin1String(c.name);
        e.engine = QLatin1String(c.engine);
        e.prefix = QLatin1String(c.prefix);
        e.postgres = c.postgres;
        e.url = e.env("_URL");
        if (e.url.isEmpty()) {
            if (required) {
                QFAIL(qPrintable(QStringLiteral("STALK_REQUIRE_SERVERS=1 but %1_URL is not set (run under "
                                                "tools/servers/with_postgres.sh / with_mariadb.sh)")
                                     .arg(e.prefix)));
            }
            continue;
        }
        QFile file(e.env("_EXPECTATIONS"));
        QVERIFY2(file.open(QIODevice::ReadOnly), qPrintable(e.prefix + QStringLiteral("_EXPECTATIONS unreadable")));
        QJsonParseError error;
        e.expect = QJsonDocument::fromJson(file.readAll(), &error).object();
        QVERIFY2(error.error == QJsonParseError::NoError, qPrintable(error.errorString()));
        QVERIFY(!e.env("_TASKMETA_URL").isEmpty());
        m_engines.append(e);
    }
    if (m_engines.isEmpty())
        QSKIP("no server URLs (STALK_PG_URL, STALK_MYSQL_URL): run under tools/servers/with_postgres.sh or with_mariadb.sh");
}

void TestServerStore::addEngineColumn()
{
    QTest::addColumn<QString>("engine");
}

void TestServerStore::addEngineRowsWith(const char *flag, const char *off, const char *on)
{
    addEngineColumn();
    QTest::addColumn<bool>(flag);
    for (const Engine &e : std::as_const(m_engines)) {
        QTest::addRow("%s%s", qPrintable(e.name), off) << e.name << false;
        QTest::addRow("%s%s", qPrintable(e.name), on) << e.name << true;
    }
}

void TestServerStore::addEngineRows()
{
    addEngineColumn();
    for (const Engine &e : std::as_const(m_engines))
        QTest::newRow(qPrintable(e.name)) << e.name;
}

const Engine &TestServerStore::engine(const QString &name) const
{
    for (const Engine &e : m_engines) {
        if (e.name == name)
            return e;
    }
    Q_UNREACHABLE();
}

QString TestServerStore::copyOf(const QString &url)
{
    StoreUrl u = StoreUrl::parse(url).value();
    const QString copy = QStringLiteral("stalk_t%1_%2").arg(QCoreApplication::applicationPid()).arg(++m_serial);
    QStringList result;
    if (u.scheme == StoreUrl::Scheme::PostgreSql) {
        // A template copy needs the source to be idle: every test works on copies only.
        result = rawSql(url, {QStringLiteral("CREATE DATABASE %1 TEMPLATE %2").arg(copy, u.database)},
                        QStringLiteral("postgres"));
    } else {
        QStringList statements{QStringLiteral("CREATE DATABASE %1 CHARACTER SET utf8mb4").arg(copy)};
        const QStringList tables = rawSql(url, QStringLiteral("SELECT TABLE_NAME FROM information_schema.TABLES "
                                                              "WHERE TABLE_SCHEMA = DATABASE()"));
        for (const QString &t : tables) {
            statements << QStringLiteral("CREATE TABLE %1.`%2` LIKE %3.`%2`").arg(copy, t, u.database)
                       << QStringLiteral("INSERT INTO %1.`%2` SELECT * FROM %3.`%2`").arg(copy, t, u.database);
        }
        result = rawSql(url, statements);
    }
    if (!result.isEmpty()) {
        qWarning() << "copying" << u.database << "failed:" << result;
        return {};
    }
    u.database = copy;
    return QStringLiteral("%1://%2:%3@%4:%5/%6")
        .arg(u.scheme == StoreUrl::Scheme::PostgreSql ? QStringLiteral("postgresql") : QStringLiteral("mysql"), u.user,
             u.password, u.host)
        .arg(u.port)
        .arg(copy);
}

std::unique_ptr<ResultStore> TestServerStore::openUrl(const QString &url, QString *error)
{
    const auto factory = makeStoreFactory(url);
    if (!factory.ok()) {
        if (error)
            *error = factory.error().message;
        return nullptr;
    }
    auto store = (*factory)();
    const StoreError e = store->open();
    if (e) {
        if (error)
            *error = e.message;
        return nullptr;
    }
    return store;
}

#define FETCH_ENGINE()                                                                                                 \
    QFETCH(QString, engine);                                                                                           \
    const Engine &e = this->engine(engine)

/// Opens `store` on a private copy of `source`, whose URL is then `urlCopy`.
#define OPEN_COPY(store, source)                                                                                       \
    const QString urlCopy = copyOf(source);                                                                            \
    QVERIFY(!urlCopy.isEmpty());                                                                                       \
    QString store##Error;                                                                                              \
    auto store = openUrl(urlCopy, &store##Error);                                                                      \
    QVERIFY2(store, qPrintable(store##Error))

// --- detection -------------------------------------------------------------------------------

void TestServerStore::shouldDetectEverySchema_data()
{
    addEngineColumn();
    QTest::addColumn<QString>("which");
    QTest::addColumn<StoreInfo::Layout>("layout");
    QTest::addColumn<QString>("table");
    QTest::addColumn<QString>("schemaMentions");
    QTest::addColumn<QList<int>>("present");
    QTest::addColumn<QList<int>>("absent");
    using F = Field;
    using L = StoreInfo::Layout;
    auto fields = [](std::initializer_list<Field> list) {
        QList<int> out;
        for (Field f : list)
            out << int(f);
        return out;
    };
    for (const Engine &e : std::as_const(m_engines)) {
        QTest::addRow("%s django 2.4", qPrintable(e.name))
            << e.name << "_URL" << L::DjangoCeleryResults << "django_celery_results_taskresult"
            << "0011_taskresult_periodic_task_name"
            << fields({F::RowId, F::TaskId, F::TaskName, F::PeriodicTaskName, F::Worker, F::Args, F::Kwargs, F::Result,
                       F::Traceback, F::Meta, F::DateCreated, F::DateDone})
            << fields({F::DateStarted, F::Hidden, F::Retries, F::Queue});
        if (!e.postgres) {
            QTest::addRow("%s django 191", qPrintable(e.name))
                << e.name << "_191_URL" << L::DjangoCeleryResults << "django_celery_results_taskresult"
                << "task_id varchar(191)" << fields({F::TaskName, F::Worker, F::DateCreated})
                << fields({F::DateStarted, F::Hidden});
        }
        QTest::addRow("%s celery_taskmeta", qPrintable(e.name))
            << e.name << "_TASKMETA_URL" << L::CeleryTaskMeta << "celery_taskmeta" << "with result_extended"
            << fields({F::TaskId, F::TaskName, F::Args, F::Kwargs, F::Worker, F::Retries, F::Queue, F::Result,
                       F::Traceback, F::DateDone, F::ContentEncoding})
            << fields({F::Meta, F::DateCreated, F::PeriodicTaskName});
        QTest::addRow("%s celery_taskmeta plain", qPrintable(e.name))
            << e.name << "_TASKMETA_PLAIN_URL" << L::CeleryTaskMeta << "celery_taskmeta" << "without result_extended"
            << fields({F::TaskId, F::Result, F::DateDone}) << fields({F::TaskName, F::Args, F::Worker});
    }
}

void TestServerStore::shouldDetectEverySchema()
{
    FETCH_ENGINE();
    QFETCH(QString, which);
    QFETCH(StoreInfo::Layout, layout);
    QFETCH(QString, table);
    QFETCH(QString, schemaMentions);
    QFETCH(QList<int>, present);
    QFETCH(QList<int>, absent);
    const QString url = e.env(qPrintable(which));
    QVERIFY2(!url.isEmpty(), qPrintable(e.prefix + which + QStringLiteral(" is not set")));
    QString error;
    auto store = openUrl(url, &error);
    QVERIFY2(store, qPrintable(error));
    const StoreInfo info = store->info();
    QCOMPARE(info.layout, layout);
    QCOMPARE(info.engine, e.engine);
    QCOMPARE(info.tableName, table);
    QVERIFY2(info.schema.contains(schemaMentions), qPrintable(info.schema));
    QVERIFY(info.hasGroups);
    QVERIFY(!info.location.contains(QLatin1String("secret")));
    for (int f : present)
        QVERIFY2(info.fields.contains(Field(f)), qPrintable(fieldName(Field(f))));
    for (int f : absent)
        QVERIFY2(!info.fields.contains(Field(f)), qPrintable(fieldName(Field(f))));

    const auto count = store->count({});
    QVERIFY2(count.ok(), qPrintable(count.error().message));
    QCOMPARE(QString::number(*count), rawSql(url, QStringLiteral("SELECT COUNT(*) FROM %1").arg(table)).value(0));
    QCOMPARE(*count, qint64(50));
    const auto rows = store->fetchPage({}, 0, 100, RowDetail::Full);
    QVERIFY2(rows.ok(), qPrintable(rows.error().message));
    QCOMPARE(rows->size(), 50);
    int withDate = 0;
    for (const TaskResult &r : *rows) {
        QVERIFY2(r.problems.isEmpty(), qPrintable(r.problems.join(u'\n')));
        QVERIFY(!r.taskId.isEmpty());
        withDate += r.dateDone.isValid() ? 1 : 0;
    }
    // django-celery-results always has date_done; celery_taskmeta leaves it NULL while STARTED/RETRY.
    QVERIFY(withDate >= 48);
}

// --- reading ---------------------------------------------------------------------------------

void TestServerStore::shouldCountAndFacetLikeDjango()
{
    FETCH_ENGINE();
    OPEN_COPY(store, e.url);
    TestSupport::verifyCountsAndFacets(*store, e.expect[QStringLiteral("counts")].toObject());
}

void TestServerStore::shouldCountFacetsWithoutTheirOwnFilter()
{
    FETCH_ENGINE();
    OPEN_COPY(store, e.url);
    TestSupport::verifyFacetsIgnoreTheirOwnFilter(*store);
}

void TestServerStore::shouldTallyASearchsCountAndFacetsInOneStatement_data()
{
    addEngineColumn();
    QTest::addColumn<QString>("term");
    for (const Engine &e : std::as_const(m_engines)) {
        const QByteArray n = e.name.toLatin1();
        QTest::addRow("%s: some rows", n.constData()) << e.name << "charge";
        QTest::addRow("%s: most rows", n.constData()) << e.name << "proj";
        QTest::addRow("%s: nothing", n.constData()) << e.name << "no-such-text-anywhere";
    }
}

void TestServerStore::shouldTallyASearchsCountAndFacetsInOneStatement()
{
    FETCH_ENGINE();
    QFETCH(QString, term);
    OPEN_COPY(store, e.url);
    TaskQuery q;
    q.search = term;
    // The window's order: the count (one statement tallies the facets too), then the facets.
    const auto matching = store->countBeforeFacets(q);
    QVERIFY2(matching.ok(), qPrintable(matching.error().message));
    QCOMPARE(*matching, *store->count(q)); // exact: what a plain COUNT(*) says
    const auto facets = store->facets(q);
    QVERIFY2(facets.ok(), qPrintable(facets.error().message));
    TestSupport::verifyTalliedFacets(*store, q, *facets, *matching);
    if (QTest::currentTestFailed())
        return;
    // Asked alone (no count before), the facets are tallied afresh, alike: what the separate
    // GROUP BYs gave (the status filter's facet is the status facet of the search itself).
    const auto alone = store->facets(q);
    QVERIFY(alone.ok());
    QCOMPARE(countsOf(alone->statuses), countsOf(facets->statuses));
    QCOMPARE(countsOf(alone->taskNames), countsOf(facets->taskNames));
    QCOMPARE(countsOf(alone->workers), countsOf(facets->workers));
    QCOMPARE(countsOf(alone->periodicTaskNames), countsOf(facets->periodicTaskNames));
    TaskQuery statusOnly = q;
    statusOnly.statuses = {QStringLiteral("SUCCESS")};
    const auto separate = store->facets(statusOnly); // a set filter: four GROUP BYs
    QVERIFY(separate.ok());
    QCOMPARE(separate->statuses, alone->statuses);

    const QString table = QStringLiteral("django_celery_results_taskresult");
    // Another client's writes, a match each (its task id holds the term).
    const auto insertMatch = [&](int n) {
        return rawSql(urlCopy, QStringLiteral("INSERT INTO %1 (task_id, status, content_type, content_encoding, "
                                              "date_done, date_created) VALUES ('tally-%2-%3', 'RETRY', "
                                              "'application/json', 'utf-8', '2025-03-01 00:00:00', '2025-03-01 00:00:00')")
                                   .arg(table, term)
                                   .arg(n))
            .join(u' ');
    };
    // An insert between the count and the facets: those facets are the count's (one
    // statement, one moment: they add up to the count on screen); a plain count sees the row
    // at once, and the next generation's count and facets see it.
    QCOMPARE(insertMatch(1), QString());
    QCOMPARE(*store->countBeforeFacets(q), *matching + 1);
    QCOMPARE(insertMatch(2), QString());
    const auto kept = store->facets(q);
    QVERIFY(kept.ok());
    QCOMPARE(totalOf(kept->statuses), *matching + 1);
    QCOMPARE(totalOf(kept->taskNames), *matching + 1);
    QCOMPARE(*store->count(q), *matching + 2);
    // Taken once: the next facets read the table again, and see both rows.
    const auto again = store->facets(q);
    QVERIFY(again.ok());
    QCOMPARE(totalOf(again->statuses), *matching + 2);
    QCOMPARE(countsOf(again->statuses).value(QStringLiteral("RETRY")),
             countsOf(facets->statuses).value(QStringLiteral("RETRY")) + 2);
    // Another client deletes one, then the next generation: count and facets see it.
    QVERIFY(rawSql(urlCopy, QStringLiteral("DELETE FROM %1 WHERE task_id = 'tally-%2-2'").arg(table, term)).isEmpty());
    QCOMPARE(*store->countBeforeFacets(q), *matching + 1);
    const auto afterDelete = store->facets(q);
    QVERIFY(afterDelete.ok());
    QCOMPARE(totalOf(afterDelete->workers), *matching + 1);
    // This store deletes a match between the count and the facets: the facets see it.
    const auto rows = store->fetchPage(q, 0, 1);
    QVERIFY(rows.ok() && !rows->isEmpty());
    QCOMPARE(*store->countBeforeFacets(q), *matching + 1);
    QVERIFY(store->deleteRows({rows->first().rowId}).ok());
    const auto afterOwnDelete = store->facets(q);
    QVERIFY(afterOwnDelete.ok());
    QCOMPARE(totalOf(afterOwnDelete->statuses), *matching);
    // Kept for the same query only: another query's facets drop them.
    QCOMPARE(*store->countBeforeFacets(q), *matching);
    QVERIFY(store->facets(statusOnly).ok());
    QCOMPARE(insertMatch(3), QString());
    const auto afterOther = store->facets(q);
    QVERIFY(afterOther.ok());
    QCOMPARE(totalOf(afterOther->statuses), *matching + 1);
}

void TestServerStore::shouldTallyFromAFirstPageThatHeldEveryMatch()
{
    FETCH_ENGINE();
    OPEN_COPY(store, e.url);
    TaskQuery q;
    q.search = QStringLiteral("charge");
    const qint64 matching = *store->count(q);
    QVERIFY(matching > 0 && matching < 200);
    const auto insertMatch = [&](int n) {
        return rawSql(urlCopy, QStringLiteral("INSERT INTO django_celery_results_taskresult (task_id, status, "
                                              "content_type, content_encoding, date_done, date_created) VALUES "
                                              "('charge-%1', 'RETRY', 'application/json', 'utf-8', "
                                              "'2025-03-01 00:00:00', '2025-03-01 00:00:00')")
                                   .arg(n))
            .join(u' ');
    };
    // The model's order: page 0 (every match: fewer rows than asked), then the count and
    // the facets, tallied over the page's rows by id. An insert after the page is not in
    // them: they are of the page's moment, as the rows on screen.
    const auto page = store->fetchPage(q, 0, 200);
    QVERIFY(page.ok());
    QCOMPARE(page->size(), matching);
    QCOMPARE(insertMatch(1), QString());
    QCOMPARE(*store->countBeforeFacets(q), matching);
    const auto facets = store->facets(q);
    QVERIFY(facets.ok());
    QCOMPARE(*store->count(q), matching + 1);
    // Those facets equal a full tally's of the same rows (the inserted row left out).
    const auto full = store->facets(q);
    QVERIFY(full.ok());
    Counts statuses = countsOf(full->statuses);
    if (--statuses[QStringLiteral("RETRY")] == 0)
        statuses.remove(QStringLiteral("RETRY"));
    QCOMPARE(countsOf(facets->statuses), statuses);
    for (const QVector<FacetValue> *values : {&facets->taskNames, &facets->workers, &facets->periodicTaskNames})
        QCOMPARE(totalOf(*values), matching);
    // Another statement in between (here a count): the page may be stale, so the table is
    // read again.
    QVERIFY(store->fetchPage(q, 0, 200).ok());
    QVERIFY(store->count(q).ok());
    QCOMPARE(*store->countBeforeFacets(q), matching + 1);
    // A page that did not hold every match (as many rows as asked) is not taken for them.
    QVERIFY(store->fetchPage(q, 0, 1).ok());
    QCOMPARE(insertMatch(2), QString());
    QCOMPARE(*store->countBeforeFacets(q), matching + 2);
    // Nothing matches: the empty page is the answer, no statement runs.
    TaskQuery none;
    none.search = QStringLiteral("no-such-text-anywhere");
    QVERIFY(store->fetchPage(none, 0, 200).ok());
    QCOMPARE(*store->countBeforeFacets(none), qint64(0));
    const auto noFacets = store->facets(none);
    QVERIFY(noFacets.ok());
    QVERIFY(noFacets->statuses.isEmpty() && noFacets->taskNames.isEmpty() && noFacets->workers.isEmpty());
}

void TestServerStore::shouldOrderLikeTheAdmin()
{
    FETCH_ENGINE();
    OPEN_COPY(store, e.url);
    const QStringList expected = stringList(e.expect[QStringLiteral("order_default")]);
    QCOMPARE(expected.size(), 50);
    TestSupport::verifyDefaultOrder(*store, expected);
    if (QTest::currentTestFailed())
        return;
    QVERIFY(store->fetchPage({}, 50, 7)->isEmpty());
}

void TestServerStore::shouldListSavedGroupsAsStored_data()
{
    addEngineColumn();
    QTest::addColumn<QString>("which");
    for (const Engine &e : std::as_const(m_engines)) {
        for (const char *which : {"_URL", "_TASKMETA_URL", "_TASKMETA_PLAIN_URL"})
            QTest::addRow("%s%s", qPrintable(e.name), which) << e.name << QString::fromLatin1(which);
    }
}

void TestServerStore::shouldListSavedGroupsAsStored()
{
    FETCH_ENGINE();
    QFETCH(QString, which);
    const QString url = e.env(qPrintable(which));
    QString error;
    auto store = openUrl(url, &error);
    QVERIFY2(store, qPrintable(error));
    TestSupport::verifyGroupsAsStored(*store, url);
}

void TestServerStore::shouldSortByEveryFieldWithIdTiebreak_data()
{
    addEngineColumn();
    QTest::addColumn<QString>("which");
    QTest::addColumn<int>("field");
    QTest::addColumn<bool>("ascending");
    for (const Engine &e : std::as_const(m_engines)) {
        for (const char *which : {"_URL", "_TASKMETA_URL"}) {
            for (Field f : {Field::RowId, Field::TaskId, Field::TaskName, Field::PeriodicTaskName, Field::Status,
                            Field::Worker, Field::DateCreated, Field::DateDone, Field::Queue}) {
                for (bool asc : {true, false}) {
                    QTest::addRow("%s%s %s %s", qPrintable(e.name), which, qPrintable(fieldName(f)), asc ? "asc" : "desc")
                        << e.name << QString::fromLatin1(which) << int(f) << asc;
                }
            }
        }
    }
}

void TestServerStore::shouldSortByEveryFieldWithIdTiebreak()
{
    FETCH_ENGINE();
    QFETCH(QString, which);
    QFETCH(int, field);
    QFETCH(bool, ascending);
    const QString url = e.env(qPrintable(which));
    QString error;
    auto store = openUrl(url, &error);
    QVERIFY2(store, qPrintable(error));
    const auto *sql = dynamic_cast<SqlStore *>(store.get());
    QVERIFY(sql);
    const QString column = sql->layout().column(Field(field));
    TaskQuery q;
    q.sortField = Field(field);
    q.sortOrder = ascending ? Qt::AscendingOrder : Qt::DescendingOrder;
    const auto rows = store->fetchPage(q, 0, 1000);
    QVERIFY2(rows.ok(), qPrintable(rows.error().message));
    const QString dir = ascending ? QStringLiteral("ASC") : QStringLiteral("DESC");
    const QString order = column.isEmpty() ? QStringLiteral("id %1").arg(dir) : QStringLiteral("%1 %2, id %2").arg(column, dir);
    const QStringList expected =
        rawSql(url, QStringLiteral("SELECT task_id FROM %1 ORDER BY %2").arg(store->info().tableName, order));
    QCOMPARE(taskIdsOf(*rows), expected);
    TestSupport::verifyPagesMatchTheWhole(*store, q, expected);
    if (QTest::currentTestFailed())
        return;
}

void TestServerStore::shouldPageExactlyWithTheAdvisedJumpIndexes()
{
    FETCH_ENGINE();
    const QString urlCopy = copyOf(e.url);
    QVERIFY(!urlCopy.isEmpty());
    QStringList setup{runsOfValues(e)};
    const QStringList indexes = advisedJumpIndexes(e);
    const int created = int(indexes.size());
    QCOMPARE(created, e.postgres ? 4 : 2);
    // Twice: IF NOT EXISTS makes the file safe to run again.
    setup += indexes + indexes;
    if (e.postgres)
        setup << QStringLiteral("ANALYZE django_celery_results_taskresult");
    const QStringList problems = rawSql(urlCopy, setup);
    QVERIFY2(problems.isEmpty(), qPrintable(problems.join(u' ')));
    const QStringList made =
        rawSql(urlCopy, e.postgres ? QStringLiteral("SELECT indexname FROM pg_indexes WHERE indexname LIKE 'stalk%'")
                                   : QStringLiteral("SELECT DISTINCT index_name FROM information_schema.statistics "
                                                    "WHERE table_schema = DATABASE() AND index_name LIKE 'stalk%'"));
    QCOMPARE(made.size(), created);

    QString error;
    auto store = openUrl(urlCopy, &error);
    QVERIFY2(store, qPrintable(error));
    // An index that leads with status or task name is not date_done's.
    QVERIFY(dynamic_cast<const SqlStore *>(store.get())->layout().dateDoneIndexed);
    struct Case
    {
        const char *name;
        Field sort;
        bool ascending;
        QString where;
        QStringList statuses, taskNames;
    };
    const QList<Case> cases{
        {"by task name, newest name first", Field::TaskName, false, {}, {}, {}},
        {"by task name, ascending", Field::TaskName, true, {}, {}, {}},
        {"by worker", Field::Worker, false, {}, {}, {}},
        {"FAILURE by date_done", Field::DateDone, false, QStringLiteral(" WHERE status = 'FAILURE'"),
         {QStringLiteral("FAILURE")}, {}},
        {"one task by date_done, ascending", Field::DateDone, true, QStringLiteral(" WHERE task_name = 'proj.tasks.t3'"),
         {}, {QStringLiteral("proj.tasks.t3")}},
    };
    for (const Case &c : cases) {
        TaskQuery q;
        q.sortField = c.sort;
        q.sortOrder = c.ascending ? Qt::AscendingOrder : Qt::DescendingOrder;
        q.statuses = c.statuses;
        q.taskNames = c.taskNames;
        const QString dir = c.ascending ? QStringLiteral("ASC") : QStringLiteral("DESC");
        const QString column = dynamic_cast<const SqlStore *>(store.get())->layout().column(c.sort);
        const QStringList whole = rawSql(urlCopy, QStringLiteral("SELECT task_id FROM django_celery_results_taskresult%1 "
                                                                 "ORDER BY %2 %3, id %3")
                                                      .arg(c.where, column, dir));
        QVERIFY2(whole.size() >= 400 && !whole.constFirst().startsWith(QLatin1String("<error")), c.name);
        const qint64 n = whole.size();
        // Far jumps with the keys forgotten (another query first), then pages of 3 rows.
        for (const qint64 offset : {n / 2, n / 3, n - 50, qint64(1201), qint64(0)}) {
            if (offset > n)
                continue;
            TaskQuery other = q;
            other.sortField = Field::RowId;
            QVERIFY(store->fetchPage(other, 0, 1).ok());
            const auto page = store->fetchPage(q, offset, 50);
            QVERIFY2(page.ok(), qPrintable(page.error().message));
            QVERIFY2(taskIdsOf(*page) == whole.mid(offset, 50),
                     qPrintable(QStringLiteral("%1 at %2").arg(QLatin1String(c.name)).arg(offset)));
        }
        TestSupport::verifyPagesMatchTheWhole(*store, q, whole);
        if (QTest::currentTestFailed())
            return;
    }
}

void TestServerStore::shouldJumpThroughTheRunsTheFacetsCounted_data()
{
    addEngineRowsWith("advised", "", " with the advised indexes");
}

void TestServerStore::shouldJumpThroughTheRunsTheFacetsCounted()
{
    FETCH_ENGINE();
    QFETCH(bool, advised);
    const QString urlCopy = copyOf(e.url);
    QVERIFY(!urlCopy.isEmpty());
    QStringList setup{runsOfValues(e)};
    if (advised) {
        const QStringList indexes = advisedJumpIndexes(e);
        QVERIFY(!indexes.isEmpty());
        setup += indexes;
    }
    if (e.postgres)
        setup << QStringLiteral("ANALYZE django_celery_results_taskresult");
    const QStringList problems = rawSql(urlCopy, setup);
    QVERIFY2(problems.isEmpty(), qPrintable(problems.join(u' ')));
    QString error;
    auto store = openUrl(urlCopy, &error);
    QVERIFY2(store, qPrintable(error));
    const SqlLayout &layout = dynamic_cast<const SqlStore *>(store.get())->layout();

    // The query's order as the engine gives it: task ids, and the sort values ("\1" for NULL).
    const auto order = [&](const TaskQuery &q, const QString &where, const QString &select) {
        const QString dir = q.sortOrder == Qt::AscendingOrder ? QStringLiteral("ASC") : QStringLiteral("DESC");
        return rawSql(urlCopy, QStringLiteral("SELECT %1 FROM django_celery_results_taskresult%2 ORDER BY %3 %4, id %4")
                                   .arg(select, where, layout.column(q.sortField), dir));
    };
    const auto valuesOf = [&](const TaskQuery &q, const QString &where) {
        return order(q, where, QStringLiteral("COALESCE(%1, '\1')").arg(layout.column(q.sortField)));
    };
    // A far jump with the keys forgotten (another order of the same rows: the runs stay) and
    // nothing counted.
    const auto jump = [&](const TaskQuery &q, qint64 offset) {
        TaskQuery other = q;
        other.sortField = Field::RowId;
        const bool forgotten = store->fetchPage(other, 0, 1).ok();
        const auto page = store->fetchPage(q, offset, 50);
        return forgotten && page.ok() ? taskIdsOf(*page) : QStringList{QStringLiteral("<error>")};
    };
    struct Case
    {
        const char *name;
        Field sort;
        bool ascending;
        QString where;
        QStringList statuses;
    };
    const QList<Case> cases{
        {"by task name, descending", Field::TaskName, false, {}, {}},
        {"by task name, ascending", Field::TaskName, true, {}, {}},
        {"by worker, ascending", Field::Worker, true, {}, {}},
        {"SUCCESS by task name", Field::TaskName, false, QStringLiteral(" WHERE status = 'SUCCESS'"),
         {QStringLiteral("SUCCESS")}},
        {"by status", Field::Status, true, {}, {}},
    };
    for (const Case &c : cases) {
        TaskQuery q;
        q.sortField = c.sort;
        q.sortOrder = c.ascending ? Qt::AscendingOrder : Qt::DescendingOrder;
        q.statuses = c.statuses;
        const QStringList whole = order(q, c.where, QStringLiteral("task_id"));
        const QStringList values = valuesOf(q, c.where);
        QVERIFY2(whole.size() >= 500 && values.size() == whole.size(), c.name);
        // The facets hand their runs over, as the window reads them for every query.
        QVERIFY(store->facets(q).ok());
        // The middle of each run, and 10 rows before its end (the page goes on into the next
        // run), wherever the keyset walk would skip more rows (SeekPager::walkFrom): the NULL
        // run where the engine sorts it last, one run under the filter.
        QVector<qint64> offsets;
        for (qint64 start = 0; start < whole.size();) {
            qint64 end = start;
            while (end < whole.size() && values.at(end) == values.at(start))
                ++end;
            for (const qint64 offset : {(start + end) / 2, end - 10}) {
                if (offset >= SeekPager::walkFrom && offset > start)
                    offsets << offset;
            }
            start = end;
        }
        QVERIFY2(!offsets.isEmpty() || whole.size() < 2 * SeekPager::walkFrom, c.name);
        for (const qint64 offset : std::as_const(offsets)) {
            QVERIFY2(jump(q, offset) == whole.mid(offset, 50),
                     qPrintable(QStringLiteral("%1 at %2 (%3)").arg(QLatin1String(c.name)).arg(offset).arg(values.at(offset))));
        }
        TestSupport::verifyPagesMatchTheWhole(*store, q, whole);
        if (QTest::currentTestFailed())
            return;
    }

    // Runs gone stale: rows written after the facets counted them.
    for (const bool ascending : {false, true}) {
        TaskQuery q;
        q.sortField = Field::TaskName;
        q.sortOrder = ascending ? Qt::AscendingOrder : Qt::DescendingOrder;
        QVERIFY(store->facets(q).ok());
        const QStringList values = valuesOf(q, QString());
        const qint64 target = values.size() / 2;
        const QString value = values.at(target);
        // 5 rows of a name that comes first in this order: the rows of the target's run are
        // then 5 further on than the runs say.
        const QString first = ascending ? QStringLiteral("aaa.first") : QStringLiteral("zzz.first");
        QStringList inserts;
        for (int i = 0; i < 5; ++i) {
            inserts << QStringLiteral("INSERT INTO django_celery_results_taskresult (task_id, status, task_name, "
                                      "worker, content_type, content_encoding, date_done, date_created) VALUES "
                                      "('stale-%1-%2', 'SUCCESS', '%3', 'w0@host', 'application/json', 'utf-8', "
                                      "'2025-03-01 00:00:00', '2025-03-01 00:00:00')")
                           .arg(int(ascending))
                           .arg(i)
                           .arg(first);
        }
        const QStringList inserted = rawSql(urlCopy, inserts);
        QVERIFY2(inserted.isEmpty(), qPrintable(inserted.join(u' ')));
        QStringList whole = order(q, QString(), QStringLiteral("task_id"));
        // Until a count tells otherwise, the page is a slice of the order as it is, moved by
        // the rows written since (the runs' own moment), never with a gap or a repeat.
        const QStringList moved = jump(q, target);
        QCOMPARE(moved, whole.mid(target + 5, 50));
        // A count that differs from the runs' total drops them: exact again.
        QVERIFY(store->count(q).ok());
        QCOMPARE(jump(q, target), whole.mid(target, 50));
        // And the next facets count them anew.
        QVERIFY(store->facets(q).ok());
        QCOMPARE(jump(q, target), whole.mid(target, 50));
        // Every row of the target's value gone: its run no longer reaches the page, which is
        // then found without the runs.
        const QString column = layout.column(q.sortField);
        const QStringList deleted =
            rawSql(urlCopy, value == QStringLiteral("\1")
                                ? QStringLiteral("DELETE FROM django_celery_results_taskresult WHERE %1 IS NULL").arg(column)
                                : QStringLiteral("DELETE FROM django_celery_results_taskresult WHERE %1 = '%2'").arg(column, value));
        QVERIFY2(deleted.isEmpty(), qPrintable(deleted.join(u' ')));
        whole = order(q, QString(), QStringLiteral("task_id"));
        QCOMPARE(jump(q, target), whole.mid(target, 50));
    }
}

void TestServerStore::shouldJumpThroughTheSortIndexExactly_data()
{
    addEngineRowsWith("nullable", " not null", " with nulls");
}

void TestServerStore::shouldJumpThroughTheSortIndexExactly()
{
    FETCH_ENGINE();
    QFETCH(bool, nullable);
    const QString urlCopy = copyOf(e.url);
    QVERIFY(!urlCopy.isEmpty());
    // 3,000 rows in runs of equal date_done around the middle of the order: 60 that are NULL
    // (distinct dates in Django's NOT NULL column), runs of 7, one run of 300 (longer than
    // SeekPager::walkBack, so counted apart), then distinct dates; ids in that order.
    static_assert(SeekPager::walkBack < 300 && SeekPager::walkFrom < 1200);
    const QString g = e.postgres ? QStringLiteral("g") : QStringLiteral("seq");
    const QString base = e.postgres ? QStringLiteral("TIMESTAMPTZ '2025-02-01 00:00:00+00'")
                                    : QStringLiteral("TIMESTAMP'2025-02-01 00:00:00'");
    const auto plus = [&](const QString &amount, const char *unit) {
        return e.postgres ? QStringLiteral("%1 + (%2) * INTERVAL '1 %3'").arg(base, amount, QLatin1String(unit))
                          : QStringLiteral("%1 + INTERVAL (%2) %3").arg(base, amount, QString::fromLatin1(unit).toUpper());
    };
    const QString div = e.postgres ? QStringLiteral("/") : QStringLiteral("DIV");
    const QString date = QStringLiteral("CASE WHEN %1 <= 60 THEN %2 WHEN %1 <= 1200 THEN %3 WHEN %1 <= 1500 THEN %4 "
                                        "ELSE %5 END")
                             .arg(g, nullable ? QStringLiteral("NULL") : plus(QStringLiteral("%1 - 100").arg(e.postgres ? g : QStringLiteral("CAST(seq AS SIGNED)")), "second"),
                                  plus(QStringLiteral("%1 %2 7").arg(g, div), "second"), plus(QStringLiteral("1201"), "second"),
                                  plus(QStringLiteral("2000000000 + %1").arg(g), "microsecond"));
    const QString taskId = generatedTaskId(e.postgres, "jump");
    QStringList setup;
    if (nullable)
        setup << dateDoneNullable(e.postgres);
    setup << QStringLiteral("INSERT INTO django_celery_results_taskresult (task_id, status, content_type, "
                            "content_encoding, date_done, date_created) SELECT %1, 'SUCCESS', 'application/json', "
                            "'utf-8', %2, %3 FROM %4")
                 .arg(taskId, date, base,
                      e.postgres ? QStringLiteral("generate_series(1, 3000) AS g") : QStringLiteral("seq_1_to_3000"));
    if (e.postgres)
        setup << QStringLiteral("ANALYZE django_celery_results_taskresult");
    const QStringList problems = rawSql(urlCopy, setup);
    QVERIFY2(problems.isEmpty(), qPrintable(problems.join(u' ')));
    QString error;
    auto store = openUrl(urlCopy, &error);
    QVERIFY2(store, qPrintable(error));
    QVERIFY(dynamic_cast<const SqlStore *>(store.get())->layout().dateDoneIndexed);

    TestSupport::LogCapture log("stalk.sql");
    constexpr int limit = 50;
    bool walked = false, counted = false;
    for (const bool ascending : {false, true}) {
        for (const bool dated : {false, true}) {
            TaskQuery q;
            q.sortOrder = ascending ? Qt::AscendingOrder : Qt::DescendingOrder;
            if (dated)
                q.doneAfter = QDateTime(QDate(2025, 2, 1), QTime(0, 0, 10), QTimeZone::utc());
            TaskQuery other = q;
            other.sortField = Field::RowId;
            const QString dir = ascending ? QStringLiteral("ASC") : QStringLiteral("DESC");
            // The plain OFFSET statement's rows, in the engine's own order (NULLs included).
            const QString sql = QStringLiteral("SELECT task_id FROM django_celery_results_taskresult%1 "
                                               "ORDER BY date_done %2, id %2")
                                    .arg(dated ? QStringLiteral(" WHERE date_done >= '2025-02-01 00:00:10'") : QString(), dir);
            const QStringList whole = rawSql(urlCopy, sql);
            QVERIFY(whole.size() > 2500 && !whole.constFirst().startsWith(QLatin1String("<error")));
            const qint64 n = whole.size();
            const qint64 run = whole.indexOf(ascending ? QStringLiteral("jump-01201") : QStringLiteral("jump-01500"));
            const qint64 nulls = whole.indexOf(ascending ? QStringLiteral("jump-00001") : QStringLiteral("jump-00060"));
            QVERIFY(run > 0);
            QList<qint64> offsets;
            for (qint64 o = 0; o < n; o += 113)
                offsets << o;
            for (const qint64 d : {-1, 0, 1, 100, 255, 256, 257, 280, 299, 300})
                offsets << run + d;
            if (nulls >= 0) {
                for (const qint64 d : {-limit, -1, 0, 1, 59, 60})
                    offsets << nulls + d;
            }
            offsets << n - limit << n - 1 << n;
            for (const qint64 offset : std::as_const(offsets)) {
                if (offset < 0 || offset > n)
                    continue;
                for (const bool fromLast : {false, true}) {
                    // Another query first: the pager forgets its keys, so that each jump is far.
                    QVERIFY(store->fetchPage(other, 0, 1).ok());
                    if (fromLast)
                        QCOMPARE(*store->count(q), n);
                    TestSupport::LogCapture::take();
                    const auto page = store->fetchPage(q, offset, limit);
                    QVERIFY2(page.ok(), qPrintable(page.error().message));
                    QVERIFY2(taskIdsOf(*page) == whole.mid(offset, limit),
                             qPrintable(QStringLiteral("%1%2 at %3 %4: %5, not %6")
                                            .arg(dir, dated ? QStringLiteral(" dated") : QString())
                                            .arg(offset)
                                            .arg(fromLast ? QStringLiteral("(count known)") : QString(),
                                                 taskIdsOf(*page).join(u' '), whole.mid(offset, limit).join(u' '))));
                    const QStringList lines = TestSupport::LogCapture::take();
                    const auto logged = [&](const QString &what) {
                        return std::any_of(lines.cbegin(), lines.cend(), [&](const QString &l) { return l.startsWith(what); });
                    };
                    // The rows the nearer end's walk passes (SeekPager::fromEnd()).
                    const qint64 cost = fromLast && offset < n ? std::min(offset, n - std::min<qint64>(offset + limit, n))
                                                               : offset;
                    const bool walks = logged(QStringLiteral("reading the sort values before a page"));
                    QVERIFY2(walks == (cost >= SeekPager::walkFrom),
                             qPrintable(QStringLiteral("at %1: %2").arg(offset).arg(lines.join(u'\n'))));
                    walked = walked || walks;
                    counted = counted || logged(QStringLiteral("counting the rows before a page"));
                }
            }
        }
    }
    QVERIFY(walked);
    QVERIFY(counted); // the run of 300 was counted apart at least once
}

void TestServerStore::shouldProbeASearchsFirstPageThenWalkOrScan_data()
{
    shouldJumpThroughTheSortIndexExactly_data();
}

void TestServerStore::shouldProbeASearchsFirstPageThenWalkOrScan()
{
    FETCH_ENGINE();
    QFETCH(bool, nullable);
    const QString urlCopy = copyOf(e.url);
    QVERIFY(!urlCopy.isEmpty());
    // 12,000 rows (SearchProbe reads the newest 2,000 first), dates in runs of 3, ids in
    // date order; with nulls, every 500th date is NULL (first when newest first on
    // PostgreSQL, last on MariaDB). Task names hold the words searched:
    //   fresh   every 10th row: the probe holds the first page
    //   sparse  every 100th: 20 in the probe, a walk of about 7,500 rows beats the scan
    //   rare    every 1000th: 2 in the probe, the scan beats the walk
    //   ancient the 30 oldest rows: none in the probe, the scan
    //   nowhere no row: the scan
    constexpr int rows = 12000, limit = 50;
    const QString g = e.postgres ? QStringLiteral("g") : QStringLiteral("CAST(seq AS SIGNED)");
    const QString date = e.postgres ? QStringLiteral("TIMESTAMPTZ '2025-02-01 00:00:00+00' + (g / 3) * INTERVAL '1 second'")
                                    : QStringLiteral("TIMESTAMP'2025-02-01 00:00:00' + INTERVAL (seq DIV 3) SECOND");
    const auto word = [&](const char *name, const QString &when) {
        return QStringLiteral("CASE WHEN %1 THEN '.%2' ELSE '' END").arg(when, QLatin1String(name));
    };
    const auto every = [&](int n, int r) {
        return e.postgres ? QStringLiteral("g % %1 = %2").arg(n).arg(r) : QStringLiteral("MOD(seq, %1) = %2").arg(n).arg(r);
    };
    const QStringList parts{QStringLiteral("'tasks.probe'"), word("fresh", every(10, 0)), word("sparse", every(100, 1)),
                            word("rare", every(1000, 7)), word("ancient", QStringLiteral("%1 <= 30").arg(g))};
    const QString name = e.postgres ? parts.join(QStringLiteral(" || ")) : QStringLiteral("CONCAT(%1)").arg(parts.join(u','));
    const QString dated = nullable ? QStringLiteral("CASE WHEN %1 THEN NULL ELSE %2 END").arg(every(500, 0), date) : date;
    const QString taskId = generatedTaskId(e.postgres, "probe");
    QStringList setup;
    if (nullable)
        setup << dateDoneNullable(e.postgres);
    setup << QStringLiteral("DELETE FROM django_celery_results_taskresult")
          << QStringLiteral("INSERT INTO django_celery_results_taskresult (task_id, task_name, status, content_type, "
                            "content_encoding, date_done, date_created) SELECT %1, %2, 'SUCCESS', 'application/json', "
                            "'utf-8', %3, %4 FROM %5")
                 .arg(taskId, name, dated, date,
                      e.postgres ? QStringLiteral("generate_series(1, %1) AS g").arg(rows)
                                 : QStringLiteral("seq_1_to_%1").arg(rows));
    const QStringList problems = rawSql(urlCopy, setup);
    QVERIFY2(problems.isEmpty(), qPrintable(problems.join(u' ')));
    // The statistics SearchProbe sizes its probe by (ANALYZE TABLE answers with a row).
    const QStringList analyzed = rawSql(urlCopy, e.postgres ? QStringLiteral("ANALYZE django_celery_results_taskresult")
                                                           : QStringLiteral("ANALYZE TABLE django_celery_results_taskresult"));
    QVERIFY2(analyzed.isEmpty() || !analyzed.join(u' ').contains(QLatin1String("<error")), qPrintable(analyzed.join(u' ')));
    QString error;
    auto store = openUrl(urlCopy, &error);
    QVERIFY2(store, qPrintable(error));
    QVERIFY(dynamic_cast<const SqlStore *>(store.get())->layout().dateDoneIndexed);
    QCOMPARE(SearchProbe::windowFor(*store->estimateCount(TaskQuery())), 2000);

    TestSupport::LogCapture log("stalk.sql");
    // How each word's first page is read: the probe alone, then the walk, or the scan.
    enum Read { Probe, Walk, Scan };
    const std::pair<const char *, Read> words[] = {
        {"fresh", Probe}, {"sparse", Walk}, {"rare", Scan}, {"ancient", Scan}, {"nowhere", Scan}};
    for (const auto &[term, read] : words) {
        TaskQuery q;
        q.search = QString::fromLatin1(term);
        const QStringList whole = rawSql(urlCopy, QStringLiteral("SELECT task_id FROM django_celery_results_taskresult "
                                                                 "WHERE task_name LIKE '%%1%' ORDER BY date_done DESC, id DESC")
                                                      .arg(QLatin1String(term)));
        QVERIFY(whole.isEmpty() || !whole.constFirst().startsWith(QLatin1String("<error")));
        QVERIFY(store->fetchPage(TaskQuery(), 0, 1).ok()); // another query first: the pager forgets its keys
        TestSupport::LogCapture::take();
        const auto page = store->fetchPage(q, 0, limit);
        QVERIFY2(page.ok(), qPrintable(page.error().message));
        QVERIFY2(taskIdsOf(*page) == whole.mid(0, limit),
                 qPrintable(QStringLiteral("%1: %2, not %3").arg(QLatin1String(term), taskIdsOf(*page).join(u' '),
                                                                whole.mid(0, limit).join(u' '))));
        const QStringList lines = TestSupport::LogCapture::take();
        // Statements of the page, by the clauses only each one has.
        const auto ran = [&](const QString &what) {
            return std::count_if(lines.cbegin(), lines.cend(), [&](const QString &l) {
                return l.startsWith(QLatin1String("reading results")) && l.contains(what);
            });
        };
        const QString dateDone = e.postgres ? QStringLiteral("\"date_done\"") : QStringLiteral("`date_done`");
        const qsizetype probed = ran(QStringLiteral("%1 >= ?").arg(dateDone));
        const qsizetype scanned = ran(QStringLiteral(") AS m ORDER BY "));
        const qsizetype pages = ran(QString());
        QVERIFY2(probed == 1 && scanned == (read == Scan ? 1 : 0) && pages == (read == Probe ? 1 : 2),
                 qPrintable(QStringLiteral("%1:\n%2").arg(QLatin1String(term), lines.join(u'\n'))));
        // The next page goes on from the first one's keys, and the count is the rows'.
        const auto next = store->fetchPage(q, limit, limit);
        QVERIFY2(next.ok(), qPrintable(next.error().message));
        QCOMPARE(taskIdsOf(*next), whole.mid(limit, limit));
        const auto again = store->fetchPage(q, 0, limit);
        QVERIFY2(again.ok(), qPrintable(again.error().message));
        QCOMPARE(taskIdsOf(*again), whole.mid(0, limit));
        QCOMPARE(*store->countBeforeFacets(q), qint64(whole.size()));
        const auto facets = store->facets(q);
        QVERIFY2(facets.ok(), qPrintable(facets.error().message));
    }
}

void TestServerStore::shouldSearchLikeExpectations_data()
{
    addEngineColumn();
    QTest::addColumn<QString>("term");
    QTest::addColumn<QStringList>("adminIds");
    QTest::addColumn<QStringList>("decodedIds");
    for (const Engine &e : std::as_const(m_engines)) {
        const QJsonArray searches = e.expect[QStringLiteral("search")].toArray();
        QVERIFY(!searches.isEmpty());
        int i = 0;
        for (const QJsonValue &v : searches) {
            const QJsonObject o = v.toObject();
            QTest::addRow("%s %d: %s", qPrintable(e.name), i++, qPrintable(o[QStringLiteral("term")].toString()))
                << e.name << o[QStringLiteral("term")].toString() << sorted(stringList(o[QStringLiteral("task_ids")]))
                << sorted(stringList(o[QStringLiteral("decoded_task_ids")]));
        }
    }
}

void TestServerStore::shouldSearchLikeExpectations()
{
    FETCH_ENGINE();
    QFETCH(QString, term);
    QFETCH(QStringList, adminIds);
    QFETCH(QStringList, decodedIds);
    QString error;
    auto store = openUrl(e.url, &error); // read-only use: the source database itself
    QVERIFY2(store, qPrintable(error));
    TestSupport::verifySearch(*store, term, adminIds, decodedIds);
}

void TestServerStore::shouldFilterByExceptionAmongTheRowsFoundOnce()
{
    FETCH_ENGINE();
    OPEN_COPY(store, e.url);
    // The servers cannot run Stalk's reader inside a statement: the store reads the rows that
    // may hold the exception, and the statements narrow to the ids of those that do — found
    // once per set of names, until refresh().
    const auto insert = [&](const QString &taskId, const QString &type, const QString &message) {
        return rawSql(urlCopy, QStringLiteral("INSERT INTO django_celery_results_taskresult (task_id, status, "
                                              "content_type, content_encoding, result, date_done, date_created) VALUES "
                                              "('%1', 'FAILURE', 'application/json', 'utf-8', '{\"exc_type\": \"%2\", "
                                              "\"exc_message\": [\"%3\"], \"exc_module\": \"builtins\"}', "
                                              "'2025-01-01 00:00:00', '2025-01-01 00:00:00')")
                                   .arg(taskId, type, message))
            .join(u' ');
    };
    TaskQuery q;
    q.exceptions = {QStringLiteral("KeyError")};
    const qint64 before = *store->count(q);
    QVERIFY(before > 0);
    const auto rows = store->fetchPage(q, 0, 1000, RowDetail::Full);
    QVERIFY2(rows.ok(), qPrintable(rows.error().message));
    QCOMPARE(rows->size(), before);
    for (const TaskResult &r : *rows) {
        QVERIFY2(ValueDecoder::exceptionOf(r.result, r.contentType, r.contentEncoding, r.traceback).isNamed(q.exceptions.first()),
                 qPrintable(r.taskId));
    }
    const auto facets = store->facets(q);
    QVERIFY(facets.ok());
    qint64 byStatus = 0;
    for (const FacetValue &v : facets->statuses)
        byStatus += v.count;
    QCOMPARE(byStatus, before);

    // Written after: not in the filter until refresh(); a message naming KeyError in a
    // ValueError is read but not kept.
    QCOMPARE(insert(QStringLiteral("late-keyerror"), QStringLiteral("KeyError"), QStringLiteral("c-1")), QString());
    QCOMPARE(insert(QStringLiteral("decoy-valueerror"), QStringLiteral("ValueError"), QStringLiteral("KeyError")), QString());
    // A result that names exc_type without being an exception: its traceback says which.
    QCOMPARE(rawSql(urlCopy, QStringLiteral("INSERT INTO django_celery_results_taskresult (task_id, status, content_type, "
                                            "content_encoding, result, traceback, date_done, date_created) VALUES "
                                            "('traceback-keyerror', 'FAILURE', 'application/json', 'utf-8', "
                                            "'{\"exc_type\": null, \"seen\": [1]}', 'Traceback (most recent call "
                                            "last):\n  File \"t.py\", line 1, in f\nKeyError: ''c-3''\n', "
                                            "'2025-01-01 00:00:00', '2025-01-01 00:00:00')"))
                 .join(u' '),
             QString());
    QCOMPARE(*store->count(q), before);
    QVERIFY(!store->refresh());
    QCOMPARE(*store->count(q), before + 2);

    // A purge deletes among the rows found at its preview: one written after it survives.
    PurgeCriteria criteria = criteriaFor(QStringLiteral("2100-01-01T00:00:00Z"));
    criteria.exceptions = q.exceptions;
    const auto preview = store->previewPurge(criteria);
    QVERIFY2(preview.ok(), qPrintable(preview.error().message));
    QCOMPARE(preview->total, before + 2);
    QCOMPARE(insert(QStringLiteral("after-preview"), QStringLiteral("KeyError"), QStringLiteral("c-2")), QString());
    qint64 deleted = 0;
    for (int i = 0; i < 1000; ++i) {
        const auto batch = store->purgeBatch(criteria, 2);
        QVERIFY2(batch.ok(), qPrintable(batch.error().message));
        deleted += batch->tasks;
        if (batch->finished)
            break;
    }
    QCOMPARE(deleted, before + 2);
    QVERIFY(!store->refresh());
    QCOMPARE(*store->count(q), qint64(1));
    QCOMPARE(rawSql(urlCopy, QStringLiteral("SELECT task_id FROM django_celery_results_taskresult WHERE task_id IN "
                                            "('after-preview', 'decoy-valueerror', 'late-keyerror', 'traceback-keyerror') "
                                            "ORDER BY task_id")),
             (QStringList{QStringLiteral("after-preview"), QStringLiteral("decoy-valueerror")}));
}

void TestServerStore::shouldFilterBySetsAndDates()
{
    FETCH_ENGINE();
    QString error;
    auto store = openUrl(e.url, &error);
    QVERIFY2(store, qPrintable(error));
    TestSupport::verifySetAndDateFilters(*store);
    if (QTest::currentTestFailed())
        return;

    // Every date reads back exactly as the server holds it (microseconds included).
    const QString dateText = e.postgres ? QStringLiteral("to_char(date_done, 'YYYY-MM-DD HH24:MI:SS.US')")
                                        : QStringLiteral("DATE_FORMAT(date_done, '%Y-%m-%d %H:%i:%s.%f')");
    const QStringList raw = rawSql(e.url, QStringLiteral("SELECT %1 FROM django_celery_results_taskresult ORDER BY id")
                                              .arg(dateText));
    TaskQuery byId;
    byId.sortField = Field::RowId;
    byId.sortOrder = Qt::AscendingOrder;
    const auto ordered = store->fetchPage(byId, 0, 1000);
    QCOMPARE(raw.size(), ordered->size());
    for (int i = 0; i < raw.size(); ++i) {
        bool ok = false;
        const qint64 us = micros(raw[i], &ok);
        QVERIFY2(ok, qPrintable(raw[i]));
        QCOMPARE(ordered->at(i).dateDone.toMSecsSinceEpoch(), us / 1000);
    }
}

void TestServerStore::shouldKeepDatabaseIntactUnderInjection_data()
{
    addEngineColumn();
    QTest::addColumn<QString>("text");
    for (const Engine &e : std::as_const(m_engines)) {
        const QByteArray n = e.name.toLatin1();
        QTest::addRow("%s quote or", n.constData()) << e.name << "x' OR '1'='1";
        QTest::addRow("%s drop table", n.constData()) << e.name << "'; DROP TABLE django_celery_results_taskresult; --";
        QTest::addRow("%s backtick", n.constData()) << e.name << "`; DROP TABLE django_celery_results_taskresult; --";
        QTest::addRow("%s dollar quote", n.constData()) << e.name << "$$; DROP TABLE django_celery_results_taskresult; --";
        QTest::addRow("%s wildcards", n.constData()) << e.name << "%_%";
        QTest::addRow("%s escape chars", n.constData()) << e.name << "!% \\% \\\\ !!";
        QTest::addRow("%s backslash quote", n.constData()) << e.name << "\\' \\\" \\\\";
    }
}

void TestServerStore::shouldKeepDatabaseIntactUnderInjection()
{
    FETCH_ENGINE();
    QFETCH(QString, text);
    OPEN_COPY(store, e.url);
    const qint64 before = *store->count({});
    TaskQuery q;
    q.search = text;
    q.statuses = {text};
    q.taskNames = {text, QString()};
    q.workers = {text};
    q.periodicTaskNames = {text};
    q.sortField = Field::TaskName;
    const auto count = store->count(q);
    QVERIFY2(count.ok(), qPrintable(count.error().message));
    QCOMPARE(*count, qint64(0));
    QVERIFY(store->fetchPage(q, 0, 10).ok());
    QVERIFY(store->facets(q).ok());
    QCOMPARE(store->fetchByTaskId(text).error().code, StoreError::Code::NotFound);
    TaskQuery searchOnly;
    searchOnly.search = text;
    QVERIFY(store->count(searchOnly).ok());
    PurgeCriteria narrowed = criteriaFor(QStringLiteral("2024-01-01T00:00:00Z"));
    narrowed.statuses = {text};
    narrowed.taskNames = {text};
    QVERIFY(store->previewPurge(narrowed).ok());
    const auto batch = store->purgeBatch(narrowed, 100);
    QVERIFY2(batch.ok(), qPrintable(batch.error().message));
    QCOMPARE(batch->tasks, qint64(0));
    QCOMPARE(*store->count({}), before);
    QCOMPARE(rawSql(urlCopy, QStringLiteral("SELECT COUNT(*) FROM django_celery_results_taskresult")),
             QStringList{QString::number(before)});
}

void TestServerStore::shouldReturnSummaryAndFullRows()
{
    FETCH_ENGINE();
    const QString url = copyOf(e.url);
    QVERIFY(!url.isEmpty());
    const QString longArgs = QStringLiteral("\"(%1)\"").arg(QString(1000, u'é'));
    const QStringList update = rawSql(url, QStringLiteral("UPDATE django_celery_results_taskresult SET task_args = '%1', "
                                                          "result = '%2' WHERE id = (SELECT MIN(id) FROM (SELECT id FROM "
                                                          "django_celery_results_taskresult) AS x)")
                                               .arg(longArgs, QString(3000, u'r')));
    QVERIFY2(update.isEmpty(), qPrintable(update.join(u' ')));
    QString error;
    auto store = openUrl(url, &error);
    QVERIFY2(store, qPrintable(error));
    TestSupport::verifySummaryAndFullRows(*store, longArgs);
}

void TestServerStore::shouldFetchByIdAndTaskId()
{
    FETCH_ENGINE();
    QString error;
    auto store = openUrl(e.url, &error);
    QVERIFY2(store, qPrintable(error));
    const QString taskId = QStringLiteral("0a31d0ae-8110-5b24-8280-e4143344ad20");
    const auto row = store->fetchByTaskId(taskId);
    QVERIFY2(row.ok(), qPrintable(row.error().message));
    QCOMPARE(row->taskId, taskId);
    QCOMPARE(row->status, QStringLiteral("FAILURE"));
    QCOMPARE(row->dateDone, QDateTime(QDate(2025, 1, 1), QTime(0, 0), Qt::UTC));
    QVERIFY(row->dateCreated.isValid() && row->dateCreated < row->dateDone);
    QVERIFY(row->traceback.contains(QLatin1String("Traceback")));
    QCOMPARE(row->contentType, QStringLiteral("application/json"));
    QVERIFY(row->complete);
    QCOMPARE(*store->fetchOne(row->rowId), *row);
    // Unicode written by the worker comes back intact.
    const auto zoe = store->fetchPage([] {
        TaskQuery q;
        q.search = QString::fromUtf8("zoë");
        return q;
    }(), 0, 100, RowDetail::Full);
    QVERIFY(zoe.ok());
    QVERIFY(!zoe->isEmpty());
    QCOMPARE(store->fetchByTaskId(QStringLiteral("no-such-task")).error().code, StoreError::Code::NotFound);
    QCOMPARE(store->fetchOne(987654).error().code, StoreError::Code::NotFound);
}

void TestServerStore::shouldFindQuickMatchesByTaskIdPrefix()
{
    FETCH_ENGINE();
    QString error;
    auto store = openUrl(e.url, &error);
    QVERIFY2(store, qPrintable(error));
    const QString taskId = QStringLiteral("0a31d0ae-8110-5b24-8280-e4143344ad20");
    for (const QString &term : {taskId.left(8), taskId.left(13).toUpper()}) {
        TaskQuery q;
        q.search = term;
        const auto quick = store->fetchQuickMatches(q, 200);
        QVERIFY2(quick.ok(), qPrintable(quick.error().message));
        QStringList quickIds;
        for (const TaskResult &row : *quick)
            quickIds << row.taskId;
        QVERIFY2(quickIds.contains(taskId), qPrintable(term));
        // A subset of the full answer, in its order.
        const auto full = store->fetchPage(q, 0, 1000, RowDetail::Summary);
        QVERIFY(full.ok());
        QStringList fullIds;
        for (const TaskResult &row : *full)
            fullIds << row.taskId;
        qsizetype at = -1;
        for (const QString &id : quickIds) {
            QVERIFY2(fullIds.indexOf(id) > at, qPrintable(id));
            at = fullIds.indexOf(id);
        }
    }
    TaskQuery injection;
    injection.search = QStringLiteral("0a31'--");
    const auto none = store->fetchQuickMatches(injection, 200);
    QVERIFY2(none.ok(), qPrintable(none.error().message));
    QVERIFY(none->isEmpty());
}

void TestServerStore::shouldEstimateRowsFromServerStatistics()
{
    FETCH_ENGINE();
    OPEN_COPY(store, e.url);
    auto *sql = dynamic_cast<SqlStore *>(store.get());
    QVERIFY(sql);
    const QStringList analyzed = rawSql(urlCopy, e.postgres ? QStringLiteral("ANALYZE django_celery_results_taskresult")
                                                           : QStringLiteral("ANALYZE TABLE django_celery_results_taskresult"));
    QVERIFY(analyzed.isEmpty() || !analyzed.constFirst().startsWith(QLatin1String("<error")));
    const auto estimate = sql->estimatedTotal();
    QVERIFY2(estimate.ok(), qPrintable(estimate.error().message));
    // Statistics are approximate by nature (InnoDB samples pages); on 50 rows they are close.
    QVERIFY2(*estimate >= 25 && *estimate <= 100, qPrintable(QString::number(*estimate)));
    QCOMPARE(*store->count({}), qint64(50));
}

// --- purging ---------------------------------------------------------------------------------

void TestServerStore::shouldPurgeExactlyUpstreamsExpiredSet_data()
{
    addEngineColumn();
    QTest::addColumn<QString>("cutoff");
    QTest::addColumn<QStringList>("expiredTasks");
    QTest::addColumn<QStringList>("expiredGroups");
    QTest::addColumn<int>("batchSize");
    for (const Engine &e : std::as_const(m_engines)) {
        const QJsonArray expired = e.expect[QStringLiteral("expired")].toArray();
        QVERIFY(!expired.isEmpty());
        for (int batch : {1, 7, 1000}) {
            for (const QJsonValue &v : expired) {
                const QJsonObject o = v.toObject();
                QTest::addRow("%s %s batch %d", qPrintable(e.name), qPrintable(o[QStringLiteral("cutoff")].toString()), batch)
                    << e.name << o[QStringLiteral("cutoff")].toString() << sorted(stringList(o[QStringLiteral("task_ids")]))
                    << sorted(stringList(o[QStringLiteral("group_ids")])) << batch;
            }
        }
    }
}

void TestServerStore::shouldPurgeExactlyUpstreamsExpiredSet()
{
    FETCH_ENGINE();
    QFETCH(QString, cutoff);
    QFETCH(QStringList, expiredTasks);
    QFETCH(QStringList, expiredGroups);
    QFETCH(int, batchSize);
    OPEN_COPY(store, e.url);
    TestSupport::verifyPurgeInBatches(
        *store, criteriaFor(cutoff), batchSize, expiredTasks, expiredGroups,
        [&] { return remaining(urlCopy, QStringLiteral("SELECT task_id FROM django_celery_results_taskresult")); },
        [&] { return remaining(urlCopy, QStringLiteral("SELECT group_id FROM django_celery_results_groupresult")); });
}

void TestServerStore::shouldPurgeSafelyWhileARealWorkerWrites()
{
    FETCH_ENGINE();
    const QString writer = e.env("_LIVE_WRITER");
    if (writer.isEmpty()) {
        if (qEnvironmentVariableIntValue("STALK_REQUIRE_SERVERS") == 1)
            QFAIL(qPrintable(e.prefix + QStringLiteral("_LIVE_WRITER is not set")));
        QSKIP("no live writer (run under tools/servers/with_*.sh)");
    }
    const QString url = copyOf(e.url);
    QVERIFY(!url.isEmpty());
    // Upstream's get_all_expired set at the cutoff below, computed by the real ORM on this
    // server: the fixture rows it names go, the others stay.
    const QString cutoff = QStringLiteral("2025-03-02T00:00:00Z");
    QStringList upstreamExpired;
    for (const QJsonValue &v : e.expect[QStringLiteral("expired")].toArray()) {
        if (v.toObject()[QStringLiteral("cutoff")].toString() == cutoff)
            upstreamExpired = sorted(stringList(v.toObject()[QStringLiteral("task_ids")]));
    }
    QVERIFY2(!upstreamExpired.isEmpty(), qPrintable(QStringLiteral("no expired set for ") + cutoff));
    QStringList kept = remaining(url, QStringLiteral("SELECT task_id FROM django_celery_results_taskresult"));
    for (const QString &id : std::as_const(upstreamExpired))
        QVERIFY2(kept.removeOne(id), qPrintable(id));
    // Many expired rows, so that the purge takes many batches while the worker writes.
    const QString bulk =
        e.postgres
            ? QStringLiteral("INSERT INTO django_celery_results_taskresult (task_id, status, content_type, content_encoding, "
                             "date_done, date_created) SELECT 'old-' || x, 'SUCCESS', 'application/json', 'utf-8', "
                             "'2025-01-01', '2025-01-01' FROM generate_series(1, 20000) AS x")
            : QStringLiteral("INSERT INTO django_celery_results_taskresult (task_id, status, content_type, content_encoding, "
                             "date_done, date_created) WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c "
                             "WHERE x < 20000) SELECT CONCAT('old-', x), 'SUCCESS', 'application/json', 'utf-8', "
                             "'2025-01-01', '2025-01-01' FROM c");
    const QStringList inserted = rawSql(url, e.postgres ? QStringList{bulk}
                                                        : QStringList{QStringLiteral("SET SESSION max_recursive_iterations = 1000000"), bulk});
    QVERIFY2(inserted.isEmpty(), qPrintable(inserted.join(u' ')));
    QString error;
    auto store = openUrl(url, &error);
    QVERIFY2(store, qPrintable(error));

    TestSupport::LiveWriter live;
    QVERIFY(live.start(writer, {QStringLiteral("--server-url"), url, QStringLiteral("--broker"), e.env("_LIVE_BROKER"),
                                QStringLiteral("--workdir"), e.env("_LIVE_WORKDIR")}));
    QVERIFY2(live.waitFor("WRITING\n"), live.output().constData()); // the worker has stored a first wave

    // Every bulk row is older than this; the live rows are not.
    const PurgeCriteria criteria = criteriaFor(cutoff);
    QVERIFY(live.isRunning());
    qint64 deleted = 0;
    int batches = 0;
    bool finished = false;
    while (!finished) {
        QVERIFY(++batches < 2000);
        const auto batch = store->purgeBatch(criteria, 50);
        QVERIFY2(batch.ok(), qPrintable(batch.error().message));
        deleted += batch->tasks;
        finished = batch->finished;
    }
    const bool overlapped = live.isRunning();
    QVERIFY2(live.waitFor("DONE "), live.output().constData());
    QCOMPARE(live.finish(), 0);
    const QStringList liveIds = live.ids("DONE");
    QCOMPARE(liveIds.size(), 300);
    QCOMPARE(deleted, qint64(20000 + upstreamExpired.size()));
    if (!overlapped)
        qWarning("the worker finished before the purge did: the overlap was shorter than planned");

    // Nothing the worker wrote was lost, exactly upstream's expired set and the bulk rows are
    // gone, and every live row is final.
    QCOMPARE(remaining(url, QStringLiteral("SELECT task_id FROM django_celery_results_taskresult")), sorted(liveIds + kept));
    const QStringList unfinished = rawSql(url, QStringLiteral("SELECT CONCAT(task_id, ' ', status, ' ', date_done, ' ', "
                                                              "COALESCE(LEFT(result, 200), '')) FROM django_celery_results_taskresult "
                                                              "WHERE status <> 'SUCCESS'"));
    QVERIFY2(unfinished.isEmpty(), qPrintable(unfinished.join(u'\n')));
    const auto again = store->purgeBatch(criteria, 50);
    QVERIFY(again.ok());
    QCOMPARE(again->tasks, qint64(0));
}

void TestServerStore::shouldPurgeOnlyNarrowedRowsAndNoGroups()
{
    FETCH_ENGINE();
    OPEN_COPY(store, e.url);
    PurgeCriteria criteria = criteriaFor(QStringLiteral("2025-02-14T12:00:00.500000Z"));
    criteria.statuses = {QStringLiteral("FAILURE"), QStringLiteral("REVOKED")};
    criteria.taskNames = {QStringLiteral("proj.billing.charge_invoice"), QStringLiteral("proj.mail.send_welcome"),
                          QStringLiteral("proj.tasks.parse_amount")};
    const QString tasksSql = QStringLiteral("SELECT task_id FROM django_celery_results_taskresult");
    const QStringList expected = remaining(
        urlCopy, tasksSql + QStringLiteral(" WHERE date_done < '2025-02-14 12:00:00.500000' AND status IN ('FAILURE', "
                                           "'REVOKED') AND task_name IN ('proj.billing.charge_invoice', "
                                           "'proj.mail.send_welcome', 'proj.tasks.parse_amount')"));
    TestSupport::verifyNarrowedPurge(*store, criteria, expected, [&] { return remaining(urlCopy, tasksSql); }, [&] {
        return rawSql(urlCopy, QStringLiteral("SELECT COUNT(*) FROM django_celery_results_groupresult"));
    });
}

void TestServerStore::shouldPurgeInBatchesAcrossEqualDates()
{
    FETCH_ENGINE();
    OPEN_COPY(store, e.url);
    // Django's migrate schema indexes date_done in both tables; the catalog read at open says
    // so, and the batches walk those indexes (else they would fall back to id order).
    const auto *sql = dynamic_cast<const SqlStore *>(store.get());
    QVERIFY(sql);
    QVERIFY(sql->layout().dateDoneIndexed);
    QVERIFY(sql->layout().groupDateDoneIndexed);
    TestSupport::verifyPurgeAcrossEqualDates(
        *store, [&](const QStringList &statements) { return rawSql(urlCopy, statements).join(u' '); },
        [&] { return remaining(urlCopy, QStringLiteral("SELECT task_id FROM django_celery_results_taskresult")); },
        [&] { return remaining(urlCopy, QStringLiteral("SELECT group_id FROM django_celery_results_groupresult")); });
}

void TestServerStore::shouldDeleteExactlyTheGivenRows()
{
    FETCH_ENGINE();
    OPEN_COPY(store, e.url);
    const QString tasksSql = QStringLiteral("SELECT task_id FROM django_celery_results_taskresult");
    const QStringList before = remaining(urlCopy, tasksSql);
    const QStringList ids = rawSql(urlCopy, QStringLiteral("SELECT id FROM django_celery_results_taskresult ORDER BY id"));
    QCOMPARE(ids.size(), 50);
    const qint64 a = ids[2].toLongLong(), b = ids[13].toLongLong(), c = ids[49].toLongLong();
    const QStringList doomed = rawSql(urlCopy, tasksSql + QStringLiteral(" WHERE id IN (%1, %2, %3)").arg(a).arg(b).arg(c));
    QCOMPARE(doomed.size(), 3);
    const auto batch = store->deleteRows({a, b, b, c, 987654});
    QVERIFY2(batch.ok(), qPrintable(batch.error().message));
    QCOMPARE(batch->tasks, qint64(3));
    QStringList left = before;
    for (const QString &id : doomed)
        left.removeOne(id);
    QCOMPARE(remaining(urlCopy, tasksSql), left);
    QCOMPARE(store->fetchOne(b).error().code, StoreError::Code::NotFound);
    QVector<qint64> many;
    for (qint64 id = 1; id <= 2500; ++id)
        many << id;
    const auto all = store->deleteRows(many);
    QVERIFY2(all.ok(), qPrintable(all.error().message));
    QCOMPARE(all->tasks, qint64(left.size()));
    QCOMPARE(*store->count({}), qint64(0));
}

void TestServerStore::shouldRefuseDeletesWhenReadOnly()
{
    FETCH_ENGINE();
    const QString url = copyOf(e.url);
    QVERIFY(!url.isEmpty());
    QString error;
    auto store = openUrl(url + QStringLiteral("?readonly=1"), &error);
    QVERIFY2(store, qPrintable(error));
    QVERIFY(store->info().readOnly);
    const qint64 before = *store->count({});
    const PurgeCriteria criteria = criteriaFor(QStringLiteral("2100-01-01T00:00:00Z"));
    QCOMPARE(store->previewPurge(criteria)->total, before);
    QCOMPARE(store->purgeBatch(criteria, 100).error().code, StoreError::Code::PermissionDenied);
    QCOMPARE(store->deleteRows({1, 2}).error().code, StoreError::Code::PermissionDenied);
    QCOMPARE(rawSql(url, QStringLiteral("SELECT COUNT(*) FROM django_celery_results_taskresult")),
             QStringList{QString::number(before)});
}

// --- celery_taskmeta -------------------------------------------------------------------------

void TestServerStore::shouldReadCeleryTaskMetaAsBase64Pickle()
{
    FETCH_ENGINE();
    const QString url = e.env("_TASKMETA_URL");
    QString error;
    auto store = openUrl(url, &error);
    QVERIFY2(store, qPrintable(error));
    const QString taskId = QStringLiteral("218aa114-3539-583b-be9f-acf5f1a33a75");
    const auto row = store->fetchByTaskId(taskId);
    QVERIFY2(row.ok(), qPrintable(row.error().message));
    QCOMPARE(row->contentEncoding, QStringLiteral("binary"));
    QCOMPARE(row->contentType, QStringLiteral("application/x-python-pickle"));
    const QByteArray pickle = QByteArray::fromBase64(row->result.toLatin1());
    const QString hexSql = e.postgres ? QStringLiteral("SELECT encode(result, 'hex') FROM celery_taskmeta WHERE task_id = '%1'")
                                      : QStringLiteral("SELECT LOWER(HEX(result)) FROM celery_taskmeta WHERE task_id = '%1'");
    QCOMPARE(QString::fromLatin1(pickle.toHex()), rawSql(url, hexSql.arg(taskId)).value(0));
    QCOMPARE(quint8(pickle.at(0)), quint8(0x80));
    QCOMPARE(row->taskName, QStringLiteral("proj.tasks.echo"));
    QVERIFY(row->args.contains(QLatin1String("Zo\\u00eb")));
    QCOMPARE(row->worker, QStringLiteral("alpha@stalk-fixtures"));
    QCOMPARE(row->queue, QStringLiteral("celery"));
    QCOMPARE(row->retries, 0);
    QVERIFY(row->dateDone.isValid());
    TaskQuery q;
    q.search = QString::fromUtf8("ZOË");
    QVERIFY(*store->count(q) >= 1);
    const auto page = store->fetchPage({}, 0, 100);
    QVERIFY2(page.ok(), qPrintable(page.error().message));
    QCOMPARE(page->size(), 50);
    for (const TaskResult &r : *page) {
        QVERIFY(r.result.size() <= ResultStore::previewChars);
        QCOMPARE(r.contentEncoding, QStringLiteral("binary"));
    }
    const auto facets = store->facets({});
    QVERIFY(facets.ok());
    QCOMPARE(countsOf(facets->statuses),
             countsOf(e.expect[QStringLiteral("counts")].toObject()[QStringLiteral("status")].toObject()));
}

void TestServerStore::shouldReadARenamedCeleryTable()
{
    FETCH_ENGINE();
    // Celery's database_table_names setting renames the tables.
    const QString url = copyOf(e.env("_TASKMETA_URL"));
    QVERIFY(!url.isEmpty());
    const QStringList renamed = rawSql(url, e.postgres ? QStringLiteral("ALTER TABLE celery_taskmeta RENAME TO myapp_results")
                                                       : QStringLiteral("RENAME TABLE celery_taskmeta TO myapp_results"));
    QVERIFY2(renamed.isEmpty(), qPrintable(renamed.join(u' ')));
    QString error;
    QVERIFY(!openUrl(url, &error));
    QVERIFY2(error.contains(QLatin1String("no Celery result tables")), qPrintable(error));
    auto store = openUrl(url + QStringLiteral("?table=myapp_results"), &error);
    QVERIFY2(store, qPrintable(error));
    QCOMPARE(store->info().layout, StoreInfo::Layout::CeleryTaskMeta);
    QCOMPARE(store->info().tableName, QStringLiteral("myapp_results"));
    QCOMPARE(*store->count({}), qint64(50));
    const auto batch = store->purgeBatch(criteriaFor(QStringLiteral("2025-01-15T00:00:00Z")), 100);
    QVERIFY2(batch.ok(), qPrintable(batch.error().message));
    QVERIFY(batch->tasks > 0);
    QCOMPARE(rawSql(url, QStringLiteral("SELECT COUNT(*) FROM myapp_results")).value(0),
             QString::number(50 - batch->tasks));
}

void TestServerStore::shouldPurgeCeleryTaskMetaLikeCelery_data()
{
    addEngineColumn();
    QTest::addColumn<QString>("which");
    QTest::addColumn<QString>("cutoff");
    for (const Engine &e : std::as_const(m_engines)) {
        const QJsonArray expired = e.expect[QStringLiteral("expired")].toArray();
        for (const char *which : {"_TASKMETA_URL", "_TASKMETA_PLAIN_URL"}) {
            for (const QJsonValue &v : expired) {
                const QString cutoff = v.toObject()[QStringLiteral("cutoff")].toString();
                QTest::addRow("%s%s %s", qPrintable(e.name), which, qPrintable(cutoff))
                    << e.name << QString::fromLatin1(which) << cutoff;
            }
        }
    }
}

void TestServerStore::shouldPurgeCeleryTaskMetaLikeCelery()
{
    FETCH_ENGINE();
    QFETCH(QString, which);
    QFETCH(QString, cutoff);
    const QString url = copyOf(e.env(qPrintable(which)));
    QVERIFY(!url.isEmpty());
    // Expected sets by comparing microsecond values, independent of text rendering.
    const QString dateText = e.postgres ? QStringLiteral("COALESCE(to_char(date_done, 'YYYY-MM-DD HH24:MI:SS.US'), '')")
                                        : QStringLiteral("COALESCE(DATE_FORMAT(date_done, '%Y-%m-%d %H:%i:%s.%f'), '')");
    auto keysAndDates = [&](const QString &table, const QString &key) {
        return rawSql(url, QStringLiteral("SELECT CONCAT(%1, '|', %2) FROM %3").arg(key, dateText, table));
    };
    const QStringList tasksLeft =
        TestSupport::keysNotExpired(keysAndDates(QStringLiteral("celery_taskmeta"), QStringLiteral("task_id")), cutoff);
    const QStringList groupsLeft =
        TestSupport::keysNotExpired(keysAndDates(QStringLiteral("celery_tasksetmeta"), QStringLiteral("taskset_id")), cutoff);
    QString error;
    auto store = openUrl(url, &error);
    QVERIFY2(store, qPrintable(error));
    TestSupport::verifyPurgeLeaves(
        *store, criteriaFor(cutoff), tasksLeft, groupsLeft,
        [&] { return remaining(url, QStringLiteral("SELECT task_id FROM celery_taskmeta")); },
        [&] { return remaining(url, QStringLiteral("SELECT taskset_id FROM celery_tasksetmeta")); });
}

// --- time zones ------------------------------------------------------------------------------

void TestServerStore::shouldReadNaiveDatesInANamedTimeZoneAcrossDst()
{
    FETCH_ENGINE();
    // Naive columns: MariaDB datetime(6) (Django), PostgreSQL timestamp (celery_taskmeta).
    const QString source = e.postgres ? e.env("_TASKMETA_URL") : e.url;
    const QString table = e.postgres ? QStringLiteral("celery_taskmeta") : QStringLiteral("django_celery_results_taskresult");
    const QString url = copyOf(source);
    QVERIFY(!url.isEmpty());
    const QStringList ids =
        rawSql(url, QStringLiteral("SELECT task_id FROM %1 WHERE date_done IS NOT NULL ORDER BY id").arg(table)).mid(0, 4);
    QCOMPARE(ids.size(), 4);
    // Wall-clock values a Django app with USE_TZ=False and TIME_ZONE='Europe/Paris' writes
    // around both 2025 DST changes (30 March 02:00 -> 03:00, 26 October 03:00 -> 02:00).
    const QStringList local{QStringLiteral("2025-03-30 01:30:00"), QStringLiteral("2025-03-30 03:30:00"),
                            QStringLiteral("2025-10-26 00:30:00"), QStringLiteral("2025-10-26 03:30:00")};
    const QVector<QDateTime> utc{QDateTime(QDate(2025, 3, 30), QTime(0, 30), Qt::UTC),
                                 QDateTime(QDate(2025, 3, 30), QTime(1, 30), Qt::UTC),
                                 QDateTime(QDate(2025, 10, 25), QTime(22, 30), Qt::UTC),
                                 QDateTime(QDate(2025, 10, 26), QTime(2, 30), Qt::UTC)};
    QStringList updates;
    for (int i = 0; i < 4; ++i)
        updates << QStringLiteral("UPDATE %1 SET date_done = '%2' WHERE task_id = '%3'").arg(table, local[i], ids[i]);
    const QStringList updated = rawSql(url, updates);
    QVERIFY2(updated.isEmpty(), qPrintable(updated.join(u' ')));

    QString error;
    auto store = openUrl(url + QStringLiteral("?timezone=Europe/Paris"), &error);
    QVERIFY2(store, qPrintable(error));
    auto plain = openUrl(url, &error);
    QVERIFY2(plain, qPrintable(error));
    for (int i = 0; i < 4; ++i) {
        const auto row = store->fetchByTaskId(ids[i]);
        QVERIFY2(row.ok(), qPrintable(row.error().message));
        QCOMPARE(row->dateDone, utc[i]);
        QCOMPARE(row->dateDone.timeSpec(), Qt::UTC);
        // Without the option the same value reads as UTC wall clock.
        QCOMPARE(plain->fetchByTaskId(ids[i])->dateDone,
                 QDateTime(QDate::fromString(local[i].left(10), Qt::ISODate), QTime::fromString(local[i].mid(11)), Qt::UTC));
    }
    // Filters take instants: the hour after the spring change holds exactly the 03:30 row.
    TaskQuery q;
    q.doneAfter = QDateTime(QDate(2025, 3, 30), QTime(1, 0), Qt::UTC);
    q.doneBefore = QDateTime(QDate(2025, 3, 30), QTime(2, 0), Qt::UTC);
    const auto hour = store->fetchPage(q, 0, 100);
    QVERIFY(hour.ok());
    QCOMPARE(taskIdsOf(*hour), QStringList{ids[1]});
    q.doneAfter = QDateTime(QDate(2025, 10, 25), QTime(22, 0), Qt::UTC);
    q.doneBefore = QDateTime(QDate(2025, 10, 26), QTime(3, 0), Qt::UTC);
    QCOMPARE(sorted(taskIdsOf(*store->fetchPage(q, 0, 100))), sorted({ids[2], ids[3]}));

    // A purge cutoff at 01:00 UTC on the spring day is 03:00 Paris wall clock: upstream's
    // naive "date_done < cutoff" takes the 01:30 row and leaves the 03:30 one.
    const PurgeCriteria criteria = criteriaFor(QStringLiteral("2025-03-30T01:00:00Z"));
    const QString upstream =
        rawSql(url, QStringLiteral("SELECT COUNT(*) FROM %1 WHERE date_done < '2025-03-30 03:00:00'").arg(table)).value(0);
    QCOMPARE(QString::number(store->previewPurge(criteria)->total), upstream);
    bool finished = false;
    for (int i = 0; i < 100 && !finished; ++i) {
        const auto batch = store->purgeBatch(criteria, 10);
        QVERIFY2(batch.ok(), qPrintable(batch.error().message));
        finished = batch->finished;
    }
    QVERIFY(finished);
    const QStringList left = rawSql(url, QStringLiteral("SELECT task_id FROM %1").arg(table));
    QVERIFY(!left.contains(ids[0]));
    QVERIFY(left.contains(ids[1]) && left.contains(ids[2]) && left.contains(ids[3]));

    if (e.postgres) {
        // timestamptz holds instants: the option changes nothing there.
        auto django = openUrl(e.url + QStringLiteral("?timezone=Europe/Paris"), &error);
        QVERIFY2(django, qPrintable(error));
        QCOMPARE(django->fetchByTaskId(QStringLiteral("0a31d0ae-8110-5b24-8280-e4143344ad20"))->dateDone,
                 QDateTime(QDate(2025, 1, 1), QTime(0, 0), Qt::UTC));
    }
    const auto bad = makeStoreFactory(e.url + QStringLiteral("?timezone=Mars/Olympus_Mons"));
    QCOMPARE(bad.error().code, StoreError::Code::InvalidUrl);
    QVERIFY2(!bad.error().message.contains(QLatin1String("secret")), qPrintable(bad.error().message));
}

void TestServerStore::shouldReadTablesInANamedPostgresSchema()
{
    const Engine *pg = postgresEngine();
    if (!pg)
        QSKIP("no PostgreSQL server");
    const QString url = copyOf(pg->url);
    QVERIFY(!url.isEmpty());
    const QStringList moved = rawSql(url, {QStringLiteral("CREATE SCHEMA \"Celery Results\""),
                                           QStringLiteral("ALTER TABLE django_celery_results_taskresult SET SCHEMA \"Celery Results\""),
                                           QStringLiteral("ALTER TABLE django_celery_results_groupresult SET SCHEMA \"Celery Results\"")});
    QVERIFY2(moved.isEmpty(), qPrintable(moved.join(u' ')));
    QString error;
    QVERIFY(!openUrl(url, &error));
    QVERIFY2(error.contains(QLatin1String("no Celery result tables")), qPrintable(error));
    {
        // Among the Django project's many tables (more than one catalog round trip asks for),
        // an empty DatabaseCache table, as Django's createcachetable makes it, is found.
        const QStringList created = rawSql(url, {QStringLiteral("CREATE TABLE stalk_cache (cache_key varchar(255) PRIMARY KEY, "
                                                                "value text NOT NULL, expires timestamp with time zone NOT NULL)")});
        QVERIFY2(created.isEmpty(), qPrintable(created.join(u' ')));
        QVERIFY(rawSql(url, QStringLiteral("SELECT COUNT(*) FROM information_schema.tables WHERE table_schema = 'public'"))
                    .value(0)
                    .toInt()
                > 5);
        auto cache = openUrl(url, &error);
        QVERIFY2(cache, qPrintable(error));
        QCOMPARE(cache->info().layout, StoreInfo::Layout::DjangoCache);
        QCOMPARE(*cache->count({}), qint64(0));
        QVERIFY(rawSql(url, {QStringLiteral("DROP TABLE stalk_cache")}).isEmpty());
    }
    auto store = openUrl(url + QStringLiteral("?schema=Celery%20Results"), &error);
    QVERIFY2(store, qPrintable(error));
    QVERIFY(store->info().hasGroups);
    QCOMPARE(*store->count({}), qint64(50));
    TaskQuery q;
    q.search = QStringLiteral("charge");
    QVERIFY(*store->count(q) > 0);
}

void TestServerStore::shouldReadThePostgresCatalogAsInformationSchemaLists()
{
    // PostgresDialect reads pg_catalog (a new connection's cold caches make
    // information_schema's views slow); what it reads must be what information_schema lists.
    const Engine *pg = postgresEngine();
    if (!pg)
        QSKIP("no PostgreSQL server");
    const QString url = copyOf(pg->url);
    QVERIFY(!url.isEmpty());
    // Beside Django's tables: a domain (with its own NOT NULL and length), an array, an enum, a
    // view, char(n), a dropped column, a partial and an expression index.
    const QStringList made = rawSql(url, {
        QStringLiteral("CREATE DOMAIN stalk_short AS varchar(40) NOT NULL"),
        QStringLiteral("CREATE TYPE stalk_mood AS ENUM ('ok', 'sad')"),
        QStringLiteral("CREATE TABLE celery_taskmeta (id serial PRIMARY KEY, task_id stalk_short, tags text[], "
                       "mood stalk_mood, code char(3), gone int, status varchar(50), date_done timestamp, "
                       "result bytea, traceback text)"),
        QStringLiteral("ALTER TABLE celery_taskmeta DROP COLUMN gone"),
        QStringLiteral("CREATE INDEX ON celery_taskmeta (status) WHERE status <> 'SUCCESS'"),
        QStringLiteral("CREATE INDEX ON celery_taskmeta (lower(code))"),
        QStringLiteral("CREATE INDEX ON celery_taskmeta (date_done, id)"),
        QStringLiteral("CREATE VIEW celery_tasksetmeta AS SELECT id, task_id AS taskset_id FROM celery_taskmeta"),
    });
    QVERIFY2(made.isEmpty(), qPrintable(made.join(u' ')));
    const QStringList asked{QStringLiteral("django_celery_results_taskresult"), QStringLiteral("celery_taskmeta"),
                            QStringLiteral("celery_tasksetmeta"), QStringLiteral("django_celery_results_groupresult"),
                            QStringLiteral("django_migrations")};
    // The reference: information_schema, as the dialect read it before.
    QString names;
    for (const QString &n : asked)
        names += (names.isEmpty() ? QStringLiteral("'") : QStringLiteral(", '")) + n + u'\'';
    const QStringList wanted = rawSql(
        url,
        QStringLiteral("SELECT concat_ws('|', 0, table_name, '', '', '', 0, false, false, false) FROM information_schema.tables "
                       "WHERE table_schema = current_schema() UNION ALL "
                       "SELECT concat_ws('|', 1, c.table_name, c.column_name, c.data_type, "
                       "coalesce(c.character_maximum_length::text, ''), c.ordinal_position, "
                       "false, c.is_nullable = 'NO', EXISTS(SELECT 1 FROM pg_index x JOIN pg_class t ON t.oid = x.indrelid "
                       "JOIN pg_attribute a ON a.attrelid = t.oid AND a.attnum = x.indkey[0] WHERE t.relname = c.table_name "
                       "AND t.relnamespace = current_schema()::regnamespace AND a.attname = c.column_name AND x.indpred IS NULL)) "
                       "FROM information_schema.columns c WHERE c.table_schema = current_schema() AND c.table_name IN (%1)")
            .arg(names));
    QVERIFY2(!wanted.isEmpty() && !wanted.constFirst().startsWith(QLatin1String("<error")), qPrintable(wanted.value(0)));
    // The dialect's reading, in the same form (its types as SqlLayout reads them, mapped back).
    PostgresDialect dialect(StoreUrl::parse(url).value(), true);
    const QString connection = connectionName();
    QStringList read;
    {
        QVERIFY(!dialect.connect(connection).isError());
        QSqlDatabase db = QSqlDatabase::database(connection);
        const Outcome<SqlCatalog> catalog = dialect.catalog(db, asked);
        QVERIFY2(catalog.ok(), catalog.ok() ? "" : qPrintable(catalog.error().message));
        for (const QString &table : catalog->tables)
            read << QStringLiteral("0|%1||||0|f|f|f").arg(table);
        for (auto it = catalog->columns.cbegin(); it != catalog->columns.cend(); ++it) {
            int position = 0;
            for (const SqlColumn &c : it.value()) {
                static const QRegularExpression sized(QStringLiteral("^(.*)\\((\\d+)\\)$"));
                const QRegularExpressionMatch m = sized.match(c.type);
                QString type = m.hasMatch() ? m.captured(1) : c.type;
                type = type == u"varchar" ? QStringLiteral("character varying")
                     : type == u"timestamptz" ? QStringLiteral("timestamp with time zone") : type;
                if (type == u"array" || type == u"user-defined")
                    type = type.toUpper();
                const auto text = [](bool b) { return b ? QStringLiteral("t") : QStringLiteral("f"); };
                read << QStringLiteral("1|%1|%2|%3|%4|%5|f|%6|%7")
                            .arg(it.key(), c.name, type, m.hasMatch() ? m.captured(2) : QString())
                            .arg(++position)
                            .arg(text(c.notNull), text(c.leadsIndex));
            }
        }
        db.close();
    }
    QSqlDatabase::removeDatabase(connection);
    // The reference's positions are attnums (a dropped column leaves a gap); SqlColumn keeps
    // only the order: renumbered 1, 2, … per table, in position order.
    const auto sortedRows = [](QStringList rows) {
        rows.sort();
        return rows;
    };
    QMap<QString, QMap<int, QString>> byTable;
    QStringList tablesOnly;
    for (const QString &row : wanted) {
        const QStringList f = row.split(u'|');
        if (f.value(0) == u"0")
            tablesOnly << row;
        else
            byTable[f.value(1)][f.value(5).toInt()] = row;
    }
    QStringList renumbered = tablesOnly;
    for (auto t = byTable.cbegin(); t != byTable.cend(); ++t) {
        int position = 0;
        for (const QString &row : t.value()) {
            QStringList f = row.split(u'|');
            f[5] = QString::number(++position);
            renumbered << f.join(u'|');
        }
    }
    QCOMPARE(sortedRows(read), sortedRows(renumbered));
    // The shapes this table was made for are among them.
    for (const char *row : {"1|celery_taskmeta|task_id|character varying|40|2|f|t|f",
                            "1|celery_taskmeta|tags|ARRAY||3|f|f|f",
                            "1|celery_taskmeta|mood|USER-DEFINED||4|f|f|f",
                            "1|celery_taskmeta|code|character|3|5|f|f|f",
                            "1|celery_taskmeta|status|character varying|50|6|f|f|f",
                            "1|celery_taskmeta|date_done|timestamp without time zone||7|f|f|t",
                            "1|celery_tasksetmeta|taskset_id|character varying|40|2|f|t|f"})
        QVERIFY2(renumbered.contains(QLatin1String(row)), row);
}

// --- command line ----------------------------------------------------------------------------

void TestServerStore::shouldServeTheCommandLine()
{
    FETCH_ENGINE();
    const QString bin = qEnvironmentVariable("STALK_BIN");
    if (bin.isEmpty() || !QFile::exists(bin)) {
        if (qEnvironmentVariableIntValue("STALK_REQUIRE_SERVERS") == 1)
            QFAIL("STALK_BIN does not name the stalk binary");
        QSKIP("STALK_BIN not set");
    }
    const QString url = copyOf(e.url);
    QVERIFY(!url.isEmpty());
    auto run = [&](const QStringList &arguments, int *exitCode) {
        QProcess p;
        p.start(bin, arguments);
        if (!p.waitForFinished(120000))
            return QByteArray("<timeout>");
        *exitCode = p.exitCode();
        return p.readAllStandardOutput();
    };
    int code = -1;
    QCOMPARE(run({QStringLiteral("count"), url}, &code).trimmed(), QByteArray("50"));
    QCOMPARE(code, 0);

    const QByteArray stats = run({QStringLiteral("stats"), url, QStringLiteral("--format"), QStringLiteral("json")}, &code);
    QCOMPARE(code, 0);
    const QJsonObject got = QJsonDocument::fromJson(stats).object();
    const QJsonObject counts = e.expect[QStringLiteral("counts")].toObject();
    QCOMPARE(got[QStringLiteral("total")].toInteger(), counts[QStringLiteral("total")].toInteger());
    for (const char *key : {"status", "task_name", "worker", "periodic_task_name"})
        QCOMPARE(countsOf(got[QLatin1String(key)].toObject()), countsOf(counts[QLatin1String(key)].toObject()));

    const QByteArray shown = run({QStringLiteral("show"), url, QStringLiteral("0a31d0ae-8110-5b24-8280-e4143344ad20")}, &code);
    QCOMPARE(code, 0);
    const QJsonObject row = QJsonDocument::fromJson(shown).object();
    QCOMPARE(row[QStringLiteral("status")].toString(), QStringLiteral("FAILURE"));
    QVERIFY2(row[QStringLiteral("date_done")].toString().startsWith(QLatin1String("2025-01-01T00:00:00")), shown.constData());

    // The purge removes exactly what upstream's cleanup would.
    const QJsonObject feb = [&] {
        for (const QJsonValue &v : e.expect[QStringLiteral("expired")].toArray()) {
            if (v.toObject()[QStringLiteral("cutoff")].toString() == QLatin1String("2025-02-01T00:00:00Z"))
                return v.toObject();
        }
        return QJsonObject();
    }();
    QVERIFY(!feb.isEmpty());
    const QByteArray purged = run({QStringLiteral("purge"), url, QStringLiteral("--before"), QStringLiteral("2025-02-01T00:00:00Z"),
                                   QStringLiteral("--yes"), QStringLiteral("--batch-size"), QStringLiteral("5")},
                                  &code);
    QCOMPARE(code, 0);
    const qint64 expired = feb[QStringLiteral("task_ids")].toArray().size();
    QVERIFY2(purged.contains(QStringLiteral("deleted %1 results").arg(expired).toUtf8()), purged.constData());
    QCOMPARE(rawSql(url, QStringLiteral("SELECT COUNT(*) FROM django_celery_results_taskresult")).value(0),
             QString::number(50 - expired));
    // A wrong password is one sentence naming host and port, never the password.
    StoreUrl u = StoreUrl::parse(url).value();
    const QString bad = url;
    QString wrong = bad;
    wrong.replace(u.password, QStringLiteral("not-the-password"));
    QProcess p;
    p.start(bin, {QStringLiteral("count"), wrong});
    QVERIFY(p.waitForFinished(60000));
    QVERIFY(p.exitCode() != 0);
    const QString err = QString::fromUtf8(p.readAllStandardError());
    QVERIFY2(err.contains(QStringLiteral("%1:%2").arg(u.host).arg(u.port)), qPrintable(err));
    QVERIFY2(!err.contains(QLatin1String("not-the-password")), qPrintable(err));
}

// --- connections -----------------------------------------------------------------------------

void TestServerStore::shouldNameHostAndReasonWhenConnectionFails_data()
{
    addEngineColumn();
    QTest::addColumn<QString>("change");
    QTest::addColumn<StoreError::Code>("code");
    QTest::addColumn<QString>("reason");
    QTest::addColumn<QString>("query");
    for (const Engine &e : std::as_const(m_engines)) {
        const QByteArray n = e.name.toLatin1();
        QTest::addRow("%s wrong password", n.constData()) << e.name << "password" << StoreError::Code::AuthenticationFailed
                                                          << (e.postgres ? "authentication failed" : "access denied") << "";
        QTest::addRow("%s no password", n.constData()) << e.name << "no password" << StoreError::Code::AuthenticationFailed
                                                       << (e.postgres ? "wants a password" : "access denied") << "";
        QTest::addRow("%s no such database", n.constData())
            << e.name << "database" << StoreError::Code::NotFound << "does not exist" << "";
        QTest::addRow("%s refused", n.constData()) << e.name << "port" << StoreError::Code::ConnectionFailed << "refused"
                                                   << "";
        // The test servers offer no TLS: asking for it must fail, not fall back to plain text.
        QTest::addRow("%s tls required", n.constData()) << e.name << "" << StoreError::Code::ConnectionFailed << "TLS"
                                                        << (e.postgres ? "?sslmode=require" : "?ssl=1");
    }
}

void TestServerStore::shouldNameHostAndReasonWhenConnectionFails()
{
    FETCH_ENGINE();
    QFETCH(QString, change);
    QFETCH(StoreError::Code, code);
    QFETCH(QString, reason);
    QFETCH(QString, query);
    StoreUrl u = StoreUrl::parse(e.url).value();
    if (change == QLatin1String("password"))
        u.password = QStringLiteral("wrong-password");
    else if (change == QLatin1String("database"))
        u.database = QStringLiteral("stalk_no_such_db"); // within the user's grants: MariaDB says "unknown"
    else if (change == QLatin1String("port"))
        u.port = 1;
    if (change == QLatin1String("no password")) {
        // Nothing may supply one: not STALK_PASSWORD, nor libpq's PGPASSWORD or ~/.pgpass.
        u.password.clear();
        qunsetenv("STALK_PASSWORD");
        qunsetenv("PGPASSWORD");
        qputenv("PGPASSFILE", "/nonexistent/stalk-test-pgpass");
    }
    const QString userInfo = u.password.isEmpty() ? u.user : u.user + u':' + u.password;
    const QString url = QStringLiteral("%1://%2@%3:%4/%5")
                            .arg(e.postgres ? QStringLiteral("postgresql") : QStringLiteral("mysql"), userInfo, u.host)
                            .arg(u.port)
                            .arg(u.database)
        + query;
    const auto factory = makeStoreFactory(url);
    QVERIFY(factory.ok());
    auto store = (*factory)();
    const StoreError error = store->open();
    QCOMPARE(error.code, code);
    const QString hostPort = QStringLiteral("%1:%2").arg(u.host).arg(u.port);
    QVERIFY2(error.message.contains(hostPort), qPrintable(error.message));
    QVERIFY2(error.message.contains(reason), qPrintable(error.message));
    QVERIFY2(u.password.isEmpty() || !error.message.contains(u.password), qPrintable(error.message));
    QVERIFY2(!error.message.contains(u'\n'), qPrintable(error.message));
}

void TestServerStore::shouldTimeOutOnAServerThatNeverAnswers()
{
    FETCH_ENGINE();
    // A loopback socket that listens but never accepts: the kernel completes the TCP
    // handshake, then the client waits for a greeting that never comes.
    const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    QVERIFY(fd >= 0);
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    address.sin_port = 0;
    QCOMPARE(::bind(fd, reinterpret_cast<sockaddr *>(&address), sizeof address), 0);
    QCOMPARE(::listen(fd, 16), 0);
    socklen_t length = sizeof address;
    QCOMPARE(::getsockname(fd, reinterpret_cast<sockaddr *>(&address), &length), 0);
    const int port = ntohs(address.sin_port);
    const QString url = QStringLiteral("%1://u:p@127.0.0.1:%2/d").arg(e.postgres ? QStringLiteral("postgresql")
                                                                                 : QStringLiteral("mysql"))
                            .arg(port);
    QElapsedTimer clock;
    clock.start();
    auto store = (*makeStoreFactory(url))();
    const StoreError error = store->open();
    const qint64 elapsed = clock.elapsed();
    ::close(fd);
    QCOMPARE(error.code, StoreError::Code::ConnectionFailed);
    QVERIFY2(error.message.contains(QStringLiteral("127.0.0.1:%1").arg(port)), qPrintable(error.message));
    QVERIFY2(error.message.contains(QLatin1String("no answer within 5 s")), qPrintable(error.message));
    QVERIFY2(elapsed < 30000, qPrintable(QString::number(elapsed))); // it gave up, it did not hang
}

void TestServerStore::shouldCancelLongQueryOnInterrupt()
{
    FETCH_ENGINE();
    const QString url = copyOf(e.url);
    QVERIFY(!url.isEmpty());
    // Enough rows that a search over them takes a while.
    const QString bulk =
        e.postgres
            ? QStringLiteral("INSERT INTO django_celery_results_taskresult (task_id, status, content_type, content_encoding, "
                             "date_done, date_created, task_args, task_kwargs) SELECT 'bulk-' || x, 'SUCCESS', "
                             "'application/json', 'utf-8', '2025-01-01', '2025-01-01', repeat(md5(x::text), 10), "
                             "repeat(md5(x::text), 3) FROM generate_series(1, 300000) AS x")
            : QStringLiteral("INSERT INTO django_celery_results_taskresult (task_id, status, content_type, content_encoding, "
                             "date_done, date_created, task_args, task_kwargs) WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL "
                             "SELECT x + 1 FROM c WHERE x < 300000) SELECT CONCAT('bulk-', x), 'SUCCESS', "
                             "'application/json', 'utf-8', '2025-01-01', '2025-01-01', REPEAT(MD5(x), 10), REPEAT(MD5(x), 3) FROM c");
    const QStringList inserted = rawSql(url, e.postgres ? QStringList{bulk}
                                                        : QStringList{QStringLiteral("SET SESSION max_recursive_iterations = 1000000"), bulk});
    QVERIFY2(inserted.isEmpty(), qPrintable(inserted.join(u' ')));

    std::atomic<ResultStore *> shared{nullptr};
    std::atomic_bool done{false};
    std::promise<void> interrupting;
    std::future<void> stoppedInterrupting = interrupting.get_future();
    QString openError;
    StoreError result;
    int attempts = 0;
    std::thread worker([&] {
        auto store = openUrl(url, &openError);
        shared = store.get();
        TaskQuery q;
        q.search = QStringLiteral("no-such-text-anywhere");
        while (store && attempts < 200) {
            ++attempts;
            const auto count = store->count(q);
            if (!count.ok()) {
                result = count.error();
                break;
            }
        }
        done = true;
        stoppedInterrupting.wait();
        if (store && result.code == StoreError::Code::Cancelled) {
            const auto after = store->count({});
            if (!after.ok() || *after != 300050)
                result = StoreError(StoreError::Code::QueryFailed, QStringLiteral("store unusable after interrupt"));
        }
    });
    QTRY_VERIFY_WITH_TIMEOUT(([&] {
                                 if (ResultStore *s = shared.load())
                                     s->interrupt();
                                 return done.load();
                             }()),
                             240000);
    interrupting.set_value();
    worker.join();
    QVERIFY2(openError.isEmpty(), qPrintable(openError));
    QCOMPARE(result.code, StoreError::Code::Cancelled);
    QVERIFY2(result.message.contains(QLatin1String("cancelled")), qPrintable(result.message));
    QVERIFY(attempts < 200);
}

QTEST_GUILESS_MAIN(TestServerStore)
#include "tst_serverstore.moc"
