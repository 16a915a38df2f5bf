// The window with several connections: the local database and a real weft-server on 127.0.0.1
// side by side in the sidebar, each in its own workspace; the server's health in its row and the
// status bar while it is killed and restarted; a run page naming its server; refusals with their
// reason; 401 as "auth failed" and an API version Studio cannot speak as "incompatible".
#include "../connections/fakehttpserver.h"
#include "apiversion.h"
#include "backend/embeddedbackend.h"
#include "backend/remotebackend.h"
#include "common/theme.h"
#include "connection.h"
#include "connections/connectionhealth.h"
#include "connections/memorysecretstore.h"
#include "connections/profilestore.h"
#include "deployments/deploymentspage.h"
#include "deployments/workpoolspage.h"
#include "fixtures.h"
#include "flowspage.h"
#include "mainwindow.h"
#include "runactions.h"
#include "runpage.h"
#include "runs/flowrunlistmodel.h"
#include "runs/flowrunroles.h"
#include "runs/runlistwidget.h"
#include "sidebarmodel.h"
#include "studiolauncher.h"
#include "testprocess.h"

#include <QApplication>
#include <QLabel>
#include <QListView>
#include <QStackedWidget>
#include <QTabWidget>
#include <QtTest>

using namespace weft::studio;

namespace {

QStringList runIds(RunListWidget* list) {
    QStringList names;
    auto* model = list->model();
    for (int row = 0; row < model->rowCount(); ++row)
        names << model->index(row, 0).data(flowruns::IdRole).toString();
    return names;
}

ConnectionHealth rowStatus(MainWindow& window, int row) {
    return window.sidebarModel()
        ->index(row)
        .data(SidebarModel::HealthRole)
        .value<ConnectionHealth>();
}

} // namespace

class TestWorkspaces : public QObject {
    Q_OBJECT
    QTemporaryDir m_dir;
    QString m_localDb;
    QString m_serverDb;
    fixtures::Written m_localRun;
    fixtures::Written m_serverRun;
    std::unique_ptr<ThemeManager> m_theme;

private Q_SLOTS:
    void initTestCase() {
        QStandardPaths::setTestModeEnabled(true);
        m_localDb = m_dir.filePath(QStringLiteral("local.db"));
        m_serverDb = m_dir.filePath(QStringLiteral("server.db"));
        {
            auto store = weft::Store::open(m_localDb.toStdString());
            fixtures::RunSpec spec;
            spec.flow_name = "local-flow";
            m_localRun = fixtures::writeRun(*store, spec);
            store->flush();
        }
        {
            auto store = weft::Store::open(m_serverDb.toStdString());
            fixtures::RunSpec spec;
            spec.flow_name = "server-flow";
            spec.tasks = fixtures::chain(2);
            m_serverRun = fixtures::writeRun(*store, spec);
            fixtures::RunSpec other;
            other.flow_name = "server-flow";
            fixtures::writeRun(*store, other);
            store->flush();
        }
        m_theme = std::make_unique<ThemeManager>(*qApp);
    }

