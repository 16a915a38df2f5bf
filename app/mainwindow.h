#pragma once
// The main window: a sidebar of connections (the local database first, then servers, each with
// its health) beside a stack of workspaces, one per connection, built on first selection and
// kept alive so switching back is instant. Menus, shortcuts, the command palette and the status
// bar (connection and its health, live event rate, messages) act on the current workspace;
// layout and choices are remembered in QSettings.
#include "backend/backend.h"
#include "backend/restclient.h"
#include "common/theme.h"
#include "connections/connectionprofile.h"
#include "connections/profileimporter.h"
#include "workspace.h"

#include <QHash>
#include <QMainWindow>
#include <QPointer>
#include <optional>

class QLabel;
class QListView;
class QSplitter;
class QStackedWidget;
class QTabWidget;
class QAction;

namespace weft::studio {

class CommandPalette;
class Connection;
class ConnectionsDialog;
class ProfileStore;
class SecretStore;
class DashboardWidget;
class DeploymentsPage;
class WorkPoolsPage;
class FlowsPage;
class RunActions;
class RunListWidget;
class RunPage;
class SidebarModel;

class MainWindow : public QMainWindow {
    Q_OBJECT
public:
    /// A window without connections yet: addConnection() adds them.
    explicit MainWindow(ThemeManager* theme, QWidget* parent = nullptr);
    /// A window whose first connection is `backend` (open; not owned), selected.
    MainWindow(Backend* backend, ThemeManager* theme, QWidget* parent = nullptr);
    ~MainWindow() override;

    // The current workspace's parts (null while its connection is not open yet).
    Backend* backend() const;
    RunActions* actions() const;
    RunListWidget* runList() const;
    FlowsPage* flowsPage() const;
    DashboardWidget* dashboard() const;
    DeploymentsPage* deploymentsPage() const;
    WorkPoolsPage* workPoolsPage() const;
    QTabWidget* tabs() const;
    CommandPalette* commandPalette() const;
    /// The open run page of a flow run in the current workspace, if any.
    RunPage* runPage(const QString& flowRunId) const;
    RunPage* currentRunPage() const;

    using Page = Workspace::Page;
    void showPage(Page page);
    void setConfirmActions(bool ask);

    /// Adds a connection to the sidebar (the window owns it); `select` shows it at once.
    Connection* addConnection(Connection* connection, bool select = false);
    /// A server in the sidebar, connected when selected.
    Connection* addServer(const QString& name, const RemoteSettings& settings, bool select = false);
    /// Lists the saved profiles in the sidebar after the connections added so far and keeps
    /// them in step with `store`; File → Connections… and Add server… edit them. A profile's
    /// secret is read from `secrets` (asynchronously) when it is first selected. Both outlive
    /// the window.
    void setProfiles(ProfileStore* store, SecretStore* secrets, ProfileImporter importer);
    /// Removes a connection from the sidebar, with its workspace (the window's connections only).
    void removeConnection(Connection* connection);
    /// Selects a sidebar row: builds its connection's workspace when it first opens.
    void selectConnection(int row);
    Connection* currentConnection() const { return m_current; }
    /// The workspace of a connection, once its backend opened and it was selected.
    Workspace* workspace(const Connection* connection) const;
    Workspace* currentWorkspace() const;
    QList<Connection*> connections() const;
    QListView* sidebar() const { return m_sidebar; }
    SidebarModel* sidebarModel() const { return m_sidebarModel; }

    /// Databases opened before, newest first (those that still exist).
    static QStringList recentDatabases();
    static void rememberDatabase(const QString& path);

public Q_SLOTS:
    /// Opens (or focuses) the page of a flow run in the current workspace; `id` may be a
    /// unique prefix.
    void openRun(const QString& id);
    void showCommandPalette();

Q_SIGNALS:
    /// A run page was created, in any workspace (not when an open one is focused again).
    void runPageOpened(weft::studio::RunPage* page);
    /// The current connection changed (the sidebar's selection).
    void currentConnectionChanged(weft::studio::Connection* connection);

protected:
    void closeEvent(QCloseEvent* event) override;

private:
    void buildSidebar();
    void buildMenus();
    void buildStatusBar();
    void restoreLayout();
    void saveLayout();
    void updateActionState();
    void updateStatus();
    void showConnection(Connection* connection);
    Workspace* buildWorkspace(Connection* connection);
    void say(Connection* from, const QString& text);
    void syncProfiles();
    ConnectionsDialog* connectionsDialog();
    void setTheme(Theme theme);
    void openDatabaseWindow(const QString& path);
    void createDatabaseWindow(const QString& path);

    ThemeManager* m_theme;
    QSplitter* m_splitter = nullptr;
    QWidget* m_sidebarPanel = nullptr;
    QListView* m_sidebar = nullptr;
    SidebarModel* m_sidebarModel = nullptr;
    QStackedWidget* m_stack = nullptr;
    Connection* m_current = nullptr;
    QHash<const Connection*, Workspace*> m_workspaces;
    QHash<const Connection*, QWidget*> m_waitingPages; // until the connection opens
    ProfileStore* m_profiles = nullptr;
    SecretStore* m_secrets = nullptr;
    std::optional<ProfileImporter> m_importer;
    QHash<const Connection*, ConnectionProfile> m_profileOf; // the sidebar rows of profiles
    QPointer<ConnectionsDialog> m_connectionsDialog;
    bool m_profilesListed = false; // the first listing selects none of them
    QAction* m_manageConnections = nullptr;
    QAction* m_addServer = nullptr;
    bool m_confirm = true;
    bool m_notify = true;

    QLabel* m_connectionLabel = nullptr;
    QLabel* m_backendLabel = nullptr;
    QLabel* m_rateLabel = nullptr;
    QLabel* m_messageLabel = nullptr;

    QAction* m_retry = nullptr;
    QAction* m_cancel = nullptr;
    QAction* m_markAs = nullptr;
    QAction* m_delete = nullptr;
    QAction* m_runDeployment = nullptr;
    QAction* m_exportGraph = nullptr;
    QAction* m_exportTimeline = nullptr;
    QList<QAction*> m_paletteActions;
};

} // namespace weft::studio
