#include "runs/taskruntable.h"

#include "runs/errorpanel.h"
#include "runs/statebadgedelegate.h"
#include "runs/taskrunmodel.h"

#include <QHeaderView>
#include <QSortFilterProxyModel>
#include <algorithm>

namespace weft::studio {

using namespace taskruns;

namespace {
// Sorts by what the cells mean (times, counts, states), not by their text.
class TaskRunSortProxy : public QSortFilterProxyModel {
public:
    using QSortFilterProxyModel::QSortFilterProxyModel;

protected:
    bool lessThan(const QModelIndex& a, const QModelIndex& b) const override {
        auto role = [&] {
            switch (a.column()) {
            case StateColumn:
                return int(StateTypeRole);
            case AttemptsColumn:
                return int(RunCountRole);
            case StartColumn:
                return int(StartTimeRole);
            case RunTimeColumn:
                return int(RunTimeRole);
            case WallTimeColumn:
                return int(WallTimeRole);
            default:
                return int(Qt::DisplayRole);
            }
        }();
        const QVariant va = a.data(role), vb = b.data(role);
        if (role == RunTimeRole || role == WallTimeRole) return va.toDouble() < vb.toDouble();
        if (role != Qt::DisplayRole) return va.toLongLong() < vb.toLongLong();
        return QString::localeAwareCompare(va.toString(), vb.toString()) < 0;
    }
};
} // namespace

TaskRunTable::TaskRunTable(Backend* backend, QWidget* parent)
    : QTableView(parent)
    , m_model(new TaskRunModel(backend, this))
    , m_proxy(new TaskRunSortProxy(this))
    , m_error(new ErrorPanel(this)) {
    connect(m_model, &TaskRunModel::errorChanged, m_error, &ErrorPanel::setError);
    connect(m_error, &ErrorPanel::retryRequested, m_model, &TaskRunModel::refresh);
    m_proxy->setSourceModel(m_model);
    setModel(m_proxy);
    auto* badges = new StateBadgeDelegate(this);
    badges->setRoles(StateTypeRole, StateNameRole, IsPlaceholderRole);
    setItemDelegateForColumn(StateColumn, badges);
    setSelectionBehavior(QAbstractItemView::SelectRows);
    setSelectionMode(QAbstractItemView::ExtendedSelection);
    setEditTriggers(QAbstractItemView::NoEditTriggers);
    setTextElideMode(Qt::ElideRight);
    setWordWrap(false);
    setShowGrid(false);
    setAlternatingRowColors(true);
    setContextMenuPolicy(Qt::CustomContextMenu);
    verticalHeader()->setVisible(false);
    verticalHeader()->setSectionResizeMode(QHeaderView::Fixed);
    verticalHeader()->setDefaultSectionSize(fontMetrics().height() + 10);
    horizontalHeader()->setStretchLastSection(true);
    horizontalHeader()->setHighlightSections(false);
    const QFontMetrics fm = fontMetrics();
    auto width = [&fm](const char* sample) {
        return fm.horizontalAdvance(QString::fromUtf8(sample)) + 28;
    };
    const int widths[] = {width("Cancelling") + 12,
                          width("transform-1234"),
                          width("Attempts"),
                          width("2026-11-25 14:03:07.123"),
                          width("23 h 59 min"),
                          width("23 h 59 min"),
                          width("ValueError: division by zero"),
                          width("0123456789abcdef"),
                          width("extract-0, load-0")};
    for (int c = 0; c < int(std::size(widths)); ++c)
        horizontalHeader()->resizeSection(c, widths[c]);
    // Task names are often longer than the sample ("station_region-0@summarize-1"): the first
    // rows widen the name column to them, once, so that a width the user chose stays.
    connect(m_proxy, &QAbstractItemModel::rowsInserted, this, &TaskRunTable::fitNames);
    connect(m_proxy, &QAbstractItemModel::modelReset, this, &TaskRunTable::fitNames);
    setSortingEnabled(true);
    sortByColumn(StartColumn, Qt::AscendingOrder);

    connect(this, &QTableView::activated, this, [this](const QModelIndex& index) {
        const QString id = index.data(IdRole).toString();
        if (!id.isEmpty()) Q_EMIT taskRunActivated(id);
    });
    connect(this, &QTableView::customContextMenuRequested, this, [this](const QPoint& pos) {
        const QModelIndex index = indexAt(pos);
        if (!index.isValid()) return;
        selectionModel()->setCurrentIndex(index, QItemSelectionModel::ClearAndSelect
                                                     | QItemSelectionModel::Rows);
        Q_EMIT contextMenuRequested(index.data(IdRole).toString(), viewport()->mapToGlobal(pos));
    });
}

void TaskRunTable::fitNames() {
    if (m_namesFitted || m_proxy->rowCount() == 0) return;
    m_namesFitted = true;
    constexpr int kMostPx = 360; // a very long name is cut rather than push the others out
    QHeaderView* header = horizontalHeader();
    const int wanted = std::min(sizeHintForColumn(NameColumn), kMostPx);
    if (wanted > header->sectionSize(NameColumn)) header->resizeSection(NameColumn, wanted);
}

void TaskRunTable::setFlowRun(const QString& flowRunId) {
    m_model->setFlowRun(flowRunId);
}

QString TaskRunTable::taskRunIdAt(int viewRow) const {
    return m_proxy->index(viewRow, 0).data(IdRole).toString();
}

QString TaskRunTable::currentTaskRunId() const {
    return currentIndex().data(IdRole).toString();
}

} // namespace weft::studio
