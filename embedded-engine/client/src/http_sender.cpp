#include "http_sender.hpp"

#include "../../src/engine_log.hpp"
#include "http_reader.hpp"

#include <algorithm>

namespace weft::http {

using namespace std::chrono_literals;

namespace {
constexpr int kRefusalsShown = 20; // then only counted: one bad run must not flood stderr
}

Sender::Sender(const ApiSettings& settings)
    : m_api(settings)
    , m_url(m_api.settings().url) {}

Sender::~Sender() {
    auto& log = detail::engine_log();
    if (m_catching_up && !m_lost)
        log.warn("weft: reached the server at {} again: {} reports sent", m_url, m_sent_after);
    if (m_refused > kRefusalsShown)
        log.error("weft: the server at {} refused {} reports in all", m_url, m_refused);
    if (m_undelivered > 0)
        log.error("weft: could not deliver {} reports to the server at {}: it could not be "
                  "reached before the program exited (WEFT_API_FLUSH_TIMEOUT_SECONDS). They are "
                  "lost.",
                  m_undelivered, m_url);
}

void Sender::give_up_after(std::chrono::steady_clock::duration bound) {
    {
        std::scoped_lock lock(m_mutex);
        if (m_give_up_at) return;
        m_give_up_at = std::chrono::steady_clock::now() + bound;
    }
    m_cv.notify_all();
}

bool Sender::wait_before_retry(std::chrono::milliseconds delay) {
    std::unique_lock lock(m_mutex);
    const auto until = std::chrono::steady_clock::now() + delay;
    // give_up_after wakes it: the bound may come before the delay ends.
    for (;;) {
        const auto now = std::chrono::steady_clock::now();
        if (m_give_up_at && now >= *m_give_up_at) return false;
        if (now >= until) return true;
        m_cv.wait_until(lock, m_give_up_at ? std::min(until, *m_give_up_at) : until);
    }
}

void Sender::refused(const Report& report, const ApiError& e) {
    if (++m_refused <= kRefusalsShown)
        detail::engine_log().error("weft: the server at {} refused a report, which is skipped: {}",
                                   m_url, e.what());
    if (m_refused == kRefusalsShown)
        detail::engine_log().error("weft: (further refusals are only counted)");
    (void)report;
}

void Sender::deliver(Report& report) {
    if (auto it = report.body.find("flow_id"); it != report.body.end() && it->is_string())
        if (auto mapped = m_flow_ids.find(it->get<std::string>()); mapped != m_flow_ids.end())
            *it = mapped->second;
    auto delay = 500ms;
    for (;;) {
        if (m_given_up) {
            m_undelivered += report.count;
            return;
        }
        try {
            const nlohmann::json answer = std::string_view(report.method) == "DELETE"
                                              ? m_api.del(report.path)
                                              : m_api.post(report.path, report.body);
            if (!report.local_flow_id.empty() && answer.is_object() && answer.contains("id"))
                m_flow_ids[report.local_flow_id] = answer["id"].get<std::string>();
            if (m_lost) {
                m_lost = false;
                m_catching_up = 1;
            }
            if (m_catching_up) m_sent_after += report.count;
            return;
        } catch (const ApiError& e) {
            if (!server_unavailable(e)) return refused(report, e);
            if (!m_lost) {
                if (!m_catching_up) m_sent_after = 0;
                m_catching_up = 0;
                detail::engine_log().warn(
                    "weft: lost the server at {}; buffering reports, retrying ({})", m_url,
                    e.what());
            }
            m_lost = true;
            if (!wait_before_retry(delay)) m_given_up = true;
            delay = std::min(delay * 2, std::chrono::milliseconds(10s));
        }
    }
}

void Sender::send(std::vector<Report>& reports) {
    for (auto& report : reports)
        deliver(report);
    // What waited in the Store's queue during an outage is the next group: the server is caught
    // up once that one is sent too.
    if (m_catching_up && !m_lost && ++m_catching_up > 2) {
        detail::engine_log().warn("weft: reached the server at {} again: {} reports sent", m_url,
                                  m_sent_after);
        m_catching_up = 0;
    }
}

} // namespace weft::http
