#include <QSqlDatabase>
#include <QSqlError>
#include <QSqlQuery>
#include <QTest>

#include <cmath>
#include <memory>

#include "mysqldialect.h"
#include "postgresdialect.h"
#include "sqlitedialect.h"
#include "sqliteplanner.h"
#include "sqllayout.h"
#include "sqlstatements.h"
#include "storeurl.h"

namespace {

enum class Engine { Sqlite, Postgres, Mysql };
enum class Schema { Django, DjangoLegacy, TaskMeta, TaskMetaPlain };

std::unique_ptr<SqlDialect> dialectFor(Engine engine)
{
    switch (engine) {
    case Engine::Sqlite:
        return std::make_unique<SqliteDialect>(QStringLiteral("/nonexistent/stalk.sqlite3"), false, 1000);
    case Engine::Postgres:
        return std::make_unique<PostgresDialect>(StoreUrl::parse(QStringLiteral("postgresql://u@localhost/db")).value(), false);
    case Engine::Mysql:
        return std::make_unique<MysqlDialect>(StoreUrl::parse(QStringLiteral("mysql://u@localhost/db")).value(), false);
    }
    return nullptr;
}

QVector<SqlColumn> columnsOf(Schema schema)
{
    auto list = [](std::initializer_list<const char *> names, const char *dateType) {
        QVector<SqlColumn> columns;
        for (const char *name : names) {
            const QString n = QString::fromLatin1(name);
            columns.append({n, n.startsWith(QLatin1String("date")) ? QString::fromLatin1(dateType) : QStringLiteral("text")});
        }
        return columns;
    };
    switch (schema) {
    case Schema::Django: // django-celery-results 2.4
        return list({"id", "task_id", "status", "content_type", "content_encoding", "result", "date_done", "traceback",
                     "meta", "task_args", "task_kwargs", "task_name", "worker", "date_created", "periodic_task_name"},
                    "datetime");
    case Schema::DjangoLegacy: // 1.0: hidden, no worker, date_created, periodic_task_name
        return list({"id", "task_id", "status", "content_type", "content_encoding", "result", "date_done", "traceback",
                     "meta", "task_args", "task_kwargs", "task_name", "hidden"},
                    "datetime");
    case Schema::TaskMeta:
        return list({"id", "task_id", "status", "result", "date_done", "traceback", "name", "args", "kwargs", "worker",
                     "retries", "queue"},
                    "datetime");
    case Schema::TaskMetaPlain:
        return list({"id", "task_id", "status", "result", "date_done", "traceback"}, "datetime");
    }
    return {};
}

SqlLayout layoutOf(Schema schema, bool groupDateIndexed = false)
{
    const bool django = schema == Schema::Django || schema == Schema::DjangoLegacy;
    SqlLayout layout;
    const bool ok = detectSqlLayout(django ? SqlTables::djangoTasks : SqlTables::taskMeta, columnsOf(schema), &layout);
    Q_ASSERT(ok);
    layout.groupTable = django ? SqlTables::djangoGroups : SqlTables::taskSetMeta;
    layout.groupDateDone = QStringLiteral("date_done");
    layout.groupDateDoneIndexed = groupDateIndexed;
    return layout;
}

/// A column quoted as the engine quotes it.
QString q(Engine engine, const char *name)
{
    const QString n = QString::fromLatin1(name);
    return engine == Engine::Mysql ? u'`' + n + u'`' : u'"' + n + u'"';
}

/// Statements for one engine and schema, with the dialect they hold on to.
struct Builder
{
    Builder(Engine engine, Schema schema, const QTimeZone &wallClock = QTimeZone(), bool groupDateIndexed = false)
        : dialect(dialectFor(engine))
        , statements(*dialect, layoutOf(schema, groupDateIndexed), wallClock)
    {
    }
    std::unique_ptr<SqlDialect> dialect;
    SqlStatements statements;
};

PurgeCriteria criteriaAt(const QString &iso, int extraMicroseconds = 0)
{
    PurgeCriteria c;
    c.cutoff = QDateTime::fromString(iso, Qt::ISODateWithMs);
    c.cutoffExtraMicroseconds = extraMicroseconds;
    return c;
}

QDateTime utc(const char *iso)
{
    return QDateTime::fromString(QString::fromLatin1(iso), Qt::ISODateWithMs);
}

/// A new SQLite database in memory, open under `connection`.
QSqlDatabase memoryDatabase(const QString &connection)
{
    QSqlDatabase db = QSqlDatabase::addDatabase(QStringLiteral("QSQLITE"), connection);
    db.setDatabaseName(QStringLiteral(":memory:"));
    db.open();
    return db;
}

const QStringList kStatuses{QStringLiteral("FAILURE"), QStringLiteral("REVOKED")};

} // namespace

Q_DECLARE_METATYPE(Engine)
Q_DECLARE_METATYPE(Schema)

/// SqlStatements without a database: the text of every kind of statement and the values bound
/// to it, per engine and layout. What the statements select is checked on real databases by
/// tst_sqlstore and tst_serverstore.
class TestSqlStatements : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();

    void shouldReadOnlyIntegerIds_data();
    void shouldReadOnlyIntegerIds();
    void shouldCapTheSearchTermsForEveryEngine();
    void shouldTallyASearchInOneScanOfBoundTerms();
    void shouldTallyCountAndFacetsInOneServerStatement_data();
    void shouldTallyCountAndFacetsInOneServerStatement();
    void shouldBindSetFilters_data();
    void shouldBindSetFilters();
    void shouldKeepSearchTermsBoundValues_data();
    void shouldKeepSearchTermsBoundValues();
    void shouldSearchEveryTermInEverySearchField_data();
    void shouldSearchEveryTermInEverySearchField();
    void shouldSearchEachDistinctPatternOnceOnServers();
    void shouldSeekPagesAfterAKeyWithNullsWhereTheEngineSortsThem();
    void shouldWalkTheSortIndexAloneForFarJumps();
    void shouldProbeThroughABoundaryThenScanApartOnServers();
    void shouldChooseTheScanOnlyWhenTheProbeFoundTooFew();
    void shouldNarrowServersExceptionsToTheIdsFound_data();
    void shouldNarrowServersExceptionsToTheIdsFound();
    void shouldBoundDateRangesInTheStoredForm();
    void shouldLeaveOutTheFacetsOwnFilter();
    void shouldOrderWithIdTiebreak_data();
    void shouldOrderWithIdTiebreak();
    void shouldReadPagesByLateRowLookup();
    void shouldSelectPreviewsForSummaryRows_data();
    void shouldSelectPreviewsForSummaryRows();
    void shouldOfferQuickMatchesOnlyForTaskIdLikeTerms_data();
    void shouldOfferQuickMatchesOnlyForTaskIdLikeTerms();
    void shouldProbeTheTableCheaplyForSqlitesPlans();
    void shouldAskTheEngineForItsRowEstimate();

    void shouldRenderTheExpiredClause_data();
    void shouldRenderTheExpiredClause();
    void shouldDeleteExpiredInBatchesPerDialect_data();
    void shouldDeleteExpiredInBatchesPerDialect();
    void shouldWalkTheDateIndexFromTheCursor_data();
    void shouldWalkTheDateIndexFromTheCursor();
    void shouldPurgeGroupsOnlyWhenNotNarrowed_data();
    void shouldPurgeGroupsOnlyWhenNotNarrowed();
    void shouldDeleteRowsInChunksOfBoundValues_data();
    void shouldDeleteRowsInChunksOfBoundValues();

    void shouldApplyTheExpiryRuleToOneRow_data();
    void shouldApplyTheExpiryRuleToOneRow();
    void shouldExpireGroupsOnlyWhenNotNarrowed();
    void shouldRankRuntimesAtTheNearestRankOfEveryCount();
    void shouldTellWhetherAP95Grew_data();
    void shouldTellWhetherAP95Grew();
    void shouldListEachFailurePartsMinutes();
};

void TestSqlStatements::initTestCase()
{
    QLocale::setDefault(QLocale::c());
}

// --- filters ---------------------------------------------------------------------------------

void TestSqlStatements::shouldBindSetFilters_data()
{
    QTest::addColumn<Engine>("engine");
    QTest::addColumn<Schema>("schema");
    QTest::addColumn<QStringList>("statuses");
    QTest::addColumn<QStringList>("workers");
    QTest::addColumn<int>("unindexed"); // a Field, or FieldCount
    QTest::addColumn<QString>("where");
    QTest::addColumn<QVariantList>("values");
    const int none = int(Field::FieldCount);
    const QString failure = QStringLiteral("FAILURE");
    for (Engine e : {Engine::Sqlite, Engine::Postgres, Engine::Mysql}) {
        const QString s = q(e, "status"), w = q(e, "worker");
        const char *name = e == Engine::Sqlite ? "sqlite" : e == Engine::Postgres ? "postgres" : "mysql";
        QTest::addRow("%s: nothing", name) << e << Schema::Django << QStringList() << QStringList() << none << QString()
                                           << QVariantList();
        QTest::addRow("%s: one value", name) << e << Schema::Django << QStringList{failure} << QStringList() << none
                                             << QStringLiteral(" WHERE (%1 IN (?))").arg(s) << QVariantList{failure};
        QTest::addRow("%s: two values", name)
            << e << Schema::Django << kStatuses << QStringList() << none << QStringLiteral(" WHERE (%1 IN (?, ?))").arg(s)
            << QVariantList{kStatuses[0], kStatuses[1]};
        QTest::addRow("%s: NULL only", name) << e << Schema::Django << QStringList{QString()} << QStringList() << none
                                             << QStringLiteral(" WHERE (%1 IS NULL)").arg(s) << QVariantList();
        QTest::addRow("%s: a value or NULL", name)
            << e << Schema::Django << QStringList{failure, QString()} << QStringList() << none
            << QStringLiteral(" WHERE (%1 IN (?) OR %1 IS NULL)").arg(s) << QVariantList{failure};
        QTest::addRow("%s: empty text is a value", name)
            << e << Schema::Django << QStringList{QLatin1String("")} << QStringList() << none
            << QStringLiteral(" WHERE (%1 IN (?))").arg(s) << QVariantList{QString(QLatin1String(""))};
        QTest::addRow("%s: two filters", name)
            << e << Schema::Django << QStringList{failure} << QStringList{QStringLiteral("alpha")} << none
            << QStringLiteral(" WHERE (%1 IN (?)) AND (%2 IN (?))").arg(s, w)
            << QVariantList{failure, QStringLiteral("alpha")};
        QTest::addRow("%s: unindexed", name)
            << e << Schema::Django << QStringList{failure} << QStringList() << int(Field::Status)
            << QStringLiteral(" WHERE (+%1 IN (?))").arg(s) << QVariantList{failure};
        // A column the schema lacks is NULL in every row.
        QTest::addRow("%s: missing column, a value", name)
            << e << Schema::DjangoLegacy << QStringList() << QStringList{QStringLiteral("alpha")} << none
            << QStringLiteral(" WHERE 0 = 1") << QVariantList();
        QTest::addRow("%s: missing column, NULL", name)
            << e << Schema::DjangoLegacy << QStringList() << QStringList{QString(), QStringLiteral("alpha")} << none
            << QString() << QVariantList();
    }
}

void TestSqlStatements::shouldTallyASearchInOneScanOfBoundTerms()
{
    // The legacy schema lacks worker and periodic task name: NULL stands in for them.
    const Builder b(Engine::Sqlite, Schema::DjangoLegacy);
    TaskQuery query;
    query.search = QStringLiteral("x' OR '1'='1");
    const SqlClause clause = b.statements.filter(query);
    const QString scan = QStringLiteral("\"status\" AS s, \"task_name\" AS t, NULL AS w, NULL AS p FROM "
                                        "\"django_celery_results_taskresult\" NOT INDEXED WHERE stalk_tally(%1)")
                             .arg(clause.sql);
    const SqlStatement counts = b.statements.searchTally(query, 0);
    QCOMPARE(counts.sql, QStringLiteral("SELECT 1, COUNT(*), s, t, w, p FROM (SELECT %1) GROUP BY s, t, w, p").arg(scan));
    QCOMPARE(counts.values, clause.values);
    QVERIFY(!counts.sql.contains(query.search)); // the term only travels bound
    const SqlStatement withPage = b.statements.searchTally(query, 200);
    QCOMPARE(withPage.sql, QStringLiteral("WITH m AS MATERIALIZED (SELECT rowid AS r, \"id\" AS i, \"date_done\" AS d, "
                                          "%1) SELECT 1, COUNT(*), s, t, w, p FROM m GROUP BY s, t, w, p UNION ALL "
                                          "SELECT 0, r, NULL, NULL, NULL, NULL FROM (SELECT r FROM m ORDER BY d DESC, "
                                          "i DESC LIMIT ?)")
                               .arg(scan));
    QCOMPARE(withPage.values, clause.values + QVariantList{200});
    const SqlClause ids = b.statements.rowIdsIn({7, 9});
    QCOMPARE(ids.where(), QStringLiteral(" WHERE \"django_celery_results_taskresult\".rowid IN (?, ?)"));
    QCOMPARE(ids.values, (QVariantList{qint64(7), qint64(9)}));
}

