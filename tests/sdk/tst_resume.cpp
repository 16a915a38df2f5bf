// Resume: running a stored flow run again reuses the task runs that completed (same inputs or
// marked Completed by hand) and runs the rest again on the same task runs; --from-task also runs a
// task run and everything downstream of it.
#include "sdktest.hpp"

#include <QTest>

#include <atomic>
#include <condition_variable>
#include <mutex>
#include <stdexcept>

using namespace sdktest;

namespace {

std::atomic<int> g_extract_calls{0}, g_transform_calls{0}, g_load_calls{0};
std::atomic<bool> g_load_fails{true};
std::atomic<int> g_offset{0}; // read by `shift`: changing it changes that task's inputs

auto extract = weft::task("extract", [](int n) {
                   ++g_extract_calls;
                   std::vector<int> rows;
                   for (int i = 1; i <= n; ++i)
                       rows.push_back(i);
                   return rows;
               }).params({"n"});

auto transform = weft::task("transform", [](std::vector<int> rows) {
                     ++g_transform_calls;
                     for (auto& r : rows)
                         r *= 10;
                     return rows;
                 }).params({"rows"});

auto load = weft::task("load", [](std::vector<int> rows) {
                ++g_load_calls;
                if (g_load_fails) throw std::runtime_error("the warehouse is down");
                int total = 0;
                for (int r : rows)
                    total += r;
                return total;
            }).params({"rows"});

auto shift = weft::task("shift", [](int total, int offset) {
                 return total + offset;
             }).params({"total", "offset"});

auto pipeline = weft::flow("pipeline", [](int n) {
                    auto rows = extract(n);
                    auto big = transform(rows);
                    const int total = load(big);
                    return shift(total, g_offset.load());
                }).params({"n"});

// Lets parallel callers make their nested calls in an order the test chooses. Thread-safe.
class Turns {
public:
    void set(std::vector<std::string> order) {
        std::scoped_lock lock(m_mutex);
        m_order = std::move(order);
        m_next = 0;
    }
    /// Waits (bounded) until it is `who`'s turn, runs `fn`, then passes the turn on.
    template<class Fn> void take(const std::string& who, Fn fn) {
        std::unique_lock lock(m_mutex);
        m_cv.wait_for(lock, std::chrono::seconds(20),
                      [&] { return m_next >= m_order.size() || m_order[m_next] == who; });
        lock.unlock();
        fn();
        lock.lock();
        ++m_next;
        m_cv.notify_all();
    }

private:
    std::mutex m_mutex;
    std::condition_variable m_cv;
    std::vector<std::string> m_order;
    std::size_t m_next = 0;
};

Turns g_turns;
std::atomic<int> g_region_calls{0};
std::atomic<bool> g_summary_fails{true};

auto region = weft::task("region", [](std::string station) {
                  ++g_region_calls;
                  return station + "/region";
              }).params({"station"});

// Calls `region` from inside a task: in the order g_turns sets, whatever order the pool runs in.
auto summary = weft::task("summary", [](std::string station) {
                   std::string r;
                   g_turns.take(station, [&] { r = region(station); });
                   if (g_summary_fails) throw std::runtime_error("killed after the lookup");
                   return r;
               }).params({"station"});

auto regions = weft::flow("regions", [] {
    auto futures = summary.map(std::vector<std::string>{"oslo", "tromso"});
    std::vector<std::string> out;
    for (auto& f : futures)
        out.push_back(f.result());
    return out;
});

// A value without a JSON form: its parameters and results are placeholders.
struct Opaque {
    int value = 0;
};
std::atomic<int> g_opaque{1};

void reset_counts() {
    g_extract_calls = g_transform_calls = g_load_calls = 0;
}

weft::FlowRunRecord resume(const std::string& id, const std::string& from_task = {}) {
    // As `PROGRAM resume ID [--from-task T]` does: the stored parameters, the same flow run.
    const weft::FlowEntry entry = pipeline;
    const auto stored = flow_run(id);
    const auto params = stored.id.empty() ? nlohmann::json{{"n", 1}} : stored.parameters;
    return entry.run(params,
                     weft::detail::FlowStart{.resume_run_id = id, .from_task_run_id = from_task});
}

weft::TaskRunRecord only(const std::string& flow_run_id, const std::string& key) {
    const auto runs = task_runs(flow_run_id, key);
    return runs.size() == 1 ? runs.front() : weft::TaskRunRecord{};
}

} // namespace

