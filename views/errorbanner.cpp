#include "errorbanner.h"

#include <QEvent>
#include <QHBoxLayout>
#include <QLabel>
#include <QPainter>
#include <QPainterPath>
#include <QPushButton>
#include <QStyle>
#include <QToolButton>

#include "displaytext.h"
#include "palettecolors.h"

namespace {

using PaletteColors::mix;

const QColor errorRed(0xda, 0x44, 0x53); // KMessageWidget's negative colour

} // namespace

ErrorBanner::ErrorBanner(QWidget *parent) : QWidget(parent)
{
    setObjectName(QStringLiteral("errorBanner"));
    setAttribute(Qt::WA_StyledBackground, false);
    setSizePolicy(QSizePolicy::Preferred, QSizePolicy::Maximum);

    auto *layout = new QHBoxLayout(this);
    layout->setContentsMargins(10, 6, 6, 6);
    layout->setSpacing(8);

    m_icon = new QLabel(this);
    m_icon->setObjectName(QStringLiteral("errorBannerIcon"));
    m_icon->setAlignment(Qt::AlignTop);
    layout->addWidget(m_icon, 0, Qt::AlignVCenter);

    m_text = new QLabel(this);
    m_text->setObjectName(QStringLiteral("errorBannerText"));
    m_text->setWordWrap(true);
    m_text->setTextFormat(Qt::PlainText);
    m_text->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_text->setSizePolicy(QSizePolicy::Expanding, QSizePolicy::Preferred);
    layout->addWidget(m_text, 1);

    m_retry = new QPushButton(tr("&Retry"), this);
    m_retry->setObjectName(QStringLiteral("errorBannerRetry"));
    m_retry->setIcon(QIcon::fromTheme(QStringLiteral("view-refresh")));
    layout->addWidget(m_retry, 0, Qt::AlignVCenter);
    connect(m_retry, &QPushButton::clicked, this, &ErrorBanner::retryRequested);

    m_close = new QToolButton(this);
    m_close->setObjectName(QStringLiteral("errorBannerClose"));
    m_close->setAutoRaise(true);
    m_close->setToolTip(tr("Dismiss"));
    m_close->setIcon(style()->standardIcon(QStyle::SP_TitleBarCloseButton, nullptr, this));
    m_close->setAccessibleName(tr("Dismiss message"));
    layout->addWidget(m_close, 0, Qt::AlignVCenter);
    connect(m_close, &QToolButton::clicked, this, &ErrorBanner::dismiss);

    applyPalette();
    hide();
}

void ErrorBanner::showMessage(const QString &text, bool retryable)
{
    const QString shown = DisplayText::sentence(text);
    m_text->setText(shown);
    m_retry->setVisible(retryable);
    setAccessibleDescription(shown);
    show();
}

void ErrorBanner::dismiss()
{
    hide();
}

QString ErrorBanner::text() const
{
    return m_text->text();
}

void ErrorBanner::applyPalette()
{
    // Text keeps the palette's own colour; only the tint (painted below) comes from red, so
    // the banner reads on light and dark palettes alike.
    const int iconSize = style()->pixelMetric(QStyle::PM_SmallIconSize, nullptr, this);
    m_icon->setPixmap(style()->standardIcon(QStyle::SP_MessageBoxCritical, nullptr, this)
                          .pixmap(iconSize, iconSize));
    update();
}

void ErrorBanner::changeEvent(QEvent *event)
{
    QWidget::changeEvent(event);
    if (event->type() == QEvent::PaletteChange || event->type() == QEvent::StyleChange)
        applyPalette();
}

void ErrorBanner::paintEvent(QPaintEvent *event)
{
    Q_UNUSED(event);
    const QColor window = palette().color(QPalette::Window);
    const bool dark = window.lightnessF() < 0.5;
    QPainter p(this);
    p.setRenderHint(QPainter::Antialiasing);
    const QRectF r = QRectF(rect()).adjusted(1.5, 1.5, -1.5, -1.5);
    QPainterPath path;
    path.addRoundedRect(r, 5, 5);
    p.fillPath(path, mix(window, errorRed, dark ? 0.30 : 0.16));
    p.setPen(QPen(mix(window, errorRed, dark ? 0.75 : 0.65), 1.2));
    p.drawPath(path);
}
