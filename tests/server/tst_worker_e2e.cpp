// Deployments run by workers, end to end: a real weft-server, real `weft worker start` processes
// and a flow program (tests/bin/worker_flow_program) they launch with `execute` on 127.0.0.1.
// Deploy → run → COMPLETED with its task runs; the seed's curl body; kill -9 of the program →
// CRASHED → retry → COMPLETED with the completed task reused; cancellation → CANCELLED; three
// workers and 300 runs, each executed exactly once; an interval schedule's runs; a worker's
// graceful stop. Every wait polls the API with a deadline.
#include "testprocess.h"

#include <QtTest>

#include <csignal>
#include <map>
#include <memory>
#include <set>

using nlohmann::json;

class TestWorkerE2e : public QObject {
    Q_OBJECT

    QTemporaryDir m_dir;
    ServerProcess m_server;
    QString m_program;
    std::vector<std::unique_ptr<QProcess>> m_workers;
    std::map<QProcess*, QByteArray> m_workerLogs;

    // Quick polls and a short grace keep the tests short.
    QProcessEnvironment environment() const {
        return m_server.workerEnvironment(m_dir.filePath(QStringLiteral("home")));
    }

    ProcessRun weft(const QStringList& args) {
        return runProcess(binPath(QStringLiteral("weft")), args, environment(), m_dir.path());
    }

    QProcess* startWorker(const QString& pool, int limit) {
        auto p = std::make_unique<QProcess>();
        p->setProcessEnvironment(environment());
        p->setWorkingDirectory(m_dir.path());
        p->start(binPath(QStringLiteral("weft")),
                 {QStringLiteral("worker"), QStringLiteral("start"), QStringLiteral("--pool"), pool,
                  QStringLiteral("--limit"), QString::number(limit)});
        if (!p->waitForStarted()) return nullptr;
        m_workers.push_back(std::move(p));
        return m_workers.back().get();
    }

    const QByteArray& workerLog(QProcess* w) {
        m_workerLogs[w] += w->readAllStandardError();
        return m_workerLogs[w];
    }

    // The pid a worker said it launched for a run ("… launched: pid N runs …"), else 0.
    pid_t pidOf(QProcess* w, const std::string& runId) {
        const QRegularExpression line(qs(runId) + QStringLiteral(" .*launched: pid (\\d+)"));
        const auto m = line.match(QString::fromUtf8(workerLog(w)));
        return m.hasMatch() ? pid_t(m.captured(1).toInt()) : 0;
    }

    HttpAnswer api(const QByteArray& method, const QString& path, const json& body = nullptr) {
        return m_server.api(method, path, body);
    }
    json flowRun(const std::string& id) { return m_server.flowRun(id); }
    std::string stateOf(const std::string& id) { return m_server.stateOf(id); }
    json taskRuns(const std::string& flowRunId) { return m_server.taskRuns(flowRunId); }
    json taskRun(const std::string& flowRunId, const std::string& key) {
        return m_server.taskRun(flowRunId, key);
    }

    // `weft deploy PROGRAM:FLOW -n NAME --pool POOL …`: the deployment's id.
    std::string deploy(const char* flow, const char* name, const QString& pool,
                       const QStringList& more = {}) {
        const ProcessRun r = weft(QStringList{QStringLiteral("deploy"),
                                              m_program + QLatin1Char(':') + QLatin1String(flow),
                                              QStringLiteral("-n"), QLatin1String(name),
                                              QStringLiteral("--pool"), pool}
                                  + more);
        if (r.code != 0) qWarning("weft deploy: %s", qPrintable(r.err));
        return kUuid.match(r.out).captured(0).toStdString();
    }

    std::string createRun(const std::string& deployment, const json& parameters) {
        return api("POST", QStringLiteral("/deployments/%1/create_flow_run").arg(qs(deployment)),
                   {{"parameters", parameters}})
            .body.value("id", "");
    }

private Q_SLOTS:
    void initTestCase() {
        QVERIFY(m_dir.isValid());
        m_program = testBinPath(QStringLiteral("worker_flow_program"));
        QVERIFY2(QFile::exists(m_program), qPrintable(m_program));
        QVERIFY2(m_server.start(m_dir.filePath(QStringLiteral("server.db"))),
                 m_server.error().constData());
        // The pool of most tests, with one worker that runs two runs at once.
        QVERIFY(startWorker(QStringLiteral("e2e"), 2));
        // The worker made its pool.
        QTRY_COMPARE_WITH_TIMEOUT(api("GET", QStringLiteral("/work_pools/e2e")).status, 200, 20000);
    }

