#include "mainwindow.h"

#include "commandpalette.h"
#include "connection.h"
#include "connectionpage.h"
#include "connections/connectionsdialog.h"
#include "connections/profilesettings.h"
#include "connections/profilestore.h"
#include "connections/secretstore.h"
#include "deployments/deploymentspage.h"
#include "failurenotifier.h"
#include "runactions.h"
#include "runpage.h"
#include "runs/runlistwidget.h"
#include "sidebardelegate.h"
#include "sidebarmodel.h"

#include <weft/store.hpp>

#include <QAction>
#include <QActionGroup>
#include <QApplication>
#include <QCloseEvent>
#include <QFileDialog>
#include <QFileInfo>
#include <QKeySequence>
#include <QLabel>
#include <QListView>
#include <QMenu>
#include <QMenuBar>
#include <QMessageBox>
#include <QProcess>
#include <QSet>
#include <QSettings>
#include <QSplitter>
#include <QStackedWidget>
#include <QStatusBar>
#include <QTabWidget>
#include <QTimer>
#include <QVBoxLayout>

// Icons are compiled into the static app library; its initialiser must be referenced.
static void initStudioResources() {
    Q_INIT_RESOURCE(weft);
}

namespace weft::studio {

MainWindow::MainWindow(ThemeManager* theme, QWidget* parent)
    : QMainWindow(parent)
    , m_theme(theme) {
    initStudioResources();
    setObjectName(QStringLiteral("mainWindow"));
    setWindowTitle(tr("Weft Studio"));
    resize(1400, 880);
    m_notify = QSettings().value(QStringLiteral("notifyFailures"), true).toBool();
    buildMenus();
    buildStatusBar();
    buildSidebar();
    restoreLayout();
    updateActionState();
}

MainWindow::MainWindow(Backend* backend, ThemeManager* theme, QWidget* parent)
    : MainWindow(theme, parent) {
    addConnection(new Connection(Connection::nameFor(backend), backend, this), true);
}

MainWindow::~MainWindow() {
    // The workspaces use the connections' backends, and the sidebar follows the connections:
    // both go first, so that no connection's end selects another one.
    disconnect(m_sidebar->selectionModel(), nullptr, this, nullptr);
    const QList<Connection*> all = connections();
    delete m_splitter;
    delete m_sidebarModel;
    m_workspaces.clear();
    m_waitingPages.clear();
    for (Connection* c : all)
        delete c;
}

void MainWindow::buildSidebar() {
    m_splitter = new QSplitter(Qt::Horizontal, this);
    m_splitter->setObjectName(QStringLiteral("sidebarSplitter"));
    m_sidebarModel = new SidebarModel(this);
    // The sidebar reads as a panel beside the pages, as in file managers: a heading, then rows.
    auto* panel = new QWidget(m_splitter);
    panel->setObjectName(QStringLiteral("sidebarPanel"));
    auto* column = new QVBoxLayout(panel);
    column->setContentsMargins(0, 0, 0, 0);
    column->setSpacing(0);
    auto* heading = new QLabel(tr("CONNECTIONS"), panel);
    QFont small = heading->font();
    small.setPointSizeF(small.pointSizeF() * 0.85);
    small.setBold(true);
    heading->setFont(small);
    heading->setForegroundRole(QPalette::PlaceholderText);
    heading->setContentsMargins(8, 8, 8, 4);
    column->addWidget(heading);
    m_sidebar = new QListView(panel);
    m_sidebar->setObjectName(QStringLiteral("connectionsSidebar"));
    m_sidebar->setModel(m_sidebarModel);
    m_sidebar->setEditTriggers(QAbstractItemView::NoEditTriggers);
    m_sidebar->setSelectionMode(QAbstractItemView::SingleSelection);
    m_sidebar->setItemDelegate(new SidebarDelegate(m_sidebar));
    m_sidebar->setUniformItemSizes(true);
    m_sidebar->setFrameShape(QFrame::NoFrame);
    m_sidebar->viewport()->setBackgroundRole(QPalette::Window);
    column->addWidget(m_sidebar, 1);
    panel->setMinimumWidth(120);
    m_sidebarPanel = panel;
    m_stack = new QStackedWidget(m_splitter);
    m_splitter->addWidget(panel);
    m_splitter->addWidget(m_stack);
    m_splitter->setCollapsible(0, true);
    m_splitter->setCollapsible(1, false);
    m_splitter->setStretchFactor(0, 0);
    m_splitter->setStretchFactor(1, 1);
    m_splitter->setSizes({170, 1230});
    setCentralWidget(m_splitter);
    m_sidebar->setContextMenuPolicy(Qt::CustomContextMenu);
    connect(m_sidebar, &QWidget::customContextMenuRequested, this, [this](const QPoint& pos) {
        QPointer<Connection> c = m_sidebarModel->connection(m_sidebar->indexAt(pos).row());
        if (!c) return;
        QMenu menu(this);
        menu.addAction(tr("Open"), this, [this, c] {
            if (c) selectConnection(m_sidebarModel->rowOf(c));
        });
        if (!c->isReady())
            menu.addAction(tr("Try again"), this, [c] {
                if (c) c->activate();
            });
        if (m_profiles && m_profileOf.contains(c)) {
            const QString id = c->profileId();
            menu.addAction(tr("Edit…"), this, [this, id] { connectionsDialog()->edit(id); });
        }
        menu.exec(m_sidebar->viewport()->mapToGlobal(pos));
    });
    connect(m_sidebar->selectionModel(), &QItemSelectionModel::currentChanged, this,
            [this](const QModelIndex& current) {
                if (Connection* c = m_sidebarModel->connection(current.row())) showConnection(c);
            });
}

Connection* MainWindow::addConnection(Connection* connection, bool select) {
    connection->setParent(this);
    m_sidebarModel->append(connection);
    connect(connection, &Connection::statusChanged, this, [this, connection] {
        if (connection == m_current) updateStatus();
    });
    // Built when it opens, if it was selected meanwhile; else on its first selection.
    connect(connection, &Connection::ready, this, [this, connection] {
        if (m_waitingPages.contains(connection) || connection == m_current)
            showConnection(connection);
    });
    if (select) selectConnection(m_sidebarModel->rowOf(connection));
    return connection;
}

Connection* MainWindow::addServer(const QString& name, const RemoteSettings& settings,
                                  bool select) {
    return addConnection(Connection::server(name, settings, this), select);
}

void MainWindow::setProfiles(ProfileStore* store, SecretStore* secrets, ProfileImporter importer) {
    m_profiles = store;
    m_secrets = secrets;
    m_importer.emplace(std::move(importer));
    connect(store, &ProfileStore::profilesChanged, this, &MainWindow::syncProfiles);
    m_manageConnections->setEnabled(true);
    m_addServer->setEnabled(true);
    syncProfiles();
}

void MainWindow::syncProfiles() {
    QSet<QString> saved;
    for (const ConnectionProfile& p : m_profiles->profiles()) {
        saved.insert(p.id);
        Connection* shown = nullptr;
        for (Connection* c : connections())
            if (c->profileId() == p.id) shown = c;
        // A --connect server on a profile's URL stands for it; an edited profile is redone.
        if (shown && (!m_profileOf.contains(shown) || m_profileOf.value(shown) == p)) continue;
        if (shown) removeConnection(shown);
        SecretStore* secrets = m_secrets;
        auto lookup = [secrets, p](QObject* context, std::function<void(RemoteSettings)> ready) {
            readRemoteSettings(p, *secrets, context, std::move(ready));
        };
        Connection* c = Connection::server(p.name, remoteSettings(p, {}), this, lookup);
        c->setProfileId(p.id);
        m_profileOf.insert(c, p);
        // A server added while the window is open (Add server…) is shown at once.
        addConnection(c, m_profilesListed && !shown);
    }
    m_profilesListed = true;
    for (Connection* c : connections())
        if (m_profileOf.contains(c) && !saved.contains(c->profileId())) removeConnection(c);
}

void MainWindow::removeConnection(Connection* connection) {
    if (connection == m_current) {
        const int row = m_sidebarModel->rowOf(connection);
        selectConnection(row == 0 ? 1 : 0);
    }
    if (connection == m_current) m_current = nullptr; // it was the only one
    // The workspace uses the connection's backend: it goes first.
    delete m_workspaces.take(connection);
    delete m_waitingPages.take(connection);
    m_profileOf.remove(connection);
    delete connection; // its sidebar row goes with it
}

ConnectionsDialog* MainWindow::connectionsDialog() {
    if (!m_connectionsDialog) {
        m_connectionsDialog = new ConnectionsDialog(m_profiles, m_secrets, *m_importer, this);
        m_connectionsDialog->setAttribute(Qt::WA_DeleteOnClose);
    }
    return m_connectionsDialog;
}

void MainWindow::selectConnection(int row) {
    const QModelIndex index = m_sidebarModel->index(row);
    if (!index.isValid()) return;
    if (m_sidebar->currentIndex() == index) {
        showConnection(m_sidebarModel->connection(row));
        return;
    }
    m_sidebar->setCurrentIndex(index); // → showConnection
}

QList<Connection*> MainWindow::connections() const {
    QList<Connection*> all;
    for (int row = 0; row < m_sidebarModel->rowCount(); ++row)
        all << m_sidebarModel->connection(row);
    return all;
}

Workspace* MainWindow::workspace(const Connection* connection) const {
    return m_workspaces.value(connection);
}

Workspace* MainWindow::currentWorkspace() const {
    return m_workspaces.value(m_current);
}

void MainWindow::showConnection(Connection* connection) {
    const bool changed = connection != m_current;
    m_current = connection;
    connection->activate();
    QWidget* page = m_workspaces.value(connection);
    if (!page && connection->isReady()) {
        page = buildWorkspace(connection);
        if (QWidget* waiting = m_waitingPages.take(connection)) waiting->deleteLater();
    }
    if (!page) {
        page = m_waitingPages.value(connection);
        if (!page) {
            page = new ConnectionPage(connection, m_stack);
            m_waitingPages.insert(connection, page);
            m_stack->addWidget(page);
        }
    }
    if (connection == m_current) m_stack->setCurrentWidget(page);
    updateStatus();
    updateActionState();
    if (changed) Q_EMIT currentConnectionChanged(connection);
}

Workspace* MainWindow::buildWorkspace(Connection* connection) {
    // Run pages name where they come from: "on prod (http://…)", or the URL alone when that
    // is the name already.
    const QString source = connection->location().contains(connection->name())
                               ? tr("on %1").arg(connection->location())
                               : tr("on %1 (%2)").arg(connection->name(), connection->location());
    auto* ws = new Workspace(connection->backend(), source, m_stack);
    m_workspaces.insert(connection, ws);
    m_stack->addWidget(ws);
    ws->setRunMenuActions(m_retry, m_cancel, m_markAs, m_delete);
    ws->actions()->setConfirm(m_confirm);
    ws->commandPalette()->setActions(m_paletteActions);
    ws->notifier()->setEnabled(m_notify);
    if (m_sidebarModel->rowCount() > 1) ws->notifier()->setSourceName(connection->name());
    connect(ws, &Workspace::selectionChanged, this, &MainWindow::updateActionState);
    connect(ws, &Workspace::message, this,
            [this, connection](const QString& text) { say(connection, text); });
    connect(ws, &Workspace::runPageOpened, this, &MainWindow::runPageOpened);
    Backend* backend = connection->backend();
    connect(backend, &Backend::eventRateChanged, this, [this, connection](double rate) {
        if (connection != m_current) return;
        m_rateLabel->setText(tr("%1 events/s").arg(rate, 0, 'f', rate < 10 ? 1 : 0));
    });
    // The backend's health: the views show their own errors in place, the status bar says the
    // backend as a whole is failing (and when it answers again).
    connect(backend, &Backend::healthChanged, this,
            [this, connection](bool healthy, const QString& error) {
                if (connection == m_current) updateStatus();
                say(connection, healthy ? tr("The backend answers again.")
                                        : tr("The backend is unhealthy: %1").arg(error));
            });
    return ws;
}

void MainWindow::say(Connection* from, const QString& text) {
    // A workspace in the background still speaks, naming itself.
    m_messageLabel->setText(from == m_current ? text : tr("%1: %2").arg(from->name(), text));
}

Backend* MainWindow::backend() const {
    return m_current ? m_current->backend() : nullptr;
}
RunActions* MainWindow::actions() const {
    Workspace* ws = currentWorkspace();
    return ws ? ws->actions() : nullptr;
}
RunListWidget* MainWindow::runList() const {
    Workspace* ws = currentWorkspace();
    return ws ? ws->runList() : nullptr;
}
FlowsPage* MainWindow::flowsPage() const {
    Workspace* ws = currentWorkspace();
    return ws ? ws->flowsPage() : nullptr;
}
DashboardWidget* MainWindow::dashboard() const {
    Workspace* ws = currentWorkspace();
    return ws ? ws->dashboard() : nullptr;
}
QTabWidget* MainWindow::tabs() const {
    Workspace* ws = currentWorkspace();
    return ws ? ws->tabs() : nullptr;
}
CommandPalette* MainWindow::commandPalette() const {
    Workspace* ws = currentWorkspace();
    return ws ? ws->commandPalette() : nullptr;
}
DeploymentsPage* MainWindow::deploymentsPage() const {
    Workspace* ws = currentWorkspace();
    return ws ? ws->deploymentsPage() : nullptr;
}
WorkPoolsPage* MainWindow::workPoolsPage() const {
    Workspace* ws = currentWorkspace();
    return ws ? ws->workPoolsPage() : nullptr;
}
RunPage* MainWindow::runPage(const QString& flowRunId) const {
    Workspace* ws = currentWorkspace();
    return ws ? ws->runPage(flowRunId) : nullptr;
}
RunPage* MainWindow::currentRunPage() const {
    Workspace* ws = currentWorkspace();
    return ws ? ws->currentRunPage() : nullptr;
}

void MainWindow::buildMenus() {
    auto* file = menuBar()->addMenu(tr("&File"));
    auto* open =
        file->addAction(QIcon(QStringLiteral(":/weft/icons/open.svg")), tr("&Open database…"));
    open->setShortcut(QKeySequence::Open);
    connect(open, &QAction::triggered, this, [this] {
        const QString last = recentDatabases().value(0);
        const QString path = QFileDialog::getOpenFileName(
            this, tr("Open a Weft database"),
            last.isEmpty() ? QString() : QFileInfo(last).absolutePath(),
            tr("Weft databases (*.db);;All files (*)"));
        if (!path.isEmpty()) openDatabaseWindow(path);
    });
    auto* create = file->addAction(tr("&New database…"));
    connect(create, &QAction::triggered, this, [this] {
        const QString path = QFileDialog::getSaveFileName(
            this, tr("New Weft database"), QStringLiteral("weft.db"), tr("Weft databases (*.db)"));
        if (!path.isEmpty()) createDatabaseWindow(path);
    });
    auto* recent = file->addMenu(tr("Open &recent"));
    connect(recent, &QMenu::aboutToShow, this, [this, recent] {
        recent->clear();
        for (const QString& path : recentDatabases())
            recent->addAction(path, this, [this, path] { openDatabaseWindow(path); });
        if (recent->isEmpty()) recent->addAction(tr("(none)"))->setEnabled(false);
    });
    file->addSeparator();
    // Saved servers: enabled once the window has profiles (setProfiles).
    m_manageConnections = file->addAction(tr("&Connections…"));
    m_manageConnections->setEnabled(false);
    connect(m_manageConnections, &QAction::triggered, this, [this] {
        ConnectionsDialog* dialog = connectionsDialog();
        dialog->show();
        dialog->raise();
    });
    m_addServer = file->addAction(tr("&Add server…"));
    m_addServer->setEnabled(false);
    connect(m_addServer, &QAction::triggered, this, [this] { connectionsDialog()->edit(); });
    file->addSeparator();
    m_exportGraph = file->addAction(tr("Export &graph…"));
    m_exportTimeline = file->addAction(tr("Export &timeline…"));
    auto exporter = [this](bool graph) {
        RunPage* page = currentRunPage();
        if (!page) return;
        const QString path = QFileDialog::getSaveFileName(
            this, graph ? tr("Export the graph") : tr("Export the timeline"),
            page->title().replace(QStringLiteral(" · "), QStringLiteral("-"))
                + (graph ? QStringLiteral("-graph.svg") : QStringLiteral("-timeline.svg")),
            tr("SVG (*.svg);;PNG (*.png)"));
        if (path.isEmpty()) return;
        const bool ok = graph ? page->exportGraph(path) : page->exportTimeline(path);
        m_messageLabel->setText(ok ? tr("Saved %1").arg(path) : tr("Could not save %1").arg(path));
    };
    connect(m_exportGraph, &QAction::triggered, this, [exporter] { exporter(true); });
    connect(m_exportTimeline, &QAction::triggered, this, [exporter] { exporter(false); });
    file->addSeparator();
    auto* quit = file->addAction(tr("&Quit"));
    quit->setShortcut(QKeySequence::Quit);
    connect(quit, &QAction::triggered, this, &QWidget::close);

    auto* run = menuBar()->addMenu(tr("&Run"));
    m_retry = run->addAction(QIcon(QStringLiteral(":/weft/icons/retry.svg")), tr("&Retry"));
    m_retry->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_R));
    m_cancel = run->addAction(QIcon(QStringLiteral(":/weft/icons/cancel.svg")), tr("&Cancel"));
    m_cancel->setShortcut(QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_C));
    m_markAs = run->addAction(QIcon(QStringLiteral(":/weft/icons/markas.svg")), tr("&Mark as…"));
    m_markAs->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_M));
    run->addSeparator();
    m_delete = run->addAction(QIcon(QStringLiteral(":/weft/icons/delete.svg")), tr("&Delete"));
    m_delete->setShortcut(QKeySequence::Delete);
    m_delete->setShortcutContext(Qt::WidgetWithChildrenShortcut);
    // The run controls act on the current workspace's selection.
    auto onSelection = [this](void (RunActions::*act)(const QStringList&)) {
        return [this, act] {
            if (Workspace* ws = currentWorkspace()) (ws->actions()->*act)(ws->selectedRunIds());
        };
    };
    connect(m_retry, &QAction::triggered, this, onSelection(&RunActions::retry));
    connect(m_cancel, &QAction::triggered, this, onSelection(&RunActions::cancel));
    connect(m_markAs, &QAction::triggered, this, onSelection(&RunActions::markAs));
    connect(m_delete, &QAction::triggered, this, onSelection(&RunActions::remove));
    run->addSeparator();
    m_runDeployment = run->addAction(tr("Run &deployment…"));
    m_runDeployment->setShortcut(QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_D));
    connect(m_runDeployment, &QAction::triggered, this, [this] {
        Workspace* ws = currentWorkspace();
        if (!ws) return;
        ws->showPage(Page::Deployments);
        if (!ws->deploymentsPage()->runSelected()) say(m_current, tr("No deployment to run here."));
    });

    auto* go = menuBar()->addMenu(tr("&Go"));
    auto* palette =
        go->addAction(QIcon(QStringLiteral(":/weft/icons/palette.svg")), tr("Command &palette…"));
    palette->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_K));
    connect(palette, &QAction::triggered, this, &MainWindow::showCommandPalette);
    auto* runs = go->addAction(tr("&Runs"));
    runs->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_1));
    connect(runs, &QAction::triggered, this, [this] { showPage(Page::Runs); });
    auto* dash = go->addAction(tr("&Dashboard"));
    dash->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_2));
    connect(dash, &QAction::triggered, this, [this] { showPage(Page::Dashboard); });
    auto* flows = go->addAction(tr("&Flows"));
    flows->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_3));
    connect(flows, &QAction::triggered, this, [this] { showPage(Page::Flows); });
    auto* deployments = go->addAction(tr("D&eployments"));
    deployments->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_4));
    connect(deployments, &QAction::triggered, this, [this] { showPage(Page::Deployments); });
    auto* workPools = go->addAction(tr("&Work pools"));
    workPools->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_5));
    connect(workPools, &QAction::triggered, this, [this] { showPage(Page::WorkPools); });
    auto* closeTab = go->addAction(tr("Close run &page"));
    closeTab->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_W));
    connect(closeTab, &QAction::triggered, this, [this] {
        if (Workspace* ws = currentWorkspace()) ws->closeTab(ws->tabs()->currentIndex());
    });
    auto stepTab = [this](int step) {
        return [this, step] {
            if (QTabWidget* t = tabs())
                t->setCurrentIndex((t->currentIndex() + t->count() + step) % t->count());
        };
    };
    auto* next = go->addAction(tr("&Next tab"));
    next->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_PageDown));
    connect(next, &QAction::triggered, this, stepTab(1));
    auto* previous = go->addAction(tr("&Previous tab"));
    previous->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_PageUp));
    connect(previous, &QAction::triggered, this, stepTab(-1));
    go->addSeparator();
    auto stepConnection = [this](int step) {
        return [this, step] {
            const int n = m_sidebarModel->rowCount();
            if (n == 0) return;
            const int row = std::max(0, m_sidebarModel->rowOf(m_current));
            selectConnection((row + n + step) % n);
        };
    };
    auto* nextConnection = go->addAction(tr("Next &connection"));
    nextConnection->setShortcut(QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_PageDown));
    connect(nextConnection, &QAction::triggered, this, stepConnection(1));
    auto* previousConnection = go->addAction(tr("Previous c&onnection"));
    previousConnection->setShortcut(QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_PageUp));
    connect(previousConnection, &QAction::triggered, this, stepConnection(-1));

    auto* view = menuBar()->addMenu(tr("&View"));
    auto* themes = new QActionGroup(this);
    const std::pair<Theme, QString> choices[] = {{Theme::System, tr("&System theme")},
                                                 {Theme::Light, tr("&Light theme")},
                                                 {Theme::Dark, tr("&Dark theme")}};
    for (const auto& [t, label] : choices) {
        auto* a = view->addAction(label);
        a->setCheckable(true);
        a->setChecked(m_theme && m_theme->current() == t);
        themes->addAction(a);
        connect(a, &QAction::triggered, this, [this, t = t] { setTheme(t); });
        m_paletteActions << a;
    }
    view->addSeparator();
    auto* showSidebar = view->addAction(tr("Show &connections"));
    showSidebar->setCheckable(true);
    showSidebar->setChecked(true);
    showSidebar->setShortcut(QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_B));
    connect(showSidebar, &QAction::toggled, this,
            [this](bool on) { m_sidebarPanel->setVisible(on); });
    auto* notify = view->addAction(tr("&Notify when a run fails"));
    notify->setCheckable(true);
    notify->setChecked(m_notify);
    connect(notify, &QAction::toggled, this, [this](bool on) {
        m_notify = on;
        for (Workspace* ws : std::as_const(m_workspaces))
            ws->notifier()->setEnabled(on);
        QSettings().setValue(QStringLiteral("notifyFailures"), on);
    });

    auto* help = menuBar()->addMenu(tr("&Help"));
    help->addAction(tr("&About Weft Studio"), this, [this] {
        QMessageBox::about(
            this, tr("About Weft Studio"),
            tr("<h3>Weft Studio %1</h3><p>Monitor and debug Weft flow runs: live run "
               "list, task graph, timeline, logs and charts.</p><p>%2</p>")
                .arg(QApplication::applicationVersion(),
                     backend() ? backend()->description() : QString()));
    });
    m_paletteActions << open << m_manageConnections << m_addServer << m_exportGraph
                     << m_exportTimeline << m_retry << m_cancel << m_markAs << m_delete << runs
                     << dash << flows << closeTab << nextConnection << previousConnection
                     << showSidebar << notify;
}

