#include "program_flows.hpp"

#include "cli.hpp"

#include <cerrno>
#include <chrono>
#include <csignal>
#include <cstring>
#include <fcntl.h>
#include <optional>
#include <poll.h>
#include <spawn.h>
#include <sstream>
#include <sys/wait.h>
#include <unistd.h>

extern char** environ;

namespace weft::cli {

namespace {

// Its stdout, with stderr and stdin on /dev/null; empty `error` when it exited 0.
struct Captured {
    std::string out;
    std::string error;
};

Captured capture(const std::string& program, const std::vector<std::string>& args) {
    int fds[2];
    if (pipe2(fds, O_CLOEXEC) != 0) return {{}, std::strerror(errno)};
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_adddup2(&actions, fds[1], STDOUT_FILENO);
    posix_spawn_file_actions_addopen(&actions, STDERR_FILENO, "/dev/null", O_WRONLY, 0);
    posix_spawn_file_actions_addopen(&actions, STDIN_FILENO, "/dev/null", O_RDONLY, 0);
    std::vector<std::string> words{program};
    words.insert(words.end(), args.begin(), args.end());
    std::vector<char*> argv;
    for (auto& w : words)
        argv.push_back(w.data());
    argv.push_back(nullptr);
    pid_t pid = -1;
    const int rc = posix_spawn(&pid, program.c_str(), &actions, nullptr, argv.data(), environ);
    posix_spawn_file_actions_destroy(&actions);
    close(fds[1]);
    if (rc != 0) {
        close(fds[0]);
        return {{}, std::strerror(rc)};
    }
    Captured c;
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
    char buf[4096];
    for (;;) {
        const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
            deadline - std::chrono::steady_clock::now());
        if (left.count() <= 0) {
            kill(pid, SIGKILL);
            c.error = "it did not answer within 30 s";
            break;
        }
        pollfd p{fds[0], POLLIN, 0};
        if (poll(&p, 1, int(left.count())) < 0 && errno != EINTR) break;
        const ssize_t n = read(fds[0], buf, sizeof buf);
        if (n == 0) break;
        if (n > 0)
            c.out.append(buf, size_t(n));
        else if (errno != EINTR && errno != EAGAIN)
            break;
    }
    close(fds[0]);
    int status = 0;
    while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
    }
    if (c.error.empty() && !(WIFEXITED(status) && WEXITSTATUS(status) == 0))
        c.error = WIFEXITED(status) ? "it exited with code " + std::to_string(WEXITSTATUS(status))
                                    : "it was killed by signal " + std::to_string(WTERMSIG(status));
    return c;
}

// `list --json`'s answer: an array of {"name", "parameter_openapi_schema", …}; nullopt when it is
// not that (a program that does not know --json exits 2 before printing anything).
std::optional<std::vector<ProgramFlow>> flows_from_json(const std::string& out) {
    const auto listed = nlohmann::json::parse(out, nullptr, false);
    if (!listed.is_array()) return std::nullopt;
    std::vector<ProgramFlow> flows;
    for (const auto& f : listed) {
        if (!f.is_object() || !f.contains("name") || !f.at("name").is_string()) return std::nullopt;
        ProgramFlow flow{f.at("name").get<std::string>(), nullptr};
        if (auto s = f.find("parameter_openapi_schema"); s != f.end() && s->is_object())
            flow.parameter_schema = *s;
        flows.push_back(std::move(flow));
    }
    return flows;
}

} // namespace

std::vector<ProgramFlow> program_flows(const std::string& program) {
    const Captured described = capture(program, {"list", "--json"});
    if (described.error.empty())
        if (auto flows = flows_from_json(described.out)) return std::move(*flows);
    const Captured listed = capture(program, {"list"});
    if (!listed.error.empty())
        throw CliError("`" + program + " list` failed (" + listed.error
                       + "); is it a flow program built with the Weft SDK?");
    // One line a flow: "name(param, …)  description".
    std::vector<ProgramFlow> flows;
    std::istringstream lines(listed.out);
    for (std::string line; std::getline(lines, line);) {
        const auto paren = line.find('(');
        if (paren == std::string::npos || paren == 0) continue;
        flows.push_back({line.substr(0, paren), nullptr});
    }
    return flows;
}

} // namespace weft::cli
