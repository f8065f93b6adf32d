#pragma once

#include "idcolumn.h"
#include "resultstore.h"
#include "taskquery.h"
#include "taskresult.h"
#include "textarena.h"
#include "valuedecoder.h"

#include <QHash>
#include <QString>
#include <QStringList>
#include <QVector>

#include <limits>
#include <memory>
#include <vector>

/// The compact in-memory index of decoded Celery metadata a CouchStore answers count,
/// facets, search, sort and paging from (the server cannot look inside `value`).
///
/// Columnar: one vector per field, status/task name/worker/queue interned as small integers,
/// date_done as milliseconds; args/result kept only as short previews plus the case-folded
/// texts search looks in (task id, args and kwargs as JSON and as Python literals; task name
/// and status are searched through the pool). A row's texts are one TextArena record:
/// Latin-1 where it fits, no heap block per string; a CouchDB rev packed, the document ids'
/// shared start kept once. Rows live in slots; a deleted document leaves a dead slot.
///
/// Row ids: derived from the document id (53 bits of its SHA-1, exact in JSON numbers), not
/// from the slot, so every store on the same database gives a document the same row id.
/// This matters wherever two stores meet one database (the command line and the window, a
/// store reopened after F5): slot numbers differ between stores once one has caught up with
/// _changes, document ids do not.
///
/// Plain value type, not thread-safe, its const calls included (textMatches() keeps its last
/// answer): owned and used by one store under its lock.
class CouchIndex final
{
public:
    /// resultPreviewChars: how much of each result the index keeps (summaryRow()'s result). A
    /// store that can read a page's values again cheaply (KeyValueStore: one round trip) keeps
    /// fewer than ResultStore::previewChars and completes the previews of the rows it shows
    /// (needsResultPreview()); a result sort then compares only what is kept.
    explicit CouchIndex(int resultPreviewChars = ResultStore::previewChars);

    /// Inserts or updates the task document docId; returns its slot.
    qint64 upsert(const QString &docId, const QString &rev, const TaskResult &task);
    struct Entry;
    /// upsert() of a document entry() prepared (on any thread): the index's own part only.
    qint64 upsert(Entry entry);
    /// Marks the document's slot dead (deleted on the server or no longer a Celery result).
    void remove(const QString &docId);

    /// Slot of a live document, or -1.
    qint64 slotOf(const QString &docId) const;
    /// Slot of a live row id, or -1.
    qint64 slotOfRow(qint64 rowId) const { return m_rowSlots.find(rowId, m_rowIds); }
    qint64 rowIdOf(qint64 slot) const { return isLive(slot) ? m_rowIds[size_t(slot)] : -1; }
    /// The row id a document id always gets (before collision handling).
    static qint64 rowIdFor(const QString &docId);
    bool isLive(qint64 slot) const;
    QString docId(qint64 slot) const;
    QString rev(qint64 slot) const;
    QString status(qint64 slot) const;
    QString taskName(qint64 slot) const;
    QDateTime dateDone(qint64 slot) const;
    /// The key's cache expiry as upserted (TaskResult::expires); invalid when none.
    QDateTime expires(qint64 slot) const;
    qint64 liveCount() const { return m_live; }
    /// Slots so far, live and dead: slots are never reused, so a slot below this stays that document's.
    qint64 slotCount() const { return qint64(m_alive.size()); }
    /// Some live row carried result_extended keys.
    bool anyExtended() const { return m_extendedRows > 0; }

    /// Live slots matching the query, in its sort order (ties by slot, same direction).
    std::vector<qint64> select(const TaskQuery &query) const;
    qint64 count(const TaskQuery &query) const;
    Facets facets(const TaskQuery &query) const;
    /// Results per bucket of date_done by status: one walk over the rows matching the query.
    Outcome<StatusHistory> statusHistory(const TaskQuery &query, TimeBucket bucket) const;
    /// Failures grouped (FailureTableBuilder): one walk over the rows matching the query,
    /// each row's exception read once, when it was indexed.
    FailureTable failures(const TaskQuery &query) const;
    /// A Summary row (previews only, complete = false) from the index alone.
    TaskResult summaryRow(qint64 slot) const;
    /// Whether summaryRow()'s result is shorter than a Summary row's (ResultStore::previewChars)
    /// because this index keeps less of it: the caller reads the value to complete it.
    bool needsResultPreview(qint64 slot) const { return isLive(slot) && m_resultCut[size_t(slot)]; }

    /// Live slots that PurgeCriteria::matches() (date_done < cutoff or past the cache expiry, narrowed) and whose texts
    /// and exception the criteria's search and exceptions narrow to, as a query's do; in slot order.
    std::vector<qint64> expired(const PurgeCriteria &criteria) const;
    /// The criteria's search text and exceptions on a result read outside the index (a
    /// document re-read at the moment of deleting): the same texts and exception as upsert()
    /// indexes, the same rule as a query's search. True when neither narrows.
    static bool matchesNarrowing(const TaskResult &task, const PurgeCriteria &criteria);

