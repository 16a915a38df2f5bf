// Databases written by earlier schemas (the first step only, and steps 1-3: the events table
// before its lean form) open and migrate in one transaction: every flow, run, task run, state
// history event, log and pause is read back through the Reader as it was written, and the change
// feed goes on from its last sequence number.
#include "enginetest.hpp"
#include "weft/store.hpp"

#include <QTemporaryDir>
#include <QTest>

#include <sqlite3.h>

#include <string>
#include <vector>

// The schema steps as they shipped (append-only), to write a database as an older Weft did.
namespace weft::schema {
const std::vector<const char*>& migrations();
}

using namespace weft;
using namespace enginetest;
using namespace Qt::StringLiterals;

namespace {

// Runs SQL with a plain SQLite connection; returns the first column of the last row ("" if none),
// or "<error: …>".
std::string sql(const std::string& path, const std::string& statements) {
    sqlite3* db = nullptr;
    std::string out;
    if (sqlite3_open(path.c_str(), &db) != SQLITE_OK) {
        sqlite3_close(db);
        return "<cannot open>";
    }
    auto cb = [](void* p, int n, char** values, char**) {
        if (n > 0) *static_cast<std::string*>(p) = values[0] ? values[0] : "";
        return 0;
    };
    char* err = nullptr;
    if (sqlite3_exec(db, statements.c_str(), cb, &out, &err) != SQLITE_OK) {
        out = std::string("<error: ") + (err ? err : "") + ">";
        sqlite3_free(err);
    }
    sqlite3_close(db);
    return out;
}

// One event as the old events table held it: every state column spelled out, the flow run
// repeated.
struct OldEvent {
    std::int64_t seq;
    EventKind kind;
    Micros ts;
    std::string run_id, flow_run_id;
    std::string state_id, state_type, state_name, state_message, state_details, payload;
};

// An SQL string literal ('' when empty), or NULL for an empty text where `empty_is_null`.
std::string quoted(const std::string& s, bool empty_is_null = true) {
    if (s.empty() && empty_is_null) return "NULL";
    std::string out = "'";
    for (char c : s)
        out += c == '\'' ? std::string("''") : std::string(1, c);
    return out + "'";
}

std::string insert(const OldEvent& e) {
    return "INSERT INTO events(seq, kind, ts, run_id, flow_run_id, state_id, state_type, "
           "state_name, state_message, state_details, payload) VALUES ("
           + std::to_string(e.seq) + ", " + std::to_string(int(e.kind)) + ", "
           + std::to_string(e.ts) + ", " + quoted(e.run_id) + ", " + quoted(e.flow_run_id) + ", "
           + quoted(e.state_id) + ", " + quoted(e.state_type) + ", " + quoted(e.state_name)
           + ", "
           // the old writer stored a state's empty message as ''
           + (e.state_type.empty() ? "NULL" : quoted(e.state_message, false)) + ", "
           + quoted(e.state_details) + ", " + quoted(e.payload) + ");";
}

// The old rows: a flow, a flow run with two task runs (one retried, one failed), their
// histories, two log lines and their feed event, a concurrency limit's event, and the deletion
// event of a run deleted long ago (seq 100: the feed had gaps).
const std::vector<OldEvent>& old_events() {
    static const std::vector<OldEvent> events{
        {1, EventKind::FlowCreated, 1, "f1", "", "", "", "", "", "", R"({"name":"etl"})"},
        {2, EventKind::FlowRunCreated, 10, "r1", "r1", "rs1", "PENDING", "Pending", "", "", ""},
        {3, EventKind::FlowRunState, 20, "r1", "r1", "rs2", "RUNNING", "Running", "", "", ""},
        {4, EventKind::TaskRunCreated, 30, "t1", "r1", "ts1", "PENDING", "Pending", "", "", ""},
        {5, EventKind::TaskRunState, 40, "t1", "r1", "ts2", "RUNNING", "Running", "", "", ""},
        {6, EventKind::TaskRunState, 50, "t1", "r1", "ts3", "SCHEDULED", "AwaitingRetry",
         "retry 1 of 1", R"({"scheduled_time":60})", ""},
        {7, EventKind::TaskRunState, 60, "t1", "r1", "ts4", "RUNNING", "Retrying", "", "", ""},
        {8, EventKind::TaskRunState, 70, "t1", "r1", "ts5", "COMPLETED", "Completed", "", "", ""},
        {9, EventKind::TaskRunCreated, 71, "t2", "r1", "tt1", "PENDING", "Pending", "", "", ""},
        {10, EventKind::TaskRunState, 80, "t2", "r1", "tt2", "FAILED", "Failed", "it's broken",
         R"({"retriable":false})", ""},
        {11, EventKind::Logs, 85, "r1", "r1", "", "", "", "", "",
         R"({"count":2,"first_id":1,"last_id":2})"},
        {12, EventKind::FlowRunState, 90, "r1", "r1", "rs3", "FAILED", "Failed", "t2 failed", "",
         ""},
        {13, EventKind::ConcurrencyLimits, 95, "", "", "", "", "", "", "",
         R"({"limit":2,"tag":"db"})"},
        {100, EventKind::FlowRunDeleted, 99, "gone", "gone", "", "", "", "", "", ""},
    };
    return events;
}

// The old rows as SQL, for a database at `steps` schema steps (1: no launch columns, no pauses).
std::string old_rows(int steps) {
    std::string s =
        "INSERT INTO flows(id, name, created) VALUES ('f1', 'etl', 1);"
        "INSERT INTO flow_runs(id, flow_id, name, state_id, state_type, state_name, state_message, "
        "state_timestamp, parameters, run_count, start_time, end_time, total_run_time, "
        "expected_start_time, created, updated) VALUES ('r1', 'f1', 'old-run', 'rs3', 'FAILED', "
        "'Failed', 't2 failed', 90, '{\"n\":3}', 1, 20, 90, 70, 10, 10, 90);"
        "INSERT INTO task_runs(id, flow_run_id, task_key, dynamic_key, name, state_id, state_type, "
        "state_name, state_message, state_timestamp, run_count, start_time, end_time, "
        "total_run_time, expected_start_time, created, updated, inputs_hash, parameters, result, "
        "has_result) VALUES "
        "('t1', 'r1', 'extract', '0', 'extract-0', 'ts5', 'COMPLETED', 'Completed', '', 70, 2, "
        "40, 70, 20, 30, 30, 70, 'h1', '{\"n\":3}', '[1,2,3]', 1),"
        "('t2', 'r1', 'load', '0', 'load-0', 'tt2', 'FAILED', 'Failed', 'it''s broken', 80, 1, "
        "75, 80, 5, 71, 71, 80, 'h2', '{}', NULL, 0);"
        "INSERT INTO logs(flow_run_id, task_run_id, name, level, timestamp, message) VALUES "
        "('r1', NULL, 'weft.flow_runs', 20, 21, 'Beginning flow run'),"
        "('r1', 't2', 'weft.task_runs', 40, 80, 'the warehouse refused the connection');"
        "INSERT INTO concurrency_limits(tag, concurrency_limit, created) VALUES ('db', 2, 95);";
    for (const auto& e : old_events())
        s += insert(e);
    if (steps >= 3)
        s += "INSERT INTO flow_run_pauses(flow_run_id, pause_key, input_schema, input, created, "
             "resumed) VALUES ('r1', '0', '{\"type\":\"object\"}', '{\"ok\":true}', 22, 23);";
    return s;
}

} // namespace