    void cleanupTestCase() {
        for (auto& w : m_workers) {
            if (w->state() == QProcess::NotRunning) continue;
            w->terminate();
            if (!w->waitForFinished(20000)) w->kill();
        }
        m_server.stop();
    }

    void deployedRunCompletes() {
        const std::string deployment = deploy("quick", "once", QStringLiteral("e2e"),
                                              {QStringLiteral("--param"), QStringLiteral("n=21")});
        QVERIFY(!deployment.empty());
        const ProcessRun run = weft(
            {QStringLiteral("deployment"), QStringLiteral("run"), QStringLiteral("quick/once")});
        QVERIFY2(run.code == 0, qPrintable(run.err));
        const std::string id = kUuid.match(run.out).captured(0).toStdString();
        QVERIFY(!id.empty());
        QTRY_COMPARE_WITH_TIMEOUT(stateOf(id), std::string("COMPLETED"), 30000);
        const json done = flowRun(id);
        QCOMPARE(done.value("run_count", 0), 1);
        const json tasks = taskRuns(id);
        QCOMPARE(tasks.size(), size_t(1));
        QCOMPARE(tasks[0].value("task_key", ""), std::string("twice"));
        QCOMPARE(tasks[0].value("state_type", ""), std::string("COMPLETED"));
        // The worker said what it did, one line each.
        QTRY_VERIFY_WITH_TIMEOUT(workerLog(m_workers[0].get()).contains(qs(id).toUtf8() + " (")
                                     && QString::fromUtf8(workerLog(m_workers[0].get()))
                                            .contains(QStringLiteral("ended COMPLETED")),
                                 10000);
    }

    // The seed's curl example: POST create_flow_run with {"parameters": {...}}.
    void curlBodyRunIsExecuted() {
        const std::string deployment = deploy("quick", "curl", QStringLiteral("e2e"));
        QVERIFY(!deployment.empty());
        const HttpAnswer made =
            request("POST",
                    QUrl(m_server.base()
                         + QStringLiteral("/deployments/%1/create_flow_run").arg(qs(deployment))),
                    QByteArrayLiteral(R"({"parameters": {"n": 5}})"));
        QVERIFY2(made.status == 201 || made.status == 200, made.raw.constData());
        const std::string id = made.body.value("id", "");
        QTRY_COMPARE_WITH_TIMEOUT(stateOf(id), std::string("COMPLETED"), 30000);
        QCOMPARE(flowRun(id).at("parameters").value("n", 0), 5);
    }

    void killedProgramCrashesAndRetryReusesCompletedTask() {
        const QString go = m_dir.filePath(QStringLiteral("go-crash"));
        const std::string deployment = deploy("waits", "crash", QStringLiteral("e2e"));
        QVERIFY(!deployment.empty());
        const std::string id = createRun(deployment, {{"go", go.toStdString()}});
        QVERIFY(!id.empty());
        // Its first task done, it waits: kill -9 its program.
        QTRY_COMPARE_WITH_TIMEOUT(taskRun(id, "first").value("state_type", ""),
                                  std::string("COMPLETED"), 30000);
        pid_t pid = 0;
        QTRY_VERIFY_WITH_TIMEOUT((pid = pidOf(m_workers[0].get(), id)) > 0, 10000);
        QCOMPARE(::kill(pid, SIGKILL), 0);
        QTRY_COMPARE_WITH_TIMEOUT(stateOf(id), std::string("CRASHED"), 20000);
        const json crashed = flowRun(id);
        QVERIFY2(crashed.at("state").value("message", "").find("SIGKILL") != std::string::npos,
                 crashed.dump().c_str());
        // The task run it was in the middle of crashed with it; none is left RUNNING.
        QTRY_COMPARE_WITH_TIMEOUT(taskRun(id, "wait_for").value("state_type", ""),
                                  std::string("CRASHED"), 10000);
        for (const auto& t : taskRuns(id))
            QVERIFY2(t.value("state_type", "") != "RUNNING", t.dump().c_str());

        // Retry through the API, as Prefect's UI does: AwaitingRetry; a worker runs it again.
        QFile(go).open(QIODevice::WriteOnly);
        const HttpAnswer retry =
            api("POST", QStringLiteral("/flow_runs/%1/set_state").arg(qs(id)),
                {{"state", {{"type", "SCHEDULED"}, {"name", "AwaitingRetry"}}}, {"force", true}});
        QCOMPARE(retry.body.value("status", ""), std::string("ACCEPT"));
        QTRY_COMPARE_WITH_TIMEOUT(stateOf(id), std::string("COMPLETED"), 30000);
        QCOMPARE(flowRun(id).value("run_count", 0), 2);
        const json first = taskRun(id, "first");
        QCOMPARE(first.value("state_type", ""), std::string("COMPLETED"));
        QCOMPARE(first.value("run_count", 0), 1); // reused, not run again
        QCOMPARE(taskRun(id, "wait_for").value("state_type", ""), std::string("COMPLETED"));
        QCOMPARE(taskRuns(id).size(), size_t(2));
    }

