#include "storeerror.h"

QString StoreError::codeName(Code code)
{
    switch (code) {
    case Code::None: return QStringLiteral("none");
    case Code::InvalidUrl: return QStringLiteral("invalid-url");
    case Code::NotFound: return QStringLiteral("not-found");
    case Code::NotCelery: return QStringLiteral("not-celery");
    case Code::Corrupt: return QStringLiteral("corrupt");
    case Code::Locked: return QStringLiteral("locked");
    case Code::PermissionDenied: return QStringLiteral("permission-denied");
    case Code::AuthenticationFailed: return QStringLiteral("authentication-failed");
    case Code::ConnectionFailed: return QStringLiteral("connection-failed");
    case Code::QueryFailed: return QStringLiteral("query-failed");
    case Code::Cancelled: return QStringLiteral("cancelled");
    case Code::Unsupported: return QStringLiteral("unsupported");
    }
    return QStringLiteral("unknown");
}
