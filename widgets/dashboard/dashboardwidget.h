#pragma once
// The dashboard: runs by state over time (stacked), mean duration and failure rate per flow,
// and the recent failures with their messages.
#include "dashboard/dashboardmodel.h"

#include <QWidget>

class QComboBox;
class QLabel;
class QTableView;
class QChartView;
class QChart;

namespace weft::studio {

class DashboardWidget : public QWidget {
    Q_OBJECT
public:
    explicit DashboardWidget(DashboardModel* model, QWidget* parent = nullptr);

    /// For tests: the charts as shown (runs by state; duration and failure rate per flow) and
    /// the success-rate tile.
    QChartView* historyView() const { return m_historyView; }
    QChartView* durationView() const { return m_durationView; }
    QChartView* failureView() const { return m_failureView; }
    QLabel* successRate() const { return m_rate; }

    /// The one rule for rates, stated in the tooltips: Cancelled runs (and runs not finished)
    /// count in neither the success nor the failure rate.
    static QString rateRule();

Q_SIGNALS:
    void runActivated(const QString& flowRunId);

protected:
    void changeEvent(QEvent* event) override;

private:
    void rebuild();
    void rebuildHistory(bool dark);
    void rebuildFlows(bool dark);
    QWidget* tile(QLabel*& value, const QString& caption);

    DashboardModel* m_model;
    QComboBox* m_range = nullptr;
    QLabel* m_total = nullptr;
    QLabel* m_failed = nullptr;
    QLabel* m_rate = nullptr;
    QLabel* m_flows = nullptr;
    QChartView* m_historyView = nullptr;
    QChartView* m_durationView = nullptr;
    QChartView* m_failureView = nullptr;
    QTableView* m_failures = nullptr;
    QLabel* m_noFailures = nullptr; // instead of the table while there are none
};

} // namespace weft::studio
