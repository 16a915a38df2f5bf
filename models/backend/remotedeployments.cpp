// RemoteBackend's deployments, work pools and workers over REST (Prefect's endpoints, which
// Weft's server serves too): deployments/filter, work_pools/filter,
// work_pools/{name}/workers/filter, deployments/{id}/create_flow_run and pause/resume.
#include "backend/remotebackend.h"

#include <weft/deployment_json.hpp>
#include <weft/record_json.hpp>
#include <weft/time.hpp>

#include <QUrl>

namespace weft::studio {

using nlohmann::json;

namespace {

// Several requests answered as one: `finish` runs once the last is in, with the first error.
struct Join {
    int pending = 0;
    QString error;
    std::function<void(QString error)> finish;
    void doneOne(const QString& e) {
        if (error.isEmpty()) error = e;
        if (--pending == 0) finish(error);
    }
};

QString pathName(const std::string& s) {
    return QString::fromUtf8(QUrl::toPercentEncoding(QString::fromStdString(s)));
}

CommandResult failedCommand(const QString& why) {
    return CommandResult{false, why, std::nullopt};
}

} // namespace

void RemoteBackend::fetchDeployments(QObject* context, Done<std::vector<DeploymentInfo>> done) {
    done = noting(std::move(done));
    QPointer<QObject> guard(context);
    QPointer<RemoteBackend> self(this);
    m_rest->postPaged(QStringLiteral("/deployments/filter"), {{"sort", "NAME_ASC"}}, -1, 0, context,
                      [guard, self, done](Result<json> rows) {
                          if (!rows) return done(QueryError{rows.error()});
                          auto shared = std::make_shared<json>(std::move(*rows));
                          runAsync<std::vector<DeploymentInfo>>(
                              guard.data(),
                              [shared] {
                                  std::vector<DeploymentInfo> out;
                                  for (const json& row : *shared) {
                                      DeploymentInfo d;
                                      d.deployment = weft::deployment_from_json(row);
                                      d.status = row.value("status", json()).is_string()
                                                     ? row["status"].get<std::string>()
                                                     : std::string();
                                      out.push_back(std::move(d));
                                  }
                                  return out;
                              },
                              [guard, self, done](Result<std::vector<DeploymentInfo>> list) {
                                  if (!list || !self) return done(std::move(list));
                                  self->addDeploymentDetails(std::move(*list), guard.data(), done);
                              });
                      });
}

// Each deployment's flow name (one request for the flows not known yet) and its next run (one
// small request per deployment: the earliest SCHEDULED run; a filter over all of them would
// be filled by one deployment's hundred runs ahead).
void RemoteBackend::addDeploymentDetails(std::vector<DeploymentInfo> deployments, QObject* context,
                                         Done<std::vector<DeploymentInfo>> done) {
    auto list = std::make_shared<std::vector<DeploymentInfo>>(std::move(deployments));
    QPointer<RemoteBackend> self(this);
    auto join = std::make_shared<Join>();
    join->finish = [self, list, done](const QString& error) {
        if (!error.isEmpty()) return done(QueryError{error});
        if (self)
            for (auto& d : *list)
                if (auto it = self->m_flowNames.find(d.deployment.flow_id);
                    it != self->m_flowNames.end())
                    d.flowName = it->second;
        done(std::move(*list));
    };
    std::vector<std::string> missing;
    for (const auto& d : *list)
        if (!m_flowNames.count(d.deployment.flow_id)
            && std::find(missing.begin(), missing.end(), d.deployment.flow_id) == missing.end())
            missing.push_back(d.deployment.flow_id);
    // The next runs, the flows if any are missing, and one held until every request is sent.
    join->pending = int(list->size()) + (missing.empty() ? 0 : 1) + 1;
    if (!missing.empty()) {
        const json body = {{"flows", {{"id", {{"any_", missing}}}}}};
        m_rest->postPaged(QStringLiteral("/flows/filter"), body, -1, 0, context,
                          [self, join](Result<json> rows) {
                              QString error = rows.error();
                              try {
                                  if (rows && self)
                                      for (const auto& f : *rows) {
                                          const auto flow = weft::flow_from_json(f);
                                          self->m_flowNames[flow.id] = flow.name;
                                      }
                              } catch (const std::exception& e) {
                                  error = QString::fromUtf8(e.what());
                              }
                              join->doneOne(error);
                          });
    }
    for (std::size_t i = 0; i < list->size(); ++i) {
        const json body = {{"flow_runs",
                            {{"deployment_id", {{"any_", {(*list)[i].deployment.id}}}},
                             {"state", {{"type", {{"any_", {"SCHEDULED"}}}}}}}},
                           {"sort", "EXPECTED_START_TIME_ASC"},
                           {"limit", 1}};
        m_rest->send<std::optional<weft::Micros>>(
            "POST", QStringLiteral("/flow_runs/filter"), &body, context,
            [](RestAnswer a) -> std::optional<weft::Micros> {
                if (!a.body.is_array() || a.body.empty()) return std::nullopt;
                return weft::flow_run_from_json(a.body.front()).expected_start_time;
            },
            [list, i, join](Result<std::optional<weft::Micros>> next) {
                if (next) (*list)[i].nextRun = *next;
                join->doneOne(next.error());
            });
    }
    join->doneOne({}); // all sent
}

void RemoteBackend::fetchWorkPools(QObject* context, Done<std::vector<WorkPoolInfo>> done) {
    done = noting(std::move(done));
    QPointer<QObject> guard(context);
    QPointer<RemoteBackend> self(this);
    m_rest->postPaged(
        QStringLiteral("/work_pools/filter"), json::object(), -1, 0, context,
        [guard, self, done](Result<json> rows) {
            if (!rows) return done(QueryError{rows.error()});
            std::vector<WorkPoolInfo> pools;
            try {
                for (const json& row : *rows) {
                    WorkPoolInfo p;
                    p.pool = weft::work_pool_from_json(row);
                    if (auto s = row.find("status"); s != row.end() && s->is_string())
                        p.status = s->get<std::string>();
                    if (auto a = row.find("active_slots"); a != row.end() && a->is_number())
                        p.activeSlots = a->get<std::int64_t>();
                    pools.push_back(std::move(p));
                }
            } catch (const std::exception& e) {
                return done(QueryError{QString::fromUtf8(e.what())});
            }
            std::sort(pools.begin(), pools.end(),
                      [](const auto& a, const auto& b) { return a.pool.name < b.pool.name; });
            if (!self || pools.empty()) return done(std::move(pools));
            // Each pool's workers, for "2 of 3 online" and the newest heartbeat.
            auto list = std::make_shared<std::vector<WorkPoolInfo>>(std::move(pools));
            auto join = std::make_shared<Join>();
            join->pending = int(list->size());
            join->finish = [list, done](const QString& error) {
                if (!error.isEmpty()) return done(QueryError{error});
                done(std::move(*list));
            };
            for (std::size_t i = 0; i < list->size(); ++i)
                self->fetchWorkers((*list)[i].pool.name, guard.data(),
                                   [list, i, join](Result<std::vector<WorkerInfo>> workers) {
                                       if (workers) {
                                           auto& p = (*list)[i];
                                           p.workers = int(workers->size());
                                           for (const auto& w : *workers) {
                                               if (w.online) ++p.workersOnline;
                                               if (!p.lastHeartbeat
                                                   || w.worker.last_heartbeat > *p.lastHeartbeat)
                                                   p.lastHeartbeat = w.worker.last_heartbeat;
                                           }
                                       }
                                       join->doneOne(workers.error());
                                   });
        });
}

void RemoteBackend::fetchWorkers(const std::string& pool, QObject* context,
                                 Done<std::vector<WorkerInfo>> done) {
    const json body = {{"limit", 200}};
    m_rest->send<std::vector<WorkerInfo>>(
        "POST", QStringLiteral("/work_pools/%1/workers/filter").arg(pathName(pool)), &body, context,
        [](RestAnswer a) {
            if (!a.body.is_array()) throw std::runtime_error("expected a list of workers");
            std::vector<WorkerInfo> out;
            for (const json& row : a.body) {
                WorkerInfo w;
                w.worker = weft::worker_from_json(row);
                w.online = row.value("status", json()) == "ONLINE";
                out.push_back(std::move(w));
            }
            std::sort(out.begin(), out.end(), [](const auto& a, const auto& b) {
                return a.worker.last_heartbeat > b.worker.last_heartbeat;
            });
            return out;
        },
        noting(std::move(done)));
}

void RemoteBackend::createDeploymentRun(const std::string& deploymentId,
                                        const nlohmann::json& parameters, QObject* context,
                                        Done<CommandResult> done) {
    if (!parameters.is_object())
        return (void)QMetaObject::invokeMethod(
            context, [done] { done(failedCommand(tr("The parameters must be a JSON object."))); },
            Qt::QueuedConnection);
    const json body = {{"parameters", parameters}};
    m_rest->send<CommandResult>(
        "POST", QStringLiteral("/deployments/%1/create_flow_run").arg(pathName(deploymentId)),
        &body, context,
        [](RestAnswer a) {
            const auto run = weft::flow_run_from_json(a.body);
            CommandResult c{true, tr("Created flow run %1.").arg(QString::fromStdString(run.name)),
                            std::nullopt};
            c.createdRunId = run.id;
            return c;
        },
        [done](Result<CommandResult> r) {
            if (!r) return done(failedCommand(r.error()));
            done(std::move(*r));
        });
}

void RemoteBackend::setDeploymentPaused(const std::string& deploymentId, bool paused,
                                        QObject* context, Done<CommandResult> done) {
    const json body = json::object();
    m_rest->send<CommandResult>(
        "POST",
        QStringLiteral("/deployments/%1/%2")
            .arg(pathName(deploymentId),
                 paused ? QStringLiteral("pause_deployment") : QStringLiteral("resume_deployment")),
        &body, context,
        [](RestAnswer) {
            return CommandResult{true, {}, std::nullopt};
        },
        [done](Result<CommandResult> r) {
            if (!r) return done(failedCommand(r.error()));
            done(std::move(*r));
        });
}

} // namespace weft::studio
