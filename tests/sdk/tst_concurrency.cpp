// Tag concurrency limits: task runs with a limited tag take a slot before running, wait while the
// limit is full, and give the slot back when they end, whether they completed or failed.
#include "sdktest.hpp"

#include <QTest>

#include <atomic>
#include <stdexcept>

using namespace sdktest;
using namespace std::chrono_literals;

namespace {

std::string g_flow_run_id;

// Counts how many calls run at once. Each call waits a little for company, so that calls that
// are allowed to overlap do.
struct Overlap {
    std::mutex mutex;
    std::condition_variable cv;
    int active = 0;
    int max_active = 0;
    int calls = 0;

    void enter(int expected_company, std::chrono::milliseconds patience) {
        std::unique_lock lock(mutex);
        ++calls;
        max_active = std::max(max_active, ++active);
        cv.notify_all();
        // Once the company met, every waiting call may go (active drops as they leave).
        cv.wait_for(lock, patience, [&] { return max_active >= expected_company; });
        --active;
    }
};

void set_limit(const std::string& tag, int limit) {
    store().transact<void>([&](weft::Txn& t) { t.set_concurrency_limit(tag, limit); }).get();
}

weft::ConcurrencyLimit limit_of(const std::string& tag) {
    for (const auto& l : store().read([](weft::Reader& r) { return r.concurrency_limits(); }))
        if (l.tag == tag) return l;
    return {};
}

} // namespace

class TestConcurrency : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void unlimitedTagsOverlap();
    void limitOfOneSerialises();
    void limitOfTwo();
    void failedRunsReleaseSlots();
    void cacheHitTakesNoSlot();
    void limitsReadAgainWhenClockStepsBack();

private:
    QTemporaryDir m_dir;
};

void TestConcurrency::initTestCase() {
    // Enough runner threads that a limit, not the pool, is what keeps runs apart.
    qputenv("WEFT_TASK_RUNNER_THREADS", "4");
    QVERIFY(use_fresh_database(m_dir));
    // Limits are read when a tagged task first runs (and every few seconds after): set them first.
    set_limit("db", 1);
    set_limit("api", 2);
    set_limit("flaky", 1);
    set_limit("lookup", 1);
}

void TestConcurrency::unlimitedTagsOverlap() {
    // The control: without a limit, the four calls meet.
    Overlap overlap;
    auto t = weft::task("free", [&](int) { overlap.enter(4, 10s); }).tags({"free"});
    auto f = weft::flow("free_flow", [&] { weft::wait_all(t.map(std::vector<int>{1, 2, 3, 4})); });
    f();
    QCOMPARE(overlap.calls, 4);
    QCOMPARE(overlap.max_active, 4);
}

void TestConcurrency::limitOfOneSerialises() {
    Overlap overlap;
    auto t = weft::task("query", [&](int x) {
                 overlap.enter(2, 50ms);
                 return x;
             }).tags({"db", "other"});
    auto f = weft::flow("db_flow", [&] {
        g_flow_run_id = weft::current_flow_run_id();
        int sum = 0;
        for (auto& fut : t.map(std::vector<int>{1, 2, 3, 4, 5}))
            sum += fut.result();
        return sum;
    });
    QCOMPARE(f(), 15);
    QCOMPARE(overlap.calls, 5);
    QCOMPARE(overlap.max_active, 1);

    // The stored runs agree: completed, each with the tag, no two RUNNING at once.
    auto runs = task_runs(g_flow_run_id, "query");
    QCOMPARE(runs.size(), size_t(5));
    std::sort(runs.begin(), runs.end(),
              [](const auto& a, const auto& b) { return *a.start_time < *b.start_time; });
    for (size_t i = 0; i < runs.size(); ++i) {
        QCOMPARE(runs[i].state.type, weft::StateType::Completed);
        QCOMPARE(runs[i].tags, (std::vector<std::string>{"db", "other"}));
        if (i > 0) QVERIFY(*runs[i].start_time >= *runs[i - 1].end_time);
    }
    QCOMPARE(limit_of("db").limit, 1);
    QCOMPARE(limit_of("db").active, 0); // every slot given back
}

