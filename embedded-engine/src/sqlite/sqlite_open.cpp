// Opening the SQLite backend: connections, the checks that a file is ours, migrations, the
// write-ahead log's checkpoints, and what SQLite's errors mean.
#include "engine_log.hpp"
#include "sqlite/sqlite_errors.hpp"
#include "sqlite/sqlite_store.hpp"
#include "store_schema.hpp"

#include <SQLiteCpp/SQLiteCpp.h>
#include <chrono>
#include <filesystem>
#include <spdlog/spdlog.h>
#include <sqlite3.h>
#include <thread>

namespace weft::sqlite {

namespace fs = std::filesystem;

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
int after_commit_checkpoint(void* busy_timeout_ms, sqlite3* db, const char* name, int wal_pages) {
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
    sqlite3_busy_timeout(db, *static_cast<int*>(busy_timeout_ms));
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

namespace {

class SqliteBackend final : public StoreBackend {
public:
    SqliteBackend(std::string path, StoreOptions options)
        : m_path(std::move(path))
        , m_options(options) {}

    void open();

    const std::string& location() const override { return m_path; }
    bool read_only() const override { return m_read_only; }
    std::unique_ptr<WriterConnection> take_writer() override { return std::move(m_writer); }
    std::unique_ptr<Reader> take_first_reader() override { return std::move(m_first_reader); }

    std::unique_ptr<Reader> open_reader() const override {
        const Access access = m_immutable   ? Access::Immutable
                              : m_read_only ? Access::ReadOnly
                                            : Access::ReadWrite;
        try {
            return std::make_unique<SqliteReader>(
                connect(m_path, m_options.busy_timeout_ms, false, access));
        } catch (const SQLite::Exception& e) {
            throw sqlite::explain(m_path, e);
        }
    }

    std::optional<StoreError> explain(const std::exception_ptr& error) const override {
        try {
            std::rethrow_exception(error);
        } catch (const SQLite::Exception& e) {
            return sqlite::explain(m_path, e);
        } catch (...) {
            return std::nullopt;
        }
    }

    bool damaged(const std::exception_ptr& error) const override {
        try {
            std::rethrow_exception(error);
        } catch (const SQLite::Exception& e) {
            const int code = e.getErrorCode() & 0xff;
            return code == SQLITE_CORRUPT || code == SQLITE_NOTADB;
        } catch (...) {
            return false;
        }
    }

private:
    void open_read_only();

    std::string m_path;
    StoreOptions m_options; // the checkpoint hook reads busy_timeout_ms: lives as long as the hook
    bool m_read_only = false;
    bool m_immutable = false; // read-only and SQLite could not share the WAL index: no locking
    std::unique_ptr<SqliteWriter> m_writer;
    std::unique_ptr<SqliteReader> m_first_reader;
};

void SqliteBackend::open() {
    if (m_options.read_only) return open_read_only();
    auto db = connect(m_path, m_options.busy_timeout_ms, m_options.create);
    // SQLite quietly opens a file it may not write (permissions, a read-only mount) for
    // reading only; every write would then fail later, far from here.
    if (sqlite3_db_readonly(db->getHandle(), "main") == 1) {
        if (!m_options.read_only_if_unwritable)
            throw StoreError("weft: the database " + m_path
                             + " may only be read by this user (its file, folder or file "
                               "system is read-only). Commands that change runs need write "
                               "access.");
        db.reset();
        return open_read_only();
    }
    check_ours(*db, m_path); // before anything writes to the file, even the journal mode
    const std::string mode = db->execAndGet("PRAGMA journal_mode=WAL").getString();
    if (mode != "wal")
        throw StoreError("weft: the database " + m_path + " cannot use write-ahead logging (mode "
                         + mode + "). Put it on a local file system.");
    migrate(*db, m_path);
    sqlite3_wal_hook(db->getHandle(), after_commit_checkpoint, &m_options.busy_timeout_ms);
    m_writer = std::make_unique<SqliteWriter>(std::move(db), m_path);
}

void SqliteBackend::open_read_only() {
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
    m_first_reader = std::make_unique<SqliteReader>(std::move(db));
}

} // namespace

std::unique_ptr<StoreBackend> open_backend(const std::string& path, const StoreOptions& options) {
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
    auto backend = std::make_unique<SqliteBackend>(path, options);
    try {
        backend->open();
    } catch (const SQLite::Exception& e) {
        throw sqlite::explain(path, e);
    }
    return backend;
}

SQLite::Database& database(Reader& reader) {
    return dynamic_cast<SqliteReader&>(reader).db();
}

SQLite::Database& database(Txn& txn) {
    return dynamic_cast<SqliteWriter&>(txn).db();
}

} // namespace weft::sqlite
