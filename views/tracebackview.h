#pragma once

#include <QPlainTextEdit>
#include <QTextCharFormat>

/// A read-only, monospace view of a Python traceback. The exception line (the last
/// non-indented line, ValueDecoder::tracebackExceptionLine) is bold on a palette-aware
/// tinted background; "File ..." frame lines are subdued. Its height fits the content up
/// to a maximum, then it scrolls (opening on the exception line).
///
/// GUI thread; owned by its parent.
class TracebackView final : public QPlainTextEdit
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(TracebackView)
public:
    explicit TracebackView(QWidget *parent = nullptr);

    /// Shows a traceback; the exception line is found with ValueDecoder::tracebackExceptionLine.
    /// At most maxShownChars characters (the end, cut at a line start) go into the document.
    void setTraceback(const QString &traceback);
    /// As above with the exception line already found (e.g. on a worker thread: the scan is
    /// linear in the traceback's size).
    void setTraceback(const QString &traceback, const QString &exceptionLine);
    /// How many characters of traceback() the document holds (its trailing newlines never).
    qsizetype shownChars() const { return m_shownChars; }
    /// The document holds only the end of traceback() (it was longer than maxShownChars).
    bool isCut() const { return m_cut; }

    /// Longest text put into the document; a longer traceback shows its end.
    static constexpr qsizetype maxShownChars = 256 * 1024;
    QString traceback() const { return m_traceback; }
    /// The highlighted exception line (empty when none was found).
    QString exceptionLine() const { return m_exceptionLine; }
    /// Block number of the highlighted line in document(), or -1.
    int exceptionBlock() const { return m_exceptionBlock; }

    /// The character format the exception line carries (tests compare against it).
    QTextCharFormat exceptionFormat() const;

protected:
    void changeEvent(QEvent *event) override;
    void resizeEvent(QResizeEvent *event) override;

private:
    void applyFormats();
    void fitHeight();

    QString m_traceback;
    QString m_exceptionLine;
    int m_exceptionBlock = -1;
    qsizetype m_shownChars = 0;
    bool m_cut = false;
    bool m_hasTraceback = false;
};
