#pragma once

// rowwriter.h: the formats `stalk list` writes to this console (csvField, fitColumns too).
#include "rowwriter.h"

#include <QString>

#include <cstdio>

/// Standard output and error of the command line, written as UTF-8 through stdio (so output
/// to a pipe is buffered and a terminal sees whole lines). Main thread only.
class CliConsole final
{
public:
    void out(const QString &text) const;
    void err(const QString &text) const;
    void flush() const;
    /// True once writing to stdout failed (a closed pipe: `stalk list … | head`).
    bool outputFailed() const;

    static bool stdinIsTerminal();
    static bool stdoutIsTerminal();
    static bool stderrIsTerminal();
    /// The width of the terminal on stdout; 0 when stdout is not a terminal (unlimited),
    /// unless COLUMNS is set.
    static int terminalColumns();
};
