#pragma once
// Starting another program without a shell: for `weft flow-run retry`.
#include <array>
#include <csignal>
#include <optional>
#include <string>
#include <sys/types.h>
#include <utility>
#include <vector>

namespace weft::cli {

struct SpawnRequest {
    std::string program;           // absolute path, run as is (no PATH search, no shell)
    std::vector<std::string> args; // after argv[0], which is the program
    std::string working_dir;
    /// Set in the child's environment; the rest is inherited.
    std::vector<std::pair<std::string, std::string>> env;
    /// Own session, stdin/stdout/stderr on /dev/null: it outlives this process and its terminal.
    bool detach = false;
};

/// A started child; while it exists, this process ignores SIGINT and SIGQUIT so that Ctrl-C
/// reaches the child (in the foreground process group) and this process can report how it ended.
class Child {
public:
    explicit Child(const SpawnRequest& request);
    Child(const Child&) = delete;
    Child& operator=(const Child&) = delete;

    pid_t pid() const { return m_pid; }
    /// Waits for the child to end: its exit status, or 128 + the signal that killed it.
    int wait();

private:
    // Restores SIGINT and SIGQUIT when the Child goes, also when its constructor throws.
    class IgnoreInterrupts {
    public:
        IgnoreInterrupts();
        ~IgnoreInterrupts();
        IgnoreInterrupts(const IgnoreInterrupts&) = delete;
        IgnoreInterrupts& operator=(const IgnoreInterrupts&) = delete;

    private:
        std::array<struct sigaction, 2> m_old{};
    };

    std::optional<IgnoreInterrupts> m_ignore;
    pid_t m_pid = -1;
};

} // namespace weft::cli
