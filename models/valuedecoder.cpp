#include "valuedecoder.h"

#include <algorithm>
#include <optional>

#include <QStringList>

#include "picklereader.h"
#include "pythonliteral.h"

namespace ValueDecoder {

namespace {

using T = PyValue::Type;

constexpr qsizetype kSummaryChars = 200;   ///< one table cell
constexpr qsizetype kSummaryScan = 4096;    ///< text looked at for a summary
constexpr qsizetype kSummaryBase64 = 16 * 1024; ///< base64 text read for a summary (multiple of 4)
constexpr int kMaxDepth = 512;
constexpr int kArgsOneLine = 100;           ///< args longer than this are laid out on lines
constexpr qsizetype kCeleryArgsLimit = 1024;

const QChar kEllipsis(0x2026);

/// One line, at most kSummaryChars characters.
QString oneLine(QStringView s)
{
    QString out;
    const qsizetype n = std::min(s.size(), kSummaryChars + 1);
    out.reserve(n);
    for (qsizetype i = 0; i < n; ++i) {
        const QChar c = s[i];
        if (c == u'\n' || c == u'\r' || c == u'\t')
            out += QLatin1Char(' ');
        else
            out += c;
    }
    if (s.size() > kSummaryChars) {
        out.truncate(out[kSummaryChars - 1].isHighSurrogate() ? kSummaryChars - 1 : kSummaryChars);
        out += kEllipsis;
    }
    return out;
}

QString compactJson(const PyValue &v)
{
    return PyLiteral::toJson(v, {-1, 100, kSummaryChars});
}
QString compactPython(const PyValue &v)
{
    return PyLiteral::toPython(v, {-1, 100, kSummaryChars});
}
/// Indentation can make the readable form of deeply nested input far longer than the input
/// itself: the detail text is cut at a bound proportional to what was stored.
qsizetype textCap(qsizetype inputSize)
{
    return 16 * inputSize + 1024 * 1024;
}
QString noteCut(QString text, qsizetype cap)
{
    if (text.size() > cap)
        text += QStringLiteral("\n(the rest is not shown: the readable form is much longer than the stored value)");
    return text;
}
QString prettyJsonOf(const PyValue &v, qsizetype inputSize)
{
    const qsizetype cap = textCap(inputSize);
    return noteCut(PyLiteral::toJson(v, {2, 100, cap}), cap);
}
QString prettyPythonOf(const PyValue &v, qsizetype inputSize)
{
    const qsizetype cap = textCap(inputSize);
    return noteCut(PyLiteral::toPython(v, {4, kArgsOneLine, cap}), cap);
}

/// Marks a summary as cut unless it already ends with "…".
QString withEllipsis(QString s)
{
    if (!s.endsWith(kEllipsis))
        s += kEllipsis;
    return s;
}

bool isBuiltinModule(const QString &module)
{
    return module.isEmpty() || module == QLatin1String("builtins") || module == QLatin1String("__builtin__")
        || module == QLatin1String("exceptions");
}

/// str(exception) as Python builds it from the exception's args (KeyError shows its key's repr).
QString exceptionMessage(const std::vector<PyValue> &args, bool reprSingle = false)
{
    if (args.empty())
        return QString();
    if (args.size() == 1)
        return args[0].type == T::Str && !reprSingle ? args[0].text : PyLiteral::toPython(args[0], {-1, 100, 4096});
    PyValue tuple;
    tuple.type = T::Tuple;
    tuple.items = args;
    return PyLiteral::toPython(tuple, {-1, 100, 4096});
}

/// Celery's exception dict {"exc_type", "exc_message", "exc_module"} as its parts.
std::optional<ExceptionInfo> exceptionDictInfo(const PyValue &v)
{
    const PyValue *type = v.dictValue(QStringLiteral("exc_type"));
    if (!type || type->type != T::Str || !v.dictValue(QStringLiteral("exc_message")))
        return std::nullopt;
    const PyValue *message = v.dictValue(QStringLiteral("exc_message"));
    const PyValue *module = v.dictValue(QStringLiteral("exc_module"));
    ExceptionInfo e;
    e.type = type->text;
    if (module && module->type == T::Str)
        e.module = module->text;
    const bool keyError = e.type == QLatin1String("KeyError") && isBuiltinModule(e.module);
    switch (message->type) {
    case T::Str: e.message = message->text; break;
    case T::None: break;
    case T::List:
    case T::Tuple: e.message = exceptionMessage(message->items, keyError); break;
    default: e.message = PyLiteral::toPython(*message, {-1, 100, 4096}); break;
    }
    return e;
}

/// A pickled exception object (builtins.ValueError('boom')) as its parts.
std::optional<ExceptionInfo> exceptionObjectInfo(const PyValue &v)
{
    if (v.type != T::Object)
        return std::nullopt;
    const QString &cls = v.text;
    const QString shortName = cls.mid(cls.lastIndexOf(QLatin1Char('.')) + 1);
    if (!(shortName.endsWith(QLatin1String("Error")) || shortName.endsWith(QLatin1String("Exception"))
          || shortName.endsWith(QLatin1String("Warning")) || shortName == QLatin1String("Retry")
          || shortName == QLatin1String("Reject") || shortName == QLatin1String("Ignore")))
        return std::nullopt;
    ExceptionInfo e;
    e.type = shortName;
    e.module = cls.left(std::max<qsizetype>(0, cls.lastIndexOf(QLatin1Char('.'))));
    e.message = exceptionMessage(v.items, e.type == QLatin1String("KeyError") && isBuiltinModule(e.module));
    return e;
}

/// The exception of a read result value: Celery's dict, or a pickled exception object.
std::optional<ExceptionInfo> exceptionInfo(const PyValue &v, bool objects)
{
    if (std::optional<ExceptionInfo> e = exceptionDictInfo(v))
        return e;
    return objects ? exceptionObjectInfo(v) : std::nullopt;
}

/// "ValueError: boom" (module prefix unless builtins) for an exception dict, or with
/// `objects` also a pickled exception object.
bool exceptionLine(const PyValue &v, QString *line, bool objects = false)
{
    const std::optional<ExceptionInfo> e = exceptionInfo(v, objects);
    if (!e)
        return false;
    const QString name = e->qualifiedType();
    *line = e->message.isEmpty() ? name : name + QStringLiteral(": ") + e->message;
    return true;
}

/// kombu >= 5.3 {"__type__": "datetime", "__value__": "…"} -> the value.
bool kombuValue(const PyValue &v, PyValue *out)
{
    if (v.type != T::Dict || v.items.size() != 4)
        return false;
    const PyValue *type = v.dictValue(QStringLiteral("__type__"));
    const PyValue *value = v.dictValue(QStringLiteral("__value__"));
    if (!type || !value || type->type != T::Str)
        return false;
    if (type->text == QLatin1String("uuid") && value->type == T::Dict) {
        const PyValue *hex = value->dictValue(QStringLiteral("hex"));
        if (hex && hex->type == T::Str && hex->text.size() == 32) {
            QString h = hex->text;
            h.insert(20, QLatin1Char('-'));
            h.insert(16, QLatin1Char('-'));
            h.insert(12, QLatin1Char('-'));
            h.insert(8, QLatin1Char('-'));
            *out = PyValue::ofText(T::Str, h);
            return true;
        }
    }
    *out = *value;
    return true;
}

void unwrapKombu(PyValue &v, int depth)
{
    if (depth > kMaxDepth)
        return;
    PyValue inner;
    if (kombuValue(v, &inner)) {
        v = std::move(inner);
        return;
    }
    for (PyValue &child : v.items)
        unwrapKombu(child, depth + 1);
}

/// STARTED: {"pid": 4242, "hostname": "celery@w1"}.
bool startedLine(const PyValue &v, QString *line)
{
    if (v.type != T::Dict || v.items.size() != 4)
        return false;
    const PyValue *pid = v.dictValue(QStringLiteral("pid"));
    const PyValue *host = v.dictValue(QStringLiteral("hostname"));
    if (!pid || !host || pid->type != T::Int || host->type != T::Str)
        return false;
    *line = QStringLiteral("pid %1 on %2").arg(pid->text, host->text);
    return true;
}

Decoded nullValue()
{
    Decoded d;
    d.kind = Kind::Null;
    d.text = QStringLiteral("NULL");
    d.summary = d.text;
    return d;
}

/// A JSON result tree (already unwrapped) -> Decoded. Summary work is capped.
Decoded fromJsonValue(const PyValue &value, qsizetype inputSize, bool wantText, bool cut)
{
    Decoded d;
    d.kind = Kind::Json;
    QString line;
    if (exceptionLine(value, &line)) {
        d.kind = Kind::Exception;
        d.summary = oneLine(line);
        if (wantText)
            d.text = line + QStringLiteral("\n\n") + prettyJsonOf(value, inputSize);
    } else if (value.type == T::Str) {
        d.summary = compactJson(value);
        if (wantText)
            d.text = d.summary.size() < kSummaryChars ? d.summary : PyLiteral::jsonQuote(value.text);
    } else if (startedLine(value, &line)) {
        d.summary = oneLine(line);
        if (wantText)
            d.text = prettyJsonOf(value, inputSize);
    } else {
        d.summary = compactJson(value);
        if (wantText)
            d.text = prettyJsonOf(value, inputSize);
    }
    if (cut)
        d.summary = withEllipsis(d.summary);
    return d;
}

/// bytes may be the start of a longer pickle of totalBytes (a summary reads no more).
Decoded decodePickle(const QByteArray &bytes, qsizetype totalBytes, bool wantText)
{
    Decoded d;
    d.kind = Kind::Pickle;
    PickleReader::Limits limits;
    limits.lenientEnd = true; // page rows hold cut previews: show what they start with
    const PickleReader::Result r = PickleReader::read(bytes, limits);
    const QString size = QStringLiteral("%1 bytes").arg(totalBytes);
    if (r.ok && r.incomplete) {
        d.problem = QStringLiteral("cannot read this pickle: %1").arg(r.error);
        const bool container = r.value.isContainer() && r.value.type != T::Object;
        if (container)
            d.summary = withEllipsis(compactPython(r.value));
        else
            d.summary = oneLine(r.firstClass.isEmpty() ? QStringLiteral("pickle, %1").arg(size)
                                                       : QStringLiteral("pickled object of class %1").arg(r.firstClass));
        if (wantText) {
            d.text = d.summary + QStringLiteral("\n(") + d.problem + QStringLiteral(")\n\n");
            if (container)
                d.text += QStringLiteral("What could be read:\n") + prettyPythonOf(r.value, bytes.size()) + QStringLiteral("\n\n");
            d.text += hexDump(bytes);
        }
        return d;
    }
    if (!r.ok) {
        d.problem = QStringLiteral("cannot read this pickle: %1").arg(r.error);
        d.summary = oneLine(r.firstClass.isEmpty() ? QStringLiteral("pickle, %1").arg(size)
                                                   : QStringLiteral("pickled object of class %1").arg(r.firstClass));
        if (wantText)
            d.text = d.summary + QStringLiteral("\n(") + d.problem + QStringLiteral(")\n\n") + hexDump(bytes);
        return d;
    }
    const QString header = QStringLiteral("Python pickle (protocol %1, %2), read without unpickling")
                               .arg(r.protocol >= 0 ? QString::number(r.protocol) : QStringLiteral("0/1"), size);
    QString line;
    if (exceptionLine(r.value, &line, true)) {
        d.kind = Kind::Exception;
        d.summary = oneLine(line);
        if (wantText)
            d.text = line + QStringLiteral("\n\n") + header + QStringLiteral(":\n") + prettyPythonOf(r.value, bytes.size());
        return d;
    }
    d.summary = startedLine(r.value, &line) ? oneLine(line) : compactPython(r.value);
    if (wantText) {
        d.text = header + QStringLiteral(":\n");
        if (r.value.type == T::Object)
            d.text += QStringLiteral("pickled object of class %1\n").arg(r.value.text);
        d.text += QLatin1Char('\n') + prettyPythonOf(r.value, bytes.size());
        if (r.truncated)
            d.text += QStringLiteral("\n(shown in part: the value is larger than Stalk reads)");
    }
    return d;
}

/// How many bytes base64 text decodes to (without decoding it).
qsizetype base64Size(QStringView b64)
{
    b64 = b64.trimmed();
    qsizetype padding = 0;
    while (padding < 2 && b64.size() > padding && b64[b64.size() - 1 - padding] == u'=')
        ++padding;
    return b64.size() / 4 * 3 + (b64.size() % 4 ? b64.size() % 4 - 1 : 0) - (b64.size() % 4 ? 0 : padding);
}

Decoded decodeBinary(const QString &stored, const QString &contentType, bool wantText)
{
    Decoded d;
    // A summary decodes only the start; the pickle reader shows what that start holds.
    const bool cut = !wantText && stored.size() > kSummaryBase64;
    const QStringView b64 = cut ? QStringView(stored).left(kSummaryBase64) : QStringView(stored).trimmed();
    const auto decoded = QByteArray::fromBase64Encoding(b64.toLatin1(), QByteArray::AbortOnBase64DecodingErrors);
    if (!decoded) {
        d.kind = Kind::Text;
        d.problem = QStringLiteral("binary result is not valid base64");
        d.summary = oneLine(stored);
        if (wantText)
            d.text = stored;
        return d;
    }
    const QByteArray &bytes = *decoded;
    const qsizetype total = cut ? base64Size(stored) : bytes.size();
    const bool pickleType = contentType.contains(QLatin1String("python-serialize"));
    if (PickleReader::looksLikePickle(bytes) || (pickleType && !bytes.isEmpty()))
        return decodePickle(bytes, total, wantText);
    d.kind = Kind::Binary;
    const QString what = contentType.isEmpty() ? QStringLiteral("binary") : contentType;
    d.summary = oneLine(QStringLiteral("%1, %2 bytes: %3").arg(what).arg(total).arg(hexPreview(bytes, 24)));
    if (wantText)
        d.text = QStringLiteral("%1, %2 bytes\n\n%3").arg(what).arg(bytes.size()).arg(hexDump(bytes));
    return d;
}

Decoded decodeResultImpl(const QString &stored, const QString &contentType, const QString &contentEncoding,
                         bool wantText)
{
    if (stored.isNull())
        return nullValue();
    if (contentEncoding.compare(QLatin1String("binary"), Qt::CaseInsensitive) == 0)
        return decodeBinary(stored, contentType, wantText);

    const bool jsonType = contentType.isEmpty() || contentType.contains(QLatin1String("json"), Qt::CaseInsensitive);
    if (!jsonType) {
        Decoded d;
        d.kind = Kind::Text;
        d.summary = oneLine(stored);
        if (wantText)
            d.text = stored;
        return d;
    }

    const bool lenient = !wantText;
    const QStringView view = lenient ? QStringView(stored).left(kSummaryScan) : QStringView(stored);
    PyLiteral::ParseResult parsed = PyLiteral::parseJson(view, lenient, kMaxDepth);
    if (!parsed.ok) {
        Decoded d;
        d.kind = Kind::Text;
        d.problem = QStringLiteral("result is not valid JSON: %1").arg(parsed.error);
        d.summary = oneLine(stored);
        if (wantText) {
            // Same summary as resultSummary(): a cut text still shows what it starts with.
            PyLiteral::ParseResult start = PyLiteral::parseJson(QStringView(stored).left(kSummaryScan), true, kMaxDepth);
            if (start.ok) {
                unwrapKombu(start.value, 0);
                d.summary = fromJsonValue(start.value, stored.size(), false, start.truncated).summary;
            }
        }
        if (wantText)
            d.text = stored;
        return d;
    }
    const bool cut = parsed.truncated;
    PyValue kombu;
    if (kombuValue(parsed.value, &kombu)) {
        Decoded d;
        d.kind = Kind::Json;
        const QString shown = kombu.type == T::Str ? kombu.text : prettyJsonOf(kombu, stored.size());
        d.summary = oneLine(shown);
        if (cut)
            d.summary = withEllipsis(d.summary);
        if (wantText)
            d.text = shown;
        return d;
    }
    unwrapKombu(parsed.value, 0);
    return fromJsonValue(parsed.value, stored.size(), wantText, cut);
}

bool looksCutByCelery(const QString &repr, bool parseCut)
{
    return repr.size() >= kCeleryArgsLimit - 24 && (parseCut || repr.contains(QLatin1String("...")));
}

Decoded decodeArgumentsImpl(const QString &stored, bool wantText)
{
    if (stored.isNull())
        return nullValue();
    Decoded d;
    if (stored.trimmed().isEmpty()) {
        d.kind = Kind::Text;
        d.text = stored;
        return d;
    }
    const bool lenient = !wantText;
    const QStringView view = lenient ? QStringView(stored).left(kSummaryScan) : QStringView(stored);
    PyLiteral::ParseResult parsed = PyLiteral::parseJson(view, true, kMaxDepth);
    if (parsed.ok && parsed.truncated && wantText && parsed.value.type != T::Str) {
        // Real JSON that stops early is not something Celery writes: report it.
        parsed.ok = false;
        parsed.error = QStringLiteral("unexpected end of text at offset %1").arg(stored.size());
    }
    if (!parsed.ok) {
        // Older rows hold the repr itself, without the JSON string around it.
        PyLiteral::ParseResult py = PyLiteral::parsePython(view, true);
        if (py.ok && !py.truncated) {
            d.kind = Kind::PythonRepr;
            d.summary = oneLine(stored);
            if (wantText)
                d.text = stored.size() <= kArgsOneLine ? stored : prettyPythonOf(py.value, stored.size());
            return d;
        }
        d.kind = Kind::Text;
        d.problem = QStringLiteral("arguments are not valid JSON: %1").arg(parsed.error);
        d.summary = oneLine(stored);
        if (wantText)
            d.text = stored;
        return d;
    }
    d.kind = Kind::PythonRepr;
    if (parsed.value.type != T::Str) {
        // Real JSON (CouchDB, celery_taskmeta): shown as Python prints it.
        d.summary = compactPython(parsed.value);
        if (parsed.truncated)
            d.summary = withEllipsis(d.summary);
        if (wantText)
            d.text = prettyPythonOf(parsed.value, stored.size());
        return d;
    }
    const QString repr = parsed.value.text;
    d.summary = oneLine(repr);
    if (parsed.truncated)
        d.summary = withEllipsis(d.summary);
    if (!wantText)
        return d;
    d.text = repr;
    bool pyCut = false;
    if (repr.size() > kArgsOneLine) {
        const PyLiteral::ParseResult py = PyLiteral::parsePython(repr, true);
        if (py.ok) {
            d.text = prettyPythonOf(py.value, stored.size());
            pyCut = py.truncated;
        }
    }
    if (looksCutByCelery(repr, pyCut) || parsed.truncated) {
        d.problem = parsed.truncated ? QStringLiteral("the stored text ends in the middle of the arguments")
                                     : QStringLiteral("truncated by Celery at 1024 characters");
        d.text += QStringLiteral("\n… (") + d.problem + QLatin1Char(')');
    }
    return d;
}

} // namespace

Decoded decodeResult(const QString &stored, const QString &contentType, const QString &contentEncoding)
{
    return decodeResultImpl(stored, contentType, contentEncoding, true);
}

QString resultSummary(const QString &stored, const QString &contentType, const QString &contentEncoding)
{
    return decodeResultImpl(stored, contentType, contentEncoding, false).summary;
}

Decoded decodeArguments(const QString &stored)
{
    return decodeArgumentsImpl(stored, true);
}

QString argumentsSummary(const QString &stored)
{
    return decodeArgumentsImpl(stored, false).summary;
}

Decoded decodeMeta(const QString &stored)
{
    if (stored.isNull())
        return nullValue();
    Decoded d;
    const PyLiteral::ParseResult parsed = PyLiteral::parseJson(stored, false, kMaxDepth);
    if (!parsed.ok) {
        d.kind = Kind::Text;
        d.problem = QStringLiteral("meta is not valid JSON: %1").arg(parsed.error);
        d.text = stored;
        d.summary = oneLine(stored);
        return d;
    }
    d.kind = Kind::Json;
    d.text = prettyJsonOf(parsed.value, stored.size());
    d.summary = compactJson(parsed.value);
    return d;
}

QString unescapeJsonText(const QString &text)
{
    if (!text.contains(QLatin1Char('\\')))
        return text;
    auto hexAt = [&](qsizetype at, uint *value) {
        if (at + 4 > text.size())
            return false;
        uint v = 0;
        for (qsizetype i = at; i < at + 4; ++i) {
            const char16_t u = text[i].unicode();
            int h;
            if (u >= u'0' && u <= u'9')
                h = u - u'0';
            else if (u >= u'a' && u <= u'f')
                h = u - u'a' + 10;
            else if (u >= u'A' && u <= u'F')
                h = u - u'A' + 10;
            else
                return false;
            v = v * 16 + uint(h);
        }
        *value = v;
        return true;
    };
    QString out;
    out.reserve(text.size());
    for (qsizetype i = 0; i < text.size(); ++i) {
        const QChar c = text[i];
        if (c != u'\\' || i + 1 >= text.size()) {
            out += c;
            continue;
        }
        const QChar e = text[i + 1];
        switch (e.unicode()) {
        case u'n': out += QLatin1Char('\n'); ++i; break;
        case u't': out += QLatin1Char('\t'); ++i; break;
        case u'r': out += QLatin1Char('\r'); ++i; break;
        case u'b': out += QLatin1Char('\b'); ++i; break;
        case u'f': out += QLatin1Char('\f'); ++i; break;
        case u'"': out += QLatin1Char('"'); ++i; break;
        case u'\\': out += QLatin1Char('\\'); ++i; break;
        case u'/': out += QLatin1Char('/'); ++i; break;
        case u'u': {
            uint v = 0;
            if (hexAt(i + 2, &v)) {
                // Units appended one by one form surrogate pairs by themselves.
                out += QChar(char16_t(v));
                i += 5;
            } else {
                out += c;
            }
            break;
        }
        default: out += c; break;
        }
    }
    return out;
}

QString prettyJson(const QByteArray &json, QString *problem)
{
    const QString text = QString::fromUtf8(json);
    const PyLiteral::ParseResult parsed = PyLiteral::parseJson(text, false, kMaxDepth);
    if (!parsed.ok) {
        if (problem)
            *problem = parsed.error;
        return text;
    }
    if (problem)
        problem->clear();
    return prettyJsonOf(parsed.value, json.size());
}

QString ExceptionInfo::qualifiedType() const
{
    return isBuiltinModule(module) ? type : module + QLatin1Char('.') + type;
}

bool ExceptionInfo::isNamed(const QString &name) const
{
    if (!isValid())
        return false;
    if (name == type)
        return true;
    const QString prefix = isBuiltinModule(module) ? QStringLiteral("builtins") : module;
    return name.size() == prefix.size() + 1 + type.size() && name.startsWith(prefix)
        && name.at(prefix.size()) == QLatin1Char('.') && name.endsWith(type);
}

bool ExceptionInfo::isNamedAnyOf(const QStringList &names) const
{
    return std::any_of(names.cbegin(), names.cend(), [this](const QString &name) { return isNamed(name); });
}

ExceptionInfo exceptionOf(const QString &stored, const QString &contentType, const QString &contentEncoding,
                          const QString &traceback)
{
    std::optional<ExceptionInfo> found;
    const bool json = contentType.isEmpty() || contentType.contains(QLatin1String("json"), Qt::CaseInsensitive);
    if (stored.isNull()) {
        found = std::nullopt; // no result: the traceback's line below
    } else if (contentEncoding.compare(QLatin1String("binary"), Qt::CaseInsensitive) == 0) {
        const auto bytes = QByteArray::fromBase64Encoding(QStringView(stored).trimmed().toLatin1(),
                                                          QByteArray::AbortOnBase64DecodingErrors);
        if (bytes && PickleReader::looksLikePickle(*bytes)) {
            const PickleReader::Result r = PickleReader::read(*bytes, PickleReader::Limits());
            if (r.ok && !r.incomplete)
                found = exceptionInfo(r.value, true);
        }
    } else if (json && (stored.contains(QLatin1String("exc_type")) || stored.contains(QLatin1Char('\\')))) {
        // Only a dict keyed "exc_type" names one: without that text, or an escape that could
        // spell it, the parse is skipped (most results are return values: the filter of
        // `--exception` asks every row).
        PyLiteral::ParseResult parsed = PyLiteral::parseJson(stored, false, kMaxDepth);
        if (parsed.ok) {
            unwrapKombu(parsed.value, 0);
            found = exceptionInfo(parsed.value, false);
        }
    }
    if (found)
        return *found;
    // "proj.mail.SmtpError: text", "ValueError", "KeyError: 'c-1'" — a line without a
    // name before its ": " (or with a space in it) names no exception.
    const QString line = tracebackExceptionLine(traceback);
    const qsizetype colon = line.indexOf(QStringLiteral(": "));
    const QString name = colon < 0 ? line.trimmed() : line.left(colon);
    ExceptionInfo e;
    if (name.isEmpty() || name.contains(QLatin1Char(' ')))
        return e;
    const qsizetype dot = name.lastIndexOf(QLatin1Char('.'));
    e.type = name.mid(dot + 1);
    e.module = dot < 0 ? QString() : name.left(dot);
    e.message = colon < 0 ? QString() : line.mid(colon + 2);
    return e;
}

QString tracebackExceptionLine(const QString &traceback)
{
    const QStringList lines = traceback.split(QLatin1Char('\n'));
    auto indented = [](const QString &l) { return l.startsWith(QLatin1Char(' ')) || l.startsWith(QLatin1Char('\t')); };
    // The last "Traceback (most recent call last):" starts the exception that was raised last
    // (chained tracebacks print the causes first); its exception line is the first
    // non-indented line after the indented frames.
    qsizetype start = -1;
    for (qsizetype i = lines.size() - 1; i >= 0; --i) {
        if (lines[i].trimmed().startsWith(QLatin1String("Traceback (most recent call last)"))) {
            start = i;
            break;
        }
    }
    if (start >= 0) {
        for (qsizetype i = start + 1; i < lines.size(); ++i) {
            QString l = lines[i];
            if (l.endsWith(QLatin1Char('\r')))
                l.chop(1);
            if (!l.trimmed().isEmpty() && !indented(l))
                return l;
        }
    }
    for (qsizetype i = lines.size() - 1; i >= 0; --i) {
        QString l = lines[i];
        if (l.endsWith(QLatin1Char('\r')))
            l.chop(1);
        if (!l.trimmed().isEmpty() && !indented(l))
            return l;
    }
    return QString();
}

QString hexPreview(const QByteArray &bytes, int maxBytes)
{
    const qsizetype n = std::min<qsizetype>(bytes.size(), std::max(0, maxBytes));
    QString hex, ascii;
    for (qsizetype i = 0; i < n; ++i) {
        const uchar c = uchar(bytes[i]);
        if (i)
            hex += QLatin1Char(' ');
        hex += QStringLiteral("%1").arg(c, 2, 16, QLatin1Char('0'));
        ascii += (c >= 0x20 && c < 0x7f) ? QLatin1Char(char(c)) : QLatin1Char('.');
    }
    if (bytes.size() > n)
        hex += n ? QStringLiteral(" …") : QStringLiteral("…");
    return hex + QStringLiteral("  |") + ascii + QLatin1Char('|');
}

QString hexDump(const QByteArray &bytes, int maxBytes)
{
    const qsizetype n = std::min<qsizetype>(bytes.size(), std::max(0, maxBytes));
    QString out;
    for (qsizetype row = 0; row < n; row += 16) {
        QString hex, ascii;
        for (qsizetype i = row; i < row + 16; ++i) {
            if (i < n) {
                const uchar c = uchar(bytes[i]);
                hex += QStringLiteral("%1 ").arg(c, 2, 16, QLatin1Char('0'));
                ascii += (c >= 0x20 && c < 0x7f) ? QLatin1Char(char(c)) : QLatin1Char('.');
            } else {
                hex += QStringLiteral("   ");
            }
            if (i == row + 7)
                hex += QLatin1Char(' ');
        }
        out += QStringLiteral("%1  %2 |%3|\n").arg(row, 8, 16, QLatin1Char('0')).arg(hex, ascii);
    }
    if (bytes.size() > n)
        out += QStringLiteral("… %1 more bytes\n").arg(bytes.size() - n);
    return out;
}

} // namespace ValueDecoder
