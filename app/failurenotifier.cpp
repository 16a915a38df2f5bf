#include "failurenotifier.h"

#include <QIcon>
#include <QSystemTrayIcon>

namespace weft::studio {

FailureNotifier::FailureNotifier(Backend* backend, QObject* parent)
    : QObject(parent)
    , m_backend(backend) {
    connect(backend, &Backend::eventsArrived, this, &FailureNotifier::onEvents);
    if (QSystemTrayIcon::isSystemTrayAvailable()) {
        m_tray = new QSystemTrayIcon(QIcon(QStringLiteral(":/weft/icons/weft.svg")), this);
        m_tray->setToolTip(tr("Weft Studio"));
        m_tray->show();
    }
}

void FailureNotifier::setEnabled(bool on) {
    m_enabled = on;
}

void FailureNotifier::onEvents(const EventBatch& batch) {
    if (!m_enabled) return;
    int failures = 0;
    QString last;
    for (const auto& e : *batch) {
        if (e.kind != weft::EventKind::FlowRunState || !e.state) continue;
        if (e.state->type != weft::StateType::Failed && e.state->type != weft::StateType::Crashed)
            continue;
        ++failures;
        last = QString::fromStdString(e.state->message);
        Q_EMIT runFailed(QString::fromStdString(e.run_id), last);
    }
    if (failures == 0) return;
    m_notified += failures;
    if (m_tray)
        m_tray->showMessage(tr("%n flow run(s) failed", nullptr, failures), last.left(200),
                            QSystemTrayIcon::Warning, 6000);
}

} // namespace weft::studio
