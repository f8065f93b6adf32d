#pragma once

// rowwriter.h: the formats `stalk list` writes to this console (csvField, fitColumns too).
#include "rowwriter.h"

#include <QHash>
#include <QJsonValue>
#include <QList>
#include <QString>
#include <QStringList>
#include <QVector>

#include <cstdio>
#include <functional>
#include <optional>

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

/// The aggregates' records (`stats --by`, `runtimes`, `failures`) in `--format table|csv|json`: one
/// record per row, the same columns in every record. Plain value type.
struct CliRecords
{
    enum class Format { Table, Csv, Json };
    /// "table", "csv", "json"; none for any other name.
    static std::optional<Format> formatNamed(const QString &name);

    QStringList columns;                 ///< the JSON keys and CSV header, in order
    QVector<QVector<QJsonValue>> rows;   ///< a string, a number, an array, an object or null per column
    /// The table's text of a cell (default: the value; '-' for null); the table right-aligns
    /// numbers.
    std::function<QString(int column, const QJsonValue &value)> display;
    /// Columns only some formats write (by index; a column not listed is in every format):
    /// a field added to the JSON after the CSV's columns were fixed, a mark only people read.
    QHash<int, QList<Format>> onlyIn;

    /// json: an array with one object per line, keys in column order (numbers as JSON writes
    /// them, null as null); csv: RFC 4180 (CRLF) with a header row, null as an empty field,
    /// an array or object as its compact JSON;
    /// table: aligned columns, stored text shown by DisplayText.
    QString text(Format format) const;

private:
    /// The indexes of the columns `format` writes, in order.
    QVector<int> columnsIn(Format format) const;
};
