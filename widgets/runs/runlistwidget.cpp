#include "runs/runlistwidget.h"

#include "runs/errorpanel.h"

#include "runs/filterbar.h"
#include "runs/flowlistmodel.h"
#include "runs/flowrunlistmodel.h"
#include "runs/statebadgedelegate.h"

#include <QHBoxLayout>
#include <QHeaderView>
#include <QItemSelectionModel>
#include <QLabel>
#include <QLocale>
#include <QShortcut>
#include <QTableView>
#include <QVBoxLayout>

namespace weft::studio {

using namespace flowruns;

RunListWidget::RunListWidget(Backend* backend, QWidget* parent)
    : QWidget(parent)
    , m_model(new FlowRunListModel(backend, this))
    , m_flows(new FlowListModel(backend, this))
    , m_filterBar(new FilterBar(this))
    , m_table(new QTableView(this))
    , m_count(new QLabel(this)) {
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(6, 6, 6, 6);
    auto* top = new QHBoxLayout;
    top->addWidget(m_filterBar, 1);
    m_count->setMinimumWidth(
        m_count->fontMetrics().horizontalAdvance(QStringLiteral("10,000,000 runs")));
    m_count->setAlignment(Qt::AlignRight | Qt::AlignVCenter);
    top->addWidget(m_count);
    layout->addLayout(top);
    layout->addWidget(m_table, 1);

    m_filterBar->setFlowModel(m_flows);
    connect(m_filterBar, &FilterBar::filterChanged, m_model, &FlowRunListModel::setFilter);

    m_table->setModel(m_model);
    auto* error = new ErrorPanel(m_table);
    connect(m_model, &FlowRunListModel::errorChanged, error, &ErrorPanel::setError);
    connect(error, &ErrorPanel::retryRequested, m_model, &FlowRunListModel::retry);
    m_table->setItemDelegateForColumn(StateColumn, new StateBadgeDelegate(m_table));
    m_table->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_table->setSelectionMode(QAbstractItemView::ExtendedSelection);
    m_table->setEditTriggers(QAbstractItemView::NoEditTriggers);
    m_table->setTextElideMode(Qt::ElideRight);
    m_table->setWordWrap(false);
    m_table->setShowGrid(false);
    m_table->setAlternatingRowColors(true);
    m_table->setVerticalScrollMode(QAbstractItemView::ScrollPerPixel);
    m_table->setContextMenuPolicy(Qt::CustomContextMenu);
    // A million rows of one height: the header keeps no per-row sizes.
    QHeaderView* rows = m_table->verticalHeader();
    rows->setVisible(false);
    rows->setSectionResizeMode(QHeaderView::Fixed);
    rows->setDefaultSectionSize(fontMetrics().height() + 10);
    QHeaderView* header = m_table->horizontalHeader();
    header->setHighlightSections(false);
    header->setStretchLastSection(true);
    header->setSectionsClickable(true);
    header->setSortIndicatorShown(true);
    header->setSortIndicator(m_model->sortColumn(), m_model->sortOrder());
    // Wide enough for the usual contents: a "Cancelling" badge, a full timestamp, "23 h 59 min".
    const QFontMetrics fm = fontMetrics();
    auto width = [&fm](const char* sample) {
        return fm.horizontalAdvance(QString::fromUtf8(sample)) + 28;
    };
    const int widths[] = {width("Cancelling") + 12,  width("backfill-nightly"),
                          width("run-0123456789ab"), width("2026-11-25 14:03:07"),
                          width("23 h 59 min"),      width("prod, nightly")};
    for (int c = 0; c < int(std::size(widths)); ++c)
        header->resizeSection(c, widths[c]);
    connect(header, &QHeaderView::sortIndicatorChanged, this,
            &RunListWidget::onSortIndicatorChanged);

    connect(m_table, &QTableView::activated, this, [this](const QModelIndex& index) {
        const QString id = index.data(IdRole).toString();
        if (!id.isEmpty()) Q_EMIT runActivated(id);
    });
    connect(m_table->selectionModel(), &QItemSelectionModel::selectionChanged, this,
            [this] { Q_EMIT selectionChanged(selectedRunIds()); });
    connect(m_table, &QTableView::customContextMenuRequested, this, [this](const QPoint& pos) {
        const QModelIndex index = m_table->indexAt(pos);
        if (index.isValid() && !m_table->selectionModel()->isRowSelected(index.row(), {}))
            m_table->selectionModel()->select(index, QItemSelectionModel::ClearAndSelect
                                                         | QItemSelectionModel::Rows);
        const QStringList ids = selectedRunIds();
        if (!ids.isEmpty()) Q_EMIT contextMenuRequested(ids, m_table->viewport()->mapToGlobal(pos));
    });

    auto* find = new QShortcut(QKeySequence::Find, this, m_filterBar, &FilterBar::focusSearch);
    find->setContext(Qt::WidgetWithChildrenShortcut);

    connect(m_model, &FlowRunListModel::totalCountChanged, this, &RunListWidget::updateCount);
    updateCount();
}

void RunListWidget::onSortIndicatorChanged(int column, Qt::SortOrder order) {
    if (!m_model->canSort(column)) {
        // Tags and parameters have no order in the store, and a server knows fewer orders: keep
        // showing the current one.
        QSignalBlocker block(m_table->horizontalHeader());
        m_table->horizontalHeader()->setSortIndicator(m_model->sortColumn(), m_model->sortOrder());
        return;
    }
    m_model->sort(column, order);
}

QStringList RunListWidget::selectedRunIds() const {
    QStringList ids;
    const QItemSelection selection = m_table->selectionModel()->selection();
    for (const QItemSelectionRange& range : selection)
        ids << m_model->runIds(range.top(), range.bottom());
    ids.removeDuplicates();
    return ids;
}

void RunListWidget::setFilter(const FlowRunFilter& filter) {
    m_filterBar->setFilter(filter);
}

QString RunListWidget::countText() const {
    return m_count->text();
}

void RunListWidget::updateCount() {
    const qint64 n = m_model->totalCount();
    m_count->setText(n < 0    ? tr("Counting…")
                     : n == 1 ? tr("1 run")
                              : tr("%1 runs").arg(QLocale().toString(n)));
}

} // namespace weft::studio