    /// Bumped on every change; lets callers cache a selection.
    quint64 generation() const { return m_generation; }

    /// How much of each result this index keeps (the constructor's resultPreviewChars).
    int resultPreviewChars() const { return m_resultPreviewChars; }

private:
    /// Live row id -> slot: open addressing over m_rowIds, 4 bytes a cell.
    class RowTable final
    {
    public:
        qint64 find(qint64 rowId, const std::vector<qint64> &rowIds) const;
        void insert(qint64 slot, const std::vector<qint64> &rowIds);
        void erase(qint64 rowId, const std::vector<qint64> &rowIds);

    private:
        size_t home(qint64 rowId) const { return size_t(quint64(rowId) * 0x9e3779b97f4a7c15ull >> m_shift); }
        std::vector<quint32> m_cells; // slot + 1; 0 = empty
        size_t m_size = 0;
        int m_shift = 64;
    };
    /// The texts of a slot, one TextArena record each, in this order; FoldedTaskId to
    /// FoldedPyKwargs are searched.
    static constexpr qint64 noDate = std::numeric_limits<qint64>::min();
    enum Text { DocId, TaskId, FoldedTaskId, FoldedArgs, FoldedKwargs, FoldedPyArgs, FoldedPyKwargs, ArgsPreview,
                KwargsPreview, ResultPreview, Rev, GroupId, ParentId, Problems, TextCount,
                SearchedBegin = FoldedTaskId, SearchedEnd = FoldedPyKwargs + 1 };

public:
    /// What upsert() stores of one task document, worked out without the index: the hash of
    /// its id, its search texts, previews, packed rev and exception. Preparing is most of an
    /// upsert's time, and entry() may run on any thread, so a loader prepares a batch on
    /// other cores and only upserts it under its lock.
    struct Entry
    {
        QString docId;
        qint64 rowId = 0; ///< rowIdFor(docId)
        QString status, taskName, worker, queue;
        qint64 dateDone = noDate, expires = noDate;
        qint16 retries = -1;
        bool extended = false, hasTraceback = false, packedRev = false, resultCut = false;
        QString exception; ///< "type\x1fmodule\x1fmessage" (m_exception's form); null: none
        /// The texts, as the TextArena record upsert() stores (encoded on entry()'s thread),
        /// the DocId field without docId's first docIdStripped characters.
        QByteArray record;
        /// How much of docId comes before its task id (0 when docId does not end with it): the
        /// index keeps one such start for all rows (m_docIdPrefix), and a row that keeps
        /// another part of its id has its record made again by upsert().
        qsizetype docIdStripped = 0;
    };
    /// The entry of a task document for an index keeping resultPreviewChars of each result
    /// (the constructor's). Thread-safe: reads no index.
    static Entry entry(const QString &docId, const QString &rev, const TaskResult &task, int resultPreviewChars);

private:
    /// A search term, case-folded, and which pooled texts (task name, status) hold it.
    struct Term
    {
        QString folded;
        QByteArray latin1; ///< empty when folded is not Latin-1
        bool acrossFields = false; ///< holds U+001F: matched against the joined search text
        std::vector<bool> inPool;
    };
    /// One bit per slot (bit s % 64 of word s / 64): the slot's texts hold every search term.
    using SlotBits = std::vector<quint64>;
    /// What matches() needs beyond the query, prepared once per query (prepare()).
    struct Prepared
    {
        /// The search's part of matches(), decided for every slot at once (textMatches());
        /// null when the query has no search.
        std::shared_ptr<const SlotBits> textPasses;
        /// Per pool id of an m_exception entry: 1 when the query's exception filter matches it;
        /// empty when the query has no exception filter.
        std::vector<char> exceptionPasses;
    };
    enum class Skip { None, Status, TaskName, Worker };
    /// The texts a search looks in that a row keeps as its own fields, case-folded; the task
    /// name and status are searched through the pool.
    struct SearchTexts
    {
        QString taskId, args, kwargs, pyArgs, pyKwargs;
    };
    static SearchTexts searchTexts(const TaskResult &task);
    /// ValueDecoder::exceptionOf() of a result, read only when it can hold one.
    static ValueDecoder::ExceptionInfo exceptionOf(const TaskResult &task);
    /// The parts of an m_exception entry (invalid for 0).
    ValueDecoder::ExceptionInfo storedException(quint32 id) const;
    bool matches(qint64 slot, const TaskQuery &query, const Prepared &prepared, Skip skip) const;
    /// Whether the texts of a live slot (and its pooled task name and status) hold every term.
    bool textsHold(size_t slot, const std::vector<Term> &terms) const;
    /// textsHold() of every slot for a query's search terms (TaskQuery::searchTerms()),
    /// searched on all cores; kept for the next call with the same terms while the index does
    /// not change (a query's rows, count and three facets search once).
    std::shared_ptr<const SlotBits> textMatches(const QStringList &searched) const;
    /// The query's search terms folded and its exception filter decided, once for each
    /// distinct stored exception (a message fingerprint is four regular expressions).
    Prepared prepare(const TaskQuery &query) const;
    /// The terms folded, with the pooled texts holding each (the pool is folded for them).
    std::vector<Term> foldedTerms(const QStringList &searched) const;
    /// The search text as one string (the searched fields, task name and status joined by U+001F).
    QString joinedSearchText(qint64 slot, const TextRef *texts) const;
    qint64 slotOf(const QString &docId, qint64 rowId) const;
    TextRef textRef(qint64 slot, Text field) const { return m_texts.field(m_textOf[size_t(slot)], field); }
    QString text(qint64 slot, Text field) const { return m_texts.text(m_textOf[size_t(slot)], field); }
    /// The id of text in pool (appended when new); null is 0, "" is 1 (every pool starts with both).
    static quint32 intern(QStringList &pool, QHash<QString, quint32> &ids, const QString &text);
    quint32 intern(const QString &text) { return intern(m_pool, m_poolIds, text); }
    const QString &pooled(quint32 id) const { return m_pool[id]; }
    QVector<FacetValue> facet(const TaskQuery &query, const Prepared &prepared, Skip skip,
                              const IdColumn &column) const;
    bool inSet(quint32 id, const QStringList &set) const;

