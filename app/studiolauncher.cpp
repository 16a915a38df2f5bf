#include "studiolauncher.h"

#include "backend/embeddedbackend.h"
#include "backend/remotebackend.h"
#include "connection.h"
#include "connections/keychainsecretstore.h"
#include "connections/profileimporter.h"
#include "connections/profilestore.h"
#include "demorunner.h"
#include "mainwindow.h"
#include "runpage.h"
#include "screenshot.h"

#include <weft/store.hpp>

#include <QApplication>
#include <QDir>
#include <QFileDialog>
#include <QFileInfo>
#include <QMessageBox>
#include <QPushButton>
#include <QRegularExpression>
#include <cstdio>

namespace weft::studio {

StudioLauncher::StudioLauncher(StudioOptions options, ThemeManager* theme)
    : m_options(std::move(options))
    , m_theme(theme) {}

StudioLauncher::~StudioLauncher() {
    m_window.reset(); // before the backend it shows and the profiles it lists
}

bool StudioLauncher::start() {
    if (!m_options.connectUrl.isEmpty()) {
        connectToServer();
        return true;
    }
    if (m_options.demo) {
        m_demo = std::make_unique<DemoRunner>();
        if (!m_demo->isValid()) {
            std::fprintf(stderr, "weft-studio: cannot create a temporary folder for the demo.\n");
            return false;
        }
        open(m_demo->databasePath(), true);
        return true;
    }
    // The default database is where flow programs write: it may be created. A path the user
    // typed must exist, so a typo does not leave an empty database behind.
    open(localDatabasePath(), m_options.db.isEmpty());
    return true;
}

ProfileStore* StudioLauncher::profiles() {
    if (!m_profiles) {
        m_settings = std::make_unique<QSettings>();
        m_profiles = std::make_unique<ProfileStore>(m_settings.get());
        m_secrets = std::make_unique<KeychainSecretStore>();
    }
    return m_profiles.get();
}

QString StudioLauncher::localDatabasePath() const {
    return m_options.db.isEmpty() ? QString::fromStdString(weft::default_db_path()) : m_options.db;
}

void StudioLauncher::open(const QString& path, bool mayCreate) {
    // A failed backend may be the one whose signal led here: it goes once that returns.
    if (m_backend) m_backend.release()->deleteLater();
    auto backend = std::make_unique<EmbeddedBackend>(
        path, mayCreate ? EmbeddedBackend::Create::IfMissing : EmbeddedBackend::Create::Never);
    EmbeddedBackend* embedded = backend.get();
    m_backend = std::move(backend);
    connect(embedded, &Backend::opened, this, &StudioLauncher::onOpened);
    connect(embedded, &Backend::failed, this, &StudioLauncher::onFailed);
    embedded->open();
}

// The token: --token, else the environment's, as the weft command line reads it ("user:password"
// is HTTP basic, anything else a bearer API key).
void StudioLauncher::connectToServer() {
    if (m_backend) m_backend.release()->deleteLater();
    RemoteSettings settings;
    settings.apiUrl = QUrl(m_options.connectUrl);
    settings.token = m_options.token;
    if (settings.token.isEmpty()) settings.token = qEnvironmentVariable("WEFT_API_KEY");
    if (settings.token.isEmpty()) settings.token = qEnvironmentVariable("WEFT_API_AUTH_STRING");
    auto backend = std::make_unique<RemoteBackend>(settings);
    RemoteBackend* remote = backend.get();
    m_backend = std::move(backend);
    connect(remote, &Backend::opened, this, &StudioLauncher::onOpened);
    connect(remote, &Backend::failed, this, &StudioLauncher::onConnectFailed);
    remote->open();
}

void StudioLauncher::onConnectFailed(const QString& message) {
    std::fprintf(stderr, "weft-studio: %s\n", qPrintable(message));
    if (!m_options.screenshot.isEmpty()) {
        QApplication::exit(1);
        return;
    }
    QMessageBox box(QMessageBox::Critical, tr("Weft Studio"),
                    tr("Could not connect to the server."));
    box.setInformativeText(message);
    QPushButton* again = box.addButton(tr("Try again"), QMessageBox::AcceptRole);
    box.addButton(tr("Quit"), QMessageBox::RejectRole);
    box.setDefaultButton(again);
    box.exec();
    if (box.clickedButton() != again) {
        QApplication::exit(1);
        return;
    }
    connectToServer();
}

QString StudioLauncher::withoutCommandLineHints(QString message) {
    static const QRegularExpression hint(QStringLiteral("\\s*[^.(]*--db / WEFT_DB[^.]*\\."));
    return message.remove(hint).trimmed();
}

void StudioLauncher::onFailed(const QString& message) {
    std::fprintf(stderr, "%s\n", qPrintable(message));
    if (!m_options.screenshot.isEmpty()) {
        QApplication::exit(1);
        return;
    }
    QMessageBox box(QMessageBox::Critical, tr("Weft Studio"),
                    tr("The database could not be opened."));
    box.setInformativeText(withoutCommandLineHints(message));
    QPushButton* another = box.addButton(tr("Open another…"), QMessageBox::AcceptRole);
    QPushButton* fresh = box.addButton(tr("New database…"), QMessageBox::ActionRole);
    box.addButton(tr("Quit"), QMessageBox::RejectRole);
    box.setDefaultButton(another);
    box.exec();
    QString path;
    if (box.clickedButton() == another)
        path = QFileDialog::getOpenFileName(nullptr, tr("Open a Weft database"), {},
                                            tr("Weft databases (*.db);;All files (*)"));
    else if (box.clickedButton() == fresh)
        path = QFileDialog::getSaveFileName(nullptr, tr("New Weft database"),
                                            QStringLiteral("weft.db"), tr("Weft databases (*.db)"));
    if (path.isEmpty()) {
        QApplication::exit(1);
        return;
    }
    open(path, box.clickedButton() == fresh);
}

void StudioLauncher::onOpened() {
    if (m_demo)
        m_demo->start();
    else if (auto* embedded = qobject_cast<EmbeddedBackend*>(m_backend.get()))
        MainWindow::rememberDatabase(QFileInfo(embedded->databasePath()).absoluteFilePath());

    if (qobject_cast<RemoteBackend*>(m_backend.get())) {
        // The server is shown; the local database is opened beside it in the sidebar (a --db
        // path must exist, the default one may be created).
        m_window = std::make_unique<MainWindow>(m_theme);
        Connection* local = Connection::local(tr("Local database"), localDatabasePath(),
                                              m_options.db.isEmpty(), m_window.get());
        m_window->addConnection(local);
        local->activate(); // its health shows at once; its workspace waits for a selection
        // A saved server's URL: the row takes its name and stands for it.
        const auto saved = profiles()->findByUrl(QUrl(m_options.connectUrl));
        auto* server = new Connection(saved ? saved->name : Connection::nameFor(m_backend.get()),
                                      m_backend.get());
        if (saved) server->setProfileId(saved->id);
        m_window->addConnection(server, true);
    } else {
        m_window = std::make_unique<MainWindow>(m_backend.get(), m_theme);
    }
    MainWindow* window = m_window.get();
    window->setProfiles(
        profiles(), m_secrets.get(),
        ProfileImporter(QProcessEnvironment::systemEnvironment(), QDir::homePath()));
    if (!m_options.screenshot.isEmpty()) window->setConfirmActions(false);
    if (const int page = pageNames().indexOf(m_options.page); page >= 0)
        window->showPage(MainWindow::Page(page));
    window->show();
    if (const int tab = runTabNames().indexOf(m_options.runTab); tab >= 0)
        connect(window, &MainWindow::runPageOpened, window,
                [tab](RunPage* page) { page->showTab(RunPage::Tab(tab)); });
    if (!m_options.openRun.isEmpty()) window->openRun(m_options.openRun);
    if (!m_options.screenshot.isEmpty())
        scheduleScreenshot(window, m_options.screenshot, m_options.screenshotDelayMs);
    Q_EMIT windowShown();
}

} // namespace weft::studio
