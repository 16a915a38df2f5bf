#pragma once
// The main window: Runs, Dashboard, Flows, Deployments and Work pools pages and any number of run
// pages in tabs; menus, shortcuts, the command palette, the status bar (backend, database, live
// event rate); layout and choices remembered in QSettings.
#include "backend/backend.h"
#include "common/theme.h"

#include <QHash>
#include <QMainWindow>

class QLabel;
class QTabWidget;
class QAction;

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

class MainWindow : public QMainWindow {
    Q_OBJECT
public:
    MainWindow(Backend* backend, ThemeManager* theme, QWidget* parent = nullptr);
    ~MainWindow() override;

    Backend* backend() const { return m_backend; }
    RunActions* actions() const { return m_actions; }
    RunListWidget* runList() const { return m_runList; }
    FlowsPage* flowsPage() const { return m_flows; }
    DashboardWidget* dashboard() const { return m_dashboard; }
    DeploymentsPage* deploymentsPage() const { return m_deployments; }
    WorkPoolsPage* workPoolsPage() const { return m_workPools; }
    QTabWidget* tabs() const { return m_tabs; }
    CommandPalette* commandPalette() const { return m_palette; }
    /// The open run page of a flow run, if any.
    RunPage* runPage(const QString& flowRunId) const;
    RunPage* currentRunPage() const;

    enum class Page { Runs, Dashboard, Flows, Deployments, WorkPools };
    void showPage(Page page);
    void setConfirmActions(bool ask);
    /// Databases opened before, newest first (those that still exist).
    static QStringList recentDatabases();
    static void rememberDatabase(const QString& path);

public Q_SLOTS:
    /// Opens (or focuses) the page of a flow run; `id` may be a unique prefix.
    void openRun(const QString& id);
    void showCommandPalette();

Q_SIGNALS:
    /// A run page was created (not when an open one is focused again).
    void runPageOpened(weft::studio::RunPage* page);

protected:
    void closeEvent(QCloseEvent* event) override;

private:
    void buildPages();
    void buildMenus();
    void buildStatusBar();
    void restoreLayout();
    void saveLayout();
    QStringList selectedRunIds() const;
    void updateActionState();
    void openRunPage(const weft::FlowRunRecord& run);
    void closeTab(int index);
    void setTheme(Theme theme);
    void openDatabaseWindow(const QString& path);
    void createDatabaseWindow(const QString& path);

    Backend* m_backend;
    ThemeManager* m_theme;
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

    QLabel* m_backendLabel = nullptr;
    QLabel* m_rateLabel = nullptr;
    QLabel* m_messageLabel = nullptr;

    QAction* m_retry = nullptr;
    QAction* m_cancel = nullptr;
    QAction* m_markAs = nullptr;
    QAction* m_delete = nullptr;
    QAction* m_exportGraph = nullptr;
    QAction* m_exportTimeline = nullptr;
    QList<QAction*> m_paletteActions;
};

} // namespace weft::studio
