// A flow program with WEFT_API_URL set reports to a real weft-server instead of a local database:
// its flow run, task runs (states, names, dependency edges, retries), logs, parameters and result
// are on the server, and no local database is created.
#include "eventlessfront.h"
#include "testprocess.h"

#include <QtTest>

#include <QElapsedTimer>
#include <csignal>
#include <map>
#include <set>

using nlohmann::json;

class TestSdkRemote : public QObject {
    Q_OBJECT

    QTemporaryDir m_dir;
    ServerProcess m_server;

    QString home() const { return m_dir.filePath(QStringLiteral("home")); }

    QProcessEnvironment programEnv() const { return m_server.environment(home()); }

    static QString programPath() { return testBinPath(QStringLiteral("sdk_remote_program")); }

    ProcessRun program(const QStringList& args) {
        return runProcess(programPath(), args, programEnv());
    }

    HttpAnswer api(const QByteArray& method, const QString& path, const json& body = nullptr) {
        return m_server.api(method, path, body);
    }

    // The one run of flow `flow` on the server.
    json flowRunOf(const std::string& flow) { return flowRunOf(m_server.base(), flow); }
    json flowRunOf(const QString& base, const std::string& flow) {
        auto runs = request("POST", QUrl(base + QStringLiteral("/flow_runs/filter")),
                            QByteArray::fromStdString(
                                json{{"flows", {{"name", {{"any_", {flow}}}}}}}.dump()))
                        .body;
        if (!runs.is_array() || runs.size() != 1) return json();
        return runs[0];
    }

    json logsOf(const std::string& flowRun) {
        return api("POST", QStringLiteral("/logs/filter"),
                   {{"logs", {{"flow_run_id", {{"any_", {flowRun}}}}}}, {"limit", 200}})
            .body;
    }

private Q_SLOTS:
    void initTestCase() {
        QVERIFY(m_dir.isValid());
        QVERIFY2(m_server.start(m_dir.filePath(QStringLiteral("server.db"))),
                 m_server.error().constData());
    }

    void cleanupTestCase() { m_server.stop(); }

    void completedRunWithTasksLogsAndEdges() {
        const ProcessRun r = program({QStringLiteral("run"), QStringLiteral("remote_etl"),
                                      QStringLiteral("--param"), QStringLiteral("n=4")});
        QVERIFY2(r.code == 0, qPrintable(r.err));

        const json run = flowRunOf("remote_etl");
        QVERIFY2(run.is_object(), qPrintable(r.err));
        QCOMPARE(run.value("state_type", ""), std::string("COMPLETED"));
        QCOMPARE(run.at("parameters"), json({{"n", 4}}));
        QCOMPARE(run.value("result", json()), json(100)); // (1+2+3+4)*10
        QCOMPARE(run.value("run_count", 0), 1);
        const std::string id = run.value("id", "");

        const json tasks = m_server.taskRuns(id);
        QCOMPARE(tasks.size(), size_t(3));
        std::map<std::string, json> byKey;
        for (const auto& t : tasks)
            byKey[t.value("task_key", "")] = t;
        for (const char* key : {"extract", "transform", "load"}) {
            QVERIFY2(byKey.count(key), key);
            QCOMPARE(byKey[key].value("state_type", ""), std::string("COMPLETED"));
            QCOMPARE(byKey[key].value("name", ""), std::string(key) + "-0");
        }

        // The graph's edges: extract → transform → load.
        const json graph =
            api("GET", QStringLiteral("/flow_runs/%1/graph-v2").arg(QString::fromStdString(id)))
                .body;
        std::map<std::string, std::vector<std::string>> parents;
        for (const auto& node : graph.at("nodes")) {
            std::vector<std::string> ids;
            for (const auto& p : node[1].at("parents"))
                ids.push_back(p.value("id", ""));
            parents[node[1].value("label", "")] = ids;
        }
        QCOMPARE(parents["extract-0"].size(), size_t(0));
        QCOMPARE(parents["transform-0"],
                 std::vector<std::string>{byKey["extract"].value("id", "")});
        QCOMPARE(parents["load-0"], std::vector<std::string>{byKey["transform"].value("id", "")});

        // The flow's and the tasks' log lines, on the server.
        std::vector<std::string> messages;
        for (const auto& line : logsOf(id))
            messages.push_back(line.value("message", ""));
        auto has = [&](const std::string& m) {
            return std::find(messages.begin(), messages.end(), m) != messages.end();
        };
        QVERIFY(has("extracted 4 rows"));
        QVERIFY(has("loaded total 100"));
        QVERIFY(has("Finished in state Completed()"));

        // Nothing was written to a local database.
        QVERIFY(!QFileInfo::exists(home() + QStringLiteral("/weft.db")));
        QVERIFY(!QDir(home()).exists() || QDir(home()).isEmpty());
    }

