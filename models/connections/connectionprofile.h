#pragma once
// One server Studio can connect to, as the user saved it. Its secret (API key or password) is
// not part of it: the secret lives in a SecretStore under the profile's id, never in QSettings.
#include "backend/restclient.h"

#include <QString>
#include <QUrl>
#include <optional>

namespace weft::studio {

/// How Studio signs in: nothing, HTTP basic (user name + password), or a bearer API key.
enum class AuthKind { None, Basic, Bearer };

/// "none", "basic", "bearer": the words stored in the settings.
QString authKindName(AuthKind kind);
std::optional<AuthKind> authKindFromName(const QString& name);

struct ConnectionProfile {
    QString id; // stable, the key of its secret; ProfileStore::add assigns one
    QString name;
    QUrl apiUrl; // http://127.0.0.1:4200/api
    AuthKind auth = AuthKind::None;
    QString userName;      // basic only
    QString caCertificate; // a PEM file trusted beside the system's CAs; empty: none
    bool ignoreTlsErrors = false;

    bool operator==(const ConnectionProfile&) const = default;
};

/// Why the profile cannot be saved ("The API URL must start with http:// or https://."), or
/// empty when it can.
QString profileProblem(const ConnectionProfile& profile);

/// The key that tells two URLs of one server apart from others: scheme and host lowercased,
/// the default port made explicit, trailing slashes dropped.
QString sameServerKey(const QUrl& url);

/// What RemoteBackend and RestClient need to reach the profile's server with `secret`.
RemoteSettings remoteSettings(const ConnectionProfile& profile, const QString& secret);

} // namespace weft::studio
