#pragma once
// Connection profiles from what a Prefect or Weft user already has: the environment
// (PREFECT_API_URL + PREFECT_API_KEY or PREFECT_API_AUTH_STRING, WEFT_API_URL + WEFT_API_KEY or
// WEFT_API_AUTH_STRING) and Prefect's profiles file ($PREFECT_PROFILES_PATH, else
// $PREFECT_HOME/profiles.toml, else ~/.prefect/profiles.toml). Reading is pure and may run on
// any thread; saving (importInto) runs on the GUI thread.
#include "connections/connectionprofile.h"

#include <QProcessEnvironment>
#include <QStringList>
#include <vector>

namespace weft::studio {

class ProfileStore;
class SecretStore;

/// One server found, with its secret (API key, or the password of a basic auth string).
struct ImportCandidate {
    ConnectionProfile profile;
    QString secret;
    QString source;      // "environment", "/home/me/.prefect/profiles.toml"
    bool active = false; // the profile Prefect uses now (`active = "…"`)
};

/// What an import did, for the user: names added, names skipped (and why), problems.
struct ImportReport {
    QStringList added;
    QStringList skipped;
    QStringList problems;
    /// "Imported 2 connections (local, cloud); 1 already known (env)." or what went wrong.
    QString summary() const;
};

class ProfileImporter {
public:
    /// `home`: the user's home folder (where ~/.prefect is).
    ProfileImporter(QProcessEnvironment environment, QString home);

    std::vector<ImportCandidate> fromEnvironment() const;
    /// The profiles with an API URL in Prefect's profiles file (the active one first); a missing
    /// file is no problem, an unreadable or malformed one is added to `problems`.
    std::vector<ImportCandidate> fromPrefectProfiles(QStringList* problems) const;
    /// Both of the above.
    std::vector<ImportCandidate> candidates(QStringList* problems) const;
    QString prefectProfilesPath() const;

    /// Saves the candidates whose server is not already a profile (nor an earlier candidate),
    /// and their secrets in `secrets`. GUI thread.
    static ImportReport importInto(const std::vector<ImportCandidate>& candidates,
                                   ProfileStore& store, SecretStore& secrets);

private:
    QProcessEnvironment m_env;
    QString m_home;
};

} // namespace weft::studio
