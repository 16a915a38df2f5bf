// The engine over a store: people's state changes through the rules, cancelling, crash detection
// of runs whose process is gone, and id look-up.
#include "enginetest.hpp"
#include "weft/engine.hpp"

#include <QProcess>
#include <QRegularExpression>
#include <QTemporaryDir>
#include <QTest>

#include <unistd.h>

using namespace weft;
using namespace enginetest;

namespace {

ProcessInfo no_process() {
    return {};
}

// A process of this host that certainly existed and is gone now: /bin/true, started and reaped.
ProcessInfo dead_process(Micros heartbeat) {
    QProcess gone;
    gone.start(QStringLiteral("/bin/true"));
    gone.waitForStarted();
    const std::int64_t pid = gone.processId();
    gone.waitForFinished();
    return ProcessInfo{this_process().host, pid, 0, heartbeat};
}

} // namespace

class TestEngine : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void init();
    void userMarksThroughTheRules();
    void liveRunRefusesMarksButCancels();
    void cancelWithoutProcessIsImmediate();
    void finishedRunOfALiveProcessCanBeMarked();
    void claimIsExclusive();
    void claimCompletedOnlyWhenAsked();
    void stopFlowRunEndsItsTaskRuns();
    void programProposalsUseStoredFacts();
    void taskRunStates();
    void unknownIds();
    void deleteFlowRun();
    void processAlive_data();
    void processAlive();
    void crashDetection();
    void crashEndsAtLastSignOfLife();
    void resolvePrefixes_data();
    void resolvePrefixes();

private:
    // A flow run stored as given, with `process` recorded as the one running it.
    FlowRunRecord add_run(StateType type, const ProcessInfo& process, const char* name = "run") {
        FlowRunRecord run = make_flow_run("flow", name, make_state(type));
        run.process = process;
        if (type == StateType::Running) {
            run.run_count = 1;
            run.start_time = run.state.timestamp;
        }
        m_engine->store().put_flow_run(run, EventKind::FlowRunCreated);
        m_engine->store().flush();
        return run;
    }
    FlowRunRecord stored(const std::string& id) {
        return m_engine->store()
            .read([&](Reader& r) { return r.flow_run(id); })
            .value_or(FlowRunRecord{});
    }
    TaskRunRecord stored_task(const std::string& id) {
        return m_engine->store()
            .read([&](Reader& r) { return r.task_run(id); })
            .value_or(TaskRunRecord{});
    }
    size_t history_size(const std::string& id) {
        return m_engine->store().read([&](Reader& r) { return r.state_history(id).size(); });
    }

    std::unique_ptr<QTemporaryDir> m_dir;
    std::shared_ptr<Engine> m_engine;
};

void TestEngine::init() {
    m_dir = std::make_unique<QTemporaryDir>();
    QVERIFY(m_dir->isValid());
    m_engine = Engine::open((m_dir->path() + QStringLiteral("/weft.db")).toStdString());
}

void TestEngine::userMarksThroughTheRules() {
    const FlowRunRecord run = add_run(StateType::Failed, no_process());
    auto t =
        m_engine->set_flow_run_state(run.id, {states::completed("fixed by hand"), Origin::User});
    QCOMPARE(t.outcome.decision, Decision::Accept);
    QVERIFY(t.run);
    QCOMPARE(qs(t.run->state.name), QStringLiteral("Completed"));
    FlowRunRecord got = stored(run.id);
    QCOMPARE(qs(got.state.name), QStringLiteral("Completed"));
    QCOMPARE(qs(got.state.message), QStringLiteral("fixed by hand"));
    QCOMPARE(got.end_time, std::optional(got.state.timestamp));
    QCOMPARE(history_size(run.id), size_t(2));

    // Only the program puts a run to work: refused, and nothing is written.
    t = m_engine->set_flow_run_state(run.id, {states::running(), Origin::User});
    QCOMPARE(t.outcome.decision, Decision::Abort);
    QVERIFY(!t.outcome.reason.empty());
    QCOMPARE(qs(stored(run.id).state.name), QStringLiteral("Completed"));
    QCOMPARE(history_size(run.id), size_t(2));

    // Unless forced.
    t = m_engine->set_flow_run_state(run.id, {states::running(), Origin::User, true});
    QCOMPARE(t.outcome.decision, Decision::Accept);
    got = stored(run.id);
    QCOMPARE(qs(got.state.name), QStringLiteral("Running"));
    QCOMPARE(got.run_count, 1);
    QVERIFY(!got.end_time); // resumed
}

