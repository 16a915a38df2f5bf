// Futures: submit and map start task runs on the task runner; a future passed to another task is a
// dependency edge (recorded in task_inputs) and the downstream waits for it; failures upstream stop
// the downstream (left PENDING/NotReady); a failed future fails the flow run only when the flow's
// code lets the failure through.
#include "sdktest.hpp"

#include <QTest>

#include <atomic>
#include <stdexcept>

using namespace sdktest;

namespace {

std::string g_flow_run_id;

auto square = weft::task("square", [](int x) { return x * x; }).params({"x"});
auto scale =
    weft::task("scale", [](int x, int factor) { return x * factor; }).params({"x", "factor"});
auto fail = weft::task("fail", [](int x) -> int {
                throw std::runtime_error("fail " + std::to_string(x));
            }).params({"x"});

std::atomic<int> g_consume_calls{0};
auto consume = weft::task("consume", [](int value, int plus) {
                   ++g_consume_calls;
                   return value + plus;
               }).params({"value", "plus"});

// Submits a run of itself one level down and waits for it: n runs nested in one another.
int chain_depth(int n);
auto chain = weft::task("chain", [](int n) { return chain_depth(n); }).params({"n"});
int chain_depth(int n) {
    return n == 0 ? 0 : 1 + chain.submit(n - 1).result();
}
// The same wait from an attempt with a timeout, which runs on a thread of its own.
auto timed_parent =
    weft::task("timed_parent", [](int n) { return chain.submit(n).result(); }).timeout(60);

// One task_inputs entry: the run a future stands for.
nlohmann::json edge(const std::string& id) {
    return nlohmann::json::array({nlohmann::json{{"input_type", "task_run"}, {"id", id}}});
}

auto collect_ids = [](const auto& futures) {
    std::vector<std::string> ids;
    for (const auto& f : futures)
        ids.push_back(f.task_run_id());
    return ids;
};

} // namespace

class TestFutures : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void submitReturnsFutures();
    void mapWithExtraArguments();
    void futureArgumentsRecordEdgesAndWait();
    void upstreamFailureStopsDownstream();
    void unobservedFailureDoesNotFailFlow();
    void resultLetsFailureThrough();
    void returnedFailedFutureFailsFlow();
    void observedFailureDoesNotFailFlow();
    void submittedRunsAreWaitedFor();
    void directCallWithFuture();
    void mapOverFutures();
    void idleRunnerThreadsTakeWork();
    void nestedWaitsNeverDeadlock_data();
    void nestedWaitsNeverDeadlock();
    void submitOutsideFlowThrows();

private:
    QTemporaryDir m_dir;
};

void TestFutures::initTestCase() {
    // Two runner threads, whatever the machine: idleRunnerThreadsTakeWork counts on it.
    qputenv("WEFT_TASK_RUNNER_THREADS", "2");
    QVERIFY(use_fresh_database(m_dir));
}

void TestFutures::submitReturnsFutures() {
    std::vector<std::string> ids;
    bool all_done = true;
    auto f = weft::flow("submits", [&] {
        g_flow_run_id = weft::current_flow_run_id();
        std::vector<weft::Future<int>> futures;
        for (int i = 1; i <= 3; ++i)
            futures.push_back(square.submit(i));
        ids = collect_ids(futures);
        int sum = 0;
        for (auto& fut : futures)
            sum += fut.result();
        for (auto& fut : futures)
            all_done = all_done && fut.done();
        return sum;
    });
    QCOMPARE(f(), 14);
    QVERIFY(all_done);
    const auto runs = task_runs(g_flow_run_id, "square");
    QCOMPARE(runs.size(), size_t(3));
    QCOMPARE(ids.size(), size_t(3));
    for (int i = 0; i < 3; ++i) {
        // Call order names the runs, whatever order the runner finished them in.
        QCOMPARE(qs(runs[size_t(i)].id), qs(ids[size_t(i)]));
        QCOMPARE(runs[size_t(i)].state.type, weft::StateType::Completed);
        QCOMPARE(js(runs[size_t(i)].parameters), js({{"x", i + 1}}));
        QCOMPARE(js(runs[size_t(i)].result), QString::number((i + 1) * (i + 1)));
        QCOMPARE(history_names(runs[size_t(i)].id).size(), 3);
    }
}

