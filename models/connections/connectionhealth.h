#pragma once
// How a connection is doing, in one vocabulary for the sidebar, the status bar, the waiting page
// and the Connections dialog: the state, its word and its colour. The state is read from what a
// backend reports (its health errors, a failed open, the server's API version), never guessed
// from timing.
#include <QColor>
#include <QMetaType>
#include <QString>

namespace weft::studio {

enum class ConnectionHealth {
    NotConnected, // not opened yet (a sidebar row not selected yet has no backend)
    Connecting,   // opening, the first answer not in yet
    Connected,    // the last request succeeded
    Reconnecting, // the server did not answer (down, slow, not HTTP, 5xx): retried with backoff
    AuthFailed,   // 401 / 403: the credentials are wrong or missing
    Incompatible, // the server speaks an API version Studio cannot
    Failed,       // a local database that cannot be opened or read
};

/// "connected", "reconnecting", "auth failed", "incompatible version"… (lower case: it follows a
/// name, as in "prod · connected").
QString healthText(ConnectionHealth health);
/// Green when connected, amber while retrying, red when a person has to act, grey or blue before.
QColor healthColor(ConnectionHealth health);

/// The health a backend's report means (Backend::isHealthy / healthError, or the message of
/// Backend::failed): a refusal of the credentials (RestClient's "answered 401" / "403") is told
/// apart from a server that is away, which is retried.
ConnectionHealth healthFromError(bool healthy, const QString& error);

} // namespace weft::studio

Q_DECLARE_METATYPE(weft::studio::ConnectionHealth)
