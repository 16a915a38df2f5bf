// weft flow-run retry ID [--from-task TASK_RUN_ID] [--detach]: starts the run's own program again
// with `rerun`, where and how it was first started.
#include "commands.hpp"
#include "format.hpp"
#include "resolve.hpp"
#include "spawn.hpp"

#include <filesystem>
#include <unistd.h>

namespace weft::cli {

namespace {

namespace fs = std::filesystem;

struct RetryOptions {
    std::string id;
    std::string from_task;
    bool detach = false;
};

// `label` names the run in messages, e.g. "flow run 01a212fa-b3e5 (keen-salmon)".
void check_retryable(const FlowRunRecord& run, const std::string& label, bool from_task) {
    const StateType t = run.state.type;
    if (is_resumable(t) || (t == StateType::Completed && from_task)) return;
    std::string why = label + " is " + std::string(to_string(t))
                      + "; only a FAILED, CRASHED or CANCELLED run can be retried";
    if (t == StateType::Completed) why += " (a COMPLETED one with --from-task TASK_RUN_ID)";
    throw CliError(why);
}

// The program and folder recorded at launch, checked before anything is started.
void check_launch(const FlowRunRecord& run, const std::string& label) {
    const auto& launch = run.launch;
    if (launch.program.empty())
        throw CliError(label + " does not record the program that ran it, so it cannot be retried");
    std::error_code ec;
    if (!fs::is_regular_file(launch.program, ec))
        throw CliError("the program that ran " + label + ", " + launch.program
                       + ", no longer exists; rebuild it there to retry");
    if (access(launch.program.c_str(), X_OK) != 0)
        throw CliError("the program " + launch.program + " is not executable");
    if (!launch.working_dir.empty() && !fs::is_directory(launch.working_dir, ec))
        throw CliError("the folder " + label + " ran in, " + launch.working_dir
                       + ", no longer exists");
}

std::string absolute_path(const std::string& path) {
    std::error_code ec;
    auto p = fs::absolute(path, ec);
    return ec ? path : p.lexically_normal().string();
}

void flow_run_retry(Cli& cli, const RetryOptions& o) {
    auto& engine = cli.engine();
    const FlowRunRecord run = load_flow_run(engine, o.id);
    const std::string label =
        "flow run " + short_flow_run_id(engine, run.id) + " (" + run.name + ")";
    std::string task_run_id;
    if (!o.from_task.empty()) {
        const TaskRunRecord task = load_task_run(engine, o.from_task);
        if (task.flow_run_id != run.id)
            throw CliError("task run " + short_task_run_id(engine, task.id)
                           + " belongs to another flow run (" + task.flow_run_id + ")");
        task_run_id = task.id;
    }
    check_retryable(run, label, !task_run_id.empty());
    check_launch(run, label);

    SpawnRequest request;
    request.program = run.launch.program;
    request.args = {"rerun", run.id};
    if (!task_run_id.empty()) request.args.insert(request.args.end(), {"--from-task", task_run_id});
    request.working_dir = run.launch.working_dir;
    // Absolute: the program runs in another folder, and must write to this very database.
    request.env = {{"WEFT_DB", absolute_path(cli.db_path())}};
    // Shells and many programs trust $PWD; an inherited one would name this process's folder.
    if (!request.working_dir.empty()) request.env.emplace_back("PWD", request.working_dir);
    request.detach = o.detach;
    if (!o.detach)
        cli.out() << "Retrying " << label << ": " << request.program << " rerun " << run.id
                  << std::endl;
    // The program opens the database itself; nothing of ours stays open while it runs.
    cli.close();

    Child child(request);
    if (o.detach) {
        cli.out() << "Retrying " << label << " in the background: pid " << child.pid() << " runs "
                  << request.program << " rerun " << run.id
                  << ". Follow it with: weft flow-run logs " << short_id(run.id) << " --follow\n";
        return;
    }
    cli.exit_code = child.wait();
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
                     "COMPLETED flow run)")
        ->type_name("TASK_RUN_ID");
    retry->add_flag("--detach", o->detach,
                    "Start the program in the background, say which (with its pid) and return");
    retry->callback([&cli, o] { flow_run_retry(cli, *o); });
}

} // namespace weft::cli
