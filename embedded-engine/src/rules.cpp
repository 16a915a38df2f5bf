#include "weft/rules.hpp"

#include "weft/pause.hpp"

#include <cstdio>

namespace weft {

std::string_view to_string(Decision d) {
    switch (d) {
    case Decision::Accept:
        return "ACCEPT";
    case Decision::Reject:
        return "REJECT";
    case Decision::Abort:
        return "ABORT";
    case Decision::Wait:
        return "WAIT";
    }
    return "ACCEPT";
}

namespace {

Outcome accept(const State& s) {
    return {Decision::Accept, s, {}, 0};
}
Outcome abort_(std::string reason) {
    return {Decision::Abort, std::nullopt, std::move(reason), 0};
}
Outcome reject(State instead, std::string reason) {
    return {Decision::Reject, std::move(instead), std::move(reason), 0};
}
Outcome wait_(double seconds, std::string reason) {
    return {Decision::Wait, std::nullopt, std::move(reason), seconds};
}

std::string seconds_text(double s) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.3g s", s);
    return buf;
}

// A person (CLI, Studio) proposes: marking, cancelling and retrying are allowed where a program's
// own transitions are not, but only the program itself can put a run to work.
Outcome user_rules(const RunFacts& f, const State& cur, const State& p) {
    if (f.resume_requested) {
        if (cur.type != StateType::Paused)
            return abort_("Only a PAUSED flow run can be resumed; this one is "
                          + std::string(to_string(cur.type)) + ".");
        if (p.type == StateType::Running && !f.process_alive)
            return abort_("No program waits for this paused run any more.");
        if (p.type != StateType::Running && p.type != StateType::Scheduled)
            return abort_("A paused run resumes to RUNNING or SCHEDULED.");
        return accept(p);
    }
    if (p.type == StateType::Running || p.type == StateType::Pending)
        return abort_("Only the run's own program can move it to " + std::string(to_string(p.type))
                      + "; retry the run to start it again.");
    // On a local database nothing picks a SCHEDULED flow run up (workers serve a server's
    // deployments): it would wait forever, and `retry` refuses it. (A task run is picked up when
    // its flow run is resumed.)
    if (p.type == StateType::Scheduled && f.kind == RunKind::Flow)
        return abort_("Nothing would run a SCHEDULED flow run here (workers run a server's "
                      "deployment runs); retry the run to run it again.");
    const bool cancel = p.type == StateType::Cancelling || p.type == StateType::Cancelled;
    if (f.kind == RunKind::Task && f.process_alive)
        return abort_("The flow run of this task run is still running in its program; cancel the "
                      "flow run first.");
    if (cancel) {
        if (is_terminal(cur.type))
            return abort_("This run has already finished as " + cur.name + ".");
        if (p.type == StateType::Cancelling && !f.process_alive)
            return reject(states::cancelled(p.message.empty()
                                                ? "Cancelled; no program was running it."
                                                : p.message),
                          "No program is running this run, so it is cancelled at once.");
        if (p.type == StateType::Cancelled && f.process_alive) {
            // Rejecting into CANCELLING again would store a CANCELLING → CANCELLING transition.
            if (cur.type == StateType::Cancelling)
                return abort_("The run is already being cancelled; its program has been asked to "
                              "stop.");
            return reject(states::cancelling(p.message),
                          "The run's program is still running; it is asked to stop first.");
        }
        return accept(p);
    }
    if (f.process_alive)
        return abort_("The run's program is still running it; cancel the run first.");
    return accept(p);
}

// `PROGRAM execute`: claims (PENDING) a run that waits to be run and no live process holds. A
// worker's own claim left it PENDING without a process, so PENDING again is this claim. Nothing
// when the ordinary rules decide (SCHEDULED → PENDING keeps the scheduled time there).
std::optional<Outcome> take_over_rules(const RunFacts& f, const State& cur, const State& p) {
    if (p.type != StateType::Pending) return abort_("A program takes a run over as PENDING.");
    if (cur.type != StateType::Scheduled && cur.type != StateType::Pending)
        return abort_("Only a SCHEDULED or PENDING flow run can be taken over; this one is "
                      + std::string(to_string(cur.type)) + ".");
    if (f.process_alive) return abort_("Another process is running this flow run.");
    if (cur.type == StateType::Scheduled) return std::nullopt;
    State pending = p;
    if (pending.details.is_null()) pending.details = cur.details; // the scheduled time
    return accept(pending);
}

Outcome program_rules(const RunFacts& f, const State& cur, const State& p) {
    const StateType T = cur.type;
    const StateType P = p.type;
    if (T == StateType::Completed && !(P == StateType::Pending && f.rerun_requested))
        return abort_("This run has already completed.");
    // A resumed run starts again like any other: it still waits for its concurrency slots and
    // takes a valid cached result, so it falls through to the RUNNING checks below.
    if (is_resumable(T) && P != StateType::Scheduled && P != StateType::Pending
        && P != StateType::Running)
        return abort_("This run has already finished as " + cur.name + "; it can only be resumed.");
    if (T == StateType::Cancelling) {
        // The person's reason for cancelling stays the run's last word, as Prefect copies the
        // CANCELLING state into CANCELLED; the program only knows that it was told to stop.
        auto with_reason = [&](State s) {
            if (!cur.message.empty()) s.message = cur.message;
            return s;
        };
        if (P == StateType::Cancelled) return accept(with_reason(p));
        if (P == StateType::Crashed) return accept(p);
        if (P == StateType::Completed || P == StateType::Failed)
            return reject(with_reason(states::cancelled(
                              "Cancellation was requested before the run finished.")),
                          "The run is being cancelled.");
        return abort_("The run is being cancelled.");
    }
    if (P == StateType::Pending && T == StateType::Running)
        return abort_("This run is in a RUNNING state and cannot transition to a PENDING state.");
    // As Prefect's RetryFailedTasks/RetryFailedFlows: only a failing attempt (RUNNING → FAILED) is
    // retried. A run that fails before it ran (SCHEDULED/PENDING → FAILED, run_count 0) would
    // otherwise pass `run_count <= max_retries` with no retries configured and loop forever.
    if (P == StateType::Failed && T == StateType::Running && f.max_retries > 0
        && f.run_count <= f.max_retries && f.retry_condition) {
        const double delay = f.retry_delay_s < 0 ? 0 : f.retry_delay_s;
        const std::string attempt =
            "Retry " + std::to_string(f.run_count) + " of " + std::to_string(f.max_retries);
        return reject(
            states::awaiting_retry(f.now + from_seconds(delay),
                                   p.message.empty() ? attempt : attempt + " after: " + p.message),
            attempt + " in " + seconds_text(delay) + ".");
    }
    if (P == StateType::Pending && T == StateType::Scheduled && !p.scheduled_time()) {
        // Prefect's CopyScheduledTime: PENDING keeps the scheduled time, so going through PENDING
        // does not skip the wait below.
        if (auto at = cur.scheduled_time()) {
            State pending = p;
            if (!pending.details.is_object()) pending.details = nlohmann::json::object();
            pending.details["scheduled_time"] = to_iso(*at);
            return accept(pending);
        }
    }
    if (P == StateType::Running) {
        if (T == StateType::Scheduled || T == StateType::Pending) {
            if (auto at = cur.scheduled_time(); at && *at > f.now)
                return wait_(to_seconds(*at - f.now), "Scheduled time is in the future.");
        }
        // A cached result needs no concurrency slot (Prefect checks the cache first, too).
        if (f.cached) return reject(*f.cached, "A valid cached result exists.");
        if (!f.concurrency_wait.empty()) return wait_(0.1, f.concurrency_wait);
        // Prefect's RenameReruns: a run that has run before is "Retrying" on its next attempt.
        if ((T == StateType::Scheduled || T == StateType::Pending) && f.run_count > 0
            && !f.resume_requested && p.name == default_name(StateType::Running)) {
            State renamed = p;
            renamed.name = "Retrying";
            return accept(renamed);
        }
    }
    return accept(p);
}

} // namespace

Outcome orchestrate(const RunFacts& facts, const Proposal& proposal) {
    const State& p = proposal.state;
    if (proposal.force || !facts.current) return accept(p);
    const State& cur = *facts.current;
    if (facts.take_over && proposal.origin == Origin::Program)
        if (auto taken = take_over_rules(facts, cur, p)) return *taken;
    if (cur.type == p.type && p.type != StateType::Scheduled) {
        const std::string t(to_string(p.type));
        return abort_("This run is in a " + t + " state and cannot transition to a " + t
                      + " state.");
    }
    // Prefect's HandleResumingPausedFlows: a pause past its timeout cannot be resumed any more;
    // the run fails instead.
    if (cur.type == StateType::Paused
        && (p.type == StateType::Running || p.type == StateType::Pending
            || p.type == StateType::Scheduled)) {
        if (auto deadline = pause_timeout(cur); deadline && *deadline < facts.now)
            return reject(states::failed("The flow run's pause timed out at " + to_iso(*deadline)
                                         + "; it can no longer be resumed."),
                          "The pause timed out.");
    }
    if (proposal.origin == Origin::User) return user_rules(facts, cur, p);
    return program_rules(facts, cur, p);
}

} // namespace weft
