#pragma once

#include "resultstore.h"
#include "taskresult.h"

#include <QJsonObject>
#include <QJsonValue>
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

/// Which fields list/show print, in order: the FORMATS.md columns (id … date_done) always,
/// then group_id, parent_id, queue, retries, hidden when the store's schema has them.
QVector<Field> outputFields(const StoreInfo &info);

/// The JSON value of one field: text as stored, dates as formatTimestamp(), null for
/// NULL/unavailable.
QJsonValue fieldJson(const TaskResult &row, Field field);
/// The object for list --format json/jsonl and show. Adds "problems" when the row has any.
/// decoded (--decode) adds "task_args_decoded", "task_kwargs_decoded" and "result_decoded":
/// ValueDecoder's readable text ("(1, 'Zoë')"), null where the stored value is NULL.
QJsonObject resultJson(const TaskResult &row, const QVector<Field> &fields, bool decoded = false);

/// resultJson() as JSON text, keys in the order of fields (then the decoded ones, then
/// "problems"), without the cost of QJsonDocument (list writes millions of them). Indented:
/// one key per line, 4 spaces. Non-ASCII is written as is (UTF-8 on output); control
/// characters are escaped.
QString resultJsonText(const TaskResult &row, const QVector<Field> &fields, bool indented = false,
                       bool decoded = false);

/// text as a JSON string literal, quotes included.
QString jsonString(const QString &text);

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

    /// maxWidth: the terminal width for tables (0 = no limit).
    /// decoded: add the --decode keys (json and jsonl only).
    static std::unique_ptr<RowWriter> create(Format format, const CliConsole &console,
                                             const QVector<Field> &fields, int maxWidth,
                                             bool decoded = false);
};

/// Fits table columns into maxWidth (0 = no limit): widths per column, given the natural
/// (widest) widths, a minimum per column, and which columns may shrink. Pure; for tests.
QVector<int> fitColumns(const QVector<int> &natural, const QVector<int> &minimum,
                        const QVector<bool> &shrinkable, int separator, int maxWidth);

/// text cut to width characters with a "…" at the end (or, ElideLeft, the start) when longer.
QString elide(const QString &text, int width, Qt::TextElideMode mode = Qt::ElideRight);
