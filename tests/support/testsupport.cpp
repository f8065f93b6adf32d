#include "testsupport.h"

#include <atomic>
#include <utility>

#include <QDateTime>
#include <QDebug>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QLoggingCategory>
#include <QProcess>
#include <QSqlDatabase>
#include <QSqlError>
#include <QSqlRecord>
#include <QTemporaryDir>

namespace TestSupport {

QString fixturesDir()
{
    return qEnvironmentVariable("STALK_FIXTURES");
}

bool haveFixtures()
{
    const QString dir = fixturesDir();
    return !dir.isEmpty() && QFile::exists(dir + QStringLiteral("/READY"))
        && QFile::exists(dir + QStringLiteral("/expectations.json"))
        && QFile::exists(dir + QStringLiteral("/django.sqlite3"));
}

QJsonObject expectations()
{
    QFile file(fixturesDir() + QStringLiteral("/expectations.json"));
    if (!file.open(QIODevice::ReadOnly))
        return {};
    return QJsonDocument::fromJson(file.readAll()).object();
}

QStringList stringList(const QJsonValue &value)
{
    QStringList list;
    const QJsonArray array = value.toArray();
    for (const QJsonValue &v : array)
        list.append(v.toString());
    return list;
}

QStringList sortedStringList(const QJsonValue &value)
{
    QStringList list = stringList(value);
    list.sort();
    return list;
}

QString copyFixture(const QString &name, const QString &target, const QString &fromDir)
{
    QFile::remove(target);
    if (!QFile::copy((fromDir.isEmpty() ? fixturesDir() : fromDir) + QLatin1Char('/') + name, target))
        return {};
    // The fixtures may be read-only; the copy is the test's to change.
    QFile::setPermissions(target, QFile::ReadOwner | QFile::WriteOwner);
    return target;
}

QString copyFixture(const QTemporaryDir &dir, const QString &name)
{
    return copyFixture(name, dir.filePath(name));
}

QString writeThroughCelery(const QString &backendUrl, const QStringList &steps, const QProcessEnvironment &environment)
{
    static const char script[] = R"(
import sys
from celery import Celery
if sys.argv[1] == 'stalk_redis_tasks':
    from stalk_redis_tasks import app
else:
    app = Celery('stalk_refresh', backend=sys.argv[1])
    app.conf.result_extended = True
for step in sys.argv[2:]:
    action, task_id = step.split(':', 1)
    if action == 'group':
        from celery.result import AsyncResult, GroupResult
        group_id, members = task_id.split(':', 1)
        GroupResult(group_id, [AsyncResult(m, app=app) for m in members.split(',')], app=app).save()
    elif action == 'started':
        app.backend.mark_as_started(task_id, pid=4242, hostname='gamma@stalk')
    else:
        app.backend.mark_as_done(task_id, 42)
)";
    QProcess python;
    python.setProcessEnvironment(environment);
    python.start(QStringLiteral("/usr/bin/python3"), QStringList{QStringLiteral("-c"), QString::fromUtf8(script), backendUrl} + steps);
    if (!python.waitForFinished(60000))
        return QStringLiteral("the Celery writer did not finish within 60 s");
    if (python.exitStatus() != QProcess::NormalExit || python.exitCode() != 0)
        return QString::fromUtf8(python.readAllStandardError());
    return QString();
}

LiveWriter::LiveWriter() : m_process(std::make_unique<QProcess>()) { }

LiveWriter::~LiveWriter()
{
    if (m_process->state() != QProcess::NotRunning) {
        m_process->kill();
        m_process->waitForFinished(5000);
    }
}

bool LiveWriter::start(const QString &writer, const QStringList &arguments)
{
    m_process->setProcessChannelMode(QProcess::ForwardedErrorChannel);
    m_process->start(QStringLiteral("/usr/bin/python3"), QStringList{writer} + arguments);
    return m_process->waitForStarted(30000);
}

bool LiveWriter::waitFor(const QByteArray &marker)
{
    while (!m_out.contains(marker)) {
        if (!m_process->waitForReadyRead(360000))
            return false;
        m_out += m_process->readAllStandardOutput();
    }
    return true;
}

