#pragma once
// The workers of one pool: name, online or offline (coloured), last heartbeat "12 s ago", and
// the interval they promised to beat at.
#include "deployments/backendlistmodel.h"

namespace weft::studio {

class WorkerListModel : public BackendListModel {
    Q_OBJECT
public:
    enum Column { NameColumn, StatusColumn, HeartbeatColumn, IntervalColumn, ColumnCount };
    enum Roles {
        OnlineRole = Qt::UserRole + 1, // bool
        LastHeartbeatRole,             // qint64 msecs
    };

    explicit WorkerListModel(Backend* backend, QObject* parent = nullptr);

    /// Shows the workers of the pool named `pool` (empty: none).
    void setPool(const QString& pool);
    QString pool() const { return m_pool; }

    int rowCount(const QModelIndex& parent = {}) const override;
    QVariant data(const QModelIndex& index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation,
                        int role = Qt::DisplayRole) const override;

protected:
    void fetch(quint64 generation) override;
    int columns() const override { return ColumnCount; }
    std::vector<int> clockColumns() const override { return {HeartbeatColumn}; }
    bool wantsEvent(const weft::Event&) const override { return false; }

private:
    QString m_pool;
    std::vector<WorkerInfo> m_rows;
};

} // namespace weft::studio
