#include "mainwindow.h"

#include <QAction>
#include <QActionGroup>
#include <QApplication>
#include <QClipboard>
#include <QCloseEvent>
#include <QDockWidget>
#include <QHeaderView>
#include <QInputDialog>
#include <QLabel>
#include <QLineEdit>
#include <QLocale>
#include <QMenu>
#include <QMenuBar>
#include <QMessageBox>
#include <QProgressBar>
#include <QPushButton>
#include <QScreen>
#include <QSettings>
#include <QStatusBar>
#include <QStyle>
#include <QTabWidget>
#include <QTimer>
#include <QToolBar>
#include <QVBoxLayout>

#include "columnsmenu.h"
#include "connectionbar.h"
#include "couchindexdialog.h"
#include "deleteselecteddialog.h"
#include "deletionwidgets.h"
#include "detailpane.h"
#include "displaytext.h"
#include "errorbanner.h"
#include "exportdialog.h"
#include "failurespanel.h"
#include "groupspanel.h"
#include "passworddialog.h"
#include "passwordkeyring.h"
#include "filterpanel.h"
#include "historychart.h"
#include "purgedialog.h"
#include "querycommand.h"
#include "resulttableview.h"
#include "runtimespanel.h"
#include "savedviews.h"
#include "storeopener.h"
#include "storeurl.h"
#include "taskresultjson.h"
#include "taskresultmodel.h"

namespace {

QIcon themed(const char *name, QStyle::StandardPixmap fallback)
{
    return QIcon::fromTheme(QString::fromLatin1(name), qApp->style()->standardIcon(fallback));
}

bool isRetryable(const StoreError &error)
{
    switch (error.code) {
    case StoreError::Code::InvalidUrl:
    case StoreError::Code::NotCelery:
    case StoreError::Code::Unsupported:
        return false;
    default:
        return true;
    }
}

} // namespace

MainWindow::MainWindow(QWidget *parent) : QMainWindow(parent)
{
    setObjectName(QStringLiteral("mainWindow"));
    m_model = new TaskResultModel(this);

    createCentralArea();
    createTimers();
    createActions();
    createDocks();
    createToolBar();
    createMenus();
    createStatusBar();

    connectTimersAndFilters();
    connectModel();
    connectViews();
    restoreSettings();

    updateTitle();
    updateActions();
    updateCountLabel();
}

/// The error banner and the history chart above the tabs: the results table, the failures
/// and the runtimes (views of the same filters, so the filter dock stays beside all three).
void MainWindow::createCentralArea()
{
    auto *central = new QWidget(this);
    auto *layout = new QVBoxLayout(central);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->setSpacing(0);
    m_banner = new ErrorBanner(central);
    m_banner->setObjectName(QStringLiteral("errorBanner"));
    m_banner->hide();
    m_history = new HistoryPanel(m_model, central);
    m_history->setObjectName(QStringLiteral("historyPanel"));
    m_history->hide(); // View → History Chart shows it (restoreSettings())
    m_table = new ResultTableView(central);
    m_table->setResultModel(m_model);
    m_failures = new FailuresPanel(m_model, central);
    m_failures->setObjectName(QStringLiteral("failuresPanel"));
    m_runtimes = new RuntimesPanel(m_model, central);
    m_runtimes->setObjectName(QStringLiteral("runtimesPanel"));
    m_groups = new GroupsPanel(m_model, central);
    m_groups->setObjectName(QStringLiteral("groupsPanel"));
    m_tabs = new QTabWidget(central);
    m_tabs->setObjectName(QStringLiteral("viewTabs"));
    m_tabs->setDocumentMode(true);
    m_tabs->addTab(m_table, tr("Results"));
    m_tabs->addTab(m_failures, tr("Failures"));
    m_tabs->addTab(m_runtimes, tr("Runtimes"));
    m_tabs->addTab(m_groups, tr("Groups"));
    layout->addWidget(m_banner);
    layout->addWidget(m_history);
    layout->addWidget(m_tabs, 1);
    setCentralWidget(central);
}

/// The search and filter delays, auto-refresh, and the busy and counting delays.
void MainWindow::createTimers()
{
    m_searchTimer = new QTimer(this);
    m_searchTimer->setSingleShot(true);
    m_searchTimer->setInterval(searchDelayMs);
    m_filterTimer = new QTimer(this);
    m_filterTimer->setSingleShot(true);
    m_filterTimer->setInterval(60);
    m_autoRefreshTimer = new QTimer(this);
    m_autoRefreshTimer->setInterval(autoRefreshMs);
    m_busyDelay = new QTimer(this);
    m_busyDelay->setSingleShot(true);
    m_busyDelay->setInterval(150);
    m_countingDelay = new QTimer(this);
    m_countingDelay->setSingleShot(true);
    m_countingDelay->setInterval(150);
    m_openingTimer = new QTimer(this);
    m_openingTimer->setInterval(500);
}

void MainWindow::connectTimersAndFilters()
{
    connect(m_searchTimer, &QTimer::timeout, this, &MainWindow::applyQuery);
    connect(m_filterTimer, &QTimer::timeout, this, &MainWindow::applyQuery);
    connect(m_autoRefreshTimer, &QTimer::timeout, this, [this] { refresh(true); });
    connect(m_busyDelay, &QTimer::timeout, this, [this] { m_busyBar->setVisible(true); });
    connect(m_countingDelay, &QTimer::timeout, this, &MainWindow::updateCountLabel);
    connect(m_openingTimer, &QTimer::timeout, this, &MainWindow::showOpeningNote);
    connect(m_searchBox, &QLineEdit::textChanged, this, [this] { m_searchTimer->start(); });
    connect(m_filterPanel, &FilterPanel::filtersChanged, this, [this] {
        m_filterTimer->start();
        updateActions();
    });
    connect(m_history, &HistoryPanel::rangeSelected, this, [this](const QDateTime &from, const QDateTime &to) {
        m_filterPanel->setDateRange(FilterPanel::DateRange::Custom, from, to);
        m_filterDock->show();
    });
}

/// The model's answers: opened, failed, counts, facets, details, busy.
void MainWindow::connectModel()
{
    connect(m_model, &TaskResultModel::opened, this, &MainWindow::onOpened);
    connect(m_model, &TaskResultModel::failed, this, &MainWindow::onFailed);
    // A huge table shows the store's cheap estimate at once; the exact count replaces it.
    connect(m_model, &TaskResultModel::countStateChanged, this, &MainWindow::updateCountLabel);
    connect(m_model, &TaskResultModel::countChanged, this, [this](qint64 matching) {
        // A freshly opened database shows its newest result in the detail pane.
        if (m_selectFirstRow && matching > 0 && !m_table->currentIndex().isValid())
            m_table->selectRow(0);
        m_selectFirstRow = false;
    });
    // A store that loads in the background learns more about itself as it goes (CouchDB
    // counts foreign documents last): keep the note and the detail pane current.
    connect(m_model, &TaskResultModel::storeInfoChanged, this, [this](const StoreInfo &info) {
        if (!m_opened)
            return;
        m_info = info;
        m_detailPane->setStoreInfo(info);
        updateNote();
    });
    connect(m_model, &TaskResultModel::facetsChanged, m_filterPanel, &FilterPanel::setFacets);
    // A long scan (a rare word on a million rows) must not leave the last query's counts
    // looking current.
    connect(m_model, &TaskResultModel::facetsPendingChanged, m_filterPanel, &FilterPanel::setFacetsPending);
    connect(m_model, &TaskResultModel::detailReady, this, &MainWindow::onDetailReady);
    connect(m_model, &TaskResultModel::detailFailed, this,
            [this](qint64 rowId, const StoreError &error) {
                if (rowId == m_currentRowId)
                    m_detailPane->showError(error.message);
            });
    connect(m_model, &TaskResultModel::busyChanged, this, &MainWindow::setBusy);
    // A row's page arriving may complete the current row (its id was unknown until then).
    connect(m_model, &QAbstractItemModel::dataChanged, this, [this] {
        if (m_currentRowId < 0 && m_table->currentIndex().isValid())
            onCurrentRowChanged();
    });
    connect(m_model, &QAbstractItemModel::modelReset, this, [this] {
        if (!m_table->isPreserving())
            onCurrentRowChanged();
    });
}

