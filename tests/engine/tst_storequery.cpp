// Store queries: flow-run filters, sorts, paging and counts; id prefix look-up; the dashboard's
// aggregates and its success-rate rule.
#include "enginetest.hpp"
#include "weft/store.hpp"

#include <QTemporaryDir>
#include <QTest>

using namespace weft;
using namespace enginetest;

Q_DECLARE_METATYPE(weft::FlowRunQuery)

namespace {

const Micros kT0 = *from_iso("2026-01-01T00:00:00Z");
Micros hours(double h) {
    return kT0 + from_seconds(h * 3600);
}

} // namespace

class TestStoreQuery : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void flowRunQuery_data();
    void flowRunQuery();
    void prefixLookup();
    void dashboard();
    void successRate_data();
    void successRate();

private:
    std::shared_ptr<Store> open(const char* name) { return Store::open(path(name)); }
    std::string path(const char* name) { return (m_dir.path() + u'/' + qs(name)).toStdString(); }

    QTemporaryDir m_dir;
    std::shared_ptr<Store> m_query; // the fixture of flowRunQuery
};

void TestStoreQuery::initTestCase() {
    QVERIFY(m_dir.isValid());
    m_query = open("query.db");
    const FlowRecord etl = make_flow("etl"), report = make_flow("report");
    struct Spec {
        const char* name;
        const FlowRecord* flow;
        StateType type;
        std::vector<std::string> tags;
        double expected_h;
        std::optional<double> start_h, end_h;
        const char* parent;
    };
    const Spec specs[] = {
        {"alpha", &etl, StateType::Completed, {"prod", "nightly"}, 1, 1, 2, nullptr},
        {"bravo", &etl, StateType::Failed, {"prod"}, 2, 2, 3, nullptr},
        {"charlie", &report, StateType::Running, {"dev"}, 3, 3, {}, nullptr},
        {"delta", &report, StateType::Scheduled, {}, 4, {}, {}, nullptr},
        {"Echo-100%", &etl, StateType::Completed, {"nightly"}, 5, 5, 5.5, nullptr},
        {"foxtrot", &report, StateType::Completed, {"prod"}, 6, 6, 7, "task-of-alpha"},
    };
    m_query
        ->transact<void>([&](Txn& txn) {
            txn.put_flow(etl);
            txn.put_flow(report);
            for (const auto& s : specs) {
                auto run = make_flow_run(s.flow->id, s.name, state_at(s.type, hours(s.expected_h)),
                                         std::string("run-") + s.name);
                run.tags = s.tags;
                run.expected_start_time = hours(s.expected_h);
                if (s.start_h) run.start_time = hours(*s.start_h);
                if (s.end_h) run.end_time = hours(*s.end_h);
                if (s.parent) run.parent_task_run_id = s.parent;
                txn.put_flow_run(run, EventKind::FlowRunCreated);
            }
        })
        .get();
}

