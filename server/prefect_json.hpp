#pragma once
// JSON ⇄ engine records in Prefect's shapes, in one place: the responses (Flow, FlowRunResponse,
// TaskRun, Log, OrchestrationResult) and the records made from validated create bodies
// (FlowCreate, FlowRunCreate, TaskRunCreate, LogCreate, StateCreate).
#include "validation.hpp"

#include <weft/records.hpp>
#include <weft/rules.hpp>

#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

namespace weft::server {

nlohmann::json flow_json(const FlowRecord& flow);
nlohmann::json flow_run_json(const FlowRunRecord& run);
nlohmann::json task_run_json(const TaskRunRecord& run);
nlohmann::json log_json(const LogRecord& line);
/// {"status", "state", "details"}; `state` is the state to go on with (the one stored, or the
/// one a REJECT offers instead), null when there is none.
nlohmann::json orchestration_result(const Outcome& outcome, const std::optional<State>& state);

// From bodies that passed their schema (schemas.hpp); they throw nothing a valid body can cause.
FlowRecord flow_from_create(const nlohmann::json& body);
/// A StateCreate as a new state (id and timestamp assigned now).
State state_from_create(const nlohmann::json& state);
/// A new flow run of `flow`; its id derives from the idempotency key when one is given, so the
/// same key names the same run.
FlowRunRecord flow_run_from_create(const nlohmann::json& body, const FlowRecord& flow);
TaskRunRecord task_run_from_create(const nlohmann::json& body);
LogRecord log_from_create(const nlohmann::json& body);

/// Checks a TaskRunCreate's parts whose shape a field table cannot say: task_inputs (lists of
/// references) and empirical_policy.retry_delay (a number or a list of numbers).
std::vector<ValidationError> check_task_run_create(const nlohmann::json& body);

/// A flow run id that is the same for the same flow and idempotency key.
std::string idempotent_run_id(const std::string& flow_id, const std::string& key);

/// Log lines have integer ids in the store; Prefect's are UUIDs. This one encodes the integer.
std::string log_uuid(std::int64_t id);

} // namespace weft::server