class TestStoreMigrate : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void init() { QVERIFY(m_dir.isValid()); }
    void keepsEverything_data();
    void keepsEverything();
    void failedMigrationLeavesTheFileAsItWas();
    void deploymentsArriveOnAStepFourFile();
    void parameterSchemaArrivesOnAStepFiveFile();

private:
    // A database at `steps` schema steps, written with those steps' own SQL, holding old rows.
    std::string old_database(const char* name, int steps) {
        const std::string p = (m_dir.path() + u'/' + qs(name)).toStdString();
        std::string ddl;
        for (int i = 0; i < steps; ++i)
            ddl += schema::migrations().at(std::size_t(i));
        const std::string written =
            sql(p, ddl + "PRAGMA user_version=" + std::to_string(steps) + ";" + old_rows(steps)
                       + "SELECT count(*) FROM events");
        if (written != std::to_string(old_events().size()))
            qWarning("writing: %s", written.c_str());
        return written == std::to_string(old_events().size()) ? p : std::string();
    }
    QTemporaryDir m_dir;
};

void TestStoreMigrate::keepsEverything_data() {
    QTest::addColumn<int>("steps");
    QTest::newRow("first step only") << 1;
    QTest::newRow("steps 1-3 (events before the lean form)") << 3;
}

void TestStoreMigrate::keepsEverything() {
    QFETCH(int, steps);
    QVERIFY(store_schema_version() > 3);
    const std::string p = old_database(steps == 1 ? "step1.db" : "step3.db", steps);
    QVERIFY(!p.empty());

    auto store = Store::open(p);
    QCOMPARE(sql(p, "PRAGMA user_version"), std::to_string(store_schema_version()));
    // The lean form: no flow run id on events, state types as codes, default names left out.
    QCOMPARE(sql(p, "SELECT count(*) FROM pragma_table_info('events') WHERE name = 'flow_run_id'"),
             std::string("0"));
    QCOMPARE(sql(p, "SELECT typeof(state_type) || ',' || coalesce(state_name, 'NULL') FROM events "
                    "WHERE seq = 8"),
             std::string("integer,NULL"));

    const auto reader = store->open_reader();
    Reader& r = *reader;
    // The flow and the flow run.
    const auto flows = r.flows();
    QCOMPARE(flows.size(), std::size_t(1));
    QCOMPARE(qs(flows[0].name), u"etl"_s);
    const auto run = r.flow_run("r1");
    QVERIFY(run);
    QCOMPARE(qs(run->name), u"old-run"_s);
    QCOMPARE(qs(run->flow_name), u"etl"_s);
    QCOMPARE(run->state.type, StateType::Failed);
    QCOMPARE(qs(run->state.id), u"rs3"_s);
    QCOMPARE(qs(run->state.message), u"t2 failed"_s);
    QCOMPARE(qs(run->parameters.dump()), uR"({"n":3})"_s);
    QCOMPARE(run->total_run_time, Micros(70));
    QVERIFY(run->launch.arguments.empty() && run->launch.environment.empty());

    // The task runs, their rows as they were.
    const auto tasks = r.task_runs("r1");
    QCOMPARE(tasks.size(), std::size_t(2));
    QCOMPARE(qs(tasks[0].id), u"t1"_s);
    QCOMPARE(tasks[0].state.type, StateType::Completed);
    QCOMPARE(tasks[0].run_count, 2);
    QCOMPARE(qs(tasks[0].result.dump()), u"[1,2,3]"_s);
    QVERIFY(tasks[0].has_result);
    QCOMPARE(qs(tasks[1].state.message), u"it's broken"_s);
    QCOMPARE(qs(tasks[1].inputs_hash), u"h2"_s);

    // Every state history, every field of every state.
    for (const std::string run_id : {"r1", "t1", "t2"}) {
        std::vector<State> expected;
        for (const auto& e : old_events()) {
            if (e.run_id != run_id || e.state_type.empty()) continue;
            State s;
            s.id = e.state_id;
            s.type = *state_type_from_string(e.state_type);
            s.name = e.state_name;
            s.message = e.state_message;
            s.timestamp = e.ts;
            s.details =
                e.state_details.empty() ? nlohmann::json() : nlohmann::json::parse(e.state_details);
            expected.push_back(s);
        }
        const auto history = r.state_history(run_id);
        QCOMPARE(history.size(), expected.size());
        for (std::size_t i = 0; i < history.size(); ++i) {
            QCOMPARE(qs(history[i].id), qs(expected[i].id));
            QCOMPARE(history[i].type, expected[i].type);
            QCOMPARE(qs(history[i].name), qs(expected[i].name));
            QCOMPARE(qs(history[i].message), qs(expected[i].message));
            QCOMPARE(history[i].timestamp, expected[i].timestamp);
            QCOMPARE(qs(history[i].details.dump()), qs(expected[i].details.dump()));
        }
    }

    // The change feed: every event, its flow run as the old row repeated it.
    const auto feed = r.events_after(0, 1000);
    QCOMPARE(feed.size(), old_events().size());
    for (std::size_t i = 0; i < feed.size(); ++i) {
        const OldEvent& want = old_events()[i];
        const Event& got = feed[i];
        QCOMPARE(got.seq, want.seq);
        QCOMPARE(got.kind, want.kind);
        QCOMPARE(got.ts, want.ts);
        QCOMPARE(qs(got.run_id), qs(want.run_id));
        QCOMPARE(qs(got.flow_run_id), qs(want.flow_run_id));
        QCOMPARE(got.is_state(), !want.state_type.empty());
        if (got.state) {
            QCOMPARE(qs(got.state->id), qs(want.state_id));
            QCOMPARE(qs(to_string(got.state->type)), qs(want.state_type));
            QCOMPARE(qs(got.state->name), qs(want.state_name));
            QCOMPARE(qs(got.state->message), qs(want.state_message));
            QCOMPARE(got.state->timestamp, want.ts);
        }
        QCOMPARE(qs(got.payload.is_null() ? std::string() : got.payload.dump()), qs(want.payload));
    }
    QCOMPARE(r.last_event_seq(), std::int64_t(100));

    // The logs, found by their words too (the full-text index came along).
    LogQuery all;
    all.flow_run_id = "r1";
    const auto lines = r.logs(all);
    QCOMPARE(lines.size(), std::size_t(2));
    QCOMPARE(qs(lines[1].task_run_id), u"t2"_s);
    LogQuery words;
    words.text = "warehouse refused";
    QCOMPARE(r.logs(words).size(), std::size_t(1));

    // The pause, where the old schema had them.
    const auto pause = r.pause("r1", "0");
    QCOMPARE(bool(pause), steps >= 3);
    if (pause) {
        QCOMPARE(qs(pause->input.dump()), uR"({"ok":true})"_s);
        QCOMPARE(pause->resumed, std::optional<Micros>(23));
    }
    const auto limits = r.concurrency_limits();
    QCOMPARE(limits.size(), std::size_t(1));
    QCOMPARE(limits[0].limit, 2);

    // New events go on from the last sequence number, in the lean form.
    TaskRunRecord later = make_task_run("r1", "report", 0, state_at(StateType::Pending, 200));
    store->put_task_run(later, EventKind::TaskRunCreated);
    later.state = state_at(StateType::Failed, 210, "Custom");
    later.state.message = "no report";
    store->put_task_run(later, EventKind::TaskRunState);
    store->flush();
    const auto after = r.events_after(100, 10);
    QCOMPARE(after.size(), std::size_t(2));
    QCOMPARE(after[0].seq, std::int64_t(101));
    QCOMPARE(qs(after[0].flow_run_id), u"r1"_s);
    QCOMPARE(qs(after[0].state->name), u"Pending"_s);
    QCOMPARE(qs(after[1].state->name), u"Custom"_s);
    QCOMPARE(qs(after[1].state->message), u"no report"_s);
    QCOMPARE(r.state_history(later.id).size(), std::size_t(2));
}

