#include "weft/ws_client.hpp"

#include <curl/curl.h>
#include <poll.h>

#include <array>
#include <cstring>

namespace weft::http {

namespace {

constexpr unsigned kText = 0x1, kClose = 0x8, kPing = 0x9, kPong = 0xA;

std::string base64(const unsigned char* data, std::size_t n) {
    static const char* abc = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    std::string out;
    for (std::size_t i = 0; i < n; i += 3) {
        const unsigned v =
            (data[i] << 16) | (i + 1 < n ? data[i + 1] << 8 : 0) | (i + 2 < n ? data[i + 2] : 0);
        out += abc[(v >> 18) & 63];
        out += abc[(v >> 12) & 63];
        out += i + 1 < n ? abc[(v >> 6) & 63] : '=';
        out += i + 2 < n ? abc[v & 63] : '=';
    }
    return out;
}

// "http://host:port/api" → host:port and the path's prefix ("/api").
std::pair<std::string, std::string> host_and_path(const std::string& url) {
    const auto scheme = url.find("://");
    const auto start = scheme == std::string::npos ? 0 : scheme + 3;
    const auto slash = url.find('/', start);
    if (slash == std::string::npos) return {url.substr(start), ""};
    return {url.substr(start, slash - start), url.substr(slash)};
}

} // namespace

struct WebSocketClient::Curl {
    CURL* handle = nullptr;
    curl_socket_t socket = CURL_SOCKET_BAD;
    ~Curl() {
        if (handle) curl_easy_cleanup(handle);
    }
};

WebSocketClient::WebSocketClient(const ApiSettings& settings, const std::string& path)
    : m_curl(std::make_unique<Curl>())
    , m_url(settings.url + path)
    , m_timeout(std::min<long>(settings.timeout_ms, 10000)) {
    CURL* h = m_curl->handle = curl_easy_init();
    if (!h) throw ApiError(0, "could not start an HTTP client (libcurl)");
    const auto [host, prefix] = host_and_path(settings.url);
    curl_easy_setopt(h, CURLOPT_URL, settings.url.c_str());
    curl_easy_setopt(h, CURLOPT_CONNECT_ONLY, 1L); // the upgrade is written by hand below
    curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT_MS, long(m_timeout.count()));
    curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
    if (const CURLcode rc = curl_easy_perform(h); rc != CURLE_OK)
        throw ApiError(0, "cannot reach the server at " + settings.url + ": "
                              + curl_easy_strerror(rc));
    curl_easy_getinfo(h, CURLINFO_ACTIVESOCKET, &m_curl->socket);

    std::array<unsigned char, 16> nonce;
    for (auto& b : nonce)
        b = static_cast<unsigned char>(m_random());
    std::string request = "GET " + prefix + path + " HTTP/1.1\r\nHost: " + host
                          + "\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                            "Sec-WebSocket-Version: 13\r\nSec-WebSocket-Key: "
                          + base64(nonce.data(), nonce.size()) + "\r\n";
    std::string token;
    if (!settings.api_key.empty()) {
        request += "Authorization: Bearer " + settings.api_key + "\r\n";
        token = settings.api_key;
    } else if (!settings.auth_string.empty()) {
        token = settings.auth_string;
    }
    request += "\r\n";
    send_raw(request);
    const auto deadline = Clock::now() + m_timeout;
    std::size_t end;
    while ((end = m_in.find("\r\n\r\n")) == std::string::npos)
        fill(m_in.size() + 1, deadline);
    const std::string head = m_in.substr(0, end);
    m_in.erase(0, end + 4);
    const auto space = head.find(' ');
    const int status = space == std::string::npos ? 0 : std::atoi(head.c_str() + space + 1);
    if (status != 101)
        throw ApiError(status == 0 ? 500 : status, m_url + " did not open a WebSocket (HTTP status "
                                                       + std::to_string(status) + ")");
    // Prefect's handshake: the token (or null) in an auth message, answered auth_success.
    send_text(std::string(R"({"type":"auth","token":)")
              + (token.empty() ? "null" : nlohmann::json(token).dump()) + "}");
    const auto [opcode, answer] = read_frame(Clock::now() + m_timeout);
    if (opcode != kText || answer.find("auth_success") == std::string::npos)
        throw ApiError(401, m_url + ": the server refused the credentials");
}

WebSocketClient::~WebSocketClient() {
    try {
        send_frame(kClose, "\x03\xe8"); // 1000, normal closure
    } catch (...) {
    }
}

void WebSocketClient::broken(const std::string& why) {
    throw ApiError(0, "lost the event stream " + m_url + ": " + why);
}

void WebSocketClient::wait_socket(bool for_write, Clock::time_point deadline) {
    const auto left =
        std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now()).count();
    if (left <= 0) broken("no answer in time");
    pollfd p{int(m_curl->socket), short(for_write ? POLLOUT : POLLIN), 0};
    if (poll(&p, 1, int(left)) <= 0) broken("no answer in time");
}

