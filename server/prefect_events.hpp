#pragma once
// The engine's change feed as Prefect's events: each state a flow run or task run enters is a
// `prefect.flow-run.<State>` / `prefect.task-run.<State>` event whose resource is the run
// (`prefect.flow-run.<id>`). Filters are the part of Prefect's EventFilter a UI needs: event names
// and prefixes, resource ids and prefixes, event ids, occurred since/until, order. No Qt.
#include "validation.hpp"

#include <weft/events.hpp>
#include <weft/store.hpp>

#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

namespace weft::server {

/// What a filter looks at, known without reading anything but the feed event.
struct EventHead {
    std::string name;        // prefect.flow-run.Running
    std::string resource_id; // prefect.flow-run.<id>
    std::string id;          // the state's id
    Micros occurred = 0;
};

/// The head of a feed event shown as a Prefect event; nullopt for the feed's other events
/// (logs, deletions, concurrency limits).
std::optional<EventHead> event_head(const Event& e);

struct EventFilter {
    std::optional<Micros> since, until; // inclusive
    std::vector<std::string> names, exclude_names, prefixes, exclude_prefixes;
    std::vector<std::string> resource_ids, resource_id_prefixes;
    std::vector<std::string> ids;
    bool ascending = false; // Prefect's order: DESC unless asked

    bool matches(const EventHead& head) const;
};

/// Reads an EventFilter that passed schemas::event_filter(). `unsupported` names the first part
/// this server cannot filter by yet (related, any_resource, text, resource labels, distinct).
struct ParsedEventFilter {
    EventFilter filter;
    std::string unsupported;
};
ParsedEventFilter event_filter_from_json(const nlohmann::json& filter);

/// Builds Prefect events from feed events, reading the runs' names and remembering each run's
/// last state (for the payload's `initial_state`). Remembers at most `capacity` runs: past that
/// it forgets them all and reads again. One thread at a time.
class EventBuilder {
public:
    explicit EventBuilder(std::size_t capacity = 20000)
        : m_capacity(capacity) {}

    /// Notes a feed event (call it for every event, in feed order, shown or not).
    void saw(const Event& e);
    /// The Prefect event for `e` (its head from event_head); `reader` looks up names.
    nlohmann::json build(const Event& e, const EventHead& head, Reader& reader);

private:
    struct RunLabels {
        bool loaded = false;
        std::string name;
        std::string flow_id, flow_name;         // flow runs
        std::string flow_run_id, flow_run_name; // task runs
        std::vector<std::string> tags;
        std::optional<State> last; // the state before the newest event
        std::optional<State> newest;
    };
    RunLabels& labels(const Event& e, Reader& reader);
    RunLabels& entry(const std::string& run_id);

    std::size_t m_capacity;
    std::unordered_map<std::string, RunLabels> m_runs;
};

} // namespace weft::server
