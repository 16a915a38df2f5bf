// weft: the command-line tool over the local database (design.md §4).
// Every failure ends as one line on stderr and an exit code: 1 the command failed, 2 it was used
// wrongly. No exception leaves main.
#include "cli.hpp"
#include "commands.hpp"

#include <iostream>
#include <spdlog/sinks/stdout_sinks.h>
#include <spdlog/spdlog.h>

namespace {

using namespace weft::cli;

// The deepest subcommand that was given ("weft flow-run ls"), to point at its --help.
const CLI::App& deepest(const CLI::App& app) {
    const CLI::App* current = &app;
    while (!current->get_subcommands().empty())
        current = current->get_subcommands().front();
    return *current;
}

std::string command_path(const CLI::App& app) {
    std::string path;
    for (const CLI::App* a = &deepest(app); a; a = a->get_parent())
        path = a->get_name() + (path.empty() ? "" : " " + path);
    return path;
}

std::string usage_message(const CLI::App& app, const CLI::ParseError& e) {
    std::string what = e.what();
    // CLI11 checks for a missing subcommand before it looks at words it did not understand, so
    // `weft flow-rnu ls` would only say that a subcommand is required.
    // Words a subcommand did not understand fall through to its parents.
    std::vector<std::string> extra;
    for (const CLI::App* a = &deepest(app); a && extra.empty(); a = a->get_parent())
        extra = a->remaining();
    if (dynamic_cast<const CLI::RequiredError*>(&e) && !extra.empty())
        what = "unknown command '" + extra.front() + "'";
    return what + " (see '" + command_path(app) + " --help')";
}

void report(const std::string& message) {
    // Engine messages already start with "weft: "; others get it here.
    std::cerr << (message.rfind("weft: ", 0) == 0 ? "" : "weft: ") << message << '\n';
}

void setup_logging() {
    // The engine logs (e.g. runs found crashed) must not mix into stdout, which --json owns.
    auto logger = spdlog::stderr_logger_st("weft");
    logger->set_pattern("%v");
    logger->set_level(spdlog::level::info);
    spdlog::set_default_logger(logger);
}

void build(CLI::App& app, Cli& cli) {
    app.set_version_flag("--version", std::string("weft ") + WEFT_VERSION);
    // Without --db: the server at WEFT_API_URL when set, else $WEFT_DB, else the default file.
    app.add_option("--db", cli.db_option,
                   "The database file (default: the server at $WEFT_API_URL when set, else "
                   "$WEFT_DB, else $WEFT_HOME/weft.db)")
        ->type_name("PATH");
    // Options of the app are accepted after subcommands too: `weft flow-run ls --db x.db`.
    app.fallthrough();
    app.require_subcommand(1);
    add_flow_commands(app, cli);
    add_flow_run_commands(app, cli);
    add_task_run_commands(app, cli);
    add_concurrency_commands(app, cli);
    add_events_command(app, cli);
    add_new_command(app, cli);
    add_server_command(app, cli);
    add_deploy_commands(app, cli);
    add_work_pool_commands(app, cli);
    add_worker_command(app, cli);
}

} // namespace

int main(int argc, char** argv) {
    setup_logging();
    Cli cli;
    CLI::App app("Weft: inspect and act on flow runs in the local database", "weft");
    try {
        build(app, cli);
        app.parse(argc, argv);
        std::cout.flush();
        return cli.exit_code;
    } catch (const CLI::ParseError& e) {
        if (e.get_exit_code() == 0) return app.exit(e); // --help, --version
        report(usage_message(app, e));
        return ExitUsage;
    } catch (const CliError& e) {
        report(e.what());
        return e.code();
    } catch (const std::exception& e) {
        report(e.what());
        return ExitFailed;
    } catch (...) {
        report("unexpected internal error");
        return ExitFailed;
    }
}
