// Weft Studio benchmark: the design's performance targets for Studio (design §7), measured on
// generated databases with the real models and widgets, offscreen. Not a test.
//
//   weft-bench-studio [--dir DIR] [--quick] [--rate EVENTS_PER_S] [--ingest-seconds S]
//                     [--phases list,graph,timeline,logs,ingest]
//
// Databases (written with raw SQLite in big transactions, in the engine's schema; the big run
// through the store as programs write it):
//   runs-N.db  N flow runs over 30 days (5 flows, mostly finished, the newest running or
//              scheduled) and one run "ten-thousand-tasks" of 100 x 100 task runs with edges
//   logs-N.db  one flow run of 8 task runs with N log lines (as fixtures::writeRun writes them:
//              mixed levels, every 97th line says "needle")
// With --dir they are kept and reused (regenerated only when missing or incomplete); otherwise
// they go to a temporary folder. Live ingest writes into runs-N.db and its rows are deleted again
// afterwards.
//
// Paint keys (`*_paint_*_ms`) are the worst of 40 frames, not a median: a stutter is what a user
// sees. `log_bytes_per_line` is the process's measured RSS growth per line (the model's own
// estimate is `log_model_bytes_per_line`). `<figure>_x_raw` sits beside a figure that has a raw
// SQLite baseline measured in the same run: the figure as a multiple of it.
//
// A stall is the longest single event the GUI thread handled, wall time (timed in
// QApplication::notify, outermost events only; painting, timers, queued answers and feed batches
// are all events). Beside each, `*_cpu_ms` is the longest event by the GUI thread's own CPU time
// (what the event cost, without waits and preemption) and `*_gap_ms` the longest gap between a
// 5 ms timer's ticks (which also counts time the OS gave to other threads and processes). On a
// busy machine the wall time is noisy; the CPU time is not.
//
// Progress goes to stderr; stdout gets one JSON line.
#include "backend/embeddedbackend.h"
#include "bench_studio_common.h"
#include "bench_studio_remote.h"
#include "fixtures.h"
#include "graph/rungraphmodel.h"
#include "graph/rungraphview.h"
#include "graph/rungraphwidget.h"
#include "logs/logmodel.h"
#include "logs/logview.h"
#include "runactions.h"
#include "runpage.h"
#include "runs/flowrunlistmodel.h"
#include "runs/runlistwidget.h"
#include "timeline/timelinemodel.h"
#include "timeline/timelineview.h"
#include "timeline/timelinewidget.h"

#include <weft/engine.hpp>
#include <weft/ids.hpp>
#include <weft/store.hpp>

#include <CLI/CLI.hpp>
#include <QApplication>
#include <QElapsedTimer>
#include <QEventLoop>
#include <QFile>
#include <QScrollBar>
#include <QSplitter>
#include <QTableView>
#include <QTemporaryDir>
#include <QTimer>
#include <QWheelEvent>
#include <QWindow>
#include <algorithm>
#include <atomic>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <ctime>
#include <filesystem>
#include <functional>
#include <queue>
#include <random>
#include <sqlite3.h>
#include <sys/resource.h>
#include <thread>
#include <unordered_map>

using namespace weft::studio;
using namespace weft::bench;
namespace fs = std::filesystem;

namespace {

// ---------------------------------------------------------------------------------------------
// Reporting

double round1(double v) {
    return std::round(v * 10) / 10;
}

double median(std::vector<double> v) {
    if (v.empty()) return 0;
    std::sort(v.begin(), v.end());
    return v[v.size() / 2];
}

double percentile(std::vector<double> v, double p) {
    if (v.empty()) return 0;
    std::sort(v.begin(), v.end());
    return v[std::min(v.size() - 1, size_t(p * double(v.size())))];
}

long rssKb() {
    QFile f(QStringLiteral("/proc/self/status"));
    if (!f.open(QIODevice::ReadOnly)) return 0;
    for (const QByteArray& line : f.readAll().split('\n'))
        if (line.startsWith("VmRSS:")) return line.mid(6).trimmed().split(' ').first().toLong();
    return 0;
}

void settle(int ms) {
    QElapsedTimer t;
    t.start();
    waitFor([&] { return t.elapsed() >= ms; }, ms + 1000);
}

bool exposed(QWidget& w) {
    return waitFor([&] { return w.windowHandle() && w.windowHandle()->isExposed(); }, 10000)
           < 10000;
}

// Wall time of `frames` synchronous repaints of a widget (the paint event and the backing store).
std::vector<double> frameTimes(QWidget* w, int frames) {
    std::vector<double> ms;
    for (int i = 0; i < frames; ++i) {
        QElapsedTimer t;
        t.start();
        w->repaint();
        ms.push_back(t.nsecsElapsed() / 1e6);
    }
    return ms;
}

// ---------------------------------------------------------------------------------------------
// Raw SQLite

class Sql {
public:
    explicit Sql(const std::string& path) {
        if (sqlite3_open_v2(path.c_str(), &m_db, SQLITE_OPEN_READWRITE, nullptr) != SQLITE_OK)
            throw std::runtime_error("cannot open " + path + ": " + sqlite3_errmsg(m_db));
        sqlite3_busy_timeout(m_db, 10000);
    }
    ~Sql() { sqlite3_close_v2(m_db); }
    Sql(const Sql&) = delete;
    Sql& operator=(const Sql&) = delete;
    sqlite3* handle() const { return m_db; }

    void exec(const std::string& sql) {
        char* error = nullptr;
        if (sqlite3_exec(m_db, sql.c_str(), nullptr, nullptr, &error) != SQLITE_OK) {
            const std::string message = error ? error : "?";
            sqlite3_free(error);
            throw std::runtime_error(sql.substr(0, 80) + ": " + message);
        }
    }
    /// The first column of the first row, as text ("" when there is none).
    std::string text(const std::string& sql);
    std::int64_t integer(const std::string& sql) {
        const std::string t = text(sql);
        return t.empty() ? 0 : std::stoll(t);
    }
    std::string meta(const std::string& key) {
        return text("SELECT value FROM meta WHERE key = '" + key + "'");
    }
    void setMeta(const std::string& key, const std::string& value) {
        exec("INSERT OR REPLACE INTO meta(key, value) VALUES ('" + key + "', '" + value + "')");
    }

private:
    sqlite3* m_db = nullptr;
};

class Stmt {
public:
    Stmt(Sql& db, const char* sql) {
        if (sqlite3_prepare_v3(db.handle(), sql, -1, SQLITE_PREPARE_PERSISTENT, &m_st, nullptr)
            != SQLITE_OK)
            throw std::runtime_error(std::string(sql) + ": " + sqlite3_errmsg(db.handle()));
    }
    ~Stmt() { sqlite3_finalize(m_st); }
    Stmt(const Stmt&) = delete;
    Stmt& operator=(const Stmt&) = delete;
    sqlite3_stmt* get() const { return m_st; }

