#pragma once
// The graph of a flow run's task runs, laid out and live: what RunGraphView paints.
//
// The top level adapts a RunSnapshot (the run page's, shared with its other views), and each
// expanded subflow adapts the RunSnapshot of its child run (from RunSnapshots, shared with that
// run's page when it is open): the model keeps no task runs of its own, only what a layout needs.
// A pool thread builds the scene (graph/rungraphscene.h: groups, subflow frames, daglayout,
// grids); a generation counter drops superseded layouts. Live: state changes recolour nodes in
// place (nodesChanged, no re-layout); new task runs join after a short debounce as one re-layout
// (aboutToChangeLayout / layoutChanged, so a view can keep its viewport still).
//
// Nodes are indices into the current scene and change with each layout; task-run ids do not.
// Every method is GUI-thread only.
#include "backend/backend.h"
#include "graph/rungraphscene.h"
#include "runs/runsnapshot.h"

#include <QHash>
#include <QStringList>
#include <QTimer>
#include <QVector>
#include <array>
#include <memory>
#include <set>
#include <string>
#include <unordered_map>

namespace weft::studio {

/// Task runs per state type, indexed by int(weft::StateType).
using RunGraphStateCounts = StateCounts;

class RunGraphModel : public QObject {
    Q_OBJECT
public:
    /// Why the last layout changed: a view fits a new run or mode, and keeps its viewport still
    /// for expansions and live growth.
    enum class LayoutCause { NewRun, Mode, Expansion, Live };

    explicit RunGraphModel(Backend* backend, QObject* parent = nullptr);
    ~RunGraphModel() override;

    /// Adapts a snapshot shared with the page's other views (not owned): its task runs are the
    /// top level. Without one, setFlowRun() makes a snapshot of its own.
    void setSnapshot(RunSnapshot* snapshot);
    RunSnapshot* snapshot() const { return m_snapshot; }
    /// Shows a flow run's task runs (empty id: no graph).
    void setFlowRun(const QString& flowRunId);
    /// "couldn't load task runs: …" (the run's, or an expanded subflow's), or empty.
    QString errorString() const;
    /// Loads again after an error: the run's task runs (and subflows when expanded again).
    void retry();
    QString flowRunId() const { return m_flowRunId; }
    void setLayoutMode(DagMode mode);
    DagMode layoutMode() const { return m_mode; }
    /// Debounce of re-layouts after new task runs (ms, default 200).
    void setRelayoutDelay(int ms) { m_refetchTimer.setInterval(ms); }
    /// True from setFlowRun() until its first layout, and while a subflow's task runs load.
    bool isLoading() const { return m_loading; }
    LayoutCause lastLayoutCause() const { return m_lastCause; }
    /// Layouts applied so far (tests and benchmarks).
    int layoutCount() const { return m_layoutCount; }

    // The current scene: valid after layoutChanged().
    const RunGraphScene& scene() const { return *m_scene; }
    int nodeCount() const { return int(m_scene->nodes.size()); }
    int edgeCount() const { return int(m_scene->edges.size()); }
    QRectF boundingRect() const { return m_scene->bounds; }
    QRectF nodeRect(int node) const;
    RunGraphNodeKind nodeKind(int node) const;
    /// The task run's name; a group's task key.
    QString nodeLabel(int node) const;
    /// The task run shown; a group's first member.
    QString nodeTaskRunId(int node) const;
    /// A subflow call's child flow run, else empty.
    QString nodeChildFlowRunId(int node) const;
    /// A group's most urgent member state (failed before running before completed …).
    weft::StateType nodeStateType(int node) const;
    QString nodeStateName(int node) const;
    /// Run time in seconds (a running task: until now); -1 when it has not started.
    double nodeDuration(int node) const;
    /// Task runs the node stands for: a group's size, else 1.
    int nodeMemberCount(int node) const;
    const RunGraphStateCounts& nodeStateCounts(int node) const;
    QStringList nodeTags(int node) const;
    bool nodeHasTag(int node, int tagId) const;
    bool isExpandable(int node) const;
    /// A subflow frame, or a member of an expanded group.
    bool isExpanded(int node) const;
    /// Expands a group or a subflow call (fetching its child run's task runs); collapsing a member
    /// of an expanded group collapses the group. Re-lays out.
    void setExpanded(int node, bool expanded);
    void setGroupExpanded(int group, bool expanded);
    /// Every `.map` group of the shown levels at once.
    void setAllGroupsExpanded(bool expanded);

