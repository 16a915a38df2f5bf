// A flow program with WEFT_API_URL set behaves as on a local database where the server decides:
// tag concurrency limits hold across its task runs, a pause waits for a resume through the
// server (with input), and a cached result stored by another run is reused.
#include "eventlessfront.h"
#include "testprocess.h"

#include <QtTest>

#include <algorithm>
#include <map>

using nlohmann::json;

class TestSdkRemoteFeatures : public QObject {
    Q_OBJECT

    QTemporaryDir m_dir;
    ServerProcess m_server;

    QProcessEnvironment programEnv() const {
        auto env = m_server.environment(m_dir.filePath(QStringLiteral("home")));
        // Threads for every task of a flow at once: only the limits hold them back.
        env.insert(QStringLiteral("WEFT_TASK_RUNNER_THREADS"), QStringLiteral("8"));
        return env;
    }

    static QString programPath() { return testBinPath(QStringLiteral("sdk_features_program")); }

    ProcessRun program(const QStringList& args) {
        return runProcess(programPath(), args, programEnv());
    }

    HttpAnswer api(const QByteArray& method, const QString& path, const json& body = nullptr) {
        return m_server.api(method, path, body);
    }

    // The runs of flow `flow` on the server, oldest first.
    json flowRunsOf(const std::string& flow) {
        return api("POST", QStringLiteral("/flow_runs/filter"),
                   {{"flows", {{"name", {{"any_", {flow}}}}}}, {"sort", "START_TIME_ASC"}})
            .body;
    }

    // `weft ARGS` against the server.
    ProcessRun weft(const QStringList& args) {
        return runProcess(binPath(QStringLiteral("weft")), args, programEnv(), {}, 20000);
    }

    // The newest run of `flow` once it is in state `type` (polled, at most 15 s); null if never.
    json waitForRunIn(const std::string& flow, const std::string& type) {
        QElapsedTimer clock;
        clock.start();
        while (clock.elapsed() < 15000) {
            const json runs = flowRunsOf(flow);
            if (runs.is_array() && !runs.empty() && runs.back().value("state_type", "") == type)
                return runs.back();
            QTest::qWait(50);
        }
        return json();
    }

private Q_SLOTS:
    void initTestCase() {
        QVERIFY(m_dir.isValid());
        QVERIFY2(m_server.start(m_dir.filePath(QStringLiteral("server.db"))),
                 m_server.error().constData());
    }

    void cleanupTestCase() { m_server.stop(); }

    void tagLimitHoldsAcrossTaskRuns() {
        QCOMPARE(api("POST", QStringLiteral("/concurrency_limits/"),
                     {{"tag", "io"}, {"concurrency_limit", 2}})
                     .status,
                 201);
        const ProcessRun r = program({QStringLiteral("run"), QStringLiteral("remote_limited"),
                                      QStringLiteral("--param"), QStringLiteral("n=8")});
        QVERIFY2(r.code == 0, qPrintable(r.err));

        const json runs = flowRunsOf("remote_limited");
        QCOMPARE(runs.size(), std::size_t(1));
        QCOMPARE(runs[0].value("state_type", ""), std::string("COMPLETED"));
        QCOMPARE(runs[0].value("result", json()), json(28)); // 0+1+…+7
        const json tasks = m_server.taskRuns(runs[0].value("id", ""));
        QCOMPARE(tasks.size(), std::size_t(8));

        // From the server's times: each task run RUNNING from start_time to end_time. An end and
        // a start at the same instant do not overlap.
        std::vector<std::pair<std::string, int>> edges;
        for (const auto& t : tasks) {
            QCOMPARE(t.value("state_type", ""), std::string("COMPLETED"));
            QVERIFY(t.at("start_time").is_string() && t.at("end_time").is_string());
            edges.emplace_back(t.at("start_time").get<std::string>(), +1);
            edges.emplace_back(t.at("end_time").get<std::string>(), -1);
        }
        std::sort(edges.begin(), edges.end()); // ISO times of one format sort as text
        int running = 0, most = 0;
        for (const auto& [at, step] : edges)
            most = std::max(most, running += step);
        QVERIFY2(most <= 2, qPrintable(QStringLiteral("%1 task runs ran at once").arg(most)));
        QCOMPARE(most, 2); // the limit, not a crawl

        // Every slot went back with its run's final state.
        const json limit = api("GET", QStringLiteral("/concurrency_limits/tag/io")).body;
        QCOMPARE(limit.value("active_slots", json()), json::array());
    }

