// The store when the file system or the file fails it: a full disk (simulated with SQLite's
// max_page_count, which makes writes fail with SQLITE_FULL as a full disk does), a damaged page,
// and a write-ahead log that must stay bounded and be removed when the last connection closes.
#include "enginetest.hpp"
#include "sqlite/sqlite_access.hpp" // the store's own connections, for raw SQL
#include "weft/engine.hpp"
#include "weft/store.hpp"
#include "weft/weft.hpp"

#include <QFile>
#include <QTemporaryDir>
#include <QTest>

#include <SQLiteCpp/SQLiteCpp.h>

#include <atomic>
#include <filesystem>

using namespace weft;
using namespace enginetest;

namespace {

// Makes every write that needs more than `spare` new pages fail with SQLITE_FULL, as a full disk
// does.
void fill_disk(Store& store, int spare = 0) {
    store
        .transact<void>([spare](Txn& txn) {
            auto& db = sqlite::database(txn);
            const auto pages = db.execAndGet("PRAGMA page_count").getInt64();
            db.execAndGet("PRAGMA max_page_count=" + std::to_string(pages + spare));
        })
        .get();
}

std::string big_text(char c) {
    return std::string(3000, c);
}

// Task-run events whose task run does not exist: what a half-committed group leaves behind.
int orphan_task_events(const std::string& path) {
    SQLite::Database db(path, SQLite::OPEN_READONLY);
    return db
        .execAndGet("SELECT count(*) FROM events e WHERE e.kind IN (3, 4) AND NOT EXISTS "
                    "(SELECT 1 FROM task_runs t WHERE t.id = e.run_id)")
        .getInt();
}

std::int64_t file_size(const std::string& path) {
    std::error_code ec;
    const auto size = std::filesystem::file_size(path, ec);
    return ec ? -1 : std::int64_t(size);
}

} // namespace

class TestStoreFaults : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void initTestCase() { QVERIFY(m_dir.isValid()); }
    void diskFullLosesTheGroupAndStopsWriting();
    void damagedPageNamesTheFileAndStopsWriting();
    void walStaysBoundedWhileReadersHoldIt();
    void lastConnectionRemovesTheLog();
    void diskFullEndsTheFlowRunFailed(); // last: it leaves the SDK's runtime on a failed store

private:
    std::string path(const char* name) { return (m_dir.path() + u'/' + qs(name)).toStdString(); }

    QTemporaryDir m_dir;
};

void TestStoreFaults::diskFullLosesTheGroupAndStopsWriting() {
    const std::string db = path("full.db");
    auto store = Store::open(db);
    FlowRunRecord run = make_flow_run("flow", "full", states::running());
    store->put_flow_run(run, EventKind::FlowRunCreated);
    store->flush();
    const auto events_before = store->read([](Reader& r) { return r.last_event_seq(); });

    fill_disk(*store);
    std::vector<TaskRunRecord> tasks;
    {
        WriterGate gate(*store); // one group: task runs, their events and logs that need pages
        for (int i = 0; i < 100; ++i) {
            tasks.push_back(make_task_run(run.id, "t", i, states::pending()));
            store->put_task_run(tasks.back(), EventKind::TaskRunCreated);
            store->append_log({0, run.id, tasks.back().id, "test", Info, now_us(), big_text('a')});
            enter_state(tasks.back(), states::running());
            store->update_task_run(TaskRunUpdate::of(tasks.back()));
        }
    }
    bool lost = false;
    try {
        store->flush();
    } catch (const StoreError& e) {
        lost = true;
        const std::string what = e.what();
        QVERIFY2(what.find("disk is full") != std::string::npos, e.what());
        QVERIFY2(what.find(db) != std::string::npos, e.what()); // names the file
    }
    QVERIFY(lost);

    // Small writes that would fit in the pages there are: never committed after a lost group.
    enter_state(tasks.front(), states::completed());
    store->update_task_run(TaskRunUpdate::of(tasks.front()));
    enter_state(run, states::completed());
    store->put_flow_run(run, EventKind::FlowRunState);
    QVERIFY_THROWS_EXCEPTION(StoreError, store->flush());

    QCOMPARE(orphan_task_events(db), 0);
    auto reader = store->open_reader();
    QCOMPARE(reader->last_event_seq(), events_before);
    QCOMPARE(reader->flow_run(run.id)->state.type, StateType::Running);
}

