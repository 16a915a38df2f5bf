#pragma once
// Runs for the timeline's tests and pictures, written through the store as programs write them.
#include "fixtures.h"

#include <weft/engine.hpp>
#include <weft/ids.hpp>

#include <random>

namespace timelinetest {

using namespace weft::studio;

inline weft::State stateAt(weft::StateType type, weft::Micros at, std::string name = {}) {
    weft::State s = weft::make_state(type, std::move(name));
    s.timestamp = at;
    return s;
}

/// A task run that failed its first attempt, waited `wait_s` in AwaitingRetry and ran again.
/// Times are seconds after `runStart`; `done` false leaves the second attempt running.
inline std::string writeRetried(weft::Store& store, const std::string& flowRunId,
                                weft::Micros runStart, const std::string& key, double start_s,
                                double attempt1_s, double wait_s, double attempt2_s,
                                bool done = true, const std::string& dynamicKey = "0") {
    weft::TaskRunRecord t;
    t.id = weft::new_id();
    t.flow_run_id = flowRunId;
    t.task_key = key;
    t.dynamic_key = dynamicKey;
    t.name = key + "-" + dynamicKey;
    t.max_retries = 2;
    const weft::Micros ts = runStart + weft::from_seconds(start_s);
    t.created = t.updated = t.expected_start_time = ts;
    t.state = stateAt(weft::StateType::Pending, ts);
    store.put_task_run(t, weft::EventKind::TaskRunCreated);
    weft::Micros at = ts + 10;
    weft::enter_state(t, stateAt(weft::StateType::Running, at));
    store.update_task_run(weft::TaskRunUpdate::of(t));
    at += weft::from_seconds(attempt1_s);
    weft::enter_state(t, stateAt(weft::StateType::Scheduled, at, "AwaitingRetry"));
    store.update_task_run(weft::TaskRunUpdate::of(t));
    at += weft::from_seconds(wait_s);
    weft::enter_state(t, stateAt(weft::StateType::Running, at, "Retrying"));
    store.update_task_run(weft::TaskRunUpdate::of(t));
    if (done) {
        at += weft::from_seconds(attempt2_s);
        weft::enter_state(t, stateAt(weft::StateType::Completed, at));
        store.update_task_run(weft::TaskRunUpdate::of(t));
    }
    return t.id;
}

struct EtlRun {
    fixtures::Written written;
    std::string retriedId;
    weft::Micros start = 0;
    weft::Micros now = 0; // a fixed "now" for pictures: the load still runs
};

/// An ETL run as people see it: two extracts, a check, a map of 12 transforms on 4 workers (one
/// retried), an aggregate and a load that still runs.
inline EtlRun writeEtl(weft::Store& store, weft::Micros start) {
    using weft::StateType;
    fixtures::RunSpec spec;
    spec.flow_name = "nightly-etl";
    spec.name = "crimson-heron";
    spec.state = StateType::Running;
    spec.start = start;
    spec.tasks = {
        {"extract_orders", StateType::Completed, {}, 0.15, 2.9, {}},
        {"extract_customers", StateType::Completed, {}, 0.18, 1.7, {}},
        {"validate_schema", StateType::Completed, {0, 1}, 3.1, 0.45, {}},
    };
    std::mt19937 rng(7);
    double workers[4] = {3.6, 3.62, 3.64, 3.66};
    double lastEnd = 0;
    for (int i = 0; i < 12; ++i) {
        if (i == 5) continue; // the retried one, written below
        double* w = std::min_element(std::begin(workers), std::end(workers));
        const double d = 0.9 + double(rng() % 150) / 100.0;
        spec.tasks.push_back({"transform", StateType::Completed, {2}, *w, d, {}});
        *w += d + 0.03;
        lastEnd = std::max(lastEnd, *w);
    }
    spec.tasks.push_back({"aggregate", StateType::Completed, {}, lastEnd + 0.1, 1.2, {}});
    spec.tasks.push_back({"load_warehouse", StateType::Running, {}, lastEnd + 1.35, 0, {}});
    EtlRun run;
    run.start = start;
    run.written = fixtures::writeRun(store, spec);
    run.retriedId = writeRetried(store, run.written.flow_run_id, start, "transform", 3.7, 0.8, 1.6,
                                 1.3, true, "11");
    run.now = start + weft::from_seconds(lastEnd + 4.6);
    store.flush();
    return run;
}

/// `layers` × `width` task runs with starts staggered within each layer and varied durations;
/// a few failed, and, with `running`, the last layer still running.
inline std::vector<fixtures::TaskSpec> staggeredLayers(int layers, int width,
                                                       bool running = false) {
    std::vector<fixtures::TaskSpec> tasks = fixtures::layers(layers, width);
    std::mt19937 rng(11);
    for (size_t i = 0; i < tasks.size(); ++i) {
        const int l = int(i) / width;
        const int w = int(i) % width;
        tasks[i].start_s = l * 1.0 + w * 0.006 + double(rng() % 100) / 1000.0;
        tasks[i].duration_s = 0.2 + double(rng() % 70) / 100.0;
        if (rng() % 97 == 0) tasks[i].state = weft::StateType::Failed;
        if (running && l == layers - 1) tasks[i].state = weft::StateType::Running;
    }
    return tasks;
}

} // namespace timelinetest
