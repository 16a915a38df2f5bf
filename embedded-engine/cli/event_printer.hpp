#pragma once
// `weft events`: its options, and the one line an event prints as, the same for a local
// database's change feed and a server's events.
#include "cli.hpp"

#include <weft/api_client.hpp>
#include <weft/events.hpp>

#include <functional>
#include <nlohmann/json.hpp>
#include <string>
#include <unordered_map>

namespace weft::cli {

struct EventsOptions {
    std::string after = "0";  // read by parse_whole_number
    std::string limit = "50"; // read by parse_whole_number
    bool follow = false;
    bool json = false;
};

/// One event a line in columns that only widen: a table cannot wait for its widest row while
/// following. A server's events have no sequence number: "-" stands in its column.
class EventPrinter {
public:
    /// What the run column shows for an event's run (an id a command takes back).
    using Labeller = std::function<std::string(const Event&)>;
    EventPrinter(Cli& cli, Labeller label)
        : m_cli(cli)
        , m_label(std::move(label)) {}

    void print(const Event& e);

private:
    const std::string& run_label(const Event& e);

    Cli& m_cli;
    Labeller m_label;
    size_t m_run_width = 12; // a short id
    std::unordered_map<std::string, std::string> m_labels;
};

/// One JSON value on a line of its own (JSON Lines while following).
void print_json_line(Cli& cli, const nlohmann::json& value);

/// `weft events` against a server (cmd_events_remote.cpp).
void remote_events(Cli& cli, ApiClient& api, const EventsOptions& o);

} // namespace weft::cli