void TestSqlStatements::shouldTallyCountAndFacetsInOneServerStatement_data()
{
    QTest::addColumn<Engine>("engine");
    QTest::addColumn<Schema>("schema");
    QTest::addColumn<QString>("sql"); // %1: the table, %2: the search's WHERE
    const QString order = QStringLiteral(" ORDER BY 1, 3 DESC, 2");
    QTest::newRow("postgres: grouping sets")
        << Engine::Postgres << Schema::Django
        << QStringLiteral("SELECT CASE WHEN GROUPING(\"status\") = 0 THEN 0 WHEN GROUPING(\"task_name\") = 0 THEN 1 "
                          "WHEN GROUPING(\"worker\") = 0 THEN 2 WHEN GROUPING(\"periodic_task_name\") = 0 THEN 3 "
                          "ELSE 4 END, COALESCE(\"status\", \"task_name\", \"worker\", \"periodic_task_name\"), "
                          "COUNT(*) FROM %1%2 GROUP BY GROUPING SETS ((\"status\"), (\"task_name\"), (\"worker\"), "
                          "(\"periodic_task_name\"), ())")
            + order;
    // The legacy schema has no worker or periodic task name: their facets are left out
    // (empty), the others keep their number.
    QTest::newRow("postgres: no worker column")
        << Engine::Postgres << Schema::DjangoLegacy
        << QStringLiteral("SELECT CASE WHEN GROUPING(\"status\") = 0 THEN 0 WHEN GROUPING(\"task_name\") = 0 THEN 1 "
                          "ELSE 4 END, COALESCE(\"status\", \"task_name\"), COUNT(*) FROM %1%2 "
                          "GROUP BY GROUPING SETS ((\"status\"), (\"task_name\"), ())")
            + order;
    QTest::newRow("postgres: status alone")
        << Engine::Postgres << Schema::TaskMetaPlain
        << QStringLiteral("SELECT CASE WHEN GROUPING(\"status\") = 0 THEN 0 ELSE 4 END, \"status\", COUNT(*) FROM "
                          "%1%2 GROUP BY GROUPING SETS ((\"status\"), ())")
            + order;
    QTest::newRow("mariadb: combinations, then each facet")
        << Engine::Mysql << Schema::Django
        << QStringLiteral("SELECT k.f, CASE k.f WHEN 0 THEN c.`status` WHEN 1 THEN c.`task_name` WHEN 2 THEN c.`worker` "
                          "WHEN 3 THEN c.`periodic_task_name` END, SUM(c.n) FROM (SELECT `status`, `task_name`, `worker`, "
                          "`periodic_task_name`, COUNT(*) AS n FROM %1%2 GROUP BY `status`, `task_name`, `worker`, "
                          "`periodic_task_name`) AS c CROSS JOIN (SELECT 0 AS f UNION ALL SELECT 1 AS f UNION ALL "
                          "SELECT 2 AS f UNION ALL SELECT 3 AS f UNION ALL SELECT 4) AS k GROUP BY 1, 2")
            + order;
}

void TestSqlStatements::shouldTallyCountAndFacetsInOneServerStatement()
{
    QFETCH(Engine, engine);
    QFETCH(Schema, schema);
    QFETCH(QString, sql);
    const Builder b(engine, schema);
    TaskQuery query;
    query.search = QStringLiteral("x' OR '1'='1");
    QVERIFY(SqlStatements::tallies(query));
    const SqlClause clause = b.statements.filter(query);
    const SqlStatement tally = b.statements.facetTally(query);
    QCOMPARE(tally.sql, sql.arg(b.statements.table(), clause.where()));
    QCOMPARE(tally.values, clause.values);
    QVERIFY(!tally.sql.contains(query.search)); // the term only travels bound
    // Narrowed to the rows of a first page that held every match, by id.
    const SqlClause ids = b.statements.idsIn({7, 9});
    QCOMPARE(ids.sql, QStringLiteral("%1 IN (?, ?)").arg(q(engine, "id")));
    SqlClause narrowed = clause;
    narrowed.add(ids);
    const SqlStatement within = b.statements.facetTally(query, ids);
    QCOMPARE(within.sql, sql.arg(b.statements.table(), narrowed.where()));
    QCOMPARE(within.values, narrowed.values);
    // Set filters: each facet leaves its own out, so they count different rows: no tally.
    query.statuses = {QStringLiteral("FAILURE")};
    QVERIFY(!SqlStatements::tallies(query));
    QVERIFY(!SqlStatements::tallies(TaskQuery()));
    // The order changes neither the count nor a facet.
    TaskQuery sorted;
    sorted.search = QStringLiteral("x");
    sorted.sortField = Field::TaskName;
    sorted.sortOrder = Qt::AscendingOrder;
    TaskQuery plain;
    plain.search = QStringLiteral("x");
    QCOMPARE(SqlStatements::tallyKey(sorted), SqlStatements::tallyKey(plain));
}

void TestSqlStatements::shouldBindSetFilters()
{
    QFETCH(Engine, engine);
    QFETCH(Schema, schema);
    QFETCH(QStringList, statuses);
    QFETCH(QStringList, workers);
    QFETCH(int, unindexed);
    QFETCH(QString, where);
    QFETCH(QVariantList, values);
    const Builder b(engine, schema);
    TaskQuery query;
    query.statuses = statuses;
    query.workers = workers;
    const SqlClause clause = b.statements.filter(query, SqlStatements::Skip::Nothing, Field(unindexed));
    QCOMPARE(clause.where(), where);
    QCOMPARE(clause.values, values);
    for (qsizetype i = 0; i < values.size(); ++i) // "" stays "", never NULL
        QCOMPARE(clause.values[i].isNull(), values[i].isNull());
}

void TestSqlStatements::shouldKeepSearchTermsBoundValues_data()
{
    QTest::addColumn<Engine>("engine");
    QTest::addColumn<QString>("term");
    const QStringList terms{QStringLiteral("x' OR '1'='1"),
                            QStringLiteral("'); DROP TABLE django_celery_results_taskresult; --"),
                            QStringLiteral("\"; DELETE FROM django_celery_results_taskresult; --"),
                            QStringLiteral("`id` = `id`"),
                            QStringLiteral("%_%"),
                            QStringLiteral("\\' \\\" \\\\"),
                            QStringLiteral("?"),
                            QString::fromUtf8("Zoë ?%1"),
                            QString::fromUtf8("a\0b", 3)};
    for (Engine e : {Engine::Sqlite, Engine::Postgres, Engine::Mysql}) {
        for (const QString &term : terms) {
            QTest::addRow("%s: %s", e == Engine::Sqlite ? "sqlite" : e == Engine::Postgres ? "postgres" : "mysql",
                          qPrintable(term))
                << e << term;
        }
    }
}

void TestSqlStatements::shouldKeepSearchTermsBoundValues()
{
    QFETCH(Engine, engine);
    QFETCH(QString, term);
    const Builder b(engine, Schema::Django);
    TaskQuery query;
    query.search = term;
    const QStringList terms = query.searchTerms();
    QVERIFY(!terms.isEmpty());
    // The term's shadow: its ASCII letters and digits replaced, case kept. The text may
    // depend on the term's shape (how many distinct case and JSON-escaped forms it has), but
    // never on its letters: a term only ever travels as a bound value.
    QString shadow = term;
    for (QChar &c : shadow) {
        if (c >= u'a' && c <= u'z')
            c = u'q';
        else if (c >= u'A' && c <= u'Z')
            c = u'Q';
        else if (c >= u'0' && c <= u'9')
            c = u'7';
    }
    TaskQuery plain;
    plain.search = shadow;
    QCOMPARE(plain.searchTerms().size(), terms.size());
    const SqlStatement statement = b.statements.count(query);
    QCOMPARE(statement.sql, b.statements.count(plain).sql);
    QCOMPARE(statement.sql.count(u'?'), statement.values.size());
    switch (engine) {
    case Engine::Sqlite: { // the SQL functions fold the term themselves
        QVariantList values;
        for (const QString &t : terms)
            values += QVariantList(5, t);
        QCOMPARE(statement.values, values);
        break;
    }
    case Engine::Postgres:
        QCOMPARE(statement.values.first().toString(), SqlSearchText::likeContains(terms.first(), u'\\'));
        break;
    case Engine::Mysql:
        QCOMPARE(statement.values.first().toString(), SqlSearchText::likeContains(terms.first(), u'!'));
        break;
    }
    // The same in the other statements that take the query.
    const SqlStatement page = b.statements.page(query, b.statements.filter(query), 0, 10, RowDetail::Summary);
    QCOMPARE(page.sql, b.statements.page(plain, b.statements.filter(plain), 0, 10, RowDetail::Summary).sql);
    QCOMPARE(page.sql.count(u'?'), page.values.size());
    QCOMPARE(b.statements.facet(query, Field::Status, SqlStatements::Skip::Statuses).sql,
             b.statements.facet(plain, Field::Status, SqlStatements::Skip::Statuses).sql);
}

void TestSqlStatements::shouldSearchEveryTermInEverySearchField_data()
{
    QTest::addColumn<Schema>("schema");
    QTest::addColumn<QString>("search");
    QTest::addColumn<QString>("where");
    QTest::addColumn<QVariantList>("values");
    const QString one = QStringLiteral(
        "(stalk_icontains(\"task_id\", ?) OR stalk_icontains(\"task_name\", ?) OR stalk_icontains(\"status\", ?) OR "
        "stalk_icontains_json(\"task_args\", ?) OR stalk_icontains_json(\"task_kwargs\", ?))");
    QTest::newRow("one term") << Schema::Django << QStringLiteral("add") << QStringLiteral(" WHERE ") + one
                              << QVariantList(5, QStringLiteral("add"));
    QVariantList two(5, QStringLiteral("add"));
    two += QVariantList(5, QStringLiteral("two words"));
    QTest::newRow("a word and a phrase") << Schema::Django << QStringLiteral("add \"two words\"")
                                         << QStringLiteral(" WHERE ") + one + QStringLiteral(" AND ") + one << two;
    QTest::newRow("celery_taskmeta: JSON bytes as text")
        << Schema::TaskMeta << QStringLiteral("add")
        << QStringLiteral(" WHERE (stalk_icontains(\"task_id\", ?) OR stalk_icontains(\"name\", ?) OR "
                          "stalk_icontains(\"status\", ?) OR stalk_icontains_json(CAST(\"args\" AS TEXT), ?) OR "
                          "stalk_icontains_json(CAST(\"kwargs\" AS TEXT), ?))")
        << QVariantList(5, QStringLiteral("add"));
    QTest::newRow("celery_taskmeta without result_extended")
        << Schema::TaskMetaPlain << QStringLiteral("add")
        << QStringLiteral(" WHERE (stalk_icontains(\"task_id\", ?) OR stalk_icontains(\"status\", ?))")
        << QVariantList(2, QStringLiteral("add"));
}

void TestSqlStatements::shouldSearchEveryTermInEverySearchField()
{
    QFETCH(Schema, schema);
    QFETCH(QString, search);
    QFETCH(QString, where);
    QFETCH(QVariantList, values);
    const Builder b(Engine::Sqlite, schema);
    TaskQuery query;
    query.search = search;
    const SqlClause clause = b.statements.filter(query);
    QCOMPARE(clause.where(), where);
    QCOMPARE(clause.values, values);
}

void TestSqlStatements::shouldSearchEachDistinctPatternOnceOnServers()
{
    TaskQuery query;
    query.search = QStringLiteral("fetch_feed");
    const QString like = QStringLiteral("%fetch\\_feed%");
    // PostgreSQL: UPPER folds ASCII case, so the term's case forms are one pattern per column.
    {
        const Builder b(Engine::Postgres, Schema::Django);
        const SqlClause clause = b.statements.filter(query);
        QCOMPARE(clause.sql, QStringLiteral("(UPPER(CAST(\"task_id\" AS text)) LIKE UPPER(?) OR "
                                            "UPPER(CAST(\"task_name\" AS text)) LIKE UPPER(?) OR "
                                            "UPPER(CAST(\"status\" AS text)) LIKE UPPER(?) OR "
                                            "UPPER(CAST(\"task_args\" AS text)) LIKE UPPER(?) OR "
                                            "UPPER(CAST(\"task_kwargs\" AS text)) LIKE UPPER(?))"));
        QCOMPARE(clause.values, QVariantList(5, like));
    }
    // A pg_trgm index on a column: the ILIKE form it serves.
    {
        SqlLayout layout = layoutOf(Schema::Django);
        layout.trigramIndexed.insert(Field::TaskName);
        const auto dialect = dialectFor(Engine::Postgres);
        const SqlStatements statements(*dialect, layout);
        QVERIFY(statements.filter(query).sql.contains(QStringLiteral(" OR (\"task_name\" ILIKE ?) OR ")));
        QCOMPARE(statements.filter(query).values, QVariantList(5, like));
    }
    // Letters beyond ASCII keep their case forms (a C-locale UPPER leaves them), and args get
    // the JSON-escaped forms too, each once.
    {
        TaskQuery zoe;
        zoe.search = QString::fromUtf8("Zoë");
        const SqlClause clause = Builder(Engine::Postgres, Schema::Django).statements.filter(zoe);
        const QVariantList raw{QString::fromUtf8("%Zoë%"), QString::fromUtf8("%ZOË%")};
        const QVariantList escaped{QStringLiteral("%Zo\\\\u00eb%"), QStringLiteral("%ZO\\\\u00cb%")};
        QCOMPARE(clause.values, raw + raw + raw + raw + escaped + raw + escaped);
    }
    // MariaDB: one LIKE per column under a case-insensitive collation (5 per row, not 11).
    {
        SqlLayout layout = layoutOf(Schema::Django);
        for (Field f : {Field::TaskId, Field::TaskName, Field::Status, Field::Args, Field::Kwargs})
            layout.caseInsensitive.insert(f);
        const auto dialect = dialectFor(Engine::Mysql);
        const SqlClause clause = SqlStatements(*dialect, layout).filter(query);
        QCOMPARE(clause.sql.count(QStringLiteral(" LIKE ")), 5);
        QCOMPARE(clause.values, QVariantList(5, QStringLiteral("%fetch!_feed%")));
    }
    // A case-sensitive collation keeps the upper-case escaped form of args and kwargs.
    {
        const SqlClause clause = Builder(Engine::Mysql, Schema::Django).statements.filter(query);
        QCOMPARE(clause.sql.count(QStringLiteral(" LIKE ")), 7);
    }
}

