#include "connection.h"

#include "apiversion.h"
#include "backend/embeddedbackend.h"
#include "backend/remotebackend.h"

namespace weft::studio {

Connection::Connection(QString name, QString location, bool isServer, QObject* parent)
    : QObject(parent)
    , m_name(std::move(name))
    , m_location(std::move(location))
    , m_isServer(isServer) {
    m_retry.setSingleShot(true);
    connect(&m_retry, &QTimer::timeout, this, &Connection::create);
}

Connection::Connection(QString name, Backend* openBackend, QObject* parent)
    : Connection(std::move(name), QString(), false, parent) {
    m_backend = openBackend;
    m_activated = true;
    m_ready = openBackend->isOpen();
    if (auto* remote = qobject_cast<RemoteBackend*>(openBackend)) {
        m_isServer = true;
        m_settings = remote->settings();
        m_location = remote->settings().apiUrl.toString();
    } else if (auto* embedded = qobject_cast<EmbeddedBackend*>(openBackend)) {
        m_location = embedded->databasePath();
    }
    connect(openBackend, &Backend::healthChanged, this, &Connection::onBackendHealth);
    connect(openBackend, &Backend::opened, this, &Connection::onOpened);
    onBackendHealth(openBackend->isHealthy(), openBackend->healthError());
    if (m_ready) checkVersion();
}

Connection* Connection::local(const QString& name, const QString& dbPath, bool mayCreate,
                              QObject* parent) {
    auto* c = new Connection(name, dbPath, false, parent);
    c->m_dbPath = dbPath;
    c->m_mayCreate = mayCreate;
    return c;
}

Connection* Connection::server(const QString& name, RemoteSettings settings, QObject* parent,
                               SettingsLookup lookup) {
    auto* c = new Connection(name, settings.apiUrl.toString(), true, parent);
    c->m_settings = std::move(settings);
    c->m_lookupKept = lookup;
    c->m_lookup = std::move(lookup);
    return c;
}

Connection::~Connection() {
    // The backend's signals must not reach a half-destroyed connection.
    if (m_backend) disconnect(m_backend, nullptr, this, nullptr);
}

QString Connection::nameFor(Backend* backend) {
    if (auto* remote = qobject_cast<RemoteBackend*>(backend))
        return nameFor(remote->settings().apiUrl);
    return tr("Local database");
}

QString Connection::nameFor(const QUrl& apiUrl) {
    return apiUrl.port() > 0 ? QStringLiteral("%1:%2").arg(apiUrl.host()).arg(apiUrl.port())
                             : apiUrl.host();
}

QString Connection::statusText() const {
    return tr("%1 · %2").arg(m_name, healthText(m_status));
}

void Connection::activate() {
    if (m_ready) return;
    if (m_activated && m_backend) return; // opening
    m_activated = true;
    m_retry.stop();
    create();
}

void Connection::create() {
    if (m_backend) return;
    if (m_lookup) {
        // The secret is read once (a keychain job), then the backend is made with it.
        setStatus(ConnectionHealth::Connecting, {});
        SettingsLookup lookup = std::move(m_lookup);
        m_lookup = {};
        lookup(this, [this](RemoteSettings settings) {
            m_settings = std::move(settings);
            create();
        });
        return;
    }
    if (m_status != ConnectionHealth::Reconnecting) setStatus(ConnectionHealth::Connecting, {});
    if (m_isServer) {
        auto remote = std::make_unique<RemoteBackend>(m_settings);
        RemoteBackend* r = remote.get();
        m_owned = std::move(remote);
        m_backend = r;
        connect(r, &Backend::opened, this, &Connection::onOpened);
        connect(r, &Backend::failed, this, &Connection::onOpenFailed);
        connect(r, &Backend::healthChanged, this, &Connection::onBackendHealth);
        r->open();
    } else {
        auto local = std::make_unique<EmbeddedBackend>(
            m_dbPath,
            m_mayCreate ? EmbeddedBackend::Create::IfMissing : EmbeddedBackend::Create::Never);
        EmbeddedBackend* e = local.get();
        m_owned = std::move(local);
        m_backend = e;
        connect(e, &Backend::opened, this, &Connection::onOpened);
        connect(e, &Backend::failed, this, &Connection::onOpenFailed);
        connect(e, &Backend::healthChanged, this, &Connection::onBackendHealth);
        e->open();
    }
}

void Connection::onOpened() {
    m_ready = true;
    m_retryMs = 500;
    setStatus(ConnectionHealth::Connected, {});
    checkVersion();
    Q_EMIT ready();
}

void Connection::onOpenFailed(const QString& error) {
    // The failed backend is the sender: it goes once its signal returned.
    if (m_owned) m_owned.release()->deleteLater();
    m_backend = nullptr;
    const ConnectionHealth health =
        m_isServer ? healthFromError(false, error) : ConnectionHealth::Failed;
    // Announced even when the state stays (the backend said it first): the backend is gone.
    m_status = health;
    m_detail = error;
    Q_EMIT statusChanged();
    if (!m_isServer) return;
    // A refused token stays refused: the user tries again (activate) after fixing it.
    if (health == ConnectionHealth::AuthFailed) {
        m_activated = false;
        m_lookup = m_lookupKept;
        return;
    }
    m_retry.start(m_retryMs);
    m_retryMs = std::min(m_retryMs * 2, m_maxRetryMs);
}

void Connection::onBackendHealth(bool healthy, const QString& error) {
    if (!healthy) {
        if (!m_incompatible)
            setStatus(m_isServer ? healthFromError(false, error) : ConnectionHealth::Failed, error);
        return;
    }
    if (!m_incompatible && m_ready) setStatus(ConnectionHealth::Connected, {});
    // The server answers again: it may be another one now.
    if (m_ready) checkVersion();
}

void Connection::checkVersion() {
    if (!m_isServer) return;
    if (!m_versionClient) m_versionClient = std::make_unique<RestClient>(m_settings);
    checkApiVersion(*m_versionClient, this, [this](const QString& problem) {
        if (!problem.isEmpty()) {
            m_incompatible = true;
            setStatus(ConnectionHealth::Incompatible, problem);
        } else if (m_incompatible) {
            m_incompatible = false;
            setStatus(
                m_backend && m_backend->isHealthy()
                    ? ConnectionHealth::Connected
                    : healthFromError(false, m_backend ? m_backend->healthError() : QString()),
                m_backend ? m_backend->healthError() : QString());
        }
    });
}

void Connection::setStatus(ConnectionHealth health, const QString& detail) {
    if (health == m_status && detail == m_detail) return;
    m_status = health;
    m_detail = detail;
    Q_EMIT statusChanged();
}

} // namespace weft::studio
