#include "couchindex.h"

#include <QCryptographicHash>

#include <algorithm>
#include <iterator>
#include <string_view>
#include <thread>

#include "pythonliteral.h"
#include "valuedecoder.h"

namespace {

QString preview(const QString &text, int chars = ResultStore::previewChars)
{
    if (text.isNull() || text.size() <= chars)
        return text;
    return text.left(chars);
}

/// The Python-literal form of a JSON args/kwargs text, as the SQL stores hold it: Celery's
/// argsrepr/kwargsrepr (repr of the args tuple, e.g. ('Zoë',) — a JSON array is the tuple
/// Celery serialized — and of the kwargs dict, e.g. {'flag': True}). Empty when the text is
/// not JSON or is already written the same way.
QString pythonForm(const QString &json, bool asTuple)
{
    if (json.isEmpty())
        return QString();
    const QString python = PyLiteral::jsonAsPython(json, asTuple);
    return python == json ? QString() : python;
}

/// The search form of a text: ASCII (the usual case) folds to its lower case; anything else
/// is Qt's full folding. Folding is per character, so folding fields one by one gives what
/// folding them joined would.
QString folded(const QString &text)
{
    if (text.isNull())
        return text;
    // constData(), not utf16(): on a literal's static text utf16() copies it into the
    // QString itself, and pooled texts are read by several search threads at once.
    const char16_t *const begin = reinterpret_cast<const char16_t *>(text.constData());
    const char16_t *const end = begin + text.size();
    if (std::any_of(begin, end, [](char16_t c) { return c >= 0x80; }))
        return text.toCaseFolded();
    if (std::none_of(begin, end, [](char16_t c) { return c >= u'A' && c <= u'Z'; }))
        return text; // shared, no copy: the arena then keeps it as a reference
    QString out = text;
    for (QChar &c : out) {
        if (c.unicode() >= u'A' && c.unicode() <= u'Z')
            c = QChar(c.unicode() + (u'a' - u'A'));
    }
    return out;
}

/// A CouchDB rev as CouchDB writes it ("<generation>-<32 lower-case hex digits>") packed in
/// a Latin-1 text: the 16 bytes of the hash, then the generation's digits (19 characters for
/// 35). Null when rev is of any other form; it is then kept as it is.
QString packedRev(const QString &rev)
{
    const qsizetype dash = rev.indexOf(QLatin1Char('-'));
    if (dash < 1 || dash > 18 || rev.size() != dash + 33 || rev.at(0) == QLatin1Char('0'))
        return QString();
    for (qsizetype k = 0; k < dash; ++k) {
        if (!rev.at(k).isDigit() || rev.at(k).unicode() > u'9')
            return QString();
    }
    QString out(16 + dash, Qt::Uninitialized);
    for (int k = 0; k < 16; ++k) {
        const auto nibble = [](QChar c) {
            const char16_t u = c.unicode();
            return u >= u'0' && u <= u'9' ? int(u - u'0') : (u >= u'a' && u <= u'f' ? int(u - u'a' + 10) : -1);
        };
        const int hi = nibble(rev.at(dash + 1 + 2 * k)), lo = nibble(rev.at(dash + 2 + 2 * k));
        if (hi < 0 || lo < 0)
            return QString();
        out[k] = QChar(char16_t(hi * 16 + lo));
    }
    for (qsizetype k = 0; k < dash; ++k)
        out[16 + k] = rev.at(k);
    return out;
}

QString unpackedRev(const QString &packed)
{
    static const char hex[] = "0123456789abcdef";
    QString rev = packed.mid(16) + QLatin1Char('-');
    for (int k = 0; k < 16; ++k) {
        const char16_t b = packed.at(k).unicode();
        rev += QLatin1Char(hex[b >> 4]);
        rev += QLatin1Char(hex[b & 15]);
    }
    return rev;
}

} // namespace

CouchIndex::CouchIndex(int resultPreviewChars)
    : m_resultPreviewChars(qBound(0, resultPreviewChars, ResultStore::previewChars))
{
    m_pool << QString() << QString(QLatin1String(""));
    m_exceptionPool = m_pool;
}

quint32 CouchIndex::intern(QStringList &pool, QHash<QString, quint32> &ids, const QString &text)
{
    if (text.isNull())
        return 0;
    if (text.isEmpty())
        return 1;
    const auto it = ids.constFind(text);
    if (it != ids.constEnd())
        return *it;
    const quint32 id = quint32(pool.size());
    pool.append(text);
    ids.insert(text, id);
    return id;
}

