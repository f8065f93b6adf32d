#include <QCheckBox>
#include <QDialogButtonBox>
#include <QFile>
#include <QJsonDocument>
#include <QJsonObject>
#include <QLineEdit>
#include <QPushButton>
#include <QRegularExpression>
#include <QSettings>
#include <QStandardPaths>
#include <QTest>

#include "errorbanner.h"
#include "mainwindow.h"
#include "passworddialog.h"
#include "storeopener.h"
#include "taskresultmodel.h"
#include "testsupport.h"

/// The window asks for a server password (issue 4): opened on a PostgreSQL URL that names a
/// user but no password, the real server (tools/servers/with_postgres.sh) rejects the login,
/// the PasswordDialog appears, and the typed password opens the database; a wrong password
/// shows the error banner. The password is never written to QSettings.
class TestPasswordPrompt final : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void shouldTellARejectedLoginByItsCode();
    void shouldShowTheBannerAfterAWrongPassword();
    void shouldShowTheBannerWhenTheDialogIsCancelled();
    void shouldOpenWithTheTypedPasswordWithoutKeepingIt();
    void shouldRememberThePasswordForTheSessionOnlyInMemory();

private:
    /// Waits for the window's password dialog; nullptr after the timeout.
    static PasswordDialog *waitForDialog(MainWindow &window);
    /// Types password into the dialog (and ticks "Remember" when asked) and presses Connect.
    static void answer(PasswordDialog *dialog, const QString &password, bool remember);
    static bool bannerShown(MainWindow &window);
    bool settingsHoldPassword() const;

    QString m_url;      ///< STALK_PG_URL without its password
    QString m_password; ///< the password stripped from it
    int m_total = 0;    ///< rows in the database (the server's expectations.json)
};

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

QTEST_MAIN(TestPasswordPrompt)
#include "tst_passwordprompt.moc"