    // `weft flow-run retry --from-task` against the server: the worker's program runs the named
    // task run and what depends on it again, though it had completed.
    void retryFromTaskRunsItAgainOnTheWorker() {
        const QString go = m_dir.filePath(QStringLiteral("go-flaky"));
        const std::string deployment = deploy("flaky", "from-task", QStringLiteral("e2e"));
        QVERIFY(!deployment.empty());
        const std::string id = createRun(deployment, {{"go", go.toStdString()}});
        QVERIFY(!id.empty());
        QTRY_COMPARE_WITH_TIMEOUT(stateOf(id), std::string("FAILED"), 30000);
        const json first = taskRun(id, "first");
        QCOMPARE(first.value("state_type", ""), std::string("COMPLETED"));
        QCOMPARE(taskRun(id, "check").value("state_type", ""), std::string("FAILED"));

        QFile(go).open(QIODevice::WriteOnly);
        const std::string firstId = first.value("id", "");
        const ProcessRun retry = weft({QStringLiteral("flow-run"), QStringLiteral("retry"), qs(id),
                                       QStringLiteral("--from-task"), qs(firstId)});
        QVERIFY2(retry.code == 0, qPrintable(retry.err));
        QVERIFY2(retry.out.contains(qs(firstId)), qPrintable(retry.out));
        // The AwaitingRetry state names the task run, in Prefect's StateDetails.
        const json awaiting = flowRun(id).at("state");
        QCOMPARE(awaiting.value("name", ""), std::string("AwaitingRetry"));
        QCOMPARE(awaiting.at("state_details").value("retry_from_task_run_id", ""), firstId);

        QTRY_VERIFY2_WITH_TIMEOUT(stateOf(id) == "COMPLETED", flowRun(id).dump().c_str(), 30000);
        const json again = taskRun(id, "first");
        QCOMPARE(again.value("state_type", ""), std::string("COMPLETED"));
        QCOMPARE(again.value("run_count", 0), 2); // run again, not reused
        QCOMPARE(taskRun(id, "check").value("state_type", ""), std::string("COMPLETED"));
        QCOMPARE(flowRun(id).value("run_count", 0), 2);

        // A COMPLETED run reruns from a task too: only `check` runs again.
        const std::string checkId = taskRun(id, "check").value("id", "");
        const ProcessRun fromCheck = weft({QStringLiteral("flow-run"), QStringLiteral("retry"),
                                           qs(id), QStringLiteral("--from-task"), qs(checkId)});
        QVERIFY2(fromCheck.code == 0, qPrintable(fromCheck.err));
        QTRY_VERIFY2_WITH_TIMEOUT(flowRun(id).value("run_count", 0) == 3
                                      && stateOf(id) == "COMPLETED",
                                  flowRun(id).dump().c_str(), 30000);
        QCOMPARE(taskRun(id, "first").value("run_count", 0), 2); // reused this time
        QCOMPARE(taskRun(id, "check").value("state_type", ""), std::string("COMPLETED"));
    }

    // A task run of another flow run is refused, and nothing changes.
    void retryFromAnotherRunsTaskIsRefused() {
        const QString go = m_dir.filePath(QStringLiteral("go-never"));
        const std::string deployment = deploy("flaky", "other-task", QStringLiteral("e2e"));
        const std::string a = createRun(deployment, {{"go", go.toStdString()}});
        const std::string b = createRun(deployment, {{"go", go.toStdString()}});
        QTRY_COMPARE_WITH_TIMEOUT(stateOf(a), std::string("FAILED"), 30000);
        QTRY_COMPARE_WITH_TIMEOUT(stateOf(b), std::string("FAILED"), 30000);
        const ProcessRun retry =
            weft({QStringLiteral("flow-run"), QStringLiteral("retry"), qs(a),
                  QStringLiteral("--from-task"), qs(taskRun(b, "first").value("id", ""))});
        QCOMPARE(retry.code, 1);
        QVERIFY2(retry.err.contains(QStringLiteral("belongs to another flow run")),
                 qPrintable(retry.err));
        QCOMPARE(stateOf(a), std::string("FAILED"));
    }

