#include "store_schema.hpp"

namespace weft::schema {

namespace {
// Times are INTEGER microseconds since the epoch (UTC); JSON columns are TEXT.
const char* const kV1 = R"SQL(
CREATE TABLE meta(key TEXT PRIMARY KEY, value TEXT);

CREATE TABLE flows(
  id TEXT PRIMARY KEY,
  name TEXT NOT NULL UNIQUE,
  created INTEGER NOT NULL,
  tags TEXT NOT NULL DEFAULT '[]'
);

CREATE TABLE flow_runs(
  id TEXT NOT NULL UNIQUE,
  flow_id TEXT NOT NULL,
  name TEXT NOT NULL,
  flow_version TEXT NOT NULL DEFAULT '',
  state_id TEXT NOT NULL,
  state_type TEXT NOT NULL,
  state_name TEXT NOT NULL,
  state_message TEXT NOT NULL DEFAULT '',
  state_timestamp INTEGER NOT NULL,
  state_details TEXT,
  parameters TEXT NOT NULL DEFAULT '{}',
  tags TEXT NOT NULL DEFAULT '[]',
  parent_task_run_id TEXT,
  run_count INTEGER NOT NULL DEFAULT 0,
  max_retries INTEGER NOT NULL DEFAULT 0,
  retry_delay_s REAL NOT NULL DEFAULT 0,
  start_time INTEGER,
  end_time INTEGER,
  total_run_time INTEGER NOT NULL DEFAULT 0,
  expected_start_time INTEGER NOT NULL,
  created INTEGER NOT NULL,
  updated INTEGER NOT NULL,
  program TEXT,
  working_dir TEXT,
  host TEXT,
  pid INTEGER NOT NULL DEFAULT 0,
  pid_start INTEGER NOT NULL DEFAULT 0,
  heartbeat INTEGER NOT NULL DEFAULT 0,
  result TEXT
);
CREATE INDEX flow_runs_by_expected_start ON flow_runs(expected_start_time);
CREATE INDEX flow_runs_by_flow ON flow_runs(flow_id, expected_start_time);
CREATE INDEX flow_runs_by_state ON flow_runs(state_type, expected_start_time);
CREATE INDEX flow_runs_by_parent ON flow_runs(parent_task_run_id) WHERE parent_task_run_id IS NOT NULL;

-- Ids are time-ordered UUIDs (v7), so the primary key B-tree grows at its end; no rowid table
-- beside it.
CREATE TABLE task_runs(
  id TEXT PRIMARY KEY NOT NULL,
  flow_run_id TEXT NOT NULL,
  task_key TEXT NOT NULL,
  dynamic_key TEXT NOT NULL,
  name TEXT NOT NULL,
  state_id TEXT NOT NULL,
  state_type TEXT NOT NULL,
  state_name TEXT NOT NULL,
  state_message TEXT NOT NULL DEFAULT '',
  state_timestamp INTEGER NOT NULL,
  state_details TEXT,
  run_count INTEGER NOT NULL DEFAULT 0,
  max_retries INTEGER NOT NULL DEFAULT 0,
  start_time INTEGER,
  end_time INTEGER,
  total_run_time INTEGER NOT NULL DEFAULT 0,
  expected_start_time INTEGER NOT NULL,
  created INTEGER NOT NULL,
  updated INTEGER NOT NULL,
  cache_key TEXT,
  cache_expiration INTEGER,
  inputs_hash TEXT,
  task_inputs TEXT NOT NULL DEFAULT '{}',
  parameters TEXT NOT NULL DEFAULT '{}',
  tags TEXT NOT NULL DEFAULT '[]',
  result TEXT,
  has_result INTEGER NOT NULL DEFAULT 0,
  child_flow_run_id TEXT
) WITHOUT ROWID;
CREATE INDEX task_runs_by_flow_run ON task_runs(flow_run_id);
CREATE INDEX task_runs_by_cache_key ON task_runs(cache_key) WHERE cache_key IS NOT NULL;

-- The change feed and the state history in one: state events are the history of each run.
-- seq is the rowid: new rows take max(seq) + 1, and the newest row is never deleted (a deletion
-- writes its own event first), so seq only grows.
CREATE TABLE events(
  seq INTEGER PRIMARY KEY,
  kind INTEGER NOT NULL,
  ts INTEGER NOT NULL,
  run_id TEXT,
  flow_run_id TEXT,
  state_id TEXT,
  state_type TEXT,
  state_name TEXT,
  state_message TEXT,
  state_details TEXT,
  payload TEXT
);
CREATE INDEX events_by_run ON events(run_id) WHERE run_id IS NOT NULL;

CREATE TABLE logs(
  id INTEGER PRIMARY KEY,
  flow_run_id TEXT,
  task_run_id TEXT,
  name TEXT NOT NULL,
  level INTEGER NOT NULL,
  timestamp INTEGER NOT NULL,
  message TEXT NOT NULL
);
CREATE INDEX logs_by_flow_run ON logs(flow_run_id);
CREATE VIRTUAL TABLE logs_fts USING fts5(message, content='logs', content_rowid='id');
CREATE TRIGGER logs_fts_insert AFTER INSERT ON logs BEGIN
  INSERT INTO logs_fts(rowid, message) VALUES (new.id, new.message);
END;
CREATE TRIGGER logs_fts_delete AFTER DELETE ON logs BEGIN
  INSERT INTO logs_fts(logs_fts, rowid, message) VALUES ('delete', old.id, old.message);
END;

CREATE TABLE concurrency_limits(
  tag TEXT PRIMARY KEY,
  concurrency_limit INTEGER NOT NULL,
  created INTEGER NOT NULL
);
CREATE TABLE concurrency_slots(
  tag TEXT NOT NULL,
  task_run_id TEXT NOT NULL,
  flow_run_id TEXT NOT NULL,
  acquired INTEGER NOT NULL,
  PRIMARY KEY(tag, task_run_id)
);
)SQL";

// What the launcher needs to start a run's program again besides its path and folder: the
// original arguments (a JSON array) and the WEFT_* environment variables (a JSON object).
const char* const kLaunchColumns = R"SQL(
ALTER TABLE flow_runs ADD COLUMN launch_args TEXT;
ALTER TABLE flow_runs ADD COLUMN launch_env TEXT;
)SQL";