qint64 CouchIndex::rowIdFor(const QString &docId)
{
    const QByteArray digest = QCryptographicHash::hash(docId.toUtf8(), QCryptographicHash::Sha1);
    quint64 v = 0;
    for (int k = 0; k < 8; ++k)
        v = (v << 8) | quint8(digest[k]);
    return qint64(v & ((quint64(1) << 53) - 1));
}

qint64 CouchIndex::RowTable::find(qint64 rowId, const std::vector<qint64> &rowIds) const
{
    if (m_cells.empty())
        return -1;
    const size_t mask = m_cells.size() - 1;
    for (size_t i = home(rowId);; i = (i + 1) & mask) {
        const quint32 cell = m_cells[i];
        if (cell == 0)
            return -1;
        if (rowIds[cell - 1] == rowId)
            return qint64(cell - 1);
    }
}

void CouchIndex::RowTable::insert(qint64 slot, const std::vector<qint64> &rowIds)
{
    // At most 3/4 full, so probes stay short.
    if ((m_size + 1) * 4 > m_cells.size() * 3) {
        std::vector<quint32> old = std::move(m_cells);
        const size_t cells = std::max<size_t>(1024, old.size() * 2);
        m_cells.assign(cells, 0);
        m_shift = 64;
        for (size_t c = cells; c > 1; c >>= 1)
            --m_shift;
        m_size = 0;
        for (quint32 cell : old) {
            if (cell != 0)
                insert(qint64(cell - 1), rowIds);
        }
    }
    const size_t mask = m_cells.size() - 1;
    size_t i = home(rowIds[size_t(slot)]);
    while (m_cells[i] != 0)
        i = (i + 1) & mask;
    m_cells[i] = quint32(slot + 1);
    ++m_size;
}

void CouchIndex::RowTable::erase(qint64 rowId, const std::vector<qint64> &rowIds)
{
    if (m_cells.empty())
        return;
    const size_t mask = m_cells.size() - 1;
    size_t i = home(rowId);
    while (m_cells[i] != 0 && rowIds[m_cells[i] - 1] != rowId)
        i = (i + 1) & mask;
    if (m_cells[i] == 0)
        return;
    m_cells[i] = 0;
    --m_size;
    // Shift later cells of the probe run back, so no lookup stops early at the hole.
    for (size_t j = (i + 1) & mask; m_cells[j] != 0; j = (j + 1) & mask) {
        const size_t k = home(rowIds[m_cells[j] - 1]);
        const bool stays = i <= j ? (i < k && k <= j) : (i < k || k <= j);
        if (!stays) {
            m_cells[i] = m_cells[j];
            m_cells[j] = 0;
            i = j;
        }
    }
}

CouchIndex::Entry CouchIndex::entry(const QString &docId, const QString &rev, const TaskResult &t, int resultPreviewChars)
{
    Entry e;
    e.docId = docId;
    e.rowId = rowIdFor(docId);
    e.status = t.status;
    e.taskName = t.taskName;
    e.worker = t.worker;
    e.queue = t.queue;
    e.dateDone = t.dateDone.isValid() ? t.dateDone.toMSecsSinceEpoch() : noDate;
    e.expires = t.expires.isValid() ? t.expires.toMSecsSinceEpoch() : noDate;
    e.retries = qint16(qBound(-1, t.retries, int(std::numeric_limits<qint16>::max())));
    e.extended = !t.taskName.isNull() || !t.args.isNull() || !t.kwargs.isNull() || !t.worker.isNull();
    e.hasTraceback = !t.traceback.isNull();
    if (const ValueDecoder::ExceptionInfo x = exceptionOf(t); x.isValid())
        e.exception = x.type + QChar(0x1f) + x.module + QChar(0x1f) + x.message;
    // The search text is task_id, task_name, status, args and kwargs, case-folded: task_name
    // and status through the pool, the others as fields of their own. args/kwargs appear
    // twice: as JSON (how the document holds them, compact) and as Python literals (how the
    // SQL stores hold them), so a search finds the same tasks here as on SQL. Fields equal to
    // the start or end of an earlier one (the task id in the document id, a lower-case args
    // preview in its folded args) cost the arena a reference only.
    const int resultChars = qBound(0, resultPreviewChars, ResultStore::previewChars);
    const SearchTexts searched = searchTexts(t);
    // Document ids share their start ("celery-task-meta-" after the key prefix): the index
    // keeps it once, and a row whose id is that start + its task id keeps the task id only.
    const QString &taskId = t.taskId;
    if (!taskId.isEmpty() && docId.size() > taskId.size() && docId.endsWith(taskId))
        e.docIdStripped = docId.size() - taskId.size();
    QString texts[TextCount];
    texts[DocId] = e.docIdStripped > 0 ? taskId : docId;
    texts[TaskId] = taskId;
    texts[FoldedTaskId] = searched.taskId;
    texts[FoldedArgs] = searched.args;
    texts[FoldedKwargs] = searched.kwargs;
    texts[FoldedPyArgs] = searched.pyArgs;
    texts[FoldedPyKwargs] = searched.pyKwargs;
    texts[ArgsPreview] = preview(t.args);
    texts[KwargsPreview] = preview(t.kwargs);
    texts[ResultPreview] = preview(t.result, resultChars);
    texts[Rev] = rev;
    texts[GroupId] = t.groupId;
    texts[ParentId] = t.parentId;
    texts[Problems] = t.problems.join(QLatin1Char('\n'));
    e.resultCut = t.result.size() > resultChars && resultChars < ResultStore::previewChars;
    const QString packed = packedRev(rev);
    e.packedRev = !packed.isNull();
    if (e.packedRev)
        texts[Rev] = packed;
    e.record = TextArena::encode(texts, TextCount);
    return e;
}

