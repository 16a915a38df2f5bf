// The orchestration rules as a table: (current state, proposal, facts) → decision and state.
#include "enginetest.hpp"
#include "weft/rules.hpp"

#include <QTest>

#include <optional>

using namespace weft;
using enginetest::qs;

namespace {

const Micros kNow = *from_iso("2026-03-01T12:00:00Z");

struct RuleCase {
    RunFacts facts;
    Proposal proposal;
    Decision decision = Decision::Accept;
    std::optional<StateType> type; // of the outcome's state; empty = no state expected
    std::string name;
    std::string reason;                   // substring of the outcome's reason
    std::string message;                  // substring of the outcome state's message
    std::optional<double> scheduled_in_s; // outcome state's scheduled_time - now
    std::optional<double> wait_s;         // WAIT: the delay
    bool same_state = false;              // ACCEPT of the proposal itself (same id)
    bool is_cached = false;               // REJECT into the cached state given as a fact
};

} // namespace

Q_DECLARE_METATYPE(RuleCase)

namespace {

// Builds one row of the table; expect…() adds it.
class Row {
public:
    explicit Row(const char* label)
        : m_label(label) {
        c.facts.now = kNow;
        c.facts.kind = RunKind::Task;
    }
    Row& from(StateType t, std::string name = {}, std::string message = {}) {
        c.facts.current = make_state(t, std::move(name), std::move(message));
        return *this;
    }
    // Current state SCHEDULED (or `t`) with scheduled_time = now + s.
    Row& from_scheduled_in(double s, StateType t = StateType::Scheduled, std::string name = {}) {
        State cur = states::scheduled(kNow + from_seconds(s), name.empty() ? "Scheduled" : name);
        cur.type = t;
        if (t != StateType::Scheduled) cur.name = std::string(default_name(t));
        c.facts.current = cur;
        return *this;
    }
    Row& propose(StateType t, std::string name = {}, std::string message = {}) {
        c.proposal.state = make_state(t, std::move(name), std::move(message));
        return *this;
    }
    Row& propose_state(State s) {
        c.proposal.state = std::move(s);
        return *this;
    }
    Row& user() {
        c.proposal.origin = Origin::User;
        return *this;
    }
    Row& force() {
        c.proposal.force = true;
        return *this;
    }
    Row& flow() {
        c.facts.kind = RunKind::Flow;
        return *this;
    }
    Row& runs(int run_count, int max_retries, double delay_s = 0) {
        c.facts.run_count = run_count;
        c.facts.max_retries = max_retries;
        c.facts.retry_delay_s = delay_s;
        return *this;
    }
    Row& retry_condition_false() {
        c.facts.retry_condition = false;
        return *this;
    }
    Row& rerun() {
        c.facts.rerun_requested = true;
        return *this;
    }
    Row& alive() {
        c.facts.process_alive = true;
        return *this;
    }
    Row& resume() {
        c.facts.resume_requested = true;
        return *this;
    }
    // Current state PAUSED (named `name`) whose pause times out `s` from now.
    Row& paused_until(double s, std::string name = "Paused") {
        State cur = make_state(StateType::Paused, std::move(name));
        cur.details = {{"pause_timeout", to_iso(kNow + from_seconds(s))},
                       {"pause_reschedule", cur.name == "Suspended"}};
        c.facts.current = cur;
        return *this;
    }
    Row& cached() {
        State s = states::cached("Cached from an earlier run.");
        s.data = 42;
        c.facts.cached = s;
        return *this;
    }
    Row& limit_full(std::string why) {
        c.facts.concurrency_wait = std::move(why);
        return *this;
    }

