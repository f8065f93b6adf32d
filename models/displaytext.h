#pragma once

#include <QString>

/// How stored text is shown to a person: the one rule for every human-readable output (the
/// command line's tables, stats, summaries and error sentences; the window's labels, banner
/// and dialogs). JSON keeps the exact data (escaped as JSON), CSV keeps it as stored.
///
/// Control characters never reach a terminal or a label as they are. C0 controls
/// (U+0000–U+001F), DEL (U+007F), C1 controls (U+0080–U+009F), the line and paragraph
/// separators (U+2028, U+2029) and the bidirectional controls (U+061C, U+200E, U+200F,
/// U+202A–U+202E, U+2066–U+2069) are written as Python writes them in a string's repr():
/// `\t`, `\n`, `\r`, `\x1b`, `\x07`, `\x00`, `\x7f`, `\x9b`, `\u202e`. A value (value())
/// also doubles its backslashes, so the form is unambiguous: `\x1b` on screen is an ESC,
/// `\\x1b` the four stored characters. A sentence (sentence()) is prose around values: its
/// line breaks become spaces, the other controls are escaped, its backslashes stay.
///
/// Widths are terminal columns, measured per grapheme cluster with glibc's wcwidth() in
/// the C.UTF-8 locale whatever the process's locale: wide CJK characters and emoji take 2,
/// combining marks 0 (a cluster takes the widest of its code points; an emoji presentation
/// selector or a flag makes it 2).
///
/// Pure functions; any thread.
namespace DisplayText {

/// The widest a stored value is shown in a table cell or a summary, in columns; longer
/// values end in "…" (the whole value: JSON, CSV or `stalk show`).
constexpr int maxColumns = 80;

/// text with every control escaped and backslashes doubled; when maxColumns > 0, cut to
/// that many columns with a "…" at the end.
QString value(const QString &text, int maxColumns = 0);
/// text as one line: each CR and LF becomes a space, other controls are escaped, the ends
/// trimmed.
QString sentence(const QString &text);

/// The terminal columns text takes (text already escaped: no controls).
int width(const QString &text);
/// text cut to at most `columns` columns with "…" at the end (ElideLeft: at the start), at a
/// grapheme cluster boundary; unchanged when it fits.
QString elided(const QString &text, int columns, Qt::TextElideMode mode = Qt::ElideRight);
/// text followed by spaces up to `columns` columns (unchanged when it is as wide or wider).
QString padded(const QString &text, int columns);

} // namespace DisplayText
