#include "http_sender.hpp"

#include "../../src/engine_log.hpp"
#include "http_reader.hpp"
#include "weft/ws_client.hpp"

#include <algorithm>
#include <iterator>

namespace weft::http {

using namespace std::chrono_literals;

namespace {
constexpr int kRefusalsShown = 20; // then only counted: one bad run must not flood stderr
// How long confirmed events are kept for a resend: far longer than a server takes to commit what
// it read.
constexpr auto kRecent = 5s;
constexpr std::size_t kMaxRecent = 100000;
} // namespace

Sender::Sender(const ApiSettings& settings, std::chrono::steady_clock::duration flush_timeout)
    : m_settings(settings)
    , m_api(settings)
    , m_url(m_api.settings().url)
    , m_flush_timeout(flush_timeout) {
    m_thread = std::thread([this] { run(); });
}

Sender::~Sender() {
    finish();
}

void Sender::enqueue(std::vector<Report> reports) {
    if (reports.empty()) return;
    {
        std::scoped_lock lock(m_queue_mutex);
        m_queue.push_back(std::move(reports));
        ++m_enqueued;
    }
    m_queue_cv.notify_all();
}

bool Sender::wait_sent(std::chrono::steady_clock::duration timeout) {
    std::unique_lock lock(m_queue_mutex);
    const std::uint64_t target = m_enqueued;
    return m_queue_cv.wait_for(lock, timeout, [&] { return m_sent >= target || m_stopping; });
}

void Sender::run() {
    std::vector<Report> batch;
    std::uint64_t groups = 0;
    for (;;) {
        {
            std::unique_lock lock(m_queue_mutex);
            m_sent += groups;
            if (groups) m_queue_cv.notify_all(); // wait_sent
            m_queue_cv.wait(lock, [&] { return !m_queue.empty() || m_stopping; });
            if (m_queue.empty()) return; // stopping, and everything was sent
            // Every group waiting goes at once: after an outage, one ping covers them all.
            groups = m_queue.size();
            batch = std::move(m_queue.front());
            m_queue.pop_front();
            for (auto& more : m_queue)
                std::move(more.begin(), more.end(), std::back_inserter(batch));
            m_queue.clear();
        }
        send(batch);
        batch.clear();
    }
}

void Sender::finish() {
    closing();
    {
        std::scoped_lock lock(m_queue_mutex);
        m_stopping = true;
    }
    m_queue_cv.notify_all();
    if (!m_thread.joinable()) return;
    m_thread.join();
    m_events.reset();
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

void Sender::closing() {
    {
        std::scoped_lock lock(m_mutex);
        if (m_give_up_at) return;
        m_give_up_at = std::chrono::steady_clock::now() + m_flush_timeout;
    }
    m_cv.notify_all();
}

bool Sender::wait_before_retry(std::chrono::milliseconds delay) {
    std::unique_lock lock(m_mutex);
    const auto until = std::chrono::steady_clock::now() + delay;
    // closing() wakes it: the bound may come before the delay ends.
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

void Sender::delivered(std::int64_t count) {
    if (m_lost) {
        m_lost = false;
        m_catching_up = true;
    }
    if (m_catching_up) m_sent_after += count;
}

void Sender::lost(const ApiError& e) {
    if (!m_lost) {
        if (!m_catching_up) m_sent_after = 0;
        m_catching_up = false;
        detail::engine_log().warn("weft: lost the server at {}; buffering reports, retrying ({})",
                                  m_url, e.what());
    }
    m_lost = true;
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
            if (!report.local_flow_id.empty() && answer.is_object())
                if (auto id = answer.find("id"); id != answer.end() && id->is_string())
                    m_flow_ids[report.local_flow_id] = id->get<std::string>();
            return delivered(report.count);
        } catch (const ApiError& e) {
            if (!server_unavailable(e)) return refused(report, e);
            lost(e);
            if (!wait_before_retry(delay)) m_given_up = true;
            delay = std::min(delay * 2, std::chrono::milliseconds(10s));
        } catch (const std::exception& e) {
            // Not the server's state (a report this program could not make): said, not retried.
            return refused(report, ApiError(400, e.what()));
        }
    }
}

void Sender::deliver_events(std::vector<Report>& reports, std::size_t from, std::size_t to) {
    auto delay = 500ms;
    for (;;) {
        if (m_given_up) {
            for (std::size_t i = from; i < to; ++i)
                m_undelivered += reports[i].count;
            return;
        }
        try {
            if (!m_events) {
                m_events = std::make_unique<WebSocketClient>(m_settings, "/events/in");
                if (m_had_events)
                    for (const auto& [at, text] : m_recent)
                        m_events->send_text(text);
                m_had_events = true;
            }
            std::int64_t count = 0;
            std::vector<std::string> texts;
            texts.reserve(to - from);
            for (std::size_t i = from; i < to; ++i) {
                texts.push_back(reports[i].event.dump());
                m_events->send_text(texts.back());
                count += reports[i].count;
            }
            m_events->checkpoint();
            remember(std::move(texts));
            return delivered(count);
        } catch (const ApiError& e) {
            m_events.reset();
            if (!server_unavailable(e)) {
                // No event intake there (a server that predates it), or it closed the socket on
                // a frame: the same reports over REST, and REST from now on.
                detail::engine_log().info("weft: reporting task runs to {} over REST: {}", m_url,
                                          e.what());
                m_use_events = false;
                for (std::size_t i = from; i < to; ++i)
                    deliver(reports[i]);
                return;
            }
            // Sent again once the server is back: it ignores the events it already has.
            lost(e);
            if (!wait_before_retry(delay)) m_given_up = true;
            delay = std::min(delay * 2, std::chrono::milliseconds(10s));
        } catch (const std::exception& e) {
            // An event this program could not write out: those reports over REST instead.
            m_events.reset();
            detail::engine_log().error("weft: could not send task-run events to {}: {}", m_url,
                                       e.what());
            for (std::size_t i = from; i < to; ++i)
                deliver(reports[i]);
            return;
        }
    }
}

void Sender::remember(std::vector<std::string> texts) {
    const auto now = std::chrono::steady_clock::now();
    for (auto& t : texts)
        m_recent.emplace_back(now, std::move(t));
    while (!m_recent.empty()
           && (now - m_recent.front().first > kRecent || m_recent.size() > kMaxRecent))
        m_recent.pop_front();
}

void Sender::send(std::vector<Report>& reports) {
    for (std::size_t i = 0; i < reports.size();) {
        if (m_use_events && !reports[i].event.is_null()) {
            std::size_t end = i;
            while (end < reports.size() && !reports[end].event.is_null())
                ++end;
            deliver_events(reports, i, end);
            i = end;
        } else {
            deliver(reports[i++]);
        }
    }
    // Caught up: nothing that waited during the outage is left.
    bool idle;
    {
        std::scoped_lock lock(m_queue_mutex);
        idle = m_queue.empty();
    }
    if (m_catching_up && !m_lost && idle) {
        detail::engine_log().warn("weft: reached the server at {} again: {} reports sent", m_url,
                                  m_sent_after);
        m_catching_up = false;
    }
}

} // namespace weft::http
