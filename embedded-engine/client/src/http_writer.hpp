#pragma once
// The HTTP backend's writer connection: a group of the Store's writes (begin … commit) becomes
// reports in the order the writes came, handed at commit to the Sender. The Prefect shapes:
// POST /flows/ (an upsert by name), POST /flow_runs/ and /task_runs/ to create, set_state with
// `force` for each state the SDK entered (it applied the engine's rules to its own runs already)
// and, for task runs, the same state as a prefect.task-run.<State> event; the group's log lines
// last, in POST /logs/ batches.
#include "http_mirror.hpp"
#include "http_reader.hpp"
#include "http_sender.hpp"

#include <memory>
#include <unordered_map>
#include <vector>

namespace weft::http {

class HttpWriter final : public WriterConnection {
public:
    HttpWriter(const ApiSettings& settings, std::shared_ptr<Mirror> mirror,
               std::shared_ptr<Sender> sender);
    ~HttpWriter() override;

    void begin() override;
    void commit() override;
    void rollback() noexcept override;
    void savepoint() override;
    void release_savepoint() override;
    void rollback_to_savepoint() override;
    /// Never: an unreachable server is waited for (Sender), a refused report skipped alone.
    bool group_lost(const std::exception_ptr&) override { return false; }

    // Task runs are reported from their events, which come in the order of their writes; the
    // row writes that follow (a group's new rows come last) carry nothing new.
    void write_task_run(const TaskRunColumns&, bool) override {}
    void update_task_run(const TaskRunColumns&) override {}
    void task_run_event(EventKind kind, const TaskRunColumns& run) override;
    std::int64_t append_log(const LogRecord& line) override;
    void logs_event(const std::string&, std::int64_t, std::int64_t, std::int64_t) override {}

    Reader& read() override { return m_reader; }
    void put_flow(const FlowRecord& flow) override;
    void put_flow_run(const FlowRunRecord& run, EventKind kind) override;
    void put_task_run(const TaskRunRecord& run, EventKind kind) override;
    void delete_flow_run(const std::string& id) override;
    void set_concurrency_limit(const std::string& tag, int limit) override;
    bool delete_concurrency_limit(const std::string& tag) override;
    /// The server's limits are not taken over HTTP yet (HttpReader reads none): always a slot.
    std::string acquire_slots(const std::vector<std::string>&, const std::string&,
                              const std::string&) override {
        return {};
    }
    void release_slots(const std::string&) override {}
    void release_slots_of_flow_run(const std::string&) override {}
    /// Prefect's server has no heartbeat for a run; its program reports states instead.
    void heartbeat(const std::string&, Micros) override {}
    void put_pause(const PauseRecord& pause) override;
    // Deployments, work pools and workers are the server's own (weft deploy, weft work-pool):
    // a flow program that reports to it does not write them.
    void put_deployment(const DeploymentRecord& deployment) override;
    bool delete_deployment(const std::string& id) override;
    void put_work_pool(const WorkPoolRecord& pool) override;
    bool delete_work_pool(const std::string& name) override;
    void put_worker(const WorkerRecord& worker) override;
    void put_placement(const std::string& flow_run_id, const FlowRunPlacement& placement) override;

private:
    void add(Report report);
    /// `event`: the same state as an Event for /api/events/in (task runs only).
    void set_state(const char* runs, const std::string& id, nlohmann::json state,
                   nlohmann::json event = nullptr);

    std::shared_ptr<Mirror> m_mirror;
    std::shared_ptr<Sender> m_sender;
    HttpReader m_reader;
    std::vector<Report> m_reports;
    nlohmann::json m_logs = nlohmann::json::array();
    std::vector<std::size_t> m_savepoints;
    // Task runs created in this group, by id: their report's index, so that task inputs found
    // after the creation (not sendable later: Prefect has no update) join it before it is sent.
    std::unordered_map<std::string, std::size_t> m_created;
    std::int64_t m_log_id = 0;
};

} // namespace weft::http
