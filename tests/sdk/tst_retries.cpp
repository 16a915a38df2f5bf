// Retries: attempts of a failing task run as states (AwaitingRetry, Retrying), delays chosen from
// a list or an exponential backoff with jitter, a retry condition, and retries of whole flow runs.
#include "sdktest.hpp"

#include <QTest>

#include <atomic>
#include <future>
#include <stdexcept>

using namespace sdktest;

namespace {

std::string g_flow_run_id;

// Fails its first `failures` calls, then returns the number of calls.
struct Flaky {
    std::atomic<int> calls{0};
    int failures = 0;
    int operator()() {
        const int n = ++calls;
        if (n <= failures) throw std::runtime_error("attempt " + std::to_string(n) + " failed");
        return n;
    }
};

QStringList names(std::initializer_list<const char*> list) {
    QStringList out;
    for (const char* s : list)
        out << QString::fromLatin1(s);
    return out;
}

} // namespace

class TestRetries : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void initTestCase() { QVERIFY(use_fresh_database(m_dir)); }
    void retriesUntilCompleted_data();
    void retriesUntilCompleted();
    void retriesSpentEndFailed();
    void retryDelayPolicy_data();
    void retryDelayPolicy();
    void jitterStaysInRange();
    void delaysAreScheduledAndWaited_data();
    void delaysAreScheduledAndWaited();
    void retryConditionStopsRetrying();
    void flowRetries();
    void retryWaitIgnoresClockSteps_data();
    void retryWaitIgnoresClockSteps();

private:
    QTemporaryDir m_dir;
};

void TestRetries::retriesUntilCompleted_data() {
    QTest::addColumn<int>("retries");
    QTest::addColumn<int>("failures");
    QTest::addRow("no failure") << 2 << 0;
    QTest::addRow("one failure") << 2 << 1;
    QTest::addRow("two failures, two retries") << 2 << 2;
    QTest::addRow("three failures, five retries") << 5 << 3;
}

void TestRetries::retriesUntilCompleted() {
    QFETCH(int, retries);
    QFETCH(int, failures);
    Flaky flaky;
    flaky.failures = failures;
    auto t = weft::task("flaky", [&] { return flaky(); }).retries(retries);
    auto f = weft::flow("retrying", [&] {
        g_flow_run_id = weft::current_flow_run_id();
        return t();
    });
    QCOMPARE(f(), failures + 1);
    QCOMPARE(flaky.calls.load(), failures + 1);

    const auto run = task_runs(g_flow_run_id, "flaky").at(0);
    QCOMPARE(run.state.type, weft::StateType::Completed);
    QCOMPARE(run.run_count, failures + 1);
    QCOMPARE(run.max_retries, retries);
    QStringList expected = names({"PENDING/Pending", "RUNNING/Running"});
    for (int i = 0; i < failures; ++i)
        expected << QStringLiteral("SCHEDULED/AwaitingRetry") << QStringLiteral("RUNNING/Retrying");
    expected << QStringLiteral("COMPLETED/Completed");
    QCOMPARE(history_names(run.id), expected);
    // Each AwaitingRetry says which retry it is and why.
    int retry = 0;
    for (const auto& s : history(run.id)) {
        if (s.name != "AwaitingRetry") continue;
        ++retry;
        QVERIFY2(s.message.find("Retry " + std::to_string(retry) + " of " + std::to_string(retries))
                     != std::string::npos,
                 s.message.c_str());
        QVERIFY2(s.message.find("attempt " + std::to_string(retry) + " failed")
                     != std::string::npos,
                 s.message.c_str());
        QVERIFY(s.scheduled_time());
    }
    QCOMPARE(flow_run(g_flow_run_id).state.type, weft::StateType::Completed);
}

void TestRetries::retriesSpentEndFailed() {
    Flaky flaky;
    flaky.failures = 100;
    auto t = weft::task("hopeless", [&] { return flaky(); }).retries(2);
    auto f = weft::flow("hopeless_flow", [&] {
        g_flow_run_id = weft::current_flow_run_id();
        return t();
    });
    QVERIFY_THROWS_EXCEPTION(weft::FlowRunFailed, f());
    QCOMPARE(flaky.calls.load(), 3);
    const auto run = task_runs(g_flow_run_id, "hopeless").at(0);
    QCOMPARE(run.state.type, weft::StateType::Failed);
    QCOMPARE(qs(run.state.message), QStringLiteral("attempt 3 failed"));
    QCOMPARE(run.run_count, 3);
    QCOMPARE(
        history_names(run.id),
        names({"PENDING/Pending", "RUNNING/Running", "SCHEDULED/AwaitingRetry", "RUNNING/Retrying",
               "SCHEDULED/AwaitingRetry", "RUNNING/Retrying", "FAILED/Failed"}));
}

