// weft server start [--host H] [--port N] [--db PATH] [--api-key KEY] [--allow-unauthenticated]
// The server is a Qt program (weft-server); the CLI stays Qt-free and replaces itself with it.
#include "commands.hpp"

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <string>
#include <unistd.h>
#include <vector>

namespace weft::cli {

namespace {

namespace fs = std::filesystem;

struct ServerOptions {
    std::string host = "127.0.0.1";
    int port = 4200;
    std::string db;
    std::string api_key;
    bool allow_unauthenticated = false;
};

// weft-server beside this program (an installed or built tree keeps them together), else on PATH.
std::string find_server_program() {
    std::error_code ec;
    const fs::path self = fs::read_symlink("/proc/self/exe", ec);
    if (!ec) {
        const fs::path beside = self.parent_path() / "weft-server";
        if (::access(beside.c_str(), X_OK) == 0) return beside.string();
    }
    if (const char* path = std::getenv("PATH"); path && *path) {
        std::string dirs = path;
        size_t start = 0;
        while (start <= dirs.size()) {
            const size_t end = std::min(dirs.find(':', start), dirs.size());
            const fs::path candidate =
                fs::path(end > start ? dirs.substr(start, end - start) : ".") / "weft-server";
            if (::access(candidate.c_str(), X_OK) == 0) return candidate.string();
            start = end + 1;
        }
    }
    throw CliError("weft-server was not found beside " + (ec ? std::string("weft") : self.string())
                   + " nor on PATH; build it (target weft-server) or install the server package.");
}

void server_start(const ServerOptions& o) {
    const std::string program = find_server_program();
    std::vector<std::string> args = {program, "--host", o.host, "--port", std::to_string(o.port)};
    if (!o.db.empty()) args.insert(args.end(), {"--db", o.db});
    if (!o.api_key.empty()) args.insert(args.end(), {"--api-key", o.api_key});
    if (o.allow_unauthenticated) args.push_back("--allow-unauthenticated");
    std::vector<char*> argv;
    for (auto& a : args)
        argv.push_back(a.data());
    argv.push_back(nullptr);
    std::fflush(stdout);
    ::execv(program.c_str(), argv.data());
    throw CliError("could not start " + program + ": " + std::strerror(errno));
}

} // namespace

void add_server_command(CLI::App& app, Cli&) {
    auto* server = app.add_subcommand("server", "The Weft server: Prefect's REST API over HTTP");
    server->require_subcommand(1);
    auto o = std::make_shared<ServerOptions>();
    auto* start = server->add_subcommand("start", "Serve the API until Ctrl+C or SIGTERM");
    start->add_option("--host", o->host, "Address to listen on")->capture_default_str();
    start->add_option("--port", o->port, "Port to listen on (0: any free port)")
        ->check(CLI::Range(0, 65535))
        ->capture_default_str();
    start->add_option("--db", o->db, "Database file (default: $WEFT_HOME/server.db)")
        ->type_name("PATH");
    start
        ->add_option("--api-key", o->api_key,
                     "Require 'Authorization: Bearer KEY' (default $WEFT_SERVER_API_KEY; "
                     "WEFT_SERVER_API_AUTH_STRING=user:password requires HTTP basic auth)")
        ->type_name("KEY");
    start->add_flag("--allow-unauthenticated", o->allow_unauthenticated,
                    "Listen on a non-loopback address without authentication");
    start->callback([o] { server_start(*o); });
}

} // namespace weft::cli