void TestSqlStatements::shouldSeekPagesAfterAKeyWithNullsWhereTheEngineSortsThem()
{
    TaskQuery query;
    query.sortField = Field::Worker;
    query.sortOrder = Qt::DescendingOrder;
    const SqlPageKey key{QStringLiteral("w1@host"), 42};
    const SqlPageKey nullKey{QVariant(), 42};
    const auto where = [&](Engine engine, const SqlPageKey &after, bool reverse) {
        const Builder b(engine, Schema::Django);
        const SqlStatement s = b.statements.seekPage(query, {after, reverse, 7}, 50, RowDetail::Summary);
        return s;
    };
    // PostgreSQL sorts NULL above every value: first newest-first, last in reverse.
    SqlStatement pg = where(Engine::Postgres, key, false);
    QVERIFY(pg.sql.contains(QStringLiteral(" WHERE (\"worker\" <= ? AND (\"worker\" < ? OR \"id\" < ?)) ORDER BY "
                                           "\"worker\" DESC, \"id\" DESC LIMIT ? OFFSET ?")));
    QCOMPARE(pg.values, (QVariantList{key.sortValue, key.sortValue, 42, 50, 7}));
    QVERIFY(where(Engine::Postgres, key, true)
                .sql.contains(QStringLiteral(" WHERE ((\"worker\" >= ? AND (\"worker\" > ? OR \"id\" > ?)) OR "
                                             "\"worker\" IS NULL) ORDER BY \"worker\" ASC, \"id\" ASC")));
    QVERIFY(where(Engine::Postgres, nullKey, false)
                .sql.contains(QStringLiteral(" WHERE ((\"worker\" IS NULL AND \"id\" < ?) OR \"worker\" IS NOT NULL)")));
    // MariaDB sorts NULL below every value: last newest-first.
    QVERIFY(where(Engine::Mysql, key, false)
                .sql.contains(QStringLiteral(" WHERE ((`worker` <= ? AND (`worker` < ? OR `id` < ?)) OR `worker` IS NULL)")));
    const SqlStatement my = where(Engine::Mysql, nullKey, false);
    QVERIFY(my.sql.contains(QStringLiteral(" WHERE (`worker` IS NULL AND `id` < ?) ORDER BY")));
    QCOMPARE(my.values, (QVariantList{42, 50, 7}));
    // A NOT NULL column gets no NULL arm (an OR would keep PostgreSQL off the index order).
    {
        SqlLayout layout = layoutOf(Schema::Django);
        layout.notNull.insert(Field::Worker);
        const auto dialect = dialectFor(Engine::Postgres);
        const SqlStatement s = SqlStatements(*dialect, layout).seekPage(query, {key, true, 0}, 50, RowDetail::Summary);
        QVERIFY(s.sql.contains(QStringLiteral(" WHERE (\"worker\" >= ? AND (\"worker\" > ? OR \"id\" > ?)) ORDER BY")));
    }
    // Dates come back as text with microseconds, bound back as they came; the key is the
    // column after the row's fields.
    query.sortField = Field::DateDone;
    const SqlStatement dated = where(Engine::Postgres, {}, false);
    QVERIFY(dated.sql.startsWith(QStringLiteral("SELECT ")));
    QVERIFY(dated.sql.contains(QStringLiteral(", to_char(k.s, 'YYYY-MM-DD HH24:MI:SS.US') FROM (SELECT \"id\", "
                                              "\"date_done\" AS s FROM ")));
    QVERIFY(!dated.sql.contains(QStringLiteral(" WHERE ")));
    // Long text (args, result) is not sought: MariaDB sorts it by a prefix only.
    query.sortField = Field::Args;
    QVERIFY(!Builder(Engine::Mysql, Schema::Django).statements.canSeek(query));
}

void TestSqlStatements::shouldWalkTheSortIndexAloneForFarJumps()
{
    SqlLayout layout = layoutOf(Schema::Django);
    layout.dateDoneIndexed = true;
    layout.notNull.insert(Field::DateDone);
    const auto pgDialect = dialectFor(Engine::Postgres);
    const auto myDialect = dialectFor(Engine::Mysql);
    const SqlStatements pg(*pgDialect, layout);
    TaskQuery query;
    QVERIFY(pg.canWalkSortIndex(query));
    // The values alone, in the order's direction, rendered only for the rows kept.
    const SqlStatement values = pg.sortValues(query, false, 499743, 257);
    QVERIFY2(values.sql.startsWith(QStringLiteral("SELECT to_char(k.s, 'YYYY-MM-DD HH24:MI:SS.US') FROM (SELECT "
                                                  "\"date_done\" AS s FROM ")),
             qPrintable(values.sql));
    QVERIFY(values.sql.endsWith(QStringLiteral(" ORDER BY \"date_done\" DESC LIMIT ? OFFSET ?) AS k ORDER BY k.s DESC")));
    QVERIFY(!values.sql.contains(QStringLiteral("\"id\"")));
    QCOMPARE(values.values, (QVariantList{257, 499743}));
    QVERIFY(pg.sortValues(query, true, 0, 1).sql.endsWith(QStringLiteral(" ASC LIMIT ? OFFSET ?) AS k ORDER BY k.s ASC")));
    // A NOT NULL column: plain ranges of the index.
    const QVariant v = QStringLiteral("2025-02-01 00:00:00.000001");
    const SqlStatement before = pg.countBeforeValue(query, v, false);
    QVERIFY2(before.sql.endsWith(QStringLiteral(" WHERE \"date_done\" > ?")), qPrintable(before.sql));
    QCOMPARE(before.values, (QVariantList{v}));
    SqlSeek seek{{v, -1}, true, 12, true};
    const SqlStatement page = pg.seekPage(query, seek, 200, RowDetail::Summary);
    QVERIFY2(page.sql.contains(QStringLiteral(" WHERE \"date_done\" >= ? ORDER BY \"date_done\" ASC, \"id\" ASC LIMIT ? OFFSET ?")),
             qPrintable(page.sql));
    QCOMPARE(page.values, (QVariantList{v, 200, 12}));
    // A date range keeps the walk; any other filter, another sort column or no index does not.
    query.doneAfter = QDateTime(QDate(2025, 1, 1), QTime(0, 0), QTimeZone::utc());
    QVERIFY(pg.canWalkSortIndex(query));
    QVERIFY(pg.sortValues(query, false, 0, 1).sql.contains(QStringLiteral(" WHERE \"date_done\" >= ? ORDER BY")));
    query.statuses = {QStringLiteral("FAILURE")};
    QVERIFY(!pg.canWalkSortIndex(query));
    query = TaskQuery();
    query.sortField = Field::Worker;
    QVERIFY(!pg.canWalkSortIndex(query));
    query = TaskQuery();
    SqlLayout unindexed = layout;
    unindexed.dateDoneIndexed = false;
    QVERIFY(!SqlStatements(*pgDialect, unindexed).canWalkSortIndex(query));

    // NULLs where each engine sorts them: PostgreSQL above every value, MariaDB below.
    SqlLayout nullable = layout;
    nullable.notNull.remove(Field::DateDone);
    const SqlStatements pgNull(*pgDialect, nullable), myNull(*myDialect, nullable);
    // Newest first: PostgreSQL's NULLs come before every value, MariaDB's after.
    QVERIFY(pgNull.countBeforeValue(query, v, false)
                .sql.endsWith(QStringLiteral(" WHERE (\"date_done\" > ? OR \"date_done\" IS NULL)")));
    QVERIFY(myNull.countBeforeValue(query, v, false).sql.endsWith(QStringLiteral(" WHERE `date_done` > ?")));
    seek.reverse = false;
    QVERIFY(myNull.seekPage(query, seek, 200, RowDetail::Summary)
                .sql.contains(QStringLiteral(" WHERE (`date_done` <= ? OR `date_done` IS NULL) ORDER BY")));
    // NULL as the value: from it on is everything or the NULLs alone; before it, the values
    // or nothing.
    seek.after.sortValue = QVariant();
    const SqlStatement pgFromNull = pgNull.seekPage(query, seek, 200, RowDetail::Summary);
    QVERIFY(!pgFromNull.sql.contains(QStringLiteral(" WHERE ")));
    QCOMPARE(pgFromNull.values, (QVariantList{200, 12}));
    QVERIFY(myNull.seekPage(query, seek, 200, RowDetail::Summary)
                .sql.contains(QStringLiteral(" WHERE `date_done` IS NULL ORDER BY")));
    QVERIFY(pgNull.countBeforeValue(query, QVariant(), false).sql.endsWith(QStringLiteral(" WHERE 0 = 1")));
    const SqlStatement myBeforeNull = myNull.countBeforeValue(query, QVariant(), false);
    QVERIFY(myBeforeNull.sql.endsWith(QStringLiteral(" WHERE `date_done` IS NOT NULL")));
    QVERIFY(myBeforeNull.values.isEmpty());
}

void TestSqlStatements::shouldProbeThroughABoundaryThenScanApartOnServers()
{
    SqlLayout layout = layoutOf(Schema::Django);
    layout.dateDoneIndexed = true;
    TaskQuery query;
    query.search = QStringLiteral("timeout");
    const QVariant boundary = QStringLiteral("2025-03-01 01:32:02.817266");
    for (const Engine engine : {Engine::Postgres, Engine::Mysql}) {
        const bool pg = engine == Engine::Postgres;
        const auto dialect = dialectFor(engine);
        const SqlStatements statements(*dialect, layout);
        QVERIFY(SearchProbe::applies(statements, query));
        const SqlClause clause = statements.filter(query);
        QVERIFY(!clause.values.isEmpty());
        const QString order = QStringLiteral(" ORDER BY %1 DESC, %2 DESC").arg(q(engine, "date_done"), q(engine, "id"));
        const QString table = q(engine, "django_celery_results_taskresult");
        const SqlStatement first = statements.seekPage(query, SqlSeek(), 200, RowDetail::Summary);
        const auto head = [](const SqlStatement &s) { return s.sql.left(s.sql.indexOf(QStringLiteral(" FROM ("))); };

        // The boundary: two b-tree probes, the date as keys carry it.
        const SqlStatement date = statements.dateBelowNewestIds(15625);
        QVERIFY2(date.sql.startsWith(pg ? QStringLiteral("SELECT to_char(\"date_done\", ")
                                        : QStringLiteral("SELECT DATE_FORMAT(`date_done`, ")),
                 qPrintable(date.sql));
        QVERIFY(date.sql.endsWith(QStringLiteral(" IS NOT NULL ORDER BY %1 DESC LIMIT 1").arg(q(engine, "id"))));
        // The probe: the matches up to the boundary, newest first; PostgreSQL's NULLs come
        // before every date there, so they are in it, MariaDB's after, so they are not.
        const SqlStatement probe = statements.pageThrough(query, boundary, 200, RowDetail::Summary);
        const QString through = pg ? QStringLiteral("(%1 >= ? OR %1 IS NULL)").arg(q(engine, "date_done"))
                                   : QStringLiteral("%1 >= ?").arg(q(engine, "date_done"));
        QVERIFY2(probe.sql.contains(QStringLiteral("(SELECT %1, %2 AS s FROM %3 WHERE %4 AND %5%6 LIMIT ? OFFSET ?) AS k")
                                        .arg(q(engine, "id"), q(engine, "date_done"), table, clause.sql, through, order)),
                 qPrintable(probe.sql));
        QCOMPARE(probe.values, clause.values + (QVariantList{boundary, 200, 0}));
        // Its rows and keys are seekPage()'s: the same columns, the key last.
        QCOMPARE(probe.fields, first.fields);
        QCOMPARE(head(probe), head(first));

        // The scan: the matches found apart from the sort, then sorted.
        QVERIFY(statements.hasScannedPage());
        const SqlStatement scanned = statements.scannedPage(query, 200, RowDetail::Summary);
        const QString columns = q(engine, "id") + QStringLiteral(", ") + q(engine, "date_done");
        const QString matches = pg ? QStringLiteral("SELECT %1 FROM %2 WHERE %3 OFFSET 0").arg(columns, table, clause.sql)
                                   : QStringLiteral("SELECT %1 FROM %2 USE INDEX FOR ORDER BY () WHERE %3")
                                         .arg(columns, table, clause.sql);
        QVERIFY2(scanned.sql.contains(QStringLiteral("(SELECT %1, %2 AS s FROM (%3) AS m%4 LIMIT ?) AS k")
                                          .arg(q(engine, "id"), q(engine, "date_done"), matches, order)),
                 qPrintable(scanned.sql));
        QCOMPARE(scanned.values, clause.values + QVariantList{200});
        QCOMPARE(scanned.fields, first.fields);
        QCOMPARE(head(scanned), head(first));
        QVERIFY(scanned.sql.endsWith(QStringLiteral(" ORDER BY r.%1 DESC, r.%2 DESC").arg(q(engine, "date_done"), q(engine, "id"))));
    }
    // SQLite plans a search with its own planner (SqlitePlanner).
    QVERIFY(!SqlStatements(*dialectFor(Engine::Sqlite), layout).hasScannedPage());
    // Without a sort column, the key is NULL.
    const auto pgDialect = dialectFor(Engine::Postgres);
    TaskQuery byId = query;
    byId.sortField = Field::RowId;
    const SqlStatement scannedById = SqlStatements(*pgDialect, layout).scannedPage(byId, 200, RowDetail::Summary);
    QVERIFY2(scannedById.sql.contains(QStringLiteral("(SELECT \"id\", NULL AS s FROM (SELECT \"id\" FROM ")),
             qPrintable(scannedById.sql));
}

