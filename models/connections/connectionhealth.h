#pragma once
// How a connection is doing, as the sidebar and the status bar paint it.
#include <QMetaType>
#include <QString>

namespace weft::studio {

enum class ConnectionHealth {
    Unknown,             // not opened yet
    Connected,           // the last request succeeded
    Reconnecting,        // the server did not answer (down, slow, not HTTP): Studio tries again
    AuthFailed,          // 401/403: the credentials are wrong or missing
    IncompatibleVersion, // the server speaks another API version
};

/// "Connected", "Reconnecting…", "Authentication failed", "Incompatible version", "Unknown".
QString healthText(ConnectionHealth health);

/// The health a backend's report means (Backend::isHealthy / healthError, or the message of
/// RemoteBackend::failed): an authentication refusal is told apart from a server that is away.
ConnectionHealth healthFromError(bool healthy, const QString& error);

} // namespace weft::studio

Q_DECLARE_METATYPE(weft::studio::ConnectionHealth)