void TestStoreFaults::damagedPageNamesTheFileAndStopsWriting() {
    const std::string db = path("damaged.db");
    FlowRunRecord run = make_flow_run("flow", "damaged", states::running());
    {
        auto store = Store::open(db);
        store->put_flow_run(run, EventKind::FlowRunCreated);
        for (int i = 0; i < 300; ++i) // a page each: the file's middle holds log lines
            store->append_log({0, run.id, {}, "test", Info, now_us(), big_text('b')});
        store->flush();
    } // the last connection checkpoints everything into the file
    {
        QFile file(qs(db));
        QVERIFY(file.open(QIODevice::ReadWrite));
        const qint64 page = 4096, pages = file.size() / page;
        QVERIFY(pages > 200);
        QVERIFY(file.seek(pages / 2 * page));
        QVERIFY(file.write(QByteArray(int(page), char(0x5a))) == page);
    }

    auto store = Store::open(db);
    LogQuery all;
    all.limit = -1;
    try {
        store->read([&](Reader& r) { return r.logs(all); });
        QFAIL("reading a damaged page succeeded");
    } catch (const StoreError& e) {
        const std::string what = e.what();
        QVERIFY2(what.find(db) != std::string::npos, e.what());
        QVERIFY2(what.find("corrupt") != std::string::npos, e.what());
    } catch (const std::exception& e) {
        QFAIL(qPrintable(QStringLiteral("not a StoreError naming the file: ") + qs(e.what())));
    }
    // Nothing more is written into the damaged file.
    enter_state(run, states::completed());
    store->put_flow_run(run, EventKind::FlowRunState);
    QVERIFY_THROWS_EXCEPTION(StoreError, store->flush());
    QCOMPARE(store->open_reader()->flow_run(run.id)->state.type, StateType::Running);
}

void TestStoreFaults::walStaysBoundedWhileReadersHoldIt() {
    const std::string db = path("wal.db");
    const std::int64_t limit = 16 << 20;
    auto store = Store::open(db);
    FlowRunRecord run = make_flow_run("flow", "wal", states::running());
    store->put_flow_run(run, EventKind::FlowRunCreated);
    auto write = [&](int lines) {
        for (int i = 0; i < lines; ++i) {
            store->append_log({0, run.id, {}, "test", Info, now_us(), big_text('c')});
            if (i % 200 == 199) store->flush();
        }
        store->flush();
    };
    // A reader in the middle of a long read: no checkpoint can go past its snapshot, so the log
    // grows while it reads.
    auto reader = store->open_reader();
    sqlite::database(*reader).exec("BEGIN");
    QVERIFY(sqlite::database(*reader).execAndGet("SELECT count(*) FROM logs").getInt() >= 0);
    write(6000);
    QVERIFY(file_size(db + "-wal") > limit);
    sqlite::database(*reader).exec("COMMIT");

    // Once it has read, the next commits bring the log back within its bound.
    write(400);
    QVERIFY2(file_size(db + "-wal") <= limit,
             qPrintable(QString::number(file_size(db + "-wal") >> 20) + QStringLiteral(" MB")));
}

void TestStoreFaults::lastConnectionRemovesTheLog() {
    const std::string db = path("closed.db");
    auto store = Store::open(db);
    store->put_flow_run(make_flow_run("flow", "closed", states::running()),
                        EventKind::FlowRunCreated);
    store->flush();
    store->read([](Reader& r) { return r.flow_runs({}); });
    QVERIFY(file_size(db + "-wal") >= 0);
    store.reset();
    QCOMPARE(file_size(db + "-wal"), -1);
    QCOMPARE(file_size(db + "-shm"), -1);
}

void TestStoreFaults::diskFullEndsTheFlowRunFailed() {
    // The SDK's runtime on a disk that fills up while a flow runs: the first lost commit stops
    // the run's work, and the run ends FAILED with the reason, written in the room the lost group
    // left.
    const std::string db = path("sdk.db");
    qputenv("WEFT_LOGGING_LEVEL", "ERROR"); // the lines are long
    weft::detail::configure_database(db);
    Store& store = weft::detail::engine().store();
    // How many tasks started once the store had stopped writing: the run must stop at once, not
    // after whatever the writer had fallen behind by (thousands on a loaded machine).
    std::atomic<int> after_failure{0};
    auto work = weft::task("work", [&](int i) {
        if (!store.failure().empty()) ++after_failure;
        weft::log().info("{}", big_text('w'));
        return i;
    });
    std::string run_id;
    auto fills = weft::flow("fills_the_disk", [&] {
        run_id = weft::current_flow_run_id();
        weft::detail::flush(); // its creation and RUNNING state are committed
        fill_disk(store, 16);  // room for a few task runs, not for all
        for (int i = 0; i < 5000; ++i)
            work(i);
    });
    try {
        fills();
        QFAIL("the flow run did not fail");
    } catch (const weft::FlowRunFailed& e) {
        QCOMPARE(e.state.type, StateType::Failed);
        QVERIFY2(e.state.message.find("disk is full") != std::string::npos, e.what());
    }
    QVERIFY2(after_failure <= 1, qPrintable(QString::number(after_failure))); // one in flight
    const auto stored = store.open_reader()->flow_run(run_id);
    QVERIFY(stored);
    QCOMPARE(stored->state.type, StateType::Failed);
    QVERIFY2(stored->state.message.find("disk is full") != std::string::npos,
             stored->state.message.c_str());
    for (const auto& t : store.open_reader()->task_runs(run_id))
        QVERIFY(is_terminal(t.state.type));
    QCOMPARE(orphan_task_events(db), 0);
}

QTEST_GUILESS_MAIN(TestStoreFaults)
#include "tst_storefaults.moc"