    void text(int i, const std::string& s) {
        sqlite3_bind_text(m_st, i, s.data(), int(s.size()), SQLITE_TRANSIENT);
    }
    void text(int i, const char* s) { sqlite3_bind_text(m_st, i, s, -1, SQLITE_STATIC); }
    void integer(int i, std::int64_t v) { sqlite3_bind_int64(m_st, i, v); }
    void null(int i) { sqlite3_bind_null(m_st, i); }
    bool step() {
        const int rc = sqlite3_step(m_st);
        if (rc == SQLITE_ROW) return true;
        if (rc != SQLITE_DONE)
            throw std::runtime_error(std::string("step: ")
                                     + sqlite3_errmsg(sqlite3_db_handle(m_st)));
        return false;
    }
    /// Steps to the end and resets for the next row.
    void run() {
        while (step()) {
        }
        sqlite3_reset(m_st);
        sqlite3_clear_bindings(m_st);
    }

private:
    sqlite3_stmt* m_st = nullptr;
};

std::string Sql::text(const std::string& sql) {
    Stmt st(*this, sql.c_str());
    if (!st.step()) return {};
    const auto* t = sqlite3_column_text(st.get(), 0);
    return t ? std::string(reinterpret_cast<const char*>(t)) : std::string();
}

void removeDb(const std::string& path) {
    for (const char* suffix : {"", "-wal", "-shm"})
        fs::remove(path + suffix);
}

// ---------------------------------------------------------------------------------------------
// Data

struct Sizes {
    long runs = 1'000'000;
    int layers = 100, width = 100; // the big run's task runs: layers x width
    long logLines = 10'000'000;
};

const char* const kLiveFlow = "bench-live";

// 100 x 100 task runs in layers, each depending on two or three of the layer before, starting in
// staggered waves (as the timeline tests' staggeredLayers). The first layer's tasks have their own
// keys so that no `.map` group folds them: every task run is a node.
std::vector<fixtures::TaskSpec> bigDag(int layers, int width) {
    std::vector<fixtures::TaskSpec> tasks = fixtures::layers(layers, width);
    std::mt19937 rng(11);
    for (size_t i = 0; i < tasks.size(); ++i) {
        const int l = int(i) / width, w = int(i) % width;
        tasks[i].start_s = l * 1.0 + w * 0.006 + double(rng() % 100) / 1000.0;
        tasks[i].duration_s = 0.2 + double(rng() % 70) / 100.0;
        if (rng() % 97 == 0) tasks[i].state = weft::StateType::Failed;
        if (l == 0) tasks[i].task_key = "extract-" + std::to_string(w);
    }
    return tasks;
}

// 1,000,000 flow runs with raw inserts, then the big run through the store. Returns nothing: the
// big run's id and the feed's sequence number are kept in the meta table.
// The raw inserts below spell the columns of this schema version; a newer schema must be
// looked at (and this number raised) before they write into it. Versions 2 and 3 only added
// nullable launch columns and the pauses table, which the generated runs leave empty; version 4
// made the events lean (no flow_run_id: a log batch's event names its flow run as run_id);
// version 5 only added the deployment, work-pool and placement tables, left empty here.
constexpr int kGeneratorSchemaVersion = 5;

void checkSchemaVersion(Sql& db) {
    const int written = std::stoi(db.text("PRAGMA user_version"));
    if (written != kGeneratorSchemaVersion)
        throw std::runtime_error("the store wrote schema version " + std::to_string(written)
                                 + "; the generator's raw inserts are for version "
                                 + std::to_string(kGeneratorSchemaVersion));
}

void generateRuns(const std::string& path, const Sizes& sizes) {
    QElapsedTimer t;
    t.start();
    removeDb(path);
    weft::Store::open(path).reset(); // the schema
    {
        Sql db(path);
        checkSchemaVersion(db);
        db.exec("PRAGMA synchronous=OFF; PRAGMA cache_size=-262144;");
        const weft::Micros now = weft::now_us();
        const weft::Micros span = weft::from_seconds(30 * 86400.0);
        static const char* const flowNames[] = {"etl", "reports", "backfill", "ml-train", "sync"};
        std::vector<std::string> flowIds;
        {
            Stmt flow(db, "INSERT INTO flows(id, name, created, tags) VALUES (?, ?, ?, '[]')");
            for (const char* name : flowNames) {
                flowIds.push_back(weft::new_id());
                flow.text(1, flowIds.back());
                flow.text(2, name);
                flow.integer(3, now - span - weft::from_seconds(3600));
                flow.run();
            }
        }
        static const char* const adjectives[] = {"amber", "brisk",  "calm",   "dusky", "eager",
                                                 "fuzzy", "gentle", "hazy",   "icy",   "jolly",
                                                 "keen",  "lucky",  "misty",  "noble", "olive",
                                                 "proud", "quiet",  "rustic", "sunny", "tidy"};
        static const char* const animals[] = {"lynx",  "otter", "heron",  "bison", "crane",
                                              "gecko", "ibis",  "jackal", "koala", "lemur",
                                              "moose", "newt",  "okapi",  "panda", "quail",
                                              "raven", "stoat", "tapir",  "viper", "wombat"};
        Stmt run(db, "INSERT INTO flow_runs(id, flow_id, name, state_id, state_type, state_name, "
                     "state_message, state_timestamp, parameters, tags, run_count, start_time, "
                     "end_time, total_run_time, expected_start_time, created, updated) VALUES (?1, "
                     "?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17)");
        std::mt19937 rng(42);
        const long n = sizes.runs;
        const long chunk = 100000;
        for (long i = 0; i < n; ++i) {
            if (i % chunk == 0) db.exec("BEGIN");
            // Oldest first, so ids (time-ordered) follow the expected start as in a real store.
            // The newest 50 are scheduled in the coming hour; of the 1,000 before them a fifth
            // run still; the rest ended: 85 % completed, 9 % failed, 3 % cancelled, 3 % crashed.
            using weft::StateType;
            StateType state;
            weft::Micros expected;
            const long fromEnd = n - i;
            if (fromEnd <= 50) {
                state = StateType::Scheduled;
                expected = now + weft::from_seconds(60.0 * double(51 - fromEnd));
            } else {
                expected = now - span + weft::Micros(double(span) * double(i) / double(n))
                           + weft::Micros(rng() % 1000);
                const unsigned p = rng() % 100;
                if (fromEnd <= 1050 && p < 20)
                    state = StateType::Running;
                else if (p < 85)
                    state = StateType::Completed;
                else if (p < 94)
                    state = StateType::Failed;
                else if (p < 97)
                    state = StateType::Cancelled;
                else
                    state = StateType::Crashed;
            }
            const std::string id = weft::new_id();
            const bool ran = state != StateType::Scheduled;
            const weft::Micros start = expected + 1000 + weft::Micros(rng() % 2'000'000);
            const weft::Micros duration = weft::from_seconds(1 + double(rng() % 600000) / 1000.0);
            const bool ended = ran && state != StateType::Running;
            const weft::Micros stateTs = ended ? start + duration : ran ? start : expected;
            std::string name = std::string(adjectives[rng() % 20]) + "-" + animals[rng() % 20];
            const char* message = "";
            if (state == StateType::Failed)
                message = "Flow run encountered an exception: ValueError: bad row in batch";
            else if (state == StateType::Crashed)
                message = "The process that ran this flow run (pid 4242 on worker-3) is gone; its "
                          "last heartbeat was at 2026-11-02T10:11:12.000000Z.";
            else if (state == StateType::Cancelled)
                message = "Cancelled from Weft Studio.";
            run.text(1, id);
            run.text(2, flowIds[rng() % flowIds.size()]);
            run.text(3, name);
            run.text(4, weft::new_id());
            run.text(5, std::string(weft::to_string(state)));
            run.text(6, std::string(weft::default_name(state)));
            run.text(7, message);
            run.integer(8, stateTs);
            run.text(9, "{\"batch\":" + std::to_string(i) + "}");
            run.text(10, i % 3 == 0 ? "[\"prod\"]" : "[\"dev\"]");
            run.integer(11, ran ? 1 : 0);
            if (ran)
                run.integer(12, start);
            else
                run.null(12);
            if (ended)
                run.integer(13, start + duration);
            else
                run.null(13);
            run.integer(14, ended ? duration : 0);
            run.integer(15, expected);
            run.integer(16, std::min(expected, now));
            run.integer(17, stateTs);
            run.run();
            if (i % chunk == chunk - 1 || i == n - 1) {
                db.exec("COMMIT");
                progress("  %ld flow runs (%.0f runs/s)", i + 1, (i + 1) / (t.elapsed() / 1000.0));
            }
        }
    }
    // The big run, as a flow program writes it (events, edges in task_inputs).
    std::string bigRun;
    {
        auto store = weft::Store::open(path);
        fixtures::RunSpec spec;
        spec.flow_name = "big-dag";
        spec.name = "ten-thousand-tasks";
        spec.state = weft::StateType::Completed;
        spec.start = weft::now_us() - weft::from_seconds(3600);
        spec.duration_s = sizes.layers + 1;
        spec.tasks = bigDag(sizes.layers, sizes.width);
        bigRun = fixtures::writeRun(*store, spec).flow_run_id;
        store->flush();
    }
    Sql db(path);
    db.setMeta("bench.graph_run", bigRun);
    db.setMeta("bench.seq0", std::to_string(db.integer("SELECT max(seq) FROM events")));
    db.setMeta("bench.runs", std::to_string(sizes.runs));
    db.setMeta("bench.complete", "1");
    db.exec("PRAGMA wal_checkpoint(TRUNCATE)");
    progress("  %s written in %.1f s", path.c_str(), t.elapsed() / 1000.0);
}

// One flow run (8 task runs in a chain) with `lines` log lines, inserted raw with one feed event
// per 250,000 lines. The full-text index is built in one pass at the end ('rebuild', four times
// faster than the insert trigger line by line); the trigger is put back for later writes.
void generateLogs(const std::string& path, long lines) {
    QElapsedTimer t;
    t.start();
    removeDb(path);
    fixtures::Written run;
    const weft::Micros start = weft::now_us() - weft::Micros(lines) * 1000;
    {
        auto store = weft::Store::open(path);
        fixtures::RunSpec spec;
        spec.flow_name = "chatty";
        spec.name = "ten-million-lines";
        spec.start = start;
        spec.duration_s = double(lines) / 1000.0;
        spec.tasks = fixtures::chain(8);
        run = fixtures::writeRun(*store, spec);
        store->flush();
    }
    Sql db(path);
    db.exec("PRAGMA synchronous=OFF; PRAGMA cache_size=-262144;");
    const std::string trigger = db.text(
        "SELECT sql FROM sqlite_schema WHERE type = 'trigger' AND name = 'logs_fts_insert'");
    if (trigger.empty()) throw std::runtime_error("no logs_fts_insert trigger in the schema");
    db.exec("DROP TRIGGER logs_fts_insert");
    Stmt line(db, "INSERT INTO logs(flow_run_id, task_run_id, name, level, timestamp, message) "
                  "VALUES (?, ?, 'weft.task_runs', ?, ?, ?)");
    Stmt event(db, "INSERT INTO events(kind, ts, run_id, payload) VALUES (?, ?, ?, ?)");
    static const int levels[] = {weft::Debug, weft::Info,    weft::Info,
                                 weft::Info,  weft::Warning, weft::Error};
    const long chunk = 250000;
    std::int64_t first = 0;
    for (long i = 0; i < lines; ++i) {
        if (i % chunk == 0) db.exec("BEGIN");
        line.text(1, run.flow_run_id);
        line.text(2, run.task_run_ids[size_t(i) % run.task_run_ids.size()]);
        line.integer(3, levels[i % 6]);
        line.integer(4, start + i * 1000);
        line.text(5, "line " + std::to_string(i)
                         + (i % 97 == 0 ? " needle in the haystack" : " of the log"));
        line.run();
        const std::int64_t id = sqlite3_last_insert_rowid(db.handle());
        if (i % chunk == 0) first = id;
        if (i % chunk == chunk - 1 || i == lines - 1) {
            event.integer(1, int(weft::EventKind::Logs));
            event.integer(2, weft::now_us());
            event.text(3, run.flow_run_id);
            event.text(
                4, nlohmann::json{{"first_id", first}, {"last_id", id}, {"count", id - first + 1}}
                       .dump());
            event.run();
            db.exec("COMMIT");
            progress("  %ld log lines (%.0f lines/s)", i + 1, (i + 1) / (t.elapsed() / 1000.0));
        }
    }
    QElapsedTimer fts;
    fts.start();
    db.exec("INSERT INTO logs_fts(logs_fts) VALUES ('rebuild')");
    db.exec(trigger);
    progress("  full-text index built in %.1f s", fts.elapsed() / 1000.0);
    db.setMeta("bench.log_run", run.flow_run_id);
    db.setMeta("bench.lines", std::to_string(lines));
    db.setMeta("bench.complete", "1");
    db.exec("PRAGMA wal_checkpoint(TRUNCATE)");
    progress("  %s written in %.1f s", path.c_str(), t.elapsed() / 1000.0);
}

bool complete(const std::string& path) {
    if (!fs::exists(path)) return false;
    try {
        Sql db(path);
        // A database kept by --dir from another schema is written again.
        return db.meta("bench.complete") == "1"
               && std::stoi(db.text("PRAGMA user_version")) == weft::store_schema_version();
    } catch (const std::exception&) {
        return false;
    }
}

// Deletes what live ingest wrote (also after an interrupted run), so the database is reusable.
void removeLiveRows(const std::string& path) {
    Sql db(path);
    const std::string runs = "(SELECT id FROM flow_runs WHERE flow_id IN (SELECT id FROM flows "
                             "WHERE name = '"
                             + std::string(kLiveFlow) + "'))";
    db.exec("BEGIN");
    db.exec("DELETE FROM logs WHERE flow_run_id IN " + runs);
    db.exec("DELETE FROM task_runs WHERE flow_run_id IN " + runs);
    db.exec("DELETE FROM flow_runs WHERE id IN " + runs);
    db.exec("DELETE FROM flows WHERE name = '" + std::string(kLiveFlow) + "'");
    db.exec("DELETE FROM events WHERE seq > " + db.meta("bench.seq0"));
    db.exec("COMMIT");
    db.exec("PRAGMA wal_checkpoint(TRUNCATE)");
}

// ---------------------------------------------------------------------------------------------
// Results

using Json = nlohmann::ordered_json;

struct Results {
    Json json;
    Results() {
        // The contract's keys first, in its order (null when a phase was skipped or failed).
        for (const char* key :
             {"run_list_first_paint_ms", "run_list_scroll_max_stall_ms", "log_load_ms",
              "log_search_ms", "log_bytes_per_line", "graph_layout_ms", "graph_paint_ms",
              "timeline_paint_ms", "ingest_max_stall_ms"})
            json[key] = nullptr;
    }
    void set(const char* key, double value) { json[key] = round1(value); }
    void set(const char* key, std::int64_t value) { json[key] = value; }
    void set(const char* key, const std::string& value) { json[key] = value; }
    /// "<key>_x_raw": `key` as a multiple of the raw SQLite `baseline` measured in this run,
    /// set beside the figure (a slower disk or a busier machine moves both).
    void ratio(const char* key, const char* baseline) {
        const auto k = json.find(key), b = json.find(baseline);
        if (k == json.end() || b == json.end() || !k->is_number() || !b->is_number()) return;
        const double base = b->get<double>();
        if (base <= 0) return;
        std::string name = key;
        if (name.size() > 3 && name.compare(name.size() - 3, 3, "_ms") == 0)
            name.resize(name.size() - 3);
        json[name + "_x_raw"] = round1(k->get<double>() / base);
    }
    /// "<prefix>_ms" (wall) and "<prefix>_cpu_ms" (GUI thread CPU) of the longest event.
    void stall(const std::string& prefix, Stall s) {
        json[prefix + "_ms"] = round1(s.wallMs);
        json[prefix + "_cpu_ms"] = round1(s.cpuMs);
    }
};

// ---------------------------------------------------------------------------------------------
// Run list

void rawFirstPage(const std::string& path, Results& out) {
    // What the list needs before it can paint, straight from SQLite on a fresh connection: the
    // count and the newest 200 runs with their flow names.
    QElapsedTimer t;
    t.start();
    Sql db(path);
    const std::int64_t count = db.integer("SELECT count(*) FROM flow_runs");
    Stmt page(db, "SELECT id, (SELECT name FROM flows WHERE flows.id = flow_runs.flow_id), name, "
                  "state_type, state_name, parameters, tags, start_time, end_time, "
                  "expected_start_time FROM flow_runs ORDER BY expected_start_time DESC, id DESC "
                  "LIMIT 200");
    int rows = 0;
    while (page.step())
        ++rows;
    out.set("raw_sqlite_first_page_ms", t.nsecsElapsed() / 1e6);
    progress("  raw SQLite: count (%lld) + first 200 rows in %.1f ms", (long long)count,
             t.nsecsElapsed() / 1e6);
}

void benchRunList(EmbeddedBackend& backend, Results& out) {
    TimingApp& app = *timingApp();
    GapMeter gaps;
    QElapsedTimer t;
    double countMs = -1;
    app.take(nullptr);
    gaps.take();
    t.start();
    RunListWidget w(&backend);
    QObject::connect(w.model(), &FlowRunListModel::totalCountChanged, [&] {
        if (countMs < 0) countMs = t.nsecsElapsed() / 1e6;
    });
    const double firstPaintMs = showUntilFirstPaint(w, t);
    if (firstPaintMs < 0) {
        progress("  run list: no painted rows after 60 s");
        return;
    }
    out.set("run_list_first_paint_ms", firstPaintMs);
    out.ratio("run_list_first_paint_ms", "raw_sqlite_first_page_ms");
    out.set("run_list_count_ms", countMs);
    out.stall("run_list_open_max_stall", app.take("opening the run list"));
    progress("  run list: %lld runs counted after %.0f ms, first painted rows after %.0f ms",
             (long long)w.model()->totalCount(), countMs, firstPaintMs);
    settle(300);

    // Scrolling: jumps of the scroll bar far into the list, then a screen every 16 ms for 3 s
    // (a fast drag). Each scroll happens in a timer event, as a mouse event would do it.
    QScrollBar* bar = w.tableView()->verticalScrollBar();
    int paints = 0; // that the view really paints offscreen
    app.afterEvent = [&](QObject* receiver, QEvent::Type type) {
        paints += type == QEvent::Paint && receiver == w.tableView()->viewport();
    };
    app.take(nullptr);
    gaps.take();
    double worstJump = 0;
    for (double at : {0.10, 0.50, 0.90, 0.999, 0.30, 0.70}) {
        QElapsedTimer j;
        j.start();
        bool moved = false;
        QTimer::singleShot(0, bar, [&moved, bar, at] {
            bar->setValue(int(bar->maximum() * at));
            moved = true;
        });
        waitFor([&] { return moved && visibleLoaded(w); }, 30000);
        worstJump = std::max(worstJump, j.nsecsElapsed() / 1e6);
    }
    QElapsedTimer steady;
    int frames = 0, framesLoading = 0;
    const int step = w.tableView()->viewport()->height();
    QTimer scroller;
    scroller.setInterval(16);
    scroller.setTimerType(Qt::PreciseTimer);
    QObject::connect(&scroller, &QTimer::timeout, [&] {
        framesLoading += !visibleLoaded(w); // what the previous frame showed
        if (bar->value() + step > bar->maximum()) bar->setValue(0);
        bar->setValue(bar->value() + step);
        ++frames;
    });
    bar->setValue(bar->maximum() / 3);
    steady.start();
    scroller.start();
    waitFor([&] { return steady.elapsed() >= 3000; }, 10000);
    scroller.stop();
    waitFor([&] { return visibleLoaded(w); }, 30000);
    app.afterEvent = nullptr;
    out.stall("run_list_scroll_max_stall", app.take("scrolling the run list"));
    out.set("run_list_scroll_paints", std::int64_t(paints));
    out.set("run_list_scroll_max_gap_ms", gaps.take());
    out.set("run_list_jump_rows_ms", worstJump);
    out.set("run_list_scroll_frames", std::int64_t(frames));
    out.set("run_list_scroll_frames_loading", std::int64_t(framesLoading));
    progress("  scrolling: slowest jump to rows shown %.0f ms; %d screens in 3 s, %d of them still "
             "loading rows; %d paints of the table; %d page requests",
             worstJump, frames, framesLoading, paints, w.model()->pageRequests());
}

// ---------------------------------------------------------------------------------------------
// Run graph and timeline on the big run

void benchGraph(EmbeddedBackend& backend, const QString& runId, Results& out) {
    TimingApp& app = *timingApp();
    RunGraphModel model(&backend);
    RunGraphWidget widget(&model);
    RunGraphView* view = widget.view();
    widget.resize(1280, 800);
    widget.show();
    if (!exposed(widget)) return;
    QElapsedTimer t;
    double laidOut = -1, shown = -1;
    QObject::connect(&model, &RunGraphModel::loadingChanged, [&](bool loading) {
        if (!loading && laidOut < 0) laidOut = t.nsecsElapsed() / 1e6;
    });
    app.afterEvent = [&](QObject* receiver, QEvent::Type type) {
        if (laidOut >= 0 && shown < 0 && type == QEvent::Paint && receiver == view->viewport())
            shown = t.nsecsElapsed() / 1e6;
    };
    app.take(nullptr);
    t.start();
    model.setFlowRun(runId);
    waitFor([&] { return shown >= 0; }, 120000);
    app.afterEvent = nullptr;
    if (laidOut < 0) {
        progress("  graph: no layout after 120 s");
        return;
    }
    out.set("graph_layout_ms", laidOut);
    out.set("graph_shown_ms", shown);
    out.set("graph_nodes", std::int64_t(model.nodeCount()));
    out.set("graph_edges", std::int64_t(model.edgeCount()));
    out.stall("graph_open_max_stall", app.take("opening the graph"));
    progress("  graph: %d nodes, %d edges laid out %.0f ms after setFlowRun (fetch, prepare, "
             "layout), painted at %.0f ms",
             model.nodeCount(), model.edgeCount(), laidOut, shown);

    // The layout alone (no fetch): to another mode and back.
    int layouts = model.layoutCount();
    model.setLayoutMode(DagMode::TemporalByStart);
    waitFor([&] { return model.layoutCount() > layouts; });
    layouts = model.layoutCount();
    t.start();
    model.setLayoutMode(DagMode::Layered);
    waitFor([&] { return model.layoutCount() > layouts; });
    out.set("graph_relayout_ms", t.nsecsElapsed() / 1e6);
    progress("  graph: layered re-layout alone %.0f ms", t.nsecsElapsed() / 1e6);
    settle(200);

    // Paint: the whole graph fitted, zoomed to 0.35 and to 1 (full detail), 40 frames each.
    double worst = 0;
    std::vector<double> all;
    struct View {
        const char* key;
        double zoom; // 0 = fit
    };
    for (const View v : {View{"graph_paint_fit_ms", 0}, View{"graph_paint_zoom035_ms", 0.35},
                         View{"graph_paint_zoom1_ms", 1.0}}) {
        if (v.zoom == 0)
            view->fitToView();
        else
            view->setZoom(v.zoom);
        view->viewport()->repaint(); // the first frame lays out labels
        const auto ms = frameTimes(view->viewport(), 40);
        std::vector<int> visible;
        model.nodesIn(view->visibleSceneRect(), visible);
        progress("  graph paint at zoom %.3f (%zu nodes in view): median %.2f ms, p90 %.2f, max "
                 "%.2f",
                 view->zoom(), visible.size(), median(ms), percentile(ms, 0.9),
                 *std::max_element(ms.begin(), ms.end()));
        // The worst frame is what a user sees stutter; a median hides it.
        const double frameMax = *std::max_element(ms.begin(), ms.end());
        out.set(v.key, frameMax);
        worst = std::max(worst, frameMax);
        all.insert(all.end(), ms.begin(), ms.end());
    }
    out.set("graph_paint_ms", worst);
    out.set("graph_paint_p99_ms", percentile(all, 0.99));
    out.set("graph_paint_median_ms", median(all));
}

void wheel(QWidget* target, QPointF pos, int delta, Qt::KeyboardModifiers modifiers) {
    QWheelEvent e(pos, target->mapToGlobal(pos), QPoint(), QPoint(0, delta), Qt::NoButton,
                  modifiers, Qt::NoScrollPhase, false);
    QApplication::sendEvent(target, &e);
}

void benchTimeline(EmbeddedBackend& backend, const QString& runId, Results& out) {
    TimingApp& app = *timingApp();
    TimelineWidget widget(&backend);
    TimelineView* view = widget.view();
    TimelineModel* model = widget.model();
    widget.resize(1400, 900);
    widget.show();
    if (!exposed(widget)) return;
    bool loaded = false;
    QObject::connect(model, &TimelineModel::loaded, [&] { loaded = true; });
    app.take(nullptr);
    QElapsedTimer t;
    t.start();
    widget.setFlowRun(runId);
    waitFor([&] { return loaded; });
    if (!loaded) return;
    out.set("timeline_load_ms", t.nsecsElapsed() / 1e6);
    out.stall("timeline_open_max_stall", app.take("opening the timeline"));
    progress("  timeline: %d bars on %d lanes loaded in %.0f ms", model->count(),
             model->laneCount(), t.nsecsElapsed() / 1e6);
    settle(200);

    double worst = 0;
    auto measure = [&](const char* key, const char* what) {
        view->viewport()->repaint();
        const auto ms = frameTimes(view->viewport(), 40);
        progress("  timeline paint, %s: median %.2f ms, p90 %.2f, max %.2f (rows %.3g px, %.3g s "
                 "across)",
                 what, median(ms), percentile(ms, 0.9), *std::max_element(ms.begin(), ms.end()),
                 view->math().rowHeight, view->math().viewSpan / 1e6);
        const double frameMax = *std::max_element(ms.begin(), ms.end()); // the worst frame
        out.set(key, frameMax);
        worst = std::max(worst, frameMax);
    };
    view->fitToRun();
    measure("timeline_paint_fit_ms", "fitted (every bar in view)");
    model->setGroupByTaskKey(true);
    measure("timeline_paint_grouped_ms", "fitted, grouped by task key");
    model->setGroupByTaskKey(false);
    const QPointF mid(view->labelWidth() + 600, view->axisHeight() + 400);
    for (int k = 0; k < 100 && view->math().rowHeight < 22; ++k)
        wheel(view->viewport(), mid, 120, Qt::ControlModifier);
    wheel(view->viewport(), mid, 120 * 8, Qt::ShiftModifier);
    measure("timeline_paint_zoomed_ms", "zoomed in, rows 22 px (labels, text)");
    out.set("timeline_paint_ms", worst);
}

// ---------------------------------------------------------------------------------------------
// Logs

void rawLogBaselines(const std::string& path, const std::string& runId, Results& out) {
    Sql db(path);
    // Every id of the run in one query (the index on flow_run_id), best of two (the first may
    // read the file into the page cache).
    double best = 1e18;
    std::size_t count = 0;
    for (int round = 0; round < 2; ++round) {
        QElapsedTimer t;
        t.start();
        std::vector<std::int64_t> ids;
        Stmt st(db, "SELECT id FROM logs WHERE flow_run_id = ? ORDER BY id");
        st.text(1, runId);
        while (st.step())
            ids.push_back(sqlite3_column_int64(st.get(), 0));
        best = std::min(best, t.nsecsElapsed() / 1e6);
        count = ids.size();
    }
    out.set("raw_sqlite_log_ids_ms", best);
    progress("  raw SQLite: %zu ids in %.0f ms", count, best);
    QElapsedTimer t;
    t.start();
    std::int64_t hits = 0;
    {
        // The store's own plan (Reader::log_ids): the FTS index first, then the run's lines.
        Stmt st(db, "SELECT logs.id FROM logs_fts CROSS JOIN logs ON logs.id = logs_fts.rowid "
                    "WHERE logs_fts MATCH '\"needle\"' AND logs.flow_run_id = ? ORDER BY "
                    "logs_fts.rowid");
        st.text(1, runId);
        while (st.step())
            ++hits;
    }
    out.set("raw_sqlite_fts_ms", t.nsecsElapsed() / 1e6);
    progress("  raw SQLite: FTS \"needle\" %lld hits in %.0f ms", (long long)hits,
             t.nsecsElapsed() / 1e6);
}

bool visibleLogRowsLoaded(LogView& view) {
    QTableView* table = view.table();
    if (view.model()->rowCount() == 0) return false;
    const int first = std::max(0, table->rowAt(0));
    int last = table->rowAt(table->viewport()->height() - 1);
    if (last < 0) last = view.model()->rowCount() - 1;
    for (int r = first; r <= last; ++r)
        if (!view.model()->lineAt(r)) return false;
    return true;
}

void benchLogs(const std::string& path, Results& out) {
    TimingApp& app = *timingApp();
    std::string runId;
    {
        Sql db(path);
        runId = db.meta("bench.log_run");
    }
    rawLogBaselines(path, runId, out);
    EmbeddedBackend backend(QString::fromStdString(path));
    if (const QString e = backend.openNow(); !e.isEmpty()) {
        progress("  %s", qPrintable(e));
        return;
    }
    GapMeter gaps;
    LogView view(&backend);
    view.resize(1400, 900);
    view.show();
    if (!exposed(view)) return;
    LogModel* model = view.model();
    settle(100);
    const long rss0 = rssKb();
    QElapsedTimer t;
    double loadedMs = -1, firstScreenMs = -1;
    auto c1 = QObject::connect(model, &LogModel::loadFinished, [&] {
        if (loadedMs < 0) loadedMs = t.nsecsElapsed() / 1e6;
    });
    app.afterEvent = [&](QObject* receiver, QEvent::Type type) {
        if (firstScreenMs < 0 && type == QEvent::Paint && receiver == view.table()->viewport()
            && visibleLogRowsLoaded(view))
            firstScreenMs = t.nsecsElapsed() / 1e6;
    };
    app.take(nullptr);
    gaps.take();
    t.start();
    view.setFlowRun(QString::fromStdString(runId));
    waitFor([&] { return loadedMs >= 0 && firstScreenMs >= 0; }, 180000);
    app.afterEvent = nullptr;
    QObject::disconnect(c1);
    if (loadedMs < 0) {
        progress("  logs: ids not loaded after 180 s");
        return;
    }
    const int rows = model->rowCount();
    out.set("log_load_ms", loadedMs);
    out.ratio("log_load_ms", "raw_sqlite_log_ids_ms");
    out.set("log_first_screen_ms", firstScreenMs);
    out.set("log_lines", std::int64_t(rows));
    out.stall("log_load_max_stall", app.take("loading the log's ids"));
    out.set("log_load_max_gap_ms", gaps.take());
    const double bytes = double(model->memoryUsage()) / std::max(1, rows);
    const double rssBytes = (rssKb() - rss0) * 1024.0 / std::max(1, rows);
    // The contract's key is what the process grew by (measured RSS), not the model's estimate.
    out.set("log_bytes_per_line", rssBytes);
    out.set("log_model_bytes_per_line", bytes);
    progress("  logs: %d lines, first screen painted %.0f ms, all ids %.0f ms; model %.1f "
             "bytes/line (process RSS +%.1f bytes/line)",
             rows, firstScreenMs, loadedMs, bytes, rssBytes);

    // Full-text search: every line stays, hits are marked; "needle" is on 1 line in 97.
    auto search = [&](const QString& text, const char* key, const char* stallKey) {
        bool done = false;
        int hits = 0;
        auto c = QObject::connect(model, &LogModel::searchFinished, [&](int n) {
            done = true;
            hits = n;
        });
        app.take(nullptr);
        QElapsedTimer s;
        s.start();
        view.setSearchText(text);
        waitFor([&] { return done; }, 120000);
        const double ms = s.nsecsElapsed() / 1e6;
        QObject::disconnect(c);
        if (!done) {
            progress("  search \"%s\": not finished after 120 s", qPrintable(text));
            return;
        }
        out.set(key, ms);
        out.stall(stallKey, app.take("searching"));
        progress("  search \"%s\": %d hits in %.0f ms", qPrintable(text), hits, ms);
        view.setSearchText({});
        settle(200);
    };
    search(QStringLiteral("needle"), "log_search_ms", "log_search_max_stall");
    out.ratio("log_search_ms", "raw_sqlite_fts_ms");
    search(QString::number(rows / 2), "log_search_one_line_ms", "log_search_one_line_max_stall");
}

// ---------------------------------------------------------------------------------------------
// Live ingest

struct IngestCount {
    std::atomic<long> events{0}, flowRuns{0}, taskRuns{0}, logLines{0};
    std::atomic<double> flushMs{0}; // the store's backlog when writing stopped
};

double processCpuMs() {
    rusage u{};
    getrusage(RUSAGE_SELF, &u);
    return (u.ru_utime.tv_sec + u.ru_stime.tv_sec) * 1e3
           + (u.ru_utime.tv_usec + u.ru_stime.tv_usec) / 1e3;
}

// Writes `rate` change-feed events a second for `seconds` through its own store, as other
// programs do: a tenth are task runs of the open run page's run (created and started, finished
// 0.3–0.8 s later, each depending on one or two recent ones, two log lines each); the rest are
// short flow runs of 30 task runs in a chain, 20 at a time, created, started and finished (they
// appear at the top of the run list), with a log line a task.
void produce(weft::Store& store, weft::FlowRunRecord pageRun, const std::string& flowId, int rate,
             double seconds, IngestCount& count) {
    using Clock = std::chrono::steady_clock;
    std::mt19937 rng(5);
    struct Running {
        Clock::time_point finish;
        weft::TaskRunRecord task;
        bool operator<(const Running& o) const { return finish > o.finish; } // min-heap
    };
    std::priority_queue<Running> running;
    struct Flow {
        weft::FlowRunRecord run;
        int created = 0, open = 0;
        std::string last; // the previous task run (a chain)
    };
    std::unordered_map<std::string, Flow> flows;
    std::vector<std::string> filling; // flows still creating task runs
    std::vector<std::string> recent;  // the page run's newest task runs
    int pageTasks = 0, flowNumber = 0;
    const int tasksPerFlow = 30, activeFlows = 20;
    long events = 0;

    auto log = [&](const weft::TaskRunRecord& task, const char* what) {
        weft::LogRecord line;
        line.flow_run_id = task.flow_run_id;
        line.task_run_id = task.id;
        line.name = "weft.task_runs";
        line.level = weft::Info;
        line.timestamp = weft::now_us();
        line.message = "Task run '" + task.name + "' " + what;
        store.append_log(std::move(line));
        ++count.logLines;
    };
    auto startTask = [&](const std::string& flowRunId, const std::string& key, int nth,
                         const std::vector<std::string>& upstream) {
        weft::TaskRunRecord task;
        task.id = weft::new_id();
        task.flow_run_id = flowRunId;
        task.task_key = key;
        task.dynamic_key = std::to_string(nth);
        task.name = key + "-" + task.dynamic_key;
        task.created = task.updated = task.expected_start_time = weft::now_us();
        task.state = weft::make_state(weft::StateType::Pending);
        task.task_inputs = nlohmann::json::object();
        for (size_t i = 0; i < upstream.size(); ++i)
            task.task_inputs["x" + std::to_string(i)] =
                nlohmann::json::array({{{"input_type", "task_run"}, {"id", upstream[i]}}});
        store.put_task_run(task, weft::EventKind::TaskRunCreated);
        weft::enter_state(task, weft::make_state(weft::StateType::Running));
        store.update_task_run(weft::TaskRunUpdate::of(task));
        events += 2;
        ++count.taskRuns;
        running.push({Clock::now() + std::chrono::milliseconds(300 + rng() % 500), task});
        return task;
    };
    auto newFlow = [&] {
        weft::FlowRunRecord run;
        run.id = weft::new_id();
        run.flow_id = flowId;
        run.flow_name = kLiveFlow;
        run.name = "live-" + std::to_string(++flowNumber);
        run.created = run.updated = run.expected_start_time = weft::now_us();
        run.state = weft::make_state(weft::StateType::Pending);
        store.put_flow_run(run, weft::EventKind::FlowRunCreated);
        weft::enter_state(run, weft::make_state(weft::StateType::Running));
        store.put_flow_run(run, weft::EventKind::FlowRunState);
        events += 2;
        ++count.flowRuns;
        filling.push_back(run.id);
        flows.emplace(run.id, Flow{run, 0, 0, {}});
    };

    const auto t0 = Clock::now();
    for (;;) {
        const auto now = Clock::now();
        const double elapsed = std::chrono::duration<double>(now - t0).count();
        if (elapsed >= seconds) break;
        while (!running.empty() && running.top().finish <= now) {
            weft::TaskRunRecord task = running.top().task;
            running.pop();
            const bool failed = rng() % 50 == 0;
            weft::enter_state(task, failed ? weft::states::failed("ValueError: bad row")
                                           : weft::states::completed());
            store.update_task_run(weft::TaskRunUpdate::of(task));
            ++events;
            if (task.flow_run_id == pageRun.id) {
                log(task, failed ? "failed" : "finished");
                continue;
            }
            auto it = flows.find(task.flow_run_id);
            if (it == flows.end()) continue;
            Flow& f = it->second;
            if (--f.open == 0 && f.created == tasksPerFlow) {
                weft::enter_state(f.run, weft::states::completed());
                store.put_flow_run(f.run, weft::EventKind::FlowRunState);
                ++events;
                flows.erase(it);
            }
        }
        const long due = long(elapsed * rate);
        while (events < due) {
            if (rng() % 10 == 0) {
                std::vector<std::string> upstream;
                if (!recent.empty()) upstream.push_back(recent[rng() % recent.size()]);
                if (recent.size() > 1 && rng() % 2)
                    upstream.push_back(recent[rng() % recent.size()]);
                const int nth = pageTasks++;
                const auto task =
                    startTask(pageRun.id, "step-" + std::to_string(nth % 20), nth / 20, upstream);
                log(task, "started");
                recent.push_back(task.id);
                if (recent.size() > 64) recent.erase(recent.begin());
            } else {
                while (int(filling.size()) < activeFlows)
                    newFlow();
                const size_t k = rng() % filling.size();
                Flow& f = flows.at(filling[k]);
                const auto task = startTask(f.run.id, "work", f.created,
                                            f.last.empty() ? std::vector<std::string>{}
                                                           : std::vector<std::string>{f.last});
                log(task, "started");
                f.last = task.id;
                ++f.open;
                if (++f.created == tasksPerFlow) filling.erase(filling.begin() + long(k));
            }
        }
        count.events = events;
        std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
    const auto flushStart = Clock::now();
    store.flush();
    count.flushMs = std::chrono::duration<double, std::milli>(Clock::now() - flushStart).count();
}

void benchIngest(EmbeddedBackend& backend, const std::string& path, int rate, double seconds,
                 Results& out) {
    TimingApp& app = *timingApp();
    auto writer = weft::Store::open(path); // another program's store
    const std::int64_t seq0 = writer->read([](weft::Reader& r) { return r.last_event_seq(); });
    const std::string flowId =
        writer
            ->transact<std::string>([](weft::Txn& txn) {
                if (auto f = txn.read().flow_by_name(kLiveFlow)) return f->id;
                weft::FlowRecord flow{weft::new_id(), kLiveFlow, weft::now_us(), {}};
                txn.put_flow(flow);
                return flow.id;
            })
            .get();
    // The run whose page is open: running, task runs come as the ingest goes.
    weft::FlowRunRecord pageRun;
    pageRun.id = weft::new_id();
    pageRun.flow_id = flowId;
    pageRun.flow_name = kLiveFlow;
    pageRun.name = "live-run-page";
    pageRun.created = pageRun.updated = pageRun.expected_start_time = weft::now_us();
    pageRun.state = weft::make_state(weft::StateType::Pending);
    writer->put_flow_run(pageRun, weft::EventKind::FlowRunCreated);
    weft::enter_state(pageRun, weft::make_state(weft::StateType::Running));
    writer->put_flow_run(pageRun, weft::EventKind::FlowRunState);
    writer->flush();

    // The run list beside the run page (Graph tab in front), both painted.
    QSplitter window;
    auto* list = new RunListWidget(&backend, &window);
    auto* actions = new RunActions(&backend, &window);
    actions->setConfirm(false);
    auto* page = new RunPage(&backend, actions, pageRun, &window);
    window.addWidget(list);
    window.addWidget(page);
    window.resize(2200, 1000);
    window.setSizes({1000, 1200});
    window.show();
    if (!exposed(window)) return;
    waitFor([&] { return visibleLoaded(*list); }, 30000);
    settle(1000);

    GapMeter gaps;
    int listPaints = 0, graphPaints = 0; // that both really paint as the feed comes
    QWidget* graphViewport = page->graph()->view()->viewport();
    app.afterEvent = [&](QObject* receiver, QEvent::Type type) {
        if (type != QEvent::Paint) return;
        listPaints += receiver == list->tableView()->viewport();
        graphPaints += receiver == graphViewport;
    };
    app.take(nullptr);
    gaps.take();
    IngestCount count;
    std::atomic<bool> done{false};
    QElapsedTimer t;
    t.start();
    const double cpu0 = processCpuMs();
    std::thread producer([&] {
        produce(*writer, pageRun, flowId, rate, seconds, count);
        done = true;
    });
    waitFor([&] { return done.load(); }, int(seconds * 1000) + 60000);
    producer.join();
    const double writeSeconds = t.nsecsElapsed() / 1e9;
    const double cpuPercent = (processCpuMs() - cpu0) / (writeSeconds * 10);
    const std::int64_t lastSeq = writer->read([](weft::Reader& r) { return r.last_event_seq(); });
    const double caughtUp = waitFor([&] { return backend.lastSeq() >= lastSeq; }, 30000);
    settle(500); // debounced re-layouts and reloads after the last batch
    app.afterEvent = nullptr;
    out.stall("ingest_max_stall", app.take("live ingest"));
    out.set("ingest_list_paints", std::int64_t(listPaints));
    out.set("ingest_graph_paints", std::int64_t(graphPaints));
    out.set("ingest_max_gap_ms", gaps.take());
    const double perSecond = double(lastSeq - seq0) / writeSeconds;
    out.set("ingest_events_per_s", perSecond);
    out.set("ingest_catch_up_ms", caughtUp);
    out.set("ingest_writer_backlog_ms", count.flushMs.load());
    out.set("ingest_process_cpu_percent", cpuPercent);
    const std::int64_t stored =
        writer->read([](weft::Reader& r) { return r.count_flow_runs(weft::FlowRunQuery{}); });
    waitFor([&] { return list->model()->totalCount() == stored; }, 5000);
    progress("  ingest: %lld events in %.1f s (%.0f/s; %ld flow runs, %ld task runs, %ld log "
             "lines; the store's backlog took %.0f ms to commit; the process used %.0f %% of a "
             "core); feed caught up %.0f ms after the last commit; list counts %lld of %lld runs; "
             "run page graph %d nodes; %d paints of the list, %d of the graph",
             (long long)(lastSeq - seq0), writeSeconds, perSecond, count.flowRuns.load(),
             count.taskRuns.load(), count.logLines.load(), count.flushMs.load(), cpuPercent,
             caughtUp, (long long)list->model()->totalCount(), (long long)stored,
             page->graph()->model()->nodeCount(), listPaints, graphPaints);
    if (list->model()->totalCount() != stored)
        progress("  WARNING: the run list's count differs from the store's");
}

} // namespace

int main(int argc, char** argv) {
    benchClock().start();
    CLI::App cli{"Weft Studio benchmark: run list, logs, run graph, timeline and live ingest on "
                 "generated databases; prints one JSON line"};
    std::string dir;
    bool quick = false;
    int rate = 20000;
    double ingestSeconds = 10;
    std::string phases = "list,graph,timeline,logs,ingest";
    cli.add_option("--dir", dir, "Keep the generated databases here and reuse them");
    cli.add_flag("--quick", quick, "A tenth of the sizes, for a smoke run");
    cli.add_option("--rate", rate, "Change-feed events per second during live ingest")
        ->check(CLI::PositiveNumber);
    cli.add_option("--ingest-seconds", ingestSeconds, "How long live ingest lasts")
        ->check(CLI::PositiveNumber);
    cli.add_option("--phases", phases, "Which measurements (comma-separated)");
    bool remote = false;
    long remoteRuns = 100'000;
    cli.add_flag("--remote", remote,
                 "Instead: the run list on a weft-server with --remote-runs runs (first paint, "
                 "local baseline) and GUI stalls while 2,000 events/s stream in (--rate, "
                 "--ingest-seconds)");
    cli.add_option("--remote-runs", remoteRuns, "Flow runs in the server's database")
        ->check(CLI::PositiveNumber);
    CLI11_PARSE(cli, argc, argv);
    auto wants = [&](const char* phase) {
        return ("," + phases + ",").find("," + std::string(phase) + ",") != std::string::npos;
    };

    if (qEnvironmentVariableIsEmpty("QT_QPA_PLATFORM")) qputenv("QT_QPA_PLATFORM", "offscreen");
    // The offscreen platform says this for every top-level widget shown.
    static QtMessageHandler qtHandler = nullptr;
    qtHandler = qInstallMessageHandler(
        [](QtMsgType type, const QMessageLogContext& context, const QString& message) {
            if (!message.contains(QLatin1String("propagateSizeHints")))
                qtHandler(type, context, message);
        });
    int qtArgc = 1;
    TimingApp app(qtArgc, argv);
    if (remote) {
        QTemporaryDir remoteTemp;
        return runRemoteBench(dir.empty() ? remoteTemp.path().toStdString() : dir, remoteRuns,
                              cli.count("--rate") ? rate : 2000, ingestSeconds);
    }

    Sizes sizes;
    if (quick) sizes = Sizes{100'000, 25, 40, 1'000'000};
    QTemporaryDir temp;
    if (dir.empty()) dir = temp.path().toStdString();
    fs::create_directories(dir);
    const std::string runsDb = (fs::path(dir) / ("runs-" + std::to_string(sizes.runs) + ".db"));
    const std::string logsDb = (fs::path(dir) / ("logs-" + std::to_string(sizes.logLines) + ".db"));
    Results out;
    out.set("quick", std::int64_t(quick));

    try {
        const bool needRuns =
            wants("list") || wants("graph") || wants("timeline") || wants("ingest");
        if (needRuns) {
            if (!complete(runsDb)) {
                progress("generating %s: %ld flow runs and one of %d task runs", runsDb.c_str(),
                         sizes.runs, sizes.layers * sizes.width);
                QElapsedTimer g;
                g.start();
                generateRuns(runsDb, sizes);
                out.set("generate_runs_s", g.elapsed() / 1000.0);
            } else {
                progress("reusing %s", runsDb.c_str());
                removeLiveRows(runsDb);
            }
        }
        if (wants("logs")) {
            if (!complete(logsDb)) {
                progress("generating %s: %ld log lines", logsDb.c_str(), sizes.logLines);
                QElapsedTimer g;
                g.start();
                generateLogs(logsDb, sizes.logLines);
                out.set("generate_logs_s", g.elapsed() / 1000.0);
            } else {
                progress("reusing %s", logsDb.c_str());
            }
        }

        if (needRuns) {
            std::string graphRun;
            {
                Sql db(runsDb);
                graphRun = db.meta("bench.graph_run");
            }
            if (wants("list")) {
                progress("run list");
                rawFirstPage(runsDb, out);
            }
            EmbeddedBackend backend(QString::fromStdString(runsDb));
            QElapsedTimer t;
            t.start();
            if (const QString e = backend.openNow(); !e.isEmpty()) {
                progress("%s", qPrintable(e));
                return 1;
            }
            out.set("db_open_ms", t.nsecsElapsed() / 1e6);
            progress("  database opened in %.0f ms (engine, crash check, feed position)",
                     t.nsecsElapsed() / 1e6);
            if (wants("list")) benchRunList(backend, out);
            if (wants("graph")) {
                progress("run graph");
                benchGraph(backend, QString::fromStdString(graphRun), out);
            }
            if (wants("timeline")) {
                progress("timeline");
                benchTimeline(backend, QString::fromStdString(graphRun), out);
            }
            if (wants("logs")) {
                progress("logs");
                benchLogs(logsDb, out);
            }
            if (wants("ingest")) {
                progress("live ingest: %d events/s for %.0f s", rate, ingestSeconds);
                benchIngest(backend, runsDb, rate, ingestSeconds, out);
            }
        } else if (wants("logs")) {
            progress("logs");
            benchLogs(logsDb, out);
        }
        if (wants("ingest")) removeLiveRows(runsDb);
    } catch (const std::exception& e) {
        progress("error: %s", e.what());
        std::printf("%s\n", out.json.dump().c_str());
        return 1;
    }
    out.set("total_s", benchClock().elapsed() / 1000.0);
    std::printf("%s\n", out.json.dump().c_str());
    std::fflush(stdout);
    return 0;
}