void MainWindow::buildStatusBar() {
    m_connectionLabel = new QLabel(this);
    m_connectionLabel->setObjectName(QStringLiteral("connectionLabel"));
    m_backendLabel = new QLabel(this);
    m_backendLabel->setObjectName(QStringLiteral("backendLabel"));
    m_rateLabel = new QLabel(tr("0 events/s"), this);
    m_rateLabel->setObjectName(QStringLiteral("rateLabel"));
    m_messageLabel = new QLabel(this);
    m_messageLabel->setObjectName(QStringLiteral("messageLabel"));
    statusBar()->addWidget(m_messageLabel, 1);
    statusBar()->addPermanentWidget(m_rateLabel);
    statusBar()->addPermanentWidget(m_connectionLabel);
    statusBar()->addPermanentWidget(m_backendLabel);
}

void MainWindow::updateStatus() {
    if (!m_current) return;
    const ConnectionHealth health = m_current->status();
    m_connectionLabel->setText(
        QStringLiteral("<span style=\"color:%1\">&#9679;</span> %2")
            .arg(healthColor(health).name(), m_current->statusText().toHtmlEscaped()));
    m_connectionLabel->setToolTip(m_current->statusDetail().isEmpty()
                                      ? m_current->location()
                                      : m_current->location() + QStringLiteral("\n")
                                            + m_current->statusDetail());
    Backend* b = m_current->backend();
    const bool healthy = !b || b->isHealthy();
    const QString description = b ? b->description() : m_current->location();
    m_backendLabel->setText(healthy ? description : tr("%1 · unhealthy").arg(description));
    m_backendLabel->setToolTip(healthy ? QString() : b->healthError());
    m_backendLabel->setStyleSheet(healthy ? QString()
                                          : QStringLiteral("color: #d9534f; font-weight: bold"));
    // A server's window names it: its title says which one is shown.
    setWindowTitle(m_current->isServer() ? tr("Weft Studio — %1").arg(description)
                                         : tr("Weft Studio"));
}

