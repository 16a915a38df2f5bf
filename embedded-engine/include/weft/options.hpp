#pragma once
// Options of tasks and flows: retries, timeouts, caching, hooks. Plain data, set through the
// chained setters of weft::Task and weft::Flow.
#include "weft/records.hpp"

#include <functional>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

namespace weft {

/// A failed attempt, as a retry condition sees it.
struct Failure {
    std::string message;
    std::exception_ptr error;
    int attempt = 1; // 1 for the first attempt
    bool timed_out = false;
};

/// Exponential backoff: base · factor^(retry − 1), capped at max_s.
struct Backoff {
    double base_s = 1;
    double factor = 2;
    double max_s = 600;
};

/// When to reuse a completed task run's result instead of running the task: its cache key is made
/// of the task's name and the parts chosen here. Combine parts with `+`.
class CachePolicy {
public:
    using KeyFn = std::function<std::string(const nlohmann::json& parameters)>;

    /// The task's inputs (its resolved parameters).
    static CachePolicy inputs();
    /// An explicit version string: bump it when the task's code changes.
    static CachePolicy version(std::string v);
    /// The flow run's parameters.
    static CachePolicy flow_parameters();
    /// The flow run's id: reuse only within one run (and its resumes).
    static CachePolicy run_id();
    /// A key computed by the caller from the task's parameters.
    static CachePolicy key(KeyFn fn);

    CachePolicy operator+(const CachePolicy& other) const;

    /// Whether the key is made of the task's inputs: then a call whose inputs cannot be keyed
    /// (a parameter without a JSON form) is not cached.
    bool uses_inputs() const { return m_inputs; }

    /// The cache key for one call; empty when the policy has no parts.
    std::string compute(const std::string& task_key, const nlohmann::json& parameters,
                        const nlohmann::json& flow_parameters,
                        const std::string& flow_run_id) const;

private:
    bool m_inputs = false;
    bool m_flow_parameters = false;
    bool m_run_id = false;
    std::string m_version;
    std::vector<KeyFn> m_key_fns;
};

struct TaskOptions {
    int retries = 0;
    std::vector<double> retry_delays_s; // per retry; the last one repeats
    std::optional<Backoff> backoff;     // used when retry_delays_s is empty
    double retry_jitter_factor = 0;     // delay · (1 ± factor · random)
    std::function<bool(const Failure&)> retry_if;
    double timeout_s = 0; // 0 = none
    std::vector<std::string> tags;
    std::optional<CachePolicy> cache;
    std::optional<double> cache_expiration_s;
    bool persist_result = true;
    bool log_stdout = false;
    std::string version;
    std::vector<std::string> param_names; // names of the parameters, in order
    // Hooks run once, when a task run that started ends: on_completion when it ends COMPLETED
    // (Cached too), on_failure when it ends FAILED (TimedOut too: never when it is cancelled),
    // on_cancellation when it ends CANCELLED. A run that never starts (an upstream failed, the
    // flow run was cancelled first) runs none. A hook that throws is logged and skipped.
    std::vector<std::function<void(const TaskRunRecord&)>> on_completion;
    std::vector<std::function<void(const TaskRunRecord&)>> on_failure;
    std::vector<std::function<void(const TaskRunRecord&)>> on_cancellation;

    /// Delay before retry number `retry` (1-based), with jitter applied.
    double retry_delay(int retry) const;
};

struct FlowOptions {
    int retries = 0;
    double retry_delay_s = 0;
    double timeout_s = 0;
    std::string version;
    std::string description;
    std::vector<std::string> tags;
    std::vector<std::string> param_names;
    nlohmann::json defaults = nlohmann::json::object(); // default parameter values by name
    // As a task's: on_completion for COMPLETED, on_failure for FAILED (TimedOut too), and
    // on_cancellation for CANCELLED (as Prefect 3, a cancelled run is not a failed one). A run
    // that could not start runs none.
    std::vector<std::function<void(const FlowRunRecord&)>> on_completion;
    std::vector<std::function<void(const FlowRunRecord&)>> on_failure;
    std::vector<std::function<void(const FlowRunRecord&)>> on_cancellation;
};

} // namespace weft
