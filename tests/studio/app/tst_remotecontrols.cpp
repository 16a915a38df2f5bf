// Studio's run controls against a real weft-server with a real `weft worker` (child processes on
// 127.0.0.1) running tests/bin/worker_flow_program's deployments: Retry pressed on a FAILED run's
// page is picked up by the worker, which reuses the completed task, and the page and the run
// list show COMPLETED from the event stream; Cancel pressed on a RUNNING run ends it CANCELLED;
// Resume on a paused run sends its input to the server, which refuses input that does not fit.
#include "backend/remotebackend.h"
#include "common/theme.h"
#include "mainwindow.h"
#include "remotetesting.h"
#include "runactions.h"
#include "runpage.h"
#include "runs/flowrunlistmodel.h"
#include "runs/flowrunroles.h"
#include "runs/runlistwidget.h"
#include "runs/runsnapshot.h"
#include "runs/taskrundetails.h"
#include "testprocess.h"

#include <QApplication>
#include <QPushButton>
#include <QToolButton>
#include <QtTest>

using namespace weft::studio;
using nlohmann::json;

namespace {

constexpr int kWaitMs = 15000;

// The state the run list shows for `id` (Pending when the run is not listed).
weft::StateType listedState(RunListWidget* list, const QString& id) {
    auto* model = list->model();
    for (int row = 0; row < model->rowCount(); ++row) {
        const QModelIndex index = model->index(row, 0);
        if (index.data(flowruns::IdRole).toString() == id)
            return weft::StateType(index.data(flowruns::StateTypeRole).toInt());
    }
    return weft::StateType::Pending;
}

} // namespace

class TestRemoteControls : public QObject {
    Q_OBJECT
    QTemporaryDir m_dir;
    ServerProcess m_server;
    QProcess m_worker;
    QString m_program;
    std::unique_ptr<ThemeManager> m_theme;
    std::unique_ptr<RemoteBackend> m_backend;

    QProcessEnvironment environment() const {
        return m_server.workerEnvironment(m_dir.filePath(QStringLiteral("home")));
    }

    // `weft deploy PROGRAM:FLOW -n NAME --pool studio`: the deployment's id.
    std::string deploy(const char* flow, const char* name) {
        const ProcessRun r =
            runProcess(binPath(QStringLiteral("weft")),
                       {QStringLiteral("deploy"),
                        m_program + QLatin1Char(':') + QLatin1String(flow), QStringLiteral("-n"),
                        QLatin1String(name), QStringLiteral("--pool"), QStringLiteral("studio")},
                       environment(), m_dir.path());
        if (r.code != 0) qWarning("weft deploy: %s", qPrintable(r.err));
        return kUuid.match(r.out).captured(0).toStdString();
    }

    std::string createRun(const std::string& deployment, const json& parameters) {
        return m_server
            .api("POST", QStringLiteral("/deployments/%1/create_flow_run").arg(qs(deployment)),
                 {{"parameters", parameters}})
            .body.value("id", "");
    }

    // A window on the server with the run's page open, its controls asking nothing.
    std::unique_ptr<MainWindow> windowOn(const std::string& runId) {
        auto window = std::make_unique<MainWindow>(m_backend.get(), m_theme.get());
        window->setConfirmActions(false);
        window->show();
        window->openRun(qs(runId));
        return window;
    }

