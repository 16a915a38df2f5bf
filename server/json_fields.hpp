#pragma once
// Reading optional fields of request bodies and filter objects that have already passed schema
// validation (a missing or differently typed field reads as absent, never as an error), and the
// small steps filters share.
#include "weft/time.hpp"

#include <algorithm>
#include <cctype>
#include <nlohmann/json.hpp>
#include <optional>
#include <set>
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

inline std::string lowercase(std::string s) {
    std::transform(s.begin(), s.end(), s.begin(),
                   [](unsigned char c) { return char(std::tolower(c)); });
    return s;
}

/// A filter object that sets at least one condition (not {} or all nulls).
inline bool sets_condition(const json* j) {
    if (!j) return false;
    for (auto it = j->begin(); it != j->end(); ++it) {
        if (it.key() == "operator" || it->is_null()) continue;
        if (it->is_object() ? sets_condition(&*it) : true) return true;
    }
    return false;
}

/// `target` narrowed to `values` (both "any of"): the intersection when both are set; `none`
/// when nothing can match.
inline void narrow(std::vector<std::string>& target, const std::vector<std::string>& values,
                   bool& none) {
    if (values.empty()) {
        none = true;
        return;
    }
    if (target.empty()) {
        target = values;
        return;
    }
    std::set<std::string> keep(values.begin(), values.end());
    std::erase_if(target, [&](const std::string& v) { return !keep.count(v); });
    if (target.empty()) none = true;
}

} // namespace weft::server::fields
