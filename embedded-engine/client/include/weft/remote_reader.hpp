#pragma once
// The store's Reader over a server's REST API, so that code written against a local database
// (the CLI's commands, id look-ups) reads a server's runs alike. Blocking; one thread at a time.
//
// Prefect's API has no counterpart for some reads (id prefixes and tails, full-text log search,
// the change feed, cache look-ups): those throw NotOverApi saying so, rather than answering
// "nothing".
#include "weft/api_client.hpp"

#include <weft/store.hpp>

namespace weft {

class NotOverApi : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

/// The filter body of flow_runs/filter and /count for a query (sort, offset and limit aside).
nlohmann::json flow_run_filter_body(const FlowRunQuery& q);

class RemoteReader : public Reader {
public:
    explicit RemoteReader(ApiClient& api)
        : m_api(api) {}

    std::vector<FlowRecord> flows() override;
    std::optional<FlowRecord> flow_by_name(const std::string& name) override;
    std::optional<FlowRecord> flow(const std::string& id) override;

    std::vector<FlowRunRecord> flow_runs(const FlowRunQuery& q) override;
    std::int64_t count_flow_runs(const FlowRunQuery& q) override;
    std::optional<FlowRunRecord> flow_run(const std::string& id) override;
    /// A full id only: the API looks runs up by id, not by part of one.
    std::vector<std::string> flow_run_ids_with_prefix(const std::string& prefix,
                                                      int limit) override;
    std::vector<std::string> flow_run_ids_ending_with(const std::string& suffix,
                                                      int limit) override;
    std::vector<std::string> flow_run_ids_named(const std::string& name, int limit) override;
    std::vector<FlowRunRecord> flow_runs_in_states(const std::vector<StateType>& types) override;

    std::vector<TaskRunRecord> task_runs(const std::string& flow_run_id) override;
    std::optional<TaskRunRecord> task_run(const std::string& id) override;
    std::vector<std::string> task_run_ids_with_prefix(const std::string& prefix,
                                                      int limit) override;
    std::vector<std::string> task_run_ids_ending_with(const std::string& suffix,
                                                      int limit) override;
    std::vector<TaskRunRecord> find_task_runs(const TaskRunQuery& q) override;
    std::int64_t count_matching_task_runs(const TaskRunQuery& q) override;
    std::int64_t count_task_runs(const std::string& flow_run_id) override;
    std::optional<TaskRunRecord> cached_task_run(const std::string& cache_key, Micros now) override;

    std::vector<State> state_history(const std::string& run_id) override;

    std::vector<LogRecord> logs(const LogQuery& q) override;
    std::int64_t count_logs(const LogQuery& q) override;
    std::vector<std::int64_t> log_ids(const LogQuery& q, int limit) override;
    std::vector<std::string> log_names(const std::string& flow_run_id) override;

    std::vector<Event> events_after(std::int64_t seq, int limit) override;
    std::int64_t last_event_seq() override;

    std::vector<StateCount> flow_run_history(Micros from, Micros to, Micros interval) override;
    std::vector<FlowStats> flow_stats(Micros from, Micros to) override;
    std::vector<ConcurrencyLimit> concurrency_limits() override;
    std::optional<PauseRecord> pause(const std::string& flow_run_id,
                                     const std::string& key) override;
    /// Changes on every call: a server has no cheap "anything new?".
    std::int64_t data_version() override;

private:
    /// POSTs `body` to `path` page by page (the API answers at most 200 rows a request) until
    /// `limit` rows came (< 0: all of them).
    nlohmann::json paged(const std::string& path, nlohmann::json body, int limit, int offset);
    nlohmann::json task_run_filter_body(const TaskRunQuery& q);

    ApiClient& m_api;
    std::int64_t m_version = 0;
};

} // namespace weft
