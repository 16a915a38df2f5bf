#pragma once
// Starting a flow run's program again: whether a run may be rerun (and why not, in plain words),
// and the one launcher that starts a flow program for it. `weft flow-run retry`, Studio and the
// server's workers all go through here. POSIX only (posix_spawn): no shell, no PATH search.
#include "weft/records.hpp"

#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <sys/types.h>
#include <utility>
#include <vector>

namespace weft {

class Store;

/// Why a flow run may not be rerun. Each has its own words in RerunCheck::reason.
enum class RerunRefusal {
    None,                   // it may be
    UnknownRun,             // no flow run with that id
    UnknownTaskRun,         // the from-task id names no task run
    TaskRunOfAnotherRun,    // the from-task run belongs to another flow run
    StillRunning,           // a live process runs it or has claimed it
    CompletedNeedsFromTask, // COMPLETED: only from one of its task runs
    NotFinished,            // not FAILED, CRASHED or CANCELLED (and nothing runs it)
    NoProgram,              // the run does not record the program that ran it
    ProgramMissing,         // that program is gone
    ProgramNotExecutable,   // it is there but may not be executed
    WorkingDirGone,         // the folder it ran in is gone
};

/// The answer of check_rerun(): ok, or the refusal and a sentence for people.
struct RerunCheck {
    RerunRefusal refusal = RerunRefusal::None;
    std::string reason;               // empty when ok
    std::optional<FlowRunRecord> run; // the run as read, when it exists
    bool ok() const { return refusal == RerunRefusal::None; }
};

/// Whether the flow run `flow_run_id` (a full id) may be run again by its program, from the task
/// run `from_task_run_id` (a full id, or empty for the whole run): FAILED, CRASHED or CANCELLED,
/// COMPLETED only with a from-task run of its own, not run or claimed by a live process, and its
/// recorded program and folder still there. Never throws for these; a store error propagates.
/// Thread-safe. The answer is advice: the program's claim decides when two reruns race.
RerunCheck check_rerun(Store& store, const std::string& flow_run_id,
                       const std::string& from_task_run_id = {});
/// The same decision on records already read (`from_task` is the from-task run when one was
/// named; `from_task_id` its id, to name it when it was not found).
RerunCheck check_rerun(std::optional<FlowRunRecord> run, const std::string& from_task_id,
                       const std::optional<TaskRunRecord>& from_task);
/// Only the recorded program and folder (for starting a new run of the same program).
RerunCheck check_launchable(const FlowRunRecord& run);

/// What to start: the program (run as is), its arguments, folder and environment.
struct LaunchRequest {
    std::string program;                // an absolute path: no PATH search, no shell
    std::vector<std::string> arguments; // after argv[0], which is the program
    std::string working_dir;            // empty: this process's
    /// Set in the child's environment over this process's, which it inherits otherwise.
    std::vector<std::pair<std::string, std::string>> environment;
    /// Own session, stdin/stdout/stderr on /dev/null: it outlives this process and its terminal.
    bool detach = false;
    /// Not detached: launch() returns once it started and the caller reaps it (reap_child), as
    /// a worker that watches many children does. It runs in its own process group, so a Ctrl-C
    /// meant for the caller does not reach it; its output goes where the caller's does.
    bool supervised = false;
};

/// `PROGRAM rerun RUN_ID [--from-task TASK_RUN_ID]` in the run's folder, with its recorded WEFT_*
/// variables (they win over this process's, so whoever launches it runs it alike), WEFT_DB set to
/// `database` (made absolute: the program runs in another folder) and PWD to the folder.
LaunchRequest rerun_request(const FlowRunRecord& run, const std::string& from_task_run_id,
                            const std::string& database);
/// `PROGRAM resume RUN_ID` for a suspended run that was resumed, set up like rerun_request().
LaunchRequest resume_request(const FlowRunRecord& run, const std::string& database);

/// A new run of the run's flow by the same program, where and as it ran:
/// `PROGRAM run FLOW --param KEY=JSON …` (each value as JSON, so "7" stays a string).
LaunchRequest new_run_request(const FlowRunRecord& run, const nlohmann::json& parameters,
                              const std::string& database);

/// How an attached child ended.
struct ChildExit {
    int code = 0;   // its exit status, when it exited
    int signal = 0; // the signal that killed it, else 0
    /// What a shell reports: the exit status, or 128 + the signal.
    int shell_code() const { return signal ? 128 + signal : code; }
};

/// What launch() did: started (with the pid, and how it ended when attached), or why not.
struct LaunchResult {
    pid_t pid = -1;
    std::string error;             // why it did not start, or was lost; empty when it started
    std::optional<ChildExit> exit; // attached only
    bool ok() const { return error.empty(); }
};

/// Starts the request's program. Supervised: returns once it started (see
/// LaunchRequest::supervised). Attached (detach and supervised false): waits for it to end;
/// meanwhile this process ignores SIGINT and SIGQUIT, so Ctrl-C reaches the child (in the same
/// foreground process group) and this process outlives it to report how it ended. Only one attached
/// launch at a time per process (signal dispositions are process-wide). Detached: returns once the
/// child started; a background thread reaps it when it ends, so a long-lived caller (Studio) keeps
/// no zombies; thread-safe. Spawn failures are returned, never thrown.
LaunchResult launch(const LaunchRequest& request);

/// How a supervised child (LaunchRequest::supervised) ended, once it has: nullopt while it runs
/// (with `block` false) or when it is not this process's child. Reaps it. Thread-safe.
std::optional<ChildExit> reap_child(pid_t pid, bool block = false);

/// This process's launch as recorded with the runs it starts: /proc/self/exe, the current
/// folder, argv[1…] and the WEFT_* variables (without secret-looking ones: *KEY*, *TOKEN*,
/// *SECRET*, *PASSWORD*).
LaunchInfo current_launch();

} // namespace weft
