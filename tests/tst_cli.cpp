#include <QDir>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QRegularExpression>
#include <QScopeGuard>
#include <QSet>
#include <QSqlDatabase>
#include <QSqlError>
#include <QSqlQuery>
#include <QTemporaryDir>
#include <QTest>

#include "aggregates.h"
#include "cli.h"
#include "cliargs.h"
#include "clioutput.h"
#include "displaytext.h"
#include "memcachedsnapshot.h"
#include "storeurl.h"
#include "storechecks.h"
#include "testsupport.h"

/// End-to-end tests of the `stalk` command line: runs the real binary (STALK_BIN) with no
/// display against copies of the fixture databases written by the real Celery worker, and
/// checks its answers against expectations.json (computed with the real Django admin/ORM).
class TestCli final : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();

    // Pure parts, without the binary.
    void shouldRouteToTheWindowOrACommand_data();
    void shouldRouteToTheWindowOrACommand();
    void shouldParseOptionsAnywhere();
    void shouldSuggestTheClosestWord_data();
    void shouldSuggestTheClosestWord();
    void shouldQuoteCsvFieldsPerRfc4180_data();
    void shouldQuoteCsvFieldsPerRfc4180();
    void shouldFitTableColumnsIntoTheTerminal();
    void shouldEscapeControlsVisibly_data();
    void shouldEscapeControlsVisibly();
    void shouldMeasureTerminalColumns_data();
    void shouldMeasureTerminalColumns();

    void shouldPrintHelpForEveryCommand_data();
    void shouldPrintHelpForEveryCommand();
    void shouldPrintTheVersion();
    void shouldRejectBadCommandLinesWithStatus2_data();
    void shouldRejectBadCommandLinesWithStatus2();
    void shouldFailWithOneLineAndStatus1_data();
    void shouldFailWithOneLineAndStatus1();
    void shouldNotCreateAMissingDatabase();
    void shouldExplainThatTheWindowNeedsADisplay();

    void shouldCountLikeTheAdmin();
    void shouldOpenRelativeSqliteUrls();
    void shouldSearchWithDecodedSemantics_data();
    void shouldSearchWithDecodedSemantics();
    void shouldListNewestFirstInEveryFormat();
    void shouldLimitTheList();
    void shouldListChosenFieldsWithOrWithoutHeader();
    void shouldWriteStoredTextUnderFormatsNames();
    void shouldWriteNullForFieldsTheAppDidNotRecord();
    void shouldReadEveryFixtureSchema_data();
    void shouldReadEveryFixtureSchema();
    void shouldShowOneResultInFull();
    void shouldAddDecodedFieldsOnlyOnRequest();
    void shouldPrintStatsLikeTheAdminCounts();
    void shouldPrintStatsAsCsv();
    void shouldFilterByDoneDate();
    void shouldAggregateLikeTheStoredRows_data();
    void shouldAggregateLikeTheStoredRows();
    void shouldPrintSavedGroupsAsStored_data();
    void shouldPrintSavedGroupsAsStored();
    void shouldPrintSavedGroupsOfIndexStores_data();
    void shouldPrintSavedGroupsOfIndexStores();
    void shouldWriteAggregatesInEveryFormat();
    void shouldMarkTheTasksWhoseP95Grew_data();
    void shouldMarkTheTasksWhoseP95Grew();

    void shouldPreviewPurgeWithoutDeleting_data();
    void shouldPreviewPurgeWithoutDeleting();
    void shouldPurgeExactlyTheExpiredSet_data();
    void shouldPurgeExactlyTheExpiredSet();
    void shouldNarrowPurgeByStatusAndKeepGroups();
    void shouldNarrowAPurgeAsCountNarrows_data();
    void shouldNarrowAPurgeAsCountNarrows();
    void shouldRefuseToPurgeWithoutYesWhenStdinIsNotATerminal();
    void shouldRefuseToPurgeReadOnly();
    void shouldRefuseCacheExpiryOnStoresWithoutOne_data();
    void shouldRefuseCacheExpiryOnStoresWithoutOne();
    void shouldAskOnATerminalAndDeleteNothingOnNo();
    void shouldAskOnATerminalAndDeleteOnYes();
    void shouldKeepTheDatabaseIntactWithInjectionStrings_data();
    void shouldKeepTheDatabaseIntactWithInjectionStrings();
    void shouldNeverWriteTerminalControlsFromStoredData();
    void shouldNeverWriteTerminalControlsFromCouchDocuments();
    void shouldEscapeStoredBytesInErrorSentences();
    void shouldNeverPrintAPasswordOfAnUnreadableUrl_data();
    void shouldNeverPrintAPasswordOfAnUnreadableUrl();

    // Logging (issue 15): --verbose and QT_LOGGING_RULES, on standard error only.
    void shouldLogToStandardErrorOnlyWhenVerbose_data();
    void shouldLogToStandardErrorOnlyWhenVerbose();
    void shouldLogPurgeBatchesWithoutChangingTheOutput();
    void shouldLogOneAreaWithLoggingRules();
    void shouldNeverLogAServerPassword_data();
    void shouldNeverLogAServerPassword();

    // Server passwords (issue 4), against tools/servers/with_postgres.sh.
    void shouldDocumentWhereAPasswordMayComeFrom();
    void shouldPromptForAServerPasswordOnATerminal();
    void shouldFailAfterAWrongPasswordOnATerminal();
    void shouldExplainHowToPassAPasswordWithoutATerminal();
    void shouldTakeThePasswordFromTheEnvironment();

    // Servers that drop the connection mid-operation (issue 11).
    void shouldSayOneSentenceWhenTheServerDropsMidPurge_data();
    void shouldSayOneSentenceWhenTheServerDropsMidPurge();
    void shouldKeepTheServersWarningsOffStandardError();

    // Several memcached servers in one URL (issue 12), against tools/servers/with_memcached.sh.
    void shouldReadAndPurgeSeveralMemcachedServersLikeUpstream();

private:
    struct Run
    {
        int exitCode = -1;
        QByteArray out;
        QByteArray err;
    };

    Run stalk(const QStringList &arguments, const QString &workingDirectory = {},
              const QByteArray &input = {});
    /// A fresh copy of a fixture in its own temporary directory; returns the absolute path.
    QString copyFixture(const QString &name);
    static QString urlFor(const QString &path) { return QStringLiteral("sqlite:///") + path; }
    QStringList taskIdsInDb(const QString &path, const QString &table = QStringLiteral("django_celery_results_taskresult"),
                            const QString &column = QStringLiteral("task_id"));
    QVariantMap rowInDb(const QString &path, const QString &taskId);
    static QStringList taskIdsOf(const QJsonArray &array);
    static QStringList sorted(QStringList list)
    {
        list.sort();
        return list;
    }
    static QVector<QStringList> parseCsv(const QString &text);
    /// `stalk count` and `stalk list` of url with filters (holding --exception) find the
    /// results wantedIds (task ids, sorted); the servers refuse the filter in one sentence.
    void checkExceptionFilter(const QString &url, const QStringList &filters, const QJsonArray &wantedIds);
    /// What tests/aggregates_expected.py computes for these arguments (after its path).
    static QJsonDocument expectedAggregate(const QStringList &arguments);
    /// QCOMPAREs stalk's records with the expected ones: the same keys, seconds to the
    /// microsecond, dates to the millisecond, everything else exactly.
    static void compareRecords(const QJsonArray &actual, const QJsonArray &wanted);
    /// A copy of django.sqlite3 with hostile rows added (terminal controls, wide and combining
    /// characters, emoji, a 100,000-character status); task ids t-osc, t-clear, t-bytes, t-cjk,
    /// t-combining, t-emoji, t-long, all done in 2030.
    QString hostileCopy();
    struct HostileRow
    {
        QString taskId;
        QString taskName;
        QString status;
    };
    static QVector<HostileRow> hostileRows();
    /// The first control byte (C0 but LF, DEL, or a C1 control in UTF-8) in bytes, or -1.
    static qsizetype controlAt(const QByteArray &bytes);
    /// Runs stalk on a pseudo-terminal (util-linux `script`, essential on Debian), typing input.
    Run stalkOnTerminal(const QStringList &arguments, const QByteArray &input);
    /// Like stalkOnTerminal, but types answer only once prompt has appeared on the terminal
    /// (so that the terminal's echo setting at that moment is what is tested); at once when
    /// prompt is empty.
    Run stalkOnTerminalAnswering(const QStringList &arguments, const QByteArray &prompt, const QByteArray &answer);
    /// STALK_PG_URL without its password (and the password), with STALK_PASSWORD, PGPASSWORD
    /// and ~/.pgpass out of the way; empty when no server runs.
    bool serverWithoutPassword(QString *url, QString *password);
    /// Opens *db (connection `connection`) on the PostgreSQL or MariaDB server of serverUrl and
    /// makes `table` a private copy of its django_celery_results_taskresult, so that nothing the
    /// other suites count is touched; returns serverUrl narrowed to it (?table=), or "" with
    /// *error said.
    static QString privateServerCopy(const QString &serverUrl, const QString &connection, const QString &table,
                                     QSqlDatabase *db, QString *error);
    /// counts.total of the server's expectations.json (STALK_PG_EXPECTATIONS); -1 if unreadable.
    static int pgTotal()
    {
        QFile file(qEnvironmentVariable("STALK_PG_EXPECTATIONS"));
        if (!file.open(QIODevice::ReadOnly))
            return -1;
        return QJsonDocument::fromJson(file.readAll()).object().value(QLatin1String("counts")).toObject()
            .value(QLatin1String("total")).toInt(-1);
    }

    QString m_fixtures;
    QJsonObject m_expectations;
    bool m_ready = false;
    std::vector<std::unique_ptr<QTemporaryDir>> m_dirs;
};

// ------------------------------------------------------------------------------------------
// Helpers

TestCli::Run TestCli::stalk(const QStringList &arguments, const QString &workingDirectory, const QByteArray &input)
{
    const QString binary = qEnvironmentVariable("STALK_BIN");
    QProcess process;
    QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    // Commands must work without any display and without a Qt platform chosen for them.
    env.remove(QStringLiteral("DISPLAY"));
    env.remove(QStringLiteral("WAYLAND_DISPLAY"));
    env.remove(QStringLiteral("QT_QPA_PLATFORM"));
    env.remove(QStringLiteral("COLUMNS"));
    process.setProcessEnvironment(env);
    if (!workingDirectory.isEmpty())
        process.setWorkingDirectory(workingDirectory);
    process.start(binary, arguments);
    Run run;
    if (!process.waitForStarted(30000)) {
        run.err = "could not start " + binary.toUtf8() + ": " + process.errorString().toUtf8();
        return run;
    }
    if (!input.isEmpty())
        process.write(input);
    process.closeWriteChannel(); // standard input is a pipe, never a terminal
    process.waitForFinished(120000);
    run.exitCode = process.exitStatus() == QProcess::NormalExit ? process.exitCode() : -2;
    run.out = process.readAllStandardOutput();
    run.err = process.readAllStandardError();
    return run;
}

QString TestCli::copyFixture(const QString &name)
{
    auto dir = std::make_unique<QTemporaryDir>();
    if (!dir->isValid())
        return {};
    const QString target = TestSupport::copyFixture(name, dir->filePath(name), m_fixtures);
    if (!target.isEmpty())
        m_dirs.push_back(std::move(dir));
    return target;
}

QStringList TestCli::taskIdsInDb(const QString &path, const QString &table, const QString &column)
{
    const TestSupport::SqliteConnection db(path, TestSupport::SqliteConnection::Mode::ReadOnly);
    if (!db.isOpen())
        return {QStringLiteral("<open failed: %1>").arg(db.openError())};
    // Table and column names come from this test, never from data.
    return db.strings(QStringLiteral("SELECT %1 FROM %2").arg(column, table));
}

QVariantMap TestCli::rowInDb(const QString &path, const QString &taskId)
{
    const TestSupport::SqliteConnection db(path, TestSupport::SqliteConnection::Mode::ReadOnly);
    return db.firstRow(QStringLiteral("SELECT * FROM django_celery_results_taskresult WHERE task_id = ?"), {taskId});
}

QStringList TestCli::taskIdsOf(const QJsonArray &array)
{
    QStringList ids;
    for (const QJsonValue &value : array)
        ids << (value.isObject() ? value.toObject().value(QStringLiteral("task_id")).toString() : value.toString());
    return ids;
}

QVector<QStringList> TestCli::parseCsv(const QString &text)
{
    // RFC 4180: CRLF between records, quotes around fields holding , " CR or LF.
    QVector<QStringList> rows;
    QStringList row;
    QString field;
    bool quoted = false;
    for (qsizetype i = 0; i < text.size(); ++i) {
        const QChar c = text.at(i);
        if (quoted) {
            if (c == u'"') {
                if (i + 1 < text.size() && text.at(i + 1) == u'"') {
                    field += u'"';
                    ++i;
                } else {
                    quoted = false;
                }
            } else {
                field += c;
            }
        } else if (c == u'"') {
            quoted = true;
        } else if (c == u',') {
            row << field;
            field.clear();
        } else if (c == u'\r' && i + 1 < text.size() && text.at(i + 1) == u'\n') {
            row << field;
            rows << row;
            row.clear();
            field.clear();
            ++i;
        } else {
            field += c;
        }
    }
    if (!field.isEmpty() || !row.isEmpty()) {
        row << field;
        rows << row;
    }
    return rows;
}

QVector<TestCli::HostileRow> TestCli::hostileRows()
{
    return {
        {QStringLiteral("t-osc"), QStringLiteral("evil\x1b]0;TITLE\x07name"), QStringLiteral("SUCCESS")},
        {QStringLiteral("t-clear"), QStringLiteral("clear\x1b[2J"), QStringLiteral("FAIL\x1b[2JURE")},
        {QStringLiteral("t-bytes"), QStringLiteral("nul") + QChar(0) + QStringLiteral("bel\x07" "del\x7f") + QChar(0x9b) + QStringLiteral("c1"),
          QStringLiteral("SUCCESS")},
        {QStringLiteral("t-cjk"), QStringLiteral("任务名称"), QStringLiteral("SUCCESS")},
        {QStringLiteral("t-combining"), QStringLiteral("e\u0301e\u0301e\u0301"), QStringLiteral("SUCCESS")},
        {QStringLiteral("t-emoji"), QStringLiteral("\U0001F389\U0001F389party"), QStringLiteral("SUCCESS")},
        {QStringLiteral("t-long"), QStringLiteral("long"), QString(100000, u'S')},
    };
}

QString TestCli::hostileCopy()
{
    const QString path = copyFixture(QStringLiteral("django.sqlite3"));
    const TestSupport::SqliteConnection db(path);
    if (!db.isOpen())
        return {};
    const QVector<HostileRow> rows = hostileRows();
    for (const HostileRow &row : rows) {
        const QString error = db.exec(
            QStringLiteral("INSERT INTO django_celery_results_taskresult (task_id, task_name, status, content_type, "
                           "content_encoding, result, date_done, meta, task_args, task_kwargs, worker, date_created) "
                           "VALUES (?, ?, ?, 'application/json', 'utf-8', 'null', '2030-01-01 00:00:00', NULL, '\"()\"', "
                           "'\"{}\"', 'alpha@stalk-fixtures', '2030-01-01 00:00:00')"),
            {row.taskId, row.taskName, row.status});
        if (!error.isEmpty())
            return {};
    }
    return path;
}

qsizetype TestCli::controlAt(const QByteArray &bytes)
{
    for (qsizetype i = 0; i < bytes.size(); ++i) {
        const auto c = static_cast<unsigned char>(bytes.at(i));
        if ((c < 0x20 && c != '\n') || c == 0x7f)
            return i;
        if (c == 0xc2 && i + 1 < bytes.size() && static_cast<unsigned char>(bytes.at(i + 1)) >= 0x80
            && static_cast<unsigned char>(bytes.at(i + 1)) <= 0x9f)
            return i;
    }
    return -1;
}

TestCli::Run TestCli::stalkOnTerminal(const QStringList &arguments, const QByteArray &input)
{
    return stalkOnTerminalAnswering(arguments, QByteArray(), input);
}

TestCli::Run TestCli::stalkOnTerminalAnswering(const QStringList &arguments, const QByteArray &prompt,
                                               const QByteArray &answer)
{
    const auto quoted = [](QString text) { return u'\'' + text.replace(u'\'', QStringLiteral("'\\''")) + u'\''; };
    QString command = quoted(qEnvironmentVariable("STALK_BIN"));
    for (const QString &argument : arguments)
        command += u' ' + quoted(argument);
    QProcess process;
    QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    env.remove(QStringLiteral("DISPLAY"));
    env.remove(QStringLiteral("QT_QPA_PLATFORM"));
    process.setProcessEnvironment(env);
    // -e: exit with the command's status; -q: no banner; the typescript goes nowhere.
    process.start(QStringLiteral("script"), {QStringLiteral("-qec"), command, QStringLiteral("/dev/null")});
    Run run;
    if (!process.waitForStarted(30000)) {
        run.err = "could not start script(1): " + process.errorString().toUtf8();
        return run;
    }
    QByteArray screen;
    while (!prompt.isEmpty() && !screen.contains(prompt) && process.state() == QProcess::Running) {
        if (process.waitForReadyRead(30000))
            screen += process.readAllStandardOutput();
        else
            break;
    }
    if (prompt.isEmpty() || screen.contains(prompt))
        process.write(answer);
    process.closeWriteChannel();
    process.waitForFinished(120000);
    run.exitCode = process.exitStatus() == QProcess::NormalExit ? process.exitCode() : -2;
    run.out = screen + process.readAllStandardOutput();
    run.err = process.readAllStandardError();
    return run;
}

bool TestCli::serverWithoutPassword(QString *url, QString *password)
{
    const QString withPassword = qEnvironmentVariable("STALK_PG_URL");
    if (withPassword.isEmpty())
        return false;
    const Outcome<StoreUrl> parsed = StoreUrl::parse(withPassword);
    if (!parsed || parsed->password.isEmpty())
        return false;
    *password = parsed->password;
    *url = withPassword;
    url->replace(QRegularExpression(QStringLiteral("^([a-z+]+://[^:/@]+):[^@]*@")), QStringLiteral("\\1@"));
    // Only the prompt may supply the password.
    qunsetenv("STALK_PASSWORD");
    qunsetenv("PGPASSWORD");
    qputenv("PGPASSFILE", "/nonexistent/stalk-test-pgpass");
    return !url->contains(*password);
}

QString TestCli::privateServerCopy(const QString &serverUrl, const QString &connection, const QString &table,
                                   QSqlDatabase *db, QString *error)
{
    const Outcome<StoreUrl> parsed = StoreUrl::parse(serverUrl);
    if (!parsed) {
        *error = parsed.error().message;
        return {};
    }
    const bool postgres = parsed->scheme == StoreUrl::Scheme::PostgreSql;
    *db = TestSupport::serverConnection(*parsed, parsed->database, connection);
    if (!db->open()) {
        *error = db->lastError().text();
        return {};
    }
    QSqlQuery q(*db);
    if (postgres)
        q.exec(QStringLiteral("SET client_min_messages = warning")); // no NOTICE for the DROP below
    q.exec(QStringLiteral("DROP TABLE IF EXISTS %1").arg(table));
    const QStringList statements{
        postgres ? QStringLiteral("CREATE TABLE %1 (LIKE django_celery_results_taskresult INCLUDING ALL)")
                 : QStringLiteral("CREATE TABLE %1 LIKE django_celery_results_taskresult"),
        QStringLiteral("INSERT INTO %1 SELECT * FROM django_celery_results_taskresult"),
    };
    for (const QString &statement : statements) {
        if (!q.exec(statement.arg(table))) {
            *error = q.lastError().text();
            return {};
        }
    }
    // The copied ids came with the rows, not through the copy's own sequence.
    if (postgres && !q.exec(QStringLiteral("SELECT setval(pg_get_serial_sequence('%1', 'id'), MAX(id)) FROM %1").arg(table))) {
        *error = q.lastError().text();
        return {};
    }
    return serverUrl + (serverUrl.contains(u'?') ? u'&' : u'?') + QStringLiteral("table=") + table;
}

#define REQUIRE_SERVER(url, password)                                                               \
    do {                                                                                            \
        if (!serverWithoutPassword(url, password)) {                                                \
            if (qEnvironmentVariable("STALK_REQUIRE_SERVERS") == QLatin1String("1"))                \
                QFAIL("STALK_REQUIRE_SERVERS=1 but STALK_PG_URL (with a password) is not set");     \
            QSKIP("STALK_PG_URL is not set: run under tools/servers/with_postgres.sh");             \
        }                                                                                           \
    } while (false)

/// url = the server URL in the environment variable; skips (fails with STALK_REQUIRE_SERVERS=1)
/// when it is not set.
#define REQUIRE_SERVER_URL(url, variable)                                                          \
    const QString url = qEnvironmentVariable(qPrintable(QString(variable)));                       \
    do {                                                                                            \
        if (url.isEmpty()) {                                                                        \
            if (qEnvironmentVariable("STALK_REQUIRE_SERVERS") == QLatin1String("1"))                \
                QFAIL(qPrintable(QStringLiteral("STALK_REQUIRE_SERVERS=1 but %1 is not set").arg(variable))); \
            QSKIP("no server: run under tools/servers/with_*.sh or tools/couchdb/with_couchdb.sh"); \
        }                                                                                           \
    } while (false)

