// Pausing a flow run from its code, and resuming it as a person asks. The pause's state and its
// row in flow_run_pauses commit in one transaction, and so do a resume's state and its input, so a
// program never sees a resumed state without the input that came with it.
#include "weft/pause.hpp"

#include "runtime_internal.hpp"
#include "weft/log.hpp"

namespace weft {

namespace {

// The pauses of a flow run are numbered like the calls of a task: the nth pause of the flow's
// code has the same key on every run of it. Not a task name anyone can give (it has a newline).
const std::string kPauseCalls = "\npause";

std::string seconds_text(double s) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%g", s);
    return buf;
}

// The calling thread's flow run, for a pause made from the flow's own code.
std::shared_ptr<detail::FlowRunContext> pausing_flow(const PauseOptions& o) {
    const auto& cur = detail::current();
    if (!cur.flow || cur.task)
        throw std::logic_error("weft::pause_flow_run is called from a flow's own code, not from a "
                               "task or outside a flow");
    if (o.suspend && !cur.flow->parent.expired())
        throw std::logic_error("weft::suspend_flow_run: a subflow cannot be suspended (its "
                               "parent's program would exit); pause it instead");
    if (!(o.timeout_s > 0))
        throw std::invalid_argument("weft::pause_flow_run: timeout must be > 0");
    return cur.flow;
}

// A resume through a server is the server's: this program's own record of the run, which the
// rules read as the flow goes on, takes the state the server moved it to. Its report of that
// state carries the state's id, so the server knows it as the one it has.
void adopt_server_state(Store& store, const std::string& id, const State& state) {
    store
        .transact<void>([&](Txn& txn) {
            flow_run_transition(txn, id, Proposal{state, Origin::Program, true});
        })
        .get();
}

// Waits until a person resumes the run (RUNNING again), it is cancelled, or the pause times out.
nlohmann::json wait_for_resume(const std::shared_ptr<detail::FlowRunContext>& ctx,
                               const std::string& key, Micros deadline, double timeout_s) {
    Store& store = detail::engine().store();
    // Over a server the pause is on its way there: until it arrives, the server's run shows the
    // state before it, which is no resume.
    bool delivered = false;
    for (;;) {
        if (ctx->token.cancelled()) throw Cancelled("The flow run was cancelled while paused.");
        if (!delivered) delivered = store.sync(std::chrono::milliseconds(100));
        auto run =
            delivered ? store.read([&](Reader& r) { return r.flow_run(ctx->id); }) : std::nullopt;
        if (run && run->state.type != StateType::Paused) {
            if (store.remote()) adopt_server_state(store, ctx->id, run->state);
            ctx->run = *run;
            if (run->state.type == StateType::Running) {
                auto pause = store.read([&](Reader& r) { return r.pause(ctx->id, key); });
                return pause ? pause->input : nlohmann::json();
            }
            if (run->state.type == StateType::Cancelling || run->state.type == StateType::Cancelled)
                throw Cancelled("The flow run was cancelled while paused.");
            throw std::runtime_error(
                "The flow run left its pause as " + run->state.name
                + (run->state.message.empty() ? "" : ": " + run->state.message));
        }
        // The wall clock, as the stored pause_timeout that the resume checks too.
        if (now_us() >= deadline)
            throw PauseTimedOut("The flow run's pause timed out after " + seconds_text(timeout_s)
                                + " s; nobody resumed it.");
        detail::sleep_unless_cancelled(0.1, ctx->token);
    }
}

} // namespace

nlohmann::json pause_flow_run(const PauseOptions& o) {
    const auto ctx = pausing_flow(o);
    const nlohmann::json schema = o.wait_for_input ? o.wait_for_input->schema() : nlohmann::json();
    const std::string key = ctx->next_dynamic_key(kPauseCalls);
    Engine& engine = detail::engine();

    // A suspended run started again: the pause it stopped at was resumed, so it goes on.
    auto earlier = engine.store().read([&](Reader& r) { return r.pause(ctx->id, key); });
    if (earlier && earlier->resumed) {
        log().info("Resumed from pause {}; going on.", key);
        return earlier->input;
    }

    // Nothing runs while the flow run is paused: the task runs it submitted finish first.
    {
        detail::BlockingScope waiting;
        for (const auto& f : ctx->tracked())
            f->wait();
    }

    const Micros deadline = now_us() + from_seconds(o.timeout_s);
    State paused = make_state(StateType::Paused, o.suspend ? "Suspended" : "Paused");
    paused.details = {
        {"pause_timeout", to_iso(deadline)}, {"pause_reschedule", o.suspend}, {"pause_key", key}};
    // Prefect's names for the input form and its answer (a server keeps them as flow run inputs).
    if (!schema.is_null())
        paused.details["run_input_keyset"] = {{"schema", "paused-" + key + "-schema"},
                                              {"response", "paused-" + key + "-response"},
                                              {"description", "paused-" + key + "-description"}};
    const PauseRecord record{ctx->id, key, schema, nullptr, now_us(), std::nullopt};
    auto t = engine.store()
                 .transact<Transition<FlowRunRecord>>([&](Txn& txn) {
                     auto t = flow_run_transition(txn, ctx->id, Proposal{paused, Origin::Program});
                     if (t.outcome.accepted()) txn.put_pause(record);
                     return t;
                 })
                 .get();
    if (t.run) ctx->run = *t.run;
    if (!t.outcome.accepted()) {
        if (ctx->token.cancelled() || ctx->run.state.type == StateType::Cancelling)
            throw Cancelled("The flow run was cancelled before it could pause.");
        throw std::runtime_error("The flow run could not pause: " + t.outcome.reason);
    }
    const std::string how =
        "weft flow-run resume " + ctx->id + (schema.is_null() ? "" : " --input JSON");
    if (o.suspend) {
        log().info("Suspended; this program exits. Resume it within {} s with `{}`.",
                   seconds_text(o.timeout_s), how);
        throw detail::FlowSuspended{};
    }
    log().info("Paused; resume it within {} s with `{}`.", seconds_text(o.timeout_s), how);
    auto input = wait_for_resume(ctx, key, deadline, o.timeout_s);
    log().info("Resumed.");
    return input;
}

