#pragma once
// Run states: types and default names follow Prefect's, so the REST API and Studio speak one
// language.
#include "weft/time.hpp"

#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>

namespace weft {

enum class StateType {
    Scheduled,
    Pending,
    Running,
    Completed,
    Failed,
    Cancelled,
    Crashed,
    Paused,
    Cancelling,
};

/// "SCHEDULED", "RUNNING", …
std::string_view to_string(StateType type);
std::optional<StateType> state_type_from_string(std::string_view text);
/// "Scheduled", "Running", …: the name a state has when nothing more specific applies.
std::string_view default_name(StateType type);
/// COMPLETED, FAILED, CANCELLED, CRASHED: the run is over.
bool is_terminal(StateType type);
/// FAILED, CRASHED, CANCELLED: the run is over and can be resumed.
bool is_resumable(StateType type);

struct State {
    std::string id;
    StateType type = StateType::Pending;
    std::string name;
    Micros timestamp = 0;
    std::string message;
    /// StateDetails as Prefect spells them (scheduled_time, cache_key, …); an object or null.
    nlohmann::json details;
    /// The result a COMPLETED state carries (a cached or hand-set result); null when none.
    nlohmann::json data;

    bool is(StateType t) const { return type == t; }
    /// scheduled_time from details: SCHEDULED states, and the PENDING states that follow them.
    std::optional<Micros> scheduled_time() const;
};

/// A fresh state with a new id and the current time; empty name means the type's default name.
State make_state(StateType type, std::string name = {}, std::string message = {});

namespace states {
State scheduled(Micros at, std::string name = "Scheduled");
State awaiting_retry(Micros at, std::string message = {});
State pending(std::string message = {});
State running();
State retrying();
State completed(std::string message = {});
State cached(std::string message = {});
State failed(std::string message);
State timed_out(std::string message);
State crashed(std::string message);
State cancelling(std::string message = {});
State cancelled(std::string message = {});
State paused(std::string message = {});
} // namespace states

/// Prefect's JSON shape for a state: {id, type, name, timestamp, message, state_details, data}.
nlohmann::json to_json(const State& state);
/// Reads a state (or a StateCreate, which lacks id and timestamp: those are filled in).
/// Throws std::invalid_argument naming the bad field.
State state_from_json(const nlohmann::json& j);

} // namespace weft
