#pragma once
// Paints a timeline (label column, time axis, rows of bars) from a TimelineModel and a
// TimelineMath, onto a screen, a PNG or an SVG alike. Stateless between frames: the view owns
// hover, selection and the visible window. Only lanes and intervals in the visible window are
// visited (binary search); thin bars are merged into runs of pixels, so a frame of 10,000 task
// runs stays a few thousand fills.
#include "timeline/timelinemath.h"
#include "timeline/timelinemodel.h"

#include <QColor>
#include <QCoreApplication>
#include <QFont>
#include <QPalette>
#include <array>
#include <optional>

class QPainter;

namespace weft::studio {

struct TimelineLook {
    QPalette palette;
    QFont font;
    int labelWidth = 200;
    int axisHeight = 28;
    int hovered = -1;              // interval index
    int selected = -1;             // interval index
    std::optional<double> cursorX; // bar-area x of the mouse: a time cursor
    bool decorations = true;       // hover, cursor and "now" (off for exports)
};

class TimelinePainter {
    Q_DECLARE_TR_FUNCTIONS(TimelinePainter)
public:
    TimelinePainter(const TimelineModel& model, const TimelineMath& math, const TimelineLook& look);
    /// Paints everything into `size` from (0, 0): labels left, axis on top, bars below.
    void paint(QPainter& p, QSize size) const;
    /// Bars drawn in the last paint() (merged runs count once): for benchmarks.
    int fills() const { return m_fills; }

    static bool isDark(const QPalette& palette);
    /// Space between a bar and the edges of its row, and the bar's height (centred in the row).
    static double barPadding(double rowHeight);
    static double barHeight(double rowHeight);
    /// a over b by `t` (0 = b, 1 = a).
    static QColor mix(const QColor& a, const QColor& b, double t);

private:
    struct Frame;
    void paintRowBackgrounds(QPainter& p, const Frame& f) const;
    void paintGrid(QPainter& p, const Frame& f) const;
    void paintBars(QPainter& p, const Frame& f) const;
    void paintBar(QPainter& p, const Frame& f, int i, const QRectF& r) const;
    void paintPhases(QPainter& p, const Frame& f, int i, const QRectF& r) const;
    void paintBarText(QPainter& p, const Frame& f, int i, const QRectF& r) const;
    void paintNowAndCursor(QPainter& p, const Frame& f) const;
    void paintAxis(QPainter& p, const Frame& f) const;
    void paintLabels(QPainter& p, const Frame& f) const;
    static void hatch(QPainter& p, const QRectF& r, const QColor& c);

    const TimelineModel& m_model;
    const TimelineMath& m_math;
    const TimelineLook& m_look;
    bool m_dark;
    std::array<QColor, 9> m_fill;
    std::array<QColor, 9> m_text;
    mutable int m_fills = 0;
};

} // namespace weft::studio