    void pauseWaitsForAResumeWithInput() {
        QProcess p;
        p.setProcessEnvironment(programEnv());
        p.setProcessChannelMode(QProcess::SeparateChannels);
        QSignalSpy finished(&p, &QProcess::finished);
        p.start(programPath(), {QStringLiteral("run"), QStringLiteral("remote_approval"),
                                QStringLiteral("--param"), QStringLiteral("timeout_s=30")});
        const json paused = waitForRunIn("remote_approval", "PAUSED");
        QVERIFY2(paused.is_object(), p.readAllStandardError().constData());
        const std::string id = paused.value("id", "");
        const QString qid = QString::fromStdString(id);

        // Prefect's state details: the pause's key, deadline, and where its input form is.
        const json details = paused.at("state").at("state_details");
        const std::string key = details.value("pause_key", "");
        QVERIFY(!key.empty());
        QVERIFY(details.at("pause_timeout").is_string());
        QCOMPARE(details.value("pause_reschedule", true), false);
        QCOMPARE(details.at("run_input_keyset").value("schema", ""), "paused-" + key + "-schema");
        const json form = api("GET", QStringLiteral("/flow_runs/%1/input/paused-%2-schema")
                                         .arg(qid, QString::fromStdString(key)))
                              .body;
        QVERIFY2(form.contains("properties") && form.at("properties").contains("approved"),
                 form.dump().c_str());

        // Input that does not fit the form is refused with the reason; the run stays PAUSED.
        const json refused = api("POST", QStringLiteral("/flow_runs/%1/resume").arg(qid),
                                 {{"run_input", {{"approved", "yes"}}}})
                                 .body;
        QCOMPARE(refused.value("status", ""), std::string("REJECT"));
        QVERIFY2(refused.at("details").value("reason", "").find("approved") != std::string::npos,
                 refused.dump().c_str());
        const ProcessRun bad = weft({QStringLiteral("flow-run"), QStringLiteral("resume"), qid,
                                     QStringLiteral("--input"), QStringLiteral("{\"copies\": 3}")});
        QVERIFY(bad.code != 0);
        QVERIFY2(bad.err.contains(QStringLiteral("approved")), qPrintable(bad.err));
        QCOMPARE(flowRunsOf("remote_approval").back().value("state_type", ""),
                 std::string("PAUSED"));

        const ProcessRun good = weft({QStringLiteral("flow-run"), QStringLiteral("resume"), qid,
                                      QStringLiteral("--input"),
                                      QStringLiteral("{\"approved\": true, \"copies\": 2}")});
        QVERIFY2(good.code == 0, qPrintable(good.err));
        QVERIFY2(good.out.contains(QStringLiteral("Resumed")), qPrintable(good.out));

        QVERIFY(finished.wait(20000)); // the program goes on and ends
        QVERIFY2(p.exitCode() == 0, p.readAllStandardError().constData());
        const json done = flowRunsOf("remote_approval").back();
        QCOMPARE(done.value("state_type", ""), std::string("COMPLETED"));
        QCOMPARE(done.value("result", json()), json(42)); // 40 + the 2 copies it was given
        // The answer is kept where the keyset says.
        QCOMPARE(api("GET", QStringLiteral("/flow_runs/%1/input/paused-%2-response")
                                .arg(qid, QString::fromStdString(key)))
                     .body,
                 json({{"approved", true}, {"copies", 2}}));
    }

