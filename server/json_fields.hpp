#pragma once
// Reading optional fields of request bodies and filter objects that have already passed schema
// validation: a missing or differently typed field reads as absent, never as an error.
#include "weft/time.hpp"

#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

namespace weft::server::fields {

using nlohmann::json;

/// The sub-object `key` of `j` when it is an object; else null (also for null `j`).
inline const json* part(const json& j, const char* key) {
    if (!j.is_object()) return nullptr;
    auto it = j.find(key);
    return it != j.end() && it->is_object() ? &*it : nullptr;
}

inline std::optional<std::vector<std::string>> list(const json* j, const char* key) {
    if (!j) return std::nullopt;
    auto it = j->find(key);
    if (it == j->end() || !it->is_array()) return std::nullopt;
    std::vector<std::string> out;
    for (const auto& v : *it)
        out.push_back(v.get<std::string>());
    return out;
}

inline std::optional<std::string> text(const json* j, const char* key) {
    if (!j) return std::nullopt;
    auto it = j->find(key);
    if (it == j->end() || !it->is_string()) return std::nullopt;
    return it->get<std::string>();
}

inline std::optional<bool> flag(const json* j, const char* key) {
    if (!j) return std::nullopt;
    auto it = j->find(key);
    if (it == j->end() || !it->is_boolean()) return std::nullopt;
    return it->get<bool>();
}

inline std::string text_or(const json& body, const char* key, std::string fallback = {}) {
    auto it = body.find(key);
    return it != body.end() && it->is_string() ? it->get<std::string>() : fallback;
}

inline std::vector<std::string> strings(const json& body, const char* key) {
    return list(&body, key).value_or(std::vector<std::string>{});
}

inline json object_or_empty(const json& body, const char* key) {
    auto it = body.find(key);
    return it != body.end() && it->is_object() ? *it : json::object();
}

} // namespace weft::server::fields
