#pragma once
// The run page's Timeline: a Gantt chart of a flow run's task runs over time, painted from a
// TimelineModel. Wheel scrolls the rows; Shift+wheel (or the wheel over the axis) zooms the time
// axis around the cursor, Ctrl+wheel the row height; dragging pans; F fits the whole run. A live
// run's bars grow up to now, and a fitted view keeps the whole run in view as it grows.
#include "timeline/timelinemath.h"

#include <QAbstractScrollArea>
#include <QImage>
#include <QTimer>
#include <optional>

namespace weft::studio {

class TimelineModel;
struct TimelineLook;

class TimelineView : public QAbstractScrollArea {
    Q_OBJECT
public:
    explicit TimelineView(QWidget* parent = nullptr);
    ~TimelineView() override;

    /// The model is not owned; the view follows its updated() signal.
    void setModel(TimelineModel* model);
    TimelineModel* model() const { return m_model; }

    /// The visible window: time scale, row height and scroll (for tests and hosts).
    const TimelineMath& math() const { return m_math; }
    int labelWidth() const;
    int axisHeight() const;
    /// Where bars are drawn, in viewport coordinates.
    QRect barArea() const;
    /// The bar of interval `i` in viewport coordinates (may lie outside the viewport).
    QRectF barRect(int i) const;
    /// The interval under a viewport point (with a few pixels' grace for thin bars), or -1.
    int intervalAt(const QPoint& pos) const;

    QString currentTaskRun() const { return m_current; }

    /// Writes the whole timeline (every row, the whole run), not just what is in view: SVG when
    /// the path ends in .svg, else PNG. Returns false when the file could not be written.
    bool exportTo(const QString& path);
    /// The whole timeline as an image (what exportTo writes as PNG).
    QImage renderAll() const;

    /// How long the last paint took (µs) and how many fills it made: for benchmarks.
    qint64 lastPaintMicros() const { return m_lastPaintUs; }

public Q_SLOTS:
    /// Shows the whole run; a live run stays fitted as it grows until the user zooms or pans.
    void fitToRun();
    void zoomIn();
    void zoomOut();
    /// Selects (and scrolls to) a task run, e.g. one picked in the graph or the table.
    void setCurrentTaskRun(const QString& taskRunId);

Q_SIGNALS:
    /// A bar was clicked.
    void taskRunActivated(const QString& taskRunId);
    /// A bar was right-clicked (or the menu key pressed over it).
    void contextMenuRequested(const QString& taskRunId, const QPoint& globalPos);
    void currentTaskRunChanged(const QString& taskRunId);

protected:
    void paintEvent(QPaintEvent* event) override;
    void resizeEvent(QResizeEvent* event) override;
    void wheelEvent(QWheelEvent* event) override;
    void mousePressEvent(QMouseEvent* event) override;
    void mouseMoveEvent(QMouseEvent* event) override;
    void mouseReleaseEvent(QMouseEvent* event) override;
    void keyPressEvent(QKeyEvent* event) override;
    void contextMenuEvent(QContextMenuEvent* event) override;
    bool viewportEvent(QEvent* event) override;
    void scrollContentsBy(int, int) override {}

private:
    void onModelUpdated();
    void updateLimits();
    void syncScrollBars();
    void onHorizontalScroll(int value);
    void onVerticalScroll(int value);
    void updateLiveTimer();
    void setHover(int interval, std::optional<double> cursorX);
    void select(const QString& taskRunId);
    TimelineLook look(bool decorations) const;
    /// The whole timeline's maths and size, for exports.
    TimelineMath exportMath(bool svg, QSize& size) const;

    TimelineModel* m_model = nullptr;
    TimelineMath m_math;
    bool m_followTime = true; // fitted: refit as the run grows
    bool m_fitRows = true;    // rows not zoomed or scrolled by hand: refit as lanes come
    bool m_syncing = false;
    double m_hUnit = 1;   // µs per horizontal scroll bar unit
    double m_hOrigin = 0; // time at scroll bar value 0
    QString m_current;
    int m_hover = -1;
    std::optional<double> m_cursorX;
    QPoint m_pressPos;
    QPoint m_lastDrag;
    bool m_pressed = false;
    bool m_dragging = false;
    QTimer m_liveTimer;
    qint64 m_lastPaintUs = 0;
};

} // namespace weft::studio
