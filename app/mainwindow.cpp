#include "mainwindow.h"

#include "backend/remotebackend.h"

#include "backend/embeddedbackend.h"
#include "commandpalette.h"
#include "dashboard/dashboardmodel.h"
#include "dashboard/dashboardwidget.h"
#include "deployments/deploymentspage.h"
#include "deployments/workpoolspage.h"
#include "failurenotifier.h"
#include "flowspage.h"
#include "runactions.h"
#include "runpage.h"
#include "runs/flowrunfilter.h"
#include "runs/runlistwidget.h"

#include <weft/store.hpp>

#include <QAction>
#include <QActionGroup>
#include <QApplication>
#include <QCloseEvent>
#include <QFileDialog>
#include <QFileInfo>
#include <QKeySequence>
#include <QLabel>
#include <QMenu>
#include <QMenuBar>
#include <QMessageBox>
#include <QProcess>
#include <QSettings>
#include <QStatusBar>
#include <QTabBar>
#include <QTabWidget>
#include <QTimer>

// Icons are compiled into the static app library; its initialiser must be referenced.
static void initStudioResources() {
    Q_INIT_RESOURCE(weft);
}

namespace weft::studio {

namespace {
constexpr int kFixedTabs = 5; // Runs, Dashboard, Flows, Deployments, Work pools
}

MainWindow::MainWindow(Backend* backend, ThemeManager* theme, QWidget* parent)
    : QMainWindow(parent)
    , m_backend(backend)
    , m_theme(theme)
    , m_actions(new RunActions(backend, this)) {
    initStudioResources();
    setObjectName(QStringLiteral("mainWindow"));
    // A server's window names it: several windows may show several servers.
    setWindowTitle(qobject_cast<RemoteBackend*>(backend)
                       ? tr("Weft Studio — %1").arg(backend->description())
                       : tr("Weft Studio"));
    resize(1400, 880);
    buildPages();
    buildMenus();
    buildStatusBar();
    m_palette = new CommandPalette(backend, this);
    m_palette->setActions(m_paletteActions);
    connect(m_palette, &CommandPalette::runChosen, this, &MainWindow::openRun);
    connect(m_palette, &CommandPalette::flowChosen, this, [this](const QString& flow) {
        FlowRunFilter f;
        f.flowNames = {flow};
        m_runList->setFilter(f);
        showPage(Page::Runs);
    });
    m_notifier = new FailureNotifier(backend, this);
    connect(m_actions, &RunActions::message, this,
            [this](const QString& text) { m_messageLabel->setText(text); });
    restoreLayout();
    updateActionState();
}

MainWindow::~MainWindow() {
    // Run pages die with the tab widget, after this object's members: they must not call back.
    for (RunPage* page : std::as_const(m_runPages))
        disconnect(page, nullptr, this, nullptr);
    m_runPages.clear();
}

void MainWindow::buildPages() {
    m_tabs = new QTabWidget(this);
    m_tabs->setDocumentMode(true);
    m_tabs->setTabsClosable(true);
    m_tabs->setMovable(true);
    m_runList = new RunListWidget(m_backend, m_tabs);
    m_dashboardModel = new DashboardModel(m_backend, this);
    m_dashboard = new DashboardWidget(m_dashboardModel, m_tabs);
    m_flows = new FlowsPage(m_backend, m_tabs);
    m_tabs->addTab(m_runList, QIcon(QStringLiteral(":/weft/icons/runs.svg")), tr("Runs"));
    m_tabs->addTab(m_dashboard, QIcon(QStringLiteral(":/weft/icons/dashboard.svg")),
                   tr("Dashboard"));
    m_tabs->addTab(m_flows, QIcon(QStringLiteral(":/weft/icons/flows.svg")), tr("Flows"));
    // A server's deployments and pools (a local database shows what `weft deploy` left in it).
    m_deployments = new DeploymentsPage(m_backend, m_tabs);
    m_workPools = new WorkPoolsPage(m_backend, m_tabs);
    m_tabs->addTab(m_deployments, tr("Deployments"));
    m_tabs->addTab(m_workPools, tr("Work pools"));
    connect(m_deployments, &DeploymentsPage::openRun, this, &MainWindow::openRun);
    connect(m_deployments, &DeploymentsPage::message, this,
            [this](const QString& text) { m_messageLabel->setText(text); });
    for (int i = 0; i < kFixedTabs; ++i) {
        m_tabs->tabBar()->setTabButton(i, QTabBar::RightSide, nullptr);
        m_tabs->tabBar()->setTabButton(i, QTabBar::LeftSide, nullptr);
    }
    setCentralWidget(m_tabs);
    if (m_backend->isOpen()) m_dashboardModel->refresh();

    connect(m_tabs, &QTabWidget::tabCloseRequested, this, &MainWindow::closeTab);
    connect(m_tabs, &QTabWidget::currentChanged, this, &MainWindow::updateActionState);
    connect(m_runList, &RunListWidget::runActivated, this, &MainWindow::openRun);
    connect(m_runList, &RunListWidget::selectionChanged, this, &MainWindow::updateActionState);
    connect(m_runList, &RunListWidget::contextMenuRequested, this,
            [this](const QStringList& ids, const QPoint& pos) {
                QMenu menu(this);
                if (ids.size() == 1)
                    menu.addAction(tr("Open"), this, [this, ids] { openRun(ids.front()); });
                menu.addAction(m_retry);
                if (ids.size() == 1)
                    menu.addAction(tr("Run again with parameters…"), this,
                                   [this, ids] { m_actions->runAgain(ids.front()); })
                        ->setEnabled(!m_backend->isReadOnly());
                menu.addAction(m_cancel);
                menu.addAction(m_markAs);
                menu.addSeparator();
                menu.addAction(m_delete);
                menu.exec(pos);
            });
    connect(m_dashboard, &DashboardWidget::runActivated, this, &MainWindow::openRun);
    connect(m_flows, &FlowsPage::openRun, this, &MainWindow::openRun);
    connect(m_flows, &FlowsPage::runAgain, m_actions, &RunActions::runAgain);
    connect(m_flows, &FlowsPage::showRunsOf, this, [this](const QString& flow) {
        FlowRunFilter f;
        f.flowNames = {flow};
        m_runList->setFilter(f);
        showPage(Page::Runs);
    });
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
    m_runList->addAction(m_delete);
    connect(m_retry, &QAction::triggered, this, [this] { m_actions->retry(selectedRunIds()); });
    connect(m_cancel, &QAction::triggered, this, [this] { m_actions->cancel(selectedRunIds()); });
    connect(m_markAs, &QAction::triggered, this, [this] { m_actions->markAs(selectedRunIds()); });
    connect(m_delete, &QAction::triggered, this, [this] { m_actions->remove(selectedRunIds()); });
    run->addSeparator();
    auto* runDeployment = run->addAction(tr("Run d&eployment…"));
    const QString cannotRun = m_backend->cannot(Backend::Capability::RunDeployment);
    runDeployment->setEnabled(cannotRun.isEmpty());
    runDeployment->setToolTip(cannotRun);
    connect(runDeployment, &QAction::triggered, this, [this] {
        showPage(Page::Deployments);
        m_deployments->runSelected();
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
    auto* closeTab = go->addAction(tr("Close run &page"));
    closeTab->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_W));
    connect(closeTab, &QAction::triggered, this,
            [this] { this->closeTab(m_tabs->currentIndex()); });
    auto* next = go->addAction(tr("&Next tab"));
    next->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_PageDown));
    connect(next, &QAction::triggered, this,
            [this] { m_tabs->setCurrentIndex((m_tabs->currentIndex() + 1) % m_tabs->count()); });
    auto* previous = go->addAction(tr("&Previous tab"));
    previous->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_PageUp));
    connect(previous, &QAction::triggered, this, [this] {
        m_tabs->setCurrentIndex((m_tabs->currentIndex() + m_tabs->count() - 1) % m_tabs->count());
    });

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
    auto* notify = view->addAction(tr("&Notify when a run fails"));
    notify->setCheckable(true);
    notify->setChecked(QSettings().value(QStringLiteral("notifyFailures"), true).toBool());
    connect(notify, &QAction::toggled, this, [this](bool on) {
        m_notifier->setEnabled(on);
        QSettings().setValue(QStringLiteral("notifyFailures"), on);
    });
    QTimer::singleShot(0, this, [this, notify] { m_notifier->setEnabled(notify->isChecked()); });

    auto* help = menuBar()->addMenu(tr("&Help"));
    help->addAction(tr("&About Weft Studio"), this, [this] {
        QMessageBox::about(
            this, tr("About Weft Studio"),
            tr("<h3>Weft Studio %1</h3><p>Monitor and debug Weft flow runs: live run "
               "list, task graph, timeline, logs and charts.</p><p>%2</p>")
                .arg(QApplication::applicationVersion(), m_backend->description()));
    });
    m_paletteActions << open << m_exportGraph << m_exportTimeline << m_retry << m_cancel << m_markAs
                     << m_delete << runs << dash << flows << closeTab << notify;
}

