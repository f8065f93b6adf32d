#include <optional>

#include <QAction>
#include <QCheckBox>
#include <QDialogButtonBox>
#include <QFile>
#include <QJsonDocument>
#include <QJsonObject>
#include <QMap>
#include <QLabel>
#include <QLineEdit>
#include <QProcess>
#include <QPushButton>
#include <QRegularExpression>
#include <QScopeGuard>
#include <QSettings>
#include <QStandardPaths>
#include <QStatusBar>
#include <QTest>
#include <QUrl>

#include "errorbanner.h"
#include "mainwindow.h"
#include "passworddialog.h"
#include "passwordkeyring.h"
#include "storeopener.h"
#include "taskresultmodel.h"
#include "testsupport.h"

/// The window asks for a server password (issue 4): opened on a PostgreSQL URL that names a
/// user but no password, the real server (tools/servers/with_postgres.sh) rejects the login,
/// the PasswordDialog appears, and the typed password opens the database; a wrong password
/// shows the error banner. The password is never written to QSettings.
///
/// The system keyring (issue 15): under tools/servers/with_keyring.sh (a private D-Bus and an
/// unlocked GNOME Keyring) "Remember in the system keyring" stores the password there and
/// nowhere else (the settings file is read for it), the next window and `stalk --keyring` log
/// in with it, a stored password the server rejects is asked for again, and forgetting it
/// removes it. Without a keyring (no D-Bus) the window and the command line say so, and the
/// dialog still opens the database from memory.
class TestPasswordPrompt final : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void cleanup();
    // First: it reaches for the keyring on a bus that is not there (before any test connects).
    void shouldSayTheKeyringIsUnavailableAndKeepThePasswordInMemory();
    void shouldTellARejectedLoginByItsCode();
    void shouldShowTheBannerAfterAWrongPassword();
    void shouldShowTheBannerWhenTheDialogIsCancelled();
    void shouldOpenWithTheTypedPasswordWithoutKeepingIt();
    void shouldRememberThePasswordForTheSessionOnlyInMemory();
    void shouldStoreThePasswordInTheKeyringOnlyWhenAsked();
    void shouldOpenWithTheStoredPasswordWithoutAsking();
    void shouldLetTheCommandLineReadTheStoredPassword();
    void shouldAskAgainWhenTheStoredPasswordIsRejected();
    void shouldForgetTheStoredPasswordFromTheMenu();

private:
    /// Waits for the window's password dialog; nullptr after the timeout.
    static PasswordDialog *waitForDialog(MainWindow &window);
    /// Types password into the dialog (and ticks "Remember" when asked) and presses Connect.
    static void answer(PasswordDialog *dialog, const QString &password, bool remember);
    static bool bannerShown(MainWindow &window);
    bool settingsHoldPassword() const;
    /// PasswordKeyring, waited for.
    static PasswordKeyring::Answer keyring(const QString &operation, const QString &key, const QString &password = {});
    /// Runs the real `stalk` with arguments; environment: variables to set (or, empty, remove).
    static QProcess *stalk(const QStringList &arguments, const QMap<QString, QString> &environment = {});
    /// Shows window, opens m_url in it and waits for its password dialog (nullptr after the timeout).
    PasswordDialog *openAndWaitForDialog(MainWindow &window) const;
    /// The dialog's sentence about the keyring; empty when it shows none.
    static QString keyringNote(PasswordDialog *dialog);
    /// Opens m_url in window and answers the dialog with m_password, ticking the keyring box
    /// when remember is true.
    void openAnsweringTheDialog(MainWindow &window, bool remember);
    /// Stores m_password in the keyring and opens m_url in window with it, no dialog asking.
    void openWithTheStoredPassword(MainWindow &window);

    QString m_key;      ///< PasswordKeyring::keyFor(m_url)
    QString m_url;      ///< STALK_PG_URL without its password
    QString m_password; ///< the password stripped from it
    int m_total = 0;    ///< rows in the database (the server's expectations.json)
};

#define STALK_REQUIRE_KEYRING()                                                                       \
    do {                                                                                             \
        STALK_SERVER_URL(bus, "STALK_KEYRING_BUS", "tools/servers/with_keyring.sh");                  \
        /* Never the keyring of the desktop the tests happen to run in. */                           \
        QCOMPARE(qEnvironmentVariable("DBUS_SESSION_BUS_ADDRESS"), bus);                             \
    } while (false)

