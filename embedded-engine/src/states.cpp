#include "weft/states.hpp"

#include "weft/ids.hpp"

#include <array>
#include <stdexcept>

namespace weft {

namespace {
struct TypeInfo {
    StateType type;
    std::string_view upper;
    std::string_view name;
};
constexpr std::array<TypeInfo, 9> kTypes{{
    {StateType::Scheduled, "SCHEDULED", "Scheduled"},
    {StateType::Pending, "PENDING", "Pending"},
    {StateType::Running, "RUNNING", "Running"},
    {StateType::Completed, "COMPLETED", "Completed"},
    {StateType::Failed, "FAILED", "Failed"},
    {StateType::Cancelled, "CANCELLED", "Cancelled"},
    {StateType::Crashed, "CRASHED", "Crashed"},
    {StateType::Paused, "PAUSED", "Paused"},
    {StateType::Cancelling, "CANCELLING", "Cancelling"},
}};
} // namespace

std::string_view to_string(StateType type) {
    return kTypes[size_t(type)].upper;
}

std::optional<StateType> state_type_from_string(std::string_view text) {
    for (const auto& t : kTypes) {
        if (t.upper.size() != text.size()) continue;
        bool same = true;
        for (size_t i = 0; i < text.size() && same; ++i)
            same = std::toupper(static_cast<unsigned char>(text[i])) == t.upper[i];
        if (same) return t.type;
    }
    return std::nullopt;
}

std::string_view default_name(StateType type) {
    return kTypes[size_t(type)].name;
}

bool is_terminal(StateType t) {
    return t == StateType::Completed || t == StateType::Failed || t == StateType::Cancelled
           || t == StateType::Crashed;
}

bool is_resumable(StateType t) {
    return t == StateType::Failed || t == StateType::Cancelled || t == StateType::Crashed;
}

std::optional<Micros> State::scheduled_time() const {
    if (!details.is_object()) return std::nullopt;
    auto it = details.find("scheduled_time");
    if (it == details.end() || !it->is_string()) return std::nullopt;
    return from_iso(it->get<std::string>());
}

State make_state(StateType type, std::string name, std::string message) {
    State s;
    s.id = new_id();
    s.type = type;
    s.name = name.empty() ? std::string(default_name(type)) : std::move(name);
    s.timestamp = now_us();
    s.message = std::move(message);
    return s;
}

namespace states {
State scheduled(Micros at, std::string name) {
    State s = make_state(StateType::Scheduled, std::move(name));
    s.details = {{"scheduled_time", to_iso(at)}};
    return s;
}
State awaiting_retry(Micros at, std::string message) {
    State s = scheduled(at, "AwaitingRetry");
    s.message = std::move(message);
    return s;
}
State pending(std::string message) {
    return make_state(StateType::Pending, {}, std::move(message));
}
State running() {
    return make_state(StateType::Running);
}
State retrying() {
    return make_state(StateType::Running, "Retrying");
}
State completed(std::string message) {
    return make_state(StateType::Completed, {}, std::move(message));
}
State cached(std::string message) {
    return make_state(StateType::Completed, "Cached", std::move(message));
}
State failed(std::string message) {
    return make_state(StateType::Failed, {}, std::move(message));
}
State timed_out(std::string message) {
    return make_state(StateType::Failed, "TimedOut", std::move(message));
}
State crashed(std::string message) {
    return make_state(StateType::Crashed, {}, std::move(message));
}
State cancelling(std::string message) {
    return make_state(StateType::Cancelling, {}, std::move(message));
}
State cancelled(std::string message) {
    return make_state(StateType::Cancelled, {}, std::move(message));
}
State paused(std::string message) {
    return make_state(StateType::Paused, {}, std::move(message));
}
} // namespace states

nlohmann::json to_json(const State& s) {
    nlohmann::json j = {
        {"id", s.id},
        {"type", to_string(s.type)},
        {"name", s.name},
        {"timestamp", to_iso(s.timestamp)},
        {"message", s.message.empty() ? nlohmann::json() : nlohmann::json(s.message)},
        {"state_details", s.details.is_object() ? s.details : nlohmann::json::object()},
        {"data", s.data},
    };
    return j;
}

State state_from_json(const nlohmann::json& j) {
    if (!j.is_object()) throw std::invalid_argument("state: expected an object");
    auto type_it = j.find("type");
    if (type_it == j.end() || !type_it->is_string())
        throw std::invalid_argument("state.type: field required");
    auto type = state_type_from_string(type_it->get<std::string>());
    if (!type)
        throw std::invalid_argument("state.type: unknown state type '" + type_it->get<std::string>()
                                    + "'");
    std::string name;
    if (auto it = j.find("name"); it != j.end() && !it->is_null()) {
        if (!it->is_string()) throw std::invalid_argument("state.name: expected a string");
        name = it->get<std::string>();
    }
    std::string message;
    if (auto it = j.find("message"); it != j.end() && !it->is_null()) {
        if (!it->is_string()) throw std::invalid_argument("state.message: expected a string");
        message = it->get<std::string>();
    }
    State s = make_state(*type, std::move(name), std::move(message));
    if (auto it = j.find("id"); it != j.end() && it->is_string()) s.id = it->get<std::string>();
    if (auto it = j.find("timestamp"); it != j.end() && it->is_string()) {
        auto t = from_iso(it->get<std::string>());
        if (!t) throw std::invalid_argument("state.timestamp: not an ISO 8601 time");
        s.timestamp = *t;
    }
    if (auto it = j.find("state_details"); it != j.end() && !it->is_null()) {
        if (!it->is_object())
            throw std::invalid_argument("state.state_details: expected an object");
        s.details = *it;
    }
    if (auto it = j.find("data"); it != j.end()) s.data = *it;
    if (s.type == StateType::Scheduled && !s.scheduled_time()) {
        if (!s.details.is_object()) s.details = nlohmann::json::object();
        s.details["scheduled_time"] = to_iso(s.timestamp);
    }
    return s;
}

} // namespace weft
