// weft events [--after SEQ] [--limit N] [--follow] [--json]: the change feed, for watching and
// for scripts that react to runs.
#include "commands.hpp"
#include "format.hpp"
#include "resolve.hpp"
#include "table.hpp"

#include <chrono>
#include <cstdio>
#include <limits>
#include <thread>
#include <unordered_map>
#include <weft/record_json.hpp>

namespace weft::cli {

namespace {

struct EventsOptions {
    std::string after = "0";  // read by parse_whole_number
    std::string limit = "50"; // read by parse_whole_number
    bool follow = false;
    bool json = false;
};

constexpr auto kPollInterval = std::chrono::milliseconds(200);

std::string detail_of(const Event& e) {
    if (e.state) return state_with_message(*e.state);
    if (e.payload.is_null()) return {};
    return e.payload.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

// One event a line in columns that only widen: a table cannot wait for its widest row while
// following.
class EventPrinter {
public:
    EventPrinter(Cli& cli, Reader& reader)
        : m_cli(cli)
        , m_reader(reader) {}

    void print(const Event& e) {
        const bool color = m_cli.color();
        char seq[24];
        std::snprintf(seq, sizeof seq, "%8lld", static_cast<long long>(e.seq));
        std::string kind(to_string(e.kind));
        kind.resize(18, ' ');
        std::string run = run_label(e);
        m_run_width = std::max(m_run_width, run.size());
        run.resize(m_run_width, ' ');
        const auto color_of_detail = e.state ? state_color(e.state->type) : std::string_view();
        m_cli.out() << seq << "  " << paint(local_time(e.ts), ansi::dim, color) << "  " << kind
                    << "  " << run << "  "
                    << paint(truncate_display(detail_of(e), 120), color_of_detail, color) << '\n';
    }

private:
    // The id prefix that `weft flow-run inspect` or `task-run` would take; remembered per run.
    const std::string& run_label(const Event& e) {
        static const std::string none = "-";
        if (e.run_id.empty()) return none;
        auto [it, added] = m_labels.try_emplace(e.run_id);
        if (added) {
            if (e.is_task_run())
                it->second = short_task_run_id(m_reader, e.run_id);
            else if (e.kind == EventKind::FlowCreated)
                it->second = e.run_id; // a flow, not a run: no prefix look-up
            else
                it->second = short_flow_run_id(m_reader, e.run_id);
        }
        return it->second;
    }

    Cli& m_cli;
    Reader& m_reader;
    size_t m_run_width = 12; // a short id
    std::unordered_map<std::string, std::string> m_labels;
};

void events(Cli& cli, const EventsOptions& o, bool after_given) {
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
    EventPrinter printer(cli, *reader);
    int remaining = o.follow ? -1 : limit;
    for (;;) {
        const std::int64_t version = reader->data_version();
        const int page = remaining < 0 ? 1000 : std::min(remaining, 1000);
        auto batch = reader->events_after(after, page);
        for (const auto& e : batch) {
            if (o.json)
                cli.out() << to_json(e).dump(-1, ' ', false,
                                             nlohmann::json::error_handler_t::replace)
                          << '\n';
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

} // namespace

void add_events_command(CLI::App& app, Cli& cli) {
    auto o = std::make_shared<EventsOptions>();
    auto* ev = app.add_subcommand(
        "events", "Print the change feed: run creations, state changes, log batches, deletions");
    auto* after = ev->add_option("--after", o->after,
                                 "Events after this sequence number (default: "
                                 "the last N)")
                      ->type_name("SEQ");
    ev->add_option("--limit", o->limit, "At most N events (without --follow; up to 1000000)")
        ->capture_default_str()
        ->type_name("N");
    ev->add_flag("--follow,-f", o->follow, "Keep printing new events until interrupted");
    ev->add_flag("--json", o->json, "Print a JSON array of events (JSON Lines with --follow)");
    ev->callback([&cli, o, after] { events(cli, *o, after->count() > 0); });
}

} // namespace weft::cli
