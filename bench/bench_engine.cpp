// Orchestration overhead: one flow maps N no-op tasks, every state persisted durably. Baselines
// measured in the same run: the same rows written with raw batched SQLite inserts, and the same
// N no-ops on a plain thread pool. And a chain of 40 sequential ~10 ms tasks (timed before the
// no-op flow) against its ideal (40 times the same body run bare).
#include <weft/ids.hpp>
#include <weft/weft.hpp>

#include <CLI/CLI.hpp>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sqlite3.h>
#include <sys/resource.h>
#include <thread>
#include <thread_pool/thread_pool.hpp>
#include <unistd.h>

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

namespace {

double seconds_since(Clock::time_point t0) {
    return std::chrono::duration<double>(Clock::now() - t0).count();
}

// This process's CPU time (user + system, every thread): unlike wall time it barely moves when
// other programs share the cores, so it shows per-task CPU cuts on a busy machine.
double cpu_seconds() {
    rusage u{};
    getrusage(RUSAGE_SELF, &u);
    return double(u.ru_utime.tv_sec + u.ru_stime.tv_sec)
           + double(u.ru_utime.tv_usec + u.ru_stime.tv_usec) / 1e6;
}

double peak_rss_mb() {
    std::ifstream status("/proc/self/status");
    std::string line;
    while (std::getline(status, line))
        if (line.rfind("VmHWM:", 0) == 0) return std::stod(line.substr(6)) / 1024.0;
    return 0;
}

void check(int rc, sqlite3* db) {
    if (rc != SQLITE_OK && rc != SQLITE_DONE && rc != SQLITE_ROW) {
        std::fprintf(stderr, "sqlite: %s\n", sqlite3_errmsg(db));
        std::exit(1);
    }
}

// The task_runs and events tables of schema 3 (the first durable form), with their indexes: the
// raw baseline a leaner form is measured against.
const char* const kV1Tables = R"SQL(
CREATE TABLE task_runs(
  id TEXT PRIMARY KEY NOT NULL, flow_run_id TEXT NOT NULL, task_key TEXT NOT NULL,
  dynamic_key TEXT NOT NULL, name TEXT NOT NULL, state_id TEXT NOT NULL, state_type TEXT NOT NULL,
  state_name TEXT NOT NULL, state_message TEXT NOT NULL DEFAULT '', state_timestamp INTEGER NOT NULL,
  state_details TEXT, run_count INTEGER NOT NULL DEFAULT 0, max_retries INTEGER NOT NULL DEFAULT 0,
  start_time INTEGER, end_time INTEGER, total_run_time INTEGER NOT NULL DEFAULT 0,
  expected_start_time INTEGER NOT NULL, created INTEGER NOT NULL, updated INTEGER NOT NULL,
  cache_key TEXT, cache_expiration INTEGER, inputs_hash TEXT, task_inputs TEXT NOT NULL DEFAULT '{}',
  parameters TEXT NOT NULL DEFAULT '{}', tags TEXT NOT NULL DEFAULT '[]', result TEXT,
  has_result INTEGER NOT NULL DEFAULT 0, child_flow_run_id TEXT
) WITHOUT ROWID;
CREATE INDEX task_runs_by_flow_run ON task_runs(flow_run_id);
CREATE INDEX task_runs_by_cache_key ON task_runs(cache_key) WHERE cache_key IS NOT NULL;
CREATE TABLE events(
  seq INTEGER PRIMARY KEY, kind INTEGER NOT NULL, ts INTEGER NOT NULL, run_id TEXT,
  flow_run_id TEXT, state_id TEXT, state_type TEXT, state_name TEXT, state_message TEXT,
  state_details TEXT, payload TEXT
);
CREATE INDEX events_by_run ON events(run_id) WHERE run_id IS NOT NULL;
)SQL";

// How a raw baseline spells the rows: the store's own form, or schema 3's (the events before
// their lean form).
enum class Form { V1, Lean };

