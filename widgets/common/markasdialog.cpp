#include "common/markasdialog.h"

#include "common/statepalette.h"

#include <QComboBox>
#include <QDialogButtonBox>
#include <QFormLayout>
#include <QLineEdit>
#include <QPainter>
#include <QPixmap>
#include <QPushButton>

namespace weft::studio {

namespace {
QIcon swatch(weft::StateType type) {
    QPixmap pm(14, 14);
    pm.fill(Qt::transparent);
    QPainter p(&pm);
    p.setRenderHint(QPainter::Antialiasing);
    p.setBrush(stateColor(type));
    p.setPen(Qt::NoPen);
    p.drawRoundedRect(QRectF(1, 1, 12, 12), 3, 3);
    return QIcon(pm);
}
} // namespace

MarkAsDialog::MarkAsDialog(const QString& title, QWidget* parent)
    : QDialog(parent) {
    setWindowTitle(title);
    auto* form = new QFormLayout(this);
    m_type = new QComboBox(this);
    for (auto type :
         {weft::StateType::Completed, weft::StateType::Failed, weft::StateType::Crashed,
          weft::StateType::Cancelled, weft::StateType::Scheduled, weft::StateType::Paused,
          weft::StateType::Pending, weft::StateType::Running, weft::StateType::Cancelling})
        m_type->addItem(swatch(type), stateTypeLabel(type), int(type));
    m_name = new QLineEdit(this);
    m_name->setPlaceholderText(tr("the type's name"));
    m_message = new QLineEdit(this);
    m_message->setPlaceholderText(tr("why (kept in the state history)"));
    form->addRow(tr("State"), m_type);
    form->addRow(tr("Name"), m_name);
    form->addRow(tr("Message"), m_message);
    auto* buttons = new QDialogButtonBox(QDialogButtonBox::Ok | QDialogButtonBox::Cancel, this);
    buttons->button(QDialogButtonBox::Ok)->setText(tr("Mark"));
    form->addRow(buttons);
    connect(buttons, &QDialogButtonBox::accepted, this, &QDialog::accept);
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
}

void MarkAsDialog::setType(weft::StateType type) {
    m_type->setCurrentIndex(m_type->findData(int(type)));
}

weft::State MarkAsDialog::state() const {
    const auto type = static_cast<weft::StateType>(m_type->currentData().toInt());
    const QString message = m_message->text().trimmed();
    weft::State s = weft::make_state(
        type, m_name->text().trimmed().toStdString(),
        message.isEmpty() ? tr("Marked from Weft Studio.").toStdString() : message.toStdString());
    if (type == weft::StateType::Scheduled)
        s.details = {{"scheduled_time", weft::to_iso(s.timestamp)}};
    return s;
}

} // namespace weft::studio
