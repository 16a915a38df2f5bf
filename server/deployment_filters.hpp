#pragma once
// Prefect's deployments, work_pools and work_pool_queues filters: on their own (deployments/filter,
// work_pools/filter) and as conditions of flow-run filters (the runs of matching deployments, in
// matching pools and queues). Bodies have passed their schema already.
#include "filters.hpp"

#include <weft/store.hpp>

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace weft::server {

/// Narrows `q` by the body's deployments, work_pools and work_pool_queues filters, and by
/// flow_runs.deployment_id and flow_runs.work_queue_name.
void apply_placement_filters(const nlohmann::json& body, Reader& reader, FlowRunQuery& q,
                             bool& none, std::string& unsupported);

/// deployments/filter and deployments/count: the matching deployments, sorted and paged (all of
/// them, for a count, when `paged` is false).
Selection<std::vector<DeploymentRecord>> deployment_selection(const nlohmann::json& body,
                                                              Reader& reader, bool paged = true);

/// work_pools/filter: the matching pools by name, paged.
Selection<std::vector<WorkPoolRecord>> work_pool_selection(const nlohmann::json& body,
                                                           Reader& reader);

/// The ids of the flows that have a deployment.
std::vector<std::string> deployed_flow_ids(Reader& reader);

} // namespace weft::server
