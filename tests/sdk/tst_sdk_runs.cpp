// Flows and tasks as recorded runs: states and their history, run counts and times, results and
// parameters as JSON, plain calls outside a flow, failures, hooks and the change feed.
#include "sdktest.hpp"

#include <QTest>

#include <atomic>
#include <stdexcept>
#include <unistd.h>

using namespace sdktest;

namespace {

struct Point {
    int x = 0;
    int y = 0;
};
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE(Point, x, y)

std::atomic<int> g_add_calls{0};
std::string g_task_run_id_seen; // what a task saw as its own run id
std::string g_flow_run_id_seen;

auto add = weft::task("add", [](int a, int b) {
               ++g_add_calls;
               g_task_run_id_seen = weft::current_task_run_id();
               return a + b;
           }).params({"a", "b"});

auto shout = weft::task("shout", [](std::string s) { return s + "!"; }); // parameters unnamed

auto boom = weft::task("boom", [](int x) -> int {
                throw std::runtime_error("boom " + std::to_string(x));
            }).params({"x"});

// A type without JSON support: recorded with a placeholder, never stored as a result.
struct Opaque {
    int secret = 0;
};
auto reveal = weft::task("reveal", [](Opaque o) { return Opaque{o.secret + 1}; });
auto opaque_flow = weft::flow("opaque_flow", [] { return reveal(Opaque{41}).secret; });

auto make_point = weft::task("make_point", [](int x, int y) { return Point{x, y}; });

auto two_adds = weft::flow("two_adds",
                           [](int x, int y) {
                               g_flow_run_id_seen = weft::current_flow_run_id();
                               const int first = add(x, y);
                               return add(first, 10);
                           })
                    .params({"x", "y"})
                    .defaults({{"y", 100}});

auto unnamed_flow = weft::flow("unnamed_flow", [](std::string s, int n) {
    std::string out = shout(s);
    for (int i = 1; i < n; ++i)
        out += shout(s);
    return out;
});

auto point_flow = weft::flow("point_flow", [] { return make_point(1, 2); });

auto failing_flow = weft::flow("failing_flow", [](int x) {
                        g_flow_run_id_seen = weft::current_flow_run_id();
                        return boom(x);
                    }).params({"x"});

std::string g_caught_task_run_id;
weft::State g_caught_state;
auto catching_flow = weft::flow("catching_flow", [] {
    g_flow_run_id_seen = weft::current_flow_run_id();
    try {
        boom(1);
    } catch (const weft::TaskRunFailed& e) {
        g_caught_task_run_id = e.task_run_id;
        g_caught_state = e.state;
    }
    return add(1, 1);
});

} // namespace

class TestSdkRuns : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void initTestCase() { QVERIFY(use_fresh_database(m_dir)); }
    void flowRecordsRunsAndStates();
    void taskRunsRecordStatesTimesAndResults();
    void changeFeedCarriesEveryState();
    void taskOutsideFlowIsPlainCall();
    void parameterNames();
    void runJsonUsesParametersAndDefaults();
    void runJsonRefusesBadParameters();
    void flowReturnValues();
    void valuesWithoutJson();
    void throwingTaskFailsFlow();
    void caughtTaskFailureDoesNotFailFlow();
    void hooks();
    void cancelledRunsRunCancellationHooks();

private:
    QTemporaryDir m_dir;
};

