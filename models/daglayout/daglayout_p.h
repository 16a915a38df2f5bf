#pragma once
// Internals of computeDagLayout(), shared by the daglayout*.cpp files. Not API.
//
// Everything here works in (main, cross) coordinates: main runs along the layers (or time), cross
// across them. computeDagLayout() maps them to (x, y) at the very end, so the algorithms are
// written once for both orientations.
#include "daglayout/daglayout.h"

#include <cstdint>
#include <span>

namespace weft::studio::detail {

using Edge = std::pair<int, int>;
using Point = std::pair<double, double>; // (main, cross)

/// Compressed adjacency lists: the neighbours of v are adj[start[v] .. start[v + 1]), ascending.
struct Adjacency {
    std::vector<int> start, adj;
    std::span<const int> of(int v) const {
        return {adj.data() + start[v], adj.data() + start[v + 1]};
    }
    int degree(int v) const { return start[v + 1] - start[v]; }
};
/// Successors of each node, or predecessors when `incoming`.
Adjacency buildAdjacency(int n, std::span<const Edge> edges, bool incoming);

/// Per edge, whether reversing it makes the graph acyclic (the back edges of a depth-first search
/// in node order). Edges must not be self-loops.
std::vector<char> findBackEdges(int n, std::span<const Edge> edges);

/// Longest-path layers of a DAG, sources at 0. With `pullDown`, a node with more outgoing than
/// incoming edges then moves as close to its successors as it can (shorter edges in total, fewer
/// dummy nodes), and layers left without any node are squeezed out.
std::vector<int> longestPathLayers(int n, std::span<const Edge> dagEdges, bool pullDown);

/// Edge crossings between consecutive layers of a proper layered graph (every edge spans one
/// layer); `pos` is each node's index in its layer. O(E log V) (Barth, Jünger, Mutzel).
std::int64_t countCrossings(const std::vector<std::vector<int>>& layers, const Adjacency& down,
                            std::span<const int> pos);

/// Barycentric crossing reduction: at most maxSweeps passes, alternately down and up; keeps the
/// best order seen. Reorders `layers` in place and returns its crossings.
std::int64_t reduceCrossings(std::vector<std::vector<int>>& layers, const Adjacency& up,
                             const Adjacency& down, int maxSweeps);

/// Cross-axis centres for a proper layered graph in its final order: compact, each node near the
/// weighted barycentre of its neighbours, long edges (dummy nodes >= realCount) kept straight.
std::vector<double> assignCrossCoordinates(const std::vector<std::vector<int>>& layers,
                                           const Adjacency& up, const Adjacency& down,
                                           std::span<const double> crossSize, int realCount,
                                           double nodeGap);

/// A connected component laid out alone, in its own coordinates from (0, 0).
struct ComponentLayout {
    std::vector<double> main, cross; ///< top-left per node
    std::vector<int> layer;
    std::vector<std::vector<Point>> edgePoints; ///< per edge passed in
    double mainExtent = 0, crossExtent = 0;
    std::int64_t crossings = 0;
};
/// `edges`: local ids, unique, no self-loops.
ComponentLayout layoutComponent(std::span<const double> mainSize, std::span<const double> crossSize,
                                std::span<const Edge> edges, const DagLayoutOptions& opt);

/// The layout before axes are mapped to x/y.
struct AxisLayout {
    std::vector<double> main, cross, mainSize, crossSize; // per node; position is the top-left
    std::vector<int> layer;
    std::vector<std::vector<Point>> edgePoints; // per input edge
    std::int64_t crossings = -1;
    double pixelsPerSecond = 0, timeOrigin = 0;
};

/// The input edges that name two valid nodes, as (u, v, input index); self-loops included.
struct ValidEdge {
    int from, to, index;
};
std::vector<ValidEdge> validEdges(const DagInput& in);

/// Polyline of a self-loop on a box: out of its downstream side and back in.
std::vector<Point> selfLoop(double main, double cross, double mainSize, double crossSize,
                            const DagLayoutOptions& opt);

/// TemporalByStart, DepthWaterfall and DepthByDuration. `out` has main/cross sizes filled in.
void layoutByRows(const DagInput& in, const DagLayoutOptions& opt, AxisLayout& out);

} // namespace weft::studio::detail
