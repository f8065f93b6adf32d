#include <QAuthenticator>
#include <QComboBox>
#include <QDateTimeEdit>
#include <QEventLoop>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QLabel>
#include <QLocale>
#include <QMap>
#include <QLineEdit>
#include <QMessageBox>
#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QPushButton>
#include <QSettings>
#include <QSignalSpy>
#include <QSqlDatabase>
#include <QSqlError>
#include <QSqlQuery>
#include <QPlainTextEdit>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QTreeView>
#include <QTest>
#include <QUrl>

#include <memory>

#include "couchdesign.h"
#include "couchhttp.h"
#include "couchindexdialog.h"
#include "detailpane.h"
#include "groupspanel.h"
#include "mainwindow.h"
#include "purgedialog.h"
#include "resulttableview.h"
#include "statusbreakdown.h"
#include "storeurl.h"
#include "taskresultmodel.h"
#include "testsupport.h"

namespace {

/// One server store the window is driven against, with the answers upstream's own code
/// (the Django admin/ORM, or the CouchDB fixture writer) computed on the same data.
struct Backend
{
    QString name;
    QString url;        ///< the fixture database (never modified: the test works on a copy)
    QJsonObject expect; ///< expectations.json of that server
};

QJsonObject readJson(const QString &path)
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly))
        return {};
    return QJsonDocument::fromJson(file.readAll()).object();
}

QStringList strings(const QJsonArray &array)
{
    QStringList out;
    for (const QJsonValue &v : array)
        out << v.toString();
    return out;
}

/// Runs SQL statements on a server through its own connection; returns the first error.
QString runSql(const StoreUrl &url, const QString &database, const QStringList &statements)
{
    const QString name = QStringLiteral("windowservers-admin");
    QString error;
    {
        QSqlDatabase db = TestSupport::serverConnection(url, database, name);
        if (!db.open()) {
            error = db.lastError().text();
        } else {
            QSqlQuery q(db);
            for (const QString &sql : statements) {
                if (!q.exec(sql)) {
                    error = sql + QStringLiteral(": ") + q.lastError().text();
                    break;
                }
            }
        }
    }
    QSqlDatabase::removeDatabase(name);
    return error;
}

/// A blocking HTTP call for setting up CouchDB copies (the store under test is not used).
QByteArray http(QNetworkAccessManager &nam, const QByteArray &verb, const QUrl &url, const QByteArray &body = {},
                int *status = nullptr)
{
    QNetworkRequest request(url);
    request.setHeader(QNetworkRequest::ContentTypeHeader, QStringLiteral("application/json"));
    const QByteArray credentials = (url.userName() + QLatin1Char(':') + url.password()).toUtf8().toBase64();
    request.setRawHeader("Authorization", "Basic " + credentials);
    QNetworkReply *reply = nam.sendCustomRequest(request, verb, body);
    QEventLoop loop;
    QObject::connect(reply, &QNetworkReply::finished, &loop, &QEventLoop::quit);
    loop.exec();
    if (status)
        *status = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
    const QByteArray data = reply->readAll();
    reply->deleteLater();
    return data;
}

/// Counts the requests a CouchClient sends through it (and sends them on).
class CountingManager final : public QNetworkAccessManager
{
public:
    using QNetworkAccessManager::QNetworkAccessManager;
    int requests = 0;

protected:
    QNetworkReply *createRequest(Operation op, const QNetworkRequest &request, QIODevice *data) override
    {
        ++requests;
        return QNetworkAccessManager::createRequest(op, request, data);
    }
};

using DesignState = CouchDesign::Status::State;

QPushButton *dialogButton(const CouchIndexDialog *dialog, const char *name)
{
    return dialog->findChild<QPushButton *>(QString::fromLatin1(name));
}

QString dialogText(const CouchIndexDialog *dialog, const char *name)
{
    const auto *label = dialog->findChild<QLabel *>(QString::fromLatin1(name));
    return label ? label->text() : QStringLiteral("(no %1)").arg(QLatin1String(name));
}

