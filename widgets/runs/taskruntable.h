#pragma once
// The task runs of one flow run as a sortable table with state badges.
#include <QTableView>

class QSortFilterProxyModel;

namespace weft::studio {

class Backend;
class ErrorPanel;
class TaskRunModel;

class TaskRunTable : public QTableView {
    Q_OBJECT
public:
    explicit TaskRunTable(Backend* backend, QWidget* parent = nullptr);

    TaskRunModel* taskRunModel() const { return m_model; }
    void setFlowRun(const QString& flowRunId);
    /// The task run shown at a view row (after sorting), or empty.
    QString taskRunIdAt(int viewRow) const;
    QString currentTaskRunId() const;
    /// Covers the table while the task runs cannot be loaded.
    ErrorPanel* errorPanel() const { return m_error; }

Q_SIGNALS:
    void taskRunActivated(const QString& id);
    /// Right-click on a task run (for "Retry from here").
    void contextMenuRequested(const QString& taskRunId, const QPoint& globalPos);

private:
    void fitNames();

    TaskRunModel* m_model;
    QSortFilterProxyModel* m_proxy;
    ErrorPanel* m_error;
    bool m_namesFitted = false;
};

} // namespace weft::studio