void WebSocketClient::send_raw(std::string_view bytes) {
    const auto deadline = Clock::now() + m_timeout;
    while (!bytes.empty()) {
        std::size_t sent = 0;
        const CURLcode rc = curl_easy_send(m_curl->handle, bytes.data(), bytes.size(), &sent);
        if (rc == CURLE_AGAIN) {
            wait_socket(true, deadline);
            continue;
        }
        if (rc != CURLE_OK) broken(curl_easy_strerror(rc));
        bytes.remove_prefix(sent);
    }
}

void WebSocketClient::fill(std::size_t n, Clock::time_point deadline) {
    char buffer[16384];
    while (m_in.size() < n) {
        std::size_t got = 0;
        const CURLcode rc = curl_easy_recv(m_curl->handle, buffer, sizeof buffer, &got);
        if (rc == CURLE_AGAIN) {
            wait_socket(false, deadline);
            continue;
        }
        if (rc != CURLE_OK) broken(curl_easy_strerror(rc));
        if (got == 0) broken("the server closed the connection");
        m_in.append(buffer, got);
    }
}

void WebSocketClient::send_frame(unsigned opcode, std::string_view payload) {
    // A client masks every frame (RFC 6455 §5.3).
    std::string frame;
    frame.reserve(payload.size() + 14);
    frame += char(0x80 | opcode);
    const std::size_t n = payload.size();
    if (n < 126) {
        frame += char(0x80 | n);
    } else if (n < 65536) {
        frame += char(0x80 | 126);
        frame += char(n >> 8);
        frame += char(n & 0xff);
    } else {
        frame += char(0x80 | 127);
        for (int shift = 56; shift >= 0; shift -= 8)
            frame += char((std::uint64_t(n) >> shift) & 0xff);
    }
    const std::uint32_t key = m_random();
    char mask[4];
    std::memcpy(mask, &key, 4);
    frame.append(mask, 4);
    const std::size_t at = frame.size();
    frame.append(payload);
    for (std::size_t i = 0; i < n; ++i)
        frame[at + i] = char(frame[at + i] ^ mask[i % 4]);
    send_raw(frame);
}

std::pair<unsigned, std::string> WebSocketClient::read_frame(Clock::time_point deadline) {
    for (;;) {
        fill(2, deadline);
        const unsigned opcode = static_cast<unsigned char>(m_in[0]) & 0x0f;
        const bool masked = static_cast<unsigned char>(m_in[1]) & 0x80;
        std::uint64_t n = static_cast<unsigned char>(m_in[1]) & 0x7f;
        std::size_t head = 2;
        if (n == 126 || n == 127) {
            const std::size_t bytes = n == 126 ? 2 : 8;
            fill(2 + bytes, deadline);
            n = 0;
            for (std::size_t i = 0; i < bytes; ++i)
                n = (n << 8) | static_cast<unsigned char>(m_in[2 + i]);
            head += bytes;
        }
        if (n > (64u << 20)) broken("a frame too large");
        const std::size_t mask_at = head;
        if (masked) head += 4;
        fill(head + n, deadline);
        std::string payload = m_in.substr(head, n);
        if (masked)
            for (std::size_t i = 0; i < n; ++i)
                payload[i] = char(payload[i] ^ m_in[mask_at + i % 4]);
        m_in.erase(0, head + n);
        if (opcode == kPing) {
            send_frame(kPong, payload);
            continue;
        }
        // The server's own decision (a frame it refused, shutting down): not a lost connection.
        if (opcode == kClose)
            throw ApiError(payload.size() >= 2
                                   && (static_cast<unsigned char>(payload[0]) << 8
                                       | static_cast<unsigned char>(payload[1]))
                                          == 1001
                               ? 503
                               : 400,
                           "the server closed the event stream " + m_url
                               + (payload.size() > 2 ? ": " + payload.substr(2) : std::string()));
        return {opcode, std::move(payload)};
    }
}

void WebSocketClient::send_text(std::string_view text) {
    send_frame(kText, text);
}

std::optional<std::string> WebSocketClient::read_text(std::chrono::milliseconds wait) {
    const auto deadline = Clock::now() + wait;
    for (;;) {
        if (m_in.empty()) {
            // Nothing buffered: is anything coming before the deadline?
            const auto left =
                std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
            pollfd p{int(m_curl->socket), short(POLLIN), 0};
            if (left.count() <= 0 || poll(&p, 1, int(left.count())) <= 0) return std::nullopt;
        }
        // A frame has begun: the rest of it comes within the usual timeout.
        auto [opcode, payload] = read_frame(Clock::now() + m_timeout);
        if (opcode == kText) return std::move(payload);
    }
}

void WebSocketClient::checkpoint() {
    const std::string id = std::to_string(m_random());
    send_frame(kPing, id);
    const auto deadline = Clock::now() + m_timeout;
    for (;;) {
        auto [opcode, payload] = read_frame(deadline);
        if (opcode == kPong && payload == id) return;
    }
}

} // namespace weft::http
