#include "sidebardelegate.h"

#include "connections/connectionhealth.h"
#include "sidebarmodel.h"

#include <QApplication>
#include <QPainter>

namespace weft::studio {

namespace {
constexpr int kPad = 6;
constexpr int kIcon = 20;
} // namespace

QSize SidebarDelegate::sizeHint(const QStyleOptionViewItem& option, const QModelIndex&) const {
    const QFontMetrics fm(option.font);
    return {140, 2 * fm.height() + 2 * kPad};
}

void SidebarDelegate::paint(QPainter* painter, const QStyleOptionViewItem& option,
                            const QModelIndex& index) const {
    QStyleOptionViewItem opt = option;
    initStyleOption(&opt, index);
    // The selection background as the style draws it, without its text and icon.
    opt.text.clear();
    opt.icon = QIcon();
    QStyle* style = opt.widget ? opt.widget->style() : QApplication::style();
    style->drawControl(QStyle::CE_ItemViewItem, &opt, painter, opt.widget);

    const bool selected = option.state & QStyle::State_Selected;
    const QPalette::ColorRole textRole = selected ? QPalette::HighlightedText : QPalette::Text;
    const auto health = index.data(SidebarModel::HealthRole).value<ConnectionHealth>();
    const bool server = index.data(SidebarModel::IsServerRole).toBool();
    const QRect r = option.rect.adjusted(kPad, kPad, -kPad, -kPad);
    const QFontMetrics fm(option.font);

    painter->save();
    const QIcon kind = style->standardIcon(
        server ? QStyle::SP_DriveNetIcon : QStyle::SP_DriveHDIcon, nullptr, opt.widget);
    const QRect iconRect(r.left(), r.top() + (r.height() - kIcon) / 2, kIcon, kIcon);
    kind.paint(painter, iconRect);

    const int textLeft = iconRect.right() + kPad + 2;
    const QRect nameRect(textLeft, r.top(), r.right() - textLeft, fm.height());
    painter->setPen(option.palette.color(QPalette::Active, textRole));
    painter->drawText(nameRect, Qt::AlignLeft | Qt::AlignVCenter,
                      fm.elidedText(index.data().toString(), Qt::ElideRight, nameRect.width()));

    QFont small = option.font;
    small.setPointSizeF(small.pointSizeF() * 0.88);
    painter->setFont(small);
    const QFontMetrics sfm(small);
    const int dot = sfm.height() / 2;
    const QRect stateRect(textLeft, r.top() + fm.height(), nameRect.width(), fm.height());
    painter->setRenderHint(QPainter::Antialiasing);
    painter->setPen(Qt::NoPen);
    painter->setBrush(healthColor(health));
    painter->drawEllipse(QRect(stateRect.left(), stateRect.center().y() - dot / 2, dot, dot));
    QColor stateText = option.palette.color(QPalette::Active, textRole);
    if (!selected) stateText = option.palette.color(QPalette::PlaceholderText);
    painter->setPen(stateText);
    painter->drawText(
        stateRect.adjusted(dot + 4, 0, 0, 0), Qt::AlignLeft | Qt::AlignVCenter,
        sfm.elidedText(healthText(health), Qt::ElideRight, stateRect.width() - dot - 4));
    painter->restore();
}

} // namespace weft::studio
