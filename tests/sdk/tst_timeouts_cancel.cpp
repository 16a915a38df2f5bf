// Timeouts and cancellation: a task run past its timeout ends FAILED "TimedOut" at the deadline and
// its token tells a cooperative function to return; a person's cancel of a running flow run stops
// pending task runs from starting, tells running ones, and ends the run CANCELLED.
#include "sdktest.hpp"

#include <QTest>

#include <atomic>
#include <future>
#include <thread>

using namespace sdktest;
using namespace std::chrono_literals;

namespace {

std::string g_flow_run_id;

double seconds_between(const weft::State& a, const weft::State& b) {
    return weft::to_seconds(b.timestamp - a.timestamp);
}

const weft::State* find_state(const std::vector<weft::State>& states, const char* name) {
    for (const auto& s : states)
        if (s.name == name) return &s;
    return nullptr;
}

} // namespace

class TestTimeoutsCancel : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void initTestCase() { QVERIFY(use_fresh_database(m_dir)); }
    void outsideRunsNothingIsCancelled();
    void cooperativeTaskTimesOut();
    void timeoutIsRecordedAtTheDeadline();
    void timedOutAttemptIsRetried();
    void cancellingRunningFlow();
    void cancelWakesRetryWait();
    void flowTimeout_data();
    void flowTimeout();
    void flowTimeoutIgnoresClockSteps();
    void heartbeatsGoOnWhenClockStepsBack();

private:
    QTemporaryDir m_dir;
};

void TestTimeoutsCancel::outsideRunsNothingIsCancelled() {
    QVERIFY(!weft::cancelled());
    QVERIFY(!weft::cancellation_token().cancelled());
    weft::check_cancelled(); // does not throw
    // A token's copies share its flag.
    weft::CancellationToken token;
    const weft::CancellationToken copy = token;
    token.cancel();
    QVERIFY(copy.cancelled());
}

void TestTimeoutsCancel::cooperativeTaskTimesOut() {
    std::atomic<bool> saw_cancel{false};
    auto slow = weft::task("slow", [&] {
                    saw_cancel = work_until_cancelled();
                    return 1;
                }).timeout(0.2);
    weft::State caught;
    auto f = weft::flow("times_out", [&] {
        g_flow_run_id = weft::current_flow_run_id();
        try {
            slow();
        } catch (const weft::TaskRunFailed& e) {
            caught = e.state;
        }
    });
    f();
    QVERIFY(saw_cancel.load());
    QCOMPARE(caught.type, weft::StateType::Failed);
    QCOMPARE(qs(caught.name), QStringLiteral("TimedOut"));

    const auto run = task_runs(g_flow_run_id, "slow").at(0);
    QCOMPARE(run.state.type, weft::StateType::Failed);
    QCOMPARE(qs(run.state.name), QStringLiteral("TimedOut"));
    QVERIFY2(run.state.message.find("timeout") != std::string::npos, run.state.message.c_str());
    QVERIFY(!run.has_result); // what the function returned after its deadline is not a result
    QCOMPARE(history_names(run.id),
             QStringList({QStringLiteral("PENDING/Pending"), QStringLiteral("RUNNING/Running"),
                          QStringLiteral("FAILED/TimedOut")}));
    const auto states = history(run.id);
    const double took = seconds_between(states[1], states[2]);
    QVERIFY2(took >= 0.2 && took < 1.0, qPrintable(QString::number(took)));
}

void TestTimeoutsCancel::timeoutIsRecordedAtTheDeadline() {
    // The function ignores its token and goes on for a while; the state does not wait for it.
    Gate never;
    std::atomic<bool> returned{false};
    auto stubborn = weft::task("stubborn", [&] {
                        never.wait(900ms);
                        returned = true;
                    }).timeout(0.1);
    auto f = weft::flow("stubborn_flow", [&] {
        g_flow_run_id = weft::current_flow_run_id();
        stubborn();
    });
    QVERIFY_THROWS_EXCEPTION(weft::FlowRunFailed, f());
    QVERIFY(returned.load()); // the call returned only after the function did
    const auto run = task_runs(g_flow_run_id, "stubborn").at(0);
    QCOMPARE(qs(run.state.name), QStringLiteral("TimedOut"));
    const auto states = history(run.id);
    const double took = seconds_between(states.at(1), states.at(2));
    QVERIFY2(took >= 0.1 && took < 0.7, qPrintable(QString::number(took)));
}