/// Clicks the dialog's button, then the confirmation's confirm (or Cancel) button.
bool clickAndConfirm(CouchIndexDialog *dialog, const char *buttonName, bool confirm)
{
    QPushButton *button = dialogButton(dialog, buttonName);
    if (!button || !button->isEnabled())
        return false;
    QTest::mouseClick(button, Qt::LeftButton);
    QMessageBox *box = nullptr;
    if (!QTest::qWaitFor([&] { return (box = dialog->findChild<QMessageBox *>(QStringLiteral("confirmChangeBox"))) && box->isVisible(); }, 5000))
        return false;
    QAbstractButton *answer = confirm ? static_cast<QAbstractButton *>(box->findChild<QPushButton *>(QStringLiteral("confirmChangeButton")))
                                      : box->button(QMessageBox::Cancel);
    if (!answer)
        return false;
    QTest::mouseClick(answer, Qt::LeftButton);
    // The box closes and goes (WA_DeleteOnClose), so the next findChild finds the next one.
    return QTest::qWaitFor([&] { return dialog->findChild<QMessageBox *>(QStringLiteral("confirmChangeBox")) == nullptr; }, 5000);
}

} // namespace

/// The window smoke test on the server stores (issues 4 and 5): the real MainWindow opened
/// on PostgreSQL, MariaDB and CouchDB databases written by real Celery workers — rows in the
/// admin's number, search, the detail pane, and Delete expired removing exactly upstream's
/// expired set. Runs under tools/servers/with_*.sh and tools/couchdb/with_couchdb.sh.
class TestWindowServers final : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void shouldBrowseSearchInspectAndPurgeFromTheWindow_data();
    void shouldBrowseSearchInspectAndPurgeFromTheWindow();
    void shouldBrowseTheSavedGroupOfCouchDb();
    void shouldOfferTheStalkIndexForCouchDbOnly();
    void shouldCreateReplaceAndRemoveTheStalkIndexFromTheWindow();
    void shouldNeverWriteTheStalkIndexReadOnly();
    void shouldLeaveAForeignDesignDocumentAlone();
    void shouldSayWhenTheUserMayNotWriteTheStalkIndex();

private:
    /// A private copy of the backend's database; returns its URL.
    QString copyOf(const Backend &backend);
    /// The CouchDB backend, or nullptr (the test then skips).
    const Backend *couch() const;
    /// A copy of the CouchDB fixture database (whose own _design/stalk is foreign, another
    /// tool's), without that document unless keepForeign: its URL (empty on failure), login
    /// and the design document's path.
    struct CouchCopy
    {
        QString url;
        CouchConfig config;
        QString design;
    };
    CouchCopy couchCopy(bool keepForeign = false);
    /// Opens url in window and its Stalk index dialog, once the status has been read.
    CouchIndexDialog *openIndexDialog(MainWindow &window, const QString &url, bool readOnly = false);

    QVector<Backend> m_backends;
    int m_serial = 0;
};

void TestWindowServers::initTestCase()
{
    QStandardPaths::setTestModeEnabled(true);
    QCoreApplication::setOrganizationName(QStringLiteral("StalkTest"));
    QCoreApplication::setApplicationName(QStringLiteral("tst_windowservers"));
    QSettings().clear();
    QLocale::setDefault(QLocale::c());

    const bool required = qEnvironmentVariable("STALK_REQUIRE_SERVERS") == QLatin1String("1");
    const struct
    {
        const char *name;
        const char *url;
        const char *expectations;
    } candidates[] = {
        {"postgresql", "STALK_PG_URL", "STALK_PG_EXPECTATIONS"},
        {"mariadb", "STALK_MYSQL_URL", "STALK_MYSQL_EXPECTATIONS"},
        {"couchdb", "STALK_COUCH_URL", "STALK_COUCH_EXPECTATIONS"},
    };
    for (const auto &c : candidates) {
        Backend b;
        b.name = QLatin1String(c.name);
        b.url = qEnvironmentVariable(c.url);
        if (b.url.isEmpty()) {
            if (required)
                QFAIL(qPrintable(QStringLiteral("STALK_REQUIRE_SERVERS=1 but %1 is not set").arg(QLatin1String(c.url))));
            continue;
        }
        if (b.name == QLatin1String("couchdb"))
            b.url += QLatin1Char('/') + qEnvironmentVariable("STALK_COUCH_DB", QStringLiteral("stalk"));
        b.expect = readJson(qEnvironmentVariable(c.expectations));
        QVERIFY2(!b.expect.isEmpty(), c.expectations);
        m_backends.append(b);
    }
    if (m_backends.isEmpty())
        QSKIP("no server URLs: run under tools/servers/with_postgres.sh, with_mariadb.sh, tools/couchdb/with_couchdb.sh");
}

