#include "fixtures.h"

#include <weft/engine.hpp>
#include <weft/ids.hpp>

#include <random>

namespace weft::studio::fixtures {

namespace {
std::string flowId(weft::Store& store, const std::string& name) {
    return store
        .transact<std::string>([&](weft::Txn& txn) {
            if (auto f = txn.read().flow_by_name(name)) return f->id;
            weft::FlowRecord flow{weft::new_id(), name, weft::now_us(), {}};
            txn.put_flow(flow);
            return flow.id;
        })
        .get();
}

weft::State stateAt(weft::StateType type, weft::Micros at, const std::string& message = {}) {
    weft::State s = weft::make_state(type, {}, message);
    s.timestamp = at;
    return s;
}
} // namespace

Written writeRun(weft::Store& store, const RunSpec& spec) {
    Written out;
    const weft::Micros start = spec.start ? spec.start : weft::now_us();
    weft::FlowRunRecord run;
    run.id = weft::new_id();
    run.flow_id = flowId(store, spec.flow_name);
    run.flow_name = spec.flow_name;
    run.name = spec.name.empty() ? "run-" + run.id.substr(28) : spec.name;
    run.state = stateAt(weft::StateType::Pending, start);
    run.parameters = spec.parameters;
    run.tags = spec.tags;
    run.created = run.updated = run.expected_start_time = start;
    store.put_flow_run(run, weft::EventKind::FlowRunCreated);
    const bool ran =
        spec.state != weft::StateType::Scheduled && spec.state != weft::StateType::Pending;
    if (ran) {
        weft::enter_state(run, stateAt(weft::StateType::Running, start + 1000));
        store.put_flow_run(run, weft::EventKind::FlowRunState);
    }
    for (size_t i = 0; i < spec.tasks.size(); ++i) {
        const TaskSpec& t = spec.tasks[i];
        weft::TaskRunRecord task;
        task.id = weft::new_id();
        task.flow_run_id = run.id;
        task.task_key = t.task_key;
        int nth = 0;
        for (size_t j = 0; j < i; ++j)
            nth += spec.tasks[j].task_key == t.task_key;
        task.dynamic_key = std::to_string(nth);
        task.name = t.task_key + "-" + task.dynamic_key;
        task.tags = t.tags;
        const weft::Micros ts = start + weft::from_seconds(t.start_s);
        task.created = task.updated = task.expected_start_time = ts;
        task.state = stateAt(weft::StateType::Pending, ts);
        task.task_inputs = nlohmann::json::object();
        for (int up : t.upstream)
            task.task_inputs["arg" + std::to_string(up)] = nlohmann::json::array(
                {{{"input_type", "task_run"}, {"id", out.task_run_ids.at(size_t(up))}}});
        store.put_task_run(task, weft::EventKind::TaskRunCreated);
        if (t.state != weft::StateType::Pending && t.state != weft::StateType::Scheduled) {
            weft::enter_state(task, stateAt(weft::StateType::Running, ts + 10));
            store.update_task_run(weft::TaskRunUpdate::of(task));
            if (t.state != weft::StateType::Running) {
                weft::enter_state(task, stateAt(t.state, ts + weft::from_seconds(t.duration_s),
                                                t.state == weft::StateType::Failed ? "boom" : ""));
                store.update_task_run(weft::TaskRunUpdate::of(task));
            }
        }
        out.task_run_ids.push_back(task.id);
    }
    static const int levels[] = {weft::Debug, weft::Info,    weft::Info,
                                 weft::Info,  weft::Warning, weft::Error};
    for (int i = 0; i < spec.log_lines; ++i) {
        weft::LogRecord line;
        line.flow_run_id = run.id;
        if (!out.task_run_ids.empty())
            line.task_run_id = out.task_run_ids[size_t(i) % out.task_run_ids.size()];
        line.name = line.task_run_id.empty() ? "weft.flow_runs" : "weft.task_runs";
        line.level = levels[i % 6];
        line.timestamp = start + i * 1000;
        line.message =
            "line " + std::to_string(i) + (i % 97 == 0 ? " needle in the haystack" : " of the log");
        store.append_log(std::move(line));
    }
    if (ran && spec.state != weft::StateType::Running) {
        weft::enter_state(
            run, stateAt(spec.state, start + weft::from_seconds(spec.duration_s), spec.message));
        store.put_flow_run(run, weft::EventKind::FlowRunState);
    }
    out.flow_run_id = run.id;
    return out;
}

void writeManyRuns(weft::Store& store, int count, double span_s) {
    static const std::vector<std::string> flows{"etl", "reports", "backfill", "ml-train", "sync"};
    static const std::vector<weft::StateType> states{
        weft::StateType::Completed, weft::StateType::Completed, weft::StateType::Completed,
        weft::StateType::Failed,    weft::StateType::Running,   weft::StateType::Crashed,
        weft::StateType::Cancelled, weft::StateType::Scheduled};
    std::mt19937 rng(42);
    const weft::Micros now = weft::now_us();
    for (int i = 0; i < count; ++i) {
        RunSpec spec;
        spec.flow_name = flows[rng() % flows.size()];
        spec.state = states[rng() % states.size()];
        spec.start = now - weft::from_seconds(span_s * double(rng() % 100000) / 100000.0);
        spec.duration_s = 1 + rng() % 600;
        spec.tags = {i % 3 == 0 ? "prod" : "dev"};
        spec.parameters = {{"batch", i}};
        writeRun(store, spec);
        if (i % 10000 == 9999) store.flush();
    }
    store.flush();
}

std::vector<TaskSpec> chain(int n) {
    std::vector<TaskSpec> tasks;
    for (int i = 0; i < n; ++i)
        tasks.push_back({"step",
                         weft::StateType::Completed,
                         i ? std::vector<int>{i - 1} : std::vector<int>{},
                         double(i),
                         1,
                         {}});
    return tasks;
}

std::vector<TaskSpec> fanOut(int width, const std::string& mapped_task) {
    std::vector<TaskSpec> tasks{{"extract", weft::StateType::Completed, {}, 0, 1, {}}};
    std::vector<int> mapped;
    for (int i = 0; i < width; ++i) {
        mapped.push_back(int(tasks.size()));
        tasks.push_back({mapped_task,
                         i % 10 == 7 ? weft::StateType::Failed : weft::StateType::Completed,
                         {0},
                         1 + 0.001 * i,
                         1,
                         {}});
    }
    tasks.push_back({"load", weft::StateType::Completed, mapped, 3, 1, {}});
    return tasks;
}

std::vector<TaskSpec> layers(int layerCount, int width) {
    std::vector<TaskSpec> tasks;
    for (int l = 0; l < layerCount; ++l)
        for (int w = 0; w < width; ++w) {
            TaskSpec t{
                "layer" + std::to_string(l), weft::StateType::Completed, {}, double(l), 1, {}};
            if (l > 0) {
                const int base = (l - 1) * width;
                t.upstream = {base + w, base + (w + 1) % width};
                if (w % 3 == 0) t.upstream.push_back(base + (w + width / 2) % width);
            }
            tasks.push_back(std::move(t));
        }
    return tasks;
}

} // namespace weft::studio::fixtures
