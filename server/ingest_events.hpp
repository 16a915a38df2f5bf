#pragma once
// Events a client sends to /api/events/in (Prefect 3's SDK reports task runs this way): each
// frame read and checked, and a `prefect.task-run.<State>` event applied to the store as the REST
// task-run endpoints would (create the run, then set its state with force: the client already
// orchestrated it). No Qt.
#include <weft/engine.hpp>

#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <variant>

namespace weft::server {

/// A task run's state as a client reports it.
struct TaskRunEvent {
    std::string event_id; // also the state's id, as in Prefect
    std::string task_run_id;
    std::string flow_run_id; // "" when the event names none
    State state;
    nlohmann::json task_run; // payload.task_run: name, task_key, dynamic_key, task_inputs, …
};

/// An event this server does not store (only counted).
struct OtherEvent {
    std::string event_id;
};

/// A frame that is not an Event: why, in a line that fits a close reason.
struct BadEvent {
    std::string why;
};

using IncomingEvent = std::variant<TaskRunEvent, OtherEvent, BadEvent>;

/// Reads one text frame, parsed (discarded when it is not JSON).
IncomingEvent read_event(const nlohmann::json& event);

enum class Applied { Stored, Duplicate, Stale, UnknownFlowRun };

/// In the writer's transaction: creates the task run if it is new, then enters the state unless
/// the run is in it already (a resend) or in a newer one (an old event arriving late).
Applied apply_task_run_event(Txn& txn, const TaskRunEvent& event);

} // namespace weft::server