void MainWindow::buildStatusBar() {
    m_backendLabel = new QLabel(m_backend->description(), this);
    m_backendLabel->setObjectName(QStringLiteral("backendLabel"));
    m_rateLabel = new QLabel(tr("0 events/s"), this);
    m_rateLabel->setObjectName(QStringLiteral("rateLabel"));
    m_messageLabel = new QLabel(this);
    statusBar()->addWidget(m_messageLabel, 1);
    statusBar()->addPermanentWidget(m_rateLabel);
    statusBar()->addPermanentWidget(m_backendLabel);
    connect(m_backend, &Backend::eventRateChanged, this, [this](double rate) {
        m_rateLabel->setText(tr("%1 events/s").arg(rate, 0, 'f', rate < 10 ? 1 : 0));
    });
    // The backend's health: the views show their own errors in place, the status bar says the
    // backend as a whole is failing (and when it answers again).
    connect(m_backend, &Backend::healthChanged, this, [this](bool healthy, const QString& error) {
        m_backendLabel->setText(healthy ? m_backend->description()
                                        : tr("%1 · unhealthy").arg(m_backend->description()));
        m_backendLabel->setToolTip(healthy ? QString() : error);
        m_backendLabel->setStyleSheet(
            healthy ? QString() : QStringLiteral("color: #d9534f; font-weight: bold"));
        m_messageLabel->setText(healthy ? tr("The backend answers again.")
                                        : tr("The backend is unhealthy: %1").arg(error));
    });
}

