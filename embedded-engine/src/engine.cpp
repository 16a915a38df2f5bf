#include "weft/engine.hpp"

#include "engine_log.hpp"
#include "weft/pause.hpp"

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <csignal>
#include <fstream>
#include <optional>
#include <spdlog/spdlog.h>
#include <sstream>
#include <string_view>
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

// Whether `proposed` is `current` reported again: the same state id, or a transition_id in its
// details (Prefect's) naming the current state or the transition that entered it.
bool same_transition(const State& proposed, const State& current) {
    if (!proposed.id.empty() && proposed.id == current.id) return true;
    const auto transition = [](const State& s) -> std::string {
        if (!s.details.is_object()) return {};
        auto it = s.details.find("transition_id");
        return it != s.details.end() && it->is_string() ? it->get<std::string>() : std::string();
    };
    const std::string id = transition(proposed);
    return !id.empty() && (id == current.id || id == transition(current));
}

// `before_write` changes the run along with a state the rules let through (a claim records the
// claiming process in the same row).
template<class Run>
Transition<Run> decide_and_apply(Txn& txn, std::optional<Run> run, RunFacts facts,
                                 const Proposal& proposal, const Engine::AdjustFacts& adjust,
                                 void (Txn::*put)(const Run&, EventKind), EventKind kind,
                                 const std::function<void(Run&)>& before_write = {}) {
    Transition<Run> t;
    // The state the run is in, proposed again (its id, or Prefect's transition_id naming the
    // transition that entered it): a report whose answer was lost, sent once more. It is answered
    // as the first time, and nothing is written twice.
    if (same_transition(proposal.state, run->state)) {
        t.outcome = Outcome{Decision::Accept, run->state, {}, 0};
        t.run = std::move(run);
        return t;
    }
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
        if (before_write) before_write(*run);
        (txn.*put)(*run, kind);
    }
    t.run = std::move(run);
    return t;
}

// The rules' facts about a stored flow run.
RunFacts flow_run_facts(const FlowRunRecord& run) {
    RunFacts facts;
    facts.kind = RunKind::Flow;
    facts.retry_delay_s = run.retry_delay_s;
    // A finished run is not "still running" in a process that lives on (Studio's demo, a
    // program that runs several flows): people may retry or mark it.
    facts.process_alive = !is_terminal(run.state.type) && process_alive(run.process, now_us());
    return facts;
}

} // namespace

// Inside the writer's transaction: `proposal` for flow run `id`, through the rules.
Transition<FlowRunRecord>
flow_run_transition(Txn& txn, const std::string& id, const Proposal& proposal,
                    const Engine::AdjustFacts& adjust,
                    const std::function<void(FlowRunRecord&)>& before_write) {
    auto run = txn.read().flow_run(id);
    if (!run) throw LookupError("Flow run not found: " + id);
    const RunFacts facts = flow_run_facts(*run);
    const bool was_finished = is_terminal(run->state.type);
    const auto write = [&](FlowRunRecord& changed) {
        // A finished run sent back to SCHEDULED (a retry through the API) waits for a new
        // program: the one that ran it waits for nothing, and crash detection must not take the
        // run for that program's own retry once it is gone.
        if (was_finished && changed.state.type == StateType::Scheduled) changed.process = {};
        if (before_write) before_write(changed);
    };
    auto t = decide_and_apply<FlowRunRecord>(txn, std::move(run), facts, proposal, adjust,
                                             &Txn::put_flow_run, EventKind::FlowRunState, write);
    if (t.run && is_terminal(t.run->state.type)) txn.release_slots_of_flow_run(id);
    return t;
}

Transition<FlowRunRecord> Engine::set_flow_run_state(const std::string& id,
                                                     const Proposal& proposal,
                                                     const AdjustFacts& adjust) {
    return m_store
        ->transact<Transition<FlowRunRecord>>(
            [&](Txn& txn) { return flow_run_transition(txn, id, proposal, adjust); })
        .get();
}

Transition<FlowRunRecord> Engine::claim_flow_run(const std::string& id, const ProcessInfo& process,
                                                 const LaunchInfo& launch, bool rerun_requested,
                                                 std::string message) {
    const Proposal claim{states::pending(std::move(message)), Origin::Program};
    return m_store
        ->transact<Transition<FlowRunRecord>>([&](Txn& txn) {
            return flow_run_transition(
                txn, id, claim, [&](RunFacts& f) { f.rerun_requested = rerun_requested; },
                [&](FlowRunRecord& run) {
                    run.process = process;
                    run.launch = launch;
                });
        })
        .get();
}

Transition<FlowRunRecord> Engine::take_over_flow_run(const std::string& id,
                                                     const ProcessInfo& process,
                                                     const LaunchInfo& launch, int max_retries,
                                                     double retry_delay_s, std::string message) {
    const Proposal claim{states::pending(std::move(message)), Origin::Program};
    return m_store
        ->transact<Transition<FlowRunRecord>>([&](Txn& txn) {
            return flow_run_transition(
                txn, id, claim, [](RunFacts& f) { f.take_over = true; },
                [&](FlowRunRecord& run) {
                    run.process = process;
                    run.launch = launch;
                    // A run made by a deployment knows nothing of the flow's retries.
                    run.max_retries = max_retries;
                    run.retry_delay_s = retry_delay_s;
                });
        })
        .get();
}

