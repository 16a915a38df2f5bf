#pragma once
// The request bodies this server accepts, as field tables (validation.hpp) following Prefect's
// OpenAPI schemas (prefect-openapi.json): every listed field is accepted, even those Weft does not
// use yet, and unknown fields are refused where Prefect refuses them.
#include "validation.hpp"

namespace weft::server::schemas {

const Schema& flow_create();
const Schema& flow_run_create();
const Schema& task_run_create();
const Schema& log_create();
/// One reference in a task run's task_inputs ({"input_type": "task_run", "id": …}).
const Schema& task_input();
const Schema& set_state_body(); // {state: StateCreate, force}
const Schema& flows_filter_body();
const Schema& flow_runs_filter_body();   // also flow_runs/count (without sort, limit, offset)
const Schema& flow_runs_paginate_body(); // the filters with page instead of offset
const Schema& task_runs_filter_body();
const Schema& logs_filter_body();
const Schema& flow_runs_history_body(); // the flow-run filters and the intervals
const Schema& event_filter();       // Prefect's EventFilter (events/filter, the events/out stream)
const Schema& events_filter_body(); // {filter: EventFilter, limit}

// Deployments and work pools.
const Schema& interval_schedule(); // {interval, anchor_date, timezone}
const Schema& cron_schedule();     // {cron, timezone, day_or}
const Schema& deployment_create(); // its schedules checked further by check_deployment_schedules
const Schema& deployment_update(); // PATCH; its schedules as deployment_create's
const Schema& deployment_flow_run_create();
const Schema& deployments_filter_body(); // also deployments/count
const Schema& work_pool_create();
const Schema& work_pool_update(); // PATCH
const Schema& work_pools_filter_body();
const Schema& workers_filter_body();
const Schema& worker_heartbeat_body();
const Schema& scheduled_flow_runs_body(); // get_scheduled_flow_runs
const Schema& concurrency_limit_create(); // {tag, concurrency_limit}
const Schema& concurrency_limits_filter_body();
// Pause and resume.
const Schema& flow_run_input_create(); // {key, value (text), sender}
const Schema& resume_flow_run_body();  // {run_input}

} // namespace weft::server::schemas
