#include <QTest>

#include "aggregates.h"
#include "querycommand.h"
#include "taskquery.h"
#include "valuedecoder.h"

#include <QProcess>

/// TaskQuery: the admin's search splitting, "unfiltered" and equality.
class TestTaskQuery final : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void shouldSplitSearchLikeDjangoAdmin_data();
    void shouldSplitSearchLikeDjangoAdmin();
    void shouldBeUnfilteredOnlyWithoutNarrowing_data();
    void shouldBeUnfilteredOnlyWithoutNarrowing();
    void shouldTellNullFromEmptyInFilterLists();
    void shouldCompareEveryField();
    void shouldDeleteByFilterExactlyWhatTheQueryMatches();
    void shouldNarrowAPurgeBySearchAndException();
    void shouldSelectResultsPastTheirCacheExpiryAsDjango_data();
    void shouldSelectResultsPastTheirCacheExpiryAsDjango();
    void shouldWriteTheQueryAsCommandLineFilters();
    void shouldMatchAnExceptionByNameAndFingerprint();
    void shouldQuoteWordsSoAShellGivesThemBack();
};

void TestTaskQuery::shouldSplitSearchLikeDjangoAdmin_data()
{
    QTest::addColumn<QString>("search");
    QTest::addColumn<QStringList>("terms");

    // Expected values were computed with Django 3.2 (Debian 12) while writing this table:
    //   /usr/bin/python3 -c 'from django.utils.text import smart_split, unescape_string_literal
    //   ...' — for bit in smart_split(s): if bit.startswith(("\"", "'")) and bit[0] == bit[-1]:
    //   bit = unescape_string_literal(bit)
    // exactly as ModelAdmin.get_search_results() does (django/contrib/admin/options.py).
    // Python's \s is Unicode-aware, hence the no-break/em/ideographic space rows.
    QTest::newRow("empty") << QString() << QStringList{};
    QTest::newRow("spaces") << QStringLiteral("   ") << QStringList{};
    QTest::newRow("single") << QStringLiteral("add") << QStringList{QStringLiteral("add")};
    QTest::newRow("twoWords") << QStringLiteral("add SUCCESS")
                              << QStringList{QStringLiteral("add"), QStringLiteral("SUCCESS")};
    QTest::newRow("extraWhitespace") << QStringLiteral("  add \t SUCCESS\n ")
                                     << QStringList{QStringLiteral("add"), QStringLiteral("SUCCESS")};
    QTest::newRow("doubleQuoted") << QStringLiteral("\"tasks add\" x")
                                  << QStringList{QStringLiteral("tasks add"), QStringLiteral("x")};
    QTest::newRow("singleQuoted") << QStringLiteral("'tasks add' x")
                                  << QStringList{QStringLiteral("tasks add"), QStringLiteral("x")};
    QTest::newRow("escapedQuoteInside") << QStringLiteral(R"("a \"b\" c")") << QStringList{QStringLiteral(R"(a "b" c)")};
    QTest::newRow("escapedBackslash") << QStringLiteral(R"("a\\b")") << QStringList{QStringLiteral(R"(a\b)")};
    QTest::newRow("apostropheInDouble") << QStringLiteral("\"person's\" test")
                                        << QStringList{QStringLiteral("person's"), QStringLiteral("test")};
    QTest::newRow("escapedApostrophe") << QStringLiteral(R"('person\'s' test)")
                                       << QStringList{QStringLiteral("person's"), QStringLiteral("test")};
    QTest::newRow("quoteMidWord") << QStringLiteral("key=\"a b\"c") << QStringList{QStringLiteral("key=\"a b\"c")};
    QTest::newRow("unbalancedQuote") << QStringLiteral("\"abc def")
                                     << QStringList{QStringLiteral("\"abc"), QStringLiteral("def")};
    QTest::newRow("loneQuote") << QStringLiteral("\"") << QStringList{QString(QLatin1String(""))};
    QTest::newRow("emptyQuotes") << QStringLiteral("\"\"") << QStringList{QString(QLatin1String(""))};
    QTest::newRow("mixedQuotes") << QStringLiteral("\"it's\" 'say \"hi\"' ")
                                 << QStringList{QStringLiteral("it's"), QStringLiteral("say \"hi\"")};
    QTest::newRow("unicode") << QStringLiteral("Zoë 🎉") << QStringList{QStringLiteral("Zoë"), QStringLiteral("🎉")};
    QTest::newRow("quotedUnicode") << QStringLiteral("\"Zoë ünï\"") << QStringList{QStringLiteral("Zoë ünï")};
    QTest::newRow("noSpecialCharacters") << QStringLiteral("50% [x] _y_")
                                         << QStringList{QStringLiteral("50%"), QStringLiteral("[x]"), QStringLiteral("_y_")};
    QTest::newRow("backslashUnquoted") << QStringLiteral(R"(a\b c\\d)")
                                       << QStringList{QStringLiteral(R"(a\b)"), QStringLiteral(R"(c\\d)")};
    QTest::newRow("adjacentQuoted") << QStringLiteral("\"a b\"\"c d\"") << QStringList{QStringLiteral("a b\"\"c d")};
    QTest::newRow("tabInQuotes") << QStringLiteral("\"a\tb\"") << QStringList{QStringLiteral("a\tb")};
    QTest::newRow("noBreakSpace") << QStringLiteral("a\u00a0b") << QStringList{QStringLiteral("a"), QStringLiteral("b")};
    QTest::newRow("emSpace") << QStringLiteral("a\u2003b") << QStringList{QStringLiteral("a"), QStringLiteral("b")};
    QTest::newRow("ideographicSpace") << QStringLiteral("x\u3000y") << QStringList{QStringLiteral("x"), QStringLiteral("y")};
}

