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

} // namespace weft
