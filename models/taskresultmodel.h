#pragma once

#include "resultstore.h"

#include <QAbstractTableModel>
#include <QHash>
#include <QSet>
#include <QStringList>
#include <QThread>
#include <QTimer>

class StoreWorker;

/// A table of task results that never loads a whole table: the row count comes from the
/// store, rows arrive in pages from a worker thread (which owns the store and its
/// connection) and are kept in a bounded page cache. Facets, the total count and single-row
/// details come from the same worker. Every answer carries the generation of the query that
/// asked; answers for an older generation are dropped.
///
/// Lives on the GUI thread. Owns its worker thread.
class TaskResultModel final : public QAbstractTableModel
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(TaskResultModel)
public:
    enum Column {
        StatusColumn,
        TaskNameColumn,
        TaskIdColumn,
        WorkerColumn,
        PeriodicTaskColumn,
        DateDoneColumn,
        DateCreatedColumn,
        DateStartedColumn,
        RuntimeColumn,
        ArgsColumn,
        ResultColumn,
        ColumnCount
    };
    enum Role {
        RawValueRole = Qt::UserRole, ///< sortable raw value (QDateTime, qint64 ms, QString)
        TaskResultRole,              ///< the whole (summary) TaskResult as QVariant
        RowIdRole,                   ///< the store's key (qint64)
        TaskIdRole,                  ///< Celery task id (QString)
        LoadedRole,                  ///< bool: false while the row's page is loading
    };

    explicit TaskResultModel(QObject *parent = nullptr);
    ~TaskResultModel() override;

    /// Opens a store made by the factory on the worker thread; emits opened() or failed().
    void setStoreFactory(StoreFactory factory);
    void close();
    bool isOpen() const { return m_open; }
    const StoreInfo &storeInfo() const { return m_info; }
    /// False while rowCount() is provisional: the first page of a new query is shown as soon
    /// as it arrives, with page 0's size or the store's estimate as the row count; the exact
    /// count then inserts or removes rows (never a reset), and countChanged() follows.
    bool isCountExact() const { return !m_countProvisional; }
    /// True while the rows shown are a search's quick matches (task ids starting with the
    /// term, found by an index at once): the full first page replaces them when it arrives,
    /// inserting the other matches around them (no reset when they are all in it).
    bool isShowingQuickMatches() const { return m_quickShown; }

    void setQuery(const TaskQuery &query);
    const TaskQuery &query() const { return m_query; }
    /// Re-reads count, facets and the cached pages, keeping rows in place where possible.
    void refresh();

    /// The store is still reading its index in the background (a CouchDB database being
    /// indexed): rows shown so far are partial. The model then refreshes itself every
    /// loadingRefreshMs, and once more when loading is complete.
    bool isLoading() const { return m_loading; }
    /// Documents the store has indexed so far; -1 when the store keeps no index.
    qint64 loadedCount() const { return m_loadedCount; }
    static constexpr int loadingRefreshMs = 250;

    /// Which field a column shows (Field::FieldCount for Runtime).
    static Field columnField(int column);
    /// False when the open store's schema lacks the column's field.
    bool isColumnAvailable(int column) const;

    /// Asks for the complete row; answers with detailReady() or detailFailed().
    void requestDetail(qint64 rowId);
    /// The summary row when its page is cached, else nullptr.
    const TaskResult *cachedRow(int row) const;
    /// Row number of a cached row id, or -1.
    int rowOfRowId(qint64 rowId) const;

    /// Dates as UTC instead of local time (display only).
    void setShowUtc(bool utc);
    bool showUtc() const { return m_showUtc; }

    int rowCount(const QModelIndex &parent = {}) const override;
    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;
    void sort(int column, Qt::SortOrder order) override;

    static constexpr int pageSize = 200;
    static constexpr int maxCachedPages = 64;