void TestTaskQuery::shouldSplitSearchLikeDjangoAdmin()
{
    QFETCH(QString, search);
    QFETCH(QStringList, terms);
    TaskQuery query;
    query.search = search;
    QCOMPARE(query.searchTerms(), terms);
}

void TestTaskQuery::shouldBeUnfilteredOnlyWithoutNarrowing_data()
{
    QTest::addColumn<TaskQuery>("query");
    QTest::addColumn<bool>("unfiltered");

    const TaskQuery plain;
    QTest::newRow("default") << plain << true;
    {
        TaskQuery q;
        q.search = QStringLiteral("  \t ");
        QTest::newRow("whitespaceSearch") << q << true;
    }
    {
        TaskQuery q;
        q.sortField = Field::TaskName;
        q.sortOrder = Qt::AscendingOrder;
        QTest::newRow("sortOnly") << q << true;
    }
    {
        TaskQuery q;
        q.search = QStringLiteral("add");
        QTest::newRow("search") << q << false;
    }
    {
        TaskQuery q;
        q.statuses = QStringList{QStringLiteral("SUCCESS")};
        QTest::newRow("status") << q << false;
    }
    {
        TaskQuery q;
        q.taskNames = QStringList{QString()};
        QTest::newRow("nullTaskName") << q << false;
    }
    {
        TaskQuery q;
        q.workers = QStringList{QStringLiteral("w1")};
        QTest::newRow("worker") << q << false;
    }
    {
        TaskQuery q;
        q.periodicTaskNames = QStringList{QStringLiteral("nightly")};
        QTest::newRow("periodic") << q << false;
    }
    {
        TaskQuery q;
        q.exceptions = QStringList{QStringLiteral("ValueError")};
        QTest::newRow("exception") << q << false;
    }
    {
        TaskQuery q;
        q.doneAfter = QDateTime(QDate(2025, 1, 1), QTime(0, 0), Qt::UTC);
        QTest::newRow("doneAfter") << q << false;
    }
    {
        TaskQuery q;
        q.doneBefore = QDateTime(QDate(2025, 1, 1), QTime(0, 0), Qt::UTC);
        QTest::newRow("doneBefore") << q << false;
    }
}