void TestEngine::liveRunRefusesMarksButCancels() {
    const FlowRunRecord run = add_run(StateType::Running, this_process());
    auto t = m_engine->set_flow_run_state(run.id, {states::failed("no"), Origin::User});
    QCOMPARE(t.outcome.decision, Decision::Abort);
    QCOMPARE(qs(stored(run.id).state.name), QStringLiteral("Running"));

    const Outcome o = m_engine->cancel_flow_run(run.id);
    QCOMPARE(o.decision, Decision::Accept);
    const FlowRunRecord got = stored(run.id);
    QCOMPARE(qs(got.state.name), QStringLiteral("Cancelling")); // the program is asked to stop
    QCOMPARE(qs(got.state.message), QStringLiteral("Cancelled by a user."));
}

void TestEngine::cancelWithoutProcessIsImmediate() {
    for (StateType type : {StateType::Running, StateType::Scheduled, StateType::Paused}) {
        const FlowRunRecord run = add_run(type, no_process());
        const Outcome o = m_engine->cancel_flow_run(run.id, "not needed any more");
        QCOMPARE(o.decision, Decision::Reject);
        const FlowRunRecord got = stored(run.id);
        QCOMPARE(qs(got.state.name), QStringLiteral("Cancelled"));
        QCOMPARE(qs(got.state.message), QStringLiteral("not needed any more"));
        QVERIFY(got.end_time);
        QCOMPARE(history_size(run.id), size_t(2));
    }
    // A finished run is not cancelled again.
    const FlowRunRecord done = add_run(StateType::Completed, no_process());
    QCOMPARE(m_engine->cancel_flow_run(done.id).decision, Decision::Abort);
    QCOMPARE(qs(stored(done.id).state.name), QStringLiteral("Completed"));
}

void TestEngine::finishedRunOfALiveProcessCanBeMarked() {
    // A long-lived process (Studio's demo, a program running several flows) finished this run;
    // it is not "still running it", so people may mark it.
    const FlowRunRecord run = add_run(StateType::Completed, this_process());
    auto t = m_engine->set_flow_run_state(run.id, {states::failed("bad data"), Origin::User});
    QCOMPARE(t.outcome.decision, Decision::Accept);
    QCOMPARE(qs(stored(run.id).state.name), QStringLiteral("Failed"));
    // Scheduling it would leave it waiting for nothing: no deployment or worker runs it.
    t = m_engine->set_flow_run_state(run.id, {states::awaiting_retry(now_us()), Origin::User});
    QCOMPARE(t.outcome.decision, Decision::Abort);
    QCOMPARE(qs(stored(run.id).state.name), QStringLiteral("Failed"));
    QVERIFY(stored(run.id).end_time);
}

void TestEngine::claimIsExclusive() {
    // Two programs resume the same failed run: one transaction each, only the first gets it.
    const FlowRunRecord run = add_run(StateType::Failed, no_process());
    const ProcessInfo first{"host-a", 101, 7, now_us()};
    const ProcessInfo second{"host-b", 202, 9, now_us()};
    const LaunchInfo launch{"/opt/flows/etl", "/srv/etl"};

    auto t = m_engine->claim_flow_run(run.id, first, launch, false, "taken over");
    QCOMPARE(t.outcome.decision, Decision::Accept);
    FlowRunRecord got = stored(run.id);
    QCOMPARE(got.state.type, StateType::Pending);
    QCOMPARE(qs(got.state.message), QStringLiteral("taken over"));
    QCOMPARE(got.process.pid, first.pid);
    QCOMPARE(qs(got.process.host), QStringLiteral("host-a"));
    QCOMPARE(qs(got.launch.program), QStringLiteral("/opt/flows/etl"));
    QVERIFY(!got.end_time);

    t = m_engine->claim_flow_run(run.id, second, launch, true);
    QCOMPARE(t.outcome.decision, Decision::Abort);
    QVERIFY(!t.outcome.reason.empty());
    QCOMPARE(t.run->process.pid, first.pid); // the refusal says who has it
    got = stored(run.id);
    QCOMPARE(got.process.pid, first.pid);
    QCOMPARE(history_size(run.id), size_t(2)); // FAILED, PENDING: nothing of the loser

    // Once the winner runs it, a late claim is refused as well.
    QCOMPARE(m_engine->set_flow_run_state(run.id, {states::retrying(), Origin::Program})
                 .outcome.decision,
             Decision::Accept);
    QCOMPARE(m_engine->claim_flow_run(run.id, second, launch, false).outcome.decision,
             Decision::Abort);
    QCOMPARE(stored(run.id).process.pid, first.pid);

    QVERIFY_THROWS_EXCEPTION(LookupError, m_engine->claim_flow_run("nope", first, launch, false));
}

