#pragma once
// The selected task run of a run page: state, attempts, times, cache key, upstream runs,
// parameters and result as JSON trees, state history; and its actions.
#include "backend/backend.h"

#include <QWidget>

class QLabel;
class QTreeView;
class QListWidget;
class QPushButton;

namespace weft::studio {

class TaskRunModel;

class JsonModel;
class ResultView;
class StateBadge;

class TaskRunDetails : public QWidget {
    Q_OBJECT
public:
    explicit TaskRunDetails(Backend* backend, QWidget* parent = nullptr);
    void showTaskRun(const QString& taskRunId, const TaskRunModel* runs);
    QString taskRunId() const { return m_id; }
    ResultView* result() const { return m_result; }

Q_SIGNALS:
    void showLogs(const QString& taskRunId);
    void retryFromHere(const QString& taskRunId);
    void markAs(const QString& taskRunId);
    void openFlowRun(const QString& flowRunId);
    void closeRequested();

private:
    void fill(const weft::TaskRunRecord& run, const TaskRunModel* runs);

    Backend* m_backend;
    QString m_id;
    QString m_childFlowRun;
    StateBadge* m_badge;
    QLabel* m_title;
    QLabel* m_facts;
    QListWidget* m_history;
    JsonModel* m_parameters;
    ResultView* m_result;
    QPushButton* m_openChild;
    quint64 m_generation = 0;
};

} // namespace weft::studio