void TestRetries::retryDelayPolicy_data() {
    QTest::addColumn<std::vector<double>>("delays");
    QTest::addColumn<double>("base"); // backoff base; 0 = no backoff
    QTest::addColumn<double>("factor");
    QTest::addColumn<double>("max");
    QTest::addColumn<int>("retry");
    QTest::addColumn<double>("expected");

    const std::vector<double> none;
    const std::vector<double> list{1, 5, 30};
    QTest::addRow("no policy") << none << 0.0 << 0.0 << 0.0 << 1 << 0.0;
    QTest::addRow("list first") << list << 0.0 << 0.0 << 0.0 << 1 << 1.0;
    QTest::addRow("list second") << list << 0.0 << 0.0 << 0.0 << 2 << 5.0;
    QTest::addRow("list third") << list << 0.0 << 0.0 << 0.0 << 3 << 30.0;
    QTest::addRow("list last repeats") << list << 0.0 << 0.0 << 0.0 << 7 << 30.0;
    QTest::addRow("list beats backoff") << list << 2.0 << 3.0 << 600.0 << 2 << 5.0;
    QTest::addRow("backoff first") << none << 2.0 << 3.0 << 600.0 << 1 << 2.0;
    QTest::addRow("backoff third") << none << 2.0 << 3.0 << 600.0 << 3 << 18.0;
    QTest::addRow("backoff capped") << none << 2.0 << 3.0 << 50.0 << 5 << 50.0;
    QTest::addRow("backoff factor 1") << none << 0.5 << 1.0 << 600.0 << 9 << 0.5;
}

void TestRetries::retryDelayPolicy() {
    QFETCH(std::vector<double>, delays);
    QFETCH(double, base);
    QFETCH(double, factor);
    QFETCH(double, max);
    QFETCH(int, retry);
    QFETCH(double, expected);
    auto t = weft::task("policy", [] {}).retry_delays(delays);
    if (base > 0) t = t.retry_backoff(base, factor, max);
    QCOMPARE(t.options().retry_delay(retry), expected);
}

void TestRetries::jitterStaysInRange() {
    weft::TaskOptions o;
    o.retry_delays_s = {10};
    o.retry_jitter_factor = 0.5;
    double lo = 1e9, hi = -1e9;
    for (int i = 0; i < 2000; ++i) {
        const double d = o.retry_delay(1);
        QVERIFY2(d >= 5 && d <= 15, qPrintable(QString::number(d)));
        lo = std::min(lo, d);
        hi = std::max(hi, d);
    }
    QVERIFY2(hi - lo > 5, "jitter does not spread the delays"); // 2000 draws over ±5 s
    // No delay stays no delay.
    o.retry_delays_s = {0};
    QCOMPARE(o.retry_delay(1), 0.0);
    // The chained setter sets it.
    auto t = weft::task("jittery", [] {}).retry_backoff(1).retry_jitter(0.25);
    QCOMPARE(t.options().retry_jitter_factor, 0.25);
}

void TestRetries::delaysAreScheduledAndWaited_data() {
    QTest::addColumn<bool>("backoff");
    QTest::addColumn<double>("first");
    QTest::addColumn<double>("second");
    QTest::addRow("list") << false << 0.05 << 0.15;
    QTest::addRow("backoff") << true << 0.04 << 0.12;
}

void TestRetries::delaysAreScheduledAndWaited() {
    QFETCH(bool, backoff);
    QFETCH(double, first);
    QFETCH(double, second);
    Flaky flaky;
    flaky.failures = 2;
    auto t = weft::task("delayed", [&] { return flaky(); }).retries(2);
    t = backoff ? t.retry_backoff(first, second / first) : t.retry_delays({first, second});
    auto f = weft::flow("delayed_flow", [&] {
        g_flow_run_id = weft::current_flow_run_id();
        return t();
    });
    QCOMPARE(f(), 3);
    const auto states = history(task_runs(g_flow_run_id, "delayed").at(0).id);
    QCOMPARE(states.size(), size_t(7));
    const double wanted[] = {first, second};
    for (int i = 0; i < 2; ++i) {
        const weft::State& awaiting = states[size_t(2 + 2 * i)];
        const weft::State& retrying = states[size_t(3 + 2 * i)];
        QCOMPARE(qs(awaiting.name), QStringLiteral("AwaitingRetry"));
        const auto at = awaiting.scheduled_time();
        QVERIFY(at);
        const double scheduled = weft::to_seconds(*at - awaiting.timestamp);
        QVERIFY2(std::abs(scheduled - wanted[i]) < 0.005, qPrintable(QString::number(scheduled)));
        // The next attempt did not start before its time.
        QCOMPARE(qs(retrying.name), QStringLiteral("Retrying"));
        QVERIFY(retrying.timestamp >= *at);
    }
}

