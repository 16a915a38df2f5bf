// The store: records round trip, logs, the group-commit writer, slots, deletes, transactions.
#include "enginetest.hpp"
#include "weft/engine.hpp"
#include "weft/store.hpp"

#include <QTemporaryDir>
#include <QTest>

#include <algorithm>
#include <stdexcept>

using namespace weft;
using namespace enginetest;

namespace {

const Micros kT0 = *from_iso("2026-01-01T00:00:00Z");
Micros hours(double h) {
    return kT0 + from_seconds(h * 3600);
}

struct Boom : std::runtime_error {
    using std::runtime_error::runtime_error;
};

std::vector<Event> events_of(Store& store, const std::string& run_id) {
    return store.read([&](Reader& r) {
        std::vector<Event> out;
        for (auto& e : r.events_after(0))
            if (e.run_id == run_id) out.push_back(std::move(e));
        return out;
    });
}

QStringList state_names(const std::vector<Event>& events) {
    QStringList out;
    for (const auto& e : events)
        out << (e.state ? qs(e.state->name) : QString::number(int(e.kind)));
    return out;
}

} // namespace

class TestStore : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void initTestCase() { QVERIFY(m_dir.isValid()); }
    void roundTrip();
    void stateHistory();
    void logsAndSearch();
    void coalescedGroup();
    void badCreateCostsOnlyItself();
    void updateTaskRun();
    void updateFromRecord();
    void deleteWithSubflows();
    void concurrencySlots();
    void transactRollsBackOnlyItsWrites();

private:
    std::shared_ptr<Store> open(const char* name) { return Store::open(path(name)); }
    std::string path(const char* name) { return (m_dir.path() + u'/' + qs(name)).toStdString(); }

    QTemporaryDir m_dir;
};

