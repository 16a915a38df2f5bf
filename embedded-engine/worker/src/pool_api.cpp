#include "weft/pool_api.hpp"

#include <cstdio>
#include <stdexcept>

namespace weft {

std::string url_segment(std::string_view text) {
    std::string out;
    for (unsigned char c : text) {
        const bool plain = std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~';
        if (plain) {
            out += char(c);
        } else {
            char buf[4];
            std::snprintf(buf, sizeof buf, "%%%02X", c);
            out += buf;
        }
    }
    return out;
}

nlohmann::json create_work_pool(ApiClient& api, const std::string& name,
                                std::optional<int> concurrency_limit) {
    nlohmann::json body = {{"name", name}, {"type", kWorkPoolType}};
    if (concurrency_limit) body["concurrency_limit"] = *concurrency_limit;
    return api.post("/work_pools/", body);
}

std::optional<nlohmann::json> find_work_pool(ApiClient& api, const std::string& name) {
    try {
        return api.get("/work_pools/" + url_segment(name));
    } catch (const ApiError& e) {
        if (e.status() == 404) return std::nullopt;
        throw;
    }
}

std::optional<Entrypoint> parse_entrypoint(const std::string& text) {
    const auto colon = text.rfind(':');
    if (colon == std::string::npos || colon == 0 || colon + 1 == text.size()) return std::nullopt;
    return Entrypoint{text.substr(0, colon), text.substr(colon + 1)};
}

void add_parameter(nlohmann::json& params, const std::string& assignment) {
    const auto eq = assignment.find('=');
    if (eq == std::string::npos || eq == 0)
        throw std::invalid_argument("expected KEY=VALUE, got '" + assignment + "'");
    const std::string value = assignment.substr(eq + 1);
    auto parsed = nlohmann::json::parse(value, nullptr, false);
    params[assignment.substr(0, eq)] = parsed.is_discarded() ? nlohmann::json(value) : parsed;
}

} // namespace weft
