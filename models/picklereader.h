#pragma once

#include <QByteArray>
#include <QString>

#include "pythonliteral.h"

/// A small pickle reader that NEVER executes anything: it walks the opcodes of protocols 0–5
/// (the subset Celery writes: None, bools, ints of any size, floats, str, bytes, bytearray,
/// lists, tuples, dicts, sets, frozensets, memo references) and records class references
/// (GLOBAL/STACK_GLOBAL with REDUCE/NEWOBJ/BUILD) as PyValue::Type::Object nodes named
/// "module.Name" without importing or calling them. Pure functions; any thread.
///
/// Hostile input is safe: work and memory are bounded by the input size and by Limits;
/// anything malformed or unsupported yields an error with its byte offset.
namespace PickleReader {

struct Limits
{
    qsizetype maxInputBytes = 64 * 1024 * 1024; ///< larger input is refused
    int maxDepth = 200;                          ///< nesting of the resulting value tree
    int maxItems = 200000;                       ///< nodes in the resulting value tree
    int maxIntBytes = 2048;                      ///< LONG1/LONG4 larger than this are not converted to decimal
    /// Input that stops early (a cut preview) yields what was read: ok and incomplete are set,
    /// error says where it stopped. Off: such input is an error.
    bool lenientEnd = false;
};

struct Result
{
    bool ok = false;
    PyValue value;            ///< the unpickled shape (valid when ok)
    int protocol = -1;        ///< from the PROTO opcode; -1 when absent
    QString error;            ///< "unsupported opcode PERSID (0x50) at offset 12"
    qsizetype errorOffset = -1;
    QString firstClass;       ///< first class referenced ("datetime.datetime"), even on error
    bool truncated = false;   ///< maxItems/maxDepth was reached: parts of value are "…"
    bool incomplete = false;  ///< Limits::lenientEnd and the input stopped early (error says where)
};

/// True when the bytes start with a protocol 2–5 header (0x80 0x02..0x05).
bool looksLikePickle(const QByteArray &data);

/// Reads one pickle. Known reductions are shown as the values they stand for: sets/frozensets
/// and bytearrays of protocol 2, `_codecs.encode(…, 'latin1')` bytes, datetime/date/time
/// (decoded from their state bytes), uuid.UUID, collections.OrderedDict.
Result read(const QByteArray &data, const Limits &limits = {});

} // namespace PickleReader
