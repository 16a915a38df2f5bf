#pragma once
// The durable store. Every write goes through one writer thread that applies queued operations in
// order and commits them in groups; reads use pooled connections. The Store is backend-neutral:
// the database behind it (SQLite here; PostgreSQL for a server later) fills the Reader, Txn and
// store_backend.hpp interfaces, and no database type appears in this header.
#include "weft/events.hpp"
#include "weft/records.hpp"

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <future>
#include <memory>
#include <mutex>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <thread>
#include <unordered_map>
#include <utility>
#include <variant>
#include <vector>

namespace weft {

struct Outcome;  // weft/rules.hpp
struct Proposal; // weft/rules.hpp

/// A store that cannot be opened or used. The message names the file and says what to do.
class StoreError : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

/// Where the local database lives: WEFT_DB, else $WEFT_HOME/weft.db, else
/// ~/.local/share/weft/weft.db.
std::string default_db_path();

/// Schema version this build writes (PRAGMA user_version).
int store_schema_version();

enum class FlowRunSort {
    ExpectedStartDesc,
    ExpectedStartAsc,
    StartTimeDesc,
    NameAsc,
    EndTimeDesc,
    // For Studio's sortable columns; ties break by expected start (newest first), then id.
    NameDesc,
    FlowNameAsc,
    FlowNameDesc,
    StateAsc, // by state type, then newest first
    StateDesc,
    DurationAsc, // total_run_time
    DurationDesc,
    StartTimeAsc, // Prefect's START_TIME_ASC; runs not started yet last
};

struct FlowRunQuery {
    std::vector<StateType> states; // any of these; empty = all
    std::vector<std::string> flow_names;
    std::vector<std::string> ids;
    std::vector<std::string> tags; // has all of these
    std::string name_like;         // case-insensitive substring of run or flow name
    std::optional<Micros> expected_after, expected_before;
    std::optional<std::string> parent_task_run_id; // "" = top-level runs only
    // Prefect's filter grammar (the REST API's flow_runs/filter); empty = no condition.
    std::vector<std::string> flow_ids;    // the run's flow is any of these
    std::vector<std::string> not_ids;     // the run is none of these
    std::vector<std::string> names;       // the run's name is any of these
    std::string run_name_like;            // case-insensitive substring of the run's name
    std::string flow_name_like;           // case-insensitive substring of the flow's name
    std::vector<StateType> not_states;    // in none of these
    std::vector<std::string> state_names; // state name any of these
    std::vector<std::string> not_state_names;
    std::vector<std::string> any_tags;      // has at least one of these
    std::optional<bool> no_tags;            // true: has no tags; false: has some
    std::vector<std::string> flow_versions; // any of these
    std::optional<Micros> start_after, start_before, end_after, end_before; // inclusive
    std::optional<bool> start_null, end_null;     // true: not set; false: set
    std::vector<std::string> parent_task_run_ids; // any of these
    // Deployments and work pools (FlowRunPlacement).
    std::vector<std::string> deployment_ids;   // made from any of these deployments
    std::optional<bool> no_deployment;         // true: made from none; false: from some
    std::vector<std::string> work_pool_names;  // in any of these pools
    std::vector<std::string> work_queue_names; // in any of these queues
    FlowRunSort sort = FlowRunSort::ExpectedStartDesc;
    int limit = 100;
    int offset = 0;
};

/// The share of finished runs that succeeded, one rule everywhere (the dashboard's total and its
/// per-flow figures alike): COMPLETED / (COMPLETED + FAILED + CRASHED). A CANCELLED run is left
/// out of both sides (someone stopped it: neither a success nor a failure), and so are runs that
/// have not finished (SCHEDULED, PENDING, RUNNING, PAUSED). nullopt when no run finished.
std::optional<double> success_rate(std::int64_t completed, std::int64_t failed);

/// Plain words as an FTS5 query: each whitespace-separated word quoted, all required.
std::string fts_words_query(const std::string& text);

/// Task runs across flow runs, in Prefect's filter grammar (the REST API's task_runs/filter).
/// Empty fields set no condition; times are inclusive bounds.
enum class TaskRunSort { ExpectedStartDesc, ExpectedStartAsc, NameAsc, NameDesc, EndTimeDesc };
struct TaskRunQuery {
    std::vector<std::string> ids;
    std::vector<std::string> names; // any of these
    std::string name_like;          // case-insensitive substring of the name
    std::vector<std::string> flow_run_ids;
    std::optional<bool> no_flow_run; // true: task runs outside any flow run; false: inside one
    std::optional<std::string> task_key, dynamic_key; // exactly these
    std::vector<std::string> cache_keys;              // any of these
    std::vector<StateType> states;
    std::vector<std::string> state_names;
    std::vector<std::string> tags; // has all of these
    std::optional<bool> no_tags;
    std::optional<Micros> start_after, start_before, end_after, end_before;
    std::optional<Micros> expected_after, expected_before;
    std::optional<bool> start_null, end_null;
    std::optional<bool> has_subflow_run; // stands for a subflow call (child_flow_run_id set)
    TaskRunSort sort = TaskRunSort::ExpectedStartDesc;
    int limit = 100; // < 0: all
    int offset = 0;
};

struct LogQuery {
    std::string flow_run_id; // empty = all runs
    std::string task_run_id; // empty = all
    int min_level = 0;
    std::int64_t after_id = 0;  // ids greater than this
    std::int64_t before_id = 0; // ids less than this; 0 = no bound
    std::string text;           // words that must all occur in the message (any text is safe)
    std::string fts_query;      // or a raw FTS5 query (NEAR, OR, prefix*), for those who want it
    std::vector<std::string> names; // logger names, any of these; empty = all
    std::vector<std::int64_t> ids;  // only these lines (a view's visible window); empty = all
    bool newest_first = false;
    int limit = 1000;
    // Prefect's log filter (the REST API's logs/filter).
    std::vector<std::string> flow_run_ids;                   // any of these
    int max_level = 0;                                       // 0 = no bound
    std::optional<Micros> timestamp_after, timestamp_before; // inclusive
    std::optional<bool> no_task_run; // true: lines of no task run; false: of some task run
    int offset = 0;
};

namespace detail {
/// Tags as their JSON array text ("[]" when none).
std::string tags_text(const std::vector<std::string>& tags);

/// One write in the store's queue. A task-run write (the hot path) is plain data: its numbers
/// here, its texts (JSON already serialised by the thread that queued it) one after another in the
/// queue's text buffer. So queuing one allocates nothing once the queue's buffers have grown, and
/// the writer thread neither copies nor frees it. Any other write is kept whole beside them.
struct QueuedWrite {
    enum class Type : std::uint8_t { PutTaskRun, UpdateTaskRun, Other };
    enum Text : std::uint8_t {
        Id,
        FlowRunId,
        StateId,
        StateName,
        StateMessage,
        StateDetails,
        CacheKey,
        InputsHash,
        Result,
        Parameters,
        TaskInputs,
        TaskKey, // from here on only in a full row (PutTaskRun)
        DynamicKey,
        Name,
        Tags,
        ChildFlowRunId,
        kTexts
    };
    Type type = Type::Other;
    EventKind kind = EventKind::TaskRunState;
    StateType state_type = StateType::Pending;
    bool has_result = false, has_parameters = false, has_task_inputs = false;
    bool has_start = false, has_end = false, has_expiration = false;
    int run_count = 0, max_retries = 0;
    std::size_t at = 0; // where the texts start in the text buffer; Other: the write's index
    std::uint32_t size[kTexts] = {};
    Micros state_timestamp = 0, start_time = 0, end_time = 0, total_run_time = 0, updated = 0,
           cache_expiration = 0, expected_start_time = 0, created = 0;
};
} // namespace detail

/// Read access on one connection of a backend. Not thread-safe: one thread uses a Reader at a
/// time. Errors are the backend's own exceptions; Store::read turns them into StoreErrors.
class Reader {
public:
    Reader() = default;
    virtual ~Reader() = default;
    Reader(const Reader&) = delete;
    Reader& operator=(const Reader&) = delete;

