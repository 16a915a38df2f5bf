// weft flow-run logs ID [--level L] [--follow] [--json]
#include "commands.hpp"
#include "format.hpp"
#include "resolve.hpp"

#include <chrono>
#include <iostream>
#include <memory>
#include <optional>
#include <set>
#include <thread>
#include <unordered_map>
#include <weft/record_json.hpp>
#include <weft/ws_client.hpp>

namespace weft::cli {

using http::WebSocketClient;

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

// A server's lines, page by page from `since` (inclusive: the lines of that very time printed
// already are remembered and skipped).
class RemoteLines {
public:
    RemoteLines(RemoteReader& reader, const FlowRunRecord& run, int min_level)
        : m_reader(reader) {
        m_query.flow_run_id = run.id;
        m_query.min_level = min_level;
        m_query.limit = kPage;
    }

    /// Prints the lines not printed yet; returns how many.
    std::size_t print_new(LogPrinter& printer) {
        LogQuery q = m_query;
        q.timestamp_after = m_since;
        std::size_t printed = 0;
        for (;; q.offset += kPage) {
            auto lines = m_reader.logs(q);
            std::vector<LogRecord> fresh;
            for (auto& line : lines) {
                std::string key = line.task_run_id + '\x1f' + line.name + '\x1f' + line.message;
                if (m_since && line.timestamp == *m_since) {
                    if (!m_at_since.insert(std::move(key)).second) continue;
                } else {
                    m_since = line.timestamp;
                    m_at_since = {std::move(key)};
                }
                fresh.push_back(std::move(line));
            }
            printer.print(m_reader, fresh);
            printed += fresh.size();
            if (lines.size() < size_t(kPage)) break;
        }
        return printed;
    }

private:
    RemoteReader& m_reader;
    LogQuery m_query;
    std::optional<Micros> m_since;
    std::set<std::string> m_at_since;
};

// Whether a Prefect event says its flow run finished.
bool ends_run(const std::string& message) {
    const auto j = nlohmann::json::parse(message, nullptr, false);
    if (!j.is_object() || j.value("type", "") != "event") return false;
    const auto resource = j["event"].value("resource", nlohmann::json::object());
    const auto type = state_type_from_string(resource.value("prefect.state-type", ""));
    return type && is_terminal(*type);
}

// Following a server's run: its lines so far, then new ones whenever the server's event stream
// (/api/events/out) says the run moved, and at least every second, until it has finished.
void follow_remote_flow_run_logs(Cli& cli, ApiClient& api, const FlowRunRecord& run,
                                 const LogsOptions& o) {
    using namespace std::chrono_literals;
    RemoteReader reader(api);
    LogPrinter printer(cli, run, o.json, true);
    RemoteLines lines(reader, run,
                      o.level.empty() ? 0 : log_level_from_string(o.level).value_or(0));
    std::unique_ptr<WebSocketClient> events;
    try {
        events = std::make_unique<WebSocketClient>(api.settings(), "/events/out");
        const nlohmann::json filter = {
            {"type", "filter"},
            {"filter", {{"resource", {{"id", {"prefect.flow-run." + run.id}}}}}}};
        events->send_text(filter.dump());
    } catch (const ApiError& e) {
        throw CliError(std::string("cannot follow the run's events on the server: ") + e.what());
    }
    // Opened before the first read: a state the run enters from now on is seen.
    lines.print_new(printer);
    auto finished = [&] {
        auto now = reader.flow_run(run.id);
        if (!now) std::cerr << "weft: flow run " << run.id << " (" << run.name << ") was deleted\n";
        return !now || is_terminal(now->state.type);
    };
    bool done = finished();
    auto next_check = std::chrono::steady_clock::now() + kCrashCheckInterval;
    while (!done) {
        std::optional<std::string> message;
        try {
            message = events->read_text(1s);
        } catch (const ApiError& e) {
            throw CliError(std::string("lost the server's event stream: ") + e.what());
        }
        if (message && ends_run(*message)) done = true;
        lines.print_new(printer);
        if (!done && std::chrono::steady_clock::now() >= next_check) {
            done = finished(); // an event missed, or a program that died without saying so
            next_check = std::chrono::steady_clock::now() + kCrashCheckInterval;
        }
    }
    // The program reports its last lines just after its final state: read until a second passes
    // without new ones.
    for (auto quiet_until = std::chrono::steady_clock::now() + 1s;
         std::chrono::steady_clock::now() < quiet_until;) {
        std::this_thread::sleep_for(kPollInterval);
        if (lines.print_new(printer) > 0) quiet_until = std::chrono::steady_clock::now() + 1s;
    }
    printer.finish();
}

// A server's lines, page by page; with --follow, until the run has finished.
void remote_flow_run_logs(Cli& cli, ApiClient& api, const LogsOptions& o) {
    const FlowRunRecord run = load_flow_run(cli, o.id);
    if (o.follow) return follow_remote_flow_run_logs(cli, api, run, o);
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