void TestSqlStatements::shouldChooseTheScanOnlyWhenTheProbeFoundTooFew()
{
    SqlLayout layout = layoutOf(Schema::Django);
    layout.dateDoneIndexed = true;
    const auto dialect = dialectFor(Engine::Postgres);
    const SqlStatements statements(*dialect, layout);
    TaskQuery query;
    query.search = QStringLiteral("timeout");
    QVERIFY(SearchProbe::applies(statements, query));
    // A search alone, newest first, on an indexed date_done; anything else is the engine's.
    for (int i = 0; i < 5; ++i) {
        TaskQuery other = query;
        switch (i) {
        case 0: other.statuses = {QStringLiteral("FAILURE")}; break;
        case 1: other.sortOrder = Qt::AscendingOrder; break;
        case 2: other.doneAfter = utc("2025-01-15T01:05:00Z"); break;
        case 3: other.search.clear(); break;
        case 4: other.sortField = Field::TaskName; break;
        }
        QVERIFY2(!SearchProbe::applies(statements, other), qPrintable(QString::number(i)));
    }
    SqlLayout unindexed = layout;
    unindexed.dateDoneIndexed = false;
    QVERIFY(!SearchProbe::applies(SqlStatements(*dialect, unindexed), query));

    // 1/64 of the table, between 2,000 and 20,000 rows.
    QCOMPARE(SearchProbe::windowFor(-1), 2000);
    QCOMPARE(SearchProbe::windowFor(100000), 2000);
    QCOMPARE(SearchProbe::windowFor(1000000), 15625);
    QCOMPARE(SearchProbe::windowFor(10000000), 20000);
    // No match in the probe: the walk would read every row.
    QVERIFY(SearchProbe::scanBeatsWalk(200, 15625, 0, 1000000));
    // 100 in 15,625 rows: 200 more need about 31,250 rows walked, far fewer than a scan.
    QVERIFY(!SearchProbe::scanBeatsWalk(200, 15625, 100, 1000000));
    // 4 in 15,625: about 781,250 rows walked at 1.5 scan steps each, more than the 1M a scan reads.
    QVERIFY(SearchProbe::scanBeatsWalk(200, 15625, 4, 1000000));
    QVERIFY(!SearchProbe::scanBeatsWalk(200, 15625, 5, 1000000));
}

void TestSqlStatements::shouldNarrowServersExceptionsToTheIdsFound_data()
{
    QTest::addColumn<Engine>("engine");
    QTest::addColumn<Schema>("schema");
    QTest::newRow("postgres django") << Engine::Postgres << Schema::Django;
    QTest::newRow("postgres taskmeta") << Engine::Postgres << Schema::TaskMeta;
    QTest::newRow("mysql django") << Engine::Mysql << Schema::Django;
    QTest::newRow("mysql taskmeta") << Engine::Mysql << Schema::TaskMeta;
}

void TestSqlStatements::shouldNarrowServersExceptionsToTheIdsFound()
{
    QFETCH(Engine, engine);
    QFETCH(Schema, schema);
    const auto dialect = dialectFor(engine);
    SqlStatements statements(*dialect, layoutOf(schema));
    QVERIFY(!statements.filtersExceptions());
    QVERIFY(SqlStatements(*dialectFor(Engine::Sqlite), layoutOf(schema)).filtersExceptions());
    const bool pickles = schema == Schema::TaskMeta;

    // The candidates: a base64 pickle, or each name's last dotted part (raw, and JSON-escaped
    // as Python writes it) in the traceback or the result. Every name is bound.
    const QStringList names{QStringLiteral("builtins.KeyError"), QStringLiteral("proj.x.Odd\"1'"),
                            QStringLiteral("KeyError"), QStringLiteral("proj.Ошибка")};
    const SqlStatement candidates = statements.exceptionCandidates({names, {QStringLiteral("<num>")}});
    for (const char *word : {"KeyError", "Odd", "exc_type"})
        QVERIFY2(!candidates.sql.contains(QLatin1String(word)), qPrintable(candidates.sql));
    QVERIFY(!candidates.sql.contains(QStringLiteral("Ошибка")));
    QCOMPARE(candidates.fields.constFirst(), Field::RowId);
    QVERIFY(candidates.fields.contains(Field::Result) && candidates.fields.contains(Field::Traceback));
    QStringList bound;
    for (const QVariant &v : candidates.values) {
        // A pickle column is searched with bytes, text with text.
        bound << (v.typeId() == QMetaType::QByteArray ? QStringLiteral("b:") + QString::fromUtf8(v.toByteArray())
                                                      : v.toString());
    }
    const QStringList parts{QStringLiteral("KeyError"), QStringLiteral("Odd\"1'"), QStringLiteral("Odd\\\"1'"),
                            QStringLiteral("Ошибка"), QStringLiteral("\\u041e\\u0448\\u0438\\u0431\\u043a\\u0430")};
    QStringList wanted;
    if (!pickles) // the traceback is left out where the result names exc_type: asked twice
        wanted << QStringLiteral("exc_type") << QStringLiteral("exc_type") << QStringLiteral("binary");
    wanted << parts;
    for (const QString &part : parts)
        wanted << (pickles ? QStringLiteral("b:") : QString()) + part;
    QCOMPARE(bound, wanted);
    QCOMPARE(candidates.sql.count(QLatin1String("?")), int(wanted.size()));
    // MariaDB searches the bytes of an ASCII part (its collation is slower), other parts as text.
    if (engine == Engine::Mysql && !pickles) {
        QVERIFY2(candidates.sql.contains(QStringLiteral("LOCATE(?, BINARY %1) > 0").arg(statements.column(Field::Result))),
                 qPrintable(candidates.sql));
        QVERIFY(candidates.sql.contains(QStringLiteral("POSITION(? IN %1) > 0").arg(statements.column(Field::Result))));
    }
    const SqlStatement tracebacks = statements.tracebacks({7, 3});
    QCOMPARE(tracebacks.fields, (QVector<Field>{Field::RowId, Field::Traceback}));
    QCOMPARE(tracebacks.values, (QVariantList{qint64(7), qint64(3)}));

    // Until the store hands over the ids it found, no row; then those ids, in order, whatever
    // the order of the names.
    TaskQuery query;
    query.exceptions = {QStringLiteral("KeyError"), QStringLiteral("ValueError")};
    QVERIFY(statements.filter(query).sql.contains(QLatin1String("0 = 1")));
    QVERIFY(!statements.hasExceptionRows(query.exceptionFilter()));
    statements.setExceptionRows({{QStringLiteral("ValueError"), QStringLiteral("KeyError"), QStringLiteral("KeyError")}, {}},
                                {30, 4, 17});
    QVERIFY(statements.hasExceptionRows(query.exceptionFilter()));
    const SqlClause narrowed = statements.filter(query);
    QVERIFY2(narrowed.sql.contains(statements.column(Field::RowId) + QStringLiteral(" IN (4,17,30)")),
             qPrintable(narrowed.sql));
    QVERIFY(narrowed.values.isEmpty());
    PurgeCriteria criteria;
    criteria.cutoff = utc("2025-02-01T00:00:00Z");
    criteria.exceptions = query.exceptions;
    QVERIFY(statements.expiredByStatus(criteria).sql.contains(QStringLiteral(" IN (4,17,30)")));
    // The same names with a fingerprint are another filter: found apart.
    query.fingerprints = {QStringLiteral("'sku-<num>'")};
    QVERIFY(!statements.hasExceptionRows(query.exceptionFilter()));
    QVERIFY(statements.filter(query).sql.contains(QLatin1String("0 = 1")));
    statements.setExceptionRows(query.exceptionFilter(), {17});
    QVERIFY(statements.filter(query).sql.contains(statements.column(Field::RowId) + QStringLiteral(" IN (17)")));
    criteria.fingerprints = query.fingerprints;
    QVERIFY(statements.expiredByStatus(criteria).sql.contains(QStringLiteral(" IN (17)")));
    query.fingerprints.clear();
    // Fingerprints alone: every row is a candidate, decided by the reader.
    const SqlStatement everyRow = statements.exceptionCandidates({{}, {QStringLiteral("<str>")}});
    QVERIFY2(everyRow.sql.endsWith(QLatin1String("WHERE 1 = 1")), qPrintable(everyRow.sql));
    QCOMPARE(everyRow.sql.count(QLatin1String("?")), int(everyRow.values.size()));
    // Other names are not those; none found is no row; cleared, none again.
    query.exceptions = {QStringLiteral("KeyError")};
    QVERIFY(statements.filter(query).sql.contains(QLatin1String("0 = 1")));
    statements.setExceptionRows(query.exceptionFilter(), {});
    QVERIFY(statements.filter(query).sql.contains(QLatin1String("0 = 1")));
    statements.clearExceptionRows();
    QVERIFY(!statements.hasExceptionRows(query.exceptionFilter()));
}

void TestSqlStatements::shouldBoundDateRangesInTheStoredForm()
{
    TaskQuery query;
    query.doneAfter = utc("2025-01-15T01:05:00Z");
    query.doneBefore = utc("2025-02-05T02:32:30.250Z");
    const QString where = QStringLiteral(" WHERE \"date_done\" >= ? AND \"date_done\" < ?");
    // Django writes str(datetime): no fraction when it is zero.
    const SqlClause django = Builder(Engine::Sqlite, Schema::Django).statements.filter(query);
    QCOMPARE(django.where(), where);
    QCOMPARE(django.values, (QVariantList{QStringLiteral("2025-01-15 01:05:00"), QStringLiteral("2025-02-05 02:32:30.250000")}));
    // SQLAlchemy always writes six digits.
    const SqlClause sqlalchemy = Builder(Engine::Sqlite, Schema::TaskMeta).statements.filter(query);
    QCOMPARE(sqlalchemy.values,
             (QVariantList{QStringLiteral("2025-01-15 01:05:00.000000"), QStringLiteral("2025-02-05 02:32:30.250000")}));
    // USE_TZ=False: naive local times, compared in the zone's wall clock (UTC+1 in winter).
    const SqlClause paris = Builder(Engine::Sqlite, Schema::Django, QTimeZone("Europe/Paris")).statements.filter(query);
    QCOMPARE(paris.values, (QVariantList{QStringLiteral("2025-01-15 02:05:00"), QStringLiteral("2025-02-05 03:32:30.250000")}));
    // The servers receive UTC text with microseconds and compare dates, not text.
    const SqlClause postgres = Builder(Engine::Postgres, Schema::Django).statements.filter(query);
    QCOMPARE(postgres.values,
             (QVariantList{QStringLiteral("2025-01-15 01:05:00.000000"), QStringLiteral("2025-02-05 02:32:30.250000")}));
}

void TestSqlStatements::shouldLeaveOutTheFacetsOwnFilter()
{
    const Builder b(Engine::Sqlite, Schema::Django);
    TaskQuery query;
    query.statuses = {QStringLiteral("FAILURE")};
    query.workers = {QStringLiteral("alpha")};
    const SqlStatement statuses = b.statements.facet(query, Field::Status, SqlStatements::Skip::Statuses);
    QCOMPARE(statuses.sql, QStringLiteral("SELECT \"status\", COUNT(*) FROM \"django_celery_results_taskresult\" WHERE "
                                          "(\"worker\" IN (?)) GROUP BY \"status\" ORDER BY \"status\""));
    QCOMPARE(statuses.values, QVariantList{QStringLiteral("alpha")});
    const SqlStatement workers = b.statements.facet(query, Field::Worker, SqlStatements::Skip::Workers);
    QVERIFY(workers.sql.contains(QLatin1String("WHERE (\"status\" IN (?)) GROUP BY \"worker\"")));
    QCOMPARE(workers.values, QVariantList{QStringLiteral("FAILURE")});
    const SqlStatement names = b.statements.facet(query, Field::TaskName, SqlStatements::Skip::TaskNames);
    QCOMPARE(names.values, (QVariantList{QStringLiteral("FAILURE"), QStringLiteral("alpha")}));
}

