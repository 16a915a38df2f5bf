#include "graph/rungraphpainter.h"

#include "common/statepalette.h"
#include "graph/rungraphedges.h"
#include "runs/runformat.h"

#include <QFontMetricsF>
#include <QPainterPath>
#include <cmath>

namespace weft::studio {

using namespace RunGraphMetrics;

namespace {

constexpr double Radius = 7, FrameRadius = 10, StripeWidth = 5, TextLeft = 14;
constexpr double ChevronBox = 20;

} // namespace

RunGraphPainter::Detail RunGraphPainter::detailFor(double scale) {
    return scale >= 0.42 ? Detail::Full : scale >= 0.12 ? Detail::Boxes : Detail::Dots;
}

RunGraphPainter::RunGraphPainter(const RunGraphModel* model)
    : m_model(model) {
    setFont(QFont());
}

void RunGraphPainter::setPalette(const QPalette& palette) {
    m_palette = palette;
    m_dark = palette.color(QPalette::Window).lightnessF() < 0.5;
}

void RunGraphPainter::setFont(const QFont& font) {
    m_font = font;
    m_bold = font;
    m_bold.setWeight(QFont::DemiBold);
    m_small = font;
    m_small.setPointSizeF(font.pointSizeF() > 0 ? font.pointSizeF() * 0.88 : 8);
    m_boldHalfHeight = QFontMetricsF(m_bold).height() / 2;
    m_smallHalfHeight = QFontMetricsF(m_small).height() / 2;
    invalidate();
}

void RunGraphPainter::invalidate() {
    m_labels.clear();
    m_subtitles.clear();
}

QColor RunGraphPainter::mix(const QColor& a, const QColor& b, double t) const {
    return QColor::fromRgbF(float(a.redF() + (b.redF() - a.redF()) * t),
                            float(a.greenF() + (b.greenF() - a.greenF()) * t),
                            float(a.blueF() + (b.blueF() - a.blueF()) * t));
}

QColor RunGraphPainter::tagColor(const QString& tag, bool dark) {
    // A stable hue per tag, away from the state colours' saturation so rings read as "tag".
    const int hue = int(qHash(tag, 7u) % 360u);
    return QColor::fromHsl(hue, dark ? 190 : 200, dark ? 165 : 120);
}

bool RunGraphPainter::isShown(int node, const RunGraphPaintOptions& o) const {
    if (o.tag < 0 || o.tagMode != RunGraphTagMode::Only) return true;
    return m_model->nodeKind(node) == RunGraphNodeKind::SubflowFrame
           || m_model->nodeHasTag(node, o.tag);
}

QRectF RunGraphPainter::frameHeaderRect(const QRectF& frame) {
    return QRectF(frame.left(), frame.top(), frame.width(), FrameHeader);
}

QRectF RunGraphPainter::chevronRect(int node) const {
    const QRectF r = m_model->nodeRect(node);
    switch (m_model->nodeKind(node)) {
    case RunGraphNodeKind::Task:
        return {};
    case RunGraphNodeKind::Subflow:
        return QRectF(r.right() - ChevronBox - 6, r.center().y() - ChevronBox / 2, ChevronBox,
                      ChevronBox);
    case RunGraphNodeKind::Group:
        return QRectF(r.right() - ChevronBox - 6, r.top() + 3, ChevronBox, ChevronBox);
    case RunGraphNodeKind::SubflowFrame:
        return QRectF(r.right() - ChevronBox - 8, r.top() + (FrameHeader - ChevronBox) / 2,
                      ChevronBox, ChevronBox);
    }
    return {};
}

QRectF RunGraphPainter::groupTabRect(int group) const {
    const auto& groups = m_model->scene().groups;
    if (group < 0 || size_t(group) >= groups.size() || groups[size_t(group)].node >= 0) return {};
    const QRectF f = groups[size_t(group)].frame;
    const QString text = QStringLiteral("×%1").arg(groups[size_t(group)].members.size());
    const double w = QFontMetricsF(m_small).horizontalAdvance(text) + 28;
    return QRectF(f.right() - w - 12, f.top() - 9, w, 18);
}

const RunGraphPainter::Label& RunGraphPainter::label(int node, double width) {
    const size_t n = size_t(m_model->nodeCount());
    if (m_labels.size() != n) m_labels.assign(n, Label());
    Label& l = m_labels[size_t(node)];
    if (l.width != float(width)) {
        // The middle goes: names differ at their ends ("station_region-12"); the tooltip has
        // the whole name.
        l.text = QFontMetricsF(m_bold).elidedText(m_model->nodeLabel(node), Qt::ElideMiddle, width);
        l.layout.setText(l.text);
        l.layout.setTextFormat(Qt::PlainText);
        l.layout.setPerformanceHint(QStaticText::AggressiveCaching);
        l.width = float(width);
    }
    return l;
}

const RunGraphPainter::Label& RunGraphPainter::subtitle(int node, double width) {
    const size_t n = size_t(m_model->nodeCount());
    if (m_subtitles.size() != n) m_subtitles.assign(n, Label());
    Label& l = m_subtitles[size_t(node)];
    const QString state = m_model->nodeStateName(node), rest = subtitleRest(node);
    if (l.text.size() != state.size() + rest.size() || !l.text.startsWith(state)
        || !l.text.endsWith(rest)) {
        const QFontMetricsF fm(m_small);
        l.text = state + rest;
        const QString shownState = fm.elidedText(state, Qt::ElideRight, width);
        l.width = float(fm.horizontalAdvance(shownState));
        // Too narrow for " · 1.2 s · subflow": drop the duration before cutting "subflow".
        QString shownRest = rest;
        const QString kind = subtitleKind(node);
        if (fm.horizontalAdvance(rest) > width - l.width && !kind.isEmpty()
            && fm.horizontalAdvance(kind) <= width - l.width)
            shownRest = kind;
        for (auto [layout, str] :
             {std::pair{&l.layout, shownState},
              std::pair{&l.rest, fm.elidedText(shownRest, Qt::ElideRight, width - l.width)}}) {
            layout->setText(l.width + 8 > width && layout == &l.rest ? QString() : str);
            layout->setTextFormat(Qt::PlainText);
            layout->setPerformanceHint(QStaticText::AggressiveCaching);
        }
    }
    return l;
}

QString RunGraphPainter::subtitleKind(int node) const {
    return m_model->nodeKind(node) != RunGraphNodeKind::Task
               ? QStringLiteral(" · ") + QObject::tr("subflow")
               : QString();
}

QString RunGraphPainter::subtitleRest(int node) const {
    QString s;
    if (const QString d = formatDuration(m_model->nodeDuration(node)); !d.isEmpty())
        s += QStringLiteral(" · ") + d;
    return s + subtitleKind(node);
}

double RunGraphPainter::textWidth(int node) const {
    const QRectF r = m_model->nodeRect(node);
    const QRectF chevron = chevronRect(node);
    const double right = chevron.isEmpty() ? r.right() - 10 : chevron.left() - 2;
    return right - r.left() - TextLeft;
}

QString RunGraphPainter::shownLabel(int node) {
    return label(node, textWidth(node)).text;
}

QString RunGraphPainter::shownSubtitle(int node) {
    const Label& l = subtitle(node, textWidth(node));
    return l.layout.text() + l.rest.text();
}

void RunGraphPainter::paint(QPainter& p, const QRectF& sceneRect, const RunGraphPaintOptions& o) {
    const Detail d = o.fullDetail ? Detail::Full : detailFor(o.scale);
    m_nodes.clear();
    m_edges.clear();
    m_model->nodesIn(sceneRect, m_nodes);
    m_model->edgesIn(sceneRect, m_edges);
    const auto& scene = m_model->scene();

    // Back to front: subflow frames (outer first), expanded groups' frames, edges, boxes.
    std::vector<int> frames;
    for (int n : m_nodes)
        if (scene.nodes[size_t(n)].kind == RunGraphNodeKind::SubflowFrame) frames.push_back(n);
    std::sort(frames.begin(), frames.end());
    for (int f : frames)
        paintFrame(p, f, o, d);
    for (size_t g = 0; g < scene.groups.size(); ++g)
        if (scene.groups[g].node < 0 && scene.groups[g].frame.intersects(sceneRect))
            paintGroupFrame(p, int(g), d);
    // Past this many visible edges curves cost more than they show.
    constexpr size_t MaxCurves = 1500;
    if (d != Detail::Full) {
        paintFast(p, sceneRect, o, d, true);
        return;
    }
    if (o.fullDetail || m_edges.size() <= MaxCurves)
        paintEdgesFull(p, sceneRect, o);
    else
        paintFast(p, sceneRect, o, d, false);
    for (int n : m_nodes)
        if (scene.nodes[size_t(n)].kind != RunGraphNodeKind::SubflowFrame && isShown(n, o))
            paintNodeFull(p, n, o);
}

void RunGraphPainter::paintStripe(QPainter& p, const QRectF& r, double radius, const QColor& c) {
    // The left edge of a rounded box, as one path per box height (cached).
    const int key = qRound(r.height() * 4) * 64 + qRound(radius * 4);
    auto it = m_stripes.find(key);
    if (it == m_stripes.end()) {
        QPainterPath box, bar;
        box.addRoundedRect(QRectF(0, 0, 4 * radius, r.height()), radius, radius);
        bar.addRect(QRectF(0, 0, StripeWidth, r.height()));
        it = m_stripes.insert(key, box.intersected(bar));
    }
    p.translate(r.topLeft());
    p.fillPath(*it, c);
    p.translate(-r.topLeft());
}

void RunGraphPainter::paintChevron(QPainter& p, const QRectF& box, bool expanded,
                                   const QColor& c) const {
    const QPointF m = box.center();
    QPolygonF v;
    if (expanded)
        v << m + QPointF(-4, -2) << m + QPointF(0, 2) << m + QPointF(4, -2);
    else
        v << m + QPointF(-2, -4) << m + QPointF(2, 0) << m + QPointF(-2, 4);
    p.setPen(QPen(c, 1.6, Qt::SolidLine, Qt::RoundCap, Qt::RoundJoin));
    p.setBrush(Qt::NoBrush);
    p.drawPolyline(v);
}

void RunGraphPainter::paintFrame(QPainter& p, int node, const RunGraphPaintOptions& o, Detail d) {
    const QRectF r = m_model->nodeRect(node);
    const QColor base = m_palette.color(QPalette::Base), text = m_palette.color(QPalette::Text);
    const QColor st = stateColor(m_model->nodeStateType(node), m_dark);
    const bool selected = node == o.selectedNode;
    p.setRenderHint(QPainter::Antialiasing, d != Detail::Dots);
    p.setPen(QPen(selected ? m_palette.color(QPalette::Highlight) : mix(base, text, 0.2),
                  selected ? 2.0 : 1.0));
    p.setBrush(mix(base, text, m_dark ? 0.05 : 0.03));
    p.drawRoundedRect(r, FrameRadius, FrameRadius);
    const QRectF header = frameHeaderRect(r);
    QPainterPath top;
    top.addRoundedRect(header, FrameRadius, FrameRadius);
    QPainterPath square;
    square.addRect(header.adjusted(0, FrameRadius, 0, 0));
    p.fillPath(top.united(square).simplified(), mix(base, st, m_dark ? 0.18 : 0.09));
    paintStripe(p, header.adjusted(0.5, 0.5, 0, 0), FrameRadius, st);
    p.setPen(QPen(mix(base, text, 0.2), 1.0));
    p.drawLine(header.bottomLeft(), header.bottomRight());
    if (d != Detail::Full) return;
    const QRectF chevron = chevronRect(node);
    paintChevron(p, chevron, true, mix(base, text, 0.7));
    const double room = chevron.left() - r.left() - TextLeft - 8;
    const QString status = m_model->nodeStateName(node) + subtitleRest(node);
    const double statusWidth =
        std::min(room * 0.5, QFontMetricsF(m_small).horizontalAdvance(status));
    const QString name = label(node, room - statusWidth - 10).text;
    p.setFont(m_bold);
    p.setPen(text);
    const QRectF line(r.left() + TextLeft, r.top(), room, FrameHeader);
    p.drawText(line, Qt::AlignLeft | Qt::AlignVCenter, name);
    p.setFont(m_small);
    p.setPen(mix(base, text, 0.6));
    p.drawText(line.adjusted(QFontMetricsF(m_bold).horizontalAdvance(name) + 10, 0, 0, 0),
               Qt::AlignLeft | Qt::AlignVCenter,
               QFontMetricsF(m_small).elidedText(status, Qt::ElideRight, statusWidth));
}

void RunGraphPainter::paintGroupFrame(QPainter& p, int group, Detail d) {
    const auto& g = m_model->scene().groups[size_t(group)];
    const QColor base = m_palette.color(QPalette::Base), text = m_palette.color(QPalette::Text);
    p.setRenderHint(QPainter::Antialiasing, d != Detail::Dots);
    p.setPen(QPen(mix(base, text, 0.38), 1.0, Qt::DashLine));
    p.setBrush(mix(base, text, m_dark ? 0.03 : 0.015));
    p.drawRoundedRect(g.frame, FrameRadius, FrameRadius);
    if (d != Detail::Full) return;
    const QRectF tab = groupTabRect(group);
    p.setPen(QPen(mix(base, text, 0.38), 1.0));
    p.setBrush(base);
    p.drawRoundedRect(tab, tab.height() / 2, tab.height() / 2);
    paintChevron(p, QRectF(tab.left() + 4, tab.top(), 16, tab.height()), true,
                 mix(base, text, 0.7));
    p.setFont(m_small);
    p.setPen(mix(base, text, 0.75));
    p.drawText(tab.adjusted(20, 0, -6, 0), Qt::AlignLeft | Qt::AlignVCenter,
               QStringLiteral("×%1").arg(g.members.size()));
}

void RunGraphPainter::paintEdgesFull(QPainter& p, const QRectF& sceneRect,
                                     const RunGraphPaintOptions& o) {
    const QColor base = m_palette.color(QPalette::Base), text = m_palette.color(QPalette::Text);
    const QColor normal = mix(base, text, m_dark ? 0.42 : 0.34);
    const QColor strong = m_palette.color(QPalette::Highlight);
    // Only the visible piece of each curve is stroked: a fan-out's edges run 100,000s of pixels.
    const QRectF clip = o.fullDetail ? QRectF() : sceneRect.adjusted(-16, -16, 16, 16);
    p.setRenderHint(QPainter::Antialiasing, true);
    p.setBrush(Qt::NoBrush);
    // Order-only edges (wait_for) are stroked dashed, apart from the data edges.
    QPainterPath path, heads, hotPath, hotHeads, orderPath, hotOrderPath;
    EdgeCubic c;
    for (int e : m_edges) {
        const int from = m_model->edgeSource(e), to = m_model->edgeTarget(e);
        if (!isShown(from, o) || !isShown(to, o)) continue;
        const bool hot = from == o.selectedNode || to == o.selectedNode || from == o.hoveredNode
                         || to == o.hoveredNode;
        const bool orderOnly = m_model->edgeIsOrderOnly(e);
        QPainterPath& into = orderOnly ? (hot ? hotOrderPath : orderPath) : (hot ? hotPath : path);
        const QPolygonF& pts = m_model->edgePolyline(e);
        for (qsizetype i = 1; i < pts.size(); ++i) {
            if (!clipEdgeCubic(pts[i - 1], pts[i], clip, c)) continue;
            into.moveTo(c.p0);
            into.cubicTo(c.p1, c.p2, c.p3);
        }
        const QPointF tip = pts.last(), prev = pts[pts.size() - 2];
        if (!clip.isEmpty() && !clip.contains(tip)) continue;
        QPointF dir = std::abs(tip.x() - prev.x()) > 0.5 ? QPointF(tip.x() > prev.x() ? 1 : -1, 0)
                                                         : tip - prev;
        const double len = std::hypot(dir.x(), dir.y());
        if (len <= 0) continue;
        dir /= len;
        const QPointF side(-dir.y(), dir.x());
        QPainterPath& h = hot ? hotHeads : heads;
        h.moveTo(tip);
        h.lineTo(tip - dir * 7 + side * 3.5);
        h.lineTo(tip - dir * 7 - side * 3.5);
        h.closeSubpath();
    }
    // A cosmetic one-pixel pen takes Qt's fast stroker: a tenth of the time of a 1.3-px one.
    QPen thin(normal, 1, Qt::SolidLine, Qt::FlatCap);
    thin.setCosmetic(!o.fullDetail);
    p.strokePath(path, thin);
    if (!orderPath.isEmpty()) {
        QPen dashed(normal, 1, Qt::CustomDashLine, Qt::FlatCap);
        dashed.setDashPattern({5, 4});
        dashed.setCosmetic(!o.fullDetail);
        p.strokePath(orderPath, dashed);
    }
    p.fillPath(heads, normal);
    p.strokePath(hotPath, QPen(strong, 2.0, Qt::SolidLine, Qt::FlatCap));
    if (!hotOrderPath.isEmpty()) {
        QPen dashed(strong, 2.0, Qt::CustomDashLine, Qt::FlatCap);
        dashed.setDashPattern({3, 2}); // in pen widths: the same rhythm as the thin dashes
        p.strokePath(hotOrderPath, dashed);
    }
    p.fillPath(hotHeads, strong);
}

void RunGraphPainter::paintNodeFull(QPainter& p, int node, const RunGraphPaintOptions& o) {
    // Hot path: a few hundred boxes a frame. No save/restore, cached label layouts, text drawn at
    // baselines (drawText into a rectangle lays the text out anew every time).
    const QRectF r = m_model->nodeRect(node);
    const RunGraphNodeKind kind = m_model->nodeKind(node);
    const QColor base = m_palette.color(QPalette::Base), text = m_palette.color(QPalette::Text);
    const weft::StateType type = m_model->nodeStateType(node);
    const QColor st = stateColor(type, m_dark);
    const bool selected = node == o.selectedNode, hovered = node == o.hoveredNode;
    const bool dim =
        o.tag >= 0 && o.tagMode == RunGraphTagMode::Highlight && !m_model->nodeHasTag(node, o.tag);
    if (dim) p.setOpacity(0.3);
    if (kind == RunGraphNodeKind::Group) { // a deck of cards: the group stands for many
        p.setPen(QPen(mix(base, text, 0.2), 1.0));
        for (double k : {6.0, 3.0}) {
            p.setBrush(mix(base, text, m_dark ? 0.1 - k / 100 : 0.05 - k / 200));
            p.drawRoundedRect(r.translated(k, k), Radius, Radius);
        }
    }
    p.setPen(QPen(mix(base, text, hovered ? 0.45 : 0.2), 1.0));
    p.setBrush(mix(base, st, m_dark ? 0.16 : 0.07));
    p.drawRoundedRect(r, Radius, Radius);
    paintStripe(p, r.adjusted(0.5, 0.5, 0, -0.5), Radius, st);
    if (selected || (o.tag >= 0 && o.tagMode == RunGraphTagMode::Highlight && !dim)) {
        const QColor ring = selected ? m_palette.color(QPalette::Highlight)
                                     : tagColor(m_model->tags().value(o.tag), m_dark);
        p.setPen(QPen(ring, 2.2));
        p.setBrush(Qt::NoBrush);
        p.drawRoundedRect(r.adjusted(-3, -3, 3, 3), Radius + 3, Radius + 3);
    }
    const QRectF chevron = chevronRect(node);
    if (kind == RunGraphNodeKind::Group) {
        paintGroupBody(p, node, r);
        paintChevron(p, chevron, false, mix(base, text, 0.7));
    } else {
        if (!chevron.isEmpty()) paintChevron(p, chevron, false, mix(base, text, 0.7));
        const double width = textWidth(node);
        const Label& name = label(node, width);
        p.setFont(m_bold);
        p.setPen(text);
        p.drawStaticText(QPointF(r.left() + TextLeft, r.top() + 15 - m_boldHalfHeight),
                         name.layout);
        // The state's name in its colour, then duration (and "subflow") muted; too small to read
        // below ~65 %, so not drawn there.
        if (o.fullDetail || o.scale >= 0.65) {
            const Label& sub = subtitle(node, width);
            const QPointF at(r.left() + TextLeft, r.top() + 29 - m_smallHalfHeight);
            p.setFont(m_small);
            p.setPen(m_dark ? st : mix(st, text, 0.15));
            p.drawStaticText(at, sub.layout);
            p.setPen(mix(base, text, 0.6));
            p.drawStaticText(at + QPointF(sub.width, 0), sub.rest);
        }
    }
    if (dim) p.setOpacity(1);
}

void RunGraphPainter::paintGroupBody(QPainter& p, int node, const QRectF& r) {
    const QColor base = m_palette.color(QPalette::Base), text = m_palette.color(QPalette::Text);
    const RunGraphStateCounts& counts = m_model->nodeStateCounts(node);
    const int total = m_model->nodeMemberCount(node);
    const QString size = QStringLiteral("×%1").arg(total);
    const QFontMetricsF small(m_small);
    const double left = r.left() + TextLeft, right = chevronRect(node).left() - 2;
    const double sizeWidth = small.horizontalAdvance(size);
    p.setFont(m_bold);
    p.setPen(text);
    p.drawText(QRectF(left, r.top() + 4, right - left - sizeWidth - 8, 20),
               Qt::AlignLeft | Qt::AlignVCenter, label(node, right - left - sizeWidth - 8).text);
    p.setFont(m_small);
    p.setPen(mix(base, text, 0.6));
    p.drawText(QRectF(right - sizeWidth, r.top() + 4, sizeWidth, 20),
               Qt::AlignRight | Qt::AlignVCenter, size);

    // A stacked bar of member states, then a chip per state present.
    const QRectF bar(left, r.top() + 28, r.right() - 12 - left, 7);
    QPainterPath clip;
    clip.addRoundedRect(bar, 3.5, 3.5);
    p.save();
    p.setClipPath(clip);
    p.fillRect(bar, mix(base, text, 0.12));
    double x = bar.left();
    for (weft::StateType t : allStateTypes()) {
        const int c = counts[size_t(t)];
        if (!c || total <= 0) continue;
        const double w = std::max(2.0, bar.width() * c / total);
        p.fillRect(QRectF(x, bar.top(), w, bar.height()), stateColor(t, m_dark));
        x += bar.width() * c / total;
    }
    p.restore();
    x = left;
    const double y = r.top() + 43;
    for (weft::StateType t : allStateTypes()) {
        const int c = counts[size_t(t)];
        if (!c) continue;
        const QString n = QString::number(c);
        const double w = 12 + small.horizontalAdvance(n);
        if (x + w > r.right() - 8) break;
        p.setPen(Qt::NoPen);
        p.setBrush(stateColor(t, m_dark));
        p.drawEllipse(QRectF(x, y + 5, 7, 7));
        p.setPen(mix(base, text, 0.8));
        p.drawText(QRectF(x + 10, y, w, 17), Qt::AlignLeft | Qt::AlignVCenter, n);
        x += w + 10;
    }
}

void RunGraphPainter::paintFast(QPainter& p, const QRectF& sceneRect, const RunGraphPaintOptions& o,
                                Detail d, bool nodes) {
    // Zoomed out (or a dense fan-out): one-pixel lines and small boxes written straight into a
    // pixel layer, composed with one drawImage.
    const QColor base = m_palette.color(QPalette::Base), text = m_palette.color(QPalette::Text);
    const QTransform toDevice = p.worldTransform();
    const QRect device = toDevice.mapRect(sceneRect).toAlignedRect();
    if (device.isEmpty()) return;
    m_raster.begin(device.size());
    const QPointF offset = device.topLeft();
    const QRectF clip = sceneRect.adjusted(-4, -4, 4, 4);
    const QRgb edge = qPremultiply(mix(base, text, d == Detail::Dots ? 0.24 : 0.32).rgba());
    std::vector<int> hot;
    m_keys.clear();
    for (int e : m_edges) {
        const int from = m_model->edgeSource(e), to = m_model->edgeTarget(e);
        if (!isShown(from, o) || !isShown(to, o)) continue;
        if (from == o.selectedNode || to == o.selectedNode || from == o.hoveredNode
            || to == o.hoveredNode)
            hot.push_back(e);
        const QPolygonF& pts = m_model->edgePolyline(e);
        for (qsizetype i = 1; i < pts.size(); ++i) {
            QPointF a = pts[i - 1], b = pts[i];
            if (!clipSegment(a, b, clip)) continue;
            // Each distinct pixel line once: a 10,000-way fan-out's edges collapse onto ~100.
            const QPoint da = (toDevice.map(a) - offset).toPoint() + QPoint(1024, 1024);
            const QPoint db = (toDevice.map(b) - offset).toPoint() + QPoint(1024, 1024);
            m_keys.push_back(quint64(quint16(da.x())) << 48 | quint64(quint16(da.y())) << 32
                             | quint64(quint16(db.x())) << 16 | quint64(quint16(db.y())));
        }
    }
    std::sort(m_keys.begin(), m_keys.end());
    m_keys.erase(std::unique(m_keys.begin(), m_keys.end()), m_keys.end());
    for (const quint64 k : m_keys)
        m_raster.line(QPointF(double(k >> 48 & 0xffff) - 1024, double(k >> 32 & 0xffff) - 1024),
                      QPointF(double(k >> 16 & 0xffff) - 1024, double(k & 0xffff) - 1024), edge);
    if (nodes) {
        const size_t states = allStateTypes().size();
        QRgb fill[2][16], stripe[2][16];
        for (size_t t = 0; t < states; ++t)
            for (int dim = 0; dim < 2; ++dim) {
                QColor st = stateColor(weft::StateType(t), m_dark);
                QColor f = d == Detail::Boxes ? mix(base, st, m_dark ? 0.4 : 0.3) : st;
                if (dim) {
                    st.setAlphaF(0.25f);
                    f.setAlphaF(0.25f);
                }
                fill[dim][t] = qPremultiply(f.rgba());
                stripe[dim][t] = qPremultiply(st.rgba());
            }
        const double stripeWidth = std::max(1.0, 8 * o.scale);
        for (int n : m_nodes) {
            const RunGraphNode& node = m_model->scene().nodes[size_t(n)];
            if (node.kind == RunGraphNodeKind::SubflowFrame || !isShown(n, o)) continue;
            const int dim = o.tag >= 0 && o.tagMode == RunGraphTagMode::Highlight
                            && !m_model->nodeHasTag(n, o.tag);
            const size_t t = size_t(m_model->nodeStateType(n));
            const QRectF r = toDevice.mapRect(node.rect).translated(-offset);
            m_raster.rect(r, fill[dim][t]);
            if (d == Detail::Boxes)
                m_raster.rect(QRectF(r.left(), r.top(), stripeWidth, r.height()), stripe[dim][t]);
        }
    }
    p.save();
    p.resetTransform();
    p.drawImage(device.topLeft(), m_raster.image());
    p.restore();

    QPen strong(m_palette.color(QPalette::Highlight), 2);
    strong.setCosmetic(true);
    p.setRenderHint(QPainter::Antialiasing, true);
    p.setPen(strong);
    p.setBrush(Qt::NoBrush);
    for (int e : hot)
        p.drawPolyline(m_model->edgePolyline(e));
    if (nodes && o.selectedNode >= 0 && isShown(o.selectedNode, o)) {
        const QRectF r = m_model->nodeRect(o.selectedNode);
        const double k = 4 / o.scale;
        p.drawRect(r.adjusted(-k, -k, k, k));
    }
}

} // namespace weft::studio
