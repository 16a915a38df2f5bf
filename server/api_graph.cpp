// What Prefect's UI draws a run with: its graph (graph-v2), the state history of a run, and the
// flow-run history behind the charts.
#include "api.hpp"
#include "body.hpp"
#include "filters.hpp"
#include "schemas.hpp"

#include <weft/record_json.hpp>
#include <weft/states.hpp>
#include <weft/time.hpp>

#include <map>
#include <set>
#include <unordered_map>

namespace weft::server {

using nlohmann::json;

namespace {

// Prefect refuses graphs above this many nodes (400) rather than sending megabytes a UI cannot
// draw.
constexpr std::size_t kMaxGraphNodes = 10000;
// And histories of more intervals than a chart has pixels for.
constexpr Micros kMaxHistoryIntervals = 500;

json time_or_null(const std::optional<Micros>& t) {
    return t ? json(to_iso(*t)) : json();
}

json graph_state(const State& s) {
    return {{"id", s.id},
            {"timestamp", to_iso(s.timestamp)},
            {"type", std::string(to_string(s.type))},
            {"name", s.name}};
}

// The task runs a task run waited for: every task-run reference in its task_inputs, data and
// wait_for alike (Prefect's graph draws both as parents).
std::vector<std::string> upstream_ids(const TaskRunRecord& run) {
    std::vector<std::string> ids;
    if (!run.task_inputs.is_object()) return ids;
    for (const auto& [key, refs] : run.task_inputs.items()) {
        if (!refs.is_array()) continue;
        for (const auto& ref : refs)
            if (ref.is_object() && ref.value("input_type", "") == "task_run" && ref.contains("id")
                && ref["id"].is_string())
                ids.push_back(ref["id"].get<std::string>());
    }
    return ids;
}

Reply missing_query(const char* name) {
    return Reply::json(unprocessable({ValidationError{json::array({"query", name}),
                                                      "Field required", "missing", nullptr}},
                                     nullptr),
                       422);
}

Reply bad_query(const char* name, const std::string& value, const char* what) {
    return Reply::json(
        unprocessable({ValidationError{json::array({"query", name}), what, "value_error", value}},
                      nullptr),
        422);
}

} // namespace

Reply Api::flow_run_graph(const std::string& raw_id, const std::string& since_text) {
    if (auto bad = check_path_id(raw_id)) return *bad;
    std::optional<Micros> since;
    if (!since_text.empty()) {
        since = from_iso(since_text);
        if (!since) return bad_query("since", since_text, "Input should be a valid datetime");
    }
    const std::string id = lowercase_id(raw_id);
    std::optional<FlowRunRecord> run;
    std::vector<TaskRunRecord> tasks;
    std::vector<State> history;
    std::unordered_map<std::string, FlowRunRecord> children; // subflow runs by calling task run
    bool too_big = false;
    m_engine->store().read([&](Reader& r) {
        run = r.flow_run(id);
        if (!run) return;
        if (r.count_task_runs(id) > std::int64_t(kMaxGraphNodes)) {
            too_big = true;
            return;
        }
        tasks = r.task_runs(id);
        history = r.state_history(id);
        // Subflow runs name their calling task run (parent_task_run_id), whether the engine ran
        // them or a client created them over the API.
        FlowRunQuery q;
        q.limit = 1000;
        for (std::size_t i = 0; i < tasks.size(); i += 500) {
            q.parent_task_run_ids.clear();
            for (std::size_t j = i; j < std::min(tasks.size(), i + 500); ++j)
                q.parent_task_run_ids.push_back(tasks[j].id);
            for (auto& child : r.flow_runs(q))
                children.emplace(child.parent_task_run_id, std::move(child));
        }
    });
    if (!run) return Reply::detail(404, "Flow run not found");
    if (too_big)
        return Reply::detail(400, "The run has more than " + std::to_string(kMaxGraphNodes)
                                      + " task runs; its graph is too large to answer.");

    // A subflow call is drawn as its child flow run: edges naming the call name the child.
    std::unordered_map<std::string, std::string> node_of;
    for (const auto& t : tasks) {
        auto child = children.find(t.id);
        node_of[t.id] = child != children.end() ? child->second.id : t.id;
    }
    std::map<std::string, std::set<std::string>> parents, kids;
    for (const auto& t : tasks) {
        for (const auto& up : upstream_ids(t)) {
            auto from = node_of.find(up);
            if (from == node_of.end()) continue; // a run outside this flow run
            parents[node_of[t.id]].insert(from->second);
            kids[from->second].insert(node_of[t.id]);
        }
    }
    auto edges = [](const std::set<std::string>& ids) {
        json out = json::array();
        for (const auto& i : ids)
            out.push_back({{"id", i}});
        return out;
    };

    json nodes = json::array(), roots = json::array();
    for (const auto& t : tasks) {
        const std::string& node = node_of[t.id];
        const bool subflow = node != t.id;
        const FlowRunRecord* child = subflow ? &children.at(t.id) : nullptr;
        const auto start = child ? child->start_time : t.start_time;
        const auto end = child ? child->end_time : t.end_time;
        if (since && end && *end < *since) continue; // unchanged since the caller's last read
        const Micros expected = child ? child->expected_start_time : t.expected_start_time;
        nodes.push_back(json::array(
            {node,
             {{"kind", subflow ? "flow-run" : "task-run"},
              {"id", node},
              {"label", child ? child->name : t.name},
              {"state_type", std::string(to_string(child ? child->state.type : t.state.type))},
              {"start_time", to_iso(start.value_or(expected))},
              {"end_time", time_or_null(end)},
              {"parents", edges(parents[node])},
              {"children", edges(kids[node])},
              {"encapsulating", json::array()},
              {"artifacts", json::array()}}}));
        if (parents[node].empty()) roots.push_back(node);
    }
    json states = json::array();
    for (const auto& s : history)
        states.push_back(graph_state(s));
    return Reply::json({{"start_time", time_or_null(run->start_time)},
                        {"end_time", time_or_null(run->end_time)},
                        {"root_node_ids", roots},
                        {"nodes", nodes},
                        {"artifacts", json::array()},
                        {"states", states}});
}

Reply Api::run_states(const char* query_name, const std::string& raw_id) {
    if (raw_id.empty()) return missing_query(query_name);
    if (!looks_like_uuid(raw_id))
        return bad_query(query_name, raw_id, "Input should be a valid UUID");
    std::vector<State> history;
    m_engine->store().read([&](Reader& r) { history = r.state_history(lowercase_id(raw_id)); });
    json out = json::array();
    for (const auto& s : history)
        out.push_back(to_json(s));
    return Reply::json(out);
}

Reply Api::flow_run_history(const std::string& text) {
    Body body = parse_body(text, &schemas::flow_runs_history_body());
    if (body.error) return *body.error;
    const Micros from = *from_iso(body.value.at("history_start").get<std::string>());
    const Micros to = *from_iso(body.value.at("history_end").get<std::string>());
    const double interval_s = body.value.at("history_interval_seconds").get<double>();
    if (interval_s < 1)
        return Reply::detail(422, "History interval must not be less than 1 second.");
    const Micros interval = from_seconds(interval_s);
    if (to < from) return Reply::detail(422, "history_end must not be before history_start.");
    if ((to - from) / interval >= kMaxHistoryIntervals)
        return Reply::detail(422, "History would have more than "
                                      + std::to_string(kMaxHistoryIntervals) + " intervals.");

    struct Bucket {
        std::int64_t runs = 0;
        Micros run_time = 0, lateness = 0;
    };
    // (interval, state type, state name) → totals; runs are placed by their expected start.
    std::map<std::tuple<Micros, StateType, std::string>, Bucket> buckets;
    std::string why;
    const Micros now = now_us();
    m_engine->store().read([&](Reader& r) {
        auto s = flow_run_selection(body.value, r);
        why = s.unsupported;
        if (!why.empty() || s.none) return;
        FlowRunQuery q = s.query;
        q.expected_after = std::max(q.expected_after.value_or(from), from);
        q.expected_before = std::min(q.expected_before.value_or(to), to);
        q.sort = FlowRunSort::ExpectedStartAsc;
        q.limit = 5000;
        for (q.offset = 0;; q.offset += q.limit) {
            const auto page = r.flow_runs(q);
            for (const auto& run : page) {
                const Micros start = from + (run.expected_start_time - from) / interval * interval;
                auto& b = buckets[{start, run.state.type, run.state.name}];
                ++b.runs;
                b.run_time += estimated_run_time(run, now);
                b.lateness += estimated_start_time_delta(run, now);
            }
            if (int(page.size()) < q.limit) break;
        }
    });
    if (!why.empty()) return unsupported(why);

    json out = json::array();
    for (Micros start = from; start < to || (start == from && from == to); start += interval) {
        json states = json::array();
        for (auto it = buckets.lower_bound({start, StateType{}, std::string()});
             it != buckets.end() && std::get<0>(it->first) == start; ++it)
            states.push_back({{"state_type", std::string(to_string(std::get<1>(it->first)))},
                              {"state_name", std::get<2>(it->first)},
                              {"count_runs", it->second.runs},
                              {"sum_estimated_run_time", to_seconds(it->second.run_time)},
                              {"sum_estimated_lateness", to_seconds(it->second.lateness)}});
        out.push_back({{"interval_start", to_iso(start)},
                       {"interval_end", to_iso(start + interval)},
                       {"states", states}});
        if (from == to) break;
    }
    return Reply::json(out);
}

} // namespace weft::server
