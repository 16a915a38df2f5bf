#include "weft/rules.hpp"

#include <cstdio>

namespace weft {

std::string_view to_string(Decision d)
{
    switch (d) {
    case Decision::Accept: return "ACCEPT";
    case Decision::Reject: return "REJECT";
    case Decision::Abort: return "ABORT";
    case Decision::Wait: return "WAIT";
    }
    return "ACCEPT";
}

namespace {

Outcome accept(const State& s) { return {Decision::Accept, s, {}, 0}; }
Outcome abort_(std::string reason) { return {Decision::Abort, std::nullopt, std::move(reason), 0}; }
Outcome reject(State instead, std::string reason)
{
    return {Decision::Reject, std::move(instead), std::move(reason), 0};
}
Outcome wait_(double seconds, std::string reason)
{
    return {Decision::Wait, std::nullopt, std::move(reason), seconds};
}

std::string seconds_text(double s)
{
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.3g s", s);
    return buf;
}

// A person (CLI, Studio) proposes: marking, cancelling and retrying are allowed where a program's
// own transitions are not, but only the program itself can put a run to work.
Outcome user_rules(const RunFacts& f, const State& cur, const State& p)
{
    if (p.type == StateType::Running || p.type == StateType::Pending)
        return abort_("Only the run's own program can move it to " + std::string(to_string(p.type))
                      + "; retry the run to start it again.");
    const bool cancel = p.type == StateType::Cancelling || p.type == StateType::Cancelled;
    if (f.kind == RunKind::Task && f.process_alive)
        return abort_("The flow run of this task run is still running in its program; cancel the "
                      "flow run first.");
    if (cancel) {
        if (is_terminal(cur.type))
            return abort_("This run has already finished as " + cur.name + ".");
        if (p.type == StateType::Cancelling && !f.process_alive)
            return reject(states::cancelled(p.message.empty() ? "Cancelled; no program was running it."
                                                              : p.message),
                          "No program is running this run, so it is cancelled at once.");
        if (p.type == StateType::Cancelled && f.process_alive)
            return reject(states::cancelling(p.message),
                          "The run's program is still running; it is asked to stop first.");
        return accept(p);
    }
    if (f.process_alive)
        return abort_("The run's program is still running it; cancel the run first.");
    return accept(p);
}

Outcome program_rules(const RunFacts& f, const State& cur, const State& p)
{
    const StateType T = cur.type;
    const StateType P = p.type;
    if (T == StateType::Completed) return abort_("This run has already completed.");
    if (is_resumable(T)) {
        if (P == StateType::Scheduled || P == StateType::Pending || P == StateType::Running)
            return accept(p);
        return abort_("This run has already finished as " + cur.name
                      + "; it can only be resumed.");
    }
    if (T == StateType::Cancelling) {
        if (P == StateType::Cancelled || P == StateType::Crashed) return accept(p);
        if (P == StateType::Completed || P == StateType::Failed)
            return reject(states::cancelled("Cancellation was requested before the run finished."),
                          "The run is being cancelled.");
        return abort_("The run is being cancelled.");
    }
    if (P == StateType::Pending && T == StateType::Running)
        return abort_("This run is in a RUNNING state and cannot transition to a PENDING state.");
    if (P == StateType::Failed && f.run_count <= f.max_retries && f.retry_condition) {
        const double delay = f.retry_delay_s < 0 ? 0 : f.retry_delay_s;
        const std::string attempt =
            "Retry " + std::to_string(f.run_count) + " of " + std::to_string(f.max_retries);
        return reject(states::awaiting_retry(f.now + from_seconds(delay),
                                             attempt + " after: " + p.message),
                      attempt + " in " + seconds_text(delay) + ".");
    }
    if (P == StateType::Running) {
        if (T == StateType::Scheduled) {
            if (auto at = cur.scheduled_time(); at && *at > f.now)
                return wait_(to_seconds(*at - f.now), "Scheduled time is in the future.");
        }
        if (!f.concurrency_wait.empty()) return wait_(0.1, f.concurrency_wait);
        if (f.cached) return reject(*f.cached, "A valid cached result exists.");
    }
    return accept(p);
}

} // namespace

Outcome orchestrate(const RunFacts& facts, const Proposal& proposal)
{
    const State& p = proposal.state;
    if (proposal.force || !facts.current) return accept(p);
    const State& cur = *facts.current;
    if (cur.type == p.type && p.type != StateType::Scheduled) {
        const std::string t(to_string(p.type));
        return abort_("This run is in a " + t + " state and cannot transition to a " + t
                      + " state.");
    }
    if (proposal.origin == Origin::User) return user_rules(facts, cur, p);
    return program_rules(facts, cur, p);
}

} // namespace weft