void MainWindow::showPage(Page page) {
    switch (page) {
    case Page::Runs:
        m_tabs->setCurrentWidget(m_runList);
        break;
    case Page::Dashboard:
        m_tabs->setCurrentWidget(m_dashboard);
        break;
    case Page::Flows:
        m_tabs->setCurrentWidget(m_flows);
        break;
    case Page::Deployments:
        m_tabs->setCurrentWidget(m_deployments);
        break;
    case Page::WorkPools:
        m_tabs->setCurrentWidget(m_workPools);
        break;
    }
}

void MainWindow::setConfirmActions(bool ask) {
    m_actions->setConfirm(ask);
}

RunPage* MainWindow::runPage(const QString& flowRunId) const {
    return m_runPages.value(flowRunId);
}

RunPage* MainWindow::currentRunPage() const {
    return qobject_cast<RunPage*>(m_tabs->currentWidget());
}

QStringList MainWindow::selectedRunIds() const {
    if (RunPage* page = currentRunPage()) return {page->flowRunId()};
    if (m_tabs->currentWidget() == m_runList) return m_runList->selectedRunIds();
    return {};
}

void MainWindow::updateActionState() {
    const bool any = !selectedRunIds().isEmpty() && !m_backend->isReadOnly();
    for (QAction* a : {m_retry, m_cancel, m_markAs, m_delete})
        if (a) a->setEnabled(any);
    const bool page = currentRunPage() != nullptr;
    if (m_exportGraph) m_exportGraph->setEnabled(page);
    if (m_exportTimeline) m_exportTimeline->setEnabled(page);
}

void MainWindow::openRun(const QString& id) {
    const QString wanted = id.trimmed().toLower();
    if (wanted.isEmpty()) return;
    if (RunPage* page = m_runPages.value(wanted)) {
        m_tabs->setCurrentWidget(page);
        return;
    }
    // The id may be a unique prefix, as on the command line.
    m_backend->fetchFlowRunIdsWithPrefix(
        wanted.toStdString(), this, [this, wanted](Result<std::vector<std::string>> found) {
            if (!found) {
                m_messageLabel->setText(
                    tr("couldn't look up flow run %1: %2").arg(wanted, found.error()));
                return;
            }
            const std::vector<std::string>& ids = *found;
            if (ids.size() != 1) {
                m_messageLabel->setText(
                    ids.empty() ? tr("No flow run with id %1.").arg(wanted)
                                : tr("The id prefix %1 matches several runs.").arg(wanted));
                return;
            }
            m_backend->fetchFlowRun(
                ids.front(), this, [this](Result<std::optional<weft::FlowRunRecord>> run) {
                    if (!run)
                        m_messageLabel->setText(
                            tr("couldn't load the flow run: %1").arg(run.error()));
                    else if (*run)
                        openRunPage(**run);
                });
        });
}

void MainWindow::openRunPage(const weft::FlowRunRecord& run) {
    const QString id = QString::fromStdString(run.id);
    if (RunPage* page = m_runPages.value(id)) {
        m_tabs->setCurrentWidget(page);
        return;
    }
    auto* page = new RunPage(m_backend, m_actions, run, m_tabs);
    m_runPages.insert(id, page);
    const int index = m_tabs->addTab(page, page->title());
    m_tabs->setTabToolTip(index, id);
    m_tabs->setCurrentIndex(index);
    connect(page, &RunPage::openRun, this, &MainWindow::openRun);
    connect(page, &RunPage::titleChanged, this, [this, page](const QString& title) {
        m_tabs->setTabText(m_tabs->indexOf(page), title);
    });
    connect(page, &QObject::destroyed, this, [this, id] { m_runPages.remove(id); });
    updateActionState();
    Q_EMIT runPageOpened(page);
}

void MainWindow::closeTab(int index) {
    if (index < kFixedTabs) return;
    QWidget* w = m_tabs->widget(index);
    m_tabs->removeTab(index);
    if (auto* page = qobject_cast<RunPage*>(w)) m_runPages.remove(page->flowRunId());
    w->deleteLater();
}

void MainWindow::showCommandPalette() {
    m_palette->popup();
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
}

void MainWindow::saveLayout() {
    QSettings settings;
    settings.setValue(QStringLiteral("window/geometry"), saveGeometry());
    settings.setValue(QStringLiteral("window/state"), saveState());
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