void TestSqlStatements::shouldOrderWithIdTiebreak_data()
{
    QTest::addColumn<Engine>("engine");
    QTest::addColumn<Schema>("schema");
    QTest::addColumn<int>("field");
    QTest::addColumn<bool>("ascending");
    QTest::addColumn<QString>("prefix");
    QTest::addColumn<QString>("orderBy");
    QTest::newRow("newest first") << Engine::Sqlite << Schema::Django << int(Field::DateDone) << false << QString()
                                  << QStringLiteral(" ORDER BY \"date_done\" DESC, \"id\" DESC");
    QTest::newRow("task name, ascending") << Engine::Sqlite << Schema::Django << int(Field::TaskName) << true << QString()
                                          << QStringLiteral(" ORDER BY \"task_name\" ASC, \"id\" ASC");
    QTest::newRow("qualified") << Engine::Sqlite << Schema::Django << int(Field::Status) << false << QStringLiteral("r.")
                               << QStringLiteral(" ORDER BY r.\"status\" DESC, r.\"id\" DESC");
    QTest::newRow("by id") << Engine::Sqlite << Schema::Django << int(Field::RowId) << true << QString()
                           << QStringLiteral(" ORDER BY \"id\" ASC");
    QTest::newRow("a field the schema lacks") << Engine::Sqlite << Schema::DjangoLegacy << int(Field::Worker) << false
                                              << QString() << QStringLiteral(" ORDER BY \"id\" DESC");
    QTest::newRow("celery_taskmeta name") << Engine::Sqlite << Schema::TaskMeta << int(Field::TaskName) << true
                                          << QString() << QStringLiteral(" ORDER BY \"name\" ASC, \"id\" ASC");
    QTest::newRow("mysql") << Engine::Mysql << Schema::Django << int(Field::DateDone) << false << QString()
                           << QStringLiteral(" ORDER BY `date_done` DESC, `id` DESC");
}

void TestSqlStatements::shouldOrderWithIdTiebreak()
{
    QFETCH(Engine, engine);
    QFETCH(Schema, schema);
    QFETCH(int, field);
    QFETCH(bool, ascending);
    QFETCH(QString, prefix);
    QFETCH(QString, orderBy);
    TaskQuery query;
    query.sortField = Field(field);
    query.sortOrder = ascending ? Qt::AscendingOrder : Qt::DescendingOrder;
    QCOMPARE(Builder(engine, schema).statements.orderBy(query, prefix), orderBy);
}

void TestSqlStatements::shouldReadPagesByLateRowLookup()
{
    const Builder b(Engine::Sqlite, Schema::DjangoLegacy);
    TaskQuery query;
    query.statuses = {QStringLiteral("FAILURE")};
    const SqlClause clause = b.statements.filter(query);
    const QString select = QStringLiteral(
        "r.\"id\", r.\"task_id\", r.\"task_name\", r.\"status\", r.\"task_args\", r.\"task_kwargs\", r.\"result\", "
        "r.\"traceback\", r.\"meta\", r.\"content_type\", r.\"content_encoding\", r.\"date_done\", r.\"hidden\"");
    const SqlStatement page = b.statements.page(query, clause, 400, 200, RowDetail::Full);
    QCOMPARE(page.sql, QStringLiteral("SELECT %1 FROM (SELECT \"id\" FROM \"django_celery_results_taskresult\" WHERE "
                                      "(\"status\" IN (?)) ORDER BY \"date_done\" DESC, \"id\" DESC LIMIT ? OFFSET ?) AS k "
                                      "JOIN \"django_celery_results_taskresult\" AS r ON r.\"id\" = k.\"id\" ORDER BY "
                                      "r.\"date_done\" DESC, r.\"id\" DESC")
                           .arg(select));
    QCOMPARE(page.values, (QVariantList{QStringLiteral("FAILURE"), 200, qint64(400)}));
    QCOMPARE(page.fields, (QVector<Field>{Field::RowId, Field::TaskId, Field::TaskName, Field::Status, Field::Args,
                                          Field::Kwargs, Field::Result, Field::Traceback, Field::Meta, Field::ContentType,
                                          Field::ContentEncoding, Field::DateDone, Field::Hidden}));
    // A scan that counts every match in the same pass.
    const SqlStatement scan =
        b.statements.page(query, clause, 0, 200, RowDetail::Full, SqlStatements::Access::Scan, true);
    QVERIFY2(scan.sql.startsWith(QStringLiteral("SELECT %1, k.n FROM (SELECT \"id\", COUNT(*) OVER () AS n FROM "
                                                "\"django_celery_results_taskresult\" NOT INDEXED WHERE")
                                     .arg(select)),
             qPrintable(scan.sql));
    QCOMPARE(scan.fields, page.fields);
    // One complete row by key.
    const SqlStatement row = b.statements.row(Field::TaskId, QStringLiteral("abc"));
    QVERIFY(row.sql.endsWith(QLatin1String(" FROM \"django_celery_results_taskresult\" WHERE \"task_id\" = ?")));
    QCOMPARE(row.values, QVariantList{QStringLiteral("abc")});
    QCOMPARE(row.fields, page.fields);
}

void TestSqlStatements::shouldSelectPreviewsForSummaryRows_data()
{
    QTest::addColumn<Engine>("engine");
    QTest::addColumn<Schema>("schema");
    QTest::addColumn<QString>("select");
    QTest::newRow("sqlite django") << Engine::Sqlite << Schema::Django
                                   << QStringLiteral("SELECT \"id\", \"task_id\", \"task_name\", \"periodic_task_name\", "
                                                     "\"status\", \"worker\", substr(\"task_args\", 1, 200), "
                                                     "substr(\"task_kwargs\", 1, 200), substr(\"result\", 1, 200), "
                                                     "\"content_type\", \"content_encoding\", \"date_created\", \"date_done\" FROM");
    // A pickle becomes base64 (4 characters per 3 bytes): 150 bytes make a 200-character preview.
    QTest::newRow("sqlite celery_taskmeta")
        << Engine::Sqlite << Schema::TaskMeta
        << QStringLiteral("SELECT \"id\", \"task_id\", \"name\", \"status\", \"worker\", substr(CAST(\"args\" AS TEXT), 1, 200), "
                          "substr(CAST(\"kwargs\" AS TEXT), 1, 200), substr(\"result\", 1, 150), \"date_done\", "
                          "\"retries\", \"queue\" FROM");
    QTest::newRow("mysql dates as UTC text")
        << Engine::Mysql << Schema::TaskMetaPlain
        << QStringLiteral("SELECT `id`, `task_id`, `status`, SUBSTRING(`result`, 1, 150), "
                          "DATE_FORMAT(`date_done`, '%Y-%m-%d %H:%i:%s.%f') FROM");
}

void TestSqlStatements::shouldSelectPreviewsForSummaryRows()
{
    QFETCH(Engine, engine);
    QFETCH(Schema, schema);
    QFETCH(QString, select);
    // Traceback and meta stay out of summary rows.
    const SqlStatement page = Builder(engine, schema).statements.page({}, {}, 0, 1, RowDetail::Summary);
    QString outer = page.sql.left(page.sql.indexOf(QLatin1String(" FROM (")) + 5);
    QCOMPARE(outer.remove(QStringLiteral("r.")), select);
    QVERIFY(!page.fields.contains(Field::Traceback));
    QVERIFY(!page.fields.contains(Field::Meta));
}

void TestSqlStatements::shouldOfferQuickMatchesOnlyForTaskIdLikeTerms_data()
{
    QTest::addColumn<QString>("search");
    QTest::addColumn<QVariantList>("range"); // the task id range's values; empty = no shortcut
    QTest::newRow("lower-case prefix") << QStringLiteral("8fc6ee6c")
                                       << QVariantList{QStringLiteral("8fc6ee6c"), QStringLiteral("8fc6ee6d")};
    QTest::newRow("upper case: also lower-cased")
        << QStringLiteral("8FC6") << QVariantList{QStringLiteral("8FC6"), QStringLiteral("8FC7"), QStringLiteral("8fc6"),
                                                  QStringLiteral("8fc7")};
    QTest::newRow("too short") << QStringLiteral("8f") << QVariantList();
    QTest::newRow("two terms") << QStringLiteral("8fc6 add") << QVariantList();
    QTest::newRow("not ASCII") << QString::fromUtf8("Zoë-abc") << QVariantList();
    QTest::newRow("a tilde") << QStringLiteral("abc~") << QVariantList();
    QTest::newRow("a quoted space") << QStringLiteral("\"ab cd\"") << QVariantList();
}

void TestSqlStatements::shouldOfferQuickMatchesOnlyForTaskIdLikeTerms()
{
    QFETCH(QString, search);
    QFETCH(QVariantList, range);
    const Builder b(Engine::Sqlite, Schema::Django);
    TaskQuery query;
    query.search = search;
    query.statuses = {QStringLiteral("SUCCESS")};
    const SqlStatement quick = b.statements.quickMatches(query, 50);
    QCOMPARE(quick.isEmpty(), range.isEmpty());
    if (range.isEmpty())
        return;
    const QString oneRange = QStringLiteral("(\"task_id\" >= ? AND \"task_id\" < ?)");
    const QString rangeSql = range.size() == 2 ? oneRange : QStringLiteral("(%1 OR %1)").arg(oneRange);
    // The range, then the whole query's clause: every quick row is a row of the full answer.
    QVERIFY2(quick.sql.contains(QStringLiteral(" WHERE ") + rangeSql + QStringLiteral(" AND (stalk_icontains(")),
             qPrintable(quick.sql));
    QVariantList values = range;
    values += b.statements.filter(query).values;
    values << 50 << qint64(0);
    QCOMPARE(quick.values, values);
    QCOMPARE(b.statements.quickMatches(query, 0).isEmpty(), true);
}

void TestSqlStatements::shouldProbeTheTableCheaplyForSqlitesPlans()
{
    const Builder b(Engine::Sqlite, Schema::Django);
    const QString t = QStringLiteral("\"django_celery_results_taskresult\"");
    // Two b-tree probes, not one scan.
    const SqlStatement span = b.statements.rowIdSpan();
    QCOMPARE(span.sql, QStringLiteral("SELECT (SELECT MAX(\"id\") FROM %1) - (SELECT MIN(\"id\") FROM %1) + 1").arg(t));
    QVERIFY(span.values.isEmpty());
    TaskQuery failures;
    failures.statuses = {QStringLiteral("FAILURE")};
    const SqlStatement upTo = b.statements.countUpTo(b.statements.filter(failures), 1000);
    QCOMPARE(upTo.sql, QStringLiteral("SELECT COUNT(*) FROM (SELECT 1 FROM %1 WHERE (\"status\" IN (?)) LIMIT ?)").arg(t));
    QCOMPARE(upTo.values, (QVariantList{QStringLiteral("FAILURE"), qint64(1000)}));
    const SqlStatement boundary = b.statements.dateBelowNewestIds(2000);
    QCOMPARE(boundary.sql, QStringLiteral("SELECT \"date_done\" FROM %1 WHERE \"id\" <= (SELECT MAX(\"id\") FROM %1) - ? AND "
                                          "\"date_done\" IS NOT NULL ORDER BY \"id\" DESC LIMIT 1")
                               .arg(t));
    QCOMPARE(boundary.values, QVariantList{qint64(2000)});
    // A boundary read from the table goes back as it was stored.
    const QVariant stored = QStringLiteral("2025-02-14 12:00:00.5");
    using Range = SqlStatements::DoneRange;
    QCOMPARE(b.statements.doneRange(Range::From, stored).sql, QStringLiteral("\"date_done\" >= ?"));
    QCOMPARE(b.statements.doneRange(Range::Below, stored).sql, QStringLiteral("\"date_done\" < ?"));
    QCOMPARE(b.statements.doneRange(Range::BelowOrNull, stored).sql,
             QStringLiteral("(\"date_done\" < ? OR \"date_done\" IS NULL)"));
    QCOMPARE(b.statements.doneRange(Range::Below, stored).values, QVariantList{stored});
    QCOMPARE(b.statements.doneRange(Range::Null).sql, QStringLiteral("\"date_done\" IS NULL"));
    QVERIFY(b.statements.doneRange(Range::Null).values.isEmpty());
    // What open() asks: any row, any task name (EXISTS stops at the first).
    QCOMPARE(b.statements.exists().sql, QStringLiteral("SELECT EXISTS(SELECT 1 FROM %1)").arg(t));
    QCOMPARE(b.statements.anyValue(Field::TaskName).sql,
             QStringLiteral("SELECT CASE WHEN EXISTS(SELECT 1 FROM %1 WHERE \"task_name\" IS NOT NULL) THEN 2 "
                            "WHEN EXISTS(SELECT 1 FROM %1) THEN 1 ELSE 0 END")
                 .arg(t));
    QCOMPARE(SqlStatements::djangoMigrations().values, QVariantList{QStringLiteral("django_celery_results")});
}

