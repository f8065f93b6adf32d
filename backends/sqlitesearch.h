#pragma once

#include <atomic>

#include <QByteArray>
#include <QString>

struct sqlite3;

/// Stalk's search as SQLite functions, so that the search runs inside the query (no row is
/// copied out to be filtered) while no search text ever enters SQL text:
///
///   stalk_icontains(haystack, term)       haystack contains term, case-insensitively for all
///                                         of Unicode (simple case folding, as QString)
///   stalk_icontains_json(haystack, term)  the same, or the JSON-unescaped haystack contains
///                                         it ("Zoë" finds "('Zo\u00eb',)")
///
/// NULL haystacks never match; an empty term matches every non-NULL haystack. Invalid UTF-8
/// is read as U+FFFD. Pure functions of their arguments; thread-safe.
///
///   stalk_exception_is(result, content_type, content_encoding, traceback, name)
///                                         ValueDecoder::exceptionOf() of the row is named
///                                         `name` (ExceptionInfo::isNamed()): the query's
///                                         exception filter, by the rule `stalk failures` uses
///   stalk_pickle_exception_is(...)        the same for celery_taskmeta, whose result column
///                                         holds the pickle's bytes (content type and encoding
///                                         are ignored)
///
///   stalk_tally(condition)                the condition as 0/1, counting each true one in the
///                                         connection's tally (an atomic any thread may read:
///                                         "searching… 123 matches so far" while a scan runs)
namespace SqliteSearch {

/// Registers the functions on the connection; stalk_tally counts into `tally` (which must
/// outlive the connection). Returns the SQLite result code.
int registerFunctions(sqlite3 *db, std::atomic<qint64> *tally);

/// The match itself, usable without SQLite (tests, other stores). `utf8` is the haystack.
bool matches(const QByteArray &utf8, const QString &term, bool decodeJson);

/// JSON string escapes (\" \\ \/ \b \f \n \r \t \uXXXX with surrogate pairs) decoded; anything
/// that is not a valid escape is kept as it is.
QString unescapeJson(const char *utf8, qsizetype size);

} // namespace SqliteSearch