void TestStore::roundTrip() {
    auto store = open("roundtrip.db");
    FlowRecord flow = make_flow("etl");
    flow.tags = {"team-a"};
    store->transact<void>([&](Txn& txn) { txn.put_flow(flow); }).get();

    FlowRunRecord run = make_flow_run(flow.id, "brave-otter", states::scheduled(hours(1)));
    run.flow_version = "v1.2";
    run.parameters = {{"day", "2026-01-01"}, {"n", 3}};
    run.tags = {"prod", "nightly"};
    run.parent_task_run_id = "parent-task";
    run.run_count = 2;
    run.max_retries = 3;
    run.retry_delay_s = 1.5;
    run.start_time = hours(1);
    run.end_time = hours(2);
    run.total_run_time = 1234;
    run.expected_start_time = hours(1);
    run.launch = {"/usr/bin/flows", "/srv"};
    run.process = {"host-1", 4242, 777, hours(1.5)};
    run.result = {{"rows", 10}};
    store->put_flow_run(run, EventKind::FlowRunCreated);

    TaskRunRecord task = make_task_run(run.id, "extract", 0, states::completed("done"));
    task.run_count = 1;
    task.max_retries = 2;
    task.start_time = hours(1.1);
    task.end_time = hours(1.2);
    task.total_run_time = 360;
    task.cache_key = "key-1";
    task.cache_expiration = hours(30);
    task.inputs_hash = "hash";
    task.task_inputs = {{"x", {{{"input_type", "task_run"}, {"id", "upstream"}}}}};
    task.parameters = {{"x", 1}, {"s", "text"}};
    task.tags = {"db"};
    task.result = nlohmann::json::array({1, 2, 3});
    task.has_result = true;
    task.child_flow_run_id = "child";
    store->put_task_run(task, EventKind::TaskRunCreated);
    store->flush();

    store->read([&](Reader& r) {
        const auto flows = r.flows();
        QCOMPARE(flows.size(), size_t(1));
        QCOMPARE(qs(flows[0].id), qs(flow.id));
        QCOMPARE(qsl(flows[0].tags), QStringList{QStringLiteral("team-a")});
        QCOMPARE(qs(r.flow_by_name("etl").value_or(FlowRecord{}).id), qs(flow.id));
        QVERIFY(!r.flow_by_name("nope"));

        const auto got = r.flow_run(run.id);
        QVERIFY(got);
        QCOMPARE(qs(got->flow_id), qs(flow.id));
        QCOMPARE(qs(got->flow_name), QStringLiteral("etl"));
        QCOMPARE(qs(got->name), qs(run.name));
        QCOMPARE(qs(got->flow_version), qs(run.flow_version));
        QCOMPARE(qs(got->state.id), qs(run.state.id));
        QCOMPARE(qs(got->state.name), QStringLiteral("Scheduled"));
        QCOMPARE(got->state.timestamp, run.state.timestamp);
        QCOMPARE(got->state.scheduled_time().value_or(0), hours(1));
        QVERIFY(got->parameters == run.parameters);
        QCOMPARE(qsl(got->tags), qsl(run.tags));
        QCOMPARE(qs(got->parent_task_run_id), qs(run.parent_task_run_id));
        QCOMPARE(got->run_count, 2);
        QCOMPARE(got->max_retries, 3);
        QCOMPARE(got->retry_delay_s, 1.5);
        QCOMPARE(got->start_time, run.start_time);
        QCOMPARE(got->end_time, run.end_time);
        QCOMPARE(got->total_run_time, run.total_run_time);
        QCOMPARE(got->expected_start_time, run.expected_start_time);
        QCOMPARE(got->created, run.created);
        QCOMPARE(got->updated, run.updated);
        QCOMPARE(qs(got->launch.program), qs(run.launch.program));
        QCOMPARE(qs(got->launch.working_dir), qs(run.launch.working_dir));
        QCOMPARE(qs(got->process.host), QStringLiteral("host-1"));
        QCOMPARE(got->process.pid, std::int64_t(4242));
        QCOMPARE(got->process.start_ticks, std::int64_t(777));
        QCOMPARE(got->process.heartbeat, hours(1.5));
        QVERIFY(got->result == run.result);

        const auto t = r.task_run(task.id);
        QVERIFY(t);
        QCOMPARE(qs(t->flow_run_id), qs(run.id));
        QCOMPARE(qs(t->task_key), QStringLiteral("extract"));
        QCOMPARE(qs(t->dynamic_key), QStringLiteral("0"));
        QCOMPARE(qs(t->name), QStringLiteral("extract-0"));
        QCOMPARE(qs(t->state.message), QStringLiteral("done"));
        QCOMPARE(t->run_count, 1);
        QCOMPARE(t->max_retries, 2);
        QCOMPARE(t->start_time, task.start_time);
        QCOMPARE(t->end_time, task.end_time);
        QCOMPARE(t->total_run_time, Micros(360));
        QCOMPARE(qs(t->cache_key), QStringLiteral("key-1"));
        QCOMPARE(t->cache_expiration, task.cache_expiration);
        QCOMPARE(qs(t->inputs_hash), QStringLiteral("hash"));
        QVERIFY2(t->task_inputs == task.task_inputs, t->task_inputs.dump().c_str());
        QVERIFY(t->parameters == task.parameters);
        QCOMPARE(qsl(t->tags), QStringList{QStringLiteral("db")});
        QVERIFY(t->result == task.result);
        QVERIFY(t->has_result);
        QCOMPARE(qs(t->child_flow_run_id), QStringLiteral("child"));
        QCOMPARE(r.task_runs(run.id).size(), size_t(1));
        QVERIFY(!r.task_run("missing"));
        QVERIFY(!r.flow_run("missing"));
    });
}

void TestStore::stateHistory() {
    auto store = open("history.db");
    FlowRunRecord run = make_flow_run("flow", "run", states::pending());
    store->put_flow_run(run, EventKind::FlowRunCreated);
    enter_state(run, states::running());
    store->put_flow_run(run, EventKind::FlowRunState);
    State done = states::completed("all good");
    done.details = {{"cache_key", "k"}};
    enter_state(run, done);
    store->put_flow_run(run, EventKind::FlowRunState);
    store->heartbeat(run.id, now_us()); // not a state change: no history
    store->flush();

    const auto history = store->read([&](Reader& r) { return r.state_history(run.id); });
    QCOMPARE(history.size(), size_t(3));
    QCOMPARE(qs(history[0].name), QStringLiteral("Pending"));
    QCOMPARE(qs(history[1].name), QStringLiteral("Running"));
    QCOMPARE(qs(history[2].name), QStringLiteral("Completed"));
    QCOMPARE(qs(history[2].id), qs(done.id));
    QCOMPARE(qs(history[2].message), QStringLiteral("all good"));
    QCOMPARE(history[2].timestamp, done.timestamp);
    QVERIFY(history[2].details == done.details);
    const auto events = events_of(*store, run.id);
    QCOMPARE(events.size(), size_t(3));
    QCOMPARE(int(events[0].kind), int(EventKind::FlowRunCreated));
    QCOMPARE(int(events[2].kind), int(EventKind::FlowRunState));
    QCOMPARE(qs(events[2].flow_run_id), qs(run.id));
}

