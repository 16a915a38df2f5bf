// Runs driven over REST end to end, read back through the engine's own Reader (the same store);
// refused transitions answered with the rules' reason; the filter example of prefect-api.md.
#include "serverfixture.h"

#include <QtTest>

using nlohmann::json;

namespace {

QString path(const char* prefix, const std::string& id, const char* suffix = "") {
    return QString::fromLatin1(prefix) + QString::fromStdString(id) + QString::fromLatin1(suffix);
}

std::vector<weft::StateType> types(const std::vector<weft::State>& states) {
    std::vector<weft::StateType> out;
    for (const auto& s : states)
        out.push_back(s.type);
    return out;
}

} // namespace

class TestServerRuns : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void runWithTasksAndLogsEndsInTheStore() {
        using weft::StateType;
        ServerFixture f;
        const std::string flow = f.createFlow("etl");
        const std::string run = f.createFlowRun(flow, {{"parameters", {{"n", 2}}}});
        QVERIFY(!run.empty());
        QCOMPARE(
            f.setState(QStringLiteral("flow_runs"), run, {{"type", "RUNNING"}}).body.at("status"),
            json("ACCEPT"));

        std::vector<std::string> tasks;
        for (int i = 0; i < 2; ++i) {
            json body = {
                {"flow_run_id", run}, {"task_key", "step"}, {"dynamic_key", std::to_string(i)}};
            if (i == 1) // the second consumes the first's result: an edge of the run graph
                body["task_inputs"] = {{"x", {{{"input_type", "task_run"}, {"id", tasks[0]}}}}};
            auto created = f.post(QStringLiteral("/api/task_runs/"), body);
            QCOMPARE(created.status, 201);
            tasks.push_back(created.body.at("id"));
            for (const char* type : {"RUNNING", "COMPLETED"}) {
                auto moved =
                    f.setState(QStringLiteral("task_runs"), tasks.back(), {{"type", type}});
                QCOMPARE(moved.status, 201);
                QCOMPARE(moved.body.at("status"), json("ACCEPT"));
            }
        }
        json lines = json::array();
        lines.push_back({{"name", "etl"},
                         {"level", 20},
                         {"message", "flow says hello"},
                         {"timestamp", "2026-12-07T10:00:00Z"},
                         {"flow_run_id", run}});
        lines.push_back({{"name", "etl.step"},
                         {"level", 30},
                         {"message", "task warns"},
                         {"timestamp", "2026-12-07T10:00:01+00:00"},
                         {"flow_run_id", run},
                         {"task_run_id", tasks[1]}});
        QCOMPARE(f.post(QStringLiteral("/api/logs/"), lines).status, 201);
        auto done = f.setState(QStringLiteral("flow_runs"), run,
                               {{"type", "COMPLETED"}, {"message", "all good"}});
        QCOMPARE(done.status, 201);
        QCOMPARE(done.body.at("state").at("type"), json("COMPLETED"));

