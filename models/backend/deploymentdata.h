#pragma once
// What the Deployments and Work pools pages show: the engine's records of deployments, pools and
// workers, with what a server derives from them (status, next run, workers online).
#include <weft/deployment_records.hpp>

#include <nlohmann/json.hpp>
#include <optional>
#include <string>

namespace weft::studio {

struct DeploymentInfo {
    weft::DeploymentRecord deployment;
    std::string flowName;
    /// Its earliest SCHEDULED run; none when nothing waits.
    std::optional<weft::Micros> nextRun;
    /// READY when a worker of its pool is online, else NOT_READY.
    std::string status;
};

struct WorkPoolInfo {
    weft::WorkPoolRecord pool;
    std::string status;           // READY, NOT_READY or PAUSED
    std::int64_t activeSlots = 0; // its PENDING, RUNNING and CANCELLING runs
    int workers = 0;
    int workersOnline = 0;
    std::optional<weft::Micros> lastHeartbeat; // its newest worker heartbeat
};

struct WorkerInfo {
    weft::WorkerRecord worker;
    bool online = false;
};

} // namespace weft::studio
