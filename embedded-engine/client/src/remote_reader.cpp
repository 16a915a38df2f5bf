#include "weft/remote_reader.hpp"

#include <weft/record_json.hpp>

#include <algorithm>
#include <cctype>

namespace weft {

using nlohmann::json;

namespace {

constexpr int kPage = 200; // Prefect's most rows per request

bool is_uuid(const std::string& s) {
    if (s.size() != 36) return false;
    for (size_t i = 0; i < s.size(); ++i) {
        const bool dash = i == 8 || i == 13 || i == 18 || i == 23;
        if (dash ? s[i] != '-' : !std::isxdigit(static_cast<unsigned char>(s[i]))) return false;
    }
    return true;
}

// Ids are stored lowercase; people may type them in any case.
std::string lowercase(std::string s) {
    std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return std::tolower(c); });
    return s;
}

json any_of(const std::vector<std::string>& values) {
    return {{"any_", values}};
}

json state_types(const std::vector<StateType>& types) {
    json out = json::array();
    for (auto t : types)
        out.push_back(std::string(to_string(t)));
    return out;
}

void time_range(json& filter, const char* key, const std::optional<Micros>& after,
                const std::optional<Micros>& before) {
    if (after) filter[key]["after_"] = to_iso(*after);
    if (before) filter[key]["before_"] = to_iso(*before);
}

const char* flow_run_sort(FlowRunSort s) {
    switch (s) {
    case FlowRunSort::ExpectedStartAsc:
        return "EXPECTED_START_TIME_ASC";
    case FlowRunSort::StartTimeDesc:
        return "START_TIME_DESC";
    case FlowRunSort::StartTimeAsc:
        return "START_TIME_ASC";
    case FlowRunSort::NameAsc:
        return "NAME_ASC";
    case FlowRunSort::NameDesc:
        return "NAME_DESC";
    case FlowRunSort::EndTimeDesc:
        return "END_TIME_DESC";
    case FlowRunSort::ExpectedStartDesc:
        return "EXPECTED_START_TIME_DESC";
    default:
        throw NotOverApi("this sort order is not available from a server");
    }
}

// A lookup that the server answers 404 (unknown) or 422 (not an id) is "none".
template<class F> auto found(F&& f) -> std::optional<decltype(f())> {
    try {
        return f();
    } catch (const ApiError& e) {
        if (e.status() == 404 || e.status() == 422) return std::nullopt;
        throw;
    }
}

[[noreturn]] void not_over_api(const std::string& what) {
    throw NotOverApi(what + " is not available from a server (WEFT_API_URL)");
}

} // namespace

json flow_run_filter_body(const FlowRunQuery& q) {
    json runs = json::object(), flows = json::object();
    if (!q.states.empty()) runs["state"]["type"]["any_"] = state_types(q.states);
    if (!q.not_states.empty()) runs["state"]["type"]["not_any_"] = state_types(q.not_states);
    if (!q.state_names.empty()) runs["state"]["name"] = any_of(q.state_names);
    if (!q.ids.empty()) runs["id"] = any_of(q.ids);
    if (!q.not_ids.empty()) runs["id"]["not_any_"] = q.not_ids;
    if (!q.names.empty()) runs["name"] = any_of(q.names);
    if (!q.run_name_like.empty()) runs["name"]["like_"] = q.run_name_like;
    if (!q.tags.empty()) runs["tags"]["all_"] = q.tags;
    if (!q.any_tags.empty()) runs["tags"]["any_"] = q.any_tags;
    if (q.no_tags) runs["tags"]["is_null_"] = *q.no_tags;
    if (!q.flow_versions.empty()) runs["flow_version"] = any_of(q.flow_versions);
    time_range(runs, "expected_start_time", q.expected_after, q.expected_before);
    time_range(runs, "start_time", q.start_after, q.start_before);
    time_range(runs, "end_time", q.end_after, q.end_before);
    if (q.start_null) runs["start_time"]["is_null_"] = *q.start_null;
    if (q.end_null) runs["end_time"]["is_null_"] = *q.end_null;
    if (q.parent_task_run_id) {
        if (q.parent_task_run_id->empty())
            runs["parent_task_run_id"]["is_null_"] = true;
        else
            runs["parent_task_run_id"] = any_of({*q.parent_task_run_id});
    }
    if (!q.parent_task_run_ids.empty()) runs["parent_task_run_id"] = any_of(q.parent_task_run_ids);
    if (!q.flow_ids.empty()) flows["id"] = any_of(q.flow_ids);
    if (!q.flow_names.empty()) flows["name"] = any_of(q.flow_names);
    if (!q.flow_name_like.empty()) flows["name"]["like_"] = q.flow_name_like;
    if (!q.name_like.empty())
        not_over_api("matching a run's or its flow's name at once (name_like)");
    json body = json::object();
    if (!runs.empty()) body["flow_runs"] = runs;
    if (!flows.empty()) body["flows"] = flows;
    return body;
}

