#pragma once
// A state a flow program proposes to the server it reports to, for the server to decide (a task
// run's start under tag concurrency limits), through weft/remote_actions.hpp, with what a
// program needs around it: a server away for now means "wait", not an error.
#include "weft/api_client.hpp"

#include <weft/rules.hpp>

#include <chrono>
#include <string>

namespace weft::http {

/// Proposes `proposal` for task run `id`; the server stamps the state's id and time, so that it
/// is ordered after whatever the server decided before. A server that cannot be reached now
/// answers WAIT (a second) with the reason; any other refusal ABORT with the server's reason. A
/// run the server does not know is asked for again until `wait_for_run` passed: its creation,
/// sent over the event socket, may still be on its way into the server's database.
Outcome propose_task_run_state(ApiClient& api, const std::string& id, const Proposal& proposal,
                               std::chrono::milliseconds wait_for_run);

} // namespace weft::http
