#include "prefect_events.hpp"

#include <weft/record_json.hpp>

#include <algorithm>

namespace weft::server {

using nlohmann::json;

namespace {

bool starts_with_any(const std::string& text, const std::vector<std::string>& prefixes) {
    return std::any_of(prefixes.begin(), prefixes.end(),
                       [&](const std::string& p) { return text.starts_with(p); });
}

bool contains(const std::vector<std::string>& list, const std::string& value) {
    return std::find(list.begin(), list.end(), value) != list.end();
}

std::vector<std::string> strings(const json& object, const char* key) {
    std::vector<std::string> out;
    if (object.is_object() && object.contains(key) && object[key].is_array())
        for (const auto& v : object[key])
            out.push_back(v.get<std::string>());
    return out;
}

std::string state_name(const State& s) {
    return s.name.empty() ? std::string(default_name(s.type)) : s.name;
}

json state_json(const State& s) {
    return {{"id", s.id},
            {"type", to_string(s.type)},
            {"name", state_name(s)},
            {"message", s.message},
            {"timestamp", to_iso(s.timestamp)},
            {"state_details", s.details.is_null() ? json::object() : s.details}};
}

json tag_resources(const std::vector<std::string>& tags) {
    json out = json::array();
    for (const auto& tag : tags)
        out.push_back(
            {{"prefect.resource.id", "prefect.tag." + tag}, {"prefect.resource.role", "tag"}});
    return out;
}

} // namespace

std::optional<EventHead> event_head(const Event& e) {
    if (!e.state || e.run_id.empty()) return std::nullopt;
    const char* kind = nullptr;
    switch (e.kind) {
    case EventKind::FlowRunCreated:
    case EventKind::FlowRunState:
        kind = "flow-run";
        break;
    case EventKind::TaskRunCreated:
    case EventKind::TaskRunState:
        kind = "task-run";
        break;
    default:
        return std::nullopt;
    }
    EventHead head;
    head.name = std::string("prefect.") + kind + "." + state_name(*e.state);
    head.resource_id = std::string("prefect.") + kind + "." + e.run_id;
    head.id = e.state->id;
    head.occurred = e.state->timestamp ? e.state->timestamp : e.ts;
    return head;
}

bool EventFilter::matches(const EventHead& h) const {
    if (since && h.occurred < *since) return false;
    if (until && h.occurred > *until) return false;
    if (!names.empty() && !contains(names, h.name)) return false;
    if (!prefixes.empty() && !starts_with_any(h.name, prefixes)) return false;
    if (contains(exclude_names, h.name) || starts_with_any(h.name, exclude_prefixes)) return false;
    if (!resource_ids.empty() && !contains(resource_ids, h.resource_id)) return false;
    if (!resource_id_prefixes.empty() && !starts_with_any(h.resource_id, resource_id_prefixes))
        return false;
    if (!ids.empty() && !contains(ids, h.id)) return false;
    return true;
}

ParsedEventFilter event_filter_from_json(const json& f) {
    ParsedEventFilter out;
    if (!f.is_object()) return out;
    EventFilter& filter = out.filter;
    auto given = [&](const char* key) { return f.contains(key) && !f[key].is_null(); };
    if (given("occurred")) {
        const json& o = f["occurred"];
        if (o.contains("since") && o["since"].is_string())
            filter.since = from_iso(o["since"].get<std::string>());
        if (o.contains("until") && o["until"].is_string())
            filter.until = from_iso(o["until"].get<std::string>());
    }
    if (given("event")) {
        const json& e = f["event"];
        filter.names = strings(e, "name");
        filter.exclude_names = strings(e, "exclude_name");
        filter.prefixes = strings(e, "prefix");
        filter.exclude_prefixes = strings(e, "exclude_prefix");
    }
    if (given("resource")) {
        const json& r = f["resource"];
        filter.resource_ids = strings(r, "id");
        filter.resource_id_prefixes = strings(r, "id_prefix");
        if (r.contains("labels") && !r["labels"].is_null() && !r["labels"].empty())
            out.unsupported = "resource.labels";
        if (r.value("distinct", false)) out.unsupported = "resource.distinct";
    }
    if (given("id")) {
        filter.ids = strings(f["id"], "id");
        for (auto& id : filter.ids)
            std::transform(id.begin(), id.end(), id.begin(),
                           [](unsigned char c) { return char(std::tolower(c)); });
    }
    for (const char* key : {"related", "any_resource", "text"})
        if (given(key) && !f[key].empty()) out.unsupported = key;
    filter.ascending = f.value("order", std::string("DESC")) == "ASC";
    return out;
}

EventBuilder::RunLabels& EventBuilder::entry(const std::string& run_id) {
    if (m_runs.size() >= m_capacity && !m_runs.contains(run_id)) m_runs.clear();
    return m_runs[run_id];
}

void EventBuilder::saw(const Event& e) {
    if (e.kind == EventKind::FlowRunDeleted) {
        m_runs.erase(e.run_id);
        return;
    }
    if (!event_head(e)) return;
    RunLabels& run = entry(e.run_id);
    run.last = std::move(run.newest);
    run.newest = *e.state;
}

EventBuilder::RunLabels& EventBuilder::labels(const Event& e, Reader& reader) {
    RunLabels& run = entry(e.run_id);
    if (run.loaded) return run;
    run.loaded = true;
    if (e.is_task_run()) {
        if (auto task = reader.task_run(e.run_id)) {
            run.name = task->name;
            run.tags = task->tags;
            run.flow_run_id = task->flow_run_id;
        }
        if (run.flow_run_id.empty()) run.flow_run_id = e.flow_run_id;
        if (!run.flow_run_id.empty())
            if (auto parent = reader.flow_run(run.flow_run_id)) run.flow_run_name = parent->name;
    } else if (auto flow_run = reader.flow_run(e.run_id)) {
        run.name = flow_run->name;
        run.flow_id = flow_run->flow_id;
        run.flow_name = flow_run->flow_name;
        run.tags = flow_run->tags;
    }
    return run;
}

json EventBuilder::build(const Event& e, const EventHead& head, Reader& reader) {
    const State& state = *e.state;
    RunLabels& run = labels(e, reader);
    // The state before this one, when this builder saw it go by.
    std::optional<State> initial;
    if (run.newest && run.newest->id == state.id) initial = run.last;
    json resource = {{"prefect.resource.id", head.resource_id},
                     {"prefect.resource.name", run.name},
                     {"prefect.state-message", state.message},
                     {"prefect.state-name", state_name(state)},
                     {"prefect.state-timestamp", to_iso(state.timestamp)},
                     {"prefect.state-type", to_string(state.type)}};
    json related = json::array();
    json payload = {{"intended",
                     {{"from", initial ? json(to_string(initial->type)) : json()},
                      {"to", to_string(state.type)}}},
                    {"initial_state", initial ? state_json(*initial) : json()},
                    {"validated_state", state_json(state)}};
    if (e.is_task_run()) {
        resource["prefect.orchestration"] = "server";
        if (!run.flow_run_id.empty())
            related.push_back({{"prefect.resource.id", "prefect.flow-run." + run.flow_run_id},
                               {"prefect.resource.role", "flow-run"},
                               {"prefect.resource.name", run.flow_run_name}});
        payload["task_run"] = {
            {"id", e.run_id}, {"name", run.name}, {"flow_run_id", run.flow_run_id}};
    } else if (!run.flow_id.empty()) {
        related.push_back({{"prefect.resource.id", "prefect.flow." + run.flow_id},
                           {"prefect.resource.role", "flow"},
                           {"prefect.resource.name", run.flow_name}});
    }
    for (auto& tag : tag_resources(run.tags))
        related.push_back(std::move(tag));
    return {{"occurred", to_iso(head.occurred)},
            {"event", head.name},
            {"resource", std::move(resource)},
            {"related", std::move(related)},
            {"payload", std::move(payload)},
            {"id", head.id},
            {"follows", initial ? json(initial->id) : json()},
            {"received", to_iso(e.ts)}};
}

} // namespace weft::server
