#include "workspace.h"

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

#include <QAction>
#include <QMenu>
#include <QTabBar>
#include <QTabWidget>
#include <QVBoxLayout>

namespace weft::studio {

namespace {
constexpr int kFixedTabs = 5; // Runs, Dashboard, Flows, Deployments, Work pools
}

Workspace::Workspace(Backend* backend, QString source, QWidget* parent)
    : QWidget(parent)
    , m_backend(backend)
    , m_source(std::move(source))
    , m_actions(new RunActions(backend, this)) {
    setObjectName(QStringLiteral("workspace"));
    buildPages();
    m_palette = new CommandPalette(backend, this);
    connect(m_palette, &CommandPalette::runChosen, this, &Workspace::openRun);
    connect(m_palette, &CommandPalette::flowChosen, this, &Workspace::showFlowRuns);
    m_notifier = new FailureNotifier(backend, this);
    connect(m_actions, &RunActions::message, this, &Workspace::message);
}

Workspace::~Workspace() {
    // Run pages die with the tab widget, after this object's members: they must not call back.
    for (RunPage* page : std::as_const(m_runPages))
        disconnect(page, nullptr, this, nullptr);
    m_runPages.clear();
}

void Workspace::buildPages() {
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    m_tabs = new QTabWidget(this);
    m_tabs->setDocumentMode(true);
    m_tabs->setTabsClosable(true);
    m_tabs->setMovable(true);
    layout->addWidget(m_tabs);
    m_runList = new RunListWidget(m_backend, m_tabs);
    m_dashboardModel = new DashboardModel(m_backend, this);
    m_dashboard = new DashboardWidget(m_dashboardModel, m_tabs);
    m_flows = new FlowsPage(m_backend, m_tabs);
    m_tabs->addTab(m_runList, QIcon(QStringLiteral(":/weft/icons/runs.svg")), tr("Runs"));
    m_tabs->addTab(m_dashboard, QIcon(QStringLiteral(":/weft/icons/dashboard.svg")),
                   tr("Dashboard"));
    m_tabs->addTab(m_flows, QIcon(QStringLiteral(":/weft/icons/flows.svg")), tr("Flows"));
    m_deployments = new DeploymentsPage(m_backend, m_tabs);
    m_workPools = new WorkPoolsPage(m_backend, m_tabs);
    m_tabs->addTab(m_deployments, tr("Deployments"));
    m_tabs->addTab(m_workPools, tr("Work pools"));
    for (int i = 0; i < kFixedTabs; ++i) {
        m_tabs->tabBar()->setTabButton(i, QTabBar::RightSide, nullptr);
        m_tabs->tabBar()->setTabButton(i, QTabBar::LeftSide, nullptr);
    }
    if (m_backend->isOpen()) m_dashboardModel->refresh();

    connect(m_tabs, &QTabWidget::tabCloseRequested, this, &Workspace::closeTab);
    connect(m_tabs, &QTabWidget::currentChanged, this, &Workspace::selectionChanged);
    connect(m_runList, &RunListWidget::runActivated, this, &Workspace::openRun);
    connect(m_runList, &RunListWidget::selectionChanged, this, &Workspace::selectionChanged);
    connect(m_runList, &RunListWidget::contextMenuRequested, this,
            [this](const QStringList& ids, const QPoint& pos) {
                QMenu menu(this);
                if (ids.size() == 1)
                    menu.addAction(tr("Open"), this, [this, ids] { openRun(ids.front()); });
                if (m_retry) menu.addAction(m_retry);
                if (ids.size() == 1)
                    menu.addAction(tr("Run again with parameters…"), this,
                                   [this, ids] { m_actions->runAgain(ids.front()); })
                        ->setEnabled(!m_backend->isReadOnly());
                for (QAction* a : {m_cancel, m_markAs})
                    if (a) menu.addAction(a);
                menu.addSeparator();
                if (m_delete) menu.addAction(m_delete);
                menu.exec(pos);
            });
    connect(m_dashboard, &DashboardWidget::runActivated, this, &Workspace::openRun);
    connect(m_flows, &FlowsPage::openRun, this, &Workspace::openRun);
    connect(m_flows, &FlowsPage::runAgain, m_actions, &RunActions::runAgain);
    connect(m_flows, &FlowsPage::showRunsOf, this, &Workspace::showFlowRuns);
    connect(m_deployments, &DeploymentsPage::openRun, this, &Workspace::openRun);
    connect(m_deployments, &DeploymentsPage::message, this, &Workspace::message);
}

void Workspace::setRunMenuActions(QAction* retry, QAction* cancel, QAction* markAs,
                                  QAction* remove) {
    m_retry = retry;
    m_cancel = cancel;
    m_markAs = markAs;
    m_delete = remove;
    if (remove) m_runList->addAction(remove); // its shortcut works where the list has focus
}

void Workspace::showFlowRuns(const QString& flow) {
    FlowRunFilter f;
    f.flowNames = {flow};
    m_runList->setFilter(f);
    showPage(Page::Runs);
}

void Workspace::showPage(Page page) {
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

RunPage* Workspace::runPage(const QString& flowRunId) const {
    return m_runPages.value(flowRunId);
}

RunPage* Workspace::currentRunPage() const {
    return qobject_cast<RunPage*>(m_tabs->currentWidget());
}

QStringList Workspace::selectedRunIds() const {
    if (RunPage* page = currentRunPage()) return {page->flowRunId()};
    if (m_tabs->currentWidget() == m_runList) return m_runList->selectedRunIds();
    return {};
}

void Workspace::openRun(const QString& id) {
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
                Q_EMIT message(tr("couldn't look up flow run %1: %2").arg(wanted, found.error()));
                return;
            }
            const std::vector<std::string>& ids = *found;
            if (ids.size() != 1) {
                Q_EMIT message(ids.empty()
                                   ? tr("No flow run with id %1.").arg(wanted)
                                   : tr("The id prefix %1 matches several runs.").arg(wanted));
                return;
            }
            m_backend->fetchFlowRun(
                ids.front(), this, [this](Result<std::optional<weft::FlowRunRecord>> run) {
                    if (!run)
                        Q_EMIT message(tr("couldn't load the flow run: %1").arg(run.error()));
                    else if (*run)
                        openRunPage(**run);
                });
        });
}

void Workspace::openRunPage(const weft::FlowRunRecord& run) {
    const QString id = QString::fromStdString(run.id);
    if (RunPage* page = m_runPages.value(id)) {
        m_tabs->setCurrentWidget(page);
        return;
    }
    auto* page = new RunPage(m_backend, m_actions, run, m_tabs);
    page->setSource(m_source);
    m_runPages.insert(id, page);
    const int index = m_tabs->addTab(page, page->title());
    m_tabs->setTabToolTip(index, m_source.isEmpty() ? id : id + QLatin1Char('\n') + m_source);
    m_tabs->setCurrentIndex(index);
    connect(page, &RunPage::openRun, this, &Workspace::openRun);
    connect(page, &RunPage::titleChanged, this, [this, page](const QString& title) {
        m_tabs->setTabText(m_tabs->indexOf(page), title);
    });
    connect(page, &QObject::destroyed, this, [this, id] { m_runPages.remove(id); });
    Q_EMIT selectionChanged();
    Q_EMIT runPageOpened(page);
}

void Workspace::closeTab(int index) {
    if (index < kFixedTabs) return;
    QWidget* w = m_tabs->widget(index);
    if (!w) return;
    m_tabs->removeTab(index);
    if (auto* page = qobject_cast<RunPage*>(w)) m_runPages.remove(page->flowRunId());
    w->deleteLater();
}

} // namespace weft::studio
