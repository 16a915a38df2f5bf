#pragma once
// The SDK's machinery below the templates: run contexts, the task-run and flow-run drivers and the
// process-wide runtime. Users include weft.hpp; this header is for weft's own templates.
#include "weft/context.hpp"
#include "weft/engine.hpp"
#include "weft/future.hpp"
#include "weft/options.hpp"

#include <chrono>
#include <functional>
#include <memory>
#include <mutex>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <thread>
#include <unordered_map>
#include <unordered_set>
#include <vector>

namespace weft::detail {

/// One running flow run (top-level or subflow). Shared by every task run it starts.
struct FlowRunContext {
    std::string id;    // the flow run's id; fixed before any task starts
    std::string name;  // the flow run's name, for log lines
    FlowRunRecord run; // touched only by the flow's own thread after start
    const FlowOptions* options = nullptr;
    CancellationToken token;
    std::weak_ptr<FlowRunContext> parent; // a subflow's parent: its cancellation is ours
    // The flow timeout, on the monotonic clock: setting the system clock neither triggers nor
    // delays it.
    std::optional<std::chrono::steady_clock::time_point> deadline;
    std::atomic<bool> timed_out{false};

    /// With the task key, names a call across resumes: "n" for the nth call of `task_key` made
    /// by the flow's own code, "n@CALLER" for the nth call made inside the task run named CALLER.
    /// Calls of parallel task runs arrive in any order, but the position of a call inside its
    /// caller is the same on every run. Thread-safe.
    std::string next_dynamic_key(const std::string& task_key, const std::string& caller = {});
    /// The task run an earlier attempt of this flow run made for this call, if any: the newest of
    /// the call's task runs (see fork_key). `fork` receives its fork number (0: the first run).
    /// Thread-safe.
    std::optional<TaskRunRecord> prior(const std::string& task_key, const std::string& dynamic_key,
                                       int* fork = nullptr);
    /// The dynamic key of the nth new task run for a call (n >= 1), "n~k" or "n~k@CALLER": made
    /// when a completed run cannot stand for the call on resume, since completed runs are never
    /// rewritten.
    static std::string fork_key(const std::string& dynamic_key, int n);
    bool must_rerun(const std::string& task_run_id) const { return rerun.count(task_run_id) > 0; }
    /// Remembers a submitted task run so the flow waits for it before it ends. Thread-safe.
    void track(std::shared_ptr<FutureCore> future);
    std::vector<std::shared_ptr<FutureCore>> tracked();
    /// Before another attempt of the flow's body: calls count from zero again and earlier task
    /// runs are reused.
    void restart(std::vector<TaskRunRecord> earlier_runs);

    /// Data dependencies of plain (non-future) calls: a task run's result is remembered, and a
    /// later argument equal to it (or to an element of an array argument) becomes an edge.
    /// Only distinctive values count (non-empty containers, strings of 8+ characters).
    /// Thread-safe.
    void note_result(const nlohmann::json& value, const std::string& task_run_id);
    std::vector<std::string> producers_of(const nlohmann::json& value);

    // Set before the flow's body starts, read-only afterwards.
    std::unordered_map<std::string, TaskRunRecord> prior_runs; // by task_key + '#' + dynamic_key
    std::unordered_set<std::string> rerun;                     // task run ids to run again

private:
    std::mutex m_mutex;
    std::unordered_map<std::string, int> m_calls;
    std::vector<std::shared_ptr<FutureCore>> m_tracked;
    std::unordered_map<std::size_t, std::string> m_producers; // hash of a result's JSON -> run
};

struct TaskRunContext {
    std::string id;
    std::string name;
    CancellationToken token; // this attempt's: set when it times out
    bool log_stdout = false;
    /// With log_stdout: what the run printed after its last '\n', recorded as a line of its own
    /// when the attempt ends. Kept per run, not per thread, so that a thread's next run does not
    /// inherit it. Only the attempt's thread touches it.
    mutable std::string printed;
};

/// The calling thread's runs.
struct Current {
    std::shared_ptr<FlowRunContext> flow;
    const TaskRunContext* task = nullptr;
};
Current& current();

/// Sets the calling thread's runs for its lifetime.
class ContextScope {
public:
    ContextScope(std::shared_ptr<FlowRunContext> flow, const TaskRunContext* task);
    ~ContextScope();
    ContextScope(const ContextScope&) = delete;
    ContextScope& operator=(const ContextScope&) = delete;

private:
    Current m_saved;
};

/// One call of a task inside a flow run: created on the caller's thread (so call order, and with it
/// the dynamic key, is deterministic), executed on whichever thread runs it.
class TaskRun {
public:
    static std::shared_ptr<TaskRun> begin(const std::shared_ptr<FlowRunContext>& flow,
                                          const std::string& task_key, const TaskOptions& options,
                                          nlohmann::json task_inputs, nlohmann::json parameters,
                                          bool is_subflow = false);

    ~TaskRun();
    TaskRun(const TaskRun&) = delete;
    TaskRun& operator=(const TaskRun&) = delete;

    const std::string& id() const { return m_run.id; }
    const std::string& child_flow_run_id() const { return m_run.child_flow_run_id; }
    /// True when an earlier attempt made this run's child flow run (resume it, don't start anew).
    bool resumes_child() const { return m_resumes_child; }