// The rows Weft writes for one no-op task run: its task_runs row and three state events
// (Pending, Running, Completed), inserted with prepared statements in batches of 10,000 tasks.
// In the lean form an event leaves out its flow run, the state's default name and empty message,
// and codes the state type (2 PENDING, 3 RUNNING, 4 COMPLETED).
double raw_sqlite_seconds(const std::string& path, int tasks, Form form) {
    sqlite3* db = nullptr;
    const bool v1 = form == Form::V1;
    if (!v1) weft::Store::open(path); // the store's own schema, then closed
    check(sqlite3_open(path.c_str(), &db), db);
    check(sqlite3_exec(db, "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;", nullptr, nullptr,
                       nullptr),
          db);
    if (v1) check(sqlite3_exec(db, kV1Tables, nullptr, nullptr, nullptr), db);
    sqlite3_stmt* run = nullptr;
    sqlite3_stmt* event = nullptr;
    check(
        sqlite3_prepare_v2(
            db,
            "INSERT INTO task_runs(id, flow_run_id, task_key, dynamic_key, name, state_id, "
            "state_type, state_name, state_message, state_timestamp, run_count, start_time, "
            "end_time, total_run_time, expected_start_time, created, updated, inputs_hash, "
            "task_inputs, parameters, tags, has_result) VALUES (?, ?, 'noop', ?, ?, ?, "
            "'COMPLETED', 'Completed', '', ?, 1, ?, ?, 0, ?, ?, ?, ?, '{\"arg0\":[]}', ?, '[]', 0)",
            -1, &run, nullptr),
        db);
    check(sqlite3_prepare_v2(db,
                             v1 ? "INSERT INTO events(kind, ts, run_id, flow_run_id, state_id, "
                                  "state_type, state_name, state_message) VALUES (?, ?, ?, ?, ?, "
                                  "?, ?, '')"
                                : "INSERT INTO events(kind, ts, run_id, state_id, state_type) "
                                  "VALUES (?, ?, ?, ?, ?)",
                             -1, &event, nullptr),
          db);
    const std::string flow_run = weft::new_id();
    const auto t0 = Clock::now();
    for (int i = 0; i < tasks; ++i) {
        if (i % 10000 == 0) check(sqlite3_exec(db, "BEGIN", nullptr, nullptr, nullptr), db);
        const std::string id = weft::new_id();
        const std::string key = std::to_string(i);
        const std::string name = "noop-" + key;
        const std::string params = "{\"arg0\":" + key + "}";
        const weft::Micros now = weft::now_us();
        const char* types[] = {"PENDING", "RUNNING", "COMPLETED"};
        const int codes[] = {2, 3, 4};
        const char* names[] = {"Pending", "Running", "Completed"};
        std::string state_ids[3];
        for (int s = 0; s < 3; ++s) {
            state_ids[s] = weft::new_id();
            sqlite3_bind_int(event, 1, s == 0 ? 3 : 4);
            sqlite3_bind_int64(event, 2, now + s);
            sqlite3_bind_text(event, 3, id.c_str(), -1, SQLITE_STATIC);
            if (v1) {
                sqlite3_bind_text(event, 4, flow_run.c_str(), -1, SQLITE_STATIC);
                sqlite3_bind_text(event, 5, state_ids[s].c_str(), -1, SQLITE_STATIC);
                sqlite3_bind_text(event, 6, types[s], -1, SQLITE_STATIC);
                sqlite3_bind_text(event, 7, names[s], -1, SQLITE_STATIC);
            } else {
                sqlite3_bind_text(event, 4, state_ids[s].c_str(), -1, SQLITE_STATIC);
                sqlite3_bind_int(event, 5, codes[s]);
            }
            check(sqlite3_step(event), db);
            sqlite3_reset(event);
        }
        sqlite3_bind_text(run, 1, id.c_str(), -1, SQLITE_STATIC);
        sqlite3_bind_text(run, 2, flow_run.c_str(), -1, SQLITE_STATIC);
        sqlite3_bind_text(run, 3, key.c_str(), -1, SQLITE_STATIC);
        sqlite3_bind_text(run, 4, name.c_str(), -1, SQLITE_STATIC);
        sqlite3_bind_text(run, 5, state_ids[2].c_str(), -1, SQLITE_STATIC);
        for (int c = 6; c <= 11; ++c)
            sqlite3_bind_int64(run, c, now);
        sqlite3_bind_text(run, 12, id.c_str(), -1, SQLITE_STATIC); // a 32-char hash in Weft
        sqlite3_bind_text(run, 13, params.c_str(), -1, SQLITE_STATIC);
        check(sqlite3_step(run), db);
        sqlite3_reset(run);
        if (i % 10000 == 9999 || i == tasks - 1)
            check(sqlite3_exec(db, "COMMIT", nullptr, nullptr, nullptr), db);
    }
    const double elapsed = seconds_since(t0);
    sqlite3_finalize(run);
    sqlite3_finalize(event);
    sqlite3_close(db);
    return elapsed;
}