void TestSdkRuns::flowRecordsRunsAndStates() {
    const weft::Micros before = weft::now_us();
    QCOMPARE(two_adds(2, 3), 15);
    const weft::Micros after = weft::now_us();

    const auto run = flow_run(g_flow_run_id_seen);
    QCOMPARE(qs(run.id), qs(g_flow_run_id_seen));
    QCOMPARE(qs(run.flow_name), QStringLiteral("two_adds"));
    QVERIFY(!run.name.empty());
    QVERIFY(!run.flow_id.empty());
    QVERIFY(run.parent_task_run_id.empty());
    QCOMPARE(run.state.type, weft::StateType::Completed);
    QCOMPARE(history_names(run.id),
             QStringList({QStringLiteral("PENDING/Pending"), QStringLiteral("RUNNING/Running"),
                          QStringLiteral("COMPLETED/Completed")}));
    QCOMPARE(run.run_count, 1);
    QVERIFY(run.start_time && run.end_time);
    QVERIFY(*run.start_time >= before);
    QVERIFY(*run.start_time <= *run.end_time);
    QVERIFY(*run.end_time <= after);
    QVERIFY(run.total_run_time > 0);
    QCOMPARE(js(run.parameters), js(nlohmann::json{{"x", 2}, {"y", 3}}));
    QCOMPARE(js(run.result), QStringLiteral("15"));
    QCOMPARE(run.process.pid, std::int64_t(getpid()));
    QVERIFY(!run.launch.program.empty());

    // The flow is stored once, under its name.
    const auto flow = store().read([](weft::Reader& r) { return r.flow_by_name("two_adds"); });
    QVERIFY(flow);
    QCOMPARE(qs(flow->id), qs(run.flow_id));
}

void TestSdkRuns::taskRunsRecordStatesTimesAndResults() {
    g_add_calls = 0;
    QCOMPARE(two_adds(4, 5), 19);
    QCOMPARE(g_add_calls.load(), 2);

    const auto runs = task_runs(g_flow_run_id_seen, "add");
    QCOMPARE(runs.size(), size_t(2));
    QCOMPARE(task_runs(g_flow_run_id_seen).size(), size_t(2));
    const auto flow = flow_run(g_flow_run_id_seen);
    const int expected[] = {9, 19};
    const nlohmann::json params[] = {{{"a", 4}, {"b", 5}}, {{"a", 9}, {"b", 10}}};
    for (int i = 0; i < 2; ++i) {
        const auto& t = runs[size_t(i)];
        QCOMPARE(qs(t.flow_run_id), qs(flow.id));
        QCOMPARE(qs(t.task_key), QStringLiteral("add"));
        QCOMPARE(qs(t.dynamic_key), QString::number(i));
        QCOMPARE(qs(t.name), QStringLiteral("add-%1").arg(i));
        QCOMPARE(t.state.type, weft::StateType::Completed);
        QCOMPARE(history_names(t.id),
                 QStringList({QStringLiteral("PENDING/Pending"), QStringLiteral("RUNNING/Running"),
                              QStringLiteral("COMPLETED/Completed")}));
        QCOMPARE(t.run_count, 1);
        QCOMPARE(t.max_retries, 0);
        QVERIFY(t.start_time && t.end_time);
        QVERIFY(*t.start_time <= *t.end_time);
        QVERIFY(*t.start_time >= *flow.start_time);
        QVERIFY(*t.end_time <= *flow.end_time);
        QVERIFY(t.has_result);
        QCOMPARE(js(t.result), QString::number(expected[i]));
        QCOMPARE(js(t.parameters), js(params[i]));
        QCOMPARE(js(t.task_inputs), js(nlohmann::json{{"a", nlohmann::json::array()},
                                                      {"b", nlohmann::json::array()}}));
        QVERIFY(!t.inputs_hash.empty());
        QVERIFY(t.child_flow_run_id.empty());
    }
    // Inside the task, its own run id is the current one; the second call ran last.
    QCOMPARE(qs(g_task_run_id_seen), qs(runs[1].id));
    QVERIFY(runs[0].inputs_hash != runs[1].inputs_hash);
}