qint64 CouchIndex::upsert(const QString &docId, const QString &rev, const TaskResult &t)
{
    return upsert(entry(docId, rev, t, m_resultPreviewChars));
}

qint64 CouchIndex::upsert(Entry e)
{
    ++m_generation;
    qint64 slot = slotOf(e.docId, e.rowId);
    if (slot < 0) {
        slot = qint64(m_alive.size());
        m_alive.push_back(true);
        m_status.push_back(0);
        m_taskName.push_back(0);
        m_worker.push_back(0);
        m_queue.push_back(0);
        m_dateDone.push_back(noDate);
        if (!m_expires.empty())
            m_expires.push_back(noDate);
        m_retries.push_back(-1);
        m_extended.push_back(false);
        m_hasTraceback.push_back(false);
        m_exception.push_back(0);
        m_packedRev.push_back(false);
        m_prefixed.push_back(false);
        m_resultCut.push_back(false);
        m_textOf.push_back(TextArena::none);
        // Collisions of 53-bit hashes are improbable; if one happens, probe to stay unique.
        qint64 rowId = e.rowId;
        while (m_rowSlots.find(rowId, m_rowIds) >= 0)
            rowId = (rowId + 1) & ((qint64(1) << 53) - 1);
        m_rowIds.push_back(rowId);
        m_rowSlots.insert(slot, m_rowIds);
        if (rowId != e.rowId)
            m_movedRows.insert(e.docId, slot);
        ++m_live;
    } else if (m_extended[size_t(slot)]) {
        --m_extendedRows;
    }
    const auto i = size_t(slot);
    m_status.set(i, intern(e.status));
    m_taskName.set(i, intern(e.taskName));
    m_worker.set(i, intern(e.worker));
    m_queue.set(i, intern(e.queue));
    m_dateDone[i] = e.dateDone;
    if (e.expires != noDate && m_expires.empty())
        m_expires.assign(m_alive.size(), noDate); // the first expiry: from now on one per slot
    if (!m_expires.empty())
        m_expires[i] = e.expires;
    m_retries[i] = e.retries;
    m_extended[i] = e.extended;
    if (e.extended)
        ++m_extendedRows;
    m_hasTraceback[i] = e.hasTraceback;
    m_exception.set(i, intern(m_exceptionPool, m_exceptionIds, e.exception));
    // The first document id that ends with its task id gives the start every row drops
    // (entry()); a row whose id has another start, or that starts so but ends otherwise,
    // keeps what this rule says, its record made again (rare: one store, one key prefix).
    const QString &docId = e.docId;
    if (m_docIdPrefix.isNull() && e.docIdStripped > 0)
        m_docIdPrefix = docId.left(e.docIdStripped);
    m_prefixed[i] = !m_docIdPrefix.isNull() && docId.size() > m_docIdPrefix.size() && docId.startsWith(m_docIdPrefix);
    const qsizetype kept = m_prefixed[i] ? m_docIdPrefix.size() : 0; // what this row's DocId field leaves out
    if (kept != e.docIdStripped) {
        QString texts[TextCount];
        TextArena::decode(e.record, TextCount, texts);
        texts[DocId] = docId.mid(kept);
        e.record = TextArena::encode(texts, TextCount);
    }
    m_resultCut[i] = e.resultCut;
    m_packedRev[i] = e.packedRev;
    m_texts.release(m_textOf[i], TextCount);
    m_textOf[i] = m_texts.append(e.record);
    if (m_texts.wantsCompaction())
        m_texts.compact(m_textOf, TextCount);
    return slot;
}