#define REQUIRE_FIXTURES()                                                                          \
    do {                                                                                            \
        if (!m_ready)                                                                               \
            QFAIL(qPrintable(QStringLiteral("fixtures missing in '%1' (set STALK_FIXTURES; "       \
                                            "tools/fixtures/make_fixtures.sh writes them)")         \
                                 .arg(m_fixtures)));                                                \
    } while (false)

void TestCli::initTestCase()
{
    const QString binary = qEnvironmentVariable("STALK_BIN");
    QVERIFY2(!binary.isEmpty() && QFileInfo(binary).isExecutable(), "STALK_BIN must name the stalk executable");

    m_fixtures = qEnvironmentVariable("STALK_FIXTURES");
    if (m_fixtures.isEmpty() || !QFile::exists(m_fixtures + QStringLiteral("/READY")))
        m_fixtures = QStringLiteral("/tmp/stalk-fixtures");
    QFile file(m_fixtures + QStringLiteral("/expectations.json"));
    if (QFile::exists(m_fixtures + QStringLiteral("/READY")) && file.open(QIODevice::ReadOnly)) {
        m_expectations = QJsonDocument::fromJson(file.readAll()).object();
        m_ready = !m_expectations.isEmpty();
    }
}

// ------------------------------------------------------------------------------------------
// Pure parts

void TestCli::shouldRouteToTheWindowOrACommand_data()
{
    QTest::addColumn<QStringList>("arguments");
    QTest::addColumn<bool>("window");
    QTest::addColumn<QString>("url");
    QTest::addColumn<bool>("readOnly");

    QTest::newRow("nothing: the demo") << QStringList{} << true << QString() << false;
    QTest::newRow("read-only demo") << QStringList{"--read-only"} << true << QString() << true;
    QTest::newRow("a URL") << QStringList{"sqlite:///x.sqlite3"} << true << "sqlite:///x.sqlite3" << false;
    QTest::newRow("read-only URL") << QStringList{"--read-only", "sqlite:////srv/db"} << true << "sqlite:////srv/db" << true;
    QTest::newRow("flag after the URL") << QStringList{"db.sqlite3", "--read-only"} << true << "db.sqlite3" << true;
    QTest::newRow("a bare path") << QStringList{"/srv/app/db"} << true << "/srv/app/db" << false;
    QTest::newRow("verbose URL") << QStringList{"-v", "db.sqlite3"} << true << "db.sqlite3" << false;
    QTest::newRow("verbose demo") << QStringList{"--verbose", "--read-only"} << true << QString() << true;
    QTest::newRow("a file named like a command + suffix") << QStringList{"list.sqlite3"} << true << "list.sqlite3" << false;
    QTest::newRow("Qt's own options") << QStringList{"-platform", "offscreen", "db.sqlite3"} << true << "db.sqlite3" << false;
    QTest::newRow("a file: URL (a desktop launcher's %u)") << QStringList{"file:///srv/app/my%20db.sqlite3"} << true
                                                       << "/srv/app/my db.sqlite3" << false;
    QTest::newRow("a file: URL of a directory (a Django FileBasedCache)") << QStringList{"file:///tmp"} << true
                                                                      << "file:///tmp" << false;
    QTest::newRow("couchdb URL") << QStringList{"couchdb://127.0.0.1:5984/results"} << true
                                 << "couchdb://127.0.0.1:5984/results" << false;
    QTest::newRow("a command") << QStringList{"count", "db.sqlite3"} << false << QString() << false;
    QTest::newRow("a command alone") << QStringList{"stats"} << false << QString() << false;
    QTest::newRow("a typo") << QStringList{"lst", "db.sqlite3"} << false << QString() << false;
    QTest::newRow("a word") << QStringList{"results"} << false << QString() << false;
    QTest::newRow("help") << QStringList{"help"} << false << QString() << false;
    QTest::newRow("--help") << QStringList{"--help"} << false << QString() << false;
    QTest::newRow("--version") << QStringList{"--version"} << false << QString() << false;
    QTest::newRow("an unknown option") << QStringList{"--limit", "5"} << false << QString() << false;
    QTest::newRow("two URLs") << QStringList{"a.sqlite3", "b.sqlite3"} << false << QString() << false;
}

void TestCli::shouldRouteToTheWindowOrACommand()
{
    QFETCH(QStringList, arguments);
    QFETCH(bool, window);
    QFETCH(QString, url);
    QFETCH(bool, readOnly);

    const Cli::Route route = Cli::route(arguments);
    QCOMPARE(route.kind == Cli::Route::Kind::Window, window);
    if (window) {
        QCOMPARE(route.url, url);
        QCOMPARE(route.readOnly, readOnly);
        QCOMPARE(route.verbose, arguments.contains(QStringLiteral("-v")) || arguments.contains(QStringLiteral("--verbose")));
    }
}

void TestCli::shouldParseOptionsAnywhere()
{
    CliOption search;
    search.name = QStringLiteral("search");
    search.valueName = QStringLiteral("TEXT");
    CliOption status;
    status.name = QStringLiteral("status");
    status.valueName = QStringLiteral("STATE");
    status.repeatable = true;
    CliOption yes;
    yes.name = QStringLiteral("yes");
    yes.shortName = u'y';
    const QVector<CliOption> options{search, status, yes};

    CliArguments parsed = parseCliArguments({"URL", "--search", "-x", "--status=FAILURE", "-y", "--status", "RETRY",
                                             "--search", "last wins", "--", "--status"},
                                            options);
    QVERIFY2(parsed.error.isEmpty(), qPrintable(parsed.error));
    QCOMPARE(parsed.positionals, (QStringList{"URL", "--status"}));
    QCOMPARE(parsed.value(QStringLiteral("search")), QStringLiteral("last wins"));
    QCOMPARE(parsed.all(QStringLiteral("status")), (QStringList{"FAILURE", "RETRY"}));
    QVERIFY(parsed.has(QStringLiteral("yes")));

    parsed = parseCliArguments({"--serch", "x"}, options);
    QCOMPARE(parsed.error, QStringLiteral("unknown option '--serch' (did you mean '--search'?)"));
    parsed = parseCliArguments({"URL", "--status"}, options);
    QVERIFY(parsed.error.contains(QLatin1String("needs a value")));
    parsed = parseCliArguments({"--yes=no"}, options);
    QVERIFY(parsed.error.contains(QLatin1String("takes no value")));
    parsed = parseCliArguments({"-q"}, options);
    QVERIFY(parsed.error.contains(QLatin1String("unknown option '-q'")));
}

void TestCli::shouldSuggestTheClosestWord_data()
{
    QTest::addColumn<QString>("word");
    QTest::addColumn<QString>("suggestion");

    QTest::newRow("missing letter") << "lst" << "list";
    QTest::newRow("missing s") << "stat" << "stats";
    QTest::newRow("transposed") << "cuont" << "count";
    QTest::newRow("prefix") << "pur" << "purge";
    QTest::newRow("far away") << "frobnicate" << "";
    QTest::newRow("exact") << "show" << "show";
}

void TestCli::shouldSuggestTheClosestWord()
{
    QFETCH(QString, word);
    QFETCH(QString, suggestion);
    QCOMPARE(suggestClosest(word, {"count", "list", "show", "stats", "purge"}), suggestion);
}

void TestCli::shouldQuoteCsvFieldsPerRfc4180_data()
{
    QTest::addColumn<QString>("text");
    QTest::addColumn<QString>("field");

    QTest::newRow("plain") << "SUCCESS" << "SUCCESS";
    QTest::newRow("empty") << "" << "";
    QTest::newRow("comma") << "(1, 2)" << "\"(1, 2)\"";
    QTest::newRow("quotes doubled") << "\"text\"" << "\"\"\"text\"\"\"";
    QTest::newRow("newline") << "Traceback\n  line" << "\"Traceback\n  line\"";
    QTest::newRow("carriage return") << "a\rb" << "\"a\rb\"";
    QTest::newRow("unicode untouched") << "Zoë 🚀" << "Zoë 🚀";
}

void TestCli::shouldQuoteCsvFieldsPerRfc4180()
{
    QFETCH(QString, text);
    QFETCH(QString, field);
    QCOMPARE(csvField(text), field);
    QCOMPARE(parseCsv(field + QStringLiteral("\r\n")).value(0).value(0), text);
}

void TestCli::shouldFitTableColumnsIntoTheTerminal()
{
    const QVector<int> natural{19, 7, 30, 36, 20};
    const QVector<int> minimum{19, 7, 10, 36, 8};
    const QVector<bool> shrinkable{false, true, true, false, true};
    // No limit (a pipe): natural widths.
    QCOMPARE(fitColumns(natural, minimum, shrinkable, 2, 0), natural);
    // Wide enough: unchanged.
    QCOMPARE(fitColumns(natural, minimum, shrinkable, 2, 200), natural);
    // 100 columns: the widest shrinkable columns give way first, fixed ones never.
    const QVector<int> fitted = fitColumns(natural, minimum, shrinkable, 2, 100);
    int total = 8;
    for (int width : fitted)
        total += width;
    QCOMPARE(total, 100);
    QCOMPARE(fitted.at(0), 19);
    QCOMPARE(fitted.at(3), 36);
    QVERIFY(fitted.at(2) >= 10 && fitted.at(4) >= 8);
    // Too narrow even at the minimums: minimums, and the caller decides.
    QCOMPARE(fitColumns(natural, minimum, shrinkable, 2, 40), minimum);

    QCOMPARE(DisplayText::elided(QStringLiteral("proj.tasks.parse_amount"), 10), QStringLiteral("proj.task…"));
    QCOMPARE(DisplayText::elided(QStringLiteral("proj.tasks.parse_amount"), 10, Qt::ElideLeft), QStringLiteral("…se_amount"));
    QCOMPARE(DisplayText::elided(QStringLiteral("short"), 10), QStringLiteral("short"));
}

// ------------------------------------------------------------------------------------------
// Usage

void TestCli::shouldEscapeControlsVisibly_data()
{
    QTest::addColumn<QString>("stored");
    QTest::addColumn<QString>("value");    // DisplayText::value()
    QTest::addColumn<QString>("sentence"); // DisplayText::sentence()
    QTest::newRow("plain") << "proj.tasks.add" << "proj.tasks.add" << "proj.tasks.add";
    QTest::newRow("OSC title") << "a\x1b]0;TITLE\x07" "b" << "a\\x1b]0;TITLE\\x07b" << "a\\x1b]0;TITLE\\x07b";
    QTest::newRow("clear screen") << "\x1b[2J" << "\\x1b[2J" << "\\x1b[2J";
    QTest::newRow("NUL") << QStringLiteral("a") + QChar(0) + QStringLiteral("b") << "a\\x00b" << "a\\x00b";
    QTest::newRow("DEL and C1 CSI") << QStringLiteral("a\x7f") + QChar(0x9b) + QStringLiteral("2J") << "a\\x7f\\x9b2J"
                                    << "a\\x7f\\x9b2J";
    QTest::newRow("tab, CR, LF") << "a\tb\r\nc" << "a\\tb\\r\\nc" << "a\\tb  c";
    QTest::newRow("backslash") << "C:\\x1b" << "C:\\\\x1b" << "C:\\x1b";
    QTest::newRow("right-to-left override") << QStringLiteral("abc") + QChar(0x202e) + QStringLiteral("def")
                                            << "abc\\u202edef" << "abc\\u202edef";
    QTest::newRow("CJK, accents and emoji kept") << "任务 e\u0301 \U0001F389" << "任务 e\u0301 \U0001F389"
                                                 << "任务 e\u0301 \U0001F389";
}

void TestCli::shouldEscapeControlsVisibly()
{
    QFETCH(QString, stored);
    QFETCH(QString, value);
    QFETCH(QString, sentence);
    QCOMPARE(DisplayText::value(stored), value);
    QCOMPARE(DisplayText::sentence(stored), sentence);
}

void TestCli::shouldMeasureTerminalColumns_data()
{
    QTest::addColumn<QString>("text");
    QTest::addColumn<int>("columns");
    QTest::newRow("ASCII") << "abc" << 3;
    QTest::newRow("CJK") << "任务名称" << 8;
    QTest::newRow("combining marks") << "e\u0301e\u0301" << 2;
    QTest::newRow("emoji") << "\U0001F389x" << 3;
    QTest::newRow("emoji presentation") << "\u2764\uFE0F" << 2;
    QTest::newRow("family (ZWJ sequence)") << "\U0001F468\u200D\U0001F469\u200D\U0001F467" << 2;
    QTest::newRow("flag") << "\U0001F1EB\U0001F1F7" << 2;
    QTest::newRow("Hangul") << "한국어" << 6;
}

void TestCli::shouldMeasureTerminalColumns()
{
    QFETCH(QString, text);
    QFETCH(int, columns);
    QCOMPARE(DisplayText::width(text), columns);
    // Cut at a cluster boundary, never wider than asked, padded to the columns.
    for (int room = 1; room <= columns + 1; ++room) {
        const QString cut = DisplayText::elided(text, room);
        QVERIFY2(DisplayText::width(cut) <= room, qPrintable(cut));
        QCOMPARE(DisplayText::width(DisplayText::padded(cut, room)), room);
    }
    QCOMPARE(DisplayText::value(QString(100000, u'S'), DisplayText::maxColumns).size(), DisplayText::maxColumns);
}

void TestCli::shouldPrintHelpForEveryCommand_data()
{
    QTest::addColumn<QStringList>("arguments");
    QTest::addColumn<QString>("mentions");

    QTest::newRow("--help") << QStringList{"--help"} << "stalk purge";
    QTest::newRow("-h") << QStringList{"-h"} << "stalk list";
    QTest::newRow("help") << QStringList{"help"} << "Exit status";
    QTest::newRow("count --help") << QStringList{"count", "--help"} << "stalk count URL";
    QTest::newRow("list --help") << QStringList{"list", "--help"} << "--format";
    QTest::newRow("list -h after bad flags") << QStringList{"list", "--bogus", "-h"} << "--limit";
    QTest::newRow("show --help") << QStringList{"show", "--help"} << "TASK_ID";
    QTest::newRow("stats --help") << QStringList{"stats", "--help"} << "periodic_task_name";
    QTest::newRow("purge --help") << QStringList{"purge", "--help"} << "--older-than";
    QTest::newRow("purge --help documents exit 2 without --yes") << QStringList{"purge", "--help"}
                                                                 << "refuses with exit status 2";
    QTest::newRow("help purge") << QStringList{"help", "purge"} << "--dry-run";
    QTest::newRow("groups --help") << QStringList{"groups", "--help"} << "\"not_stored\": n";
}

void TestCli::shouldPrintHelpForEveryCommand()
{
    QFETCH(QStringList, arguments);
    QFETCH(QString, mentions);

    const Run run = stalk(arguments);
    QCOMPARE(run.exitCode, 0);
    QVERIFY2(run.out.startsWith("Usage: stalk"), run.out.constData());
    QVERIFY2(QString::fromUtf8(run.out).simplified().contains(mentions.simplified()), run.out.constData());
    QVERIFY2(run.err.isEmpty(), run.err.constData());
}

void TestCli::shouldPrintTheVersion()
{
    const Run run = stalk({QStringLiteral("--version")});
    QCOMPARE(run.exitCode, 0);
    QVERIFY2(run.out.startsWith("stalk "), run.out.constData());
    QCOMPARE(run.out.count('\n'), 1);
}

void TestCli::shouldRejectBadCommandLinesWithStatus2_data()
{
    QTest::addColumn<QStringList>("arguments");
    QTest::addColumn<QString>("says");

    const QString url = QStringLiteral("@URL@");
    QTest::newRow("typo of list") << QStringList{"lst", url} << "did you mean 'list'?";
    QTest::newRow("typo alone") << QStringList{"stat"} << "did you mean 'stats'?";
    QTest::newRow("unknown word") << QStringList{"frobnicate"} << "unknown command 'frobnicate'";
    QTest::newRow("unknown global option") << QStringList{"--bogus"} << "unknown option '--bogus'";
    QTest::newRow("count without URL") << QStringList{"count"} << "missing URL";
    QTest::newRow("show without TASK_ID") << QStringList{"show", url} << "missing TASK_ID";
    QTest::newRow("extra argument") << QStringList{"count", url, "extra"} << "unexpected argument 'extra'";
    QTest::newRow("misspelt option") << QStringList{"list", url, "--limt", "5"} << "did you mean '--limit'?";
    QTest::newRow("negative limit") << QStringList{"list", url, "--limit", "-1"} << "--limit";
    QTest::newRow("limit not a number") << QStringList{"list", url, "--limit", "ten"} << "--limit";
    QTest::newRow("option without value") << QStringList{"list", url, "--limit"} << "needs a value";
    QTest::newRow("unknown list format") << QStringList{"list", url, "--format", "xml"} << "--format";
    QTest::newRow("jsonl is not a stats format") << QStringList{"stats", url, "--format", "jsonl"} << "--format";
    QTest::newRow("unknown field") << QStringList{"list", url, "--fields", "task_id,colour"}
                                   << "--fields: 'colour' is not one of id, task_id";
    QTest::newRow("fields in json") << QStringList{"list", url, "--fields", "task_id", "--format", "json"}
                                    << "--fields needs --format table or csv";
    QTest::newRow("no header in jsonl") << QStringList{"list", url, "--no-header", "--format", "jsonl"}
                                        << "--no-header needs --format table or csv";
    QTest::newRow("bad filter timestamp") << QStringList{"count", url, "--done-after", "yesterday"} << "--done-after";
    QTest::newRow("flag with a value") << QStringList{"purge", url, "--before", "2025-01-01", "--dry-run=yes"}
                                       << "takes no value";
    QTest::newRow("purge without cutoff") << QStringList{"purge", url, "--dry-run"} << "--older-than";
    QTest::newRow("purge with two cutoffs") << QStringList{"purge", url, "--older-than", "1d", "--before", "2025-01-01"}
                                            << "not both";
    QTest::newRow("fractional duration") << QStringList{"purge", url, "--older-than", "1.5h", "--dry-run"}
                                         << "--older-than";
    QTest::newRow("negative duration") << QStringList{"purge", url, "--older-than", "-5", "--yes"} << "--older-than";
    QTest::newRow("bad cutoff timestamp") << QStringList{"purge", url, "--before", "2025-02-30", "--dry-run"}
                                          << "--before";
    QTest::newRow("done-before cannot narrow a purge")
        << QStringList{"purge", url, "--before", "2025-02-01", "--done-before", "2025-01-01", "--dry-run"}
        << "--done-before cannot narrow a purge";
    QTest::newRow("bad done-after of a purge")
        << QStringList{"purge", url, "--before", "2025-02-01", "--done-after", "2025-13-01", "--dry-run"}
        << "--done-after";
    QTest::newRow("bad batch size") << QStringList{"purge", url, "--before", "2025-02-01", "--batch-size", "0", "--yes"}
                                    << "--batch-size";
    QTest::newRow("decode is for JSON") << QStringList{"list", url, "--decode"} << "--decode needs --format json";
    QTest::newRow("window takes one URL") << QStringList{"results.sqlite3", "extra"} << "unexpected argument 'extra'";
    QStringList words;
    for (int i = 0; i < 999; ++i)
        words << QStringLiteral("w%1").arg(i);
    QTest::newRow("search of 999 words") << QStringList{"count", url, "--search", words.join(u' ')}
                                         << "--search: the search has 999 words; at most 200";
    QTest::newRow("search of 999 words listed") << QStringList{"list", url, "--search", words.join(u' ')}
                                                << "at most 200";
}

void TestCli::shouldRejectBadCommandLinesWithStatus2()
{
    REQUIRE_FIXTURES();
    QFETCH(QStringList, arguments);
    QFETCH(QString, says);

    const QString db = copyFixture(QStringLiteral("django.sqlite3"));
    arguments.replaceInStrings(QStringLiteral("@URL@"), urlFor(db));
    const Run run = stalk(arguments);
    QCOMPARE(run.exitCode, 2);
    const QString err = QString::fromUtf8(run.err);
    QVERIFY2(err.contains(says), qPrintable(err));
    QVERIFY2(err.contains(QLatin1String("--help")), qPrintable(err));
    QVERIFY2(run.out.isEmpty(), run.out.constData());
    QCOMPARE(taskIdsInDb(db).size(), 50);
}

void TestCli::shouldFailWithOneLineAndStatus1_data()
{
    QTest::addColumn<QString>("kind");
    QTest::addColumn<QStringList>("arguments");
    QTest::addColumn<QString>("says");

    QTest::newRow("missing file") << "missing" << QStringList{"count", "@URL@"} << "cannot open";
    QTest::newRow("not a database") << "text" << QStringList{"count", "@URL@"} << "cannot open";
    QTest::newRow("SQLite without Celery tables") << "foreign" << QStringList{"list", "@URL@"} << "cannot open";
    QTest::newRow("stats on a foreign database") << "foreign" << QStringList{"stats", "@URL@"} << "cannot open";
    QTest::newRow("purge on a missing file")
        << "missing" << QStringList{"purge", "@URL@", "--older-than", "1d", "--yes"} << "cannot open";
    QTest::newRow("unknown task id") << "django" << QStringList{"show", "@URL@", "no-such-task"}
                                     << "no result with task id no-such-task in sqlite:///";
}

