#pragma once

#include "purger.h"
#include "resultstore.h"
#include "storeworker.h"
#include "taskresult.h"

#include <QMainWindow>
#include <QPointer>

#include <utility>

class ConnectionBar;
class DeleteSelectedDialog;
class DetailPane;
class ErrorBanner;
class FailuresPanel;
class GroupsPanel;
class FilterPanel;
class HistoryPanel;
class QAction;
class QDockWidget;
class QLabel;
class QLineEdit;
class QMenu;
class QProgressBar;
class QPushButton;
class QTabWidget;
class RuntimesPanel;
class QTimer;
class ResultTableView;
class TaskResultModel;
struct FailureGroup;
struct SavedView;

/// The admin window: connection bar, filter panel, search box, results table, detail pane,
/// deletion dialogs, error banner and status bar, wired to one TaskResultModel.
///
/// Never touches a database itself: the model's worker thread reads, and deletes too
/// (PurgeJob, inside the dialogs, runs its batches there). GUI thread; a top-level window
/// (owned by whoever creates it).
class MainWindow final : public QMainWindow
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(MainWindow)
public:
    explicit MainWindow(QWidget *parent = nullptr);
    ~MainWindow() override;

    /// Opens url; the read-only switch is the one remembered for it, or on when forceReadOnly.
    void openUrl(const QString &url, bool forceReadOnly = false);
    /// Opens the stores factory makes, named `name` where a URL is shown: a store no URL
    /// reaches (the window's tests inject slow or failing stores this way).
    void openStore(const QString &name, StoreFactory factory);
    QString url() const { return m_url; }
    bool isReadOnly() const;

    TaskResultModel *model() const { return m_model; }
    ResultTableView *table() const { return m_table; }

    /// The current search, ticked filters, date range, sort and hidden columns, named.
    SavedView currentView(const QString &name) const;
    /// Saves currentView(name) for this connection (replacing a view of that name).
    void saveCurrentView(const QString &name);
    /// Puts view's search, filters, date range, sort and hidden columns in place and runs it.
    void applyView(const SavedView &view);
    /// The `stalk list` command line that prints what the table shows: the URL without its
    /// password, the filters and search (QueryCommand), the shown columns as --fields.
    QString commandLine() const;

    /// How often auto-refresh re-reads (default autoRefreshMs).
    void setAutoRefreshInterval(int ms);

    /// The debounce of the search box, in milliseconds.
    static constexpr int searchDelayMs = 250;
    static constexpr int autoRefreshMs = 5000;

protected:
    void closeEvent(QCloseEvent *event) override;