class TestResume : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void initTestCase() { QVERIFY(use_fresh_database(m_dir)); }
    void init();
    void resumeReusesCompletedTaskRuns();
    void resumeFromTaskRunsDownstreamAgain();
    void resumeCompletedRunFromTask();
    void changedInputsRunAgain();
    void markedCompletedCountsAsCompleted();
    void unpersistedResultRunsAgain();
    void failedSubflowIsResumed();
    void unknownRunOrTask();
    void nestedCallsKeepTheirIdentity();
    void opaqueInputsAreNotTakenForEqual();
    void subflowResultWithoutJsonRunsAgain();

private:
    // A run of `pipeline` that failed in `load`.
    weft::FlowRunRecord failed_run();
    QTemporaryDir m_dir;
};

void TestResume::init() {
    reset_counts();
    g_load_fails = true;
    g_offset = 0;
}

weft::FlowRunRecord TestResume::failed_run() {
    const auto run = pipeline.run_json({{"n", 3}});
    if (run.state.type != weft::StateType::Failed) qWarning("the first run did not fail");
    reset_counts();
    return run;
}

void TestResume::resumeReusesCompletedTaskRuns() {
    const auto first = failed_run();
    QCOMPARE(first.state.type, weft::StateType::Failed);
    QCOMPARE(first.run_count, 1);
    const auto before = task_runs(first.id);
    QCOMPARE(before.size(), size_t(3)); // shift was never called
    const auto failed_load = only(first.id, "load");
    QCOMPARE(failed_load.state.type, weft::StateType::Failed);

    g_load_fails = false;
    const auto again = resume(first.id);
    QCOMPARE(qs(again.id), qs(first.id));
    QCOMPARE(again.state.type, weft::StateType::Completed);
    QCOMPARE(js(again.result), QStringLiteral("60"));
    QCOMPARE(g_extract_calls.load(), 0);
    QCOMPARE(g_transform_calls.load(), 0);
    QCOMPARE(g_load_calls.load(), 1);

    const auto stored = flow_run(first.id);
    QCOMPARE(stored.state.type, weft::StateType::Completed);
    QCOMPARE(stored.run_count, 2);
    // The resume claimed the run (PENDING) before running it, as Prefect's runner does.
    QCOMPARE(
        history_names(first.id),
        QStringList({QStringLiteral("PENDING/Pending"), QStringLiteral("RUNNING/Running"),
                     QStringLiteral("FAILED/Failed"), QStringLiteral("PENDING/Pending"),
                     QStringLiteral("RUNNING/Retrying"), QStringLiteral("COMPLETED/Completed")}));

    // The same task runs, not new ones; shift is new.
    const auto after = task_runs(first.id);
    QCOMPARE(after.size(), size_t(4));
    const auto load_run = only(first.id, "load");
    QCOMPARE(qs(load_run.id), qs(failed_load.id));
    QCOMPARE(load_run.state.type, weft::StateType::Completed);
    QCOMPARE(load_run.run_count, 2);
    QCOMPARE(js(load_run.result), QStringLiteral("60"));
    QCOMPARE(history_names(load_run.id),
             QStringList({QStringLiteral("PENDING/Pending"), QStringLiteral("RUNNING/Running"),
                          QStringLiteral("FAILED/Failed"), QStringLiteral("RUNNING/Retrying"),
                          QStringLiteral("COMPLETED/Completed")}));
    for (const char* key : {"extract", "transform"}) {
        const auto t = only(first.id, key);
        QCOMPARE(t.run_count, 1);
        QCOMPARE(history_names(t.id).size(), 3);
    }
}

void TestResume::resumeFromTaskRunsDownstreamAgain() {
    const auto first = failed_run();
    const auto transform_run = only(first.id, "transform");
    g_load_fails = false;
    const auto again = resume(first.id, transform_run.id);
    QCOMPARE(again.state.type, weft::StateType::Completed);
    QCOMPARE(g_extract_calls.load(), 0); // upstream: reused
    QCOMPARE(g_transform_calls.load(), 1);
    QCOMPARE(g_load_calls.load(), 1);

    const auto t = only(first.id, "transform");
    QCOMPARE(qs(t.id), qs(transform_run.id));
    QCOMPARE(t.run_count, 2);
    QCOMPARE(only(first.id, "extract").run_count, 1);
}

