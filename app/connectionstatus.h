#pragma once
// How a connection is doing, as the sidebar and the status bar show it: one word, a colour and
// a round icon. The state is read from what a backend reports (its health errors, a failed open,
// the server's API version), never guessed from timing.
#include <QColor>
#include <QIcon>
#include <QString>

namespace weft::studio {

enum class ConnectionStatus {
    NotConnected, // not selected yet: no backend exists
    Connecting,   // opening, the first answer not in yet
    Connected,
    Reconnecting, // it answered before (or never did) and does not now: retried with backoff
    AuthFailed,   // the server answered 401 / 403
    Incompatible, // the server speaks an API version Studio cannot
    Failed,       // a local database that cannot be opened or read
};

/// The state an error of a remote backend means: 401 / 403 → AuthFailed, none → Connected, any
/// other failure (refused, timeout, 5xx, not JSON) → Reconnecting, as it is retried.
ConnectionStatus statusFromError(const QString& error);
/// "connected", "reconnecting", "auth failed", "incompatible version"…
QString statusWord(ConnectionStatus health);
QColor statusColor(ConnectionStatus health);
/// A filled circle in the health's colour (cached per state).
QIcon statusIcon(ConnectionStatus health);

} // namespace weft::studio
