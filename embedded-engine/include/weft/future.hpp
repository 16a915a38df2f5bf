#pragma once
// Futures of submitted task runs. Passing one to another task records a dependency edge.
#include "weft/context.hpp"

#include <condition_variable>
#include <exception>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <type_traits>
#include <variant>
#include <vector>

namespace weft {

namespace detail {

/// The type-independent half of a future: completion, error, continuations. Thread-safe.
class FutureCore {
public:
    explicit FutureCore(std::string task_run_id)
        : m_task_run_id(std::move(task_run_id)) {}

    const std::string& task_run_id() const { return m_task_run_id; }

    /// Runs `fn` once the future is done (at once, on this thread, when it already is).
    void on_ready(std::function<void()> fn);
    void wait() const;
    bool done() const;
    /// The failure, if the task run did not complete; marks it as seen by the flow's code.
    std::exception_ptr error(bool observe = true) const;
    bool observed() const { return m_observed.load(); }
    void mark_observed() const { m_observed = true; }

    /// Called once by the runner: stores the outcome and runs continuations.
    void finish(std::exception_ptr error);

private:
    std::string m_task_run_id;
    mutable std::mutex m_mutex;
    mutable std::condition_variable m_cv;
    bool m_done = false;
    std::exception_ptr m_error;
    mutable std::atomic<bool> m_observed{false};
    std::vector<std::function<void()>> m_continuations;
};

template<class T> using Stored = std::conditional_t<std::is_void_v<T>, std::monostate, T>;

template<class T> class FutureState : public FutureCore {
public:
    using FutureCore::FutureCore;
    std::optional<Stored<T>> value; // written before finish(), read after done()
};

} // namespace detail

template<class T> class Future {
public:
    Future() = default;
    explicit Future(std::shared_ptr<detail::FutureState<T>> state)
        : m_state(std::move(state)) {}

    /// Waits, then returns the task's result or throws what ended it (TaskRunFailed, Cancelled).
    T result() const {
        m_state->wait();
        if (auto e = m_state->error()) std::rethrow_exception(e);
        if constexpr (!std::is_void_v<T>) return *m_state->value;
    }
    void wait() const { m_state->wait(); }
    bool done() const { return m_state->done(); }
    const std::string& task_run_id() const { return m_state->task_run_id(); }
    const std::shared_ptr<detail::FutureState<T>>& state() const { return m_state; }

private:
    std::shared_ptr<detail::FutureState<T>> m_state;
};

template<class T> struct is_future : std::false_type {};
template<class T> struct is_future<Future<T>> : std::true_type {};
template<class T> inline constexpr bool is_future_v = is_future<std::decay_t<T>>::value;

/// Waits for every future; does not throw.
template<class T> void wait_all(const std::vector<Future<T>>& futures) {
    for (const auto& f : futures)
        f.wait();
}

} // namespace weft