void CouchIndex::remove(const QString &docId)
{
    const qint64 slot = slotOf(docId);
    if (slot < 0)
        return;
    ++m_generation;
    const auto i = size_t(slot);
    m_alive[i] = false;
    if (m_extended[i])
        --m_extendedRows;
    m_extended[i] = false;
    m_rowSlots.erase(m_rowIds[i], m_rowIds);
    m_movedRows.remove(docId);
    --m_live;
    // Free the texts of the dead slot; the slot number itself is never reused.
    m_texts.release(m_textOf[i], TextCount);
    m_textOf[i] = TextArena::none;
    if (m_texts.wantsCompaction())
        m_texts.compact(m_textOf, TextCount);
}

qint64 CouchIndex::slotOf(const QString &docId) const
{
    return slotOf(docId, rowIdFor(docId));
}

qint64 CouchIndex::slotOf(const QString &docId, qint64 rowId) const
{
    const qint64 slot = m_rowSlots.find(rowId, m_rowIds);
    if (slot >= 0) {
        QStringView id(docId);
        if (m_prefixed[size_t(slot)]) {
            if (!id.startsWith(m_docIdPrefix))
                return m_movedRows.isEmpty() ? -1 : m_movedRows.value(docId, -1);
            id = id.mid(m_docIdPrefix.size());
        }
        if (textRef(slot, DocId).equals(id))
            return slot;
    }
    return m_movedRows.isEmpty() ? -1 : m_movedRows.value(docId, -1);
}

bool CouchIndex::isLive(qint64 slot) const
{
    return slot >= 0 && slot < qint64(m_alive.size()) && m_alive[size_t(slot)];
}

QString CouchIndex::docId(qint64 slot) const
{
    if (!isLive(slot))
        return QString();
    return m_prefixed[size_t(slot)] ? m_docIdPrefix + text(slot, DocId) : text(slot, DocId);
}

QString CouchIndex::rev(qint64 slot) const
{
    if (!isLive(slot))
        return QString();
    return m_packedRev[size_t(slot)] ? unpackedRev(text(slot, Rev)) : text(slot, Rev);
}

QString CouchIndex::status(qint64 slot) const
{
    return isLive(slot) ? pooled(m_status[size_t(slot)]) : QString();
}

QString CouchIndex::taskName(qint64 slot) const
{
    return isLive(slot) ? pooled(m_taskName[size_t(slot)]) : QString();
}

QDateTime CouchIndex::dateDone(qint64 slot) const
{
    if (!isLive(slot) || m_dateDone[size_t(slot)] == noDate)
        return QDateTime();
    return QDateTime::fromMSecsSinceEpoch(m_dateDone[size_t(slot)], Qt::UTC);
}

QDateTime CouchIndex::expires(qint64 slot) const
{
    if (!isLive(slot) || size_t(slot) >= m_expires.size() || m_expires[size_t(slot)] == noDate)
        return QDateTime();
    return QDateTime::fromMSecsSinceEpoch(m_expires[size_t(slot)], Qt::UTC);
}

bool CouchIndex::inSet(quint32 id, const QStringList &set) const
{
    return setContains(set, pooled(id));
}

ValueDecoder::ExceptionInfo CouchIndex::storedException(quint32 id) const
{
    if (id == 0)
        return {};
    const QStringList fields = m_exceptionPool.at(qsizetype(id)).split(QChar(0x1f));
    return {fields.value(0), fields.value(1), fields.mid(2).join(QChar(0x1f))};
}

