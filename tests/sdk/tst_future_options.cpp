// The futures' options, as Prefect 3 users know them: wait_for (order without data),
// allow_failure (run despite a failed upstream, and see the failure), state() without waiting,
// result(timeout) / wait(timeout), and as_completed.
#include "sdktest.hpp"

#include <QTest>

#include <array>
#include <atomic>
#include <optional>
#include <stdexcept>

using namespace sdktest;

namespace {

std::string g_flow_run_id;

auto square = weft::task("square", [](int x) { return x * x; }).params({"x"});
auto fail = weft::task("fail", [](int x) -> int {
                throw std::runtime_error("fail " + std::to_string(x));
            }).params({"x"});

std::atomic<int> g_noted{0};
auto note = weft::task("note", [](int x) {
                ++g_noted;
                return x;
            }).params({"x"});

// One task_inputs entry: the run a future stands for.
nlohmann::json edge(const std::string& id) {
    return nlohmann::json::array({nlohmann::json{{"input_type", "task_run"}, {"id", id}}});
}

} // namespace

class TestFutureOptions : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void waitForOrdersWithoutData();
    void waitForFailedUpstreamLeavesNotReady();
    void waitForAllowFailureRunsAnyway();
    void allowFailureArgumentShowsTheFailure();
    void allowFailureArgumentOfCompletedRun();
    void stateWithoutWaiting();
    void resultWithTimeout();
    void asCompletedInFinishingOrder();
    void asCompletedTimesOut();

private:
    QTemporaryDir m_dir;
};

void TestFutureOptions::initTestCase() {
    // Tests hold up to three runs on gates at once: more threads than that, whatever the machine.
    qputenv("WEFT_TASK_RUNNER_THREADS", "4");
    QVERIFY(use_fresh_database(m_dir));
}

void TestFutureOptions::waitForOrdersWithoutData() {
    Gate gate;
    std::atomic<bool> produced{false};
    std::atomic<bool> saw_produced{false};
    auto produce = weft::task("produce", [&] {
        gate.wait();
        produced = true;
        return 5;
    });
    auto after = weft::task("after", [&](int x) {
                     saw_produced = produced.load();
                     return x + 1;
                 }).params({"x"});
    std::string up_id, down_id, direct_id;
    bool down_done_early = true;
    auto f = weft::flow("waits_for", [&] {
        g_flow_run_id = weft::current_flow_run_id();
        auto up = produce.submit();
        up_id = up.task_run_id();
        // Anywhere among the arguments.
        auto down = after.submit(weft::wait_for(up), 1);
        down_id = down.task_run_id();
        down_done_early = down.done();
        gate.open();
        const int direct = after(10, weft::wait_for(up)); // a direct call waits too
        return down.result() + direct;
    });
    QCOMPARE(f(), 2 + 11);
    QVERIFY(!down_done_early);
    QVERIFY(saw_produced.load());
    const auto down = task_run(down_id);
    // The order-only edge under "wait_for"; the parameters hold only the task's own argument.
    QCOMPARE(js(down.task_inputs), js({{"x", nlohmann::json::array()}, {"wait_for", edge(up_id)}}));
    QCOMPARE(js(down.parameters), js({{"x", 1}}));
    QVERIFY(*down.start_time >= *task_run(up_id).end_time);
    const auto direct = task_runs(g_flow_run_id, "after").at(1);
    QCOMPARE(js(direct.task_inputs["wait_for"]), js(edge(up_id)));
    QCOMPARE(js(direct.parameters), js({{"x", 10}}));
}

void TestFutureOptions::waitForFailedUpstreamLeavesNotReady() {
    g_noted = 0;
    std::string bad_id, down_id, caught_upstream;
    weft::State caught_state;
    auto f = weft::flow("waits_for_failure", [&] {
        g_flow_run_id = weft::current_flow_run_id();
        auto good = square.submit(2);
        auto bad = fail.submit(1);
        bad_id = bad.task_run_id();
        auto down = note.submit(3, weft::wait_for(good, bad));
        down_id = down.task_run_id();
        try {
            down.result();
        } catch (const weft::UpstreamNotReady& e) {
            caught_upstream = e.upstream_task_run_id;
            caught_state = e.state;
        }
        return 0;
    });
    QCOMPARE(f(), 0);
    QCOMPARE(g_noted.load(), 0);
    QCOMPARE(qs(caught_upstream), qs(bad_id));
    QCOMPARE(caught_state.type, weft::StateType::Pending);
    QCOMPARE(qs(caught_state.name), QStringLiteral("NotReady"));
    const auto down = task_run(down_id);
    QCOMPARE(down.state.type, weft::StateType::Pending);
    QCOMPARE(qs(down.state.name), QStringLiteral("NotReady"));
    QVERIFY2(down.state.message.find(bad_id) != std::string::npos, down.state.message.c_str());
    QVERIFY(!ran(down_id));
    QCOMPARE(flow_run(g_flow_run_id).state.type, weft::StateType::Completed);
}