void TestCli::shouldFailWithOneLineAndStatus1()
{
    REQUIRE_FIXTURES();
    QFETCH(QString, kind);
    QFETCH(QStringList, arguments);
    QFETCH(QString, says);

    QString path;
    if (kind == u"django") {
        path = copyFixture(QStringLiteral("django.sqlite3"));
    } else {
        m_dirs.push_back(std::make_unique<QTemporaryDir>());
        path = m_dirs.back()->filePath(QStringLiteral("store.sqlite3"));
        if (kind == u"text") {
            QFile file(path);
            QVERIFY(file.open(QIODevice::WriteOnly));
            file.write(QByteArray("this is not a database\n").repeated(200));
        } else if (kind == u"foreign") {
            const TestSupport::SqliteConnection db(path);
            QVERIFY(db.isOpen());
            QCOMPARE(db.exec(QStringLiteral("CREATE TABLE invoices (id INTEGER PRIMARY KEY, total REAL)")), QString());
        }
    }
    arguments.replaceInStrings(QStringLiteral("@URL@"), urlFor(path));
    const Run run = stalk(arguments);
    QCOMPARE(run.exitCode, 1);
    const QString err = QString::fromUtf8(run.err);
    QVERIFY2(err.startsWith(QLatin1String("stalk: ")), qPrintable(err));
    QVERIFY2(err.contains(says), qPrintable(err));
    QCOMPARE(err.count(u'\n'), 1); // one line: what, where, why
    QVERIFY2(err.contains(QFileInfo(path).fileName()), qPrintable(err));
    QVERIFY2(run.out.isEmpty(), run.out.constData());
}

void TestCli::shouldNotCreateAMissingDatabase()
{
    QTemporaryDir dir;
    const QString path = dir.filePath(QStringLiteral("absent.sqlite3"));
    const Run run = stalk({QStringLiteral("count"), urlFor(path)});
    QCOMPARE(run.exitCode, 1);
    QVERIFY(!QFile::exists(path));
}

void TestCli::shouldExplainThatTheWindowNeedsADisplay()
{
    // A URL alone opens the window; without a display that is one clear line, not Qt's abort.
    const Run run = stalk({QStringLiteral("--read-only"), QStringLiteral("sqlite:///results.sqlite3")});
    QCOMPARE(run.exitCode, 1);
    QVERIFY2(run.err.startsWith("stalk: cannot open the window: no display"), run.err.constData());
    QCOMPARE(run.err.count('\n'), 1);
}

// ------------------------------------------------------------------------------------------
// count, list, show, stats

void TestCli::shouldCountLikeTheAdmin()
{
    REQUIRE_FIXTURES();
    const QString url = urlFor(copyFixture(QStringLiteral("django.sqlite3")));
    const QJsonObject counts = m_expectations.value(QStringLiteral("counts")).toObject();

    Run run = stalk({QStringLiteral("count"), url});
    QCOMPARE(run.exitCode, 0);
    QCOMPARE(run.out, QByteArray::number(counts.value(QStringLiteral("total")).toInteger()) + '\n');
    QVERIFY(run.err.isEmpty());

    const QList<QPair<QString, QString>> facets{{"status", "--status"}, {"task_name", "--task-name"},
                                                 {"worker", "--worker"}, {"periodic_task_name", "--periodic-task"}};
    for (const auto &[key, option] : facets) {
        const QJsonObject values = counts.value(key).toObject();
        QVERIFY2(!values.isEmpty(), qPrintable(key));
        for (auto it = values.begin(); it != values.end(); ++it) {
            // '' on the command line = NULL, as "" is in expectations.json.
            run = stalk({QStringLiteral("count"), url, option, it.key()});
            QCOMPARE(run.exitCode, 0);
            QVERIFY2(run.out == QByteArray::number(it.value().toInteger()) + '\n',
                     qPrintable(QStringLiteral("%1 %2: %3").arg(option, it.key(), QString::fromUtf8(run.out))));
        }
    }

    // A repeated filter matches any of its values.
    const QJsonObject statuses = counts.value(QStringLiteral("status")).toObject();
    run = stalk({QStringLiteral("count"), url, QStringLiteral("--status"), QStringLiteral("FAILURE"),
                 QStringLiteral("--status=REVOKED")});
    QCOMPARE(run.out.trimmed().toLongLong(),
             statuses.value(QStringLiteral("FAILURE")).toInteger() + statuses.value(QStringLiteral("REVOKED")).toInteger());
    // --read-only is accepted by every command.
    run = stalk({QStringLiteral("--read-only"), QStringLiteral("count"), url});
    QCOMPARE(run.exitCode, 0);
    QCOMPARE(run.out.trimmed().toLongLong(), counts.value(QStringLiteral("total")).toInteger());
}

void TestCli::shouldOpenRelativeSqliteUrls()
{
    REQUIRE_FIXTURES();
    const QString path = copyFixture(QStringLiteral("django.sqlite3"));
    const Run run = stalk({QStringLiteral("count"), QStringLiteral("sqlite:///django.sqlite3")},
                          QFileInfo(path).absolutePath());
    QCOMPARE(run.exitCode, 0);
    QCOMPARE(run.out.trimmed().toLongLong(), m_expectations[QStringLiteral("counts")][QStringLiteral("total")].toInteger());
}

void TestCli::shouldSearchWithDecodedSemantics_data()
{
    QTest::addColumn<QString>("term");
    QTest::addColumn<QStringList>("expected");

    const QJsonArray searches = m_expectations.value(QStringLiteral("search")).toArray();
    if (searches.isEmpty()) {
        QTest::newRow("fixtures missing") << QString() << QStringList();
        return;
    }
    for (const QJsonValue &search : searches) {
        const QJsonObject object = search.toObject();
        QStringList expected;
        for (const QJsonValue &id : object.value(QStringLiteral("decoded_task_ids")).toArray())
            expected << id.toString();
        const QString term = object.value(QStringLiteral("term")).toString();
        QTest::newRow(qPrintable(QStringLiteral("[%1]").arg(term))) << term << sorted(expected);
    }
}

void TestCli::shouldSearchWithDecodedSemantics()
{
    REQUIRE_FIXTURES();
    QFETCH(QString, term);
    QFETCH(QStringList, expected);

    const QString db = copyFixture(QStringLiteral("django.sqlite3"));
    Run run = stalk({QStringLiteral("count"), urlFor(db), QStringLiteral("--search"), term});
    QCOMPARE(run.exitCode, 0);
    QCOMPARE(run.out.trimmed().toLongLong(), qint64(expected.size()));

    run = stalk({QStringLiteral("list"), urlFor(db), QStringLiteral("--search"), term, QStringLiteral("--limit"),
                 QStringLiteral("0"), QStringLiteral("--format"), QStringLiteral("json")});
    QCOMPARE(run.exitCode, 0);
    QJsonParseError error;
    const QJsonDocument document = QJsonDocument::fromJson(run.out, &error);
    QVERIFY2(document.isArray(), qPrintable(error.errorString()));
    QCOMPARE(sorted(taskIdsOf(document.array())), expected);
    QCOMPARE(taskIdsInDb(db).size(), 50); // search never writes
}

void TestCli::shouldListNewestFirstInEveryFormat()
{
    REQUIRE_FIXTURES();
    const QString url = urlFor(copyFixture(QStringLiteral("django.sqlite3")));
    QStringList order;
    for (const QJsonValue &id : m_expectations.value(QStringLiteral("order_default")).toArray())
        order << id.toString();
    QCOMPARE(order.size(), 50);
    const QStringList all{QStringLiteral("list"), url, QStringLiteral("--limit"), QStringLiteral("0"),
                          QStringLiteral("--format")};

    // json: one array.
    Run run = stalk(all + QStringList{QStringLiteral("json")});
    QCOMPARE(run.exitCode, 0);
    const QJsonArray array = QJsonDocument::fromJson(run.out).array();
    QCOMPARE(taskIdsOf(array), order);

    // jsonl: one object per line.
    run = stalk(all + QStringList{QStringLiteral("jsonl")});
    QCOMPARE(run.exitCode, 0);
    const QList<QByteArray> lines = run.out.split('\n');
    QCOMPARE(lines.size(), order.size() + 1);
    QVERIFY(lines.last().isEmpty());
    QStringList fromLines;
    for (int i = 0; i < order.size(); ++i) {
        QJsonParseError error;
        const QJsonDocument line = QJsonDocument::fromJson(lines.at(i), &error);
        QVERIFY2(line.isObject(), qPrintable(error.errorString()));
        QCOMPARE(line.object(), array.at(i).toObject());
        fromLines << line.object().value(QStringLiteral("task_id")).toString();
    }
    QCOMPARE(fromLines, order);

    // csv: header + one record per result, every field, quoted where needed (tracebacks
    // hold newlines, results hold commas and quotes).
    run = stalk(all + QStringList{QStringLiteral("csv")});
    QCOMPARE(run.exitCode, 0);
    QVERIFY(run.out.endsWith("\r\n"));
    const QVector<QStringList> records = parseCsv(QString::fromUtf8(run.out));
    QCOMPARE(records.size(), order.size() + 1);
    const QStringList header = records.first();
    QCOMPARE(header.mid(0, 16),
             (QStringList{"id", "task_id", "task_name", "periodic_task_name", "status", "worker", "task_args",
                          "task_kwargs", "result", "traceback", "meta", "content_type", "content_encoding",
                          "date_created", "date_started", "date_done"}));
    const qsizetype taskIdColumn = header.indexOf(QStringLiteral("task_id"));
    const qsizetype tracebackColumn = header.indexOf(QStringLiteral("traceback"));
    for (int i = 0; i < order.size(); ++i) {
        const QStringList &record = records.at(i + 1);
        QCOMPARE(record.size(), header.size());
        QCOMPARE(record.at(taskIdColumn), order.at(i));
        QCOMPARE(record.at(tracebackColumn),
                 array.at(i).toObject().value(QStringLiteral("traceback")).toString()); // null -> ""
    }

    // table: header, then one line per result with its task id, in order.
    run = stalk(all + QStringList{QStringLiteral("table")});
    QCOMPARE(run.exitCode, 0);
    QStringList rows = QString::fromUtf8(run.out).split(u'\n');
    QVERIFY(rows.last().isEmpty());
    rows.removeLast();
    QCOMPARE(rows.size(), order.size() + 1);
    QVERIFY2(rows.first().startsWith(QLatin1String("date_done")), qPrintable(rows.first()));
    for (const char *name : {"status", "task_name", "task_id", "worker"})
        QVERIFY2(rows.first().contains(QLatin1String(name)), qPrintable(rows.first()));
    const qsizetype idColumn = rows.first().indexOf(QLatin1String("task_id"));
    for (int i = 0; i < order.size(); ++i)
        QCOMPARE(rows.at(i + 1).mid(idColumn, order.at(i).size()), order.at(i)); // aligned
}

void TestCli::shouldLimitTheList()
{
    REQUIRE_FIXTURES();
    const QString url = urlFor(copyFixture(QStringLiteral("django.sqlite3")));
    QStringList order;
    for (const QJsonValue &id : m_expectations.value(QStringLiteral("order_default")).toArray())
        order << id.toString();

    Run run = stalk({QStringLiteral("list"), url, QStringLiteral("--limit"), QStringLiteral("7"),
                     QStringLiteral("--format"), QStringLiteral("json")});
    QCOMPARE(run.exitCode, 0);
    QCOMPARE(taskIdsOf(QJsonDocument::fromJson(run.out).array()), order.mid(0, 7));

    // The default limit is 100: all 50 here.
    run = stalk({QStringLiteral("list"), url, QStringLiteral("--format=jsonl")});
    QCOMPARE(run.exitCode, 0);
    QCOMPARE(run.out.count('\n'), qsizetype(order.size()));

    // An empty result is still valid output in every format.
    const QStringList none{QStringLiteral("list"), url, QStringLiteral("--status"), QStringLiteral("NO-SUCH-STATE"),
                           QStringLiteral("--format")};
    run = stalk(none + QStringList{QStringLiteral("json")});
    QCOMPARE(run.exitCode, 0);
    QVERIFY(QJsonDocument::fromJson(run.out).isArray());
    QCOMPARE(QJsonDocument::fromJson(run.out).array().size(), 0);
    run = stalk(none + QStringList{QStringLiteral("jsonl")});
    QCOMPARE(run.out, QByteArray());
    run = stalk(none + QStringList{QStringLiteral("csv")});
    QCOMPARE(parseCsv(QString::fromUtf8(run.out)).size(), 1);
    run = stalk(none + QStringList{QStringLiteral("table")});
    QCOMPARE(run.out.count('\n'), 1);
}

void TestCli::shouldWriteStoredTextUnderFormatsNames()
{
    REQUIRE_FIXTURES();
    const QString db = copyFixture(QStringLiteral("django.sqlite3"));
    const Run run = stalk({QStringLiteral("list"), urlFor(db), QStringLiteral("--limit"), QStringLiteral("0"),
                           QStringLiteral("--format"), QStringLiteral("jsonl")});
    QCOMPARE(run.exitCode, 0);
    const QStringList keys{"content_encoding", "content_type", "date_created", "date_done", "date_started", "id",
                           "meta", "periodic_task_name", "result", "status", "task_args", "task_id",
                           "task_kwargs", "task_name", "traceback", "worker"};
    int unicodeArgs = 0;
    for (const QByteArray &line : run.out.trimmed().split('\n')) {
        const QJsonObject object = QJsonDocument::fromJson(line).object();
        QStringList objectKeys = object.keys();
        objectKeys.removeAll(QStringLiteral("problems"));
        QCOMPARE(objectKeys, keys);
        const QString taskId = object.value(QStringLiteral("task_id")).toString();
        const QVariantMap row = rowInDb(db, taskId);
        QVERIFY2(!row.isEmpty(), qPrintable(taskId));
        QCOMPARE(object.value(QStringLiteral("id")).toInteger(), row.value(QStringLiteral("id")).toLongLong());
        // Exactly the stored text, so scripts see what Celery wrote.
        for (const char *column : {"task_name", "periodic_task_name", "status", "worker", "task_args", "task_kwargs",
                                   "result", "traceback", "meta", "content_type", "content_encoding"}) {
            const QVariant stored = row.value(QLatin1String(column));
            const QJsonValue written = object.value(QLatin1String(column));
            if (stored.isNull())
                QVERIFY2(written.isNull(), qPrintable(taskId + u' ' + QLatin1String(column)));
            else
                QCOMPARE(written.toString(), stored.toString());
        }
        // Dates: ISO 8601 UTC with Z; the same instant as stored (to the millisecond).
        const QString done = object.value(QStringLiteral("date_done")).toString();
        QVERIFY2(done.endsWith(u'Z') && done.contains(u'T'), qPrintable(done));
        // Stored as naive UTC "YYYY-MM-DD HH:MM:SS[.ffffff]"; kept to the millisecond, truncated.
        const QString storedText = row.value(QStringLiteral("date_done")).toString().left(23);
        QDateTime storedDone = QDateTime::fromString(storedText, Qt::ISODateWithMs);
        storedDone.setTimeSpec(Qt::UTC);
        QVERIFY2(storedDone.isValid(), qPrintable(storedText));
        QDateTime writtenDone = QDateTime::fromString(done, Qt::ISODateWithMs);
        QCOMPARE(writtenDone.toMSecsSinceEpoch(), storedDone.toMSecsSinceEpoch());
        QVERIFY(object.value(QStringLiteral("date_started")).isNull()); // 2.4.0 has no date_started
        if (row.value(QStringLiteral("task_args")).toString().contains(QLatin1String("\\u00eb")))
            ++unicodeArgs;
    }
    QVERIFY(unicodeArgs > 0); // the fixture holds 'Zoë' args, kept ASCII-escaped as stored
}

void TestCli::shouldWriteNullForFieldsTheAppDidNotRecord()
{
    REQUIRE_FIXTURES();
    const QString url = urlFor(copyFixture(QStringLiteral("plain.sqlite3")));
    const Run run = stalk({QStringLiteral("list"), url, QStringLiteral("--format"), QStringLiteral("json")});
    QCOMPARE(run.exitCode, 0);
    const QJsonArray array = QJsonDocument::fromJson(run.out).array();
    QVERIFY(!array.isEmpty());
    for (const QJsonValue &value : array) {
        const QJsonObject object = value.toObject();
        QVERIFY(object.value(QStringLiteral("task_name")).isNull());
        QVERIFY(object.value(QStringLiteral("worker")).isNull());
        QVERIFY(object.value(QStringLiteral("task_args")).isNull());
        QVERIFY(!object.value(QStringLiteral("task_id")).toString().isEmpty());
    }
}

void TestCli::shouldReadEveryFixtureSchema_data()
{
    QTest::addColumn<QString>("fixture");
    for (const char *name : {"django.sqlite3", "plain.sqlite3", "legacy_v1.sqlite3", "legacy_191.sqlite3",
                             "v26.sqlite3", "taskmeta.sqlite3", "taskmeta_plain.sqlite3"})
        QTest::newRow(name) << QString::fromLatin1(name);
}

void TestCli::shouldReadEveryFixtureSchema()
{
    REQUIRE_FIXTURES();
    QFETCH(QString, fixture);

    const QString url = urlFor(copyFixture(fixture));
    Run run = stalk({QStringLiteral("count"), url});
    QVERIFY2(run.exitCode == 0, run.err.constData());
    const qint64 total = run.out.trimmed().toLongLong();
    QVERIFY(total > 0);

    run = stalk({QStringLiteral("list"), url, QStringLiteral("--limit"), QStringLiteral("0"), QStringLiteral("--format"),
                 QStringLiteral("json")});
    QVERIFY2(run.exitCode == 0, run.err.constData());
    const QJsonArray array = QJsonDocument::fromJson(run.out).array();
    QCOMPARE(qint64(array.size()), total);
    const QString firstId = array.first().toObject().value(QStringLiteral("task_id")).toString();

    run = stalk({QStringLiteral("show"), url, firstId});
    QVERIFY2(run.exitCode == 0, run.err.constData());
    QCOMPARE(QJsonDocument::fromJson(run.out).object().value(QStringLiteral("task_id")).toString(), firstId);

    run = stalk({QStringLiteral("stats"), url, QStringLiteral("--format"), QStringLiteral("json")});
    QVERIFY2(run.exitCode == 0, run.err.constData());
    const QJsonObject stats = QJsonDocument::fromJson(run.out).object();
    QCOMPARE(stats.value(QStringLiteral("total")).toInteger(), total);
    qint64 byStatus = 0;
    for (const QJsonValue &count : stats.value(QStringLiteral("status")).toObject())
        byStatus += count.toInteger();
    QCOMPARE(byStatus, total);

    run = stalk({QStringLiteral("stats"), url});
    QVERIFY2(run.exitCode == 0, run.err.constData());
}

void TestCli::shouldShowOneResultInFull()
{
    REQUIRE_FIXTURES();
    const QString db = copyFixture(QStringLiteral("django.sqlite3"));
    // A failure: its traceback is complete in show (page rows may cut it in the window).
    const Run failures = stalk({QStringLiteral("list"), urlFor(db), QStringLiteral("--status"), QStringLiteral("FAILURE"),
                                QStringLiteral("--format"), QStringLiteral("json")});
    const QJsonArray array = QJsonDocument::fromJson(failures.out).array();
    QVERIFY(!array.isEmpty());
    for (const QJsonValue &value : array) {
        const QString taskId = value.toObject().value(QStringLiteral("task_id")).toString();
        const Run run = stalk({QStringLiteral("show"), urlFor(db), taskId});
        QCOMPARE(run.exitCode, 0);
        QVERIFY(run.out.contains("\n    \"task_id\"")); // indented for people
        const QJsonObject object = QJsonDocument::fromJson(run.out).object();
        QCOMPARE(object, value.toObject());
        const QVariantMap row = rowInDb(db, taskId);
        QCOMPARE(object.value(QStringLiteral("status")).toString(), QStringLiteral("FAILURE"));
        QCOMPARE(object.value(QStringLiteral("result")).toString(), row.value(QStringLiteral("result")).toString());
        QCOMPARE(object.value(QStringLiteral("traceback")).toString(), row.value(QStringLiteral("traceback")).toString());
    }
}