    void failingTaskShowsItsRetries() {
        const ProcessRun r = program({QStringLiteral("run"), QStringLiteral("remote_flaky")});
        QCOMPARE(r.code, 1);
        const json run = flowRunOf("remote_flaky");
        QVERIFY2(run.is_object(), qPrintable(r.err));
        QCOMPARE(run.value("state_type", ""), std::string("FAILED"));
        const json tasks = m_server.taskRuns(run.value("id", ""));
        QCOMPARE(tasks.size(), size_t(1));
        QCOMPARE(tasks[0].value("state_type", ""), std::string("FAILED"));
        QCOMPARE(tasks[0].value("run_count", 0), 3);
        // Each attempt, as the task run's state history: Pending, Running, then AwaitingRetry and
        // Retrying twice, then Failed.
        const json history = api("GET", QStringLiteral("/task_run_states/?task_run_id=")
                                            + QString::fromStdString(tasks[0].value("id", "")))
                                 .body;
        std::vector<std::string> names;
        for (const auto& s : history)
            names.push_back(s.value("name", ""));
        const std::vector<std::string> expected{"Pending",  "Running",       "AwaitingRetry",
                                                "Retrying", "AwaitingRetry", "Retrying",
                                                "Failed"};
        QCOMPARE(names, expected);
    }

    // The server is killed (SIGKILL) while a program reports to it and started again on the same
    // database and port: the program keeps running, buffers, says so, and delivers everything.
    void serverGoesAwayMidRun() {
        QElapsedTimer clock;
        clock.start();
        const QString db = m_dir.filePath(QStringLiteral("outage.db"));
        ServerProcess server;
        QVERIFY2(server.start(db), server.error().constData());
        const quint16 port = server.port();
        const QString base = QStringLiteral("http://127.0.0.1:%1/api").arg(port);

        const int tasks = 30;
        QProcess p;
        auto env = programEnv();
        env.insert(QStringLiteral("WEFT_API_URL"), base);
        p.setProcessEnvironment(env);
        p.start(programPath(), {QStringLiteral("run"), QStringLiteral("remote_slow"),
                                QStringLiteral("-p"), QStringLiteral("n=%1").arg(tasks),
                                QStringLiteral("-p"), QStringLiteral("ms=100")});
        QVERIFY(p.waitForStarted());

        // Some task runs are on the server: the run is under way.
        auto completedTasks = [&] {
            return request("POST", QUrl(base + QStringLiteral("/task_runs/count")),
                           R"({"task_runs":{"state":{"type":{"any_":["COMPLETED"]}}}})")
                .body;
        };
        QTRY_VERIFY_WITH_TIMEOUT(completedTasks().is_number() && completedTasks().get<int>() >= 3,
                                 10000);
        server.process().kill(); // SIGKILL
        QVERIFY(server.process().waitForFinished(5000));

        // The program notices and says it buffers; it goes on meanwhile.
        QByteArray err;
        QTRY_VERIFY_WITH_TIMEOUT((err += p.readAllStandardError()).contains("buffering reports"),
                                 10000);
        QCOMPARE(p.state(), QProcess::Running);

        ServerProcess again;
        QVERIFY2(again.start(db, port), again.error().constData());
        QCOMPARE(again.port(), port);
        QVERIFY(p.waitForFinished(30000));
        err += p.readAllStandardError();
        QVERIFY2(p.exitCode() == 0, err.constData());
        QVERIFY2(err.contains("reached the server at"), err.constData());

        const json run = flowRunOf(base, "remote_slow");
        QVERIFY2(run.is_object(), err.constData());
        QCOMPARE(run.value("state_type", ""), std::string("COMPLETED"));
        QCOMPARE(run.value("result", json()), json(tasks * (tasks - 1) / 2));
        const std::string id = run.value("id", "");
        const json taskRuns =
            request("POST", QUrl(base + QStringLiteral("/task_runs/filter")),
                    QByteArray::fromStdString(
                        json{{"flow_runs", {{"id", {{"any_", {id}}}}}}, {"limit", 200}}.dump()))
                .body;
        QCOMPARE(taskRuns.size(), size_t(tasks));
        for (const auto& t : taskRuns)
            QCOMPARE(t.value("state_type", ""), std::string("COMPLETED"));
        const json logs =
            request("POST", QUrl(base + QStringLiteral("/logs/filter")),
                    QByteArray::fromStdString(
                        json{{"logs", {{"flow_run_id", {{"any_", {id}}}}}}, {"limit", 200}}.dump()))
                .body;
        std::set<std::string> messages;
        for (const auto& line : logs)
            messages.insert(line.value("message", ""));
        for (int i = 0; i < tasks; ++i)
            QVERIFY2(messages.count("nap " + std::to_string(i) + " done"),
                     qPrintable(QString::number(i)));
        QVERIFY(messages.count("Finished in state Completed()"));

        again.stop();
        QVERIFY(clock.elapsed() < 60000);
    }

