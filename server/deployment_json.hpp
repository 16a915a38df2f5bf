#pragma once
// JSON ⇄ deployment, work pool and worker records in Prefect's shapes (DeploymentResponse,
// WorkPoolResponse, WorkerResponse; DeploymentCreate, WorkPoolCreate), beside prefect_json.hpp.
#include "validation.hpp"

#include <weft/deployment_records.hpp>

#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

namespace weft::server {

/// A pool's queue id: the same for the same pool and queue name (each pool's queues are named,
/// not stored).
std::string work_queue_id(const std::string& work_pool_id, const std::string& queue_name);

/// `work_queue_id` is its pool's queue id (null without a pool); `ready` says a worker of its
/// pool is online (Prefect's status READY).
nlohmann::json deployment_json(const DeploymentRecord& d, const std::optional<WorkPoolRecord>& pool,
                               bool ready);
/// `active_slots`: its PENDING, RUNNING and CANCELLING runs; `online`: a worker of it is.
nlohmann::json work_pool_json(const WorkPoolRecord& pool, std::int64_t active_slots, bool online);
nlohmann::json worker_json(const WorkerRecord& worker, Micros now);

/// Checks a DeploymentCreate's schedules, whose shape (an interval, a cron or an rrule
/// schedule) a field table cannot say.
std::vector<ValidationError> check_deployment_schedules(const nlohmann::json& body);

/// Two lists of schedules that say the same (their ids aside).
bool same_schedules(const std::vector<DeploymentSchedule>& a,
                    const std::vector<DeploymentSchedule>& b);

/// A deployment from a checked DeploymentCreate (a new id; times now).
DeploymentRecord deployment_from_create(const nlohmann::json& body);
/// A checked DeploymentUpdate applied to `d`: only the fields the body has (null clears one),
/// as Prefect's PATCH does; `updated` now. Fields this server does not store (concurrency
/// options, pull steps, documents) are accepted and not kept. Returns whether the schedules
/// changed (the caller drops the runs the old ones made).
bool apply_deployment_update(DeploymentRecord& d, const nlohmann::json& body);
/// A checked WorkPoolUpdate applied to `pool`, likewise.
void apply_work_pool_update(WorkPoolRecord& pool, const nlohmann::json& body);
/// A work pool from a checked WorkPoolCreate (a new id; times now).
WorkPoolRecord work_pool_from_create(const nlohmann::json& body);

} // namespace weft::server
