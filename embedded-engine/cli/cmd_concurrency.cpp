// weft concurrency-limit create TAG N | ls | delete TAG: limits on task runs carrying a tag, in
// the local database or on the server (WEFT_API_URL, Prefect's /concurrency_limits/ routes).
#include "commands.hpp"
#include "table.hpp"

#include <weft/pool_api.hpp>
#include <weft/record_json.hpp>

namespace weft::cli {

namespace {

void say_limit(Cli& cli, const std::string& tag, std::int64_t limit) {
    cli.out() << "Tag " << tag << ": at most " << limit << " task run" << (limit == 1 ? "" : "s")
              << " at a time.\n";
}

void limit_create(Cli& cli, const std::string& tag, const std::string& limit_text) {
    if (tag.empty()) throw usage_error("the tag must not be empty");
    const auto limit = parse_whole_number("the limit N", limit_text, 1, kMaxLimit);
    if (ApiClient* api = cli.api()) {
        api->post("/concurrency_limits/", {{"tag", tag}, {"concurrency_limit", limit}});
        return say_limit(cli, tag, limit);
    }
    // Setting limits up before the first flow runs is normal, so this one may create the database.
    auto& store = cli.engine(/*create=*/true, "weft concurrency-limit").store();
    store.transact<void>([&](Txn& txn) { txn.set_concurrency_limit(tag, int(limit)); }).get();
    say_limit(cli, tag, limit);
}

// The server's limits as the local ones are shown: {tag, concurrency_limit, active_slots}, the
// slots counted (Prefect lists the task runs holding them).
std::vector<ConcurrencyLimit> server_limits(ApiClient& api) {
    std::vector<ConcurrencyLimit> limits;
    for (const auto& l : api.post("/concurrency_limits/filter", {{"limit", 200}})) {
        ConcurrencyLimit c;
        c.tag = l.value("tag", std::string());
        c.limit = l.value("concurrency_limit", 0);
        const auto slots = l.find("active_slots");
        c.active = slots != l.end() && slots->is_array() ? int(slots->size()) : 0;
        limits.push_back(std::move(c));
    }
    return limits;
}

void limit_ls(Cli& cli, bool json) {
    auto limits = cli.api()
                      ? server_limits(*cli.api())
                      : cli.engine(false, "weft concurrency-limit").store().read([](Reader& r) {
                            return r.concurrency_limits();
                        });
    if (json) {
        auto array = nlohmann::json::array();
        for (const auto& l : limits)
            array.push_back(to_json(l));
        cli.print_json(array);
        return;
    }
    if (limits.empty()) {
        cli.out() << "No concurrency limits.\n";
        return;
    }
    Table table({"TAG", "LIMIT", "ACTIVE"});
    for (const auto& l : limits)
        table.add_row({{l.tag}, {std::to_string(l.limit)}, {std::to_string(l.active)}});
    table.print(cli.out(), cli.color());
}

void limit_delete(Cli& cli, const std::string& tag) {
    if (ApiClient* api = cli.api()) {
        try {
            api->del("/concurrency_limits/tag/" + url_segment(tag));
        } catch (const ApiError& e) {
            if (e.status() == 404) throw CliError("no concurrency limit for the tag " + tag);
            throw;
        }
        cli.out() << "Deleted the concurrency limit of tag " << tag << ".\n";
        return;
    }
    auto& store = cli.engine(false, "weft concurrency-limit").store();
    const bool deleted =
        store.transact<bool>([&](Txn& txn) { return txn.delete_concurrency_limit(tag); }).get();
    if (!deleted) throw CliError("no concurrency limit for the tag " + tag);
    cli.out() << "Deleted the concurrency limit of tag " << tag << ".\n";
}

} // namespace

void add_concurrency_commands(CLI::App& app, Cli& cli) {
    auto* cl = app.add_subcommand("concurrency-limit",
                                  "Limits on how many task runs with a tag run at once");
    cl->require_subcommand(1);

    struct CreateOptions {
        std::string tag;
        std::string limit; // read by parse_whole_number
    };
    auto c = std::make_shared<CreateOptions>();
    auto* create =
        cl->add_subcommand("create", "Set the limit of a tag (replacing any earlier one)");
    create->add_option("TAG", c->tag, "The tag")->required();
    create
        ->add_option("N", c->limit,
                     "How many task runs with the tag may run at once (1 to 1000000)")
        ->required();
    create->callback([&cli, c] { limit_create(cli, c->tag, c->limit); });

    auto json = std::make_shared<bool>(false);
    auto* ls = cl->add_subcommand("ls", "List the limits and the slots taken now");
    ls->add_flag("--json", *json, "Print a JSON array of {tag, concurrency_limit, active_slots}");
    ls->callback([&cli, json] { limit_ls(cli, *json); });

    auto tag = std::make_shared<std::string>();
    auto* del = cl->add_subcommand("delete", "Remove the limit of a tag");
    del->add_option("TAG", *tag, "The tag")->required();
    del->callback([&cli, tag] { limit_delete(cli, *tag); });
}

} // namespace weft::cli