/// The table, the connection bar, the banner and the detail pane.
void MainWindow::connectViews()
{
    connect(m_table->selectionModel(), &QItemSelectionModel::currentRowChanged, this,
            &MainWindow::onCurrentRowChanged);
    connect(m_table->selectionModel(), &QItemSelectionModel::selectionChanged, this, [this] {
        updateActions();
        updateCountLabel();
    });
    connect(m_table, &QWidget::customContextMenuRequested, this, &MainWindow::showContextMenu);
    // Typing in the table starts a search of every result, as Ctrl+F and the same keys do
    // (keys already on their way to the table follow the first one).
    connect(m_table, &ResultTableView::textTyped, this, [this](const QString &text) {
        if (!m_searchBox->hasFocus())
            m_findAction->trigger();
        m_searchBox->insert(text);
    });
    connect(m_table, &QAbstractItemView::activated, this, [this] {
        m_detailDock->show();
        m_detailDock->raise();
    });

    connect(m_connectionBar, &ConnectionBar::openRequested, this,
            [this](const QString &url) { openUrl(url); });
    connect(m_connectionBar, &ConnectionBar::readOnlyToggled, this, &MainWindow::onReadOnlyToggled);
    connect(m_banner, &ErrorBanner::retryRequested, this, &MainWindow::reopen);
    connect(m_detailPane, &DetailPane::filterRequested, this, &MainWindow::filterBy);
    connect(m_failures, &FailuresPanel::showInTableRequested, this, &MainWindow::showFailureGroup);
    connect(m_failures, &FailuresPanel::deleteRequested, this, &MainWindow::deleteFailureGroup);
    connect(m_failures, &FailuresPanel::exportRequested, this, &MainWindow::exportFailureGroup);
    connect(m_tabs, &QTabWidget::currentChanged, this, [this](int tab) {
        m_failuresAction->setChecked(tab == m_tabs->indexOf(m_failures));
        m_runtimesAction->setChecked(tab == m_tabs->indexOf(m_runtimes));
        m_groupsAction->setChecked(tab == m_tabs->indexOf(m_groups));
        QSettings().setValue(QStringLiteral("view/tab"), tab);
        updateSelectAllOffer();
        showDetailOfTab();
    });
    connect(m_failures, &FailuresPanel::sampleChanged, this, [this] {
        if (m_tabs->currentWidget() == m_failures)
            showDetailOfTab();
    });
    connect(m_groups, &GroupsPanel::currentMemberChanged, this, [this] {
        if (m_tabs->currentWidget() == m_groups)
            showDetailOfTab();
    });
    connect(m_detailPane, &DetailPane::valuesShown, this, &MainWindow::askSavedGroupsOfDetail);
    connect(m_detailPane, &DetailPane::taskRequested, this, &MainWindow::showTaskById);
    connect(m_detailPane, &DetailPane::groupRequested, this, [this](const QString &taskId, const QString &groupId) {
        m_groups->showGroupsOf(taskId, groupId);
        m_tabs->setCurrentWidget(m_groups);
    });
    connect(m_groups, &GroupsPanel::memberActivated, this, [this] {
        m_detailDock->show();
        m_detailDock->raise();
    });
}

/// The window's size (a share of the screen), then the saved geometry, dock state, columns and UTC choice.
void MainWindow::restoreSettings()
{
    if (const QScreen *screen = QGuiApplication::primaryScreen()) {
        const QSize available = screen->availableGeometry().size();
        resize(qMin(1600, available.width() * 9 / 10), qMin(1000, available.height() * 9 / 10));
    } else {
        resize(1400, 860);
    }
    QSettings settings;
    restoreGeometry(settings.value(QStringLiteral("window/geometry")).toByteArray());
    restoreState(settings.value(QStringLiteral("window/state")).toByteArray());
    m_table->restoreLayout(settings);
    m_utcAction->setChecked(settings.value(QStringLiteral("view/utc"), false).toBool());
    m_historyAction->setChecked(settings.value(QStringLiteral("view/historyChart"), true).toBool());
    m_tabs->setCurrentIndex(settings.value(QStringLiteral("view/tab"), 0).toInt());
}

MainWindow::~MainWindow()
{
    // Stop answers arriving into half-destroyed children.
    m_model->disconnect(this);
}

// ---------------------------------------------------------------------------------------
// Construction

void MainWindow::createActions()
{
    // Table-scoped shortcuts (Qt::WidgetWithChildrenShortcut) act only while the table has focus.
    auto make = [this](const QString &text, const char *objectName, const QKeySequence &shortcut = {},
                       Qt::ShortcutContext context = Qt::WindowShortcut) {
        auto *action = new QAction(text, this);
        action->setObjectName(QString::fromLatin1(objectName));
        if (!shortcut.isEmpty())
            action->setShortcut(shortcut);
        action->setShortcutContext(context);
        return action;
    };
    constexpr Qt::ShortcutContext table = Qt::WidgetWithChildrenShortcut;

    m_newWindowAction = make(tr("&New Window"), "newWindowAction", QKeySequence::New);
    m_newWindowAction->setIcon(themed("window-new", QStyle::SP_FileDialogNewFolder));
    m_newWindowAction->setToolTip(tr("Open another database in a window of its own (Ctrl+N)"));
    connect(m_newWindowAction, &QAction::triggered, this, &MainWindow::newWindow);

    m_exportAction = make(tr("&Export…"), "exportAction", QKeySequence(Qt::CTRL | Qt::Key_E));
    m_exportAction->setIcon(themed("document-save-as", QStyle::SP_DialogSaveButton));
    m_exportAction->setToolTip(tr("Write the matching or the selected results to a CSV, JSON or JSON Lines file (Ctrl+E)"));
    connect(m_exportAction, &QAction::triggered, this, &MainWindow::exportResults);

    m_couchIndexAction = make(tr("Stalk &Index on the Server…"), "couchIndexAction");
    m_couchIndexAction->setToolTip(tr("Show, create or remove the Stalk index (_design/stalk) of this CouchDB database"));
    connect(m_couchIndexAction, &QAction::triggered, this, &MainWindow::showCouchIndex);

    m_forgetPasswordAction = make(tr("&Forget Stored Password"), "forgetPasswordAction");
    m_forgetPasswordAction->setToolTip(tr("Remove this connection's password from the system keyring"));
    connect(m_forgetPasswordAction, &QAction::triggered, this, &MainWindow::forgetStoredPassword);

    m_openAction = make(tr("&Open Database…"), "openAction");
    m_openAction->setShortcuts({QKeySequence::Open, QKeySequence(Qt::CTRL | Qt::Key_L)});
    m_openAction->setIcon(themed("document-open", QStyle::SP_DialogOpenButton));
    m_openAction->setToolTip(tr("Type a database URL to open (Ctrl+L)"));
    connect(m_openAction, &QAction::triggered, this, [this] { m_connectionBar->focusUrl(); });

    m_quitAction = make(tr("&Quit"), "quitAction", QKeySequence::Quit);
    m_quitAction->setMenuRole(QAction::QuitRole);
    // Every window closes (each saves its settings); the last one ends the program.
    connect(m_quitAction, &QAction::triggered, qApp, &QApplication::closeAllWindows, Qt::QueuedConnection);

    m_closeWindowAction = make(tr("&Close Window"), "closeWindowAction", QKeySequence::Close);
    connect(m_closeWindowAction, &QAction::triggered, this, &QWidget::close);

    m_refreshAction = make(tr("&Refresh"), "refreshAction", QKeySequence::Refresh);
    m_refreshAction->setIcon(themed("view-refresh", QStyle::SP_BrowserReload));
    m_refreshAction->setToolTip(tr("Read the results again (F5)"));
    connect(m_refreshAction, &QAction::triggered, this, [this] { refresh(false); });

    m_autoRefreshAction = make(tr("&Auto-refresh"), "autoRefreshAction", QKeySequence(Qt::SHIFT | Qt::Key_F5));
    m_autoRefreshAction->setCheckable(true);
    m_autoRefreshAction->setIcon(themed("media-playlist-repeat", QStyle::SP_BrowserReload));
    m_autoRefreshAction->setToolTip(
        tr("Show new results every %1 seconds without moving the selection (Shift+F5)")
            .arg(autoRefreshMs / 1000));
    connect(m_autoRefreshAction, &QAction::toggled, this, [this](bool on) {
        if (on)
            m_autoRefreshTimer->start();
        else
            m_autoRefreshTimer->stop();
        statusBar()->showMessage(on ? tr("Auto-refresh every %1 s").arg(autoRefreshMs / 1000)
                                    : tr("Auto-refresh off"),
                                 3000);
    });

    m_deleteExpiredAction = make(tr("Delete &Expired…"), "deleteExpiredAction",
                                 QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_Delete));
    m_deleteExpiredAction->setIcon(themed("edit-clear-history", QStyle::SP_DialogDiscardButton));
    connect(m_deleteExpiredAction, &QAction::triggered, this, &MainWindow::deleteExpired);

    m_deleteSelectedAction = make(tr("&Delete Selected…"), "deleteSelectedAction", QKeySequence::Delete, table);
    m_deleteSelectedAction->setIcon(themed("edit-delete", QStyle::SP_TrashIcon));
    connect(m_deleteSelectedAction, &QAction::triggered, this, &MainWindow::deleteSelected);

    m_copyAction = make(tr("&Copy"), "copyAction", QKeySequence::Copy, table);
    m_copyAction->setIcon(themed("edit-copy", QStyle::SP_FileIcon));
    m_copyAction->setToolTip(tr("Copy the current cell"));
    connect(m_copyAction, &QAction::triggered, this, &MainWindow::copyCell);

    m_copyTaskIdAction = make(tr("Copy Task &ID"), "copyTaskIdAction", QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_C), table);
    connect(m_copyTaskIdAction, &QAction::triggered, this, &MainWindow::copyTaskId);

    m_copyJsonAction = make(tr("Copy Row as &JSON"), "copyJsonAction", QKeySequence(Qt::CTRL | Qt::ALT | Qt::Key_C), table);
    connect(m_copyJsonAction, &QAction::triggered, this, &MainWindow::copyRowsAsJson);

    m_selectAllAction = make(tr("Select &All"), "selectAllAction", QKeySequence::SelectAll, table);
    connect(m_selectAllAction, &QAction::triggered, m_table, &QTableView::selectAll);

    m_copyCommandAction = make(tr("Copy as Co&mmand"), "copyCommandAction");
    m_copyCommandAction->setToolTip(tr("Copy the stalk list command line that prints these results: "
                                       "the filters, the search and the shown columns"));
    connect(m_copyCommandAction, &QAction::triggered, this, &MainWindow::copyAsCommand);

    m_saveViewAction = make(tr("&Save Current View…"), "saveViewAction", QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_S));
    m_saveViewAction->setToolTip(tr("Name the search, filters, date range, sort and columns, to recall them "
                                    "from View → Saved Views"));
    connect(m_saveViewAction, &QAction::triggered, this, &MainWindow::saveCurrentViewAs);

    m_findAction = make(tr("&Find"), "findAction", QKeySequence::Find);
    connect(m_findAction, &QAction::triggered, this, [this] {
        m_searchBox->setFocus(Qt::ShortcutFocusReason);
        m_searchBox->selectAll();
    });

    m_utcAction = make(tr("Show Dates in &UTC"), "utcAction", QKeySequence(Qt::CTRL | Qt::Key_U));
    m_utcAction->setCheckable(true);
    m_utcAction->setToolTip(tr("Dates are shown in local time; tick to show UTC"));
    connect(m_utcAction, &QAction::toggled, this, [this](bool utc) {
        m_model->setShowUtc(utc);
        m_history->chart()->setShowUtc(utc);
        m_failures->setShowUtc(utc);
        QSettings().setValue(QStringLiteral("view/utc"), utc);
    });

    m_historyAction = make(tr("&History Chart"), "historyAction", QKeySequence(Qt::CTRL | Qt::Key_3));
    m_historyAction->setCheckable(true);
    m_historyAction->setToolTip(tr("Results per hour or day by status, with the failure rate, above the table (Ctrl+3)"));
    connect(m_historyAction, &QAction::toggled, this, [this](bool on) {
        m_history->setVisible(on);
        QSettings().setValue(QStringLiteral("view/historyChart"), on);
    });

    // View → Failures and Runtimes show their tab; unticked, the results table again.
    auto *tabActions = new QActionGroup(this);
    tabActions->setExclusionPolicy(QActionGroup::ExclusionPolicy::ExclusiveOptional);
    const auto tabAction = [&](QAction *action, QWidget *tab, const QString &tip) {
        action->setCheckable(true);
        action->setToolTip(tip);
        tabActions->addAction(action);
        connect(action, &QAction::toggled, this, [this, tab](bool on) {
            if (on)
                m_tabs->setCurrentWidget(tab);
            else if (m_tabs->currentWidget() == tab)
                m_tabs->setCurrentWidget(m_table);
        });
    };
    m_failuresAction = make(tr("&Failures"), "failuresAction", QKeySequence(Qt::CTRL | Qt::Key_4));
    tabAction(m_failuresAction, m_failures,
              tr("Failures grouped by task, exception and message, under the current filters (Ctrl+4)"));
    m_runtimesAction = make(tr("Ru&ntimes"), "runtimesAction", QKeySequence(Qt::CTRL | Qt::Key_5));
    tabAction(m_runtimesAction, m_runtimes, tr("Runtime percentiles per task name, under the current filters (Ctrl+5)"));
    m_groupsAction = make(tr("&Groups"), "groupsAction", QKeySequence(Qt::CTRL | Qt::Key_6));
    tabAction(m_groupsAction, m_groups, tr("Saved groups and their members' statuses, in the date range (Ctrl+6)"));

    m_clearFiltersAction = make(tr("C&lear Filters and Search"), "clearFiltersAction",
                                QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_L));
    m_clearFiltersAction->setIcon(themed("edit-clear", QStyle::SP_LineEditClearButton));
    connect(m_clearFiltersAction, &QAction::triggered, this, [this] {
        m_searchBox->clear();
        m_filterPanel->clearFilters();
        setExceptionFilter({});
        applyQuery();
    });

    m_aboutAction = make(tr("&About Stalk"), "aboutAction");
    m_aboutAction->setMenuRole(QAction::AboutRole);
    connect(m_aboutAction, &QAction::triggered, this, [this] {
        QMessageBox::about(
            this, tr("About Stalk"),
            tr("<h3>Stalk %1</h3><p>Browse, search and clean up Celery task results "
               "(django-celery-results, Celery's database backend, CouchDB).</p>")
                .arg(QCoreApplication::applicationVersion()));
    });

    // Table-scoped shortcuts: Del and Ctrl+C act on the table only when it has focus, so
    // they keep their usual meaning in the search box and the detail pane.
    m_table->addActions({m_copyAction, m_copyTaskIdAction, m_copyJsonAction,
                         m_deleteSelectedAction, m_selectAllAction});
}

