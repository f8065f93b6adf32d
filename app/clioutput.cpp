#include "clioutput.h"

#include <sys/ioctl.h>
#include <unistd.h>

namespace {

void writeTo(FILE *stream, const QString &text)
{
    const QByteArray bytes = text.toUtf8();
    if (!bytes.isEmpty())
        std::fwrite(bytes.constData(), 1, size_t(bytes.size()), stream);
}

} // namespace

void CliConsole::out(const QString &text) const
{
    writeTo(stdout, text);
}

void CliConsole::err(const QString &text) const
{
    // stderr is unbuffered; make sure what went to stdout before comes first on a terminal.
    std::fflush(stdout);
    writeTo(stderr, text);
}

void CliConsole::flush() const
{
    std::fflush(stdout);
}

bool CliConsole::outputFailed() const
{
    return std::ferror(stdout) != 0;
}

bool CliConsole::stdinIsTerminal()
{
    return ::isatty(STDIN_FILENO) == 1;
}

bool CliConsole::stdoutIsTerminal()
{
    return ::isatty(STDOUT_FILENO) == 1;
}

bool CliConsole::stderrIsTerminal()
{
    return ::isatty(STDERR_FILENO) == 1;
}

int CliConsole::terminalColumns()
{
    bool ok = false;
    const int columns = qEnvironmentVariableIntValue("COLUMNS", &ok);
    if (ok && columns > 0)
        return columns;
    if (!stdoutIsTerminal())
        return 0;
    winsize size{};
    if (::ioctl(STDOUT_FILENO, TIOCGWINSZ, &size) == 0 && size.ws_col > 0)
        return size.ws_col;
    return 80;
}
