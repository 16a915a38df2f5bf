#pragma once
// The Work pools page's table: each pool's name, type, status (READY with a worker online,
// NOT_READY, PAUSED), concurrency (active runs of its limit), workers online and the newest
// heartbeat.
#include "deployments/backendlistmodel.h"

#include <QColor>

namespace weft::studio {

class WorkPoolListModel : public BackendListModel {
    Q_OBJECT
public:
    enum Column {
        NameColumn,
        TypeColumn,
        StatusColumn,
        ConcurrencyColumn,
        WorkersColumn,
        HeartbeatColumn,
        ColumnCount
    };
    enum Roles {
        PoolNameRole = Qt::UserRole + 1, // QString
        OnlineRole,                      // bool: a worker of it is online
    };

    explicit WorkPoolListModel(Backend* backend, QObject* parent = nullptr);

    int rowCount(const QModelIndex& parent = {}) const override;
    QVariant data(const QModelIndex& index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation,
                        int role = Qt::DisplayRole) const override;

    const WorkPoolInfo* pool(int row) const;

protected:
    void fetch(quint64 generation) override;
    int columns() const override { return ColumnCount; }
    std::vector<int> clockColumns() const override { return {HeartbeatColumn}; }

private:
    std::vector<WorkPoolInfo> m_rows;
};

/// The colour of "online" (green) or "offline" (grey-red) for a status text.
QColor onlineColour(bool online);

} // namespace weft::studio
