#pragma once
// Paints a sidebar row: the kind of connection (local database or server) as an icon, its name,
// and below it the health in its colour ("● connected", "● reconnecting").
#include <QStyledItemDelegate>

namespace weft::studio {

class SidebarDelegate : public QStyledItemDelegate {
    Q_OBJECT
public:
    using QStyledItemDelegate::QStyledItemDelegate;
    void paint(QPainter* painter, const QStyleOptionViewItem& option,
               const QModelIndex& index) const override;
    QSize sizeHint(const QStyleOptionViewItem& option, const QModelIndex& index) const override;
};

} // namespace weft::studio
