#pragma once

#include "taskresult.h"

#include <QHash>
#include <QMetaType>
#include <QSet>
#include <QString>
#include <QVector>

/// A row as the table shows it: the summary TaskResult and its one-line decoded previews of
/// args (+ kwargs) and result, made on the worker thread. Plain value type.
struct PageRow
{
    TaskResult row;
    QString argsPreview;
    QString resultPreview;
};

Q_DECLARE_METATYPE(PageRow)

/// One page of rows, in the query's order.
using Page = QVector<PageRow>;

/// TaskResultModel's bounded cache of pages (as DB Browser for SQLite's RowCache): the pages
/// shown, at most maxPages of them (the least recently used one goes first); the early pages
/// of a new query, read before its count said how many rows it has; and which pages the
/// current generation has asked for (pending) or could not read (failed, not asked again).
///
/// Plain value type, no threads: the model uses it on the GUI thread.
class PageCache final
{
public:
    PageCache(int pageSize, int maxPages);

    int pageSize() const { return m_pageSize; }
    int maxPages() const { return m_maxPages; }

    // Shown pages.
    /// The page, marked as used now; nullptr when it is not cached.
    Page *use(int page);
    /// The row (page and offset from `row`), marked as used now; nullptr when not cached.
    const PageRow *useRow(int row);
    /// The page without marking it used; nullptr when it is not cached.
    const Page *peek(int page) const;
    bool contains(int page) const { return m_pages.contains(page); }
    int size() const { return int(m_pages.size()); }
    bool isEmpty() const { return m_pages.isEmpty(); }
    /// Caches the page as used now; beyond maxPages the least recently used other page goes.
    void insert(int page, Page rows);
    void remove(int page) { m_pages.remove(page); }
    /// Forgets every shown page (early pages and requests stay).
    void clear() { m_pages.clear(); }
    /// Forgets what lies at or after `rows`: whole pages, and the rows of the page it cuts.
    void truncate(int rows);
    /// The cached page numbers, the most recently used first.
    QVector<int> pagesByRecentUse() const;
    /// The row number of a cached row id below `rows`, or -1.
    int rowOfRowId(qint64 rowId, int rows) const;

    // Early pages: a new query's pages that arrived before its count.
    void holdEarly(int page, Page rows) { m_early.insert(page, std::move(rows)); }
    /// The early pages below `rows` become shown pages; the others are dropped.
    void adoptEarly(int rows);
    void clearEarly() { m_early.clear(); }
    bool hasEarly() const { return !m_early.isEmpty(); }

    // The current generation's requests.
    /// Neither asked for nor failed in this generation: the page may be asked for.
    bool mayRequest(int page) const { return !m_pending.contains(page) && !m_failed.contains(page); }
    void setPending(int page) { m_pending.insert(page); }
    bool isPending(int page) const { return m_pending.contains(page); }
    /// The page's answer came (read or not): no longer pending.
    void setAnswered(int page) { m_pending.remove(page); }
    /// The page could not be read: not asked for again until the next generation.
    void setFailed(int page);
    /// A new generation: forgets pending and failed pages and the early pages. Shown pages
    /// stay (a refresh keeps them on screen until their new versions arrive).
    void startGeneration();

private:
    struct Entry
    {
        Page rows;
        quint64 lastUse = 0;
    };

    int m_pageSize;
    int m_maxPages;
    QHash<int, Entry> m_pages;
    QHash<int, Page> m_early;
    QSet<int> m_pending;
    QSet<int> m_failed;
    quint64 m_clock = 0;
};