void MainWindow::createDocks()
{
    auto addDock = [this](const QString &title, const QString &objectName, QWidget *widget,
                          const QKeySequence &toggle, Qt::DockWidgetArea area) {
        auto *dock = new QDockWidget(title, this);
        dock->setObjectName(objectName);
        dock->setWidget(widget);
        dock->setFeatures(QDockWidget::DockWidgetMovable | QDockWidget::DockWidgetClosable);
        dock->toggleViewAction()->setShortcut(toggle);
        addDockWidget(area, dock);
        return dock;
    };
    m_filterPanel = new FilterPanel(this);
    m_filterDock = addDock(tr("Filters"), QStringLiteral("filterDock"), m_filterPanel,
                           QKeySequence(Qt::CTRL | Qt::Key_1), Qt::LeftDockWidgetArea);
    m_detailPane = new DetailPane(this);
    m_detailPane->setObjectName(QStringLiteral("detailPane"));
    m_detailPane->setDecoder(m_model);
    m_detailDock = addDock(tr("Details"), QStringLiteral("detailDock"), m_detailPane,
                           QKeySequence(Qt::CTRL | Qt::Key_2), Qt::RightDockWidgetArea);
    resizeDocks({m_filterDock, m_detailDock}, {270, 460}, Qt::Horizontal);

    m_connectionBar = new ConnectionBar(this);
}

void MainWindow::createToolBar()
{
    QToolBar *connection = addToolBar(tr("Connection"));
    connection->setObjectName(QStringLiteral("connectionToolBar"));
    connection->setMovable(false);
    connection->addWidget(m_connectionBar);
    addToolBarBreak();

    QToolBar *tools = addToolBar(tr("Actions"));
    tools->setObjectName(QStringLiteral("mainToolBar"));
    tools->setMovable(false);
    tools->setToolButtonStyle(Qt::ToolButtonTextBesideIcon);
    tools->addAction(m_refreshAction);
    tools->addAction(m_autoRefreshAction);
    tools->addSeparator();
    tools->addAction(m_deleteExpiredAction);
    tools->addAction(m_deleteSelectedAction);

    auto *spacer = new QWidget(tools);
    spacer->setSizePolicy(QSizePolicy::Expanding, QSizePolicy::Preferred);
    tools->addWidget(spacer);

    m_searchBox = new QLineEdit(tools);
    m_searchBox->setObjectName(QStringLiteral("searchBox"));
    m_searchBox->setAccessibleName(tr("Search"));
    m_searchBox->setPlaceholderText(tr("Search task id, name, status, args, kwargs  (Ctrl+F)"));
    m_searchBox->setToolTip(
        tr("As the Django admin searches: every word must appear in the task id, name, status, "
           "args or kwargs; \"quoted phrases\" stay whole."));
    m_searchBox->setClearButtonEnabled(true);
    m_searchBox->addAction(themed("edit-find", QStyle::SP_FileDialogContentsView),
                           QLineEdit::LeadingPosition);
    // Never pushed into the toolbar's overflow menu: it shrinks before the actions do.
    m_searchBox->setMinimumWidth(180);
    m_searchBox->setMaximumWidth(520);
    m_searchBox->setSizePolicy(QSizePolicy::Expanding, QSizePolicy::Fixed);
    tools->addWidget(m_searchBox);
    // Escape in the search box clears it; Return jumps to the results.
    connect(m_searchBox, &QLineEdit::returnPressed, this, [this] {
        m_searchTimer->stop();
        applyQuery();
        m_table->setFocus(Qt::OtherFocusReason);
        if (!m_table->currentIndex().isValid() && m_model->rowCount() > 0)
            m_table->selectRow(0);
    });
}

