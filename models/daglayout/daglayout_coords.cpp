// Cross-axis coordinates of a layered graph whose order is fixed.
//
// We minimise  sum over edges of w(e) * (c_u - c_v)^2  subject to the layer order and the minimum
// separation of neighbouring boxes. Pulling every edge short makes the drawing compact and puts
// each node at the weighted barycentre of its neighbours where there is room; heavy weights on the
// segments between dummy nodes keep long edges straight (the weights of Gansner et al.'s dot).
//
// The problem is convex, and with every other layer held fixed the best positions of one layer
// are an isotonic regression: with offsets o_i (the packed positions) and y_i = c_i - o_i, the
// separation constraints become y_1 <= y_2 <= ... and the cost sum W_i (y_i - (d_i - o_i))^2, where
// d_i is the weighted mean of node i's neighbours and W_i their total weight. Pool Adjacent
// Violators solves that exactly in O(layer size). Sweeping the layers down and up is block
// coordinate descent: the cost never increases, every pass is O(V + E), and a 10,000-node layer
// costs no more per node than a small one (unlike the priority method's pushing).
#include "daglayout/daglayout_p.h"

#include <algorithm>

namespace weft::studio::detail {

namespace {

constexpr int Passes = 8; // down-and-up passes; the cost changes little after a few

// Weighted isotonic regression: the nondecreasing y minimising sum weight_i (y_i - target_i)^2.
void poolAdjacentViolators(std::span<const double> target, std::span<const double> weight,
                           std::vector<double>& y) {
    struct Block {
        double weight, weightedSum;
        int first;
        double mean() const { return weightedSum / weight; }
    };
    std::vector<Block> blocks;
    blocks.reserve(target.size());
    for (int i = 0; i < int(target.size()); ++i) {
        blocks.push_back({weight[i], weight[i] * target[i], i});
        while (blocks.size() > 1 && blocks[blocks.size() - 2].mean() >= blocks.back().mean()) {
            const Block last = blocks.back();
            blocks.pop_back();
            blocks.back().weight += last.weight;
            blocks.back().weightedSum += last.weightedSum;
        }
    }
    y.resize(target.size());
    for (size_t b = 0; b < blocks.size(); ++b) {
        const int end = b + 1 < blocks.size() ? blocks[b + 1].first : int(target.size());
        std::fill(y.begin() + blocks[b].first, y.begin() + end, blocks[b].mean());
    }
}

} // namespace

std::vector<double> assignCrossCoordinates(const std::vector<std::vector<int>>& layers,
                                           const Adjacency& up, const Adjacency& down,
                                           std::span<const double> crossSize, int realCount,
                                           double nodeGap) {
    std::vector<double> centre(crossSize.size(), 0.0);
    const int L = int(layers.size());

    // Packed offsets per layer; they also start the descent, every layer centred on 0.
    std::vector<std::vector<double>> offset(L);
    for (int l = 0; l < L; ++l) {
        const auto& layer = layers[l];
        auto& o = offset[l];
        o.resize(layer.size());
        for (size_t i = 0; i < layer.size(); ++i)
            o[i] =
                i ? o[i - 1] + (crossSize[layer[i - 1]] + crossSize[layer[i]]) / 2 + nodeGap : 0.0;
        const double half = o.empty() ? 0.0 : o.back() / 2;
        for (size_t i = 0; i < layer.size(); ++i)
            centre[layer[i]] = o[i] - half;
    }

    auto weight = [realCount](int a, int b) {
        const int dummies = (a >= realCount) + (b >= realCount);
        return dummies == 2 ? 8.0 : dummies == 1 ? 2.0 : 1.0;
    };
    std::vector<double> target, w, y;
    auto place = [&](int l) {
        const auto& layer = layers[l];
        const auto& o = offset[l];
        target.resize(layer.size());
        w.resize(layer.size());
        for (size_t i = 0; i < layer.size(); ++i) {
            const int v = layer[i];
            double sum = 0, total = 0;
            for (int u : up.of(v)) {
                sum += weight(u, v) * centre[u];
                total += weight(u, v);
            }
            for (int u : down.of(v)) {
                sum += weight(u, v) * centre[u];
                total += weight(u, v);
            }
            if (total == 0) { // no neighbours (a lone node): stay, but yield to everyone else
                total = 1e-6;
                sum = total * centre[v];
            }
            target[i] = sum / total - o[i];
            w[i] = total;
        }
        poolAdjacentViolators(target, w, y);
        for (size_t i = 0; i < layer.size(); ++i)
            centre[layer[i]] = y[i] + o[i];
    };
    for (int pass = 0; pass < Passes && L > 1; ++pass) {
        for (int l = 0; l < L; ++l)
            place(l);
        for (int l = L - 2; l > 0; --l)
            place(l);
    }
    return centre;
}

} // namespace weft::studio::detail