void TestSqlStatements::shouldAskTheEngineForItsRowEstimate()
{
    QVERIFY(Builder(Engine::Sqlite, Schema::Django).statements.estimatedRows().isEmpty());
    for (Engine engine : {Engine::Postgres, Engine::Mysql}) {
        const SqlStatement estimate = Builder(engine, Schema::Django).statements.estimatedRows();
        QVERIFY(!estimate.isEmpty());
        // The table's name as the catalog spells it, bound.
        QCOMPARE(estimate.values, QVariantList{SqlTables::djangoTasks});
        QVERIFY(!estimate.sql.contains(SqlTables::djangoTasks));
    }
}

// --- purging ---------------------------------------------------------------------------------

void TestSqlStatements::shouldRenderTheExpiredClause_data()
{
    QTest::addColumn<Engine>("engine");
    QTest::addColumn<Schema>("schema");
    QTest::addColumn<QString>("timeZone");
    QTest::addColumn<QString>("cutoff");
    QTest::addColumn<int>("micro");
    QTest::addColumn<bool>("narrowed");
    QTest::addColumn<bool>("unindexed");
    QTest::addColumn<QString>("where");
    QTest::addColumn<QVariantList>("values");
    const QString date = QStringLiteral(" WHERE \"date_done\" < ?");
    const QString narrowing = QStringLiteral(" AND (%1\"status\" IN (?, ?)) AND (%1\"task_name\" IS NULL)");
    const QVariantList narrowValues{kStatuses[0], kStatuses[1]};
    QTest::newRow("django, whole second") << Engine::Sqlite << Schema::Django << QString() << "2025-02-01T00:00:00Z" << 0
                                          << false << false << date << QVariantList{QStringLiteral("2025-02-01 00:00:00")};
    QTest::newRow("django, microseconds") << Engine::Sqlite << Schema::Django << QString() << "2025-02-14T12:00:00.500Z" << 1
                                          << false << false << date
                                          << QVariantList{QStringLiteral("2025-02-14 12:00:00.500001")};
    QTest::newRow("django, one microsecond") << Engine::Sqlite << Schema::Django << QString() << "2025-02-01T14:16:15Z" << 1
                                             << false << false << date
                                             << QVariantList{QStringLiteral("2025-02-01 14:16:15.000001")};
    QTest::newRow("celery_taskmeta: SQLAlchemy's six digits")
        << Engine::Sqlite << Schema::TaskMeta << QString() << "2025-02-01T00:00:00Z" << 0 << false << false << date
        << QVariantList{QStringLiteral("2025-02-01 00:00:00.000000")};
    QTest::newRow("naive local dates across DST")
        << Engine::Sqlite << Schema::Django << QStringLiteral("Europe/Paris") << "2025-03-30T01:00:00Z" << 0 << false
        << false << date << QVariantList{QStringLiteral("2025-03-30 03:00:00")};
    QTest::newRow("narrowed") << Engine::Sqlite << Schema::Django << QString() << "2025-02-01T00:00:00Z" << 0 << true
                              << false << date + narrowing.arg(QString())
                              << QVariantList{QStringLiteral("2025-02-01 00:00:00")} + narrowValues;
    QTest::newRow("narrowed, date walk") << Engine::Sqlite << Schema::Django << QString() << "2025-02-01T00:00:00Z" << 0
                                         << true << true << date + narrowing.arg(QStringLiteral("+"))
                                         << QVariantList{QStringLiteral("2025-02-01 00:00:00")} + narrowValues;
    QTest::newRow("narrowed by task name without the column")
        << Engine::Sqlite << Schema::TaskMetaPlain << QString() << "2025-02-01T00:00:00Z" << 0 << true << false
        << date + QStringLiteral(" AND (\"status\" IN (?, ?))")
        << QVariantList{QStringLiteral("2025-02-01 00:00:00.000000")} + narrowValues;
    QTest::newRow("postgres") << Engine::Postgres << Schema::Django << QString() << "2025-02-01T00:00:00Z" << 7 << false
                              << false << date << QVariantList{QStringLiteral("2025-02-01 00:00:00.000007")};
    QTest::newRow("mysql") << Engine::Mysql << Schema::Django << QString() << "2025-02-01T00:00:00Z" << 0 << false << false
                           << QStringLiteral(" WHERE `date_done` < ?")
                           << QVariantList{QStringLiteral("2025-02-01 00:00:00.000000")};
}

void TestSqlStatements::shouldRenderTheExpiredClause()
{
    QFETCH(Engine, engine);
    QFETCH(Schema, schema);
    QFETCH(QString, timeZone);
    QFETCH(QString, cutoff);
    QFETCH(int, micro);
    QFETCH(bool, narrowed);
    QFETCH(bool, unindexed);
    QFETCH(QString, where);
    QFETCH(QVariantList, values);
    const Builder b(engine, schema, timeZone.isEmpty() ? QTimeZone() : QTimeZone(timeZone.toUtf8()));
    PurgeCriteria criteria = criteriaAt(cutoff, micro);
    if (narrowed) {
        criteria.statuses = kStatuses;
        criteria.taskNames = {QString()};
    }
    const SqlClause clause = b.statements.expired(criteria, unindexed);
    QCOMPARE(clause.where(), where);
    QCOMPARE(clause.values, values);
}

void TestSqlStatements::shouldDeleteExpiredInBatchesPerDialect_data()
{
    QTest::addColumn<Engine>("engine");
    QTest::addColumn<QString>("sql");
    QTest::newRow("sqlite") << Engine::Sqlite
                            << QStringLiteral("DELETE FROM \"django_celery_results_taskresult\" WHERE \"id\" IN (SELECT \"id\" "
                                              "FROM \"django_celery_results_taskresult\" WHERE \"date_done\" < ? AND "
                                              "(\"status\" IN (?, ?)) ORDER BY \"id\" LIMIT ?)");
    QTest::newRow("postgres: rows being written are skipped")
        << Engine::Postgres
        << QStringLiteral("DELETE FROM \"django_celery_results_taskresult\" WHERE \"id\" = ANY(ARRAY(SELECT \"id\" FROM "
                          "\"django_celery_results_taskresult\" WHERE \"date_done\" < ? AND (\"status\" IN (?, ?)) ORDER BY "
                          "\"id\" LIMIT ? FOR UPDATE SKIP LOCKED))");
    QTest::newRow("mysql: no LIMIT in a subquery")
        << Engine::Mysql
        << QStringLiteral("DELETE FROM `django_celery_results_taskresult` WHERE `date_done` < ? AND (`status` IN (?, ?)) "
                          "ORDER BY `id` LIMIT ?");
}

void TestSqlStatements::shouldDeleteExpiredInBatchesPerDialect()
{
    QFETCH(Engine, engine);
    QFETCH(QString, sql);
    const Builder b(engine, Schema::Django);
    PurgeCriteria criteria = criteriaAt(QStringLiteral("2025-02-01T00:00:00Z"));
    criteria.statuses = kStatuses;
    const SqlStatement del = b.statements.deleteExpired(criteria, 7);
    QCOMPARE(del.sql, sql);
    QCOMPARE(del.values.size(), 4);
    QCOMPARE(del.values.mid(1), (QVariantList{kStatuses[0], kStatuses[1], 7}));
    // Whether any is left: the same clause.
    const SqlStatement any = b.statements.anyExpired(criteria);
    QCOMPARE(any.sql, QStringLiteral("SELECT EXISTS(SELECT 1 FROM %1%2)")
                          .arg(b.statements.table(), b.statements.expired(criteria).where()));
    QCOMPARE(any.values, del.values.mid(0, 3));
    // Counted by status for the preview.
    const SqlStatement preview = b.statements.expiredByStatus(criteria);
    QVERIFY(preview.sql.startsWith(QStringLiteral("SELECT %1, COUNT(*) FROM").arg(q(engine, "status"))));
    QVERIFY(preview.sql.endsWith(QStringLiteral(" GROUP BY %1").arg(q(engine, "status"))));
    QCOMPARE(preview.values, any.values);
}

void TestSqlStatements::shouldWalkTheDateIndexFromTheCursor_data()
{
    QTest::addColumn<Engine>("engine");
    QTest::addColumn<QString>("narrowing");
    QTest::addColumn<QString>("dateSelect");
    QTest::newRow("sqlite: narrowing kept off its index") << Engine::Sqlite << QStringLiteral("(+\"status\" IN (?))")
                                                          << QStringLiteral("\"date_done\"");
    QTest::newRow("postgres") << Engine::Postgres << QStringLiteral("(\"status\" IN (?))")
                              << QStringLiteral("to_char(\"date_done\", 'YYYY-MM-DD HH24:MI:SS.US')");
    QTest::newRow("mysql") << Engine::Mysql << QStringLiteral("(`status` IN (?))")
                           << QStringLiteral("DATE_FORMAT(`date_done`, '%Y-%m-%d %H:%i:%s.%f')");
}

void TestSqlStatements::shouldWalkTheDateIndexFromTheCursor()
{
    QFETCH(Engine, engine);
    QFETCH(QString, narrowing);
    QFETCH(QString, dateSelect);
    const Builder b(engine, Schema::Django);
    const QString date = q(engine, "date_done");
    const QString id = q(engine, "id");
    PurgeCriteria criteria = criteriaAt(QStringLiteral("2025-02-14T12:00:00.500Z"));
    criteria.statuses = {QStringLiteral("FAILURE")};
    const QString expired = QStringLiteral(" WHERE %1 < ? AND %2").arg(date, narrowing);
    const QString cutoff = QStringLiteral("2025-02-14 12:00:00.500000");
    const QString select = QStringLiteral("SELECT %1, %2 FROM %3").arg(dateSelect, id, b.statements.table());
    const QString order = QStringLiteral(" ORDER BY %1, %2 LIMIT 2 OFFSET ?").arg(date, id);
    const QString deleteFrom = QStringLiteral("DELETE FROM %1").arg(b.statements.table());

    // From the start: the 7th row ends the batch (and an 8th says more follow)...
    const SqlStatement firstEnd = b.statements.purgeBatchEnd(criteria, SqlPurgeCursor(), 7);
    QCOMPARE(firstEnd.sql, select + expired + order);
    QCOMPARE(firstEnd.values, (QVariantList{cutoff, QStringLiteral("FAILURE"), 6}));
    const SqlPurgeCursor end{QStringLiteral("2025-01-02 03:04:05.123456"), 42};
    const QString upTo = QStringLiteral(" AND %1 <= ? AND (%1 < ? OR %2 <= ?)").arg(date, id);
    const SqlStatement first = b.statements.deleteExpiredBetween(criteria, SqlPurgeCursor(), end);
    QCOMPARE(first.sql, deleteFrom + expired + upTo);
    QCOMPARE(first.values, (QVariantList{cutoff, QStringLiteral("FAILURE"), end.dateDone, end.dateDone, qint64(42)}));

    // ...then after it, in (date_done, id) order, spelt as one range of the date_done index;
    // the last batch deletes whatever is left.
    const QString after = QStringLiteral(" AND %1 >= ? AND (%1 > ? OR %2 > ?)").arg(date, id);
    const QVariantList afterValues{cutoff, QStringLiteral("FAILURE"), end.dateDone, end.dateDone, qint64(42)};
    const SqlStatement nextEnd = b.statements.purgeBatchEnd(criteria, end, 1);
    QCOMPARE(nextEnd.sql, select + expired + after + order);
    QCOMPARE(nextEnd.values, afterValues + QVariantList{0});
    const SqlStatement last = b.statements.deleteExpiredBetween(criteria, end, SqlPurgeCursor());
    QCOMPARE(last.sql, deleteFrom + expired + after);
    QCOMPARE(last.values, afterValues);

    // A server's batch ends before the date of its batchSize-th row, found from the
    // date_done index alone (no id named), and the next starts at that date.
    const QString endSelect = QStringLiteral("SELECT %1 FROM (SELECT %2 FROM %3").arg(dateSelect, date, b.statements.table());
    const QString dateOrder = QStringLiteral(" ORDER BY %1 LIMIT 1 OFFSET ?) AS batch_end").arg(date);
    const SqlStatement endDate = b.statements.purgeBatchEndDate(criteria, SqlPurgeCursor(), 7);
    QCOMPARE(endDate.sql, endSelect + expired + dateOrder);
    QCOMPARE(endDate.values, (QVariantList{cutoff, QStringLiteral("FAILURE"), 6}));
    const QVariant boundary = QStringLiteral("2025-01-03 00:00:00.000000");
    const SqlStatement before = b.statements.deleteExpiredBefore(criteria, end, boundary);
    QCOMPARE(before.sql, deleteFrom + expired + after + QStringLiteral(" AND %1 < ?").arg(date));
    QCOMPARE(before.values, afterValues + QVariantList{boundary});
    const SqlPurgeCursor atDate = SqlPurgeCursor::before(boundary);
    QVERIFY(atDate.isValid());
    const SqlStatement fromDate = b.statements.purgeBatchEndDate(criteria, atDate, 7);
    QCOMPARE(fromDate.sql, endSelect + expired + QStringLiteral(" AND %1 >= ?").arg(date) + dateOrder);
    QCOMPARE(fromDate.values, (QVariantList{cutoff, QStringLiteral("FAILURE"), boundary, 6}));
    if (engine != Engine::Sqlite)
        return;
    // SQLite deletes a batch in one statement, which returns where it ended.
    const SqlStatement byDate = b.statements.deleteExpiredByDate(criteria, end, 7);
    QCOMPARE(byDate.sql, QStringLiteral("DELETE FROM %1 WHERE %2 IN (SELECT %2 FROM %1%3%4 ORDER BY %5, %2 LIMIT ?) "
                                        "RETURNING %5, %2")
                             .arg(b.statements.table(), id, expired, after, date));
    QCOMPARE(byDate.values, afterValues + QVariantList{7});
    const SqlStatement left = b.statements.anyExpiredAfter(criteria, end);
    QCOMPARE(left.sql, QStringLiteral("SELECT EXISTS(SELECT 1 FROM %1%2%3)").arg(b.statements.table(), expired, after));
    QCOMPARE(left.values, afterValues);
}

