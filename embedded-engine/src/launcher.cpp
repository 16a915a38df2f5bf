// Whether a flow run may be rerun, and the requests that start its program again. The spawning
// itself is in launcher_spawn.cpp.
#include "weft/launcher.hpp"

#include "weft/engine.hpp"
#include "weft/store.hpp"

#include <algorithm>
#include <array>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <unistd.h>

extern char** environ;

namespace weft {

namespace {

namespace fs = std::filesystem;

RerunCheck refuse(RerunRefusal why, std::string reason, std::optional<FlowRunRecord> run = {}) {
    RerunCheck c;
    c.refusal = why;
    c.reason = std::move(reason);
    c.run = std::move(run);
    return c;
}

std::string label(const FlowRunRecord& run) {
    return "flow run " + run.name + " (" + run.id + ")";
}

std::string absolute(const std::string& path) {
    std::error_code ec;
    auto p = fs::absolute(path, ec);
    return ec ? path : p.lexically_normal().string();
}

// The recorded WEFT_* variables, then the ones this launch must decide (later entries win).
std::vector<std::pair<std::string, std::string>> environment_for(const FlowRunRecord& run,
                                                                 const std::string& database) {
    std::vector<std::pair<std::string, std::string>> env;
    for (const auto& kv : run.launch.environment)
        if (kv.first != "WEFT_DB") env.push_back(kv);
    // The program must write to the very database the run is in, whatever it was given first.
    env.emplace_back("WEFT_DB", absolute(database));
    // Shells and many programs trust $PWD; an inherited one would name the launcher's folder.
    if (!run.launch.working_dir.empty()) env.emplace_back("PWD", run.launch.working_dir);
    return env;
}

LaunchRequest request_for(const FlowRunRecord& run, const std::string& database) {
    LaunchRequest r;
    r.program = run.launch.program;
    r.working_dir = run.launch.working_dir;
    r.environment = environment_for(run, database);
    return r;
}

bool looks_secret(const std::string& name) {
    static constexpr std::array<std::string_view, 4> kWords{"KEY", "TOKEN", "SECRET", "PASSWORD"};
    return std::any_of(kWords.begin(), kWords.end(),
                       [&](std::string_view w) { return name.find(w) != std::string::npos; });
}

std::vector<std::string> own_arguments() {
    std::ifstream in("/proc/self/cmdline", std::ios::binary);
    const std::string all((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    std::vector<std::string> args;
    std::size_t start = 0;
    while (start < all.size()) {
        const auto end = all.find('\0', start);
        args.push_back(all.substr(start, end == std::string::npos ? end : end - start));
        if (end == std::string::npos) break;
        start = end + 1;
    }
    if (!args.empty()) args.erase(args.begin()); // argv[0]: the program, recorded as its path
    return args;
}

} // namespace

RerunCheck check_launchable(const FlowRunRecord& run) {
    const auto& launch = run.launch;
    if (launch.program.empty())
        return refuse(RerunRefusal::NoProgram,
                      label(run)
                          + " does not record the program that ran it, so it cannot be "
                            "started again",
                      run);
    std::error_code ec;
    if (!fs::is_regular_file(launch.program, ec))
        return refuse(RerunRefusal::ProgramMissing,
                      "the program that ran " + label(run) + ", " + launch.program
                          + ", no longer exists; rebuild it there to run it again",
                      run);
    if (access(launch.program.c_str(), X_OK) != 0)
        return refuse(RerunRefusal::ProgramNotExecutable,
                      "the program that ran " + label(run) + ", " + launch.program
                          + ", is not executable",
                      run);
    if (!launch.working_dir.empty() && !fs::is_directory(launch.working_dir, ec))
        return refuse(RerunRefusal::WorkingDirGone,
                      "the folder " + label(run) + " ran in, " + launch.working_dir
                          + ", no longer exists",
                      run);
    RerunCheck ok;
    ok.run = run;
    return ok;
}

RerunCheck check_rerun(std::optional<FlowRunRecord> run, const std::string& from_task_id,
                       const std::optional<TaskRunRecord>& from_task) {
    if (!run) return refuse(RerunRefusal::UnknownRun, "no such flow run");
    if (!from_task_id.empty() && !from_task)
        return refuse(RerunRefusal::UnknownTaskRun, "no task run with id " + from_task_id,
                      std::move(run));
    if (from_task && from_task->flow_run_id != run->id)
        return refuse(RerunRefusal::TaskRunOfAnotherRun,
                      "task run " + from_task->name + " (" + from_task->id
                          + ") belongs to another flow run (" + from_task->flow_run_id
                          + "), not to " + label(*run),
                      std::move(run));
    const StateType type = run->state.type;
    const std::string state(to_string(type));
    // A finished run's process may live on (Studio's demo, a program running several flows).
    if (!is_terminal(type) && process_alive(run->process, now_us()))
        return refuse(RerunRefusal::StillRunning,
                      label(*run) + " is " + state + " and process "
                          + std::to_string(run->process.pid) + " on "
                          + (run->process.host.empty() ? "this host" : run->process.host)
                          + " still has it; cancel it or wait for it to end",
                      std::move(run));
    if (type == StateType::Completed && !from_task)
        return refuse(RerunRefusal::CompletedNeedsFromTask,
                      label(*run)
                          + " is COMPLETED; only a FAILED, CRASHED or CANCELLED run can "
                            "be run again, or a COMPLETED one from one of its task runs",
                      std::move(run));
    if (!is_resumable(type) && type != StateType::Completed)
        return refuse(RerunRefusal::NotFinished,
                      label(*run) + " is " + state
                          + "; only a FAILED, CRASHED or CANCELLED run can be run again",
                      std::move(run));
    return check_launchable(*run);
}

RerunCheck check_rerun(Store& store, const std::string& flow_run_id,
                       const std::string& from_task_run_id) {
    auto [run, task] = store.read([&](Reader& r) {
        std::optional<TaskRunRecord> t;
        if (!from_task_run_id.empty()) t = r.task_run(from_task_run_id);
        return std::make_pair(r.flow_run(flow_run_id), std::move(t));
    });
    auto check = check_rerun(std::move(run), from_task_run_id, task);
    if (check.refusal == RerunRefusal::UnknownRun)
        check.reason = "no flow run with id " + flow_run_id;
    return check;
}

LaunchRequest rerun_request(const FlowRunRecord& run, const std::string& from_task_run_id,
                            const std::string& database) {
    LaunchRequest r = request_for(run, database);
    r.arguments = {"rerun", run.id};
    if (!from_task_run_id.empty())
        r.arguments.insert(r.arguments.end(), {"--from-task", from_task_run_id});
    return r;
}

LaunchRequest resume_request(const FlowRunRecord& run, const std::string& database) {
    LaunchRequest r = request_for(run, database);
    r.arguments = {"resume", run.id};
    return r;
}

LaunchRequest new_run_request(const FlowRunRecord& run, const nlohmann::json& parameters,
                              const std::string& database) {
    LaunchRequest r = request_for(run, database);
    r.arguments = {"run", run.flow_name};
    if (parameters.is_object())
        for (const auto& [key, value] : parameters.items())
            r.arguments.insert(r.arguments.end(), {"--param", key + "=" + value.dump()});
    return r;
}

LaunchInfo current_launch() {
    LaunchInfo info;
    std::error_code ec;
    info.program = fs::read_symlink("/proc/self/exe", ec).string();
    info.working_dir = fs::current_path(ec).string();
    info.arguments = own_arguments();
    for (char** e = environ; e && *e; ++e) {
        const std::string_view entry(*e);
        const auto eq = entry.find('=');
        if (eq == std::string_view::npos || !entry.starts_with("WEFT_")) continue;
        std::string name(entry.substr(0, eq));
        if (looks_secret(name)) continue;
        info.environment.emplace_back(std::move(name), std::string(entry.substr(eq + 1)));
    }
    std::sort(info.environment.begin(), info.environment.end());
    return info;
}

} // namespace weft
