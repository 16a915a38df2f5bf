#include "connections/profilestore.h"

#include <QUuid>
#include <algorithm>

namespace weft::studio {

namespace {
const QString kGroup = QStringLiteral("connections");
}

ProfileStore::ProfileStore(QSettings* settings, QObject* parent)
    : QObject(parent)
    , m_settings(settings) {}

std::optional<ConnectionProfile> ProfileStore::profile(const QString& id) const {
    if (id.isEmpty() || id.contains(u'/')) return std::nullopt;
    m_settings->beginGroup(kGroup);
    const bool known = m_settings->childGroups().contains(id);
    m_settings->endGroup();
    if (!known) return std::nullopt;
    m_settings->beginGroup(kGroup + u'/' + id);
    ConnectionProfile p;
    p.id = id;
    p.name = m_settings->value(QStringLiteral("name")).toString();
    p.apiUrl = QUrl(m_settings->value(QStringLiteral("url")).toString());
    p.auth = authKindFromName(m_settings->value(QStringLiteral("auth")).toString())
                 .value_or(AuthKind::None);
    p.userName = m_settings->value(QStringLiteral("user")).toString();
    p.caCertificate = m_settings->value(QStringLiteral("caCertificate")).toString();
    p.ignoreTlsErrors = m_settings->value(QStringLiteral("ignoreTlsErrors"), false).toBool();
    m_settings->endGroup();
    if (p.name.isEmpty()) p.name = p.apiUrl.toString(); // a hand-edited entry without a name
    return p;
}

std::vector<ConnectionProfile> ProfileStore::profiles() const {
    m_settings->beginGroup(kGroup);
    const QStringList ids = m_settings->childGroups();
    m_settings->endGroup();
    std::vector<ConnectionProfile> all;
    for (const QString& id : ids)
        if (auto p = profile(id)) all.push_back(std::move(*p));
    std::stable_sort(all.begin(), all.end(), [](const auto& a, const auto& b) {
        const int c = a.name.compare(b.name, Qt::CaseInsensitive);
        return c != 0 ? c < 0 : a.id < b.id;
    });
    return all;
}

std::optional<ConnectionProfile> ProfileStore::findByUrl(const QUrl& url) const {
    const QString key = sameServerKey(url);
    for (auto& p : profiles())
        if (sameServerKey(p.apiUrl) == key) return p;
    return std::nullopt;
}

void ProfileStore::write(const ConnectionProfile& p) {
    m_settings->beginGroup(kGroup + u'/' + p.id);
    m_settings->setValue(QStringLiteral("name"), p.name);
    m_settings->setValue(QStringLiteral("url"), p.apiUrl.toString());
    m_settings->setValue(QStringLiteral("auth"), authKindName(p.auth));
    m_settings->setValue(QStringLiteral("user"), p.userName);
    m_settings->setValue(QStringLiteral("caCertificate"), p.caCertificate);
    m_settings->setValue(QStringLiteral("ignoreTlsErrors"), p.ignoreTlsErrors);
    m_settings->endGroup();
    m_settings->sync();
}

QString ProfileStore::add(ConnectionProfile profile) {
    profile.id = QUuid::createUuid().toString(QUuid::WithoutBraces);
    write(profile);
    Q_EMIT profilesChanged();
    return profile.id;
}

bool ProfileStore::update(const ConnectionProfile& profile) {
    if (!this->profile(profile.id)) return false;
    write(profile);
    Q_EMIT profilesChanged();
    return true;
}

bool ProfileStore::remove(const QString& id) {
    if (!profile(id)) return false;
    m_settings->remove(kGroup + u'/' + id);
    m_settings->sync();
    Q_EMIT profilesChanged();
    return true;
}

} // namespace weft::studio
