// JSON shapes of stored records. Field names and units follow Prefect's REST schema (times ISO 8601
// UTC, durations in seconds), so `weft … --json`, the REST API and Studio's remote backend agree.
// Every key is always present (null when it has no value): scripts index without checking.
#include "weft/record_json.hpp"

#include <algorithm>

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

} // namespace

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

} // namespace weft
