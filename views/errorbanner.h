#pragma once

#include <QWidget>

class QLabel;
class QToolButton;
class QPushButton;

/// A non-modal in-window message strip (like KMessageWidget): icon, text, an optional
/// Retry button and a close button, on a palette-aware error tint. Hidden until
/// showMessage(). objectName "errorBanner".
///
/// GUI thread; owned by its parent (usually placed above the table).
class ErrorBanner final : public QWidget
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(ErrorBanner)
public:
    explicit ErrorBanner(QWidget *parent = nullptr);

    /// Shows the banner with text; the Retry button is visible only when retryable.
    void showMessage(const QString &text, bool retryable);
    /// Hides the banner.
    void dismiss();
    QString text() const;

Q_SIGNALS:
    void retryRequested();

protected:
    void changeEvent(QEvent *event) override;
    void paintEvent(QPaintEvent *event) override;

private:
    void applyPalette();

    QLabel *m_icon = nullptr;
    QLabel *m_text = nullptr;
    QPushButton *m_retry = nullptr;
    QToolButton *m_close = nullptr;
};
