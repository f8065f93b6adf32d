#pragma once

#include <QByteArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QString>
#include <QStringList>

/// Drives tools/sqlite_writer.py: a Celery worker storing a result every 50 ms in a SQLite
/// file as django-celery-results does, with Python's sqlite3 and Django's default 5 s busy
/// timeout (/usr/bin/python3); given a server URL instead of a file, the same writer on PostgreSQL
/// or MariaDB. Used by tst_purgewriter and stalk-bench's purge_writer and server purge cases,
/// which define STALK_SQLITE_WRITER as the script's path. Header-only; one thread.
class SqliteWriterProcess final
{
public:
    /// What the writer reports when stopped (its JSON line); ok is false when it printed none.
    struct Summary
    {
        bool ok = false;
        qint64 written = -1;    ///< results stored (task ids starting with "live-")
        qint64 failed = -1;     ///< writes that failed: lost results ("database is locked")
        double longestWaitMs = -1;
        double medianWaitMs = -1;
        qint64 waitsOver1s = -1;
        QByteArray json;        ///< the line itself, for messages
    };

    SqliteWriterProcess() = default;
    SqliteWriterProcess(const SqliteWriterProcess &) = delete;
    SqliteWriterProcess &operator=(const SqliteWriterProcess &) = delete;
    ~SqliteWriterProcess()
    {
        if (m_process.state() != QProcess::NotRunning) {
            m_process.kill();
            m_process.waitForFinished(5000);
        }
    }

    /// Starts it on `db` and waits until its first result is stored.
    bool start(const QString &db, QString *error)
    {
        m_process.start(QStringLiteral("/usr/bin/python3"),
                        {QStringLiteral(STALK_SQLITE_WRITER), db, QStringLiteral("--timeout"), QStringLiteral("5"),
                         QStringLiteral("--interval-ms"), QStringLiteral("50"), QStringLiteral("--prefix"),
                         QStringLiteral("live-")});
        if (!m_process.waitForStarted(30000)) {
            *error = QStringLiteral("cannot start the writer: ") + m_process.errorString();
            return false;
        }
        while (!m_out.contains("READY\n")) {
            if (!m_process.waitForReadyRead(30000)) {
                *error = QStringLiteral("the writer never got ready: ") + QString::fromUtf8(m_process.readAllStandardError());
                return false;
            }
            m_out += m_process.readAllStandardOutput();
        }
        return true;
    }

    /// Stops it and reads its summary.
    Summary stop()
    {
        m_process.write("STOP\n");
        m_process.closeWriteChannel();
        if (!m_process.waitForFinished(60000))
            m_process.kill();
        m_out += m_process.readAllStandardOutput();
        Summary s;
        s.json = m_out.trimmed().split('\n').last();
        const QJsonObject o = QJsonDocument::fromJson(s.json).object();
        if (o.isEmpty()) {
            s.json = m_out + m_process.readAllStandardError();
            return s;
        }
        s.ok = true;
        s.written = o.value(QStringLiteral("written")).toInteger(-1);
        s.failed = o.value(QStringLiteral("failed")).toInteger(-1);
        s.longestWaitMs = o.value(QStringLiteral("longest_wait_ms")).toDouble(-1);
        s.medianWaitMs = o.value(QStringLiteral("median_wait_ms")).toDouble(-1);
        s.waitsOver1s = o.value(QStringLiteral("waits_over_1s")).toInteger(-1);
        return s;
    }

private:
    QProcess m_process;
    QByteArray m_out;
};