void MainWindow::createMenus()
{
    QMenu *file = menuBar()->addMenu(tr("&File"));
    file->addAction(m_newWindowAction);
    file->addAction(m_openAction);
    file->addAction(m_forgetPasswordAction);
    file->addSeparator();
    file->addAction(m_exportAction);
    file->addAction(m_couchIndexAction);
    file->addSeparator();
    file->addAction(m_closeWindowAction);
    file->addAction(m_quitAction);

    QMenu *edit = menuBar()->addMenu(tr("&Edit"));
    edit->addAction(m_copyAction);
    edit->addAction(m_copyTaskIdAction);
    edit->addAction(m_copyJsonAction);
    edit->addAction(m_copyCommandAction);
    edit->addSeparator();
    edit->addAction(m_selectAllAction);
    edit->addAction(m_findAction);

    m_viewMenu = menuBar()->addMenu(tr("&View"));
    m_viewMenu->addAction(m_refreshAction);
    m_viewMenu->addAction(m_autoRefreshAction);
    m_viewMenu->addSeparator();
    m_viewMenu->addAction(m_utcAction);
    m_viewMenu->addMenu(m_table->columnsMenu());
    m_viewMenu->addSeparator();
    m_viewMenu->addAction(m_filterDock->toggleViewAction());
    m_viewMenu->addAction(m_detailDock->toggleViewAction());
    m_viewMenu->addAction(m_historyAction);
    m_viewMenu->addAction(m_failuresAction);
    m_viewMenu->addAction(m_runtimesAction);
    m_viewMenu->addAction(m_groupsAction);
    m_viewMenu->addAction(m_clearFiltersAction);
    m_viewMenu->addSeparator();
    m_savedViewsMenu = m_viewMenu->addMenu(tr("Saved &Views"));
    m_savedViewsMenu->setObjectName(QStringLiteral("savedViewsMenu"));
    connect(m_savedViewsMenu, &QMenu::aboutToShow, this, &MainWindow::rebuildSavedViewsMenu);
    rebuildSavedViewsMenu();

    QMenu *results = menuBar()->addMenu(tr("&Results"));
    results->addAction(m_deleteExpiredAction);
    results->addAction(m_deleteSelectedAction);

    QMenu *help = menuBar()->addMenu(tr("&Help"));
    help->addAction(m_aboutAction);
    help->addAction(tr("About &Qt"), qApp, &QApplication::aboutQt);
}

void MainWindow::createStatusBar()
{
    m_busyBar = new QProgressBar(this);
    m_busyBar->setObjectName(QStringLiteral("busyIndicator"));
    m_busyBar->setRange(0, 0);
    m_busyBar->setMaximumWidth(90);
    m_busyBar->setMaximumHeight(fontMetrics().height());
    m_busyBar->setTextVisible(false);
    m_busyBar->setAccessibleName(tr("Working"));
    m_busyBar->setVisible(false);

    m_noteIcon = new QLabel(this);
    const int iconSize = fontMetrics().height();
    m_noteIcon->setPixmap(style()->standardIcon(QStyle::SP_MessageBoxInformation)
                              .pixmap(iconSize, iconSize));
    m_noteIcon->setVisible(false);
    m_noteLabel = new QLabel(this);
    m_noteLabel->setObjectName(QStringLiteral("noteLabel"));
    m_noteLabel->setVisible(false);
    m_noteLabel->setTextFormat(Qt::PlainText);
    m_noteLabel->setMinimumWidth(80);
    m_noteLabel->setSizePolicy(QSizePolicy::Ignored, QSizePolicy::Preferred);

    m_countLabel = new QLabel(this);
    m_countLabel->setObjectName(QStringLiteral("countLabel"));
    m_countLabel->setTextFormat(Qt::PlainText);
    m_selectAllOffer = new QLabel(this);
    m_selectAllOffer->setObjectName(QStringLiteral("selectAllOffer"));
    m_selectAllOffer->setTextFormat(Qt::RichText);
    m_selectAllOffer->setVisible(false);
    // Select All's own path: the selection then stands for every matching result.
    connect(m_selectAllOffer, &QLabel::linkActivated, m_selectAllAction, &QAction::trigger);
    m_exceptionButton = new QPushButton(this);
    m_exceptionButton->setObjectName(QStringLiteral("exceptionFilterButton"));
    m_exceptionButton->setFlat(true);
    m_exceptionButton->setIcon(style()->standardIcon(QStyle::SP_LineEditClearButton));
    m_exceptionButton->setToolTip(tr("The table shows only results with this exception; click to remove the filter"));
    m_exceptionButton->setVisible(false);
    connect(m_exceptionButton, &QPushButton::clicked, this, [this] {
        setExceptionFilter({});
        applyQuery();
    });
    m_databaseLabel = new QLabel(this);
    m_databaseLabel->setObjectName(QStringLiteral("databaseLabel"));
    m_databaseLabel->setTextFormat(Qt::PlainText);


    statusBar()->addWidget(m_noteIcon);
    statusBar()->addWidget(m_noteLabel, 1);
    statusBar()->addPermanentWidget(m_busyBar);
    statusBar()->addPermanentWidget(m_exceptionButton);
    statusBar()->addPermanentWidget(m_selectAllOffer);
    statusBar()->addPermanentWidget(m_countLabel);
    statusBar()->addPermanentWidget(m_databaseLabel);
}

// ---------------------------------------------------------------------------------------
// Opening

bool MainWindow::isReadOnly() const
{
    return m_readOnly || m_info.readOnly;
}

void MainWindow::openUrl(const QString &url, bool forceReadOnly)
{
    openWith(url, forceReadOnly, {});
}

void MainWindow::openStore(const QString &name, StoreFactory factory)
{
    openWith(name, false, std::move(factory));
}

void MainWindow::openWith(const QString &url, bool forceReadOnly, StoreFactory factory)
{
    QString trimmed = url.trimmed();
    if (trimmed.isEmpty())
        return;
    m_injectedFactory = std::move(factory);
    // A password typed into the URL moves to this session's memory: the Database field, the
    // title and the recent connections show the URL without it.
    QString typedPassword;
    if (const Outcome<StoreUrl> parsed = StoreUrl::parse(trimmed); parsed.ok() && !parsed->password.isEmpty()) {
        typedPassword = parsed->password;
        trimmed = parsed->withoutPassword();
    } else if (!parsed.ok()) {
        trimmed = StoreUrl::withoutPassword(trimmed); // unreadable: whatever could be a password goes
    }
    if (trimmed != m_url) {
        m_password = StoreOpener::sessionPassword(trimmed);
        m_keyringRead = m_passwordFromKeyring = m_keyringRejected = false;
        m_keyringNote.clear();
        m_keyringAvailable = true;
        m_keyringPending.clear();
    }
    if (!typedPassword.isEmpty()) {
        m_password = typedPassword;
        m_passwordFromKeyring = false;
    }
    m_url = trimmed;
    m_readOnly = forceReadOnly || ConnectionBar::rememberedReadOnly(trimmed);
    if (forceReadOnly)
        ConnectionBar::setRememberedReadOnly(trimmed, true);
    m_connectionBar->setUrl(trimmed);
    m_connectionBar->setReadOnly(m_readOnly);

    // A new database starts unfiltered; the sort order stays.
    {
        const QSignalBlocker blockSearch(m_searchBox);
        const QSignalBlocker blockFilters(m_filterPanel);
        m_searchBox->clear();
        m_filterPanel->clearFilters();
        m_filterPanel->setFacets(Facets());
    }
    setExceptionFilter({});
    m_searchTimer->stop();
    m_filterTimer->stop();
    m_banner->dismiss();
    m_lastError.clear();
    m_currentRowId = -1;
    m_currentDetail = TaskResult();
    m_detailPane->clear();
    m_opened = false;
    m_info = StoreInfo();
    reopen();
}

void MainWindow::setAutoRefreshInterval(int ms)
{
    m_autoRefreshTimer->setInterval(ms);
}

void MainWindow::reopen()
{
    if (m_url.isEmpty())
        return;
    m_banner->dismiss();
    StoreOptions options;
    options.readOnly = m_readOnly;
    options.password = m_password;
    Outcome<StoreFactory> factory = m_injectedFactory ? Outcome<StoreFactory>(m_injectedFactory)
                                                      : StoreOpener(m_url, options).factory();
    if (!factory) {
        onFailed(factory.error());
        return;
    }
    m_opened = false;
    m_model->close();
    TaskQuery query = m_model->query();
    applyFiltersTo(&query);
    m_model->setQuery(query);
    m_model->setStoreFactory(*factory);
    setBusy(true);
    updateTitle();
    updateActions();
    m_openingNote.clear();
    showOpeningNote();
    m_openingTimer->start();
}

void MainWindow::showOpeningNote()
{
    const QString opening = tr("Opening %1…").arg(DisplayText::sentence(StoreUrl::withoutPassword(m_url)));
    const QString note = m_model->openingNote();
    // Shown again only when it changed: the status bar may hold a message of another action.
    if (note == m_openingNote && m_openingTimer->isActive())
        return;
    m_openingNote = note;
    statusBar()->showMessage(note.isEmpty() ? opening : tr("%1 — %2").arg(opening, DisplayText::sentence(note)));
}

void MainWindow::onOpened(const StoreInfo &info)
{
    m_openingTimer->stop();
    m_opened = true;
    m_selectFirstRow = true;
    m_info = info;
    m_banner->dismiss();
    m_lastError.clear();
    statusBar()->clearMessage();
    storePendingInKeyring();
    ConnectionBar::rememberConnection(m_url);
    m_connectionBar->reloadRecentConnections();
    m_table->applyColumnVisibility();
    m_filterPanel->setAvailableFields(info.fields);
    m_detailPane->setStoreInfo(info);
    updateTitle();
    updateNote();
    updateActions();
    updateCountLabel();
    if (!m_table->currentIndex().isValid())
        m_table->setFocus(Qt::OtherFocusReason);
}

