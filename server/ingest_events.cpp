#include "ingest_events.hpp"

#include "body.hpp"
#include "validation.hpp"

namespace weft::server {

using nlohmann::json;

namespace {

const std::string kTaskRunEvent = "prefect.task-run.";
const std::string kTaskRunResource = "prefect.task-run.";
const std::string kFlowRunResource = "prefect.flow-run.";

std::string text_at(const json& j, const char* key) {
    auto it = j.find(key);
    return it != j.end() && it->is_string() ? it->get<std::string>() : std::string();
}

std::vector<std::string> strings_at(const json& j, const char* key) {
    std::vector<std::string> out;
    if (auto it = j.find(key); it != j.end() && it->is_array())
        for (const auto& v : *it)
            if (v.is_string()) out.push_back(v.get<std::string>());
    return out;
}

// The flow run a task-run event belongs to: payload.task_run.flow_run_id, else the related
// resource of role "flow-run".
std::string flow_run_of(const json& event, const json& task_run) {
    if (auto id = text_at(task_run, "flow_run_id"); !id.empty()) return id;
    if (auto related = event.find("related"); related != event.end() && related->is_array())
        for (const auto& r : *related) {
            if (!r.is_object() || text_at(r, "prefect.resource.role") != "flow-run") continue;
            const std::string id = text_at(r, "prefect.resource.id");
            if (id.rfind(kFlowRunResource, 0) == 0) return id.substr(kFlowRunResource.size());
        }
    return {};
}

TaskRunRecord new_task_run(const TaskRunEvent& e) {
    const json& t = e.task_run;
    TaskRunRecord run;
    run.id = e.task_run_id;
    run.flow_run_id = e.flow_run_id;
    run.task_key = text_at(t, "task_key");
    run.dynamic_key = text_at(t, "dynamic_key");
    run.name = text_at(t, "name");
    if (run.name.empty()) run.name = run.task_key + "-" + run.dynamic_key;
    run.tags = strings_at(t, "tags");
    run.cache_key = text_at(t, "cache_key");
    if (auto at = from_iso(text_at(t, "cache_expiration"))) run.cache_expiration = *at;
    if (auto it = t.find("task_inputs"); it != t.end() && it->is_object()) run.task_inputs = *it;
    if (auto it = t.find("empirical_policy"); it != t.end() && it->is_object()) {
        const json& p = *it;
        if (auto r = p.find("retries"); r != p.end() && r->is_number_integer())
            run.max_retries = r->get<int>();
        else if (auto m = p.find("max_retries"); m != p.end() && m->is_number_integer())
            run.max_retries = m->get<int>();
    }
    const Micros at = e.state.timestamp;
    run.expected_start_time = from_iso(text_at(t, "expected_start_time")).value_or(at);
    // Born PENDING at the first state's time; entering the reported state does the bookkeeping.
    run.state = make_state(StateType::Pending);
    run.state.timestamp = at;
    run.created = run.updated = at;
    return run;
}

} // namespace

IncomingEvent read_event(const json& e) {
    if (e.is_discarded() || !e.is_object()) return BadEvent{"expected an Event as a JSON object"};
    const std::string id = text_at(e, "id");
    const std::string name = text_at(e, "event");
    if (!looks_like_uuid(id)) return BadEvent{"event.id: expected a UUID"};
    if (name.empty()) return BadEvent{"event.event: expected the event's name"};
    const auto occurred = from_iso(text_at(e, "occurred"));
    if (!occurred) return BadEvent{"event.occurred: expected an ISO 8601 time"};
    auto resource = e.find("resource");
    if (resource == e.end() || !resource->is_object()
        || text_at(*resource, "prefect.resource.id").empty())
        return BadEvent{"event.resource: expected an object with prefect.resource.id"};
    if (name.rfind(kTaskRunEvent, 0) != 0) return OtherEvent{id};

    const std::string resource_id = text_at(*resource, "prefect.resource.id");
    if (resource_id.rfind(kTaskRunResource, 0) != 0
        || !looks_like_uuid(resource_id.substr(kTaskRunResource.size())))
        return BadEvent{"event.resource: a task-run event names its task run"};
    const json payload = e.value("payload", json::object());
    if (!payload.is_object()) return BadEvent{"event.payload: expected an object"};
    auto validated = payload.find("validated_state");
    if (validated == payload.end() || !validated->is_object())
        return BadEvent{"event.payload.validated_state: expected a state"};
    TaskRunEvent out;
    out.event_id = lowercase_id(id);
    out.task_run_id = lowercase_id(resource_id.substr(kTaskRunResource.size()));
    out.task_run = payload.value("task_run", json::object());
    if (!out.task_run.is_object()) return BadEvent{"event.payload.task_run: expected an object"};
    try {
        out.state = state_from_json(*validated);
    } catch (const std::exception& ex) {
        return BadEvent{std::string("event.payload.validated_state: ") + ex.what()};
    }
    out.state.id = out.event_id;
    if (!validated->contains("timestamp")) out.state.timestamp = *occurred;
    out.flow_run_id = lowercase_id(flow_run_of(e, out.task_run));
    if (!out.flow_run_id.empty() && !looks_like_uuid(out.flow_run_id))
        return BadEvent{"event: the task run's flow_run_id is not a UUID"};
    if (text_at(out.task_run, "task_key").empty())
        return BadEvent{"event.payload.task_run.task_key: expected the task's key"};
    return out;
}

Applied apply_task_run_event(Txn& txn, const TaskRunEvent& e) {
    Reader& r = txn.read();
    auto existing = r.task_run(e.task_run_id);
    if (!existing) {
        if (!e.flow_run_id.empty() && !r.flow_run(e.flow_run_id)) return Applied::UnknownFlowRun;
        // Created in the reported state, as POST /task_runs/ with a state creates it.
        TaskRunRecord run = new_task_run(e);
        enter_state(run, e.state);
        txn.put_task_run(run, EventKind::TaskRunCreated);
        return Applied::Stored;
    }
    if (existing->state.id == e.state.id) {
        return Applied::Duplicate; // sent again after a reconnect
    } else if (e.state.timestamp < existing->state.timestamp) {
        return Applied::Stale;
    }
    task_run_transition(txn, e.task_run_id, Proposal{e.state, Origin::Program, true});
    return Applied::Stored;
}

} // namespace weft::server
