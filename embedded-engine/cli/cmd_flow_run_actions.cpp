// weft flow-run cancel | delete | set-state | resume: changes a person asks for, answered by the
// rules.
#include "commands.hpp"
#include "format.hpp"
#include "resolve.hpp"

#include <weft/launcher.hpp>
#include <weft/pause.hpp>
#include <weft/remote_actions.hpp>

namespace weft::cli {

namespace {

std::string describe(Cli& cli, const FlowRunRecord& run) {
    return "flow run " + shown_id(cli, run.id) + " (" + run.name + ")";
}

// A server's run: CANCELLING while something may run it (its worker or program stops it and
// ends it CANCELLED), else CANCELLED at once — as the engine cancels a local run.
Outcome cancel_remote(ApiClient& api, const FlowRunRecord& run, const std::string& message) {
    const bool may_run = run.state.type == StateType::Running
                         || run.state.type == StateType::Pending
                         || run.state.type == StateType::Paused;
    State proposed = make_state(may_run ? StateType::Cancelling : StateType::Cancelled);
    proposed.message = message;
    return propose_state(api, RemoteRun::Flow, run.id, run.state, proposed, false);
}

void flow_run_cancel(Cli& cli, const std::string& prefix, const std::string& message) {
    const FlowRunRecord run = load_flow_run(cli, prefix);
    const Outcome outcome = cli.api() ? cancel_remote(*cli.api(), run, message)
                                      : cli.engine().cancel_flow_run(run.id, message);
    const bool stored =
        outcome.accepted() || (outcome.decision == Decision::Reject && outcome.state);
    if (!stored || !outcome.state)
        throw CliError("cannot cancel " + describe(cli, run) + ": " + outcome.reason);
    if (outcome.state->type == StateType::Cancelling)
        cli.out() << "Cancelling " << describe(cli, run) << ": its program was asked to stop.\n";
    else
        cli.out() << "Cancelled " << describe(cli, run) << ".\n";
}

void flow_run_delete(Cli& cli, const std::string& prefix) {
    const FlowRunRecord run = load_flow_run(cli, prefix);
    const std::string label = describe(cli, run);
    if (ApiClient* api = cli.api()) {
        delete_remote_flow_run(*api, run.id);
        cli.out() << "Deleted " << label << ".\n";
        return;
    }
    auto& engine = cli.engine();
    // Its program would go on writing task runs and logs of a run that no longer exists.
    if (!is_terminal(run.state.type) && process_alive(run.process, now_us()))
        throw CliError(label + " is still running in pid " + std::to_string(run.process.pid)
                       + "; cancel it first (weft flow-run cancel "
                       + short_flow_run_id(engine, run.id) + ")");
    engine.delete_flow_run(run.id);
    cli.out() << "Deleted " << label << ".\n";
}

// A suspended run goes on in its own program, started again where it first ran: checked before
// the resume, so that a resume never leaves a run that nothing can start.
// A suspended run goes on in a new process of its program: the launcher's checks.
void check_program(const FlowRunRecord& run, const std::string& label) {
    const RerunCheck check = check_launchable(run);
    if (!check.ok()) throw CliError("cannot resume " + label + ": " + check.reason);
}

// A server's run: Prefect's POST /flow_runs/{id}/resume, which validates the input against the
// pause's form and moves the run on; its waiting program takes it up from there, and a suspended
// run's program is started again by a worker of its pool.
void flow_run_resume_remote(Cli& cli, ApiClient& api, const std::string& prefix,
                            const std::optional<nlohmann::json>& input) {
    const FlowRunRecord run = load_flow_run(cli, prefix);
    const std::string label = describe(cli, run);
    nlohmann::json body = nlohmann::json::object();
    if (input) body["run_input"] = *input;
    const nlohmann::json result = api.post("/flow_runs/" + run.id + "/resume", body);
    if (result.value("status", "") != "ACCEPT") {
        const nlohmann::json details = result.value("details", nlohmann::json::object());
        throw CliError("cannot resume " + label + ": "
                       + details.value("reason", "the server answered "
                                                     + result.value("status", "no decision")));
    }
    const nlohmann::json state = result.value("state", nlohmann::json::object());
    if (state.value("type", "") == "SCHEDULED")
        cli.out() << "Resumed " << label << ": a worker of its pool starts its program again.\n";
    else
        cli.out() << "Resumed " << label << "; its program goes on.\n";
}

void flow_run_resume(Cli& cli, const std::string& prefix, const std::string& input_text) {
    std::optional<nlohmann::json> input;
    if (!input_text.empty()) {
        input = nlohmann::json::parse(input_text, nullptr, false);
        if (input->is_discarded())
            throw usage_error("--input is not JSON; give an object of the pause's fields, e.g. "
                              "'{\"approved\": true}'");
    }
    if (ApiClient* api = cli.api()) return flow_run_resume_remote(cli, *api, prefix, input);
    auto& engine = cli.engine(false, "weft flow-run resume");
    const FlowRunRecord run = load_flow_run(engine, prefix);
    const std::string label = describe(cli, run);
    // Resumed earlier, and its program never took it (it could not start): start it again.
    const bool restart = is_resuming(run.state) && run.process.pid == 0;
    if (is_suspended(run.state) || restart) check_program(run, label);
    ResumeOutcome outcome;
    if (restart) {
        outcome.accepted = outcome.start_program = true;
    } else {
        outcome = resume_flow_run(engine, run.id, input);
    }
    if (!outcome.accepted) throw CliError("cannot resume " + label + ": " + outcome.reason);
    if (!outcome.start_program) {
        cli.out() << "Resumed " << label << "; its program goes on.\n";
        return;
    }
    LaunchRequest request = resume_request(run, cli.db_path());
    request.detach = true;
    cli.close(); // the program opens the database itself
    const LaunchResult started = launch(request);
    if (!started.ok()) throw CliError("cannot start " + run.launch.program + ": " + started.error);
    cli.out() << "Resumed " << label << ": pid " << started.pid << " runs " << request.program
              << " resume " << run.id << ". Follow it with: weft flow-run logs " << short_id(run.id)
              << " --follow\n";
}

void flow_run_set_state(Cli& cli, const SetStateOptions& o) {
    const FlowRunRecord run = load_flow_run(cli, o.id);
    const State proposed = make_user_state(parse_state_type(o.type), o.name, o.message);
    const Outcome outcome =
        cli.api() ? propose_state(*cli.api(), RemoteRun::Flow, run.id, run.state, proposed, o.force)
                  : cli.engine()
                        .set_flow_run_state(run.id, Proposal{proposed, Origin::User, o.force})
                        .outcome;
    report_transition(cli, outcome, describe(cli, run), proposed);
}

} // namespace

State make_user_state(StateType type, const std::string& name, const std::string& message) {
    // A SCHEDULED state without a time would never be picked up again: schedule it for now.
    State s = type == StateType::Scheduled
                  ? states::scheduled(now_us(), name.empty() ? "Scheduled" : name)
                  : make_state(type, name);
    s.message = message;
    return s;
}

void report_transition(Cli& cli, const Outcome& outcome, const std::string& what,
                       const State& proposed) {
    if (outcome.accepted() && outcome.state) {
        cli.out() << "Set " << what << " to " << outcome.state->name << ".\n";
        return;
    }
    if (outcome.decision == Decision::Reject && outcome.state) {
        // The rules stored another state instead (e.g. CANCELLED when nothing runs the run).
        cli.out() << outcome.reason << " Set " << what << " to " << outcome.state->name << ".\n";
        return;
    }
    throw CliError("cannot set " + what + " to " + proposed.name + ": " + outcome.reason);
}

void add_state_options(CLI::App& cmd, SetStateOptions& o, const char* id_help) {
    cmd.add_option("ID", o.id, id_help)->required();
    cmd.add_option("STATE", o.type, "The state type: COMPLETED, FAILED, CANCELLED, …")
        ->required()
        ->check(state_type_check());
    cmd.add_option("--name", o.name, "The state's name (default: the type's, e.g. Completed)");
    cmd.add_option("--message", o.message, "Why (stored on the state)");
    cmd.add_flag("--force", o.force, "Skip the orchestration rules");
}

void add_flow_run_actions(CLI::App& fr, Cli& cli) {
    auto cancel_id = std::make_shared<std::string>();
    auto cancel_message = std::make_shared<std::string>();
    auto* cancel = fr.add_subcommand(
        "cancel", "Cancel a flow run: CANCELLING while its program runs, else CANCELLED at once");
    cancel->add_option("ID", *cancel_id, "Flow run id or a unique prefix of it")->required();
    cancel->add_option("--message", *cancel_message, "Why (stored on the state)");
    cancel->callback(
        [&cli, cancel_id, cancel_message] { flow_run_cancel(cli, *cancel_id, *cancel_message); });

    auto delete_id = std::make_shared<std::string>();
    auto* del = fr.add_subcommand(
        "delete", "Delete a flow run with its task runs, subflow runs, logs and history");
    del->add_option("ID", *delete_id, "Flow run id or a unique prefix of it")->required();
    del->callback([&cli, delete_id] { flow_run_delete(cli, *delete_id); });

    auto resume_id = std::make_shared<std::string>();
    auto resume_input = std::make_shared<std::string>();
    auto* resume = fr.add_subcommand(
        "resume", "Resume a PAUSED flow run: its waiting program goes on, or a suspended run's "
                  "program is started again (PROGRAM resume ID) in the background");
    resume->add_option("ID", *resume_id, "Flow run id or a unique prefix of it")->required();
    resume
        ->add_option("--input", *resume_input,
                     "The input the pause waits for, a JSON object of its fields "
                     "(weft flow-run inspect shows them)")
        ->type_name("JSON");
    resume->callback(
        [&cli, resume_id, resume_input] { flow_run_resume(cli, *resume_id, *resume_input); });

    auto set = std::make_shared<SetStateOptions>();
    auto* set_state = fr.add_subcommand(
        "set-state", "Mark a flow run as another state (as a person; the rules may refuse)");
    add_state_options(*set_state, *set, "Flow run id or a unique prefix of it");
    set_state->callback([&cli, set] { flow_run_set_state(cli, *set); });
}

} // namespace weft::cli
