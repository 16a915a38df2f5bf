// `weft` with WEFT_API_URL set works against a server: it lists and inspects the server's runs,
// reads their logs, cancels, deletes and sets states through the server's rules, and says
// plainly what it cannot do there yet, or that the server cannot be reached.
#include "testprocess.h"

#include <QtTest>

#include <set>

using nlohmann::json;

class TestCliRemote : public QObject {
    Q_OBJECT

    QTemporaryDir m_dir;
    ServerProcess m_server;
    std::string m_flow, m_running, m_scheduled, m_task;

    // `weft ARGS` against the server, or the one at `apiUrl`.
    ProcessRun weft(const QStringList& args, const QString& apiUrl = {}) {
        auto env = m_server.environment(m_dir.filePath(QStringLiteral("home")));
        if (!apiUrl.isEmpty()) env.insert(QStringLiteral("WEFT_API_URL"), apiUrl);
        return runProcess(binPath(QStringLiteral("weft")), args, env);
    }

    HttpAnswer api(const QByteArray& method, const QString& path, const json& body = nullptr) {
        return m_server.api(method, path, body);
    }

    std::string stateOf(const std::string& run) { return m_server.stateOf(run); }

private Q_SLOTS:
    void initTestCase() {
        QVERIFY(m_dir.isValid());
        QVERIFY2(m_server.start(m_dir.filePath(QStringLiteral("server.db"))),
                 m_server.error().constData());

        m_flow = api("POST", QStringLiteral("/flows/"), {{"name", "etl"}}).body.value("id", "");
        m_running = api("POST", QStringLiteral("/flow_runs/"),
                        {{"flow_id", m_flow}, {"name", "brisk-otter"}})
                        .body.value("id", "");
        m_scheduled =
            api("POST", QStringLiteral("/flow_runs/"),
                {{"flow_id", m_flow}, {"name", "calm-heron"}, {"state", {{"type", "SCHEDULED"}}}})
                .body.value("id", "");
        QVERIFY(!m_flow.empty() && !m_running.empty() && !m_scheduled.empty());
        const QString running = QString::fromStdString(m_running);
        QCOMPARE(api("POST", QStringLiteral("/flow_runs/%1/set_state").arg(running),
                     {{"state", {{"type", "RUNNING"}}}})
                     .status,
                 201);
        for (const char* key : {"extract", "load"}) {
            auto t = api("POST", QStringLiteral("/task_runs/"),
                         {{"flow_run_id", m_running}, {"task_key", key}, {"dynamic_key", "0"}});
            QCOMPARE(t.status, 201);
            m_task = t.body.value("id", "");
        }
        json lines = json::array({{{"name", "etl"},
                                   {"level", 20},
                                   {"message", "reading 12 rows"},
                                   {"timestamp", "2026-12-07T10:00:00Z"},
                                   {"flow_run_id", m_running}},
                                  {{"name", "etl"},
                                   {"level", 40},
                                   {"message", "disk is slow"},
                                   {"timestamp", "2026-12-07T10:00:01Z"},
                                   {"flow_run_id", m_running}}});
        QCOMPARE(api("POST", QStringLiteral("/logs/"), lines).status, 201);
    }

    void cleanupTestCase() { m_server.stop(); }

