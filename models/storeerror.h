#pragma once

#include <QMetaType>
#include <QString>

#include <optional>
#include <utility>

/// An error as a value: an enum to branch on and one human sentence saying what failed,
/// where and why ("database is locked: /srv/results.sqlite3 (another process holds a write
/// lock)"). Never thrown.
struct StoreError
{
    enum class Code {
        None,
        InvalidUrl,           ///< the URL cannot be understood
        NotFound,             ///< file, host or database does not exist
        NotCelery,            ///< reachable, but holds no Celery result tables/documents
        Corrupt,              ///< not a database, or a damaged one
        Locked,               ///< busy/locked beyond the busy timeout
        PermissionDenied,     ///< read-only file, no DELETE right, a user the server does not admit
        AuthenticationFailed, ///< the server rejected the login: wrong or missing password
        ConnectionFailed,     ///< refused, timed out, dropped
        QueryFailed,          ///< any other engine error
        Cancelled,            ///< interrupted on request
        Unsupported,          ///< this store cannot do that
    };

    Code code = Code::None;
    QString message;

    StoreError() = default;
    StoreError(Code c, QString m) : code(c), message(std::move(m)) { }

    bool isError() const { return code != Code::None; }
    explicit operator bool() const { return isError(); }
    /// A stable identifier for the code ("locked", "not-celery"), for logs and JSON.
    static QString codeName(Code code);
};

Q_DECLARE_METATYPE(StoreError)

/// A value or a StoreError. Small stand-in for std::expected (C++23).
template<typename T>
class Outcome final
{
public:
    Outcome(T value) : m_value(std::move(value)) { }
    Outcome(StoreError error) : m_error(std::move(error)) { Q_ASSERT(m_error.isError()); }

    bool ok() const { return m_value.has_value(); }
    explicit operator bool() const { return ok(); }
    const T &value() const & { Q_ASSERT(ok()); return *m_value; }
    T &value() & { Q_ASSERT(ok()); return *m_value; }
    T &&value() && { Q_ASSERT(ok()); return std::move(*m_value); }
    const T &operator*() const & { return value(); }
    const T *operator->() const { return &value(); }
    const StoreError &error() const { return m_error; }

private:
    std::optional<T> m_value;
    StoreError m_error;
};
