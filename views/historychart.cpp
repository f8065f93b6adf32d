#include "historychart.h"

#include "aggregatefollower.h"
#include "palettecolors.h"
#include "statusstyle.h"
#include "taskresultmodel.h"

#include <QHelpEvent>
#include <QLabel>
#include <QVBoxLayout>
#include <QLocale>
#include <QMouseEvent>
#include <QPainter>
#include <QPainterPath>
#include <QToolTip>

#include <algorithm>
#include <cmath>

namespace {

constexpr int dragThreshold = 4; ///< pixels a press must move to become a drag

/// The smallest of 2, 4, 6, then 1, 2 or 5 × 10^k (k ≥ 1) at or above n: the y axis ends on
/// a round number whose half, its middle label, is a whole number too.
qint64 niceCeiling(qint64 n)
{
    if (n <= 2)
        return 2;
    if (n <= 6)
        return n <= 4 ? 4 : 6;
    qint64 step = 10;
    while (true) {
        for (qint64 m : {1, 2, 5}) {
            if (m * step >= n)
                return m * step;
        }
        step *= 10;
    }
}

/// Where a status sits in the stack: failures at the bottom, success on top, the rest in
/// between in the order an operator reads them.
int stackRank(const QString &status)
{
    static const QStringList order = {QStringLiteral("FAILURE"), QStringLiteral("RETRY"),
                                      QStringLiteral("REVOKED"), QStringLiteral("STARTED"),
                                      QStringLiteral("RECEIVED"), QStringLiteral("PENDING")};
    if (status == QLatin1String("SUCCESS"))
        return int(order.size()) + 2;
    const int i = int(order.indexOf(status));
    return i >= 0 ? i : int(order.size()) + 1;
}

qint64 failuresOf(const StatusBucket &bucket)
{
    return bucket.counts.value(QStringLiteral("FAILURE"));
}

} // namespace

HistoryChart::HistoryChart(QWidget *parent) : QWidget(parent)
{
    setMouseTracking(true);
    setAttribute(Qt::WA_OpaquePaintEvent, false);
    setSizePolicy(QSizePolicy::Preferred, QSizePolicy::Fixed);
    setAccessibleName(tr("History chart"));
    setToolTip(QString()); // tooltips are per bar, from event()
}

void HistoryChart::setHistory(const StatusHistory &history)
{
    m_history = history;
    m_message.clear();
    m_hover = -1;
    m_dragFrom = m_dragTo = -1;
    update();
}

void HistoryChart::setMessage(const QString &text)
{
    m_message = text;
    update();
}

void HistoryChart::setShowUtc(bool utc)
{
    m_showUtc = utc;
    update();
}

QSize HistoryChart::sizeHint() const
{
    return {600, fontMetrics().height() * 7};
}

QSize HistoryChart::minimumSizeHint() const
{
    return {200, fontMetrics().height() * 5};
}

QRectF HistoryChart::plotRect() const
{
    const QFontMetrics fm = fontMetrics();
    const qreal left = fm.horizontalAdvance(QLocale().toString(qint64(999999))) + 10;
    const qreal right = fm.horizontalAdvance(QStringLiteral("100%")) + 10;
    const qreal top = fm.height() / 2.0 + 2;
    const qreal bottom = fm.height() + 6;
    return QRectF(left, top, std::max<qreal>(1, width() - left - right), std::max<qreal>(1, height() - top - bottom));
}

qreal HistoryChart::barWidth() const
{
    const int n = int(m_history.buckets.size());
    return n > 0 ? plotRect().width() / n : 0;
}

int HistoryChart::bucketAt(int x) const
{
    const QRectF plot = plotRect();
    const int n = int(m_history.buckets.size());
    if (n == 0 || !m_message.isEmpty() || x < plot.left() || x >= plot.right())
        return -1;
    return std::clamp(int((x - plot.left()) / barWidth()), 0, n - 1);
}

int HistoryChart::bucketCenter(int i) const
{
    return int(plotRect().left() + (i + 0.5) * barWidth());
}

QStringList HistoryChart::stackOrder() const
{
    QStringList order = m_history.statuses;
    std::stable_sort(order.begin(), order.end(),
                     [](const QString &a, const QString &b) { return stackRank(a) < stackRank(b); });
    return order;
}

qint64 HistoryChart::maxTotal() const
{
    qint64 top = 0;
    for (const StatusBucket &b : m_history.buckets)
        top = std::max(top, b.total);
    return top;
}