bool LiveWriter::isRunning() const
{
    return m_process->state() == QProcess::Running;
}

int LiveWriter::finish()
{
    const bool ended = m_process->waitForFinished(60000);
    m_out += m_process->readAllStandardOutput();
    return ended && m_process->exitStatus() == QProcess::NormalExit ? m_process->exitCode() : -1;
}

QStringList LiveWriter::ids(const QByteArray &tag) const
{
    const QByteArray start = tag + ' ';
    for (const QByteArray &line : m_out.split('\n')) {
        if (line.startsWith(start))
            return stringList(QJsonDocument::fromJson("{\"ids\": " + line.mid(start.size()) + '}').object().value(QLatin1String("ids")));
    }
    return {};
}

QPalette darkPalette()
{
    QPalette p;
    p.setColor(QPalette::Window, QColor(0x2b, 0x2b, 0x2b));
    p.setColor(QPalette::WindowText, QColor(0xe6, 0xe6, 0xe6));
    p.setColor(QPalette::Base, QColor(0x1e, 0x1e, 0x1e));
    p.setColor(QPalette::AlternateBase, QColor(0x26, 0x26, 0x26));
    p.setColor(QPalette::Text, QColor(0xe6, 0xe6, 0xe6));
    p.setColor(QPalette::Button, QColor(0x35, 0x35, 0x35));
    p.setColor(QPalette::ButtonText, QColor(0xe6, 0xe6, 0xe6));
    p.setColor(QPalette::Highlight, QColor(0x3d, 0x7a, 0xd6));
    p.setColor(QPalette::HighlightedText, Qt::white);
    p.setColor(QPalette::Link, QColor(0x6c, 0xb4, 0xff));
    p.setColor(QPalette::PlaceholderText, QColor(0x90, 0x90, 0x90));
    p.setColor(QPalette::ToolTipBase, QColor(0x35, 0x35, 0x35));
    p.setColor(QPalette::ToolTipText, QColor(0xe6, 0xe6, 0xe6));
    return p;
}

namespace {
std::atomic<int> s_connections{0};
} // namespace

SqliteConnection::SqliteConnection(const QString &path, Mode mode)
    : m_name(QStringLiteral("testsupport-%1").arg(++s_connections))
{
    QSqlDatabase db = QSqlDatabase::addDatabase(QStringLiteral("QSQLITE"), m_name);
    db.setDatabaseName(path);
    if (mode == Mode::ReadOnly)
        db.setConnectOptions(QStringLiteral("QSQLITE_OPEN_READONLY"));
    m_open = db.open();
    if (!m_open)
        m_openError = db.lastError().text();
}

SqliteConnection::~SqliteConnection()
{
    {
        QSqlDatabase db = QSqlDatabase::database(m_name, false);
        db.close();
    }
    QSqlDatabase::removeDatabase(m_name);
}

namespace {
bool run(QSqlQuery &query, const QString &sql, const QVariantList &values)
{
    if (!query.prepare(sql))
        return false;
    for (const QVariant &v : values)
        query.addBindValue(v);
    return query.exec();
}
} // namespace

QSqlDatabase SqliteConnection::database() const
{
    return QSqlDatabase::database(m_name, false);
}

QString SqliteConnection::exec(const QString &sql, const QVariantList &values) const
{
    QSqlQuery query(QSqlDatabase::database(m_name, false));
    return run(query, sql, values) ? QString() : query.lastError().text();
}

QSqlQuery SqliteConnection::query(const QString &sql, const QVariantList &values) const
{
    QSqlQuery query(QSqlDatabase::database(m_name, false));
    if (!run(query, sql, values))
        qWarning() << query.lastError().text() << sql;
    return query;
}

QStringList SqliteConnection::strings(const QString &sql, const QVariantList &values) const
{
    QSqlQuery query(QSqlDatabase::database(m_name, false));
    if (!run(query, sql, values))
        return {QStringLiteral("SQL ERROR: ") + query.lastError().text()};
    QStringList list;
    while (query.next())
        list.append(query.value(0).toString());
    list.sort();
    return list;
}

