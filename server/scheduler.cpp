#include "scheduler.hpp"

#include "cron.hpp"
#include "prefect_json.hpp"

#include <weft/time.hpp>

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <set>
#include <spdlog/spdlog.h>

namespace weft::server {

namespace {

using nlohmann::json;

std::optional<double> env_number(const char* name) {
    const char* text = std::getenv(name);
    if (!text || !*text) return std::nullopt;
    char* end = nullptr;
    const double v = std::strtod(text, &end);
    if (end == text || *end || !std::isfinite(v) || v < 0) {
        spdlog::warn("weft-server: ignoring {}={}: not a number of 0 or more", name, text);
        return std::nullopt;
    }
    return v;
}

// The first time after `t` a schedule names.
std::optional<Micros> next_time(const DeploymentSchedule& s, const std::optional<Cron>& cron,
                                Micros anchor, Micros t) {
    if (cron) return cron->next_after(t, s.timezone);
    if (!s.interval_s || *s.interval_s <= 0) return std::nullopt;
    const auto every = std::max<Micros>(1, Micros(std::llround(*s.interval_s * 1e6)));
    if (anchor > t) return anchor;
    return anchor + ((t - anchor) / every + 1) * every;
}

} // namespace

SchedulerConfig SchedulerConfig::from_environment() {
    SchedulerConfig c;
    if (auto ms = env_number("WEFT_SERVER_SCHEDULER_INTERVAL_MS"); ms && *ms >= 1)
        c.interval = std::chrono::milliseconds(std::llround(*ms));
    if (auto s = env_number("WEFT_SERVER_LATE_AFTER_SECONDS")) c.late_after = Micros(*s * 1e6);
    if (auto s = env_number("WEFT_SERVER_WORKER_TIMEOUT_MIN_SECONDS"))
        c.min_worker_timeout = Micros(*s * 1e6);
    return c;
}

std::vector<Micros> upcoming_times(const DeploymentSchedule& schedule, Micros created, Micros now,
                                   const SchedulerConfig& config) {
    std::optional<Cron> cron;
    if (!schedule.cron.empty()) {
        cron = Cron::parse(schedule.cron);
        if (!cron) return {}; // refused when the deployment was made; an old row says nothing
    }
    const Micros anchor = schedule.anchor.value_or(created);
    std::vector<Micros> times;
    Micros t = now;
    while (int(times.size()) < config.max_runs) {
        auto next = next_time(schedule, cron, anchor, t);
        if (!next) break;
        if (*next > now + config.horizon && int(times.size()) >= config.min_runs) break;
        times.push_back(*next);
        t = *next;
    }
    return times;
}

std::string scheduled_run_key(const std::string& deployment_id, Micros at) {
    return "scheduled " + deployment_id + " " + to_iso(at);
}

Scheduler::Scheduler(std::shared_ptr<Engine> engine, SchedulerConfig config, QObject* parent)
    : QObject(parent)
    , m_engine(std::move(engine))
    , m_config(config) {
    m_timer.setInterval(m_config.interval);
    connect(&m_timer, &QTimer::timeout, this, [this] { tick(now_us()); });
}

void Scheduler::start() {
    m_timer.start();
    tick(now_us());
}

Scheduler::Report Scheduler::tick(Micros now) {
    Report report;
    // Each job alone: one failing (a store that stopped writing) does not keep the others back.
    auto guarded = [](const char* what, auto&& job) {
        try {
            return job();
        } catch (const std::exception& e) {
            spdlog::error("weft-server: scheduler: {}: {}", what, e.what());
            return 0;
        }
    };
    report.scheduled = guarded("scheduling runs", [&] { return schedule_runs(now); });
    report.late = guarded("marking late runs", [&] { return mark_late_runs(now); });
    report.crashed =
        guarded("crashing runs of lost workers", [&] { return crash_runs_of_lost_workers(now); });
    return report;
}

int Scheduler::schedule_runs(Micros now) {
    const auto deployments = m_engine->store().read([](Reader& r) { return r.deployments(); });
    int created = 0;
    for (const auto& listed : deployments) {
        if (listed.paused
            || std::none_of(listed.schedules.begin(), listed.schedules.end(),
                            [](const DeploymentSchedule& s) { return s.active; }))
            continue;
        created +=
            m_engine->store()
                .transact<int>([&](Txn& txn) {
                    Reader& r = txn.read();
                    // As it is now: it may have changed or gone since the list was read.
                    auto d = r.deployment(listed.id);
                    if (!d || d->paused) return 0;
                    auto flow = r.flow(d->flow_id);
                    if (!flow) return 0;
                    int n = 0;
                    Micros until = d->scheduled_until.value_or(0);
                    for (const auto& s : d->schedules) {
                        if (!s.active) continue;
                        for (Micros at : upcoming_times(s, d->created, now, m_config)) {
                            json tags = d->tags;
                            if (std::find(d->tags.begin(), d->tags.end(), kAutoScheduledTag)
                                == d->tags.end())
                                tags.push_back(kAutoScheduledTag);
                            const json body = {
                                {"flow_id", flow->id},
                                {"parameters", d->parameters},
                                {"tags", tags},
                                {"idempotency_key", scheduled_run_key(d->id, at)},
                                {"state",
                                 {{"type", "SCHEDULED"},
                                  {"state_details", {{"scheduled_time", to_iso(at)}}}}}};
                            FlowRunRecord run = flow_run_from_create(body, *flow);
                            until = std::max(until, at);
                            if (r.flow_run(run.id)) continue; // made before
                            run.placement = {d->id, d->work_pool_name, d->work_queue_name, ""};
                            txn.put_flow_run(run, EventKind::FlowRunCreated);
                            ++n;
                        }
                    }
                    if (n > 0) {
                        d->scheduled_until = until;
                        txn.put_deployment(*d);
                    }
                    return n;
                })
                .get();
    }
    return created;
}

int Scheduler::mark_late_runs(Micros now) {
    const Micros due = now - m_config.late_after;
    FlowRunQuery q;
    q.states = {StateType::Scheduled};
    q.state_names = {"Scheduled"};
    q.expected_before = due; // never later than the state's own scheduled time
    q.limit = -1;
    const auto runs = m_engine->store().read([&](Reader& r) { return r.flow_runs(q); });
    int marked = 0;
    for (const auto& run : runs) {
        const Micros scheduled = run.state.scheduled_time().value_or(run.expected_start_time);
        if (scheduled > due) continue;
        const bool done = m_engine->store()
                              .transact<bool>([&](Txn& txn) {
                                  auto now_run = txn.read().flow_run(run.id);
                                  // Started or moved meanwhile: not late any more.
                                  if (!now_run || now_run->state.id != run.state.id) return false;
                                  const Proposal late{states::scheduled(scheduled, "Late"),
                                                      Origin::Program, false};
                                  return flow_run_transition(txn, run.id, late).outcome.accepted();
                              })
                              .get();
        marked += done;
    }
    return marked;
}

int Scheduler::crash_runs_of_lost_workers(Micros now) {
    struct Lost {
        std::string pool, worker;
        Micros last_heartbeat, timeout;
    };
    std::vector<Lost> lost;
    m_engine->store().read([&](Reader& r) {
        for (const auto& pool : r.work_pools())
            for (const auto& w : r.workers(pool.id)) {
                const Micros timeout =
                    std::max(m_config.min_worker_timeout,
                             Micros(3) * w.heartbeat_interval_s.value_or(30) * 1'000'000);
                if (now - w.last_heartbeat > timeout)
                    lost.push_back({pool.name, w.name, w.last_heartbeat, timeout});
            }
    });
    int crashed = 0;
    for (const auto& l : lost) {
        FlowRunQuery q;
        q.work_pool_names = {l.pool};
        q.states = {StateType::Pending, StateType::Running, StateType::Cancelling};
        q.limit = -1;
        const auto runs = m_engine->store().read([&](Reader& r) { return r.flow_runs(q); });
        for (const auto& run : runs) {
            if (run.placement.worker_name != l.worker) continue;
            // The program may still be running and beating on its own (a worker restarted, or
            // lost its connection): only a run silent on both sides has crashed.
            const Micros program_seen = std::max(run.process.heartbeat, run.state.timestamp);
            if (now - program_seen <= l.timeout) continue;
            const std::string why = "Worker '" + l.worker + "' of work pool '" + l.pool
                                    + "' stopped heartbeating (last at " + to_iso(l.last_heartbeat)
                                    + ") and this flow run has not reported since "
                                    + to_iso(program_seen) + ".";
            const bool moved =
                m_engine->store()
                    .transact<bool>([&](Txn& txn) {
                        auto current = txn.read().flow_run(run.id);
                        if (!current || current->state.id != run.state.id) return false;
                        const Proposal crash{states::crashed(why), Origin::Program, false};
                        if (!flow_run_transition(txn, run.id, crash).outcome.accepted())
                            return false;
                        for (auto task : txn.read().task_runs(run.id)) {
                            if (is_terminal(task.state.type)) continue;
                            enter_state(task, states::crashed("Its flow run crashed."));
                            txn.put_task_run(task, EventKind::TaskRunState);
                        }
                        txn.release_slots_of_flow_run(run.id);
                        return true;
                    })
                    .get();
            crashed += moved;
        }
    }
    return crashed;
}

} // namespace weft::server
