// Pause and resume: a paused flow run waits for a person's resume (with input validated against
// the fields it declared), a pause past its timeout fails the run, and a suspended run ends its
// program and goes on, with its completed task runs reused, when its program is started again.
#include "sdktest.hpp"

#include <QTest>
#include <atomic>

using namespace sdktest;
using namespace Qt::StringLiterals;

namespace {

std::atomic<int> g_prepare_calls{0};
std::atomic<int> g_publish_calls{0};
nlohmann::json g_received; // what the last pause returned (set on the flow's thread)

auto prepare = weft::task("prepare", [] {
    ++g_prepare_calls;
    return 41;
});
auto publish = weft::task("publish", [](int n) {
    ++g_publish_calls;
    return n + 1;
});

weft::RunInput approval() {
    weft::RunInput in;
    in.title = "Approval";
    in.fields = {{"approved", "boolean", nullptr, "Go ahead?"},
                 {"note", "string", "", "Why"},
                 {"copies", "integer", 1, ""}};
    return in;
}

auto paused_flow = weft::flow("paused_flow", [] {
    const int n = prepare();
    g_received = weft::pause_flow_run(60);
    return publish(n);
});

auto approval_flow = weft::flow("approval_flow", [] {
    const int n = prepare();
    g_received = weft::pause_flow_run(approval(), 60);
    return publish(n);
});

auto suspended_flow = weft::flow("suspended_flow", [] {
    const int n = prepare();
    g_received = weft::suspend_flow_run(approval(), 60);
    return publish(n);
});

auto pause_in_task_flow = weft::flow("pause_in_task_flow", [] {
    return weft::task("pauses", [] { return weft::pause_flow_run(5).is_null(); })();
});

weft::Engine& engine() {
    return weft::detail::engine();
}

// The newest run of `flow` once it is PAUSED (waited for, bounded, by QTRY in the caller).
#define WAIT_UNTIL_PAUSED(var, flow)                                                               \
    QTRY_COMPARE_WITH_TIMEOUT(latest_flow_run(flow).state.type, weft::StateType::Paused, 20000);   \
    const auto var = latest_flow_run(flow)

} // namespace

class TestPause : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void initTestCase() { QVERIFY(use_fresh_database(m_dir)); }
    void init() {
        g_prepare_calls = g_publish_calls = 0;
        g_received = "unset";
    }
    void pauseThenResume();
    void resumeWithInput();
    void badInputIsRefused_data();
    void badInputIsRefused();
    void pauseTimesOut();
    void suspendThenResume();
    void lateResumeOfSuspendedRunFails();
    void resumeOfRunThatIsNotPausedIsRefused();
    void cancelWhilePaused();
    void pauseOnlyFromTheFlowsCode();
    void crashDetectionLeavesSuspendedRunsAlone();
    void schemaOfTheFields();

private:
    QTemporaryDir m_dir;
};

void TestPause::pauseThenResume() {
    Background bg([] { paused_flow(); });
    WAIT_UNTIL_PAUSED(paused, "paused_flow");
    QCOMPARE(paused.state.name, std::string("Paused"));
    QVERIFY(weft::pause_timeout(paused.state));
    QVERIFY(!weft::is_suspended(paused.state));
    // Nothing runs while paused, and the run does not look crashed to another engine.
    QCOMPARE(g_publish_calls.load(), 0);
    QCOMPARE(engine().detect_crashes(), 0);

    const auto out = weft::resume_flow_run(engine(), paused.id);
    QVERIFY2(out.accepted, out.reason.c_str());
    QVERIFY(!out.start_program);
    bg.join();
    QVERIFY(!bg.failed() && !bg.other_error());
    const auto done = flow_run(paused.id);
    QCOMPARE(done.state.type, weft::StateType::Completed);
    QCOMPARE(js(done.result), QStringLiteral("42"));
    QVERIFY(g_received.is_null()); // no input was asked for
    QCOMPARE(done.run_count, 1);   // resuming goes on with the same attempt
    QCOMPARE(history_names(paused.id),
             (QStringList{u"PENDING/Pending"_s, u"RUNNING/Running"_s, u"PAUSED/Paused"_s,
                          u"RUNNING/Running"_s, u"COMPLETED/Completed"_s}));
}

void TestPause::resumeWithInput() {
    Background bg([] { approval_flow(); });
    WAIT_UNTIL_PAUSED(paused, "approval_flow");
    QCOMPARE(js(weft::paused_input_schema(engine(), paused.id)), js(approval().schema()));

    const auto out = weft::resume_flow_run(engine(), paused.id,
                                           nlohmann::json{{"approved", true}, {"copies", 3}});
    QVERIFY2(out.accepted, out.reason.c_str());
    bg.join();
    QCOMPARE(flow_run(paused.id).state.type, weft::StateType::Completed);
    // Validated, with the default of the field left out.
    QCOMPARE(js(g_received), QStringLiteral(R"({"approved":true,"copies":3,"note":""})"));
}

