// libFuzzer target: the RESP2 reply reader (Resp::parse), which reads whatever a Redis server,
// or anything listening on its port, sends. A reply arrives in pieces: the reader measures
// what has arrived without building anything and builds the reply once it is complete. What
// it reads from the whole input it reads the same when the input stops anywhere before the
// reply's end (Incomplete there, never another reply), and several replies back to back read
// one after the other as they read alone.
// Seeds: tests/fuzz/corpus/resp/ (replies of a real redis-server to the commands Stalk sends,
// over the fixture data the real Celery workers wrote).
#include <cstddef>
#include <cstdint>

#include <QByteArray>
#include <QString>

#include "fuzzcheck.h"
#include "respclient.h"

namespace {

bool same(const RespValue &a, const RespValue &b)
{
    if (a.type != b.type || a.text != b.text || a.integer != b.integer || a.items.size() != b.items.size())
        return false;
    for (qsizetype i = 0; i < a.items.size(); ++i) {
        if (!same(a.items.at(i), b.items.at(i)))
            return false;
    }
    return true;
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const QByteArray bytes(reinterpret_cast<const char *>(data), qsizetype(size));
    qsizetype end = 0;
    RespValue whole;
    QString why;
    const Resp::ParseStatus status = Resp::parse(bytes, &end, &whole, &why);
    if (status == Resp::ParseStatus::Invalid) {
        FUZZ_CHECK(!why.isEmpty(), "an invalid reply without a reason");
        FUZZ_CHECK(end == 0, "an invalid reply moved the position");
        return 0;
    }
    if (status == Resp::ParseStatus::Incomplete) {
        FUZZ_CHECK(end == 0, "an incomplete reply moved the position");
        return 0;
    }
    FUZZ_CHECK(end > 0 && end <= bytes.size(), QStringLiteral("a reply ends at %1 of %2").arg(end).arg(bytes.size()));

    // Stopped anywhere before its end, the same reply is not there yet (a reply line longer
    // than 64 KB without its end is refused early: a server that never ends its line).
    const qsizetype cut = size > 1 ? qsizetype(data[size - 1]) * end / 256 : 0;
    qsizetype pos = 0;
    RespValue part;
    QString partWhy;
    const Resp::ParseStatus early = Resp::parse(bytes.left(cut), &pos, &part, &partWhy);
    FUZZ_CHECK(early == Resp::ParseStatus::Incomplete
                   || (early == Resp::ParseStatus::Invalid && partWhy.contains(QLatin1String("without its end"))),
               QStringLiteral("cut at %1 of a reply ending at %2: status %3 (%4)").arg(cut).arg(end).arg(int(early)).arg(partWhy));
    FUZZ_CHECK(pos == 0, "a cut reply moved the position");

    // Twice in a row: two replies, each as it reads alone.
    const QByteArray twice = bytes.left(end) + bytes.left(end);
    pos = 0;
    RespValue first, second;
    FUZZ_CHECK(Resp::parse(twice, &pos, &first) == Resp::ParseStatus::Complete && pos == end, "the first of two replies");
    FUZZ_CHECK(Resp::parse(twice, &pos, &second) == Resp::ParseStatus::Complete && pos == 2 * end, "the second of two replies");
    FUZZ_CHECK(same(first, whole) && same(second, whole), "two replies back to back read otherwise than alone");
    return 0;
}