    void listsAndInspectsTheServersRuns() {
        auto ls =
            weft({QStringLiteral("flow-run"), QStringLiteral("ls"), QStringLiteral("--json")});
        QCOMPARE(ls.code, 0);
        auto runs = json::parse(ls.out.toStdString());
        QCOMPARE(runs.size(), size_t(2));
        std::set<std::string> ids;
        for (const auto& r : runs) {
            ids.insert(r.at("id").get<std::string>());
            QCOMPARE(r.at("flow_name"), json("etl"));
        }
        QCOMPARE(ids, (std::set<std::string>{m_running, m_scheduled}));

        // Tables show whole ids: a server finds runs by whole id, not by a tail.
        auto table = weft({QStringLiteral("flow-run"), QStringLiteral("ls"),
                           QStringLiteral("--state"), QStringLiteral("RUNNING")});
        QCOMPARE(table.code, 0);
        QVERIFY2(table.out.contains(QString::fromStdString(m_running)), qPrintable(table.out));
        QVERIFY(!table.out.contains(QStringLiteral("calm-heron")));

        auto inspect = weft({QStringLiteral("flow-run"), QStringLiteral("inspect"),
                             QStringLiteral("brisk-otter"), QStringLiteral("--json")});
        QCOMPARE(inspect.code, 0);
        auto run = json::parse(inspect.out.toStdString());
        QCOMPARE(run.at("id"), json(m_running));
        QCOMPARE(run.at("task_runs").size(), size_t(2));
        QCOMPARE(run.at("state_history").size(), size_t(2)); // PENDING, RUNNING

        auto tasks = weft({QStringLiteral("task-run"), QStringLiteral("ls"),
                           QStringLiteral("--flow-run"), QString::fromStdString(m_running)});
        QCOMPARE(tasks.code, 0);
        QVERIFY(tasks.out.contains(QStringLiteral("extract-0"))
                && tasks.out.contains(QStringLiteral("load-0")));

        auto flows = weft({QStringLiteral("flow"), QStringLiteral("ls")});
        QCOMPARE(flows.code, 0);
        QVERIFY(flows.out.contains(QString::fromStdString(m_flow)));

        auto logs = weft({QStringLiteral("flow-run"), QStringLiteral("logs"),
                          QString::fromStdString(m_running)});
        QCOMPARE(logs.code, 0);
        QVERIFY(logs.out.contains(QStringLiteral("reading 12 rows"))
                && logs.out.contains(QStringLiteral("disk is slow")));
        auto errors = weft({QStringLiteral("flow-run"), QStringLiteral("logs"),
                            QString::fromStdString(m_running), QStringLiteral("--level"),
                            QStringLiteral("ERROR")});
        QCOMPARE(errors.code, 0);
        QVERIFY(!errors.out.contains(QStringLiteral("reading 12 rows")));
    }

    void actsThroughTheServersRules() {
        auto setTask = weft({QStringLiteral("task-run"), QStringLiteral("set-state"),
                             QString::fromStdString(m_task), QStringLiteral("FAILED")});
        QCOMPARE(setTask.code, 0);
        QCOMPARE(api("GET", QStringLiteral("/task_runs/") + QString::fromStdString(m_task))
                     .body.value("state_type", ""),
                 std::string("FAILED"));

        // Nothing runs a scheduled run: cancelled at once. A running one is asked to stop.
        auto cancel = weft(
            {QStringLiteral("flow-run"), QStringLiteral("cancel"), QStringLiteral("calm-heron")});
        QCOMPARE(cancel.code, 0);
        QVERIFY(cancel.out.startsWith(QStringLiteral("Cancelled")));
        QCOMPARE(stateOf(m_scheduled), std::string("CANCELLED"));
        auto stop = weft({QStringLiteral("flow-run"), QStringLiteral("cancel"),
                          QString::fromStdString(m_running)});
        QCOMPARE(stop.code, 0);
        QCOMPARE(stateOf(m_running), std::string("CANCELLING"));

        // The server's refusal is the command's failure, with the rules' reason.
        auto refused = weft({QStringLiteral("flow-run"), QStringLiteral("set-state"),
                             QStringLiteral("brisk-otter"), QStringLiteral("RUNNING")});
        QCOMPARE(refused.code, 1);
        QVERIFY2(refused.err.startsWith(QStringLiteral("weft: cannot set flow run"))
                     && refused.err.contains(QStringLiteral("being cancelled")),
                 qPrintable(refused.err));
        QCOMPARE(stateOf(m_running), std::string("CANCELLING"));

        auto del = weft({QStringLiteral("flow-run"), QStringLiteral("delete"),
                         QString::fromStdString(m_scheduled)});
        QCOMPARE(del.code, 0);
        QCOMPARE(
            api("GET", QStringLiteral("/flow_runs/") + QString::fromStdString(m_scheduled)).status,
            404);
    }