void TestPasswordPrompt::initTestCase()
{
    QStandardPaths::setTestModeEnabled(true);
    QCoreApplication::setOrganizationName(QStringLiteral("StalkTest"));
    QCoreApplication::setApplicationName(QStringLiteral("tst_passwordprompt"));
    QSettings().clear();
    // Only the dialog may supply the password.
    qunsetenv("STALK_PASSWORD");
    qunsetenv("PGPASSWORD");
    qputenv("PGPASSFILE", "/nonexistent/stalk-test-pgpass");

    STALK_SERVER_URL(url, "STALK_PG_URL", "tools/servers/with_postgres.sh");
    const Outcome<StoreUrl> parsed = StoreUrl::parse(url);
    QVERIFY2(parsed && !parsed->user.isEmpty() && !parsed->password.isEmpty(), "STALK_PG_URL must hold user and password");
    m_password = parsed->password;
    m_url = url;
    m_url.replace(QRegularExpression(QStringLiteral("^([a-z+]+://[^:/@]+):[^@]*@")), QStringLiteral("\\1@"));
    QVERIFY2(!m_url.contains(m_password) && StoreUrl::parse(m_url)->password.isEmpty(), qPrintable(m_url));
    m_key = PasswordKeyring::keyFor(*StoreUrl::parse(m_url));
    QVERIFY2(m_key.startsWith(QLatin1String("postgresql://")) && !m_key.contains(m_password), qPrintable(m_key));

    QFile file(qEnvironmentVariable("STALK_PG_EXPECTATIONS"));
    QVERIFY2(file.open(QIODevice::ReadOnly), "STALK_PG_EXPECTATIONS must name the server's expectations.json");
    m_total = QJsonDocument::fromJson(file.readAll()).object().value(QLatin1String("counts")).toObject()
                  .value(QLatin1String("total")).toInt();
    QVERIFY(m_total > 0);
}

PasswordDialog *TestPasswordPrompt::waitForDialog(MainWindow &window)
{
    PasswordDialog *dialog = nullptr;
    const auto visibleDialog = [&window, &dialog] {
        dialog = window.findChild<PasswordDialog *>(QStringLiteral("passwordDialog"));
        return dialog != nullptr && dialog->isVisible();
    };
    return QTest::qWaitFor(visibleDialog, 30000) ? dialog : nullptr;
}

void TestPasswordPrompt::answer(PasswordDialog *dialog, const QString &password, bool remember)
{
    auto *edit = dialog->findChild<QLineEdit *>(QStringLiteral("passwordEdit"));
    QVERIFY(edit);
    QCOMPARE(edit->echoMode(), QLineEdit::Password);
    QTest::keyClicks(edit, password);
    QCOMPARE(edit->text(), password);
    auto *rememberBox = dialog->findChild<QCheckBox *>(QStringLiteral("rememberPassword"));
    QVERIFY(rememberBox);
    QCOMPARE(rememberBox->text(), QStringLiteral("Remember for this session"));
    rememberBox->setChecked(remember);
    auto *buttons = dialog->findChild<QDialogButtonBox *>();
    QVERIFY(buttons);
    QTest::mouseClick(buttons->button(QDialogButtonBox::Ok), Qt::LeftButton);
}

bool TestPasswordPrompt::bannerShown(MainWindow &window)
{
    auto *banner = window.findChild<ErrorBanner *>(QStringLiteral("errorBanner"));
    return banner != nullptr && banner->isVisible();
}

bool TestPasswordPrompt::settingsHoldPassword() const
{
    QSettings settings;
    for (const QString &key : settings.allKeys()) {
        const QVariant value = settings.value(key);
        const QStringList texts = value.canConvert<QStringList>() ? value.toStringList() : QStringList{value.toString()};
        for (const QString &text : texts) {
            if (text.contains(m_password))
                return true;
        }
    }
    return false;
}