void TestStore::logsAndSearch() {
    auto store = open("logs.db");
    const std::string f = "flow-run-f", g = "flow-run-g", t = "task-run-t";
    const Micros at = now_us();
    auto line = [&](const std::string& run, const std::string& task, int level, const char* msg) {
        store->append_log({0, run, task, "weft.flow_runs", level, at, msg});
    };
    line(f, {}, Info, "starting the extract");
    line(f, {}, Debug, "connecting to warehouse");
    line(f, t, Warning, "slow query on warehouse");
    line(f, t, Error, "needle in the haystack");
    line(f, {}, Info, "another needle here");
    line(g, {}, Info, "needle elsewhere");
    store->flush();

    auto logs = [&](LogQuery q) { return store->read([&](Reader& r) { return r.logs(q); }); };
    auto count = [&](LogQuery q) {
        return store->read([&](Reader& r) { return r.count_logs(q); });
    };
    const auto all = logs({.flow_run_id = f});
    QCOMPARE(all.size(), size_t(5));
    for (size_t i = 1; i < all.size(); ++i)
        QVERIFY(all[i].id > all[i - 1].id);
    QCOMPARE(qs(all[3].message), QStringLiteral("needle in the haystack"));
    QCOMPARE(qs(all[3].task_run_id), qs(t));
    QCOMPARE(qs(all[3].name), QStringLiteral("weft.flow_runs"));
    QCOMPARE(all[3].level, int(Error));
    QCOMPARE(all[3].timestamp, at);
    QVERIFY(all[0].task_run_id.empty());

    QCOMPARE(logs({.flow_run_id = f, .text = "needle"}).size(), size_t(2));
    QCOMPARE(logs({.text = "needle"}).size(), size_t(3));
    QCOMPARE(logs({.fts_query = "need*"}).size(), size_t(3));
    QCOMPARE(logs({.flow_run_id = f, .text = "warehouse"}).size(), size_t(2));
    QCOMPARE(logs({.flow_run_id = f, .min_level = Warning, .text = "needle"}).size(), size_t(1));
    QCOMPARE(logs({.text = "absent"}).size(), size_t(0));
    // Ordinary text with FTS5 operator characters is searched as words, never a syntax error.
    QCOMPARE(logs({.text = "\"needle\" db-prod: 50%"}).size(), size_t(0));
    QCOMPARE(logs({.text = "NEEDLE"}).size(), size_t(3));
    QCOMPARE(logs({.task_run_id = t}).size(), size_t(2));
    QCOMPARE(logs({.flow_run_id = f, .min_level = Warning}).size(), size_t(2));
    const auto after = logs({.flow_run_id = f, .after_id = all[1].id});
    QCOMPARE(after.size(), size_t(3));
    QCOMPARE(after.front().id, all[2].id);
    const auto before = logs({.flow_run_id = f, .before_id = all[3].id});
    QCOMPARE(before.size(), size_t(3));
    const auto newest = logs({.flow_run_id = f, .newest_first = true, .limit = 2});
    QCOMPARE(newest.size(), size_t(2));
    QCOMPARE(newest[0].id, all[4].id);
    QCOMPARE(newest[1].id, all[3].id);
    QCOMPARE(count({.flow_run_id = f}), std::int64_t(5));
    QCOMPARE(count({.text = "needle"}), std::int64_t(3));

    // The feed announces the lines of each flow run: ids and counts add up.
    std::int64_t announced = 0;
    for (const auto& e : events_of(*store, f)) {
        QCOMPARE(int(e.kind), int(EventKind::Logs));
        announced += e.payload.at("count").get<std::int64_t>();
        QVERIFY(e.payload.at("first_id").get<std::int64_t>() >= all.front().id);
        QVERIFY(e.payload.at("last_id").get<std::int64_t>() <= all.back().id);
    }
    QCOMPARE(announced, std::int64_t(5));
}