void TestPause::badInputIsRefused_data() {
    QTest::addColumn<QString>("input");
    QTest::addColumn<QString>("says");
    QTest::addRow("wrong type") << uR"({"approved": "yes"})"_s << u"approved: expected a boolean"_s;
    QTest::addRow("required field missing")
        << uR"({"note": "ok"})"_s << u"approved: field required"_s;
    QTest::addRow("no input") << u""_s << u"approved: field required"_s;
    QTest::addRow("unknown field")
        << uR"({"approved": true, "aproved": true})"_s << u"aproved: not a field of this input"_s;
    QTest::addRow("a number for an integer")
        << uR"({"approved": true, "copies": 1.5})"_s << u"copies: expected an integer"_s;
    QTest::addRow("not an object") << u"[true]"_s << u"must be a JSON object"_s;
}

void TestPause::badInputIsRefused() {
    QFETCH(QString, input);
    QFETCH(QString, says);
    Background bg([] { approval_flow(); });
    WAIT_UNTIL_PAUSED(paused, "approval_flow");

    std::optional<nlohmann::json> given;
    if (!input.isEmpty()) given = nlohmann::json::parse(input.toStdString());
    const auto refused = weft::resume_flow_run(engine(), paused.id, given);
    QVERIFY(!refused.accepted);
    QVERIFY2(qs(refused.reason).contains(says), refused.reason.c_str());
    const auto still = flow_run(paused.id);
    QCOMPARE(still.state.type, weft::StateType::Paused); // the run stays paused
    QCOMPARE(still.state.id, paused.state.id);
    QCOMPARE(g_publish_calls.load(), 0);

    // A good input afterwards still resumes it.
    QVERIFY(
        weft::resume_flow_run(engine(), paused.id, nlohmann::json{{"approved", false}}).accepted);
    bg.join();
    QCOMPARE(flow_run(paused.id).state.type, weft::StateType::Completed);
    QCOMPARE(g_received.value("approved", true), false);
}

void TestPause::pauseTimesOut() {
    Background bg([] { paused_flow(); });
    WAIT_UNTIL_PAUSED(paused, "paused_flow");
    {
        ClockStep later(weft::from_seconds(61)); // past the 60 s pause without waiting for it
        bg.join();
    }
    QVERIFY(bg.failed());
    const auto failed = flow_run(paused.id);
    QCOMPARE(failed.state.type, weft::StateType::Failed);
    QVERIFY2(qs(failed.state.message).contains(QStringLiteral("pause timed out after 60 s")),
             failed.state.message.c_str());
    QCOMPARE(g_publish_calls.load(), 0);
    // No retry: a timed-out pause is not a failing attempt.
    QCOMPARE(failed.run_count, 1);
    const auto late = weft::resume_flow_run(engine(), paused.id);
    QVERIFY(!late.accepted);
    QVERIFY2(qs(late.reason).contains(QStringLiteral("only a PAUSED flow run")),
             late.reason.c_str());
}

void TestPause::suspendThenResume() {
    // The flow suspends: the call returns (as the program would exit), the run stays Suspended.
    QVERIFY_THROWS_EXCEPTION(weft::FlowRunFailed, suspended_flow());
    const auto suspended = latest_flow_run("suspended_flow");
    QCOMPARE(suspended.state.type, weft::StateType::Paused);
    QCOMPARE(suspended.state.name, std::string("Suspended"));
    QVERIFY(weft::is_suspended(suspended.state));
    QCOMPARE(g_prepare_calls.load(), 1);
    QCOMPARE(g_publish_calls.load(), 0);
    QCOMPARE(engine().detect_crashes(), 0);

    // `PROGRAM resume` before the run was resumed is refused by the claim's rules.
    const weft::FlowEntry entry = suspended_flow;

    const auto out =
        weft::resume_flow_run(engine(), suspended.id, nlohmann::json{{"approved", true}});
    QVERIFY2(out.accepted, out.reason.c_str());
    QVERIFY(out.start_program);
    const auto resuming = flow_run(suspended.id);
    QVERIFY(weft::is_resuming(resuming.state));
    QCOMPARE(resuming.process.pid, 0); // nothing runs it until its program starts again
    QCOMPARE(engine().detect_crashes(), 0);

    // As `PROGRAM resume ID` does: the same run, the completed task run reused, the pause returns.
    const auto done =
        entry.run(nlohmann::json::object(), weft::detail::FlowStart{.resume_run_id = suspended.id});
    QCOMPARE(done.state.type, weft::StateType::Completed);
    QCOMPARE(js(done.result), QStringLiteral("42"));
    QCOMPARE(g_prepare_calls.load(), 1); // reused, not run again
    QCOMPARE(g_publish_calls.load(), 1);
    QCOMPARE(g_received.value("approved", false), true);
    QCOMPARE(task_runs(suspended.id, "prepare").size(), size_t(1));
    QCOMPARE(history_names(suspended.id),
             (QStringList{u"PENDING/Pending"_s, u"RUNNING/Running"_s, u"PAUSED/Suspended"_s,
                          u"SCHEDULED/Resuming"_s, u"PENDING/Pending"_s, u"RUNNING/Running"_s,
                          u"COMPLETED/Completed"_s}));
}