QString TestWindowServers::copyOf(const Backend &backend)
{
    const QString copy = QStringLiteral("stalk_win%1_%2").arg(QCoreApplication::applicationPid()).arg(++m_serial);
    if (backend.name == QLatin1String("couchdb")) {
        // Same documents and revisions (new_edits: false) in a fresh database.
        QUrl source(backend.url);
        QUrl target = source;
        target.setPath(QLatin1Char('/') + copy);
        QNetworkAccessManager nam;
        int status = 0;
        http(nam, "PUT", target, {}, &status);
        if (status != 201)
            return {};
        QUrl all = source;
        all.setPath(source.path() + QStringLiteral("/_all_docs"));
        all.setQuery(QStringLiteral("include_docs=true"));
        QJsonArray docs;
        const QJsonObject listing = QJsonDocument::fromJson(http(nam, "GET", all)).object();
        for (const QJsonValue &row : listing.value(QLatin1String("rows")).toArray())
            docs.append(row.toObject().value(QLatin1String("doc")));
        QUrl bulk = target;
        bulk.setPath(target.path() + QStringLiteral("/_bulk_docs"));
        const QJsonObject body{{QStringLiteral("docs"), docs}, {QStringLiteral("new_edits"), false}};
        http(nam, "POST", bulk, QJsonDocument(body).toJson(QJsonDocument::Compact), &status);
        return status == 201 ? target.toString() : QString();
    }

    const StoreUrl url = StoreUrl::parse(backend.url).value();
    QString error;
    if (url.scheme == StoreUrl::Scheme::PostgreSql) {
        error = runSql(url, QStringLiteral("postgres"),
                       {QStringLiteral("CREATE DATABASE %1 TEMPLATE %2").arg(copy, url.database)});
    } else {
        QStringList statements{QStringLiteral("CREATE DATABASE %1 CHARACTER SET utf8mb4").arg(copy)};
        for (const QString &table : {QStringLiteral("django_celery_results_taskresult"),
                                     QStringLiteral("django_celery_results_groupresult"),
                                     QStringLiteral("django_migrations")}) {
            statements << QStringLiteral("CREATE TABLE %1.`%2` LIKE %3.`%2`").arg(copy, table, url.database)
                       << QStringLiteral("INSERT INTO %1.`%2` SELECT * FROM %3.`%2`").arg(copy, table, url.database);
        }
        error = runSql(url, url.database, statements);
    }
    if (!error.isEmpty()) {
        qWarning() << "copying" << url.database << "failed:" << error;
        return {};
    }
    QString copied = backend.url;
    copied.replace(QRegularExpression(QStringLiteral("/[^/?]+(\\?.*)?$")), QLatin1Char('/') + copy);
    return copied;
}

void TestWindowServers::shouldBrowseSearchInspectAndPurgeFromTheWindow_data()
{
    QTest::addColumn<int>("index");
    for (int i = 0; i < m_backends.size(); ++i)
        QTest::newRow(qPrintable(m_backends[i].name)) << i;
}