bool CouchIndex::matches(qint64 slot, const TaskQuery &q, const Prepared &prepared, Skip skip) const
{
    const auto i = size_t(slot);
    if (!m_alive[i])
        return false;
    if (skip != Skip::Status && !q.statuses.isEmpty() && !inSet(m_status[i], q.statuses))
        return false;
    if (skip != Skip::TaskName && !q.taskNames.isEmpty() && !inSet(m_taskName[i], q.taskNames))
        return false;
    if (skip != Skip::Worker && !q.workers.isEmpty() && !inSet(m_worker[i], q.workers))
        return false;
    if (!prepared.exceptionPasses.empty() && !prepared.exceptionPasses[m_exception[i]])
        return false;
    // CouchDB documents have no periodic_task_name: only a filter for NULL can match.
    if (!q.periodicTaskNames.isEmpty()
        && std::none_of(q.periodicTaskNames.cbegin(), q.periodicTaskNames.cend(),
                        [](const QString &s) { return s.isNull(); }))
        return false;
    // SQL semantics: a NULL date_done never satisfies a date bound.
    if (q.doneAfter.isValid() && (m_dateDone[i] == noDate || m_dateDone[i] < q.doneAfter.toMSecsSinceEpoch()))
        return false;
    if (q.doneBefore.isValid() && (m_dateDone[i] == noDate || m_dateDone[i] >= q.doneBefore.toMSecsSinceEpoch()))
        return false;
    return !prepared.textPasses || ((*prepared.textPasses)[i / 64] >> (i % 64) & 1);
}

bool CouchIndex::textsHold(size_t i, const std::vector<Term> &terms) const
{
    TextRef texts[SearchedEnd];
    bool read = false;
    auto readTexts = [&] {
        if (!read)
            m_texts.fields(m_textOf[i], SearchedEnd - 1, texts);
        read = true;
    };
    for (const Term &term : terms) {
        if (term.inPool[m_taskName[i]] || term.inPool[m_status[i]])
            continue;
        if (term.acrossFields) {
            readTexts();
            if (!joinedSearchText(qint64(i), texts).contains(term.folded))
                return false;
            continue;
        }
        // One search of the record's bytes rules out most rows; the fields are read only
        // where the term may be.
        if (!term.folded.isEmpty() && !m_texts.mayContain(m_textOf[i], SearchedEnd - 1, term.latin1))
            return false;
        readTexts();
        bool found = false;
        for (int k = SearchedBegin; k < SearchedEnd && !found; ++k)
            found = texts[k].contains(term.folded, term.latin1);
        if (!found)
            return false;
    }
    return true;
}

std::shared_ptr<const CouchIndex::SlotBits> CouchIndex::textMatches(const QStringList &searched) const
{
    if (m_lastSearch.passes && m_lastSearch.generation == m_generation && m_lastSearch.terms == searched)
        return m_lastSearch.passes;

    const std::vector<Term> terms = foldedTerms(searched);
    const size_t count = m_alive.size(), words = (count + 63) / 64;
    auto passes = std::make_shared<SlotBits>(words, 0);
    // Each thread fills whole words: no two write the same one.
    auto search = [&](size_t fromWord, size_t toWord) {
        for (size_t w = fromWord; w < toWord; ++w) {
            quint64 word = 0;
            for (size_t i = w * 64, end = std::min(count, i + 64); i < end; ++i) {
                if (m_alive[i] && textsHold(i, terms))
                    word |= quint64(1) << (i % 64);
            }
            (*passes)[w] = word;
        }
    };
    // Reading the index from several threads is safe: the caller holds it unchanged.
    const size_t threads = count < (1 << 16) ? 1 : std::clamp<size_t>(std::thread::hardware_concurrency(), 1, 8);
    const size_t share = (words + threads - 1) / threads;
    std::vector<std::thread> helpers;
    for (size_t t = 1; t < threads; ++t)
        helpers.emplace_back(search, std::min(words, t * share), std::min(words, (t + 1) * share));
    search(0, std::min(words, share));
    for (std::thread &helper : helpers)
        helper.join();

    m_lastSearch = {m_generation, searched, passes};
    return passes;
}

QString CouchIndex::joinedSearchText(qint64 slot, const TextRef *texts) const
{
    const QChar separator(0x1f);
    const auto i = size_t(slot);
    QString text = texts[FoldedTaskId].toString() + separator + folded(pooled(m_taskName[i])) + separator
                   + folded(pooled(m_status[i]));
    for (int k = FoldedArgs; k < SearchedEnd; ++k)
        text += separator + texts[k].toString();
    return text;
}

