// Subflows: a flow called inside a flow is a child flow run, linked both ways to a task run of the
// parent; its failure is the failure of that task run.
#include "sdktest.hpp"

#include <QTest>

#include <future>
#include <stdexcept>

using namespace sdktest;

namespace {

std::string g_parent_id;
std::string g_child_id;
std::string g_child_parent_seen; // the parent's id as the child's tasks see it: none

auto double_it = weft::task("double_it", [](int x) {
                     g_child_parent_seen = weft::current_flow_run_id();
                     return 2 * x;
                 }).params({"x"});

auto child = weft::flow("child", [](int n) {
                 g_child_id = weft::current_flow_run_id();
                 weft::log().info("child running with {}", n);
                 return double_it(n) + 1;
             }).params({"n"});

auto parent_flow = weft::flow("parent", [](int n) {
                       g_parent_id = weft::current_flow_run_id();
                       const int a = child(n);
                       const int b = child(a);
                       return a + b;
                   }).params({"n"});

auto broken_child = weft::flow("broken_child", [](int n) -> int {
                        g_child_id = weft::current_flow_run_id();
                        throw std::runtime_error("child broke on " + std::to_string(n));
                    }).params({"n"});

std::string g_caught;
auto careful_parent = weft::flow("careful_parent", [] {
    g_parent_id = weft::current_flow_run_id();
    try {
        broken_child(5);
    } catch (const weft::TaskRunFailed& e) {
        g_caught = e.state.message;
    }
    return 0;
});

auto careless_parent = weft::flow("careless_parent", [] {
    g_parent_id = weft::current_flow_run_id();
    return broken_child(6);
});

} // namespace

class TestSubflows : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void initTestCase() { QVERIFY(use_fresh_database(m_dir)); }
    void subflowIsLinkedToParentTaskRun();
    void subflowRunsItsOwnTasks();
    void failingSubflowFailsParentTaskRun();
    void uncaughtSubflowFailureFailsParent();
    void cancellingParentCancelsSubflow();

private:
    QTemporaryDir m_dir;
};

void TestSubflows::subflowIsLinkedToParentTaskRun() {
    QCOMPARE(parent_flow(3), 7 + 15);
    const auto p = flow_run(g_parent_id);
    QCOMPARE(p.state.type, weft::StateType::Completed);
    QVERIFY(p.parent_task_run_id.empty());

    // Two calls of the subflow: two task runs of the parent, each standing for one child run.
    const auto calls = task_runs(p.id, "child");
    QCOMPARE(calls.size(), size_t(2));
    QCOMPARE(task_runs(p.id).size(), size_t(2)); // the child's own tasks are not the parent's
    const int results[] = {7, 15};
    const int inputs[] = {3, 7};
    for (size_t i = 0; i < 2; ++i) {
        const auto& call = calls[i];
        QCOMPARE(call.state.type, weft::StateType::Completed);
        QVERIFY(!call.child_flow_run_id.empty());
        QCOMPARE(js(call.parameters), js({{"n", inputs[i]}}));
        QCOMPARE(js(call.result), QString::number(results[i]));

        const auto c = flow_run(call.child_flow_run_id);
        QCOMPARE(qs(c.id), qs(call.child_flow_run_id));
        QCOMPARE(qs(c.flow_name), QStringLiteral("child"));
        QCOMPARE(qs(c.parent_task_run_id), qs(call.id));
        QCOMPARE(c.state.type, weft::StateType::Completed);
        QCOMPARE(js(c.parameters), js({{"n", inputs[i]}}));
        QCOMPARE(js(c.result), QString::number(results[i]));
        QCOMPARE(history_names(c.id),
                 QStringList({QStringLiteral("PENDING/Pending"), QStringLiteral("RUNNING/Running"),
                              QStringLiteral("COMPLETED/Completed")}));
        // The child ran inside the parent task run's lifetime.
        QVERIFY(*c.start_time >= *call.start_time);
        QVERIFY(*c.end_time <= *call.end_time);

        const auto children = child_flow_runs(call.id);
        QCOMPARE(children.size(), size_t(1));
        QCOMPARE(qs(children.front().id), qs(c.id));
    }
    QCOMPARE(qs(g_child_id), qs(calls[1].child_flow_run_id));
}

