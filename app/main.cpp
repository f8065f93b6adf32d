#include <cstdio>

#include <QCoreApplication>
#include <QLocale>

#include "cli.h"
#include "sqldialect.h"
#include "stalklog.h"
#if STALK_GUI
#include "gui.h"
#endif

int main(int argc, char *argv[])
{
    // SQL drivers' own warnings (a server gone mid-operation) are not the one sentence a
    // failure prints; --verbose or QT_LOGGING_RULES="stalk.sql=true" shows them.
    routeSqlDriverWarnings();
    // Decided before any Q*Application exists: commands must run without a display.
    const QStringList arguments = Cli::argumentsFrom(argc, argv);
    const Cli::Route route = Cli::route(arguments);
    if (route.kind == Cli::Route::Kind::Window) {
        if (route.verbose)
            StalkLog::enableVerbose();
        // Without a display Qt aborts with a page about platform plugins; say it in one line.
        if (const QString reason = Cli::windowUnavailableReason(arguments); !reason.isEmpty()) {
            std::fprintf(stderr, "stalk: %s\n", reason.toLocal8Bit().constData());
            return Cli::ExitFailure;
        }
#if STALK_GUI
        return runWindow(argc, argv, route.url, route.readOnly);
#endif
    }

    QCoreApplication app(argc, argv);
    QCoreApplication::setApplicationName(QStringLiteral("stalk"));
    // Scripts parse what commands print: no translator is installed here (only the window's
    // runWindow() installs them), and numbers read "44.32 s" whatever LANG says, not "44,32 s".
    QLocale::setDefault(QLocale::c());
    return Cli::run(arguments);
}