void TestSqlStatements::shouldPurgeGroupsOnlyWhenNotNarrowed_data()
{
    QTest::addColumn<bool>("dateIndexed");
    QTest::addColumn<QString>("order");
    QTest::newRow("along the date_done index") << true << QStringLiteral("\"date_done\"");
    QTest::newRow("in id order") << false << QStringLiteral("\"id\"");
}

void TestSqlStatements::shouldPurgeGroupsOnlyWhenNotNarrowed()
{
    QFETCH(bool, dateIndexed);
    QFETCH(QString, order);
    const Builder b(Engine::Sqlite, Schema::Django, QTimeZone(), dateIndexed);
    PurgeCriteria criteria = criteriaAt(QStringLiteral("2025-02-01T00:00:00Z"), 5);
    QVERIFY(b.statements.purgesGroups(criteria));
    const QVariant cutoff = QStringLiteral("2025-02-01 00:00:00.000005");
    const SqlStatement del = b.statements.deleteExpiredGroups(criteria, 3);
    QCOMPARE(del.sql, QStringLiteral("DELETE FROM \"django_celery_results_groupresult\" WHERE \"id\" IN (SELECT \"id\" FROM "
                                     "\"django_celery_results_groupresult\" WHERE \"date_done\" < ? ORDER BY %1 LIMIT ?)")
                          .arg(order));
    QCOMPARE(del.values, (QVariantList{cutoff, qint64(3)}));
    QCOMPARE(b.statements.anyExpiredGroups(criteria).sql,
             QStringLiteral("SELECT EXISTS(SELECT 1 FROM \"django_celery_results_groupresult\" WHERE \"date_done\" < ?)"));
    QCOMPARE(b.statements.expiredGroupCount(criteria).sql,
             QStringLiteral("SELECT COUNT(*) FROM \"django_celery_results_groupresult\" WHERE \"date_done\" < ?"));
    QCOMPARE(b.statements.expiredGroupCount(criteria).values, QVariantList{cutoff});

    PurgeCriteria narrowed = criteria;
    narrowed.taskNames = {QStringLiteral("proj.tasks.add")};
    QVERIFY(!b.statements.purgesGroups(narrowed));
    PurgeCriteria without = criteria;
    without.includeGroups = false;
    QVERIFY(!b.statements.purgesGroups(without));
    SqlLayout noGroups = b.statements.layout();
    noGroups.groupTable.clear();
    QVERIFY(!SqlStatements(*b.dialect, noGroups).purgesGroups(criteria));
}

void TestSqlStatements::shouldDeleteRowsInChunksOfBoundValues_data()
{
    QTest::addColumn<Engine>("engine");
    QTest::addColumn<int>("chunk");
    QTest::newRow("sqlite") << Engine::Sqlite << 500;
    QTest::newRow("postgres") << Engine::Postgres << 1000;
}

void TestSqlStatements::shouldDeleteRowsInChunksOfBoundValues()
{
    QFETCH(Engine, engine);
    QFETCH(int, chunk);
    const Builder b(engine, Schema::Django);
    QCOMPARE(b.statements.rowsPerDelete(), chunk);
    const SqlStatement del = b.statements.deleteRows({3, 14, 50});
    QCOMPARE(del.sql, QStringLiteral("DELETE FROM \"django_celery_results_taskresult\" WHERE \"id\" IN (?, ?, ?)"));
    QCOMPARE(del.values, (QVariantList{qint64(3), qint64(14), qint64(50)}));
}

// --- the expiry rule on one row ----------------------------------------------------------------

void TestSqlStatements::shouldApplyTheExpiryRuleToOneRow_data()
{
    QTest::addColumn<QDateTime>("dateDone");
    QTest::addColumn<int>("dateMicro"); // -1: unknown (TaskResult holds milliseconds)
    QTest::addColumn<int>("cutoffMicro");
    QTest::addColumn<QString>("status");
    QTest::addColumn<QString>("taskName");
    QTest::addColumn<bool>("narrowed");
    QTest::addColumn<bool>("expired");
    const QDateTime cutoff = utc("2025-02-01T10:00:00.500Z");
    const QString success = QStringLiteral("SUCCESS");
    const QString add = QStringLiteral("proj.tasks.add");
    const int unknown = PurgeCriteria::unknownMicroseconds;
    QTest::newRow("older") << cutoff.addMSecs(-1) << unknown << 0 << success << add << false << true;
    QTest::newRow("newer") << cutoff.addMSecs(1) << unknown << 999 << success << add << false << false;
    QTest::newRow("at the cutoff") << cutoff << unknown << 0 << success << add << false << false;
    QTest::newRow("NULL date_done") << QDateTime() << unknown << 0 << QStringLiteral("STARTED") << add << false << false;
    QTest::newRow("any status") << cutoff.addDays(-3) << unknown << 0 << QStringLiteral("PENDING") << QString() << false
                                << true;
    // Microseconds decide inside the cutoff's millisecond when both are known...
    QTest::newRow("µs before") << cutoff << 4 << 5 << success << add << false << true;
    QTest::newRow("µs equal") << cutoff << 5 << 5 << success << add << false << false;
    QTest::newRow("µs after") << cutoff << 6 << 5 << success << add << false << false;
    // ...and an unknown one keeps the row: never deleted before it expired.
    QTest::newRow("µs unknown") << cutoff << unknown << 5 << success << add << false << false;
    QTest::newRow("µs unknown, an earlier ms") << cutoff.addMSecs(-1) << unknown << 5 << success << add << false << true;
    // Narrowed to FAILURE/REVOKED and NULL task names (see criteriaFor in the test).
    QTest::newRow("narrowed: status kept") << cutoff.addDays(-1) << unknown << 0 << success << QString() << true << false;
    QTest::newRow("narrowed: task name kept")
        << cutoff.addDays(-1) << unknown << 0 << QStringLiteral("FAILURE") << add << true << false;
    QTest::newRow("narrowed: both match") << cutoff.addDays(-1) << unknown << 0 << QStringLiteral("REVOKED") << QString()
                                          << true << true;
    QTest::newRow("narrowed: '' is not NULL")
        << cutoff.addDays(-1) << unknown << 0 << QStringLiteral("REVOKED") << QString(QLatin1String("")) << true << false;
    QTest::newRow("narrowed: a NULL status is not matched")
        << cutoff.addDays(-1) << unknown << 0 << QString() << QString() << true << false;
}

void TestSqlStatements::shouldApplyTheExpiryRuleToOneRow()
{
    QFETCH(QDateTime, dateDone);
    QFETCH(int, dateMicro);
    QFETCH(int, cutoffMicro);
    QFETCH(QString, status);
    QFETCH(QString, taskName);
    QFETCH(bool, narrowed);
    QFETCH(bool, expired);
    PurgeCriteria criteria = criteriaAt(QStringLiteral("2025-02-01T10:00:00.500Z"), cutoffMicro);
    if (narrowed) {
        criteria.statuses = kStatuses;
        criteria.taskNames = {QString()};
    }
    TaskResult row;
    row.dateDone = dateDone;
    row.status = status;
    row.taskName = taskName;
    QCOMPARE(criteria.matches(row, dateMicro), expired);
    QCOMPARE(criteria.matches(dateDone, status, taskName, QString(), QString(), dateMicro), expired);
    if (!narrowed)
        QCOMPARE(criteria.isExpired(dateDone, dateMicro), expired);
}

void TestSqlStatements::shouldExpireGroupsOnlyWhenNotNarrowed()
{
    PurgeCriteria criteria = criteriaAt(QStringLiteral("2025-02-01T10:00:00Z"));
    const QDateTime older = utc("2025-01-01T00:00:00Z");
    QVERIFY(criteria.includesGroups());
    QVERIFY(criteria.matchesGroup(older));
    QVERIFY(!criteria.matchesGroup(criteria.cutoff));
    QVERIFY(!criteria.matchesGroup(QDateTime()));
    PurgeCriteria narrowed = criteria;
    narrowed.statuses = {QStringLiteral("FAILURE")};
    QVERIFY(!narrowed.includesGroups());
    QVERIFY(!narrowed.matchesGroup(older));
    PurgeCriteria without = criteria;
    without.includeGroups = false;
    QVERIFY(!without.matchesGroup(older));
}

void TestSqlStatements::shouldRankRuntimesAtTheNearestRankOfEveryCount()
{
    // The runtimes statement on a real SQLite database: task "tN" has N results that ran
    // 1, 2, …, N seconds (in shuffled order, some not countable: a RETRY, a STARTED), so the
    // value at rank r is r seconds. Its rows, through RuntimeTableBuilder, must give each
    // percentile at ceil(p·N/100), computed here in floating point. The halves: date_done
    // runs in steps of a second, three results sharing each (a tie the ids split), and the
    // ids are shuffled too, so the halves by (date_done, id) are neither the insertion order
    // nor the runtimes' order; each half's p95 is computed here from the sorted rows.
    const QString connection = QStringLiteral("tst_sqlstatements_runtimes");
    {
        QSqlDatabase db = memoryDatabase(connection);
        QVERIFY(db.isOpen());
        QSqlQuery q(db);
        QVERIFY(q.exec(QStringLiteral(
            "CREATE TABLE django_celery_results_taskresult (id integer PRIMARY KEY, task_id text, status text, "
            "content_type text, content_encoding text, result text, date_done datetime, traceback text, meta text, "
            "task_args text, task_kwargs text, task_name text, worker text, date_created datetime, "
            "periodic_task_name text)")));
        QVERIFY(db.transaction());
        QVERIFY(q.prepare(QStringLiteral("INSERT INTO django_celery_results_taskresult (id, task_id, status, "
                                         "task_name, date_created, date_done) VALUES (?, ?, ?, ?, ?, ?)")));
        const QDateTime start = utc("2025-02-01T10:00:00.250Z");
        const auto text = [](const QDateTime &t) { return t.toString(QStringLiteral("yyyy-MM-dd HH:mm:ss.zzz000")); };
        constexpr int maxN = 150;
        struct Run
        {
            qint64 done; // seconds after start
            qint64 id;
            double seconds;
        };
        QVector<QVector<Run>> runs(maxN + 1);
        for (int n = 1; n <= maxN; ++n) {
            for (int i = 0; i < n; ++i) {
                const int k = (i * 7919) % n + 1; // 7919 is a prime above maxN: a permutation of 1..n
                const qint64 id = qint64(n) * 1000 + (i * 7907) % n; // 7907: another permutation
                const qint64 done = 100000 + i / 3;
                runs[n] << Run{done, id, double(k)};
                q.addBindValue(id);
                q.addBindValue(QStringLiteral("%1-%2").arg(n).arg(i));
                q.addBindValue(i % 2 ? QStringLiteral("SUCCESS") : QStringLiteral("FAILURE"));
                q.addBindValue(QStringLiteral("t%1").arg(n, 3, 10, QLatin1Char('0')));
                q.addBindValue(text(start.addSecs(done - k)));
                q.addBindValue(text(start.addSecs(done)));
                QVERIFY2(q.exec(), qPrintable(q.lastError().text()));
            }
            for (const char *status : {"RETRY", "STARTED"}) { // no runtime
                q.addBindValue(qint64(n) * 1000 + 999 - (status[0] == 'R' ? 0 : 1));
                q.addBindValue(QStringLiteral("%1-%2").arg(n).arg(QLatin1String(status)));
                q.addBindValue(QLatin1String(status));
                q.addBindValue(QStringLiteral("t%1").arg(n, 3, 10, QLatin1Char('0')));
                q.addBindValue(text(start));
                q.addBindValue(text(start.addSecs(1)));
                QVERIFY(q.exec());
            }
        }
        QVERIFY(db.commit());

        Builder b(Engine::Sqlite, Schema::Django);
        const SqlStatement statement = b.statements.runtimes(TaskQuery(), Runtime::Basis::Created);
        QVERIFY(q.prepare(statement.sql));
        for (const QVariant &value : statement.values)
            q.addBindValue(value);
        QVERIFY2(q.exec(), qPrintable(q.lastError().text()));
        RuntimeTableBuilder builder(Runtime::Basis::Created);
        QHash<QString, QMap<int, double>> halfP95; // the SQL's own half ranks, whatever the count
        int rows = 0;
        while (q.next()) {
            const QString task = q.value(0).toString();
            const qint64 n = q.value(1).toLongLong();
            const RuntimeHalf half = q.value(4).toInt() ? RuntimeHalf::Recent : RuntimeHalf::Earlier;
            builder.addRanked(task, n, q.value(2).toLongLong(), q.value(3).toDouble());
            builder.addHalfRanked(task, n, half, q.value(5).toLongLong(), q.value(3).toDouble());
            if (q.value(5).toLongLong() == Percentile::nearestRank(95, TaskRuntimes::halfCount(half, n)))
                halfP95[task][int(half)] = q.value(3).toDouble();
            ++rows;
        }
        QVERIFY(rows <= 6 * maxN); // only the ranked rows come back
        const RuntimeTable table = builder.table();
        QCOMPARE(table.tasks.size(), maxN);
        for (int n = 1; n <= maxN; ++n) {
            const TaskRuntimes &task = table.tasks.at(n - 1);
            QCOMPARE(task.taskName, QStringLiteral("t%1").arg(n, 3, 10, QLatin1Char('0')));
            QCOMPARE(task.count, n);
            const auto rank = [n](double p) { return std::max(1.0, std::ceil(p * n / 100.0 - 1e-9)); };
            QCOMPARE(task.p50, rank(50));
            QCOMPARE(task.p95, rank(95));
            QCOMPARE(task.p99, rank(99));
            QCOMPARE(task.max, double(n));

            QVector<Run> ordered = runs.at(n);
            std::sort(ordered.begin(), ordered.end(),
                      [](const Run &a, const Run &b) { return std::tie(a.done, a.id) < std::tie(b.done, b.id); });
            const auto p95Of = [&ordered](int from, int to) -> double {
                QVector<double> values;
                for (int i = from; i < to; ++i)
                    values << ordered.at(i).seconds;
                std::sort(values.begin(), values.end());
                return values.at(int(std::max(1.0, std::ceil(0.95 * double(values.size()) - 1e-9))) - 1);
            };
            const int older = (n + 1) / 2; // the middle one of an odd count is older
            const QMap<int, double> sqlHalves = halfP95.value(task.taskName);
            QCOMPARE(sqlHalves.value(int(RuntimeHalf::Earlier)), p95Of(0, older));
            if (n >= 2)
                QCOMPARE(sqlHalves.value(int(RuntimeHalf::Recent)), p95Of(older, n));
            if (n < 2 * TaskRuntimes::minHalfCount) {
                QVERIFY(!task.p95Earlier && !task.p95Recent && !task.p95Ratio() && !task.p95Grew());
            } else {
                QCOMPARE(task.p95Earlier, std::optional<double>(p95Of(0, older)));
                QCOMPARE(task.p95Recent, std::optional<double>(p95Of(older, n)));
            }
        }
    }
    QSqlDatabase::removeDatabase(connection);
}

