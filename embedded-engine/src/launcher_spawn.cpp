// launch(): starting a flow program with posix_spawn, attached or detached.
#include "weft/launcher.hpp"

#include <algorithm>
#include <cerrno>
#include <csignal>
#include <cstring>
#include <fcntl.h>
#include <spawn.h>
#include <sys/wait.h>
#include <thread>
#include <unistd.h>

extern char** environ;

namespace weft {

namespace {

// environ with the request's variables replaced or added.
std::vector<std::string> child_environment(const LaunchRequest& r) {
    std::vector<std::string> env;
    const auto set_by_request = [&](std::string_view entry) {
        return std::any_of(r.environment.begin(), r.environment.end(), [&](const auto& kv) {
            return entry.size() > kv.first.size() && entry.substr(0, kv.first.size()) == kv.first
                   && entry[kv.first.size()] == '=';
        });
    };
    for (char** e = environ; e && *e; ++e)
        if (!set_by_request(*e)) env.emplace_back(*e);
    // Later entries of the request win over earlier ones with the same name.
    for (auto it = r.environment.begin(); it != r.environment.end(); ++it) {
        const bool repeated = std::any_of(std::next(it), r.environment.end(),
                                          [&](const auto& kv) { return kv.first == it->first; });
        if (!repeated) env.push_back(it->first + "=" + it->second);
    }
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
    SpawnSetup(const SpawnSetup&) = delete;
    SpawnSetup& operator=(const SpawnSetup&) = delete;
};

void configure(SpawnSetup& s, const LaunchRequest& r) {
    short flags = POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETSIGMASK;
    if (r.detach) flags |= POSIX_SPAWN_SETSID;
    if (r.supervised && !r.detach) {
        flags |= POSIX_SPAWN_SETPGROUP;
        posix_spawnattr_setpgroup(&s.attr, 0); // a group of its own, led by the child
    }
    posix_spawnattr_setflags(&s.attr, flags);
    // An attached launch ignores these while it waits (and Studio may ignore SIGPIPE); the child
    // must not inherit that.
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

// While an attached child runs: SIGINT and SIGQUIT ignored here (the terminal sends them to the
// whole foreground group, so the child gets them), restored when this goes.
class IgnoreInterrupts {
public:
    IgnoreInterrupts() {
        struct sigaction ignore {};
        ignore.sa_handler = SIG_IGN;
        sigemptyset(&ignore.sa_mask);
        sigaction(SIGINT, &ignore, &m_old[0]);
        sigaction(SIGQUIT, &ignore, &m_old[1]);
    }
    ~IgnoreInterrupts() {
        sigaction(SIGINT, &m_old[0], nullptr);
        sigaction(SIGQUIT, &m_old[1], nullptr);
    }
    IgnoreInterrupts(const IgnoreInterrupts&) = delete;
    IgnoreInterrupts& operator=(const IgnoreInterrupts&) = delete;

private:
    struct sigaction m_old[2]{};
};

int wait_for(pid_t pid, int& status) {
    pid_t r;
    do {
        r = waitpid(pid, &status, 0);
    } while (r < 0 && errno == EINTR);
    return r < 0 ? errno : 0;
}

ChildExit child_exit(int status) {
    ChildExit exit;
    if (WIFEXITED(status)) exit.code = WEXITSTATUS(status);
    if (WIFSIGNALED(status)) exit.signal = WTERMSIG(status);
    return exit;
}

} // namespace

LaunchResult launch(const LaunchRequest& request) {
    std::vector<std::string> argv_strings{request.program};
    argv_strings.insert(argv_strings.end(), request.arguments.begin(), request.arguments.end());
    auto env_strings = child_environment(request);
    auto argv = pointers(argv_strings);
    auto envp = pointers(env_strings);

    SpawnSetup setup;
    configure(setup, request);
    std::optional<IgnoreInterrupts> ignore;
    if (!request.detach && !request.supervised)
        ignore.emplace(); // before the spawn: a Ctrl-C right after it is the child's

    LaunchResult result;
    const int rc = posix_spawn(&result.pid, request.program.c_str(), &setup.actions, &setup.attr,
                               argv.data(), envp.data());
    if (rc != 0) {
        result.pid = -1;
        result.error = "cannot start " + request.program
                       + (request.working_dir.empty() ? "" : " in " + request.working_dir) + ": "
                       + std::strerror(rc);
        return result;
    }
    if (request.supervised && !request.detach) return result; // the caller reaps it
    if (request.detach) {
        // Nobody else waits for it; without this a long-lived launcher collects zombies.
        std::thread([pid = result.pid] {
            int status = 0;
            wait_for(pid, status);
        }).detach();
        return result;
    }
    int status = 0;
    if (const int err = wait_for(result.pid, status)) {
        result.error = std::string("lost track of the started program: ") + std::strerror(err);
        return result;
    }
    result.exit = child_exit(status);
    return result;
}

std::optional<ChildExit> reap_child(pid_t pid, bool block) {
    int status = 0;
    pid_t r;
    do {
        r = waitpid(pid, &status, block ? 0 : WNOHANG);
    } while (r < 0 && errno == EINTR);
    if (r <= 0) return std::nullopt;
    return child_exit(status);
}

} // namespace weft