    virtual std::vector<FlowRecord> flows() = 0;
    virtual std::optional<FlowRecord> flow_by_name(const std::string& name) = 0;
    virtual std::optional<FlowRecord> flow(const std::string& id) = 0;

    virtual std::vector<FlowRunRecord> flow_runs(const FlowRunQuery& q) = 0;
    virtual std::int64_t count_flow_runs(const FlowRunQuery& q) = 0;
    virtual std::optional<FlowRunRecord> flow_run(const std::string& id) = 0;
    /// Ids of flow runs starting with `prefix` (at most `limit`).
    virtual std::vector<std::string> flow_run_ids_with_prefix(const std::string& prefix,
                                                              int limit = 2) = 0;
    /// Ids of flow runs ending with `suffix` (the random part tables show), at most `limit`.
    /// Scans the table: for one look-up per command.
    virtual std::vector<std::string> flow_run_ids_ending_with(const std::string& suffix,
                                                              int limit = 2) = 0;
    /// Ids of flow runs named `name` (at most `limit`). Scans the table, like the above.
    virtual std::vector<std::string> flow_run_ids_named(const std::string& name, int limit = 2) = 0;
    /// Flow runs whose state is one of `types` and that record a process.
    virtual std::vector<FlowRunRecord> flow_runs_in_states(const std::vector<StateType>& types) = 0;