QVariantMap SqliteConnection::firstRow(const QString &sql, const QVariantList &values) const
{
    QSqlQuery query(QSqlDatabase::database(m_name, false));
    QVariantMap row;
    if (run(query, sql, values) && query.next()) {
        const QSqlRecord record = query.record();
        for (int i = 0; i < record.count(); ++i)
            row.insert(record.fieldName(i), query.value(i));
    }
    return row;
}

QString addRuntimeTrendTasks(const QSqlDatabase &db, const QString &table)
{
    QSqlQuery q(db);
    if (!q.exec(QStringLiteral("SELECT * FROM %1 WHERE status = 'SUCCESS' ORDER BY id").arg(table)) || !q.next())
        return QStringLiteral("no SUCCESS result to copy: %1").arg(q.lastError().text());
    const QSqlRecord model = q.record();
    QStringList columns, marks;
    for (int i = 0; i < model.count(); ++i) {
        if (model.fieldName(i) != u"id") {
            columns << model.fieldName(i);
            marks << QStringLiteral("?");
        }
    }
    // Dates as Django writes them (naive UTC text); PostgreSQL's timestamptz gets the offset.
    const bool postgres = db.driverName() == u"QPSQL";
    const auto text = [postgres](const QDateTime &t) {
        return t.toString(QStringLiteral("yyyy-MM-dd HH:mm:ss.zzz000")) + (postgres ? QStringLiteral("+00:00") : QString());
    };
    const QDateTime base = QDateTime::fromString(QStringLiteral("2025-03-01T10:00:00Z"), Qt::ISODate);
    QSqlQuery insert(db);
    if (!insert.prepare(QStringLiteral("INSERT INTO %1 (%2) VALUES (%3)")
                            .arg(table, columns.join(QStringLiteral(", ")), marks.join(QStringLiteral(", ")))))
        return insert.lastError().text();
    constexpr int n = 60;
    for (const char *task : {runtimeTrendGrown, runtimeTrendSteady}) {
        const bool grown = task == runtimeTrendGrown;
        for (int i = 0; i < n; ++i) {
            const int step = i >= n / 2 - 2 && i < n / 2 + 2 ? n / 2 - 2 : i; // the middle four share a date
            const QDateTime done = base.addSecs((grown ? 0 : 3600) + step);
            const qint64 ms = grown ? (i < n / 2 ? 1000 + 10 * i : 4000 + 10 * (i - n / 2))
                                    : 2000 + 10 * ((i * 7) % (n / 2));
            const QDateTime started = done.addMSecs(-ms);
            for (int c = 0; c < model.count(); ++c) {
                const QString name = model.fieldName(c);
                if (name == u"id")
                    continue;
                QVariant value = model.value(c);
                if (name == u"task_id")
                    value = QStringLiteral("trend-%1-%2").arg(QLatin1String(task)).arg(i);
                else if (name == u"task_name")
                    value = QLatin1String(task);
                else if (name == u"date_done")
                    value = text(done);
                else if (name == u"date_started")
                    value = text(started);
                else if (name == u"date_created")
                    value = text(started.addMSecs(-500));
                insert.addBindValue(value);
            }
            if (!insert.exec())
                return insert.lastError().text();
        }
    }
    return {};
}

namespace {

QByteArray s_category;
QStringList s_lines;
QtMessageHandler s_previous = nullptr;

void captureHandler(QtMsgType type, const QMessageLogContext &context, const QString &message)
{
    if (context.category && s_category == context.category)
        s_lines << message;
    else if (s_previous)
        s_previous(type, context, message);
}

} // namespace

LogCapture::LogCapture(const char *category)
{
    s_category = category;
    s_lines.clear();
    QLoggingCategory::setFilterRules(QStringLiteral("%1.debug=true").arg(QLatin1String(category)));
    m_previous = qInstallMessageHandler(&captureHandler);
    s_previous = m_previous;
}

LogCapture::~LogCapture()
{
    qInstallMessageHandler(m_previous);
    QLoggingCategory::setFilterRules(QStringLiteral("%1.debug=false").arg(QLatin1String(s_category)));
    s_category.clear();
}

QStringList LogCapture::take()
{
    return std::exchange(s_lines, {});
}

} // namespace TestSupport
