#pragma once
// Plain records of what the store holds. Field names follow Prefect's REST schema.
#include "weft/deployment_records.hpp"
#include "weft/states.hpp"

#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace weft {

struct FlowRecord {
    std::string id;
    std::string name;
    Micros created = 0;
    std::vector<std::string> tags;
};

/// How a flow run was started, so the launcher (weft/launcher.hpp) can start it again.
struct LaunchInfo {
    std::string program;                // absolute path of the flow program
    std::string working_dir;            // its working directory
    std::vector<std::string> arguments; // its command line after the program
    /// Its WEFT_* environment variables, sorted by name; never the rest of the environment,
    /// which may hold secrets (nor WEFT_* ones named like a secret).
    std::vector<std::pair<std::string, std::string>> environment;
};

/// The process that runs a flow run; used to tell a live run from a crashed one.
struct ProcessInfo {
    std::string host;
    std::int64_t pid = 0;
    std::int64_t start_ticks = 0; // process start time (Linux /proc/PID/stat field 22)
    Micros heartbeat = 0;
};

struct FlowRunRecord {
    std::string id;
    std::string flow_id;
    std::string flow_name;
    std::string name;
    std::string flow_version;
    State state;
    nlohmann::json parameters = nlohmann::json::object();
    std::vector<std::string> tags;
    std::string parent_task_run_id;
    int run_count = 0;
    int max_retries = 0;
    double retry_delay_s = 0;
    std::optional<Micros> start_time;
    std::optional<Micros> end_time;
    Micros total_run_time = 0; // time spent RUNNING over all attempts
    Micros expected_start_time = 0;
    Micros created = 0;
    Micros updated = 0;
    LaunchInfo launch;
    ProcessInfo process;
    nlohmann::json result; // null when none was persisted
    /// Its deployment, pool, queue and worker (a table of their own; Store::put_flow_run writes
    /// it when it is not empty).
    FlowRunPlacement placement;
};

struct TaskRunRecord {
    std::string id;
    std::string flow_run_id;
    std::string task_key;    // the task's name
    std::string dynamic_key; // nth call of that task within the flow run
    std::string name;        // task_key-dynamic_key
    State state;
    int run_count = 0;
    int max_retries = 0;
    std::optional<Micros> start_time;
    std::optional<Micros> end_time;
    Micros total_run_time = 0;
    Micros expected_start_time = 0;
    Micros created = 0;
    Micros updated = 0;
    std::string cache_key;
    std::optional<Micros> cache_expiration;
    std::string inputs_hash;
    /// Prefect's task_inputs: {param: [{"input_type": "task_run", "id": …}, …]}; the graph's edges.
    nlohmann::json task_inputs = nlohmann::json::object();
    nlohmann::json parameters = nlohmann::json::object();
    std::vector<std::string> tags;
    nlohmann::json result; // null when none was persisted
    bool has_result = false;
    /// For a task run that stands for a subflow call: the child flow run.
    std::string child_flow_run_id;
};

/// The fields of a task run that change as it runs: what the hot path sends to the store.
struct TaskRunUpdate {
    std::string id;
    std::string flow_run_id;
    State state;
    int run_count = 0;
    std::optional<Micros> start_time;
    std::optional<Micros> end_time;
    Micros total_run_time = 0;
    Micros updated = 0;
    std::string cache_key;
    std::optional<Micros> cache_expiration;
    std::string inputs_hash;
    std::optional<nlohmann::json> parameters;  // set once the inputs are resolved
    std::optional<nlohmann::json> task_inputs; // set when edges were found after creation
    nlohmann::json result;
    bool has_result = false;

    static TaskRunUpdate of(const TaskRunRecord& run, bool with_parameters = false);
    void apply_to(TaskRunRecord& run) &&;
};

/// Log levels are Python's numbers, as Prefect's API carries them.
enum LogLevel : int { Debug = 10, Info = 20, Warning = 30, Error = 40, Critical = 50 };
std::string_view log_level_name(int level); // "DEBUG", "INFO", …
std::optional<int> log_level_from_string(std::string_view text);

struct LogRecord {
    std::int64_t id = 0; // assigned by the store, increasing
    std::string flow_run_id;
    std::string task_run_id;
    std::string name; // logger name
    int level = Info;
    Micros timestamp = 0;
    std::string message;
};

/// One pause of a flow run (weft::pause_flow_run): the input it declared and the input it was
/// resumed with. `key` numbers the pauses of the run's flow code ("0", "1", …), the same on every
/// run of it, so a suspended run started again finds the pause it was resumed from.
struct PauseRecord {
    std::string flow_run_id;
    std::string key;
    nlohmann::json schema; // the RunInput's JSON schema; null: the pause takes no input
    nlohmann::json input;  // given at resume, validated; null until then or without input
    Micros created = 0;
    std::optional<Micros> resumed;
};

struct ConcurrencyLimit {
    std::string tag;
    int limit = 0;
    int active = 0;     // slots taken now
    Micros created = 0; // when the limit was first set
};

} // namespace weft