    static void click(RunPage* page, const char* name) {
        auto* button = page->findChild<QToolButton*>(QLatin1String(name));
        QVERIFY(button);
        QTRY_VERIFY_WITH_TIMEOUT(button->isEnabled(), kWaitMs);
        button->click();
    }

private Q_SLOTS:
    void initTestCase() {
        QVERIFY(m_dir.isValid());
        QStandardPaths::setTestModeEnabled(true);
        m_program = testBinPath(QStringLiteral("worker_flow_program"));
        QVERIFY2(QFile::exists(m_program), qPrintable(m_program));
        QVERIFY2(m_server.start(m_dir.filePath(QStringLiteral("server.db"))),
                 m_server.error().constData());
        m_worker.setProcessEnvironment(environment());
        m_worker.setWorkingDirectory(m_dir.path());
        m_worker.start(binPath(QStringLiteral("weft")),
                       {QStringLiteral("worker"), QStringLiteral("start"), QStringLiteral("--pool"),
                        QStringLiteral("studio"), QStringLiteral("--limit"), QStringLiteral("2")});
        QVERIFY(m_worker.waitForStarted());
        QTRY_COMPARE_WITH_TIMEOUT(m_server.api("GET", QStringLiteral("/work_pools/studio")).status,
                                  200, 20000);
        m_theme = std::make_unique<ThemeManager>(*qApp);
        m_backend = std::make_unique<RemoteBackend>(RemoteSettings{m_server.url()});
        // Live updates come from the event stream alone: a poll would come too late.
        m_backend->setPollInterval(600000);
        QVERIFY(test::openBackend(*m_backend));
        QTRY_VERIFY_WITH_TIMEOUT(m_backend->isLive(), kWaitMs);
    }

    void cleanupTestCase() {
        m_backend.reset();
        if (m_worker.state() != QProcess::NotRunning) {
            m_worker.terminate();
            if (!m_worker.waitForFinished(20000)) m_worker.kill();
        }
        m_server.stop();
    }

    // A run whose second task failed: Retry on its page → AwaitingRetry → the worker runs it
    // again (its first task reused) → COMPLETED on the page and in the list, as it happens.
    void workerPicksUpTheRunRetriedFromTheUi() {
        const QString go = m_dir.filePath(QStringLiteral("go-retry"));
        const std::string deployment = deploy("flaky", "retry");
        QVERIFY(!deployment.empty());
        const std::string id = createRun(deployment, {{"go", go.toStdString()}});
        QVERIFY(!id.empty());
        QTRY_COMPARE_WITH_TIMEOUT(m_server.stateOf(id), std::string("FAILED"), kWaitMs);

        auto window = windowOn(id);
        QTRY_VERIFY_WITH_TIMEOUT(window->runPage(qs(id)) != nullptr, kWaitMs);
        RunPage* page = window->runPage(qs(id));
        QTRY_COMPARE_WITH_TIMEOUT(page->run().state.type, weft::StateType::Failed, kWaitMs);
        QTRY_COMPARE_WITH_TIMEOUT(listedState(window->runList(), qs(id)), weft::StateType::Failed,
                                  kWaitMs);

        QFile(go).open(QIODevice::WriteOnly); // the second task succeeds from now on
        QSignalSpy finished(window->actions(), &RunActions::finished);
        click(page, "retry");
        QTRY_COMPARE_WITH_TIMEOUT(finished.count(), 1, kWaitMs);
        QCOMPARE(finished.front().at(1).toInt(), 1); // accepted

        QTRY_COMPARE_WITH_TIMEOUT(page->run().state.type, weft::StateType::Completed, kWaitMs);
        QTRY_COMPARE_WITH_TIMEOUT(listedState(window->runList(), qs(id)),
                                  weft::StateType::Completed, kWaitMs);
        QVERIFY(m_backend->isLive());
        const json run = m_server.flowRun(id);
        QCOMPARE(run.value("run_count", 0), 2);
        const json first = m_server.taskRun(id, "first");
        QCOMPARE(first.value("state_type", ""), std::string("COMPLETED"));
        QCOMPARE(first.value("run_count", 0), 1); // reused, not run again
        QCOMPARE(m_server.taskRun(id, "check").value("state_type", ""), std::string("COMPLETED"));
    }