void TestTimeoutsCancel::timedOutAttemptIsRetried() {
    std::atomic<int> calls{0};
    std::vector<bool> timed_out_seen;
    auto t = weft::task("hangs_once",
                        [&] {
                            if (++calls == 1) work_until_cancelled();
                            return calls.load();
                        })
                 .timeout(0.1)
                 .retries(1)
                 .retry_if([&](const weft::Failure& f) {
                     timed_out_seen.push_back(f.timed_out);
                     return true;
                 });
    auto f = weft::flow("retries_timeout", [&] {
        g_flow_run_id = weft::current_flow_run_id();
        return t();
    });
    QCOMPARE(f(), 2);
    QCOMPARE(timed_out_seen, std::vector<bool>{true});
    const auto run = task_runs(g_flow_run_id, "hangs_once").at(0);
    QCOMPARE(run.state.type, weft::StateType::Completed);
    QCOMPARE(run.run_count, 2);
    QCOMPARE(
        history_names(run.id),
        QStringList({QStringLiteral("PENDING/Pending"), QStringLiteral("RUNNING/Running"),
                     QStringLiteral("SCHEDULED/AwaitingRetry"), QStringLiteral("RUNNING/Retrying"),
                     QStringLiteral("COMPLETED/Completed")}));
}

void TestTimeoutsCancel::cancellingRunningFlow() {
    Gate started_a, started_b;
    std::atomic<bool> a_saw{false}, flow_saw{false};
    std::atomic<int> b_checks{0}, downstream_calls{0}, after_calls{0};
    auto wait_a = weft::task("wait_a", [&] {
        started_a.open();
        a_saw = work_until_cancelled();
        return 1;
    });
    auto wait_b = weft::task("wait_b", [&] {
        started_b.open();
        for (int i = 0; i < 4000; ++i) {
            ++b_checks;
            weft::check_cancelled(); // throws weft::Cancelled once asked to stop
            std::this_thread::sleep_for(5ms);
        }
    });
    auto downstream = weft::task("downstream", [&](int v) {
        ++downstream_calls;
        return v;
    });
    auto after = weft::task("after", [&] { ++after_calls; });

    std::promise<std::string> id_promise;
    auto id_future = id_promise.get_future();
    auto f = weft::flow("cancellable", [&] {
        id_promise.set_value(weft::current_flow_run_id());
        auto a = wait_a.submit();
        auto b = wait_b.submit();
        auto d = downstream.submit(a);
        a.result();
        flow_saw = weft::cancelled();
        after(); // throws weft::Cancelled: the run is being cancelled
        return d.result();
    });

    Background bg([&] { f(); });
    QCOMPARE(id_future.wait_for(20s), std::future_status::ready);
    const std::string id = id_future.get();
    QVERIFY(started_a.wait());
    QVERIFY(started_b.wait());
    QCOMPARE(flow_run(id).state.type, weft::StateType::Running);

    const weft::Outcome outcome = weft::detail::engine().cancel_flow_run(id, "maintenance window");
    QCOMPARE(outcome.decision, weft::Decision::Accept);
    QCOMPARE(outcome.state->type, weft::StateType::Cancelling); // its program still runs it
    bg.join();

    QVERIFY(!bg.other_error());
    QVERIFY(bg.failed());
    QCOMPARE(bg.failed()->type, weft::StateType::Cancelled);
    const auto run = flow_run(id);
    QCOMPARE(run.state.type, weft::StateType::Cancelled);
    // The person's reason is the final state's, not only the CANCELLING entry's.
    QCOMPARE(QString::fromStdString(run.state.message), QStringLiteral("maintenance window"));
    QCOMPARE(history_names(id),
             QStringList({QStringLiteral("PENDING/Pending"), QStringLiteral("RUNNING/Running"),
                          QStringLiteral("CANCELLING/Cancelling"),
                          QStringLiteral("CANCELLED/Cancelled")}));

    // Running task runs were told.
    QVERIFY(a_saw.load());
    QVERIFY(flow_saw.load());
    QVERIFY(b_checks.load() < 4000);
    const auto b = task_runs(id, "wait_b").at(0);
    QCOMPARE(b.state.type, weft::StateType::Cancelled);
    QVERIFY(ran(b.id));
    QVERIFY(ran(task_runs(id, "wait_a").at(0).id));
    // Pending ones never started.
    QCOMPARE(downstream_calls.load(), 0);
    QCOMPARE(after_calls.load(), 0);
    for (const char* key : {"downstream", "after"}) {
        const auto t = task_runs(id, key).at(0);
        QCOMPARE(t.state.type, weft::StateType::Cancelled);
        QVERIFY2(!ran(t.id), key);
        QCOMPARE(t.run_count, 0);
    }

    // A finished run cannot be cancelled again.
    QCOMPARE(weft::detail::engine().cancel_flow_run(id).decision, weft::Decision::Abort);
}

