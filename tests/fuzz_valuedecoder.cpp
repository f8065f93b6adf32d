// libFuzzer target: ValueDecoder, which dispatches stored result/args/meta text among the
// JSON, Python-literal and pickle readers (base64 binary results included).
// Seeds: tests/fuzz/corpus/valuedecoder/ (result, args, kwargs, meta, traceback texts Celery stored).
#include <cstddef>
#include <cstdint>

#include <QByteArray>
#include <QString>

#include "fuzzcheck.h"
#include "valuedecoder.h"

namespace {

constexpr qsizetype summaryMax = 201; // 200 characters and a "…"

void checkDecoded(const ValueDecoder::Decoded &d)
{
    FUZZ_CHECK(d.summary.size() <= summaryMax, QStringLiteral("a %1-character summary").arg(d.summary.size()));
    FUZZ_CHECK(!d.summary.contains(u'\n'), QStringLiteral("a summary of more than one line: %1").arg(d.summary));
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const QByteArray bytes = QByteArray::fromRawData(reinterpret_cast<const char *>(data), qsizetype(size));
    const QString text = fuzzText(data, size);
    const QString json = QStringLiteral("application/json");
    const QString utf8 = QStringLiteral("utf-8");

    checkDecoded(ValueDecoder::decodeResult(text, json, utf8));
    checkDecoded(ValueDecoder::decodeArguments(text));
    checkDecoded(ValueDecoder::decodeMeta(text));
    FUZZ_CHECK(ValueDecoder::resultSummary(text, json, utf8).size() <= summaryMax, "resultSummary too long");
    FUZZ_CHECK(ValueDecoder::argumentsSummary(text).size() <= summaryMax, "argumentsSummary too long");
    ValueDecoder::tracebackExceptionLine(text);
    ValueDecoder::unescapeJsonText(text);
    ValueDecoder::prettyJson(bytes);

    // The same bytes as a binary result (a pickle or anything else), base64 as stored, whole
    // and cut in the middle of a base64 quantum.
    const QString base64 = QString::fromLatin1(bytes.toBase64());
    const QString binary = QStringLiteral("binary");
    checkDecoded(ValueDecoder::decodeResult(base64, QStringLiteral("application/x-python-serialize"), binary));
    // Summaries only from here on: a hex dump of every input would halve the executions.
    FUZZ_CHECK(ValueDecoder::resultSummary(base64.left(base64.size() - 1), QStringLiteral("application/x-msgpack"), binary)
                       .size() <= summaryMax,
               "resultSummary too long");
    FUZZ_CHECK(ValueDecoder::resultSummary(base64, QStringLiteral("application/x-python-serialize"), binary).size()
                   <= summaryMax,
               "resultSummary too long");
    ValueDecoder::hexPreview(bytes);
    return 0;
}
