#pragma once
// Futures of submitted task runs. Passing one to another task records a dependency edge; wrapped
// in weft::allow_failure() the downstream runs even when it failed; weft::wait_for() orders runs
// without passing data; weft::as_completed() hands futures back as they finish.
#include "weft/context.hpp"

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <exception>
#include <functional>
#include <iterator>
#include <memory>
#include <mutex>
#include <nlohmann/json.hpp>
#include <optional>
#include <stdexcept>
#include <string>
#include <type_traits>
#include <variant>
#include <vector>

namespace weft {

/// Thrown by a task call, or by result() of its future, when the run never started because a run
/// it needed (a future among its arguments, or one it waits for) did not complete. The run stays
/// PENDING, named "NotReady" (as in Prefect 3); `state` is that state. A TaskRunFailed, so code
/// that catches failures catches this too.
class UpstreamNotReady : public TaskRunFailed {
public:
    UpstreamNotReady(std::string task_run_id, State state, std::string upstream_task_run_id)
        : TaskRunFailed(std::move(task_run_id), std::move(state))
        , upstream_task_run_id(std::move(upstream_task_run_id)) {}
    std::string upstream_task_run_id; // the first upstream run found not completed
};

/// Thrown by Future::result(timeout) and weft::as_completed(…, timeout) when a run has not
/// finished in time. The run itself goes on.
class FutureTimeout : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

namespace detail {

/// The type-independent half of a future: completion, error, continuations, and the run's latest
/// state. Thread-safe.
class FutureCore {
public:
    explicit FutureCore(std::string task_run_id)
        : m_task_run_id(std::move(task_run_id)) {}

    const std::string& task_run_id() const { return m_task_run_id; }

    /// Runs `fn` once the future is done (at once, on this thread, when it already is).
    void on_ready(std::function<void()> fn);
    void wait() const;
    /// Waits at most `seconds`; returns whether the future is done.
    bool wait_for(double seconds) const;
    bool done() const;
    /// The failure, if the task run did not complete.
    std::exception_ptr error() const;
    /// The task run's state as last set by its runner.
    State state() const;
    void set_state(const State& state);

