#include "filters.hpp"

#include "deployment_filters.hpp"
#include "json_fields.hpp"

#include <algorithm>
#include <cctype>
#include <limits>
#include <set>

namespace weft::server {

namespace {

using nlohmann::json;
using namespace fields;

std::optional<Micros> time(const json* j, const char* key) {
    auto t = text(j, key);
    return t ? from_iso(*t) : std::nullopt;
}

std::vector<StateType> state_types(const std::vector<std::string>& names) {
    std::vector<StateType> out;
    for (const auto& n : names)
        if (auto t = state_type_from_string(n)) out.push_back(*t);
    return out;
}

// Only "and_" is implemented; an "or_" anywhere in a filter is answered as unsupported.
bool uses_or(const json& j) {
    if (j.is_object()) {
        for (auto it = j.begin(); it != j.end(); ++it) {
            if (it.key() == "operator" && it->is_string() && it->get<std::string>() == "or_")
                return true;
            if (uses_or(*it)) return true;
        }
    }
    return false;
}

// Conditions on creators: Weft records none, so a condition that needs one matches nothing, and
// "is null" matches everything.
bool needs_missing_thing(const json& body) {
    const json* runs = part(body, "flow_runs");
    if (const json* f = runs ? part(*runs, "created_by") : nullptr) {
        if (list(f, "id_") || list(f, "type_")) return true;
        if (auto null = flag(f, "is_null_"); null && !*null) return true;
    }
    return false;
}

// `deployed`: the ids of the flows that have a deployment (deployed_flow_ids).
bool flow_matches(const FlowRecord& flow, const json& f, const std::vector<std::string>& deployed) {
    if (const json* id = part(f, "id")) {
        if (auto any = list(id, "any_");
            any && std::find(any->begin(), any->end(), flow.id) == any->end())
            return false;
        if (auto not_any = list(id, "not_any_");
            not_any && std::find(not_any->begin(), not_any->end(), flow.id) != not_any->end())
            return false;
    }
    if (const json* name = part(f, "name")) {
        if (auto any = list(name, "any_");
            any && std::find(any->begin(), any->end(), flow.name) == any->end())
            return false;
        if (auto like = text(name, "like_");
            like && lowercase(flow.name).find(lowercase(*like)) == std::string::npos)
            return false;
    }
    if (const json* tags = part(f, "tags")) {
        if (auto all = list(tags, "all_"))
            for (const auto& t : *all)
                if (std::find(flow.tags.begin(), flow.tags.end(), t) == flow.tags.end())
                    return false;
        if (auto null = flag(tags, "is_null_"); null && *null != flow.tags.empty()) return false;
    }
    if (auto null = flag(part(f, "deployment"), "is_null_")) {
        const bool deployed_flow =
            std::find(deployed.begin(), deployed.end(), flow.id) != deployed.end();
        if (*null == deployed_flow) return false;
    }
    return true;
}

std::vector<std::string> deployed_if_asked(const json& f, Reader& reader) {
    return flag(part(f, "deployment"), "is_null_") ? deployed_flow_ids(reader)
                                                   : std::vector<std::string>();
}

// Ids of the flows a `flows` filter selects.
std::vector<std::string> matching_flow_ids(const json& f, Reader& reader) {
    const auto deployed = deployed_if_asked(f, reader);
    std::vector<std::string> ids;
    for (const auto& flow : reader.flows())
        if (flow_matches(flow, f, deployed)) ids.push_back(flow.id);
    return ids;
}

// The flow_runs filter's own fields.
// start_time, end_time and expected_start_time: the same conditions on flow runs and task runs.
template<class Query> void apply_time_ranges(const json& f, Query& q) {
    if (const json* t = part(f, "start_time")) {
        q.start_after = time(t, "after_");
        q.start_before = time(t, "before_");
        q.start_null = flag(t, "is_null_");
    }
    if (const json* t = part(f, "end_time")) {
        q.end_after = time(t, "after_");
        q.end_before = time(t, "before_");
        q.end_null = flag(t, "is_null_");
    }
    if (const json* t = part(f, "expected_start_time")) {
        q.expected_after = time(t, "after_");
        q.expected_before = time(t, "before_");
    }
}

void apply_flow_run_filter(const json& f, FlowRunQuery& q, bool& none, std::string& unsupported) {
    if (const json* id = part(f, "id")) {
        if (auto any = list(id, "any_")) narrow(q.ids, *any, none);
        if (auto not_any = list(id, "not_any_")) q.not_ids = *not_any;
    }
    if (const json* name = part(f, "name")) {
        if (auto any = list(name, "any_")) narrow(q.names, *any, none);
        if (auto like = text(name, "like_")) q.run_name_like = *like;
    }
    if (const json* tags = part(f, "tags")) {
        if (auto all = list(tags, "all_")) q.tags = *all;
        if (auto any = list(tags, "any_")) narrow(q.any_tags, *any, none);
        q.no_tags = flag(tags, "is_null_");
    }
    if (const json* state = part(f, "state")) {
        if (const json* type = part(*state, "type")) {
            if (auto any = list(type, "any_")) {
                q.states = state_types(*any);
                if (q.states.empty()) none = true;
            }
            if (auto not_any = list(type, "not_any_")) q.not_states = state_types(*not_any);
        }
        if (const json* name = part(*state, "name")) {
            if (auto any = list(name, "any_")) narrow(q.state_names, *any, none);
            if (auto not_any = list(name, "not_any_")) q.not_state_names = *not_any;
        }
    }
    if (auto versions = list(part(f, "flow_version"), "any_"))
        narrow(q.flow_versions, *versions, none);
    apply_time_ranges(f, q);
    if (const json* parent = part(f, "parent_task_run_id")) {
        if (auto any = list(parent, "any_")) narrow(q.parent_task_run_ids, *any, none);
        if (auto null = flag(parent, "is_null_")) {
            if (*null)
                q.parent_task_run_id = std::string(); // top-level runs
            else
                unsupported = "flow_runs.parent_task_run_id.is_null_: false";
        }
    }
    if (sets_condition(part(f, "next_scheduled_start_time")))
        unsupported = "flow_runs.next_scheduled_start_time";
    if (sets_condition(part(f, "parent_flow_run_id"))) unsupported = "flow_runs.parent_flow_run_id";
    if (sets_condition(part(f, "idempotency_key"))) unsupported = "flow_runs.idempotency_key";
}

void apply_task_run_filter(const json& f, TaskRunQuery& q, bool& none) {
    if (auto any = list(part(f, "id"), "any_")) narrow(q.ids, *any, none);
    if (const json* name = part(f, "name")) {
        if (auto any = list(name, "any_")) narrow(q.names, *any, none);
        if (auto like = text(name, "like_")) q.name_like = *like;
    }
    if (const json* tags = part(f, "tags")) {
        if (auto all = list(tags, "all_")) q.tags = *all;
        q.no_tags = flag(tags, "is_null_");
    }
    if (const json* state = part(f, "state")) {
        if (auto any = list(part(*state, "type"), "any_")) {
            q.states = state_types(*any);
            if (q.states.empty()) none = true;
        }
        if (auto any = list(part(*state, "name"), "any_")) narrow(q.state_names, *any, none);
    }
    // Weft's extension: a task cache's key (a flow program looking a cached result up).
    if (auto any = list(part(f, "cache_key"), "any_")) narrow(q.cache_keys, *any, none);
    apply_time_ranges(f, q);
    q.has_subflow_run = flag(part(f, "subflow_runs"), "exists_");
    if (const json* run = part(f, "flow_run_id")) {
        if (auto any = list(run, "any_")) narrow(q.flow_run_ids, *any, none);
        // Prefect's default for this sub-filter: is_null_ false, task runs inside a flow run.
        q.no_flow_run = flag(run, "is_null_").value_or(false);
    }
}

FlowRunSort flow_run_sort(const std::string& s) {
    if (s == "START_TIME_ASC") return FlowRunSort::StartTimeAsc;
    if (s == "START_TIME_DESC") return FlowRunSort::StartTimeDesc;
    if (s == "EXPECTED_START_TIME_ASC" || s == "NEXT_SCHEDULED_START_TIME_ASC")
        return FlowRunSort::ExpectedStartAsc;
    if (s == "NAME_ASC") return FlowRunSort::NameAsc;
    if (s == "NAME_DESC") return FlowRunSort::NameDesc;
    if (s == "END_TIME_DESC") return FlowRunSort::EndTimeDesc;
    // EXPECTED_START_TIME_DESC, and ID_DESC: Prefect's ids are random, so any order is right
    // for it; newest first is the useful one.
    return FlowRunSort::ExpectedStartDesc;
}

TaskRunSort task_run_sort(const std::string& s) {
    if (s == "EXPECTED_START_TIME_ASC" || s == "NEXT_SCHEDULED_START_TIME_ASC")
        return TaskRunSort::ExpectedStartAsc;
    if (s == "NAME_ASC") return TaskRunSort::NameAsc;
    if (s == "NAME_DESC") return TaskRunSort::NameDesc;
    if (s == "END_TIME_DESC") return TaskRunSort::EndTimeDesc;
    return TaskRunSort::ExpectedStartDesc;
}

// Past the end of any table: an offset this large simply answers nothing.
int offset_of(const json& body) {
    auto it = body.find("offset");
    if (it == body.end() || !it->is_number()) return 0;
    return int(std::clamp(it->get<double>(), 0.0, double(std::numeric_limits<int>::max())));
}

std::string sort_of(const json& body) {
    auto it = body.find("sort");
    return it != body.end() && it->is_string() ? it->get<std::string>() : std::string();
}

} // namespace

std::optional<int> requested_limit(const json& body) {
    auto it = body.find("limit");
    if (it == body.end() || it->is_null()) return kMaxLimit;
    const double limit = it->get<double>();
    if (limit < 0 || limit > kMaxLimit) return std::nullopt;
    return int(limit);
}

Selection<FlowRunQuery> flow_run_selection(const json& body, Reader& reader) {
    Selection<FlowRunQuery> s;
    FlowRunQuery& q = s.query;
    if (uses_or(body)) {
        s.unsupported = "the operator or_";
        return s;
    }
    if (needs_missing_thing(body)) {
        s.none = true;
        return s;
    }
    if (const json* flows = part(body, "flows"); sets_condition(flows))
        narrow(q.flow_ids, matching_flow_ids(*flows, reader), s.none);
    if (const json* runs = part(body, "flow_runs"))
        apply_flow_run_filter(*runs, q, s.none, s.unsupported);
    apply_placement_filters(body, reader, q, s.none, s.unsupported);
    if (const json* tasks = part(body, "task_runs"); sets_condition(tasks)) {
        // Flow runs that have a matching task run.
        TaskRunQuery tq;
        apply_task_run_filter(*tasks, tq, s.none);
        tq.limit = -1;
        std::set<std::string> ids;
        for (const auto& t : reader.find_task_runs(tq))
            if (!t.flow_run_id.empty()) ids.insert(t.flow_run_id);
        narrow(q.ids, {ids.begin(), ids.end()}, s.none);
    }
    q.sort = flow_run_sort(sort_of(body));
    q.offset = offset_of(body);
    q.limit = requested_limit(body).value_or(kMaxLimit);
    return s;
}

Selection<TaskRunQuery> task_run_selection(const json& body, Reader& reader) {
    Selection<TaskRunQuery> s;
    TaskRunQuery& q = s.query;
    if (uses_or(body)) {
        s.unsupported = "the operator or_";
        return s;
    }
    if (needs_missing_thing(body)) {
        s.none = true;
        return s;
    }
    if (const json* tasks = part(body, "task_runs")) apply_task_run_filter(*tasks, q, s.none);
    if (sets_condition(part(body, "flows")) || sets_condition(part(body, "flow_runs"))
        || sets_condition(part(body, "deployments"))) {
        json runs_only = {{"flows", body.value("flows", json())},
                          {"flow_runs", body.value("flow_runs", json())},
                          {"deployments", body.value("deployments", json())}};
        auto runs = flow_run_selection(runs_only, reader);
        if (!runs.unsupported.empty()) s.unsupported = runs.unsupported;
        if (runs.none) {
            s.none = true;
        } else {
            runs.query.limit = -1;
            runs.query.offset = 0;
            std::vector<std::string> ids;
            for (const auto& r : reader.flow_runs(runs.query))
                ids.push_back(r.id);
            narrow(q.flow_run_ids, ids, s.none);
        }
    }
    q.sort = task_run_sort(sort_of(body));
    q.offset = offset_of(body);
    q.limit = requested_limit(body).value_or(kMaxLimit);
    return s;
}

Selection<LogQuery> log_selection(const json& body) {
    Selection<LogQuery> s;
    LogQuery& q = s.query;
    const json* f = part(body, "logs");
    if (uses_or(body)) s.unsupported = "the operator or_";
    if (f) {
        if (const json* level = part(*f, "level")) {
            if (auto it = level->find("ge_"); it != level->end() && it->is_number())
                q.min_level = it->get<int>();
            if (auto it = level->find("le_"); it != level->end() && it->is_number()) {
                q.max_level = it->get<int>();
                if (q.max_level <= 0) s.none = true;
            }
        }
        if (const json* t = part(*f, "timestamp")) {
            q.timestamp_after = time(t, "after_");
            q.timestamp_before = time(t, "before_");
        }
        if (auto any = list(part(*f, "flow_run_id"), "any_")) narrow(q.flow_run_ids, *any, s.none);
        if (const json* task = part(*f, "task_run_id")) {
            if (auto any = list(task, "any_")) {
                if (any->empty())
                    s.none = true;
                else if (any->size() == 1)
                    q.task_run_id = any->front();
                else
                    s.unsupported = "logs.task_run_id.any_ with more than one id";
            }
            q.no_task_run = flag(task, "is_null_");
        }
        if (auto query = text(part(*f, "text"), "query")) q.text = *query;
    }
    q.newest_first = sort_of(body) == "TIMESTAMP_DESC";
    q.offset = offset_of(body);
    q.limit = requested_limit(body).value_or(kMaxLimit);
    return s;
}

Selection<std::vector<FlowRecord>> flow_selection(const json& body, Reader& reader, bool paged) {
    Selection<std::vector<FlowRecord>> s;
    if (uses_or(body)) {
        s.unsupported = "the operator or_";
        return s;
    }
    if (needs_missing_thing(body)) {
        s.none = true;
        return s;
    }
    std::vector<FlowRecord> flows = reader.flows();
    if (const json* f = part(body, "flows")) {
        const auto deployed = deployed_if_asked(*f, reader);
        std::erase_if(flows,
                      [&](const FlowRecord& flow) { return !flow_matches(flow, *f, deployed); });
    }
    if (const json* f = part(body, "deployments"); sets_condition(f)) {
        // Flows that have a matching deployment.
        json only = {{"deployments", *f}};
        auto matching = deployment_selection(only, reader, /*paged=*/false);
        std::set<std::string> ids;
        for (const auto& d : matching.query)
            ids.insert(d.flow_id);
        std::erase_if(flows, [&](const FlowRecord& flow) { return !ids.count(flow.id); });
    }
    if (sets_condition(part(body, "flow_runs")) || sets_condition(part(body, "task_runs"))
        || sets_condition(part(body, "work_pools"))) {
        // Flows that have a matching run.
        json runs_only = {{"flow_runs", body.value("flow_runs", json())},
                          {"task_runs", body.value("task_runs", json())},
                          {"work_pools", body.value("work_pools", json())}};
        auto runs = flow_run_selection(runs_only, reader);
        if (!runs.unsupported.empty()) s.unsupported = runs.unsupported;
        std::set<std::string> flow_ids;
        if (!runs.none) {
            runs.query.limit = -1;
            runs.query.offset = 0;
            for (const auto& r : reader.flow_runs(runs.query))
                flow_ids.insert(r.flow_id);
        }
        std::erase_if(flows, [&](const FlowRecord& f) { return !flow_ids.count(f.id); });
    }
    const std::string sort = sort_of(body);
    if (sort == "NAME_DESC")
        std::reverse(flows.begin(), flows.end()); // flows() comes by name
    else if (sort == "CREATED_DESC" || sort == "UPDATED_DESC")
        std::stable_sort(flows.begin(), flows.end(),
                         [](const auto& a, const auto& b) { return a.created > b.created; });
    const size_t offset = paged ? std::min(flows.size(), size_t(offset_of(body))) : 0;
    const size_t limit = paged ? size_t(requested_limit(body).value_or(kMaxLimit)) : flows.size();
    s.query.assign(flows.begin() + std::ptrdiff_t(offset),
                   flows.begin() + std::ptrdiff_t(std::min(flows.size(), offset + limit)));
    return s;
}

} // namespace weft::server