void TestEngine::claimCompletedOnlyWhenAsked() {
    const FlowRunRecord run = add_run(StateType::Completed, no_process());
    const ProcessInfo p{"host-a", 101, 7, now_us()};
    auto t = m_engine->claim_flow_run(run.id, p, {}, false);
    QCOMPARE(t.outcome.decision, Decision::Abort);
    QCOMPARE(stored(run.id).state.type, StateType::Completed);
    t = m_engine->claim_flow_run(run.id, p, {}, true, "Runs again from task run x.");
    QCOMPARE(t.outcome.decision, Decision::Accept);
    QCOMPARE(stored(run.id).state.type, StateType::Pending);
    QVERIFY(!stored(run.id).end_time);
}

void TestEngine::stopFlowRunEndsItsTaskRuns() {
    const FlowRunRecord run = add_run(StateType::Running, this_process());
    TaskRunRecord running = make_task_run(run.id, "a", 0, states::running());
    TaskRunRecord pending = make_task_run(run.id, "b", 0, states::pending());
    TaskRunRecord done = make_task_run(run.id, "c", 0, states::completed());
    for (auto* t : {&running, &pending, &done})
        m_engine->store().put_task_run(*t, EventKind::TaskRunCreated);

    const Outcome o = m_engine->stop_flow_run(run.id, states::cancelled("got SIGTERM"));
    QCOMPARE(o.decision, Decision::Accept);
    const FlowRunRecord got = stored(run.id);
    QCOMPARE(got.state.type, StateType::Cancelled);
    QCOMPARE(qs(got.state.message), QStringLiteral("got SIGTERM"));
    QVERIFY(got.end_time);
    QCOMPARE(stored_task(running.id).state.type, StateType::Cancelled);
    QVERIFY(stored_task(running.id).end_time);
    QCOMPARE(stored_task(pending.id).state.type, StateType::Cancelled);
    QCOMPARE(stored_task(done.id).state.type, StateType::Completed);

    // A run that already ended stays as it ended, with its task runs.
    const Outcome again = m_engine->stop_flow_run(run.id, states::cancelled("again"));
    QCOMPARE(again.decision, Decision::Abort);
    QCOMPARE(qs(stored(run.id).state.message), QStringLiteral("got SIGTERM"));
}

void TestEngine::programProposalsUseStoredFacts() {
    FlowRunRecord run = make_flow_run("flow", "retried", states::running());
    run.run_count = 1;
    run.max_retries = 2;
    run.retry_delay_s = 10;
    run.process = this_process();
    m_engine->store().put_flow_run(run, EventKind::FlowRunCreated);
    const Micros before = now_us();
    auto t = m_engine->set_flow_run_state(run.id, {states::failed("boom"), Origin::Program});
    QCOMPARE(t.outcome.decision, Decision::Reject);
    const FlowRunRecord got = stored(run.id);
    QCOMPARE(qs(got.state.name), QStringLiteral("AwaitingRetry"));
    const Micros at = got.state.scheduled_time().value_or(0);
    QVERIFY(at >= before + 10'000'000 && at <= now_us() + 10'000'000);
    QVERIFY(!got.end_time); // not over: it will run again

    // The scheduled time is in the future: RUNNING must wait, and nothing is written.
    t = m_engine->set_flow_run_state(run.id, {states::running(), Origin::Program});
    QCOMPARE(t.outcome.decision, Decision::Wait);
    QVERIFY(t.outcome.delay_s > 9 && t.outcome.delay_s <= 10);
    QCOMPARE(qs(stored(run.id).state.name), QStringLiteral("AwaitingRetry"));

    // The caller may adjust the facts: here the clock, so the retry is due.
    t = m_engine->set_flow_run_state(run.id, {states::running(), Origin::Program},
                                     [](RunFacts& f) { f.now += 11'000'000; });
    QCOMPARE(t.outcome.decision, Decision::Accept);
    QCOMPARE(qs(stored(run.id).state.name), QStringLiteral("Retrying"));
    QCOMPARE(stored(run.id).run_count, 2);
    // And here the task's retry condition, which says this failure is final.
    t = m_engine->set_flow_run_state(run.id, {states::failed("again"), Origin::Program},
                                     [](RunFacts& f) { f.retry_condition = false; });
    QCOMPARE(t.outcome.decision, Decision::Accept);
    QCOMPARE(qs(stored(run.id).state.name), QStringLiteral("Failed"));
}