void MainWindow::showPage(Page page) {
    if (Workspace* ws = currentWorkspace()) ws->showPage(page);
}

void MainWindow::setConfirmActions(bool ask) {
    m_confirm = ask;
    for (Workspace* ws : std::as_const(m_workspaces))
        ws->actions()->setConfirm(ask);
}

void MainWindow::updateActionState() {
    Workspace* ws = currentWorkspace();
    const bool any = ws && !ws->selectedRunIds().isEmpty() && !ws->backend()->isReadOnly();
    for (QAction* a : {m_retry, m_cancel, m_markAs, m_delete})
        if (a) a->setEnabled(any);
    if (m_runDeployment) {
        // Disabled, saying why, where the backend cannot run deployments (a local database).
        const QString cannot =
            ws ? ws->backend()->cannot(Backend::Capability::RunDeployment) : tr("Not connected.");
        m_runDeployment->setEnabled(cannot.isEmpty());
        m_runDeployment->setToolTip(cannot);
    }
    const bool page = currentRunPage() != nullptr;
    if (m_exportGraph) m_exportGraph->setEnabled(page);
    if (m_exportTimeline) m_exportTimeline->setEnabled(page);
}

void MainWindow::openRun(const QString& id) {
    if (Workspace* ws = currentWorkspace())
        ws->openRun(id);
    else if (m_current)
        m_messageLabel->setText(tr("%1 is not connected yet.").arg(m_current->name()));
}

