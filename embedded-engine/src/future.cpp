#include "weft/future.hpp"

#include "runtime_internal.hpp"

#include <cstdio>

namespace weft::detail {

void FutureCore::on_ready(std::function<void()> fn) {
    {
        std::scoped_lock lock(m_mutex);
        if (!m_done) {
            m_continuations.push_back(std::move(fn));
            return;
        }
    }
    fn();
}

void FutureCore::wait() const {
    if (done()) return;
    // On a task runner thread, the run this waits for may be queued behind it: the runner starts
    // a stand-in thread for the time it waits.
    BlockingScope blocking;
    std::unique_lock lock(m_mutex);
    m_cv.wait(lock, [&] { return m_done; });
}

bool FutureCore::wait_for(double seconds) const {
    if (done()) return true;
    BlockingScope blocking; // as wait()
    std::unique_lock lock(m_mutex);
    const auto limit = std::chrono::duration<double>(seconds < 0 ? 0 : seconds);
    return m_cv.wait_for(lock, limit, [&] { return m_done; });
}

bool FutureCore::done() const {
    std::scoped_lock lock(m_mutex);
    return m_done;
}

std::exception_ptr FutureCore::error() const {
    std::scoped_lock lock(m_mutex);
    return m_error;
}

State FutureCore::state() const {
    std::scoped_lock lock(m_mutex);
    return m_state;
}

void FutureCore::set_state(const State& state) {
    std::scoped_lock lock(m_mutex);
    m_state = state;
}

void FutureCore::finish(std::exception_ptr error) {
    std::vector<std::function<void()>> continuations;
    {
        std::scoped_lock lock(m_mutex);
        m_error = std::move(error);
        m_done = true;
        continuations.swap(m_continuations);
    }
    m_cv.notify_all();
    for (auto& fn : continuations)
        fn();
}

std::string message_of(const std::exception_ptr& e) {
    try {
        std::rethrow_exception(e);
    } catch (const std::exception& ex) {
        return ex.what();
    } catch (...) {
        return "an exception that is not a std::exception";
    }
}

FutureTimeout timeout_error(const FutureCore& core, double timeout_s) {
    char seconds[32];
    std::snprintf(seconds, sizeof seconds, "%g", timeout_s);
    return FutureTimeout("Task run " + core.task_run_id() + " did not finish within " + seconds
                         + " s; it goes on (it is " + core.state().name + ").");
}

CompletionQueue::CompletionQueue(double timeout_s)
    : m_timeout_s(timeout_s) {
    if (timeout_s >= 0)
        m_deadline = std::chrono::steady_clock::now()
                     + std::chrono::duration_cast<std::chrono::steady_clock::duration>(
                         std::chrono::duration<double>(timeout_s));
}

void CompletionQueue::push(std::size_t index) {
    {
        std::scoped_lock lock(m_mutex);
        m_ready.push_back(index);
    }
    m_cv.notify_all();
}

std::size_t CompletionQueue::pop() {
    std::unique_lock lock(m_mutex);
    const auto ready = [&] { return m_next < m_ready.size(); };
    if (!ready()) {
        lock.unlock();
        BlockingScope blocking; // as FutureCore::wait()
        lock.lock();
        const bool in_time =
            m_deadline ? m_cv.wait_until(lock, *m_deadline, ready) : (m_cv.wait(lock, ready), true);
        if (!in_time) {
            char seconds[32];
            std::snprintf(seconds, sizeof seconds, "%g", m_timeout_s);
            throw FutureTimeout(std::string("as_completed: not every run finished within ")
                                + seconds + " s; the others go on.");
        }
    }
    return m_ready[m_next++];
}

} // namespace weft::detail
