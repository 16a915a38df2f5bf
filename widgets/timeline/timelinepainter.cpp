#include "timeline/timelinepainter.h"

#include "common/statepalette.h"

#include <QFontMetricsF>
#include <QLinearGradient>
#include <QPainter>
#include <QPainterPath>
#include <algorithm>
#include <cmath>

namespace weft::studio {

namespace {
constexpr double kDenseRow = 6;     // below this row height bars are plain pixel runs
constexpr double kLabelledRow = 12; // from this row height each lane has its label
constexpr double kTextRow = 15;     // from this row height bars carry their duration
constexpr double kTallestBar = 24;  // taller rows get more air around their bar

int typeIndex(weft::StateType t) {
    return int(t);
}

// Consecutive thin bars on one pixel row in one colour become one fill.
class RunBatcher {
public:
    RunBatcher(QPainter& p, int& fills)
        : m_p(p)
        , m_fills(fills) {}
    ~RunBatcher() { flush(); }
    void add(int x0, int x1, int y, int h, QRgb c) {
        if (m_open && y == m_y && h == m_h && c == m_c && x0 <= m_x1) {
            m_x1 = std::max(m_x1, x1);
            return;
        }
        flush();
        m_open = true;
        m_x0 = x0, m_x1 = x1, m_y = y, m_h = h, m_c = c;
    }
    void flush() {
        if (!m_open) return;
        m_p.fillRect(QRect(m_x0, m_y, m_x1 - m_x0, m_h), QColor::fromRgba(m_c));
        ++m_fills;
        m_open = false;
    }

private:
    QPainter& m_p;
    int& m_fills;
    bool m_open = false;
    int m_x0 = 0, m_x1 = 0, m_y = 0, m_h = 0;
    QRgb m_c = 0;
};
} // namespace

struct TimelinePainter::Frame {
    QSize size;
    double left = 0, top = 0, width = 0, height = 0; // the bar area
    weft::Micros t0 = 0, t1 = 0, origin = 0, now = 0;
    int lane0 = 0, lane1 = -1;
    double pad = 0; // between a bar and its row's edges
    TimelineMath::Ticks ticks;
    QColor base, header, text, muted, line, highlight;
    QFont small;
    bool dense = false;
    double x(weft::Micros t, const TimelineMath& m) const { return left + m.xOf(double(t)); }
    double y(int lane, const TimelineMath& m) const { return top + m.yOf(lane); }
};

TimelinePainter::TimelinePainter(const TimelineModel& model, const TimelineMath& math,
                                 const TimelineLook& look)
    : m_model(model)
    , m_math(math)
    , m_look(look)
    , m_dark(isDark(look.palette)) {
    for (weft::StateType t : allStateTypes()) {
        m_fill[size_t(typeIndex(t))] = stateColor(t, m_dark);
        m_text[size_t(typeIndex(t))] = stateTextColor(t, m_dark);
    }
}

bool TimelinePainter::isDark(const QPalette& palette) {
    return palette.color(QPalette::Window).lightnessF() < 0.5;
}

double TimelinePainter::barPadding(double rowHeight) {
    return rowHeight < kDenseRow ? 0 : std::clamp(rowHeight * 0.17, 1.5, 6.0);
}

double TimelinePainter::barHeight(double rowHeight) {
    return rowHeight < kDenseRow ? rowHeight
                                 : std::min(rowHeight - 2 * barPadding(rowHeight), kTallestBar);
}

QColor TimelinePainter::mix(const QColor& a, const QColor& b, double t) {
    return QColor::fromRgbF(float(a.redF() * t + b.redF() * (1 - t)),
                            float(a.greenF() * t + b.greenF() * (1 - t)),
                            float(a.blueF() * t + b.blueF() * (1 - t)));
}

void TimelinePainter::paint(QPainter& p, QSize size) const {
    m_fills = 0;
    Frame f;
    f.size = size;
    f.left = m_look.labelWidth;
    f.top = m_look.axisHeight;
    f.width = std::max(0.0, size.width() - f.left);
    f.height = std::max(0.0, size.height() - f.top);
    f.t0 = weft::Micros(std::floor(m_math.timeAt(-2)));
    f.t1 = weft::Micros(std::ceil(m_math.timeAt(f.width + 2)));
    f.lane0 = m_math.firstVisibleRow();
    f.lane1 = std::min(m_math.lastVisibleRow(), m_model.laneCount() - 1);
    f.origin = m_model.rangeStart();
    f.now = m_model.openEnd();
    f.dense = m_math.rowHeight < kDenseRow;
    f.pad = barPadding(m_math.rowHeight);
    const QPalette& pal = m_look.palette;
    f.base = pal.color(QPalette::Base);
    f.text = pal.color(QPalette::Text);
    f.header = mix(pal.color(QPalette::Window), f.base, m_dark ? 0.7 : 0.55);
    f.muted = mix(f.text, f.base, 0.55);
    f.line = mix(f.text, f.base, m_dark ? 0.22 : 0.14);
    f.highlight = pal.color(QPalette::Highlight);
    f.small = m_look.font;
    f.small.setPointSizeF(m_look.font.pointSizeF() * 0.88);
    // Labels at least their own width apart: grow the spacing until the widest fits.
    const QFontMetricsF sfm(f.small);
    double minPx = 70;
    for (int round = 0; round < 3; ++round) {
        f.ticks = m_math.ticks(double(f.origin), minPx);
        double widest = 0;
        for (int k = 0; k < 4; ++k)
            widest = std::max(
                widest, sfm.horizontalAdvance(TimelineMath::formatOffset(
                            f.ticks.first + k * f.ticks.step - double(f.origin), f.ticks.step)));
        if (widest + 18 <= minPx) break;
        minPx = widest + 18;
    }

    p.save();
    p.fillRect(QRect(QPoint(0, 0), size), f.base);
    p.setClipRect(QRectF(f.left, f.top, f.width, f.height));
    paintRowBackgrounds(p, f);
    paintGrid(p, f);
    paintBars(p, f);
    paintNowAndCursor(p, f);
    p.setClipping(false);
    paintAxis(p, f);
    paintLabels(p, f);
    p.restore();
}

void TimelinePainter::paintRowBackgrounds(QPainter& p, const Frame& f) const {
    const double rh = m_math.rowHeight;
    const QColor stripe = mix(f.text, f.base, m_dark ? 0.035 : 0.025);
    auto band = [&](int first, int lanes) {
        return QRectF(f.left, f.y(first, m_math), f.width, lanes * rh);
    };
    if (m_model.groupByTaskKey()) {
        const auto& groups = m_model.groups();
        for (size_t g = 0; g < groups.size(); ++g) {
            const auto& grp = groups[g];
            if (grp.firstLane + grp.lanes <= f.lane0 || grp.firstLane > f.lane1) continue;
            if (g % 2) p.fillRect(band(grp.firstLane, grp.lanes), stripe);
            if (g > 0 && grp.lanes * rh >= 4) {
                const double y = std::round(f.y(grp.firstLane, m_math)) + 0.5;
                p.setPen(f.line);
                p.drawLine(QPointF(f.left, y), QPointF(f.left + f.width, y));
            }
        }
    } else if (rh >= kDenseRow) {
        for (int lane = f.lane0 | 1; lane <= f.lane1; lane += 2)
            p.fillRect(band(lane, 1), stripe);
    }
    if (m_look.decorations && m_look.hovered >= 0 && rh >= kDenseRow)
        p.fillRect(band(m_model.interval(m_look.hovered).lane, 1), [&] {
            QColor c = f.highlight;
            c.setAlphaF(0.07f);
            return c;
        }());
    if (m_look.selected >= 0) {
        QColor c = f.highlight;
        c.setAlphaF(0.13f);
        p.fillRect(
            band(m_model.interval(m_look.selected).lane, 1).adjusted(0, 0, 0, rh < 2 ? 2 : 0), c);
    }
    // Outside the run: shaded, so its start and end read at a glance.
    const QColor outside = mix(f.text, f.base, m_dark ? 0.045 : 0.03);
    if (auto s = m_model.runStart()) {
        const double x = f.x(*s, m_math);
        if (x > f.left) p.fillRect(QRectF(f.left, f.top, x - f.left, f.height), outside);
    }
    if (auto e = m_model.runEnd()) {
        const double x = f.x(*e, m_math);
        if (x < f.left + f.width)
            p.fillRect(QRectF(x, f.top, f.left + f.width - x, f.height), outside);
    }
}

void TimelinePainter::paintGrid(QPainter& p, const Frame& f) const {
    const TimelineMath::Ticks& t = f.ticks;
    const double minorPx = t.minorStep / m_math.usPerPixel();
    QColor minor = f.text, major = f.text;
    minor.setAlphaF(m_dark ? 0.05f : 0.035f);
    major.setAlphaF(m_dark ? 0.12f : 0.09f);
    const double firstMinor = t.first - t.step;
    for (int k = 0;; ++k) {
        const double time = firstMinor + k * t.minorStep;
        if (time > double(f.t1)) break;
        const double x = std::round(f.left + m_math.xOf(time)) + 0.5;
        const bool isMajor =
            std::fmod(std::abs(time - t.first) + t.minorStep / 2, t.step) < t.minorStep;
        if (!isMajor && minorPx < 10) continue;
        p.setPen(isMajor ? major : minor);
        p.drawLine(QPointF(x, f.top), QPointF(x, f.top + f.height));
    }
}

void TimelinePainter::paintBars(QPainter& p, const Frame& f) const {
    const int n = m_model.count();
    if (n == 0 || f.lane1 < f.lane0) return;
    int first = m_model.firstIndex(f.t0);
    int last = m_model.lastIndex(f.t1);
    const bool grouped = m_model.groupByTaskKey();
    if (!grouped) { // a lane is an index: only the visible lanes
        first = std::max(first, f.lane0);
        last = std::min(last, f.lane1);
    }
    const double rh = m_math.rowHeight;
    const double h = barHeight(rh);
    // Thin failures would vanish among thousands of bars: they are drawn last, at least 2 px.
    std::vector<QRect> alerts;
    std::vector<QRgb> alertColours;
    RunBatcher runs(p, m_fills);
    for (int i = first; i <= last; ++i) {
        const TimelineInterval& iv = m_model.interval(i);
        if (grouped && (iv.lane < f.lane0 || iv.lane > f.lane1)) continue;
        const weft::Micros end = m_model.endOf(iv);
        if (end < f.t0) continue;
        // Clipped a little outside the view: painters dislike huge coordinates.
        const double x0 = std::max(f.x(iv.start, m_math), f.left - 20);
        const double x1 = std::min(f.x(end, m_math), f.left + f.width + 20);
        const double top = f.y(iv.lane, m_math) + (rh - h) / 2;
        if (f.dense || x1 - x0 < 4) {
            const int yi = int(std::floor(top));
            const int hi = std::max(1, int(std::floor(top + h)) - yi);
            const int xi0 = int(std::floor(x0));
            const int xi1 = std::max(xi0 + 1, int(std::ceil(x1)));
            const QRgb c = m_fill[size_t(typeIndex(iv.state))].rgba();
            if (hi < 2
                && (iv.state == weft::StateType::Failed || iv.state == weft::StateType::Crashed)) {
                alerts.emplace_back(xi0, yi, std::max(2, xi1 - xi0), 2);
                alertColours.push_back(c);
            }
            runs.add(xi0, xi1, yi, hi, c);
            continue;
        }
        runs.flush();
        paintBar(p, f, i, QRectF(x0, top, x1 - x0 - (x1 - x0 > 6 ? 1 : 0), h));
    }
    runs.flush();
    for (size_t k = 0; k < alerts.size(); ++k)
        p.fillRect(alerts[k], QColor::fromRgba(alertColours[k]));
}

void TimelinePainter::paintBar(QPainter& p, const Frame& f, int i, const QRectF& r) const {
    const TimelineInterval& iv = m_model.interval(i);
    const QColor c = m_fill[size_t(typeIndex(iv.state))];
    const double radius = std::min({3.0, r.height() / 2, r.width() / 2});
    p.setRenderHint(QPainter::Antialiasing, true);
    p.setPen(Qt::NoPen);
    if (iv.retried) {
        paintPhases(p, f, i, r);
    } else if (iv.open) {
        // Open end: rounded on the left, square on the right (a rounded rect running past the
        // clip), fading out towards now.
        const double fade = std::min(18.0, r.width() / 2);
        QLinearGradient g(r.left(), 0, r.right(), 0);
        QColor clear = c;
        clear.setAlphaF(0.12f);
        g.setColorAt(0, c);
        g.setColorAt(1 - fade / r.width(), c);
        g.setColorAt(1, clear);
        p.save();
        p.setClipRect(r, Qt::IntersectClip);
        p.setBrush(g);
        p.drawRoundedRect(r.adjusted(0, 0, radius + 1, 0), radius, radius);
        p.restore();
    } else {
        p.setBrush(c);
        p.drawRoundedRect(r, radius, radius);
    }
    const bool selected = i == m_look.selected;
    if (selected || (m_look.decorations && i == m_look.hovered)) {
        QColor outline = selected ? f.highlight : f.text;
        if (!selected) outline.setAlphaF(0.55f);
        p.setPen(QPen(outline, selected ? 2 : 1.5));
        p.setBrush(Qt::NoBrush);
        p.drawRoundedRect(r.adjusted(-1.5, -1.5, 1.5, 1.5), radius + 1.5, radius + 1.5);
    }
    p.setRenderHint(QPainter::Antialiasing, false);
    if (m_math.rowHeight >= kTextRow) paintBarText(p, f, i, r);
}

void TimelinePainter::paintPhases(QPainter& p, const Frame& f, int i, const QRectF& r) const {
    const TimelineInterval& iv = m_model.interval(i);
    const auto phases = m_model.phases(i);
    const weft::Micros end = m_model.endOf(iv);
    QPainterPath clip;
    clip.addRoundedRect(r, std::min(3.0, r.height() / 2), std::min(3.0, r.height() / 2));
    p.save();
    p.setClipPath(clip, Qt::IntersectClip);
    for (size_t k = 0; k < phases.size(); ++k) {
        const weft::Micros ps = phases[k].start;
        const weft::Micros pe = k + 1 < phases.size() ? phases[k + 1].start : end;
        if (pe <= ps) continue;
        const QRectF seg(f.x(ps, m_math), r.top(), f.x(pe, m_math) - f.x(ps, m_math), r.height());
        if (phases[k].type == weft::StateType::Running) {
            // An attempt takes the colour of how it ended: a wait for a retry means it failed.
            weft::StateType how = iv.state;
            if (k + 1 < phases.size()) {
                const weft::StateType next = phases[k + 1].type;
                how = weft::is_terminal(next)              ? next
                      : next == weft::StateType::Scheduled ? weft::StateType::Failed
                                                           : weft::StateType::Running;
            }
            p.fillRect(seg, m_fill[size_t(typeIndex(how))]);
        } else {
            hatch(p, seg, m_fill[size_t(typeIndex(phases[k].type))]);
        }
    }
    p.restore();
}

void TimelinePainter::hatch(QPainter& p, const QRectF& r, const QColor& c) {
    QColor wash = c;
    wash.setAlphaF(0.22f);
    p.fillRect(r, wash);
    QColor stroke = c;
    stroke.setAlphaF(0.85f);
    p.save();
    p.setRenderHint(QPainter::Antialiasing, true);
    p.setPen(QPen(stroke, 1.4));
    // 45° lines cut to the rectangle by hand (SVG viewers differ on nested clips).
    const double h = r.height();
    for (double x = r.left() - h; x < r.right(); x += 5) {
        const double t0 = std::max(0.0, (r.left() - x) / h);
        const double t1 = std::min(1.0, (r.right() - x) / h);
        if (t1 > t0)
            p.drawLine(QPointF(x + t0 * h, r.bottom() - t0 * h),
                       QPointF(x + t1 * h, r.bottom() - t1 * h));
    }
    p.restore();
}

void TimelinePainter::paintBarText(QPainter& p, const Frame& f, int i, const QRectF& r) const {
    const TimelineInterval& iv = m_model.interval(i);
    QString text = TimelineMath::formatDuration(double(m_model.endOf(iv) - iv.start));
    if (iv.open) text += QStringLiteral(" …");
    if (iv.runCount > 1) text += QStringLiteral(" · %1 attempts").arg(iv.runCount);
    p.setFont(f.small);
    const QFontMetricsF fm(f.small);
    const double w = fm.horizontalAdvance(text);
    if (w + 12 <= r.width() && !iv.retried) {
        p.setPen(m_text[size_t(typeIndex(iv.state))]);
        p.drawText(r.adjusted(6, 0, -6, 0), Qt::AlignVCenter | Qt::AlignLeft, text);
    } else if (!m_model.groupByTaskKey() && r.right() + 6 + w < f.left + f.width) {
        // One bar per lane: the room after it is free.
        p.setPen(f.muted);
        p.drawText(QRectF(r.right() + 6, r.top(), w + 2, r.height()),
                   Qt::AlignVCenter | Qt::AlignLeft, text);
    }
}

void TimelinePainter::paintNowAndCursor(QPainter& p, const Frame& f) const {
    if (m_model.isLive()) {
        const double x = std::round(f.x(f.now, m_math)) + 0.5;
        QPen pen(mix(f.highlight, f.base, 0.8), 1, Qt::DashLine);
        p.setPen(pen);
        p.drawLine(QPointF(x, f.top), QPointF(x, f.top + f.height));
    }
    if (m_look.decorations && m_look.cursorX) {
        QColor c = f.text;
        c.setAlphaF(0.3f);
        p.setPen(c);
        const double x = std::round(f.left + *m_look.cursorX) + 0.5;
        p.drawLine(QPointF(x, f.top), QPointF(x, f.top + f.height));
    }
}

void TimelinePainter::paintAxis(QPainter& p, const Frame& f) const {
    const QRectF axis(f.left, 0, f.width, f.top);
    p.save();
    p.setClipRect(axis);
    p.fillRect(axis, f.header);
    p.setFont(f.small);
    const QFontMetricsF fm(f.small);
    const TimelineMath::Ticks& t = f.ticks;
    // Tags (now, the cursor's time) go on top; tick labels they would cover are left out.
    struct Tag {
        QRectF box;
        QString text;
        QColor bg, fg;
    };
    std::vector<Tag> tags;
    auto tag = [&](double x, const QString& text, const QColor& bg, const QColor& fg) {
        const double w = fm.horizontalAdvance(text) + 10;
        tags.push_back(
            {QRectF(std::clamp(x - w / 2, f.left + 1, f.left + f.width - w - 1), 3, w, f.top - 7),
             text, bg, fg});
    };
    if (m_look.decorations && m_model.isLive())
        tag(f.x(f.now, m_math), tr("now"), mix(f.highlight, f.base, 0.8), f.base);
    if (m_look.decorations && m_look.cursorX) {
        const double time = m_math.timeAt(*m_look.cursorX);
        tag(f.left + *m_look.cursorX,
            TimelineMath::formatOffset(time - double(f.origin), t.minorStep / 10), f.text, f.base);
    }
    const double minorPx = t.minorStep / m_math.usPerPixel();
    QColor tick = f.text;
    tick.setAlphaF(0.28f);
    const double baseline = (f.top + fm.ascent() - fm.descent()) / 2;
    for (int k = 0;; ++k) {
        const double time = t.first - t.step + k * t.minorStep;
        if (time > double(f.t1)) break;
        const double x = std::round(f.left + m_math.xOf(time)) + 0.5;
        const bool isMajor =
            std::fmod(std::abs(time - t.first) + t.minorStep / 2, t.step) < t.minorStep;
        p.setPen(tick);
        if (!isMajor) {
            if (minorPx >= 6) p.drawLine(QPointF(x, f.top - 5), QPointF(x, f.top));
            continue;
        }
        p.drawLine(QPointF(x, f.top * 0.25), QPointF(x, f.top));
        const QString label = TimelineMath::formatOffset(time - double(f.origin), t.step);
        const QRectF box(x + 5, 0, fm.horizontalAdvance(label), f.top);
        const bool covered = std::any_of(tags.begin(), tags.end(),
                                         [&](const Tag& g) { return g.box.intersects(box); });
        if (x < f.left || box.right() > f.left + f.width - 2 || covered) continue;
        p.setPen(f.text);
        p.drawText(QPointF(box.left(), baseline), label);
    }
    p.setRenderHint(QPainter::Antialiasing, true);
    for (const Tag& g : tags) {
        p.setPen(Qt::NoPen);
        p.setBrush(g.bg);
        p.drawRoundedRect(g.box, 4, 4);
        p.setPen(g.fg);
        p.drawText(g.box, Qt::AlignCenter, g.text);
    }
    p.setRenderHint(QPainter::Antialiasing, false);
    p.setPen(f.line);
    p.drawLine(QPointF(f.left, f.top - 0.5), QPointF(f.left + f.width, f.top - 0.5));
    p.restore();
}

void TimelinePainter::paintLabels(QPainter& p, const Frame& f) const {
    const QRectF column(0, 0, f.left, f.size.height());
    p.fillRect(column, f.header);
    const double rh = m_math.rowHeight;
    const QFontMetricsF fm(m_look.font);
    const bool grouped = m_model.groupByTaskKey();
    // Corner: what the rows are.
    p.setFont(f.small);
    p.setPen(f.muted);
    const QString corner = grouped ? tr("Tasks · %1").arg(m_model.groups().size())
                                   : tr("Task runs · %1").arg(m_model.count());
    p.drawText(QRectF(12, 0, f.left - 20, f.top), Qt::AlignVCenter | Qt::AlignLeft, corner);
    p.setPen(f.line);
    p.drawLine(QPointF(0, f.top - 0.5), QPointF(f.left, f.top - 0.5));

    p.save();
    p.setClipRect(QRectF(0, f.top, f.left, f.height));
    p.setFont(m_look.font);
    if (grouped) {
        for (const auto& g : m_model.groups()) {
            const double gy0 = f.y(g.firstLane, m_math);
            const double gy1 = gy0 + g.lanes * rh;
            if (gy1 < f.top || gy0 > f.top + f.height) continue;
            if (g.firstLane > 0 && g.lanes * rh >= 4) {
                p.setPen(f.line);
                p.drawLine(QPointF(0, std::round(gy0) + 0.5),
                           QPointF(f.left, std::round(gy0) + 0.5));
            }
            const double lineH = std::max(rh, fm.height() + 6);
            if (gy1 - gy0 < fm.height()) continue;
            // Sticky: the label stays in view while any of its group does.
            const double ly = std::clamp(f.top, gy0, gy1 - lineH);
            const QString count = QString::number(g.intervals);
            const double cw = QFontMetricsF(f.small).horizontalAdvance(count);
            p.setPen(f.text);
            p.setFont(m_look.font);
            p.drawText(QRectF(12, ly, f.left - cw - 30, lineH), Qt::AlignVCenter | Qt::AlignLeft,
                       fm.elidedText(g.taskKey, Qt::ElideRight, f.left - cw - 30));
            p.setFont(f.small);
            p.setPen(f.muted);
            p.drawText(QRectF(f.left - cw - 12, ly, cw, lineH), Qt::AlignVCenter | Qt::AlignRight,
                       count);
        }
    } else if (rh >= kLabelledRow) {
        for (int lane = f.lane0; lane <= f.lane1; ++lane) {
            const TimelineInterval& iv = m_model.interval(lane);
            const QRectF row(0, f.y(lane, m_math), f.left, rh);
            if (lane == m_look.selected || (m_look.decorations && lane == m_look.hovered)) {
                QColor c = f.highlight;
                c.setAlphaF(lane == m_look.selected ? 0.18f : 0.08f);
                p.fillRect(row, c);
            }
            const double dot = std::min(8.0, rh - 6);
            p.setRenderHint(QPainter::Antialiasing, true);
            p.setPen(Qt::NoPen);
            p.setBrush(m_fill[size_t(typeIndex(iv.state))]);
            p.drawEllipse(QRectF(12, row.center().y() - dot / 2, dot, dot));
            p.setRenderHint(QPainter::Antialiasing, false);
            double right = f.left - 10;
            if (iv.runCount > 1) {
                const QString badge = QStringLiteral("×%1").arg(iv.runCount);
                const double bw = QFontMetricsF(f.small).horizontalAdvance(badge);
                p.setFont(f.small);
                p.setPen(m_fill[size_t(typeIndex(weft::StateType::Scheduled))]);
                p.drawText(QRectF(right - bw, row.top(), bw, rh), Qt::AlignVCenter | Qt::AlignRight,
                           badge);
                right -= bw + 6;
                p.setFont(m_look.font);
            }
            p.setPen(f.text);
            const double x = 12 + dot + 8;
            p.drawText(QRectF(x, row.top(), right - x, rh), Qt::AlignVCenter | Qt::AlignLeft,
                       fm.elidedText(m_model.name(lane), Qt::ElideMiddle, right - x));
        }
    } else if (m_model.count() > 0) {
        // Rows too thin to name: say what is there and how to see more, and mark row numbers
        // (in start order) on a ruler at the right.
        p.setFont(f.small);
        p.setPen(f.muted);
        p.drawText(QRectF(12, f.top + 8, f.left - 56, 60),
                   Qt::AlignTop | Qt::AlignLeft | Qt::TextWordWrap,
                   tr("%1 task runs\nCtrl+wheel: taller rows").arg(m_model.count()));
        const double every = TimelineMath::niceStep(std::ceil(30 / rh)); // rows between marks
        const QFontMetricsF sfm(f.small);
        const int step = int(every);
        for (int number = std::max(step, int(std::ceil((f.lane0 + 1) / every)) * step);
             number <= f.lane1 + 1; number += step) {
            const int lane = number - 1;
            const double y = std::round(f.y(lane, m_math) + rh / 2) + 0.5;
            if (y + sfm.height() / 2 > f.top + f.height) break;
            p.setPen(f.line);
            p.drawLine(QPointF(f.left - 6, y), QPointF(f.left, y));
            p.setPen(f.muted);
            const QString text = QString::number(number);
            p.drawText(QRectF(f.left - 46, y - sfm.height() / 2, 36, sfm.height()),
                       Qt::AlignVCenter | Qt::AlignRight, text);
        }
    }
    p.restore();
    p.setPen(f.line);
    p.drawLine(QPointF(f.left - 0.5, 0), QPointF(f.left - 0.5, f.size.height()));
}

} // namespace weft::studio
