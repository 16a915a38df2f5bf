#include "cli.hpp"

#include "commands.hpp"

#include <charconv>
#include <cstdlib>
#include <iostream>
#include <unistd.h>

namespace weft::cli {

std::string Cli::db_path() const {
    return db_option.empty() ? default_db_path() : db_option;
}

ApiClient* Cli::api() {
    if (!m_api_checked) {
        m_api_checked = true;
        if (db_option.empty())
            if (auto settings = ApiSettings::from_environment())
                m_api = std::make_unique<ApiClient>(std::move(*settings));
    }
    return m_api.get();
}

ApiClient& Cli::server(const char* what) {
    if (ApiClient* client = api()) return *client;
    throw CliError(std::string(what) + " needs a server: set WEFT_API_URL (e.g. "
                   + "http://127.0.0.1:4200/api, started with `weft server start`)"
                   + (db_option.empty() ? "" : " and leave out --db"));
}

Engine& Cli::engine(bool create, const char* what) {
    if (api())
        throw CliError(std::string(what ? what : "this command")
                       + " works on a local database only, not yet against a server (WEFT_API_URL="
                       + m_api->settings().url + "); give --db PATH to use a local one");
    if (!m_engine) {
        StoreOptions options;
        options.create = create;
        // Listing and inspecting another user's database works; changing it says why not.
        options.read_only_if_unwritable = true;
        m_engine = Engine::open(db_path(), options);
        // Crash detection could not record that a run's program is gone (a full disk): the
        // states stored are out of date, and showing such a run as RUNNING would mislead.
        // The engine has already said why on stderr.
        if (!m_engine->store().failure().empty())
            throw CliError("runs whose program has ended could not be marked CRASHED, so the "
                           "states stored in "
                           + db_path() + " are out of date.");
    }
    return *m_engine;
}

std::ostream& Cli::out() {
    return std::cout;
}

bool Cli::color() const {
    static const bool enabled = [] {
        const char* no_color = std::getenv("NO_COLOR");
        return isatty(STDOUT_FILENO) == 1 && (!no_color || !*no_color);
    }();
    return enabled;
}

void Cli::print_json(const nlohmann::json& j) {
    // Replacing invalid UTF-8 (a log line cut mid-character) keeps dump() from throwing.
    out() << j.dump(2, ' ', false, nlohmann::json::error_handler_t::replace) << '\n';
}

const CLI::Validator& state_type_check() {
    static const CLI::Validator check(
        [](std::string& value) -> std::string {
            if (state_type_from_string(value)) return {};
            return "'" + value
                   + "' is not a state type; use one of SCHEDULED, PENDING, RUNNING, COMPLETED, "
                     "FAILED, CANCELLED, CRASHED, PAUSED, CANCELLING";
        },
        "STATE_TYPE");
    return check;
}

std::int64_t parse_whole_number(const std::string& what, const std::string& text, std::int64_t min,
                                std::int64_t max, const std::string& min_note) {
    const std::string range =
        "between " + std::to_string(min) + min_note + " and " + std::to_string(max);
    const char* first = text.data();
    const char* last = text.data() + text.size();
    if (first != last && *first == '+') ++first; // from_chars takes no plus sign
    std::int64_t n = 0;
    const auto [end, ec] = std::from_chars(first, last, n);
    const bool digits_only = first != last && end == last;
    if (ec == std::errc::result_out_of_range && digits_only)
        throw usage_error(what + " must be " + range + ", got " + text);
    if (ec != std::errc() || !digits_only)
        throw usage_error(what + " must be a whole number " + range + ", got '" + text + "'");
    if (n < min || n > max) throw usage_error(what + " must be " + range + ", got " + text);
    return n;
}

StateType parse_state_type(const std::string& text) {
    if (auto t = state_type_from_string(text)) return *t;
    throw usage_error("'" + text + "' is not a state type");
}

} // namespace weft::cli