    /// Nodes whose box intersects `rect` (frames included), each once, in no particular order.
    QVector<int> nodesIn(const QRectF& rect) const;
    void nodesIn(const QRectF& rect, std::vector<int>& out) const;
    void edgesIn(const QRectF& rect, std::vector<int>& out) const;
    /// The innermost node under a scene point, or -1.
    int nodeAt(const QPointF& scenePos) const;
    /// The node showing that task run (its group's node when collapsed), or -1.
    int nodeForTaskRun(const QString& taskRunId) const;
    const QPolygonF& edgePolyline(int edge) const { return m_scene->edges[size_t(edge)].points; }
    int edgeSource(int edge) const { return m_scene->edges[size_t(edge)].from; }
    int edgeTarget(int edge) const { return m_scene->edges[size_t(edge)].to; }
    /// The edge only orders its runs (the task's wait_for): no data went along it.
    bool edgeIsOrderOnly(int edge) const { return m_scene->edges[size_t(edge)].orderOnly; }

    /// Every tag of the loaded task runs, in first-seen order; tag ids index this list.
    QStringList tags() const { return m_tagNames; }
    int tagId(const QString& tag) const { return m_tagIds.value(tag, -1); }
    /// Task runs per state over the nodes shown.
    const RunGraphStateCounts& stateTotals() const { return m_totals; }
    /// Task runs loaded (top level and loaded subflows).
    int taskRunCount() const { return int(m_runs.size()); }

Q_SIGNALS:
    void loadingChanged(bool loading);
    void aboutToChangeLayout();
    void layoutChanged();
    /// States changed in place; the nodes keep their boxes.
    void nodesChanged(const QVector<int>& nodes);
    void tagsChanged();
    void errorChanged(const QString& error);

private:
    struct Run {
        std::string id;
        QString name, taskKey, childFlowRunId;
        int key = 0;
        int owner = -1; // subflow task run whose child run holds this one; -1 = top level
        weft::StateType type = weft::StateType::Pending;
        QString stateName;
        weft::Micros stateTime = 0, start = 0, end = 0, expected = 0; // 0 = unknown
        weft::Micros runTime = 0; // total_run_time: RUNNING time over attempts
        std::vector<int> upstream;
        std::vector<char> orderOnly; // per upstream entry: a wait_for edge, no data passed
        struct Unresolved {
            std::string id;
            bool orderOnly = false;
        };
        std::vector<Unresolved> unresolved; // upstream runs not loaded yet
        std::vector<int> tags;
        std::vector<QString> tagNames; // from prepare() until merge() interns them
        enum { NotLoaded, Loading, Loaded } child = NotLoaded;
    };

    void onSnapshotReset();
    /// The snapshot a level follows: the top level's (owner -1) or an expanded subflow's.
    RunSnapshot* snapshotOf(int owner) const;
    void attachChild(int owner);
    void dropChildren();
    void onChildReset(int owner);
    void onChildError(const QString& error);
    void onUpdated(int owner, const RunSnapshot::Delta& delta);
    /// Turns the level's task runs not shown yet into runs (on the pool) and merges them.
    void adopt(int owner, LayoutCause cause);
    /// Applies the level's current records to its runs shown; true when a re-layout is due.
    bool catchUp(int owner);
    bool applyRecord(int run, const weft::TaskRunRecord& rec, QVector<int>& changed);
    void resolveUpstream();
    int internKey(const QString& taskKey);
    std::size_t countOf(int owner) const;
    static std::shared_ptr<std::vector<Run>> prepare(std::vector<weft::TaskRunRecord>&& records);
    bool merge(int owner, std::vector<Run>&& runs);
    void refetchDirty();
    void requestLayout(LayoutCause cause);
    void applyScene(std::shared_ptr<RunGraphScene> scene, LayoutCause cause);
    void recount();
    void setLoading(bool loading);
    const Run* runOf(int node) const;

    QPointer<Backend> m_backend;
    std::unique_ptr<RunSnapshot> m_own;
    QPointer<RunSnapshot> m_snapshot;
    QString m_subflowError;
    QString m_flowRunId;
    DagMode m_mode = DagMode::Layered;
    std::vector<Run> m_runs;
    std::unordered_map<std::string, int> m_runIndex; // task run id → run
    // Expanded (or once expanded) subflow call → its child run's snapshot, shared.
    std::unordered_map<int, std::shared_ptr<RunSnapshot>> m_children;
    QHash<QString, int> m_keyIds;
    QStringList m_tagNames;
    QHash<QString, int> m_tagIds;
    std::vector<char> m_expandedSubflow, m_expandedGroup; // per run
    weft::Micros m_origin = 0;                            // time zero of the layout's seconds
    std::set<int> m_dirty; // levels (owners, -1: top) with task runs not shown yet
    QTimer m_refetchTimer;
    quint64 m_loadGen = 0, m_layoutGen = 0;
    int m_pendingLoads = 0; // loads for a new run or an expansion, not live ones
    bool m_loading = false;
    LayoutCause m_lastCause = LayoutCause::NewRun;
    int m_layoutCount = 0;

    std::shared_ptr<const RunGraphScene> m_scene;
    std::vector<RunGraphStateCounts> m_nodeCounts; // per node
    std::vector<std::vector<int>> m_nodeTags;      // per node, sorted tag ids
    RunGraphStateCounts m_totals{};
};

} // namespace weft::studio
