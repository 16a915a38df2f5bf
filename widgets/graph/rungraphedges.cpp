#include "graph/rungraphedges.h"

#include <algorithm>
#include <cmath>

namespace weft::studio {

bool clipSegment(QPointF& a, QPointF& b, const QRectF& r) {
    const double dx = b.x() - a.x(), dy = b.y() - a.y();
    double t0 = 0, t1 = 1;
    const double p[4] = {-dx, dx, -dy, dy};
    const double q[4] = {a.x() - r.left(), r.right() - a.x(), a.y() - r.top(), r.bottom() - a.y()};
    for (int i = 0; i < 4; ++i) {
        if (p[i] == 0) {
            if (q[i] < 0) return false; // parallel to this border and outside it
            continue;
        }
        const double t = q[i] / p[i];
        if (p[i] < 0)
            t0 = std::max(t0, t);
        else
            t1 = std::min(t1, t);
        if (t0 > t1) return false;
    }
    const QPointF a0 = a;
    a = a0 + QPointF(dx, dy) * t0;
    b = a0 + QPointF(dx, dy) * t1;
    return true;
}

EdgeCubic edgeCubic(QPointF a, QPointF b) {
    const double mid = (a.x() + b.x()) / 2;
    return {a, QPointF(mid, a.y()), QPointF(mid, b.y()), b, 0, 1};
}

QPointF pointAt(const EdgeCubic& c, double t) {
    const double u = 1 - t;
    return c.p0 * (u * u * u) + c.p1 * (3 * u * u * t) + c.p2 * (3 * u * t * t)
           + c.p3 * (t * t * t);
}

namespace {

// The t-interval of [0, 1] where a monotonic f(t) lies in [lo, hi], by bisection.
bool interval(const auto& f, double lo, double hi, double& t0, double& t1) {
    const double f0 = f(0.0), f1 = f(1.0);
    const bool up = f1 >= f0;
    if (std::max(f0, f1) < lo || std::min(f0, f1) > hi) return false;
    // First t where f reaches `v` going the way f goes.
    const auto cross = [&](double v) {
        double a = 0, b = 1;
        for (int i = 0; i < 40; ++i) {
            const double m = (a + b) / 2;
            if ((f(m) < v) == up)
                a = m;
            else
                b = m;
        }
        return (a + b) / 2;
    };
    t0 = up ? (f0 >= lo ? 0.0 : cross(lo)) : (f0 <= hi ? 0.0 : cross(hi));
    t1 = up ? (f1 <= hi ? 1.0 : cross(hi)) : (f1 >= lo ? 1.0 : cross(lo));
    return t0 <= t1;
}

// de Casteljau: the piece of `c` between t0 and t1.
EdgeCubic piece(const EdgeCubic& c, double t0, double t1) {
    const auto lerp = [](QPointF p, QPointF q, double t) { return p + (q - p) * t; };
    // Left part up to t1.
    QPointF a = lerp(c.p0, c.p1, t1), b = lerp(c.p1, c.p2, t1), d = lerp(c.p2, c.p3, t1);
    QPointF ab = lerp(a, b, t1), bd = lerp(b, d, t1);
    const EdgeCubic left{c.p0, a, ab, lerp(ab, bd, t1), 0, t1};
    if (t1 <= 0) return {c.p0, c.p0, c.p0, c.p0, 0, 0};
    // Right part of `left` from t0 / t1.
    const double s = t0 / t1;
    a = lerp(left.p0, left.p1, s);
    b = lerp(left.p1, left.p2, s);
    d = lerp(left.p2, left.p3, s);
    ab = lerp(a, b, s);
    bd = lerp(b, d, s);
    return {lerp(ab, bd, s), bd, d, left.p3, t0, t1};
}

} // namespace

bool clipEdgeCubic(QPointF a, QPointF b, const QRectF& r, EdgeCubic& out) {
    const EdgeCubic whole = edgeCubic(a, b);
    if (r.isEmpty() || r.contains(QRectF(a, b).normalized())) {
        out = whole;
        return true;
    }
    double x0, x1, y0, y1;
    if (!interval([&](double t) { return pointAt(whole, t).x(); }, r.left(), r.right(), x0, x1))
        return false;
    if (!interval([&](double t) { return pointAt(whole, t).y(); }, r.top(), r.bottom(), y0, y1))
        return false;
    const double t0 = std::max(x0, y0), t1 = std::min(x1, y1);
    if (t0 > t1) return false;
    out = piece(whole, t0, t1);
    return true;
}

} // namespace weft::studio