    // Both in the sidebar; selecting the server builds its workspace on its runs; switching back
    // shows the same local workspace (kept alive), and the server's run page names its server.
    void localAndServerSideBySide() {
        ServerProcess server;
        QVERIFY2(server.start(m_serverDb), server.error().constData());
        EmbeddedBackend local(m_localDb);
        QCOMPARE(local.openNow(), QString());
        MainWindow window(&local, m_theme.get());
        window.setConfirmActions(false);
        window.show();
        Connection* prod = window.addServer(QStringLiteral("prod"), {server.url()});
        QCOMPARE(window.sidebarModel()->rowCount(), 2);
        QCOMPARE(window.sidebarModel()->index(0).data().toString(),
                 QStringLiteral("Local database"));
        QCOMPARE(window.sidebarModel()->index(1).data().toString(), QStringLiteral("prod"));
        QCOMPARE(rowStatus(window, 0), ConnectionHealth::Connected);
        QCOMPARE(rowStatus(window, 1), ConnectionHealth::NotConnected); // lazily: not selected
        QVERIFY(!prod->backend());

        Workspace* localSpace = window.currentWorkspace();
        QVERIFY(localSpace);
        QTRY_COMPARE(runIds(window.runList()),
                     QStringList{QString::fromStdString(m_localRun.flow_run_id)});

        window.selectConnection(1);
        QCOMPARE(window.currentConnection(), prod);
        QTRY_VERIFY_WITH_TIMEOUT(window.workspace(prod) != nullptr, 15000);
        QCOMPARE(window.currentWorkspace(), window.workspace(prod));
        QCOMPARE(rowStatus(window, 1), ConnectionHealth::Connected);
        QTRY_COMPARE_WITH_TIMEOUT(window.runList()->model()->rowCount(), 2, 15000);
        QTRY_VERIFY(
            runIds(window.runList()).contains(QString::fromStdString(m_serverRun.flow_run_id)));
        QVERIFY(!runIds(window.runList()).contains(QString::fromStdString(m_localRun.flow_run_id)));
        auto* status = window.findChild<QLabel*>(QStringLiteral("connectionLabel"));
        QVERIFY(status);
        QVERIFY2(status->text().contains(QStringLiteral("prod · connected")),
                 qPrintable(status->text()));
        QVERIFY(window.windowTitle().contains(server.url().toString()));

        // The run page says where the run lives, in its header and its tab's tooltip.
        const QString id = QString::fromStdString(m_serverRun.flow_run_id);
        window.openRun(id);
        QTRY_VERIFY_WITH_TIMEOUT(window.runPage(id) != nullptr, 15000);
        RunPage* page = window.runPage(id);
        auto* source = page->findChild<QLabel*>(QStringLiteral("runSource"));
        QVERIFY(source && source->isVisible());
        QVERIFY2(source->text().contains(QStringLiteral("prod"))
                     && source->text().contains(server.url().toString()),
                 qPrintable(source->text()));
        QVERIFY(window.tabs()
                    ->tabToolTip(window.tabs()->indexOf(page))
                    .contains(server.url().toString()));

        // A server's refusal reaches the status bar with its reason.
        QSignalSpy finished(window.actions(), &RunActions::finished);
        window.actions()->cancel({id}); // a completed run cannot be cancelled
        QTRY_VERIFY_WITH_TIMEOUT(!finished.isEmpty(), 15000);
        QCOMPARE(finished.front().at(2).toInt(), 1);
        auto* message = window.findChild<QLabel*>(QStringLiteral("messageLabel"));
        QVERIFY(message);
        QVERIFY2(message->text().contains(QStringLiteral("refused")), qPrintable(message->text()));

        // Each workspace has its own Deployments and Work pools pages, fixed like Runs.
        window.showPage(MainWindow::Page::Deployments);
        QCOMPARE(window.tabs()->currentWidget(),
                 static_cast<QWidget*>(window.currentWorkspace()->deploymentsPage()));
        window.currentWorkspace()->closeTab(window.tabs()->currentIndex());
        QVERIFY(window.tabs()->indexOf(window.currentWorkspace()->deploymentsPage()) >= 0);
        window.showPage(MainWindow::Page::WorkPools);
        QCOMPARE(window.tabs()->currentWidget(),
                 static_cast<QWidget*>(window.currentWorkspace()->workPoolsPage()));

        // Back to the local database: the same workspace, its run list as it was.
        window.selectConnection(0);
        QCOMPARE(window.currentWorkspace(), localSpace);
        QCOMPARE(runIds(window.runList()),
                 QStringList{QString::fromStdString(m_localRun.flow_run_id)});
        QVERIFY(window.runPage(id) == nullptr); // run pages belong to their workspace
        QVERIFY(status->text().contains(QStringLiteral("Local database · connected")));
    }

    // The server killed: its row and the status bar say "reconnecting"; restarted on the same
    // port: "connected" again, without touching the window.
    void healthFollowsTheServer() {
        auto server = std::make_unique<ServerProcess>();
        QVERIFY2(server->start(m_serverDb), server->error().constData());
        const quint16 port = server->port();
        EmbeddedBackend local(m_localDb);
        QCOMPARE(local.openNow(), QString());
        MainWindow window(&local, m_theme.get());
        window.show();
        RemoteSettings settings{server->url()};
        settings.timeoutMs = 2000;
        Connection* prod = window.addServer(QStringLiteral("prod"), settings, true);
        QTRY_VERIFY_WITH_TIMEOUT(prod->isReady(), 15000);
        auto* remote = qobject_cast<RemoteBackend*>(prod->backend());
        QVERIFY(remote);
        remote->setPollInterval(200);
        QTRY_VERIFY_WITH_TIMEOUT(remote->isLive(), 10000);
        window.selectConnection(0); // the server's health changes in the background too
        auto* status = window.findChild<QLabel*>(QStringLiteral("connectionLabel"));

        server->kill();
        QCOMPARE(server->process().state(), QProcess::NotRunning);
        QTRY_COMPARE_WITH_TIMEOUT(rowStatus(window, 1), ConnectionHealth::Reconnecting, 10000);
        QVERIFY(window.sidebarModel()
                    ->index(1)
                    .data(Qt::ToolTipRole)
                    .toString()
                    .contains(QStringLiteral("reconnecting")));
        window.selectConnection(1);
        QVERIFY2(status->text().contains(QStringLiteral("prod · reconnecting")),
                 qPrintable(status->text()));

        server = std::make_unique<ServerProcess>();
        QVERIFY2(server->start(m_serverDb, port), server->error().constData());
        QTRY_COMPARE_WITH_TIMEOUT(rowStatus(window, 1), ConnectionHealth::Connected, 15000);
        QTRY_VERIFY(status->text().contains(QStringLiteral("prod · connected")));
    }

