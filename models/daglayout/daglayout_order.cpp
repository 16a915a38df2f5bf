// Crossing counting and barycentric crossing reduction on a proper layered graph.
#include "daglayout/daglayout_p.h"

#include <algorithm>

namespace weft::studio::detail {

std::int64_t countCrossings(const std::vector<std::vector<int>>& layers, const Adjacency& down,
                            std::span<const int> pos) {
    // Between two layers, list the edges by (upper position, lower position); two edges cross
    // exactly when their lower positions are inverted in that list. A Fenwick tree counts the
    // inversions in O(E log V) rather than comparing every pair of edges, which a 10,000-way
    // fan-out (10^8 pairs) could not afford.
    std::int64_t crossings = 0;
    std::vector<int> lower, tree;
    for (size_t l = 0; l + 1 < layers.size(); ++l) {
        const int width = int(layers[l + 1].size());
        tree.assign(width + 1, 0);
        int inserted = 0;
        for (int u : layers[l]) {
            lower.clear();
            for (int w : down.of(u))
                lower.push_back(pos[w]);
            std::sort(lower.begin(), lower.end());
            for (int p : lower) {
                int atMost = 0; // edges seen so far ending at or left of p: they do not cross
                for (int i = p + 1; i > 0; i -= i & -i)
                    atMost += tree[i];
                crossings += inserted - atMost;
                for (int i = p + 1; i <= width; i += i & -i)
                    ++tree[i];
                ++inserted;
            }
        }
    }
    return crossings;
}

namespace {

// Sorts one layer by the mean position of its neighbours in the adjacent, fixed layer. A node
// without such neighbours keeps its slot (dagre does the same), rather than being given a made-up
// barycentre that would drag it across the layer. Ties keep the current order: stable, and a
// fan-out's siblings stay together.
void reorderLayer(std::vector<int>& layer, const Adjacency& fixedSide, std::vector<int>& pos) {
    struct Item {
        double barycentre;
        int pos, node;
    };
    std::vector<Item> movable;
    movable.reserve(layer.size());
    for (int v : layer) {
        const auto nbrs = fixedSide.of(v);
        if (nbrs.empty()) continue;
        double sum = 0;
        for (int u : nbrs)
            sum += pos[u];
        movable.push_back({sum / double(nbrs.size()), pos[v], v});
    }
    std::sort(movable.begin(), movable.end(), [](const Item& a, const Item& b) {
        return a.barycentre != b.barycentre ? a.barycentre < b.barycentre : a.pos < b.pos;
    });
    size_t next = 0;
    for (int& v : layer)
        if (fixedSide.degree(v) > 0) v = movable[next++].node;
    for (int i = 0; i < int(layer.size()); ++i)
        pos[layer[i]] = i;
}

} // namespace

std::int64_t reduceCrossings(std::vector<std::vector<int>>& layers, const Adjacency& up,
                             const Adjacency& down, int maxSweeps) {
    int nodes = 0;
    for (const auto& layer : layers)
        nodes += int(layer.size());
    std::vector<int> pos(nodes, 0);
    for (const auto& layer : layers)
        for (int i = 0; i < int(layer.size()); ++i)
            pos[layer[i]] = i;

    // Barycentre sweeps can also make things worse: keep the best order seen.
    std::int64_t best = countCrossings(layers, down, pos);
    std::vector<std::vector<int>> bestLayers = layers;
    const int L = int(layers.size());
    for (int sweep = 0; sweep < maxSweeps && best > 0; ++sweep) {
        if (sweep % 2 == 0) {
            for (int l = 1; l < L; ++l)
                reorderLayer(layers[l], up, pos);
        } else {
            for (int l = L - 2; l >= 0; --l)
                reorderLayer(layers[l], down, pos);
        }
        const std::int64_t c = countCrossings(layers, down, pos);
        if (c < best) {
            best = c;
            bestLayers = layers;
        }
    }
    layers = std::move(bestLayers);
    return best;
}

} // namespace weft::studio::detail
