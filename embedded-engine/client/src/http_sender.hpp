#pragma once
// Sends a group's reports to the server in order, and keeps sending through outages: a server
// that cannot be reached or answers 5xx is retried with exponential backoff (0.5 s doubling to
// 10 s) for as long as the process runs, saying so once per outage on stderr. A 4xx answer is the
// report's own fault: logged with the server's reason and skipped, never retried. Once the process
// is exiting (give_up_after), it waits at most that long, then counts what it could not deliver
// and says so when it is destroyed: nothing is dropped silently.
#include "weft/api_client.hpp"

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

namespace weft::http {

/// One request to the server.
struct Report {
    const char* method = "POST";
    std::string path; // below the API's URL
    nlohmann::json body;
    std::int64_t count = 1; // how many reports it carries (a batch of log lines: one per line)
    /// POST /flows/: the id this process gave the flow; the server's answered id replaces it in
    /// every later report's "flow_id" (the server keeps its own id for a flow name).
    std::string local_flow_id;
};

class Sender {
public:
    explicit Sender(const ApiSettings& settings);
    ~Sender();
    Sender(const Sender&) = delete;
    Sender& operator=(const Sender&) = delete;

    /// Sends `reports` in order; returns once each was delivered or refused (or, after
    /// give_up_after's bound passed, counted as undelivered). Writer thread only.
    void send(std::vector<Report>& reports);
    /// The process is exiting: stop retrying `bound` from now. Thread-safe.
    void give_up_after(std::chrono::steady_clock::duration bound);

private:
    /// Waits `delay` (less when the give-up bound comes first); false once the bound has passed.
    bool wait_before_retry(std::chrono::milliseconds delay);
    void deliver(Report& report);
    void refused(const Report& report, const ApiError& e);

    ApiClient m_api;
    std::string m_url;
    std::unordered_map<std::string, std::string> m_flow_ids; // local id → the server's

    std::mutex m_mutex; // guards the give-up bound
    std::condition_variable m_cv;
    std::optional<std::chrono::steady_clock::time_point> m_give_up_at;

    bool m_lost = false;            // in an outage
    int m_catching_up = 0;          // groups sent since the server came back, while catching up
    std::int64_t m_sent_after = 0;  // reports delivered since the outage began
    bool m_given_up = false;        // the bound passed while the server was away
    std::int64_t m_undelivered = 0; // reports counted instead of sent
    std::int64_t m_refused = 0;
};

} // namespace weft::http
