#pragma once

#include <QByteArray>
#include <QString>

/// zlib for the values Python clients compress (`zlib.compress()`): Django's FileBasedCache
/// files, memcached values a client stored with its compression flag (FORMATS.md §5). A pure
/// function (no I/O, any thread); Qt's qUncompress wants its own 4-byte length prefix.
namespace Zlib {

/// The most a value may inflate to (PickleReader's own input limit): a larger one is refused.
constexpr qsizetype maxInflatedBytes = 64 * 1024 * 1024;

/// Inflates a whole zlib stream (header, data, checksum) into out; false with the reason
/// ("the value inflates to more than 64 MB", "… is cut short", "… is no zlib stream (…)").
bool inflateAll(const QByteArray &in, QByteArray *out, QString *error);

} // namespace Zlib
