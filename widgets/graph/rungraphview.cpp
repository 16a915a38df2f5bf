#include "graph/rungraphview.h"

#include "runs/errorpanel.h"

#include "common/statepalette.h"

#include <QApplication>
#include <QElapsedTimer>
#include <QFileInfo>
#include <QGestureEvent>
#include <QKeyEvent>
#include <QMouseEvent>
#include <QNativeGestureEvent>
#include <QPinchGesture>
#include <QScrollBar>
#include <QSvgGenerator>
#include <QToolTip>
#include <QWheelEvent>
#include <cmath>

namespace weft::studio {

namespace {
constexpr double Margin = 28;  // scene pixels around the graph
constexpr double MaxScale = 4; // 400 %
constexpr int MaxImageSide = 16384;
} // namespace

RunGraphView::RunGraphView(RunGraphModel* model, QWidget* parent)
    : QAbstractScrollArea(parent)
    , m_model(model)
    , m_painter(model) {
    setFrameShape(QFrame::NoFrame);
    setFocusPolicy(Qt::StrongFocus);
    viewport()->setMouseTracking(true);
    viewport()->setAttribute(Qt::WA_OpaquePaintEvent);
    viewport()->grabGesture(Qt::PinchGesture);
    m_painter.setPalette(palette());
    m_painter.setFont(font());
    connect(model, &RunGraphModel::aboutToChangeLayout, this, &RunGraphView::onAboutToChangeLayout);
    connect(model, &RunGraphModel::layoutChanged, this, &RunGraphView::onLayoutChanged);
    connect(model, &RunGraphModel::nodesChanged, this, &RunGraphView::onNodesChanged);
    connect(model, &RunGraphModel::loadingChanged, viewport(), qOverload<>(&QWidget::update));
    connect(model, &RunGraphModel::tagsChanged, viewport(), qOverload<>(&QWidget::update));
    auto* error = new ErrorPanel(this);
    connect(model, &RunGraphModel::errorChanged, error, &ErrorPanel::setError);
    connect(error, &ErrorPanel::retryRequested, model, &RunGraphModel::retry);
    m_tick.setInterval(1000);
    connect(&m_tick, &QTimer::timeout, this, [this] {
        if (m_model && m_model->stateTotals()[size_t(weft::StateType::Running)] > 0
            && RunGraphPainter::detailFor(m_scale) == RunGraphPainter::Detail::Full)
            viewport()->update();
    });
    m_tick.start();
    onLayoutChanged();
}

RunGraphView::~RunGraphView() = default;

// ---- coordinates -----------------------------------------------------------------------------

QPointF RunGraphView::mapToScene(QPointF viewportPos) const {
    return m_origin + viewportPos / m_scale;
}
QPointF RunGraphView::mapFromScene(QPointF scenePos) const {
    return (scenePos - m_origin) * m_scale;
}

QRectF RunGraphView::visibleSceneRect() const {
    return QRectF(m_origin, QSizeF(viewport()->width() / m_scale, viewport()->height() / m_scale));
}

QRectF RunGraphView::contentRect() const {
    const QRectF b = m_model ? m_model->boundingRect() : QRectF();
    return (b.isEmpty() ? QRectF(0, 0, 1, 1) : b).adjusted(-Margin, -Margin, Margin, Margin);
}

double RunGraphView::minScale() const {
    const QRectF c = contentRect();
    const double fit = std::min(viewport()->width() / c.width(), viewport()->height() / c.height());
    return std::clamp(std::min(0.1, fit), 1e-4, 0.1);
}

void RunGraphView::setOrigin(QPointF o) {
    // The viewport's centre stays over the graph: it pans until an edge of the graph reaches the
    // middle, loose enough that a re-layout can keep a node where it was on screen.
    const QRectF c = contentRect();
    const double vw = viewport()->width() / m_scale, vh = viewport()->height() / m_scale;
    o.setX(std::clamp(o.x() + vw / 2, c.left(), c.right()) - vw / 2);
    o.setY(std::clamp(o.y() + vh / 2, c.top(), c.bottom()) - vh / 2);
    m_origin = o;
    updateScrollBars();
    viewport()->update();
}

void RunGraphView::updateScrollBars() {
    // A bar's value is where the viewport's centre is, from the graph's left (top) edge; no bar
    // while the graph fits across (down) the viewport.
    const QRectF c = contentRect();
    const QSize v = viewport()->size();
    m_syncingBars = true;
    QScrollBar* h = horizontalScrollBar();
    const bool wide = c.width() * m_scale > v.width();
    h->setRange(0, wide ? int(std::lround(c.width() * m_scale)) : 0);
    h->setPageStep(v.width());
    h->setSingleStep(24);
    h->setValue(int(std::lround((m_origin.x() - c.left()) * m_scale + v.width() / 2.0)));
    QScrollBar* vb = verticalScrollBar();
    const bool tall = c.height() * m_scale > v.height();
    vb->setRange(0, tall ? int(std::lround(c.height() * m_scale)) : 0);
    vb->setPageStep(v.height());
    vb->setSingleStep(24);
    vb->setValue(int(std::lround((m_origin.y() - c.top()) * m_scale + v.height() / 2.0)));
    m_syncingBars = false;
}

void RunGraphView::scrollContentsBy(int, int) {
    if (m_syncingBars) return;
    const QRectF c = contentRect();
    const QSize v = viewport()->size();
    if (horizontalScrollBar()->maximum() > 0)
        m_origin.setX(c.left() + (horizontalScrollBar()->value() - v.width() / 2.0) / m_scale);
    if (verticalScrollBar()->maximum() > 0)
        m_origin.setY(c.top() + (verticalScrollBar()->value() - v.height() / 2.0) / m_scale);
    m_autoFit = false;
    viewport()->update();
}

void RunGraphView::setZoom(double scale, QPointF at) {
    scale = std::clamp(scale, minScale(), MaxScale);
    if (at.x() < 0) at = QPointF(viewport()->width() / 2.0, viewport()->height() / 2.0);
    const QPointF fixed = mapToScene(at);
    m_scale = scale;
    setOrigin(fixed - at / scale);
    Q_EMIT zoomChanged(m_scale);
}

void RunGraphView::fitToView() {
    const QRectF c = contentRect();
    const QSize v = viewport()->size();
    if (v.isEmpty()) return;
    m_scale =
        std::clamp(std::min({v.width() / c.width(), v.height() / c.height(), 1.0}), 1e-4, 1.0);
    m_autoFit = true;
    setOrigin(c.center() - QPointF(v.width(), v.height()) / (2 * m_scale));
    Q_EMIT zoomChanged(m_scale);
}

void RunGraphView::zoomIn() {
    m_autoFit = false;
    setZoom(m_scale * 1.25);
}

void RunGraphView::zoomOut() {
    m_autoFit = false;
    setZoom(m_scale / 1.25);
}

void RunGraphView::resetZoom() {
    m_autoFit = false;
    setZoom(1);
}

// ---- model changes ---------------------------------------------------------------------------

void RunGraphView::onAboutToChangeLayout() {
    // Remember where one node is on screen, to put it back there after the re-layout.
    m_anchorId.clear();
    if (!m_model || m_model->nodeCount() == 0) return;
    const QRectF visible = visibleSceneRect();
    int node = -1;
    if (!m_pendingAnchorId.isEmpty()) {
        m_anchorId = m_pendingAnchorId;
        node = m_model->nodeForTaskRun(m_anchorId);
    } else if (m_selectedNode >= 0 && visible.intersects(m_model->nodeRect(m_selectedNode))) {
        node = m_selectedNode;
    } else {
        double best = std::numeric_limits<double>::max();
        for (int n : m_model->nodesIn(visible)) {
            if (m_model->nodeKind(n) == RunGraphNodeKind::SubflowFrame) continue;
            const QPointF d = m_model->nodeRect(n).center() - visible.center();
            if (const double dist = d.x() * d.x() + d.y() * d.y(); dist < best)
                best = dist, node = n;
        }
    }
    m_pendingAnchorId.clear();
    if (node < 0) return;
    if (m_anchorId.isEmpty()) m_anchorId = m_model->nodeTaskRunId(node);
    m_anchorPos = mapFromScene(m_model->nodeRect(node).topLeft());
}

void RunGraphView::onLayoutChanged() {
    m_painter.invalidate();
    m_hoveredNode = -1;
    if (!m_model) return;
    const auto cause = m_model->lastLayoutCause();
    if (cause == RunGraphModel::LayoutCause::NewRun && m_model->nodeCount() == 0) {
        m_selectedId.clear();
        m_autoFit = true;
    }
    m_selectedNode = m_selectedId.isEmpty() ? -1 : m_model->nodeForTaskRun(m_selectedId);
    const int anchor = m_anchorId.isEmpty() ? -1 : m_model->nodeForTaskRun(m_anchorId);
    if (m_autoFit || cause == RunGraphModel::LayoutCause::NewRun
        || cause == RunGraphModel::LayoutCause::Mode) {
        fitToView();
    } else if (anchor >= 0) {
        setOrigin(m_model->nodeRect(anchor).topLeft() - m_anchorPos / m_scale);
    } else {
        setOrigin(m_origin);
    }
    m_anchorId.clear();
}

void RunGraphView::onNodesChanged(const QVector<int>&) {
    viewport()->update(); // the legend's counts change too
}

// ---- selection and interaction ---------------------------------------------------------------

RunGraphPaintOptions RunGraphView::options() const {
    RunGraphPaintOptions o;
    o.scale = m_scale;
    o.selectedNode = m_selectedNode;
    o.hoveredNode = m_hoveredNode;
    o.tag = m_tag.isEmpty() || !m_model ? -1 : m_model->tagId(m_tag);
    o.tagMode = m_tagMode;
    return o;
}

RunGraphView::HitResult RunGraphView::hitTest(QPointF pos) const {
    if (!m_model) return {};
    const QPointF s = mapToScene(pos);
    const bool full = RunGraphPainter::detailFor(m_scale) == RunGraphPainter::Detail::Full;
    if (full)
        for (int g = 0; g < int(m_model->scene().groups.size()); ++g)
            if (m_painter.groupTabRect(g).contains(s)) return {Hit::GroupTab, g};
    const int n = m_model->nodeAt(s);
    if (n < 0 || !m_painter.isShown(n, options())) return {};
    const QRectF r = m_model->nodeRect(n);
    if (m_model->nodeKind(n) == RunGraphNodeKind::SubflowFrame
        && !RunGraphPainter::frameHeaderRect(r).contains(s))
        return {}; // a frame's body is background: dragging there pans
    if (full && m_painter.chevronRect(n).adjusted(-4, -4, 4, 4).contains(s))
        return {Hit::Chevron, n};
    return {Hit::Node, n};
}

void RunGraphView::select(int node) {
    const QString id = node >= 0 ? m_model->nodeTaskRunId(node) : QString();
    m_selectedNode = node;
    if (id != m_selectedId) {
        m_selectedId = id;
        Q_EMIT selectionChanged(id);
    }
    viewport()->update();
}

void RunGraphView::selectTaskRun(const QString& taskRunId) {
    if (!m_model) return;
    const int node = m_model->nodeForTaskRun(taskRunId);
    m_selectedId = taskRunId;
    select(node);
    if (node < 0) return;
    const QRectF r = m_model->nodeRect(node), v = visibleSceneRect();
    if (!v.contains(r)) {
        m_autoFit = false;
        setOrigin(r.center() - QPointF(v.width(), v.height()) / 2);
    }
}

void RunGraphView::toggle(int node) {
    if (!m_model->isExpandable(node)) return;
    m_pendingAnchorId = m_model->nodeTaskRunId(node);
    m_autoFit = false;
    m_model->setExpanded(node, !m_model->isExpanded(node));
}

void RunGraphView::setTagFilter(const QString& tag, RunGraphTagMode mode) {
    m_tag = tag;
    m_tagMode = mode;
    viewport()->update();
}

void RunGraphView::setLegendVisible(bool visible) {
    m_legend = visible;
    viewport()->update();
}

void RunGraphView::mousePressEvent(QMouseEvent* event) {
    if (event->button() != Qt::LeftButton) return QAbstractScrollArea::mousePressEvent(event);
    m_pressed = true;
    m_dragging = false;
    m_pressPos = event->position().toPoint();
    m_pressOrigin = m_origin;
}

void RunGraphView::mouseMoveEvent(QMouseEvent* event) {
    const QPoint pos = event->position().toPoint();
    if (m_pressed) {
        if (!m_dragging
            && (pos - m_pressPos).manhattanLength() >= QApplication::startDragDistance())
            m_dragging = true;
        if (m_dragging) {
            m_autoFit = false;
            viewport()->setCursor(Qt::ClosedHandCursor);
            setOrigin(m_pressOrigin - QPointF(pos - m_pressPos) / m_scale);
        }
        return;
    }
    const HitResult hit = hitTest(pos);
    const int hovered = hit.what == Hit::Node || hit.what == Hit::Chevron ? hit.index : -1;
    viewport()->setCursor(hit.what == Hit::None ? Qt::ArrowCursor : Qt::PointingHandCursor);
    if (hovered != m_hoveredNode) {
        m_hoveredNode = hovered;
        viewport()->update();
    }
}

void RunGraphView::mouseReleaseEvent(QMouseEvent* event) {
    if (event->button() != Qt::LeftButton || !m_pressed)
        return QAbstractScrollArea::mouseReleaseEvent(event);
    m_pressed = false;
    viewport()->unsetCursor();
    if (m_dragging) {
        m_dragging = false;
        return;
    }
    const HitResult hit = hitTest(event->position());
    switch (hit.what) {
    case Hit::None:
        select(-1);
        break;
    case Hit::Chevron:
        toggle(hit.index);
        break;
    case Hit::GroupTab:
        m_pendingAnchorId = QString(); // the group's node will sit where its first member was
        if (const auto& g = m_model->scene().groups[size_t(hit.index)]; !g.members.empty())
            m_pendingAnchorId =
                m_model->nodeTaskRunId(m_model->scene().nodeOfRun[size_t(g.members.front())]);
        m_autoFit = false;
        m_model->setGroupExpanded(hit.index, false);
        break;
    case Hit::Node:
        select(hit.index);
        if (m_model->nodeKind(hit.index) != RunGraphNodeKind::Group)
            Q_EMIT taskRunActivated(m_model->nodeTaskRunId(hit.index));
        break;
    }
}

void RunGraphView::mouseDoubleClickEvent(QMouseEvent* event) {
    const HitResult hit = hitTest(event->position());
    if (hit.what == Hit::Node) toggle(hit.index);
}

void RunGraphView::wheelEvent(QWheelEvent* event) {
    const QPoint pixels = event->pixelDelta(), angle = event->angleDelta();
    m_autoFit = false;
    if (event->modifiers() & Qt::ShiftModifier) {
        const int d = angle.y() ? angle.y() : angle.x();
        setOrigin(m_origin - QPointF(d / 2.0 / m_scale, 0));
    } else if (!pixels.isNull() && !(event->modifiers() & Qt::ControlModifier)) {
        setOrigin(m_origin - QPointF(pixels) / m_scale); // a touchpad scrolls
    } else if (angle.y()) {
        setZoom(m_scale * std::pow(1.0015, angle.y()), event->position());
    }
    event->accept();
}

void RunGraphView::keyPressEvent(QKeyEvent* event) {
    const double step = (event->modifiers() & Qt::ShiftModifier ? 240 : 48) / m_scale;
    switch (event->key()) {
    case Qt::Key_Left:
        m_autoFit = false;
        setOrigin(m_origin - QPointF(step, 0));
        break;
    case Qt::Key_Right:
        m_autoFit = false;
        setOrigin(m_origin + QPointF(step, 0));
        break;
    case Qt::Key_Up:
        m_autoFit = false;
        setOrigin(m_origin - QPointF(0, step));
        break;
    case Qt::Key_Down:
        m_autoFit = false;
        setOrigin(m_origin + QPointF(0, step));
        break;
    case Qt::Key_Plus:
    case Qt::Key_Equal:
        zoomIn();
        break;
    case Qt::Key_Minus:
        zoomOut();
        break;
    case Qt::Key_F:
        fitToView();
        break;
    case Qt::Key_0:
        resetZoom();
        break;
    case Qt::Key_Escape:
        select(-1);
        break;
    case Qt::Key_Return:
    case Qt::Key_Enter:
        if (m_selectedNode < 0) break;
        if (m_model->nodeKind(m_selectedNode) == RunGraphNodeKind::Group)
            toggle(m_selectedNode);
        else
            Q_EMIT taskRunActivated(m_selectedId);
        break;
    default:
        QAbstractScrollArea::keyPressEvent(event);
        return;
    }
    event->accept();
}

void RunGraphView::contextMenuEvent(QContextMenuEvent* event) {
    const HitResult hit = hitTest(event->pos());
    if (hit.what != Hit::Node && hit.what != Hit::Chevron) return;
    select(hit.index);
    Q_EMIT contextMenuRequested(m_model->nodeTaskRunId(hit.index), event->globalPos());
    event->accept();
}

bool RunGraphView::viewportEvent(QEvent* event) {
    switch (event->type()) {
    case QEvent::Gesture: {
        auto* ge = static_cast<QGestureEvent*>(event);
        if (auto* pinch = static_cast<QPinchGesture*>(ge->gesture(Qt::PinchGesture))) {
            if (pinch->changeFlags() & QPinchGesture::ScaleFactorChanged) {
                m_autoFit = false;
                setZoom(m_scale * pinch->scaleFactor(),
                        viewport()->mapFromGlobal(pinch->centerPoint().toPoint()));
            }
            ge->accept(pinch);
        }
        return true;
    }
    case QEvent::NativeGesture: {
        auto* ne = static_cast<QNativeGestureEvent*>(event);
        if (ne->gestureType() == Qt::ZoomNativeGesture) {
            m_autoFit = false;
            setZoom(m_scale * (1 + ne->value()), ne->position());
            return true;
        }
        break;
    }
    case QEvent::ToolTip: {
        auto* he = static_cast<QHelpEvent*>(event);
        const HitResult hit = hitTest(he->pos());
        if (hit.what != Hit::Node && hit.what != Hit::Chevron) {
            QToolTip::hideText();
            return true;
        }
        const int n = hit.index;
        QStringList lines{m_model->nodeLabel(n)};
        if (m_model->nodeKind(n) == RunGraphNodeKind::Group) {
            lines.first() += QStringLiteral(" ×%1").arg(m_model->nodeMemberCount(n));
            QStringList parts;
            for (weft::StateType t : allStateTypes())
                if (const int c = m_model->nodeStateCounts(n)[size_t(t)])
                    parts << QStringLiteral("%1 %2").arg(c).arg(stateTypeLabel(t));
            lines << parts.join(QStringLiteral(" · ")) << tr("Double-click to show each task run");
        } else {
            lines << m_model->nodeStateName(n);
            if (!m_model->nodeChildFlowRunId(n).isEmpty())
                lines << tr("Subflow run %1").arg(m_model->nodeChildFlowRunId(n));
        }
        if (const QStringList tags = m_model->nodeTags(n); !tags.isEmpty())
            lines << tr("Tags: %1").arg(tags.join(QStringLiteral(", ")));
        QToolTip::showText(he->globalPos(), lines.join(QLatin1Char('\n')), viewport());
        return true;
    }
    default:
        break;
    }
    return QAbstractScrollArea::viewportEvent(event);
}

void RunGraphView::changeEvent(QEvent* event) {
    if (event->type() == QEvent::PaletteChange) m_painter.setPalette(palette());
    if (event->type() == QEvent::FontChange) m_painter.setFont(font());
    QAbstractScrollArea::changeEvent(event);
}

void RunGraphView::resizeEvent(QResizeEvent* event) {
    QAbstractScrollArea::resizeEvent(event);
    if (m_autoFit)
        fitToView();
    else
        setOrigin(m_origin);
}

// ---- painting and export ---------------------------------------------------------------------

void RunGraphView::paintEvent(QPaintEvent*) {
    QElapsedTimer timer;
    timer.start();
    QPainter p(viewport());
    p.fillRect(viewport()->rect(), palette().color(QPalette::Base));
    if (m_model && m_model->nodeCount() > 0) {
        p.save();
        p.scale(m_scale, m_scale);
        p.translate(-m_origin);
        m_painter.paint(p, visibleSceneRect(), options());
        p.restore();
    }
    paintMessage(p);
    if (m_legend) paintLegend(p);
    m_lastPaintMs = double(timer.nsecsElapsed()) / 1e6;
}

void RunGraphView::paintMessage(QPainter& p) {
    if (!m_model || m_model->nodeCount() > 0 || m_model->flowRunId().isEmpty()) return;
    if (!m_model->errorString().isEmpty()) return; // the error panel says why there is nothing
    const QString text = m_model->isLoading() ? tr("Loading task runs…") : tr("No task runs yet");
    p.setPen(palette().color(QPalette::PlaceholderText));
    p.drawText(viewport()->rect(), Qt::AlignCenter, text);
}

void RunGraphView::paintLegend(QPainter& p) {
    if (!m_model || m_model->nodeCount() == 0) return;
    // One chip per state present: a dot, the state and how many task runs are in it.
    const auto& totals = m_model->stateTotals();
    QFont f = font();
    f.setPointSizeF(f.pointSizeF() * 0.9);
    const QFontMetricsF fm(f);
    QStringList texts;
    std::vector<weft::StateType> types;
    for (weft::StateType t : allStateTypes())
        if (totals[size_t(t)] > 0) {
            types.push_back(t);
            texts << QStringLiteral("%1 %2").arg(stateTypeLabel(t)).arg(totals[size_t(t)]);
        }
    if (types.empty()) return;
    double width = 12;
    for (const QString& t : texts)
        width += 14 + fm.horizontalAdvance(t) + 12;
    const double h = fm.height() + 12;
    const QRectF panel(10, viewport()->height() - h - 10, width, h);
    const bool dark = palette().color(QPalette::Window).lightnessF() < 0.5;
    QColor bg = palette().color(QPalette::Window);
    bg.setAlphaF(0.92f);
    p.setRenderHint(QPainter::Antialiasing, true);
    p.setPen(QPen(palette().color(QPalette::Mid), 1));
    p.setBrush(bg);
    p.drawRoundedRect(panel, 6, 6);
    p.setFont(f);
    double x = panel.left() + 12;
    for (size_t i = 0; i < types.size(); ++i) {
        p.setPen(Qt::NoPen);
        p.setBrush(stateColor(types[i], dark));
        p.drawEllipse(QRectF(x, panel.center().y() - 4, 8, 8));
        p.setPen(palette().color(QPalette::WindowText));
        const double w = fm.horizontalAdvance(texts[qsizetype(i)]);
        p.drawText(QRectF(x + 13, panel.top(), w + 2, panel.height()), Qt::AlignVCenter,
                   texts[qsizetype(i)]);
        x += 14 + w + 12;
    }
}

QImage RunGraphView::renderImage() {
    const QRectF c = contentRect();
    double k = 1;
    const double side = std::max(c.width(), c.height());
    if (side > MaxImageSide) k = MaxImageSide / side;
    if (c.width() * c.height() * k * k > 1.5e8) k = std::sqrt(1.5e8 / (c.width() * c.height()));
    QImage image(QSize(int(std::ceil(c.width() * k)), int(std::ceil(c.height() * k))),
                 QImage::Format_ARGB32_Premultiplied);
    if (image.isNull()) return image;
    image.fill(palette().color(QPalette::Base));
    QPainter p(&image);
    p.setRenderHint(QPainter::TextAntialiasing, true);
    p.scale(k, k);
    p.translate(-c.topLeft());
    RunGraphPaintOptions o = options();
    o.fullDetail = true;
    o.scale = 1;
    o.selectedNode = o.hoveredNode = -1;
    m_painter.paint(p, c, o);
    return image;
}

bool RunGraphView::exportTo(const QString& path) {
    if (!m_model) return false;
    if (QFileInfo(path).suffix().compare(QStringLiteral("svg"), Qt::CaseInsensitive) != 0)
        return renderImage().save(path);
    const QRectF c = contentRect();
    const QSize size(int(std::ceil(c.width())), int(std::ceil(c.height())));
    QSvgGenerator svg;
    svg.setFileName(path);
    svg.setSize(size);
    svg.setViewBox(QRect(QPoint(0, 0), size));
    svg.setTitle(tr("Run graph"));
    svg.setDescription(tr("Task runs of flow run %1").arg(m_model->flowRunId()));
    QPainter p;
    if (!p.begin(&svg)) return false;
    p.fillRect(QRect(QPoint(0, 0), size), palette().color(QPalette::Base));
    p.translate(-c.topLeft());
    RunGraphPaintOptions o = options();
    o.fullDetail = true;
    o.scale = 1;
    o.selectedNode = o.hoveredNode = -1;
    m_painter.paint(p, c, o);
    return p.end() && QFileInfo(path).size() > 0;
}

} // namespace weft::studio