Outcome Engine::stop_flow_run(const std::string& id, const State& final_state) {
    return m_store
        ->transact<Outcome>([&](Txn& txn) {
            auto t = flow_run_transition(txn, id, Proposal{final_state, Origin::Program});
            if (!t.run || !is_terminal(t.run->state.type)) return t.outcome;
            const State ended = t.outcome.state.value_or(final_state);
            for (auto task : txn.read().task_runs(id)) {
                if (is_terminal(task.state.type)) continue;
                RunFacts facts;
                facts.kind = RunKind::Task;
                const Proposal p{
                    states::cancelled("Its flow run ended as " + ended.name + ": " + ended.message),
                    Origin::Program};
                auto tt =
                    decide_and_apply<TaskRunRecord>(txn, std::move(task), facts, p, {},
                                                    &Txn::put_task_run, EventKind::TaskRunState);
                if (tt.run && is_terminal(tt.run->state.type)) txn.release_slots(tt.run->id);
            }
            return t.outcome;
        })
        .get();
}

namespace {

// Prefect's COMPLETED state names the cache key its result is kept under (and until when): the
// run keeps them, so that other programs find the result. A program reporting to a server
// computes the key after it created the run.
void keep_cache_key(TaskRunRecord& run) {
    const State& s = run.state;
    if (s.type != StateType::Completed || !s.details.is_object()) return;
    if (auto key = s.details.find("cache_key"); key != s.details.end() && key->is_string())
        run.cache_key = key->get<std::string>();
    if (auto until = s.details.find("cache_expiration");
        until != s.details.end() && until->is_string())
        if (auto at = from_iso(until->get<std::string>())) run.cache_expiration = *at;
}

} // namespace

Transition<TaskRunRecord> task_run_transition(Txn& txn, const std::string& id,
                                              const Proposal& proposal,
                                              const Engine::AdjustFacts& adjust) {
    auto run = txn.read().task_run(id);
    if (!run) throw LookupError("Task run not found: " + id);
    RunFacts facts;
    facts.kind = RunKind::Task;
    if (auto parent = txn.read().flow_run(run->flow_run_id))
        facts.process_alive =
            !is_terminal(parent->state.type) && process_alive(parent->process, now_us());
    // Prefect's concurrency rule for a program that proposes RUNNING itself (a flow program
    // over a server): a slot of each limited tag is taken here, in the proposal's transaction, or
    // the rules answer WAIT. The same slots and rule as a local program's (TaskRun).
    const bool starts = !proposal.force && proposal.origin == Origin::Program
                        && proposal.state.type == StateType::Running && !run->tags.empty();
    std::string full;
    if (starts) full = txn.acquire_slots(run->tags, id, run->flow_run_id);
    auto t = decide_and_apply<TaskRunRecord>(
        txn, std::move(run), facts, proposal,
        [&](RunFacts& f) {
            if (adjust) adjust(f);
            if (f.concurrency_wait.empty() && !full.empty())
                f.concurrency_wait = "Concurrency limit for tag '" + full + "' is full.";
        },
        &Txn::put_task_run, EventKind::TaskRunState, keep_cache_key);
    // A slot is held while the run is RUNNING: one taken for a start the rules refused goes back
    // (a repeated RUNNING of a run already running keeps its own).
    const bool running = t.run && t.run->state.type == StateType::Running;
    if (t.run && (is_terminal(t.run->state.type) || (starts && full.empty() && !running)))
        txn.release_slots(id);
    return t;
}

