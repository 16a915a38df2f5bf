#include "weft/api_client.hpp"

#include <curl/curl.h>

#include <cstdlib>
#include <mutex>

namespace weft {

namespace {

std::string env(const char* name) {
    const char* v = std::getenv(name);
    return v ? v : "";
}

size_t append_body(char* data, size_t size, size_t count, void* out) {
    static_cast<std::string*>(out)->append(data, size * count);
    return size * count;
}

// curl_global_init is not thread-safe; done once for the process.
void init_curl_once() {
    static std::once_flag once;
    std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
}

} // namespace

std::optional<ApiSettings> ApiSettings::from_environment() {
    ApiSettings s;
    s.url = env("WEFT_API_URL");
    if (s.url.empty()) return std::nullopt;
    s.api_key = env("WEFT_API_KEY");
    s.auth_string = env("WEFT_API_AUTH_STRING");
    return s;
}

std::string api_error_reason(int status, const nlohmann::json& body) {
    if (body.is_object()) {
        auto detail = body.find("detail");
        if (detail != body.end() && detail->is_string()) return detail->get<std::string>();
        if (detail != body.end() && detail->is_array() && !detail->empty()) {
            std::string out;
            for (const auto& e : *detail) {
                if (!out.empty()) out += "; ";
                std::string loc;
                for (const auto& part : e.value("loc", nlohmann::json::array()))
                    loc += (loc.empty() ? "" : ".")
                           + (part.is_string() ? part.get<std::string>() : part.dump());
                out += loc + ": " + e.value("msg", std::string("invalid"));
            }
            return out;
        }
        if (auto m = body.find("exception_message"); m != body.end() && m->is_string())
            return m->get<std::string>();
    }
    return "HTTP status " + std::to_string(status);
}

struct ApiClient::Curl {
    CURL* handle = nullptr;
    ~Curl() {
        if (handle) curl_easy_cleanup(handle);
    }
};

ApiClient::ApiClient(ApiSettings settings)
    : m_settings(std::move(settings))
    , m_curl(std::make_unique<Curl>()) {
    while (!m_settings.url.empty() && m_settings.url.back() == '/')
        m_settings.url.pop_back();
    init_curl_once();
    m_curl->handle = curl_easy_init();
    if (!m_curl->handle) throw ApiError(0, "could not start an HTTP client (libcurl)");
}

ApiClient::~ApiClient() = default;

nlohmann::json ApiClient::get(const std::string& path) {
    return request("GET", path, nullptr);
}

nlohmann::json ApiClient::post(const std::string& path, const nlohmann::json& body) {
    const std::string text = body.dump();
    return request("POST", path, &text);
}

nlohmann::json ApiClient::del(const std::string& path) {
    return request("DELETE", path, nullptr);
}

nlohmann::json ApiClient::request(const char* method, const std::string& path,
                                  const std::string* body) {
    CURL* h = m_curl->handle;
    curl_easy_reset(h); // the connection stays open for the next request
    const std::string url = m_settings.url + path;
    std::string answer;
    curl_easy_setopt(h, CURLOPT_URL, url.c_str());
    curl_easy_setopt(h, CURLOPT_CUSTOMREQUEST, method);
    curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, append_body);
    curl_easy_setopt(h, CURLOPT_WRITEDATA, &answer);
    curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, m_settings.timeout_ms);
    curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L); // safe in threads
    curl_slist* headers = curl_slist_append(nullptr, "Content-Type: application/json");
    headers = curl_slist_append(headers, "Accept: application/json");
    std::string bearer;
    if (!m_settings.api_key.empty()) {
        bearer = "Authorization: Bearer " + m_settings.api_key;
        headers = curl_slist_append(headers, bearer.c_str());
    } else if (!m_settings.auth_string.empty()) {
        curl_easy_setopt(h, CURLOPT_HTTPAUTH, CURLAUTH_BASIC);
        curl_easy_setopt(h, CURLOPT_USERPWD, m_settings.auth_string.c_str());
    }
    curl_easy_setopt(h, CURLOPT_HTTPHEADER, headers);
    if (body) {
        curl_easy_setopt(h, CURLOPT_POSTFIELDS, body->data());
        curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE, long(body->size()));
    }
    const CURLcode rc = curl_easy_perform(h);
    curl_slist_free_all(headers);
    if (rc != CURLE_OK)
        throw ApiError(0, "cannot reach the server at " + m_settings.url + ": "
                              + curl_easy_strerror(rc));
    long status = 0;
    curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &status);
    auto json = answer.empty() ? nlohmann::json() : nlohmann::json::parse(answer, nullptr, false);
    if (status >= 400) {
        throw ApiError(int(status),
                       std::string(method) + " " + path + ": "
                           + (json.is_discarded() ? "HTTP status " + std::to_string(status)
                                                  : api_error_reason(int(status), json)));
    }
    if (json.is_discarded())
        throw ApiError(int(status),
                       std::string(method) + " " + path + ": the server's answer is not JSON");
    return json;
}

} // namespace weft
