#pragma once
// The task runs of one flow run as a table: an adapter over the run's RunSnapshot (one row per
// task run, in the snapshot's order), so it shows what the page's other views show.
#include "backend/backend.h"
#include "runs/runsnapshot.h"
#include "runs/taskrunroles.h"

#include <QAbstractTableModel>
#include <QPointer>
#include <QTimer>
#include <map>
#include <memory>

namespace weft::studio {

class TaskRunModel : public QAbstractTableModel {
    Q_OBJECT
public:
    explicit TaskRunModel(Backend* backend, QObject* parent = nullptr);
    ~TaskRunModel() override;

    /// Adapts a snapshot shared with other views (not owned). Without one, setFlowRun() makes
    /// a snapshot of its own.
    void setSnapshot(RunSnapshot* snapshot);
    RunSnapshot* snapshot() const { return m_snapshot; }
    /// Shows the task runs of this flow run (empty: none). Answers for an earlier run are dropped.
    void setFlowRun(const QString& flowRunId);
    QString flowRunId() const { return m_snapshot ? m_snapshot->flowRunId() : QString(); }
    /// Fetches every task run again (the page's Refresh, an error's Retry).
    void refresh();
    /// True once the first fetch for the current flow run answered.
    bool isLoaded() const { return m_snapshot && m_snapshot->isLoaded(); }
    /// "couldn't load task runs: …", or empty.
    QString errorString() const { return m_snapshot ? m_snapshot->errorString() : QString(); }

    int rowCount(const QModelIndex& parent = {}) const override;
    int columnCount(const QModelIndex& parent = {}) const override;
    QVariant data(const QModelIndex& index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation,
                        int role = Qt::DisplayRole) const override;

    /// Task runs per state type, for the run page's header.
    std::map<weft::StateType, int> countsByState() const;
    int rowOfTaskRun(const QString& id) const;
    /// The record behind a row (valid until the model changes).
    const weft::TaskRunRecord* taskRun(int row) const;
    /// Delay between live events and the re-fetch that refreshes the fields events lack.
    void setRefetchDelay(int ms);

Q_SIGNALS:
    /// countsByState() may have changed.
    void countsChanged();
    /// The first fetch of a flow run's task runs arrived.
    void loaded();
    void errorChanged(const QString& error);

private:
    void onReset();
    void onUpdated(const RunSnapshot::Delta& delta);
    void refreshRunningDurations();
    QStringList upstreamNames(int row) const;

    Backend* m_backend;
    std::unique_ptr<RunSnapshot> m_own;
    QPointer<RunSnapshot> m_snapshot;
    int m_rows = 0; // rows shown: the snapshot's task runs as of the last signal
    int m_refetchDelay = -1;
    QTimer m_durationTimer;
};

} // namespace weft::studio
