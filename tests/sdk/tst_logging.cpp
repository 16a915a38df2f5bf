// Logging: lines written with weft::log() inside flows and tasks are recorded with their run's ids,
// logger name and Python level, found by full-text search; std::cout of a task with log_stdout
// becomes its log lines; named loggers are recorded too; nothing is recorded outside a run.
#include "sdktest.hpp"

#include <QTest>

#include <iostream>

using namespace sdktest;

namespace {

std::string g_flow_run_id;
std::string g_task_run_id;

auto chatty = weft::task("chatty", [](int x) {
                  g_task_run_id = weft::current_task_run_id();
                  weft::log().debug("chatty debug {}", x);
                  weft::log().warn("chatty warns about {}", x);
                  weft::log("etl.loader")->error("loader failed on {}", x);
                  return x;
              }).params({"x"});

auto logged_flow = weft::flow("logged_flow", [] {
    g_flow_run_id = weft::current_flow_run_id();
    weft::log().info("flow says hello zanzibar");
    weft::log().critical("flow is critical");
    weft::log("etl.loader")->info("loader ready");
    return chatty(3);
});

const weft::LogRecord* find(const std::vector<weft::LogRecord>& lines, const std::string& message) {
    for (const auto& l : lines)
        if (l.message == message) return &l;
    return nullptr;
}

} // namespace

class TestLogging : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void initTestCase() { QVERIFY(use_fresh_database(m_dir)); }
    void linesCarryRunsNamesAndLevels();
    void fullTextSearch();
    void engineLinesOfTheRun();
    void submittedTasksLogWithTheirIds();
    void stdoutCapture();
    void unfinishedPrintedLineStaysWithItsTask();
    void nothingRecordedOutsideRuns();

private:
    QTemporaryDir m_dir;
};

void TestLogging::linesCarryRunsNamesAndLevels() {
    const weft::Micros before = weft::now_us();
    QCOMPARE(logged_flow(), 3);
    weft::LogQuery q;
    q.flow_run_id = g_flow_run_id;
    const auto lines = logs(q);

    struct Expected {
        const char* message;
        const char* logger;
        int level;
        bool in_task;
    };
    const Expected expected[] = {
        {"flow says hello zanzibar", "weft.flow_runs", weft::Info, false},
        {"flow is critical", "weft.flow_runs", weft::Critical, false},
        {"loader ready", "etl.loader", weft::Info, false},
        {"chatty debug 3", "weft.task_runs", weft::Debug, true},
        {"chatty warns about 3", "weft.task_runs", weft::Warning, true},
        {"loader failed on 3", "etl.loader", weft::Error, true},
    };
    std::int64_t last_id = 0;
    for (const auto& e : expected) {
        const auto* line = find(lines, e.message);
        QVERIFY2(line, e.message);
        QCOMPARE(qs(line->name), QString::fromLatin1(e.logger));
        QCOMPARE(line->level, e.level);
        QCOMPARE(qs(line->flow_run_id), qs(g_flow_run_id));
        QCOMPARE(qs(line->task_run_id), e.in_task ? qs(g_task_run_id) : QString());
        QVERIFY(line->timestamp >= before && line->timestamp <= weft::now_us());
        QVERIFY2(line->id > last_id, e.message); // stored in the order written
        last_id = line->id;
    }
    QCOMPARE(qs(task_runs(g_flow_run_id, "chatty").at(0).id), qs(g_task_run_id));

    // Per task run and per level.
    weft::LogQuery per_task;
    per_task.task_run_id = g_task_run_id;
    per_task.min_level = weft::Warning;
    const auto task_lines = logs(per_task);
    QVERIFY(find(task_lines, "chatty warns about 3"));
    QVERIFY(find(task_lines, "loader failed on 3"));
    QVERIFY(!find(task_lines, "chatty debug 3"));
    QVERIFY(!find(task_lines, "flow is critical"));
    QCOMPARE(qs(weft::log_level_name(weft::Warning)), QStringLiteral("WARNING"));
}

void TestLogging::fullTextSearch() {
    QCOMPARE(logged_flow(), 3);
    weft::LogQuery q;
    q.text = "zanzibar";
    const auto all_runs = logs(q);
    QVERIFY(all_runs.size() >= 2); // this run's line and the previous test's
    for (const auto& l : all_runs)
        QCOMPARE(qs(l.message), QStringLiteral("flow says hello zanzibar"));

    q.flow_run_id = g_flow_run_id;
    QCOMPARE(logs(q).size(), size_t(1));
    q.text = "loader";
    QCOMPARE(logs(q).size(), size_t(2));
    q.text = "warns";
    const auto hits = logs(q);
    QCOMPARE(hits.size(), size_t(1));
    QCOMPARE(qs(hits.front().task_run_id), qs(g_task_run_id));
    q.text = "nosuchwordanywhere";
    QVERIFY(logs(q).empty());
}