void TestTaskQuery::shouldBeUnfilteredOnlyWithoutNarrowing()
{
    QFETCH(TaskQuery, query);
    QFETCH(bool, unfiltered);
    QCOMPARE(query.isUnfiltered(), unfiltered);
}

void TestTaskQuery::shouldTellNullFromEmptyInFilterLists()
{
    TaskQuery withNull;
    withNull.taskNames = QStringList{QString()};
    TaskQuery withEmpty;
    withEmpty.taskNames = QStringList{QString(QLatin1String(""))};
    QVERIFY(withNull.taskNames.first().isNull());
    QVERIFY(!withEmpty.taskNames.first().isNull());
    QVERIFY(withNull != withEmpty);
    QVERIFY(!(withNull == withEmpty));
    QVERIFY(withNull == withNull);

    TaskQuery a;
    TaskQuery b;
    a.workers = QStringList{QString(), QStringLiteral("w1")};
    b.workers = QStringList{QString(QLatin1String("")), QStringLiteral("w1")};
    QVERIFY(a != b);
    b.workers = QStringList{QString(), QStringLiteral("w1")};
    QCOMPARE(a, b);

    a.statuses = QStringList{QString()};
    b.statuses = QStringList{QLatin1String("")};
    QVERIFY(a != b);
    a.statuses.clear();
    b.statuses.clear();
    a.periodicTaskNames = QStringList{QString()};
    b.periodicTaskNames = QStringList{QLatin1String("")};
    QVERIFY(a != b);
}

void TestTaskQuery::shouldCompareEveryField()
{
    const TaskQuery base;
    QCOMPARE(base, TaskQuery());
    QVector<TaskQuery> changed(11, base);
    changed[0].search = QStringLiteral("x");
    changed[1].taskNames = QStringList{QStringLiteral("t")};
    changed[2].statuses = QStringList{QStringLiteral("SUCCESS")};
    changed[3].workers = QStringList{QStringLiteral("w")};
    changed[4].periodicTaskNames = QStringList{QStringLiteral("p")};
    changed[5].doneAfter = QDateTime(QDate(2025, 2, 1), QTime(0, 0), Qt::UTC);
    changed[6].doneBefore = QDateTime(QDate(2025, 2, 1), QTime(0, 0), Qt::UTC);
    changed[7].sortField = Field::Status;
    changed[8].sortOrder = Qt::AscendingOrder;
    changed[9].exceptions = QStringList{QStringLiteral("ValueError")};
    changed[10].fingerprints = QStringList{QStringLiteral("<str>")};
    for (int i = 0; i < changed.size(); ++i) {
        QVERIFY2(changed[i] != base, qPrintable(QString::number(i)));
        QVERIFY2(!(changed[i] == base), qPrintable(QString::number(i)));
        QCOMPARE(changed[i], changed[i]);
    }
}

