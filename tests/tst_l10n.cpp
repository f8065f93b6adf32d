// The window speaks the session's language (LANG), Qt's own dialogs too; the command line
// stays English whatever LANG says. CTest runs this suite twice (tests/CMakeLists.txt): as
// l10n under LANG=de_DE.UTF-8 and as l10n_c under LANG=C, STALK_L10N_EXPECT saying which
// language the window must show ("de" or "en").
#include "gui.h"
#include "mainwindow.h"
#include "testsupport.h"

#include <QAction>
#include <QApplication>
#include <QCoreApplication>
#include <QDialogButtonBox>
#include <QDir>
#include <QFile>
#include <QList>
#include <QLocale>
#include <QMenu>
#include <QMenuBar>
#include <QMultiHash>
#include <QProcess>
#include <QProcessEnvironment>
#include <QPushButton>
#include <QStandardPaths>
#include <QStringList>
#include <QTest>
#include <QXmlStreamReader>

namespace {

/// What the real `stalk` prints for arguments under LANG=lang, every other locale variable
/// removed so LANG decides: stdout, stderr and the exit code in one string.
QByteArray runStalk(const QStringList &arguments, const QString &lang)
{
    QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    for (const char *name : {"LC_ALL", "LC_MESSAGES", "LC_NUMERIC", "LC_TIME", "LANGUAGE"})
        env.remove(QString::fromLatin1(name));
    env.insert(QStringLiteral("LANG"), lang);
    QProcess process;
    process.setProcessEnvironment(env);
    process.start(qEnvironmentVariable("STALK_BIN"), arguments);
    if (!process.waitForFinished(60000))
        return "did not finish";
    return process.readAllStandardOutput() + "\n--- stderr\n" + process.readAllStandardError()
           + "\n--- exit " + QByteArray::number(process.exitCode());
}

/// The accelerator letter of a menu text ("Datei ö&ffnen …" -> 'f'), or a null QChar.
QChar accelerator(const QString &text)
{
    for (qsizetype i = text.indexOf(QLatin1Char('&')); i >= 0 && i + 1 < text.size();
         i = text.indexOf(QLatin1Char('&'), i + 2)) {
        if (text.at(i + 1) != QLatin1Char('&'))
            return text.at(i + 1).toLower();
    }
    return {};
}

/// "menu: x in A, B" for each accelerator letter two visible items of one menu share.
QStringList sharedAccelerators(const QString &menuTitle, const QList<QAction *> &actions)
{
    QStringList clashes;
    QMultiHash<QChar, QString> byLetter;
    for (const QAction *action : actions) {
        if (action->isSeparator() || !action->isVisible())
            continue;
        if (const QChar letter = accelerator(action->text()); !letter.isNull())
            byLetter.insert(letter, action->text());
    }
    for (const QChar letter : byLetter.uniqueKeys()) {
        if (const QStringList texts = byLetter.values(letter); texts.size() > 1)
            clashes << QStringLiteral("%1: %2 in %3").arg(menuTitle, QString(letter), texts.join(QStringLiteral(", ")));
    }
    for (const QAction *action : actions) {
        if (action->menu())
            clashes << sharedAccelerators(action->text(), action->menu()->actions());
    }
    return clashes;
}

} // namespace

class TestL10n final : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();

    void shouldShowTheMenusInTheSessionLanguage();
    void shouldShowQtsOwnButtonsInTheSessionLanguage();
    void shouldGiveEachItemOfAMenuItsOwnAccelerator();
    void shouldSayOneAndManyInTheSessionLanguage();
    void shouldPrintTheSameCommandLineOutputWhateverLang_data();
    void shouldPrintTheSameCommandLineOutputWhateverLang();

private:
    bool m_german = false;
};

void TestL10n::initTestCase()
{
    QStandardPaths::setTestModeEnabled(true);
    const QString expect = qEnvironmentVariable("STALK_L10N_EXPECT");
    QVERIFY2(expect == QLatin1String("de") || expect == QLatin1String("en"),
             "STALK_L10N_EXPECT must say de or en (tests/CMakeLists.txt sets it with LANG)");
    m_german = expect == QLatin1String("de");
    // What runWindow() does, with the locale LANG gives.
    installTranslations(*qApp, QLocale::system());
}

