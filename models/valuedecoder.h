#pragma once

#include "taskresult.h"

#include <QByteArray>
#include <QString>
#include <QStringList>

/// Turns stored text into what a person should read. Pure functions; any thread.
namespace ValueDecoder {

/// What kind of value a stored result/args text turned out to be.
enum class Kind {
    Null,       ///< NULL in the store
    Json,       ///< valid JSON, pretty-printed
    Exception,  ///< Celery's exception dict {"exc_type", "exc_message", "exc_module"}
    PythonRepr, ///< args/kwargs: a JSON string holding a Python literal
    Pickle,     ///< binary content that is a Python pickle (never unpickled)
    Binary,     ///< other base64 binary content (msgpack, …): shown as bytes
    Text,       ///< anything else, shown as it is (with a problem noted when it should have parsed)
};

struct Decoded
{
    Kind kind = Kind::Null;
    QString text;     ///< multi-line, readable form for the detail pane
    QString summary;  ///< one line for table cells ("ValueError: boom", "{"a": 1}")
    QString problem;  ///< why it could not be decoded as expected; empty when fine
};

/// A stored exception as its parts. Plain value type.
struct ExceptionInfo
{
    QString type;    ///< the class name ("ValueError", "PaymentDeclined"); empty = none found
    QString module;  ///< as stored ("builtins", "proj.billing"); empty when not recorded
    QString message; ///< str(exception) ("boom"; a KeyError's key as its repr)

    bool isValid() const { return !type.isEmpty(); }
    /// "ValueError" for builtins (or no module), else "proj.billing.PaymentDeclined".
    QString qualifiedType() const;
    /// The rule of `--exception NAME` and of the query's exception filter: true when `name` is
    /// the class name ("ValueError": of any module) or the class with its module
    /// ("builtins.ValueError", "proj.billing.PaymentDeclined"; builtins stored with another
    /// module name or none are "builtins."). Case-sensitive, as Python names are.
    bool isNamed(const QString &name) const;
    /// isNamed() by one of `names`.
    bool isNamedAnyOf(const QStringList &names) const;
};

/// The exception a failed result holds — the one rule the detail pane's "ValueError: boom"
/// and `stalk failures` share: Celery's {"exc_type", "exc_module", "exc_message"} in a JSON
/// result or a pickled one (read by PickleReader, never unpickled), a pickled exception
/// object's class and args; else the exception line of the traceback ("mod.Error: text" split
/// at the first ": " and the last '.' before it). Invalid when none of them names one.
ExceptionInfo exceptionOf(const QString &stored, const QString &contentType, const QString &contentEncoding,
                          const QString &traceback);

/// A task result (the `result` column) given its content type and encoding.
/// - application/json + utf-8: pretty JSON (stored key order, numbers as written); exception
///   dicts as "Type: message" (module prefix unless builtins); kombu's {"__type__", "__value__"}
///   wrappers shown as their value; STARTED's {"pid", "hostname"} summarised.
/// - encoding "binary": base64-decoded; pickles read by PickleReader (never executed) and shown
///   as Python literals (a cut pickle shows what it starts with, problem says where it stopped),
///   with a hex dump when unreadable; anything else (msgpack, …) as a hex dump.
Decoded decodeResult(const QString &stored, const QString &contentType, const QString &contentEncoding);

/// task_args / task_kwargs: a JSON string holding a Python repr ("\"(1, 'Zo\\u00eb')\"") ->
/// the Python literal it is ("(1, 'Zoë')"), laid out on lines when long; problem notes
/// "truncated by Celery at 1024 characters". Real JSON (CouchDB, celery_taskmeta) is shown
/// as Python would print it. Kind::PythonRepr for both.
Decoded decodeArguments(const QString &stored);

/// meta ("{\"children\": []}") pretty-printed.
Decoded decodeMeta(const QString &stored);

/// Decodes JSON \uXXXX escapes (with surrogate pairs) inside a JSON-string-looking text,
/// leaving everything else as is. Used for search over args/kwargs.
QString unescapeJsonText(const QString &text);

/// A JSON value as indented text (2 spaces, keys in stored order, numbers as written).
QString prettyJson(const QByteArray &json, QString *problem = nullptr);

/// The exception line of a Python traceback, or empty: the first non-indented line after the
/// last "Traceback (most recent call last):" header (so chained tracebacks give the exception
/// raised last and multi-line messages their first line); without a header, the last
/// non-indented non-empty line.
QString tracebackExceptionLine(const QString &traceback);

/// A one-line hex/ASCII preview of bytes ("80 05 95 …  |....|"), at most maxBytes shown.
QString hexPreview(const QByteArray &bytes, int maxBytes = 64);

/// A classic multi-line hex dump ("00000000  80 05 95 …  |....|"), at most maxBytes shown.
QString hexDump(const QByteArray &bytes, int maxBytes = 4096);

/// Cheap decodeResult(…).summary for table cells: looks at no more than the first few KB of
/// the stored text (page rows may hold cut previews), never pretty-prints the whole value.
QString resultSummary(const QString &stored, const QString &contentType, const QString &contentEncoding);

/// Cheap decodeArguments(…).summary for table cells (same bounds as resultSummary()).
QString argumentsSummary(const QString &stored);

} // namespace ValueDecoder
