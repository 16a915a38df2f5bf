#pragma once
// Helpers shared by the SDK's tests. The SDK's runtime is process-wide: each test binary points it
// at a fresh database once (in initTestCase) and reads what the runs stored back through a Reader.
#include <weft/ids.hpp>
#include <weft/weft.hpp>

#include <QString>
#include <QStringList>
#include <QTemporaryDir>

#include <algorithm>
#include <chrono>
#include <condition_variable>
#include <mutex>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

namespace sdktest {

inline QString qs(std::string_view s) {
    return QString::fromUtf8(s.data(), qsizetype(s.size()));
}
inline QString js(const nlohmann::json& j) {
    return qs(j.dump());
}

/// Points the SDK at a new database in `dir` and opens it. Call before any flow runs.
inline bool use_fresh_database(const QTemporaryDir& dir) {
    if (!dir.isValid()) return false;
    weft::detail::configure_database((dir.path() + QStringLiteral("/weft.db")).toStdString());
    weft::detail::engine();
    return true;
}

inline weft::Store& store() {
    return weft::detail::engine().store();
}

inline weft::FlowRunRecord flow_run(const std::string& id) {
    return store()
        .read([&](weft::Reader& r) { return r.flow_run(id); })
        .value_or(weft::FlowRunRecord{});
}

inline weft::TaskRunRecord task_run(const std::string& id) {
    return store()
        .read([&](weft::Reader& r) { return r.task_run(id); })
        .value_or(weft::TaskRunRecord{});
}

/// The flow run's task runs in call order (ids grow with creation time).
inline std::vector<weft::TaskRunRecord> task_runs(const std::string& flow_run_id) {
    return store().read([&](weft::Reader& r) { return r.task_runs(flow_run_id); });
}

/// The flow run's task runs of one task, by call number ("2", "2~1" or "0@caller" count as the
/// number they start with), then in creation order.
inline std::vector<weft::TaskRunRecord> task_runs(const std::string& flow_run_id,
                                                  const std::string& task_key) {
    auto all = task_runs(flow_run_id);
    std::erase_if(all, [&](const auto& t) { return t.task_key != task_key; });
    std::stable_sort(all.begin(), all.end(), [](const auto& a, const auto& b) {
        return std::stoi(a.dynamic_key) < std::stoi(b.dynamic_key);
    });
    return all;
}

/// Flow runs started by a task run of another flow run (subflows).
inline std::vector<weft::FlowRunRecord> child_flow_runs(const std::string& parent_task_run_id) {
    weft::FlowRunQuery q;
    q.parent_task_run_id = parent_task_run_id;
    return store().read([&](weft::Reader& r) { return r.flow_runs(q); });
}

/// The newest flow run of a flow.
inline weft::FlowRunRecord latest_flow_run(const std::string& flow_name) {
    weft::FlowRunQuery q;
    q.flow_names = {flow_name};
    q.limit = 1;
    auto runs = store().read([&](weft::Reader& r) { return r.flow_runs(q); });
    return runs.empty() ? weft::FlowRunRecord{} : runs.front();
}

inline std::vector<weft::State> history(const std::string& run_id) {
    return store().read([&](weft::Reader& r) { return r.state_history(run_id); });
}

/// A run's states as "TYPE/Name", oldest first: easy to compare and to read in a failure.
inline QStringList history_names(const std::string& run_id) {
    QStringList out;
    for (const auto& s : history(run_id))
        out << qs(weft::to_string(s.type)) + QLatin1Char('/') + qs(s.name);
    return out;
}

inline bool ran(const std::string& run_id) {
    return history_names(run_id).filter(QStringLiteral("RUNNING/")).size() > 0;
}

inline std::vector<weft::LogRecord> logs(weft::LogQuery q) {
    return store().read([&](weft::Reader& r) { return r.logs(q); });
}

inline std::vector<weft::Event> events_of(const std::string& run_id) {
    auto all = store().read([](weft::Reader& r) { return r.events_after(0, 1000000); });
    std::erase_if(all, [&](const auto& e) { return e.run_id != run_id; });
    return all;
}

/// A condition tasks wait on until the test opens it. Thread-safe.
class Gate {
public:
    void open() {
        {
            std::scoped_lock lock(m_mutex);
            m_open = true;
        }
        m_cv.notify_all();
    }
    /// Waits until the gate opens or `limit` passes; returns whether it opened.
    bool wait(std::chrono::milliseconds limit = std::chrono::seconds(20)) {
        std::unique_lock lock(m_mutex);
        return m_cv.wait_for(lock, limit, [&] { return m_open; });
    }
    void reset() {
        std::scoped_lock lock(m_mutex);
        m_open = false;
    }

private:
    std::mutex m_mutex;
    std::condition_variable m_cv;
    bool m_open = false;
};

/// What a cooperative long task does: work in small steps until asked to stop. Bounded, so a
/// broken cancellation fails the test instead of hanging it. Returns whether it was asked.
inline bool work_until_cancelled(std::chrono::seconds limit = std::chrono::seconds(20)) {
    const auto until = std::chrono::steady_clock::now() + limit;
    while (std::chrono::steady_clock::now() < until) {
        if (weft::cancelled()) return true;
        std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
    return false;
}

/// Moves what weft::now_us() reports for its lifetime, as if the system clock had been stepped
/// (forward for a positive offset).
struct ClockStep {
    explicit ClockStep(weft::Micros offset) { weft::detail::set_wall_clock_offset(offset); }
    ~ClockStep() { weft::detail::set_wall_clock_offset(0); }
    ClockStep(const ClockStep&) = delete;
    ClockStep& operator=(const ClockStep&) = delete;
};

/// Runs a flow call on its own thread, so that the test can act on the run meanwhile.
class Background {
public:
    template<class Fn>
    explicit Background(Fn fn)
        : m_thread([this, fn] {
            try {
                fn();
            } catch (const weft::FlowRunFailed& e) {
                m_failed = e.state;
            } catch (...) {
                m_other_error = true;
            }
        }) {}
    ~Background() { join(); }
    Background(const Background&) = delete;
    Background& operator=(const Background&) = delete;

    void join() {
        if (m_thread.joinable()) m_thread.join();
    }
    /// After join(): the final state when the call threw FlowRunFailed.
    const std::optional<weft::State>& failed() const { return m_failed; }
    bool other_error() const { return m_other_error; }

private:
    std::optional<weft::State> m_failed;
    bool m_other_error = false;
    std::thread m_thread; // last: starts once the members it writes exist
};

} // namespace sdktest