ValueDecoder::ExceptionInfo CouchIndex::exceptionOf(const TaskResult &t)
{
    // Only a result that can hold one is read: the index reads every document.
    // std::u16string_view's search: a scan for the first character, then a comparison (Qt's
    // general one costs several times as much on a result preview, for every row).
    const std::u16string_view result(reinterpret_cast<const char16_t *>(t.result.constData()), size_t(t.result.size()));
    if (t.traceback.isNull() && t.contentEncoding != QLatin1String("binary")
        && result.find(u"exc_type") == std::u16string_view::npos)
        return {};
    return ValueDecoder::exceptionOf(t.result, t.contentType, t.contentEncoding, t.traceback);
}

CouchIndex::SearchTexts CouchIndex::searchTexts(const TaskResult &t)
{
    return {folded(t.taskId), folded(t.args), folded(t.kwargs), folded(pythonForm(t.args, true)),
            folded(pythonForm(t.kwargs, false))};
}

bool CouchIndex::matchesNarrowing(const TaskResult &t, const PurgeCriteria &criteria)
{
    if (const ExceptionFilter filter = criteria.exceptionFilter(); !filter.isEmpty() && !filter.matches(exceptionOf(t)))
        return false;
    const QStringList terms = criteria.searchTerms();
    if (terms.isEmpty())
        return true;
    // matches(slot, …)'s rule on the same texts: each term in one of them, or, holding
    // U+001F, in them joined in joinedSearchText()'s order.
    const SearchTexts s = searchTexts(t);
    const QString parts[] = {s.taskId, folded(t.taskName), folded(t.status), s.args, s.kwargs, s.pyArgs, s.pyKwargs};
    const QChar separator(0x1f);
    QString joined = parts[0];
    for (size_t k = 1; k < std::size(parts); ++k)
        joined += separator + parts[k];
    return std::all_of(terms.cbegin(), terms.cend(), [&](const QString &term) {
        const QString f = term.toCaseFolded();
        if (f.contains(separator))
            return joined.contains(f);
        return std::any_of(std::cbegin(parts), std::cend(parts), [&f](const QString &part) { return part.contains(f); });
    });
}

CouchIndex::Prepared CouchIndex::prepare(const TaskQuery &query) const
{
    Prepared prepared;
    if (const QStringList searched = query.searchTerms(); !searched.isEmpty())
        prepared.textPasses = textMatches(searched);
    const ExceptionFilter filter = query.exceptionFilter();
    if (filter.isEmpty())
        return prepared;
    // Each distinct stored exception decided once. Pool id 0 (no exception) never passes; the
    // vector is never empty, which would mean "no filter".
    const size_t ids = std::max<size_t>(size_t(m_exceptionPool.size()), 1);
    prepared.exceptionPasses.assign(ids, 0);
    std::vector<bool> decided(ids, false);
    decided[0] = true;
    for (size_t i = 0; i < m_exception.size(); ++i) {
        const quint32 id = m_exception[i];
        if (!decided[id] && m_alive[i]) {
            decided[id] = true;
            prepared.exceptionPasses[id] = filter.matches(storedException(id)) ? 1 : 0;
        }
    }
    return prepared;
}

std::vector<CouchIndex::Term> CouchIndex::foldedTerms(const QStringList &searched) const
{
    QStringList pool;
    for (const QString &text : m_pool)
        pool.append(folded(text));
    std::vector<Term> terms;
    for (const QString &t : searched) {
        Term term;
        term.folded = t.toCaseFolded();
        if (std::all_of(term.folded.cbegin(), term.folded.cend(), [](QChar c) { return c.unicode() <= 0xff; }))
            term.latin1 = term.folded.toLatin1();
        // The fields were once one text joined by U+001F; a term with one may span them.
        term.acrossFields = term.folded.contains(QChar(0x1f));
        term.inPool.reserve(size_t(pool.size()));
        for (const QString &p : std::as_const(pool))
            term.inPool.push_back(!term.acrossFields && p.contains(term.folded));
        terms.push_back(std::move(term));
    }
    return terms;
}

