#pragma once
// The engine's orchestration service over a store: state changes proposed by people (CLI, Studio)
// or checked against the stored state, crash detection, id look-up. No Qt; thread-safe.
#include "weft/rules.hpp"
#include "weft/store.hpp"

#include <functional>
#include <memory>
#include <stdexcept>
#include <string>

namespace weft {

/// An id, id ending or name that names no run, or several.
class LookupError : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

/// This process, as recorded on the flow runs it runs.
ProcessInfo this_process();
/// Whether the recorded process still runs: on this host by pid and start time, elsewhere by a
/// heartbeat newer than `stale_after`.
bool process_alive(const ProcessInfo& p, Micros now, Micros stale_after = 60'000'000);

/// Bookkeeping of entering `next` (run_count, start/end times, total run time), as Prefect keeps
/// it. `Run` is FlowRunRecord or TaskRunRecord.
template<class Run> void enter_state(Run& run, const State& next) {
    const State& prev = run.state;
    if (prev.type == StateType::Running && next.type != StateType::Running)
        run.total_run_time += std::max<Micros>(0, next.timestamp - prev.timestamp);
    // Resuming a paused run goes on with the same attempt.
    if (next.type == StateType::Running && prev.type != StateType::Running
        && prev.type != StateType::Paused) {
        ++run.run_count;
        if (!run.start_time) run.start_time = next.timestamp;
    }
    if (is_terminal(next.type))
        run.end_time = next.timestamp;
    else if (is_terminal(prev.type))
        run.end_time.reset(); // resumed
    if (next.type == StateType::Completed && !next.data.is_null()) {
        run.result = next.data;
        if constexpr (requires { run.has_result; }) run.has_result = true;
    }
    run.state = next;
    run.state.data = nullptr; // results live on the run, not in every state
    run.updated = next.timestamp;
}

template<class Run> struct Transition {
    Outcome outcome;
    std::optional<Run> run; // the run after the transition (empty when it does not exist)
};

class Engine {
public:
    /// Opens the store and moves runs whose process is gone to CRASHED.
    explicit Engine(std::shared_ptr<Store> store);
    static std::shared_ptr<Engine> open(const std::string& path, StoreOptions options = {});

    Store& store() { return *m_store; }
    const std::shared_ptr<Store>& store_ptr() { return m_store; }

    using AdjustFacts = std::function<void(RunFacts&)>;

    /// Proposes a state for a stored flow run; the rules decide against the stored state in the
    /// writer's transaction. Blocks until committed. Throws LookupError for an unknown id.
    Transition<FlowRunRecord> set_flow_run_state(const std::string& id, const Proposal& proposal,
                                                 const AdjustFacts& adjust = {});
    Transition<TaskRunRecord> set_task_run_state(const std::string& id, const Proposal& proposal,
                                                 const AdjustFacts& adjust = {});

    /// A program takes a stored flow run over to run it again (`resume`, `weft flow-run retry`):
    /// in one transaction the rules move it to PENDING and it records `process` and `launch`, so
    /// of several programs started for the same run exactly one gets it and the others see the
    /// refusal (ABORT with the reason). With `rerun_requested` a COMPLETED run may be taken too.
    /// Blocks until committed. Throws LookupError for an unknown id.
    Transition<FlowRunRecord> claim_flow_run(const std::string& id, const ProcessInfo& process,
                                             const LaunchInfo& launch, bool rerun_requested,
                                             std::string message = {});

    /// A program takes over a flow run made elsewhere to run it (`PROGRAM execute`, which a
    /// worker starts for a deployment's run): as claim_flow_run, from SCHEDULED or from the
    /// PENDING a worker's claim left it in (RunFacts::take_over), and the run adopts the flow's
    /// retry policy. Of several programs started for the same run exactly one gets it.
    /// Blocks until committed. Throws LookupError for an unknown id.
    Transition<FlowRunRecord> take_over_flow_run(const std::string& id, const ProcessInfo& process,
                                                 const LaunchInfo& launch, int max_retries,
                                                 double retry_delay_s, std::string message = {});

    /// Ends a flow run its program stops running before it finished (the program was told to
    /// stop by a signal): the program proposes `final_state` through the rules, and the run's
    /// unfinished task runs are cancelled with it in the same transaction. Blocks until committed.
    Outcome stop_flow_run(const std::string& id, const State& final_state);
    /// Ends a flow run of this process FAILED (no retry) with `why` after the store stopped
    /// writing (Store::failure()), with its unfinished task runs: the one write still allowed
    /// then (TransactMode::Recovery). Throws StoreError while the disk is still full, LookupError
    /// when the run's creation was lost.
    Transition<FlowRunRecord> end_flow_run_after_store_failure(const std::string& id,
                                                               const std::string& why);

    /// A person's cancel: CANCELLING while a program runs the flow run, else CANCELLED at once.
    Outcome cancel_flow_run(const std::string& id, std::string message = {});
    /// Deletes a flow run with its task runs, subflow runs, logs and history.
    void delete_flow_run(const std::string& id);

    /// Moves RUNNING, PENDING, CANCELLING and SCHEDULED (awaiting a retry) flow runs whose
    /// recorded process is gone to CRASHED, and their unfinished task runs with them. They end at
    /// their last sign of life (the newest heartbeat, state change or log line), not when the
    /// crash is noticed. Returns how many flow runs crashed.
    int detect_crashes();

    /// Full id from an id prefix, else id ending, else a flow run's name; else LookupError.
    std::string resolve_flow_run(const std::string& prefix);
    std::string resolve_task_run(const std::string& prefix);

private:
    std::shared_ptr<Store> m_store;
};

/// As Engine::resolve_flow_run / resolve_task_run, on any Reader (a server's too).
std::string resolve_flow_run(Reader& reader, const std::string& text);
std::string resolve_task_run(Reader& reader, const std::string& text);

/// As Engine::set_flow_run_state, inside a transaction the caller runs: for a state change that
/// commits together with other writes (a resume stores its input). `before_write` changes the run
/// along with a state the rules let through. Throws LookupError for an unknown id.
Transition<FlowRunRecord>
flow_run_transition(Txn& txn, const std::string& id, const Proposal& proposal,
                    const Engine::AdjustFacts& adjust = {},
                    const std::function<void(FlowRunRecord&)>& before_write = {});

/// As Engine::set_task_run_state, inside a transaction the caller runs (a server that answers
/// once the commit is done instead of waiting for it). Throws LookupError for an unknown id.
Transition<TaskRunRecord> task_run_transition(Txn& txn, const std::string& id,
                                              const Proposal& proposal,
                                              const Engine::AdjustFacts& adjust = {});

} // namespace weft