void TestSdkRuns::changeFeedCarriesEveryState() {
    QCOMPARE(two_adds(1, 1), 12);
    auto flow_events = events_of(g_flow_run_id_seen);
    // Log batches are events of the flow run too ("Beginning flow run …").
    const auto log_events = std::count_if(flow_events.begin(), flow_events.end(),
                                          [](auto& e) { return e.kind == weft::EventKind::Logs; });
    QVERIFY(log_events >= 1);
    std::erase_if(flow_events, [](const auto& e) { return !e.is_state(); });
    QCOMPARE(flow_events.size(), size_t(3));
    QCOMPARE(flow_events[0].kind, weft::EventKind::FlowRunCreated);
    QCOMPARE(flow_events[1].kind, weft::EventKind::FlowRunState);
    QCOMPARE(flow_events[2].kind, weft::EventKind::FlowRunState);
    QCOMPARE(flow_events[2].state->type, weft::StateType::Completed);

    const auto t = task_runs(g_flow_run_id_seen, "add").at(0);
    const auto task_events = events_of(t.id);
    QCOMPARE(task_events.size(), size_t(3));
    QCOMPARE(task_events[0].kind, weft::EventKind::TaskRunCreated);
    QCOMPARE(task_events[0].state->type, weft::StateType::Pending);
    QCOMPARE(task_events[1].state->type, weft::StateType::Running);
    QCOMPARE(task_events[2].state->type, weft::StateType::Completed);
    for (const auto& e : task_events) {
        QCOMPARE(qs(e.flow_run_id), qs(g_flow_run_id_seen));
        QVERIFY(e.is_task_run());
    }
    QVERIFY(task_events[0].seq < task_events[1].seq && task_events[1].seq < task_events[2].seq);
    // The flow run's RUNNING comes before its first task run; COMPLETED after its last.
    QVERIFY(flow_events[1].seq < task_events[0].seq);
    QVERIFY(flow_events[2].seq > task_events[2].seq);
}

void TestSdkRuns::taskOutsideFlowIsPlainCall() {
    weft::detail::flush();
    const auto seq = store().read([](weft::Reader& r) { return r.last_event_seq(); });
    g_add_calls = 0;
    g_task_run_id_seen = "unset";
    QCOMPARE(add(20, 22), 42);
    QCOMPARE(g_add_calls.load(), 1);
    QVERIFY(g_task_run_id_seen.empty()); // no run around the call
    QCOMPARE(boom.name(), std::string("boom"));
    QVERIFY_THROWS_EXCEPTION(std::runtime_error, boom(3)); // the function's own exception
    weft::detail::flush();
    QCOMPARE(store().read([](weft::Reader& r) { return r.last_event_seq(); }), seq);
}

void TestSdkRuns::parameterNames() {
    QCOMPARE(unnamed_flow(std::string("hey"), 2), std::string("hey!hey!"));
    const auto run = latest_flow_run("unnamed_flow");
    QCOMPARE(js(run.parameters), js(nlohmann::json{{"arg0", "hey"}, {"arg1", 2}}));
    const auto shouts = task_runs(run.id, "shout");
    QCOMPARE(shouts.size(), size_t(2));
    QCOMPARE(js(shouts[0].parameters), js(nlohmann::json{{"arg0", "hey"}}));
    QCOMPARE(qs(shouts[1].name), QStringLiteral("shout-1"));

    // .params names them, in order, for the flow entry too.
    const weft::FlowEntry entry = two_adds;
    QCOMPARE(entry.param_names, (std::vector<std::string>{"x", "y"}));
    const weft::FlowEntry unnamed = unnamed_flow;
    QCOMPARE(unnamed.param_names, (std::vector<std::string>{"arg0", "arg1"}));
}

void TestSdkRuns::runJsonUsesParametersAndDefaults() {
    g_add_calls = 0;
    const auto record = two_adds.run_json({{"x", 7}});
    QCOMPARE(record.state.type, weft::StateType::Completed);
    QCOMPARE(js(record.result), QStringLiteral("117"));
    QCOMPARE(g_add_calls.load(), 2);
    const auto stored = flow_run(record.id);
    QCOMPARE(js(stored.parameters), js(nlohmann::json{{"x", 7}, {"y", 100}}));
    QCOMPARE(js(stored.result), QStringLiteral("117"));

    // A given value wins over the default.
    const auto both = two_adds.run_json({{"x", 1}, {"y", 2}});
    QCOMPARE(js(both.result), QStringLiteral("13"));
    QCOMPARE(js(flow_run(both.id).parameters), js(nlohmann::json{{"x", 1}, {"y", 2}}));
}

