#include "runtime_internal.hpp"

#include "weft/log.hpp"

#include <array>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <random>
#include <spdlog/spdlog.h>
#include <unistd.h>

namespace weft::detail {

// ---- contexts ----

std::string FlowRunContext::next_dynamic_key(const std::string& task_key) {
    std::scoped_lock lock(m_mutex);
    return std::to_string(m_calls[task_key]++);
}

std::optional<TaskRunRecord> FlowRunContext::prior(const std::string& task_key,
                                                   const std::string& dynamic_key) {
    auto it = prior_runs.find(task_key + '#' + dynamic_key);
    if (it == prior_runs.end()) return std::nullopt;
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
        if (m_path.empty()) m_path = default_db_path();
        m_engine = Engine::open(m_path);
        m_stopping = false;
        m_watcher = std::thread([this] { watch_loop(); });
    }
    return *m_engine;
}

// ---- task runner ----

TaskRunner::TaskRunner(std::size_t threads) {
    for (std::size_t i = 0; i < std::max<std::size_t>(1, threads); ++i)
        m_threads.emplace_back([this] { work(); });
}

TaskRunner::~TaskRunner() {
    {
        std::scoped_lock lock(m_mutex);
        m_stopping = true;
    }
    m_cv.notify_all();
    for (auto& t : m_threads)
        t.join();
}

void TaskRunner::submit(std::function<void()> fn) {
    {
        std::scoped_lock lock(m_mutex);
        m_queue.push_back(std::move(fn));
    }
    m_cv.notify_one();
}

void TaskRunner::work() {
    for (;;) {
        std::function<void()> fn;
        {
            std::unique_lock lock(m_mutex);
            m_cv.wait(lock, [&] { return m_stopping || !m_queue.empty(); });
            if (m_queue.empty()) return; // stopping, and nothing left to run
            fn = std::move(m_queue.front());
            m_queue.pop_front();
        }
        try {
            fn();
        } catch (const std::exception& e) { // the SDK's work catches its own; this is a backstop
            spdlog::error("weft: work on the task runner failed: {}", e.what());
        } catch (...) {
            spdlog::error("weft: work on the task runner failed");
        }
    }
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
            m_pool = std::make_unique<TaskRunner>(threads);
        }
        pool = m_pool.get();
    }
    pool->submit(std::move(fn));
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
    const auto now = now_us();
    if (now - m_limits_read > 2'000'000) {
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

void Runtime::watch_loop() {
    using namespace std::chrono_literals;
    std::unique_ptr<Reader> reader;
    Micros last_heartbeat = now_us();
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
            const auto now = now_us();
            const bool beat = now - last_heartbeat > 5'000'000;
            if (beat) last_heartbeat = now;
            for (auto& f : flows) {
                auto stored = reader->flow_run(f->id);
                const bool asked_to_stop = stored
                                           && (stored->state.type == StateType::Cancelling
                                               || stored->state.type == StateType::Cancelled);
                auto parent = f->parent.lock();
                if (asked_to_stop || (parent && parent->token.cancelled())) f->token.cancel();
                if (f->deadline && now > f->deadline && !f->timed_out.exchange(true))
                    f->token.cancel();
                if (beat) m_engine->store().heartbeat(f->id, now);
            }
        } catch (const std::exception& e) {
            spdlog::warn("weft: watching flow runs failed: {}", e.what());
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
    if (engine) {
        try {
            engine->store().flush();
        } catch (const std::exception& e) {
            spdlog::error("weft: could not commit the last writes: {}", e.what());
        }
    }
}

// ---- free functions ----

void submit_to_pool(std::function<void()> fn) {
    Runtime::get().submit(std::move(fn));
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
    LaunchInfo info;
    std::error_code ec;
    info.program = std::filesystem::read_symlink("/proc/self/exe", ec).string();
    info.working_dir = std::filesystem::current_path(ec).string();
    return info;
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
