#pragma once
// The server's scheduler, on a timer of the thread that creates it: it creates the SCHEDULED runs
// of deployments' active schedules ahead of time, marks SCHEDULED runs that did not start in time
// as Late, and moves the runs of workers that went silent (their own heartbeat stale too) to
// CRASHED. Every change goes through the store's transactions and the engine's rules, so it is
// safe beside the REST handlers, and idempotent across restarts.
#include <weft/engine.hpp>

#include <QObject>
#include <QTimer>
#include <chrono>
#include <memory>

namespace weft::server {

struct SchedulerConfig {
    std::chrono::milliseconds interval{5000}; // WEFT_SERVER_SCHEDULER_INTERVAL_MS
    Micros late_after = 15'000'000;           // WEFT_SERVER_LATE_AFTER_SECONDS
    Micros min_worker_timeout = 30'000'000;   // WEFT_SERVER_WORKER_TIMEOUT_MIN_SECONDS
    // How far ahead runs are made: the next max_runs or those within horizon, whichever are
    // fewer, but at least min_runs.
    int max_runs = 100;
    int min_runs = 3;
    Micros horizon = 3600'000'000;

    /// The defaults above, with the environment's overrides (bad values are ignored).
    static SchedulerConfig from_environment();
};

class Scheduler : public QObject {
    Q_OBJECT
public:
    Scheduler(std::shared_ptr<Engine> engine, SchedulerConfig config, QObject* parent = nullptr);

    /// Ticks now and then every config.interval.
    void start();
    void stop() { m_timer.stop(); }

    struct Report {
        int scheduled = 0; // runs created
        int late = 0;      // runs marked Late
        int crashed = 0;   // runs of silent workers moved to CRASHED
    };
    /// One round of all three jobs at `now`. Errors are logged, never thrown.
    Report tick(Micros now);

    int schedule_runs(Micros now);
    int mark_late_runs(Micros now);
    int crash_runs_of_lost_workers(Micros now);

private:
    std::shared_ptr<Engine> m_engine;
    SchedulerConfig m_config;
    QTimer m_timer;
};

/// The times a schedule names after `now`: the next config.max_runs, or those up to
/// now + config.horizon if fewer, but at least config.min_runs. `created`: the anchor of an
/// interval schedule that has none.
std::vector<Micros> upcoming_times(const DeploymentSchedule& schedule, Micros created, Micros now,
                                   const SchedulerConfig& config);

/// The idempotency key of a deployment's scheduled run at `at`: the same run whoever makes it.
std::string scheduled_run_key(const std::string& deployment_id, Micros at);

/// The tag of runs the scheduler made (Prefect's).
inline constexpr const char* kAutoScheduledTag = "auto-scheduled";

} // namespace weft::server
