#pragma once
// Value-axis ticks people can read: steps of 1, 2, 2.5 or 5 times a power of ten, from 0 to a
// multiple of the step at or above the largest value (0/500/1000/…, never 0/902/1805). Pure.
namespace weft::studio {

struct NiceAxis {
    double top = 1;    // the axis runs from 0 to top
    double step = 1;   // between ticks
    int tickCount = 2; // ticks including 0 and top: top / step + 1

    friend bool operator==(const NiceAxis&, const NiceAxis&) = default;
};

/// An axis from 0 that holds `maxValue` with at most `maxIntervals` steps (>= 1). With
/// `integers` (counts), steps are whole numbers. A max of 0 or less gives 0..1.
NiceAxis niceAxis(double maxValue, int maxIntervals = 5, bool integers = false);

} // namespace weft::studio
