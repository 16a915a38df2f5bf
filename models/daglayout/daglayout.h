#pragma once
// Layout of a flow run's graph of task runs, as a pure function of plain data.
//
// computeDagLayout() reads only its arguments and touches no global state (no Qt either), so the
// GUI runs it on a pool thread and applies the result on the GUI thread; it is reentrant and
// thread-safe. The output is deterministic: the same input gives the same layout, bit for bit.
//
// Coordinates are pixels; x grows to the right, y downwards. "Main axis" below means the axis the
// layers (or time) run along: x when `horizontal` (layers left to right), y otherwise.
#include <set>
#include <utility>
#include <vector>

namespace weft::studio {

/// A graph to lay out: nodes 0..n-1 with n = width.size().
struct DagInput {
    std::vector<double> width, height; ///< box size per node, pixels (a missing height counts as 0)
    /// upstream → downstream. Duplicates are allowed (each gets its own polyline); edges naming a
    /// node outside 0..n-1 are ignored (empty polyline); cycles are broken, never hang.
    std::vector<std::pair<int, int>> edges;
    /// Optional (empty or size n), seconds, for the temporal and depth modes. A non-finite start
    /// counts as the earliest start; a missing or non-finite end (a running task: pass "now"
    /// instead to draw it growing) counts as its start.
    std::vector<double> start, end;
    /// Optional (empty or size n): nodes sharing a group id >= 0 are the task runs of one `.map`
    /// fan-out. computeDagLayout() ignores it; collapseGroups() folds each group into one node.
    std::vector<int> group;
};

enum class DagMode {
    Layered,         ///< Sugiyama layers by dependency, crossing reduction, compact coordinates
    TemporalByStart, ///< main axis from start time (depth without `start`); nearest-parent rows
    DepthWaterfall,  ///< main axis by dependency depth; one row per node, a staircase by depth
    DepthByDuration, ///< main axis by dependency depth; one row per node, longest first
};

/// How the non-layered modes choose rows (Prefect's "vertical" settings), so every pairing of
/// time/depth with a row rule is available. ModeDefault takes the one the mode's name says
/// (NearestParent for TemporalByStart).
enum class DagRows {
    ModeDefault,
    NearestParent, ///< a node takes the free row nearest its latest-ending parent's row
    Waterfall,     ///< one row per node, ordered by main-axis position then start
    Duration,      ///< one row per node, longest duration first
};

struct DagLayoutOptions {
    DagMode mode = DagMode::Layered;
    DagRows rows = DagRows::ModeDefault; ///< ignored by DagMode::Layered
    double layerGap = 60;                ///< between layers (main axis), and around self-loops
    double nodeGap = 16;                 ///< between boxes of a layer or a row (cross axis)
    int maxSweeps = 8;                   ///< crossing-reduction passes, alternating down and up
    bool horizontal = true; ///< layers (or time) run left → right; else top → bottom
    /// TemporalByStart: time scale. 0 chooses one so the time span covers about
    /// max(1000, sqrt(n) × mean box length) pixels; the scale used is reported in the result.
    double pixelsPerSecond = 0;
};

struct DagLayout {
    std::vector<double> x, y; ///< top-left of each node box
    /// Box size as laid out: the input's, except that TemporalByStart stretches a box along the
    /// main axis to its end time, as a Gantt bar (never shorter than the input size).
    std::vector<double> nodeWidth, nodeHeight;
    /// Layered: layer index per node (per connected component, from 0). Other modes: dependency
    /// depth (longest path from a source).
    std::vector<int> layer;
    /// A polyline per input edge, from the source box's border to the target box's border,
    /// through the dummy nodes of a long edge. Empty for an ignored edge.
    std::vector<std::vector<std::pair<double, double>>> edgePoints;
    double width = 0, height = 0; ///< bounding box of boxes and polylines; its top-left is (0, 0)
    int crossings = -1;           ///< Layered: edge crossings after reduction; else -1
    /// TemporalByStart: main = (start - timeOrigin) × pixelsPerSecond. 0 in other modes.
    double pixelsPerSecond = 0, timeOrigin = 0;
};

DagLayout computeDagLayout(const DagInput& in, const DagLayoutOptions& opt = {});

/// The graph in which each `.map` group not in expandedGroups is one node, and the way back.
struct CollapsedGraph {
    /// A collapsed group's node is as big as its largest member, spans its members' times and keeps
    /// the group id; other nodes keep theirs. Edges are deduplicated; edges inside a group dropped.
    DagInput input;
    std::vector<int> nodeOf;               ///< original node → collapsed node
    std::vector<std::vector<int>> members; ///< collapsed node → original nodes, ascending
    std::vector<int> edgeOf;               ///< original edge → collapsed edge, or -1 if dropped
};

/// Collapsed nodes are numbered in the order of their first original node. Pure, thread-safe.
CollapsedGraph collapseGroups(const DagInput& in, const std::set<int>& expandedGroups);

} // namespace weft::studio
