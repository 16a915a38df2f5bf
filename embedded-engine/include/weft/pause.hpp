#pragma once
// Pausing a flow run until a person resumes it, optionally with input (Prefect's pause_flow_run,
// suspend_flow_run and resume_flow_run with RunInput).
//
// A pause is PAUSED/"Paused": the program waits (heartbeats go on) and continues once resumed. A
// suspension is PAUSED/"Suspended": the program exits; resuming starts it again with
// `PROGRAM resume RUN_ID`, completed task runs are reused and the pause call returns at once.
// A pause not resumed before its timeout fails the run.
#include "weft/engine.hpp"

#include <nlohmann/json.hpp>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

namespace weft {

/// One field of the input a pause waits for.
struct InputField {
    std::string name;
    /// A JSON schema type: "string", "integer", "number", "boolean", "object" or "array".
    std::string type = "string";
    /// The value when the resume leaves the field out; null: the field is required.
    nlohmann::json default_value;
    std::string description;
};

/// The input a pause waits for (Prefect's RunInput): its fields, as a JSON schema so that the CLI,
/// Studio and the engine know them without the program.
struct RunInput {
    std::string title = "Input";
    std::string description;
    std::vector<InputField> fields;

    /// {"title", "description", "type": "object", "properties": {name: {type, title, default,
    /// description}}, "required": [...]}.
    nlohmann::json schema() const;
};

struct PauseOptions {
    double timeout_s = 3600; // Prefect's default: one hour
    /// Exit the program instead of waiting; resuming starts it again (Prefect's suspend).
    bool suspend = false;
    /// The input the resume must give; none: the resume gives none.
    std::optional<RunInput> wait_for_input;
};

/// Pauses the calling flow run (from the flow's own code, not from a task) until it is resumed,
/// after its submitted task runs finish. Returns the input given at resume (null without
/// wait_for_input). Throws PauseTimedOut when nobody resumed it within the timeout (the flow run
/// fails with that message unless the flow catches it) and weft::Cancelled when the run is
/// cancelled meanwhile. With `suspend` the call does not return in this process: the program ends
/// its run PAUSED/"Suspended" and exits; resumed, the program runs the flow again and the same
/// call returns the input at once.
nlohmann::json pause_flow_run(const PauseOptions& options);
nlohmann::json pause_flow_run(double timeout_s = 3600);
/// pause_flow_run with wait_for_input: the input, validated against `input`'s fields, with
/// defaults filled in.
nlohmann::json pause_flow_run(const RunInput& input, double timeout_s = 3600);
/// pause_flow_run with suspend. Not for subflows (their parent's program would exit).
nlohmann::json suspend_flow_run(double timeout_s = 3600);
nlohmann::json suspend_flow_run(const RunInput& input, double timeout_s = 3600);

/// A pause nobody resumed within its timeout.
class PauseTimedOut : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

/// Checks `input` (an object, or null for none) against a RunInput schema: every field it gives is
/// declared and of its type, every required field is there. Returns the input with defaults
/// filled in, or the first problem naming its field ("approved: expected a boolean"). Thread-safe.
struct InputCheck {
    nlohmann::json value;
    std::string error; // empty: valid
};
InputCheck validate_run_input(const nlohmann::json& schema, const nlohmann::json& input);

/// True for a PAUSED state of a suspended run (its program exited).
bool is_suspended(const State& state);
/// True for the SCHEDULED/"Resuming" state a suspended run takes when resumed, until its program
/// starts it again with `resume`.
bool is_resuming(const State& state);
/// The pause's deadline from a PAUSED state's details (pause_timeout), if any.
std::optional<Micros> pause_timeout(const State& state);

/// What a resume did.
struct ResumeOutcome {
    bool accepted = false;
    std::string reason;               // why not
    std::optional<FlowRunRecord> run; // the run after the resume (or as it stands when refused)
    bool start_program = false;       // a suspended run: its program must be started (`resume`)
    bool input_refused = false;       // refused for its input (not for the run's state)
};

/// Resumes a PAUSED flow run as a person asks (CLI, Studio), with `input` for a pause that waits
/// for input. A waiting program continues (RUNNING); a suspended run becomes SCHEDULED/"Resuming"
/// and start_program says its program must be started with `resume RUN_ID`. Refused with a reason,
/// the run unchanged, when it is not PAUSED, when the input does not fit the declared fields (the
/// reason names the field), or when input is given to a pause that asked for none. A pause past its
/// timeout cannot be resumed: the run is FAILED instead (Prefect alike). Blocks until committed;
/// thread-safe. Throws LookupError for an unknown id. `program_unseen`: the caller cannot tell
/// whether the paused run's program still waits (a server, whose programs report over HTTP), so
/// the resume goes ahead as Prefect's does; else a run whose program is gone is refused.
ResumeOutcome resume_flow_run(Engine& engine, const std::string& id,
                              const std::optional<nlohmann::json>& input = std::nullopt,
                              bool program_unseen = false);

/// The input schema the run's current pause declared (null when it declared none or the run is
/// not paused). Thread-safe.
nlohmann::json paused_input_schema(Engine& engine, const std::string& id);

} // namespace weft