void TestPasswordPrompt::shouldTellARejectedLoginByItsCode()
{
    // The real server's refusals, without a password and with a wrong one (when to ask, for
    // every kind of URL and error: tst_storeurl).
    const StoreOpener opener(m_url);
    const StoreError none = (*opener.factory())()->open();
    QCOMPARE(none.code, StoreError::Code::AuthenticationFailed);
    QVERIFY2(none.message.contains(QLatin1String("password")), qPrintable(none.message));
    QVERIFY(opener.canAskForPassword(none));

    StoreOptions options;
    options.password = QStringLiteral("not-the-password");
    const StoreOpener typed(m_url, options);
    const StoreError wrong = (*typed.factory())()->open();
    QCOMPARE(wrong.code, StoreError::Code::AuthenticationFailed);
    QVERIFY2(wrong.message.contains(QLatin1String("authentication failed")), qPrintable(wrong.message));
    QVERIFY(!typed.canAskForPassword(wrong)); // that password was the answer: no second prompt
    QVERIFY(opener.canAskForPassword(wrong)); // the window's Retry asks again

    options.password = m_password;
    std::unique_ptr<ResultStore> store = (*StoreOpener(m_url, options).factory())();
    const StoreError opened = store->open();
    QVERIFY2(!opened.isError(), qPrintable(opened.message));
}

void TestPasswordPrompt::shouldShowTheBannerAfterAWrongPassword()
{
    MainWindow window;
    window.show();
    window.openUrl(m_url);
    PasswordDialog *dialog = waitForDialog(window);
    QVERIFY2(dialog, "no password dialog appeared");
    QVERIFY(!bannerShown(window)); // the dialog, not the banner, answers the first refusal
    answer(dialog, QStringLiteral("not-the-password"), false);
    QTRY_VERIFY_WITH_TIMEOUT(bannerShown(window), 30000);
    auto *banner = window.findChild<ErrorBanner *>(QStringLiteral("errorBanner"));
    QVERIFY2(banner->text().contains(QLatin1String("authentication failed")), qPrintable(banner->text()));
    QVERIFY(!window.model()->isOpen());
    QVERIFY(!banner->text().contains(QLatin1String("not-the-password")));
    QVERIFY(window.findChild<PasswordDialog *>(QStringLiteral("passwordDialog")) == nullptr
            || !window.findChild<PasswordDialog *>(QStringLiteral("passwordDialog"))->isVisible());
}

void TestPasswordPrompt::shouldShowTheBannerWhenTheDialogIsCancelled()
{
    MainWindow window;
    window.show();
    window.openUrl(m_url);
    PasswordDialog *dialog = waitForDialog(window);
    QVERIFY2(dialog, "no password dialog appeared");
    dialog->reject();
    QTRY_VERIFY_WITH_TIMEOUT(bannerShown(window), 10000);
    QVERIFY(window.findChild<ErrorBanner *>(QStringLiteral("errorBanner"))->text().contains(QLatin1String("password")));
    QVERIFY(!window.model()->isOpen());
}

void TestPasswordPrompt::shouldOpenWithTheTypedPasswordWithoutKeepingIt()
{
    {
        MainWindow window;
        window.show();
        window.openUrl(m_url);
        PasswordDialog *dialog = waitForDialog(window);
        QVERIFY2(dialog, "no password dialog appeared");
        answer(dialog, m_password, false);
        QTRY_VERIFY_WITH_TIMEOUT(window.model()->isOpen(), 30000);
        QTRY_COMPARE_WITH_TIMEOUT(window.model()->rowCount(), m_total, 30000);
        QVERIFY(!bannerShown(window));
        QVERIFY(!window.windowTitle().contains(m_password));
    }
    QVERIFY(!settingsHoldPassword());
    QVERIFY(StoreOpener::sessionPassword(m_url).isEmpty());

    // Not remembered: the next window asks again.
    MainWindow again;
    again.show();
    again.openUrl(m_url);
    PasswordDialog *dialog = waitForDialog(again);
    QVERIFY2(dialog, "a password that was not remembered was used again");
    dialog->reject();
}

void TestPasswordPrompt::shouldRememberThePasswordForTheSessionOnlyInMemory()
{
    {
        MainWindow window;
        window.show();
        window.openUrl(m_url);
        PasswordDialog *dialog = waitForDialog(window);
        QVERIFY2(dialog, "no password dialog appeared");
        answer(dialog, m_password, true);
        QTRY_COMPARE_WITH_TIMEOUT(window.model()->rowCount(), m_total, 30000);
    }
    QCOMPARE(StoreOpener::sessionPassword(m_url), m_password);
    QVERIFY(!settingsHoldPassword());

    // Remembered for this session: a second window opens without asking.
    MainWindow again;
    again.show();
    again.openUrl(m_url);
    QTRY_COMPARE_WITH_TIMEOUT(again.model()->rowCount(), m_total, 30000);
    QVERIFY(again.findChild<PasswordDialog *>(QStringLiteral("passwordDialog")) == nullptr);
    StoreOpener::setSessionPassword(m_url, QString());
}

