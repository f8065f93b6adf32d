#pragma once

#include <cstdio>
#include <cstdlib>

#include <cstdint>

#include <QString>

/// What the fuzz targets share: an invariant that does not hold is a finding, reported on
/// stderr and turned into a crash that libFuzzer saves the input of.
#define FUZZ_CHECK(condition, what)                                                                          \
    do {                                                                                                      \
        if (!(condition)) {                                                                                   \
            std::fprintf(stderr, "FUZZ_CHECK failed: %s (%s) at %s:%d\n", qPrintable(QString(what)),       \
                         #condition, __FILE__, __LINE__);                                                     \
            std::abort();                                                                                     \
        }                                                                                                     \
    } while (false)

/// The input bytes as text the way stores hand text over: UTF-8 (invalid sequences become
/// U+FFFD, as QString::fromUtf8 makes them).
inline QString fuzzText(const uint8_t *data, size_t size)
{
    return QString::fromUtf8(reinterpret_cast<const char *>(data), qsizetype(size));
}