void TestCli::shouldAddDecodedFieldsOnlyOnRequest()
{
    REQUIRE_FIXTURES();
    const QString url = urlFor(copyFixture(QStringLiteral("django.sqlite3")));
    Run run = stalk({QStringLiteral("list"), url, QStringLiteral("--search"), QString::fromUtf8("Zo\u00eb"),
                     QStringLiteral("--limit"), QStringLiteral("0"), QStringLiteral("--format"), QStringLiteral("jsonl"),
                     QStringLiteral("--decode")});
    QCOMPARE(run.exitCode, 0);
    const QList<QByteArray> lines = run.out.trimmed().split('\n');
    QVERIFY(!lines.isEmpty());
    int withName = 0;
    for (const QByteArray &line : lines) {
        const QJsonObject object = QJsonDocument::fromJson(line).object();
        // The raw text stays as stored; the decoded one reads as Python would print it.
        QVERIFY(object.value(QStringLiteral("task_args")).toString().startsWith(u'"'));
        const QString decoded = object.value(QStringLiteral("task_args_decoded")).toString();
        QVERIFY2(decoded.startsWith(u'(') || decoded.startsWith(u'['), qPrintable(decoded));
        if (decoded.contains(QString::fromUtf8("Zo\u00eb")))
            ++withName;
        QVERIFY(object.contains(QStringLiteral("task_kwargs_decoded")));
        QVERIFY(object.contains(QStringLiteral("result_decoded")));
        const QString taskId = object.value(QStringLiteral("task_id")).toString();
        const Run shown = stalk({QStringLiteral("show"), url, taskId, QStringLiteral("--decode")});
        QCOMPARE(QJsonDocument::fromJson(shown.out).object(), object);
    }
    QVERIFY(withName > 0);

    // Not without --decode.
    run = stalk({QStringLiteral("list"), url, QStringLiteral("--limit"), QStringLiteral("1"), QStringLiteral("--format"),
                 QStringLiteral("json")});
    QVERIFY(!QJsonDocument::fromJson(run.out).array().first().toObject().contains(QStringLiteral("result_decoded")));
}

void TestCli::shouldListChosenFieldsWithOrWithoutHeader()
{
    REQUIRE_FIXTURES();
    const QString url = urlFor(copyFixture(QStringLiteral("django.sqlite3")));
    const QStringList all{QStringLiteral("list"), url, QStringLiteral("--limit"), QStringLiteral("0")};
    Run run = stalk(all + QStringList{QStringLiteral("--format"), QStringLiteral("json")});
    QCOMPARE(run.exitCode, 0);
    const QJsonArray array = QJsonDocument::fromJson(run.out).array();
    QVERIFY(array.size() > 10);

    // csv: exactly the columns asked for, in that order, the same values as json; no header.
    const QStringList csv{QStringLiteral("--format"), QStringLiteral("csv"), QStringLiteral("--fields"),
                          QStringLiteral("status,task_id,retries")};
    run = stalk(all + csv + QStringList{QStringLiteral("--no-header")});
    QCOMPARE(run.exitCode, 0);
    QVector<QStringList> records = parseCsv(QString::fromUtf8(run.out));
    QCOMPARE(records.size(), array.size());
    for (qsizetype i = 0; i < records.size(); ++i) {
        const QJsonObject row = array.at(i).toObject();
        // retries: a column this schema lacks (not a number in JSON, empty in CSV), or a number.
        const QJsonValue retriesValue = row.value(QStringLiteral("retries"));
        const QString retries = retriesValue.isNull() || retriesValue.isUndefined()
            ? QString() : QString::number(retriesValue.toInteger());
        QCOMPARE(records.at(i), (QStringList{row.value(QStringLiteral("status")).toString(),
                                             row.value(QStringLiteral("task_id")).toString(), retries}));
    }
    run = stalk(all + csv);
    records = parseCsv(QString::fromUtf8(run.out));
    QCOMPARE(records.size(), array.size() + 1);
    QCOMPARE(records.first(), (QStringList{"status", "task_id", "retries"}));

    // table: the header names the columns; without it every line is a row, task_id whole.
    run = stalk(all + QStringList{QStringLiteral("--fields"), QStringLiteral("task_id,status")});
    QCOMPARE(run.exitCode, 0);
    QList<QByteArray> lines = run.out.split('\n');
    QCOMPARE(lines.first().simplified(), QByteArray("task_id status"));
    run = stalk(all + QStringList{QStringLiteral("--fields"), QStringLiteral("task_id,status"),
                                  QStringLiteral("--no-header")});
    QCOMPARE(run.exitCode, 0);
    lines = run.out.split('\n');
    QCOMPARE(lines.size(), array.size() + 1);
    for (qsizetype i = 0; i < array.size(); ++i) {
        const QJsonObject row = array.at(i).toObject();
        QCOMPARE(lines.at(i).simplified(), (row.value(QStringLiteral("task_id")).toString() + u' '
                                            + row.value(QStringLiteral("status")).toString()).toUtf8());
    }

    // The default table with --no-header: the same lines as with it, less the first.
    const Run withHeader = stalk(all);
    run = stalk(all + QStringList{QStringLiteral("--no-header")});
    QCOMPARE(run.out, withHeader.out.mid(withHeader.out.indexOf('\n') + 1));
}

void TestCli::shouldPrintStatsAsCsv()
{
    REQUIRE_FIXTURES();
    const QString url = urlFor(copyFixture(QStringLiteral("django.sqlite3")));
    const QStringList stats{QStringLiteral("stats"), url, QStringLiteral("--status"), QStringLiteral("FAILURE"),
                            QStringLiteral("--status"), QStringLiteral("SUCCESS"), QStringLiteral("--format")};
    Run run = stalk(stats + QStringList{QStringLiteral("json")});
    QCOMPARE(run.exitCode, 0);
    const QJsonObject json = QJsonDocument::fromJson(run.out).object();

    run = stalk(stats + QStringList{QStringLiteral("csv")});
    QCOMPARE(run.exitCode, 0);
    QVERIFY(run.out.endsWith("\r\n"));
    const QVector<QStringList> records = parseCsv(QString::fromUtf8(run.out));
    QCOMPARE(records.first(), (QStringList{"field", "value", "count"}));
    QCOMPARE(records.at(1), (QStringList{"total", "", QString::number(json.value(QStringLiteral("total")).toInteger())}));
    // Every other row is one count of the JSON form, in the same order; NULL is "" in both.
    QJsonObject fromCsv;
    for (qsizetype i = 2; i < records.size(); ++i) {
        QCOMPARE(records.at(i).size(), 3);
        QJsonObject section = fromCsv.value(records.at(i).at(0)).toObject();
        section.insert(records.at(i).at(1), records.at(i).at(2).toLongLong());
        fromCsv.insert(records.at(i).at(0), section);
    }
    for (const char *key : {"status", "task_name", "worker", "periodic_task_name"})
        QCOMPARE(fromCsv.value(QLatin1String(key)).toObject(), json.value(QLatin1String(key)).toObject());
}

void TestCli::shouldPrintStatsLikeTheAdminCounts()
{
    REQUIRE_FIXTURES();
    const QString url = urlFor(copyFixture(QStringLiteral("django.sqlite3")));
    const QJsonObject counts = m_expectations.value(QStringLiteral("counts")).toObject();

    Run run = stalk({QStringLiteral("stats"), url, QStringLiteral("--format"), QStringLiteral("json")});
    QCOMPARE(run.exitCode, 0);
    const QJsonObject stats = QJsonDocument::fromJson(run.out).object();
    QCOMPARE(stats.value(QStringLiteral("total")).toInteger(), counts.value(QStringLiteral("total")).toInteger());
    for (const char *key : {"status", "task_name", "worker", "periodic_task_name"})
        QCOMPARE(stats.value(QLatin1String(key)).toObject(), counts.value(QLatin1String(key)).toObject());

    // With a filter, every section counts the matching results only.
    run = stalk({QStringLiteral("stats"), url, QStringLiteral("--status"), QStringLiteral("FAILURE"),
                 QStringLiteral("--format"), QStringLiteral("json")});
    const QJsonObject failures = QJsonDocument::fromJson(run.out).object();
    const qint64 failed = counts[QStringLiteral("status")][QStringLiteral("FAILURE")].toInteger();
    QCOMPARE(failures.value(QStringLiteral("total")).toInteger(), failed);
    QCOMPARE(failures.value(QStringLiteral("status")).toObject(), (QJsonObject{{"FAILURE", failed}}));
    qint64 byWorker = 0;
    for (const QJsonValue &count : failures.value(QStringLiteral("worker")).toObject())
        byWorker += count.toInteger();
    QCOMPARE(byWorker, failed);

    run = stalk({QStringLiteral("stats"), url});
    QCOMPARE(run.exitCode, 0);
    const QString table = QString::fromUtf8(run.out);
    QVERIFY2(table.startsWith(QStringLiteral("total  %1\n").arg(counts.value(QStringLiteral("total")).toInteger())),
             qPrintable(table));
    QVERIFY(table.contains(QLatin1String("proj.tasks.echo")));
    QVERIFY(table.contains(QLatin1String("alpha@stalk-fixtures")));
}

void TestCli::shouldAggregateLikeTheStoredRows_data()
{
    QTest::addColumn<QString>("source"); // "sqlite:FILE", "env:VARIABLE", "couch", "redis:DB"
    QTest::addColumn<QStringList>("arguments"); // after the URL

    const QStringList sources{
        QStringLiteral("sqlite:django.sqlite3"),       QStringLiteral("sqlite:v26.sqlite3"),
        QStringLiteral("sqlite:plain.sqlite3"),        QStringLiteral("sqlite:taskmeta.sqlite3"),
        QStringLiteral("sqlite:legacy_v1.sqlite3"),    QStringLiteral("env:STALK_PG_URL"),
        QStringLiteral("env:STALK_PG_TASKMETA_URL"),   QStringLiteral("env:STALK_MYSQL_URL"),
        QStringLiteral("env:STALK_MYSQL_TASKMETA_URL"), QStringLiteral("couch"),
        QStringLiteral("redis:1"),
    };
    const QVector<QStringList> runs{
        {QStringLiteral("stats"), QStringLiteral("--by"), QStringLiteral("day")},
        {QStringLiteral("stats"), QStringLiteral("--by"), QStringLiteral("hour"), QStringLiteral("--status"),
         QStringLiteral("FAILURE"), QStringLiteral("--status"), QStringLiteral("SUCCESS")},
        {QStringLiteral("stats"), QStringLiteral("--by"), QStringLiteral("minute"), QStringLiteral("--done-after"),
         QStringLiteral("2025-02-20")},
        {QStringLiteral("runtimes")},
        {QStringLiteral("runtimes"), QStringLiteral("--status"), QStringLiteral("FAILURE"), QStringLiteral("--task-name"),
         QStringLiteral("proj.tasks.add"), QStringLiteral("--task-name"), QStringLiteral("proj.tasks.parse_amount")},
    };
    // failures: the exception of every stored row, read by Python (pickles by a stand-in
    // Unpickler).
    const QVector<QStringList> failureRuns{
        {QStringLiteral("failures")},
        {QStringLiteral("failures"), QStringLiteral("--status"), QStringLiteral("FAILURE"), QStringLiteral("--status"),
         QStringLiteral("RETRY")},
        {QStringLiteral("failures"), QStringLiteral("--exception"), QStringLiteral("ValueError"), QStringLiteral("--exception"),
         QStringLiteral("proj.billing.PaymentDeclined")},
        {QStringLiteral("failures"), QStringLiteral("--done-after"), QStringLiteral("2025-01-15"), QStringLiteral("--limit"),
         QStringLiteral("2")},
        {QStringLiteral("failures"), QStringLiteral("--exception"), QStringLiteral("SmtpTemporaryError"),
         QStringLiteral("--fingerprint"), QStringLiteral("greylisted: slow@example.com")},
    };
    // ids: `stalk count` and `stalk list` with --exception against the task ids of the rows whose
    // exception Python reads as named; quotes, LIKE's % and _ and backslashes match nothing.
    const QVector<QStringList> exceptionRuns{
        {QStringLiteral("ids"), QStringLiteral("--exception"), QStringLiteral("ValueError")},
        {QStringLiteral("ids"), QStringLiteral("--exception"), QStringLiteral("builtins.ValueError"), QStringLiteral("--status"),
         QStringLiteral("FAILURE")},
        {QStringLiteral("ids"), QStringLiteral("--exception"), QStringLiteral("PaymentDeclined"), QStringLiteral("--exception"),
         QStringLiteral("KeyError")},
        {QStringLiteral("ids"), QStringLiteral("--exception"), QStringLiteral("proj.billing.PaymentDeclined")},
        {QStringLiteral("ids"), QStringLiteral("--exception"), QStringLiteral("TimeLimitExceeded")},
        {QStringLiteral("ids"), QStringLiteral("--exception"), QStringLiteral("x' OR '1'='1"), QStringLiteral("--exception"),
         QStringLiteral("%"), QStringLiteral("--exception"), QStringLiteral("_"), QStringLiteral("--exception"),
         QStringLiteral("Value%"), QStringLiteral("--exception"), QStringLiteral("\\"), QStringLiteral("--exception"),
         QStringLiteral("\"ValueError\"")},
        // --fingerprint: one message of an exception that has others; a fingerprint alone (every
        // row a candidate on the servers); hostile fingerprints match nothing.
        {QStringLiteral("ids"), QStringLiteral("--exception"), QStringLiteral("SmtpTemporaryError"),
         QStringLiteral("--fingerprint"), QStringLiteral("greylisted: slow@example.com")},
        {QStringLiteral("ids"), QStringLiteral("--fingerprint"), QStringLiteral("<str>")},
        {QStringLiteral("ids"), QStringLiteral("--exception"), QStringLiteral("builtins.ValueError"),
         QStringLiteral("--fingerprint"), QStringLiteral("invalid literal for int() with base <num>: <str>"),
         QStringLiteral("--fingerprint"), QStringLiteral("x' OR '1'='1")},
        {QStringLiteral("ids"), QStringLiteral("--fingerprint"), QStringLiteral("%"), QStringLiteral("--fingerprint"),
         QStringLiteral("' OR 1=1 --"), QStringLiteral("--fingerprint"), QStringLiteral("[]")},
    };
    for (const QString &source : sources) {
        for (const QStringList &run : runs + failureRuns + exceptionRuns)
            QTest::newRow(qPrintable(source + u' ' + run.join(u' '))) << source << run;
    }
    // Results that name no exception (NULL, a JSON string): the traceback's line says it.
    for (const QStringList &run : failureRuns + exceptionRuns) {
        QTest::newRow(qPrintable(QStringLiteral("edited:django.sqlite3 ") + run.join(u' ')))
            << QStringLiteral("edited:django.sqlite3") << run;
    }
}

void TestCli::shouldAggregateLikeTheStoredRows()
{
    QFETCH(QString, source);
    QFETCH(QStringList, arguments);
    QString url;
    if (source.startsWith(QLatin1String("sqlite:"))) {
        REQUIRE_FIXTURES();
        url = urlFor(m_fixtures + u'/' + source.mid(7));
    } else if (source.startsWith(QLatin1String("edited:"))) {
        REQUIRE_FIXTURES();
        const QString path = copyFixture(source.mid(7));
        {
            QSqlDatabase db = QSqlDatabase::addDatabase(QStringLiteral("QSQLITE"), QStringLiteral("edit"));
            db.setDatabaseName(path);
            QVERIFY(db.open());
            QSqlQuery q(db);
            QVERIFY(q.exec(QStringLiteral("UPDATE django_celery_results_taskresult SET result = NULL "
                                          "WHERE task_name = 'proj.mail.bounce'")));
            QVERIFY(q.exec(QStringLiteral("UPDATE django_celery_results_taskresult SET result = '\"not an exception\"' "
                                          "WHERE task_name = 'proj.billing.lookup_customer'")));
            QVERIFY(q.numRowsAffected() > 0);
        }
        QSqlDatabase::removeDatabase(QStringLiteral("edit"));
        url = urlFor(path);
    } else if (source.startsWith(QLatin1String("env:"))) {
        REQUIRE_SERVER_URL(server, source.mid(4));
        url = server;
    } else if (source == u"couch") {
        REQUIRE_SERVER_URL(server, "STALK_COUCH_URL");
        url = server + u'/' + qEnvironmentVariable("STALK_COUCH_DB", QStringLiteral("stalk"));
    } else {
        REQUIRE_SERVER_URL(server, "STALK_REDIS_URL");
        url = server + u'/' + source.mid(6);
    }

    // The expectation: every stored row read by the engine's own Python client, aggregated there.
    QStringList expectedArguments{url, arguments.constFirst()};
    QStringList filters = arguments.mid(1);
    if (arguments.constFirst() == u"stats") {
        expectedArguments << filters.at(1);
        filters = filters.mid(2);
    }
    const QJsonDocument expected = expectedAggregate(expectedArguments + filters);
    if (QTest::currentTestFailed())
        return;
    if (arguments.constFirst() == u"ids") {
        checkExceptionFilter(url, filters, expected.array());
        return;
    }

    const Run run = stalk(QStringList{arguments.constFirst(), url} + arguments.mid(1)
                          + QStringList{QStringLiteral("--format"), QStringLiteral("json")});
    if (expected.isNull()) { // a schema without a start: no runtimes, one sentence
        QCOMPARE(run.exitCode, 1);
        QVERIFY2(run.err.contains("records neither date_started nor date_created") && run.err.count('\n') == 1,
                 run.err.constData());
        return;
    }
    QVERIFY2(run.exitCode == 0, run.err.constData());
    const QJsonArray wanted = expected.array();
    if (arguments.size() <= 3) // unfiltered: every fixture has results to aggregate
        QVERIFY2(!wanted.isEmpty(), "the fixture should have rows to aggregate");
    compareRecords(QJsonDocument::fromJson(run.out).array(), wanted);
}

void TestCli::shouldPrintSavedGroupsAsStored_data()
{
    QTest::addColumn<QString>("source"); // "sqlite:FILE" or "env:VARIABLE"
    for (const char *source : {"sqlite:django.sqlite3", "sqlite:taskmeta.sqlite3", "sqlite:v26.sqlite3",
                               "sqlite:legacy_v1.sqlite3", "env:STALK_PG_URL", "env:STALK_PG_TASKMETA_URL",
                               "env:STALK_MYSQL_URL", "env:STALK_MYSQL_TASKMETA_URL"})
        QTest::newRow(source) << QString::fromLatin1(source);
}

void TestCli::shouldPrintSavedGroupsAsStored()
{
    QFETCH(QString, source);
    QString url;
    if (source.startsWith(QLatin1String("sqlite:"))) {
        REQUIRE_FIXTURES();
        url = urlFor(m_fixtures + u'/' + source.mid(7));
    } else {
        REQUIRE_SERVER_URL(server, source.mid(4));
        url = server;
    }
    // The expectation: the group table read by the engine's own Python client, the members
    // from each stored value by groups_expected.py (no code shared with stalk).
    const QJsonObject expected = TestSupport::expectedGroups(url);
    if (QTest::currentTestFailed())
        return;

    const Run run = stalk({QStringLiteral("groups"), url, QStringLiteral("--format"), QStringLiteral("json")});
    if (expected.value(QLatin1String("groups")).isNull()) { // no group table: one sentence, exit 1
        QCOMPARE(run.exitCode, 1);
        QVERIFY2(run.err.contains("no saved groups") && run.err.count('\n') == 1, run.err.constData());
        QVERIFY(run.out.isEmpty());
        return;
    }
    QVERIFY2(run.exitCode == 0, run.err.constData());
    const QJsonArray printed = QJsonDocument::fromJson(run.out).array();
    const QJsonArray wanted = expected.value(QLatin1String("groups")).toArray();
    QVERIFY2(wanted.size() >= 2, "the fixture should have saved groups");
    QCOMPARE(printed.size(), wanted.size());
    const QJsonObject statuses = expected.value(QLatin1String("statuses")).toObject();
    for (qsizetype i = 0; i < wanted.size(); ++i) {
        const QJsonObject w = wanted.at(i).toObject();
        const QJsonObject g = printed.at(i).toObject();
        QCOMPARE(g.keys(), (QStringList{"date_done", "group_id", "members", "not_stored", "problem", "statuses"}));
        QCOMPARE(g.value(QLatin1String("group_id")), w.value(QLatin1String("group_id")));
        const QString printedDate = g.value(QLatin1String("date_done")).toString();
        QVERIFY2(printedDate.endsWith(u'Z'), qPrintable(printedDate));
        QCOMPARE(QDateTime::fromString(printedDate, Qt::ISODateWithMs),
                 QDateTime::fromString(w.value(QLatin1String("date_done")).toString(), Qt::ISODateWithMs));
        QCOMPARE(g.value(QLatin1String("members")).toArray(), w.value(QLatin1String("members")).toArray());
        QVERIFY(g.value(QLatin1String("problem")).isNull());
        // Each member's stored status counted; a member without a stored result "not stored".
        QJsonObject counts;
        int missing = 0;
        for (const QJsonValue &member : w.value(QLatin1String("members")).toArray()) {
            if (!statuses.contains(member.toString())) {
                ++missing;
                continue;
            }
            const QString status = statuses.value(member.toString()).toString();
            counts.insert(status, counts.value(status).toInt() + 1);
        }
        QCOMPARE(g.value(QLatin1String("statuses")).toObject(), counts);
        QCOMPARE(g.value(QLatin1String("not_stored")).toInt(), missing);
    }

    // --task: the groups listing that task (every member of the fixture's groups).
    const QJsonObject taskGroups = expected.value(QLatin1String("task_groups")).toObject();
    QVERIFY(!taskGroups.isEmpty());
    const QString task = taskGroups.begin().key();
    const Run of = stalk({QStringLiteral("groups"), url, QStringLiteral("--task"), task, QStringLiteral("--format"),
                          QStringLiteral("csv")});
    QVERIFY2(of.exitCode == 0, of.err.constData());
    const QList<QByteArray> lines = of.out.split('\n');
    QCOMPARE(lines.constFirst(), QByteArray("group_id,date_done,members,statuses,not_stored,problem\r"));
    QStringList listed;
    for (const QByteArray &line : lines.mid(1)) {
        if (!line.isEmpty())
            listed << QString::fromUtf8(line.left(line.indexOf(',')));
    }
    QStringList wantedIds;
    for (const QJsonValue &id : taskGroups.value(task).toArray())
        wantedIds << id.toString();
    QCOMPARE(listed, wantedIds);

    // The date range and --limit: the groups strictly between the newest and the oldest, then
    // the newest one alone.
    const QString newest = wanted.first().toObject().value(QLatin1String("date_done")).toString();
    const QString oldest = wanted.last().toObject().value(QLatin1String("date_done")).toString();
    const QDateTime afterOldest = QDateTime::fromString(oldest, Qt::ISODateWithMs).addMSecs(1);
    const Run middle = stalk({QStringLiteral("groups"), url, QStringLiteral("--done-before"), newest, QStringLiteral("--done-after"),
                              afterOldest.toString(Qt::ISODateWithMs), QStringLiteral("--format"), QStringLiteral("json")});
    QVERIFY2(middle.exitCode == 0, middle.err.constData());
    const QJsonArray between = QJsonDocument::fromJson(middle.out).array();
    QCOMPARE(between.size(), wanted.size() - 2);
    for (qsizetype i = 0; i < between.size(); ++i)
        QCOMPARE(between.at(i).toObject().value(QLatin1String("group_id")), wanted.at(i + 1).toObject().value(QLatin1String("group_id")));
    const Run one = stalk({QStringLiteral("groups"), url, QStringLiteral("--limit"), QStringLiteral("1")});
    QVERIFY2(one.exitCode == 0, one.err.constData());
    QCOMPARE(one.out.count('\n'), 2); // the header and the newest group
    QVERIFY2(one.out.contains(wanted.first().toObject().value(QLatin1String("group_id")).toString().toUtf8()), one.out.constData());
}