    // `weft events` reads the server's past events page by page (50 at most each) and prints
    // them oldest first, as the local feed's; --follow prints new ones from its event stream.
    void printsTheServersEvents() {
        std::vector<std::string> made;
        for (int i = 0; i < 60; ++i) {
            made.push_back(api("POST", QStringLiteral("/flow_runs/"),
                               {{"flow_id", m_flow}, {"name", "burst-" + std::to_string(i)}})
                               .body.value("id", ""));
            QVERIFY(!made.back().empty());
        }
        // 55: two pages, the newest 55 events, the newest last.
        auto page = weft({QStringLiteral("events"), QStringLiteral("--limit"), QStringLiteral("55"),
                          QStringLiteral("--json")});
        QVERIFY2(page.code == 0, qPrintable(page.err));
        const json events = json::parse(page.out.toStdString());
        QCOMPARE(events.size(), size_t(55));
        std::set<std::string> runs;
        for (const auto& e : events) {
            QCOMPARE(e.at("kind"), json("flow-run.state"));
            QVERIFY(e.at("seq").is_null());
            QCOMPARE(e.at("state").value("type", ""), std::string("PENDING"));
            runs.insert(e.value("run_id", ""));
        }
        QCOMPARE(runs.size(), size_t(55)); // none twice
        QCOMPARE(events.back().value("run_id", ""), made.back());
        QCOMPARE(events.front().value("run_id", ""), made[5]);

        // The table: the local feed's columns, "-" for the sequence number, whole ids.
        auto table =
            weft({QStringLiteral("events"), QStringLiteral("--limit"), QStringLiteral("1")});
        QCOMPARE(table.code, 0);
        QVERIFY2(table.out.contains(QStringLiteral("flow-run.state"))
                     && table.out.contains(QString::fromStdString(made.back()))
                     && table.out.trimmed().startsWith(QLatin1Char('-')),
                 qPrintable(table.out));

        auto after =
            weft({QStringLiteral("events"), QStringLiteral("--after"), QStringLiteral("3")});
        QCOMPARE(after.code, 1);
        QVERIFY2(after.err.contains(QStringLiteral("a server's events have none")),
                 qPrintable(after.err));

        // --follow: the past line, then a state set afterwards, as it happens.
        QProcess follow;
        follow.setProcessEnvironment(m_server.environment(m_dir.filePath(QStringLiteral("home"))));
        follow.start(binPath(QStringLiteral("weft")),
                     {QStringLiteral("events"), QStringLiteral("--follow"),
                      QStringLiteral("--limit"), QStringLiteral("1")});
        QByteArray seen;
        QTRY_VERIFY_WITH_TIMEOUT((seen += follow.readAllStandardOutput())
                                     .contains(QByteArray::fromStdString(made.back())),
                                 10000);
        const std::string moved = made.front();
        QCOMPARE(api("POST",
                     QStringLiteral("/flow_runs/%1/set_state").arg(QString::fromStdString(moved)),
                     {{"state", {{"type", "CANCELLED"}}}, {"force", true}})
                     .status,
                 201);
        QTRY_VERIFY_WITH_TIMEOUT(
            (seen += follow.readAllStandardOutput()).contains(QByteArray::fromStdString(moved)),
            10000);
        QVERIFY2(seen.contains("Cancelled"), seen.constData());
        follow.terminate();
        QVERIFY(follow.waitForFinished(10000));
    }

    void saysWhatItCannotDo() {
        auto tail = weft({QStringLiteral("flow-run"), QStringLiteral("inspect"),
                          QString::fromStdString(m_running.substr(24))});
        QCOMPARE(tail.code, 1);
        QVERIFY2(tail.err.contains(QStringLiteral("a server finds runs by whole id or name")),
                 qPrintable(tail.err));

        auto retry = weft({QStringLiteral("flow-run"), QStringLiteral("retry"),
                           QString::fromStdString(m_running)});
        QCOMPARE(retry.code, 1);
        QVERIFY2(retry.err.contains(QStringLiteral("was not made by a deployment")),
                 qPrintable(retry.err));
        auto fromTask = weft({QStringLiteral("flow-run"), QStringLiteral("retry"),
                              QString::fromStdString(m_running), QStringLiteral("--from-task"),
                              QString::fromStdString(m_task)});
        QCOMPARE(fromTask.code, 1);
        QVERIFY2(fromTask.err.contains(QStringLiteral("was not made by a deployment")),
                 qPrintable(fromTask.err));

        // (flow-run logs --follow against a server: tst_sdk_remote follows a running program.)

        // No server there: one line saying so, quickly.
        auto down = weft({QStringLiteral("flow-run"), QStringLiteral("ls")},
                         QStringLiteral("http://127.0.0.1:9/api"));
        QCOMPARE(down.code, 1);
        QVERIFY2(down.err.startsWith(QStringLiteral("weft: cannot reach the server at")),
                 qPrintable(down.err));

        // --db on the command line is the local database, WEFT_API_URL or not.
        auto local = weft({QStringLiteral("--db"), m_dir.filePath(QStringLiteral("local.db")),
                           QStringLiteral("flow"), QStringLiteral("ls")});
        QCOMPARE(local.code, 1); // it does not exist, and is not created by a listing
        QVERIFY(local.err.contains(QStringLiteral("local.db")));
    }
};

QTEST_GUILESS_MAIN(TestCliRemote)
#include "tst_cli_remote.moc"
