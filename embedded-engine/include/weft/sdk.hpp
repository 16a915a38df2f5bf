#pragma once
// weft::task and weft::flow: wrap callables so that every call is recorded as a run.
#include "weft/callable.hpp"
#include "weft/parameter_schema.hpp"
#include "weft/runtime.hpp"

#include <algorithm>
#include <atomic>
#include <charconv>
#include <cmath>
#include <cstdint>
#include <functional>
#include <limits>
#include <memory>
#include <nlohmann/json.hpp>
#include <ranges>
#include <stdexcept>
#include <string>
#include <string_view>
#include <tuple>
#include <type_traits>
#include <utility>
#include <variant>
#include <vector>

namespace weft {

/// An argument of Task::map() passed whole to every run, even a sequence (Prefect's unmapped).
template<class T> struct Unmapped { T value; };
template<class T> Unmapped<std::decay_t<T>> unmapped(T&& value) {
    return Unmapped<std::decay_t<T>>{std::forward<T>(value)};
}

namespace detail {

template<class T> struct is_unmapped : std::false_type {};
template<class T> struct is_unmapped<Unmapped<T>> : std::true_type {};

/// Text is one value, not a sequence of characters.
template<class T> constexpr bool is_text_v = std::is_convertible_v<const T&, std::string_view>;

/// Whether Task::map() maps over an argument: a sequence, but not text and not one wrapped in
/// weft::unmapped().
template<class T>
constexpr bool is_mapped_v =
    std::ranges::forward_range<const T> && !is_text_v<T> && !is_unmapped<T>::value
    && !is_wait_for_v<T>;

/// One argument of a map() call while it walks: a mapped one steps through its elements, others
/// give the same value to every run.
template<class T> struct FixedCursor {
    const T& value;
    const T& get() const { return value; }
    void next() {}
};
template<class T> struct FixedCursor<Unmapped<T>> {
    const Unmapped<T>& wrapped;
    const T& get() const { return wrapped.value; }
    void next() {}
};
template<class T> struct RangeCursor {
    std::ranges::iterator_t<const T> it;
    decltype(auto) get() const { return *it; }
    void next() { ++it; }
};
template<class T> auto map_cursor(const T& a) {
    if constexpr (is_mapped_v<T>)
        return RangeCursor<T>{std::ranges::begin(a)};
    else
        return FixedCursor<T>{a};
}

/// A task call's argument as the function receives it, as a one-element tuple (none for
/// weft::wait_for): a future's result, an allow_failure() future's weft::Upstream, a reference to
/// any other value. Futures are done by then (see Task::execute).
template<class T> auto resolve_argument(T& a) {
    if constexpr (is_wait_for_v<T>) {
        return std::tuple<>();
    } else if constexpr (is_future_v<T>) {
        using V = typename std::decay_t<T>::value_type;
        if constexpr (std::is_void_v<V>) {
            a.result();
            return std::tuple<std::monostate>();
        } else {
            return std::tuple<V>(a.result());
        }
    } else if constexpr (is_allow_failure_v<T>) {
        using V = typename std::decay_t<decltype(a.future)>::value_type;
        const auto& core = a.future.core();
        return std::tuple<Upstream<V>>(Upstream<V>(
            core->task_run_id(), core->error() ? std::nullopt : core->value, core->error()));
    } else {
        return std::tuple<T&>(a);
    }
}

/// Every argument resolved (resolve_argument), weft::wait_for ones dropped.
template<class Tuple> auto resolve_arguments(Tuple& args) {
    return std::apply([](auto&... a) { return std::tuple_cat(resolve_argument(a)...); }, args);
}

/// The futures a call waits for before it starts: among its arguments, allowed to fail or not,
/// and in its weft::wait_for.
template<class T> void collect_upstream(std::vector<FutureCore*>& out, const T& a) {
    if constexpr (is_future_v<T>)
        out.push_back(a.core().get());
    else if constexpr (is_allow_failure_v<T>)
        out.push_back(a.future.core().get());
    else if constexpr (is_wait_for_v<T>)
        for (const auto& e : a.entries)
            out.push_back(e.core.get());
}

/// The first upstream run that did not complete among those that must, after waiting for all.
struct UpstreamFailure {
    std::exception_ptr error;
    std::string task_run_id;
    void note(const FutureCore& core) {
        core.wait();
        if (auto e = core.error(); e && !error) {
            error = e;
            task_run_id = core.task_run_id();
        }
    }
};
template<class T> void check_upstream(UpstreamFailure& out, const T& a) {
    if constexpr (is_future_v<T>) {
        out.note(*a.core());
    } else if constexpr (is_allow_failure_v<T>) {
        a.future.wait(); // any end will do
    } else if constexpr (is_wait_for_v<T>) {
        for (const auto& e : a.entries) {
            if (e.allow_failure)
                e.core->wait();
            else
                out.note(*e.core);
        }
    }
}

/// What a flow returns lets a failure through: a returned future (or vector of them) that
/// failed fails the flow run, as returning its result() would.
template<class T> void settle_returned(const T& value) {
    if constexpr (is_future_v<T>) {
        value.result();
    } else if constexpr (requires { typename T::value_type; }) {
        if constexpr (is_future_v<typename T::value_type>)
            for (const auto& f : value)
                f.result();
    }
}

template<class T> constexpr bool json_readable = requires(const nlohmann::json& j) {
    j.get<T>();
};

template<class T> constexpr bool json_writable = requires(const T& v) {
    nlohmann::json(v);
};

/// A result that can be stored and read back.
template<class T> constexpr bool json_storable = (json_writable<T> && json_readable<T>);

/// Whether every value has a JSON form, so that the parameters tell calls apart.
template<class... T> constexpr bool keyable(const std::tuple<T...>&) {
    return (json_writable<std::decay_t<T>> && ... && true);
}

/// When an earlier completed run can stand for a call of a function returning R.
template<class R> TaskRun::Reuse reuse_for(bool persist_result) {
    if constexpr (std::is_void_v<R>)
        return TaskRun::Reuse::Always; // there is no value to give back
    else if constexpr (!json_storable<R>)
        return TaskRun::Reuse::Never; // no stored value could come back
    else
        return persist_result ? TaskRun::Reuse::Always : TaskRun::Reuse::WithStoredResult;
}

/// A stored result back as a value; a run marked Completed by hand may carry none.
template<class R> R restore_result(const nlohmann::json& j) {
    if constexpr (json_readable<R>) {
        try {
            return j.get<R>();
        } catch (const nlohmann::json::exception&) {
            if constexpr (std::is_default_constructible_v<R>)
                if (j.is_null()) return R{};
            throw;
        }
    } else {
        static_assert(std::is_default_constructible_v<R>,
                      "results reused without JSON support must be default-constructible");
        return R{};
    }
}

inline std::string parameter_name(const std::vector<std::string>& names, std::size_t i) {
    return i < names.size() ? names[i] : "arg" + std::to_string(i);
}

/// A value as an error message shows it: JSON, cut when long.
inline std::string shown_value(const nlohmann::json& value) {
    if (value.is_number_float()) {
        // The shortest form that reads back: 1e+23 as typed, not dump()'s 9.999999999999999e+22.
        char buf[32];
        const auto end = std::to_chars(buf, buf + sizeof buf, value.get<double>()).ptr;
        return std::string(buf, end);
    }
    std::string text = value.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
    if (text.size() > 60) text = text.substr(0, 57) + "...";
    return text;
}

/// What the JSON library says, without its "[json.exception.type_error.302] " prefix.
inline std::string json_error_text(const nlohmann::json::exception& e) {
    const std::string what = e.what();
    const auto end = what.find("] ");
    return what.starts_with("[json.exception.") && end != std::string::npos ? what.substr(end + 2)
                                                                            : what;
}

/// An integer parameter from JSON, checked: get<int>() would turn 1e23 into INT_MIN and 2.5 into
/// 2. A whole number written as a float (2.0) is taken. Throws std::invalid_argument saying why.
template<class T> T integer_parameter(const nlohmann::json& value, const std::string& where) {
    using Limits = std::numeric_limits<T>;
    // Every integer type's range lies within int64's or uint64's.
    const auto fits = [](std::int64_t n) {
        return n >= std::int64_t(Limits::min())
               && (n < 0 || std::uint64_t(n) <= std::uint64_t(Limits::max()));
    };
    if (value.is_number_unsigned()) {
        if (const auto n = value.get<std::uint64_t>(); n <= std::uint64_t(Limits::max()))
            return T(n);
    } else if (value.is_number_integer()) {
        if (const auto n = value.get<std::int64_t>(); fits(n)) return T(n);
    } else if (value.is_number_float()) {
        // 2^digits as a double is exact, unlike Limits::max(), which rounds up for 64 bits.
        const double d = value.get<double>();
        const double end = std::ldexp(1.0, Limits::digits);
        if (std::trunc(d) == d && d >= double(Limits::min()) && d < end) return T(d);
    }
    throw std::invalid_argument(where + ": expected an integer from "
                                + std::to_string(Limits::min()) + " to "
                                + std::to_string(Limits::max()) + ", got " + shown_value(value));
}

/// A parameter of type T from its JSON value; throws std::invalid_argument naming the parameter
/// (`where`) and what it takes.
template<class T> T typed_parameter(const nlohmann::json& value, const std::string& where) {
    if constexpr (is_std_optional<T>::value) {
        // null is "not given", as a missing optional parameter is (Flow::parameter).
        if (value.is_null()) return std::nullopt;
        return typed_parameter<typename T::value_type>(value, where);
    } else if constexpr (std::is_same_v<T, bool>) {
        if (value.is_boolean()) return value.get<bool>();
        throw std::invalid_argument(where + ": expected true or false, got " + shown_value(value));
    } else if constexpr (std::is_integral_v<T>) {
        return integer_parameter<T>(value, where);
    } else if constexpr (std::is_floating_point_v<T>) {
        if (value.is_number() && std::isfinite(value.get<double>())
            && std::abs(value.get<double>()) <= double(std::numeric_limits<T>::max()))
            return value.get<T>();
        throw std::invalid_argument(where + ": expected a number, got " + shown_value(value));
    } else if constexpr (std::is_same_v<T, std::string>) {
        // `--param k=v` reads v as JSON when it parses, so text such as 42 or true arrives as a
        // number or a boolean: a string parameter takes it as the text it was.
        if (value.is_number() || value.is_boolean()) return value.dump();
        if (value.is_string()) return value.get<std::string>();
        throw std::invalid_argument(where + ": expected text, got " + shown_value(value));
    } else if constexpr (json_readable<T>) {
        try {
            return value.get<T>();
        } catch (const nlohmann::json::exception& e) {
            throw std::invalid_argument(where + ": " + shown_value(value)
                                        + " does not fit its type (" + json_error_text(e) + ")");
        }
    } else {
        throw std::invalid_argument(where + " cannot be read from JSON");
    }
}

} // namespace detail

/// A function whose calls inside a flow are recorded as task runs. Copies share the function;
/// option setters return a changed copy.
template<class F> class Task {
    using traits = detail::callable_traits<F>;

public:
    using result_type = typename traits::result;
    using R = result_type;

    Task(std::string name, F fn)
        : m_name(std::make_shared<const std::string>(std::move(name)))
        , m_fn(std::make_shared<const F>(std::move(fn)))
        , m_options(std::make_shared<const TaskOptions>()) {}

    const std::string& name() const { return *m_name; }
    const TaskOptions& options() const { return *m_options; }

    // Options. Each returns a copy with the option changed.
    Task retries(int n) const {
        return with([&](TaskOptions& o) { o.retries = n; });
    }
    Task retry_delays(std::vector<double> seconds) const {
        return with([&](TaskOptions& o) { o.retry_delays_s = std::move(seconds); });
    }
    Task retry_backoff(double base_s, double factor = 2, double max_s = 600) const {
        return with([&](TaskOptions& o) { o.backoff = Backoff{base_s, factor, max_s}; });
    }
    Task retry_jitter(double factor) const {
        return with([&](TaskOptions& o) { o.retry_jitter_factor = factor; });
    }
    Task retry_if(std::function<bool(const Failure&)> predicate) const {
        return with([&](TaskOptions& o) { o.retry_if = std::move(predicate); });
    }
    Task timeout(double seconds) const {
        return with([&](TaskOptions& o) { o.timeout_s = seconds; });
    }
    Task tags(std::vector<std::string> t) const {
        return with([&](TaskOptions& o) { o.tags = std::move(t); });
    }
    Task cache(CachePolicy policy) const {
        return with([&](TaskOptions& o) { o.cache = std::move(policy); });
    }
    Task cache_expiration(double seconds) const {
        return with([&](TaskOptions& o) { o.cache_expiration_s = seconds; });
    }
    Task persist_result(bool on) const {
        return with([&](TaskOptions& o) { o.persist_result = on; });
    }
    Task log_stdout(bool on) const {
        return with([&](TaskOptions& o) { o.log_stdout = on; });
    }
    Task version(std::string v) const {
        return with([&](TaskOptions& o) { o.version = std::move(v); });
    }
    Task params(std::vector<std::string> names) const {
        return with([&](TaskOptions& o) { o.param_names = std::move(names); });
    }
    Task on_completion(std::function<void(const TaskRunRecord&)> hook) const {
        return with([&](TaskOptions& o) { o.on_completion.push_back(std::move(hook)); });
    }
    Task on_failure(std::function<void(const TaskRunRecord&)> hook) const {
        return with([&](TaskOptions& o) { o.on_failure.push_back(std::move(hook)); });
    }
    Task on_cancellation(std::function<void(const TaskRunRecord&)> hook) const {
        return with([&](TaskOptions& o) { o.on_cancellation.push_back(std::move(hook)); });
    }

    /// Runs the task now, on this thread. Inside a flow the call is a task run (futures among the
    /// arguments are waited for); outside one it is a plain call. Throws TaskRunFailed.
    template<class... A> R operator()(A&&... args) const {
        auto flow = detail::current().flow;
        if (!flow) {
            auto refs = std::forward_as_tuple(args...);
            auto resolved = detail::resolve_arguments(refs);
            return std::apply(*m_fn, resolved);
        }
        auto run = begin(flow, args...);
        std::tuple<std::decay_t<A>...> stored(std::forward<A>(args)...);
        return execute(*run, stored);
    }

    /// Starts the task on the task runner and returns its future. Runs once every future among
    /// the arguments (and in a weft::wait_for among them) is done; those futures become the run's
    /// upstream edges. If one of them failed (and is not wrapped in weft::allow_failure), the run
    /// does not start: it stays PENDING, named NotReady, and its future throws UpstreamNotReady.
    template<class... A> Future<R> submit(A&&... args) const {
        auto flow = detail::current().flow;
        if (!flow) throw std::logic_error("weft: " + name() + ".submit() called outside a flow");
        auto run = begin(flow, args...);
        auto state = std::make_shared<detail::FutureState<R>>(run->id());
        run->watch(state);
        flow->track(state);
        auto stored = std::make_shared<std::tuple<std::decay_t<A>...>>(std::forward<A>(args)...);
        auto launch = [self = *this, run, state, stored, flow] {
            detail::submit_to_pool([self, run, state, stored, flow] {
                detail::ContextScope scope(flow, nullptr);
                try {
                    if constexpr (std::is_void_v<R>) {
                        self.execute(*run, *stored);
                        state->value.emplace();
                    } else {
                        state->value.emplace(self.execute(*run, *stored));
                    }
                    state->finish(nullptr);
                } catch (...) {
                    state->finish(std::current_exception());
                }
            });
        };
        std::vector<detail::FutureCore*> upstream;
        std::apply([&](auto&... a) { (detail::collect_upstream(upstream, a), ...); }, *stored);
        if (upstream.empty()) {
            launch();
        } else {
            auto remaining = std::make_shared<std::atomic<int>>(int(upstream.size()));
            for (auto* core : upstream)
                core->on_ready([remaining, launch] {
                    if (remaining->fetch_sub(1) == 1) launch();
                });
        }
        return Future<R>(state);
    }

    /// Submits one run per element: sequences among the arguments (ranges other than strings,
    /// e.g. a vector of values or of futures) are mapped together, element i of each going to
    /// run i; they must have equal lengths (else std::invalid_argument, nothing submitted). Other
    /// arguments, and sequences wrapped in weft::unmapped(), are passed whole to every run.
    template<class... A> std::vector<Future<R>> map(const A&... args) const {
        static_assert(
            (detail::is_mapped_v<A> || ...),
            "weft: map() needs a sequence to map over; wrap constants in weft::unmapped()");
        if (!detail::current().flow)
            throw std::logic_error("weft: " + name() + ".map() called outside a flow");
        const std::size_t n = mapped_length(args...);
        std::vector<Future<R>> futures;
        futures.reserve(n);
        auto cursors = std::make_tuple(detail::map_cursor(args)...);
        for (std::size_t k = 0; k < n; ++k)
            std::apply(
                [&](auto&... c) {
                    futures.push_back(submit(c.get()...));
                    (c.next(), ...);
                },
                cursors);
        return futures;
    }

private:
    template<class Change> Task with(Change change) const {
        Task copy = *this;
        auto options = std::make_shared<TaskOptions>(*m_options);
        change(*options);
        copy.m_options = std::move(options);
        return copy;
    }

    // The common length of the mapped arguments; throws std::invalid_argument naming each.
    template<class... A> std::size_t mapped_length(const A&... args) const {
        std::vector<std::pair<std::string, std::size_t>> lengths;
        std::size_t i = 0;
        [[maybe_unused]] auto measure = [&](const auto& a) {
            using T = std::decay_t<decltype(a)>;
            if constexpr (is_wait_for_v<T>) return;
            const std::string key = detail::parameter_name(m_options->param_names, i++);
            if constexpr (detail::is_mapped_v<T>)
                lengths.emplace_back(key, std::size_t(std::ranges::distance(a)));
        };
        (measure(args), ...);
        const bool equal = std::all_of(lengths.begin(), lengths.end(), [&](const auto& l) {
            return l.second == lengths[0].second;
        });
        if (equal) return lengths[0].second;
        std::string shown;
        for (const auto& [key, n] : lengths)
            shown += (shown.empty() ? "" : ", ") + key + ": " + std::to_string(n);
        throw std::invalid_argument("weft: " + name()
                                    + ".map(): the sequences to map over differ in length (" + shown
                                    + "); wrap an argument in weft::unmapped() to pass it whole "
                                      "to every run");
    }

    // The run's record, made on the caller's thread: edges from futures, values of the rest.
    template<class... A>
    std::shared_ptr<detail::TaskRun> begin(const std::shared_ptr<detail::FlowRunContext>& flow,
                                           const A&... args) const {
        nlohmann::json inputs = nlohmann::json::object();
        nlohmann::json params = nlohmann::json::object();
        std::size_t i = 0;
        const auto ref = [](const std::string& id) {
            return nlohmann::json{{"input_type", "task_run"}, {"id", id}};
        };
        [[maybe_unused]] auto describe = [&](const auto& a) {
            using T = std::decay_t<decltype(a)>;
            if constexpr (is_wait_for_v<T>) {
                // Order-only edges, under Prefect's key: nothing of their data reaches the call.
                for (const auto& e : a.entries) {
                    if (!inputs.contains("wait_for")) inputs["wait_for"] = nlohmann::json::array();
                    inputs["wait_for"].push_back(ref(e.core->task_run_id()));
                }
                return;
            }
            const std::string key = detail::parameter_name(m_options->param_names, i++);
            if constexpr (is_future_v<T>) {
                inputs[key] = nlohmann::json::array({ref(a.task_run_id())});
            } else if constexpr (is_allow_failure_v<T>) {
                inputs[key] = nlohmann::json::array({ref(a.future.task_run_id())});
            } else {
                inputs[key] = nlohmann::json::array();
                params[key] = detail::to_json_or_placeholder(a);
            }
        };
        (describe(args), ...);
        return detail::TaskRun::begin(flow, *m_name, *m_options, std::move(inputs),
                                      std::move(params));
    }

    template<class Tuple> R execute(detail::TaskRun& run, Tuple& args) const {
        // An upstream run that did not complete means this one never starts.
        detail::UpstreamFailure upstream;
        std::apply([&](auto&... a) { (detail::check_upstream(upstream, a), ...); }, args);
        if (upstream.error)
            std::rethrow_exception(run.not_started(upstream.error, upstream.task_run_id));

        auto resolved = detail::resolve_arguments(args);
        detail::TaskRun::Call call;
        call.parameters = nlohmann::json::object();
        std::size_t i = 0;
        std::apply(
            [&](const auto&... v) {
                ((call.parameters[detail::parameter_name(m_options->param_names, i++)] =
                      detail::to_json_or_placeholder(v)),
                 ...);
            },
            resolved);
        call.keyable = detail::keyable(resolved);
        call.reuse = detail::reuse_for<R>(m_options->persist_result);
        call.void_result = std::is_void_v<R>;

        std::optional<detail::Stored<R>> value;
        auto result = run.execute(std::move(call), [&]() -> nlohmann::json {
            if constexpr (std::is_void_v<R>) {
                std::apply(*m_fn, resolved);
                value.emplace();
                return nullptr;
            } else {
                value.emplace(std::apply(*m_fn, resolved));
                if constexpr (detail::json_storable<R>) {
                    if (m_options->persist_result) return nlohmann::json(*value);
                }
                return nullptr;
            }
        });
        if constexpr (std::is_void_v<R>) {
            return;
        } else {
            if (result.ran) return std::move(*value);
            return detail::restore_result<R>(result.value);
        }
    }

    std::shared_ptr<const std::string> m_name;
    std::shared_ptr<const F> m_fn;
    std::shared_ptr<const TaskOptions> m_options;
};

/// What weft::main needs of a flow, whatever its signature.
struct FlowEntry {
    std::string name;
    std::string description;
    std::vector<std::string> param_names;
    std::function<FlowRunRecord(const nlohmann::json& parameters, const detail::FlowStart& start)>
        run;
    /// The JSON schema of its parameters from their types (parameter_schema.hpp).
    nlohmann::json parameter_schema;
};

namespace detail {
const TaskOptions& subflow_task_options();
}

/// A function whose calls are recorded as flow runs; called from another flow, a subflow run.
template<class F> class Flow {
    using traits = detail::callable_traits<F>;
    using Args = typename traits::args;

public:
    using result_type = typename traits::result;
    using R = result_type;

    Flow(std::string name, F fn)
        : m_name(std::make_shared<const std::string>(std::move(name)))
        , m_fn(std::make_shared<const F>(std::move(fn)))
        , m_options(std::make_shared<const FlowOptions>()) {}

    const std::string& name() const { return *m_name; }
    const FlowOptions& options() const { return *m_options; }

    Flow retries(int n) const {
        return with([&](FlowOptions& o) { o.retries = n; });
    }
    Flow retry_delay(double seconds) const {
        return with([&](FlowOptions& o) { o.retry_delay_s = seconds; });
    }
    Flow timeout(double seconds) const {
        return with([&](FlowOptions& o) { o.timeout_s = seconds; });
    }
    Flow version(std::string v) const {
        return with([&](FlowOptions& o) { o.version = std::move(v); });
    }
    Flow description(std::string d) const {
        return with([&](FlowOptions& o) { o.description = std::move(d); });
    }
    Flow tags(std::vector<std::string> t) const {
        return with([&](FlowOptions& o) { o.tags = std::move(t); });
    }
    Flow params(std::vector<std::string> names) const {
        return with([&](FlowOptions& o) { o.param_names = std::move(names); });
    }
    Flow defaults(nlohmann::json values) const {
        return with([&](FlowOptions& o) { o.defaults = std::move(values); });
    }
    Flow on_completion(std::function<void(const FlowRunRecord&)> hook) const {
        return with([&](FlowOptions& o) { o.on_completion.push_back(std::move(hook)); });
    }
    Flow on_failure(std::function<void(const FlowRunRecord&)> hook) const {
        return with([&](FlowOptions& o) { o.on_failure.push_back(std::move(hook)); });
    }
    Flow on_cancellation(std::function<void(const FlowRunRecord&)> hook) const {
        return with([&](FlowOptions& o) { o.on_cancellation.push_back(std::move(hook)); });
    }

    /// Runs the flow: a new flow run, or inside another flow a subflow run. Returns its result or
    /// throws FlowRunFailed (or, as a subflow, TaskRunFailed from the parent's view).
    template<class... A> R operator()(A&&... args) const {
        Args typed(std::forward<A>(args)...);
        nlohmann::json params = parameters_of(typed);
        std::optional<detail::Stored<R>> value;
        auto body = [&]() -> nlohmann::json { return call(typed, value); };
        if (auto parent = detail::current().flow) {
            auto run = detail::TaskRun::begin(parent, name(), detail::subflow_task_options(),
                                              inputs_of(params), params, true);
            detail::TaskRun::Call call;
            call.parameters = params;
            call.keyable = detail::keyable(typed);
            // A result without JSON support cannot come back from the stored child run.
            call.reuse = detail::reuse_for<R>(true);
            call.void_result = std::is_void_v<R>;
            auto result = run->execute(std::move(call), [&]() -> nlohmann::json {
                detail::FlowStart start;
                start.run_id = run->child_flow_run_id();
                if (run->resumes_child()) start.resume_run_id = run->child_flow_run_id();
                start.parent_task_run_id = run->id();
                auto child = detail::run_flow(name(), *m_options, params, start, body);
                // A cancelled child cancels its task run (and the caller sees weft::Cancelled).
                if (child.state.type == StateType::Cancelled)
                    throw Cancelled("Subflow run " + child.id + " was cancelled.");
                if (child.state.type != StateType::Completed)
                    throw FlowRunFailed(child.id, child.state);
                return child.result;
            });
            if constexpr (std::is_void_v<R>) {
                return;
            } else {
                if (result.ran && value) return std::move(*value);
                return detail::restore_result<R>(result.value);
            }
        }
        auto record = detail::run_flow(name(), *m_options, params, {}, body);
        if (record.state.type != StateType::Completed) throw FlowRunFailed(record.id, record.state);
        if constexpr (!std::is_void_v<R>) return std::move(*value);
    }

    /// Runs from JSON parameters (by name, with defaults): what `PROGRAM run FLOW --param` does.
    FlowRunRecord run_json(const nlohmann::json& params,
                           const detail::FlowStart& start = {}) const {
        Args typed = typed_parameters(params);
        nlohmann::json named = parameters_of(typed);
        std::optional<detail::Stored<R>> value;
        return detail::run_flow(name(), *m_options, named, start,
                                [&]() -> nlohmann::json { return call(typed, value); });
    }

    operator FlowEntry() const {
        std::vector<std::string> names;
        for (std::size_t i = 0; i < traits::arity; ++i)
            names.push_back(detail::parameter_name(m_options->param_names, i));
        auto schema = parameters_schema<Args>(names, m_options->defaults);
        return FlowEntry{name(), m_options->description, names,
                         [self = *this](const nlohmann::json& p, const detail::FlowStart& s) {
                             return self.run_json(p, s);
                         },
                         std::move(schema)};
    }

private:
    template<class Change> Flow with(Change change) const {
        Flow copy = *this;
        auto options = std::make_shared<FlowOptions>(*m_options);
        change(*options);
        copy.m_options = std::move(options);
        return copy;
    }

    nlohmann::json call(Args& typed, std::optional<detail::Stored<R>>& value) const {
        if constexpr (std::is_void_v<R>) {
            std::apply(*m_fn, typed);
            value.emplace();
            return nullptr;
        } else {
            value.emplace(std::apply(*m_fn, typed));
            detail::settle_returned(*value);
            return detail::to_json_or_placeholder(*value);
        }
    }

    nlohmann::json parameters_of(const Args& typed) const {
        nlohmann::json params = nlohmann::json::object();
        std::size_t i = 0;
        std::apply(
            [&](const auto&... v) {
                ((params[detail::parameter_name(m_options->param_names, i++)] =
                      detail::to_json_or_placeholder(v)),
                 ...);
            },
            typed);
        return params;
    }

    static nlohmann::json inputs_of(const nlohmann::json& params) {
        nlohmann::json inputs = nlohmann::json::object();
        for (auto it = params.begin(); it != params.end(); ++it)
            inputs[it.key()] = nlohmann::json::array();
        return inputs;
    }

    Args typed_parameters(const nlohmann::json& params) const {
        // A misspelt name would otherwise be dropped without a word and the default used.
        if (params.is_object()) {
            std::vector<std::string> names;
            for (std::size_t i = 0; i < traits::arity; ++i)
                names.push_back(detail::parameter_name(m_options->param_names, i));
            for (auto it = params.begin(); it != params.end(); ++it) {
                if (std::find(names.begin(), names.end(), it.key()) != names.end()) continue;
                std::string known;
                for (const auto& n : names)
                    known += (known.empty() ? "" : ", ") + n;
                throw std::invalid_argument(
                    "flow " + name() + " has no parameter '" + it.key() + "'"
                    + (known.empty() ? "; it takes none" : "; its parameters are " + known));
            }
        }
        return [&]<std::size_t... I>(std::index_sequence<I...>) {
            return Args{parameter<std::tuple_element_t<I, Args>>(params, I)...};
        }
        (std::make_index_sequence<traits::arity>{});
    }

    template<class T> T parameter(const nlohmann::json& params, std::size_t i) const {
        const std::string key = detail::parameter_name(m_options->param_names, i);
        const nlohmann::json* value = nullptr;
        if (params.is_object() && params.contains(key))
            value = &params.at(key);
        else if (m_options->defaults.contains(key))
            value = &m_options->defaults.at(key);
        if constexpr (detail::is_std_optional<T>::value)
            if (!value) return std::nullopt; // not required (see parameter_schema.hpp)
        if (!value)
            throw std::invalid_argument("missing parameter '" + key + "' of flow " + name());
        return detail::typed_parameter<T>(*value, "parameter '" + key + "' of flow " + name());
    }

    std::shared_ptr<const std::string> m_name;
    std::shared_ptr<const F> m_fn;
    std::shared_ptr<const FlowOptions> m_options;
};

template<class F> Task<F> task(std::string name, F fn) {
    return Task<F>(std::move(name), std::move(fn));
}
template<class F> Flow<F> flow(std::string name, F fn) {
    return Flow<F>(std::move(name), std::move(fn));
}

} // namespace weft