    virtual std::vector<TaskRunRecord> task_runs(const std::string& flow_run_id) = 0;
    virtual std::optional<TaskRunRecord> task_run(const std::string& id) = 0;
    virtual std::vector<std::string> task_run_ids_with_prefix(const std::string& prefix,
                                                              int limit = 2) = 0;
    virtual std::vector<std::string> task_run_ids_ending_with(const std::string& suffix,
                                                              int limit = 2) = 0;
    /// Task runs of any flow run matching `q`, and how many match (q's limit and offset aside).
    virtual std::vector<TaskRunRecord> find_task_runs(const TaskRunQuery& q) = 0;
    virtual std::int64_t count_matching_task_runs(const TaskRunQuery& q) = 0;
    /// How many task runs a flow run has (cheaper than task_runs(id).size() for big runs).
    virtual std::int64_t count_task_runs(const std::string& flow_run_id) = 0;
    /// The newest COMPLETED task run with this cache key whose expiration has not passed.
    virtual std::optional<TaskRunRecord> cached_task_run(const std::string& cache_key,
                                                         Micros now) = 0;

    /// Every state a run has had, oldest first.
    virtual std::vector<State> state_history(const std::string& run_id) = 0;

    virtual std::vector<LogRecord> logs(const LogQuery& q) = 0;
    virtual std::int64_t count_logs(const LogQuery& q) = 0;
    /// Only the ids of matching lines, in id order (q.limit replaced by `limit`): 8 bytes a line
    /// for views that fetch text on demand.
    virtual std::vector<std::int64_t> log_ids(const LogQuery& q, int limit) = 0;
    /// The distinct logger names of a flow run's lines (of every line when empty), sorted.
    virtual std::vector<std::string> log_names(const std::string& flow_run_id) = 0;

    virtual std::vector<Event> events_after(std::int64_t seq, int limit = 10000) = 0;
    virtual std::int64_t last_event_seq() = 0;

    /// Flow runs per state in consecutive intervals of `interval` starting at `from` (by expected
    /// start time), for charts and Prefect's flow_runs/history.
    struct StateCount {
        Micros interval_start = 0;
        StateType type = StateType::Pending;
        std::int64_t count = 0;
    };
    virtual std::vector<StateCount> flow_run_history(Micros from, Micros to, Micros interval) = 0;
    /// Per flow, over runs expected to start in [from, to].
    struct FlowStats {
        std::string flow_name;
        std::int64_t runs = 0;      // in any state
        std::int64_t completed = 0; // COMPLETED
        std::int64_t failed = 0;    // FAILED or CRASHED
        double mean_run_s = 0;      // over finished runs
        double max_run_s = 0;
    };
    virtual std::vector<FlowStats> flow_stats(Micros from, Micros to) = 0;

    /// The dashboard's aggregates over the runs expected to start in [from, to), computed by the
    /// store so that Studio and a server give the same figures. Built on the queries above, so
    /// every backend answers it.
    struct Dashboard {
        Micros interval = 0;                // (to - from) / buckets, at least 1
        std::vector<StateCount> history;    // runs per state per interval, by interval then state
        std::vector<FlowStats> flows;       // by flow name
        std::int64_t runs = 0;              // in any state
        std::int64_t completed = 0;         // COMPLETED
        std::int64_t failed = 0;            // FAILED or CRASHED
        std::optional<double> success_rate; // weft::success_rate(completed, failed)
        std::vector<FlowRunRecord> recent_failures; // FAILED or CRASHED, newest first
    };
    Dashboard dashboard(Micros from, Micros to, int buckets, int failures = 20);