void TestSdkRuns::runJsonRefusesBadParameters() {
    weft::detail::flush();
    const auto seq = store().read([](weft::Reader& r) { return r.last_event_seq(); });
    try {
        two_adds.run_json({{"y", 1}});
        QFAIL("a missing parameter was accepted");
    } catch (const std::invalid_argument& e) {
        QVERIFY2(std::string(e.what()).find("missing parameter 'x'") != std::string::npos,
                 e.what());
    }
    try {
        two_adds.run_json({{"x", "seven"}});
        QFAIL("a parameter of the wrong type was accepted");
    } catch (const std::invalid_argument& e) {
        QVERIFY2(std::string(e.what()).find("parameter 'x'") != std::string::npos, e.what());
    }
    // A name the flow does not have (a typo) is refused, not dropped for the default.
    try {
        two_adds.run_json({{"x", 1}, {"z", 3}});
        QFAIL("an unknown parameter was accepted");
    } catch (const std::invalid_argument& e) {
        QVERIFY2(std::string(e.what()).find("has no parameter 'z'; its parameters are x, y")
                     != std::string::npos,
                 e.what());
    }
    // None made a run.
    weft::detail::flush();
    QCOMPARE(store().read([](weft::Reader& r) { return r.last_event_seq(); }), seq);
}

void TestSdkRuns::flowReturnValues() {
    const Point p = point_flow();
    QCOMPARE(p.x, 1);
    QCOMPARE(p.y, 2);
    const auto run = latest_flow_run("point_flow");
    QCOMPARE(js(run.result), js(nlohmann::json{{"x", 1}, {"y", 2}}));
    QCOMPARE(js(task_runs(run.id, "make_point").at(0).result), js(run.result));

    const auto record = point_flow.run_json(nlohmann::json::object());
    QCOMPARE(js(record.result), js(nlohmann::json{{"x", 1}, {"y", 2}}));
}

void TestSdkRuns::valuesWithoutJson() {
    QCOMPARE(opaque_flow(), 42);
    const auto run = latest_flow_run("opaque_flow");
    const auto t = task_runs(run.id, "reveal").at(0);
    QCOMPARE(t.state.type, weft::StateType::Completed);
    QCOMPARE(js(t.parameters), js({{"arg0", "<not serialisable>"}}));
    QVERIFY(!t.has_result);
    QCOMPARE(js(run.result), QStringLiteral("42"));
}

void TestSdkRuns::throwingTaskFailsFlow() {
    try {
        failing_flow(7);
        QFAIL("the flow did not throw");
    } catch (const weft::FlowRunFailed& e) {
        QCOMPARE(qs(e.flow_run_id), qs(g_flow_run_id_seen));
        QCOMPARE(e.state.type, weft::StateType::Failed);
        QVERIFY2(e.state.message.find("boom 7") != std::string::npos, e.what());
    }
    const auto run = flow_run(g_flow_run_id_seen);
    QCOMPARE(run.state.type, weft::StateType::Failed);
    QVERIFY2(run.state.message.find("boom 7") != std::string::npos, run.state.message.c_str());
    QCOMPARE(history_names(run.id),
             QStringList({QStringLiteral("PENDING/Pending"), QStringLiteral("RUNNING/Running"),
                          QStringLiteral("FAILED/Failed")}));
    QVERIFY(run.end_time);
    QVERIFY(run.result.is_null());

    const auto t = task_runs(run.id, "boom").at(0);
    QCOMPARE(t.state.type, weft::StateType::Failed);
    QCOMPARE(qs(t.state.message), QStringLiteral("boom 7"));
    QCOMPARE(history_names(t.id),
             QStringList({QStringLiteral("PENDING/Pending"), QStringLiteral("RUNNING/Running"),
                          QStringLiteral("FAILED/Failed")}));
    QCOMPARE(t.run_count, 1);
    QVERIFY(!t.has_result);

    // The failure is logged as an error of the task run.
    weft::LogQuery q;
    q.task_run_id = t.id;
    q.min_level = weft::Error;
    const auto lines = logs(q);
    QVERIFY(!lines.empty());
    QVERIFY(lines.front().message.find("boom 7") != std::string::npos);
}

