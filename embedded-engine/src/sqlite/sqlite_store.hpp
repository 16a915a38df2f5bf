#pragma once
// The SQLite backend of the store: one file in WAL mode, a connection per Reader, the writer's
// connection with its prepared statements. Internal to the engine: nothing here reaches the public
// headers.
#include "weft/store_backend.hpp"

#include <SQLiteCpp/SQLiteCpp.h>
#include <memory>
#include <sqlite3.h>
#include <string>
#include <unordered_map>
#include <utility>

namespace weft::sqlite {

/// The write-ahead log's bounds. SQLite's own policy (a PASSIVE checkpoint past 1000 pages)
/// cannot reuse the log while any reader holds an older snapshot, so under several writers and
/// readers it grew to hundreds of MB and never shrank.
struct WalPolicy {
    static constexpr int kCheckpointPages = 1000; // PASSIVE checkpoint after a commit past this
    static constexpr int kTruncatePages = 4096;   // past this, wait briefly for readers, TRUNCATE
    static constexpr int kTruncateWaitMs = 100;   // that wait (it also holds other writers off)
    static constexpr std::int64_t kSizeLimit = 8 << 20; // journal_size_limit: left after a reset
};

/// A cached prepared statement in use; resetting it when done keeps the connection from holding
/// a read snapshot (and blocking checkpoints) between uses.
class CachedStatement {
public:
    explicit CachedStatement(SQLite::Statement& st)
        : m_st(&st) {}
    CachedStatement(CachedStatement&& o) noexcept
        : m_st(std::exchange(o.m_st, nullptr)) {}
    CachedStatement(const CachedStatement&) = delete;
    CachedStatement& operator=(const CachedStatement&) = delete;
    ~CachedStatement();
    SQLite::Statement* operator->() const { return m_st; }
    SQLite::Statement& operator*() const { return *m_st; }

private:
    SQLite::Statement* m_st;
};

/// Read queries over one SQLite connection.
class SqliteReader final : public Reader {
public:
    explicit SqliteReader(std::unique_ptr<SQLite::Database> db);
    ~SqliteReader() override;

    SQLite::Database& db() { return *m_db; }
    /// A prepared statement kept for the life of the connection, keyed by the SQL text's address
    /// (pass string literals or other text that lives as long as the Reader), ready to bind.
    CachedStatement cached(const char* sql);

    std::vector<FlowRecord> flows() override;
    std::optional<FlowRecord> flow_by_name(const std::string& name) override;
    std::optional<FlowRecord> flow(const std::string& id) override;
    std::vector<TaskRunRecord> find_task_runs(const TaskRunQuery& q) override;
    std::int64_t count_matching_task_runs(const TaskRunQuery& q) override;
    std::vector<FlowRunRecord> flow_runs(const FlowRunQuery& q) override;
    std::int64_t count_flow_runs(const FlowRunQuery& q) override;
    std::optional<FlowRunRecord> flow_run(const std::string& id) override;
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
    std::vector<std::string> concurrency_slot_holders(const std::string& tag) override;
    std::optional<PauseRecord> pause(const std::string& flow_run_id,
                                     const std::string& key) override;
    std::int64_t data_version() override;
    // sqlite_deployments.cpp
    std::vector<DeploymentRecord> deployments() override;
    std::optional<DeploymentRecord> deployment(const std::string& id) override;
    std::optional<DeploymentRecord> deployment_by_name(const std::string& flow_id,
                                                       const std::string& name) override;
    std::vector<WorkPoolRecord> work_pools() override;
    std::optional<WorkPoolRecord> work_pool(const std::string& name) override;
    std::vector<WorkerRecord> workers(const std::string& work_pool_id) override;

private:
    std::vector<std::string> ids(const char* sql, const std::string& text, int limit);

    std::unique_ptr<SQLite::Database> m_db;
    std::unordered_map<const char*, std::unique_ptr<SQLite::Statement>> m_statements;
};

/// A statement of the writer's hot path, prepared once on SQLite's own API (SQLiteCpp's wrapper
/// copies what it binds and hides the handle). Throws SQLite::Exception like the rest.
class HotStatement {
public:
    HotStatement(SQLite::Database& db, const char* sql)
        : m_db(db.getHandle())
        , m_sql(sql) {}
    ~HotStatement();
    HotStatement(const HotStatement&) = delete;
    HotStatement& operator=(const HotStatement&) = delete;
    /// The statement, prepared on first use, to bind every parameter of.
    sqlite3_stmt* get();
    /// Runs it (it returns no rows) and resets it.
    void exec();

private:
    sqlite3* m_db;
    const char* m_sql;
    sqlite3_stmt* m_st = nullptr;
};

/// The writer thread's connection: Txn's operations and the Store's group writes as SQL.
class SqliteWriter final : public WriterConnection {
public:
    SqliteWriter(std::unique_ptr<SQLite::Database> db, std::string path);

    SQLite::Database& db() { return m_reader.db(); }
    Reader& read() override { return m_reader; }

    void put_flow(const FlowRecord& flow) override;
    void put_flow_run(const FlowRunRecord& run, EventKind kind) override;
    void put_task_run(const TaskRunRecord& run, EventKind kind) override;
    void delete_flow_run(const std::string& id) override;
    void set_concurrency_limit(const std::string& tag, int limit) override;
    bool delete_concurrency_limit(const std::string& tag) override;
    std::string acquire_slots(const std::vector<std::string>& tags, const std::string& task_run_id,
                              const std::string& flow_run_id) override;
    void release_slots(const std::string& task_run_id) override;
    void release_slots_of_flow_run(const std::string& flow_run_id) override;
    void heartbeat(const std::string& flow_run_id, Micros at) override;
    void put_pause(const PauseRecord& pause) override;
    // sqlite_deployments.cpp
    void put_deployment(const DeploymentRecord& deployment) override;
    bool delete_deployment(const std::string& id) override;
    void put_work_pool(const WorkPoolRecord& pool) override;
    bool delete_work_pool(const std::string& name) override;
    void put_worker(const WorkerRecord& worker) override;
    void put_placement(const std::string& flow_run_id, const FlowRunPlacement& placement) override;

    void begin() override;
    void commit() override;
    void rollback() noexcept override;
    void savepoint() override;
    void release_savepoint() override;
    void rollback_to_savepoint() override;
    bool group_lost(const std::exception_ptr& error) override;

    void write_task_run(const TaskRunColumns& run, bool insert) override;
    void update_task_run(const TaskRunColumns& run) override;
    void task_run_event(EventKind kind, const TaskRunColumns& run) override;
    std::int64_t append_log(const LogRecord& line) override;
    void logs_event(const std::string& flow_run_id, std::int64_t first_id, std::int64_t last_id,
                    std::int64_t count) override;

private:
    void write_task_run_row(const TaskRunColumns& run, bool insert);
    void insert_task_run_event(EventKind kind, const TaskRunColumns& run);

    SqliteReader m_reader;
    std::string m_path;
    // The hot path's statements, destroyed before the connection in m_reader.
    HotStatement m_insert_task_run, m_update_task_run, m_update_task_run_state, m_insert_event;
};

/// Opens (creating or migrating) the file; see Store::open for the errors it throws.
std::unique_ptr<StoreBackend> open_backend(const std::string& path, const StoreOptions& options);

} // namespace weft::sqlite