void TestTaskQuery::shouldDeleteByFilterExactlyWhatTheQueryMatches()
{
    const QDateTime bound(QDate(2025, 3, 1), QTime(12, 0), Qt::UTC);
    TaskQuery query;
    query.statuses = QStringList{QStringLiteral("FAILURE"), QString()};
    query.taskNames = QStringList{QStringLiteral("tasks.add")};
    query.sortField = Field::Status; // the order does not narrow
    Outcome<PurgeCriteria> criteria = purgeCriteriaFor(query, bound);
    QVERIFY(criteria.ok());
    QCOMPARE(criteria->cutoff, bound);
    QCOMPARE(criteria->statuses, query.statuses);
    QVERIFY(criteria->statuses.at(1).isNull()); // NULL stays NULL
    QCOMPARE(criteria->taskNames, query.taskNames);
    QVERIFY(!criteria->includesGroups());
    const QDateTime done(QDate(2025, 2, 1), QTime(0, 0), Qt::UTC);
    const QString w1 = QStringLiteral("w1");
    QVERIFY(criteria->matches(done, QStringLiteral("FAILURE"), QStringLiteral("tasks.add"), w1, QString()));
    QVERIFY(!criteria->matches(done, QStringLiteral("SUCCESS"), QStringLiteral("tasks.add"), w1, QString()));
    QVERIFY(!criteria->matches(bound.addSecs(1), QStringLiteral("FAILURE"), QStringLiteral("tasks.add"), w1, QString()));
    QVERIFY(!criteria->matches(QDateTime(), QStringLiteral("FAILURE"), QStringLiteral("tasks.add"), w1, QString())); // still running

    // Workers, periodic task names and a "done after" date narrow it too (NULL stays NULL).
    TaskQuery further = query;
    further.workers = QStringList{w1, QString()};
    further.periodicTaskNames = QStringList{QLatin1String("")};
    further.doneAfter = done.addDays(-1);
    criteria = purgeCriteriaFor(further, bound);
    QVERIFY(criteria.ok());
    QCOMPARE(criteria->workers, further.workers);
    QVERIFY(criteria->workers.at(1).isNull());
    QCOMPARE(criteria->periodicTaskNames, further.periodicTaskNames);
    QCOMPARE(criteria->doneAfter, further.doneAfter);
    QVERIFY(criteria->isNarrowed() && !criteria->includesGroups());
    const QString none = QLatin1String("");
    QVERIFY(criteria->matches(done, QStringLiteral("FAILURE"), QStringLiteral("tasks.add"), w1, none));
    QVERIFY(criteria->matches(done, QStringLiteral("FAILURE"), QStringLiteral("tasks.add"), QString(), none));
    QVERIFY(!criteria->matches(done, QStringLiteral("FAILURE"), QStringLiteral("tasks.add"), QStringLiteral("w2"), none));
    QVERIFY(!criteria->matches(done, QStringLiteral("FAILURE"), QStringLiteral("tasks.add"), w1, QString()));
    QVERIFY(!criteria->matches(done, QStringLiteral("FAILURE"), QStringLiteral("tasks.add"), w1, QStringLiteral("nightly")));
    QVERIFY(criteria->matches(further.doneAfter, QStringLiteral("FAILURE"), QStringLiteral("tasks.add"), w1, none));
    QVERIFY(!criteria->matches(further.doneAfter.addMSecs(-1), QStringLiteral("FAILURE"), QStringLiteral("tasks.add"), w1, none));

    // An earlier "done before" lowers the bound; a later one leaves it.
    query.doneBefore = done;
    QCOMPARE(purgeCriteriaFor(query, bound)->cutoff, done);
    query.doneBefore = bound.addDays(1);
    QCOMPARE(purgeCriteriaFor(query, bound)->cutoff, bound);

    // Nothing narrowed: every finished result, and still no group results.
    criteria = purgeCriteriaFor(TaskQuery(), bound);
    QVERIFY(criteria.ok());
    QVERIFY(!criteria->isNarrowed());
    QVERIFY(!criteria->includesGroups());
}

