// weft work-pool create POOL [--concurrency N] | ls [--json]; weft worker start --pool POOL
// [--limit N] [--name NAME]. Against a server only (WEFT_API_URL): pools live there.
#include "commands.hpp"
#include "table.hpp"

#include <weft/pool_api.hpp>
#include <weft/worker.hpp>

namespace weft::cli {

namespace {

void pool_create(Cli& cli, const std::string& name, const std::string& concurrency) {
    if (name.empty()) throw usage_error("the work pool's name must not be empty");
    std::optional<int> limit;
    if (!concurrency.empty())
        limit = int(parse_whole_number("--concurrency", concurrency, 0, kMaxLimit));
    ApiClient& api = cli.server("weft work-pool create");
    try {
        const auto pool = create_work_pool(api, name, limit);
        cli.out() << "Created work pool " << name << " (" << pool.value("id", std::string()) << ")"
                  << (limit ? ", at most " + std::to_string(*limit) + " runs at once" : "")
                  << ". Start a worker for it with: weft worker start --pool " << name << "\n";
    } catch (const ApiError& e) {
        if (e.status() == 409) throw CliError("a work pool named " + name + " already exists");
        throw;
    }
}

std::string text_of(const nlohmann::json& j, const char* key) {
    auto it = j.find(key);
    if (it == j.end() || it->is_null()) return "-";
    return it->is_string() ? it->get<std::string>() : it->dump();
}

void pool_ls(Cli& cli, bool json) {
    ApiClient& api = cli.server("weft work-pool ls");
    const auto pools = api.post("/work_pools/filter", {{"limit", 200}});
    if (json) {
        cli.print_json(pools);
        return;
    }
    if (!pools.is_array() || pools.empty()) {
        cli.out() << "No work pools yet; make one with: weft work-pool create POOL\n";
        return;
    }
    Table table({"NAME", "TYPE", "CONCURRENCY", "STATUS", "ID"});
    for (const auto& p : pools)
        table.add_row({{text_of(p, "name")},
                       {text_of(p, "type")},
                       {text_of(p, "concurrency_limit")},
                       {text_of(p, "status")},
                       {text_of(p, "id")}});
    table.print(cli.out(), cli.color());
}

struct WorkerStartOptions {
    std::string pool;
    std::string limit;
    std::string name;
};

void worker_start(Cli& cli, const WorkerStartOptions& o) {
    if (o.pool.empty()) throw usage_error("--pool must name a work pool");
    WorkerOptions options;
    options.pool = o.pool;
    options.name = o.name;
    if (!o.limit.empty()) options.limit = int(parse_whole_number("--limit", o.limit, 1, 10000));
    options.read_environment();
    ApiClient& api = cli.server("weft worker start");
    std::cout.flush();
    cli.exit_code = run_worker(api, options);
}

} // namespace

void add_work_pool_commands(CLI::App& app, Cli& cli) {
    auto* wp = app.add_subcommand("work-pool", "Work pools on the server: where deployments' runs "
                                               "wait for workers (needs WEFT_API_URL)");
    wp->require_subcommand(1);

    struct CreateOptions {
        std::string name;
        std::string concurrency;
    };
    auto c = std::make_shared<CreateOptions>();
    auto* create = wp->add_subcommand("create", "Create a work pool");
    create->add_option("POOL", c->name, "The pool's name")->required();
    create
        ->add_option("--concurrency", c->concurrency,
                     "At most this many of the pool's runs at once (default: no limit)")
        ->type_name("N");
    create->callback([&cli, c] { pool_create(cli, c->name, c->concurrency); });

    auto json = std::make_shared<bool>(false);
    auto* ls = wp->add_subcommand("ls", "List the work pools");
    ls->add_flag("--json", *json, "Print the server's JSON array of work pools");
    ls->callback([&cli, json] { pool_ls(cli, *json); });
}

void add_worker_command(CLI::App& app, Cli& cli) {
    auto* worker = app.add_subcommand(
        "worker", "Workers: run a work pool's flow runs as flow-program processes");
    worker->require_subcommand(1);
    auto o = std::make_shared<WorkerStartOptions>();
    auto* start = worker->add_subcommand(
        "start", "Poll a work pool on the server (WEFT_API_URL) and run its due flow runs "
                 "(PROGRAM execute RUN_ID) until Ctrl+C or SIGTERM; a second signal kills them");
    start->add_option("--pool", o->pool, "The work pool (created when missing)")->required();
    start->add_option("--limit", o->limit, "At most this many runs at once (default: no limit)")
        ->type_name("N");
    start->add_option("--name", o->name, "The worker's name (default: weft-worker-HOST-PID)");
    start->footer("Environment: WEFT_WORKER_POLL_SECONDS (default 2), "
                  "WEFT_WORKER_HEARTBEAT_SECONDS (30), WEFT_WORKER_CANCEL_GRACE_SECONDS (10: "
                  "from SIGTERM to SIGKILL for a cancelled run's program).");
    start->callback([&cli, o] { worker_start(cli, *o); });
}

} // namespace weft::cli
