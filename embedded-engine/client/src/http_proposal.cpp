#include "http_proposal.hpp"

#include "http_reader.hpp"

#include <weft/remote_actions.hpp>

#include <thread>

namespace weft::http {

Outcome propose_task_run_state(ApiClient& api, const std::string& id, const Proposal& proposal,
                               std::chrono::milliseconds wait_for_run) {
    const auto until = std::chrono::steady_clock::now() + wait_for_run;
    for (;;) {
        try {
            return propose_state(api, RemoteRun::Task, id, State{}, proposal.state, proposal.force);
        } catch (const ApiError& e) {
            if (e.status() == 404 && std::chrono::steady_clock::now() < until) {
                std::this_thread::sleep_for(std::chrono::milliseconds(50));
                continue;
            }
            if (server_unavailable(e))
                return Outcome{Decision::Wait, std::nullopt,
                               std::string("The server cannot be reached: ") + e.what(), 1.0};
            return Outcome{Decision::Abort, std::nullopt, e.what(), 0};
        }
    }
}

} // namespace weft::http
