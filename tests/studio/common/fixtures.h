#pragma once
// Databases for Studio tests and benchmarks: flow runs, task runs with edges, logs, written
// through the engine's store exactly as programs write them.
#include <weft/store.hpp>

#include <memory>
#include <string>
#include <vector>

namespace weft::studio::fixtures {

struct TaskSpec {
    std::string task_key;
    weft::StateType state = weft::StateType::Completed;
    std::vector<int> upstream; // indexes of earlier tasks in the same run (dependency edges)
    double start_s = 0;        // offset from the run's start
    double duration_s = 1;
    std::vector<std::string> tags;
};

struct RunSpec {
    std::string flow_name = "etl";
    std::string name; // random when empty
    weft::StateType state = weft::StateType::Completed;
    std::string message;
    weft::Micros start = 0; // now when 0
    double duration_s = 10;
    std::vector<std::string> tags;
    nlohmann::json parameters = nlohmann::json::object();
    std::vector<TaskSpec> tasks;
    int log_lines = 0; // spread over the run's tasks, mixed levels
};

/// Writes one flow run (its flow created on first use) and returns its id and task run ids.
struct Written {
    std::string flow_run_id;
    std::vector<std::string> task_run_ids;
};
Written writeRun(weft::Store& store, const RunSpec& spec);

/// `count` runs of a few flows in mixed states over the last `span_s` seconds, in batches.
void writeManyRuns(weft::Store& store, int count, double span_s = 86400);

/// A chain / diamond / fan-out of task runs, as RunSpec::tasks.
std::vector<TaskSpec> chain(int n);
std::vector<TaskSpec> fanOut(int width, const std::string& mapped_task = "step");
std::vector<TaskSpec> layers(int layers, int width);

} // namespace weft::studio::fixtures
