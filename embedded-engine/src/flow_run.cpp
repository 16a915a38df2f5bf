// One flow run's life: creation or resume, RUNNING, the body with retries, waiting for submitted
// task runs, and the final state. Flow-run states go through the engine's transactional path, so
// a cancel from another process is never overwritten.
#include "engine_log.hpp"
#include "runtime_internal.hpp"
#include "weft/log.hpp"
#include "weft/pause.hpp"

#include <chrono>
#include <unordered_map>

namespace weft::detail {

namespace {

// Task runs that must run again when resuming from `from`: it and everything downstream of it.
std::unordered_set<std::string> downstream_of(const std::string& from,
                                              const std::vector<TaskRunRecord>& runs) {
    std::unordered_map<std::string, std::vector<std::string>> children;
    for (const auto& r : runs) {
        if (!r.task_inputs.is_object()) continue;
        for (const auto& [param, refs] : r.task_inputs.items()) {
            if (!refs.is_array()) continue;
            for (const auto& ref : refs)
                if (ref.value("input_type", "") == "task_run")
                    children[ref.value("id", "")].push_back(r.id);
        }
    }
    std::unordered_set<std::string> out{from};
    std::vector<std::string> todo{from};
    while (!todo.empty()) {
        auto id = std::move(todo.back());
        todo.pop_back();
        for (const auto& child : children[id])
            if (out.insert(child).second) todo.push_back(child);
    }
    return out;
}

struct BodyOutcome {
    nlohmann::json result;
    std::string failure; // empty: the body returned and every task it started completed
    bool cancelled = false;
    bool suspended = false; // weft::suspend_flow_run: the run stays PAUSED, the program exits
};

BodyOutcome run_body(const std::shared_ptr<FlowRunContext>& ctx,
                     const std::function<nlohmann::json()>& body) {
    BodyOutcome out;
    {
        ContextScope scope(ctx, nullptr);
        try {
            out.result = body();
        } catch (const Cancelled& e) {
            out.cancelled = true;
            out.failure = e.what();
        } catch (const FlowSuspended&) {
            out.suspended = true;
        } catch (const std::exception& e) {
            out.failure = e.what();
        } catch (...) {
            out.failure = "The flow raised an exception that is not a std::exception.";
        }
    }
    // Task runs submitted and never waited for still belong to the run: it ends after them. As in
    // Prefect 3, their failures fail the flow run only through the flow's code (result() let the
    // exception out, or the body returned the future): one it ignored is only mentioned.
    std::size_t ignored = 0;
    std::string example;
    for (const auto& f : ctx->tracked()) {
        f->wait();
        if (f->error() && ignored++ == 0) example = f->task_run_id();
    }
    if (ignored > 0 && out.failure.empty()) {
        ContextScope scope(ctx, nullptr);
        log().info("{} submitted task run(s) did not complete (e.g. {}); the flow's code did not "
                   "pass their failure on, so the flow run does not fail for them.",
                   ignored, example);
    }
    if (ctx->timed_out) {
        // The deadline set the token: whatever the body did once told to stop (returned, or let
        // weft::Cancelled through), the run failed by timing out and was not cancelled.
        out.cancelled = false;
        if (out.failure.empty()) out.failure = "The flow run exceeded its timeout.";
    } else if (ctx->token.cancelled()) {
        out.cancelled = true;
    }
    return out;
}

// The store stopped writing (a full disk, a damaged file; the runtime cancelled the run's work).
// The run ends FAILED with the store's reason, recorded as soon as the store can write it: the
// disk may have room again within a few seconds. If not, the next crash check (any `weft`
// command) marks it CRASHED.
void end_after_store_failure(const std::shared_ptr<FlowRunContext>& ctx, const std::string& why) {
    using Clock = std::chrono::steady_clock;
    // One wait for the whole process, however many (sub)flow runs end this way.
    static const Clock::time_point give_up = Clock::now() + std::chrono::seconds(10);
    bool told = false;
    for (;;) {
        try {
            auto t = engine().end_flow_run_after_store_failure(ctx->id, why);
            if (t.run) ctx->run = *t.run;
            if (is_terminal(ctx->run.state.type)) return;
            break;
        } catch (const LookupError&) {
            break; // the run's creation was lost with its group
        } catch (const StoreError&) {
            if (engine().store().closed()) break; // the process is exiting: nothing to wait for
            if (Clock::now() >= give_up) {
                engine_log().error("weft: flow run {} could not be recorded as FAILED; the next "
                                   "`weft` command marks it CRASHED once the database can be "
                                   "written.",
                                   ctx->id);
                break;
            }
            if (!told)
                engine_log().warn("weft: waiting up to 10 s for the database to take flow run "
                                  "{}'s FAILED state.",
                                  ctx->id);
            told = true;
            std::this_thread::sleep_for(std::chrono::milliseconds(200));
        }
    }
    enter_state(ctx->run, states::failed(why)); // in memory: the exit code and hooks see it
}

Transition<FlowRunRecord> propose(const std::shared_ptr<FlowRunContext>& ctx, State state,
                                  const Engine::AdjustFacts& adjust = {}) {
    try {
        auto t = engine().set_flow_run_state(ctx->id, Proposal{std::move(state), Origin::Program},
                                             adjust);
        if (t.run) ctx->run = *t.run;
        return t;
    } catch (const StoreError& e) {
        // Whatever was proposed, the run cannot go on: it ends FAILED with the store's reason.
        const std::string why = engine().store().failure();
        end_after_store_failure(ctx, why.empty() ? e.what() : why);
        Transition<FlowRunRecord> t;
        t.outcome.decision = Decision::Abort;
        t.outcome.reason = ctx->run.state.message;
        t.run = ctx->run;
        return t;
    }
}

// RUNNING (or Retrying), waiting out a scheduled time that has not quite come. With
// `delay_waited`, the program has waited out the retry delay itself on the monotonic clock: the
// scheduled time counts as come even if the system clock was set back meanwhile.
// With `after_resume`, a suspended run goes on after a person resumed it: Running, not Retrying.
Transition<FlowRunRecord> propose_running(const std::shared_ptr<FlowRunContext>& ctx,
                                          bool delay_waited = false, bool after_resume = false) {
    const auto adjust = [delay_waited, after_resume](RunFacts& f) {
        f.resume_requested = after_resume;
        if (!delay_waited || !f.current) return;
        if (auto at = f.current->scheduled_time()) f.now = std::max(f.now, *at);
    };
    for (;;) {
        auto t = propose(
            ctx, ctx->run.run_count > 0 && !after_resume ? states::retrying() : states::running(),
            adjust);
        if (t.outcome.decision != Decision::Wait) return t;
        if (!sleep_unless_cancelled(std::min(t.outcome.delay_s, 1.0), ctx->token)) return t;
    }
}

// Takes a stored run over for this process through the rules (see Engine::claim_flow_run):
// of several programs resuming the same run at once, only one runs it. Throws for the others.
FlowRunRecord claim(const FlowRunRecord& stored, const FlowStart& start,
                    const FlowOptions& options) {
    // Running a COMPLETED run again is asked for explicitly: from a task run, or by the parent
    // of a subflow that runs it again.
    const bool rerun = !start.from_task_run_id.empty() || !start.parent_task_run_id.empty();
    const std::string why = start.from_task_run_id.empty()
                                ? "Resumed by pid " + std::to_string(this_process().pid) + "."
                                : "Runs again from task run " + start.from_task_run_id + ".";
    auto t = start.take_over ? engine().take_over_flow_run(
                 stored.id, this_process(), this_launch(), options.retries, options.retry_delay_s,
                 "Taken over by pid " + std::to_string(this_process().pid) + ".")
                             : engine().claim_flow_run(stored.id, this_process(), this_launch(),
                                                       rerun, why);
    if (t.outcome.accepted()) return *t.run;
    std::string holder;
    if (t.run && !is_terminal(t.run->state.type) && t.run->process.pid != 0)
        holder = " by pid " + std::to_string(t.run->process.pid) + " on " + t.run->process.host;
    throw ClaimRefused(
        "flow run " + stored.id + " was not " + (start.take_over ? "run" : "run again") + ": it is "
        + std::string(to_string(t.run ? t.run->state.type : stored.state.type))
        + (holder.empty() ? "" : " (taken over" + holder + ")") + ". " + t.outcome.reason);
}

// A run taken over is this program's alone: task runs an earlier attempt left unfinished (its
// program was killed, and a server does not end them with their flow run) crashed with it. Ended
// CRASHED, they run again rather than being taken for running elsewhere.
void end_abandoned(std::vector<TaskRunRecord>& task_runs) {
    for (auto& t : task_runs) {
        if (is_terminal(t.state.type) || is_suspended(t.state)
            || t.state.type == StateType::Scheduled)
            continue;
        auto ended = engine().set_task_run_state(
            t.id, Proposal{states::crashed("An earlier attempt of its flow run ended without "
                                           "finishing it."),
                           Origin::Program});
        if (ended.run) t = *ended.run;
    }
}

} // namespace

FlowRunRecord run_flow(const std::string& flow_name, const FlowOptions& options,
                       nlohmann::json parameters, const FlowStart& start,
                       const std::function<nlohmann::json()>& body) {
    Runtime& rt = Runtime::get();
    Store& store = rt.engine().store();
    auto ctx = std::make_shared<FlowRunContext>();
    ctx->options = &options;
    ctx->parent = current().flow;
    FlowRunRecord& run = ctx->run;

    std::optional<FlowRunRecord> stored;
    if (!start.resume_run_id.empty()) {
        stored = store.read([&](Reader& r) { return r.flow_run(start.resume_run_id); });
        // A subflow whose parent chose its id but crashed before creating it starts anew.
        if (!stored && start.run_id != start.resume_run_id)
            throw LookupError("Flow run not found: " + start.resume_run_id);
    }
    if (stored) {
        if (!start.from_task_run_id.empty()) {
            auto task_runs = store.read([&](Reader& r) { return r.task_runs(stored->id); });
            const bool ours = std::any_of(task_runs.begin(), task_runs.end(), [&](const auto& t) {
                return t.id == start.from_task_run_id;
            });
            if (!ours)
                throw LookupError("Task run " + start.from_task_run_id + " is not part of flow run "
                                  + stored->id);
        }
        run = start.claimed ? *stored : claim(*stored, start, options);
        // Read after the claim: a program that had the run before us has finished with it.
        auto task_runs = store.read([&](Reader& r) { return r.task_runs(run.id); });
        if (!start.from_task_run_id.empty())
            ctx->rerun = downstream_of(start.from_task_run_id, task_runs);
        if (start.take_over) end_abandoned(task_runs);
        ctx->restart(std::move(task_runs));
    } else {
        run.id = start.run_id.empty() ? new_id() : start.run_id;
        run.flow_id = rt.flow_id(flow_name, options.tags);
        run.flow_name = flow_name;
        run.name = random_run_name();
        run.flow_version = options.version;
        run.state = states::pending();
        run.parameters = std::move(parameters);
        run.tags = options.tags;
        run.parent_task_run_id = start.parent_task_run_id;
        run.max_retries = options.retries;
        run.retry_delay_s = options.retry_delay_s;
        run.created = run.updated = run.expected_start_time = run.state.timestamp;
        run.launch = this_launch();
        run.process = this_process();
        store.put_flow_run(run, EventKind::FlowRunCreated);
    }
    ctx->id = run.id;
    ctx->name = run.name;
    if (options.timeout_s > 0)
        ctx->deadline = std::chrono::steady_clock::now()
                        + std::chrono::microseconds(from_seconds(options.timeout_s));
    rt.watch(ctx);
    struct Unwatch {
        Runtime& rt;
        FlowRunContext* ctx;
        ~Unwatch() { rt.unwatch(ctx); }
    } unwatch{rt, ctx.get()};

    Transition<FlowRunRecord> started;
    if (start.claimed)
        started.run = run; // RUNNING already, through the server's rules
    else
        started = propose_running(ctx, false, stored && is_resuming(stored->state));
    if (!started.outcome.accepted()) {
        ContextScope scope(ctx, nullptr);
        log().error("Flow run {} could not start: {}", run.id, started.outcome.reason);
        return run;
    }
    {
        ContextScope scope(ctx, nullptr);
        log().info("Beginning flow run '{}' for flow '{}'", run.name, flow_name);
    }

    for (int attempt = 1;; ++attempt) {
        BodyOutcome outcome = run_body(ctx, body);
        if (outcome.suspended && !outcome.cancelled) break;
        if (outcome.cancelled) {
            propose(ctx, states::cancelled("The flow run was cancelled."));
            break;
        }
        if (outcome.failure.empty()) {
            State done = states::completed();
            done.data = outcome.result;
            propose(ctx, done);
            break;
        }
        const State failed = ctx->timed_out
                                 ? states::timed_out("Flow run exceeded its timeout of "
                                                     + std::to_string(options.timeout_s) + " s.")
                                 : states::failed(outcome.failure);
        auto t = propose(ctx, failed, [&](RunFacts& f) {
            f.run_count = attempt;
            f.retry_delay_s = options.retry_delay_s;
            f.retry_condition = !ctx->timed_out;
            // A run made elsewhere knows nothing of the flow's retries; a server's record of it
            // does not learn them (reports carry states only).
            if (start.take_over) f.max_retries = options.retries;
        });
        if (!(t.outcome.decision == Decision::Reject && run.state.type == StateType::Scheduled))
            break;
        {
            ContextScope scope(ctx, nullptr);
            log().warn("Flow run failed: {}; retrying in {:.3g} s.", outcome.failure,
                       options.retry_delay_s);
        }
        sleep_unless_cancelled(options.retry_delay_s, ctx->token); // monotonic clock
        auto again = propose_running(ctx, true);
        if (!again.outcome.accepted()) break;
        ctx->restart(store.read([&](Reader& r) { return r.task_runs(run.id); }));
    }

    {
        ContextScope scope(ctx, nullptr);
        if (run.state.type == StateType::Completed)
            log().info("Finished in state {}()", run.state.name);
        else if (is_suspended(run.state))
            log().info("Suspended until resumed");
        else
            log().error("Finished in state {}('{}')", run.state.name, run.state.message);
        // The hooks of the state the run ended in: a cancelled run is not a failed one (Prefect 3
        // alike, and as for task runs); TimedOut is a FAILED state.
        static const std::vector<std::function<void(const FlowRunRecord&)>> none;
        const auto& hooks = run.state.type == StateType::Completed   ? options.on_completion
                            : run.state.type == StateType::Failed    ? options.on_failure
                            : run.state.type == StateType::Cancelled ? options.on_cancellation
                                                                     : none;
        for (const auto& hook : hooks) {
            try {
                hook(run);
            } catch (const std::exception& e) {
                log().error("A flow hook failed: {}", e.what());
            }
        }
    }
    if (ctx->parent.expired() && store.failure().empty()) {
        try {
            store.flush(); // a top-level run is durable before it returns
        } catch (const StoreError& e) {
            end_after_store_failure(ctx, e.what());
        }
    }
    return run;
}

} // namespace weft::detail