void TestCli::shouldPrintSavedGroupsOfIndexStores_data()
{
    QTest::addColumn<QString>("source"); // "couch" or "redis:DATASET"
    for (const char *source : {"couch", "redis:json", "redis:plain", "redis:pickle"})
        QTest::newRow(source) << QString::fromLatin1(source);
}

void TestCli::shouldPrintSavedGroupsOfIndexStores()
{
    // The expectation: each saved group as Celery's own backend.get_group_meta() read it back
    // when the fixture writer stored it (its members' statuses as AsyncResult read them).
    QFETCH(QString, source);
    QString url;
    QJsonArray saved;
    if (source == u"couch") {
        REQUIRE_SERVER_URL(server, "STALK_COUCH_URL");
        url = server + u'/' + qEnvironmentVariable("STALK_COUCH_DB", QStringLiteral("stalk"));
        saved = TestSupport::jsonObjectOfFileIn("STALK_COUCH_EXPECTATIONS").value(QLatin1String("saved_groups")).toArray();
    } else {
        REQUIRE_SERVER_URL(server, "STALK_REDIS_URL");
        const QJsonObject set =
            TestSupport::jsonObjectOfFileIn("STALK_REDIS_EXPECTATIONS").value(source.mid(6)).toObject();
        url = server + u'/' + QString::number(set.value(QLatin1String("db")).toInt());
        saved = set.value(QLatin1String("saved_groups")).toArray();
    }
    QVERIFY2(!saved.isEmpty(), "the fixture writer should have saved a group");

    const Run run = stalk({QStringLiteral("groups"), url, QStringLiteral("--format"), QStringLiteral("json")});
    QVERIFY2(run.exitCode == 0, run.err.constData());
    const QJsonArray printed = QJsonDocument::fromJson(run.out).array();
    QCOMPARE(printed.size(), saved.size());
    for (const QJsonValue &v : saved) {
        const QJsonObject w = v.toObject();
        const auto found = std::find_if(printed.begin(), printed.end(), [&w](const QJsonValue &g) {
            return g.toObject().value(QLatin1String("group_id")) == w.value(QLatin1String("group_id"));
        });
        QVERIFY2(found != printed.end(), qPrintable(w.value(QLatin1String("group_id")).toString()));
        const QJsonObject g = found->toObject();
        QCOMPARE(g.value(QLatin1String("members")).toArray(), w.value(QLatin1String("members")).toArray());
        const QJsonValue done = w.value(QLatin1String("date_done"));
        if (done.isNull()) // Celery 5.2 saves a group without a date
            QVERIFY(g.value(QLatin1String("date_done")).isNull());
        else
            QCOMPARE(QDateTime::fromString(g.value(QLatin1String("date_done")).toString(), Qt::ISODateWithMs),
                     QDateTime::fromString(done.toString(), Qt::ISODateWithMs));
        QJsonObject counts;
        const QJsonObject statuses = w.value(QLatin1String("statuses")).toObject();
        for (auto it = statuses.begin(); it != statuses.end(); ++it)
            counts.insert(it.value().toString(), counts.value(it.value().toString()).toInt() + 1);
        QCOMPARE(g.value(QLatin1String("statuses")).toObject(), counts);
        QCOMPARE(g.value(QLatin1String("not_stored")).toInt(),
                 int(w.value(QLatin1String("members")).toArray().size() - statuses.size()));
        QVERIFY(g.value(QLatin1String("problem")).isNull());

        // --task: a member finds its group.
        const QString member = w.value(QLatin1String("members")).toArray().first().toString();
        const Run of = stalk({QStringLiteral("groups"), url, QStringLiteral("--task"), member, QStringLiteral("--format"),
                              QStringLiteral("json")});
        QVERIFY2(of.exitCode == 0, of.err.constData());
        const QJsonArray ofMember = QJsonDocument::fromJson(of.out).array();
        QVERIFY2(std::any_of(ofMember.begin(), ofMember.end(),
                             [&w](const QJsonValue &x) {
                                 return x.toObject().value(QLatin1String("group_id")) == w.value(QLatin1String("group_id"));
                             }),
                 of.out.constData());
    }
}

QJsonDocument TestCli::expectedAggregate(const QStringList &arguments)
{
    QProcess python;
    python.start(QStringLiteral("/usr/bin/python3"), QStringList{QStringLiteral(STALK_AGGREGATES_EXPECTED)} + arguments);
    [&python] {
        QVERIFY(python.waitForFinished(120000));
        QVERIFY2(python.exitCode() == 0, python.readAllStandardError().constData());
    }();
    return QJsonDocument::fromJson(python.readAllStandardOutput());
}

void TestCli::compareRecords(const QJsonArray &actual, const QJsonArray &wanted)
{
    QCOMPARE(actual.size(), wanted.size());
    for (qsizetype i = 0; i < wanted.size(); ++i) {
        const QJsonObject a = actual.at(i).toObject();
        const QJsonObject w = wanted.at(i).toObject();
        QCOMPARE(a.keys(), w.keys());
        for (const QString &key : w.keys()) {
            const QJsonValue x = a.value(key), y = w.value(key);
            if (y.isDouble() && x.isDouble()) {
                // Seconds to the microsecond; counts exactly.
                QVERIFY2(std::abs(x.toDouble() - y.toDouble()) < 1e-6,
                         qPrintable(QStringLiteral("record %1 %2: %3 vs %4").arg(i).arg(key).arg(x.toDouble()).arg(y.toDouble())));
            } else if (key.endsWith(QLatin1String("_seen")) && x.isString() && y.isString()) {
                // Dates to the millisecond: Qt's PostgreSQL driver rounds the stored
                // microseconds where SQLite's and MariaDB's text is cut (.859625 → .860).
                const qint64 ms = QDateTime::fromString(x.toString(), Qt::ISODateWithMs)
                                      .msecsTo(QDateTime::fromString(y.toString(), Qt::ISODateWithMs));
                QVERIFY2(std::abs(ms) <= 1, qPrintable(QStringLiteral("record %1 %2: %3 vs %4")
                                                           .arg(i).arg(key, x.toString(), y.toString())));
            } else {
                QVERIFY2(x == y, qPrintable(QStringLiteral("record %1 %2").arg(i).arg(key)));
            }
        }
    }
}

void TestCli::checkExceptionFilter(const QString &url, const QStringList &filters, const QJsonArray &wantedIds)
{
    // SQLite runs Stalk's reader inside its statements; the servers read the rows that may
    // hold the exception and narrow the statements to the ids of those that do.
    const Run count = stalk(QStringList{QStringLiteral("count"), url} + filters);
    QVERIFY2(count.exitCode == 0, count.err.constData());
    QCOMPARE(count.out.trimmed().toLongLong(), qint64(wantedIds.size()));
    const Run list = stalk(QStringList{QStringLiteral("list"), url, QStringLiteral("--limit"), QStringLiteral("0"),
                                       QStringLiteral("--format"), QStringLiteral("json")}
                           + filters);
    QVERIFY2(list.exitCode == 0, list.err.constData());
    QStringList wanted;
    for (const QJsonValue &id : wantedIds)
        wanted << id.toString();
    QCOMPARE(sorted(taskIdsOf(QJsonDocument::fromJson(list.out).array())), wanted);
}

void TestCli::shouldWriteAggregatesInEveryFormat()
{
    REQUIRE_FIXTURES();
    const QString url = urlFor(m_fixtures + QStringLiteral("/v26.sqlite3"));
    for (const QString &command : {QStringLiteral("stats"), QStringLiteral("runtimes"), QStringLiteral("failures")}) {
        QStringList arguments{command, url, QStringLiteral("--done-after"),
                              command == u"failures" ? QStringLiteral("2025-01-01") : QStringLiteral("2025-02-20")};
        if (command == u"stats")
            arguments << QStringLiteral("--by") << QStringLiteral("day");
        const Run json = stalk(arguments + QStringList{QStringLiteral("--format"), QStringLiteral("json")});
        const Run csv = stalk(arguments + QStringList{QStringLiteral("--format"), QStringLiteral("csv")});
        const Run table = stalk(arguments);
        for (const Run *run : {&json, &csv, &table})
            QVERIFY2(run->exitCode == 0, run->err.constData());
        const QJsonArray records = QJsonDocument::fromJson(json.out).array();
        QVERIFY(!records.isEmpty());
        // CSV: the JSON's keys as the header, in the JSON text's order, one row per record,
        // the same values.
        const QVector<QStringList> rows = parseCsv(QString::fromUtf8(csv.out));
        QCOMPARE(rows.size(), records.size() + 1);
        const QStringList header = rows.constFirst();
        QCOMPARE(header.constFirst(), command == u"stats" ? QStringLiteral("start") : QStringLiteral("task_name"));
        QCOMPARE(header.constLast(), command == u"stats"      ? QStringLiteral("total")
                                         : command == u"failures" ? QStringLiteral("statuses")
                                                                  : QStringLiteral("basis"));
        // Fields that came after the CSV's columns were fixed are in the JSON only: runtimes'
        // p95 trend and failures' trend.
        const QStringList jsonOnly = command == u"runtimes"
            ? QStringList{QStringLiteral("p95_earlier"), QStringLiteral("p95_recent"), QStringLiteral("p95_grew")}
            : command == u"failures" ? QStringList{QStringLiteral("trend")} : QStringList();
        for (qsizetype i = 0; i < records.size(); ++i) {
            const QJsonObject record = records.at(i).toObject();
            QCOMPARE(QStringList(record.keys()).size(), header.size() + jsonOnly.size());
            for (const QString &key : jsonOnly)
                QVERIFY2(record.contains(key) && !header.contains(key), qPrintable(key));
            for (qsizetype c = 0; c < header.size(); ++c) {
                const QJsonValue v = record.value(header.at(c));
                const QString field = rows.at(i + 1).at(c);
                if (v.isDouble())
                    QCOMPARE(field.toDouble(), v.toDouble()); // the same shortest text of the same double
                else if (v.isArray() || v.isObject()) // failures' workers and statuses: the JSON text
                    QCOMPARE(QJsonDocument::fromJson(field.toUtf8()).toVariant(), v.toVariant());
                else
                    QCOMPARE(field, v.toString()); // text, or empty for null
            }
        }
        // The table: a header line and one line per record.
        QCOMPARE(table.out.count('\n'), records.size() + 1);
        QVERIFY2(table.out.startsWith(command == u"stats" ? "start " : "task_name "), table.out.constData());
    }
    // JSON keys in the contract's order: start first, total last.
    const Run json = stalk({QStringLiteral("stats"), url, QStringLiteral("--by"), QStringLiteral("day"),
                            QStringLiteral("--format"), QStringLiteral("json")});
    QVERIFY2(json.out.contains("{\"start\": \"2025-0") && json.out.contains(", \"total\": "), json.out.left(500).constData());

    // Usage errors (exit 2): an unknown bucket, a format the aggregates do not write.
    QCOMPARE(stalk({QStringLiteral("stats"), url, QStringLiteral("--by"), QStringLiteral("week")}).exitCode, 2);
    QCOMPARE(stalk({QStringLiteral("runtimes"), url, QStringLiteral("--format"), QStringLiteral("jsonl")}).exitCode, 2);
    QCOMPARE(stalk({QStringLiteral("failures"), url, QStringLiteral("--limit"), QStringLiteral("-1")}).exitCode, 2);
    // failures' JSON keys in the contract's order.
    const Run failures = stalk({QStringLiteral("failures"), url, QStringLiteral("--format"), QStringLiteral("json")});
    QVERIFY2(failures.out.contains("{\"task_name\": \"proj.tasks.parse_amount\", \"exception\": \"ValueError\", "
                                   "\"exception_module\": \"builtins\", \"message\": "),
             failures.out.constData());
    QVERIFY2(failures.out.contains(", \"workers\": [\"alpha@stalk-fixtures\",\"beta@stalk-fixtures\"], "
                                   "\"statuses\": {\"FAILURE\":3}, \"trend\": {\"bucket\":\""),
             failures.out.constData());
    // The trend: one axis for every group, from the bucket of the earliest first_seen to that of
    // the latest last_seen, 12 to 60 points (this span has more than 12 minutes), each dated
    // result counted once.
    const QJsonArray groups = QJsonDocument::fromJson(failures.out).array();
    QVERIFY(groups.size() > 1);
    QDateTime first, last;
    for (const QJsonValue &value : groups) {
        const QDateTime seen = QDateTime::fromString(value[QStringLiteral("first_seen")].toString(), Qt::ISODateWithMs);
        const QDateTime until = QDateTime::fromString(value[QStringLiteral("last_seen")].toString(), Qt::ISODateWithMs);
        first = first.isValid() ? std::min(first, seen) : seen;
        last = last.isValid() ? std::max(last, until) : until;
    }
    const QJsonObject axis = groups.at(0)[QStringLiteral("trend")].toObject();
    const std::optional<TimeBucket> bucket = timeBucketNamed(axis.value(QStringLiteral("bucket")).toString());
    QVERIFY(bucket);
    const qint64 pointMs = bucketMs(*bucket) * axis.value(QStringLiteral("step")).toInteger();
    const QDateTime start = QDateTime::fromString(axis.value(QStringLiteral("start")).toString(), Qt::ISODate);
    QCOMPARE(start, bucketStart(first, *bucket));
    for (const QJsonValue &value : groups) {
        const QJsonObject trend = value[QStringLiteral("trend")].toObject();
        QCOMPARE(trend.value(QStringLiteral("bucket")), axis.value(QStringLiteral("bucket")));
        QCOMPARE(trend.value(QStringLiteral("step")), axis.value(QStringLiteral("step")));
        QCOMPARE(trend.value(QStringLiteral("start")), axis.value(QStringLiteral("start")));
        const QJsonArray counts = trend.value(QStringLiteral("counts")).toArray();
        QVERIFY2(counts.size() >= FailureTrend::minPoints && counts.size() <= FailureTrend::maxPoints,
                 qPrintable(QString::number(counts.size())));
        QCOMPARE(start.addMSecs(pointMs * counts.size()) > last, true);
        QCOMPARE(start.addMSecs(pointMs * (counts.size() - 1)) <= last, true);
        qint64 total = 0;
        for (const QJsonValue &count : counts)
            total += count.toInteger();
        QCOMPARE(total, value[QStringLiteral("count")].toInteger());
    }
}

void TestCli::shouldMarkTheTasksWhoseP95Grew_data()
{
    QTest::addColumn<QString>("source"); // a fixture copied, or the variable of a server's URL
    QTest::newRow("SQLite, date_started") << QStringLiteral("v26.sqlite3");
    QTest::newRow("SQLite, date_created") << QStringLiteral("django.sqlite3");
    QTest::newRow("PostgreSQL") << QStringLiteral("STALK_PG_URL");
    QTest::newRow("MariaDB") << QStringLiteral("STALK_MYSQL_URL");
}

void TestCli::shouldMarkTheTasksWhoseP95Grew()
{
    // No fixture task has the 40 results a comparison of halves needs: two tasks of 60 are
    // added (TestSupport::addRuntimeTrendTasks(), hand-made rows copied from a stored one),
    // to a copy of the fixture or to a private copy of the server's table.
    QFETCH(QString, source);
    const QString connection = QStringLiteral("tst_cli-trend");
    const QString table = source.endsWith(QLatin1String(".sqlite3"))
        ? QStringLiteral("django_celery_results_taskresult")
        : QStringLiteral("stalk_trend_%1").arg(QCoreApplication::applicationPid());
    QString url;
    QSqlDatabase db;
    if (source.endsWith(QLatin1String(".sqlite3"))) {
        REQUIRE_FIXTURES();
        const QString path = copyFixture(source);
        url = urlFor(path);
        db = QSqlDatabase::addDatabase(QStringLiteral("QSQLITE"), connection);
        db.setDatabaseName(path);
        QVERIFY(db.open());
    } else {
        REQUIRE_SERVER_URL(server, source);
        QString error;
        url = privateServerCopy(server, connection, table, &db, &error);
        QVERIFY2(!url.isEmpty(), qPrintable(error));
    }
    const QString added = TestSupport::addRuntimeTrendTasks(db, table);
    const auto cleanUp = qScopeGuard([&db, &table, &source, &connection] {
        if (!source.endsWith(QLatin1String(".sqlite3")))
            QSqlQuery(db).exec(QStringLiteral("DROP TABLE IF EXISTS %1").arg(table));
        db.close();
        db = QSqlDatabase();
        QSqlDatabase::removeDatabase(connection);
    });
    QVERIFY2(added.isEmpty(), qPrintable(added));

    const QJsonDocument expected = expectedAggregate({url, QStringLiteral("runtimes")});
    if (QTest::currentTestFailed())
        return;
    const Run json = stalk({QStringLiteral("runtimes"), url, QStringLiteral("--format"), QStringLiteral("json")});
    QVERIFY2(json.exitCode == 0, json.err.constData());
    const QJsonArray records = QJsonDocument::fromJson(json.out).array();
    compareRecords(records, expected.array());
    if (QTest::currentTestFailed())
        return;
    // The one that grew, the one that did not, and the fixture's tasks with too few results.
    QStringList grew, compared;
    for (const QJsonValue &value : records) {
        const QJsonObject record = value.toObject();
        const QString name = record.value(QStringLiteral("task_name")).toString();
        if (record.value(QStringLiteral("p95_grew")).toBool())
            grew << name;
        if (record.value(QStringLiteral("p95_earlier")).isDouble() && record.value(QStringLiteral("p95_recent")).isDouble())
            compared << name;
        else
            QVERIFY(record.value(QStringLiteral("p95_earlier")).isNull() && record.value(QStringLiteral("p95_recent")).isNull());
    }
    QCOMPARE(grew, QStringList{QLatin1String(TestSupport::runtimeTrendGrown)});
    QCOMPARE(compared, (QStringList{QLatin1String(TestSupport::runtimeTrendGrown), QLatin1String(TestSupport::runtimeTrendSteady)}));
    QVERIFY2(json.out.contains("\"basis\": \"" + QByteArray(source == u"v26.sqlite3" ? "started" : "created")
                               + "\", \"p95_earlier\": "),
             json.out.constData());

    // The table marks that line only; the CSV is as it was.
    const Run tableRun = stalk({QStringLiteral("runtimes"), url});
    QVERIFY2(tableRun.exitCode == 0, tableRun.err.constData());
    const QStringList lines = QString::fromUtf8(tableRun.out).split(u'\n', Qt::SkipEmptyParts);
    QVERIFY2(lines.constFirst().contains(QRegularExpression(QStringLiteral("  basis +p95_trend$"))),
             qPrintable(lines.constFirst()));
    QCOMPARE(lines.filter(QStringLiteral("\u25b2")).size(), 1);
    QVERIFY2(lines.filter(QStringLiteral("\u25b2")).constFirst().startsWith(QLatin1String(TestSupport::runtimeTrendGrown)),
             qPrintable(tableRun.out));
    QVERIFY2(lines.filter(QLatin1String(TestSupport::runtimeTrendSteady)).constFirst().endsWith(QStringLiteral("1.0\u00d7")),
             qPrintable(tableRun.out));
    const Run csv = stalk({QStringLiteral("runtimes"), url, QStringLiteral("--format"), QStringLiteral("csv")});
    QVERIFY2(csv.out.startsWith("task_name,count,p50,p95,p99,max,basis\r\n"), csv.out.constData());
}

