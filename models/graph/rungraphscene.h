#pragma once
// The run graph as drawn: node boxes, edge polylines, subflow frames and `.map` groups, built from
// plain data by a pure function (buildRunGraphScene) that RunGraphModel runs on a pool thread, plus
// uniform grids so a view paints only the nodes and edges it shows.
#include "daglayout/daglayout.h"

#include <QPolygonF>
#include <QRectF>
#include <cmath>
#include <cstdint>
#include <limits>
#include <memory>
#include <vector>

namespace weft::studio {

/// Box sizes of the scene in pixels at zoom 1, shared by the builder and the painter.
namespace RunGraphMetrics {
inline constexpr double TaskWidth = 188, TaskHeight = 46;
inline constexpr double GroupWidth = 208, GroupHeight = 66;
/// A collapsed subflow call: a task box plus room for its expand chevron, so its label and
/// "· subflow" fit as a task's do.
inline constexpr double SubflowWidth = TaskWidth + 26;
inline constexpr double FrameHeader = 34, FramePadding = 16;
inline constexpr double GroupFramePadding = 7;
inline constexpr double LayerGap = 72, NodeGap = 18;
} // namespace RunGraphMetrics

enum class RunGraphNodeKind : std::uint8_t {
    Task,         ///< one task run
    Group,        ///< a collapsed `.map` fan-out: many task runs as one node
    Subflow,      ///< a collapsed subflow call (a task run with a child flow run)
    SubflowFrame, ///< an expanded subflow call: a frame around the child run's task runs
};

struct RunGraphNode {
    QRectF rect;
    RunGraphNodeKind kind = RunGraphNodeKind::Task;
    int run = -1;   ///< the task run shown (index into the model's runs); a Group's first member
    int group = -1; ///< RunGraphScene::groups index: a Group node, or a member of an expanded group
    int frame = -1; ///< the SubflowFrame node this node sits in; -1 at the top level
    int depth = 0;  ///< subflow nesting level
};

struct RunGraphEdge {
    int from = -1, to = -1; ///< node indices
    bool orderOnly = false; ///< every run edge it stands for is a wait_for (no data passed)
    QPolygonF points;       ///< from the source box's border to the target box's border
    QRectF bounds;          ///< of the points, padded for the arrowhead
};

/// A `.map` fan-out: task runs of one task key sharing one set of upstream task runs (>= 2).
struct RunGraphGroup {
    std::vector<int> members; ///< run indices, ascending
    int node = -1;            ///< its Group node when collapsed; -1 when expanded
    QRectF frame;             ///< when expanded: the members' bounding box, padded
};

/// A uniform grid over rectangles. Items covering many cells are kept aside and tested one by one.
class RunGraphGrid {
public:
    void build(const std::vector<QRectF>& rects, const QRectF& bounds);
    /// Appends to `out` each item whose rectangle intersects `r`, once, in no particular order.
    /// Not thread-safe (scratch marks): one thread queries a grid at a time.
    void query(const QRectF& r, std::vector<int>& out) const;
    int size() const { return int(m_rects.size()); }

private:
    QRectF m_bounds;
    int m_cols = 0, m_rows = 0;
    std::vector<int> m_cellStart; // cell c's items are m_items[m_cellStart[c] .. m_cellStart[c+1])
    std::vector<int> m_items;
    std::vector<int> m_big;
    std::vector<QRectF> m_rects;
    mutable std::vector<std::uint32_t> m_mark;
    mutable std::uint32_t m_stamp = 0;
};

struct RunGraphScene {
    std::vector<RunGraphNode> nodes; ///< a frame comes before the nodes inside it
    std::vector<RunGraphEdge> edges;
    std::vector<RunGraphGroup> groups;
    std::vector<int> frames;    ///< SubflowFrame nodes, outer before inner
    std::vector<int> nodeOfRun; ///< run index → the node that shows it, or -1
    QRectF bounds;              ///< every box, group frame and edge
    RunGraphGrid nodeGrid, edgeGrid;
    DagMode mode = DagMode::Layered;
    double pixelsPerSecond = 0; ///< TemporalByStart: the time scale used
};

/// What buildRunGraphScene() needs: plain data copied on the GUI thread.
struct RunGraphInput {
    static constexpr double Unknown = std::numeric_limits<double>::quiet_NaN();
    struct Run {
        int owner = -1; ///< the subflow task run whose child run this belongs to; -1 = top level
        int key = 0;    ///< the task key, interned
        std::vector<int> upstream;             ///< run indices
        std::vector<char> orderOnly;           ///< per upstream entry (may be empty: all data)
        double start = Unknown, end = Unknown; ///< seconds
        bool subflow = false;                  ///< has a child flow run
    };
    std::vector<Run> runs;
    std::vector<char> expandedSubflow; ///< per run: its child run's task runs are shown
    std::vector<char> expandedGroup;   ///< per run: the group it is the first member of is expanded
    DagLayoutOptions options;
};

/// Groups, collapses, lays out each subflow level (inner levels first, so a frame is as big as
/// its content) and indexes the result. Pure and thread-safe.
std::shared_ptr<RunGraphScene> buildRunGraphScene(const RunGraphInput& in);

} // namespace weft::studio
