#include "http_mirror.hpp"

namespace weft::http {

namespace {

using nlohmann::json;

json parsed(std::string_view text, json fallback) {
    if (text.empty()) return fallback;
    auto j = json::parse(text, nullptr, false);
    return j.is_discarded() ? fallback : j;
}

std::vector<std::string> tags_of(std::string_view text) {
    std::vector<std::string> tags;
    for (const auto& t : parsed(text, json::array()))
        if (t.is_string()) tags.push_back(t.get<std::string>());
    return tags;
}

} // namespace

void apply_change(TaskRunRecord& run, const TaskRunColumns& c) {
    run.state.id = std::string(c.state_id);
    run.state.type = c.state_type;
    run.state.name = std::string(c.state_name);
    run.state.message = std::string(c.state_message);
    run.state.details = parsed(c.state_details, json());
    run.state.timestamp = c.state_timestamp;
    run.state.data = nullptr;
    run.run_count = c.run_count;
    run.start_time = c.start_time;
    run.end_time = c.end_time;
    run.total_run_time = c.total_run_time;
    run.updated = c.updated;
    run.cache_key = std::string(c.cache_key);
    run.cache_expiration = c.cache_expiration;
    run.inputs_hash = std::string(c.inputs_hash);
    run.has_result = c.has_result;
    run.result = c.has_result ? parsed(c.result, json()) : json();
    if (c.parameters) run.parameters = parsed(*c.parameters, json::object());
    if (c.task_inputs) run.task_inputs = parsed(*c.task_inputs, json::object());
}

TaskRunRecord task_run_of(const TaskRunColumns& c) {
    TaskRunRecord run;
    run.id = std::string(c.id);
    run.flow_run_id = std::string(c.flow_run_id);
    run.task_key = std::string(c.task_key);
    run.dynamic_key = std::string(c.dynamic_key);
    run.name = std::string(c.name);
    run.tags = tags_of(c.tags);
    run.child_flow_run_id = std::string(c.child_flow_run_id);
    run.max_retries = c.max_retries;
    run.expected_start_time = c.expected_start_time;
    run.created = c.created;
    apply_change(run, c);
    return run;
}

void Mirror::put_flow(const FlowRecord& flow) {
    std::scoped_lock lock(m_mutex);
    m_flows[flow.name] = flow;
}

std::optional<FlowRecord> Mirror::flow_by_name(const std::string& name) const {
    std::scoped_lock lock(m_mutex);
    auto it = m_flows.find(name);
    if (it == m_flows.end()) return std::nullopt;
    return it->second;
}

void Mirror::put_flow_run(const FlowRunRecord& run, bool created_here) {
    std::scoped_lock lock(m_mutex);
    m_flow_runs[run.id] = run;
    if (created_here) m_created.insert(run.id);
}

std::optional<FlowRunRecord> Mirror::flow_run(const std::string& id) const {
    std::scoped_lock lock(m_mutex);
    auto it = m_flow_runs.find(id);
    if (it == m_flow_runs.end()) return std::nullopt;
    return it->second;
}

bool Mirror::created_here(const std::string& flow_run_id) const {
    std::scoped_lock lock(m_mutex);
    return m_created.count(flow_run_id) > 0;
}

void Mirror::forget_flow_run(const std::string& id) {
    std::scoped_lock lock(m_mutex);
    m_flow_runs.erase(id);
    m_created.erase(id);
    if (auto it = m_task_ids.find(id); it != m_task_ids.end()) {
        for (const auto& task : it->second)
            m_task_runs.erase(task);
        m_task_ids.erase(it);
    }
}

void Mirror::put_task_run(TaskRunRecord run) {
    std::scoped_lock lock(m_mutex);
    auto [it, fresh] = m_task_runs.try_emplace(run.id);
    if (fresh) m_task_ids[run.flow_run_id].push_back(run.id);
    it->second = std::move(run);
}

void Mirror::apply(const TaskRunColumns& columns) {
    if (columns.full_row) return put_task_run(task_run_of(columns));
    std::scoped_lock lock(m_mutex);
    auto it = m_task_runs.find(std::string(columns.id));
    if (it != m_task_runs.end()) apply_change(it->second, columns);
}

std::optional<TaskRunRecord> Mirror::task_run(const std::string& id) const {
    std::scoped_lock lock(m_mutex);
    auto it = m_task_runs.find(id);
    if (it == m_task_runs.end()) return std::nullopt;
    return it->second;
}

std::vector<TaskRunRecord> Mirror::task_runs(const std::string& flow_run_id) const {
    std::scoped_lock lock(m_mutex);
    std::vector<TaskRunRecord> out;
    if (auto it = m_task_ids.find(flow_run_id); it != m_task_ids.end())
        for (const auto& id : it->second)
            out.push_back(m_task_runs.at(id));
    return out;
}

} // namespace weft::http
