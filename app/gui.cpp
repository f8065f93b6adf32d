#include "gui.h"

#include "mainwindow.h"

#include <QAction>
#include <QApplication>
#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QIcon>
#include <QLibraryInfo>
#include <QLocale>
#include <QStandardPaths>
#include <QTranslator>
#include <QUrl>

#ifndef STALK_VERSION
#define STALK_VERSION "0.1.0"
#endif

namespace {

/// Where the bundled demo database can be found: the Qt resource first, then next to the
/// binary (installed or in the build tree), then the source tree's resources/.
QString demoSource()
{
    const QString resource = QStringLiteral(":/stalk/demo.sqlite3");
    if (QFile::exists(resource))
        return resource;
    const QDir binDir(QCoreApplication::applicationDirPath());
    const QStringList candidates{
        binDir.filePath(QStringLiteral("demo.sqlite3")),
        binDir.filePath(QStringLiteral("../share/stalk/demo.sqlite3")),
        binDir.filePath(QStringLiteral("../resources/demo.sqlite3")),
        binDir.filePath(QStringLiteral("../../resources/demo.sqlite3")),
    };
    for (const QString &path : candidates) {
        if (QFileInfo::exists(path))
            return QFileInfo(path).canonicalFilePath();
    }
    return {};
}

/// The demo database as a writable copy in the application data directory, made on first
/// use, so deleting expired results works on the copy and never on the bundled file.
/// Empty when no demo database is bundled.
QString demoDatabase()
{
    const QString dataDir = QStandardPaths::writableLocation(QStandardPaths::AppDataLocation);
    if (dataDir.isEmpty())
        return {};
    const QString copy = QDir(dataDir).filePath(QStringLiteral("demo.sqlite3"));
    if (QFileInfo::exists(copy))
        return copy;
    const QString source = demoSource();
    if (source.isEmpty() || !QDir().mkpath(dataDir) || !QFile::copy(source, copy))
        return {};
    // Files copied out of a Qt resource are read-only.
    QFile::setPermissions(copy, QFileDevice::ReadOwner | QFileDevice::WriteOwner
                                    | QFileDevice::ReadGroup | QFileDevice::ReadOther);
    return copy;
}

} // namespace

void installTranslations(QCoreApplication &app, const QLocale &locale)
{
    const auto install = [&app](const auto &load) {
        auto *translator = new QTranslator(&app);
        if (load(*translator))
            QCoreApplication::installTranslator(translator);
        else
            delete translator;
    };
    const auto forLocale = [&locale](const QString &name, const QString &directory) {
        return [&locale, name, directory](QTranslator &translator) {
            return translator.load(locale, name, QStringLiteral("_"), directory);
        };
    };
    // English plural forms first, whatever the locale (LANG=C too): the catalogues installed
    // after it are searched before it, so a language with its own catalogue keeps its forms.
    install([](QTranslator &translator) { return translator.load(QStringLiteral(":/stalk/plurals/stalk_en.qm")); });
    install(forLocale(QStringLiteral("qtbase"), QLibraryInfo::path(QLibraryInfo::TranslationsPath)));
    install(forLocale(QStringLiteral("stalk"), QStringLiteral(":/stalk/translations")));
}

int runWindow(int &argc, char **argv, const QString &url, bool readOnly)
{
    QApplication::setHighDpiScaleFactorRoundingPolicy(
        Qt::HighDpiScaleFactorRoundingPolicy::PassThrough);
    QApplication app(argc, argv);
    // LANGUAGE, LC_ALL, LC_MESSAGES or LANG, as every desktop program reads them.
    installTranslations(app, QLocale::system());
    QCoreApplication::setOrganizationName(QStringLiteral("Stalk"));
    QCoreApplication::setApplicationName(QStringLiteral("Stalk"));
    QCoreApplication::setApplicationVersion(QStringLiteral(STALK_VERSION));
    QGuiApplication::setApplicationDisplayName(QStringLiteral("Stalk"));
    QGuiApplication::setDesktopFileName(QStringLiteral("stalk"));
    QGuiApplication::setWindowIcon(QIcon(QStringLiteral(":/stalk/stalk.svg")));
    // Without a desktop session (Xvfb, bare window managers) Qt has no icon theme: fall back
    // to Adwaita when it is installed; a real desktop's theme still wins.
    if (QIcon::fallbackThemeName().isEmpty() || QIcon::fallbackThemeName() == QLatin1String("hicolor"))
        QIcon::setFallbackThemeName(QStringLiteral("Adwaita"));

    MainWindow window;
    QString target = url;
    if (target.isEmpty()) {
        const QString demo = demoDatabase();
        if (!demo.isEmpty())
            target = QStringLiteral("sqlite:///") + demo; // demo is absolute: sqlite:////…
    }
    window.show();
    if (!target.isEmpty()) {
        window.openUrl(target, readOnly);
    } else if (QAction *open = window.findChild<QAction *>(QStringLiteral("openAction"))) {
        open->trigger(); // nothing to show: put the cursor in the URL field
    }
    return app.exec();
}