void TestEngine::taskRunStates() {
    const FlowRunRecord live = add_run(StateType::Running, this_process(), "live");
    TaskRunRecord task = make_task_run(live.id, "load", 0, states::running());
    task.run_count = 1;
    m_engine->store().put_task_run(task, EventKind::TaskRunCreated);
    m_engine->store()
        .transact<std::string>([&](Txn& txn) {
            txn.set_concurrency_limit("db", 1);
            return txn.acquire_slots({"db"}, task.id, live.id);
        })
        .get();

    auto t = m_engine->set_task_run_state(task.id, {states::completed(), Origin::User});
    QCOMPARE(t.outcome.decision, Decision::Abort); // its flow run's program is running it
    QCOMPARE(qs(stored_task(task.id).state.name), QStringLiteral("Running"));

    t = m_engine->set_task_run_state(task.id, {states::completed(), Origin::Program});
    QCOMPARE(t.outcome.decision, Decision::Accept);
    QCOMPARE(qs(stored_task(task.id).state.name), QStringLiteral("Completed"));
    const auto limits = m_engine->store().read([](Reader& r) { return r.concurrency_limits(); });
    QCOMPARE(limits.at(0).active, 0); // a finished task run gives its slot back

    // Without a live program, people may mark task runs.
    const FlowRunRecord dead = add_run(StateType::Failed, no_process(), "dead");
    TaskRunRecord orphan = make_task_run(dead.id, "load", 0, states::failed("x"));
    m_engine->store().put_task_run(orphan, EventKind::TaskRunCreated);
    t = m_engine->set_task_run_state(orphan.id, {states::completed(), Origin::User});
    QCOMPARE(t.outcome.decision, Decision::Accept);
    QCOMPARE(qs(stored_task(orphan.id).state.name), QStringLiteral("Completed"));
}

void TestEngine::unknownIds() {
    const Proposal p{states::completed(), Origin::User};
    QVERIFY_THROWS_EXCEPTION(LookupError, m_engine->set_flow_run_state("no-such-run", p));
    QVERIFY_THROWS_EXCEPTION(LookupError, m_engine->set_task_run_state("no-such-run", p));
    QVERIFY_THROWS_EXCEPTION(LookupError, m_engine->cancel_flow_run("no-such-run"));
    QVERIFY_THROWS_EXCEPTION(LookupError, m_engine->delete_flow_run("no-such-run"));
    try {
        m_engine->set_flow_run_state("no-such-run", p);
    } catch (const LookupError& e) {
        QVERIFY2(std::string(e.what()).find("no-such-run") != std::string::npos, e.what());
    }
}

void TestEngine::deleteFlowRun() {
    const FlowRunRecord run = add_run(StateType::Completed, no_process());
    m_engine->delete_flow_run(run.id);
    QVERIFY(!m_engine->store().read([&](Reader& r) { return r.flow_run(run.id); }));
}

void TestEngine::processAlive_data() {
    QTest::addColumn<ProcessInfo>("process");
    QTest::addColumn<bool>("alive");
    const ProcessInfo me = this_process();
    const Micros now = now_us();
    QTest::addRow("none recorded") << ProcessInfo{} << false;
    QTest::addRow("this process") << me << true;
    ProcessInfo reused = me;
    reused.start_ticks += 1; // same pid, started at another time: pid reuse
    QTest::addRow("pid reused by another process") << reused << (me.start_ticks == 0);
    QTest::addRow("pid beyond pid_max") << ProcessInfo{me.host, 1 << 30, 0, now} << false;
    QTest::addRow("other host, fresh heartbeat")
        << ProcessInfo{"elsewhere", 123, 0, now - 5'000'000} << true;
    QTest::addRow("other host, stale heartbeat")
        << ProcessInfo{"elsewhere", 123, 0, now - 600'000'000} << false;
}

void TestEngine::processAlive() {
    QFETCH(ProcessInfo, process);
    QFETCH(bool, alive);
    QCOMPARE(weft::process_alive(process, now_us()), alive);
}