void TestFutures::mapWithExtraArguments() {
    auto f = weft::flow("maps", [] {
        g_flow_run_id = weft::current_flow_run_id();
        auto futures = scale.map(std::vector<int>{1, 2, 3, 4}, 10);
        weft::wait_all(futures);
        std::vector<int> out;
        for (auto& fut : futures)
            out.push_back(fut.result());
        return out;
    });
    QCOMPARE(f(), (std::vector<int>{10, 20, 30, 40}));
    const auto runs = task_runs(g_flow_run_id, "scale");
    QCOMPARE(runs.size(), size_t(4));
    for (int i = 0; i < 4; ++i) {
        QCOMPARE(js(runs[size_t(i)].parameters), js({{"x", i + 1}, {"factor", 10}}));
        QCOMPARE(js(runs[size_t(i)].task_inputs),
                 js({{"x", nlohmann::json::array()}, {"factor", nlohmann::json::array()}}));
    }
}

void TestFutures::futureArgumentsRecordEdgesAndWait() {
    Gate gate;
    std::atomic<bool> produced{false};
    std::atomic<bool> consumer_saw_produced{false};
    auto produce = weft::task("produce", [&] {
        gate.wait();
        produced = true;
        return 5;
    });
    auto check = weft::task("check", [&](int value) {
        consumer_saw_produced = produced.load();
        return value * 2;
    });
    std::string up_id, down_id;
    bool down_done_early = true;
    auto f = weft::flow("edges", [&] {
        g_flow_run_id = weft::current_flow_run_id();
        auto up = produce.submit();
        auto down = check.submit(up);
        auto plus = consume.submit(up, 1); // a future mixed with a plain value
        up_id = up.task_run_id();
        down_id = down.task_run_id();
        down_done_early = down.done();
        gate.open();
        return down.result() + plus.result();
    });
    QCOMPARE(f(), 16);
    QVERIFY(!down_done_early);
    QVERIFY(consumer_saw_produced.load());

    const auto down = task_run(down_id);
    QCOMPARE(js(down.task_inputs), js({{"arg0", edge(up_id)}}));
    QCOMPARE(js(down.parameters), js({{"arg0", 5}})); // the resolved value, once known
    const auto up = task_run(up_id);
    QVERIFY(*down.start_time >= *up.end_time);
    const auto plus = task_runs(g_flow_run_id, "consume").at(0);
    QCOMPARE(js(plus.task_inputs), js({{"value", edge(up_id)}, {"plus", nlohmann::json::array()}}));
    QCOMPARE(js(plus.parameters), js({{"value", 5}, {"plus", 1}}));
    QCOMPARE(js(plus.result), QStringLiteral("6"));
}

void TestFutures::upstreamFailureStopsDownstream() {
    // As Prefect 3: the downstream run never starts and stays PENDING, named NotReady.
    g_consume_calls = 0;
    std::string down_id, bad_id;
    std::string caught;
    auto f = weft::flow("upstream_fails", [&] {
        g_flow_run_id = weft::current_flow_run_id();
        auto bad = fail.submit(1);
        auto down = consume.submit(bad, 1);
        bad_id = bad.task_run_id();
        down_id = down.task_run_id();
        try {
            down.result();
        } catch (const weft::TaskRunFailed& e) {
            caught = e.task_run_id;
        }
        return 0;
    });
    QCOMPARE(f(), 0); // the failures were caught by the flow's code
    QCOMPARE(g_consume_calls.load(), 0);
    QCOMPARE(qs(caught), qs(down_id));
    const auto down = task_run(down_id);
    QCOMPARE(down.state.type, weft::StateType::Pending);
    QCOMPARE(qs(down.state.name), QStringLiteral("NotReady"));
    QVERIFY2(down.state.message.find(bad_id) != std::string::npos, down.state.message.c_str());
    QVERIFY2(down.state.message.find("fail 1") != std::string::npos, down.state.message.c_str());
    QCOMPARE(history_names(down_id),
             QStringList({QStringLiteral("PENDING/Pending"), QStringLiteral("PENDING/NotReady")}));
    QCOMPARE(down.run_count, 0);
    QVERIFY(!down.start_time);
    QCOMPARE(task_run(bad_id).state.type, weft::StateType::Failed);
}

