#include "sqlite/sqlite_rows.hpp"

#include "weft/store_backend.hpp"

#include <sqlite3.h>

namespace weft::rows {

const char* const kFlowRunColumns =
    "id, flow_id, (SELECT name FROM flows WHERE flows.id = flow_runs.flow_id), name, flow_version, "
    "state_id, state_type, state_name, state_message, state_timestamp, state_details, "
    "parameters, tags, parent_task_run_id, run_count, max_retries, retry_delay_s, start_time, "
    "end_time, total_run_time, expected_start_time, created, updated, program, working_dir, host, "
    "pid, pid_start, heartbeat, result, launch_args, launch_env, "
    // The placement, from its own table (one primary-key look-up each; NULL when none).
    "(SELECT p.deployment_id FROM flow_run_placements p WHERE p.flow_run_id = flow_runs.id), "
    "(SELECT p.work_pool_name FROM flow_run_placements p WHERE p.flow_run_id = flow_runs.id), "
    "(SELECT p.work_queue_name FROM flow_run_placements p WHERE p.flow_run_id = flow_runs.id), "
    "(SELECT p.worker_name FROM flow_run_placements p WHERE p.flow_run_id = flow_runs.id)";

const char* const kTaskRunColumns =
    "id, flow_run_id, task_key, dynamic_key, name, state_id, state_type, state_name, "
    "state_message, "
    "state_timestamp, state_details, run_count, max_retries, start_time, end_time, total_run_time, "
    "expected_start_time, created, updated, cache_key, cache_expiration, inputs_hash, task_inputs, "
    "parameters, tags, result, has_result, child_flow_run_id";

// An event's flow run is not stored: a task run's is on its row (kinds 3 and 4), a flow run's
// events and its log batches are about the flow run itself, and flows and limits have none.
const char* const kEventColumns =
    "seq, kind, ts, run_id, CASE WHEN kind IN (3, 4) THEN (SELECT t.flow_run_id FROM task_runs t "
    "WHERE t.id = events.run_id) WHEN kind IN (7, 8) THEN NULL ELSE run_id END, state_id, "
    "state_type, state_name, state_message, state_details, payload";

const char* const kLogColumns = "id, flow_run_id, task_run_id, name, level, timestamp, message";

namespace {
std::string text(SQLite::Statement& st, int i) {
    const char* s = st.getColumn(i).getText("");
    return s ? std::string(s) : std::string();
}
std::optional<Micros> opt_time(SQLite::Statement& st, int i) {
    auto c = st.getColumn(i);
    if (c.isNull()) return std::nullopt;
    return c.getInt64();
}
nlohmann::json json_col(SQLite::Statement& st, int i, nlohmann::json fallback = nullptr) {
    auto c = st.getColumn(i);
    if (c.isNull()) return fallback;
    auto parsed = nlohmann::json::parse(c.getText(""), nullptr, false);
    return parsed.is_discarded() ? fallback : parsed;
}
void bind_text(SQLite::Statement& st, int i, const std::string& s) {
    st.bindNoCopy(i, s);
}
void bind_opt_text(SQLite::Statement& st, int i, const std::string& s) {
    if (s.empty())
        st.bind(i);
    else
        st.bindNoCopy(i, s);
}
void bind_opt_time(SQLite::Statement& st, int i, const std::optional<Micros>& t) {
    if (t)
        st.bind(i, static_cast<int64_t>(*t));
    else
        st.bind(i);
}
void bind_json(SQLite::Statement& st, int i, const nlohmann::json& j) {
    if (j.is_null())
        st.bind(i);
    else
        st.bind(i, j.dump());
}

// Columns i and i + 1: the launch's arguments (a JSON array) and WEFT_* variables (an object);
// NULL when there are none, as in rows written before they were recorded.
void read_launch_extras(SQLite::Statement& st, int i, LaunchInfo& launch) {
    const auto args = json_col(st, i);
    if (args.is_array())
        for (const auto& a : args)
            if (a.is_string()) launch.arguments.push_back(a.get<std::string>());
    const auto env = json_col(st, i + 1);
    if (env.is_object())
        for (const auto& [key, value] : env.items())
            if (value.is_string()) launch.environment.emplace_back(key, value.get<std::string>());
}
void bind_launch_extras(SQLite::Statement& st, int i, const LaunchInfo& launch) {
    bind_json(st, i,
              launch.arguments.empty() ? nlohmann::json() : nlohmann::json(launch.arguments));
    nlohmann::json env; // null when empty
    for (const auto& [key, value] : launch.environment)
        env[key] = value;
    bind_json(st, i + 1, env);
}
} // namespace

} // namespace weft::rows