QString timeBucketLabel(const QDateTime &start, TimeBucket bucket, bool utc, bool withDate)
{
    const QDateTime at = utc ? start.toUTC() : start.toLocalTime();
    switch (bucket) {
    case TimeBucket::Minute:
    case TimeBucket::Hour:
        return at.toString(withDate ? QStringLiteral("yyyy-MM-dd HH:mm") : QStringLiteral("HH:mm"));
    case TimeBucket::Day:
        return at.toString(QStringLiteral("yyyy-MM-dd"));
    }
    return {};
}

QString HistoryChart::bucketLabel(const QDateTime &start, bool withDate) const
{
    return timeBucketLabel(start, m_history.bucket, m_showUtc, withDate);
}

QString HistoryChart::bucketText(int i) const
{
    if (i < 0 || i >= m_history.buckets.size())
        return {};
    const StatusBucket &b = m_history.buckets.at(i);
    const QDateTime end = b.start.addMSecs(bucketMs(m_history.bucket));
    const QLocale locale;
    QString text = tr("%1 – %2%3").arg(bucketLabel(b.start, true), bucketLabel(end, m_history.bucket == TimeBucket::Day),
                                       m_showUtc ? QStringLiteral(" UTC") : QString());
    for (const QString &status : stackOrder()) {
        const qint64 n = b.counts.value(status);
        if (n > 0)
            text += QStringLiteral("\n%1: %2").arg(status.isEmpty() ? tr("(no status)") : status, locale.toString(n));
    }
    text += QLatin1Char('\n') + (b.total == 1 ? tr("1 result") : tr("%1 results").arg(locale.toString(b.total)));
    if (b.total > 0) {
        text += tr(", failure rate %1%")
                    .arg(locale.toString(100.0 * double(failuresOf(b)) / double(b.total), 'f', 1));
    }
    return text;
}

void HistoryChart::paintEvent(QPaintEvent *)
{
    QPainter p(this);
    p.setRenderHint(QPainter::Antialiasing, false);
    const QPalette pal = palette();
    p.fillRect(rect(), pal.color(QPalette::Base));
    if (!m_message.isEmpty() || m_history.buckets.isEmpty()) {
        p.setPen(pal.color(QPalette::PlaceholderText));
        p.drawText(rect().adjusted(8, 4, -8, -4), Qt::AlignCenter | Qt::TextWordWrap,
                   !m_message.isEmpty() ? m_message : tr("No result of this view has a date done."));
        return;
    }
    const QRectF plot = plotRect();
    const qint64 top = niceCeiling(std::max<qint64>(1, maxTotal()));
    paintAxes(p, plot, top);
    paintBars(p, plot, top);
    paintFailureRate(p, plot);
    paintTimeLabels(p, plot);
    if (m_dragFrom >= 0 && m_dragTo >= 0) {
        const int a = std::min(m_dragFrom, m_dragTo), b = std::max(m_dragFrom, m_dragTo);
        QColor band = pal.color(QPalette::Highlight);
        band.setAlphaF(0.25f);
        p.fillRect(QRectF(plot.left() + a * barWidth(), plot.top(), (b - a + 1) * barWidth(), plot.height()), band);
    }
}

void HistoryChart::paintAxes(QPainter &p, const QRectF &plot, qint64 top) const
{
    const QPalette pal = palette();
    const QColor text = pal.color(QPalette::Text);
    const QColor grid = PaletteColors::mix(pal.color(QPalette::Base), text, 0.12);
    const QFontMetrics fm = fontMetrics();
    const QLocale locale;
    for (int k = 0; k <= 2; ++k) {
        const qreal y = plot.bottom() - plot.height() * k / 2.0;
        p.setPen(grid);
        p.drawLine(QPointF(plot.left(), y), QPointF(plot.right(), y));
        p.setPen(PaletteColors::mix(pal.color(QPalette::Base), text, 0.7));
        const QRectF left(0, y - fm.height() / 2.0, plot.left() - 5, fm.height());
        p.drawText(left, Qt::AlignRight | Qt::AlignVCenter, locale.toString(top * k / 2));
        const QRectF right(plot.right() + 5, y - fm.height() / 2.0, width() - plot.right() - 5, fm.height());
        p.drawText(right, Qt::AlignLeft | Qt::AlignVCenter, QStringLiteral("%1%").arg(50 * k));
    }
}

