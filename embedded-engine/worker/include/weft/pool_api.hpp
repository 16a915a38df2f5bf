#pragma once
// Work pools and deployments on a server, over its REST API (Prefect's shapes): what `weft
// work-pool`, `weft deploy`, `weft deployment` and the worker share.
#include <weft/api_client.hpp>

#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>

namespace weft {

/// `text` as one segment of a URL path (a pool's or flow's name): percent-encoded.
std::string url_segment(std::string_view text);

/// The type of the pools workers make: a worker starts flow programs as local processes.
inline constexpr const char* kWorkPoolType = "process";

/// Creates the work pool `name` (POST /work_pools/). Throws ApiError (409: it exists).
nlohmann::json create_work_pool(ApiClient& api, const std::string& name,
                                std::optional<int> concurrency_limit = std::nullopt);
/// The pool `name`, or nullopt when the server has none of that name.
std::optional<nlohmann::json> find_work_pool(ApiClient& api, const std::string& name);

/// A deployment's entrypoint, "PROGRAM:FLOW" (the program's absolute path).
struct Entrypoint {
    std::string program;
    std::string flow;
};
/// Splits at the last ':'; nullopt unless both parts are there.
std::optional<Entrypoint> parse_entrypoint(const std::string& text);

/// "k=v" into `params`: v as JSON when it parses, else as text ("7" stays a number, "abc" a
/// string). Throws std::invalid_argument for text without a '=' or a key.
void add_parameter(nlohmann::json& params, const std::string& assignment);

} // namespace weft