void TestSdkRuns::caughtTaskFailureDoesNotFailFlow() {
    QCOMPARE(catching_flow(), 2);
    const auto run = flow_run(g_flow_run_id_seen);
    QCOMPARE(run.state.type, weft::StateType::Completed);
    const auto failed = task_runs(run.id, "boom").at(0);
    QCOMPARE(qs(g_caught_task_run_id), qs(failed.id));
    QCOMPARE(g_caught_state.type, weft::StateType::Failed);
    QCOMPARE(qs(g_caught_state.message), QStringLiteral("boom 1"));
    QCOMPARE(failed.state.type, weft::StateType::Failed);
}

void TestSdkRuns::hooks() {
    std::vector<std::string> seen;
    auto ok = add.on_completion([&](const weft::TaskRunRecord& r) {
        seen.push_back("task completed " + r.name + " " + r.result.dump());
    });
    auto bad = boom.on_failure([&](const weft::TaskRunRecord& r) {
        seen.push_back("task failed " + r.name + " " + std::string(weft::to_string(r.state.type)));
    });
    auto f = weft::flow("hooked",
                        [&] {
                            ok(1, 2);
                            bad(0);
                        })
                 .on_failure([&](const weft::FlowRunRecord& r) {
                     seen.push_back("flow failed " + r.state.message);
                 })
                 .on_completion([&](const weft::FlowRunRecord&) { seen.push_back("wrong hook"); });
    QVERIFY_THROWS_EXCEPTION(weft::FlowRunFailed, f());
    QCOMPARE(seen.size(), size_t(3));
    QCOMPARE(qs(seen[0]), QStringLiteral("task completed add-0 3"));
    QCOMPARE(qs(seen[1]), QStringLiteral("task failed boom-0 FAILED"));
    QVERIFY2(seen[2].starts_with("flow failed ") && seen[2].find("boom 0") != std::string::npos,
             seen[2].c_str());
}

void TestSdkRuns::cancelledRunsRunCancellationHooks() {
    // One rule for tasks and flows: on_failure is for FAILED runs; a CANCELLED run runs its
    // on_cancellation hooks instead.
    std::vector<std::string> seen;
    auto stop = [] { throw weft::Cancelled("asked to stop"); };
    auto stops =
        weft::task("stops", stop)
            .on_failure([&](const weft::TaskRunRecord&) { seen.push_back("task failure"); })
            .on_cancellation([&](const weft::TaskRunRecord& r) {
                seen.push_back("task cancelled " + std::string(weft::to_string(r.state.type)));
            });
    auto f =
        weft::flow("cancelled_hooks", [&] { stops(); })
            .on_failure([&](const weft::FlowRunRecord&) { seen.push_back("flow failure"); })
            .on_completion([&](const weft::FlowRunRecord&) { seen.push_back("flow completed"); })
            .on_cancellation([&](const weft::FlowRunRecord& r) {
                seen.push_back("flow cancelled " + std::string(weft::to_string(r.state.type)));
            });
    try {
        f();
        QFAIL("the cancelled flow run returned");
    } catch (const weft::FlowRunFailed& e) {
        QCOMPARE(e.state.type, weft::StateType::Cancelled);
    }
    QCOMPARE(seen,
             (std::vector<std::string>{"task cancelled CANCELLED", "flow cancelled CANCELLED"}));

    // A timed-out flow run failed: its on_failure hooks run.
    seen.clear();
    auto slow =
        weft::flow("timed_out_hooks", [] { work_until_cancelled(); })
            .timeout(0.1)
            .on_failure([&](const weft::FlowRunRecord& r) {
                seen.push_back("flow failure " + r.state.name);
            })
            .on_cancellation([&](const weft::FlowRunRecord&) { seen.push_back("flow cancelled"); });
    QVERIFY_THROWS_EXCEPTION(weft::FlowRunFailed, slow());
    QCOMPARE(seen, std::vector<std::string>{"flow failure TimedOut"});
}

QTEST_GUILESS_MAIN(TestSdkRuns)
#include "tst_sdk_runs.moc"