void TestWindowServers::shouldBrowseSearchInspectAndPurgeFromTheWindow()
{
    QFETCH(int, index);
    const Backend &backend = m_backends[index];
    const QString url = copyOf(backend);
    QVERIFY2(!url.isEmpty(), "could not copy the fixture database");

    const int total = backend.expect.value(QLatin1String("counts")).toObject().value(QLatin1String("total")).toInt();
    QVERIFY(total > 10);

    MainWindow window;
    window.show();
    window.openUrl(url);
    TaskResultModel *model = window.model();

    // Browse: every Celery result, in the admin's number (CouchDB loads its index in pages).
    QTRY_VERIFY_WITH_TIMEOUT(model->isOpen(), 30000);
    QTRY_COMPARE_WITH_TIMEOUT(model->rowCount(), total, 30000);
    QVERIFY(window.windowTitle().contains(StoreUrl::parse(url).value().database));

    // Search: an ASCII term whose answer is a proper, non-empty subset.
    QString term;
    int expected = -1;
    for (const QJsonValue &value : backend.expect.value(QLatin1String("search")).toArray()) {
        const QJsonObject entry = value.toObject();
        const QString candidate = entry.value(QLatin1String("term")).toString();
        const QJsonArray ids = entry.contains(QLatin1String("decoded_task_ids"))
            ? entry.value(QLatin1String("decoded_task_ids")).toArray()
            : entry.value(QLatin1String("task_ids")).toArray();
        bool ascii = !candidate.isEmpty();
        for (QChar c : candidate)
            ascii = ascii && c.unicode() > 32 && c.unicode() < 127 && c != u'"' && c != u'\'' && c != u'\\';
        if (ascii && ids.size() > 0 && ids.size() < total) {
            term = candidate;
            expected = int(ids.size());
            break;
        }
    }
    QVERIFY2(!term.isEmpty(), "no usable search term in the expectations");
    auto *search = window.findChild<QLineEdit *>(QStringLiteral("searchBox"));
    QVERIFY(search);
    QTest::keyClicks(search, term);
    QTRY_COMPARE_WITH_TIMEOUT(model->rowCount(), expected, 15000);

    // Inspect: the detail pane follows the selected row with its complete data.
    QTRY_VERIFY(model->index(0, 0).data(TaskResultModel::LoadedRole).toBool());
    const QString firstId = model->index(0, TaskResultModel::TaskIdColumn).data(TaskResultModel::TaskIdRole).toString();
    QVERIFY(!firstId.isEmpty());
    window.table()->selectRow(0);
    auto *pane = window.findChild<DetailPane *>();
    QVERIFY(pane);
    QTRY_COMPARE_WITH_TIMEOUT(pane->currentRow().taskId, firstId, 15000);
    QVERIFY(pane->currentRow().complete);

    search->clear();
    QTRY_COMPARE_WITH_TIMEOUT(model->rowCount(), total, 15000);

    // Delete expired, cutoff 2025-02-01: exactly upstream's expired set goes.
    const QString cutoffText = QStringLiteral("2025-02-01T00:00:00Z");
    QStringList expired;
    for (const QJsonValue &value : backend.expect.value(QLatin1String("expired")).toArray()) {
        if (value.toObject().value(QLatin1String("cutoff")).toString() == cutoffText)
            expired = strings(value.toObject().value(QLatin1String("task_ids")).toArray());
    }
    QVERIFY(!expired.isEmpty());
    QVERIFY(expired.size() < total);

    auto *action = window.findChild<QAction *>(QStringLiteral("deleteExpiredAction"));
    QVERIFY(action && action->isEnabled());
    action->trigger();
    PurgeDialog *dialog = nullptr;
    QTRY_VERIFY((dialog = window.findChild<PurgeDialog *>()) != nullptr);
    QSignalSpy finished(dialog, &PurgeDialog::purgeFinished);
    dialog->findChild<QComboBox *>(QStringLiteral("cutoffModeCombo"))->setCurrentIndex(1);
    dialog->findChild<QDateTimeEdit *>(QStringLiteral("cutoffEdit"))
        ->setDateTime(QDateTime(QDate(2025, 2, 1), QTime(0, 0), Qt::UTC).toLocalTime());
    QTRY_COMPARE_WITH_TIMEOUT(dialog->previewTotal(), qint64(expired.size()), 30000);
    auto *confirm = dialog->findChild<QPushButton *>(QStringLiteral("confirmButton"));
    QTRY_VERIFY(confirm->isEnabled());
    QTest::mouseClick(confirm, Qt::LeftButton);
    QTRY_COMPARE_WITH_TIMEOUT(finished.count(), 1, 60000);
    const PurgeSummary summary = finished.first().first().value<PurgeSummary>();
    QVERIFY2(!summary.error.isError(), qPrintable(summary.error.message));
    QCOMPARE(summary.tasksDeleted, qint64(expired.size()));
    dialog->close();

    // The table follows, and the store itself holds exactly the rest.
    QTRY_COMPARE_WITH_TIMEOUT(model->rowCount(), total - int(expired.size()), 30000);
    auto factory = makeStoreFactory(url);
    QVERIFY(factory.ok());
    std::unique_ptr<ResultStore> store = (*factory)();
    QVERIFY2(!store->open().isError(), "cannot reopen the copy");
    QCOMPARE(store->count(TaskQuery()).value(), qint64(total - expired.size()));
    for (const QString &id : std::as_const(expired))
        QCOMPARE(store->fetchByTaskId(id).error().code, StoreError::Code::NotFound);
}

