#pragma once
// Small helpers shared by the engine core's tests: string conversion for QCOMPARE, record
// builders, and a gate that holds the store's writer so several writes land in one group.
#include "weft/ids.hpp"
#include "weft/records.hpp"
#include "weft/store.hpp"

#include <QString>
#include <QStringList>

#include <future>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace enginetest {

inline QString qs(std::string_view s) {
    return QString::fromUtf8(s.data(), qsizetype(s.size()));
}

inline QStringList qsl(const std::vector<std::string>& v) {
    QStringList out;
    for (const auto& s : v)
        out << qs(s);
    return out;
}

/// A state of `type` with a chosen timestamp, so bookkeeping can be checked exactly.
inline weft::State state_at(weft::StateType type, weft::Micros at, std::string name = {}) {
    weft::State s = weft::make_state(type, std::move(name));
    s.timestamp = at;
    return s;
}

inline weft::FlowRunRecord make_flow_run(const std::string& flow_id, const std::string& name,
                                         weft::State state, std::string id = weft::new_id()) {
    weft::FlowRunRecord r;
    r.id = std::move(id);
    r.flow_id = flow_id;
    r.name = name;
    r.state = std::move(state);
    r.expected_start_time = r.state.timestamp;
    r.created = r.state.timestamp;
    r.updated = r.state.timestamp;
    return r;
}

inline weft::TaskRunRecord make_task_run(const std::string& flow_run_id, const std::string& key,
                                         int n, weft::State state,
                                         std::string id = weft::new_id()) {
    weft::TaskRunRecord r;
    r.id = std::move(id);
    r.flow_run_id = flow_run_id;
    r.task_key = key;
    r.dynamic_key = std::to_string(n);
    r.name = key + "-" + r.dynamic_key;
    r.state = std::move(state);
    r.expected_start_time = r.state.timestamp;
    r.created = r.state.timestamp;
    r.updated = r.state.timestamp;
    return r;
}

inline weft::FlowRecord make_flow(const std::string& name) {
    return weft::FlowRecord{weft::new_id(), name, weft::now_us(), {}};
}

/// Holds the store's writer inside a transaction until open() (or destruction): everything
/// queued meanwhile is applied by the writer as one group, one commit.
class WriterGate {
public:
    explicit WriterGate(weft::Store& store) {
        auto entered = std::make_shared<std::promise<void>>();
        auto entered_future = entered->get_future();
        m_done = store.transact<void>([entered, release = m_release](weft::Txn&) {
            entered->set_value();
            release.wait();
        });
        entered_future.wait(); // the writer now sits inside its group
    }
    ~WriterGate() { open(); }
    WriterGate(const WriterGate&) = delete;
    WriterGate& operator=(const WriterGate&) = delete;

    /// Lets the writer go on; returns once the gate's own group has committed.
    void open() {
        if (m_open) return;
        m_open = true;
        m_release_promise.set_value();
        m_done.get();
    }

private:
    std::promise<void> m_release_promise;
    std::shared_future<void> m_release = m_release_promise.get_future().share();
    std::future<void> m_done;
    bool m_open = false;
};

} // namespace enginetest