    // A wrong API key: the row says "auth failed" (not "reconnecting"), and the page offers to
    // try again.
    void wrongKeyIsAuthFailed() {
        ServerProcess server;
        QVERIFY2(
            server.start(m_serverDb, 0, {QStringLiteral("--api-key"), QStringLiteral("right-key")}),
            server.error().constData());
        EmbeddedBackend local(m_localDb);
        QCOMPARE(local.openNow(), QString());
        MainWindow window(&local, m_theme.get());
        RemoteSettings settings{server.url()};
        settings.token = QStringLiteral("wrong-key");
        Connection* prod = window.addServer(QStringLiteral("guarded"), settings, true);
        QTRY_COMPARE_WITH_TIMEOUT(prod->status(), ConnectionHealth::AuthFailed, 15000);
        QCOMPARE(rowStatus(window, 1), ConnectionHealth::AuthFailed);
        QVERIFY(window.currentWorkspace() == nullptr);
        auto* status = window.findChild<QLabel*>(QStringLiteral("connectionLabel"));
        QVERIFY2(status->text().contains(QStringLiteral("auth failed")),
                 qPrintable(status->text()));
        // No backend is left to be "unhealthy": the status bar names where the server is.
        QCOMPARE(window.findChild<QLabel*>(QStringLiteral("backendLabel"))->text(),
                 server.url().toString());
        // WEFT_PICTURES_DIR=DIR saves the window, to look at the page that says why.
        if (const QString dir = qEnvironmentVariable("WEFT_PICTURES_DIR"); !dir.isEmpty()) {
            window.resize(1000, 600);
            window.grab().save(dir + QStringLiteral("/auth-failed.png"));
        }
    }

    // --connect URL --db DB: the window opens on the server, the local database in the sidebar
    // above it, opened when selected.
    void connectKeepsTheLocalDatabase() {
        ServerProcess server;
        QVERIFY2(server.start(m_serverDb), server.error().constData());
        StudioOptions options;
        options.db = m_localDb;
        options.connectUrl = server.url().toString();
        StudioLauncher launcher(options, m_theme.get());
        QSignalSpy shown(&launcher, &StudioLauncher::windowShown);
        QVERIFY(launcher.start());
        QTRY_VERIFY_WITH_TIMEOUT(!shown.isEmpty(), 15000);
        MainWindow* window = launcher.window();
        QCOMPARE(window->sidebarModel()->rowCount(), 2);
        QCOMPARE(window->sidebarModel()->index(0).data().toString(),
                 QStringLiteral("Local database"));
        QCOMPARE(window->sidebar()->currentIndex().row(), 1);
        QVERIFY(window->currentConnection()->isServer());
        QTRY_COMPARE_WITH_TIMEOUT(window->runList()->model()->rowCount(), 2, 15000);

        window->selectConnection(0);
        QTRY_VERIFY_WITH_TIMEOUT(window->currentWorkspace() != nullptr, 15000);
        QTRY_COMPARE(runIds(window->runList()),
                     QStringList{QString::fromStdString(m_localRun.flow_run_id)});
    }

    // --connect URL --page deployments|work-pools: the window opens on that page of the
    // server's workspace (what --screenshot then saves).
    void connectOpensOnThePage_data() {
        QTest::addColumn<QString>("page");
        QTest::addRow("deployments") << QStringLiteral("deployments");
        QTest::addRow("work pools") << QStringLiteral("work-pools");
        QTest::addRow("flows") << QStringLiteral("flows");
    }
    void connectOpensOnThePage() {
        QFETCH(QString, page);
        ServerProcess server;
        QVERIFY2(server.start(m_serverDb), server.error().constData());
        StudioOptions options;
        options.db = m_localDb;
        options.connectUrl = server.url().toString();
        options.page = page;
        StudioLauncher launcher(options, m_theme.get());
        QSignalSpy shown(&launcher, &StudioLauncher::windowShown);
        QVERIFY(launcher.start());
        QTRY_VERIFY_WITH_TIMEOUT(!shown.isEmpty(), 15000);
        MainWindow* window = launcher.window();
        QVERIFY(window->currentConnection()->isServer());
        QVERIFY(window->currentWorkspace());
        QWidget* expected =
            page == QLatin1String("deployments")  ? static_cast<QWidget*>(window->deploymentsPage())
            : page == QLatin1String("work-pools") ? static_cast<QWidget*>(window->workPoolsPage())
                                                  : static_cast<QWidget*>(window->flowsPage());
        QCOMPARE(window->tabs()->currentWidget(), expected);
    }