private:
    void createCentralArea();
    void createTimers();
    void createActions();
    void createMenus();
    void createToolBar();
    void createDocks();
    void createStatusBar();
    void connectTimersAndFilters();
    void connectModel();
    void connectViews();
    void restoreSettings();

    /// openUrl() and openStore(): factory, when set, makes the stores instead of url's opener.
    void openWith(const QString &url, bool forceReadOnly, StoreFactory factory);
    void reopen();
    void applyQuery();
    /// The search box, the filter panel and the exception filter written into `query`.
    void applyFiltersTo(TaskQuery *query) const;
    /// Sets (or with an empty list, removes) the exception filter and its status bar button.
    void setExceptionFilter(const ExceptionFilter &filter);
    void refresh(bool automatic);
    void updateActions();
    void updateTitle();
    /// From the model's countState(), the selection and the counting delay.
    void updateCountLabel();
    /// "Opening URL…" in the status bar, with what the store waits on when it says.
    void showOpeningNote();
    /// "All 40 on this page are selected. Select all 1,000 matching": shown while every row in
    /// view (and more than one) is selected but not every matching result.
    void updateSelectAllOffer();
    void updateNote();
    void setBusy(bool busy);

    void onOpened(const StoreInfo &info);
    void onFailed(const StoreError &error);
    /// The server rejected m_url's login and nothing supplied a password: the PasswordDialog
    /// (unless one is already open); false when none was opened.
    bool askForPassword(const StoreError &error);
    /// Before the first PasswordDialog for m_url: a password stored in the keyring is used
    /// silently; none, or no keyring (said in the status bar), asks.
    void readKeyringOrAsk(const StoreError &error);
    /// After a login the server accepted: the password the dialog asked to remember goes to the keyring.
    void storePendingInKeyring();
    /// File → Forget Stored Password: removes m_url's password from the keyring.
    void forgetStoredPassword();
    /// PasswordKeyring::keyFor() of m_url; empty for SQLite or an unreadable URL.
    QString keyringKey() const;
    void onCurrentRowChanged();
    /// The Details dock shows what the tab shown points at: the table's current row, the
    /// selected failure group's latest result (FailuresPanel::currentSample()), or a note.
    void showDetailOfTab();
    /// The Groups tab's part of showDetailOfTab(): the selected member's complete row, or why
    /// there is none.
    void showDetailOfGroupMember();
    /// Asks the store which saved groups list the task the Details dock shows, for its links.
    void askSavedGroupsOfDetail();
    /// The Details dock's task link (a parent, a child): that task's complete row.
    void showTaskById(const QString &taskId);
    void onDetailReady(const TaskResult &row);
    void onDeletionFinished(const PurgeSummary &summary);
    void onReadOnlyToggled(bool readOnly);

    void showContextMenu(const QPoint &pos);
    void copyCell();
    void copyTaskId();
    void copyRowsAsJson();
    /// File → Export…: the matching results or the selection, to a file (ExportDialog).
    void exportResults();
    /// File → New Window: another window, with its own model, worker and connection.
    void newWindow();
    /// File → Stalk Index on the Server…: the CouchIndexDialog for the open CouchDB database.
    void showCouchIndex();
    /// m_url names a CouchDB database (the Stalk index action is shown for it only).
    bool isCouchDb() const;
    void copyAsCommand();
    void rebuildSavedViewsMenu();
    void saveCurrentViewAs();
    void deleteExpired();
    void deleteSelected();
    void showDeleteSelectedDialog(DeleteSelectedDialog *dialog);
    /// Every result matching the query is selected, loaded or not (Select All, on an exact
    /// count): Export and Delete Selected then act on the query, not on row ids.
    bool selectsAllMatching() const;
    void filterBy(Field field, const QString &value);
    /// The Failures view's Show in Table: the table filtered to the group (failureGroupQuery()).
    void showFailureGroup(const FailureGroup &group);
    /// The Failures view's Delete… and Export…: the results Show in Table lists, counted and
    /// confirmed (DeleteSelectedDialog by query) or written (ExportDialog).
    void deleteFailureGroup(const FailureGroup &group);
    void exportFailureGroup(const FailureGroup &group);
    /// File → Export… and the Failures view's Export…: ExportDialog over `query` (see its
    /// constructor for the rest), its summary in the status bar.
    void openExportDialog(const TaskQuery &query, qint64 matching, const QVector<qint64> &ids, qint64 selected);
    /// What Copy Row as JSON writes for a row, and with which fields: the complete row when the
    /// detail pane has it (then exactly what `stalk show` prints); else the page row, without
    /// the traceback and meta it does not carry and with a problem saying it is a preview.
    std::pair<TaskResult, QVector<Field>> rowForJson(const TaskResult &row) const;
    void saveSettings();

    TaskResultModel *m_model = nullptr;
    ConnectionBar *m_connectionBar = nullptr;
    ResultTableView *m_table = nullptr;
    FilterPanel *m_filterPanel = nullptr;
    HistoryPanel *m_history = nullptr;
    QTabWidget *m_tabs = nullptr; ///< the results table, the failures, the runtimes
    FailuresPanel *m_failures = nullptr;
    RuntimesPanel *m_runtimes = nullptr;
    GroupsPanel *m_groups = nullptr;
    RequestId m_savedGroupsRequest = 0; ///< askSavedGroupsOfDetail()'s answer on its way
    RequestId m_taskByIdRequest = 0;    ///< showTaskById()'s answer on its way
    DetailPane *m_detailPane = nullptr;
    ErrorBanner *m_banner = nullptr;
    QDockWidget *m_filterDock = nullptr;
    QDockWidget *m_detailDock = nullptr;
    QLineEdit *m_searchBox = nullptr;
    QLabel *m_countLabel = nullptr;
    QLabel *m_selectAllOffer = nullptr;
    /// The exception filter Show in Table sets (TaskQuery::exceptions): the filter panel has
    /// no facet for it, so it lives here and shows as a button that removes it.
    ExceptionFilter m_exceptionFilter;
    QPushButton *m_exceptionButton = nullptr;
    QLabel *m_databaseLabel = nullptr;
    QLabel *m_noteLabel = nullptr;
    QLabel *m_noteIcon = nullptr;
    QProgressBar *m_busyBar = nullptr;
    QTimer *m_searchTimer = nullptr;
    QTimer *m_filterTimer = nullptr;
    QTimer *m_autoRefreshTimer = nullptr;
    QTimer *m_busyDelay = nullptr;
    /// While a store opens: shows what it waits on (TaskResultModel::openingNote()).
    QTimer *m_openingTimer = nullptr;
    QTimer *m_countingDelay = nullptr; ///< a quick count never flashes "counting results…"
    QMenu *m_viewMenu = nullptr;

    QAction *m_newWindowAction = nullptr;
    QAction *m_openAction = nullptr;
    QAction *m_forgetPasswordAction = nullptr;
    QAction *m_exportAction = nullptr;
    QAction *m_couchIndexAction = nullptr;
    QAction *m_closeWindowAction = nullptr;
    QAction *m_quitAction = nullptr;
    QAction *m_refreshAction = nullptr;
    QAction *m_autoRefreshAction = nullptr;
    QAction *m_deleteExpiredAction = nullptr;
    QAction *m_deleteSelectedAction = nullptr;
    QAction *m_copyAction = nullptr;
    QAction *m_copyTaskIdAction = nullptr;
    QAction *m_copyJsonAction = nullptr;
    QAction *m_selectAllAction = nullptr;
    QAction *m_findAction = nullptr;
    QAction *m_copyCommandAction = nullptr;
    QAction *m_saveViewAction = nullptr;
    QMenu *m_savedViewsMenu = nullptr;
    QPointer<QMenu> m_deleteViewMenu; ///< Saved Views → Delete Saved View, rebuilt with the menu
    QAction *m_utcAction = nullptr;
    QAction *m_historyAction = nullptr;
    QAction *m_failuresAction = nullptr;
    QAction *m_runtimesAction = nullptr;
    QAction *m_groupsAction = nullptr;
    QAction *m_clearFiltersAction = nullptr;
    QAction *m_aboutAction = nullptr;

    QString m_url;
    StoreFactory m_injectedFactory; ///< openStore()'s, used by reopen(); empty for a URL
    QString m_password; ///< typed into the PasswordDialog for m_url; memory only, never saved
    /// The keyring for m_url (reset with m_password): whether it was read before asking,
    /// whether m_password came from it, whether the one stored there was rejected, and the
    /// password to store there once the server accepts it (memory only until then).
    bool m_keyringRead = false;
    bool m_passwordFromKeyring = false;
    bool m_keyringRejected = false;
    QString m_keyringNote; ///< for the next PasswordDialog: why the keyring did not answer
    bool m_keyringAvailable = true;
    QString m_keyringPending;
    bool m_readOnly = false;
    bool m_opened = false;
    bool m_selectFirstRow = false;
    bool m_busy = false;
    StoreInfo m_info;
    qint64 m_currentRowId = -1;
    TaskResult m_currentDetail;
    QString m_lastError;
    QString m_openingNote; ///< the one the status bar shows
};
