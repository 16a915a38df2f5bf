#include "prefect_json.hpp"

#include "body.hpp"
#include "json_fields.hpp"
#include "schemas.hpp"

#include <weft/engine.hpp>
#include <weft/ids.hpp>
#include <weft/record_json.hpp>

#include <cstdio>

namespace weft::server {

namespace {

using nlohmann::json;
using namespace fields;

// A retry count from a policy: Prefect's `retries`, else the older `max_retries`.
int retries(const json& policy) {
    if (auto it = policy.find("retries"); it != policy.end() && it->is_number())
        return it->get<int>();
    if (auto it = policy.find("max_retries"); it != policy.end() && it->is_number())
        return it->get<int>();
    return 0;
}

// The state a run is created in: the body's, else PENDING. Its bookkeeping (run count, start
// time) is what entering it from nothing gives.
template<class Run> void enter_initial_state(Run& run, const json& body) {
    auto it = body.find("state");
    const State initial =
        it != body.end() && it->is_object() ? state_from_create(*it) : states::pending();
    run.state = State{};
    run.state.type = StateType::Pending;
    run.state.timestamp = initial.timestamp;
    enter_state(run, initial);
    run.created = run.updated = initial.timestamp;
    run.expected_start_time = initial.scheduled_time().value_or(initial.timestamp);
}

std::uint64_t fnv1a(const std::string& text, std::uint64_t seed) {
    std::uint64_t h = seed;
    for (unsigned char c : text) {
        h ^= c;
        h *= 0x100000001b3ULL;
    }
    return h;
}

} // namespace

json flow_json(const FlowRecord& flow) {
    return to_json(flow);
}

json flow_run_json(const FlowRunRecord& run) {
    json j = to_json(run);
    // Prefect's fields Weft has no counterpart for yet: present, with their empty values.
    j["context"] = json::object();
    j["idempotency_key"] = nullptr;
    j["infrastructure_document_id"] = nullptr;
    j["labels"] = json::object();
    j["job_variables"] = json::object();
    // The run's placement; its pool's and queue's ids are not kept with it.
    const auto text_or_null = [](const std::string& s) { return s.empty() ? json() : json(s); };
    j["deployment_id"] = text_or_null(run.placement.deployment_id);
    j["work_queue_name"] = text_or_null(run.placement.work_queue_name);
    j["work_queue_id"] = nullptr;
    j["work_pool_name"] = text_or_null(run.placement.work_pool_name);
    j["work_pool_id"] = nullptr;
    j["deployment_version"] = nullptr;
    j["created_by"] = nullptr;
    j["empirical_policy"] = {
        {"max_retries", run.max_retries}, {"retry_delay_seconds", run.retry_delay_s},
        {"retries", run.max_retries},     {"retry_delay", int(run.retry_delay_s)},
        {"pause_keys", json::array()},    {"resuming", false},
        {"retry_type", nullptr}};
    return j;
}

json task_run_json(const TaskRunRecord& run) {
    json j = to_json(run);
    j["task_version"] = nullptr;
    j["labels"] = json::object();
    j["flow_run_run_count"] = 0;
    j["empirical_policy"] = {{"max_retries", run.max_retries},
                             {"retry_delay_seconds", 0},
                             {"retries", run.max_retries},
                             {"retry_delay", nullptr},
                             {"retry_jitter_factor", nullptr}};
    return j;
}

json log_json(const LogRecord& line) {
    json j = to_json(line);
    j["id"] = log_uuid(line.id);
    j["created"] = j["timestamp"];
    j["updated"] = j["timestamp"];
    return j;
}

json orchestration_result(const Outcome& outcome, const std::optional<State>& state) {
    json details;
    switch (outcome.decision) {
    case Decision::Accept:
        details = {{"type", "accept_details"}};
        break;
    case Decision::Reject:
        details = {{"type", "reject_details"}, {"reason", outcome.reason}};
        break;
    case Decision::Abort:
        details = {{"type", "abort_details"}, {"reason", outcome.reason}};
        break;
    case Decision::Wait:
        // Prefect's delay is whole seconds; a shorter wait is still a wait.
        details = {{"type", "wait_details"},
                   {"delay_seconds", std::max(1, int(outcome.delay_s + 0.999))},
                   {"reason", outcome.reason}};
        break;
    }
    return {{"status", to_string(outcome.decision)},
            {"state", state ? to_json(*state) : json()},
            {"details", details}};
}

FlowRecord flow_from_create(const json& body) {
    return FlowRecord{new_id(), body.at("name").get<std::string>(), now_us(),
                      strings(body, "tags")};
}

State state_from_create(const json& state) {
    return state_from_json(state); // fills in id and timestamp; SCHEDULED gets scheduled_time
}

FlowRunRecord flow_run_from_create(const json& body, const FlowRecord& flow) {
    FlowRunRecord run;
    const std::string key = text_or(body, "idempotency_key");
    const std::string id = text_or(body, "id"); // a flow program's own id (Weft's extension)
    run.id = !id.empty()   ? lowercase_id(id)
             : key.empty() ? new_id()
                           : idempotent_run_id(flow.id, key);
    run.flow_id = flow.id;
    run.flow_name = flow.name;
    run.name = text_or(body, "name", random_run_name());
    run.flow_version = text_or(body, "flow_version");
    run.parameters = object_or_empty(body, "parameters");
    run.tags = strings(body, "tags");
    run.parent_task_run_id = text_or(body, "parent_task_run_id");
    const json policy = object_or_empty(body, "empirical_policy");
    run.max_retries = retries(policy);
    if (auto it = policy.find("retry_delay"); it != policy.end() && it->is_number())
        run.retry_delay_s = it->get<double>();
    else if (auto old = policy.find("retry_delay_seconds"); old != policy.end())
        run.retry_delay_s = old->get<double>();
    enter_initial_state(run, body);
    return run;
}

TaskRunRecord task_run_from_create(const json& body) {
    TaskRunRecord run;
    run.id = text_or(body, "id", new_id());
    run.flow_run_id = text_or(body, "flow_run_id");
    run.task_key = body.at("task_key").get<std::string>();
    run.dynamic_key = body.at("dynamic_key").get<std::string>();
    run.name = text_or(body, "name", run.task_key + "-" + run.dynamic_key);
    run.cache_key = text_or(body, "cache_key");
    if (auto at = from_iso(text_or(body, "cache_expiration"))) run.cache_expiration = *at;
    run.max_retries = retries(object_or_empty(body, "empirical_policy"));
    run.tags = strings(body, "tags");
    run.task_inputs = object_or_empty(body, "task_inputs");
    enter_initial_state(run, body);
    return run;
}

LogRecord log_from_create(const json& body) {
    LogRecord line;
    line.name = body.at("name").get<std::string>();
    line.level = body.at("level").get<int>();
    line.message = body.at("message").get<std::string>();
    line.timestamp = from_iso(body.at("timestamp").get<std::string>()).value_or(now_us());
    line.flow_run_id = text_or(body, "flow_run_id");
    line.task_run_id = text_or(body, "task_run_id");
    return line;
}

std::vector<ValidationError> check_task_run_create(const json& body) {
    std::vector<ValidationError> errors;
    const json base = json::array({"body"});
    if (auto inputs = body.find("task_inputs"); inputs != body.end() && inputs->is_object()) {
        for (auto it = inputs->begin(); it != inputs->end(); ++it) {
            json loc = {"body", "task_inputs", it.key()};
            Field refs{.name = "",
                       .type = Type::Array,
                       .nullable = false,
                       .items = {.type = Type::Model, .schema = &schemas::task_input()}};
            validate_value(it.value(), refs, loc, errors);
        }
    }
    auto policy = body.find("empirical_policy");
    if (policy != body.end() && policy->is_object()) {
        if (auto delay = policy->find("retry_delay"); delay != policy->end()) {
            json loc = {"body", "empirical_policy", "retry_delay"};
            if (delay->is_array()) {
                Field numbers{.name = "", .type = Type::Array, .items = {.type = Type::Number}};
                validate_value(*delay, numbers, loc, errors);
            } else {
                validate_value(*delay, Field{.name = "", .type = Type::Number}, loc, errors);
            }
        }
    }
    return errors;
}

std::string idempotent_run_id(const std::string& flow_id, const std::string& key) {
    const std::string text = flow_id + '\n' + key;
    std::uint64_t hi = fnv1a(text, 0xcbf29ce484222325ULL);
    std::uint64_t lo = fnv1a(text, 0x84222325cbf29ce4ULL);
    hi = (hi & ~0xf000ULL) | 0x8000ULL;           // version 8: custom
    lo = (lo & ~(0xcULL << 60)) | (0x8ULL << 60); // RFC 4122 variant
    char buf[40];
    std::snprintf(buf, sizeof buf, "%08x-%04x-%04x-%04x-%012llx", unsigned(hi >> 32),
                  unsigned((hi >> 16) & 0xffff), unsigned(hi & 0xffff), unsigned(lo >> 48),
                  static_cast<unsigned long long>(lo & 0xffffffffffffULL));
    return buf;
}

std::string log_uuid(std::int64_t id) {
    char buf[40];
    std::snprintf(buf, sizeof buf, "00000000-0000-8000-8000-%012llx",
                  static_cast<unsigned long long>(id) & 0xffffffffffffULL);
    return buf;
}

} // namespace weft::server