void TestStoreMigrate::failedMigrationLeavesTheFileAsItWas() {
    // The lean step fails half-way (a table in its way): no step is kept, the file stays at
    // schema 3 with its events as they were, and opening says why.
    const std::string p = old_database("blocked.db", 3);
    QVERIFY(!p.empty());
    QCOMPARE(sql(p, "CREATE TABLE events_lean(x); SELECT 1"), std::string("1"));
    bool refused = false;
    try {
        Store::open(p);
    } catch (const StoreError&) {
        refused = true;
    }
    QVERIFY(refused);
    QCOMPARE(sql(p, "PRAGMA user_version"), std::string("3"));
    QCOMPARE(sql(p, "SELECT count(*) FROM events WHERE flow_run_id = 'r1'"), std::string("11"));
}

void TestStoreMigrate::deploymentsArriveOnAStepFourFile() {
    // A file at step 4 (the lean events) with a run: step 5 adds deployments, work pools, workers
    // and placements; the run reads with no placement, and the new tables take rows at once.
    const std::string p = (m_dir.path() + u"/step4.db"_s).toStdString();
    std::string ddl;
    for (int i = 0; i < 4; ++i)
        ddl += schema::migrations().at(std::size_t(i));
    QCOMPARE(sql(p, ddl
                        + "PRAGMA user_version=4;"
                          "INSERT INTO flows(id, name, created) VALUES ('f1', 'etl', 1);"
                          "INSERT INTO flow_runs(id, flow_id, name, state_id, state_type, "
                          "state_name, state_timestamp, expected_start_time, created, updated) "
                          "VALUES ('r1', 'f1', 'old-run', 's1', 'COMPLETED', 'Completed', 5, 1, "
                          "1, 5); SELECT count(*) FROM flow_runs"),
             std::string("1"));
    auto store = Store::open(p);
    QCOMPARE(sql(p, "PRAGMA user_version"), std::to_string(store_schema_version()));
    const auto old = store->read([](Reader& r) { return r.flow_run("r1"); });
    QVERIFY(old && old->placement.empty());
    QVERIFY(store->read([](Reader& r) { return r.deployments(); }).empty());

    DeploymentRecord d;
    d.id = "d1";
    d.flow_id = "f1";
    d.name = "nightly";
    d.entrypoint = "/bin/etl:etl";
    d.work_pool_name = "local";
    d.work_queue_name = "default";
    d.schedules.push_back({"s1", "0 3 * * *", std::nullopt, std::nullopt, "", true});
    d.schedules.push_back({"s2", "", 90.0, Micros(1000), "", false});
    d.created = d.updated = 7;
    WorkPoolRecord pool;
    pool.id = "p1";
    pool.name = "local";
    pool.default_queue_id = "q1";
    pool.concurrency_limit = 3;
    store
        ->transact<void>([&](Txn& txn) {
            txn.put_deployment(d);
            txn.put_work_pool(pool);
            txn.put_worker({"w1", "p1", "worker-1", 9, 30, 8});
            txn.put_placement("r1", {"d1", "local", "default", "worker-1"});
        })
        .get();
    const auto back = store->read([](Reader& r) { return r.deployment_by_name("f1", "nightly"); });
    QVERIFY(back);
    QCOMPARE(qs(back->entrypoint), u"/bin/etl:etl"_s);
    QCOMPARE(back->schedules.size(), std::size_t(2));
    QCOMPARE(qs(back->schedules[0].cron), u"0 3 * * *"_s);
    QCOMPARE(back->schedules[1].interval_s, std::optional<double>(90.0));
    QCOMPARE(back->schedules[1].anchor, std::optional<Micros>(1000));
    QVERIFY(!back->schedules[1].active);
    QCOMPARE(store->read([](Reader& r) { return r.work_pool("local"); })->concurrency_limit,
             std::optional<int>(3));
    QCOMPARE(store->read([](Reader& r) { return r.workers("p1"); }).size(), std::size_t(1));
    const auto placed = store->read([](Reader& r) { return r.flow_run("r1"); });
    QCOMPARE(qs(placed->placement.deployment_id), u"d1"_s);
    QCOMPARE(qs(placed->placement.worker_name), u"worker-1"_s);
    FlowRunQuery by_deployment;
    by_deployment.deployment_ids = {"d1"};
    QCOMPARE(store->read([&](Reader& r) { return r.count_flow_runs(by_deployment); }),
             std::int64_t(1));
    FlowRunQuery undeployed;
    undeployed.no_deployment = true;
    QCOMPARE(store->read([&](Reader& r) { return r.count_flow_runs(undeployed); }),
             std::int64_t(0));
}