Q_SIGNALS:
    void opened(const StoreInfo &info);
    /// Opening failed, or a count/facets/page request of the current query did (an
    /// interrupted, superseded request is never reported).
    void failed(const StoreError &error);
    /// The total for the current query (exact). totalRows is the unfiltered total.
    void countChanged(qint64 matching, qint64 totalRows);
    /// A fast estimate of the current query's total, sent before countChanged() when the
    /// store has one (SQLite, unfiltered: the rowid span). Until countChanged() the row count
    /// is provisional (see isCountExact()).
    void countEstimated(qint64 matching);
    /// A search's quick matches are shown (see isShowingQuickMatches()): `rows` task ids start
    /// with the term; the full search is still running.
    void quickMatchesShown(int rows);
    void facetsChanged(const Facets &facets);
    void detailReady(const TaskResult &row);
    void detailFailed(qint64 rowId, const StoreError &error);
    /// True while any request of the current generation is outstanding.
    void busyChanged(bool busy);
    /// Background loading started, progressed (loaded documents so far) or ended
    /// (loading = false: the counts now cover the whole store). For "loading… N documents".
    void loadingChanged(bool loading, qint64 loaded);
    /// The store's info changed after opened() (a store indexing in the background learns
    /// its fields, groups and foreign documents as it reads); storeInfo() has it.
    void storeInfoChanged(const StoreInfo &info);

private:
    // Implementation detail (see taskresultmodel.cpp).
    struct Page {
        QVector<TaskResult> rows;
        QStringList argsPreviews;   ///< decoded one-line args (+ kwargs), per row
        QStringList resultPreviews; ///< decoded one-line result, per row
        quint64 lastUse = 0;
    };

    void requestPage(int page) const;
    void onOpened(quint64 generation, const StoreInfo &info);
    void onOpenFailed(quint64 generation, const StoreError &error);
    void onCount(quint64 generation, qint64 matching, qint64 total);
    void onQuickPage(quint64 generation, const QVector<TaskResult> &rows, const QStringList &argsPreviews,
                     const QStringList &resultPreviews);
    /// Page 0 of the current search after its quick matches: inserts the rows around them.
    /// False (nothing changed) when a quick row is not in the page.
    bool mergeIntoQuickMatches(Page &&page, int rowCount);
    void onEstimate(quint64 generation, qint64 matching);
    void resizeRows(int rows);
    void onFacets(quint64 generation, const Facets &facets);
    void onLoadProgress(quint64 generation, bool loading, qint64 loaded);
    void setLoading(bool loading, qint64 loaded);
    void onPage(quint64 generation, int page, const QVector<TaskResult> &rows,
                const QStringList &argsPreviews, const QStringList &resultPreviews);
    void onPageFailed(quint64 generation, int page, const StoreError &error);
    void onError(quint64 generation, const StoreError &error);
    void startGeneration(bool keepRows);
    quint64 nextGeneration();
    void insertPage(int page, Page &&data);
    void finishRequest();
    void updateBusy();
    void scheduleBusyUpdate() const;
    QVariant displayData(const Page &page, int index, int column) const;
    QVariant rawData(const TaskResult &row, int column) const;
    QVariant toolTipData(const TaskResult &row, int column) const;
    QString dateText(const QDateTime &date) const;

    QThread m_thread;
    QTimer m_loadingTimer;        ///< single shot: the next refresh while the store is loading
    bool m_loading = false;
    qint64 m_loadedCount = -1;
    StoreWorker *m_worker = nullptr;
    StoreInfo m_info;
    bool m_open = false;
    TaskQuery m_query;
    quint64 m_generation = 0;
    quint64 m_epoch = 0;          ///< bumped when the store changes; details carry it
    int m_rowCount = 0;
    bool m_showUtc = false;
    bool m_resetPending = false;  ///< the current generation's count replaces every row
    bool m_quickShown = false;    ///< page 0 holds quick matches until the real page 0 comes
    bool m_countProvisional = false; ///< m_rowCount is page 0's size or an estimate
    qint64 m_estimate = -1;          ///< the current generation's estimate; -1 = none
    bool m_busy = false;
    mutable int m_outstanding = 0; ///< requests of the current generation not answered yet
    QString m_dateFormat;

    mutable QHash<int, Page> m_pages;  ///< shown pages (bounded by maxCachedPages)
    QHash<int, Page> m_early;          ///< pages of a new query that came before its count
    mutable QSet<int> m_pending;       ///< pages asked for in the current generation
    mutable QSet<int> m_failedPages;   ///< not asked again until the next generation
    mutable quint64 m_useClock = 0;
};
