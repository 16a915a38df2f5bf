// weft flow-run ls | inspect; the other flow-run commands live beside this file.
#include "commands.hpp"
#include "format.hpp"
#include "resolve.hpp"
#include "table.hpp"

#include <weft/pause.hpp>
#include <weft/record_json.hpp>

namespace weft::cli {

namespace {

struct LsOptions {
    std::vector<std::string> states;
    std::vector<std::string> flows;
    std::string limit = "20"; // read by parse_whole_number
    bool json = false;
};

std::string join(const std::vector<std::string>& items, std::string_view sep = ", ") {
    std::string s;
    for (const auto& item : items) {
        if (!s.empty()) s += sep;
        s += item;
    }
    return s;
}

Cell state_cell(const State& s) {
    return {s.name, state_color(s.type)};
}

void flow_run_ls(Cli& cli, const LsOptions& o) {
    FlowRunQuery q;
    for (const auto& s : o.states)
        q.states.push_back(parse_state_type(s));
    q.flow_names = o.flows;
    const auto limit = parse_whole_number("--limit", o.limit, 0, kMaxLimit, " (all)");
    q.limit = limit == 0 ? -1 : int(limit);
    auto runs = cli.read([&](Reader& r) { return r.flow_runs(q); });
    if (o.json) {
        auto array = nlohmann::json::array();
        for (const auto& run : runs)
            array.push_back(to_json(run));
        cli.print_json(array);
        return;
    }
    if (runs.empty()) {
        cli.out() << "No flow runs match.\n";
        return;
    }
    Table table({"ID", "FLOW", "NAME", "STATE", "START", "RUN TIME", "TASKS"});
    cli.read([&](Reader& r) {
        for (const auto& run : runs)
            table.add_row({{shown_id(cli, run.id)},
                           {run.flow_name},
                           {run.name},
                           state_cell(run.state),
                           {local_time(run.start_time)},
                           {run_duration(run)},
                           {std::to_string(r.count_task_runs(run.id))}});
    });
    table.print(cli.out(), cli.color());
}

// A paused run's way on: until when, and the input fields the resume must give.
void add_pause_rows(Cli& cli, const FlowRunRecord& run,
                    std::vector<std::pair<std::string, std::string>>& rows) {
    if (run.state.type != StateType::Paused || cli.api()) return;
    if (auto until = pause_timeout(run.state))
        rows.emplace_back("resume before", local_time(until));
    const auto schema = paused_input_schema(cli.engine(), run.id);
    std::string fields;
    // Kept in a variable: items() of a temporary would outlive it.
    const auto properties = schema.is_object()
                                ? schema.value("properties", nlohmann::json::object())
                                : nlohmann::json();
    if (properties.is_object())
        for (const auto& [name, field] : properties.items()) {
            fields += (fields.empty() ? "" : ", ") + name + " (" + field.value("type", "?");
            if (field.contains("default")) fields += " = " + field["default"].dump();
            fields += ")";
        }
    rows.emplace_back("resume with", "weft flow-run resume " + short_id(run.id)
                                         + (fields.empty() ? "" : " --input '{…}'"));
    if (!fields.empty()) rows.emplace_back("input fields", fields);
}

void print_inspect(Cli& cli, const FlowRunRecord& run, const std::vector<TaskRunRecord>& tasks) {
    const bool color = cli.color();
    std::vector<std::pair<std::string, std::string>> rows = {
        {"id", run.id},
        {"name", run.name},
        {"flow", run.flow_name},
        {"state", paint(state_with_message(run.state), state_color(run.state.type), color)},
        {"start", local_time(run.start_time)},
        {"end", local_time(run.end_time)},
        {"duration", run_duration(run)},
        {"run count", std::to_string(run.run_count)},
        {"parameters", run.parameters.dump()},
        {"tags", run.tags.empty() ? "-" : join(run.tags)},
        {"program", run.launch.program.empty() ? "-" : run.launch.program},
        {"working dir", run.launch.working_dir.empty() ? "-" : run.launch.working_dir},
    };
    if (!run.parent_task_run_id.empty()) rows.emplace_back("parent task", run.parent_task_run_id);
    if (run.process.pid > 0)
        rows.emplace_back("process",
                          "pid " + std::to_string(run.process.pid) + " on " + run.process.host);
    if (!run.result.is_null())
        rows.emplace_back("result", truncate_display(run.result.dump(), 200));
    add_pause_rows(cli, run, rows);
    size_t key_width = 0;
    for (const auto& [k, v] : rows)
        key_width = std::max(key_width, k.size());
    for (const auto& [k, v] : rows)
        cli.out() << paint(k, ansi::bold, color) << std::string(key_width - k.size() + 2, ' ') << v
                  << '\n';
    cli.out() << '\n';
    if (tasks.empty()) {
        cli.out() << "No task runs.\n";
        return;
    }
    cli.out() << paint("Task runs (" + std::to_string(tasks.size()) + ")", ansi::bold, color)
              << '\n';
    print_task_runs(cli, tasks);
}

void flow_run_inspect(Cli& cli, const std::string& prefix, bool json) {
    const FlowRunRecord run = load_flow_run(cli, prefix);
    auto tasks = cli.read([&](Reader& r) { return r.task_runs(run.id); });
    if (!json) return print_inspect(cli, run, tasks);
    // The run as `flow-run ls --json` shows it, plus its task runs and the states it went through.
    auto j = to_json(run);
    j["task_runs"] = nlohmann::json::array();
    for (const auto& t : tasks)
        j["task_runs"].push_back(to_json(t));
    if (!cli.api())
        if (auto schema = paused_input_schema(cli.engine(), run.id); !schema.is_null())
            j["pause_input_schema"] = std::move(schema);
    j["state_history"] = nlohmann::json::array();
    for (const auto& s : cli.read([&](Reader& r) { return r.state_history(run.id); }))
        j["state_history"].push_back(to_json(s));
    cli.print_json(j);
}

} // namespace

void print_task_runs(Cli& cli, const std::vector<TaskRunRecord>& tasks) {
    Table table({"ID", "NAME", "STATE", "START", "RUN TIME", "MESSAGE"});
    table.set_max_width(5, 60);
    cli.read([&](Reader&) {
        for (const auto& t : tasks)
            table.add_row({{shown_id(cli, t.id)},
                           {t.name},
                           state_cell(t.state),
                           {local_time(t.start_time)},
                           {run_duration(t)},
                           {t.state.message}});
    });
    table.print(cli.out(), cli.color());
}

void add_flow_run_commands(CLI::App& app, Cli& cli) {
    auto* fr =
        app.add_subcommand("flow-run", "Flow runs: list, inspect, follow logs, retry, cancel");
    fr->require_subcommand(1);

    auto ls_opts = std::make_shared<LsOptions>();
    auto* ls = fr->add_subcommand("ls", "List flow runs, newest expected start first");
    ls->add_option("--state", ls_opts->states, "Only runs in this state type (repeatable)")
        ->check(state_type_check())
        ->delimiter(',')
        ->type_name("TYPE");
    ls->add_option("--flow", ls_opts->flows, "Only runs of this flow (repeatable)")
        ->type_name("NAME");
    ls->add_option("--limit", ls_opts->limit, "At most N runs (up to 1000000); 0 for all")
        ->capture_default_str()
        ->type_name("N");
    ls->add_flag("--json", ls_opts->json, "Print a JSON array of flow runs");
    ls->callback([&cli, ls_opts] { flow_run_ls(cli, *ls_opts); });

    auto id = std::make_shared<std::string>();
    auto json = std::make_shared<bool>(false);
    auto* inspect = fr->add_subcommand("inspect", "Show one flow run and its task runs");
    inspect->add_option("ID", *id, "Flow run id or a unique prefix of it")->required();
    inspect->add_flag("--json", *json, "Print the run as JSON, with task_runs and state_history");
    inspect->callback([&cli, id, json] { flow_run_inspect(cli, *id, *json); });

    add_flow_run_logs(*fr, cli);
    add_flow_run_retry(*fr, cli);
    add_flow_run_actions(*fr, cli);
}

} // namespace weft::cli
