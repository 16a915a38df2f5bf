#include "common/statebadge.h"

#include "common/statepalette.h"

#include <QPainter>

namespace weft::studio {

StateBadge::StateBadge(QWidget* parent)
    : QWidget(parent) {
    QFont f = font();
    f.setBold(true);
    setFont(f);
    setSizePolicy(QSizePolicy::Fixed, QSizePolicy::Fixed);
}

void StateBadge::setState(weft::StateType type, const QString& name) {
    m_type = type;
    m_name = name;
    updateGeometry();
    update();
}

QSize StateBadge::sizeHint() const {
    const QFontMetrics fm(font());
    return {fm.horizontalAdvance(m_name.isEmpty() ? QStringLiteral("Pending") : m_name) + 28,
            fm.height() + 10};
}

void StateBadge::paintEvent(QPaintEvent*) {
    QPainter p(this);
    p.setRenderHint(QPainter::Antialiasing);
    const bool dark = palette().color(QPalette::Window).lightnessF() < 0.5;
    const QRectF r = QRectF(rect()).adjusted(0.5, 0.5, -0.5, -0.5);
    p.setPen(Qt::NoPen);
    p.setBrush(stateColor(m_type, dark));
    p.drawRoundedRect(r, r.height() / 2, r.height() / 2);
    p.setPen(stateTextColor(m_type, dark));
    p.drawText(r, Qt::AlignCenter, m_name);
}

} // namespace weft::studio
