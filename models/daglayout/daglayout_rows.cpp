// The cheap layouts Prefect's graph view offers beside a layered one: the main axis from start
// time (temporal) or from dependency depth, and rows by nearest parent, waterfall or duration.
#include "daglayout/daglayout_p.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>

namespace weft::studio::detail {

namespace {

constexpr double Inf = std::numeric_limits<double>::infinity();

// Minimum over row slots of where each row's last box ends, to find the free row nearest a
// preferred one in O(log² rows). Scanning rows one by one is O(n × rows): 10^8 steps for a
// 10,000-way fan-out whose runs all overlap in time.
class RowEnds {
public:
    explicit RowEnds(int slots) {
        while (m_size < slots)
            m_size *= 2;
        m_min.assign(2 * m_size, Inf);
        for (int i = 0; i < slots; ++i) // usable slots start free; the padding never is
            m_min[m_size + i] = -Inf;
        for (int i = m_size - 1; i > 0; --i)
            m_min[i] = std::min(m_min[2 * i], m_min[2 * i + 1]);
    }
    void set(int slot, double end) {
        int i = slot + m_size;
        m_min[i] = end;
        for (i /= 2; i > 0; i /= 2)
            m_min[i] = std::min(m_min[2 * i], m_min[2 * i + 1]);
    }
    /// Smallest slot >= from whose row ends at or before `limit`, or -1.
    int firstFree(int from, double limit) const { return first(1, 0, m_size - 1, from, limit); }
    /// Largest slot <= to whose row ends at or before `limit`, or -1.
    int lastFree(int to, double limit) const { return last(1, 0, m_size - 1, to, limit); }

private:
    int first(int node, int lo, int hi, int from, double limit) const {
        if (hi < from || m_min[node] > limit) return -1;
        if (lo == hi) return lo;
        const int mid = (lo + hi) / 2;
        const int left = first(2 * node, lo, mid, from, limit);
        return left >= 0 ? left : first(2 * node + 1, mid + 1, hi, from, limit);
    }
    int last(int node, int lo, int hi, int to, double limit) const {
        if (lo > to || m_min[node] > limit) return -1;
        if (lo == hi) return lo;
        const int mid = (lo + hi) / 2;
        const int right = last(2 * node + 1, mid + 1, hi, to, limit);
        return right >= 0 ? right : last(2 * node, lo, mid, to, limit);
    }
    int m_size = 1;
    std::vector<double> m_min;
};

DagRows rowsFor(const DagLayoutOptions& opt) {
    if (opt.rows != DagRows::ModeDefault) return opt.rows;
    switch (opt.mode) {
    case DagMode::DepthWaterfall:
        return DagRows::Waterfall;
    case DagMode::DepthByDuration:
        return DagRows::Duration;
    default:
        return DagRows::NearestParent;
    }
}

} // namespace

void layoutByRows(const DagInput& in, const DagLayoutOptions& opt, AxisLayout& out) {
    const int n = int(out.mainSize.size());
    const double layerGap = std::max(0.0, opt.layerGap), nodeGap = std::max(0.0, opt.nodeGap);
    const std::vector<ValidEdge> valid = validEdges(in);
    std::vector<Edge> edges;
    for (const auto& e : valid)
        if (e.from != e.to) edges.emplace_back(e.from, e.to);

    // Depth: longest path once cycles are broken.
    {
        const std::vector<char> back = findBackEdges(n, edges);
        std::vector<Edge> dag = edges;
        for (size_t e = 0; e < dag.size(); ++e)
            if (back[e]) std::swap(dag[e].first, dag[e].second);
        std::sort(dag.begin(), dag.end());
        dag.erase(std::unique(dag.begin(), dag.end()), dag.end());
        out.layer = longestPathLayers(n, dag, false);
    }

    // Times: a missing start counts as the earliest one, a missing end as no duration.
    const bool hasStart = int(in.start.size()) == n && n > 0;
    std::vector<double> startAt(n, 0.0), duration(n, 0.0);
    double t0 = Inf, tEnd = -Inf;
    if (hasStart) {
        for (double s : in.start)
            if (std::isfinite(s)) t0 = std::min(t0, s);
        if (!std::isfinite(t0)) t0 = 0;
        for (int v = 0; v < n; ++v) {
            startAt[v] = std::isfinite(in.start[v]) ? in.start[v] : t0;
            if (int(in.end.size()) == n && std::isfinite(in.end[v]) && in.end[v] > startAt[v])
                duration[v] = in.end[v] - startAt[v];
            tEnd = std::max(tEnd, startAt[v] + duration[v]);
        }
    }

    // Main axis. Temporal boxes stretch to their end time, so rows keep Gantt bars apart too.
    out.main.assign(n, 0.0);
    if (opt.mode == DagMode::TemporalByStart && hasStart) {
        double pps = opt.pixelsPerSecond;
        if (!(pps > 0)) {
            const double mean =
                std::accumulate(out.mainSize.begin(), out.mainSize.end(), 0.0) / double(n);
            const double span = tEnd - t0;
            pps = span > 0 ? std::max(1000.0, std::sqrt(double(n)) * mean) / span : 1.0;
        }
        for (int v = 0; v < n; ++v) {
            out.main[v] = (startAt[v] - t0) * pps;
            out.mainSize[v] = std::max(out.mainSize[v], duration[v] * pps);
        }
        out.pixelsPerSecond = pps;
        out.timeOrigin = t0;
    } else { // by depth, in columns as wide as their widest box; TemporalByStart without times too
        const int columns = n ? *std::max_element(out.layer.begin(), out.layer.end()) + 1 : 0;
        std::vector<double> thick(columns, 0.0), columnStart(columns, 0.0);
        for (int v = 0; v < n; ++v)
            thick[out.layer[v]] = std::max(thick[out.layer[v]], out.mainSize[v]);
        for (int c = 1; c < columns; ++c)
            columnStart[c] = columnStart[c - 1] + thick[c - 1] + layerGap;
        for (int v = 0; v < n; ++v)
            out.main[v] = columnStart[out.layer[v]];
    }

    // Rows.
    std::vector<int> order(n);
    std::iota(order.begin(), order.end(), 0);
    auto byPosition = [&](int a, int b) {
        if (out.main[a] != out.main[b]) return out.main[a] < out.main[b];
        return startAt[a] != startAt[b] ? startAt[a] < startAt[b] : a < b;
    };
    std::vector<int> row(n, 0);
    const DagRows rows = rowsFor(opt);
    if (rows == DagRows::Duration) {
        std::sort(order.begin(), order.end(), [&](int a, int b) {
            return duration[a] != duration[b] ? duration[a] > duration[b] : byPosition(a, b);
        });
        for (int i = 0; i < n; ++i)
            row[order[i]] = i;
    } else if (rows == DagRows::Waterfall) {
        std::sort(order.begin(), order.end(), byPosition);
        for (int i = 0; i < n; ++i)
            row[order[i]] = i;
    } else {
        // Nearest parent: in start order, each node takes the free row nearest to that of its
        // latest-ending placed parent (row 0 for a root), below on a tie. Rows may go negative
        // and are shifted afterwards; a chosen row is at most one beyond the rows in use, so
        // n slots each way suffice.
        std::sort(order.begin(), order.end(), byPosition);
        const Adjacency parents = buildAdjacency(n, edges, true);
        RowEnds ends(2 * n + 1);
        std::vector<char> placed(n, 0);
        for (int v : order) {
            int preferred = 0, parent = -1;
            for (int u : parents.of(v))
                if (placed[u]
                    && (parent < 0
                        || out.main[u] + out.mainSize[u] > out.main[parent] + out.mainSize[parent]))
                    parent = u;
            if (parent >= 0) preferred = row[parent];
            const double limit = out.main[v] - nodeGap;
            const int slot = preferred + n;
            const int below = ends.firstFree(slot, limit), above = ends.lastFree(slot - 1, limit);
            const int chosen =
                (above < 0 || (below >= 0 && below - slot <= slot - above)) ? below : above;
            row[v] = chosen - n;
            ends.set(chosen, out.main[v] + out.mainSize[v]);
            placed[v] = 1;
        }
    }

    // Cross axis: rows one box-height plus nodeGap apart, boxes centred in their row.
    const double rowLength = n ? *std::max_element(out.crossSize.begin(), out.crossSize.end()) : 0;
    const int firstRow = n ? *std::min_element(row.begin(), row.end()) : 0;
    out.cross.resize(n);
    for (int v = 0; v < n; ++v)
        out.cross[v] =
            (row[v] - firstRow) * (rowLength + nodeGap) + (rowLength - out.crossSize[v]) / 2;

    out.edgePoints.assign(in.edges.size(), {});
    for (const auto& e : valid) {
        const int u = e.from, v = e.to;
        if (u == v)
            out.edgePoints[e.index] =
                selfLoop(out.main[u], out.cross[u], out.mainSize[u], out.crossSize[u], opt);
        else
            out.edgePoints[e.index] = {
                {out.main[u] + out.mainSize[u], out.cross[u] + out.crossSize[u] / 2},
                {out.main[v], out.cross[v] + out.crossSize[v] / 2}};
    }
}

} // namespace weft::studio::detail
