// Deployments, work pools and workers in a local database (what `weft deploy` and `weft worker`
// wrote while pointed at it). Read only: runs of a deployment are made by a server's scheduler
// and taken by its workers, so Studio asks a server for them.
#include "backend/embeddedbackend.h"

#include <weft/time.hpp>

#include <algorithm>

namespace weft::studio {

namespace {

// Runs `read` on the query pool over the engine's store; "not open" without an engine.
template<class T>
void readStore(std::shared_ptr<weft::Engine> engine, QObject* context,
               std::function<T(weft::Reader&)> read, Backend::Done<T> done) {
    runAsync<T>(
        context,
        [engine, read = std::move(read)] {
            if (!engine) throw std::runtime_error("the database is not open");
            return engine->store().read(read);
        },
        std::move(done));
}

std::vector<WorkerInfo> workersOf(weft::Reader& r, const weft::WorkPoolRecord& pool,
                                  weft::Micros now) {
    std::vector<WorkerInfo> out;
    for (auto& w : r.workers(pool.id))
        out.push_back({w, weft::worker_online(w, now)});
    return out;
}

} // namespace

QString EmbeddedBackend::cannot(Capability c) const {
    switch (c) {
    case Capability::RunDeployment:
    case Capability::PauseDeployment:
        return tr("A server's scheduler and workers run deployments: connect Studio to the "
                  "server to run or pause one.");
    default:
        return {};
    }
}

void EmbeddedBackend::fetchDeployments(QObject* context, Done<std::vector<DeploymentInfo>> done) {
    readStore<std::vector<DeploymentInfo>>(
        m_engine, context,
        [](weft::Reader& r) {
            std::map<std::string, std::string> flowNames;
            for (const auto& f : r.flows())
                flowNames[f.id] = f.name;
            const weft::Micros now = weft::now_us();
            std::vector<DeploymentInfo> out;
            for (auto& d : r.deployments()) {
                DeploymentInfo info;
                info.flowName = flowNames[d.flow_id];
                weft::FlowRunQuery next;
                next.deployment_ids = {d.id};
                next.states = {weft::StateType::Scheduled};
                next.sort = weft::FlowRunSort::ExpectedStartAsc;
                next.limit = 1;
                if (auto runs = r.flow_runs(next); !runs.empty())
                    info.nextRun = runs.front().expected_start_time;
                bool ready = false;
                if (auto pool =
                        d.work_pool_name.empty() ? std::nullopt : r.work_pool(d.work_pool_name))
                    for (const auto& w : workersOf(r, *pool, now))
                        ready = ready || w.online;
                info.status = ready ? "READY" : "NOT_READY";
                info.deployment = std::move(d);
                out.push_back(std::move(info));
            }
            std::sort(out.begin(), out.end(), [](const auto& a, const auto& b) {
                return a.deployment.name < b.deployment.name;
            });
            return out;
        },
        noting(std::move(done)));
}

void EmbeddedBackend::fetchWorkPools(QObject* context, Done<std::vector<WorkPoolInfo>> done) {
    readStore<std::vector<WorkPoolInfo>>(
        m_engine, context,
        [](weft::Reader& r) {
            const weft::Micros now = weft::now_us();
            std::vector<WorkPoolInfo> out;
            for (auto& pool : r.work_pools()) {
                WorkPoolInfo info;
                for (const auto& w : workersOf(r, pool, now)) {
                    ++info.workers;
                    if (w.online) ++info.workersOnline;
                    if (!info.lastHeartbeat || w.worker.last_heartbeat > *info.lastHeartbeat)
                        info.lastHeartbeat = w.worker.last_heartbeat;
                }
                weft::FlowRunQuery active;
                active.work_pool_names = {pool.name};
                active.states = {weft::StateType::Pending, weft::StateType::Running,
                                 weft::StateType::Cancelling};
                info.activeSlots = r.count_flow_runs(active);
                info.status = pool.is_paused           ? "PAUSED"
                              : info.workersOnline > 0 ? "READY"
                                                       : "NOT_READY";
                info.pool = std::move(pool);
                out.push_back(std::move(info));
            }
            std::sort(out.begin(), out.end(),
                      [](const auto& a, const auto& b) { return a.pool.name < b.pool.name; });
            return out;
        },
        noting(std::move(done)));
}

void EmbeddedBackend::fetchWorkers(const std::string& pool, QObject* context,
                                   Done<std::vector<WorkerInfo>> done) {
    readStore<std::vector<WorkerInfo>>(
        m_engine, context,
        [pool](weft::Reader& r) {
            auto record = r.work_pool(pool);
            if (!record) throw std::runtime_error("no work pool named \"" + pool + "\"");
            return workersOf(r, *record, weft::now_us());
        },
        noting(std::move(done)));
}

} // namespace weft::studio
