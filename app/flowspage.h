#pragma once
// The Flows page: every flow with its run count and latest run; opening a flow filters the runs.
#include "backend/backend.h"

#include <QWidget>

class QTableView;

namespace weft::studio {

class FlowListModel;

class FlowsPage : public QWidget {
    Q_OBJECT
public:
    explicit FlowsPage(Backend* backend, QWidget* parent = nullptr);
    FlowListModel* model() const { return m_model; }
    QTableView* table() const { return m_table; }

Q_SIGNALS:
    void showRunsOf(const QString& flowName);
    void openRun(const QString& flowRunId);
    /// "Run again with parameters…" on a flow: from its latest run (its program and parameters).
    void runAgain(const QString& flowRunId);

private:
    FlowListModel* m_model;
    QTableView* m_table;
};

} // namespace weft::studio
