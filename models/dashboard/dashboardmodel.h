#pragma once
// Aggregates for the dashboard: runs by state over time, durations and failure rate per flow,
// recent failures. Refreshed from the backend, and again (debounced) when runs change.
#include "backend/backend.h"

#include <QAbstractTableModel>
#include <QTimer>

namespace weft::studio {

/// The recent failures as a table (time, flow, run, message); the series are plain accessors.
class DashboardModel : public QAbstractTableModel {
    Q_OBJECT
public:
    enum Column { TimeColumn, FlowColumn, RunColumn, MessageColumn, ColumnCount };
    enum Roles { RunIdRole = Qt::UserRole + 1, StateTypeRole };

    explicit DashboardModel(Backend* backend, QObject* parent = nullptr);

    /// The window shown: the last `seconds` in `buckets` intervals.
    void setRange(qint64 seconds, int buckets);
    qint64 rangeSeconds() const { return m_rangeS; }
    void refresh();

    const DashboardData& data() const { return m_data; }
    bool isLoaded() const { return m_loaded; }
    /// Why the last refresh failed ("couldn't load the dashboard: …"), or empty.
    QString errorString() const { return m_error; }

    int rowCount(const QModelIndex& parent = {}) const override;
    int columnCount(const QModelIndex& parent = {}) const override;
    QVariant data(const QModelIndex& index, int role) const override;
    QVariant headerData(int section, Qt::Orientation o, int role) const override;

Q_SIGNALS:
    void refreshed();
    /// errorString() changed (a failure, or a success after one).
    void errorChanged(const QString& error);

private:
    void onEvents(const EventBatch& batch);
    void apply(DashboardData data);

    Backend* m_backend;
    DashboardData m_data;
    bool m_loaded = false;
    qint64 m_rangeS = 24 * 3600;
    int m_buckets = 24;
    quint64 m_generation = 0;
    QTimer m_debounce;
    QString m_error;
};

} // namespace weft::studio
