// One task run's life: reuse on resume, cache look-up, concurrency slots, attempts with retries and
// timeouts, hooks. State changes are decided in memory by the rules and queued to the store.
#include "runtime_internal.hpp"
#include "weft/log.hpp"

#include <mutex>
#include <unordered_map>
#include <xxhash.h>

namespace weft::detail {

namespace {

std::string inputs_hash(const std::string& task_key, const std::string& version,
                        const nlohmann::json& parameters) {
    const std::string material = task_key + '\n' + version + '\n' + parameters.dump();
    const XXH128_hash_t h = XXH3_128bits(material.data(), material.size());
    char buf[33];
    std::snprintf(buf, sizeof buf, "%016llx%016llx", static_cast<unsigned long long>(h.high64),
                  static_cast<unsigned long long>(h.low64));
    return buf;
}

// The inputs hash of a call whose parameters have no JSON form: it matches no call, so such a
// completed run is never taken for another call with inputs that merely look the same.
constexpr const char* kUnhashable = "unhashable";

// Task runs that completed with a cache key in this process, newest per key. The store commits
// asynchronously, so a look-up in the database alone misses a result a moment old (the same call
// twice in a row ran twice). Entries are needed only until the writer commits them.
class RecentResults {
public:
    void remember(const TaskRunRecord& run) {
        std::scoped_lock lock(m_mutex);
        const Micros now = now_us();
        if (m_entries.size() >= kMaxEntries)
            std::erase_if(m_entries, [&](const auto& e) { return now - e.second.added > kKeep; });
        m_entries.insert_or_assign(run.cache_key, Entry{run, now});
    }

