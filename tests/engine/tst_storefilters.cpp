// The store's queries in Prefect's filter grammar (the REST API's filters): the FlowRunQuery and
// LogQuery fields beyond Studio's, TaskRunQuery across flow runs, and a flow by id. Data-driven
// over one fixture database.
#include "enginetest.hpp"

#include "weft/store.hpp"

#include <QTemporaryDir>
#include <QtTest>

Q_DECLARE_METATYPE(weft::FlowRunQuery)
Q_DECLARE_METATYPE(weft::TaskRunQuery)
Q_DECLARE_METATYPE(weft::LogQuery)

using namespace weft;
using namespace enginetest;

namespace {
constexpr Micros kT0 = 1'800'000'000'000'000; // a fixed day, so time bounds are exact
constexpr Micros kMin = 60'000'000;

QStringList L(std::initializer_list<const char*> texts) {
    QStringList out;
    for (const char* t : texts)
        out << QString::fromLatin1(t);
    return out;
}
} // namespace

class TestStoreFilters : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void initTestCase();
    void flowRuns_data();
    void flowRuns();
    void taskRuns_data();
    void taskRuns();
    void logs_data();
    void logs();
    void flowById();

private:
    QTemporaryDir m_dir;
    std::shared_ptr<Store> m_store;
    FlowRecord m_etl = make_flow("etl"), m_report = make_flow("report");
};

// Runs a (etl, COMPLETED, tags x y, started and ended), b (etl, RUNNING "Retrying", tag y,
// version 2), c (report, SCHEDULED, no tags, a subflow of task t1). Task runs t0..t2 of a,
// t3 of b; t1 stands for the subflow call. Logs: four lines of a and b.
void TestStoreFilters::initTestCase() {
    m_store = Store::open(m_dir.filePath(QStringLiteral("f.db")).toStdString());
    FlowRunRecord a = make_flow_run(m_etl.id, "a", state_at(StateType::Completed, kT0), "run-a");
    a.tags = {"x", "y"};
    a.start_time = kT0 - kMin;
    a.end_time = kT0;
    FlowRunRecord b =
        make_flow_run(m_etl.id, "b", state_at(StateType::Running, kT0 + kMin, "Retrying"), "run-b");
    b.tags = {"y"};
    b.flow_version = "2";
    b.start_time = kT0 + kMin;
    FlowRunRecord c =
        make_flow_run(m_report.id, "c", state_at(StateType::Scheduled, kT0 + 2 * kMin), "run-c");
    c.parent_task_run_id = "t1";
    std::vector<TaskRunRecord> tasks;
    for (int i = 0; i < 3; ++i) {
        auto t =
            make_task_run("run-a", i == 1 ? "sub" : "work", i,
                          state_at(StateType::Completed, kT0 + i * kMin), "t" + std::to_string(i));
        t.start_time = kT0 + i * kMin;
        t.end_time = t.start_time;
        if (i == 1) t.child_flow_run_id = "run-c";
        if (i == 2) t.tags = {"io"};
        tasks.push_back(t);
    }
    tasks.push_back(make_task_run("run-b", "work", 0, state_at(StateType::Running, kT0), "t3"));
    m_store
        ->transact<void>([&](Txn& txn) {
            txn.put_flow(m_etl);
            txn.put_flow(m_report);
            for (auto* r : {&a, &b, &c})
                txn.put_flow_run(*r, EventKind::FlowRunCreated);
            for (auto& t : tasks)
                txn.put_task_run(t, EventKind::TaskRunCreated);
        })
        .get();
    int n = 0;
    for (const char* run : {"run-a", "run-a", "run-b", "run-b"}) {
        LogRecord line;
        line.flow_run_id = run;
        line.task_run_id = n % 2 ? "t0" : "";
        line.name = "log";
        line.level = 10 * (n + 1); // 10, 20, 30, 40
        line.timestamp = kT0 + n * kMin;
        line.message = "line " + std::to_string(n);
        m_store->append_log(line);
        ++n;
    }
    m_store->flush();
}

