#pragma once
// Changes proposed to a server's runs over its REST API; the server's rules decide, as the
// engine's decide for a local database.
#include "weft/api_client.hpp"

#include <weft/records.hpp>
#include <weft/rules.hpp>

namespace weft {

enum class RemoteRun { Flow, Task };

/// Weft's key in a flow run's AwaitingRetry state_details (Prefect's StateDetails takes extra
/// keys): the task run a retry starts from. `weft flow-run retry --from-task` sets it, a worker
/// carries it into its PENDING claim, and `PROGRAM execute` runs that task run and everything
/// downstream of it again.
inline constexpr const char* kRetryFromTaskRunKey = "retry_from_task_run_id";

/// The task run a retry of the run in `state` starts from, or empty.
inline std::string retry_from_task_run(const State& state) {
    if (!state.details.is_object()) return {};
    const auto it = state.details.find(kRetryFromTaskRunKey);
    return it != state.details.end() && it->is_string() ? it->get<std::string>() : std::string();
}

/// Proposes `state` (type, name, message and details; the server stamps id and time) for the run
/// `run`, whose stored state is `current`. The server's OrchestrationResult as an Outcome: its
/// state is set when the server stored one — the proposed state, or another the rules chose.
Outcome propose_state(ApiClient& api, RemoteRun kind, const std::string& id, const State& current,
                      const State& proposed, bool force);

/// Deletes a flow run with everything it owns (task runs, subflows, logs).
void delete_remote_flow_run(ApiClient& api, const std::string& id);

} // namespace weft