        // What the REST API answered is what the engine's Reader finds in the store.
        auto stored = f.engine().store().read([&](weft::Reader& r) { return r.flow_run(run); });
        QVERIFY(stored);
        QCOMPARE(stored->state.type, StateType::Completed);
        QCOMPARE(stored->state.message, std::string("all good"));
        QCOMPARE(stored->flow_name, std::string("etl"));
        QCOMPARE(stored->parameters, json({{"n", 2}}));
        QCOMPARE(stored->run_count, 1);
        QVERIFY(stored->start_time && stored->end_time && *stored->end_time >= *stored->start_time);
        auto history =
            f.engine().store().read([&](weft::Reader& r) { return r.state_history(run); });
        QCOMPARE(types(history), (std::vector<StateType>{StateType::Pending, StateType::Running,
                                                         StateType::Completed}));
        auto task_runs = f.engine().store().read([&](weft::Reader& r) { return r.task_runs(run); });
        QCOMPARE(task_runs.size(), size_t(2));
        for (const auto& t : task_runs) {
            QCOMPARE(t.state.type, StateType::Completed);
            QCOMPARE(t.run_count, 1);
        }
        QCOMPARE(task_runs[1].task_inputs.at("x").at(0).at("id"), json(tasks[0]));
        weft::LogQuery q;
        q.flow_run_id = run;
        auto logs = f.engine().store().read([&](weft::Reader& r) { return r.logs(q); });
        QCOMPARE(logs.size(), size_t(2));
        QCOMPARE(logs[1].task_run_id, tasks[1]);
        QCOMPARE(logs[1].level, 30);
        QCOMPARE(logs[1].timestamp, *weft::from_iso("2026-12-07T10:00:01Z"));
        // The change feed saw it all, as it sees the embedded engine's runs.
        auto events = f.engine().store().read([&](weft::Reader& r) { return r.events_after(0); });
        int flow_states = 0, task_states = 0, log_events = 0;
        for (const auto& e : events) {
            if (e.kind == weft::EventKind::FlowRunState && e.run_id == run) ++flow_states;
            if (e.kind == weft::EventKind::TaskRunState) ++task_states;
            if (e.kind == weft::EventKind::Logs) ++log_events;
        }
        QCOMPARE(flow_states, 2);
        QCOMPARE(task_states, 4);
        QVERIFY(log_events >= 1);
    }

    void finishedRunRefusesToRunAgain() {
        ServerFixture f;
        const std::string run = f.createFlowRun(f.createFlow("etl"));
        f.setState(QStringLiteral("flow_runs"), run, {{"type", "RUNNING"}});
        f.setState(QStringLiteral("flow_runs"), run, {{"type", "COMPLETED"}});
        auto again = f.setState(QStringLiteral("flow_runs"), run, {{"type", "RUNNING"}});
        QCOMPARE(again.status, 200); // refused: nothing written
        QCOMPARE(again.body.at("status"), json("ABORT"));
        QCOMPARE(again.body.at("details").at("type"), json("abort_details"));
        QVERIFY(!again.body.at("details").at("reason").get<std::string>().empty());
        QVERIFY(again.body.at("state").is_null());
        QCOMPARE(f.get(path("/api/flow_runs/", run)).body.at("state_type"), json("COMPLETED"));

        // Forcing skips the rules, as Prefect's force does.
        auto forced = f.setState(QStringLiteral("flow_runs"), run, {{"type", "FAILED"}}, true);
        QCOMPARE(forced.status, 201);
        QCOMPARE(forced.body.at("status"), json("ACCEPT"));
        QCOMPARE(f.get(path("/api/flow_runs/", run)).body.at("state_type"), json("FAILED"));
    }

    void failureWithRetriesLeftIsRejectedIntoAwaitingRetry() {
        ServerFixture f;
        const std::string run = f.createFlowRun(
            f.createFlow("etl"), {{"empirical_policy", {{"retries", 1}, {"retry_delay", 0}}}});
        f.setState(QStringLiteral("flow_runs"), run, {{"type", "RUNNING"}});
        auto failed =
            f.setState(QStringLiteral("flow_runs"), run, {{"type", "FAILED"}, {"message", "boom"}});
        QCOMPARE(failed.status, 201); // the state offered instead is stored
        QCOMPARE(failed.body.at("status"), json("REJECT"));
        QCOMPARE(failed.body.at("details").at("type"), json("reject_details"));
        QVERIFY(!failed.body.at("details").at("reason").get<std::string>().empty());
        QCOMPARE(failed.body.at("state").at("type"), json("SCHEDULED"));
        QCOMPARE(failed.body.at("state").at("name"), json("AwaitingRetry"));
        auto read = f.get(path("/api/flow_runs/", run));
        QCOMPARE(read.body.at("state_name"), json("AwaitingRetry"));
        // The next attempt runs as "Retrying".
        auto retry = f.setState(QStringLiteral("flow_runs"), run, {{"type", "RUNNING"}});
        QCOMPARE(retry.body.at("status"), json("ACCEPT"));
        QCOMPARE(retry.body.at("state").at("name"), json("Retrying"));
    }

    void runScheduledLaterMustWait() {
        ServerFixture f;
        const std::string later = weft::to_iso(weft::now_us() + 3600LL * 1000000);
        const std::string run = f.createFlowRun(
            f.createFlow("etl"),
            {{"state", {{"type", "SCHEDULED"}, {"state_details", {{"scheduled_time", later}}}}}});
        auto read = f.get(path("/api/flow_runs/", run));
        QCOMPARE(read.body.at("state_type"), json("SCHEDULED"));
        QCOMPARE(read.body.at("expected_start_time"), json(later));
        auto early = f.setState(QStringLiteral("flow_runs"), run, {{"type", "RUNNING"}});
        QCOMPARE(early.status, 200);
        QCOMPARE(early.body.at("status"), json("WAIT"));
        QCOMPARE(early.body.at("details").at("type"), json("wait_details"));
        const int delay = early.body.at("details").at("delay_seconds");
        QVERIFY2(delay > 3500 && delay <= 3600, std::to_string(delay).c_str());
    }

    // The example body of prefect-api.md §4: failed runs of a flow expected after a time, newest
    // first, page 2 of 50; the same body without sort, limit and offset counts them.
    void prefectApiFilterExample() {
        ServerFixture f;
        const json example =
            json::parse(R"({"flows": {"id": {"any_": ["3f1c6a2e-8f4b-4c1e-9b57-2d0c7a9e5b11"]}},
 "flow_runs": {"operator": "and_", "state": {"type": {"any_": ["FAILED"]}},
               "expected_start_time": {"after_": "2026-08-20T10:00:00Z"}},
 "sort": "EXPECTED_START_TIME_DESC", "limit": 50, "offset": 50})");
        auto verbatim = f.post(QStringLiteral("/api/flow_runs/filter"), example);
        QCOMPARE(verbatim.status, 200);
        QCOMPARE(verbatim.body, json::array()); // no such flow here

        const std::string flow = f.createFlow("etl");
        const std::string other = f.createFlow("other");
        for (int i = 0; i < 55; ++i)
            QVERIFY(!f.createFlowRun(flow, {{"state", {{"type", "FAILED"}}}}).empty());
        QVERIFY(!f.createFlowRun(flow).empty()); // PENDING: not counted
        QVERIFY(!f.createFlowRun(other, {{"state", {{"type", "FAILED"}}}}).empty());
        json ours = example;
        ours["flows"]["id"]["any_"] = {flow};
        auto page = f.post(QStringLiteral("/api/flow_runs/filter"), ours);
        QCOMPARE(page.status, 200);
        QCOMPARE(page.body.size(), size_t(5));
        for (size_t i = 1; i < page.body.size(); ++i)
            QVERIFY(page.body[i - 1].at("expected_start_time").get<std::string>()
                    >= page.body[i].at("expected_start_time").get<std::string>());
        for (const auto& r : page.body) {
            QCOMPARE(r.at("state_type"), json("FAILED"));
            QCOMPARE(r.at("flow_id"), json(flow));
        }
        json count_body = ours;
        for (const char* key : {"sort", "limit", "offset"})
            count_body.erase(key);
        auto count = f.post(QStringLiteral("/api/flow_runs/count"), count_body);
        QCOMPARE(count.status, 200);
        QCOMPARE(count.body, json(55));
    }
};

QTEST_GUILESS_MAIN(TestServerRuns)
#include "tst_server_runs.moc"
