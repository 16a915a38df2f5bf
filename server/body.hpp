#pragma once
// Turning a request's bytes into a checked JSON body, or into the 422 that says what is wrong.
#include "api.hpp"
#include "validation.hpp"

#include <optional>
#include <string>

namespace weft::server {

/// A body parsed and checked, or the reply refusing it.
struct Body {
    nlohmann::json value;
    std::optional<Reply> error;
};

/// Bodies nested deeper than this are refused: nothing Prefect's API takes comes close, and the
/// checks and echoes that walk a body must not run out of stack.
inline constexpr int kMaxNesting = 32;

/// Parses `text` (empty: `empty_as`) and, when `schema` is given, checks it against it.
Body parse_body(const std::string& text, const Schema* schema,
                const nlohmann::json& empty_as = nlohmann::json::object());

/// 422 for a path id that is not a UUID; nullopt when it is one.
std::optional<Reply> check_path_id(const std::string& id);

/// 422 for a filter's limit outside 0…kMaxLimit (filters.hpp).
Reply bad_limit();

/// 422 for a filter condition this server cannot answer yet (`what` names it).
Reply unsupported(const std::string& what);

/// Ids are stored lowercase; clients may send any case.
std::string lowercase_id(std::string id);

} // namespace weft::server