    // A RUNNING run: Cancel on its page → CANCELLING → the worker stops its program →
    // CANCELLED on the page.
    void workerEndsTheRunCancelledFromTheUi() {
        const std::string deployment = deploy("waits", "cancel");
        QVERIFY(!deployment.empty());
        const std::string id =
            createRun(deployment, {{"go", m_dir.filePath(QStringLiteral("never")).toStdString()}});
        QVERIFY(!id.empty());
        QTRY_COMPARE_WITH_TIMEOUT(m_server.taskRun(id, "first").value("state_type", ""),
                                  std::string("COMPLETED"), kWaitMs);

        auto window = windowOn(id);
        QTRY_VERIFY_WITH_TIMEOUT(window->runPage(qs(id)) != nullptr, kWaitMs);
        RunPage* page = window->runPage(qs(id));
        QTRY_COMPARE_WITH_TIMEOUT(page->run().state.type, weft::StateType::Running, kWaitMs);

        QSignalSpy finished(window->actions(), &RunActions::finished);
        click(page, "cancel");
        QTRY_COMPARE_WITH_TIMEOUT(finished.count(), 1, kWaitMs);
        QCOMPARE(finished.front().at(1).toInt(), 1);
        QTRY_COMPARE_WITH_TIMEOUT(page->run().state.type, weft::StateType::Cancelled, kWaitMs);
        QTRY_COMPARE_WITH_TIMEOUT(listedState(window->runList(), qs(id)),
                                  weft::StateType::Cancelled, kWaitMs);
        QCOMPARE(m_server.stateOf(id), std::string("CANCELLED"));
    }

    // Weft's server reruns a flow from one of its tasks: "Retry from here" on the second task
    // of a COMPLETED run (which a whole retry does not take) proposes AwaitingRetry naming the
    // task run; the worker runs that task again and reuses the first one's result.
    void retryFromTaskRunsItAgainOnTheWorker() {
        QVERIFY(m_backend->isWeftServer());
        QCOMPARE(m_backend->cannot(Backend::Capability::RetryFromTask), QString());
        const QString go = m_dir.filePath(QStringLiteral("go-from-task"));
        QFile(go).open(QIODevice::WriteOnly); // both tasks succeed
        const std::string deployment = deploy("flaky", "from-task");
        QVERIFY(!deployment.empty());
        const std::string id = createRun(deployment, {{"go", go.toStdString()}});
        QVERIFY(!id.empty());
        QTRY_COMPARE_WITH_TIMEOUT(m_server.stateOf(id), std::string("COMPLETED"), kWaitMs);
        const std::string checkId = m_server.taskRun(id, "check").value("id", "");
        QVERIFY(!checkId.empty());

        auto window = windowOn(id);
        QTRY_VERIFY_WITH_TIMEOUT(window->runPage(qs(id)) != nullptr, kWaitMs);
        RunPage* page = window->runPage(qs(id));
        QTRY_COMPARE_WITH_TIMEOUT(page->run().state.type, weft::StateType::Completed, kWaitMs);
        QTRY_COMPARE_WITH_TIMEOUT(page->snapshot()->taskCount(), 2, kWaitMs);
        page->selectTaskRun(qs(checkId));
        QPushButton* fromHere = nullptr;
        for (auto* b : page->details()->findChildren<QPushButton*>())
            if (b->text() == QStringLiteral("Retry from here")) fromHere = b;
        QVERIFY(fromHere && fromHere->isEnabled());
        QSignalSpy finished(window->actions(), &RunActions::finished);
        QSignalSpy said(window->actions(), &RunActions::message);
        std::vector<weft::StateType> pageStates;
        connect(page, &RunPage::stateChanged, this,
                [&](weft::StateType type) { pageStates.push_back(type); });
        fromHere->click();
        QTRY_COMPARE_WITH_TIMEOUT(finished.count(), 1, kWaitMs);
        QVERIFY2(finished.front().at(1).toInt() == 1, qPrintable(said.last().at(0).toString()));

        // The retry's state named the task run, as `weft flow-run retry --from-task` does.
        const json states =
            m_server.api("GET", QStringLiteral("/flow_run_states/?flow_run_id=") + qs(id)).body;
        QVERIFY(std::any_of(states.begin(), states.end(), [&](const json& s) {
            return s.value("name", "") == "AwaitingRetry"
                   && s.value("state_details", json::object()).value("retry_from_task_run_id", "")
                          == checkId;
        }));
        QTRY_COMPARE_WITH_TIMEOUT(m_server.flowRun(id).value("run_count", 0), 2, kWaitMs);
        QTRY_COMPARE_WITH_TIMEOUT(m_server.stateOf(id), std::string("COMPLETED"), kWaitMs);
        // The page shows the run's new COMPLETED state (the states between may come in one
        // batch with it).
        const std::string finalState = m_server.flowRun(id).at("state").value("id", "");
        QTRY_COMPARE_WITH_TIMEOUT(page->run().state.id, finalState, kWaitMs);
        QVERIFY(!pageStates.empty());
        QCOMPARE(pageStates.back(), weft::StateType::Completed);
        const json check = m_server.taskRun(id, "check");
        QCOMPARE(check.value("state_type", ""), std::string("COMPLETED"));
        QCOMPARE(check.value("run_count", 0), 2); // run again
        const json first = m_server.taskRun(id, "first");
        QCOMPARE(first.value("state_type", ""), std::string("COMPLETED"));
        QCOMPARE(first.value("run_count", 0), 1); // its result reused
    }

