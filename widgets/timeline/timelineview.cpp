#include "timeline/timelineview.h"

#include "timeline/timelinemodel.h"
#include "timeline/timelinepainter.h"

#include <QApplication>
#include <QElapsedTimer>
#include <QFileInfo>
#include <QHelpEvent>
#include <QKeyEvent>
#include <QPainter>
#include <QScrollBar>
#include <QSvgGenerator>
#include <QToolTip>
#include <QWheelEvent>
#include <cmath>

namespace weft::studio {

namespace {
constexpr double kFitMarginPx = 24;
constexpr double kMinRangeUs = 100'000; // a run shorter than this is shown 100 ms wide
constexpr double kWheelTimeZoom = 1.25; // per notch
constexpr double kWheelRowZoom = 1.2;
constexpr int kPngMaxHeight = 8000;
constexpr int kSvgMaxHeight = 400000;
} // namespace

TimelineView::TimelineView(QWidget* parent)
    : QAbstractScrollArea(parent) {
    setFrameShape(QFrame::NoFrame);
    setFocusPolicy(Qt::StrongFocus);
    viewport()->setMouseTracking(true);
    viewport()->setAttribute(Qt::WA_OpaquePaintEvent);
    setMinimumSize(320, 140);
    connect(horizontalScrollBar(), &QScrollBar::valueChanged, this,
            &TimelineView::onHorizontalScroll);
    connect(verticalScrollBar(), &QScrollBar::valueChanged, this, &TimelineView::onVerticalScroll);
    m_liveTimer.setTimerType(Qt::CoarseTimer);
    connect(&m_liveTimer, &QTimer::timeout, this, [this] {
        // Open bars grow with the clock; a fitted view keeps the run's end in view.
        updateLimits();
        if (m_followTime) m_math.fitTime(m_math.limitStart, m_math.limitEnd, kFitMarginPx);
        syncScrollBars();
        updateLiveTimer();
        viewport()->update();
    });
}

TimelineView::~TimelineView() = default;

void TimelineView::setModel(TimelineModel* model) {
    if (m_model) disconnect(m_model, nullptr, this, nullptr);
    m_model = model;
    m_hover = -1;
    m_followTime = m_fitRows = true;
    if (m_model) {
        connect(m_model, &TimelineModel::updated, this, &TimelineView::onModelUpdated);
        connect(m_model, &TimelineModel::loaded, this, &TimelineView::fitToRun);
        connect(m_model, &QObject::destroyed, this, [this] {
            m_model = nullptr;
            m_liveTimer.stop();
            viewport()->update();
        });
    }
    onModelUpdated();
}

int TimelineView::labelWidth() const {
    return std::clamp(fontMetrics().averageCharWidth() * 26 + 40, 160, 280);
}

int TimelineView::axisHeight() const {
    return fontMetrics().height() + 14;
}

QRect TimelineView::barArea() const {
    const QSize vp = viewport()->size();
    return QRect(labelWidth(), axisHeight(), std::max(1, vp.width() - labelWidth()),
                 std::max(1, vp.height() - axisHeight()));
}

void TimelineView::updateLimits() {
    const QRect area = barArea();
    if (m_model) {
        m_math.limitStart = double(m_model->rangeStart());
        m_math.limitEnd = std::max(double(m_model->rangeEnd()), m_math.limitStart + kMinRangeUs);
    }
    m_math.setWidth(area.width());
    m_math.setHeight(area.height());
    m_math.setRowCount(m_model ? m_model->laneCount() : 0);
}

void TimelineView::onModelUpdated() {
    updateLimits();
    if (m_followTime) m_math.fitTime(m_math.limitStart, m_math.limitEnd, kFitMarginPx);
    if (m_fitRows) m_math.fitRows();
    if (!m_model || m_hover >= m_model->count()) m_hover = -1;
    syncScrollBars();
    updateLiveTimer();
    viewport()->update();
}

void TimelineView::fitToRun() {
    m_followTime = m_fitRows = true;
    onModelUpdated();
}

void TimelineView::zoomIn() {
    m_math.zoomTimeAround(m_math.width / 2, 1.5);
    m_followTime = false;
    syncScrollBars();
    viewport()->update();
}

void TimelineView::zoomOut() {
    m_math.zoomTimeAround(m_math.width / 2, 1 / 1.5);
    m_followTime = false;
    syncScrollBars();
    viewport()->update();
}

void TimelineView::select(const QString& taskRunId) {
    if (taskRunId == m_current) return;
    m_current = taskRunId;
    viewport()->update();
    Q_EMIT currentTaskRunChanged(m_current);
}

void TimelineView::setCurrentTaskRun(const QString& taskRunId) {
    select(taskRunId);
    const int i = m_model ? m_model->indexOfTaskRun(taskRunId) : -1;
    if (i < 0) return;
    // Bring it into view: its row, and its start if it lies outside the visible time.
    const TimelineInterval& iv = m_model->interval(i);
    const double y = m_math.yOf(iv.lane);
    if (y < 0 || y + m_math.rowHeight > m_math.height) {
        m_math.scrollRows(y - m_math.height / 3);
        m_fitRows = false;
    }
    const double x0 = m_math.xOf(double(iv.start));
    if (x0 < 0 || x0 > m_math.width) {
        m_math.panPixels(x0 - m_math.width / 4);
        m_followTime = false;
    }
    syncScrollBars();
    viewport()->update();
}

void TimelineView::syncScrollBars() {
    m_syncing = true;
    QScrollBar* v = verticalScrollBar();
    v->setRange(0, int(std::ceil(std::max(0.0, m_math.contentHeight() - m_math.height))));
    v->setPageStep(int(m_math.height));
    v->setSingleStep(std::max(1, int(std::min(60.0, m_math.rowHeight * 3))));
    v->setValue(int(std::lround(m_math.rowOffset)));
    // The horizontal bar counts in units of a thousandth of the view (or coarser for a very
    // deep zoom into a long run), so its int range never overflows.
    QScrollBar* h = horizontalScrollBar();
    // Its range is the run (with the fit margins) beyond the view, so a fitted view has none.
    const double span = m_math.viewSpan;
    const double margin = kFitMarginPx * m_math.usPerPixel();
    const double lo = std::min(m_math.viewStart, m_math.limitStart - margin);
    const double hi = std::max(m_math.viewStart, m_math.limitEnd + margin - span);
    if (hi - lo < m_math.usPerPixel()) {
        h->setRange(0, 0);
    } else {
        m_hUnit = std::max(span / 1000, (hi - lo) / 1e9);
        m_hOrigin = lo;
        h->setRange(0, int(std::lround((hi - lo) / m_hUnit)));
        h->setPageStep(int(std::lround(span / m_hUnit)));
        h->setSingleStep(std::max(1, h->pageStep() / 20));
        h->setValue(int(std::lround((m_math.viewStart - lo) / m_hUnit)));
    }
    m_syncing = false;
}

void TimelineView::onHorizontalScroll(int value) {
    if (m_syncing) return;
    m_math.viewStart = m_hOrigin + value * m_hUnit;
    m_math.clampTime();
    m_followTime = false;
    viewport()->update();
}

void TimelineView::onVerticalScroll(int value) {
    if (m_syncing) return;
    m_math.rowOffset = value;
    m_math.clampRows();
    m_fitRows = false;
    viewport()->update();
}

void TimelineView::updateLiveTimer() {
    if (!m_model || !m_model->isLive() || !isVisible()) {
        m_liveTimer.stop();
        return;
    }
    // Repaint about when now moves by a pixel, within reason.
    const int ms = int(std::clamp(m_math.usPerPixel() / 1000, 50.0, 1000.0));
    if (!m_liveTimer.isActive() || std::abs(m_liveTimer.interval() - ms) > ms / 4)
        m_liveTimer.start(ms);
}

TimelineLook TimelineView::look(bool decorations) const {
    TimelineLook l;
    l.palette = palette();
    l.font = font();
    l.labelWidth = labelWidth();
    l.axisHeight = axisHeight();
    l.decorations = decorations;
    if (decorations) {
        l.hovered = m_hover;
        l.cursorX = m_cursorX;
    }
    if (m_model && !m_current.isEmpty()) l.selected = m_model->indexOfTaskRun(m_current);
    return l;
}

void TimelineView::paintEvent(QPaintEvent*) {
    QElapsedTimer timer;
    timer.start();
    QPainter p(viewport());
    if (!m_model) {
        p.fillRect(viewport()->rect(), palette().color(QPalette::Base));
        return;
    }
    const TimelineLook l = look(true);
    TimelinePainter(*m_model, m_math, l).paint(p, viewport()->size());
    m_lastPaintUs = timer.nsecsElapsed() / 1000;
}

void TimelineView::resizeEvent(QResizeEvent* event) {
    QAbstractScrollArea::resizeEvent(event);
    onModelUpdated();
}

QRectF TimelineView::barRect(int i) const {
    if (!m_model || i < 0 || i >= m_model->count()) return {};
    const TimelineInterval& iv = m_model->interval(i);
    const double x0 = labelWidth() + m_math.xOf(double(iv.start));
    const double x1 = labelWidth() + m_math.xOf(double(m_model->endOf(iv)));
    const double h = TimelinePainter::barHeight(m_math.rowHeight);
    const double y = axisHeight() + m_math.yOf(iv.lane) + (m_math.rowHeight - h) / 2;
    return QRectF(x0, y, std::max(1.0, x1 - x0), std::max(1.0, h));
}

int TimelineView::intervalAt(const QPoint& pos) const {
    if (!m_model || m_model->count() == 0 || pos.y() < axisHeight()) return -1;
    const int lane = m_math.rowAt(pos.y() - axisHeight());
    if (lane < 0) return -1;
    const bool grouped = m_model->groupByTaskKey();
    if (pos.x() < labelWidth()) return grouped ? -1 : lane; // a lane's label stands for its run
    const double t = m_math.timeAt(pos.x() - labelWidth());
    const double grace = 3 * m_math.usPerPixel(); // thin bars are still easy to hit
    auto distance = [&](int i) {
        const TimelineInterval& iv = m_model->interval(i);
        const double s = double(iv.start), e = double(m_model->endOf(iv));
        return t < s ? s - t : t > e ? t - e : 0.0;
    };
    if (!grouped) return distance(lane) <= grace ? lane : -1;
    int best = -1;
    const int last = m_model->lastIndex(weft::Micros(t + grace));
    for (int i = m_model->firstIndex(weft::Micros(t - grace)); i <= last; ++i) {
        if (m_model->interval(i).lane != lane || distance(i) > grace) continue;
        if (best < 0 || distance(i) < distance(best)) best = i;
    }
    return best;
}

void TimelineView::wheelEvent(QWheelEvent* event) {
    const QPointF pos = event->position();
    const QPoint a = event->angleDelta();
    const Qt::KeyboardModifiers mods = event->modifiers();
    // Some platforms turn Shift+wheel into a horizontal wheel: either direction counts.
    const double notches = (a.y() != 0 ? a.y() : a.x()) / 120.0;
    const double x = std::clamp(pos.x() - labelWidth(), 0.0, m_math.width);
    const double y = std::clamp(pos.y() - axisHeight(), 0.0, m_math.height);
    const bool overAxis = pos.y() < axisHeight() && pos.x() >= labelWidth();
    if (mods & Qt::ControlModifier) {
        m_math.zoomRowsAround(y, std::pow(kWheelRowZoom, notches));
        m_fitRows = false;
        if (mods & Qt::ShiftModifier) {
            m_math.zoomTimeAround(x, std::pow(kWheelTimeZoom, notches));
            m_followTime = false;
        }
    } else if ((mods & Qt::ShiftModifier) || overAxis) {
        m_math.zoomTimeAround(x, std::pow(kWheelTimeZoom, notches));
        m_followTime = false;
    } else if (std::abs(a.x()) > std::abs(a.y())) {
        m_math.panPixels(-a.x() / 120.0 * 80);
        m_followTime = false;
    } else {
        m_math.scrollRows(-notches * std::max(3 * m_math.rowHeight, 48.0));
        m_fitRows = false;
    }
    syncScrollBars();
    updateLiveTimer();
    viewport()->update();
    event->accept();
}

void TimelineView::mousePressEvent(QMouseEvent* event) {
    if (event->button() != Qt::LeftButton && event->button() != Qt::MiddleButton) {
        QAbstractScrollArea::mousePressEvent(event);
        return;
    }
    m_pressed = true;
    m_dragging = false;
    m_pressPos = m_lastDrag = event->position().toPoint();
    event->accept();
}

void TimelineView::mouseMoveEvent(QMouseEvent* event) {
    const QPoint pos = event->position().toPoint();
    if (!m_pressed) {
        const QRect area = barArea();
        setHover(intervalAt(pos),
                 area.contains(pos) || (pos.y() < area.top() && pos.x() >= area.left())
                     ? std::optional<double>(pos.x() - area.left())
                     : std::nullopt);
        return;
    }
    if (!m_dragging && (pos - m_pressPos).manhattanLength() >= QApplication::startDragDistance()) {
        m_dragging = true;
        viewport()->setCursor(Qt::ClosedHandCursor);
        setHover(-1, std::nullopt);
    }
    if (m_dragging) {
        const QPoint d = pos - m_lastDrag;
        m_lastDrag = pos;
        if (d.x()) {
            m_math.panPixels(-d.x());
            m_followTime = false;
        }
        if (d.y()) {
            m_math.scrollRows(-d.y());
            m_fitRows = false;
        }
        syncScrollBars();
        viewport()->update();
    }
}

void TimelineView::mouseReleaseEvent(QMouseEvent* event) {
    if (!m_pressed) return;
    const bool click = !m_dragging && event->button() == Qt::LeftButton;
    m_pressed = m_dragging = false;
    viewport()->unsetCursor();
    if (!click) return;
    const int i = intervalAt(event->position().toPoint());
    if (i < 0) {
        select({});
        return;
    }
    const QString id = m_model->taskRunId(i);
    select(id);
    Q_EMIT taskRunActivated(id);
}

void TimelineView::contextMenuEvent(QContextMenuEvent* event) {
    const int i = intervalAt(event->pos());
    if (i < 0) {
        event->ignore();
        return;
    }
    const QString id = m_model->taskRunId(i);
    select(id);
    Q_EMIT contextMenuRequested(id, event->globalPos());
    event->accept();
}

void TimelineView::keyPressEvent(QKeyEvent* event) {
    const double pan = m_math.width * 0.15;
    switch (event->key()) {
    case Qt::Key_F:
        fitToRun();
        return;
    case Qt::Key_Plus:
    case Qt::Key_Equal:
        zoomIn();
        return;
    case Qt::Key_Minus:
        zoomOut();
        return;
    case Qt::Key_Left:
        m_math.panPixels(-pan);
        break;
    case Qt::Key_Right:
        m_math.panPixels(pan);
        break;
    case Qt::Key_Up:
        m_math.scrollRows(-std::max(m_math.rowHeight, 20.0));
        break;
    case Qt::Key_Down:
        m_math.scrollRows(std::max(m_math.rowHeight, 20.0));
        break;
    default:
        QAbstractScrollArea::keyPressEvent(event);
        return;
    }
    m_followTime = m_followTime && event->key() != Qt::Key_Left && event->key() != Qt::Key_Right;
    m_fitRows = m_fitRows && event->key() != Qt::Key_Up && event->key() != Qt::Key_Down;
    syncScrollBars();
    viewport()->update();
}

bool TimelineView::viewportEvent(QEvent* event) {
    if (event->type() == QEvent::ToolTip && m_model) {
        auto* help = static_cast<QHelpEvent*>(event);
        const int i = intervalAt(help->pos());
        if (i >= 0) {
            QToolTip::showText(help->globalPos(), m_model->toolTip(i), viewport(),
                               barRect(i).toAlignedRect());
        } else {
            QToolTip::hideText();
            event->ignore();
        }
        return true;
    }
    if (event->type() == QEvent::Leave) setHover(-1, std::nullopt);
    if (event->type() == QEvent::Show) updateLiveTimer();
    return QAbstractScrollArea::viewportEvent(event);
}

void TimelineView::setHover(int interval, std::optional<double> cursorX) {
    if (interval == m_hover && cursorX == m_cursorX) return;
    m_hover = interval;
    m_cursorX = cursorX;
    viewport()->update();
}

TimelineMath TimelineView::exportMath(bool svg, QSize& size) const {
    TimelineMath m = m_math;
    m.width = std::max(m_math.width, 900.0);
    const int rows = m_model ? m_model->laneCount() : 0;
    // Every row at a readable height, unless that is taller than an image can reasonably be.
    double rh = std::clamp(m_math.rowHeight, TimelineMath::kPreferredRowHeight, 40.0);
    const double maxHeight = svg ? kSvgMaxHeight : kPngMaxHeight;
    if (rows * rh > maxHeight) rh = maxHeight / rows;
    m.rowCount = rows;
    m.rowHeight = rh;
    m.rowOffset = 0;
    m.height = std::max(rh, rows * rh);
    m.fitTime(m_math.limitStart, m_math.limitEnd, kFitMarginPx);
    size =
        QSize(labelWidth() + int(std::ceil(m.width)), axisHeight() + int(std::ceil(m.height)) + 1);
    return m;
}

QImage TimelineView::renderAll() const {
    if (!m_model) return {};
    QSize size;
    const TimelineMath m = exportMath(false, size);
    QImage image(size, QImage::Format_ARGB32_Premultiplied);
    image.fill(palette().color(QPalette::Base));
    QPainter p(&image);
    const TimelineLook l = look(false);
    TimelinePainter(*m_model, m, l).paint(p, size);
    return image;
}

bool TimelineView::exportTo(const QString& path) {
    if (!m_model) return false;
    if (!path.endsWith(QLatin1String(".svg"), Qt::CaseInsensitive)) {
        const QImage image = renderAll();
        return !image.isNull() && image.save(path, "PNG");
    }
    QSize size;
    const TimelineMath m = exportMath(true, size);
    QSvgGenerator svg;
    svg.setFileName(path);
    svg.setSize(size);
    svg.setViewBox(QRect(QPoint(0, 0), size));
    svg.setTitle(tr("Timeline of %1").arg(m_model->runName()));
    svg.setDescription(tr("Task runs of flow run %1, by Weft Studio").arg(m_model->flowRunId()));
    QPainter p;
    if (!p.begin(&svg)) return false;
    const TimelineLook l = look(false);
    TimelinePainter(*m_model, m, l).paint(p, size);
    if (!p.end()) return false;
    return QFileInfo(path).size() > 0;
}

} // namespace weft::studio
