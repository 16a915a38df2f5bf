// computeDagLayout(): input checks, connected components, packing, axes; and collapseGroups().
#include "daglayout/daglayout.h"
#include "daglayout/daglayout_p.h"

#include <algorithm>
#include <climits>
#include <cmath>
#include <map>
#include <numeric>

namespace weft::studio {

namespace detail {

std::vector<ValidEdge> validEdges(const DagInput& in) {
    const int n = int(in.width.size());
    std::vector<ValidEdge> valid;
    valid.reserve(in.edges.size());
    for (int i = 0; i < int(in.edges.size()); ++i) {
        const auto [u, v] = in.edges[i];
        if (u >= 0 && u < n && v >= 0 && v < n) valid.push_back({u, v, i});
    }
    return valid;
}

std::vector<Point> selfLoop(double main, double cross, double mainSize, double crossSize,
                            const DagLayoutOptions& opt) {
    const double out = main + mainSize + std::max(8.0, opt.layerGap / 4);
    const double c = cross + crossSize / 2, q = crossSize / 4;
    return {{main + mainSize, c - q}, {out, c - q}, {out, c + q}, {main + mainSize, c + q}};
}

namespace {

double sizeOr0(const std::vector<double>& sizes, int i) {
    const double s = i < int(sizes.size()) ? sizes[i] : 0.0;
    return std::isfinite(s) && s > 0 ? s : 0.0;
}

int findRoot(std::vector<int>& parent, int v) {
    while (parent[v] != v)
        v = parent[v] = parent[parent[v]]; // path halving
    return v;
}

// Lays out each connected component alone, then packs them: stacked along the cross axis in
// columns ("shelves") that advance along the main axis, each column about as long as the largest
// component or the square root of the total area, so that 10,000 isolated nodes make a block
// rather than one endless column.
void layoutLayered(const DagInput& in, const DagLayoutOptions& opt, AxisLayout& out) {
    const int n = int(out.mainSize.size());
    const std::vector<ValidEdge> valid = validEdges(in);
    std::vector<Edge> unique;
    unique.reserve(valid.size());
    for (const auto& e : valid)
        if (e.from != e.to) unique.emplace_back(e.from, e.to);
    std::sort(unique.begin(), unique.end());
    unique.erase(std::unique(unique.begin(), unique.end()), unique.end());

    // Components, numbered by their smallest node; local ids ascend with the global ones.
    std::vector<int> parent(n);
    std::iota(parent.begin(), parent.end(), 0);
    for (const auto& [u, v] : unique)
        parent[findRoot(parent, u)] = findRoot(parent, v);
    std::vector<int> compOfRoot(n, -1), comp(n), local(n);
    std::vector<std::vector<int>> members;
    for (int v = 0; v < n; ++v) {
        int& c = compOfRoot[findRoot(parent, v)];
        if (c < 0) {
            c = int(members.size());
            members.emplace_back();
        }
        comp[v] = c;
        local[v] = int(members[c].size());
        members[c].push_back(v);
    }
    const int comps = int(members.size());
    std::vector<std::vector<Edge>> compEdges(comps);
    std::vector<std::vector<int>> compEdgeIds(comps); // index into `unique`
    for (int k = 0; k < int(unique.size()); ++k) {
        const auto [u, v] = unique[k];
        compEdges[comp[u]].emplace_back(local[u], local[v]);
        compEdgeIds[comp[u]].push_back(k);
    }

    std::vector<detail::ComponentLayout> parts(comps);
    std::vector<double> mainSize, crossSize;
    double area = 0, longest = 0;
    for (int c = 0; c < comps; ++c) {
        auto& part = parts[c];
        if (members[c].size() == 1 && compEdges[c].empty()) { // the common lone node, cheaply
            const int v = members[c][0];
            part.main = part.cross = {0.0};
            part.layer = {0};
            part.mainExtent = out.mainSize[v];
            part.crossExtent = out.crossSize[v];
        } else {
            mainSize.clear();
            crossSize.clear();
            for (int v : members[c]) {
                mainSize.push_back(out.mainSize[v]);
                crossSize.push_back(out.crossSize[v]);
            }
            part = layoutComponent(mainSize, crossSize, compEdges[c], opt);
        }
        area += (part.mainExtent + std::max(0.0, opt.layerGap))
                * (part.crossExtent + std::max(0.0, opt.nodeGap));
        longest = std::max(longest, part.crossExtent);
    }

    const double shelfLength = std::max(longest, std::sqrt(area));
    double shelfMain = 0, shelfThickness = 0, crossAt = 0;
    std::vector<Point> origin(comps);
    for (int c = 0; c < comps; ++c) {
        if (crossAt > 0 && crossAt + parts[c].crossExtent > shelfLength) {
            shelfMain += shelfThickness + std::max(0.0, opt.layerGap);
            shelfThickness = crossAt = 0;
        }
        origin[c] = {shelfMain, crossAt};
        crossAt += parts[c].crossExtent + std::max(0.0, opt.nodeGap);
        shelfThickness = std::max(shelfThickness, parts[c].mainExtent);
    }

    out.main.resize(n);
    out.cross.resize(n);
    out.layer.resize(n);
    out.crossings = 0;
    for (int v = 0; v < n; ++v) {
        const auto& part = parts[comp[v]];
        out.main[v] = origin[comp[v]].first + part.main[local[v]];
        out.cross[v] = origin[comp[v]].second + part.cross[local[v]];
        out.layer[v] = part.layer[local[v]];
    }
    std::vector<std::vector<Point>> routes(unique.size());
    for (int c = 0; c < comps; ++c) {
        out.crossings += parts[c].crossings;
        for (size_t e = 0; e < compEdgeIds[c].size(); ++e) {
            auto& pts = routes[compEdgeIds[c][e]];
            pts = std::move(parts[c].edgePoints[e]);
            for (auto& [pm, pc] : pts) {
                pm += origin[c].first;
                pc += origin[c].second;
            }
        }
    }
    out.edgePoints.assign(in.edges.size(), {});
    for (const auto& e : valid) {
        if (e.from == e.to) {
            out.edgePoints[e.index] =
                detail::selfLoop(out.main[e.from], out.cross[e.from], out.mainSize[e.from],
                                 out.crossSize[e.from], opt);
        } else {
            const Edge key{e.from, e.to};
            const auto k = std::lower_bound(unique.begin(), unique.end(), key) - unique.begin();
            out.edgePoints[e.index] = routes[k];
        }
    }
}

} // namespace
} // namespace detail

DagLayout computeDagLayout(const DagInput& in, const DagLayoutOptions& opt) {
    const int n = int(in.width.size());
    detail::AxisLayout a;
    a.mainSize.resize(n);
    a.crossSize.resize(n);
    for (int v = 0; v < n; ++v) {
        const double w = detail::sizeOr0(in.width, v), h = detail::sizeOr0(in.height, v);
        a.mainSize[v] = opt.horizontal ? w : h;
        a.crossSize[v] = opt.horizontal ? h : w;
    }
    if (opt.mode == DagMode::Layered)
        detail::layoutLayered(in, opt, a);
    else
        detail::layoutByRows(in, opt, a);

    // Map (main, cross) to (x, y) and measure the bounding box; shift it to (0, 0) in case a
    // polyline strayed below 0.
    DagLayout out;
    const bool h = opt.horizontal;
    out.x = h ? std::move(a.main) : std::move(a.cross);
    out.y = h ? std::move(a.cross) : std::move(a.main);
    out.nodeWidth = h ? std::move(a.mainSize) : std::move(a.crossSize);
    out.nodeHeight = h ? std::move(a.crossSize) : std::move(a.mainSize);
    out.layer = std::move(a.layer);
    out.edgePoints = std::move(a.edgePoints);
    if (!h)
        for (auto& pts : out.edgePoints)
            for (auto& p : pts)
                std::swap(p.first, p.second);
    double minX = 0, minY = 0, maxX = 0, maxY = 0;
    for (int v = 0; v < n; ++v) {
        minX = std::min(minX, out.x[v]);
        minY = std::min(minY, out.y[v]);
        maxX = std::max(maxX, out.x[v] + out.nodeWidth[v]);
        maxY = std::max(maxY, out.y[v] + out.nodeHeight[v]);
    }
    for (const auto& pts : out.edgePoints)
        for (const auto& [px, py] : pts) {
            minX = std::min(minX, px);
            minY = std::min(minY, py);
            maxX = std::max(maxX, px);
            maxY = std::max(maxY, py);
        }
    if (minX < 0 || minY < 0) {
        for (int v = 0; v < n; ++v) {
            out.x[v] -= minX;
            out.y[v] -= minY;
        }
        for (auto& pts : out.edgePoints)
            for (auto& [px, py] : pts) {
                px -= minX;
                py -= minY;
            }
    }
    out.width = maxX - minX;
    out.height = maxY - minY;
    out.crossings = a.crossings < 0 ? -1 : int(std::min<std::int64_t>(a.crossings, INT_MAX));
    out.pixelsPerSecond = a.pixelsPerSecond;
    out.timeOrigin = a.timeOrigin;
    return out;
}

CollapsedGraph collapseGroups(const DagInput& in, const std::set<int>& expandedGroups) {
    const int n = int(in.width.size());
    const bool hasGroups = int(in.group.size()) == n;
    const bool hasStart = int(in.start.size()) == n, hasEnd = int(in.end.size()) == n;
    CollapsedGraph g;
    g.nodeOf.assign(n, -1);
    std::map<int, int> nodeOfGroup; // collapsed group id -> its node
    for (int v = 0; v < n; ++v) {
        const int group = hasGroups ? in.group[v] : -1;
        const bool folds = group >= 0 && !expandedGroups.contains(group);
        int c = -1;
        if (folds) {
            c = nodeOfGroup.try_emplace(group, int(g.members.size())).first->second;
        } else {
            c = int(g.members.size());
        }
        if (c == int(g.members.size())) {
            g.members.emplace_back();
            g.input.width.push_back(0);
            g.input.height.push_back(0);
            if (hasStart) g.input.start.push_back(in.start[v]);
            if (hasEnd) g.input.end.push_back(in.end[v]);
            if (hasGroups) g.input.group.push_back(group);
        }
        g.nodeOf[v] = c;
        g.members[c].push_back(v);
        // The group node must hold its largest member and span all their times.
        g.input.width[c] = std::max(g.input.width[c], detail::sizeOr0(in.width, v));
        g.input.height[c] = std::max(g.input.height[c], detail::sizeOr0(in.height, v));
        if (hasStart && std::isfinite(in.start[v]) && !(in.start[v] >= g.input.start[c]))
            g.input.start[c] = in.start[v];
        if (hasEnd && std::isfinite(in.end[v]) && !(in.end[v] <= g.input.end[c]))
            g.input.end[c] = in.end[v];
    }

    // Edges: mapped, inside-a-group ones dropped, duplicates merged keeping first-seen order.
    const int m = int(in.edges.size());
    g.edgeOf.assign(m, -1);
    std::vector<std::pair<std::pair<int, int>, int>> mapped; // (collapsed edge, input index)
    for (int i = 0; i < m; ++i) {
        const auto [u, v] = in.edges[i];
        if (u < 0 || u >= n || v < 0 || v >= n) continue;
        const int cu = g.nodeOf[u], cv = g.nodeOf[v];
        if (cu == cv && u != v) continue; // between two runs of one collapsed fan-out
        mapped.push_back({{cu, cv}, i});
    }
    std::sort(mapped.begin(), mapped.end());
    std::vector<int> firstOf(m, -1); // input index of the first input edge with the same pair
    for (size_t k = 0; k < mapped.size(); ++k)
        firstOf[mapped[k].second] = (k > 0 && mapped[k - 1].first == mapped[k].first)
                                        ? firstOf[mapped[k - 1].second]
                                        : mapped[k].second;
    for (int i = 0; i < m; ++i) {
        if (firstOf[i] < 0) continue;
        if (firstOf[i] == i) {
            g.edgeOf[i] = int(g.input.edges.size());
            g.input.edges.emplace_back(g.nodeOf[in.edges[i].first], g.nodeOf[in.edges[i].second]);
        } else {
            g.edgeOf[i] = g.edgeOf[firstOf[i]]; // firstOf[i] < i: already numbered
        }
    }
    return g;
}

} // namespace weft::studio