Transition<TaskRunRecord> Engine::set_task_run_state(const std::string& id,
                                                     const Proposal& proposal,
                                                     const AdjustFacts& adjust) {
    return m_store
        ->transact<Transition<TaskRunRecord>>(
            [&](Txn& txn) { return task_run_transition(txn, id, proposal, adjust); })
        .get();
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

namespace {

// When a run whose process is gone last showed it was alive: its newest heartbeat, state change
// (its own or a task run's) or log line; never later than `now`.
Micros last_sign_of_life(Reader& reader, const FlowRunRecord& run,
                         const std::vector<TaskRunRecord>& tasks, Micros now) {
    Micros last = std::max({run.process.heartbeat, run.updated, run.state.timestamp});
    for (const auto& t : tasks)
        last = std::max({last, t.updated, t.state.timestamp});
    LogQuery newest;
    newest.flow_run_id = run.id;
    newest.newest_first = true;
    newest.limit = 1;
    for (const auto& line : reader.logs(newest))
        last = std::max(last, line.timestamp);
    return std::min(last, now);
}

} // namespace

int Engine::detect_crashes() {
    if (m_store->read_only()) return 0; // another user's runs: not ours to mark
    if (m_store->remote()) return 0;    // a server watches its runs itself
    const auto now = now_us();
    // SCHEDULED with a process: a flow run waiting for its program's flow-level retry.
    auto suspects = m_store->read([](Reader& r) {
        // PAUSED: a program waits for the resume (a suspended run's program has exited).
        return r.flow_runs_in_states({StateType::Running, StateType::Pending, StateType::Cancelling,
                                      StateType::Scheduled, StateType::Paused});
    });
    int crashed = 0;
    for (const auto& suspect : suspects) {
        if (suspect.process.pid == 0 || is_suspended(suspect.state)
            || process_alive(suspect.process, now))
            continue;
        const bool moved =
            m_store
                ->transact<bool>([&](Txn& txn) {
                    auto run = txn.read().flow_run(suspect.id);
                    // Another engine may have dealt with it, or the run started
                    // again elsewhere.
                    if (!run || run->state.id != suspect.state.id) return false;
                    auto tasks = txn.read().task_runs(run->id);
                    // The run ended when its process died, not hours later when
                    // someone opened the database.
                    const Micros ended = last_sign_of_life(txn.read(), *run, tasks, now_us());
                    const std::string why = "The process that ran this flow run (pid "
                                            + std::to_string(run->process.pid) + " on "
                                            + run->process.host + ") is gone.";
                    State crashed = states::crashed(why);
                    crashed.timestamp = ended;
                    // The times stay data (UTC, like scheduled_time), not text: Studio and the
                    // CLI show them in the reader's local time.
                    crashed.details = {{"last_seen_time", to_iso(ended)},
                                       {"detected_time", to_iso(now_us())}};
                    enter_state(*run, crashed);
                    txn.put_flow_run(*run, EventKind::FlowRunState);
                    for (auto& task : tasks) {
                        if (is_terminal(task.state.type)) continue;
                        State task_crashed = states::crashed("Its flow run crashed.");
                        task_crashed.timestamp = ended;
                        enter_state(task, task_crashed);
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

std::string trimmed(const std::string& text) {
    const auto first = text.find_first_not_of(" \t\r\n");
    if (first == std::string::npos) return {};
    return text.substr(first, text.find_last_not_of(" \t\r\n") - first + 1);
}

// Ids are stored lowercase; people paste them in any case.
std::string lowercase(std::string s) {
    std::transform(s.begin(), s.end(), s.begin(),
                   [](unsigned char c) { return char(std::tolower(c)); });
    return s;
}

// Hex digits and hyphens: a prefix or tail of an id. Generated run names always hold other
// letters, so such text is looked up as an id first.
bool id_like(const std::string& s) {
    return s.find_first_not_of("0123456789abcdef-") == std::string::npos;
}

// What an argument matched, looked up in this order: an id prefix (indexed), an id tail (the
// random part tables show), a run name.
struct Matches {
    std::vector<std::string> ids;
    const char* how = nullptr; // "prefix", "ending" or "name"; null when nothing matched
};

template<class Lookup> void try_lookup(Matches& m, const char* how, Lookup&& lookup) {
    if (m.how) return;
    auto ids = lookup();
    if (ids.empty()) return;
    m.ids = std::move(ids);
    m.how = how;
}

std::string single(const Matches& m, const std::string& text, const char* what, bool by_name) {
    if (!m.how) {
        const bool as_name = by_name && !id_like(lowercase(text));
        throw LookupError(std::string("no ") + what + " with id " + (as_name ? "or name " : "")
                          + text);
    }
    if (m.ids.size() == 1) return m.ids.front();
    if (std::string_view(m.how) == "name")
        throw LookupError(std::string("several ") + what + "s are named " + text + "; give an id");
    throw LookupError(std::string("the id ") + m.how + " " + text + " matches several " + what
                      + "s; give more characters");
}

} // namespace

// `text` names a run by a prefix of its id (any case, spaces around ignored), else by the end of
// its id (the random tail the CLI shows), else, for a flow run, by its exact name.
std::string resolve_flow_run(Reader& r, const std::string& text) {
    const std::string key = trimmed(text);
    if (key.empty()) throw LookupError("no flow run id given");
    const std::string id = lowercase(key);
    Matches found;
    if (id_like(id)) {
        try_lookup(found, "prefix", [&] { return r.flow_run_ids_with_prefix(id); });
        try_lookup(found, "ending", [&] { return r.flow_run_ids_ending_with(id); });
    }
    try_lookup(found, "name", [&] { return r.flow_run_ids_named(key); });
    return single(found, key, "flow run", true);
}

std::string resolve_task_run(Reader& r, const std::string& text) {
    const std::string key = trimmed(text);
    if (key.empty()) throw LookupError("no task run id given");
    const std::string id = lowercase(key);
    Matches found;
    if (id_like(id)) {
        try_lookup(found, "prefix", [&] { return r.task_run_ids_with_prefix(id); });
        try_lookup(found, "ending", [&] { return r.task_run_ids_ending_with(id); });
    }
    return single(found, key, "task run", false);
}

std::string Engine::resolve_flow_run(const std::string& text) {
    return m_store->read([&](Reader& r) { return weft::resolve_flow_run(r, text); });
}

std::string Engine::resolve_task_run(const std::string& text) {
    return m_store->read([&](Reader& r) { return weft::resolve_task_run(r, text); });
}

} // namespace weft