void HistoryChart::paintBars(QPainter &p, const QRectF &plot, qint64 top) const
{
    const qreal w = barWidth();
    const qreal gap = w >= 4 ? 1 : 0;
    const QStringList order = stackOrder();
    const QColor hover = PaletteColors::mix(palette().color(QPalette::Base), palette().color(QPalette::Highlight), 0.15);
    for (int i = 0; i < m_history.buckets.size(); ++i) {
        const StatusBucket &b = m_history.buckets.at(i);
        const qreal x = plot.left() + i * w;
        if (i == m_hover)
            p.fillRect(QRectF(x, plot.top(), w, plot.height()), hover);
        qreal y = plot.bottom();
        for (const QString &status : order) {
            const qint64 n = b.counts.value(status);
            if (n <= 0)
                continue;
            const qreal h = plot.height() * double(n) / double(top);
            // A bar never vanishes: a single failure among thousands still shows a pixel.
            const qreal drawn = std::max<qreal>(h, 1.0);
            p.fillRect(QRectF(x, y - drawn, std::max<qreal>(w - gap, 1.0), drawn), StatusStyle::color(status));
            y -= h;
        }
    }
}

void HistoryChart::paintFailureRate(QPainter &p, const QRectF &plot) const
{
    const qreal w = barWidth();
    QPainterPath path;
    bool drawing = false;
    for (int i = 0; i < m_history.buckets.size(); ++i) {
        const StatusBucket &b = m_history.buckets.at(i);
        if (b.total <= 0) {
            drawing = false; // an empty bucket has no rate: the line breaks there
            continue;
        }
        const QPointF point(plot.left() + (i + 0.5) * w, plot.bottom() - plot.height() * double(failuresOf(b)) / double(b.total));
        if (drawing)
            path.lineTo(point);
        else
            path.moveTo(point);
        drawing = true;
    }
    p.setRenderHint(QPainter::Antialiasing, true);
    p.setPen(QPen(StatusStyle::lineColor(QStringLiteral("FAILURE"), palette()), 1.5));
    p.setBrush(Qt::NoBrush);
    p.drawPath(path);
    p.setRenderHint(QPainter::Antialiasing, false);
}

void HistoryChart::paintTimeLabels(QPainter &p, const QRectF &plot) const
{
    const QFontMetrics fm = fontMetrics();
    const int n = int(m_history.buckets.size());
    const int labelWidth = fm.horizontalAdvance(bucketLabel(m_history.buckets.first().start, true)) + 16;
    const int every = std::max(1, int(std::ceil(labelWidth / std::max<qreal>(barWidth(), 0.01))));
    p.setPen(PaletteColors::mix(palette().color(QPalette::Base), palette().color(QPalette::Text), 0.7));
    QDate lastDate;
    for (int i = 0; i < n; i += every) {
        const QDateTime start = m_history.buckets.at(i).start;
        const QDate date = (m_showUtc ? start.toUTC() : start.toLocalTime()).date();
        const QString label = bucketLabel(start, date != lastDate);
        lastDate = date;
        const qreal x = plot.left() + i * barWidth();
        p.drawLine(QPointF(x, plot.bottom()), QPointF(x, plot.bottom() + 3));
        p.drawText(QRectF(x + 2, plot.bottom() + 3, labelWidth, fm.height()), Qt::AlignLeft | Qt::AlignTop, label);
    }
}

void HistoryChart::mousePressEvent(QMouseEvent *event)
{
    if (event->button() != Qt::LeftButton)
        return QWidget::mousePressEvent(event);
    m_pressX = int(event->position().x());
    m_dragFrom = bucketAt(m_pressX);
    m_dragTo = -1;
}

void HistoryChart::mouseMoveEvent(QMouseEvent *event)
{
    const int x = int(event->position().x());
    if (m_dragFrom >= 0 && (event->buttons() & Qt::LeftButton) && std::abs(x - m_pressX) >= dragThreshold) {
        const int at = bucketAt(x);
        const QRectF plot = plotRect();
        m_dragTo = at >= 0 ? at : (x < plot.left() ? 0 : int(m_history.buckets.size()) - 1);
        update();
        return;
    }
    const int hover = bucketAt(x);
    if (hover != m_hover) {
        m_hover = hover;
        update();
        if (hover >= 0)
            QToolTip::showText(event->globalPosition().toPoint(), bucketText(hover), this);
        else
            QToolTip::hideText();
    }
}

void HistoryChart::mouseReleaseEvent(QMouseEvent *event)
{
    if (event->button() != Qt::LeftButton)
        return QWidget::mouseReleaseEvent(event);
    const int from = m_dragFrom, to = m_dragTo;
    m_dragFrom = m_dragTo = -1;
    update();
    if (from >= 0 && to >= 0)
        emitRange(std::min(from, to), std::max(from, to));
}

void HistoryChart::mouseDoubleClickEvent(QMouseEvent *event)
{
    const int at = bucketAt(int(event->position().x()));
    if (event->button() == Qt::LeftButton && at >= 0)
        emitRange(at, at);
}

