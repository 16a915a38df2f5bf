#include "runtime_internal.hpp"

#include "engine_log.hpp"

#include "weft/http_store.hpp"
#include "weft/launcher.hpp"
#include "weft/log.hpp"

#include <algorithm>
#include <array>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <random>
#include <spdlog/spdlog.h>
#include <unistd.h>

namespace weft::detail {

// ---- contexts ----

std::string FlowRunContext::next_dynamic_key(const std::string& task_key,
                                             const std::string& caller) {
    std::scoped_lock lock(m_mutex);
    const std::string n = std::to_string(m_calls[caller + '\n' + task_key]++);
    return caller.empty() ? n : n + '@' + caller;
}

std::string FlowRunContext::fork_key(const std::string& dynamic_key, int n) {
    // The mark goes before the caller, so that it cannot be read as part of the caller's name.
    const auto at = dynamic_key.find('@');
    const std::string mark = '~' + std::to_string(n);
    if (at == std::string::npos) return dynamic_key + mark;
    return dynamic_key.substr(0, at) + mark + dynamic_key.substr(at);
}

std::optional<TaskRunRecord> FlowRunContext::prior(const std::string& task_key,
                                                   const std::string& dynamic_key, int* fork) {
    auto it = prior_runs.find(task_key + '#' + dynamic_key);
    if (it == prior_runs.end()) return std::nullopt;
    int n = 0;
    for (;;) {
        auto next = prior_runs.find(task_key + '#' + fork_key(dynamic_key, n + 1));
        if (next == prior_runs.end()) break;
        it = next;
        ++n;
    }
    if (fork) *fork = n;
    return it->second;
}

void FlowRunContext::track(std::shared_ptr<FutureCore> future) {
    std::scoped_lock lock(m_mutex);
    m_tracked.push_back(std::move(future));
}

std::vector<std::shared_ptr<FutureCore>> FlowRunContext::tracked() {
    std::scoped_lock lock(m_mutex);
    return m_tracked;
}

namespace {
// Numbers, booleans and short strings recur everywhere: they would make false edges.
bool distinctive(const nlohmann::json& v) {
    if (v.is_string()) return v.get_ref<const std::string&>().size() >= 8;
    return (v.is_array() || v.is_object()) && !v.empty();
}
} // namespace

void FlowRunContext::note_result(const nlohmann::json& value, const std::string& task_run_id) {
    if (!distinctive(value)) return;
    const std::size_t key = std::hash<std::string>{}(value.dump());
    std::scoped_lock lock(m_mutex);
    m_producers.emplace(key, task_run_id); // the first producer of a value keeps it
}

std::vector<std::string> FlowRunContext::producers_of(const nlohmann::json& value) {
    if (!distinctive(value)) return {};
    const std::size_t key = std::hash<std::string>{}(value.dump());
    std::scoped_lock lock(m_mutex);
    if (m_producers.empty()) return {};
    auto it = m_producers.find(key);
    if (it == m_producers.end()) return {};
    return {it->second};
}

void FlowRunContext::restart(std::vector<TaskRunRecord> earlier_runs) {
    std::scoped_lock lock(m_mutex);
    m_calls.clear();
    m_tracked.clear();
    prior_runs.clear();
    m_producers.clear();
    for (auto& r : earlier_runs) {
        std::string key = r.task_key + '#' + r.dynamic_key;
        prior_runs.emplace(std::move(key), std::move(r));
    }
}

Current& current() {
    thread_local Current c;
    return c;
}

ContextScope::ContextScope(std::shared_ptr<FlowRunContext> flow, const TaskRunContext* task)
    : m_saved(current()) {
    current() = Current{std::move(flow), task};
}

ContextScope::~ContextScope() {
    current() = std::move(m_saved);
}

const TaskOptions& subflow_task_options() {
    static const TaskOptions options;
    return options;
}

// ---- runtime ----

Runtime& Runtime::get() {
    // Never destroyed: pool threads and detached work may still use it while the process exits.
    static Runtime* runtime = [] {
        auto* r = new Runtime();
        std::atexit([] { Runtime::get().shutdown(); });
        return r;
    }();
    return *runtime;
}

void Runtime::configure(std::string path) {
    std::scoped_lock lock(m_mutex);
    m_path = std::move(path);
}

Engine& Runtime::engine() {
    std::scoped_lock lock(m_mutex);
    if (!m_engine) {
        // A database asked for by name (--db, configure_database) wins over WEFT_API_URL, as
        // for the weft command line.
        auto api = m_path.empty() ? ApiSettings::from_environment() : std::nullopt;
        if (api) {
            // Reports go to the server (weft/http_store.hpp); no local database is opened.
            m_engine = std::make_shared<Engine>(Store::open(open_http_backend(*api)));
        } else {
            if (m_path.empty()) m_path = default_db_path();
            m_engine = Engine::open(m_path);
        }
        m_engine->store().on_failure([this](const std::string&) { stop_all_flow_runs(); });
        m_stopping = false;
        m_watcher = std::thread([this] { watch_loop(); });
    }
    return *m_engine;
}

// ---- task runner ----

namespace {
thread_local TaskRunner* t_runner = nullptr; // the runner a thread belongs to
}

TaskRunner::TaskRunner(std::size_t threads)
    : m_size(std::max<std::size_t>(1, threads)) {
    std::scoped_lock lock(m_mutex);
    for (std::size_t i = 0; i < m_size; ++i)
        start_thread();
}

TaskRunner::~TaskRunner() {
    {
        std::scoped_lock lock(m_mutex);
        m_stopping = true;
    }
    m_cv.notify_all();
    // Waiting threads may still start stand-ins while the queue drains: join until none is left.
    for (;;) {
        std::vector<std::thread> threads;
        {
            std::scoped_lock lock(m_mutex);
            threads.swap(m_threads);
            m_ended.clear();
        }
        if (threads.empty()) break;
        for (auto& t : threads)
            t.join();
    }
}

TaskRunner* TaskRunner::of_this_thread() {
    return t_runner;
}

void TaskRunner::start_thread() {
    // Threads that ended are joined here, so a long-lived runner does not collect them. They
    // ended without taking the lock again, so joining under it cannot wait on us.
    for (const auto& id : m_ended)
        if (auto it = std::find_if(m_threads.begin(), m_threads.end(),
                                   [&](const std::thread& t) { return t.get_id() == id; });
            it != m_threads.end()) {
            it->join();
            m_threads.erase(it);
        }
    m_ended.clear();
    try {
        m_threads.emplace_back([this] { work(); });
        ++m_live;
    } catch (const std::system_error& e) {
        spdlog::error("weft: could not start a task runner thread: {}", e.what());
    }
}

void TaskRunner::set_blocked(bool blocked) {
    std::scoped_lock lock(m_mutex);
    if (blocked) {
        ++m_blocked;
        if (m_live - m_blocked < m_size) start_thread();
    } else {
        --m_blocked;
        if (surplus()) m_cv.notify_all(); // one thread too many now: an idle one ends
    }
}

void TaskRunner::submit(std::function<void()> fn) {
    {
        std::scoped_lock lock(m_mutex);
        m_queue.push_back(std::move(fn));
    }
    m_cv.notify_one();
}

void TaskRunner::work() {
    t_runner = this;
    std::unique_lock lock(m_mutex);
    for (;;) {
        m_cv.wait(lock, [&] { return m_stopping || !m_queue.empty() || surplus(); });
        if (surplus() || m_queue.empty()) { // a waiting thread went on, or stopping and done
            --m_live;
            m_ended.push_back(std::this_thread::get_id());
            if (!m_queue.empty()) m_cv.notify_one(); // the work this thread leaves is another's
            return;
        }
        std::function<void()> fn = std::move(m_queue.front());
        m_queue.pop_front();
        lock.unlock();
        try {
            fn();
        } catch (const std::exception& e) { // the SDK's work catches its own; this is a backstop
            engine_log().error("weft: work on the task runner failed: {}", e.what());
        } catch (...) {
            engine_log().error("weft: work on the task runner failed");
        }
        fn = nullptr; // what it holds goes before the lock is taken again
        lock.lock();
    }
}

BlockingScope::BlockingScope()
    : m_runner(TaskRunner::of_this_thread()) {
    if (m_runner) m_runner->set_blocked(true);
}

BlockingScope::~BlockingScope() {
    if (m_runner) m_runner->set_blocked(false);
}

void Runtime::submit(std::function<void()> fn) {
    TaskRunner* pool;
    {
        std::scoped_lock lock(m_mutex);
        if (!m_pool) {
            std::size_t threads = std::max(2u, std::thread::hardware_concurrency());
            if (const char* env = std::getenv("WEFT_TASK_RUNNER_THREADS");
                env && std::atoi(env) > 0)
                threads = std::size_t(std::atoi(env));
            if (m_pool_size > 0) threads = m_pool_size;
            m_pool = std::make_unique<TaskRunner>(threads);
        }
        pool = m_pool.get();
    }
    pool->submit(std::move(fn));
}

void Runtime::set_pool_size(std::size_t threads) {
    std::unique_ptr<TaskRunner> old;
    {
        std::scoped_lock lock(m_mutex);
        m_pool_size = threads;
        old = std::move(m_pool); // the next submit starts a pool of the new size
    }
    old.reset(); // outside the lock: its work may submit more
}

void Runtime::watch(const std::shared_ptr<FlowRunContext>& flow) {
    std::scoped_lock lock(m_watch_mutex);
    m_watched.push_back(flow);
}

void Runtime::unwatch(const FlowRunContext* flow) {
    std::scoped_lock lock(m_watch_mutex);
    std::erase_if(m_watched, [&](const auto& w) {
        auto p = w.lock();
        return !p || p.get() == flow;
    });
}

std::vector<std::shared_ptr<FlowRunContext>> Runtime::watched() {
    std::scoped_lock lock(m_watch_mutex);
    std::vector<std::shared_ptr<FlowRunContext>> out;
    for (const auto& w : m_watched)
        if (auto f = w.lock()) out.push_back(std::move(f));
    return out;
}

std::shared_ptr<Engine> Runtime::engine_if_open() {
    std::scoped_lock lock(m_mutex);
    return m_engine;
}

std::string Runtime::flow_id(const std::string& name, const std::vector<std::string>& tags) {
    {
        std::scoped_lock lock(m_mutex);
        if (auto it = m_flow_ids.find(name); it != m_flow_ids.end()) return it->second;
    }
    auto id = engine()
                  .store()
                  .transact<std::string>([&](Txn& txn) {
                      if (auto existing = txn.read().flow_by_name(name)) return existing->id;
                      FlowRecord flow{new_id(), name, now_us(), tags};
                      txn.put_flow(flow);
                      return flow.id;
                  })
                  .get();
    std::scoped_lock lock(m_mutex);
    m_flow_ids[name] = id;
    return id;
}

bool Runtime::any_limited(const std::vector<std::string>& tags) {
    if (tags.empty()) return false;
    std::scoped_lock lock(m_limits_mutex);
    const auto now = std::chrono::steady_clock::now(); // a clock step must not stop the refresh
    if (!m_limits_read || now - *m_limits_read > std::chrono::seconds(2)) {
        auto limits = engine().store().read([](Reader& r) { return r.concurrency_limits(); });
        m_limited_tags.clear();
        for (auto& l : limits)
            m_limited_tags.insert(l.tag);
        m_limits_read = now;
    }
    for (const auto& t : tags)
        if (m_limited_tags.count(t)) return true;
    return false;
}

void Runtime::stop_all_flow_runs() {
    // Nothing they do can be recorded any more: no new task run starts, and each flow run ends
    // FAILED with the store's reason (run_flow).
    std::scoped_lock lock(m_watch_mutex);
    for (auto& w : m_watched)
        if (auto f = w.lock()) f->token.cancel();
}

void Runtime::watch_loop() {
    using namespace std::chrono_literals;
    std::unique_ptr<Reader> reader;
    // Intervals and deadlines on the monotonic clock; the heartbeat stored is wall-clock time.
    auto last_heartbeat = std::chrono::steady_clock::now();
    std::unique_lock lock(m_watch_mutex);
    while (!m_stopping) {
        m_watch_cv.wait_for(lock, 200ms);
        if (m_stopping) break;
        std::vector<std::shared_ptr<FlowRunContext>> flows;
        for (auto& w : m_watched)
            if (auto f = w.lock()) flows.push_back(std::move(f));
        lock.unlock();
        try {
            if (!reader) reader = m_engine->store().open_reader();
            const auto now = std::chrono::steady_clock::now();
            const bool beat = now - last_heartbeat > 5s;
            if (beat) last_heartbeat = now;
            for (auto& f : flows) {
                auto stored = reader->flow_run(f->id);
                const bool asked_to_stop = stored
                                           && (stored->state.type == StateType::Cancelling
                                               || stored->state.type == StateType::Cancelled);
                auto parent = f->parent.lock();
                if (asked_to_stop || (parent && parent->token.cancelled())) f->token.cancel();
                if (f->deadline && now > *f->deadline && !f->timed_out.exchange(true))
                    f->token.cancel();
                if (beat) m_engine->store().heartbeat(f->id, now_us());
            }
        } catch (const std::exception& e) {
            engine_log().warn("weft: watching flow runs failed: {}", e.what());
            reader.reset();
        }
        lock.lock();
    }
}

void Runtime::shutdown() {
    {
        std::scoped_lock lock(m_watch_mutex);
        m_stopping = true;
    }
    m_watch_cv.notify_all();
    if (m_watcher.joinable()) m_watcher.join();
    std::unique_ptr<TaskRunner> pool;
    {
        std::scoped_lock lock(m_mutex);
        pool = std::move(m_pool);
    }
    pool.reset(); // runs what is queued, then joins
    std::shared_ptr<Engine> engine;
    {
        std::scoped_lock lock(m_mutex);
        engine = m_engine;
    }
    if (engine && !engine->store().closed()) {
        engine->store().closing(); // a server that is away is waited for only so long
        try {
            engine->store().flush();
        } catch (const std::exception& e) {
            if (engine->store().failure().empty()) // else reported when it happened
                engine_log().error("weft: could not commit the last writes: {}", e.what());
        }
        // The last connection closing checkpoints the log and removes the -wal and -shm files.
        // The engine itself stays: threads that outlive main may still use it.
        engine->store().close();
    }
}

// ---- free functions ----

void submit_to_pool(std::function<void()> fn) {
    Runtime::get().submit(std::move(fn));
}
void configure_task_runner(std::size_t threads) {
    Runtime::get().set_pool_size(threads);
}
Engine& engine() {
    return Runtime::get().engine();
}
void configure_database(std::string path) {
    Runtime::get().configure(std::move(path));
}
void flush() {
    Runtime::get().engine().store().flush();
}

bool sleep_unless_cancelled(double seconds, const CancellationToken& token) {
    const auto until =
        std::chrono::steady_clock::now() + std::chrono::microseconds(std::int64_t(seconds * 1e6));
    while (std::chrono::steady_clock::now() < until) {
        if (token.cancelled()) return false;
        const auto left = until - std::chrono::steady_clock::now();
        std::this_thread::sleep_for(
            std::min<std::chrono::steady_clock::duration>(left, std::chrono::milliseconds(50)));
    }
    return !token.cancelled();
}

LaunchInfo this_launch() {
    return current_launch();
}

} // namespace weft::detail

namespace weft {

CancellationToken cancellation_token() {
    auto& c = detail::current();
    if (c.task) return c.task->token;
    if (c.flow) return c.flow->token;
    return CancellationToken();
}

bool cancelled() {
    auto& c = detail::current();
    return (c.task && c.task->token.cancelled()) || (c.flow && c.flow->token.cancelled());
}

void check_cancelled() {
    if (cancelled()) throw Cancelled("The run was cancelled.");
}

std::string current_flow_run_id() {
    auto& c = detail::current();
    return c.flow ? c.flow->id : std::string();
}

std::string current_task_run_id() {
    auto& c = detail::current();
    return c.task ? c.task->id : std::string();
}

} // namespace weft
