#pragma once
// The task runs of one flow run as intervals on a time line, for the run page's Timeline tab.
//
// Intervals are kept sorted by start (then by task run), so the view finds what a window of time
// shows by binary search (firstIndex/lastIndex, as Qt Creator's tracing TimelineModel). A task run
// enters the timeline when it starts and stays open (growing up to now()) until it ends;
// change-feed events of the run open and close intervals as they come, one batch at a time. Each
// interval is drawn on a lane (the timeline's row): one lane per task run in start order, or,
// grouped by task key, the task's runs packed onto as few lanes as do not overlap.
#include "backend/backend.h"
#include "runs/runsnapshot.h"

#include <QAbstractListModel>
#include <QPointer>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <unordered_map>
#include <vector>

namespace weft::studio {

/// What painting one bar needs: no strings, no per-bar objects.
struct TimelineInterval {
    weft::Micros start = 0;
    weft::Micros end = 0; // when !open
    int task = -1;        // stable index of the task run in the model (see taskRunId())
    int lane = 0;
    int runCount = 0;
    weft::StateType state = weft::StateType::Running;
    bool open = true;     // started, not ended: grows up to TimelineModel::openEnd()
    bool retried = false; // has more than one phase (see TimelineModel::phases())
};

/// A stretch of a retried task run, from `start` to the next phase (or the interval's end):
/// Running is an attempt; Scheduled (AwaitingRetry), Pending or Paused a wait between attempts;
/// a terminal type an attempt's end before the run was resumed.
struct TimelinePhase {
    weft::Micros start = 0;
    weft::StateType type = weft::StateType::Running;
};

class TimelineModel : public QAbstractListModel {
    Q_OBJECT
public:
    explicit TimelineModel(Backend* backend, QObject* parent = nullptr);
    ~TimelineModel() override;

    /// Adapts a snapshot shared with the page's other views (not owned). Without one,
    /// setFlowRun() makes a snapshot of its own.
    void setSnapshot(RunSnapshot* snapshot);
    RunSnapshot* snapshot() const { return m_snapshot; }
    /// Shows the task runs of that flow run (an empty id clears); earlier answers are dropped.
    void setFlowRun(const QString& flowRunId);
    QString flowRunId() const;
    bool isLoading() const;
    /// "couldn't load task runs: …", or empty.
    QString errorString() const;
    /// Task runs of the run that never started, so have no bar (the view says how many).
    int notStartedCount() const;

    // QAbstractItemModel: one row per interval, in start order; roles in timelineroles.h.
    int rowCount(const QModelIndex& parent = {}) const override;
    QVariant data(const QModelIndex& index, int role = Qt::DisplayRole) const override;
    QHash<int, QByteArray> roleNames() const override;

    // Direct access for painting (no QVariant per bar). Indexes are rows.
    int count() const { return int(m_intervals.size()); }
    const TimelineInterval& interval(int i) const { return m_intervals[size_t(i)]; }
    const std::vector<TimelineInterval>& intervals() const { return m_intervals; }
    /// The first interval that may end at or after `t` (count() when none): with lastIndex(),
    /// [firstIndex(t0), lastIndex(t1)] holds every interval overlapping [t0, t1], plus a few
    /// that end before t0, which callers skip.
    int firstIndex(weft::Micros t) const;
    /// The last interval that starts at or before `t` (-1 when none).
    int lastIndex(weft::Micros t) const;
    /// Where an interval ends, open ones at openEnd().
    weft::Micros endOf(const TimelineInterval& iv) const {
        return iv.open ? std::max(openEnd(), iv.start) : iv.end;
    }
    /// Phases of a retried interval (empty for one that ran once).
    std::span<const TimelinePhase> phases(int i) const {
        return interval(i).retried ? std::span<const TimelinePhase>(task(i).phases)
                                   : std::span<const TimelinePhase>();
    }
    QString taskRunId(int i) const { return QString::fromStdString(task(i).id); }
    QString name(int i) const;
    QString taskKey(int i) const { return task(i).taskKey; }
    QString stateName(int i) const;
    /// Rich text: name, state, start, end, duration, attempts.
    QString toolTip(int i) const;
    /// The row of that task run, or -1 when it has not started (or is unknown).
    int indexOfTaskRun(const QString& taskRunId) const;

    // Lanes: the timeline's rows.
    void setGroupByTaskKey(bool grouped);
    bool groupByTaskKey() const { return m_grouped; }
    int laneCount() const { return m_laneCount; }
    /// A lane's label: the task run's name, or (grouped) the task key on its group's first lane.
    QString laneLabel(int lane) const;
    struct LaneGroup {
        QString taskKey;
        int firstLane = 0;
        int lanes = 0;
        int intervals = 0;
    };
    /// Grouped by task key: the groups, in lane order (empty otherwise).
    const std::vector<LaneGroup>& groups() const { return m_groups; }

