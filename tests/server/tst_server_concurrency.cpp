// Tag concurrency limits over REST (Prefect's concurrency_limits): created (201), changed (200),
// read by tag with the task runs holding its slots, filtered by tag, deleted (404 after); bad
// bodies are 422 naming the field.
#include "serverfixture.h"

#include <QtTest>

using nlohmann::json;

class TestServerConcurrency : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void limitsByTag() {
        ServerFixture f;
        auto created = f.post(QStringLiteral("/api/concurrency_limits/"),
                              {{"tag", "db"}, {"concurrency_limit", 2}});
        QCOMPARE(created.status, 201);
        QCOMPARE(created.body.at("tag"), json("db"));
        QCOMPARE(created.body.at("concurrency_limit"), json(2));
        QCOMPARE(created.body.at("active_slots"), json::array());
        auto changed = f.post(QStringLiteral("/api/concurrency_limits/"),
                              {{"tag", "db"}, {"concurrency_limit", 3}});
        QCOMPARE(changed.status, 200);
        QCOMPARE(changed.body.at("id"), created.body.at("id"));
        QCOMPARE(f.post(QStringLiteral("/api/concurrency_limits/"),
                        {{"tag", "api"}, {"concurrency_limit", 1}})
                     .status,
                 201);

        // A task run holding a slot of "db" is listed.
        const std::string task = "0190c0de-0000-7000-8000-000000000001";
        const std::string run = "0190c0de-0000-7000-8000-000000000002";
        const std::string full = f.engine()
                                     .store()
                                     .transact<std::string>([&](weft::Txn& txn) {
                                         return txn.acquire_slots({"db"}, task, run);
                                     })
                                     .get();
        QCOMPARE(QString::fromStdString(full), QString());
        auto read = f.get(QStringLiteral("/api/concurrency_limits/tag/db"));
        QCOMPARE(read.status, 200);
        QCOMPARE(read.body.at("concurrency_limit"), json(3));
        QCOMPARE(read.body.at("active_slots"), json({task}));

        auto all = f.post(QStringLiteral("/api/concurrency_limits/filter"), json::object());
        QCOMPARE(all.status, 200);
        QCOMPARE(all.body.size(), std::size_t(2));
        QCOMPARE(all.body.at(0).at("tag"), json("api")); // by tag
        QCOMPARE(
            f.post(QStringLiteral("/api/concurrency_limits/filter"), {{"offset", 1}, {"limit", 5}})
                .body.size(),
            std::size_t(1));

        QCOMPARE(f.send("DELETE", QStringLiteral("/api/concurrency_limits/tag/db")).status, 200);
        QCOMPARE(f.send("DELETE", QStringLiteral("/api/concurrency_limits/tag/db")).status, 404);
        auto gone = f.get(QStringLiteral("/api/concurrency_limits/tag/db"));
        QCOMPARE(gone.status, 404);
        QCOMPARE(gone.body, json({{"detail", "Concurrency limit not found"}}));

        auto no_tag =
            f.post(QStringLiteral("/api/concurrency_limits/"), {{"concurrency_limit", 1}});
        QCOMPARE(no_tag.status, 422);
        QCOMPARE(no_tag.body.at("detail").at(0).at("loc"), json({"body", "tag"}));
        QCOMPARE(f.post(QStringLiteral("/api/concurrency_limits/"),
                        {{"tag", "x"}, {"concurrency_limit", -1}})
                     .status,
                 422);
        QCOMPARE(f.post(QStringLiteral("/api/concurrency_limits/filter"), {{"limit", 500}}).status,
                 422);
    }

    // Prefect's concurrency rule through set_state: a program's RUNNING takes a slot of each
    // limited tag or is answered WAIT; a final state frees it, and so does a CRASHED flow run.
    void runningTakesSlotsOrWaits() {
        ServerFixture f;
        QCOMPARE(f.post(QStringLiteral("/api/concurrency_limits/"),
                        {{"tag", "db"}, {"concurrency_limit", 1}})
                     .status,
                 201);
        const auto flow = f.createFlow("limited");
        const auto run = f.createFlowRun(flow);
        const auto other_run = f.createFlowRun(flow);
        QCOMPARE(f.setState(QStringLiteral("flow_runs"), run, {{"type", "RUNNING"}}).status, 201);
        auto task = [&](const std::string& flow_run, const std::string& key) {
            auto t = f.post(QStringLiteral("/api/task_runs/"), {{"flow_run_id", flow_run},
                                                                {"task_key", key},
                                                                {"dynamic_key", "0"},
                                                                {"tags", {"db", "other"}}});
            return t.body.value("id", std::string());
        };
        const auto a = task(run, "a"), b = task(run, "b"), c = task(other_run, "c");
        const auto slots = [&] {
            return f.get(QStringLiteral("/api/concurrency_limits/tag/db"))
                .body.value("active_slots", json());
        };

        auto first = f.setState(QStringLiteral("task_runs"), a, {{"type", "RUNNING"}});
        QCOMPARE(first.status, 201);
        QCOMPARE(first.body.value("status", ""), std::string("ACCEPT"));
        QCOMPARE(slots(), json({a}));
        // The same RUNNING again (a resend) is refused and keeps the slot.
        QCOMPARE(f.setState(QStringLiteral("task_runs"), a, {{"type", "RUNNING"}})
                     .body.value("status", ""),
                 std::string("ABORT"));
        QCOMPARE(slots(), json({a}));

        auto waits = f.setState(QStringLiteral("task_runs"), b, {{"type", "RUNNING"}});
        QCOMPARE(waits.status, 200);
        QCOMPARE(waits.body.value("status", ""), std::string("WAIT"));
        QCOMPARE(waits.body.at("details").value("type", ""), std::string("wait_details"));
        QVERIFY(waits.body.at("details").value("delay_seconds", 0) >= 1);
        QVERIFY(waits.body.at("details").value("reason", "").find("'db'") != std::string::npos);
        QCOMPARE(waits.body.at("state"), json()); // nothing written
        auto b_run = f.get(QStringLiteral("/api/task_runs/%1").arg(QString::fromStdString(b)));
        QCOMPARE(b_run.body.value("state_type", ""), std::string("PENDING"));
        // Forced states skip the rule (a program that orchestrated itself).
        QCOMPARE(f.setState(QStringLiteral("task_runs"), c, {{"type", "RUNNING"}}, true).status,
                 201);
        QCOMPARE(slots(), json({a}));

        // A final state frees the slot: b gets it.
        QCOMPARE(f.setState(QStringLiteral("task_runs"), a, {{"type", "COMPLETED"}})
                     .body.value("status", ""),
                 std::string("ACCEPT"));
        QCOMPARE(slots(), json::array());
        QCOMPARE(f.setState(QStringLiteral("task_runs"), b, {{"type", "RUNNING"}})
                     .body.value("status", ""),
                 std::string("ACCEPT"));
        QCOMPARE(slots(), json({b}));

        // The program was killed: its flow run CRASHED frees what its task runs held.
        QCOMPARE(f.setState(QStringLiteral("flow_runs"), run,
                            {{"type", "CRASHED"}, {"message", "killed"}}, true)
                     .status,
                 201);
        QCOMPARE(slots(), json::array());
    }
};

QTEST_GUILESS_MAIN(TestServerConcurrency)
#include "tst_server_concurrency.moc"
