// weft deploy PROGRAM:FLOW -n NAME [--pool POOL] [--cron EXPR | --interval SECONDS] [--param k=v]…
// weft deployment ls [--json] | run FLOW/NAME [--param k=v]…
// Against a server only (WEFT_API_URL): deployments live there, and its workers run them.
#include "commands.hpp"
#include "program_flows.hpp"
#include "table.hpp"

#include <weft/pool_api.hpp>

#include <cmath>
#include <filesystem>
#include <map>
#include <sstream>
#include <unistd.h>

namespace weft::cli {

namespace {

namespace fs = std::filesystem;
using nlohmann::json;

struct DeployOptions {
    std::string target; // PROGRAM:FLOW
    std::string name;
    std::string pool;
    std::string cron;
    std::string interval;
    std::vector<std::string> params;
};

json parameters_of(const std::vector<std::string>& assignments) {
    json params = json::object();
    for (const auto& a : assignments) {
        try {
            add_parameter(params, a);
        } catch (const std::invalid_argument& e) {
            throw usage_error(std::string("--param: ") + e.what());
        }
    }
    return params;
}

// "PROGRAM:FLOW" checked: the program is there, may be run, and has that flow; with the flow's
// parameter schema when the program gives one.
struct CheckedTarget {
    Entrypoint entry;
    json parameter_schema; // null: the program did not say
};

CheckedTarget checked_entrypoint(const std::string& target) {
    auto entry = parse_entrypoint(target);
    if (!entry) throw usage_error("expected PROGRAM:FLOW, got '" + target + "'");
    std::error_code ec;
    const fs::path program = fs::weakly_canonical(fs::absolute(entry->program, ec), ec);
    if (ec || !fs::is_regular_file(program, ec)) throw CliError("no program at " + entry->program);
    if (::access(program.c_str(), X_OK) != 0)
        throw CliError(program.string() + " is not executable");
    entry->program = program.string();
    const auto flows = program_flows(entry->program);
    const auto flow = std::find_if(flows.begin(), flows.end(),
                                   [&](const ProgramFlow& f) { return f.name == entry->flow; });
    if (flow == flows.end()) {
        std::string names;
        for (const auto& f : flows)
            names += (names.empty() ? "" : ", ") + f.name;
        throw CliError(entry->program + " has no flow named '" + entry->flow + "'"
                       + (names.empty() ? "" : "; its flows: " + names));
    }
    return {*entry, flow->parameter_schema};
}

// The flow's schema with the deployment's parameters as its properties' defaults (as Prefect's
// UI prefills a run's form from them); a parameter the schema does not name stays out of it.
json schema_with_defaults(json schema, const json& params) {
    if (!schema.is_object()) return schema;
    auto properties = schema.find("properties");
    if (properties == schema.end() || !properties->is_object()) return schema;
    for (auto it = params.begin(); it != params.end(); ++it)
        if (auto p = properties->find(it.key()); p != properties->end() && p->is_object())
            (*p)["default"] = it.value();
    return schema;
}

// Cron's five fields (Prefect's croniter takes a sixth for seconds) or a macro like @daily; the
// server checks the fields themselves.
void check_cron(const std::string& cron) {
    std::istringstream words(cron);
    int fields = 0;
    for (std::string w; words >> w;)
        ++fields;
    const bool macro = fields == 1 && cron.find('@') != std::string::npos;
    if (!macro && fields != 5 && fields != 6)
        throw usage_error("--cron takes 5 fields (minute hour day month weekday), got '" + cron
                          + "'");
}

std::string curl_command(const ApiSettings& s, const std::string& deployment_id) {
    std::string auth;
    if (!s.auth_string.empty()) auth = " -u \"$WEFT_API_AUTH_STRING\"";
    if (!s.api_key.empty()) auth = " -H \"Authorization: Bearer $WEFT_API_KEY\"";
    return "curl -X POST" + auth + " " + s.url + "/deployments/" + deployment_id
           + "/create_flow_run -H 'Content-Type: application/json' -d '{\"parameters\": {}}'";
}

void deploy(Cli& cli, const DeployOptions& o) {
    if (o.name.empty()) throw usage_error("-n NAME must not be empty");
    const json params = parameters_of(o.params);
    json schedules = json::array();
    if (!o.interval.empty()) {
        const auto seconds = parse_whole_number("--interval", o.interval, 1, 10LL * 366 * 86400);
        schedules.push_back({{"schedule", {{"interval", seconds}}}, {"active", true}});
    } else if (!o.cron.empty()) {
        check_cron(o.cron);
        schedules.push_back({{"schedule", {{"cron", o.cron}}}, {"active", true}});
    }
    const CheckedTarget target = checked_entrypoint(o.target);
    const Entrypoint& entry = target.entry;
    ApiClient& api = cli.server("weft deploy");

    if (!o.pool.empty() && !find_work_pool(api, o.pool)) {
        create_work_pool(api, o.pool);
        cli.out() << "Created work pool " << o.pool << ".\n";
    }
    const json flow = api.post("/flows/", {{"name", entry.flow}});
    std::error_code ec;
    json body = {{"name", o.name},
                 {"flow_id", flow.at("id")},
                 {"entrypoint", entry.program + ":" + entry.flow},
                 {"path", fs::current_path(ec).string()},
                 {"parameters", params},
                 {"schedules", schedules},
                 // The program checks its parameters itself (a run with bad ones FAILS).
                 {"enforce_parameter_schema", false}};
    if (!o.pool.empty()) body["work_pool_name"] = o.pool;
    if (target.parameter_schema.is_object())
        body["parameter_openapi_schema"] = schema_with_defaults(target.parameter_schema, params);
    const json deployment = api.post("/deployments/", body);
    const std::string id = deployment.at("id").get<std::string>();

    auto& out = cli.out();
    out << "Deployment " << entry.flow << "/" << o.name << ": " << id << "\n";
    if (!o.interval.empty()) out << "Runs every " << o.interval << " s.\n";
    if (!o.cron.empty()) out << "Runs on the cron schedule '" << o.cron << "'.\n";
    if (o.pool.empty())
        out << "No work pool: no worker runs it until it has one (--pool POOL).\n";
    else
        out << "Workers of pool " << o.pool << " run it: weft worker start --pool " << o.pool
            << "\n";
    out << "Run it now with: weft deployment run " << entry.flow << "/" << o.name << "\n"
        << "or: " << curl_command(api.settings(), id) << "\n";
}

std::string text_of(const json& j, const char* key) {
    auto it = j.find(key);
    if (it == j.end() || it->is_null()) return "-";
    return it->is_string() ? it->get<std::string>() : it->dump();
}

// Seconds as people write them: 3600, 0.5 (servers send intervals as floats).
std::string seconds_text(const json& v) {
    if (!v.is_number()) return v.is_string() ? v.get<std::string>() : v.dump();
    const double s = v.get<double>();
    if (s == std::floor(s) && std::abs(s) < 1e15) return std::to_string(std::int64_t(s));
    return v.dump();
}

std::string schedule_text(const json& deployment) {
    const json schedules = deployment.value("schedules", json::array());
    std::string out;
    for (const auto& s : schedules) {
        const json sched = s.value("schedule", json::object());
        std::string one = sched.contains("interval")
                              ? "every " + seconds_text(sched["interval"]) + " s"
                          : sched.contains("cron")  ? "cron " + text_of(sched, "cron")
                          : sched.contains("rrule") ? "rrule " + text_of(sched, "rrule")
                                                    : "?";
        if (!s.value("active", true)) one += " (inactive)";
        out += (out.empty() ? "" : "; ") + one;
    }
    return out.empty() ? "-" : out;
}

// Flow names by id, for the deployments' FLOW/NAME.
std::map<std::string, std::string> flow_names(ApiClient& api, const json& deployments) {
    json ids = json::array();
    for (const auto& d : deployments)
        if (d.contains("flow_id")) ids.push_back(d["flow_id"]);
    std::map<std::string, std::string> names;
    if (ids.empty()) return names;
    const json flows =
        api.post("/flows/filter", {{"flows", {{"id", {{"any_", ids}}}}}, {"limit", 200}});
    for (const auto& f : flows)
        names[f.value("id", std::string())] = f.value("name", std::string());
    return names;
}

void deployment_ls(Cli& cli, bool as_json) {
    ApiClient& api = cli.server("weft deployment ls");
    const json deployments =
        api.post("/deployments/filter", {{"limit", 200}, {"sort", "NAME_ASC"}});
    if (as_json) {
        cli.print_json(deployments);
        return;
    }
    if (!deployments.is_array() || deployments.empty()) {
        cli.out() << "No deployments yet; make one with: weft deploy PROGRAM:FLOW -n NAME\n";
        return;
    }
    const auto flows = flow_names(api, deployments);
    Table table({"DEPLOYMENT", "POOL", "SCHEDULE", "ENTRYPOINT", "ID"});
    for (const auto& d : deployments) {
        const auto flow = flows.find(d.value("flow_id", std::string()));
        const std::string flow_name = flow == flows.end() ? "?" : flow->second;
        table.add_row({{flow_name + "/" + d.value("name", std::string())},
                       {text_of(d, "work_pool_name")},
                       {schedule_text(d)},
                       {text_of(d, "entrypoint")},
                       {text_of(d, "id")}});
    }
    table.print(cli.out(), cli.color());
}

bool uuid_like(const std::string& s) {
    return s.size() == 36 && s.find_first_not_of("0123456789abcdefABCDEF-") == std::string::npos;
}

// FLOW/NAME or a deployment's id.
json find_deployment(ApiClient& api, const std::string& ref) {
    const auto slash = ref.find('/');
    if (slash == std::string::npos) {
        if (!uuid_like(ref))
            throw usage_error("expected FLOW/NAME or a deployment id, got '" + ref + "'");
        try {
            return api.get("/deployments/" + ref);
        } catch (const ApiError& e) {
            if (e.status() == 404) throw CliError("no deployment with id " + ref);
            throw;
        }
    }
    const std::string flow = ref.substr(0, slash), name = ref.substr(slash + 1);
    const json found =
        api.post("/deployments/filter", {{"flows", {{"name", {{"any_", {flow}}}}}},
                                         {"deployments", {{"name", {{"any_", {name}}}}}},
                                         {"limit", 2}});
    if (!found.is_array() || found.empty())
        throw CliError("no deployment " + ref + " (weft deployment ls lists them)");
    return found.front();
}

void deployment_run(Cli& cli, const std::string& ref, const std::vector<std::string>& params) {
    const json parameters = parameters_of(params);
    ApiClient& api = cli.server("weft deployment run");
    const json deployment = find_deployment(api, ref);
    const std::string id = deployment.at("id").get<std::string>();
    const json run =
        api.post("/deployments/" + id + "/create_flow_run", {{"parameters", parameters}});
    const std::string pool = text_of(deployment, "work_pool_name");
    cli.out() << "Created flow run " << run.value("name", std::string()) << ": "
              << run.value("id", std::string()) << "\n"
              << (pool == "-" ? "The deployment has no work pool: no worker will run it.\n"
                              : "A worker of pool " + pool + " runs it (weft worker start --pool "
                                    + pool + ").\n");
}

} // namespace

void add_deploy_commands(CLI::App& app, Cli& cli) {
    auto o = std::make_shared<DeployOptions>();
    auto* deploy_cmd = app.add_subcommand(
        "deploy", "Register a flow program's flow on the server (WEFT_API_URL) as a deployment "
                  "that workers run, on a schedule or when triggered");
    deploy_cmd->add_option("PROGRAM:FLOW", o->target, "The flow program and one of its flows")
        ->required();
    deploy_cmd->add_option("-n,--name", o->name, "The deployment's name")->required();
    deploy_cmd->add_option("--pool", o->pool, "The work pool whose workers run it");
    auto* cron =
        deploy_cmd->add_option("--cron", o->cron, "Run on this cron schedule")->type_name("EXPR");
    deploy_cmd->add_option("--interval", o->interval, "Run every SECONDS")
        ->type_name("SECONDS")
        ->excludes(cron);
    deploy_cmd->add_option("--param,-p", o->params,
                           "A default parameter, KEY=VALUE (VALUE as JSON or text)");
    deploy_cmd->callback([&cli, o] { deploy(cli, *o); });

    auto* dep = app.add_subcommand("deployment", "Deployments on the server (WEFT_API_URL)");
    dep->require_subcommand(1);
    auto json_flag = std::make_shared<bool>(false);
    auto* ls = dep->add_subcommand("ls", "List the deployments");
    ls->add_flag("--json", *json_flag, "Print the server's JSON array of deployments");
    ls->callback([&cli, json_flag] { deployment_ls(cli, *json_flag); });

    struct RunOptions {
        std::string ref;
        std::vector<std::string> params;
    };
    auto r = std::make_shared<RunOptions>();
    auto* run = dep->add_subcommand("run", "Create a flow run of a deployment now; a worker of "
                                           "its pool runs it");
    run->add_option("FLOW/NAME", r->ref, "The deployment, as FLOW/NAME or its id")->required();
    run->add_option("--param,-p", r->params,
                    "A parameter, KEY=VALUE (VALUE as JSON or text), over the deployment's");
    run->callback([&cli, r] { deployment_run(cli, r->ref, r->params); });
}

} // namespace weft::cli