void TestResume::resumeCompletedRunFromTask() {
    // A completed run may run again from a task (`resume ID --from-task T`).
    g_load_fails = false;
    const auto first = pipeline.run_json({{"n", 2}});
    QCOMPARE(first.state.type, weft::StateType::Completed);
    reset_counts();
    const auto load_run = only(first.id, "load");
    const auto again = resume(first.id, load_run.id);
    QCOMPARE(again.state.type, weft::StateType::Completed);
    QCOMPARE(g_extract_calls.load(), 0);
    QCOMPARE(g_transform_calls.load(), 0);
    QCOMPARE(g_load_calls.load(), 1);
    QCOMPARE(flow_run(first.id).run_count, 2);
    const auto l = only(first.id, "load");
    QCOMPARE(l.run_count, 2);
    QCOMPARE(l.state.type, weft::StateType::Completed);
    // Completed before, so it went back through AwaitingRetry to run again.
    QVERIFY(history_names(l.id).contains(QStringLiteral("SCHEDULED/AwaitingRetry")));
}

void TestResume::changedInputsRunAgain() {
    // `shift` completes, then `check` fails the run. On resume `shift` is called with other
    // inputs: it runs again, on the same task run.
    auto check = weft::task("check", [](int total) {
                     if (total > 100) throw std::runtime_error("too big");
                     return total;
                 }).params({"total"});
    auto f = weft::flow("with_check", [&](int n) {
                 const int total = load(transform(extract(n)));
                 return check(shift(total, g_offset.load()));
             }).params({"n"});
    g_load_fails = false;
    g_offset = 1000;
    const auto first = f.run_json({{"n", 1}});
    QCOMPARE(first.state.type, weft::StateType::Failed);
    const auto shift_run = only(first.id, "shift");
    QCOMPARE(shift_run.state.type, weft::StateType::Completed);

    g_offset = 5;
    reset_counts();
    const weft::FlowEntry entry = f;
    const auto again = entry.run(flow_run(first.id).parameters,
                                 weft::detail::FlowStart{.resume_run_id = first.id});
    QCOMPARE(again.state.type, weft::StateType::Completed);
    QCOMPARE(js(again.result), QStringLiteral("15"));
    QCOMPARE(g_load_calls.load(), 0);
    // A completed run is never rewritten: the call got a task run of its own.
    const auto shifts = task_runs(first.id, "shift");
    QCOMPARE(shifts.size(), size_t(2));
    const auto& old_run = shifts.at(0);
    QCOMPARE(qs(old_run.id), qs(shift_run.id));
    QCOMPARE(old_run.run_count, 1);
    QCOMPARE(js(old_run.parameters), js({{"total", 10}, {"offset", 1000}}));
    QCOMPARE(js(old_run.result), QStringLiteral("1010"));
    QCOMPARE(history_names(old_run.id).size(), 3);
    const auto& s = shifts.at(1);
    QCOMPARE(qs(s.dynamic_key), QStringLiteral("0~1"));
    QCOMPARE(qs(s.name), QStringLiteral("shift-0~1"));
    QCOMPARE(s.run_count, 1);
    QCOMPARE(js(s.parameters), js({{"total", 10}, {"offset", 5}}));
    QCOMPARE(js(s.result), QStringLiteral("15"));

    // The run completed: resuming it again is refused by the claim (only a rerun from a task
    // run reopens a completed run), and nothing ran.
    g_offset = 1000;
    try {
        entry.run(flow_run(first.id).parameters,
                  weft::detail::FlowStart{.resume_run_id = first.id});
        QFAIL("a completed flow run was resumed");
    } catch (const std::runtime_error& e) {
        QVERIFY2(QByteArray(e.what()).contains("was not run again"), e.what());
    }
    QCOMPARE(task_runs(first.id, "shift").size(), size_t(2));
    QCOMPARE(flow_run(first.id).state.type, weft::StateType::Completed);
}

void TestResume::markedCompletedCountsAsCompleted() {
    const auto first = failed_run();
    const auto failed_load = only(first.id, "load");
    // A person marks the failed task run Completed (with a result) while the flow run is not live.
    weft::State done = weft::states::completed("fixed by hand");
    done.data = 7;
    const auto t =
        weft::detail::engine().set_task_run_state(failed_load.id, {done, weft::Origin::User});
    QCOMPARE(t.outcome.decision, weft::Decision::Accept);

    const auto again = resume(first.id);
    QCOMPARE(again.state.type, weft::StateType::Completed);
    QCOMPARE(g_load_calls.load(), 0); // not executed: still failing, and it did not matter
    QCOMPARE(js(again.result), QStringLiteral("7"));
    const auto l = only(first.id, "load");
    QCOMPARE(l.state.type, weft::StateType::Completed);
    QCOMPARE(qs(l.state.message), QStringLiteral("fixed by hand"));
    QCOMPARE(l.run_count, 1);

    // Marked without a result: the task's result type is default-constructed.
    const auto second = failed_run();
    const auto load2 = only(second.id, "load");
    QCOMPARE(weft::detail::engine()
                 .set_task_run_state(load2.id, {weft::states::completed(), weft::Origin::User})
                 .outcome.decision,
             weft::Decision::Accept);
    const auto again2 = resume(second.id);
    QCOMPARE(again2.state.type, weft::StateType::Completed);
    QCOMPARE(js(again2.result), QStringLiteral("0"));
    QCOMPARE(g_load_calls.load(), 0);
}