const Backend *TestWindowServers::couch() const
{
    for (const Backend &backend : m_backends) {
        if (backend.name == QLatin1String("couchdb"))
            return &backend;
    }
    return nullptr;
}

TestWindowServers::CouchCopy TestWindowServers::couchCopy(bool keepForeign)
{
    const QString url = copyOf(*couch());
    if (url.isEmpty())
        return {};
    const Outcome<CouchConfig> parsed = CouchConfig::fromUrl(StoreUrl::parse(url).value());
    if (!parsed)
        return {};
    const CouchCopy copy{url, *parsed, QStringLiteral("/%1/_design/stalk").arg(parsed->database)};
    const CouchReply foreign = couchRequest(copy.config, "GET", copy.design);
    if (!foreign.ok() || foreign.json.object().contains(QLatin1String("stalk_version")))
        return {}; // the fixture's foreign document is what the tests start from
    if (!keepForeign) {
        const QString rev = foreign.json.object().value(QLatin1String("_rev")).toString();
        if (!couchRequest(copy.config, "DELETE", copy.design, {}, {{QStringLiteral("rev"), rev}}).ok())
            return {};
    }
    return copy;
}

CouchIndexDialog *TestWindowServers::openIndexDialog(MainWindow &window, const QString &url, bool readOnly)
{
    window.show();
    window.openUrl(url, readOnly);
    if (!QTest::qWaitFor([&] { return window.model()->isOpen(); }, 30000))
        return nullptr;
    auto *action = window.findChild<QAction *>(QStringLiteral("couchIndexAction"));
    if (!action || !action->isVisible() || !action->isEnabled())
        return nullptr;
    action->trigger();
    CouchIndexDialog *dialog = window.findChild<CouchIndexDialog *>();
    if (!dialog || !QTest::qWaitFor([&] { return dialog->isVisible() && !dialog->isBusy(); }, 15000))
        return nullptr;
    return dialog;
}

void TestWindowServers::shouldBrowseTheSavedGroupOfCouchDb()
{
    // View -> Groups on the celery-taskset-meta document the workers' GroupResult.save() wrote,
    // against Celery's own get_group_meta() reading (the fixture writer's saved_groups).
    const Backend *backend = couch();
    if (!backend)
        QSKIP("no CouchDB: run under tools/couchdb/with_couchdb.sh");
    const QJsonArray saved = backend->expect.value(QLatin1String("saved_groups")).toArray();
    QCOMPARE(saved.size(), 1);
    const QJsonObject group = saved.first().toObject();
    const QString groupId = group.value(QLatin1String("group_id")).toString();
    const QStringList members = TestSupport::stringList(group.value(QLatin1String("members")));
    const QJsonObject statuses = group.value(QLatin1String("statuses")).toObject();
    QVERIFY(members.size() >= 2);
    QMap<QString, qint64> counts;
    for (const QString &m : members)
        ++counts[statuses.value(m).toString()];
    const QString url = copyOf(*backend);
    QVERIFY2(!url.isEmpty(), "could not copy the fixture database");

    MainWindow window;
    window.show();
    window.openUrl(url);
    QTRY_VERIFY_WITH_TIMEOUT(window.model()->isOpen(), 30000);
    auto *panel = window.findChild<GroupsPanel *>(QStringLiteral("groupsPanel"));
    auto *detail = window.findChild<DetailPane *>(QStringLiteral("detailPane"));
    QVERIFY(panel && detail);
    window.findChild<QAction *>(QStringLiteral("groupsAction"))->trigger();
    QVERIFY(panel->isVisible());
    const QAbstractItemModel *shown = panel->groupsView()->model();
    QTRY_COMPARE_WITH_TIMEOUT(shown->rowCount(), 1, 30000);
    QCOMPARE(shown->index(0, GroupsPanel::GroupIdColumn).data().toString(), groupId);
    QCOMPARE(shown->index(0, GroupsPanel::MembersColumn).data().toString(), QLocale().toString(members.size()));
    QCOMPARE(shown->index(0, GroupsPanel::StatusesColumn).data().toString(), statusBreakdown(counts, QLocale()));
    panel->groupsView()->setCurrentIndex(shown->index(0, 0));
    const QAbstractItemModel *listed = panel->membersView()->model();
    QCOMPARE(listed->rowCount(), int(members.size()));
    for (int i = 0; i < members.size(); ++i) {
        QCOMPARE(listed->index(i, GroupsPanel::TaskIdColumn).data().toString(), members.at(i));
        QCOMPARE(listed->index(i, GroupsPanel::StatusColumn).data().toString(), statuses.value(members.at(i)).toString());
    }
    // From a member to its group, the member selected and shown in the Details dock.
    panel->showGroupsOf(members.last());
    QTRY_COMPARE_WITH_TIMEOUT(panel->currentMemberId(), members.last(), 30000);
    QCOMPARE(panel->currentGroup()->groupId, groupId);
    QTRY_COMPARE_WITH_TIMEOUT(detail->currentRow().taskId, members.last(), 30000);
}

