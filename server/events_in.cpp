#include "events_in.hpp"

#include <QTimer>
#include <nlohmann/json.hpp>
#include <spdlog/spdlog.h>

namespace weft::server {

using nlohmann::json;
using CloseCode = QWebSocketProtocol::CloseCode;

namespace {
constexpr qint64 kMaxIncomingMessage = 1 << 20;
constexpr std::size_t kRemembered = 100000; // event ids kept for de-duplication
constexpr int kCloseGraceMs = 2000;

QString closeReason(const std::string& why) {
    QByteArray utf8 = QByteArray::fromStdString(why);
    if (utf8.size() > 120) utf8 = utf8.left(117) + "...";
    return QString::fromUtf8(utf8);
}
} // namespace

struct EventsIn::Client {
    std::unique_ptr<QWebSocket> socket;
    bool authorized = false;
    bool closing = false;
};

EventsIn::EventsIn(Engine& engine, const Auth& auth, QObject* parent)
    : QObject(parent)
    , m_engine(engine)
    , m_auth(auth) {}

EventsIn::~EventsIn() {
    for (auto& c : m_clients)
        c->socket->disconnect(this);
}

void EventsIn::accept(std::unique_ptr<QWebSocket> socket, bool header_authorized) {
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
    connect(
        c->socket.get(), &QWebSocket::disconnected, this, [this, c] { remove(c); },
        Qt::QueuedConnection);
    m_clients.push_back(std::move(client));
}

int EventsIn::clientCount() const {
    return int(std::count_if(m_clients.begin(), m_clients.end(),
                             [](const auto& c) { return !c->closing; }));
}

EventsIn::Counts EventsIn::counts() const {
    return {m_counts->stored.load(), m_counts->duplicates.load(), m_counts->dropped.load()};
}

void EventsIn::onMessage(Client* c, const QString& text) {
    if (c->closing) return;
    const json message = json::parse(text.toStdString(), nullptr, false);
    // The handshake message, which an Event never looks like (an Event has no "type").
    if (message.is_object() && message.contains("type") && !message.contains("event")) {
        if (message["type"] != "auth")
            return closeClient(c, CloseCode::CloseCodeProtocolError,
                               QStringLiteral("expected an auth message or events"));
        const json& token = message.contains("token") ? message["token"] : json();
        if (!c->authorized
            && !(token.is_string() && m_auth.accepts_token(token.get<std::string>())))
            return closeClient(c, CloseCode::CloseCodePolicyViolated,
                               QStringLiteral("Unauthorized"));
        c->authorized = true;
        c->socket->sendTextMessage(QStringLiteral(R"({"type":"auth_success"})"));
        return;
    }
    if (!c->authorized)
        return closeClient(c, CloseCode::CloseCodePolicyViolated, QStringLiteral("Unauthorized"));
    IncomingEvent event = read_event(message);
    if (auto* bad = std::get_if<BadEvent>(&event))
        return closeClient(c, CloseCode::CloseCodeProtocolError, closeReason(bad->why));
    if (auto* other = std::get_if<OtherEvent>(&event)) {
        if (firstSighting(other->event_id))
            ++m_counts->dropped;
        else
            ++m_counts->duplicates;
        return;
    }
    auto& task = std::get<TaskRunEvent>(event);
    if (!firstSighting(task.event_id)) {
        ++m_counts->duplicates;
        return;
    }
    m_pending.push_back(std::move(task));
    // The frames that arrived together share one transaction.
    if (!m_submit_scheduled) {
        m_submit_scheduled = true;
        QTimer::singleShot(0, this, &EventsIn::submit);
    }
}

bool EventsIn::firstSighting(const std::string& id) {
    if (!m_seen.insert(id).second) return false;
    m_seen_order.push_back(id);
    if (m_seen_order.size() > kRemembered) {
        m_seen.erase(m_seen_order.front());
        m_seen_order.pop_front();
    }
    return true;
}

void EventsIn::submit() {
    m_submit_scheduled = false;
    if (m_pending.empty()) return;
    // The writer thread applies them in arrival order; nobody waits for the commit (the
    // protocol has no acknowledgements).
    m_engine.store().transact<void>([events = std::move(m_pending), counts = m_counts](Txn& txn) {
        for (const auto& e : events) {
            try {
                switch (apply_task_run_event(txn, e)) {
                case Applied::Stored:
                    ++counts->stored;
                    break;
                case Applied::Duplicate:
                case Applied::Stale:
                    ++counts->duplicates;
                    break;
                case Applied::UnknownFlowRun:
                    ++counts->dropped;
                    break;
                }
            } catch (const StoreError&) {
                throw; // the store failed: the whole transaction with it
            } catch (const std::exception& ex) {
                ++counts->dropped;
                spdlog::warn("weft-server: task-run event {} was not stored: {}", e.event_id,
                             ex.what());
            }
        }
    });
    m_pending.clear();
}

void EventsIn::closeClient(Client* c, CloseCode code, const QString& reason) {
    if (c->closing) return;
    spdlog::info("weft-server: closing an event intake client ({}): {}", int(code),
                 reason.toStdString());
    c->closing = true;
    c->socket->close(code, reason);
    QTimer::singleShot(kCloseGraceMs, c->socket.get(), [s = c->socket.get()] { s->abort(); });
}

void EventsIn::remove(Client* c) {
    auto it = std::find_if(m_clients.begin(), m_clients.end(),
                           [c](const auto& p) { return p.get() == c; });
    if (it == m_clients.end()) return;
    std::unique_ptr<Client> gone = std::move(*it);
    m_clients.erase(it);
    gone->socket->disconnect(this);
    gone->socket.release()->deleteLater();
}

void EventsIn::closeAll() {
    for (auto& c : m_clients)
        closeClient(c.get(), CloseCode::CloseCodeGoingAway, QStringLiteral("server stopping"));
}

} // namespace weft::server
