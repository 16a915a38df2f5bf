#pragma once
// The run page's Timeline tab: a TimelineView under a small tool bar (fit, zoom, group by task,
// export) with a legend of the states shown. Owns its TimelineModel.
#include <QWidget>

class QLabel;
class QToolButton;

namespace weft::studio {

class Backend;
class ErrorPanel;
class TimelineModel;
class TimelineView;

class TimelineWidget : public QWidget {
    Q_OBJECT
public:
    explicit TimelineWidget(Backend* backend, QWidget* parent = nullptr);

    void setFlowRun(const QString& flowRunId);
    TimelineModel* model() const { return m_model; }
    TimelineView* view() const { return m_view; }

Q_SIGNALS:
    /// Forwarded from the view.
    void taskRunActivated(const QString& taskRunId);
    void contextMenuRequested(const QString& taskRunId, const QPoint& globalPos);

private:
    void updateLegend();
    void exportAs(const QString& suffix);

    TimelineModel* m_model;
    TimelineView* m_view;
    ErrorPanel* m_error = nullptr;
    QToolButton* m_group;
    QLabel* m_legend;
};

} // namespace weft::studio
