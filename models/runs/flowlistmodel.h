#pragma once
// Flows with their run counts, success rate and latest run, for the Flows page and the run
// filter's flow list. (Flows record no description; the page shows what is known of them.)
#include "backend/backend.h"

#include <QAbstractTableModel>
#include <QTimer>
#include <optional>
#include <vector>

namespace weft::studio {

class FlowListModel : public QAbstractTableModel {
    Q_OBJECT
public:
    enum Column {
        NameColumn,
        RunsColumn,
        SuccessRateColumn,
        LatestStateColumn,
        LatestStartColumn,
        ColumnCount
    };
    enum Roles {
        FlowIdRole = Qt::UserRole + 1, // QString
        FlowNameRole,                  // QString
        RunCountRole,                  // qint64, -1 until counted
        LatestRunIdRole,               // QString
        StateTypeRole,                 // int of weft::StateType (latest run), invalid if none
        StateNameRole,                 // QString (latest run)
        StartTimeRole,                 // qint64 msecs (latest run)
        SuccessRateRole, // double 0..1: Completed / (Completed + Failed + Crashed); invalid if none
    };

    explicit FlowListModel(Backend* backend, QObject* parent = nullptr);

    int rowCount(const QModelIndex& parent = {}) const override;
    int columnCount(const QModelIndex& parent = {}) const override;
    QVariant data(const QModelIndex& index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation,
                        int role = Qt::DisplayRole) const override;

    QStringList flowNames() const;
    /// Why the last refresh failed ("couldn't load flows: …"), or empty.
    QString errorString() const { return m_error; }
    /// Delay between live events and the refresh of counts and latest runs.
    void setRefreshDelay(int ms) { m_refreshTimer.setInterval(ms); }

public Q_SLOTS:
    void refresh();

Q_SIGNALS:
    /// Flows and their figures arrived (after a refresh).
    void refreshed();
    /// errorString() changed (a failure, or a success after one).
    void errorChanged(const QString& error);

private:
    struct Row {
        weft::FlowRecord flow;
        qint64 runs = -1;
        qint64 completed = -1;       // -1 until counted
        qint64 failedOrCrashed = -1; // Cancelled counts in neither (the dashboard's rule)
        std::optional<weft::FlowRunRecord> latest;
    };
    void setFlows(std::vector<weft::FlowRecord> flows);
    void fetchFigures();
    void onEvents(const EventBatch& batch);
    void setError(const QString& error);

    Backend* m_backend;
    std::vector<Row> m_rows;
    quint64 m_generation = 0;
    int m_outstanding = 0;
    QString m_error;
    QTimer m_refreshTimer;
};

} // namespace weft::studio