void TestL10n::shouldShowTheMenusInTheSessionLanguage()
{
    MainWindow window;
    QStringList titles;
    for (const QAction *action : window.menuBar()->actions())
        titles << action->text();
    const QStringList expected = m_german
        ? QStringList{QStringLiteral("&Datei"), QStringLiteral("&Bearbeiten"), QStringLiteral("&Ansicht"),
                      QStringLiteral("&Ergebnisse"), QStringLiteral("&Hilfe")}
        : QStringList{QStringLiteral("&File"), QStringLiteral("&Edit"), QStringLiteral("&View"),
                      QStringLiteral("&Results"), QStringLiteral("&Help")};
    QCOMPARE(titles, expected);
    auto *quit = window.findChild<QAction *>(QStringLiteral("quitAction"));
    QVERIFY(quit);
    QCOMPARE(quit->text(), m_german ? QStringLiteral("&Beenden") : QStringLiteral("&Quit"));
}

void TestL10n::shouldShowQtsOwnButtonsInTheSessionLanguage()
{
    // Qt's own strings come from qtbase_de.qm (qt6-translations-l10n), not from Stalk's catalogue.
    QDialogButtonBox buttons(QDialogButtonBox::Ok | QDialogButtonBox::Cancel);
    QCOMPARE(buttons.button(QDialogButtonBox::Cancel)->text(),
             m_german ? QStringLiteral("Abbrechen") : QStringLiteral("Cancel"));
}

void TestL10n::shouldGiveEachItemOfAMenuItsOwnAccelerator()
{
    MainWindow window;
    QStringList clashes = sharedAccelerators(QStringLiteral("menu bar"), window.menuBar()->actions());
    QVERIFY2(clashes.isEmpty(), qPrintable(clashes.join(QLatin1Char('\n'))));
}

void TestL10n::shouldSayOneAndManyInTheSessionLanguage()
{
    // Every message with %n (the plural catalogue lists them all: the translations suite keeps
    // it complete) reads "1 row" / "2 rows", never the source's "row(s)", in English and German.
    QFile file(QStringLiteral(STALK_PLURALS_TS));
    QVERIFY2(file.open(QIODevice::ReadOnly), qPrintable(file.fileName()));
    QXmlStreamReader xml(&file);
    QString context;
    int messages = 0;
    while (!xml.atEnd()) {
        if (xml.readNext() != QXmlStreamReader::StartElement)
            continue;
        if (xml.name() == QLatin1String("name")) {
            context = xml.readElementText();
        } else if (xml.name() == QLatin1String("source")) {
            const QByteArray source = xml.readElementText().toUtf8();
            ++messages;
            for (int n : {1, 2, 5}) {
                const QString text = QCoreApplication::translate(context.toUtf8().constData(), source.constData(), nullptr, n);
                QVERIFY2(!text.contains(QLatin1String("(s)")) && text != QString::fromUtf8(source),
                         qPrintable(QStringLiteral("%1 (n = %2): %3").arg(context).arg(n).arg(text)));
            }
            if (!m_german && context == QLatin1String("MainWindow")) {
                QCOMPARE(QCoreApplication::translate("MainWindow", source.constData(), nullptr, 1),
                         QStringLiteral("Copied 1 row as JSON"));
                QCOMPARE(QCoreApplication::translate("MainWindow", source.constData(), nullptr, 2),
                         QStringLiteral("Copied 2 rows as JSON"));
            }
        }
    }
    QVERIFY2(!xml.hasError(), qPrintable(xml.errorString()));
    QVERIFY(messages >= 4);
}

void TestL10n::shouldPrintTheSameCommandLineOutputWhateverLang_data()
{
    QTest::addColumn<QStringList>("arguments");
    const QString db = QDir(TestSupport::fixturesDir()).filePath(QStringLiteral("django.sqlite3"));
    QTest::newRow("--help") << QStringList{QStringLiteral("--help")};
    QTest::newRow("list --help") << QStringList{QStringLiteral("list"), QStringLiteral("--help")};
    QTest::newRow("count (demo)") << QStringList{QStringLiteral("count"), QStringLiteral(STALK_DEMO_DB)};
    QTest::newRow("count") << QStringList{QStringLiteral("count"), db};
    QTest::newRow("runtimes (decimals)") << QStringList{QStringLiteral("runtimes"), db};
    QTest::newRow("stats") << QStringList{QStringLiteral("stats"), db};
    QTest::newRow("an error") << QStringList{QStringLiteral("list"), db, QStringLiteral("--status"), QStringLiteral("nonsense")};
}

void TestL10n::shouldPrintTheSameCommandLineOutputWhateverLang()
{
    QFETCH(QStringList, arguments);
    QVERIFY2(TestSupport::haveFixtures(), "STALK_FIXTURES has no fixture databases");
    const QByteArray english = runStalk(arguments, QStringLiteral("C"));
    QVERIFY2(english.size() > qsizetype(sizeof("\n--- stderr\n\n--- exit 0")), english.constData()); // it printed something
    QCOMPARE(runStalk(arguments, QStringLiteral("de_DE.UTF-8")), english);
}

QTEST_MAIN(TestL10n)
#include "tst_l10n.moc"