nlohmann::json pause_flow_run(double timeout_s) {
    return pause_flow_run(PauseOptions{timeout_s, false, std::nullopt});
}
nlohmann::json pause_flow_run(const RunInput& input, double timeout_s) {
    return pause_flow_run(PauseOptions{timeout_s, false, input});
}
nlohmann::json suspend_flow_run(double timeout_s) {
    return pause_flow_run(PauseOptions{timeout_s, true, std::nullopt});
}
nlohmann::json suspend_flow_run(const RunInput& input, double timeout_s) {
    return pause_flow_run(PauseOptions{timeout_s, true, input});
}

ResumeOutcome resume_flow_run(Engine& engine, const std::string& id,
                              const std::optional<nlohmann::json>& input, bool program_unseen) {
    return engine.store()
        .transact<ResumeOutcome>([&](Txn& txn) {
            ResumeOutcome out;
            auto run = txn.read().flow_run(id);
            if (!run) throw LookupError("Flow run not found: " + id);
            out.run = run;
            if (run->state.type != StateType::Paused) {
                out.reason =
                    "only a PAUSED flow run can be resumed; this one is "
                    + std::string(to_string(run->state.type))
                    + (is_resumable(run->state.type) ? " (weft flow-run retry runs it again)" : "");
                return out;
            }
            const bool suspended = is_suspended(run->state);
            const std::string key =
                run->state.details.is_object() ? run->state.details.value("pause_key", "") : "";
            auto pause = txn.read().pause(id, key);
            const Micros now = now_us();
            const auto deadline = pause_timeout(run->state);
            nlohmann::json value;
            // Past the deadline the input does not matter: the rules fail the run.
            if (!deadline || *deadline >= now) {
                if (pause && !pause->schema.is_null()) {
                    auto check = validate_run_input(pause->schema, input.value_or(nullptr));
                    if (!check.error.empty()) {
                        out.reason = "the input does not fit the pause's fields: " + check.error;
                        out.input_refused = true;
                        return out;
                    }
                    value = std::move(check.value);
                } else if (input && !input->is_null()) {
                    out.reason = "this pause takes no input";
                    out.input_refused = true;
                    return out;
                }
            }
            State next = suspended ? states::scheduled(now, "Resuming") : states::running();
            auto t = flow_run_transition(
                txn, id, Proposal{next, Origin::User},
                [&](RunFacts& f) {
                    f.resume_requested = true;
                    if (program_unseen) f.process_alive = true;
                },
                [](FlowRunRecord& r) {
                    // The suspended program has exited: nothing runs the run until it is
                    // started again (crash detection leaves runs without a process alone).
                    if (r.state.type == StateType::Scheduled) r.process = ProcessInfo{};
                });
            out.run = t.run;
            if (!t.outcome.accepted()) {
                out.reason = t.outcome.reason;
                if (t.outcome.state)
                    out.reason += " The run is " + t.outcome.state->name
                                  + " now: " + t.outcome.state->message;
                return out;
            }
            PauseRecord record = pause.value_or(PauseRecord{id, key, nullptr, nullptr, now, {}});
            record.input = std::move(value);
            record.resumed = now;
            txn.put_pause(record);
            out.accepted = true;
            out.start_program = suspended;
            return out;
        })
        .get();
}

nlohmann::json paused_input_schema(Engine& engine, const std::string& id) {
    return engine.store().read([&](Reader& r) -> nlohmann::json {
        auto run = r.flow_run(id);
        if (!run || run->state.type != StateType::Paused || !run->state.details.is_object())
            return nullptr;
        auto pause = r.pause(id, run->state.details.value("pause_key", ""));
        return pause ? pause->schema : nlohmann::json();
    });
}

} // namespace weft