void TestTaskQuery::shouldNarrowAPurgeBySearchAndException()
{
    const QDateTime bound(QDate(2025, 3, 1), QTime(12, 0), Qt::UTC);
    TaskQuery query;
    query.search = QStringLiteral("charge \"card declined\"");
    query.exceptions = QStringList{QStringLiteral("ValueError"), QStringLiteral("proj.billing.Declined")};
    const Outcome<PurgeCriteria> criteria = purgeCriteriaFor(query, bound);
    QVERIFY(criteria.ok());
    QCOMPARE(criteria->searchTerms(), query.searchTerms());
    QCOMPARE(criteria->searchTerms(), (QStringList{QStringLiteral("charge"), QStringLiteral("card declined")}));
    QCOMPARE(criteria->exceptions, query.exceptions);
    QVERIFY(criteria->isNarrowed() && !criteria->includesGroups());
    TaskQuery fingerprintOnly;
    fingerprintOnly.fingerprints = QStringList{QStringLiteral("")};
    QVERIFY(!fingerprintOnly.isUnfiltered());
    QCOMPARE(purgeCriteriaFor(fingerprintOnly, bound)->fingerprints, fingerprintOnly.fingerprints);
    QVERIFY(purgeCriteriaFor(fingerprintOnly, bound)->isNarrowed());

    // Each narrows alone; blanks are no search.
    TaskQuery searchOnly;
    searchOnly.search = QStringLiteral("timeout");
    QVERIFY(purgeCriteriaFor(searchOnly, bound)->isNarrowed());
    TaskQuery blank;
    blank.search = QStringLiteral("  \t ");
    QVERIFY(!purgeCriteriaFor(blank, bound)->isNarrowed());

    // A search no store runs is refused with the store's own sentence.
    TaskQuery tooMany;
    QStringList words;
    for (int i = 0; i <= TaskQuery::maxSearchTerms; ++i)
        words << QStringLiteral("w%1").arg(i);
    tooMany.search = words.join(u' ');
    const Outcome<PurgeCriteria> refused = purgeCriteriaFor(tooMany, bound);
    QVERIFY(!refused.ok());
    QCOMPARE(refused.error().message, tooMany.searchError().message);
}

void TestTaskQuery::shouldWriteTheQueryAsCommandLineFilters()
{
    QCOMPARE(QueryCommand::filterArguments(TaskQuery()), QStringList());
    TaskQuery query;
    query.search = QStringLiteral("charge \"hello world\"");
    query.statuses = {QStringLiteral("FAILURE"), QStringLiteral("RETRY")};
    query.taskNames = {QString(), QStringLiteral("")}; // NULL and "" both become ''
    query.workers = {QStringLiteral("alpha@host")};
    query.periodicTaskNames = {QStringLiteral("nightly")};
    query.exceptions = {QStringLiteral("proj.billing.PaymentDeclined")};
    query.fingerprints = {QStringLiteral("card declined for invoice INV-<num>"), QStringLiteral("")};
    query.doneAfter = QDateTime(QDate(2025, 2, 1), QTime(10, 0, 0, 5), Qt::UTC);
    query.doneBefore = QDateTime(QDate(2025, 3, 1), QTime(12, 0), Qt::OffsetFromUTC, 3600);
    query.sortField = Field::TaskName; // not a filter: left out
    const QStringList expected{
        QStringLiteral("--search"), QStringLiteral("charge \"hello world\""),
        QStringLiteral("--status"), QStringLiteral("FAILURE"), QStringLiteral("--status"), QStringLiteral("RETRY"),
        QStringLiteral("--task-name"), QStringLiteral(""), QStringLiteral("--task-name"), QStringLiteral(""),
        QStringLiteral("--worker"), QStringLiteral("alpha@host"),
        QStringLiteral("--periodic-task"), QStringLiteral("nightly"),
        QStringLiteral("--exception"), QStringLiteral("proj.billing.PaymentDeclined"),
        QStringLiteral("--fingerprint"), QStringLiteral("card declined for invoice INV-<num>"),
        QStringLiteral("--fingerprint"), QStringLiteral(""),
        QStringLiteral("--done-after"), QStringLiteral("2025-02-01T10:00:00.005Z"),
        QStringLiteral("--done-before"), QStringLiteral("2025-03-01T11:00:00.000Z")};
    QCOMPARE(QueryCommand::filterArguments(query), expected);
}