void TestStore::coalescedGroup() {
    auto store = open("coalesce.db");
    FlowRunRecord run = make_flow_run("flow", "run", states::running());
    store->put_flow_run(run, EventKind::FlowRunCreated);
    store->flush();

    TaskRunRecord a = make_task_run(run.id, "a", 0, states::pending());
    TaskRunRecord b = make_task_run(run.id, "b", 0, states::pending());
    std::future<std::string> seen;
    std::int64_t commits_before = 0;
    {
        WriterGate gate(*store);
        commits_before = store->commits();
        store->put_task_run(a, EventKind::TaskRunCreated);
        store->put_task_run(b, EventKind::TaskRunCreated);
        enter_state(a, states::running());
        store->put_task_run(a, EventKind::TaskRunState);
        State done = states::completed();
        done.data = {{"answer", 42}};
        enter_state(a, done);
        a.parameters = {{"x", 5}};
        store->update_task_run(TaskRunUpdate::of(a, true));
        enter_state(b, states::running());
        store->update_task_run(TaskRunUpdate::of(b));
        // A transaction in the same group reads the latest fields.
        seen = store->transact<std::string>([id = a.id](Txn& txn) {
            return txn.read().task_run(id).value_or(TaskRunRecord{}).state.name;
        });
    }
    QCOMPARE(qs(seen.get()), QStringLiteral("Completed"));
    // The gate's group and this one: one commit for all the writes above.
    QCOMPARE(store->commits(), commits_before + 2);

    const auto got = store->read([&](Reader& r) { return r.task_run(a.id); });
    QVERIFY(got);
    QCOMPARE(qs(got->state.name), QStringLiteral("Completed"));
    QCOMPARE(got->run_count, 1);
    QCOMPARE(got->start_time, a.start_time);
    QCOMPARE(got->end_time, a.end_time);
    QVERIFY(got->has_result);
    QVERIFY2(got->result == nlohmann::json({{"answer", 42}}), got->result.dump().c_str());
    QVERIFY(got->parameters == nlohmann::json({{"x", 5}}));
    QCOMPARE(qs(store->read([&](Reader& r) { return r.task_run(b.id); })->state.name),
             QStringLiteral("Running"));

    // One event per state, in order, even though the row was written once.
    const auto events = events_of(*store, a.id);
    QCOMPARE(state_names(events), (QStringList{QStringLiteral("Pending"), QStringLiteral("Running"),
                                               QStringLiteral("Completed")}));
    QCOMPARE(int(events[0].kind), int(EventKind::TaskRunCreated));
    QCOMPARE(int(events[1].kind), int(EventKind::TaskRunState));
    QCOMPARE(int(events[2].kind), int(EventKind::TaskRunState));
    QCOMPARE(qs(events[2].flow_run_id), qs(run.id));
    QCOMPARE(events_of(*store, b.id).size(), size_t(2));
}

void TestStore::badCreateCostsOnlyItself() {
    // A task run created twice (in one group, or again later) must not take the other writes
    // of its group down with it.
    auto store = open("badcreate.db");
    TaskRunRecord x = make_task_run("flow-run", "x", 0, states::pending());
    store->put_task_run(x, EventKind::TaskRunCreated);
    store->flush();

    TaskRunRecord again = x;
    again.name = "x-renamed";
    TaskRunRecord y = make_task_run("flow-run", "y", 0, states::pending());
    TaskRunRecord w = make_task_run("flow-run", "w", 0, states::pending());
    TaskRunRecord w2 = w;
    w2.name = "w-latest";
    FlowRunRecord z = make_flow_run("flow", "z", states::pending());
    std::future<void> done;
    {
        WriterGate gate(*store);
        store->put_task_run(again, EventKind::TaskRunCreated);
        store->put_task_run(y, EventKind::TaskRunCreated);
        store->put_task_run(w, EventKind::TaskRunCreated);
        store->put_task_run(w2, EventKind::TaskRunCreated);
        store->append_log({0, "flow-run", {}, "test", Info, now_us(), "still here"});
        store->put_flow_run(z, EventKind::FlowRunCreated);
        done = store->transact<void>([](Txn&) {});
    }
    try {
        done.get();
    } catch (const std::exception& e) {
        QFAIL(e.what());
    }
    store->flush();
    store->read([&](Reader& r) {
        QCOMPARE(qs(r.task_run(x.id).value_or(TaskRunRecord{}).name), QStringLiteral("x-0"));
        QVERIFY(r.task_run(y.id));
        QCOMPARE(qs(r.task_run(w.id).value_or(TaskRunRecord{}).name), QStringLiteral("w-latest"));
        QCOMPARE(r.task_runs("flow-run").size(), size_t(3));
        QVERIFY(r.flow_run(z.id));
        QCOMPARE(r.count_logs({.text = "still"}), std::int64_t(1));
    });
}

