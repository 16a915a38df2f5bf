// weft flow-run logs ID [--level L] [--follow] [--json]
#include "commands.hpp"
#include "format.hpp"
#include "resolve.hpp"

#include <chrono>
#include <iostream>
#include <thread>
#include <unordered_map>
#include <weft/record_json.hpp>

namespace weft::cli {

namespace {

struct LogsOptions {
    std::string id;
    std::string level;
    bool follow = false;
    bool json = false;
};

constexpr int kPage = 1000;
constexpr auto kPollInterval = std::chrono::milliseconds(200);
// A killed program cannot mark its run CRASHED; checking now and then keeps --follow from waiting
// forever on a run nobody runs any more.
constexpr auto kCrashCheckInterval = std::chrono::seconds(5);

// Prints log lines as `TIME | LEVEL | source | message`, or as JSON objects.
class LogPrinter {
public:
    LogPrinter(Cli& cli, const FlowRunRecord& run, bool json, bool json_lines)
        : m_cli(cli)
        , m_run(run)
        , m_json(json)
        , m_json_lines(json_lines) {}

    void print(Reader& reader, const std::vector<LogRecord>& lines) {
        auto& out = m_cli.out();
        for (const auto& line : lines) {
            if (m_json) {
                if (!m_json_lines) out << (m_count == 0 ? "[\n  " : ",\n  ");
                out << to_json(line).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
                if (m_json_lines) out << '\n';
            } else {
                print_text(reader, line);
            }
            ++m_count;
        }
        out << std::flush; // a pipe reading --follow sees lines as they come
    }

    /// Closes the JSON array (which may be empty).
    void finish() {
        if (m_json && !m_json_lines) m_cli.out() << (m_count == 0 ? "[]\n" : "\n]\n");
    }

private:
    void print_text(Reader& reader, const LogRecord& line) {
        const bool color = m_cli.color();
        std::string level(log_level_name(line.level));
        level.resize(8, ' ');
        m_cli.out() << paint(local_clock(line.timestamp), ansi::dim, color) << " | "
                    << paint(level, level_color(line.level), color) << " | "
                    << source_of(reader, line.task_run_id) << " | " << line.message << '\n';
    }

    // The task run's name, or the flow run's for lines the flow itself logged.
    const std::string& source_of(Reader& reader, const std::string& task_run_id) {
        if (task_run_id.empty()) return m_run.name;
        auto it = m_names.find(task_run_id);
        if (it == m_names.end()) {
            // A task run started after the last look (while following): read the names again.
            for (const auto& t : reader.task_runs(m_run.id))
                m_names[t.id] = t.name;
            it = m_names.try_emplace(task_run_id, short_id(task_run_id)).first;
        }
        return it->second;
    }

    Cli& m_cli;
    const FlowRunRecord& m_run;
    bool m_json, m_json_lines;
    std::int64_t m_count = 0;
    std::unordered_map<std::string, std::string> m_names;
};

// Returns once another connection committed since `version` was read.
void wait_for_change(Cli& cli, Reader& reader, std::int64_t version) {
    auto next_crash_check = std::chrono::steady_clock::now() + kCrashCheckInterval;
    while (reader.data_version() == version) {
        std::this_thread::sleep_for(kPollInterval);
        if (std::chrono::steady_clock::now() >= next_crash_check) {
            cli.engine().detect_crashes();
            next_crash_check = std::chrono::steady_clock::now() + kCrashCheckInterval;
        }
    }
}

// A server's lines, page by page; following them needs its event stream (not used here yet).
void remote_flow_run_logs(Cli& cli, ApiClient& api, const LogsOptions& o) {
    if (o.follow)
        throw CliError("--follow works on a local database only, not yet against a server "
                       "(WEFT_API_URL); give --db PATH to follow a local run");
    const FlowRunRecord run = load_flow_run(cli, o.id);
    RemoteReader reader(api);
    LogQuery q;
    q.flow_run_id = run.id;
    q.min_level = o.level.empty() ? 0 : log_level_from_string(o.level).value_or(0);
    q.limit = kPage;
    LogPrinter printer(cli, run, o.json, false);
    for (;; q.offset += kPage) {
        auto lines = reader.logs(q);
        printer.print(reader, lines);
        if (lines.size() < size_t(kPage)) break;
    }
    printer.finish();
}

void flow_run_logs(Cli& cli, const LogsOptions& o) {
    if (ApiClient* api = cli.api()) return remote_flow_run_logs(cli, *api, o);
    auto& engine = cli.engine();
    const FlowRunRecord run = load_flow_run(engine, o.id);
    LogQuery q;
    q.flow_run_id = run.id;
    q.min_level = o.level.empty() ? 0 : log_level_from_string(o.level).value_or(0);
    q.limit = kPage;
    // Its own connection: data_version tells this connection about everyone else's commits.
    auto reader = engine.store().open_reader();
    LogPrinter printer(cli, run, o.json, o.follow);
    bool finished = false; // the run was seen in a terminal state: one more read, then stop
    for (;;) {
        const std::int64_t version = reader->data_version();
        auto lines = reader->logs(q);
        printer.print(*reader, lines);
        if (!lines.empty()) q.after_id = lines.back().id;
        if (lines.size() == size_t(kPage)) continue; // more are waiting
        if (!o.follow || (finished && lines.empty())) break;
        auto now = reader->flow_run(run.id);
        if (!now) {
            std::cerr << "weft: flow run " << run.id << " (" << run.name << ") was deleted\n";
            break;
        }
        if (is_terminal(now->state.type)) {
            finished = true; // lines committed with the final state are read in the next round
            continue;
        }
        finished = false;
        wait_for_change(cli, *reader, version);
    }
    printer.finish();
}

const CLI::Validator& level_check() {
    static const CLI::Validator check(
        [](std::string& value) -> std::string {
            if (log_level_from_string(value)) return {};
            return "'" + value
                   + "' is not a log level; use DEBUG, INFO, WARNING, ERROR, CRITICAL "
                     "or a number";
        },
        "LEVEL");
    return check;
}

} // namespace

void add_flow_run_logs(CLI::App& fr, Cli& cli) {
    auto o = std::make_shared<LogsOptions>();
    auto* logs = fr.add_subcommand("logs", "Print a flow run's log lines: TIME | LEVEL | SOURCE | "
                                           "MESSAGE");
    logs->add_option("ID", o->id, "Flow run id or a unique prefix of it")->required();
    logs->add_option("--level", o->level, "Only lines at this level or above (e.g. WARNING)")
        ->check(level_check());
    logs->add_flag("--follow,-f", o->follow, "Keep printing new lines until the run has finished");
    logs->add_flag("--json", o->json,
                   "Print a JSON array of log records (one object per line with --follow)");
    logs->callback([&cli, o] { flow_run_logs(cli, *o); });
}

} // namespace weft::cli
