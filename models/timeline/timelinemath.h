#pragma once
// The timeline's coordinate maths, kept out of the widget so it can be tested alone (as KDAB
// hotspot's TimeLineData): which time range is visible and how it maps to pixels, zooming around
// a point, clamping, the rows' height and scroll, and the axis ticks and their labels.
//
// Times are microseconds (weft::Micros) held as doubles so deep zooms keep sub-microsecond
// precision in the scale. x is measured from the left edge of the bar area, y from the top of the
// rows area.
#include <QString>
#include <cstdint>
#include <vector>

namespace weft::studio {

struct TimelineMath {
    // --- time axis ---
    double viewStart = 0;  // time at x = 0
    double viewSpan = 1e6; // time across `width`
    double width = 1;      // px of the bar area
    // Panning stays near [limitStart, limitEnd] (the run); zoom stays within [minSpan, maxSpan()].
    double limitStart = 0;
    double limitEnd = 1e6;
    double minSpan = 50; // µs across the whole view: the deepest zoom

    double usPerPixel() const { return viewSpan / width; }
    double xOf(double t) const { return (t - viewStart) * width / viewSpan; }
    double timeAt(double x) const { return viewStart + x * viewSpan / width; }
    double viewEnd() const { return viewStart + viewSpan; }
    /// The widest span: the run and some room around it.
    double maxSpan() const;

    /// Keeps the scale (µs per pixel) and the left edge: a wider view shows more time.
    void setWidth(double px);
    /// Shows [start, end] with `marginPx` free on both sides.
    void fitTime(double start, double end, double marginPx = 0);
    /// factor > 1 zooms in; the time under `x` stays under `x` (unless clamping moves it).
    void zoomTimeAround(double x, double factor);
    /// Moves the view by `dx` pixels (positive: later times come into view).
    void panPixels(double dx);
    /// Brings span and start back into their limits.
    void clampTime();

    // --- rows ---
    double rowHeight = 22; // px; below 1 when many rows are fitted into the view
    double rowOffset = 0;  // px scrolled from the top of the first row
    double height = 1;     // px of the rows area
    int rowCount = 0;
    double maxRowHeight = 48;
    static constexpr double kPreferredRowHeight = 22;
    static constexpr double kSmallestRowHeight = 3; // the floor, unless every row fits at less

    /// The lowest row height: every row in the view, or kSmallestRowHeight if that is lower.
    double minRowHeight() const;
    double contentHeight() const { return rowCount * rowHeight; }
    double yOf(int row) const { return row * rowHeight - rowOffset; }
    /// The row at `y`, or -1 outside the rows.
    int rowAt(double y) const;
    int firstVisibleRow() const;
    int lastVisibleRow() const; // -1 when there are no rows
    void setHeight(double px);
    void setRowCount(int rows);
    /// factor > 1 makes rows taller; the row position under `y` stays under `y`.
    void zoomRowsAround(double y, double factor);
    void scrollRows(double dy);
    /// Every row in the view when they fit at kPreferredRowHeight or less, else as many as the
    /// smallest row height allows; scrolled to the top.
    void fitRows();
    void clampRows();

    // --- axis ---
    struct Ticks {
        double step = 1e6; // µs between labelled ticks
        double minorStep = 2e5;
        double first = 0; // time of the first labelled tick at or after viewStart
    };
    /// The smallest "nice" step (1-2-5 below a second, then 1/2/5/10/15/30 s and min, 1/2/3/6/12 h,
    /// days) of at least `minStep` µs.
    static double niceStep(double minStep);
    /// How many minor ticks a nice step splits into.
    static int minorDivisions(double step);
    /// Ticks at least `minLabelPx` apart, aligned on `origin` (the run's start).
    Ticks ticks(double origin, double minLabelPx) const;
    /// An axis label for `offset` µs after the origin, as precise as `step` needs:
    /// "0", "250 ms", "1.25 s", "1 min 30 s", "2 h 15 min", "-2 s".
    static QString formatOffset(double offset, double step);
    /// A duration for tooltips: "850 µs", "12.5 ms", "1.24 s", "3 min 4.5 s", "2 h 5 min".
    static QString formatDuration(double us);

    // --- lanes ---
    struct LaneInput {
        std::int64_t start = 0;
        std::int64_t end = 0; // INT64_MAX while open
        int group = 0;        // 0, 1, …: numbered in order of first appearance
    };
    /// Packs intervals given in start order onto lanes, group by group: each takes the lowest
    /// lane of its group free at its start, else a new one, so a group has as many lanes as it
    /// has intervals at once (interval-graph colouring). A group's lanes follow the previous
    /// group's. `lanes` receives each interval's lane; returns each group's lane count.
    static std::vector<int> packLanes(const std::vector<LaneInput>& in, std::vector<int>& lanes);
};

} // namespace weft::studio
