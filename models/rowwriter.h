#pragma once

#include "resultstore.h"
#include "taskresult.h"

#include <QString>
#include <QVector>

#include <functional>
#include <memory>
#include <optional>

/// Where a RowWriter's text goes, piece by piece in order (stdout for `stalk list`, a file for
/// the window's export).
using TextSink = std::function<void(const QString &text)>;

/// One CSV field (RFC 4180): quoted when it holds a comma, quote, CR or LF.
QString csvField(const QString &text);

/// Writes pages of rows in one of `stalk list`'s formats — the one home of those formats, for
/// the command line and the window's File → Export alike. The README's command-line section
/// is the contract for this text. Owned by the caller of create(); used on one thread at a
/// time (the sink is called on it).
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
        int maxWidth = 0;       ///< the terminal width for tables (0 = no limit)
        bool decoded = false;   ///< add the --decode keys (json and jsonl only)
        bool header = true;     ///< table and csv: the header line (--no-header drops it)
        QVector<Field> columns; ///< table and csv: these columns (--fields); empty = the default
    };
    /// fields: what the store has, outputFields() of it: the keys of json and jsonl, the
    /// columns of csv unless options.columns names others.
    static std::unique_ptr<RowWriter> create(Format format, TextSink sink, const QVector<Field> &fields,
                                             const Options &options);

    /// `--format`'s names: "table", "csv", "json", "jsonl" (also the export's file suffixes).
    static QString formatName(Format format);
    /// The format of one of formatName()'s names; none for any other text.
    static std::optional<Format> formatNamed(const QString &name);

    /// Rows read per page by whoever streams a whole query through a writer (`stalk list`,
    /// the export): complete rows, so memory stays flat at any number of rows.
    static constexpr int pageRows = 5000;
};

/// Fits table columns into maxWidth (0 = no limit): widths per column, given the natural
/// (widest) widths, a minimum per column, and which columns may shrink. Pure; for tests.
QVector<int> fitColumns(const QVector<int> &natural, const QVector<int> &minimum,
                        const QVector<bool> &shrinkable, int separator, int maxWidth);