    void pauseTimesOutAsLocally() {
        const ProcessRun r = program({QStringLiteral("run"), QStringLiteral("remote_approval"),
                                      QStringLiteral("--param"), QStringLiteral("timeout_s=0.5")});
        QVERIFY(r.code != 0);
        QVERIFY2(r.err.contains(QStringLiteral("timed out")), qPrintable(r.err));
        const json run = flowRunsOf("remote_approval").back();
        QCOMPARE(run.value("state_type", ""), std::string("FAILED"));
        QVERIFY2(run.at("state").value("message", "").find("timed out") != std::string::npos,
                 run.dump().c_str());
    }

    void cachedResultOfAnotherRunIsReused() {
        for (int i = 0; i < 2; ++i) {
            const ProcessRun r = program({QStringLiteral("run"), QStringLiteral("remote_cached"),
                                          QStringLiteral("--param"), QStringLiteral("x=6")});
            QVERIFY2(r.code == 0, qPrintable(r.err));
        }
        const json runs = flowRunsOf("remote_cached");
        QCOMPARE(runs.size(), std::size_t(2));
        std::vector<std::string> names;
        for (const auto& run : runs) {
            QCOMPARE(run.value("state_type", ""), std::string("COMPLETED"));
            QCOMPARE(run.value("result", json()), json(42));
            const json tasks = m_server.taskRuns(run.value("id", ""));
            QCOMPARE(tasks.size(), std::size_t(1));
            QCOMPARE(tasks[0].value("state_type", ""), std::string("COMPLETED"));
            names.push_back(tasks[0].at("state").value("name", ""));
        }
        QVERIFY2(names == (std::vector<std::string>{"Completed", "Cached"}),
                 json(names).dump().c_str());
    }

    // A report the server committed but whose answer was lost is sent again, and the server
    // stores it once: log lines by their ids, states by theirs.
    void reportsWhoseAnswerWasLostAreStoredOnce() {
        // The first answer to each of these is lost.
        std::map<std::string, int> lost{{"/logs/", 0}, {"/set_state", 0}};
        EventlessFront front;
        front.loseAnswer = [&lost](const std::string& path) {
            for (auto& [ending, count] : lost)
                if (count == 0 && path.size() >= ending.size()
                    && path.compare(path.size() - ending.size(), ending.size(), ending) == 0) {
                    ++count;
                    return true;
                }
            return false;
        };
        QVERIFY(front.listen(QString(m_server.base()).remove(QStringLiteral("/api"))) != 0);
        QProcess p;
        auto env = programEnv();
        env.insert(QStringLiteral("WEFT_API_URL"), front.api());
        p.setProcessEnvironment(env);
        QSignalSpy finished(&p, &QProcess::finished);
        p.start(programPath(), {QStringLiteral("run"), QStringLiteral("remote_logged")});
        QVERIFY(finished.wait(30000)); // the front serves in this event loop meanwhile
        QVERIFY2(p.exitCode() == 0, p.readAllStandardError().constData());
        QCOMPARE(lost["/logs/"], 1);
        QCOMPARE(lost["/set_state"], 1);

        const json runs = flowRunsOf("remote_logged");
        QCOMPARE(runs.size(), std::size_t(1));
        const std::string id = runs[0].value("id", "");
        QCOMPARE(runs[0].value("state_type", ""), std::string("COMPLETED"));
        std::map<std::string, int> lines;
        for (const auto& line : api("POST", QStringLiteral("/logs/filter"),
                                    {{"logs", {{"flow_run_id", {{"any_", {id}}}}}}, {"limit", 200}})
                                    .body)
            ++lines[line.value("message", "")];
        for (const char* m : {"line 1", "line 2", "line 3", "step 5 ran"})
            QCOMPARE(lines[m], 1);
        // Each state once: the lost answer was to the flow run's first set_state.
        const json states =
            api("GET",
                QStringLiteral("/flow_run_states/?flow_run_id=%1").arg(QString::fromStdString(id)))
                .body;
        std::vector<std::string> types;
        for (const auto& st : states)
            types.push_back(st.value("type", ""));
        QCOMPARE(types, (std::vector<std::string>{"PENDING", "RUNNING", "COMPLETED"}));
        QCOMPARE(runs[0].value("run_count", 0), 1);
    }
};

QTEST_GUILESS_MAIN(TestSdkRemoteFeatures)
#include "tst_sdk_remote_features.moc"