void TestRetries::retryConditionStopsRetrying() {
    std::atomic<int> calls{0};
    std::vector<int> attempts_seen;
    bool errors_carried = true;
    auto t = weft::task("picky",
                        [&] {
                            const int n = ++calls;
                            throw std::runtime_error(n == 1 ? "transient" : "fatal");
                        })
                 .retries(5)
                 .retry_if([&](const weft::Failure& f) {
                     attempts_seen.push_back(f.attempt);
                     errors_carried = errors_carried && f.error != nullptr && !f.timed_out;
                     return f.message != "fatal";
                 });
    auto f = weft::flow("picky_flow", [&] {
        g_flow_run_id = weft::current_flow_run_id();
        t();
    });
    QVERIFY_THROWS_EXCEPTION(weft::FlowRunFailed, f());
    QCOMPARE(calls.load(), 2);
    QCOMPARE(attempts_seen, (std::vector<int>{1, 2}));
    QVERIFY(errors_carried);
    const auto run = task_runs(g_flow_run_id, "picky").at(0);
    QCOMPARE(run.state.type, weft::StateType::Failed);
    QCOMPARE(qs(run.state.message), QStringLiteral("fatal"));
    QCOMPARE(run.run_count, 2);
    QCOMPARE(history_names(run.id),
             names({"PENDING/Pending", "RUNNING/Running", "SCHEDULED/AwaitingRetry",
                    "RUNNING/Retrying", "FAILED/Failed"}));
}

void TestRetries::flowRetries() {
    // The body fails on its first attempt after one task completed; the second attempt reuses
    // that task run instead of running it again.
    std::atomic<int> step_calls{0};
    std::atomic<int> body_calls{0};
    auto step = weft::task("step", [&] { return ++step_calls * 10; });
    auto f = weft::flow("retried_flow",
                        [&] {
                            g_flow_run_id = weft::current_flow_run_id();
                            const int v = step();
                            if (++body_calls == 1) throw std::runtime_error("first attempt fails");
                            return v;
                        })
                 .retries(2)
                 .retry_delay(0.01);
    QCOMPARE(f(), 10);
    QCOMPARE(body_calls.load(), 2);
    QCOMPARE(step_calls.load(), 1);

    const auto run = flow_run(g_flow_run_id);
    QCOMPARE(run.state.type, weft::StateType::Completed);
    QCOMPARE(run.run_count, 2);
    QCOMPARE(run.max_retries, 2);
    QCOMPARE(history_names(run.id),
             names({"PENDING/Pending", "RUNNING/Running", "SCHEDULED/AwaitingRetry",
                    "RUNNING/Retrying", "COMPLETED/Completed"}));
    const auto steps = task_runs(run.id, "step");
    QCOMPARE(steps.size(), size_t(1));
    QCOMPARE(steps[0].run_count, 1);

    // Flow retries spent: FAILED after 1 + retries attempts.
    body_calls = 0;
    auto g = weft::flow("always_fails", [&]() -> int {
                 g_flow_run_id = weft::current_flow_run_id();
                 ++body_calls;
                 throw std::runtime_error("never works");
             }).retries(1);
    QVERIFY_THROWS_EXCEPTION(weft::FlowRunFailed, g());
    QCOMPARE(body_calls.load(), 2);
    const auto failed = flow_run(g_flow_run_id);
    QCOMPARE(failed.state.type, weft::StateType::Failed);
    QCOMPARE(failed.run_count, 2);
    QCOMPARE(qs(failed.state.message), QStringLiteral("never works"));
}

void TestRetries::retryWaitIgnoresClockSteps_data() {
    QTest::addColumn<bool>("flow_level");
    QTest::addRow("task run retry") << false;
    QTest::addRow("flow run retry") << true;
}

void TestRetries::retryWaitIgnoresClockSteps() {
    // A retry delay is waited on the monotonic clock: the system clock set back an hour during
    // the wait neither stretches it nor hangs the run (it did: the run waited until the wall
    // clock reached the stored scheduled time again).
    QFETCH(bool, flow_level);
    Flaky flaky;
    flaky.failures = 1;
    auto t = weft::task("stepped_task", [&] { return flaky(); }).retries(1).retry_delays({1.0});
    std::promise<std::string> id_promise;
    auto id_future = id_promise.get_future();
    std::atomic<bool> id_sent{false};
    auto f = weft::flow("stepped_flow", [&] {
        if (!id_sent.exchange(true)) id_promise.set_value(weft::current_flow_run_id());
        return flow_level ? flaky() : t();
    });
    if (flow_level) f = f.retries(1).retry_delay(1.0);
    std::atomic<bool> done{false};
    Background bg([&] {
        f();
        done = true;
    });
    QCOMPARE(id_future.wait_for(std::chrono::seconds(20)), std::future_status::ready);
    const std::string id = id_future.get();
    auto state_name = [&] {
        if (flow_level) return qs(flow_run(id).state.name);
        const auto runs = task_runs(id, "stepped_task");
        return runs.empty() ? QString() : qs(runs.front().state.name);
    };
    QTRY_COMPARE_WITH_TIMEOUT(state_name(), QStringLiteral("AwaitingRetry"), 10000);
    bool in_time = false;
    {
        ClockStep back(-weft::from_seconds(3600));
        in_time = QTest::qWaitFor([&] { return done.load(); }, 5000);
    } // the real clock again: a run still waiting for the wall clock goes on now
    bg.join();
    QVERIFY2(in_time, "the retry waited for the wall clock");
    QVERIFY(!bg.failed());
    QVERIFY(!bg.other_error());
    QCOMPARE(flaky.calls.load(), 2);
}

QTEST_GUILESS_MAIN(TestRetries)
#include "tst_retries.moc"
