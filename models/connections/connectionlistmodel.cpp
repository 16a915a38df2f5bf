#include "connections/connectionlistmodel.h"

#include "backend/backend.h"

#include <algorithm>

namespace weft::studio {

ConnectionListModel::ConnectionListModel(ProfileStore* store, QObject* parent)
    : QAbstractListModel(parent)
    , m_store(store)
    , m_profiles(store->profiles()) {
    connect(m_store, &ProfileStore::profilesChanged, this, &ConnectionListModel::reload);
}

namespace {
// The index of the one element `longer` has beyond `shorter` (otherwise equal, in order), or -1.
int extraOne(const std::vector<ConnectionProfile>& longer,
             const std::vector<ConnectionProfile>& shorter) {
    if (longer.size() != shorter.size() + 1) return -1;
    size_t i = 0;
    while (i < shorter.size() && longer[i].id == shorter[i].id)
        ++i;
    for (size_t j = i; j < shorter.size(); ++j)
        if (longer[j + 1].id != shorter[j].id) return -1;
    return int(i);
}
} // namespace

void ConnectionListModel::reload() {
    // One profile added or removed, or edited in place, is signalled as such, so a view keeps its
    // selection; anything else (a rename that moves a row) resets. Health stays by id.
    std::vector<ConnectionProfile> next = m_store->profiles();
    const auto sameIds = [](const auto& a, const auto& b) {
        return std::equal(a.begin(), a.end(), b.begin(), b.end(),
                          [](const auto& x, const auto& y) { return x.id == y.id; });
    };
    if (sameIds(next, m_profiles)) {
        m_profiles = std::move(next);
        if (!m_profiles.empty()) Q_EMIT dataChanged(index(1), index(int(m_profiles.size())));
    } else if (const int added = extraOne(next, m_profiles); added >= 0) {
        beginInsertRows({}, added + 1, added + 1);
        m_profiles = std::move(next);
        endInsertRows();
    } else if (const int removed = extraOne(m_profiles, next); removed >= 0) {
        beginRemoveRows({}, removed + 1, removed + 1);
        m_profiles = std::move(next);
        endRemoveRows();
    } else {
        beginResetModel();
        m_profiles = std::move(next);
        endResetModel();
    }
}

int ConnectionListModel::rowCount(const QModelIndex& parent) const {
    return parent.isValid() ? 0 : 1 + int(m_profiles.size());
}

QString ConnectionListModel::idAt(int row) const {
    if (row == 0) return kLocalId;
    if (row < 0 || row > int(m_profiles.size())) return {};
    return m_profiles[size_t(row - 1)].id;
}

int ConnectionListModel::rowOf(const QString& id) const {
    if (id == kLocalId) return 0;
    for (size_t i = 0; i < m_profiles.size(); ++i)
        if (m_profiles[i].id == id) return int(i) + 1;
    return -1;
}

QVariant ConnectionListModel::data(const QModelIndex& index, int role) const {
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid))
        return {};
    const int row = index.row();
    const QString id = idAt(row);
    const Status status = m_status.value(id);
    switch (role) {
    case Qt::DisplayRole:
    case NameRole:
        return row == 0 ? tr("Local database") : m_profiles[size_t(row - 1)].name;
    case IdRole:
        return id;
    case UrlRole:
        return row == 0 ? m_localDatabase : m_profiles[size_t(row - 1)].apiUrl.toString();
    case HealthRole:
        return QVariant::fromValue(status.health);
    case HealthTextRole:
    case Qt::ToolTipRole:
        return status.detail.isEmpty() ? healthText(status.health)
                                       : healthText(status.health) + u'\n' + status.detail;
    case IsLocalRole:
        return row == 0;
    }
    return {};
}

QHash<int, QByteArray> ConnectionListModel::roleNames() const {
    auto names = QAbstractListModel::roleNames();
    names.insert({{IdRole, "id"},
                  {NameRole, "name"},
                  {UrlRole, "url"},
                  {HealthRole, "health"},
                  {HealthTextRole, "healthText"},
                  {IsLocalRole, "isLocal"}});
    return names;
}

void ConnectionListModel::setLocalDatabase(const QString& path) {
    m_localDatabase = path;
    const QModelIndex first = index(0);
    Q_EMIT dataChanged(first, first, {UrlRole});
}

void ConnectionListModel::setHealth(const QString& id, ConnectionHealth health,
                                    const QString& detail) {
    Status& s = m_status[id];
    if (s.health == health && s.detail == detail) return;
    s = {health, detail};
    if (const int row = rowOf(id); row >= 0) {
        const QModelIndex i = index(row);
        Q_EMIT dataChanged(i, i, {HealthRole, HealthTextRole, Qt::ToolTipRole});
    }
}

ConnectionHealth ConnectionListModel::health(const QString& id) const {
    return m_status.value(id).health;
}

void ConnectionListModel::follow(const QString& id, Backend* backend) {
    if (QPointer<Backend> old = m_followed.value(id)) old->disconnect(this);
    m_followed.insert(id, backend);
    if (!backend) return;
    if (backend->isOpen())
        setHealth(id, healthFromError(backend->isHealthy(), backend->healthError()),
                  backend->healthError());
    connect(backend, &Backend::opened, this,
            [this, id] { setHealth(id, ConnectionHealth::Connected); });
    connect(backend, &Backend::failed, this, [this, id](const QString& message) {
        setHealth(id, healthFromError(false, message), message);
    });
    connect(backend, &Backend::healthChanged, this, [this, id](bool healthy, const QString& error) {
        setHealth(id, healthFromError(healthy, error), error);
    });
}

} // namespace weft::studio
