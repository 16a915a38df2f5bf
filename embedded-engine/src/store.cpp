// The backend-neutral Store: the queue, the writer thread, the pool of readers, the failure
// policy. The group commit itself is in store_writer.cpp; SQLite in sqlite/.
#include "weft/store.hpp"

#include "engine_log.hpp"
#include "sqlite/sqlite_store.hpp"
#include "store_schema.hpp"
#include "weft/store_backend.hpp"

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <spdlog/spdlog.h>
#include <thread>

namespace weft {

namespace fs = std::filesystem;

std::string default_db_path() {
    if (const char* db = std::getenv("WEFT_DB"); db && *db) return db;
    if (const char* home = std::getenv("WEFT_HOME"); home && *home)
        return (fs::path(home) / "weft.db").string();
    const char* home = std::getenv("HOME");
    return (fs::path(home && *home ? home : ".") / ".local/share/weft/weft.db").string();
}

int store_schema_version() {
    return int(schema::migrations().size());
}

namespace detail {

namespace {
std::string json_text(const nlohmann::json& j) {
    return j.is_null() ? std::string() : j.dump();
}
} // namespace

std::string TaskRunTexts::tags_text(const std::vector<std::string>& tags) {
    return tags.empty() ? std::string("[]") : nlohmann::json(tags).dump();
}

TaskRunTexts TaskRunTexts::of(const TaskRunRecord& run) {
    TaskRunTexts t;
    t.task_inputs = run.task_inputs.empty() ? std::string("{}") : run.task_inputs.dump();
    t.parameters = run.parameters.empty() ? std::string("{}") : run.parameters.dump();
    t.tags = tags_text(run.tags);
    if (run.has_result) t.result = json_text(run.result);
    t.details = json_text(run.state.details);
    return t;
}

TaskRunTexts TaskRunTexts::of(const TaskRunUpdate& u) {
    TaskRunTexts t;
    t.has_parameters = u.parameters.has_value();
    if (u.parameters)
        t.parameters = u.parameters->empty() ? std::string("{}") : u.parameters->dump();
    t.has_task_inputs = u.task_inputs.has_value();
    if (u.task_inputs)
        t.task_inputs = u.task_inputs->empty() ? std::string("{}") : u.task_inputs->dump();
    if (u.has_result) t.result = json_text(u.result);
    t.details = json_text(u.state.details);
    return t;
}

} // namespace detail

Store::Store(std::unique_ptr<StoreBackend> backend)
    : m_backend(std::move(backend))
    , m_path(m_backend->location())
    , m_read_only(m_backend->read_only()) {}

std::shared_ptr<Store> Store::open(const std::string& path, StoreOptions options) {
    return open(sqlite::open_backend(path, options));
}

std::shared_ptr<Store> Store::open(std::unique_ptr<StoreBackend> backend) {
    std::shared_ptr<Store> store(new Store(std::move(backend)));
    if (auto first = store->m_backend->take_first_reader())
        store->m_pool.push_back(std::move(first));
    if (store->m_read_only) return store;
    store->m_writer = store->m_backend->take_writer();
    store->m_thread = std::thread([s = store.get()] { s->writer_loop(); });
    return store;
}
std::string Store::read_only_message() const {
    return "weft: the database " + m_path
           + " is open read-only (this user may not write it): runs cannot be changed.";
}

Store::~Store() {
    close();
}

void Store::close() {
    {
        std::scoped_lock lock(m_queue_mutex);
        if (m_stopping) return;
        m_stopping = true; // the writer commits what is queued, then ends
    }
    m_queue_cv.notify_all();
    if (m_thread.joinable()) m_thread.join();
    m_writer.reset();
    std::scoped_lock lock(m_pool_mutex);
    m_pool.clear();
    m_closed = true;
}

bool Store::closed() const {
    std::scoped_lock lock(m_pool_mutex);
    return m_closed;
}

std::string Store::failure() const {
    std::scoped_lock lock(m_failure_mutex);
    return m_failure;
}

void Store::on_failure(std::function<void(const std::string&)> fn) {
    std::scoped_lock lock(m_failure_mutex);
    m_on_failure = std::move(fn);
}

std::string Store::stop_writing(const std::string& why) {
    std::function<void(const std::string&)> notify;
    std::string failure;
    {
        std::scoped_lock lock(m_failure_mutex);
        if (m_failure.empty()) {
            m_failure = why;
            notify = m_on_failure;
            m_failed = true;
            detail::engine_log().error("{} Nothing more is written to it.", why);
        }
        failure = m_failure;
    }
    if (notify) notify(failure);
    return failure;
}

void Store::read_failed(std::exception_ptr error) {
    auto explained = m_backend->explain(error);
    if (!explained) std::rethrow_exception(error);
    // Damaged data: writing more into it could spread the damage.
    if (m_backend->damaged(error)) stop_writing(explained->what());
    throw *explained;
}

std::unique_ptr<Reader> Store::open_reader() const {
    return m_backend->open_reader();
}

std::unique_ptr<Reader> Store::borrow_reader() {
    {
        std::scoped_lock lock(m_pool_mutex);
        if (!m_pool.empty()) {
            auto r = std::move(m_pool.back());
            m_pool.pop_back();
            return r;
        }
    }
    return open_reader();
}

void Store::return_reader(std::unique_ptr<Reader> r) {
    if (!r) return;
    std::scoped_lock lock(m_pool_mutex);
    if (!m_closed && m_pool.size() < 8) m_pool.push_back(std::move(r));
}

void Store::enqueue(Op op) {
    if (m_read_only) {
        refuse(std::move(op));
        return;
    }
    // Someone waits for a transaction function or a barrier: wake the writer now, even while it
    // gathers a group.
    const bool urgent =
        std::holds_alternative<TransactOp>(op) || std::holds_alternative<Barrier>(op);
    bool wake;
    {
        std::scoped_lock lock(m_queue_mutex);
        if (m_stopping) {
            // Closed: nothing will be committed. Whoever waits is told; plain writes are dropped.
            auto error =
                std::make_exception_ptr(StoreError("weft: the database " + m_path + " is closed"));
            if (auto* t = std::get_if<TransactOp>(&op)) t->fail(error);
            if (auto* b = std::get_if<Barrier>(&op)) b->done->set_exception(error);
            return;
        }
        wake = m_queue.empty() || urgent;
        m_urgent = m_urgent || urgent;
        m_queue.push_back(std::move(op));
    }
    if (wake) m_queue_cv.notify_one();
}

void Store::refuse(Op op) {
    if (auto* t = std::get_if<TransactOp>(&op)) {
        t->fail(std::make_exception_ptr(StoreError(read_only_message())));
    } else if (auto* b = std::get_if<Barrier>(&op)) {
        b->done->set_value();
    } else if (!m_refused_write.exchange(true)) {
        detail::engine_log().error("{}; writes are dropped.", read_only_message());
    }
}

void Store::put_flow_run(FlowRunRecord run, EventKind kind) {
    enqueue(PutFlowRun{std::move(run), kind});
}

void Store::put_task_run(TaskRunRecord run, EventKind kind) {
    auto texts = detail::TaskRunTexts::of(run);
    enqueue(PutTaskRun{std::move(run), kind, std::move(texts)});
}

void Store::update_task_run(TaskRunUpdate update) {
    auto texts = detail::TaskRunTexts::of(update);
    enqueue(UpdateTaskRun{std::move(update), std::move(texts)});
}

void Store::append_log(LogRecord line) {
    enqueue(AppendLog{std::move(line)});
}

void Store::heartbeat(std::string flow_run_id, Micros at) {
    enqueue(Heartbeat{std::move(flow_run_id), at});
}

void Store::flush() {
    auto done = std::make_shared<std::promise<void>>();
    auto f = done->get_future();
    enqueue(Barrier{done});
    f.get();
}

void Store::writer_loop() {
    using namespace std::chrono_literals;
    std::vector<Op> batch;
    for (;;) {
        {
            std::unique_lock lock(m_queue_mutex);
            m_queue_cv.wait(lock, [&] { return !m_queue.empty() || m_stopping; });
            if (m_queue.empty()) return; // stopping with nothing left
            // Gather a group for up to a millisecond unless someone waits: one commit then
            // covers many task runs, and a run created and finished within the group is written
            // once.
            m_queue_cv.wait_for(
                lock, 1ms, [&] { return m_urgent || m_stopping || m_queue.size() >= kGroupSize; });
            batch.swap(m_queue);
            m_urgent = false;
        }
        apply_batch(batch);
        batch.clear();
        // This buffer is the queue next time: room for a whole group spares the producers
        // reallocations that move every queued op (each several hundred bytes).
        batch.reserve(kGroupSize);
    }
}

} // namespace weft