void TestTaskQuery::shouldMatchAnExceptionByNameAndFingerprint()
{
    const ValueDecoder::ExceptionInfo declined{QStringLiteral("PaymentDeclined"), QStringLiteral("proj.billing"),
                                               QStringLiteral("card declined for invoice INV-2025-0002 (-5 EUR)")};
    const ValueDecoder::ExceptionInfo bare{QStringLiteral("ValueError"), QStringLiteral("builtins"), QString()};
    const QString declinedPrint = QStringLiteral("card declined for invoice INV-<num>-<num> (-<num> EUR)");
    QCOMPARE(exceptionFingerprint(declined), declinedPrint);
    QCOMPARE(exceptionFingerprint(bare), QStringLiteral(""));
    QVERIFY(exceptionFingerprint({}).isNull());

    QVERIFY(ExceptionFilter().isEmpty());
    QVERIFY(ExceptionFilter().matches(declined)); // no condition, but an exception
    QVERIFY(!ExceptionFilter().matches({}));
    QVERIFY(ExceptionFilter({{QStringLiteral("PaymentDeclined")}, {declinedPrint}}).matches(declined));
    QVERIFY(ExceptionFilter({{}, {declinedPrint}}).matches(declined));
    QVERIFY(!ExceptionFilter({{QStringLiteral("ValueError")}, {declinedPrint}}).matches(declined));
    QVERIFY(!ExceptionFilter({{QStringLiteral("PaymentDeclined")}, {QStringLiteral("card declined")}}).matches(declined));
    // "" is an exception without a message; never a result without an exception.
    QVERIFY(ExceptionFilter({{}, {QStringLiteral("")}}).matches(bare));
    QVERIFY(!ExceptionFilter({{}, {QStringLiteral("")}}).matches({}));
    QVERIFY(!ExceptionFilter({{}, {QStringLiteral("")}}).matches(declined));

    // The key: the same for the same sets, whatever the order; read back whole, separators too.
    const ExceptionFilter odd{{QStringLiteral("b"), QStringLiteral("a"), QStringLiteral("a")},
                              {QStringLiteral("x\x1fy\"]"), QString()}};
    QCOMPARE(odd.key(), ExceptionFilter({{QStringLiteral("a"), QStringLiteral("b")}, {QString(), QStringLiteral("x\x1fy\"]")}}).key());
    QVERIFY(odd.key() != ExceptionFilter({{QStringLiteral("a"), QStringLiteral("b")}, {QStringLiteral("x"), QStringLiteral("y\"]")}}).key());
    const ExceptionFilter back = ExceptionFilter::fromKey(odd.key());
    QCOMPARE(back.names, (QStringList{QStringLiteral("a"), QStringLiteral("b")}));
    QCOMPARE(back.fingerprints, (QStringList{QStringLiteral(""), QStringLiteral("x\x1fy\"]")}));
    QVERIFY(ExceptionFilter::fromKey(QStringLiteral("not json")).isEmpty());
}

void TestTaskQuery::shouldQuoteWordsSoAShellGivesThemBack()
{
    const QStringList words{QStringLiteral("stalk"),
                            QStringLiteral("sqlite:////srv/app/db.sqlite3"),
                            QStringLiteral(""),
                            QStringLiteral("it's"),
                            QStringLiteral("'"),
                            QStringLiteral("$HOME `id` $(id) \\ \" ; | & > < * ? [a] ~ # !"),
                            QStringLiteral("line\nbreak\ttab"),
                            QStringLiteral("Zo\u00eb \u65e5\u672c"),
                            QStringLiteral("--search"),
                            QStringLiteral("-x")};
    QCOMPARE(QueryCommand::shellQuoted(QStringLiteral("proj.tasks.add")), QStringLiteral("proj.tasks.add"));
    QCOMPARE(QueryCommand::shellQuoted(QStringLiteral("")), QStringLiteral("''"));
    QCOMPARE(QueryCommand::shellQuoted(QStringLiteral("it's")), QStringLiteral("'it'\\''s'"));
    // A real shell splits the line back into exactly these words.
    QProcess sh;
    sh.start(QStringLiteral("/bin/sh"),
             {QStringLiteral("-c"), QStringLiteral("printf '%s\\0' ") + QueryCommand::shellCommandLine(words)});
    QVERIFY(sh.waitForFinished(10000));
    QCOMPARE(sh.exitCode(), 0);
    QByteArray out = sh.readAllStandardOutput();
    QVERIFY(out.endsWith('\0'));
    out.chop(1);
    QStringList back;
    for (const QByteArray &word : out.split('\0'))
        back << QString::fromUtf8(word);
    QCOMPARE(back, words);
}

