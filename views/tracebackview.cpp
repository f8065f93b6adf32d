#include "tracebackview.h"

#include "palettecolors.h"
#include "valuedecoder.h"

#include <cmath>

#include <QEvent>
#include <QFontDatabase>
#include <QScrollBar>
#include <QTextBlock>
#include <QTextCursor>

namespace {

using PaletteColors::isDark;
using PaletteColors::mix;

constexpr int maxVisibleLines = 24;

} // namespace

TracebackView::TracebackView(QWidget *parent) : QPlainTextEdit(parent)
{
    setObjectName(QStringLiteral("detailTraceback"));
    setReadOnly(true);
    setTextInteractionFlags(Qt::TextSelectableByMouse | Qt::TextSelectableByKeyboard);
    setLineWrapMode(QPlainTextEdit::NoWrap);
    setFont(QFontDatabase::systemFont(QFontDatabase::FixedFont));
    setVerticalScrollBarPolicy(Qt::ScrollBarAsNeeded);
    setSizePolicy(QSizePolicy::Expanding, QSizePolicy::Fixed);
    setTabChangesFocus(true);
}

void TracebackView::setTraceback(const QString &traceback)
{
    setTraceback(traceback, ValueDecoder::tracebackExceptionLine(traceback));
}

void TracebackView::setTraceback(const QString &traceback, const QString &exceptionLine)
{
    // The same traceback again (a refresh, a re-render) keeps the document and the reader's
    // scroll position.
    if (m_hasTraceback && traceback == m_traceback && exceptionLine == m_exceptionLine)
        return;
    m_hasTraceback = true;
    m_traceback = traceback;
    m_exceptionLine = exceptionLine;
    // Trailing newlines would add empty blocks and push the exception line off the end.
    qsizetype end = traceback.size();
    while (end > 0 && (traceback.at(end - 1) == QLatin1Char('\n') || traceback.at(end - 1) == QLatin1Char('\r')))
        --end;
    // Layout and formats cost time linear in the document: a huge traceback shows its end
    // (where the exception line is), starting on a whole line.
    qsizetype begin = 0;
    if (end > maxShownChars) {
        begin = end - maxShownChars;
        const qsizetype newline = traceback.indexOf(QLatin1Char('\n'), begin);
        if (newline >= 0 && newline + 1 < end)
            begin = newline + 1;
    }
    m_shownChars = end - begin;
    m_cut = begin > 0;
    setPlainText(traceback.mid(begin, end - begin));
    applyFormats();
    fitHeight();
    // A long traceback opens on its end: the exception line and the frames nearest to it.
    verticalScrollBar()->setValue(verticalScrollBar()->maximum());
}

QTextCharFormat TracebackView::exceptionFormat() const
{
    const bool dark = isDark(palette());
    QTextCharFormat f;
    f.setFontWeight(QFont::Bold);
    f.setForeground(dark ? QColor(0xff, 0x9e, 0x9e) : QColor(0xa4, 0x00, 0x0f));
    f.setBackground(mix(palette().color(QPalette::Base), QColor(0xe0, 0x30, 0x30), dark ? 0.28 : 0.12));
    return f;
}

void TracebackView::applyFormats()
{
    QTextDocument *doc = document();
    m_exceptionBlock = -1;

    QTextCharFormat plain;
    QTextCursor all(doc);
    all.select(QTextCursor::Document);
    all.setCharFormat(plain);

    const QColor frameColor = mix(palette().color(QPalette::Text), palette().color(QPalette::Base), 0.35);
    QTextCharFormat frameFormat;
    frameFormat.setForeground(frameColor);

    // The exception line is the last block that equals tracebackExceptionLine() (a chained
    // traceback repeats "During handling…" sections; the final exception is the one raised).
    for (QTextBlock block = doc->lastBlock(); block.isValid(); block = block.previous()) {
        if (!m_exceptionLine.isEmpty() && m_exceptionBlock < 0
            && block.text().trimmed() == m_exceptionLine.trimmed()) {
            m_exceptionBlock = block.blockNumber();
            QTextCursor c(block);
            c.movePosition(QTextCursor::EndOfBlock, QTextCursor::KeepAnchor);
            c.setCharFormat(exceptionFormat());
            QTextBlockFormat bf;
            bf.setBackground(exceptionFormat().background());
            c.setBlockFormat(bf);
        } else if (block.text().trimmed().startsWith(QLatin1String("File \""))) {
            QTextCursor c(block);
            c.movePosition(QTextCursor::EndOfBlock, QTextCursor::KeepAnchor);
            c.setCharFormat(frameFormat);
        }
    }
}

void TracebackView::fitHeight()
{
    // Fixed to the content (up to maxVisibleLines) so the pane scrolls, not this view; the
    // horizontal scroll bar is counted when a line is wider than the view.
    const QFontMetrics fm(font());
    int widest = 0;
    // Measuring every line costs a shaping pass each; past a few hundred lines, measure the
    // longest ones only (the font is monospace, so length orders them).
    constexpr int measureAll = 400;
    if (document()->blockCount() <= measureAll) {
        for (QTextBlock block = document()->firstBlock(); block.isValid(); block = block.next())
            widest = qMax(widest, fm.horizontalAdvance(block.text()));
    } else {
        int longest = 0;
        for (QTextBlock block = document()->firstBlock(); block.isValid(); block = block.next())
            longest = qMax(longest, block.length());
        for (QTextBlock block = document()->firstBlock(); block.isValid(); block = block.next()) {
            if (block.length() >= longest - 8)
                widest = qMax(widest, fm.horizontalAdvance(block.text()));
        }
    }
    const int margins = int(std::ceil(document()->documentMargin() * 2));
    const bool needsHBar = widest + margins > viewport()->width();
    const int lines = qBound(1, document()->blockCount(), maxVisibleLines);
    const int h = lines * fm.lineSpacing() + margins + 2 * frameWidth() + 2
        + (needsHBar ? horizontalScrollBar()->sizeHint().height() : 0);
    if (h != height())
        setFixedHeight(h);
}

void TracebackView::resizeEvent(QResizeEvent *event)
{
    QPlainTextEdit::resizeEvent(event);
    fitHeight();
}

void TracebackView::changeEvent(QEvent *event)
{
    QPlainTextEdit::changeEvent(event);
    if (event->type() == QEvent::PaletteChange || event->type() == QEvent::StyleChange)
        applyFormats();
}