// A database's size with its write-ahead log copied back: what it keeps on disk.
double database_mb(const std::string& path) {
    sqlite3* db = nullptr;
    if (sqlite3_open(path.c_str(), &db) == SQLITE_OK)
        sqlite3_exec(db, "PRAGMA wal_checkpoint(TRUNCATE)", nullptr, nullptr, nullptr);
    sqlite3_close(db);
    std::error_code ec;
    const auto size = fs::file_size(path, ec);
    return ec ? 0.0 : double(size) / 1e6;
}

double raw_pool_seconds(int tasks) {
    thread_pool::ThreadPool pool(std::max(2u, std::thread::hardware_concurrency()));
    std::vector<std::future<void>> futures;
    futures.reserve(std::size_t(tasks));
    std::atomic<long> sink{0};
    const auto t0 = Clock::now();
    for (int i = 0; i < tasks; ++i)
        futures.push_back(pool.Submit([&sink, i] { sink += i; }));
    for (auto& f : futures)
        f.wait();
    return seconds_since(t0);
}

// The chain's task body: a sleep, timed bare to give the chain its ideal.
void ten_ms() {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
}

double bare_chain_seconds(int steps) {
    const auto t0 = Clock::now();
    for (int i = 0; i < steps; ++i)
        ten_ms();
    return seconds_since(t0);
}

} // namespace

