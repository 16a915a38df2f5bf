#include "weft/remote_actions.hpp"

namespace weft {

using nlohmann::json;

Outcome propose_state(ApiClient& api, RemoteRun kind, const std::string& id, const State& current,
                      const State& proposed, bool force) {
    // Prefect refuses a whole State here (with id and timestamp): only what a StateCreate has.
    json state = {{"type", std::string(to_string(proposed.type))}, {"name", proposed.name}};
    if (!proposed.message.empty()) state["message"] = proposed.message;
    if (proposed.details.is_object() && !proposed.details.empty())
        state["state_details"] = proposed.details;
    json body = {{"state", state}};
    if (force) body["force"] = true;
    const char* runs = kind == RemoteRun::Flow ? "/flow_runs/" : "/task_runs/";
    const json result = api.post(runs + id + "/set_state", body);

    Outcome outcome;
    const std::string status = result.value("status", "");
    outcome.decision = status == "ACCEPT"   ? Decision::Accept
                       : status == "REJECT" ? Decision::Reject
                       : status == "WAIT"   ? Decision::Wait
                                            : Decision::Abort;
    const json details = result.value("details", json::object());
    outcome.reason = details.value("reason", std::string());
    outcome.delay_s = details.value("delay_seconds", 0.0);
    if (auto s = result.find("state"); s != result.end() && s->is_object()) {
        State answered = state_from_json(*s);
        // A refusal answers the state the run stays in; only a new state counts as stored.
        if (outcome.accepted() || answered.id != current.id) outcome.state = std::move(answered);
    }
    if (outcome.reason.empty() && !outcome.accepted())
        outcome.reason = "the server answered " + (status.empty() ? "no decision" : status);
    return outcome;
}

void delete_remote_flow_run(ApiClient& api, const std::string& id) {
    api.del("/flow_runs/" + id);
}

} // namespace weft