// The pauses of flow runs (weft::pause_flow_run): the input each declared (a JSON schema) and the
// input it was resumed with.
const char* const kPauses = R"SQL(
CREATE TABLE flow_run_pauses(
  flow_run_id TEXT NOT NULL,
  pause_key TEXT NOT NULL,
  input_schema TEXT,
  input TEXT,
  created INTEGER NOT NULL,
  resumed INTEGER,
  PRIMARY KEY(flow_run_id, pause_key)
) WITHOUT ROWID;
)SQL";

// The lean events: nothing the runs tables already hold. A task run's event no longer repeats its
// flow run (the reader takes it from the task_runs row; a flow run's events are about the flow run
// itself), the state type is an integer code (see sqlite_rows.cpp: 1 SCHEDULED … 9 CANCELLING),
// and the state's name and message are NULL when they say nothing: the type's default name, an
// empty message. seq is copied, so the change feed goes on from where it was.
const char* const kLeanEvents = R"SQL(
CREATE TABLE events_lean(
  seq INTEGER PRIMARY KEY,
  kind INTEGER NOT NULL,
  ts INTEGER NOT NULL,
  run_id TEXT,
  state_id TEXT,
  state_type INTEGER,
  state_name TEXT,
  state_message TEXT,
  state_details TEXT,
  payload TEXT
);
INSERT INTO events_lean(seq, kind, ts, run_id, state_id, state_type, state_name, state_message,
                        state_details, payload)
SELECT seq, kind, ts, run_id, state_id,
  CASE state_type WHEN 'SCHEDULED' THEN 1 WHEN 'PENDING' THEN 2 WHEN 'RUNNING' THEN 3
    WHEN 'COMPLETED' THEN 4 WHEN 'FAILED' THEN 5 WHEN 'CANCELLED' THEN 6 WHEN 'CRASHED' THEN 7
    WHEN 'PAUSED' THEN 8 WHEN 'CANCELLING' THEN 9
    ELSE CASE WHEN state_type IS NOT NULL THEN 2 END END, -- an unknown type read as PENDING
  CASE WHEN state_name = substr(state_type, 1, 1) || lower(substr(state_type, 2)) THEN NULL
    ELSE state_name END,
  nullif(state_message, ''), state_details, payload
