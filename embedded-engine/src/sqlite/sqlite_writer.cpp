// The SQLite writer connection: Txn's operations and the Store's group writes as SQL.
#include "engine_log.hpp"
#include "sqlite/sqlite_errors.hpp"
#include "sqlite/sqlite_rows.hpp"
#include "sqlite/sqlite_store.hpp"
#include "store_queue.hpp"

#include <SQLiteCpp/SQLiteCpp.h>
#include <chrono>
#include <spdlog/spdlog.h>
#include <sqlite3.h>
#include <thread>
#include <unordered_map>

namespace weft::sqlite {

namespace {

const char* const kInsertFlowRun =
    "INSERT INTO flow_runs(id, flow_id, name, flow_version, state_id, state_type, state_name, "
    "state_message, state_timestamp, state_details, parameters, tags, parent_task_run_id, "
    "run_count, max_retries, retry_delay_s, start_time, end_time, total_run_time, "
    "expected_start_time, created, updated, program, working_dir, host, pid, pid_start, "
    "heartbeat, result, launch_args, launch_env) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, "
    "?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, ?19, ?20, ?21, ?22, ?23, ?24, ?25, ?26, ?27, "
    "?28, ?29, ?30, ?31)";

const char* const kUpdateFlowRun =
    "UPDATE flow_runs SET name=?3, flow_version=?4, state_id=?5, state_type=?6, state_name=?7, "
    "state_message=?8, state_timestamp=?9, state_details=?10, parameters=?11, tags=?12, "
    "parent_task_run_id=?13, run_count=?14, max_retries=?15, retry_delay_s=?16, start_time=?17, "
    "end_time=?18, total_run_time=?19, expected_start_time=?20, updated=?22, program=?23, "
    "working_dir=?24, host=?25, pid=?26, pid_start=?27, heartbeat=?28, result=?29, "
    "launch_args=?30, launch_env=?31 WHERE id=?1";

const char* const kInsertTaskRun =
    "INSERT INTO task_runs(id, flow_run_id, task_key, dynamic_key, name, state_id, state_type, "
    "state_name, state_message, state_timestamp, state_details, run_count, max_retries, "
    "start_time, end_time, total_run_time, expected_start_time, created, updated, cache_key, "
    "cache_expiration, inputs_hash, task_inputs, parameters, tags, result, has_result, "
    "child_flow_run_id) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, "
    "?15, ?16, ?17, ?18, ?19, ?20, ?21, ?22, ?23, ?24, ?25, ?26, ?27, ?28)";

const char* const kUpdateTaskRun =
    "UPDATE task_runs SET state_id=?6, state_type=?7, state_name=?8, state_message=?9, "
    "state_timestamp=?10, state_details=?11, run_count=?12, max_retries=?13, start_time=?14, "
    "end_time=?15, total_run_time=?16, expected_start_time=?17, updated=?19, cache_key=?20, "
    "cache_expiration=?21, inputs_hash=?22, task_inputs=?23, parameters=?24, tags=?25, "
    "result=?26, has_result=?27, child_flow_run_id=?28 WHERE id=?1";

const char* const kUpdateTaskRunState =
    "UPDATE task_runs SET state_id=?2, state_type=?3, state_name=?4, state_message=?5, "
    "state_timestamp=?6, state_details=?7, run_count=?8, start_time=?9, end_time=?10, "
    "total_run_time=?11, updated=?12, cache_key=?13, cache_expiration=?14, inputs_hash=?15, "
    "parameters=coalesce(?16, parameters), result=?17, has_result=?18, "
    "task_inputs=coalesce(?19, task_inputs) WHERE id=?1";

// The lean form (see schema step kLeanEvents): no flow run id, the state type's code, the name
// NULL when it is the type's default, the message NULL when empty.
const char* const kInsertEvent =
    "INSERT INTO events(kind, ts, run_id, state_id, state_type, state_name, state_message, "
    "state_details, payload) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)";

const char* const kInsertLog = "INSERT INTO logs(flow_run_id, task_run_id, name, level, "
                               "timestamp, message) VALUES (?, ?, ?, ?, ?, ?)";

void exec_cached(SqliteReader& r, const char* sql) {
    auto st = r.cached(sql);
    st->exec();
}

// A feed event (a task run's own events: insert_task_run_event). The flow run it belongs to is
// not stored: the reader derives it (rows::kEventColumns).
void insert_event(SqliteReader& r, EventKind kind, Micros ts, const std::string& run_id,
                  const State* state, const nlohmann::json& payload) {
    auto st = r.cached(kInsertEvent);
    st->bind(1, int(kind));
    st->bind(2, static_cast<int64_t>(ts));
    if (run_id.empty())
        st->bind(3);
    else
        st->bindNoCopy(3, run_id);
    if (state) {
        st->bindNoCopy(4, state->id);
        st->bind(5, rows::state_code(state->type));
        if (state->name == default_name(state->type))
            st->bind(6);
        else
            st->bindNoCopy(6, state->name);
        if (state->message.empty())
            st->bind(7);
        else
            st->bindNoCopy(7, state->message);
        if (state->details.is_null())
            st->bind(8);
        else
            st->bind(8, state->details.dump());
    } else {
        for (int i = 4; i <= 8; ++i)
            st->bind(i);
    }
    if (payload.is_null())
        st->bind(9);
    else
        st->bind(9, payload.dump());
    st->exec();
}

} // namespace

HotStatement::~HotStatement() {
    sqlite3_finalize(m_st);
}

sqlite3_stmt* HotStatement::get() {
    if (!m_st) {
        const int rc =
            sqlite3_prepare_v3(m_db, m_sql, -1, SQLITE_PREPARE_PERSISTENT, &m_st, nullptr);
        if (rc != SQLITE_OK) throw SQLite::Exception(m_db, rc);
    }
    return m_st;
}

void HotStatement::exec() {
    const int rc = sqlite3_step(m_st);
    // Reset at once: a statement left mid-way would hold the connection's snapshot.
    sqlite3_reset(m_st);
    if (rc != SQLITE_DONE && rc != SQLITE_ROW) throw SQLite::Exception(m_db, rc);
}

SqliteWriter::SqliteWriter(std::unique_ptr<SQLite::Database> db, std::string path)
    : m_reader(std::move(db))
    , m_path(std::move(path))
    , m_insert_task_run(m_reader.db(), kInsertTaskRun)
    , m_update_task_run(m_reader.db(), kUpdateTaskRun)
    , m_update_task_run_state(m_reader.db(), kUpdateTaskRunState)
    , m_insert_event(m_reader.db(), kInsertEvent) {}

void SqliteWriter::write_task_run_row(const TaskRunColumns& run, bool insert) {
    HotStatement& st = insert ? m_insert_task_run : m_update_task_run;
    rows::bind_task_run(st.get(), run);
    st.exec();
}

void SqliteWriter::insert_task_run_event(EventKind kind, const TaskRunColumns& run) {
    rows::bind_task_run_event(m_insert_event.get(), kind, run);
    m_insert_event.exec();
}

void SqliteWriter::put_flow(const FlowRecord& flow) {
    auto st = m_reader.cached("INSERT INTO flows(id, name, created, tags) VALUES (?, ?, ?, ?) ON "
                              "CONFLICT(name) DO NOTHING");
    st->bindNoCopy(1, flow.id);
    st->bindNoCopy(2, flow.name);
    st->bind(3, static_cast<int64_t>(flow.created));
    st->bind(4, rows::tags_to_text(flow.tags));
    if (st->exec() > 0)
        insert_event(m_reader, EventKind::FlowCreated, flow.created, flow.id, nullptr,
                     {{"name", flow.name}});
}

void SqliteWriter::put_flow_run(const FlowRunRecord& run, EventKind kind) {
    // Created inserts; any other kind updates. Only creations and state changes enter the feed.
    auto st = m_reader.cached(kind == EventKind::FlowRunCreated ? kInsertFlowRun : kUpdateFlowRun);
    rows::bind_flow_run(*st, run);
    st->exec();
    if (!run.placement.empty()) put_placement(run.id, run.placement);
    if (kind == EventKind::FlowRunCreated || kind == EventKind::FlowRunState)
        insert_event(m_reader, kind, run.state.timestamp, run.id, &run.state, nullptr);
}

void SqliteWriter::put_task_run(const TaskRunRecord& run, EventKind kind) {
    std::string texts;
    detail::QueuedWrite write;
    detail::encode_task_run(run, kind, nullptr, write, texts);
    const TaskRunColumns columns = detail::columns(write, texts.data());
    write_task_run_row(columns, kind == EventKind::TaskRunCreated);
    if (kind == EventKind::TaskRunCreated || kind == EventKind::TaskRunState)
        insert_task_run_event(kind, columns);
}

void SqliteWriter::delete_flow_run(const std::string& id) {
    // Subflow runs go with their parent.
    std::vector<std::string> children;
    {
        auto st = m_reader.cached("SELECT f.id FROM flow_runs f JOIN task_runs t ON "
                                  "f.parent_task_run_id = t.id WHERE t.flow_run_id = ?");
        st->bind(1, id);
        while (st->executeStep())
            children.push_back(st->getColumn(0).getString());
        st->reset();
    }
    for (const auto& child : children)
        delete_flow_run(child);
    // The deletion's event comes first: it outlives the run's own events, so the newest event is
    // never deleted and sequence numbers are never reused.
    insert_event(m_reader, EventKind::FlowRunDeleted, now_us(), id, nullptr, nullptr);
    const auto deletion_seq = db().getLastInsertRowid();
    const char* statements[] = {
        "DELETE FROM events WHERE run_id IN (SELECT id FROM task_runs WHERE flow_run_id = ?1) "
        "AND seq < ?2",
        "DELETE FROM events WHERE run_id = ?1 AND seq < ?2",
        "DELETE FROM logs WHERE flow_run_id = ?1",
        "DELETE FROM concurrency_slots WHERE flow_run_id = ?1",
        "DELETE FROM flow_run_pauses WHERE flow_run_id = ?1",
        "DELETE FROM flow_run_placements WHERE flow_run_id = ?1",
        "DELETE FROM task_runs WHERE flow_run_id = ?1",
        "DELETE FROM flow_runs WHERE id = ?1",
    };
    for (const char* sql : statements) {
        auto st = m_reader.cached(sql);
        st->bind(1, id);
        if (st->getBindParameterCount() >= 2) st->bind(2, static_cast<int64_t>(deletion_seq));
        st->exec();
    }
}

void SqliteWriter::set_concurrency_limit(const std::string& tag, int limit) {
    auto st = m_reader.cached("INSERT INTO concurrency_limits(tag, concurrency_limit, created) "
                              "VALUES (?, ?, ?) ON CONFLICT(tag) DO UPDATE SET "
                              "concurrency_limit = excluded.concurrency_limit");
    st->bind(1, tag);
    st->bind(2, limit);
    st->bind(3, static_cast<int64_t>(now_us()));
    st->exec();
    insert_event(m_reader, EventKind::ConcurrencyLimits, now_us(), {}, nullptr,
                 {{"tag", tag}, {"limit", limit}});
}

bool SqliteWriter::delete_concurrency_limit(const std::string& tag) {
    auto st = m_reader.cached("DELETE FROM concurrency_limits WHERE tag = ?");
    st->bind(1, tag);
    const bool deleted = st->exec() > 0;
    auto slots = m_reader.cached("DELETE FROM concurrency_slots WHERE tag = ?");
    slots->bind(1, tag);
    slots->exec();
    if (deleted)
        insert_event(m_reader, EventKind::ConcurrencyLimits, now_us(), {}, nullptr,
                     {{"tag", tag}, {"limit", nullptr}});
    return deleted;
}

std::string SqliteWriter::acquire_slots(const std::vector<std::string>& tags,
                                        const std::string& task_run_id,
                                        const std::string& flow_run_id) {
    std::vector<std::string> limited;
    for (const auto& tag : tags) {
        auto st = m_reader.cached(
            "SELECT l.concurrency_limit, (SELECT count(*) FROM concurrency_slots s WHERE s.tag = "
            "l.tag AND s.task_run_id <> ?2) FROM concurrency_limits l WHERE l.tag = ?1");
        st->bind(1, tag);
        st->bind(2, task_run_id);
        if (st->executeStep()) {
            const int limit = st->getColumn(0).getInt();
            const int active = st->getColumn(1).getInt();
            st->reset();
            if (active >= limit) return tag;
            limited.push_back(tag);
        } else {
            st->reset();
        }
    }
    for (const auto& tag : limited) {
        auto st = m_reader.cached("INSERT OR IGNORE INTO concurrency_slots(tag, task_run_id, "
                                  "flow_run_id, acquired) VALUES (?, ?, ?, ?)");
        st->bind(1, tag);
        st->bind(2, task_run_id);
        st->bind(3, flow_run_id);
        st->bind(4, static_cast<int64_t>(now_us()));
        st->exec();
    }
    return {};
}

void SqliteWriter::release_slots(const std::string& task_run_id) {
    auto st = m_reader.cached("DELETE FROM concurrency_slots WHERE task_run_id = ?");
    st->bind(1, task_run_id);
    st->exec();
}

void SqliteWriter::release_slots_of_flow_run(const std::string& flow_run_id) {
    auto st = m_reader.cached("DELETE FROM concurrency_slots WHERE flow_run_id = ?");
    st->bind(1, flow_run_id);
    st->exec();
}

void SqliteWriter::heartbeat(const std::string& flow_run_id, Micros at) {
    auto st = m_reader.cached("UPDATE flow_runs SET heartbeat = ? WHERE id = ?");
    st->bind(1, static_cast<int64_t>(at));
    st->bind(2, flow_run_id);
    st->exec();
}

// Begins the group's transaction, waiting as long as other processes hold the write lock:
// nothing queued is ever dropped for being busy.
void SqliteWriter::begin() {
    for (int attempt = 0;; ++attempt) {
        try {
            exec_cached(m_reader, "BEGIN IMMEDIATE");
            return;
        } catch (const SQLite::Exception& e) {
            const int code = e.getErrorCode() & 0xff;
            if (code != SQLITE_BUSY && code != SQLITE_LOCKED) throw;
            if (attempt % 10 == 0)
                detail::engine_log().warn("weft: waiting for the write lock on {} ({})", m_path,
                                          e.what());
            std::this_thread::sleep_for(std::chrono::milliseconds(50));
        }
    }
}

void SqliteWriter::commit() {
    exec_cached(m_reader, "COMMIT");
}

void SqliteWriter::rollback() noexcept {
    if (sqlite3_get_autocommit(db().getHandle()) != 0) return;
    try {
        db().exec("ROLLBACK");
    } catch (...) {
    }
}

void SqliteWriter::savepoint() {
    exec_cached(m_reader, "SAVEPOINT weft_txn");
}

void SqliteWriter::release_savepoint() {
    exec_cached(m_reader, "RELEASE weft_txn");
}

void SqliteWriter::rollback_to_savepoint() {
    exec_cached(m_reader, "ROLLBACK TO weft_txn");
}

// The file or the disk failed, or SQLite already rolled the transaction back (after SQLITE_FULL
// it may), so statements run from here on would each commit on their own.
bool SqliteWriter::group_lost(const std::exception_ptr& error) {
    try {
        std::rethrow_exception(error);
    } catch (const SQLite::Exception& e) {
        return is_file_error(e) || sqlite3_get_autocommit(db().getHandle()) != 0;
    } catch (...) {
        return false;
    }
}

void SqliteWriter::write_task_run(const TaskRunColumns& run, bool insert) {
    write_task_run_row(run, insert);
}

void SqliteWriter::update_task_run(const TaskRunColumns& run) {
    rows::bind_task_run_update(m_update_task_run_state.get(), run);
    m_update_task_run_state.exec();
}

void SqliteWriter::task_run_event(EventKind kind, const TaskRunColumns& run) {
    insert_task_run_event(kind, run);
}

std::int64_t SqliteWriter::append_log(const LogRecord& line) {
    auto st = m_reader.cached(kInsertLog);
    if (line.flow_run_id.empty())
        st->bind(1);
    else
        st->bindNoCopy(1, line.flow_run_id);
    if (line.task_run_id.empty())
        st->bind(2);
    else
        st->bindNoCopy(2, line.task_run_id);
    st->bindNoCopy(3, line.name);
    st->bind(4, line.level);
    st->bind(5, static_cast<int64_t>(line.timestamp));
    st->bindNoCopy(6, line.message);
    st->exec();
    return db().getLastInsertRowid();
}

void SqliteWriter::logs_event(const std::string& flow_run_id, std::int64_t first_id,
                              std::int64_t last_id, std::int64_t count) {
    insert_event(m_reader, EventKind::Logs, now_us(), flow_run_id, nullptr,
                 {{"first_id", first_id}, {"last_id", last_id}, {"count", count}});
}

} // namespace weft::sqlite