    // ACCEPT of the proposal as it is.
    void accepted() {
        c.decision = Decision::Accept;
        c.type = c.proposal.state.type;
        c.name = c.proposal.state.name;
        c.same_state = true;
        add();
    }
    // ACCEPT of the proposal under another name, or with details the rules added.
    void accepted_as(std::string name, std::optional<double> scheduled_in_s = {}) {
        c.decision = Decision::Accept;
        c.type = c.proposal.state.type;
        c.name = std::move(name);
        c.scheduled_in_s = scheduled_in_s;
        add();
    }
    // ACCEPT of the proposal, with the message the rules put on it.
    void accepted_with_message(std::string message) {
        c.message = std::move(message);
        accepted_as(c.proposal.state.name);
    }
    void aborted(std::string reason) {
        c.decision = Decision::Abort;
        c.reason = std::move(reason);
        add();
    }
    void rejected(StateType type, std::string name, std::string reason = {},
                  std::string message = {}) {
        c.decision = Decision::Reject;
        c.type = type;
        c.name = std::move(name);
        c.reason = std::move(reason);
        c.message = std::move(message);
        add();
    }
    void awaiting_retry(double in_s, std::string reason, std::string message = {}) {
        c.scheduled_in_s = in_s;
        rejected(StateType::Scheduled, "AwaitingRetry", std::move(reason), std::move(message));
    }
    void rejected_cached() {
        c.is_cached = true;
        rejected(StateType::Completed, "Cached", "cached result");
    }
    void waits(double s, std::string reason) {
        c.decision = Decision::Wait;
        c.wait_s = s;
        c.reason = std::move(reason);
        add();
    }

private:
    void add() { QTest::newRow(m_label) << c; }
    const char* m_label;
    RuleCase c;
};

} // namespace

class TestRules : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void orchestrate_data();
    void orchestrate();
    void decisionNames_data();
    void decisionNames();
    void pureFunction();
};

