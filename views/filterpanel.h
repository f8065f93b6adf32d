#pragma once

#include "taskquery.h"
#include "taskresult.h"

#include <QDateTime>
#include <QHash>
#include <QWidget>

class QComboBox;
class QDateTimeEdit;
class QLabel;
class QLineEdit;
class QListWidget;
class QListWidgetItem;
class QPushButton;

/// The filter side panel: Status, Task name, Worker and Periodic task facets ("value (count)"
/// with check boxes, several values per facet), a type-to-narrow box for task names, and a
/// date_done range (any time, last hour / day / week, or a custom local-time range).
///
/// It only edits the filter part of a TaskQuery (applyTo()); the window owns the query.
/// A NULL value is shown as "(none)" and filters for NULL. GUI thread; owned by its parent.
class FilterPanel final : public QWidget
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(FilterPanel)
public:
    enum class DateRange { Any, LastHour, LastDay, LastWeek, Custom };

    explicit FilterPanel(QWidget *parent = nullptr);

    /// New counts for the current search. Ticked values stay (with a count of 0 when gone).
    void setFacets(const Facets &facets);
    /// While pending, the counts shown are the previous query's: they are greyed and each
    /// heading says "counting…" (the values stay tickable), until setFacetsPending(false).
    void setFacetsPending(bool pending);
    bool areFacetsPending() const { return m_facetsPending; }
    /// Hides the facets of fields the open store's schema does not have.
    void setAvailableFields(FieldSet fields);

    /// Writes the ticked values and the date range into query (relative ranges are computed
    /// against the current time, so call it again on refresh).
    void applyTo(TaskQuery *query) const;
    bool hasFilters() const;
    bool isDateRangeRelative() const;

    /// Ticks exactly value in field's facet (Status, TaskName, Worker, PeriodicTaskName).
    void selectOnly(Field field, const QString &value);
    /// Ticks exactly values (null QString = NULL) in field's facet; a value the facet does not
    /// list yet is added with a count of 0, as a ticked value that disappeared is kept.
    void setSelected(Field field, const QStringList &values);
    /// The date range chosen (Any, a relative one, or Custom with its two ends).
    DateRange dateRange() const;
    QDateTime customFrom() const;
    QDateTime customTo() const;
    void setDateRange(DateRange range, const QDateTime &from = {}, const QDateTime &to = {});
    /// Unticks everything and resets the date range; emits filtersChanged() when it changed.
    void clearFilters();

    /// The ticked values of a facet (null QString = NULL).
    QStringList checkedValues(Field field) const;

Q_SIGNALS:
    /// Any tick, untick or date change made by the user or by selectOnly()/clearFilters().
    void filtersChanged();

private:
    QListWidget *listFor(Field field) const;
    void populate(QListWidget *list, const QVector<FacetValue> &values);
    void applyNarrowing();
    void updateHeadings();
    void fitHeight(QListWidget *list, int maxRows);
    /// Greys an item whose count is 0, or every item while the facets are pending.
    void paintCount(QListWidgetItem *item) const;

    QListWidget *m_status = nullptr;
    QListWidget *m_taskNames = nullptr;
    QListWidget *m_workers = nullptr;
    QListWidget *m_periodic = nullptr;
    QLabel *m_statusLabel = nullptr;
    QLabel *m_taskNameLabel = nullptr;
    QLabel *m_workerLabel = nullptr;
    QLabel *m_periodicLabel = nullptr;
    QLineEdit *m_taskNameFilter = nullptr;
    QComboBox *m_dateRange = nullptr;
    QWidget *m_customRange = nullptr;
    QDateTimeEdit *m_from = nullptr;
    QDateTimeEdit *m_to = nullptr;
    QPushButton *m_clear = nullptr;
    bool m_updating = false;
    bool m_facetsPending = false;
    /// The facet values each list was last built from: an unchanged refresh rebuilds nothing
    /// (thousands of task names made every refresh recreate thousands of items).
    QHash<const QListWidget *, QVector<FacetValue>> m_shownFacets;
    QListWidgetItem *m_pressedItem = nullptr; ///< between itemPressed and itemClicked
    Qt::CheckState m_pressedState = Qt::Unchecked;
};
