#pragma once
// Deployment, work pool and worker records from Prefect's response shapes (DeploymentResponse,
// WorkPoolResponse, WorkerResponse): what a client (Studio, the CLI) reads from a Weft or Prefect
// server. Tolerant like the readers in record_json.hpp: unknown keys are ignored, missing or null
// ones leave the record's default; a value of the wrong type throws std::invalid_argument.
#include "weft/deployment_records.hpp"

#include <nlohmann/json.hpp>

namespace weft {

/// Interval and cron schedules are read; an rrule schedule (Prefect's third kind) becomes a
/// schedule with neither cron nor interval.
DeploymentRecord deployment_from_json(const nlohmann::json& j);
WorkPoolRecord work_pool_from_json(const nlohmann::json& j);
WorkerRecord worker_from_json(const nlohmann::json& j);

} // namespace weft
