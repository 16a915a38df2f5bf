#include "deployments/workpoollistmodel.h"

#include "runs/runformat.h"

#include <QColor>
#include <QDateTime>

namespace weft::studio {

QColor onlineColour(bool online) {
    return online ? QColor(0x2e, 0x9d, 0x4f) : QColor(0xb0, 0x4a, 0x3c);
}

WorkPoolListModel::WorkPoolListModel(Backend* backend, QObject* parent)
    : BackendListModel(backend, parent) {
    if (backend->isOpen()) refresh();
}

void WorkPoolListModel::fetch(quint64 generation) {
    backend()->fetchWorkPools(this, [this, generation](Result<std::vector<WorkPoolInfo>> r) {
        if (!isCurrent(generation)) return;
        if (!r) return fail(tr("couldn't load work pools: %1").arg(r.error()));
        replaceRows(m_rows, std::move(*r), [](const WorkPoolInfo& p) { return p.pool.name; });
    });
}

int WorkPoolListModel::rowCount(const QModelIndex& parent) const {
    return parent.isValid() ? 0 : int(m_rows.size());
}

const WorkPoolInfo* WorkPoolListModel::pool(int row) const {
    return row >= 0 && row < int(m_rows.size()) ? &m_rows[size_t(row)] : nullptr;
}

QVariant WorkPoolListModel::data(const QModelIndex& index, int role) const {
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid))
        return {};
    const WorkPoolInfo& row = m_rows[size_t(index.row())];
    const weft::WorkPoolRecord& p = row.pool;
    switch (role) {
    case Qt::DisplayRole:
        switch (index.column()) {
        case NameColumn:
            return QString::fromStdString(p.name);
        case TypeColumn:
            return QString::fromStdString(p.type);
        case StatusColumn:
            if (p.is_paused || row.status == "PAUSED") return tr("Paused");
            return row.status == "READY" ? tr("Ready") : tr("Not ready");
        case ConcurrencyColumn:
            return p.concurrency_limit
                       ? tr("%1 of %2 running").arg(row.activeSlots).arg(*p.concurrency_limit)
                       : tr("%1 running (no limit)").arg(row.activeSlots);
        case WorkersColumn:
            return row.workers == 0 ? tr("none")
                                    : tr("%1 of %2 online").arg(row.workersOnline).arg(row.workers);
        case HeartbeatColumn:
            return row.lastHeartbeat ? formatRelative(*row.lastHeartbeat / 1000,
                                                      QDateTime::currentMSecsSinceEpoch())
                                     : QString();
        }
        return {};
    case Qt::ForegroundRole:
        if (index.column() == StatusColumn && !p.is_paused)
            return onlineColour(row.status == "READY");
        return {};
    case Qt::ToolTipRole:
        if (index.column() == HeartbeatColumn && row.lastHeartbeat)
            return formatTimestamp(*row.lastHeartbeat / 1000);
        if (index.column() == NameColumn && !p.description.empty())
            return QString::fromStdString(p.description);
        return {};
    case PoolNameRole:
        return QString::fromStdString(p.name);
    case OnlineRole:
        return row.workersOnline > 0;
    }
    return {};
}

QVariant WorkPoolListModel::headerData(int section, Qt::Orientation orientation, int role) const {
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole) return {};
    switch (section) {
    case NameColumn:
        return tr("Work pool");
    case TypeColumn:
        return tr("Type");
    case StatusColumn:
        return tr("Status");
    case ConcurrencyColumn:
        return tr("Concurrency");
    case WorkersColumn:
        return tr("Workers");
    case HeartbeatColumn:
        return tr("Last heartbeat");
    }
    return {};
}

} // namespace weft::studio