void MainWindow::onFailed(const StoreError &error)
{
    m_openingTimer->stop();
    m_lastError = error.message;
    updateCountLabel();
    // The server rejected a URL with a user but no password: ask for one (a wrong typed
    // password is forgotten and shown in the banner; Retry asks again), after trying the keyring.
    bool asking = false;
    m_keyringPending.clear(); // only a password the server accepted is stored
    // Without m_password, unlike reopen(): a password the window already holds was just
    // rejected, so only the URL or STALK_PASSWORD can make asking pointless.
    const StoreOpener opener(m_url);
    if (!m_opened && opener.canAskForPassword(error)) {
        if (m_password.isEmpty() && !m_keyringRead) {
            readKeyringOrAsk(error);
            asking = true;
        } else if (m_password.isEmpty()) {
            asking = askForPassword(error);
        } else if (m_passwordFromKeyring) {
            m_password.clear();
            m_passwordFromKeyring = false;
            m_keyringRejected = true;
            m_keyringNote = tr("The password stored in the system keyring was rejected.");
            asking = askForPassword(error);
        } else {
            m_password.clear();
            StoreOpener::setSessionPassword(m_url, QString());
        }
    }
    if (!asking)
        m_banner->showMessage(error.message, isRetryable(error));
    m_table->endPreserve();
    setBusy(false);
    statusBar()->clearMessage();
    updateTitle();
    updateActions();
}

bool MainWindow::askForPassword(const StoreError &error)
{
    if (findChild<PasswordDialog *>(QStringLiteral("passwordDialog")) != nullptr)
        return false;
    auto *dialog = new PasswordDialog(StoreUrl::parse(m_url)->account(), error.message, this);
    dialog->setKeyringNote(m_keyringNote);
    dialog->setKeyringAvailable(m_keyringAvailable);
    dialog->setRememberInKeyring(m_keyringRejected); // opted in before: unticking forgets it
    const QString url = m_url;
    connect(dialog, &QDialog::finished, this, [this, dialog, url, error](int result) {
        dialog->deleteLater();
        if (url != m_url)
            return; // another database was opened meanwhile
        if (result == QDialog::Accepted && !dialog->password().isEmpty()) {
            m_password = dialog->password();
            if (dialog->rememberForSession())
                StoreOpener::setSessionPassword(url, m_password);
            if (dialog->rememberInKeyring())
                m_keyringPending = m_password;
            else if (std::exchange(m_keyringRejected, false))
                forgetStoredPassword();
            reopen();
        } else {
            m_banner->showMessage(error.message, isRetryable(error));
        }
    });
    dialog->open();
    return true;
}

void MainWindow::readKeyringOrAsk(const StoreError &error)
{
    m_keyringRead = true;
    const QString url = m_url;
    PasswordKeyring::read(keyringKey(), this, [this, url, error](const PasswordKeyring::Answer &answer) {
        if (url != m_url)
            return; // another database was opened meanwhile
        switch (answer.status) {
        case PasswordKeyring::Answer::Status::Done:
            m_password = answer.password;
            m_passwordFromKeyring = true;
            reopen();
            return;
        case PasswordKeyring::Answer::Status::NotFound:
            break;
        case PasswordKeyring::Answer::Status::Unavailable:
            m_keyringAvailable = false;
            m_keyringNote = tr("Passwords cannot be stored: %1; this one is kept in memory only.")
                                .arg(DisplayText::sentence(answer.message));
            statusBar()->showMessage(m_keyringNote);
            break;
        }
        if (!askForPassword(error))
            m_banner->showMessage(error.message, isRetryable(error));
    });
}

void MainWindow::storePendingInKeyring()
{
    if (m_keyringPending.isEmpty())
        return;
    const QString key = keyringKey();
    PasswordKeyring::write(key, m_keyringPending, this, [this, key](const PasswordKeyring::Answer &answer) {
        if (answer.status == PasswordKeyring::Answer::Status::Done) {
            m_keyringRejected = false;
            statusBar()->showMessage(tr("The password for %1 is stored in the system keyring.").arg(key), 8000);
        } else {
            statusBar()->showMessage(tr("Not stored: %1; the password is kept in memory only.")
                                         .arg(DisplayText::sentence(answer.message)));
        }
    });
    m_keyringPending.fill(u'\0');
    m_keyringPending.clear();
}

void MainWindow::forgetStoredPassword()
{
    const QString key = keyringKey();
    if (key.isEmpty())
        return;
    // Read first: the Secret Service removes a missing entry without a word.
    PasswordKeyring::read(key, this, [this, key](const PasswordKeyring::Answer &stored) {
        if (stored.status == PasswordKeyring::Answer::Status::NotFound) {
            statusBar()->showMessage(tr("The system keyring holds no password for %1.").arg(key), 8000);
            return;
        }
        PasswordKeyring::remove(key, this, [this, key](const PasswordKeyring::Answer &answer) {
            if (answer.status == PasswordKeyring::Answer::Status::Unavailable)
                statusBar()->showMessage(tr("Nothing removed: %1.").arg(DisplayText::sentence(answer.message)));
            else
                statusBar()->showMessage(tr("The password for %1 was removed from the system keyring.").arg(key), 8000);
        });
    });
}

QString MainWindow::keyringKey() const
{
    const Outcome<StoreUrl> url = StoreUrl::parse(m_url);
    return url ? PasswordKeyring::keyFor(*url) : QString();
}

void MainWindow::onReadOnlyToggled(bool readOnly)
{
    m_readOnly = readOnly;
    if (!m_url.isEmpty())
        ConnectionBar::setRememberedReadOnly(m_url, readOnly);
    updateTitle();
    updateActions();
    statusBar()->showMessage(readOnly ? tr("Read-only: deleting is disabled for this connection")
                                      : tr("Deleting is enabled for this connection"),
                             4000);
}

// ---------------------------------------------------------------------------------------
// Query, refresh, state

void MainWindow::applyQuery()
{
    m_searchTimer->stop();
    m_filterTimer->stop();
    TaskQuery query = m_model->query();
    applyFiltersTo(&query);
    if (query != m_model->query()) {
        m_countingDelay->start();
        m_model->setQuery(query);
    }
    updateActions();
}

void MainWindow::applyFiltersTo(TaskQuery *query) const
{
    query->search = m_searchBox->text();
    m_filterPanel->applyTo(query);
    query->exceptions = m_exceptionFilter.names;
    query->fingerprints = m_exceptionFilter.fingerprints;
}

void MainWindow::setExceptionFilter(const ExceptionFilter &filter)
{
    m_exceptionFilter = filter;
    QString text = filter.names.join(QStringLiteral(", "));
    if (!filter.fingerprints.isEmpty()) {
        QStringList messages;
        for (const QString &fingerprint : filter.fingerprints)
            messages << (fingerprint.isEmpty() ? tr("no message") : tr("“%1”").arg(fingerprint));
        text = text.isEmpty() ? messages.join(QStringLiteral(", "))
                              : tr("%1, %2").arg(text, messages.join(QStringLiteral(", ")));
    }
    // A message may be long: the button shows its start, the tooltip all of it.
    m_exceptionButton->setText(tr("Exception: %1").arg(DisplayText::elided(text, 80)));
    m_exceptionButton->setToolTip(
        tr("The table shows only results with this exception: %1. Click to remove the filter.").arg(text));
    m_exceptionButton->setVisible(!filter.isEmpty());
}

void MainWindow::refresh(bool automatic)
{
    if (!m_opened) {
        if (!automatic)
            reopen();
        return;
    }
    if (automatic && m_busy)
        return; // still busy with the previous round
    m_table->preserveSelection();
    if (!automatic && m_filterPanel->isDateRangeRelative()) {
        // "Last hour" means the last hour from now.
        TaskQuery query = m_model->query();
        m_filterPanel->applyTo(&query);
        if (query != m_model->query()) {
            m_countingDelay->start();
            m_model->setQuery(query);
            return;
        }
    }
    m_model->refresh();
    if (!automatic && m_currentRowId >= 0)
        m_model->requestDetail(m_currentRowId);
}

void MainWindow::setBusy(bool busy)
{
    m_busy = busy;
    if (busy) {
        if (!m_busyBar->isVisible() && !m_busyDelay->isActive())
            m_busyDelay->start();
    } else {
        m_busyDelay->stop();
        m_busyBar->setVisible(false);
        m_table->endPreserve();
        // The row the detail pane shows may be gone (deleted here or by another client): show
        // what is current now, or nothing.
        if (m_currentRowId >= 0 && m_table->currentRowId() != m_currentRowId)
            onCurrentRowChanged();
    }
}

void MainWindow::updateTitle()
{
    QString where;
    if (m_opened)
        where = m_info.location.isEmpty() ? StoreUrl::withoutPassword(m_url) : m_info.location;
    else if (!m_url.isEmpty())
        where = StoreUrl::withoutPassword(m_url);
    where = DisplayText::sentence(where); // a file name may hold controls
    QString title = where.isEmpty() ? tr("No database") : where;
    if (!m_opened && !m_url.isEmpty())
        title += m_lastError.isEmpty() ? tr(" (opening…)") : tr(" (not connected)");
    if (isReadOnly() && !m_url.isEmpty())
        title += tr(" [read-only]");
    setWindowTitle(tr("%1 — Stalk").arg(title));

    if (m_opened) {
        QStringList parts;
        if (!m_info.engine.isEmpty())
            parts << m_info.engine;
        parts << QFontMetrics(m_databaseLabel->font()).elidedText(where, Qt::ElideMiddle, 420);
        if (isReadOnly())
            parts << tr("read-only");
        m_databaseLabel->setText(parts.join(QStringLiteral(" · ")));
        m_databaseLabel->setToolTip(
            tr("Database: %1\nTable: %2\nSchema: %3").arg(where, m_info.tableName, m_info.schema));
    } else {
        m_databaseLabel->setText(m_url.isEmpty() ? tr("No database open")
                                                 : tr("Not connected: %1").arg(where));
        m_databaseLabel->setToolTip(QString());
    }
}

