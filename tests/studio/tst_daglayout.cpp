// The run graph's layout: invariants of every mode on many shapes, the known answers of small
// ones, collapsing of .map groups, and the timings of the two 10,000-node shapes (printed only).
#include "daglayout/daglayout.h"
#include "daglayout/daglayout_p.h"

#include <QElapsedTimer>
#include <QTest>

#include <algorithm>
#include <array>
#include <cmath>
#include <numeric>
#include <random>

using namespace weft::studio;
using Edges = std::vector<std::pair<int, int>>;

Q_DECLARE_METATYPE(weft::studio::DagInput)
Q_DECLARE_METATYPE(weft::studio::DagLayoutOptions)

namespace {

constexpr double Eps = 1e-6;

DagInput graph(int n, Edges edges, double w = 100, double h = 30) {
    DagInput in;
    in.width.assign(n, w);
    in.height.assign(n, h);
    in.edges = std::move(edges);
    return in;
}

DagInput randomDag(int n, int m, unsigned seed, bool randomSizes = false) {
    std::mt19937 rng(seed);
    DagInput in = graph(n, {});
    for (int i = 0; i < m && n > 1; ++i) {
        int u = int(rng() % n), v = int(rng() % n);
        if (u == v) continue;
        in.edges.emplace_back(std::min(u, v), std::max(u, v));
    }
    if (randomSizes)
        for (int v = 0; v < n; ++v) {
            in.width[v] = 20 + rng() % 200;
            in.height[v] = 10 + rng() % 60;
        }
    return in;
}

// `layers` layers of `perLayer` nodes, each with `fanout` edges to random nodes of the next layer.
DagInput layeredGrid(int layers, int perLayer, int fanout, unsigned seed) {
    std::mt19937 rng(seed);
    DagInput in = graph(layers * perLayer, {});
    for (int l = 0; l + 1 < layers; ++l)
        for (int i = 0; i < perLayer; ++i)
            for (int k = 0; k < fanout; ++k)
                in.edges.emplace_back(l * perLayer + i, (l + 1) * perLayer + int(rng() % perLayer));
    return in;
}

// Source 0 → nodes 1..width → sink width + 1: a .map fan-out, expanded.
DagInput fanOut(int width) {
    DagInput in = graph(width + 2, {});
    for (int i = 1; i <= width; ++i) {
        in.edges.emplace_back(0, i);
        in.edges.emplace_back(i, width + 1);
    }
    return in;
}

bool onBorder(std::pair<double, double> p, double x, double y, double w, double h) {
    const auto [px, py] = p;
    const bool inside = px >= x - Eps && px <= x + w + Eps && py >= y - Eps && py <= y + h + Eps;
    const bool edge = std::abs(px - x) < Eps || std::abs(px - x - w) < Eps || std::abs(py - y) < Eps
                      || std::abs(py - y - h) < Eps;
    return inside && edge;
}

// What every layout must satisfy; an empty string when it does.
QString violation(const DagInput& in, const DagLayoutOptions& opt, const DagLayout& l,
                  bool acyclic) {
    const int n = int(in.width.size());
    if (int(l.x.size()) != n || int(l.y.size()) != n || int(l.layer.size()) != n
        || int(l.nodeWidth.size()) != n || int(l.nodeHeight.size()) != n
        || l.edgePoints.size() != in.edges.size())
        return QStringLiteral("wrong result sizes");
    for (int v = 0; v < n; ++v) {
        if (l.nodeWidth[v] < in.width[v] - Eps || l.nodeHeight[v] < in.height[v] - Eps)
            return QStringLiteral("node %1 shrank").arg(v);
        if (l.x[v] < -Eps || l.y[v] < -Eps || l.x[v] + l.nodeWidth[v] > l.width + Eps
            || l.y[v] + l.nodeHeight[v] > l.height + Eps)
            return QStringLiteral("node %1 outside the bounding box").arg(v);
    }
    for (size_t e = 0; e < in.edges.size(); ++e) {
        const auto [u, v] = in.edges[e];
        const auto& pts = l.edgePoints[e];
        if (u < 0 || v < 0 || u >= n || v >= n) {
            if (!pts.empty()) return QStringLiteral("invalid edge %1 has a polyline").arg(e);
            continue;
        }
        if (pts.size() < 2) return QStringLiteral("edge %1 has %2 points").arg(e).arg(pts.size());
        if (!onBorder(pts.front(), l.x[u], l.y[u], l.nodeWidth[u], l.nodeHeight[u]))
            return QStringLiteral("edge %1 does not start on its source box").arg(e);
        if (!onBorder(pts.back(), l.x[v], l.y[v], l.nodeWidth[v], l.nodeHeight[v]))
            return QStringLiteral("edge %1 does not end on its target box").arg(e);
        for (const auto& [px, py] : pts)
            if (px < -Eps || py < -Eps || px > l.width + Eps || py > l.height + Eps)
                return QStringLiteral("edge %1 leaves the bounding box").arg(e);
        if (acyclic && u != v && l.layer[u] >= l.layer[v])
            return QStringLiteral("edge %1: layer %2 -> %3").arg(e).arg(l.layer[u]).arg(l.layer[v]);
    }
    // No two boxes overlap, and neighbours across the rows/layers keep nodeGap: sorted along the
    // cross axis, only boxes whose cross ranges meet need comparing.
    const bool h = opt.horizontal;
    auto lo = [&](int v, bool cross) { return cross == h ? l.y[v] : l.x[v]; };
    auto len = [&](int v, bool cross) { return cross == h ? l.nodeHeight[v] : l.nodeWidth[v]; };
    std::vector<int> order(n);
    std::iota(order.begin(), order.end(), 0);
    std::sort(order.begin(), order.end(), [&](int a, int b) { return lo(a, true) < lo(b, true); });
    const double gap = opt.nodeGap;
    for (int i = 0; i < n; ++i) {
        const int a = order[i];
        for (int j = i + 1; j < n && lo(order[j], true) < lo(a, true) + len(a, true) + gap - Eps;
             ++j) {
            const int b = order[j];
            const bool mainMeets = lo(a, false) < lo(b, false) + len(b, false) - Eps
                                   && lo(b, false) < lo(a, false) + len(a, false) - Eps;
            if (mainMeets)
                return QStringLiteral("nodes %1 and %2 overlap or sit closer than nodeGap")
                    .arg(a)
                    .arg(b);
        }
    }
    if ((opt.mode == DagMode::Layered) != (l.crossings >= 0))
        return QStringLiteral("crossings %1 in the wrong mode").arg(l.crossings);
    return {};
}

bool sameLayout(const DagLayout& a, const DagLayout& b) {
    return a.x == b.x && a.y == b.y && a.layer == b.layer && a.edgePoints == b.edgePoints
           && a.nodeWidth == b.nodeWidth && a.width == b.width && a.height == b.height
           && a.crossings == b.crossings;
}

DagLayoutOptions mode(DagMode m, bool horizontal = true, DagRows rows = DagRows::ModeDefault) {
    DagLayoutOptions opt;
    opt.mode = m;
    opt.horizontal = horizontal;
    opt.rows = rows;
    return opt;
}

} // namespace

