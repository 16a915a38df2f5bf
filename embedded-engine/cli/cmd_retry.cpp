// weft flow-run retry ID [--from-task TASK_RUN_ID] [--detach]: starts the run's own program again
// with `rerun`, where and how it was first started, through the engine's launcher. Against a
// server, a deployment's run is set back to SCHEDULED (AwaitingRetry) for a worker of its pool,
// which is what --detach means there.
#include "commands.hpp"
#include "format.hpp"
#include "resolve.hpp"

#include <weft/launcher.hpp>
#include <weft/remote_actions.hpp>

namespace weft::cli {

namespace {

struct RetryOptions {
    std::string id;
    std::string from_task;
    bool detach = false;
};

std::string command_line(const LaunchRequest& r) {
    std::string line = r.program;
    for (const auto& a : r.arguments)
        line += " " + a;
    return line;
}

// On a server: Prefect's retry, AwaitingRetry through the rules; a worker of the run's pool runs
// it again (PROGRAM execute), reusing its completed task runs. With --from-task the state's
// details name the task run to start from (kRetryFromTaskRunKey), Weft's extension.
void remote_retry(Cli& cli, const RetryOptions& o) {
    ApiClient& api = *cli.api();
    const FlowRunRecord run = load_flow_run(cli, o.id);
    const nlohmann::json raw = api.get("/flow_runs/" + run.id);
    const auto deployment = raw.find("deployment_id");
    if (deployment == raw.end() || !deployment->is_string())
        throw CliError("flow run " + run.id + " (" + run.name
                       + ") was not made by a deployment, so no worker can run it again; retry "
                         "it with --db on the database its program used");
    std::optional<TaskRunRecord> from;
    if (!o.from_task.empty()) {
        from = load_task_run(cli, o.from_task);
        if (from->flow_run_id != run.id)
            throw CliError("task run " + from->name + " (" + from->id
                           + ") belongs to another flow run (" + from->flow_run_id + "), not to "
                           + run.id);
    }
    const bool completed_from_task = from && run.state.type == StateType::Completed;
    if (!is_resumable(run.state.type) && !completed_from_task)
        throw CliError("flow run " + run.id + " is " + std::string(to_string(run.state.type))
                       + "; only a FAILED, CRASHED or CANCELLED run can be retried (a COMPLETED "
                         "one with --from-task)");
    State proposed =
        states::awaiting_retry(now_us(), from ? "Retried by a user from task run " + from->id + "."
                                              : "Retried by a user.");
    if (from) proposed.details[kRetryFromTaskRunKey] = from->id;
    // The rules end a COMPLETED run for good; rerunning part of one is a person's decision,
    // checked above, so that proposal is forced (as Studio forces its retries).
    const Outcome outcome =
        propose_state(api, RemoteRun::Flow, run.id, run.state, proposed, completed_from_task);
    if (!outcome.accepted())
        throw CliError("cannot retry flow run " + run.id + ": " + outcome.reason);
    cli.out() << "Retrying flow run " << run.id << " (" << run.name << ")"
              << (from ? " from task run " + from->id + " (" + from->name + ")" : std::string())
              << ": a worker of its pool runs it again.\n";
}

void flow_run_retry(Cli& cli, const RetryOptions& o) {
    if (cli.api()) return remote_retry(cli, o);
    auto& engine = cli.engine(false, "weft flow-run retry");
    // Prefixes, tails and names resolve here, with the command line's own messages.
    const std::string run_id = resolve_flow_run(engine, o.id);
    const std::string task_run_id =
        o.from_task.empty() ? std::string() : resolve_task_run(engine, o.from_task);
    const RerunCheck check = check_rerun(engine.store(), run_id, task_run_id);
    if (!check.ok()) {
        std::string why = check.reason;
        if (check.refusal == RerunRefusal::CompletedNeedsFromTask)
            why += " (--from-task TASK_RUN_ID)";
        throw CliError(why);
    }
    const FlowRunRecord& run = *check.run;
    const std::string label =
        "flow run " + short_flow_run_id(engine, run.id) + " (" + run.name + ")";

    LaunchRequest request = rerun_request(run, task_run_id, cli.db_path());
    request.detach = o.detach;
    if (!o.detach) cli.out() << "Retrying " << label << ": " << command_line(request) << std::endl;
    // The program opens the database itself; nothing of ours stays open while it runs.
    cli.close();

    const LaunchResult started = launch(request);
    if (!started.ok()) throw CliError(started.error);
    if (o.detach) {
        cli.out() << "Retrying " << label << " in the background: pid " << started.pid << " runs "
                  << command_line(request) << ". Follow it with: weft flow-run logs "
                  << short_id(run.id) << " --follow\n";
        return;
    }
    cli.exit_code = started.exit->shell_code();
}

} // namespace

void add_flow_run_retry(CLI::App& fr, Cli& cli) {
    auto o = std::make_shared<RetryOptions>();
    auto* retry = fr.add_subcommand(
        "retry", "Run a FAILED, CRASHED or CANCELLED flow run again with its own program "
                 "(PROGRAM rerun ID), reusing the results of tasks that completed");
    retry->add_option("ID", o->id, "Flow run id or a unique prefix of it")->required();
    retry
        ->add_option("--from-task", o->from_task,
                     "Run this task run and everything downstream of it again (also for a "
                     "COMPLETED flow run); against a server the worker's program does")
        ->type_name("TASK_RUN_ID");
    retry->add_flag("--detach", o->detach,
                    "Start the program in the background, say which (with its pid) and return. "
                    "Against a server (WEFT_API_URL) a retry is always left to a worker of the "
                    "run's pool and the command returns at once");
    retry->callback([&cli, o] { flow_run_retry(cli, *o); });
}

} // namespace weft::cli