    virtual std::vector<ConcurrencyLimit> concurrency_limits() = 0;
    /// The task runs holding a slot of `tag`'s limit now. A backend without them answers none.
    virtual std::vector<std::string> concurrency_slot_holders(const std::string& tag) {
        (void)tag;
        return {};
    }

    // Deployments, work pools and workers. A backend without them (a remote reader) answers
    // nothing.
    /// Every deployment, by flow id then name.
    virtual std::vector<DeploymentRecord> deployments() { return {}; }
    virtual std::optional<DeploymentRecord> deployment(const std::string& id) {
        (void)id;
        return std::nullopt;
    }
    virtual std::optional<DeploymentRecord> deployment_by_name(const std::string& flow_id,
                                                               const std::string& name) {
        (void)flow_id, (void)name;
        return std::nullopt;
    }
    /// Every work pool, by name.
    virtual std::vector<WorkPoolRecord> work_pools() { return {}; }
    virtual std::optional<WorkPoolRecord> work_pool(const std::string& name) {
        (void)name;
        return std::nullopt;
    }
    /// A pool's workers, the most recent heartbeat first.
    virtual std::vector<WorkerRecord> workers(const std::string& work_pool_id) {
        (void)work_pool_id;
        return {};
    }

    /// A flow run's pause by key (PauseRecord), if it paused there.
    virtual std::optional<PauseRecord> pause(const std::string& flow_run_id,
                                             const std::string& key) = 0;
    /// Changes whenever another connection commits (PRAGMA data_version): a cheap "anything new?".
    virtual std::int64_t data_version() = 0;
};

/// The writer's side of one transaction, for work that must read and write atomically
/// (orchestrating a state change against the stored state, taking a concurrency slot). Only the
/// writer thread uses it, inside Store::transact.
class Txn {
public:
    Txn() = default;
    virtual ~Txn() = default;
    Txn(const Txn&) = delete;
    Txn& operator=(const Txn&) = delete;

    /// Reads inside the transaction (they see its writes).
    virtual Reader& read() = 0;

    virtual void put_flow(const FlowRecord& flow) = 0;
    virtual void put_flow_run(const FlowRunRecord& run, EventKind kind) = 0;
    virtual void put_task_run(const TaskRunRecord& run, EventKind kind) = 0;
    virtual void delete_flow_run(const std::string& id) = 0;
    virtual void set_concurrency_limit(const std::string& tag, int limit) = 0;
    virtual bool delete_concurrency_limit(const std::string& tag) = 0;
    /// Takes a slot of every limited tag, or none: returns the first full tag, or "" on success.
    virtual std::string acquire_slots(const std::vector<std::string>& tags,
                                      const std::string& task_run_id,
                                      const std::string& flow_run_id) = 0;
    virtual void release_slots(const std::string& task_run_id) = 0;
    virtual void release_slots_of_flow_run(const std::string& flow_run_id) = 0;
    virtual void heartbeat(const std::string& flow_run_id, Micros at) = 0;
    /// Inserts or replaces a pause (keyed by flow run and key).
    virtual void put_pause(const PauseRecord& pause) = 0;

    /// Inserts or replaces a deployment (by id; its flow and name are unique together).
    virtual void put_deployment(const DeploymentRecord& deployment) = 0;
    /// Removes a deployment; its runs stay. False when there was none.
    virtual bool delete_deployment(const std::string& id) = 0;
    /// Inserts or replaces a work pool (by id; its name is unique).
    virtual void put_work_pool(const WorkPoolRecord& pool) = 0;
    /// Removes a pool and its workers. False when there was none.
    virtual bool delete_work_pool(const std::string& name) = 0;
    /// Inserts or replaces a worker (by pool and name).
    virtual void put_worker(const WorkerRecord& worker) = 0;
    /// Inserts or replaces a flow run's placement (an empty one removes it).
    virtual void put_placement(const std::string& flow_run_id,
                               const FlowRunPlacement& placement) = 0;
};

class StoreBackend;
class WriterConnection;

struct StoreOptions {
    bool create = true;     // create the file (and its folder) when missing
    bool read_only = false; // only read: no migration, no writer; writes fail with StoreError
    bool read_only_if_unwritable = false; // a file this process may not write opens read-only
    int busy_timeout_ms = 10000;          // how long to wait for another process's write lock
};

/// How a transaction function relates to a lost commit (see Store::failure()).
enum class TransactMode {
    Normal,   // refused once the store has stopped writing
    Recovery, // still run then, alone in its own transaction: for recording why runs ended
};

class Store : public std::enable_shared_from_this<Store> {
public:
    /// Opens (creating or migrating) the SQLite database at `path`. Throws StoreError with a
    /// message naming the file and what to do: newer schema, not a database, unreadable, locked.
    static std::shared_ptr<Store> open(const std::string& path, StoreOptions options = {});
    /// A store over an opened backend (it has created or migrated its schema already).
    static std::shared_ptr<Store> open(std::unique_ptr<StoreBackend> backend);
    ~Store(); // commits everything queued, then stops the writer

