#pragma once

#include <QByteArray>
#include <QByteArrayView>
#include <QString>
#include <QStringView>

#include <memory>
#include <vector>

/// One field of a TextArena record, read in place: null, Latin-1 bytes or UTF-16 code units.
/// Valid until the arena it points into next changes.
struct TextRef
{
    enum class Kind : quint8 { Null, Latin1, Utf16 };
    Kind kind = Kind::Null;
    const char *data = nullptr;
    qsizetype size = 0; ///< characters (UTF-16 code units)

    bool isNull() const { return kind == Kind::Null; }
    QString toString() const;
    /// Code-unit order of the texts, as QString::compare() (a null text compares as empty).
    int compare(const TextRef &other) const;
    bool equals(QStringView text) const;
    /// Whether text occurs in this field; latin1 is text as Latin-1 bytes, empty when text
    /// has a character above U+00FF (then it cannot occur in a Latin-1 field).
    bool contains(QStringView text, const QByteArray &latin1) const;
};

/// Records of a few strings each, packed end to end in large blocks instead of a QString
/// (with its own heap block) per string. Every string comes back exactly as stored: null
/// stays null, empty stays empty; a text whose characters all fit Latin-1 takes one byte
/// per character, any other two (its UTF-16 code units, so lone surrogates survive too). A
/// field equal to the start or the end of an earlier field of its record is kept as a
/// reference to it (a Celery task id is the end of its document id).
///
/// Records are immutable; replacing one leaves garbage that compact() gives back.
/// Plain value type, not thread-safe.
class TextArena final
{
public:
    using Handle = quint64;
    static constexpr Handle none = ~Handle(0);

    TextArena() = default;
    TextArena(TextArena &&) noexcept = default;
    TextArena &operator=(TextArena &&) noexcept = default;

    /// Stores the count fields as one record.
    Handle append(const QString *fields, int count) { return append(encode(fields, count)); }
    /// The record append() stores for the count fields, made without an arena: on any
    /// thread, to be appended later (a loader encodes its batch on other cores).
    static QByteArray encode(const QString *fields, int count);
    /// Stores a record encode() made.
    Handle append(QByteArrayView record);
    /// The count fields of a record encode() made, read back.
    static void decode(QByteArrayView record, int count, QString *fields);
    /// Field k of the record (k below the count it was stored with).
    TextRef field(Handle record, int k) const;
    QString text(Handle record, int k) const { return field(record, k).toString(); }
    /// Fields 0 to last of the record into out (last + 1 of them), in one pass.
    void fields(Handle record, int last, TextRef *out) const;
    /// Whether any of fields 0 to last may contain text, told by one search of the record's
    /// bytes: false only when none can (latin1 is the text as Latin-1 bytes, empty when it
    /// cannot be: TextRef::contains()). A search over many records asks this first and reads
    /// the fields only of the few that may.
    bool mayContain(Handle record, int last, const QByteArray &latin1) const;
    /// The record is no longer used: its bytes count as garbage.
    void release(Handle record, int count);

    /// Bytes of records stored and not released.
    qint64 liveBytes() const { return m_bytes - m_garbage; }
    qint64 garbageBytes() const { return m_garbage; }
    /// Whether compact() would give back at least half of what the arena holds.
    bool wantsCompaction() const { return m_garbage > (1 << 20) && m_garbage * 2 > m_bytes; }
    /// Copies the records of handles (each with count fields; none is skipped) into fresh
    /// blocks, in order, and frees the old ones; rewrites handles to the new places.
    void compact(std::vector<Handle> &handles, int count);

private:
    struct Block
    {
        std::unique_ptr<char[]> data;
        quint32 size = 0;
        quint32 used = 0;
    };
    const char *at(Handle record) const;
    qsizetype recordBytes(Handle record, int count) const;
    char *reserve(qsizetype bytes, Handle *handle);

    std::vector<Block> m_blocks;
    size_t m_current = ~size_t(0); ///< the shared block small records go to
    qint64 m_bytes = 0;
    qint64 m_garbage = 0;
};
