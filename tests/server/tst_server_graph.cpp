// What Prefect's UI draws a run with, over REST: the run graph (graph-v2) with its edges and
// subflows, a run's state history (flow_run_states, task_run_states) and the flow-run history
// behind the charts (flow_runs/history).
#include "serverfixture.h"

#include <QtTest>

#include <map>
#include <set>

using nlohmann::json;

namespace {

QString path(const char* prefix, const std::string& id, const char* suffix = "") {
    return QString::fromLatin1(prefix) + QString::fromStdString(id) + QString::fromLatin1(suffix);
}

std::set<std::string> ids(const json& edges) {
    std::set<std::string> out;
    for (const auto& e : edges)
        out.insert(e.at("id").get<std::string>());
    return out;
}

// graph-v2's nodes are [id, node] pairs; by id.
std::map<std::string, json> nodesById(const json& graph) {
    std::map<std::string, json> out;
    for (const auto& pair : graph.at("nodes"))
        out[pair.at(0).get<std::string>()] = pair.at(1);
    return out;
}

} // namespace

class TestServerGraph : public QObject {
    Q_OBJECT

    // A task run of `run` moved through `states`; `inputs` are its task_inputs.
    std::string task(ServerFixture& f, const std::string& run, const std::string& key,
                     json inputs = json::object(),
                     std::initializer_list<const char*> states = {"RUNNING", "COMPLETED"}) {
        auto created = f.post(QStringLiteral("/api/task_runs/"), {{"flow_run_id", run},
                                                                  {"task_key", key},
                                                                  {"dynamic_key", "0"},
                                                                  {"task_inputs", inputs}});
        if (created.status != 201) return {};
        const std::string id = created.body.at("id");
        for (const char* type : states)
            if (f.setState(QStringLiteral("task_runs"), id, {{"type", type}}).status != 201)
                return {};
        return id;
    }

private Q_SLOTS:
    void graphHasTheRunsEdgesAndSubflows() {
        ServerFixture f;
        const std::string flow = f.createFlow("etl");
        const std::string run = f.createFlowRun(flow);
        QCOMPARE(f.setState(QStringLiteral("flow_runs"), run, {{"type", "RUNNING"}}).status, 201);
        const std::string extract = task(f, run, "extract");
        const std::string gate = task(f, run, "gate");
        // load takes extract's data and waits for gate (order only): both are its parents.
        const std::string load = task(f, run, "load",
                                      {{"rows", {{{"input_type", "task_run"}, {"id", extract}}}},
                                       {"wait_for", {{{"input_type", "task_run"}, {"id", gate}}}},
                                       {"n", {{{"input_type", "parameter"}, {"name", "n"}}}}},
                                      {"RUNNING"});
        // A subflow call after load: drawn as the child flow run, not as the calling task run.
        const std::string call =
            task(f, run, "report", {{"x", {{{"input_type", "task_run"}, {"id", load}}}}}, {});
        const std::string child =
            f.createFlowRun(flow, {{"parent_task_run_id", call}, {"name", "report-subflow"}});
        QVERIFY(!extract.empty() && !gate.empty() && !load.empty() && !call.empty()
                && !child.empty());

        auto graph = f.get(path("/api/flow_runs/", run, "/graph-v2"));
        QCOMPARE(graph.status, 200);
        auto nodes = nodesById(graph.body);
        QCOMPARE(nodes.size(), size_t(4));
        QVERIFY(nodes.count(child) && !nodes.count(call));
        QCOMPARE(nodes[child].at("kind"), json("flow-run"));
        QCOMPARE(nodes[child].at("label"), json("report-subflow"));
        QCOMPARE(nodes[load].at("kind"), json("task-run"));
        QCOMPARE(nodes[load].at("state_type"), json("RUNNING"));
        QVERIFY(nodes[load].at("end_time").is_null());
        QCOMPARE(ids(nodes[load].at("parents")), (std::set<std::string>{extract, gate}));
        QCOMPARE(ids(nodes[load].at("children")), (std::set<std::string>{child}));
        QCOMPARE(ids(nodes[child].at("parents")), (std::set<std::string>{load}));
        QCOMPARE(ids(nodes[extract].at("children")), (std::set<std::string>{load}));
        std::set<std::string> roots;
        for (const auto& r : graph.body.at("root_node_ids"))
            roots.insert(r.get<std::string>());
        QCOMPARE(roots, (std::set<std::string>{extract, gate}));
        QVERIFY(graph.body.at("start_time").is_string());
        QVERIFY(graph.body.at("end_time").is_null());
        // The run's own states: PENDING (created), RUNNING.
        QCOMPARE(graph.body.at("states").size(), size_t(2));
        QCOMPARE(graph.body.at("states").back().at("type"), json("RUNNING"));

        // `since`: nodes that ended before it are left out, running ones stay.
        auto later = f.get(path("/api/flow_runs/", run, "/graph-v2?since=2999-01-01T00:00:00Z"));
        QCOMPARE(later.status, 200);
        auto recent = nodesById(later.body);
        QVERIFY(recent.count(load) && recent.count(child) && !recent.count(extract));
    }