FROM events ORDER BY seq;
DROP TABLE events;
ALTER TABLE events_lean RENAME TO events;
CREATE INDEX events_by_run ON events(run_id) WHERE run_id IS NOT NULL;
-- A flow run's task runs, and one task call of it (Prefect's upsert key for task runs: the same
-- flow run, task_key and dynamic_key), found without reading the run's other task runs.
DROP INDEX task_runs_by_flow_run;
CREATE INDEX task_runs_by_flow_run ON task_runs(flow_run_id, task_key, dynamic_key);
)SQL";

// Deployments, work pools and their workers, for `weft deploy`, `weft worker` and the server's
// scheduler. A flow run's deployment, pool, queue and claiming worker sit in a table of their own
// keyed by the run, so flow_runs (read and written on every state change) stays as it was.
// Schedules are a JSON list of {id, cron | interval_s + anchor, timezone, active}.
const char* const kDeployments = R"SQL(
CREATE TABLE work_pools(
  id TEXT PRIMARY KEY NOT NULL,
  name TEXT NOT NULL UNIQUE,
  description TEXT NOT NULL DEFAULT '',
  type TEXT NOT NULL DEFAULT 'process',
  is_paused INTEGER NOT NULL DEFAULT 0,
  concurrency_limit INTEGER,
  default_queue_id TEXT NOT NULL,
  base_job_template TEXT NOT NULL DEFAULT '{}',
  created INTEGER NOT NULL,
  updated INTEGER NOT NULL
);
CREATE TABLE workers(
  work_pool_id TEXT NOT NULL,
  name TEXT NOT NULL,
  id TEXT NOT NULL,
  last_heartbeat INTEGER NOT NULL,
  heartbeat_interval_s INTEGER,
  created INTEGER NOT NULL,
  PRIMARY KEY(work_pool_id, name)
) WITHOUT ROWID;
CREATE TABLE deployments(
  id TEXT PRIMARY KEY NOT NULL,
  flow_id TEXT NOT NULL,
  name TEXT NOT NULL,
  entrypoint TEXT NOT NULL DEFAULT '',
  path TEXT NOT NULL DEFAULT '',
  parameters TEXT NOT NULL DEFAULT '{}',
  tags TEXT NOT NULL DEFAULT '[]',
  work_pool_name TEXT,
  work_queue_name TEXT,
  paused INTEGER NOT NULL DEFAULT 0,
  schedules TEXT NOT NULL DEFAULT '[]',
  description TEXT NOT NULL DEFAULT '',
  version TEXT NOT NULL DEFAULT '',
  job_variables TEXT NOT NULL DEFAULT '{}',
  created INTEGER NOT NULL,
  updated INTEGER NOT NULL,
  scheduled_until INTEGER,
  UNIQUE(flow_id, name)
);
CREATE TABLE flow_run_placements(
  flow_run_id TEXT PRIMARY KEY NOT NULL,
  deployment_id TEXT,
  work_pool_name TEXT,
  work_queue_name TEXT,
  worker_name TEXT
) WITHOUT ROWID;
CREATE INDEX placements_by_deployment ON flow_run_placements(deployment_id)
  WHERE deployment_id IS NOT NULL;
CREATE INDEX placements_by_pool ON flow_run_placements(work_pool_name, work_queue_name)
  WHERE work_pool_name IS NOT NULL;
)SQL";
// A deployment's parameter schema (a JSON object, Prefect's parameter_openapi_schema); NULL when
// it has none, as every deployment written before this step.
const char* const kParameterSchema = R"SQL(
ALTER TABLE deployments ADD COLUMN parameter_openapi_schema TEXT;
)SQL";
} // namespace

const std::vector<const char*>& migrations() {
    static const std::vector<const char*> all{kV1,         kLaunchColumns, kPauses,
                                              kLeanEvents, kDeployments,   kParameterSchema};
    return all;
}

} // namespace weft::schema
