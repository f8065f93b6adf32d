// libFuzzer target: PickleReader (the bytes of a stored pickle) and its renderings; the JSON
// one reads back as JSON.
// Seeds: tests/fuzz/corpus/picklereader/ (pickles Python wrote: tools/fixtures/make_pickles.py).
#include <cstddef>
#include <cstdint>

#include <QByteArray>
#include <QString>

#include "fuzzcheck.h"
#include "picklereader.h"
#include "pythonliteral.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const QByteArray bytes = QByteArray::fromRawData(reinterpret_cast<const char *>(data), qsizetype(size));

    PickleReader::Limits limits;
    limits.maxItems = 20000; // keeps one input's rendering cheap; the limit itself is exercised
    for (const bool lenient : {false, true}) {
        limits.lenientEnd = lenient;
        const PickleReader::Result r = PickleReader::read(bytes, limits);
        if (r.ok) {
            const QString python = PyLiteral::toPython(r.value, {4, 100, 50000});
            const QString json = PyLiteral::toJson(r.value, {2, 100, 50000});
            FUZZ_CHECK(python.size() <= 50001 && json.size() <= 50001, "a rendering exceeds maxChars");
            FUZZ_CHECK(!r.incomplete || lenient, "incomplete without lenientEnd");
            // The JSON form is JSON (unless cut by maxChars). The Python form is not always
            // Python: class names are shown as the pickle spells them.
            if (json.size() < 50000) {
                const PyLiteral::ParseResult again = PyLiteral::parseJson(json);
                FUZZ_CHECK(again.ok, QStringLiteral("toJson() wrote what parseJson() refuses: %1 in %2").arg(again.error, json));
            }
        } else {
            FUZZ_CHECK(!r.error.isEmpty(), "an error without a sentence");
            FUZZ_CHECK(r.errorOffset >= 0 && r.errorOffset <= bytes.size(), "an error offset outside the input");
        }
    }
    return 0;
}