    /// Called once by the runner: stores the outcome and runs continuations.
    void finish(std::exception_ptr error);

private:
    std::string m_task_run_id;
    mutable std::mutex m_mutex;
    mutable std::condition_variable m_cv;
    bool m_done = false;
    std::exception_ptr m_error;
    State m_state;
    std::vector<std::function<void()>> m_continuations;
};

template<class T> using Stored = std::conditional_t<std::is_void_v<T>, std::monostate, T>;

template<class T> class FutureState : public FutureCore {
public:
    using FutureCore::FutureCore;
    std::optional<Stored<T>> value; // written before finish(), read after done()
};

/// The message of a stored exception, for logs and states.
std::string message_of(const std::exception_ptr& e);
/// "Task run … did not finish within 0.5 s; it is still Running."
FutureTimeout timeout_error(const FutureCore& core, double timeout_s);

/// The indices of futures in the order they finish: what as_completed() iterates. Thread-safe.
class CompletionQueue {
public:
    /// `timeout_s` (< 0: none) bounds every pop(), counted from now.
    explicit CompletionQueue(double timeout_s);
    void push(std::size_t index);
    /// The next index to finish, waiting for it; throws FutureTimeout past the deadline.
    std::size_t pop();

private:
    std::mutex m_mutex;
    std::condition_variable m_cv;
    std::vector<std::size_t> m_ready; // in finishing order
    std::size_t m_next = 0;           // first of m_ready not yet handed out
    double m_timeout_s;
    std::optional<std::chrono::steady_clock::time_point> m_deadline;
};

} // namespace detail

template<class T> class Future {
public:
    using value_type = T;

    Future() = default;
    explicit Future(std::shared_ptr<detail::FutureState<T>> state)
        : m_state(std::move(state)) {}

    /// Waits, then returns the task's result or throws what ended it (TaskRunFailed,
    /// UpstreamNotReady, Cancelled).
    T result() const {
        m_state->wait();
        return finished_result();
    }
    /// As result(), waiting at most `timeout_s` seconds; then throws FutureTimeout, and the run
    /// goes on (a later result() can still return it).
    T result(double timeout_s) const {
        if (!m_state->wait_for(timeout_s)) throw detail::timeout_error(*m_state, timeout_s);
        return finished_result();
    }
    void wait() const { m_state->wait(); }
    /// Waits at most `timeout_s` seconds; returns whether the run finished. Never throws.
    bool wait(double timeout_s) const { return m_state->wait_for(timeout_s); }
    bool done() const { return m_state->done(); }
    /// The task run's current state, without waiting: Pending, Running, Completed, Failed, …
    State state() const { return m_state->state(); }
    const std::string& task_run_id() const { return m_state->task_run_id(); }
    /// The shared state behind the future (weft's own templates use it).
    const std::shared_ptr<detail::FutureState<T>>& core() const { return m_state; }

private:
    T finished_result() const {
        if (auto e = m_state->error()) std::rethrow_exception(e);
        if constexpr (!std::is_void_v<T>) return *m_state->value;
    }

    std::shared_ptr<detail::FutureState<T>> m_state;
};

template<class T> struct is_future : std::false_type {};
template<class T> struct is_future<Future<T>> : std::true_type {};
template<class T> inline constexpr bool is_future_v = is_future<std::decay_t<T>>::value;

/// A finished future's value as JSON (a flow returning a future stores its value); null while
/// it runs or when it failed.
template<class T> void to_json(nlohmann::json& j, const Future<T>& f) {
    j = nullptr;
    if constexpr (!std::is_void_v<T> && requires(const T& v) { nlohmann::json(v); }) {
        if (f.done() && !f.core()->error()) j = *f.core()->value;
    }
}

/// Waits for every future; does not throw.
template<class T> void wait_all(const std::vector<Future<T>>& futures) {
    for (const auto& f : futures)
        f.wait();
}

// ---- allow_failure --------------------------------------------------------------------------

/// What an upstream task run passed through weft::allow_failure() ended with: its value, or its
/// failure. A task taking a future's value through allow_failure() declares this parameter type
/// (or std::optional<T>, which is empty on failure).
template<class T> class Upstream {
public:
    Upstream(std::string task_run_id, std::optional<detail::Stored<T>> value,
             std::exception_ptr error)
        : m_task_run_id(std::move(task_run_id))
        , m_value(std::move(value))
        , m_error(std::move(error)) {}

    /// The upstream run completed: value() returns its result.
    bool ok() const { return !m_error; }
    explicit operator bool() const { return ok(); }
    /// The result; rethrows the upstream's failure when it did not complete.
    const detail::Stored<T>& value() const {
        if (m_error) std::rethrow_exception(m_error);
        return *m_value;
    }
    /// What the upstream failed with (TaskRunFailed, UpstreamNotReady, Cancelled), or null.
    std::exception_ptr error() const { return m_error; }
    /// The failure's message; empty when it completed.
    std::string message() const { return m_error ? detail::message_of(m_error) : std::string(); }
    const std::string& task_run_id() const { return m_task_run_id; }
    /// The value, or nothing when the upstream failed.
    template<class U = T>
    requires(!std::is_void_v<U>) operator std::optional<U>() const {
        return ok() ? std::optional<U>(*m_value) : std::nullopt;
    }

private:
    std::string m_task_run_id;
    std::optional<detail::Stored<T>> m_value;
    std::exception_ptr m_error;
};

/// Its value's JSON when it completed, else {"failed": task run id, "message": …}: recorded as the
/// parameter, and part of the cache key.
template<class T> void to_json(nlohmann::json& j, const Upstream<T>& u) {
    if (!u.ok()) {
        j = {{"failed", u.task_run_id()}, {"message", u.message()}};
    } else if constexpr (std::is_void_v<T>) {
        j = nullptr;
    } else if constexpr (requires { nlohmann::json(u.value()); }) {
        j = u.value();
    } else {
        j = "<not serialisable>";
    }
}

/// A future passed on so that the downstream runs even if its run fails (Prefect's
/// allow_failure). As an argument, the task receives weft::Upstream<T>; inside weft::wait_for()
/// the downstream just waits for it to finish, however it ends.
template<class T> struct AllowFailure { Future<T> future; };
template<class T> AllowFailure<T> allow_failure(Future<T> future) {
    return AllowFailure<T>{std::move(future)};
}

template<class T> struct is_allow_failure : std::false_type {};
template<class T> struct is_allow_failure<AllowFailure<T>> : std::true_type {};
template<class T>
inline constexpr bool is_allow_failure_v = is_allow_failure<std::decay_t<T>>::value;

// ---- wait_for -------------------------------------------------------------------------------

/// Runs a task call must wait for without taking their results (Prefect's wait_for=[…]): made by
/// weft::wait_for() and passed among a task call's arguments, anywhere. Recorded in the run's
/// task_inputs under "wait_for". A future among them that fails leaves the downstream NotReady,
/// unless wrapped in weft::allow_failure().
struct WaitFor {
    struct Entry {
        std::shared_ptr<detail::FutureCore> core;
        bool allow_failure = false;
    };
    std::vector<Entry> entries;
};

namespace detail {
template<class T> void add_wait(WaitFor& w, const Future<T>& f) {
    w.entries.push_back({f.core(), false});
}
template<class T> void add_wait(WaitFor& w, const AllowFailure<T>& f) {
    w.entries.push_back({f.future.core(), true});
}
template<class T> void add_wait(WaitFor& w, const std::vector<T>& many) {
    for (const auto& f : many)
        add_wait(w, f);
}
inline void add_wait(WaitFor& w, const WaitFor& other) {
    w.entries.insert(w.entries.end(), other.entries.begin(), other.entries.end());
}
} // namespace detail

/// weft::wait_for(a, b, weft::allow_failure(c), many_futures): see WaitFor.
template<class... F> WaitFor wait_for(const F&... futures) {
    WaitFor w;
    (detail::add_wait(w, futures), ...);
    return w;
}

template<class T> inline constexpr bool is_wait_for_v = std::is_same_v<std::decay_t<T>, WaitFor>;

// ---- as_completed ---------------------------------------------------------------------------

/// The futures in the order their runs finish (failed ones too: their result() throws). Iterating
/// waits for the next one; with a timeout, a run not finished in time throws FutureTimeout.
template<class T> class AsCompleted {
public:
    AsCompleted(std::vector<Future<T>> futures, double timeout_s)
        : m_futures(std::move(futures))
        , m_queue(std::make_shared<detail::CompletionQueue>(timeout_s)) {
        for (std::size_t i = 0; i < m_futures.size(); ++i)
            m_futures[i].core()->on_ready([q = m_queue, i] { q->push(i); });
    }

    class iterator {
    public:
        using value_type = Future<T>;
        using difference_type = std::ptrdiff_t;
        iterator() = default;
        const Future<T>& operator*() const { return m_owner->m_futures[m_index]; }
        const Future<T>* operator->() const { return &**this; }
        iterator& operator++() {
            advance();
            return *this;
        }
        void operator++(int) { advance(); }
        bool operator==(std::default_sentinel_t) const { return m_taken > m_owner->size(); }

    private:
        friend class AsCompleted;
        explicit iterator(AsCompleted* owner)
            : m_owner(owner) {
            advance();
        }
        void advance() {
            if (++m_taken <= m_owner->size()) m_index = m_owner->m_queue->pop();
        }
        AsCompleted* m_owner = nullptr;
        std::size_t m_index = 0;
        std::size_t m_taken = 0; // futures handed out, counting the current one
    };

    /// Waits for the first future to finish. Iterate once.
    iterator begin() { return iterator(this); }
    std::default_sentinel_t end() const { return {}; }
    std::size_t size() const { return m_futures.size(); }

private:
    std::vector<Future<T>> m_futures;
    std::shared_ptr<detail::CompletionQueue> m_queue;
};

/// for (const auto& f : weft::as_completed(futures)) …: each future as its run finishes.
/// `timeout_s` (< 0: none) bounds the whole iteration, counted from this call.
template<class T>
AsCompleted<T> as_completed(std::vector<Future<T>> futures, double timeout_s = -1) {
    return AsCompleted<T>(std::move(futures), timeout_s);
}

} // namespace weft