void TestLogging::engineLinesOfTheRun() {
    QCOMPARE(logged_flow(), 3);
    weft::LogQuery q;
    q.flow_run_id = g_flow_run_id;
    const auto lines = logs(q);
    const auto run = flow_run(g_flow_run_id);
    QVERIFY(find(lines, "Beginning flow run '" + run.name + "' for flow 'logged_flow'"));
    QVERIFY(find(lines, "Finished in state Completed()"));
    // A log batch is an event of the run.
    const auto events = events_of(g_flow_run_id);
    QVERIFY(std::any_of(events.begin(), events.end(),
                        [](const weft::Event& e) { return e.kind == weft::EventKind::Logs; }));
}

void TestLogging::submittedTasksLogWithTheirIds() {
    // Lines written on the task runner's threads carry the ids of the run each thread works for.
    std::vector<std::string> ids;
    auto f = weft::flow("mapped_logs", [&] {
        g_flow_run_id = weft::current_flow_run_id();
        auto futures = chatty.map(std::vector<int>{10, 11, 12});
        for (auto& fut : futures)
            ids.push_back(fut.task_run_id());
        weft::wait_all(futures);
    });
    f();
    weft::LogQuery q;
    q.flow_run_id = g_flow_run_id;
    const auto lines = logs(q);
    for (int i = 0; i < 3; ++i) {
        const auto* line = find(lines, "chatty warns about " + std::to_string(10 + i));
        QVERIFY(line);
        QCOMPARE(qs(line->task_run_id), qs(ids[size_t(i)]));
        QCOMPARE(qs(line->name), QStringLiteral("weft.task_runs"));
    }
}

void TestLogging::stdoutCapture() {
    std::string printing_id, quiet_id;
    auto printing = weft::task("printing", [&] {
                        printing_id = weft::current_task_run_id();
                        std::cout << "first printed line\n";
                        std::cout << "second " << 2 << " printed" << std::endl;
                    }).log_stdout(true);
    auto quiet = weft::task("quiet", [&] {
        quiet_id = weft::current_task_run_id();
        std::cout << "not captured line" << std::endl;
    });
    auto f = weft::flow("printing_flow", [&] {
        g_flow_run_id = weft::current_flow_run_id();
        printing();
        quiet();
        std::cout << "flow body print" << std::endl;
    });
    f();
    weft::LogQuery q;
    q.flow_run_id = g_flow_run_id;
    const auto lines = logs(q);
    const auto* first = find(lines, "first printed line");
    const auto* second = find(lines, "second 2 printed");
    QVERIFY(first);
    QVERIFY(second);
    QCOMPARE(qs(first->task_run_id), qs(printing_id));
    QCOMPARE(qs(second->task_run_id), qs(printing_id));
    QCOMPARE(first->level, weft::Info);
    QCOMPARE(qs(first->name), QStringLiteral("weft.stdout"));
    QVERIFY(first->id < second->id);
    QVERIFY(!find(lines, "not captured line"));
    QVERIFY(!find(lines, "flow body print"));
    QVERIFY(!quiet_id.empty());
}

void TestLogging::unfinishedPrintedLineStaysWithItsTask() {
    // Text printed without a final '\n' belongs to the task run that printed it: it is recorded
    // when that run's attempt ends, not glued to the next line printed on the same thread.
    std::string first_id, second_id;
    auto unfinished = weft::task("unfinished_print", [&] {
                          first_id = weft::current_task_run_id();
                          std::cout << "no newline from the first task";
                      }).log_stdout(true);
    auto next = weft::task("next_print", [&] {
                    second_id = weft::current_task_run_id();
                    std::cout << "the second task's line\n";
                }).log_stdout(true);
    auto f = weft::flow("unfinished_print_flow", [&] {
        g_flow_run_id = weft::current_flow_run_id();
        unfinished(); // both run on this thread, one after the other
        next();
    });
    f();
    weft::LogQuery q;
    q.flow_run_id = g_flow_run_id;
    const auto lines = logs(q);
    const auto* first = find(lines, "no newline from the first task");
    const auto* second = find(lines, "the second task's line");
    QVERIFY(first);
    QVERIFY(second);
    QCOMPARE(qs(first->task_run_id), qs(first_id));
    QCOMPARE(qs(first->name), QStringLiteral("weft.stdout"));
    QCOMPARE(qs(second->task_run_id), qs(second_id));
    QVERIFY(first->id < second->id);
}

void TestLogging::nothingRecordedOutsideRuns() {
    weft::detail::flush();
    weft::LogQuery q;
    const auto before = store().read([&](weft::Reader& r) { return r.count_logs(q); });
    weft::log().info("outside any run");
    weft::log("etl.loader")->warn("outside any run either");
    weft::detail::flush();
    QCOMPARE(store().read([&](weft::Reader& r) { return r.count_logs(q); }), before);
}

QTEST_GUILESS_MAIN(TestLogging)
#include "tst_logging.moc"
