#pragma once
// Edge geometry for painting the run graph: the parts of an edge inside the visible rectangle, so a
// 400,000-pixel fan-out edge costs what its visible part costs. Pure functions, tested alone.
#include <QPointF>
#include <QRectF>

namespace weft::studio {

/// Clips segment ab to `r` (Liang–Barsky); false when nothing of it is inside.
bool clipSegment(QPointF& a, QPointF& b, const QRectF& r);

/// The curve the view draws between polyline points a and b: a cubic with horizontal tangents at
/// both ends (control points (mid.x, a.y) and (mid.x, b.y)). Its x and y are monotonic in t.
struct EdgeCubic {
    QPointF p0, p1, p2, p3;
    double t0 = 0, t1 = 1; ///< the part of the whole curve this piece is
};
EdgeCubic edgeCubic(QPointF a, QPointF b);
QPointF pointAt(const EdgeCubic& c, double t);

/// The piece of edgeCubic(a, b) inside `r` (an empty `r` keeps all of it); false when none is.
/// Since x(t) and y(t) are monotonic, the inside is one t-interval.
bool clipEdgeCubic(QPointF a, QPointF b, const QRectF& r, EdgeCubic& out);

} // namespace weft::studio
