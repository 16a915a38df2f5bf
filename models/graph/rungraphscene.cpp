// buildRunGraphScene(): grouping, subflow levels, layout through daglayout, and the grids.
#include "graph/rungraphscene.h"

#include <algorithm>
#include <map>
#include <set>

namespace weft::studio {

using namespace RunGraphMetrics;

// ---- RunGraphGrid ---------------------------------------------------------------------------

namespace {
constexpr int MaxCellsPerItem = 64; // beyond this an item is tested alone, not stored per cell
constexpr int MaxGridSide = 2048;
} // namespace

void RunGraphGrid::build(const std::vector<QRectF>& rects, const QRectF& bounds) {
    m_rects = rects;
    m_bounds = bounds;
    m_mark.assign(rects.size(), 0);
    m_stamp = 0;
    m_big.clear();
    m_items.clear();
    m_cellStart.clear();
    const int n = int(rects.size());
    if (n == 0 || bounds.width() <= 0 || bounds.height() <= 0) {
        m_cols = m_rows = 0;
        for (int i = 0; i < n; ++i)
            m_big.push_back(i);
        return;
    }
    // About two items per cell, cells no smaller than 64 px.
    const double cell = std::max(64.0, std::sqrt(bounds.width() * bounds.height() * 2.0 / n));
    m_cols = std::clamp(int(std::ceil(bounds.width() / cell)), 1, MaxGridSide);
    m_rows = std::clamp(int(std::ceil(bounds.height() / cell)), 1, MaxGridSide);
    const double cw = bounds.width() / m_cols, ch = bounds.height() / m_rows;
    const auto span = [&](const QRectF& r, int& c0, int& c1, int& r0, int& r1) {
        c0 = std::clamp(int(std::floor((r.left() - bounds.left()) / cw)), 0, m_cols - 1);
        c1 = std::clamp(int(std::floor((r.right() - bounds.left()) / cw)), 0, m_cols - 1);
        r0 = std::clamp(int(std::floor((r.top() - bounds.top()) / ch)), 0, m_rows - 1);
        r1 = std::clamp(int(std::floor((r.bottom() - bounds.top()) / ch)), 0, m_rows - 1);
    };
    std::vector<int> count(size_t(m_cols) * m_rows + 1, 0);
    std::vector<char> big(size_t(n), 0);
    for (int i = 0; i < n; ++i) {
        int c0, c1, r0, r1;
        span(rects[size_t(i)], c0, c1, r0, r1);
        if ((c1 - c0 + 1) * (r1 - r0 + 1) > MaxCellsPerItem) {
            big[size_t(i)] = 1;
            m_big.push_back(i);
            continue;
        }
        for (int y = r0; y <= r1; ++y)
            for (int x = c0; x <= c1; ++x)
                ++count[size_t(y) * m_cols + x];
    }
    m_cellStart.assign(count.size(), 0);
    for (size_t c = 1; c < count.size(); ++c)
        m_cellStart[c] = m_cellStart[c - 1] + count[c - 1];
    m_items.resize(size_t(m_cellStart.back()));
    std::vector<int> fill(m_cellStart.begin(), m_cellStart.end() - 1);
    for (int i = 0; i < n; ++i) {
        if (big[size_t(i)]) continue;
        int c0, c1, r0, r1;
        span(rects[size_t(i)], c0, c1, r0, r1);
        for (int y = r0; y <= r1; ++y)
            for (int x = c0; x <= c1; ++x)
                m_items[size_t(fill[size_t(y) * m_cols + x]++)] = i;
    }
}

void RunGraphGrid::query(const QRectF& r, std::vector<int>& out) const {
    for (int i : m_big)
        if (m_rects[size_t(i)].intersects(r)) out.push_back(i);
    if (m_cols == 0 || !r.intersects(m_bounds.adjusted(-1, -1, 1, 1))) return;
    if (++m_stamp == 0) { // wrapped: old marks could collide
        std::fill(m_mark.begin(), m_mark.end(), 0);
        m_stamp = 1;
    }
    const double cw = m_bounds.width() / m_cols, ch = m_bounds.height() / m_rows;
    const int c0 = std::clamp(int(std::floor((r.left() - m_bounds.left()) / cw)), 0, m_cols - 1);
    const int c1 = std::clamp(int(std::floor((r.right() - m_bounds.left()) / cw)), 0, m_cols - 1);
    const int r0 = std::clamp(int(std::floor((r.top() - m_bounds.top()) / ch)), 0, m_rows - 1);
    const int r1 = std::clamp(int(std::floor((r.bottom() - m_bounds.top()) / ch)), 0, m_rows - 1);
    for (int y = r0; y <= r1; ++y)
        for (int x = c0; x <= c1; ++x) {
            const size_t c = size_t(y) * m_cols + x;
            for (int k = m_cellStart[c]; k < m_cellStart[c + 1]; ++k) {
                const int i = m_items[size_t(k)];
                if (m_mark[size_t(i)] == m_stamp) continue;
                m_mark[size_t(i)] = m_stamp;
                if (m_rects[size_t(i)].intersects(r)) out.push_back(i);
            }
        }
}

// ---- the builder ----------------------------------------------------------------------------

namespace {

// One subflow level laid out alone, in its own coordinates; children are the expanded subflow
// calls among its nodes, each with its own level.
struct Level {
    std::vector<RunGraphNode> nodes;
    std::vector<RunGraphEdge> edges;
    std::vector<RunGraphGroup> groups;
    std::vector<std::pair<int, Level>> children; // local frame node → content
    double width = 0, height = 0;
};

constexpr int MaxDepth = 32; // a corrupt owner chain must not recurse forever

class Builder {
public:
    explicit Builder(const RunGraphInput& in)
        : m_in(in)
        , m_local(in.runs.size(), -1)
        , m_byOwner(in.runs.size() + 1) {
        const int n = int(in.runs.size());
        for (int r = 0; r < n; ++r) {
            const int owner = in.runs[size_t(r)].owner;
            if (owner >= -1 && owner < n && owner != r) m_byOwner[size_t(owner + 1)].push_back(r);
        }
        m_opt = in.options;
        if (m_opt.mode == DagMode::TemporalByStart && !(m_opt.pixelsPerSecond > 0))
            m_opt.pixelsPerSecond = timeScale();
    }

