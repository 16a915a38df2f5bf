#pragma once
// The run page's Graph tab: a RunGraphView under a small toolbar (layout mode, tag filter,
// expand/collapse of `.map` groups, zoom, fit, export).
#include "graph/rungraphview.h"

#include <QWidget>

class QComboBox;
class QLabel;
class QToolButton;

namespace weft::studio {

class RunGraphWidget : public QWidget {
    Q_OBJECT
public:
    explicit RunGraphWidget(RunGraphModel* model, QWidget* parent = nullptr);

    RunGraphView* view() const { return m_view; }
    RunGraphModel* model() const { return m_model; }

Q_SIGNALS:
    /// Forwarded from the view: show this task run's details.
    void taskRunActivated(const QString& taskRunId);
    /// Forwarded from the view: offer actions ("Retry from here") for this task run.
    void contextMenuRequested(const QString& taskRunId, const QPoint& globalPos);

private:
    void refreshTags();
    void applyTagFilter();
    void exportAs(const QString& suffix);

    RunGraphModel* m_model;
    RunGraphView* m_view;
    QComboBox* m_mode;
    QComboBox* m_tags;
    QComboBox* m_tagMode;
    QLabel* m_zoom;
};

} // namespace weft::studio