void TestPasswordPrompt::cleanup()
{
    // Nothing stays in the keyring for the next test (or the next suite in the same keyring).
    if (!qEnvironmentVariableIsEmpty("STALK_KEYRING_BUS")
        && qEnvironmentVariable("STALK_KEYRING_BUS") == qEnvironmentVariable("DBUS_SESSION_BUS_ADDRESS"))
        keyring(QStringLiteral("remove"), m_key);
    StoreOpener::setSessionPassword(m_url, QString());
}

PasswordKeyring::Answer TestPasswordPrompt::keyring(const QString &operation, const QString &key, const QString &password)
{
    QObject context;
    std::optional<PasswordKeyring::Answer> answer;
    const auto done = [&answer](const PasswordKeyring::Answer &got) { answer = got; };
    if (operation == u"read")
        PasswordKeyring::read(key, &context, done);
    else if (operation == u"write")
        PasswordKeyring::write(key, password, &context, done);
    else
        PasswordKeyring::remove(key, &context, done);
    if (!QTest::qWaitFor([&answer] { return answer.has_value(); }, 30000))
        return {PasswordKeyring::Answer::Status::Unavailable, {}, QStringLiteral("the keyring did not answer")};
    return *answer;
}

QProcess *TestPasswordPrompt::stalk(const QStringList &arguments, const QMap<QString, QString> &environment)
{
    auto *process = new QProcess;
    QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    for (auto it = environment.begin(); it != environment.end(); ++it) {
        if (it.value().isEmpty())
            env.remove(it.key());
        else
            env.insert(it.key(), it.value());
    }
    process->setProcessEnvironment(env);
    process->start(qEnvironmentVariable("STALK_BIN"), arguments);
    process->closeWriteChannel(); // standard input is a pipe: stalk cannot prompt
    process->waitForFinished(120000);
    return process;
}

PasswordDialog *TestPasswordPrompt::openAndWaitForDialog(MainWindow &window) const
{
    window.show();
    window.openUrl(m_url);
    return waitForDialog(window);
}

QString TestPasswordPrompt::keyringNote(PasswordDialog *dialog)
{
    auto *note = dialog->findChild<QLabel *>(QStringLiteral("keyringNote"));
    return note != nullptr && note->isVisible() ? note->text() : QString();
}

void TestPasswordPrompt::openAnsweringTheDialog(MainWindow &window, bool remember)
{
    PasswordDialog *dialog = openAndWaitForDialog(window);
    QVERIFY2(dialog, "no password dialog appeared");
    auto *keyringBox = dialog->findChild<QCheckBox *>(QStringLiteral("rememberInKeyring"));
    QVERIFY(keyringBox);
    QCOMPARE(keyringBox->text(), QStringLiteral("Remember in the system keyring"));
    QVERIFY(keyringBox->isEnabled());
    QVERIFY(!keyringBox->isChecked()); // memory only unless asked
    if (remember)
        QTest::mouseClick(keyringBox, Qt::LeftButton, {}, QPoint(4, keyringBox->height() / 2));
    QCOMPARE(keyringBox->isChecked(), remember);
    answer(dialog, m_password, false);
    QTRY_COMPARE_WITH_TIMEOUT(window.model()->rowCount(), m_total, 30000);
}

