// `PROGRAM execute RUN_ID` with WEFT_API_URL set: a flow program takes over a run a server holds
// (as a deployment's run waits there) and claims it through the server's rules, so of two
// programs started for one run exactly one runs it (the other exits 3); a killed attempt's
// completed task runs are reused by the next. Real weft-server and program processes.
#include "testprocess.h"

#include <QtTest>

#include <csignal>

using nlohmann::json;

class TestExecuteRemote : public QObject {
    Q_OBJECT

    QTemporaryDir m_dir;
    ServerProcess m_server;
    std::map<std::string, std::string> m_flows; // by name

    HttpAnswer api(const QByteArray& method, const QString& path, const json& body = nullptr) {
        return m_server.api(method, path, body);
    }

    // A flow run on the server, as a deployment makes it: SCHEDULED now, no program yet.
    std::string makeRun(const std::string& flow, const json& parameters) {
        if (!m_flows.count(flow))
            m_flows[flow] =
                api("POST", QStringLiteral("/flows/"), {{"name", flow}}).body.value("id", "");
        return api("POST", QStringLiteral("/flow_runs/"),
                   {{"flow_id", m_flows[flow]},
                    {"parameters", parameters},
                    {"state", {{"type", "SCHEDULED"}}}})
            .body.value("id", "");
    }

    json flowRun(const std::string& id) { return m_server.flowRun(id); }
    json taskRun(const std::string& flowRunId, const std::string& key) {
        return m_server.taskRun(flowRunId, key);
    }

    int taskRunCount(const std::string& flowRunId) {
        return api("POST", QStringLiteral("/task_runs/count"),
                   {{"flow_runs", {{"id", {{"any_", {flowRunId}}}}}}})
            .body.get<int>();
    }

    std::string setState(const std::string& id, const json& state, bool force = false) {
        return api("POST", QStringLiteral("/flow_runs/%1/set_state").arg(qs(id)),
                   {{"state", state}, {"force", force}})
            .body.value("status", "");
    }

    std::unique_ptr<QProcess> start(const std::string& runId) {
        auto p = std::make_unique<QProcess>();
        p->setProcessEnvironment(m_server.environment(m_dir.filePath(QStringLiteral("home"))));
        p->start(testBinPath(QStringLiteral("worker_flow_program")),
                 {QStringLiteral("execute"), qs(runId)});
        return p;
    }

    struct Ended {
        int code = -1;
        QString err;
    };
    static Ended finish(QProcess& p) {
        Ended e;
        if (!p.waitForFinished(30000)) p.kill();
        if (p.exitStatus() == QProcess::NormalExit) e.code = p.exitCode();
        e.err = QString::fromUtf8(p.readAllStandardError());
        return e;
    }

private Q_SLOTS:
    void initTestCase() {
        QVERIFY(m_dir.isValid());
        QVERIFY2(m_server.start(m_dir.filePath(QStringLiteral("server.db"))),
                 m_server.error().constData());
    }

    void cleanupTestCase() { m_server.stop(); }

    void runsTheServersRun() {
        const std::string id = makeRun("quick", {{"n", 4}});
        QVERIFY(!id.empty());
        auto p = start(id);
        const Ended e = finish(*p);
        QVERIFY2(e.code == 0, qPrintable(e.err));
        const json run = flowRun(id);
        QCOMPARE(run.value("state_type", ""), std::string("COMPLETED"));
        QCOMPARE(run.value("run_count", 0), 1);
        QCOMPARE(taskRunCount(id), 1);
        QCOMPARE(taskRun(id, "twice").value("state_type", ""), std::string("COMPLETED"));
    }

    void takesTheRunAWorkerClaimed() {
        const std::string id = makeRun("quick", {{"n", 1}});
        QCOMPARE(setState(id, {{"type", "PENDING"}}), std::string("ACCEPT"));
        auto p = start(id);
        const Ended e = finish(*p);
        QVERIFY2(e.code == 0, qPrintable(e.err));
        QCOMPARE(flowRun(id).value("state_type", ""), std::string("COMPLETED"));
    }

    void twoProgramsOneRun() {
        const std::string id = makeRun("quick", {{"n", 2}});
        auto a = start(id);
        auto b = start(id);
        const Ended ea = finish(*a);
        const Ended eb = finish(*b);
        QList<int> codes{ea.code, eb.code};
        std::sort(codes.begin(), codes.end());
        QCOMPARE(codes, (QList<int>{0, 3}));
        const Ended& loser = ea.code == 3 ? ea : eb;
        QVERIFY2(loser.err.contains(QStringLiteral("was not run")), qPrintable(loser.err));
        const json run = flowRun(id);
        QCOMPARE(run.value("state_type", ""), std::string("COMPLETED"));
        QCOMPARE(run.value("run_count", 0), 1);
        QCOMPARE(taskRunCount(id), 1);
    }

    void refusesAFinishedRun() {
        const std::string id = makeRun("quick", {{"n", 3}});
        QCOMPARE(setState(id, {{"type", "CANCELLED"}}), std::string("ACCEPT"));
        auto p = start(id);
        const Ended e = finish(*p);
        QCOMPARE(e.code, 3);
        QCOMPARE(flowRun(id).value("state_type", ""), std::string("CANCELLED"));
    }

    void killedAttemptsTasksAreReused() {
        const QString go = m_dir.filePath(QStringLiteral("go"));
        const std::string id = makeRun("waits", {{"go", go.toStdString()}});
        auto p = start(id);
        QTRY_COMPARE_WITH_TIMEOUT(taskRun(id, "first").value("state_type", ""),
                                  std::string("COMPLETED"), 30000);
        ::kill(pid_t(p->processId()), SIGKILL);
        QVERIFY(p->waitForFinished(10000));
        // What a worker does then, and a retry after it.
        QCOMPARE(setState(id, {{"type", "CRASHED"}, {"message", "killed"}}), std::string("ACCEPT"));
        QCOMPARE(setState(id, {{"type", "SCHEDULED"}, {"name", "AwaitingRetry"}}),
                 std::string("ACCEPT"));
        QFile(go).open(QIODevice::WriteOnly);
        auto again = start(id);
        const Ended e = finish(*again);
        QVERIFY2(e.code == 0, qPrintable(e.err));
        const json run = flowRun(id);
        QCOMPARE(run.value("state_type", ""), std::string("COMPLETED"));
        QCOMPARE(run.value("run_count", 0), 2);
        QCOMPARE(taskRun(id, "first").value("run_count", 0), 1); // reused
        QCOMPARE(taskRun(id, "wait_for").value("state_type", ""), std::string("COMPLETED"));
        QCOMPARE(taskRunCount(id), 2);
    }

    void badParametersFailTheRun() {
        const std::string id = makeRun("quick", {{"n", "two"}});
        auto p = start(id);
        const Ended e = finish(*p);
        QCOMPARE(e.code, 1);
        const json run = flowRun(id);
        QCOMPARE(run.value("state_type", ""), std::string("FAILED"));
        QVERIFY2(run.at("state").value("message", "").find("parameter") != std::string::npos,
                 run.dump().c_str());
    }
};

QTEST_GUILESS_MAIN(TestExecuteRemote)
#include "tst_execute_remote.moc"