int main(int argc, char** argv) {
    CLI::App app{
        "Weft engine benchmark: orchestrated no-op tasks against raw SQLite and a raw pool"};
    int tasks = 100000;
    std::string dir = fs::temp_directory_path() / ("weft-bench-" + std::to_string(getpid()));
    app.add_option("--tasks", tasks, "Number of no-op tasks")->check(CLI::PositiveNumber);
    int chain = 40;
    app.add_option("--chain", chain, "Length of the chain of ~10 ms tasks (0: skip it)")
        ->check(CLI::NonNegativeNumber);
    app.add_option("--dir", dir, "Folder for the benchmark databases (removed afterwards)");
    CLI11_PARSE(app, argc, argv);
    fs::create_directories(dir);
    const std::string weft_db = dir + "/weft.db";
    const std::string raw_db = dir + "/raw.db";

    const double pool_s = raw_pool_seconds(tasks);
    const double raw_cpu0 = cpu_seconds();
    const double raw_s = raw_sqlite_seconds(raw_db, tasks, Form::Lean);
    const double raw_cpu_s = cpu_seconds() - raw_cpu0;
    const double v1_cpu0 = cpu_seconds();
    const double raw_v1_s = raw_sqlite_seconds(dir + "/raw_v1.db", tasks, Form::V1);
    const double raw_v1_cpu_s = cpu_seconds() - v1_cpu0;
    const double per_100k = 100000.0 / tasks;
    const double raw_mb = database_mb(raw_db) * per_100k;
    const double raw_v1_mb = database_mb(dir + "/raw_v1.db") * per_100k;

    weft::detail::configure_database(weft_db);
    std::vector<int> items(static_cast<std::size_t>(tasks));
    for (int i = 0; i < tasks; ++i)
        items[std::size_t(i)] = i;
    auto noop = weft::task("noop", [](int) {});
    auto bench = weft::flow("bench_noop", [&] {
        auto futures = noop.map(items);
        for (auto& f : futures)
            f.wait();
    });
    weft::detail::engine(); // open the database before the clocks start

    // The chain runs first: after the no-op flow it would also time glibc tidying up that flow's
    // freed task runs (its next large allocation consolidates them all, ~80 ms for 100,000),
    // which is not the chain's overhead. Each task of the chain takes the previous one's result,
    // so they run one after another.
    double chain_s = 0, chain_ideal_s = 0;
    if (chain > 0) {
        auto step = weft::task("step", [](int i) {
            ten_ms();
            return i + 1;
        });
        auto chained = weft::flow("bench_chain", [&] {
            int v = 0;
            for (int i = 0; i < chain; ++i)
                v = step(v);
        });
        chain_ideal_s = bare_chain_seconds(chain);
        const auto c0 = Clock::now();
        chained();
        chain_s = seconds_since(c0);
    }

    const double cpu0 = cpu_seconds();
    const auto t0 = Clock::now();
    bench(); // returns once every state is committed
    const double weft_s = seconds_since(t0);
    const double weft_cpu_s = cpu_seconds() - cpu0;

    const long long completed = weft::detail::engine().store().read([](weft::Reader& r) {
        weft::FlowRunQuery q;
        q.flow_names = {"bench_noop"};
        auto runs = r.flow_runs(q);
        return runs.empty() ? 0LL : (long long)r.task_runs(runs.front().id).size();
    });
    const double rows = double(tasks) * 4; // one task_runs row and three events per task
    nlohmann::json out = {
        {"tasks", tasks},
        {"task_runs_stored", completed},
        {"weft_s", weft_s},
        {"tasks_per_s", tasks / weft_s},
        {"us_per_task", weft_s * 1e6 / tasks},
        {"cpu_us_per_task", weft_cpu_s * 1e6 / tasks}, // every thread: per-task path and writer
        {"raw_sqlite_s", raw_s},
        {"raw_sqlite_cpu_us_per_task", raw_cpu_s * 1e6 / tasks},
        {"raw_sqlite_us_per_task", raw_s * 1e6 / tasks},
        // Schema 3's rows (the first durable form), the baseline the lean form is measured against.
        {"raw_sqlite_v1_us_per_task", raw_v1_s * 1e6 / tasks},
        {"raw_sqlite_v1_cpu_us_per_task", raw_v1_cpu_s * 1e6 / tasks},
        {"raw_sqlite_mb_per_100k", raw_mb},
        {"raw_sqlite_v1_mb_per_100k", raw_v1_mb},
        {"weft_mb_per_100k", database_mb(weft_db) * per_100k},
        {"raw_sqlite_rows_per_s", rows / raw_s},
        {"ratio_to_raw", raw_s / weft_s},
        {"raw_pool_tasks_per_s", tasks / pool_s},
        {"ratio_to_raw_pool", pool_s / weft_s},
        {"chain_tasks", chain},
        {"chain_s", chain_s},
        {"chain_ideal_s", chain_ideal_s},
        {"chain_overhead_pct",
         chain_ideal_s > 0 ? 100.0 * (chain_s - chain_ideal_s) / chain_ideal_s : 0.0},
        {"peak_rss_mb", peak_rss_mb()},
    };
    std::printf("%s\n", out.dump().c_str());
    std::error_code ec;
    fs::remove_all(dir, ec);
    return 0;
}
