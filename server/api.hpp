#pragma once
// The REST API's handlers, one function per endpoint, free of HTTP and Qt: a request body in, a
// status and a JSON body out. Paths, fields and error shapes are Prefect's (prefect-api.md); every
// state change goes through the engine's rules, every write through its store.
#include "recent_ids.hpp"
#include <weft/engine.hpp>

#include <future>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>

namespace weft::server {

/// What a handler answers: an HTTP status and a JSON body (none for 204).
struct Reply {
    int status = 200;
    nlohmann::json body;

    static Reply json(nlohmann::json body, int status = 200) { return {status, std::move(body)}; }
    static Reply no_content() { return {204, nullptr}; }
    /// Prefect's {"detail": "..."} (404, 409, handler checks answered 422).
    static Reply detail(int status, const std::string& text) {
        return {status, nlohmann::json{{"detail", text}}};
    }
};

/// A reply known at once (the request was refused before any write), or one that is ready once
/// the store committed the request's transaction.
struct DeferredReply {
    std::optional<Reply> now;
    std::future<Reply> later;
};

/// The API version Prefect's server reports and its clients send (X-PREFECT-API-VERSION).
inline constexpr const char* kPrefectApiVersion = "0.8.4";
/// The Prefect server release whose API this one follows (GET /api/admin/version).
inline constexpr const char* kPrefectCompatibleRelease = "3.0.0";

/// Handlers over one engine. Each runs on the thread that calls it and blocks until its writes
/// are committed, so a 2xx means the data is in the database. Thread-safe as the engine is.
class Api {
public:
    explicit Api(std::shared_ptr<Engine> engine);

    Engine& engine() { return *m_engine; }

    Reply health();
    Reply version();
    /// The Prefect release this server is compatible with (Prefect clients check its major).
    Reply admin_version();

    // Bodies arrive as the client sent them: parsing and checking them is the handlers' job, so
    // every malformed body gets Prefect's 422. Ids come from the path, unchecked.
    Reply create_flow(const std::string& body);
    Reply read_flow(const std::string& id);
    Reply filter_flows(const std::string& body);
    Reply count_flows(const std::string& body);

    Reply create_flow_run(const std::string& body);
    Reply read_flow_run(const std::string& id);
    Reply delete_flow_run(const std::string& id);
    Reply filter_flow_runs(const std::string& body);
    Reply count_flow_runs(const std::string& body);
    Reply paginate_flow_runs(const std::string& body);
    Reply set_flow_run_state(const std::string& id, const std::string& body);
    /// set_state without blocking: the rules run in the writer's transaction, and the future
    /// reply is ready once it committed, so that many connections' state changes share one
    /// commit. The reply is the same as the blocking form's.
    DeferredReply set_flow_run_state_deferred(const std::string& id, const std::string& body);

    Reply create_task_run(const std::string& body);
    Reply read_task_run(const std::string& id);
    Reply filter_task_runs(const std::string& body);
    Reply count_task_runs(const std::string& body);
    Reply set_task_run_state(const std::string& id, const std::string& body);
    DeferredReply set_task_run_state_deferred(const std::string& id, const std::string& body);

    Reply create_logs(const std::string& body);
    Reply filter_logs(const std::string& body);

    // What Prefect's UI draws a run with (api_graph.cpp). Query parameters arrive decoded, empty
    // when absent.
    Reply flow_run_graph(const std::string& id, const std::string& since);
    Reply flow_run_states(const std::string& flow_run_id) {
        return run_states("flow_run_id", flow_run_id);
    }
    Reply task_run_states(const std::string& task_run_id) {
        return run_states("task_run_id", task_run_id);
    }
    Reply flow_run_history(const std::string& body);
    /// Past events, from the change feed (Prefect's EventPage; next_page is always null).
    Reply filter_events(const std::string& body);

    // Deployments (api_deployments.cpp). Path ids and names arrive decoded, unchecked.
    Reply create_deployment(const std::string& body); // upsert by flow and name: 201 / 200
    Reply read_deployment(const std::string& id);
    /// PATCH: DeploymentUpdate's fields that the body has; 204.
    Reply update_deployment(const std::string& id, const std::string& body);
    Reply read_deployment_by_name(const std::string& flow_name, const std::string& name);
    Reply delete_deployment(const std::string& id);
    Reply filter_deployments(const std::string& body);
    Reply count_deployments(const std::string& body);
    Reply create_deployment_flow_run(const std::string& id, const std::string& body);
    Reply pause_deployment(const std::string& id) { return set_deployment_paused(id, true); }
    Reply resume_deployment(const std::string& id) { return set_deployment_paused(id, false); }

    // Work pools and their workers (api_work_pools.cpp).
    Reply create_work_pool(const std::string& body);
    Reply read_work_pool(const std::string& name);
    /// PATCH: WorkPoolUpdate's fields that the body has; 204.
    Reply update_work_pool(const std::string& name, const std::string& body);
    Reply delete_work_pool(const std::string& name);
    Reply filter_work_pools(const std::string& body);
    Reply worker_heartbeat(const std::string& pool_name, const std::string& body);
    Reply filter_workers(const std::string& pool_name, const std::string& body);
    /// The pool's SCHEDULED runs due before `scheduled_before`, oldest first, within the pool's
    /// concurrency limit; none from a paused pool.
    Reply scheduled_flow_runs(const std::string& pool_name, const std::string& body);

    // Tag concurrency limits (api_concurrency.cpp): create (201, or 200 when the tag had one),
    // read and delete by tag, filter.
    Reply create_concurrency_limit(const std::string& body);
    Reply read_concurrency_limit(const std::string& tag);
    Reply delete_concurrency_limit(const std::string& tag);
    Reply filter_concurrency_limits(const std::string& body);

    // Pause and resume (api_pauses.cpp).
    Reply create_flow_run_input(const std::string& id, const std::string& body);
    Reply read_flow_run_input(const std::string& id, const std::string& key);
    Reply resume_flow_run(const std::string& id, const std::string& body);

private:
    Reply run_states(const char* query_name, const std::string& id);
    Reply set_deployment_paused(const std::string& id, bool paused);

    std::shared_ptr<Engine> m_engine;
    /// Log lines taken in lately, by the id a program gave them (Weft's extension of LogCreate).
    RecentIds m_log_ids{200000};
};

} // namespace weft::server
