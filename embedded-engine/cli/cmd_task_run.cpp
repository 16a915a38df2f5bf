// weft task-run ls --flow-run ID | set-state ID STATE
#include "commands.hpp"
#include "format.hpp"
#include "resolve.hpp"

#include <weft/record_json.hpp>
#include <weft/remote_actions.hpp>

namespace weft::cli {

namespace {

void task_run_ls(Cli& cli, const std::string& flow_run, bool json) {
    const std::string id = resolve_flow_run(cli, flow_run);
    auto tasks = cli.read([&](Reader& r) { return r.task_runs(id); });
    if (json) {
        auto array = nlohmann::json::array();
        for (const auto& t : tasks)
            array.push_back(to_json(t));
        cli.print_json(array);
        return;
    }
    if (tasks.empty()) {
        cli.out() << "Flow run " << shown_id(cli, id) << " has no task runs.\n";
        return;
    }
    print_task_runs(cli, tasks);
}

void task_run_set_state(Cli& cli, const SetStateOptions& o) {
    const TaskRunRecord task = load_task_run(cli, o.id);
    const State proposed = make_user_state(parse_state_type(o.type), o.name, o.message);
    const Outcome outcome =
        cli.api()
            ? propose_state(*cli.api(), RemoteRun::Task, task.id, task.state, proposed, o.force)
            : cli.engine()
                  .set_task_run_state(task.id, Proposal{proposed, Origin::User, o.force})
                  .outcome;
    report_transition(cli, outcome, "task run " + shown_id(cli, task.id) + " (" + task.name + ")",
                      proposed);
}

} // namespace

void add_task_run_commands(CLI::App& app, Cli& cli) {
    auto* tr = app.add_subcommand("task-run", "Task runs: the calls of tasks within a flow run");
    tr->require_subcommand(1);

    auto flow_run = std::make_shared<std::string>();
    auto json = std::make_shared<bool>(false);
    auto* ls =
        tr->add_subcommand("ls", "List the task runs of a flow run, in the order they began");
    ls->add_option("--flow-run", *flow_run, "Flow run id or a unique prefix of it")
        ->required()
        ->type_name("ID");
    ls->add_flag("--json", *json, "Print a JSON array of task runs");
    ls->callback([&cli, flow_run, json] { task_run_ls(cli, *flow_run, *json); });

    auto set = std::make_shared<SetStateOptions>();
    auto* set_state = tr->add_subcommand(
        "set-state", "Mark a task run as another state (as a person; the rules may refuse)");
    add_state_options(*set_state, *set, "Task run id or a unique prefix of it");
    set_state->callback([&cli, set] { task_run_set_state(cli, *set); });
}

} // namespace weft::cli