void TestStoreQuery::flowRunQuery_data() {
    QTest::addColumn<FlowRunQuery>("query");
    QTest::addColumn<QStringList>("names");
    QTest::addColumn<qint64>("count");
    auto names = [](const char* s) { return QString::fromUtf8(s).split(u' ', Qt::SkipEmptyParts); };
    using enum StateType;
    QTest::addRow("all, expected start desc")
        << FlowRunQuery{} << names("foxtrot Echo-100% delta charlie bravo alpha") << qint64(6);
    QTest::addRow("expected start asc")
        << FlowRunQuery{.sort = FlowRunSort::ExpectedStartAsc}
        << names("alpha bravo charlie delta Echo-100% foxtrot") << qint64(6);
    QTest::addRow("name asc") << FlowRunQuery{.sort = FlowRunSort::NameAsc}
                              << names("Echo-100% alpha bravo charlie delta foxtrot") << qint64(6);
    QTest::addRow("start time desc, never started last")
        << FlowRunQuery{.sort = FlowRunSort::StartTimeDesc}
        << names("foxtrot Echo-100% charlie bravo alpha delta") << qint64(6);
    QTest::addRow("end time desc, unfinished last")
        << FlowRunQuery{.sort = FlowRunSort::EndTimeDesc}
        << names("foxtrot Echo-100% bravo alpha delta charlie") << qint64(6);
    QTest::addRow("COMPLETED") << FlowRunQuery{.states = {Completed}}
                               << names("foxtrot Echo-100% alpha") << qint64(3);
    QTest::addRow("FAILED or RUNNING")
        << FlowRunQuery{.states = {Failed, Running}} << names("charlie bravo") << qint64(2);
    QTest::addRow("flow etl") << FlowRunQuery{.flow_names = {"etl"}}
                              << names("Echo-100% bravo alpha") << qint64(3);
    QTest::addRow("unknown flow") << FlowRunQuery{.flow_names = {"nope"}} << names("") << qint64(0);
    QTest::addRow("ids") << FlowRunQuery{.ids = {"run-bravo", "run-delta", "run-none"}}
                         << names("delta bravo") << qint64(2);
    QTest::addRow("tag prod") << FlowRunQuery{.tags = {"prod"}} << names("foxtrot bravo alpha")
                              << qint64(3);
    QTest::addRow("tags prod and nightly")
        << FlowRunQuery{.tags = {"prod", "nightly"}} << names("alpha") << qint64(1);
    QTest::addRow("name like, any case")
        << FlowRunQuery{.name_like = "RAV"} << names("bravo") << qint64(1);
    QTest::addRow("name like matches the flow name")
        << FlowRunQuery{.name_like = "repo"} << names("foxtrot delta charlie") << qint64(3);
    QTest::newRow("name like: % is literal")
        << FlowRunQuery{.name_like = "%"} << names("Echo-100%") << qint64(1);
    QTest::addRow("name like: _ is literal")
        << FlowRunQuery{.name_like = "_"} << names("") << qint64(0);
    QTest::addRow("expected time range, inclusive")
        << FlowRunQuery{.expected_after = hours(2), .expected_before = hours(4)}
        << names("delta charlie bravo") << qint64(3);
    QTest::addRow("top-level runs") << FlowRunQuery{.parent_task_run_id = ""}
                                    << names("Echo-100% delta charlie bravo alpha") << qint64(5);
    QTest::addRow("subflow runs of a task")
        << FlowRunQuery{.parent_task_run_id = "task-of-alpha"} << names("foxtrot") << qint64(1);
    QTest::addRow("limit") << FlowRunQuery{.limit = 2} << names("foxtrot Echo-100%") << qint64(6);
    QTest::addRow("limit and offset")
        << FlowRunQuery{.limit = 2, .offset = 2} << names("delta charlie") << qint64(6);
    QTest::addRow("offset past the end") << FlowRunQuery{.offset = 10} << names("") << qint64(6);
    QTest::addRow("no limit") << FlowRunQuery{.sort = FlowRunSort::NameAsc,
                                              .limit = -1,
                                              .offset = 4}
                              << names("delta foxtrot") << qint64(6);
    QTest::addRow("combined") << FlowRunQuery{.states = {Completed},
                                              .flow_names = {"etl"},
                                              .tags = {"nightly"}}
                              << names("Echo-100% alpha") << qint64(2);
}

void TestStoreQuery::flowRunQuery() {
    QFETCH(FlowRunQuery, query);
    QFETCH(QStringList, names);
    QFETCH(qint64, count);
    const auto runs = m_query->read([&](Reader& r) { return r.flow_runs(query); });
    QStringList got;
    for (const auto& run : runs)
        got << qs(run.name);
    QCOMPARE(got, names);
    QCOMPARE(m_query->read([&](Reader& r) { return r.count_flow_runs(query); }), count);
}

void TestStoreQuery::prefixLookup() {
    auto store = open("prefix.db");
    const char* ids[] = {"abc11111-0000-7000-8000-000000000001",
                         "abc22222-0000-7000-8000-000000000002",
                         "abd33333-0000-7000-8000-000000000003"};
    for (const char* id : ids) {
        store->put_flow_run(make_flow_run("flow", id, states::pending(), id),
                            EventKind::FlowRunCreated);
        store->put_task_run(make_task_run("fr", "t", 0, states::pending(), std::string(id)),
                            EventKind::TaskRunCreated);
    }
    store->flush();
    store->read([&](Reader& r) {
        for (auto lookup : {&Reader::flow_run_ids_with_prefix, &Reader::task_run_ids_with_prefix}) {
            QCOMPARE((r.*lookup)("abc", 2).size(), size_t(2));
            QCOMPARE((r.*lookup)("ab", 10).size(), size_t(3));
            QCOMPARE((r.*lookup)("ab", 2).size(), size_t(2)); // the limit holds
            QCOMPARE(qsl((r.*lookup)("abc1", 2)), QStringList{qs(ids[0])});
            QCOMPARE(qsl((r.*lookup)(ids[2], 2)), QStringList{qs(ids[2])});
            QCOMPARE((r.*lookup)("abe", 2).size(), size_t(0));
            QCOMPARE((r.*lookup)("b", 2).size(), size_t(0));
        }
    });
}

