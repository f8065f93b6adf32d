#pragma once

#include <QHash>
#include <QString>

/// Row id → document id of the rows a CouchDB views query handed out: the row id is a hash
/// of the document id and cannot be read back, and deleting or opening a row needs its
/// document. Celery's ids, "celery-task-meta-" and a lower-case UUID, are kept as the UUID's
/// 16 bytes; any other id as its text. A million rows handed out take 30 MB, not 180.
class RowDocIds
{
public:
    void insert(qint64 rowId, const QString &docId);
    /// Null when the row was never handed out.
    QString value(qint64 rowId) const;
    bool contains(qint64 rowId) const { return m_uuids.contains(rowId) || m_others.contains(rowId); }
    qsizetype size() const { return m_uuids.size() + m_others.size(); }

private:
    struct Uuid
    {
        quint64 high = 0, low = 0;
    };
    /// A canonical lower-case UUID ("8-4-4-4-12" hex digits) into *out; false for anything else.
    static bool pack(QStringView text, Uuid *out);
    static QString unpack(const Uuid &uuid);

    QHash<qint64, Uuid> m_uuids;
    QHash<qint64, QString> m_others;
};
