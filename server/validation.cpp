#include "validation.hpp"

#include <weft/time.hpp>

#include <algorithm>
#include <cctype>
#include <cmath>
#include <limits>

namespace weft::server {

namespace {

using nlohmann::json;

json at(const json& loc, const json& key) {
    json out = loc;
    out.push_back(key);
    return out;
}

void add(std::vector<ValidationError>& errors, const json& loc, std::string msg, std::string type,
         const json& input) {
    errors.push_back({loc, std::move(msg), std::move(type), input});
}

std::string choices_text(const std::vector<std::string>& choices) {
    std::string out;
    for (size_t i = 0; i < choices.size(); ++i) {
        if (i > 0) out += i + 1 == choices.size() ? " or " : ", ";
        out += "'" + choices[i] + "'";
    }
    return out;
}

bool whole_number(const json& v) {
    if (v.is_number_integer()) return true;
    if (!v.is_number_float()) return false;
    const double d = v.get<double>();
    return std::isfinite(d) && d == std::floor(d) && std::fabs(d) < 9e15;
}

void check_items(const json& value, const Items& items, const json& loc,
                 std::vector<ValidationError>& errors) {
    Field element;
    element.type = items.type;
    element.schema = items.schema;
    element.choices = items.choices;
    element.nullable = false;
    for (size_t i = 0; i < value.size(); ++i)
        validate_value(value[i], element, at(loc, i), errors);
}

} // namespace

bool looks_like_uuid(const std::string& s) {
    if (s.size() != 36) return false;
    for (size_t i = 0; i < s.size(); ++i) {
        const bool hyphen = i == 8 || i == 13 || i == 18 || i == 23;
        if (hyphen != (s[i] == '-')) return false;
        if (!hyphen && !std::isxdigit(static_cast<unsigned char>(s[i]))) return false;
    }
    return true;
}

void validate_value(const json& v, const Field& f, const json& loc,
                    std::vector<ValidationError>& errors) {
    if (v.is_null()) {
        if (!f.nullable && f.type != Type::Any)
            add(errors, loc, "Input should not be null", "none_forbidden", v);
        return;
    }
    switch (f.type) {
    case Type::Any:
        return;
    case Type::String:
        if (!v.is_string())
            return add(errors, loc, "Input should be a valid string", "string_type", v);
        if (f.max_length && v.get_ref<const std::string&>().size() > *f.max_length)
            return add(errors, loc,
                       "String should have at most " + std::to_string(*f.max_length)
                           + " characters",
                       "string_too_long", v);
        if (f.forbidden_chars
            && (v.get_ref<const std::string&>().empty()
                || v.get_ref<const std::string&>().find_first_of(f.forbidden_chars)
                       != std::string::npos))
            return add(errors, loc,
                       std::string("String should be non-empty and hold none of ")
                           + f.forbidden_chars,
                       "string_pattern_mismatch", v);
        return;
    case Type::Uuid:
        if (!v.is_string())
            return add(errors, loc, "UUID input should be a string", "uuid_type", v);
        if (!looks_like_uuid(v.get<std::string>()))
            add(errors, loc, "Input should be a valid UUID", "uuid_parsing", v);
        return;
    case Type::DateTime:
        if (!v.is_string())
            return add(errors, loc, "Input should be a valid datetime", "datetime_type", v);
        if (!from_iso(v.get<std::string>()))
            add(errors, loc, "Input should be a valid datetime (ISO 8601)", "datetime_parsing", v);
        return;
    case Type::Integer:
        if (!whole_number(v))
            return add(errors, loc, "Input should be a valid integer", "int_type", v);
        // Counts, levels, limits and offsets are ints in the store: a larger number is refused
        // here rather than wrapped around.
        if (v.get<double>() < double(std::numeric_limits<int>::min())
            || v.get<double>() > double(std::numeric_limits<int>::max()))
            return add(errors, loc,
                       "Input should be a whole number from "
                           + std::to_string(std::numeric_limits<int>::min()) + " to "
                           + std::to_string(std::numeric_limits<int>::max()),
                       "int_range", v);
        if (f.minimum && v.get<double>() < double(*f.minimum))
            add(errors, loc,
                "Input should be greater than or equal to " + std::to_string(*f.minimum),
                "greater_than_equal", v);
        return;
    case Type::Number:
        if (!v.is_number()) add(errors, loc, "Input should be a valid number", "float_type", v);
        return;
    case Type::Boolean:
        if (!v.is_boolean()) add(errors, loc, "Input should be a valid boolean", "bool_type", v);
        return;
    case Type::Object:
        if (!v.is_object()) add(errors, loc, "Input should be a valid dictionary", "dict_type", v);
        return;
    case Type::Model: {
        auto inner = validate(v, *f.schema, loc);
        errors.insert(errors.end(), inner.begin(), inner.end());
        return;
    }
    case Type::Array:
        if (!v.is_array()) return add(errors, loc, "Input should be a valid list", "list_type", v);
        check_items(v, f.items, loc, errors);
        return;
    case Type::Enum:
        if (!v.is_string()
            || std::find(f.choices->begin(), f.choices->end(), v.get<std::string>())
                   == f.choices->end())
            add(errors, loc, "Input should be " + choices_text(*f.choices), "enum", v);
        return;
    }
}

std::vector<ValidationError> validate(const json& value, const Schema& schema, const json& loc) {
    std::vector<ValidationError> errors;
    if (!value.is_object()) {
        add(errors, loc, "Input should be a valid dictionary or object", "model_type", value);
        return errors;
    }
    for (const Field& f : schema.fields) {
        auto it = value.find(f.name);
        if (it == value.end()) {
            if (f.required) add(errors, at(loc, f.name), "Field required", "missing", value);
            continue;
        }
        validate_value(*it, f, at(loc, f.name), errors);
    }
    if (schema.forbid_extra) {
        for (auto it = value.begin(); it != value.end(); ++it) {
            const bool known = std::any_of(schema.fields.begin(), schema.fields.end(),
                                           [&](const Field& f) { return it.key() == f.name; });
            if (!known)
                add(errors, at(loc, it.key()), "Extra inputs are not permitted", "extra_forbidden",
                    it.value());
        }
    }
    return errors;
}

ValidationError json_error(std::size_t offset, const std::string& what) {
    return {json::array({"body", offset}), "JSON decode error: " + what, "json_invalid",
            json::object()};
}

json unprocessable(const std::vector<ValidationError>& errors, const json& request_body) {
    json list = json::array();
    for (const auto& e : errors)
        list.push_back({{"loc", e.loc}, {"msg", e.msg}, {"type", e.type}, {"input", e.input}});
    return {
        {"exception_message", "Invalid request received."},
        {"exception_detail", list},
        {"detail", list},
        {"request_body", request_body},
    };
}

} // namespace weft::server
