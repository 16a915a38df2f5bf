#include "flowspage.h"

#include "runs/errorpanel.h"
#include "runs/flowlistmodel.h"
#include "runs/statebadgedelegate.h"

#include <QHeaderView>
#include <QLabel>
#include <QMenu>
#include <QTableView>
#include <QVBoxLayout>

namespace weft::studio {

FlowsPage::FlowsPage(Backend* backend, QWidget* parent)
    : QWidget(parent)
    , m_model(new FlowListModel(backend, this))
    , m_table(new QTableView(this)) {
    auto* layout = new QVBoxLayout(this);
    layout->addWidget(new QLabel(tr("<h2>Flows</h2>"), this));
    m_table->setModel(m_model);
    auto* error = new ErrorPanel(m_table);
    connect(m_model, &FlowListModel::errorChanged, error, &ErrorPanel::setError);
    connect(error, &ErrorPanel::retryRequested, m_model, &FlowListModel::refresh);
    m_table->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_table->setSelectionMode(QAbstractItemView::SingleSelection);
    m_table->verticalHeader()->hide();
    // The whole width: figures fit their contents, the flow names take the rest.
    m_table->horizontalHeader()->setSectionResizeMode(QHeaderView::ResizeToContents);
    m_table->horizontalHeader()->setSectionResizeMode(FlowListModel::NameColumn,
                                                      QHeaderView::Stretch);
    m_table->setAlternatingRowColors(true);
    m_table->setContextMenuPolicy(Qt::CustomContextMenu);
    auto* badge = new StateBadgeDelegate(m_table);
    badge->setRoles(FlowListModel::StateTypeRole, FlowListModel::StateNameRole);
    m_table->setItemDelegateForColumn(FlowListModel::LatestStateColumn, badge);
    layout->addWidget(m_table);
    layout->addWidget(new QLabel(tr("Double-click a flow to see its runs."), this));
    connect(m_table, &QTableView::activated, this, [this](const QModelIndex& index) {
        Q_EMIT showRunsOf(index.siblingAtColumn(0).data(FlowListModel::FlowNameRole).toString());
    });
    connect(m_table, &QTableView::customContextMenuRequested, this, [this](const QPoint& pos) {
        const QModelIndex index = m_table->indexAt(pos);
        if (!index.isValid()) return;
        QMenu menu(this);
        const QString flow = index.siblingAtColumn(0).data(FlowListModel::FlowNameRole).toString();
        const QString latest =
            index.siblingAtColumn(0).data(FlowListModel::LatestRunIdRole).toString();
        menu.addAction(tr("Show runs of %1").arg(flow), this,
                       [this, flow] { Q_EMIT showRunsOf(flow); });
        if (!latest.isEmpty()) {
            menu.addAction(tr("Open the latest run"), this,
                           [this, latest] { Q_EMIT openRun(latest); });
            menu.addAction(tr("Run again with parameters…"), this,
                           [this, latest] { Q_EMIT runAgain(latest); });
        }
        menu.exec(m_table->viewport()->mapToGlobal(pos));
    });
}

} // namespace weft::studio