void TestSubflows::subflowRunsItsOwnTasks() {
    QCOMPARE(parent_flow(1), 3 + 7);
    const auto calls = task_runs(g_parent_id, "child");
    QCOMPARE(calls.size(), size_t(2));
    const std::string child_id = calls[0].child_flow_run_id;
    const auto inner = task_runs(child_id);
    QCOMPARE(inner.size(), size_t(1));
    QCOMPARE(qs(inner[0].task_key), QStringLiteral("double_it"));
    QCOMPARE(qs(inner[0].flow_run_id), qs(child_id));
    QCOMPARE(js(inner[0].result), QStringLiteral("2"));
    QCOMPARE(qs(g_child_parent_seen), qs(calls[1].child_flow_run_id));

    // The child's log lines belong to the child run.
    weft::LogQuery q;
    q.flow_run_id = child_id;
    q.text = "child";
    const auto lines = logs(q);
    QVERIFY(std::any_of(lines.begin(), lines.end(), [](const weft::LogRecord& l) {
        return l.message == "child running with 1" && l.name == "weft.flow_runs";
    }));
}

void TestSubflows::failingSubflowFailsParentTaskRun() {
    QCOMPARE(careful_parent(), 0);
    QVERIFY2(g_caught.find("child broke on 5") != std::string::npos, g_caught.c_str());
    const auto p = flow_run(g_parent_id);
    QCOMPARE(p.state.type, weft::StateType::Completed); // the parent caught it

    const auto call = task_runs(p.id, "broken_child").at(0);
    QCOMPARE(call.state.type, weft::StateType::Failed);
    QVERIFY2(call.state.message.find("child broke on 5") != std::string::npos,
             call.state.message.c_str());
    QCOMPARE(qs(call.child_flow_run_id), qs(g_child_id));
    const auto c = flow_run(g_child_id);
    QCOMPARE(c.state.type, weft::StateType::Failed);
    QCOMPARE(qs(c.parent_task_run_id), qs(call.id));
    QVERIFY2(c.state.message.find("child broke on 5") != std::string::npos,
             c.state.message.c_str());
}

void TestSubflows::uncaughtSubflowFailureFailsParent() {
    try {
        careless_parent();
        QFAIL("the parent completed although its subflow failed");
    } catch (const weft::FlowRunFailed& e) {
        QCOMPARE(qs(e.flow_run_id), qs(g_parent_id));
        QCOMPARE(e.state.type, weft::StateType::Failed);
    }
    const auto call = task_runs(g_parent_id, "broken_child").at(0);
    QCOMPARE(call.state.type, weft::StateType::Failed);
    QCOMPARE(flow_run(call.child_flow_run_id).state.type, weft::StateType::Failed);
    QCOMPARE(flow_run(g_parent_id).state.type, weft::StateType::Failed);
}

void TestSubflows::cancellingParentCancelsSubflow() {
    Gate started;
    std::atomic<bool> told{false};
    std::string child_id;
    auto inner_wait = weft::task("inner_wait", [&] {
        started.open();
        told = work_until_cancelled();
    });
    auto sub = weft::flow("cancel_child", [&] {
        child_id = weft::current_flow_run_id();
        inner_wait();
        weft::check_cancelled();
        return 1;
    });
    std::promise<std::string> id_promise;
    auto id_future = id_promise.get_future();
    auto top = weft::flow("cancel_parent", [&] {
        id_promise.set_value(weft::current_flow_run_id());
        return sub();
    });
    Background bg([&] { top(); });
    QCOMPARE(id_future.wait_for(std::chrono::seconds(20)), std::future_status::ready);
    const std::string id = id_future.get();
    QVERIFY(started.wait());

    QCOMPARE(weft::detail::engine().cancel_flow_run(id).decision, weft::Decision::Accept);
    bg.join();
    QVERIFY(told.load()); // the child's running task was told
    QVERIFY(bg.failed());
    QCOMPARE(bg.failed()->type, weft::StateType::Cancelled);
    QCOMPARE(flow_run(id).state.type, weft::StateType::Cancelled);
    const auto call = task_runs(id, "cancel_child").at(0);
    QCOMPARE(qs(call.child_flow_run_id), qs(child_id));
    QCOMPARE(flow_run(child_id).state.type, weft::StateType::Cancelled);
    QCOMPARE(call.state.type, weft::StateType::Cancelled); // cancelled, not failed
}

QTEST_GUILESS_MAIN(TestSubflows)
#include "tst_subflows.moc"
