#include "deployments/deploymentlistmodel.h"

#include "deployments/scheduleformat.h"
#include "runs/runformat.h"

#include <QDateTime>
#include <QStringList>

namespace weft::studio {

DeploymentListModel::DeploymentListModel(Backend* backend, QObject* parent)
    : BackendListModel(backend, parent) {
    if (backend->isOpen()) refresh();
}

void DeploymentListModel::fetch(quint64 generation) {
    backend()->fetchDeployments(this, [this, generation](Result<std::vector<DeploymentInfo>> r) {
        if (!isCurrent(generation)) return;
        if (!r) return fail(tr("couldn't load deployments: %1").arg(r.error()));
        replaceRows(m_rows, std::move(*r), [](const DeploymentInfo& d) { return d.deployment.id; });
    });
}

int DeploymentListModel::rowCount(const QModelIndex& parent) const {
    return parent.isValid() ? 0 : int(m_rows.size());
}

const DeploymentInfo* DeploymentListModel::deployment(int row) const {
    return row >= 0 && row < int(m_rows.size()) ? &m_rows[size_t(row)] : nullptr;
}

int DeploymentListModel::rowOf(const std::string& id) const {
    for (std::size_t i = 0; i < m_rows.size(); ++i)
        if (m_rows[i].deployment.id == id) return int(i);
    return -1;
}

QVariant DeploymentListModel::data(const QModelIndex& index, int role) const {
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid))
        return {};
    const DeploymentInfo& row = m_rows[size_t(index.row())];
    const weft::DeploymentRecord& d = row.deployment;
    switch (role) {
    case Qt::DisplayRole:
        switch (index.column()) {
        case NameColumn:
            return QString::fromStdString(d.name);
        case FlowColumn:
            return QString::fromStdString(row.flowName.empty() ? d.flow_id : row.flowName);
        case ScheduleColumn:
            return schedulesInWords(d.schedules);
        case PausedColumn:
            return d.paused ? tr("Paused") : tr("Active");
        case PoolColumn:
            return QString::fromStdString(d.work_pool_name);
        case NextRunColumn:
            return row.nextRun
                       ? formatRelative(*row.nextRun / 1000, QDateTime::currentMSecsSinceEpoch())
                       : QString();
        case TagsColumn: {
            QStringList tags;
            for (const auto& t : d.tags)
                tags << QString::fromStdString(t);
            return tags.join(QStringLiteral(", "));
        }
        }
        return {};
    case Qt::ToolTipRole:
        if (index.column() == NextRunColumn && row.nextRun)
            return formatTimestamp(*row.nextRun / 1000);
        if (index.column() == NameColumn && !d.description.empty())
            return QString::fromStdString(d.description);
        return {};
    case DeploymentIdRole:
        return QString::fromStdString(d.id);
    case PausedRole:
        return d.paused;
    case NextRunRole:
        return row.nextRun ? QVariant(qint64(*row.nextRun / 1000)) : QVariant();
    }
    return {};
}

QVariant DeploymentListModel::headerData(int section, Qt::Orientation orientation, int role) const {
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole) return {};
    switch (section) {
    case NameColumn:
        return tr("Deployment");
    case FlowColumn:
        return tr("Flow");
    case ScheduleColumn:
        return tr("Schedule");
    case PausedColumn:
        return tr("State");
    case PoolColumn:
        return tr("Work pool");
    case NextRunColumn:
        return tr("Next run");
    case TagsColumn:
        return tr("Tags");
    }
    return {};
}

} // namespace weft::studio
