// The worker's loop: heartbeats, polls its pool for due runs, claims and launches them, watches
// its children, and shuts down on SIGINT/SIGTERM.
#include "weft/pool_api.hpp"
#include "weft/remote_actions.hpp"
#include "worker_internal.hpp"

#include <weft/record_json.hpp>
#include <weft/time.hpp>

#include <atomic>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <thread>
#include <unistd.h>

namespace weft {

namespace {

std::atomic<int> g_signals{0};

extern "C" void count_signal(int) {
    g_signals.fetch_add(1);
}

// SIGINT and SIGTERM counted for the loop, which decides what each one means.
void count_signals() {
    struct sigaction sa {};
    sa.sa_handler = count_signal;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, nullptr);
    sigaction(SIGTERM, &sa, nullptr);
}

std::chrono::milliseconds seconds_from_env(const char* name, std::chrono::milliseconds fallback) {
    const char* text = std::getenv(name);
    if (!text || !*text) return fallback;
    char* end = nullptr;
    const double s = std::strtod(text, &end);
    if (end == text || *end || !(s > 0) || s > 86400) return fallback;
    return std::chrono::milliseconds(std::max<long long>(1, static_cast<long long>(s * 1000)));
}

std::string default_name() {
    char host[256] = {};
    gethostname(host, sizeof host - 1);
    return "weft-worker-" + std::string(host) + "-" + std::to_string(getpid());
}

} // namespace

void WorkerOptions::read_environment() {
    heartbeat_every = seconds_from_env("WEFT_WORKER_HEARTBEAT_SECONDS", heartbeat_every);
    poll_every = seconds_from_env("WEFT_WORKER_POLL_SECONDS", poll_every);
    cancel_grace = seconds_from_env("WEFT_WORKER_CANCEL_GRACE_SECONDS", cancel_grace);
}

namespace worker {

void say(const std::string& worker, const std::string& text) {
    const std::time_t now = std::time(nullptr);
    std::tm local{};
    localtime_r(&now, &local);
    char clock[16];
    std::strftime(clock, sizeof clock, "%H:%M:%S", &local);
    std::fprintf(stderr, "%s worker %s: %s\n", clock, worker.c_str(), text.c_str());
}

namespace {

class Worker {
public:
    Worker(ApiClient& api, WorkerOptions options)
        : m_api(api)
        , m_options(std::move(options))
        , m_children(api, m_options, m_options.name) {}

    int run();

private:
    void heartbeat();
    void poll();
    /// Claims a due run for this worker (PENDING through the server's rules); false when another
    /// worker has it or it is no longer due.
    bool claim(const nlohmann::json& flow_run);
    std::string pool_path() const { return "/work_pools/" + url_segment(m_options.pool); }
    void say(const std::string& text) { worker::say(m_options.name, text); }
    /// Runs `step`, saying once why it fails while the server cannot be reached (and when it
    /// can again): a worker outlives a server restart.
    template<class Step> void tolerant(const char* what, Step&& step);

    ApiClient& m_api;
    WorkerOptions m_options;
    Children m_children;
    bool m_server_trouble = false;
};

template<class Step> void Worker::tolerant(const char* what, Step&& step) {
    try {
        step();
        if (m_server_trouble) say("the server answers again");
        m_server_trouble = false;
    } catch (const std::exception& e) {
        if (!m_server_trouble) say(std::string(what) + " failed: " + e.what() + "; trying again");
        m_server_trouble = true;
    }
}

void Worker::heartbeat() {
    m_api.post(pool_path() + "/workers/heartbeat",
               {{"name", m_options.name},
                {"heartbeat_interval_seconds",
                 std::max<long long>(
                     1, std::chrono::duration_cast<std::chrono::seconds>(m_options.heartbeat_every)
                            .count())}});
}

bool Worker::claim(const nlohmann::json& flow_run) {
    const std::string id = flow_run.value("id", std::string());
    State current;
    if (auto s = flow_run.find("state"); s != flow_run.end() && s->is_object())
        current = state_from_json(*s);
    State claimed = states::pending("Claimed by worker " + m_options.name + ".");
    // A retry from a task run: the program reads where to start from the state it is given.
    if (const std::string from = retry_from_task_run(current); !from.empty())
        claimed.details = {{kRetryFromTaskRunKey, from}};
    const Outcome o = propose_state(m_api, RemoteRun::Flow, id, current, claimed, false);
    return o.accepted();
}

void Worker::poll() {
    int free = 200; // the most one request may ask for
    if (m_options.limit > 0) free = m_options.limit - int(m_children.size());
    if (free <= 0) return;
    // worker_name (Weft's extension) records on the runs who has them: the server crashes the
    // runs of a worker that stops heartbeating.
    const nlohmann::json body = {{"scheduled_before", to_iso(now_us())},
                                 {"limit", std::min(free, 200)},
                                 {"worker_name", m_options.name}};
    const nlohmann::json due = m_api.post(pool_path() + "/get_scheduled_flow_runs", body);
    if (!due.is_array()) return;
    for (const auto& item : due) {
        if (m_options.limit > 0 && int(m_children.size()) >= m_options.limit) break;
        const nlohmann::json& run = item.contains("flow_run") ? item["flow_run"] : item;
        if (!run.is_object() || !run.contains("id")) continue;
        if (!claim(run)) continue; // another worker has it
        m_children.launch(run);
    }
}

int Worker::run() {
    if (!find_work_pool(m_api, m_options.pool)) {
        create_work_pool(m_api, m_options.pool);
        say("created work pool '" + m_options.pool + "'");
    }
    count_signals();
    say("polling work pool '" + m_options.pool + "' at " + m_api.settings().url
        + (m_options.limit > 0 ? " (at most " + std::to_string(m_options.limit) + " runs at once)"
                               : std::string()));
    auto next_heartbeat = Clock::now();
    auto next_poll = Clock::now();
    bool stopping = false, killing = false;
    for (;;) {
        const int signals = g_signals.load();
        if (signals >= 1 && !stopping) {
            stopping = true;
            say("stopping: no new runs; waiting for " + std::to_string(m_children.size())
                + " running flow run(s) to end (signal again to kill them)");
        }
        if (signals >= 2 && !killing) {
            killing = true;
            say("killing the programs of " + std::to_string(m_children.size()) + " flow run(s)");
            m_children.kill_all();
        }
        tolerant("settling ended runs", [&] { m_children.reap(); });
        // Killing: runs the server cannot take a final state for now are left to it.
        if (stopping && (m_children.empty() || (killing && !m_children.running()))) break;
        m_children.enforce_grace();
        const auto now = Clock::now();
        if (now >= next_heartbeat) {
            tolerant("heartbeat", [&] { heartbeat(); });
            next_heartbeat = now + m_options.heartbeat_every;
        }
        if (now >= next_poll) {
            tolerant("checking for cancellations", [&] { m_children.watch_cancellations(); });
            if (!stopping) tolerant("polling", [&] { poll(); });
            next_poll = Clock::now() + m_options.poll_every;
        }
        // Short ticks: a child's exit or a signal is noticed within 50 ms.
        std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    say("stopped");
    return 0;
}

} // namespace
} // namespace worker

int run_worker(ApiClient& api, WorkerOptions options) {
    if (options.name.empty()) options.name = default_name();
    worker::Worker w(api, std::move(options));
    return w.run();
}

} // namespace weft
