#pragma once
// The process-wide SDK runtime: the engine it writes to, the task runner's pool, and the watcher
// that notices cancellation, sends heartbeats and enforces flow timeouts.
#include "weft/ids.hpp"
#include "weft/runtime.hpp"

#include <chrono>
#include <condition_variable>
#include <deque>
#include <memory>
#include <mutex>
#include <set>
#include <thread>

namespace weft::detail {

/// The task runner: threads that take submitted work from one shared queue, so work waits only
/// while every thread is busy, never behind one long task while another thread idles (as it did
/// with per-thread queues). A runner thread that waits for other work (a future, see
/// BlockingScope) would hold its thread while the work it waits for sits in the queue: with every
/// thread waiting, nothing ran again. So while one waits, the runner starts a thread in its place:
/// `threads` threads can always take queued work, and nested waits never deadlock, whatever the
/// size. Once the waiting thread goes on, one thread too many ends. Thread-safe.
class TaskRunner {
public:
    explicit TaskRunner(std::size_t threads);
    ~TaskRunner(); // runs what is queued (and what that submits), then joins
    TaskRunner(const TaskRunner&) = delete;
    TaskRunner& operator=(const TaskRunner&) = delete;

    void submit(std::function<void()> fn);

    /// The runner whose thread calls this, or null (see BlockingScope).
    static TaskRunner* of_this_thread();
    /// A thread of this runner starts (true) or stops (false) waiting for other work.
    void set_blocked(bool blocked);

private:
    void work();
    void start_thread();                                         // caller holds m_mutex
    bool surplus() const { return m_live - m_blocked > m_size; } // caller holds m_mutex

    std::mutex m_mutex;
    std::condition_variable m_cv;
    std::deque<std::function<void()>> m_queue;
    bool m_stopping = false;
    const std::size_t m_size;
    std::size_t m_live = 0;    // threads started and not ended
    std::size_t m_blocked = 0; // of those, threads waiting for other work
    std::vector<std::thread> m_threads;
    std::vector<std::thread::id> m_ended; // not yet joined
};

/// Marks the calling thread, for the scope's lifetime, as waiting for other submitted work to
/// progress. On a task runner's thread the runner starts a stand-in meanwhile; on any other
/// thread it does nothing. Put it around every wait that submitted work can be waiting on.
class BlockingScope {
public:
    BlockingScope();
    ~BlockingScope();
    BlockingScope(const BlockingScope&) = delete;
    BlockingScope& operator=(const BlockingScope&) = delete;

private:
    TaskRunner* m_runner;
};

class Runtime {
public:
    static Runtime& get();

    Engine& engine(); // opens it on first use; throws StoreError
    void configure(std::string path);
    void submit(std::function<void()> fn);
    void set_pool_size(std::size_t threads);

    void watch(const std::shared_ptr<FlowRunContext>& flow);
    void unwatch(const FlowRunContext* flow);

    /// The stored flow's id, creating the flow on first use. Thread-safe.
    std::string flow_id(const std::string& name, const std::vector<std::string>& tags);
    /// Whether any of `tags` has a concurrency limit (refreshed every few seconds).
    bool any_limited(const std::vector<std::string>& tags);

    /// The flow runs (top-level and subflows) this process runs now. Thread-safe.
    std::vector<std::shared_ptr<FlowRunContext>> watched();
    /// The engine if something opened it already, else null (never opens it). Thread-safe.
    std::shared_ptr<Engine> engine_if_open();

    /// Commits what is queued, stops the watcher and the pool. Idempotent.
    void shutdown();

private:
    Runtime() = default;
    void watch_loop();
    /// Cancels every watched flow run: called once the store stopped writing.
    void stop_all_flow_runs();

    std::mutex m_mutex;
    std::string m_path;
    std::shared_ptr<Engine> m_engine;
    std::unique_ptr<TaskRunner> m_pool;
    std::size_t m_pool_size = 0; // 0: from the environment or the core count
    std::unordered_map<std::string, std::string> m_flow_ids;

    std::mutex m_limits_mutex;
    std::set<std::string> m_limited_tags;
    std::optional<std::chrono::steady_clock::time_point> m_limits_read;

    std::mutex m_watch_mutex;
    std::condition_variable m_watch_cv;
    std::vector<std::weak_ptr<FlowRunContext>> m_watched;
    std::thread m_watcher;
    bool m_stopping = false;
};

/// Thrown by weft::suspend_flow_run through the flow's code: the run stays PAUSED/"Suspended" and
/// its program exits. Not a std::exception, so that a flow's `catch (const std::exception&)` does
/// not take it for a failure.
struct FlowSuspended {};

/// Another program has (or had) the flow run a resume asked for; the message says which.
class ClaimRefused : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

/// How this program was started, for `weft flow-run retry`.
LaunchInfo this_launch();

/// Routes std::cout lines written by tasks with log_stdout to their logs (installed once).
void capture_stdout();
/// Records what the current task run printed after its last '\n' (see TaskRunContext::printed).
/// Call at the end of an attempt, on its thread. Never throws.
void end_printed_line();

/// From now on SIGINT and SIGTERM end this process's flow runs CANCELLED, commit what is queued
/// and then end the process by that signal; a second signal ends it at once. For flow programs
/// (weft::main), which own their process; a library user's program keeps its own handlers.
void handle_interrupts();
/// Returns at once unless a signal is being handled: then blocks until that ends the process.
void wait_if_interrupted();

/// Sleeps up to `seconds`, waking early when `token` is cancelled. Returns false if cancelled.
bool sleep_unless_cancelled(double seconds, const CancellationToken& token);

} // namespace weft::detail