void TestStoreMigrate::parameterSchemaArrivesOnAStepFiveFile() {
    // A file at step 5 with a deployment: step 6 gives deployments a parameter schema column; the
    // old deployment reads as it was with no schema (null), and a schema written later reads back.
    const std::string p = (m_dir.path() + u"/step5.db"_s).toStdString();
    std::string ddl;
    for (int i = 0; i < 5; ++i)
        ddl += schema::migrations().at(std::size_t(i));
    QCOMPARE(sql(p, ddl
                        + "PRAGMA user_version=5;"
                          "INSERT INTO flows(id, name, created) VALUES ('f1', 'etl', 1);"
                          "INSERT INTO deployments(id, flow_id, name, entrypoint, parameters, "
                          "schedules, created, updated) VALUES ('d1', 'f1', 'nightly', "
                          "'/bin/etl:etl', '{\"n\":3}', '[{\"id\":\"s1\",\"cron\":\"0 3 * * "
                          "*\",\"active\":true}]', 7, 8); SELECT count(*) FROM deployments"),
             std::string("1"));
    QCOMPARE(sql(p, "SELECT count(*) FROM pragma_table_info('deployments') WHERE name = "
                    "'parameter_openapi_schema'"),
             std::string("0"));

    auto store = Store::open(p);
    QCOMPARE(sql(p, "PRAGMA user_version"), std::to_string(store_schema_version()));
    QVERIFY(store_schema_version() >= 6);
    QCOMPARE(sql(p, "SELECT count(*) FROM pragma_table_info('deployments') WHERE name = "
                    "'parameter_openapi_schema'"),
             std::string("1"));
    auto old = store->read([](Reader& r) { return r.deployment("d1"); });
    QVERIFY(old);
    QCOMPARE(qs(old->name), u"nightly"_s);
    QCOMPARE(qs(old->entrypoint), u"/bin/etl:etl"_s);
    QCOMPARE(qs(old->parameters.dump()), uR"({"n":3})"_s);
    QCOMPARE(old->schedules.size(), std::size_t(1));
    QCOMPARE(qs(old->schedules[0].cron), u"0 3 * * *"_s);
    QCOMPARE(old->created, Micros(7));
    QVERIFY(old->parameter_openapi_schema.is_null());

    const nlohmann::json schema = {{"title", "Parameters"},
                                   {"type", "object"},
                                   {"properties", {{"n", {{"title", "n"}, {"type", "integer"}}}}},
                                   {"required", {"n"}}};
    old->parameter_openapi_schema = schema;
    store->transact<void>([&](Txn& txn) { txn.put_deployment(*old); }).get();
    const auto back = store->read([](Reader& r) { return r.deployment("d1"); });
    QCOMPARE(qs(back->parameter_openapi_schema.dump()), qs(schema.dump()));
    QCOMPARE(qs(back->parameters.dump()), uR"({"n":3})"_s);
}

QTEST_GUILESS_MAIN(TestStoreMigrate)
#include "tst_storemigrate.moc"
