#pragma once
// The Work pools page: the pools (status, concurrency, workers online, newest heartbeat) and the
// workers of the selected pool, "12 s ago" and online in green, offline in red.
#include "backend/backend.h"

#include <QWidget>

class QLabel;
class QTableView;

namespace weft::studio {

class WorkPoolListModel;
class WorkerListModel;

class WorkPoolsPage : public QWidget {
    Q_OBJECT
public:
    explicit WorkPoolsPage(Backend* backend, QWidget* parent = nullptr);

    WorkPoolListModel* pools() const { return m_pools; }
    WorkerListModel* workers() const { return m_workers; }
    QTableView* poolTable() const { return m_poolTable; }
    QTableView* workerTable() const { return m_workerTable; }

private:
    void poolSelected();
    void updateStatus();

    WorkPoolListModel* m_pools;
    WorkerListModel* m_workers;
    QTableView* m_poolTable;
    QTableView* m_workerTable;
    QLabel* m_status;
    QLabel* m_workersTitle;
    QString m_keepSelected; // across a reset of the pools
};

} // namespace weft::studio
