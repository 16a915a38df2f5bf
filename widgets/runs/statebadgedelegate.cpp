#include "runs/statebadgedelegate.h"

#include "common/statepalette.h"
#include "runs/flowrunroles.h"

#include <QApplication>
#include <QPainter>
#include <QPainterPath>

namespace weft::studio {

namespace {
constexpr int kPadX = 8;   // text to pill edge
constexpr int kMargin = 6; // pill to cell edge
} // namespace

StateBadgeDelegate::StateBadgeDelegate(QObject* parent)
    : QStyledItemDelegate(parent)
    , m_typeRole(flowruns::StateTypeRole)
    , m_nameRole(flowruns::StateNameRole)
    , m_placeholderRole(flowruns::IsPlaceholderRole) {}

void StateBadgeDelegate::setRoles(int stateTypeRole, int stateNameRole, int placeholderRole) {
    m_typeRole = stateTypeRole;
    m_nameRole = stateNameRole;
    m_placeholderRole = placeholderRole;
}

QRect StateBadgeDelegate::badgeRect(const QRect& cell, const QFontMetrics& fm,
                                    const QString& text) {
    const int h = std::min(cell.height() - 4, fm.height() + 4);
    // Rounded up: elidedText() compares the unrounded width, so a rounded-down one would elide.
    const int textWidth = fm.horizontalAdvance(text) + 2;
    const int w = std::min(cell.width() - 2 * kMargin, textWidth + 2 * kPadX);
    return {cell.left() + kMargin, cell.top() + (cell.height() - h) / 2, std::max(0, w), h};
}

void StateBadgeDelegate::paint(QPainter* painter, const QStyleOptionViewItem& option,
                               const QModelIndex& index) const {
    // Selection and hover backgrounds as the style draws them, without the cell's text.
    QStyleOptionViewItem opt = option;
    initStyleOption(&opt, index);
    opt.text.clear();
    opt.icon = {};
    const QWidget* widget = option.widget;
    QStyle* style = widget ? widget->style() : QApplication::style();
    style->drawControl(QStyle::CE_ItemViewItem, &opt, painter, widget);

    const QVariant type = index.data(m_typeRole);
    const bool dark = option.palette.color(QPalette::Window).lightnessF() < 0.5;
    painter->save();
    painter->setRenderHint(QPainter::Antialiasing);
    if (!type.isValid()) {
        // Not loaded yet: a faint pill where the badge will be.
        if (m_placeholderRole < 0 || index.data(m_placeholderRole).toBool()) {
            QColor c = option.palette.color(QPalette::Text);
            c.setAlphaF(0.10f);
            const QRect r = badgeRect(option.rect, option.fontMetrics, QStringLiteral("Completed"));
            painter->setPen(Qt::NoPen);
            painter->setBrush(c);
            painter->drawRoundedRect(QRectF(r), r.height() / 2.0, r.height() / 2.0);
        }
        painter->restore();
        return;
    }
    const auto state = weft::StateType(type.toInt());
    QString name = index.data(m_nameRole).toString();
    if (name.isEmpty()) name = stateTypeLabel(state);
    const QRect r = badgeRect(option.rect, option.fontMetrics, name);
    painter->setPen(Qt::NoPen);
    painter->setBrush(stateColor(state, dark));
    painter->drawRoundedRect(QRectF(r), r.height() / 2.0, r.height() / 2.0);
    painter->setPen(stateTextColor(state, dark));
    painter->setFont(option.font);
    const QString text = option.fontMetrics.elidedText(name, Qt::ElideRight, r.width() - 2 * kPadX);
    painter->drawText(r.adjusted(kPadX - 1, 0, -kPadX + 1, 0), Qt::AlignCenter, text);
    painter->restore();
}

QSize StateBadgeDelegate::sizeHint(const QStyleOptionViewItem& option,
                                   const QModelIndex& index) const {
    QString name = index.data(m_nameRole).toString();
    if (name.isEmpty()) name = QStringLiteral("Cancelling");
    return {option.fontMetrics.horizontalAdvance(name) + 2 * (kPadX + kMargin) + 2,
            option.fontMetrics.height() + 8};
}

} // namespace weft::studio