    // A run retried after its final state but before its program exited (a person is quicker
    // than the program's last reports): the worker leaves it to its pool, not CRASHED.
    void runRetriedBeforeItsProgramExitedIsNotCrashed() {
        const QString go = m_dir.filePath(QStringLiteral("go-quick-retry"));
        const std::string deployment = deploy("waits", "quick-retry", QStringLiteral("e2e"));
        const std::string id = createRun(deployment, {{"go", go.toStdString()}});
        QTRY_COMPARE_WITH_TIMEOUT(taskRun(id, "first").value("state_type", ""),
                                  std::string("COMPLETED"), 30000);
        pid_t pid = 0;
        QTRY_VERIFY_WITH_TIMEOUT((pid = pidOf(m_workers[0].get(), id)) > 0, 10000);
        const QString setState = QStringLiteral("/flow_runs/%1/set_state").arg(qs(id));
        QCOMPARE(api("POST", setState, {{"state", {{"type", "FAILED"}}}, {"force", true}})
                     .body.value("status", ""),
                 std::string("ACCEPT"));
        QCOMPARE(
            api("POST", setState,
                {{"state", {{"type", "SCHEDULED"}, {"name", "AwaitingRetry"}}}, {"force", true}})
                .body.value("status", ""),
            std::string("ACCEPT"));
        QFile(go).open(QIODevice::WriteOnly);
        QCOMPARE(::kill(pid, SIGKILL), 0);
        QTRY_VERIFY_WITH_TIMEOUT(workerLog(m_workers[0].get()).contains("was retried after"),
                                 10000);
        QTRY_COMPARE_WITH_TIMEOUT(stateOf(id), std::string("COMPLETED"), 30000);
        for (const auto& s :
             m_server.api("GET", QStringLiteral("/flow_run_states/?flow_run_id=") + qs(id)).body)
            QVERIFY2(s.value("type", "") != "CRASHED", s.dump().c_str());
    }

    void cancelledRunEndsCancelled() {
        const std::string deployment = deploy("waits", "cancel", QStringLiteral("e2e"));
        QVERIFY(!deployment.empty());
        const std::string id =
            createRun(deployment, {{"go", m_dir.filePath(QStringLiteral("never")).toStdString()}});
        QTRY_COMPARE_WITH_TIMEOUT(taskRun(id, "first").value("state_type", ""),
                                  std::string("COMPLETED"), 30000);
        const HttpAnswer cancel = api("POST", QStringLiteral("/flow_runs/%1/set_state").arg(qs(id)),
                                      {{"state", {{"type", "CANCELLING"}}}});
        QCOMPARE(cancel.body.value("status", ""), std::string("ACCEPT"));
        QTRY_COMPARE_WITH_TIMEOUT(stateOf(id), std::string("CANCELLED"), 30000);
        QTRY_VERIFY_WITH_TIMEOUT(taskRun(id, "wait_for").value("state_type", "") != "RUNNING",
                                 10000);
        QTRY_VERIFY_WITH_TIMEOUT(QString::fromUtf8(workerLog(m_workers[0].get()))
                                     .contains(qs(id) + QStringLiteral(" is being cancelled")),
                                 10000);
    }

    void intervalScheduleRunsAreExecuted() {
        const std::string deployment = deploy("quick", "ticking", QStringLiteral("e2e"),
                                              {QStringLiteral("--interval"), QStringLiteral("1")});
        QVERIFY(!deployment.empty());
        const json completedOfIt = {
            {"deployments", {{"id", {{"any_", {deployment}}}}}},
            {"flow_runs", {{"state", {{"type", {{"any_", {"COMPLETED"}}}}}}}}};
        QTRY_VERIFY_WITH_TIMEOUT(
            api("POST", QStringLiteral("/flow_runs/count"), completedOfIt).body.get<int>() >= 2,
            60000);
        // Stop the schedule: its runs would keep the worker busy.
        QVERIFY(api("DELETE", QStringLiteral("/deployments/") + qs(deployment)).status < 300);
    }

