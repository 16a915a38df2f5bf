#include "body.hpp"

#include "filters.hpp"

#include <algorithm>
#include <cctype>

namespace weft::server {

using nlohmann::json;

namespace {

// What the 422 echoes of a body that is not JSON: its text when short, so a client sees what it
// sent.
json raw_echo(const std::string& text) {
    return text.size() > 4096 ? json() : json(text);
}

} // namespace

Body parse_body(const std::string& text, const Schema* schema, const json& empty_as) {
    Body body;
    const bool blank =
        std::all_of(text.begin(), text.end(), [](unsigned char c) { return std::isspace(c); });
    if (blank) {
        body.value = empty_as;
    } else {
        bool too_deep = false;
        try {
            body.value = json::parse(text, [&](int depth, json::parse_event_t, json&) {
                if (depth > kMaxNesting) too_deep = true;
                return !too_deep;
            });
        } catch (const json::parse_error& e) {
            body.error = Reply::json(
                unprocessable({json_error(e.byte, "not valid JSON")}, raw_echo(text)), 422);
            return body;
        } catch (const json::exception&) {
            // Valid syntax the parser cannot hold, e.g. a number past a double (1e400).
            body.error = Reply::json(
                unprocessable({json_error(0, "a value is out of range")}, raw_echo(text)), 422);
            return body;
        }
        if (too_deep) {
            body.error = Reply::json(unprocessable({{json::array({"body"}),
                                                     "Input is nested deeper than "
                                                         + std::to_string(kMaxNesting) + " levels",
                                                     "json_invalid", nullptr}},
                                                   nullptr),
                                     422);
            return body;
        }
    }
    if (schema) {
        auto errors = validate(body.value, *schema, json::array({"body"}));
        if (!errors.empty()) body.error = Reply::json(unprocessable(errors, body.value), 422);
    }
    return body;
}

std::optional<Reply> check_path_id(const std::string& id) {
    if (looks_like_uuid(id)) return std::nullopt;
    return Reply::json(unprocessable({{json::array({"path", "id"}), "Input should be a valid UUID",
                                       "uuid_parsing", id}},
                                     nullptr),
                       422);
}

std::string lowercase_id(std::string id) {
    std::transform(id.begin(), id.end(), id.begin(),
                   [](unsigned char c) { return char(std::tolower(c)); });
    return id;
}

Reply bad_limit() {
    return Reply::detail(422,
                         "Invalid limit: must be between 0 and " + std::to_string(kMaxLimit) + ".");
}

Reply unsupported(const std::string& what) {
    return Reply::detail(422, "This server does not support filtering by " + what + " yet.");
}

} // namespace weft::server
