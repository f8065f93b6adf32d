// libFuzzer target: PyLiteral's readers of stored text (Python reprs of args/kwargs, JSON
// results) and its renderers; what each reads and renders reads back to the same rendering.
// Seeds: tests/fuzz/corpus/pythonliteral/ (task_args/task_kwargs/result texts Celery stored).
#include <cstddef>
#include <cstdint>

#include <QString>

#include "fuzzcheck.h"
#include "pythonliteral.h"

namespace {

void checkParsed(const PyLiteral::ParseResult &r, qsizetype inputSize)
{
    if (!r.ok) {
        FUZZ_CHECK(!r.error.isEmpty(), "an error without a sentence");
        FUZZ_CHECK(r.errorOffset >= 0 && r.errorOffset <= inputSize, "an error offset outside the input");
        return;
    }
    const QString python = PyLiteral::toPython(r.value, {4, 100, 50000});
    const QString json = PyLiteral::toJson(r.value, {2, 100, 50000});
    FUZZ_CHECK(python.size() <= 50001 && json.size() <= 50001, "a rendering exceeds maxChars");
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const QString text = fuzzText(data, size);

    for (const bool truncated : {false, true}) {
        const PyLiteral::ParseResult python = PyLiteral::parsePython(text, truncated);
        checkParsed(python, text.size());
        if (python.ok && !python.truncated) {
            // The same for Python: what toPython() writes reads back to the same text.
            const QString once = PyLiteral::toPython(python.value);
            const PyLiteral::ParseResult again = PyLiteral::parsePython(once);
            FUZZ_CHECK(again.ok, QStringLiteral("toPython() wrote what parsePython() refuses: %1 in %2").arg(again.error, once));
            FUZZ_CHECK(PyLiteral::toPython(again.value) == once,
                       QStringLiteral("toPython() -> parsePython() -> toPython() changed %1").arg(once));
        }
        const PyLiteral::ParseResult json = PyLiteral::parseJson(text, truncated);
        checkParsed(json, text.size());
        if (json.ok && !json.truncated) {
            // JSON rendered from what was read is JSON that reads back to the same rendering.
            const QString once = PyLiteral::toJson(json.value);
            const PyLiteral::ParseResult again = PyLiteral::parseJson(once);
            FUZZ_CHECK(again.ok, QStringLiteral("toJson() wrote what parseJson() refuses: %1").arg(again.error));
            FUZZ_CHECK(PyLiteral::toJson(again.value) == once, "toJson() -> parseJson() -> toJson() changed the text");
        }
    }
    for (const bool asTuple : {false, true}) {
        // jsonAsPython()'s one-pass rewrite answers what the parser and toPython() do.
        PyLiteral::ParseResult parsed = PyLiteral::parseJson(text);
        if (asTuple && parsed.ok && parsed.value.type == PyValue::Type::List)
            parsed.value.type = PyValue::Type::Tuple;
        const QString expected = parsed.ok ? PyLiteral::toPython(parsed.value) : QString();
        const QString python = PyLiteral::jsonAsPython(text, asTuple);
        FUZZ_CHECK(python == expected && python.isNull() == expected.isNull(),
                   QStringLiteral("jsonAsPython(%1) is %2, toPython() of parseJson() %3").arg(text, python, expected));
    }
    PyLiteral::reprStr(text);
    PyLiteral::jsonQuote(text);
    PyLiteral::reprBytes(QByteArray::fromRawData(reinterpret_cast<const char *>(data), qsizetype(size)));
    return 0;
}
