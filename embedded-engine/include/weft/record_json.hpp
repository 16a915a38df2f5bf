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

// Records from Prefect's response shapes (a Weft or Prefect server's answers): tolerant, as a
// client must be — unknown keys are ignored, missing or null ones leave the record's default.
// Throw std::invalid_argument when a value has the wrong type or a time cannot be read.
FlowRecord flow_from_json(const nlohmann::json& j);
FlowRunRecord flow_run_from_json(const nlohmann::json& j);
TaskRunRecord task_run_from_json(const nlohmann::json& j);
/// `id` stays 0 when the line's id is not a number (Prefect's are UUIDs).
LogRecord log_from_json(const nlohmann::json& j);

/// Prefect's estimated_run_time: the run time so far, the current RUNNING stretch included.
Micros estimated_run_time(const FlowRunRecord& run, Micros now);
/// Prefect's estimated_start_time_delta: how late the run started (or is, while it waits).
Micros estimated_start_time_delta(const FlowRunRecord& run, Micros now);

} // namespace weft
