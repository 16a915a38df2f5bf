#pragma once
// What this process reported to a server, kept in memory. A flow program is the authority on its
// own runs: the rules deciding its flow run's next state, a retry restarting its task runs, read
// them here, reports the server has not received yet (buffered while it was away) included.
#include <weft/store_backend.hpp>

#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>
#include <unordered_set>
#include <vector>

namespace weft::http {

class Mirror {
public:
    void put_flow(const FlowRecord& flow);
    std::optional<FlowRecord> flow_by_name(const std::string& name) const;

    /// `created_here`: this process created the run, so every task run it has is in the mirror.
    void put_flow_run(const FlowRunRecord& run, bool created_here);
    std::optional<FlowRunRecord> flow_run(const std::string& id) const;
    bool created_here(const std::string& flow_run_id) const;
    void forget_flow_run(const std::string& id);

    void put_task_run(TaskRunRecord run);
    /// A task-run write from the Store's queue: a new row, or a state change of a known one.
    void apply(const TaskRunColumns& columns);
    std::optional<TaskRunRecord> task_run(const std::string& id) const;
    /// In creation order.
    std::vector<TaskRunRecord> task_runs(const std::string& flow_run_id) const;

private:
    mutable std::mutex m_mutex;
    std::unordered_map<std::string, FlowRecord> m_flows; // by name
    std::unordered_map<std::string, FlowRunRecord> m_flow_runs;
    std::unordered_set<std::string> m_created;
    std::unordered_map<std::string, TaskRunRecord> m_task_runs;
    std::unordered_map<std::string, std::vector<std::string>> m_task_ids; // by flow run
};

/// The columns of a queued task-run write as a record (a state change: only its fields set).
TaskRunRecord task_run_of(const TaskRunColumns& columns);
/// A queued state change applied to the run it changes.
void apply_change(TaskRunRecord& run, const TaskRunColumns& change);

} // namespace weft::http
