#include "weft/main.hpp"

#include "runtime_internal.hpp"
#include "weft/api_client.hpp"
#include "weft/pause.hpp"
#include "weft/remote_actions.hpp"

#include <CLI/CLI.hpp>
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <iostream>
#include <memory>
#include <thread>

namespace weft {

namespace {

// `execute` of a run this program may not take: another process has it, or it is not waiting.
constexpr int kExitNotOurs = 3;

// "k=v": v is JSON when it parses as JSON, else a string.
void add_param(nlohmann::json& params, const std::string& assignment) {
    const auto eq = assignment.find('=');
    if (eq == std::string::npos || eq == 0)
        throw CLI::ValidationError("--param", "expected KEY=VALUE, got '" + assignment + "'");
    const std::string key = assignment.substr(0, eq);
    const std::string value = assignment.substr(eq + 1);
    auto parsed = nlohmann::json::parse(value, nullptr, false);
    params[key] = parsed.is_discarded() ? nlohmann::json(value) : parsed;
}

const FlowEntry* find_flow(const std::vector<FlowEntry>& flows, const std::string& name) {
    for (const auto& f : flows)
        if (f.name == name) return &f;
    return nullptr;
}

int exit_code(const FlowRunRecord& run) {
    // A run that ended because of a signal: the signal ends the process, not this return.
    detail::wait_if_interrupted();
    // A suspended run exits cleanly: it goes on when resumed.
    return run.state.type == StateType::Completed || is_suspended(run.state) ? 0 : 1;
}

int list_flows(const std::vector<FlowEntry>& flows) {
    for (const auto& f : flows) {
        std::string params;
        for (const auto& p : f.param_names)
            params += (params.empty() ? "" : ", ") + p;
        std::printf("%s(%s)%s%s\n", f.name.c_str(), params.c_str(),
                    f.description.empty() ? "" : "  ", f.description.c_str());
    }
    return 0;
}

// `list --json`: what `weft deploy` reads, one JSON array of the flows with their parameters'
// schema.
int list_flows_json(const std::vector<FlowEntry>& flows) {
    nlohmann::json out = nlohmann::json::array();
    for (const auto& f : flows)
        out.push_back({{"name", f.name},
                       {"description", f.description},
                       {"parameters", f.param_names},
                       {"parameter_openapi_schema", f.parameter_schema}});
    std::printf("%s\n", out.dump(2).c_str());
    return 0;
}

// The stored run `run_prefix` names and the program's flow for it; null when this program does
// not have that flow (said on stderr).
const FlowEntry* stored_run(const std::vector<FlowEntry>& flows, const std::string& run_prefix,
                            FlowRunRecord& run) {
    Engine& engine = detail::engine();
    const std::string id = engine.resolve_flow_run(run_prefix);
    run = engine.store().read([&](Reader& r) { return r.flow_run(id); }).value();
    const FlowEntry* flow = find_flow(flows, run.flow_name);
    if (!flow)
        std::fprintf(stderr,
                     "weft: flow run %s belongs to flow '%s', which this program does not "
                     "have\n",
                     id.c_str(), run.flow_name.c_str());
    return flow;
}

// `rerun`: a FAILED, CRASHED or CANCELLED run again (a COMPLETED one from a task run).
int rerun(const std::vector<FlowEntry>& flows, const std::string& run_prefix,
          const std::string& task_prefix) {
    Engine& engine = detail::engine();
    FlowRunRecord stored;
    const FlowEntry* flow = stored_run(flows, run_prefix, stored);
    if (!flow) return 2;
    const FlowRunRecord* run = &stored;
    const std::string& id = stored.id;
    detail::FlowStart start;
    start.resume_run_id = id;
    if (!task_prefix.empty()) start.from_task_run_id = engine.resolve_task_run(task_prefix);
    const bool allowed = is_resumable(run->state.type)
                         || (run->state.type == StateType::Completed && !task_prefix.empty());
    if (!allowed) {
        std::fprintf(stderr,
                     "weft: flow run %s is %s; only FAILED, CRASHED or CANCELLED runs can "
                     "be rerun (a COMPLETED one with --from-task)\n",
                     id.c_str(), std::string(to_string(run->state.type)).c_str());
        return 1;
    }
    return exit_code(flow->run(run->parameters, start));
}

// `resume`: a suspended run that `weft flow-run resume` (or Studio) has resumed goes on; its
// completed task runs are reused and the pause it stopped at returns the input given.
int resume(const std::vector<FlowEntry>& flows, const std::string& run_prefix) {
    FlowRunRecord run;
    const FlowEntry* flow = stored_run(flows, run_prefix, run);
    if (!flow) return 2;
    if (run.state.type == StateType::Paused) {
        std::fprintf(stderr,
                     "weft: flow run %s is %s; resume it with `weft flow-run resume %s`, which "
                     "starts this program again\n",
                     run.id.c_str(), run.state.name.c_str(), run.id.c_str());
        return 1;
    }
    if (!is_resuming(run.state)) {
        std::fprintf(stderr,
                     "weft: flow run %s is %s; only a suspended run that was resumed goes on "
                     "with `resume` (`rerun` runs a failed one again)\n",
                     run.id.c_str(), std::string(to_string(run.state.type)).c_str());
        return 1;
    }
    detail::FlowStart start;
    start.resume_run_id = run.id;
    return exit_code(flow->run(run.parameters, start));
}

// A program that reports to a server claims the run through the server's rules: RUNNING, from
// the SCHEDULED it waits in or the PENDING a worker's claim left it in. Of several programs exactly
// one is accepted; the others are refused (RUNNING → RUNNING). Waits while the rules say WAIT (a
// scheduled time not yet come). False, said on stderr, when refused.
bool claim_on_server(ApiClient& api, const FlowRunRecord& run) {
    // The server's rules let a program resume a finished run; `execute` takes only waiting ones.
    if (run.state.type != StateType::Scheduled && run.state.type != StateType::Pending) {
        std::fprintf(stderr,
                     "weft: flow run %s was not run: it is %s. Only a SCHEDULED or PENDING flow "
                     "run can be taken over.\n",
                     run.id.c_str(), std::string(to_string(run.state.type)).c_str());
        return false;
    }
    State current = run.state;
    for (;;) {
        const Outcome o =
            propose_state(api, RemoteRun::Flow, run.id, current, states::running(), false);
        if (o.accepted()) return true;
        if (o.decision != Decision::Wait) {
            std::fprintf(stderr, "weft: flow run %s was not run: it is %s. %s\n", run.id.c_str(),
                         std::string(to_string(o.state ? o.state->type : run.state.type)).c_str(),
                         o.reason.c_str());
            return false;
        }
        std::this_thread::sleep_for(
            std::chrono::milliseconds(std::int64_t(std::clamp(o.delay_s, 0.05, 5.0) * 1000)));
        if (o.state) current = *o.state;
    }
}

// Parameters the flow cannot take: the run fails with the reason, as Prefect's does, rather than
// waiting for a run that can never start.
int fail_on_parameters(const FlowRunRecord& run, ApiClient* api, const std::string& why) {
    const State failed = states::failed("Validation of flow parameters failed: " + why);
    if (api) {
        // Claimed RUNNING on the server already.
        propose_state(*api, RemoteRun::Flow, run.id, states::running(), failed, false);
    } else {
        Engine& engine = detail::engine();
        auto claimed = engine.take_over_flow_run(run.id, this_process(), detail::this_launch(), 0,
                                                 0, "Taken over to check its parameters.");
        if (!claimed.outcome.accepted()) {
            std::fprintf(stderr, "weft: flow run %s was not run: %s\n", run.id.c_str(),
                         claimed.outcome.reason.c_str());
            return kExitNotOurs;
        }
        engine.set_flow_run_state(run.id, Proposal{failed, Origin::Program});
        engine.store().flush();
    }
    std::fprintf(stderr, "weft: flow run %s failed: %s\n", run.id.c_str(), why.c_str());
    return 1;
}

// `execute`: takes over a flow run made elsewhere (a deployment's run, which a worker starts this
// program for) and runs it with its stored parameters; task runs an earlier attempt completed are
// reused. Exit code 3 when the run is not this program's to run: another process has it, or it
// does not wait to be run (a worker then leaves the run alone).
int execute(const std::vector<FlowEntry>& flows, const std::string& run_prefix) {
    FlowRunRecord run;
    const FlowEntry* flow = stored_run(flows, run_prefix, run);
    if (!flow) return 2;
    detail::FlowStart start;
    start.resume_run_id = run.id;
    start.take_over = true;
    // `weft flow-run retry --from-task` against a server (its worker's claim keeps the key).
    start.from_task_run_id = retry_from_task_run(run.state);
    std::unique_ptr<ApiClient> api;
    if (detail::engine().store().remote()) {
        // Reports to a server are forced (the program is the authority on its own runs), so the
        // claim goes through the server's rules here, before any report.
        api = std::make_unique<ApiClient>(ApiSettings::from_environment().value());
        if (!claim_on_server(*api, run)) return kExitNotOurs;
        start.claimed = true;
    }
    try {
        return exit_code(flow->run(run.parameters, start));
    } catch (const detail::ClaimRefused& e) {
        std::fprintf(stderr, "weft: %s\n", e.what());
        return kExitNotOurs;
    } catch (const std::invalid_argument& e) {
        return fail_on_parameters(run, api.get(), e.what());
    }
}

} // namespace

int main(int argc, char** argv, std::vector<FlowEntry> flows) {
    CLI::App app{"A Weft flow program: runs its flows and records every run."};
    app.set_version_flag("--version", "weft SDK 0.1.0");
    app.fallthrough(); // subcommands made after this pass --db up to the app
    std::string db;
    app.add_option("--db", db,
                   "Database file (default: $WEFT_DB, else $WEFT_HOME/weft.db, else "
                   "~/.local/share/weft/weft.db)");

    auto* run_cmd = app.add_subcommand("run", "Run a flow");
    std::string flow_name;
    std::vector<std::string> param_args;
    std::string params_json;
    run_cmd->add_option("flow", flow_name, "Flow to run (optional when the program has one)");
    run_cmd->add_option("--param,-p", param_args, "A parameter, KEY=VALUE (VALUE as JSON or text)");
    run_cmd->add_option("--params-json", params_json, "All parameters as one JSON object");

    auto* list_cmd = app.add_subcommand("list", "List the program's flows and their parameters");
    bool list_json = false;
    list_cmd->add_flag("--json", list_json,
                       "As JSON: each flow's name, description and parameters' JSON schema");

    auto* rerun_cmd = app.add_subcommand("rerun", "Run a FAILED, CRASHED or CANCELLED flow run "
                                                  "again, reusing the task runs that completed");
    std::string run_id, from_task;
    rerun_cmd->add_option("run_id", run_id, "Flow run id (or a unique prefix)")->required();
    rerun_cmd->add_option("--from-task", from_task,
                          "Run this task run and everything downstream of it again");

    auto* resume_cmd = app.add_subcommand(
        "resume", "Go on with a suspended flow run once it was resumed (weft flow-run resume)");
    resume_cmd->add_option("run_id", run_id, "Flow run id (or a unique prefix)")->required();

    auto* execute_cmd = app.add_subcommand(
        "execute", "Run a flow run made elsewhere (a deployment's) that waits to be run: what a "
                   "worker starts; exit code 3 when another process has it");
    execute_cmd->add_option("run_id", run_id, "Flow run id (or a unique prefix)")->required();
    app.require_subcommand(0, 1);

    try {
        app.parse(argc, argv);
    } catch (const CLI::ParseError& e) {
        // --help and --version end with 0; any other parse error is a usage error (2).
        return app.exit(e) == 0 ? 0 : 2;
    }
    if (!db.empty()) detail::configure_database(db);
    // Running flows: Ctrl-C or SIGTERM cancel the runs and commit what is queued before exiting.
    if (!list_cmd->parsed()) detail::handle_interrupts();

    try {
        if (list_cmd->parsed()) return list_json ? list_flows_json(flows) : list_flows(flows);
        if (rerun_cmd->parsed()) return rerun(flows, run_id, from_task);
        if (resume_cmd->parsed()) return resume(flows, run_id);
        if (execute_cmd->parsed()) return execute(flows, run_id);

        const FlowEntry* flow = nullptr;
        if (!flow_name.empty()) {
            flow = find_flow(flows, flow_name);
            if (!flow) {
                std::fprintf(stderr, "weft: no flow named '%s'; `%s list` shows the flows\n",
                             flow_name.c_str(), argv[0]);
                return 2;
            }
        } else if (!flows.empty()) {
            flow = &flows.front(); // the program's main flow comes first
        } else {
            std::fprintf(stderr, "weft: this program has no flows\n");
            return 2;
        }
        nlohmann::json params = nlohmann::json::object();
        if (!params_json.empty()) {
            params = nlohmann::json::parse(params_json, nullptr, false);
            if (params.is_discarded() || !params.is_object()) {
                std::fprintf(stderr, "weft: --params-json must be a JSON object\n");
                return 2;
            }
        }
        for (const auto& p : param_args)
            add_param(params, p);
        return exit_code(flow->run(params, {}));
    } catch (const CLI::ValidationError& e) {
        std::fprintf(stderr, "weft: %s\n", e.what());
        return 2;
    } catch (const std::invalid_argument& e) {
        std::fprintf(stderr, "weft: %s\n", e.what());
        return 2;
    } catch (const std::exception& e) {
        std::fprintf(stderr, "%s%s\n",
                     std::string_view(e.what()).starts_with("weft:") ? "" : "weft: ", e.what());
        return 1;
    }
}

} // namespace weft
