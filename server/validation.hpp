#pragma once
// Request bodies checked against declarative field tables, as Prefect's server checks them with
// its schemas: unknown keys, wrong types, bad UUIDs and dates, missing required fields. Each
// problem becomes one error naming where it is (["body", "state", "type"]), so a 422 tells the
// client what to fix.
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

namespace weft::server {

enum class Type {
    Any,      // any JSON value
    String,   // text (max_length, pattern_no_chars)
    Uuid,     // a hyphenated UUID
    DateTime, // ISO 8601
    Integer,  // a whole number (minimum)
    Number,   // any number
    Boolean,
    Object, // any JSON object
    Model,  // an object checked against `schema`
    Array,  // of `items`
    Enum,   // one of `choices`
};

struct Schema;

/// What an array's elements must be.
struct Items {
    Type type = Type::Any;
    const Schema* schema = nullptr;                    // Type::Model
    const std::vector<std::string>* choices = nullptr; // Type::Enum
};

struct Field {
    const char* name = "";
    Type type = Type::Any;
    bool required = false;
    bool nullable = true;                              // null is accepted (and means "not given")
    const Schema* schema = nullptr;                    // Type::Model
    Items items;                                       // Type::Array
    const std::vector<std::string>* choices = nullptr; // Type::Enum
    std::optional<long long> minimum;                  // Type::Integer
    std::optional<std::size_t> max_length;             // Type::String
    const char* forbidden_chars = nullptr;             // Type::String: none of these characters
};

struct Schema {
    std::vector<Field> fields;
    /// Unknown keys are errors (Prefect's *Create bodies and filters), or are ignored (the
    /// wrappers of filter and set_state bodies).
    bool forbid_extra = true;
};

/// One problem, in the shape of Prefect's (pydantic's) ValidationError.
struct ValidationError {
    nlohmann::json loc; // ["body", field, …]
    std::string msg;
    std::string type;
    nlohmann::json input;
};

/// Checks `value` against `schema`; `loc` is where it sits (["body"] for a whole body).
std::vector<ValidationError> validate(const nlohmann::json& value, const Schema& schema,
                                      const nlohmann::json& loc);
/// Checks one value against a field's type (used for bodies that are arrays, like /logs/).
void validate_value(const nlohmann::json& value, const Field& field, const nlohmann::json& loc,
                    std::vector<ValidationError>& errors);

/// The error for a body that is not JSON at all, at byte `offset`.
ValidationError json_error(std::size_t offset, const std::string& what);

/// Prefect's 422 body: {"exception_message", "exception_detail", "detail", "request_body"}.
nlohmann::json unprocessable(const std::vector<ValidationError>& errors,
                             const nlohmann::json& request_body);

/// True for a hyphenated UUID in either case (8-4-4-4-12 hex digits).
bool looks_like_uuid(const std::string& text);

} // namespace weft::server
