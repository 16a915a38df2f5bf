#include "deployments/listtable.h"

#include <QHeaderView>
#include <QStyledItemDelegate>
#include <QTableView>

namespace weft::studio {

namespace {
// Columns sized to their text would touch each other: each cell asks for some room beside it.
class RoomyDelegate : public QStyledItemDelegate {
public:
    using QStyledItemDelegate::QStyledItemDelegate;
    QSize sizeHint(const QStyleOptionViewItem& option, const QModelIndex& index) const override {
        return QStyledItemDelegate::sizeHint(option, index) + QSize(kRoom, 0);
    }

private:
    static constexpr int kRoom = 16;
};
} // namespace

QTableView* makeListTable(QAbstractItemModel* model, QWidget* parent) {
    auto* table = new QTableView(parent);
    table->setModel(model);
    table->setItemDelegate(new RoomyDelegate(table));
    table->setSelectionBehavior(QAbstractItemView::SelectRows);
    table->setSelectionMode(QAbstractItemView::SingleSelection);
    table->verticalHeader()->hide();
    table->setAlternatingRowColors(true);
    table->setWordWrap(false);
    // Sized by the header as rows change, not by resizeColumnsToContents() after a refresh:
    // that sizes the last column to its text too and undoes the stretch until the next resize.
    QHeaderView* header = table->horizontalHeader();
    header->setSectionResizeMode(QHeaderView::ResizeToContents);
    header->setStretchLastSection(true);
    header->setHighlightSections(false); // a selected row would make every title bold
    return table;
}

} // namespace weft::studio
