#pragma once
// A worker: takes a work pool's due flow runs from a server and runs each as a flow-program
// process (`PROGRAM execute RUN_ID`, through the engine's launcher), as Prefect's process worker
// does. It heartbeats, claims each run through the server's rules (PENDING: of several workers
// exactly one gets it), marks a run whose program ended without a final state CRASHED, and stops
// the program of a run someone cancels.
#include <weft/api_client.hpp>

#include <chrono>
#include <string>

namespace weft {

struct WorkerOptions {
    std::string pool;
    std::string name; // empty: weft-worker-HOST-PID
    int limit = 0;    // runs at once; 0: no limit
    std::chrono::milliseconds heartbeat_every{30'000};
    std::chrono::milliseconds poll_every{2'000};
    /// After SIGTERM to a cancelled run's program, how long until SIGKILL.
    std::chrono::milliseconds cancel_grace{10'000};

    /// Overrides from WEFT_WORKER_HEARTBEAT_SECONDS, WEFT_WORKER_POLL_SECONDS and
    /// WEFT_WORKER_CANCEL_GRACE_SECONDS (seconds, fractions allowed; others are ignored).
    void read_environment();
};

/// Runs a worker of `options.pool` until SIGINT or SIGTERM: then it takes no new runs and waits
/// for its runs' programs to end; a second signal kills them (their runs end CRASHED). Creates
/// the pool when the server has none of that name. Says what it does on stderr, one line per run
/// launched and ended. Returns the process exit code: 0 after a signal, 1 when the server cannot
/// be used at the start (the error is thrown as ApiError).
int run_worker(ApiClient& api, WorkerOptions options);

} // namespace weft