void TestStore::updateTaskRun() {
    auto store = open("update.db");
    TaskRunRecord t = make_task_run("flow-run", "load", 3, states::pending());
    t.parameters = {{"a", 1}};
    t.tags = {"db"};
    t.task_inputs = {{"a", nlohmann::json::array()}};
    store->put_task_run(t, EventKind::TaskRunCreated);
    store->flush();

    enter_state(t, states::running());
    store->update_task_run(TaskRunUpdate::of(t)); // no parameters: the stored ones stay
    store->flush();
    auto got = store->read([&](Reader& r) { return r.task_run(t.id); });
    QCOMPARE(qs(got->state.name), QStringLiteral("Running"));
    QCOMPARE(got->run_count, 1);
    QCOMPARE(got->start_time, t.start_time);
    QVERIFY(got->parameters == nlohmann::json({{"a", 1}}));

    State done = states::completed();
    done.data = "value";
    enter_state(t, done);
    t.parameters = {{"a", 2}};
    t.cache_key = "load-key";
    t.cache_expiration = now_us() + 3'600'000'000;
    t.inputs_hash = "h";
    store->update_task_run(TaskRunUpdate::of(t, true));
    store->flush();
    got = store->read([&](Reader& r) { return r.task_run(t.id); });
    QCOMPARE(qs(got->state.name), QStringLiteral("Completed"));
    QCOMPARE(got->end_time, t.end_time);
    QCOMPARE(got->total_run_time, t.total_run_time);
    QVERIFY(got->parameters == nlohmann::json({{"a", 2}}));
    QVERIFY(got->result == nlohmann::json("value"));
    QVERIFY(got->has_result);
    QCOMPARE(qs(got->cache_key), QStringLiteral("load-key"));
    QCOMPARE(got->cache_expiration, t.cache_expiration);
    QCOMPARE(qs(got->inputs_hash), QStringLiteral("h"));
    QCOMPARE(qsl(got->tags), QStringList{QStringLiteral("db")}); // not part of an update
    QVERIFY(got->task_inputs == t.task_inputs);
    QCOMPARE(state_names(events_of(*store, t.id)),
             (QStringList{QStringLiteral("Pending"), QStringLiteral("Running"),
                          QStringLiteral("Completed")}));

    // The cache finds it until it expires.
    store->read([&](Reader& r) {
        QCOMPARE(qs(r.cached_task_run("load-key", now_us()).value_or(TaskRunRecord{}).id),
                 qs(t.id));
        QVERIFY(!r.cached_task_run("load-key", *t.cache_expiration + 1));
        QVERIFY(!r.cached_task_run("other-key", now_us()));
    });
}