    struct Result {
        bool ran = false;     // false: an earlier or cached result was reused
        nlohmann::json value; // the result's JSON (null when not persisted)
    };
    /// When an earlier completed run can stand for a call on resume.
    enum class Reuse {
        Always,           // its stored result, if any, gives the value back
        WithStoredResult, // only if it stored a result (the task's results are not persisted)
        Never,            // the value cannot come back from JSON: run again
    };
    /// One call, as the task's template sees it once its arguments are resolved.
    struct Call {
        nlohmann::json parameters; // a placeholder for each value without a JSON form
        /// Every parameter has a JSON form, so the parameters tell calls apart. Otherwise the
        /// inputs cannot be compared: no cache key from inputs, no reuse of a completed run.
        bool keyable = true;
        Reuse reuse = Reuse::Always;
        /// The function returns nothing: a completed run's (null) result is complete, so it can
        /// be cached.
        bool void_result = false;
    };
    /// Runs attempts until one completes or retries are spent. `attempt` calls the user's function
    /// and returns the result's JSON (null when not persisted). Throws TaskRunFailed or Cancelled.
    Result execute(Call call, const std::function<nlohmann::json()>& attempt);

    /// Ends a run that will never start and returns the exception its callers see. An upstream
    /// that failed leaves it PENDING, named NotReady (UpstreamNotReady); a cancelled upstream, or
    /// a null error (the flow run is cancelled), cancels it.
    std::exception_ptr not_started(const std::exception_ptr& upstream_error,
                                   const std::string& upstream_task_run_id = {});
    /// The future of a submitted run: it gets each state the run enters, so that
    /// Future::state() answers without waiting. Called once, before the run starts.
    void watch(const std::shared_ptr<FutureCore>& future);

private:
    TaskRun(std::shared_ptr<FlowRunContext> flow, const TaskOptions& options)
        : m_flow(std::move(flow))
        , m_options(options) {}
    /// Makes a new task run for this call and queues its row.
    void create(std::string task_key, std::string dynamic_key, nlohmann::json parameters);
    bool can_reuse(const TaskRunRecord& prior, const Call& call, const std::string& hash) const;
    Outcome propose(State state, const std::function<void(RunFacts&)>& adjust = {},
                    Origin origin = Origin::Program, bool force = false);
    std::optional<nlohmann::json> run_attempt(const std::function<nlohmann::json()>& attempt,
                                              Failure& failure);
    void join_straggler();
    void add_data_edges();
    std::optional<State> cache_hit();
    /// Over a server, for a task with a limited tag: the server decides its start (and takes the
    /// slots); nullopt when the program decides it itself.
    std::optional<Outcome> start_on_server(const State& proposed);
    std::string wait_for_slots();
    void release_slots();
    void run_hooks(); // those of the state the run ended in

    std::shared_ptr<FlowRunContext> m_flow;
    const TaskOptions& m_options; // owned by the Task, which outlives its runs
    TaskRunRecord m_run;
    // Rarely set (a resumed flow run): held apart, so that a TaskRun is small enough for the
    // allocator's per-thread cache.
    std::unique_ptr<TaskRunRecord> m_prior;
    int m_prior_fork = 0;         // the prior's fork number (FlowRunContext::fork_key)
    std::string m_base_key;       // the call's dynamic key before any fork
    nlohmann::json m_call_inputs; // this call's task_inputs, for a task run made for it
    bool m_is_subflow = false;
    bool m_resumes_child = false;
    bool m_holds_slots = false;
    bool m_parameters_sent = false;
    bool m_inputs_changed = false; // data edges found at execute time, not yet sent
    int m_attempts = 0; // attempts in this execution (a resume starts its retries afresh)
    TaskRunContext m_context;
    std::thread m_straggler; // an attempt that outlived its timeout; joined before going on
    std::weak_ptr<FutureCore> m_future; // a submitted run's future, told of every state
};

/// How to start a flow run: anew, or resuming a stored one.
struct FlowStart {
    std::string resume_run_id;    // resume this run instead of creating one
    std::string from_task_run_id; // with resume: run this task and everything downstream again
    std::string run_id;           // id for a new run (a subflow's id is chosen by its parent)
    std::string parent_task_run_id;
    /// With resume: a run made elsewhere (a deployment's) that this program takes over to run
    /// (Engine::take_over_flow_run) rather than runs again.
    bool take_over = false;
    /// With take_over: the server already let this program have the run, RUNNING (a program
    /// that reports to a server claims through the server's rules, see `execute`).
    bool claimed = false;
};

/// Runs a flow run from start to end: creation or resume, states, retries, waiting for submitted
/// tasks, the final state. `body` runs the user's function and returns the result's JSON. Returns
/// the final record; never throws for the run's own failure.
FlowRunRecord run_flow(const std::string& flow_name, const FlowOptions& options,
                       nlohmann::json parameters, const FlowStart& start,
                       const std::function<nlohmann::json()>& body);

/// Runs `fn` on the task runner's pool. Thread-safe.
void submit_to_pool(std::function<void()> fn);
/// Sets the task runner's size (else WEFT_TASK_RUNNER_THREADS, else the core count, at least 2).
/// Later work runs on a new pool; the old one finishes what it was given, then stops. Meant for
/// between flow runs (tests use it to try several sizes). Thread-safe.
void configure_task_runner(std::size_t threads);

/// The engine the SDK writes to, opened on first use at configure_database's path (or the
/// default). Thread-safe.
Engine& engine();
void configure_database(std::string path);
/// Commits everything this process queued.
void flush();

/// Best-effort JSON of any value: nlohmann's conversion when there is one, else a placeholder.
template<class T> nlohmann::json to_json_or_placeholder(const T& value) {
    if constexpr (requires { nlohmann::json(value); })
        return nlohmann::json(value);
    else
        return "<not serialisable>";
}
/// An optional's value, or null when it has none (the JSON library has no conversion for it).
template<class T> nlohmann::json to_json_or_placeholder(const std::optional<T>& value) {
    return value ? to_json_or_placeholder(*value) : nlohmann::json();
}

} // namespace weft::detail
