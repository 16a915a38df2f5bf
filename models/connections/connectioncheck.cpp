#include "connections/connectioncheck.h"

namespace weft::studio {

using nlohmann::json;

namespace {
// One step's answer, read on the query pool.
struct Reply {
    int status = 0;
    json body;
};
} // namespace

ConnectionCheck::ConnectionCheck(QObject* parent)
    : QObject(parent) {}

ConnectionCheck::~ConnectionCheck() = default;

void ConnectionCheck::start(const RemoteSettings& settings, std::function<void(CheckResult)> done) {
    ++m_generation;
    RemoteSettings s = settings;
    s.timeoutMs = std::min(s.timeoutMs, 10000); // a person is waiting for the answer
    m_rest = std::make_unique<RestClient>(s);
    m_apiVersion.clear();
    step(0, std::move(done));
}

void ConnectionCheck::step(int which, std::function<void(CheckResult)> done) {
    static const char* const paths[] = {"/health", "/version", "/admin/version"};
    const quint64 generation = m_generation;
    const auto finish = [this, done](CheckResult r) {
        m_rest.reset();
        done(std::move(r));
    };
    m_rest->send<Reply>(
        "GET", QString::fromLatin1(paths[which]), nullptr, this,
        [](RestAnswer a) {
            return Reply{a.status, std::move(a.body)};
        },
        [this, which, generation, done, finish](Result<Reply> r) {
            if (generation != m_generation) return; // a newer check replaced this one
            if (!r) return finish({ConnectionHealth::Reconnecting, r.error()});
            const Reply& reply = *r;
            if (reply.status == 401 || reply.status == 403)
                return finish({ConnectionHealth::AuthFailed,
                               tr("The server refused the credentials (HTTP %1): check the "
                                  "authentication and the API key or password.")
                                   .arg(reply.status)});
            if (which == 0 && reply.status == 404)
                return finish({ConnectionHealth::Incompatible,
                               tr("GET /api/health was not found: is this a Prefect or Weft "
                                  "server's API URL (ending in /api)?")});
            if (which == 0) return step(1, done);
            if (which == 1) {
                if (!reply.body.is_string())
                    return finish({ConnectionHealth::Incompatible,
                                   tr("GET /api/version did not answer a version: is this a "
                                      "Prefect or Weft server's API URL (ending in /api)?")});
                m_apiVersion = QString::fromStdString(reply.body.get<std::string>());
                return step(2, done);
            }
            // Servers without /admin/version (404) are taken at their API version's word.
            if (reply.status == 404 || !reply.body.is_string())
                return finish({ConnectionHealth::Connected,
                               tr("Connected: API version %1.").arg(m_apiVersion)});
            const QString server = QString::fromStdString(reply.body.get<std::string>());
            if (server.section(u'.', 0, 0).toInt() != kMajorVersion)
                return finish({ConnectionHealth::Incompatible,
                               tr("The server runs version %1; Studio speaks to Prefect %2 "
                                  "servers.")
                                   .arg(server)
                                   .arg(kMajorVersion)});
            finish({ConnectionHealth::Connected,
                    tr("Connected: server version %1, API version %2.").arg(server, m_apiVersion)});
        },
        {401, 403, 404});
}

} // namespace weft::studio
