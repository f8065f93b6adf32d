#pragma once

#include "couchdocument.h"

#include <QByteArray>
#include <QString>

/// Decoding of the values Celery's RedisBackend writes (FORMATS.md §4): key
/// `<prefix>celery-task-meta-<task_id>` holds the meta serialized with result_serializer —
/// JSON text (the default; the same text as a CouchDB document's `value`), a pickle, or
/// msgpack — and `<prefix>celery-taskset-meta-<group_id>` a saved group. Pure functions:
/// no I/O, any thread.
///
/// The answer has CouchDocument's shape (the key is its docId, rev is empty), so the same
/// index and expiry rules serve both stores. A pickled meta goes through PickleReader, which
/// never executes anything; its values become the JSON the JSON serializer would have written
/// (an exception instance becomes Celery's {"exc_type", "exc_message", "exc_module"}), so the
/// rest of Stalk reads one form.
namespace RedisValue {

enum class Encoding { Json, Pickle, Msgpack, Unknown };

/// What the value's first bytes say it is (Celery stores no content type in Redis).
Encoding sniff(const QByteArray &value);
/// "JSON", "pickle", "msgpack", "unknown".
QString encodingName(Encoding encoding);

/// Whether a key prefix is Django's cache key prefix "KEY_PREFIX:VERSION:" (":1:" by default), as
/// django-celery-results' CacheBackend lands in Redis through django-redis (FORMATS.md §5).
bool isDjangoCachePrefix(const QString &keyPrefix);

/// The text before "celery-task-meta-" / "celery-taskset-meta-" in a key Stalk reads when no
/// ?keyprefix= is given: empty (Celery's RedisBackend) or a Django cache prefix. Null for
/// any other key.
QString defaultKeyPrefix(const QString &key);

/// One key and its value. Keys outside keyPrefix + Celery's two prefixes, values that are not
/// a Celery meta, and encodings Stalk cannot read (msgpack) are Kind::Foreign with a reason.
CouchDocument::Parsed parse(const QString &key, const QByteArray &value, const QString &keyPrefix,
                            CouchDocument::Detail detail = CouchDocument::Detail::Full);

} // namespace RedisValue
