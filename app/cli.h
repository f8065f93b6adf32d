#pragma once

#include <QString>
#include <QStringList>

/// The `stalk` command line: `stalk count|list|show|stats|purge URL …` (see `stalk --help`).
/// Commands use the core (ResultStore, Purger) directly and synchronously on the main
/// thread, with a QCoreApplication and no display.
namespace Cli {

/// Exit statuses: part of the contract that operators' scripts rely on.
enum ExitStatus {
    ExitSuccess = 0, ///< done
    ExitFailure = 1, ///< the store could not be opened/read/written (one line on stderr)
    ExitUsage = 2,   ///< the command line is wrong (a message and a hint to --help on stderr)
};

/// What main() does with its arguments.
struct Route
{
    enum class Kind { Window, Command };
    Kind kind = Kind::Command;
    QString url;           ///< Window: what to open; empty = the bundled demo database
    bool readOnly = false; ///< Window: --read-only was given
    bool verbose = false;  ///< Window: --verbose (-v) was given: StalkLog::enableVerbose()
};

/// Decides, before any Q*Application exists, whether the arguments (without the program
/// name) open the window — `stalk`, `stalk URL`, `stalk --read-only --verbose URL`, also with Qt's own
/// GUI options such as `-platform offscreen` — or go to run(): commands, --help,
/// --version and every usage error.
Route route(const QStringList &arguments);

/// Runs a command line (arguments without the program name); needs a QCoreApplication on
/// the calling (main) thread. Writes to stdout/stderr and returns an ExitStatus.
int run(const QStringList &arguments);

/// Why the window cannot open here, or an empty string: a build without the window
/// (STALK_GUI=OFF), or on Linux no DISPLAY, no WAYLAND_DISPLAY, no QT_QPA_PLATFORM and no
/// -platform option (Qt would abort instead).
QString windowUnavailableReason(const QStringList &arguments);

/// argv[1..] decoded from the locale's encoding.
QStringList argumentsFrom(int argc, char **argv);

/// The version line printed by --version ("stalk 0.1.0").
QString versionText();

} // namespace Cli