void TestStore::updateFromRecord() {
    // The runtime's path: rows and state changes queued straight from the run in memory, within
    // one group (the row written once) and across groups.
    auto store = open("fromrecord.db");
    TaskRunRecord t = make_task_run("flow-run", "load", 0, states::pending());
    t.task_inputs = {{"a", nlohmann::json::array()}};
    const nlohmann::json call_parameters = {{"a", "unresolved"}};
    TaskRunRecord u = make_task_run("flow-run", "other", 0, states::pending());
    {
        WriterGate gate(*store);
        store->put_task_run(t, EventKind::TaskRunCreated, &call_parameters);
        store->put_task_run(u, EventKind::TaskRunCreated);
        enter_state(t, states::running());
        store->update_task_run(t, false, false); // parameters and inputs stay the row's
    }
    store->flush();
    auto got = store->read([&](Reader& r) { return r.task_run(t.id); });
    QVERIFY(got);
    QCOMPARE(qs(got->state.name), QStringLiteral("Running"));
    QVERIFY2(got->parameters == call_parameters, got->parameters.dump().c_str());
    QVERIFY(got->task_inputs == t.task_inputs);
    QVERIFY(got->state.details.is_null());
    QVERIFY(!got->has_result);
    QVERIFY(got->result.is_null());

    State done = states::completed();
    done.data = nlohmann::json::array({1, 2});
    done.details = {{"cache_key", "k"}};
    enter_state(t, done);
    t.parameters = {{"a", 7}};
    t.task_inputs["a"].push_back({{"input_type", "task_run"}, {"id", u.id}});
    store->update_task_run(t, true, true);
    store->flush();
    got = store->read([&](Reader& r) { return r.task_run(t.id); });
    QCOMPARE(qs(got->state.name), QStringLiteral("Completed"));
    QCOMPARE(qs(got->state.message), QString());
    QVERIFY2(got->state.details == done.details, got->state.details.dump().c_str());
    QVERIFY(got->parameters == nlohmann::json({{"a", 7}}));
    QVERIFY2(got->task_inputs == t.task_inputs, got->task_inputs.dump().c_str());
    QVERIFY(got->has_result);
    QVERIFY(got->result == nlohmann::json::array({1, 2}));
    QCOMPARE(got->end_time, t.end_time);
    QCOMPARE(state_names(events_of(*store, t.id)),
             (QStringList{QStringLiteral("Pending"), QStringLiteral("Running"),
                          QStringLiteral("Completed")}));
    // Texts that are empty are stored as such, not as missing.
    const auto history = store->read([&](Reader& r) { return r.state_history(t.id); });
    QCOMPARE(history.size(), size_t(3));
    QVERIFY(history[2].details == done.details);
    QVERIFY(history[0].details.is_null());
}

void TestStore::deleteWithSubflows() {
    auto store = open("delete.db");
    FlowRunRecord parent = make_flow_run("flow", "parent", states::running());
    TaskRunRecord call = make_task_run(parent.id, "child-flow", 0, states::running());
    FlowRunRecord child = make_flow_run("flow", "child", states::running());
    child.parent_task_run_id = call.id;
    TaskRunRecord child_task = make_task_run(child.id, "inner", 0, states::running());
    FlowRunRecord grandchild = make_flow_run("flow", "grandchild", states::running());
    grandchild.parent_task_run_id = child_task.id;
    FlowRunRecord other = make_flow_run("flow", "other", states::running());
    TaskRunRecord other_task = make_task_run(other.id, "t", 0, states::running());
    for (auto* run : {&parent, &child, &grandchild, &other})
        store->put_flow_run(*run, EventKind::FlowRunCreated);
    for (auto* task : {&call, &child_task, &other_task})
        store->put_task_run(*task, EventKind::TaskRunCreated);
    for (auto* run : {&parent, &child, &grandchild, &other})
        store->append_log({0, run->id, {}, "test", Info, now_us(), "line of " + run->name});
    store
        ->transact<void>([&](Txn& txn) {
            txn.set_concurrency_limit("db", 5);
            QVERIFY(txn.acquire_slots({"db"}, child_task.id, child.id).empty());
            QVERIFY(txn.acquire_slots({"db"}, other_task.id, other.id).empty());
            txn.delete_flow_run(parent.id);
        })
        .get();

    store->read([&](Reader& r) {
        for (auto* run : {&parent, &child, &grandchild}) {
            QVERIFY2(!r.flow_run(run->id), run->name.c_str());
            QCOMPARE(r.count_logs({.flow_run_id = run->id}), std::int64_t(0));
            QVERIFY(r.state_history(run->id).empty());
            QVERIFY(r.task_runs(run->id).empty());
        }
        QVERIFY(r.state_history(call.id).empty());
        QVERIFY(r.state_history(child_task.id).empty());
        QCOMPARE(r.concurrency_limits().at(0).active, 1); // only the other run's slot is left
        // The unrelated run keeps everything.
        QVERIFY(r.flow_run(other.id));
        QCOMPARE(r.task_runs(other.id).size(), size_t(1));
        QCOMPARE(r.count_logs({.flow_run_id = other.id}), std::int64_t(1));
        QCOMPARE(r.state_history(other.id).size(), size_t(1));
        // The feed says which runs went.
        QStringList deleted;
        for (const auto& e : r.events_after(0))
            if (e.kind == EventKind::FlowRunDeleted) deleted << qs(e.run_id);
        deleted.sort();
        QStringList expected{qs(parent.id), qs(child.id), qs(grandchild.id)};
        expected.sort();
        QCOMPARE(deleted, expected);
    });
}