void TestPasswordPrompt::shouldSayTheKeyringIsUnavailableAndKeepThePasswordInMemory()
{
    // No session bus at all: what a headless server or a desktop without a keyring has.
    const QByteArray bus = qgetenv("DBUS_SESSION_BUS_ADDRESS");
    qputenv("DBUS_SESSION_BUS_ADDRESS", "unix:path=/nonexistent/stalk-no-bus");
    const auto restore = qScopeGuard([&bus] {
        if (bus.isEmpty())
            qunsetenv("DBUS_SESSION_BUS_ADDRESS");
        else
            qputenv("DBUS_SESSION_BUS_ADDRESS", bus);
    });
    {
        MainWindow window;
        PasswordDialog *dialog = openAndWaitForDialog(window);
        QVERIFY2(dialog, "no password dialog appeared without a keyring");
        const QString note = keyringNote(dialog);
        QVERIFY2(note.contains(QLatin1String("the system keyring is unavailable"))
                     && note.contains(QLatin1String("kept in memory only")),
                 qPrintable(note));
        QCOMPARE(window.statusBar()->currentMessage(), note);
        auto *keyringBox = dialog->findChild<QCheckBox *>(QStringLiteral("rememberInKeyring"));
        QVERIFY(keyringBox && !keyringBox->isEnabled());
        answer(dialog, m_password, false);
        QTRY_COMPARE_WITH_TIMEOUT(window.model()->rowCount(), m_total, 30000);
    }
    QVERIFY(!settingsHoldPassword());

    std::unique_ptr<QProcess> cli(stalk({QStringLiteral("count"), m_url, QStringLiteral("--keyring")},
                                        {{QStringLiteral("DBUS_SESSION_BUS_ADDRESS"), QString::fromLatin1(qgetenv("DBUS_SESSION_BUS_ADDRESS"))}}));
    const QString err = QString::fromUtf8(cli->readAllStandardError());
    QCOMPARE(cli->exitCode(), 1);
    QVERIFY2(err.startsWith(QLatin1String("stalk: cannot open ")) && err.contains(QLatin1String("--keyring: the system keyring is unavailable"))
                 && err.count(u'\n') == 1,
             qPrintable(err));
    QVERIFY(cli->readAllStandardOutput().isEmpty());
}

void TestPasswordPrompt::shouldStoreThePasswordInTheKeyringOnlyWhenAsked()
{
    STALK_REQUIRE_KEYRING();
    QCOMPARE(keyring(QStringLiteral("read"), m_key).status, PasswordKeyring::Answer::Status::NotFound);
    {
        MainWindow window;
        openAnsweringTheDialog(window, false);
    }
    QCOMPARE(keyring(QStringLiteral("read"), m_key).status, PasswordKeyring::Answer::Status::NotFound);
    {
        MainWindow window;
        openAnsweringTheDialog(window, true);
        QTRY_VERIFY_WITH_TIMEOUT(window.statusBar()->currentMessage().contains(QLatin1String("stored in the system keyring")), 30000);
        QVERIFY2(window.statusBar()->currentMessage().contains(m_key), qPrintable(window.statusBar()->currentMessage()));
    }
    const PasswordKeyring::Answer stored = keyring(QStringLiteral("read"), m_key);
    QCOMPARE(stored.status, PasswordKeyring::Answer::Status::Done);
    QCOMPARE(stored.password, m_password);
    QVERIFY(StoreOpener::sessionPassword(m_url).isEmpty());

    // The settings file on disk, as written, and what QSettings reads back: no password.
    QSettings settings;
    settings.sync();
    QFile file(settings.fileName());
    QVERIFY2(file.open(QIODevice::ReadOnly), qPrintable(settings.fileName()));
    const QByteArray bytes = file.readAll();
    QVERIFY2(bytes.contains(m_url.toUtf8()), "the window remembered no connection: the check below proves nothing");
    QVERIFY(!bytes.contains(m_password.toUtf8()));
    QVERIFY(!bytes.contains(QUrl::toPercentEncoding(m_password)));
    QVERIFY(!settingsHoldPassword());
}

void TestPasswordPrompt::openWithTheStoredPassword(MainWindow &window)
{
    QCOMPARE(keyring(QStringLiteral("write"), m_key, m_password).status, PasswordKeyring::Answer::Status::Done);
    window.show();
    window.openUrl(m_url);
    QTRY_COMPARE_WITH_TIMEOUT(window.model()->rowCount(), m_total, 30000);
    QVERIFY(window.findChild<PasswordDialog *>(QStringLiteral("passwordDialog")) == nullptr);
    QVERIFY(!bannerShown(window));
}

void TestPasswordPrompt::shouldOpenWithTheStoredPasswordWithoutAsking()
{
    STALK_REQUIRE_KEYRING();
    MainWindow window;
    openWithTheStoredPassword(window);
}

