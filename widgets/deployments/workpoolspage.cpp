#include "deployments/workpoolspage.h"

#include "deployments/listtable.h"
#include "deployments/workerlistmodel.h"
#include "deployments/workpoollistmodel.h"

#include <QLabel>
#include <QSplitter>
#include <QTableView>
#include <QVBoxLayout>

namespace weft::studio {

WorkPoolsPage::WorkPoolsPage(Backend* backend, QWidget* parent)
    : QWidget(parent)
    , m_pools(new WorkPoolListModel(backend, this))
    , m_workers(new WorkerListModel(backend, this)) {
    auto* layout = new QVBoxLayout(this);
    m_status = new QLabel(this);
    m_status->setObjectName(QStringLiteral("workPoolsStatus"));
    m_status->setWordWrap(true);
    layout->addWidget(m_status);

    auto* split = new QSplitter(Qt::Vertical, this);
    m_poolTable = makeListTable(m_pools, split);
    auto* lower = new QWidget(split);
    auto* lowerLayout = new QVBoxLayout(lower);
    lowerLayout->setContentsMargins(0, 0, 0, 0);
    m_workersTitle = new QLabel(lower);
    lowerLayout->addWidget(m_workersTitle);
    m_workerTable = makeListTable(m_workers, lower);
    lowerLayout->addWidget(m_workerTable, 1);
    split->addWidget(m_poolTable);
    split->addWidget(lower);
    layout->addWidget(split, 1);

    connect(m_poolTable->selectionModel(), &QItemSelectionModel::selectionChanged, this,
            &WorkPoolsPage::poolSelected);
    connect(m_pools, &QAbstractItemModel::modelAboutToBeReset, this, [this] {
        const auto rows = m_poolTable->selectionModel()->selectedRows();
        m_keepSelected = rows.isEmpty()
                             ? QString()
                             : rows.front().data(WorkPoolListModel::PoolNameRole).toString();
    });
    connect(m_pools, &WorkPoolListModel::refreshed, this, [this] {
        if (!m_poolTable->selectionModel()->hasSelection() && m_pools->rowCount() > 0) {
            int row = 0;
            for (int r = 0; r < m_pools->rowCount(); ++r)
                if (m_pools->index(r, 0).data(WorkPoolListModel::PoolNameRole) == m_keepSelected)
                    row = r;
            m_poolTable->selectRow(row);
        }
        updateStatus();
    });
    connect(m_workers, &WorkerListModel::refreshed, this, &WorkPoolsPage::updateStatus);
    poolSelected();
    updateStatus();
}

void WorkPoolsPage::poolSelected() {
    const auto rows = m_poolTable->selectionModel()->selectedRows();
    const QString pool =
        rows.isEmpty() ? QString() : rows.front().data(WorkPoolListModel::PoolNameRole).toString();
    m_workers->setPool(pool);
    m_workersTitle->setText(pool.isEmpty() ? tr("Workers") : tr("Workers of %1").arg(pool));
}

void WorkPoolsPage::updateStatus() {
    QString text = m_pools->errorString();
    if (text.isEmpty()) text = m_workers->errorString();
    if (text.isEmpty() && m_pools->rowCount() == 0)
        text = tr("No work pools. Make one with `weft work-pool create NAME` against a server, "
                  "and start a worker on it with `weft worker start --pool NAME`.");
    m_status->setText(text);
    m_status->setVisible(!text.isEmpty());
}

} // namespace weft::studio
