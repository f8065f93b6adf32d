#pragma once

#include <QSyntaxHighlighter>
#include <QTextCharFormat>

class QTextDocument;

/// Colours pretty-printed JSON (and Python literals: 'single-quoted' strings, True/False/
/// None): object keys, strings, numbers and literals. Colours are derived from the
/// document's palette so they read on light and dark themes; call setDark() when the
/// palette changes.
///
/// GUI thread; owned by (parented to) the document it highlights.
class JsonHighlighter final : public QSyntaxHighlighter
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(JsonHighlighter)
public:
    enum class Token { Key, String, Number, Literal, Punctuation };

    explicit JsonHighlighter(QTextDocument *document);

    /// Picks the colour set for a dark (true) or light (false) background and rehighlights.
    void setDark(bool dark);
    bool isDark() const { return m_dark; }

    /// The format used for a token kind (tests assert on it).
    QTextCharFormat format(Token token) const;

protected:
    void highlightBlock(const QString &text) override;

private:
    bool m_dark = false;
};