void TestWindowServers::shouldOfferTheStalkIndexForCouchDbOnly()
{
    if (!couch())
        QSKIP("no CouchDB: run under tools/couchdb/with_couchdb.sh");
    QVERIFY2(TestSupport::haveFixtures(), "no fixtures (STALK_FIXTURES)");
    QTemporaryDir dir;
    const QString sqlite = TestSupport::copyFixture(dir, QStringLiteral("django.sqlite3"));
    QVERIFY(!sqlite.isEmpty());
    {
        MainWindow window;
        window.show();
        window.openUrl(QStringLiteral("sqlite:///") + sqlite);
        QTRY_VERIFY_WITH_TIMEOUT(window.model()->isOpen(), 30000);
        auto *action = window.findChild<QAction *>(QStringLiteral("couchIndexAction"));
        QVERIFY(action);
        QVERIFY(!action->isVisible());
        QVERIFY(!action->isEnabled());
        action->trigger(); // even so: no dialog
        QCoreApplication::processEvents();
        QVERIFY(window.findChild<CouchIndexDialog *>() == nullptr);
    }
    const CouchCopy copy = couchCopy();
    QVERIFY(!copy.url.isEmpty());
    MainWindow window;
    CouchIndexDialog *dialog = openIndexDialog(window, copy.url);
    QVERIFY(dialog);
    QCOMPARE(dialog->status().state, DesignState::Absent);
    QVERIFY2(dialogText(dialog, "statusLabel").startsWith(QLatin1String("Absent:")), qPrintable(dialogText(dialog, "statusLabel")));
    // The exact text it would write, and what it is for: what the views answer once the
    // database is opened again, and what still reads every document.
    QCOMPARE(dialog->findChild<QPlainTextEdit *>(QStringLiteral("documentText"))->toPlainText().toUtf8(),
             CouchDesign::documentText());
    QVERIFY(dialog->findChild<QPlainTextEdit *>(QStringLiteral("documentText"))->isReadOnly());
    QVERIFY2(dialogText(dialog, "purposeLabel").contains(QLatin1String("when the database is opened again, Stalk answers"))
                 && dialogText(dialog, "purposeLabel").contains(QLatin1String("A search, the exception filter")),
             qPrintable(dialogText(dialog, "purposeLabel")));
    QVERIFY(!dialog->findChild<QLabel *>(QStringLiteral("readOnlyNote"))->isVisible());
}