void TestStoreFilters::flowRuns_data() {
    QTest::addColumn<FlowRunQuery>("query");
    QTest::addColumn<QStringList>("names");
    auto q = [] {
        FlowRunQuery q;
        q.sort = FlowRunSort::NameAsc;
        return q;
    };
    const QStringList none = L({});
    FlowRunQuery x = q();
    x.flow_ids = {m_etl.id};
    QTest::addRow("flow_ids") << x << L({"a", "b"});
    x = q();
    x.not_ids = {"run-a", "run-c"};
    QTest::addRow("not_ids") << x << L({"b"});
    x = q();
    x.names = {"a", "c"};
    QTest::addRow("names") << x << L({"a", "c"});
    x = q();
    x.run_name_like = "B";
    QTest::addRow("run_name_like ignores case") << x << L({"b"});
    x = q();
    x.run_name_like = "etl";
    QTest::addRow("run_name_like is not the flow's name") << x << none;
    x = q();
    x.flow_name_like = "PORT";
    QTest::addRow("flow_name_like") << x << L({"c"});
    x = q();
    x.not_states = {StateType::Completed, StateType::Scheduled};
    QTest::addRow("not_states") << x << L({"b"});
    x = q();
    x.state_names = {"Retrying"};
    QTest::addRow("state_names") << x << L({"b"});
    x = q();
    x.not_state_names = {"Retrying"};
    QTest::addRow("not_state_names") << x << L({"a", "c"});
    x = q();
    x.any_tags = {"x", "z"};
    QTest::addRow("any_tags") << x << L({"a"});
    x = q();
    x.no_tags = true;
    QTest::addRow("no tags") << x << L({"c"});
    x = q();
    x.no_tags = false;
    QTest::addRow("some tags") << x << L({"a", "b"});
    x = q();
    x.flow_versions = {"2"};
    QTest::addRow("flow_versions") << x << L({"b"});
    x = q();
    x.start_after = kT0; // inclusive
    QTest::addRow("start_after") << x << L({"b"});
    x = q();
    x.start_before = kT0 - kMin; // inclusive
    QTest::addRow("start_before") << x << L({"a"});
    x = q();
    x.start_null = true;
    QTest::addRow("not started") << x << L({"c"});
    x = q();
    x.end_null = false;
    QTest::addRow("ended") << x << L({"a"});
    x = q();
    x.end_after = kT0;
    x.end_before = kT0;
    QTest::addRow("end in [t, t]") << x << L({"a"});
    x = q();
    x.parent_task_run_ids = {"t1", "nope"};
    QTest::addRow("parent_task_run_ids") << x << L({"c"});
    x = q();
    x.sort = FlowRunSort::StartTimeAsc;
    QTest::addRow("start time ascending, not started last") << x << L({"a", "b", "c"});
}

void TestStoreFilters::flowRuns() {
    QFETCH(FlowRunQuery, query);
    QFETCH(QStringList, names);
    auto runs = m_store->read([&](Reader& r) { return r.flow_runs(query); });
    QStringList got;
    for (const auto& run : runs)
        got << qs(run.name);
    QCOMPARE(got, names);
    QCOMPARE(m_store->read([&](Reader& r) { return r.count_flow_runs(query); }),
             std::int64_t(names.size()));
}

