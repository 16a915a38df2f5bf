#pragma once
// weft::task and weft::flow: wrap callables so that every call is recorded as a run.
#include "weft/callable.hpp"
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
#include <stdexcept>
#include <string>
#include <tuple>
#include <type_traits>
#include <utility>
#include <vector>

namespace weft {

namespace detail {

template<class T> decltype(auto) unwrap(T& value) {
    if constexpr (is_future_v<T>)
        return value.result();
    else
        return (value);
}

template<class T> using unwrapped_t = std::decay_t<decltype(unwrap(std::declval<T&>()))>;

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
    if constexpr (std::is_same_v<T, bool>) {
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
        if (!flow) return std::invoke(*m_fn, detail::unwrap(args)...);
        auto run = begin(flow, args...);
        std::tuple<std::decay_t<A>...> stored(std::forward<A>(args)...);
        return execute(*run, stored);
    }

    /// Starts the task on the task runner and returns its future. Runs once every future among
    /// the arguments is done; those futures become the run's upstream edges.
    template<class... A> Future<R> submit(A&&... args) const {
        auto flow = detail::current().flow;
        if (!flow) throw std::logic_error("weft: " + name() + ".submit() called outside a flow");
        auto run = begin(flow, args...);
        auto state = std::make_shared<detail::FutureState<R>>(run->id());
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
        std::apply([&](auto&... a) { (collect_future(upstream, a), ...); }, *stored);
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

    /// Submits one run per element of `range`; `extra` arguments are passed unchanged to each.
    template<class Range, class... Extra>
    std::vector<Future<R>> map(const Range& range, const Extra&... extra) const {
        std::vector<Future<R>> futures;
        if constexpr (requires { std::size(range); }) futures.reserve(std::size(range));
        for (const auto& item : range)
            futures.push_back(submit(item, extra...));
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

    template<class T>
    static void collect_future(std::vector<detail::FutureCore*>& out, const T& a) {
        if constexpr (is_future_v<T>) out.push_back(a.state().get());
    }

    // The run's record, made on the caller's thread: edges from futures, values of the rest.
    template<class... A>
    std::shared_ptr<detail::TaskRun> begin(const std::shared_ptr<detail::FlowRunContext>& flow,
                                           const A&... args) const {
        nlohmann::json inputs = nlohmann::json::object();
        nlohmann::json params = nlohmann::json::object();
        std::size_t i = 0;
        [[maybe_unused]] auto describe = [&](const auto& a) {
            const std::string key = detail::parameter_name(m_options->param_names, i++);
            if constexpr (is_future_v<decltype(a)>) {
                inputs[key] =
                    nlohmann::json::array({{{"input_type", "task_run"}, {"id", a.task_run_id()}}});
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
        std::exception_ptr upstream;
        std::apply([&](auto&... a) { (check_upstream(upstream, a), ...); }, args);
        if (upstream) std::rethrow_exception(run.not_started(upstream));

        auto resolved = std::apply(
            [](auto&... a) {
                return std::tuple<detail::unwrapped_t<decltype(a)>...>(detail::unwrap(a)...);
            },
            args);
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

    template<class T> static void check_upstream(std::exception_ptr& out, const T& a) {
        if constexpr (is_future_v<T>) {
            a.wait();
            if (auto e = a.state()->error(); e && !out) out = e;
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
        return FlowEntry{name(), m_options->description, names,
                         [self = *this](const nlohmann::json& p, const detail::FlowStart& s) {
                             return self.run_json(p, s);
                         }};
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
