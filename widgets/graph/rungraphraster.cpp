#include "graph/rungraphraster.h"

#include "graph/rungraphedges.h"

#include <cmath>
#include <cstdlib>

namespace weft::studio {

void RunGraphRaster::begin(QSize size) {
    if (m_image.size() != size) m_image = QImage(size, QImage::Format_ARGB32_Premultiplied);
    m_image.fill(Qt::transparent);
    m_bits = reinterpret_cast<QRgb*>(m_image.bits());
    m_stride = m_image.bytesPerLine() / 4;
}

void RunGraphRaster::line(QPointF a, QPointF b, QRgb colour) {
    if (!clipSegment(a, b, QRectF(0, 0, m_image.width() - 1, m_image.height() - 1))) return;
    int x0 = int(std::lround(a.x())), y0 = int(std::lround(a.y()));
    const int x1 = int(std::lround(b.x())), y1 = int(std::lround(b.y()));
    const int dx = std::abs(x1 - x0), dy = -std::abs(y1 - y0);
    const int sx = x0 < x1 ? 1 : -1, sy = y0 < y1 ? 1 : -1;
    int err = dx + dy;
    for (;;) { // Bresenham; the clip keeps every pixel inside
        m_bits[y0 * m_stride + x0] = colour;
        if (x0 == x1 && y0 == y1) break;
        const int e2 = 2 * err;
        if (e2 >= dy) err += dy, x0 += sx;
        if (e2 <= dx) err += dx, y0 += sy;
    }
}

void RunGraphRaster::rect(const QRectF& r, QRgb colour) {
    const int left = std::max(0, int(std::floor(r.left())));
    const int top = std::max(0, int(std::floor(r.top())));
    const int right = std::min(m_image.width() - 1, std::max(left, int(std::ceil(r.right())) - 1));
    const int bottom =
        std::min(m_image.height() - 1, std::max(top, int(std::ceil(r.bottom())) - 1));
    for (int y = top; y <= bottom; ++y) {
        QRgb* row = m_bits + y * m_stride;
        for (int x = left; x <= right; ++x)
            row[x] = colour;
    }
}

} // namespace weft::studio
