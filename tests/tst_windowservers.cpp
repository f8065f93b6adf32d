#include <QAuthenticator>
#include <QComboBox>
#include <QDateTimeEdit>
#include <QEventLoop>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QLineEdit>
#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QPushButton>
#include <QSettings>
#include <QSignalSpy>
#include <QSqlDatabase>
#include <QSqlError>
#include <QSqlQuery>
#include <QStandardPaths>
#include <QTest>
#include <QUrl>

#include <memory>

#include "detailpane.h"
#include "mainwindow.h"
#include "purgedialog.h"
#include "resulttableview.h"
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

private:
    /// A private copy of the backend's database; returns its URL.
    QString copyOf(const Backend &backend);

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

QTEST_MAIN(TestWindowServers)
#include "tst_windowservers.moc"
