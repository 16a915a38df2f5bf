#pragma once
// The Deployments page's table: each deployment's name, flow, schedules in words, whether it is
// paused, its pool, its next run and tags.
#include "deployments/backendlistmodel.h"

namespace weft::studio {

class DeploymentListModel : public BackendListModel {
    Q_OBJECT
public:
    enum Column {
        NameColumn,
        FlowColumn,
        ScheduleColumn,
        PausedColumn,
        PoolColumn,
        NextRunColumn,
        TagsColumn,
        ColumnCount
    };
    enum Roles {
        DeploymentIdRole = Qt::UserRole + 1, // QString
        PausedRole,                          // bool
        NextRunRole,                         // qint64 msecs; invalid when nothing waits
    };

    explicit DeploymentListModel(Backend* backend, QObject* parent = nullptr);

    int rowCount(const QModelIndex& parent = {}) const override;
    QVariant data(const QModelIndex& index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation,
                        int role = Qt::DisplayRole) const override;

    /// The deployment on `row`; nullptr out of range.
    const DeploymentInfo* deployment(int row) const;
    /// The row of the deployment `id`; -1 when absent.
    int rowOf(const std::string& id) const;

protected:
    void fetch(quint64 generation) override;
    int columns() const override { return ColumnCount; }
    std::vector<int> clockColumns() const override { return {NextRunColumn}; }

private:
    std::vector<DeploymentInfo> m_rows;
};

} // namespace weft::studio
