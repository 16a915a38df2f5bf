#include "http_server.hpp"

#include <QElapsedTimer>
#include <QHttpServerRequest>
#include <QHttpServerResponse>
#include <QTcpServer>
#include <QTcpSocket>
#include <QTimer>
#include <spdlog/spdlog.h>

namespace weft::server {

namespace {

using Method = QHttpServerRequest::Method;
using Status = QHttpServerResponder::StatusCode;

QHttpServerResponse toResponse(const Reply& reply) {
    const auto status = static_cast<Status>(reply.status);
    if (reply.status == 204) return QHttpServerResponse(status);
    // Stored text may hold invalid UTF-8 (a log line cut mid-character): replaced, never thrown.
    const std::string text =
        reply.body.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
    return QHttpServerResponse(QByteArrayLiteral("application/json"),
                               QByteArray(text.data(), qsizetype(text.size())), status);
}

// Runs a handler with the request's body and answers whatever happens: a body too large to
// read, an unknown id, a store that cannot write, a bug.
template<class Handler>
QHttpServerResponse answer(const QHttpServerRequest& request, Handler&& handler) {
    const QByteArray body = request.body();
    if (body.size() > HttpServer::kMaxBodyBytes)
        return toResponse(Reply::detail(413, "Request body too large: at most "
                                                 + std::to_string(HttpServer::kMaxBodyBytes)
                                                 + " bytes are accepted."));
    try {
        return toResponse(handler(std::string(body.constData(), size_t(body.size()))));
    } catch (const LookupError& e) {
        return toResponse(Reply::detail(404, e.what()));
    } catch (const StoreError& e) {
        spdlog::error("weft-server: {}", e.what());
        return toResponse(Reply::json({{"exception_message", e.what()}}, 503));
    } catch (const std::exception& e) {
        spdlog::error("weft-server: {} {}: {}", request.url().path().toStdString(),
                      int(request.method()), e.what());
        return toResponse(Reply::json({{"exception_message", "Internal Server Error"}}, 500));
    }
}

// A query parameter, decoded; empty when absent.
std::string query_item(const QHttpServerRequest& request, const char* name) {
    return request.query()
        .queryItemValue(QString::fromLatin1(name), QUrl::FullyDecoded)
        .toStdString();
}

} // namespace

HttpServer::HttpServer(std::shared_ptr<Engine> engine, Auth auth, QObject* parent)
    : QObject(parent)
    , m_api(std::move(engine))
    , m_auth(std::move(auth))
    , m_feed(m_api.engine().store_ptr())
    , m_events_out(m_feed, m_auth, EventsOut::Limits{})
    , m_events_in(m_api.engine(), m_auth)
    , m_deferred([](const Reply& reply) { return toResponse(reply); }) {
    addRoutes();
    connect(&m_http, &QHttpServer::newWebSocketConnection, this, &HttpServer::acceptWebSockets);
    // Unknown paths want credentials too: without them a client learns nothing of the API.
    m_http.setMissingHandler(
        [this](const QHttpServerRequest& request, QHttpServerResponder&& responder) {
            if (auto refused = refusal(request))
                refused->write(std::move(responder));
            else
                toResponse(Reply::detail(404, "Not Found")).write(std::move(responder));
        });
}

std::optional<QHttpServerResponse> HttpServer::refusal(const QHttpServerRequest& request) const {
    const Auth::Verdict verdict = m_auth.check(request.value(QByteArrayLiteral("Authorization")));
    if (verdict == Auth::Verdict::Allowed) return std::nullopt;
    // Prefect's server answers {"exception_message": "Unauthorized"}; the reason helps a person
    // tell a typo in the header from a wrong password.
    const char* why = verdict == Auth::Verdict::Missing ? "No credentials were sent."
                      : verdict == Auth::Verdict::Malformed
                          ? "The Authorization header is malformed."
                          : "The credentials are wrong.";
    QHttpServerResponse response =
        toResponse(Reply::json({{"exception_message", "Unauthorized"}, {"detail", why}}, 401));
    for (const QByteArray& challenge : m_auth.challenges())
        response.addHeader(QByteArrayLiteral("WWW-Authenticate"), challenge);
    return response;
}

template<class Handler>
QHttpServerResponse HttpServer::guarded(const QHttpServerRequest& request, Handler&& handler) {
    if (auto refused = refusal(request)) return std::move(*refused);
    return answer(request, std::forward<Handler>(handler));
}

HttpServer::~HttpServer() = default;

template<class Handler>
void HttpServer::guardedLater(const QHttpServerRequest& request, QHttpServerResponder&& responder,
                              Handler&& handler) {
    std::optional<std::future<Reply>> later;
    QHttpServerResponse now = guarded(request, [&](const std::string& body) {
        DeferredReply reply = handler(body);
        if (reply.now) return std::move(*reply.now);
        later = std::move(reply.later);
        return Reply::no_content(); // not sent: the deferred reply is
    });
    if (later)
        m_deferred.answer(std::move(*later), std::move(responder));
    else
        now.write(std::move(responder));
}

void HttpServer::addRoutes() {
    // Handlers of a body alone, and of a path id.
    using BodyHandler = Reply (Api::*)(const std::string&);
    using IdHandler = Reply (Api::*)(const std::string&);
    auto plain = [this](const char* path, Method method, BodyHandler handler) {
        m_http.route(
            QString::fromLatin1(path), method, [this, handler](const QHttpServerRequest& r) {
                return guarded(r, [&](const std::string& body) { return (m_api.*handler)(body); });
            });
    };
    auto with_id = [this](const char* path, Method method, IdHandler handler) {
        m_http.route(QString::fromLatin1(path), method,
                     [this, handler](const QString& id, const QHttpServerRequest& r) {
                         return guarded(r, [&](const std::string&) {
                             return (m_api.*handler)(id.toStdString());
                         });
                     });
    };
    // set_state: answered once committed, without holding up this thread meanwhile.
    using DeferredHandler = DeferredReply (Api::*)(const std::string&, const std::string&);
    auto with_id_body_later = [this](const char* path, DeferredHandler handler) {
        m_http.route(QString::fromLatin1(path), Method::Post,
                     [this, handler](const QString& id, const QHttpServerRequest& r,
                                     QHttpServerResponder&& responder) {
                         guardedLater(r, std::move(responder), [&](const std::string& body) {
                             return (m_api.*handler)(id.toStdString(), body);
                         });
                     });
    };
    // Health stays open (as Prefect's): load balancers and `weft` probe it without credentials.
    m_http.route(QStringLiteral("/api/health"), Method::Get, [this](const QHttpServerRequest& r) {
        return answer(r, [&](const std::string&) { return m_api.health(); });
    });
    m_http.route(QStringLiteral("/api/version"), Method::Get, [this](const QHttpServerRequest& r) {
        return guarded(r, [&](const std::string&) { return m_api.version(); });
    });
    m_http.route(QStringLiteral("/api/admin/version"), Method::Get,
                 [this](const QHttpServerRequest& r) {
                     return guarded(r, [&](const std::string&) { return m_api.admin_version(); });
                 });
    // Fixed paths before the ones with an id, so that "filter" is never taken for an id.
    plain("/api/flows/", Method::Post, &Api::create_flow);
    plain("/api/flows/filter", Method::Post, &Api::filter_flows);
    plain("/api/flows/count", Method::Post, &Api::count_flows);
    with_id("/api/flows/<arg>", Method::Get, &Api::read_flow);

    plain("/api/flow_runs/", Method::Post, &Api::create_flow_run);
    plain("/api/flow_runs/filter", Method::Post, &Api::filter_flow_runs);
    plain("/api/flow_runs/count", Method::Post, &Api::count_flow_runs);
    plain("/api/flow_runs/paginate", Method::Post, &Api::paginate_flow_runs);
    with_id("/api/flow_runs/<arg>", Method::Get, &Api::read_flow_run);
    with_id("/api/flow_runs/<arg>", Method::Delete, &Api::delete_flow_run);
    with_id_body_later("/api/flow_runs/<arg>/set_state", &Api::set_flow_run_state_deferred);

    // Pause and resume: a pause's input form and answer as flow run inputs.
    m_http.route(QStringLiteral("/api/flow_runs/<arg>/resume"), Method::Post,
                 [this](const QString& id, const QHttpServerRequest& r) {
                     return guarded(r, [&](const std::string& body) {
                         return m_api.resume_flow_run(id.toStdString(), body);
                     });
                 });
    m_http.route(QStringLiteral("/api/flow_runs/<arg>/input"), Method::Post,
                 [this](const QString& id, const QHttpServerRequest& r) {
                     return guarded(r, [&](const std::string& body) {
                         return m_api.create_flow_run_input(id.toStdString(), body);
                     });
                 });
    m_http.route(QStringLiteral("/api/flow_runs/<arg>/input/<arg>"), Method::Get,
                 [this](const QString& id, const QString& key, const QHttpServerRequest& r) {
                     return guarded(r, [&](const std::string&) {
                         return m_api.read_flow_run_input(id.toStdString(), key.toStdString());
                     });
                 });

    plain("/api/task_runs/", Method::Post, &Api::create_task_run);
    plain("/api/task_runs/filter", Method::Post, &Api::filter_task_runs);
    plain("/api/task_runs/count", Method::Post, &Api::count_task_runs);
    with_id("/api/task_runs/<arg>", Method::Get, &Api::read_task_run);
    with_id_body_later("/api/task_runs/<arg>/set_state", &Api::set_task_run_state_deferred);

    plain("/api/logs/", Method::Post, &Api::create_logs);
    plain("/api/logs/filter", Method::Post, &Api::filter_logs);

    plain("/api/flow_runs/history", Method::Post, &Api::flow_run_history);
    m_http.route(QStringLiteral("/api/flow_runs/<arg>/graph-v2"), Method::Get,
                 [this](const QString& id, const QHttpServerRequest& r) {
                     return guarded(r, [&](const std::string&) {
                         return m_api.flow_run_graph(id.toStdString(), query_item(r, "since"));
                     });
                 });
    m_http.route(QStringLiteral("/api/flow_run_states/"), Method::Get,
                 [this](const QHttpServerRequest& r) {
                     return guarded(r, [&](const std::string&) {
                         return m_api.flow_run_states(query_item(r, "flow_run_id"));
                     });
                 });
    m_http.route(QStringLiteral("/api/task_run_states/"), Method::Get,
                 [this](const QHttpServerRequest& r) {
                     return guarded(r, [&](const std::string&) {
                         return m_api.task_run_states(query_item(r, "task_run_id"));
                     });
                 });
    plain("/api/events/filter", Method::Post, &Api::filter_events);

    // A path argument and the body.
    using IdBodyHandler = Reply (Api::*)(const std::string&, const std::string&);
    auto with_id_body = [this](const char* path, IdBodyHandler handler) {
        m_http.route(QString::fromLatin1(path), Method::Post,
                     [this, handler](const QString& id, const QHttpServerRequest& r) {
                         return guarded(r, [&](const std::string& body) {
                             return (m_api.*handler)(id.toStdString(), body);
                         });
                     });
    };
    plain("/api/deployments/", Method::Post, &Api::create_deployment);
    plain("/api/deployments/filter", Method::Post, &Api::filter_deployments);
    plain("/api/deployments/count", Method::Post, &Api::count_deployments);
    m_http.route(QStringLiteral("/api/deployments/name/<arg>/<arg>"), Method::Get,
                 [this](const QString& flow, const QString& name, const QHttpServerRequest& r) {
                     return guarded(r, [&](const std::string&) {
                         return m_api.read_deployment_by_name(flow.toStdString(),
                                                              name.toStdString());
                     });
                 });
    with_id("/api/deployments/<arg>", Method::Get, &Api::read_deployment);
    with_id("/api/deployments/<arg>", Method::Delete, &Api::delete_deployment);
    // PATCH: a path argument and the body, answered 204.
    auto with_id_patch = [this](const char* path, IdBodyHandler handler) {
        m_http.route(QString::fromLatin1(path), Method::Patch,
                     [this, handler](const QString& id, const QHttpServerRequest& r) {
                         return guarded(r, [&](const std::string& body) {
                             return (m_api.*handler)(id.toStdString(), body);
                         });
                     });
    };
    with_id_patch("/api/deployments/<arg>", &Api::update_deployment);
    with_id_body("/api/deployments/<arg>/create_flow_run", &Api::create_deployment_flow_run);
    with_id("/api/deployments/<arg>/pause_deployment", Method::Post, &Api::pause_deployment);
    with_id("/api/deployments/<arg>/resume_deployment", Method::Post, &Api::resume_deployment);

    plain("/api/work_pools/", Method::Post, &Api::create_work_pool);
    plain("/api/work_pools/filter", Method::Post, &Api::filter_work_pools);
    with_id("/api/work_pools/<arg>", Method::Get, &Api::read_work_pool);
    with_id("/api/work_pools/<arg>", Method::Delete, &Api::delete_work_pool);
    with_id_patch("/api/work_pools/<arg>", &Api::update_work_pool);
    with_id_body("/api/work_pools/<arg>/workers/heartbeat", &Api::worker_heartbeat);
    with_id_body("/api/work_pools/<arg>/workers/filter", &Api::filter_workers);
    with_id_body("/api/work_pools/<arg>/get_scheduled_flow_runs", &Api::scheduled_flow_runs);

    plain("/api/concurrency_limits/", Method::Post, &Api::create_concurrency_limit);
    plain("/api/concurrency_limits/filter", Method::Post, &Api::filter_concurrency_limits);
    with_id("/api/concurrency_limits/tag/<arg>", Method::Get, &Api::read_concurrency_limit);
    with_id("/api/concurrency_limits/tag/<arg>", Method::Delete, &Api::delete_concurrency_limit);
    // QHttpServer 6.4 upgrades a WebSocket request only when a route takes it: this one leaves
    // an upgrade alone (newWebSocketConnection follows) and answers any other request 426.
    for (const char* socketPath : {"/api/events/out", "/api/events/in"})
        m_http.route(QString::fromLatin1(socketPath), [](const QHttpServerRequest& r,
                                                         QHttpServerResponder&& responder) {
            if (r.value(QByteArrayLiteral("Upgrade")).compare("websocket", Qt::CaseInsensitive)
                == 0)
                return;
            toResponse(Reply::detail(426, "This path is a WebSocket: upgrade to it."))
                .write(std::move(responder));
        });
}

void HttpServer::acceptWebSockets() {
    while (m_http.hasPendingWebSocketConnections()) {
        std::unique_ptr<QWebSocket> socket = m_http.nextPendingWebSocketConnection();
        if (!socket) break;
        // QHttpServer 6.4 upgrades any path: the path decides here.
        const QString path = socket->requestUrl().path();
        const bool authorized =
            m_auth.enabled()
            && m_auth.check(socket->request().rawHeader(QByteArrayLiteral("Authorization")))
                   == Auth::Verdict::Allowed;
        if (path == QStringLiteral("/api/events/out")) {
            m_events_out.accept(std::move(socket), authorized);
        } else if (path == QStringLiteral("/api/events/in")) {
            m_events_in.accept(std::move(socket), authorized);
        } else {
            socket->close(QWebSocketProtocol::CloseCodePolicyViolated,
                          QStringLiteral("no WebSocket at this path"));
            QWebSocket* s = socket.release();
            connect(s, &QWebSocket::disconnected, s, &QObject::deleteLater);
            QTimer::singleShot(2000, s, &QWebSocket::abort);
        }
    }
}

quint16 HttpServer::listen(const QHostAddress& address, quint16 port) {
    return m_http.listen(address, port);
}

int HttpServer::connectionCount() const {
    int n = 0;
    for (const QTcpServer* server : m_http.servers())
        for (const QTcpSocket* socket : server->findChildren<QTcpSocket*>())
            n += socket->state() == QAbstractSocket::ConnectedState;
    return n;
}

bool HttpServer::answersPending() const {
    if (m_deferred.pending() > 0) return true;
    for (const QTcpServer* server : m_http.servers())
        for (const QTcpSocket* socket : server->findChildren<QTcpSocket*>())
            if (socket->state() == QAbstractSocket::ConnectedState && socket->bytesToWrite() > 0)
                return true;
    return false;
}

void HttpServer::shutdown(std::function<void()> done, std::chrono::milliseconds grace) {
    for (QTcpServer* server : m_http.servers())
        server->close(); // no new connections; open ones are still served
    m_events_out.closeAll();
    m_events_in.closeAll();
    auto finish = [this, done = std::move(done)] {
        try {
            m_api.engine().store().flush();
        } catch (const std::exception& e) {
            spdlog::error("weft-server: {}", e.what());
        }
        done();
    };
    // Answers already handed to sockets are written by the event loop: wait for them.
    auto timer = new QTimer(this);
    auto clock = std::make_shared<QElapsedTimer>();
    clock->start();
    timer->setInterval(10);
    connect(timer, &QTimer::timeout, this, [this, timer, clock, grace, finish] {
        if (answersPending() && clock->elapsed() < grace.count()) return;
        timer->stop();
        timer->deleteLater();
        finish();
    });
    timer->start();
}

} // namespace weft::server
