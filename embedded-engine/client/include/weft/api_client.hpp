#pragma once
// A blocking client of a Weft or Prefect server's REST API (libcurl), for programs without an
// event loop: the CLI with WEFT_API_URL set, workers, and Studio's remote backend from its worker
// threads. One client per thread.
#include <nlohmann/json.hpp>

#include <memory>
#include <optional>
#include <stdexcept>
#include <string>

namespace weft {

/// Where the server is and how to sign in.
struct ApiSettings {
    std::string url;         // e.g. http://127.0.0.1:4200/api (no trailing slash needed)
    std::string api_key;     // sent as "Authorization: Bearer KEY" when set
    std::string auth_string; // "user:password", HTTP basic, when set
    long timeout_ms = 30000; // per request, connecting included

    /// From WEFT_API_URL, WEFT_API_KEY and WEFT_API_AUTH_STRING; nullopt without WEFT_API_URL.
    static std::optional<ApiSettings> from_environment();
};

/// A request that failed: the server answered an error (status ≥ 400) or could not be reached
/// (status 0). what() is one line saying which, with the server's own reason when it gave one.
class ApiError : public std::runtime_error {
public:
    ApiError(int status, const std::string& message)
        : std::runtime_error(message)
        , m_status(status) {}
    int status() const { return m_status; }

private:
    int m_status;
};

class ApiClient {
public:
    explicit ApiClient(ApiSettings settings);
    ~ApiClient();
    ApiClient(const ApiClient&) = delete;
    ApiClient& operator=(const ApiClient&) = delete;

    const ApiSettings& settings() const { return m_settings; }

    // `path` is below the API's URL ("/flow_runs/filter"). Answers are JSON (null for 204).
    nlohmann::json get(const std::string& path);
    nlohmann::json post(const std::string& path, const nlohmann::json& body);
    nlohmann::json del(const std::string& path);

private:
    nlohmann::json request(const char* method, const std::string& path, const std::string* body);

    ApiSettings m_settings;
    struct Curl;
    std::unique_ptr<Curl> m_curl;
};

/// The one-line reason of an error answer: Prefect's {"detail": "..."}, or the fields a 422 names
/// ("body.state.type: Input should be …"), else the status.
std::string api_error_reason(int status, const nlohmann::json& body);

} // namespace weft
