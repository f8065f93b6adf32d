#include <QCoreApplication>

#include "cli.h"
#include "gui.h"

int main(int argc, char *argv[])
{
    // Decided before any Q*Application exists: commands must run without a display.
    const QStringList arguments = Cli::argumentsFrom(argc, argv);
    const Cli::Route route = Cli::route(arguments);
    if (route.kind == Cli::Route::Kind::Window)
        return runWindow(argc, argv, route.url, route.readOnly);

    QCoreApplication app(argc, argv);
    QCoreApplication::setApplicationName(QStringLiteral("stalk"));
    return Cli::run(arguments);
}
