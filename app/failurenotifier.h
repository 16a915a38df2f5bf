#pragma once
// A tray notification when a flow run fails or crashes (can be turned off in the View menu); one
// per connection, all through the application's one tray icon.
#include "backend/backend.h"

#include <QObject>

class QSystemTrayIcon;

namespace weft::studio {

class FailureNotifier : public QObject {
    Q_OBJECT
public:
    FailureNotifier(Backend* backend, QObject* parent);
    void setEnabled(bool on);
    bool isEnabled() const { return m_enabled; }
    int notified() const { return m_notified; }
    /// The connection's name, in front of the notification's title; empty: none.
    void setSourceName(const QString& name) { m_source = name; }

Q_SIGNALS:
    void runFailed(const QString& flowRunId, const QString& message);

private:
    void onEvents(const EventBatch& batch);
    static QSystemTrayIcon* sharedTray();

    Backend* m_backend;
    QSystemTrayIcon* m_tray = nullptr; // shared by every notifier, owned by the application
    QString m_source;
    bool m_enabled = true;
    int m_notified = 0;
};

} // namespace weft::studio