namespace weft::rows {

std::string tags_to_text(const std::vector<std::string>& tags) {
    return detail::tags_text(tags);
}

std::vector<std::string> tags_from_text(const char* t) {
    std::vector<std::string> out;
    if (!t || !*t || std::string_view(t) == "[]") return out;
    auto j = nlohmann::json::parse(t, nullptr, false);
    if (j.is_array())
        for (auto& e : j)
            if (e.is_string()) out.push_back(e.get<std::string>());
    return out;
}

State read_state(SQLite::Statement& st, int c) {
    State s;
    s.id = text(st, c);
    s.type = state_type_from_string(text(st, c + 1)).value_or(StateType::Pending);
    s.name = text(st, c + 2);
    s.message = text(st, c + 3);
    s.timestamp = st.getColumn(c + 4).getInt64();
    s.details = json_col(st, c + 5);
    return s;
}

int state_code(StateType type) {
    switch (type) {
    case StateType::Scheduled:
        return 1;
    case StateType::Pending:
        return 2;
    case StateType::Running:
        return 3;
    case StateType::Completed:
        return 4;
    case StateType::Failed:
        return 5;
    case StateType::Cancelled:
        return 6;
    case StateType::Crashed:
        return 7;
    case StateType::Paused:
        return 8;
    case StateType::Cancelling:
        return 9;
    }
    return 2;
}

StateType state_from_code(int code) {
    static constexpr StateType kByCode[] = {
        StateType::Scheduled, StateType::Pending, StateType::Running,
        StateType::Completed, StateType::Failed,  StateType::Cancelled,
        StateType::Crashed,   StateType::Paused,  StateType::Cancelling,
    };
    return code >= 1 && code <= 9 ? kByCode[code - 1] : StateType::Pending;
}

State read_event_state(SQLite::Statement& st, int c) {
    State s;
    s.id = text(st, c);
    s.type = state_from_code(st.getColumn(c + 1).getInt());
    s.name = st.getColumn(c + 2).isNull() ? std::string(default_name(s.type)) : text(st, c + 2);
    s.message = text(st, c + 3);
    s.timestamp = st.getColumn(c + 4).getInt64();
    s.details = json_col(st, c + 5);
    return s;
}

FlowRunRecord read_flow_run(SQLite::Statement& st) {
    FlowRunRecord r;
    r.id = text(st, 0);
    r.flow_id = text(st, 1);
    r.flow_name = text(st, 2);
    r.name = text(st, 3);
    r.flow_version = text(st, 4);
    r.state = read_state(st, 5);
    r.parameters = json_col(st, 11, nlohmann::json::object());
    r.tags = tags_from_text(st.getColumn(12).getText(""));
    r.parent_task_run_id = text(st, 13);
    r.run_count = st.getColumn(14).getInt();
    r.max_retries = st.getColumn(15).getInt();
    r.retry_delay_s = st.getColumn(16).getDouble();
    r.start_time = opt_time(st, 17);
    r.end_time = opt_time(st, 18);
    r.total_run_time = st.getColumn(19).getInt64();
    r.expected_start_time = st.getColumn(20).getInt64();
    r.created = st.getColumn(21).getInt64();
    r.updated = st.getColumn(22).getInt64();
    r.launch.program = text(st, 23);
    r.launch.working_dir = text(st, 24);
    r.process.host = text(st, 25);
    r.process.pid = st.getColumn(26).getInt64();
    r.process.start_ticks = st.getColumn(27).getInt64();
    r.process.heartbeat = st.getColumn(28).getInt64();
    r.result = json_col(st, 29);
    read_launch_extras(st, 30, r.launch);
    r.placement.deployment_id = text(st, 32);
    r.placement.work_pool_name = text(st, 33);
    r.placement.work_queue_name = text(st, 34);
    r.placement.worker_name = text(st, 35);
    return r;
}

void bind_flow_run(SQLite::Statement& st, const FlowRunRecord& r) {
    bind_text(st, 1, r.id);
    bind_text(st, 2, r.flow_id);
    bind_text(st, 3, r.name);
    bind_text(st, 4, r.flow_version);
    bind_text(st, 5, r.state.id);
    st.bindNoCopy(6, to_string(r.state.type).data());
    bind_text(st, 7, r.state.name);
    bind_text(st, 8, r.state.message);
    st.bind(9, static_cast<int64_t>(r.state.timestamp));
    bind_json(st, 10, r.state.details);
    st.bind(11, r.parameters.dump());
    st.bind(12, tags_to_text(r.tags));
    bind_opt_text(st, 13, r.parent_task_run_id);
    st.bind(14, r.run_count);
    st.bind(15, r.max_retries);
    st.bind(16, r.retry_delay_s);
    bind_opt_time(st, 17, r.start_time);
    bind_opt_time(st, 18, r.end_time);
    st.bind(19, static_cast<int64_t>(r.total_run_time));
    st.bind(20, static_cast<int64_t>(r.expected_start_time));
    st.bind(21, static_cast<int64_t>(r.created));
    st.bind(22, static_cast<int64_t>(r.updated));
    bind_opt_text(st, 23, r.launch.program);
    bind_opt_text(st, 24, r.launch.working_dir);
    bind_opt_text(st, 25, r.process.host);
    st.bind(26, static_cast<int64_t>(r.process.pid));
    st.bind(27, static_cast<int64_t>(r.process.start_ticks));
    st.bind(28, static_cast<int64_t>(r.process.heartbeat));
    bind_json(st, 29, r.result);
    bind_launch_extras(st, 30, r.launch);
}

TaskRunRecord read_task_run(SQLite::Statement& st) {
    TaskRunRecord r;
    r.id = text(st, 0);
    r.flow_run_id = text(st, 1);
    r.task_key = text(st, 2);
    r.dynamic_key = text(st, 3);
    r.name = text(st, 4);
    r.state = read_state(st, 5);
    r.run_count = st.getColumn(11).getInt();
    r.max_retries = st.getColumn(12).getInt();
    r.start_time = opt_time(st, 13);
    r.end_time = opt_time(st, 14);
    r.total_run_time = st.getColumn(15).getInt64();
    r.expected_start_time = st.getColumn(16).getInt64();
    r.created = st.getColumn(17).getInt64();
    r.updated = st.getColumn(18).getInt64();
    r.cache_key = text(st, 19);
    r.cache_expiration = opt_time(st, 20);
    r.inputs_hash = text(st, 21);
    r.task_inputs = json_col(st, 22, nlohmann::json::object());
    r.parameters = json_col(st, 23, nlohmann::json::object());
    r.tags = tags_from_text(st.getColumn(24).getText(""));
    r.result = json_col(st, 25);
    r.has_result = st.getColumn(26).getInt() != 0;
    r.child_flow_run_id = text(st, 27);
    return r;
}

namespace {
// Binds a queued task run's columns: its texts stay valid until the statement has run, so none
// is copied.
class ColumnBinder {
public:
    explicit ColumnBinder(sqlite3_stmt* st)
        : m_st(st) {}
    void text(int i, std::string_view s) {
        // A null pointer would bind NULL: an empty text is ''.
        check(sqlite3_bind_text(m_st, i, s.data() ? s.data() : "", int(s.size()), SQLITE_STATIC));
    }
    void opt_text(int i, std::string_view s) { s.empty() ? null(i) : text(i, s); }
    void opt_text(int i, const std::optional<std::string_view>& s) { s ? text(i, *s) : null(i); }
    void integer(int i, std::int64_t v) { check(sqlite3_bind_int64(m_st, i, v)); }
    void opt_time(int i, const std::optional<Micros>& t) { t ? integer(i, *t) : null(i); }
    void null(int i) { check(sqlite3_bind_null(m_st, i)); }

private:
    void check(int rc) {
        if (rc != SQLITE_OK) throw SQLite::Exception(sqlite3_db_handle(m_st), rc);
    }
    sqlite3_stmt* m_st;
};
} // namespace

void bind_task_run(sqlite3_stmt* st, const TaskRunColumns& r) {
    ColumnBinder b(st);
    b.text(1, r.id);
    b.text(2, r.flow_run_id);
    b.text(3, r.task_key);
    b.text(4, r.dynamic_key);
    b.text(5, r.name);
    b.text(6, r.state_id);
    b.text(7, to_string(r.state_type));
    b.text(8, r.state_name);
    b.text(9, r.state_message);
    b.integer(10, r.state_timestamp);
    b.opt_text(11, r.state_details);
    b.integer(12, r.run_count);
    b.integer(13, r.max_retries);
    b.opt_time(14, r.start_time);
    b.opt_time(15, r.end_time);
    b.integer(16, r.total_run_time);
    b.integer(17, r.expected_start_time);
    b.integer(18, r.created);
    b.integer(19, r.updated);
    b.opt_text(20, r.cache_key);
    b.opt_time(21, r.cache_expiration);
    b.opt_text(22, r.inputs_hash);
    b.text(23, r.task_inputs.value_or("{}"));
    b.text(24, r.parameters.value_or("{}"));
    b.text(25, r.tags);
    b.opt_text(26, r.result);
    b.integer(27, r.has_result ? 1 : 0);
    b.opt_text(28, r.child_flow_run_id);
}

void bind_task_run_update(sqlite3_stmt* st, const TaskRunColumns& u) {
    ColumnBinder b(st);
    b.text(1, u.id);
    b.text(2, u.state_id);
    b.text(3, to_string(u.state_type));
    b.text(4, u.state_name);
    b.text(5, u.state_message);
    b.integer(6, u.state_timestamp);
    b.opt_text(7, u.state_details);
    b.integer(8, u.run_count);
    b.opt_time(9, u.start_time);
    b.opt_time(10, u.end_time);
    b.integer(11, u.total_run_time);
    b.integer(12, u.updated);
    b.opt_text(13, u.cache_key);
    b.opt_time(14, u.cache_expiration);
    b.opt_text(15, u.inputs_hash);
    b.opt_text(16, u.parameters); // NULL: the stored ones stay
    b.opt_text(17, u.result);
    b.integer(18, u.has_result ? 1 : 0);
    b.opt_text(19, u.task_inputs);
}

void bind_task_run_event(sqlite3_stmt* st, EventKind kind, const TaskRunColumns& r) {
    ColumnBinder b(st);
    b.integer(1, int(kind));
    b.integer(2, r.state_timestamp);
    b.opt_text(3, r.id);
    b.text(4, r.state_id);
    b.integer(5, state_code(r.state_type));
    if (r.state_name == default_name(r.state_type))
        b.null(6);
    else
        b.text(6, r.state_name);
    b.opt_text(7, r.state_message);
    b.opt_text(8, r.state_details);
    b.null(9);
}

Event read_event(SQLite::Statement& st) {
    Event e;
    e.seq = st.getColumn(0).getInt64();
    e.kind = static_cast<EventKind>(st.getColumn(1).getInt());
    e.ts = st.getColumn(2).getInt64();
    e.run_id = text(st, 3);
    e.flow_run_id = text(st, 4);
    if (!st.getColumn(6).isNull()) {
        // Columns 5..9 are read_event_state's but for the time, which is the event's.
        State s;
        s.id = text(st, 5);
        s.type = state_from_code(st.getColumn(6).getInt());
        s.name = st.getColumn(7).isNull() ? std::string(default_name(s.type)) : text(st, 7);
        s.message = text(st, 8);
        s.timestamp = e.ts;
        s.details = json_col(st, 9);
        e.state = std::move(s);
    }
    e.payload = json_col(st, 10);
    return e;
}

LogRecord read_log(SQLite::Statement& st) {
    LogRecord l;
    l.id = st.getColumn(0).getInt64();
    l.flow_run_id = text(st, 1);
    l.task_run_id = text(st, 2);
    l.name = text(st, 3);
    l.level = st.getColumn(4).getInt();
    l.timestamp = st.getColumn(5).getInt64();
    l.message = text(st, 6);
    return l;
}

} // namespace weft::rows
