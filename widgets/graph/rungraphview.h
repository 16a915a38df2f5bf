#pragma once
// The run page's graph: a RunGraphModel painted with its own transform (zoom, pan, fit), live
// colours, collapse/expand of `.map` groups and subflows, tag highlighting, PNG/SVG export.
//
// Mouse: wheel zooms about the cursor (a touchpad's two-finger scroll pans; Shift+wheel pans
// sideways), drag pans, pinch zooms, click selects and activates a task run, double-click or the
// chevron expands/collapses, right-click asks for a context menu. Keys: arrows pan, +/- zoom,
// F fits, 0 is 100 %, Enter activates the selection, Escape clears it.
#include "graph/rungraphpainter.h"

#include <QAbstractScrollArea>
#include <QPointer>
#include <QTimer>

namespace weft::studio {

class RunGraphView : public QAbstractScrollArea {
    Q_OBJECT
public:
    explicit RunGraphView(RunGraphModel* model, QWidget* parent = nullptr);
    ~RunGraphView() override;

    RunGraphModel* model() const { return m_model; }

    double zoom() const { return m_scale; }
    /// Zooms keeping the scene point under `viewportPos` still (the centre when null).
    void setZoom(double scale, QPointF viewportPos = QPointF(-1, -1));
    /// The part of the scene the viewport shows.
    QRectF visibleSceneRect() const;
    QPointF mapToScene(QPointF viewportPos) const;
    QPointF mapFromScene(QPointF scenePos) const;

    /// The selected task run (a group's first member), or empty.
    QString selectedTaskRunId() const { return m_selectedId; }
    /// Selects a task run and scrolls it into view.
    void selectTaskRun(const QString& taskRunId);

    /// Highlights nodes with `tag` or shows only them; an empty tag clears the filter.
    void setTagFilter(const QString& tag, RunGraphTagMode mode = RunGraphTagMode::Highlight);
    QString tagFilter() const { return m_tag; }
    RunGraphTagMode tagMode() const { return m_tagMode; }

    void setLegendVisible(bool visible);
    bool isLegendVisible() const { return m_legend; }

    /// Writes the whole graph at zoom 1 and full detail: PNG (or any raster format Qt writes) or
    /// SVG by the file's extension. A PNG larger than 16384 px a side is scaled down.
    bool exportTo(const QString& path);
    /// The whole graph as an image at zoom 1 (what exportTo writes as PNG).
    QImage renderImage();

    /// Milliseconds the last paint took (benchmarks).
    double lastPaintMs() const { return m_lastPaintMs; }

public Q_SLOTS:
    void fitToView();
    void zoomIn();
    void zoomOut();
    void resetZoom();

Q_SIGNALS:
    /// A task run (or subflow call) was clicked or Enter was pressed on it.
    void taskRunActivated(const QString& taskRunId);
    /// Right-click on a node: a group's first member stands for the group.
    void contextMenuRequested(const QString& taskRunId, const QPoint& globalPos);
    void zoomChanged(double scale);
    void selectionChanged(const QString& taskRunId);

protected:
    void paintEvent(QPaintEvent* event) override;
    void resizeEvent(QResizeEvent* event) override;
    void scrollContentsBy(int dx, int dy) override;
    bool viewportEvent(QEvent* event) override;
    void mousePressEvent(QMouseEvent* event) override;
    void mouseMoveEvent(QMouseEvent* event) override;
    void mouseReleaseEvent(QMouseEvent* event) override;
    void mouseDoubleClickEvent(QMouseEvent* event) override;
    void wheelEvent(QWheelEvent* event) override;
    void keyPressEvent(QKeyEvent* event) override;
    void contextMenuEvent(QContextMenuEvent* event) override;
    void changeEvent(QEvent* event) override;

private:
    enum class Hit { None, Node, Chevron, GroupTab };
    struct HitResult {
        Hit what = Hit::None;
        int index = -1; // node, or group for GroupTab
    };
    HitResult hitTest(QPointF viewportPos) const;
    void onAboutToChangeLayout();
    void onLayoutChanged();
    void onNodesChanged(const QVector<int>& nodes);
    void setOrigin(QPointF origin);
    void updateScrollBars();
    QRectF contentRect() const;
    double minScale() const;
    void select(int node);
    void toggle(int node);
    void paintLegend(QPainter& p);
    void paintMessage(QPainter& p);
    RunGraphPaintOptions options() const;

    QPointer<RunGraphModel> m_model;
    RunGraphPainter m_painter;
    double m_scale = 1;
    QPointF m_origin;      // scene point at the viewport's top-left
    bool m_autoFit = true; // fit again on resize and new data until the user zooms or pans
    bool m_syncingBars = false;
    QString m_selectedId;
    int m_selectedNode = -1, m_hoveredNode = -1;
    QString m_tag;
    RunGraphTagMode m_tagMode = RunGraphTagMode::Highlight;
    bool m_legend = true;
    // Drag to pan.
    bool m_pressed = false, m_dragging = false;
    QPoint m_pressPos;
    QPointF m_pressOrigin;
    // Keeps a node still on screen across a re-layout.
    QString m_anchorId, m_pendingAnchorId;
    QPointF m_anchorPos;
    QTimer m_tick; // running durations move on
    double m_lastPaintMs = 0;
};

} // namespace weft::studio
