// The flow-run programs a worker started: launching them, reaping them, settling their runs,
// stopping cancelled ones.
#include "weft/pool_api.hpp"
#include "weft/remote_actions.hpp"
#include "weft/remote_reader.hpp"
#include "worker_internal.hpp"

#include <weft/record_json.hpp>

#include <algorithm>
#include <csignal>
#include <cstring>
#include <filesystem>
#include <unistd.h>

namespace weft::worker {

namespace {

std::string signal_name(int sig) {
    const char* abbrev = sigabbrev_np(sig);
    return abbrev ? std::string("SIG") + abbrev : "signal " + std::to_string(sig);
}

std::string how_it_ended(const ChildExit& exit) {
    return exit.signal ? "was killed by " + signal_name(exit.signal)
                       : "exited with code " + std::to_string(exit.code);
}

// The variables that let the program reach the server as this worker does.
std::vector<std::pair<std::string, std::string>> server_environment(const ApiSettings& s) {
    std::vector<std::pair<std::string, std::string>> env = {{"WEFT_API_URL", s.url}};
    if (!s.api_key.empty()) env.emplace_back("WEFT_API_KEY", s.api_key);
    if (!s.auth_string.empty()) env.emplace_back("WEFT_API_AUTH_STRING", s.auth_string);
    return env;
}

} // namespace

void Children::launch(const nlohmann::json& flow_run) {
    const std::string run_id = flow_run.value("id", std::string());
    const std::string run_name = flow_run.value("name", std::string());
    const auto deployment_id = flow_run.find("deployment_id");
    if (deployment_id == flow_run.end() || !deployment_id->is_string()) {
        fail_to_start(run_id, "the flow run has no deployment, so the worker does not know which "
                              "program runs it.");
        return;
    }
    nlohmann::json deployment;
    try {
        deployment = m_api.get("/deployments/" + deployment_id->get<std::string>());
    } catch (const ApiError& e) {
        if (e.status() != 404) throw;
        fail_to_start(run_id,
                      "its deployment " + deployment_id->get<std::string>() + " no longer exists.");
        return;
    }
    const auto entry = parse_entrypoint(deployment.value("entrypoint", std::string()));
    if (!entry) {
        fail_to_start(run_id, "its deployment's entrypoint '"
                                  + deployment.value("entrypoint", std::string())
                                  + "' is not PROGRAM:FLOW.");
        return;
    }

    LaunchRequest request;
    request.program = entry->program;
    request.arguments = {"execute", run_id};
    request.supervised = true;
    // The folder `weft deploy` ran in (Prefect's `path`), else the program's own.
    std::string dir = deployment.value("path", std::string());
    if (dir.empty() || !std::filesystem::is_directory(dir))
        dir = std::filesystem::path(entry->program).parent_path().string();
    request.working_dir = dir;
    request.environment = server_environment(m_api.settings());
    request.environment.emplace_back("PWD", dir);
    // Prefect's process workers take `env` from the deployment's job variables.
    if (auto jv = deployment.find("job_variables"); jv != deployment.end() && jv->is_object())
        if (auto env = jv->find("env"); env != jv->end() && env->is_object())
            for (const auto& [k, v] : env->items())
                request.environment.emplace_back(k,
                                                 v.is_string() ? v.get<std::string>() : v.dump());

    const LaunchResult started = weft::launch(request);
    if (!started.ok()) {
        fail_to_start(run_id, started.error);
        return;
    }
    m_children.push_back({run_id, run_name, started.pid, std::nullopt, false});
    say(m_worker, "flow run " + run_id + " (" + run_name + ") launched: pid "
                      + std::to_string(started.pid) + " runs " + entry->program + " execute "
                      + run_id);
}

void Children::reap() {
    for (auto it = m_children.begin(); it != m_children.end();) {
        if (auto exit = reap_child(it->pid)) {
            m_ended.emplace_back(*it, *exit);
            it = m_children.erase(it);
        } else {
            ++it;
        }
    }
    // Settled in order; one the server cannot take now stays for the next round.
    while (!m_ended.empty()) {
        settle(m_ended.front().first, m_ended.front().second);
        m_ended.erase(m_ended.begin());
    }
}

void Children::settle(const Child& child, const ChildExit& exit) {
    const std::string label = "flow run " + child.run_id + " (" + child.run_name + ")";
    RemoteReader reader(m_api);
    const auto run = reader.flow_run(child.run_id);
    if (!run) {
        say(m_worker, label + " ended: its program " + how_it_ended(exit) + "; the run is gone.");
        return;
    }
    const StateType type = run->state.type;
    // 3: `execute` was refused the run (another process has it): not this worker's to settle.
    const bool refused = !exit.signal && exit.code == 3;
    if (is_terminal(type) || type == StateType::Paused || refused) {
        // A program that ended its run CANCELLED or CRASHED itself may have left task runs it was
        // stopped in unreported; its process is gone, so they are over too.
        if (!refused && (type == StateType::Cancelled || type == StateType::Crashed))
            end_unfinished_task_runs(child.run_id, type);
        say(m_worker, label + " ended " + std::string(to_string(type)) + ": its program "
                          + how_it_ended(exit) + (refused ? " (another process has the run)" : ""));
        return;
    }
    if (retried_after_end(child.run_id, run->state)) {
        say(m_worker, label + " was retried after its program ended it; its program "
                          + how_it_ended(exit) + ". It waits in its pool to run again.");
        return;
    }
    const bool cancelling = type == StateType::Cancelling || child.term_sent;
    const std::string why = "The flow run's program (pid " + std::to_string(child.pid) + ") "
                            + how_it_ended(exit) + " without reporting a final state.";
    const State final_state = cancelling
                                  ? states::cancelled("Cancelled: the worker stopped its program.")
                                  : states::crashed(m_shutting_down ? why
                                                                          + " The worker stopping "
                                                                            "killed it."
                                                                    : why);
    if (propose(child.run_id, final_state))
        end_unfinished_task_runs(child.run_id, final_state.type);
    say(m_worker, label + " ended " + std::string(to_string(final_state.type)) + ": its program "
                      + how_it_ended(exit));
}

bool Children::retried_after_end(const std::string& run_id, const State& current) {
    // The program's own flow-level retry goes RUNNING → AwaitingRetry (its FAILED is turned into
    // it): killed there, the run crashed. A person's retry comes after a final state.
    if (current.type != StateType::Scheduled) return false;
    RemoteReader reader(m_api);
    const auto history = reader.state_history(run_id);
    for (auto it = history.rbegin(); it != history.rend(); ++it)
        if (it->id != current.id) return is_terminal(it->type);
    return false;
}

void Children::end_unfinished_task_runs(const std::string& run_id, StateType how) {
    // As the engine's crash detection does: nothing of the run is left looking as if it still
    // ran. A refusal (a report that arrived meanwhile) is said and left to the rules.
    RemoteReader reader(m_api);
    for (const auto& task : reader.task_runs(run_id)) {
        if (is_terminal(task.state.type)) continue;
        const State ended = how == StateType::Cancelled
                                ? states::cancelled("Its flow run was cancelled.")
                                : states::crashed("Its flow run crashed.");
        const Outcome o = propose_state(m_api, RemoteRun::Task, task.id, task.state, ended, false);
        if (!o.accepted())
            say(m_worker, "task run " + task.id + " of flow run " + run_id + " was not set "
                              + std::string(to_string(how)) + ": " + o.reason);
    }
}

bool Children::propose(const std::string& run_id, const State& state) {
    RemoteReader reader(m_api);
    const auto run = reader.flow_run(run_id);
    const State current = run ? run->state : State{};
    const Outcome o = propose_state(m_api, RemoteRun::Flow, run_id, current, state, false);
    if (o.accepted()) return true;
    say(m_worker, "flow run " + run_id + " was not set " + std::string(to_string(state.type)) + ": "
                      + std::string(to_string(o.decision)) + " " + o.reason);
    return false;
}

void Children::fail_to_start(const std::string& run_id, const std::string& why) {
    say(m_worker, "flow run " + run_id + " could not be started: " + why);
    try {
        propose(run_id,
                states::crashed("The worker could not start the flow run's program: " + why));
    } catch (const std::exception& e) {
        say(m_worker, "flow run " + run_id + ": could not record the crash: " + e.what());
    }
}

void Children::enforce_grace() {
    const auto now = Clock::now();
    for (auto& child : m_children) {
        // The program had its grace period to end the run itself.
        if (child.killed || !child.term_sent || now - *child.term_sent < m_options.cancel_grace)
            continue;
        say(m_worker, "flow run " + child.run_id
                          + ": its program did not stop within the grace "
                            "period; killing pid "
                          + std::to_string(child.pid));
        ::kill(child.pid, SIGKILL);
        child.killed = true;
    }
}

void Children::watch_cancellations() {
    const auto now = Clock::now();
    for (auto& child : m_children) {
        if (child.killed || child.term_sent) continue;
        RemoteReader reader(m_api);
        const auto run = reader.flow_run(child.run_id);
        if (!run || run->state.type != StateType::Cancelling) continue;
        say(m_worker, "flow run " + child.run_id + " is being cancelled: SIGTERM to pid "
                          + std::to_string(child.pid));
        ::kill(child.pid, SIGTERM);
        child.term_sent = now;
    }
}

void Children::kill_all() {
    m_shutting_down = true;
    for (auto& child : m_children) {
        if (child.killed) continue;
        ::kill(child.pid, SIGKILL);
        child.killed = true;
    }
}

} // namespace weft::worker