    const std::string& path() const { return m_path; }
    /// True when the store only reads (asked for, or the file may not be written): queued
    /// writes are dropped and transactions fail with a StoreError saying so.
    bool read_only() const { return m_read_only; }
    /// True when the data lives behind a server's API (WEFT_API_URL), not in a local file.
    bool remote() const;
    /// The process is exiting: the writes still queued get a bounded time to be delivered (a
    /// server that cannot be reached is waited for only so long; see weft/http_store.hpp).
    /// close() calls it too. Thread-safe.
    void closing();

    // Queued writes: applied in call order by the writer thread. Thread-safe, never block on I/O.
    void put_flow_run(FlowRunRecord run, EventKind kind);
    /// Queues the run's row and its event; `parameters`, when given, is stored instead of
    /// run.parameters. The record is read on the calling thread and not kept.
    void put_task_run(const TaskRunRecord& run, EventKind kind,
                      const nlohmann::json* parameters = nullptr);
    /// A state change of a task run (the hot path: only the fields that change).
    void update_task_run(const TaskRunUpdate& update);
    /// The same, read straight from the run: its state and the fields that change with it, its
    /// parameters and task inputs only when asked for.
    void update_task_run(const TaskRunRecord& run, bool with_parameters, bool with_task_inputs);
    void append_log(LogRecord line);
    void heartbeat(std::string flow_run_id, Micros at);

    /// Runs `fn` in the writer's transaction after every write queued before it; the future is
    /// ready once that transaction committed (or holds the exception `fn` threw, or a StoreError
    /// when the commit was lost). Thread-safe.
    template<class R>
    std::future<R> transact(std::function<R(Txn&)> fn, TransactMode mode = TransactMode::Normal) {
        auto promise = std::make_shared<std::promise<R>>();
        auto future = promise->get_future();
        enqueue(TransactOp{[promise, fn = std::move(fn)](Txn& txn) -> std::function<void()> {
                               if constexpr (std::is_void_v<R>) {
                                   fn(txn);
                                   return [promise] { promise->set_value(); };
                               } else {
                                   auto value = std::make_shared<R>(fn(txn));
                                   return
                                       [promise, value] { promise->set_value(std::move(*value)); };
                               }
                           },
                           [promise](std::exception_ptr e) { promise->set_exception(e); },
                           mode == TransactMode::Recovery});
        return future;
    }

    /// Blocks until every write queued before the call is committed; throws StoreError when
    /// one was lost. Thread-safe.
    void flush();

    /// flush(), then waits at most `timeout` until those writes reached the server (remote());
    /// false when the time ran out first. At once on a local database. Thread-safe.
    bool sync(std::chrono::milliseconds timeout);

    /// On a server (remote()): proposes a task run's state to the server after every write queued
    /// before, and answers the server's decision (StoreBackend::propose_task_run_state); WAIT
    /// while earlier writes are still on their way. nullopt on a local database, where the
    /// program decides. Blocks on the network. Thread-safe.
    std::optional<Outcome> propose_on_server(const std::string& task_run_id,
                                             const Proposal& proposal);

    /// Why the store stopped writing, or "" while it writes. The first commit that fails for the
    /// file or the disk (full, I/O error, damaged; a damaged page found by a read too) loses its
    /// group, and from then on nothing else is committed, so the file never holds later writes
    /// without earlier ones (task-run events without their task runs). Only TransactMode::Recovery
    /// transactions still run. The message names the file and what to do. Thread-safe.
    std::string failure() const;
    /// Called once, on the thread that found it, when the store stops writing. Thread-safe.
    void on_failure(std::function<void(const std::string& why)> fn);