    // Interned strings; id 0 is NULL, id 1 is "".
    QStringList m_pool;
    QHash<QString, quint32> m_poolIds;

    RowTable m_rowSlots;
    /// Live documents whose row id is not rowIdFor(docId) (moved on by a hash collision).
    QHash<QString, qint64> m_movedRows;
    std::vector<qint64> m_rowIds;
    std::vector<bool> m_alive;
    // Pool ids, 1 to 4 bytes a row (IdColumn).
    IdColumn m_status;
    IdColumn m_taskName;
    IdColumn m_worker;
    IdColumn m_queue;
    std::vector<qint64> m_dateDone;
    /// ms since the epoch, noDate: none. Empty while no row has one (CouchDB documents never
    /// do: 8 bytes a document saved), then one per slot.
    std::vector<qint64> m_expires;
    std::vector<qint16> m_retries;
    std::vector<bool> m_extended;
    std::vector<bool> m_hasTraceback;
    /// ValueDecoder::exceptionOf() of the row, an id in m_exceptionPool; 0 = none (read only
    /// where the result names "exc_type", is binary, or a traceback is stored).
    IdColumn m_exception;
    /// "type\x1fmodule\x1fmessage" of each distinct exception, apart from m_pool: messages
    /// are many, and m_pool stays the few texts a search folds and the columns above hold.
    QStringList m_exceptionPool;
    QHash<QString, quint32> m_exceptionIds;
    std::vector<bool> m_packedRev; ///< the Rev text is packedRev()'s form
    std::vector<bool> m_prefixed; ///< the DocId text is the document id after m_docIdPrefix
    /// The ResultPreview text is cut below ResultStore::previewChars (needsResultPreview()).
    std::vector<bool> m_resultCut;
    int m_resultPreviewChars;
    QString m_docIdPrefix; ///< the start of the first document id that ends with its task id
    /// Each slot's texts (TextArena::none once dead).
    std::vector<TextArena::Handle> m_textOf;
    TextArena m_texts;

    qint64 m_live = 0;
    qint64 m_extendedRows = 0;
    quint64 m_generation = 0;

    /// textMatches()' last answer: for these search terms at this generation.
    struct TextSearch
    {
        quint64 generation = 0;
        QStringList terms;
        std::shared_ptr<const SlotBits> passes;
    };
    mutable TextSearch m_lastSearch;
};

/// One query's rows over a CouchIndex, kept until the query or the index changes: the
/// model's count and the pages that follow it cost one CouchIndex::select(). Plain value
/// type, not thread-safe: used under the lock of the store that owns both.
class IndexSelection final
{
public:
    /// How many rows match: the kept rows' number when they are current, else the index's count.
    qint64 count(const CouchIndex &index, const TaskQuery &query) const;
    /// The slots of rows [offset, offset + limit) of the query, selecting again when the
    /// query or the index changed.
    QVector<qint64> page(const CouchIndex &index, const TaskQuery &query, qint64 offset, int limit);
    /// Forgets the rows and gives their memory back.
    void clear();

private:
    bool isCurrent(const CouchIndex &index, const TaskQuery &query) const;

    TaskQuery m_query;
    quint64 m_generation = ~quint64(0);
    std::vector<qint64> m_rows;
};