void TestSqlStatements::shouldTellWhetherAP95Grew_data()
{
    QTest::addColumn<qint64>("count");
    QTest::addColumn<double>("earlier");
    QTest::addColumn<double>("recent");
    QTest::addColumn<bool>("grew");
    QTest::addColumn<QString>("text");
    QTest::newRow("half as much again") << qint64(40) << 2.0 << 3.0 << true << QStringLiteral("\u25b2 1.5\u00d7");
    QTest::newRow("just under") << qint64(40) << 2.0 << 2.999 << false << QStringLiteral("1.4\u00d7");
    QTest::newRow("faster") << qint64(41) << 4.0 << 1.0 << false << QStringLiteral("0.2\u00d7");
    QTest::newRow("tripled") << qint64(1000) << 1.0 << 3.25 << true << QStringLiteral("\u25b2 3.2\u00d7");
    QTest::newRow("from nothing") << qint64(40) << 0.0 << 0.5 << true << QStringLiteral("\u25b2 \u221e\u00d7");
    QTest::newRow("nothing both") << qint64(40) << 0.0 << 0.0 << false << QStringLiteral("1.0\u00d7");
    QTest::newRow("too few (39)") << qint64(39) << 1.0 << 30.0 << false << QString();
}

void TestSqlStatements::shouldTellWhetherAP95Grew()
{
    // The rule on RuntimeTableBuilder's input (rank 19 is the p95 of a half of 20, rank 20 of
    // 21 or more up to 40): whether it grew, and how the ratio reads.
    QFETCH(qint64, count);
    QFETCH(double, earlier);
    QFETCH(double, recent);
    QFETCH(bool, grew);
    QFETCH(QString, text);
    RuntimeTableBuilder builder(Runtime::Basis::Started);
    for (const RuntimeHalf half : {RuntimeHalf::Earlier, RuntimeHalf::Recent}) {
        const qint64 rank = Percentile::nearestRank(TaskRuntimes::trendPercent, TaskRuntimes::halfCount(half, count));
        builder.addHalfRanked(QStringLiteral("t"), count, half, rank - 1, 99.0); // not the rank: ignored
        builder.addHalfRanked(QStringLiteral("t"), count, half, rank, half == RuntimeHalf::Earlier ? earlier : recent);
    }
    const TaskRuntimes task = builder.table().tasks.value(0);
    QCOMPARE(task.count, count);
    QCOMPARE(task.p95Grew(), grew);
    QCOMPARE(task.p95Ratio() ? TaskRuntimes::p95RatioText(*task.p95Ratio()) : QString(), text);
    QCOMPARE(TaskRuntimes::halfCount(RuntimeHalf::Earlier, count) + TaskRuntimes::halfCount(RuntimeHalf::Recent, count),
             count);
}

void TestSqlStatements::shouldReadOnlyIntegerIds_data()
{
    QTest::addColumn<QVariant>("stored");
    QTest::addColumn<qint64>("id");
    QTest::newRow("integer") << QVariant(qint64(42)) << qint64(42);
    QTest::newRow("int") << QVariant(7) << qint64(7);
    QTest::newRow("digits as text") << QVariant(QStringLiteral("12")) << qint64(12);
    QTest::newRow("text") << QVariant(QStringLiteral("abc")) << qint64(-1);
    QTest::newRow("digits then text") << QVariant(QStringLiteral("12abc")) << qint64(-1);
    QTest::newRow("blob") << QVariant(QByteArray("\x01\x02")) << qint64(-1);
    QTest::newRow("real") << QVariant(1.5) << qint64(-1);
    QTest::newRow("NULL") << QVariant() << qint64(-1);
}

void TestSqlStatements::shouldReadOnlyIntegerIds()
{
    QFETCH(QVariant, stored);
    QFETCH(qint64, id);
    QString problem;
    QCOMPARE(SqlStatements::readRowId(stored, &problem), id);
    QCOMPARE(problem.isEmpty(), id >= 0);
}

void TestSqlStatements::shouldCapTheSearchTermsForEveryEngine()
{
    QStringList words;
    for (int i = 0; i <= TaskQuery::maxSearchTerms; ++i)
        words << QStringLiteral("w%1").arg(i);
    TaskQuery query;
    query.search = words.mid(0, TaskQuery::maxSearchTerms).join(u' ');
    QVERIFY(!query.searchError());
    query.search = words.join(u' ');
    QCOMPARE(query.searchError().code, StoreError::Code::QueryFailed);
    QVERIFY(query.searchError().message.contains(QStringLiteral("at most %1").arg(TaskQuery::maxSearchTerms)));
    query.search = u'"' + words.join(u' ') + u'"'; // one phrase
    QVERIFY(!query.searchError());
}

void TestSqlStatements::shouldListEachFailurePartsMinutes()
{
    // The failure parts on a real SQLite database: one part (same task, status, worker and
    // result) whose results are dated in every form a Celery writer stores (naive, 'T', an
    // offset, 'Z', no fraction, .999999 s) and one without date_done; each lists its minutes
    // in UTC, as readDate() reads the dates, and COUNT(date_done) says how many it lists.
    const QString connection = QStringLiteral("tst_sqlstatements_minutes");
    {
        QSqlDatabase db = memoryDatabase(connection);
        QVERIFY(db.isOpen());
        QSqlQuery q(db);
        QVERIFY(q.exec(QStringLiteral(
            "CREATE TABLE celery_taskmeta (id integer PRIMARY KEY, task_id text, status text, result blob, "
            "date_done datetime, traceback text, name text, args blob, kwargs blob, worker text, retries integer, "
            "queue text)")));
        const QStringList dates{QStringLiteral("2025-02-01 10:00:59.999999"), QStringLiteral("2025-02-01T10:00:00"),
                                QStringLiteral("2025-02-01 12:31:30.5+02:00"), QStringLiteral("2025-02-01 10:31:00Z"),
                                QStringLiteral("2025-03-30 01:30:00")};
        QVERIFY(q.prepare(QStringLiteral("INSERT INTO celery_taskmeta (task_id, status, result, date_done, name) "
                                         "VALUES (?, 'FAILURE', x'00', ?, 't')")));
        for (const QString &date : dates) {
            q.addBindValue(date);
            q.addBindValue(date);
            QVERIFY2(q.exec(), qPrintable(q.lastError().text()));
        }
        QVERIFY(q.exec(QStringLiteral("INSERT INTO celery_taskmeta (task_id, status, result, date_done, name) "
                                      "VALUES ('undated', 'FAILURE', x'01', NULL, 't')")));

        for (const QTimeZone &zone : {QTimeZone(), QTimeZone("Europe/Paris")}) {
            Builder b(Engine::Sqlite, Schema::TaskMeta, zone);
            TaskQuery query;
            query.statuses = {QStringLiteral("FAILURE")};
            const SqlStatement statement = b.statements.failureParts(query);
            QVERIFY(q.prepare(statement.sql));
            for (const QVariant &value : statement.values)
                q.addBindValue(value);
            QVERIFY2(q.exec(), qPrintable(q.lastError().text()));
            const int n = int(statement.fields.size());
            int parts = 0;
            while (q.next()) {
                ++parts;
                const FailureTableBuilder::MinuteCounts minutes = b.statements.readMinutes(q.value(n + 4));
                if (q.value(n + 3).toLongLong() == 0) { // the undated part
                    QCOMPARE(q.value(n).toLongLong(), 1);
                    QVERIFY(minutes.isEmpty());
                    continue;
                }
                QCOMPARE(q.value(n + 3).toLongLong(), dates.size());
                FailureTableBuilder::MinuteCounts expected;
                for (const QString &date : dates) {
                    const QDateTime at = b.statements.readDate(date, nullptr);
                    QVERIFY2(at.isValid(), qPrintable(date));
                    ++expected[at.toMSecsSinceEpoch() / 60000 * 60000];
                }
                QCOMPARE(minutes, expected);
            }
            QCOMPARE(parts, 2);
        }
    }
    QSqlDatabase::removeDatabase(connection);

    // The list as text: NULL and empty are no minute; it stops at what is not a decimal; a
    // wall clock's minute is turned to UTC across a DST change (Paris: 01:30 is UTC+1, 03:30
    // after the spring change UTC+2).
    Builder utcStore(Engine::Postgres, Schema::Django);
    QVERIFY(utcStore.statements.readMinutes(QVariant()).isEmpty());
    QVERIFY(utcStore.statements.readMinutes(QString()).isEmpty());
    QCOMPARE(utcStore.statements.readMinutes(QStringLiteral("2,1,2")),
             (FailureTableBuilder::MinuteCounts{{60000, 1}, {120000, 2}}));
    QCOMPARE(utcStore.statements.readMinutes(QStringLiteral("5,x,6")), (FailureTableBuilder::MinuteCounts{{300000, 1}}));
    QCOMPARE(utcStore.statements.readMinutes(QStringLiteral("5,,6")), (FailureTableBuilder::MinuteCounts{{300000, 1}}));
    QCOMPARE(utcStore.statements.readMinutes(QByteArray("7")), (FailureTableBuilder::MinuteCounts{{420000, 1}}));
    const auto minuteOf = [](const char *iso) { return utc(iso).toMSecsSinceEpoch() / 60000; };
    Builder paris(Engine::Mysql, Schema::Django, QTimeZone("Europe/Paris"));
    QCOMPARE(paris.statements.readMinutes(QStringLiteral("%1,%2,%2")
                                              .arg(minuteOf("2025-03-30T01:30:00Z"))
                                              .arg(minuteOf("2025-03-30T03:30:00Z"))),
             (FailureTableBuilder::MinuteCounts{{utc("2025-03-30T00:30:00Z").toMSecsSinceEpoch(), 1},
                                                {utc("2025-03-30T01:30:00Z").toMSecsSinceEpoch(), 2}}));
}

QTEST_APPLESS_MAIN(TestSqlStatements)
#include "tst_sqlstatements.moc"
