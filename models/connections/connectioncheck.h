#pragma once
// "Test connection": GET /api/health (is a server there?), then GET /api/version (do the
// credentials work? /health answers everyone) and GET /api/admin/version (Prefect clients refuse
// a server of another major version). Asynchronous; the answer names what is wrong.
#include "backend/restclient.h"
#include "connections/connectionhealth.h"

#include <QObject>
#include <functional>
#include <memory>

namespace weft::studio {

struct CheckResult {
    ConnectionHealth health = ConnectionHealth::NotConnected;
    QString message; // "Connected: API 0.8.4, server 3.1.0." or the reason it failed
};

class ConnectionCheck : public QObject {
    Q_OBJECT
public:
    /// The Prefect major version Studio speaks to.
    static constexpr int kMajorVersion = 3;

    explicit ConnectionCheck(QObject* parent = nullptr);
    ~ConnectionCheck() override;

    /// Starts a check of `settings`, dropping any check still running; `done` runs once, on the
    /// GUI thread, unless this object died or another check started.
    void start(const RemoteSettings& settings, std::function<void(CheckResult)> done);
    bool isRunning() const { return bool(m_rest); }

private:
    void step(int which, std::function<void(CheckResult)> done);

    std::unique_ptr<RestClient> m_rest;
    QString m_apiVersion;
    quint64 m_generation = 0;
};

} // namespace weft::studio
