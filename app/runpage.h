#pragma once
// One flow run's page: a header (state, flow, run, times, run count, parameters, tags, message,
// task-run counts per state, controls) and tabs — Graph, Timeline, Logs, Task runs, Parameters,
// Result — beside the selected task run's details. Live: it follows the run's events.
#include "backend/backend.h"

#include <QTimer>
#include <QWidget>
#include <memory>

class QLabel;
class QTabWidget;
class QSplitter;
class QToolButton;

namespace weft::studio {

class JsonPane;
class RunSnapshot;
class LogView;
class ResultView;
class RunActions;
class RunGraphModel;
class RunGraphWidget;
class StateBadge;
class TaskRunDetails;
class TaskRunTable;
class TimelineWidget;

class RunPage : public QWidget {
    Q_OBJECT
public:
    enum class Tab { Graph, Timeline, Logs, TaskRuns, Parameters, Result };

    RunPage(Backend* backend, RunActions* actions, const weft::FlowRunRecord& run,
            QWidget* parent = nullptr);

    QString flowRunId() const { return m_id; }
    const weft::FlowRunRecord& run() const { return m_run; }
    QString title() const;
    /// Names where the run lives in the header ("on prod (http://…)"); empty hides it.
    void setSource(const QString& source);
    QString source() const;
    void showTab(Tab tab);
    Tab currentTab() const;

    TaskRunTable* taskRuns() const { return m_taskRuns; }
    LogView* logs() const { return m_logs; }
    RunGraphWidget* graph() const { return m_graph; }
    TimelineWidget* timeline() const { return m_timeline; }
    TaskRunDetails* details() const { return m_details; }
    StateBadge* stateBadge() const { return m_badge; }
    ResultView* result() const { return m_result; }
    JsonPane* parameters() const { return m_parameters; }
    /// The run as every view of the page sees it.
    RunSnapshot* snapshot() const { return m_snapshot; }
    /// The header's task-run counts ("12 task runs · 10 completed · 2 running").
    QString countsText() const;

    /// Exports the graph or the timeline (PNG or SVG by extension); false on failure.
    bool exportGraph(const QString& path);
    bool exportTimeline(const QString& path);

public Q_SLOTS:
    void selectTaskRun(const QString& taskRunId);
    void refresh();

Q_SIGNALS:
    void titleChanged(const QString& title);
    void openRun(const QString& flowRunId);
    void stateChanged(weft::StateType type);

private:
    QWidget* buildHeader();
    void showRecord(const weft::FlowRunRecord& run);
    void updateCounts();
    void onSnapshotChanged();
    void taskContextMenu(const QString& taskRunId, const QPoint& globalPos);

    Backend* m_backend;
    RunActions* m_actions;
    QString m_id;
    weft::FlowRunRecord m_run;
    // The run's snapshot, shared through RunSnapshots with every other view of this run (another
    // run's graph with it expanded as a subflow).
    std::shared_ptr<RunSnapshot> m_heldSnapshot;
    RunSnapshot* m_snapshot;
    QTimer m_tick; // running durations grow

    StateBadge* m_badge = nullptr;
    QLabel* m_title = nullptr;
    QLabel* m_source = nullptr;
    QLabel* m_facts = nullptr;
    QLabel* m_message = nullptr;
    QLabel* m_counts = nullptr;
    QToolButton* m_retry = nullptr;
    QToolButton* m_cancel = nullptr;
    QToolButton* m_resume = nullptr;
    QTabWidget* m_tabs = nullptr;
    QSplitter* m_split = nullptr;
    RunGraphModel* m_graphModel = nullptr;
    RunGraphWidget* m_graph = nullptr;
    TimelineWidget* m_timeline = nullptr;
    LogView* m_logs = nullptr;
    TaskRunTable* m_taskRuns = nullptr;
    TaskRunDetails* m_details = nullptr;
    JsonPane* m_parameters = nullptr;
    ResultView* m_result = nullptr;
};

} // namespace weft::studio