void TestConcurrency::limitOfTwo() {
    Overlap overlap;
    auto t = weft::task("call_api", [&](int) { overlap.enter(3, 50ms); }).tags({"api"});
    auto f = weft::flow("api_flow", [&] {
        weft::wait_all(t.map(std::vector<int>{1, 2, 3, 4, 5, 6}));
    });
    f();
    QCOMPARE(overlap.calls, 6);
    QVERIFY(overlap.max_active <= 2);
    QCOMPARE(limit_of("api").active, 0);
}

void TestConcurrency::failedRunsReleaseSlots() {
    std::atomic<int> calls{0};
    auto bad = weft::task("bad_query", [&](int x) -> int {
                   ++calls;
                   throw std::runtime_error("query " + std::to_string(x) + " failed");
               }).tags({"flaky"});
    auto good = weft::task("good_query", [&](int x) { return x; }).tags({"flaky"});
    auto f = weft::flow("flaky_flow", [&] {
        g_flow_run_id = weft::current_flow_run_id();
        int failures = 0;
        for (auto& fut : bad.map(std::vector<int>{1, 2, 3})) {
            try {
                fut.result();
            } catch (const weft::TaskRunFailed&) {
                ++failures;
            }
        }
        return failures + good(10);
    });
    QCOMPARE(f(), 13);
    QCOMPARE(calls.load(), 3);
    QCOMPARE(limit_of("flaky").active, 0);
    for (const auto& r : task_runs(g_flow_run_id, "bad_query"))
        QCOMPARE(r.state.type, weft::StateType::Failed);
}

void TestConcurrency::cacheHitTakesNoSlot() {
    // The cache is checked before a slot is taken: a cached call completes while another run
    // holds the tag's only slot.
    std::atomic<int> calls{0};
    auto lookup = weft::task("lookup",
                             [&](int x) {
                                 ++calls;
                                 return x * 2;
                             })
                      .tags({"lookup"})
                      .cache(weft::CachePolicy::inputs());
    Gate holding, may_end;
    std::atomic<bool> holder_ended{false};
    auto holder = weft::task("slot_holder", [&] {
                      holding.open();
                      may_end.wait(5s); // bounded: a lookup that waits for the slot fails below
                      holder_ended = true;
                  }).tags({"lookup"});
    auto fill = weft::flow("fill_cache", [&] { return lookup(3); });
    QCOMPARE(fill(), 6);

    int value = 0;
    bool ended_before_hit = true;
    auto f = weft::flow("cached_while_full", [&] {
        auto held = holder.submit();
        holding.wait();
        value = lookup(3);
        ended_before_hit = holder_ended.load();
        may_end.open();
        held.result();
    });
    f();
    QCOMPARE(value, 6);
    QCOMPARE(calls.load(), 1);
    QVERIFY2(!ended_before_hit, "the cached call waited for the slot");
}

void TestConcurrency::limitsReadAgainWhenClockStepsBack() {
    // Limits are read again every 2 s by the monotonic clock: with the system clock set back an
    // hour, a limit set meanwhile applies within seconds (it was ignored for the hour).
    std::atomic<bool> held{false};
    auto probe = weft::task("probe", [&] { held = limit_of("late").active == 1; }).tags({"late"});
    auto f = weft::flow("late_limit_flow", [&] { probe(); });
    ClockStep back(-weft::from_seconds(3600));
    set_limit("late", 1);
    QVERIFY(QTest::qWaitFor(
        [&] {
            f();
            return held.load();
        },
        8000));
    QCOMPARE(limit_of("late").active, 0);
}

QTEST_GUILESS_MAIN(TestConcurrency)
#include "tst_concurrency.moc"
