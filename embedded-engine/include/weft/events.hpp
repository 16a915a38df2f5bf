#pragma once
// The change feed: every run creation, state change and log batch gets an event with an increasing
// sequence number. Any process can follow it from a sequence number.
#include "weft/states.hpp"

#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>

namespace weft {

enum class EventKind : int {
    FlowRunCreated = 1, // carries the run's first state
    FlowRunState = 2,
    TaskRunCreated = 3, // carries the run's first state
    TaskRunState = 4,
    Logs = 5, // payload {"first_id", "last_id", "count"} for one flow run
    FlowRunDeleted = 6,
    FlowCreated = 7,
    ConcurrencyLimits = 8,
    FlowRunUpdated = 9, // fields other than the state changed (stored without a feed event)
};
std::string_view to_string(EventKind kind); // "flow-run.created", …

struct Event {
    std::int64_t seq = 0;
    EventKind kind = EventKind::FlowRunState;
    Micros ts = 0;
    std::string run_id;      // the flow run or task run the event is about
    std::string flow_run_id; // the flow run it belongs to
    std::optional<State> state;
    nlohmann::json payload;

    bool is_state() const { return state.has_value(); }
    bool is_task_run() const {
        return kind == EventKind::TaskRunCreated || kind == EventKind::TaskRunState;
    }
};

} // namespace weft
