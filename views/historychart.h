#pragma once

#include "aggregates.h"

#include "taskquery.h"

#include <QDateTime>
#include <QWidget>

class AggregateFollower;
class QLabel;
class TaskResultModel;

/// The label of a bucket starting at `start` (UTC), shown in UTC or local time:
/// "2025-02-03 14:00" ("14:00" without the date) for a minute or an hour, "2025-02-03" for a
/// day. The history chart's axis and tooltips, the Failures view's trend tooltips.
QString timeBucketLabel(const QDateTime &start, TimeBucket bucket, bool utc, bool withDate = true);

/// Results per time bucket stacked by status, with the failure rate as a line: the history
/// chart above the table (View → History Chart), in the manner of qBittorrent's speed plot —
/// a small QPainter widget, no chart library.
///
/// Bars follow StatusStyle's colours, FAILURE at the bottom where it stays visible and
/// SUCCESS on top; axes, grid and labels follow the palette, so dark and light themes both
/// read. Hovering a bar shows its numbers; dragging across the chart (or double-clicking a
/// bar) emits rangeSelected() with whole buckets. Shows the StatusHistory it is given and
/// fetches nothing (MainWindow asks the store). GUI thread; owned by its parent.
class HistoryChart final : public QWidget
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(HistoryChart)
public:
    explicit HistoryChart(QWidget *parent = nullptr);

    /// Shows history (and drops any message).
    void setHistory(const StatusHistory &history);
    const StatusHistory &history() const { return m_history; }
    /// Shows text instead of the bars ("Counting results by hour…", an error); an empty text
    /// shows the history again.
    void setMessage(const QString &text);
    QString message() const { return m_message; }
    /// Bucket labels and tooltips in UTC instead of local time.
    void setShowUtc(bool utc);

    /// The bucket under x (widget coordinates), or -1.
    int bucketAt(int x) const;
    /// The horizontal middle of bucket i, in widget coordinates (tests and tooltips).
    int bucketCenter(int i) const;
    /// The tooltip text of bucket i: its range, counts by status, total and failure rate.
    QString bucketText(int i) const;

    QSize sizeHint() const override;
    QSize minimumSizeHint() const override;

Q_SIGNALS:
    /// The user picked [from, to) (UTC, whole buckets) by dragging or double-clicking.
    void rangeSelected(const QDateTime &from, const QDateTime &to);

protected:
    void paintEvent(QPaintEvent *event) override;
    void mousePressEvent(QMouseEvent *event) override;
    void mouseMoveEvent(QMouseEvent *event) override;
    void mouseReleaseEvent(QMouseEvent *event) override;
    void mouseDoubleClickEvent(QMouseEvent *event) override;
    void leaveEvent(QEvent *event) override;
    bool event(QEvent *event) override;

private:
    /// The area the bars fill, inside the axes' labels.
    QRectF plotRect() const;
    qreal barWidth() const;
    /// The statuses bottom to top.
    QStringList stackOrder() const;
    qint64 maxTotal() const;
    QString bucketLabel(const QDateTime &start, bool withDate) const;
    void paintAxes(QPainter &p, const QRectF &plot, qint64 top) const;
    void paintBars(QPainter &p, const QRectF &plot, qint64 top) const;
    void paintFailureRate(QPainter &p, const QRectF &plot) const;
    void paintTimeLabels(QPainter &p, const QRectF &plot) const;
    void emitRange(int first, int last);

    StatusHistory m_history;
    QString m_message;
    bool m_showUtc = false;
    int m_hover = -1;
    int m_dragFrom = -1; ///< the bucket a drag started on; -1 = no drag
    int m_dragTo = -1;
    int m_pressX = 0;
};

/// The history chart with its caption, kept up to date for a TaskResultModel's query by an
/// AggregateFollower (after each exact count of the model, off the GUI thread), with the
/// bucket bucketForSpan() picks for the date range. Without a
/// range it asks by day first and, when the results span a fortnight or less, once more by
/// hour or minute. Hidden, it asks nothing. GUI thread; owned by its parent.
class HistoryPanel final : public QWidget
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(HistoryPanel)
public:
    explicit HistoryPanel(TaskResultModel *model, QWidget *parent = nullptr);

    HistoryChart *chart() const { return m_chart; }
    /// Asks for the history of the model's current query (now when shown, else when shown).
    void reload();

Q_SIGNALS:
    void rangeSelected(const QDateTime &from, const QDateTime &to);

private:
    /// Asks for the history of the model's current query (AggregateFollower's reload).
    void load();
    void ask(const TaskQuery &query, TimeBucket bucket, bool refine);
    /// The line above the chart for a history by bucket.
    static QString caption(TimeBucket bucket);

    TaskResultModel *m_model;
    HistoryChart *m_chart;
    QLabel *m_caption;
    AggregateFollower *m_follower;
};