void TestFutureOptions::waitForAllowFailureRunsAnyway() {
    g_noted = 0;
    std::string bad_id, down_id;
    auto f = weft::flow("waits_for_allowed_failure", [&] {
        g_flow_run_id = weft::current_flow_run_id();
        auto bad = fail.submit(2);
        bad_id = bad.task_run_id();
        auto down = note.submit(7, weft::wait_for(weft::allow_failure(bad)));
        down_id = down.task_run_id();
        return down.result();
    });
    QCOMPARE(f(), 7);
    QCOMPARE(g_noted.load(), 1);
    const auto down = task_run(down_id);
    QCOMPARE(down.state.type, weft::StateType::Completed);
    QCOMPARE(js(down.task_inputs["wait_for"]), js(edge(bad_id)));
    QVERIFY(*down.start_time >= *task_run(bad_id).end_time);
}

void TestFutureOptions::allowFailureArgumentShowsTheFailure() {
    // The task sees the failure itself (weft::Upstream) or just its absence (std::optional).
    std::atomic<bool> ok{true}, value_threw{false};
    std::string message, seen_id;
    auto inspect = weft::task("inspect", [&](weft::Upstream<int> up) {
                       ok = up.ok();
                       message = up.message();
                       seen_id = up.task_run_id();
                       try {
                           up.value();
                       } catch (const weft::TaskRunFailed&) {
                           value_threw = true;
                       }
                       return up ? up.value() : -1;
                   }).params({"up"});
    auto fallback =
        weft::task("fallback", [](std::optional<int> v) { return v.value_or(-2); }).params({"v"});
    std::string bad_id, inspect_id;
    auto f = weft::flow("allows_failure", [&] {
        g_flow_run_id = weft::current_flow_run_id();
        auto bad = fail.submit(3);
        bad_id = bad.task_run_id();
        auto seen = inspect.submit(weft::allow_failure(bad));
        inspect_id = seen.task_run_id();
        auto other = fallback.submit(weft::allow_failure(bad));
        return seen.result() * 10 + other.result();
    });
    QCOMPARE(f(), -10 - 2);
    QVERIFY(!ok.load());
    QVERIFY(value_threw.load());
    QCOMPARE(qs(seen_id), qs(bad_id));
    QVERIFY2(message.find("fail 3") != std::string::npos, message.c_str());
    const auto run = task_run(inspect_id);
    QCOMPARE(run.state.type, weft::StateType::Completed);
    QCOMPARE(js(run.task_inputs), js({{"up", edge(bad_id)}}));
    QCOMPARE(qs(run.parameters["up"].value("failed", "")), qs(bad_id));
}

void TestFutureOptions::allowFailureArgumentOfCompletedRun() {
    auto add = weft::task("add", [](weft::Upstream<int> up, int plus) {
                   return up.value() + plus;
               }).params({"up", "plus"});
    std::string add_id;
    auto f = weft::flow("allows_failure_ok", [&] {
        g_flow_run_id = weft::current_flow_run_id();
        auto sq = square.submit(4);
        auto sum = add.submit(weft::allow_failure(sq), 1);
        add_id = sum.task_run_id();
        return sum.result();
    });
    QCOMPARE(f(), 17);
    QCOMPARE(js(task_run(add_id).parameters), js({{"up", 16}, {"plus", 1}}));
}