void TestFutures::unobservedFailureDoesNotFailFlow() {
    // Prefect 3's rule: a failure the flow's code never lets through does not fail the flow run,
    // nor does a downstream run left NotReady by it.
    std::string bad_id, down_id;
    auto f = weft::flow("ignores_failure", [&] {
        g_flow_run_id = weft::current_flow_run_id();
        auto ok = square.submit(2);
        auto bad = fail.submit(2);
        auto down = consume.submit(bad, 1);
        bad_id = bad.task_run_id();
        down_id = down.task_run_id();
        return ok.result();
    });
    QCOMPARE(f(), 4);
    const auto run = flow_run(g_flow_run_id);
    QCOMPARE(run.state.type, weft::StateType::Completed);
    QCOMPARE(task_run(bad_id).state.type, weft::StateType::Failed);
    QCOMPARE(qs(task_run(down_id).state.name), QStringLiteral("NotReady"));
    QVERIFY(*task_run(bad_id).end_time <= *run.end_time); // still waited for
}

void TestFutures::resultLetsFailureThrough() {
    std::string bad_id;
    auto f = weft::flow("rethrows_failure", [&] {
        g_flow_run_id = weft::current_flow_run_id();
        auto bad = fail.submit(4);
        bad_id = bad.task_run_id();
        return bad.result();
    });
    QVERIFY_THROWS_EXCEPTION(weft::FlowRunFailed, f());
    const auto run = flow_run(g_flow_run_id);
    QCOMPARE(run.state.type, weft::StateType::Failed);
    QVERIFY2(run.state.message.find("fail 4") != std::string::npos, run.state.message.c_str());
}

void TestFutures::returnedFailedFutureFailsFlow() {
    // Returning the future lets its failure through, as returning its result() would.
    auto returns_one = weft::flow("returns_failed_future", [] {
        g_flow_run_id = weft::current_flow_run_id();
        return fail.submit(5);
    });
    QVERIFY_THROWS_EXCEPTION(weft::FlowRunFailed, returns_one());
    auto run = flow_run(g_flow_run_id);
    QCOMPARE(run.state.type, weft::StateType::Failed);
    QVERIFY2(run.state.message.find("fail 5") != std::string::npos, run.state.message.c_str());

    auto returns_many = weft::flow("returns_futures", [] {
        g_flow_run_id = weft::current_flow_run_id();
        return std::vector<weft::Future<int>>{square.submit(3), fail.submit(6)};
    });
    QVERIFY_THROWS_EXCEPTION(weft::FlowRunFailed, returns_many());
    run = flow_run(g_flow_run_id);
    QCOMPARE(run.state.type, weft::StateType::Failed);
    QVERIFY2(run.state.message.find("fail 6") != std::string::npos, run.state.message.c_str());

    // A returned future that completed is the flow's result.
    auto returns_good = weft::flow("returns_good_future", [] {
        g_flow_run_id = weft::current_flow_run_id();
        return square.submit(7);
    });
    QCOMPARE(returns_good().result(), 49);
    QCOMPARE(js(flow_run(g_flow_run_id).result), QStringLiteral("49"));
}

void TestFutures::observedFailureDoesNotFailFlow() {
    std::string message, what;
    auto f = weft::flow("observes_failure", [&] {
        g_flow_run_id = weft::current_flow_run_id();
        auto bad = fail.submit(3);
        try {
            bad.result();
        } catch (const weft::TaskRunFailed& e) {
            message = e.state.message;
            what = e.what();
        }
        return 1;
    });
    QCOMPARE(f(), 1);
    QCOMPARE(qs(message), QStringLiteral("fail 3"));
    // People read the task's name (as in the logs and Studio), not its id.
    QCOMPARE(qs(what), QStringLiteral("Task run fail-0 ended Failed: fail 3"));
    QCOMPARE(flow_run(g_flow_run_id).state.type, weft::StateType::Completed);
    QCOMPARE(task_runs(g_flow_run_id, "fail").at(0).state.type, weft::StateType::Failed);
}

void TestFutures::submittedRunsAreWaitedFor() {
    // The body returns before its submitted run finishes; the flow run still ends after it.
    Gate gate;
    std::atomic<bool> finished{false};
    auto slow = weft::task("slow", [&] {
        gate.wait();
        finished = true;
    });
    auto f = weft::flow("forgets", [&] {
        g_flow_run_id = weft::current_flow_run_id();
        slow.submit();
        gate.open();
    });
    f();
    QVERIFY(finished.load());
    const auto run = flow_run(g_flow_run_id);
    QCOMPARE(run.state.type, weft::StateType::Completed);
    const auto t = task_runs(run.id, "slow").at(0);
    QCOMPARE(t.state.type, weft::StateType::Completed);
    QVERIFY(*t.end_time <= *run.end_time);
}

