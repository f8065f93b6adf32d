#pragma once

#include "resultstore.h"
#include "taskresult.h"

#include <QString>
#include <QStringList>
#include <QVector>

#include <cstdio>
#include <memory>

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

/// One CSV field (RFC 4180): quoted when it holds a comma, quote, CR or LF.
QString csvField(const QString &text);

/// Writes pages of rows in one of list's formats. Main thread only; owned by the caller of
/// create() (it keeps a reference to the console, which must outlive it).
class RowWriter
{
    Q_DISABLE_COPY_MOVE(RowWriter)
public:
    enum class Format { Table, Csv, Json, JsonLines };
    RowWriter() = default;
    virtual ~RowWriter() = default;
    virtual void begin() { }
    virtual void writePage(const QVector<TaskResult> &rows) = 0;
    virtual void end() { }

    /// What a writer writes besides the format. Plain value type.
    struct Options
    {
        int maxWidth = 0;      ///< the terminal width for tables (0 = no limit)
        bool decoded = false;  ///< add the --decode keys (json and jsonl only)
        bool header = true;    ///< table and csv: the header line (--no-header drops it)
        QVector<Field> columns; ///< table and csv: these columns (--fields); empty = the default
    };
    /// fields: what the store has (json/jsonl keys, csv's default columns).
    static std::unique_ptr<RowWriter> create(Format format, const CliConsole &console,
                                             const QVector<Field> &fields, const Options &options);
};

/// Fits table columns into maxWidth (0 = no limit): widths per column, given the natural
/// (widest) widths, a minimum per column, and which columns may shrink. Pure; for tests.
QVector<int> fitColumns(const QVector<int> &natural, const QVector<int> &minimum,
                        const QVector<bool> &shrinkable, int separator, int maxWidth);

