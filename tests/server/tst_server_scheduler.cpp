// The server's scheduler, ticked at chosen times (no waiting): deployments' schedules become
// SCHEDULED runs ahead of time, once (a restarted scheduler makes none twice); paused deployments
// and inactive schedules make none; runs that did not start in time become Late through the
// rules; runs of a worker that went silent, silent themselves, become CRASHED naming the worker.
// One test runs the timer itself.
#include "scheduler.hpp"
#include "serverfixture.h"

#include <weft/time.hpp>

#include <QtTest>

using nlohmann::json;
using weft::Micros;
using weft::server::Scheduler;
using weft::server::SchedulerConfig;

namespace {

constexpr Micros kSecond = 1'000'000;

QString path(const std::string& text) {
    return QString::fromStdString(text);
}

json scheduled_at(Micros at) {
    return {{"type", "SCHEDULED"}, {"state_details", {{"scheduled_time", weft::to_iso(at)}}}};
}

// A pool "local", a flow and a deployment of it there with `schedules`; returns its id.
std::string deploy(ServerFixture& f, json schedules, bool paused = false) {
    f.post(QStringLiteral("/api/work_pools/"), {{"name", "local"}});
    const std::string flow = f.createFlow("etl");
    auto a = f.post(QStringLiteral("/api/deployments/"), {{"name", "nightly"},
                                                          {"flow_id", flow},
                                                          {"work_pool_name", "local"},
                                                          {"parameters", {{"n", 1}}},
                                                          {"paused", paused},
                                                          {"schedules", schedules}});
    return a.status == 201 ? a.body.at("id").get<std::string>() : std::string();
}

json runs_of(ServerFixture& f, const std::string& deployment) {
    return f
        .post(QStringLiteral("/api/flow_runs/filter"),
              {{"deployments", {{"id", {{"any_", {deployment}}}}}},
               {"sort", "EXPECTED_START_TIME_ASC"}})
        .body;
}

json interval(double seconds, Micros anchor) {
    return json::array(
        {{{"schedule", {{"interval", seconds}, {"anchor_date", weft::to_iso(anchor)}}}}});
}

} // namespace

class TestServerScheduler : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void intervalRunsAheadOnce() {
        ServerFixture f;
        const Micros now = weft::now_us();
        const Micros anchor = now - now % (60 * kSecond); // on a whole minute
        const std::string id = deploy(f, interval(600, anchor));
        QVERIFY(!id.empty());
        Scheduler scheduler(f.enginePtr(), SchedulerConfig{});
        // Every 10 minutes, within the hour ahead: six runs.
        QCOMPARE(scheduler.schedule_runs(now), 6);
        json runs = runs_of(f, id);
        QCOMPARE(runs.size(), std::size_t(6));
        for (std::size_t i = 0; i < runs.size(); ++i) {
            const json& r = runs[i];
            QCOMPARE(r.at("state_type"), json("SCHEDULED"));
            QCOMPARE(r.at("work_pool_name"), json("local"));
            QCOMPARE(r.at("parameters"), json({{"n", 1}}));
            QVERIFY(r.at("tags").dump().find("auto-scheduled") != std::string::npos);
            const Micros at = *weft::from_iso(r.at("next_scheduled_start_time").get<std::string>());
            QCOMPARE((at - anchor) % (600 * kSecond), Micros(0));
            QVERIFY(at > now && at <= now + 3600 * kSecond);
        }
        // Again, and from a new scheduler (a restarted server): nothing twice.
        QCOMPARE(scheduler.schedule_runs(now), 0);
        QCOMPARE(Scheduler(f.enginePtr(), SchedulerConfig{}).schedule_runs(now), 0);
        // Half an hour on, the window has moved by three runs.
        QCOMPARE(scheduler.schedule_runs(now + 1800 * kSecond), 3);
        QCOMPARE(runs_of(f, id).size(), std::size_t(9));
        QVERIFY(f.get(path("/api/deployments/" + id)).status == 200);