json RemoteReader::task_run_filter_body(const TaskRunQuery& q) {
    json tasks = json::object();
    if (!q.ids.empty()) tasks["id"] = any_of(q.ids);
    if (!q.names.empty()) tasks["name"] = any_of(q.names);
    if (!q.name_like.empty()) tasks["name"]["like_"] = q.name_like;
    if (!q.states.empty()) tasks["state"]["type"]["any_"] = state_types(q.states);
    if (!q.state_names.empty()) tasks["state"]["name"] = any_of(q.state_names);
    if (!q.tags.empty()) tasks["tags"]["all_"] = q.tags;
    if (q.no_tags) tasks["tags"]["is_null_"] = *q.no_tags;
    time_range(tasks, "start_time", q.start_after, q.start_before);
    time_range(tasks, "expected_start_time", q.expected_after, q.expected_before);
    if (q.start_null) tasks["start_time"]["is_null_"] = *q.start_null;
    if (q.no_flow_run) tasks["flow_run_id"]["is_null_"] = *q.no_flow_run;
    if (q.task_key || q.dynamic_key || q.end_after || q.end_before || q.end_null
        || q.has_subflow_run)
        not_over_api("this task-run condition");
    json body = json::object();
    if (!tasks.empty()) body["task_runs"] = tasks;
    if (!q.flow_run_ids.empty()) body["flow_runs"]["id"] = any_of(q.flow_run_ids);
    return body;
}

json RemoteReader::paged(const std::string& path, json body, int limit, int offset) {
    json out = json::array();
    for (;;) {
        const int want = limit < 0 ? kPage : std::min(kPage, limit - int(out.size()));
        if (want <= 0) break;
        body["limit"] = want;
        body["offset"] = offset + int(out.size());
        json page = m_api.post(path, body);
        if (!page.is_array()) throw ApiError(200, path + ": expected a list in the answer");
        for (auto& row : page)
            out.push_back(std::move(row));
        if (int(page.size()) < want) break;
    }
    return out;
}

std::vector<FlowRecord> RemoteReader::flows() {
    std::vector<FlowRecord> out;
    for (const auto& f : paged("/flows/filter", {{"sort", "NAME_ASC"}}, -1, 0))
        out.push_back(flow_from_json(f));
    return out;
}

std::optional<FlowRecord> RemoteReader::flow_by_name(const std::string& name) {
    auto rows = m_api.post("/flows/filter", {{"flows", {{"name", any_of({name})}}}, {"limit", 1}});
    if (!rows.is_array() || rows.empty()) return std::nullopt;
    return flow_from_json(rows[0]);
}

std::optional<FlowRecord> RemoteReader::flow(const std::string& id) {
    if (!is_uuid(id)) return std::nullopt;
    return found([&] { return flow_from_json(m_api.get("/flows/" + id)); });
}

std::vector<FlowRunRecord> RemoteReader::flow_runs(const FlowRunQuery& q) {
    json body = flow_run_filter_body(q);
    body["sort"] = flow_run_sort(q.sort);
    std::vector<FlowRunRecord> out;
    for (const auto& r : paged("/flow_runs/filter", body, q.limit, q.offset))
        out.push_back(flow_run_from_json(r));
    // Weft's server names each run's flow; Prefect's names only its id.
    std::unordered_map<std::string, std::string> flow_names;
    for (auto& run : out)
        if (run.flow_name.empty() && !run.flow_id.empty()) {
            auto [it, fresh] = flow_names.try_emplace(run.flow_id);
            if (fresh)
                if (auto f = flow(run.flow_id)) it->second = f->name;
            run.flow_name = it->second;
        }
    return out;
}

std::int64_t RemoteReader::count_flow_runs(const FlowRunQuery& q) {
    return m_api.post("/flow_runs/count", flow_run_filter_body(q)).get<std::int64_t>();
}

