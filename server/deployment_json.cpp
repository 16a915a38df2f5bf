#include "deployment_json.hpp"

#include "cron.hpp"
#include "json_fields.hpp"
#include "prefect_json.hpp"
#include "schemas.hpp"

#include <weft/ids.hpp>
#include <weft/time.hpp>

#include <QTimeZone>
#include <algorithm>

namespace weft::server {

namespace {

using nlohmann::json;
using namespace fields;

json text_or_null(const std::string& s) {
    return s.empty() ? json() : json(s);
}

json schedule_json(const DeploymentSchedule& s, const DeploymentRecord& d) {
    json schedule;
    if (!s.cron.empty()) {
        schedule = {{"cron", s.cron},
                    {"timezone", s.timezone.empty() ? "UTC" : s.timezone},
                    {"day_or", true}};
    } else {
        schedule = {{"interval", s.interval_s.value_or(0)},
                    {"anchor_date", to_iso(s.anchor.value_or(d.created))},
                    {"timezone", s.timezone.empty() ? "UTC" : s.timezone}};
    }
    return {{"id", s.id},
            {"created", to_iso(d.created)},
            {"updated", to_iso(d.updated)},
            {"deployment_id", d.id},
            {"schedule", schedule},
            {"active", s.active},
            {"max_scheduled_runs", nullptr},
            {"parameters", json::object()},
            {"slug", nullptr}};
}

// Checked DeploymentScheduleCreate items (new ids).
std::vector<DeploymentSchedule> schedules_from(const json& list) {
    std::vector<DeploymentSchedule> out;
    for (const auto& item : list) {
        const json& schedule = item.at("schedule");
        DeploymentSchedule s;
        s.id = new_id();
        s.active = item.value("active", true);
        s.timezone = text_or(schedule, "timezone");
        if (s.timezone == "UTC") s.timezone.clear();
        if (schedule.contains("cron")) {
            s.cron = schedule.at("cron").get<std::string>();
        } else {
            s.interval_s = schedule.at("interval").get<double>();
            if (auto anchor = from_iso(text_or(schedule, "anchor_date"))) s.anchor = *anchor;
        }
        out.push_back(std::move(s));
    }
    return out;
}

} // namespace

bool same_schedules(const std::vector<DeploymentSchedule>& a,
                    const std::vector<DeploymentSchedule>& b) {
    return std::equal(a.begin(), a.end(), b.begin(), b.end(), [](const auto& x, const auto& y) {
        return x.cron == y.cron && x.interval_s == y.interval_s && x.anchor == y.anchor
               && x.timezone == y.timezone && x.active == y.active;
    });
}

std::string work_queue_id(const std::string& work_pool_id, const std::string& queue_name) {
    return idempotent_run_id(work_pool_id, "work queue\n" + queue_name);
}

json deployment_json(const DeploymentRecord& d, const std::optional<WorkPoolRecord>& pool,
                     bool ready) {
    json schedules = json::array();
    for (const auto& s : d.schedules)
        schedules.push_back(schedule_json(s, d));
    return {
        {"id", d.id},
        {"created", to_iso(d.created)},
        {"updated", to_iso(d.updated)},
        {"name", d.name},
        {"version", text_or_null(d.version)},
        {"description", text_or_null(d.description)},
        {"flow_id", d.flow_id},
        {"paused", d.paused},
        {"schedules", schedules},
        {"concurrency_limit", nullptr},
        {"global_concurrency_limit", nullptr},
        {"concurrency_options", nullptr},
        {"job_variables", d.job_variables},
        {"parameters", d.parameters},
        {"tags", d.tags},
        {"labels", json::object()},
        {"work_queue_name", text_or_null(d.work_queue_name)},
        {"work_queue_id", pool ? json(work_queue_id(pool->id, d.work_queue_name)) : json(nullptr)},
        {"last_polled", nullptr},
        {"parameter_openapi_schema", d.parameter_openapi_schema},
        {"path", text_or_null(d.path)},
        {"pull_steps", nullptr},
        {"entrypoint", text_or_null(d.entrypoint)},
        {"storage_document_id", nullptr},
        {"infrastructure_document_id", nullptr},
        {"created_by", nullptr},
        {"updated_by", nullptr},
        {"work_pool_name", text_or_null(d.work_pool_name)},
        {"status", ready ? "READY" : "NOT_READY"},
        {"enforce_parameter_schema", false}};
}

json work_pool_json(const WorkPoolRecord& pool, std::int64_t active_slots, bool online) {
    const char* status = pool.is_paused ? "PAUSED" : online ? "READY" : "NOT_READY";
    return {{"id", pool.id},
            {"created", to_iso(pool.created)},
            {"updated", to_iso(pool.updated)},
            {"name", pool.name},
            {"description", text_or_null(pool.description)},
            {"type", pool.type},
            {"base_job_template", pool.base_job_template},
            {"is_paused", pool.is_paused},
            {"concurrency_limit",
             pool.concurrency_limit ? json(*pool.concurrency_limit) : json(nullptr)},
            {"status", status},
            {"default_queue_id", pool.default_queue_id},
            {"storage_configuration",
             {{"bundle_upload_step", nullptr},
              {"bundle_execution_step", nullptr},
              {"default_result_storage_block_id", nullptr}}},
            {"active_slots", active_slots}};
}

json worker_json(const WorkerRecord& worker, Micros now) {
    return {{"id", worker.id},
            {"created", to_iso(worker.created)},
            {"updated", to_iso(worker.last_heartbeat)},
            {"name", worker.name},
            {"work_pool_id", worker.work_pool_id},
            {"last_heartbeat_time", to_iso(worker.last_heartbeat)},
            {"heartbeat_interval_seconds",
             worker.heartbeat_interval_s ? json(*worker.heartbeat_interval_s) : json(nullptr)},
            {"status", worker_online(worker, now) ? "ONLINE" : "OFFLINE"}};
}

std::vector<ValidationError> check_deployment_schedules(const json& body) {
    std::vector<ValidationError> errors;
    auto list = body.find("schedules");
    if (list == body.end() || !list->is_array()) return errors;
    for (std::size_t i = 0; i < list->size(); ++i) {
        const json& schedule = (*list)[i].at("schedule"); // required by the field table
        const json loc = {"body", "schedules", i, "schedule"};
        if (schedule.is_object() && schedule.contains("interval")) {
            auto e = validate(schedule, schemas::interval_schedule(), loc);
            errors.insert(errors.end(), e.begin(), e.end());
            if (e.empty() && schedule.at("interval").get<double>() <= 0) {
                json at = loc;
                at.push_back("interval");
                errors.push_back({at, "Input should be greater than 0", "greater_than",
                                  schedule.at("interval")});
            }
        } else if (schedule.is_object() && schedule.contains("cron")) {
            auto e = validate(schedule, schemas::cron_schedule(), loc);
            errors.insert(errors.end(), e.begin(), e.end());
            std::string why;
            if (e.empty() && !Cron::parse(schedule.at("cron").get<std::string>(), &why)) {
                json at = loc;
                at.push_back("cron");
                errors.push_back(
                    {at, "Invalid cron string: " + why, "value_error", schedule.at("cron")});
            }
            if (e.empty() && schedule.value("timezone", json()).is_string()
                && !QTimeZone(QByteArray::fromStdString(schedule.at("timezone").get<std::string>()))
                        .isValid()) {
                json at = loc;
                at.push_back("timezone");
                errors.push_back({at, "Unknown time zone", "value_error", schedule.at("timezone")});
            }
        } else if (schedule.is_object() && schedule.contains("rrule")) {
            errors.push_back({loc, "RRule schedules are not supported: use cron or interval",
                              "value_error", schedule});
        } else {
            errors.push_back({loc,
                              "Input should be an interval schedule ({\"interval\": seconds}) or "
                              "a cron schedule ({\"cron\": \"* * * * *\"})",
                              "model_type", schedule});
        }
    }
    return errors;
}

DeploymentRecord deployment_from_create(const json& body) {
    DeploymentRecord d;
    d.id = new_id();
    d.flow_id = body.at("flow_id").get<std::string>();
    d.name = body.at("name").get<std::string>();
    d.entrypoint = text_or(body, "entrypoint");
    d.path = text_or(body, "path");
    d.parameters = object_or_empty(body, "parameters");
    d.tags = strings(body, "tags");
    d.work_pool_name = text_or(body, "work_pool_name");
    d.work_queue_name = text_or(body, "work_queue_name");
    if (!d.work_pool_name.empty() && d.work_queue_name.empty())
        d.work_queue_name = kDefaultWorkQueue;
    d.paused = body.value("paused", false);
    d.description = text_or(body, "description");
    d.version = text_or(body, "version");
    d.job_variables = object_or_empty(body, "job_variables");
    d.parameter_openapi_schema = body.value("parameter_openapi_schema", json());
    d.created = d.updated = now_us();
    if (auto list = body.find("schedules"); list != body.end() && list->is_array())
        d.schedules = schedules_from(*list);
    return d;
}

bool apply_deployment_update(DeploymentRecord& d, const json& body) {
    auto given = [&](const char* key) { return body.contains(key); };
    if (given("description")) d.description = text_or(body, "description");
    if (given("version")) d.version = text_or(body, "version");
    if (given("path")) d.path = text_or(body, "path");
    if (given("entrypoint")) d.entrypoint = text_or(body, "entrypoint");
    if (given("parameters")) d.parameters = object_or_empty(body, "parameters");
    if (given("job_variables")) d.job_variables = object_or_empty(body, "job_variables");
    if (given("parameter_openapi_schema"))
        d.parameter_openapi_schema = body.at("parameter_openapi_schema"); // null clears it
    if (given("tags")) d.tags = strings(body, "tags");
    if (given("paused")) d.paused = body.at("paused").get<bool>();
    if (given("work_pool_name")) d.work_pool_name = text_or(body, "work_pool_name");
    if (given("work_queue_name")) d.work_queue_name = text_or(body, "work_queue_name");
    if (d.work_pool_name.empty())
        d.work_queue_name.clear();
    else if (d.work_queue_name.empty())
        d.work_queue_name = kDefaultWorkQueue;
    d.updated = now_us();
    if (!given("schedules")) return false;
    auto schedules = schedules_from(body.at("schedules"));
    if (same_schedules(d.schedules, schedules)) return false; // their ids stay
    d.schedules = std::move(schedules);
    d.scheduled_until.reset();
    return true;
}

void apply_work_pool_update(WorkPoolRecord& pool, const json& body) {
    if (body.contains("description")) pool.description = text_or(body, "description");
    if (auto it = body.find("is_paused"); it != body.end() && it->is_boolean())
        pool.is_paused = it->get<bool>();
    if (body.contains("base_job_template"))
        pool.base_job_template = object_or_empty(body, "base_job_template");
    if (auto it = body.find("concurrency_limit"); it != body.end())
        pool.concurrency_limit =
            it->is_number() ? std::optional<int>(it->get<int>()) : std::optional<int>();
    pool.updated = now_us();
}

WorkPoolRecord work_pool_from_create(const json& body) {
    WorkPoolRecord pool;
    pool.id = new_id();
    pool.name = body.at("name").get<std::string>();
    pool.description = text_or(body, "description");
    pool.type = text_or(body, "type", "prefect-agent");
    pool.is_paused = body.value("is_paused", false);
    if (auto it = body.find("concurrency_limit"); it != body.end() && it->is_number())
        pool.concurrency_limit = it->get<int>();
    pool.base_job_template = object_or_empty(body, "base_job_template");
    pool.default_queue_id = work_queue_id(pool.id, kDefaultWorkQueue);
    pool.created = pool.updated = now_us();
    return pool;
}

} // namespace weft::server