void TestResume::unpersistedResultRunsAgain() {
    // A completed task run whose result was not stored cannot stand in for the call on resume:
    // the downstream needs the value, so the task runs again.
    std::atomic<int> calls{0};
    auto secret = weft::task("secret", [&] {
                      ++calls;
                      return 5;
                  }).persist_result(false);
    auto f = weft::flow("unpersisted_flow", [&] { return load(std::vector<int>{secret()}); });
    const auto first = f.run_json(nlohmann::json::object());
    QCOMPARE(first.state.type, weft::StateType::Failed);
    QCOMPARE(calls.load(), 1);
    QVERIFY(!only(first.id, "secret").has_result);

    g_load_fails = false;
    const weft::FlowEntry entry = f;
    const auto again =
        entry.run(nlohmann::json::object(), weft::detail::FlowStart{.resume_run_id = first.id});
    QCOMPARE(again.state.type, weft::StateType::Completed);
    QCOMPARE(js(again.result), QStringLiteral("5")); // not a default-constructed 0
    QCOMPARE(calls.load(), 2);
    // The completed run stays as it was; the call ran on a new task run.
    const auto secrets = task_runs(first.id, "secret");
    QCOMPARE(secrets.size(), size_t(2));
    QCOMPARE(secrets.at(0).run_count, 1);
    QCOMPARE(secrets.at(1).run_count, 1);
    QCOMPARE(secrets.at(1).state.type, weft::StateType::Completed);
}

void TestResume::failedSubflowIsResumed() {
    // The subflow failed in its second task: resuming the parent resumes the same child run,
    // whose completed task is reused.
    auto child = weft::flow("resumed_child", [](int n) { return load(extract(n)); }).params({"n"});
    auto parent = weft::flow("resumed_parent", [&](int n) { return child(n) + 1; }).params({"n"});
    const auto first = parent.run_json({{"n", 2}});
    QCOMPARE(first.state.type, weft::StateType::Failed);
    const auto call = only(first.id, "resumed_child");
    QCOMPARE(call.state.type, weft::StateType::Failed);
    const std::string child_id = call.child_flow_run_id;
    QCOMPARE(flow_run(child_id).state.type, weft::StateType::Failed);
    reset_counts();

    g_load_fails = false;
    const weft::FlowEntry entry = parent;
    const auto again = entry.run(flow_run(first.id).parameters,
                                 weft::detail::FlowStart{.resume_run_id = first.id});
    QCOMPARE(again.state.type, weft::StateType::Completed);
    QCOMPARE(js(again.result), QStringLiteral("4"));
    QCOMPARE(g_extract_calls.load(), 0);
    QCOMPARE(g_load_calls.load(), 1);
    const auto call2 = only(first.id, "resumed_child");
    QCOMPARE(qs(call2.id), qs(call.id));
    QCOMPARE(qs(call2.child_flow_run_id), qs(child_id)); // no new child run
    QCOMPARE(child_flow_runs(call.id).size(), size_t(1));
    const auto c = flow_run(child_id);
    QCOMPARE(c.state.type, weft::StateType::Completed);
    QCOMPARE(c.run_count, 2);
    QCOMPARE(only(child_id, "extract").run_count, 1);
    QCOMPARE(only(child_id, "load").run_count, 2);
}

void TestResume::unknownRunOrTask() {
    QVERIFY_THROWS_EXCEPTION(weft::LookupError, resume(weft::new_id()));
    const auto first = failed_run();
    QVERIFY_THROWS_EXCEPTION(weft::LookupError, resume(first.id, weft::new_id()));
    QCOMPARE(flow_run(first.id).state.type, weft::StateType::Failed); // untouched
    QCOMPARE(flow_run(first.id).run_count, 1);
}

