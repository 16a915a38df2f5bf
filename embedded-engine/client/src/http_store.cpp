// The store over a server (weft/http_store.hpp): the Mirror, the Sender and the readers and the
// writer that share them.
#include "weft/http_store.hpp"

#include "../../src/engine_log.hpp"
#include "http_proposal.hpp"
#include "http_writer.hpp"

#include <cstdlib>
#include <string>

namespace weft {

namespace http {
namespace {

constexpr int kDefaultFlushTimeoutS = 60;

// How long a program that exits waits for an unreachable server (WEFT_API_FLUSH_TIMEOUT_SECONDS).
std::chrono::seconds flush_timeout() {
    const char* text = std::getenv("WEFT_API_FLUSH_TIMEOUT_SECONDS");
    if (!text || !*text) return std::chrono::seconds(kDefaultFlushTimeoutS);
    char* end = nullptr;
    const long s = std::strtol(text, &end, 10);
    if (*end != '\0' || s < 0) {
        detail::engine_log().warn("weft: WEFT_API_FLUSH_TIMEOUT_SECONDS={} is not a whole number "
                                  "of seconds; waiting {} s",
                                  text, kDefaultFlushTimeoutS);
        return std::chrono::seconds(kDefaultFlushTimeoutS);
    }
    return std::chrono::seconds(s);
}

class HttpStoreBackend final : public StoreBackend {
public:
    explicit HttpStoreBackend(const ApiSettings& settings)
        : m_settings(settings)
        , m_mirror(std::make_shared<Mirror>())
        , m_sender(std::make_shared<Sender>(settings, flush_timeout())) {
        while (!m_settings.url.empty() && m_settings.url.back() == '/')
            m_settings.url.pop_back();
    }

    const std::string& location() const override { return m_settings.url; }
    bool read_only() const override { return false; }
    bool remote() const override { return true; }
    std::unique_ptr<WriterConnection> take_writer() override {
        return std::make_unique<HttpWriter>(m_settings, m_mirror, m_sender);
    }
    std::unique_ptr<Reader> open_reader() const override {
        return std::make_unique<HttpReader>(m_settings, m_mirror, false);
    }
    std::optional<StoreError> explain(const std::exception_ptr& error) const override {
        try {
            std::rethrow_exception(error);
        } catch (const ApiError& e) {
            return StoreError("weft: the server at " + m_settings.url + ": " + e.what());
        } catch (...) {
            return std::nullopt;
        }
    }
    bool damaged(const std::exception_ptr&) const override { return false; }
    void closing() override { m_sender->closing(); }

    bool wait_delivered(std::chrono::milliseconds timeout) override {
        return m_sender->wait_sent(timeout);
    }

    std::optional<Outcome> propose_task_run_state(const std::string& id,
                                                  const Proposal& proposal) override {
        using namespace std::chrono_literals;
        ApiClient api(m_settings);
        return http::propose_task_run_state(api, id, proposal, 5s);
    }

private:
    ApiSettings m_settings;
    std::shared_ptr<Mirror> m_mirror;
    std::shared_ptr<Sender> m_sender;
};

} // namespace
} // namespace http

std::unique_ptr<StoreBackend> open_http_backend(const ApiSettings& settings) {
    return std::make_unique<http::HttpStoreBackend>(settings);
}

} // namespace weft
