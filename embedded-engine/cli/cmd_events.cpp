// weft events [--after SEQ] [--limit N] [--follow] [--json]: the change feed, for watching and
// for scripts that react to runs.
#include "commands.hpp"
#include "event_printer.hpp"
#include "format.hpp"
#include "resolve.hpp"

#include <chrono>
#include <cstdio>
#include <limits>
#include <thread>
#include <weft/record_json.hpp>

namespace weft::cli {

namespace {

constexpr auto kPollInterval = std::chrono::milliseconds(200);

// The local change feed: the last N events (or those after a sequence number), then new ones.
void local_events(Cli& cli, const EventsOptions& o, bool after_given) {
    std::int64_t after =
        parse_whole_number("--after", o.after, 0, std::numeric_limits<std::int64_t>::max());
    const int limit = int(parse_whole_number("--limit", o.limit, 1, kMaxLimit));
    auto reader = cli.engine(false, "weft events").store().open_reader();
    // Without --after: the last N events, like tail.
    if (!after_given) after = std::max<std::int64_t>(0, reader->last_event_seq() - limit);
    const bool lines = o.follow; // JSON Lines while following: an array would never close
    if (o.json && !lines) {
        auto array = nlohmann::json::array();
        for (const auto& e : reader->events_after(after, limit))
            array.push_back(to_json(e));
        cli.print_json(array);
        return;
    }
    EventPrinter printer(cli, [&reader](const Event& e) {
        if (e.is_task_run()) return short_task_run_id(*reader, e.run_id);
        if (e.kind == EventKind::FlowCreated) return e.run_id; // a flow, not a run
        return short_flow_run_id(*reader, e.run_id);
    });
    int remaining = o.follow ? -1 : limit;
    for (;;) {
        const std::int64_t version = reader->data_version();
        const int page = remaining < 0 ? 1000 : std::min(remaining, 1000);
        auto batch = reader->events_after(after, page);
        for (const auto& e : batch) {
            if (o.json)
                print_json_line(cli, to_json(e));
            else
                printer.print(e);
        }
        cli.out() << std::flush;
        if (!batch.empty()) after = batch.back().seq;
        if (remaining > 0) remaining -= int(batch.size());
        if (!o.follow && (remaining == 0 || batch.size() < size_t(page))) return;
        if (batch.size() == size_t(page)) continue;
        while (reader->data_version() == version)
            std::this_thread::sleep_for(kPollInterval);
    }
}

void events(Cli& cli, const EventsOptions& o, bool after_given) {
    if (cli.api()) {
        if (after_given)
            throw CliError("--after takes a sequence number of a local database's change feed; "
                           "a server's events have none (use --limit)");
        return remote_events(cli, *cli.api(), o);
    }
    local_events(cli, o, after_given);
}

} // namespace

void add_events_command(CLI::App& app, Cli& cli) {
    auto o = std::make_shared<EventsOptions>();
    auto* ev = app.add_subcommand(
        "events", "Print the change feed: run creations, state changes, log batches, deletions");
    auto* after = ev->add_option("--after", o->after,
                                 "Events after this sequence number (default: "
                                 "the last N; a local database only)")
                      ->type_name("SEQ");
    ev->add_option("--limit", o->limit,
                   "At most N events (without --follow; up to 1000000). Against a server "
                   "(WEFT_API_URL): its flow-run and task-run state events, followed live "
                   "through its event stream")
        ->capture_default_str()
        ->type_name("N");
    ev->add_flag("--follow,-f", o->follow, "Keep printing new events until interrupted");
    ev->add_flag("--json", o->json, "Print a JSON array of events (JSON Lines with --follow)");
    ev->callback([&cli, o, after] { events(cli, *o, after->count() > 0); });
}

} // namespace weft::cli