void TestStoreFilters::taskRuns_data() {
    QTest::addColumn<TaskRunQuery>("query");
    QTest::addColumn<QStringList>("ids");
    auto q = [] {
        TaskRunQuery q;
        q.sort = TaskRunSort::NameAsc;
        q.limit = -1;
        return q;
    };
    TaskRunQuery x = q();
    QTest::addRow("all, by name then id") << x << L({"t1", "t0", "t3", "t2"});
    x = q();
    x.flow_run_ids = {"run-b"};
    QTest::addRow("flow_run_ids") << x << L({"t3"});
    x = q();
    x.ids = {"t0", "t2"};
    QTest::addRow("ids") << x << L({"t0", "t2"});
    x = q();
    x.name_like = "SUB";
    QTest::addRow("name_like") << x << L({"t1"});
    x = q();
    x.task_key = "work";
    x.dynamic_key = "0";
    QTest::addRow("task_key and dynamic_key") << x << L({"t0", "t3"});
    x = q();
    x.dynamic_key = "";
    QTest::addRow("empty dynamic_key is a key") << x << L({});
    x = q();
    x.states = {StateType::Running};
    QTest::addRow("states") << x << L({"t3"});
    x = q();
    x.tags = {"io"};
    QTest::addRow("tags") << x << L({"t2"});
    x = q();
    x.has_subflow_run = true;
    QTest::addRow("subflow calls") << x << L({"t1"});
    x = q();
    x.start_after = kT0 + kMin;
    QTest::addRow("start_after") << x << L({"t1", "t2"});
    x = q();
    x.start_null = true;
    QTest::addRow("not started") << x << L({"t3"});
    x = q();
    x.no_flow_run = true;
    QTest::addRow("outside any flow run") << x << L({});
    x = q();
    x.sort = TaskRunSort::ExpectedStartDesc;
    x.limit = 2;
    x.offset = 1;
    QTest::addRow("newest first, paged") << x << L({"t1", "t3"});
}

void TestStoreFilters::taskRuns() {
    QFETCH(TaskRunQuery, query);
    QFETCH(QStringList, ids);
    auto runs = m_store->read([&](Reader& r) { return r.find_task_runs(query); });
    QStringList got;
    for (const auto& run : runs)
        got << qs(run.id);
    QCOMPARE(got, ids);
    if (query.limit < 0)
        QCOMPARE(m_store->read([&](Reader& r) { return r.count_matching_task_runs(query); }),
                 std::int64_t(ids.size()));
}

void TestStoreFilters::logs_data() {
    QTest::addColumn<LogQuery>("query");
    QTest::addColumn<QStringList>("messages");
    LogQuery x;
    x.flow_run_ids = {"run-b", "nope"};
    QTest::addRow("flow_run_ids") << x << L({"line 2", "line 3"});
    x = {};
    x.max_level = 20;
    QTest::addRow("max_level") << x << L({"line 0", "line 1"});
    x = {};
    x.timestamp_after = kT0 + kMin;
    x.timestamp_before = kT0 + 2 * kMin;
    QTest::addRow("timestamps, inclusive") << x << L({"line 1", "line 2"});
    x = {};
    x.no_task_run = false;
    QTest::addRow("of a task run") << x << L({"line 1", "line 3"});
    x = {};
    x.no_task_run = true;
    QTest::addRow("of no task run") << x << L({"line 0", "line 2"});
    x = {};
    x.offset = 1;
    x.limit = 2;
    QTest::addRow("offset") << x << L({"line 1", "line 2"});
    x = {};
    x.offset = 1;
    x.limit = 2;
    x.newest_first = true;
    QTest::addRow("offset, newest first") << x << L({"line 2", "line 1"});
}

void TestStoreFilters::logs() {
    QFETCH(LogQuery, query);
    QFETCH(QStringList, messages);
    auto lines = m_store->read([&](Reader& r) { return r.logs(query); });
    QStringList got;
    for (const auto& line : lines)
        got << qs(line.message);
    QCOMPARE(got, messages);
}

void TestStoreFilters::flowById() {
    auto flow = m_store->read([&](Reader& r) { return r.flow(m_report.id); });
    QVERIFY(flow);
    QCOMPARE(qs(flow->name), QStringLiteral("report"));
    QVERIFY(!m_store->read([](Reader& r) { return r.flow("no-such-flow"); }));
}

QTEST_GUILESS_MAIN(TestStoreFilters)
#include "tst_storefilters.moc"
