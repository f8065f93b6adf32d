#pragma once

#include <utility>
#include <vector>

#include <QByteArray>
#include <QString>

/// A Python-ish value tree shared by the JSON reader, the Python literal reader and the
/// pickle reader, with renderers to JSON text and Python-literal text.
/// Plain value type; owns its children. Pure functions; any thread.
struct PyValue
{
    enum class Type : quint8 {
        None,
        Bool,
        Int,       ///< text: decimal digits (any size), or a source token as written
        Float,     ///< text: the literal as written / Python's repr()
        Str,       ///< text: the string itself (not quoted)
        Bytes,     ///< bytes
        ByteArray, ///< bytes (Python bytearray)
        List,      ///< items
        Tuple,     ///< items
        Dict,      ///< items: key, value, key, value, …
        Set,       ///< items
        FrozenSet, ///< items
        Object,    ///< text: "module.Name"; items: positional args; attrs: named extras
        Raw,       ///< text shown as it is (a source token, "<…>", "[...]" for recursion)
    };

    Type type = Type::None;
    bool boolValue = false;
    QString text;
    QByteArray bytes;
    std::vector<PyValue> items;
    /// Object only: name/value pairs shown as name=value after the positional arguments
    /// (keyword arguments, pickled state "state", pickled list/dict items).
    std::vector<std::pair<QString, PyValue>> attrs;

    static PyValue none() { return PyValue(); }
    static PyValue boolean(bool b)
    {
        PyValue v;
        v.type = Type::Bool;
        v.boolValue = b;
        return v;
    }
    static PyValue ofText(Type type, const QString &text)
    {
        PyValue v;
        v.type = type;
        v.text = text;
        return v;
    }
    bool isContainer() const
    {
        return type == Type::List || type == Type::Tuple || type == Type::Dict || type == Type::Set
            || type == Type::FrozenSet || type == Type::Object;
    }
    /// For a Dict: the value stored under the string key, or nullptr.
    const PyValue *dictValue(const QString &key) const;
};

namespace PyLiteral {

/// How to render. maxChars bounds the output: once reached, the text ends with "…".
struct RenderOptions
{
    int indent = -1;        ///< -1: one line; otherwise spaces per nesting level
    int width = 100;        ///< Python pretty form: a container fitting in this stays on one line
    qsizetype maxChars = -1; ///< -1: unbounded
};

/// Python's repr() of the value (strings quoted the way Python quotes them).
QString toPython(const PyValue &value, const RenderOptions &options = {});
/// JSON text (", " and ": " separators on one line, like Python's json.dumps). Tuples and sets
/// become arrays, bytes a string holding their repr, objects {"__class__": …, "args": […]}.
QString toJson(const PyValue &value, const RenderOptions &options = {});

/// Python's repr() of a str / bytes.
QString reprStr(const QString &s);
QString reprBytes(const QByteArray &b);
/// Python's repr() of a float ("1.0", "1e+16", "inf", "nan").
QString reprFloat(double d);
/// A JSON string literal (non-ASCII kept, control characters escaped).
QString jsonQuote(const QString &s);

/// The outcome of reading text.
struct ParseResult
{
    bool ok = false;
    bool truncated = false; ///< lenient mode reached the end inside a value; containers were closed
    PyValue value;
    QString error;          ///< "unexpected character 'x' at offset 12"
    qsizetype errorOffset = -1;
};

/// Reads JSON keeping key order, duplicate keys and number text as stored. Accepts NaN,
/// Infinity and -Infinity (Python's json.dumps writes them). With allowTruncated, text that
/// stops in the middle of a value yields what was read so far (truncated = true).
ParseResult parseJson(QStringView text, bool allowTruncated = false, int maxDepth = 512);

/// toPython() of the value parseJson() reads from json, a top-level array written as a tuple
/// when asTuple (Celery's args: the tuple it serialized as a JSON array); null when json is
/// not JSON. Compact JSON of plain ASCII strings, integers and literals (what args and kwargs
/// mostly are) is rewritten in one pass, without a PyValue tree: a loader indexes a million.
QString jsonAsPython(QStringView json, bool asTuple = false);

/// Reads a Python literal as repr() writes it: None/True/False, numbers, str/bytes literals,
/// tuples, lists, dicts, sets, calls like datetime.datetime(2025, 1, 1, 0, 0) and <…> reprs.
/// Leaves keep their source text (Raw). With allowTruncated, text cut in the middle (Celery's
/// 1024-character limit) yields what was read with open brackets closed.
ParseResult parsePython(QStringView text, bool allowTruncated = false, int maxDepth = 256);

} // namespace PyLiteral
