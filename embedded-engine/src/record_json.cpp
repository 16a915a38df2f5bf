// JSON shapes of stored records. Field names and units follow Prefect's REST schema (times ISO 8601
// UTC, durations in seconds), so `weft … --json`, the REST API and Studio's remote backend agree.
// Every key is always present (null when it has no value): scripts index without checking.
#include "weft/record_json.hpp"

#include "weft/deployment_json.hpp"

#include <algorithm>
#include <cstdlib>
#include <stdexcept>

namespace weft {

namespace {

using nlohmann::json;

json text_or_null(const std::string& s) {
    return s.empty() ? json() : json(s);
}

json time_or_null(const std::optional<Micros>& t) {
    return t ? json(to_iso(*t)) : json();
}

// 0 is how the records spell "never set" for non-optional time fields.
json time_or_null(Micros t) {
    return t != 0 ? json(to_iso(t)) : json();
}

json seconds(Micros d) {
    return to_seconds(d);
}

// Prefect counts the current RUNNING stretch into the estimate, so a live run's clock ticks.
template<class Run> Micros estimated_run_time(const Run& run, Micros now) {
    Micros total = run.total_run_time;
    if (run.state.type == StateType::Running)
        total += std::max<Micros>(0, now - run.state.timestamp);
    return total;
}

// How late the run started; a run still waiting to start is as late as the clock says.
template<class Run> Micros estimated_start_time_delta(const Run& run, Micros now) {
    if (run.expected_start_time == 0) return 0;
    if (run.start_time) return std::max<Micros>(0, *run.start_time - run.expected_start_time);
    const bool waiting =
        run.state.type == StateType::Scheduled || run.state.type == StateType::Pending;
    return waiting ? std::max<Micros>(0, now - run.expected_start_time) : 0;
}

// The fields both kinds of run share, with the state flattened as Prefect does.
template<class Run> void put_run_common(json& j, const Run& run, Micros now) {
    j["id"] = run.id;
    j["created"] = time_or_null(run.created);
    j["updated"] = time_or_null(run.updated);
    j["name"] = run.name;
    j["state_id"] = text_or_null(run.state.id);
    j["state_type"] = to_string(run.state.type);
    j["state_name"] = run.state.name;
    j["state"] = to_json(run.state);
    j["run_count"] = run.run_count;
    j["expected_start_time"] = time_or_null(run.expected_start_time);
    j["next_scheduled_start_time"] =
        run.state.type == StateType::Scheduled ? time_or_null(run.state.scheduled_time()) : json();
    j["start_time"] = time_or_null(run.start_time);
    j["end_time"] = time_or_null(run.end_time);
    j["total_run_time"] = seconds(run.total_run_time);
    j["estimated_run_time"] = seconds(estimated_run_time(run, now));
    j["estimated_start_time_delta"] = seconds(estimated_start_time_delta(run, now));
    j["parameters"] = run.parameters.is_null() ? json::object() : run.parameters;
    j["tags"] = run.tags;
}

// Readers of optional fields for the *_from_json functions.
std::string text_of(const json& j, const char* key) {
    auto it = j.find(key);
    if (it == j.end() || it->is_null()) return {};
    if (!it->is_string()) throw std::invalid_argument(std::string(key) + ": expected a string");
    return it->get<std::string>();
}

std::optional<Micros> time_of(const json& j, const char* key) {
    const std::string text = text_of(j, key);
    if (text.empty()) return std::nullopt;
    auto t = from_iso(text);
    if (!t) throw std::invalid_argument(std::string(key) + ": not an ISO 8601 time: " + text);
    return t;
}

template<class Number> Number number_of(const json& j, const char* key, Number fallback = 0) {
    auto it = j.find(key);
    if (it == j.end() || it->is_null()) return fallback;
    if (!it->is_number()) throw std::invalid_argument(std::string(key) + ": expected a number");
    return it->get<Number>();
}

std::vector<std::string> tags_of(const json& j) {
    auto it = j.find("tags");
    if (it == j.end() || !it->is_array()) return {};
    std::vector<std::string> tags;
    for (const auto& t : *it)
        if (t.is_string()) tags.push_back(t.get<std::string>());
    return tags;
}

json object_of(const json& j, const char* key) {
    auto it = j.find(key);
    return it != j.end() && it->is_object() ? *it : json::object();
}

// The fields put_run_common writes, read back.
template<class Run> void get_run_common(const json& j, Run& run) {
    if (!j.is_object()) throw std::invalid_argument("run: expected an object");
    run.id = text_of(j, "id");
    run.name = text_of(j, "name");
    run.created = time_of(j, "created").value_or(0);
    run.updated = time_of(j, "updated").value_or(0);
    if (auto it = j.find("state"); it != j.end() && it->is_object())
        run.state = state_from_json(*it);
    run.run_count = number_of<int>(j, "run_count");
    run.expected_start_time = time_of(j, "expected_start_time").value_or(0);
    run.start_time = time_of(j, "start_time");
    run.end_time = time_of(j, "end_time");
    run.total_run_time = from_seconds(number_of<double>(j, "total_run_time"));
    run.parameters = object_of(j, "parameters");
    run.tags = tags_of(j);
}

} // namespace

FlowRecord flow_from_json(const json& j) {
    if (!j.is_object()) throw std::invalid_argument("flow: expected an object");
    return {text_of(j, "id"), text_of(j, "name"), time_of(j, "created").value_or(0), tags_of(j)};
}

FlowRunRecord flow_run_from_json(const json& j) {
    FlowRunRecord run;
    get_run_common(j, run);
    run.flow_id = text_of(j, "flow_id");
    run.flow_name = text_of(j, "flow_name"); // Weft's; Prefect's runs name only the flow's id
    run.flow_version = text_of(j, "flow_version");
    run.parent_task_run_id = text_of(j, "parent_task_run_id");
    const json policy = object_of(j, "empirical_policy");
    run.max_retries = number_of<int>(policy, "retries", number_of<int>(policy, "max_retries"));
    run.retry_delay_s =
        number_of<double>(policy, "retry_delay_seconds", number_of<double>(policy, "retry_delay"));
    run.launch.program = text_of(j, "program");
    run.launch.working_dir = text_of(j, "working_dir");
    run.process.host = text_of(j, "host");
    if (auto pid = text_of(j, "infrastructure_pid"); !pid.empty())
        run.process.pid = std::strtoll(pid.c_str(), nullptr, 10);
    if (auto it = j.find("result"); it != j.end()) run.result = *it;
    run.placement.deployment_id = text_of(j, "deployment_id");
    run.placement.work_pool_name = text_of(j, "work_pool_name");
    run.placement.work_queue_name = text_of(j, "work_queue_name");
    return run;
}

TaskRunRecord task_run_from_json(const json& j) {
    TaskRunRecord run;
    get_run_common(j, run);
    run.flow_run_id = text_of(j, "flow_run_id");
    run.task_key = text_of(j, "task_key");
    run.dynamic_key = text_of(j, "dynamic_key");
    run.cache_key = text_of(j, "cache_key");
    run.cache_expiration = time_of(j, "cache_expiration");
    run.max_retries = number_of<int>(object_of(j, "empirical_policy"), "max_retries",
                                     number_of<int>(object_of(j, "empirical_policy"), "retries"));
    run.task_inputs = object_of(j, "task_inputs");
    run.child_flow_run_id = text_of(j, "child_flow_run_id");
    if (auto it = j.find("result"); it != j.end() && !it->is_null()) {
        run.result = *it;
        run.has_result = true;
    }
    return run;
}

LogRecord log_from_json(const json& j) {
    if (!j.is_object()) throw std::invalid_argument("log: expected an object");
    LogRecord line;
    if (auto it = j.find("id"); it != j.end() && it->is_number_integer())
        line.id = it->get<std::int64_t>();
    line.flow_run_id = text_of(j, "flow_run_id");
    line.task_run_id = text_of(j, "task_run_id");
    line.name = text_of(j, "name");
    line.level = number_of<int>(j, "level", int(Info));
    line.timestamp = time_of(j, "timestamp").value_or(0);
    line.message = text_of(j, "message");
    return line;
}

std::string_view to_string(EventKind kind) {
    switch (kind) {
    case EventKind::FlowRunCreated:
        return "flow-run.created";
    case EventKind::FlowRunState:
        return "flow-run.state";
    case EventKind::TaskRunCreated:
        return "task-run.created";
    case EventKind::TaskRunState:
        return "task-run.state";
    case EventKind::Logs:
        return "logs";
    case EventKind::FlowRunDeleted:
        return "flow-run.deleted";
    case EventKind::FlowCreated:
        return "flow.created";
    case EventKind::ConcurrencyLimits:
        return "concurrency-limits";
    case EventKind::FlowRunUpdated:
        return "flow-run.updated";
    }
    return "unknown";
}

json to_json(const FlowRecord& flow) {
    return {
        {"id", flow.id},
        {"created", time_or_null(flow.created)},
        {"updated", time_or_null(flow.created)}, // flows are never changed after creation
        {"name", flow.name},
        {"tags", flow.tags},
        {"labels", json::object()},
    };
}

json to_json(const FlowRunRecord& run) {
    const Micros now = now_us();
    json j = json::object();
    put_run_common(j, run, now);
    j["flow_id"] = run.flow_id;
    j["flow_name"] = run.flow_name;
    j["flow_version"] = text_or_null(run.flow_version);
    j["parent_task_run_id"] = text_or_null(run.parent_task_run_id);
    j["empirical_policy"] = {{"max_retries", run.max_retries},
                             {"retry_delay_seconds", run.retry_delay_s}};
    j["infrastructure_pid"] = run.process.pid > 0 ? json(std::to_string(run.process.pid)) : json();
    j["deployment_id"] = nullptr;
    j["auto_scheduled"] = false;
    // Weft's own fields: how to start the run again, where it ran, what it returned.
    j["program"] = text_or_null(run.launch.program);
    j["working_dir"] = text_or_null(run.launch.working_dir);
    j["host"] = text_or_null(run.process.host);
    j["result"] = run.result;
    return j;
}

Micros estimated_run_time(const FlowRunRecord& run, Micros now) {
    return estimated_run_time<FlowRunRecord>(run, now);
}

Micros estimated_start_time_delta(const FlowRunRecord& run, Micros now) {
    return estimated_start_time_delta<FlowRunRecord>(run, now);
}

json to_json(const TaskRunRecord& run) {
    const Micros now = now_us();
    json j = json::object();
    put_run_common(j, run, now);
    j["flow_run_id"] = text_or_null(run.flow_run_id);
    j["task_key"] = run.task_key;
    j["dynamic_key"] = run.dynamic_key;
    j["cache_key"] = text_or_null(run.cache_key);
    j["cache_expiration"] = time_or_null(run.cache_expiration);
    j["empirical_policy"] = {{"max_retries", run.max_retries}};
    j["task_inputs"] = run.task_inputs.is_null() ? json::object() : run.task_inputs;
    j["result"] = run.has_result ? run.result : json();
    j["child_flow_run_id"] = text_or_null(run.child_flow_run_id);
    return j;
}

json to_json(const LogRecord& line) {
    return {
        {"id", line.id},
        {"name", line.name},
        {"level", line.level},
        {"message", line.message},
        {"timestamp", to_iso(line.timestamp)},
        {"flow_run_id", text_or_null(line.flow_run_id)},
        {"task_run_id", text_or_null(line.task_run_id)},
    };
}

json to_json(const Event& event) {
    return {
        {"seq", event.seq},
        {"kind", to_string(event.kind)},
        {"ts", to_iso(event.ts)},
        {"run_id", text_or_null(event.run_id)},
        {"flow_run_id", text_or_null(event.flow_run_id)},
        {"state", event.state ? to_json(*event.state) : json()},
        {"payload", event.payload},
    };
}

json to_json(const ConcurrencyLimit& limit) {
    return {
        {"tag", limit.tag},
        {"concurrency_limit", limit.limit},
        {"active_slots", limit.active},
    };
}

// ---- deployments, work pools, workers (deployment_json.hpp) ---------------------------------

namespace {

DeploymentSchedule schedule_from_json(const json& item) {
    if (!item.is_object()) throw std::invalid_argument("schedules: expected objects");
    DeploymentSchedule s;
    s.id = text_of(item, "id");
    if (auto it = item.find("active"); it != item.end() && it->is_boolean())
        s.active = it->get<bool>();
    const json schedule = object_of(item, "schedule");
    s.cron = text_of(schedule, "cron");
    if (auto it = schedule.find("interval"); it != schedule.end() && !it->is_null())
        s.interval_s = number_of<double>(schedule, "interval");
    s.anchor = time_of(schedule, "anchor_date");
    s.timezone = text_of(schedule, "timezone");
    if (s.timezone == "UTC") s.timezone.clear(); // the record's "" means UTC
    return s;
}

} // namespace

DeploymentRecord deployment_from_json(const json& j) {
    if (!j.is_object()) throw std::invalid_argument("deployment: expected an object");
    DeploymentRecord d;
    d.id = text_of(j, "id");
    d.flow_id = text_of(j, "flow_id");
    d.name = text_of(j, "name");
    d.entrypoint = text_of(j, "entrypoint");
    d.path = text_of(j, "path");
    d.parameters = object_of(j, "parameters");
    d.tags = tags_of(j);
    d.work_pool_name = text_of(j, "work_pool_name");
    d.work_queue_name = text_of(j, "work_queue_name");
    if (auto it = j.find("paused"); it != j.end() && it->is_boolean()) d.paused = it->get<bool>();
    if (auto it = j.find("schedules"); it != j.end() && it->is_array())
        for (const auto& item : *it)
            d.schedules.push_back(schedule_from_json(item));
    d.description = text_of(j, "description");
    d.version = text_of(j, "version");
    d.job_variables = object_of(j, "job_variables");
    if (auto it = j.find("parameter_openapi_schema"); it != j.end() && !it->is_null()) {
        if (!it->is_object())
            throw std::invalid_argument("parameter_openapi_schema: expected an object");
        d.parameter_openapi_schema = *it;
    }
    d.created = time_of(j, "created").value_or(0);
    d.updated = time_of(j, "updated").value_or(0);
    return d;
}

WorkPoolRecord work_pool_from_json(const json& j) {
    if (!j.is_object()) throw std::invalid_argument("work pool: expected an object");
    WorkPoolRecord p;
    p.id = text_of(j, "id");
    p.name = text_of(j, "name");
    p.description = text_of(j, "description");
    if (auto type = text_of(j, "type"); !type.empty()) p.type = type;
    if (auto it = j.find("is_paused"); it != j.end() && it->is_boolean())
        p.is_paused = it->get<bool>();
    if (auto it = j.find("concurrency_limit"); it != j.end() && !it->is_null())
        p.concurrency_limit = number_of<int>(j, "concurrency_limit");
    p.default_queue_id = text_of(j, "default_queue_id");
    p.base_job_template = object_of(j, "base_job_template");
    p.created = time_of(j, "created").value_or(0);
    p.updated = time_of(j, "updated").value_or(0);
    return p;
}

WorkerRecord worker_from_json(const json& j) {
    if (!j.is_object()) throw std::invalid_argument("worker: expected an object");
    WorkerRecord w;
    w.id = text_of(j, "id");
    w.work_pool_id = text_of(j, "work_pool_id");
    w.name = text_of(j, "name");
    w.last_heartbeat = time_of(j, "last_heartbeat_time").value_or(0);
    if (auto it = j.find("heartbeat_interval_seconds"); it != j.end() && !it->is_null())
        w.heartbeat_interval_s = number_of<int>(j, "heartbeat_interval_seconds");
    w.created = time_of(j, "created").value_or(0);
    return w;
}

} // namespace weft
