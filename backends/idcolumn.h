#pragma once

#include <QtGlobal>

#include <cstring>
#include <vector>

/// A column of small unsigned ids (an index's pool ids), one per row, each stored 1, 2 or 4
/// bytes wide: as wide as the largest id stored so far needs, the whole column widened at
/// once when a larger one comes. A status or worker column of a million rows, whose pool
/// holds a few hundred texts, takes 1 or 2 MB instead of 4.
/// Plain value type, not thread-safe.
class IdColumn final
{
public:
    quint32 operator[](size_t i) const
    {
        if (m_width == 1)
            return m_data[i];
        if (m_width == 2) {
            quint16 v;
            std::memcpy(&v, m_data.data() + 2 * i, 2);
            return v;
        }
        quint32 v;
        std::memcpy(&v, m_data.data() + 4 * i, 4);
        return v;
    }
    size_t size() const { return m_data.size() / size_t(m_width); }
    /// Bytes a row takes now: 1, 2 or 4.
    int width() const { return m_width; }

    void push_back(quint32 id)
    {
        widenFor(id);
        m_data.resize(m_data.size() + size_t(m_width));
        store(size() - 1, id);
    }
    void set(size_t i, quint32 id)
    {
        widenFor(id);
        store(i, id);
    }

private:
    static int widthFor(quint32 id) { return id <= 0xff ? 1 : (id <= 0xffff ? 2 : 4); }
    void widenFor(quint32 id)
    {
        const int width = widthFor(id);
        if (width <= m_width)
            return;
        const size_t rows = size();
        IdColumn wide;
        wide.m_width = width;
        wide.m_data.reserve(std::max<size_t>(rows, 16) * 2 * size_t(width));
        wide.m_data.resize(rows * size_t(width));
        for (size_t i = 0; i < rows; ++i)
            wide.store(i, (*this)[i]);
        *this = std::move(wide);
    }
    void store(size_t i, quint32 id)
    {
        if (m_width == 1) {
            m_data[i] = quint8(id);
        } else if (m_width == 2) {
            const quint16 v = quint16(id);
            std::memcpy(m_data.data() + 2 * i, &v, 2);
        } else {
            std::memcpy(m_data.data() + 4 * i, &id, 4);
        }
    }

    std::vector<quint8> m_data;
    int m_width = 1;
};