void TestRules::orchestrate_data() {
    using enum StateType;
    QTest::addColumn<RuleCase>("c");

    // One row per line reads as a table; clang-format would give every call a line of its own.
    // clang-format off

    // No current state, or force: nothing to check.
    Row("new run: PENDING").propose(Pending).accepted();
    Row("new run: SCHEDULED").propose(Scheduled).accepted();
    Row("new run: RUNNING, even with a cache").propose(Running).cached().accepted();
    Row("force: program COMPLETED -> RUNNING").from(Completed).propose(Running).force().accepted();
    Row("force: user -> RUNNING").from(Failed).propose(Running).user().force().accepted();
    Row("force: RUNNING -> RUNNING").from(Running).propose(Running).force().accepted();
    Row("force: FAILED with retries left is stored").from(Running).propose(Failed, {}, "boom")
        .runs(1, 3).force().accepted();
    Row("force: user mark of a live run").from(Running).propose(Completed).user().alive().flow()
        .force().accepted();

    // The same type twice.
    Row("PENDING -> PENDING").from(Pending).propose(Pending)
        .aborted("This run is in a PENDING state and cannot transition to a PENDING state.");
    Row("RUNNING -> RUNNING").from(Running).propose(Running)
        .aborted("This run is in a RUNNING state and cannot transition to a RUNNING state.");
    Row("user COMPLETED -> COMPLETED").from(Completed).propose(Completed).user()
        .aborted("cannot transition to a COMPLETED state");
    Row("user CANCELLING -> CANCELLING").from(Cancelling).propose(Cancelling).user().alive().flow()
        .aborted("cannot transition to a CANCELLING state");
    Row("SCHEDULED -> SCHEDULED: reschedule").from(Scheduled).propose(Scheduled).accepted();

    // A person proposes.
    Row("user -> RUNNING").from(Failed).propose(Running).user().flow()
        .aborted("Only the run's own program can move it to RUNNING");
    Row("user -> PENDING").from(Scheduled).propose(Pending).user().flow()
        .aborted("Only the run's own program can move it to PENDING");
    Row("user marks a task run of a live flow run").from(Running).propose(Failed).user().alive()
        .aborted("cancel the flow run first");
    Row("user cancels a task run of a live flow run").from(Running).propose(Cancelling).user()
        .alive().aborted("cancel the flow run first");
    Row("user cancels a COMPLETED run").from(Completed).propose(Cancelling).user().flow()
        .aborted("already finished as Completed");
    Row("user cancels (CANCELLED) a FAILED run").from(Failed).propose(Cancelled).user().flow()
        .aborted("already finished as Failed");
    Row("user cancels a non-live RUNNING flow run").from(Running)
        .propose(Cancelling, {}, "Cancelled by a user.").user().flow()
        .rejected(Cancelled, "Cancelled", "No program is running this run", "Cancelled by a user.");
    Row("user cancels a non-live run, no message").from(Running).propose(Cancelling).user().flow()
        .rejected(Cancelled, "Cancelled", "cancelled at once", "no program was running it");
    Row("user cancels a SCHEDULED flow run").from(Scheduled).propose(Cancelling).user().flow()
        .rejected(Cancelled, "Cancelled", "cancelled at once");
    Row("user cancels a non-live PENDING task run").from(Pending).propose(Cancelling).user()
        .rejected(Cancelled, "Cancelled", "cancelled at once");
    Row("user cancels a live RUNNING flow run").from(Running).propose(Cancelling).user().alive()
        .flow().accepted();
    Row("user cancels a live PAUSED flow run").from(Paused).propose(Cancelling).user().alive()
        .flow().accepted();
    Row("user CANCELLED on a live run").from(Running).propose(Cancelled, {}, "stop").user().alive()
        .flow().rejected(Cancelling, "Cancelling", "asked to stop first", "stop");
    Row("user CANCELLED on a live CANCELLING run").from(Cancelling).propose(Cancelled).user()
        .alive().flow().aborted("already being cancelled");
    Row("user CANCELLED on a non-live CANCELLING run").from(Cancelling).propose(Cancelled).user()
        .flow().accepted();
    Row("user CANCELLED on a non-live RUNNING run").from(Running).propose(Cancelled).user().flow()
        .accepted();
    Row("user marks a live run FAILED").from(Running).propose(Failed).user().alive().flow()
        .aborted("cancel the run first");
    Row("user marks a live run COMPLETED").from(Running).propose(Completed).user().alive().flow()
        .aborted("still running it");
    Row("user marks a FAILED run COMPLETED").from(Failed).propose(Completed).user().flow()
        .accepted();
    Row("user marks a stale RUNNING run CRASHED").from(Running).propose(Crashed).user().flow()
        .accepted();
    // Nothing (no deployment, no worker) would ever run a flow run a person schedules.
    Row("user schedules a FAILED flow run").from(Failed)
        .propose_state(states::awaiting_retry(kNow)).user().flow()
        .aborted("Nothing would run a SCHEDULED flow run");
    Row("user schedules a COMPLETED flow run").from(Completed).propose(Scheduled).user().flow()
        .aborted("retry the run to run it again");
    Row("user reschedules a task run: its flow run's resume runs it").from(Completed)
        .propose_state(states::awaiting_retry(kNow)).user().accepted();
    Row("user retries FAILED with retries configured: no retry rule").from(Running).propose(Failed)
        .runs(1, 3).user().flow().accepted();

    // Finished runs, proposed by their program.
    Row("COMPLETED -> RUNNING").from(Completed).propose(Running)
        .aborted("This run has already completed.");
    Row("COMPLETED -> SCHEDULED").from(Completed).propose(Scheduled).aborted("already completed");
    Row("COMPLETED -> PENDING").from(Completed).propose(Pending).flow()
        .aborted("already completed");
    Row("COMPLETED -> PENDING, rerun asked for").from(Completed).propose(Pending).rerun().flow()
        .accepted();
    Row("COMPLETED -> RUNNING, rerun asked for").from(Completed).propose(Running).rerun().flow()
        .aborted("already completed");
    Row("resume claims FAILED -> PENDING").from(Failed).propose(Pending).flow().accepted();
    Row("a second claim PENDING -> PENDING").from(Pending).propose(Pending).rerun().flow()
        .aborted("cannot transition to a PENDING state");
    Row("COMPLETED -> FAILED").from(Completed).propose(Failed).aborted("already completed");
    Row("resume FAILED -> RUNNING").from(Failed).propose(Running).accepted();
    Row("resume CRASHED -> RUNNING").from(Crashed).propose(Running).flow().accepted();
    Row("resume CANCELLED -> RUNNING").from(Cancelled).propose(Running).accepted();
    Row("resume CRASHED -> PENDING").from(Crashed).propose(Pending).flow().accepted();
    Row("resume FAILED -> SCHEDULED").from(Failed).propose(Scheduled).accepted();
    Row("resume with a full tag limit waits").from(Crashed).propose(Running)
        .limit_full("Tag 'db' is at its limit of 2.").waits(0.1, "Tag 'db' is at its limit");
    Row("resume with a cached result").from(Failed).propose(Running).cached().rejected_cached();
    Row("CRASHED -> COMPLETED").from(Crashed).propose(Completed)
        .aborted("already finished as Crashed; it can only be resumed");
    Row("CANCELLED -> FAILED").from(Cancelled).propose(Failed).aborted("it can only be resumed");
    Row("FAILED -> CANCELLING").from(Failed).propose(Cancelling).aborted("can only be resumed");

    // Pause and resume (Prefect's HandleResumingPausedFlows for the timeout).
    Row("program pauses").from(Running).propose(Paused).flow().accepted();
    Row("person resumes a waiting run").paused_until(60).propose(Running).user().resume().alive()
        .flow().accepted();
    Row("person resumes a suspended run").paused_until(60, "Suspended")
        .propose_state(states::scheduled(kNow, "Resuming")).user().resume().flow().accepted();
    Row("resume when no program waits").paused_until(60).propose(Running).user().resume().flow()
        .aborted("No program waits");
    Row("resume of a run that is not paused").from(Failed).propose(Running).user().resume().flow()
        .aborted("Only a PAUSED flow run can be resumed");
    Row("resume past the pause's timeout").paused_until(-1).propose(Running).user().resume()
        .alive().flow().rejected(Failed, "Failed", "pause timed out", "can no longer be resumed");
    Row("user marks RUNNING without resuming").paused_until(60).propose(Running).user().alive()
        .flow().aborted("Only the run's own program");
    Row("a resumed suspended run goes on: Running, not Retrying").from(Pending).propose(Running)
        .runs(1, 0).resume().flow().accepted();
    Row("program fails its timed-out pause").paused_until(-1).propose(Failed).flow().accepted();

    // Cancelling, proposed by the program.
    Row("CANCELLING -> CANCELLED").from(Cancelling).propose(Cancelled).flow().accepted();
    Row("CANCELLING -> CANCELLED keeps the person's reason")
        .from(Cancelling, {}, "maintenance window")
        .propose(Cancelled, {}, "The flow run was cancelled.").flow()
        .accepted_with_message("maintenance window");
    Row("CANCELLING -> COMPLETED keeps the person's reason")
        .from(Cancelling, {}, "maintenance window").propose(Completed).flow()
        .rejected(Cancelled, "Cancelled", "being cancelled", "maintenance window");
    Row("CANCELLING -> CRASHED").from(Cancelling).propose(Crashed).flow().accepted();
    Row("CANCELLING -> COMPLETED").from(Cancelling).propose(Completed).flow()
        .rejected(Cancelled, "Cancelled", "being cancelled", "Cancellation was requested");
    Row("CANCELLING -> FAILED with retries left").from(Cancelling).propose(Failed).runs(1, 3)
        .rejected(Cancelled, "Cancelled", "being cancelled");
    Row("CANCELLING -> RUNNING").from(Cancelling).propose(Running).aborted("being cancelled");
    Row("CANCELLING -> PENDING").from(Cancelling).propose(Pending).aborted("being cancelled");

    // Retries.
    Row("RUNNING -> PENDING").from(Running).propose(Pending)
        .aborted("This run is in a RUNNING state and cannot transition to a PENDING state.");
    Row("FAILED with retries left").from(Running).propose(Failed, {}, "boom").runs(1, 3, 5)
        .awaiting_retry(5, "Retry 1 of 3 in 5 s.", "Retry 1 of 3 after: boom");
    Row("FAILED on the last retry").from(Running).propose(Failed, {}, "boom").runs(3, 3, 2.5)
        .awaiting_retry(2.5, "Retry 3 of 3 in 2.5 s.");
    Row("FAILED, retries exhausted").from(Running).propose(Failed).runs(4, 3, 5).accepted();
    Row("FAILED, retry condition says no").from(Running).propose(Failed).runs(1, 3)
        .retry_condition_false().accepted();
    Row("FAILED, no delay").from(Running).propose(Failed).runs(1, 1)
        .awaiting_retry(0, "Retry 1 of 1 in 0 s.", "Retry 1 of 1");
    Row("FAILED, negative delay means now").from(Running).propose(Failed).runs(2, 5, -3)
        .awaiting_retry(0, "Retry 2 of 5");
    Row("TimedOut is retried too").from(Running).propose_state(states::timed_out("too slow"))
        .runs(1, 2, 1).awaiting_retry(1, "Retry 1 of 2", "too slow");
    Row("FAILED, no retries configured").from(Running).propose(Failed).runs(1, 0).accepted();
    Row("flow run FAILED with retries left").from(Running).propose(Failed).runs(2, 3, 60).flow()
        .awaiting_retry(60, "Retry 2 of 3 in 60 s.");
    Row("PENDING -> FAILED before running: no retry").from(Pending).propose(Failed).runs(0, 3)
        .accepted();
    Row("SCHEDULED -> FAILED, nothing configured").from(Scheduled).propose(Failed).runs(0, 0)
        .accepted();

    // Proposals of RUNNING (and the PENDING before them).
    Row("SCHEDULED in the future -> RUNNING").from_scheduled_in(30).propose(Running)
        .waits(30, "Scheduled time is in the future.");
    Row("SCHEDULED in the past -> RUNNING").from_scheduled_in(-30).propose(Running).accepted();
    Row("SCHEDULED in the future -> PENDING keeps the time").from_scheduled_in(30).propose(Pending)
        .accepted_as("Pending", 30);
    Row("PENDING with a future scheduled time -> RUNNING").from_scheduled_in(12, Pending)
        .propose(Running).waits(12, "Scheduled time is in the future.");
    Row("full tag limit").from(Pending).propose(Running).limit_full("Tag 'gpu' is full.")
        .waits(0.1, "Tag 'gpu' is full.");
    Row("cached result").from(Pending).propose(Running).cached().rejected_cached();
    Row("cached result needs no slot").from(Pending).propose(Running).cached()
        .limit_full("Tag 'gpu' is full.").rejected_cached();
    Row("scheduled time before the cache").from_scheduled_in(5).propose(Running).cached()
        .waits(5, "Scheduled time is in the future.");
    Row("PENDING -> RUNNING").from(Pending).propose(Running).accepted();
    Row("SCHEDULED -> RUNNING, first run").from(Scheduled).propose(Running).runs(0, 3).accepted();
    Row("AwaitingRetry -> RUNNING is Retrying").from_scheduled_in(-1, Scheduled, "AwaitingRetry")
        .propose(Running).runs(1, 3).accepted_as("Retrying");
    Row("PENDING after a retry -> RUNNING is Retrying").from(Pending).propose(Running).runs(2, 3)
        .accepted_as("Retrying");
    Row("a named RUNNING state keeps its name").from(Pending).propose(Running, "Resuming")
        .runs(1, 3).accepted();

    // Everything else the program proposes is accepted.
    Row("RUNNING -> COMPLETED").from(Running).propose(Completed).accepted();
    Row("RUNNING -> CRASHED").from(Running).propose(Crashed).flow().accepted();
    Row("RUNNING -> PAUSED").from(Running).propose(Paused).flow().accepted();
    Row("PAUSED -> RUNNING").from(Paused).propose(Running).flow().accepted();
    Row("SCHEDULED -> CANCELLED").from(Scheduled).propose(Cancelled).flow().accepted();
    Row("RUNNING -> SCHEDULED").from(Running).propose(Scheduled).accepted();
    // clang-format on
}