void TestPause::lateResumeOfSuspendedRunFails() {
    QVERIFY_THROWS_EXCEPTION(weft::FlowRunFailed, suspended_flow());
    const auto suspended = latest_flow_run("suspended_flow");
    QVERIFY(weft::is_suspended(suspended.state));
    ClockStep later(weft::from_seconds(120));
    const auto out =
        weft::resume_flow_run(engine(), suspended.id, nlohmann::json{{"approved", true}});
    QVERIFY(!out.accepted);
    QVERIFY2(qs(out.reason).contains(QStringLiteral("pause timed out")), out.reason.c_str());
    const auto failed = flow_run(suspended.id);
    QCOMPARE(failed.state.type, weft::StateType::Failed);
    QVERIFY2(qs(failed.state.message).contains(QStringLiteral("can no longer be resumed")),
             failed.state.message.c_str());
}

void TestPause::resumeOfRunThatIsNotPausedIsRefused() {
    auto completed = weft::flow("plain_flow", [] { return 1; }).run_json({});
    QCOMPARE(completed.state.type, weft::StateType::Completed);
    const auto out = weft::resume_flow_run(engine(), completed.id);
    QVERIFY(!out.accepted);
    QVERIFY2(qs(out.reason)
                 .contains(QStringLiteral("only a PAUSED flow run can be resumed; this "
                                          "one is COMPLETED")),
             out.reason.c_str());
    QCOMPARE(flow_run(completed.id).state.id, completed.state.id);
    QVERIFY_THROWS_EXCEPTION(weft::LookupError, weft::resume_flow_run(engine(), weft::new_id()));
}

void TestPause::cancelWhilePaused() {
    Background bg([] { paused_flow(); });
    WAIT_UNTIL_PAUSED(paused, "paused_flow");
    const auto outcome = engine().cancel_flow_run(paused.id);
    QVERIFY2(outcome.accepted(), outcome.reason.c_str());
    bg.join();
    QCOMPARE(flow_run(paused.id).state.type, weft::StateType::Cancelled);
    QCOMPARE(g_publish_calls.load(), 0);
}

void TestPause::pauseOnlyFromTheFlowsCode() {
    QVERIFY_THROWS_EXCEPTION(std::logic_error, weft::pause_flow_run(5));
    QVERIFY_THROWS_EXCEPTION(weft::FlowRunFailed, pause_in_task_flow());
    const auto run = latest_flow_run("pause_in_task_flow");
    QCOMPARE(run.state.type, weft::StateType::Failed);
}

void TestPause::crashDetectionLeavesSuspendedRunsAlone() {
    // Two paused runs whose program is gone: the waiting one crashed, the suspended one did not.
    auto make = [](bool suspended) {
        weft::FlowRunRecord run;
        run.id = weft::new_id();
        run.flow_id = weft::new_id();
        run.flow_name = "gone";
        run.name = "gone-run";
        run.state = weft::make_state(weft::StateType::Paused, suspended ? "Suspended" : "Paused");
        run.state.details = {{"pause_reschedule", suspended}, {"pause_key", "0"}};
        run.created = run.updated = run.expected_start_time = run.state.timestamp;
        run.process = {"this-host-is-not-here", 4242, 0, weft::now_us() - 3'600'000'000};
        store().put_flow_run(run, weft::EventKind::FlowRunCreated);
        return run.id;
    };
    const auto waiting = make(false);
    const auto suspended = make(true);
    store().flush();
    QCOMPARE(engine().detect_crashes(), 1);
    QCOMPARE(flow_run(waiting).state.type, weft::StateType::Crashed);
    QCOMPARE(flow_run(suspended).state.type, weft::StateType::Paused);
}

void TestPause::schemaOfTheFields() {
    const auto s = approval().schema();
    QCOMPARE(js(s["required"]), QStringLiteral(R"(["approved"])"));
    QCOMPARE(js(s["properties"]["copies"]),
             QStringLiteral(R"({"default":1,"title":"copies","type":"integer"})"));
    weft::RunInput bad;
    bad.fields = {{"when", "date", nullptr, ""}};
    QVERIFY_THROWS_EXCEPTION(std::invalid_argument, bad.schema());
}

QTEST_GUILESS_MAIN(TestPause)
#include "tst_pause.moc"