        // Changing its schedules drops the runs waiting from the old ones.
        const std::string flow = f.get(path("/api/deployments/" + id)).body.at("flow_id");
        QCOMPARE(
            f.post(QStringLiteral("/api/deployments/"), {{"name", "nightly"},
                                                         {"flow_id", flow},
                                                         {"work_pool_name", "local"},
                                                         {"schedules", interval(1200, anchor)}})
                .status,
            200);
        QCOMPARE(runs_of(f, id).size(), std::size_t(0));
        QCOMPARE(scheduler.schedule_runs(now), 3);
    }

    void atLeastThreeAtMostAHundred() {
        ServerFixture f;
        const Micros now = weft::now_us();
        const std::string daily = deploy(f, {{{"schedule", {{"cron", "0 3 * * *"}}}}});
        Scheduler scheduler(f.enginePtr(), SchedulerConfig{});
        QCOMPARE(scheduler.schedule_runs(now), 3); // a day apart: the next three all the same
        const std::string flow = f.createFlow("etl");
        auto busy = f.post(QStringLiteral("/api/deployments/"),
                           {{"name", "busy"}, {"flow_id", flow}, {"schedules", interval(1, now)}});
        QCOMPARE(busy.status, 201);
        QCOMPARE(scheduler.schedule_runs(now), 100);
        QCOMPARE(runs_of(f, busy.body.at("id")).size(), std::size_t(100));
        QCOMPARE(runs_of(f, daily).size(), std::size_t(3));
    }

    void pausedAndInactiveMakeNone() {
        ServerFixture f;
        const Micros now = weft::now_us();
        const std::string paused = deploy(f, interval(600, now), /*paused=*/true);
        const std::string flow = f.createFlow("etl");
        auto inactive =
            f.post(QStringLiteral("/api/deployments/"),
                   {{"name", "off"},
                    {"flow_id", flow},
                    {"schedules", {{{"schedule", {{"interval", 600}}}, {"active", false}}}}});
        QCOMPARE(inactive.status, 201);
        Scheduler scheduler(f.enginePtr(), SchedulerConfig{});
        QCOMPARE(scheduler.schedule_runs(now), 0);
        // Resumed, it is scheduled; paused again, its waiting runs go.
        QCOMPARE(f.post(path("/api/deployments/" + paused + "/resume_deployment"), json::object())
                     .status,
                 200);
        QCOMPARE(scheduler.schedule_runs(now), 6);
        QCOMPARE(
            f.post(path("/api/deployments/" + paused + "/pause_deployment"), json::object()).status,
            200);
        QCOMPARE(runs_of(f, paused).size(), std::size_t(0));
    }

    void lateRunsAreMarkedLate() {
        ServerFixture f;
        const std::string id = deploy(f, json::array());
        const Micros now = weft::now_us();
        auto late = f.post(path("/api/deployments/" + id + "/create_flow_run"),
                           {{"state", scheduled_at(now - 20 * kSecond)}});
        auto on_time = f.post(path("/api/deployments/" + id + "/create_flow_run"),
                              {{"state", scheduled_at(now - 5 * kSecond)}});
        QCOMPARE(late.status, 201);
        QCOMPARE(on_time.status, 201);
        Scheduler scheduler(f.enginePtr(), SchedulerConfig{}); // late after 15 s
        QCOMPARE(scheduler.mark_late_runs(now), 1);
        auto marked = f.get(path("/api/flow_runs/" + late.body.at("id").get<std::string>()));
        QCOMPARE(marked.body.at("state_type"), json("SCHEDULED"));
        QCOMPARE(marked.body.at("state_name"), json("Late"));
        QCOMPARE(marked.body.at("next_scheduled_start_time"),
                 late.body.at("next_scheduled_start_time"));
        QCOMPARE(f.get(path("/api/flow_runs/" + on_time.body.at("id").get<std::string>()))
                     .body.at("state_name"),
                 json("Scheduled"));
        QCOMPARE(scheduler.mark_late_runs(now), 0); // Late once
        // A Late run is still due for workers.
        auto due = f.post(QStringLiteral("/api/work_pools/local/get_scheduled_flow_runs"),
                          {{"scheduled_before", weft::to_iso(now)}});
        QCOMPARE(due.body.size(), std::size_t(2));
        QCOMPARE(due.body.at(0).at("flow_run").at("state_name"), json("Late"));
    }

    void runsOfSilentWorkersCrash() {
        ServerFixture f;
        const std::string id = deploy(f, json::array());
        QCOMPARE(f.post(QStringLiteral("/api/work_pools/local/workers/heartbeat"),
                        {{"name", "w1"}, {"heartbeat_interval_seconds", 5}})
                     .status,
                 204);
        std::vector<std::string> runs;
        for (int i = 0; i < 3; ++i)
            runs.push_back(
                f.post(path("/api/deployments/" + id + "/create_flow_run"), json::object())
                    .body.at("id"));
        // w1 takes all three: one stays PENDING, two start RUNNING.
        auto taken = f.post(QStringLiteral("/api/work_pools/local/get_scheduled_flow_runs"),
                            {{"worker_name", "w1"}});
        QCOMPARE(taken.body.size(), std::size_t(3));
        for (const auto& run : runs)
            QCOMPARE(f.setState(QStringLiteral("flow_runs"), run, {{"type", "PENDING"}}).status,
                     201);
        for (int i = 1; i < 3; ++i)
            QCOMPARE(
                f.setState(QStringLiteral("flow_runs"), runs[std::size_t(i)], {{"type", "RUNNING"}})
                    .status,
                201);
        const Micros now = weft::now_us();
        // The third run's program still beats, on its own.
        f.engine().store().heartbeat(runs[2], now + 40 * kSecond);
        f.engine().store().flush();

        Scheduler scheduler(f.enginePtr(), SchedulerConfig{}); // silent: 3 × 5 s, at least 30 s
        QCOMPARE(scheduler.crash_runs_of_lost_workers(now + 20 * kSecond), 0);
        QCOMPARE(scheduler.crash_runs_of_lost_workers(now + 45 * kSecond), 2);
        for (int i = 0; i < 2; ++i) {
            auto r = f.get(path("/api/flow_runs/" + runs[std::size_t(i)]));
            QCOMPARE(r.body.at("state_type"), json("CRASHED"));
            QVERIFY2(r.body.at("state").at("message").get<std::string>().find("'w1'")
                         != std::string::npos,
                     r.body.at("state").dump().c_str());
        }
        QCOMPARE(f.get(path("/api/flow_runs/" + runs[2])).body.at("state_type"), json("RUNNING"));
        QCOMPARE(scheduler.crash_runs_of_lost_workers(now + 45 * kSecond), 0);
        // A worker that beats again is not lost.
        QCOMPARE(f.post(QStringLiteral("/api/work_pools/local/workers/heartbeat"), {{"name", "w1"}})
                     .status,
                 204);
        QCOMPARE(scheduler.crash_runs_of_lost_workers(weft::now_us() + 10 * kSecond), 0);
    }

    void timerTicksAndEnvironmentConfigures() {
        qputenv("WEFT_SERVER_SCHEDULER_INTERVAL_MS", "20");
        qputenv("WEFT_SERVER_LATE_AFTER_SECONDS", "0.5");
        qputenv("WEFT_SERVER_WORKER_TIMEOUT_MIN_SECONDS", "not a number");
        const SchedulerConfig config = SchedulerConfig::from_environment();
        qunsetenv("WEFT_SERVER_SCHEDULER_INTERVAL_MS");
        qunsetenv("WEFT_SERVER_LATE_AFTER_SECONDS");
        qunsetenv("WEFT_SERVER_WORKER_TIMEOUT_MIN_SECONDS");
        QCOMPARE(config.interval, std::chrono::milliseconds(20));
        QCOMPARE(config.late_after, Micros(500'000));
        QCOMPARE(config.min_worker_timeout, Micros(30 * kSecond)); // the bad value is ignored

        ServerFixture f;
        const std::string id = deploy(f, json::array());
        auto run = f.post(path("/api/deployments/" + id + "/create_flow_run"), json::object());
        Scheduler scheduler(f.enginePtr(), config);
        scheduler.start();
        // The run was due now: half a second on, a tick marks it Late.
        QTRY_COMPARE_WITH_TIMEOUT(
            f.get(path("/api/flow_runs/" + run.body.at("id").get<std::string>()))
                .body.at("state_name"),
            json("Late"), 10000);
    }
};

QTEST_GUILESS_MAIN(TestServerScheduler)
#include "tst_server_scheduler.moc"
