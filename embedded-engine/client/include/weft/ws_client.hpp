#pragma once
// A minimal blocking WebSocket client (RFC 6455) over libcurl's raw connection, for Prefect's
// /api/events/in and /api/events/out: the system's libcurl is built without WebSocket support.
// Text frames both ways, ping/pong to know the server has read what was sent; Prefect's auth
// message on opening. One thread.
#include "weft/api_client.hpp"

#include <chrono>
#include <memory>
#include <optional>
#include <random>
#include <string>
#include <string_view>
#include <utility>

namespace weft::http {

class WebSocketClient {
public:
    /// Connects to `settings.url + path`, upgrades and authenticates (Prefect's {"type":"auth"}
    /// message, answered auth_success). Throws ApiError: status 0 when the server cannot be
    /// reached, else the HTTP status it answered instead of switching protocols (or 401).
    WebSocketClient(const ApiSettings& settings, const std::string& path);
    ~WebSocketClient();
    WebSocketClient(const WebSocketClient&) = delete;
    WebSocketClient& operator=(const WebSocketClient&) = delete;

    /// Sends one text frame. Throws ApiError(0) when the connection broke.
    void send_text(std::string_view text);
    /// Sends a ping and waits for its pong: the server has read every frame sent before it.
    /// Throws ApiError(0) when the connection broke or no pong came in time.
    void checkpoint();
    /// The next text frame, waiting at most `wait`; nullopt when none came in that time. Throws
    /// ApiError when the connection broke or the server closed it.
    std::optional<std::string> read_text(std::chrono::milliseconds wait);

private:
    using Clock = std::chrono::steady_clock;
    void send_raw(std::string_view bytes);
    void send_frame(unsigned opcode, std::string_view payload);
    /// Reads until `n` bytes are buffered.
    void fill(std::size_t n, Clock::time_point deadline);
    /// The next data or pong frame (answering pings); throws on a close frame.
    std::pair<unsigned, std::string> read_frame(Clock::time_point deadline);
    void wait_socket(bool for_write, Clock::time_point deadline);
    [[noreturn]] void broken(const std::string& why);

    struct Curl;
    std::unique_ptr<Curl> m_curl;
    std::string m_url;
    std::string m_in; // bytes received and not yet read
    std::chrono::milliseconds m_timeout;
    std::mt19937 m_random{std::random_device{}()};
};

} // namespace weft::http
