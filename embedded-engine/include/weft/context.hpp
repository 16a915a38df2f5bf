#pragma once
// What code inside a flow or task can ask about the run it is part of.
#include "weft/states.hpp"

#include <atomic>
#include <memory>
#include <stdexcept>
#include <string>

namespace weft {

/// Thrown into flow code when its run is being cancelled, and by task calls that will not start.
class Cancelled : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

/// Thrown by calling a task (or reading a future) whose run ended FAILED or CRASHED.
class TaskRunFailed : public std::runtime_error {
public:
    /// `name` ("load-0"), when known, names the run in the message: it is what people read in
    /// the flow run's failure, the logs and Studio; the id stays in task_run_id.
    TaskRunFailed(std::string task_run_id, State state, const std::string& name = {})
        : std::runtime_error("Task run " + (name.empty() ? task_run_id : name) + " ended "
                             + state.name + (state.message.empty() ? "" : ": " + state.message))
        , task_run_id(std::move(task_run_id))
        , state(std::move(state)) {}
    std::string task_run_id;
    State state;
};

/// Thrown by calling a flow whose run ended FAILED, CRASHED or CANCELLED.
class FlowRunFailed : public std::runtime_error {
public:
    FlowRunFailed(std::string flow_run_id, State state)
        : std::runtime_error("Flow run " + flow_run_id + " ended " + state.name
                             + (state.message.empty() ? "" : ": " + state.message))
        , flow_run_id(std::move(flow_run_id))
        , state(std::move(state)) {}
    std::string flow_run_id;
    State state;
};

/// A flag shared by everything a run started; set when the run is cancelled or a task times out.
/// Thread-safe.
class CancellationToken {
public:
    CancellationToken()
        : m_flag(std::make_shared<std::atomic<bool>>(false)) {}
    bool cancelled() const { return m_flag->load(std::memory_order_relaxed); }
    void cancel() const { m_flag->store(true, std::memory_order_relaxed); }

private:
    std::shared_ptr<std::atomic<bool>> m_flag;
};

/// The token of the current task run (or flow run); a never-cancelled token outside any run.
CancellationToken cancellation_token();
/// True once the current run has been asked to stop. Long tasks check it and return early.
bool cancelled();
/// Throws weft::Cancelled when the current run has been asked to stop.
void check_cancelled();

/// Ids of the runs the calling thread works for; empty outside a flow or task.
std::string current_flow_run_id();
std::string current_task_run_id();

} // namespace weft