void TestResume::nestedCallsKeepTheirIdentity() {
    // Two parallel task runs each call `region` inside them; the flow run fails after both
    // lookups completed (as when the program is killed). The retry makes the nested calls in the
    // other order: each must still find its own completed lookup, and leave it as it was.
    g_summary_fails = true;
    g_region_calls = 0;
    g_turns.set({"tromso", "oslo"});
    const auto first = regions.run_json(nlohmann::json::object());
    QCOMPARE(first.state.type, weft::StateType::Failed);
    QCOMPARE(g_region_calls.load(), 2);
    const auto before = task_runs(first.id, "region");
    QCOMPARE(before.size(), size_t(2));

    g_summary_fails = false;
    g_region_calls = 0;
    g_turns.set({"oslo", "tromso"});
    const weft::FlowEntry entry = regions;
    const auto again =
        entry.run(nlohmann::json::object(), weft::detail::FlowStart{.resume_run_id = first.id});
    QCOMPARE(again.state.type, weft::StateType::Completed);
    QCOMPARE(js(again.result), js({"oslo/region", "tromso/region"}));
    QCOMPARE(g_region_calls.load(), 0); // both lookups were reused

    const auto after = task_runs(first.id, "region");
    QCOMPARE(after.size(), size_t(2));
    for (const auto& b : before) {
        const auto a = task_run(b.id);
        QCOMPARE(qs(a.dynamic_key), qs(b.dynamic_key));
        QCOMPARE(js(a.parameters), js(b.parameters));
        QCOMPARE(js(a.result), js(b.result));
        QCOMPARE(a.run_count, 1);
        QCOMPARE(history_names(a.id), history_names(b.id));
        // Its parent is the summary of the same station, and its key names that parent.
        const auto parent = task_run(a.task_inputs.at("__parents__").at(0).value("id", ""));
        QCOMPARE(js(parent.parameters.at("station")), js(a.parameters.at("station")));
        QCOMPARE(qs(a.dynamic_key), QStringLiteral("0@") + qs(parent.name));
    }
}

void TestResume::opaqueInputsAreNotTakenForEqual() {
    // Parameters without a JSON form all look alike: a completed run with one cannot be told
    // from a call with another, so it is not reused.
    auto peek = weft::task("peek", [](Opaque o) { return o.value; });
    auto f =
        weft::flow("opaque_flow", [&] { return load(std::vector<int>{peek(Opaque{g_opaque})}); });
    g_opaque = 1;
    const auto first = f.run_json(nlohmann::json::object());
    QCOMPARE(first.state.type, weft::StateType::Failed);
    QCOMPARE(js(only(first.id, "peek").result), QStringLiteral("1"));

    g_opaque = 21;
    g_load_fails = false;
    const weft::FlowEntry entry = f;
    const auto again =
        entry.run(nlohmann::json::object(), weft::detail::FlowStart{.resume_run_id = first.id});
    QCOMPARE(again.state.type, weft::StateType::Completed);
    QCOMPARE(js(again.result), QStringLiteral("21"));
    const auto peeks = task_runs(first.id, "peek");
    QCOMPARE(peeks.size(), size_t(2));
    QCOMPARE(js(peeks.at(0).result), QStringLiteral("1")); // left as it was
    QCOMPARE(js(peeks.at(1).result), QStringLiteral("21"));
}

void TestResume::subflowResultWithoutJsonRunsAgain() {
    // The subflow completed, but its result cannot be stored: resuming the parent runs it again
    // instead of handing back a default-constructed value.
    std::atomic<int> child_calls{0};
    auto answer = weft::flow("opaque_answer", [&] {
        ++child_calls;
        return Opaque{42};
    });
    auto asking = weft::flow("asking", [&] { return load(std::vector<int>{answer().value}); });
    const auto first = asking.run_json(nlohmann::json::object());
    QCOMPARE(first.state.type, weft::StateType::Failed);
    QCOMPARE(only(first.id, "opaque_answer").state.type, weft::StateType::Completed);
    QCOMPARE(child_calls.load(), 1);

    g_load_fails = false;
    const weft::FlowEntry entry = asking;
    const auto again =
        entry.run(nlohmann::json::object(), weft::detail::FlowStart{.resume_run_id = first.id});
    QCOMPARE(again.state.type, weft::StateType::Completed);
    QCOMPARE(js(again.result), QStringLiteral("42"));
    QCOMPARE(child_calls.load(), 2);
    // On a new task run with a new child flow run; the completed ones stay as they were.
    const auto calls = task_runs(first.id, "opaque_answer");
    QCOMPARE(calls.size(), size_t(2));
    QCOMPARE(calls.at(0).run_count, 1);
    QVERIFY(calls.at(1).child_flow_run_id != calls.at(0).child_flow_run_id);
    QCOMPARE(flow_run(calls.at(0).child_flow_run_id).run_count, 1);
    QCOMPARE(flow_run(calls.at(1).child_flow_run_id).state.type, weft::StateType::Completed);
}

QTEST_GUILESS_MAIN(TestResume)
#include "tst_resume.moc"