void TestWindowServers::shouldCreateReplaceAndRemoveTheStalkIndexFromTheWindow()
{
    if (!couch())
        QSKIP("no CouchDB: run under tools/couchdb/with_couchdb.sh");
    const CouchCopy copy = couchCopy();
    QVERIFY(!copy.url.isEmpty());
    MainWindow window;
    CouchIndexDialog *dialog = openIndexDialog(window, copy.url);
    QVERIFY(dialog);
    QVERIFY(dialogButton(dialog, "createButton")->isEnabled());
    QVERIFY(!dialogButton(dialog, "replaceButton")->isEnabled());
    QVERIFY(!dialogButton(dialog, "removeButton")->isEnabled());
    QSignalSpy answered(dialog, &CouchIndexDialog::answered);

    // Cancelled: nothing is written.
    QVERIFY(clickAndConfirm(dialog, "createButton", false));
    QCOMPARE(answered.count(), 0);
    QCOMPARE(couchRequest(copy.config, "GET", copy.design).httpStatus, 404);

    // Confirmed: the document, exactly Stalk's.
    QVERIFY(clickAndConfirm(dialog, "createButton", true));
    QTRY_COMPARE_WITH_TIMEOUT(answered.count(), 1, 15000);
    QCOMPARE(answered.takeFirst().first().toBool(), true);
    CouchReply stored = couchRequest(copy.config, "GET", copy.design);
    QVERIFY2(stored.ok(), qPrintable(stored.error.message));
    QJsonObject written = stored.json.object();
    written.remove(QStringLiteral("_id"));
    written.remove(QStringLiteral("_rev"));
    QCOMPARE(written, QJsonDocument::fromJson(CouchDesign::documentText()).object());
    QCOMPARE(dialog->status().state, DesignState::UpToDate);
    QVERIFY2(dialogText(dialog, "statusLabel").startsWith(QLatin1String("Up to date:")), qPrintable(dialogText(dialog, "statusLabel")));
    QVERIFY(dialogText(dialog, "messageLabel").startsWith(QLatin1String("Created _design/stalk (version 2)")));
    QVERIFY(!dialogButton(dialog, "createButton")->isEnabled());
    QVERIFY(dialogButton(dialog, "removeButton")->isEnabled());

    // An older Stalk's version, read again: Replace writes the current one over it.
    QJsonObject old{{QStringLiteral("_rev"), stored.json.object().value(QLatin1String("_rev"))},
                    {QStringLiteral("language"), QStringLiteral("javascript")},
                    {QStringLiteral("stalk_version"), 0},
                    {QStringLiteral("views"), QJsonObject{}}};
    QVERIFY(couchRequest(copy.config, "PUT", copy.design, QJsonDocument(old).toJson()).ok());
    QTest::mouseClick(dialogButton(dialog, "rereadButton"), Qt::LeftButton);
    QTRY_COMPARE_WITH_TIMEOUT(answered.count(), 1, 15000);
    answered.clear();
    QCOMPARE(dialog->status().state, DesignState::Outdated);
    QVERIFY2(dialogText(dialog, "statusLabel").startsWith(QLatin1String("Outdated:")), qPrintable(dialogText(dialog, "statusLabel")));
    QVERIFY(!dialogButton(dialog, "createButton")->isEnabled());
    QVERIFY(clickAndConfirm(dialog, "replaceButton", true));
    QTRY_COMPARE_WITH_TIMEOUT(answered.count(), 1, 15000);
    QCOMPARE(answered.takeFirst().first().toBool(), true);
    stored = couchRequest(copy.config, "GET", copy.design);
    QCOMPARE(stored.json.object().value(QLatin1String("stalk_version")).toInt(), CouchDesign::version);
    QCOMPARE(dialog->status().state, DesignState::UpToDate);

    // Remove, cancelled and then confirmed.
    QVERIFY(clickAndConfirm(dialog, "removeButton", false));
    QCOMPARE(couchRequest(copy.config, "GET", copy.design).httpStatus, 200);
    QVERIFY(clickAndConfirm(dialog, "removeButton", true));
    QTRY_COMPARE_WITH_TIMEOUT(answered.count(), 1, 15000);
    QCOMPARE(answered.takeFirst().first().toBool(), true);
    QCOMPARE(couchRequest(copy.config, "GET", copy.design).httpStatus, 404);
    QCOMPARE(dialog->status().state, DesignState::Absent);
    QVERIFY(dialogButton(dialog, "createButton")->isEnabled());
    QVERIFY(!dialogButton(dialog, "removeButton")->isEnabled());
}

