#include "weft/future.hpp"

#include "runtime_internal.hpp"

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

bool FutureCore::done() const {
    std::scoped_lock lock(m_mutex);
    return m_done;
}

std::exception_ptr FutureCore::error(bool observe) const {
    std::scoped_lock lock(m_mutex);
    if (m_error && observe) m_observed = true;
    return m_error;
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

} // namespace weft::detail
