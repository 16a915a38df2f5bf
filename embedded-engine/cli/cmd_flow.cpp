// weft flow ls
#include "commands.hpp"
#include "format.hpp"
#include "table.hpp"

#include <weft/record_json.hpp>

namespace weft::cli {

namespace {

void flow_ls(Cli& cli, bool json) {
    auto flows = cli.read([](Reader& r) { return r.flows(); });
    if (json) {
        auto array = nlohmann::json::array();
        for (const auto& f : flows)
            array.push_back(to_json(f));
        cli.print_json(array);
        return;
    }
    if (flows.empty()) {
        cli.out() << "No flows yet.\n";
        return;
    }
    // Full ids: nothing takes a flow id as a prefix, and flows made together share the first 8.
    Table table({"NAME", "CREATED", "TAGS", "ID"});
    for (const auto& f : flows) {
        std::string tags;
        for (const auto& t : f.tags)
            tags += (tags.empty() ? "" : ", ") + t;
        table.add_row({{f.name}, {local_time(f.created)}, {tags}, {f.id}});
    }
    table.print(cli.out(), cli.color());
}

} // namespace

void add_flow_commands(CLI::App& app, Cli& cli) {
    auto* flow = app.add_subcommand("flow", "Flows: the named functions runs are made of");
    flow->require_subcommand(1);
    auto* ls = flow->add_subcommand("ls", "List flows by name");
    auto json = std::make_shared<bool>(false);
    ls->add_flag("--json", *json, "Print a JSON array of flows");
    ls->callback([&cli, json] { flow_ls(cli, *json); });
}

} // namespace weft::cli