class TestDagLayout : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void invariants_data() {
        QTest::addColumn<DagInput>("in");
        QTest::addColumn<DagLayoutOptions>("opt");
        QTest::addColumn<bool>("acyclic");
        const DagInput diamond = graph(4, {{0, 1}, {0, 2}, {1, 3}, {2, 3}});
        DagInput withTimes = randomDag(150, 300, 7, true);
        std::mt19937 rng(3);
        for (int v = 0; v < 150; ++v) { // parents (lower ids) tend to start earlier
            withTimes.start.push_back(v * 0.5 + rng() % 20);
            withTimes.end.push_back(withTimes.start.back() + rng() % 30);
        }
        const struct {
            const char* name;
            DagInput in;
            bool acyclic;
        } shapes[] = {
            {"single node", graph(1, {}), true},
            {"chain", graph(5, {{0, 1}, {1, 2}, {2, 3}, {3, 4}}), true},
            {"diamond", diamond, true},
            {"fan-out 200", fanOut(200), true},
            {"long edges", graph(4, {{0, 1}, {1, 2}, {2, 3}, {0, 3}, {0, 2}}), true},
            {"random 300", randomDag(300, 600, 1), true},
            {"random sizes", randomDag(200, 400, 2, true), true},
            {"grid 20x20", layeredGrid(20, 20, 2, 5), true},
            {"duplicates", graph(3, {{0, 1}, {0, 1}, {1, 2}, {0, 1}, {1, 2}}), true},
            {"invalid edges", graph(3, {{0, 1}, {-1, 2}, {1, 7}, {1, 2}}), true},
            {"components", randomDag(120, 40, 9), true},
            {"self-loop", graph(3, {{0, 1}, {1, 1}, {1, 2}}), false},
            {"two-cycle", graph(3, {{0, 1}, {1, 0}, {1, 2}, {1, 0}}), false},
            {"triangle", graph(3, {{0, 1}, {1, 2}, {2, 0}}), false},
            {"ring 1000",
             [] {
                 DagInput in = graph(1000, {});
                 for (int v = 0; v < 1000; ++v)
                     in.edges.emplace_back(v, (v + 1) % 1000);
                 return in;
             }(),
             false},
            {"complete digraph 30",
             [] {
                 DagInput in = graph(30, {});
                 for (int u = 0; u < 30; ++u)
                     for (int v = 0; v < 30; ++v)
                         if (u != v) in.edges.emplace_back(u, v);
                 return in;
             }(),
             false},
            {"times", withTimes, true},
        };
        const struct {
            const char* name;
            DagLayoutOptions opt;
        } modes[] = {
            {"layered", mode(DagMode::Layered)},
            {"layered vertical", mode(DagMode::Layered, false)},
            {"temporal", mode(DagMode::TemporalByStart)},
            {"temporal waterfall", mode(DagMode::TemporalByStart, true, DagRows::Waterfall)},
            {"depth waterfall", mode(DagMode::DepthWaterfall)},
            {"depth duration vertical", mode(DagMode::DepthByDuration, false)},
            {"depth nearest parent", mode(DagMode::DepthWaterfall, true, DagRows::NearestParent)},
        };
        for (const auto& s : shapes)
            for (const auto& m : modes)
                QTest::addRow("%s, %s", s.name, m.name) << s.in << m.opt << s.acyclic;
        DagLayoutOptions tight;
        tight.nodeGap = tight.layerGap = 0;
        QTest::addRow("random 300, no gaps") << randomDag(300, 600, 4) << tight << true;
    }
    void invariants() {
        QFETCH(DagInput, in);
        QFETCH(DagLayoutOptions, opt);
        QFETCH(bool, acyclic);
        const DagLayout l = computeDagLayout(in, opt);
        const QString error = violation(in, opt, l, acyclic);
        QVERIFY2(error.isEmpty(), qPrintable(error));
        QVERIFY(sameLayout(l, computeDagLayout(in, opt))); // deterministic
    }

    void emptyGraph() {
        for (DagMode m : {DagMode::Layered, DagMode::TemporalByStart, DagMode::DepthWaterfall}) {
            const DagLayout l = computeDagLayout({}, mode(m));
            QVERIFY(l.x.empty() && l.y.empty() && l.layer.empty() && l.edgePoints.empty());
            QCOMPARE(l.width, 0.0);
            QCOMPARE(l.height, 0.0);
        }
        QCOMPARE(computeDagLayout({}).crossings, 0);
    }

    void singleNode() {
        const DagLayout l = computeDagLayout(graph(1, {}, 120, 40));
        QCOMPARE(l.x[0], 0.0);
        QCOMPARE(l.y[0], 0.0);
        QCOMPARE(l.layer[0], 0);
        QCOMPARE(l.width, 120.0);
        QCOMPARE(l.height, 40.0);
        QCOMPARE(l.crossings, 0);
    }

    void chainIsALine_data() {
        QTest::addColumn<bool>("horizontal");
        QTest::addRow("left to right") << true;
        QTest::addRow("top to bottom") << false;
    }
    void chainIsALine() {
        QFETCH(bool, horizontal);
        const DagLayout l = computeDagLayout(graph(5, {{2, 3}, {0, 1}, {3, 4}, {1, 2}}),
                                             mode(DagMode::Layered, horizontal));
        const auto& along = horizontal ? l.x : l.y;
        const auto& across = horizontal ? l.y : l.x;
        const double step = horizontal ? 100 + 60 : 30 + 60; // box + layerGap
        for (int v = 0; v < 5; ++v) {
            QCOMPARE(l.layer[v], v);
            QCOMPARE(along[v], v * step);
            QCOMPARE(across[v], 0.0);
        }
        const auto& pts = l.edgePoints[0]; // 2 → 3, with no bends
        QCOMPARE(pts.size(), size_t(2));
        QCOMPARE(horizontal ? pts[0].second : pts[0].first,
                 horizontal ? pts[1].second : pts[1].first);
    }

    void diamondIsSymmetric() {
        const DagLayout l = computeDagLayout(graph(4, {{0, 1}, {0, 2}, {1, 3}, {2, 3}}));
        QCOMPARE(l.crossings, 0);
        QCOMPARE(l.layer, std::vector<int>({0, 1, 1, 2}));
        const double c0 = l.y[0] + 15, c3 = l.y[3] + 15;
        QVERIFY(std::abs(c0 - c3) < Eps);
        QVERIFY(std::abs((l.y[1] + l.y[2]) / 2 + 15 - c0) < Eps); // parents between the branches
        QVERIFY(std::abs(std::abs(l.y[1] - l.y[2]) - (30 + 16)) < Eps); // packed, nodeGap apart
    }

    void longEdgeIsStraight() {
        // 0 → 1 → 2 → 3 and 0 → 3: the long edge bends through dummies but stays straight there.
        const DagLayout l = computeDagLayout(graph(4, {{0, 1}, {1, 2}, {2, 3}, {0, 3}}));
        const auto& pts = l.edgePoints[3];
        QCOMPARE(pts.size(), size_t(2 + 2 * 2)); // two dummies, each through its layer band
        QVERIFY(std::abs(pts[1].second - pts[4].second) < 0.5);
    }

    void longEdgesShareATrunk_data() {
        // A chain 0 → … → 9, plus long edges all leaving 10 (a config task) or all entering 9.
        QTest::addColumn<DagInput>("in");
        QTest::addColumn<bool>("outOfOne");
        Edges chain;
        for (int v = 0; v < 9; ++v)
            chain.emplace_back(v, v + 1);
        Edges out = chain, in = chain;
        for (int v = 2; v <= 9; ++v)
            out.emplace_back(10, v);
        for (int v = 0; v <= 7; ++v)
            in.emplace_back(v, 9);
        QTest::addRow("out of a config task") << graph(11, out) << true;
        QTest::addRow("into a report task") << graph(10, in) << false;
    }
    void longEdgesShareATrunk() {
        QFETCH(DagInput, in);
        QFETCH(bool, outOfOne);
        const DagLayout l = computeDagLayout(in);
        QCOMPARE(violation(in, {}, l, true), QString());
        // Every long edge runs through the same dummy next to the shared end.
        std::vector<std::pair<double, double>> near;
        for (size_t e = 9; e < in.edges.size(); ++e) {
            const auto& pts = l.edgePoints[e];
            if (pts.size() > 2) near.push_back(outOfOne ? pts[1] : pts[pts.size() - 2]);
        }
        QVERIFY(near.size() >= 6);
        QVERIFY(std::all_of(near.begin(), near.end(), [&](auto p) { return p == near[0]; }));
    }

    void minimumCrossings_data() {
        QTest::addColumn<DagInput>("in");
        QTest::addColumn<int>("expected");
        auto complete = [](int a, int b) {
            Edges e;
            for (int u = 0; u < a; ++u)
                for (int v = 0; v < b; ++v)
                    e.emplace_back(u, a + v);
            return graph(a + b, e);
        };
        QTest::addRow("K2,2") << complete(2, 2) << 1;
        QTest::addRow("K3,3") << complete(3, 3) << 9;
        // DFS order puts 4 between 2 and 3, crossing 1 → 2; the barycentre order 4, 2, 3 does not.
        QTest::addRow("shared child") << graph(5, {{0, 2}, {0, 4}, {1, 2}, {1, 3}}) << 0;
        QTest::addRow("diamond chain")
            << graph(7, {{0, 1}, {0, 2}, {1, 3}, {2, 3}, {3, 4}, {3, 5}, {4, 6}, {5, 6}}) << 0;
    }
    void minimumCrossings() {
        QFETCH(DagInput, in);
        QFETCH(int, expected);
        QCOMPARE(computeDagLayout(in).crossings, expected);
    }

    // countCrossings against a brute-force pairwise count, reduceCrossings against planar graphs
    // given in a scrambled order.
    void crossingCount_data() {
        QTest::addColumn<unsigned>("seed");
        for (unsigned seed = 1; seed <= 6; ++seed)
            QTest::addRow("seed %u", seed) << seed;
    }
    void crossingCount() {
        QFETCH(unsigned, seed);
        std::mt19937 rng(seed);
        const int top = 3 + rng() % 20, bottom = 3 + rng() % 20;
        std::vector<detail::Edge> edges;
        for (int i = 0; i < 3 * (top + bottom); ++i)
            edges.emplace_back(rng() % top, top + rng() % bottom);
        std::sort(edges.begin(), edges.end());
        edges.erase(std::unique(edges.begin(), edges.end()), edges.end());
        std::vector<std::vector<int>> layers(2);
        for (int v = 0; v < top + bottom; ++v)
            layers[v < top ? 0 : 1].push_back(v);
        for (auto& layer : layers)
            std::shuffle(layer.begin(), layer.end(), rng);
        std::vector<int> pos(top + bottom);
        for (const auto& layer : layers)
            for (int i = 0; i < int(layer.size()); ++i)
                pos[layer[i]] = i;
        std::int64_t brute = 0;
        for (const auto& [a, b] : edges)
            for (const auto& [c, d] : edges)
                brute += pos[a] < pos[c] && pos[b] > pos[d];
        const auto down = detail::buildAdjacency(top + bottom, edges, false);
        QCOMPARE(detail::countCrossings(layers, down, pos), brute);
    }
    void reductionUntangles_data() {
        QTest::addColumn<int>("n");
        QTest::addRow("matching 8") << 8;
        QTest::addRow("matching 500") << 500;
    }
    void reductionUntangles() {
        // A shuffled comb, 3 layers: u → v → w for each i; any such layering can reach 0.
        QFETCH(int, n);
        std::mt19937 rng(n);
        std::vector<detail::Edge> edges;
        for (int i = 0; i < n; ++i) {
            edges.emplace_back(i, n + i);
            edges.emplace_back(n + i, 2 * n + i);
        }
        std::vector<std::vector<int>> layers(3);
        for (int v = 0; v < 3 * n; ++v)
            layers[v / n].push_back(v);
        for (auto& layer : layers)
            std::shuffle(layer.begin(), layer.end(), rng);
        const auto up = detail::buildAdjacency(3 * n, edges, true);
        const auto down = detail::buildAdjacency(3 * n, edges, false);
        QCOMPARE(detail::reduceCrossings(layers, up, down, 8), std::int64_t(0));
    }

    void componentsSideBySide() {
        // Two diamonds, a chain and 50 lone nodes: their bounding boxes must not meet.
        DagInput in = graph(
            61, {{0, 1}, {0, 2}, {1, 3}, {2, 3}, {4, 5}, {4, 6}, {5, 7}, {6, 7}, {8, 9}, {9, 10}});
        const DagLayout l = computeDagLayout(in);
        const std::vector<std::vector<int>> comps = {{0, 1, 2, 3}, {4, 5, 6, 7}, {8, 9, 10}};
        std::vector<std::array<double, 4>> boxes; // x0, y0, x1, y1
        for (const auto& c : comps) {
            std::array<double, 4> b{1e300, 1e300, -1e300, -1e300};
            for (int v : c)
                b = {std::min(b[0], l.x[v]), std::min(b[1], l.y[v]), std::max(b[2], l.x[v] + 100),
                     std::max(b[3], l.y[v] + 30)};
            boxes.push_back(b);
        }
        for (int v = 11; v < 61; ++v)
            boxes.push_back({l.x[v], l.y[v], l.x[v] + 100, l.y[v] + 30});
        for (size_t i = 0; i < boxes.size(); ++i)
            for (size_t j = i + 1; j < boxes.size(); ++j)
                QVERIFY2(boxes[i][2] <= boxes[j][0] || boxes[j][2] <= boxes[i][0]
                             || boxes[i][3] <= boxes[j][1] || boxes[j][3] <= boxes[i][1],
                         qPrintable(QStringLiteral("components %1 and %2 meet").arg(i).arg(j)));
        QVERIFY(l.width < 4 * l.height && l.height < 20 * l.width); // packed, not one long column
    }

    void edgeOrderDoesNotMatter() {
        DagInput in = randomDag(400, 900, 11, true);
        const DagLayout a = computeDagLayout(in);
        std::mt19937 rng(5);
        std::shuffle(in.edges.begin(), in.edges.end(), rng);
        const DagLayout b = computeDagLayout(in);
        QCOMPARE(a.x, b.x);
        QCOMPARE(a.y, b.y);
        QCOMPARE(a.crossings, b.crossings);
    }

    void collapseFanOut() {
        // 0 → map task 1..100 (group 7) → 101, plus an edge inside the group and a duplicate.
        DagInput in = fanOut(100);
        in.group.assign(102, -1);
        std::fill(in.group.begin() + 1, in.group.begin() + 101, 7);
        in.start.assign(102, 0);
        in.end.assign(102, 0);
        for (int v = 1; v <= 100; ++v) {
            in.width[v] = v;
            in.start[v] = 10 + v;
            in.end[v] = 20 + v;
        }
        in.edges.emplace_back(1, 2);
        in.edges.emplace_back(0, 5);
        const CollapsedGraph g = collapseGroups(in, {});
        QCOMPARE(g.input.width.size(), size_t(3));
        QCOMPARE(g.input.edges, Edges({{0, 1}, {1, 2}}));
        QCOMPARE(g.nodeOf[0], 0);
        QCOMPARE(g.nodeOf[50], 1);
        QCOMPARE(g.nodeOf[101], 2);
        QCOMPARE(g.members[1].size(), size_t(100));
        QCOMPARE(g.members[1].front(), 1);
        QCOMPARE(g.members[2], std::vector<int>({101}));
        QCOMPARE(g.input.width[1], 100.0); // its largest member
        QCOMPARE(g.input.start[1], 11.0);
        QCOMPARE(g.input.end[1], 120.0);
        QCOMPARE(g.input.group, std::vector<int>({-1, 7, -1}));
        QCOMPARE(g.edgeOf[0], 0);    // 0 → 1
        QCOMPARE(g.edgeOf[1], 1);    // 1 → 101
        QCOMPARE(g.edgeOf[200], -1); // inside the group
        QCOMPARE(g.edgeOf[201], 0);  // a duplicate once collapsed
        const DagLayout l = computeDagLayout(g.input);
        QCOMPARE(l.layer, std::vector<int>({0, 1, 2}));

        const CollapsedGraph open = collapseGroups(in, {7});
        QCOMPARE(open.input.width.size(), size_t(102));
        QCOMPARE(open.input.edges.size(), size_t(201)); // all kept but the duplicate
        QCOMPARE(open.edgeOf[201], 8);                  // 0 → 5, first seen as edge 8
        QCOMPARE(open.nodeOf[50], 50);
    }

    void temporalFollowsStartTimes() {
        DagInput in = randomDag(300, 500, 21, true);
        std::mt19937 rng(8);
        for (int v = 0; v < 300; ++v) {
            in.start.push_back(1000 + rng() % 600);
            in.end.push_back(v % 10 ? in.start.back() + rng() % 120 : NAN); // some still running
        }
        DagLayoutOptions opt = mode(DagMode::TemporalByStart);
        opt.pixelsPerSecond = 2;
        const DagLayout l = computeDagLayout(in, opt);
        QCOMPARE(l.pixelsPerSecond, 2.0);
        const double t0 = *std::min_element(in.start.begin(), in.start.end());
        QCOMPARE(l.timeOrigin, t0);
        for (int v = 0; v < 300; ++v) {
            QCOMPARE(l.x[v], (in.start[v] - t0) * 2);
            const double bar = std::isnan(in.end[v]) ? 0 : (in.end[v] - in.start[v]) * 2;
            QCOMPARE(l.nodeWidth[v], std::max(in.width[v], bar));
        }
        const QString error = violation(in, opt, l, true);
        QVERIFY2(error.isEmpty(), qPrintable(error));
    }

    void depthModes() {
        DagInput in = randomDag(200, 400, 31);
        for (int v = 0; v < 200; ++v) {
            in.start.push_back(v);
            in.end.push_back(v + (v * 37) % 50);
        }
        const DagLayout w = computeDagLayout(in, mode(DagMode::DepthWaterfall));
        const DagLayout d = computeDagLayout(in, mode(DagMode::DepthByDuration));
        std::vector<int> byRowW(200), byRowD(200);
        std::iota(byRowW.begin(), byRowW.end(), 0);
        byRowD = byRowW;
        std::sort(byRowW.begin(), byRowW.end(), [&](int a, int b) { return w.y[a] < w.y[b]; });
        std::sort(byRowD.begin(), byRowD.end(), [&](int a, int b) { return d.y[a] < d.y[b]; });
        for (int i = 0; i < 200; ++i) {
            QCOMPARE(w.x[i], d.x[i]);
            if (i == 0) continue;
            QVERIFY(w.y[byRowW[i]] > w.y[byRowW[i - 1]]);  // one row each
            QVERIFY(w.x[byRowW[i]] >= w.x[byRowW[i - 1]]); // a staircase
            const auto dur = [&](int v) { return in.end[v] - in.start[v]; };
            QVERIFY(dur(byRowD[i]) <= dur(byRowD[i - 1])); // longest first
        }
        for (const auto& [u, v] : in.edges)
            QVERIFY(w.x[u] < w.x[v]); // x by depth
    }

    // The two shapes of design §5 at 10,000 nodes, timed for the report; nothing about time is
    // asserted.
    void largeShapes_data() {
        QTest::addColumn<DagInput>("in");
        QTest::addColumn<DagLayoutOptions>("opt");
        const DagInput grid = layeredGrid(100, 100, 3, 42);
        const DagInput fan = fanOut(10000);
        DagInput timedFan = fan;
        for (int v = 0; v < 10002; ++v) { // every mapped run overlaps every other
            timedFan.start.push_back(v == 0 ? 0 : v == 10001 ? 100 : 1 + v * 1e-4);
            timedFan.end.push_back(timedFan.start.back() + (v && v < 10001 ? 50 : 1));
        }
        DagInput wide = grid; // every node also depends on one config task: many long edges
        wide.width.push_back(100);
        wide.height.push_back(30);
        for (int v = 100; v < 10000; v += 1)
            wide.edges.emplace_back(10000, v);
        QTest::addRow("100 layers x 100, layered") << grid << mode(DagMode::Layered);
        QTest::addRow("10,000-way fan-out, layered") << fan << mode(DagMode::Layered);
        QTest::addRow("grid plus a config task, layered") << wide << mode(DagMode::Layered);
        QTest::addRow("10,000-way fan-out, temporal") << timedFan << mode(DagMode::TemporalByStart);
        QTest::addRow("100 layers x 100, depth waterfall") << grid << mode(DagMode::DepthWaterfall);
    }
    void largeShapes() {
        QFETCH(DagInput, in);
        QFETCH(DagLayoutOptions, opt);
        QElapsedTimer timer;
        timer.start();
        const DagLayout l = computeDagLayout(in, opt);
        const qint64 us = timer.nsecsElapsed() / 1000;
        qInfo("%zu nodes, %zu edges: %.1f ms, %d crossings, %.0f x %.0f px", in.width.size(),
              in.edges.size(), us / 1000.0, l.crossings, l.width, l.height);
        const QString error = violation(in, opt, l, true);
        QVERIFY2(error.isEmpty(), qPrintable(error));
    }
};

QTEST_GUILESS_MAIN(TestDagLayout)
#include "tst_daglayout.moc"