std::optional<FlowRunRecord> RemoteReader::flow_run(const std::string& id) {
    if (!is_uuid(id)) return std::nullopt;
    auto run = found([&] { return flow_run_from_json(m_api.get("/flow_runs/" + id)); });
    if (run && run->flow_name.empty())
        if (auto f = flow(run->flow_id)) run->flow_name = f->name;
    return run;
}

std::vector<std::string> RemoteReader::flow_run_ids_with_prefix(const std::string& prefix, int) {
    const std::string id = lowercase(prefix);
    if (flow_run(id)) return {id};
    return {};
}

std::vector<std::string> RemoteReader::flow_run_ids_ending_with(const std::string&, int) {
    return {}; // the API finds runs by whole ids only
}

std::vector<std::string> RemoteReader::flow_run_ids_named(const std::string& name, int limit) {
    FlowRunQuery q;
    q.names = {name};
    q.limit = limit;
    std::vector<std::string> ids;
    for (const auto& r : paged("/flow_runs/filter", flow_run_filter_body(q), limit, 0))
        ids.push_back(r.value("id", std::string()));
    return ids;
}

std::vector<FlowRunRecord> RemoteReader::flow_runs_in_states(const std::vector<StateType>& types) {
    FlowRunQuery q;
    q.states = types;
    q.limit = -1;
    return flow_runs(q);
}

std::vector<TaskRunRecord> RemoteReader::task_runs(const std::string& flow_run_id) {
    TaskRunQuery q;
    q.flow_run_ids = {flow_run_id};
    q.sort = TaskRunSort::ExpectedStartAsc;
    q.limit = -1;
    return find_task_runs(q);
}

std::optional<TaskRunRecord> RemoteReader::task_run(const std::string& id) {
    if (!is_uuid(id)) return std::nullopt;
    return found([&] { return task_run_from_json(m_api.get("/task_runs/" + id)); });
}

std::vector<std::string> RemoteReader::task_run_ids_with_prefix(const std::string& prefix, int) {
    const std::string id = lowercase(prefix);
    if (task_run(id)) return {id};
    return {};
}

std::vector<std::string> RemoteReader::task_run_ids_ending_with(const std::string&, int) {
    return {};
}

std::vector<TaskRunRecord> RemoteReader::find_task_runs(const TaskRunQuery& q) {
    json body = task_run_filter_body(q);
    switch (q.sort) {
    case TaskRunSort::ExpectedStartAsc:
        body["sort"] = "EXPECTED_START_TIME_ASC";
        break;
    case TaskRunSort::ExpectedStartDesc:
        body["sort"] = "EXPECTED_START_TIME_DESC";
        break;
    case TaskRunSort::NameAsc:
        body["sort"] = "NAME_ASC";
        break;
    case TaskRunSort::NameDesc:
        body["sort"] = "NAME_DESC";
        break;
    case TaskRunSort::EndTimeDesc:
        body["sort"] = "END_TIME_DESC";
        break;
    }
    std::vector<TaskRunRecord> out;
    for (const auto& t : paged("/task_runs/filter", body, q.limit, q.offset))
        out.push_back(task_run_from_json(t));
    return out;
}

std::int64_t RemoteReader::count_matching_task_runs(const TaskRunQuery& q) {
    return m_api.post("/task_runs/count", task_run_filter_body(q)).get<std::int64_t>();
}

std::int64_t RemoteReader::count_task_runs(const std::string& flow_run_id) {
    TaskRunQuery q;
    q.flow_run_ids = {flow_run_id};
    return count_matching_task_runs(q);
}

std::optional<TaskRunRecord> RemoteReader::cached_task_run(const std::string& cache_key,
                                                           Micros now) {
    // `cache_key` is Weft's extension of TaskRunFilter (docs/server.md); the validity checks are
    // the local store's: COMPLETED with a stored result, not expired, the newest first.
    const json body = {{"task_runs",
                        {{"cache_key", {{"any_", {cache_key}}}},
                         {"state", {{"type", {{"any_", {"COMPLETED"}}}}}}}},
                       {"sort", "EXPECTED_START_TIME_DESC"},
                       {"limit", 50}};
    for (const auto& j : m_api.post("/task_runs/filter", body)) {
        TaskRunRecord run = task_run_from_json(j);
        if (run.cache_key != cache_key || run.state.type != StateType::Completed || !run.has_result)
            continue;
        if (run.cache_expiration && *run.cache_expiration <= now) continue;
        return run;
    }
    return std::nullopt;
}

