#include "pagecache.h"

#include <algorithm>

PageCache::PageCache(int pageSize, int maxPages) : m_pageSize(std::max(1, pageSize)), m_maxPages(std::max(1, maxPages)) { }

Page *PageCache::use(int page)
{
    const auto it = m_pages.find(page);
    if (it == m_pages.end())
        return nullptr;
    it->lastUse = ++m_clock;
    return &it->rows;
}

const PageRow *PageCache::useRow(int row)
{
    if (row < 0)
        return nullptr;
    const Page *page = use(row / m_pageSize);
    const int offset = row % m_pageSize;
    return page && offset < page->size() ? &page->at(offset) : nullptr;
}

const Page *PageCache::peek(int page) const
{
    const auto it = m_pages.constFind(page);
    return it == m_pages.cend() ? nullptr : &it->rows;
}

void PageCache::insert(int page, Page rows)
{
    m_pages.insert(page, Entry{std::move(rows), ++m_clock});
    while (m_pages.size() > m_maxPages) {
        auto oldest = m_pages.end();
        for (auto it = m_pages.begin(); it != m_pages.end(); ++it) {
            if (it.key() != page && (oldest == m_pages.end() || it->lastUse < oldest->lastUse))
                oldest = it;
        }
        if (oldest == m_pages.end())
            break;
        m_pages.erase(oldest);
    }
}

void PageCache::truncate(int rows)
{
    for (auto it = m_pages.begin(); it != m_pages.end();) {
        const qint64 first = qint64(it.key()) * m_pageSize;
        if (first >= rows) {
            it = m_pages.erase(it);
            continue;
        }
        const qint64 keep = rows - first;
        if (it->rows.size() > keep)
            it->rows.resize(keep);
        ++it;
    }
}

QVector<int> PageCache::pagesByRecentUse() const
{
    QVector<QPair<quint64, int>> byUse;
    byUse.reserve(m_pages.size());
    for (auto it = m_pages.cbegin(); it != m_pages.cend(); ++it)
        byUse.append({it->lastUse, it.key()});
    std::sort(byUse.begin(), byUse.end(), [](const auto &a, const auto &b) { return a.first > b.first; });
    QVector<int> pages;
    pages.reserve(byUse.size());
    for (const auto &entry : std::as_const(byUse))
        pages.append(entry.second);
    return pages;
}

int PageCache::rowOfRowId(qint64 rowId, int rows) const
{
    for (auto it = m_pages.cbegin(); it != m_pages.cend(); ++it) {
        for (qsizetype i = 0; i < it->rows.size(); ++i) {
            if (it->rows.at(i).row.rowId == rowId) {
                const qint64 row = qint64(it.key()) * m_pageSize + i;
                return row < rows ? int(row) : -1;
            }
        }
    }
    return -1;
}

void PageCache::adoptEarly(int rows)
{
    for (auto it = m_early.begin(); it != m_early.end(); ++it) {
        if (qint64(it.key()) * m_pageSize < rows)
            insert(it.key(), std::move(*it));
    }
    m_early.clear();
}

void PageCache::setFailed(int page)
{
    m_pending.remove(page);
    m_failed.insert(page);
}

void PageCache::startGeneration()
{
    m_pending.clear();
    m_failed.clear();
    m_early.clear();
}
