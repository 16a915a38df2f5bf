#pragma once
// The saved connection profiles, in QSettings under "connections/<id>/…". Secrets are not kept
// here (see SecretStore): the settings file holds names, URLs and options only.
#include "connections/connectionprofile.h"

#include <QObject>
#include <QSettings>
#include <optional>
#include <vector>

namespace weft::studio {

class ProfileStore : public QObject {
    Q_OBJECT
public:
    /// `settings` must outlive the store (Studio's QSettings, or a test's file).
    explicit ProfileStore(QSettings* settings, QObject* parent = nullptr);

    /// Every profile, sorted by name (case-insensitively). Entries the user broke by hand are
    /// listed with what could be read (an unknown auth kind reads as none), never dropped.
    std::vector<ConnectionProfile> profiles() const;
    std::optional<ConnectionProfile> profile(const QString& id) const;
    /// The profile for the same server (sameServerKey), if any.
    std::optional<ConnectionProfile> findByUrl(const QUrl& url) const;

    /// Saves a new profile under a fresh id (the one in `profile` is ignored); returns the id.
    QString add(ConnectionProfile profile);
    /// Replaces the profile with the same id; false when there is none.
    bool update(const ConnectionProfile& profile);
    /// false when there is no such profile. Its secret is the caller's to remove.
    bool remove(const QString& id);

Q_SIGNALS:
    void profilesChanged();

private:
    void write(const ConnectionProfile& profile);

    QSettings* m_settings;
};

} // namespace weft::studio