    // Saved profiles are listed after the local database; a profile's API key is read from the
    // secret store when it is selected (the server refuses anyone else); a removed profile
    // leaves the sidebar, and one added while the window is open is shown at once.
    void profilesInTheSidebar() {
        ServerProcess server;
        QVERIFY2(
            server.start(m_serverDb, 0, {QStringLiteral("--api-key"), QStringLiteral("s3cret")}),
            server.error().constData());
        QSettings settings(m_dir.filePath(QStringLiteral("profiles.ini")), QSettings::IniFormat);
        ProfileStore store(&settings);
        MemorySecretStore secrets;
        ConnectionProfile staging;
        staging.name = QStringLiteral("staging");
        staging.apiUrl = server.url();
        staging.auth = AuthKind::Bearer;
        const QString id = store.add(staging);
        secrets.write(id, QStringLiteral("s3cret"));
        QTRY_VERIFY(secrets.keychain().contains(id));

        EmbeddedBackend local(m_localDb);
        QCOMPARE(local.openNow(), QString());
        MainWindow window(&local, m_theme.get());
        window.setProfiles(&store, &secrets, ProfileImporter({}, m_dir.path()));
        QCOMPARE(window.sidebarModel()->rowCount(), 2);
        QCOMPARE(window.sidebarModel()->index(1).data().toString(), QStringLiteral("staging"));
        QCOMPARE(window.currentConnection()->name(), QStringLiteral("Local database"));
        const int readsBefore = secrets.calls();
        window.selectConnection(1);
        QTRY_COMPARE_WITH_TIMEOUT(rowStatus(window, 1), ConnectionHealth::Connected, 15000);
        QVERIFY(secrets.calls() > readsBefore);
        QTRY_COMPARE_WITH_TIMEOUT(window.runList()->model()->rowCount(), 2, 15000);

        ConnectionProfile prod;
        prod.name = QStringLiteral("prod");
        prod.apiUrl = QUrl(QStringLiteral("http://127.0.0.1:9/api"));
        store.add(prod);
        QCOMPARE(window.sidebarModel()->rowCount(), 3);
        QCOMPARE(window.currentConnection()->name(), QStringLiteral("prod"));

        QVERIFY(store.remove(id));
        QCOMPARE(window.sidebarModel()->rowCount(), 2);
        for (Connection* c : window.connections())
            QVERIFY(c->name() != QStringLiteral("staging"));
    }

    // A server whose /api/version Studio cannot speak to is "incompatible version", saying which.
    void otherApiVersionIsIncompatible() {
        test::FakeHttpServer fake;
        fake.answers.insert("/api/flows/filter", {200, "[]"});
        fake.answers.insert("/api/flow_runs/filter", {200, "[]"});
        fake.answers.insert("/api/version", {200, "\"1.2.0\""});
        std::unique_ptr<Connection> odd(
            Connection::server(QStringLiteral("odd"), {fake.api()}, nullptr));
        odd->activate();
        QTRY_COMPARE_WITH_TIMEOUT(odd->status(), ConnectionHealth::Incompatible, 15000);
        QVERIFY2(odd->statusDetail().contains(QStringLiteral("1.2.0")),
                 qPrintable(odd->statusDetail()));
        QVERIFY(odd->statusText().contains(QStringLiteral("incompatible version")));
    }

    void apiVersions() {
        using nlohmann::json;
        QCOMPARE(apiVersionProblem(200, json("0.8.4")), std::optional<QString>(QString()));
        QCOMPARE(apiVersionProblem(200, json("0.9.0")), std::optional<QString>(QString()));
        QVERIFY(!apiVersionProblem(200, json("1.0.0"))->isEmpty());
        QVERIFY(!apiVersionProblem(200, json("0.7.9"))->isEmpty());
        QVERIFY(!apiVersionProblem(200, json("banana"))->isEmpty());
        QVERIFY(!apiVersionProblem(200, json::object())->isEmpty());
        QVERIFY(!apiVersionProblem(404, json())->isEmpty());
        QVERIFY(!apiVersionProblem(500, json()).has_value()); // no verdict: health says it
        QVERIFY(!apiVersionProblem(401, json()).has_value());
    }
};

QTEST_MAIN(TestWorkspaces)
#include "tst_workspaces.moc"
