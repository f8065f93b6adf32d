#pragma once

#include <QString>
#include <QStringView>

/// JSON string escaping (the text between the quotes). Pure functions; any thread.
namespace JsonEscape {

enum class Mode {
    /// `"`, `\` and control characters only: json.dumps(…, ensure_ascii=False).
    ControlOnly,
    /// Also every UTF-16 unit outside printable ASCII as \uXXXX (astral characters as
    /// surrogate pairs): what Python's json.dumps writes by default (ensure_ascii=True).
    Ascii,
};

/// Appends text escaped for a JSON string, without the surrounding quotes.
void append(QString &out, QStringView text, Mode mode);

/// text escaped for a JSON string, without the surrounding quotes.
QString escaped(QStringView text, Mode mode);

} // namespace JsonEscape
