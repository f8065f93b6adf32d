// libFuzzer target for the pickle reader and the text decoders (clang, -DSTALK_FUZZ=ON).
//   fuzz_picklereader -max_total_time=60 corpus/
// Seeds: tools/fixtures/make_pickles.py entries (see tests/CMakeLists.txt for how to write them).
#include <cstddef>
#include <cstdint>
#include <cstdlib>

#include <QByteArray>
#include <QString>

#include "picklereader.h"
#include "pythonliteral.h"
#include "valuedecoder.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const QByteArray bytes = QByteArray::fromRawData(reinterpret_cast<const char *>(data), qsizetype(size));

    PickleReader::Limits limits;
    limits.maxItems = 20000;
    const PickleReader::Result r = PickleReader::read(bytes, limits);
    if (r.ok) {
        const QString python = PyLiteral::toPython(r.value, {4, 100, 50000});
        const QString json = PyLiteral::toJson(r.value, {2, 100, 50000});
        if (python.size() > 50001 || json.size() > 50001)
            std::abort();
    } else if (r.error.isEmpty() || r.errorOffset < 0 || r.errorOffset > bytes.size()) {
        std::abort();
    }

    // The same bytes as stored text: JSON results, Python reprs, base64 pickles.
    const QString text = QString::fromUtf8(bytes);
    const ValueDecoder::Decoded d = ValueDecoder::decodeResult(text, QStringLiteral("application/json"), QStringLiteral("utf-8"));
    const ValueDecoder::Decoded a = ValueDecoder::decodeArguments(text);
    const ValueDecoder::Decoded p = ValueDecoder::decodeResult(QString::fromLatin1(bytes.toBase64()),
                                                               QStringLiteral("application/x-python-serialize"),
                                                               QStringLiteral("binary"));
    if (d.summary.size() > 201 || a.summary.size() > 201 || p.summary.size() > 201)
        std::abort();
    return 0;
}