void TestEngine::crashDetection() {
    // A pid that certainly existed and is gone now: /bin/true, started and reaped.
    QProcess gone;
    gone.start(QStringLiteral("/bin/true"));
    QVERIFY(gone.waitForStarted());
    const std::int64_t pid = gone.processId();
    QVERIFY(pid > 0);
    QVERIFY(gone.waitForFinished());
    const Micros now = now_us();
    const ProcessInfo dead{this_process().host, pid, 0, now - 1'000'000};
    QVERIFY(!weft::process_alive(dead, now));
    ProcessInfo reused = this_process();
    reused.start_ticks += 1;

    const std::string db = (m_dir->path() + QStringLiteral("/crash.db")).toStdString();
    std::vector<std::string> crash, keep;
    TaskRunRecord t_running, t_pending, t_done;
    {
        auto store = Store::open(db);
        auto add = [&](StateType type, const ProcessInfo& p, std::vector<std::string>& into) {
            FlowRunRecord run = make_flow_run("flow", "run", make_state(type));
            run.process = p;
            store->put_flow_run(run, EventKind::FlowRunCreated);
            into.push_back(run.id);
            return run;
        };
        const FlowRunRecord main = add(StateType::Running, dead, crash);
        add(StateType::Pending, dead, crash);
        add(StateType::Cancelling, dead, crash);
        add(StateType::Running, ProcessInfo{"elsewhere", 7, 0, now - 600'000'000}, crash);
        if (this_process().start_ticks != 0) add(StateType::Running, reused, crash);
        // Waiting for a flow-level retry in a program that is gone: nobody would ever run it.
        FlowRunRecord awaiting =
            make_flow_run("flow", "run", states::awaiting_retry(now + 3'600'000'000));
        awaiting.process = dead;
        store->put_flow_run(awaiting, EventKind::FlowRunCreated);
        crash.push_back(awaiting.id);
        add(StateType::Scheduled, no_process(), keep); // not started by any program
        add(StateType::Completed, dead, keep);         // over already
        add(StateType::Running, no_process(), keep);   // nothing recorded to check
        add(StateType::Running, this_process(), keep);
        add(StateType::Running, ProcessInfo{"elsewhere", 7, 0, now}, keep);
        t_running = make_task_run(main.id, "a", 0, states::running());
        t_pending = make_task_run(main.id, "b", 0, states::pending());
        t_done = make_task_run(main.id, "c", 0, states::completed());
        for (auto* t : {&t_running, &t_pending, &t_done})
            store->put_task_run(*t, EventKind::TaskRunCreated);
        store
            ->transact<std::string>([&](Txn& txn) {
                txn.set_concurrency_limit("db", 5);
                return txn.acquire_slots({"db"}, t_running.id, main.id);
            })
            .get();
    }

    m_engine = Engine::open(db); // detects crashes as it opens
    for (const auto& id : crash) {
        const FlowRunRecord got = stored(id);
        QCOMPARE(qs(got.state.name), QStringLiteral("Crashed"));
        QVERIFY(got.end_time);
        QCOMPARE(history_size(id), size_t(2));
    }
    for (const auto& id : keep)
        QCOMPARE(history_size(id), size_t(1));
    const FlowRunRecord main = stored(crash.front());
    QVERIFY2(main.state.message.find("pid " + std::to_string(pid)) != std::string::npos,
             main.state.message.c_str());
    QCOMPARE(qs(stored_task(t_running.id).state.name), QStringLiteral("Crashed"));
    QVERIFY(stored_task(t_running.id).end_time);
    QCOMPARE(qs(stored_task(t_pending.id).state.name), QStringLiteral("Crashed"));
    QCOMPARE(qs(stored_task(t_done.id).state.name), QStringLiteral("Completed"));
    const auto limits = m_engine->store().read([](Reader& r) { return r.concurrency_limits(); });
    QCOMPARE(limits.at(0).active, 0);

    // Done once: another look finds nothing new, and a crashed run can be resumed.
    QCOMPARE(m_engine->detect_crashes(), 0);
    auto t = m_engine->set_flow_run_state(main.id, {states::running(), Origin::Program});
    QCOMPARE(t.outcome.decision, Decision::Accept);
}

void TestEngine::crashEndsAtLastSignOfLife() {
    // A program died three hours ago and nobody opened the database since: its run ended then,
    // at the newest heartbeat, state change or log line, not now.
    const Micros t0 = now_us() - 3 * 3'600'000'000LL;
    const Micros minute = 60'000'000;
    const std::string db = (m_dir->path() + QStringLiteral("/lastseen.db")).toStdString();
    FlowRunRecord by_log, by_heartbeat;
    TaskRunRecord task;
    {
        auto store = Store::open(db);
        auto add = [&](Micros heartbeat) {
            FlowRunRecord run = make_flow_run("flow", "run", state_at(StateType::Running, t0));
            run.run_count = 1;
            run.start_time = t0;
            run.process = dead_process(heartbeat);
            store->put_flow_run(run, EventKind::FlowRunCreated);
            return run;
        };
        by_log = add(t0 + 10 * minute);
        task = make_task_run(by_log.id, "a", 0, state_at(StateType::Running, t0 + 20 * minute));
        store->put_task_run(task, EventKind::TaskRunCreated);
        store->append_log(LogRecord{0, by_log.id, task.id, "weft", 20, t0 + 30 * minute, "last"});
        by_heartbeat = add(t0 + 40 * minute);
        store->flush();
    }
    m_engine = Engine::open(db);

    FlowRunRecord got = stored(by_log.id);
    QCOMPARE(got.state.type, StateType::Crashed);
    QCOMPARE(got.end_time, std::optional<Micros>(t0 + 30 * minute));
    QCOMPARE(got.state.timestamp, t0 + 30 * minute);
    QCOMPARE(got.total_run_time, 30 * minute);
    // The message names the process; its times are data (UTC), so readers show local time.
    QVERIFY2(!QRegularExpression(QStringLiteral("\\d{4}-\\d\\d-\\d\\dT"))
                  .match(qs(got.state.message))
                  .hasMatch(),
             got.state.message.c_str());
    QVERIFY2(qs(got.state.message).contains(u"is gone"), got.state.message.c_str());
    QCOMPARE(qs(got.state.details.value("last_seen_time", std::string())),
             qs(to_iso(t0 + 30 * minute)));
    QVERIFY(from_iso(got.state.details.value("detected_time", std::string())).value_or(0)
            >= t0 + 30 * minute);
    const TaskRunRecord t = stored_task(task.id);
    QCOMPARE(t.state.type, StateType::Crashed);
    QCOMPARE(t.end_time, std::optional<Micros>(t0 + 30 * minute));

    got = stored(by_heartbeat.id);
    QCOMPARE(got.state.type, StateType::Crashed);
    QCOMPARE(got.end_time, std::optional<Micros>(t0 + 40 * minute));
    QCOMPARE(got.total_run_time, 40 * minute);
}

void TestEngine::resolvePrefixes_data() {
    QTest::addColumn<QString>("prefix");
    QTest::addColumn<QString>("id");    // the resolved id, or empty when an error is expected
    QTest::addColumn<QString>("error"); // part of the LookupError's message
    const QString a = QStringLiteral("abc11111-0000-7000-8000-000000000001");
    QTest::addRow("unique prefix") << "abc1" << a << "";
    QTest::addRow("full id") << a << a << "";
    QTest::addRow("ambiguous") << "abc"
                               << ""
                               << "matches several";
    QTest::addRow("no match") << "fff"
                              << ""
                              << "fff";
    QTest::addRow("empty") << ""
                           << ""
                           << "no ";
    QTest::addRow("longer than any id") << a + u'0' << ""
                                        << "no ";
}

void TestEngine::resolvePrefixes() {
    QFETCH(QString, prefix);
    QFETCH(QString, id);
    QFETCH(QString, error);
    for (const char* stored_id :
         {"abc11111-0000-7000-8000-000000000001", "abc22222-0000-7000-8000-000000000002"}) {
        m_engine->store().put_flow_run(make_flow_run("flow", "r", states::pending(), stored_id),
                                       EventKind::FlowRunCreated);
        m_engine->store().put_task_run(make_task_run("fr", "t", 0, states::pending(), stored_id),
                                       EventKind::TaskRunCreated);
    }
    m_engine->store().flush();
    for (auto resolve : {&Engine::resolve_flow_run, &Engine::resolve_task_run}) {
        try {
            const std::string got = ((*m_engine).*resolve)(prefix.toStdString());
            QVERIFY2(!id.isEmpty(), got.c_str());
            QCOMPARE(qs(got), id);
        } catch (const LookupError& e) {
            QVERIFY2(id.isEmpty(), e.what());
            QVERIFY2(QString::fromUtf8(e.what()).contains(error), e.what());
        }
    }
}

QTEST_GUILESS_MAIN(TestEngine)
#include "tst_engine.moc"
