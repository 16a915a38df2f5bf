#include "timeline/timelinemath.h"

#include <QStringList>
#include <algorithm>
#include <array>
#include <cmath>
#include <queue>

namespace weft::studio {

namespace {
constexpr double kMs = 1e3;
constexpr double kSecond = 1e6;
constexpr double kMinute = 60 * kSecond;
constexpr double kHour = 60 * kMinute;
constexpr double kDay = 24 * kHour;

// Steps from a second to a day, with how many minor ticks each splits into.
struct ClockStep {
    double step;
    int minor;
};
constexpr std::array<ClockStep, 18> kClockSteps{{
    {1 * kSecond, 5},
    {2 * kSecond, 4},
    {5 * kSecond, 5},
    {10 * kSecond, 5},
    {15 * kSecond, 3},
    {30 * kSecond, 3},
    {1 * kMinute, 6},
    {2 * kMinute, 4},
    {5 * kMinute, 5},
    {10 * kMinute, 5},
    {15 * kMinute, 3},
    {30 * kMinute, 3},
    {1 * kHour, 4},
    {2 * kHour, 4},
    {3 * kHour, 3},
    {6 * kHour, 6},
    {12 * kHour, 4},
    {1 * kDay, 4},
}};

// The 1-2-5 step of at least `minStep`, in units of `unit`.
double oneTwoFive(double minStep, double unit) {
    const double v = std::max(minStep / unit, 1e-12);
    const double mag = std::pow(10.0, std::floor(std::log10(v)));
    for (double m : {1.0, 2.0, 5.0, 10.0})
        if (m * mag >= v * (1 - 1e-9)) return m * mag * unit;
    return 10 * mag * unit;
}

int leadingDigit(double v) {
    const double mag = std::pow(10.0, std::floor(std::log10(v) + 1e-9));
    return int(std::lround(v / mag));
}

// Fewest decimals (at most 6) that write `x` exactly.
int decimalsNeeded(double x) {
    for (int d = 0; d < 6; ++d) {
        const double scaled = x * std::pow(10.0, d);
        if (std::abs(scaled - std::round(scaled)) < 1e-6 * std::max(1.0, scaled)) return d;
    }
    return 6;
}

QString number(double v, int decimals) {
    return QString::number(v, 'f', decimals);
}

// "1 d 2 h 5 min 30.5 s" without zero parts; `seconds` already rounded to what is shown.
QString clockParts(double seconds, int secondDecimals, bool showSeconds) {
    const auto whole = static_cast<long long>(std::floor(seconds + 1e-9));
    const long long days = whole / 86400;
    const long long hours = whole / 3600 % 24;
    const long long minutes = whole / 60 % 60;
    const double secs = seconds - double(whole - whole % 60);
    QStringList parts;
    if (days) parts << QStringLiteral("%1 d").arg(days);
    if (hours) parts << QStringLiteral("%1 h").arg(hours);
    if (minutes) parts << QStringLiteral("%1 min").arg(minutes);
    if (showSeconds && (secs > 0.5 * std::pow(10.0, -secondDecimals) || parts.isEmpty()))
        parts << number(secs, secondDecimals) + QStringLiteral(" s");
    return parts.join(QLatin1Char(' '));
}
} // namespace

double TimelineMath::maxSpan() const {
    return std::max((limitEnd - limitStart) * 3, minSpan * 10);
}

void TimelineMath::setWidth(double px) {
    const double upp = usPerPixel();
    width = std::max(1.0, px);
    viewSpan = upp * width;
    clampTime();
}

void TimelineMath::fitTime(double start, double end, double marginPx) {
    const double usable = std::max(1.0, width - 2 * marginPx);
    viewSpan = std::max(end - start, minSpan) * width / usable;
    viewStart = start - marginPx * viewSpan / width;
    clampTime();
}

void TimelineMath::zoomTimeAround(double x, double factor) {
    if (!(factor > 0)) return;
    const double t = timeAt(x);
    viewSpan = std::clamp(viewSpan / factor, minSpan, maxSpan());
    viewStart = t - x * viewSpan / width;
    clampTime();
}

void TimelineMath::panPixels(double dx) {
    viewStart += dx * usPerPixel();
    clampTime();
}

void TimelineMath::clampTime() {
    viewSpan = std::clamp(viewSpan, minSpan, maxSpan());
    // A little room past either end of the run; a view wider than the run centres it.
    const double slack = 0.1 * viewSpan;
    const double lo = limitStart - slack;
    const double hi = limitEnd + slack - viewSpan;
    if (hi < lo)
        viewStart = (limitStart + limitEnd - viewSpan) / 2;
    else
        viewStart = std::clamp(viewStart, lo, hi);
}

double TimelineMath::minRowHeight() const {
    if (rowCount <= 0) return kSmallestRowHeight;
    return std::min(kSmallestRowHeight, height / rowCount);
}

int TimelineMath::rowAt(double y) const {
    if (y < 0 || y >= height) return -1;
    const auto row = static_cast<long long>(std::floor((y + rowOffset) / rowHeight));
    return row >= 0 && row < rowCount ? int(row) : -1;
}

int TimelineMath::firstVisibleRow() const {
    if (rowCount <= 0) return 0;
    return std::clamp(int(std::floor(rowOffset / rowHeight)), 0, rowCount - 1);
}

int TimelineMath::lastVisibleRow() const {
    if (rowCount <= 0) return -1;
    const int last = int(std::ceil((rowOffset + height) / rowHeight)) - 1;
    return std::clamp(last, 0, rowCount - 1);
}

void TimelineMath::setHeight(double px) {
    height = std::max(1.0, px);
    clampRows();
}

void TimelineMath::setRowCount(int rows) {
    rowCount = std::max(0, rows);
    clampRows();
}

void TimelineMath::zoomRowsAround(double y, double factor) {
    if (!(factor > 0)) return;
    const double pos = (y + rowOffset) / rowHeight;
    rowHeight = std::clamp(rowHeight * factor, minRowHeight(), maxRowHeight);
    rowOffset = pos * rowHeight - y;
    clampRows();
}

void TimelineMath::scrollRows(double dy) {
    rowOffset += dy;
    clampRows();
}

void TimelineMath::fitRows() {
    rowHeight =
        rowCount > 0 ? std::min(kPreferredRowHeight, height / rowCount) : kPreferredRowHeight;
    rowOffset = 0;
    clampRows();
}

void TimelineMath::clampRows() {
    rowHeight = std::clamp(rowHeight, minRowHeight(), std::max(minRowHeight(), maxRowHeight));
    rowOffset = std::clamp(rowOffset, 0.0, std::max(0.0, contentHeight() - height));
}

double TimelineMath::niceStep(double minStep) {
    if (minStep <= 1) return 1;
    if (minStep <= kSecond) return std::min(oneTwoFive(minStep, 1), kSecond);
    for (const ClockStep& s : kClockSteps)
        if (s.step >= minStep * (1 - 1e-9)) return s.step;
    return oneTwoFive(minStep, kDay);
}

int TimelineMath::minorDivisions(double step) {
    if (step >= kSecond && step <= kDay) {
        for (const ClockStep& s : kClockSteps)
            if (std::abs(s.step - step) < 1e-6 * step) return s.minor;
    }
    const int lead = leadingDigit(step >= kDay ? step / kDay : step);
    return lead == 2 ? 4 : 5;
}

TimelineMath::Ticks TimelineMath::ticks(double origin, double minLabelPx) const {
    Ticks t;
    t.step = niceStep(std::max(minLabelPx, 1.0) * usPerPixel());
    t.minorStep = t.step / minorDivisions(t.step);
    t.first = origin + std::ceil((viewStart - origin) / t.step - 1e-9) * t.step;
    return t;
}

QString TimelineMath::formatOffset(double offset, double step) {
    const QString sign = offset < 0 ? QStringLiteral("-") : QString();
    double a = std::abs(offset);
    // Snap to the step's resolution first: ticks computed as first + k * step carry rounding.
    const double resolution =
        step < kSecond ? std::pow(10.0, std::floor(std::log10(step)) - 1) : kSecond;
    a = std::round(a / resolution) * resolution;
    if (a < 0.5) return QStringLiteral("0");
    if (a < kSecond && step < kSecond)
        return sign + number(a / kMs, decimalsNeeded(step / kMs)) + QStringLiteral(" ms");
    if (a < kMinute && step < kMinute)
        return sign + number(a / kSecond, step < kSecond ? decimalsNeeded(step / kSecond) : 0)
               + QStringLiteral(" s");
    // Minutes and up: parts down to the step's unit.
    int secondDecimals = 0;
    double unit = 1; // seconds
    if (step < kSecond)
        secondDecimals = decimalsNeeded(step / kSecond);
    else if (step >= kDay)
        unit = 86400;
    else if (step >= kHour)
        unit = 3600;
    else if (step >= kMinute)
        unit = 60;
    double seconds = a / kSecond;
    if (secondDecimals == 0) seconds = std::round(seconds / unit) * unit;
    return sign + clockParts(seconds, secondDecimals, step < kMinute);
}

QString TimelineMath::formatDuration(double us) {
    const double a = std::max(0.0, us);
    if (std::round(a) < kMs) return QStringLiteral("%1 µs").arg(std::llround(a));
    if (a < kSecond - 0.5 * kMs) {
        const double ms = a / kMs;
        const int d = ms < 9.995 ? 2 : ms < 99.95 ? 1 : 0;
        return number(ms, d) + QStringLiteral(" ms");
    }
    if (a < kMinute - 0.05 * kSecond) {
        const double s = a / kSecond;
        return number(s, s < 9.995 ? 2 : 1) + QStringLiteral(" s");
    }
    if (a < kHour - 0.5 * kSecond) return clockParts(std::round(a / kSecond), 0, true);
    return clockParts(std::round(a / kMinute) * 60, 0, false);
}

std::vector<int> TimelineMath::packLanes(const std::vector<LaneInput>& in,
                                         std::vector<int>& lanes) {
    using Busy = std::pair<std::int64_t, int>; // (end, lane)
    struct Packing {
        std::priority_queue<Busy, std::vector<Busy>, std::greater<>> busy;
        std::priority_queue<int, std::vector<int>, std::greater<>> free;
        int lanes = 0;
    };
    std::vector<Packing> packs;
    std::vector<int> local(in.size());
    for (size_t i = 0; i < in.size(); ++i) {
        if (size_t(in[i].group) >= packs.size()) packs.resize(size_t(in[i].group) + 1);
        Packing& p = packs[size_t(in[i].group)];
        while (!p.busy.empty() && p.busy.top().first <= in[i].start) {
            p.free.push(p.busy.top().second);
            p.busy.pop();
        }
        if (p.free.empty()) {
            local[i] = p.lanes++;
        } else {
            local[i] = p.free.top();
            p.free.pop();
        }
        p.busy.push({in[i].end, local[i]});
    }
    std::vector<int> counts(packs.size()), first(packs.size());
    int total = 0;
    for (size_t g = 0; g < packs.size(); ++g) {
        first[g] = total;
        counts[g] = packs[g].lanes;
        total += counts[g];
    }
    lanes.resize(in.size());
    for (size_t i = 0; i < in.size(); ++i)
        lanes[i] = first[size_t(in[i].group)] + local[i];
    return counts;
}

} // namespace weft::studio
