#pragma once
// What a database must provide for a Store: the seam between the backend-neutral Store (writer
// thread, queue, group commits, failure policy, change feed) and one database. SQLite fills it in
// the engine (src/sqlite/); a server's PostgreSQL store fills the same interfaces.
//
// The Store calls a backend from the writer thread (WriterConnection) and from any thread that
// reads (open_reader, explain, damaged); a backend's own exceptions pass through the Store, which
// asks the backend what they mean.
#include "weft/rules.hpp"
#include "weft/store.hpp"

#include <chrono>
#include <exception>
#include <optional>
#include <string_view>

namespace weft {

/// A task run's columns as the writer thread binds them, read from the store's queue: texts view
/// memory the queue owns while its group is written, JSON is already text. A state change
/// (full_row false) carries only the columns it sets.
struct TaskRunColumns {
    std::string_view id, flow_run_id;
    StateType state_type = StateType::Pending;
    std::string_view state_id, state_name, state_message;
    std::string_view state_details; // JSON; "" = none
    Micros state_timestamp = 0;
    int run_count = 0;
    std::optional<Micros> start_time, end_time;
    Micros total_run_time = 0;
    Micros updated = 0;
    std::string_view cache_key; // "" = none
    std::optional<Micros> cache_expiration;
    std::string_view inputs_hash; // "" = none
    std::string_view result;      // JSON; "" = none
    bool has_result = false;
    /// JSON; absent in a state change that leaves the stored ones.
    std::optional<std::string_view> parameters, task_inputs;

    // Set only in a full row.
    bool full_row = false;
    std::string_view task_key, dynamic_key, name;
    std::string_view tags;              // JSON array
    std::string_view child_flow_run_id; // "" = none
    int max_retries = 0;
    Micros expected_start_time = 0;
    Micros created = 0;

    /// Applies a later state change of the same run (a row not yet written takes it whole).
    void apply(const TaskRunColumns& change);
};

/// The writer thread's connection: one transaction at a time, many operations in it. Only the
/// writer thread uses it.
class WriterConnection : public Txn {
public:
    // The group's transaction.
    /// Begins it, waiting as long as others hold the write lock: nothing queued is ever dropped
    /// for being busy.
    virtual void begin() = 0;
    virtual void commit() = 0;
    /// Rolls back the open transaction, if any; never throws.
    virtual void rollback() noexcept = 0;
    /// A nested point inside the group's transaction that one transaction function's writes can be
    /// rolled back to alone.
    virtual void savepoint() = 0;
    virtual void release_savepoint() = 0;
    virtual void rollback_to_savepoint() = 0;
    /// Whether `error`, thrown inside the group's transaction, costs the whole group: the file or
    /// the disk failed, or the backend already rolled the transaction back.
    virtual bool group_lost(const std::exception_ptr& error) = 0;

    // The hot path, for the Store's group writes (Txn's put_task_run does row and event at once).
    /// The task-run row: inserted, or every column updated.
    virtual void write_task_run(const TaskRunColumns& run, bool insert) = 0;
    /// Only the columns a state change sets (TaskRunColumns::full_row is false).
    virtual void update_task_run(const TaskRunColumns& run) = 0;
    /// A task run's feed event for its current state.
    virtual void task_run_event(EventKind kind, const TaskRunColumns& run) = 0;
    /// Appends a log line; returns its id.
    virtual std::int64_t append_log(const LogRecord& line) = 0;
    /// One feed event announcing the log lines [first_id, last_id] of a flow run.
    virtual void logs_event(const std::string& flow_run_id, std::int64_t first_id,
                            std::int64_t last_id, std::int64_t count) = 0;
};

/// One opened database.
class StoreBackend {
public:
    virtual ~StoreBackend() = default;
    /// Where the data lives (a file, a URL), for messages.
    virtual const std::string& location() const = 0;
    /// True when this process may only read (asked for, or the database may not be written).
    virtual bool read_only() const = 0;
    /// True for a server's API (the server watches its runs, not this process).
    virtual bool remote() const { return false; }
    /// The process is about to close the store: a backend that waits for a server to come back
    /// bounds its wait from now. Thread-safe.
    virtual void closing() {}
    /// Waits at most `timeout` until the writes the writer committed reached where they are kept
    /// (a server's backend delivers them from a thread of its own); false when the time ran out
    /// first. Thread-safe.
    virtual bool wait_delivered(std::chrono::milliseconds timeout) {
        (void)timeout;
        return true;
    }
    /// A server's backend lets the server decide a task run's start, as Prefect's client does
    /// for tag concurrency limits: proposes `proposal` for task run `id` there and answers the
    /// server's decision with its state (WAIT when the server cannot be reached now). nullopt:
    /// the program decides (a local database). Blocks on the network. Thread-safe.
    virtual std::optional<Outcome> propose_task_run_state(const std::string& id,
                                                          const Proposal& proposal) {
        (void)id;
        (void)proposal;
        return std::nullopt;
    }
    /// The writer thread's connection; null when read-only. Called once, when the Store starts.
    virtual std::unique_ptr<WriterConnection> take_writer() = 0;
    /// A read connection opened while opening the backend, if any, for the Store's pool.
    virtual std::unique_ptr<Reader> take_first_reader() { return nullptr; }
    /// A new read connection. Thread-safe.
    virtual std::unique_ptr<Reader> open_reader() const = 0;
    /// The backend's error as one a user can act on, naming the database; nullopt for errors that
    /// are not the backend's. Thread-safe.
    virtual std::optional<StoreError> explain(const std::exception_ptr& error) const = 0;
    /// Whether a read's error shows damaged data: writing more could spread the damage, so the
    /// Store stops writing. Thread-safe.
    virtual bool damaged(const std::exception_ptr& error) const = 0;
};

} // namespace weft
