#include "deployments/workerlistmodel.h"

#include "deployments/workpoollistmodel.h"
#include "runs/runformat.h"

#include <QColor>
#include <QDateTime>

namespace weft::studio {

WorkerListModel::WorkerListModel(Backend* backend, QObject* parent)
    : BackendListModel(backend, parent) {}

void WorkerListModel::setPool(const QString& pool) {
    if (pool == m_pool) return;
    m_pool = pool;
    // Another pool's workers must not show under this one meanwhile.
    replaceRows(m_rows, {}, [](const WorkerInfo& w) { return w.worker.id; });
    refresh();
}

void WorkerListModel::fetch(quint64 generation) {
    if (m_pool.isEmpty()) return;
    backend()->fetchWorkers(
        m_pool.toStdString(), this, [this, generation](Result<std::vector<WorkerInfo>> r) {
            if (!isCurrent(generation)) return;
            if (!r) return fail(tr("couldn't load the workers of %1: %2").arg(m_pool, r.error()));
            replaceRows(m_rows, std::move(*r), [](const WorkerInfo& w) { return w.worker.name; });
        });
}

int WorkerListModel::rowCount(const QModelIndex& parent) const {
    return parent.isValid() ? 0 : int(m_rows.size());
}

QVariant WorkerListModel::data(const QModelIndex& index, int role) const {
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid))
        return {};
    const WorkerInfo& row = m_rows[size_t(index.row())];
    const weft::WorkerRecord& w = row.worker;
    switch (role) {
    case Qt::DisplayRole:
        switch (index.column()) {
        case NameColumn:
            return QString::fromStdString(w.name);
        case StatusColumn:
            return row.online ? tr("Online") : tr("Offline");
        case HeartbeatColumn:
            return w.last_heartbeat ? formatRelative(w.last_heartbeat / 1000,
                                                     QDateTime::currentMSecsSinceEpoch())
                                    : tr("never");
        case IntervalColumn:
            return w.heartbeat_interval_s ? tr("every %1 s").arg(*w.heartbeat_interval_s)
                                          : QString();
        }
        return {};
    case Qt::ForegroundRole:
        if (index.column() == StatusColumn) return onlineColour(row.online);
        return {};
    case Qt::ToolTipRole:
        if (index.column() == HeartbeatColumn && w.last_heartbeat)
            return formatTimestamp(w.last_heartbeat / 1000);
        return {};
    case OnlineRole:
        return row.online;
    case LastHeartbeatRole:
        return qint64(w.last_heartbeat / 1000);
    }
    return {};
}

QVariant WorkerListModel::headerData(int section, Qt::Orientation orientation, int role) const {
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole) return {};
    switch (section) {
    case NameColumn:
        return tr("Worker");
    case StatusColumn:
        return tr("Status");
    case HeartbeatColumn:
        return tr("Last heartbeat");
    case IntervalColumn:
        return tr("Heartbeat");
    }
    return {};
}

} // namespace weft::studio
