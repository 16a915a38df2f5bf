// A flow program with WEFT_API_URL set reports to a real weft-server instead of a local database:
// its flow run, task runs (states, names, dependency edges, retries), logs, parameters and result
// are on the server, and no local database is created.
#include "serverprocess.h"

#include <QtTest>

#include <map>

using nlohmann::json;

namespace {

struct Run {
    int code = -1;
    QString out, err;
};

} // namespace

class TestSdkRemote : public QObject {
    Q_OBJECT

    QTemporaryDir m_dir;
    QProcess m_server;
    QString m_base; // http://127.0.0.1:PORT/api

    QString home() const { return m_dir.filePath(QStringLiteral("home")); }

    QProcessEnvironment programEnv() const {
        auto env = QProcessEnvironment::systemEnvironment();
        env.remove(QStringLiteral("WEFT_DB"));
        env.insert(QStringLiteral("WEFT_HOME"), home());
        env.insert(QStringLiteral("WEFT_API_URL"), m_base);
        return env;
    }

    Run program(const QStringList& args) {
        QProcess p;
        p.setProcessEnvironment(programEnv());
        p.start(qEnvironmentVariable("WEFT_TEST_BIN_DIR") + QStringLiteral("/sdk_remote_program"),
                args);
        Run r;
        if (!p.waitForFinished(30000)) {
            p.kill();
            p.waitForFinished();
            return r;
        }
        r.code = p.exitCode();
        r.out = QString::fromUtf8(p.readAllStandardOutput());
        r.err = QString::fromUtf8(p.readAllStandardError());
        return r;
    }

    HttpAnswer api(const QByteArray& method, const QString& path, const json& body = nullptr) {
        return request(method, QUrl(m_base + path),
                       body.is_null() ? QByteArray() : QByteArray::fromStdString(body.dump()));
    }

    // The one run of flow `flow` on the server.
    json flowRunOf(const std::string& flow) {
        auto runs = api("POST", QStringLiteral("/flow_runs/filter"),
                        {{"flows", {{"name", {{"any_", {flow}}}}}}})
                        .body;
        if (!runs.is_array() || runs.size() != 1) return json();
        return runs[0];
    }

    json taskRunsOf(const std::string& flowRun) {
        return api("POST", QStringLiteral("/task_runs/filter"),
                   {{"flow_runs", {{"id", {{"any_", {flowRun}}}}}},
                    {"sort", "EXPECTED_START_TIME_ASC"}})
            .body;
    }

    json logsOf(const std::string& flowRun) {
        return api("POST", QStringLiteral("/logs/filter"),
                   {{"logs", {{"flow_run_id", {{"any_", {flowRun}}}}}}, {"limit", 200}})
            .body;
    }

private Q_SLOTS:
    void initTestCase() {
        QVERIFY(m_dir.isValid());
        m_server.setProcessChannelMode(QProcess::SeparateChannels);
        m_server.start(qEnvironmentVariable("WEFT_BIN_DIR") + QStringLiteral("/weft-server"),
                       {QStringLiteral("--port"), QStringLiteral("0"), QStringLiteral("--db"),
                        m_dir.filePath(QStringLiteral("server.db"))});
        QVERIFY(m_server.waitForStarted());
        QByteArray err;
        const quint16 port = waitForPort(m_server, err);
        QVERIFY2(port != 0, err.constData());
        m_base = QStringLiteral("http://127.0.0.1:%1/api").arg(port);
    }

    void cleanupTestCase() {
        m_server.terminate();
        if (!m_server.waitForFinished(10000)) m_server.kill();
    }

    void completedRunWithTasksLogsAndEdges() {
        const Run r = program({QStringLiteral("run"), QStringLiteral("remote_etl"),
                               QStringLiteral("--param"), QStringLiteral("n=4")});
        QVERIFY2(r.code == 0, qPrintable(r.err));

        const json run = flowRunOf("remote_etl");
        QVERIFY2(run.is_object(), qPrintable(r.err));
        QCOMPARE(run.value("state_type", ""), std::string("COMPLETED"));
        QCOMPARE(run.at("parameters"), json({{"n", 4}}));
        QCOMPARE(run.value("result", json()), json(100)); // (1+2+3+4)*10
        QCOMPARE(run.value("run_count", 0), 1);
        const std::string id = run.value("id", "");

        const json tasks = taskRunsOf(id);
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
        const Run r = program({QStringLiteral("run"), QStringLiteral("remote_flaky")});
        QCOMPARE(r.code, 1);
        const json run = flowRunOf("remote_flaky");
        QVERIFY2(run.is_object(), qPrintable(r.err));
        QCOMPARE(run.value("state_type", ""), std::string("FAILED"));
        const json tasks = taskRunsOf(run.value("id", ""));
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
};

QTEST_GUILESS_MAIN(TestSdkRemote)
#include "tst_sdk_remote.moc"
