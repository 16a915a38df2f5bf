#pragma once
// JSON shapes of stored records, with Prefect's field names: what `weft … --json` prints and what
// the REST API will answer.
#include "weft/events.hpp"
#include "weft/records.hpp"

#include <nlohmann/json.hpp>

namespace weft {

nlohmann::json to_json(const FlowRecord& flow);
nlohmann::json to_json(const FlowRunRecord& run);
nlohmann::json to_json(const TaskRunRecord& run);
nlohmann::json to_json(const LogRecord& line);
nlohmann::json to_json(const Event& event);
/// {tag, concurrency_limit, active_slots}: active_slots counts the slots taken now.
nlohmann::json to_json(const ConcurrencyLimit& limit);

/// Prefect's estimated_run_time: the run time so far, the current RUNNING stretch included.
Micros estimated_run_time(const FlowRunRecord& run, Micros now);
/// Prefect's estimated_start_time_delta: how late the run started (or is, while it waits).
Micros estimated_start_time_delta(const FlowRunRecord& run, Micros now);

} // namespace weft