void TestFutures::directCallWithFuture() {
    // A future passed to a task called directly is an edge too; the call waits for it.
    std::string up_id;
    auto f = weft::flow("direct_with_future", [&] {
        g_flow_run_id = weft::current_flow_run_id();
        auto up = square.submit(4);
        up_id = up.task_run_id();
        return consume(up, 2);
    });
    QCOMPARE(f(), 18);
    const auto c = task_runs(g_flow_run_id, "consume").at(0);
    QCOMPARE(js(c.task_inputs), js({{"value", edge(up_id)}, {"plus", nlohmann::json::array()}}));
    QCOMPARE(js(c.parameters), js({{"value", 16}, {"plus", 2}}));
}

void TestFutures::mapOverFutures() {
    std::vector<std::string> up_ids;
    auto f = weft::flow("map_over_futures", [&] {
        g_flow_run_id = weft::current_flow_run_id();
        auto squares = square.map(std::vector<int>{1, 2, 3});
        up_ids = collect_ids(squares);
        auto plus = consume.map(squares, 100);
        std::vector<int> out;
        for (auto& p : plus)
            out.push_back(p.result());
        return out;
    });
    QCOMPARE(f(), (std::vector<int>{101, 104, 109}));
    const auto runs = task_runs(g_flow_run_id, "consume");
    QCOMPARE(runs.size(), size_t(3));
    for (size_t i = 0; i < 3; ++i)
        QCOMPARE(js(runs[i].task_inputs),
                 js({{"value", edge(up_ids[i])}, {"plus", nlohmann::json::array()}}));
}

void TestFutures::idleRunnerThreadsTakeWork() {
    // One runner thread is held by a long task; short tasks submitted one after another all run
    // on the other thread meanwhile, none queued behind the long one.
    Gate gate;
    auto blocker = weft::task("blocker", [&] { return gate.wait(std::chrono::seconds(10)); });
    auto quick = weft::task("quick", [](int x) { return x; });
    bool blocker_still_running = false;
    bool blocker_released = false;
    auto f = weft::flow("long_and_short", [&] {
        auto b = blocker.submit();
        int sum = 0;
        for (int i = 1; i <= 6; ++i)
            sum += quick.submit(i).result();
        blocker_still_running = !b.done();
        gate.open();
        blocker_released = b.result();
        return sum;
    });
    QCOMPARE(f(), 21);
    QVERIFY(blocker_still_running);
    QVERIFY(blocker_released); // opened by the flow, not timed out
}

void TestFutures::nestedWaitsNeverDeadlock_data() {
    QTest::addColumn<int>("threads");
    QTest::addRow("1 runner thread") << 1;
    QTest::addRow("2 runner threads") << 2;
}

void TestFutures::nestedWaitsNeverDeadlock() {
    // Submitted runs that submit a child and wait for it hold their runner thread while they
    // wait; the children run anyway, whatever the runner's size (with every thread waiting, they
    // never ran). More waiting parents than threads, each a chain six deep.
    QFETCH(int, threads);
    weft::detail::configure_task_runner(std::size_t(threads));
    auto f = weft::flow("nested_waits", [] {
        std::vector<weft::Future<int>> parents;
        for (int i = 0; i < 3; ++i)
            parents.push_back(chain.submit(6));
        parents.push_back(timed_parent.submit(6));
        int sum = 0;
        for (auto& p : parents)
            sum += p.result();
        return sum;
    });
    const int sum = f();                    // a deadlock hangs here until the test's timeout
    weft::detail::configure_task_runner(2); // initTestCase's size, for the tests after this one
    QCOMPARE(sum, 4 * 6);
}

void TestFutures::submitOutsideFlowThrows() {
    QVERIFY_THROWS_EXCEPTION(std::logic_error, square.submit(1));
    QVERIFY_THROWS_EXCEPTION(std::logic_error, square.map(std::vector<int>{1}));
}

QTEST_GUILESS_MAIN(TestFutures)
#include "tst_futures.moc"
