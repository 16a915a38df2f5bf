#pragma once
// The run page's Graph tab: a toolbar (layout mode, tag filter, fit, zoom, export) over the
// run graph view.
#include "models/backend.h"

#include <QWidget>

class QComboBox;

namespace weft::studio {

class RunGraphModel;
class RunGraphView;

class GraphTab : public QWidget {
    Q_OBJECT
public:
    explicit GraphTab(Backend* backend, QWidget* parent = nullptr);
    void setFlowRun(const QString& flowRunId);
    bool exportTo(const QString& path);
    RunGraphModel* model() const { return m_model; }
    RunGraphView* view() const { return m_view; }

Q_SIGNALS:
    void taskRunActivated(const QString& taskRunId);
    void contextMenuRequested(const QString& taskRunId, const QPoint& globalPos);

private:
    void updateTags();

    RunGraphModel* m_model;
    RunGraphView* m_view;
    QComboBox* m_mode;
    QComboBox* m_tags;
    QComboBox* m_tagMode;
};

} // namespace weft::studio
