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

} // namespace

HttpServer::HttpServer(std::shared_ptr<Engine> engine, QObject* parent)
    : QObject(parent)
    , m_api(std::move(engine)) {
    addRoutes();
    m_http.setMissingHandler([](const QHttpServerRequest&, QHttpServerResponder&& responder) {
        toResponse(Reply::detail(404, "Not Found")).write(std::move(responder));
    });
}

HttpServer::~HttpServer() = default;

void HttpServer::addRoutes() {
    m_http.route(QStringLiteral("/api/health"), Method::Get, [this](const QHttpServerRequest& r) {
        return answer(r, [&](const std::string&) { return m_api.health(); });
    });
    m_http.route(QStringLiteral("/api/version"), Method::Get, [this](const QHttpServerRequest& r) {
        return answer(r, [&](const std::string&) { return m_api.version(); });
    });
}

quint16 HttpServer::listen(const QHostAddress& address, quint16 port) {
    return m_http.listen(address, port);
}

bool HttpServer::answersPending() const {
    for (const QTcpServer* server : m_http.servers())
        for (const QTcpSocket* socket : server->findChildren<QTcpSocket*>())
            if (socket->state() == QAbstractSocket::ConnectedState && socket->bytesToWrite() > 0)
                return true;
    return false;
}

void HttpServer::shutdown(std::function<void()> done, std::chrono::milliseconds grace) {
    for (QTcpServer* server : m_http.servers())
        server->close(); // no new connections; open ones are still served
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