    std::optional<TaskRunRecord> find(const std::string& cache_key, Micros now) {
        std::scoped_lock lock(m_mutex);
        auto it = m_entries.find(cache_key);
        if (it == m_entries.end()) return std::nullopt;
        const auto& expiration = it->second.run.cache_expiration;
        if (expiration && *expiration <= now) return std::nullopt;
        return it->second.run;
    }

private:
    struct Entry {
        TaskRunRecord run;
        Micros added;
    };
    static constexpr std::size_t kMaxEntries = 4096;
    static constexpr Micros kKeep = 10'000'000; // long committed by then
    std::mutex m_mutex;
    std::unordered_map<std::string, Entry> m_entries;
};

RecentResults& recent_results() {
    static RecentResults recent;
    return recent;
}

bool is_cancellation(const std::exception_ptr& e) {
    try {
        std::rethrow_exception(e);
    } catch (const Cancelled&) {
        return true;
    } catch (...) {
        return false;
    }
}

} // namespace

std::shared_ptr<TaskRun> TaskRun::begin(const std::shared_ptr<FlowRunContext>& flow,
                                        const std::string& task_key, const TaskOptions& options,
                                        nlohmann::json task_inputs, nlohmann::json parameters,
                                        bool is_subflow) {
    std::shared_ptr<TaskRun> run(new TaskRun(flow, options));
    run->m_is_subflow = is_subflow;
    // A task called from inside another task runs as its child (Prefect's __parents__), and is
    // numbered within it: the order in which parallel callers reach here changes between runs.
    const TaskRunContext* caller = current().task;
    if (caller)
        task_inputs["__parents__"] =
            nlohmann::json::array({{{"input_type", "task_run"}, {"id", caller->id}}});
    run->m_call_inputs = std::move(task_inputs);
    run->m_base_key = flow->next_dynamic_key(task_key, caller ? caller->name : std::string());
    if (auto prior = flow->prior(task_key, run->m_base_key, &run->m_prior_fork))
        run->m_prior = std::make_unique<TaskRunRecord>(std::move(*prior));
    if (run->m_prior) {
        // A resumed flow run: the call is the same task run as before.
        TaskRunRecord& r = run->m_run;
        r = *run->m_prior;
        run->m_resumes_child = is_subflow && !r.child_flow_run_id.empty();
        if (is_subflow && r.child_flow_run_id.empty()) r.child_flow_run_id = new_id();
        r.max_retries = options.retries;
        run->m_context = TaskRunContext{r.id, r.name, CancellationToken(), options.log_stdout};
    } else {
        run->create(task_key, run->m_base_key, std::move(parameters));
    }
    if (options.log_stdout) capture_stdout();
    return run;
}

void TaskRun::create(std::string task_key, std::string dynamic_key, nlohmann::json parameters) {
    TaskRunRecord& r = m_run;
    r = TaskRunRecord{};
    r.id = new_id();
    r.flow_run_id = m_flow->id;
    r.name = task_key + '-' + dynamic_key;
    r.task_key = std::move(task_key); // may have been r's own: copied before r was cleared
    r.dynamic_key = std::move(dynamic_key);
    r.state = states::pending();
    r.created = r.updated = r.expected_start_time = r.state.timestamp;
    r.max_retries = m_options.retries;
    r.tags = m_options.tags;
    if (m_is_subflow) r.child_flow_run_id = new_id();
    m_resumes_child = false;
    // A TaskRun creates at most one task run (here from begin, or from execute for a resumed
    // call that needs a run of its own), so the call's inputs can move into it.
    r.task_inputs = std::move(m_call_inputs);
    // The row takes the parameters; the run in memory gets the resolved ones later.
    engine().store().put_task_run(r, EventKind::TaskRunCreated, &parameters);
    m_parameters_sent = false;
    m_context = TaskRunContext{r.id, r.name, CancellationToken(), m_options.log_stdout};
}

TaskRun::~TaskRun() {
    join_straggler();
}

Outcome TaskRun::propose(State state, const std::function<void(RunFacts&)>& adjust, Origin origin,
                         bool force) {
    RunFacts facts;
    facts.kind = RunKind::Task;
    facts.current = m_run.state;
    facts.run_count = m_attempts;
    facts.max_retries = m_run.max_retries;
    facts.now = now_us();
    if (adjust) adjust(facts);
    Outcome outcome = orchestrate(facts, Proposal{std::move(state), origin, force});
    if (outcome.decision == Decision::Accept
        || (outcome.decision == Decision::Reject && outcome.state)) {
        enter_state(m_run, *outcome.state);
        if (auto future = m_future.lock()) future->set_state(m_run.state);
        engine().store().update_task_run(m_run, !m_parameters_sent, m_inputs_changed);
        m_parameters_sent = true;
        m_inputs_changed = false;
    }
    return outcome;
}

std::optional<State> TaskRun::cache_hit() {
    if (m_run.cache_key.empty()) return std::nullopt;
    auto found = recent_results().find(m_run.cache_key, now_us());
    if (!found)
        found = engine().store().read(
            [&](Reader& r) { return r.cached_task_run(m_run.cache_key, now_us()); });
    if (!found || found->id == m_run.id) return std::nullopt;
    State s = states::cached("Cached result of task run " + found->name + " (" + found->id + ")");
    s.data = found->result;
    s.details = {{"cache_key", m_run.cache_key}};
    return s;
}

std::optional<Outcome> TaskRun::start_on_server(const State& proposed) {
    Store& store = engine().store();
    if (!store.remote() || !Runtime::get().any_limited(m_options.tags)) return std::nullopt;
    // The server takes the limited tags' slots, as Prefect's does: it decides the start, and the
    // run takes the state it stored (its id and time), so that the report of it that follows is
    // known there as the same state.
    Outcome o = store.propose_on_server(m_run.id, Proposal{proposed, Origin::Program})
                    .value_or(Outcome{Decision::Abort, std::nullopt, "no server", 0});
    if ((o.decision == Decision::Accept || o.decision == Decision::Reject) && o.state)
        propose(*o.state, {}, Origin::Program, true);
    return o;
}

std::string TaskRun::wait_for_slots() {
    if (m_holds_slots || !Runtime::get().any_limited(m_options.tags)) return {};
    auto full = engine()
                    .store()
                    .transact<std::string>([&](Txn& txn) {
                        return txn.acquire_slots(m_options.tags, m_run.id, m_run.flow_run_id);
                    })
                    .get();
    if (full.empty()) {
        m_holds_slots = true;
        return {};
    }
    return "Concurrency limit for tag '" + full + "' is full.";
}

void TaskRun::release_slots() {
    if (!m_holds_slots) return;
    m_holds_slots = false;
    engine().store().transact<void>([id = m_run.id](Txn& txn) { txn.release_slots(id); });
}

void TaskRun::run_hooks() {
    // Chosen by the state the run ended in: a cancelled run is not a failed one (as in Prefect 3,
    // and as for flow runs).
    const std::vector<std::function<void(const TaskRunRecord&)>>* hooks = nullptr;
    const char* kind = "";
    switch (m_run.state.type) {
    case StateType::Completed:
        hooks = &m_options.on_completion;
        kind = "completion";
        break;
    case StateType::Failed:
        hooks = &m_options.on_failure;
        kind = "failure";
        break;
    case StateType::Cancelled:
        hooks = &m_options.on_cancellation;
        kind = "cancellation";
        break;
    default:
        return;
    }
    for (const auto& hook : *hooks) {
        try {
            hook(m_run);
        } catch (const std::exception& e) {
            log().error("A {} hook failed: {}", kind, e.what());
        }
    }
}

void TaskRun::add_data_edges() {
    if (!m_run.parameters.is_object()) return;
    if (!m_run.task_inputs.is_object()) m_run.task_inputs = nlohmann::json::object();
    for (const auto& [name, value] : m_run.parameters.items()) {
        std::vector<std::string> producers = m_flow->producers_of(value);
        if (value.is_array())
            for (const auto& element : value)
                for (auto& id : m_flow->producers_of(element))
                    producers.push_back(std::move(id));
        if (producers.empty()) continue;
        auto& refs = m_run.task_inputs[name];
        if (!refs.is_array()) refs = nlohmann::json::array();
        for (const auto& id : producers) {
            const bool known =
                std::any_of(refs.begin(), refs.end(),
                            [&](const nlohmann::json& ref) { return ref.value("id", "") == id; });
            if (known || id == m_run.id) continue;
            refs.push_back({{"input_type", "task_run"}, {"id", id}});
            m_inputs_changed = true;
        }
    }
}

void TaskRun::join_straggler() {
    if (!m_straggler.joinable()) return;
    BlockingScope blocking; // it may wait for runs it submitted
    m_straggler.join();
}

std::optional<nlohmann::json> TaskRun::run_attempt(const std::function<nlohmann::json()>& attempt,
                                                   Failure& failure) {
    failure = Failure{};
    failure.attempt = m_attempts;
    m_context.token = CancellationToken();
    if (m_options.timeout_s <= 0) {
        ContextScope scope(m_flow, &m_context);
        std::optional<nlohmann::json> value;
        try {
            value = attempt();
        } catch (...) {
            failure.error = std::current_exception();
            failure.message = message_of(failure.error);
        }
        end_printed_line(); // while this run is still the thread's
        return value;
    }
    // With a timeout the attempt runs on its own thread so the deadline is recorded on time. A
    // thread cannot be killed: the attempt's token is cancelled, and the call goes on once the
    // function returns.
    struct Shared {
        std::mutex mutex;
        std::condition_variable cv;
        bool done = false;
        std::optional<nlohmann::json> value;
        std::exception_ptr error;
    };
    auto shared = std::make_shared<Shared>();
    join_straggler();
    m_straggler = std::thread([this, shared, &attempt] {
        ContextScope scope(m_flow, &m_context);
        std::optional<nlohmann::json> value;
        std::exception_ptr error;
        try {
            value = attempt();
        } catch (...) {
            error = std::current_exception();
        }
        end_printed_line();
        std::scoped_lock lock(shared->mutex);
        shared->value = std::move(value);
        shared->error = error;
        shared->done = true;
        shared->cv.notify_all();
    });
    bool finished = false;
    {
        // The attempt may wait for runs it submits: this thread's runner gets a stand-in.
        BlockingScope blocking;
        std::unique_lock lock(shared->mutex);
        finished = shared->cv.wait_for(
            lock, std::chrono::microseconds(std::int64_t(m_options.timeout_s * 1e6)),
            [&] { return shared->done; });
    }
    if (!finished) {
        m_context.token.cancel();
        failure.timed_out = true;
        failure.message =
            "Task run exceeded its timeout of " + std::to_string(m_options.timeout_s) + " s.";
        return std::nullopt;
    }
    join_straggler();
    if (shared->error) {
        failure.error = shared->error;
        failure.message = message_of(shared->error);
        return std::nullopt;
    }
    return std::move(shared->value);
}

void TaskRun::watch(const std::shared_ptr<FutureCore>& future) {
    m_future = future;
    future->set_state(m_run.state);
}

std::exception_ptr TaskRun::not_started(const std::exception_ptr& upstream_error,
                                        const std::string& upstream_task_run_id) {
    if (!upstream_error || is_cancellation(upstream_error)) {
        State s = states::cancelled(upstream_error ? "An upstream task run was cancelled."
                                                   : "The flow run was cancelled before this "
                                                     "task run started.");
        if (!is_terminal(m_run.state.type)) propose(s);
        return std::make_exception_ptr(Cancelled(s.message));
    }
    // As Prefect 3: the run is not failed, it was never ready. It stays PENDING (named NotReady),
    // its hooks do not run, and it fails its flow run only if the flow's code lets it through.
    std::string why;
    try {
        std::rethrow_exception(upstream_error);
    } catch (const TaskRunFailed& e) {
        why = e.state.name + (e.state.message.empty() ? "" : ": " + e.state.message);
    } catch (...) {
        why = message_of(upstream_error);
    }
    State s = make_state(StateType::Pending, "NotReady",
                         "Not started: upstream task run " + upstream_task_run_id
                             + " did not complete (" + why + ").");
    // PENDING to PENDING is refused by the rules; Prefect forces the rename the same way.
    if (!is_terminal(m_run.state.type))
        propose(s, {}, Origin::Program, m_run.state.type == StateType::Pending);
    return std::make_exception_ptr(UpstreamNotReady(m_run.id, m_run.state, upstream_task_run_id));
}

bool TaskRun::can_reuse(const TaskRunRecord& prior, const Call& call,
                        const std::string& hash) const {
    if (prior.state.type != StateType::Completed || m_flow->must_rerun(prior.id)) return false;
    // No hash: marked Completed by a person before it ever ran, which stands for any inputs.
    if (!prior.inputs_hash.empty() && prior.inputs_hash != hash) return false;
    switch (call.reuse) {
    case Reuse::Always:
        return true;
    case Reuse::WithStoredResult:
        return prior.has_result;
    case Reuse::Never:
        return false;
    }
    return false;
}

TaskRun::Result TaskRun::execute(Call call, const std::function<nlohmann::json()>& attempt) {
    TaskRunRecord& r = m_run;
    // Parameters without a JSON form all look alike: their hash would make different calls equal.
    const std::string hash =
        call.keyable ? inputs_hash(r.task_key, m_options.version, call.parameters) : std::string();

    // Resuming: a call that completed before with the same inputs is not run again.
    if (m_prior && can_reuse(*m_prior, call, hash)) {
        r.parameters = std::move(call.parameters);
        m_flow->note_result(m_prior->result, r.id);
        return Result{false, m_prior->result};
    }
    if (m_prior && m_prior->state.type == StateType::Completed && !m_flow->must_rerun(r.id)) {
        // It cannot stand for this call (other inputs, or no value to give back). A completed
        // run is never rewritten: the call gets a task run of its own.
        create(r.task_key, FlowRunContext::fork_key(m_base_key, m_prior_fork + 1), call.parameters);
        m_prior.reset();
    }
    r.parameters = std::move(call.parameters);
    add_data_edges();
    if (m_flow->token.cancelled()) std::rethrow_exception(not_started(nullptr));
    // Only a person's request (resume from this task run) runs a completed run again.
    if (r.state.type == StateType::Completed)
        propose(states::awaiting_retry(now_us(), "Runs again in a resumed flow run."), {},
                Origin::User);
    r.inputs_hash = call.keyable ? hash : kUnhashable;
    if (m_options.cache) {
        if (call.keyable || !m_options.cache->uses_inputs()) {
            nlohmann::json flow_params = m_flow->run.parameters;
            r.cache_key =
                m_options.cache->compute(r.task_key, r.parameters, flow_params, m_flow->id);
        } else {
            // As Prefect does when inputs cannot be hashed: this call is not cached.
            ContextScope scope(m_flow, &m_context);
            log().warn("Not caching {}: a parameter has no JSON form, so its inputs cannot be "
                       "told apart.",
                       r.name);
        }
    }

    bool retry_waited = false; // this call waited out a retry delay itself
    for (;;) {
        if (m_flow->token.cancelled()) {
            release_slots();
            auto error = not_started(nullptr);
            if (m_attempts > 0) run_hooks(); // cancelled while waiting to retry: it did start
            std::rethrow_exception(error);
        }
        // The cache first: a cached result needs no concurrency slot.
        const std::optional<State> cached = cache_hit();
        const State proposed =
            m_attempts > 0 || r.run_count > 0 ? states::retrying() : states::running();
        const std::optional<Outcome> on_server = cached ? std::nullopt : start_on_server(proposed);
        const std::string slots_full = cached || on_server ? std::string() : wait_for_slots();
        const Outcome start = on_server ? *on_server : propose(proposed, [&](RunFacts& f) {
            f.cached = cached;
            f.concurrency_wait = slots_full;
            // The delay is over by the monotonic clock: a system clock set back
            // meanwhile must not make the rules wait for the scheduled time again.
            if (auto at = r.state.scheduled_time(); at && retry_waited)
                f.now = std::max(f.now, *at);
        });
        if (start.decision == Decision::Wait) {
            sleep_unless_cancelled(std::min(start.delay_s, 1.0), m_flow->token);
            continue;
        }
        if (start.decision == Decision::Reject && r.state.type == StateType::Completed) {
            release_slots();
            run_hooks();
            m_flow->note_result(r.result, r.id);
            return Result{false, r.result};
        }
        if (start.decision != Decision::Accept)
            throw TaskRunFailed(r.id, start.state.value_or(r.state), r.name);

        ++m_attempts;
        Failure failure;
        std::optional<nlohmann::json> value = run_attempt(attempt, failure);
        if (value) {
            join_straggler();
            State done = states::completed();
            const bool persist =
                m_options.persist_result && (!value->is_null() || call.void_result);
            if (persist) done.data = *value;
            // A void function's null is its whole result: stored, so the cache can find it.
            if (persist && call.void_result) {
                r.result = nullptr;
                r.has_result = true;
            }
            if (!r.cache_key.empty() && m_options.cache_expiration_s)
                r.cache_expiration = now_us() + from_seconds(*m_options.cache_expiration_s);
            // As Prefect's: the state names the key its result is cached under, so that a
            // server keeps it with the run for other programs to find.
            if (!r.cache_key.empty() && persist) {
                done.details = {{"cache_key", r.cache_key}};
                if (r.cache_expiration)
                    done.details["cache_expiration"] = to_iso(*r.cache_expiration);
            }
            propose(done);
            if (!persist) {
                r.result = nullptr;
                r.has_result = false;
            }
            if (!r.cache_key.empty() && r.has_result && r.state.type == StateType::Completed)
                recent_results().remember(r);
            release_slots();
            run_hooks();
            m_flow->note_result(*value, r.id);
            return Result{true, std::move(*value)};
        }
        if (failure.error && is_cancellation(failure.error)) {
            join_straggler();
            propose(states::cancelled(failure.message));
            release_slots();
            run_hooks();
            std::rethrow_exception(failure.error);
        }
        bool retry_wanted = true;
        if (m_options.retry_if) {
            try {
                retry_wanted = m_options.retry_if(failure);
            } catch (const std::exception& e) {
                retry_wanted = false;
                log().error("The retry condition of {} failed: {}", r.name, e.what());
            }
        }
        const double delay = m_options.retry_delay(m_attempts);
        const Outcome end = propose(failure.timed_out ? states::timed_out(failure.message)
                                                      : states::failed(failure.message),
                                    [&](RunFacts& f) {
                                        f.retry_condition = retry_wanted;
                                        f.retry_delay_s = delay;
                                    });
        {
            ContextScope scope(m_flow, &m_context);
            if (r.state.type == StateType::Scheduled)
                log().warn("Attempt {} failed: {}; retrying in {:.3g} s.", m_attempts,
                           failure.message, delay);
            else
                log().error("Task run failed: {}", failure.message);
        }
        join_straggler();
        if (end.decision == Decision::Reject && r.state.type == StateType::Scheduled) {
            // Waited on the monotonic clock, and never longer than the policy's delay: the stored
            // scheduled time is wall-clock time, which a clock step can move away.
            const auto at = r.state.scheduled_time().value_or(now_us());
            const Micros wait =
                std::clamp<Micros>(at - now_us(), 0, from_seconds(std::max(0.0, delay)));
            sleep_unless_cancelled(to_seconds(wait), m_flow->token);
            retry_waited = true;
            continue;
        }
        release_slots();
        run_hooks();
        throw TaskRunFailed(r.id, r.state, r.name);
    }
}

} // namespace weft::detail
