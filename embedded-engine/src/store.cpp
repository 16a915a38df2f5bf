// The backend-neutral Store: the queue, the writer thread, the pool of readers, the failure
// policy. The group commit itself is in store_writer.cpp; SQLite in sqlite/.
#include "weft/store.hpp"

#include "engine_log.hpp"
#include "sqlite/sqlite_store.hpp"
#include "store_queue.hpp"
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

std::string tags_text(const std::vector<std::string>& tags) {
    return tags.empty() ? std::string("[]") : nlohmann::json(tags).dump();
}

} // namespace detail

namespace {

constexpr std::size_t kKeepQueueBytes = 64 << 20;

// The calling thread's buffer for the texts of one task-run write: reused, so that queuing
// allocates nothing once it has grown. A rare huge text is not kept.
class ScratchTexts {
public:
    ScratchTexts()
        : m_text(buffer()) {
        m_text.clear();
    }
    ~ScratchTexts() {
        if (m_text.capacity() > kKeep) std::string().swap(m_text);
    }
    std::string& get() { return m_text; }

private:
    static constexpr std::size_t kKeep = 1 << 16;
    static std::string& buffer() {
        thread_local std::string text;
        return text;
    }
    std::string& m_text;
};

} // namespace

void Store::Queue::clear() {
    writes.clear();
    texts.clear();
    others.clear();
}

void Store::Queue::swap(Queue& other) noexcept {
    writes.swap(other.writes);
    texts.swap(other.texts);
    others.swap(other.others);
}

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

bool Store::remote() const {
    return m_backend->remote();
}

void Store::closing() {
    m_backend->closing();
}

void Store::close() {
    closing();
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
        detail::QueuedWrite write;
        write.at = m_queue.others.size();
        m_queue.others.push_back(std::move(op));
        m_queue.writes.push_back(write);
    }
    if (wake) m_queue_cv.notify_one();
}

void Store::enqueue(detail::QueuedWrite& write, std::string_view texts) {
    if (m_read_only) {
        if (!m_refused_write.exchange(true))
            detail::engine_log().error("{}; writes are dropped.", read_only_message());
        return;
    }
    bool wake;
    {
        // Only copies under the lock: the texts were made by the caller.
        std::scoped_lock lock(m_queue_mutex);
        if (m_stopping) return; // closed: plain writes are dropped
        wake = m_queue.empty();
        write.at = m_queue.texts.size();
        m_queue.texts.append(texts);
        m_queue.writes.push_back(write);
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

void Store::put_task_run(const TaskRunRecord& run, EventKind kind,
                         const nlohmann::json* parameters) {
    ScratchTexts texts;
    detail::QueuedWrite write;
    detail::encode_task_run(run, kind, parameters, write, texts.get());
    enqueue(write, texts.get());
}

void Store::update_task_run(const TaskRunUpdate& update) {
    ScratchTexts texts;
    detail::QueuedWrite write;
    detail::encode_update(update, write, texts.get());
    enqueue(write, texts.get());
}

void Store::update_task_run(const TaskRunRecord& run, bool with_parameters, bool with_task_inputs) {
    ScratchTexts texts;
    detail::QueuedWrite write;
    detail::encode_update(run, with_parameters ? &run.parameters : nullptr,
                          with_task_inputs ? &run.task_inputs : nullptr, write, texts.get());
    enqueue(write, texts.get());
}

void Store::append_log(LogRecord line) {
    enqueue(AppendLog{std::move(line)});
}

void Store::heartbeat(std::string flow_run_id, Micros at) {
    enqueue(Heartbeat{std::move(flow_run_id), at});
}

std::optional<Outcome> Store::propose_on_server(const std::string& task_run_id,
                                                const Proposal& proposal) {
    if (!remote()) return std::nullopt;
    // The run's creation and earlier states reach the server first; while the server is away
    // they do not, and the caller proposes again after the wait.
    if (!sync(std::chrono::seconds(1)))
        return Outcome{Decision::Wait, std::nullopt,
                       "Waiting for the server at " + path() + " to take earlier reports.", 1.0};
    return m_backend->propose_task_run_state(task_run_id, proposal);
}

bool Store::sync(std::chrono::milliseconds timeout) {
    flush();
    return m_backend->wait_delivered(timeout);
}

void Store::flush() {
    auto done = std::make_shared<std::promise<void>>();
    auto f = done->get_future();
    enqueue(Barrier{done});
    f.get();
}

void Store::writer_loop() {
    using namespace std::chrono_literals;
    Queue batch;
    for (;;) {
        {
            std::unique_lock lock(m_queue_mutex);
            m_queue_cv.wait(lock, [&] { return !m_queue.empty() || m_stopping; });
            if (m_queue.empty()) return; // stopping with nothing left
            // Gather a group for up to a millisecond unless someone waits: one commit then
            // covers many task runs, and a run created and finished within the group is written
            // once.
            m_queue_cv.wait_for(lock, 1ms, [&] {
                return m_urgent || m_stopping || m_queue.writes.size() >= kGroupSize;
            });
            // The producers get this thread's emptied buffers, grown to the size of earlier
            // groups: they rarely reallocate.
            batch.swap(m_queue);
            m_urgent = false;
        }
        apply_batch(batch);
        batch.clear();
        // A group with huge texts (big results) does not keep its memory for good.
        if (batch.texts.capacity() > kKeepQueueBytes) std::string().swap(batch.texts);
    }
}

} // namespace weft
