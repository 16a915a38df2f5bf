#include "weft/engine.hpp"

#include "engine_log.hpp"

#include <cerrno>
#include <csignal>
#include <fstream>
#include <optional>
#include <spdlog/spdlog.h>
#include <sstream>
#include <unistd.h>

namespace weft {

namespace {

std::string host_name() {
    char buf[256] = {};
    if (gethostname(buf, sizeof buf - 1) != 0) return "localhost";
    return buf;
}

struct ProcStat {
    char state = '?';             // field 3: R, S, D, Z (zombie), X (dead), …
    std::int64_t start_ticks = 0; // field 22: start time in clock ticks since boot
};

// /proc/PID/stat of a process; nullopt when there is no such process.
std::optional<ProcStat> proc_stat(std::int64_t pid) {
    std::ifstream in("/proc/" + std::to_string(pid) + "/stat");
    if (!in) return std::nullopt;
    std::string content((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    const auto close = content.rfind(')'); // the command name may hold spaces and parentheses
    if (close == std::string::npos) return std::nullopt;
    std::istringstream fields(content.substr(close + 2));
    ProcStat stat;
    std::string field;
    for (int i = 3; i <= 22 && fields >> field; ++i) {
        if (i == 3) stat.state = field.empty() ? '?' : field[0];
        if (i == 22) stat.start_ticks = std::stoll(field);
    }
    return stat;
}

} // namespace

ProcessInfo this_process() {
    static const ProcessInfo info = [] {
        ProcessInfo p;
        p.host = host_name();
        p.pid = getpid();
        if (auto stat = proc_stat(p.pid)) p.start_ticks = stat->start_ticks;
        return p;
    }();
    ProcessInfo p = info;
    p.heartbeat = now_us();
    return p;
}

bool process_alive(const ProcessInfo& p, Micros now, Micros stale_after) {
    if (p.pid <= 0) return false;
    if (p.host == this_process().host) {
        if (kill(pid_t(p.pid), 0) != 0 && errno != EPERM) return false;
        // A killed process nobody has reaped yet is a zombie: gone all the same. A live process
        // with another start time reuses the pid.
        const auto stat = proc_stat(p.pid);
        if (!stat) return true; // no /proc: trust kill()
        if (stat->state == 'Z' || stat->state == 'X') return false;
        return p.start_ticks == 0 || stat->start_ticks == p.start_ticks;
    }
    return now - p.heartbeat < stale_after;
}

Engine::Engine(std::shared_ptr<Store> store)
    : m_store(std::move(store)) {
    try {
        if (int n = detect_crashes(); n > 0)
            detail::engine_log().info(
                "weft: {} flow run(s) whose process is gone were marked CRASHED", n);
    } catch (const std::exception& e) {
        if (m_store->failure().empty()) // else the store has said why
            detail::engine_log().warn("weft: crash detection failed: {}", e.what());
    }
}

std::shared_ptr<Engine> Engine::open(const std::string& path, StoreOptions options) {
    return std::make_shared<Engine>(Store::open(path, options));
}

namespace {

template<class Run>
Transition<Run> decide_and_apply(Txn& txn, std::optional<Run> run, RunFacts facts,
                                 const Proposal& proposal, const Engine::AdjustFacts& adjust,
                                 void (Txn::*put)(const Run&, EventKind), EventKind kind) {
    Transition<Run> t;
    facts.current = run->state;
    facts.run_count = run->run_count;
    facts.max_retries = run->max_retries;
    facts.now = now_us();
    if (adjust) adjust(facts);
    t.outcome = orchestrate(facts, proposal);
    const bool writes = t.outcome.decision == Decision::Accept
                        || (t.outcome.decision == Decision::Reject && t.outcome.state);
    if (writes) {
        enter_state(*run, *t.outcome.state);
        (txn.*put)(*run, kind);
    }
    t.run = std::move(run);
    return t;
}

} // namespace

Transition<FlowRunRecord> Engine::set_flow_run_state(const std::string& id,
                                                     const Proposal& proposal,
                                                     const AdjustFacts& adjust) {
    auto f = m_store->transact<Transition<FlowRunRecord>>([&](Txn& txn) {
        auto run = txn.read().flow_run(id);
        if (!run) throw LookupError("Flow run not found: " + id);
        RunFacts facts;
        facts.kind = RunKind::Flow;
        facts.retry_delay_s = run->retry_delay_s;
        // A finished run is not "still running" in a process that lives on (Studio's demo, a
        // program that runs several flows): people may retry or mark it.
        facts.process_alive =
            !is_terminal(run->state.type) && process_alive(run->process, now_us());
        auto t = decide_and_apply<FlowRunRecord>(txn, std::move(run), facts, proposal, adjust,
                                                 &Txn::put_flow_run, EventKind::FlowRunState);
        if (t.run && is_terminal(t.run->state.type)) txn.release_slots_of_flow_run(id);
        return t;
    });
    return f.get();
}

Transition<TaskRunRecord> Engine::set_task_run_state(const std::string& id,
                                                     const Proposal& proposal,
                                                     const AdjustFacts& adjust) {
    auto f = m_store->transact<Transition<TaskRunRecord>>([&](Txn& txn) {
        auto run = txn.read().task_run(id);
        if (!run) throw LookupError("Task run not found: " + id);
        RunFacts facts;
        facts.kind = RunKind::Task;
        if (auto parent = txn.read().flow_run(run->flow_run_id))
            facts.process_alive =
                !is_terminal(parent->state.type) && process_alive(parent->process, now_us());
        auto t = decide_and_apply<TaskRunRecord>(txn, std::move(run), facts, proposal, adjust,
                                                 &Txn::put_task_run, EventKind::TaskRunState);
        if (t.run && is_terminal(t.run->state.type)) txn.release_slots(id);
        return t;
    });
    return f.get();
}

Transition<FlowRunRecord> Engine::end_flow_run_after_store_failure(const std::string& id,
                                                                   const std::string& why) {
    auto f = m_store->transact<Transition<FlowRunRecord>>(
        [&](Txn& txn) {
            auto run = txn.read().flow_run(id);
            if (!run) throw LookupError("Flow run not found: " + id); // its creation was lost
            RunFacts facts;
            facts.kind = RunKind::Flow;
            facts.process_alive = true; // this process, which is ending the run
            auto t = decide_and_apply<FlowRunRecord>(
                txn, std::move(run), facts, Proposal{states::failed(why), Origin::Program},
                [](RunFacts& f) { f.retry_condition = false; }, &Txn::put_flow_run,
                EventKind::FlowRunState);
            if (!t.run || !is_terminal(t.run->state.type)) return t;
            // As crash detection does: nothing of the run is left looking as if it still ran.
            for (auto task : txn.read().task_runs(id)) {
                if (is_terminal(task.state.type)) continue;
                enter_state(task, states::failed("Its flow run stopped: " + why));
                txn.put_task_run(task, EventKind::TaskRunState);
            }
            txn.release_slots_of_flow_run(id);
            return t;
        },
        TransactMode::Recovery);
    return f.get();
}

Outcome Engine::cancel_flow_run(const std::string& id, std::string message) {
    Proposal p{states::cancelling(message.empty() ? "Cancelled by a user." : std::move(message)),
               Origin::User};
    return set_flow_run_state(id, p).outcome;
}

void Engine::delete_flow_run(const std::string& id) {
    m_store
        ->transact<void>([&](Txn& txn) {
            if (!txn.read().flow_run(id)) throw LookupError("Flow run not found: " + id);
            txn.delete_flow_run(id);
        })
        .get();
}

int Engine::detect_crashes() {
    const auto now = now_us();
    auto suspects = m_store->read([](Reader& r) {
        return r.flow_runs_in_states(
            {StateType::Running, StateType::Pending, StateType::Cancelling});
    });
    int crashed = 0;
    for (const auto& suspect : suspects) {
        if (suspect.process.pid == 0 || process_alive(suspect.process, now)) continue;
        const bool moved = m_store
                               ->transact<bool>([&](Txn& txn) {
                                   auto run = txn.read().flow_run(suspect.id);
                                   // Another engine may have dealt with it, or the run started
                                   // again elsewhere.
                                   if (!run || run->state.id != suspect.state.id) return false;
                                   const std::string why =
                                       "The process that ran this flow run (pid "
                                       + std::to_string(run->process.pid) + " on "
                                       + run->process.host + ") is gone; its last heartbeat was at "
                                       + to_iso(run->process.heartbeat) + ".";
                                   enter_state(*run, states::crashed(why));
                                   txn.put_flow_run(*run, EventKind::FlowRunState);
                                   for (auto task : txn.read().task_runs(run->id)) {
                                       if (is_terminal(task.state.type)) continue;
                                       enter_state(task, states::crashed("Its flow run crashed."));
                                       txn.put_task_run(task, EventKind::TaskRunState);
                                   }
                                   txn.release_slots_of_flow_run(run->id);
                                   return true;
                               })
                               .get();
        if (moved) ++crashed;
    }
    return crashed;
}

namespace {
std::string resolve(const std::vector<std::string>& found, const std::string& prefix,
                    const char* what) {
    if (found.empty()) throw LookupError(std::string("no ") + what + " with id " + prefix);
    if (found.size() > 1)
        throw LookupError(std::string("the id prefix ") + prefix + " matches several " + what
                          + "s; give more characters");
    return found.front();
}
} // namespace

std::string Engine::resolve_flow_run(const std::string& prefix) {
    if (prefix.empty()) throw LookupError("no flow run id given");
    return resolve(m_store->read([&](Reader& r) { return r.flow_run_ids_with_prefix(prefix); }),
                   prefix, "flow run");
}

std::string Engine::resolve_task_run(const std::string& prefix) {
    if (prefix.empty()) throw LookupError("no task run id given");
    return resolve(m_store->read([&](Reader& r) { return r.task_run_ids_with_prefix(prefix); }),
                   prefix, "task run");
}

} // namespace weft