    // A server that never comes back: the program still finishes, waits at most
    // WEFT_API_FLUSH_TIMEOUT_SECONDS at exit and says how many reports it could not deliver.
    void undeliveredReportsAreCountedAtExit() {
        ServerProcess server;
        QVERIFY2(server.start(m_dir.filePath(QStringLiteral("gone.db"))),
                 server.error().constData());
        const quint16 port = server.port();
        const QString base = QStringLiteral("http://127.0.0.1:%1/api").arg(port);
        QProcess p;
        auto env = programEnv();
        env.insert(QStringLiteral("WEFT_API_URL"), base);
        env.insert(QStringLiteral("WEFT_API_FLUSH_TIMEOUT_SECONDS"), QStringLiteral("1"));
        p.setProcessEnvironment(env);
        p.start(programPath(),
                {QStringLiteral("run"), QStringLiteral("remote_slow"), QStringLiteral("-p"),
                 QStringLiteral("n=10"), QStringLiteral("-p"), QStringLiteral("ms=50")});
        QVERIFY(p.waitForStarted());
        QTRY_VERIFY_WITH_TIMEOUT(
            request("POST", QUrl(base + QStringLiteral("/task_runs/count")), "{}").body.is_number()
                && request("POST", QUrl(base + QStringLiteral("/task_runs/count")), "{}")
                           .body.get<int>()
                       >= 1,
            10000);
        server.process().kill();
        QVERIFY(server.process().waitForFinished(5000));
        QVERIFY(p.waitForFinished(20000));
        const QByteArray err = p.readAllStandardError();
        QVERIFY2(p.exitCode() == 0, err.constData()); // the flow itself completed
        QVERIFY2(err.contains("buffering reports"), err.constData());
        QVERIFY2(err.contains("could not deliver"), err.constData());
        QVERIFY2(err.contains("reports to the server at " + base.toUtf8()), err.constData());
    }

    // `weft flow-run logs ID --follow` against the server prints a running program's lines as
    // they come and returns once the run has finished.
    void followLogsOverTheServer() {
        QProcess p;
        p.setProcessEnvironment(programEnv());
        p.start(programPath(),
                {QStringLiteral("run"), QStringLiteral("remote_slow"), QStringLiteral("-p"),
                 QStringLiteral("n=8"), QStringLiteral("-p"), QStringLiteral("ms=150")});
        QVERIFY(p.waitForStarted());
        json run;
        QTRY_VERIFY_WITH_TIMEOUT((run = flowRunOf("remote_slow")).is_object(), 10000);
        QProcess follow;
        follow.setProcessEnvironment(programEnv());
        follow.start(qEnvironmentVariable("WEFT_BIN_DIR") + QStringLiteral("/weft"),
                     {QStringLiteral("flow-run"), QStringLiteral("logs"),
                      QString::fromStdString(run.value("id", "")), QStringLiteral("--follow")});
        QVERIFY(follow.waitForStarted());
        QVERIFY(p.waitForFinished(30000));
        QCOMPARE(p.exitCode(), 0);
        QVERIFY(follow.waitForFinished(30000));
        const QString out = QString::fromUtf8(follow.readAllStandardOutput());
        QVERIFY2(follow.exitCode() == 0, follow.readAllStandardError().constData());
        for (int i = 0; i < 8; ++i)
            QVERIFY2(out.count(QStringLiteral("nap %1 done").arg(i)) == 1, qPrintable(out));
        QVERIFY2(out.contains(QStringLiteral("Finished in state Completed()")), qPrintable(out));
    }