void TestCli::shouldFilterByDoneDate()
{
    REQUIRE_FIXTURES();
    const QString url = urlFor(copyFixture(QStringLiteral("django.sqlite3")));
    const QJsonArray expired = m_expectations.value(QStringLiteral("expired")).toArray();
    const qint64 total = m_expectations[QStringLiteral("counts")][QStringLiteral("total")].toInteger();
    for (const QJsonValue &value : expired) {
        const QJsonObject object = value.toObject();
        const QString cutoff = object.value(QStringLiteral("cutoff")).toString();
        if (cutoff.contains(QLatin1String(".000001")))
            continue; // TaskQuery date filters are kept to the millisecond
        const qint64 before = object.value(QStringLiteral("task_ids")).toArray().size();
        Run run = stalk({QStringLiteral("count"), url, QStringLiteral("--done-before"), cutoff});
        QCOMPARE(run.out.trimmed().toLongLong(), before);
        run = stalk({QStringLiteral("count"), url, QStringLiteral("--done-after"), cutoff});
        QCOMPARE(run.out.trimmed().toLongLong(), total - before);
    }
}

// ------------------------------------------------------------------------------------------
// purge

void TestCli::shouldPreviewPurgeWithoutDeleting_data()
{
    QTest::addColumn<QString>("cutoff");
    QTest::addColumn<int>("tasks");
    QTest::addColumn<int>("groups");

    const QJsonArray expired = m_expectations.value(QStringLiteral("expired")).toArray();
    if (expired.isEmpty())
        QTest::newRow("fixtures missing") << QString() << 0 << 0;
    for (const QJsonValue &value : expired) {
        const QJsonObject object = value.toObject();
        const QString cutoff = object.value(QStringLiteral("cutoff")).toString();
        // "…:15.000001" keeps its microsecond (PurgeCriteria::cutoffExtraMicroseconds), so
        // the row done at exactly …:15 is expired, as upstream says.
        QTest::newRow(qPrintable(cutoff)) << cutoff << int(object.value(QStringLiteral("task_ids")).toArray().size())
                                          << int(object.value(QStringLiteral("group_ids")).toArray().size());
    }
}

void TestCli::shouldPreviewPurgeWithoutDeleting()
{
    REQUIRE_FIXTURES();
    QFETCH(QString, cutoff);
    QFETCH(int, tasks);
    QFETCH(int, groups);

    const QString db = copyFixture(QStringLiteral("django.sqlite3"));
    const QStringList before = taskIdsInDb(db);
    // Without --yes and without a terminal: a dry run needs no confirmation.
    const Run run = stalk({QStringLiteral("purge"), urlFor(db), QStringLiteral("--before"), cutoff,
                           QStringLiteral("--dry-run")});
    QCOMPARE(run.exitCode, 0);
    const QString out = QString::fromUtf8(run.out);
    QVERIFY2(out.startsWith(QStringLiteral("%1 results would be deleted").arg(tasks)), qPrintable(out));
    QVERIFY2(out.endsWith(QStringLiteral(" (+ %1 groups)\n").arg(groups)), qPrintable(out));
    QCOMPARE(out.count(u'\n'), 1);
    QCOMPARE(taskIdsInDb(db), before);
    QCOMPARE(taskIdsInDb(db, QStringLiteral("django_celery_results_groupresult"), QStringLiteral("group_id")).size(),
             m_expectations[QStringLiteral("counts")][QStringLiteral("groups")].toInt());
}

void TestCli::shouldPurgeExactlyTheExpiredSet_data()
{
    shouldPreviewPurgeWithoutDeleting_data();
}

void TestCli::shouldPurgeExactlyTheExpiredSet()
{
    REQUIRE_FIXTURES();
    QFETCH(QString, cutoff);
    QFETCH(int, tasks);
    QFETCH(int, groups);

    QStringList expiredTasks;
    QStringList expiredGroups;
    for (const QJsonValue &value : m_expectations.value(QStringLiteral("expired")).toArray()) {
        if (value[QStringLiteral("cutoff")].toString() != cutoff)
            continue;
        for (const QJsonValue &id : value[QStringLiteral("task_ids")].toArray())
            expiredTasks << id.toString();
        for (const QJsonValue &id : value[QStringLiteral("group_ids")].toArray())
            expiredGroups << id.toString();
    }
    QCOMPARE(expiredTasks.size(), tasks);

    const QString db = copyFixture(QStringLiteral("django.sqlite3"));
    const QString groupTable = QStringLiteral("django_celery_results_groupresult");
    const QStringList tasksBefore = taskIdsInDb(db);
    const QStringList groupsBefore = taskIdsInDb(db, groupTable, QStringLiteral("group_id"));

    const Run run = stalk({QStringLiteral("purge"), urlFor(db), QStringLiteral("--before"), cutoff,
                           QStringLiteral("--yes"), QStringLiteral("--batch-size"), QStringLiteral("5")});
    QVERIFY2(run.exitCode == 0, run.err.constData());
    QCOMPARE(QString::fromUtf8(run.out), QStringLiteral("deleted %1 results (and %2 groups)\n").arg(tasks).arg(groups));

    QStringList expectedTasks = tasksBefore;
    for (const QString &id : expiredTasks)
        expectedTasks.removeAll(id);
    QStringList expectedGroups = groupsBefore;
    for (const QString &id : expiredGroups)
        expectedGroups.removeAll(id);
    QCOMPARE(taskIdsInDb(db), expectedTasks);
    QCOMPARE(taskIdsInDb(db, groupTable, QStringLiteral("group_id")), expectedGroups);
}

void TestCli::shouldNarrowPurgeByStatusAndKeepGroups()
{
    REQUIRE_FIXTURES();
    const QString db = copyFixture(QStringLiteral("django.sqlite3"));
    const QString cutoff = QStringLiteral("2025-02-01T00:00:00Z");
    Run run = stalk({QStringLiteral("list"), urlFor(db), QStringLiteral("--status"), QStringLiteral("FAILURE"),
                     QStringLiteral("--done-before"), cutoff, QStringLiteral("--limit"), QStringLiteral("0"),
                     QStringLiteral("--format"), QStringLiteral("json")});
    const QStringList doomed = taskIdsOf(QJsonDocument::fromJson(run.out).array());
    QVERIFY(!doomed.isEmpty());
    const QStringList groupsBefore = taskIdsInDb(db, QStringLiteral("django_celery_results_groupresult"), QStringLiteral("group_id"));

    run = stalk({QStringLiteral("purge"), urlFor(db), QStringLiteral("--before"), cutoff, QStringLiteral("--status"),
                 QStringLiteral("FAILURE"), QStringLiteral("--dry-run")});
    QCOMPARE(run.exitCode, 0);
    QCOMPARE(QString::fromUtf8(run.out),
             QStringLiteral("%1 results would be deleted (%1 FAILURE) (+ 0 groups)\n").arg(doomed.size()));

    const QStringList before = taskIdsInDb(db);
    run = stalk({QStringLiteral("purge"), urlFor(db), QStringLiteral("--before"), cutoff, QStringLiteral("--status"),
                 QStringLiteral("FAILURE"), QStringLiteral("-y")});
    QCOMPARE(run.exitCode, 0);
    QCOMPARE(QString::fromUtf8(run.out), QStringLiteral("deleted %1 results (and 0 groups)\n").arg(doomed.size()));
    QStringList expected = before;
    for (const QString &id : doomed)
        expected.removeAll(id);
    QCOMPARE(taskIdsInDb(db), expected);
    QCOMPARE(taskIdsInDb(db, QStringLiteral("django_celery_results_groupresult"), QStringLiteral("group_id")), groupsBefore);
}

void TestCli::shouldNarrowAPurgeAsCountNarrows_data()
{
    QTest::addColumn<QString>("source"); // "sqlite:FILE", "env:VARIABLE" (a private copy), "couch", "redis:DB"
    QTest::addColumn<QStringList>("filters");

    const QVector<QStringList> filterSets{
        {QStringLiteral("--worker"), QStringLiteral("beta@stalk-fixtures")},
        {QStringLiteral("--periodic-task"), QString(), QStringLiteral("--status"), QStringLiteral("SUCCESS")},
        {QStringLiteral("--periodic-task"), QStringLiteral("heartbeat-every-minute"), QStringLiteral("--periodic-task"),
         QStringLiteral("nightly-cleanup")},
        {QStringLiteral("--done-after"), QStringLiteral("2025-01-15")},
        {QStringLiteral("--worker"), QStringLiteral("alpha@stalk-fixtures"), QStringLiteral("--done-after"),
         QStringLiteral("2025-01-20T12:00:00Z"), QStringLiteral("--task-name"), QStringLiteral("proj.tasks.add")},
        // The search as the Django admin's (every term somewhere in task id, name, status, args,
        // kwargs; a decoded "\u00eb" too), and the exception read from the stored result.
        {QStringLiteral("--search"), QStringLiteral("Zoë")},
        {QStringLiteral("--search"), QStringLiteral("billing FAILURE"), QStringLiteral("--worker"),
         QStringLiteral("beta@stalk-fixtures"), QStringLiteral("--worker"), QStringLiteral("alpha@stalk-fixtures")},
        {QStringLiteral("--exception"), QStringLiteral("KeyError")},
        {QStringLiteral("--exception"), QStringLiteral("PaymentDeclined"), QStringLiteral("--search"), QStringLiteral("INV")},
    };
    const QStringList sources{
        QStringLiteral("sqlite:django.sqlite3"), QStringLiteral("sqlite:v26.sqlite3"),
        QStringLiteral("sqlite:taskmeta.sqlite3"), QStringLiteral("env:STALK_PG_URL"),
        QStringLiteral("env:STALK_MYSQL_URL"), QStringLiteral("couch"), QStringLiteral("redis:1"),
    };
    for (const QString &source : sources) {
        for (const QStringList &filters : filterSets)
            QTest::newRow(qPrintable(source + u' ' + filters.join(u' '))) << source << filters;
    }
}

void TestCli::shouldNarrowAPurgeAsCountNarrows()
{
    // The purge's bound is --before; count and list say the same with --done-before.
    QFETCH(QString, source);
    QFETCH(QStringList, filters);
    const QString cutoff = QStringLiteral("2025-02-20T00:00:00Z");
    const QString connection = QStringLiteral("tst_cli-narrow");
    QString url;
    QString table = QStringLiteral("django_celery_results_taskresult");
    QSqlDatabase db;
    // The shared CouchDB and Redis data only get dry runs and refusals (other suites count them).
    bool deletes = true;
    if (source.startsWith(QLatin1String("sqlite:"))) {
        REQUIRE_FIXTURES();
        if (source.contains(QLatin1String("taskmeta")))
            table = QStringLiteral("celery_taskmeta");
        const QString path = copyFixture(source.mid(7));
        url = urlFor(path);
        db = QSqlDatabase::addDatabase(QStringLiteral("QSQLITE"), connection);
        db.setDatabaseName(path);
        QVERIFY(db.open());
    } else if (source.startsWith(QLatin1String("env:"))) {
        REQUIRE_SERVER_URL(server, source.mid(4));
        table = QStringLiteral("stalk_narrow_%1").arg(QCoreApplication::applicationPid());
        QString error;
        url = privateServerCopy(server, connection, table, &db, &error);
        QVERIFY2(!url.isEmpty(), qPrintable(error));
    } else if (source == u"couch") {
        REQUIRE_SERVER_URL(server, "STALK_COUCH_URL");
        url = server + u'/' + qEnvironmentVariable("STALK_COUCH_DB", QStringLiteral("stalk"));
        deletes = false;
    } else {
        REQUIRE_SERVER_URL(server, "STALK_REDIS_URL");
        url = server + u'/' + source.mid(6);
        deletes = false;
    }
    const auto dropCopy = qScopeGuard([&] {
        if (source.startsWith(QLatin1String("env:")))
            QSqlQuery(db).exec(QStringLiteral("DROP TABLE IF EXISTS %1").arg(table));
        db = QSqlDatabase();
        QSqlDatabase::removeDatabase(connection);
    });
    // Table names come from this test, never from data.
    const auto idsNow = [&]() -> QStringList {
        if (!deletes)
            return taskIdsOf(QJsonDocument::fromJson(stalk({QStringLiteral("list"), url, QStringLiteral("--limit"),
                                                            QStringLiteral("0"), QStringLiteral("--format"),
                                                            QStringLiteral("json")}).out).array());
        QStringList ids;
        QSqlQuery q(db);
        if (!q.exec(QStringLiteral("SELECT task_id FROM %1").arg(table)))
            return {QStringLiteral("<%1>").arg(q.lastError().text())};
        while (q.next())
            ids << q.value(0).toString();
        ids.sort();
        return ids;
    };
    const QStringList before = idsNow();
    QVERIFY(!before.isEmpty());

    const QStringList purge = QStringList{QStringLiteral("purge"), url, QStringLiteral("--before"), cutoff} + filters;
    Run run = stalk(QStringList{QStringLiteral("count"), url} + filters + QStringList{QStringLiteral("--done-before"), cutoff});
    QVERIFY2(run.exitCode == 0, run.err.constData());
    const qint64 counted = run.out.trimmed().toLongLong();
    run = stalk(QStringList{QStringLiteral("list"), url} + filters
                + QStringList{QStringLiteral("--done-before"), cutoff, QStringLiteral("--limit"), QStringLiteral("0"),
                              QStringLiteral("--format"), QStringLiteral("json")});
    QVERIFY2(run.exitCode == 0, run.err.constData());
    const QStringList doomed = sorted(taskIdsOf(QJsonDocument::fromJson(run.out).array()));
    QCOMPARE(qint64(doomed.size()), counted);
    // The fixtures' data: each filter set narrows to some of the expired results (celery_taskmeta
    // has no periodic task: none is named there).
    const bool fieldMissing = source.contains(QLatin1String("taskmeta")) && filters.contains(QStringLiteral("--periodic-task"))
        && !filters.contains(QString());
    if (deletes)
        QVERIFY2((counted > 0 || fieldMissing) && counted < before.size(), qPrintable(QString::number(counted)));

    run = stalk(purge + QStringList{QStringLiteral("--dry-run")});
    QVERIFY2(run.exitCode == 0, run.err.constData());
    const QString line = QString::fromUtf8(run.out);
    QVERIFY2(line.startsWith(QStringLiteral("%1 results would be deleted").arg(counted)), qPrintable(line));
    QVERIFY2(line.contains(QStringLiteral(" (+ 0 groups), narrowed by --")), qPrintable(line));
    QCOMPARE(line.count(u'\n'), 1);
    for (const QString &word : filters) {
        if (word.startsWith(QLatin1String("--")))
            QVERIFY2(line.contains(word + u' '), qPrintable(line));
    }
    QCOMPARE(idsNow(), before);
    if (!deletes)
        return;

    run = stalk(purge + QStringList{QStringLiteral("--yes"), QStringLiteral("--batch-size"), QStringLiteral("3")});
    QVERIFY2(run.exitCode == 0, run.err.constData());
    QCOMPARE(QString::fromUtf8(run.out), QStringLiteral("deleted %1 results (and 0 groups)\n").arg(counted));
    QStringList expected = before;
    for (const QString &id : doomed)
        expected.removeAll(id);
    QCOMPARE(idsNow(), expected);
}

void TestCli::shouldRefuseToPurgeWithoutYesWhenStdinIsNotATerminal()
{
    REQUIRE_FIXTURES();
    const QString db = copyFixture(QStringLiteral("django.sqlite3"));
    const QStringList before = taskIdsInDb(db);
    // Even a "y" piped in is not a person answering.
    const Run run = stalk({QStringLiteral("purge"), urlFor(db), QStringLiteral("--older-than"), QStringLiteral("1d")},
                          {}, QByteArrayLiteral("y\n"));
    QCOMPARE(run.exitCode, 2);
    QVERIFY2(run.err.startsWith("stalk purge: refusing to delete without --yes: standard input is not a terminal\n"),
             run.err.constData());
    QVERIFY(run.out.isEmpty());
    QCOMPARE(taskIdsInDb(db), before);
}

void TestCli::shouldRefuseCacheExpiryOnStoresWithoutOne_data()
{
    QTest::addColumn<QString>("fixture");
    QTest::addColumn<QString>("reason");
    QTest::addColumn<QString>("table");
    QTest::newRow("django-celery-results") << QStringLiteral("django.sqlite3")
                                           << QStringLiteral("django-celery-results' tables keep no cache expiry")
                                           << QStringLiteral("django_celery_results_taskresult");
    QTest::newRow("celery_taskmeta") << QStringLiteral("taskmeta.sqlite3")
                                     << QStringLiteral("Celery's celery_taskmeta table keeps no cache expiry")
                                     << QStringLiteral("celery_taskmeta");
}

void TestCli::shouldRefuseCacheExpiryOnStoresWithoutOne()
{
    // Only a Django cache (DatabaseCache, FileBasedCache) keeps entries past their own expiry;
    // elsewhere --cache-expired is a usage error with its reason, before anything is counted.
    QFETCH(QString, fixture);
    QFETCH(QString, reason);
    QFETCH(QString, table);
    REQUIRE_FIXTURES();
    const QString db = copyFixture(fixture);
    const QStringList before = taskIdsInDb(db, table);
    for (const QStringList &extra : {QStringList{QStringLiteral("--dry-run")}, QStringList{QStringLiteral("--yes")},
                                     QStringList{QStringLiteral("--older-than"), QStringLiteral("1d"), QStringLiteral("--yes")}}) {
        const Run run = stalk(QStringList{QStringLiteral("purge"), urlFor(db), QStringLiteral("--cache-expired")} + extra);
        QCOMPARE(run.exitCode, 2);
        QVERIFY2(run.err.startsWith(("stalk purge: --cache-expired: " + reason).toUtf8()), run.err.constData());
        QCOMPARE(run.err.count('\n'), 2); // the sentence and "Try 'stalk purge --help'"
        QVERIFY(run.out.isEmpty());
    }
    QCOMPARE(taskIdsInDb(db, table), before);
    // Without it, the cutoff is still required.
    const Run run = stalk({QStringLiteral("purge"), urlFor(db), QStringLiteral("--dry-run")});
    QCOMPARE(run.exitCode, 2);
    QVERIFY2(run.err.contains("missing the cutoff"), run.err.constData());
}

void TestCli::shouldRefuseToPurgeReadOnly()
{
    REQUIRE_FIXTURES();
    const QString db = copyFixture(QStringLiteral("django.sqlite3"));
    const QStringList before = taskIdsInDb(db);
    Run run = stalk({QStringLiteral("purge"), urlFor(db), QStringLiteral("--older-than"), QStringLiteral("1d"),
                     QStringLiteral("--yes"), QStringLiteral("--read-only")});
    QCOMPARE(run.exitCode, 1);
    QVERIFY2(run.err.contains("permission denied"), run.err.constData());
    QCOMPARE(run.err.count('\n'), 1);
    QCOMPARE(taskIdsInDb(db), before);

    // A dry run only reads.
    run = stalk({QStringLiteral("--read-only"), QStringLiteral("purge"), urlFor(db), QStringLiteral("--before"),
                 QStringLiteral("2025-03-02"), QStringLiteral("--dry-run")});
    QCOMPARE(run.exitCode, 0);
    QVERIFY2(run.out.startsWith("50 results would be deleted"), run.out.constData());
    QCOMPARE(taskIdsInDb(db), before);
}

void TestCli::shouldAskOnATerminalAndDeleteNothingOnNo()
{
    REQUIRE_FIXTURES();
    const QString db = copyFixture(QStringLiteral("django.sqlite3"));
    const QStringList before = taskIdsInDb(db);
    const Run run = stalkOnTerminal({QStringLiteral("purge"), urlFor(db), QStringLiteral("--before"),
                                     QStringLiteral("2025-01-15")},
                                    QByteArrayLiteral("n\n"));
    const QString screen = QString::fromUtf8(run.out);
    QVERIFY2(run.exitCode == 1, qPrintable(screen + QString::fromUtf8(run.err)));
    QVERIFY2(screen.contains(QStringLiteral("Delete 12 results (and 1 groups) older than 2025-01-15T00:00:00Z from %1? [y/N]")
                                 .arg(urlFor(db))),
             qPrintable(screen));
    QVERIFY2(screen.contains(QLatin1String("nothing was deleted")), qPrintable(screen));
    QCOMPARE(taskIdsInDb(db), before);
}

