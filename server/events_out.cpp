#include "events_out.hpp"

#include "schemas.hpp"

#include <QTimer>
#include <nlohmann/json.hpp>
#include <spdlog/spdlog.h>

namespace weft::server {

using nlohmann::json;
using CloseCode = QWebSocketProtocol::CloseCode;

namespace {
constexpr qint64 kMaxIncomingMessage = 1 << 20;
constexpr int kCloseGraceMs = 2000; // a closed client that does not answer the close is aborted

// A close reason fits in a control frame: at most 123 bytes of UTF-8.
QString closeReason(const std::string& why) {
    QByteArray utf8 = QByteArray::fromStdString(why);
    if (utf8.size() > 120) utf8 = utf8.left(117) + "...";
    return QString::fromUtf8(utf8);
}

// The first problem of a filter, as a line a person reads.
std::string describe(const std::vector<ValidationError>& errors) {
    const auto& e = errors.front();
    std::string where;
    for (const auto& part : e.loc)
        where +=
            (where.empty() ? "" : ".") + (part.is_string() ? part.get<std::string>() : part.dump());
    return where + ": " + e.msg;
}
} // namespace

struct EventsOut::Client {
    enum class Stage { Auth, Filter, Streaming, Closing };
    std::unique_ptr<QWebSocket> socket;
    Stage stage = Stage::Auth;
    bool authorized = false;
    EventFilter filter;
    std::deque<QString> queue; // events waiting for the socket's backlog to shrink
    QTimer handshake;
};

EventsOut::EventsOut(EventFeed& feed, const Auth& auth, Limits limits, QObject* parent)
    : QObject(parent)
    , m_feed(feed)
    , m_auth(auth)
    , m_limits(limits) {
    connect(&m_feed, &EventFeed::eventsReady, this, &EventsOut::onBatch);
}

EventsOut::~EventsOut() {
    for (auto& c : m_clients)
        c->socket->disconnect(this);
}

int EventsOut::clientCount() const {
    return int(std::count_if(m_clients.begin(), m_clients.end(),
                             [](const auto& c) { return c->stage != Client::Stage::Closing; }));
}

int EventsOut::streamingCount() const {
    return int(std::count_if(m_clients.begin(), m_clients.end(),
                             [](const auto& c) { return c->stage == Client::Stage::Streaming; }));
}

void EventsOut::accept(std::unique_ptr<QWebSocket> socket, bool header_authorized) {
    auto client = std::make_unique<Client>();
    Client* c = client.get();
    c->socket = std::move(socket);
    c->authorized = header_authorized || !m_auth.enabled();
    c->socket->setMaxAllowedIncomingMessageSize(kMaxIncomingMessage);
    connect(c->socket.get(), &QWebSocket::textMessageReceived, this,
            [this, c](const QString& text) { onMessage(c, text); });
    connect(c->socket.get(), &QWebSocket::binaryMessageReceived, this, [this, c] {
        closeClient(c, CloseCode::CloseCodeDatatypeNotSupported,
                    QStringLiteral("text messages only"));
    });
    connect(c->socket.get(), &QWebSocket::bytesWritten, this, [this, c] { drain(c); });
    // Queued: a client is never removed while a loop over the clients runs.
    connect(
        c->socket.get(), &QWebSocket::disconnected, this, [this, c] { remove(c); },
        Qt::QueuedConnection);
    c->handshake.setSingleShot(true);
    connect(&c->handshake, &QTimer::timeout, this, [this, c] {
        closeClient(c, CloseCode::CloseCodePolicyViolated,
                    QStringLiteral("no filter was sent in time"));
    });
    c->handshake.start(m_limits.handshake_ms);
    m_clients.push_back(std::move(client));
}

void EventsOut::onMessage(Client* c, const QString& text) {
    if (c->stage == Client::Stage::Closing) return;
    const json message = json::parse(text.toStdString(), nullptr, false);
    if (message.is_discarded() || !message.is_object() || !message.contains("type")
        || !message["type"].is_string())
        return closeClient(c, CloseCode::CloseCodeProtocolError,
                           QStringLiteral("expected a JSON object with a \"type\""));
    const std::string type = message["type"].get<std::string>();
    if (type == "auth" && c->stage == Client::Stage::Auth) {
        const json& token = message.contains("token") ? message["token"] : json();
        if (!c->authorized
            && !(token.is_string() && m_auth.accepts_token(token.get<std::string>())))
            return closeClient(c, CloseCode::CloseCodePolicyViolated,
                               QStringLiteral("Unauthorized"));
        c->authorized = true;
        c->stage = Client::Stage::Filter;
        c->socket->sendTextMessage(QStringLiteral(R"({"type":"auth_success"})"));
        return;
    }
    if (type == "filter") {
        // Without auth on the server (or with credentials on the upgrade) the auth message
        // may be left out, as Prefect's server allows.
        if (!c->authorized)
            return closeClient(c, CloseCode::CloseCodePolicyViolated,
                               QStringLiteral("Unauthorized"));
        const json& filter = message.contains("filter") ? message["filter"] : json::object();
        auto errors = validate(filter.is_null() ? json::object() : filter, schemas::event_filter(),
                               json::array({"filter"}));
        if (!errors.empty())
            return closeClient(c, CloseCode::CloseCodeProtocolError,
                               closeReason("invalid filter: " + describe(errors)));
        auto parsed = event_filter_from_json(filter);
        if (!parsed.unsupported.empty())
            return closeClient(
                c, CloseCode::CloseCodePolicyViolated,
                closeReason("filtering by " + parsed.unsupported + " is not supported yet"));
        c->filter = std::move(parsed.filter);
        c->stage = Client::Stage::Streaming; // a later filter replaces this one
        c->handshake.stop();
        publishFilters();
        return;
    }
    closeClient(c, CloseCode::CloseCodeProtocolError,
                closeReason("unexpected message of type \"" + type + "\""));
}

void EventsOut::onBatch(const FeedBatch& batch) {
    for (auto& client : m_clients) {
        Client* c = client.get();
        if (c->stage != Client::Stage::Streaming) continue;
        for (const FeedEvent& e : *batch) {
            if (!c->filter.matches(e.head)) continue;
            send(c, e.message);
            if (c->stage == Client::Stage::Closing) break;
        }
    }
}

void EventsOut::send(Client* c, const QString& message) {
    if (c->queue.empty() && c->socket->bytesToWrite() < m_limits.max_socket_backlog) {
        c->socket->sendTextMessage(message);
        return;
    }
    if (c->queue.size() >= m_limits.max_queued)
        return closeClient(c, CloseCode::CloseCodePolicyViolated,
                           QStringLiteral("too slow: %1 events were waiting").arg(c->queue.size()));
    c->queue.push_back(message); // shares the text with every other client's copy
}

void EventsOut::drain(Client* c) {
    while (!c->queue.empty() && c->stage == Client::Stage::Streaming
           && c->socket->bytesToWrite() < m_limits.max_socket_backlog) {
        c->socket->sendTextMessage(c->queue.front());
        c->queue.pop_front();
    }
}

void EventsOut::closeClient(Client* c, CloseCode code, const QString& reason) {
    if (c->stage == Client::Stage::Closing) return;
    spdlog::info("weft-server: closing an event stream client ({}): {}", int(code),
                 reason.toStdString());
    const bool wasStreaming = c->stage == Client::Stage::Streaming;
    c->stage = Client::Stage::Closing;
    c->queue.clear();
    c->handshake.stop();
    c->socket->close(code, reason);
    // A client that never reads never answers the close either.
    QTimer::singleShot(kCloseGraceMs, c->socket.get(), [s = c->socket.get()] { s->abort(); });
    if (wasStreaming) publishFilters();
}

void EventsOut::remove(Client* c) {
    auto it = std::find_if(m_clients.begin(), m_clients.end(),
                           [c](const auto& p) { return p.get() == c; });
    if (it == m_clients.end()) return;
    std::unique_ptr<Client> gone = std::move(*it);
    m_clients.erase(it);
    gone->socket->disconnect(this);
    // Deleted later: this may run inside one of the socket's own signals.
    gone->socket.release()->deleteLater();
    publishFilters();
}

void EventsOut::closeAll() {
    for (auto& c : m_clients)
        closeClient(c.get(), CloseCode::CloseCodeGoingAway, QStringLiteral("server stopping"));
}

void EventsOut::publishFilters() {
    std::vector<EventFilter> filters;
    for (const auto& c : m_clients)
        if (c->stage == Client::Stage::Streaming) filters.push_back(c->filter);
    m_feed.setFilters(std::move(filters));
}

} // namespace weft::server