    void graphRefusesWhatItCannotAnswer() {
        ServerFixture f;
        QCOMPARE(f.get(QStringLiteral("/api/flow_runs/not-a-uuid/graph-v2")).status, 422);
        auto unknown =
            f.get(QStringLiteral("/api/flow_runs/01a24f0b-147f-7000-97a2-abd822fec1bb/graph-v2"));
        QCOMPARE(unknown.status, 404);
        QCOMPARE(unknown.body.at("detail"), json("Flow run not found"));
        const std::string run = f.createFlowRun(f.createFlow("etl"));
        auto badSince = f.get(path("/api/flow_runs/", run, "/graph-v2?since=yesterday"));
        QCOMPARE(badSince.status, 422);
        QCOMPARE(badSince.body.at("detail").at(0).at("loc"), json({"query", "since"}));
    }

    void stateHistoryOfFlowAndTaskRuns() {
        ServerFixture f;
        const std::string run = f.createFlowRun(f.createFlow("etl"));
        for (const char* type : {"RUNNING", "COMPLETED"})
            QCOMPARE(f.setState(QStringLiteral("flow_runs"), run, {{"type", type}}).status, 201);
        auto states = f.get(path("/api/flow_run_states/?flow_run_id=", run));
        QCOMPARE(states.status, 200);
        std::vector<std::string> types;
        for (const auto& s : states.body)
            types.push_back(s.at("type"));
        QCOMPARE(types, (std::vector<std::string>{"PENDING", "RUNNING", "COMPLETED"}));

        const std::string t = task(f, run, "step", json::object(), {"RUNNING", "FAILED"});
        auto taskStates = f.get(path("/api/task_run_states/?task_run_id=", t));
        QCOMPARE(taskStates.status, 200);
        QCOMPARE(taskStates.body.size(), size_t(3));
        QCOMPARE(taskStates.body.back().at("type"), json("FAILED"));

        auto missing = f.get(QStringLiteral("/api/flow_run_states/"));
        QCOMPARE(missing.status, 422);
        QCOMPARE(missing.body.at("detail").at(0).at("loc"), json({"query", "flow_run_id"}));
        QCOMPARE(f.get(QStringLiteral("/api/task_run_states/?task_run_id=nope")).status, 422);
        // An id nobody has: no states, as Prefect answers.
        auto none = f.get(QStringLiteral(
            "/api/flow_run_states/?flow_run_id=01a24f0b-147f-7000-97a2-abd822fec1bb"));
        QCOMPARE(none.status, 200);
        QCOMPARE(none.body, json::array());
    }

    void historyCountsRunsPerIntervalAndState() {
        ServerFixture f;
        const std::string flow = f.createFlow("etl");
        // Scheduled runs placed in the hours of one day: two at 10:xx, one at 12:xx.
        auto scheduled = [&](const char* at) {
            return f.createFlowRun(
                flow,
                {{"state", {{"type", "SCHEDULED"}, {"state_details", {{"scheduled_time", at}}}}}});
        };
        const std::string a = scheduled("2026-12-01T10:05:00Z");
        const std::string b = scheduled("2026-12-01T10:40:00Z");
        const std::string c = scheduled("2026-12-01T12:30:00Z");
        scheduled("2026-12-02T10:00:00Z"); // outside the window
        QVERIFY(!a.empty() && !b.empty() && !c.empty());
        QCOMPARE(f.setState(QStringLiteral("flow_runs"), b, {{"type", "CANCELLED"}}).status, 201);

        json body = {{"history_start", "2026-12-01T10:00:00Z"},
                     {"history_end", "2026-12-01T13:00:00Z"},
                     {"history_interval_seconds", 3600}};
        auto history = f.post(QStringLiteral("/api/flow_runs/history"), body);
        QCOMPARE(history.status, 200);
        QCOMPARE(history.body.size(), size_t(3));
        QCOMPARE(history.body[0].at("interval_start"), json("2026-12-01T10:00:00.000000Z"));
        QCOMPARE(history.body[0].at("interval_end"), json("2026-12-01T11:00:00.000000Z"));
        std::map<std::string, std::int64_t> first;
        for (const auto& s : history.body[0].at("states"))
            first[s.at("state_type").get<std::string>()] = s.at("count_runs").get<std::int64_t>();
        QCOMPARE(first, (std::map<std::string, std::int64_t>{{"SCHEDULED", 1}, {"CANCELLED", 1}}));
        QCOMPARE(history.body[1].at("states"), json::array());
        QCOMPARE(history.body[2].at("states").size(), size_t(1));
        QCOMPARE(history.body[2].at("states")[0].at("count_runs"), json(1));

        // The flow-run filters narrow it, as for flow_runs/filter.
        body["flow_runs"] = {{"state", {{"type", {{"any_", {"CANCELLED"}}}}}}};
        auto cancelled = f.post(QStringLiteral("/api/flow_runs/history"), body);
        QCOMPARE(cancelled.status, 200);
        std::int64_t total = 0;
        for (const auto& interval : cancelled.body)
            for (const auto& s : interval.at("states"))
                total += s.at("count_runs").get<std::int64_t>();
        QCOMPARE(total, std::int64_t(1));

        // Refusals: a missing field names it; intervals under a second or too many are 422.
        auto missing = f.post(QStringLiteral("/api/flow_runs/history"),
                              {{"history_start", "2026-12-01T10:00:00Z"}});
        QCOMPARE(missing.status, 422);
        body.erase("flow_runs");
        body["history_interval_seconds"] = 0.5;
        QCOMPARE(f.post(QStringLiteral("/api/flow_runs/history"), body).status, 422);
        body["history_interval_seconds"] = 1;
        QCOMPARE(f.post(QStringLiteral("/api/flow_runs/history"), body).status, 422);
    }
};

QTEST_GUILESS_MAIN(TestServerGraph)
#include "tst_server_graph.moc"
