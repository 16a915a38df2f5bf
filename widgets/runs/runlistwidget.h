#pragma once
// The Runs page: a filter bar over a table of flow runs (lazy, sorted and filtered by the store,
// live), with a count. The main window adds the actions on the selection.
#include "runs/flowrunfilter.h"

#include <QWidget>

class QLabel;
class QTableView;

namespace weft::studio {

class Backend;
class FilterBar;
class FlowListModel;
class FlowRunListModel;

class RunListWidget : public QWidget {
    Q_OBJECT
public:
    explicit RunListWidget(Backend* backend, QWidget* parent = nullptr);

    FlowRunListModel* model() const { return m_model; }
    FlowListModel* flowModel() const { return m_flows; }
    FilterBar* filterBar() const { return m_filterBar; }
    QTableView* tableView() const { return m_table; }

    /// Ids of the selected runs whose rows are loaded (all of them unless a selection spans
    /// rows never scrolled to).
    QStringList selectedRunIds() const;
    void setFilter(const FlowRunFilter& filter);
    /// "1,000,000 runs".
    QString countText() const;

Q_SIGNALS:
    /// Double-click or Enter on a run: open its page.
    void runActivated(const QString& id);
    void selectionChanged(const QStringList& ids);
    /// Right-click: the selected runs (the clicked one is selected first).
    void contextMenuRequested(const QStringList& ids, const QPoint& globalPos);

private:
    void updateCount();
    void onSortIndicatorChanged(int column, Qt::SortOrder order);

    FlowRunListModel* m_model;
    FlowListModel* m_flows;
    FilterBar* m_filterBar;
    QTableView* m_table;
    QLabel* m_count;
};

} // namespace weft::studio