void TestStore::concurrencySlots() {
    auto store = open("slots.db");
    auto in_txn = [&](auto fn) { return store->transact<std::string>(fn).get(); };
    auto active = [&](const std::string& tag) {
        for (const auto& l : store->read([](Reader& r) { return r.concurrency_limits(); }))
            if (l.tag == tag) return l.active;
        return -1;
    };
    in_txn([](Txn& txn) {
        txn.set_concurrency_limit("db", 2);
        txn.set_concurrency_limit("gpu", 1);
        return std::string();
    });
    auto acquire = [&](std::vector<std::string> tags, std::string task) {
        return in_txn([=](Txn& txn) { return txn.acquire_slots(tags, task, "fr-" + task); });
    };
    QCOMPARE(qs(acquire({"db"}, "t1")), QString());
    QCOMPARE(qs(acquire({"db"}, "t2")), QString());
    QCOMPARE(qs(acquire({"db"}, "t3")), QStringLiteral("db")); // full
    QCOMPARE(qs(acquire({"db"}, "t1")), QString());            // holding one already
    QCOMPARE(active("db"), 2);
    QCOMPARE(qs(acquire({"unlimited"}, "t3")), QString());
    QCOMPARE(active("unlimited"), -1);

    // All or none: a full tag takes no slot of the others.
    QCOMPARE(qs(acquire({"gpu"}, "t4")), QString());
    QCOMPARE(qs(acquire({"unlimited", "db", "gpu"}, "t5")), QStringLiteral("db"));
    QCOMPARE(active("gpu"), 1);
    in_txn([](Txn& txn) {
        txn.release_slots("t1");
        return std::string();
    });
    QCOMPARE(active("db"), 1);
    QCOMPARE(qs(acquire({"db", "gpu"}, "t5")), QStringLiteral("gpu"));
    QCOMPARE(active("db"), 1);
    QCOMPARE(qs(acquire({"db"}, "t3")), QString());
    QCOMPARE(active("db"), 2);
    in_txn([](Txn& txn) {
        txn.release_slots_of_flow_run("fr-t2");
        txn.set_concurrency_limit("db", 3); // raising a limit keeps the slots taken
        return std::string();
    });
    QCOMPARE(active("db"), 1);
    const bool deleted =
        store->transact<bool>([](Txn& txn) { return txn.delete_concurrency_limit("db"); }).get();
    QVERIFY(deleted);
    QCOMPARE(active("db"), -1);
    QVERIFY(
        !store->transact<bool>([](Txn& txn) { return txn.delete_concurrency_limit("db"); }).get());
    int limit_events = 0;
    for (const auto& e : store->read([](Reader& r) { return r.events_after(0); }))
        limit_events += e.kind == EventKind::ConcurrencyLimits;
    QCOMPARE(limit_events, 4); // db, gpu, db raised, db deleted
}

void TestStore::transactRollsBackOnlyItsWrites() {
    auto store = open("rollback.db");
    FlowRunRecord x = make_flow_run("flow", "x", states::pending());
    FlowRunRecord y = make_flow_run("flow", "y", states::pending());
    FlowRunRecord z = make_flow_run("flow", "z", states::pending());
    std::future<void> failing;
    std::future<int> fine;
    {
        WriterGate gate(*store); // everything below is one group, one commit
        store->put_flow_run(x, EventKind::FlowRunCreated);
        failing = store->transact<void>([&](Txn& txn) {
            txn.put_flow_run(y, EventKind::FlowRunCreated);
            txn.set_concurrency_limit("tag", 1);
            throw Boom("boom");
        });
        store->put_flow_run(z, EventKind::FlowRunCreated);
        fine = store->transact<int>([](Txn& txn) {
            txn.set_concurrency_limit("kept", 2);
            return 7;
        });
    }
    QCOMPARE(fine.get(), 7);
    QVERIFY_THROWS_EXCEPTION(Boom, failing.get());
    store->read([&](Reader& r) {
        QVERIFY(r.flow_run(x.id));
        QVERIFY(!r.flow_run(y.id));
        QVERIFY(r.state_history(y.id).empty());
        QVERIFY(r.flow_run(z.id));
        const auto limits = r.concurrency_limits();
        QCOMPARE(limits.size(), size_t(1));
        QCOMPARE(qs(limits[0].tag), QStringLiteral("kept"));
    });
}

QTEST_GUILESS_MAIN(TestStore)
#include "tst_store.moc"