void TestRules::orchestrate() {
    QFETCH(RuleCase, c);
    const Outcome o = weft::orchestrate(c.facts, c.proposal);

    QCOMPARE(qs(to_string(o.decision)), qs(to_string(c.decision)));
    QCOMPARE(o.accepted(), c.decision == Decision::Accept);
    if (c.type) {
        QVERIFY2(o.state.has_value(), "the outcome carries no state");
        QCOMPARE(qs(to_string(o.state->type)), qs(to_string(*c.type)));
        QCOMPARE(qs(o.state->name), qs(c.name));
        if (c.same_state) {
            QCOMPARE(qs(o.state->id), qs(c.proposal.state.id));
            QCOMPARE(qs(o.state->message), qs(c.proposal.state.message));
        } else if (c.decision == Decision::Reject) {
            // A replacement is a state of its own, never the refused proposal.
            QVERIFY(o.state->id != c.proposal.state.id);
        }
        if (!c.message.empty())
            QVERIFY2(o.state->message.find(c.message) != std::string::npos,
                     o.state->message.c_str());
        if (c.scheduled_in_s) {
            QVERIFY2(o.state->scheduled_time().has_value(), o.state->details.dump().c_str());
            QCOMPARE(*o.state->scheduled_time(), kNow + from_seconds(*c.scheduled_in_s));
        }
        if (c.is_cached) {
            QCOMPARE(qs(o.state->id), qs(c.facts.cached->id));
            QVERIFY2(o.state->data == nlohmann::json(42), o.state->data.dump().c_str());
        }
    } else {
        QVERIFY2(!o.state.has_value(), "an unexpected state came back");
    }
    // Every refusal says why (design §3: never silently applied).
    if (c.decision != Decision::Accept) QVERIFY(!o.reason.empty());
    if (!c.reason.empty()) QVERIFY2(o.reason.find(c.reason) != std::string::npos, o.reason.c_str());
    if (c.wait_s)
        QVERIFY2(qAbs(o.delay_s - *c.wait_s) < 1e-6, std::to_string(o.delay_s).c_str());
    else
        QCOMPARE(o.delay_s, 0.0);
}

