#pragma once
// What the app needs to open a RemoteBackend on a saved profile: its RemoteSettings, with the
// secret read from the SecretStore first (asynchronously: a keychain may take a while).
#include "connections/connectionprofile.h"

#include <QObject>
#include <functional>

namespace weft::studio {

class SecretStore;

/// Reads the profile's secret and hands `done` the settings to connect with, on the GUI thread,
/// unless `context` died. A profile without authentication answers without asking the store.
void readRemoteSettings(const ConnectionProfile& profile, SecretStore& secrets, QObject* context,
                        std::function<void(RemoteSettings)> done);

} // namespace weft::studio