void MainWindow::updateNote()
{
    QStringList notes;
    if (!m_info.note.isEmpty())
        notes << m_info.note;
    const QString missing = m_table->unavailableColumnsText();
    if (!missing.isEmpty())
        notes << missing;
    m_noteLabel->setText(DisplayText::sentence(notes.join(QStringLiteral(" — "))));
    m_noteLabel->setToolTip(notes.join(QStringLiteral("\n")));
    m_noteLabel->setVisible(!notes.isEmpty());
    m_noteIcon->setVisible(!notes.isEmpty());
    m_noteIcon->setToolTip(m_noteLabel->toolTip());
}

void MainWindow::updateCountLabel()
{
    const QLocale locale;
    const CountState &count = m_model->countState();
    QString text;
    if (count.quickMatches >= 0)
        text = (count.quickMatches == 1
                    ? tr("1 task id starts with the search")
                    : tr("%1 task ids start with the search").arg(locale.toString(count.quickMatches)))
            + tr(" · searching every result…");
    else if (count.counting && !m_model->query().searchTerms().isEmpty())
        // A search may read every row before its count is known: never "0 of …" meanwhile.
        text = count.found < 0 ? tr("Searching…")
            : count.found == 1 ? tr("Searching… 1 match so far")
                               : tr("Searching… %1 matches so far").arg(locale.toString(count.found));
    else if (count.counting && !m_countingDelay->isActive())
        text = tr("counting results…");
    else if (count.estimated && count.matching >= 0)
        text = tr("about %1 results (counting…)").arg(locale.toString(count.matching));
    else if (count.matching >= 0 && count.total >= 0)
        text = tr("%1 of %2 results").arg(locale.toString(count.matching), locale.toString(count.total));
    if (count.loaded >= 0)
        text += tr(" · loading… %1 read").arg(locale.toString(count.loaded));
    const qint64 selected = m_table->selectedRowCount();
    if (selected > 1)
        text += tr(" · %1 selected").arg(locale.toString(selected));
    m_countLabel->setText(text);
    updateSelectAllOffer();
}

void MainWindow::updateSelectAllOffer()
{
    const CountState &count = m_model->countState();
    const qint64 selected = m_table->selectedRowCount();
    // Offered beside the rows it selects: not over the Failures or Runtimes tab.
    bool offer = m_tabs->currentWidget() == m_table && count.kind() == CountState::Kind::Exact && selected > 1
        && selected < count.matching;
    if (offer) {
        const int first = m_table->rowAt(0);
        int last = m_table->rowAt(m_table->viewport()->height() - 1);
        if (last < 0)
            last = m_model->rowCount() - 1;
        const QItemSelectionModel *selection = m_table->selectionModel();
        for (int row = first; offer && row <= last; ++row)
            offer = row >= 0 && selection->isRowSelected(row, QModelIndex());
    }
    if (offer) {
        const QLocale locale;
        m_selectAllOffer->setText(tr("All %1 on this page are selected. <a href=\"all\">Select all %2 matching</a>")
                                      .arg(locale.toString(selected), locale.toString(count.matching)));
    }
    m_selectAllOffer->setVisible(offer);
}

void MainWindow::updateActions()
{
    const bool canDelete = m_opened && !isReadOnly();
    const QString why = !m_opened ? tr("No database is open")
                                  : tr("This connection is read-only");
    m_deleteExpiredAction->setEnabled(canDelete);
    m_deleteExpiredAction->setToolTip(
        canDelete ? tr("Delete results older than a cutoff, as Celery's result_expires does "
                       "(Ctrl+Shift+Del)")
                  : why);
    const bool hasSelection = m_table->selectionModel() && m_table->selectionModel()->hasSelection();
    m_deleteSelectedAction->setEnabled(canDelete && hasSelection);
    m_deleteSelectedAction->setToolTip(canDelete ? tr("Delete the selected results (Del)") : why);
    m_failures->setReadOnly(!canDelete);
    m_refreshAction->setEnabled(!m_url.isEmpty());
    m_autoRefreshAction->setEnabled(m_opened);
    m_exportAction->setEnabled(m_opened);
    m_couchIndexAction->setVisible(isCouchDb());
    m_couchIndexAction->setEnabled(m_opened && isCouchDb());
    m_copyCommandAction->setEnabled(m_opened);
    m_saveViewAction->setEnabled(!m_url.isEmpty());
    m_forgetPasswordAction->setEnabled(!keyringKey().isEmpty());
    const bool hasRow = m_table->currentIndex().isValid();
    m_copyAction->setEnabled(hasRow);
    m_copyTaskIdAction->setEnabled(hasRow);
    m_copyJsonAction->setEnabled(hasRow);
    m_clearFiltersAction->setEnabled(m_filterPanel->hasFilters() || !m_searchBox->text().isEmpty()
                                     || !m_exceptionFilter.isEmpty());
}

// ---------------------------------------------------------------------------------------
// Detail

void MainWindow::onCurrentRowChanged()
{
    updateActions();
    if (m_tabs->currentWidget() != m_table)
        return; // the Details dock follows the tab shown (showDetailOfTab())
    const QModelIndex current = m_table->currentIndex();
    if (!current.isValid()) {
        if (!m_table->isPreserving()) {
            m_currentRowId = -1;
            m_currentDetail = TaskResult();
            m_detailPane->clear();
        }
        return;
    }
    if (!current.data(TaskResultModel::LoadedRole).toBool()) {
        m_currentRowId = -1;
        m_detailPane->showLoading(QString());
        return;
    }
    const qint64 rowId = current.data(TaskResultModel::RowIdRole).toLongLong();
    if (rowId == m_currentRowId)
        return; // the same row after a refresh or a page load
    m_currentRowId = rowId;
    m_currentDetail = TaskResult();
    m_detailPane->showLoading(current.data(TaskResultModel::TaskIdRole).toString());
    m_model->requestDetail(rowId);
}

void MainWindow::showDetailOfTab()
{
    // A table row's answer arriving over another tab is dropped (onDetailReady); back on the
    // table, the current row is asked for again.
    m_currentRowId = -1;
    m_currentDetail = TaskResult();
    if (m_tabs->currentWidget() == m_table) {
        onCurrentRowChanged();
    } else if (m_tabs->currentWidget() == m_failures) {
        const TaskResult &sample = m_failures->currentSample();
        if (!sample.taskId.isEmpty())
            m_detailPane->showResult(sample);
        else if (m_failures->currentGroup())
            m_detailPane->showLoading(QString());
        else
            m_detailPane->clear(tr("Select a failure group to see its latest result."));
    } else if (m_tabs->currentWidget() == m_groups) {
        showDetailOfGroupMember();
    } else {
        m_detailPane->clear(tr("Runtimes are per task name: select a result in the Results tab to see its details."));
    }
}

void MainWindow::showDetailOfGroupMember()
{
    const QString taskId = m_groups->currentMemberId();
    const TaskResult *member = m_groups->currentMember();
    if (taskId.isEmpty()) {
        m_detailPane->clear(tr("Select a member of a group to see its details."));
    } else if (!member || member->rowId < 0) {
        m_detailPane->clear(tr("Task %1 has no result in the store (expired or deleted).").arg(taskId));
    } else {
        // The complete row, as for a table row (onDetailReady() matches it by row id).
        m_currentRowId = member->rowId;
        m_detailPane->showLoading(taskId);
        m_model->requestDetail(member->rowId);
    }
}

void MainWindow::askSavedGroupsOfDetail()
{
    const QString taskId = m_detailPane->currentRow().taskId;
    m_model->cancelRequest(m_savedGroupsRequest);
    m_savedGroupsRequest = 0;
    if (!m_info.hasGroups || taskId.isEmpty())
        return;
    m_savedGroupsRequest = m_model->request<QVector<TaskGroup>>(
        this, [taskId](ResultStore &store) { return store.groupsOf(taskId); },
        [this, taskId](const Reply<QVector<TaskGroup>> &reply) {
            m_savedGroupsRequest = 0;
            if (!reply)
                return; // the links are extra: the row itself is shown
            QStringList ids;
            for (const TaskGroup &group : *reply)
                ids << group.groupId;
            m_detailPane->setSavedGroups(taskId, ids);
        });
}

void MainWindow::showTaskById(const QString &taskId)
{
    m_model->cancelRequest(m_taskByIdRequest);
    m_detailPane->showLoading(taskId);
    m_taskByIdRequest = m_model->request<TaskResult>(
        this, [taskId](ResultStore &store) { return store.fetchByTaskId(taskId); },
        [this](const Reply<TaskResult> &reply) {
            m_taskByIdRequest = 0;
            m_currentRowId = -1; // a table row's late answer must not replace it
            if (reply)
                m_detailPane->showResult(*reply);
            else
                m_detailPane->clear(reply.error().message);
        });
}

void MainWindow::onDetailReady(const TaskResult &row)
{
    if (row.rowId != m_currentRowId)
        return;
    if (row == m_currentDetail)
        return;
    m_currentDetail = row;
    m_detailPane->showResult(row);
}

// ---------------------------------------------------------------------------------------
// Context menu and copying

