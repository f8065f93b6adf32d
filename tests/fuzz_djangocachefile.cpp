// libFuzzer target: DjangoCacheFile::decode, which splits a FileBasedCache file into Django's
// pickled expiry and the zlib-inflated value, and the value's pickle read as a Celery meta
// (RedisValue::parse under Django's ":1:" key: PickleReader, which never runs anything).
// Seeds: tests/fuzz/corpus/djangocachefile/ (files real Celery workers wrote through
// django-celery-results' CacheBackend, cut and damaged ones).
#include <cstddef>
#include <cstdint>

#include <QByteArray>
#include <QString>

#include "filecachestore.h"
#include "fuzzcheck.h"
#include "redisvalue.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const QByteArray bytes = QByteArray::fromRawData(reinterpret_cast<const char *>(data), qsizetype(size));
    const DjangoCacheFile::Decoded d = DjangoCacheFile::decode(bytes);
    FUZZ_CHECK(d.ok == d.error.isEmpty(), QStringLiteral("ok=%1 with the error '%2'").arg(d.ok).arg(d.error));
    FUZZ_CHECK(d.ok || d.value.isEmpty(), QStringLiteral("a value from a file that cannot be read"));
    if (d.ok) {
        const CouchDocument::Parsed p = RedisValue::parse(QStringLiteral(":1:celery-task-meta-x"), d.value, QStringLiteral(":1:"));
        FUZZ_CHECK(p.kind != CouchDocument::Parsed::Kind::Foreign || !p.reason.isEmpty(), QStringLiteral("a foreign value without a reason"));
    }
    return 0;
}
