// The layered (Sugiyama) pipeline for one connected component: break cycles, assign layers, split
// long edges with dummy nodes, order the layers, place the nodes, route the edges.
#include "daglayout/daglayout_p.h"

#include <algorithm>
#include <numeric>

namespace weft::studio::detail {

Adjacency buildAdjacency(int n, std::span<const Edge> edges, bool incoming) {
    Adjacency a;
    a.start.assign(n + 1, 0);
    for (const auto& [u, v] : edges)
        ++a.start[(incoming ? v : u) + 1];
    std::partial_sum(a.start.begin(), a.start.end(), a.start.begin());
    a.adj.resize(edges.size());
    std::vector<int> fill(a.start.begin(), a.start.end() - 1);
    for (const auto& [u, v] : edges) {
        if (incoming)
            a.adj[fill[v]++] = u;
        else
            a.adj[fill[u]++] = v;
    }
    // Sorted lists make every later traversal independent of the input's edge order.
    for (int v = 0; v < n; ++v)
        std::sort(a.adj.begin() + a.start[v], a.adj.begin() + a.start[v + 1]);
    return a;
}

std::vector<char> findBackEdges(int n, std::span<const Edge> edges) {
    // Edge indices grouped by source, each group by target: a deterministic DFS.
    std::vector<int> start(n + 1, 0), byFrom(edges.size());
    for (const auto& e : edges)
        ++start[e.first + 1];
    std::partial_sum(start.begin(), start.end(), start.begin());
    std::vector<int> fill(start.begin(), start.end() - 1);
    for (int i = 0; i < int(edges.size()); ++i)
        byFrom[fill[edges[i].first]++] = i;
    for (int v = 0; v < n; ++v)
        std::sort(byFrom.begin() + start[v], byFrom.begin() + start[v + 1],
                  [&](int a, int b) { return edges[a].second < edges[b].second; });

    enum : char { White, OnStack, Done };
    std::vector<char> back(edges.size(), 0), state(n, White);
    std::vector<std::pair<int, int>> stack; // node, next edge slot; iterative: no recursion depth
    for (int root = 0; root < n; ++root) {
        if (state[root] != White) continue;
        state[root] = OnStack;
        stack.emplace_back(root, start[root]);
        while (!stack.empty()) {
            const int v = stack.back().first;
            const int slot = stack.back().second;
            if (slot == start[v + 1]) {
                state[v] = Done;
                stack.pop_back();
                continue;
            }
            ++stack.back().second;
            const int e = byFrom[slot];
            const int w = edges[e].second;
            if (state[w] == OnStack) {
                back[e] = 1; // closes a cycle: reversing it breaks that cycle
            } else if (state[w] == White) {
                state[w] = OnStack;
                stack.emplace_back(w, start[w]);
            }
        }
    }
    return back;
}

std::vector<int> longestPathLayers(int n, std::span<const Edge> dagEdges, bool pullDown) {
    const Adjacency out = buildAdjacency(n, dagEdges, false);
    const Adjacency in = buildAdjacency(n, dagEdges, true);
    // Kahn's topological order, sources in id order.
    std::vector<int> pending(n), order;
    order.reserve(n);
    for (int v = 0; v < n; ++v)
        if ((pending[v] = in.degree(v)) == 0) order.push_back(v);
    for (size_t head = 0; head < order.size(); ++head)
        for (int w : out.of(order[head]))
            if (--pending[w] == 0) order.push_back(w);
    if (int(order.size()) < n) // a cycle slipped through: place the rest rather than hang
        for (int v = 0; v < n; ++v)
            if (pending[v] > 0) order.push_back(v);

    std::vector<int> layer(n, 0);
    for (int v : order)
        for (int w : out.of(v))
            layer[w] = std::max(layer[w], layer[v] + 1);
    if (!pullDown) return layer;

    // Successors are final when a node is visited in reverse topological order, and longest path
    // guarantees min(successor layer) - 1 >= the node's layer, so this never breaks an edge.
    for (auto it = order.rbegin(); it != order.rend(); ++it) {
        const int v = *it;
        if (out.degree(v) <= in.degree(v)) continue;
        int lowest = layer[out.of(v)[0]];
        for (int w : out.of(v))
            lowest = std::min(lowest, layer[w]);
        layer[v] = std::max(layer[v], lowest - 1);
    }
    // A layer crossed only by long edges would just add a gap: renumber the occupied ones.
    const int top = n ? *std::max_element(layer.begin(), layer.end()) : 0;
    std::vector<int> rank(top + 1, 0);
    for (int l : layer)
        rank[l] = 1;
    for (int l = 0, next = 0; l <= top; ++l)
        rank[l] = rank[l] ? next++ : -1;
    for (int& l : layer)
        l = rank[l];
    return layer;
}

namespace {

// Depth-first order from the sources: a node's subtree lands in consecutive slots, so trees and
// fan-outs start with no crossings and the sweeps only have to repair what is left.
std::vector<std::vector<int>> initialOrder(std::span<const int> layerOf, int layerCount,
                                           const Adjacency& up, const Adjacency& down) {
    const int n = int(layerOf.size());
    std::vector<std::vector<int>> layers(layerCount);
    std::vector<char> seen(n, 0);
    std::vector<int> stack;
    auto visitFrom = [&](int root) {
        stack.push_back(root);
        while (!stack.empty()) {
            const int v = stack.back();
            stack.pop_back();
            if (seen[v]) continue;
            seen[v] = 1;
            layers[layerOf[v]].push_back(v);
            const auto children = down.of(v);
            for (auto c = children.rbegin(); c != children.rend(); ++c) // first child on top
                if (!seen[*c]) stack.push_back(*c);
        }
    };
    for (int v = 0; v < n; ++v)
        if (up.degree(v) == 0) visitFrom(v);
    for (int v = 0; v < n; ++v) // unreachable only if the caller broke the DAG contract
        if (!seen[v]) visitFrom(v);
    return layers;
}

struct DummyNodes {
    std::vector<int> layerOf;               // per node, real ones then dummies
    std::vector<Edge> segments;             // the proper graph: every edge spans one layer
    std::vector<int> pathFirst, pathLength; // per edge: its dummies, consecutive ids by layer
};

// Splits every edge longer than one layer with dummy nodes (ids n, n + 1, ...). The long edges
// leaving one node, or entering one, share a single chain (a trunk) and branch off it at the
// layer before their target (or join it after their source): a task feeding every other task,
// such as a config or parameters task, would otherwise cost n × layers dummy nodes and be drawn
// as thousands of parallel lines rather than one bus.
DummyNodes splitLongEdges(const std::vector<int>& layer, std::span<const Edge> edges) {
    const int n = int(layer.size());
    const int m = int(edges.size());
    DummyNodes d;
    d.layerOf = layer;
    d.segments.reserve(m);
    d.pathFirst.assign(m, 0);
    d.pathLength.assign(m, 0);
    auto span = [&](int k) { return layer[edges[k].second] - layer[edges[k].first]; };

    std::vector<int> longOut(n, 0), longIn(n, 0);
    for (int k = 0; k < m; ++k)
        if (span(k) > 1) {
            ++longOut[edges[k].first];
            ++longIn[edges[k].second];
        }
    enum : char { Short, Own, OutOfTrunk, IntoTrunk };
    std::vector<char> kind(m, Short);
    std::vector<int> reachOut(n, -1), reachIn(n, -1); // last / first layer a trunk serves
    for (int k = 0; k < m; ++k) {
        const auto [u, v] = edges[k];
        if (span(k) <= 1) continue;
        if (longOut[u] >= 2 && longOut[u] >= longIn[v]) {
            kind[k] = OutOfTrunk;
            reachOut[u] = std::max(reachOut[u], layer[v]);
        } else if (longIn[v] >= 2) {
            kind[k] = IntoTrunk;
            reachIn[v] = reachIn[v] < 0 ? layer[u] : std::min(reachIn[v], layer[u]);
        } else {
            kind[k] = Own;
        }
    }
    // A chain of dummies in layers from..to, linked from `from`'s predecessor; returns its first.
    auto chain = [&](int before, int from, int to) {
        const int first = int(d.layerOf.size());
        for (int l = from; l <= to; ++l) {
            const int id = int(d.layerOf.size());
            d.layerOf.push_back(l);
            if (l > from || before >= 0) d.segments.emplace_back(l > from ? id - 1 : before, id);
        }
        return first;
    };
    std::vector<int> trunkOut(n, -1), trunkIn(n, -1);
    for (int v = 0; v < n; ++v) {
        if (reachOut[v] >= 0) trunkOut[v] = chain(v, layer[v] + 1, reachOut[v] - 1);
        if (reachIn[v] >= 0) {
            trunkIn[v] = chain(-1, reachIn[v] + 1, layer[v] - 1);
            d.segments.emplace_back(int(d.layerOf.size()) - 1, v);
        }
    }
    for (int k = 0; k < m; ++k) {
        const auto [u, v] = edges[k];
        const int length = span(k) - 1;
        d.pathLength[k] = length;
        switch (kind[k]) {
        case Short:
            d.segments.emplace_back(u, v);
            break;
        case Own:
            d.pathFirst[k] = chain(u, layer[u] + 1, layer[v] - 1);
            d.segments.emplace_back(d.pathFirst[k] + length - 1, v);
            break;
        case OutOfTrunk: // the trunk's first `length` dummies, then off to v
            d.pathFirst[k] = trunkOut[u];
            d.segments.emplace_back(trunkOut[u] + length - 1, v);
            break;
        case IntoTrunk: // onto the trunk's last `length` dummies
            d.pathFirst[k] = trunkIn[v] + (layer[u] + 1) - (reachIn[v] + 1);
            d.segments.emplace_back(u, d.pathFirst[k]);
            break;
        }
    }
    return d;
}
} // namespace

ComponentLayout layoutComponent(std::span<const double> mainSize, std::span<const double> crossSize,
                                std::span<const Edge> edges, const DagLayoutOptions& opt) {
    const int n = int(mainSize.size());
    const int m = int(edges.size());
    ComponentLayout out;

    // 1. Acyclic: reverse back edges. Reversing one edge of a 2-cycle duplicates the other, so
    //    the reversed set is deduplicated and each input edge keeps the index of its dag edge.
    const std::vector<char> back = findBackEdges(n, edges);
    std::vector<Edge> dag(edges.begin(), edges.end());
    for (int e = 0; e < m; ++e)
        if (back[e]) dag[e] = {edges[e].second, edges[e].first};
    std::vector<Edge> unique = dag;
    std::sort(unique.begin(), unique.end());
    unique.erase(std::unique(unique.begin(), unique.end()), unique.end());

    // 2. Layers.
    out.layer = longestPathLayers(n, unique, true);
    const int layerCount = n ? *std::max_element(out.layer.begin(), out.layer.end()) + 1 : 0;

    // 3. Dummy nodes.
    const DummyNodes dummies = splitLongEdges(out.layer, unique);
    const std::vector<int>& layerOf = dummies.layerOf;
    const std::vector<Edge>& segments = dummies.segments;
    const int total = int(layerOf.size());
    std::vector<double> crossAll(total, 0.0); // dummies are points: edges pass nodeGap apart
    std::copy(crossSize.begin(), crossSize.end(), crossAll.begin());
    const Adjacency up = buildAdjacency(total, segments, true);
    const Adjacency down = buildAdjacency(total, segments, false);

    // 4. Order within layers.
    std::vector<std::vector<int>> layers = initialOrder(layerOf, layerCount, up, down);
    out.crossings = reduceCrossings(layers, up, down, opt.maxSweeps);

    // 5. Cross axis: centres, then shifted so the component starts at 0.
    std::vector<double> centre =
        assignCrossCoordinates(layers, up, down, crossAll, n, std::max(0.0, opt.nodeGap));
    double lo = total ? centre[0] - crossAll[0] / 2 : 0, hi = lo;
    for (int v = 0; v < total; ++v) {
        lo = std::min(lo, centre[v] - crossAll[v] / 2);
        hi = std::max(hi, centre[v] + crossAll[v] / 2);
    }
    for (double& c : centre)
        c -= lo;
    out.crossExtent = hi - lo;

    // 6. Main axis: each layer as thick as its thickest box, boxes centred in it.
    const double layerGap = std::max(0.0, opt.layerGap);
    std::vector<double> thick(layerCount, 0.0), layerStart(layerCount, 0.0);
    for (int v = 0; v < n; ++v)
        thick[out.layer[v]] = std::max(thick[out.layer[v]], mainSize[v]);
    for (int l = 1; l < layerCount; ++l)
        layerStart[l] = layerStart[l - 1] + thick[l - 1] + layerGap;
    out.mainExtent = layerCount ? layerStart.back() + thick.back() : 0;
    out.main.resize(n);
    out.cross.resize(n);
    for (int v = 0; v < n; ++v) {
        out.main[v] = layerStart[out.layer[v]] + (thick[out.layer[v]] - mainSize[v]) / 2;
        out.cross[v] = centre[v] - crossSize[v] / 2;
    }

    // 7. Polylines: out of the upstream box, straight through each dummy's layer band (so an
    //    edge never cuts across the boxes of a layer it passes), into the downstream box.
    std::vector<std::vector<Point>> routes(unique.size());
    for (size_t k = 0; k < unique.size(); ++k) {
        const auto [u, v] = unique[k];
        auto& pts = routes[k];
        pts.emplace_back(out.main[u] + mainSize[u], centre[u]);
        const int first = dummies.pathFirst[k];
        for (int d = first; d < first + dummies.pathLength[k]; ++d) {
            const int l = layerOf[d];
            pts.emplace_back(layerStart[l], centre[d]);
            if (thick[l] > 0) pts.emplace_back(layerStart[l] + thick[l], centre[d]);
        }
        pts.emplace_back(out.main[v], centre[v]);
    }
    out.edgePoints.resize(m);
    for (int e = 0; e < m; ++e) {
        const auto k = std::lower_bound(unique.begin(), unique.end(), dag[e]) - unique.begin();
        out.edgePoints[e] = routes[k];
        if (back[e]) // drawn against the flow, but still from its source box to its target box
            std::reverse(out.edgePoints[e].begin(), out.edgePoints[e].end());
    }
    return out;
}

} // namespace weft::studio::detail