void TestTimeoutsCancel::cancelWakesRetryWait() {
    // A task run waiting 30 s for its retry is cancelled at once, without another attempt.
    std::atomic<int> calls{0};
    auto t = weft::task("retry_later",
                        [&] {
                            ++calls;
                            throw std::runtime_error("try later");
                        })
                 .retries(1)
                 .retry_delays({30});
    std::promise<std::string> id_promise;
    auto id_future = id_promise.get_future();
    auto f = weft::flow("waits_to_retry", [&] {
        id_promise.set_value(weft::current_flow_run_id());
        t();
    });
    Background bg([&] { f(); });
    QCOMPARE(id_future.wait_for(20s), std::future_status::ready);
    const std::string id = id_future.get();
    auto task_state = [&] {
        const auto runs = task_runs(id, "retry_later");
        return runs.empty() ? QString() : qs(runs.front().state.name);
    };
    QTRY_COMPARE_WITH_TIMEOUT(task_state(), QStringLiteral("AwaitingRetry"), 10000);

    const auto asked = std::chrono::steady_clock::now();
    QCOMPARE(weft::detail::engine().cancel_flow_run(id).decision, weft::Decision::Accept);
    bg.join();
    QVERIFY(std::chrono::steady_clock::now() - asked < 5s);
    QVERIFY(bg.failed());
    QCOMPARE(bg.failed()->type, weft::StateType::Cancelled);
    QCOMPARE(calls.load(), 1);
    const auto run = task_runs(id, "retry_later").at(0);
    QCOMPARE(run.state.type, weft::StateType::Cancelled);
    QCOMPARE(run.run_count, 1);
    QCOMPARE(history_names(run.id),
             QStringList({QStringLiteral("PENDING/Pending"), QStringLiteral("RUNNING/Running"),
                          QStringLiteral("SCHEDULED/AwaitingRetry"),
                          QStringLiteral("CANCELLED/Cancelled")}));
    QCOMPARE(flow_run(id).state.type, weft::StateType::Cancelled);
}

void TestTimeoutsCancel::flowTimeout_data() {
    QTest::addColumn<bool>("task_throws");
    QTest::addRow("task returns when told") << false;
    QTest::addRow("task throws when told") << true;
}

void TestTimeoutsCancel::flowTimeout() {
    QFETCH(bool, task_throws);
    std::atomic<bool> told{false};
    auto long_task = weft::task("long_task", [&] {
        told = work_until_cancelled();
        if (task_throws) weft::check_cancelled();
        return 1;
    });
    auto f = weft::flow("slow_flow", [&] {
                 g_flow_run_id = weft::current_flow_run_id();
                 return long_task();
             }).timeout(0.3);
    weft::State final_state;
    try {
        f();
        QFAIL("the flow run completed past its timeout");
    } catch (const weft::FlowRunFailed& e) {
        final_state = e.state;
    }
    QVERIFY(told.load());
    QCOMPARE(final_state.type, weft::StateType::Failed);
    QCOMPARE(qs(final_state.name), QStringLiteral("TimedOut"));
    const auto run = flow_run(g_flow_run_id);
    QCOMPARE(run.state.type, weft::StateType::Failed);
    QCOMPARE(qs(run.state.name), QStringLiteral("TimedOut"));
    const auto states = history(run.id);
    const auto* running = find_state(states, "Running");
    QVERIFY(running);
    const double took = seconds_between(*running, states.back());
    QVERIFY2(took >= 0.3 && took < 2.0, qPrintable(QString::number(took)));
}

void TestTimeoutsCancel::flowTimeoutIgnoresClockSteps() {
    // A flow run's deadline is kept on the monotonic clock: the system clock set forward an hour
    // does not time the run out (it did, at the watcher's next look).
    bool told = true;
    auto f = weft::flow("clock_jump_flow", [&] {
                 g_flow_run_id = weft::current_flow_run_id();
                 ClockStep forward(weft::from_seconds(3600));
                 // The watcher looks every 200 ms: a second gives it five chances to go wrong.
                 told = work_until_cancelled(1s);
                 return 1;
             }).timeout(30);
    try {
        QCOMPARE(f(), 1);
    } catch (const weft::FlowRunFailed& e) {
        QFAIL(("the flow run ended " + e.state.name + ": " + e.state.message).c_str());
    }
    QVERIFY(!told);
    QCOMPARE(flow_run(g_flow_run_id).state.type, weft::StateType::Completed);
}

void TestTimeoutsCancel::heartbeatsGoOnWhenClockStepsBack() {
    // Heartbeats are spaced on the monotonic clock: with the system clock set back an hour they
    // still come every 5 s (they stopped for the hour, and a watcher on another host would have
    // taken the run for crashed).
    const auto real_now = [] {
        return weft::Micros(std::chrono::duration_cast<std::chrono::microseconds>(
                                std::chrono::system_clock::now().time_since_epoch())
                                .count());
    };
    bool beat = false;
    auto f = weft::flow("heartbeat_flow", [&] {
        const std::string id = weft::current_flow_run_id();
        ClockStep back(-weft::from_seconds(3600));
        // A beat written after the step carries the stepped clock's time.
        beat = QTest::qWaitFor(
            [&] {
                weft::detail::flush();
                const auto hb = flow_run(id).process.heartbeat;
                return hb > 0 && hb < real_now() - weft::from_seconds(1800);
            },
            12000);
    });
    f();
    QVERIFY(beat);
}

QTEST_GUILESS_MAIN(TestTimeoutsCancel)
#include "tst_timeouts_cancel.moc"
