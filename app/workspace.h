#pragma once
// Everything Studio shows of one connection: the Runs, Dashboard, Flows, Deployments and Work
// pools pages and the run pages in tabs, with the run controls (RunActions), the failure notifier
// and the command palette on that connection's backend. The main window holds one per connection it
// opened.
#include "backend/backend.h"

#include <QHash>
#include <QWidget>

class QAction;
class QTabWidget;

namespace weft::studio {

class CommandPalette;
class DashboardModel;
class DashboardWidget;
class DeploymentsPage;
class FailureNotifier;
class FlowsPage;
class RunActions;
class RunListWidget;
class RunPage;
class WorkPoolsPage;

class Workspace : public QWidget {
    Q_OBJECT
public:
    /// `source` names the connection on its run pages ("on prod (http://…)"); empty: nothing.
    Workspace(Backend* backend, QString source, QWidget* parent = nullptr);
    ~Workspace() override;

    Backend* backend() const { return m_backend; }
    RunActions* actions() const { return m_actions; }
    RunListWidget* runList() const { return m_runList; }
    FlowsPage* flowsPage() const { return m_flows; }
    DashboardWidget* dashboard() const { return m_dashboard; }
    DeploymentsPage* deploymentsPage() const { return m_deployments; }
    WorkPoolsPage* workPoolsPage() const { return m_workPools; }
    QTabWidget* tabs() const { return m_tabs; }
    CommandPalette* commandPalette() const { return m_palette; }
    FailureNotifier* notifier() const { return m_notifier; }
    QString source() const { return m_source; }
    /// The open run page of a flow run, if any.
    RunPage* runPage(const QString& flowRunId) const;
    RunPage* currentRunPage() const;
    /// The runs the run controls act on: the run page's run, or the selection in the run list.
    QStringList selectedRunIds() const;

    // In the order of weft-studio --page's names (pageNames()).
    enum class Page { Runs, Dashboard, Flows, Deployments, WorkPools };
    void showPage(Page page);
    /// The window's Retry / Cancel / Mark as / Delete, for the run list's context menu (and
    /// Delete as its shortcut).
    void setRunMenuActions(QAction* retry, QAction* cancel, QAction* markAs, QAction* remove);
    /// Closes a run page's tab (the fixed pages stay).
    void closeTab(int index);
    void showFlowRuns(const QString& flow);

public Q_SLOTS:
    /// Opens (or focuses) the page of a flow run; `id` may be a unique prefix.
    void openRun(const QString& id);

Q_SIGNALS:
    /// A run page was created (not when an open one is focused again).
    void runPageOpened(weft::studio::RunPage* page);
    /// One line for the status bar: an action's outcome or refusal, a failed look-up.
    void message(const QString& text);
    /// The current tab or the selection changed: the window's controls follow.
    void selectionChanged();

private:
    void buildPages();
    void openRunPage(const weft::FlowRunRecord& run);

    Backend* m_backend;
    QString m_source;
    RunActions* m_actions;
    QTabWidget* m_tabs = nullptr;
    RunListWidget* m_runList = nullptr;
    DashboardModel* m_dashboardModel = nullptr;
    DashboardWidget* m_dashboard = nullptr;
    FlowsPage* m_flows = nullptr;
    DeploymentsPage* m_deployments = nullptr;
    WorkPoolsPage* m_workPools = nullptr;
    CommandPalette* m_palette = nullptr;
    FailureNotifier* m_notifier = nullptr;
    QHash<QString, RunPage*> m_runPages;
    QAction* m_retry = nullptr;
    QAction* m_cancel = nullptr;
    QAction* m_markAs = nullptr;
    QAction* m_delete = nullptr;
};

} // namespace weft::studio