// Runs in three hourly intervals from kT0, of two flows, in every finished state and some
// unfinished ones; one run at the window's end and one before it are outside.
void TestStoreQuery::dashboard() {
    auto store = open("dashboard.db");
    const FlowRecord etl = make_flow("etl"), report = make_flow("report");
    struct Spec {
        const FlowRecord* flow;
        StateType type;
        double expected_h;
        double run_s;
    };
    const Spec specs[] = {
        {&etl, StateType::Completed, 0.1, 2},  {&etl, StateType::Completed, 0.5, 4},
        {&etl, StateType::Failed, 1.2, 6},     {&etl, StateType::Cancelled, 1.5, 1},
        {&report, StateType::Crashed, 2.1, 1}, {&report, StateType::Completed, 2.2, 1},
        {&report, StateType::Running, 2.9, 0}, {&report, StateType::Scheduled, 2.95, 0},
        {&report, StateType::Failed, 3.0, 1}, // at `to`: outside the half-open window
        {&etl, StateType::Failed, -0.5, 1},   // before `from`
    };
    store
        ->transact<void>([&](Txn& txn) {
            txn.put_flow(etl);
            txn.put_flow(report);
            int n = 0;
            for (const auto& s : specs) {
                const std::string name = "run-" + std::to_string(n++);
                auto run = make_flow_run(s.flow->id, name, state_at(s.type, hours(s.expected_h)),
                                         "dash-" + name);
                run.expected_start_time = hours(s.expected_h);
                if (is_terminal(s.type) || s.type == StateType::Running)
                    run.start_time = hours(s.expected_h);
                if (is_terminal(s.type)) {
                    run.end_time = hours(s.expected_h) + from_seconds(s.run_s);
                    run.total_run_time = from_seconds(s.run_s);
                }
                txn.put_flow_run(run, EventKind::FlowRunCreated);
            }
        })
        .get();

    const auto d = store->read([](Reader& r) { return r.dashboard(hours(0), hours(3), 3, 10); });
    QCOMPARE(d.interval, from_seconds(3600));
    auto count = [&](int interval, StateType type) {
        for (const auto& c : d.history)
            if (c.interval_start == hours(interval) && c.type == type) return c.count;
        return std::int64_t(0);
    };
    QCOMPARE(count(0, StateType::Completed), 2);
    QCOMPARE(count(1, StateType::Failed), 1);
    QCOMPARE(count(1, StateType::Cancelled), 1);
    QCOMPARE(count(2, StateType::Crashed), 1);
    QCOMPARE(count(2, StateType::Completed), 1);
    QCOMPARE(count(2, StateType::Running), 1);
    QCOMPARE(count(2, StateType::Scheduled), 1);
    std::int64_t in_history = 0;
    for (const auto& c : d.history)
        in_history += c.count;
    QCOMPARE(in_history, 8);

    // The totals count the same runs as the history: every state, the window half-open.
    QCOMPARE(d.runs, 8);
    QCOMPARE(d.completed, 3);
    QCOMPARE(d.failed, 2); // FAILED and CRASHED; the cancelled run is neither
    QVERIFY(d.success_rate);
    QCOMPARE(*d.success_rate, 3.0 / 5.0);

    QCOMPARE(int(d.flows.size()), 2);
    QCOMPARE(d.flows[0].flow_name, std::string("etl"));
    QCOMPARE(d.flows[0].runs, 4);
    QCOMPARE(d.flows[0].completed, 2);
    QCOMPARE(d.flows[0].failed, 1);
    QCOMPARE(d.flows[0].max_run_s, 6.0);
    QCOMPARE(d.flows[1].flow_name, std::string("report"));
    QCOMPARE(d.flows[1].runs, 4);
    QCOMPARE(d.flows[1].completed, 1);
    QCOMPARE(d.flows[1].failed, 1);

    // Failures in the window, newest first.
    QCOMPARE(int(d.recent_failures.size()), 2);
    QCOMPARE(d.recent_failures[0].state.type, StateType::Crashed);
    QCOMPARE(d.recent_failures[1].state.type, StateType::Failed);

    // An empty window: no rate rather than 0 % or 100 %.
    const auto empty = store->read([](Reader& r) { return r.dashboard(hours(10), hours(11), 1); });
    QCOMPARE(empty.runs, 0);
    QVERIFY(!empty.success_rate);
}

void TestStoreQuery::successRate_data() {
    QTest::addColumn<int>("completed");
    QTest::addColumn<int>("failed");
    QTest::addColumn<double>("rate"); // -1: none
    QTest::addRow("nothing finished") << 0 << 0 << -1.0;
    QTest::addRow("all completed") << 4 << 0 << 1.0;
    QTest::addRow("all failed") << 0 << 3 << 0.0;
    QTest::addRow("three of four") << 3 << 1 << 0.75;
}

void TestStoreQuery::successRate() {
    QFETCH(int, completed);
    QFETCH(int, failed);
    QFETCH(double, rate);
    const auto got = success_rate(completed, failed);
    if (rate < 0) {
        QVERIFY(!got);
    } else {
        QVERIFY(got);
        QCOMPARE(*got, rate);
    }
}

QTEST_GUILESS_MAIN(TestStoreQuery)
#include "tst_storequery.moc"
