#pragma once
// Plain records of deployments, work pools and workers: what `weft deploy`, `weft worker` and the
// server's scheduler share through the store. Field names follow Prefect's REST schema.
#include "weft/states.hpp"

#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

namespace weft {

/// When a deployment runs by itself: a 5-field cron expression, or an interval from an anchor.
struct DeploymentSchedule {
    std::string id;
    std::string cron;                 // non-empty: a cron schedule
    std::optional<double> interval_s; // else: every interval_s seconds…
    std::optional<Micros> anchor;     // …counted from here (default: the deployment's creation)
    std::string timezone;             // "" = UTC
    bool active = true;
};

struct DeploymentRecord {
    std::string id;
    std::string flow_id;
    std::string name; // unique per flow
    /// "PROGRAM:FLOW": the flow program to start and the flow in it.
    std::string entrypoint;
    std::string path; // the working directory the program starts in ("" = the worker's)
    nlohmann::json parameters = nlohmann::json::object(); // defaults for its runs
    std::vector<std::string> tags;
    std::string work_pool_name; // "" = none
    std::string work_queue_name;
    bool paused = false;
    std::vector<DeploymentSchedule> schedules;
    std::string description;
    std::string version;
    nlohmann::json job_variables = nlohmann::json::object();
    /// The JSON schema of the flow's parameters (what `weft deploy` reads from `PROGRAM list
    /// --json`, Prefect's parameter_openapi_schema), for forms that run it; null when none.
    nlohmann::json parameter_openapi_schema;
    Micros created = 0;
    Micros updated = 0;
    /// The scheduler has created this deployment's scheduled runs up to here.
    std::optional<Micros> scheduled_until;
};

/// A pool that workers take flow runs from. Each pool has one queue, "default".
struct WorkPoolRecord {
    std::string id;
    std::string name; // unique
    std::string description;
    std::string type = "process";
    bool is_paused = false;
    std::optional<int> concurrency_limit; // PENDING, RUNNING and CANCELLING runs at most
    std::string default_queue_id;
    nlohmann::json base_job_template = nlohmann::json::object();
    Micros created = 0;
    Micros updated = 0;
};

/// A worker of a pool as its heartbeats describe it.
struct WorkerRecord {
    std::string id;
    std::string work_pool_id;
    std::string name; // unique in its pool
    Micros last_heartbeat = 0;
    std::optional<int> heartbeat_interval_s;
    Micros created = 0;
};

/// Whether a worker heartbeated within three of its intervals (30 s when it named none), as
/// Prefect tells ONLINE from OFFLINE. The server and Studio's local pages share it.
inline bool worker_online(const WorkerRecord& worker, Micros now) {
    const Micros interval = Micros(worker.heartbeat_interval_s.value_or(30)) * 1'000'000;
    return now - worker.last_heartbeat < 3 * interval;
}

/// Where a flow run belongs besides its flow: the deployment it was made from, the pool and
/// queue that hold it, and the worker that claimed it. Kept beside the flow_runs table.
struct FlowRunPlacement {
    std::string deployment_id; // "" = none
    std::string work_pool_name;
    std::string work_queue_name;
    std::string worker_name; // the worker that claimed it; "" = not claimed
    bool empty() const {
        return deployment_id.empty() && work_pool_name.empty() && work_queue_name.empty()
               && worker_name.empty();
    }
};

/// The name of every pool's one queue.
inline constexpr const char* kDefaultWorkQueue = "default";

} // namespace weft
