#include "dashboard/niceaxis.h"

#include <algorithm>
#include <cmath>

namespace weft::studio {

NiceAxis niceAxis(double maxValue, int maxIntervals, bool integers) {
    maxIntervals = std::max(1, maxIntervals);
    if (!(maxValue > 0) || !std::isfinite(maxValue)) return {};
    // The smallest step from {1, 2, 2.5, 5} x 10^k that needs no more than maxIntervals steps;
    // start one decade below the raw step so rounding up never skips a candidate.
    const double raw = maxValue / maxIntervals;
    double decade = std::pow(10.0, std::floor(std::log10(raw)) - 1);
    for (;; decade *= 10) {
        for (const double m : {1.0, 2.0, 2.5, 5.0}) {
            const double step = m * decade;
            if (integers && (step < 1 || m == 2.5 && decade < 10)) continue; // 2.5, 25: no
            // A tiny tolerance: 3000 / 1000 must be 3 intervals, not 3.0000000001.
            const double intervals = std::ceil(maxValue / step - 1e-9);
            if (intervals <= maxIntervals) {
                NiceAxis axis;
                axis.step = step;
                axis.top = intervals * step;
                axis.tickCount = int(intervals) + 1;
                return axis;
            }
        }
    }
}

} // namespace weft::studio
