#pragma once
// The orchestration rules: every proposed state change of every run is answered here, in one place.
// Pure functions of (current state, proposal, facts) so they are tested as a table.
#include "weft/states.hpp"

#include <optional>
#include <string>

namespace weft {

enum class Decision { Accept, Reject, Abort, Wait };
std::string_view to_string(Decision d); // "ACCEPT", "REJECT", "ABORT", "WAIT"

enum class RunKind { Flow, Task };

/// Who proposes: the run's own program, or a person through the CLI or Studio ("mark as", cancel,
/// retry). People may move a finished run where its program may not, but never into RUNNING.
enum class Origin { Program, User };

/// What the rules need to know beyond the two states. The engine fills it in.
struct RunFacts {
    RunKind kind = RunKind::Task;
    /// Current state; empty for a run that does not exist yet.
    std::optional<State> current;
    /// Attempts made so far, counting the one that is ending when FAILED is proposed.
    int run_count = 0;
    int max_retries = 0;
    /// Seconds to wait before the next attempt, already chosen by the retry policy.
    double retry_delay_s = 0;
    /// False when the task's retry condition said this failure is not worth retrying.
    bool retry_condition = true;
    /// A process is alive that runs this flow run (or the flow run owning this task run).
    bool process_alive = false;
    /// The program may take a COMPLETED run back to PENDING: a person asked to run it again from
    /// one of its task runs, or it is a subflow whose parent runs it again.
    bool rerun_requested = false;
    /// A program takes over a flow run made elsewhere (`PROGRAM execute`, started by a worker for
    /// a deployment's run): from SCHEDULED, or from the PENDING a worker's claim left it in, but
    /// never from a live process that holds it.
    bool take_over = false;
    /// A person resumes a PAUSED flow run (weft::resume_flow_run): RUNNING when its program waits,
    /// SCHEDULED when it was suspended and its program is started again. Also set by that program
    /// going on: its next RUNNING is not a retry (no "Retrying").
    bool resume_requested = false;
    /// A valid cached result for the proposed RUNNING task run (a COMPLETED "Cached" state).
    std::optional<State> cached;
    /// Non-empty when a tag concurrency limit is full: the reason to wait.
    std::string concurrency_wait;
    Micros now = 0;
};

struct Proposal {
    State state;
    Origin origin = Origin::Program;
    /// Skips every rule, as Prefect's `force: true` does.
    bool force = false;
};

struct Outcome {
    Decision decision = Decision::Accept;
    /// ACCEPT: the state stored (rules may rename it); REJECT: the state to adopt instead, if any.
    std::optional<State> state;
    std::string reason;
    /// WAIT: seconds before proposing again.
    double delay_s = 0;

    bool accepted() const { return decision == Decision::Accept; }
};

/// Decides a proposal. Thread-safe, no side effects.
Outcome orchestrate(const RunFacts& facts, const Proposal& proposal);

} // namespace weft
