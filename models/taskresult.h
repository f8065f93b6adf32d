#pragma once

#include <optional>

#include <QDateTime>
#include <QMetaType>
#include <QString>
#include <QStringList>
#include <QVector>

/// Every field a Celery result store can hold (FORMATS.md §1–§3). A store reports which
/// of them its schema has (older django-celery-results versions lack several).
enum class Field : quint8 {
    RowId,
    TaskId,
    TaskName,
    PeriodicTaskName,
    Status,
    Worker,
    Args,
    Kwargs,
    Result,
    Traceback,
    Meta,
    ContentType,
    ContentEncoding,
    DateCreated,
    DateStarted,
    DateDone,
    GroupId,
    ParentId,
    Retries,
    Queue,
    Hidden,
    Expires, ///< when the key expires (Redis/cache TTL)
    FieldCount
};

/// The column name FORMATS.md uses for a field ("task_id", "date_done", …). Also the JSON key
/// of the command line's json/jsonl output.
QString fieldName(Field field);
/// A short human label ("Task ID", "Date done").
QString fieldLabel(Field field);
/// Inverse of fieldName(); returns false for an unknown name.
bool fieldFromName(const QString &name, Field *field);

/// A small set of Field values. Plain value type.
class FieldSet final
{
public:
    constexpr FieldSet() = default;
    FieldSet(std::initializer_list<Field> fields)
    {
        for (Field f : fields)
            insert(f);
    }
    static FieldSet all();

    bool contains(Field f) const { return m_bits & bit(f); }
    void insert(Field f) { m_bits |= bit(f); }
    void remove(Field f) { m_bits &= ~bit(f); }
    bool isEmpty() const { return m_bits == 0; }
    friend bool operator==(FieldSet a, FieldSet b) { return a.m_bits == b.m_bits; }
    friend bool operator!=(FieldSet a, FieldSet b) { return a.m_bits != b.m_bits; }

private:
    static constexpr quint32 bit(Field f) { return quint32(1) << static_cast<int>(f); }
    quint32 m_bits = 0;
};

/// How long a task ran, in milliseconds, and which date it is counted from.
struct Runtime
{
    /// date_started when the store has it; else date_created, which is when the row was first
    /// written (the STARTED state with task_track_started, else the end itself).
    enum class Basis { Started, Created };
    qint64 ms = 0;
    Basis basis = Basis::Started;
    friend bool operator==(const Runtime &a, const Runtime &b) { return a.ms == b.ms && a.basis == b.basis; }
};

/// The states whose results have a runtime (TaskResult::runtime(), the runtimes aggregate):
/// SUCCESS and FAILURE.
QStringList runtimeStatuses();

/// One task result as stored by Celery. Plain value type: no QObject, copyable, comparable.
///
/// Text fields hold the stored text exactly (JSON text, Python repr strings, base64 for
/// binary content); decoding for display lives in valuedecoder.h. A null QString means
/// NULL in the store or a column the schema does not have; an empty one means "".
/// Dates are UTC; an invalid QDateTime means NULL.
struct TaskResult
{
    /// The store's own key: the SQL primary key, or the CouchDB store's index slot.
    qint64 rowId = -1;

    QString taskId;
    QString taskName;
    QString periodicTaskName;
    QString status;
    QString worker;
    QString args;
    QString kwargs;
    QString result;
    QString traceback;
    QString meta;
    QString contentType;
    QString contentEncoding;
    QDateTime dateCreated;
    QDateTime dateStarted;
    QDateTime dateDone;

    // Present in celery_taskmeta (result_extended) and CouchDB documents.
    QString groupId;
    QString parentId;
    QString queue;
    int retries = -1; ///< -1 = unknown
    bool hidden = false; ///< django-celery-results 1.x only
    /// Key-value stores (Redis): when the key expires, from its TTL when the row was read;
    /// invalid = no TTL (kept until deleted) or not read (page rows).
    QDateTime expires;

    /// False when this is a page row: args/result are previews (cut) and traceback/meta are
    /// not loaded. fetchOne() returns complete rows.
    bool complete = false;

    /// What could not be read ("date_done: '31/02/2025' is not a date"). The row still shows
    /// everything else.
    QStringList problems;

    /// date_done − date_started (else − date_created) for a task that finished: SUCCESS or
    /// FAILURE. Nothing for any other state (date_done is rewritten at every state change, so
    /// a STARTED or RETRY row's date_done is that change, not an end; a REVOKED task mostly
    /// never ran), when a date is missing, or when date_done is before the start.
    std::optional<Runtime> runtime() const;

    /// Celery's READY_STATES (SUCCESS, FAILURE, REVOKED): a result no worker rewrites any more.
    /// Any other state (STARTED, RETRY, a custom one) is rewritten at its next change.
    static bool isReadyState(const QString &status);

    friend bool operator==(const TaskResult &a, const TaskResult &b);
    friend bool operator!=(const TaskResult &a, const TaskResult &b) { return !(a == b); }
};

Q_DECLARE_METATYPE(TaskResult)

/// One value of a facet with the number of matching results. A null value stands for NULL
/// (for example task_name when the Celery app runs without result_extended).
struct FacetValue
{
    QString value;
    qint64 count = 0;
    friend bool operator==(const FacetValue &a, const FacetValue &b)
    {
        return a.value == b.value && a.value.isNull() == b.value.isNull() && a.count == b.count;
    }
};

/// The results a facet's values count together.
qint64 totalOf(const QVector<FacetValue> &values);
/// The order every store lists a facet's values in: most frequent first; equal counts by
/// value, NULL first, so the order is stable.
void sortFacetValues(QVector<FacetValue> &values);

/// Distinct values with counts of the filterable fields, for the current search. Each facet
/// is counted with every other filter applied but not its own, so several values of one
/// facet can be ticked together.
struct Facets
{
    QVector<FacetValue> statuses;
    QVector<FacetValue> taskNames;
    QVector<FacetValue> workers;
    QVector<FacetValue> periodicTaskNames;
    friend bool operator==(const Facets &a, const Facets &b)
    {
        return a.statuses == b.statuses && a.taskNames == b.taskNames && a.workers == b.workers
            && a.periodicTaskNames == b.periodicTaskNames;
    }
};

Q_DECLARE_METATYPE(Facets)