void TestWindowServers::shouldNeverWriteTheStalkIndexReadOnly()
{
    if (!couch())
        QSKIP("no CouchDB: run under tools/couchdb/with_couchdb.sh");
    const CouchCopy copy = couchCopy();
    QVERIFY(!copy.url.isEmpty());
    for (const bool byUrl : {false, true}) {
        MainWindow window;
        CouchIndexDialog *dialog = byUrl ? openIndexDialog(window, copy.url + QStringLiteral("?readonly=1"))
                                         : openIndexDialog(window, copy.url, true);
        QVERIFY(dialog);
        QCOMPARE(dialog->status().state, DesignState::Absent); // reading is allowed
        const QString note = dialogText(dialog, "readOnlyNote");
        QVERIFY(dialog->findChild<QLabel *>(QStringLiteral("readOnlyNote"))->isVisible());
        QVERIFY2(note.startsWith(QLatin1String("This connection is read-only")), qPrintable(note));
        QCOMPARE(note.contains(QLatin1String("?readonly=1")), byUrl);

        // From here on every request the dialog sends is counted: none may be.
        auto *client = dialog->findChild<CouchClient *>();
        QVERIFY(client);
        CountingManager counting;
        client->setNetworkAccessManager(&counting);
        for (const char *name : {"createButton", "replaceButton", "removeButton"}) {
            QVERIFY2(!dialogButton(dialog, name)->isEnabled(), name);
            QVERIFY(!clickAndConfirm(dialog, name, true));
        }
        QCoreApplication::processEvents();
        QCOMPARE(counting.requests, 0);
        QCOMPARE(client->pendingCount(), 0);
        // The counter counts: Read Again is one more status read (the database, the document).
        QSignalSpy answered(dialog, &CouchIndexDialog::answered);
        QTest::mouseClick(dialogButton(dialog, "rereadButton"), Qt::LeftButton);
        QTRY_COMPARE_WITH_TIMEOUT(answered.count(), 1, 15000);
        QCOMPARE(counting.requests, 2);
        QVERIFY(!dialogButton(dialog, "createButton")->isEnabled());
        QCOMPARE(couchRequest(copy.config, "GET", copy.design).httpStatus, 404);
        dialog->close();
    }
}

void TestWindowServers::shouldLeaveAForeignDesignDocumentAlone()
{
    if (!couch())
        QSKIP("no CouchDB: run under tools/couchdb/with_couchdb.sh");
    const CouchCopy copy = couchCopy(true);
    QVERIFY(!copy.url.isEmpty());
    const CouchReply before = couchRequest(copy.config, "GET", copy.design);
    QVERIFY(before.ok());

    MainWindow window;
    CouchIndexDialog *dialog = openIndexDialog(window, copy.url);
    QVERIFY(dialog);
    QCOMPARE(dialog->status().state, DesignState::Foreign);
    const QString status = dialogText(dialog, "statusLabel");
    QVERIFY2(status.startsWith(QLatin1String("Foreign:")) && status.contains(QLatin1String("did not write")), qPrintable(status));
    for (const char *name : {"createButton", "replaceButton", "removeButton"}) {
        QVERIFY2(!dialogButton(dialog, name)->isEnabled(), name);
        QVERIFY(!clickAndConfirm(dialog, name, true));
    }
    QCoreApplication::processEvents();
    const CouchReply after = couchRequest(copy.config, "GET", copy.design);
    QVERIFY(after.ok());
    QCOMPARE(after.json, before.json); // same revision, same views
}

void TestWindowServers::shouldSayWhenTheUserMayNotWriteTheStalkIndex()
{
    if (!couch())
        QSKIP("no CouchDB: run under tools/couchdb/with_couchdb.sh");
    const CouchCopy copy = couchCopy();
    QVERIFY(!copy.url.isEmpty());
    // A user the server knows, who may read but is no admin: the server refuses with 401.
    const QByteArray user = R"({"name": "reader", "password": "pw", "roles": [], "type": "user"})";
    const CouchReply made = couchRequest(copy.config, "PUT", QStringLiteral("/_users/org.couchdb.user:reader"), user);
    QVERIFY2(made.ok() || made.httpStatus == 409, qPrintable(made.error.message));
    QUrl reader(copy.url);
    reader.setUserName(QStringLiteral("reader"));
    reader.setPassword(QStringLiteral("pw"));

    MainWindow window;
    CouchIndexDialog *dialog = openIndexDialog(window, reader.toString());
    QVERIFY(dialog);
    QCOMPARE(dialog->status().state, DesignState::Absent);
    QSignalSpy answered(dialog, &CouchIndexDialog::answered);
    QVERIFY(clickAndConfirm(dialog, "createButton", true));
    QTRY_COMPARE_WITH_TIMEOUT(answered.count(), 1, 15000);
    QCOMPARE(answered.first().first().toBool(), false);
    // The command line's sentence, word for word.
    QCOMPARE(dialogText(dialog, "messageLabel"),
             QStringLiteral("cannot create _design/stalk in database '%1': permission denied: only an admin of the "
                            "database (or of the server) may write design documents, and user 'reader' is not one")
                 .arg(copy.config.database));
    QCOMPARE(dialog->status().state, DesignState::Absent);
    QCOMPARE(couchRequest(copy.config, "GET", copy.design).httpStatus, 404);
}

QTEST_MAIN(TestWindowServers)
#include "tst_windowservers.moc"