std::vector<State> RemoteReader::state_history(const std::string& run_id) {
    std::vector<State> out;
    for (const char* path : {"/flow_run_states/?flow_run_id=", "/task_run_states/?task_run_id="}) {
        for (const auto& s : m_api.get(path + run_id))
            out.push_back(state_from_json(s));
        if (!out.empty()) break;
    }
    return out;
}

std::vector<LogRecord> RemoteReader::logs(const LogQuery& q) {
    if (!q.text.empty() || !q.fts_query.empty()) not_over_api("searching log text");
    if (!q.names.empty() || !q.ids.empty() || q.after_id || q.before_id)
        not_over_api("this log condition");
    json logs = json::object();
    std::vector<std::string> runs = q.flow_run_ids;
    if (!q.flow_run_id.empty()) runs.push_back(q.flow_run_id);
    if (!runs.empty()) logs["flow_run_id"] = any_of(runs);
    if (!q.task_run_id.empty()) logs["task_run_id"] = any_of({q.task_run_id});
    if (q.no_task_run) logs["task_run_id"]["is_null_"] = *q.no_task_run;
    if (q.min_level > 0) logs["level"]["ge_"] = q.min_level;
    if (q.max_level > 0) logs["level"]["le_"] = q.max_level;
    time_range(logs, "timestamp", q.timestamp_after, q.timestamp_before);
    json body = {{"sort", q.newest_first ? "TIMESTAMP_DESC" : "TIMESTAMP_ASC"}};
    if (!logs.empty()) body["logs"] = logs;
    std::vector<LogRecord> out;
    for (const auto& l : paged("/logs/filter", body, q.limit, q.offset))
        out.push_back(log_from_json(l));
    return out;
}

std::int64_t RemoteReader::count_logs(const LogQuery&) {
    not_over_api("counting log lines");
}

std::vector<std::int64_t> RemoteReader::log_ids(const LogQuery&, int) {
    not_over_api("log line ids");
}

std::vector<std::string> RemoteReader::log_names(const std::string&) {
    not_over_api("the list of logger names");
}

std::vector<Event> RemoteReader::events_after(std::int64_t, int) {
    not_over_api("the change feed");
}

std::int64_t RemoteReader::last_event_seq() {
    not_over_api("the change feed");
}

std::vector<Reader::StateCount> RemoteReader::flow_run_history(Micros from, Micros to,
                                                               Micros interval) {
    std::vector<StateCount> out;
    const json answer =
        m_api.post("/flow_runs/history", {{"history_start", to_iso(from)},
                                          {"history_end", to_iso(to)},
                                          {"history_interval_seconds", to_seconds(interval)}});
    for (const auto& bucket : answer) {
        const Micros start = from_iso(bucket.value("interval_start", "")).value_or(from);
        for (const auto& s : bucket.value("states", json::array()))
            if (auto type = state_type_from_string(s.value("state_type", "")))
                out.push_back({start, *type, s.value("count_runs", std::int64_t(0))});
    }
    return out;
}

std::vector<Reader::FlowStats> RemoteReader::flow_stats(Micros, Micros) {
    not_over_api("per-flow statistics");
}

std::vector<ConcurrencyLimit> RemoteReader::concurrency_limits() {
    not_over_api("concurrency limits");
}

std::optional<PauseRecord> RemoteReader::pause(const std::string& flow_run_id,
                                               const std::string& key) {
    // Prefect keeps a pause's input form and its answer as flow run inputs under the keys of the
    // pause's run_input_keyset.
    if (!is_uuid(flow_run_id)) return std::nullopt;
    const std::string base = "/flow_runs/" + flow_run_id + "/input/paused-" + key;
    auto schema = found([&] { return m_api.get(base + "-schema"); });
    auto response = found([&] { return m_api.get(base + "-response"); });
    if (!schema && !response) return std::nullopt;
    PauseRecord p;
    p.flow_run_id = flow_run_id;
    p.key = key;
    p.schema = schema.value_or(json());
    if (response) {
        p.input = std::move(*response);
        p.resumed = now_us();
    }
    return p;
}

std::int64_t RemoteReader::data_version() {
    return ++m_version;
}

} // namespace weft