std::vector<qint64> CouchIndex::select(const TaskQuery &query) const
{
    const Prepared prepared = prepare(query);
    std::vector<qint64> rows;
    rows.reserve(size_t(m_live));
    for (qint64 s = 0; s < qint64(m_alive.size()); ++s) {
        if (matches(s, query, prepared, Skip::None))
            rows.push_back(s);
    }

    // Sort keys compare like SQLite: NULL first in ascending order, text by code units.
    auto textRank = [](const QString &a, const QString &b) -> int {
        if (a.isNull() != b.isNull())
            return a.isNull() ? -1 : 1;
        return a.isNull() ? 0 : a.compare(b);
    };
    // Interned columns: rank the distinct values once, then sort by integer rank.
    auto poolRanks = [this, &textRank]() {
        std::vector<quint32> order(size_t(m_pool.size()));
        for (size_t k = 0; k < order.size(); ++k)
            order[k] = quint32(k);
        std::sort(order.begin(), order.end(), [&](quint32 a, quint32 b) {
            return textRank(m_pool[a], m_pool[b]) < 0;
        });
        std::vector<quint32> rank(order.size());
        for (size_t k = 0; k < order.size(); ++k)
            rank[order[k]] = quint32(k);
        return rank;
    };

    const bool descending = query.sortOrder == Qt::DescendingOrder;
    // Ties by row id, in the same direction. Integer keys are compared inline: a call
    // through a function object per comparison was most of a million rows' sort.
    auto sortBy = [&](auto key) {
        std::sort(rows.begin(), rows.end(), [&](qint64 a, qint64 b) {
            const auto x = key(size_t(a)), y = key(size_t(b));
            if (x != y)
                return descending ? y < x : x < y;
            const qint64 p = m_rowIds[size_t(a)], q = m_rowIds[size_t(b)];
            return descending ? q < p : p < q;
        });
    };
    const IdColumn *column = nullptr;
    Text text = TextCount;
    switch (query.sortField) {
    case Field::Status: column = &m_status; break;
    case Field::TaskName: column = &m_taskName; break;
    case Field::Worker: column = &m_worker; break;
    case Field::Queue: column = &m_queue; break;
    case Field::TaskId: text = TaskId; break;
    case Field::GroupId: text = GroupId; break;
    case Field::ParentId: text = ParentId; break;
    case Field::Args: text = ArgsPreview; break;
    case Field::Kwargs: text = KwargsPreview; break;
    case Field::Result: text = ResultPreview; break;
    case Field::Retries: sortBy([this](size_t s) { return m_retries[s]; }); break;
    case Field::RowId: sortBy([](size_t) { return 0; }); break;
    default: // DateDone (noDate, NULL, is the smallest) and fields CouchDB does not have
        sortBy([this](size_t s) { return m_dateDone[s]; });
        break;
    }
    if (column) {
        const std::vector<quint32> rank = poolRanks();
        sortBy([column, &rank](size_t s) { return rank[(*column)[s]]; });
    } else if (text != TextCount) {
        // Text sort keys: each matching row's field found once, compared in place.
        std::vector<TextRef> keys(m_alive.size());
        for (qint64 s : rows)
            keys[size_t(s)] = textRef(s, text);
        std::sort(rows.begin(), rows.end(), [&](qint64 a, qint64 b) {
            const TextRef &x = keys[size_t(a)], &y = keys[size_t(b)];
            int c = x.isNull() != y.isNull() ? (x.isNull() ? -1 : 1) : (x.isNull() ? 0 : x.compare(y));
            if (c == 0) {
                const qint64 p = m_rowIds[size_t(a)], q = m_rowIds[size_t(b)];
                c = p < q ? -1 : (p > q ? 1 : 0);
            }
            return descending ? c > 0 : c < 0;
        });
    }
    return rows;
}

qint64 CouchIndex::count(const TaskQuery &query) const
{
    const Prepared prepared = prepare(query);
    qint64 n = 0;
    for (qint64 s = 0; s < qint64(m_alive.size()); ++s)
        n += matches(s, query, prepared, Skip::None) ? 1 : 0;
    return n;
}

QVector<FacetValue> CouchIndex::facet(const TaskQuery &query, const Prepared &prepared, Skip skip,
                                      const IdColumn &column) const
{
    QHash<quint32, qint64> counts;
    for (qint64 s = 0; s < qint64(m_alive.size()); ++s) {
        if (matches(s, query, prepared, skip))
            ++counts[column[size_t(s)]];
    }
    QVector<FacetValue> out;
    out.reserve(counts.size());
    for (auto it = counts.cbegin(); it != counts.cend(); ++it)
        out.append(FacetValue{pooled(it.key()), it.value()});
    sortFacetValues(out);
    return out;
}

Outcome<StatusHistory> CouchIndex::statusHistory(const TaskQuery &query, TimeBucket bucket) const
{
    const Prepared prepared = prepare(query);
    StatusHistoryBuilder builder(bucket);
    for (qint64 s = 0; s < qint64(m_alive.size()); ++s) {
        if (matches(s, query, prepared, Skip::None))
            builder.add(dateDone(s), status(s));
    }
    return builder.history();
}