    /// Commits what is queued, stops the writer and closes every pooled connection; the last
    /// connection to the file closing checkpoints the log and removes the -wal and -shm files.
    /// Later writes are dropped (transactions and flushes throw StoreError); reads still work.
    /// Idempotent; the destructor calls it. Thread-safe.
    void close();
    bool closed() const;

    /// Runs `fn` with a pooled read connection. Thread-safe. The backend's errors reach the
    /// caller as StoreErrors naming the database.
    template<class F> auto read(F&& fn) {
        auto reader = borrow_reader();
        struct Return {
            Store* store;
            std::unique_ptr<Reader>& r;
            ~Return() { store->return_reader(std::move(r)); }
        } guard{this, reader};
        try {
            return fn(*reader);
        } catch (const std::exception&) {
            read_failed(std::current_exception());
        }
    }

    /// A new read connection owned by the caller (for a thread that follows the feed).
    std::unique_ptr<Reader> open_reader() const;

    /// Statistics for benchmarks: transactions committed, operations applied.
    std::int64_t commits() const { return m_commits.load(); }

private:
    struct PutFlowRun {
        FlowRunRecord run;
        EventKind kind;
    };
    struct AppendLog {
        LogRecord line;
    };
    struct Heartbeat {
        std::string flow_run_id;
        Micros at;
    };
    struct TransactOp {
        // Runs inside the transaction; returns what to do once it committed.
        std::function<std::function<void()>(Txn&)> run;
        std::function<void(std::exception_ptr)> fail;
        bool recovery = false; // TransactMode::Recovery
    };
    struct Barrier {
        std::shared_ptr<std::promise<void>> done;
    };
    using Op = std::variant<PutFlowRun, AppendLog, Heartbeat, TransactOp, Barrier>;
    /// Queued writes in call order. The writer thread swaps a whole Queue with its own emptied
    /// one, so both keep their buffers and the producers never wait for a reallocation.
    struct Queue {
        std::vector<detail::QueuedWrite> writes;
        std::string texts;      // the task-run writes' texts
        std::vector<Op> others; // the other writes, referred to from `writes`
        bool empty() const { return writes.empty(); }
        void clear();
        void swap(Queue& other) noexcept;
    };

    explicit Store(std::unique_ptr<StoreBackend> backend);
    void enqueue(Op op);
    /// Queues a task-run write whose texts are `texts` (write.at is set here).
    void enqueue(detail::QueuedWrite& write, std::string_view texts);
    void refuse(Op op); // a write to a read-only store
    std::string read_only_message() const;
    void writer_loop();
    void apply_batch(Queue& batch);
    void lose_group(Queue& batch, const std::exception_ptr& error);
    void after_failure(Queue& batch);
    void recover(TransactOp& op);
    /// Records the first failure and tells the on_failure callback; returns the failure.
    std::string stop_writing(const std::string& why);
    /// Rethrows a read's error; SQLite's as a StoreError naming the file (a damaged file also
    /// stops writing).
    [[noreturn]] void read_failed(std::exception_ptr error);
    std::unique_ptr<Reader> borrow_reader();
    void return_reader(std::unique_ptr<Reader> r);

    std::unique_ptr<StoreBackend> m_backend;
    std::string m_path; // where the data lives, for messages
    bool m_read_only = false;
    std::atomic<bool> m_refused_write{false};
    std::unique_ptr<WriterConnection> m_writer; // the writer thread's connection

    std::mutex m_queue_mutex;
    std::condition_variable m_queue_cv;
    Queue m_queue;
    bool m_urgent = false; // the queue holds a transaction function or a barrier
    bool m_stopping = false;
    static constexpr std::size_t kGroupSize = 8192;
    std::thread m_thread;

    mutable std::mutex m_pool_mutex;
    std::vector<std::unique_ptr<Reader>> m_pool;
    std::atomic<std::int64_t> m_commits{0};

    mutable std::mutex m_failure_mutex;
    std::string m_failure; // set once
    std::function<void(const std::string&)> m_on_failure;
    std::atomic<bool> m_failed{false};
    bool m_closed = false; // guarded by m_pool_mutex
};

} // namespace weft
