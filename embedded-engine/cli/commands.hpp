#pragma once
// Each command group adds its subcommands to the app; main() wires them together.
#include "cli.hpp"

#include <CLI/CLI.hpp>
#include <weft/rules.hpp>

namespace weft::cli {

void add_flow_commands(CLI::App& app, Cli& cli);
/// `flow-run` and its subcommands (ls, inspect, logs, retry, cancel, delete, set-state).
void add_flow_run_commands(CLI::App& app, Cli& cli);
void add_flow_run_logs(CLI::App& flow_run, Cli& cli);
void add_flow_run_retry(CLI::App& flow_run, Cli& cli);
/// cancel, delete, set-state.
void add_flow_run_actions(CLI::App& flow_run, Cli& cli);
void add_task_run_commands(CLI::App& app, Cli& cli);
void add_concurrency_commands(CLI::App& app, Cli& cli);
void add_events_command(CLI::App& app, Cli& cli);
/// `new PATH`: writes the project template (cmd_new.cpp).
void add_new_command(CLI::App& app, Cli& cli);
/// `server start`: runs weft-server (cmd_server.cpp).
void add_server_command(CLI::App& app, Cli& cli);
/// `deploy` and `deployment ls|run`, against a server (cmd_deploy.cpp).
void add_deploy_commands(CLI::App& app, Cli& cli);
/// `work-pool create|ls` and `worker start`, against a server (cmd_work_pool.cpp).
void add_work_pool_commands(CLI::App& app, Cli& cli);
void add_worker_command(CLI::App& app, Cli& cli);

/// Accepts a state type in any case (COMPLETED, failed, …); rejects others naming the choices.
const CLI::Validator& state_type_check();
/// After state_type_check accepted it.
StateType parse_state_type(const std::string& text);

/// The task-run table of `flow-run inspect` and `task-run ls`.
void print_task_runs(Cli& cli, const std::vector<TaskRunRecord>& tasks);

/// `set-state ID STATE [--name] [--message] [--force]`, for flow runs and task runs.
struct SetStateOptions {
    std::string id;
    std::string type;
    std::string name;
    std::string message;
    bool force = false;
};
void add_state_options(CLI::App& cmd, SetStateOptions& o, const char* id_help);
/// The state a person proposes; a SCHEDULED one is scheduled for now.
State make_user_state(StateType type, const std::string& name, const std::string& message);

/// Reports a refused state change (ABORT, REJECT without a state, WAIT) as a failure; prints the
/// outcome of an accepted one. `what` names the run, e.g. "flow run 0190abcd".
void report_transition(Cli& cli, const Outcome& outcome, const std::string& what,
                       const State& proposed);

} // namespace weft::cli
