// The input a pause declares (a JSON schema of typed fields) and its validation, shared by the SDK,
// the engine's resume, the CLI and Studio.
#include "weft/pause.hpp"

namespace weft {

namespace {

const char* const kTypes[] = {"string", "integer", "number", "boolean", "object", "array"};

bool known_type(const std::string& type) {
    for (const char* t : kTypes)
        if (type == t) return true;
    return false;
}

// As JSON schema reads its types: an integer is a number too, 1.0 is not an integer here.
bool has_type(const nlohmann::json& value, const std::string& type) {
    if (type == "string") return value.is_string();
    if (type == "integer") return value.is_number_integer();
    if (type == "number") return value.is_number();
    if (type == "boolean") return value.is_boolean();
    if (type == "object") return value.is_object();
    if (type == "array") return value.is_array();
    return true; // a type this build does not know: the program checks it
}

std::string article(const std::string& type) {
    return (type == "integer" || type == "object" || type == "array" ? "an " : "a ") + type;
}

} // namespace

nlohmann::json RunInput::schema() const {
    nlohmann::json properties = nlohmann::json::object();
    nlohmann::json required = nlohmann::json::array();
    for (const auto& f : fields) {
        if (!known_type(f.type))
            throw std::invalid_argument("input field " + f.name + ": unknown type '" + f.type
                                        + "' (string, integer, number, boolean, object, array)");
        nlohmann::json p = {{"type", f.type}, {"title", f.name}};
        if (!f.description.empty()) p["description"] = f.description;
        if (f.default_value.is_null())
            required.push_back(f.name);
        else
            p["default"] = f.default_value;
        properties[f.name] = std::move(p);
    }
    nlohmann::json s = {{"title", title},
                        {"type", "object"},
                        {"properties", std::move(properties)},
                        {"required", std::move(required)}};
    if (!description.empty()) s["description"] = description;
    return s;
}

InputCheck validate_run_input(const nlohmann::json& schema, const nlohmann::json& input) {
    InputCheck check;
    if (!input.is_null() && !input.is_object()) {
        check.error = "the input must be a JSON object";
        return check;
    }
    const nlohmann::json props = schema.value("properties", nlohmann::json::object());
    const nlohmann::json given = input.is_null() ? nlohmann::json::object() : input;
    // Unknown fields are refused, not dropped: a misspelt field would otherwise vanish silently.
    for (const auto& [name, value] : given.items())
        if (!props.contains(name)) {
            std::string known;
            for (const auto& [k, v] : props.items())
                known += (known.empty() ? "" : ", ") + k;
            check.error =
                name + ": not a field of this input"
                + (known.empty() ? std::string(" (it has none)") : " (fields: " + known + ")");
            return check;
        }
    nlohmann::json out = nlohmann::json::object();
    for (const auto& [name, prop] : props.items()) {
        const std::string type = prop.value("type", "");
        if (auto it = given.find(name); it != given.end()) {
            if (!has_type(*it, type)) {
                check.error = name + ": expected " + article(type) + ", got " + it->dump();
                return check;
            }
            out[name] = *it;
        } else if (prop.contains("default")) {
            out[name] = prop["default"];
        } else {
            check.error = name + ": field required";
            return check;
        }
    }
    check.value = std::move(out);
    return check;
}

bool is_suspended(const State& state) {
    return state.type == StateType::Paused && state.details.is_object()
           && state.details.value("pause_reschedule", false);
}

bool is_resuming(const State& state) {
    return state.type == StateType::Scheduled && state.name == "Resuming";
}

std::optional<Micros> pause_timeout(const State& state) {
    if (state.type != StateType::Paused || !state.details.is_object()) return std::nullopt;
    auto it = state.details.find("pause_timeout");
    if (it == state.details.end() || !it->is_string()) return std::nullopt;
    return from_iso(it->get<std::string>());
}

} // namespace weft
