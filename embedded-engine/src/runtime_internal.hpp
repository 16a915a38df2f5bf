#pragma once
// The process-wide SDK runtime: the engine it writes to, the task runner's pool, and the watcher
// that notices cancellation, sends heartbeats and enforces flow timeouts.
#include "weft/ids.hpp"
#include "weft/runtime.hpp"

#include <condition_variable>
#include <deque>
#include <memory>
#include <mutex>
#include <set>
#include <thread>

namespace weft::detail {

/// The task runner: threads that take submitted work from one shared queue, so work waits only
/// while every thread is busy, never behind one long task while another thread idles (as it did
/// with per-thread queues). Thread-safe.
class TaskRunner {
public:
    explicit TaskRunner(std::size_t threads);
    ~TaskRunner(); // runs what is queued (and what that submits), then joins
    TaskRunner(const TaskRunner&) = delete;
    TaskRunner& operator=(const TaskRunner&) = delete;

    void submit(std::function<void()> fn);

private:
    void work();

    std::mutex m_mutex;
    std::condition_variable m_cv;
    std::deque<std::function<void()>> m_queue;
    bool m_stopping = false;
    std::vector<std::thread> m_threads;
};

class Runtime {
public:
    static Runtime& get();

    Engine& engine(); // opens it on first use; throws StoreError
    void configure(std::string path);
    void submit(std::function<void()> fn);

    void watch(const std::shared_ptr<FlowRunContext>& flow);
    void unwatch(const FlowRunContext* flow);

    /// The stored flow's id, creating the flow on first use. Thread-safe.
    std::string flow_id(const std::string& name, const std::vector<std::string>& tags);
    /// Whether any of `tags` has a concurrency limit (refreshed every few seconds).
    bool any_limited(const std::vector<std::string>& tags);

    /// Commits what is queued, stops the watcher and the pool. Idempotent.
    void shutdown();

private:
    Runtime() = default;
    void watch_loop();

    std::mutex m_mutex;
    std::string m_path;
    std::shared_ptr<Engine> m_engine;
    std::unique_ptr<TaskRunner> m_pool;
    std::unordered_map<std::string, std::string> m_flow_ids;

    std::mutex m_limits_mutex;
    std::set<std::string> m_limited_tags;
    Micros m_limits_read = 0;

    std::mutex m_watch_mutex;
    std::condition_variable m_watch_cv;
    std::vector<std::weak_ptr<FlowRunContext>> m_watched;
    std::thread m_watcher;
    bool m_stopping = false;
};

/// How this program was started, for `weft flow-run retry`.
LaunchInfo this_launch();

/// Routes std::cout lines written by tasks with log_stdout to their logs (installed once).
void capture_stdout();

/// Sleeps up to `seconds`, waking early when `token` is cancelled. Returns false if cancelled.
bool sleep_unless_cancelled(double seconds, const CancellationToken& token);

} // namespace weft::detail
