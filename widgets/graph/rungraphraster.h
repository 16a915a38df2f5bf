#pragma once
// A plain pixel layer for the zoomed-out graph: tens of thousands of one-pixel lines and tiny boxes
// written straight into an image, then composed with one drawImage. QPainter spends ~0.7 µs on each
// short cosmetic line; this spends a few nanoseconds a pixel.
#include <QImage>
#include <QPoint>
#include <QRect>

namespace weft::studio {

class RunGraphRaster {
public:
    /// Starts a transparent layer of `size` (memory is kept between frames).
    void begin(QSize size);
    /// A one-pixel line, clipped to the layer; `colour` is premultiplied ARGB.
    void line(QPointF a, QPointF b, QRgb colour);
    /// A filled rectangle, clipped to the layer (at least one pixel).
    void rect(const QRectF& r, QRgb colour);
    const QImage& image() const { return m_image; }

private:
    QImage m_image;
    QRgb* m_bits = nullptr;
    qsizetype m_stride = 0; // pixels a row
};

} // namespace weft::studio
