// Ctrl-C (SIGINT) and SIGTERM in a flow program: the flow runs it is running end CANCELLED and
// everything it queued is committed before the process goes, instead of runs left RUNNING (and
// writes lost) until another process notices the crash. A second signal ends the process at once.
#include "runtime_internal.hpp"

#include <atomic>
#include <cerrno>
#include <csignal>
#include <cstdio>
#include <fcntl.h>
#include <mutex>
#include <pthread.h>
#include <thread>
#include <unistd.h>

namespace weft::detail {

namespace {

std::atomic<int> g_signal{0}; // the first signal received; 0 = none yet
int g_pipe[2] = {-1, -1};     // the handler's wake-up call to the interrupt thread
static_assert(std::atomic<int>::is_always_lock_free, "used in a signal handler");

void restore_default(int sig) {
    struct sigaction dfl {};
    dfl.sa_handler = SIG_DFL;
    sigemptyset(&dfl.sa_mask);
    sigaction(sig, &dfl, nullptr);
}

// Async-signal-safe only: the first signal wakes the interrupt thread; a second one, while that
// thread still works, gets the default action (the process ends) once the handler returns.
void on_signal(int sig) {
    const int saved_errno = errno;
    int none = 0;
    if (g_signal.compare_exchange_strong(none, sig)) {
        const unsigned char byte = static_cast<unsigned char>(sig);
        [[maybe_unused]] const ssize_t n = write(g_pipe[1], &byte, 1);
    } else {
        restore_default(sig);
        raise(sig); // blocked while this handler runs: delivered, by default, when it returns
    }
    errno = saved_errno;
}

const char* signal_name(int sig) {
    return sig == SIGINT ? "SIGINT" : sig == SIGTERM ? "SIGTERM" : "a signal";
}

// Ends every flow run this process runs as CANCELLED (with its unfinished task runs) and commits
// what is queued. The flows' own threads are not waited for: they may be blocked anywhere.
void stop_runs(int sig) {
    auto engine = Runtime::get().engine_if_open();
    if (!engine) return; // no flow run started: nothing to end, nothing queued
    const State cancelled =
        states::cancelled(std::string("The program received ") + signal_name(sig)
                          + " and stopped before the flow run finished.");
    for (const auto& flow : Runtime::get().watched()) {
        try {
            const Outcome o = engine->stop_flow_run(flow->id, cancelled);
            if (o.accepted())
                std::fprintf(stderr, "weft: flow run %s (%s) cancelled\n", flow->id.c_str(),
                             flow->name.c_str());
        } catch (const std::exception& e) {
            std::fprintf(stderr, "weft: could not cancel flow run %s: %s\n", flow->id.c_str(),
                         e.what());
        }
    }
    try {
        engine->store().flush();
    } catch (const std::exception& e) {
        std::fprintf(stderr, "weft: could not commit the last writes: %s\n", e.what());
    }
}

void interrupt_thread() {
    unsigned char byte = 0;
    while (read(g_pipe[0], &byte, 1) < 0 && errno == EINTR) {
    }
    const int sig = byte;
    std::fprintf(stderr,
                 "weft: %s received: cancelling the flow runs of this program (send it again to "
                 "stop at once)\n",
                 signal_name(sig));
    try {
        stop_runs(sig);
    } catch (...) {
        // Whatever failed was reported; the process still ends as the signal asked.
    }
    // End the way an interrupted program does, so shells and `weft flow-run retry` see it.
    restore_default(sig);
    sigset_t only;
    sigemptyset(&only);
    sigaddset(&only, sig);
    pthread_sigmask(SIG_UNBLOCK, &only, nullptr);
    raise(sig);
    std::_Exit(128 + sig); // not reached
}

} // namespace

void handle_interrupts() {
    static std::once_flag once;
    std::call_once(once, [] {
        if (pipe2(g_pipe, O_CLOEXEC) != 0) {
            std::perror("weft: cannot handle SIGINT and SIGTERM");
            return;
        }
        std::thread(interrupt_thread).detach();
        struct sigaction sa {};
        sa.sa_handler = on_signal;
        sigemptyset(&sa.sa_mask);
        sa.sa_flags = SA_RESTART;
        for (int sig : {SIGINT, SIGTERM}) {
            // A program started with SIGINT ignored (in the background of a shell) keeps it so.
            struct sigaction old {};
            sigaction(sig, nullptr, &old);
            if (sig == SIGINT && old.sa_handler == SIG_IGN) continue;
            sigaction(sig, &sa, nullptr);
        }
    });
}

void wait_if_interrupted() {
    if (g_signal.load() == 0) return;
    for (;;)
        pause(); // the interrupt thread ends the process once the runs are cancelled
}

} // namespace weft::detail
