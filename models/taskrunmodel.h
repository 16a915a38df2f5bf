#pragma once
// The task runs of one flow run, all in memory (10,000 are fine), live from the change feed.
#include "models/backend.h"
#include "models/taskrunroles.h"

#include <QAbstractTableModel>
#include <QTimer>
#include <map>
#include <unordered_map>
#include <vector>

namespace weft::studio {

class TaskRunModel : public QAbstractTableModel {
    Q_OBJECT
public:
    explicit TaskRunModel(Backend* backend, QObject* parent = nullptr);

    /// Shows the task runs of this flow run (empty: none). Answers for an earlier run are dropped.
    void setFlowRun(const QString& flowRunId);
    QString flowRunId() const { return m_flowRunId; }
    /// Fetches every task run again (the page's Refresh).
    void refresh();
    /// True once the first fetch for the current flow run answered.
    bool isLoaded() const { return m_loaded; }

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
    void setRefetchDelay(int ms) { m_refetchTimer.setInterval(ms); }

Q_SIGNALS:
    /// countsByState() may have changed.
    void countsChanged();
    /// The first fetch of a flow run's task runs arrived.
    void loaded();

private:
    struct Row {
        weft::TaskRunRecord run;
        bool placeholder = false; // created by an event; the fetch brings the rest
    };
    void onEvents(const EventBatch& batch);
    void merge(std::vector<weft::TaskRunRecord> records);
    void appendRows(std::vector<Row> rows);
    void emitRowsChanged(std::vector<int>& rows);
    void refreshRunningDurations();
    QStringList upstreamIds(const weft::TaskRunRecord& run) const;

    Backend* m_backend;
    QString m_flowRunId;
    std::string m_flowRunIdStd;
    quint64 m_generation = 0;
    bool m_loaded = false;
    bool m_fetchInFlight = false;
    bool m_refetchAgain = false;
    std::vector<Row> m_rows;
    std::unordered_map<std::string, int> m_index; // task run id → row
    QTimer m_refetchTimer;
    QTimer m_durationTimer;
};

} // namespace weft::studio
