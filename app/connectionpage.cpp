#include "connectionpage.h"

#include "connection.h"

#include <QLabel>
#include <QPushButton>
#include <QVBoxLayout>

namespace weft::studio {

ConnectionPage::ConnectionPage(Connection* connection, QWidget* parent)
    : QWidget(parent)
    , m_connection(connection)
    , m_title(new QLabel(this))
    , m_detail(new QLabel(this))
    , m_again(new QPushButton(tr("Try again"), this)) {
    setObjectName(QStringLiteral("connectionPage"));
    auto* layout = new QVBoxLayout(this);
    layout->addStretch(1);
    QFont big = m_title->font();
    big.setPointSizeF(big.pointSizeF() * 1.3);
    big.setBold(true);
    m_title->setFont(big);
    m_title->setAlignment(Qt::AlignCenter);
    m_detail->setAlignment(Qt::AlignCenter);
    m_detail->setWordWrap(true);
    m_detail->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_again->setObjectName(QStringLiteral("tryAgain"));
    layout->addWidget(m_title);
    layout->addWidget(m_detail);
    layout->addWidget(m_again, 0, Qt::AlignCenter);
    layout->addStretch(2);
    connect(m_again, &QPushButton::clicked, connection, &Connection::activate);
    connect(connection, &Connection::statusChanged, this, &ConnectionPage::update);
    update();
}

void ConnectionPage::update() {
    const ConnectionHealth h = m_connection->status();
    const bool waiting = h == ConnectionHealth::Connecting || h == ConnectionHealth::NotConnected;
    m_title->setText(waiting ? tr("Connecting to %1…").arg(m_connection->name())
                             : tr("%1: %2").arg(m_connection->name(), healthText(h)));
    QString detail = m_connection->location();
    if (!m_connection->statusDetail().isEmpty())
        detail += QStringLiteral("\n\n") + m_connection->statusDetail();
    if (h == ConnectionHealth::Reconnecting)
        detail += QStringLiteral("\n\n") + tr("Studio keeps trying, waiting longer each time.");
    m_detail->setText(detail);
    m_again->setVisible(!waiting);
}

} // namespace weft::studio