    void threeWorkersRunEachOfThreeHundredRunsOnce() {
        const QString notes = m_dir.filePath(QStringLiteral("notes.txt"));
        const std::string deployment = deploy("quick", "many", QStringLiteral("many"));
        QVERIFY(!deployment.empty());
        std::vector<std::string> ids;
        for (int n = 0; n < 300; ++n)
            ids.push_back(createRun(deployment, {{"n", n}, {"file", notes.toStdString()}}));
        QVERIFY(std::none_of(ids.begin(), ids.end(), [](const auto& id) { return id.empty(); }));
        for (int i = 0; i < 3; ++i)
            QVERIFY(startWorker(QStringLiteral("many"), 4));
        const json ofIt = {{"deployments", {{"id", {{"any_", {deployment}}}}}}};
        json completed = ofIt;
        completed["flow_runs"] = {{"state", {{"type", {{"any_", {"COMPLETED"}}}}}}};
        QTRY_COMPARE_WITH_TIMEOUT(
            api("POST", QStringLiteral("/flow_runs/count"), completed).body.get<int>(), 300,
            240000);
        // Each run ran once: one attempt each, one note each.
        for (int offset = 0; offset < 300; offset += 200) {
            json page = ofIt;
            page["offset"] = offset;
            page["limit"] = 200;
            for (const auto& r : api("POST", QStringLiteral("/flow_runs/filter"), page).body)
                QCOMPARE(r.value("run_count", 0), 1);
        }
        QFile f(notes);
        QVERIFY(f.open(QIODevice::ReadOnly));
        std::multiset<int> noted;
        for (const auto& line : f.readAll().split('\n'))
            if (!line.isEmpty()) noted.insert(line.toInt());
        QCOMPARE(noted.size(), size_t(300));
        for (int n = 0; n < 300; ++n)
            QCOMPARE(noted.count(n), size_t(1));
    }

    // SIGTERM: the worker takes no new runs, lets its running one finish, then exits 0.
    void workerStopsGracefully() {
        QProcess* worker = startWorker(QStringLiteral("graceful"), 1);
        QVERIFY(worker);
        const QString go = m_dir.filePath(QStringLiteral("go-graceful"));
        const std::string deployment = deploy("waits", "graceful", QStringLiteral("graceful"));
        const std::string id = createRun(deployment, {{"go", go.toStdString()}});
        QTRY_COMPARE_WITH_TIMEOUT(taskRun(id, "first").value("state_type", ""),
                                  std::string("COMPLETED"), 30000);
        worker->terminate();
        QTRY_VERIFY_WITH_TIMEOUT(workerLog(worker).contains("stopping"), 10000);
        const std::string later = createRun(deployment, {{"go", go.toStdString()}});
        QVERIFY(worker->state() == QProcess::Running); // waits for its run
        QFile(go).open(QIODevice::WriteOnly);
        QVERIFY(worker->waitForFinished(30000));
        QCOMPARE(worker->exitStatus(), QProcess::NormalExit);
        QCOMPARE(worker->exitCode(), 0);
        QCOMPARE(stateOf(id), std::string("COMPLETED"));
        QCOMPARE(stateOf(later), std::string("SCHEDULED")); // not taken after the signal
    }

    // A second signal: the worker kills its runs' programs; their runs end CRASHED, saying why.
    void secondSignalKillsRuns() {
        QProcess* worker = startWorker(QStringLiteral("impatient"), 1);
        QVERIFY(worker);
        const std::string deployment = deploy("waits", "impatient", QStringLiteral("impatient"));
        const std::string id = createRun(
            deployment, {{"go", m_dir.filePath(QStringLiteral("never-2")).toStdString()}});
        QTRY_COMPARE_WITH_TIMEOUT(taskRun(id, "first").value("state_type", ""),
                                  std::string("COMPLETED"), 30000);
        worker->terminate();
        QTRY_VERIFY_WITH_TIMEOUT(workerLog(worker).contains("stopping"), 10000);
        worker->terminate();
        QVERIFY(worker->waitForFinished(30000));
        QCOMPARE(worker->exitCode(), 0);
        QCOMPARE(stateOf(id), std::string("CRASHED"));
        QCOMPARE(taskRun(id, "wait_for").value("state_type", ""), std::string("CRASHED"));
        const std::string message = flowRun(id).at("state").value("message", "");
        QVERIFY2(message.find("SIGKILL") != std::string::npos
                     && message.find("worker stopping") != std::string::npos,
                 message.c_str());
    }
};

QTEST_GUILESS_MAIN(TestWorkerE2e)
#include "tst_worker_e2e.moc"
