#include "serverdialect.h"

#include <QAtomicInteger>
#include <QRegularExpression>
#include <QSqlDatabase>
#include <QSqlError>
#include <QSqlQuery>

#include "sqlitedialect.h"

ServerDialect::ServerDialect(StoreUrl url, bool readOnly)
    : m_url(std::move(url))
    , m_readOnly(readOnly)
{
}

void ServerDialect::setSessionId(qint64 id)
{
    QMutexLocker lock(&m_sessionMutex);
    m_sessionId = id;
}

void ServerDialect::interrupt()
{
    qint64 id = 0;
    {
        QMutexLocker lock(&m_sessionMutex);
        id = m_sessionId;
    }
    if (id == 0)
        return;
    // A second connection, used and removed on this thread.
    static QAtomicInteger<quint64> counter;
    const QString name = QStringLiteral("stalk-cancel-%1").arg(counter.fetchAndAddRelaxed(1) + 1);
    {
        QSqlDatabase db = addConnection(name);
        if (db.open()) {
            QSqlQuery q(db);
            q.exec(cancelSql(id));
        }
        db.close();
    }
    QSqlDatabase::removeDatabase(name);
}

void ServerDialect::disconnect()
{
    setSessionId(0);
}

QVariant ServerDialect::dateValue(const QDateTime &utc, DateTextStyle style, int extraMicroseconds) const
{
    Q_UNUSED(style) // compared as date/time values, not text: the server parses it
    return SqliteDialect::dateText(utc, DateTextStyle::SqlAlchemy, extraMicroseconds);
}

QDateTime ServerDialect::readDate(const QVariant &stored, QString *problem) const
{
    if (stored.isNull())
        return {};
    if (stored.typeId() == QMetaType::QDateTime) {
        const QDateTime dt = stored.toDateTime();
        return QDateTime(dt.date(), dt.time(), Qt::UTC);
    }
    bool ok = false;
    const QString text = stored.typeId() == QMetaType::QByteArray ? QString::fromUtf8(stored.toByteArray())
                                                                  : stored.toString();
    const QDateTime dt = SqliteDialect::parseDateText(text, &ok);
    if (!ok) {
        if (problem)
            *problem = QStringLiteral("'%1' is not a date").arg(text.left(64));
        return {};
    }
    return dt;
}

QString ServerDialect::errorDetail(const QSqlError &error)
{
    QString text = error.databaseText().isEmpty() ? error.text() : error.databaseText();
    // PostgreSQL's excerpt of the statement ("LINE 1: PREPARE qpsqlpstmt_7 AS DELETE …" and a
    // line with a caret under the position) names Stalk's SQL, not the problem; QPSQL's
    // "(%1)" around an SQLSTATE it did not get leaves "()".
    static const QRegularExpression excerpt(QStringLiteral(R"(^LINE \d+: .*$\n?(^\s*\^\s*$\n?)?)"),
                                            QRegularExpression::MultilineOption);
    static const QRegularExpression emptyParentheses(QStringLiteral(R"((^|\s)\(\)(?=\s|$))"));
    text.remove(excerpt);
    text.remove(emptyParentheses);
    return text.simplified();
}

Outcome<SqlCatalog> ServerDialect::catalog(QSqlDatabase &db, const QStringList &tables) const
{
    // One round trip per catalogTables tables asked for (Stalk's own tables: one); every
    // round trip lists the database's tables again, kept from the first.
    SqlCatalog catalog;
    for (qsizetype first = 0; first == 0 || first < tables.size(); first += catalogTables) {
        QVariantList names;
        for (qsizetype i = first; i < first + catalogTables; ++i)
            names << (i < tables.size() ? tables.at(i) : QString(QLatin1String("")));
        const bool listTables = first == 0;
        const StoreError error = forEachRow(db, catalogSql(), names, QStringLiteral("reading the catalog"),
                                            [&](const QSqlQuery &q) {
                                                const QString table = q.value(1).toString();
                                                if (q.value(0).toInt() == 0) {
                                                    if (listTables)
                                                        catalog.tables << table;
                                                } else {
                                                    catalog.columns[table].append(catalogColumn(q));
                                                }
                                            });
        if (error.isError())
            return error;
    }
    return catalog;
}