void MainWindow::showContextMenu(const QPoint &pos)
{
    const QModelIndex index = m_table->indexAt(pos);
    if (index.isValid() && !m_table->selectionModel()->isRowSelected(index.row(), QModelIndex()))
        m_table->selectionModel()->setCurrentIndex(
            index, QItemSelectionModel::ClearAndSelect | QItemSelectionModel::Rows);
    else if (index.isValid())
        m_table->selectionModel()->setCurrentIndex(index, QItemSelectionModel::NoUpdate);

    QMenu menu(this);
    menu.addAction(m_copyAction);
    menu.addAction(m_copyTaskIdAction);
    menu.addAction(m_copyJsonAction);

    const TaskResult *row = index.isValid() ? m_model->cachedRow(index.row()) : nullptr;
    if (row) {
        menu.addSeparator();
        auto addFilter = [&](Field field, const QString &label, const QString &value) {
            if (!m_info.fields.contains(field))
                return;
            const QString shown = value.isNull() ? tr("(none)") : value;
            QAction *a = menu.addAction(
                label.arg(QFontMetrics(menu.font()).elidedText(shown, Qt::ElideMiddle, 260)));
            connect(a, &QAction::triggered, this, [this, field, value] { filterBy(field, value); });
        };
        addFilter(Field::TaskName, tr("Filter by Task Name “%1”"), row->taskName);
        addFilter(Field::Worker, tr("Filter by Worker “%1”"), row->worker);
        addFilter(Field::Status, tr("Filter by Status “%1”"), row->status);
        if (!row->periodicTaskName.isNull())
            addFilter(Field::PeriodicTaskName, tr("Filter by Periodic Task “%1”"),
                      row->periodicTaskName);
    }
    menu.addSeparator();
    menu.addAction(m_deleteSelectedAction);
    menu.exec(m_table->viewport()->mapToGlobal(pos));
}

void MainWindow::filterBy(Field field, const QString &value)
{
    m_filterDock->show();
    m_filterPanel->selectOnly(field, value);
    applyQuery();
    statusBar()->showMessage(
        tr("Filtered by %1 “%2”").arg(fieldLabel(field).toLower(),
                                     value.isNull() ? tr("(none)") : value),
        4000);
}

void MainWindow::showFailureGroup(const FailureGroup &group)
{
    // failureGroupQuery() says which filters a group sets; the filter panel holds them.
    const TaskQuery narrowed = failureGroupQuery(m_model->query(), group);
    m_filterPanel->setSelected(Field::TaskName, narrowed.taskNames);
    m_filterPanel->setSelected(Field::Status, narrowed.statuses);
    setExceptionFilter(narrowed.exceptionFilter());
    m_filterDock->show();
    m_tabs->setCurrentWidget(m_table);
    applyQuery();
    const QString task = group.taskName.isNull() ? tr("(none)") : group.taskName;
    if (!narrowed.exceptions.isEmpty())
        statusBar()->showMessage(tr("Filtered by task name “%1”, the group's statuses, its exception and message").arg(task), 4000);
    else
        statusBar()->showMessage(tr("Filtered by task name “%1” and the group's statuses").arg(task), 4000);
}

void MainWindow::deleteFailureGroup(const FailureGroup &group)
{
    if (!m_opened || isReadOnly())
        return;
    showDeleteSelectedDialog(
        new DeleteSelectedDialog(m_model, failureGroupQuery(m_model->query(), group), failureGroupSubject(group), this));
}

void MainWindow::exportFailureGroup(const FailureGroup &group)
{
    if (!m_opened)
        return;
    openExportDialog(failureGroupQuery(m_model->query(), group), -1, {}, 0);
}

void MainWindow::copyCell()
{
    const QModelIndex index = m_table->currentIndex();
    if (!index.isValid())
        return;
    QString text = index.data(Qt::DisplayRole).toString();
    // Copy the whole task id / names even when the cell shows them cut.
    if (const TaskResult *row = m_model->cachedRow(index.row())) {
        switch (index.column()) {
        case TaskResultModel::TaskIdColumn:
            text = row->taskId;
            break;
        case TaskResultModel::TaskNameColumn:
            text = row->taskName;
            break;
        default:
            break;
        }
    }
    QGuiApplication::clipboard()->setText(text);
    statusBar()->showMessage(tr("Copied %1").arg(m_model->headerData(index.column(), Qt::Horizontal).toString()), 2000);
}

void MainWindow::copyTaskId()
{
    QStringList ids;
    const QModelIndexList rows = m_table->selectedLoadedRows();
    for (const QModelIndex &index : rows)
        ids << index.data(TaskResultModel::TaskIdRole).toString();
    if (ids.isEmpty() && m_table->currentIndex().isValid())
        ids << m_table->currentIndex().data(TaskResultModel::TaskIdRole).toString();
    if (ids.isEmpty())
        return;
    QGuiApplication::clipboard()->setText(ids.join(u'\n'));
    statusBar()->showMessage(ids.size() == 1 ? tr("Copied task id %1").arg(DisplayText::value(ids.first()))
                                             : tr("Copied %1 task ids").arg(ids.size()),
                             2000);
}

std::pair<TaskResult, QVector<Field>> MainWindow::rowForJson(const TaskResult &row) const
{
    QVector<Field> fields = outputFields(m_info);
    if (m_currentDetail.rowId == row.rowId && m_currentDetail.complete)
        return {m_currentDetail, fields};
    if (row.complete)
        return {row, fields};
    fields.removeAll(Field::Traceback);
    fields.removeAll(Field::Meta);
    TaskResult preview = row;
    preview.problems << tr("only a preview of this row was loaded: task_args, task_kwargs and result may be cut "
                           "short; traceback and meta were not read (select the row alone to copy all of it)");
    return {preview, fields};
}

void MainWindow::copyRowsAsJson()
{
    QModelIndexList indexes = m_table->selectedLoadedRows();
    if (indexes.isEmpty() && m_table->currentIndex().isValid())
        indexes << m_table->currentIndex();
    std::sort(indexes.begin(), indexes.end(),
              [](const QModelIndex &a, const QModelIndex &b) { return a.row() < b.row(); });
    QVector<std::pair<TaskResult, QVector<Field>>> rows;
    for (const QModelIndex &index : std::as_const(indexes)) {
        if (const TaskResult *row = m_model->cachedRow(index.row()))
            rows.append(rowForJson(*row));
    }
    if (rows.isEmpty())
        return;
    // One row as `stalk show` prints it; several as `stalk list --format json` does.
    QString json;
    if (rows.size() == 1) {
        json = resultJsonText(rows.first().first, rows.first().second, true);
    } else {
        ResultJsonArray array;
        json = ResultJsonArray::begin();
        for (const auto &[row, fields] : std::as_const(rows))
            array.append(json, row, fields);
        json += array.end();
    }
    QGuiApplication::clipboard()->setText(json);
    statusBar()->showMessage(tr("Copied %n row(s) as JSON", nullptr, int(rows.size())), 2000);
}

// ---------------------------------------------------------------------------------------
// Deleting

void MainWindow::exportResults()
{
    if (!m_opened)
        return;
    const CountState &count = m_model->countState();
    const qint64 matching = count.kind() == CountState::Kind::Exact ? count.matching : -1;
    const qint64 selected = m_table->selectedRowCount();
    QVector<qint64> ids;
    // Everything selected is the matching results, loaded or not: no ids needed.
    if (selected > 0 && !selectsAllMatching()) {
        QModelIndexList rows = m_table->selectedLoadedRows();
        std::sort(rows.begin(), rows.end(),
                  [](const QModelIndex &a, const QModelIndex &b) { return a.row() < b.row(); });
        for (const QModelIndex &index : std::as_const(rows))
            ids.push_back(index.data(TaskResultModel::RowIdRole).toLongLong());
    }
    openExportDialog(m_model->query(), matching, ids, selected);
}

void MainWindow::openExportDialog(const TaskQuery &query, qint64 matching, const QVector<qint64> &ids, qint64 selected)
{
    auto *dialog = new ExportDialog(m_model, ConnectionBar::settingsKey(m_url), query, matching, ids, selected, this);
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    connect(dialog, &ExportDialog::exportFinished, this, [this](const ExportSummary &summary) {
        statusBar()->showMessage(exportSummaryText(summary), 10000);
    });
    dialog->open();
}

bool MainWindow::isCouchDb() const
{
    const Outcome<StoreUrl> url = StoreUrl::parse(m_url);
    return url && url->scheme == StoreUrl::Scheme::CouchDb;
}

void MainWindow::showCouchIndex()
{
    if (!m_opened || !isCouchDb())
        return;
    // Logged in as the store is: the URL's password, the one typed or read from the keyring.
    const StoreUrl url = *StoreUrl::parse(m_url);
    StoreOptions options;
    options.password = m_password;
    const Outcome<CouchConfig> config = CouchConfig::fromUrl(options.login(url));
    if (!config) {
        statusBar()->showMessage(DisplayText::sentence(config.error().message), 10000);
        return;
    }
    QString readOnlyReason;
    if (url.asksReadOnly()) {
        readOnlyReason = tr("This connection is read-only (?readonly=1 in its URL): Stalk sends nothing that "
                            "writes, so the index can be neither created nor removed from here.");
    } else if (isReadOnly()) {
        readOnlyReason = tr("This connection is read-only: Stalk sends nothing that writes, so the index can be "
                            "neither created nor removed from here. Untick Read-only in the Database bar to "
                            "change it.");
    }
    auto *dialog = new CouchIndexDialog(*config, readOnlyReason, this);
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    dialog->open();
}

