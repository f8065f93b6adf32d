#include "sqlfloor.h"

#include <QFile>
#include <QStringList>

#include <sqlite3.h>

#include "benchutil.h"
#include "sqlitesearch.h"

SqlFloor::~SqlFloor()
{
    close();
}

bool SqlFloor::open(const QString &path, bool stalkFunctions, QString *error)
{
    close();
    if (sqlite3_open_v2(QFile::encodeName(path).constData(), &m_db, SQLITE_OPEN_READWRITE, nullptr) != SQLITE_OK) {
        *error = QString::fromUtf8(sqlite3_errmsg(m_db));
        close();
        return false;
    }
    sqlite3_busy_timeout(m_db, 5000);
    if (stalkFunctions && SqliteSearch::registerFunctions(m_db, &m_tally) != SQLITE_OK) {
        *error = QStringLiteral("cannot register Stalk's search functions");
        close();
        return false;
    }
    return true;
}

void SqlFloor::close()
{
    if (m_db)
        sqlite3_close(m_db);
    m_db = nullptr;
}

namespace {

bool bindAll(sqlite3_stmt *stmt, const QVariantList &values)
{
    for (int i = 0; i < values.size(); ++i) {
        const QVariant &v = values.at(i);
        int rc;
        if (v.typeId() == QMetaType::QString) {
            const QByteArray utf8 = v.toString().toUtf8();
            rc = sqlite3_bind_text(stmt, i + 1, utf8.constData(), int(utf8.size()), SQLITE_TRANSIENT);
        } else {
            rc = sqlite3_bind_int64(stmt, i + 1, v.toLongLong());
        }
        if (rc != SQLITE_OK)
            return false;
    }
    return true;
}

} // namespace

double SqlFloor::time(const QString &sql, const QVariantList &values, qint64 *rowsOut, QByteArray *firstOut)
{
    const double t0 = Bench::nowMs();
    sqlite3_stmt *stmt = nullptr;
    const QByteArray text = sql.toUtf8();
    if (sqlite3_prepare_v2(m_db, text.constData(), -1, &stmt, nullptr) != SQLITE_OK || !bindAll(stmt, values)) {
        m_error = QString::fromUtf8(sqlite3_errmsg(m_db));
        sqlite3_finalize(stmt);
        return -1;
    }
    qint64 rows = 0;
    volatile size_t sink = 0;
    int rc;
    while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
        const int n = sqlite3_column_count(stmt);
        for (int c = 0; c < n; ++c) {
            const unsigned char *v = sqlite3_column_text(stmt, c);
            sink += size_t(sqlite3_column_bytes(stmt, c)) + (v ? v[0] : 0);
        }
        if (rows == 0 && firstOut) {
            const unsigned char *v = sqlite3_column_text(stmt, 0);
            *firstOut = v ? QByteArray(reinterpret_cast<const char *>(v), sqlite3_column_bytes(stmt, 0)) : QByteArray();
        }
        ++rows;
    }
    const bool ok = rc == SQLITE_DONE;
    if (!ok)
        m_error = QString::fromUtf8(sqlite3_errmsg(m_db));
    sqlite3_finalize(stmt);
    const double elapsed = Bench::nowMs() - t0;
    if (rowsOut)
        *rowsOut = rows;
    return ok ? elapsed : -1;
}

qint64 SqlFloor::scalar(const QString &sql, const QVariantList &values)
{
    QByteArray first;
    qint64 rows = 0;
    if (time(sql, values, &rows, &first) < 0 || rows == 0)
        return -1;
    return first.toLongLong();
}

QString SqlFloor::plan(const QString &sql, const QVariantList &values)
{
    sqlite3_stmt *stmt = nullptr;
    const QByteArray text = QByteArrayLiteral("EXPLAIN QUERY PLAN ") + sql.toUtf8();
    if (sqlite3_prepare_v2(m_db, text.constData(), -1, &stmt, nullptr) != SQLITE_OK || !bindAll(stmt, values)) {
        sqlite3_finalize(stmt);
        return QString::fromUtf8(sqlite3_errmsg(m_db));
    }
    QStringList lines;
    while (sqlite3_step(stmt) == SQLITE_ROW)
        lines << QString::fromUtf8(reinterpret_cast<const char *>(sqlite3_column_text(stmt, 3)));
    sqlite3_finalize(stmt);
    return lines.join(QStringLiteral(" | "));
}

QString SqlFloor::summaryColumns(const QString &p)
{
    return QStringLiteral("%1id, %1task_id, %1task_name, %1periodic_task_name, %1status, %1worker, "
                          "substr(%1task_args, 1, 200), substr(%1task_kwargs, 1, 200), substr(%1result, 1, 200), "
                          "%1content_type, %1content_encoding, %1date_created, %1date_done")
        .arg(p);
}
