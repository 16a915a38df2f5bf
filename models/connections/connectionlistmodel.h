#pragma once
// The connections Studio can show: "Local database" first, then the saved profiles, each with
// its health. The app (or the sidebar) reports health per row, by hand or by following a
// backend. Free of app code: the sidebar and the Connections dialog both use it.
#include "connections/connectionhealth.h"
#include "connections/profilestore.h"

#include <QAbstractListModel>
#include <QHash>
#include <QPointer>

namespace weft::studio {

class Backend;

class ConnectionListModel : public QAbstractListModel {
    Q_OBJECT
public:
    enum Roles {
        IdRole = Qt::UserRole + 1, // kLocalId for the local database, else the profile's id
        NameRole,                  // as Qt::DisplayRole
        UrlRole,                   // the API URL, or the local database's path
        HealthRole,                // ConnectionHealth
        HealthTextRole,            // "Connected", or the detail when there is one
        IsLocalRole,
    };
    static inline const QString kLocalId = QStringLiteral("local");

    explicit ConnectionListModel(ProfileStore* store, QObject* parent = nullptr);

    int rowCount(const QModelIndex& parent = {}) const override;
    QVariant data(const QModelIndex& index, int role = Qt::DisplayRole) const override;
    QHash<int, QByteArray> roleNames() const override;

    /// The local database's path, shown as the first row's URL.
    void setLocalDatabase(const QString& path);
    /// The row of a connection id (kLocalId or a profile's), -1 when none.
    int rowOf(const QString& id) const;
    QString idAt(int row) const;

    void setHealth(const QString& id, ConnectionHealth health, const QString& detail = {});
    ConnectionHealth health(const QString& id) const;
    /// Keeps the row's health in step with `backend` (opened, failed, healthChanged) until the
    /// backend is destroyed or another one is followed for the row.
    void follow(const QString& id, Backend* backend);

private:
    void reload();
    struct Status {
        ConnectionHealth health = ConnectionHealth::NotConnected;
        QString detail;
    };

    ProfileStore* m_store;
    std::vector<ConnectionProfile> m_profiles;
    QString m_localDatabase;
    QHash<QString, Status> m_status;
    QHash<QString, QPointer<Backend>> m_followed;
};

} // namespace weft::studio