void TestRules::decisionNames_data() {
    QTest::addColumn<Decision>("decision");
    QTest::addColumn<QString>("text");
    QTest::addRow("accept") << Decision::Accept << QStringLiteral("ACCEPT");
    QTest::addRow("reject") << Decision::Reject << QStringLiteral("REJECT");
    QTest::addRow("abort") << Decision::Abort << QStringLiteral("ABORT");
    QTest::addRow("wait") << Decision::Wait << QStringLiteral("WAIT");
}

void TestRules::decisionNames() {
    QFETCH(Decision, decision);
    QFETCH(QString, text);
    QCOMPARE(qs(to_string(decision)), text);
}

void TestRules::pureFunction() {
    // The same question twice gets the same answer, and the inputs are left as they were.
    RunFacts facts;
    facts.current = states::running();
    facts.run_count = 1;
    facts.max_retries = 2;
    facts.retry_delay_s = 3;
    facts.now = kNow;
    const Proposal p{states::failed("boom"), Origin::Program};
    const Outcome a = weft::orchestrate(facts, p);
    const Outcome b = weft::orchestrate(facts, p);
    QCOMPARE(a.decision, b.decision);
    QVERIFY(a.state && b.state);
    QCOMPARE(a.state->scheduled_time().value_or(0), b.state->scheduled_time().value_or(-1));
    QCOMPARE(qs(a.reason), qs(b.reason));
    QCOMPARE(qs(facts.current->name), QStringLiteral("Running"));
    QCOMPARE(qs(p.state.name), QStringLiteral("Failed"));
}

QTEST_GUILESS_MAIN(TestRules)
#include "tst_rules.moc"
