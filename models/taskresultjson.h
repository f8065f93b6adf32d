#pragma once

#include "resultstore.h"
#include "taskresult.h"

#include <QString>
#include <QVector>

// A task result as JSON: what `stalk show` prints, each object of `stalk list --format
// json/jsonl`, and the window's "Copy Row as JSON". The README's command-line section is the
// contract for this text. Pure functions; any thread.

/// Which fields a row is written with, in order: the FORMATS.md columns (id … date_done)
/// always, then group_id, parent_id, queue, retries, hidden when the store's schema has them.
/// (Also the columns of `stalk list --format csv`.)
QVector<Field> outputFields(const StoreInfo &info);

/// One row as a JSON object, keys in the order of fields: text as stored, dates as
/// TimeParse::formatTimestamp(), null for NULL/unavailable. decoded (--decode) adds
/// "task_args_decoded", "task_kwargs_decoded" and "result_decoded": ValueDecoder's readable
/// text ("(1, 'Zoë')"), null where the stored value is NULL. Then "problems" when the row has
/// any. Written without QJsonDocument (list writes millions of them). Indented (`stalk show`):
/// one key per line, 4 spaces, and a final newline; else one line. Non-ASCII is written as is;
/// control characters are escaped.
QString resultJsonText(const TaskResult &row, const QVector<Field> &fields, bool indented = false,
                       bool decoded = false);
/// resultJsonText() appended to out (no allocation per row).
void appendResultJson(QString &out, const TaskResult &row, const QVector<Field> &fields, bool indented = false,
                      bool decoded = false);

/// A JSON array of rows as `stalk list --format json` prints it: "[", each row compact on its
/// own line, "]" and a newline. Written in pieces so that pages can stream. Plain value.
class ResultJsonArray final
{
public:
    /// What starts the array.
    static QString begin() { return QStringLiteral("["); }
    /// One row, after begin() and before end().
    void append(QString &out, const TaskResult &row, const QVector<Field> &fields, bool decoded = false);
    /// What ends the array.
    QString end() const { return m_first ? QStringLiteral("]\n") : QStringLiteral("\n]\n"); }

private:
    bool m_first = true;
};