void HistoryChart::leaveEvent(QEvent *event)
{
    m_hover = -1;
    update();
    QWidget::leaveEvent(event);
}

bool HistoryChart::event(QEvent *event)
{
    if (event->type() == QEvent::ToolTip) {
        auto *help = static_cast<QHelpEvent *>(event);
        const int at = bucketAt(help->pos().x());
        if (at >= 0)
            QToolTip::showText(help->globalPos(), bucketText(at), this);
        else
            QToolTip::hideText();
        return true;
    }
    return QWidget::event(event);
}

void HistoryChart::emitRange(int first, int last)
{
    const QDateTime from = m_history.buckets.at(first).start;
    const QDateTime to = m_history.buckets.at(last).start.addMSecs(bucketMs(m_history.bucket));
    Q_EMIT rangeSelected(from, to);
}

// ---------------------------------------------------------------------------------------

HistoryPanel::HistoryPanel(TaskResultModel *model, QWidget *parent)
    : QWidget(parent), m_model(model), m_chart(new HistoryChart(this)), m_caption(new QLabel(this)),
      m_follower(new AggregateFollower(model, this, [this] { load(); }))
{
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(6, 4, 6, 2);
    layout->setSpacing(2);
    m_caption->setObjectName(QStringLiteral("historyCaption"));
    QFont small = m_caption->font();
    small.setPointSizeF(small.pointSizeF() * 0.9);
    m_caption->setFont(small);
    m_caption->setForegroundRole(QPalette::PlaceholderText);
    layout->addWidget(m_caption);
    layout->addWidget(m_chart);
    m_chart->setObjectName(QStringLiteral("historyChart"));
    m_chart->setShowUtc(model->showUtc());
    connect(m_chart, &HistoryChart::rangeSelected, this, &HistoryPanel::rangeSelected);
    connect(model, &TaskResultModel::opened, this, [this] {
        m_chart->setHistory(StatusHistory());
        m_chart->setMessage(tr("Counting results by time…"));
    });
}

QString HistoryPanel::caption(TimeBucket bucket)
{
    const QString drag = tr("Drag across the bars to filter by date done.");
    switch (bucket) {
    case TimeBucket::Minute:
        return tr("Results per minute by status; the line is the failure rate (right axis).") + QLatin1Char(' ') + drag;
    case TimeBucket::Hour:
        return tr("Results per hour by status; the line is the failure rate (right axis).") + QLatin1Char(' ') + drag;
    case TimeBucket::Day:
        return tr("Results per day by status; the line is the failure rate (right axis).") + QLatin1Char(' ') + drag;
    }
    return drag;
}

void HistoryPanel::reload()
{
    m_follower->reload();
}

void HistoryPanel::load()
{
    const TaskQuery query = m_model->query();
    if (query.doneAfter.isValid()) {
        const QDateTime end = query.doneBefore.isValid() ? query.doneBefore : QDateTime::currentDateTimeUtc();
        ask(query, bucketForSpan(query.doneAfter.msecsTo(end)), false);
    } else {
        ask(query, TimeBucket::Day, true);
    }
}

void HistoryPanel::ask(const TaskQuery &query, TimeBucket bucket, bool refine)
{
    if (m_chart->history().buckets.isEmpty())
        m_chart->setMessage(tr("Counting results by time…"));
    m_follower->ask<StatusHistory>(
        [query, bucket](ResultStore &store) { return store.statusHistory(query, bucket); },
        [this, query, refine](const Reply<StatusHistory> &reply) {
            if (!reply) {
                m_chart->setHistory(StatusHistory());
                m_chart->setMessage(reply.error().message);
                m_caption->clear();
                return;
            }
            const StatusHistory &history = *reply;
            if (refine && !history.buckets.isEmpty()) {
                const qint64 span = history.buckets.first().start.msecsTo(history.buckets.last().start)
                                    + bucketMs(history.bucket);
                const TimeBucket finer = bucketForSpan(span);
                if (finer != history.bucket) {
                    ask(query, finer, false);
                    return;
                }
            }
            m_chart->setShowUtc(m_model->showUtc());
            m_chart->setHistory(history);
            m_caption->setText(caption(history.bucket));
            // No bar: no result at all, or results still running (no date done yet). The
            // chart is asked after the exact count, which tells them apart.
            const CountState &count = m_model->countState();
            if (history.buckets.isEmpty() && count.kind() == CountState::Kind::Exact && count.matching == 0)
                m_chart->setMessage(tr("No result matches this view."));
        });
}
