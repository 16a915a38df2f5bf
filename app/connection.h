#pragma once
// One entry of the sidebar: the local database or a server. It creates its backend when first
// activated (a server's secret may be read first, asynchronously), opens it, retries a
// failed open with backoff, and follows its health: the backend's own reports, 401/403 as auth
// failed, and the server's API version. A backend handed in already open is used, not owned.
#include "backend/restclient.h"
#include "connections/connectionhealth.h"

#include <QObject>
#include <QPointer>
#include <QTimer>
#include <functional>
#include <memory>

namespace weft::studio {

class Backend;

class Connection : public QObject {
    Q_OBJECT
public:
    /// Completes a server's settings (its secret read from a keychain), then calls `ready`.
    using SettingsLookup =
        std::function<void(QObject* context, std::function<void(RemoteSettings)> ready)>;

    /// A backend that is open already (the launcher's database, a test's server).
    Connection(QString name, Backend* openBackend, QObject* parent = nullptr);
    /// A local database, opened on activation (created if missing when `mayCreate`, as the
    /// default one may be).
    static Connection* local(const QString& name, const QString& dbPath, bool mayCreate,
                             QObject* parent);
    /// A server, connected on activation.
    static Connection* server(const QString& name, RemoteSettings settings, QObject* parent,
                              SettingsLookup lookup = {});
    ~Connection() override;

    /// "Local database", or a server's "host:port".
    static QString nameFor(Backend* backend);
    static QString nameFor(const QUrl& apiUrl);

    QString name() const { return m_name; }
    /// "http://host:4200/api" or the database's path.
    QString location() const { return m_location; }
    bool isServer() const { return m_isServer; }
    /// The saved profile this connection is (or serves the URL of), empty when none.
    QString profileId() const { return m_profileId; }
    void setProfileId(const QString& id) { m_profileId = id; }
    /// Null until activated and, for a server, until its secret was read.
    Backend* backend() const { return m_backend; }
    /// True once the backend opened (it stays so while it reconnects).
    bool isReady() const { return m_ready; }
    ConnectionHealth status() const { return m_status; }
    /// Why it is not connected (the backend's last error), else empty.
    QString statusDetail() const { return m_detail; }
    /// "prod · reconnecting", for the status bar.
    QString statusText() const;

    /// Creates and opens the backend unless done already; after a failed open, tries now.
    void activate();
    /// The longest wait between two tries of a failed open (ms); tests shorten it.
    void setMaxRetryDelay(int ms) { m_maxRetryMs = ms; }

Q_SIGNALS:
    /// The backend opened: a workspace may be built on it.
    void ready();
    void statusChanged();

private:
    Connection(QString name, QString location, bool isServer, QObject* parent);
    void create();
    void onOpened();
    void onOpenFailed(const QString& error);
    void onBackendHealth(bool healthy, const QString& error);
    void checkVersion();
    void setStatus(ConnectionHealth health, const QString& detail);

    QString m_name;
    QString m_location;
    QString m_profileId;
    bool m_isServer = false;
    QString m_dbPath;
    bool m_mayCreate = false;
    RemoteSettings m_settings;
    SettingsLookup m_lookup;     // the next activation reads the secret first
    SettingsLookup m_lookupKept; // re-armed after a 401/403: the secret may have been fixed
    std::unique_ptr<Backend> m_owned;
    QPointer<Backend> m_backend;
    std::unique_ptr<RestClient> m_versionClient; // asks GET /api/version beside the backend
    bool m_activated = false;
    bool m_ready = false;
    bool m_incompatible = false;
    ConnectionHealth m_status = ConnectionHealth::NotConnected;
    QString m_detail;
    QTimer m_retry;
    int m_retryMs = 500;
    int m_maxRetryMs = 10000;
};

} // namespace weft::studio
