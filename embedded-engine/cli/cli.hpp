#pragma once
// What every command shares: the database path, the engine opened on first use, how to report.
#include <weft/api_client.hpp>
#include <weft/engine.hpp>
#include <weft/remote_reader.hpp>

#include <cstdint>
#include <memory>
#include <nlohmann/json.hpp>
#include <ostream>
#include <stdexcept>
#include <string>

namespace weft::cli {

/// Process exit codes: 0 success, 1 the command failed, 2 it was used wrongly.
enum ExitCode : int { ExitOk = 0, ExitFailed = 1, ExitUsage = 2 };

/// A failure reported as one line on stderr ("weft: " is prepended when missing).
class CliError : public std::runtime_error {
public:
    explicit CliError(const std::string& message, int code = ExitFailed)
        : std::runtime_error(message)
        , m_code(code) {}
    int code() const { return m_code; }

private:
    int m_code;
};

inline CliError usage_error(const std::string& message) {
    return CliError(message, ExitUsage);
}

/// The most rows or events one command prints: a typo of a few digits is caught, not obeyed.
inline constexpr std::int64_t kMaxLimit = 1'000'000;

/// A whole number typed for `what` (e.g. "--limit"), from `min` to `max`. Anything else is a
/// usage error saying what it takes: "--limit must be between 1 and 1000000, got 0". `min_note`
/// follows `min` in that message, e.g. " (all)". Numbers are read here rather than by CLI11,
/// which wraps huge values around or reports them in its own terms.
std::int64_t parse_whole_number(const std::string& what, const std::string& text, std::int64_t min,
                                std::int64_t max, const std::string& min_note = {});

/// Shared by the commands of one invocation. Not thread-safe (the CLI is single-threaded).
class Cli {
public:
    /// --db as given; empty means WEFT_DB or the default path.
    std::string db_option;
    /// Set by commands whose exit code is not simply success (retry returns its program's).
    int exit_code = ExitOk;

    std::string db_path() const;
    /// The engine, opened on first use (which also runs crash detection). With create false a
    /// missing database is an error rather than a new empty file, so a typo in --db is noticed.
    /// Against a server (api()) it refuses: `what` names the command in that message.
    Engine& engine(bool create = false, const char* what = nullptr);

    /// The server the commands work against: WEFT_API_URL, unless --db was given on the
    /// command line. Null for the local database.
    ApiClient* api();
    /// The server, for commands that only exist against one (deployments, work pools, workers);
    /// without WEFT_API_URL a one-line error saying so, naming the command `what`.
    ApiClient& server(const char* what);
    /// Runs `f` with a Reader of the server or of the local database.
    template<class F> auto read(F&& f) {
        if (ApiClient* client = api()) {
            RemoteReader reader(*client);
            return f(static_cast<Reader&>(reader));
        }
        return engine().store().read(std::forward<F>(f));
    }
    /// Closes the database (before handing the terminal to another program).
    void close() { m_engine.reset(); }

    std::ostream& out();
    /// Colours only for a terminal, and never when NO_COLOR is set (no-color.org).
    bool color() const;
    /// Pretty-printed JSON and a newline: the whole of stdout for a --json command.
    void print_json(const nlohmann::json& j);

private:
    std::shared_ptr<Engine> m_engine;
    std::unique_ptr<ApiClient> m_api;
    bool m_api_checked = false;
};

} // namespace weft::cli
