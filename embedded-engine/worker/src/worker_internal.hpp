#pragma once
// The worker's insides: its loop (worker.cpp) and the flow-program processes it watches
// (worker_children.cpp). One thread: everything here runs on the worker's loop.
#include "weft/worker.hpp"

#include <weft/launcher.hpp>
#include <weft/records.hpp>

#include <nlohmann/json.hpp>
#include <optional>
#include <sys/types.h>
#include <utility>
#include <vector>

namespace weft::worker {

using Clock = std::chrono::steady_clock;

/// One line on stderr: "HH:MM:SS worker NAME: text".
void say(const std::string& worker, const std::string& text);

/// A flow run's program the worker started and watches.
struct Child {
    std::string run_id;
    std::string run_name;
    pid_t pid = -1;
    std::optional<Clock::time_point> term_sent; // cancelled: SIGTERM sent then
    bool killed = false;                        // SIGKILL sent (cancel grace over, or shutdown)
};

class Children {
public:
    Children(ApiClient& api, const WorkerOptions& options, std::string worker)
        : m_api(api)
        , m_options(options)
        , m_worker(std::move(worker)) {}

    /// Programs running.
    std::size_t size() const { return m_children.size(); }
    /// No program runs and every ended one's run is settled.
    bool empty() const { return m_children.empty() && m_ended.empty(); }
    bool running() const { return !m_children.empty(); }

    /// Starts `PROGRAM execute RUN_ID` for a run this worker has claimed (PENDING), as its
    /// deployment says; a run that cannot be started ends CRASHED with the reason.
    void launch(const nlohmann::json& flow_run);
    /// Reaps the programs that ended and settles their runs.
    void reap();
    /// Stops the programs of runs the server shows CANCELLING (SIGTERM, SIGKILL after the grace).
    void watch_cancellations();
    /// SIGKILL to the cancelled programs whose grace period is over.
    void enforce_grace();
    /// The second signal: kills every program; their runs end CRASHED once reaped.
    void kill_all();

private:
    /// After its program ended: a run left without a final state is CRASHED (CANCELLED when it
    /// was being cancelled).
    void settle(const Child& child, const ChildExit& exit);
    /// A run someone retried (SCHEDULED after a final state) before its program had exited: it
    /// is not crashed but left to its pool.
    bool retried_after_end(const std::string& run_id, const State& current);
    /// The run's task runs not finished when its program ended: CRASHED (CANCELLED when `how`
    /// is), through the server's rules.
    void end_unfinished_task_runs(const std::string& run_id, StateType how);
    /// Proposes `state` for the run through the server's rules; says why when refused.
    bool propose(const std::string& run_id, const State& state);
    void fail_to_start(const std::string& run_id, const std::string& why);

    ApiClient& m_api;
    const WorkerOptions& m_options;
    std::string m_worker;
    std::vector<Child> m_children;
    std::vector<std::pair<Child, ChildExit>> m_ended; // reaped, run not settled yet
    bool m_shutting_down = false;
};

} // namespace weft::worker
