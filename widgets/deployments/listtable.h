#pragma once
// The tables of the Deployments and Work pools pages: whole rows selected one at a time, no row
// numbers, each column as wide as its text and the last one taking the width that is left.
class QAbstractItemModel;
class QTableView;
class QWidget;

namespace weft::studio {

/// A table over `model` (a short list: columns are sized to all of their cells).
QTableView* makeListTable(QAbstractItemModel* model, QWidget* parent);

} // namespace weft::studio
