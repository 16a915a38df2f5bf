#pragma once
// One flow run as every view of its page sees it: the run's record, its task runs and their
// edges, fetched once and merged once per change-feed batch. TaskRunModel, TimelineModel,
// RunGraphModel and the run page's header adapt it instead of fetching and merging on their own,
// so they cannot disagree on what the run holds.
//
// Task runs keep their index for the snapshot's life (new ones are appended), so adapters map
// indices to rows once. A fetch that fails keeps what was there and sets errorString(); refresh()
// tries again. A re-fetch of a big run is merged a slice per event-loop turn (each slice its own
// `updated`), so the GUI thread's work per turn stays bounded however big the run. GUI thread
// only.
#include "backend/backend.h"

#include <QElapsedTimer>
#include <QTimer>
#include <algorithm>
#include <array>
#include <optional>
#include <span>
#include <unordered_map>
#include <vector>

namespace weft::studio {

/// Task runs per state type, indexed by int(weft::StateType).
using StateCounts = std::array<int, 9>;

class RunSnapshot : public QObject {
    Q_OBJECT
public:
    /// What one merge changed: task runs appended (from `firstNew` to the end), task runs changed
    /// in place (sorted, unique), whether the run's own record changed, and whether a task run's
    /// name became known or changed (most merges change only states).
    struct Delta {
        int firstNew = -1;
        std::vector<int> changed;
        bool run = false;
        bool names = false;
        bool empty() const { return firstNew < 0 && changed.empty() && !run; }
    };

    explicit RunSnapshot(Backend* backend, QObject* parent = nullptr);

    /// Loads that flow run (empty: none); earlier answers are dropped.
    void setFlowRun(const QString& flowRunId);
    QString flowRunId() const { return m_flowRunId; }
    /// Fetches the run and its task runs again (the page's Refresh, an error's Retry).
    void refresh();
    /// Debounce of the re-fetch that brings what events lack (names, inputs), in ms.
    void setRefetchDelay(int ms) { m_refetchDelayMs = ms; }
    /// Fetched task runs merged per event-loop turn (and so the most one `updated` announces).
    void setMergeSlice(int records) { m_mergeSlice = std::max(1, records); }

    /// The first fetch answered (with data or an error).
    bool isLoaded() const { return m_loaded; }
    bool isLoading() const { return !m_flowRunId.isEmpty() && !m_loaded; }
    /// "couldn't load task runs: database disk image is malformed", or empty.
    QString errorString() const { return m_error; }

    /// The run's record; empty until loaded, or when the run does not exist (any more).
    const std::optional<weft::FlowRunRecord>& run() const { return m_run; }
    bool runDeleted() const { return m_deleted; }
    int taskCount() const { return int(m_tasks.size()); }
    const weft::TaskRunRecord& task(int i) const { return m_tasks[size_t(i)].record; }
    /// Known from the feed only: name, inputs and tags come with the next fetch.
    bool isPlaceholder(int i) const { return m_tasks[size_t(i)].placeholder; }
    /// The task runs this one consumed (its task_inputs), as indices of loaded task runs.
    const std::vector<int>& upstream(int i) const { return m_tasks[size_t(i)].upstream; }
    int indexOf(const std::string& taskRunId) const;
    /// Task runs per state, kept as events come.
    const StateCounts& counts() const { return m_counts; }
    int count(weft::StateType type) const { return m_counts[size_t(type)]; }

Q_SIGNALS:
    /// Everything changed (a new run, a first load, a deletion): adapters rebuild.
    void reset();
    /// One merge (a batch of events, a re-fetch) changed what `delta` says.
    void updated(const weft::studio::RunSnapshot::Delta& delta);
    void errorChanged(const QString& error);
    void loadingChanged(bool loading);
    /// The first answer for setFlowRun() is in (also after an error).
    void loaded();

private:
    struct Task {
        weft::TaskRunRecord record;
        bool placeholder = false;
        std::vector<int> upstream;
        std::vector<std::string> unresolved; // inputs from task runs not loaded yet
    };
    struct Pending; // the two answers of a load

    void load(bool first);
    void finishLoad(Result<std::optional<weft::FlowRunRecord>> run,
                    Result<std::vector<weft::TaskRunRecord>> tasks, bool first);
    void onEvents(const EventBatch& batch);
    void applyEvents(const std::vector<weft::Event>& events, Delta& d, bool& unknown);
    void mergeSlice(Delta d);
    void mergeTasks(std::span<weft::TaskRunRecord> records, Delta& d);
    void finishFetch();
    void dropIncoming();
    int append(weft::TaskRunRecord record, bool placeholder);
    void resolveEdges();
    void setTaskState(Task& t, const weft::State& s);
    void scheduleRefetch();
    void checkChildren();
    void forgetChild(const std::string& childFlowRunId, Delta& d);
    void setError(const QString& error);
    void clear();
    void publish(Delta& d);

    Backend* m_backend;
    QString m_flowRunId;
    std::string m_id;
    quint64 m_gen = 0;
    bool m_loaded = false;
    bool m_fetching = false;
    bool m_fetchAgain = false;
    bool m_deleted = false;
    std::vector<weft::Event> m_buffered; // events that came while the first load ran
    std::optional<weft::FlowRunRecord> m_run;
    std::vector<Task> m_tasks;
    std::unordered_map<std::string, int> m_index;
    std::vector<int> m_waiting; // task runs with inputs not loaded yet (Task::unresolved)
    std::vector<weft::TaskRunRecord> m_incoming; // a re-fetch's answer, merged slice by slice
    std::size_t m_incomingNext = 0;
    QTimer m_mergeTimer; // the next slice, on the next event-loop turn
    int m_mergeSlice = 1000;
    StateCounts m_counts{};
    QString m_error;
    QTimer m_refetch;
    int m_refetchDelayMs = -1; // -1: grows with the run (300 ms to 2 s)
};

} // namespace weft::studio

Q_DECLARE_METATYPE(weft::studio::RunSnapshot::Delta)