void TestFutureOptions::stateWithoutWaiting() {
    Gate started, release;
    auto held = weft::task("held", [&] {
        started.open();
        release.wait();
        return 1;
    });
    QStringList seen;
    auto f = weft::flow("reads_state", [&] {
        auto fut = held.submit();
        QVERIFY(started.wait()); // the attempt runs, so the run is RUNNING
        const weft::State running = fut.state();
        seen << qs(weft::to_string(running.type)) + QLatin1Char('/') + qs(running.name);
        release.open();
        fut.wait();
        const weft::State done = fut.state();
        seen << qs(weft::to_string(done.type)) + QLatin1Char('/') + qs(done.name);
        auto bad = fail.submit(9);
        bad.wait();
        seen << qs(weft::to_string(bad.state().type));
    });
    f();
    QCOMPARE(seen, QStringList({QStringLiteral("RUNNING/Running"),
                                QStringLiteral("COMPLETED/Completed"), QStringLiteral("FAILED")}));
}

void TestFutureOptions::resultWithTimeout() {
    Gate started, release;
    auto held = weft::task("held_long", [&] {
        started.open();
        release.wait();
        return 42;
    });
    std::string timeout_message;
    bool waited_done = true;
    int late_result = 0;
    auto f = weft::flow("times_out_waiting", [&] {
        auto fut = held.submit();
        QVERIFY(started.wait());
        try {
            fut.result(0.05);
        } catch (const weft::FutureTimeout& e) {
            timeout_message = e.what();
        }
        waited_done = fut.wait(0.05);
        // The run went on: it is still RUNNING, and finishes once released.
        QCOMPARE(fut.state().type, weft::StateType::Running);
        release.open();
        late_result = fut.result(20);
        QVERIFY(fut.wait(0));
    });
    f();
    QVERIFY2(timeout_message.find("did not finish within 0.05 s") != std::string::npos,
             timeout_message.c_str());
    QVERIFY(!waited_done);
    QCOMPARE(late_result, 42);
}

void TestFutureOptions::asCompletedInFinishingOrder() {
    // Three runs released one at a time, in the order 2, 0, 1, each after the previous one came
    // out of as_completed: that is the order they must come out in. A failed run comes out too.
    std::array<Gate, 3> gates;
    auto gated = weft::task("gated", [&](int i) {
                     if (!gates[size_t(i)].wait()) throw std::runtime_error("gate never opened");
                     if (i == 0) throw std::runtime_error("gated 0 fails");
                     return i;
                 }).params({"i"});
    const std::array<int, 3> release_order{2, 0, 1};
    std::vector<std::string> order, ids;
    int failures = 0;
    auto f = weft::flow("as_completed", [&] {
        std::vector<weft::Future<int>> futures;
        for (int i = 0; i < 3; ++i)
            futures.push_back(gated.submit(i));
        for (const auto& fut : futures)
            ids.push_back(fut.task_run_id());
        gates[size_t(release_order[0])].open();
        size_t next = 1;
        for (const auto& fut : weft::as_completed(futures)) {
            order.push_back(fut.task_run_id());
            QVERIFY(fut.done());
            try {
                fut.result();
            } catch (const weft::TaskRunFailed&) {
                ++failures;
            }
            if (next < release_order.size()) gates[size_t(release_order[next++])].open();
        }
    });
    f();
    QCOMPARE(order.size(), size_t(3));
    for (size_t k = 0; k < 3; ++k)
        QCOMPARE(qs(order[k]), qs(ids[size_t(release_order[k])]));
    QCOMPARE(failures, 1);
    // Empty input: nothing to wait for.
    size_t none = 0;
    auto g = weft::flow("as_completed_empty", [&] {
        for ([[maybe_unused]] const auto& fut :
             weft::as_completed(std::vector<weft::Future<int>>{}))
            ++none;
    });
    g();
    QCOMPARE(none, size_t(0));
}

void TestFutureOptions::asCompletedTimesOut() {
    Gate release;
    auto held = weft::task("held_for_as_completed", [&](int x) {
                    if (x == 1) release.wait();
                    return x;
                }).params({"x"});
    std::vector<int> got;
    std::string message;
    auto f = weft::flow("as_completed_timeout", [&] {
        std::vector<weft::Future<int>> futures{held.submit(0), held.submit(1)};
        try {
            for (const auto& fut : weft::as_completed(futures, 0.1))
                got.push_back(fut.result());
        } catch (const weft::FutureTimeout& e) {
            message = e.what();
        }
        release.open(); // the held run goes on and ends with the flow run
        return futures[1].result();
    });
    QCOMPARE(f(), 1);
    QCOMPARE(got, std::vector<int>{0});
    QVERIFY2(message.find("0.1 s") != std::string::npos, message.c_str());
}

QTEST_GUILESS_MAIN(TestFutureOptions)
#include "tst_future_options.moc"
