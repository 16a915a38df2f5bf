#include "connections/profileimporter.h"

#include "connections/profilestore.h"
#include "connections/secretstore.h"

#include <toml++/toml.h>

#include <QDir>
#include <QFileInfo>
#include <QSet>

namespace weft::studio {

namespace {

// A candidate for `url` signed in with an API key, or with "user:password" (which wins, as in
// Prefect, where the auth string is for self-hosted servers behind basic auth).
std::optional<ImportCandidate> candidate(const QString& name, const QString& url,
                                         const QString& apiKey, const QString& authString,
                                         const QString& source) {
    if (url.trimmed().isEmpty()) return std::nullopt;
    ImportCandidate c;
    c.profile.name = name;
    c.profile.apiUrl = QUrl(url.trimmed());
    c.source = source;
    if (const qsizetype colon = authString.indexOf(u':'); colon > 0) {
        c.profile.auth = AuthKind::Basic;
        c.profile.userName = authString.left(colon);
        c.secret = authString.mid(colon + 1);
    } else if (!apiKey.isEmpty()) {
        c.profile.auth = AuthKind::Bearer;
        c.secret = apiKey;
    }
    return c;
}

QString text(const toml::table& t, const char* key) {
    if (auto v = t[key].value<std::string>()) return QString::fromStdString(*v);
    return {};
}

} // namespace

QString ImportReport::summary() const {
    QStringList parts;
    if (!added.isEmpty())
        parts << (added.size() == 1 ? QObject::tr("Imported 1 connection: %1.")
                                    : QObject::tr("Imported %1 connections: %2.").arg(added.size()))
                     .arg(added.join(QStringLiteral(", ")));
    if (!skipped.isEmpty())
        parts << QObject::tr("Already known: %1.").arg(skipped.join(QStringLiteral(", ")));
    parts << problems;
    if (parts.isEmpty())
        return QObject::tr("Nothing to import: no PREFECT_API_URL or WEFT_API_URL in the "
                           "environment and no Prefect profile with an API URL.");
    return parts.join(u' ');
}

ProfileImporter::ProfileImporter(QProcessEnvironment environment, QString home)
    : m_env(std::move(environment))
    , m_home(std::move(home)) {}

QString ProfileImporter::prefectProfilesPath() const {
    if (const QString p = m_env.value(QStringLiteral("PREFECT_PROFILES_PATH")); !p.isEmpty())
        return p;
    QString home = m_env.value(QStringLiteral("PREFECT_HOME"));
    if (home.isEmpty()) home = QDir(m_home).filePath(QStringLiteral(".prefect"));
    if (home.startsWith(QStringLiteral("~/"))) home = QDir(m_home).filePath(home.mid(2));
    return QDir(home).filePath(QStringLiteral("profiles.toml"));
}

std::vector<ImportCandidate> ProfileImporter::fromEnvironment() const {
    std::vector<ImportCandidate> found;
    const auto env = [this](const char* name) { return m_env.value(QString::fromLatin1(name)); };
    const QString source = QObject::tr("environment");
    if (auto c = candidate(QObject::tr("Prefect (environment)"), env("PREFECT_API_URL"),
                           env("PREFECT_API_KEY"), env("PREFECT_API_AUTH_STRING"), source))
        found.push_back(std::move(*c));
    if (auto c = candidate(QObject::tr("Weft (environment)"), env("WEFT_API_URL"),
                           env("WEFT_API_KEY"), env("WEFT_API_AUTH_STRING"), source))
        found.push_back(std::move(*c));
    return found;
}

std::vector<ImportCandidate> ProfileImporter::fromPrefectProfiles(QStringList* problems) const {
    const QString path = prefectProfilesPath();
    if (!QFileInfo::exists(path)) return {};
    toml::table file;
    try {
        file = toml::parse_file(path.toStdString());
    } catch (const toml::parse_error& e) {
        const auto& where = e.source().begin;
        problems->append(QObject::tr("%1 line %2: %3")
                             .arg(path)
                             .arg(where.line)
                             .arg(QString::fromStdString(std::string(e.description()))));
        return {};
    }
    const QString active = text(file, "active");
    std::vector<ImportCandidate> found;
    const toml::table* profiles = file["profiles"].as_table();
    if (!profiles) return {};
    for (const auto& [key, value] : *profiles) {
        const toml::table* settings = value.as_table();
        if (!settings) continue;
        const QString name = QString::fromStdString(std::string(key.str()));
        // Profiles without an API URL (Prefect's "ephemeral", "local" before a server is
        // started) have no server to connect to.
        auto c =
            candidate(name, text(*settings, "PREFECT_API_URL"), text(*settings, "PREFECT_API_KEY"),
                      text(*settings, "PREFECT_API_AUTH_STRING"), path);
        if (!c) continue;
        c->active = name == active;
        found.push_back(std::move(*c));
    }
    std::stable_partition(found.begin(), found.end(), [](const auto& c) { return c.active; });
    return found;
}

std::vector<ImportCandidate> ProfileImporter::candidates(QStringList* problems) const {
    std::vector<ImportCandidate> all = fromEnvironment();
    for (auto& c : fromPrefectProfiles(problems))
        all.push_back(std::move(c));
    return all;
}

ImportReport ProfileImporter::importInto(const std::vector<ImportCandidate>& candidates,
                                         ProfileStore& store, SecretStore& secrets) {
    ImportReport report;
    QSet<QString> seen;
    for (const auto& p : store.profiles())
        seen.insert(sameServerKey(p.apiUrl));
    for (const auto& c : candidates) {
        if (const QString problem = profileProblem(c.profile); !problem.isEmpty()) {
            report.problems << QObject::tr("%1 (%2): %3").arg(c.profile.name, c.source, problem);
            continue;
        }
        const QString key = sameServerKey(c.profile.apiUrl);
        if (seen.contains(key)) {
            report.skipped << c.profile.name;
            continue;
        }
        seen.insert(key);
        const QString id = store.add(c.profile);
        if (!c.secret.isEmpty()) secrets.write(id, c.secret);
        report.added << c.profile.name;
    }
    return report;
}

} // namespace weft::studio