void TestCli::shouldAskOnATerminalAndDeleteOnYes()
{
    REQUIRE_FIXTURES();
    const QString db = copyFixture(QStringLiteral("django.sqlite3"));
    const Run run = stalkOnTerminal({QStringLiteral("purge"), urlFor(db), QStringLiteral("--before"),
                                     QStringLiteral("2025-01-15"), QStringLiteral("--batch-size"), QStringLiteral("4")},
                                    QByteArrayLiteral("yes\n"));
    const QString screen = QString::fromUtf8(run.out);
    QVERIFY2(run.exitCode == 0, qPrintable(screen + QString::fromUtf8(run.err)));
    QVERIFY2(screen.contains(QLatin1String("deleting: 12 of 12 results (100%)")), qPrintable(screen)); // progress
    QVERIFY2(screen.contains(QLatin1String("deleted 12 results (and 1 groups)")), qPrintable(screen));
    QCOMPARE(taskIdsInDb(db).size(), 50 - 12);
}

void TestCli::shouldKeepTheDatabaseIntactWithInjectionStrings_data()
{
    QTest::addColumn<QStringList>("arguments");
    QTest::addColumn<int>("exitCode");

    const QString drop = QStringLiteral("'; DROP TABLE django_celery_results_taskresult; --");
    const QString orTrue = QStringLiteral("x' OR '1'='1");
    const QString url = QStringLiteral("@URL@");
    QTest::newRow("search drop") << QStringList{"count", url, "--search", drop} << 0;
    QTest::newRow("search or-true") << QStringList{"list", url, "--search", orTrue, "--format", "json"} << 0;
    QTest::newRow("task name or-true") << QStringList{"count", url, "--task-name", orTrue} << 0;
    QTest::newRow("status drop") << QStringList{"stats", url, "--status", drop} << 0;
    QTest::newRow("worker quote") << QStringList{"list", url, "--worker", "\"); DELETE FROM django_celery_results_taskresult; --"}
                                  << 0;
    QTest::newRow("purge task name or-true")
        << QStringList{"purge", url, "--before", "2025-03-02", "--task-name", orTrue, "--yes"} << 0;
    QTest::newRow("purge status drop")
        << QStringList{"purge", url, "--before", "2025-03-02", "--status", drop, "--yes"} << 0;
    QTest::newRow("purge search or-true")
        << QStringList{"purge", url, "--before", "2025-03-02", "--search", orTrue, "--yes"} << 0;
    QTest::newRow("purge search drop")
        << QStringList{"purge", url, "--before", "2025-03-02", "--search", drop, "--yes"} << 0;
    QTest::newRow("purge exception or-true")
        << QStringList{"purge", url, "--before", "2025-03-02", "--exception", "ValueError' OR '1'='1", "--yes"} << 0;
    QTest::newRow("show drop") << QStringList{"show", url, drop} << 1;
}

void TestCli::shouldKeepTheDatabaseIntactWithInjectionStrings()
{
    REQUIRE_FIXTURES();
    QFETCH(QStringList, arguments);
    QFETCH(int, exitCode);

    const QString db = copyFixture(QStringLiteral("django.sqlite3"));
    const QStringList before = taskIdsInDb(db);
    arguments.replaceInStrings(QStringLiteral("@URL@"), urlFor(db));
    const Run run = stalk(arguments);
    QVERIFY2(run.exitCode == exitCode, run.err.constData());
    if (arguments.first() == u"count")
        QCOMPARE(run.out, QByteArray("0\n"));
    if (arguments.contains(QStringLiteral("json")))
        QCOMPARE(QJsonDocument::fromJson(run.out).array().size(), 0);
    if (arguments.first() == u"purge")
        QCOMPARE(run.out, QByteArray("deleted 0 results (and 0 groups)\n"));
    QCOMPARE(taskIdsInDb(db), before);
}

// ------------------------------------------------------------------------------------------
// Hostile stored text (issue 11)

namespace {

/// Terminal columns of the text these tests store, counted independently of DisplayText: CJK
/// ideographs and emoji 2, combining acute accents 0, anything else 1.
int columnsOf(const QString &line)
{
    int columns = 0;
    for (const char32_t c : line.toUcs4()) {
        if ((c >= 0x4E00 && c <= 0x9FFF) || (c >= 0x1F300 && c <= 0x1FAFF))
            columns += 2;
        else if (c != 0x0301)
            columns += 1;
    }
    return columns;
}

} // namespace

void TestCli::shouldNeverWriteTerminalControlsFromStoredData()
{
    REQUIRE_FIXTURES();
    const QString path = hostileCopy();
    QVERIFY(!path.isEmpty());
    const QString url = urlFor(path);

    const auto checkClean = [](const Run &run, const char *what) {
        QVERIFY2(run.exitCode == 0, qPrintable(QString::fromUtf8(run.err)));
        const qsizetype out = controlAt(run.out);
        QVERIFY2(out < 0, qPrintable(QStringLiteral("%1: control byte in stdout at %2: %3")
                                         .arg(QLatin1String(what)).arg(out)
                                         .arg(QString::fromLatin1(run.out.mid(std::max<qsizetype>(0, out - 20), 40).toPercentEncoding()))));
        QVERIFY2(controlAt(run.err) < 0, what);
    };

    // The table, piped: escaped as Python writes them, aligned in columns, the long status cut.
    Run run = stalk({QStringLiteral("list"), url, QStringLiteral("--limit"), QStringLiteral("7")});
    checkClean(run, "list");
    QString table = QString::fromUtf8(run.out);
    QVERIFY2(table.contains(QLatin1String("evil\\x1b]0;TITLE\\x07name")), qPrintable(table.left(2000)));
    QVERIFY2(table.contains(QLatin1String("FAIL\\x1b[2JURE")), qPrintable(table.left(2000)));
    QVERIFY2(table.contains(QLatin1String("nul\\x00bel\\x07del\\x7f\\x9bc1")), qPrintable(table.left(2000)));
    QStringList lines = table.split(u'\n', Qt::SkipEmptyParts);
    QCOMPARE(lines.size(), 8);
    int taskIdColumn = -1;
    for (const QString &line : std::as_const(lines)) {
        QVERIFY2(columnsOf(line) < 300, qPrintable(QStringLiteral("a line %1 columns wide").arg(columnsOf(line))));
        if (line.startsWith(QLatin1String("date_done")))
            continue;
        const int column = columnsOf(line.left(line.indexOf(QLatin1String(" t-")) + 1));
        if (taskIdColumn < 0)
            taskIdColumn = column;
        QVERIFY2(column == taskIdColumn, qPrintable(QStringLiteral("task_id at column %1, not %2: %3")
                                                        .arg(column).arg(taskIdColumn).arg(line)));
    }
    QVERIFY2(table.contains(QStringLiteral("SSSS…")), qPrintable(lines.value(1).left(200)));

    // On an 80-column terminal every line fits.
    {
        QProcess process;
        QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
        env.insert(QStringLiteral("COLUMNS"), QStringLiteral("80"));
        process.setProcessEnvironment(env);
        process.start(qEnvironmentVariable("STALK_BIN"), {QStringLiteral("list"), url, QStringLiteral("--limit"),
                                                          QStringLiteral("7")});
        QVERIFY(process.waitForFinished(60000));
        const QByteArray out = process.readAllStandardOutput();
        QVERIFY(controlAt(out) < 0);
        for (const QString &line : QString::fromUtf8(out).split(u'\n', Qt::SkipEmptyParts))
            QVERIFY2(columnsOf(line) <= 80, qPrintable(QStringLiteral("%1 columns: %2").arg(columnsOf(line)).arg(line)));
    }

    // stats and the purge summary.
    run = stalk({QStringLiteral("stats"), url});
    checkClean(run, "stats");
    table = QString::fromUtf8(run.out);
    QVERIFY2(table.contains(QLatin1String("clear\\x1b[2J")), qPrintable(table.left(3000)));
    for (const QString &line : table.split(u'\n'))
        QVERIFY2(columnsOf(line) < 300, qPrintable(QStringLiteral("a stats line %1 columns wide").arg(columnsOf(line))));
    run = stalk({QStringLiteral("purge"), url, QStringLiteral("--before"), QStringLiteral("2031-01-01"),
                 QStringLiteral("--dry-run")});
    checkClean(run, "purge --dry-run");
    QVERIFY2(run.out.contains("1 FAIL\\x1b[2JURE"), run.out.constData());
    QVERIFY2(run.out.size() < 2000, "the 100,000-character status is cut in the summary");

    // JSON keeps the exact data (JSON-escaped); CSV keeps it as stored.
    run = stalk({QStringLiteral("list"), url, QStringLiteral("--limit"), QStringLiteral("7"), QStringLiteral("--format"),
                 QStringLiteral("json")});
    QCOMPARE(run.exitCode, 0);
    QStringList names;
    for (const QJsonValue &row : QJsonDocument::fromJson(run.out).array())
        names << row.toObject().value(QStringLiteral("task_name")).toString();
    QVERIFY2(names.contains(QStringLiteral("evil\x1b]0;TITLE\x07name")), qPrintable(names.join(u'|')));
    run = stalk({QStringLiteral("list"), url, QStringLiteral("--limit"), QStringLiteral("7"), QStringLiteral("--format"),
                 QStringLiteral("csv")});
    QCOMPARE(run.exitCode, 0);
    QVERIFY(run.out.contains("evil\x1b]0;TITLE\x07name"));
}

void TestCli::shouldNeverWriteTerminalControlsFromCouchDocuments()
{
    REQUIRE_SERVER_URL(server, "STALK_COUCH_URL");
    // The documents as Celery's CouchBackend writes them: the meta as JSON text in "value".
    QJsonArray docs;
    for (const HostileRow &row : hostileRows()) {
        const QJsonObject meta{{"status", row.status},       {"task_id", row.taskId},        {"name", row.taskName},
                               {"date_done", "2025-01-01T00:00:00"}, {"result", QJsonValue()}, {"traceback", QJsonValue()},
                               {"children", QJsonArray()}};
        docs.append(QJsonObject{{"_id", QStringLiteral("celery-task-meta-") + row.taskId},
                                {"value", QString::fromUtf8(QJsonDocument(meta).toJson(QJsonDocument::Compact))}});
    }
    const QString database = QStringLiteral("stalk_hostile_%1").arg(QCoreApplication::applicationPid());
    const QString writer = QStringLiteral(R"(
import base64, json, sys, urllib.parse as up, urllib.request
url, db, action = sys.argv[1:4]
p = up.urlparse(url)
headers = {"Content-Type": "application/json"}
if p.username:
    headers["Authorization"] = "Basic " + base64.b64encode(
        (up.unquote(p.username) + ":" + up.unquote(p.password or "")).encode()).decode()
base = "%s://%s:%d/%s" % (p.scheme, p.hostname, p.port, db)
def call(method, path, body=None):
    urllib.request.urlopen(urllib.request.Request(base + path, data=body, method=method, headers=headers)).read()
if action == "create":
    call("PUT", "")
    call("POST", "/_bulk_docs", json.dumps({"docs": json.load(sys.stdin)}).encode())
else:
    call("DELETE", "")
)");
    const auto couch = [&](const QString &action, const QByteArray &input) {
        QProcess python;
        python.start(QStringLiteral("/usr/bin/python3"), {QStringLiteral("-c"), writer, server, database, action});
        python.write(input);
        python.closeWriteChannel();
        return python.waitForFinished(60000) && python.exitCode() == 0;
    };
    QVERIFY(couch(QStringLiteral("create"), QJsonDocument(docs).toJson()));
    const QString url = server + u'/' + database;
    const Run list = stalk({QStringLiteral("list"), url});
    const Run stats = stalk({QStringLiteral("stats"), url});
    const Run dryRun = stalk({QStringLiteral("purge"), url, QStringLiteral("--before"), QStringLiteral("2026-01-01"),
                              QStringLiteral("--dry-run")});
    QVERIFY(couch(QStringLiteral("delete"), {}));
    for (const Run *run : {&list, &stats, &dryRun}) {
        QVERIFY2(run->exitCode == 0, run->err.constData());
        QVERIFY2(controlAt(run->out) < 0 && controlAt(run->err) < 0, run->out.left(3000).constData());
    }
    QVERIFY2(list.out.contains("evil\\x1b]0;TITLE\\x07name"), list.out.left(3000).constData());
    QVERIFY2(stats.out.contains("clear\\x1b[2J"), stats.out.left(3000).constData());
    QVERIFY2(dryRun.out.contains("1 FAIL\\x1b[2JURE") && dryRun.out.size() < 2000, dryRun.out.left(3000).constData());
}

void TestCli::shouldEscapeStoredBytesInErrorSentences()
{
    REQUIRE_FIXTURES();
    // A damaged schema: the table's declared SQL holds terminal controls and binary bytes.
    m_dirs.push_back(std::make_unique<QTemporaryDir>());
    const QString path = m_dirs.back()->filePath(QStringLiteral("damaged.sqlite3"));
    {
        const TestSupport::SqliteConnection db(path);
        QVERIFY(db.isOpen());
        QCOMPARE(db.exec(QStringLiteral("CREATE TABLE django_celery_results_taskresult (id INTEGER PRIMARY KEY, "
                                        "task_id TEXT, status TEXT, result TEXT, date_done TEXT)")),
                 QString());
        QCOMPARE(db.exec(QStringLiteral("PRAGMA writable_schema = ON")), QString());
        QCOMPARE(db.exec(QStringLiteral("UPDATE sqlite_master SET sql = ? WHERE name = 'django_celery_results_taskresult'"),
                         {QStringLiteral("CREATE TABLE django_celery_results_taskresult (\x1b]0;TITLE\x07 \x01\x02\x9b")}),
                 QString());
    }
    const Run run = stalk({QStringLiteral("count"), urlFor(path)});
    QCOMPARE(run.exitCode, 1);
    QVERIFY2(controlAt(run.err) < 0, qPrintable(QString::fromLatin1(run.err.toPercentEncoding(" :/"))));
    QCOMPARE(run.err.count('\n'), 1);
    QVERIFY2(run.err.startsWith("stalk: "), run.err.constData());
}

void TestCli::shouldNeverPrintAPasswordOfAnUnreadableUrl_data()
{
    QTest::addColumn<QString>("url");
    QTest::newRow("port out of range") << QStringLiteral("postgresql://admin:S3cretPW@127.0.0.1:99999/db");
    QTest::newRow("malformed IPv6 host") << QStringLiteral("postgresql://admin:S3cretPW@[::1/db");
    QTest::newRow("text after an IPv6 host") << QStringLiteral("mysql://admin:S3cretPW@[::1]x/db");
    QTest::newRow("non-numeric CouchDB port") << QStringLiteral("couchdb://admin:S3cretPW@127.0.0.1:abc/db");
    QTest::newRow("unknown scheme") << QStringLiteral("foo://admin:S3cretPW@h/db");
    QTest::newRow("Celery prefix on CouchDB") << QStringLiteral("db+couchdb://admin:S3cretPW@h/db");
    QTest::newRow("SQLite with a host") << QStringLiteral("sqlite://u:S3cretPW@h/db");
    QTest::newRow("slash in the database") << QStringLiteral("mysql://admin:S3cretPW@127.0.0.1/a/b");
    QTest::newRow("nameless option") << QStringLiteral("postgresql://admin:S3cretPW@127.0.0.1:5432/db?=x");
    QTest::newRow("slash in the password") << QStringLiteral("postgresql://admin:S3c/retPW@127.0.0.1:5432/db");
    QTest::newRow("question mark in the password") << QStringLiteral("couchdb://admin:S3c?retPW@127.0.0.1/db");
    QTest::newRow("digits and a slash in the password") << QStringLiteral("couchdb://admin:123/S3cretPW@127.0.0.1/db");
}

void TestCli::shouldNeverPrintAPasswordOfAnUnreadableUrl()
{
    QFETCH(QString, url);
    for (const QString &command : {QStringLiteral("count"), QStringLiteral("list"), QStringLiteral("stats")}) {
        const Run run = stalk({command, url});
        QVERIFY2(run.exitCode == 1 || run.exitCode == 2, run.err.constData());
        QVERIFY2(!run.err.contains("S3c") && !run.err.contains("retPW"), run.err.constData());
        QVERIFY2(!run.out.contains("S3c"), run.out.constData());
        QVERIFY2(run.err.contains("***"), run.err.constData());
    }
}

// ------------------------------------------------------------------------------------------
// Server passwords

void TestCli::shouldDocumentWhereAPasswordMayComeFrom()
{
    const Run run = stalk({QStringLiteral("count"), QStringLiteral("--help")});
    QCOMPARE(run.exitCode, 0);
    const QString help = QString::fromUtf8(run.out).simplified();
    QVERIFY2(help.contains(QLatin1String("A password may come from the URL, from STALK_PASSWORD, or from a prompt")),
             run.out.constData());
    QVERIFY2(help.contains(QLatin1String("\"Password for USER@HOST:PORT:\"")), run.out.constData());
}

void TestCli::shouldPromptForAServerPasswordOnATerminal()
{
    QString url, password;
    REQUIRE_SERVER(&url, &password);
    const StoreUrl parsed = StoreUrl::parse(url).value();
    const QByteArray prompt = QStringLiteral("Password for %1@%2:%3: ").arg(parsed.user, parsed.host).arg(parsed.port).toUtf8();
    const Run run = stalkOnTerminalAnswering({QStringLiteral("count"), url}, prompt, password.toUtf8() + '\n');
    QVERIFY2(run.exitCode == 0, (run.out + run.err).constData());
    QVERIFY2(run.out.contains(prompt), run.out.constData());
    const QByteArray total = QByteArray::number(pgTotal());
    QVERIFY2(run.out.trimmed().endsWith("\n" + total) || run.out.trimmed().endsWith(" " + total), run.out.constData());
    // Echo was off: the password never reaches the screen.
    QVERIFY2(!run.out.contains(password.toUtf8()) && !run.err.contains(password.toUtf8()), run.out.constData());
}

void TestCli::shouldFailAfterAWrongPasswordOnATerminal()
{
    QString url, password;
    REQUIRE_SERVER(&url, &password);
    const QByteArray wrong = "not-the-password";
    const Run run = stalkOnTerminalAnswering({QStringLiteral("count"), url}, "Password for ", wrong + '\n');
    QVERIFY2(run.exitCode == 1, (run.out + run.err).constData());
    QVERIFY2(run.out.contains("authentication failed for user"), run.out.constData());
    QVERIFY2(run.out.count("Password for ") == 1, run.out.constData()); // one retry, not a loop
    QVERIFY2(!run.out.contains(wrong), run.out.constData());
}

void TestCli::shouldExplainHowToPassAPasswordWithoutATerminal()
{
    QString url, password;
    REQUIRE_SERVER(&url, &password);
    const Run run = stalk({QStringLiteral("count"), url}, {}, password.toUtf8() + '\n'); // a pipe is never read
    QCOMPARE(run.exitCode, 1);
    QVERIFY(run.out.isEmpty());
    const QString err = QString::fromUtf8(run.err);
    QVERIFY2(err.startsWith(QStringLiteral("stalk: cannot open %1: ").arg(url)) && err.count(u'\n') == 1, run.err.constData());
    QVERIFY2(err.contains(QLatin1String("standard input is not a terminal")), run.err.constData());
    QVERIFY2(err.contains(QLatin1String("put it in the URL")) && err.contains(QLatin1String("STALK_PASSWORD")),
             run.err.constData());
    QVERIFY(!err.contains(QLatin1String("Password for")));
}

void TestCli::shouldTakeThePasswordFromTheEnvironment()
{
    QString url, password;
    REQUIRE_SERVER(&url, &password);
    qputenv("STALK_PASSWORD", password.toUtf8());
    const Run run = stalk({QStringLiteral("count"), url});
    qunsetenv("STALK_PASSWORD");
    QVERIFY2(run.exitCode == 0, run.err.constData());
    QCOMPARE(run.out, QByteArray::number(pgTotal()) + '\n');
}

// ------------------------------------------------------------------------------------------
// Logging

namespace {

/// The lines of a log that do not come from a stalk.* category ("stalk.sql: …").
QList<QByteArray> foreignLogLines(const QByteArray &err)
{
    QList<QByteArray> foreign;
    for (const QByteArray &line : err.split('\n')) {
        if (!line.isEmpty() && !line.startsWith("stalk."))
            foreign << line;
    }
    return foreign;
}

} // namespace

void TestCli::shouldLogToStandardErrorOnlyWhenVerbose_data()
{
    QTest::addColumn<QStringList>("arguments");
    QTest::addColumn<QByteArrayList>("logged");
    const QString url = urlFor(m_fixtures + QStringLiteral("/django.sqlite3"));
    const QByteArray opened = "stalk.sql: opened SQLite ";
    QTest::newRow("count") << QStringList{QStringLiteral("count"), url, QStringLiteral("--status"), QStringLiteral("FAILURE")}
                           << QByteArrayList{opened, "stalk.sql: counting results ran in ", "stalk.sql: count: "};
    for (const QString &format : {QStringLiteral("csv"), QStringLiteral("json"), QStringLiteral("jsonl"), QStringLiteral("table")}) {
        QTest::addRow("list %s", qPrintable(format))
            << QStringList{QStringLiteral("list"), url, QStringLiteral("--limit"), QStringLiteral("0"),
                           QStringLiteral("--format"), format}
            << QByteArrayList{opened, "stalk.sql: reading results ran in ", "stalk.sql: page at 0, limit "};
    }
    QTest::newRow("stats json") << QStringList{QStringLiteral("stats"), url, QStringLiteral("--format"), QStringLiteral("json")}
                                << QByteArrayList{opened, "stalk.sql: counting status values ran in "};
    QTest::newRow("purge dry run") << QStringList{QStringLiteral("purge"), url, QStringLiteral("--before"),
                                                  QStringLiteral("2030-01-01"), QStringLiteral("--dry-run")}
                                   << QByteArrayList{opened, "stalk.sql: counting expired results ran in "};
    QTest::newRow("a failure") << QStringList{QStringLiteral("count"), urlFor(QStringLiteral("/nonexistent/x.sqlite3"))}
                               << QByteArrayList{"stalk.sql: cannot open SQLite /nonexistent/x.sqlite3 after "};
}

