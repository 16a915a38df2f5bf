#include "spawn.hpp"

#include "cli.hpp"

#include <algorithm>
#include <cerrno>
#include <csignal>
#include <cstring>
#include <fcntl.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

extern char** environ;

namespace weft::cli {

namespace {

// environ with the request's variables replaced or added.
std::vector<std::string> child_environment(const SpawnRequest& r) {
    std::vector<std::string> env;
    for (char** e = environ; e && *e; ++e) {
        const std::string_view entry(*e);
        const bool overridden = std::any_of(r.env.begin(), r.env.end(), [&](const auto& kv) {
            return entry.size() > kv.first.size() && entry.substr(0, kv.first.size()) == kv.first
                   && entry[kv.first.size()] == '=';
        });
        if (!overridden) env.emplace_back(entry);
    }
    for (const auto& [key, value] : r.env)
        env.push_back(key + "=" + value);
    return env;
}

std::vector<char*> pointers(std::vector<std::string>& strings) {
    std::vector<char*> out;
    for (auto& s : strings)
        out.push_back(s.data());
    out.push_back(nullptr);
    return out;
}

// posix_spawn's attribute and file-action objects, destroyed whatever happens.
struct SpawnSetup {
    posix_spawnattr_t attr;
    posix_spawn_file_actions_t actions;
    SpawnSetup() {
        posix_spawnattr_init(&attr);
        posix_spawn_file_actions_init(&actions);
    }
    ~SpawnSetup() {
        posix_spawn_file_actions_destroy(&actions);
        posix_spawnattr_destroy(&attr);
    }
};

void configure(SpawnSetup& s, const SpawnRequest& r) {
    short flags = POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETSIGMASK;
    if (r.detach) flags |= POSIX_SPAWN_SETSID;
    posix_spawnattr_setflags(&s.attr, flags);
    // This process ignores these while it waits; the child must not inherit that.
    sigset_t defaults;
    sigemptyset(&defaults);
    sigaddset(&defaults, SIGINT);
    sigaddset(&defaults, SIGQUIT);
    sigaddset(&defaults, SIGPIPE);
    posix_spawnattr_setsigdefault(&s.attr, &defaults);
    sigset_t none;
    sigemptyset(&none);
    posix_spawnattr_setsigmask(&s.attr, &none);

    if (!r.working_dir.empty())
        posix_spawn_file_actions_addchdir_np(&s.actions, r.working_dir.c_str());
    if (r.detach) {
        posix_spawn_file_actions_addopen(&s.actions, STDIN_FILENO, "/dev/null", O_RDONLY, 0);
        posix_spawn_file_actions_addopen(&s.actions, STDOUT_FILENO, "/dev/null", O_WRONLY, 0);
        posix_spawn_file_actions_adddup2(&s.actions, STDOUT_FILENO, STDERR_FILENO);
    }
}

} // namespace

Child::Child(const SpawnRequest& request) {
    std::vector<std::string> argv_strings{request.program};
    argv_strings.insert(argv_strings.end(), request.args.begin(), request.args.end());
    auto env_strings = child_environment(request);
    auto argv = pointers(argv_strings);
    auto envp = pointers(env_strings);

    SpawnSetup setup;
    configure(setup, request);
    if (!request.detach) m_ignore.emplace();
    const int rc = posix_spawn(&m_pid, request.program.c_str(), &setup.actions, &setup.attr,
                               argv.data(), envp.data());
    if (rc != 0) {
        m_pid = -1;
        throw CliError("cannot start " + request.program + " in " + request.working_dir + ": "
                       + std::strerror(rc));
    }
}

Child::IgnoreInterrupts::IgnoreInterrupts() {
    struct sigaction ignore {};
    ignore.sa_handler = SIG_IGN;
    sigemptyset(&ignore.sa_mask);
    sigaction(SIGINT, &ignore, &m_old[0]);
    sigaction(SIGQUIT, &ignore, &m_old[1]);
}

Child::IgnoreInterrupts::~IgnoreInterrupts() {
    sigaction(SIGINT, &m_old[0], nullptr);
    sigaction(SIGQUIT, &m_old[1], nullptr);
}

int Child::wait() {
    int status = 0;
    pid_t r;
    do {
        r = waitpid(m_pid, &status, 0);
    } while (r < 0 && errno == EINTR);
    if (r < 0)
        throw CliError(std::string("lost track of the started program: ") + std::strerror(errno));
    if (WIFEXITED(status)) return WEXITSTATUS(status);
    if (WIFSIGNALED(status)) return 128 + WTERMSIG(status);
    return ExitFailed;
}

} // namespace weft::cli