    // example-approval reporting to the server pauses for input: Resume on its page reads the
    // form from the server; input that does not fit is refused with the server's reason and the
    // run stays PAUSED; good input resumes it, and its waiting program completes it.
    void pausedRunIsResumedFromItsPage() {
        QProcess program;
        program.setProcessEnvironment(environment());
        program.setWorkingDirectory(m_dir.path());
        program.start(binPath(QStringLiteral("example-approval")), {});
        QVERIFY(program.waitForStarted());
        const json paused = {{"flow_runs", {{"state", {{"type", {{"any_", {"PAUSED"}}}}}}}}};
        auto pausedRun = [&] {
            const json runs =
                m_server.api("POST", QStringLiteral("/flow_runs/filter"), paused).body;
            return runs.is_array() && !runs.empty() ? runs[0].value("id", "") : std::string();
        };
        std::string id;
        QTRY_VERIFY_WITH_TIMEOUT(!(id = pausedRun()).empty(), kWaitMs);

        // The form the pause waits for, as the server keeps it.
        const auto form =
            test::await<json>([&](QObject* c, auto d) { m_backend->fetchPauseInput(id, c, d); });
        QVERIFY(form);
        QVERIFY2(*form, qPrintable(form->error()));
        QVERIFY2((**form).is_object()
                     && (**form).value("properties", json::object()).contains("approved"),
                 (**form).dump().c_str());

        auto window = windowOn(id);
        QTRY_VERIFY_WITH_TIMEOUT(window->runPage(qs(id)) != nullptr, kWaitMs);
        RunPage* page = window->runPage(qs(id));
        QTRY_COMPARE_WITH_TIMEOUT(page->run().state.type, weft::StateType::Paused, kWaitMs);
        auto* resume = page->findChild<QToolButton*>(QStringLiteral("resume"));
        QVERIFY(resume);
        QTRY_VERIFY(!resume->isHidden());
        QVERIFY2(resume->isEnabled(), qPrintable(resume->toolTip()));

        // Unasked, the form's defaults are sent: `approved` has none, so the server refuses,
        // naming it, and the run stays paused.
        QSignalSpy finished(window->actions(), &RunActions::finished);
        QSignalSpy said(window->actions(), &RunActions::message);
        resume->click();
        QTRY_COMPARE_WITH_TIMEOUT(finished.count(), 1, kWaitMs);
        QCOMPARE(finished.last().at(2).toInt(), 1); // refused
        QVERIFY2(said.last().at(0).toString().contains(QStringLiteral("approved")),
                 qPrintable(said.last().at(0).toString()));
        QCOMPARE(m_server.stateOf(id), std::string("PAUSED"));
        QCOMPARE(page->run().state.type, weft::StateType::Paused);

        window->actions()->resumeWithInput(qs(id), json{{"approved", true}});
        QTRY_COMPARE_WITH_TIMEOUT(finished.count(), 2, kWaitMs);
        QVERIFY2(finished.last().at(1).toInt() == 1, qPrintable(said.last().at(0).toString()));
        QTRY_COMPARE_WITH_TIMEOUT(page->run().state.type, weft::StateType::Completed, kWaitMs);
        QTRY_VERIFY(resume->isHidden());
        QTRY_COMPARE_WITH_TIMEOUT(program.state(), QProcess::NotRunning, kWaitMs);
        QCOMPARE(program.exitCode(), 0);
    }
};

QTEST_MAIN(TestRemoteControls)
#include "tst_remotecontrols.moc"
