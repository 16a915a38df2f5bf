#include "weft/store.hpp"

#include "engine_log.hpp"
#include "store_errors.hpp"
#include "store_rows.hpp"
#include "store_schema.hpp"

#include <SQLiteCpp/SQLiteCpp.h>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <spdlog/spdlog.h>
#include <sqlite3.h>
#include <thread>
#include <unordered_map>

namespace weft {

namespace fs = std::filesystem;

std::string default_db_path() {
    if (const char* db = std::getenv("WEFT_DB"); db && *db) return db;
    if (const char* home = std::getenv("WEFT_HOME"); home && *home)
        return (fs::path(home) / "weft.db").string();
    const char* home = std::getenv("HOME");
    return (fs::path(home && *home ? home : ".") / ".local/share/weft/weft.db").string();
}

int store_schema_version() {
    return int(schema::migrations().size());
}

namespace {
// SQLite reports a full disk as SQLITE_FULL when writing, but as an I/O error when it cannot size
// the -shm file or open the log: ask the file system.
bool disk_full(const std::string& path) {
    std::error_code ec;
    const fs::path folder = fs::path(path).parent_path();
    const auto space = fs::space(folder.empty() ? fs::path(".") : folder, ec);
    return !ec && space.available < (256 << 10);
}
} // namespace

StoreError explain(const std::string& path, const SQLite::Exception& e) {
    int code = e.getErrorCode() & 0xff;
    if ((code == SQLITE_IOERR || code == SQLITE_CANTOPEN) && disk_full(path)) code = SQLITE_FULL;
    std::string what = "weft: cannot use the database " + path + ": ";
    switch (code) {
    case SQLITE_NOTADB:
    case SQLITE_CORRUPT:
        what += "the file is not a Weft database or it is corrupt (" + std::string(e.what())
                + "). Move it aside to start a new one, or point --db / WEFT_DB at another file.";
        break;
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
        what += "it is locked by another process (" + std::string(e.what())
                + "). Wait for that process to finish, or stop it, and try again.";
        break;
    case SQLITE_CANTOPEN:
    case SQLITE_PERM:
    case SQLITE_READONLY:
    case SQLITE_AUTH:
        what += "it cannot be opened for reading and writing (" + std::string(e.what())
                + "). Check that the file and its folder exist and are writable.";
        break;
    case SQLITE_FULL:
        what += "the disk is full (" + std::string(e.what()) + "). Free some space.";
        break;
    case SQLITE_IOERR:
        what += "reading or writing the file failed (" + std::string(e.what())
                + "). Check the disk and the file system it is on.";
        break;
    default:
        what += e.what();
    }
    return StoreError(what);
}

bool is_file_error(const SQLite::Exception& e) {
    switch (e.getErrorCode() & 0xff) {
    case SQLITE_FULL:
    case SQLITE_IOERR:
    case SQLITE_CORRUPT:
    case SQLITE_NOTADB:
    case SQLITE_NOMEM:
    case SQLITE_CANTOPEN:
    case SQLITE_READONLY:
    case SQLITE_PROTOCOL:
        return true;
    default:
        return false;
    }
}

namespace {

// Replaces SQLite's auto-checkpoint on the writer's connection (see WalPolicy). Runs after each
// commit, with the write lock released.
int after_commit_checkpoint(void* options, sqlite3* db, const char* name, int wal_pages) {
    using Clock = std::chrono::steady_clock;
    thread_local Clock::time_point last_truncate; // one writer thread per store
    if (wal_pages < WalPolicy::kCheckpointPages) return SQLITE_OK;
    if (wal_pages < WalPolicy::kTruncatePages) {
        sqlite3_wal_checkpoint_v2(db, name, SQLITE_CHECKPOINT_PASSIVE, nullptr, nullptr);
        return SQLITE_OK;
    }
    // Readers and other writers kept the log from being reused: wait briefly for them, copy
    // everything back and empty the log. Not more often than every 100 ms, as the wait holds
    // other writers off. Past the bound no PASSIVE checkpoint runs: another process's checkpoint
    // holds the lock a TRUNCATE needs, and SQLite does not wait for that lock, so it is retried
    // here (measured: six writer processes kept the log under 17 MB; PASSIVE alone let it reach
    // 100 MB beside a 22 MB database).
    if (Clock::now() - last_truncate < std::chrono::milliseconds(100)) return SQLITE_OK;
    last_truncate = Clock::now();
    const auto until = last_truncate + std::chrono::milliseconds(WalPolicy::kTruncateWaitMs);
    sqlite3_busy_timeout(db, 50);
    int rc = SQLITE_BUSY;
    while (rc == SQLITE_BUSY && Clock::now() < until) {
        rc = sqlite3_wal_checkpoint_v2(db, name, SQLITE_CHECKPOINT_TRUNCATE, nullptr, nullptr);
        if (rc == SQLITE_BUSY) std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
    sqlite3_busy_timeout(db, static_cast<StoreOptions*>(options)->busy_timeout_ms);
    if (rc != SQLITE_OK && rc != SQLITE_BUSY)
        detail::engine_log().warn("weft: checkpointing {} failed: {}",
                                  sqlite3_db_filename(db, name), sqlite3_errstr(rc));
    return SQLITE_OK;
}

enum class Access { ReadWrite, ReadOnly, Immutable };

// SQLite's URI for reading a file as immutable: no locks and no WAL index, so it works in a
// folder this process may not write.
std::string immutable_uri(const std::string& path) {
    std::string uri = "file:";
    for (const char c : path) {
        if (c == '%' || c == '?' || c == '#') {
            char hex[4];
            std::snprintf(hex, sizeof hex, "%%%02X", static_cast<unsigned char>(c));
            uri += hex;
        } else {
            uri += c;
        }
    }
    return uri + "?immutable=1";
}

std::unique_ptr<SQLite::Database> connect(const std::string& path, int busy_ms, bool create,
                                          Access access = Access::ReadWrite) {
    int flags = SQLITE_OPEN_NOMUTEX;
    std::string name = path;
    switch (access) {
    case Access::ReadWrite:
        flags |= SQLite::OPEN_READWRITE | (create ? SQLite::OPEN_CREATE : 0);
        break;
    case Access::ReadOnly:
        flags |= SQLite::OPEN_READONLY;
        break;
    case Access::Immutable:
        flags |= SQLite::OPEN_READONLY | SQLite::OPEN_URI;
        name = immutable_uri(path);
        break;
    }
    auto db = std::make_unique<SQLite::Database>(name, flags, busy_ms);
    // A file opened for writing that SQLite could only open for reading is the caller's to
    // handle; even a pragma would read the file and fail where the WAL index cannot be made.
    if (access == Access::ReadWrite && sqlite3_db_readonly(db->getHandle(), "main") == 1) return db;
    db->exec("PRAGMA synchronous=NORMAL; PRAGMA temp_store=MEMORY; PRAGMA cache_size=-32768; "
             "PRAGMA journal_size_limit="
             + std::to_string(WalPolicy::kSizeLimit));
    return db;
}

// Refuses a file that is not ours: written by a newer Weft, or another program's database.
// One statement, so one read snapshot: another process's first migration is seen whole or not
// at all (never "tables but no version").
void check_ours(SQLite::Database& db, const std::string& path) {
    SQLite::Statement st(db, "SELECT (SELECT user_version FROM pragma_user_version), "
                             "(SELECT count(*) FROM sqlite_schema WHERE type='table')");
    st.executeStep();
    const int have = st.getColumn(0).getInt();
    const int tables = st.getColumn(1).getInt();
    const int want = store_schema_version();
    if (have > want)
        throw StoreError("weft: the database " + path + " was written by a newer Weft (schema "
                         + std::to_string(have) + "; this build knows up to " + std::to_string(want)
                         + "). Upgrade Weft, or point --db / WEFT_DB at another file.");
    // A file with tables but no version is not ours: never write over it.
    if (have == 0 && tables > 0)
        throw StoreError("weft: the database " + path
                         + " holds tables but is not a Weft database. Point --db / WEFT_DB "
                           "at another file.");
}

void migrate(SQLite::Database& db, const std::string& path) {
    const int want = store_schema_version();
    if (db.execAndGet("PRAGMA user_version").getInt() == want) return;
    SQLite::Transaction txn(db, SQLite::TransactionBehavior::IMMEDIATE);
    // Another process may have migrated while this one waited for the lock.
    check_ours(db, path);
    const int have = db.execAndGet("PRAGMA user_version").getInt();
    for (int v = have; v < want; ++v) {
        db.exec(schema::migrations()[size_t(v)]);
        db.exec("PRAGMA user_version=" + std::to_string(v + 1));
    }
    txn.commit();
    if (have != want)
        detail::engine_log().debug("weft: database {} migrated from schema {} to {}", path, have,
                                   want);
}

} // namespace

Store::Store(std::string path, StoreOptions options)
    : m_path(std::move(path))
    , m_options(options) {}

std::shared_ptr<Store> Store::open(const std::string& path, StoreOptions options) {
    const fs::path p(path);
    if (!fs::exists(p)) {
        if (!options.create)
            throw StoreError("weft: the database " + path
                             + " does not exist. Run a flow first, "
                               "or point --db / WEFT_DB at an existing file.");
        std::error_code ec;
        if (p.has_parent_path()) fs::create_directories(p.parent_path(), ec);
        if (ec)
            throw StoreError("weft: cannot create the folder " + p.parent_path().string()
                             + " for the database: " + ec.message() + ".");
    } else if (fs::is_directory(p)) {
        throw StoreError("weft: " + path
                         + " is a folder, not a database file. Point --db / "
                           "WEFT_DB at a file.");
    }
    std::shared_ptr<Store> store(new Store(path, options));
    try {
        if (options.read_only) {
            store->open_read_only();
            return store;
        }
        auto db = connect(path, options.busy_timeout_ms, options.create);
        // SQLite quietly opens a file it may not write (permissions, a read-only mount) for
        // reading only; every write would then fail later, far from here.
        if (sqlite3_db_readonly(db->getHandle(), "main") == 1) {
            if (!options.read_only_if_unwritable)
                throw StoreError("weft: the database " + path
                                 + " may only be read by this user (its file, folder or file "
                                   "system is read-only). Commands that change runs need write "
                                   "access.");
            db.reset();
            store->open_read_only();
            return store;
        }
        check_ours(*db, path); // before anything writes to the file, even the journal mode
        const std::string mode = db->execAndGet("PRAGMA journal_mode=WAL").getString();
        if (mode != "wal")
            throw StoreError("weft: the database " + path + " cannot use write-ahead logging (mode "
                             + mode + "). Put it on a local file system.");
        migrate(*db, path);
        sqlite3_wal_hook(db->getHandle(), after_commit_checkpoint, &store->m_options);
        store->m_writer = std::make_unique<Reader>(std::move(db));
    } catch (const SQLite::Exception& e) {
        throw explain(path, e);
    }
    store->m_thread = std::thread([s = store.get()] { s->writer_loop(); });
    return store;
}

void Store::open_read_only() {
    m_read_only = true;
    std::unique_ptr<SQLite::Database> db;
    try {
        db = connect(m_path, m_options.busy_timeout_ms, false, Access::ReadOnly);
        check_ours(*db, m_path);
    } catch (const SQLite::Exception& e) {
        // Reading a WAL database needs its shared index (-shm); where that cannot be created
        // (a read-only folder), read the file as immutable: a snapshot without live changes.
        const int code = e.getErrorCode() & 0xff;
        if (code != SQLITE_CANTOPEN && code != SQLITE_READONLY) throw;
        db = connect(m_path, m_options.busy_timeout_ms, false, Access::Immutable);
        check_ours(*db, m_path);
        m_immutable = true;
    }
    const int have = db->execAndGet("PRAGMA user_version").getInt();
    if (have != store_schema_version())
        throw StoreError("weft: the database " + m_path + " was written by an older Weft (schema "
                         + std::to_string(have)
                         + ") and may only be read by this user. Open it once with write access "
                           "to upgrade it.");
    m_pool.push_back(std::make_unique<Reader>(std::move(db)));
}

std::string Store::read_only_message() const {
    return "weft: the database " + m_path
           + " is open read-only (this user may not write it): runs cannot be changed.";
}

Store::~Store() {
    close();
}

void Store::close() {
    {
        std::scoped_lock lock(m_queue_mutex);
        if (m_stopping) return;
        m_stopping = true; // the writer commits what is queued, then ends
    }
    m_queue_cv.notify_all();
    if (m_thread.joinable()) m_thread.join();
    m_writer.reset();
    std::scoped_lock lock(m_pool_mutex);
    m_pool.clear();
    m_closed = true;
}

bool Store::closed() const {
    std::scoped_lock lock(m_pool_mutex);
    return m_closed;
}

std::string Store::failure() const {
    std::scoped_lock lock(m_failure_mutex);
    return m_failure;
}

void Store::on_failure(std::function<void(const std::string&)> fn) {
    std::scoped_lock lock(m_failure_mutex);
    m_on_failure = std::move(fn);
}

std::string Store::stop_writing(const std::string& why) {
    std::function<void(const std::string&)> notify;
    std::string failure;
    {
        std::scoped_lock lock(m_failure_mutex);
        if (m_failure.empty()) {
            m_failure = why;
            notify = m_on_failure;
            m_failed = true;
            detail::engine_log().error("{} Nothing more is written to it.", why);
        }
        failure = m_failure;
    }
    if (notify) notify(failure);
    return failure;
}

void Store::read_failed(std::exception_ptr error) {
    try {
        std::rethrow_exception(error);
    } catch (const SQLite::Exception& e) {
        StoreError explained = explain(m_path, e);
        const int code = e.getErrorCode() & 0xff;
        // A damaged file: writing more into it could spread the damage.
        if (code == SQLITE_CORRUPT || code == SQLITE_NOTADB) stop_writing(explained.what());
        throw explained;
    }
}
std::unique_ptr<Reader> Store::open_reader() const {
    const Access access = m_immutable   ? Access::Immutable
                          : m_read_only ? Access::ReadOnly
                                        : Access::ReadWrite;
    try {
        return std::make_unique<Reader>(connect(m_path, m_options.busy_timeout_ms, false, access));
    } catch (const SQLite::Exception& e) {
        throw explain(m_path, e);
    }
}

std::unique_ptr<Reader> Store::borrow_reader() {
    {
        std::scoped_lock lock(m_pool_mutex);
        if (!m_pool.empty()) {
            auto r = std::move(m_pool.back());
            m_pool.pop_back();
            return r;
        }
    }
    return open_reader();
}

void Store::return_reader(std::unique_ptr<Reader> r) {
    if (!r) return;
    std::scoped_lock lock(m_pool_mutex);
    if (!m_closed && m_pool.size() < 8) m_pool.push_back(std::move(r));
}

void Store::enqueue(Op op) {
    if (m_read_only) {
        refuse(std::move(op));
        return;
    }
    // Someone waits for a transaction function or a barrier: wake the writer now, even while it
    // gathers a group.
    const bool urgent =
        std::holds_alternative<TransactOp>(op) || std::holds_alternative<Barrier>(op);
    bool wake;
    {
        std::scoped_lock lock(m_queue_mutex);
        if (m_stopping) {
            // Closed: nothing will be committed. Whoever waits is told; plain writes are dropped.
            auto error =
                std::make_exception_ptr(StoreError("weft: the database " + m_path + " is closed"));
            if (auto* t = std::get_if<TransactOp>(&op)) t->fail(error);
            if (auto* b = std::get_if<Barrier>(&op)) b->done->set_exception(error);
            return;
        }
        wake = m_queue.empty() || urgent;
        m_urgent = m_urgent || urgent;
        m_queue.push_back(std::move(op));
    }
    if (wake) m_queue_cv.notify_one();
}

void Store::refuse(Op op) {
    if (auto* t = std::get_if<TransactOp>(&op)) {
        t->fail(std::make_exception_ptr(StoreError(read_only_message())));
    } else if (auto* b = std::get_if<Barrier>(&op)) {
        b->done->set_value();
    } else if (!m_refused_write.exchange(true)) {
        detail::engine_log().error("{}; writes are dropped.", read_only_message());
    }
}

void Store::put_flow_run(FlowRunRecord run, EventKind kind) {
    enqueue(PutFlowRun{std::move(run), kind});
}

void Store::put_task_run(TaskRunRecord run, EventKind kind) {
    auto texts = detail::TaskRunTexts::of(run);
    enqueue(PutTaskRun{std::move(run), kind, std::move(texts)});
}

void Store::update_task_run(TaskRunUpdate update) {
    auto texts = detail::TaskRunTexts::of(update);
    enqueue(UpdateTaskRun{std::move(update), std::move(texts)});
}

void Store::append_log(LogRecord line) {
    enqueue(AppendLog{std::move(line)});
}

void Store::heartbeat(std::string flow_run_id, Micros at) {
    enqueue(Heartbeat{std::move(flow_run_id), at});
}

void Store::flush() {
    auto done = std::make_shared<std::promise<void>>();
    auto f = done->get_future();
    enqueue(Barrier{done});
    f.get();
}

void Store::writer_loop() {
    using namespace std::chrono_literals;
    std::vector<Op> batch;
    for (;;) {
        {
            std::unique_lock lock(m_queue_mutex);
            m_queue_cv.wait(lock, [&] { return !m_queue.empty() || m_stopping; });
            if (m_queue.empty()) return; // stopping with nothing left
            // Gather a group for up to a millisecond unless someone waits: one commit then
            // covers many task runs, and a run created and finished within the group is written
            // once.
            m_queue_cv.wait_for(
                lock, 1ms, [&] { return m_urgent || m_stopping || m_queue.size() >= kGroupSize; });
            batch.swap(m_queue);
            m_urgent = false;
        }
        apply_batch(batch);
        batch.clear();
        // This buffer is the queue next time: room for a whole group spares the producers
        // reallocations that move every queued op (each several hundred bytes).
        batch.reserve(kGroupSize);
    }
}

} // namespace weft
