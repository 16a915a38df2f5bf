#pragma once
// Sends the store's reports to the server in order, on a thread of its own so that nothing in the
// program waits for the network (task-run states as events over one WebSocket,
// /api/events/in, as Prefect 3's SDK does; REST when the server has no event intake), and keeps
// sending through outages: a server that cannot be reached or answers 5xx is retried with
// exponential backoff (0.5 s doubling to 10 s) for as long as the process runs, saying so once per
// outage on stderr. A 4xx answer is the report's own fault: logged with the server's reason and
// skipped, never retried. Once the process is exiting (closing, finish), it waits at most the
// flush timeout, then counts what it could not deliver and says so: nothing is dropped silently.
#include "weft/api_client.hpp"

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <unordered_map>
#include <vector>

namespace weft::http {

class WebSocketClient;

/// One request to the server.
struct Report {
    const char* method = "POST";
    std::string path; // below the API's URL
    nlohmann::json body;
    std::int64_t count = 1; // how many reports it carries (a batch of log lines: one per line)
    /// POST /flows/: the id this process gave the flow; the server's answered id replaces it in
    /// every later report's "flow_id" (the server keeps its own id for a flow name).
    std::string local_flow_id;
    /// A task run's state as Prefect 3's SDK reports it: an Event for /api/events/in, sent
    /// instead of the request above while the server takes events (null: none).
    nlohmann::json event;
};

class Sender {
public:
    /// `flush_timeout`: how long an exiting program waits for a server that cannot be reached.
    Sender(const ApiSettings& settings, std::chrono::steady_clock::duration flush_timeout);
    ~Sender(); // finish()
    Sender(const Sender&) = delete;
    Sender& operator=(const Sender&) = delete;

    /// Queues one committed group's reports, to be sent after those queued before. Never
    /// blocks on the network. Thread-safe.
    void enqueue(std::vector<Report> reports);
    /// Waits at most `timeout` until every group queued before the call was sent (delivered,
    /// refused or given up on); false when the time ran out first. Thread-safe.
    bool wait_sent(std::chrono::steady_clock::duration timeout);
    /// The process is exiting: stop retrying the flush timeout from now. Thread-safe.
    void closing();
    /// Sends what is queued (bounded as closing() says; it is called here if it was not), stops
    /// the thread and says what could not be delivered. Idempotent.
    void finish();

private:
    void run();
    void send(std::vector<Report>& reports);
    /// Waits `delay` (less when the give-up bound comes first); false once the bound has passed.
    bool wait_before_retry(std::chrono::milliseconds delay);
    void deliver(Report& report);
    /// reports[from, to) over the event socket, checked by a ping: the server has read them.
    void deliver_events(std::vector<Report>& reports, std::size_t from, std::size_t to);
    void refused(const Report& report, const ApiError& e);
    void delivered(std::int64_t count);
    void remember(std::vector<std::string> texts);
    void lost(const ApiError& e);

    ApiSettings m_settings;
    ApiClient m_api;
    std::unique_ptr<WebSocketClient> m_events;
    bool m_use_events = true;  // false once the server refused the event socket
    bool m_had_events = false; // a socket was open before: a new one resends m_recent first
    /// Events the server confirmed in the last seconds: a pong says it read them, not that it
    /// committed them, so a server killed right after may have lost them. Resent after a
    /// reconnect; the server recognises those it has.
    std::deque<std::pair<std::chrono::steady_clock::time_point, std::string>> m_recent;
    std::string m_url;
    std::unordered_map<std::string, std::string> m_flow_ids; // local id → the server's

    std::chrono::steady_clock::duration m_flush_timeout;
    std::mutex m_queue_mutex;
    std::condition_variable m_queue_cv;
    std::deque<std::vector<Report>> m_queue;
    std::uint64_t m_enqueued = 0; // groups queued so far
    std::uint64_t m_sent = 0;     // of them, sent (m_queue_cv tells)
    bool m_stopping = false;
    std::thread m_thread;

    std::mutex m_mutex; // guards the give-up bound
    std::condition_variable m_cv;
    std::optional<std::chrono::steady_clock::time_point> m_give_up_at;

    bool m_lost = false;            // in an outage
    bool m_catching_up = false;     // the server is back; what waited is being sent
    std::int64_t m_sent_after = 0;  // reports delivered since the outage began
    bool m_given_up = false;        // the bound passed while the server was away
    std::int64_t m_undelivered = 0; // reports counted instead of sent
    std::int64_t m_refused = 0;
};

} // namespace weft::http
