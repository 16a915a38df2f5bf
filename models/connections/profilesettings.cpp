#include "connections/profilesettings.h"

#include "connections/secretstore.h"

namespace weft::studio {

void readRemoteSettings(const ConnectionProfile& profile, SecretStore& secrets, QObject* context,
                        std::function<void(RemoteSettings)> done) {
    if (profile.auth == AuthKind::None) {
        QMetaObject::invokeMethod(
            context, [profile, done] { done(remoteSettings(profile, {})); }, Qt::QueuedConnection);
        return;
    }
    // No secret (none stored, or no keychain) still connects: the server says 401, and the
    // connection shows "auth failed" rather than nothing.
    secrets.read(profile.id, context, [profile, done](Result<QString> secret) {
        done(remoteSettings(profile, std::move(secret).valueOr({})));
    });
}

} // namespace weft::studio