void TestTaskQuery::shouldSelectResultsPastTheirCacheExpiryAsDjango_data()
{
    // Django's DatabaseCache.get(): `expires < timezone.now()`; FileBasedCache._is_expired():
    // `exp < time.time()`. At the very instant the entry is still there.
    QTest::addColumn<QDateTime>("expires");
    QTest::addColumn<QDateTime>("dateDone");
    QTest::addColumn<QString>("status");
    QTest::addColumn<bool>("cutoff");   ///< a cutoff of 2025-02-01 is given too
    QTest::addColumn<bool>("asked");    ///< cacheExpired
    QTest::addColumn<bool>("selected");
    const QDateTime now(QDate(2026, 1, 1), QTime(12, 0), Qt::UTC);
    const QDateTime recent(QDate(2025, 12, 31), QTime(0, 0), Qt::UTC);
    const QDateTime old(QDate(2025, 1, 1), QTime(0, 0), Qt::UTC);
    const QString success = QStringLiteral("SUCCESS");
    QTest::newRow("past, asked") << now.addMSecs(-1) << recent << success << false << true << true;
    QTest::newRow("at now: not yet") << now << recent << success << false << true << false;
    QTest::newRow("after now") << now.addMSecs(1) << recent << success << false << true << false;
    QTest::newRow("no expiry (timeout=None)") << QDateTime() << recent << success << false << true << false;
    QTest::newRow("past, not asked") << now.addSecs(-3600) << recent << success << false << false << false;
    QTest::newRow("past, not asked, old: upstream's rule") << now.addSecs(-3600) << old << success << true << false << true;
    QTest::newRow("past, still running (no date done)") << now.addSecs(-3600) << QDateTime() << QStringLiteral("STARTED") << false
                                                        << true << true;
    QTest::newRow("union: by date alone") << now.addSecs(3600) << old << success << true << true << true;
    QTest::newRow("union: by expiry alone") << now.addSecs(-3600) << recent << success << true << true << true;
    QTest::newRow("union: neither") << now.addSecs(3600) << recent << success << true << true << false;
    QTest::newRow("narrowed away by status") << now.addSecs(-3600) << recent << QStringLiteral("FAILURE") << false << true << false;
}

void TestTaskQuery::shouldSelectResultsPastTheirCacheExpiryAsDjango()
{
    QFETCH(QDateTime, expires);
    QFETCH(QDateTime, dateDone);
    QFETCH(QString, status);
    QFETCH(bool, cutoff);
    QFETCH(bool, asked);
    QFETCH(bool, selected);
    PurgeCriteria c;
    if (cutoff)
        c.cutoff = QDateTime(QDate(2025, 2, 1), QTime(0, 0), Qt::UTC);
    c.cacheExpired = asked;
    c.cacheNow = QDateTime(QDate(2026, 1, 1), QTime(12, 0), Qt::UTC);
    c.statuses = {QStringLiteral("SUCCESS"), QStringLiteral("STARTED")}; // --status narrows both rules
    TaskResult row;
    row.status = status;
    row.dateDone = dateDone;
    row.expires = expires;
    QCOMPARE(c.matches(row), selected);
    // The rule alone, and the criteria a preview counts them with.
    QCOMPARE(c.cacheExpiredOnly().matches(row), expires.isValid() && expires < c.cacheNow && status != u"FAILURE");
    QVERIFY(!c.cacheExpiredOnly().cutoff.isValid());
    QVERIFY(!c.cacheExpiredOnly().includesGroups());
    // doneAfter narrows it too: a result without a date done is not after it.
    c.doneAfter = QDateTime(QDate(2025, 6, 1), QTime(0, 0), Qt::UTC);
    QCOMPARE(c.matches(row), selected && dateDone.isValid() && dateDone >= c.doneAfter);
}

QTEST_APPLESS_MAIN(TestTaskQuery)
#include "tst_taskquery.moc"
