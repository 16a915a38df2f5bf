#include "failurenotifier.h"

#include <QCoreApplication>
#include <QIcon>
#include <QPointer>
#include <QSystemTrayIcon>

namespace weft::studio {

FailureNotifier::FailureNotifier(Backend* backend, QObject* parent)
    : QObject(parent)
    , m_backend(backend) {
    connect(backend, &Backend::eventsArrived, this, &FailureNotifier::onEvents);
    m_tray = sharedTray();
}

QSystemTrayIcon* FailureNotifier::sharedTray() {
    // One icon for the application, however many connections notify through it.
    static QPointer<QSystemTrayIcon> tray;
    if (!tray && QSystemTrayIcon::isSystemTrayAvailable() && QCoreApplication::instance()) {
        tray = new QSystemTrayIcon(QIcon(QStringLiteral(":/weft/icons/weft.svg")),
                                   QCoreApplication::instance());
        tray->setToolTip(tr("Weft Studio"));
        tray->show();
    }
    return tray;
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
        m_tray->showMessage(m_source.isEmpty()
                                ? tr("%n flow run(s) failed", nullptr, failures)
                                : tr("%1: %n flow run(s) failed", nullptr, failures).arg(m_source),
                            last.left(200), QSystemTrayIcon::Warning, 6000);
}

} // namespace weft::studio