    Level level(int owner, int depth);
    void place(RunGraphScene& out, Level& lvl, QPointF offset, int frame, int depth);
    double pixelsPerSecond() const { return m_opt.pixelsPerSecond; }

private:
    bool flag(const std::vector<char>& v, int r) const {
        return size_t(r) < v.size() && v[size_t(r)];
    }
    // One scale for every level, so a subflow's bars line up with its parent's.
    double timeScale() const {
        double lo = std::numeric_limits<double>::infinity(), hi = -lo;
        for (const auto& r : m_in.runs) {
            if (std::isfinite(r.start)) lo = std::min(lo, r.start), hi = std::max(hi, r.start);
            if (std::isfinite(r.end)) hi = std::max(hi, r.end);
        }
        const double n = double(std::max<size_t>(1, m_byOwner[0].size()));
        const double target = std::max(1000.0, std::sqrt(n) * TaskWidth);
        return hi > lo ? target / (hi - lo) : 100.0;
    }

    const RunGraphInput& m_in;
    DagLayoutOptions m_opt;
    std::vector<int> m_local; // run → its index in the level being built, else -1
    std::vector<std::vector<int>> m_byOwner;
};

Level Builder::level(int owner, int depth) {
    Level out;
    const std::vector<int>& runs = m_byOwner[size_t(owner + 1)];
    const int n = int(runs.size());
    if (n == 0) return out;
    for (int i = 0; i < n; ++i)
        m_local[size_t(runs[size_t(i)])] = i;

    DagInput din;
    din.width.assign(size_t(n), TaskWidth);
    din.height.assign(size_t(n), TaskHeight);
    din.group.assign(size_t(n), -1);
    if (m_opt.mode != DagMode::Layered) {
        din.start.resize(size_t(n));
        din.end.resize(size_t(n));
        for (int i = 0; i < n; ++i) {
            din.start[size_t(i)] = m_in.runs[size_t(runs[size_t(i)])].start;
            din.end[size_t(i)] = m_in.runs[size_t(runs[size_t(i)])].end;
        }
    }
    // Edges within the level, and `.map` groups: one task key, one set of upstream task runs.
    std::map<std::pair<int, std::vector<int>>, std::vector<int>> byKey;
    std::vector<int> ups;
    std::vector<char> orderOnly; // per din edge
    for (int i = 0; i < n; ++i) {
        const auto& run = m_in.runs[size_t(runs[size_t(i)])];
        ups.clear();
        for (size_t k = 0; k < run.upstream.size(); ++k) {
            const int u = run.upstream[k];
            if (u < 0 || size_t(u) >= m_local.size() || m_local[size_t(u)] < 0) continue;
            din.edges.emplace_back(m_local[size_t(u)], i);
            orderOnly.push_back(k < run.orderOnly.size() && run.orderOnly[k]);
            ups.push_back(u);
        }
        if (run.subflow) { // a subflow call expands into a frame, not into a group
            din.width[size_t(i)] = SubflowWidth;
            continue;
        }
        std::sort(ups.begin(), ups.end());
        ups.erase(std::unique(ups.begin(), ups.end()), ups.end());
        byKey[{run.key, ups}].push_back(i);
    }
    for (int i = 0; i < n; ++i)
        m_local[size_t(runs[size_t(i)])] = -1;

    std::set<int> expanded;
    for (auto& [key, members] : byKey) {
        if (members.size() < 2) continue;
        const int g = int(out.groups.size());
        RunGraphGroup group;
        const bool open = flag(m_in.expandedGroup, runs[size_t(members.front())]);
        if (open) expanded.insert(g);
        for (int m : members) {
            din.group[size_t(m)] = g;
            group.members.push_back(runs[size_t(m)]);
            if (!open) {
                din.width[size_t(m)] = GroupWidth;
                din.height[size_t(m)] = GroupHeight;
            }
        }
        out.groups.push_back(std::move(group));
    }

    // Inner levels first: a frame is as big as what it holds.
    std::vector<std::pair<int, Level>> children;
    for (int i = 0; i < n; ++i) {
        const int r = runs[size_t(i)];
        if (!m_in.runs[size_t(r)].subflow || !flag(m_in.expandedSubflow, r) || depth >= MaxDepth)
            continue;
        Level child = level(r, depth + 1);
        din.width[size_t(i)] = std::max(child.width, TaskWidth) + 2 * FramePadding;
        din.height[size_t(i)] = FrameHeader + std::max(child.height, TaskHeight) + FramePadding;
        children.emplace_back(i, std::move(child));
    }

    const CollapsedGraph cg = collapseGroups(din, expanded);
    // A drawn edge is order-only when every run edge folded into it is: data wins.
    std::vector<char> edgeOrderOnly(cg.input.edges.size(), 1);
    for (size_t k = 0; k < din.edges.size(); ++k)
        if (const int c = cg.edgeOf[k]; c >= 0 && !orderOnly[k]) edgeOrderOnly[size_t(c)] = 0;
    const DagLayout lay = computeDagLayout(cg.input, m_opt);
    const int nc = int(cg.input.width.size());
    out.nodes.resize(size_t(nc));
    for (int c = 0; c < nc; ++c) {
        RunGraphNode& node = out.nodes[size_t(c)];
        const int first = cg.members[size_t(c)].front();
        const int g = cg.input.group[size_t(c)];
        node.rect = QRectF(lay.x[size_t(c)], lay.y[size_t(c)], lay.nodeWidth[size_t(c)],
                           lay.nodeHeight[size_t(c)]);
        node.run = runs[size_t(first)];
        node.group = g;
        if (g >= 0 && !expanded.count(g)) {
            node.kind = RunGraphNodeKind::Group;
            out.groups[size_t(g)].node = c;
        } else if (m_in.runs[size_t(node.run)].subflow) {
            node.kind = RunGraphNodeKind::Subflow;
        }
    }
    for (auto& [i, child] : children) {
        const int c = cg.nodeOf[size_t(i)];
        out.nodes[size_t(c)].kind = RunGraphNodeKind::SubflowFrame;
        out.children.emplace_back(c, std::move(child));
    }
    for (size_t k = 0; k < cg.input.edges.size(); ++k) {
        const auto& pts = lay.edgePoints[k];
        if (pts.size() < 2) continue;
        RunGraphEdge e;
        e.from = cg.input.edges[k].first;
        e.to = cg.input.edges[k].second;
        e.orderOnly = edgeOrderOnly[k];
        e.points.reserve(qsizetype(pts.size()));
        for (const auto& [x, y] : pts)
            e.points.append(QPointF(x, y));
        out.edges.push_back(std::move(e));
    }
    for (int g : expanded) {
        QRectF box;
        for (const RunGraphNode& node : out.nodes)
            if (node.group == g) box = box.united(node.rect);
        out.groups[size_t(g)].frame = box.adjusted(-GroupFramePadding, -GroupFramePadding,
                                                   GroupFramePadding, GroupFramePadding);
    }
    out.width = lay.width;
    out.height = lay.height;
    return out;
}

void Builder::place(RunGraphScene& out, Level& lvl, QPointF offset, int frame, int depth) {
    const int base = int(out.nodes.size()), groupBase = int(out.groups.size());
    for (RunGraphNode node : lvl.nodes) {
        node.rect.translate(offset);
        node.frame = frame;
        node.depth = depth;
        if (node.group >= 0) node.group += groupBase;
        out.nodes.push_back(node);
    }
    for (RunGraphGroup& g : lvl.groups) {
        if (g.node >= 0) g.node += base;
        g.frame.translate(offset);
        out.groups.push_back(std::move(g));
    }
    for (RunGraphEdge& e : lvl.edges) {
        e.from += base;
        e.to += base;
        e.points.translate(offset);
        e.bounds = e.points.boundingRect().adjusted(-6, -6, 6, 6);
        out.edges.push_back(std::move(e));
    }
    for (auto& [local, child] : lvl.children) {
        const int f = base + local;
        out.frames.push_back(f);
        const QPointF at = out.nodes[size_t(f)].rect.topLeft() + QPointF(FramePadding, FrameHeader);
        place(out, child, at, f, depth + 1);
    }
}

} // namespace

std::shared_ptr<RunGraphScene> buildRunGraphScene(const RunGraphInput& in) {
    auto scene = std::make_shared<RunGraphScene>();
    scene->mode = in.options.mode;
    Builder builder(in);
    scene->pixelsPerSecond =
        in.options.mode == DagMode::TemporalByStart ? builder.pixelsPerSecond() : 0;
    Level top = builder.level(-1, 0);
    builder.place(*scene, top, QPointF(0, 0), -1, 0);

    scene->nodeOfRun.assign(in.runs.size(), -1);
    std::vector<QRectF> rects;
    rects.reserve(scene->nodes.size());
    QRectF bounds(0, 0, top.width, top.height);
    for (int i = 0; i < int(scene->nodes.size()); ++i) {
        const RunGraphNode& node = scene->nodes[size_t(i)];
        rects.push_back(node.rect);
        bounds = bounds.united(node.rect);
        if (node.kind == RunGraphNodeKind::Group) {
            for (int m : scene->groups[size_t(node.group)].members)
                scene->nodeOfRun[size_t(m)] = i;
        } else {
            scene->nodeOfRun[size_t(node.run)] = i;
        }
    }
    for (const RunGraphGroup& g : scene->groups)
        if (g.node < 0) bounds = bounds.united(g.frame);
    std::vector<QRectF> edgeRects;
    edgeRects.reserve(scene->edges.size());
    for (const RunGraphEdge& e : scene->edges) {
        edgeRects.push_back(e.bounds);
        bounds = bounds.united(e.bounds.adjusted(6, 6, -6, -6));
    }
    scene->bounds = bounds;
    scene->nodeGrid.build(rects, bounds);
    scene->edgeGrid.build(edgeRects, bounds);
    return scene;
}

} // namespace weft::studio