    // A report the server refuses (4xx) is not retried: the program says why, with the server's
    // reason, and goes on.
    void refusedReportsAreSaidAndSkipped() {
        QElapsedTimer clock;
        clock.start();
        const ProcessRun r = program({QStringLiteral("run"), QStringLiteral("refused/flow")});
        QVERIFY2(r.code == 0, qPrintable(r.err));
        QVERIFY2(r.err.contains(QStringLiteral("refused a report")), qPrintable(r.err));
        QVERIFY2(r.err.contains(QStringLiteral("body.name")), qPrintable(r.err));
        QVERIFY(clock.elapsed() < 10000); // no backoff: 4xx is not retried
        QVERIFY(!flowRunOf("refused/flow").is_object());
    }

    // A person cancels the run on the server: the program sees it and ends the run CANCELLED.
    void cancelOnTheServerStopsTheProgram() {
        QProcess p;
        p.setProcessEnvironment(programEnv());
        p.start(programPath(),
                {QStringLiteral("run"), QStringLiteral("remote_slow"), QStringLiteral("-p"),
                 QStringLiteral("n=200"), QStringLiteral("-p"), QStringLiteral("ms=50")});
        QVERIFY(p.waitForStarted());
        auto running = [&] {
            const json runs = api("POST", QStringLiteral("/flow_runs/filter"),
                                  {{"flows", {{"name", {{"any_", {"remote_slow"}}}}}},
                                   {"flow_runs", {{"state", {{"type", {{"any_", {"RUNNING"}}}}}}}}})
                                  .body;
            return runs.is_array() && runs.size() == 1 ? runs[0].value("id", "") : std::string();
        };
        QTRY_VERIFY_WITH_TIMEOUT(!running().empty(), 10000);
        const std::string id = running();
        QCOMPARE(api("POST",
                     QStringLiteral("/flow_runs/%1/set_state").arg(QString::fromStdString(id)),
                     {{"state", {{"type", "CANCELLING"}}}})
                     .body.value("status", ""),
                 std::string("ACCEPT"));
        QVERIFY(p.waitForFinished(20000));
        QTRY_COMPARE_WITH_TIMEOUT(
            api("GET", QStringLiteral("/flow_runs/") + QString::fromStdString(id))
                .body.value("state_type", ""),
            std::string("CANCELLED"), 5000);
    }

    // --db names a local database: it wins over WEFT_API_URL, as for the weft command line.
    void explicitDatabaseWinsOverTheServer() {
        auto runsOnServer = [&] {
            return api("POST", QStringLiteral("/flow_runs/count"),
                       {{"flows", {{"name", {{"any_", {"remote_etl"}}}}}}})
                .body;
        };
        const json before = runsOnServer();
        QVERIFY(before.is_number());
        const QString db = m_dir.filePath(QStringLiteral("local.db"));
        const ProcessRun r = program({QStringLiteral("--db"), db, QStringLiteral("run"),
                                      QStringLiteral("remote_etl"), QStringLiteral("--param"),
                                      QStringLiteral("n=1")});
        QVERIFY2(r.code == 0, qPrintable(r.err));
        QVERIFY(QFileInfo::exists(db));
        QCOMPARE(runsOnServer(), before);
    }

    // A server without /api/events/in: task-run states go over REST, and the run is complete.
    void taskRunsOverRestWithoutEventIntake() {
        EventlessFront front;
        QVERIFY(front.listen(QString(m_server.base()).remove(QStringLiteral("/api"))) != 0);
        QProcess p;
        auto env = programEnv();
        env.insert(QStringLiteral("WEFT_API_URL"), front.api());
        p.setProcessEnvironment(env);
        QSignalSpy finished(&p, &QProcess::finished);
        p.start(programPath(), {QStringLiteral("run"), QStringLiteral("remote_flaky")});
        QVERIFY(finished.wait(30000)); // the front serves in this event loop meanwhile
        const QByteArray err = p.readAllStandardError();
        QCOMPARE(p.exitCode(), 1); // the flow fails, as it is written to
        QVERIFY(front.refusedUpgrades >= 1);
        QVERIFY2(err.contains("over REST"), err.constData());
        const json runs =
            api("POST", QStringLiteral("/flow_runs/filter"),
                {{"flows", {{"name", {{"any_", {"remote_flaky"}}}}}}, {"sort", "START_TIME_DESC"}})
                .body;
        QVERIFY(runs.size() >= 1);
        const json tasks = m_server.taskRuns(runs[0].value("id", ""));
        QCOMPARE(tasks.size(), size_t(1));
        QCOMPARE(tasks[0].value("state_type", ""), std::string("FAILED"));
        QCOMPARE(tasks[0].value("run_count", 0), 3);
    }
};

QTEST_GUILESS_MAIN(TestSdkRemote)
#include "tst_sdk_remote.moc"
