#pragma once
// Opens the database weft-studio was started on, away from the GUI thread, or connects to the
// server of --connect, then shows the main window (with --connect: on the server, the local
// database beside it in the sidebar). A database that cannot be opened is reported
// in a dialog that offers another file, a new database or quitting; a server that cannot be
// reached, in one that offers to try again (with --screenshot: on stderr, exit status 1).
#include "studiooptions.h"

#include <QObject>
#include <QSettings>
#include <memory>

namespace weft::studio {

class Backend;
class DemoRunner;
class EmbeddedBackend;
class MainWindow;
class ProfileStore;
class SecretStore;
class ThemeManager;

class StudioLauncher : public QObject {
    Q_OBJECT
public:
    StudioLauncher(StudioOptions options, ThemeManager* theme);
    ~StudioLauncher() override;

    /// Starts opening; returns false (after printing why) when nothing can be opened at all.
    bool start();
    MainWindow* window() const { return m_window.get(); }

    /// The store's message without its command-line hints ("point --db / WEFT_DB at …"), which
    /// a dialog replaces with buttons.
    static QString withoutCommandLineHints(QString message);

Q_SIGNALS:
    /// The window is shown (tests wait for it).
    void windowShown();

private:
    /// The saved servers (and their secrets' store), made on first use.
    ProfileStore* profiles();
    /// --db, else the default database.
    QString localDatabasePath() const;
    void open(const QString& path, bool mayCreate);
    void connectToServer();
    void onConnectFailed(const QString& message);
    void onOpened();
    void onFailed(const QString& message);

    StudioOptions m_options;
    ThemeManager* m_theme;
    std::unique_ptr<DemoRunner> m_demo;
    // The saved servers, listed in the window's sidebar; declared before the window, which
    // uses them until it goes.
    std::unique_ptr<QSettings> m_settings;
    std::unique_ptr<ProfileStore> m_profiles;
    std::unique_ptr<SecretStore> m_secrets;
    std::unique_ptr<Backend> m_backend;
    std::unique_ptr<MainWindow> m_window;
};

} // namespace weft::studio
