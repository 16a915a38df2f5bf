// The change feed across processes: this binary runs itself as writer processes (`--writer DB N
// TAG`) while the test process writes too and follows the feed from seq 0.
#include "enginetest.hpp"
#include "weft/engine.hpp"
#include "weft/store.hpp"

#include <QCoreApplication>
#include <QProcess>
#include <QTemporaryDir>
#include <QTest>

#include <chrono>
#include <cstring>
#include <map>
#include <thread>

using namespace weft;
using namespace enginetest;

namespace {

constexpr int kTasksPerWriter = 400;

// Writes one flow run with `n` task runs (PENDING → RUNNING → COMPLETED, one log line each)
// through `store`, flushing now and then so the groups of the processes interleave.
void write_runs(Store& store, int n, const std::string& tag) {
    FlowRunRecord run = make_flow_run("flow", "writer-" + tag, states::running(), "run-" + tag);
    store.put_flow_run(run, EventKind::FlowRunCreated);
    for (int i = 0; i < n; ++i) {
        TaskRunRecord task = make_task_run(run.id, tag, i, states::pending());
        store.put_task_run(task, EventKind::TaskRunCreated);
        enter_state(task, states::running());
        store.update_task_run(TaskRunUpdate::of(task));
        store.append_log(
            {0, run.id, task.id, "writer", Info, now_us(), tag + " line " + std::to_string(i)});
        enter_state(task, states::completed());
        store.update_task_run(TaskRunUpdate::of(task));
        if (i % 10 == 9) store.flush();
    }
    store.flush();
}

int writer_main(int argc, char** argv) {
    if (argc != 5) return 2;
    // Start barrier: every writer has started and waits before any of them opens or writes.
    std::printf("ready\n");
    std::fflush(stdout);
    char go[8] = {};
    if (!std::fgets(go, sizeof go, stdin)) return 3;
    try {
        auto store = Store::open(argv[2]);
        write_runs(*store, std::atoi(argv[3]), argv[4]);
        return 0;
    } catch (const std::exception& e) {
        std::fprintf(stderr, "writer %s failed: %s\n", argv[4], e.what());
        return 1;
    }
}

std::unique_ptr<QProcess> start_writer(const std::string& db, int n, const char* tag) {
    auto p = std::make_unique<QProcess>();
    p->setProcessChannelMode(QProcess::ForwardedErrorChannel);
    p->start(QCoreApplication::applicationFilePath(),
             {QStringLiteral("--writer"), qs(db), QString::number(n), QString::fromLatin1(tag)});
    return p;
}

// Waits until the writer has started and waits for "go" (it prints "ready").
bool wait_ready(QProcess& p) {
    while (!p.canReadLine())
        if (!p.waitForReadyRead(30000)) return false;
    return p.readLine().trimmed() == "ready";
}

} // namespace

class TestChangeFeed : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void twoProcessesOneFeed();
    void dataVersion();
    void concurrentFirstOpen();

private:
    std::string path(const char* name) { return (m_dir.path() + u'/' + qs(name)).toStdString(); }
    QTemporaryDir m_dir;
};