void MainWindow::showCommandPalette() {
    if (CommandPalette* palette = commandPalette()) palette->popup();
}

void MainWindow::setTheme(Theme theme) {
    if (!m_theme) return;
    m_theme->apply(theme);
    QSettings().setValue(QStringLiteral("theme"), themeToString(theme));
}

void MainWindow::restoreLayout() {
    QSettings settings;
    restoreGeometry(settings.value(QStringLiteral("window/geometry")).toByteArray());
    restoreState(settings.value(QStringLiteral("window/state")).toByteArray());
    m_splitter->restoreState(settings.value(QStringLiteral("window/sidebar")).toByteArray());
}

void MainWindow::saveLayout() {
    QSettings settings;
    settings.setValue(QStringLiteral("window/geometry"), saveGeometry());
    settings.setValue(QStringLiteral("window/state"), saveState());
    settings.setValue(QStringLiteral("window/sidebar"), m_splitter->saveState());
}

QStringList MainWindow::recentDatabases() {
    QStringList paths = QSettings().value(QStringLiteral("recentDatabases")).toStringList();
    paths.removeIf([](const QString& p) { return !QFileInfo::exists(p); });
    return paths;
}

void MainWindow::rememberDatabase(const QString& path) {
    if (path.isEmpty()) return;
    QStringList paths = recentDatabases();
    paths.removeAll(path);
    paths.prepend(path);
    QSettings().setValue(QStringLiteral("recentDatabases"), paths.mid(0, 8));
}

void MainWindow::createDatabaseWindow(const QString& path) {
    // Creating the file is I/O: off the GUI thread. The new window then opens it like any other.
    runAsync<QString>(
        this,
        [path]() -> QString {
            try {
                weft::Store::open(path.toStdString());
                return {};
            } catch (const std::exception& e) {
                return QString::fromStdString(e.what());
            }
        },
        [this, path](Result<QString> r) {
            const QString error = r ? *r : r.error();
            if (error.isEmpty())
                openDatabaseWindow(path);
            else
                QMessageBox::warning(this, tr("New database"), error);
        });
}

void MainWindow::openDatabaseWindow(const QString& path) {
    // Each window serves one database: another one opens in its own process, which remembers
    // the file once it opened it.
    if (!QProcess::startDetached(QApplication::applicationFilePath(),
                                 {QStringLiteral("--db"), path}))
        QMessageBox::warning(this, tr("Open database"),
                             tr("Could not start Weft Studio for %1.").arg(path));
}

void MainWindow::closeEvent(QCloseEvent* event) {
    saveLayout();
    QMainWindow::closeEvent(event);
}

} // namespace weft::studio