void TestPasswordPrompt::shouldLetTheCommandLineReadTheStoredPassword()
{
    STALK_REQUIRE_KEYRING();
    const QMap<QString, QString> noPassword{{QStringLiteral("STALK_PASSWORD"), QString()}};
    // Nothing stored: --keyring says so; without --keyring the keyring is not read at all.
    std::unique_ptr<QProcess> none(stalk({QStringLiteral("count"), m_url, QStringLiteral("--keyring")}, noPassword));
    QCOMPARE(none->exitCode(), 1);
    const QString noneErr = QString::fromUtf8(none->readAllStandardError());
    QVERIFY2(noneErr.contains(QStringLiteral("--keyring: the system keyring holds no password for %1").arg(m_key)), qPrintable(noneErr));

    QCOMPARE(keyring(QStringLiteral("write"), m_key, m_password).status, PasswordKeyring::Answer::Status::Done);
    std::unique_ptr<QProcess> without(stalk({QStringLiteral("count"), m_url}, noPassword));
    QCOMPARE(without->exitCode(), 1);
    QVERIFY(QString::fromUtf8(without->readAllStandardError()).contains(QLatin1String("standard input is not a terminal")));

    std::unique_ptr<QProcess> with(stalk({QStringLiteral("count"), m_url, QStringLiteral("--keyring")}, noPassword));
    QCOMPARE(QString::fromUtf8(with->readAllStandardError()), QString());
    QCOMPARE(with->exitCode(), 0);
    QCOMPARE(with->readAllStandardOutput().trimmed().toInt(), m_total);
    // Before the command too, as --read-only.
    std::unique_ptr<QProcess> before(stalk({QStringLiteral("--keyring"), QStringLiteral("count"), m_url}, noPassword));
    QCOMPARE(QString::fromUtf8(before->readAllStandardError()), QString());
    QCOMPARE(before->exitCode(), 0);
    QCOMPARE(before->readAllStandardOutput().trimmed().toInt(), m_total);
}

void TestPasswordPrompt::shouldAskAgainWhenTheStoredPasswordIsRejected()
{
    STALK_REQUIRE_KEYRING();
    QCOMPARE(keyring(QStringLiteral("write"), m_key, QStringLiteral("not-the-password")).status,
             PasswordKeyring::Answer::Status::Done);
    MainWindow window;
    PasswordDialog *dialog = openAndWaitForDialog(window);
    QVERIFY2(dialog, "no password dialog after the stored password was rejected");
    QCOMPARE(keyringNote(dialog), QStringLiteral("The password stored in the system keyring was rejected."));
    auto *keyringBox = dialog->findChild<QCheckBox *>(QStringLiteral("rememberInKeyring"));
    QVERIFY(keyringBox && keyringBox->isChecked()); // stored before: ticked, unticking forgets it
    keyringBox->setChecked(false);
    answer(dialog, m_password, false);
    QTRY_COMPARE_WITH_TIMEOUT(window.model()->rowCount(), m_total, 30000);
    QTRY_COMPARE_WITH_TIMEOUT(keyring(QStringLiteral("read"), m_key).status, PasswordKeyring::Answer::Status::NotFound, 30000);
}

void TestPasswordPrompt::shouldForgetTheStoredPasswordFromTheMenu()
{
    STALK_REQUIRE_KEYRING();
    MainWindow window;
    openWithTheStoredPassword(window);
    if (QTest::currentTestFailed())
        return;
    auto *forget = window.findChild<QAction *>(QStringLiteral("forgetPasswordAction"));
    QVERIFY(forget && forget->isEnabled());
    forget->trigger();
    QTRY_VERIFY_WITH_TIMEOUT(window.statusBar()->currentMessage().contains(QLatin1String("removed from the system keyring")), 30000);
    QCOMPARE(keyring(QStringLiteral("read"), m_key).status, PasswordKeyring::Answer::Status::NotFound);
    forget->trigger();
    QTRY_VERIFY_WITH_TIMEOUT(window.statusBar()->currentMessage().contains(QLatin1String("holds no password")), 30000);

    window.openUrl(QStringLiteral("sqlite:///nonexistent.sqlite3"));
    QVERIFY(!forget->isEnabled()); // SQLite: no password
}

QTEST_MAIN(TestPasswordPrompt)
#include "tst_passwordprompt.moc"