void TestChangeFeed::twoProcessesOneFeed() {
    const std::string db = path("feed.db");
    auto store = Store::open(db); // creates the schema before anyone else writes
    auto reader = store->open_reader();

    auto a = start_writer(db, kTasksPerWriter, "a");
    auto b = start_writer(db, kTasksPerWriter, "b");
    QVERIFY(wait_ready(*a) && wait_ready(*b));
    a->write("go\n");
    b->write("go\n");
    QVERIFY(a->waitForBytesWritten() && b->waitForBytesWritten());
    // This process writes too, from the moment both children are seen writing in the feed.
    std::thread own;
    struct Join { // a failed check returns early: the thread must still be joined
        std::thread& t;
        ~Join() {
            if (t.joinable()) t.join();
        }
    } join_own{own};

    // Non-log events: per writer, one flow run and three states per task run.
    const int writers = 3;
    const std::int64_t state_events = writers * (1 + 3 * kTasksPerWriter);
    const std::int64_t log_lines = writers * kTasksPerWriter;
    std::int64_t last = 0, states_seen = 0, lines_announced = 0, reads = 0;
    int switches = 0; // how often consecutive events came from another writer's group
    std::string previous_writer;
    std::map<std::string, QStringList> history; // task run id → state names, in feed order
    std::map<std::string, int> flow_runs_created;
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(90);
    while ((states_seen < state_events || lines_announced < log_lines)
           && std::chrono::steady_clock::now() < deadline) {
        // A small page, so following means many reads that race the writers.
        const auto page = reader->events_after(last, 97);
        ++reads;
        for (const auto& e : page) {
            // Consecutive: nothing skipped, nothing twice, in commit order.
            QCOMPARE(e.seq, last + 1);
            last = e.seq;
            if (e.flow_run_id != previous_writer) ++switches;
            previous_writer = e.flow_run_id;
            if (e.kind == EventKind::Logs) {
                lines_announced += e.payload.at("count").get<std::int64_t>();
                continue;
            }
            ++states_seen;
            QVERIFY(e.state);
            if (e.kind == EventKind::FlowRunCreated) ++flow_runs_created[e.run_id];
            if (e.is_task_run()) history[e.run_id] << qs(e.state->name);
        }
        if (!own.joinable() && flow_runs_created.count("run-a") && flow_runs_created.count("run-b"))
            own = std::thread([&] { write_runs(*store, kTasksPerWriter, "c"); });
        if (page.empty()) std::this_thread::sleep_for(std::chrono::milliseconds(2));
    }
    QVERIFY2(own.joinable(), "the child writers never showed up in the feed");
    own.join();
    QVERIFY(a->waitForFinished(30000) && b->waitForFinished(30000));
    QCOMPARE(a->exitStatus(), QProcess::NormalExit);
    QCOMPARE(a->exitCode(), 0);
    QCOMPARE(b->exitCode(), 0);
    QCOMPARE(states_seen, state_events);
    QCOMPARE(lines_announced, log_lines);
    QVERIFY2(reads > 3, "the feed was read only once or twice: nothing raced");
    // Diagnostic only: the scheduler may serialise the writers on a busy machine.
    qInfo("%d switches between writers in the feed, %lld reads", switches, qlonglong(reads));

    QCOMPARE(flow_runs_created.size(), size_t(writers));
    for (const auto& [id, n] : flow_runs_created)
        QCOMPARE(n, 1);
    QCOMPARE(history.size(), size_t(writers * kTasksPerWriter));
    const QStringList expected{QStringLiteral("Pending"), QStringLiteral("Running"),
                               QStringLiteral("Completed")};
    for (const auto& [id, names] : history)
        QCOMPARE(names, expected);

    // Everything every process wrote is in the file, and the feed ends where the table does.
    QVERIFY(reader->events_after(last).empty());
    QCOMPARE(reader->last_event_seq(), last);
    std::int64_t tasks = 0, completed = 0;
    for (const char* tag : {"run-a", "run-b", "run-c"}) {
        const auto runs = reader->task_runs(tag);
        tasks += std::int64_t(runs.size());
        for (const auto& t : runs)
            completed += t.state.is(StateType::Completed) && t.run_count == 1;
        QCOMPARE(reader->count_logs({.flow_run_id = tag}), std::int64_t(kTasksPerWriter));
    }
    QCOMPARE(tasks, std::int64_t(writers * kTasksPerWriter));
    QCOMPARE(completed, tasks);
}

void TestChangeFeed::dataVersion() {
    const std::string db = path("version.db");
    auto store = Store::open(db);
    auto reader = store->open_reader();
    const auto v1 = reader->data_version();
    QCOMPARE(reader->data_version(), v1); // nothing committed: unchanged

    // Another connection of this process commits.
    store->put_flow_run(make_flow_run("flow", "one", states::pending()), EventKind::FlowRunCreated);
    store->flush();
    const auto v2 = reader->data_version();
    QVERIFY(v2 != v1);
    QCOMPARE(reader->data_version(), v2);

    // Another process commits.
    auto other = start_writer(db, 1, "other");
    QVERIFY(wait_ready(*other));
    other->write("go\n");
    QVERIFY(other->waitForFinished(30000));
    QCOMPARE(other->exitCode(), 0);
    const auto v3 = reader->data_version();
    QVERIFY(v3 != v2);
    QCOMPARE(reader->task_runs("run-other").size(), size_t(1));
}

void TestChangeFeed::concurrentFirstOpen() {
    // Several processes create and migrate one new file at the same moment: each sees either no
    // schema or all of it, never "tables but no version" (which would read as a foreign file).
    const std::string db = path("first-open.db");
    std::vector<std::unique_ptr<QProcess>> writers;
    for (const char* tag : {"p", "q", "r", "s"})
        writers.push_back(start_writer(db, 5, tag));
    for (auto& w : writers)
        QVERIFY(wait_ready(*w));
    for (auto& w : writers)
        w->write("go\n");
    for (auto& w : writers) {
        QVERIFY(w->waitForFinished(30000));
        QCOMPARE(w->exitCode(), 0);
    }
    auto store = Store::open(db);
    QCOMPARE(store->read([](Reader& r) { return r.count_flow_runs({}); }), std::int64_t(4));
}

int main(int argc, char** argv) {
    if (argc > 1 && std::strcmp(argv[1], "--writer") == 0) return writer_main(argc, argv);
    QCoreApplication app(argc, argv);
    TestChangeFeed test;
    QTEST_SET_MAIN_SOURCE_PATH
    return QTest::qExec(&test, argc, argv);
}

#include "tst_changefeed.moc"