void TestCli::shouldLogToStandardErrorOnlyWhenVerbose()
{
    REQUIRE_FIXTURES();
    QFETCH(QStringList, arguments);
    QFETCH(QByteArrayList, logged);
    const Run quiet = stalk(arguments);
    // --verbose after the command, -v after the command, --verbose before it: one meaning.
    for (const QStringList &verboseArguments : {arguments + QStringList{QStringLiteral("--verbose")},
                                                arguments + QStringList{QStringLiteral("-v")},
                                                QStringList{QStringLiteral("--verbose")} + arguments}) {
        const Run verbose = stalk(verboseArguments);
        QCOMPARE(verbose.exitCode, quiet.exitCode);
        QCOMPARE(verbose.out, quiet.out); // byte for byte: the log never reaches stdout
        for (const QByteArray &line : logged)
            QVERIFY2(verbose.err.contains(line), (line + " not in:\n" + verbose.err).constData());
        // Besides the log, exactly what the quiet run said (a failure's one sentence).
        QByteArray said;
        for (const QByteArray &line : foreignLogLines(verbose.err))
            said += line + '\n';
        QCOMPARE(said, quiet.err);
    }
    QVERIFY2(!quiet.err.contains("stalk."), quiet.err.constData()); // off by default
}

void TestCli::shouldLogPurgeBatchesWithoutChangingTheOutput()
{
    REQUIRE_FIXTURES();
    const QStringList purge{QStringLiteral("--before"), QStringLiteral("2030-01-01"), QStringLiteral("--yes"),
                            QStringLiteral("--batch-size"), QStringLiteral("7")};
    const QString quietCopy = copyFixture(QStringLiteral("django.sqlite3"));
    const QString verboseCopy = copyFixture(QStringLiteral("django.sqlite3"));
    const Run quiet = stalk(QStringList{QStringLiteral("purge"), urlFor(quietCopy)} + purge);
    const Run verbose = stalk(QStringList{QStringLiteral("purge"), urlFor(verboseCopy), QStringLiteral("--verbose")} + purge);
    QVERIFY2(quiet.exitCode == 0, quiet.err.constData());
    QCOMPARE(verbose.exitCode, 0);
    QCOMPARE(verbose.out, quiet.out);
    QVERIFY2(quiet.out.startsWith("deleted ") && !quiet.out.startsWith("deleted 0 "), quiet.out.constData());
    QVERIFY2(quiet.err.isEmpty(), quiet.err.constData());
    QVERIFY2(foreignLogLines(verbose.err).isEmpty(), verbose.err.constData());
    // Every batch: its rows and its duration; then the total.
    QVERIFY2(verbose.err.contains("stalk.purge: batch 1 of up to 7 rows: 7 results, 0 groups deleted in "),
             verbose.err.constData());
    QVERIFY2(verbose.err.contains("stalk.purge: batch 2 of up to 7 rows: "), verbose.err.constData());
    QVERIFY2(verbose.err.contains("stalk.purge: finished: "), verbose.err.constData());
    QVERIFY2(verbose.err.contains("stalk.sql: deleting"), verbose.err.constData());
    QCOMPARE(taskIdsInDb(verboseCopy), taskIdsInDb(quietCopy));
}

void TestCli::shouldLogOneAreaWithLoggingRules()
{
    REQUIRE_FIXTURES();
    const QString copy = copyFixture(QStringLiteral("django.sqlite3"));
    qputenv("QT_LOGGING_RULES", "stalk.purge=true");
    const Run purgeOnly = stalk({QStringLiteral("purge"), urlFor(copy), QStringLiteral("--before"),
                                 QStringLiteral("2030-01-01"), QStringLiteral("--yes")});
    // The environment's rules win over --verbose: one area silenced.
    qputenv("QT_LOGGING_RULES", "stalk.sql=false");
    const Run withoutSql = stalk({QStringLiteral("count"), urlFor(copy), QStringLiteral("--verbose")});
    qunsetenv("QT_LOGGING_RULES");
    const Run quiet = stalk({QStringLiteral("count"), urlFor(copy)});
    QCOMPARE(purgeOnly.exitCode, 0);
    QVERIFY2(purgeOnly.err.contains("stalk.purge: batch 1 "), purgeOnly.err.constData());
    QVERIFY2(!purgeOnly.err.contains("stalk.sql"), purgeOnly.err.constData());
    QVERIFY2(foreignLogLines(purgeOnly.err).isEmpty(), purgeOnly.err.constData());
    QCOMPARE(withoutSql.exitCode, 0);
    QCOMPARE(withoutSql.out, quiet.out);
    QVERIFY2(withoutSql.err.isEmpty(), withoutSql.err.constData());
}

void TestCli::shouldNeverLogAServerPassword_data()
{
    QTest::addColumn<QString>("variable");
    QTest::addColumn<QString>("path"); ///< appended to the server's URL
    QTest::addColumn<QByteArrayList>("logged");
    QTest::newRow("PostgreSQL") << "STALK_PG_URL" << QString()
                                << QByteArrayList{"stalk.sql: opened PostgreSQL ", "stalk.sql: count: "};
    // A database that is not there: the request is logged all the same.
    QTest::newRow("CouchDB") << "STALK_COUCH_URL" << "/stalk_no_such_db"
                             << QByteArrayList{"stalk.couch: GET http://127.0.0.1:", "-> 404, "};
    QTest::newRow("Redis") << "STALK_REDIS_URL" << "/0"
                           << QByteArrayList{"stalk.redis: connected to 127.0.0.1:", " AUTH, PING -> 2 replies in "};
}

void TestCli::shouldNeverLogAServerPassword()
{
    QFETCH(QString, variable);
    QFETCH(QString, path);
    QFETCH(QByteArrayList, logged);
    REQUIRE_SERVER_URL(url, variable);
    const Outcome<StoreUrl> server = StoreUrl::parse(url);
    QVERIFY(server.ok());
    const QByteArray password = server->password.toUtf8();
    QVERIFY(!password.isEmpty());
    const Run opened = stalk({QStringLiteral("count"), url + path, QStringLiteral("--verbose")});
    for (const QByteArray &line : logged)
        QVERIFY2(opened.err.contains(line), (line + " not in:\n" + opened.err).constData());
    QVERIFY2(!opened.err.contains(password), opened.err.constData());

    // Refused: the log says so, without the password tried.
    const QByteArray wrong = "wrong-" + password;
    QString wrongUrl = url + path;
    wrongUrl.replace(QString::fromUtf8(password), QString::fromUtf8(wrong));
    const Run refused = stalk({QStringLiteral("count"), wrongUrl, QStringLiteral("--verbose")});
    QCOMPARE(refused.exitCode, 1);
    QVERIFY2(refused.err.contains("stalk."), refused.err.constData());
    QVERIFY2(!refused.err.contains(password), refused.err.constData());
}

// ------------------------------------------------------------------------------------------
// A server that drops the connection mid-operation

void TestCli::shouldSayOneSentenceWhenTheServerDropsMidPurge_data()
{
    QTest::addColumn<QString>("variable");
    QTest::newRow("PostgreSQL") << "STALK_PG_URL";
    QTest::newRow("MariaDB") << "STALK_MYSQL_URL";
}

void TestCli::shouldSayOneSentenceWhenTheServerDropsMidPurge()
{
    QFETCH(QString, variable);
    REQUIRE_SERVER_URL(url, variable);
    const Outcome<StoreUrl> server = StoreUrl::parse(url);
    QVERIFY(server.ok());
    const bool postgres = server->scheme == StoreUrl::Scheme::PostgreSql;
    const QString holderName = QStringLiteral("tst_cli-holder");
    const QString killerName = QStringLiteral("tst_cli-killer");
    {
        QSqlDatabase holder = TestSupport::serverConnection(*server, server->database, holderName);
        QSqlDatabase killer = TestSupport::serverConnection(*server, server->database, killerName);
        QVERIFY2(holder.open() && killer.open(), qPrintable(holder.lastError().text()));
        // A private copy of the results, so that nothing the other suites count is touched.
        const QString table = QStringLiteral("stalk_drop_%1").arg(QCoreApplication::applicationPid());
        QSqlQuery h(holder);
        QSqlQuery k(killer);
        if (postgres)
            h.exec(QStringLiteral("SET client_min_messages = warning")); // no NOTICE for the DROP below
        h.exec(QStringLiteral("DROP TABLE IF EXISTS %1").arg(table));
        QVERIFY2(h.exec(postgres ? QStringLiteral("CREATE TABLE %1 (LIKE django_celery_results_taskresult INCLUDING ALL)").arg(table)
                                 : QStringLiteral("CREATE TABLE %1 LIKE django_celery_results_taskresult").arg(table)),
                 qPrintable(h.lastError().text()));
        QVERIFY2(h.exec(QStringLiteral("INSERT INTO %1 SELECT * FROM django_celery_results_taskresult").arg(table)),
                 qPrintable(h.lastError().text()));
        // Reads go on, the purge's first DELETE waits for the lock; then its connection is killed.
        if (postgres) {
            QVERIFY(h.exec(QStringLiteral("BEGIN")));
            QVERIFY(h.exec(QStringLiteral("LOCK TABLE %1 IN SHARE MODE").arg(table)));
        } else {
            QVERIFY(h.exec(QStringLiteral("LOCK TABLES %1 READ").arg(table)));
        }
        QProcess process;
        process.start(qEnvironmentVariable("STALK_BIN"),
                      {QStringLiteral("purge"), url + (url.contains(u'?') ? u'&' : u'?') + QStringLiteral("table=") + table,
                       QStringLiteral("--before"), QStringLiteral("2025-02-01"),
                       // Narrowed, so that the purge leaves the shared group table alone.
                       QStringLiteral("--status"), QStringLiteral("SUCCESS"), QStringLiteral("--yes")});
        QVERIFY(process.waitForStarted(30000));
        const QString waiting = postgres
            ? QStringLiteral("SELECT pid FROM pg_stat_activity WHERE application_name = 'stalk' AND wait_event_type = 'Lock'")
            : QStringLiteral("SELECT id FROM information_schema.processlist WHERE state LIKE '%%lock%%' AND info LIKE '%%%1%%'")
                  .arg(table);
        qint64 session = 0;
        for (int i = 0; i < 300 && session == 0 && process.state() == QProcess::Running; ++i) {
            QVERIFY2(k.exec(waiting), qPrintable(k.lastError().text()));
            if (k.next())
                session = k.value(0).toLongLong();
            else
                QTest::qWait(100);
        }
        QVERIFY2(session > 0, "the purge never waited for the lock");
        QVERIFY2(k.exec(postgres ? QStringLiteral("SELECT pg_terminate_backend(%1)").arg(session)
                                 : QStringLiteral("KILL %1").arg(session)),
                 qPrintable(k.lastError().text()));
        QVERIFY(process.waitForFinished(60000));
        h.exec(postgres ? QStringLiteral("ROLLBACK") : QStringLiteral("UNLOCK TABLES"));
        h.exec(QStringLiteral("DROP TABLE IF EXISTS %1").arg(table));

        QCOMPARE(process.exitCode(), 1);
        const QByteArray err = process.readAllStandardError();
        QVERIFY2(err.count('\n') == 1 && err.startsWith("stalk: purge of ") && err.endsWith("expired results deleted)\n"),
                 err.constData());
        QVERIFY2(!err.contains("()"), err.constData());
        QVERIFY2(err.contains("connection to"), err.constData());
        QCOMPARE(process.readAllStandardOutput(), QByteArray("deleted 0 results (and 0 groups)\n"));
    }
    QSqlDatabase::removeDatabase(holderName);
    QSqlDatabase::removeDatabase(killerName);
}

void TestCli::shouldKeepTheServersWarningsOffStandardError()
{
    // PostgreSQL sends warnings outside any error ("WARNING: terminating connection because of
    // crash of another server process" when a backend dies); libpq prints them on stderr
    // unless told otherwise. A trigger raising a WARNING on every deleted row stands in for it.
    REQUIRE_SERVER_URL(url, "STALK_PG_URL");
    const Outcome<StoreUrl> server = StoreUrl::parse(url);
    QVERIFY(server.ok());
    const QString name = QStringLiteral("tst_cli-warnings");
    {
        QSqlDatabase db = TestSupport::serverConnection(*server, server->database, name);
        QVERIFY2(db.open(), qPrintable(db.lastError().text()));
        const QString table = QStringLiteral("stalk_warn_%1").arg(QCoreApplication::applicationPid());
        QSqlQuery q(db);
        q.exec(QStringLiteral("SET client_min_messages = error"));
        q.exec(QStringLiteral("DROP TABLE IF EXISTS %1").arg(table));
        for (const QString &sql :
             {QStringLiteral("CREATE TABLE %1 (LIKE django_celery_results_taskresult INCLUDING ALL)"),
              QStringLiteral("INSERT INTO %1 SELECT * FROM django_celery_results_taskresult"),
              QStringLiteral("CREATE OR REPLACE FUNCTION %1_warn() RETURNS trigger LANGUAGE plpgsql AS "
                             "$$ BEGIN RAISE WARNING 'a server warning'; RETURN OLD; END $$"),
              QStringLiteral("CREATE TRIGGER %1_warn BEFORE DELETE ON %1 FOR EACH ROW EXECUTE FUNCTION %1_warn()")}) {
            QVERIFY2(q.exec(sql.arg(table)), qPrintable(q.lastError().text()));
        }
        const auto groupCount = [&q] {
            return q.exec(QStringLiteral("SELECT COUNT(*) FROM django_celery_results_groupresult")) && q.next()
                ? q.value(0).toLongLong() : -1;
        };
        const qint64 groupsBefore = groupCount();
        QVERIFY(groupsBefore > 0);
        const Run run = stalk({QStringLiteral("purge"), url + (url.contains(u'?') ? u'&' : u'?') + QStringLiteral("table=") + table,
                               QStringLiteral("--before"), QStringLiteral("2030-01-01"),
                               // Narrowed, so that the purge leaves the shared group table alone.
                               QStringLiteral("--status"), QStringLiteral("SUCCESS"), QStringLiteral("--yes")});
        q.exec(QStringLiteral("DROP TABLE IF EXISTS %1").arg(table));
        q.exec(QStringLiteral("DROP FUNCTION IF EXISTS %1_warn()").arg(table));
        QVERIFY2(run.exitCode == 0, run.err.constData());
        QVERIFY2(run.err.isEmpty(), run.err.constData());
        QVERIFY2(run.out.startsWith("deleted ") && !run.out.startsWith("deleted 0 "), run.out.constData());
        QCOMPARE(groupCount(), groupsBefore);
    }
    QSqlDatabase::removeDatabase(name);
}

void TestCli::shouldReadAndPurgeSeveralMemcachedServersLikeUpstream()
{
    // The multimemcached set: real workers of Celery's cache backend wrote it through pylibmc
    // over two servers (cache+memcached://S2;S3/), which spread the keys by hash; upstream's
    // own reading gave the expectations. Every key of both servers is put back at the end.
    REQUIRE_SERVER_URL(multi, "STALK_MEMCACHED_MULTI_URL");
    const QJsonObject set = TestSupport::jsonObjectOfFileIn("STALK_MEMCACHED_EXPECTATIONS").value(QLatin1String("multimemcached")).toObject();
    const QJsonArray celery = set.value(QLatin1String("celery")).toArray();
    QVERIFY2(celery.size() > 10, "STALK_MEMCACHED_EXPECTATIONS should hold the multimemcached data set");
    const Outcome<StoreUrl> parsed = StoreUrl::parse(multi);
    QVERIFY(parsed.ok() && parsed->servers.size() == 2);
    QVector<int> ports;
    QMap<int, QVector<MemcachedSnapshot::Key>> saved;
    for (const StoreUrl::Server &server : parsed->servers) {
        ports.append(server.port);
        saved.insert(server.port, MemcachedSnapshot::take(server.port));
    }
    auto restore = qScopeGuard([&saved] {
        for (auto it = saved.cbegin(); it != saved.cend(); ++it)
            MemcachedSnapshot::restore(it.key(), it.value());
    });
    const QString url = QStringLiteral("cache+memcached://%1/?keyprefix=").arg(multi.mid(qstrlen("memcached://")));
    const qint64 total = celery.size();

    Run run = stalk({QStringLiteral("count"), url});
    QVERIFY2(run.exitCode == 0, run.err.constData());
    QCOMPARE(run.out.trimmed().toLongLong(), total);
    run = stalk({QStringLiteral("count"), url, QStringLiteral("--status"), QStringLiteral("FAILURE")});
    QCOMPARE(run.out.trimmed().toLongLong(),
             qint64(set.value(QLatin1String("counts")).toObject().value(QLatin1String("status")).toObject().value(QLatin1String("FAILURE")).toInt()));
    run = stalk({QStringLiteral("list"), url, QStringLiteral("--limit"), QStringLiteral("0"), QStringLiteral("--format"), QStringLiteral("jsonl")});
    QVERIFY2(run.exitCode == 0, run.err.constData());
    QSet<QString> listed, expected;
    for (const QByteArray &line : run.out.split('\n')) {
        if (!line.isEmpty())
            listed.insert(QJsonDocument::fromJson(line).object().value(QLatin1String("task_id")).toString());
    }
    QSet<QString> homes;
    for (const QJsonValue &v : celery) {
        expected.insert(v.toObject().value(QLatin1String("task_id")).toString());
        homes.insert(v.toObject().value(QLatin1String("server")).toString());
    }
    QCOMPARE(listed, expected);
    QCOMPARE(homes.size(), 2); // the keys are spread over both servers
    // show: one result of each server, as upstream read it.
    QSet<QString> shownFrom;
    for (const QJsonValue &v : celery) {
        const QJsonObject e = v.toObject();
        if (shownFrom.contains(e.value(QLatin1String("server")).toString()))
            continue;
        shownFrom.insert(e.value(QLatin1String("server")).toString());
        run = stalk({QStringLiteral("show"), url, e.value(QLatin1String("task_id")).toString()});
        QVERIFY2(run.exitCode == 0, run.err.constData());
        QCOMPARE(QJsonDocument::fromJson(run.out).object().value(QLatin1String("status")).toString(), e.value(QLatin1String("status")).toString());
    }

    // purge: the dry run counts what upstream's rule expires, the real one deletes exactly that.
    QStringList expired;
    for (const QJsonValue &v : set.value(QLatin1String("expired")).toArray()) {
        if (v.toObject().value(QLatin1String("cutoff")).toString() == u"2025-02-01T00:00:00Z")
            expired = TestSupport::stringsOf(v.toObject().value(QLatin1String("task_ids")).toArray());
    }
    QVERIFY(expired.size() >= 3);
    run = stalk({QStringLiteral("purge"), url, QStringLiteral("--before"), QStringLiteral("2025-02-01"), QStringLiteral("--dry-run")});
    QVERIFY2(run.exitCode == 0, run.err.constData());
    QVERIFY2(run.out.startsWith(QStringLiteral("%1 results would be deleted").arg(expired.size()).toUtf8()), run.out.constData());
    QCOMPARE(stalk({QStringLiteral("count"), url}).out.trimmed().toLongLong(), total);
    run = stalk({QStringLiteral("purge"), url, QStringLiteral("--before"), QStringLiteral("2025-02-01"), QStringLiteral("--yes")});
    QVERIFY2(run.exitCode == 0, run.err.constData());
    QCOMPARE(run.out.trimmed(), QStringLiteral("deleted %1 results (and 0 groups)").arg(expired.size()).toUtf8());
    QCOMPARE(stalk({QStringLiteral("count"), url}).out.trimmed().toLongLong(), total - expired.size());
    for (const QJsonValue &v : celery) {
        const QJsonObject e = v.toObject();
        const QString id = e.value(QLatin1String("task_id")).toString();
        const int home = e.value(QLatin1String("server")).toString().section(u':', 1).toInt();
        QCOMPARE(MemcachedSnapshot::exists(home, QStringLiteral("celery-task-meta-") + id), !expired.contains(id));
    }

    // A server down among several: status 1, one sentence naming it, nothing counted.
    const QString down = QStringLiteral("memcached://127.0.0.1:%1;127.0.0.1:1").arg(ports.constFirst());
    run = stalk({QStringLiteral("count"), down});
    QCOMPARE(run.exitCode, 1);
    QVERIFY2(run.out.isEmpty() && run.err.count('\n') == 1 && run.err.contains("memcached at 127.0.0.1:1 ")
                 && run.err.contains("one of the 2 memcached servers"),
             run.err.constData());
}

QTEST_GUILESS_MAIN(TestCli)
#include "tst_cli.moc"
