#pragma once
// Prefect's filter bodies (flows, flow_runs, task_runs, logs objects with any_, not_any_, like_,
// before_, after_, is_null_; sort, offset, limit) as the store's queries. Bodies have passed their
// schema already. Conditions on creators (Weft records none) match no run, as they would match
// none on a Prefect server without them; the few conditions the store cannot answer yet are
// reported as unsupported rather than ignored. Deployment and work-pool conditions:
// deployment_filters.hpp.
#include <weft/store.hpp>

#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

namespace weft::server {

/// The most rows one filter answers, and the default (Prefect's PREFECT_SERVER_API_DEFAULT_LIMIT).
inline constexpr int kMaxLimit = 200;

/// A body's conditions as a query of the store, or why there is none.
template<class Query> struct Selection {
    Query query;
    bool none = false;       // a condition no row can meet (e.g. any_: [])
    std::string unsupported; // non-empty: a condition this server cannot answer yet
};

/// The limit a filter body asks for: its "limit", else kMaxLimit. nullopt above kMaxLimit or
/// below 0.
std::optional<int> requested_limit(const nlohmann::json& body);

/// flow_runs/filter and flow_runs/count: the flows, flow_runs and task_runs filters together.
Selection<FlowRunQuery> flow_run_selection(const nlohmann::json& body, Reader& reader);
/// task_runs/filter: its task_runs filter, and the flow runs (flows, flow_runs) they belong to.
Selection<TaskRunQuery> task_run_selection(const nlohmann::json& body, Reader& reader);
/// logs/filter.
Selection<LogQuery> log_selection(const nlohmann::json& body);
/// flows/filter: the matching flows, sorted and paged (all of them, for a count, when `paged`
/// is false).
Selection<std::vector<FlowRecord>> flow_selection(const nlohmann::json& body, Reader& reader,
                                                  bool paged = true);

} // namespace weft::server
