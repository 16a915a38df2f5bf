#include "schemas.hpp"

namespace weft::server::schemas {

namespace {

using V = std::vector<std::string>;

const V kStateTypes{"SCHEDULED", "PENDING", "RUNNING", "COMPLETED", "FAILED",
                    "CANCELLED", "CRASHED", "PAUSED",  "CANCELLING"};
const V kOperators{"and_", "or_"};
const V kFlowRunSorts{"ID_DESC",
                      "START_TIME_ASC",
                      "START_TIME_DESC",
                      "EXPECTED_START_TIME_ASC",
                      "EXPECTED_START_TIME_DESC",
                      "NAME_ASC",
                      "NAME_DESC",
                      "NEXT_SCHEDULED_START_TIME_ASC",
                      "END_TIME_DESC"};
const V kTaskRunSorts{"ID_DESC",
                      "EXPECTED_START_TIME_ASC",
                      "EXPECTED_START_TIME_DESC",
                      "NAME_ASC",
                      "NAME_DESC",
                      "NEXT_SCHEDULED_START_TIME_ASC",
                      "END_TIME_DESC"};
const V kFlowSorts{"CREATED_DESC", "UPDATED_DESC", "NAME_ASC", "NAME_DESC"};
const V kDeploymentSorts{"CREATED_DESC", "UPDATED_DESC", "NAME_ASC", "NAME_DESC"};
const V kLogSorts{"TIMESTAMP_ASC", "TIMESTAMP_DESC"};
const V kRetryTypes{"in_process", "reschedule"};
const V kInputTypes{"task_run", "flow_run", "parameter", "constant"};

// Shorthands for the tables below.
Field str(const char* name) {
    return {.name = name, .type = Type::String};
}
Field uuid(const char* name) {
    return {.name = name, .type = Type::Uuid};
}
Field time(const char* name) {
    return {.name = name, .type = Type::DateTime};
}
Field integer(const char* name) {
    return {.name = name, .type = Type::Integer};
}
Field number(const char* name) {
    return {.name = name, .type = Type::Number};
}
Field boolean(const char* name) {
    return {.name = name, .type = Type::Boolean};
}
Field object(const char* name) {
    return {.name = name, .type = Type::Object};
}
Field any(const char* name) {
    return {.name = name, .type = Type::Any};
}
Field model(const char* name, const Schema& schema) {
    return {.name = name, .type = Type::Model, .schema = &schema};
}
Field one_of(const char* name, const V& choices) {
    return {.name = name, .type = Type::Enum, .choices = &choices};
}
Field list_of(const char* name, Type type) {
    return {.name = name, .type = Type::Array, .items = {.type = type}};
}
Field list_of(const char* name, const V& choices) {
    return {.name = name, .type = Type::Array, .items = {.type = Type::Enum, .choices = &choices}};
}
Field operator_field() {
    return one_of("operator", kOperators);
}
// Non-nullable: Prefect's schema gives these a type and a default, not null.
Field required(Field f) {
    f.required = true;
    f.nullable = false;
    return f;
}
Field not_null(Field f) {
    f.nullable = false;
    return f;
}

// Filter fields: {any_: [..], not_any_: [..]} and friends.
const Schema& any_uuid(bool not_any) {
    static const Schema with{{list_of("any_", Type::Uuid), list_of("not_any_", Type::Uuid)}};
    static const Schema without{{list_of("any_", Type::Uuid)}};
    return not_any ? with : without;
}
const Schema& any_uuid_null() {
    static const Schema s{{operator_field(), list_of("any_", Type::Uuid), boolean("is_null_")}};
    return s;
}
const Schema& name_filter() {
    static const Schema s{{list_of("any_", Type::String), str("like_")}};
    return s;
}
const Schema& time_filter(bool with_null) {
    static const Schema with{{time("before_"), time("after_"), boolean("is_null_")}};
    static const Schema without{{time("before_"), time("after_")}};
    return with_null ? with : without;
}
const Schema& any_string(bool not_any) {
    static const Schema with{{list_of("any_", Type::String), list_of("not_any_", Type::String)}};
    static const Schema without{{list_of("any_", Type::String)}};
    return not_any ? with : without;
}

const Schema& state_details() {
    // StateDetails allows unknown keys; the known ones are typed.
    static const Schema s{{uuid("flow_run_id"), uuid("task_run_id"), uuid("child_flow_run_id"),
                           time("scheduled_time"), str("cache_key"), time("cache_expiration"),
                           boolean("deferred"), not_null(boolean("untrackable_result")),
                           time("pause_timeout"), not_null(boolean("pause_reschedule")),
                           str("pause_key"), object("run_input_keyset"), boolean("refresh_cache"),
                           boolean("retriable"), uuid("transition_id"), uuid("task_parameters_id"),
                           str("traceparent"), uuid("deployment_concurrency_lease_id")},
                          false};
    return s;
}

const Schema& state_create() {
    // timestamp: Weft's extension (docs/server.md), for reports a program sends late.
    static const Schema s{{required(one_of("type", kStateTypes)), str("name"), str("message"),
                           any("data"), not_null(model("state_details", state_details())),
                           time("timestamp")}};
    return s;
}

const Schema& flow_run_policy() {
    static const Schema s{{not_null(integer("max_retries")),
                           not_null(number("retry_delay_seconds")), integer("retries"),
                           integer("retry_delay"), list_of("pause_keys", Type::String),
                           boolean("resuming"), one_of("retry_type", kRetryTypes)},
                          false};
    return s;
}

const Schema& task_run_policy() {
    // retry_delay: a number or a list of numbers; checked by hand (prefect_json.cpp).
    static const Schema s{{not_null(integer("max_retries")),
                           not_null(number("retry_delay_seconds")), integer("retries"),
                           any("retry_delay"), number("retry_jitter_factor")},
                          false};
    return s;
}

const Schema& flow_filter() {
    static const Schema deployment{{operator_field(), boolean("is_null_")}};
    static const Schema tags{
        {operator_field(), list_of("all_", Type::String), boolean("is_null_")}};
    static const Schema s{{operator_field(), model("id", any_uuid(true)),
                           model("deployment", deployment), model("name", name_filter()),
                           model("tags", tags)}};
    return s;
}

const Schema& flow_run_filter() {
    static const Schema tags{{operator_field(), list_of("all_", Type::String),
                              list_of("any_", Type::String), boolean("is_null_")}};
    static const Schema with_null{
        {operator_field(), list_of("any_", Type::String), boolean("is_null_")}};
    static const Schema state_type{
        {list_of("any_", kStateTypes), list_of("not_any_", kStateTypes)}};
    static const Schema state{
        {operator_field(), model("type", state_type), model("name", any_string(true))}};
    static const Schema parent_flow{{operator_field(), list_of("any_", Type::Uuid)}};
    static const Schema created_by{{operator_field(), list_of("id_", Type::Uuid),
                                    list_of("type_", Type::String), boolean("is_null_")}};
    static const Schema s{
        {operator_field(), model("id", any_uuid(true)), model("name", name_filter()),
         model("tags", tags), model("deployment_id", any_uuid_null()),
         model("work_queue_name", with_null), model("state", state),
         model("flow_version", any_string(false)), model("start_time", time_filter(true)),
         model("end_time", time_filter(true)), model("expected_start_time", time_filter(false)),
         model("next_scheduled_start_time", time_filter(false)),
         model("parent_flow_run_id", parent_flow), model("parent_task_run_id", any_uuid_null()),
         model("idempotency_key", any_string(true)), model("created_by", created_by)}};
    return s;
}

const Schema& task_run_filter() {
    static const Schema tags{
        {operator_field(), list_of("all_", Type::String), boolean("is_null_")}};
    static const Schema state_type{{list_of("any_", kStateTypes)}};
    static const Schema state{
        {operator_field(), model("type", state_type), model("name", any_string(false))}};
    static const Schema subflows{{boolean("exists_")}};
    static const Schema s{
        {operator_field(), model("id", any_uuid(false)), model("name", name_filter()),
         model("tags", tags), model("state", state), model("start_time", time_filter(true)),
         model("end_time", time_filter(true)), model("expected_start_time", time_filter(false)),
         model("subflow_runs", subflows), model("flow_run_id", any_uuid_null()),
         // Weft's extension (docs/server.md): the task cache's look-up by key.
         model("cache_key", any_string(false))}};
    return s;
}

const Schema& log_filter() {
    static const Schema level{{integer("ge_"), integer("le_")}};
    static const Schema task_run{{list_of("any_", Type::Uuid), boolean("is_null_")}};
    static const Schema text{
        {required(Field{.name = "query", .type = Type::String, .max_length = 200})}};
    static const Schema s{{operator_field(), model("level", level),
                           model("timestamp", time_filter(false)),
                           model("flow_run_id", any_uuid(false)), model("task_run_id", task_run),
                           model("text", text)}};
    return s;
}

const Schema& deployment_filter() {
    static const Schema paused{{boolean("eq_")}};
    static const Schema tags{{operator_field(), list_of("all_", Type::String),
                              list_of("any_", Type::String), boolean("is_null_")}};
    static const Schema like{{str("like_")}};
    static const Schema limit{{integer("ge_"), integer("le_"), boolean("is_null_")}};
    static const Schema s{
        {operator_field(), model("id", any_uuid(true)), model("name", name_filter()),
         model("flow_or_deployment_name", like), model("paused", paused), model("tags", tags),
         model("work_queue_name", any_string(false)), model("concurrency_limit", limit)}};
    return s;
}

const Schema& work_pool_filter() {
    static const Schema s{{operator_field(), model("id", any_uuid(false)),
                           model("name", any_string(false)), model("type", any_string(false))}};
    return s;
}

const Schema& work_queue_filter() {
    static const Schema s{
        {operator_field(), model("id", any_uuid(false)), model("name", any_string(false))}};
    return s;
}

Field deployments_field() {
    return model("deployments", deployment_filter());
}
Field work_pools_field() {
    return model("work_pools", work_pool_filter());
}
Field work_queues_field(const char* name) {
    return model(name, work_queue_filter());
}

} // namespace

const Schema& flow_create() {
    static const Schema s{
        {required(Field{.name = "name", .type = Type::String, .forbidden_chars = "/%&><"}),
         not_null(list_of("tags", Type::String)), object("labels")}};
    return s;
}

const Schema& flow_run_create() {
    // id: Weft's extension (docs/server.md), so that a flow program keeps its own run ids.
    static const Schema s{{uuid("id"), model("state", state_create()), not_null(str("name")),
                           required(uuid("flow_id")), str("flow_version"),
                           not_null(object("parameters")), not_null(object("context")),
                           uuid("parent_task_run_id"), uuid("infrastructure_document_id"),
                           not_null(model("empirical_policy", flow_run_policy())),
                           not_null(list_of("tags", Type::String)), object("labels"),
                           str("idempotency_key"), str("work_pool_name"), str("work_queue_name"),
                           object("job_variables"), uuid("deployment_id")}};
    return s;
}

const Schema& task_run_create() {
    static const Schema s{{uuid("id"), model("state", state_create()), not_null(str("name")),
                           uuid("flow_run_id"), required(str("task_key")),
                           required(str("dynamic_key")), str("cache_key"), time("cache_expiration"),
                           str("task_version"),
                           not_null(model("empirical_policy", task_run_policy())),
                           not_null(list_of("tags", Type::String)), object("labels"),
                           not_null(object("task_inputs"))}};
    return s;
}

const Schema& log_create() {
    static const Schema s{{required(str("name")), required(integer("level")),
                           required(str("message")), required(time("timestamp")),
                           uuid("flow_run_id"), uuid("task_run_id"),
                           // Weft's extension (docs/server.md): a line sent again is known.
                           uuid("id")}};
    return s;
}

const Schema& set_state_body() {
    static const Schema s{{required(model("state", state_create())), not_null(boolean("force"))},
                          false};
    return s;
}

const Schema& flows_filter_body() {
    static const Schema s{
        {not_null(Field{.name = "offset", .type = Type::Integer, .minimum = 0}),
         not_null(model("flows", flow_filter())), not_null(model("flow_runs", flow_run_filter())),
         not_null(model("task_runs", task_run_filter())), deployments_field(), work_pools_field(),
         not_null(one_of("sort", kFlowSorts)), not_null(integer("limit"))},
        false};
    return s;
}

namespace {
// flow_runs/filter and flow_runs/paginate: the same filters, paged by `offset` or by `page`.
Schema flow_runs_body(const char* paging, long long first) {
    return {{not_null(one_of("sort", kFlowRunSorts)),
             not_null(Field{.name = paging, .type = Type::Integer, .minimum = first}),
             model("flows", flow_filter()), model("flow_runs", flow_run_filter()),
             model("task_runs", task_run_filter()), deployments_field(), work_pools_field(),
             work_queues_field("work_pool_queues"), not_null(integer("limit"))},
            false};
}
} // namespace

const Schema& flow_runs_filter_body() {
    static const Schema s = flow_runs_body("offset", 0);
    return s;
}

const Schema& flow_runs_paginate_body() {
    static const Schema s = flow_runs_body("page", 1);
    return s;
}

const Schema& flow_runs_history_body() {
    static const Schema s{{required(time("history_start")), required(time("history_end")),
                           required(number("history_interval_seconds")),
                           model("flows", flow_filter()), model("flow_runs", flow_run_filter()),
                           model("task_runs", task_run_filter()), deployments_field(),
                           work_pools_field(), work_queues_field("work_queues")},
                          false};
    return s;
}

const Schema& task_runs_filter_body() {
    static const Schema s{{not_null(one_of("sort", kTaskRunSorts)),
                           not_null(Field{.name = "offset", .type = Type::Integer, .minimum = 0}),
                           model("flows", flow_filter()), model("flow_runs", flow_run_filter()),
                           model("task_runs", task_run_filter()), deployments_field(),
                           not_null(integer("limit"))},
                          false};
    return s;
}

const Schema& logs_filter_body() {
    static const Schema s{{not_null(Field{.name = "offset", .type = Type::Integer, .minimum = 0}),
                           model("logs", log_filter()), not_null(one_of("sort", kLogSorts)),
                           not_null(integer("limit"))},
                          false};
    return s;
}

const Schema& event_filter() {
    static const V orders{"ASC", "DESC"};
    static const Schema occurred{{not_null(time("since")), not_null(time("until"))}};
    static const Schema name{
        {list_of("prefix", Type::String), list_of("exclude_prefix", Type::String),
         list_of("name", Type::String), list_of("exclude_name", Type::String)}};
    static const Schema resource{{list_of("id", Type::String), list_of("id_prefix", Type::String),
                                  any("labels"), not_null(boolean("distinct"))}};
    static const Schema id{{list_of("id", Type::Uuid)}};
    // related, any_resource and text are accepted in any shape here and refused as not
    // supported yet when given.
    static const Schema s{{not_null(model("occurred", occurred)), model("event", name),
                           model("resource", resource), any("related"), any("any_resource"),
                           not_null(model("id", id)), any("text"),
                           not_null(one_of("order", orders))}};
    return s;
}

const Schema& events_filter_body() {
    static const Schema s{{model("filter", event_filter()),
                           not_null(Field{.name = "limit", .type = Type::Integer, .minimum = 0})},
                          false};
    return s;
}

const Schema& task_input() {
    static const Schema s{
        {required(one_of("input_type", kInputTypes)), uuid("id"), str("name"), str("type")}, false};
    return s;
}

// ---- deployments and work pools ----

const Schema& interval_schedule() {
    static const Schema s{
        {required(number("interval")), not_null(time("anchor_date")), str("timezone")}};
    return s;
}

const Schema& cron_schedule() {
    static const Schema s{{required(str("cron")), str("timezone"), not_null(boolean("day_or"))}};
    return s;
}

namespace {
const Schema& schedule_create() {
    // `schedule` is an interval, cron or rrule schedule: checked by hand
    // (check_deployment_schedules).
    static const Schema s{{not_null(boolean("active")), required(any("schedule")),
                           integer("max_scheduled_runs"), not_null(object("parameters")),
                           str("slug"), str("replaces")}};
    return s;
}
} // namespace

namespace {
// The fields DeploymentCreate and DeploymentUpdate spell alike, after their own.
Schema deployment_fields(std::vector<Field> own) {
    for (Field f : {list_of("pull_steps", Type::Any), str("work_queue_name"), str("work_pool_name"),
                    uuid("storage_document_id"), uuid("infrastructure_document_id"),
                    str("description"), str("path"), str("version"), str("entrypoint"),
                    object("concurrency_options"), uuid("global_concurrency_limit_id"),
                    object("parameter_openapi_schema"), object("version_info")})
        own.push_back(f);
    return Schema{std::move(own)};
}
} // namespace

const Schema& deployment_create() {
    static const Schema s = deployment_fields(
        {required(Field{.name = "name", .type = Type::String, .forbidden_chars = "/%&><"}),
         required(uuid("flow_id")), not_null(boolean("paused")),
         not_null(Field{.name = "schedules",
                        .type = Type::Array,
                        .items = {.type = Type::Model, .schema = &schedule_create()}}),
         integer("concurrency_limit"), not_null(boolean("enforce_parameter_schema")),
         not_null(object("parameters")), not_null(list_of("tags", Type::String)), object("labels"),
         not_null(object("job_variables"))});
    return s;
}

const Schema& deployment_update() {
    // DeploymentUpdate: DeploymentCreate's fields but name, flow_id and labels, none required,
    // and null allowed where Prefect's are optional (null clears the field).
    static const Schema s = deployment_fields(
        {not_null(boolean("paused")),
         not_null(Field{.name = "schedules",
                        .type = Type::Array,
                        .items = {.type = Type::Model, .schema = &schedule_create()}}),
         Field{.name = "concurrency_limit", .type = Type::Integer, .minimum = 1},
         boolean("enforce_parameter_schema"), object("parameters"),
         not_null(list_of("tags", Type::String)), object("job_variables")});
    return s;
}

const Schema& deployment_flow_run_create() {
    static const Schema s{
        {model("state", state_create()), not_null(str("name")), not_null(object("parameters")),
         boolean("enforce_parameter_schema"), not_null(object("context")),
         uuid("infrastructure_document_id"), not_null(model("empirical_policy", flow_run_policy())),
         not_null(list_of("tags", Type::String)), str("idempotency_key"), object("labels"),
         uuid("parent_task_run_id"), str("work_queue_name"), object("job_variables")}};
    return s;
}

const Schema& deployments_filter_body() {
    static const Schema s{{not_null(Field{.name = "offset", .type = Type::Integer, .minimum = 0}),
                           model("flows", flow_filter()), model("flow_runs", flow_run_filter()),
                           model("task_runs", task_run_filter()), deployments_field(),
                           work_pools_field(), work_queues_field("work_pool_queues"),
                           not_null(one_of("sort", kDeploymentSorts)), not_null(integer("limit"))},
                          false};
    return s;
}

const Schema& work_pool_create() {
    static const Schema s{
        {required(Field{.name = "name", .type = Type::String, .forbidden_chars = "/%&><"}),
         str("description"), not_null(str("type")), not_null(object("base_job_template")),
         not_null(boolean("is_paused")),
         Field{.name = "concurrency_limit", .type = Type::Integer, .minimum = 0},
         not_null(object("storage_configuration"))}};
    return s;
}

const Schema& work_pool_update() {
    static const Schema s{{str("description"), boolean("is_paused"), object("base_job_template"),
                           Field{.name = "concurrency_limit", .type = Type::Integer, .minimum = 0},
                           object("storage_configuration")}};
    return s;
}

const Schema& work_pools_filter_body() {
    static const Schema s{{work_pools_field(),
                           not_null(Field{.name = "offset", .type = Type::Integer, .minimum = 0}),
                           not_null(integer("limit"))},
                          false};
    return s;
}

const Schema& workers_filter_body() {
    static const V statuses{"ONLINE", "OFFLINE"};
    static const Schema heartbeat{{time("before_"), time("after_")}};
    static const Schema status{{list_of("any_", statuses), list_of("not_any_", statuses)}};
    static const Schema workers{
        {operator_field(), model("last_heartbeat_time", heartbeat), model("status", status)}};
    static const Schema s{{model("workers", workers),
                           not_null(Field{.name = "offset", .type = Type::Integer, .minimum = 0}),
                           not_null(integer("limit"))},
                          false};
    return s;
}

const Schema& worker_heartbeat_body() {
    static const Schema s{
        {required(str("name")),
         Field{.name = "heartbeat_interval_seconds", .type = Type::Integer, .minimum = 1}},
        false};
    return s;
}

const Schema& scheduled_flow_runs_body() {
    // worker_name is Weft's: the worker asking, recorded as the one the runs were handed to.
    static const Schema s{{not_null(list_of("work_queue_names", Type::String)),
                           not_null(time("scheduled_before")), not_null(time("scheduled_after")),
                           not_null(Field{.name = "limit", .type = Type::Integer, .minimum = 0}),
                           str("worker_name")},
                          false};
    return s;
}

const Schema& concurrency_limit_create() {
    static const Schema s{{required(str("tag")), required(Field{.name = "concurrency_limit",
                                                                .type = Type::Integer,
                                                                .nullable = false,
                                                                .minimum = 0})}};
    return s;
}

const Schema& concurrency_limits_filter_body() {
    static const Schema s{{not_null(Field{.name = "offset", .type = Type::Integer, .minimum = 0}),
                           not_null(integer("limit"))},
                          false};
    return s;
}

const Schema& flow_run_input_create() {
    static const Schema s{{required(str("key")), required(not_null(str("value"))), str("sender")},
                          false};
    return s;
}

const Schema& resume_flow_run_body() {
    static const Schema s{{object("run_input")}, false};
    return s;
}

} // namespace weft::server::schemas
