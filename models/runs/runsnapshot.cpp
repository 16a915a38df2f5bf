#include "runs/runsnapshot.h"

#include "runs/runformat.h"

#include <algorithm>

namespace weft::studio {

namespace {
// Upstream task run ids from Prefect's task_inputs ({param: [{"input_type": "task_run", …}]}).
std::vector<std::string> inputIds(const nlohmann::json& taskInputs) {
    std::vector<std::string> ids;
    if (!taskInputs.is_object()) return ids;
    for (const auto& [param, inputs] : taskInputs.items()) {
        if (!inputs.is_array()) continue;
        for (const auto& input : inputs) {
            if (!input.is_object()) continue;
            const auto type = input.find("input_type"), id = input.find("id");
            if (type != input.end() && id != input.end() && id->is_string() && *type == "task_run"
                && std::find(ids.begin(), ids.end(), id->get<std::string>()) == ids.end())
                ids.push_back(id->get<std::string>());
        }
    }
    return ids;
}
} // namespace

struct RunSnapshot::Pending {
    std::optional<Result<std::optional<weft::FlowRunRecord>>> run;
    std::optional<Result<std::vector<weft::TaskRunRecord>>> tasks;
};

RunSnapshot::RunSnapshot(Backend* backend, QObject* parent)
    : QObject(parent)
    , m_backend(backend) {
    qRegisterMetaType<weft::studio::RunSnapshot::Delta>();
    m_refetch.setSingleShot(true);
    connect(&m_refetch, &QTimer::timeout, this, &RunSnapshot::refresh);
    m_mergeTimer.setSingleShot(true);
    m_mergeTimer.setInterval(0);
    connect(&m_mergeTimer, &QTimer::timeout, this, [this] { mergeSlice({}); });
    connect(m_backend, &Backend::eventsArrived, this, &RunSnapshot::onEvents);
}

void RunSnapshot::clear() {
    m_run.reset();
    m_tasks.clear();
    m_index.clear();
    m_waiting.clear();
    m_counts = {};
}

void RunSnapshot::dropIncoming() {
    m_incoming = {};
    m_incomingNext = 0;
    m_mergeTimer.stop();
}

void RunSnapshot::setFlowRun(const QString& flowRunId) {
    ++m_gen;
    clear();
    m_flowRunId = flowRunId;
    m_id = flowRunId.toStdString();
    m_loaded = m_deleted = m_fetching = m_fetchAgain = false;
    m_buffered.clear();
    m_refetch.stop();
    dropIncoming();
    setError({});
    Q_EMIT reset();
    Q_EMIT loadingChanged(isLoading());
    if (!m_id.empty()) load(true);
}

void RunSnapshot::refresh() {
    m_refetch.stop();
    if (m_id.empty()) return;
    load(!m_loaded || !m_error.isEmpty());
}

void RunSnapshot::load(bool first) {
    if (m_fetching) { // one at a time; the newest events are in the next one
        m_fetchAgain = true;
        return;
    }
    m_fetching = true;
    const quint64 gen = m_gen;
    auto pending = std::make_shared<Pending>();
    // Both answers come to `this` on the GUI thread; the later one finishes the load.
    auto finish = [this, gen, pending, first] {
        if (gen != m_gen || !pending->run || !pending->tasks) return;
        finishLoad(std::move(*pending->run), std::move(*pending->tasks), first);
    };
    m_backend->fetchFlowRun(m_id, this,
                            [pending, finish](Result<std::optional<weft::FlowRunRecord>> r) {
                                pending->run.emplace(std::move(r));
                                finish();
                            });
    m_backend->fetchTaskRuns(m_id, this,
                             [pending, finish](Result<std::vector<weft::TaskRunRecord>> t) {
                                 pending->tasks.emplace(std::move(t));
                                 finish();
                             });
}

void RunSnapshot::finishLoad(Result<std::optional<weft::FlowRunRecord>> run,
                             Result<std::vector<weft::TaskRunRecord>> tasks, bool first) {
    const bool wasLoading = isLoading();
    if (!run || !tasks) {
        m_fetching = false;
        // What was shown stays; the error says it may be stale or incomplete.
        setError(!tasks ? tr("couldn't load task runs: %1").arg(tasks.error())
                        : tr("couldn't load the flow run: %1").arg(run.error()));
        m_buffered.clear(); // the next load reads them from the store
        m_fetchAgain = false;
        if (!m_loaded) {
            m_loaded = true;
            Q_EMIT reset();
            if (wasLoading) Q_EMIT loadingChanged(false);
            Q_EMIT loaded();
        }
        return;
    }
    setError({});
    if (first) {
        m_fetching = false;
        clear();
        m_run = std::move(*run);
        for (auto& r : *tasks)
            append(std::move(r), false);
        resolveEdges();
        m_loaded = true;
        m_deleted = false;
        Delta ignored; // the reset below covers the buffered events too
        bool unknown = false;
        applyEvents(std::exchange(m_buffered, {}), ignored, unknown);
        Q_EMIT reset();
        if (wasLoading) Q_EMIT loadingChanged(false);
        Q_EMIT loaded();
        if (unknown) scheduleRefetch();
        checkChildren();
        if (std::exchange(m_fetchAgain, false)) load(false);
        return;
    }
    Delta d;
    if (*run && m_run) {
        // An event merged after the store was read may be newer than the record's state.
        weft::FlowRunRecord fresh = std::move(**run);
        if (m_run->state.timestamp > fresh.state.timestamp) mergeState(fresh, m_run->state);
        d.run = fresh.updated != m_run->updated || fresh.state.id != m_run->state.id
                || fresh.end_time != m_run->end_time || fresh.run_count != m_run->run_count;
        m_run = std::move(fresh);
    } else if (*run) {
        m_run = std::move(*run);
        d.run = true;
    }
    // The task runs follow a slice per turn, this one first; the fetch is over (and the
    // next may start) once the last slice is in.
    m_incoming = std::move(*tasks);
    m_incomingNext = 0;
    mergeSlice(std::move(d));
}

void RunSnapshot::finishFetch() {
    m_fetching = false;
    if (std::exchange(m_fetchAgain, false)) load(false);
}

void RunSnapshot::mergeSlice(Delta d) {
    const std::size_t end = std::min(m_incoming.size(), m_incomingNext + size_t(m_mergeSlice));
    mergeTasks(std::span(m_incoming).subspan(m_incomingNext, end - m_incomingNext), d);
    m_incomingNext = end;
    const bool done = end == m_incoming.size();
    if (done) dropIncoming();
    const quint64 gen = m_gen;
    publish(d);
    if (gen != m_gen) return; // a slot showed another run: this fetch was dropped with it
    if (done)
        finishFetch();
    else
        m_mergeTimer.start();
}

int RunSnapshot::indexOf(const std::string& taskRunId) const {
    const auto it = m_index.find(taskRunId);
    return it == m_index.end() ? -1 : it->second;
}

int RunSnapshot::append(weft::TaskRunRecord record, bool placeholder) {
    const int i = int(m_tasks.size());
    Task t;
    t.unresolved = inputIds(record.task_inputs);
    t.record = std::move(record);
    t.placeholder = placeholder;
    ++m_counts[size_t(t.record.state.type)];
    m_index.emplace(t.record.id, i);
    if (!t.unresolved.empty()) m_waiting.push_back(i);
    m_tasks.push_back(std::move(t));
    return i;
}

// Inputs may name task runs that come later: the ones still waiting are looked at again, and
// only they (a live run's new task runs mostly consume ones already there).
void RunSnapshot::resolveEdges() {
    std::erase_if(m_waiting, [this](int i) {
        Task& t = m_tasks[size_t(i)];
        std::vector<std::string> still;
        for (std::string& id : t.unresolved) {
            if (const int u = indexOf(id); u >= 0)
                t.upstream.push_back(u);
            else
                still.push_back(std::move(id)); // not loaded yet (or deleted with its run)
        }
        t.unresolved = std::move(still);
        return t.unresolved.empty();
    });
}

void RunSnapshot::setTaskState(Task& t, const weft::State& s) {
    const weft::StateType old = t.record.state.type;
    mergeState(t.record, s);
    --m_counts[size_t(old)];
    ++m_counts[size_t(t.record.state.type)];
}

void RunSnapshot::mergeTasks(std::span<weft::TaskRunRecord> records, Delta& d) {
    const int before = taskCount();
    bool edges = false;
    for (auto& rec : records) {
        const int i = indexOf(rec.id);
        if (i < 0) {
            edges = edges || !rec.task_inputs.empty();
            d.names = d.names || !rec.name.empty();
            append(std::move(rec), false);
            continue;
        }
        Task& t = m_tasks[size_t(i)];
        if (!t.placeholder && t.record.updated == rec.updated && t.record.state.id == rec.state.id
            && t.record.run_count == rec.run_count) {
            // Unchanged since the last fetch (most task runs of a big live run): freed with
            // this slice, not all at the end.
            [[maybe_unused]] const weft::TaskRunRecord gone = std::move(rec);
            continue;
        }
        // An event merged after the fetch read the store is newer than the fetched state.
        if (t.record.state.timestamp > rec.state.timestamp) mergeState(rec, t.record.state);
        --m_counts[size_t(t.record.state.type)];
        ++m_counts[size_t(rec.state.type)];
        if (t.placeholder) {
            t.unresolved = inputIds(rec.task_inputs);
            if (!t.unresolved.empty()) {
                m_waiting.push_back(i);
                edges = true;
            }
        }
        if (!t.placeholder && t.record.child_flow_run_id.empty()) rec.child_flow_run_id.clear();
        d.names = d.names || t.record.name != rec.name;
        t.record = std::move(rec);
        t.placeholder = false;
        d.changed.push_back(i);
    }
    if (taskCount() > before) d.firstNew = before;
    if (edges || taskCount() > before) resolveEdges();
}

void RunSnapshot::onEvents(const EventBatch& batch) {
    if (m_id.empty() || !batch) return;
    if (!m_loaded || (m_fetching && m_tasks.empty() && !m_run)) {
        for (const weft::Event& e : *batch) // kept until the first load is in
            if (e.flow_run_id == m_id || e.run_id == m_id) m_buffered.push_back(e);
        return;
    }
    Delta d;
    bool unknown = false;
    applyEvents(*batch, d, unknown);
    publish(d);
    if (unknown) scheduleRefetch();
}

void RunSnapshot::applyEvents(const std::vector<weft::Event>& events, Delta& d, bool& unknown) {
    for (const weft::Event& e : events) {
        if (e.kind == weft::EventKind::FlowRunDeleted && e.run_id != m_id) {
            forgetChild(e.run_id, d); // perhaps a subflow run of ours, deleted on its own
            continue;
        }
        if (e.flow_run_id != m_id && e.run_id != m_id) continue; // another run's
        switch (e.kind) {
        case weft::EventKind::FlowRunDeleted:
            if (e.run_id != m_id) break;
            clear();
            if (m_mergeTimer.isActive()) { // the rest of a re-fetch: task runs of a deleted run
                dropIncoming();
                finishFetch();
            }
            m_deleted = true;
            d = {};
            Q_EMIT reset();
            return;
        case weft::EventKind::FlowRunCreated:
        case weft::EventKind::FlowRunState:
            if (e.run_id != m_id || !e.state || !m_run) break;
            if (e.state->id == m_run->state.id || e.state->timestamp < m_run->state.timestamp)
                break; // already in what we have
            if (e.state->type == weft::StateType::Crashed) {
                // The engine ends a crashed run at its last sign of life, not when the crash was
                // noticed (this event's time): the record has that end, so it is fetched.
                const auto end = m_run->end_time;
                mergeState(*m_run, *e.state);
                m_run->end_time = end;
            } else {
                mergeState(*m_run, *e.state);
            }
            d.run = true;
            unknown = true; // result, counts and times come with the record
            break;
        case weft::EventKind::FlowRunUpdated:
            if (e.run_id == m_id) unknown = true;
            break;
        case weft::EventKind::TaskRunCreated:
        case weft::EventKind::TaskRunState: {
            if (!e.state || e.flow_run_id != m_id) break;
            if (const int i = indexOf(e.run_id); i >= 0) {
                Task& t = m_tasks[size_t(i)];
                if (e.state->id == t.record.state.id
                    || e.state->timestamp < t.record.state.timestamp)
                    break;
                setTaskState(t, *e.state);
                d.changed.push_back(i);
            } else {
                // Known only by its event until the re-fetch brings the record.
                weft::TaskRunRecord r;
                r.id = e.run_id;
                r.flow_run_id = e.flow_run_id;
                r.state = *e.state;
                r.created = r.expected_start_time = e.state->timestamp;
                if (e.state->type == weft::StateType::Running) {
                    r.start_time = e.state->timestamp;
                    r.run_count = 1;
                }
                const int k = append(std::move(r), true);
                if (d.firstNew < 0) d.firstNew = k;
                unknown = true;
            }
            break;
        }
        default:
            break;
        }
    }
}

// A subflow call whose child run was deleted on its own keeps the child's id in its record; the
// views must not offer to open or expand a run that is not there.
void RunSnapshot::checkChildren() {
    weft::FlowRunQuery q;
    // Only finished calls: a call that has not started may not have created its child yet.
    for (const Task& t : m_tasks)
        if (!t.record.child_flow_run_id.empty() && weft::is_terminal(t.record.state.type))
            q.ids.push_back(t.record.child_flow_run_id);
    if (q.ids.empty()) return;
    q.limit = int(q.ids.size());
    const quint64 gen = m_gen;
    m_backend->fetchFlowRuns(
        q, this, [this, gen, asked = q.ids](Result<std::vector<weft::FlowRunRecord>> found) {
            if (gen != m_gen || !found) return; // unknown: the calls stay as they are
            std::vector<std::string> gone = asked;
            for (const auto& run : *found)
                std::erase(gone, run.id);
            Delta d;
            for (const std::string& id : gone)
                forgetChild(id, d);
            publish(d);
        });
}

void RunSnapshot::forgetChild(const std::string& childFlowRunId, Delta& d) {
    if (childFlowRunId.empty()) return;
    for (int i = 0; i < taskCount(); ++i)
        if (m_tasks[size_t(i)].record.child_flow_run_id == childFlowRunId) {
            m_tasks[size_t(i)].record.child_flow_run_id.clear();
            d.changed.push_back(i);
        }
}

void RunSnapshot::publish(Delta& d) {
    std::sort(d.changed.begin(), d.changed.end());
    d.changed.erase(std::unique(d.changed.begin(), d.changed.end()), d.changed.end());
    if (d.firstNew >= 0) // appended ones are new, not changed
        d.changed.erase(std::lower_bound(d.changed.begin(), d.changed.end(), d.firstNew),
                        d.changed.end());
    if (!d.empty()) Q_EMIT updated(d);
}

void RunSnapshot::scheduleRefetch() {
    if (m_refetch.isActive()) return; // not restarted: a steady stream still refreshes
    // Re-reading a big run costs in proportion to its size: the bigger, the rarer.
    m_refetch.start(m_refetchDelayMs >= 0 ? m_refetchDelayMs
                                          : std::clamp(taskCount() / 10, 300, 2000));
}

void RunSnapshot::setError(const QString& error) {
    if (error == m_error) return;
    m_error = error;
    Q_EMIT errorChanged(error);
}

} // namespace weft::studio