void MainWindow::newWindow()
{
    auto *window = new MainWindow;
    window->setAttribute(Qt::WA_DeleteOnClose);
    // A little below and right of this one, so that both show.
    const int step = 2 * fontMetrics().height();
    window->move(pos() + QPoint(step, step));
    window->show();
    window->m_openAction->trigger(); // the cursor in its URL field
}

// ---------------------------------------------------------------------------------------
// Saved views and the command line

SavedView MainWindow::currentView(const QString &name) const
{
    SavedView view;
    view.name = name;
    view.search = m_searchBox->text();
    view.statuses = m_filterPanel->checkedValues(Field::Status);
    view.taskNames = m_filterPanel->checkedValues(Field::TaskName);
    view.workers = m_filterPanel->checkedValues(Field::Worker);
    view.periodicTaskNames = m_filterPanel->checkedValues(Field::PeriodicTaskName);
    view.exceptions = m_exceptionFilter.names;
    view.fingerprints = m_exceptionFilter.fingerprints;
    view.dateRange = m_filterPanel->dateRange();
    if (view.dateRange == FilterPanel::DateRange::Custom) {
        view.from = m_filterPanel->customFrom();
        view.to = m_filterPanel->customTo();
    }
    view.sortColumn = m_table->horizontalHeader()->sortIndicatorSection();
    view.sortOrder = m_table->horizontalHeader()->sortIndicatorOrder();
    view.hiddenColumns = m_table->userHiddenColumns();
    return view;
}

void MainWindow::saveCurrentView(const QString &name)
{
    if (m_url.isEmpty() || name.trimmed().isEmpty())
        return;
    SavedViews::save(ConnectionBar::settingsKey(m_url), currentView(name.trimmed()));
    rebuildSavedViewsMenu();
    statusBar()->showMessage(tr("Saved the view \u201c%1\u201d").arg(name.trimmed()), 4000);
}

void MainWindow::applyView(const SavedView &view)
{
    m_searchBox->setText(view.search);
    m_filterPanel->setSelected(Field::Status, view.statuses);
    m_filterPanel->setSelected(Field::TaskName, view.taskNames);
    m_filterPanel->setSelected(Field::Worker, view.workers);
    m_filterPanel->setSelected(Field::PeriodicTaskName, view.periodicTaskNames);
    setExceptionFilter({view.exceptions, view.fingerprints});
    m_filterPanel->setDateRange(view.dateRange, view.from, view.to);
    m_table->setUserHiddenColumns(view.hiddenColumns);
    if (view.sortColumn >= 0 && view.sortColumn < TaskResultModel::ColumnCount
        && TaskResultModel::columnField(view.sortColumn) != Field::FieldCount)
        m_table->sortByColumn(view.sortColumn, view.sortOrder);
    applyQuery();
    statusBar()->showMessage(tr("View \u201c%1\u201d").arg(view.name), 4000);
}

void MainWindow::saveCurrentViewAs()
{
    if (m_url.isEmpty())
        return;
    bool ok = false;
    const QString name = QInputDialog::getText(this, tr("Save Current View"),
                                               tr("Name for the current search, filters, date range, sort and "
                                                  "columns of this connection:"),
                                               QLineEdit::Normal, QString(), &ok);
    if (ok)
        saveCurrentView(name);
}

void MainWindow::rebuildSavedViewsMenu()
{
    // clear() deletes the menu's own actions but not a submenu: that one goes later (its
    // action may be the one running this).
    if (m_deleteViewMenu)
        m_deleteViewMenu->deleteLater();
    m_deleteViewMenu = nullptr;
    m_savedViewsMenu->clear();
    m_savedViewsMenu->addAction(m_saveViewAction);
    const QVector<SavedView> views =
        m_url.isEmpty() ? QVector<SavedView>() : SavedViews::load(ConnectionBar::settingsKey(m_url));
    if (views.isEmpty()) {
        QAction *none = m_savedViewsMenu->addAction(tr("No saved views for this connection"));
        none->setEnabled(false);
        return;
    }
    m_savedViewsMenu->addSeparator();
    for (const SavedView &view : views) {
        QAction *recall = m_savedViewsMenu->addAction(view.name);
        recall->setObjectName(QStringLiteral("savedView"));
        recall->setData(view.name);
        recall->setEnabled(m_opened);
        connect(recall, &QAction::triggered, this, [this, view] { applyView(view); });
    }
    m_savedViewsMenu->addSeparator();
    m_deleteViewMenu = m_savedViewsMenu->addMenu(tr("&Delete Saved View"));
    for (const SavedView &view : views) {
        QAction *forget = m_deleteViewMenu->addAction(view.name);
        connect(forget, &QAction::triggered, this, [this, name = view.name] {
            SavedViews::remove(ConnectionBar::settingsKey(m_url), name);
            rebuildSavedViewsMenu();
        });
    }
}

QString MainWindow::commandLine() const
{
    QStringList words{QStringLiteral("stalk"), QStringLiteral("list"), StoreUrl::withoutPassword(m_url)};
    words << QueryCommand::filterArguments(m_model->query());
    QStringList fields;
    for (const Field field : m_table->visibleFields())
        fields << fieldName(field);
    if (!fields.isEmpty())
        words << QStringLiteral("--fields") << fields.join(u',');
    words << QStringLiteral("--limit") << QStringLiteral("0");
    return QueryCommand::shellCommandLine(words);
}

void MainWindow::copyAsCommand()
{
    if (!m_opened)
        return;
    QGuiApplication::clipboard()->setText(commandLine());
    statusBar()->showMessage(tr("Copied the stalk list command line"), 4000);
}

void MainWindow::deleteExpired()
{
    if (!m_opened || isReadOnly())
        return;
    // The model's own store previews and deletes: no other store is opened.
    auto *dialog = new PurgeDialog(m_model, ConnectionBar::settingsKey(m_url), this);
    dialog->setObjectName(QStringLiteral("purgeDialog"));
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    connect(dialog, &PurgeDialog::purgeFinished, this, &MainWindow::onDeletionFinished);
    dialog->open();
}

void MainWindow::deleteSelected()
{
    if (!m_opened || isReadOnly())
        return;
    const QModelIndexList rows = m_table->selectedLoadedRows();
    const qint64 selected = m_table->selectedRowCount();
    if (selected > rows.size() && selectsAllMatching()) {
        // Select All: every result matching the filters, most of them never loaded. The
        // dialog deletes them by the query, not by ids.
        auto *dialog = new DeleteSelectedDialog(m_model, m_model->query(), selected, this);
        // The set selected is gone (or, cancelled, partly): the refresh selects nothing, not
        // every result left.
        connect(dialog, &DeleteSelectedDialog::deleteFinished, m_table, &QAbstractItemView::clearSelection);
        showDeleteSelectedDialog(dialog);
        return;
    }
    if (rows.isEmpty()) {
        statusBar()->showMessage(tr("Select the results to delete first"), 3000);
        return;
    }
    if (selected > rows.size()) {
        // Rows never scrolled into view are not read, so their ids are unknown here.
        statusBar()->showMessage(
            tr("Only the %1 loaded of the %2 selected results can be deleted by selection; "
               "use Delete Expired… to delete by date")
                .arg(QLocale().toString(qint64(rows.size())), QLocale().toString(qint64(selected))),
            10000);
    }
    QVector<qint64> ids;
    QMap<QString, qint64> byStatus;
    for (const QModelIndex &index : rows) {
        ids.push_back(index.data(TaskResultModel::RowIdRole).toLongLong());
        const TaskResult *row = m_model->cachedRow(index.row());
        byStatus[row ? row->status : QString()] += 1;
    }
    showDeleteSelectedDialog(new DeleteSelectedDialog(m_model, ids, byStatus, this));
}

void MainWindow::showDeleteSelectedDialog(DeleteSelectedDialog *dialog)
{
    dialog->setObjectName(QStringLiteral("deleteSelectedDialog"));
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    dialog->setReadOnly(isReadOnly());
    connect(dialog, &DeleteSelectedDialog::deleteFinished, this, &MainWindow::onDeletionFinished);
    dialog->open();
}

bool MainWindow::selectsAllMatching() const
{
    const CountState &count = m_model->countState();
    if (count.kind() != CountState::Kind::Exact || count.matching <= 0)
        return false;
    return m_table->selectedRowCount() >= count.matching;
}

void MainWindow::onDeletionFinished(const PurgeSummary &summary)
{
    statusBar()->showMessage(purgeSummaryText(summary), 10000);
    if (summary.error.isError())
        m_banner->showMessage(purgeSummaryText(summary), false);
    if (m_opened) {
        m_table->preserveSelection();
        m_model->refresh();
    }
}

// ---------------------------------------------------------------------------------------

void MainWindow::saveSettings()
{
    QSettings settings;
    settings.setValue(QStringLiteral("window/geometry"), saveGeometry());
    settings.setValue(QStringLiteral("window/state"), saveState());
    m_table->saveLayout(settings);
}

void MainWindow::closeEvent(QCloseEvent *event)
{
    saveSettings();
    QMainWindow::closeEvent(event);
}