FailureTable CouchIndex::failures(const TaskQuery &query) const
{
    const Prepared prepared = prepare(query);
    FailureTableBuilder builder;
    QHash<quint32, ValueDecoder::ExceptionInfo> read; // pool id -> its parts, split once
    for (qint64 s = 0; s < qint64(m_alive.size()); ++s) {
        if (!matches(s, query, prepared, Skip::None))
            continue;
        const quint32 id = m_exception[size_t(s)];
        auto e = read.constFind(id);
        if (e == read.cend())
            e = read.insert(id, storedException(id));
        const QDateTime done = dateDone(s);
        builder.addException(taskName(s), status(s), pooled(m_worker[size_t(s)]), *e, 1, done, done);
    }
    return builder.table();
}

Facets CouchIndex::facets(const TaskQuery &query) const
{
    const Prepared prepared = prepare(query);
    Facets f;
    f.statuses = facet(query, prepared, Skip::Status, m_status);
    f.taskNames = facet(query, prepared, Skip::TaskName, m_taskName);
    f.workers = facet(query, prepared, Skip::Worker, m_worker);
    return f;
}

TaskResult CouchIndex::summaryRow(qint64 slot) const
{
    TaskResult t;
    if (!isLive(slot))
        return t;
    const auto i = size_t(slot);
    t.rowId = m_rowIds[i];
    t.taskId = text(slot, TaskId);
    t.status = pooled(m_status[i]);
    t.taskName = pooled(m_taskName[i]);
    t.worker = pooled(m_worker[i]);
    t.queue = pooled(m_queue[i]);
    t.dateDone = dateDone(slot);
    t.retries = m_retries[i];
    t.groupId = text(slot, GroupId);
    t.parentId = text(slot, ParentId);
    t.args = text(slot, ArgsPreview);
    t.kwargs = text(slot, KwargsPreview);
    t.result = text(slot, ResultPreview);
    t.contentType = QStringLiteral("application/json");
    t.contentEncoding = QStringLiteral("utf-8");
    const QString problems = text(slot, Problems);
    if (!problems.isEmpty())
        t.problems = problems.split(QLatin1Char('\n'));
    t.complete = false;
    return t;
}

std::vector<qint64> CouchIndex::expired(const PurgeCriteria &criteria) const
{
    // The narrowing search text and exceptions, tested as a query's (matches(slot, …)).
    TaskQuery narrowing;
    narrowing.search = criteria.search;
    narrowing.exceptions = criteria.exceptions;
    narrowing.fingerprints = criteria.fingerprints;
    const Prepared prepared = prepare(narrowing);
    std::vector<qint64> rows;
    for (qint64 s = 0; s < qint64(m_alive.size()); ++s) {
        if (!isLive(s))
            continue;
        const auto i = size_t(s);
        // Documents without date_done (STARTED, RETRY) never expire: dateDone() is invalid. No
        // document records a periodic task name (NULL, as matches(slot, query) reads it).
        if (criteria.matches(dateDone(s), pooled(m_status[i]), pooled(m_taskName[i]), pooled(m_worker[i]), QString(),
                             PurgeCriteria::unknownMicroseconds, expires(s))
            && matches(s, narrowing, prepared, Skip::None))
            rows.push_back(s);
    }
    return rows;
}

bool IndexSelection::isCurrent(const CouchIndex &index, const TaskQuery &query) const
{
    return m_generation == index.generation() && m_query == query;
}

qint64 IndexSelection::count(const CouchIndex &index, const TaskQuery &query) const
{
    return isCurrent(index, query) ? qint64(m_rows.size()) : index.count(query);
}

QVector<qint64> IndexSelection::page(const CouchIndex &index, const TaskQuery &query, qint64 offset, int limit)
{
    if (!isCurrent(index, query)) {
        m_rows = index.select(query);
        m_query = query;
        m_generation = index.generation();
    }
    QVector<qint64> picked;
    for (qint64 i = qMax<qint64>(0, offset); i < qint64(m_rows.size()) && i < offset + limit; ++i)
        picked.append(m_rows[size_t(i)]);
    return picked;
}

void IndexSelection::clear()
{
    m_rows = std::vector<qint64>();
    m_generation = ~quint64(0);
}