    // The run itself.
    weft::StateType runState() const { return m_run.state; }
    QString runName() const { return m_run.name; }
    std::optional<weft::Micros> runStart() const { return m_run.start; }
    std::optional<weft::Micros> runEnd() const { return m_run.end; }
    /// Neither the run nor every task run has ended: the picture changes with time.
    bool isLive() const;
    /// Where open intervals end: now(), or the run's end once the run is over.
    weft::Micros openEnd() const;
    /// The span to show: the run's start (or the first task run's) to its end (or now()).
    weft::Micros rangeStart() const;
    weft::Micros rangeEnd() const;
    /// Wall-clock time, or a fixed time for tests and pictures (0 = the clock again).
    weft::Micros now() const;
    void setFixedNow(weft::Micros t) { m_fixedNow = t; }

Q_SIGNALS:
    void loadingChanged(bool loading);
    /// The first answer for setFlowRun() is in.
    void loaded();
    /// Once per applied change (a load, a batch of events, a refresh): repaint.
    void updated();
    void errorChanged(const QString& error);

private:
    struct Task {
        std::string id;
        QString name;
        QString taskKey;
        QString stateName;
        std::string stateId;
        weft::Micros stateTs = 0;
        weft::StateType state = weft::StateType::Pending;
        int runCount = 0;
        weft::Micros runTime = 0; // total_run_time: time spent RUNNING
        std::optional<weft::Micros> start;
        std::optional<weft::Micros> end;
        std::vector<TimelinePhase> phases; // only for runs that waited between attempts
        bool placeholder = true;           // known from the feed only
        bool placed = false;               // has an interval
        bool historyAsked = false;         // its state history was fetched once
    };
    const Task& task(int i) const { return m_tasks[size_t(interval(i).task)]; }
    struct Changes {
        std::vector<int> started; // tasks that got an interval
        std::vector<int> changed; // tasks whose interval changed
        bool reorder = false;     // a start moved: rebuild the order
        bool run = false;         // the run's own state or range changed
        std::vector<int> history; // retried tasks whose state history to fetch
    };
    static bool before(const TimelineInterval& a, const TimelineInterval& b) {
        return a.start != b.start ? a.start < b.start : a.task < b.task;
    }

    void clear();
    void onReset();
    void onUpdated(const RunSnapshot::Delta& delta);
    void syncRun();
    void syncTask(int index, Changes& c);
    int addTask(const std::string& id);
    void applyTaskState(int task, const weft::State& s, Changes& c);
    void setState(int task, const weft::State& s);
    /// Gives a task run that started its interval, or notes that its interval changed.
    void place(int task, Changes& c, bool changed);
    void commit(Changes& c);
    int findInterval(int task) const;
    TimelineInterval makeInterval(int task) const;
    /// Lanes for `ivs` (sorted), with the groups and lane count they give.
    void assignLanes(std::vector<TimelineInterval>& ivs, std::vector<LaneGroup>& groups,
                     int& laneCount) const;
    void setLanes(std::vector<LaneGroup> groups, int lanes);
    void recomputeMaxEnd(size_t from);
    void fetchHistories(std::vector<int> tasks);

    Backend* m_backend;
    std::unique_ptr<RunSnapshot> m_own;
    QPointer<RunSnapshot> m_snapshot;
    quint64 m_gen = 0;
    bool m_loading = false;

    struct RunInfo {
        bool known = false;
        QString name;
        weft::StateType state = weft::StateType::Pending;
        std::optional<weft::Micros> start;
        std::optional<weft::Micros> end;
        weft::Micros created = 0;
        weft::Micros stateTs = 0;
        std::string stateId;
    } m_run;

    std::vector<Task> m_tasks; // every task run of the run, started or not; index = stable id
    std::unordered_map<std::string, int> m_taskIndex;
    std::vector<TimelineInterval> m_intervals; // the started ones, sorted by (start, task)
    std::vector<weft::Micros> m_maxEnd;        // running maximum of ends (open: the maximum)
    int m_openCount = 0;
    bool m_grouped = false;
    int m_laneCount = 0;
    std::vector<LaneGroup> m_groups;
    std::vector<int> m_laneGroup; // lane → group (grouped), for labels
    weft::Micros m_maxClosedEnd = 0;
    weft::Micros m_fixedNow = 0;
};

} // namespace weft::studio
