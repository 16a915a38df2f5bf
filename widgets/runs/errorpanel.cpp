#include "runs/errorpanel.h"

#include <QEvent>
#include <QLabel>
#include <QPushButton>
#include <QVBoxLayout>

namespace weft::studio {

ErrorPanel::ErrorPanel(QWidget* host)
    : QFrame(host)
    , m_text(new QLabel(this))
    , m_retry(new QPushButton(tr("Retry"), this)) {
    setObjectName(QStringLiteral("errorPanel"));
    setAutoFillBackground(true); // hides what the view showed before the error
    auto* layout = new QVBoxLayout(this);
    layout->addStretch(1);
    m_text->setObjectName(QStringLiteral("errorText"));
    m_text->setWordWrap(true);
    m_text->setAlignment(Qt::AlignCenter);
    m_text->setTextInteractionFlags(Qt::TextSelectableByMouse);
    QPalette p = m_text->palette();
    p.setColor(QPalette::WindowText, QColor(0xd9, 0x53, 0x4f));
    m_text->setPalette(p);
    layout->addWidget(m_text);
    m_retry->setObjectName(QStringLiteral("errorRetry"));
    layout->addWidget(m_retry, 0, Qt::AlignHCenter);
    layout->addStretch(1);
    connect(m_retry, &QPushButton::clicked, this, &ErrorPanel::retryRequested);
    host->installEventFilter(this);
    hide();
}

void ErrorPanel::setError(const QString& error) {
    m_error = error;
    m_text->setText(error);
    setVisible(!error.isEmpty());
    if (!error.isEmpty()) {
        setGeometry(parentWidget()->rect());
        raise();
    }
}

bool ErrorPanel::eventFilter(QObject* watched, QEvent* event) {
    if (watched == parentWidget() && event->type() == QEvent::Resize)
        setGeometry(parentWidget()->rect());
    return QFrame::eventFilter(watched, event);
}

} // namespace weft::studio
